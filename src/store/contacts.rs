//! Contacts: reading them with their hours, answering "who do I ring now?",
//! adding and changing them (audited), and CSV import and export.

use super::{Result, StoreError, Write, settings};
use crate::domain::contact::{Answer, Contact, answer, check_fallback, check_phone};
use crate::domain::hours::{self, Hours, Span};
use crate::domain::route::Route;
use crate::domain::text::{clean_line, validate_line};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// Every active contact with its hours.
pub fn all(conn: &Connection) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, organisation, service, route, area, phone, email, web, notes,
            always_open, open_on_bank_holidays, fallback_id
         FROM contacts WHERE active = 1 ORDER BY organisation, service",
    )?;
    let mut out: Vec<Contact> = stmt
        .query_map([], |r| {
            let opt = |i: usize| -> rusqlite::Result<Option<String>> {
                Ok(r.get::<_, Option<String>>(i)?.map(|s| clean_line(&s)))
            };
            Ok(Contact {
                id: r.get(0)?,
                organisation: clean_line(&r.get::<_, String>(1)?),
                service: clean_line(&r.get::<_, String>(2)?),
                route: r.get(3)?,
                area: opt(4)?,
                phone: opt(5)?,
                email: opt(6)?,
                web: opt(7)?,
                notes: opt(8)?,
                hours: Hours {
                    always_open: r.get(9)?,
                    open_on_bank_holidays: r.get(10)?,
                    spans: Vec::new(),
                },
                hours_text: String::new(),
                fallback_id: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut hours = conn.prepare_cached(
        "SELECT contact_id, weekday, opens, closes FROM contact_hours ORDER BY contact_id, weekday, opens",
    )?;
    let rows = hours.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, u8>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, weekday, o, c) = row?;
        let (Ok(opens), Ok(closes)) = (hours::parse_hhmm(&o, false), hours::parse_hhmm(&c, true))
        else {
            continue;
        };
        if let Some(ct) = out.iter_mut().find(|x| x.id == id) {
            ct.hours.spans.push(Span {
                weekday,
                opens,
                closes,
            });
        }
    }
    for c in &mut out {
        c.hours_text = hours::format(c.hours.always_open, &c.hours.spans);
    }
    Ok(out)
}

/// Bank holidays of the organisation's division.
pub fn holidays(conn: &Connection) -> Result<Vec<NaiveDate>> {
    let mut stmt = conn.prepare_cached("SELECT date FROM bank_holidays WHERE division = ?1")?;
    Ok(stmt
        .query_map([settings::division(conn)?], |r| r.get::<_, String>(0))?
        .filter_map(|d| d.ok())
        .filter_map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .collect())
}

/// "Who do I ring?": the screen, `dutydesk contacts` and the refer form all
/// ask this one function. A look-up that finds nothing still answers 999 and
/// 101.
pub fn lookup(
    conn: &Connection,
    query: &str,
    route: Option<&str>,
    area: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Vec<Answer>> {
    let hol = holidays(conn)?;
    Ok(answer(&all(conn)?, query, route, area, at, |d| {
        hol.contains(&d)
    }))
}

/// A contact as typed in the form or a CSV row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub organisation: String,
    pub service: String,
    pub route: String,
    pub area: String,
    pub phone: String,
    pub email: String,
    pub web: String,
    pub notes: String,
    pub hours: String,
    pub open_on_bank_holidays: bool,
    pub fallback_id: Option<i64>,
}

/// Which field is wrong, and why: shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

/// The checked parts of a contact, ready to store.
struct Checked {
    organisation: String,
    service: String,
    route: String,
    area: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    web: Option<String>,
    notes: Option<String>,
    always: bool,
    spans: Vec<Span>,
}

/// Checks a contact without touching the database (routes are checked by code).
pub fn check(i: &ContactInput) -> std::result::Result<(), Invalid> {
    check_fields(i).map(|_| ())
}

fn check_fields(i: &ContactInput) -> std::result::Result<Checked, Invalid> {
    let bad = |field, message: String| Invalid { field, message };
    let line = |field: &'static str, v: &str, max| {
        validate_line(field, v, max).map_err(|e| bad(field, e.to_string()))
    };
    let optional =
        |field: &'static str, v: &str, max| -> std::result::Result<Option<String>, Invalid> {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                line(field, v, max).map(Some)
            }
        };
    let route = Route::parse(&i.route)
        .map_err(|m| bad("route", m))?
        .code()
        .to_string();
    let (always, spans) = hours::parse(&i.hours).map_err(|m| bad("hours", m))?;
    Ok(Checked {
        organisation: line("organisation", &i.organisation, 120)?,
        service: line("service", &i.service, 120)?,
        route,
        area: optional("area", &i.area, 80)?,
        // A service reached only online (CEOP) may have no phone, if it has a web address.
        phone: if i.phone.trim().is_empty() && !i.web.trim().is_empty() {
            None
        } else {
            Some(check_phone(&i.phone).map_err(|m| {
                bad(
                    "phone",
                    if i.phone.trim().is_empty() {
                        format!("{m} (or, for a service reached only online, a web address)")
                    } else {
                        m
                    },
                )
            })?)
        },
        email: optional("email", &i.email, 200)?,
        web: optional("web", &i.web, 400)?,
        notes: optional("notes", &i.notes, 4000)?,
        always,
        spans,
    })
}

