//! Data every new database starts with (categories, deadline rules, bank
//! holidays), and the bulk inserts the demo generator uses.

use super::{Result, Write};
use rusqlite::{OptionalExtension, params};

/// The organisation's starting category list (DOMAIN.md): child protection's
/// four (and child-on-child abuse, KCSIE Part 5), the Care Act's ten and the
/// police vulnerability themes, criminal and sexual exploitation apart, with
/// serious violence (a violence reduction partnership's core work, Serious
/// Violence Duty 2022) and cuckooing. Editable data (`dutydesk categories`).
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("physical", "physical abuse", "child"),
    ("emotional", "emotional abuse", "child"),
    ("sexual", "sexual abuse", "child"),
    ("neglect", "neglect", "child"),
    ("child_on_child", "child-on-child abuse", "child"),
    ("domestic", "domestic abuse", "care_act"),
    ("psychological", "psychological abuse", "care_act"),
    ("financial", "financial or material abuse", "care_act"),
    ("modern_slavery", "modern slavery", "care_act"),
    ("discriminatory", "discriminatory abuse", "care_act"),
    ("organisational", "organisational abuse", "care_act"),
    ("self_neglect", "self-neglect", "care_act"),
    ("cse", "child sexual exploitation (CSE)", "police"),
    ("cce", "child criminal exploitation (CCE)", "police"),
    ("county_lines", "county lines", "police"),
    ("cuckooing", "cuckooing", "police"),
    (
        "serious_violence",
        "serious violence / knife crime",
        "police",
    ),
    ("stalking", "stalking and harassment", "police"),
    ("honour_based", "so-called honour-based abuse", "police"),
    ("forced_marriage", "forced marriage", "police"),
    ("fgm", "FGM", "police"),
    ("radicalisation", "radicalisation", "police"),
    ("missing", "missing person", "police"),
    ("mental_health", "mental health", "police"),
    ("hate_crime", "hate crime", "police"),
    ("online", "online abuse", "police"),
];

/// A seeded deadline rule (DOMAIN.md, Deadlines and practice notes).
pub struct RuleSeed {
    pub code: &'static str,
    pub name: &'static str,
    pub on: &'static str,
    pub matcher: &'static str,
    pub amount: i64,
    pub unit: &'static str,
    pub warn: i64,
    pub active: bool,
    /// `occurred` (the disclosure, the meeting) or `recorded`.
    pub from: &'static str,
    pub counting: &'static str,
    /// What meets it (`domain::deadline::Meet`).
    pub meets: &'static str,
    pub repeats: bool,
}

const fn rule(
    code: &'static str,
    name: &'static str,
    on: &'static str,
    matcher: &'static str,
    amount: i64,
    unit: &'static str,
    warn: i64,
) -> RuleSeed {
    RuleSeed {
        code,
        name,
        on,
        matcher,
        amount,
        unit,
        warn,
        active: true,
        from: "recorded",
        counting: "same_time",
        meets: "",
        repeats: false,
    }
}

