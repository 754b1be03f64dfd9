//! Alerts: which deadline and assignment events a user should hear about, and
//! the words used. Words stay generic (a reference and a deadline's name),
//! because alerts leave the desk: desktop pop-ups, terminal titles, cron mail.

use super::calendar::format_stamp;
use super::deadline::{Deadline, DeadlineStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;

coded_enum! {
    /// What happened.
    AlertKind {
        DueSoon = "due_soon", "due soon";
        Overdue = "overdue", "overdue";
        Assigned = "assigned", "assigned to you";
        Unacknowledged = "unacknowledged", "not acknowledged";
        UnacknowledgedAll = "unacknowledged_all", "still not acknowledged";
        Taken = "taken", "taken by another DSL";
    }
}

/// One event for one user. `subject_id` identifies it for "announced once":
/// the deadline's id, or the chronology entry of the assignment (for
/// `Assigned` and `Taken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub subject_id: i64,
    pub reference: String,
    /// The deadline's name, empty for an assignment.
    pub label: String,
    pub due_at: Option<DateTime<Utc>>,
}

/// Whether an escalation's events are this user's business: theirs if it is
/// assigned to them, the duty DSL's too, and everyone's when nobody holds it.
pub fn concerns(me: i64, assignee: Option<i64>, on_duty: Option<i64>) -> bool {
    assignee == Some(me) || on_duty == Some(me) || (assignee.is_none() && on_duty.is_none())
}

/// Alerts for open deadlines that have entered their warning window or gone
/// overdue, for user `me`. An overdue deadline alerts as overdue only (its
/// due-soon moment has passed unannounced if nobody was looking).
pub fn deadline_alerts(
    deadlines: &[Deadline],
    now: DateTime<Utc>,
    me: i64,
    on_duty: Option<i64>,
) -> Vec<Alert> {
    deadlines
        .iter()
        .filter(|d| concerns(me, d.assignee_id, on_duty))
        .filter_map(|d| {
            let kind = match d.status(now) {
                DeadlineStatus::Overdue => AlertKind::Overdue,
                DeadlineStatus::DueSoon => AlertKind::DueSoon,
                _ => return None,
            };
            Some(Alert {
                kind,
                subject_id: d.id,
                reference: d.reference.clone(),
                label: d.label.clone(),
                due_at: Some(d.due_at),
            })
        })
        .collect()
}

impl Alert {
    /// (title, body) for a notification.
    pub fn text(&self) -> (String, String) {
        let due = self.due_at.map(format_stamp).unwrap_or_default();
        match self.kind {
            AlertKind::Overdue => (
                format!("{} overdue", self.reference),
                format!("{} was due {due}", self.label),
            ),
            AlertKind::DueSoon => (
                format!("{} due soon", self.reference),
                format!("{} due {due}", self.label),
            ),
            AlertKind::Assigned => (
                format!("{} assigned to you", self.reference),
                "Open dutydesk to see the record".to_string(),
            ),
            // The previous holder learns that their case moved on, never
            // who took it or why: the words leave the desk.
            AlertKind::Taken => (
                format!("{} was taken by another DSL", self.reference),
                "Open dutydesk to see who holds it now".to_string(),
            ),
            AlertKind::Unacknowledged | AlertKind::UnacknowledgedAll => (
                format!("{} not acknowledged", self.reference),
                format!("Raised {due}; nobody has taken it (A in dutydesk)"),
            ),
        }
    }

    /// One line for the in-app banner and cron output.
    pub fn line(&self) -> String {
        let (title, body) = self.text();
        format!("{title}: {body}")
    }
}

/// How long a new escalation may wait for a DSL to acknowledge it before the
/// duty DSL is alerted; twice this, and every DSL is. Immediate risk waits less.
pub fn ack_window(setting_minutes: u32, immediate_risk: bool) -> chrono::Duration {
    let m = if immediate_risk {
        setting_minutes.min(5)
    } else {
        setting_minutes
    };
    chrono::Duration::minutes(m as i64)
}

/// Which unacknowledged alert `me` should have for an escalation raised at
/// `raised`: the duty DSL (or everyone, with nobody on duty) after one window,
/// every DSL after two.
pub fn unacknowledged_alert(
    raised: DateTime<Utc>,
    window: chrono::Duration,
    now: DateTime<Utc>,
    me: i64,
    on_duty: Option<i64>,
) -> Option<AlertKind> {
    let waited = now - raised;
    if waited >= window * 2 {
        Some(AlertKind::UnacknowledgedAll)
    } else if waited >= window && (on_duty == Some(me) || on_duty.is_none()) {
        Some(AlertKind::Unacknowledged)
    } else {
        None
    }
}