/// Adds (`id` None) or changes a contact; only DSLs and senior leads may.
/// Its area must be one of the organisation's (or empty: any area). A
/// fallback must exist, serve the same people (the same route, or the police
/// or 999) and not lead back to this contact.
pub fn save(w: &mut Write<'_>, id: Option<i64>, i: &ContactInput) -> Result<i64> {
    save_as(w, id, None, i)
}

/// [`save`]; a new contact takes `new_id` when given and free (an import
/// keeps the ids its file's fallbacks point at).
fn save_as(
    w: &mut Write<'_>,
    id: Option<i64>,
    new_id: Option<i64>,
    i: &ContactInput,
) -> Result<i64> {
    super::staff::require_manager(w, "change contacts")?;
    let mut c =
        check_fields(i).map_err(|e| StoreError::Invalid(format!("{}: {}", e.field, e.message)))?;
    if let Some(a) = &c.area {
        let resolved = super::areas::resolve(w.tx(), a, "area")
            .map_err(|e| StoreError::Invalid(format!("area: {e}")))?;
        c.area = (resolved != crate::domain::area::UNKNOWN).then_some(resolved);
    }
    if let Some(fb) = i.fallback_id {
        check_fallback_of(w, id, &c.route, fb)?;
    }
    let now = w.now().timestamp();
    let id = match id {
        Some(id) => {
            let n = w.tx().execute(
                "UPDATE contacts SET organisation = ?2, service = ?3, route = ?4, area = ?5, phone = ?6,
                    email = ?7, web = ?8, notes = ?9, always_open = ?10, open_on_bank_holidays = ?11,
                    fallback_id = ?12, updated_at = ?13 WHERE id = ?1 AND active = 1",
                params![id, c.organisation, c.service, c.route, c.area, c.phone, c.email, c.web, c.notes,
                    c.always, i.open_on_bank_holidays, i.fallback_id, now],
            )?;
            if n == 0 {
                return Err(StoreError::Invalid(format!("no contact {id}")));
            }
            w.tx()
                .execute("DELETE FROM contact_hours WHERE contact_id = ?1", [id])?;
            id
        }
        None => {
            let free = match new_id {
                Some(n) => w
                    .tx()
                    .query_row(
                        "SELECT NOT EXISTS (SELECT 1 FROM contacts WHERE id = ?1)",
                        [n],
                        |r| r.get::<_, bool>(0),
                    )?
                    .then_some(n),
                None => None,
            };
            w.tx().execute(
                "INSERT INTO contacts (id, organisation, service, route, area, phone, email, web, notes,
                    always_open, open_on_bank_holidays, fallback_id, updated_at)
                 VALUES (?13, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![c.organisation, c.service, c.route, c.area, c.phone, c.email, c.web, c.notes,
                    c.always, i.open_on_bank_holidays, i.fallback_id, now, free],
            )?;
            w.tx().last_insert_rowid()
        }
    };
    let mut ins = w.tx().prepare_cached(
        "INSERT INTO contact_hours (contact_id, weekday, opens, closes) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for s in &c.spans {
        ins.execute(params![
            id,
            s.weekday,
            hours::hhmm(s.opens),
            hours::hhmm(s.closes)
        ])?;
    }
    drop(ins);
    w.audit(
        "save",
        "contact",
        Some(&id.to_string()),
        Some(&format!(
            "{} {} {}",
            c.organisation,
            c.service,
            c.phone.as_deref().unwrap_or("(no phone)")
        )),
    )?;
    Ok(id)
}