/// Deadline rules from DOMAIN.md. Working-day ones end at close of business
/// in the receiving service's hours; those about a disclosure count from when
/// it happened, those an event sets from when the event was held (the ICPC
/// 15 working days from the strategy discussion, Working Together 2023 ch. 4;
/// the DBS duty from the removal); those a referral sets from the referral,
/// and first responses from when the concern reached the desk; each says what
/// meets it. Warnings on working-time rules are
/// working time. The first-response rules (a police force's red, amber,
/// green) are local practice and start inactive.
#[rustfmt::skip]
pub const DEADLINE_RULES: &[RuleSeed] = &[
    RuleSeed { from: "occurred", meets: "route:home_office", ..rule("home_office_initial", "Home Office initial report", "escalation_opened", "critical_incident", 1, "calendar_days", 240) },
    RuleSeed { from: "occurred", meets: "route:home_office#2", ..rule("home_office_followup", "Home Office follow-up report", "escalation_opened", "critical_incident", 3, "calendar_days", 240) },
    RuleSeed { from: "occurred", counting: "end_of_working_day", meets: "route:lado", ..rule("lado_referral", "LADO referral", "escalation_opened", "allegation:lado", 1, "working_days", 240) },
    RuleSeed { counting: "end_of_working_day", meets: "outcome:children", repeats: true, ..rule("childrens_decision", "Children's social care decision (chase)", "referral_made", "route:children", 1, "working_days", 240) },
    RuleSeed { from: "occurred", counting: "end_of_working_day", meets: "event:icpc_held", ..rule("icpc", "Initial child protection conference", "event_recorded", "strategy_discussion", 15, "working_days", 1440) },
    RuleSeed { from: "occurred", meets: "event:review_conference_held", ..rule("icpc_first_review", "First review child protection conference", "event_recorded", "icpc_held", 3, "calendar_months", 10080) },
    RuleSeed { from: "occurred", meets: "event:review_conference_held", ..rule("icpc_next_review", "Next review child protection conference", "event_recorded", "review_conference_held", 6, "calendar_months", 10080) },
    RuleSeed { from: "occurred", counting: "end_of_working_day", meets: "event:fgm_reported", ..rule("fgm_police_next_day", "FGM: police told (Home Office: by close of next working day)", "escalation_opened", "category:fgm+fgm:known+subject:child", 1, "working_days", 240) },
    RuleSeed { from: "occurred", meets: "event:fgm_reported", ..rule("fgm_police", "FGM: police told (legal limit, 1 month)", "escalation_opened", "category:fgm+fgm:known+subject:child", 1, "calendar_months", 1440) },
    RuleSeed { meets: "outcome:nrm", repeats: true, ..rule("nrm_decision", "NRM reasonable-grounds decision", "referral_made", "route:nrm", 5, "calendar_days", 1440) },
    RuleSeed { from: "occurred", meets: "exact_words", ..rule("written_record", "Written record of disclosure", "escalation_opened", "any", 0, "same_day", 240) },
    RuleSeed { counting: "end_of_working_day", meets: "outcome:adults", repeats: true, ..rule("s42_decision", "Section 42 decision", "referral_made", "route:adults", 2, "working_days", 240) },
    RuleSeed { from: "occurred", meets: "route:dbs", ..rule("dbs_referral", "DBS barring referral (legal duty)", "event_recorded", "removed_from_regulated_activity", 1, "calendar_months", 10080) },
    RuleSeed { active: false, counting: "working_hours", meets: "acknowledged", ..rule("first_response_red", "First response (red: 4 working hours)", "escalation_opened", "risk:high", 4, "hours", 60) },
    RuleSeed { active: false, counting: "working_hours", meets: "acknowledged", ..rule("first_response_amber", "First response (amber: 24 working hours)", "escalation_opened", "risk:medium", 24, "hours", 240) },
    RuleSeed { active: false, counting: "working_hours", meets: "acknowledged", ..rule("first_response_green", "First response (green: 72 working hours)", "escalation_opened", "risk:low", 72, "hours", 480) },
];

/// Fills a new database with the starting data. Audited as one change.
pub fn defaults(w: &mut Write<'_>, org_name: &str) -> Result<()> {
    {
        let mut stmt = w.tx().prepare(
            "INSERT INTO categories (code, label, framework, sort) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (i, (code, label, framework)) in CATEGORIES.iter().enumerate() {
            stmt.execute(params![code, label, framework, i as i64])?;
        }
        let mut stmt = w.tx().prepare(
            "INSERT INTO deadline_rules (code, name, trigger_event, trigger_match, offset_amount,
                offset_unit, warn_minutes, active, counts_from, counting, meets, repeats)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for r in DEADLINE_RULES {
            stmt.execute(params![
                r.code, r.name, r.on, r.matcher, r.amount, r.unit, r.warn, r.active, r.from,
                r.counting, r.meets, r.repeats
            ])?;
        }
    }
    let holidays = crate::domain::calendar::parse_govuk(
        crate::domain::calendar::BUNDLED_HOLIDAYS,
        "england-and-wales",
    )
    .expect("bundled holidays parse (tested)");
    super::holidays::import(w, "england-and-wales", &holidays)?;
    super::settings::set(w, super::settings::ORG_NAME, org_name)?;
    super::reviews::seed(w)?;
    w.audit(
        "init",
        "database",
        None,
        Some("categories, deadline rules, bank holidays"),
    )
}

