//! `dutydesk backup`: senior leads only, audited, 0600, never a partial or
//! replaced file at the destination, symlinks refused; a 100,000-case backup
//! finishes while another session writes a note every second, and a backup
//! killed part-way leaves nothing at the destination (its temporary file is
//! swept by the next one).

mod common;

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn dd(user: &str, db: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env_remove("DUTYDESK_NOW");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn audit_rows(db: &Path, action: &str) -> i64 {
    common::sql(db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

/// The backups' temporary files in `dir`.
fn temps(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with(dutydesk::store::backup::TEMP_PREFIX)
                && n.ends_with(dutydesk::store::backup::TEMP_SUFFIX)
        })
        .collect()
}

/// A demo desk of 40 cases; its senior lead is `rwhite`, `tester` a DSL,
/// `cadeyemi` a viewer.
fn small() -> (tempfile::TempDir, PathBuf) {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    (dir, db)
}

#[test]
fn only_a_senior_lead_backs_up_and_the_copy_is_theirs_alone() {
    let (dir, db) = small();
    let dest = dir.path().join("copy.db");
    for user in ["tester", "cadeyemi", "amistry"] {
        let (code, _, err) = run(dd(user, &db).arg("backup").arg(&dest));
        assert_eq!(code, 1, "{user}: {err}");
        assert!(err.contains("only a senior lead"), "{err}");
        assert!(!dest.exists(), "{user} left a file");
    }
    assert_eq!(audit_rows(&db, "backup"), 0, "refusals are not backups");
    // Whatever the umask, the copy is 0600.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("dutydesk"));
    cmd.env("DUTYDESK_USER", "rwhite")
        .env("DUTYDESK_DB", &db)
        .env_remove("DUTYDESK_NOW")
        .arg("backup")
        .arg(&dest);
    // SAFETY: umask is async-signal-safe; it runs in the child before exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::umask(0);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    let (code, out, err) = (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(audit_rows(&db, "backup"), 1);
    let detail: String = common::sql(&db)
        .query_row(
            "SELECT actor || ' ' || detail FROM audit_log WHERE action = 'backup'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(detail, format!("rwhite {}", dest.display()));
    // A whole, sound copy, with no journal beside it.
    let c = common::sql(&dest);
    let n: i64 = c
        .query_row("SELECT count(*) FROM escalations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 40);
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn nothing_is_replaced_or_followed() {
    let (dir, db) = small();
    let d = dir.path();
    // An existing file stays as it was.
    let existing = d.join("existing.db");
    std::fs::write(&existing, b"keep me").unwrap();
    let (code, _, err) = run(dd("rwhite", &db).arg("backup").arg(&existing));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    // A dangling symlink is not followed: its target is never created.
    let dangling = d.join("dangling.db");
    let target = d.join("somewhere-else.db");
    std::os::unix::fs::symlink(&target, &dangling).unwrap();
    let (code, _, err) = run(dd("rwhite", &db).arg("backup").arg(&dangling));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("exists"), "{err}");
    assert!(!target.exists(), "the symlink was followed");
    // A destination directory that is a symlink is refused, naming the real one.
    std::fs::create_dir(d.join("real")).unwrap();
    std::os::unix::fs::symlink(d.join("real"), d.join("link")).unwrap();
    let (code, _, err) = run(dd("rwhite", &db).arg("backup").arg(d.join("link/x.db")));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("is a symlink") && err.contains("real"),
        "{err}"
    );
    assert!(!d.join("real/x.db").exists());
    // A directory is not a file name.
    let (code, _, err) = run(dd("rwhite", &db)
        .arg("backup")
        .arg(format!("{}/", d.display())));
    assert_eq!(code, 1, "{err}");
    assert_eq!(audit_rows(&db, "backup"), 0);
    assert!(temps(d).is_empty(), "{:?}", temps(d));
}

#[test]
fn a_stopped_backups_file_is_swept_by_the_next_but_a_running_ones_is_not() {
    let (dir, db) = small();
    let d = dir.path();
    let stale = d.join(format!(
        "{}1-2{}",
        dutydesk::store::backup::TEMP_PREFIX,
        dutydesk::store::backup::TEMP_SUFFIX
    ));
    std::fs::write(&stale, b"half a copy").unwrap();
    // One that a running backup holds locked stays.
    let busy = d.join(format!(
        "{}3-4{}",
        dutydesk::store::backup::TEMP_PREFIX,
        dutydesk::store::backup::TEMP_SUFFIX
    ));
    let held = std::fs::File::create(&busy).unwrap();
    // SAFETY: flock on a file we hold open.
    assert_eq!(
        unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&held), libc::LOCK_EX) },
        0
    );
    let (code, _, err) = run(dd("rwhite", &db).arg("backup").arg(d.join("b.db")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("removed") && err.contains("1-2"), "{err}");
    assert!(!stale.exists());
    assert!(busy.exists(), "a running backup's file was removed");
    drop(held);
}

