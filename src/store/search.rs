//! Finding any case the user may see (issue 18): search by reference, name,
//! date of birth and area over open and closed cases alike, the filters, and
//! the sign-off queue.
//!
//! Names are compared folded (`domain::search::name_key`, kept in
//! `escalations.subject_key` by the store); the words are found through the
//! FTS5 index `escalation_search` (keyed newest first, schema 18), and every hit
//! passes the need-to-know rule ([`super::access::VISIBLE`]) in the same
//! query, so a hidden case is never found, counted or hinted at.

use super::access::{VISIBLE, Viewer};
use super::escalations::{SUMMARY_COLUMNS, SUMMARY_WIDTH, summary};
use super::{Result, Store, StoreError, Write, instant};
use crate::domain::search::{Filters, Found, Hit, Query, StatusFilter};
use crate::domain::text::{clean_block, clean_line};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, named_params};

/// Registers `dutydesk_name_key(name)` on a connection: a name folded as
/// `domain::search::name_key` folds it (SQLite has no Unicode folding of its
/// own). Used by the schema 8 step that fills `subject_key` for cases
/// recorded before it; the store itself computes keys in Rust.
pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "dutydesk_name_key",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let name: Option<String> = ctx.get(0)?;
            Ok(name.map(|n| crate::domain::search::name_key(&n)))
        },
    )
}

/// The settings key that records which `domain::names::FOLD_VERSION` the
/// stored name keys (`escalations.subject_key`, and through its triggers the
/// search index) were made with.
pub const NAME_FOLD_VERSION: &str = "name_fold_version";

/// Whether the stored name keys were made by an older fold than this
/// build's (`domain::names::FOLD_VERSION`): then [`refold_names`] is due.
pub(crate) fn names_behind(conn: &Connection) -> Result<bool> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [NAME_FOLD_VERSION],
            |r| r.get(0),
        )
        .optional()?;
    let stored = stored
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    Ok(stored < crate::domain::names::FOLD_VERSION)
}

/// Refolds every stored name key with this build's fold, when the database's
/// keys are older ([`names_behind`]), inside the caller's transaction (the
/// one that opens or migrates the database): one UPDATE through
/// `dutydesk_name_key`, whose trigger keeps the FTS index in step, then the
/// version recorded. Without it a database made before a change of fold
/// would find nobody typed the new way, and repeats would be missed. Not a
/// schema step: the keys are derived data, not a change of shape. No audit
/// row: nothing anybody recorded changes, only the desk's own index.
pub(crate) fn refold_names(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    if !names_behind(tx)? {
        return Ok(());
    }
    tx.execute(
        "UPDATE escalations SET subject_key = dutydesk_name_key(subject_name)
         WHERE subject_key IS NOT dutydesk_name_key(subject_name)",
        [],
    )?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![
            NAME_FOLD_VERSION,
            crate::domain::names::FOLD_VERSION.to_string()
        ],
    )?;
    Ok(())
}

/// The SQL for `filters` over escalation rows `e` (bind `:me`); "1" for none.
pub(crate) fn filter_sql(f: &Filters) -> String {
    let mut v: Vec<&str> = Vec::new();
    if f.mine {
        v.push("e.assignee_id = :me");
    }
    if f.unassigned {
        v.push("e.assignee_id IS NULL");
    }
    if f.high_risk {
        v.push("e.risk = 'high'");
    }
    if f.awaiting_signoff {
        v.push("e.closed_by IS NOT NULL AND e.closed_at IS NULL");
    }
    if f.restricted {
        v.push("e.restricted = 1");
    }
    match f.status {
        StatusFilter::Any => {}
        StatusFilter::Open => v.push("e.status <> 'closed'"),
        StatusFilter::Closed => v.push("e.status = 'closed'"),
    }
    if v.is_empty() {
        "1".into()
    } else {
        format!("({})", v.join(" AND "))
    }
}

/// Columns of a [`Hit`] after the summary's.
const HIT_COLUMNS: &str = "e.subject_name, e.subject_dob, e.area, e.closed_at";

