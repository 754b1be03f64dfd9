//! Opening hours: is a service open at a moment, UK time? Bank holidays count
//! as closed unless the service opens on them.

use super::calendar::{at_local, local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

/// One opening span: ISO weekday (1 = Monday), opens, closes (local, "HH:MM").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub weekday: u8,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A service's hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hours {
    pub always_open: bool,
    pub open_on_bank_holidays: bool,
    pub spans: Vec<Span>,
}

impl Hours {
    /// Whether the service is open at `at`, given whether that UK day is a bank holiday.
    pub fn open_at(&self, at: DateTime<Utc>, bank_holiday: impl Fn(NaiveDate) -> bool) -> bool {
        if self.always_open {
            return true;
        }
        let t = local(at);
        if bank_holiday(t.date_naive()) && !self.open_on_bank_holidays {
            return false;
        }
        let day = t.weekday().number_from_monday() as u8;
        let now = t.time();
        self.spans
            .iter()
            .any(|s| s.weekday == day && s.opens <= now && now < s.closes)
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
        // Candidate change instants: every span edge in the next 14 days.
        let today = local(at).date_naive();
        let mut edges: Vec<DateTime<Utc>> = Vec::new();
        for d in 0..15 {
            let date = today + Duration::days(d);
            let wd = date.weekday().number_from_monday() as u8;
            for s in self.spans.iter().filter(|s| s.weekday == wd) {
                for t in [s.opens, s.closes] {
                    let e = at_local(date, t);
                    if e > at {
                        edges.push(e);
                    }
                }
            }
        }
        edges.sort();
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

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Reads hours as people write them: "24/7", or day ranges and times separated
/// by ";" — "Mon-Thu 08:30-17:00; Fri 08:30-16:30". An empty text means no hours
/// (always closed, use the fallback). The message says what is wrong.
pub fn parse(text: &str) -> Result<(bool, Vec<Span>), String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("24/7") {
        return Ok((true, Vec::new()));
    }
    let day = |d: &str| -> Result<u8, String> {
        DAYS.iter()
            .position(|x| x.eq_ignore_ascii_case(d.trim()))
            .map(|i| i as u8 + 1)
            .ok_or_else(|| format!("{d:?} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"))
    };
    let time = |s: &str| -> Result<NaiveTime, String> {
        NaiveTime::parse_from_str(s.trim(), "%H:%M")
            .map_err(|_| format!("{s:?} is not a time (HH:MM)"))
    };
    let mut spans = Vec::new();
    for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (days, times) = part
            .split_once(' ')
            .ok_or_else(|| format!("{part:?}: write days then times, e.g. Mon-Fri 09:00-17:00"))?;
        let (from, to) = match days.split_once('-') {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(days)?, day(days)?),
        };
        if to < from {
            return Err(format!("{days:?}: the days run backwards"));
        }
        let (o, c) = times
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("{times:?}: write opening-closing, e.g. 08:30-17:00"))?;
        let (opens, closes) = (time(o)?, time(c)?);
        if closes <= opens {
            return Err(format!("{times:?}: closes before it opens"));
        }
        for d in from..=to {
            spans.push(Span {
                weekday: d,
                opens,
                closes,
            });
        }
    }
    Ok((false, spans))
}

/// Writes hours back in the form `parse` reads, days with the same times merged.
pub fn format(always_open: bool, spans: &[Span]) -> String {
    if always_open {
        return "24/7".into();
    }
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|s| (s.opens, s.closes, s.weekday));
    let mut parts: Vec<(u8, String)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let s = &sorted[i];
        let mut j = i;
        while j + 1 < sorted.len()
            && sorted[j + 1].opens == s.opens
            && sorted[j + 1].closes == s.closes
            && sorted[j + 1].weekday == sorted[j].weekday + 1
        {
            j += 1;
        }
        let days = if i == j {
            DAYS[s.weekday as usize - 1].to_string()
        } else {
            format!(
                "{}-{}",
                DAYS[s.weekday as usize - 1],
                DAYS[sorted[j].weekday as usize - 1]
            )
        };
        parts.push((
            s.weekday,
            format!(
                "{days} {}-{}",
                s.opens.format("%H:%M"),
                s.closes.format("%H:%M")
            ),
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
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
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
            ("Mon 17:00-09:00", "closes before it opens"),
            ("09:00-17:00", "write days then times"),
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
}
