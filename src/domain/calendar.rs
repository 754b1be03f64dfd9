//! Europe/London time. Every date and time the desk shows or counts in is local
//! UK time (GMT in winter, BST in summer), whatever zone the host runs in.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::{Europe::London, Tz};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The zone all safeguarding deadlines and opening hours are set in.
pub const ZONE: Tz = London;

/// An instant as UK local time.
pub fn local(at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&ZONE)
}

/// "Sun 22 Nov 2026 14:40 GMT": the header clock.
pub fn format_clock(at: DateTime<Utc>) -> String {
    local(at).format("%a %d %b %Y %H:%M %Z").to_string()
}

/// "22 Nov 2026 14:40": record timestamps.
pub fn format_stamp(at: DateTime<Utc>) -> String {
    local(at).format("%d %b %Y %H:%M").to_string()
}

/// "2 Nov 2026": the UK local date of an instant, where the time of day
/// does not matter (an agenda line).
pub fn format_day(at: DateTime<Utc>) -> String {
    local(at).format("%-d %b %Y").to_string()
}

/// "2 Nov 2026": a calendar date as people in the UK write it.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A bank holiday of one division (England & Wales unless stated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub title: String,
    /// The feed's notes, e.g. "Substitute day" (empty when none).
    pub notes: String,
}

/// The divisions GOV.UK's feed publishes.
pub const DIVISIONS: &[&str] = &["england-and-wales", "scotland", "northern-ireland"];

/// Why a holidays file was refused (nothing is imported from it).
#[derive(Debug, thiserror::Error)]
pub enum HolidayFileError {
    #[error("not GOV.UK bank-holidays JSON: {0}")]
    Shape(#[from] serde_json::Error),
    #[error(
        "no division {0:?} in the file (expected one of england-and-wales, scotland, northern-ireland)"
    )]
    NoDivision(String),
    #[error("event {index} has a bad date {date:?} (expected YYYY-MM-DD)")]
    BadDate { index: usize, date: String },
    #[error("event {index} has an empty title")]
    EmptyTitle { index: usize },
    /// A file that cannot be right: see [`check_holidays`].
    #[error("{0}")]
    Implausible(String),
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
    #[serde(default)]
    notes: String,
}

/// Parses GOV.UK's `bank-holidays.json` and returns one division's holidays.
/// All or nothing: one bad event refuses the whole file, and so does a file
/// that cannot be right ([`check_holidays`]).
pub fn parse_govuk(json: &str, division: &str) -> Result<Vec<BankHoliday>, HolidayFileError> {
    let list = parse_events(json, division)?;
    check_holidays(&list).map_err(HolidayFileError::Implausible)?;
    Ok(list)
}

/// Most bank holidays any UK division has had in one year (England & Wales
/// had 10 in 2022; Northern Ireland has 10 in an ordinary year), with room
/// for a one-off; a file with more than this in a year is not a holiday list.
pub const MAX_HOLIDAYS_A_YEAR: usize = 15;
/// Fewest a whole year of any division has (8 in England & Wales): a year
/// with fewer than this is a stray date outside the years the file covers.
pub const MIN_HOLIDAYS_A_YEAR: usize = 4;

/// Refuses a holiday list that cannot be right, because every working-day
/// deadline is counted with it: more than [`MAX_HOLIDAYS_A_YEAR`] in a year
/// (every day a holiday, dozens a year), a year with fewer than
/// [`MIN_HOLIDAYS_A_YEAR`] or a gap between the years (a date outside the
/// years the file covers: a typo such as 2062 would make every year up to it
/// look known, with no holidays), and a date repeated. An empty list is
/// allowed here (the caller says there is nothing to import).
pub fn check_holidays(list: &[BankHoliday]) -> Result<(), String> {
    let mut per_year: std::collections::BTreeMap<i32, usize> = Default::default();
    let mut seen = BTreeSet::new();
    for h in list {
        if !seen.insert(h.date) {
            return Err(format!("{} is listed twice", h.date));
        }
        *per_year.entry(h.date.year()).or_default() += 1;
    }
    for (year, n) in &per_year {
        if *n > MAX_HOLIDAYS_A_YEAR {
            return Err(format!(
                "{n} bank holidays in {year}: no UK division has more than {MAX_HOLIDAYS_A_YEAR} a year, so this is not GOV.UK's list"
            ));
        }
        if *n < MIN_HOLIDAYS_A_YEAR {
            return Err(format!(
                "only {n} bank holiday(s) in {year}, outside the whole years the file covers (every year has at least {MIN_HOLIDAYS_A_YEAR}): check that date"
            ));
        }
    }
    let years: Vec<i32> = per_year.keys().copied().collect();
    if let Some(w) = years.windows(2).find(|w| w[1] != w[0] + 1) {
        return Err(format!(
            "the file jumps from {} to {}: the years it covers must follow on, so a date outside them is a mistake",
            w[0], w[1]
        ));
    }
    Ok(())
}

fn parse_events(json: &str, division: &str) -> Result<Vec<BankHoliday>, HolidayFileError> {
    let mut all: std::collections::HashMap<String, Division> = serde_json::from_str(json)?;
    let div = all
        .remove(division)
        .ok_or_else(|| HolidayFileError::NoDivision(division.to_string()))?;
    div.events
        .into_iter()
        .enumerate()
        .map(|(index, e)| {
            let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").map_err(|_| {
                HolidayFileError::BadDate {
                    index,
                    date: e.date.clone(),
                }
            })?;
            let title = super::text::clean_line(e.title.trim());
            if title.is_empty() {
                return Err(HolidayFileError::EmptyTitle { index });
            }
            let notes = super::text::clean_line(e.notes.trim());
            Ok(BankHoliday { date, title, notes })
        })
        .collect()
}

