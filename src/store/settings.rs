//! Organisation-wide settings: a small key/value table.

use super::{Result, Store, Write};
use rusqlite::{OptionalExtension, params};

/// The organisation's name, shown in the header.
pub const ORG_NAME: &str = "org_name";
/// Set on demo databases: fictional data, anyone running `demo` may join.
pub const DEMO: &str = "demo";

pub fn get(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(store
        .conn()
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .map(|v| crate::domain::text::clean_line(&v)))
}

pub fn set(w: &mut Write<'_>, key: &str, value: &str) -> Result<()> {
    w.tx().execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    w.audit("set", "setting", Some(key), Some(value))
}
