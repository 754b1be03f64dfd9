//! The hardened shared-host install, end to end with real OS accounts (README
//! "Deploying on a shared host"; issue 14, point 4): a system group nobody
//! belongs to, the database directory 2770 in that group, the binary setgid to
//! it, the system file naming the database. Then, as different people: `init`,
//! `staff add`, `new`, `ack`, `note`, `close`, `signoff`, `list`, `show`,
//! `snapshot`, the dashboard in a terminal, `backup`, `verify`; a stranger is
//! refused; nobody can open the file directly; no variable chooses a file or
//! a person; nothing of a file the user cannot read reaches a message.
//!
//! It needs root (to make the accounts and the group; CI runs as root) and
//! skips with a printed reason otherwise. Everything it makes carries a mark
//! and is removed by a guard, also on panic; leftovers of a crashed run are
//! recognised by the mark and removed first.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dutydesk");
const SYSTEM_FILE: &str = "/etc/dutydesk/config.toml";
/// The first line of a system file this test wrote.
const MARK: &str = "# written by dutydesk's tests/setgid.rs: safe to delete";
/// The comment (GECOS) field of every account this test makes.
const GECOS: &str = "dutydesk setgid test";
/// The start of every group and account name this test makes.
const PREFIX: &str = "ddsgt";
/// Words in a file only the binary's group may read; never to be printed.
const SECRET: &str = "group-only-secret-words";

/// Everything the test made, removed on drop (also on panic).
struct Host {
    group: String,
    users: Vec<String>,
    base: PathBuf,
    made_etc_dir: bool,
}

impl Drop for Host {
    fn drop(&mut self) {
        if ours(Path::new(SYSTEM_FILE)) {
            let _ = std::fs::remove_file(SYSTEM_FILE);
        }
        if self.made_etc_dir {
            let _ = std::fs::remove_dir("/etc/dutydesk");
        }
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).output();
        }
        let _ = Command::new("groupdel").arg(&self.group).output();
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Whether `path` is a system file this test wrote.
fn ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.starts_with(MARK))
}

/// Removes accounts and groups a crashed run of this test left behind,
/// recognised by their comment and name.
fn remove_leftovers() {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 4 && f[4] == GECOS && f[0].starts_with(PREFIX) {
            let _ = Command::new("userdel").arg(f[0]).output();
        }
    }
    let group = std::fs::read_to_string("/etc/group").unwrap_or_default();
    for line in group.lines() {
        let name = line.split(':').next().unwrap_or("");
        if name.starts_with(PREFIX) && name[PREFIX.len()..].chars().all(|c| c.is_ascii_digit()) {
            let _ = Command::new("groupdel").arg(name).output();
        }
    }
    if ours(Path::new(SYSTEM_FILE)) {
        let _ = std::fs::remove_file(SYSTEM_FILE);
    }
}