coded_enum! {
    /// The kinds of offset a deadline rule counts in.
    OffsetUnit {
        Hours = "hours", "hours";
        CalendarDays = "calendar_days", "calendar days";
        WorkingDays = "working_days", "working days";
        CalendarMonths = "calendar_months", "calendar months";
        SameDay = "same_day", "same day";
    }
}

coded_enum! {
    /// How a rule counts its offset (`deadline_rules.counting`): each rule
    /// chooses, because "within one working day" means close of business to
    /// the service that receives the referral, a first response of "4 working
    /// hours" means office hours, and "one calendar day" means the same time
    /// the next day (DOMAIN.md, Deadlines and practice notes).
    Counting {
        SameTime = "same_time", "the same time on the last day";
        EndOfWorkingDay = "end_of_working_day", "close of business on the last working day";
        WorkingHours = "working_hours", "hours counted in working hours only";
    }
}

/// Whether a rule may count `unit` this way: `end_of_working_day` only in
/// working days, `working_hours` only in hours; `same_time` with any unit.
/// The refusal names what fits.
pub fn check_counting(unit: OffsetUnit, counting: Counting) -> Result<(), String> {
    match (counting, unit) {
        (Counting::SameTime, _)
        | (Counting::EndOfWorkingDay, OffsetUnit::WorkingDays)
        | (Counting::WorkingHours, OffsetUnit::Hours) => Ok(()),
        (Counting::EndOfWorkingDay, u) => Err(format!(
            "end_of_working_day counts working days, not {}: use --unit working_days, or --counting same_time",
            u.label()
        )),
        (Counting::WorkingHours, u) => Err(format!(
            "working_hours counts hours, not {}: use --unit hours, or --counting same_time",
            u.label()
        )),
    }
}

/// Working days of one division: Monday to Friday less its bank holidays.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkingCalendar {
            holidays: dates.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The last year whose bank holidays are known. GOV.UK publishes only a
    /// year or two ahead; past it, a working-day count may be wrong.
    pub fn known_through(&self) -> Option<i32> {
        self.holidays.last().map(|d| d.year())
    }

    /// Whether working days on `d` can be counted with confidence.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.known_through().is_some_and(|y| d.year() <= y)
    }
}

/// A computed due instant, and whether it rests on bank holidays nobody has
/// published yet (shown as a warning, never silently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub beyond_calendar: bool,
}

/// The instant of a UK wall-clock time. In the autumn hour that happens twice
/// the earlier is taken (the stricter deadline); a time skipped in spring moves
/// forward by the hour that was skipped.
pub fn at_local(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match ZONE.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            let later = naive + Duration::hours(1);
            match ZONE.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                // No zone skips two hours; fall back to reading the time as UTC.
                LocalResult::None => Utc.from_utc_datetime(&naive),
            }
        }
    }
}

/// The last minute of a UK day.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    at_local(
        date,
        NaiveTime::from_hms_opt(23, 59, 0).expect("valid time"),
    )
}

/// When a deadline falls that runs `amount` `unit`s from `start`, counted in
/// UK local time whatever the host's zone, in the working time `wt` (the
/// receiving service's hours, or the organisation's, on the division's bank
/// holidays).
///
/// - hours, `same_time`: elapsed time, exactly; `working_hours`: only time
///   the service is open counts, from the next opening when it is closed
///   (red: 4 working hours from Friday 15:00 is Monday 11:00 in 09:00–17:00).
/// - calendar days / months: the same UK wall-clock time that many days or
///   months on (31 Jan + 1 month = 28/29 Feb).
/// - working days: a trigger outside working hours counts from the next
///   opening; `end_of_working_day` is then close of business on the
///   `amount`th working day after that opening's day ("within one working
///   day" of an allegation on Saturday night is Tuesday at close, as the LADO
///   reads it); `same_time` is the opening-adjusted time of day on that day,
///   never later than its close.
/// - same day: the end of the start's UK day (23:59).
///
/// A rule whose counting does not fit its unit ([`check_counting`] refuses
/// one when it is saved) is counted `same_time`.
pub fn due_after(
    start: DateTime<Utc>,
    amount: u32,
    unit: OffsetUnit,
    counting: Counting,
    wt: &super::worktime::WorkingTime<'_>,
) -> Due {
    let counting = if check_counting(unit, counting).is_ok() {
        counting
    } else {
        Counting::SameTime
    };
    let local = local(start);
    let (date, time) = (local.date_naive(), local.time());
    let plain = |at| Due {
        at,
        beyond_calendar: false,
    };
    let known = |at: DateTime<Utc>| wt.calendar.covers(self::local(at).date_naive());
    match (unit, counting) {
        (OffsetUnit::Hours, Counting::WorkingHours) => {
            let at = wt.add_minutes(start, amount as i64 * 60);
            Due {
                at,
                beyond_calendar: !known(at),
            }
        }
        (OffsetUnit::Hours, _) => plain(start + Duration::hours(amount as i64)),
        (OffsetUnit::SameDay, _) => plain(end_of_day(date).max(start)),
        (OffsetUnit::CalendarDays, _) => {
            plain(at_local(date + Duration::days(amount as i64), time))
        }
        (OffsetUnit::CalendarMonths, _) => plain(at_local(
            date.checked_add_months(Months::new(amount))
                .unwrap_or(NaiveDate::MAX),
            time,
        )),
        (OffsetUnit::WorkingDays, c) => {
            // No working day in two years: count plain days, flagged.
            let Some(open) = wt.next_opening(start) else {
                return Due {
                    at: at_local(date + Duration::days(amount as i64), time),
                    beyond_calendar: true,
                };
            };
            let day = wt.working_days_after(self::local(open).date_naive(), amount);
            let close = wt.close_of(day).unwrap_or_else(|| end_of_day(day));
            let at = match c {
                Counting::EndOfWorkingDay => close,
                _ => {
                    let same = at_local(day, self::local(open).time());
                    let first = wt.next_opening(at_local(day, NaiveTime::MIN));
                    same.max(first.unwrap_or(same)).min(close)
                }
            };
            Due {
                at,
                beyond_calendar: !known(at),
            }
        }
    }
}

