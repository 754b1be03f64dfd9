//! The screen's whole state. Drawing reads only this; `update` alone changes it.

use super::keymap::{Keymap, Mode};
use super::theme::Theme;
use crate::domain::deadline::Deadline;
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
    Contacts,
    Reports,
    Reviews,
    /// Who is on duty, and the handover for the incoming DSL.
    Handover,
}

/// The reports screen: a period, the report for it, the table shown.
#[derive(Debug, Clone, Default)]
pub struct ReportsView {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub report: Option<Box<crate::domain::report::Report>>,
    pub table: usize,
    pub back: Option<Screen>,
}

/// The contacts screen: a search, optional route and area filters, and the
/// answers for this moment.
#[derive(Debug, Clone, Default)]
pub struct ContactsView {
    pub query: String,
    /// Typing into the search (after `/`).
    pub typing: bool,
    pub route: Option<String>,
    pub area: Option<String>,
    /// Set when opened from an escalation (`l`): its reference.
    pub for_escalation: Option<String>,
    pub answers: Vec<crate::domain::contact::Answer>,
    /// Every contact (id, label): what a contact may fall back to.
    pub all: Vec<(i64, String)>,
    pub selected: usize,
    /// The full record of the selected contact is showing.
    pub open: bool,
    pub loading: bool,
    /// Where Esc goes back to.
    pub back: Option<Screen>,
}

/// A list on screen: a window of rows in memory over a longer list in the
/// database (the open queue, the open deadlines), with a selection.
#[derive(Debug, Clone)]
pub struct Window<T> {
    /// Rows in the whole list (visible to this user).
    pub total: i64,
    /// List position of `rows[0]`.
    pub offset: i64,
    pub rows: Vec<T>,
    /// Selected queue position.
    pub selected: i64,
    /// First position drawn (scrolling).
    pub top: i64,
    /// A window request is on its way.
    pub loading: bool,
    /// The first load has arrived.
    pub loaded: bool,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            total: 0,
            offset: 0,
            rows: Vec::new(),
            selected: 0,
            top: 0,
            loading: false,
            loaded: false,
        }
    }
}

impl<T> Window<T> {
    /// The loaded row at a list position.
    pub fn row(&self, pos: i64) -> Option<&T> {
        let i = pos.checked_sub(self.offset)?;
        usize::try_from(i).ok().and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.row(self.selected)
    }

    /// Takes a freshly loaded window, keeping the selection in range.
    pub fn load(&mut self, total: i64, offset: i64, rows: Vec<T>) {
        self.total = total;
        self.offset = offset;
        self.rows = rows;
        self.loading = false;
        self.loaded = true;
        self.selected = self.selected.clamp(0, (total - 1).max(0));
    }
}

/// The open-escalations list.
pub type Queue = Window<EscalationSummary>;

/// Which dashboard list the movement keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Queue,
    Deadlines,
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// Mark a deadline met; the note is optional.
    Meet {
        id: i64,
        reference: String,
        label: String,
    },
    /// Waive a deadline; the reason is required.
    Waive {
        id: i64,
        reference: String,
        label: String,
    },
    /// A verb on an escalation that needs words: a note, a re-open reason,
    /// a sign-off or send-back reason.
    Escalation { target: Target, verb: TextVerb },
    /// Why an escalation goes on a review's agenda.
    Review {
        target: Target,
        series: String,
        name: String,
    },
    /// A note for whoever takes over duty next.
    HandoverNote,
    /// Approve (`approve`) or send back the closure proposed on `target`,
    /// whose version is the record's as shown: the prompt shows the outcome
    /// and rationale being acted on, and the store refuses if they changed.
    Signoff {
        target: Target,
        approve: bool,
        outcome: String,
        rationale: String,
    },
    /// An event held on an escalation (one of `events`, Tab for the next).
    Event {
        target: Target,
        events: Vec<String>,
        at: usize,
    },
}

