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
//! **Which.** One file per running session (`<database key>-<pid>.json`,
//! the key a hash of the database's path), so two sessions of one user do
//! not overwrite each other. At start a session adopts the files of its
//! database whose process is gone, offers their drafts, and removes them.

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

/// This session's draft file and where its database's other files are.
#[derive(Debug, Clone)]
pub struct DraftFile {
    dir: PathBuf,
    key: String,
    pid: u32,
}

impl DraftFile {
    /// For the database at `db` (its resolved path names it), in `dir`.
    pub fn new(dir: PathBuf, db: &Path) -> DraftFile {
        use sha2::Digest;
        let resolved = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        let hash = sha2::Sha256::digest(resolved.as_os_str().as_encoded_bytes());
        let key = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        DraftFile {
            dir,
            key,
            pid: std::process::id(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(format!("{}-{}.json", self.key, self.pid))
    }

    /// Takes over the drafts of sessions on this database that have ended
    /// (their process is gone): reads and removes their files.
    pub fn adopt(&self) -> Vec<Draft> {
        let mut out = Vec::new();
        let _ = crate::store::files::as_user(|| {
            let Ok(entries) = std::fs::read_dir(&self.dir) else {
                return Ok(());
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                let Some(pid) = name
                    .strip_prefix(&format!("{}-", self.key))
                    .and_then(|r| r.strip_suffix(".json"))
                    .and_then(|p| p.parse::<i32>().ok())
                else {
                    continue;
                };
                if pid as u32 != self.pid && alive(pid) {
                    continue;
                }
                if let Ok(bytes) = read_private(&e.path())
                    && let Ok(list) = serde_json::from_slice::<Vec<Draft>>(&bytes)
                {
                    out.extend(list);
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
            f.write_all(&serde_json::to_vec(drafts).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })
    }
}

/// The directory, made 0700 if missing; refused if anyone else may enter it.
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() || meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Reads a draft file that is a plain file of ours, never through a link.
fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
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
        let mine = DraftFile::new(dir.clone(), &db);
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
        let other_db = DraftFile::new(dir.clone(), &home.path().join("other.db"));
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
}
