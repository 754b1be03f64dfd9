//! The duty rota as on-call tools keep it: a weekly pattern typed in UK local
//! time ("Mon-Fri 09:00-17:00", "Sat 21:00-09:00" running overnight), one-off
//! shifts that override it where they overlap (a swap, a take-over), and a
//! check for gaps and overlaps ahead of time.
//!
//! Everything is counted in UK wall-clock time (`calendar::at_local`), so a
//! pattern keeps its local hours across the clock changes: the night shift
//! of Saturday 24 October 2026 runs 21:00 BST to 09:00 GMT, 13 hours.

use super::calendar::{at_local, local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A weekly pattern row: `weekdays` bit 0 is Monday .. bit 6 Sunday; a shift
/// starts on each of those days at `starts` and ends at `ends` the same day,
/// or the next day when `ends` is not after `starts`. `from`/`until` bound
/// the days it applies to (inclusive), UK dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pattern {
    pub id: i64,
    pub staff_id: i64,
    pub weekdays: u8,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Parsed text of a pattern: its days and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekly {
    pub weekdays: u8,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

/// Parses "Mon 09:00-17:00", "Mon-Fri 09:00-17:00", "Sat,Sun 21:00-09:00" or
/// "daily 08:00-20:00" (UK local time; an en dash works as well as '-'). The
/// refusal names what is wrong and shows the form.
pub fn parse_weekly(text: &str) -> Result<Weekly, String> {
    let norm = text.trim().replace(['–', '—'], "-");
    let example = "e.g. \"Mon-Fri 09:00-17:00\" or \"Sat 21:00-09:00\" (UK time)";
    let (days, times) = norm
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("{text:?}: write the days, then the hours, {example}"))?;
    let day = |d: &str| -> Result<u8, String> {
        DAYS.iter()
            .position(|x| {
                x.eq_ignore_ascii_case(d.trim()) || full(x).eq_ignore_ascii_case(d.trim())
            })
            .map(|i| i as u8)
            .ok_or_else(|| {
                format!("{d:?} is not a day: Mon, Tue, Wed, Thu, Fri, Sat, Sun or daily")
            })
    };
    let mut weekdays = 0u8;
    for part in days.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("daily") {
            weekdays = 0x7f;
            continue;
        }
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    weekdays |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => weekdays |= 1 << day(part)?,
        }
    }
    if weekdays == 0 {
        return Err(format!("{text:?}: no days, {example}"));
    }
    let (a, b) = times
        .trim()
        .split_once('-')
        .ok_or_else(|| format!("{times:?}: write start-end, {example}"))?;
    let t = |s: &str| {
        NaiveTime::parse_from_str(s.trim(), "%H:%M")
            .map_err(|_| format!("{:?} is not a time (HH:MM, 24-hour)", s.trim()))
    };
    let (starts, ends) = (t(a)?, t(b)?);
    if starts == ends {
        return Err(format!(
            "{text:?}: a shift must end at another time than it starts (24 hours: 09:00-09:00 is not allowed; write two shifts)"
        ));
    }
    Ok(Weekly {
        weekdays,
        starts,
        ends,
    })
}

fn full(short: &str) -> &'static str {
    match short {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        _ => "Sunday",
    }
}

/// "Mon-Fri 09:00-17:00": the days as runs, then the hours.
pub fn format_weekly(weekdays: u8, starts: NaiveTime, ends: NaiveTime) -> String {
    let days = if weekdays & 0x7f == 0x7f {
        "daily".to_string()
    } else {
        let mut runs: Vec<String> = Vec::new();
        let mut i = 0;
        while i < 7 {
            if weekdays & (1 << i) != 0 {
                let mut j = i;
                while j + 1 < 7 && weekdays & (1 << (j + 1)) != 0 {
                    j += 1;
                }
                runs.push(if j == i {
                    DAYS[i].to_string()
                } else {
                    format!("{}-{}", DAYS[i], DAYS[j])
                });
                i = j + 1;
            } else {
                i += 1;
            }
        }
        runs.join(",")
    };
    format!("{days} {}-{}", starts.format("%H:%M"), ends.format("%H:%M"))
}

