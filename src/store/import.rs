//! Writing an earlier log's rows as escalations (`dutydesk import`, issue
//! 20 point 4). The rows come mapped and intake-checked
//! (`domain::import`, `domain::intake`); here they are planned against what
//! the desk already holds and written in one transaction: all or nothing.
//!
//! Each new row becomes an escalation through `workflow::create` (so the
//! "does this person use the desk" rule restricts an allegation about a
//! desk user, and the audit trail and tamper digest cover it like any other),
//! raised at the log's own date (its reference is of that year). It is
//! marked imported (`imports`: the row's key, the file and row) with a
//! chronology line saying so. Deadlines its rules set that fell due before
//! the import are waived with the reason "imported: due before the import,
//! see the earlier log" (else years-old deadlines would alarm as overdue);
//! later ones run. A row the log closed is closed with its outcome at its
//! date; an open one is acknowledged by the importer, who holds it. A row
//! whose key is already imported is left alone: a second import of the same
//! file changes nothing.

use super::escalations::NewEscalation;
use super::{Result, Store, StoreError, Write};
use crate::domain::import::{Details, Row};
use crate::domain::intake::Checked;
use rusqlite::{OptionalExtension, params};

/// What an import does with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A new escalation (its reference is known once written).
    New { line: usize },
    /// Imported before, as this reference: nothing to do.
    Already { line: usize, reference: String },
    /// The row's log number was imported before, or is on an earlier row of
    /// the file, with other details: a row problem (`problem` says which
    /// details and what to do), so nothing is imported.
    Differs { line: usize, problem: String },
}

/// What the escalation imported under `key` holds now, as [`Details`]
/// (its summary is not compared: the record keeps it in a chronology line).
fn imported_details(conn: &rusqlite::Connection, key: &str) -> Result<Option<(String, Details)>> {
    let found = conn
        .query_row(
            "SELECT e.id, e.reference, e.raised_at, e.subject_kind, e.subject_name, e.area, e.risk,
                    e.subject_dob, e.status = 'closed', e.closed_at, e.outcome, e.closure_rationale
             FROM imports i JOIN escalations e ON e.id = i.escalation_id WHERE i.key = ?1",
            [key],
            |r| {
                let closed = if r.get::<_, bool>(8)? {
                    Some((
                        r.get::<_, Option<i64>>(9)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(11)?.unwrap_or_default(),
                    ))
                } else {
                    None
                };
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    Details {
                        raised: r.get(2)?,
                        subject: r.get(3)?,
                        name: r.get(4)?,
                        area: r.get(5)?,
                        categories: Vec::new(),
                        risk: r.get(6)?,
                        summary: None,
                        dob: r.get(7)?,
                        closed,
                    },
                ))
            },
        )
        .optional()?;
    let Some((id, reference, mut d)) = found else {
        return Ok(None);
    };
    let mut st = conn.prepare(
        "SELECT category FROM escalation_categories WHERE escalation_id = ?1 ORDER BY category",
    )?;
    d.categories = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some((reference, d)))
}

/// The escalation already imported under `key`, by reference, if any.
fn imported_as(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT e.reference FROM imports i JOIN escalations e ON e.id = i.escalation_id
             WHERE i.key = ?1",
            [key],
            |r| r.get(0),
        )
        .optional()?)
}

/// What importing `rows` would do, without writing (a dry run, and the
/// plan the write follows). A row whose key was imported before, or is on
/// an earlier row of the file, is `Already` when its details are the same
/// and `Differs` (a row problem naming both) when not (issue 20, I2).
pub fn plan(store: &Store, rows: &[(Row, Checked)]) -> Result<Vec<Step>> {
    let mut seen: std::collections::HashMap<&str, (usize, Details)> =
        std::collections::HashMap::new();
    let number = |r: &Row| {
        r.reference
            .as_deref()
            .map(|n| format!("log number {n:?}"))
            .unwrap_or_else(|| "this row".into())
    };
    rows.iter()
        .map(|(r, c)| {
            let mine = Details::of(r, c);
            if let Some((reference, then)) = imported_details(store.conn(), &r.key)? {
                let differs = mine.differences(&then);
                return Ok(if differs.is_empty() {
                    Step::Already {
                        line: r.line,
                        reference,
                    }
                } else {
                    Step::Differs {
                        line: r.line,
                        problem: format!(
                            "row {}: {} is already imported as {reference} with different details: {}: correct the row to match, or give a new incident its own number",
                            r.line,
                            number(r),
                            differs.join(", ")
                        ),
                    }
                });
            }
            Ok(match seen.get(r.key.as_str()) {
                Some((first, then)) => {
                    let differs = mine.differences(then);
                    if differs.is_empty() {
                        // The same row twice in one file is imported once.
                        Step::Already {
                            line: r.line,
                            reference: format!("row {first} of this file"),
                        }
                    } else {
                        Step::Differs {
                            line: r.line,
                            problem: format!(
                                "row {}: {} is also row {first}, with different details: {}: one number is one incident; correct one of rows {first} and {} or give it its own number",
                                r.line,
                                number(r),
                                differs.join(", "),
                                r.line
                            ),
                        }
                    }
                }
                None => {
                    seen.insert(&r.key, (r.line, mine));
                    Step::New { line: r.line }
                }
            })
        })
        .collect()
}

