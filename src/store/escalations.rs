//! Escalations: the open queue for the dashboard, one record for the detail
//! view, and inserting new ones.

use super::{Result, Store, StoreError, Write, instant};
use crate::domain::escalation::{
    AgeBand, ChronologyEntry, Consent, EscalationDetail, EscalationSummary, LocationType, NextDue,
    Risk, Status, SubjectKind,
};
use crate::domain::text::{clean_block, clean_line};
use chrono::{DateTime, Datelike, Utc};
use rusqlite::{OptionalExtension, Row, named_params, params};

pub(crate) use super::access::VISIBLE;
pub use super::access::Viewer;

/// The dashboard's order, identical to the `escalations_open_queue` index:
/// soonest deadline first (overdue is soonest), none last, then risk, then age.
pub(crate) const QUEUE_ORDER: &str = "e.next_due_at IS NULL, e.next_due_at,
    CASE e.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, e.raised_at";

/// The columns of an [`EscalationSummary`] over `e` (bind `:senior` and
/// `:me`). The REPEAT count (`linked_12m`) counts only linked escalations this
/// viewer may see, by the same need-to-know rule, so a hidden case never adds
/// to it.
pub(crate) const SUMMARY_COLUMNS: &str = concat!(
    "e.id, e.reference, e.subject_kind,
    (SELECT group_concat(label, ', ') FROM (
        SELECT c.label FROM escalation_categories ec JOIN categories c ON c.code = ec.category
        WHERE ec.escalation_id = e.id ORDER BY c.sort, c.label)),
    e.risk, e.status, s.display_name, e.raised_at, e.acknowledged_at IS NOT NULL,
    e.immediate_risk, e.restricted, e.next_due_at,
    (SELECT d.label FROM deadlines d
     WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL
     ORDER BY d.due_at LIMIT 1),
    (SELECT coalesce(r.warn_minutes, 240) FROM deadlines d
     LEFT JOIN deadline_rules r ON r.id = d.rule_id
     WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL
     ORDER BY d.due_at LIMIT 1),
    e.closed_by IS NOT NULL AND e.closed_at IS NULL, e.version,
    (SELECT count(*) FROM escalation_links l JOIN escalations o
        ON o.id = CASE WHEN l.escalation_id = e.id THEN l.linked_id ELSE l.escalation_id END
     WHERE (l.escalation_id = e.id OR l.linked_id = e.id)
       AND abs(o.raised_at - e.raised_at) <= 365 * 86400
       AND ",
    super::access::visible_sql!("o"),
    ")"
);

pub(crate) fn summary(r: &Row<'_>) -> rusqlite::Result<EscalationSummary> {
    let cats: Option<String> = r.get(3)?;
    let next_at: Option<i64> = r.get(11)?;
    let next_label: Option<String> = r.get(12)?;
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
            warn_minutes: r.get::<_, Option<u32>>(13).ok().flatten().unwrap_or(240),
        }),
        awaiting_signoff: r.get(14)?,
        version: r.get(15)?,
        linked_12m: r.get(16)?,
    })
}

/// How many open escalations the viewer can see.
pub fn open_count(store: &Store, viewer: Viewer) -> Result<i64> {
    // Counted as "all open" (from the open-queue index) less what this viewer
    // may not see, which only restricted rows and exclusions can be: checking
    // visibility row by row costs more than the whole budget on a big desk.
    let conn = store.conn();
    let p = named_params! {":senior": viewer.senior, ":me": viewer.staff_id};
    let all: i64 = conn.query_row(
        "SELECT count(*) FROM escalations e INDEXED BY escalations_open_queue WHERE e.status <> 'closed'",
        [],
        |r| r.get(0),
    )?;
    let hidden_restricted: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalations e INDEXED BY escalations_open_restricted
             WHERE e.restricted = 1 AND e.status <> 'closed' AND NOT ({VISIBLE})"
        ),
        p,
        |r| r.get(0),
    )?;
    let excluded: i64 = conn.query_row(
        "SELECT count(*) FROM escalation_access a JOIN escalations e ON e.id = a.escalation_id
         WHERE a.staff_id = :me AND a.access = 'excluded' AND e.restricted = 0 AND e.status <> 'closed'",
        named_params! {":me": viewer.staff_id},
        |r| r.get(0),
    )?;
    Ok(all - hidden_restricted - excluded)
}

