//! Everything that can happen to the screen: a key's command or news from the
//! store, the clock or the terminal. `update` is the only place they act.

use crate::domain::alert::Alert;
use crate::domain::escalation::EscalationDetail;
use crate::store::worker::DashboardData;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Commands, bound to keys in keymap.rs.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Help,
    Quit,
    /// Move between the escalation list and the deadlines panel.
    FocusNext,
    /// Mark the selected deadline met (asks for an optional note).
    Meet,
    /// Waive the selected deadline (asks for a reason).
    Waive,
    /// Hide the alert banner (the alerts stay in the deadlines panel).
    Dismiss,
    /// "I have this": acknowledge and take the selected escalation.
    Acknowledge,
    /// Choose someone to assign the selected escalation to.
    Assign,
    /// Add a note to the selected escalation.
    Note,
    /// Record an event held (a strategy discussion...), which sets deadlines.
    Event,
    /// The next choice in a prompt that offers several (the event).
    NextChoice,
    /// Re-open the selected (closed) escalation.
    Reopen,
    /// Approve the closure another DSL proposed.
    Approve,
    /// Send a proposed closure back.
    SendBack,
    /// Open the intake form for a new escalation.
    Intake,
    /// Open the refer form for the selected escalation.
    Refer,
    /// Open the close form for the selected escalation.
    Close,
    /// A key typed into the open form.
    FormKey(KeyEvent),
    /// Freeze (or unfreeze) the lists while someone reads.
    Pause,
    /// Blank the screen now (or after the idle time).
    Lock,
    /// Any key on the lock panel.
    Unlock,
    /// Open the review queue.
    Reviews,
    /// Put the selected escalation on the next review (asks for a reason).
    AddToReview,
    ReviewsLoaded(Vec<crate::domain::review::Agenda>),
    /// A mouse click on row `at` of the escalation list or the deadlines.
    Click {
        focus: crate::tui::app::Focus,
        at: i64,
    },
    /// Open the rota and handover screen.
    Handover,
    HandoverLoaded(Box<crate::store::rota::Handover>),
    /// Go on duty now (asks first).
    TakeOver,
    /// Leave a note for whoever takes over next.
    HandoverNote,
    /// Show the next (or previous) review series' agenda.
    NextSeries,
    PreviousSeries,
    AgendaLoaded(Box<crate::domain::review::Agenda>),
    /// Open the reports screen.
    Reports,
    /// Move the report period back or forward by its length.
    PeriodBack,
    PeriodForward,
    /// Show the next table of the report.
    NextTable,
    ReportLoaded(Box<crate::domain::report::Report>),
    /// Open the contacts screen.
    Contacts,
    /// Contacts for the selected escalation's area and routes.
    LookUp,
    /// Start typing a contacts search.
    Search,
    /// A key typed into the contacts search.
    SearchKey(KeyEvent),
    /// Copy the number to ring now to the clipboard (OSC 52).
    Copy,
    /// Next route / area filter on the contacts screen.
    CycleRoute,
    CycleArea,
    /// Contact forms.
    EditContact,
    AddContact,
    /// Contacts arrived from the store.
    ContactsLoaded(Vec<crate::domain::contact::Answer>, Vec<(i64, String)>),
    /// A key typed into the assign picker.
    PickerKey(KeyEvent),
    /// y/n to a confirmation question.
    Confirm(bool),
    /// Save what the prompt holds.
    Submit,
    /// Close the prompt without saving.
    Cancel,
    /// A key typed into the prompt.
    PromptKey(KeyEvent),
    // Events.
    DashboardLoaded(Box<DashboardData>),
    DetailLoaded(Box<EscalationDetail>),
    /// Another session committed a change.
    Changed,
    StoreError(String),
    /// The user was deactivated or given another role while the dashboard
    /// was open: every record is dropped and a refusal shown instead.
    Revoked(String),
    /// A change was saved; the text says what, for the status line.
    Saved(String),
    /// Alerts this user has not had before.
    Alerts(Vec<Alert>),
    /// A new escalation was saved, with earlier ones that may be the same person.
    Created {
        message: String,
        id: i64,
        reference: String,
        matches: Vec<crate::store::escalations::Match>,
    },
    /// Link the offered match under the cursor.
    LinkMatch,
    /// Dismiss the offered match under the cursor.
    DismissMatch,
    /// The refer form's choices arrived.
    ReferOptionsLoaded(Box<crate::store::worker::ReferOptions>),
    /// The staff an escalation can be assigned to.
    AssignableLoaded(Vec<crate::domain::staff::StaffMember>),
    /// Who may see the record (senior leads): opens the access form.
    Access,
    /// The record's access rows arrived, for the access form.
    AccessLoaded(Box<crate::store::workflow::AccessLists>),
    Tick(DateTime<Utc>),
    Resize(u16, u16),
}
