//! Tasks on a case (issue 18): "ring the school back at 10:00", with an owner
//! and a due time. Each task is a deadline (no rule) owned by its owner, so
//! it counts down on the dashboard with the others, reaches its owner's alerts
//! (`store::notices`, `store::alerts`: the holder of a task's deadline is the
//! task's owner) and the handover, and is done (the deadline met) or
//! cancelled (waived, with the reason) with a note in the chronology.

use super::access::Viewer;
use super::workflow::{Done, actor, current, done, open_only, text};
use super::{Result, StoreError, Write, instant};
use crate::domain::casework::{MAX_REASON, MAX_TASK, Task, TaskState, task_label};
use crate::domain::staff::Role;
use crate::domain::text::{clean_block, clean_line};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

const COLUMNS: &str = "t.id, t.deadline_id, e.reference, o.display_name, o.username, t.body,
    d.due_at, d.met_at, ms.display_name, d.waived_at, ws.display_name, d.waived_reason,
    c.display_name, t.created_at";

const FROM: &str = "tasks t JOIN deadlines d ON d.id = t.deadline_id
    JOIN escalations e ON e.id = t.escalation_id
    JOIN staff o ON o.id = t.owner_id
    JOIN staff c ON c.id = t.created_by
    LEFT JOIN staff ms ON ms.id = d.met_by
    LEFT JOIN staff ws ON ws.id = d.waived_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    let met: Option<i64> = r.get(7)?;
    let waived: Option<i64> = r.get(9)?;
    let (state, closed_by, closed_at) = match (met, waived) {
        (Some(at), _) => (
            TaskState::Done,
            r.get::<_, Option<String>>(8)?,
            Some(instant(at)),
        ),
        (None, Some(at)) => (
            TaskState::Cancelled,
            r.get::<_, Option<String>>(10)?,
            Some(instant(at)),
        ),
        _ => (TaskState::Open, None, None),
    };
    Ok(Task {
        id: r.get(0)?,
        deadline_id: r.get(1)?,
        reference: clean_line(&r.get::<_, String>(2)?),
        owner: clean_line(&r.get::<_, String>(3)?),
        owner_username: r.get(4)?,
        text: clean_block(&r.get::<_, String>(5)?),
        due_at: instant(r.get(6)?),
        state,
        closed_by: closed_by.map(|n| clean_line(&n)),
        closed_at,
        reason: r.get::<_, Option<String>>(11)?.map(|x| clean_line(&x)),
        created_by: clean_line(&r.get::<_, String>(12)?),
        created_at: instant(r.get(13)?),
    })
}

/// The tasks of escalation `id`, open first then by due time.
pub fn of_escalation(conn: &Connection, id: i64) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE t.escalation_id = ?1
         ORDER BY d.met_at IS NOT NULL OR d.waived_at IS NOT NULL, d.due_at, t.id"
    ))?;
    let rows = stmt.query_map([id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open tasks owned by `owner` on cases `viewer` may see, soonest first
/// (`dutydesk task list`).
pub fn open_for(conn: &Connection, viewer: Viewer, owner: i64) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE t.owner_id = :owner AND d.met_at IS NULL AND d.waived_at IS NULL AND {}
         ORDER BY d.due_at, t.id",
        super::access::VISIBLE
    ))?;
    let rows = stmt.query_map(
        rusqlite::named_params! {":owner": owner, ":senior": viewer.senior, ":me": viewer.staff_id},
        row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a task to an open escalation: `owner` (an active DSL, deputy or
/// senior lead who may see the case: it counts down among their
/// deadlines), due at `due` (in the future), `body` what to do. Its
/// deadline's label names the owner and the task's start; alerts that leave
/// the desk say "Task" only.
pub fn add(
    w: &mut Write<'_>,
    id: i64,
    owner: &str,
    due: DateTime<Utc>,
    body: &str,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    let body = text("task", body, MAX_TASK).map_err(|_| {
        StoreError::Invalid(
            "a task needs words: what is to be done, e.g. \"ring the school back\"".into(),
        )
    })?;
    let now = w.now();
    if due <= now {
        return Err(StoreError::Invalid(format!(
            "{} has passed: a task is due in the future",
            crate::domain::calendar::format_stamp(due)
        )));
    }
    let who = super::staff::find_in(w.tx(), owner.trim())?
        .filter(|s| s.active)
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "no active staff member {:?}: give an account from `dutydesk staff list`",
                owner.trim()
            ))
        })?;
    if who.role == Role::Viewer {
        return Err(StoreError::Invalid(format!(
            "{} is a viewer and cannot own tasks: give a DSL, deputy or senior lead",
            who.display_name
        )));
    }
    if !super::access::may_see(w.tx(), Viewer::from(&who), id)? {
        return Err(StoreError::Refused(format!(
            "{} may not see {}: choose an owner who may (a senior lead can name them on it)",
            who.display_name, c.reference
        )));
    }
    w.tx().execute(
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
         VALUES (?1, NULL, ?2, ?3, ?4)",
        params![
            id,
            task_label(&who.display_name, &body),
            due.timestamp(),
            now.timestamp()
        ],
    )?;
    let deadline = w.tx().last_insert_rowid();
    w.tx().execute(
        "INSERT INTO tasks (deadline_id, escalation_id, owner_id, body, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![deadline, id, who.id, body, me.id, now.timestamp()],
    )?;
    let task = w.tx().last_insert_rowid();
    let line = super::escalations::add_chronology(
        w,
        id,
        me.id,
        now,
        "note",
        &format!(
            "Task {task} for {}, due {}: {body}",
            who.display_name,
            crate::domain::calendar::format_stamp(due)
        ),
    )?;
    w.audit(
        "task_added",
        "escalation",
        Some(&c.reference),
        Some(&format!(
            "task {task}; owner {}; chronology {line}",
            who.username
        )),
    )?;
    Ok(done(
        &c,
        format!(
            "Task {task} on {} for {}, due {}",
            c.reference,
            who.display_name,
            crate::domain::calendar::format_stamp(due)
        ),
    ))
}