/// Checks that contact `fb` may be the out-of-hours fallback of contact `id`
/// (None: a contact not yet saved) on `route`: it exists, serves the same
/// people, and does not lead back to `id`.
fn check_fallback_of(w: &Write<'_>, id: Option<i64>, route: &str, fb: i64) -> Result<()> {
    if Some(fb) == id {
        return Err(StoreError::Invalid(
            "fallback: a contact cannot fall back to itself".into(),
        ));
    }
    let target = all(w.tx())?
        .into_iter()
        .find(|x| x.id == fb)
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "fallback: no contact {fb} (`dutydesk contacts` lists them with their ids)"
            ))
        })?;
    check_fallback(route, &target).map_err(StoreError::Refused)?;
    // Walk the chain from the fallback; reaching this contact is a loop.
    let mut at = Some(fb);
    let mut seen = Vec::new();
    while let Some(x) = at {
        if Some(x) == id || seen.contains(&x) {
            return Err(StoreError::Invalid(
                "fallback: that would make a loop of fallbacks".into(),
            ));
        }
        seen.push(x);
        at = w
            .tx()
            .query_row("SELECT fallback_id FROM contacts WHERE id = ?1", [x], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::Invalid(format!("fallback: no contact {x}")))?;
    }
    Ok(())
}

/// Points contact `id` at its fallback (checked as [`save`] checks one).
fn set_fallback(w: &mut Write<'_>, id: i64, fb: i64) -> Result<()> {
    let route: String =
        w.tx()
            .query_row("SELECT route FROM contacts WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
    check_fallback_of(w, Some(id), &route, fb)?;
    w.tx().execute(
        "UPDATE contacts SET fallback_id = ?2 WHERE id = ?1",
        params![id, fb],
    )?;
    w.audit(
        "fallback",
        "contact",
        Some(&id.to_string()),
        Some(&fb.to_string()),
    )
}

/// The CSV columns, in order (a header row is required on import).
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "organisation",
    "service",
    "route",
    "area",
    "phone",
    "email",
    "web",
    "notes",
    "hours",
    "open_on_bank_holidays",
    "fallback_id",
];

/// All contacts as CSV, in the columns `import` reads.
pub fn export(conn: &Connection) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| StoreError::Refused(format!("CSV: {e}"));
    w.write_record(CSV_COLUMNS).map_err(io)?;
    let safe = |s: String| crate::domain::text::spreadsheet_safe(&s).into_owned();
    for c in all(conn)? {
        w.write_record([
            c.id.to_string(),
            safe(c.organisation),
            safe(c.service),
            c.route,
            safe(c.area.unwrap_or_default()),
            safe(c.phone.unwrap_or_default()),
            safe(c.email.unwrap_or_default()),
            safe(c.web.unwrap_or_default()),
            safe(c.notes.unwrap_or_default()),
            safe(c.hours_text),
            if c.hours.open_on_bank_holidays {
                "yes".into()
            } else {
                "no".into()
            },
            c.fallback_id.map(|f| f.to_string()).unwrap_or_default(),
        ])
        .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| StoreError::Refused(format!("CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One CSV row, checked: its line, the id it updates (if any), the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub id: Option<i64>,
    pub input: ContactInput,
}

/// Reads and checks a whole CSV; any bad row refuses the file, by line number.
pub fn parse_csv(text: &str) -> std::result::Result<Vec<Row>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for needed in ["organisation", "service", "route", "phone", "hours"] {
        if col(needed).is_none() {
            return Err(format!(
                "line 1: no {needed:?} column (columns: {})",
                CSV_COLUMNS.join(",")
            ));
        }
    }
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |name: &str| {
            crate::domain::text::from_spreadsheet(col(name).and_then(|i| rec.get(i)).unwrap_or(""))
                .to_string()
        };
        let num = |name: &str| -> std::result::Result<Option<i64>, String> {
            let v = get(name);
            if v.trim().is_empty() {
                Ok(None)
            } else {
                v.trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("line {line}: {name} {v:?} is not a number"))
            }
        };
        let input = ContactInput {
            organisation: get("organisation"),
            service: get("service"),
            route: get("route"),
            area: get("area"),
            phone: get("phone"),
            email: get("email"),
            web: get("web"),
            notes: get("notes"),
            hours: get("hours"),
            open_on_bank_holidays: matches!(
                get("open_on_bank_holidays").trim().to_lowercase().as_str(),
                "yes" | "true" | "1"
            ),
            fallback_id: num("fallback_id")?,
        };
        check(&input).map_err(|e| format!("line {line}: {}: {}", e.field, e.message))?;
        rows.push(Row {
            line,
            id: num("id")?,
            input,
        });
    }
    Ok(rows)
}

