//! Organisation-wide settings: a small key/value table, read and written
//! through the typed settings in `domain::settings` (one place parses and
//! checks every value, for `settings set` and for every reader).

use super::{Result, Store, StoreError, Write};
use crate::domain::settings::{Key, Settings};
use rusqlite::{OptionalExtension, params};

/// The organisation's name, shown in the header.
pub const ORG_NAME: &str = "org_name";
/// Set on demo databases: fictional data, anyone running `demo` may join.
pub const DEMO: &str = "demo";
/// Whose bank holidays count as non-working days (default england-and-wales).
pub const HOLIDAY_DIVISION: &str = "holiday_division";
/// The outcomes a DSL may close with, comma-separated (default:
/// `domain::settings::DEFAULT_OUTCOMES`).
pub const CLOSURE_OUTCOMES: &str = "closure_outcomes";
/// Minutes a new escalation may wait unacknowledged before it is announced
/// again (default 15; 5 when there is immediate risk).
pub const ACK_MINUTES: &str = "ack_minutes";
/// The organisation's working hours (default Mon-Fri 09:00-17:00), for rules
/// counted in working days or hours that name no route with hours of its own.
pub const WORKING_HOURS: &str = "working_hours";

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

/// Every setting, typed, and a problem for each stored value that does not
/// parse (its default is used: `settings list` shows the problem).
pub fn load_checked(conn: &rusqlite::Connection) -> Result<(Settings, Vec<String>)> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings")?;
    let pairs = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Settings::from_stored(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}

/// Every setting, typed (defaults where none is stored or a stored one does
/// not parse).
pub fn load(conn: &rusqlite::Connection) -> Result<Settings> {
    Ok(load_checked(conn)?.0)
}

/// The organisation's name, for the header and reports.
pub fn org_name(store: &Store) -> Result<String> {
    Ok(load(store.conn())?.org_name)
}

/// The bank-holiday division in force.
pub fn division(conn: &rusqlite::Connection) -> Result<String> {
    Ok(load(conn)?.holiday_division)
}

/// Stores a value as it is, audited: for values the code itself chose (the
/// organisation's name at `init`, the demo mark). People's changes go
/// through [`change`].
pub fn set(w: &mut Write<'_>, key: &str, value: &str) -> Result<()> {
    w.tx().execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    w.audit("set", "setting", Some(key), Some(value))
}

/// A DSL's or senior lead's change to a setting (`dutydesk settings set`):
/// the key and value are checked by `domain::settings` (the refusal names
/// the valid values), a holiday division must have holidays loaded, and
/// nothing is written when refused. Returns the value as stored.
pub fn change(w: &mut Write<'_>, key: &str, value: &str) -> Result<String> {
    super::staff::require_manager(w, "change settings")?;
    let k = crate::domain::settings::key(key).map_err(StoreError::Invalid)?;
    let v = crate::domain::settings::parse(k, value).map_err(StoreError::Invalid)?;
    if k == Key::HolidayDivision {
        let n: i64 = w.tx().query_row(
            "SELECT count(*) FROM bank_holidays WHERE division = ?1",
            [&v],
            |r| r.get(0),
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "no {v} bank holidays are loaded, so every day would count as a working day: import them first (`dutydesk holidays import bank-holidays.json --division {v}`)"
            )));
        }
    }
    set(w, k.code(), &v)?;
    Ok(v)
}