/// The escalation a verb acts on, and the version the user saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub reference: String,
    pub version: Option<i64>,
}

/// Verbs whose only input is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextVerb {
    Note,
    Reopen,
}

/// Choosing whom to assign an escalation to: type to filter, Enter picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub target: Target,
    /// None until the list arrives.
    pub staff: Option<Vec<StaffMember>>,
    pub filter: String,
    pub selected: usize,
}

impl Picker {
    /// The staff matching the filter (name or account, any case), in order.
    pub fn matches(&self) -> Vec<&StaffMember> {
        let f = self.filter.to_lowercase();
        self.staff
            .iter()
            .flatten()
            .filter(|s| {
                s.display_name.to_lowercase().contains(&f) || s.username.to_lowercase().contains(&f)
            })
            .collect()
    }
}

/// Earlier escalations that may be about the same person as a new one: the
/// DSL links or dismisses each.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOffer {
    pub new: Target,
    pub list: Vec<crate::store::escalations::Match>,
    pub selected: usize,
}

/// A yes/no question before something that cannot be taken back quietly.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub request: crate::store::worker::Request,
}

/// A one-line text prompt over the dashboard. The text stays until the store
/// confirms the save, so a refusal or a lock never loses what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    pub error: Option<String>,
    /// Sent to the store; waiting for its answer.
    pub saving: bool,
}