/// When a deadline starts to count as due soon: `warn_minutes` before it.
/// For a rule counted in working days or working hours the warning window is
/// working time too, so it always begins while the service is open (a
/// deadline at Monday 10:00 with four hours' warning warns from Friday 14:00
/// in 09:00–17:00, not at 06:00 on Monday when nobody can act on it).
pub fn warn_start(
    due: DateTime<Utc>,
    warn_minutes: u32,
    unit: OffsetUnit,
    counting: Counting,
    wt: &super::worktime::WorkingTime<'_>,
) -> DateTime<Utc> {
    if unit == OffsetUnit::WorkingDays || counting == Counting::WorkingHours {
        wt.sub_minutes(due, warn_minutes as i64)
    } else {
        due - Duration::minutes(warn_minutes as i64)
    }
}

/// Which way a typed time without a full date leans: when something
/// happened (the latest "Fri", the latest "24/12") or when something is due
/// (the next ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    /// When something happened or was recognised: a date alone is refused
    /// (the time it happened matters).
    Past,
    /// When something is due or asked about ahead: a date alone is 17:00
    /// that day (the end of the working day).
    Future,
}

/// The forms every typed time accepts, for refusals (one list, one parser).
pub const TIME_FORMS: &str = "write UK time as 14:30 (today), yesterday 15:00, tomorrow 10:00, Mon 09:00, 27/11 09:15, 30/11/2026 09:00, 30 Nov 2026 09:00, 2026-11-30 09:00 or 2026-11-30T09:00:00Z";

/// THE reader of every time a person types, on the command line and on the
/// screen, in UK local time: `14:30` (today), `yesterday 18:00`, `tomorrow
/// 10:00`, `Fri 15:00`, `20/11/2026 15:00`, `20/11 3pm`, `20 Nov 2026 15:00`,
/// `2026-11-20 15:00`, `now`, or RFC 3339 (`2026-11-20T15:00:00Z`). A
/// weekday or a date with no year is the latest one (`Lean::Past`) or the
/// next one (`Lean::Future`) around `now`. Refused, saying why and naming
/// the accepted forms ([`TIME_FORMS`]): unreadable text, a date that does
/// not exist, a time the UK clocks skipped (spring), and for `Lean::Past` a
/// date without a time. In the hour the clocks go back the earlier instant
/// is taken (the stricter count). Whether the time may be past or future is
/// the caller's rule ([`parse_when`], `casework::parse_due`).
pub fn read_time(text: &str, now: DateTime<Utc>, lean: Lean) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("no time given: {TIME_FORMS}"));
    }
    if t.eq_ignore_ascii_case("now") {
        Ok(now)
    } else if let Ok(x) = DateTime::parse_from_rfc3339(t) {
        Ok(x.with_timezone(&Utc))
    } else {
        local_words(t, now, lean).map_err(|why| format!("{t:?}: {why}; {TIME_FORMS}"))
    }
}

/// Reads when something happened ([`read_time`], leaning to the past).
/// Refused, saying why: a time in the future (more than a minute after
/// `now`) and one more than a century ago, besides what [`read_time`]
/// refuses.
pub fn parse_when(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let at = read_time(t, now, Lean::Past)?;
    if at > now + Duration::seconds(60) {
        return Err(format!(
            "{t:?} is {}, in the future (it is now {}): give when it happened",
            format_stamp(at),
            format_stamp(now)
        ));
    }
    if at < now - Duration::days(366 * 100) {
        return Err(format!("{t:?} is more than a century ago: check the year"));
    }
    Ok(at)
}

/// A date typed alone for when something is due: 17:00 that day, the end
/// of the working day.
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn weekday_word(w: &str) -> Option<Weekday> {
    let days = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    days.iter()
        .zip(full)
        .find(|((short, _), long)| {
            w == *short || w == *long || (w.len() >= 3 && long.starts_with(w))
        })
        .map(|((_, d), _)| *d)
}

fn month_word(w: &str) -> Option<u32> {
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as u32 + 1)
}

