//! The marks that carry meaning alongside colour. One list feeds the cells
//! that show them and the legend in help, so they cannot drift apart.

pub const OVERDUE: &str = "‼";
pub const DUE_SOON: &str = "◷";
pub const MET: &str = "✓";
pub const WAIVED: &str = "–";
/// Leads the alert banner.
pub const ALERT: &str = "‼ ALERT";
pub const UNSURE: &str = "≈";
pub const NEW: &str = "NEW ✱";
/// New and not taken within the acknowledgement window.
pub const UNACK: &str = "UNACK ‼";
pub const IMMEDIATE: &str = "999!";
/// Life at risk and no 999 call on the record: the top of the queue until
/// the call is recorded (`domain::urgency`).
pub const NOT_CALLED: &str = "‼ 999 NOT CALLED";
pub const RESTRICTED: &str = "RESTRICTED";
/// A third concern about the same person within 12 months.
pub const REPEAT: &str = "REPEAT×";

/// (mark, meaning), in the order help shows them, two to a line: meanings
/// stay within 22 columns (the last, alone on its line, may be longer).
pub const LEGEND: &[(&str, &str)] = &[
    (OVERDUE, "overdue"),
    (DUE_SOON, "due within its warning"),
    (MET, "deadline met"),
    (WAIVED, "deadline waived"),
    (UNSURE, "past known holidays"),
    (NEW, "not acknowledged yet"),
    (UNACK, "nobody took it in time"),
    (IMMEDIATE, "immediate risk to life"),
    (RESTRICTED, "named staff only"),
    (REPEAT, "3+ concerns in a year"),
    // Alone on the last line: the mark is wider than the others.
    (NOT_CALLED, "life at risk, no call on record"),
];
