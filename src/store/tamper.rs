//! Tamper evidence beyond the chain itself: what someone with write access to
//! the file, willing to drop triggers and re-hash, could change without
//! `dutydesk verify` noticing, made noticeable (issue 14, point 8).
//!
//! * **Covered rows.** Chronology and referral rows are bound into the hash
//!   chain: the last audit row of the write that added them carries their
//!   digest in `covers` ([`covers_since`], called by `Store::write` at commit),
//!   and the write that records a referral's outcome covers that outcome.
//!   Rows are found by id, not by the code that wrote them: every chronology
//!   or referral row with an id above the table's largest when the write began
//!   is the write's own (ids are `max + 1` under the write lock, and rows are
//!   never deleted), and a temporary trigger on this connection notes each
//!   outcome recorded.
//! * **One streaming walk** ([`check`]): the chain and its first broken row,
//!   gaps in its ids, every covered digest recomputed (a covered row changed,
//!   a covered row missing, a row no audit row covers), each escalation's
//!   restricted flag and named/excluded staff against the latest `access` row
//!   for it, and the `demo` mark against the row that records the database's
//!   creation. Covers come in id order, so the chronology and referrals are
//!   each read once, in step with the trail: memory stays bounded (a sparse
//!   bitset of referrals with a covered outcome, the latest access state of
//!   each restricted or named case) at a million escalations.
//! * **Anchors** ([`check_anchors`]): chain heads recorded outside the
//!   database. A trail cut back, or rewritten and consistently re-hashed, no
//!   longer matches them.
//!
//! Problems name rows by id and escalations by reference only when the
//! viewer may see them, and never quote a record's words or staff names.

use super::access::{self, Viewer};
use super::audit::{self, Entry, GENESIS};
use super::{Result, settings};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The access state of an escalation the trail never restricted or named
/// anyone on: what [`access::state`] says of an ordinary case.
pub const UNRESTRICTED: &str = "restricted=0; named=; excluded=";

/// Who writes the rows a migration adds to the trail (no person does).
pub const MIGRATION_ACTOR: &str = "dutydesk";

/// At most this many problems of one kind are listed; the rest are counted.
const SHOWN: usize = 10;

/// A table whose rows the trail covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Chronology,
    Referral,
}

impl Table {
    const ALL: [Table; 2] = [Table::Chronology, Table::Referral];

    /// The word used in `covers` and in messages.
    fn word(self) -> &'static str {
        match self {
            Table::Chronology => "chronology",
            Table::Referral => "referral",
        }
    }

    fn from_word(w: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.word() == w)
    }

    /// The columns digested, in order; `id` first and `escalation_id` second.
    /// A referral's outcome is not among them: it is covered when recorded.
    fn select(self) -> &'static str {
        match self {
            Table::Chronology => {
                "SELECT id, escalation_id, at, author_id, kind, body, parties FROM chronology"
            }
            Table::Referral => {
                "SELECT id, escalation_id, route, contact_id, method, agency_reference,
                    shared_what, shared_why, lawful_basis, made_by, made_at, phone_rung
                 FROM referrals"
            }
        }
    }

    fn width(self) -> usize {
        match self {
            Table::Chronology => 6,
            Table::Referral => 11,
        }
    }
}

/// Appends one column value to `buf`, tagged by type and length-prefixed, so
/// no two different rows encode alike (whatever an attacker stores in a column).
fn put(buf: &mut Vec<u8>, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => buf.push(0),
        ValueRef::Integer(i) => {
            buf.push(1);
            buf.extend_from_slice(&i.to_be_bytes());
        }
        ValueRef::Real(f) => {
            buf.push(2);
            buf.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        ValueRef::Text(t) => {
            buf.push(3);
            buf.extend_from_slice(&(t.len() as u64).to_be_bytes());
            buf.extend_from_slice(t);
        }
        ValueRef::Blob(b) => {
            buf.push(4);
            buf.extend_from_slice(&(b.len() as u64).to_be_bytes());
            buf.extend_from_slice(b);
        }
    }
}