fn root(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn gid_of(group: &str) -> u32 {
    let out = Command::new("getent")
        .args(["group", group])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split(':')
        .nth(2)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn uid_of(user: &str) -> u32 {
    let out = Command::new("id").args(["-u", user]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Why the test cannot run here, if it cannot.
fn cannot_run() -> Option<String> {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return Some("needs root to make OS accounts and a group (CI runs as root)".into());
    }
    for tool in [
        "useradd", "userdel", "groupadd", "groupdel", "runuser", "getent",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    if Path::new(SYSTEM_FILE).exists() && !ours(Path::new(SYSTEM_FILE)) {
        return Some(format!(
            "{SYSTEM_FILE} exists and was not written by this test; it is left alone"
        ));
    }
    None
}

/// The install, as README's "Deploying on a shared host" does it, with the
/// accounts: lead (runs init), dee and sam (DSLs), vic (viewer), and eve, who
/// is not on the staff list.
fn install() -> (Host, PathBuf, PathBuf) {
    remove_leftovers();
    let tag = format!("{PREFIX}{}", std::process::id());
    let mut host = Host {
        group: tag.clone(),
        users: Vec::new(),
        base: std::env::temp_dir().join(format!("{tag}-host")),
        made_etc_dir: !Path::new("/etc/dutydesk").exists(),
    };
    let _ = std::fs::remove_dir_all(&host.base);
    root("groupadd", &["--system", &host.group]);
    for who in ["lead", "dee", "sam", "vic", "eve"] {
        let name = format!("{tag}{who}");
        root(
            "useradd",
            &["-M", "-N", "-c", GECOS, "-s", "/bin/sh", &name],
        );
        host.users.push(name);
    }
    // The base is searchable by everyone, like /usr/local and /var/lib.
    std::fs::create_dir_all(host.base.join("bin")).unwrap();
    for d in [&host.base, &host.base.join("bin")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let gid = gid_of(&host.group);
    // install -d -m 2770 -g dutydesk /var/lib/dutydesk
    let dir = host.base.join("lib");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(0), Some(gid)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).unwrap();
    // install -m 2755 -g dutydesk target/release/dutydesk /usr/local/bin/
    let bin = host.base.join("bin").join("dutydesk");
    std::fs::copy(BIN, &bin).unwrap();
    std::os::unix::fs::chown(&bin, Some(0), Some(gid)).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o2755)).unwrap();
    // The system file.
    std::fs::create_dir_all("/etc/dutydesk").unwrap();
    let db = dir.join("dutydesk.db");
    std::fs::write(
        SYSTEM_FILE,
        format!(
            "{MARK}\ndatabase = {:?}\norganisation = \"Setgid Test Partnership\"\n",
            db.display().to_string()
        ),
    )
    .unwrap();
    std::fs::set_permissions(SYSTEM_FILE, std::fs::Permissions::from_mode(0o644)).unwrap();
    (host, bin, db)
}

/// One person's command through the installed binary: (exit code, stdout,
/// stderr). Only PATH and `env` reach it.
fn as_user(user: &str, bin: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new("runuser");
    c.args(["-u", user, "--"])
        .arg(bin)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .current_dir("/");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs a command as `user` and insists it worked; its stdout.
fn ok(user: &str, bin: &Path, args: &[&str]) -> String {
    let (code, out, err) = as_user(user, bin, args, &[]);
    assert_eq!(code, 0, "{user} {args:?}: {err}");
    out
}

fn sidecars(db: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

/// The dashboard in a pseudo-terminal as `user`: it shows `reference`, and
/// quits with `q`, exit code 0.
fn dashboard(user: &str, bin: &Path, reference: &str) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 110,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new("runuser");
    cmd.args(["-u", user, "--"]);
    cmd.arg(bin);
    cmd.env_clear();
    cmd.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    cmd.env("TERM", "xterm-256color");
    cmd.cwd("/");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut writer = pty.master.take_writer().unwrap();
    let nz = |n| std::num::NonZeroU16::new(n).unwrap();
    let mut screen = vt100::Parser::new(nz(30), nz(110), 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !screen.screen().contents().contains(reference) {
        assert!(
            Instant::now() < deadline,
            "the dashboard never showed {reference}:\n{}",
            screen.screen().contents()
        );
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(50)) {
            screen.process(&b);
        }
    }
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        while let Ok(b) = rx.recv_timeout(Duration::from_millis(20)) {
            screen.process(&b);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.exit_code(), 0, "{}", screen.screen().contents());
            break;
        }
        assert!(Instant::now() < deadline, "the dashboard did not quit");
    }
}

#[test]
fn the_hardened_install_works_end_to_end_and_lets_nothing_else_in() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: {why}");
        return;
    }
    let (host, bin, db) = install();
    let [lead, dee, sam, vic, eve] = [0, 1, 2, 3, 4].map(|i| host.users[i].as_str());
    let dir = db.parent().unwrap().to_path_buf();
    let group = host.group.clone();

    // The binary really runs setgid here (not on a nosuid mount, nor under
    // no_new_privs); otherwise nothing below would mean anything.
    let mode = ok(eve, &bin, &["config", "show"]);
    if !mode.contains("setgid") {
        eprintln!("skipped: the setgid bit has no effect here (nosuid or no_new_privs)");
        return;
    }
    assert!(mode.contains(&db.display().to_string()), "{mode}");

    // A failed init leaves nothing behind (the account name is checked after
    // the file is made).
    let (code, _, err) = as_user(lead, &bin, &["init", "--admin", "no such"], &[]);
    assert_eq!(code, 2, "a bad account name: {err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{err}");

    // README: the first person runs init and becomes its senior lead.
    let (code, _, err) = as_user(lead, &bin, &["init"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Setgid Test Partnership"), "{err}");
    let meta = std::fs::metadata(&db).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), gid_of(&group), "the database is in the group");
    assert_eq!(meta.uid(), uid_of(lead));
    let (code, _, err) = as_user(lead, &bin, &["init"], &[]);
    assert_eq!(code, 1, "a second init is refused: {err}");

    for (u, name, role) in [
        (dee, "Dee One", "dsl"),
        (sam, "Sam Two", "dsl"),
        (vic, "Vic Viewer", "viewer"),
    ] {
        ok(
            lead,
            &bin,
            &["staff", "add", u, "--name", name, "--role", role],
        );
    }
    let staff = ok(dee, &bin, &["staff", "list"]);
    assert!(staff.contains(lead) && staff.contains("senior"), "{staff}");

    // A case worked by different people.
    let reference = ok(
        dee,
        &bin,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Pat Example",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "left alone at night",
            "--words",
            "nobody came home",
        ],
    )
    .trim()
    .to_string();
    assert!(reference.starts_with("SG-"), "{reference}");
    ok(sam, &bin, &["ack", &reference]);
    ok(sam, &bin, &["note", &reference, "spoke to the school"]);
    ok(
        sam,
        &bin,
        &[
            "close",
            &reference,
            "--outcome",
            "advice-given",
            "--rationale",
            "family supported",
        ],
    );
    // The approver reads the proposal first and approves that version.
    let proposal = ok(dee, &bin, &["show", &reference]);
    let version = proposal
        .lines()
        .find_map(|l| l.strip_prefix("version "))
        .and_then(|v| v.split_whitespace().next())
        .expect("show prints the version")
        .to_string();
    ok(
        dee,
        &bin,
        &[
            "signoff",
            &reference,
            "--approve",
            "--version",
            &version,
            "--reason",
            "agreed",
        ],
    );
    let list = ok(vic, &bin, &["list", "--status", "all"]);
    assert!(list.contains(&reference), "{list}");
    let shown = ok(dee, &bin, &["show", &reference]);
    assert!(shown.contains("spoke to the school"), "{shown}");
    let snap = ok(sam, &bin, &["snapshot", "--width", "120", "--height", "30"]);
    assert!(snap.contains("you: Sam Two"), "{snap}");
    let new = ok(
        dee,
        &bin,
        &[
            "new",
            "--subject",
            "adult",
            "--name",
            "Lee Example",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "open case",
        ],
    );
    dashboard(sam, &bin, new.trim());

    // A backup into the senior lead's own directory.
    let home = host.base.join("lead-home");
    std::fs::create_dir(&home).unwrap();
    std::os::unix::fs::chown(&home, Some(uid_of(lead)), None).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let dest = home.join("backup.db");
    ok(lead, &bin, &["backup", dest.to_str().unwrap()]);
    assert!(dest.exists());

    let verify = ok(lead, &bin, &["verify"]);
    assert!(verify.contains("OK"), "{verify}");

    // Every change is attributed to the OS account that made it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let actor = |action: &str| -> String {
        conn.query_row(
            "SELECT actor FROM audit_log WHERE action = ?1 ORDER BY id LIMIT 1",
            [action],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("no audit row {action}: {e}"))
    };
    assert_eq!(actor("create"), lead);
    let creation: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'create' AND entity = 'database'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(creation, "init");
    drop(conn);

    // Someone not on the staff list is refused, in one line.
    let (code, _, err) = as_user(eve, &bin, &["list"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("not on this dutydesk's staff list"), "{err}");

    // Nobody opens the file directly: not with cat, not with sqlite3.
    for u in [lead, dee, eve] {
        let o = Command::new("runuser")
            .args(["-u", u, "--", "head", "-c", "16"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{u} read the database directly");
        assert!(o.stdout.is_empty());
    }
    if Command::new("sh")
        .args(["-c", "command -v sqlite3"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let o = Command::new("runuser")
            .args(["-u", dee, "--", "sqlite3"])
            .arg(&db)
            .arg("SELECT count(*) FROM escalations")
            .output()
            .unwrap();
        assert!(
            !o.status.success(),
            "sqlite3 opened it: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }

    // A file only the binary's group may read, with words nobody may see.
    let secret = dir.join("secret.toml");
    std::fs::write(&secret, format!("{SECRET} = 1\n")).unwrap();
    std::os::unix::fs::chown(&secret, Some(0), Some(gid_of(&group))).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
    let secret_s = secret.to_str().unwrap();
    let other_db = host.base.join("other.db");

    // No variable chooses a person, a time or a file.
    let before = std::fs::read(&db).unwrap();
    for (env, args, words) in [
        (("DUTYDESK_USER", lead), vec!["list"], "DUTYDESK_USER"),
        (
            ("DUTYDESK_USER", lead),
            vec![
                "signoff",
                reference.as_str(),
                "--approve",
                "--version",
                "1",
                "--reason",
                "x",
            ],
            "DUTYDESK_USER",
        ),
        (
            ("DUTYDESK_NOW", "2026-11-23T09:00:00Z"),
            vec!["list"],
            "DUTYDESK_NOW",
        ),
        (
            ("DUTYDESK_SYSTEM_CONFIG", secret_s),
            vec!["list"],
            "DUTYDESK_SYSTEM_CONFIG",
        ),
        (
            ("DUTYDESK_SYSTEM_CONFIG", secret_s),
            vec!["config", "show"],
            "DUTYDESK_SYSTEM_CONFIG",
        ),
        (
            ("DUTYDESK_DB", other_db.to_str().unwrap()),
            vec!["init"],
            "DUTYDESK_DB",
        ),
        (
            ("DUTYDESK_DB", other_db.to_str().unwrap()),
            vec!["list"],
            "DUTYDESK_DB",
        ),
        (
            ("DUTYDESK_CONFIG", secret_s),
            vec!["config", "show"],
            "Permission denied",
        ),
        (
            ("NO_COLOR", "1"),
            vec!["--db", other_db.to_str().unwrap(), "list"],
            "--db",
        ),
        (("NO_COLOR", "1"), vec!["demo", "--no-open"], "demo"),
        (
            ("NO_COLOR", "1"),
            vec!["contacts", "import", secret_s],
            "Permission denied",
        ),
        (
            ("NO_COLOR", "1"),
            vec!["holidays", "import", secret_s],
            "Permission denied",
        ),
    ] {
        for user in [dee, eve] {
            let (code, out, err) = as_user(user, &bin, &args, &[env]);
            assert_eq!(code, 2, "{user} {env:?} {args:?}: {out}{err}");
            assert!(err.contains(words), "{user} {env:?} {args:?}: {err}");
            assert!(
                !out.contains(SECRET) && !err.contains(SECRET),
                "{user} {env:?} {args:?} printed a group-only file: {out}{err}"
            );
            assert!(!other_db.exists(), "{env:?} {args:?} made a file");
        }
    }
    assert!(
        before == std::fs::read(&db).unwrap(),
        "the refusals changed nothing"
    );
    // The desk's own database, named as the system file names it, is fine.
    let (code, _, err) = as_user(
        dee,
        &bin,
        &["list"],
        &[("DUTYDESK_DB", db.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{err}");

    // The directory without its setgid bit: refused with the fix.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o770)).unwrap();
    for args in [["list"], ["verify"]] {
        let (code, _, err) = as_user(dee, &bin, &args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!("chmod g+s {}", dir.display())),
            "{args:?}: {err}"
        );
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).unwrap();

    // A sidecar left in another group (as a directory without the setgid
    // bit makes them): refused with the fix, not "unable to open".
    assert!(sidecars(&db).is_empty(), "{:?}", sidecars(&db));
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    // Made by dee in dee's own group; SQLite removes an empty one when its
    // owner's session closes, refused or not, so it is made for each try.
    let stray_wal = || {
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o660)).unwrap();
        std::os::unix::fs::chown(&wal, Some(uid_of(dee)), Some(0)).unwrap();
    };
    for user in [sam, dee] {
        for args in [["list"], ["verify"]] {
            stray_wal();
            let (code, _, err) = as_user(user, &bin, &args, &[]);
            assert_eq!(code, 2, "{user} {args:?}: {err}");
            assert!(
                err.contains("dutydesk.db-wal belongs to group")
                    && err.contains(&format!("chgrp {group} {}", wal.display())),
                "{user} {args:?}: {err}"
            );
        }
    }
    // The fix the message gives works, for someone other than its owner.
    stray_wal();
    std::os::unix::fs::chown(&wal, None, Some(gid_of(&group))).unwrap();
    ok(sam, &bin, &["list"]);
    drop(host);
    assert!(!Path::new(SYSTEM_FILE).exists() || !ours(Path::new(SYSTEM_FILE)));
}
