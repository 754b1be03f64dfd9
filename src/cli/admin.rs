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

/// The audit trail, optionally for one record, one user, or since a time.
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
                .map_err(|_| refused(format!("--since {t:?} is not an RFC 3339 time")))?
                .timestamp(),
        ),
        None => None,
    };
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    if !me.role.manages_desk() {
        return Err(refused(
            "only a DSL or senior lead may read the audit trail",
        ));
    }
    let rows = store::audit::trail(store.conn(), reference, user, since, 100_000)
        .map_err(|e| refused(format!("cannot read the audit trail: {e}")))?;
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

/// A consistent copy through SQLite's online backup, while others keep
/// working; the copy is verified before this reports success.
pub fn backup(path: &Path, dest: &Path) -> Outcome {
    if dest.exists() {
        return Err(refused(format!(
            "{} exists: choose a new file",
            dest.display()
        )));
    }
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    store::backup::to(&st, dest).map_err(|e| refused(format!("backup failed: {e}")))?;
    let copy = rusqlite::Connection::open(dest)
        .map_err(|e| refused(format!("cannot open the copy: {e}")))?;
    let r =
        store::audit::verify(&copy).map_err(|e| refused(format!("cannot check the copy: {e}")))?;
    if !r.problems.is_empty() {
        return Err(refused(format!(
            "the copy failed verification: {}",
            r.problems.join("; ")
        )));
    }
    if !st.read_only() {
        st.write(&me.username, now, |w| {
            w.audit(
                "backup",
                "database",
                None,
                Some(&dest.display().to_string()),
            )
        })?;
    }
    println!(
        "Backed up to {} ({} audit rows, verified).",
        dest.display(),
        r.audit_rows
    );
    Ok(())
}