/// The task numbered `task` and its escalation, if the actor may see it;
/// else the same refusal for hidden and missing.
fn find(w: &Write<'_>, viewer: Viewer, task: i64) -> Result<(i64, i64, Task)> {
    let row = w
        .tx()
        .query_row(
            &format!(
                "SELECT {COLUMNS}, e.id FROM {FROM} WHERE t.id = :id AND {}",
                super::access::VISIBLE
            ),
            rusqlite::named_params! {":id": task, ":senior": viewer.senior, ":me": viewer.staff_id},
            |r| Ok((row(r)?, r.get::<_, i64>(14)?)),
        )
        .optional()?;
    match row {
        Some((t, esc)) => Ok((esc, t.deadline_id, t)),
        None => Err(StoreError::Refused(format!(
            "no task {task} that you may see: `dutydesk task list` shows yours, `dutydesk show REF` a case's"
        ))),
    }
}

/// Marks a task done (`done`) or cancels it, with a note: optional for done,
/// required for a cancellation (why it is no longer needed). The deadline is
/// met or waived; the chronology says so with the note. A task already done
/// or cancelled is refused with who did it and when.
pub fn close(w: &mut Write<'_>, task: i64, done_it: bool, note: &str) -> Result<Done> {
    let me = actor(w)?;
    let viewer = Viewer::from(&me);
    let (esc, deadline, t) = find(w, viewer, task)?;
    let c = current(w, &me, esc)?;
    if t.state != TaskState::Open {
        return Err(StoreError::Conflict(
            t.closed_by.clone().unwrap_or_else(|| "someone".into()),
            format!(
                "{} (task already {})",
                t.closed_at
                    .map(crate::domain::calendar::format_stamp)
                    .unwrap_or_default(),
                t.state.label()
            ),
        ));
    }
    let note = note.trim();
    let now = w.now();
    let body = if done_it {
        let note = if note.is_empty() {
            String::new()
        } else {
            format!(" Note: {}", text("note", note, MAX_REASON)?)
        };
        w.tx().execute(
            "UPDATE deadlines SET met_at = ?2, met_by = ?3 WHERE id = ?1",
            params![deadline, now.timestamp(), me.id],
        )?;
        format!("Task {task} done by {}: {}.{note}", me.display_name, t.text)
    } else {
        let reason = text("reason", note, MAX_REASON).map_err(|_| {
            StoreError::Invalid("cancelling a task needs a note saying why (--note \"...\")".into())
        })?;
        w.tx().execute(
            "UPDATE deadlines SET waived_at = ?2, waived_by = ?3, waived_reason = ?4 WHERE id = ?1",
            params![deadline, now.timestamp(), me.id, reason],
        )?;
        format!(
            "Task {task} cancelled by {}: {}. Why: {reason}",
            me.display_name, t.text
        )
    };
    let line = super::escalations::add_chronology(
        w,
        esc,
        me.id,
        now,
        if done_it {
            "deadline_met"
        } else {
            "deadline_waived"
        },
        &body,
    )?;
    w.audit(
        if done_it {
            "task_done"
        } else {
            "task_cancelled"
        },
        "escalation",
        Some(&c.reference),
        Some(&format!("task {task}; chronology {line}")),
    )?;
    Ok(done(
        &c,
        format!(
            "Task {task} on {} {}",
            c.reference,
            if done_it { "done" } else { "cancelled" }
        ),
    ))
}

/// Whether deadline `id` is a task's (alerts that leave the desk then say
/// "Task", never its words).
pub fn is_task(conn: &Connection, deadline: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM tasks WHERE deadline_id = ?1",
            [deadline],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