/// A public service contact with its hours as people write them
/// ([`crate::domain::hours::parse`]: "24/7", "Mon-Thu 08:30-17:00; ...").
#[derive(Debug, Clone)]
pub struct ContactSeed {
    pub organisation: &'static str,
    pub service: &'static str,
    pub route: crate::domain::route::Route,
    pub area: Option<&'static str>,
    /// None for a service reached only online (it then has a web address).
    pub phone: Option<&'static str>,
    pub email: Option<&'static str>,
    pub web: Option<&'static str>,
    pub notes: Option<&'static str>,
    pub hours: &'static str,
    /// On a bank holiday without "BH" hours, the weekday's hours apply.
    pub open_on_bank_holidays: bool,
    /// Index into the same slice of the contact to ring when this one is closed.
    pub fallback: Option<usize>,
}

/// Inserts contacts, then links their fallbacks. Returns their ids in order.
/// Hours that do not parse are refused (the seed lists are tested).
pub fn contacts(w: &mut Write<'_>, list: &[ContactSeed]) -> Result<Vec<i64>> {
    let now = w.now().timestamp();
    let mut ids = Vec::with_capacity(list.len());
    {
        let mut ins = w.tx().prepare_cached(
            "INSERT INTO contacts (organisation, service, route, area, phone, email, web, notes,
                always_open, open_on_bank_holidays, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut hours = w.tx().prepare_cached(
            "INSERT INTO contact_hours (contact_id, weekday, opens, closes) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in list {
            let (always, spans) = crate::domain::hours::parse(c.hours).map_err(|e| {
                super::StoreError::Refused(format!("{} {}: hours: {e}", c.organisation, c.service))
            })?;
            ins.execute(params![
                c.organisation,
                c.service,
                c.route.code(),
                c.area,
                c.phone,
                c.email,
                c.web,
                c.notes,
                always,
                c.open_on_bank_holidays,
                now
            ])?;
            let id = w.tx().last_insert_rowid();
            for s in spans {
                hours.execute(params![
                    id,
                    s.weekday,
                    crate::domain::hours::hhmm(s.opens),
                    crate::domain::hours::hhmm(s.closes)
                ])?;
            }
            ids.push(id);
        }
        let mut link = w
            .tx()
            .prepare_cached("UPDATE contacts SET fallback_id = ?1 WHERE id = ?2")?;
        for (c, id) in list.iter().zip(&ids) {
            if let Some(f) = c.fallback {
                link.execute(params![ids[f], id])?;
            }
        }
    }
    w.audit(
        "import",
        "contacts",
        None,
        Some(&format!("{} contacts", list.len())),
    )?;
    Ok(ids)
}

/// Adds areas with their other names, as a senior lead would (for the demo
/// and tests; `dutydesk areas add` is the audited way).
pub fn areas(w: &mut Write<'_>, list: &[(&str, &[&str])]) -> Result<()> {
    for (name, aliases) in list {
        w.tx()
            .execute("INSERT OR IGNORE INTO areas (name) VALUES (?1)", [name])?;
        for a in *aliases {
            w.tx().execute(
                "INSERT OR IGNORE INTO area_aliases (alias, area) VALUES (?1, ?2)",
                params![a, name],
            )?;
        }
    }
    w.audit(
        "import",
        "areas",
        None,
        Some(&format!("{} areas", list.len())),
    )
}

/// Demo only: puts an escalation straight into a later state, as if the DSLs
/// had worked it (the real workflows record each step themselves).
#[allow(clippy::too_many_arguments)]
pub fn demo_state(
    w: &Write<'_>,
    id: i64,
    status: &str,
    assignee: Option<i64>,
    acknowledged: Option<(i64, i64)>,
    closed: Option<(i64, i64, &str, &str)>,
) -> Result<()> {
    w.tx()
        .prepare_cached(
            "UPDATE escalations SET status = ?2, assignee_id = ?3, acknowledged_by = ?4,
                acknowledged_at = ?5, closed_by = ?6, closed_at = ?7, outcome = ?8,
                closure_rationale = ?9
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            status,
            assignee,
            acknowledged.map(|a| a.0),
            acknowledged.map(|a| a.1),
            closed.map(|c| c.0),
            closed.map(|c| c.1),
            closed.map(|c| c.2),
            closed.map(|c| c.3),
        ])?;
    Ok(())
}

