//! Announcing alerts from the dashboard: the bell and terminal notification
//! are written to this terminal between frames (they travel over SSH); the
//! desktop notification goes to the notifier thread, which never blocks the
//! screen whatever D-Bus does.

use crate::config::Config;
use crate::domain::alert::{Alert, AlertKind};
use crate::notify::{
    Channels, DbusDesktop, Desktop, Notice, NoticeKind, Notifier, dbus_available, in_tmux,
    terminal_bytes,
};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// How long a desktop notification may take before it is abandoned.
pub const DESKTOP_TIMEOUT: Duration = Duration::from_secs(3);

/// Several alerts at once make one notification, not a burst.
pub const MAX_SEPARATE: usize = 3;

pub struct Announcer {
    channels: Channels,
    in_tmux: bool,
    desktop: Option<Notifier>,
    terminal: Box<dyn Write>,
}

impl Announcer {
    /// From the user's settings and environment: this terminal, and the
    /// desktop only when enabled and a D-Bus session is there.
    pub fn new(config: &Config) -> Announcer {
        let env = |k: &str| std::env::var(k).ok();
        let channels = config.channels();
        let desktop = (channels.desktop && dbus_available(&env)).then(|| {
            let d: Arc<dyn Desktop> = Arc::new(DbusDesktop);
            d
        });
        Announcer::with(
            channels,
            in_tmux(&env),
            desktop,
            Box::new(std::io::stdout()),
        )
    }

    /// With the channels given: tests pass a fake desktop and a buffer.
    pub fn with(
        channels: Channels,
        in_tmux: bool,
        desktop: Option<Arc<dyn Desktop>>,
        terminal: Box<dyn Write>,
    ) -> Announcer {
        Announcer {
            desktop: desktop.map(|d| Notifier::spawn(d, DESKTOP_TIMEOUT, |_| {})),
            channels,
            in_tmux,
            terminal,
        }
    }

    pub fn announce(&mut self, alerts: &[Alert]) {
        let notices = notices(alerts);
        let mut out = Vec::new();
        for n in &notices {
            out.extend(terminal_bytes(n, &self.channels, self.in_tmux));
        }
        if !out.is_empty() {
            let _ = self.terminal.write_all(&out);
            let _ = self.terminal.flush();
        }
        if let Some(d) = &self.desktop {
            for n in notices {
                d.send(n);
            }
        }
    }
}

/// The notices for a batch of alerts: one each for a few, a summary for many.
pub fn notices(alerts: &[Alert]) -> Vec<Notice> {
    let notice = |a: &Alert| {
        let (title, body) = a.text();
        Notice {
            kind: kind(a.kind),
            title,
            body,
        }
    };
    if alerts.len() <= MAX_SEPARATE {
        return alerts.iter().map(notice).collect();
    }
    let overdue = alerts
        .iter()
        .filter(|a| a.kind == AlertKind::Overdue)
        .count();
    let first = crate::domain::alert::summary(alerts).unwrap_or_default();
    vec![Notice {
        kind: if overdue > 0 {
            NoticeKind::Overdue
        } else {
            NoticeKind::DueSoon
        },
        title: format!("dutydesk: {} alerts ({overdue} overdue)", alerts.len()),
        body: first,
    }]
}

fn kind(k: AlertKind) -> NoticeKind {
    match k {
        AlertKind::DueSoon => NoticeKind::DueSoon,
        AlertKind::Overdue => NoticeKind::Overdue,
        AlertKind::Assigned | AlertKind::Taken => NoticeKind::Assigned,
        AlertKind::Unacknowledged | AlertKind::UnacknowledgedAll => NoticeKind::Overdue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::TerminalStyle;
    use chrono::TimeZone;
    use std::sync::Mutex;
    use std::sync::mpsc::{Sender, channel};

    /// A desktop that hands each notice to the test.
    struct Fake(Mutex<Sender<Notice>>);

    impl Desktop for Fake {
        fn show(&self, n: &Notice) -> Result<(), String> {
            self.0
                .lock()
                .unwrap()
                .send(n.clone())
                .map_err(|e| e.to_string())
        }
    }

    /// A terminal the test can read back.
    #[derive(Clone, Default)]
    struct Screen(Arc<Mutex<Vec<u8>>>);

    impl Write for Screen {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn alert(id: i64, kind: AlertKind) -> Alert {
        Alert {
            kind,
            subject_id: id,
            reference: format!("SG-2026-{id:04}"),
            label: "LADO referral".into(),
            due_at: Some(chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()),
        }
    }

    #[test]
    fn alerts_reach_the_terminal_and_the_desktop() {
        let (tx, rx) = channel();
        let screen = Screen::default();
        let channels = Channels {
            bell: true,
            terminal: TerminalStyle::Osc9,
            desktop: true,
        };
        let mut a = Announcer::with(
            channels,
            false,
            Some(Arc::new(Fake(Mutex::new(tx)))),
            Box::new(screen.clone()),
        );
        a.announce(&[alert(42, AlertKind::Overdue)]);
        let n = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(n.title, "SG-2026-0042 overdue");
        assert_eq!(n.kind, NoticeKind::Overdue);
        let bytes = String::from_utf8(screen.0.lock().unwrap().clone()).unwrap();
        assert!(bytes.starts_with('\x07'), "bell first: {bytes:?}");
        assert!(bytes.contains("\x1b]9;SG-2026-0042 overdue"), "{bytes:?}");
    }

    #[test]
    fn many_alerts_make_one_notice_and_silence_is_possible() {
        let five: Vec<Alert> = (1..=5).map(|i| alert(i, AlertKind::DueSoon)).collect();
        let n = notices(&five);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].title, "dutydesk: 5 alerts (0 overdue)");
        assert_eq!(notices(&five[..2]).len(), 2);
        let screen = Screen::default();
        let quiet = Channels {
            bell: false,
            terminal: TerminalStyle::Off,
            desktop: false,
        };
        let mut a = Announcer::with(quiet, false, None, Box::new(screen.clone()));
        a.announce(&five);
        assert!(screen.0.lock().unwrap().is_empty());
    }
}
