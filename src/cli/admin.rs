//! Keeping the database sound: `verify`, `anchor`, `audit` and `backup`.

use super::{Failure, Outcome, clock, refused, whoami};
use crate::store::{self, Create};
use std::path::{Path, PathBuf};

/// Where this database's anchors are kept, and how they name it: the system
/// file's `[audit] anchor_file`, else `<database>.anchors` (never a setting
/// in the database).
fn anchors_of(path: &Path) -> Result<(PathBuf, String), Failure> {
    let system = crate::config::SystemConfig::load().map_err(super::Failure::from)?;
    Ok((
        crate::anchor::file_for(path, system.audit.anchor_file.as_deref()),
        crate::anchor::key(path),
    ))
}

/// The account running, when it is the system file's `[backup] account`
/// (the account of the shipped backup and verify timers), which may run
/// `backup` and `verify` without being on the staff list. `None` for
/// everyone else, who must be active staff as for any command.
pub(crate) fn backup_account(store: &store::Store) -> Result<Option<String>, Failure> {
    let Some(account) = super::system().backup.account.clone() else {
        return Ok(None);
    };
    let user = crate::identity::current_user(store.is_demo())
        .map_err(|e| super::cannot_start(format!("{e:#}")))?;
    Ok((user == account).then_some(account))
}

/// Compares the trail with every anchor recorded for it, streaming the file;
/// returns how many there were.
fn against_anchors(
    conn: &rusqlite::Connection,
    file: &Path,
    key: &str,
    problems: &mut Vec<String>,
) -> Result<usize, Failure> {
    let mut failed = None;
    let anchors = crate::anchor::read(file, key)
        .map_err(|e| refused(e.to_string()))?
        .map_while(|a| a.map_err(|e| failed = Some(e)).ok());
    let n = store::tamper::check_anchors(conn, anchors, problems)
        .map_err(|e| refused(format!("cannot check the anchors: {e}")))?;
    match failed {
        Some(e) => Err(refused(e.to_string())),
        None => Ok(n),
    }
}

/// Integrity, foreign keys, the schema, the trail (chain, gaps, covered
/// chronology and referrals, restrictions, the demo mark) and the anchors
/// recorded outside the database. When all is sound, the chain's head is
/// anchored (anchor file and syslog). Exit 1 on a problem, naming each.
pub fn verify(path: &Path) -> Outcome {
    let now = clock()?.now();
    let store = store::open(path, Create::No)?;
    // The backup account of the system file (the nightly verify timer) checks
    // without seeing any reference; everyone else must be on the staff list.
    let viewer = match backup_account(&store)? {
        Some(_) => None,
        None => Some(whoami(&store)?),
    };
    let (file, key) = anchors_of(path)?;
    let mut r = store::audit::verify_as(store.conn(), viewer.as_ref().map(Into::into))
        .map_err(|e| refused(format!("cannot check: {e}")))?;
    // Where the files live: modes, the directory's setgid bit, sidecars' group.
    r.problems
        .extend(store::files::problems(path, store.is_demo()));
    let anchors = against_anchors(store.conn(), &file, &key, &mut r.problems)?;
    if !r.problems.is_empty() {
        for p in &r.problems {
            say!("PROBLEM: {p}")?;
        }
        return Err(super::Failure {
            exit: crate::domain::exit::Exit::Refused,
            message: format!(
                "{} problem(s) found in {}; no anchor recorded. Keep the anchor file and `journalctl -t dutydesk` as evidence and restore a backup that verifies (docs/ADMIN.md)",
                r.problems.len(),
                path.display()
            ),
        });
    }
    let head = r.head.clone();
    say!(
        "OK: integrity, foreign keys, the schema and its kept tallies are sound; the audit trail's {} rows chain unbroken with no gaps, cover every chronology and referral row, agree with every restriction, and match {anchors} earlier anchor(s).",
        r.audit_rows
    )?;
    if let Some((id, hash)) = head {
        crate::anchor::record(&file, &key, id, &hash, now).map_err(|e| refused(e.to_string()))?;
        say!("Anchored: audit row {id} in {} and syslog.", file.display())?;
    }
    Ok(())
}

/// Records the chain's head outside the database (for cron): the anchor file
/// and syslog. Refuses, anchoring nothing, when the trail no longer matches
/// an earlier anchor (exit 1: run `verify`).
pub fn anchor(path: &Path) -> Outcome {
    let now = clock()?.now();
    let store = store::open(path, Create::No)?;
    whoami(&store)?;
    let (file, key) = anchors_of(path)?;
    let mut problems = Vec::new();
    against_anchors(store.conn(), &file, &key, &mut problems)?;
    if !problems.is_empty() {
        for p in &problems {
            say!("PROBLEM: {p}")?;
        }
        return Err(super::Failure {
            exit: crate::domain::exit::Exit::Refused,
            message: format!(
                "the audit trail of {} no longer matches its anchors; nothing anchored: run `dutydesk verify`",
                path.display()
            ),
        });
    }
    let Some((id, hash)) = store::audit::head(store.conn()).map_err(|e| refused(e.to_string()))?
    else {
        return Err(refused("the audit trail is empty: nothing to anchor"));
    };
    crate::anchor::record(&file, &key, id, &hash, now).map_err(|e| refused(e.to_string()))?;
    say!("Anchored: audit row {id} in {} and syslog.", file.display())?;
    Ok(())
}

