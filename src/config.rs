//! The user's own settings file: how deadline alerts reach them. Everything
//! shared by the desk (deadlines, staff, the rota) lives in the database; this
//! file only holds choices that depend on the user's terminal and desktop.
//!
//! It is found at `$DUTYDESK_CONFIG`, else `$XDG_CONFIG_HOME/dutydesk/config.toml`,
//! else `~/.config/dutydesk/config.toml`. A missing file means the defaults shown:
//!
//! ```toml
//! [notify]
//! bell = true          # ring the terminal bell
//! terminal = "osc9"    # "off", "osc9" or "osc777": a notification through the terminal, also over SSH
//! desktop = true       # a desktop notification when a D-Bus session is present
//!
//! [lock]
//! idle_minutes = 5     # blank the screen after this long without a key (0: never)
//!
//! [theme]
//! name = "dark"        # "dark", "light" or "mono" (NO_COLOR always means mono)
//!
//! [mouse]
//! enabled = true       # wheel scrolls, a click selects a row (Shift-drag still selects text)
//!
//! [terminal]
//! escape_ms = 100      # how long a lone Esc waits for the rest of a key's code (10 to 1000)
//!
//! [keys.dashboard]     # rebind: existing key = new key, per screen
//! "A" = "t"            # take escalations with t instead of A
//! ```
//!
//! (`terminal` defaults to `"off"`: not every terminal understands the sequences.)
//! Unknown keys are errors rather than ignored, so a misspelt setting is noticed.

use crate::notify::{Channels, TerminalStyle};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The whole settings file.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub notify: NotifyConfig,
    pub lock: LockConfig,
    pub theme: ThemeConfig,
    pub mouse: MouseConfig,
    pub terminal: TerminalConfig,
    /// Per mode ("dashboard", "deadlines", "detail", "contacts", "reports",
    /// "reviews", "handover", "help"): existing key label → new key label, with where it
    /// was written so a problem can name the line.
    pub keys: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, toml::Spanned<String>>,
    >,
    /// The file read and where its lines start, for messages.
    #[serde(skip)]
    source: Source,
}

/// Where settings were read from. Two settings are equal whatever file they
/// came from, so this never makes them differ.
#[derive(Debug, Clone, Default)]
struct Source(Option<(PathBuf, Vec<usize>)>);

impl PartialEq for Source {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One `[keys.MODE]` entry, located for messages ("config.toml line 12").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebinding {
    pub mode: String,
    pub from: String,
    pub to: String,
    pub at: String,
}

/// `[mouse]`: wheel scrolling and clicking rows. Off for those who select
/// text with the mouse in a terminal without Shift-drag.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MouseConfig {
    pub enabled: bool,
}

impl Default for MouseConfig {
    fn default() -> Self {
        MouseConfig { enabled: true }
    }
}

/// `[terminal]`: how keys are read.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TerminalConfig {
    /// Milliseconds a lone Esc waits for the rest of a key's escape
    /// sequence before it counts as Esc (terminals' "escape-time"). Over a
    /// slow SSH link the rest can come tens of milliseconds later; too short
    /// and its letters would run as keys. One of [`ESCAPE_MS`].
    #[serde(deserialize_with = "escape_ms")]
    pub escape_ms: u32,
}

/// The escape times `[terminal] escape_ms` takes, in milliseconds.
pub const ESCAPE_MS: std::ops::RangeInclusive<u32> = 10..=1000;

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig { escape_ms: 100 }
    }
}

fn escape_ms<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = <u32 as serde::Deserialize>::deserialize(d)?;
    if ESCAPE_MS.contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "escape_ms {n} is out of range: from {} to {} milliseconds (100 is usual)",
            ESCAPE_MS.start(),
            ESCAPE_MS.end()
        )))
    }
}

/// `[theme]`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    /// One of [`THEMES`]; anything else stops dutydesk with the file, line
    /// and the valid names (a misspelt theme used to fall back to dark).
    #[serde(deserialize_with = "theme_name")]
    pub name: String,
}

/// The theme names `[theme] name` takes.
pub const THEMES: &[&str] = &["dark", "light", "mono"];

fn theme_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(d)?;
    if THEMES.contains(&name.as_str()) {
        Ok(name)
    } else {
        Err(serde::de::Error::custom(format!(
            "unknown theme {name:?}, expected one of {}",
            THEMES.join(", ")
        )))
    }
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig {
            name: "dark".into(),
        }
    }
}

