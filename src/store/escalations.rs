//! Escalations: the open queue for the dashboard, one record for the detail
//! view, and inserting new ones.

use super::{Result, Store, StoreError, Write, instant};
use crate::domain::escalation::{
    AgeBand, ChronologyEntry, Consent, EscalationDetail, EscalationSummary, Fgm, FgmReport,
    LocationType, NextDue, RecordPractice, ReferralView, Risk, Status, SubjectKind,
};
use crate::domain::text::{Marked, clean_block, clean_line};
use crate::domain::urgency::{Input, Tier};
use chrono::{DateTime, Datelike, Utc};
use rusqlite::{OptionalExtension, Row, named_params, params};

pub(crate) use super::access::VISIBLE;
pub use super::access::Viewer;

/// The columns of an [`EscalationSummary`] over `e` (bind `:senior` and
/// `:me`). The REPEAT count (`linked_12m`) counts the whole linked group, as
/// a person's chronology (`store::person`) gathers it: links followed from
/// case to case through escalations this viewer may see only (a hidden case
/// neither counts nor joins two visible ones), at most 200, counting those
/// raised within 12 months of this one. So every case of a chain of links
/// shows the same group, whichever of them the list shows.
pub(crate) const SUMMARY_COLUMNS: &str = concat!(
    "e.id, e.reference, e.subject_kind,
    (SELECT group_concat(label, ', ') FROM (
        SELECT c.label FROM escalation_categories ec JOIN categories c ON c.code = ec.category
        WHERE ec.escalation_id = e.id ORDER BY c.sort, c.label)),
    e.risk, e.status, s.display_name, e.raised_at, e.acknowledged_at IS NOT NULL,
    e.immediate_risk, e.restricted, e.next_due_at,
    (SELECT CASE WHEN d.rule_id IS NULL
                 AND EXISTS (SELECT 1 FROM staff v WHERE v.id = :me AND v.role = 'viewer')
            THEN CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.deadline_id = d.id)
                 THEN 'A task' ELSE 'A review action' END
            ELSE d.label END
     FROM deadlines d
     WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL
     ORDER BY d.due_at LIMIT 1),
    e.next_warn_at,
    e.closed_by IS NOT NULL AND e.closed_at IS NULL, e.version,
    (WITH RECURSIVE g(id) AS (
        SELECT e.id
        UNION SELECT l.linked_id FROM g JOIN escalation_links l ON l.escalation_id = g.id
            JOIN escalations o ON o.id = l.linked_id WHERE ",
    super::access::visible_sql!("o"),
    "
        UNION SELECT l.escalation_id FROM g JOIN escalation_links l ON l.linked_id = g.id
            JOIN escalations o ON o.id = l.escalation_id WHERE ",
    super::access::visible_sql!("o"),
    "
        LIMIT 200)
     SELECT count(*) FROM g JOIN escalations o ON o.id = g.id
     WHERE o.id <> e.id AND abs(o.raised_at - e.raised_at) <= 365 * 86400),
    e.emergency_called_at IS NOT NULL,
    (SELECT CASE WHEN d.rule_id IS NOT NULL
                 THEN (SELECT r.code FROM deadline_rules r WHERE r.id = d.rule_id)
            ELSE char(31) || coalesce(
                (SELECT 'task' || char(31) || s.username || char(31) || s.display_name
                 FROM tasks t JOIN staff s ON s.id = t.owner_id WHERE t.deadline_id = d.id),
                'review_action' || coalesce(
                    (SELECT char(31) || s.username || char(31) || s.display_name
                     FROM review_actions a JOIN review_items i ON i.id = a.item_id
                     JOIN staff s ON s.id = a.owner_id
                     WHERE i.escalation_id = d.escalation_id AND a.due_at = d.due_at
                       AND d.label = substr('Review action (' || s.display_name || '): ' || a.description, 1, 120)
                     ORDER BY a.id LIMIT 1), '')) END
     FROM deadlines d
     WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL
     ORDER BY d.due_at LIMIT 1)"
);

/// How many columns [`SUMMARY_COLUMNS`] has: the record's own start after it.
pub(crate) const SUMMARY_WIDTH: usize = 19;

pub(crate) fn summary(r: &Row<'_>) -> rusqlite::Result<EscalationSummary> {
    let cats: Option<String> = r.get(3)?;
    let next_at: Option<i64> = r.get(11)?;
    let next_label: Option<String> = r.get(12)?;
    let next_warn: Option<i64> = r.get(13)?;
    let next_source_text: Option<String> = r.get(18)?;
    Ok(EscalationSummary {
        id: r.get(0)?,
        reference: clean_line(&r.get::<_, String>(1)?),
        subject_kind: SubjectKind::from_code(&r.get::<_, String>(2)?).unwrap_or(SubjectKind::Child),
        categories: cats
            .map(|c| c.split(", ").map(clean_line).collect())
            .unwrap_or_default(),
        risk: Risk::from_code(&r.get::<_, String>(4)?).unwrap_or(Risk::High),
        status: Status::from_code(&r.get::<_, String>(5)?).unwrap_or(Status::New),
        assignee: r.get::<_, Option<String>>(6)?.map(|s| clean_line(&s)),
        raised_at: instant(r.get(7)?),
        acknowledged: r.get(8)?,
        immediate_risk: r.get(9)?,
        restricted: r.get(10)?,
        next_due: next_at.map(|at| NextDue {
            at: instant(at),
            label: clean_line(next_label.as_deref().unwrap_or("deadline")),
            // The escalation's earliest warning, as minutes before its next
            // deadline: "due soon" exactly when any open deadline warns.
            warn_minutes: ((at - next_warn.unwrap_or(at - 14_400)).max(0) / 60).min(u32::MAX as i64)
                as u32,
            source: next_source(next_source_text.as_deref()),
        }),
        awaiting_signoff: r.get(14)?,
        version: r.get(15)?,
        linked_12m: r.get(16)?,
        emergency_called: r.get(17)?,
    })
}

/// The next deadline's source from [`SUMMARY_COLUMNS`]' last column: a
/// rule's code, or (after a unit separator) `task` / `review_action` with
/// the owner's username and name.
fn next_source(text: Option<&str>) -> crate::domain::deadline::DeadlineSource {
    use crate::domain::paging::Hand;
    let Some(t) = text else {
        return Default::default();
    };
    match t.strip_prefix('\u{1f}') {
        None => crate::domain::deadline::DeadlineSource {
            rule: Some(t.to_string()),
            ..Default::default()
        },
        Some(rest) => {
            let mut parts = rest.split('\u{1f}');
            let hand = Hand::from_code(parts.next().unwrap_or_default());
            let owner = match (parts.next(), parts.next()) {
                (Some(u), Some(n)) => Some((u.to_string(), clean_line(n))),
                _ => None,
            };
            crate::domain::deadline::DeadlineSource {
                rule: None,
                hand: hand.or(Some(Hand::Action)),
                owner,
            }
        }
    }
}

/// How many open escalations the viewer can see.
pub fn open_count(store: &Store, viewer: Viewer) -> Result<i64> {
    let hidden = hidden_open(store.conn(), viewer)?;
    count_open(store.conn(), &hidden)
}

/// Every open escalation (`escalations_open_tally`, kept by triggers: one
/// row, however many are open) less those `hidden` from the viewer
/// ([`hidden_open`]): checking visibility row by row costs more than the
/// whole budget on a big desk, and only the hidden few can differ.
fn count_open(conn: &rusqlite::Connection, hidden: &Hidden) -> Result<i64> {
    let all: i64 = conn
        .prepare_cached("SELECT n FROM escalations_open_tally WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    Ok(all - hidden.len() as i64)
}

/// The ids of the open escalations hidden from a viewer, bound to the
/// queue's statements as `rarray(:hidden)`.
type Hidden = std::rc::Rc<Vec<rusqlite::types::Value>>;

/// The open escalations the viewer may not see (`access::HIDDEN_OPEN`, the
/// need-to-know rule asked of the few rows it can hide), read once for a
/// load of the queue and left out of every band by id.
fn hidden_open(conn: &rusqlite::Connection, viewer: Viewer) -> Result<Hidden> {
    let mut stmt = conn.prepare_cached(super::access::HIDDEN_OPEN)?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        |r| Ok(rusqlite::types::Value::Integer(r.get(0)?)),
    )?;
    Ok(std::rc::Rc::new(rows.collect::<rusqlite::Result<_>>()?))
}