/// "15:00", "15.00", "9:05", "3pm", "3:30pm", "noon", "midnight".
fn time_word(w: &str) -> Option<NaiveTime> {
    match w {
        "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return NaiveTime::from_hms_opt(0, 0, 0),
        _ => {}
    }
    let (body, pm) = if let Some(b) = w.strip_suffix("pm") {
        (b, Some(true))
    } else if let Some(b) = w.strip_suffix("am") {
        (b, Some(false))
    } else {
        (w, None)
    };
    let (h, m) = match body.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None if pm.is_some() => (body.parse::<u32>().ok()?, 0),
        _ => return None,
    };
    if h > 23 || (h == 0 && pm.is_some()) || (pm.is_some() && h > 12) || h.to_string().len() > 2 {
        return None;
    }
    let h = match pm {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

/// "20/11/2026", "20/11/26", "20/11", "2026-11-20": (year if given, month, day).
fn date_word(w: &str) -> Option<(Option<i32>, u32, u32)> {
    let nums = |parts: Vec<&str>| -> Option<Vec<u32>> {
        parts.iter().map(|p| p.parse::<u32>().ok()).collect()
    };
    if w.contains('-') {
        let n = nums(w.split('-').collect())?;
        return (n.len() == 3 && n[0] >= 1000).then(|| (Some(n[0] as i32), n[1], n[2]));
    }
    let n = nums(w.split('/').collect())?;
    match n.len() {
        2 => Some((None, n[1], n[0])),
        3 if n[2] >= 1000 => Some((Some(n[2] as i32), n[1], n[0])),
        3 if n[2] < 100 => Some((Some(2000 + n[2] as i32), n[1], n[0])),
        _ => None,
    }
}

fn local_words(text: &str, now: DateTime<Utc>, lean: Lean) -> Result<DateTime<Utc>, String> {
    let mut lower = text.to_lowercase().replace(',', " ");
    // "2026-11-20T15:00", ISO without an offset: a UK date and time.
    if let Some((d, t)) = lower.clone().split_once('t')
        && !d.is_empty()
        && d.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        lower = format!("{d} {t}");
    }
    let today = local(now).date_naive();
    let mut time: Option<NaiveTime> = None;
    let mut date: Option<NaiveDate> = None;
    let mut partial: Option<(Option<i32>, u32, u32)> = None;
    let mut weekday: Option<Weekday> = None;
    let mut day_num: Option<u32> = None;
    let mut month: Option<u32> = None;
    let mut year: Option<i32> = None;
    for w in lower
        .split_whitespace()
        .filter(|w| *w != "at" && *w != "on")
    {
        if let Some(x) = time_word(w) {
            if time.replace(x).is_some() {
                return Err("two times".into());
            }
        } else if w == "today" {
            date = Some(today);
        } else if w == "yesterday" {
            date = Some(today - Duration::days(1));
        } else if w == "tomorrow" {
            date = Some(today + Duration::days(1));
        } else if let Some(d) = weekday_word(w) {
            weekday = Some(d);
        } else if let Some(m) = month_word(w) {
            month = Some(m);
        } else if let Some(p) = date_word(w) {
            partial = Some(p);
        } else if let Ok(n) = w
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<u32>()
        {
            if n >= 1000 {
                year = Some(n as i32);
            } else if (1..=31).contains(&n) && day_num.is_none() {
                day_num = Some(n);
            } else {
                return Err(format!("{w:?} is not a day, month or year"));
            }
        } else {
            return Err(format!("{w:?} is not a date or a time"));
        }
    }
    if let Some(m) = month {
        let d = day_num.ok_or("a month needs its day, e.g. 20 Nov")?;
        partial = Some((year, m, d));
    } else if day_num.is_some() || year.is_some() {
        return Err("a day number needs its month, e.g. 20 Nov 2026 or 20/11/2026".into());
    }
    if let Some((y, m, d)) = partial {
        let pick = |y: i32| NaiveDate::from_ymd_opt(y, m, d);
        date = Some(match y {
            Some(y) => pick(y).ok_or_else(|| format!("{d}/{m}/{y} is not a date"))?,
            // No year: this year's, or last year's if this year's is ahead
            // (Past); next year's if this year's has gone (Future).
            None => {
                let this = pick(today.year()).ok_or_else(|| format!("{d}/{m} is not a date"))?;
                match lean {
                    Lean::Past if this > today => {
                        pick(today.year() - 1).ok_or_else(|| format!("{d}/{m} is not a date"))?
                    }
                    Lean::Future if this < today => {
                        pick(today.year() + 1).ok_or_else(|| format!("{d}/{m} is not a date"))?
                    }
                    _ => this,
                }
            }
        });
    }
    if let Some(wd) = weekday {
        match date {
            Some(d) if d.weekday() != wd => {
                return Err(format!(
                    "{} is a {}, not a {wd}",
                    d.format("%d/%m/%Y"),
                    d.weekday()
                ));
            }
            Some(_) => {}
            None if lean == Lean::Past => {
                // The latest such day not in the future at that time.
                let back =
                    (today.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
                let mut d = today - Duration::days(back as i64);
                if let Some(t) = time
                    && at_local(d, t) > now + Duration::seconds(60)
                {
                    d -= Duration::days(7);
                }
                date = Some(d);
            }
            None => {
                // The next such day not yet past at that time.
                let ahead =
                    (wd.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
                let mut d = today + Duration::days(ahead as i64);
                if at_local(d, time.unwrap_or(END_OF_DAY)) <= now {
                    d += Duration::days(7);
                }
                date = Some(d);
            }
        }
    }
    let time = match (time, date, lean) {
        (None, Some(_), Lean::Future) => Some(END_OF_DAY),
        (t, _, _) => t,
    };
    let time = time.ok_or_else(|| match date {
        Some(d) => format!(
            "{} has no time: add the time it happened (e.g. {} 15:00); if it is not known, the earliest it could have been",
            d.format("%d/%m/%Y"),
            d.format("%d/%m/%Y")
        ),
        None => "no time found".into(),
    })?;
    let date = date.unwrap_or(today);
    match ZONE.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Ok(a.min(b).with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{} {} did not happen in the UK: the clocks went forward an hour then",
            date.format("%d/%m/%Y"),
            time.format("%H:%M")
        )),
    }
}

