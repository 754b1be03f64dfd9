//! Opening hours: is a service open at a moment, UK time?
//!
//! Hours are spans on weekdays, Europe/London local time. A span that closes
//! at or before it opens runs overnight into the next day (an Emergency Duty
//! Team's `Mon-Thu 17:00-08:30`); `24:00` closes at midnight. Bank holidays
//! have their own spans (`BH 00:00-24:00`) which replace the weekday's on that
//! day; without any, a bank holiday is closed unless the service opens on
//! bank holidays with its weekday hours. A bank holiday's own hours decide
//! that whole date; the day after it, the spans that run on overnight from
//! it still count (Easter Monday's `17:00-08:30` covers Tuesday until 08:30).
//! Spans may meet end to start but never overlap.

use super::calendar::{at_local, local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

/// The weekday number of the bank-holiday spans (ISO weekdays are 1-7).
pub const BANK_HOLIDAYS: u8 = 8;

/// Minutes in a day: a span's `closes` may be this (24:00).
const DAY: u16 = 1440;

/// One opening span: weekday (ISO 1 = Monday ... 7 = Sunday, or
/// [`BANK_HOLIDAYS`]), opening and closing minute of the local day
/// (`closes` 1..=1440; at or before `opens`: the next day's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub weekday: u8,
    pub opens: u16,
    pub closes: u16,
}

impl Span {
    /// Whether it runs past midnight into the next day.
    pub fn overnight(self) -> bool {
        self.closes <= self.opens
    }

    /// Its length in minutes.
    fn minutes(self) -> u16 {
        if self.overnight() {
            DAY - self.opens + self.closes
        } else {
            self.closes - self.opens
        }
    }

    /// When it opens and closes if it opens on `date`.
    fn on(self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let at = |d: NaiveDate, m: u16| {
            if m >= DAY {
                at_local(d + Duration::days(1), NaiveTime::MIN)
            } else {
                at_local(
                    d,
                    NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0)
                        .unwrap_or(NaiveTime::MIN),
                )
            }
        };
        let close_day = if self.overnight() {
            date + Duration::days(1)
        } else {
            date
        };
        (at(date, self.opens), at(close_day, self.closes))
    }
}

/// "08:30", "24:00".
pub fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Reads "08:30" (and "24:00" where `closing`) as minutes of the day.
pub fn parse_hhmm(s: &str, closing: bool) -> Result<u16, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "{t:?} is not a time: HH:MM on the 24-hour clock, 00:00 to {}",
            if closing { "24:00" } else { "23:59" }
        )
    };
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !closing)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A service's hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hours {
    pub always_open: bool,
    /// On a bank holiday with no bank-holiday spans, the weekday's spans apply.
    pub open_on_bank_holidays: bool,
    pub spans: Vec<Span>,
}

impl Hours {
    /// Whether `date` keeps bank-holiday hours: a bank holiday, for a service
    /// that has bank-holiday spans or is shut on bank holidays.
    fn holiday_rule(&self, date: NaiveDate, bank_holiday: &impl Fn(NaiveDate) -> bool) -> bool {
        bank_holiday(date)
            && (!self.open_on_bank_holidays
                || self.spans.iter().any(|s| s.weekday == BANK_HOLIDAYS))
    }

    /// When the service is open within the UK day `date` (00:00 to 24:00),
    /// as intervals: a bank holiday's hours are its bank-holiday spans alone
    /// (and those running on from a bank holiday before it); any other day's
    /// are its weekday's spans and what runs on overnight from the day
    /// before (Easter Monday's 17:00-08:30 still covers Tuesday's early hours).
    fn day_intervals(
        &self,
        date: NaiveDate,
        bank_holiday: &impl Fn(NaiveDate) -> bool,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let start = at_local(date, NaiveTime::MIN);
        let end = at_local(date + Duration::days(1), NaiveTime::MIN);
        let prev = date - Duration::days(1);
        let wd = |d: NaiveDate| d.weekday().number_from_monday() as u8;
        let today_bh = self.holiday_rule(date, bank_holiday);
        let prev_bh = self.holiday_rule(prev, bank_holiday);
        let mut out = Vec::new();
        let mut add = |s: &Span, opened: NaiveDate| {
            let (o, c) = s.on(opened);
            let (o, c) = (o.max(start), c.min(end));
            if o < c {
                out.push((o, c));
            }
        };
        for s in &self.spans {
            let today_day = if today_bh { BANK_HOLIDAYS } else { wd(date) };
            if s.weekday == today_day {
                add(s, date);
            }
            if s.overnight() {
                let from_bh = prev_bh && s.weekday == BANK_HOLIDAYS;
                let from_weekday = !today_bh && s.weekday == wd(prev);
                if from_bh || from_weekday {
                    add(s, prev);
                }
            }
        }
        out
    }