/// Demo only: a referral already made.
pub fn demo_referral(
    w: &Write<'_>,
    escalation_id: i64,
    route: &str,
    made_by: i64,
    made_at: i64,
    agency_reference: Option<&str>,
    outcome: Option<(&str, i64)>,
) -> Result<()> {
    w.tx()
        .prepare_cached(
            "INSERT INTO referrals (escalation_id, route, method, agency_reference, shared_what,
                shared_why, lawful_basis, made_by, made_at, outcome, outcome_at)
             VALUES (?1, ?2, 'phone', ?3, 'concern summary and exact words',
                'child or adult at risk of significant harm', 'safeguarding (DPA 2018 Sch 8)',
                ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            escalation_id,
            route,
            agency_reference,
            made_by,
            made_at,
            outcome.map(|o| o.0),
            outcome.map(|o| o.1)
        ])?;
    Ok(())
}

/// Demo only: the agency's decision on an escalation's referral (its only
/// one awaiting an outcome).
pub fn demo_outcome(w: &Write<'_>, escalation_id: i64, code: &str, at: i64) -> Result<()> {
    w.tx()
        .prepare_cached(
            "UPDATE referrals SET outcome = ?2, outcome_at = ?3
             WHERE escalation_id = ?1 AND outcome IS NULL",
        )?
        .execute(params![escalation_id, code, at])?;
    Ok(())
}

/// Demo only: known FGM reported to the police by the professional who
/// discovered it.
pub fn demo_fgm_report(
    w: &Write<'_>,
    id: i64,
    by: &str,
    police_reference: &str,
    at: i64,
) -> Result<()> {
    w.tx()
        .prepare_cached(
            "UPDATE escalations SET fgm_reported_by = ?2, fgm_police_reference = ?3,
                fgm_reported_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id, by, police_reference, at])?;
    Ok(())
}