/// The audit trail, optionally for one record, one user, or since a time,
/// as `store::trail` shows it to this user (DSLs and senior leads; rows about
/// escalations they may not see left out, record words never shown). The
/// reading is itself audited, so a read-only database refuses it.
pub fn audit(
    path: &Path,
    reference: Option<&str>,
    user: Option<&str>,
    since: Option<&str>,
    json: bool,
) -> Outcome {
    let since = match since {
        Some(t) => Some(
            crate::domain::calendar::read_time(
                t,
                clock()?.now(),
                crate::domain::calendar::Lean::Past,
            )
            .map_err(|e| super::bad_input(format!("--since {e}")))?
            .timestamp(),
        ),
        None => None,
    };
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    if store.read_only() {
        return Err(refused(
            "the audit trail cannot be read on a read-only database: each reading is itself audited; ask someone who can write to it",
        ));
    }
    let q = store::trail::Query {
        record: reference,
        user,
        since,
        limit: 100_000,
    };
    let rows = store.write(&me.username, now, |w| store::trail::read(w, &q))?;
    if json {
        // Item by item: no JSON tree of a hundred thousand rows (issue 21).
        let mut items = super::json::Items::begin("audit", crate::cli::clock()?.now())?;
        for r in &rows {
            items.item(r)?;
        }
        return items.end();
    }
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for r in rows {
        writeln!(
            out,
            "{:>6} {} {:<12} {:<10} {:<12} {} {}",
            r.id,
            crate::domain::calendar::format_stamp(crate::store::instant_pub(r.at)),
            r.actor,
            r.action,
            r.entity,
            r.entity_id.unwrap_or_default(),
            r.detail.unwrap_or_default()
        )
        .map_err(anyhow::Error::from)?;
    }
    out.flush().map_err(anyhow::Error::from)?;
    Ok(())
}

/// A verified copy of the database for a senior lead (see `store::backup`):
/// written under a temporary name beside DEST and renamed into place only
/// once checked, never replacing anything; audited.
pub fn backup(path: &Path, dest: &Path) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let done = match backup_account(&st)? {
        Some(account) => store::backup::to_by_service(&mut st, &account, now, dest)?,
        None => {
            let me = whoami(&st)?;
            store::backup::to(&mut st, &me.username, now, dest)?
        }
    };
    for p in &done.removed {
        eprintln!(
            "note: removed {}, left by a backup that was stopped",
            p.display()
        );
    }
    for p in &done.left {
        eprintln!(
            "note: {} looks like a stopped backup's file but is not yours to remove; check it",
            p.display()
        );
    }
    say!(
        "Backed up to {} (mode 0600, {} audit rows, verified).",
        done.dest.display(),
        done.audit_rows
    )?;
    Ok(())
}

/// `dutydesk restore BACKUP` (see `store::restore`): a senior lead puts a
/// verified backup in place of the database while nobody has it open; the
/// replaced file is kept; the restore is audited in the restored trail and
/// marked in the anchor file, so `verify` passes on the restored database.
///
/// Who: a senior lead of the live database when it opens, and of the backup
/// in any case; when the live file is missing or damaged (the usual reason
/// to restore), the OS account, who must be a senior lead in the backup.
pub fn restore(path: &Path, backup: &Path) -> Outcome {
    let now = clock()?.now();
    let (actor, demo) = match store::open(path, Create::No) {
        Ok(st) => {
            let me = whoami(&st)?;
            if !store::backup::may_back_up(me.role) {
                return Err(refused(
                    "only a senior lead may restore the database (it replaces every record); ask a senior lead",
                ));
            }
            if st.read_only() {
                return Err(refused(
                    "the database is read-only for you: restore it as a senior lead who can write to it (through the installed dutydesk)",
                ));
            }
            store::restore::checkpoint(&st)?;
            (me.username, st.is_demo())
        }
        Err(
            store::StoreError::Missing(_)
            | store::StoreError::NotADatabase(_)
            | store::StoreError::Sqlite(_),
        ) => (
            crate::identity::os_account().map_err(|e| super::cannot_start(format!("{e:#}")))?,
            false,
        ),
        Err(e) => return Err(e.into()),
    };
    let checked = store::restore::check(path, backup, &actor, demo)?;
    let audit_rows = checked.audit_rows;
    let placed = store::restore::place(path, &checked, now)?;
    drop(checked);
    let mut st = store::open(path, Create::No)?;
    let detail = format!(
        "from {}; replaced file kept as {}",
        backup.display(),
        placed.kept.display()
    );
    st.write(&actor, now, |w| {
        w.audit("restore", "database", None, Some(&detail))
    })?;
    let (file, key) = anchors_of(path)?;
    if let Some((id, hash)) = store::audit::head(st.conn()).map_err(|e| refused(e.to_string()))? {
        crate::anchor::record_restore(&file, &key, id, &hash, now)
            .map_err(|e| refused(e.to_string()))?;
    }
    say!(
        "Restored {} from {} ({audit_rows} audit rows, verified); the replaced database is kept as {}. Sessions may start again; check with `dutydesk verify`.",
        path.display(),
        backup.display(),
        placed.kept.display()
    )?;
    Ok(())
}