    /// Whether the service is open at `at`, given which UK days are bank holidays.
    pub fn open_at(&self, at: DateTime<Utc>, bank_holiday: impl Fn(NaiveDate) -> bool) -> bool {
        if self.always_open {
            return true;
        }
        let today = local(at).date_naive();
        self.day_intervals(today, &bank_holiday)
            .iter()
            .any(|(o, c)| *o <= at && at < *c)
    }
}

/// Where a service stands at a moment, for the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    AlwaysOpen,
    /// Open; closes at this instant.
    OpenUntil(DateTime<Utc>),
    /// Closed; opens at this instant (None: not within the next fortnight).
    ClosedUntil(Option<DateTime<Utc>>),
}

impl Hours {
    /// Open now, and when that changes (looking up to 14 days ahead).
    pub fn state_at(
        &self,
        at: DateTime<Utc>,
        bank_holiday: impl Fn(NaiveDate) -> bool,
    ) -> OpenState {
        if self.always_open {
            return OpenState::AlwaysOpen;
        }
        let open = self.open_at(at, &bank_holiday);
        // Candidate change instants: every interval edge in the next 14 days.
        let today = local(at).date_naive();
        let mut edges: Vec<DateTime<Utc>> = Vec::new();
        for d in 0..15 {
            for (o, c) in self.day_intervals(today + Duration::days(d), &bank_holiday) {
                edges.extend([o, c].into_iter().filter(|e| *e > at));
            }
        }
        edges.sort();
        edges.dedup();
        for e in edges {
            if self.open_at(e, &bank_holiday) != open {
                return if open {
                    OpenState::OpenUntil(e)
                } else {
                    OpenState::ClosedUntil(Some(e))
                };
            }
        }
        if open {
            OpenState::AlwaysOpen
        } else {
            OpenState::ClosedUntil(None)
        }
    }
}

impl OpenState {
    pub fn is_open(self) -> bool {
        !matches!(self, OpenState::ClosedUntil(_))
    }

    /// "open 24/7", "closes in 25m", "opens in 1h 10m", "closed".
    pub fn describe(self, now: DateTime<Utc>) -> String {
        let span = |t: DateTime<Utc>| {
            let c = super::deadline::countdown(t, now);
            c.trim_start_matches("OVERDUE ").to_string()
        };
        match self {
            OpenState::AlwaysOpen => "open 24/7".into(),
            OpenState::OpenUntil(t) => format!("closes in {}", span(t)),
            OpenState::ClosedUntil(Some(t)) => format!("opens in {}", span(t)),
            OpenState::ClosedUntil(None) => "closed".into(),
        }
    }
}

const DAYS: [&str; 8] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "BH"];

fn day_name(d: u8) -> &'static str {
    DAYS.get(usize::from(d.max(1)) - 1).copied().unwrap_or("?")
}