/// A row's first `width` columns, encoded into `buf` (cleared first). A
/// column after them (a referral's `phone_rung`, schema v6; a chronology
/// line's `parties`, schema v12) is appended only when present, so rows
/// covered before it existed still verify and a value added, changed or
/// removed later does not.
fn encode(row: &Row<'_>, width: usize, buf: &mut Vec<u8>) -> rusqlite::Result<()> {
    buf.clear();
    for i in 0..width {
        put(buf, row.get_ref(i)?);
    }
    if row.as_ref().column_count() > width {
        let extra = row.get_ref(width)?;
        if extra != ValueRef::Null {
            put(buf, extra);
        }
    }
    Ok(())
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One thing an audit row covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// The `n` rows of `table` with ids `lo..=hi` (all of them when
    /// `n = hi - lo + 1`), digested in id order.
    Rows {
        table: Table,
        lo: i64,
        hi: i64,
        n: i64,
        digest: String,
    },
    /// The outcome (`id, outcome, outcome_at`) of each referral listed, in id order.
    Outcomes {
        ranges: Vec<(i64, i64)>,
        digest: String,
    },
}

/// `chronology 120-123 4 <hex>; outcome 5,9-10 <hex>`.
fn format_parts(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Rows {
                table,
                lo,
                hi,
                n,
                digest,
            } => format!("{} {lo}-{hi} {n} {digest}", table.word()),
            Part::Outcomes { ranges, digest } => {
                let list: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect();
                format!("outcome {} {digest}", list.join(","))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse_range(s: &str) -> Option<(i64, i64)> {
    match s.split_once('-') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => {
            let a = s.parse().ok()?;
            Some((a, a))
        }
    }
    .filter(|(a, b)| a <= b)
}

/// The parts of a `covers` value; `None` when it is not one dutydesk wrote.
fn parse_parts(s: &str) -> Option<Vec<Part>> {
    s.split("; ")
        .map(|part| {
            let words: Vec<&str> = part.split(' ').collect();
            let digest = |d: &str| {
                (d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit())).then(|| d.to_string())
            };
            match words.as_slice() {
                ["outcome", list, d] => Some(Part::Outcomes {
                    ranges: list
                        .split(',')
                        .map(parse_range)
                        .collect::<Option<Vec<_>>>()?,
                    digest: digest(d)?,
                }),
                [word, range, n, d] => {
                    let (lo, hi) = parse_range(range)?;
                    let n: i64 = n.parse().ok()?;
                    (n >= 0 && n <= hi - lo + 1).then_some(())?;
                    Some(Part::Rows {
                        table: Table::from_word(word)?,
                        lo,
                        hi,
                        n,
                        digest: digest(d)?,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// Sorted ids as ranges: 5,6,7,9 → (5,7),(9,9).
fn ranges(ids: &[i64]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &id in ids {
        match out.last_mut() {
            Some((_, b)) if *b + 1 == id => *b = id,
            _ => out.push((id, id)),
        }
    }
    out
}

/// Where the chronology and referrals ended when a write began: rows above
/// these ids are the write's own.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Marks {
    chronology: i64,
    referral: i64,
}

/// A temporary table and trigger on this connection (never in the file's
/// schema) noting each referral whose outcome a write records.
const NOTE_OUTCOMES: &str = "
    CREATE TEMP TABLE IF NOT EXISTS dutydesk_outcomes_recorded (id INTEGER PRIMARY KEY);
    CREATE TEMP TRIGGER IF NOT EXISTS dutydesk_note_outcome
    AFTER UPDATE OF outcome, outcome_at ON main.referrals BEGIN
        INSERT OR IGNORE INTO dutydesk_outcomes_recorded (id) VALUES (NEW.id);
    END;";

/// Sets up this connection to note outcomes recorded (once, before its first write).
pub(crate) fn prepare(conn: &Connection) -> Result<()> {
    conn.execute_batch(NOTE_OUTCOMES)?;
    Ok(())
}

/// The marks at the start of a write (inside its transaction).
pub(crate) fn marks(conn: &Connection) -> Result<Marks> {
    let max =
        |sql: &str| -> Result<i64> { Ok(conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?) };
    Ok(Marks {
        chronology: max("SELECT coalesce(max(id), 0) FROM chronology")?,
        referral: max("SELECT coalesce(max(id), 0) FROM referrals")?,
    })
}

/// The rows of `table` above `after`, digested.
fn rows_part(conn: &Connection, table: Table, after: i64) -> Result<Option<Part>> {
    let mut stmt = conn.prepare_cached(&format!("{} WHERE id > ?1 ORDER BY id", table.select()))?;
    let mut rows = stmt.query([after])?;
    let (mut h, mut buf, mut n, mut lo, mut hi) = (Sha256::new(), Vec::new(), 0i64, 0i64, 0i64);
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if n == 0 {
            lo = id;
        }
        hi = id;
        n += 1;
        encode(r, table.width(), &mut buf)?;
        h.update(&buf);
    }
    Ok((n > 0).then(|| Part::Rows {
        table,
        lo,
        hi,
        n,
        digest: hex(h),
    }))
}

/// The digest of the outcomes of referrals `ids` (sorted), and how many of
/// them exist.
fn outcome_digest(
    conn: &Connection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(String, usize, usize)> {
    let mut stmt =
        conn.prepare_cached("SELECT id, outcome, outcome_at FROM referrals WHERE id = ?1")?;
    let (mut h, mut buf, mut found, mut asked) = (Sha256::new(), Vec::new(), 0, 0);
    for id in ids {
        asked += 1;
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            encode(r, 3, &mut buf)?;
            h.update(&buf);
            found += 1;
        }
    }
    Ok((hex(h), found, asked))
}

/// What a write covered since `m`: its chronology and referral rows and the
/// outcomes it recorded, as the `covers` text of its last audit row; `None`
/// when it added none. `noted` says whether this connection notes outcomes
/// ([`prepare`]); the migration, which records none, passes false.
pub(crate) fn covers_since(conn: &Connection, m: Marks, noted: bool) -> Result<Option<String>> {
    let mut parts = Vec::new();
    for (table, after) in [
        (Table::Chronology, m.chronology),
        (Table::Referral, m.referral),
    ] {
        parts.extend(rows_part(conn, table, after)?);
    }
    let mut ids: Vec<i64> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM referrals WHERE id > ?1 AND (outcome IS NOT NULL OR outcome_at IS NOT NULL)",
        )?;
        stmt.query_map([m.referral], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if noted {
        let mut stmt = conn.prepare_cached("SELECT id FROM temp.dutydesk_outcomes_recorded")?;
        ids.extend(
            stmt.query_map([], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        conn.prepare_cached("DELETE FROM temp.dutydesk_outcomes_recorded")?
            .execute([])?;
    }
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        let (digest, _, _) = outcome_digest(conn, ids.iter().copied())?;
        parts.push(Part::Outcomes {
            ranges: ranges(&ids),
            digest,
        });
    }
    Ok((!parts.is_empty()).then(|| format_parts(&parts)))
}

/// The latest `access` row's detail for each escalation reference, built
/// while walking the trail.
type AccessTrail = HashMap<String, String>;

/// Escalations whose restriction or names differ from the trail: calls
/// `each(id, reference, trail_state, record_state)` for each. `trail` is
/// consumed. An escalation the trail never mentions must be unrestricted
/// with nobody named or excluded; one the trail restricted must still exist.
fn access_mismatches(
    conn: &Connection,
    mut trail: AccessTrail,
    mut each: impl FnMut(Option<i64>, &str, &str, &str) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, reference FROM escalations WHERE id IN (
             SELECT id FROM escalations WHERE restricted = 1
             UNION SELECT escalation_id FROM escalation_access)
         ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, reference): (i64, String) = (r.get(0)?, r.get(1)?);
        let now = access::state(conn, id)?;
        let said = trail
            .remove(&reference)
            .unwrap_or_else(|| UNRESTRICTED.to_string());
        if now != said {
            each(Some(id), &reference, &said, &now)?;
        }
    }
    let mut rest: Vec<(String, String)> = trail
        .into_iter()
        .filter(|(_, s)| s != UNRESTRICTED)
        .collect();
    rest.sort();
    let mut find = conn.prepare("SELECT id FROM escalations WHERE reference = ?1")?;
    for (reference, said) in rest {
        let id: Option<i64> = find.query_row([&reference], |r| r.get(0)).optional()?;
        let now = match id {
            Some(id) => access::state(conn, id)?,
            None => "missing".to_string(),
        };
        if now != said {
            each(id, &reference, &said, &now)?;
        }
    }
    Ok(())
}

/// Every `access` row's latest detail per reference (the migration's view of
/// the trail; `check` builds the same map during its walk).
fn access_trail(conn: &Connection) -> Result<AccessTrail> {
    let mut stmt = conn.prepare(
        "SELECT entity_id, detail FROM audit_log
         WHERE action = 'access' AND entity = 'escalation' AND entity_id IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = AccessTrail::new();
    for row in rows {
        let (k, v) = row?;
        out.insert(k, v.unwrap_or_default());
    }
    Ok(out)
}

/// Schema v5, for a database that already holds records: brings what exists
/// under the trail once, so rows written before tamper evidence do not fail
/// `verify` for ever. In the migration's transaction, as [`MIGRATION_ACTOR`]:
///
/// * a creation row (`create`/`database`, detail `demo` when the trail shows
///   the demo mark set through dutydesk, else `init`) when there is none;
/// * an `access` row for each escalation whose restriction or names the trail
///   does not already record as they are;
/// * one `cover` row covering every chronology and referral row and every
///   recorded outcome.
///
/// What was there before is taken as it stands: tampering done before the
/// upgrade is not detectable afterwards (docs/DESIGN.md). A database never
/// initialised (no audit row) is left alone.
pub(crate) fn cover_existing(conn: &Connection, at: i64) -> Result<()> {
    if audit::head(conn)?.is_none() {
        return Ok(());
    }
    let entry = |action: &'static str, entity: &'static str| Entry {
        at,
        actor: MIGRATION_ACTOR,
        action,
        entity,
        entity_id: None,
        detail: None,
        covers: None,
    };
    let created: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'create' AND entity = 'database')",
        [],
        |r| r.get(0),
    )?;
    if !created {
        let demo: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'set' AND entity = 'setting'
                 AND entity_id = ?1 AND detail = '1')",
            [settings::DEMO],
            |r| r.get(0),
        )?;
        audit::append(
            conn,
            &Entry {
                detail: Some(if demo { "demo" } else { "init" }),
                ..entry("create", "database")
            },
        )?;
    }
    let mut states: Vec<(String, String)> = Vec::new();
    access_mismatches(conn, access_trail(conn)?, |_, reference, _, now| {
        states.push((reference.to_string(), now.to_string()));
        Ok(())
    })?;
    for (reference, state) in &states {
        audit::append(
            conn,
            &Entry {
                entity_id: Some(reference),
                detail: Some(state),
                ..entry("access", "escalation")
            },
        )?;
    }
    if let Some(covers) = covers_since(conn, Marks::default(), false)? {
        audit::append(
            conn,
            &Entry {
                detail: Some("rows written before schema 5"),
                covers: Some(&covers),
                ..entry("cover", "database")
            },
        )?;
    }
    Ok(())
}

/// Problems found, a bounded number listed per kind.
struct Sink<'a> {
    out: &'a mut Vec<String>,
    counts: BTreeMap<&'static str, usize>,
}