/// England & Wales bank holidays 2025–2027, as GOV.UK publishes them; the demo
/// and new databases start with these.
pub const BUNDLED_HOLIDAYS: &str = include_str!("../../data/bank-holidays.json");

#[cfg(test)]
mod tests {
    use super::*;
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

    fn due(start: DateTime<Utc>, n: u32, unit: OffsetUnit, c: Counting) -> Due {
        let (h, c2) = (WorkingHours::office(), cal());
        due_after(start, n, unit, c, &WorkingTime::new(&h, &c2))
    }

    /// The LADO's hours in the demo: Mon-Thu 08:30-17:00, Fri 08:30-16:30.
    fn lado(start: DateTime<Utc>, n: u32, c: Counting) -> Due {
        let h = WorkingHours::parse("Mon-Thu 08:30-17:00; Fri 08:30-16:30").unwrap();
        let c2 = cal();
        due_after(start, n, WorkingDays, c, &WorkingTime::new(&h, &c2))
    }

    use super::super::worktime::{WorkingHours, WorkingTime};
    use Counting::{EndOfWorkingDay, SameTime};
    use OffsetUnit::*;

    /// "Within one working day", as the LADO reads it: close of business of
    /// the next working day, counted from the next opening when raised out of
    /// hours (November 2026: Mon 23 is a Monday; GMT).
    #[test]
    fn one_working_day_ends_at_close_of_business_in_the_services_hours() {
        // Weekday, in hours: Monday 10:00 → Tuesday at close (17:00).
        assert_eq!(
            lado(utc(2026, 11, 23, 10, 0), 1, EndOfWorkingDay).at,
            utc(2026, 11, 24, 17, 0)
        );
        // Weekday evening: Wednesday 19:00 counts from Thursday 08:30 →
        // Friday, which closes at 16:30.
        assert_eq!(
            lado(utc(2026, 11, 25, 19, 0), 1, EndOfWorkingDay).at,
            utc(2026, 11, 27, 16, 30)
        );
        // Thursday 23:30 counts from Friday's opening → Monday 17:00, not
        // due soon on Friday evening after the LADO has shut.
        assert_eq!(
            lado(utc(2026, 11, 19, 23, 30), 1, EndOfWorkingDay).at,
            utc(2026, 11, 23, 17, 0)
        );
        // Friday after close (17:30) → counts from Monday → Tuesday 17:00.
        assert_eq!(
            lado(utc(2026, 11, 20, 17, 30), 1, EndOfWorkingDay).at,
            utc(2026, 11, 24, 17, 0)
        );
        // Saturday 23:30 → Monday's opening → Tuesday 17:00, never Monday 23:30.
        assert_eq!(
            lado(utc(2026, 11, 21, 23, 30), 1, EndOfWorkingDay).at,
            utc(2026, 11, 24, 17, 0)
        );
        // Sunday 07:00 → Tuesday 17:00, never Monday 07:00 before the LADO opens.
        assert_eq!(
            lado(utc(2026, 11, 22, 7, 0), 1, EndOfWorkingDay).at,
            utc(2026, 11, 24, 17, 0)
        );
        // Same time, in the organisation's 09:00-17:00: Saturday counts from
        // Monday 09:00, so one working day is Tuesday 09:00.
        assert_eq!(
            due(utc(2026, 11, 21, 23, 30), 1, WorkingDays, SameTime).at,
            utc(2026, 11, 24, 9, 0)
        );
        // Same time that falls after a shorter day's close stops at the close:
        // Thursday 16:45 + 1 → Friday 16:30 in the LADO's hours.
        assert_eq!(
            lado(utc(2026, 11, 26, 16, 45), 1, SameTime).at,
            utc(2026, 11, 27, 16, 30)
        );
        // Zero working days: close of business of the next opening's day.
        assert_eq!(
            due(utc(2026, 11, 22, 9, 0), 0, WorkingDays, EndOfWorkingDay).at,
            utc(2026, 11, 23, 17, 0)
        );
    }

    #[test]
    fn christmas_2026_skips_the_holiday_weekend_and_the_substitute_day() {
        // Thu 24 Dec 16:00 GMT: Fri 25 is Christmas, 26-27 the weekend, Mon 28 the
        // substitute Boxing Day; one working day later is Tue 29 Dec.
        let start = utc(2026, 12, 24, 16, 0);
        assert_eq!(
            due(start, 1, WorkingDays, SameTime).at,
            utc(2026, 12, 29, 16, 0)
        );
        assert_eq!(
            due(start, 1, WorkingDays, EndOfWorkingDay).at,
            utc(2026, 12, 29, 17, 0)
        );
        // Christmas Eve after close, or on Christmas Day itself: counting
        // starts at Tuesday 29th's opening, so close of Wednesday 30th.
        for t in [utc(2026, 12, 24, 18, 0), utc(2026, 12, 25, 10, 0)] {
            let d = due(t, 1, WorkingDays, EndOfWorkingDay);
            assert_eq!(d.at, utc(2026, 12, 30, 17, 0));
            assert!(!d.beyond_calendar);
        }
        // Red first response, 4 working hours from Christmas Eve 15:00:
        // 2 hours that day, 2 on Tuesday 29th.
        assert_eq!(
            due(utc(2026, 12, 24, 15, 0), 4, Hours, Counting::WorkingHours).at,
            utc(2026, 12, 29, 11, 0)
        );
    }

