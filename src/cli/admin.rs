//! Keeping the database sound: `verify`, `audit` and `backup`.

use super::{Failure, Outcome, clock, refused, whoami};
use crate::store::{self, Create};
use std::path::Path;

/// Integrity, foreign keys, triggers and the audit chain. Exit 1 on a problem.
pub fn verify(path: &Path) -> Outcome {
    let store = store::open(path, Create::No)?;
    whoami(&store)?;
    let mut r =
        store::audit::verify(store.conn()).map_err(|e| refused(format!("cannot check: {e}")))?;
    // Where the files live: modes, the directory's setgid bit, sidecars' group.
    r.problems
        .extend(store::files::problems(path, store.is_demo()));
    if r.problems.is_empty() {
        println!(
            "OK: integrity, foreign keys, the schema and its kept tallies are sound; the audit trail's {} rows chain unbroken.",
            r.audit_rows
        );
        return Ok(());
    }
    for p in &r.problems {
        println!("PROBLEM: {p}");
    }
    Err(Failure {
        code: 1,
        message: format!(
            "{} problem(s) found in {}",
            r.problems.len(),
            path.display()
        ),
    })
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
            chrono::DateTime::parse_from_rfc3339(t.trim())
                .map_err(|_| {
                    refused(format!(
                        "--since {t:?} is not an RFC 3339 time, e.g. 2026-11-01T00:00:00Z"
                    ))
                })?
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
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(anyhow::Error::from)?
        );
        return Ok(());
    }
    for r in rows {
        println!(
            "{:>6} {} {:<12} {:<10} {:<12} {} {}",
            r.id,
            crate::domain::calendar::format_stamp(crate::store::instant_pub(r.at)),
            r.actor,
            r.action,
            r.entity,
            r.entity_id.unwrap_or_default(),
            r.detail.unwrap_or_default()
        );
    }
    Ok(())
}

/// A verified copy of the database for a senior lead (see `store::backup`):
/// written under a temporary name beside DEST and renamed into place only
/// once checked, never replacing anything; audited.
pub fn backup(path: &Path, dest: &Path) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    let done = store::backup::to(&mut st, &me.username, now, dest)?;
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
    println!(
        "Backed up to {} (mode 0600, {} audit rows, verified).",
        done.dest.display(),
        done.audit_rows
    );
    Ok(())
}
