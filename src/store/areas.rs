//! The organisation's areas and their other names (schema v6): read for
//! every intake and look-up, changed by senior leads only, each change
//! audited. Names are unique whatever their case (the columns are NOCASE).

use super::{Result, StoreError, Write};
use crate::domain::area::{self, Area, fold};
use crate::domain::text::{clean_line, validate_line};
use rusqlite::{Connection, OptionalExtension, params};

/// Every area with its aliases, active first, in name order.
pub fn list(conn: &Connection) -> Result<Vec<Area>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, active FROM areas ORDER BY active DESC, name")?;
    let mut out: Vec<Area> = stmt
        .query_map([], |r| {
            Ok(Area {
                name: clean_line(&r.get::<_, String>(0)?),
                aliases: Vec::new(),
                active: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached("SELECT alias, area FROM area_aliases ORDER BY alias")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (alias, name) = row?;
        if let Some(a) = out.iter_mut().find(|a| a.name.eq_ignore_ascii_case(&name)) {
            a.aliases.push(clean_line(&alias));
        }
    }
    Ok(out)
}

/// The typed area, resolved against the list (see [`area::resolve`]); the
/// refusal names the nearest areas.
pub fn resolve(conn: &Connection, typed: &str, field: &str) -> Result<String> {
    area::resolve(typed, &list(conn)?, field).map_err(|e| StoreError::Invalid(e.message))
}

fn checked(what: &'static str, name: &str) -> Result<String> {
    let n = validate_line(what, name, 80).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if fold(&n).is_empty() || fold(&n) == area::UNKNOWN {
        return Err(StoreError::Invalid(format!(
            "{what} {n:?} cannot be used: it needs letters, and \"unknown\" is always accepted already"
        )));
    }
    Ok(n)
}

/// Which area (by folded name) a name or alias already stands for.
fn taken(w: &Write<'_>, name: &str) -> Result<Option<String>> {
    Ok(list(w.tx())?
        .into_iter()
        .find(|a| a.answers_to(name))
        .map(|a| a.name))
}

/// Adds an area (senior leads), with other names for it.
pub fn add(w: &mut Write<'_>, name: &str, aliases: &[String]) -> Result<String> {
    super::staff::require_senior(w, "change the areas")?;
    let name = checked("area", name)?;
    if let Some(t) = taken(w, &name)? {
        return Err(StoreError::Refused(format!(
            "{name:?} is already on the list as {t}; nothing changed"
        )));
    }
    w.tx()
        .execute("INSERT INTO areas (name) VALUES (?1)", [&name])?;
    for a in aliases {
        alias(w, &name, a)?;
    }
    w.audit("add", "area", Some(&name), None)?;
    Ok(format!("Added the area {name}"))
}

/// Gives an area another name people type for it (senior leads).
pub fn alias(w: &mut Write<'_>, name: &str, alias: &str) -> Result<String> {
    super::staff::require_senior(w, "change the areas")?;
    let alias = checked("other name", alias)?;
    let area = exact(w, name)?;
    if let Some(t) = taken(w, &alias)? {
        return Err(StoreError::Refused(format!(
            "{alias:?} already stands for {t}; nothing changed"
        )));
    }
    w.tx().execute(
        "INSERT INTO area_aliases (alias, area) VALUES (?1, ?2)",
        params![alias, area],
    )?;
    w.audit("alias", "area", Some(&area), Some(&alias))?;
    Ok(format!("{alias} now finds {area}"))
}

/// Removes another name (senior leads).
pub fn unalias(w: &mut Write<'_>, alias: &str) -> Result<String> {
    super::staff::require_senior(w, "change the areas")?;
    let area: Option<String> = w
        .tx()
        .query_row(
            "SELECT area FROM area_aliases WHERE alias = ?1",
            [alias.trim()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(area) = area else {
        return Err(StoreError::Invalid(format!(
            "{:?} is not another name of any area (`dutydesk areas list` shows them); nothing changed",
            alias.trim()
        )));
    };
    w.tx()
        .execute("DELETE FROM area_aliases WHERE alias = ?1", [alias.trim()])?;
    w.audit("unalias", "area", Some(&area), Some(alias.trim()))?;
    Ok(format!("{} no longer finds {area}", alias.trim()))
}

/// Retires an area (senior leads): no longer offered, kept on old records.
pub fn retire(w: &mut Write<'_>, name: &str) -> Result<String> {
    super::staff::require_senior(w, "change the areas")?;
    let area = exact(w, name)?;
    w.tx()
        .execute("UPDATE areas SET active = 0 WHERE name = ?1", [&area])?;
    w.audit("retire", "area", Some(&area), None)?;
    Ok(format!(
        "Retired {area}: kept on the records that name it, no longer offered"
    ))
}

/// The stored name of an area typed by its name or an alias (retired or not).
fn exact(w: &Write<'_>, typed: &str) -> Result<String> {
    let all = list(w.tx())?;
    all.iter()
        .find(|a| a.answers_to(typed))
        .map(|a| a.name.clone())
        .ok_or_else(|| {
            StoreError::Invalid(
                area::resolve(typed, &all, "area")
                    .err()
                    .map(|e| e.message)
                    .unwrap_or_else(|| format!("no area {typed:?}")),
            )
        })
}