/// What an import would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

fn as_input(c: &Contact) -> ContactInput {
    ContactInput {
        organisation: c.organisation.clone(),
        service: c.service.clone(),
        route: c.route.clone(),
        area: c.area.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        web: c.web.clone().unwrap_or_default(),
        notes: c.notes.clone().unwrap_or_default(),
        hours: c.hours_text.clone(),
        open_on_bank_holidays: c.hours.open_on_bank_holidays,
        fallback_id: c.fallback_id,
    }
}

/// Normalised for comparison: what `save` would store.
fn same(a: &ContactInput, b: &ContactInput) -> bool {
    let n = |s: &str| s.trim().to_string();
    let h = |s: &str| {
        hours::parse(s)
            .map(|(al, sp)| hours::format(al, &sp))
            .unwrap_or_default()
    };
    (
        n(&a.organisation),
        n(&a.service),
        n(&a.route).replace('-', "_"),
        n(&a.area),
        n(&a.phone),
        n(&a.email),
        n(&a.web),
        n(&a.notes),
        h(&a.hours),
        a.open_on_bank_holidays,
        a.fallback_id,
    ) == (
        n(&b.organisation),
        n(&b.service),
        n(&b.route).replace('-', "_"),
        n(&b.area),
        n(&b.phone),
        n(&b.email),
        n(&b.web),
        n(&b.notes),
        h(&b.hours),
        b.open_on_bank_holidays,
        b.fallback_id,
    )
}

/// Rows matched to existing contacts: by id, else by organisation, service and area.
fn matched(conn: &Connection, rows: &[Row]) -> Result<Vec<(Option<i64>, bool)>> {
    let existing = all(conn)?;
    Ok(rows
        .iter()
        .map(|r| {
            let found = match r.id {
                Some(id) => existing.iter().find(|c| c.id == id),
                None => existing.iter().find(|c| {
                    c.organisation
                        .eq_ignore_ascii_case(r.input.organisation.trim())
                        && c.service.eq_ignore_ascii_case(r.input.service.trim())
                        && c.area
                            .as_deref()
                            .unwrap_or("")
                            .eq_ignore_ascii_case(r.input.area.trim())
                }),
            };
            match found {
                Some(c) => (Some(c.id), same(&as_input(c), &r.input)),
                None => (None, false),
            }
        })
        .collect())
}

/// What importing these rows would change, without changing anything.
pub fn plan(conn: &Connection, rows: &[Row]) -> Result<ImportPlan> {
    let mut p = ImportPlan::default();
    for (id, same) in matched(conn, rows)? {
        match (id, same) {
            (None, _) => p.added += 1,
            (Some(_), true) => p.unchanged += 1,
            (Some(_), false) => p.changed += 1,
        }
    }
    Ok(p)
}

/// Imports the rows in one transaction: all or nothing, and importing the same
/// file twice changes nothing the second time. Fallbacks are linked after
/// every row is in, so a row may point at one further down the file; a new
/// row keeps its file id where that id is free, so an export imported into a
/// fresh desk keeps its fallbacks.
pub fn import(w: &mut Write<'_>, rows: &[Row]) -> Result<ImportPlan> {
    let p = plan(w.tx(), rows)?;
    // A row the desk cannot take is bad input in the file (exit 2).
    let at_line = |line: u64| {
        move |e: StoreError| match e {
            // A row the desk cannot take is bad input in the file (exit 2).
            StoreError::Refused(m) | StoreError::Invalid(m) => {
                StoreError::Invalid(format!("line {line}: {m}"))
            }
            other => other,
        }
    };
    let mut links: Vec<(u64, i64, i64)> = Vec::new();
    for (row, (id, same)) in rows.iter().zip(matched(w.tx(), rows)?) {
        if same {
            continue;
        }
        let unlinked = ContactInput {
            fallback_id: None,
            ..row.input.clone()
        };
        let new_id = if id.is_none() { row.id } else { None };
        let saved = save_as(w, id, new_id, &unlinked).map_err(at_line(row.line))?;
        if let Some(fb) = row.input.fallback_id {
            links.push((row.line, saved, fb));
        }
    }
    for (line, id, fb) in links {
        set_fallback(w, id, fb).map_err(at_line(line))?;
    }
    w.audit(
        "import",
        "contacts",
        None,
        Some(&format!(
            "{} added, {} changed, {} unchanged",
            p.added, p.changed, p.unchanged
        )),
    )?;
    Ok(p)
}