/// The bands of the order of urgency as the store reads them
/// (`domain::urgency`): each is one index-backed query in its own order, so
/// a page of the queue never sorts the whole open set. The first three are
/// small (what needs a DSL now); the last is the bulk, read in the order of
/// `escalations_open_queue`. Overdue and due soon are one band here: both
/// are "a deadline warns" (`next_warn_at` has passed), and ordering it by
/// the next deadline puts the overdue first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Band {
    LifeAtRisk,
    Unacknowledged,
    Warning,
    Rest,
}

impl Band {
    pub(crate) const ALL: [Band; 4] = [
        Band::LifeAtRisk,
        Band::Unacknowledged,
        Band::Warning,
        Band::Rest,
    ];

    fn of(t: Tier) -> Band {
        match t {
            Tier::LifeAtRisk => Band::LifeAtRisk,
            Tier::Unacknowledged => Band::Unacknowledged,
            Tier::Overdue | Tier::DueSoon => Band::Warning,
            Tier::Rest => Band::Rest,
        }
    }

    /// `FROM` with the index the band reads.
    fn from(self) -> &'static str {
        match self {
            Band::LifeAtRisk => "escalations e INDEXED BY escalations_open_999",
            Band::Unacknowledged => "escalations e INDEXED BY escalations_unacknowledged",
            Band::Warning => "escalations e INDEXED BY escalations_open_warn",
            // Its ORDER BY is the index's, so the planner reads it in order
            // (and a lost index shows in the plan instead of failing).
            Band::Rest => "escalations e",
        }
    }

    /// `FROM` for counting the band or a case's place in it: always the
    /// band's index (without an ORDER BY to match, the planner would pick
    /// another open-rows index and read every wide row).
    fn counting_from(self) -> &'static str {
        match self {
            Band::Rest => "escalations e INDEXED BY escalations_open_queue",
            // Those already warning, by when they started to (schema 19):
            // the band's own index holds every case with a warning time.
            Band::Warning => "escalations e INDEXED BY escalations_open_by_warn",
            b => b.from(),
        }
    }

    /// Which open escalations are in the band (bind `:now`, `:ack`,
    /// `:ack_imm`, `:ack_min`: seconds).
    fn filter(self) -> &'static str {
        match self {
            Band::LifeAtRisk => {
                "e.status <> 'closed' AND e.immediate_risk = 1 AND e.emergency_called_at IS NULL"
            }
            Band::Unacknowledged => "e.status <> 'closed' AND e.acknowledged_at IS NULL AND e.raised_at <= :now - :ack_min
                 AND NOT (e.immediate_risk = 1 AND e.emergency_called_at IS NULL)
                 AND e.raised_at <= :now - CASE e.immediate_risk WHEN 1 THEN :ack_imm ELSE :ack END",
            Band::Warning => "e.status <> 'closed' AND e.next_warn_at IS NOT NULL AND e.next_warn_at <= :now
                 AND NOT (e.immediate_risk = 1 AND e.emergency_called_at IS NULL)
                 AND NOT (e.acknowledged_at IS NULL AND e.raised_at <= :now - CASE e.immediate_risk WHEN 1 THEN :ack_imm ELSE :ack END)",
            Band::Rest => "e.status <> 'closed' AND (e.next_warn_at IS NULL OR e.next_warn_at > :now)
                 AND NOT (e.immediate_risk = 1 AND e.emergency_called_at IS NULL)
                 AND NOT (e.acknowledged_at IS NULL AND e.raised_at <= :now - CASE e.immediate_risk WHEN 1 THEN :ack_imm ELSE :ack END)",
        }
    }

    /// The band's order, as `domain::urgency::key` orders it.
    fn order(self) -> &'static str {
        match self {
            Band::LifeAtRisk | Band::Unacknowledged => "e.raised_at, e.id",
            Band::Warning => {
                "e.next_due_at, CASE e.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, e.raised_at, e.id"
            }
            Band::Rest => {
                "CASE e.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, e.next_due_at IS NULL, e.next_due_at, e.raised_at, e.id"
            }
        }
    }
}

/// The band's page SQL (bind the clock and acknowledgement windows, `:senior`,
/// `:me`, `:mine`, `:limit`, `:offset`), also explained by `store::plans`.
/// The window is found from the index alone (the rows skipped by OFFSET are
/// never read from the table), then its few rows are read and put back in
/// the band's order.
pub(crate) fn band_page_sql(band: Band) -> String {
    band_window_sql(band, Dir::Forward, "1")
}

/// Which way a band is read: from its first row, or from its last (the
/// index read backwards), so the end of the queue costs what its start does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Forward,
    Backward,
}

/// A window of the band read in direction `dir` from the rows matching
/// `extra` (a key bound for keyset paging, or "1"), returned in the band's
/// order (bind as [`band_page_sql`]).
pub(crate) fn band_window_sql(band: Band, dir: Dir, extra: &str) -> String {
    part_window_sql(band, dir, extra, band.order())
}

/// [`band_window_sql`] for rows found in the index in `order` (the band's
/// order less the leading terms `extra` holds equal: SQLite reads an index
/// in the order of what is left, but sorts every matching row when asked
/// for an expression that an equality already fixes).
pub(crate) fn part_window_sql(band: Band, dir: Dir, extra: &str, order: &str) -> String {
    let inner = match dir {
        Dir::Forward => order.to_string(),
        Dir::Backward => order
            .split(", ")
            .map(|t| format!("{t} DESC"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM (
            SELECT e.id AS qid FROM {} WHERE {} AND {extra} AND {OPEN_VISIBLE} AND (:mine = 0 OR e.assignee_id = :me)
            ORDER BY {inner} LIMIT :limit OFFSET :offset) q
         JOIN escalations e ON e.id = q.qid LEFT JOIN staff s ON s.id = e.assignee_id
         ORDER BY {}",
        band.from(),
        band.filter(),
        band.order()
    )
}

/// Need-to-know for open escalations, as a list: `e` is not among the open
/// escalations hidden from the viewer (bind `:hidden`, [`hidden_open`]).
/// The same rule as [`VISIBLE`] for open rows, found once per load from the
/// small set that can be hidden, so a queue of 137,000 open cases is counted
/// and paged from its index without a look-up per row (issue 21).
const OPEN_VISIBLE: &str = "e.id NOT IN rarray(:hidden)";

fn band_count_sql(band: Band) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} AND {OPEN_VISIBLE}",
        band.counting_from(),
        band.filter()
    )
}

/// The clock and acknowledgement windows the bands are read with.
#[derive(Debug, Clone, Copy)]
struct Clock {
    now: i64,
    ack_minutes: u32,
}

impl Clock {
    fn load(conn: &rusqlite::Connection, now: DateTime<Utc>) -> Result<Self> {
        Ok(Clock {
            now: now.timestamp(),
            ack_minutes: super::settings::load(conn)?.ack_minutes,
        })
    }

    /// (`:ack`, `:ack_imm`, `:ack_min`) in seconds.
    fn windows(self) -> (i64, i64, i64) {
        let ack = crate::domain::alert::ack_window(self.ack_minutes, false).num_seconds();
        let imm = crate::domain::alert::ack_window(self.ack_minutes, true).num_seconds();
        (ack, imm, ack.min(imm))
    }
}

/// The open queue as one viewer sees it at one instant: the clock, the
/// acknowledgement windows and the ids hidden from the viewer are read once
/// and shared by the count, the window and a kept case's place in one
/// dashboard load (`store::worker::load_dashboard`).
pub struct Queue<'s> {
    conn: &'s rusqlite::Connection,
    viewer: Viewer,
    clock: Clock,
    /// (`:ack`, `:ack_imm`, `:ack_min`), seconds.
    ack: (i64, i64, i64),
    hidden: Hidden,
}