/// The open-queue page's SQL, also explained by `store::plans`.
pub(crate) fn open_page_sql() -> String {
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
         WHERE e.status <> 'closed' AND {VISIBLE}
         ORDER BY {QUEUE_ORDER} LIMIT :limit OFFSET :offset"
    )
}

/// One page of the open queue, in dashboard order.
pub fn open_page(
    store: &Store,
    viewer: Viewer,
    offset: i64,
    limit: i64,
) -> Result<Vec<EscalationSummary>> {
    let mut stmt = store.conn().prepare_cached(&open_page_sql())?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
        ":limit": limit, ":offset": offset},
        summary,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
/// is "Zoë"), through `escalations_by_subject_key`.
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
         WHERE e.subject_key = :name
           AND ((:dob IS NOT NULL AND e.subject_dob = :dob) OR lower(trim(e.area)) = lower(trim(:area)))
           AND e.id IS NOT :except AND {VISIBLE}
         ORDER BY e.raised_at DESC LIMIT 20"
    ))?;
    let rows = stmt.query_map(
        named_params! {":name": crate::domain::search::name_key(name), ":dob": dob, ":area": area, ":except": except,
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

/// Escalations for `dutydesk list`: open ones in dashboard order, closed and
/// all by reference; `filters` narrow it (`domain::search::Filters`: mine,
/// unassigned, high risk, awaiting sign-off, restricted; its status is
/// `which`'s).
pub fn list(
    store: &Store,
    viewer: Viewer,
    which: Which,
    filters: &crate::domain::search::Filters,
) -> Result<Vec<EscalationSummary>> {
    let (filter, order) = match which {
        Which::Open => ("e.status <> 'closed'", QUEUE_ORDER),
        Which::Closed => ("e.status = 'closed'", "e.ref_year, e.ref_seq"),
        Which::All => ("1", "e.ref_year, e.ref_seq"),
    };
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
         WHERE {filter} AND {VISIBLE} AND {}
         ORDER BY {order}",
        super::search::filter_sql(filters)
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        summary,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where escalation `id` stands in the open queue (0-based), if it is open and
/// visible: used to keep the selection on it when the list changes.
pub fn position(store: &Store, viewer: Viewer, id: i64) -> Result<Option<i64>> {
    Ok(store
        .conn()
        .query_row(
            &format!(
                "SELECT pos FROM (
                   SELECT e.id, row_number() OVER (ORDER BY {QUEUE_ORDER}) - 1 AS pos
                   FROM escalations e INDEXED BY escalations_open_queue
                   WHERE e.status <> 'closed' AND {VISIBLE})
                 WHERE id = :id"
            ),
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":id": id},
            |r| r.get(0),
        )
        .optional()?)
}

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
                    e.low_level, e.work_area, e.works_with
                 FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
                 WHERE e.id = :id AND {VISIBLE}"
            ),
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":id": id},
            |r| {
                let opt = |i: usize| -> rusqlite::Result<Option<String>> {
                    Ok(r.get::<_, Option<String>>(i)?.map(|s| clean_line(&s)))
                };
                Ok(EscalationDetail {
                    summary: summary(r)?,
                    subject_name: clean_line(&r.get::<_, String>(17)?),
                    subject_dob: opt(18)?,
                    age_band: AgeBand::from_code(&r.get::<_, String>(19)?)
                        .unwrap_or(AgeBand::Unknown),
                    area: clean_line(&r.get::<_, String>(20)?),
                    location_type: LocationType::from_code(&r.get::<_, String>(21)?)
                        .unwrap_or(LocationType::Unknown),
                    raised_by: clean_line(&r.get::<_, String>(22)?),
                    occurred_at: r.get::<_, Option<i64>>(23)?.map(instant),
                    occurred_place: opt(24)?,
                    exact_words: clean_block(&r.get::<_, String>(25)?),
                    appearance: r.get::<_, Option<String>>(26)?.map(|s| clean_block(&s)),
                    consent: Consent::from_code(&r.get::<_, String>(27)?)
                        .unwrap_or(Consent::Sought),
                    consent_reason: r.get::<_, Option<String>>(28)?.map(|s| clean_block(&s)),
                    critical_incident: r.get(29)?,
                    outcome: opt(30)?,
                    closure_rationale: r.get::<_, Option<String>>(31)?.map(|s| clean_block(&s)),
                    version: r.get(32)?,
                    low_level: r.get(33)?,
                    work_area: opt(34)?,
                    works_with: r
                        .get::<_, Option<String>>(35)?
                        .and_then(|w| crate::domain::escalation::WorksWith::from_code(&w)),
                    deadlines: Vec::new(),
                    chronology: Vec::new(),
                    viewed_by: Vec::new(),
                    casework: Default::default(),
                })
            },
        )
        .optional()?;
    let Some(mut d) = head else {
        return Ok(None);
    };
    d.deadlines = super::deadlines::of_escalation(conn, id)?;
    let redacted = viewer.redacted;
    let mut stmt = conn.prepare_cached(
        "SELECT c.at, s.display_name, c.kind, c.body FROM chronology c
         JOIN staff s ON s.id = c.author_id
         WHERE c.escalation_id = ?1 ORDER BY c.at, c.id",
    )?;
    d.chronology = stmt
        .query_map([id], |r| {
            Ok(ChronologyEntry {
                at: instant(r.get(0)?),
                author: clean_line(&r.get::<_, String>(1)?),
                kind: clean_line(&r.get::<_, String>(2)?),
                body: clean_block(&r.get::<_, String>(3)?),
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
        d.closure_rationale = d.closure_rationale.map(|_| HIDDEN.into());
        for c in &mut d.chronology {
            c.body = HIDDEN.into();
        }
    }
    Ok(Some(d))
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
    pub raised_by: String,
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
pub fn insert(w: &mut Write<'_>, author_id: i64, e: &NewEscalation) -> Result<(i64, String)> {
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
                updated_by, updated_at, low_level, work_area, works_with, subject_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'new', ?11, ?12, ?13, ?14, ?15,
                ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?22, ?23, ?24, ?25, ?26, ?27)",
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
            e.occurred_at.map(|t| t.timestamp()),
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
            crate::domain::search::name_key(&e.subject_name),
        ])?;
    let id = w.tx().last_insert_rowid();
    {
        let known = categories(w.tx())?;
        let mut stmt = w.tx().prepare_cached(
            "INSERT INTO escalation_categories (escalation_id, category) VALUES (?1, ?2)",
        )?;
        for c in &e.categories {
            if !known.iter().any(|(code, _)| code == c) {
                return Err(StoreError::Refused(unknown_category(c, &known)));
            }
            stmt.execute(params![id, c])?;
        }
    }
    add_chronology(
        w,
        id,
        author_id,
        e.raised_at,
        "created",
        "Escalation recorded",
    )?;
    // The rules for a new escalation (LADO, Home Office, written record...)
    // set their deadlines in the same transaction.
    let facts = crate::domain::deadline::Facts {
        subject: Some(e.subject_kind),
        categories: e.categories.clone(),
        critical_incident: e.critical_incident,
        immediate_risk: e.immediate_risk,
        low_level: e.low_level,
        ..Default::default()
    };
    super::deadlines::fire(
        w,
        id,
        crate::domain::deadline::TriggerEvent::EscalationOpened,
        &facts,
        e.raised_at,
    )?;
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
    w.tx()
        .prepare_cached(
            "INSERT INTO chronology (escalation_id, at, author_id, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, at.timestamp(), author_id, kind, body])?;
    Ok(w.tx().last_insert_rowid())
}