/// Reads hours as people write them: "24/7", or days and times separated by
/// ";": "Mon-Thu 08:30-17:00; Fri 08:30-16:30", "Mon-Thu 17:00-08:30"
/// (overnight), "Sat-Sun 00:00-24:00", "BH 09:00-17:00" (bank holidays;
/// "Bank holidays" also reads). Days may be listed ("Mon, Wed"). An empty
/// text means no hours (always closed: the fallback is rung). Overlapping
/// spans are refused, naming both. The message says what is wrong and what
/// is read.
pub fn parse(text: &str) -> Result<(bool, Vec<Span>), String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("24/7") {
        return Ok((true, Vec::new()));
    }
    let day = |d: &str| -> Result<u8, String> {
        let d = d.trim();
        if ["bh", "bank holiday", "bank holidays", "bank-holidays"]
            .contains(&d.to_lowercase().as_str())
        {
            return Ok(BANK_HOLIDAYS);
        }
        DAYS[..7]
            .iter()
            .position(|x| x.eq_ignore_ascii_case(d))
            .map(|i| i as u8 + 1)
            .ok_or_else(|| {
                format!("{d:?} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, or BH for bank holidays)")
            })
    };
    let mut spans: Vec<Span> = Vec::new();
    for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (days, times) = part.rsplit_once(' ').ok_or_else(|| {
            format!("{part:?}: write days then times, e.g. Mon-Fri 09:00-17:00 (or 24/7)")
        })?;
        let mut list: Vec<u8> = Vec::new();
        for piece in days.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match piece.split_once('-') {
                Some((a, b)) if !piece.eq_ignore_ascii_case("bank-holidays") => {
                    let (from, to) = (day(a)?, day(b)?);
                    if from == BANK_HOLIDAYS || to == BANK_HOLIDAYS {
                        return Err(format!(
                            "{piece:?}: write bank holidays on their own, e.g. BH 00:00-24:00"
                        ));
                    }
                    if to < from {
                        return Err(format!(
                            "{piece:?}: the days run backwards (write {}-{})",
                            day_name(to),
                            day_name(from)
                        ));
                    }
                    list.extend(from..=to);
                }
                _ => list.push(day(piece)?),
            }
        }
        if list.is_empty() {
            return Err(format!("{part:?}: no days given, e.g. Mon-Fri 09:00-17:00"));
        }
        let (o, c) = times.trim().split_once('-').ok_or_else(|| {
            format!("{times:?}: write opening-closing, e.g. 08:30-17:00 (or 17:00-08:30 overnight)")
        })?;
        let (opens, closes) = (parse_hhmm(o, false)?, parse_hhmm(c, true)?);
        if opens == closes || (opens == 0 && closes == 0) {
            return Err(format!(
                "{times:?} opens and closes at the same time: for the whole day write 00:00-24:00"
            ));
        }
        for d in list {
            spans.push(Span {
                weekday: d,
                opens,
                // "17:00-00:00" closes at midnight, as 24:00 does.
                closes: if closes == 0 { DAY } else { closes },
            });
        }
    }
    check_overlaps(&spans)?;
    Ok((false, spans))
}

/// Refuses spans that overlap (on the week's clock, overnight spans and
/// Sunday into Monday included; bank-holiday spans among themselves).
pub fn check_overlaps(spans: &[Span]) -> Result<(), String> {
    const WEEK: i64 = 7 * DAY as i64;
    let range = |s: &Span| {
        let base = if s.weekday == BANK_HOLIDAYS {
            0
        } else {
            i64::from(s.weekday - 1) * i64::from(DAY)
        };
        let start = base + i64::from(s.opens);
        (start, start + i64::from(s.minutes()))
    };
    let describe = |s: &Span| {
        format!(
            "{} {}-{}",
            day_name(s.weekday),
            hhmm(s.opens),
            hhmm(s.closes)
        )
    };
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            if (a.weekday == BANK_HOLIDAYS) != (b.weekday == BANK_HOLIDAYS) {
                continue;
            }
            let (a0, a1) = range(a);
            let (b0, b1) = range(b);
            let wrap = if a.weekday == BANK_HOLIDAYS {
                i64::from(DAY) * 2
            } else {
                WEEK
            };
            let overlaps = [-wrap, 0, wrap]
                .iter()
                .any(|shift| a0 < b1 + shift && b0 + shift < a1);
            if overlaps {
                return Err(format!(
                    "{} and {} overlap: join them into one span, or let one close when the other opens",
                    describe(a),
                    describe(b)
                ));
            }
        }
    }
    Ok(())
}

