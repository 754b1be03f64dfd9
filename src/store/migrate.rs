//! Schema versions. `schema.sql` is always the latest whole schema; a new
//! database gets it in one go. An older database is brought forward by the
//! steps in [`MIGRATIONS`], all in one transaction: it ends fully migrated or
//! exactly as it was.
//!
//! To change the schema: copy `schema.sql` to `tests/fixtures/schema-vN.sql`
//! (N = the current version), edit `schema.sql`, add a step to `MIGRATIONS`
//! and bump [`SCHEMA_VERSION`]. `tests/schema.rs` checks that every old
//! fixture plus the steps gives exactly the new schema.

use super::{Create, Result, Store, StoreError};
use rusqlite::TransactionBehavior;

/// The whole current schema.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The version `schema.sql` describes, stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 19;

/// One step forward: the SQL that turns version `to - 1` into `to`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub to: i64,
    pub sql: &'static str,
}

/// Every step from version 1 to [`SCHEMA_VERSION`], in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        to: 2,
        sql: include_str!("migrations/2-notices.sql"),
    },
    Migration {
        to: 3,
        sql: include_str!("migrations/3-review-counts.sql"),
    },
    Migration {
        to: 4,
        sql: include_str!("migrations/4-assignments.sql"),
    },
    Migration {
        to: 5,
        sql: include_str!("migrations/5-tamper-evidence.sql"),
    },
    Migration {
        to: 6,
        sql: include_str!("migrations/6-routes-areas-figures.sql"),
    },
    Migration {
        to: 7,
        sql: include_str!("migrations/7-notifier.sql"),
    },
    Migration {
        to: 8,
        sql: include_str!("migrations/8-deadline-practice.sql"),
    },
    Migration {
        to: 9,
        sql: include_str!("migrations/9-workbench.sql"),
    },
    Migration {
        to: 10,
        sql: include_str!("migrations/10-imports.sql"),
    },
    Migration {
        to: 11,
        sql: include_str!("migrations/11-practice-fixes.sql"),
    },
    Migration {
        to: 12,
        sql: include_str!("migrations/12-chronology-parties.sql"),
    },
    Migration {
        to: 13,
        sql: include_str!("migrations/13-flat-history.sql"),
    },
    Migration {
        to: 14,
        sql: include_str!("migrations/14-search-order.sql"),
    },
    Migration {
        to: 15,
        sql: include_str!("migrations/15-review-tally.sql"),
    },
    Migration {
        to: 16,
        sql: include_str!("migrations/16-open-tally.sql"),
    },
    Migration {
        to: 17,
        sql: include_str!("migrations/17-alert-touched.sql"),
    },
    Migration {
        to: 18,
        sql: include_str!("migrations/18-search-newest-first.sql"),
    },
    Migration {
        to: 19,
        sql: include_str!("migrations/19-queue-tally.sql"),
    },
];

/// The part of the steps SQL cannot do, run after the last step in the same
/// transaction (so it reads the tables as the current code does). Reaching
/// schema 5 covers the rows that already exist with the trail (sha256 is not
/// in SQLite): see [`super::tamper::cover_existing`].
fn after_steps(tx: &rusqlite::Transaction<'_>, from: i64) -> Result<()> {
    if from < 5 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        super::tamper::cover_existing(tx, now)?;
    }
    Ok(())
}

/// The schema a plan leads to: where a fresh database starts, and what an old
/// one is migrated up to.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub schema: &'a str,
    pub version: i64,
    pub steps: &'a [Migration],
}

/// The real plan.
pub const PLAN: Plan<'static> = Plan {
    schema: SCHEMA,
    version: SCHEMA_VERSION,
    steps: MIGRATIONS,
};

pub(super) fn prepare(store: &mut Store, create: Create, steps: &[Migration]) -> Result<()> {
    prepare_with(store, create, Plan { steps, ..PLAN })
}

/// Checks the version and creates or migrates as needed. Exposed for tests
/// that need a plan of their own.
pub fn prepare_with(store: &mut Store, create: Create, plan: Plan<'_>) -> Result<()> {
    let path = store.path.clone();
    let found: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| match StoreError::from(e) {
            StoreError::NotADatabase(_) => StoreError::NotADatabase(path.clone()),
            other => other,
        })?;
    if found > plan.version {
        return Err(StoreError::NewerSchema {
            path,
            found,
            known: plan.version,
        });
    }
    if found == plan.version {
        // Name keys made by an older fold are refolded once (no schema
        // step: see `search::refold_names`); a read-only open leaves them.
        if !store.read_only
            && plan.version >= SCHEMA_VERSION
            && super::search::names_behind(&store.conn)?
        {
            let tx = store
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            super::search::refold_names(&tx)?;
            tx.commit()?;
        }
        return Ok(());
    }
    if found == 0 {
        let tables: i64 = store.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError::Foreign(path));
        }
        if create == Create::No {
            return Err(StoreError::Uninitialised(path));
        }
        if store.read_only {
            return Err(StoreError::ReadOnly);
        }
        // WAL before the first table, so the file is never in another mode.
        store.conn.pragma_update(None, "journal_mode", "wal")?;
        let tx = store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(plan.schema)?;
        tx.pragma_update(None, "user_version", plan.version)?;
        if plan.version >= SCHEMA_VERSION {
            super::search::refold_names(&tx)?;
        }
        tx.commit()?;
        return Ok(());
    }
    if store.read_only {
        return Err(StoreError::NeedsMigration {
            path,
            found,
            known: plan.version,
        });
    }
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in plan.steps.iter().filter(|s| s.to > found) {
        tx.execute_batch(step.sql)?;
        tx.pragma_update(None, "user_version", step.to)?;
    }
    let reached: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if reached >= SCHEMA_VERSION {
        after_steps(&tx, found)?;
        super::search::refold_names(&tx)?;
    }
    if reached != plan.version {
        return Err(StoreError::Refused(format!(
            "no migration path from schema {found} to {}",
            plan.version
        )));
    }
    tx.commit()?;
    Ok(())
}
