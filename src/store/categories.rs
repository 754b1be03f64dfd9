//! The organisation's category list (DOMAIN.md: child protection's four,
//! the Care Act's ten, police vulnerability themes): read for intake and
//! reports, changed by senior leads only, each change audited. Codes never
//! change once used: a label can be renamed, a code retired (kept on old
//! records, not offered for new ones).

use super::{Result, StoreError, Write};
use crate::domain::text::{clean_line, validate_line};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// One category as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub code: String,
    pub label: String,
    /// child, care_act, police or local.
    pub framework: String,
    pub active: bool,
}

/// The frameworks a category belongs to.
pub const FRAMEWORKS: &[&str] = &["child", "care_act", "police", "local"];

/// Every category, active first, in the organisation's order.
pub fn list(conn: &Connection) -> Result<Vec<Category>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, label, framework, active FROM categories ORDER BY active DESC, sort, label",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Category {
            code: clean_line(&r.get::<_, String>(0)?),
            label: clean_line(&r.get::<_, String>(1)?),
            framework: r.get(2)?,
            active: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn code_ok(code: &str) -> Result<String> {
    let c = code.trim().to_lowercase().replace('-', "_");
    let ok = !c.is_empty()
        && c.len() <= 40
        && c.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    if ok {
        Ok(c)
    } else {
        Err(StoreError::Invalid(format!(
            "{code:?} is not a category code: 1 to 40 of a-z, 0-9 and _ (e.g. serious_violence)"
        )))
    }
}

fn label_ok(label: &str) -> Result<String> {
    validate_line("label", label, 80).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn find(w: &Write<'_>, code: &str) -> Result<Category> {
    let code = code_ok(code)?;
    let found = w
        .tx()
        .query_row(
            "SELECT code, label, framework, active FROM categories WHERE code = ?1",
            [&code],
            |r| {
                Ok(Category {
                    code: r.get(0)?,
                    label: r.get(1)?,
                    framework: r.get(2)?,
                    active: r.get(3)?,
                })
            },
        )
        .optional()?;
    found.ok_or_else(|| {
        let known = list(w.tx())
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.code)
            .collect::<Vec<_>>();
        StoreError::Invalid(format!(
            "no category {code:?}: the codes are {}",
            known.join(", ")
        ))
    })
}

/// Adds a category (senior leads); `framework` is child, care_act, police or local.
pub fn add(w: &mut Write<'_>, code: &str, label: &str, framework: &str) -> Result<String> {
    super::staff::require_senior(w, "change the categories")?;
    let code = code_ok(code)?;
    let label = label_ok(label)?;
    let framework = framework.trim().to_lowercase().replace('-', "_");
    if !FRAMEWORKS.contains(&framework.as_str()) {
        return Err(StoreError::Invalid(format!(
            "{framework:?} is not a framework: use {}",
            FRAMEWORKS.join(", ")
        )));
    }
    let exists: Option<bool> = w
        .tx()
        .query_row(
            "SELECT active FROM categories WHERE code = ?1",
            [&code],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(active) = exists {
        return Err(StoreError::Refused(format!(
            "the code {code} is already {}; nothing changed",
            if active {
                "on the list (rename its label with `dutydesk categories rename`)"
            } else {
                "used by a retired category: codes are never reused, choose another"
            }
        )));
    }
    w.tx().execute(
        "INSERT INTO categories (code, label, framework, sort)
         VALUES (?1, ?2, ?3, (SELECT coalesce(max(sort), 0) + 1 FROM categories))",
        params![code, label, framework],
    )?;
    w.audit("add", "category", Some(&code), None)?;
    Ok(format!("Added the category {code} ({label})"))
}

/// Changes a category's label (senior leads); its code stays.
pub fn rename(w: &mut Write<'_>, code: &str, label: &str) -> Result<String> {
    super::staff::require_senior(w, "change the categories")?;
    let c = find(w, code)?;
    let label = label_ok(label)?;
    w.tx().execute(
        "UPDATE categories SET label = ?2 WHERE code = ?1",
        params![c.code, label],
    )?;
    w.audit("rename", "category", Some(&c.code), None)?;
    Ok(format!("{} is now labelled {label}", c.code))
}

/// Retires a category (senior leads): old records keep it; new ones cannot
/// use it. Refused, nothing changed, for a statutory category (FGM and the
/// others a duty or a statutory return depends on) and for one an active
/// deadline rule matches, named, as it would stop firing without a word
/// (`domain::category::check_retire`).
pub fn retire(w: &mut Write<'_>, code: &str) -> Result<String> {
    super::staff::require_senior(w, "change the categories")?;
    let c = find(w, code)?;
    if !c.active {
        return Err(StoreError::Refused(format!(
            "{} is already retired; nothing changed",
            c.code
        )));
    }
    let rules = super::deadlines::rules(w.tx())?;
    crate::domain::category::check_retire(&c.code, &rules).map_err(StoreError::Refused)?;
    w.tx().execute(
        "UPDATE categories SET active = 0 WHERE code = ?1",
        [&c.code],
    )?;
    w.audit("retire", "category", Some(&c.code), None)?;
    Ok(format!(
        "Retired {} ({}): kept on the records that carry it, no longer offered",
        c.code, c.label
    ))
}