/// `[lock]`: the idle lock that hides the screen of an unattended terminal.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockConfig {
    /// Minutes without a key before the screen locks; 0 never. One of
    /// [`IDLE_MINUTES`]: a longer wait leaves records on an unattended
    /// screen, so it is refused rather than taken.
    #[serde(deserialize_with = "idle_minutes")]
    pub idle_minutes: u32,
}

/// The idle times `[lock] idle_minutes` takes (0: never lock).
pub const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 0..=480;

fn idle_minutes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = <u32 as serde::Deserialize>::deserialize(d)?;
    if IDLE_MINUTES.contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "idle_minutes {n} is out of range: from {} (never lock) to {} minutes",
            IDLE_MINUTES.start(),
            IDLE_MINUTES.end()
        )))
    }
}

impl Default for LockConfig {
    fn default() -> Self {
        LockConfig { idle_minutes: 5 }
    }
}

/// `[notify]`: which channels a deadline alert goes out on.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    pub bell: bool,
    pub terminal: TerminalStyle,
    pub desktop: bool,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            bell: true,
            terminal: TerminalStyle::Off,
            desktop: true,
        }
    }
}

/// Why the settings file could not be used; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings file {} is not valid: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    /// Under setgid the process can read files its user cannot; reading only
    /// the user's own file keeps a crafted path from leaking another one
    /// through a parse error.
    #[error("the settings file {} does not belong to you, and dutydesk running setgid reads only your own: make it yours, or point DUTYDESK_CONFIG at your own file", path.display())]
    NotYours { path: PathBuf },
    /// Under setgid the system file is the administrator's alone: no variable
    /// may point dutydesk at another file (issue 14, point 4).
    #[error(
        "DUTYDESK_SYSTEM_CONFIG is refused when dutydesk runs setgid or setuid: unset it (`unset DUTYDESK_SYSTEM_CONFIG`); the system file is {SYSTEM_FILE}"
    )]
    SystemFileChosen,
    /// A system file that does not parse, said without a word of its text:
    /// under setgid the binary reads a file its user may not be allowed to.
    #[error("the system file {} is not valid at line {line}: ask the administrator to fix it", path.display())]
    SystemParse { path: PathBuf, line: usize },
    /// A value that parses but cannot be used (e.g. `[notify] smtp` without a
    /// port): the file, the line and what to write instead.
    #[error("{} line {line}: {message}", path.display())]
    Value {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl Config {
    /// Where the file is: $DUTYDESK_CONFIG, else $XDG_CONFIG_HOME/dutydesk/config.toml, else $HOME/.config/dutydesk/config.toml. `env` injected for tests.
    ///
    /// Empty variables count as unset, and a relative `XDG_CONFIG_HOME` is
    /// ignored, as the XDG specification says. `None` when there is no home.
    pub fn path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let var = |k: &str| env(k).filter(|v| !v.is_empty());
        if let Some(p) = var("DUTYDESK_CONFIG") {
            return Some(PathBuf::from(p));
        }
        if let Some(dir) = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|d| d.is_absolute())
        {
            return Some(dir.join("dutydesk").join("config.toml"));
        }
        var("HOME").map(|h| {
            Path::new(&h)
                .join(".config")
                .join("dutydesk")
                .join("config.toml")
        })
    }

    /// Defaults when the file is missing; a clear error naming the file and the problem (toml's message includes line/column) when it is unreadable or wrong.
    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        let read_err = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        // As the user, not the binary's group: a parse error quotes the file.
        let mut file = match crate::store::files::open_as_user(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(read_err(e)),
        };
        if crate::identity::is_privileged() && !owned_by_real_user(&file) {
            return Err(ConfigError::NotYours {
                path: path.to_owned(),
            });
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(read_err)?;
        let mut c: Config = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })?;
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        c.source = Source(Some((path.to_owned(), starts)));
        Ok(c)
    }

    /// Every key rebinding, each with the file and line it was written on.
    pub fn rebindings(&self) -> Vec<Rebinding> {
        // "config.toml line 12" for a byte offset into the file.
        let at = |offset: Option<usize>| match (&self.source.0, offset) {
            (Some((path, starts)), Some(o)) => {
                format!(
                    "{} line {}",
                    path.display(),
                    starts.partition_point(|s| *s <= o)
                )
            }
            (Some((path, _)), None) => path.display().to_string(),
            (None, _) => "settings".to_string(),
        };
        let mut out = Vec::new();
        for (mode, map) in &self.keys {
            for (from, to) in map {
                out.push(Rebinding {
                    mode: mode.clone(),
                    from: from.clone(),
                    to: to.get_ref().clone(),
                    at: at(Some(to.span().start)),
                });
            }
            // An empty table still names a screen, which may not exist.
            if map.is_empty() {
                out.push(Rebinding {
                    mode: mode.clone(),
                    from: String::new(),
                    to: String::new(),
                    at: at(None),
                });
            }
        }
        out
    }

    /// The settings from the usual place (see [`Config::path`]); defaults when
    /// there is no home directory to look in.
    pub fn load() -> Result<Config, ConfigError> {
        match Config::path(&|k| std::env::var(k).ok()) {
            Some(p) => Config::load_from(&p),
            None => Ok(Config::default()),
        }
    }

    /// The notification channels these settings ask for.
    pub fn channels(&self) -> Channels {
        Channels {
            bell: self.notify.bell,
            terminal: self.notify.terminal,
            desktop: self.notify.desktop,
        }
    }
}

