//! Getting a deadline alert in front of the DSL: the terminal bell, a
//! notification through the terminal itself (OSC 9 / OSC 777, which also works
//! over SSH), and a desktop notification over D-Bus.
//!
//! No database or screen code lives here; the store decides *what* to announce
//! and the TUI or `dutydesk notify` call into this module to announce it.
//!
//! Two rules shape the code:
//! - **Nothing personal leaves the process.** A notice carries a reference and a
//!   deadline label; a notification daemon may log it or show it on a locked
//!   screen, and a terminal may forward it to another machine.
//! - **Nothing blocks the caller.** A desktop daemon can hang; each show runs on
//!   its own thread and is abandoned after a timeout, so a stuck D-Bus never
//!   freezes the duty screen.

use crate::domain::text::clean_line;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Longest text (in characters) put into one field of a terminal notification:
/// enough for a reference and a label, short enough that no terminal truncates
/// the sequence part-way.
pub const MAX_TEXT_CHARS: usize = 200;

/// How many abandoned (timed-out, still running) desktop shows the [`Notifier`]
/// tolerates before it skips further ones until one of them returns.
pub const MAX_STUCK_SHOWS: usize = 4;

/// Why the DSL is being told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    DueSoon,
    Overdue,
    Assigned,
}

/// What to announce. Text is generic (a reference and a deadline label), never personal details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
}

/// Which terminal notification sequence to send, if any. OSC 9 is understood by
/// iTerm2, kitty, WezTerm, foot, Ghostty and others; OSC 777 by VTE-based
/// terminals (GNOME Terminal, Tilix), foot and WezTerm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TerminalStyle {
    #[default]
    Off,
    Osc9,
    Osc777,
}

/// The channels a notice goes out on, from the user's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub bell: bool,
    pub terminal: TerminalStyle,
    pub desktop: bool,
}

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// Bytes to write to the user's terminal for a notice: BEL (0x07) if bell, then an OSC 9
/// (`ESC ] 9 ; text BEL`) or OSC 777 (`ESC ] 777 ; notify ; title ; body BEL`) if enabled.
/// When `in_tmux`, each OSC is wrapped in tmux passthrough: `ESC P tmux ; <seq with every ESC doubled> ESC \`
/// (tmux forwards it only with `set -g allow-passthrough on`).
///
/// All text is sanitised, because a control or bidi character inside the text
/// could end the sequence early and inject another (a clipboard write, a title
/// change): control characters (C0, DEL, C1) and bidi controls are removed, `;`
/// becomes `,` (it separates OSC 777 fields, and ConEmu and Windows Terminal read
/// a leading `9;N;` as a command such as a progress bar), and each field is
/// capped at [`MAX_TEXT_CHARS`].
pub fn terminal_bytes(n: &Notice, ch: &Channels, in_tmux: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if ch.bell {
        out.push(BEL);
    }
    let osc = match ch.terminal {
        TerminalStyle::Off => return out,
        TerminalStyle::Osc9 => {
            let (title, body) = (osc_text(&n.title), osc_text(&n.body));
            let text = match (title.is_empty(), body.is_empty()) {
                (false, false) => format!("{title}: {body}"),
                (false, true) => title,
                (true, _) => body,
            };
            format!("\x1b]9;{}\x07", cap(&text))
        }
        TerminalStyle::Osc777 => format!(
            "\x1b]777;notify;{};{}\x07",
            osc_text(&n.title),
            osc_text(&n.body)
        ),
    };
    if in_tmux {
        out.extend_from_slice(b"\x1bPtmux;");
        for &b in osc.as_bytes() {
            if b == ESC {
                out.push(ESC);
            }
            out.push(b);
        }
        out.extend_from_slice(b"\x1b\\");
    } else {
        out.extend_from_slice(osc.as_bytes());
    }
    out
}

/// Whether the terminal is tmux, so OSC sequences need passthrough wrapping.
/// `env` is injected for tests.
pub fn in_tmux(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env("TMUX").is_some_and(|v| !v.is_empty())
}

/// One field of an OSC sequence: one clean line, `;` as `,`, capped.
fn osc_text(s: &str) -> String {
    cap(clean_line(s).replace(';', ",").trim())
}

/// At most [`MAX_TEXT_CHARS`] characters, ending in `…` when cut.
fn cap(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT_CHARS {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_TEXT_CHARS - 1).collect();
    out.push('…');
    out
}

/// What became of one desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Shown,
    Failed(String),
    /// The daemon did not answer in time; the attempt was abandoned.
    TimedOut,
    /// Not attempted: too many earlier shows are still stuck.
    Skipped,
}

