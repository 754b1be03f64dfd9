//! End to end: the real binary in a pseudo-terminal, keys pressed, the screen
//! read back through a terminal emulator, and the terminal left as it was found.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-23T09:00:00Z";
const BIN: &str = env!("CARGO_BIN_EXE_dutydesk");

fn make_demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    let out = std::process::Command::new(BIN)
        .args(["demo", "--no-open", "--db"])
        .arg(&db)
        .env("DUTYDESK_USER", "tester")
        .env("DUTYDESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

struct Session {
    parser: vt100::Parser,
    raw: Vec<u8>,
    rx: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    fn start(db: &Path, cols: u16, rows: u16) -> Session {
        Session::start_as(db, cols, rows, "tester")
    }

    fn start_as(db: &Path, cols: u16, rows: u16, user: &str) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        cmd.env("DUTYDESK_USER", user);
        cmd.env("DUTYDESK_CONFIG", db.with_extension("toml"));
        // Drafts are kept beside the test's database, never in a real home.
        cmd.env("XDG_STATE_HOME", db.parent().unwrap().join("state"));
        cmd.env("DUTYDESK_NOW", NOW);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Session {
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
            rx,
            writer,
            child,
            master: pty.master,
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until the screen shows `text` (or fails after 10 s, printing it).
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "never saw {text:?}; screen:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    /// Waits until one line of the screen holds all of `parts`.
    fn wait_for_line(&mut self, parts: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self
            .screen()
            .lines()
            .any(|l| parts.iter().all(|p| l.contains(p)))
        {
            assert!(
                Instant::now() < deadline,
                "never saw a line with {parts:?}; screen:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer shows `text`.
    fn wait_gone(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "still see {text:?}; screen:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the process to end and returns its exit code.
    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump(Duration::from_millis(20));
            if let Some(status) = self.child.try_wait().unwrap() {
                // Drain what is left.
                while let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(100)) {
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                }
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "did not exit; screen:\n{}",
                self.screen()
            );
        }
    }

    /// The terminal is back to normal: main screen, cursor shown, and the
    /// last mode changes in the output switch the alternate screen off.
    fn assert_restored(&self) {
        assert!(
            !self.parser.screen().alternate_screen(),
            "still on the alternate screen"
        );
        assert!(!self.parser.screen().hide_cursor(), "cursor still hidden");
        assert_eq!(
            self.parser.screen().mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse reporting left on"
        );
        let out = String::from_utf8_lossy(&self.raw);
        let enter = out
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        let leave = out.rfind("\x1b[?1049l").expect("left the alternate screen");
        assert!(leave > enter);
    }
}

#[test]
fn browse_the_dashboard_open_a_record_and_quit() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("Open escalations");
    s.wait_for("SG-2026-");
    assert!(s.screen().contains("on duty:"));
    s.keys("j");
    s.keys("\r");
    s.wait_for("Exact words");
    s.wait_for("Chronology");
    s.keys("?");
    s.wait_for("Keys on this screen");
    // Two escapes sent together read as one Alt+Esc, so wait between them,
    // as a person's key presses are.
    s.keys("\x1b");
    s.wait_gone("Keys on this screen");
    s.wait_for("Chronology");
    s.keys("\x1b");
    s.wait_for("Next deadline");
    // The mouse: reporting is on, the wheel moves the selection, and two
    // clicks on a row (1-based column 10, row 6: the second escalation) open it.
    assert_ne!(
        s.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None
    );
    s.keys("\x1b[<65;10;6M");
    s.keys("\x1b[<0;10;6M\x1b[<0;10;6m");
    s.keys("\x1b[<0;10;6M\x1b[<0;10;6m");
    s.wait_for("Exact words");
    s.wait_gone("Next deadline");
    // Esc and q sent within a few milliseconds read as Alt+q, which runs
    // nothing (escape-prefixed keys never do): wait, as a person would.
    s.keys("\x1b");
    s.wait_for("Next deadline");
    s.wait_gone("Exact words");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("Open escalations");
    let pid = s.child.process_id().unwrap() as i32;
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    s.wait_exit();
    s.assert_restored();
}

#[test]
fn too_small_then_resized() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 60, 20);
    s.wait_for("Terminal too small");
    s.wait_for("60×20");
    s.master
        .resize(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    s.parser.set_size(nz(30), nz(100));
    s.wait_for("Open escalations");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("terminal sizes are not zero")
}

/// A temporary directory only its owner can list, as the desk requires of a
/// real database's directory.
fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

#[test]
fn two_sessions_see_each_others_changes_without_a_key() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let join = std::process::Command::new(BIN)
        .args(["demo", "--no-open", "--db"])
        .arg(&db)
        .env("DUTYDESK_USER", "second")
        .env("DUTYDESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(join.status.success());
    let mut a = Session::start_as(&db, 120, 30, "tester");
    let mut b = Session::start_as(&db, 120, 30, "second");
    a.wait_for("Open escalations: 35");
    b.wait_for("Open escalations: 35");
    // A change from a third process (a script) reaches both screens.
    let out = std::process::Command::new(BIN)
        .args([
            "new",
            "--subject",
            "child",
            "--name",
            "Test Child",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "from a script",
            "--db",
        ])
        .arg(&db)
        .env("DUTYDESK_USER", "tester")
        .env("DUTYDESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    a.wait_for("Open escalations: 36");
    b.wait_for("Open escalations: 36");
    // A takes the first case another DSL holds (below the two nobody has
    // acknowledged, in the order of urgency: A is asked first); B sees it
    // assigned, without pressing a key.
    a.keys("j");
    a.keys("j");
    a.wait_for_line(&["▶", "SG-2026-0034"]);
    a.keys("A");
    a.wait_for("Take it from them?");
    a.keys("y");
    a.wait_for("is yours");
    b.wait_for_line(&["SG-2026-0034", "tester"]);
    a.keys("q");
    b.keys("q");
    assert_eq!(a.wait_exit(), 0);
    assert_eq!(b.wait_exit(), 0);
}

/// A hang-up (SSH dropped, tmux session killed: the pty's master closes)
/// ends the dashboard cleanly: exit 0, no panic, no SIGABRT, no core file,
/// even with core dumps allowed by the parent.
#[test]
fn hang_up_exits_cleanly_without_a_core() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let dir = private_dir();
    let db = make_demo(dir.path());
    // Opened close-on-exec, so no other process (a test running beside this
    // one) inherits the master and keeps the terminal from hanging up.
    // SAFETY: plain libc calls on descriptors owned here; ptsname_r writes
    // into a buffer of the length given.
    let (master, slave) = unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(s >= 0, "open the pty's slave");
        let size = libc::winsize {
            ws_row: 30,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        libc::ioctl(s, libc::TIOCSWINSZ, &size);
        (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    };
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--db")
        .arg(&db)
        .current_dir(dir.path())
        .env("DUTYDESK_USER", "tester")
        .env("DUTYDESK_NOW", NOW)
        .env("DUTYDESK_CONFIG", db.with_extension("toml"))
        .env("TERM", "xterm-256color")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: between fork and exec only async-signal-safe calls: a new
    // session whose controlling terminal is the pty (so closing the master
    // hangs it up), and core dumps allowed, so that only dutydesk's own
    // guard can keep a core from being written.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &unlimited);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // the parent's copies of the slave
    let mut master = std::fs::File::from(master);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pfd = libc::pollfd {
        fd: std::os::fd::AsRawFd::as_raw_fd(&master),
        events: libc::POLLIN,
        revents: 0,
    };
    while !String::from_utf8_lossy(&seen).contains("Open escalations") {
        assert!(Instant::now() < deadline, "the dashboard never drew");
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, 50) } > 0 {
            let mut buf = [0u8; 8192];
            let n = master.read(&mut buf).unwrap();
            seen.extend_from_slice(&buf[..n]);
        }
    }
    // While it runs, the process forbids core dumps (when /proc lets us look).
    if let Ok(limits) = std::fs::read_to_string(format!("/proc/{}/limits", child.id())) {
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        assert_eq!(
            core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
            ["0", "0"],
            "{core}"
        );
    }
    drop(master);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "still running after the hang-up");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.signal(), None, "killed by a signal: {status:?}");
    assert_eq!(status.code(), Some(0), "{status:?}");
    let cores: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("core"))
        .collect();
    assert!(cores.is_empty(), "a core file was written: {cores:?}");
}

