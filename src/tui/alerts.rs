//! Announcing alerts from the dashboard: the bell and terminal notification
//! are written to this terminal between frames (they travel over SSH); the
//! desktop notification goes to the notifier thread, which never blocks the
//! screen whatever D-Bus does.

use crate::config::Config;
use crate::domain::alert::{Alert, AlertKind};
use crate::notify::{
    Channels, DbusDesktop, Notice, NoticeKind, Notifier, dbus_available, terminal_bytes,
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
}

impl Announcer {
    pub fn new(config: &Config) -> Announcer {
        let channels = config.channels();
        let env = |k: &str| std::env::var(k).ok();
        let desktop = (channels.desktop && dbus_available(&env))
            .then(|| Notifier::spawn(Arc::new(DbusDesktop), DESKTOP_TIMEOUT, |_| {}));
        Announcer {
            channels,
            in_tmux: std::env::var_os("TMUX").is_some(),
            desktop,
        }
    }

    pub fn announce(&self, alerts: &[Alert]) {
        let notices = notices(alerts);
        let mut out = Vec::new();
        for n in &notices {
            out.extend(terminal_bytes(n, &self.channels, self.in_tmux));
        }
        if !out.is_empty() {
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(&out);
            let _ = stdout.flush();
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
        AlertKind::Assigned => NoticeKind::Assigned,
    }
}