/// Whether the real user (not the binary's group) may read `path`: `access`
/// checks with the real ids.
fn readable_by_real_user(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::R_OK) == 0 }
}

/// Whether the opened file (after any symlinks) belongs to the real user.
fn owned_by_real_user(file: &std::fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    file.metadata().is_ok_and(|m| m.uid() == uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load_from(&dir.path().join("nope.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(
            c.channels(),
            Channels {
                bell: true,
                terminal: TerminalStyle::Off,
                desktop: true
            }
        );
    }

    #[test]
    fn empty_or_partial_file_keeps_defaults() {
        let (_d, p) = write("");
        assert_eq!(Config::load_from(&p).unwrap(), Config::default());
        let (_d, p) = write("[notify]\nbell = false\n");
        let c = Config::load_from(&p).unwrap();
        assert!(!c.notify.bell);
        assert!(c.notify.desktop);
        assert_eq!(c.notify.terminal, TerminalStyle::Off);
    }

    #[test]
    fn documented_example_parses() {
        let (_d, p) = write(
            r#"
[notify]
bell = true          # ring the terminal bell
terminal = "osc9"    # "off", "osc9" or "osc777": a notification through the terminal, also over SSH
desktop = true       # a desktop notification when a D-Bus session is present
"#,
        );
        let c = Config::load_from(&p).unwrap();
        assert_eq!(
            c.channels(),
            Channels {
                bell: true,
                terminal: TerminalStyle::Osc9,
                desktop: true
            }
        );
        let (_d, p) = write("[notify]\nbell = false\nterminal = \"osc777\"\ndesktop = false\n");
        assert_eq!(
            Config::load_from(&p).unwrap().channels(),
            Channels {
                bell: false,
                terminal: TerminalStyle::Osc777,
                desktop: false
            }
        );
    }

    #[test]
    fn unknown_key_is_an_error_naming_the_file() {
        for (text, line) in [
            ("[notify]\nbel = true\n", "line 2"),
            ("[notfy]\nbell = true\n", "line 1"),
        ] {
            let (_d, p) = write(text);
            let e = Config::load_from(&p).unwrap_err();
            assert!(matches!(e, ConfigError::Parse { .. }), "{e:?}");
            let msg = e.to_string();
            assert!(msg.contains(&p.display().to_string()), "{msg}");
            assert!(msg.contains("unknown field"), "{msg}");
            assert!(msg.contains(line), "{msg}");
        }
    }

    #[test]
    fn bad_values_are_errors() {
        for text in [
            "[notify]\nterminal = \"osc52\"\n",
            "[notify]\nterminal = \"OSC9\"\n",
            "[notify]\nbell = \"yes\"\n",
            "[notify\n",
            "[lock]\nidle_minutes = 99999\n",
            "[terminal]\nescape_ms = 5\n",
            "[terminal]\nescape_ms = 5000\n",
            "[terminal]\nescape = 100\n",
        ] {
            let (_d, p) = write(text);
            let e = Config::load_from(&p).unwrap_err();
            assert!(matches!(e, ConfigError::Parse { .. }), "{text}: {e:?}");
            assert!(e.to_string().contains(&p.display().to_string()));
        }
    }

    #[test]
    fn unreadable_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = Config::load_from(dir.path()).unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }), "{e:?}");
        assert!(e.to_string().contains(&dir.path().display().to_string()));
        let (_d, p) = write("");
        std::fs::write(&p, b"[notify]\nbell = \xff\n").unwrap();
        assert!(matches!(
            Config::load_from(&p),
            Err(ConfigError::Read { .. })
        ));
    }

    #[test]
    fn path_resolution_order() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let all = env(&[
            ("DUTYDESK_CONFIG", "/etc/dd.toml"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/home/alice"),
        ]);
        assert_eq!(Config::path(&all), Some("/etc/dd.toml".into()));
        let xdg = env(&[
            ("DUTYDESK_CONFIG", ""),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/home/alice"),
        ]);
        assert_eq!(Config::path(&xdg), Some("/x/dutydesk/config.toml".into()));
        let relative_xdg = env(&[("XDG_CONFIG_HOME", "x"), ("HOME", "/home/alice")]);
        let home = env(&[("HOME", "/home/alice")]);
        for e in [&relative_xdg as &dyn Fn(&str) -> Option<String>, &home] {
            assert_eq!(
                Config::path(e),
                Some("/home/alice/.config/dutydesk/config.toml".into())
            );
        }
        assert_eq!(Config::path(&env(&[])), None);
    }
}