/// Where a shift comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A weekly pattern (its id).
    Pattern(i64),
    /// A one-off shift (its `rota` id): overrides the pattern.
    OneOff(i64),
}

/// One concrete shift, in UTC instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    pub staff_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub source: Source,
}

/// Every shift the patterns give that overlaps [`from`, `to`), in start
/// order, each started on a UK day the pattern covers and counted in UK
/// local time (so across a clock change a shift is an hour longer or shorter
/// in real time, and keeps its wall-clock hours).
pub fn expand(patterns: &[Pattern], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
    let mut out = Vec::new();
    if to <= from {
        return out;
    }
    // A shift that began the day before may still be running at `from`.
    let first = local(from).date_naive() - Duration::days(1);
    let last = local(to).date_naive();
    let mut day = first;
    while day <= last {
        let wd = day.weekday().num_days_from_monday() as u8;
        for p in patterns {
            if p.weekdays & (1 << wd) == 0
                || p.from.is_some_and(|f| day < f)
                || p.until.is_some_and(|u| day > u)
            {
                continue;
            }
            let starts_at = at_local(day, p.starts);
            let end_day = if p.ends > p.starts {
                day
            } else {
                day.succ_opt().unwrap_or(day)
            };
            let ends_at = at_local(end_day, p.ends);
            if ends_at > from && starts_at < to && ends_at > starts_at {
                out.push(Shift {
                    staff_id: p.staff_id,
                    starts_at,
                    ends_at,
                    source: Source::Pattern(p.id),
                });
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out.sort_by_key(|s| (s.starts_at, s.ends_at, s.staff_id));
    out
}

/// The rota in force: one-off shifts as they are, and the pattern's shifts
/// with every stretch a one-off shift covers cut out of them (a swap or a
/// take-over replaces whoever the pattern had on duty then). Start order.
pub fn effective(one_offs: &[Shift], pattern: &[Shift]) -> Vec<Shift> {
    let mut out: Vec<Shift> = one_offs.to_vec();
    for p in pattern {
        let mut pieces = vec![(p.starts_at, p.ends_at)];
        for o in one_offs {
            let mut next = Vec::new();
            for (a, b) in pieces {
                if o.ends_at <= a || o.starts_at >= b {
                    next.push((a, b));
                    continue;
                }
                if o.starts_at > a {
                    next.push((a, o.starts_at));
                }
                if o.ends_at < b {
                    next.push((o.ends_at, b));
                }
            }
            pieces = next;
        }
        out.extend(pieces.into_iter().map(|(a, b)| Shift {
            starts_at: a,
            ends_at: b,
            ..p.clone()
        }));
    }
    out.sort_by_key(|s| (s.starts_at, s.ends_at, s.staff_id));
    out
}

/// Who is on duty at `at` by the rota in force: of the shifts holding it,
/// the one that began last (a take-over begins after the shift it replaces).
pub fn on_duty(shifts: &[Shift], at: DateTime<Utc>) -> Option<&Shift> {
    shifts
        .iter()
        .filter(|s| s.starts_at <= at && s.ends_at > at)
        .max_by_key(|s| s.starts_at)
}

/// What `check` finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Nobody on duty from `from` to `to`.
    Gap {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// Two people on duty at once from `from` to `to`: alerts go only to the
    /// one whose shift began last (`second`).
    Overlap {
        first: i64,
        second: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// Gaps and overlaps in the rota in force over [`from`, `to`), in time
/// order. `shifts` is [`effective`]'s answer for at least that window.
/// Overlaps of one person with themselves are not reported (a swap that
/// hands a shift back is no problem).
pub fn check(shifts: &[Shift], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut inside: Vec<&Shift> = shifts
        .iter()
        .filter(|s| s.ends_at > from && s.starts_at < to)
        .collect();
    inside.sort_by_key(|s| (s.starts_at, s.ends_at));
    // Gaps: walk the covered time.
    let mut covered_to = from;
    for s in &inside {
        if s.starts_at > covered_to {
            out.push(Problem::Gap {
                from: covered_to,
                to: s.starts_at.min(to),
            });
        }
        covered_to = covered_to.max(s.ends_at);
    }
    if covered_to < to {
        out.push(Problem::Gap {
            from: covered_to,
            to,
        });
    }
    // Overlaps: every pair of different people whose shifts intersect.
    for (i, a) in inside.iter().enumerate() {
        for b in inside.iter().skip(i + 1) {
            if b.starts_at >= a.ends_at {
                break;
            }
            if a.staff_id == b.staff_id {
                continue;
            }
            let (f, t) = (
                b.starts_at.max(a.starts_at).max(from),
                a.ends_at.min(b.ends_at).min(to),
            );
            if t > f {
                out.push(Problem::Overlap {
                    first: a.staff_id,
                    second: b.staff_id,
                    from: f,
                    to: t,
                });
            }
        }
    }
    out.sort_by_key(|p| match p {
        Problem::Gap { from, .. } | Problem::Overlap { from, .. } => *from,
    });
    out
}

/// A rota time as typed, through the one time reader
/// (`calendar::read_time`, leaning ahead: "Mon 09:00" is next Monday, as a
/// rota is planned forward), as an instant; the refusal names the forms.
pub fn parse_local(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    super::calendar::read_time(text, now, super::calendar::Lean::Future)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn pattern(id: i64, staff: i64, text: &str) -> Pattern {
        let w = parse_weekly(text).unwrap();
        Pattern {
            id,
            staff_id: staff,
            weekdays: w.weekdays,
            starts: w.starts,
            ends: w.ends,
            from: None,
            until: None,
        }
    }

    #[test]
    fn patterns_parse_as_people_type_them() {
        let w = parse_weekly("Mon-Fri 09:00–17:00").unwrap();
        assert_eq!(w.weekdays, 0b0011111);
        assert_eq!(
            format_weekly(w.weekdays, w.starts, w.ends),
            "Mon-Fri 09:00-17:00"
        );
        let w = parse_weekly("sat,sun 21:00-09:00").unwrap();
        assert_eq!(
            format_weekly(w.weekdays, w.starts, w.ends),
            "Sat-Sun 21:00-09:00"
        );
        let w = parse_weekly("Fri-Mon 17:00-09:00").unwrap();
        assert_eq!(
            format_weekly(w.weekdays, w.starts, w.ends),
            "Mon,Fri-Sun 17:00-09:00"
        );
        assert_eq!(parse_weekly("daily 08:00-20:00").unwrap().weekdays, 0x7f);
        for (bad, says) in [
            ("Mon", "days, then the hours"),
            ("Funday 09:00-17:00", "not a day"),
            ("Mon 9-17", "not a time"),
            ("Mon 09:00", "start-end"),
            ("Mon 09:00-09:00", "another time"),
        ] {
            let e = parse_weekly(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    /// Days and nights by pattern across Sunday 25 October 2026, when the
    /// clocks go back at 02:00 BST: the night shift is 13 real hours, and
    /// there is neither a gap nor an overlap at 09:00 GMT.
    #[test]
    fn no_false_gap_or_overlap_across_the_october_clock_change() {
        let p = vec![
            pattern(1, 10, "daily 09:00-21:00"),
            pattern(2, 20, "daily 21:00-09:00"),
        ];
        let (from, to) = (utc(2026, 10, 23, 12, 0), utc(2026, 10, 28, 12, 0));
        let shifts = effective(&[], &expand(&p, from, to));
        assert_eq!(check(&shifts, from, to), vec![]);
        let night = shifts
            .iter()
            .find(|s| s.staff_id == 20 && local(s.starts_at).day() == 24)
            .unwrap();
        assert_eq!(night.starts_at, utc(2026, 10, 24, 20, 0)); // 21:00 BST
        assert_eq!(night.ends_at, utc(2026, 10, 25, 9, 0)); // 09:00 GMT
        assert_eq!(night.ends_at - night.starts_at, Duration::hours(13));
        // Counting 12 real hours from the start, as UTC arithmetic would,
        // leaves 08:00-09:00 GMT uncovered: a gap the check must find.
        let naive = vec![
            Shift {
                staff_id: 20,
                starts_at: night.starts_at,
                ends_at: night.starts_at + Duration::hours(12),
                source: Source::OneOff(1),
            },
            Shift {
                staff_id: 10,
                starts_at: utc(2026, 10, 25, 9, 0),
                ends_at: utc(2026, 10, 25, 21, 0),
                source: Source::OneOff(2),
            },
        ];
        assert_eq!(
            check(&naive, utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 21, 0)),
            vec![Problem::Gap {
                from: utc(2026, 10, 25, 8, 0),
                to: utc(2026, 10, 25, 9, 0)
            }]
        );
    }

    #[test]
    fn gaps_and_overlaps_are_found_and_one_offs_override() {
        // Weekdays only, with a lunchtime overlap on Wednesday 28 October
        // (GMT again): the weekend is a gap.
        let p = vec![
            pattern(1, 10, "Mon-Fri 08:00-20:00"),
            pattern(2, 20, "Mon-Fri 20:00-08:00"),
            pattern(3, 30, "Wed 12:00-14:00"),
        ];
        let (from, to) = (utc(2026, 10, 26, 8, 0), utc(2026, 11, 2, 8, 0));
        let mut shifts = effective(&[], &expand(&p, from, to));
        let problems = check(&shifts, from, to);
        assert_eq!(
            problems,
            vec![
                Problem::Overlap {
                    first: 10,
                    second: 30,
                    from: utc(2026, 10, 28, 12, 0),
                    to: utc(2026, 10, 28, 14, 0)
                },
                Problem::Gap {
                    from: utc(2026, 10, 31, 8, 0),
                    to: utc(2026, 11, 2, 8, 0)
                },
            ]
        );
        // A one-off weekend cover fills the gap; it overrides, so the
        // Friday night pattern shift it overlaps is cut, not doubled.
        let cover = Shift {
            staff_id: 40,
            starts_at: utc(2026, 10, 31, 6, 0),
            ends_at: utc(2026, 11, 2, 8, 0),
            source: Source::OneOff(9),
        };
        shifts = effective(std::slice::from_ref(&cover), &expand(&p, from, to));
        let problems = check(&shifts, from, to);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            on_duty(&shifts, utc(2026, 10, 31, 7, 0)).unwrap().staff_id,
            40
        );
        assert_eq!(
            on_duty(&shifts, utc(2026, 10, 31, 5, 0)).unwrap().staff_id,
            20
        );
    }

    #[test]
    fn spring_forward_shift_starts_in_the_skipped_hour() {
        // 29 March 2026: 01:00 GMT becomes 02:00 BST; a 01:30 start is 02:30 BST.
        let p = vec![pattern(1, 10, "Sun 01:30-09:00")];
        let s = expand(&p, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 12, 0));
        assert_eq!(s[0].starts_at, utc(2026, 3, 29, 1, 30));
        assert_eq!(s[0].ends_at, utc(2026, 3, 29, 8, 0));
        assert_eq!(
            parse_local("2026-10-25 01:30", utc(2026, 10, 1, 0, 0)).unwrap(),
            utc(2026, 10, 25, 0, 30)
        );
        assert!(
            parse_local("soon", utc(2026, 10, 1, 0, 0))
                .unwrap_err()
                .contains("2026-11-30 09:00")
        );
    }
}