/// The 100,000-case desk, once (about 30 s in a debug build).
fn big(dir: &Path) -> PathBuf {
    let started = Instant::now();
    let (db, s) = common::demo_db(dir, 100_000);
    assert_eq!(s.escalations, 100_000);
    eprintln!(
        "100,000 cases generated in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    db
}

#[test]
fn a_100000_case_backup_finishes_under_steady_writes_and_a_kill_leaves_nothing() {
    let dir = common::private_dir();
    let db = big(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (_, list, _) = run(dd("tester", &db).args(["list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    let reference = v["items"][0]["reference"].as_str().unwrap().to_string();
    let bin = assert_cmd::cargo::cargo_bin("dutydesk");
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        // Another session writes a note every second throughout.
        let writer = s.spawn(|| {
            let mut notes = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let at = Instant::now();
                let status = std::process::Command::new(&bin)
                    .env("DUTYDESK_USER", "tester")
                    .env("DUTYDESK_DB", &db)
                    .env_remove("DUTYDESK_NOW")
                    .args(["note", &reference, &format!("steady note {i}")])
                    .output()
                    .unwrap()
                    .status;
                notes.push((at, status.success()));
                i += 1;
                std::thread::sleep(Duration::from_secs(1).saturating_sub(at.elapsed()));
            }
            notes
        });
        std::thread::sleep(Duration::from_millis(1500));
        // A backup killed part-way, while it writes its copy.
        let killed = out.join("killed.db");
        let mut child = std::process::Command::new(&bin)
            .env("DUTYDESK_USER", "rwhite")
            .env("DUTYDESK_DB", &db)
            .env_remove("DUTYDESK_NOW")
            .arg("backup")
            .arg(&killed)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let writing = temps(&out)
                .iter()
                .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0));
            if writing || Instant::now() > until {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        assert!(
            !killed.exists(),
            "a killed backup left a file at its destination"
        );
        assert_eq!(temps(&out).len(), 1, "the killed backup's temporary file");
        // The real one: it must finish while the notes keep coming.
        let dest = out.join("copy.db");
        let started = Instant::now();
        let mut child = std::process::Command::new(&bin)
            .env("DUTYDESK_USER", "rwhite")
            .env("DUTYDESK_DB", &db)
            .env_remove("DUTYDESK_NOW")
            .arg("backup")
            .arg(&dest)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if started.elapsed() > Duration::from_secs(90) {
                child.kill().unwrap();
                panic!("the backup did not finish in 90 s under steady writes");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = started.elapsed();
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(status.success(), "{err}");
        assert!(
            err.contains("removed"),
            "the stale temporary file is reported: {err}"
        );
        eprintln!("backup of 100,000 cases under steady writes: {took:?}");
        // Keep writing a moment, then stop the writer.
        std::thread::sleep(Duration::from_millis(1200));
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let notes = writer.join().unwrap();
        assert!(notes.iter().all(|(_, ok)| *ok), "a note failed: {notes:?}");
        let during = notes
            .iter()
            .filter(|(at, _)| *at >= started && *at <= started + took)
            .count();
        eprintln!("{during} note(s) written while the backup ran");
        assert!(temps(&out).is_empty(), "{:?}", temps(&out));
        let c = common::sql(&dest);
        let n: i64 = c
            .query_row("SELECT count(*) FROM escalations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 100_000);
        let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    });
}
