//! Review series, agendas from the log, holding a meeting, and its actions.

use super::access;
use super::escalations::{VISIBLE, Viewer};
use super::{Result, Store, StoreError, Write, instant};
use crate::domain::calendar::{at_local, format_day, local};
use crate::domain::review::{
    Agenda, DEFAULT_SERIES, Item, ItemKind, LONG_OPEN_DAYS, counted, next_after, next_meeting,
    on_working_day, tally,
};
use crate::domain::route::short_of;
use crate::domain::settings::outcome_label;
use crate::domain::text::{clean_line, validate_block, validate_line};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, ToSql, named_params, params};

/// Adds the standard series if there are none (new databases and old ones).
pub fn seed(w: &mut Write<'_>) -> Result<()> {
    let n: i64 = w
        .tx()
        .query_row("SELECT count(*) FROM review_series", [], |r| r.get(0))?;
    if n > 0 {
        return Ok(());
    }
    let today = local(w.now()).date_naive();
    let cal = super::deadlines::calendar(w.tx())?;
    for (code, name, months) in DEFAULT_SERIES {
        // Anchored on the day it would fall, and held on the working day on
        // or before it.
        let nominal = next_after(today, *months);
        let first = on_working_day(nominal, |d| cal.is_working_day(d));
        w.tx().execute(
            "INSERT INTO review_series (code, name, cadence_months, next_meeting, anchor_day)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![code, name, months, first.to_string(), nominal.day()],
        )?;
    }
    w.audit("add", "review_series", None, Some("standard series"))
}

struct Series {
    id: i64,
    code: String,
    name: String,
    cadence: u32,
    next: NaiveDate,
    /// The day of the month meetings keep (31 = month end; schema v6).
    anchor: Option<u32>,
}

impl Series {
    /// This series' next agenda, as counted (and listed) since `from`.
    fn agenda(
        &self,
        from: DateTime<Utc>,
        counts: Vec<(ItemKind, usize)>,
        items: Vec<Item>,
    ) -> Agenda {
        Agenda {
            series_id: self.id,
            code: self.code.clone(),
            name: self.name.clone(),
            next_meeting: self.next,
            since: local(from).date_naive(),
            counts,
            items,
            first: 0,
        }
    }
}

/// The review series in use as (code, name), for shell completion (the
/// names `dutydesk reviews` shows every member of staff).
pub fn series_codes(store: &Store) -> Result<Vec<(String, String)>> {
    Ok(series(store.conn())?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect())
}