impl Session {
    fn signal(&self, sig: i32) {
        let pid = self.child.process_id().unwrap() as i32;
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }
}

/// A paste is text: a three-line note arrives whole in the note, with its
/// line breaks, and its "A" never acknowledges anything; a paste where no
/// field has focus is ignored with a hint.
#[test]
fn a_paste_is_text_never_keys() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("Open escalations");
    s.wait_for("SG-2026-0039");
    s.keys("N");
    s.wait_for("Note on SG-2026-0039");
    s.keys("\x1b[200~Spoke to mum.\r\nAlso spoke to school.\r\nAsked dad to ring back.\x1b[201~");
    s.wait_for("Asked dad to ring back.");
    assert!(
        s.screen().contains("Also spoke to school."),
        "{}",
        s.screen()
    );
    assert!(!s.screen().contains("Take it from them"), "{}", s.screen());
    s.keys("\x13"); // Ctrl-S
    s.wait_gone("Note on SG-2026-0039");
    s.keys("\r");
    s.wait_for("Chronology");
    s.keys("G");
    s.wait_for("Asked dad to ring back.");
    s.keys("\x1b");
    s.wait_for("Next deadline");
    // Nothing has focus: the paste is refused, and runs nothing.
    s.keys("\x1b[200~Also A\x1b[201~");
    s.wait_for("Pasted text was ignored");
    assert!(!s.screen().contains("Take it from them"), "{}", s.screen());
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored();
}

