//! The only code that speaks SQL. `open` applies the pragmas the shared host
//! needs and brings the schema up to date; every write goes through
//! [`Store::write`], one IMMEDIATE transaction that must also write an audit row.

pub mod access;
pub mod alerts;
pub mod areas;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod casework;
pub mod categories;
pub mod contacts;
pub mod deadlines;
pub mod escalations;
pub mod exports;
pub mod files;
pub mod holidays;
pub mod import;
pub mod migrate;
pub mod notices;
pub mod person;
pub mod plans;
pub mod reports;
pub mod restore;
pub mod reviews;
pub mod rota;
pub mod routes;
pub mod search;
pub mod seed;
pub mod settings;
pub mod staff;
pub mod tamper;
pub mod tasks;
pub mod trail;
pub mod workbench;
pub mod worker;
pub mod workflow;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another session's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store refused or failed. Each message tells the user what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {0}: create one with `dutydesk init --db {0}`, or try `dutydesk demo`")]
    Missing(PathBuf),
    #[error("{0} is not a dutydesk database (not an SQLite file); it was left untouched")]
    NotADatabase(PathBuf),
    #[error("{0} is an SQLite database but not a dutydesk one; it was left untouched")]
    Foreign(PathBuf),
    #[error("{0} has not been set up: run `dutydesk init --db {0}`")]
    Uninitialised(PathBuf),
    #[error(
        "{path} uses schema version {found}, newer than this dutydesk knows ({known}); upgrade dutydesk. The file was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} needs upgrading from schema {found} to {known}, but it is read-only for you")]
    NeedsMigration {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the database is read-only for you: nothing can be changed")]
    ReadOnly,
    /// `DUTYDESK_USER` or `DUTYDESK_NOW` where it may not count (not a demo
    /// database, or a setgid binary); the message names it and says to unset it.
    #[error("{0}")]
    Override(String),
    #[error("the database is locked by another session (waited {}s); try again", BUSY_TIMEOUT.as_secs())]
    Locked,
    #[error("{0} changed it at {1}; reload and try again")]
    Conflict(String, String),
    #[error("{0}")]
    Refused(String),
    /// Bad input: the value itself is wrong whatever the case's state (a
    /// time in the future, a counting a rule cannot use, an outcome that is
    /// not the route's, a waiver without a reason). Exit code 2 on the
    /// command line, like a usage error; nothing was changed.
    #[error("{0}")]
    Invalid(String),
    /// An escalation the user may not see, or one that does not exist: the
    /// same words for both, so a refusal never reveals a hidden case.
    #[error(
        "no escalation {0} that you may see: check the reference (`dutydesk list --status all`)"
    )]
    NotVisible(String),
    #[error("unsafe place for safeguarding records: {0}")]
    Unsafe(String),
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// The exit status a command ends with for this error: the one mapping
    /// (`domain::exit`). Refusals of an action (nothing changed) are 1; a
    /// database or identity that stops the command from starting is 2; a fault
    /// of SQLite or the filesystem is 3.
    pub fn exit(&self) -> crate::domain::exit::Exit {
        use crate::domain::exit::Exit;
        match self {
            StoreError::Refused(_)
            | StoreError::NotVisible(_)
            | StoreError::Conflict(..)
            | StoreError::ReadOnly
            | StoreError::Locked => Exit::Refused,
            StoreError::Invalid(_) => Exit::BadInput,
            StoreError::Missing(_)
            | StoreError::NotADatabase(_)
            | StoreError::Foreign(_)
            | StoreError::Uninitialised(_)
            | StoreError::NewerSchema { .. }
            | StoreError::NeedsMigration { .. }
            | StoreError::Override(_)
            | StoreError::Unsafe(_)
            | StoreError::Create { .. } => Exit::CannotStart,
            StoreError::Io { .. } | StoreError::Sqlite(_) => Exit::Failed,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, NotADatabase, ReadOnly};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Locked,
            Some(ReadOnly) => StoreError::ReadOnly,
            Some(NotADatabase) => StoreError::NotADatabase(PathBuf::from("the database")),
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether `open` may create and initialise a database that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Only an existing, initialised database (the dashboard, most commands).
    No,
    /// Create the file (mode 0660) and the schema if missing (`init`).
    IfMissing,
    /// As `IfMissing`, for the demo: it may live in an ordinary working
    /// directory that others can list (its data is fictional).
    Demo,
}

