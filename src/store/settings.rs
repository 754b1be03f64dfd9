//! Organisation-wide settings: a small key/value table.

use super::{Result, Store, Write};
use rusqlite::{OptionalExtension, params};

/// The organisation's name, shown in the header.
pub const ORG_NAME: &str = "org_name";
/// Set on demo databases: fictional data, anyone running `demo` may join.
pub const DEMO: &str = "demo";

/// How day-counted deadlines end: `same_time` or `end_of_day` (see
/// domain::calendar::Counting). Changing it affects deadlines set afterwards.
pub const DEADLINE_COUNTING: &str = "deadline_counting";
/// Whose bank holidays count as non-working days (default england-and-wales).
pub const HOLIDAY_DIVISION: &str = "holiday_division";

/// The outcomes a DSL may close with, comma-separated (default: workflow::DEFAULT_OUTCOMES).
pub const CLOSURE_OUTCOMES: &str = "closure_outcomes";
/// Minutes a new escalation may wait unacknowledged before it is announced
/// again (default 15; 5 when there is immediate risk).
pub const ACK_MINUTES: &str = "ack_minutes";

/// The settings `dutydesk settings set` accepts, with the values each allows
/// (empty: any single line).
pub const KNOWN: &[(&str, &[&str])] = &[
    (ORG_NAME, &[]),
    (DEADLINE_COUNTING, &["same_time", "end_of_day"]),
    (HOLIDAY_DIVISION, crate::domain::calendar::DIVISIONS),
    (CLOSURE_OUTCOMES, &[]),
    (ACK_MINUTES, &[]),
];

pub fn get(store: &Store, key: &str) -> Result<Option<String>> {
    get_in(store.conn(), key)
}

/// The same, inside a write.
pub fn get_in(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .map(|v| crate::domain::text::clean_line(&v)))
}

/// The counting convention in force.
pub fn counting(conn: &rusqlite::Connection) -> Result<crate::domain::calendar::Counting> {
    Ok(get_in(conn, DEADLINE_COUNTING)?
        .and_then(|v| crate::domain::calendar::Counting::from_code(&v))
        .unwrap_or(crate::domain::calendar::Counting::SameTime))
}

/// The bank-holiday division in force.
pub fn division(conn: &rusqlite::Connection) -> Result<String> {
    Ok(get_in(conn, HOLIDAY_DIVISION)?.unwrap_or_else(|| "england-and-wales".into()))
}

pub fn set(w: &mut Write<'_>, key: &str, value: &str) -> Result<()> {
    w.tx().execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    w.audit("set", "setting", Some(key), Some(value))
}