fn series(conn: &Connection) -> Result<Vec<Series>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, code, name, cadence_months, next_meeting, anchor_day FROM review_series WHERE active = 1 ORDER BY next_meeting, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Series {
            id: r.get(0)?,
            code: r.get(1)?,
            name: clean_line(&r.get::<_, String>(2)?),
            cadence: r.get(3)?,
            next: NaiveDate::parse_from_str(&r.get::<_, String>(4)?, "%Y-%m-%d")
                .unwrap_or(NaiveDate::MIN),
            anchor: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When the last meeting of a series was held (or, if never, one cadence before the next).
fn since(conn: &Connection, s: &Series) -> Result<DateTime<Utc>> {
    let held: Option<i64> = conn.query_row(
        "SELECT max(held_at) FROM review_meetings WHERE series_id = ?1",
        [s.id],
        |r| r.get(0),
    )?;
    Ok(match held {
        Some(t) => instant(t),
        None => at_local(
            s.next
                .checked_sub_months(chrono::Months::new(s.cadence))
                .unwrap_or(s.next),
            NaiveTime::MIN,
        ),
    })
}

/// The meeting to come for a series (created when first needed).
fn upcoming(conn: &Connection, s: &Series) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM review_meetings WHERE series_id = ?1 AND held_at IS NULL ORDER BY scheduled LIMIT 1",
            [s.id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every series' next meeting and its whole agenda, for this viewer
/// (restricted escalations appear only for those allowed to see them).
pub fn agendas(store: &Store, viewer: Viewer, now: DateTime<Utc>) -> Result<Vec<Agenda>> {
    let conn = store.conn();
    series(conn)?
        .iter()
        .map(|s| agenda_of(conn, s, viewer, now))
        .collect()
}

/// One series' next meeting and its whole agenda: the review screen and a
/// meeting being held.
pub fn agenda(
    store: &Store,
    series_code: &str,
    viewer: Viewer,
    now: DateTime<Utc>,
) -> Result<Agenda> {
    let conn = store.conn();
    agenda_of(conn, &series_by_code(conn, series_code)?, viewer, now)
}

/// Each kind of agenda item and the query that lists it (bind `:from`,
/// `:now`, `:long`, `:meeting`; need-to-know is added by the callers). Each
/// query gives the id, the reference and the item's facts (column 2, and
/// column 3 where a kind has two); [`detail`] says them in words, so no
/// stored code or ISO date reaches a person.
const AGENDA_QUERIES: &[(ItemKind, &str)] = &[
        // A closed case shows its outcome and the agencies' decisions on its
        // referrals (schema v6): what a LADO concluded drives retention.
        (ItemKind::Closed, "SELECT e.id, e.reference, coalesce(e.outcome, ''), (
                SELECT group_concat(r.route || char(31) || coalesce(o.label, r.outcome), char(30))
                FROM referrals r LEFT JOIN referral_outcomes o ON o.route = r.route AND o.code = r.outcome
                WHERE r.escalation_id = e.id AND r.outcome IS NOT NULL)
            FROM escalations e
            WHERE e.closed_at >= :from AND e.closed_at < :now"),
        // Both read the open escalations through the open-queue index first:
        // far fewer rows than every referral or every escalation ever.
        (ItemKind::LongOpen, "SELECT e.id, e.reference, e.raised_at, NULL
            FROM escalations e INDEXED BY escalations_open_queue
            WHERE e.status <> 'closed' AND e.raised_at < :long"),
        (ItemKind::NoOutcome, "SELECT e.id, e.reference, r.route, r.made_at
            FROM escalations e CROSS JOIN referrals r ON r.escalation_id = e.id
            WHERE r.outcome IS NULL AND e.status <> 'closed'"),
        // An agency's decision recorded since the last meeting, on a case
        // still open or closed before it came (a closure after it lists the
        // decisions itself, above): route, decision and referral number, then
        // when it was recorded.
        (ItemKind::Outcome, "SELECT e.id, e.reference,
                r.route || char(31) || coalesce(o.label, r.outcome) || char(31) || r.id, r.outcome_at
            FROM referrals r INDEXED BY referrals_by_outcome_at
            CROSS JOIN escalations e ON e.id = r.escalation_id
            LEFT JOIN referral_outcomes o ON o.route = r.route AND o.code = r.outcome
            WHERE r.outcome_at IS NOT NULL AND r.outcome_at >= :from AND r.outcome_at < :now
              AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)"),
        (ItemKind::DeadlineMissed, "SELECT e.id, e.reference, d.label, NULL FROM deadlines d JOIN escalations e ON e.id = d.escalation_id
            WHERE d.due_at >= :from AND d.due_at < :now AND d.waived_at IS NULL
              AND (d.met_at IS NULL OR d.met_at > d.due_at) AND d.rule_id IS NOT NULL"),
        (ItemKind::DeadlineWaived, "SELECT e.id, e.reference, d.label || ': ' || d.waived_reason, NULL FROM deadlines d
            JOIN escalations e ON e.id = d.escalation_id
            WHERE d.waived_at >= :from AND d.waived_at < :now AND d.waived_reason <> 'escalation closed'
              AND d.rule_id IS NOT NULL"),
        (ItemKind::SignedOff, "SELECT e.id, e.reference, coalesce(e.outcome, ''), (
                SELECT group_concat(r.route || char(31) || coalesce(o.label, r.outcome), char(30))
                FROM referrals r LEFT JOIN referral_outcomes o ON o.route = r.route AND o.code = r.outcome
                WHERE r.escalation_id = e.id AND r.outcome IS NOT NULL)
            FROM escalations e
            WHERE e.signed_off_at >= :from AND e.signed_off_at < :now"),
        (ItemKind::Reopened, "SELECT e.id, e.reference, substr(c.body, 1, 80), NULL FROM chronology c
            JOIN escalations e ON e.id = c.escalation_id
            WHERE c.kind = 'reopened' AND c.at >= :from AND c.at < :now"),
        (ItemKind::Manual, "SELECT e.id, e.reference, coalesce(i.reason, ''), NULL FROM review_items i
            JOIN escalations e ON e.id = i.escalation_id
            WHERE i.meeting_id = :meeting AND i.kind = 'manual' AND i.reviewed_at IS NULL"),
    ];

/// Items of an agenda the review screen loads at a time.
pub const AGENDA_WINDOW: usize = 400;

/// One window of a series' next agenda for the review screen: the counts of
/// every kind as the dashboard's strip counts them ([`summaries`]), and only
/// the items `offset..offset + limit` in [`agenda`]'s order, each kind read
/// with its own LIMIT and OFFSET, so opening the screen (`R`, Tab) costs a
/// page, not the whole history since the last meeting (issue 21).
pub fn agenda_window(
    store: &Store,
    series_code: &str,
    viewer: Viewer,
    now: DateTime<Utc>,
    offset: usize,
    limit: usize,
) -> Result<Agenda> {
    let conn = store.conn();
    let s = series_by_code(conn, series_code)?;
    // This series' counts alone, over its own window (issue 21: `R` counted
    // every series, the annual's year included, for one series' window).
    let counts = summaries_of(store, std::slice::from_ref(&s), viewer, now)?
        .into_iter()
        .next()
        .map(|a| a.counts)
        .unwrap_or_default();
    let from = since(conn, &s)?;
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let offset = offset.min(total.saturating_sub(1));
    let mut items = Vec::with_capacity(limit.min(total));
    let (mut skip, mut want) = (offset, limit);
    for (kind, n) in &counts {
        if want == 0 {
            break;
        }
        if skip >= *n {
            skip -= n;
            continue;
        }
        let got = kind_items(conn, &s, *kind, viewer, now, skip, want)?;
        skip = 0;
        want = want.saturating_sub(got.len());
        items.extend(got);
    }
    let mut a = s.agenda(from, counts, items);
    a.first = offset;
    Ok(a)
}

/// The agenda's items, each kind found by one query from the log since the
/// series last met.
fn agenda_of(conn: &Connection, s: &Series, viewer: Viewer, now: DateTime<Utc>) -> Result<Agenda> {
    let mut items: Vec<Item> = Vec::new();
    items_each(conn, s, viewer, now, |i| {
        items.push(i);
        Ok(())
    })?;
    let from = since(conn, s)?;
    Ok(s.agenda(from, tally(items.iter().map(|i| i.kind)), items))
}

/// One series' next agenda for the command line, in bounded memory (issue
/// 21: a busy desk's year holds 300,000 items): the agenda's heading and
/// counts as [`summaries`] gives them (no items), then `f` called with each
/// item in [`agenda`]'s order as it is read. Stops at `f`'s first error.
pub fn agenda_each(
    store: &Store,
    heading: &Agenda,
    viewer: Viewer,
    now: DateTime<Utc>,
    f: impl FnMut(Item) -> Result<()>,
) -> Result<()> {
    let conn = store.conn();
    items_each(conn, &series_by_code(conn, &heading.code)?, viewer, now, f)
}

/// The items of series `s`'s next agenda that `viewer` may see, kind by
/// kind in [`AGENDA_QUERIES`]' order, each passed to `f` as read.
fn items_each(
    conn: &Connection,
    s: &Series,
    viewer: Viewer,
    now: DateTime<Utc>,
    mut f: impl FnMut(Item) -> Result<()>,
) -> Result<()> {
    let from = since(conn, s)?;
    let meeting = upcoming(conn, s)?;
    let q = |sql: &str| format!("{sql} AND {VISIBLE}");
    let p = named_params! {":from": from.timestamp(), ":now": now.timestamp(),
    ":long": (now - Duration::days(LONG_OPEN_DAYS)).timestamp(),
    ":meeting": meeting, ":senior": viewer.senior, ":me": viewer.staff_id};
    for (kind, sql) in AGENDA_QUERIES {
        let sql = q(sql);
        let mut stmt = conn.prepare_cached(&sql)?;
        let params = used(&stmt, p);
        // A re-opening's reason, a waiver's and a hand-added item's are
        // people's words: a viewer sees that there is an item, not them.
        let words = matches!(
            kind,
            ItemKind::Reopened | ItemKind::Manual | ItemKind::DeadlineWaived
        );
        let rows = stmt.query_map(params.as_slice(), |r| {
            Ok(Item {
                kind: *kind,
                escalation_id: r.get(0)?,
                reference: clean_line(&r.get::<_, String>(1)?),
                detail: if words && viewer.redacted {
                    "(hidden)".into()
                } else {
                    clean_line(&detail(*kind, r.get_ref(2)?, r.get_ref(3)?))
                },
            })
        })?;
        for row in rows {
            f(row?)?;
        }
    }
    Ok(())
}

/// Items of one kind, `skip` then at most `limit`, in the order its query
/// reads them (that of [`agenda`]).
fn kind_items(
    conn: &Connection,
    s: &Series,
    kind: ItemKind,
    viewer: Viewer,
    now: DateTime<Utc>,
    skip: usize,
    limit: usize,
) -> Result<Vec<Item>> {
    let Some((_, sql)) = AGENDA_QUERIES.iter().find(|(k, _)| *k == kind) else {
        return Ok(Vec::new());
    };
    let from = since(conn, s)?;
    let meeting = upcoming(conn, s)?;
    let sql = format!("{sql} AND {VISIBLE} LIMIT :limit OFFSET :skip");
    let (limit, skip) = (limit as i64, skip as i64);
    let p = named_params! {":from": from.timestamp(), ":now": now.timestamp(),
    ":long": (now - Duration::days(LONG_OPEN_DAYS)).timestamp(),
    ":meeting": meeting, ":senior": viewer.senior, ":me": viewer.staff_id,
    ":limit": limit, ":skip": skip};
    let mut stmt = conn.prepare_cached(&sql)?;
    let params = used(&stmt, p);
    // A re-opening's reason, a waiver's and a hand-added item's are
    // people's words: a viewer sees that there is an item, not them.
    let words = matches!(
        kind,
        ItemKind::Reopened | ItemKind::Manual | ItemKind::DeadlineWaived
    );
    let rows = stmt.query_map(params.as_slice(), |r| {
        Ok(Item {
            kind,
            escalation_id: r.get(0)?,
            reference: clean_line(&r.get::<_, String>(1)?),
            detail: if words && viewer.redacted {
                "(hidden)".into()
            } else {
                clean_line(&detail(kind, r.get_ref(2)?, r.get_ref(3)?))
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An agenda item's facts in words: an outcome's label, a route's name and
/// a UK date ("referred to children's social care on 2 Nov 2026"), never
/// the stored codes or ISO dates.
fn detail(kind: ItemKind, a: ValueRef<'_>, b: ValueRef<'_>) -> String {
    let text = |v: ValueRef<'_>| match v {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(n) => n.to_string(),
        _ => String::new(),
    };
    let day = |v: ValueRef<'_>| match v {
        ValueRef::Integer(n) => format_day(instant(n)),
        _ => String::new(),
    };
    match kind {
        ItemKind::Closed | ItemKind::SignedOff => {
            let outcome = text(a);
            let mut out = if outcome.is_empty() {
                String::new()
            } else {
                outcome_label(&outcome)
            };
            let decisions: Vec<String> = text(b)
                .split('\u{1e}')
                .filter(|d| !d.is_empty())
                .map(|d| match d.split_once('\u{1f}') {
                    Some((route, said)) => format!("{} {said}", short_of(route)),
                    None => d.to_string(),
                })
                .collect();
            if !decisions.is_empty() {
                out.push_str(&format!("; decisions: {}", decisions.join(", ")));
            }
            out
        }
        ItemKind::LongOpen => format!("open since {}", day(a)),
        ItemKind::NoOutcome => format!("referred to {} on {}", short_of(&text(a)), day(b)),
        ItemKind::Outcome => {
            let a = text(a);
            let mut parts = a.split('\u{1f}');
            let (route, said, id) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            format!("{} {said} (referral #{id}, {})", short_of(route), day(b))
        }
        _ => text(a),
    }
}

/// A kind's items in a window's whole days (span ?2, buckets [?3, ?4)) and
/// hours (span ?5, [?6, ?7) and [?8, ?9)) from `review_tally`, every
/// record's (?10 = 0) or the restricted records' only (?10 = 1): ranges of
/// its primary key (`store::plans` checks the plan).
pub(crate) const TALLY_SQL: &str = "SELECT
    (SELECT coalesce(sum(n), 0) FROM review_tally
     WHERE kind = ?1 AND restricted IN (?10, 1) AND span = ?2 AND bucket >= ?3 AND bucket < ?4)
    + (SELECT coalesce(sum(n), 0) FROM review_tally
       WHERE kind = ?1 AND restricted IN (?10, 1) AND span = ?5 AND bucket >= ?6 AND bucket < ?7)
    + (SELECT coalesce(sum(n), 0) FROM review_tally
       WHERE kind = ?1 AND restricted IN (?10, 1) AND span = ?5 AND bucket >= ?8 AND bucket < ?9)";

/// How many items of a tallied kind fall in [`from`, `to`) (UTC seconds):
/// the whole days and hours from `review_tally` (schema 15), the part hours
/// at the two ends from `count_sql` (the kind's own count over `:from`,
/// `:now`). A year's window costs its 365 days, not its items (issue 21).
fn tallied(
    conn: &Connection,
    kind: i64,
    restricted_only: bool,
    count_sql: &str,
    from: i64,
    to: i64,
) -> Result<i64> {
    use crate::domain::review::{DAY, HOUR, TallyWindow};
    let w = TallyWindow::of(from, to);
    let mut n = 0;
    if w.days.is_some() || !w.hours.is_empty() {
        // Empty runs (x, x) stand for the parts this window lacks.
        let (d1, d2) = w.days.unwrap_or((0, 0));
        let h = |i: usize| w.hours.get(i).copied().unwrap_or((0, 0));
        let (a, b) = (h(0), h(1));
        let mut stmt = conn.prepare_cached(TALLY_SQL)?;
        let least = i64::from(restricted_only);
        n += stmt.query_row(
            rusqlite::params![kind, DAY, d1, d2, HOUR, a.0, a.1, b.0, b.1, least],
            |r| r.get::<_, i64>(0),
        )?;
    }
    for (lo, hi) in w.exact {
        let bounds: [(&str, &dyn ToSql); 2] = [(":from", &lo), (":now", &hi)];
        n += sums(conn, count_sql, &bounds)?[0];
    }
    Ok(n)
}

/// The one row of sums a counting query gives.
fn sums(conn: &Connection, sql: &str, offered: &[(&str, &dyn ToSql)]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let n = stmt.column_count();
    let params = used(&stmt, offered);
    Ok(stmt.query_row(params.as_slice(), |r| {
        (0..n)
            .map(|i| r.get(i))
            .collect::<rusqlite::Result<Vec<i64>>>()
    })?)
}

/// The named parameters a statement uses, out of those on offer (SQLite
/// refuses a name the statement does not have).
fn used<'a>(
    stmt: &rusqlite::Statement<'_>,
    offered: &[(&'a str, &'a dyn ToSql)],
) -> Vec<(&'a str, &'a dyn ToSql)> {
    offered
        .iter()
        .copied()
        .filter(|(n, _)| matches!(stmt.parameter_index(n), Ok(Some(_))))
        .collect()
}

/// How [`summaries`] counts one kind of agenda item. `at` is when an item
/// happened (`None`: it counts for every series, whenever it began, and each
/// row stands for `weight` items); `all` reads every item from an index or a
/// kept tally alone; `hidden` says how the items this viewer may not see are
/// taken away.
pub(crate) struct Count {
    pub kind: ItemKind,
    pub at: Option<&'static str>,
    pub weight: &'static str,
    pub all: &'static str,
    pub hidden: Hidden,
    /// Where every item is counted without reading them (schema 15).
    pub kept: Kept,
}

/// A count kept by triggers, read instead of `all` over a whole window.
pub(crate) enum Kept {
    /// Not kept: `all` counts the items.
    No,
    /// In `review_tally` under this kind: a window is its whole days and
    /// hours there, and `all` over the part hours at its two ends
    /// (`domain::review::TallyWindow`). The restricted records' share is
    /// kept apart there, its part hours counted by the second query (bind
    /// `:from`, `:now`), so a DSL kept off them has it taken away without
    /// reading every restricted record ever.
    Tally(i64, &'static str),
    /// This query's one value is the whole count (an undated kind).
    Total(&'static str),
}

/// Taking away what a viewer may not see, cheaply for each kind.
pub(crate) enum Hidden {
    /// Read on each hidden escalation's own row, where this condition holds:
    /// every such kind in one pass, from the small restricted index where
    /// it can be.
    Rows(&'static str),
    /// Read for each escalation in `rarray(:hidden)` from a tally or an
    /// index keyed by it (`each`), or for every restricted escalation at once
    /// from a small table of theirs (`restricted`): a DSL kept off most
    /// restricted records has the few they may see added back instead.
    Keyed {
        each: &'static str,
        restricted: &'static str,
    },
    /// Few items ever: `all` is read item by item, its escalation id
    /// alongside, and the hidden ones left out.
    Few(&'static str),
}

pub(crate) const COUNTS: &[Count] = &[
    Count {
        kind: ItemKind::Closed,
        at: Some("e.closed_at"),
        weight: "1",
        all: "FROM escalations e INDEXED BY escalations_by_closed
            WHERE e.closed_at IS NOT NULL AND e.closed_at >= :from AND e.closed_at < :now",
        hidden: Hidden::Rows("e.closed_at >= :from AND e.closed_at < :now"),
        kept: Kept::Tally(
            1,
            "SELECT count(*) FROM escalations e INDEXED BY escalations_by_closed
            WHERE e.closed_at IS NOT NULL AND e.closed_at >= :from AND e.closed_at < :now
              AND e.restricted = 1",
        ),
    },
    Count {
        kind: ItemKind::LongOpen,
        at: None,
        weight: "1",
        all: "FROM escalations e INDEXED BY escalations_open_by_raised
            WHERE e.status <> 'closed' AND e.raised_at < :long",
        hidden: Hidden::Rows("e.status <> 'closed' AND e.raised_at < :long"),
        kept: Kept::No,
    },
    Count {
        kind: ItemKind::NoOutcome,
        at: None,
        weight: "p.n",
        all: "FROM referrals_pending p",
        hidden: Hidden::Keyed {
            each: "FROM rarray(:hidden) h CROSS JOIN referrals_pending p ON p.escalation_id = h.value",
            // Only open cases have referrals pending (the tally's triggers).
            restricted: "FROM escalations e INDEXED BY escalations_open_restricted
                CROSS JOIN referrals_pending p ON p.escalation_id = e.id
                WHERE e.status <> 'closed' AND e.restricted = 1",
        },
        kept: Kept::Total("SELECT n FROM referrals_pending_total WHERE id = 1"),
    },
    Count {
        kind: ItemKind::Outcome,
        at: Some("r.outcome_at"),
        weight: "1",
        // From two small covering indexes (schema v13): no referral's or
        // case's row is read (a year's decisions cost 18 ms that way).
        all: "FROM referrals r INDEXED BY referrals_by_outcome_at
            CROSS JOIN escalations e INDEXED BY escalations_closed_of ON e.id = r.escalation_id
            WHERE r.outcome_at IS NOT NULL AND r.outcome_at >= :from AND r.outcome_at < :now
              AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)",
        hidden: Hidden::Keyed {
            each: "FROM rarray(:hidden) h
            CROSS JOIN referrals r INDEXED BY referrals_by_escalation ON r.escalation_id = h.value
            CROSS JOIN escalations e ON e.id = r.escalation_id
            WHERE r.outcome_at IS NOT NULL AND r.outcome_at >= :from AND r.outcome_at < :now
              AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)",
            restricted: "FROM escalations e INDEXED BY escalations_restricted
            CROSS JOIN referrals r INDEXED BY referrals_by_escalation ON r.escalation_id = e.id
            WHERE e.restricted = 1 AND r.outcome_at IS NOT NULL
              AND r.outcome_at >= :from AND r.outcome_at < :now
              AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)",
        },
        kept: Kept::Tally(
            2,
            "SELECT count(*) FROM referrals r INDEXED BY referrals_by_outcome_at
            CROSS JOIN escalations e ON e.id = r.escalation_id
            WHERE r.outcome_at IS NOT NULL AND r.outcome_at >= :from AND r.outcome_at < :now
              AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at) AND e.restricted = 1",
        ),
    },
    Count {
        kind: ItemKind::DeadlineMissed,
        at: Some("d.due_at"),
        weight: "1",
        all: "FROM deadlines d INDEXED BY deadlines_missed
            WHERE d.waived_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
              AND d.due_at >= :from AND d.due_at < :now AND d.rule_id IS NOT NULL",
        hidden: Hidden::Keyed {
            each: "FROM rarray(:hidden) h
            CROSS JOIN deadlines d INDEXED BY deadlines_missed_by_escalation ON d.escalation_id = h.value
            WHERE d.waived_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
              AND d.due_at >= :from AND d.due_at < :now AND d.rule_id IS NOT NULL",
            restricted: "FROM deadlines_restricted d INDEXED BY deadlines_restricted_missed
            WHERE d.waived_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
              AND d.due_at >= :from AND d.due_at < :now
              AND (SELECT x.rule_id FROM deadlines x WHERE x.id = d.deadline_id) IS NOT NULL",
        },
        kept: Kept::Tally(
            3,
            "SELECT count(*) FROM deadlines d INDEXED BY deadlines_missed
            CROSS JOIN escalations e ON e.id = d.escalation_id
            WHERE d.waived_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
              AND d.due_at >= :from AND d.due_at < :now AND d.rule_id IS NOT NULL
              AND e.restricted = 1",
        ),
    },
    Count {
        kind: ItemKind::DeadlineWaived,
        at: Some("d.waived_at"),
        weight: "1",
        all: "FROM deadlines d INDEXED BY deadlines_waived_by_hand
            WHERE d.waived_at IS NOT NULL AND d.waived_reason <> 'escalation closed'
              AND d.waived_at >= :from AND d.waived_at < :now AND d.rule_id IS NOT NULL",
        hidden: Hidden::Few("d.escalation_id"),
        kept: Kept::No,
    },
    Count {
        kind: ItemKind::SignedOff,
        at: Some("e.signed_off_at"),
        weight: "1",
        all: "FROM escalations e INDEXED BY escalations_by_signed_off
            WHERE e.signed_off_at IS NOT NULL AND e.signed_off_at >= :from AND e.signed_off_at < :now",
        hidden: Hidden::Rows("e.signed_off_at >= :from AND e.signed_off_at < :now"),
        kept: Kept::Tally(
            4,
            "SELECT count(*) FROM escalations e INDEXED BY escalations_by_signed_off
            WHERE e.signed_off_at IS NOT NULL AND e.signed_off_at >= :from
              AND e.signed_off_at < :now AND e.restricted = 1",
        ),
    },
    Count {
        kind: ItemKind::Reopened,
        at: Some("c.at"),
        weight: "1",
        all: "FROM chronology c INDEXED BY chronology_reopened
            WHERE c.kind = 'reopened' AND c.at >= :from AND c.at < :now",
        hidden: Hidden::Few("c.escalation_id"),
        kept: Kept::No,
    },
];

/// The review counts' queries for a DSL kept off most restricted records
/// (schema 15), for `store::plans::history`: the untallied kinds' share
/// from the open restricted cases' small indexes, and each tallied kind's
/// restricted items in a window's part hours.
pub(crate) fn restricted_share_sql() -> Vec<(String, String)> {
    let mut out = vec![(
        "review counts, restricted share: open a long time".to_string(),
        format!("SELECT count(*) FROM {OPEN_RESTRICTED} AND e.raised_at < :long"),
    )];
    for c in COUNTS {
        if let Hidden::Keyed { restricted, .. } = c.hidden
            && !matches!(c.kept, Kept::Tally(..))
        {
            out.push((
                format!("review counts, restricted share: {}", c.kind.label()),
                format!("SELECT count(*) {restricted}"),
            ));
        }
        if let Kept::Tally(_, edges) = c.kept {
            out.push((
                format!("review counts, restricted part hours: {}", c.kind.label()),
                edges.to_string(),
            ));
        }
    }
    out
}

/// The hidden escalations' rows: restricted ones from their small index
/// alone, excluded ones (never many) from the table.
const HIDDEN_RESTRICTED: &str = "rarray(:hidden) h
    CROSS JOIN escalations e INDEXED BY escalations_restricted ON e.id = h.value AND e.restricted = 1";
const HIDDEN_EXCLUDED: &str = "rarray(:hidden) h CROSS JOIN escalations e ON e.id = h.value";
/// Every open restricted escalation, from its small index alone (schema
/// 15): the share of the kinds read on the row that are not tallied (open a
/// long time: open cases only, by the date raised).
const OPEN_RESTRICTED: &str = "escalations e INDEXED BY escalations_open_restricted_by_raised
    WHERE e.status <> 'closed' AND e.restricted = 1";

/// Every series with how many items of each kind its next agenda holds, but
/// not the items: the dashboard's strip, refreshed after every change, so it
/// must stay cheap on a decade of history. Each kind is counted once for all
/// series, inside SQLite, from an index or a kept tally alone; what this
/// viewer may not see is counted over just those escalations and taken away.
/// [`agenda`] gives the same counts with the items.
pub fn summaries(store: &Store, viewer: Viewer, now: DateTime<Utc>) -> Result<Vec<Agenda>> {
    let conn = store.conn();
    summaries_of(store, &series(conn)?, viewer, now)
}

/// [`summaries`] for the series in `all` only: each dated kind is counted
/// from the earliest of their last meetings, so one series costs its own
/// window, not the longest series' (the annual report's year).
fn summaries_of(
    store: &Store,
    all: &[Series],
    viewer: Viewer,
    now: DateTime<Utc>,
) -> Result<Vec<Agenda>> {
    let conn = store.conn();
    let mut froms = Vec::with_capacity(all.len());
    for s in all {
        froms.push(since(conn, s)?.timestamp());
    }
    let Some(earliest) = froms.iter().min().copied() else {
        return Ok(Vec::new());
    };
    let sets = hidden_kept(store, viewer)?;
    let (restricted, excluded, every_restricted) = (&sets.0, &sets.1, &sets.2);
    // Kept off most restricted records (the usual DSL): count every
    // restricted record's share and add back the few they may see.
    let flip = restricted.len() * 2 > every_restricted.len();
    let seen: IdSet = if flip {
        every_restricted.difference(restricted).copied().collect()
    } else {
        IdSet::new()
    };
    let ids = |set: &IdSet| {
        std::rc::Rc::new(
            set.iter()
                .map(|id| rusqlite::types::Value::Integer(*id))
                .collect::<Vec<_>>(),
        )
    };
    let hidden: IdSet = restricted.union(excluded).copied().collect();
    let (restricted_ids, excluded_ids, seen_ids) = (ids(restricted), ids(excluded), ids(&seen));
    let not_seen_ids = ids(if flip { excluded } else { &hidden });
    let names: Vec<String> = (0..froms.len()).map(|i| format!(":f{i}")).collect();
    let long = (now - Duration::days(LONG_OPEN_DAYS)).timestamp();
    let now_ts = now.timestamp();
    let mut offered: Vec<(&str, &dyn ToSql)> =
        vec![(":from", &earliest), (":now", &now_ts), (":long", &long)];
    offered.extend(
        names
            .iter()
            .zip(&froms)
            .map(|(n, f)| (n.as_str(), f as &dyn ToSql)),
    );
    let with = |list| {
        let mut o = offered.clone();
        o.push((":hidden", list));
        o
    };
    // One sum per series for a dated kind (those since each series' last
    // meeting), one for an undated one.
    let select = |c: &Count, cond: Option<&str>| {
        let only = cond.map(|w| format!("({w}) AND ")).unwrap_or_default();
        match c.at {
            Some(at) => names
                .iter()
                .map(|n| format!("coalesce(sum({only}{at} >= {n}), 0)"))
                .collect::<Vec<_>>(),
            None => vec![match cond {
                Some(w) => format!("coalesce(sum(({w}) * {}), 0)", c.weight),
                None => format!("coalesce(sum({}), 0)", c.weight),
            }],
        }
    };
    // counts[series][kind], in COUNTS order.
    let mut counts = vec![vec![0i64; COUNTS.len()]; all.len()];
    let mut add = |k: usize, c: &Count, values: &[i64], sign: i64| {
        for (i, row) in counts.iter_mut().enumerate() {
            row[k] += sign * values[if c.at.is_some() { i } else { 0 }];
        }
    };
    for (k, c) in COUNTS.iter().enumerate() {
        if let Hidden::Few(id) = c.hidden {
            // Item by item: the escalation and when, the hidden left out.
            let at = c.at.unwrap_or("NULL");
            let sql = format!("SELECT {id}, {at} {}", c.all);
            let mut stmt = conn.prepare_cached(&sql)?;
            let params = used(&stmt, &offered);
            let mut rows = stmt.query(params.as_slice())?;
            let mut values = vec![0i64; froms.len()];
            while let Some(r) = rows.next()? {
                if hidden.contains(&r.get::<_, i64>(0)?) {
                    continue;
                }
                let when: Option<i64> = r.get(1)?;
                for (v, from) in values.iter_mut().zip(&froms) {
                    *v += i64::from(when.is_none_or(|t| t >= *from));
                }
            }
            add(k, c, &values, 1);
            continue;
        }
        // Every item: counted over each series' own window, which SQLite
        // does from the index far faster than summing a test per row.
        let count = match c.weight {
            "1" => "count(*)".to_string(),
            w => format!("coalesce(sum({w}), 0)"),
        };
        let sql = format!("SELECT {count} {}", c.all);
        let values = match (c.at, &c.kept) {
            (_, Kept::Total(total)) => sums(conn, total, &[])?,
            (Some(_), Kept::Tally(kind, _)) => {
                let mut v = Vec::with_capacity(froms.len());
                for from in &froms {
                    v.push(tallied(conn, *kind, false, &sql, *from, now_ts)?);
                }
                v
            }
            (None, _) => sums(conn, &sql, &offered)?,
            (Some(_), _) => {
                let mut v = Vec::with_capacity(froms.len());
                for from in &froms {
                    let own: Vec<(&str, &dyn ToSql)> = offered
                        .iter()
                        .map(|&(n, x)| (n, if n == ":from" { from as &dyn ToSql } else { x }))
                        .collect();
                    v.push(sums(conn, &sql, &own)?[0]);
                }
                v
            }
        };
        add(k, c, &values, 1);
        // Kept off most restricted records: their share of a tallied kind
        // comes from the tally's restricted side.
        if let (true, Kept::Tally(kind, edges)) = (flip, &c.kept) {
            let mut v = Vec::with_capacity(froms.len());
            for from in &froms {
                v.push(tallied(conn, *kind, true, edges, *from, now_ts)?);
            }
            add(k, c, &v, -1);
        }
        if let Hidden::Keyed { each, restricted } = c.hidden {
            let columns = select(c, None).join(", ");
            if flip {
                if !matches!(c.kept, Kept::Tally(..)) {
                    let values = sums(conn, &format!("SELECT {columns} {restricted}"), &offered)?;
                    add(k, c, &values, -1);
                }
                if !seen.is_empty() {
                    let values = sums(conn, &format!("SELECT {columns} {each}"), &with(&seen_ids))?;
                    add(k, c, &values, 1);
                }
            }
            // Not flipped: every hidden record; flipped: the excluded others.
            if !not_seen_ids.is_empty() {
                let values = sums(
                    conn,
                    &format!("SELECT {columns} {each}"),
                    &with(&not_seen_ids),
                )?;
                add(k, c, &values, -1);
            }
        }
    }
    // Kinds read on the escalation's own row: taken away in one pass over
    // each set of hidden escalations.
    let rows: Vec<(usize, &Count, &str)> = COUNTS
        .iter()
        .enumerate()
        .filter_map(|(k, c)| match c.hidden {
            Hidden::Rows(cond) => Some((k, c, cond)),
            _ => None,
        })
        .collect();
    let columns = rows
        .iter()
        .flat_map(|(_, c, cond)| select(c, Some(cond)))
        .collect::<Vec<_>>()
        .join(", ");
    // Kept off most restricted records: the tallied kinds' share was taken
    // from the tally above; the others read on the row are of open cases
    // only (open a long time), so the open restricted records are read.
    let untallied: Vec<(usize, &Count, &str)> = rows
        .iter()
        .copied()
        .filter(|(_, c, _)| !matches!(c.kept, Kept::Tally(..)))
        .collect();
    if flip && !untallied.is_empty() {
        let columns = untallied
            .iter()
            .flat_map(|(_, c, cond)| select(c, Some(cond)))
            .collect::<Vec<_>>()
            .join(", ");
        let values = sums(
            conn,
            &format!("SELECT {columns} FROM {OPEN_RESTRICTED}"),
            &offered,
        )?;
        let mut at = 0;
        for (k, c, _) in &untallied {
            let n = if c.at.is_some() { froms.len() } else { 1 };
            add(*k, c, &values[at..at + n], -1);
            at += n;
        }
    }
    let passes = [
        (flip && !seen.is_empty(), &seen_ids, HIDDEN_RESTRICTED, 1),
        (
            !flip && !restricted.is_empty(),
            &restricted_ids,
            HIDDEN_RESTRICTED,
            -1,
        ),
        (!excluded.is_empty(), &excluded_ids, HIDDEN_EXCLUDED, -1),
    ];
    for (wanted, list, source, sign) in passes {
        if !wanted {
            continue;
        }
        let values = sums(
            conn,
            &format!("SELECT {columns} FROM {source}"),
            &with(list),
        )?;
        let mut at = 0;
        for (k, c, _) in &rows {
            let n = if c.at.is_some() { froms.len() } else { 1 };
            add(*k, c, &values[at..at + n], sign);
            at += n;
        }
    }
    let mut out = Vec::with_capacity(all.len());
    for ((s, from), row) in all.iter().zip(&froms).zip(&counts) {
        let mut manual = 0;
        if let Some(meeting) = upcoming(conn, s)? {
            let mut stmt = conn.prepare_cached(
                "SELECT escalation_id FROM review_items
                 WHERE meeting_id = ?1 AND kind = 'manual' AND reviewed_at IS NULL AND escalation_id IS NOT NULL",
            )?;
            let mut rows = stmt.query([meeting])?;
            while let Some(r) = rows.next()? {
                if !hidden.contains(&r.get::<_, i64>(0)?) {
                    manual += 1;
                }
            }
        }
        let pairs = COUNTS
            .iter()
            .map(|c| c.kind)
            .zip(row.iter().map(|n| (*n).max(0) as usize))
            .chain([(ItemKind::Manual, manual)]);
        out.push(s.agenda(instant(*from), counted(pairs), Vec::new()));
    }
    Ok(out)
}

pub(crate) type IdSet = std::collections::HashSet<i64>;

/// The escalations this viewer may not see, in two sets: restricted ones
/// they are not named on (unless senior) or are excluded from, and
/// unrestricted ones they are excluded from; with every restricted one (when
/// either set needs it), to count from the smaller side. The same rule as
/// [`VISIBLE`], turned round so it reads a few rows, not the history.
/// [`hidden_from`], kept on the connection while who may see what stands
/// still (the `access_changes` counter, schema 15): the strip is counted
/// again after every change, and reading the sets cost 4-5 ms at 22,000
/// restricted records (issue 21). The counter is read first, so a change
/// made while the sets are read is seen at the next count.
fn hidden_kept(store: &Store, viewer: Viewer) -> Result<std::sync::Arc<HiddenSets>> {
    let conn = store.conn();
    let stamp: i64 = conn.query_row("SELECT n FROM access_changes WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    let key = (viewer.staff_id, viewer.senior, stamp);
    if let Some((k, sets)) = store.memo.borrow().hidden.as_ref()
        && *k == key
    {
        return Ok(sets.clone());
    }
    let sets = std::sync::Arc::new(hidden_from(conn, viewer)?);
    store.memo.borrow_mut().hidden = Some((key, sets.clone()));
    Ok(sets)
}

/// (hidden restricted, hidden others, every restricted): [`hidden_from`].
pub(crate) type HiddenSets = (IdSet, IdSet, IdSet);

fn hidden_from(conn: &Connection, viewer: Viewer) -> Result<HiddenSets> {
    let ids = |sql: &str, p: &[&dyn ToSql]| -> Result<IdSet> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(p, |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let mine = |access: &str| {
        ids(
            "SELECT escalation_id FROM escalation_access WHERE staff_id = ?1 AND access = ?2",
            &[&viewer.staff_id, &access],
        )
    };
    let excluded = mine("excluded")?;
    if viewer.senior && excluded.is_empty() {
        return Ok((IdSet::new(), IdSet::new(), IdSet::new()));
    }
    let restricted = ids(
        "SELECT id FROM escalations INDEXED BY escalations_restricted WHERE restricted = 1",
        &[],
    )?;
    let mut hidden: IdSet = restricted.intersection(&excluded).copied().collect();
    if !viewer.senior {
        let named = mine("named")?;
        hidden.extend(restricted.difference(&named));
    }
    let others = excluded.difference(&restricted).copied().collect();
    Ok((hidden, others, restricted))
}

fn series_by_code(conn: &Connection, code: &str) -> Result<Series> {
    series(conn)?
        .into_iter()
        .find(|s| s.code == code.trim())
        .ok_or_else(|| {
            StoreError::Invalid(format!("no review series {code:?}: see `dutydesk reviews`"))
        })
}

fn ensure_upcoming(w: &Write<'_>, s: &Series) -> Result<i64> {
    if let Some(id) = upcoming(w.tx(), s)? {
        return Ok(id);
    }
    w.tx().execute(
        "INSERT INTO review_meetings (series_id, scheduled) VALUES (?1, ?2)",
        params![s.id, s.next.to_string()],
    )?;
    Ok(w.tx().last_insert_rowid())
}

/// Puts an escalation on a series' next agenda by hand, with a reason.
///
/// Only an escalation the actor may see (the need-to-know policy): a hidden
/// one and a missing one get the same [`StoreError::NotVisible`], and
/// nothing is written.
pub fn add(
    w: &mut Write<'_>,
    series_code: &str,
    escalation_id: i64,
    reason: &str,
) -> Result<String> {
    let reason =
        validate_line("reason", reason, 4000).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .ok_or_else(|| {
            StoreError::Refused("only DSLs can add to a review; ask a DSL to add it".into())
        })?;
    access::check_id(w.tx(), Viewer::from(&me), escalation_id)?;
    let s = series_by_code(w.tx(), series_code)?;
    let meeting = ensure_upcoming(w, &s)?;
    let reference: String = w.tx().query_row(
        "SELECT reference FROM escalations WHERE id = ?1",
        [escalation_id],
        |r| r.get(0),
    )?;
    w.tx().execute(
        "INSERT INTO review_items (meeting_id, escalation_id, kind, reason, added_by) VALUES (?1, ?2, 'manual', ?3, ?4)",
        params![meeting, escalation_id, reason, me.id],
    )?;
    w.audit("review_add", "escalation", Some(&reference), Some(&s.code))?;
    Ok(format!(
        "{reference} added to the {} on {}",
        s.name,
        crate::domain::calendar::format_date(s.next)
    ))
}

/// Records a meeting as held: its agenda, as the holder may see it, is kept
/// as items of this meeting; manual items not reviewed (those hidden from the
/// holder among them) roll to the next one, and the series moves on. What it
/// says and audits counts only what the holder may see, and the audit row
/// holds no count at all (others read the trail).
pub fn hold(w: &mut Write<'_>, series_code: &str, attendees: &str) -> Result<String> {
    super::staff::require_manager(w, "record a review meeting")?;
    let viewer = access::writer(w)?;
    let attendees = validate_line("attendees", attendees, 2000)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let s = series_by_code(w.tx(), series_code)?;
    let now = w.now();
    let today = local(now).date_naive();
    // A meeting recorded twice: the same series held again the same day.
    let last: Option<i64> = w.tx().query_row(
        "SELECT max(held_at) FROM review_meetings WHERE series_id = ?1",
        [s.id],
        |r| r.get(0),
    )?;
    if last.is_some_and(|t| local(instant(t)).date_naive() == today) {
        return Err(StoreError::Refused(format!(
            "a {} meeting is already recorded as held today; nothing changed",
            s.name
        )));
    }
    let agenda = agenda_of(w.tx(), &s, viewer, now)?.items;
    let meeting = ensure_upcoming(w, &s)?;
    for i in agenda.iter().filter(|i| i.kind != ItemKind::Manual) {
        w.tx().execute(
            "INSERT INTO review_items (meeting_id, escalation_id, kind, reason) VALUES (?1, ?2, ?3, ?4)",
            params![meeting, i.escalation_id, i.kind.code(), i.detail],
        )?;
    }
    w.tx().execute(
        "UPDATE review_meetings SET held_at = ?2, attendees = ?3 WHERE id = ?1",
        params![meeting, now.timestamp(), attendees],
    )?;
    let cal = super::deadlines::calendar(w.tx())?;
    let next = next_meeting(s.next, today, s.cadence, s.anchor, |d| {
        cal.is_working_day(d)
    });
    w.tx().execute(
        "UPDATE review_series SET next_meeting = ?2 WHERE id = ?1",
        params![s.id, next.to_string()],
    )?;
    let next_series = Series { next, ..s };
    let next_meeting = ensure_upcoming(w, &next_series)?;
    // Hand-added items the holder may see, counted before they roll on.
    let rolled: i64 = w.tx().query_row(
        &format!(
            "SELECT count(*) FROM review_items i LEFT JOIN escalations e ON e.id = i.escalation_id
             WHERE i.meeting_id = :meeting AND i.kind = 'manual' AND i.reviewed_at IS NULL
               AND (i.escalation_id IS NULL OR {VISIBLE})"
        ),
        named_params! {":meeting": meeting, ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| r.get(0),
    )?;
    w.tx().execute(
        "UPDATE review_items SET meeting_id = ?2 WHERE meeting_id = ?1 AND kind = 'manual' AND reviewed_at IS NULL",
        params![meeting, next_meeting],
    )?;
    w.audit(
        "review_held",
        "review_meeting",
        Some(&meeting.to_string()),
        Some(&format!("{} items; {rolled} rolled over", agenda.len())),
    )?;
    Ok(format!(
        "{} held with {} items ({rolled} rolled to {})",
        next_series.name,
        agenda.len(),
        crate::domain::calendar::format_date(next)
    ))
}

/// Records the discussion and decision on an item, and an action if agreed
/// (its owner sees it with their deadlines).
pub fn record_item(
    w: &mut Write<'_>,
    item_id: i64,
    discussion: &str,
    decision: &str,
    action: Option<(&str, &str, NaiveDate)>,
) -> Result<String> {
    super::staff::require_manager(w, "record a review decision")?;
    let viewer = access::writer(w)?;
    let discussion = validate_block("discussion", discussion, 20_000)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let decision = validate_line("decision", decision, 4000)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    // An item about an escalation the actor may not see is, to them, no item
    // at all: the same refusal as a number that does not exist.
    let escalation = item_escalation(w.tx(), viewer, item_id)?;
    w.tx().execute(
        "UPDATE review_items SET discussion = ?2, decision = ?3, reviewed_at = ?4 WHERE id = ?1",
        params![item_id, discussion, decision, w.now().timestamp()],
    )?;
    if let Some((desc, owner, due)) = action {
        let desc =
            validate_line("action", desc, 2000).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let owner = super::staff::find_in(w.tx(), owner)?
            .filter(|s| s.active)
            .ok_or_else(|| StoreError::Invalid(format!("no active staff member {owner:?}")))?;
        // The action counts down among its owner's deadlines, so its owner
        // must be allowed to see the escalation it is on.
        if let Some(id) = escalation
            && !access::may_see(w.tx(), Viewer::from(&owner), id)?
        {
            return Err(StoreError::Refused(format!(
                "{} may not see the escalation this item is about; choose an owner who may",
                owner.display_name
            )));
        }
        let due_at = crate::domain::calendar::end_of_day(due).timestamp();
        w.tx().execute(
            "INSERT INTO review_actions (item_id, owner_id, description, due_at) VALUES (?1, ?2, ?3, ?4)",
            params![item_id, owner.id, desc, due_at],
        )?;
        // The action counts down on the dashboard with the other deadlines,
        // on the escalation it is about, naming its owner.
        w.tx().execute(
            "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
             SELECT escalation_id, NULL, ?2, ?3, ?4 FROM review_items
             WHERE id = ?1 AND escalation_id IS NOT NULL",
            params![
                item_id,
                format!("Review action ({}): {}", owner.display_name, desc)
                    .chars()
                    .take(120)
                    .collect::<String>(),
                due_at,
                w.now().timestamp()
            ],
        )?;
    }
    // The decision's words stay in review_items, for those who may see them.
    w.audit(
        "review_item",
        "review_item",
        Some(&item_id.to_string()),
        Some(if action.is_some() {
            "decision and action recorded"
        } else {
            "decision recorded"
        }),
    )?;
    Ok(format!("Item {item_id} recorded"))
}

/// The escalation a held item is about (None for an item about none), or
/// the same refusal for an item that does not exist and one about an
/// escalation `viewer` may not see.
fn item_escalation(conn: &Connection, viewer: Viewer, item_id: i64) -> Result<Option<i64>> {
    // Hidden and missing are one refusal (need-to-know): not a bad value.
    let missing = || {
        StoreError::Refused(format!(
            "no review item {item_id}: see `dutydesk reviews items SERIES`"
        ))
    };
    let row: Option<Option<i64>> = conn
        .query_row(
            "SELECT escalation_id FROM review_items WHERE id = ?1",
            [item_id],
            |r| r.get(0),
        )
        .optional()?;
    match row {
        None => Err(missing()),
        Some(None) => Ok(None),
        Some(Some(id)) if access::may_see(conn, viewer, id)? => Ok(Some(id)),
        Some(Some(_)) => Err(missing()),
    }
}

/// An item of a held meeting: id, meeting date, reference, kind, reviewed.
pub type HeldItem = (i64, String, String, String, bool);

/// Items of held meetings that `viewer` may see, for `reviews items`: an
/// item about an escalation hidden from them is left out, as if it did not
/// exist (the same rule [`record_item`] applies to its number).
pub fn items(store: &Store, series_code: &str, viewer: Viewer) -> Result<Vec<HeldItem>> {
    items_limited(store, series_code, viewer, None)
}

/// [`items`], at most `limit` of them (the latest meetings first): the
/// review screen lists a bounded number, whatever the years of history.
pub fn items_limited(
    store: &Store,
    series_code: &str,
    viewer: Viewer,
    limit: Option<i64>,
) -> Result<Vec<HeldItem>> {
    let conn = store.conn();
    let s = series_by_code(conn, series_code)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT i.id, m.scheduled, coalesce(e.reference, ''), i.kind, i.reviewed_at IS NOT NULL
         FROM review_items i JOIN review_meetings m ON m.id = i.meeting_id
         LEFT JOIN escalations e ON e.id = i.escalation_id
         WHERE m.series_id = :series AND m.held_at IS NOT NULL
           AND (i.escalation_id IS NULL OR {VISIBLE})
         ORDER BY m.scheduled DESC, i.id LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {":series": s.id, ":senior": viewer.senior, ":me": viewer.staff_id, ":limit": limit.unwrap_or(-1)},
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                clean_line(&r.get::<_, String>(2)?),
                r.get(3)?,
                r.get(4)?,
            ))
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
