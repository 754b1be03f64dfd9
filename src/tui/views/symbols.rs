//! The marks that carry meaning alongside colour. One list feeds the cells
//! that show them and the legend in help, so they cannot drift apart.

pub const OVERDUE: &str = "‼";
pub const DUE_SOON: &str = "◷";
pub const MET: &str = "✓";
pub const NEW: &str = "NEW ✱";
pub const IMMEDIATE: &str = "999!";
pub const RESTRICTED: &str = "RESTRICTED";

/// (mark, meaning), in the order help shows them.
pub const LEGEND: &[(&str, &str)] = &[
    (OVERDUE, "deadline overdue"),
    (DUE_SOON, "deadline due within 4 hours"),
    (MET, "deadline met"),
    (NEW, "not yet acknowledged by a DSL"),
    (IMMEDIATE, "immediate risk to life (999)"),
    (RESTRICTED, "restricted record: named staff only"),
];
