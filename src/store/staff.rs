//! Staff: the users of the desk, found by OS account name.

use super::{Result, Store, StoreError, Write};
use crate::domain::staff::{Role, StaffChange, StaffMember, check_change};
use crate::domain::text::clean_line;
use rusqlite::{OptionalExtension, Row, params};

const COLUMNS: &str = "id, username, display_name, role, active";

fn from_row(r: &Row<'_>) -> rusqlite::Result<StaffMember> {
    let role: String = r.get(3)?;
    Ok(StaffMember {
        id: r.get(0)?,
        username: clean_line(&r.get::<_, String>(1)?),
        display_name: clean_line(&r.get::<_, String>(2)?),
        role: Role::from_code(&role).unwrap_or(Role::Viewer),
        active: r.get(4)?,
    })
}

pub fn find(store: &Store, username: &str) -> Result<Option<StaffMember>> {
    find_in(store.conn(), username)
}

pub(crate) fn find_in(conn: &rusqlite::Connection, username: &str) -> Result<Option<StaffMember>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM staff WHERE username = ?1"),
            [username],
            from_row,
        )
        .optional()?)
}

/// The active staff record for `username`, or a refusal that says why.
pub fn authenticate(store: &Store, username: &str) -> Result<StaffMember> {
    match find(store, username)? {
        Some(s) if s.active => Ok(s),
        Some(_) => Err(StoreError::Refused(format!(
            "account {username:?} is deactivated in this dutydesk; ask a senior lead to run `dutydesk staff reactivate {username}`"
        ))),
        None => Err(StoreError::Refused(format!(
            "account {username:?} is not on this dutydesk's staff list; ask a senior lead to run `dutydesk staff add {username} --name NAME --role dsl`"
        ))),
    }
}

/// Everyone on the staff list, active first, by name.
pub fn list(store: &Store) -> Result<Vec<StaffMember>> {
    list_in(store.conn())
}

pub(crate) fn list_in(conn: &rusqlite::Connection) -> Result<Vec<StaffMember>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM staff ORDER BY active DESC, display_name"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The DSL on duty now, from the rota.
pub fn on_duty(store: &Store, now: i64) -> Result<Option<StaffMember>> {
    // The rota in force: one-off shifts and the weekly pattern (schema v6).
    let Some(id) = super::rota::on_duty_id(store.conn(), super::instant(now))? else {
        return Ok(None);
    };
    Ok(store
        .conn()
        .query_row(
            "SELECT s.id, s.username, s.display_name, s.role, s.active FROM staff s WHERE s.id = ?1",
            [id],
            from_row,
        )
        .optional()?)
}

/// Validated input for a new staff member.
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

fn validate(n: &NewStaff<'_>) -> Result<(String, String)> {
    let username = crate::domain::text::validate_line("username", n.username, 64)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(StoreError::Invalid(format!(
            "{username:?} is not an account name (letters, digits, '.', '_' and '-' only)"
        )));
    }
    let name = crate::domain::text::validate_line("name", n.display_name, 100)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok((username, name))
}

/// The acting user must be an active DSL or senior lead: the desk's shared
/// set-up (rules, settings, contacts, the rota, review records), not staff.
pub(crate) fn require_manager(w: &Write<'_>, what: &str) -> Result<()> {
    match find_in(w.tx(), w.actor())? {
        Some(s) if s.active && s.role.manages_desk() => Ok(()),
        _ => Err(StoreError::Refused(format!(
            "{} may not {what}: only an active DSL or senior lead may",
            w.actor()
        ))),
    }
}

/// The acting user must be an active senior lead, to `what` (the
/// organisation's lists: areas, categories). The refusal says who may.
pub(crate) fn require_senior(w: &Write<'_>, what: &str) -> Result<StaffMember> {
    match find_in(w.tx(), w.actor())? {
        Some(s) if s.active && s.role.manages_staff() => Ok(s),
        _ => Err(StoreError::Refused(format!(
            "{} may not {what}: only a senior lead may; ask one (`dutydesk staff list` shows who)",
            w.actor()
        ))),
    }
}

/// The acting user must be an active senior lead ([`Role::manages_staff`]).
fn require_staff_manager(w: &Write<'_>) -> Result<StaffMember> {
    match find_in(w.tx(), w.actor())? {
        Some(s) if s.active && s.role.manages_staff() => Ok(s),
        _ => Err(StoreError::Refused(format!(
            "{} may not change staff: only a senior lead may; ask one (`dutydesk staff list` shows who)",
            w.actor()
        ))),
    }
}

