//! The workbench's commands on the screen (issue 18): one `Action::Work`
//! carries them, so the shared action list and keymap code each gain one
//! line. Bound in `keymap-default.toml` (dashboard `/` search, `S` sign-off
//! queue; record `e` correct, `h` the person's chronology, `t` tasks, `f`
//! attachments, `p` people involved, `x` export, `U` unlink; and the
//! sections of the workbench's own layers).

/// A workbench command, from a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkCmd {
    /// Search every case you may see (dashboard `/`).
    Search,
    /// Closures waiting for a second DSL (dashboard `S`).
    Signoffs,
    /// The person's chronology across linked cases (record `h`).
    Person,
    /// Correct the record, with a reason (record `e`).
    Correct,
    /// The case's tasks (record `t`).
    Tasks,
    /// The case's attachments (record `f`).
    Files,
    /// Others involved: the alleged perpetrator, siblings (record `p`).
    People,
    /// Write the record to a file (record `x`).
    Export,
    /// Undo a link to another case (record `U`).
    Unlink,
    /// Search: type the words again.
    EditQuery,
    /// Search filters.
    ToggleMine,
    ToggleUnassigned,
    ToggleHigh,
    ToggleSignoff,
    ToggleRestricted,
    CycleStatus,
    /// Case items: add one (a task, an attachment, a person).
    Add,
    /// Tasks: mark done; attachments: save to a file; people: remove.
    Done,
    /// Tasks: cancel.
    Cancel,
    /// Attachments: save to a file.
    Save,
}

/// The command a keymap name means, if it is the workbench's.
pub fn command(name: &str) -> Option<WorkCmd> {
    use WorkCmd::*;
    Some(match name {
        "search_cases" => Search,
        "signoff_queue" => Signoffs,
        "person" => Person,
        "correct" => Correct,
        "tasks" => Tasks,
        "files" => Files,
        "people" => People,
        "export" => Export,
        "unlink" => Unlink,
        "edit_query" => EditQuery,
        "filter_mine" => ToggleMine,
        "filter_unassigned" => ToggleUnassigned,
        "filter_high" => ToggleHigh,
        "filter_signoff" => ToggleSignoff,
        "filter_restricted" => ToggleRestricted,
        "filter_status" => CycleStatus,
        "add_item" => Add,
        "item_done" => Done,
        "item_cancel" => Cancel,
        "item_save" => Save,
        _ => return None,
    })
}
