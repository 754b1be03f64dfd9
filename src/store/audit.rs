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

/// What `dutydesk verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Problems, each a sentence; empty means the database is sound.
    pub problems: Vec<String>,
    pub audit_rows: i64,
}

/// Every table, index and trigger a database holds: (type, name, SQL). One
/// dropped or changed no longer protects the audit trail, keeps a cache or
/// serves a query as dutydesk expects.
fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))?;
    rows.collect()
}

/// The same SQL but for spacing and line breaks.
fn same_sql(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Tallies kept by triggers, each with the query that recounts it: rows in
/// one and not the other mean a trigger was bypassed.
const KEPT: &[(&str, &str, &str)] = &[
    (
        "referrals_pending",
        "SELECT escalation_id, n FROM referrals_pending",
        "SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
         WHERE e.status <> 'closed' AND r.outcome IS NULL GROUP BY e.id",
    ),
    (
        "deadlines_restricted",
        "SELECT deadline_id, escalation_id, due_at, met_at, waived_at FROM deadlines_restricted",
        "SELECT d.id, d.escalation_id, d.due_at, d.met_at, d.waived_at
         FROM deadlines d JOIN escalations e ON e.id = d.escalation_id WHERE e.restricted = 1",
    ),
];

/// SQLite's integrity and foreign-key checks, the schema (every table, index
/// and trigger as dutydesk defines it), the tallies triggers keep, and the
/// audit chain (reporting its first broken row).
pub fn verify(conn: &Connection) -> rusqlite::Result<Report> {
    let mut r = Report::default();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |x| x.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if rows != ["ok"] {
        for row in rows.into_iter().take(10) {
            r.problems.push(format!("integrity: {row}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let fk: Vec<(String, i64, String)> = stmt
        .query_map([], |x| {
            Ok((
                x.get(0)?,
                x.get::<_, Option<i64>>(1)?.unwrap_or(0),
                x.get(2)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (table, rowid, parent) in fk.into_iter().take(10) {
        r.problems.push(format!(
            "foreign key: {table} row {rowid} points at a missing {parent}"
        ));
    }
    // The schema as this dutydesk defines it, against the file's.
    let want = {
        let mem = Connection::open_in_memory()?;
        mem.execute_batch(super::migrate::SCHEMA)?;
        schema_objects(&mem)?
    };
    let have = schema_objects(conn)?;
    for (kind, name, sql) in &want {
        match have.iter().find(|(k, n, _)| k == kind && n == name) {
            None => r.problems.push(format!(
                "{kind} {name} is missing: the schema was altered outside dutydesk"
            )),
            Some((_, _, found)) if !same_sql(found, sql) => r.problems.push(format!(
                "{kind} {name} differs from dutydesk's schema: it was altered outside dutydesk"
            )),
            Some(_) => {}
        }
    }
    if r.problems.is_empty() {
        for (table, kept, recount) in KEPT {
            let wrong: i64 = conn.query_row(
                &format!(
                    "SELECT (SELECT count(*) FROM ({kept} EXCEPT {recount}))
                          + (SELECT count(*) FROM ({recount} EXCEPT {kept}))"
                ),
                [],
                |x| x.get(0),
            )?;
            if wrong > 0 {
                r.problems.push(format!(
                    "{table} disagrees with the records in {wrong} row(s): changed outside dutydesk"
                ));
            }
        }
    }
    r.audit_rows = conn.query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))?;
    if let Some(id) = first_broken(conn)? {
        r.problems.push(format!(
            "audit trail: row {id} does not match the chain (changed, removed or inserted outside dutydesk)"
        ));
    }
    Ok(r)
}