impl Sink<'_> {
    fn push(&mut self, kind: &'static str, message: String) {
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        if *n <= SHOWN {
            self.out.push(message);
        }
    }

    fn finish(self) {
        for (kind, n) in self.counts {
            if n > SHOWN {
                self.out
                    .push(format!("{kind}: {} more problem(s) like these", n - SHOWN));
            }
        }
    }
}

/// Names escalations in messages: by reference when the viewer may see them,
/// else by internal number only, so `verify` reveals no hidden case's reference.
struct Namer<'c> {
    conn: &'c Connection,
    viewer: Option<Viewer>,
}

impl Namer<'_> {
    fn name(&self, escalation_id: Option<i64>) -> Result<String> {
        let Some(id) = escalation_id else {
            return Ok("no escalation".into());
        };
        let visible = match self.viewer {
            Some(v) => access::may_see(self.conn, v, id)?,
            None => false,
        };
        if visible {
            let r: Option<String> = self
                .conn
                .prepare_cached("SELECT reference FROM escalations WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if let Some(r) = r {
                return Ok(crate::domain::text::clean_line(&r));
            }
        }
        Ok(format!("escalation #{id}"))
    }
}

/// A table read in id order, one row ahead, in step with the covers.
struct Cursor<'s> {
    table: Table,
    rows: rusqlite::Rows<'s>,
    /// The row read but not yet consumed: (id, escalation_id); its encoding is in `buf`.
    ahead: Option<(i64, Option<i64>)>,
    done: bool,
    buf: Vec<u8>,
    /// The highest id covered so far: covers come in ascending order.
    covered_to: i64,
}