impl<'s> Queue<'s> {
    /// The queue for `viewer` at `now` (UTC).
    pub fn new(store: &'s Store, viewer: Viewer, now: DateTime<Utc>) -> Result<Queue<'s>> {
        let conn = store.conn();
        let clock = Clock::load(conn, now)?;
        Ok(Queue {
            conn,
            viewer,
            clock,
            ack: clock.windows(),
            hidden: hidden_open(conn, viewer)?,
        })
    }

    /// How many open escalations the viewer can see ([`open_count`]).
    pub fn count(&self) -> Result<i64> {
        count_open(self.conn, &self.hidden)
    }

    /// The parameters every band's statement may use; `stmt` takes those it
    /// names (binding a name a statement lacks is an error).
    fn bind<'p>(
        &'p self,
        stmt: &rusqlite::Statement<'_>,
        extra: &[(&'p str, &'p dyn rusqlite::ToSql)],
    ) -> Vec<(&'p str, &'p dyn rusqlite::ToSql)> {
        let common: [(&str, &dyn rusqlite::ToSql); 7] = [
            (":now", &self.clock.now),
            (":ack", &self.ack.0),
            (":ack_imm", &self.ack.1),
            (":ack_min", &self.ack.2),
            (":senior", &self.viewer.senior),
            (":me", &self.viewer.staff_id),
            (":hidden", &self.hidden),
        ];
        common
            .iter()
            .chain(extra)
            .filter(|(n, _)| stmt.parameter_index(n).ok().flatten().is_some())
            .copied()
            .collect()
    }

    /// How many of `band`'s cases the viewer sees. The last band, the
    /// bulk, is what the others leave of the open count (the bands divide
    /// the open set), so it is never counted row by row.
    fn band_count(&self, band: Band) -> Result<i64> {
        if band == Band::Rest {
            let mut rest = self.count()?;
            for b in &Band::ALL[..Band::ALL.len() - 1] {
                rest -= self.band_count(*b)?;
            }
            return Ok(rest);
        }
        let mut stmt = self.conn.prepare_cached(&band_count_sql(band))?;
        let p = self.bind(&stmt, &[]);
        Ok(stmt.query_row(p.as_slice(), |r| r.get(0))?)
    }