/// Longest text a prompt takes (a waiver reason's limit in the schema).
pub const PROMPT_MAX: usize = 4000;

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
    /// The lists are frozen while someone reads; changes wait.
    pub paused: bool,
    /// Another session changed something while paused.
    pub changed_while_paused: bool,
    /// The screen is blanked (idle or `L`); no data is drawn.
    pub locked: bool,
    /// Set when the user's staff row changed (deactivated, another role):
    /// why. Records have been dropped; only the refusal is drawn.
    pub revoked: Option<String>,
    /// Lines scrolled in help (it can be taller than the screen).
    pub help_scroll: u16,
    pub queue: Queue,
    pub focus: Focus,
    pub deadlines: Window<Deadline>,
    pub prompt: Option<Prompt>,
    pub picker: Option<Picker>,
    /// The open form, and what it is for.
    pub form: Option<(super::forms::FormKind, super::form::Form)>,
    /// Earlier escalations offered for linking to a new one.
    pub matches: Option<MatchOffer>,
    /// The refer form waits for its choices to arrive for this escalation.
    pub refer_pending: Option<Target>,
    pub confirm: Option<Confirm>,
    /// The latest alert, shown in a banner until the next.
    pub alert: Option<String>,
    pub counting: crate::domain::calendar::Counting,
    /// Unacknowledged escalations (how many, the oldest few) and the window.
    pub unacked_total: i64,
    pub unacked: Vec<EscalationSummary>,
    pub ack_minutes: u32,
    /// For forms: the organisation's categories (code, label) and outcomes.
    pub categories: Vec<(String, String)>,
    pub outcomes: Vec<String>,
    /// Events the deadline rules wait for, offered by `E`.
    pub events: Vec<String>,
    /// A sign-off (`true`) or send-back asked from the list: the record is
    /// opened first, so the prompt can show the proposal it acts on.
    pub signoff_pending: Option<(i64, bool)>,
    /// The access form waits for the record's access rows to arrive.
    pub access_pending: Option<Target>,
    /// The staff list (every account), for intake's "does the person use
    /// this desk?" and the access form.
    pub staff: Vec<StaffMember>,
    pub holidays_through: Option<i32>,
    pub detail: Option<Detail>,
    pub contacts: ContactsView,
    pub reports: ReportsView,
    /// Each review series' next meeting and how many items it holds.
    pub reviews: Vec<crate::domain::review::Agenda>,
    /// The series shown on the review screen (index into `reviews`).
    pub reviews_series: usize,
    /// That series' whole agenda, once loaded.
    pub agenda: Option<crate::domain::review::Agenda>,
    /// Agenda lines scrolled on the review screen.
    pub reviews_scroll: usize,
    /// The handover, once loaded; lines scrolled on its screen.
    pub handover: Option<crate::store::rota::Handover>,
    pub handover_scroll: usize,
    /// Whether the first handover has been looked at (to show it by itself
    /// to a DSL whose shift has just begun).
    pub handover_checked: bool,
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
            paused: false,
            changed_while_paused: false,
            locked: false,
            revoked: None,
            help_scroll: 0,
            queue: Queue::default(),
            focus: Focus::Queue,
            deadlines: Window::default(),
            prompt: None,
            picker: None,
            form: None,
            refer_pending: None,
            matches: None,
            confirm: None,
            alert: None,
            counting: crate::domain::calendar::Counting::SameTime,
            unacked_total: 0,
            unacked: Vec::new(),
            ack_minutes: 15,
            categories: Vec::new(),
            outcomes: Vec::new(),
            events: Vec::new(),
            signoff_pending: None,
            access_pending: None,
            staff: Vec::new(),
            holidays_through: None,
            detail: None,
            contacts: ContactsView::default(),
            reports: ReportsView::default(),
            reviews: Vec::new(),
            reviews_series: 0,
            handover: None,
            handover_scroll: 0,
            handover_checked: false,
            agenda: None,
            reviews_scroll: 0,
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
        if self.help {
            return Mode::Help;
        }
        if self.confirm.is_some() {
            return Mode::Confirm;
        }
        if self.prompt.is_some() {
            return Mode::Prompt;
        }
        if self.form.is_some() {
            return Mode::Form;
        }
        if self.picker.is_some() {
            return Mode::Picker;
        }
        if self.matches.is_some() {
            return Mode::Matches;
        }
        self.screen_mode()
    }

    /// The bindings of the screen itself, under any overlay: what `?` lists.
    pub fn screen_mode(&self) -> Mode {
        match (self.screen, self.focus) {
            (Screen::Dashboard, Focus::Queue) => Mode::Dashboard,
            (Screen::Dashboard, Focus::Deadlines) => Mode::Deadlines,
            (Screen::Detail, _) => Mode::Detail,
            (Screen::Contacts, _) if self.contacts.typing => Mode::ContactSearch,
            (Screen::Contacts, _) => Mode::Contacts,
            (Screen::Reports, _) => Mode::Reports,
            (Screen::Reviews, _) => Mode::Reviews,
            (Screen::Handover, _) => Mode::Handover,
        }
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    /// Rows of the escalation table that fit on screen (see views::dashboard).
    pub fn list_height(&self) -> i64 {
        super::views::dashboard::list_height(self) as i64
    }

    /// The escalation the verbs act on: the open record, or the list's selection.
    pub fn target(&self) -> Option<Target> {
        let s = match (self.screen, self.focus) {
            (Screen::Detail, _) => &self.detail.as_ref()?.data.summary,
            (Screen::Dashboard, Focus::Queue) => self.queue.selected_row()?,
            (Screen::Dashboard, Focus::Deadlines)
            | (Screen::Contacts, _)
            | (Screen::Reports, _)
            | (Screen::Reviews, _)
            | (Screen::Handover, _) => {
                return None;
            }
        };
        Some(Target {
            id: s.id,
            reference: s.reference.clone(),
            version: Some(s.version),
        })
    }

    /// Whether an escalation has waited too long for a DSL to take it.
    pub fn overdue_ack(&self, e: &EscalationSummary) -> bool {
        !e.acknowledged
            && self.now - e.raised_at
                >= crate::domain::alert::ack_window(self.ack_minutes, e.immediate_risk)
    }

    /// Rows of the deadlines panel that fit on screen.
    pub fn deadlines_height(&self) -> i64 {
        super::views::dashboard::deadlines_height(self) as i64
    }
}
