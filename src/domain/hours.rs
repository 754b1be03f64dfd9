//! Opening hours: is a service open at a moment, UK time? Bank holidays count
//! as closed unless the service opens on them.

use super::calendar::local;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};

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

    #[test]
    fn rutland_office_hours_in_uk_time() {
        let none = |_| false;
        let at = |mo, d, h, mi| Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap();
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