    fn band_rows(
        &self,
        band: Band,
        dir: Dir,
        mine: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<EscalationSummary>> {
        let mut stmt = self.conn.prepare_cached(&band_window_sql(band, dir, "1"))?;
        let p = self.bind(
            &stmt,
            named_params! {":mine": mine, ":limit": limit, ":offset": offset},
        );
        let rows = stmt.query_map(p.as_slice(), summary)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Rows `offset..offset + limit` of the queue ([`open_window`]).
    pub fn window(
        &self,
        offset: i64,
        limit: i64,
        total: Option<i64>,
    ) -> Result<Vec<EscalationSummary>> {
        let (offset, limit) = (offset.max(0), limit.max(0));
        let total = match total {
            Some(t) => Some(t),
            None if offset > 0 => Some(self.count()?),
            None => None,
        };
        if let Some(total) = total
            && offset * 2 > total
        {
            // From the end: skip what follows the page, then read it backwards.
            let want = limit.min(total - offset).max(0);
            let skip = (total - offset - want).max(0);
            let mut chunks = self.bands_read(Dir::Backward, skip, want)?;
            chunks.reverse();
            return Ok(chunks.into_iter().flatten().collect());
        }
        Ok(self
            .bands_read(Dir::Forward, offset, limit)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The dashboard's window of `limit` rows: with `keep` (an escalation
    /// the screen shows), read around it by its key wherever it now stands
    /// (half before it), so another session's change redraws in the time
    /// the rows take to read, whatever the queue's length; else, or when
    /// it is no longer open and visible, from `offset`. `total` is
    /// [`Self::count`]. The kept case's place is counted when the window
    /// reaches an end of the queue (then it is known) or the queue holds
    /// at most [`COUNTED_UP_TO`]; otherwise it is left to the screen.
    pub fn load(&self, offset: i64, limit: i64, keep: Option<i64>, total: i64) -> Result<Placed> {
        if let Some(id) = keep
            && let Some(a) = self.around(id, limit / 2, limit - limit / 2)?
        {
            let kept = a.kept as i64;
            let start = if a.first {
                Some(0)
            } else if a.last {
                Some((total - a.rows.len() as i64).max(0))
            } else if total <= COUNTED_UP_TO {
                // Counted from the end it was nearer (the page it was on).
                let near_end = (offset * 2 > total).then_some(total);
                self.position(id, near_end)?.map(|p| p - kept)
            } else {
                None
            };
            return Ok(Placed {
                offset: start.unwrap_or(offset),
                kept_at: start.map(|s| s + kept),
                kept_row: Some(a.kept),
                rows: a.rows,
            });
        }
        let offset = offset.clamp(0, (total - limit).max(0));
        Ok(Placed {
            offset,
            rows: self.window(offset, limit, Some(total))?,
            kept_at: None,
            kept_row: None,
        })
    }

    /// Rows `skip..skip + want` of the queue counted from its start
    /// ([`Dir::Forward`]) or its end ([`Dir::Backward`]), as one chunk per
    /// band in the reading order (each chunk in the band's own order). A band
    /// is counted only when the window starts beyond it; a band read whole
    /// from the window's start is not counted at all.
    fn bands_read(&self, dir: Dir, skip: i64, want: i64) -> Result<Vec<Vec<EscalationSummary>>> {
        self.bands_read_in(&Band::ALL, dir, skip, want)
    }

    /// [`Self::bands_read`] over `bands` only (in the queue's order; read
    /// from the last when [`Dir::Backward`]).
    fn bands_read_in(
        &self,
        bands: &[Band],
        dir: Dir,
        mut skip: i64,
        mut want: i64,
    ) -> Result<Vec<Vec<EscalationSummary>>> {
        let mut order = bands.to_vec();
        if dir == Dir::Backward {
            order.reverse();
        }
        let mut out = Vec::new();
        for band in order {
            if want == 0 {
                break;
            }
            let rows = self.band_rows(band, dir, false, skip, want)?;
            if rows.is_empty() && skip > 0 {
                // The window starts beyond this band: step over all of it.
                skip = (skip - self.band_count(band)?).max(0);
                continue;
            }
            skip = 0;
            want -= rows.len() as i64;
            out.push(rows);
        }
        Ok(out)
    }

    /// The rows around escalation `id` by its place in the order, not by
    /// number (keyset paging, issue 21): up to `before` rows before it, then
    /// it and up to `after - 1` rows after it, each read from its band's
    /// index starting at the case's key, so the cost is the rows read
    /// wherever the case stands. `None` when it is not open or not visible
    /// to the viewer. Its absolute place is not counted here: see
    /// [`Around`] and [`Self::position`].
    pub fn around(&self, id: i64, before: i64, after: i64) -> Result<Option<Around>> {
        let Some((e, band, at)) = self.placed(id)? else {
            return Ok(None);
        };
        let key = Key::of(&e);
        let (before, after) = (before.max(0), after.max(1));
        // The case and what follows it: the rest of its band, then the bands after.
        let mut next = Vec::new();
        for (cond, order) in key_parts(band, true, true, key.none) {
            if next.len() as i64 >= after {
                break;
            }
            let want = after - next.len() as i64;
            next.extend(self.key_rows(band, Dir::Forward, (&cond, order), &key, want)?);
        }
        if next.first().map(|r| r.id) != Some(id) {
            // Changed between its key and its rows (another session): not placed.
            return Ok(None);
        }
        let want = after - next.len() as i64;
        if want > 0 {
            for chunk in self.bands_read_in(&Band::ALL[at + 1..], Dir::Forward, 0, want)? {
                next.extend(chunk);
            }
        }
        // What precedes it, read backwards from it, then the bands before.
        let mut prev = Vec::new();
        for (cond, order) in key_parts(band, false, false, key.none) {
            if prev.len() as i64 >= before {
                break;
            }
            let want = before - prev.len() as i64;
            prev.extend(self.key_rows(band, Dir::Backward, (&cond, order), &key, want)?);
        }
        let want = before - prev.len() as i64;
        if want > 0 {
            for chunk in self.bands_read_in(&Band::ALL[..at], Dir::Backward, 0, want)? {
                // Each chunk is in its band's order; `prev` runs backwards.
                prev.extend(chunk.into_iter().rev());
            }
        }
        let first = (prev.len() as i64) < before;
        let last = (next.len() as i64) < after;
        prev.reverse();
        let kept = prev.len();
        prev.extend(next);
        Ok(Some(Around {
            rows: prev,
            kept,
            first,
            last,
        }))
    }

    /// Up to `limit` rows of `band` matching a [`key_parts`] part (its
    /// condition on `key` and the order its index range is read in), read
    /// in direction `dir`, nearest the key first.
    fn key_rows(
        &self,
        band: Band,
        dir: Dir,
        (cond, order): (&str, &str),
        key: &Key,
        limit: i64,
    ) -> Result<Vec<EscalationSummary>> {
        let mut stmt =
            self.conn
                .prepare_cached(&part_window_sql(band, dir, &format!("({cond})"), order))?;
        let p = self.bind(
            &stmt,
            named_params! {":mine": false, ":limit": limit, ":offset": 0,
            ":raised": key.raised, ":id": key.id, ":due": key.due, ":rank": key.rank},
        );
        let mut rows: Vec<EscalationSummary> = stmt
            .query_map(p.as_slice(), summary)?
            .collect::<rusqlite::Result<_>>()?;
        if dir == Dir::Backward {
            // The window comes back in the band's order; read away from the key.
            rows.reverse();
        }
        Ok(rows)
    }
}

/// A window of the open queue read around one escalation
/// ([`Queue::around`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Around {
    /// In the order of urgency.
    pub rows: Vec<EscalationSummary>,
    /// Where the escalation is in `rows`.
    pub kept: usize,
    /// `rows[0]` is the queue's first row (fewer rows came before it than
    /// asked for): the window's place is known, 0.
    pub first: bool,
    /// The last row is the queue's last: the window ends at the count.
    pub last: bool,
}

/// A case's key in the order (bound as `:raised`, `:id`, `:due`, `:rank`).
struct Key {
    raised: i64,
    id: i64,
    due: Option<i64>,
    rank: i64,
    none: bool,
}

impl Key {
    fn of(e: &Input) -> Key {
        let due = e.next_due.map(|d| d.timestamp());
        Key {
            raised: e.raised_at.timestamp(),
            id: e.id,
            due,
            rank: match e.risk {
                Risk::High => 0,
                Risk::Medium => 1,
                Risk::Low => 2,
            },
            none: due.is_none(),
        }
    }

    /// The case's step in `escalations_queue_tally` and the first instant
    /// (UTC seconds) of that step: the hour of its next deadline, or, with
    /// none, the day it was raised. SQLite's integer division truncates
    /// toward zero, so step 0 also holds the instants just before 1970.
    fn step(&self) -> (i64, i64) {
        let (at, span) = match self.due {
            Some(due) => (due, TALLY_HOUR),
            None => (self.raised, TALLY_DAY),
        };
        let bucket = at / span;
        let lo = if bucket > 0 {
            bucket * span
        } else {
            bucket * span - (span - 1)
        };
        (bucket, lo)
    }
}

/// `escalations_queue_tally`'s steps, seconds: a deadline's hour, and the
/// day a case without one was raised (schema 19).
const TALLY_HOUR: i64 = 3600;
const TALLY_DAY: i64 = 86_400;

/// Whether `e` comes before a case in the last band's order, the order as
/// one row value (risk rank, no deadline, the deadline, raised, id)
/// compared whole with the case's (bind `:rank`, `:nodue`, `:due`,
/// `:raised`, `:id`).
fn rest_key_before() -> String {
    format!(
        "({RANK}, e.next_due_at IS NULL, coalesce(e.next_due_at, 0), e.raised_at, e.id)
         < (:rank, :nodue, coalesce(:due, 0), :raised, :id)"
    )
}

/// How many open escalations, whatever their band or restriction, come
/// before a case in the last band's order: the tally's steps before the
/// case's step (bind `:rank`, `:nodue`, `:bucket`), then its own step's
/// rows before it, one range of `escalations_open_queue` from the step's
/// first instant `:lo` (bind `:due`, `:raised`, `:id`); `none` when the case
/// has no deadline. Also explained by `store::plans`.
pub(crate) fn rest_step_sql(none: bool) -> String {
    let own = if none {
        format!(
            "e.next_due_at IS NULL AND e.raised_at >= :lo AND e.raised_at / {TALLY_DAY} = :bucket
             AND (e.raised_at, e.id) < (:raised, :id)"
        )
    } else {
        format!(
            "e.next_due_at >= :lo AND e.next_due_at / {TALLY_HOUR} = :bucket
             AND (e.next_due_at, e.raised_at, e.id) < (:due, :raised, :id)"
        )
    };
    format!(
        "SELECT (SELECT coalesce(sum(n), 0) FROM escalations_queue_tally
                 WHERE (rank, nodue, bucket) < (:rank, :nodue, :bucket))
          + (SELECT count(*) FROM escalations e INDEXED BY escalations_open_queue
             WHERE e.status <> 'closed' AND {RANK} = :rank AND (e.next_due_at IS NULL) = :nodue
               AND {own})"
    )
}

/// For one band: how many of its cases the viewer sees and how many of its
/// open cases come before a case in the last band's order (bind as
/// [`rest_step_sql`] and the band's clock). Read from the band's own index
/// for the earlier bands (small: what needs a DSL now); for the last band
/// itself only its hidden cases are read, by id, and counted as none seen,
/// so subtracting takes them off. Also explained by `store::plans`.
pub(crate) fn rest_corrections_sql(band: Band) -> String {
    let before = rest_key_before();
    if band == Band::Rest {
        return format!(
            "SELECT 0, count(*) FROM escalations e
             WHERE e.id IN rarray(:hidden) AND {} AND {before}",
            band.filter()
        );
    }
    format!(
        "SELECT coalesce(sum({OPEN_VISIBLE}), 0), coalesce(sum({before}), 0)
         FROM {} WHERE {}",
        band.counting_from(),
        band.filter()
    )
}

/// The open queue's window for one dashboard load ([`Queue::load`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The place of `rows[0]` in the queue (0-based); meaningless when
    /// `kept_row` is set and `kept_at` is not.
    pub offset: i64,
    pub rows: Vec<EscalationSummary>,
    /// The kept escalation's place, when counted.
    pub kept_at: Option<i64>,
    /// The kept escalation's index in `rows`, when the window was read
    /// around it.
    pub kept_row: Option<usize>,
}

/// Up to this many open escalations, a kept case's place is counted with
/// every load (at most half of them read from an index, about 1 ms); past
/// it, only when the window around the case reaches an end of the queue,
/// and otherwise by the screen after it has drawn ([`Queue::position`]).
pub const COUNTED_UP_TO: i64 = 20_000;

/// One page of the open queue in the order of urgency at `now`
/// (`domain::urgency`): each band read from its own index in its own order,
/// so a page costs the same at any size of history.
pub fn open_page(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> Result<Vec<EscalationSummary>> {
    open_window(store, viewer, now, offset, limit, None)
}

/// [`open_page`] knowing the viewer's open count (`total`, as
/// [`open_count`] gives it) when the caller has it. The bands are read one
/// after another with LIMIT, and a band is counted only when the page
/// starts beyond it, so the first page reads its rows and nothing else
/// (issue 21: with 137,000 open it counted 100,000 overdue first). A page in
/// the second half of the queue is read the same way from its end, each
/// band's index backwards, so the last page (`G`) costs what the first does
/// whatever the queue's length.
pub fn open_window(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
    total: Option<i64>,
) -> Result<Vec<EscalationSummary>> {
    Queue::new(store, viewer, now)?.window(offset, limit, total)
}

/// The unacknowledged count's SQL, also explained by `store::plans`.
pub(crate) fn unacknowledged_count_sql() -> String {
    format!(
        "SELECT count(*) FROM escalations e INDEXED BY escalations_unacknowledged
         WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL AND {VISIBLE}"
    )
}

/// Open escalations nobody has acknowledged, oldest first (a few, for the
/// banner), and how many there are.
pub fn unacknowledged(
    store: &Store,
    viewer: Viewer,
    limit: i64,
) -> Result<(i64, Vec<EscalationSummary>)> {
    let total = store.conn().query_row(
        &unacknowledged_count_sql(),
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        |r| r.get(0),
    )?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM escalations e INDEXED BY escalations_unacknowledged
         LEFT JOIN staff s ON s.id = e.assignee_id
         WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL AND {VISIBLE}
         ORDER BY e.raised_at LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":limit": limit},
        summary,
    )?;
    Ok((total, rows.collect::<rusqlite::Result<_>>()?))
}

