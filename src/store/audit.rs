//! The append-only, hash-chained audit trail. Each row carries the hash of the
//! one before, so removing or editing a row (even with the triggers dropped)
//! breaks the chain from that row on.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the very first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row before it is chained.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// sha256 over the previous hash and every field, each length-prefixed so no
/// two different rows can produce the same input.
pub fn hash(prev: &str, e: &Entry<'_>) -> String {
    let mut h = Sha256::new();
    let at = e.at.to_string();
    for part in [
        Some(prev),
        Some(at.as_str()),
        Some(e.actor),
        Some(e.action),
        Some(e.entity),
        e.entity_id,
        e.detail,
    ] {
        match part {
            Some(s) => {
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `e` after the current last row. Call inside a write transaction:
/// the IMMEDIATE lock keeps two sessions from chaining onto the same row.
pub fn append(conn: &Connection, e: &Entry<'_>) -> rusqlite::Result<()> {
    let prev: String = conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let h = hash(&prev, e);
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            e.at,
            e.actor,
            e.action,
            e.entity,
            e.entity_id,
            e.detail,
            prev,
            h
        ],
    )?;
    Ok(())
}

/// Walks the chain and returns the id of the first row whose links do not
/// hold, or `None` when the whole trail is intact.
pub fn first_broken(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let (actor, action, entity): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let (entity_id, detail): (Option<String>, Option<String>) = (r.get(5)?, r.get(6)?);
        let e = Entry {
            at: r.get(1)?,
            actor: &actor,
            action: &action,
            entity: &entity,
            entity_id: entity_id.as_deref(),
            detail: detail.as_deref(),
        };
        let (stored_prev, stored_hash): (String, String) = (r.get(7)?, r.get(8)?);
        if stored_prev != prev || hash(&prev, &e) != stored_hash {
            return Ok(Some(id));
        }
        prev = stored_hash;
    }
    Ok(None)
}
