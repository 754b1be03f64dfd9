//! Drafts: what was typed in a form or prompt and not yet saved, kept so
//! that Ctrl-C, a resize, a dropped SSH link or a crash never loses it.
//!
//! **Where.** Drafts hold record words (a note, exact words), so they are
//! kept where nobody else can read them: a file of the user's own, mode
//! 0600 in a 0700 directory under their home
//! (`$XDG_STATE_HOME/dutydesk/drafts/`, else `~/.local/state/dutydesk/drafts/`),
//! written with the user's own credentials even when dutydesk runs setgid
//! (`store::files::as_user`), never through a symlink. Not in the shared
//! database: every senior lead's backup would carry them, and a row other
//! sessions' queries could reach is one policy mistake from a leak. Core
//! dumps are off for the whole process (`process.rs`).
//!
//! **When.** The screen rewrites its file within a second of a change
//! (checked on the clock's tick), and at once on quit, Ctrl-C, a signal and
//! a hang-up, so a SIGKILL loses at most the last second's typing. A draft
//! goes when its form or prompt is saved or discarded.
//!
//! **Which.** One file per running session (`<key>-<pid>.json`), so two
//! sessions of one user do not overwrite each other. The key is a hash of
//! the staff account the session acts as and the database file's identity
//! (device and inode, so a second path or a symlink to the same file is the
//! same database, and a file put in its place is not). One OS account can
//! act as several staff accounts on a demo database (`DUTYDESK_USER`): each
//! is offered only its own drafts, and the file also names its account,
//! checked when read. At start a session adopts the files of its account and
//! database whose process is gone, offers their drafts, and removes them.
//! Files written before drafts were keyed by account (the database's path
//! alone) are adopted only by a session acting as the OS account itself.

use super::form::Kept;
use super::layer::Target;
use super::layers::prompt::PromptKind;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a draft was being typed into.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DraftOf {
    Prompt(PromptKind),
    Intake,
    Close(Target),
    Refer(Target),
    /// A contact's form: None for a new contact.
    Contact(Option<i64>),
    Access(Target),
    /// Holding a review meeting (the series' code and name).
    Hold {
        series: String,
        name: String,
    },
    /// The decision on a held review item (its id and what it is about).
    Decision {
        item: i64,
        label: String,
    },
    /// A referral's outcome, a 999 call, an FGM report, an event: each
    /// restored over the record it was typed on.
    Outcome(Target),
    Called999(Target),
    FgmReport(Target),
    Event(Target),
    /// A workbench form (issue 18): a correction, a task, an export...
    Work(Box<super::layers::workform::WorkKind>),
}

/// One unsaved form or prompt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub of: DraftOf,
    /// When it was kept (UTC seconds).
    pub at: i64,
    /// The values typed, by field key (a prompt's text is "text").
    pub values: Vec<(String, Kept)>,
}

impl Draft {
    /// One line for the offer: what it is and on which case, how much, when.
    /// No words of the draft itself.
    pub fn label(&self) -> String {
        let what = match &self.of {
            DraftOf::Prompt(p) => p.describe(),
            DraftOf::Intake => "New escalation (intake form)".into(),
            DraftOf::Close(t) => format!("Closing {}", t.reference),
            DraftOf::Refer(t) => format!("Referral of {}", t.reference),
            DraftOf::Contact(Some(_)) => "A contact's changes".into(),
            DraftOf::Contact(None) => "A new contact".into(),
            DraftOf::Access(t) => format!("Who may see {}", t.reference),
            DraftOf::Hold { name, .. } => format!("Holding the {name} meeting"),
            DraftOf::Decision { label, .. } => format!("Decision on {label}"),
            DraftOf::Outcome(t) => format!("Outcome of a referral of {}", t.reference),
            DraftOf::Called999(t) => format!("999 call on {}", t.reference),
            DraftOf::FgmReport(t) => format!("FGM report on {}", t.reference),
            DraftOf::Event(t) => format!("Event on {}", t.reference),
            DraftOf::Work(k) => k.describe(),
        };
        let words: usize = self
            .values
            .iter()
            .map(|(_, v)| match v {
                Kept::Text(s) => s.split_whitespace().count(),
                _ => 0,
            })
            .sum();
        let when = chrono::DateTime::from_timestamp(self.at, 0)
            .map(crate::domain::calendar::format_stamp)
            .unwrap_or_default();
        format!("{what} · {words} word(s) typed · kept {when}")
    }