impl<'s> Cursor<'s> {
    fn new(table: Table, stmt: &'s mut rusqlite::Statement<'_>) -> Result<Cursor<'s>> {
        Ok(Cursor {
            table,
            rows: stmt.query([])?,
            ahead: None,
            done: false,
            buf: Vec::new(),
            covered_to: 0,
        })
    }

    /// The next unconsumed row's id and escalation, reading it if needed.
    fn peek(&mut self) -> Result<Option<(i64, Option<i64>)>> {
        if self.ahead.is_none() && !self.done {
            match self.rows.next()? {
                Some(r) => {
                    let id: i64 = r.get(0)?;
                    let escalation = r.get::<_, Option<i64>>(1).ok().flatten();
                    encode(r, self.table.width(), &mut self.buf)?;
                    self.ahead = Some((id, escalation));
                }
                None => self.done = true,
            }
        }
        Ok(self.ahead)
    }

    /// Reports every row below `below` as covered by nothing.
    fn uncovered_below(
        &mut self,
        below: i64,
        sink: &mut Sink<'_>,
        names: &Namer<'_>,
    ) -> Result<()> {
        while let Some((id, escalation)) = self.peek()? {
            if id >= below {
                break;
            }
            self.ahead = None;
            sink.push(
                "uncovered rows",
                format!(
                    "{} row {id} ({}) is covered by no audit row: inserted outside dutydesk",
                    self.table.word(),
                    names.name(escalation)?
                ),
            );
        }
        Ok(())
    }

    /// Checks one cover from audit row `audit_id` against the rows it names.
    #[allow(clippy::too_many_arguments)]
    fn cover(
        &mut self,
        audit_id: i64,
        lo: i64,
        hi: i64,
        n: i64,
        digest: &str,
        sink: &mut Sink<'_>,
        names: &Namer<'_>,
    ) -> Result<()> {
        let word = self.table.word();
        if lo <= self.covered_to {
            sink.push(
                "covers out of order",
                format!(
                    "audit row {audit_id} covers {word} rows {lo}-{hi}, at or below rows an earlier audit row covers: the trail was altered"
                ),
            );
            return Ok(());
        }
        self.uncovered_below(lo, sink, names)?;
        let every = n == hi - lo + 1;
        let (mut h, mut found, mut next) = (Sha256::new(), 0i64, lo);
        let mut missing: Vec<(i64, i64)> = Vec::new();
        let mut first_escalation = None;
        while let Some((id, escalation)) = self.peek()? {
            if id > hi {
                break;
            }
            self.ahead = None;
            if every && id > next {
                missing.push((next, id - 1));
            }
            first_escalation = first_escalation.or(escalation);
            h.update(&self.buf);
            found += 1;
            next = id + 1;
        }
        if every && next <= hi {
            missing.push((next, hi));
        }
        self.covered_to = hi;
        let span = |(a, b): &(i64, i64)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        };
        if found < n {
            let which = if missing.is_empty() {
                format!("{} of rows {lo}-{hi}", n - found)
            } else {
                missing
                    .iter()
                    .take(5)
                    .map(span)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            sink.push(
                "missing rows",
                format!(
                    "{word} row(s) {which} are missing (written with audit row {audit_id}): deleted outside dutydesk"
                ),
            );
        } else if found > n {
            sink.push(
                "uncovered rows",
                format!(
                    "{word} rows {lo}-{hi} ({}) hold {} more row(s) than audit row {audit_id} covers: inserted outside dutydesk",
                    names.name(first_escalation)?,
                    found - n
                ),
            );
        } else if hex(h) != digest {
            let rows = if lo == hi {
                format!("row {lo}")
            } else {
                format!("rows {lo}-{hi} (one or more)")
            };
            sink.push(
                "changed rows",
                format!(
                    "{word} {rows} of {} changed since audit row {audit_id} recorded them: edited outside dutydesk",
                    names.name(first_escalation)?
                ),
            );
        }
        Ok(())
    }
}