/// An earlier escalation that may be about the same person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    pub id: i64,
    pub reference: String,
    pub raised_at: DateTime<Utc>,
    pub status: Status,
    /// "same name and date of birth" or "same name and area".
    pub why: &'static str,
}

/// Earlier escalations with the same name and the same date of birth, or the
/// same name and area: offered at intake to link. Names are compared folded
/// (`domain::search::name_key`: "Jamie  Fictional" is "jamie fictional", "ZOË"
/// is "Zoë") with the breaks between words removed, so "O'Brien", "O Brien"
/// and "OBrien" are one name, through `escalations_by_name_key`.
pub fn matches(
    conn: &rusqlite::Connection,
    viewer: Viewer,
    name: &str,
    dob: Option<&str>,
    area: &str,
    except: Option<i64>,
) -> Result<Vec<Match>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.reference, e.raised_at, e.status,
            (:dob IS NOT NULL AND e.subject_dob = :dob)
         FROM escalations e
         WHERE replace(e.subject_key, ' ', '') = :name
           AND ((:dob IS NOT NULL AND e.subject_dob = :dob) OR lower(trim(e.area)) = lower(trim(:area)))
           AND e.id IS NOT :except AND {VISIBLE}
         ORDER BY e.raised_at DESC LIMIT 20"
    ))?;
    let rows = stmt.query_map(
        named_params! {":name": crate::domain::search::name_key(name).replace(' ', ""), ":dob": dob, ":area": area, ":except": except,
        ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| {
            Ok(Match {
                id: r.get(0)?,
                reference: clean_line(&r.get::<_, String>(1)?),
                raised_at: instant(r.get(2)?),
                status: Status::from_code(&r.get::<_, String>(3)?).unwrap_or(Status::New),
                why: if r.get::<_, bool>(4)? {
                    "same name and date of birth"
                } else {
                    "same name and area"
                },
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The organisation's active categories (code, label), in its order.
pub fn categories(conn: &rusqlite::Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, label FROM categories WHERE active = 1 ORDER BY sort, label",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            clean_line(&r.get::<_, String>(0)?),
            clean_line(&r.get::<_, String>(1)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The refusal for a category code that is not on the organisation's active
/// list: it names every code that is (retired codes stay on old records only).
pub fn unknown_category(code: &str, known: &[(String, String)]) -> String {
    format!(
        "unknown category {code:?}: use {} (`dutydesk categories list` shows the labels; a senior lead adds codes with `dutydesk categories add`)",
        known
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Which escalations `list` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Open,
    Closed,
    All,
}

/// Escalations for `dutydesk list`: open ones in the order of urgency at
/// `now` (the dashboard's), closed and all by reference; `filters` narrow it
/// (`domain::search::Filters`: mine, unassigned, high risk, awaiting
/// sign-off, restricted; its status is `which`'s).
pub fn list(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    which: Which,
    filters: &crate::domain::search::Filters,
) -> Result<Vec<EscalationSummary>> {
    let mut out = Vec::new();
    list_each(store, viewer, now, which, filters, |e| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// The open escalations `viewer` may see that pass `filters`, in the
/// dashboard's order of urgency at `now` (the bands in turn, each in its own
/// order, `filters` applied inside each band's read), one at a time as read:
/// bounded memory whatever the size of the open set (issue 21: 137,000 open
/// were read twice and held whole). Stops at `f`'s first error.
fn open_each(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    filters: &crate::domain::search::Filters,
    mut f: impl FnMut(EscalationSummary) -> Result<()>,
) -> Result<()> {
    let q = Queue::new(store, viewer, now)?;
    let extra = super::search::filter_sql(filters);
    for band in Band::ALL {
        let mut stmt = q
            .conn
            .prepare(&band_window_sql(band, Dir::Forward, &extra))?;
        let p = q.bind(
            &stmt,
            named_params! {":mine": false, ":limit": -1, ":offset": 0},
        );
        let mut rows = stmt.query(p.as_slice())?;
        while let Some(r) = rows.next()? {
            f(summary(r)?)?;
        }
    }
    Ok(())
}

/// The longest reference on the desk, in characters (references are ASCII:
/// `SG-2026-0042`, or an imported log's number), for a listing's column
/// measured before its rows are read. Says nothing of any case.
pub fn reference_width(conn: &rusqlite::Connection) -> Result<u16> {
    let n: Option<i64> =
        conn.query_row("SELECT max(length(reference)) FROM escalations", [], |r| {
            r.get(0)
        })?;
    Ok(n.unwrap_or(0).clamp(0, 200) as u16)
}

/// [`list`] one escalation at a time as it is read, for `dutydesk list`:
/// closed and all (the history) stream by reference in bounded memory
/// (issue 21); open ones, in the order of urgency, are the open set's
/// [`list`]. Stops at `f`'s first error.
pub fn list_each(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    which: Which,
    filters: &crate::domain::search::Filters,
    mut f: impl FnMut(EscalationSummary) -> Result<()>,
) -> Result<()> {
    if which == Which::Open {
        return open_each(store, viewer, now, filters, f);
    }
    let filter = if which == Which::Closed {
        "e.status = 'closed'"
    } else {
        "1"
    };
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
         WHERE {filter} AND {VISIBLE} AND {}
         ORDER BY e.ref_year, e.ref_seq",
        super::search::filter_sql(filters)
    ))?;
    let mut rows = stmt.query(named_params! {":senior": viewer.senior, ":me": viewer.staff_id})?;
    while let Some(r) = rows.next()? {
        f(summary(r)?)?;
    }
    Ok(())
}

/// Where escalation `id` stands in the open queue at `now` (0-based), if it
/// is open and visible: used to keep the selection on it when the list
/// changes. Its band comes from `domain::urgency::tier`; its place is the
/// bands before it plus the rows of its band whose key is smaller, or, when
/// `near_end` (the selection was in the queue's second half), `total` (the
/// viewer's open count, [`open_count`]) less the rows after it: counted from
/// the nearer end, so a selection on the last case costs what one on the
/// first does (issue 21). Either way gives the same answer.
pub fn position(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    id: i64,
    near_end: Option<i64>,
) -> Result<Option<i64>> {
    Queue::new(store, viewer, now)?.position(id, near_end)
}

impl Queue<'_> {
    /// Where escalation `id` stands ([`position`]).
    pub fn position(&self, id: i64, near_end: Option<i64>) -> Result<Option<i64>> {
        let Some((e, band, at)) = self.placed(id)? else {
            return Ok(None);
        };
        if band == Band::Rest {
            return Ok(Some(self.rest_place(&Key::of(&e))?));
        }
        let others = match near_end {
            Some(_) => &Band::ALL[at + 1..],
            None => &Band::ALL[..at],
        };
        let mut beside = 0;
        for b in others {
            beside += self.band_count(*b)?;
        }
        let key = Key::of(&e);
        let mut stmt =
            self.conn
                .prepare_cached(&position_sql(band, near_end.is_some(), key.none))?;
        let p = self.bind(
            &stmt,
            named_params! {":raised": key.raised, ":id": key.id, ":due": key.due, ":rank": key.rank},
        );
        let within: i64 = stmt.query_row(p.as_slice(), |r| r.get(0))?;
        Ok(Some(match near_end {
            Some(total) => total - 1 - beside - within,
            None => beside + within,
        }))
    }

    /// The place of a case of the last band ([`Band::Rest`], the bulk of a
    /// long queue) with `key`, from `escalations_queue_tally` (schema 19):
    /// every open case before its step of the band's order, plus those of
    /// its own step before it ([`rest_step_sql`]), less the open cases of
    /// the earlier bands among them and the viewer's hidden ones of the
    /// band among them ([`rest_corrections_sql`]), plus the earlier bands'
    /// cases the viewer sees. Costs the tally's steps, one step's rows and
    /// the earlier bands' (small) indexes, wherever the case stands: at
    /// 137,000 open the middle case cost 10-12 ms counted row by row.
    fn rest_place(&self, key: &Key) -> Result<i64> {
        let (bucket, lo) = key.step();
        let p = named_params! {":raised": key.raised, ":id": key.id, ":due": key.due,
        ":rank": key.rank, ":nodue": key.none, ":bucket": bucket, ":lo": lo};
        let mut stmt = self.conn.prepare_cached(&rest_step_sql(key.none))?;
        let bound = self.bind(&stmt, p);
        let all_before: i64 = stmt.query_row(bound.as_slice(), |r| r.get(0))?;
        let mut place = all_before;
        for band in Band::ALL {
            let mut stmt = self.conn.prepare_cached(&rest_corrections_sql(band))?;
            let bound = self.bind(&stmt, p);
            let (seen, before): (i64, i64) =
                stmt.query_row(bound.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
            place += seen - before;
        }
        Ok(place)
    }

    /// What the order looks at in escalation `id`, if it is open and the
    /// viewer may see it.
    /// Open escalation `id` as the bands read it, its band at the queue's
    /// instant and that band's place in [`Band::ALL`]; `None` when it is not
    /// open or not visible to the viewer.
    fn placed(&self, id: i64) -> Result<Option<(Input, Band, usize)>> {
        let Some(e) = self.input(id)? else {
            return Ok(None);
        };
        let band = Band::of(crate::domain::urgency::tier(
            &e,
            instant(self.clock.now),
            self.clock.ack_minutes,
        ));
        let at = Band::ALL.iter().position(|b| *b == band).unwrap_or(0);
        Ok(Some((e, band, at)))
    }

    fn input(&self, id: i64) -> Result<Option<Input>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT e.risk, e.raised_at, e.acknowledged_at IS NOT NULL, e.immediate_risk,
                    e.emergency_called_at IS NOT NULL, e.next_due_at, e.next_warn_at
                 FROM escalations e WHERE e.id = :id AND e.status <> 'closed' AND {VISIBLE}"
            ))?
            .query_row(
                named_params! {":senior": self.viewer.senior, ":me": self.viewer.staff_id, ":id": id},
                |r| {
                    Ok(Input {
                        id,
                        risk: Risk::from_code(&r.get::<_, String>(0)?).unwrap_or(Risk::High),
                        raised_at: instant(r.get(1)?),
                        acknowledged: r.get(2)?,
                        immediate_risk: r.get(3)?,
                        emergency_called: r.get(4)?,
                        next_due: r.get::<_, Option<i64>>(5)?.map(instant),
                        next_warn: r.get::<_, Option<i64>>(6)?.map(instant),
                    })
                },
            )
            .optional()?)
    }
}

/// How many rows of `band` come before a case's key (bind its `:raised`,
/// `:id`, `:due`, `:rank` and the band's clock), or after it when `after`;
/// `none` when the case has no next deadline (`:due` is NULL). Each count
/// is one range of the band's index, so it reads the rows between the case
/// and the nearer end of the band (see [`position`]), not the whole band.
/// The bulk's key leads with its risk rank and whether a deadline is due,
/// which SQLite cannot bound as one row value, so it is counted in three
/// ranges: the ranks beyond, the same rank's other half (with or without a
/// deadline), and the case's own group from its key. Also explained by
/// `store::plans`.
pub(crate) fn position_sql(band: Band, after: bool, none: bool) -> String {
    format!(
        "SELECT {}",
        key_parts(band, after, false, none)
            .iter()
            .map(|(cond, _)| format!(
                "(SELECT count(*) FROM {} WHERE {} AND {OPEN_VISIBLE} AND {cond})",
                band.counting_from(),
                band.filter()
            ))
            .collect::<Vec<_>>()
            .join(" + ")
    )
}

/// The rows of `band` after a case's key (`after`) or before it, as
/// conditions each of which one range of the band's index bounds, in the
/// order they are met reading away from the case (bind its `:raised`,
/// `:id`, `:due`, `:rank`); `inclusive` takes the case itself too, `none`
/// says it has no next deadline. The bulk's key leads with the risk rank
/// and whether a deadline is due, which SQLite cannot bound as one row
/// value: its own group (same rank, with or without a deadline) from the
/// case, then the same rank's other group when it lies on that side, then
/// the ranks beyond.
pub(crate) fn key_parts(
    band: Band,
    after: bool,
    inclusive: bool,
    none: bool,
) -> Vec<(String, &'static str)> {
    let cmp = match (after, inclusive) {
        (true, true) => ">=",
        (true, false) => ">",
        (false, true) => "<=",
        (false, false) => "<",
    };
    match band {
        Band::LifeAtRisk | Band::Unacknowledged => {
            vec![(
                format!("(e.raised_at, e.id) {cmp} (:raised, :id)"),
                band.order(),
            )]
        }
        Band::Warning => vec![(
            format!("(e.next_due_at, {RANK}, e.raised_at, e.id) {cmp} (:due, :rank, :raised, :id)"),
            band.order(),
        )],
        Band::Rest => {
            // Within one rank and group: the index's order after the two
            // terms held equal.
            const GROUP: &str = "e.next_due_at, e.raised_at, e.id";
            let own = if none {
                format!(
                    "{RANK} = :rank AND (e.next_due_at IS NULL) = 1 AND e.next_due_at IS NULL
                     AND (e.raised_at, e.id) {cmp} (:raised, :id)"
                )
            } else {
                format!(
                    "{RANK} = :rank AND (e.next_due_at IS NULL) = 0
                     AND (e.next_due_at, e.raised_at, e.id) {cmp} (:due, :raised, :id)"
                )
            };
            // Cases with a deadline come before those without, in a rank.
            let other = match (after, none) {
                (true, false) => Some(format!("{RANK} = :rank AND (e.next_due_at IS NULL) = 1")),
                (false, true) => Some(format!("{RANK} = :rank AND (e.next_due_at IS NULL) = 0")),
                _ => None,
            };
            let beyond = format!("{RANK} {} :rank", if after { ">" } else { "<" });
            [
                Some((own, GROUP)),
                other.map(|o| (o, GROUP)),
                Some((beyond, band.order())),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
    }
}

/// The risk rank as the open-queue indexes hold it (high first).
const RANK: &str = "CASE e.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END";

/// An escalation's version and how many chronology entries it has, if the
/// viewer may see it: together they change whenever what [`detail`] shows
/// does (a note adds an entry without a new version), so an open record
/// reloads only when another session changed it.
pub fn stamp(store: &Store, viewer: Viewer, id: i64) -> Result<Option<(i64, i64)>> {
    Ok(store
        .conn()
        .query_row(
            &format!(
                "SELECT e.version, (SELECT count(*) FROM chronology c WHERE c.escalation_id = e.id)
                 FROM escalations e WHERE e.id = :id AND {VISIBLE}"
            ),
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":id": id},
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The whole record of one escalation, if the viewer may see it.
pub fn detail(store: &Store, viewer: Viewer, id: i64) -> Result<Option<EscalationDetail>> {
    detail_in(store.conn(), viewer, id)
}

/// [`detail`] on a connection, so a write can read the record it audits (an
/// export) in the same transaction.
pub(crate) fn detail_in(
    conn: &rusqlite::Connection,
    viewer: Viewer,
    id: i64,
) -> Result<Option<EscalationDetail>> {
    let head = conn
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, e.subject_name, e.subject_dob, e.age_band, e.area,
                    e.location_type, e.raised_by, e.occurred_at, e.occurred_place,
                    e.exact_words, e.appearance, e.consent, e.consent_reason,
                    e.critical_incident, e.outcome, e.closure_rationale, e.version,
                    e.emergency_called_at, e.fgm, e.fgm_reported_by, e.fgm_police_reference,
                    e.fgm_reported_at, e.low_level, e.work_area, e.works_with
                 FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
                 WHERE e.id = :id AND {VISIBLE}"
            ),
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":id": id},
            |r| {
                // The record's own columns, after the summary's.
                let at = |i: usize| SUMMARY_WIDTH + i;
                let opt = |i: usize| -> rusqlite::Result<Option<String>> {
                    Ok(r.get::<_, Option<String>>(at(i))?.map(|s| clean_line(&s)))
                };
                let fgm_report = match (opt(18)?, opt(19)?, r.get::<_, Option<i64>>(at(20))?) {
                    (Some(by), Some(reference), Some(t)) => Some(FgmReport {
                        reported_by: by,
                        police_reference: reference,
                        reported_at: instant(t),
                    }),
                    _ => None,
                };
                Ok(EscalationDetail {
                    summary: summary(r)?,
                    subject_name: clean_line(&r.get::<_, String>(at(0))?),
                    subject_dob: opt(1)?,
                    age_band: AgeBand::from_code(&r.get::<_, String>(at(2))?)
                        .unwrap_or(AgeBand::Unknown),
                    area: clean_line(&r.get::<_, String>(at(3))?),
                    location_type: LocationType::from_code(&r.get::<_, String>(at(4))?)
                        .unwrap_or(LocationType::Unknown),
                    raised_by: clean_line(&r.get::<_, String>(at(5))?),
                    occurred_at: r.get::<_, Option<i64>>(at(6))?.map(instant),
                    occurred_place: opt(7)?,
                    exact_words: clean_block(&r.get::<_, String>(at(8))?),
                    appearance: r.get::<_, Option<String>>(at(9))?.map(|s| clean_block(&s)),
                    consent: Consent::from_code(&r.get::<_, String>(at(10))?)
                        .unwrap_or(Consent::Sought),
                    consent_reason: r.get::<_, Option<String>>(at(11))?.map(|s| clean_block(&s)),
                    critical_incident: r.get(at(12))?,
                    outcome: opt(13)?,
                    closure_rationale: r.get::<_, Option<String>>(at(14))?.map(|s| clean_block(&s)),
                    version: r.get(at(15))?,
                    low_level: r.get(at(21))?,
                    work_area: opt(22)?,
                    works_with: r
                        .get::<_, Option<String>>(at(23))?
                        .and_then(|w| crate::domain::escalation::WorksWith::from_code(&w)),
                    deadlines: Vec::new(),
                    chronology: Vec::new(),
                    viewed_by: Vec::new(),
                    practice: RecordPractice {
                        emergency_called_at: r.get::<_, Option<i64>>(at(16))?.map(instant),
                        fgm: opt(17)?.as_deref().and_then(Fgm::from_code),
                        fgm_report,
                        ..RecordPractice::default()
                    },
                    casework: Default::default(),
                })
            },
        )
        .optional()?;
    let Some(mut d) = head else {
        return Ok(None);
    };
    d.deadlines = super::deadlines::of_escalation(conn, id)?;
    d.practice.referrals = referrals_of(conn, id)?;
    d.practice.outcome_codes = awaited_outcome_codes(conn, &d.practice.referrals)?;
    if d.summary.awaiting_signoff {
        d.practice.closure_choices = proposed_choices(conn, id)?;
    }
    if let Some(occurred) = d.occurred_at {
        let raised = d.summary.raised_at;
        // Due before it was even recorded: counted from when it happened.
        let already: Vec<String> = d
            .deadlines
            .iter()
            .filter(|dl| dl.due_at <= raised)
            .map(|dl| dl.label.clone())
            .collect();
        d.practice.lateness = crate::domain::escalation::lateness(occurred, raised, already);
    }
    let redacted = viewer.redacted;
    let mut stmt = conn.prepare_cached(
        "SELECT c.at, s.display_name, c.kind, c.body, c.id, c.parties FROM chronology c
         JOIN staff s ON s.id = c.author_id
         WHERE c.escalation_id = ?1 ORDER BY c.at, c.id",
    )?;
    d.chronology = stmt
        .query_map([id], |r| {
            let line = Marked::stored(
                &r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(5)?.as_deref(),
            );
            Ok(ChronologyEntry {
                at: instant(r.get(0)?),
                author: clean_line(&r.get::<_, String>(1)?),
                kind: clean_line(&r.get::<_, String>(2)?),
                body: line.text,
                id: r.get(4)?,
                parties: line.parties,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    d.casework = super::casework::load(conn, viewer, id)?;
    if viewer.senior {
        d.viewed_by = super::trail::viewers(conn, &d.summary.reference)?
            .into_iter()
            .map(|(at, who)| (instant(at), who))
            .collect();
    }
    if redacted {
        // Enforced here, not in the views: a viewer's copy never holds them.
        const HIDDEN: &str = "(hidden: viewers see lists, not personal details)";
        d.subject_name = "(hidden)".into();
        d.subject_dob = None;
        d.exact_words = HIDDEN.into();
        d.appearance = None;
        d.consent_reason = None;
        d.occurred_place = None;
        if let Some(report) = &mut d.practice.fgm_report {
            report.reported_by = "(hidden)".into();
        }
        d.closure_rationale = d.closure_rationale.map(|_| HIDDEN.into());
        for c in &mut d.practice.closure_choices {
            c.note = c.note.as_ref().map(|_| "(hidden)".into());
        }
        super::deadlines::for_viewer(conn, viewer, &mut d.deadlines)?;
        for c in &mut d.chronology {
            c.body = HIDDEN.into();
        }
    }
    Ok(Some(d))
}

/// The outcome codes of each route with a referral awaiting its outcome,
/// in the order `workflow::outcome_codes` lists them.
fn awaited_outcome_codes(
    conn: &rusqlite::Connection,
    referrals: &[ReferralView],
) -> Result<crate::domain::escalation::OutcomeCodes> {
    let mut out: crate::domain::escalation::OutcomeCodes = Vec::new();
    for r in referrals.iter().filter(|r| r.outcome.is_none()) {
        if !out.iter().any(|(route, _)| *route == r.route) {
            out.push((
                r.route.clone(),
                super::workflow::outcome_codes(conn, &r.route)?,
            ));
        }
    }
    Ok(out)
}

/// A proposed closure's stored choices, by the deadlines' due times.
fn proposed_choices(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<Vec<crate::domain::escalation::ProposedChoice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.label, d.due_at, c.choice, c.note FROM closure_choices c
         JOIN deadlines d ON d.id = c.deadline_id
         WHERE c.escalation_id = ?1 ORDER BY d.due_at, d.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(crate::domain::escalation::ProposedChoice {
            deadline_id: r.get(0)?,
            label: clean_line(&r.get::<_, String>(1)?),
            due_at: instant(r.get(2)?),
            choice: clean_line(&r.get::<_, String>(3)?),
            note: r.get::<_, Option<String>>(4)?.map(|s| clean_line(&s)),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The referrals on an escalation, oldest first, with their outcomes (the
/// code's label from `referral_outcomes`, or the stored words for an older
/// free-text outcome).
pub fn referrals_of(conn: &rusqlite::Connection, escalation_id: i64) -> Result<Vec<ReferralView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.route, coalesce(rt.label, r.route), r.made_at, coalesce(s.display_name, '?'),
            r.agency_reference, r.outcome, o.label, r.outcome_at
         FROM referrals r LEFT JOIN routes rt ON rt.code = r.route
         LEFT JOIN staff s ON s.id = r.made_by
         LEFT JOIN referral_outcomes o ON o.route = r.route AND o.code = r.outcome
         WHERE r.escalation_id = ?1 ORDER BY r.made_at, r.id",
    )?;
    let rows = stmt.query_map([escalation_id], |r| {
        let outcome: Option<String> = r.get::<_, Option<String>>(6)?.map(|s| clean_line(&s));
        let label: Option<String> = r.get::<_, Option<String>>(7)?.map(|s| clean_line(&s));
        Ok(ReferralView {
            id: r.get(0)?,
            route: clean_line(&r.get::<_, String>(1)?),
            route_label: clean_line(&r.get::<_, String>(2)?),
            made_at: instant(r.get(3)?),
            made_by: clean_line(&r.get::<_, String>(4)?),
            agency_reference: r.get::<_, Option<String>>(5)?.map(|s| clean_line(&s)),
            outcome_label: label.or_else(|| outcome.clone()),
            outcome,
            outcome_at: r.get::<_, Option<i64>>(8)?.map(instant),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that the viewer opened an escalation's detail: every view of a
/// record is attributable.
pub fn record_view(w: &mut Write<'_>, id: i64, reference: &str) -> Result<()> {
    w.audit(
        "view",
        "escalation",
        Some(reference),
        Some(&format!("id {id}")),
    )
}

/// A new escalation as recorded at intake (validated by the caller's form).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEscalation {
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    pub subject_dob: Option<String>,
    pub age_band: AgeBand,
    pub area: String,
    pub location_type: LocationType,
    pub risk: Risk,
    /// Who raised the concern (a name as typed); empty: the desk user
    /// recording it (their display name).
    pub raised_by: String,
    /// Their role and how to reach them, when someone else raised it.
    pub raised_by_role: Option<String>,
    pub raised_by_contact: Option<String>,
    /// A row of an earlier log (`dutydesk import`): no deadline is met as it
    /// is recorded, since the desk did not see it met (the written record
    /// included); those already due are waived by the import with its reason.
    pub imported: bool,
    pub raised_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub occurred_place: Option<String>,
    pub exact_words: String,
    pub appearance: Option<String>,
    pub consent: Consent,
    pub consent_reason: Option<String>,
    pub immediate_risk: bool,
    pub critical_incident: bool,
    pub restricted: bool,
    pub categories: Vec<String>,
    /// Staff only: a low-level concern (KCSIE Part 4 s2; starts no LADO clock).
    pub low_level: bool,
    /// Staff only: the area where they work (its LADO or PiPoT lead).
    pub work_area: Option<String>,
    /// Staff only: whom they work with.
    pub works_with: Option<crate::domain::escalation::WorksWith>,
    /// FGM known or at risk: required with the FGM category
    /// (`domain::escalation::check_fgm`).
    pub fgm: Option<Fgm>,
}

/// The next free reference number for `year`, inside the write transaction so
/// two sessions can never take the same one.
fn next_seq(w: &Write<'_>, year: i32) -> Result<i64> {
    Ok(w.tx().query_row(
        "SELECT coalesce(max(ref_seq), 0) + 1 FROM escalations WHERE ref_year = ?1",
        [year],
        |r| r.get(0),
    )?)
}

/// Inserts an escalation with its categories and a "created" chronology entry,
/// and returns its id and reference. The caller's write records the audit row.
///
/// When it happened defaults to when it is recorded; a time after that is
/// refused, as is the FGM category without known / at risk (bad input,
/// nothing written). The rules for a new escalation set their deadlines,
/// counted from when it happened or when it was recorded as each says, and
/// recording the person's exact words meets the written record at once.
pub fn insert(w: &mut Write<'_>, author_id: i64, e: &NewEscalation) -> Result<(i64, String)> {
    let occurred = e.occurred_at.unwrap_or(e.raised_at);
    if occurred > e.raised_at + chrono::Duration::seconds(60) {
        return Err(StoreError::Invalid(format!(
            "when it happened ({}) is after it was recorded ({}): give a time that has passed",
            crate::domain::calendar::format_stamp(occurred),
            crate::domain::calendar::format_stamp(e.raised_at)
        )));
    }
    crate::domain::escalation::check_fgm(&e.categories, e.subject_kind, e.fgm)
        .map_err(StoreError::Invalid)?;
    let occurred = occurred.min(e.raised_at);
    let year = crate::domain::calendar::local(e.raised_at).year();
    let seq = next_seq(w, year)?;
    let reference = crate::domain::escalation::reference(year, seq as u32);
    let now = w.now().timestamp();
    w.tx()
        .prepare_cached(
            "INSERT INTO escalations (reference, ref_year, ref_seq, subject_kind, subject_name,
                subject_dob, age_band, area, location_type, risk, status, raised_by, raised_at,
                occurred_at, occurred_place, exact_words, appearance, consent, consent_reason,
                immediate_risk, critical_incident, restricted, created_by, created_at,
                updated_by, updated_at, low_level, work_area, works_with, fgm, subject_key,
                raised_by_role, raised_by_contact)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'new', ?11, ?12, ?13, ?14, ?15,
                ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?22, ?23, ?24, ?25, ?26, ?27, ?28,
                ?29, ?30)",
        )?
        .execute(params![
            reference,
            year,
            seq,
            e.subject_kind.code(),
            e.subject_name,
            e.subject_dob,
            e.age_band.code(),
            e.area,
            e.location_type.code(),
            e.risk.code(),
            e.raised_by,
            e.raised_at.timestamp(),
            occurred.timestamp(),
            e.occurred_place,
            e.exact_words,
            e.appearance,
            e.consent.code(),
            e.consent_reason,
            e.immediate_risk,
            e.critical_incident,
            e.restricted,
            author_id,
            now,
            e.low_level,
            e.work_area,
            e.works_with.map(|x| x.code()),
            e.fgm.map(|f| f.code()),
            crate::domain::search::name_key(&e.subject_name),
            e.raised_by_role,
            e.raised_by_contact,
        ])?;
    let id = w.tx().last_insert_rowid();
    {
        let known = categories(w.tx())?;
        let mut stmt = w.tx().prepare_cached(
            "INSERT INTO escalation_categories (escalation_id, category) VALUES (?1, ?2)",
        )?;
        for c in &e.categories {
            if !known.iter().any(|(code, _)| code == c) {
                return Err(StoreError::Invalid(unknown_category(c, &known)));
            }
            stmt.execute(params![id, c])?;
        }
    }
    // The rules for a new escalation (LADO, Home Office, written record...)
    // set their deadlines in the same transaction.
    let facts = crate::domain::deadline::Facts {
        subject: Some(e.subject_kind),
        categories: e.categories.clone(),
        critical_incident: e.critical_incident,
        immediate_risk: e.immediate_risk,
        low_level: e.low_level,
        works_with: e.works_with,
        risk: Some(e.risk),
        fgm: e.fgm,
        occurred_at: Some(occurred),
        ..Default::default()
    };
    if e.imported {
        super::deadlines::fire_imported(
            w,
            id,
            crate::domain::deadline::TriggerEvent::EscalationOpened,
            &facts,
            e.raised_at,
        )?;
    } else {
        super::deadlines::fire(
            w,
            id,
            crate::domain::deadline::TriggerEvent::EscalationOpened,
            &facts,
            e.raised_at,
            None,
        )?;
    }
    let met = if !e.imported && crate::domain::escalation::words_recorded(&e.exact_words) {
        super::deadlines::meet_by_at(
            w,
            id,
            &crate::domain::deadline::Happening::ExactWords,
            None,
            author_id,
            e.raised_at,
        )?
    } else {
        Vec::new()
    };
    let body = if met.is_empty() {
        "Escalation recorded".to_string()
    } else {
        format!(
            "Escalation recorded with the exact words, which meets: {}.",
            met.join("; ")
        )
    };
    add_chronology(w, id, author_id, e.raised_at, "created", &body)?;
    Ok((id, reference))
}

/// Appends a line to an escalation's chronology and returns its id. Lines are
/// never edited or deleted (triggers refuse both); the write's last audit row
/// carries a digest of every line it added, so `verify` notices a line
/// changed, removed or slipped in outside dutydesk.
pub fn add_chronology(
    w: &mut Write<'_>,
    id: i64,
    author_id: i64,
    at: DateTime<Utc>,
    kind: &str,
    body: &str,
) -> Result<i64> {
    add_marked(
        w,
        id,
        author_id,
        at,
        kind,
        &Marked {
            text: body.to_string(),
            parties: Vec::new(),
        },
    )
}

/// [`add_chronology`] for a line that names third parties (who raised it,
/// others involved, staff): where they sit is stored with it
/// (`chronology.parties`, covered by the trail with the line), so a
/// redacted export blanks exactly those places.
pub fn add_marked(
    w: &mut Write<'_>,
    id: i64,
    author_id: i64,
    at: DateTime<Utc>,
    kind: &str,
    line: &Marked,
) -> Result<i64> {
    w.tx()
        .prepare_cached(
            "INSERT INTO chronology (escalation_id, at, author_id, kind, body, parties)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id,
            at.timestamp(),
            author_id,
            kind,
            line.text,
            line.spans()
        ])?;
    Ok(w.tx().last_insert_rowid())
}