/// Writes hours back in the form `parse` reads, days with the same times
/// merged, bank holidays last.
pub fn format(always_open: bool, spans: &[Span]) -> String {
    if always_open {
        return "24/7".into();
    }
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|s| (s.opens, s.closes, s.weekday));
    let mut parts: Vec<(u8, String)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let s = sorted[i];
        let mut j = i;
        while j + 1 < sorted.len()
            && sorted[j + 1].opens == s.opens
            && sorted[j + 1].closes == s.closes
            && sorted[j + 1].weekday == sorted[j].weekday + 1
            && sorted[j + 1].weekday != BANK_HOLIDAYS
        {
            j += 1;
        }
        let days = if i == j {
            day_name(s.weekday).to_string()
        } else {
            format!("{}-{}", day_name(s.weekday), day_name(sorted[j].weekday))
        };
        parts.push((
            s.weekday,
            format!("{days} {}-{}", hhmm(s.opens), hhmm(s.closes)),
        ));
        i = j + 1;
    }
    parts.sort();
    parts
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Follows out-of-hours fallbacks from `start` to the first contact open at
/// the moment (`open(id)`), refusing a loop. Returns the chain walked.
pub fn resolve(
    start: i64,
    fallback: impl Fn(i64) -> Option<i64>,
    open: impl Fn(i64) -> bool,
) -> Result<Vec<i64>, String> {
    let mut chain = vec![start];
    let mut at = start;
    while !open(at) {
        match fallback(at) {
            None => break,
            Some(next) if chain.contains(&next) => {
                return Err(format!(
                    "contact {next} falls back to itself through {chain:?}"
                ));
            }
            Some(next) => {
                chain.push(next);
                at = next;
            }
        }
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn office() -> Hours {
        let t = |h: u16, m: u16| h * 60 + m;
        let mut spans: Vec<Span> = (1..=4)
            .map(|d| Span {
                weekday: d,
                opens: t(8, 30),
                closes: t(17, 0),
            })
            .collect();
        spans.push(Span {
            weekday: 5,
            opens: t(8, 30),
            closes: t(16, 30),
        });
        Hours {
            spans,
            ..Hours::default()
        }
    }

    fn at(mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn edges_of_the_day_monday_and_friday() {
        let none = |_| false;
        // Monday 23 Nov 2026, GMT.
        assert!(!office().open_at(at(11, 23, 8, 29), none));
        assert!(office().open_at(at(11, 23, 8, 30), none));
        assert!(office().open_at(at(11, 23, 16, 59), none));
        assert!(!office().open_at(at(11, 23, 17, 0), none));
        // Friday 27 Nov: 16:29 open, 16:30 closed.
        assert!(office().open_at(at(11, 27, 16, 29), none));
        assert!(!office().open_at(at(11, 27, 16, 30), none));
        // BST: Monday 30 Mar 2026 08:30 BST is 07:30 UTC (clocks went forward on the 29th).
        assert!(office().open_at(at(3, 30, 7, 30), none));
        assert!(!office().open_at(at(3, 30, 7, 29), none));
        // And back: Monday 26 Oct 08:30 GMT.
        assert!(!office().open_at(at(10, 26, 7, 30), none));
        assert!(office().open_at(at(10, 26, 8, 30), none));
    }

    #[test]
    fn when_it_opens_or_closes() {
        let none = |_| false;
        let now = at(11, 23, 16, 35);
        let s = office().state_at(now, none);
        assert_eq!(s, OpenState::OpenUntil(at(11, 23, 17, 0)));
        assert_eq!(s.describe(now), "closes in 25m");
        // Friday evening: opens Monday 08:30.
        let now = at(11, 27, 19, 20);
        let s = office().state_at(now, none);
        assert_eq!(s, OpenState::ClosedUntil(Some(at(11, 30, 8, 30))));
        assert_eq!(s.describe(now), "opens in 2d 13h");
        // Christmas Eve 2026 after hours: Christmas and the substitute Boxing Day
        // (28 Dec) are bank holidays, so it opens Tuesday 29 December.
        let hol = [
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
        ];
        let s = office().state_at(at(12, 24, 18, 0), |d| hol.contains(&d));
        assert_eq!(s, OpenState::ClosedUntil(Some(at(12, 29, 8, 30))));
        let now = at(11, 23, 7, 20);
        assert_eq!(
            office().state_at(now, none).describe(now),
            "opens in 1h 10m"
        );
    }

    #[test]
    fn hours_text_round_trips_and_says_what_is_wrong() {
        let (always, spans) = parse("Mon-Thu 08:30-17:00; Fri 08:30-16:30").unwrap();
        assert!(!always);
        assert_eq!(spans, office().spans);
        assert_eq!(
            format(false, &spans),
            "Mon-Thu 08:30-17:00; Fri 08:30-16:30"
        );
        assert_eq!(parse("24/7").unwrap(), (true, vec![]));
        assert_eq!(format(true, &[]), "24/7");
        for (bad, why) in [
            ("Mon-Fry 09:00-17:00", "not a day"),
            ("Mon-Fri 9am-5pm", "not a time"),
            ("Fri-Mon 09:00-17:00", "backwards"),
            ("09:00-17:00", "write days then times"),
            ("Mon 09:00-09:00", "same time"),
            ("Mon 25:00-26:00", "not a time"),
            ("Mon 24:00-08:00", "not a time"),
            (
                "Mon 09:00-17:00; Mon 12:00-18:00",
                "Mon 09:00-17:00 and Mon 12:00-18:00 overlap",
            ),
            (
                "Mon-Thu 17:00-08:30; Tue 08:00-17:00",
                "Mon 17:00-08:30 and Tue 08:00-17:00 overlap",
            ),
            ("Sun 20:00-09:00; Mon 08:00-12:00", "overlap"),
            ("BH 00:00-24:00; BH 09:00-17:00", "overlap"),
            ("BH-Mon 09:00-17:00", "on their own"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn fallback_chains_and_loops() {
        // 5 (closed) -> 4 (closed) -> 2 (open).
        let fb = |id| match id {
            5 => Some(4),
            4 => Some(2),
            _ => None,
        };
        assert_eq!(resolve(5, fb, |id| id == 2).unwrap(), vec![5, 4, 2]);
        assert_eq!(resolve(2, fb, |id| id == 2).unwrap(), vec![2]);
        // Nobody open: the chain ends where fallbacks run out.
        assert_eq!(resolve(5, fb, |_| false).unwrap(), vec![5, 4, 2]);
        let looped = |id| match id {
            1 => Some(2),
            2 => Some(1),
            _ => None,
        };
        assert!(
            resolve(1, looped, |_| false)
                .unwrap_err()
                .contains("falls back to itself")
        );
    }

    #[test]
    fn rutland_office_hours_in_uk_time() {
        let none = |_| false;
        // Thursday 26 Nov 2026 16:59 GMT: open; 17:00: closed.
        assert!(office().open_at(at(11, 26, 16, 59), none));
        assert!(!office().open_at(at(11, 26, 17, 0), none));
        // Friday closes at 16:30.
        assert!(!office().open_at(at(11, 27, 16, 45), none));
        // In summer, 08:00 UTC is 09:00 BST: open.
        assert!(office().open_at(at(7, 1, 8, 0), none));
        // Saturday: closed.
        assert!(!office().open_at(at(11, 28, 10, 0), none));
        // Good Friday 2026 at 10:00 BST is a bank holiday: closed.
        let gf = NaiveDate::from_ymd_opt(2026, 4, 3).unwrap();
        assert!(!office().open_at(at(4, 3, 9, 0), |d| d == gf));
        assert!(
            Hours {
                always_open: true,
                ..Hours::default()
            }
            .open_at(at(4, 3, 9, 0), |d| d == gf)
        );
    }

    /// An Emergency Duty Team: evenings (overnight), weekends and bank holidays.
    fn edt() -> Hours {
        let (always, spans) = parse(
            "Mon-Thu 17:00-08:30; Fri 16:30-24:00; Sat-Sun 00:00-24:00; Mon 00:00-08:30; BH 00:00-24:00",
        )
        .unwrap();
        assert!(!always);
        Hours {
            spans,
            ..Hours::default()
        }
    }

    /// England and Wales bank holidays around Easter and Christmas 2026 (GOV.UK).
    fn holiday(d: NaiveDate) -> bool {
        [(4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)]
            .iter()
            .any(|(m, dd)| d == NaiveDate::from_ymd_opt(2026, *m, *dd).unwrap())
    }

    #[test]
    fn overnight_spans_and_midnight_at_the_edges() {
        let e = edt();
        // Tuesday 24 Nov 2026 (GMT): shut at midday beside the office, open at 17:00.
        assert!(!e.open_at(at(11, 24, 12, 0), holiday));
        assert!(!e.open_at(at(11, 24, 16, 59), holiday));
        assert!(e.open_at(at(11, 24, 17, 0), holiday));
        // Overnight into Wednesday until 08:30.
        assert!(e.open_at(at(11, 25, 3, 0), holiday));
        assert!(e.open_at(at(11, 25, 8, 29), holiday));
        assert!(!e.open_at(at(11, 25, 8, 30), holiday));
        // Friday from 16:30 through the weekend to Monday 08:30.
        assert!(!e.open_at(at(11, 27, 16, 29), holiday));
        assert!(e.open_at(at(11, 27, 23, 59), holiday));
        assert!(e.open_at(at(11, 28, 0, 0), holiday));
        assert!(e.open_at(at(11, 30, 8, 29), holiday));
        assert!(!e.open_at(at(11, 30, 8, 30), holiday));
        let now = at(11, 24, 12, 0);
        assert_eq!(
            e.state_at(now, holiday),
            OpenState::ClosedUntil(Some(at(11, 24, 17, 0)))
        );
        // Friday evening it stays open until Monday 08:30 (the day changes at 24:00 and 00:00).
        let fri = at(11, 27, 18, 0);
        assert_eq!(
            e.state_at(fri, holiday),
            OpenState::OpenUntil(at(11, 30, 8, 30))
        );
        // In summer time: Wednesday 1 July 08:29 BST is 07:29 UTC, still open.
        assert!(e.open_at(at(7, 1, 7, 29), holiday));
        assert!(!e.open_at(at(7, 1, 7, 30), holiday));
    }

    #[test]
    fn bank_holidays_have_their_own_hours() {
        let e = edt();
        let o = office();
        // Good Friday 3 April 2026 at 10:00 BST: the office is shut, the EDT open all day.
        assert!(!o.open_at(at(4, 3, 9, 0), holiday));
        assert!(e.open_at(at(4, 3, 9, 0), holiday));
        // Thursday night into Good Friday: open throughout.
        assert!(e.open_at(at(4, 2, 23, 0), holiday));
        // Easter Monday 6 April: open all day, and Monday's overnight span
        // still covers Tuesday until 08:30 BST (07:30 UTC).
        assert!(e.open_at(at(4, 6, 22, 59), holiday));
        assert!(e.open_at(at(4, 6, 23, 0), holiday), "Tue 00:00 BST");
        assert!(e.open_at(at(4, 7, 7, 29), holiday));
        assert!(!e.open_at(at(4, 7, 7, 30), holiday));
        assert_eq!(
            e.state_at(at(4, 6, 12, 0), holiday),
            OpenState::OpenUntil(at(4, 7, 7, 30))
        );
        // Christmas 2026: Friday 25 and Monday 28 December (substitute Boxing Day).
        assert!(e.open_at(at(12, 25, 12, 0), holiday));
        assert!(e.open_at(at(12, 28, 12, 0), holiday));
        assert!(!o.open_at(at(12, 28, 12, 0), holiday));
        assert_eq!(
            o.state_at(at(12, 24, 18, 0), holiday),
            OpenState::ClosedUntil(Some(at(12, 29, 8, 30)))
        );
        // A service open on bank holidays with its weekday hours.
        let kept = Hours {
            open_on_bank_holidays: true,
            ..office()
        };
        assert!(kept.open_at(at(12, 28, 12, 0), holiday));
        // A service open all day on bank holidays but only evenings on weekdays.
        let (_, spans) = parse("Mon-Fri 18:00-22:00; BH 00:00-24:00").unwrap();
        let h = Hours {
            spans,
            ..Hours::default()
        };
        assert!(
            h.open_at(at(5, 25, 10, 0), holiday),
            "spring bank holiday, 11:00 BST"
        );
        assert!(!h.open_at(at(5, 26, 10, 0), holiday));
        assert!(h.open_at(at(5, 26, 17, 30), holiday), "18:30 BST");
    }

    #[test]
    fn the_text_of_overnight_and_bank_holiday_hours_round_trips() {
        let text = "Mon-Thu 17:00-08:30; Mon 00:00-08:30; Fri 16:30-24:00; Sat-Sun 00:00-24:00; BH 00:00-24:00";
        let (_, spans) = parse(text).unwrap();
        let back = format(false, &spans);
        assert_eq!(parse(&back).unwrap().1.len(), spans.len());
        assert!(back.contains("Mon-Thu 17:00-08:30"), "{back}");
        assert!(back.ends_with("BH 00:00-24:00"), "{back}");
        let (_, s) = parse("Bank holidays 10:00-16:00; Mon, Wed 09:00-12:00").unwrap();
        assert_eq!(
            format(false, &s),
            "Mon 09:00-12:00; Wed 09:00-12:00; BH 10:00-16:00"
        );
        // 17:00-00:00 is read as closing at midnight.
        assert_eq!(parse("Fri 17:00-00:00").unwrap().1[0].closes, 1440);
    }
}