    /// The text of a prompt's draft.
    pub fn text(&self) -> &str {
        self.values
            .iter()
            .find_map(|(k, v)| match v {
                Kept::Text(s) if k == "text" => Some(s.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }
}

/// The directory drafts live in, if the user has a home.
pub fn dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("dutydesk").join("drafts"));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(
        PathBuf::from(home)
            .join(".local")
            .join("state")
            .join("dutydesk")
            .join("drafts"),
    )
}

/// What a draft file holds: whose drafts they are, and the drafts.
#[derive(serde::Serialize, serde::Deserialize)]
struct DraftFileBody {
    /// The staff account (username) the session acted as.
    account: String,
    drafts: Vec<Draft>,
}

/// This session's draft file and where its account's other files for the
/// same database are.
#[derive(Debug, Clone)]
pub struct DraftFile {
    dir: PathBuf,
    /// Hash of the account and the database's identity.
    key: String,
    /// The staff account the session acts as.
    account: String,
    /// The key files had before drafts were keyed by account (the database
    /// path's hash), when this session may adopt them: only acting as the
    /// OS account itself, whose files they were.
    legacy: Option<String>,
    pid: u32,
}

impl DraftFile {
    /// For the staff account `account` on the database at `db`, in `dir`.
    /// `as_os_account`: the session acts as the OS account itself (no
    /// `DUTYDESK_USER`), so files from before drafts were keyed by account
    /// are its own.
    pub fn new(dir: PathBuf, db: &Path, account: &str, as_os_account: bool) -> DraftFile {
        use sha2::Digest;
        use std::os::unix::fs::MetadataExt;
        let resolved = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        let identity = match std::fs::metadata(&resolved) {
            Ok(m) => format!("{}:{}", m.dev(), m.ino()),
            Err(_) => resolved.to_string_lossy().into_owned(),
        };
        let hex = |h: &[u8]| {
            h[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let mut h = sha2::Sha256::new();
        for part in ["drafts v2", account, &identity] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let key = hex(&h.finalize());
        let legacy = as_os_account.then(|| {
            hex(&sha2::Sha256::digest(
                resolved.as_os_str().as_encoded_bytes(),
            ))
        });
        DraftFile {
            dir,
            key,
            account: account.to_string(),
            legacy,
            pid: std::process::id(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(format!("{}-{}.json", self.key, self.pid))
    }

    /// Takes over the drafts this account left on this database in sessions
    /// that have ended (their process is gone): reads and removes their
    /// files. Another account's files are never read, whatever they are
    /// called.
    pub fn adopt(&self) -> Vec<Draft> {
        let mut out = Vec::new();
        let _ = crate::store::files::as_user(|| {
            if check_private_dir(&self.dir).is_err() {
                return Ok(());
            }
            let Ok(entries) = std::fs::read_dir(&self.dir) else {
                return Ok(());
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                let pid_of = |key: &str| {
                    name.strip_prefix(&format!("{key}-"))
                        .and_then(|r| r.strip_suffix(".json"))
                        .and_then(|p| p.parse::<i32>().ok())
                };
                let (pid, legacy) =
                    match (pid_of(&self.key), self.legacy.as_deref().and_then(pid_of)) {
                        (Some(pid), _) => (pid, false),
                        (None, Some(pid)) => (pid, true),
                        _ => continue,
                    };
                if pid as u32 != self.pid && alive(pid) {
                    continue;
                }
                let Ok(bytes) = read_private(&e.path()) else {
                    continue;
                };
                if legacy {
                    if let Ok(list) = serde_json::from_slice::<Vec<Draft>>(&bytes) {
                        out.extend(list);
                    }
                } else {
                    match serde_json::from_slice::<DraftFileBody>(&bytes) {
                        Ok(k) if k.account == self.account => out.extend(k.drafts),
                        // Someone else's (it cannot be, by its name): left alone.
                        Ok(_) => continue,
                        Err(_) => {}
                    }
                }
                let _ = std::fs::remove_file(e.path());
            }
            Ok(())
        });
        out.sort_by_key(|d| d.at);
        out
    }

    /// Writes this session's drafts (removes the file when there are none):
    /// a new 0600 file beside it, then renamed over it.
    pub fn save(&self, drafts: &[Draft]) -> std::io::Result<()> {
        crate::store::files::as_user(|| {
            let path = self.path();
            if drafts.is_empty() {
                return match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                };
            }
            make_private_dir(&self.dir)?;
            let tmp = self.dir.join(format!(".{}-{}.tmp", self.key, self.pid));
            let _ = std::fs::remove_file(&tmp);
            let mut f = {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&tmp)?
            };
            let kept = DraftFileBody {
                account: self.account.clone(),
                drafts: drafts.to_vec(),
            };
            f.write_all(&serde_json::to_vec(&kept).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })
    }
}

/// The directory, made 0700 if missing and put back to 0700 if anyone else
/// could enter it; refused (nothing is written) when it is a link, not a
/// directory, or not the user's own.
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    match check_private_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // Ours, but open to others: close it (not through a link, which
            // `check_private_dir` has already refused).
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            check_private_dir(dir)
        }
        other => other,
    }
}

/// Whether `dir` is a real directory (not a link) of the real user's, open
/// to no one else: `PermissionDenied` when only its mode is wrong, another
/// error when it must not be used at all.
fn check_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.file_type().is_dir() {
        return Err(std::io::Error::other(
            "the drafts directory is not a directory (a link?)",
        ));
    }
    if meta.uid() != real_uid() {
        return Err(std::io::Error::other(
            "the drafts directory belongs to another account",
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
    }
    Ok(())
}

/// Reads a draft file that is a plain file of the user's own, open to no
/// one else, never through a link.
fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() || meta.uid() != real_uid() || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(
            "not a private draft file of this account",
        ));
    }
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