/// Demo only: the 999 call made for an immediate-risk case.
pub fn demo_999(w: &Write<'_>, id: i64, at: i64) -> Result<()> {
    w.tx()
        .prepare_cached("UPDATE escalations SET emergency_called_at = ?2 WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

/// Demo only: a rota shift.
pub fn demo_rota(w: &Write<'_>, staff_id: i64, starts_at: i64, ends_at: i64) -> Result<()> {
    w.tx().execute(
        "INSERT INTO rota (staff_id, starts_at, ends_at) VALUES (?1, ?2, ?3)",
        params![staff_id, starts_at, ends_at],
    )?;
    Ok(())
}

/// Demo only: names (or excludes) a member of staff on a restricted escalation.
pub fn demo_access(w: &Write<'_>, escalation_id: i64, staff_id: i64, access: &str) -> Result<()> {
    w.tx().execute(
        "INSERT INTO escalation_access (escalation_id, staff_id, access) VALUES (?1, ?2, ?3)",
        params![escalation_id, staff_id, access],
    )?;
    Ok(())
}

/// Demo only: links escalation `id` to the latest earlier unrestricted one
/// about someone of the same (folded) name in the same `area`, if any.
pub fn demo_link_same_person(
    w: &Write<'_>,
    id: i64,
    by: i64,
    at: chrono::DateTime<chrono::Utc>,
    area: &str,
) -> Result<()> {
    w.tx().execute(
        "INSERT OR IGNORE INTO escalation_links (escalation_id, linked_id, linked_by, linked_at)
         SELECT e.id, ?1, ?2, ?3 FROM escalations e
         WHERE replace(e.subject_key, ' ', '') =
               (SELECT replace(subject_key, ' ', '') FROM escalations WHERE id = ?1)
           AND e.area = ?4 AND e.id < ?1 AND e.restricted = 0
         ORDER BY e.id DESC LIMIT 1",
        params![id, by, at.timestamp(), area],
    )?;
    Ok(())
}

/// Demo only: drops the named indexes and returns how to make them again.
/// Only for a database being generated, before anyone else opens it.
pub fn demo_drop_indexes(conn: &rusqlite::Connection, names: &[&str]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for name in names {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            conn.execute_batch(&format!("DROP INDEX {name}"))?;
            out.push(sql);
        }
    }
    Ok(out)
}

/// Demo only: makes again the indexes [`demo_drop_indexes`] dropped.
pub fn demo_rebuild_indexes(conn: &rusqlite::Connection, sql: &[String]) -> Result<()> {
    conn.execute_batch(&format!("BEGIN; {}; COMMIT;", sql.join("; ")))?;
    Ok(())
}

/// Demo only: each review series last met one cadence before its next
/// meeting, which falls a few weeks from now, so agendas cover real history.
pub fn demo_review_history(w: &Write<'_>) -> Result<()> {
    let today = crate::domain::calendar::local(w.now()).date_naive();
    let series: Vec<(i64, u32)> = {
        let mut stmt = w
            .tx()
            .prepare("SELECT id, cadence_months FROM review_series ORDER BY cadence_months")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let cal = super::deadlines::calendar(w.tx())?;
    for (i, (id, months)) in series.into_iter().enumerate() {
        let next = crate::domain::review::on_working_day(
            today + chrono::Duration::days(20 + 25 * i as i64),
            |d| cal.is_working_day(d),
        );
        let held = next
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(next);
        let at = crate::domain::calendar::at_local(
            held,
            chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
        );
        w.tx().execute(
            "INSERT INTO review_meetings (series_id, scheduled, held_at, attendees)
             VALUES (?1, ?2, ?3, 'DSL team (demo)')",
            params![id, held.to_string(), at.timestamp()],
        )?;
        w.tx().execute(
            "UPDATE review_series SET next_meeting = ?2, anchor_day = ?3 WHERE id = ?1",
            params![id, next.to_string(), chrono::Datelike::day(&next)],
        )?;
    }
    Ok(())
}

/// Demo only: marks an escalation's open deadline(s) met: the one from `rule`,
/// or all of them.
pub fn demo_meet(
    w: &Write<'_>,
    escalation_id: i64,
    rule: Option<&str>,
    at: i64,
    by: i64,
) -> Result<()> {
    w.tx()
        .prepare_cached(
            "UPDATE deadlines SET met_at = ?3, met_by = ?4
             WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL
               AND (?2 IS NULL OR rule_id = (SELECT id FROM deadline_rules WHERE code = ?2))",
        )?
        .execute(params![escalation_id, rule, at, by])?;
    Ok(())
}

/// Demo only: marks an escalation's open deadlines due before `before` as met
/// shortly before they fell due (never before they were set).
pub fn demo_meet_due_before(w: &Write<'_>, escalation_id: i64, before: i64, by: i64) -> Result<()> {
    w.tx()
        .prepare_cached(
            "UPDATE deadlines SET met_at = max(created_at, due_at - 600), met_by = ?3
             WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL AND due_at < ?2",
        )?
        .execute(params![escalation_id, before, by])?;
    Ok(())
}