/// A set of ids in pages of 65,536 bits, allocated as used: a few bits per
/// referral, whatever ids an altered trail names.
#[derive(Default)]
struct IdSet(BTreeMap<i64, Box<[u64; 1024]>>);

impl IdSet {
    fn insert(&mut self, id: i64) {
        let page = self
            .0
            .entry(id >> 16)
            .or_insert_with(|| Box::new([0; 1024]));
        let bit = id & 0xFFFF;
        page[(bit >> 6) as usize] |= 1 << (bit & 63);
    }

    fn contains(&self, id: i64) -> bool {
        let bit = id & 0xFFFF;
        self.0
            .get(&(id >> 16))
            .is_some_and(|p| p[(bit >> 6) as usize] & (1 << (bit & 63)) != 0)
    }
}

/// Walks the whole trail once, in id order, and appends to `problems`: the
/// first row that breaks the chain; gaps in the ids; covered chronology and
/// referral rows changed or missing, and rows nothing covers; outcomes changed
/// or recorded outside dutydesk; escalations whose restriction or names differ
/// from their latest `access` row; a `demo` mark on a database the trail says
/// `init` made (or that has records and no creation row). `viewer` decides
/// which escalations are named by reference (none when `None`, e.g. a backup).
pub fn check(conn: &Connection, viewer: Option<Viewer>, problems: &mut Vec<String>) -> Result<()> {
    let mut sink = Sink {
        out: problems,
        counts: BTreeMap::new(),
    };
    let names = Namer { conn, viewer };
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash, covers
         FROM audit_log ORDER BY id",
    )?;
    let mut chronology = conn.prepare(&format!("{} ORDER BY id", Table::Chronology.select()))?;
    let mut referrals = conn.prepare(&format!("{} ORDER BY id", Table::Referral.select()))?;
    let mut cursors = [
        Cursor::new(Table::Chronology, &mut chronology)?,
        Cursor::new(Table::Referral, &mut referrals)?,
    ];
    let mut outcomes = IdSet::default();
    let mut access_trail = AccessTrail::new();
    let mut creation: Option<Option<String>> = None;
    let mut rows = stmt.query([])?;
    let (mut prev, mut last_id, mut broken) = (GENESIS.to_string(), 0i64, false);
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if id != last_id + 1 {
            let gap = if id == last_id + 2 {
                format!("row {} is", last_id + 1)
            } else {
                format!("rows {}-{} are", last_id + 1, id - 1)
            };
            sink.push(
                "gaps",
                format!("audit trail: {gap} missing (ids jump from {last_id} to {id}): deleted outside dutydesk"),
            );
        }
        last_id = id;
        let (actor, action, entity): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let (entity_id, detail): (Option<String>, Option<String>) = (r.get(5)?, r.get(6)?);
        let (stored_prev, stored_hash): (String, String) = (r.get(7)?, r.get(8)?);
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
        if !broken && (stored_prev != prev || audit::hash(&prev, &e) != stored_hash) {
            broken = true;
            sink.push(
                "chain",
                format!("audit trail: row {id} does not match the chain (changed, removed or inserted outside dutydesk)"),
            );
        }
        prev = stored_hash;
        match (action.as_str(), entity.as_str()) {
            ("access", "escalation") => {
                if let Some(reference) = entity_id {
                    access_trail.insert(reference, detail.clone().unwrap_or_default());
                }
            }
            ("create", "database") if creation.is_none() => creation = Some(detail.clone()),
            _ => {}
        }
        let Some(covers) = covers else { continue };
        let Some(parts) = parse_parts(&covers) else {
            sink.push(
                "covers",
                format!("audit row {id}: what it covers is not in dutydesk's form: the trail was altered"),
            );
            continue;
        };
        for part in parts {
            match part {
                Part::Rows {
                    table,
                    lo,
                    hi,
                    n,
                    digest,
                } => {
                    let c = &mut cursors[table as usize];
                    c.cover(id, lo, hi, n, &digest, &mut sink, &names)?;
                }
                Part::Outcomes { ranges, digest } => {
                    let ids = ranges.iter().flat_map(|&(a, b)| a..=b);
                    let (got, _, asked) = outcome_digest(conn, ids.clone())?;
                    for i in ids {
                        outcomes.insert(i);
                    }
                    if got != digest {
                        let first = ranges.first().map(|r| r.0).unwrap_or_default();
                        sink.push(
                            "changed rows",
                            format!(
                                "the outcome of referral(s) {}{} changed or was removed since audit row {id} recorded it: edited outside dutydesk",
                                first,
                                if asked > 1 { format!(" and {} more", asked - 1) } else { String::new() }
                            ),
                        );
                    }
                }
            }
        }
    }
    drop(rows);
    for c in &mut cursors {
        c.uncovered_below(i64::MAX, &mut sink, &names)?;
    }
    {
        let mut stmt = conn.prepare(
            "SELECT id, escalation_id FROM referrals
             WHERE outcome IS NOT NULL OR outcome_at IS NOT NULL ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, escalation): (i64, Option<i64>) = (r.get(0)?, r.get(1)?);
            if !outcomes.contains(id) {
                sink.push(
                    "uncovered rows",
                    format!(
                        "referral {id} ({}) has an outcome no audit row covers: recorded outside dutydesk",
                        names.name(escalation)?
                    ),
                );
            }
        }
    }
    let senior = viewer.is_some_and(|v| v.senior);
    access_mismatches(conn, access_trail, |id, reference, said, now| {
        let who = if senior {
            crate::domain::text::clean_line(reference)
        } else {
            names.name(id)?
        };
        let flag = |s: &str| s.starts_with("restricted=1");
        let names_of = |s: &str| {
            s.split_once("; ")
                .map(|x| x.1.to_string())
                .unwrap_or_default()
        };
        let what = if now == "missing" {
            "the audit trail restricts it, but the escalation is missing: deleted outside dutydesk"
                .to_string()
        } else if flag(said) != flag(now) {
            format!(
                "its restricted flag is {} but the audit trail says {}: changed outside dutydesk",
                u8::from(flag(now)),
                u8::from(flag(said))
            )
        } else if names_of(said) != names_of(now) {
            "the staff named on it or excluded from it differ from the audit trail: changed outside dutydesk"
                .to_string()
        } else {
            "its access differs from the audit trail: changed outside dutydesk".to_string()
        };
        sink.push("access", format!("{who}: {what}"));
        Ok(())
    })?;
    let demo = settings::get_in(conn, settings::DEMO)?.as_deref() == Some("1");
    if demo {
        match creation.as_ref().map(|d| d.as_deref()) {
            Some(Some("demo")) => {}
            Some(_) => sink.push(
                "demo",
                "the database is marked as a demo (setting demo = 1), but the audit trail records it was created by `init` for real records: the mark was set outside dutydesk".into(),
            ),
            None => {
                let records: bool = conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM escalations)",
                    [],
                    |r| r.get(0),
                )?;
                if records {
                    sink.push(
                        "demo",
                        "the database is marked as a demo (setting demo = 1), but the audit trail has no record of its creation and it holds records: the mark was set outside dutydesk".into(),
                    );
                }
            }
        }
    }
    sink.finish();
    Ok(())
}

