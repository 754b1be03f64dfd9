//! Reviews: the bi-monthly DSL learning meeting, the quarterly log review and
//! the annual report, each a series with a next meeting and an agenda drawn
//! from the log since the last one.

use chrono::{Months, NaiveDate};
use serde::Serialize;

coded_enum! {
    /// Why an escalation is on an agenda.
    ItemKind {
        Closed = "closed", "closed";
        LongOpen = "long_open", "open a long time";
        NoOutcome = "no_outcome", "referral with no outcome";
        DeadlineMissed = "deadline_missed", "deadline missed";
        DeadlineWaived = "deadline_waived", "deadline waived";
        SignedOff = "signed_off", "closure signed off";
        Reopened = "reopened", "re-opened";
        Manual = "manual", "added by a DSL";
    }
}

/// One line of an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub escalation_id: i64,
    pub reference: String,
    pub detail: String,
}

/// A series and its next meeting's agenda. The dashboard needs only the
/// counts, so a summary leaves `items` empty; a full agenda has both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agenda {
    pub series_id: i64,
    pub code: String,
    pub name: String,
    pub next_meeting: NaiveDate,
    pub since: NaiveDate,
    /// Items of each kind, in [`ItemKind::ALL`] order, kinds with none left out.
    pub counts: Vec<(ItemKind, usize)>,
    pub items: Vec<Item>,
}

impl Agenda {
    /// How many items the agenda holds, loaded or not.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// Counts kinds in display order, leaving out kinds with none.
pub fn tally(kinds: impl IntoIterator<Item = ItemKind>) -> Vec<(ItemKind, usize)> {
    counted(kinds.into_iter().map(|k| (k, 1)))
}

/// Adds up (kind, how many) pairs into display order, leaving out kinds with none.
pub fn counted(pairs: impl IntoIterator<Item = (ItemKind, usize)>) -> Vec<(ItemKind, usize)> {
    let mut n = [0usize; ItemKind::ALL.len()];
    for (k, c) in pairs {
        n[index(k)] += c;
    }
    ItemKind::ALL
        .iter()
        .map(|k| (*k, n[index(*k)]))
        .filter(|(_, c)| *c > 0)
        .collect()
}

fn index(k: ItemKind) -> usize {
    ItemKind::ALL.iter().position(|x| *x == k).unwrap_or(0)
}

/// Series every organisation starts with (code, name, months between meetings).
pub const DEFAULT_SERIES: &[(&str, &str, u32)] = &[
    ("dsl_learning", "Bi-monthly DSL learning and reflection", 2),
    ("log_review", "Quarterly safeguarding log review", 3),
    ("annual", "Annual report to senior management", 12),
];

/// Open longer than this many days puts an escalation on the agenda.
pub const LONG_OPEN_DAYS: i64 = 28;

/// The meeting after `held`, `cadence` months on (31 Jan + 1 month = 28 Feb).
pub fn next_after(held: NaiveDate, cadence: u32) -> NaiveDate {
    held.checked_add_months(Months::new(cadence))
        .unwrap_or(held)
}

/// "in 12 days", "today", "3 days ago".
pub fn when(next: NaiveDate, today: NaiveDate) -> String {
    match (next - today).num_days() {
        0 => "today".into(),
        1 => "tomorrow".into(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days overdue", -d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadence_and_countdown() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(next_after(d(2026, 11, 30), 3), d(2027, 2, 28));
        assert_eq!(next_after(d(2026, 12, 1), 2), d(2027, 2, 1));
        assert_eq!(when(d(2026, 12, 5), d(2026, 11, 23)), "in 12 days");
        assert_eq!(when(d(2026, 11, 23), d(2026, 11, 23)), "today");
        assert_eq!(when(d(2026, 11, 20), d(2026, 11, 23)), "3 days overdue");
    }

    #[test]
    fn tally_keeps_display_order_and_drops_empty_kinds() {
        use ItemKind::*;
        assert_eq!(
            tally([Manual, Closed, Manual, DeadlineMissed]),
            vec![(Closed, 1), (DeadlineMissed, 1), (Manual, 2)]
        );
        assert!(tally([]).is_empty());
    }
}