/// How many low bits of a search key hold the escalation's id: the search
/// index (`escalation_search`, schema v18) keys each case by
/// `raised_at * 2^30 + id` (raised_at in UTC seconds), kept by the triggers in
/// schema.sql, so its rowid order is the search's order (newest raised first,
/// ties newest row first) and `rowid & (2^30 - 1)` is the case's id. Holds for
/// ids below 2^30 (a billion cases) and dates before the year 2242.
pub(crate) const SEARCH_KEY_ID_BITS: u32 = 30;

/// At most this many matches of the words are read in the index's own order
/// (oldest key first) before a search decides how to go on ([`find`]): when
/// the words match no more, all of them are checked and sorted newest first
/// in memory ([`checked_sql`]). Reading newest first, FTS5 finds each match
/// of a rare word within a word every case has (a reference's "sg", an
/// area) by walking the common word's entries back one by one (2.3 ms at
/// 1,000,000 cases for a reference whose number recurs across ten years);
/// oldest first it skips by its doclist index (0.06 ms). Past this many
/// matches they are dense enough that the walk between two newest first
/// is short; reading them oldest first costs ~1.5 µs a match for a whole
/// name, so the probe is kept near a screenful (the screen keeps 200).
pub(crate) const FEW_MATCHES: usize = 250;

/// The first keys of the words' matches in the index's own order (bind
/// `?1` the match, `?2` how many): [`FEW_MATCHES`].
pub(crate) const MATCHES_SQL: &str =
    "SELECT f.rowid FROM escalation_search f WHERE f.escalation_search MATCH ?1 LIMIT ?2";

/// Which of the cases `:ids` (the few matches of words, [`FEW_MATCHES`]) the
/// viewer may see through `filters`, each from `escalations_search_keys` by
/// its id; the caller keeps them in their newest-first order.
pub(crate) fn checked_sql(filters: &Filters) -> String {
    let filter = filter_sql(filters);
    format!(
        "SELECT e.id
         FROM escalations e INDEXED BY escalations_search_keys
         WHERE e.id IN rarray(:ids) AND {VISIBLE} AND {filter}"
    )
}

/// How the ids of a search are found ([`find_sql_as`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Words {
    /// Filters alone: down the cases by the date raised.
    None,
    /// Words that match more than [`FEW_MATCHES`] cases (fewer are all
    /// checked and sorted in memory, [`checked_sql`]): down the FTS index's
    /// matches newest first (its rowid is the search key), each checked
    /// through `escalations_search_keys`, until the limit. No count and no
    /// sort: the cost grows with what is shown (and with how few matches
    /// pass the filters), not with history.
    Match,
    /// Words with a filter whose cases are few whatever the history
    /// (unassigned, awaiting sign-off: each a small partial index): down
    /// that index, keeping the cases among the matches (their ids gathered
    /// once), then sorted. Read newest first instead, a common first name
    /// with "unassigned" checked all 50,000 matches at 1,000,000 cases
    /// (~200 ms; this way ~7 ms).
    Few,
}

impl Words {
    /// How a search with `words` (or none) and `filters` is best found.
    pub(crate) fn choose(words: bool, filters: &Filters) -> Words {
        if !words {
            Words::None
        } else if filters.unassigned || filters.awaiting_signoff {
            Words::Few
        } else {
            Words::Match
        }
    }
}