/// An open dutydesk database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Whether this connection notes referral outcomes recorded (set up
    /// before its first write; see [`tamper::covers_since`]).
    sealing: bool,
    /// What this connection keeps between reads while the data it came
    /// from stands still (each entry says how it knows).
    memo: std::cell::RefCell<Memo>,
}

/// Read results a connection keeps, each with the stamp it is valid for.
#[derive(Default)]
pub(crate) struct Memo {
    /// The review counts' hidden sets: (staff id, senior, `access_changes`).
    pub hidden: Option<((i64, bool, i64), std::sync::Arc<reviews::HiddenSets>)>,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Opens (and if asked, creates) the database at `path`.
///
/// Checks come before anything is written: a file that is not SQLite, a foreign
/// SQLite file or one with a newer schema is refused and left byte-for-byte as
/// it was. A real (not demo) database is held to every rule of
/// [`files::problems`] before anything but its demo flag is read, and is
/// refused while `DUTYDESK_USER` or `DUTYDESK_NOW` is set
/// ([`crate::identity::check_overrides`]: every command opens its database
/// here, so none can forget). A file the user cannot write opens read-only. A
/// file this call created is removed again (with its `-wal` and `-shm`) if
/// anything after its creation fails, so a failed `init` leaves nothing behind.
pub fn open(path: &Path, create: Create) -> Result<Store> {
    let existed = path.exists();
    if !existed && create == Create::No {
        return Err(StoreError::Missing(path.to_path_buf()));
    }
    if existed {
        check_header(path)?;
        // Every database may live where a demo may while we find out whether
        // it is one; a real one is checked in full before it is read.
        files::check(path, true).map_err(StoreError::Unsafe)?;
        return finish(path, create, true);
    }
    let demo = create == Create::Demo;
    crate::identity::check_overrides(demo).map_err(StoreError::Override)?;
    files::check(path, demo).map_err(StoreError::Unsafe)?;
    create_file(path)?;
    files::adopt_dir_group(path);
    finish(path, create, false).inspect_err(|_| remove_created(path))
}

/// Opens the file now known to exist, checks it and brings its schema up to
/// date (`existed`: it was there before this call).
fn finish(path: &Path, create: Create, existed: bool) -> Result<Store> {
    check_header(path)?;
    let read_only = !writable(path);
    let mut store = Store {
        conn: connect(path, read_only)?,
        path: path.to_path_buf(),
        read_only,
        sealing: false,
        memo: Default::default(),
    };
    if existed {
        let demo = match peek_demo(&store.conn) {
            Ok(demo) => demo,
            // A sidecar in the wrong group fails the first read ("unable to
            // open database file"): say what is wrong and how to fix it.
            Err(e) => match files::problems(path, false).into_iter().next() {
                Some(p) => return Err(StoreError::Unsafe(p)),
                None => return Err(e),
            },
        };
        if !demo {
            files::check(path, false).map_err(StoreError::Unsafe)?;
        }
        crate::identity::check_overrides(demo).map_err(StoreError::Override)?;
    }
    migrate::prepare(&mut store, create, migrate::MIGRATIONS)?;
    if !store.read_only {
        store.conn.pragma_update(None, "journal_mode", "wal")?;
        store.conn.pragma_update(None, "synchronous", "full")?;
    }
    Ok(store)
}

/// A connection to `path` set up as every dutydesk connection is: the busy
/// timeout, foreign keys, temporary data in memory when privileged, and the
/// functions the queries use.
fn connect(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if crate::identity::is_privileged() {
        // Sorts and temporary tables stay in memory: SQLite's temporary files
        // would belong to the user, who could read them before they vanish.
        conn.pragma_update(None, "temp_store", "memory")?;
    }
    // rarray(): a list of ids bound as one parameter (review counts).
    rusqlite::vtab::array::load_module(&conn)?;
    // A dashboard load, a review count and an alert check each run a dozen
    // or more distinct statements (the need-to-know clause makes each long
    // to parse): rusqlite's default cache of 16 was evicting them between
    // uses, re-preparing every statement of every check.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // dutydesk_name_key(): a name folded as domain::names folds it, for the
    // schema 8 step that fills escalations.subject_key.
    search::register_functions(&conn)?;
    Ok(conn)
}

/// How many prepared statements a connection keeps for reuse.
const STATEMENT_CACHE: usize = 256;

/// Whether an existing file is marked as a demo, reading nothing else; false
/// for a file with no settings table yet (empty, foreign or not yet set up).
fn peek_demo(conn: &Connection) -> Result<bool> {
    let has_settings: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
        [],
        |r| r.get(0),
    )?;
    Ok(has_settings && settings::get_in(conn, settings::DEMO)?.as_deref() == Some("1"))
}

