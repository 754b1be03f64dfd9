//! How far away a deadline is, and how urgent that makes it.
//!
//! One function formats every countdown on the screen (deadlines panel, the
//! escalation list's "next deadline" column, notifications), so they always agree.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Urgency of an open deadline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Overdue,
    DueSoon,
    Ok,
}

/// Overdue once `now` reaches `due`; due soon within `warn` before it.
pub fn due_status(due: DateTime<Utc>, now: DateTime<Utc>, warn: Duration) -> DueStatus {
    if now >= due {
        DueStatus::Overdue
    } else if due - now <= warn {
        DueStatus::DueSoon
    } else {
        DueStatus::Ok
    }
}

/// The default warning window, until rules carry their own.
pub const DEFAULT_WARN: Duration = Duration::hours(4);

/// "45m", "2h 14m", "1d 3h", "12d", or "OVERDUE 40m".
///
/// Time left is rounded up (a deadline 30 s away reads "1m", never "0m");
/// time overdue is rounded down, with "<1m" for the first minute.
pub fn countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if now >= due {
        let mins = (now - due).num_minutes();
        if mins < 1 {
            "OVERDUE <1m".to_string()
        } else {
            format!("OVERDUE {}", span(mins))
        }
    } else {
        let secs = (due - now).num_seconds();
        span((secs + 59) / 60)
    }
}

/// Hours stop mattering (and stop fitting the column) beyond ten days.
fn span(mins: i64) -> String {
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    if d >= 10 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, s).unwrap()
    }

    #[test]
    fn countdown_formats() {
        let now = at(9, 0, 0);
        assert_eq!(countdown(at(11, 14, 0), now), "2h 14m");
        assert_eq!(countdown(at(9, 45, 0), now), "45m");
        assert_eq!(countdown(at(9, 0, 30), now), "1m");
        assert_eq!(countdown(now + Duration::hours(27), now), "1d 3h");
        assert_eq!(countdown(now + Duration::days(9), now), "9d 0h");
        assert_eq!(countdown(now + Duration::days(12), now), "12d");
        assert_eq!(countdown(now - Duration::days(1803), now), "OVERDUE 1803d");
        assert_eq!(countdown(at(8, 20, 0), now), "OVERDUE 40m");
        assert_eq!(countdown(now, now), "OVERDUE <1m");
        assert_eq!(countdown(now - Duration::hours(50), now), "OVERDUE 2d 2h");
    }

    #[test]
    fn status_edges() {
        let now = at(9, 0, 0);
        let warn = Duration::hours(4);
        assert_eq!(due_status(now, now, warn), DueStatus::Overdue);
        assert_eq!(due_status(at(8, 59, 59), now, warn), DueStatus::Overdue);
        assert_eq!(due_status(at(13, 0, 0), now, warn), DueStatus::DueSoon);
        assert_eq!(due_status(at(13, 0, 1), now, warn), DueStatus::Ok);
    }
}
