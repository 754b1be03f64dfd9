//! Working time: when a receiving service (the LADO, a children's front door,
//! adult social care) is open to take a referral, and arithmetic over it.
//!
//! Safeguarding timescales written in working days or working hours are read
//! by the services that receive them as "by close of business", counted in
//! their own hours; a concern raised in the evening, at a weekend or on a bank
//! holiday counts from the next opening (DOMAIN.md, practice notes; Working
//! Together 2023 ch. 2 and KCSIE 2024 part 4 for "within one working day").
//! A deadline at 07:00 or 23:30 is a false alarm, so every instant computed
//! here falls inside the hours.
//!
//! Hours are weekly spans in UK local time (Europe/London, GMT/BST), one or
//! more a day, never across midnight; a working day is a day with a span that
//! is not a weekend or bank holiday of the organisation's division.

use super::calendar::{WorkingCalendar, at_local, local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

/// How far ahead or back any search for an opening goes: past this, a
/// calendar with no working days at all would loop forever.
const SEARCH_DAYS: i64 = 800;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A week of working hours: for each ISO weekday (index 0 = Monday) the spans
/// (opens, closes) in UK local time, sorted and not overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    days: [Vec<(NaiveTime, NaiveTime)>; 7],
}

impl Default for WorkingHours {
    /// Monday to Friday 09:00–17:00: the organisation's hours unless its
    /// setting `working_hours` says otherwise.
    fn default() -> Self {
        WorkingHours::office()
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

impl WorkingHours {
    /// Monday to Friday 09:00–17:00.
    pub fn office() -> Self {
        let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        for d in days.iter_mut().take(5) {
            d.push((hm(9, 0), hm(17, 0)));
        }
        WorkingHours { days }
    }

    /// Hours from (ISO weekday 1–7, opens, closes) spans, as a contact's
    /// opening hours are stored. Spans that do not close after they open
    /// (overnight or empty ones: an out-of-hours service) are left out, as are
    /// weekdays outside 1–7; overlapping spans are merged. Returns `None` when
    /// nothing is left on a weekday (Monday to Friday): such a service has no
    /// close of business to count to, and the organisation's hours are used.
    pub fn from_spans(spans: impl IntoIterator<Item = (u8, NaiveTime, NaiveTime)>) -> Option<Self> {
        let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        for (wd, opens, closes) in spans {
            if (1..=7).contains(&wd) && closes > opens {
                days[wd as usize - 1].push((opens, closes));
            }
        }
        for d in days.iter_mut() {
            d.sort();
            let mut merged: Vec<(NaiveTime, NaiveTime)> = Vec::new();
            for (o, c) in d.drain(..) {
                match merged.last_mut() {
                    Some(last) if o <= last.1 => last.1 = last.1.max(c),
                    _ => merged.push((o, c)),
                }
            }
            *d = merged;
        }
        if days.iter().take(5).all(|d| d.is_empty()) {
            return None;
        }
        Some(WorkingHours { days })
    }

    /// Reads hours as people write them: `Mon-Fri 09:00-17:00`, or several
    /// parts separated by `;` (`Mon-Thu 08:30-17:00; Fri 08:30-16:30`).
    /// Refused, with what is wrong: `24/7` (a service that never closes has
    /// no close of business), a span that closes before it opens, overlapping
    /// spans, and hours with no weekday open at all.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("24/7") {
            return Err(
                "working hours cannot be 24/7: deadlines in working days end at close of business; write the office hours, e.g. Mon-Fri 09:00-17:00".into(),
            );
        }
        let day = |d: &str| -> Result<usize, String> {
            DAYS.iter()
                .position(|x| x.eq_ignore_ascii_case(d.trim()))
                .ok_or_else(|| {
                    format!("{d:?} is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun")
                })
        };
        let time = |s: &str| -> Result<NaiveTime, String> {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| format!("{s:?} is not a time: write HH:MM, e.g. 09:00"))
        };
        let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        let parts: Vec<&str> = t
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return Err("no working hours given: write e.g. Mon-Fri 09:00-17:00".into());
        }
        for part in parts {
            let (range, times) = part.split_once(' ').ok_or_else(|| {
                format!("{part:?}: write days then times, e.g. Mon-Fri 09:00-17:00")
            })?;
            let (from, to) = match range.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(range)?, day(range)?),
            };
            if to < from {
                return Err(format!("{range:?}: the days run backwards (write Mon-Fri)"));
            }
            let (o, c) = times
                .trim()
                .split_once('-')
                .ok_or_else(|| format!("{times:?}: write opening-closing, e.g. 09:00-17:00"))?;
            let (opens, closes) = (time(o)?, time(c)?);
            if closes <= opens {
                return Err(format!(
                    "{times:?}: closes before it opens (working hours cannot run overnight)"
                ));
            }
            for d in &mut days[from..=to] {
                if d.iter().any(|(a, b)| opens < *b && *a < closes) {
                    return Err(format!("{part:?} overlaps other hours on the same day"));
                }
                d.push((opens, closes));
                d.sort();
            }
        }
        if days.iter().take(5).all(|d| d.is_empty()) {
            return Err("working hours need at least one weekday (Mon to Fri)".into());
        }
        Ok(WorkingHours { days })
    }

    /// Writes the hours back in the form [`WorkingHours::parse`] reads,
    /// consecutive days with the same spans merged ("Mon-Fri 09:00-17:00").
    pub fn format(&self) -> String {
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if self.days[i].is_empty() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < 7 && self.days[j + 1] == self.days[i] {
                j += 1;
            }
            let days = if i == j {
                DAYS[i].to_string()
            } else {
                format!("{}-{}", DAYS[i], DAYS[j])
            };
            for (o, c) in &self.days[i] {
                parts.push(format!(
                    "{days} {}-{}",
                    o.format("%H:%M"),
                    c.format("%H:%M")
                ));
            }
            i = j + 1;
        }
        parts.join("; ")
    }
}