/// Option+Up from a macOS terminal (ESC ESC [ A) runs no command: not an
/// "A" on the list, not an Esc that throws a typed note away. Alt+Esc (two
/// escapes at once) acts as Esc.
#[test]
fn escape_sequences_never_run_commands() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("SG-2026-0039");
    s.keys("\x1b\x1b[A");
    s.keys("N");
    s.wait_for("Note on SG-2026-0039");
    assert!(!s.screen().contains("Take it from them"), "{}", s.screen());
    s.keys("keep me");
    s.wait_for("keep me");
    s.keys("\x1b\x1b[A");
    s.keys("\x1b[1;3A");
    s.keys(" too");
    s.wait_for("keep me too");
    assert!(
        !s.screen().contains("Discard what you typed"),
        "{}",
        s.screen()
    );
    // Esc asks before discarding; Alt+Esc answers like Esc (no).
    s.keys("\x1b");
    s.wait_for("Discard what you typed");
    s.keys("\x1b\x1b");
    s.wait_gone("Discard what you typed");
    s.wait_for("keep me too");
    s.keys("\x1b");
    s.wait_for("Discard what you typed");
    s.keys("y");
    s.wait_gone("Note on SG-2026-0039");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}

/// What was typed survives a SIGKILL (kept within a second) and a hang-up
/// (kept at once): the next start offers it back, and restoring reopens
/// the prompt with the text. The draft file is the user's alone.
#[test]
fn drafts_survive_sigkill_and_hang_up() {
    use std::os::unix::fs::PermissionsExt;
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("SG-2026-0039");
    s.keys("N");
    s.wait_for("Note on SG-2026-0039");
    s.keys("half a note about the stairwell");
    s.wait_for("stairwell");
    std::thread::sleep(Duration::from_millis(1600));
    s.signal(libc::SIGKILL);
    s.wait_exit();
    let drafts = dir.path().join("state/dutydesk/drafts");
    let files: Vec<_> = std::fs::read_dir(&drafts).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&files[0].path()), 0o600);
    assert_eq!(mode(&drafts), 0o700);

    let mut s = Session::start(&db, 100, 30);
    s.wait_for("Unsaved drafts");
    s.wait_for("Note on SG-2026-0039");
    assert!(
        !s.screen().contains("stairwell"),
        "the offer shows no words"
    );
    s.keys("\r");
    s.wait_for("half a note about the stairwell");
    s.keys(" and the lift");
    s.wait_for("and the lift");
    // A hang-up keeps it at once.
    s.signal(libc::SIGHUP);
    assert_eq!(s.wait_exit(), 0);

    let mut s = Session::start(&db, 100, 30);
    s.wait_for("Unsaved drafts");
    s.keys("\r");
    s.wait_for("stairwell and the lift");
    // Saved: the draft is gone for good.
    s.keys("\x13");
    s.wait_gone("Note on SG-2026-0039");
    std::thread::sleep(Duration::from_millis(1600));
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    let left: Vec<_> = std::fs::read_dir(&drafts).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
}