/// The search's SQL for one way of finding its ids ([`Words`]): the ids of
/// the matching cases the viewer may see, newest first by the date raised
/// (an imported case keeps its original date, so row order is not age;
/// ties newest row first), at most `:limit`: through the FTS index read
/// newest first when there are words, else down `escalations_by_raised`,
/// each filter an index where one helps.
///
/// Ids only: the summary of a case (next deadline, repeats, assignee:
/// correlated subqueries, ~15–20 µs a case) is worked out by [`hits_of`]
/// for the cases the screen shows, never for every match. The matches of
/// words are checked through `escalations_search_keys`, which holds every
/// column need-to-know and the filters read (named: SQLite would rather
/// read each wide case row by its id).
///
/// Until schema v18 the matches were counted, then either every match was
/// sorted or the cases walked down the date raised against the whole match
/// set: 10–35 ms at 1,000,000 cases for a common first name (issue 21).
pub(crate) fn find_sql_as(words: Words, filters: &Filters) -> String {
    let filter = filter_sql(filters);
    if words == Words::Match {
        let mask = (1i64 << SEARCH_KEY_ID_BITS) - 1;
        format!(
            "SELECT e.id
             FROM escalation_search f
             JOIN escalations e INDEXED BY escalations_search_keys ON e.id = (f.rowid & {mask})
             WHERE f.escalation_search MATCH :q AND {VISIBLE} AND {filter}
             ORDER BY f.rowid DESC LIMIT :limit"
        )
    } else if words == Words::Few {
        let mask = (1i64 << SEARCH_KEY_ID_BITS) - 1;
        let few = if filters.awaiting_signoff {
            "escalations_awaiting_signoff"
        } else {
            "escalations_unassigned"
        };
        format!(
            "SELECT e.id
             FROM escalations e INDEXED BY {few}
             WHERE e.id IN (SELECT f.rowid & {mask} FROM escalation_search f
                            WHERE f.escalation_search MATCH :q)
               AND {VISIBLE} AND {filter}
             ORDER BY e.raised_at DESC, e.id DESC LIMIT :limit"
        )
    } else {
        format!(
            "SELECT e.id
             FROM escalations e
             WHERE {VISIBLE} AND {filter}
             ORDER BY e.raised_at DESC, e.id DESC LIMIT :limit"
        )
    }
}

/// [`hits_of`]'s SQL (bind `:ids`, a JSON array of ids, `:senior`, `:me`):
/// each case read by its id; also explained by `store::plans::search`.
pub(crate) fn hits_sql() -> String {
    format!(
        "SELECT {SUMMARY_COLUMNS}, {HIT_COLUMNS}
         FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
         WHERE e.id IN (SELECT value FROM json_each(:ids)) AND {VISIBLE}"
    )
}

/// The summaries of the cases `ids` (as a search found them) that `viewer`
/// may see, in the order given. Need-to-know is checked again here: the ids
/// may come from the screen (the rest of a search, [`find`]'s
/// `Found::rest`), and a case hidden since, or never visible, is left out
/// rather than refused, as a search leaves it out. A viewer's hits carry no
/// name or date of birth.
pub fn hits_of(conn: &Connection, viewer: Viewer, ids: &[i64]) -> Result<Vec<Hit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = serde_json::to_string(ids).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut stmt = conn.prepare_cached(&hits_sql())?;
    let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Hit> {
        let s = summary(r)?;
        Ok(Hit {
            summary: s,
            subject_name: r
                .get::<_, String>(SUMMARY_WIDTH)
                .map(|n| clean_line(&n))
                .ok(),
            subject_dob: r
                .get::<_, Option<String>>(SUMMARY_WIDTH + 1)?
                .map(|d| clean_line(&d)),
            area: clean_line(&r.get::<_, String>(SUMMARY_WIDTH + 2)?),
            closed_at: r.get::<_, Option<i64>>(SUMMARY_WIDTH + 3)?.map(instant),
        })
    };
    let mut by_id: std::collections::HashMap<i64, Hit> = stmt
        .query_map(
            named_params! {":ids": list, ":senior": viewer.senior, ":me": viewer.staff_id},
            map,
        )?
        .map(|h| h.map(|h| (h.summary.id, h)))
        .collect::<rusqlite::Result<_>>()?;
    let mut hits: Vec<Hit> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    if viewer.redacted {
        for h in &mut hits {
            h.subject_name = None;
            h.subject_dob = None;
        }
    }
    Ok(hits)
}