/// The real user id (not the setgid binary's): drafts are theirs.
fn real_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Whether a process is still running.
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 sends nothing; it only checks the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_private_adopted_once_and_removed_when_empty() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("drafts");
        let db = home.path().join("desk.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::write(home.path().join("other.db"), b"").unwrap();
        let mine = DraftFile::new(dir.clone(), &db, "alice", true);
        let d = Draft {
            of: DraftOf::Intake,
            at: 0,
            values: vec![("name".into(), Kept::Text("Kai".into()))],
        };
        mine.save(std::slice::from_ref(&d)).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&mine.path()), 0o600);
        // A session that ended (a pid that cannot be running) left one too.
        let gone = DraftFile {
            pid: 0x7fff_fff0,
            ..mine.clone()
        };
        gone.save(std::slice::from_ref(&d)).unwrap();
        let other_db = DraftFile::new(dir.clone(), &home.path().join("other.db"), "alice", true);
        other_db.save(std::slice::from_ref(&d)).unwrap();
        let adopted = mine.adopt();
        assert_eq!(
            adopted.len(),
            2,
            "ours and the ended session's, not another database's"
        );
        assert!(!gone.path().exists() && other_db.path().exists());
        mine.save(&[]).unwrap();
        assert!(!mine.path().exists());
    }

    /// Two staff accounts on one OS account (a demo's `DUTYDESK_USER`):
    /// each is offered only its own drafts, whatever the files are called;
    /// the same database by another path is the same database.
    #[test]
    fn drafts_are_kept_per_staff_account_and_database_file() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("drafts");
        let db = home.path().join("desk.db");
        std::fs::write(&db, b"").unwrap();
        let link = home.path().join("same.db");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let d = |text: &str| Draft {
            of: DraftOf::Intake,
            at: 1,
            values: vec![("name".into(), Kept::Text(text.into()))],
        };
        let ended = |f: DraftFile| DraftFile {
            pid: 0x7fff_fff0,
            ..f
        };
        let alice = ended(DraftFile::new(dir.clone(), &db, "alice", false));
        alice.save(&[d("alice's")]).unwrap();
        let bob = DraftFile::new(dir.clone(), &db, "bob", false);
        assert!(bob.adopt().is_empty(), "bob is offered nothing of alice's");
        assert!(alice.path().exists(), "and it is left for her");
        // A file of alice's renamed to bob's key is still not his.
        let bob_ended = ended(DraftFile::new(dir.clone(), &db, "bob", false));
        std::fs::copy(alice.path(), bob_ended.path()).unwrap();
        assert!(bob.adopt().is_empty());
        std::fs::remove_file(bob_ended.path()).unwrap();
        // Alice by another path to the same file gets hers back.
        let alice_again = DraftFile::new(dir.clone(), &link, "alice", false);
        let back = alice_again.adopt();
        assert_eq!(back, vec![d("alice's")]);
        // A file from before drafts were keyed by account: only the OS
        // account itself adopts it.
        let legacy = dir.join(format!(
            "{}-{}.json",
            DraftFile::new(dir.clone(), &db, "x", true).legacy.unwrap(),
            0x7fff_fff1
        ));
        let write_legacy = || {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&legacy)
                .unwrap();
            f.write_all(&serde_json::to_vec(&vec![d("old")]).unwrap())
                .unwrap();
        };
        write_legacy();
        assert!(
            DraftFile::new(dir.clone(), &db, "bob", false)
                .adopt()
                .is_empty()
        );
        assert_eq!(
            DraftFile::new(dir.clone(), &db, "alice", true).adopt(),
            vec![d("old")]
        );
    }

    /// Nobody else can read a draft: the directory is put back to 0700, a
    /// file others could read is not trusted, a link is not followed.
    #[test]
    fn drafts_are_readable_by_their_user_alone() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("drafts");
        let db = home.path().join("desk.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let d = Draft {
            of: DraftOf::Intake,
            at: 1,
            values: vec![("name".into(), Kept::Text("Kai".into()))],
        };
        let f = DraftFile {
            pid: 0x7fff_fff0,
            ..DraftFile::new(dir.clone(), &db, "alice", false)
        };
        f.save(std::slice::from_ref(&d)).unwrap();
        let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "the directory is closed again");
        assert_eq!(mode(&f.path()), 0o600);
        // Opened to the group by someone: not read, not offered.
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
        let me = DraftFile::new(dir.clone(), &db, "alice", false);
        assert!(me.adopt().is_empty());
        // A drafts directory that is a link is not used.
        let elsewhere = home.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let linked = home.path().join("linked");
        std::os::unix::fs::symlink(&elsewhere, &linked).unwrap();
        let through = DraftFile::new(linked.clone(), &db, "alice", false);
        assert!(through.save(std::slice::from_ref(&d)).is_err());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    }
}