/// The system file (`/etc/dutydesk/config.toml`, or `$DUTYDESK_SYSTEM_CONFIG`):
/// what an administrator sets for everyone on the host.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SystemConfig {
    /// The shared database, when not given by `--db` or `DUTYDESK_DB`.
    pub database: Option<PathBuf>,
    /// The name `dutydesk init` gives a new database when `--org` is not
    /// given (the database keeps it, and every header shows it).
    pub organisation: Option<String>,
    /// `[audit]`: where the audit trail's anchors are kept.
    pub audit: AuditConfig,
    /// `[notify]`: how `dutydesk notifier` reaches people away from the
    /// terminal (issue 19).
    pub notify: SystemNotify,
    /// `[backup]`: the account the shipped backup and verify timers run as.
    pub backup: BackupConfig,
}

/// `[backup]` in the system file (issue 20). Backups hold every record, so
/// only a senior lead may take one; an unattended nightly backup runs as a
/// service account the administrator names here, as root controls this file
/// and nothing in the database can choose it. That account may run
/// `backup` and `verify` and nothing else; it sees no record on any screen.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// The OS account of `dutydesk-backup.service` and
    /// `dutydesk-verify.service` (the units' `User=`), e.g. `dutydesk-backup`.
    pub account: Option<String>,
}

/// The 1-based line where `key` is set inside `[section]` of a TOML text,
/// for messages about a value that parsed but cannot be used.
pub fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = name.trim().to_string();
            continue;
        }
        if current == section
            && t.split('=').next().is_some_and(|k| k.trim() == key)
            && t.contains('=')
        {
            return Some(i + 1);
        }
    }
    None
}

/// `[notify]` in the system file: the mail server or sendmail program, the
/// command hook, and the notifier's account. Set only here, by the
/// administrator, never in the database: a setting any DSL can write must
/// not choose a program to run or a server to talk to (issue 19, point 2).
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SystemNotify {
    /// SMTP server as `host:port`, plain SMTP (meant for the host's own mail
    /// server on localhost, which relays onward).
    pub smtp: Option<String>,
    /// The host's sendmail program, e.g. `/usr/sbin/sendmail` (instead of smtp).
    pub sendmail: Option<PathBuf>,
    /// A program given one JSON alert on standard input (an SMS or pager
    /// gateway); exit 0 within the timeout means delivered.
    pub command: Option<PathBuf>,
    /// The sender address of alert e-mails [default: dutydesk@HOSTNAME].
    pub from: Option<String>,
    /// The OS account `dutydesk notifier` runs as (the systemd unit's `User=`);
    /// a senior lead may also run it.
    pub account: Option<String>,
    /// Seconds one e-mail or hook may take before it counts as failed [default: 10].
    pub timeout_seconds: Option<u64>,
    /// Seconds between the notifier's passes [default: 30].
    pub interval_seconds: Option<u64>,
}

/// `[audit]` in the system file.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The append-only file that `verify` and `anchor` add the audit chain's
    /// head to [default: the database's path + `.anchors`]. Set only here,
    /// by the administrator, never from the database: whoever can alter the
    /// database must not choose where its evidence is kept (crate::anchor).
    pub anchor_file: Option<PathBuf>,
}

/// Where the system file is unless `DUTYDESK_SYSTEM_CONFIG` says otherwise
/// (it never does under setgid).
pub const SYSTEM_FILE: &str = "/etc/dutydesk/config.toml";