/// One imported row's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub line: usize,
    pub reference: String,
    pub restricted: bool,
}

/// Writes every row not yet imported, in one write (the caller's). `source`
/// names the file in the chronology and `imports` (its name, not its path).
/// Errors: the first refusal, with its row ("row 7: ..."): nothing is kept.
pub fn apply(w: &mut Write<'_>, rows: &[(Row, Checked)], source: &str) -> Result<Vec<Imported>> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if !me.role.manages_desk() {
        return Err(StoreError::Refused(
            "only a DSL or senior lead may import an earlier log; ask one".into(),
        ));
    }
    let now = w.now();
    let mut out = Vec::new();
    for (row, checked) in rows {
        if imported_as(w.tx(), &row.key)?.is_some() {
            continue;
        }
        let at_row = |e: StoreError| match e {
            StoreError::Refused(m) => StoreError::Refused(format!("row {}: {m}", row.line)),
            StoreError::Invalid(m) => StoreError::Invalid(format!("row {}: {m}", row.line)),
            e => e,
        };
        let e = NewEscalation {
            subject_kind: checked.subject,
            subject_name: checked.name.clone(),
            subject_dob: checked.dob.map(|d| d.to_string()),
            age_band: checked.age_band,
            area: checked.area.clone(),
            location_type: checked.location,
            risk: row.risk,
            raised_by: crate::domain::import::imported_raiser(&me.display_name),
            raised_by_role: None,
            raised_by_contact: None,
            imported: true,
            raised_at: row.raised,
            occurred_at: None,
            occurred_place: None,
            // No words in the log: what intake stores without them, so the
            // written record is not taken as made (issue 20, fault F16).
            exact_words: row
                .words
                .clone()
                .filter(|w| !w.trim().is_empty())
                .unwrap_or_else(|| crate::domain::escalation::NO_WORDS.into()),
            appearance: None,
            consent: checked.consent,
            consent_reason: checked.consent_reason.clone(),
            immediate_risk: false,
            critical_incident: false,
            restricted: false,
            categories: checked.categories.clone(),
            low_level: checked.low_level,
            work_area: checked.work_area.clone(),
            works_with: checked.works_with,
            // The earlier log does not say known or at risk: a row with the
            // FGM category is refused by `create` with the choices named.
            fgm: None,
        };
        let about = crate::domain::names::About::parse(&row.about);
        let done = super::workflow::create(w, &e, false, &about).map_err(at_row)?;
        let id = done.id;
        super::escalations::add_chronology(
            w,
            id,
            me.id,
            now,
            "note",
            &format!(
                "Imported from the earlier log ({source}, row {}{}); first recorded there on {}. Summary: {}",
                row.line,
                row.reference
                    .as_deref()
                    .map(|r| format!(", its number {r}"))
                    .unwrap_or_default(),
                crate::domain::calendar::format_stamp(row.raised),
                row.summary
            ),
        )?;
        w.tx().execute(
            "INSERT INTO imports (escalation_id, key, source, row, original_ref, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                row.key,
                source,
                row.line as i64,
                row.reference,
                now.timestamp()
            ],
        )?;
        let waived = w.tx().execute(
            "UPDATE deadlines SET waived_at = ?2, waived_by = ?3,
                 waived_reason = 'imported: due before the import, see the earlier log'
             WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL AND due_at < ?2",
            params![id, now.timestamp(), me.id],
        )?;
        if waived > 0 {
            super::escalations::add_chronology(
                w,
                id,
                me.id,
                now,
                "deadline_waived",
                &format!(
                    "{waived} deadline(s) that fell due before the import waived: whether they were met is in the earlier log."
                ),
            )?;
        }
        match &row.closed {
            Some(c) => super::workflow::close_imported(
                w,
                id,
                &c.outcome,
                &c.rationale,
                c.at.timestamp().max(row.raised.timestamp()),
            )
            .map_err(at_row)?,
            None => {
                super::workflow::acknowledge(w, id, None, false).map_err(at_row)?;
            }
        }
        w.audit(
            "import",
            "escalation",
            Some(&done.reference),
            Some(&format!("row {}", row.line)),
        )?;
        let restricted: bool = w.tx().query_row(
            "SELECT restricted FROM escalations WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        out.push(Imported {
            line: row.line,
            reference: done.reference,
            restricted,
        });
    }
    Ok(out)
}
