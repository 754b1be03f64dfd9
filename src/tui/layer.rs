//! The screen is a stack of layers: the dashboard at the bottom, a screen
//! (a record, contacts, reviews...) or a popup (a prompt, a form, a question)
//! on top of it. Each layer is one file in `layers/` owning its state, its
//! keymap section, its drawing and what it shows in the footer and help. The
//! top layer gets the keys ([`super::route`]); news from the store, the
//! clock and the terminal goes to every layer, top first.
//!
//! Layers read a [`Ctx`] (who, when, the theme, the keymap, the desk's
//! reference data) and answer with a [`Step`]: effects for the event loop,
//! layers to push, whether to close. They never do IO.

use super::action::Action;
use super::keymap::Keymap;
use super::theme::Theme;
use super::update::Effect;
use crate::domain::staff::StaffMember;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::any::Any;

/// Which layer is on top: what the need-to-know test walks, one by one.
/// A new layer needs a new mode, and the test does not compile until the
/// mode is classified there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard, moving in the escalation list.
    Dashboard,
    /// The dashboard, moving in the deadlines panel.
    Deadlines,
    /// One escalation's record.
    Record,
    Help,
    /// A text prompt (a note, a reason).
    Prompt,
    /// Choosing whom to assign to.
    Picker,
    /// A yes/no question.
    Confirm,
    /// A form (intake, refer, close, contact, access).
    Form,
    /// Earlier escalations offered for linking after intake.
    Matches,
    Contacts,
    /// Typing a contacts search.
    ContactSearch,
    Reports,
    Reviews,
    Handover,
    /// Drafts kept from an earlier session, offered back.
    Drafts,
    /// The lock panel.
    Lock,
    /// The account was deactivated or re-roled: nothing is shown.
    Revoked,
    /// The terminal is below 80×24: a panel says so.
    TooSmall,
    /// Every open alert of the desk the user may know of.
    Alerts,
    /// Searching every case (issue 18): typing the words.
    SearchInput,
    /// Searching every case: the results and their filters.
    Search,
    /// A person's chronology across linked cases.
    Person,
    /// Closures waiting for a second DSL.
    Signoffs,
    /// A case's tasks, attachments or people involved (its keys are the
    /// list's: `tasks`, `attachments`, `people`).
    CaseItems,
}

impl Mode {
    /// The keymap section of this mode's keys.
    pub fn section(self) -> &'static str {
        match self {
            Mode::Dashboard => "dashboard",
            Mode::Deadlines => "deadlines",
            Mode::Record => "record",
            Mode::Help => "help",
            Mode::Prompt => "prompt",
            Mode::Picker => "picker",
            Mode::Confirm => "confirm",
            Mode::Form => "form",
            Mode::Matches => "matches",
            Mode::Contacts => "contacts",
            Mode::ContactSearch => "contact_search",
            Mode::Reports => "reports",
            Mode::Reviews => "reviews",
            Mode::Handover => "handover",
            Mode::Drafts => "drafts",
            Mode::Lock => "lock",
            Mode::Revoked => "revoked",
            Mode::TooSmall => "too_small",
            Mode::Alerts => "alerts",
            Mode::SearchInput => "search_input",
            Mode::Search => "search",
            Mode::Person => "person",
            Mode::Signoffs => "signoffs",
            Mode::CaseItems => "tasks",
        }
    }
}

/// The smallest terminal the dashboard is drawn in; below it a panel says so.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// How long a status line stays: long enough to read, short enough that
/// "Saving…" or "Copied" never lingers as if still true.
pub const STATUS_SECONDS: i64 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

/// The line above the footer's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub kind: StatusKind,
    pub text: String,
    /// When it was set (UTC), for expiry.
    pub at: DateTime<Utc>,
}