impl Session {
    /// Reads the screen for `ms` milliseconds, whatever arrives.
    fn settle(&mut self, ms: u64) {
        let until = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < until {
            self.pump(Duration::from_millis(20));
        }
    }
}

/// An escape sequence split over a slow link (ESC, then `[A` 20 or 60 ms
/// later, as over SSH) runs nothing: not `[`, not `A` (which would
/// acknowledge and take the selected case), and in a note it neither asks
/// to discard nor types. A tail later than the escape time is dropped, and
/// the status line says so.
#[test]
fn a_split_escape_sequence_never_runs_commands() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let mut s = Session::start(&db, 100, 30);
    s.wait_for("SG-2026-0039");
    for gap in [20, 60] {
        s.keys("\x1b");
        std::thread::sleep(Duration::from_millis(gap));
        s.keys("[A");
        s.settle(300);
        let screen = s.screen();
        assert!(!screen.contains("Take it from them"), "{gap} ms: {screen}");
        assert!(!screen.contains("Acknowledged"), "{gap} ms: {screen}");
        assert!(
            !screen.contains("Ignored a split"),
            "{gap} ms: whole: {screen}"
        );
    }
    s.keys("N");
    s.wait_for("Note on SG-2026-0039");
    s.keys("keep me");
    s.wait_for("keep me");
    for gap in [20, 60] {
        s.keys("\x1b");
        std::thread::sleep(Duration::from_millis(gap));
        s.keys("[A");
        s.settle(300);
        let screen = s.screen();
        assert!(
            !screen.contains("Discard what you typed"),
            "{gap} ms: {screen}"
        );
        assert!(
            !screen.contains("keep me[A") && !screen.contains("keep meA"),
            "{screen}"
        );
    }
    s.keys(" too");
    s.wait_for("keep me too");
    s.keys("\x1b");
    s.wait_for("Discard what you typed");
    s.keys("y");
    s.wait_gone("Note on SG-2026-0039");
    // Later than the escape time: the Esc counts alone (nothing on the
    // dashboard), the tail is dropped and said.
    s.keys("\x1b");
    std::thread::sleep(Duration::from_millis(400));
    s.keys("[A");
    s.wait_for("Ignored a split key sequence");
    s.settle(200);
    assert!(!s.screen().contains("Take it from them"), "{}", s.screen());
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
    // Nothing was acknowledged or assigned by the tester.
    let out = std::process::Command::new(BIN)
        .args(["show", "SG-2026-0039", "--db"])
        .arg(&db)
        .env("DUTYDESK_USER", "tester")
        .env("DUTYDESK_NOW", NOW)
        .env("DUTYDESK_CONFIG", db.with_extension("toml"))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(!shown.contains("tester ·"), "{shown}");
}

/// Drafts belong to the staff account, not the OS account: a second
/// identity on the same OS account (a demo's DUTYDESK_USER) is not offered
/// the first one's note; the first gets it back.
#[test]
fn a_draft_is_offered_only_to_the_account_that_typed_it() {
    let dir = private_dir();
    let db = make_demo(dir.path());
    let join = std::process::Command::new(BIN)
        .args(["demo", "--no-open", "--db"])
        .arg(&db)
        .env("DUTYDESK_USER", "second")
        .env("DUTYDESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(join.status.success());
    let mut s = Session::start_as(&db, 100, 30, "tester");
    s.wait_for("SG-2026-0039");
    s.keys("N");
    s.wait_for("Note on SG-2026-0039");
    s.keys("words for the tester alone");
    s.wait_for("tester alone");
    std::thread::sleep(Duration::from_millis(1600));
    s.signal(libc::SIGKILL);
    s.wait_exit();

    let mut other = Session::start_as(&db, 100, 30, "second");
    other.wait_for("Open escalations");
    other.settle(1500);
    assert!(
        !other.screen().contains("Unsaved drafts"),
        "{}",
        other.screen()
    );
    other.keys("q");
    assert_eq!(other.wait_exit(), 0);

    let mut s = Session::start_as(&db, 100, 30, "tester");
    s.wait_for("Unsaved drafts");
    s.keys("\r");
    s.wait_for("words for the tester alone");
    s.keys("\x1b");
    s.wait_for("Discard what you typed");
    s.keys("y");
    s.wait_gone("Note on SG-2026-0039");
    s.keys("q");
    assert_eq!(s.wait_exit(), 0);
}
