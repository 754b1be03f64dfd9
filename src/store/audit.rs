//! The append-only, hash-chained audit trail. Each row carries the hash of the
//! one before, so removing or editing a row (even with the triggers dropped)
//! breaks the chain from that row on. A row may also carry the digests of the
//! chronology and referral rows its write added (`covers`, schema v5), so
//! those are bound into the chain too (see [`super::tamper`]).

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
    /// What the write covered (schema v5), e.g. `chronology 120-123 4 <sha256>`;
    /// `None` on rows that cover nothing and on every row written before v5.
    pub covers: Option<&'a str>,
}

/// sha256 over the previous hash and every field, each length-prefixed so no
/// two different rows can produce the same input. `covers` is hashed only
/// when present (after the other fields), so rows written before schema v5,
/// which have none, keep the hash they were written with.
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
    if let Some(c) = e.covers {
        h.update((c.len() as u64).to_be_bytes());
        h.update(c.as_bytes());
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
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail, prev_hash, hash, covers)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.at,
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.detail,
        prev,
        h,
        e.covers
    ])?;
    Ok(())
}

/// The newest row's id and hash: the chain's head, as anchored outside the
/// database. `None` for an empty trail.
pub fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// How many rows the trail holds (from the primary key; cheap).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))
}

/// Walks the chain and returns the id of the first row whose links do not
/// hold, or `None` when the whole trail is intact.
pub fn first_broken(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash, covers
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let (actor, action, entity): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let (entity_id, detail): (Option<String>, Option<String>) = (r.get(5)?, r.get(6)?);
        let covers: Option<String> = r.get(9)?;
        let e = Entry {
            at: r.get(1)?,
            actor: &actor,
            action: &action,
            entity: &entity,
            entity_id: entity_id.as_deref(),
            detail: detail.as_deref(),
            covers: covers.as_deref(),
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
    /// The chain's head (id, hash) as checked: what a clean run anchors.
    pub head: Option<(i64, String)>,
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
        "escalations_open_tally",
        "SELECT id, n FROM escalations_open_tally",
        "SELECT 1, count(*) FROM escalations WHERE status <> 'closed'",
    ),
    (
        "escalations_queue_tally",
        "SELECT rank, nodue, bucket, n FROM escalations_queue_tally",
        "SELECT CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, next_due_at IS NULL,
            CASE WHEN next_due_at IS NULL THEN raised_at / 86400 ELSE next_due_at / 3600 END, count(*)
         FROM escalations WHERE status <> 'closed' GROUP BY 1, 2, 3",
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
/// trail itself ([`super::tamper::check`]: the chain and its first broken row,
/// gaps in its ids, the chronology and referrals it covers, each escalation's
/// restriction and names, the demo mark). Anchors outside the database are
/// compared by the caller ([`super::tamper::check_anchors`]), since only it
/// knows where they are kept. Reads only; memory stays bounded at any size.
/// Escalations are named by internal number only (e.g. for a backup's copy);
/// see [`verify_as`].
pub fn verify(conn: &Connection) -> super::Result<Report> {
    verify_as(conn, None)
}

/// [`verify`], naming the escalations `viewer` may see by reference.
pub fn verify_as(
    conn: &Connection,
    viewer: Option<super::access::Viewer>,
) -> super::Result<Report> {
    // One read snapshot for every check, so other sessions' writes meanwhile
    // (a note, an outcome, a restriction) cannot look like tampering. Nothing
    // is written: dropping it ends the read.
    let _snapshot = conn.unchecked_transaction()?;
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
    r.audit_rows = count(conn)?;
    r.head = head(conn)?;
    super::tamper::check(conn, viewer, &mut r.problems)?;
    Ok(r)
}