/// The desk's reference data, from the latest dashboard load: what forms
/// offer and what the header and help say.
#[derive(Debug, Clone)]
pub struct Desk {
    pub org: String,
    pub on_duty: Option<String>,
    pub counting: crate::domain::calendar::Counting,
    pub holidays_through: Option<i32>,
    /// The acknowledgement window (minutes).
    pub ack_minutes: u32,
    /// The organisation's categories (code, label) and closing outcomes.
    pub categories: Vec<(String, String)>,
    pub outcomes: Vec<String>,
    /// Events the deadline rules wait for, offered by `E`.
    pub events: Vec<String>,
    /// Every account (intake's "does the person use this desk?", access).
    pub staff: Vec<StaffMember>,
    /// Each review series' next meeting and how many items it holds.
    pub reviews: Vec<crate::domain::review::Agenda>,
    /// The organisation's areas, loaded when the intake form opens (empty:
    /// not loaded, or the organisation keeps no list; the store checks again).
    pub areas: Vec<crate::domain::area::Area>,
    /// Closures waiting for this user's sign-off (the header's count).
    pub signoff_waiting: i64,
}

impl Default for Desk {
    fn default() -> Desk {
        Desk {
            org: String::new(),
            on_duty: None,
            counting: crate::domain::calendar::Counting::SameTime,
            holidays_through: None,
            ack_minutes: 15,
            categories: Vec::new(),
            outcomes: Vec::new(),
            events: Vec::new(),
            staff: Vec::new(),
            reviews: Vec::new(),
            areas: Vec::new(),
            signoff_waiting: 0,
        }
    }
}

/// The escalation a verb acts on, and the version the user saw.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    pub id: i64,
    pub reference: String,
    pub version: Option<i64>,
}

/// What every layer may read: never changed by a layer itself.
pub struct Ctx {
    pub me: StaffMember,
    pub now: DateTime<Utc>,
    pub read_only: bool,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Terminal size, for paging.
    pub width: u16,
    pub height: u16,
    pub desk: Desk,
    pub status: Option<StatusLine>,
    /// The footer's key hints: the top layer's.
    pub hints: Vec<(String, String)>,
}

impl Ctx {
    pub fn new(me: StaffMember, now: DateTime<Utc>, read_only: bool, theme: Theme) -> Ctx {
        Ctx {
            me,
            now,
            read_only,
            theme,
            keymap: Keymap::default(),
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            desk: Desk::default(),
            status: None,
            hints: Vec::new(),
        }
    }

    /// The key that runs `action` in `section`, as bound now (the user may
    /// have rebound it), for a screen's own words: "select it, A takes it".
    pub fn key(&self, section: &str, action: &Action) -> String {
        self.keymap
            .key_for(section, action)
            .unwrap_or_else(|| "its key".into())
    }

    pub fn too_small(&self) -> bool {
        self.width < MIN_WIDTH || self.height < MIN_HEIGHT
    }

    /// Whether this session may change anything; if not, why (`as_viewer`
    /// for a viewer's account), as a status line.
    pub fn may_write(&self, as_viewer: &str) -> Result<(), Step> {
        if self.read_only {
            return Err(Step::error("Read-only database: nothing can be changed"));
        }
        if self.me.role == crate::domain::staff::Role::Viewer {
            return Err(Step::error(as_viewer));
        }
        Ok(())
    }
}

/// A layer's answer to an action.
#[derive(Default)]
pub struct Step {
    pub effects: Vec<Effect>,
    /// Layers to put on top, in order.
    pub push: Vec<Box<dyn Layer>>,
    /// Remove this layer.
    pub close: bool,
    /// Also remove this many layers right under it (a yes to "discard?"
    /// closes the question and the form).
    pub close_under: usize,
    /// With `close`: also remove every layer above this one (a form or view
    /// opened from a record that may no longer be shown).
    pub close_above: bool,
    /// Actions for the layer that is on top once this step is applied.
    pub then: Vec<Action>,
    /// A new status line (kind, text); `clear_status` clears it.
    pub status: Option<(StatusKind, String)>,
    pub clear_status: bool,
    /// The event was this layer's to answer (a store error for the prompt
    /// that was saving): lower layers and the status line do not see it.
    pub handled: bool,
}