/// A banner line for several alerts at once: the most urgent first, then a count.
pub fn summary(alerts: &[Alert]) -> Option<String> {
    let first = alerts
        .iter()
        .min_by_key(|a| (a.kind != AlertKind::Overdue, a.due_at))?;
    Some(match alerts.len() {
        1 => first.line(),
        n => format!("{} (and {} more)", first.line(), n - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deadline::DeadlineState;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn deadline(id: i64, due_in_min: i64, assignee: Option<i64>) -> Deadline {
        Deadline {
            id,
            escalation_id: id,
            reference: format!("SG-2026-{id:04}"),
            label: "LADO referral".into(),
            due_at: now() + Duration::minutes(due_in_min),
            warn_minutes: 240,
            state: DeadlineState::Open,
            beyond_calendar: false,
            assignee_id: assignee,
            source: Default::default(),
        }
    }

    #[test]
    fn routing_reaches_the_assignee_and_the_duty_dsl() {
        assert!(concerns(1, Some(1), Some(2)));
        assert!(concerns(2, Some(1), Some(2)));
        assert!(!concerns(3, Some(1), Some(2)));
        // Nobody holds it and nobody is on duty: everyone hears.
        assert!(concerns(3, None, None));
        // Unassigned but someone is on duty: the duty DSL hears.
        assert!(!concerns(3, None, Some(2)));
        assert!(concerns(2, None, Some(2)));
    }

    #[test]
    fn only_warning_window_and_overdue_deadlines_alert() {
        let list = vec![
            deadline(1, -30, Some(7)), // overdue
            deadline(2, 120, Some(7)), // within 4 h
            deadline(3, 600, Some(7)), // later
            deadline(4, -5, Some(8)),  // someone else's
        ];
        let alerts = deadline_alerts(&list, now(), 7, None);
        let got: Vec<(i64, AlertKind)> = alerts.iter().map(|a| (a.subject_id, a.kind)).collect();
        assert_eq!(got, vec![(1, AlertKind::Overdue), (2, AlertKind::DueSoon)]);
        // The same list for the duty DSL includes the other user's overdue one.
        assert_eq!(deadline_alerts(&list, now(), 9, Some(9)).len(), 3);
    }

    #[test]
    fn unacknowledged_goes_to_the_duty_dsl_then_everyone() {
        let w = ack_window(15, false);
        assert_eq!(ack_window(15, true), Duration::minutes(5));
        let raised = now() - Duration::minutes(20);
        assert_eq!(
            unacknowledged_alert(raised, w, now(), 1, Some(1)),
            Some(AlertKind::Unacknowledged)
        );
        assert_eq!(unacknowledged_alert(raised, w, now(), 2, Some(1)), None);
        assert_eq!(
            unacknowledged_alert(raised, w, now(), 2, None),
            Some(AlertKind::Unacknowledged)
        );
        let older = now() - Duration::minutes(31);
        assert_eq!(
            unacknowledged_alert(older, w, now(), 2, Some(1)),
            Some(AlertKind::UnacknowledgedAll)
        );
        assert_eq!(
            unacknowledged_alert(now() - Duration::minutes(10), w, now(), 1, Some(1)),
            None
        );
    }

    #[test]
    fn words_are_generic() {
        let a = deadline_alerts(&[deadline(42, -40, Some(1))], now(), 1, None);
        assert_eq!(a[0].text().0, "SG-2026-0042 overdue");
        assert_eq!(a[0].text().1, "LADO referral was due 23 Nov 2026 08:20");
        let two = vec![
            deadline_alerts(&[deadline(5, 100, Some(1))], now(), 1, None)[0].clone(),
            a[0].clone(),
        ];
        assert_eq!(
            summary(&two).unwrap(),
            "SG-2026-0042 overdue: LADO referral was due 23 Nov 2026 08:20 (and 1 more)"
        );
        assert_eq!(summary(&[]), None);
        let taken = Alert {
            kind: AlertKind::Taken,
            subject_id: 77,
            reference: "SG-2026-0042".into(),
            label: String::new(),
            due_at: None,
        };
        assert_eq!(
            taken.line(),
            "SG-2026-0042 was taken by another DSL: Open dutydesk to see who holds it now"
        );
    }
}