/// Removes a database file this process has just created, and the sidecars
/// SQLite made beside it, after a failure (best effort: nothing else can
/// have opened it yet).
pub(crate) fn remove_created(path: &Path) {
    for suffix in ["", files::SIDECARS[0], files::SIDECARS[1]] {
        let _ = std::fs::remove_file(files::sidecar(path, suffix));
    }
}

/// Creates an empty file readable and writable by owner and group only (0660),
/// whatever the umask, so that the group of DSLs can share it and nobody else.
fn create_file(path: &Path) -> Result<()> {
    let err = |source| StoreError::Create {
        path: path.to_path_buf(),
        source,
    };
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .open(path)
        .map_err(err)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o660))
        .map_err(err)?;
    Ok(())
}

/// Refuses a non-empty file that does not start with SQLite's magic header.
fn check_header(path: &Path) -> Result<()> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]).map_err(io)? {
            0 => break,
            k => n += k,
        }
    }
    if n == 0 || (n == 16 && &head == SQLITE_MAGIC) {
        Ok(())
    } else {
        Err(StoreError::NotADatabase(path.to_path_buf()))
    }
}

/// Writable by this process, and meant to be: a file with no write bit at all
/// is treated as read-only even for root, who could write it regardless.
/// Checked with the effective ids (`AT_EACCESS`), the ones `open` will use:
/// under a setgid binary the user's own (real) ids cannot write the shared
/// file, but the binary's group can.
fn writable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.permissions().mode() & 0o222 == 0 {
        return false;
    }
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this session cannot change anything (shown as a banner).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// A second connection to the same database, for the store worker's
    /// side lane (issue 21): the dashboard's side reads and the alert check
    /// run on it, so a key's request never waits behind them. The file was
    /// checked and its schema brought up to date when `self` was opened, so
    /// neither is done again; it is read-only when `self` is. The side lane
    /// only reads through it (its alert claims are written by the user
    /// lane), so its commits never look like another session's.
    pub fn sibling(&self) -> Result<Store> {
        let conn = connect(&self.path, self.read_only)?;
        if !self.read_only {
            conn.pragma_update(None, "synchronous", "full")?;
        }
        Ok(Store {
            conn,
            path: self.path.clone(),
            read_only: self.read_only,
            sealing: false,
            memo: Default::default(),
        })
    }

    /// Runs `f` without waiting for another session's lock: a locked
    /// database fails at once ([`StoreError::Locked`]) instead of after
    /// [`BUSY_TIMEOUT`]. Only for the desk's own bookkeeping that can wait
    /// for its next try (the alert check's claims, made on the user lane
    /// for the side lane: issue 21), never for a user's change.
    pub(crate) fn at_once<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.busy_timeout(Duration::ZERO)?;
        let out = f(self);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        out
    }

    /// Read access for queries in this module's children.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection itself, for `dutydesk bench` to trace the SQL of the
    /// first frame (its floor runs exactly that SQL on a bare connection).
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// SQLite's counter of commits by *other* connections; polled to notice
    /// another session's change without re-querying everything.
    pub fn data_version(&self) -> Result<i64> {
        // Four times a second for as long as a screen is open: prepared once
        // (parsing the pragma each time was most of an idle session's cost).
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }

    /// Runs `f` in one IMMEDIATE transaction on behalf of `actor` at `now`.
    ///
    /// `f` must record at least one audit row through [`Write::audit`]; a write
    /// without one is rolled back, so no change can go unattributed. The rows
    /// are appended at commit, in the order recorded, and the last carries the
    /// digest of every chronology and referral row the write added and every
    /// referral outcome it recorded ([`tamper::covers_since`]), so those are
    /// bound into the hash chain in the same transaction.
    pub fn write<T>(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        if !self.sealing {
            tamper::prepare(&self.conn)?;
            self.sealing = true;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let marks = tamper::marks(&tx)?;
        let mut w = Write {
            tx,
            actor: actor.to_string(),
            now,
            pending: Vec::new(),
            marks,
            planning: std::cell::OnceCell::new(),
        };
        let out = f(&mut w)?;
        if w.pending.is_empty() {
            return Err(StoreError::Refused(
                "internal error: a change without an audit row was rolled back".into(),
            ));
        }
        let covers = tamper::covers_since(&w.tx, w.marks, true)?;
        let last = w.pending.len() - 1;
        for (i, p) in w.pending.iter().enumerate() {
            audit::append(
                &w.tx,
                &audit::Entry {
                    at: w.now.timestamp(),
                    actor: &w.actor,
                    action: &p.action,
                    entity: &p.entity,
                    entity_id: p.entity_id.as_deref(),
                    detail: p.detail.as_deref(),
                    covers: if i == last { covers.as_deref() } else { None },
                },
            )?;
        }
        w.tx.commit()?;
        Ok(out)
    }

    /// Runs `f` exactly as [`Store::write`] would (the same transaction, the
    /// same checks, its reads seeing its own changes), then rolls everything
    /// back: a dry run that can never disagree with the real thing, because
    /// it is the real thing undone (`contacts import --dry-run`). Nothing is
    /// written, the audit trail included; a refusal is returned as `write`
    /// would return it.
    pub fn rehearse<T>(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let marks = tamper::marks(&tx)?;
        let mut w = Write {
            tx,
            actor: actor.to_string(),
            now,
            pending: Vec::new(),
            marks,
            planning: std::cell::OnceCell::new(),
        };
        let out = f(&mut w);
        w.tx.rollback()?;
        out
    }
}