impl Step {
    pub fn none() -> Step {
        Step::default()
    }
    pub fn fx(effect: Effect) -> Step {
        Step {
            effects: vec![effect],
            ..Step::default()
        }
    }
    pub fn push(layer: impl Layer + 'static) -> Step {
        Step::none().and_push(layer)
    }
    pub fn close() -> Step {
        Step {
            close: true,
            ..Step::default()
        }
    }
    pub fn info(text: impl Into<String>) -> Step {
        Step {
            status: Some((StatusKind::Info, text.into())),
            ..Step::default()
        }
    }
    pub fn error(text: impl Into<String>) -> Step {
        Step {
            status: Some((StatusKind::Error, text.into())),
            ..Step::default()
        }
    }
    pub fn and_fx(mut self, effect: Effect) -> Step {
        self.effects.push(effect);
        self
    }
    pub fn and_push(mut self, layer: impl Layer + 'static) -> Step {
        self.push.push(Box::new(layer));
        self
    }
    /// Closes this layer and every layer above it, with an error line:
    /// what they show may no longer be shown.
    pub fn withdraw(text: impl Into<String>) -> Step {
        Step {
            close: true,
            close_above: true,
            status: Some((StatusKind::Error, text.into())),
            handled: true,
            ..Step::default()
        }
    }
    pub fn and_close(mut self) -> Step {
        self.close = true;
        self
    }
    pub fn and_info(mut self, text: impl Into<String>) -> Step {
        self.status = Some((StatusKind::Info, text.into()));
        self
    }
    pub fn handled(mut self) -> Step {
        self.handled = true;
        self
    }
    pub fn and_then(mut self, a: Action) -> Step {
        self.then.push(a);
        self
    }
    /// Merges another step's work into this one.
    pub fn merge(&mut self, other: Step) {
        self.effects.extend(other.effects);
        self.push.extend(other.push);
        self.close |= other.close;
        self.close_under = self.close_under.max(other.close_under);
        self.close_above |= other.close_above;
        self.then.extend(other.then);
        if other.status.is_some() {
            self.status = other.status;
        }
        self.clear_status |= other.clear_status;
        self.handled |= other.handled;
    }
}

/// One screen or popup.
pub trait Layer: std::fmt::Debug + Any {
    /// Which layer this is, for the footer, help and the need-to-know walk.
    fn mode(&self) -> Mode;

    /// The keymap sections its keys come from, in order (a form adds its
    /// focused field's).
    fn sections(&self) -> Vec<&'static str> {
        vec![self.mode().section()]
    }

    /// The footer's key hints, given those of its sections in keymap order:
    /// a layer may put first what matters now and leave out what cannot
    /// apply (the record puts a missing 999 call first). Help still lists
    /// every key.
    fn hints(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        all
    }

    /// Whether keys no section binds are text for a focused input (and a
    /// paste is welcome).
    fn takes_text(&self) -> bool {
        false
    }

    /// An action: a command from its keys when on top, or news (a store
    /// reply, the clock) which every layer sees.
    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step;

    /// Draws itself. A full-screen layer fills `area`; a popup draws over
    /// what is under it.
    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect);

    /// Whether it covers the whole screen (layers under it are not drawn).
    fn opaque(&self) -> bool {
        false
    }

    /// What was typed and not yet saved, to keep as drafts.
    fn drafts(&self) -> Vec<super::drafts::Draft> {
        Vec::new()
    }

    /// A mouse event on it, as an action, if it means anything here.
    fn mouse(&self, _m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        None
    }

    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The `as_any` boilerplate every layer needs.
#[macro_export]
macro_rules! layer_any {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    };
}
