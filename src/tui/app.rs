//! The screen's whole state. Drawing reads only this; `update` alone changes it.

use super::keymap::{Keymap, Mode};
use super::theme::Theme;
use crate::domain::escalation::{EscalationDetail, EscalationSummary};
use crate::domain::staff::StaffMember;
use chrono::{DateTime, Utc};

/// How many queue rows are held in memory around the selection: lists are
/// windowed, never loaded whole.
pub const WINDOW: i64 = 200;

/// The smallest terminal the dashboard is drawn in; below it a panel says so.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Dashboard,
    Detail,
}

/// The open-escalations list: a window of rows over the whole queue.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    /// Open escalations visible to this user.
    pub total: i64,
    /// Queue position of `rows[0]`.
    pub offset: i64,
    pub rows: Vec<EscalationSummary>,
    /// Selected queue position.
    pub selected: i64,
    /// First position drawn (scrolling).
    pub top: i64,
    /// A window request is on its way.
    pub loading: bool,
    /// The first load has arrived.
    pub loaded: bool,
}

impl Queue {
    /// The loaded row at a queue position.
    pub fn row(&self, pos: i64) -> Option<&EscalationSummary> {
        let i = pos.checked_sub(self.offset)?;
        usize::try_from(i).ok().and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&EscalationSummary> {
        self.row(self.selected)
    }
}

/// An open escalation record.
#[derive(Debug, Clone)]
pub struct Detail {
    pub data: Box<EscalationDetail>,
    pub scroll: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub kind: StatusKind,
    pub text: String,
}

pub struct App {
    pub me: StaffMember,
    pub org: String,
    pub on_duty: Option<String>,
    pub now: DateTime<Utc>,
    pub read_only: bool,
    pub screen: Screen,
    pub help: bool,
    pub queue: Queue,
    pub detail: Option<Detail>,
    pub status: Option<StatusLine>,
    /// Terminal size, for paging.
    pub width: u16,
    pub height: u16,
    pub keymap: Keymap,
    pub theme: Theme,
    pub quit: bool,
}

impl App {
    pub fn new(me: StaffMember, now: DateTime<Utc>, read_only: bool, theme: Theme) -> App {
        App {
            me,
            org: String::new(),
            on_duty: None,
            now,
            read_only,
            screen: Screen::Dashboard,
            help: false,
            queue: Queue::default(),
            detail: None,
            status: None,
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            keymap: Keymap::default(),
            theme,
            quit: false,
        }
    }

    /// The key bindings in force: help sits over whatever screen is showing.
    pub fn mode(&self) -> Mode {
        match (self.help, self.screen) {
            (true, _) => Mode::Help,
            (false, Screen::Dashboard) => Mode::Dashboard,
            (false, Screen::Detail) => Mode::Detail,
        }
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    /// Rows of the escalation table that fit on screen (see views::dashboard).
    pub fn list_height(&self) -> i64 {
        super::views::dashboard::list_height(self) as i64
    }
}