/// A chain head recorded outside the database: audit row `id` had `hash` at
/// `at` (UTC seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub at: i64,
    pub id: i64,
    pub hash: String,
    /// A restore marker (`dutydesk restore`): anchors before it were of the
    /// replaced file, so checking starts again from this one.
    pub restore: bool,
}

/// Compares the trail with every anchor recorded for this database, in the
/// order given, and appends to `problems`: an anchored row missing or with
/// another hash (the trail was cut back, or rewritten and re-hashed), or a
/// trail shorter than its last anchor. Returns how many anchors were read.
pub fn check_anchors(
    conn: &Connection,
    anchors: impl IntoIterator<Item = Anchor>,
    problems: &mut Vec<String>,
) -> Result<usize> {
    let mut sink = Sink {
        out: problems,
        counts: BTreeMap::new(),
    };
    let end = audit::head(conn)?.map(|h| h.0).unwrap_or(0);
    let mut stmt = conn.prepare_cached("SELECT hash FROM audit_log WHERE id = ?1")?;
    let stamp = |at: i64| crate::domain::calendar::format_stamp(super::instant(at));
    let (mut n, mut last, mut latest): (usize, Option<Anchor>, Option<Anchor>) = (0, None, None);
    // Problems of the anchors since the last restore marker: a restore puts
    // another file in place, so earlier anchors no longer describe it.
    let mut pending: Vec<String> = Vec::new();
    for a in anchors {
        n += 1;
        if a.restore {
            pending.clear();
            latest = None;
            last = None;
        }
        if last
            .as_ref()
            .is_some_and(|l| l.id == a.id && l.hash == a.hash)
        {
            continue;
        }
        match stmt
            .query_row(params![a.id], |r| r.get::<_, String>(0))
            .optional()?
        {
            None if a.id <= end => pending.push(format!(
                "audit row {} anchored on {} is missing: the trail was cut or rewritten",
                a.id,
                stamp(a.at)
            )),
            Some(h) if h != a.hash => pending.push(format!(
                "audit row {} no longer has the hash anchored on {}: the trail was rewritten at or before that row",
                a.id,
                stamp(a.at)
            )),
            _ => {}
        }
        if latest.as_ref().is_none_or(|l| a.id >= l.id) {
            latest = Some(a.clone());
        }
        last = Some(a);
    }
    for p in pending {
        sink.push("anchors", p);
    }
    if let Some(l) = latest
        && l.id > end
    {
        sink.push(
            "anchors",
            format!(
                "the audit trail ends at row {end}, shorter than its anchor of {} (row {}): rows were removed from the end",
                stamp(l.at),
                l.id
            ),
        );
    }
    sink.finish();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_read_back_as_written() {
        let d = "ab".repeat(32);
        let parts = vec![
            Part::Rows {
                table: Table::Chronology,
                lo: 120,
                hi: 123,
                n: 4,
                digest: d.clone(),
            },
            Part::Outcomes {
                ranges: ranges(&[5, 9, 10]),
                digest: d.clone(),
            },
        ];
        let text = format_parts(&parts);
        assert_eq!(
            text,
            format!("chronology 120-123 4 {d}; outcome 5,9-10 {d}")
        );
        assert_eq!(parse_parts(&text), Some(parts));
    }

    #[test]
    fn covers_not_in_dutydesks_form_are_refused() {
        let d = "ab".repeat(32);
        for bad in [
            format!("chronology 5-4 1 {d}"),
            format!("chronology 1-4 5 {d}"),
            format!("notes 1-4 4 {d}"),
            "chronology 1-4 4 xyz".to_string(),
            format!("outcome 3-1 {d}"),
            String::new(),
        ] {
            assert_eq!(parse_parts(&bad), None, "{bad}");
        }
    }

    #[test]
    fn an_id_set_holds_what_was_put_in_only() {
        let mut s = IdSet::default();
        for id in [0, 1, 63, 64, 65_535, 65_536, 1 << 40] {
            s.insert(id);
        }
        for id in [0, 1, 63, 64, 65_535, 65_536, 1 << 40] {
            assert!(s.contains(id), "{id}");
        }
        for id in [2, 62, 66, 65_537, (1 << 40) + 1, -1] {
            assert!(!s.contains(id), "{id}");
        }
    }

    #[test]
    fn values_of_different_types_encode_differently() {
        let mut a = Vec::new();
        put(&mut a, ValueRef::Integer(12));
        let mut b = Vec::new();
        put(&mut b, ValueRef::Text(b"12"));
        let mut c = Vec::new();
        put(&mut c, ValueRef::Null);
        assert_ne!(a, b);
        assert_ne!(b, c);
    }
}