impl Store {
    /// A demo database (fictional data; setting `demo` = 1).
    pub fn is_demo(&self) -> bool {
        settings::get_in(&self.conn, settings::DEMO)
            .ok()
            .flatten()
            .as_deref()
            == Some("1")
    }

    /// Runs `f` in one IMMEDIATE transaction that records no audit row: only
    /// for the desk's own bookkeeping (which alerts a user has had), never for
    /// a change to a record.
    pub(crate) fn bookkeeping<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// A write in progress: the transaction, who is writing, and when.
pub struct Write<'c> {
    tx: Transaction<'c>,
    actor: String,
    now: DateTime<Utc>,
    /// Audit rows recorded, appended at commit.
    pending: Vec<Pending>,
    /// Where the chronology and referrals ended when the write began.
    marks: tamper::Marks,
    planning: std::cell::OnceCell<deadlines::Planning>,
}

/// An audit row recorded in a write, before it is chained at commit.
struct Pending {
    action: String,
    entity: String,
    entity_id: Option<String>,
    detail: Option<String>,
}

impl Write<'_> {
    /// Deadline rules, counting and calendar, read on first use in this write.
    pub(crate) fn planning(&self) -> Result<&deadlines::Planning> {
        if let Some(p) = self.planning.get() {
            return Ok(p);
        }
        let p = deadlines::Planning::load(&self.tx)?;
        Ok(self.planning.get_or_init(|| p))
    }

    pub fn tx(&self) -> &Transaction<'_> {
        &self.tx
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records an audit row for this write: what happened and to which record,
    /// never the record's words (names, notes, reasons stay in their tables).
    /// Rows are chained at commit, in the order recorded (see [`Store::write`]);
    /// recording one is what lets the write commit at all.
    pub fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        self.pending.push(Pending {
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            detail: detail.map(str::to_string),
        });
        Ok(())
    }
}