/// A desktop notification backend; a trait so tests can fake a failing or hanging daemon.
pub trait Desktop: Send + Sync + 'static {
    fn show(&self, n: &Notice) -> Result<(), String>;
}

/// notify-rust over D-Bus (summary = title, body = body, app name "dutydesk", a short expiry).
#[derive(Debug, Clone, Copy, Default)]
pub struct DbusDesktop;

/// How long a desktop notification stays up: an alert, not a to-do list; the
/// duty screen is the record.
const DESKTOP_EXPIRY_MS: u32 = 10_000;

#[cfg(feature = "desktop")]
impl Desktop for DbusDesktop {
    fn show(&self, n: &Notice) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("dutydesk")
            .summary(&clean_line(&n.title))
            .body(&markup_escape(&clean_line(&n.body)))
            .timeout(notify_rust::Timeout::Milliseconds(DESKTOP_EXPIRY_MS))
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Built without the `desktop` feature (a headless host, no D-Bus library):
/// there is no desktop to show on, so every show says so and the banner,
/// bell and terminal notifications carry the alert.
#[cfg(not(feature = "desktop"))]
impl Desktop for DbusDesktop {
    fn show(&self, _n: &Notice) -> Result<(), String> {
        Err("built without desktop notifications (feature `desktop`)".into())
    }
}

/// Most daemons read the body as a subset of HTML (links, images); escape it so
/// the text is shown, never interpreted.
#[cfg_attr(not(feature = "desktop"), allow(dead_code))]
fn markup_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whether a D-Bus session bus is reachable: DBUS_SESSION_BUS_ADDRESS non-empty, or $XDG_RUNTIME_DIR/bus exists as a socket. `env` is injected for tests.
///
/// Checked before trying, so a plain SSH session (no bus) does not pay for a
/// connection attempt on every alert.
pub fn dbus_available(env: &dyn Fn(&str) -> Option<String>) -> bool {
    // Built without desktop notifications: never try.
    if !cfg!(feature = "desktop") {
        return false;
    }
    if env("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let Some(dir) = env("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) else {
        return false;
    };
    is_socket(&std::path::Path::new(&dir).join("bus"))
}

#[cfg(unix)]
fn is_socket(p: &std::path::Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(not(unix))]
fn is_socket(_: &std::path::Path) -> bool {
    false
}

/// Shows one notice, waiting at most `timeout`: the call runs on its own thread, and a
/// hanging daemon is abandoned (the thread is left to finish on its own), never waited for.
/// A panicking backend counts as `Failed`.
pub fn show_with_timeout(desktop: Arc<dyn Desktop>, n: &Notice, timeout: Duration) -> Outcome {
    attempt(desktop, n, timeout, Arc::new(AtomicUsize::new(0)))
}

/// Decrements the in-flight count when the show thread ends, however it ends.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// [`show_with_timeout`], counting the show in `in_flight` until its thread ends
/// (which may be long after this returns `TimedOut`).
fn attempt(
    desktop: Arc<dyn Desktop>,
    n: &Notice,
    timeout: Duration,
    in_flight: Arc<AtomicUsize>,
) -> Outcome {
    let (tx, rx) = mpsc::sync_channel(1);
    let notice = n.clone();
    in_flight.fetch_add(1, Ordering::SeqCst);
    let guard = InFlight(in_flight);
    let spawned = std::thread::Builder::new()
        .name("dutydesk-notify-show".into())
        .spawn(move || {
            let _guard = guard;
            // The receiver may be gone (timed out); nobody is left to tell.
            let _ = tx.send(desktop.show(&notice));
        });
    if let Err(e) = spawned {
        // The closure (and so the guard) was dropped: the count is already back.
        return Outcome::Failed(format!("cannot start a notification thread: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => Outcome::Shown,
        Ok(Err(e)) => Outcome::Failed(e),
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::TimedOut,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Outcome::Failed("the notification backend panicked".into())
        }
    }
}

/// The notifier thread: notices in over a channel, each shown with `show_with_timeout`,
/// outcomes reported through `report` (which must not block). Sending never blocks the caller.
/// Dropping the Notifier stops the thread (do not join a thread that may be stuck in a hung show: detach it).
///
/// Hung shows: every notice gets its own attempt, one at a time, each waited
/// for at most `timeout`. A timed-out show keeps running on its own thread; while
/// [`MAX_STUCK_SHOWS`] of them are still stuck, further notices are reported
/// `Skipped` instead of piling up more threads against a dead daemon. As soon as
/// one stuck show returns, attempts resume. The queue therefore drains at no
/// worse than one notice per `timeout`, and threads stay bounded.
pub struct Notifier {
    tx: mpsc::Sender<Notice>,
    stop: Arc<AtomicBool>,
}

impl Notifier {
    pub fn spawn(
        desktop: Arc<dyn Desktop>,
        timeout: Duration,
        report: impl Fn(Outcome) + Send + 'static,
    ) -> Notifier {
        let (tx, rx) = mpsc::channel::<Notice>();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let spawned = std::thread::Builder::new()
            .name("dutydesk-notifier".into())
            .spawn(move || {
                while let Ok(n) = rx.recv() {
                    if stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    let outcome = if in_flight.load(Ordering::SeqCst) >= MAX_STUCK_SHOWS {
                        Outcome::Skipped
                    } else {
                        attempt(Arc::clone(&desktop), &n, timeout, Arc::clone(&in_flight))
                    };
                    if stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    // A panicking reporter must not end notifications for the session.
                    let _ = catch_unwind(AssertUnwindSafe(|| report(outcome)));
                }
            });
        // Without a thread the receiver is gone and `send` quietly drops notices:
        // alerts still reach the terminal and the screen, only the desktop is lost.
        drop(spawned);
        Notifier { tx, stop }
    }

    /// Queues a notice; returns at once whatever the daemon is doing.
    pub fn send(&self, n: Notice) {
        let _ = self.tx.send(n);
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        // The thread sees the flag before its next notice (or after its current
        // attempt times out) and ends; the closed channel wakes it if idle.
        self.stop.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    fn notice(title: &str, body: &str) -> Notice {
        Notice {
            kind: NoticeKind::Overdue,
            title: title.into(),
            body: body.into(),
        }
    }

    fn ch(bell: bool, terminal: TerminalStyle) -> Channels {
        Channels {
            bell,
            terminal,
            desktop: false,
        }
    }

    #[allow(non_snake_case)]
    fn N() -> Notice {
        notice("SG-2026-0018", "overdue 11d")
    }

    #[test]
    fn bell_only() {
        assert_eq!(
            terminal_bytes(&N(), &ch(true, TerminalStyle::Off), false),
            b"\x07"
        );
        // tmux needs no wrapping for a plain BEL.
        assert_eq!(
            terminal_bytes(&N(), &ch(true, TerminalStyle::Off), true),
            b"\x07"
        );
    }

    #[test]
    fn all_off_is_empty() {
        assert!(terminal_bytes(&N(), &ch(false, TerminalStyle::Off), false).is_empty());
        assert!(terminal_bytes(&N(), &ch(false, TerminalStyle::Off), true).is_empty());
    }

    #[test]
    fn osc9() {
        assert_eq!(
            terminal_bytes(&N(), &ch(false, TerminalStyle::Osc9), false),
            b"\x1b]9;SG-2026-0018: overdue 11d\x07"
        );
        assert_eq!(
            terminal_bytes(&N(), &ch(true, TerminalStyle::Osc9), false),
            b"\x07\x1b]9;SG-2026-0018: overdue 11d\x07"
        );
        assert_eq!(
            terminal_bytes(&notice("SG-1", ""), &ch(false, TerminalStyle::Osc9), false),
            b"\x1b]9;SG-1\x07"
        );
    }

    #[test]
    fn osc777() {
        assert_eq!(
            terminal_bytes(&N(), &ch(true, TerminalStyle::Osc777), false),
            b"\x07\x1b]777;notify;SG-2026-0018;overdue 11d\x07"
        );
    }

    #[test]
    fn tmux_passthrough_doubles_esc() {
        assert_eq!(
            terminal_bytes(&N(), &ch(true, TerminalStyle::Osc9), true),
            b"\x07\x1bPtmux;\x1b\x1b]9;SG-2026-0018: overdue 11d\x07\x1b\\"
        );
        assert_eq!(
            terminal_bytes(&N(), &ch(false, TerminalStyle::Osc777), true),
            b"\x1bPtmux;\x1b\x1b]777;notify;SG-2026-0018;overdue 11d\x07\x1b\\"
        );
    }

    #[test]
    fn injected_sequences_never_reach_the_terminal() {
        let evil = notice(
            "SG-1\x1b]52;c;ZXZpbA==\x07\u{202E}x\u{9b}",
            "a;b\x07\x1b[2J\u{2066}\u{200F}c\x7f\u{85}\nd",
        );
        for style in [TerminalStyle::Osc9, TerminalStyle::Osc777] {
            for tmux in [false, true] {
                let out = terminal_bytes(&evil, &ch(false, style), tmux);
                let s = String::from_utf8(out.clone()).unwrap();
                let inner = if tmux {
                    s.strip_prefix("\x1bPtmux;\x1b\x1b]")
                        .and_then(|s| s.strip_suffix("\x07\x1b\\"))
                } else {
                    s.strip_prefix("\x1b]").and_then(|s| s.strip_suffix('\x07'))
                }
                .unwrap_or_else(|| panic!("bad framing: {s:?}"));
                assert!(
                    !inner.chars().any(|c| c.is_control()
                        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')),
                    "{inner:?}"
                );
            }
        }
        assert_eq!(
            terminal_bytes(&evil, &ch(false, TerminalStyle::Osc777), false),
            "\x1b]777;notify;SG-1]52,c,ZXZpbA==x;a,b[2Jc d\x07".as_bytes()
        );
        assert_eq!(
            terminal_bytes(&evil, &ch(false, TerminalStyle::Osc9), false),
            "\x1b]9;SG-1]52,c,ZXZpbA==x: a,b[2Jc d\x07".as_bytes()
        );
    }

    #[test]
    fn text_is_capped() {
        let long = "x".repeat(1000);
        let out = terminal_bytes(
            &notice(&long, &long),
            &ch(false, TerminalStyle::Osc777),
            false,
        );
        let s = String::from_utf8(out).unwrap();
        let fields: Vec<&str> = s.trim_end_matches('\x07').split(';').collect();
        assert_eq!(fields.len(), 4);
        assert_eq!(fields[2].chars().count(), MAX_TEXT_CHARS);
        assert!(fields[3].ends_with('…'));
        let out = terminal_bytes(
            &notice(&long, &long),
            &ch(false, TerminalStyle::Osc9),
            false,
        );
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s.chars().count(), "\x1b]9;\x07".len() + MAX_TEXT_CHARS);
    }

    #[test]
    fn tmux_detection() {
        assert!(in_tmux(
            &|k| (k == "TMUX").then(|| "/tmp/tmux-0/default,1,0".into())
        ));
        assert!(!in_tmux(&|k| (k == "TMUX").then(String::new)));
        assert!(!in_tmux(&|_| None));
    }

    /// Records what it shows; optionally fails or sleeps first.
    #[derive(Default)]
    struct Fake {
        shown: Mutex<Vec<Notice>>,
        sleep: Option<Duration>,
        fail: bool,
    }

    impl Desktop for Fake {
        fn show(&self, n: &Notice) -> Result<(), String> {
            if let Some(d) = self.sleep {
                std::thread::sleep(d);
            }
            if self.fail {
                return Err("no daemon".into());
            }
            self.shown.lock().unwrap().push(n.clone());
            Ok(())
        }
    }

    struct Panics;
    impl Desktop for Panics {
        fn show(&self, _: &Notice) -> Result<(), String> {
            panic!("backend bug")
        }
    }

    fn hanging() -> Arc<Fake> {
        Arc::new(Fake {
            sleep: Some(Duration::from_secs(10)),
            ..Fake::default()
        })
    }

    const T: Duration = Duration::from_millis(200);

    #[test]
    fn show_outcomes() {
        let ok = Arc::new(Fake::default());
        assert_eq!(show_with_timeout(ok.clone(), &N(), T), Outcome::Shown);
        assert_eq!(*ok.shown.lock().unwrap(), vec![N()]);
        let failing = Arc::new(Fake {
            fail: true,
            ..Fake::default()
        });
        assert_eq!(
            show_with_timeout(failing, &N(), T),
            Outcome::Failed("no daemon".into())
        );
        assert!(matches!(
            show_with_timeout(Arc::new(Panics), &N(), Duration::from_secs(5)),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn hanging_daemon_times_out() {
        let start = Instant::now();
        assert_eq!(show_with_timeout(hanging(), &N(), T), Outcome::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    /// Collects reported outcomes so a test can wait for them.
    fn collector() -> (impl Fn(Outcome) + Send + 'static, mpsc::Receiver<Outcome>) {
        let (tx, rx) = mpsc::channel();
        (
            move |o| {
                let _ = tx.send(o);
            },
            rx,
        )
    }

    #[test]
    fn notifier_shows_in_order_and_reports() {
        let fake = Arc::new(Fake::default());
        let (report, outcomes) = collector();
        let notifier = Notifier::spawn(fake.clone(), T, report);
        let sent: Vec<Notice> = (0..5).map(|i| notice(&format!("SG-{i}"), "due")).collect();
        for n in &sent {
            notifier.send(n.clone());
        }
        for _ in &sent {
            let o = outcomes.recv_timeout(Duration::from_secs(5)).unwrap();
            assert_eq!(o, Outcome::Shown);
        }
        assert_eq!(*fake.shown.lock().unwrap(), sent);
    }

    #[test]
    fn hanging_daemon_never_blocks_the_caller() {
        let (report, outcomes) = collector();
        let notifier = Notifier::spawn(hanging(), Duration::from_millis(50), report);
        let start = Instant::now();
        for i in 0..(MAX_STUCK_SHOWS + 2) {
            notifier.send(notice(&format!("SG-{i}"), "due"));
        }
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
        // The first MAX_STUCK_SHOWS each get their own attempt; then skipped.
        let mut got = Vec::new();
        for _ in 0..(MAX_STUCK_SHOWS + 2) {
            got.push(outcomes.recv_timeout(Duration::from_secs(5)).unwrap());
        }
        let mut want = vec![Outcome::TimedOut; MAX_STUCK_SHOWS];
        want.extend([Outcome::Skipped, Outcome::Skipped]);
        assert_eq!(got, want);
        let start = Instant::now();
        notifier.send(N());
        drop(notifier);
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn attempts_resume_once_stuck_shows_return() {
        let slow = Arc::new(Fake {
            sleep: Some(Duration::from_millis(1000)),
            ..Fake::default()
        });
        let (report, outcomes) = collector();
        let notifier = Notifier::spawn(slow.clone(), Duration::from_millis(20), report);
        for _ in 0..=MAX_STUCK_SHOWS {
            notifier.send(N());
        }
        let mut got = Vec::new();
        for _ in 0..=MAX_STUCK_SHOWS {
            got.push(outcomes.recv_timeout(Duration::from_secs(5)).unwrap());
        }
        assert_eq!(got.last(), Some(&Outcome::Skipped), "{got:?}");
        // The abandoned shows finish on their own; then notices are tried again.
        let deadline = Instant::now() + Duration::from_secs(10);
        while slow.shown.lock().unwrap().len() < MAX_STUCK_SHOWS && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(50));
        notifier.send(N());
        assert_eq!(
            outcomes.recv_timeout(Duration::from_secs(5)).unwrap(),
            Outcome::TimedOut
        );
    }

    #[test]
    fn dbus_detection() {
        assert!(!dbus_available(&|_| None));
        assert!(!dbus_available(&|_| Some(String::new())));
        assert!(dbus_available(&|k| {
            (k == "DBUS_SESSION_BUS_ADDRESS").then(|| "unix:path=/run/user/1000/bus".into())
        }));

        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_owned();
        let runtime = move |k: &str| (k == "XDG_RUNTIME_DIR").then(|| d.clone());
        assert!(!dbus_available(&runtime), "no bus file");
        std::fs::write(dir.path().join("bus"), "").unwrap();
        assert!(!dbus_available(&runtime), "a regular file is not a bus");
        std::fs::remove_file(dir.path().join("bus")).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("bus")).unwrap();
        assert!(dbus_available(&runtime));
    }
}

/// OSC 52: puts `text` on the clipboard of the terminal the user sits at,
/// over SSH too (most terminals allow it; tmux needs `set-clipboard on`).
/// Only the text given is sent, base64-encoded, with control characters removed.
pub fn clipboard_bytes(text: &str, in_tmux: bool) -> Vec<u8> {
    let clean = crate::domain::text::clean_line(text);
    let seq = format!("\x1b]52;c;{}\x07", base64(clean.as_bytes()));
    if in_tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b")).into_bytes()
    } else {
        seq.into_bytes()
    }
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod clipboard_tests {
    use super::*;

    #[test]
    fn base64_and_osc52() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"0116 305 0005"), "MDExNiAzMDUgMDAwNQ==");
        assert_eq!(
            clipboard_bytes("0116 305 0005", false),
            b"\x1b]52;c;MDExNiAzMDUgMDAwNQ==\x07".to_vec()
        );
        let wrapped = String::from_utf8(clipboard_bytes("999", true)).unwrap();
        assert!(
            wrapped.starts_with("\x1bPtmux;\x1b\x1b]52;c;OTk5\x07"),
            "{wrapped:?}"
        );
        assert!(wrapped.ends_with("\x1b\\"));
        // An escape sequence in the text never reaches the terminal raw.
        let evil = String::from_utf8(clipboard_bytes("1\x1b]0;x\x07", false)).unwrap();
        assert_eq!(evil.matches('\x1b').count(), 1);
    }
}
