//! Where "now" comes from. The real clock in use; a fixed instant for tests and
//! demos (`DUTYDESK_NOW`), never honoured when the binary runs setgid, and
//! refused by `store::open` on any database but a demo one
//! (`identity::check_overrides`), so no real record carries a chosen time.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

/// A source of the current time, passed to everything that needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// `DUTYDESK_NOW` (RFC 3339) if set, else the system clock. Refused under
    /// setgid or setuid; whether the database is a demo one is checked when it
    /// is opened (every command opens one before it reads or writes a record).
    pub fn from_env() -> Result<Clock> {
        match std::env::var("DUTYDESK_NOW") {
            Ok(v) if !v.is_empty() => {
                if crate::identity::is_privileged() {
                    bail!(
                        "DUTYDESK_NOW is refused when dutydesk runs setgid or setuid: unset it (`unset DUTYDESK_NOW`); the desk uses the system clock"
                    );
                }
                Clock::parse(&v)
            }
            _ => Ok(Clock::System),
        }
    }

    /// A fixed clock from an RFC 3339 string, e.g. `2026-11-23T09:00:00Z`.
    pub fn parse(v: &str) -> Result<Clock> {
        let at = DateTime::parse_from_rfc3339(v).with_context(|| {
            format!("DUTYDESK_NOW={v:?} is not an RFC 3339 time such as 2026-11-23T09:00:00Z")
        })?;
        Ok(Clock::Fixed(at.with_timezone(&Utc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets() {
        let c = Clock::parse("2026-07-01T09:30:00+01:00").unwrap();
        assert_eq!(c.now().to_rfc3339(), "2026-07-01T08:30:00+00:00");
        assert!(Clock::parse("yesterday").is_err());
    }
}