    #[test]
    fn easter_2026_and_2027() {
        // 2026: Good Friday 3 Apr, Easter Monday 6 Apr. Thu 2 Apr 09:00 BST (08:00 UTC).
        assert_eq!(
            due(utc(2026, 4, 2, 8, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 4, 7, 8, 0)
        );
        // 2027: Good Friday 26 Mar, clocks go forward Sun 28 Mar, Easter Monday 29 Mar.
        // Thu 25 Mar 12:00 GMT → Tue 30 Mar 12:00 BST, which is 11:00 UTC.
        assert_eq!(
            due(utc(2027, 3, 25, 12, 0), 1, WorkingDays, SameTime).at,
            utc(2027, 3, 30, 11, 0)
        );
        // Close of business across the change: Tue 30 Mar 17:00 BST = 16:00 UTC.
        assert_eq!(
            due(utc(2027, 3, 25, 12, 0), 1, WorkingDays, EndOfWorkingDay).at,
            utc(2027, 3, 30, 16, 0)
        );
        // Thursday 25 Mar after close (18:00 GMT) counts from Tuesday 30th,
        // 09:00 BST → close of Wednesday 31st, 17:00 BST (16:00 UTC).
        assert_eq!(
            due(utc(2027, 3, 25, 18, 0), 1, WorkingDays, EndOfWorkingDay).at,
            utc(2027, 3, 31, 16, 0)
        );
        // Four working hours from Thursday 15:00 GMT: 2 that day, then 2 from
        // Tuesday 09:00 BST → 11:00 BST = 10:00 UTC.
        assert_eq!(
            due(utc(2027, 3, 25, 15, 0), 4, Hours, Counting::WorkingHours).at,
            utc(2027, 3, 30, 10, 0)
        );
    }

    #[test]
    fn warnings_begin_while_the_service_is_open() {
        let (h, c) = (WorkingHours::office(), cal());
        let wt = WorkingTime::new(&h, &c);
        // A working-day deadline at Monday 10:00 warns from Friday 14:00.
        assert_eq!(
            warn_start(utc(2026, 11, 23, 10, 0), 240, WorkingDays, SameTime, &wt),
            utc(2026, 11, 20, 14, 0)
        );
        // Thursday 23:30's LADO deadline (Monday 17:00) warns Monday 13:00.
        assert_eq!(
            warn_start(
                utc(2026, 11, 23, 17, 0),
                240,
                WorkingDays,
                EndOfWorkingDay,
                &wt
            ),
            utc(2026, 11, 23, 13, 0)
        );
        // Calendar-day rules warn in plain time.
        assert_eq!(
            warn_start(utc(2026, 11, 23, 10, 0), 240, CalendarDays, SameTime, &wt),
            utc(2026, 11, 23, 6, 0)
        );
    }

    #[test]
    fn countings_fit_their_units() {
        assert!(check_counting(WorkingDays, EndOfWorkingDay).is_ok());
        assert!(check_counting(Hours, Counting::WorkingHours).is_ok());
        for u in OffsetUnit::ALL {
            assert!(check_counting(*u, SameTime).is_ok());
        }
        let e = check_counting(CalendarDays, EndOfWorkingDay).unwrap_err();
        assert!(e.contains("working_days"), "{e}");
        assert!(check_counting(WorkingDays, Counting::WorkingHours).is_err());
        assert!(check_counting(SameDay, EndOfWorkingDay).is_err());
    }

    #[test]
    fn late_may_and_august_bank_holidays_2026() {
        // Fri 22 May 15:00 BST → Tue 26 May (Mon 25 May is the spring bank holiday).
        assert_eq!(
            due(utc(2026, 5, 22, 14, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 5, 26, 14, 0)
        );
        // Fri 28 Aug → Tue 1 Sep (Mon 31 Aug is the summer bank holiday).
        assert_eq!(
            due(utc(2026, 8, 28, 9, 30), 1, WorkingDays, SameTime).at,
            utc(2026, 9, 1, 9, 30)
        );
        // Early May: Mon 4 May 2026. s42 decision, 2 working days from Fri 1 May 10:00 BST.
        assert_eq!(
            due(utc(2026, 5, 1, 9, 0), 2, WorkingDays, SameTime).at,
            utc(2026, 5, 6, 9, 0)
        );
    }

    #[test]
    fn icpc_fifteen_working_days_over_christmas_and_new_year() {
        // Mon 14 Dec 2026 10:00 GMT; skips 25 and 28 Dec and 1 Jan 2027 → Thu 7 Jan 2027.
        assert_eq!(
            due(utc(2026, 12, 14, 10, 0), 15, WorkingDays, SameTime).at,
            utc(2027, 1, 7, 10, 0)
        );
    }

    #[test]
    fn spring_clock_change_2026() {
        // Clocks go forward at 01:00 GMT on Sun 29 Mar 2026.
        // One calendar day from Sat 12:00 GMT is Sun 12:00 BST: only 23 hours later.
        let sat = utc(2026, 3, 28, 12, 0);
        assert_eq!(
            due(sat, 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 11, 0)
        );
        // Hours are hours.
        assert_eq!(due(sat, 24, Hours, SameTime).at, utc(2026, 3, 29, 12, 0));
        // 01:30 on Sunday does not exist: the deadline moves to 02:30 BST (01:30 UTC).
        assert_eq!(
            due(utc(2026, 3, 28, 1, 30), 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 1, 30)
        );
        // Home Office initial report: 1 calendar day from Sat 28 Mar 2026 20:00 GMT.
        assert_eq!(
            due(utc(2026, 3, 28, 20, 0), 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 19, 0)
        );
    }

    #[test]
    fn autumn_clock_change_2026() {
        // Clocks go back at 02:00 BST on Sun 25 Oct 2026.
        // Sat 12:00 BST + 1 calendar day = Sun 12:00 GMT: 25 hours later.
        assert_eq!(
            due(utc(2026, 10, 24, 11, 0), 1, CalendarDays, SameTime).at,
            utc(2026, 10, 25, 12, 0)
        );
        // 01:30 happens twice on Sunday: the earlier (BST, 00:30 UTC) is taken.
        assert_eq!(
            due(utc(2026, 10, 24, 0, 30), 1, CalendarDays, SameTime).at,
            utc(2026, 10, 25, 0, 30)
        );
        // Follow-up report, 3 calendar days from Fri 23 Oct 17:00 BST → Mon 26 Oct 17:00 GMT.
        assert_eq!(
            due(utc(2026, 10, 23, 16, 0), 3, CalendarDays, SameTime).at,
            utc(2026, 10, 26, 17, 0)
        );
    }

    #[test]
    fn calendar_months_end_at_the_month_end() {
        assert_eq!(
            due(utc(2026, 1, 31, 10, 0), 1, CalendarMonths, SameTime).at,
            utc(2026, 2, 28, 10, 0)
        );
        assert_eq!(
            due(utc(2028, 1, 31, 10, 0), 1, CalendarMonths, SameTime).at,
            utc(2028, 2, 29, 10, 0)
        );
        // 30 Nov 2026 10:00 GMT + 1 month = 30 Dec 2026, same time.
        assert_eq!(
            due(utc(2026, 11, 30, 10, 0), 1, CalendarMonths, SameTime).at,
            utc(2026, 12, 30, 10, 0)
        );
        // Across the spring change: 15 Mar 12:00 GMT → 15 Apr 12:00 BST (11:00 UTC).
        assert_eq!(
            due(utc(2026, 3, 15, 12, 0), 1, CalendarMonths, SameTime).at,
            utc(2026, 4, 15, 11, 0)
        );
    }

    #[test]
    fn same_day_is_the_end_of_the_uk_day() {
        assert_eq!(
            due(utc(2026, 11, 23, 9, 0), 0, SameDay, SameTime).at,
            utc(2026, 11, 23, 23, 59)
        );
        // In summer the UK day ends at 22:59 UTC.
        assert_eq!(
            due(utc(2026, 7, 1, 9, 0), 0, SameDay, SameTime).at,
            utc(2026, 7, 1, 22, 59)
        );
        // 23:30 UTC on 1 July is already 2 July in the UK.
        assert_eq!(
            due(utc(2026, 7, 1, 23, 30), 0, SameDay, SameTime).at,
            utc(2026, 7, 2, 22, 59)
        );
    }

    #[test]
    fn past_the_known_holidays_the_date_is_flagged() {
        // Known through 2027. Thu 30 Dec 2027 + 1 working day = Fri 31 Dec: known.
        let d = due(utc(2027, 12, 30, 10, 0), 1, WorkingDays, SameTime);
        assert_eq!(d.at, utc(2027, 12, 31, 10, 0));
        assert!(!d.beyond_calendar);
        // + 2 working days lands in 2028, whose holidays are not loaded (and 3 Jan
        // 2028 is in fact a substitute New Year holiday): flagged, never silent.
        let d = due(utc(2027, 12, 30, 10, 0), 2, WorkingDays, SameTime);
        assert_eq!(d.at, utc(2028, 1, 3, 10, 0));
        assert!(d.beyond_calendar);
        // Calendar days do not depend on holidays and are never flagged.
        assert!(!due(utc(2027, 12, 30, 10, 0), 5, CalendarDays, SameTime).beyond_calendar);
        // An empty calendar knows nothing.
        let (h, empty) = (WorkingHours::office(), WorkingCalendar::default());
        let none = due_after(
            utc(2026, 11, 23, 9, 0),
            1,
            WorkingDays,
            SameTime,
            &WorkingTime::new(&h, &empty),
        );
        assert!(none.beyond_calendar);
        assert_eq!(cal().known_through(), Some(2027));
    }

    #[test]
    fn bundled_holidays_are_the_real_dates() {
        let h = parse_govuk(BUNDLED_HOLIDAYS, "england-and-wales").unwrap();
        let dates: Vec<String> = h.iter().map(|b| b.date.to_string()).collect();
        assert_eq!(h.len(), 24);
        for d in [
            "2025-04-18",
            "2025-04-21",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28",
            "2027-03-26",
            "2027-03-29",
            "2027-05-31",
            "2027-12-27",
            "2027-12-28",
        ] {
            assert!(dates.contains(&d.to_string()), "{d} missing");
        }
    }

    #[test]
    fn bad_files_are_refused_whole() {
        assert!(matches!(
            parse_govuk("[]", "england-and-wales"),
            Err(HolidayFileError::Shape(_))
        ));
        assert!(matches!(
            parse_govuk(r#"{"scotland":{"events":[]}}"#, "england-and-wales"),
            Err(HolidayFileError::NoDivision(_))
        ));
        let bad = r#"{"england-and-wales":{"events":[
            {"title":"New Year's Day","date":"2026-01-01"},
            {"title":"Odd","date":"2026-13-01"}]}}"#;
        assert!(matches!(
            parse_govuk(bad, "england-and-wales"),
            Err(HolidayFileError::BadDate { index: 1, .. })
        ));
    }