/// Ids bound as one parameter and read in SQL as `rarray(:name)` (the
/// `array` module loaded on every connection).
pub(crate) type IdArray = std::rc::Rc<Vec<rusqlite::types::Value>>;

/// `ids` as an [`IdArray`].
pub(crate) fn id_array(ids: &[i64]) -> IdArray {
    std::rc::Rc::new(
        ids.iter()
            .map(|i| rusqlite::types::Value::Integer(*i))
            .collect(),
    )
}

/// Seconds since the epoch from a column, as a UTC instant.
pub(crate) fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Seconds since the epoch as an instant, for the commands.
pub fn instant_pub(secs: i64) -> DateTime<Utc> {
    instant(secs)
}

/// For `dutydesk bench` (issue 18): what to search for and whose chronology
/// to read on the database measured.
pub fn bench_probe(conn: &Connection) -> Result<(String, String)> {
    search::bench_probe(conn)
}

/// For `dutydesk bench` (issue 21): an open case with an open deadline, the
/// case an incremental alert check is measured on.
pub fn bench_open_case(conn: &Connection) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT d.escalation_id FROM deadlines d INDEXED BY deadlines_open_by_due
             JOIN escalations e ON e.id = d.escalation_id
             WHERE d.met_at IS NULL AND d.waived_at IS NULL AND e.status <> 'closed'
             ORDER BY d.due_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// For `dutydesk bench` (issue 21): the moment (UTC seconds) the first open
/// deadline after `after` falls due, on an open case.
pub fn bench_next_due(conn: &Connection, after: i64) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT d.due_at FROM deadlines d INDEXED BY deadlines_open_by_due
             JOIN escalations e ON e.id = d.escalation_id
             WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.due_at > ?1
               AND e.status <> 'closed'
             ORDER BY d.due_at LIMIT 1",
            [after],
            |r| r.get(0),
        )
        .optional()?)
}

/// For `dutydesk bench` (issue 21): a change to case `id` that alters
/// nothing (its holder set to itself, audited as the bench's), as another
/// session's change reaches the alert check. Returns the alert change
/// counter read before it, as a check that ran just before would hold it.
pub fn bench_touch(store: &mut Store, actor: &str, now: DateTime<Utc>, id: i64) -> Result<i64> {
    let before = alerts::changes(store.conn())?;
    store.write(actor, now, |w| {
        w.tx().execute(
            "UPDATE escalations SET assignee_id = assignee_id WHERE id = ?1",
            [id],
        )?;
        w.audit(
            "bench",
            "database",
            None,
            Some("alert check: one case touched"),
        )
    })?;
    Ok(before)
}

/// For `dutydesk bench`: a case with linked cases, and how many.
pub fn bench_linked(conn: &Connection) -> Result<Option<(i64, i64)>> {
    search::bench_linked(conn)
}