fn insert(w: &mut Write<'_>, n: &NewStaff<'_>) -> Result<StaffMember> {
    let (username, name) = validate(n)?;
    if find_in(w.tx(), &username)?.is_some() {
        return Err(StoreError::Refused(format!(
            "{username:?} is already on the staff list"
        )));
    }
    w.tx().execute(
        "INSERT INTO staff (username, display_name, role, active, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
        params![username, name, n.role.code(), w.now().timestamp()],
    )?;
    let id = w.tx().last_insert_rowid();
    w.audit("add", "staff", Some(&username), Some(n.role.code()))?;
    Ok(StaffMember {
        id,
        username,
        display_name: name,
        role: n.role,
        active: true,
    })
}

/// Adds a member of staff; only a senior lead may. Audited (`add`, the role).
pub fn add(w: &mut Write<'_>, n: &NewStaff<'_>) -> Result<StaffMember> {
    require_staff_manager(w)?;
    insert(w, n)
}

/// The first user of a new database, who has nobody to ask.
pub fn bootstrap(w: &mut Write<'_>, n: &NewStaff<'_>) -> Result<StaffMember> {
    let count: i64 = w
        .tx()
        .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?;
    if count > 0 {
        return Err(StoreError::Refused(
            "this database already has staff; use `dutydesk staff add`".into(),
        ));
    }
    insert(w, n)
}

/// Adds `n` without a manager's say-so; only on a demo database.
pub fn join_demo(w: &mut Write<'_>, n: &NewStaff<'_>) -> Result<StaffMember> {
    let demo: Option<String> = w
        .tx()
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [super::settings::DEMO],
            |r| r.get(0),
        )
        .optional()?;
    if demo.as_deref() != Some("1") {
        return Err(StoreError::Refused("not a demo database".into()));
    }
    insert(w, n)
}

/// Active senior leads, for the "last senior lead" rule.
fn active_seniors(w: &Write<'_>) -> Result<usize> {
    let n: i64 = w.tx().query_row(
        "SELECT count(*) FROM staff WHERE active = 1 AND role = 'senior'",
        [],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Checks and makes one change to `username`'s account by the acting senior
/// lead ([`check_change`] holds the rules), with its audit row.
fn change(w: &mut Write<'_>, username: &str, what: StaffChange) -> Result<StaffMember> {
    let actor = require_staff_manager(w)?;
    let username = username.trim();
    let target = find_in(w.tx(), username)?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "no staff member {username:?}: see `dutydesk staff list`"
        ))
    })?;
    check_change(&actor, &target, what, active_seniors(w)?).map_err(StoreError::Refused)?;
    let mut after = target.clone();
    let (action, detail) = match what {
        StaffChange::Role(role) => {
            after.role = role;
            ("role", format!("{} -> {}", target.role.code(), role.code()))
        }
        StaffChange::Deactivate => {
            after.active = false;
            ("deactivate", target.role.code().to_string())
        }
        StaffChange::Reactivate => {
            after.active = true;
            ("reactivate", target.role.code().to_string())
        }
    };
    let n = w.tx().execute(
        "UPDATE staff SET role = ?2, active = ?3 WHERE id = ?1 AND role = ?4 AND active = ?5",
        params![
            target.id,
            after.role.code(),
            after.active,
            target.role.code(),
            target.active
        ],
    )?;
    if n != 1 {
        return Err(StoreError::Conflict(
            "another session".into(),
            "just now".into(),
        ));
    }
    w.audit(action, "staff", Some(&target.username), Some(&detail))?;
    Ok(after)
}

/// Changes a user's role; only a senior lead may, never their own, and the
/// last active senior lead keeps theirs. Audited (`role`, "old -> new").
pub fn set_role(w: &mut Write<'_>, username: &str, role: Role) -> Result<StaffMember> {
    change(w, username, StaffChange::Role(role))
}

/// Deactivates (never deletes: their history stays attributable) a member of
/// staff; only a senior lead may, never themselves, and never the last active
/// senior lead. Their open sessions stop showing records at the next poll.
pub fn deactivate(w: &mut Write<'_>, username: &str) -> Result<StaffMember> {
    change(w, username, StaffChange::Deactivate)
}

/// Lets a deactivated user back in, in the role they had; only a senior lead may.
pub fn reactivate(w: &mut Write<'_>, username: &str) -> Result<StaffMember> {
    change(w, username, StaffChange::Reactivate)
}