    fn file(dates: &[&str]) -> String {
        let events: Vec<String> = dates
            .iter()
            .map(|d| format!(r#"{{"title":"Holiday","date":"{d}","notes":"","bunting":true}}"#))
            .collect();
        format!(
            r#"{{"england-and-wales":{{"division":"england-and-wales","events":[{}]}}}}"#,
            events.join(",")
        )
    }

    #[test]
    fn files_that_cannot_be_right_are_refused() {
        let real: Vec<&str> = vec![
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28",
        ];
        assert_eq!(
            parse_govuk(&file(&real), "england-and-wales")
                .unwrap()
                .len(),
            8
        );
        // Every day of a month a holiday.
        let month: Vec<String> = (1..=28).map(|d| format!("2026-02-{d:02}")).collect();
        let month: Vec<&str> = month.iter().map(String::as_str).collect();
        let e = parse_govuk(&file(&month), "england-and-wales").unwrap_err();
        assert!(e.to_string().contains("28 bank holidays in 2026"), "{e}");
        // A stray date outside the years the file covers.
        let mut stray = real.clone();
        stray.push("2062-12-25");
        let e = parse_govuk(&file(&stray), "england-and-wales").unwrap_err();
        assert!(e.to_string().contains("2062"), "{e}");
        // A year missing between two others.
        let mut gap = real.clone();
        let later: Vec<String> = real.iter().map(|d| d.replace("2026", "2028")).collect();
        gap.extend(later.iter().map(String::as_str));
        let e = parse_govuk(&file(&gap), "england-and-wales").unwrap_err();
        assert!(e.to_string().contains("jumps from 2026 to 2028"), "{e}");
        // A date twice.
        let mut twice = real.clone();
        twice.push("2026-12-25");
        assert!(parse_govuk(&file(&twice), "england-and-wales").is_err());
    }

    #[test]
    fn the_feeds_notes_are_kept() {
        let h = parse_govuk(BUNDLED_HOLIDAYS, "england-and-wales").unwrap();
        let boxing = h
            .iter()
            .find(|b| b.date == NaiveDate::from_ymd_opt(2026, 12, 28).unwrap())
            .unwrap();
        assert_eq!(boxing.notes, "Substitute day");
    }

    #[test]
    fn times_are_read_as_people_type_them() {
        // Monday 23 November 2026, 09:00 GMT.
        let now = utc(2026, 11, 23, 9, 0);
        let ok = |t: &str| parse_when(t, now).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(ok("08:15"), utc(2026, 11, 23, 8, 15));
        assert_eq!(ok("8.15"), utc(2026, 11, 23, 8, 15));
        assert_eq!(ok("now"), now);
        assert_eq!(ok("yesterday 18:00"), utc(2026, 11, 22, 18, 0));
        assert_eq!(ok("Fri 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("friday 3pm"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("20/11/2026 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("20/11/26 3:30pm"), utc(2026, 11, 20, 15, 30));
        assert_eq!(ok("20/11 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("15:00 20/11/2026"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("20 Nov 2026 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("20 November, 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("2026-11-20 15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("2026-11-20T15:00"), utc(2026, 11, 20, 15, 0));
        assert_eq!(ok("2026-11-20T15:00:00Z"), utc(2026, 11, 20, 15, 0));
        // Summer dates are BST: 15:00 on 1 July is 14:00 UTC.
        assert_eq!(ok("01/07/2026 15:00"), utc(2026, 7, 1, 14, 0));
        // A day and month with no year is the latest one not ahead: 24/12 is
        // last Christmas Eve.
        assert_eq!(ok("24/12 10:00"), utc(2025, 12, 24, 10, 0));
        // Monday 10:00 typed on Monday at 09:00 is last Monday.
        assert_eq!(ok("Mon 10:00"), utc(2026, 11, 16, 10, 0));
        // In the hour the clocks go back, the earlier (BST) instant.
        assert_eq!(ok("25/10/2026 01:30"), utc(2026, 10, 25, 0, 30));
        for (bad, why) in [
            ("10:00", "future"),
            ("tomorrow 09:00", "future"),
            ("24/11/2026 08:00", "future"),
            ("20/11/2026", "has no time"),
            ("29/03/2026 01:30", "clocks went forward"),
            ("31/11/2026 10:00", "not a date"),
            ("Sat 20/11/2026 10:00", "not a Sat"),
            ("25:00", "not a date"),
            ("", "no time"),
            ("2026-11-24T10:00:00Z", "future"),
        ] {
            let e = parse_when(bad, now).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn winter_is_gmt_summer_is_bst() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 22, 14, 40, 0).unwrap();
        assert_eq!(format_clock(winter), "Sun 22 Nov 2026 14:40 GMT");
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 0).unwrap();
        assert_eq!(format_clock(summer), "Wed 01 Jul 2026 09:30 BST");
    }

    #[test]
    fn stamps_follow_the_clock_change() {
        // 2026-03-29 01:00 UTC is when BST starts.
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(format_stamp(before), "29 Mar 2026 00:59");
        assert_eq!(format_stamp(after), "29 Mar 2026 02:00");
    }
}