/// When the words `q` match at most [`FEW_MATCHES`] cases: the ids of those
/// the viewer may see through `filters`, newest raised first (the keys
/// sorted), at most `limit + 1`; `None` when they match more (then the
/// index is read newest first, [`Words::Match`], or a filter of few cases
/// drives, [`Words::Few`]).
fn few_matches(
    conn: &Connection,
    viewer: Viewer,
    q: &str,
    filters: &Filters,
    limit: i64,
) -> Result<Option<Vec<i64>>> {
    let mut keys: Vec<i64> = conn
        .prepare_cached(MATCHES_SQL)?
        .query_map(rusqlite::params![q, FEW_MATCHES as i64 + 1], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if keys.len() > FEW_MATCHES {
        return Ok(None);
    }
    keys.sort_unstable_by(|a, b| b.cmp(a));
    let mask = (1i64 << SEARCH_KEY_ID_BITS) - 1;
    let ids: Vec<i64> = keys.iter().map(|k| k & mask).collect();
    let list: std::rc::Rc<Vec<rusqlite::types::Value>> = std::rc::Rc::new(
        ids.iter()
            .map(|&id| rusqlite::types::Value::Integer(id))
            .collect(),
    );
    let seen: std::collections::HashSet<i64> = conn
        .prepare_cached(&checked_sql(filters))?
        .query_map(
            named_params! {":ids": list, ":senior": viewer.senior, ":me": viewer.staff_id},
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(
        ids.into_iter()
            .filter(|id| seen.contains(id))
            .take(limit as usize + 1)
            .collect(),
    ))
}

/// The cases `viewer` may see that match `query` and `filters`, newest
/// raised first, at most `limit` (and whether there are more), the first
/// `first` of them summarised (`Found::hits`) and the others' ids kept in
/// order (`Found::rest`) for [`hits_of`]: the screen asks for a screenful
/// first and the rest straight after its first frame, so the first frame
/// costs what the screen shows, not what the search kept. The command line
/// asks for all (`first` = `limit`). A viewer's hits carry no name or date
/// of birth, and a viewer may search by reference only (a name or date of
/// birth is refused: it would tell them which cases are about whom).
/// Filters a viewer may not use are refused with the reason.
pub fn find(
    conn: &Connection,
    viewer: Viewer,
    query: &Query,
    filters: &Filters,
    limit: i64,
    first: usize,
) -> Result<Found> {
    filters.check(viewer.senior).map_err(StoreError::Refused)?;
    if viewer.redacted && query.personal() {
        return Err(StoreError::Refused(
            "viewers search by reference only (SG-2026-0042), never by name, date of birth or area: ask a DSL".into(),
        ));
    }
    let fts = query.with_areas(&super::areas::list(conn)?).fts();
    let how = Words::choose(fts.is_some(), filters);
    let limit = limit.clamp(1, 10_000);
    let mut ids: Vec<i64> = match &fts {
        Some(q) => match few_matches(conn, viewer, q, filters, limit)? {
            Some(ids) => ids,
            None => conn
                .prepare_cached(&find_sql_as(how, filters))?
                .query_map(
                    named_params! {":q": q, ":senior": viewer.senior,
                    ":me": viewer.staff_id, ":limit": limit + 1},
                    |r| r.get(0),
                )?
                .collect::<rusqlite::Result<_>>()?,
        },
        None => conn
            .prepare_cached(&find_sql_as(how, filters))?
            .query_map(
                named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
                ":limit": limit + 1},
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?,
    };
    let more = ids.len() as i64 > limit;
    ids.truncate(limit as usize);
    let rest = ids.split_off(first.min(ids.len()));
    Ok(Found {
        hits: hits_of(conn, viewer, &ids)?,
        rest,
        more,
        understood: query.describe(),
        filters: filters.describe(),
    })
}

/// [`find`] from a write that records the search in the audit trail (a
/// `lookup` of `escalations`, detail `search: ...`):
/// what kind of search and which filters, never the words searched (a name
/// is a personal detail) and never what was found.
pub fn find_audited(
    w: &mut Write<'_>,
    query: &Query,
    filters: &Filters,
    limit: i64,
    first: usize,
) -> Result<Found> {
    let viewer = super::access::writer(w)?;
    let found = find(w.tx(), viewer, query, filters, limit, first)?;
    let kinds: Vec<&str> = query
        .terms
        .iter()
        .map(|t| match t {
            crate::domain::search::Term::Reference(_) => "reference",
            crate::domain::search::Term::Number(_) => "number",
            crate::domain::search::Term::Dob(_) => "dob",
            crate::domain::search::Term::Word { .. } => "word",
            crate::domain::search::Term::Area { .. } => "area",
        })
        .collect();
    w.audit(
        "lookup",
        "escalations",
        None,
        Some(&format!(
            "search: terms={}; filters={}; found={}{}",
            if kinds.is_empty() {
                "none".to_string()
            } else {
                kinds.join(",")
            },
            filters.codes(),
            found.hits.len() + found.rest.len(),
            if found.more { "+" } else { "" }
        )),
    )?;
    Ok(found)
}

/// A closure waiting for a second DSL, as the sign-off queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Waiting {
    pub id: i64,
    pub reference: String,
    pub subject_kind: crate::domain::escalation::SubjectKind,
    pub risk: crate::domain::escalation::Risk,
    pub outcome: String,
    /// The rationale to approve (a viewer's copy: hidden).
    pub rationale: String,
    pub proposed_by: String,
    /// Whether the viewer proposed it (then another DSL must sign it).
    pub mine: bool,
    pub proposed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The version a sign-off approves (`dutydesk signoff --version`).
    pub version: i64,
}

