//! Staff: the users of the desk, found by OS account name.

use super::{Result, Store, StoreError, Write};
use crate::domain::staff::{Role, StaffMember};
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
            "account {username:?} is deactivated in this dutydesk; ask a DSL to reactivate it"
        ))),
        None => Err(StoreError::Refused(format!(
            "account {username:?} is not on this dutydesk's staff list; ask a DSL to run `dutydesk staff add {username} --name NAME --role dsl`"
        ))),
    }
}

pub fn list(store: &Store) -> Result<Vec<StaffMember>> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM staff ORDER BY active DESC, display_name"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The DSL on duty now, from the rota.
pub fn on_duty(store: &Store, now: i64) -> Result<Option<StaffMember>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT s.id, s.username, s.display_name, s.role, s.active
             FROM rota r JOIN staff s ON s.id = r.staff_id
             WHERE r.starts_at <= ?1 AND r.ends_at > ?1
             ORDER BY r.starts_at DESC LIMIT 1",
            [now],
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
        .map_err(|e| StoreError::Refused(e.to_string()))?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(StoreError::Refused(format!(
            "{username:?} is not an account name (letters, digits, '.', '_' and '-' only)"
        )));
    }
    let name = crate::domain::text::validate_line("name", n.display_name, 100)
        .map_err(|e| StoreError::Refused(e.to_string()))?;
    Ok((username, name))
}

/// The acting user must be an active DSL or senior lead.
pub(crate) fn require_manager(w: &Write<'_>, what: &str) -> Result<()> {
    match find_in(w.tx(), w.actor())? {
        Some(s) if s.active && s.role.manages_staff() => Ok(()),
        _ => Err(StoreError::Refused(format!(
            "{} may not {what}: only an active DSL or senior lead may",
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

/// Adds a member of staff; only a DSL or senior lead may.
pub fn add(w: &mut Write<'_>, n: &NewStaff<'_>) -> Result<StaffMember> {
    require_manager(w, "change staff")?;
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

/// Deactivates (never deletes) a member of staff; only a DSL or senior lead may.
pub fn deactivate(w: &mut Write<'_>, username: &str) -> Result<()> {
    require_manager(w, "change staff")?;
    if username == w.actor() {
        return Err(StoreError::Refused("you cannot deactivate yourself".into()));
    }
    let n = w.tx().execute(
        "UPDATE staff SET active = 0 WHERE username = ?1 AND active = 1",
        [username],
    )?;
    if n == 0 {
        return Err(StoreError::Refused(match find_in(w.tx(), username)? {
            Some(_) => format!("{username:?} is already deactivated"),
            None => format!("no staff member {username:?}"),
        }));
    }
    w.audit("deactivate", "staff", Some(username), None)
}