/// Working hours on a calendar: the time a receiving service can act in.
#[derive(Debug, Clone, Copy)]
pub struct WorkingTime<'a> {
    pub hours: &'a WorkingHours,
    pub calendar: &'a WorkingCalendar,
}

impl<'a> WorkingTime<'a> {
    pub fn new(hours: &'a WorkingHours, calendar: &'a WorkingCalendar) -> Self {
        WorkingTime { hours, calendar }
    }

    /// The spans of `d` as instants, or none when it is not a working day.
    fn spans(&self, d: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.calendar.is_working_day(d) {
            return Vec::new();
        }
        self.hours.days[d.weekday().num_days_from_monday() as usize]
            .iter()
            .map(|(o, c)| (at_local(d, *o), at_local(d, *c)))
            .filter(|(o, c)| c > o)
            .collect()
    }

    /// Whether `d` is a working day: not a weekend or bank holiday, with hours.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !self.spans(d).is_empty()
    }

    /// Whether the service is open at `at`.
    pub fn open_at(&self, at: DateTime<Utc>) -> bool {
        self.spans(local(at).date_naive())
            .iter()
            .any(|(o, c)| *o <= at && at < *c)
    }

    /// `at` itself when the service is open then, else its next opening.
    /// `None` only for a calendar with no working day in the next two years.
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = local(at).date_naive();
        for n in 0..SEARCH_DAYS {
            let d = start + Duration::days(n);
            for (o, c) in self.spans(d) {
                if at < c {
                    return Some(o.max(at));
                }
            }
        }
        None
    }

    /// Close of business on `d` (its last span's close), if a working day.
    pub fn close_of(&self, d: NaiveDate) -> Option<DateTime<Utc>> {
        self.spans(d).last().map(|s| s.1)
    }

    /// The `n`th working day after `d` (`d` itself for 0).
    pub fn working_days_after(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        let mut guard = 0;
        while left > 0 && guard < SEARCH_DAYS * 4 {
            day = day.succ_opt().unwrap_or(day);
            guard += 1;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The instant `minutes` of working time after `start` (counted from the
    /// next opening when closed). Landing exactly on a close gives the close.
    pub fn add_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = Duration::minutes(minutes.max(0));
        let first = local(start).date_naive();
        for n in 0..SEARCH_DAYS * 4 {
            let d = first + Duration::days(n);
            for (o, c) in self.spans(d) {
                let from = o.max(start);
                if c <= from {
                    continue;
                }
                if left <= c - from {
                    return from + left;
                }
                left -= c - from;
            }
        }
        start + Duration::minutes(minutes)
    }

    /// The instant `minutes` of working time before `end`: where a warning
    /// window of that length must begin so that all of it is time the service
    /// is open (a deadline at Monday 10:00 with four hours' warning warns from
    /// Friday 14:00 in 09:00–17:00 hours, not at 06:00 on Monday).
    pub fn sub_minutes(&self, end: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = Duration::minutes(minutes.max(0));
        if left.is_zero() {
            return end;
        }
        let last = local(end).date_naive();
        for n in 0..SEARCH_DAYS * 4 {
            let d = last - Duration::days(n);
            for (o, c) in self.spans(d).into_iter().rev() {
                let to = c.min(end);
                if to <= o {
                    continue;
                }
                if left <= to - o {
                    return to - left;
                }
                left -= to - o;
            }
        }
        end - Duration::minutes(minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{BUNDLED_HOLIDAYS, parse_govuk};
    use chrono::TimeZone;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(
            parse_govuk(BUNDLED_HOLIDAYS, "england-and-wales")
                .unwrap()
                .into_iter()
                .map(|h| h.date),
        )
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn hours_parse_and_format_round_trip() {
        let h = WorkingHours::parse("Mon-Thu 08:30-17:00; Fri 08:30-16:30").unwrap();
        assert_eq!(h.format(), "Mon-Thu 08:30-17:00; Fri 08:30-16:30");
        assert_eq!(WorkingHours::office().format(), "Mon-Fri 09:00-17:00");
        assert_eq!(
            WorkingHours::parse("mon-fri 09:00-17:00").unwrap(),
            WorkingHours::office()
        );
        for bad in [
            "",
            "24/7",
            "Mon-Fri",
            "Fri-Mon 09:00-17:00",
            "Mon-Fri 17:00-09:00",
            "Mon-Fri 9am-5pm",
            "Sat-Sun 09:00-17:00",
            "Mon 09:00-13:00; Mon 12:00-17:00",
            "Moonday 09:00-17:00",
        ] {
            assert!(WorkingHours::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn spans_from_a_contact_leave_out_overnight_ones() {
        let t = |h, m| hm(h, m);
        let h = WorkingHours::from_spans([
            (1, t(8, 30), t(17, 0)),
            (1, t(17, 0), t(8, 30)),
            (5, t(8, 30), t(16, 30)),
        ])
        .unwrap();
        assert_eq!(h.format(), "Mon 08:30-17:00; Fri 08:30-16:30");
        // Only weekends, or only an overnight span: no close of business.
        assert!(WorkingHours::from_spans([(6, t(9, 0), t(12, 0))]).is_none());
        assert!(WorkingHours::from_spans([(1, t(17, 0), t(8, 30))]).is_none());
    }

    #[test]
    fn openings_skip_evenings_weekends_and_bank_holidays() {
        let (h, c) = (WorkingHours::office(), cal());
        let wt = WorkingTime::new(&h, &c);
        // Open now: itself.
        assert_eq!(
            wt.next_opening(utc(2026, 11, 23, 10, 0)),
            Some(utc(2026, 11, 23, 10, 0))
        );
        // Thursday 23:30 → Friday 09:00; Saturday → Monday 09:00.
        assert_eq!(
            wt.next_opening(utc(2026, 11, 19, 23, 30)),
            Some(utc(2026, 11, 20, 9, 0))
        );
        assert_eq!(
            wt.next_opening(utc(2026, 11, 21, 23, 30)),
            Some(utc(2026, 11, 23, 9, 0))
        );
        // Christmas Eve 2026 after close → Tuesday 29 December.
        assert_eq!(
            wt.next_opening(utc(2026, 12, 24, 18, 0)),
            Some(utc(2026, 12, 29, 9, 0))
        );
        assert!(!wt.open_at(utc(2026, 12, 28, 10, 0)));
        // In summer 09:00 BST is 08:00 UTC.
        assert_eq!(
            wt.next_opening(utc(2026, 7, 4, 12, 0)),
            Some(utc(2026, 7, 6, 8, 0))
        );
    }

    #[test]
    fn working_minutes_forwards_and_back() {
        let (h, c) = (WorkingHours::office(), cal());
        let wt = WorkingTime::new(&h, &c);
        // Red: 4 working hours from Friday 15:00 is Monday 11:00.
        assert_eq!(
            wt.add_minutes(utc(2026, 11, 20, 15, 0), 240),
            utc(2026, 11, 23, 11, 0)
        );
        // Exactly to the close.
        assert_eq!(
            wt.add_minutes(utc(2026, 11, 23, 13, 0), 240),
            utc(2026, 11, 23, 17, 0)
        );
        // From Saturday night: Monday 09:00 plus 4 hours.
        assert_eq!(
            wt.add_minutes(utc(2026, 11, 21, 23, 30), 240),
            utc(2026, 11, 23, 13, 0)
        );
        // A deadline at Monday 10:00 with 4 hours' warning warns from
        // Friday 14:00, while the service is open.
        assert_eq!(
            wt.sub_minutes(utc(2026, 11, 23, 10, 0), 240),
            utc(2026, 11, 20, 14, 0)
        );
        // Backwards over Christmas 2026: Tuesday 29 Dec 10:00 less 2 hours is
        // Thursday 24 Dec 16:00.
        assert_eq!(
            wt.sub_minutes(utc(2026, 12, 29, 10, 0), 120),
            utc(2026, 12, 24, 16, 0)
        );
        assert_eq!(
            wt.sub_minutes(utc(2026, 12, 29, 10, 0), 0),
            utc(2026, 12, 29, 10, 0)
        );
    }

    #[test]
    fn a_calendar_with_no_working_days_does_not_hang() {
        let every_day = WorkingCalendar::new(
            (0..9000).map(|n| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(n)),
        );
        let h = WorkingHours::office();
        let wt = WorkingTime::new(&h, &every_day);
        assert_eq!(wt.next_opening(utc(2026, 11, 23, 10, 0)), None);
        let start = utc(2026, 11, 23, 10, 0);
        assert_eq!(wt.add_minutes(start, 60), start + Duration::minutes(60));
    }
}