/// Every closure waiting for a second DSL that `viewer` may see, oldest
/// proposal first, from the small partial index of them.
pub fn signoff_queue(conn: &Connection, viewer: Viewer) -> Result<Vec<Waiting>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.reference, e.subject_kind, e.risk, coalesce(e.outcome, ''),
            coalesce(e.closure_rationale, ''), p.display_name, e.closed_by = :me, e.version,
            (SELECT max(c.at) FROM chronology c
             WHERE c.escalation_id = e.id AND c.kind = 'signoff_requested')
         FROM escalations e INDEXED BY escalations_awaiting_signoff
         JOIN staff p ON p.id = e.closed_by
         WHERE e.closed_by IS NOT NULL AND e.closed_at IS NULL AND {VISIBLE}
         ORDER BY 10, e.id"
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        |r| {
            Ok(Waiting {
                id: r.get(0)?,
                reference: clean_line(&r.get::<_, String>(1)?),
                subject_kind: crate::domain::escalation::SubjectKind::from_code(
                    &r.get::<_, String>(2)?,
                )
                .unwrap_or(crate::domain::escalation::SubjectKind::Child),
                risk: crate::domain::escalation::Risk::from_code(&r.get::<_, String>(3)?)
                    .unwrap_or(crate::domain::escalation::Risk::High),
                outcome: clean_line(&r.get::<_, String>(4)?),
                rationale: if viewer.redacted {
                    "(hidden: viewers see lists, not the words)".into()
                } else {
                    clean_block(&r.get::<_, String>(5)?)
                },
                proposed_by: clean_line(&r.get::<_, String>(6)?),
                mine: r.get(7)?,
                version: r.get(8)?,
                proposed_at: r.get::<_, Option<i64>>(9)?.map(instant),
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many closures wait for `viewer`'s sign-off: visible to them and
/// proposed by someone else (none for a viewer, who signs nothing). The
/// header's count.
pub fn signoff_waiting(store: &Store, viewer: Viewer) -> Result<i64> {
    if viewer.redacted {
        return Ok(0);
    }
    Ok(store.conn().query_row(
        &format!(
            "SELECT count(*) FROM escalations e INDEXED BY escalations_awaiting_signoff
             WHERE e.closed_by IS NOT NULL AND e.closed_at IS NULL AND e.closed_by <> :me
               AND {VISIBLE}"
        ),
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        |r| r.get(0),
    )?)
}

/// For `dutydesk bench`: a subject name and a reference from the newest
/// cases, to search for as a DSL would.
pub(crate) fn bench_probe(conn: &Connection) -> Result<(String, String)> {
    Ok(conn
        .query_row(
            "SELECT subject_name, reference FROM escalations WHERE restricted = 0
             ORDER BY id DESC LIMIT 1 OFFSET 50",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_else(|| ("Jamie".into(), "SG-2026-0001".into())))
}

/// For `dutydesk bench`: a case among the most-linked (by direct links), and
/// how many cases its person's chronology holds.
pub(crate) fn bench_linked(conn: &Connection) -> Result<Option<(i64, i64)>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM (SELECT escalation_id AS id FROM escalation_links
                             UNION ALL SELECT linked_id FROM escalation_links)
             GROUP BY id ORDER BY count(*) DESC, id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        return Ok(None);
    };
    let n = super::person::stamp(
        conn,
        Viewer {
            staff_id: 0,
            senior: true,
            redacted: false,
        },
        id,
    )?
    .map_or(1, |s| s.0);
    Ok(Some((id, n)))
}
