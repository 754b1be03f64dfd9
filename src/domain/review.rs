//! Reviews: the bi-monthly DSL learning meeting, the quarterly log review and
//! the annual report, each a series with a next meeting and an agenda drawn
//! from the log since the last one.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

coded_enum! {
    /// Why an escalation is on an agenda.
    ItemKind {
        Closed = "closed", "closed";
        LongOpen = "long_open", "open a long time";
        NoOutcome = "no_outcome", "referral with no outcome";
        Outcome = "outcome", "agency's decision";
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
    /// The items loaded: the whole agenda, or on the review screen one
    /// window of it (issue 21: a decade's agenda is never built whole for
    /// a screen showing forty lines of it).
    pub items: Vec<Item>,
    /// The place of `items[0]` in the whole agenda (0 when whole).
    pub first: usize,
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
/// Not moved to a working day: see [`next_meeting`] for a series' schedule.
pub fn next_after(held: NaiveDate, cadence: u32) -> NaiveDate {
    held.checked_add_months(Months::new(cadence))
        .unwrap_or(held)
}

/// The day `anchor` (1-31) of a month, or the month's last day when it is
/// shorter: anchored on the 31st, February's meeting is on the 28th (29th)
/// and March's on the 31st again.
pub fn anchored(year: i32, month: u32, anchor: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    NaiveDate::from_ymd_opt(year, month, anchor.clamp(1, last.day()))
}

/// A meeting on `nominal`, moved to the nearest working day before it when
/// it falls on a weekend or bank holiday (a meeting of DSLs is held on a
/// working day; earlier rather than later, so a review is never late).
pub fn on_working_day(nominal: NaiveDate, working: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let mut d = nominal;
    for _ in 0..14 {
        if working(d) {
            return d;
        }
        d = d.pred_opt().unwrap_or(d);
    }
    nominal
}

/// The anchored date a scheduled meeting stands for: the first date on or
/// after `scheduled` that is the anchor day of its month (a meeting moved
/// back a few days from a weekend still belongs to its anchor).
pub fn nominal_of(scheduled: NaiveDate, anchor: u32) -> NaiveDate {
    let mut d = scheduled;
    for _ in 0..40 {
        if anchored(d.year(), d.month(), anchor) == Some(d) {
            return d;
        }
        d = d.succ_opt().unwrap_or(d);
    }
    scheduled
}

/// A series' next meeting after one scheduled for `scheduled` is held on
/// `today`: `cadence` months on from its anchored date, again and again until
/// it falls after today, each on the anchor day (month end stays month end)
/// and then moved to the nearest working day before. `anchor` is the day of
/// the month the series keeps (None: the scheduled day).
pub fn next_meeting(
    scheduled: NaiveDate,
    today: NaiveDate,
    cadence: u32,
    anchor: Option<u32>,
    working: impl Fn(NaiveDate) -> bool,
) -> NaiveDate {
    let anchor = anchor.unwrap_or(scheduled.day());
    let mut nominal = nominal_of(scheduled, anchor);
    for _ in 0..600 {
        let month = nominal
            .with_day(1)
            .and_then(|f| f.checked_add_months(Months::new(cadence.max(1))));
        let Some(next) = month.and_then(|m| anchored(m.year(), m.month(), anchor)) else {
            break;
        };
        nominal = next;
        let d = on_working_day(nominal, &working);
        if d > today {
            return d;
        }
    }
    on_working_day(nominal, &working)
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

/// A review window [`from`, `to`) (UTC seconds) cut the way the tally of
/// agenda items is kept (schema 15: per UTC hour and per UTC day): the whole
/// days inside it, the whole hours on either side of them, and the seconds
/// at its two ends that no whole hour covers, which are counted item by
/// item. A year's window is then 365 days, at most 46 hours and two part
/// hours, whatever the desk's activity (issue 21).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TallyWindow {
    /// Whole UTC days, as day numbers (`at / 86400`), from and before.
    pub days: Option<(i64, i64)>,
    /// Whole UTC hours (`at / 3600`) outside those days: at most two runs.
    pub hours: Vec<(i64, i64)>,
    /// Seconds [from, to) counted item by item: at most two, each under an hour.
    pub exact: Vec<(i64, i64)>,
}

/// Seconds in the tally's two spans.
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

impl TallyWindow {
    /// The window [`from`, `to`) in UTC seconds; empty when `to <= from`.
    pub fn of(from: i64, to: i64) -> TallyWindow {
        let mut w = TallyWindow::default();
        if to <= from {
            return w;
        }
        let up = |t: i64, span: i64| t.div_euclid(span) + i64::from(t.rem_euclid(span) != 0);
        let (h1, h2) = (up(from, HOUR), to.div_euclid(HOUR));
        if h1 >= h2 {
            w.exact.push((from, to));
            return w;
        }
        if from < h1 * HOUR {
            w.exact.push((from, h1 * HOUR));
        }
        if h2 * HOUR < to {
            w.exact.push((h2 * HOUR, to));
        }
        let per_day = DAY / HOUR;
        let (d1, d2) = (up(h1, per_day), h2.div_euclid(per_day));
        if d1 >= d2 {
            w.hours.push((h1, h2));
            return w;
        }
        w.days = Some((d1, d2));
        if h1 < d1 * per_day {
            w.hours.push((h1, d1 * per_day));
        }
        if d2 * per_day < h2 {
            w.hours.push((d2 * per_day, h2));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::TallyWindow;

    /// Every second of a window is covered exactly once: by a whole day, a
    /// whole hour or an exact part, each exact part under an hour.
    #[test]
    fn a_tally_window_covers_every_second_once() {
        let t0 = 1_764_000_000; // 2025-11-24 16:00 UTC
        for (from, to) in [
            (t0 + 17, t0 + 29),
            (t0 + 17, t0 + 3600 * 5 + 9),
            (t0, t0 + 3600),
            (t0 - 3 * 86_400 - 17, t0 + 86_400 * 2 + 61),
            (t0 - 365 * 86_400 + 1234, t0 + 3600 * 19 + 7),
            (t0 - 8 * 3600, t0 + 8 * 3600 + 1),
        ] {
            let w = TallyWindow::of(from, to);
            let mut parts: Vec<(i64, i64)> = w.exact.clone();
            parts.extend(w.hours.iter().map(|(a, b)| (a * 3600, b * 3600)));
            parts.extend(w.days.iter().map(|(a, b)| (a * 86_400, b * 86_400)));
            parts.sort();
            let mut at = from;
            for (a, b) in &parts {
                assert_eq!(*a, at, "{from}..{to}: {w:?}");
                assert!(b > a);
                at = *b;
            }
            assert_eq!(at, to, "{from}..{to}: {w:?}");
            assert!(w.exact.len() <= 2 && w.hours.len() <= 2);
            assert!(w.exact.iter().all(|(a, b)| b - a < 3600), "{w:?}");
            assert!(w.hours.iter().all(|(a, b)| b - a < 48), "{w:?}");
        }
        assert_eq!(TallyWindow::of(t0, t0), TallyWindow::default());
        let year = TallyWindow::of(t0 - 365 * 86_400 + 1234, t0 + 7);
        assert_eq!(year.days.map(|(a, b)| b - a), Some(364));
    }

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

    /// Weekdays that are not England and Wales bank holidays (2026-2027, GOV.UK).
    fn working(d: NaiveDate) -> bool {
        let hols = [
            (2026, 12, 25),
            (2026, 12, 28),
            (2027, 1, 1),
            (2027, 3, 26),
            (2027, 3, 29),
            (2027, 5, 3),
            (2027, 5, 31),
            (2027, 8, 30),
        ];
        d.weekday().number_from_monday() <= 5
            && !hols
                .iter()
                .any(|(y, m, dd)| d == NaiveDate::from_ymd_opt(*y, *m, *dd).unwrap())
    }

    #[test]
    fn meetings_fall_on_working_days_and_month_end_stays_month_end() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        // Monthly, anchored on the 31st: Jan 31 (Sun) -> Fri 29 Jan 2027;
        // then Feb 28 (Sun) -> Fri 26 Feb; then Mar 31 (Wed), not the 28th.
        let jan = next_meeting(d(2026, 12, 31), d(2026, 12, 31), 1, Some(31), working);
        assert_eq!(jan, d(2027, 1, 29));
        let feb = next_meeting(jan, jan, 1, Some(31), working);
        assert_eq!(feb, d(2027, 2, 26));
        let mar = next_meeting(feb, feb, 1, Some(31), working);
        assert_eq!(mar, d(2027, 3, 31));
        let apr = next_meeting(mar, mar, 1, Some(31), working);
        assert_eq!(apr, d(2027, 4, 30));
        // Bi-monthly from a Sunday: never a weekend; a bank holiday moves it back.
        let next = next_meeting(d(2026, 11, 1), d(2026, 11, 2), 2, Some(1), working);
        assert_eq!(
            next,
            d(2026, 12, 31),
            "1 Jan 2027 is a bank holiday: Thu 31 Dec"
        );
        let after = next_meeting(next, next, 2, Some(1), working);
        assert_eq!(after, d(2027, 3, 1), "1 Mar 2027 is a Monday");
        // Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        assert_eq!(on_working_day(d(2027, 3, 29), working), d(2027, 3, 25));
        // Held late: the next meeting is the first anchored one after today.
        assert_eq!(
            next_meeting(d(2027, 1, 29), d(2027, 3, 10), 1, Some(31), working),
            d(2027, 3, 31)
        );
        assert_eq!(anchored(2028, 2, 31), Some(d(2028, 2, 29)));
        assert_eq!(nominal_of(d(2027, 1, 29), 31), d(2027, 1, 31));
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
