//! Everything that can happen to the screen: a key's command or news from the
//! store, the clock or the terminal. `update` is the only place they act.

use crate::domain::alert::Alert;
use crate::domain::escalation::EscalationDetail;
use crate::store::worker::{DashboardData, Request};
use chrono::{DateTime, Utc};

/// An editing command for the focused text (bound in the keymap's `[input]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOp {
    Left,
    Right,
    LineUp,
    LineDown,
    Home,
    End,
    WordLeft,
    WordRight,
    Backspace,
    Delete,
    DeleteWordBack,
    DeleteWordForward,
    /// Delete from the cursor to the start of the line (readline's Ctrl-U).
    KillToHead,
    /// Delete from the cursor to the end of the line (Ctrl-K).
    KillToEnd,
    Undo,
    /// Put back what the last deletion took (Ctrl-Y).
    Yank,
    /// A new line in a multi-line text; a one-line field leaves it to its
    /// owner (a prompt saves, a form moves on).
    Newline,
}

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
    /// Record the receiving agency's decision on a referral (the record).
    Outcome,
    /// Record a 999 call made for a case saved without one (the record).
    Called999,
    /// Record known FGM reported to the police (the record).
    FgmReported,
    /// Form: next / previous field.
    NextField,
    PrevField,
    /// Form: the next / previous option of a choice, or none.
    ChoiceNext,
    ChoicePrev,
    ChoiceClear,
    /// Form: tick or untick the option under the cursor.
    TickOption,
    /// Form: flip a yes/no.
    Toggle,
    /// Edit the focused text.
    Edit(EditOp),
    /// A character typed into the focused text (or a letter that jumps in a
    /// list of options).
    Char(char),
    /// Text pasted (bracketed paste): goes whole into the focused field.
    Paste(String),
    /// After another DSL's change refused a save: load the record again,
    /// keeping what was typed.
    Reload,
    /// Send this request: what a yes to a question does, in the layer that asked.
    Send(Box<Request>),
    /// Throw away what was typed in the form or prompt (after a yes).
    Discard,
    /// Quit now, past the question about drafts.
    QuitNow,
    /// Drafts kept from an earlier session: restore or discard the selected.
    RestoreDraft,
    DiscardDraft,
    /// Reopen a kept draft (sent to the dashboard).
    Restore(Box<super::drafts::Draft>),
    /// Drafts left for the next start (the offer was put off).
    KeepDrafts(Vec<super::drafts::Draft>),
    /// Drafts found at start, from sessions that ended before saving.
    DraftsFound(Vec<super::drafts::Draft>),
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
        focus: crate::tui::layers::dashboard::Focus,
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
    /// y/n to a confirmation question.
    Confirm(bool),
    /// Save what the prompt holds.
    Submit,
    /// Close the prompt without saving.
    Cancel,
    // Events.
    DashboardLoaded(Box<DashboardData>),
    DetailLoaded(Box<EscalationDetail>),
    /// Something to tell the user on the status line (a paste with nowhere
    /// to go).
    Notice(String),
    /// Another session committed a change.
    Changed,
    StoreError(String),
    /// A save refused because another session changed the record since it
    /// was read: the words say who and when.
    Conflict(String),
    /// A record asked for with `Request::Refresh` has not changed.
    Unchanged(i64),
    /// The case on screen is no longer one this user may see
    /// (`store::worker::Reply::Hidden`): what shows it closes.
    Hidden(i64),
    /// Cases asked about (`Request::VisibleAmong`: a paused dashboard's, a
    /// list of possible repeats) that the user may no longer see: every
    /// layer takes them off.
    NoLongerVisible(Vec<i64>),
    /// Where an escalation stands in the open queue, counted after a window
    /// read around it was drawn (`Request::Position`).
    PositionLoaded {
        id: i64,
        at: Option<i64>,
    },
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
    /// Open the alerts screen: every open alert of the desk you may know of.
    ShowAlerts,
    /// The open alerts arrived (the banner and the alerts screen follow them).
    OpenAlertsLoaded(crate::domain::paging::AlertList),
    /// The third answer to "take it?": acknowledge the case's alerts only.
    AlertsOnly,
    /// The organisation's areas arrived (the intake form checks against them).
    AreasLoaded(Vec<crate::domain::area::Area>),
    /// Reports: hide or show small counts.
    ToggleSuppression,
    /// Reviews: hold the shown series' meeting now (asks who attended).
    HoldMeeting,
    /// Reviews: switch between the next agenda and the held meetings' items.
    HeldItems,
    /// Reviews: the held meetings' items arrived (series code, items).
    HeldItemsLoaded(String, Vec<crate::store::reviews::HeldItem>),
    /// A workbench command (issue 18), from a key.
    Work(super::workbench::WorkCmd),
    /// A workbench answer from the store: search results, a person's
    /// chronology, the sign-off queue, an attachment.
    WorkLoaded(Box<crate::store::workbench::WorkReply>),
    Tick(DateTime<Utc>),
    Resize(u16, u16),
}