impl SystemConfig {
    /// Every setting of the system file, as `section.key`: the sample
    /// `/etc/dutydesk/config.toml` the package ships lists each one (a test
    /// holds the two together).
    pub const KEYS: &'static [&'static str] = &[
        "database",
        "organisation",
        "audit.anchor_file",
        "notify.smtp",
        "notify.sendmail",
        "notify.command",
        "notify.from",
        "notify.account",
        "notify.timeout_seconds",
        "notify.interval_seconds",
        "backup.account",
    ];

    /// Loads the system file and checks the values that parse but cannot be
    /// used (`[notify]`'s server, programs, address and limits), so a broken
    /// setting stops every command, not only the notifier. `notify_check`
    /// is the notifier's own reading (`notifier::Settings::from_system`),
    /// passed in to keep this module free of it; it runs only when `[notify]`
    /// sets something.
    pub fn load_checked(
        notify_check: impl Fn(&SystemNotify) -> Result<(), String>,
    ) -> Result<SystemConfig, ConfigError> {
        let c = SystemConfig::load()?;
        if c.notify != SystemNotify::default()
            && let Err(message) = notify_check(&c.notify)
        {
            let path = SystemConfig::path();
            let key = message
                .strip_prefix("[notify] ")
                .and_then(|m| m.split([' ', ':']).next())
                .unwrap_or("");
            let line = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| line_of(&t, "notify", key))
                .unwrap_or(1);
            return Err(ConfigError::Value {
                path,
                line,
                message,
            });
        }
        c.check_values()?;
        Ok(c)
    }

    /// The values every command relies on, checked where they are read so a
    /// wrong one stops everything with the file and line (issue 20 point 2):
    /// paths absolute and not empty (a relative `database` would be found
    /// from whatever directory a command runs in, and `init` there would make
    /// a second, empty desk), accounts that exist on this host.
    fn check_values(&self) -> Result<(), ConfigError> {
        let at = |section: &str, key: &str, message: String| {
            let path = SystemConfig::path();
            ConfigError::Value {
                line: std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| line_of(&t, section, key))
                    .unwrap_or(1),
                path,
                message,
            }
        };
        for (section, key, value, what) in [
            ("", "database", &self.database, "the shared database"),
            (
                "audit",
                "anchor_file",
                &self.audit.anchor_file,
                "the anchor file",
            ),
        ] {
            let Some(p) = value else { continue };
            let name = if section.is_empty() {
                key.to_string()
            } else {
                format!("[{section}] {key}")
            };
            if p.as_os_str().is_empty() {
                return Err(at(
                    section,
                    key,
                    format!(
                        "{name} is empty: give the full path of {what}, e.g. \"/var/lib/dutydesk/dutydesk.db\", or remove the line for the default"
                    ),
                ));
            }
            if !p.is_absolute() {
                return Err(at(
                    section,
                    key,
                    format!(
                        "{name} = {:?} is not a full path: it would be found from whatever directory a command runs in; give the full path of {what}, starting with /",
                        p.display()
                    ),
                ));
            }
        }
        for (section, value, runs) in [
            (
                "backup",
                &self.backup.account,
                "the backup and verify timers run as, e.g. \"dutydesk-backup\"",
            ),
            (
                "notify",
                &self.notify.account,
                "`dutydesk notifier` runs as, e.g. \"dutydesk-notify\"",
            ),
        ] {
            let Some(a) = value else { continue };
            if !crate::domain::text::is_account_name(a) {
                return Err(at(
                    section,
                    "account",
                    format!(
                        "[{section}] account = {a:?} is not an account name: write the OS account {runs}"
                    ),
                ));
            }
            if !crate::identity::account_exists(a) {
                return Err(at(
                    section,
                    "account",
                    format!(
                        "[{section}] account = {a:?}: no such account on this host: create it (`adduser --system {a}`) or write the OS account {runs}"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `$DUTYDESK_SYSTEM_CONFIG`, else [`SYSTEM_FILE`]; always [`SYSTEM_FILE`]
    /// under setgid or setuid.
    pub fn path() -> PathBuf {
        std::env::var_os("DUTYDESK_SYSTEM_CONFIG")
            .filter(|v| !v.is_empty() && !crate::identity::is_privileged())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_FILE))
    }

    /// Defaults when missing; an error naming the file and line when wrong.
    /// Under setgid or setuid, `DUTYDESK_SYSTEM_CONFIG` is refused rather than
    /// ignored (so nobody believes it took effect), and a parse error quotes
    /// nothing of the file unless the user may read it themselves.
    pub fn load() -> Result<SystemConfig, ConfigError> {
        let privileged = crate::identity::is_privileged();
        if privileged && std::env::var_os("DUTYDESK_SYSTEM_CONFIG").is_some_and(|v| !v.is_empty()) {
            return Err(ConfigError::SystemFileChosen);
        }
        let path = SystemConfig::path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|source| {
                if !privileged || readable_by_real_user(&path) {
                    return ConfigError::Parse { path, source };
                }
                let at = source.span().map_or(0, |s| s.start);
                ConfigError::SystemParse {
                    line: 1 + text[..at.min(text.len())].matches('\n').count(),
                    path,
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SystemConfig::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }
}
