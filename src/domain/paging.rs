//! Alerts of the whole desk, as the notifier pages people about them and the
//! alerts list shows them: what happened, to which reference, since when,
//! and the words of a message that leaves the host (e-mail, an SMS or pager
//! gateway). The words carry the reference, the kind and how to act, never a
//! name, a note or anyone's words: a message may be read on a lock screen,
//! kept by a mail server or logged by a gateway.

use super::calendar::{format_stamp, local};
use super::escalation::Risk;
use super::policy::{Firing, Policy, PolicyKind};
use chrono::{DateTime, Utc};
use serde::Serialize;

coded_enum! {
    /// What an alert is about.
    Kind {
        Unacknowledged = "unacknowledged", "not acknowledged";
        Overdue = "overdue", "overdue";
        DueSoon = "due_soon", "due soon";
        Signoff = "signoff", "closure waits for sign-off";
        Assigned = "assigned", "assigned to you";
        Taken = "taken", "taken by another DSL";
        NobodyOnDuty = "nobody_on_duty", "nobody on duty";
        ShiftStart = "shift_start", "your duty shift has started";
    }
}

impl Kind {
    /// What the alert is about, as a list of alerts says it beside whether
    /// it still escalates: "not acknowledged" there read as contradicting a
    /// row whose alert was acknowledged ("✓ acknowledged … not
    /// acknowledged"), so the case's own state is said instead.
    pub fn listed(self) -> &'static str {
        match self {
            Kind::Unacknowledged => "nobody has taken the case",
            k => k.label(),
        }
    }

    /// The policy that escalates this kind.
    pub fn policy(self) -> PolicyKind {
        match self {
            Kind::Unacknowledged => PolicyKind::Unacknowledged,
            Kind::Overdue => PolicyKind::Overdue,
            Kind::DueSoon => PolicyKind::DueSoon,
            Kind::Signoff => PolicyKind::Signoff,
            Kind::Assigned | Kind::Taken => PolicyKind::Assigned,
            Kind::NobodyOnDuty => PolicyKind::NobodyOnDuty,
            Kind::ShiftStart => PolicyKind::ShiftStart,
        }
    }
}

coded_enum! {
    /// A deadline set by hand rather than by a rule: its label may hold
    /// words (a task's text, a review action's decision), so alerts name it
    /// by what it is, never by its label.
    Hand {
        Task = "task", "task";
        Action = "review_action", "review action";
    }
}

impl Hand {
    /// "A task" / "A review action": what a message says in place of a
    /// rule's name.
    pub fn said(self) -> String {
        format!("A {}", self.label())
    }
}

/// What is open on the desk, counted for one person (only cases they may
/// see), for the message at the start of their shift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OpenCounts {
    pub open: i64,
    pub overdue: i64,
    pub unacknowledged: i64,
}

/// One open alert of the desk. `subject_id` with `kind` identifies it (see
/// schema.sql, `alert_deliveries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskAlert {
    pub kind: Kind,
    pub subject_id: i64,
    /// The case it is about, if any (not for nobody-on-duty or shift start).
    pub escalation_id: Option<i64>,
    /// Shared text (`Arc<str>`), as `rule`: a desk's list of 10,000 alerts
    /// is copied from one check to the next without copying its words.
    pub reference: Option<std::sync::Arc<str>>,
    pub risk: Option<Risk>,
    /// A case with immediate risk to life: its alerts ignore quiet hours.
    pub immediate_risk: bool,
    /// When the policy's clock starts (UTC).
    pub started_at: DateTime<Utc>,
    /// The person it concerns: the holder of the case, the one it was taken
    /// from, the one whose shift starts.
    pub holder: Option<i64>,
    /// Never told: whoever proposed the closure waiting for sign-off, whoever
    /// assigned or took the case themselves.
    pub exclude: Vec<i64>,
    /// The deadline rule's name ("LADO referral"), only for deadlines a rule
    /// set: a deadline set by hand (a review action) may hold words.
    pub rule: Option<std::sync::Arc<str>>,
    /// A deadline set by hand (a task, a review action): said as "task
    /// overdue", never with its words.
    pub hand: Option<Hand>,
    pub due_at: Option<DateTime<Utc>>,
    /// Someone acknowledged it in the desk: its escalation has stopped.
    pub acknowledged: bool,
}

impl DeskAlert {
    /// How long it has been open, in whole minutes, at `now`.
    pub fn age_minutes(&self, now: DateTime<Utc>) -> i64 {
        (now - self.started_at).num_minutes().max(0)
    }
}

/// An alert's age for a list: "<1m", "45m", "5h 20m", "3d 4h".
pub fn format_age(minutes: i64) -> String {
    let m = minutes.max(0);
    match m {
        0 => "<1m".into(),
        1..=59 => format!("{m}m"),
        60..=1439 => format!("{}h {}m", m / 60, m % 60),
        _ => format!("{}d {}h", m / 1440, (m % 1440) / 60),
    }
}

/// Whether an open alert of this kind belongs in the dashboard's banner: the
/// kinds that escalate until someone acts and that acknowledging stops
/// (overdue, due soon, a closure waiting for sign-off, nobody on duty).
/// A case nobody has taken has its own banner line (it names the case to
/// select); "assigned to you", "taken" and "your shift has started" are
/// news for one person, announced once and listed on the alerts screen,
/// and nothing acknowledges them: in the banner they would stay for a day.
pub fn in_banner(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Overdue | Kind::DueSoon | Kind::Signoff | Kind::NobodyOnDuty
    )
}

/// How urgent a kind is for the banner's order (lower first).
fn urgency(kind: Kind) -> u8 {
    match kind {
        Kind::Unacknowledged => 0,
        Kind::Overdue => 1,
        Kind::NobodyOnDuty => 2,
        Kind::Signoff => 3,
        Kind::DueSoon => 4,
        Kind::Assigned | Kind::Taken => 5,
        Kind::ShiftStart => 6,
    }
}

impl DeskAlert {
    /// The kind in words, with what was set by hand: "overdue", "task
    /// overdue", "review action due soon"; an unacknowledged case says
    /// "nobody has taken the case" ([`Kind::listed`]).
    pub fn what(&self) -> String {
        match self.hand {
            Some(h) => format!("{} {}", h.label(), self.kind.label()),
            None => self.kind.listed().to_string(),
        }
    }
}

/// A short phrase for one alert: "SG-2026-0042 overdue: LADO referral",
/// "SG-2026-0042 task overdue". Only the reference, the kind and a rule's
/// name: never words.
pub fn phrase(a: &DeskAlert) -> String {
    let what = match (&a.reference, a.kind) {
        (_, Kind::NobodyOnDuty) => "nobody on duty".to_string(),
        (_, Kind::ShiftStart) => "your duty shift has started".to_string(),
        (Some(r), _) => format!("{r} {}", a.what()),
        (None, _) => a.what(),
    };
    match &a.rule {
        Some(rule) => format!("{what}: {rule}"),
        None => what,
    }
}

/// The alerts for the banner, most urgent first: open, not acknowledged, of
/// a banner kind ([`in_banner`]), not among `hidden` (kind, subject) pairs
/// the user has put out of sight; immediate risk to life first, then by
/// kind, then the oldest.
pub fn banner(alerts: &[DeskAlert], hidden: &Hidden) -> Vec<DeskAlert> {
    let mut out: Vec<DeskAlert> = in_banner_now(alerts, hidden).cloned().collect();
    out.sort_by_key(banner_order);
    out
}

/// Alerts put out of the banner's sight (kind, subject): a set, so a desk
/// with 10,000 open alerts can hide them all and still test each at once.
pub type Hidden = std::collections::HashSet<(Kind, i64)>;

/// The open alerts of the whole desk as the screen holds them: shared, not
/// copied, between the store worker, the dashboard and the alerts screen
/// (issue 21: at 1,000,000 escalations, 137,000 open, some 10,000 alerts).
pub type AlertList = std::sync::Arc<Vec<DeskAlert>>;

/// The alerts the banner is about (see [`banner`]), in the list's order.
pub fn in_banner_now<'a>(
    alerts: &'a [DeskAlert],
    hidden: &'a Hidden,
) -> impl Iterator<Item = &'a DeskAlert> + 'a {
    alerts
        .iter()
        .filter(|a| !a.acknowledged && in_banner(a.kind))
        .filter(|a| !hidden.contains(&(a.kind, a.subject_id)))
}

fn banner_order(a: &DeskAlert) -> (bool, u8, DateTime<Utc>) {
    (!a.immediate_risk, urgency(a.kind), a.started_at)
}

/// What the banner line says: the most urgent of [`banner`]'s alerts and
/// how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerHead {
    pub first: DeskAlert,
    pub count: usize,
}

/// [`banner`]'s first alert and its length, in one pass with nothing
/// sorted or copied but the first: the dashboard works it out when the
/// alerts or the hidden ones change, never per frame.
pub fn banner_head(alerts: &[DeskAlert], hidden: &Hidden) -> Option<BannerHead> {
    let mut count = 0;
    let first = in_banner_now(alerts, hidden)
        .inspect(|_| count += 1)
        .min_by_key(|a| banner_order(a))?
        .clone();
    Some(BannerHead { first, count })
}

/// A message to one person about one alert at one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub kind: Kind,
    pub reference: Option<String>,
    /// True for a case with immediate risk to life.
    pub urgent: bool,
    /// A short line: a mail subject, a pager's first line.
    pub title: String,
    /// The rest: what happened and how to act.
    pub text: String,
    /// The command that acts on it or stops it.
    pub act: String,
    /// 0 for the policy's steps, N for the Nth reminder after the last.
    pub round: u32,
    /// The step of the policy, counted from 1 as the text says it ("Step 2
    /// of 3"); a reminder says 1.
    pub step: u32,
    pub started_at: DateTime<Utc>,
}

/// The words for `alert` at `firing`. Only a reference, the kind, a deadline
/// rule's name, times and how to act; `counts` fills a shift-start message.
pub fn message(
    alert: &DeskAlert,
    policy: &Policy,
    firing: &Firing,
    counts: Option<OpenCounts>,
) -> Message {
    let r = alert.reference.clone().unwrap_or_default();
    let since = format_stamp(alert.started_at);
    let urgent = if alert.immediate_risk {
        "URGENT (immediate risk to life): "
    } else {
        ""
    };
    let rule = match (&alert.rule, alert.hand) {
        (Some(r), _) => r.to_string(),
        (None, Some(h)) => h.said(),
        (None, None) => "A deadline".to_string(),
    };
    let due = alert.due_at.map(format_stamp).unwrap_or_default();
    let ack = format!("dutydesk ack {r}");
    let (title, what, act) = match alert.kind {
        Kind::Unacknowledged => (
            format!("{urgent}{r} not acknowledged"),
            format!("Nobody has taken {r} since {since}."),
            ack.clone(),
        ),
        Kind::Overdue => (
            format!("{urgent}{r} {}", alert.what()),
            format!("{rule} was due {due} and is not met."),
            ack.clone(),
        ),
        Kind::DueSoon => (
            format!("{urgent}{r} {}", alert.what()),
            format!("{rule} is due {due}."),
            ack.clone(),
        ),
        Kind::Signoff => (
            format!("{urgent}{r} closure waits for sign-off"),
            format!(
                "A closure of {r} proposed {since} waits for a second DSL to sign it off or send it back (s or b on the record)."
            ),
            format!("dutydesk show {r}"),
        ),
        Kind::Assigned => (
            format!("{urgent}{r} assigned to you"),
            format!("{r} was assigned to you {since}."),
            format!("dutydesk show {r}"),
        ),
        Kind::Taken => (
            format!("{r} was taken by another DSL"),
            format!(
                "Another DSL took {r} from you {since}; open dutydesk to see who holds it now."
            ),
            format!("dutydesk show {r}"),
        ),
        Kind::NobodyOnDuty => (
            "Nobody is on duty".to_string(),
            format!(
                "Nobody has been on duty since {since}. Take over with `dutydesk rota take-over` (or H then T in dutydesk)."
            ),
            "dutydesk rota take-over".to_string(),
        ),
        Kind::ShiftStart => {
            let c = counts.unwrap_or_default();
            (
                format!(
                    "Your duty shift started {}",
                    local(alert.started_at).format("%H:%M")
                ),
                format!(
                    "Open now: {} escalations, {} overdue deadlines, {} not acknowledged. The handover: `dutydesk handover` (or H in dutydesk).",
                    c.open, c.overdue, c.unacknowledged
                ),
                "dutydesk handover".to_string(),
            )
        }
    };
    let stop = match alert.kind {
        Kind::Unacknowledged | Kind::Overdue | Kind::DueSoon => {
            format!(
                "To act: open dutydesk, select {r} and press A, or run `{ack}`; that stops these alerts for everyone."
            )
        }
        Kind::Signoff => format!(
            "To act: `dutydesk show {r}`, then `dutydesk signoff {r} ...`; `dutydesk alerts ack {r}` stops these alerts for everyone."
        ),
        Kind::NobodyOnDuty => {
            "`dutydesk alerts ack rota` stops these alerts for everyone.".to_string()
        }
        Kind::Assigned | Kind::Taken | Kind::ShiftStart => String::new(),
    };
    let total = policy.steps.len();
    let step = if firing.round == 0 {
        if total > 1 {
            format!(
                "Step {} of {total} of the escalation policy for {}.",
                firing.step + 1,
                alert.kind.policy().label()
            )
        } else {
            String::new()
        }
    } else {
        format!("Reminder {}: still not acknowledged.", firing.round)
    };
    let text = [what, stop, step]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Message {
        kind: alert.kind,
        reference: alert.reference.as_deref().map(str::to_string),
        urgent: alert.immediate_risk,
        title,
        text,
        act,
        round: firing.round,
        // Counted from 1, as the text says it ("Step 1 of 3").
        step: firing.step + 1,
        started_at: alert.started_at,
    }
}

/// What a command hook reads on standard input: one alert as one JSON
/// object (`version` 1), with whom it is for (`to.account`, and the address
/// they gave for the hook, `to.address`, e.g. an SMS number).
#[derive(Debug, Clone, Serialize)]
pub struct HookPayload<'a> {
    pub version: u32,
    #[serde(flatten)]
    pub message: &'a Message,
    pub to: HookTo<'a>,
    /// When this was sent, RFC 3339 UTC.
    pub sent_at: DateTime<Utc>,
}

/// The recipient, as a gateway needs them: no display name.
#[derive(Debug, Clone, Serialize)]
pub struct HookTo<'a> {
    pub account: &'a str,
    pub address: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn alert(kind: Kind) -> DeskAlert {
        DeskAlert {
            kind,
            subject_id: 7,
            escalation_id: Some(3),
            reference: Some("SG-2026-0042".into()),
            risk: Some(Risk::High),
            immediate_risk: false,
            started_at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
            holder: None,
            exclude: vec![],
            rule: Some("LADO referral".into()),
            hand: None,
            due_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()),
            acknowledged: false,
        }
    }

    #[test]
    fn the_banner_holds_what_escalates_most_urgent_first() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let at = |kind, id, mins: i64, immediate| DeskAlert {
            subject_id: id,
            started_at: t - chrono::Duration::minutes(mins),
            immediate_risk: immediate,
            ..alert(kind)
        };
        let list = vec![
            at(Kind::DueSoon, 1, 90, false),
            at(Kind::Overdue, 2, 10, false),
            at(Kind::Assigned, 3, 5, false),
            at(Kind::Signoff, 4, 60, false),
            at(Kind::DueSoon, 5, 5, true),
            DeskAlert {
                acknowledged: true,
                ..at(Kind::Overdue, 6, 120, false)
            },
            at(Kind::Unacknowledged, 7, 30, false),
        ];
        let ids: Vec<i64> = banner(&list, &Hidden::new())
            .iter()
            .map(|a| a.subject_id)
            .collect();
        let head = banner_head(&list, &Hidden::new()).unwrap();
        assert_eq!(
            (head.first.subject_id, head.count),
            (5, 4),
            "the banner's line"
        );
        // Immediate risk first; acknowledged, assigned and unacknowledged
        // (its own line) are not in the banner.
        assert_eq!(ids, [5, 2, 4, 1]);
        let ids: Vec<i64> = banner(&list, &Hidden::from([(Kind::Overdue, 2)]))
            .iter()
            .map(|a| a.subject_id)
            .collect();
        assert_eq!(ids, [5, 4, 1], "hidden by x");
        assert_eq!(
            phrase(&list[1]),
            "SG-2026-0042 overdue: LADO referral",
            "the rule's name, never words"
        );
        let mut gap = at(Kind::NobodyOnDuty, 9, 5, false);
        gap.reference = None;
        gap.rule = None;
        assert_eq!(phrase(&gap), "nobody on duty");
    }

    #[test]
    fn words_carry_the_reference_the_kind_and_how_to_act() {
        let a = alert(Kind::Overdue);
        let p = Policy::default_for(PolicyKind::Overdue);
        let f = super::super::policy::firings(
            &p,
            a.started_at,
            a.started_at + chrono::Duration::minutes(61),
        );
        let m = message(&a, &p, &f[1], None);
        assert_eq!(m.title, "SG-2026-0042 overdue");
        assert_eq!(
            m.text,
            "LADO referral was due 23 Nov 2026 09:00 and is not met.\nTo act: open dutydesk, select SG-2026-0042 and press A, or run `dutydesk ack SG-2026-0042`; that stops these alerts for everyone.\nStep 2 of 3 of the escalation policy for deadline overdue."
        );
        let mut urgent = alert(Kind::Unacknowledged);
        urgent.immediate_risk = true;
        let p = Policy::default_for(PolicyKind::Unacknowledged);
        let m = message(
            &urgent,
            &p,
            &super::super::policy::firings(
                &p,
                urgent.started_at,
                urgent.started_at + chrono::Duration::minutes(50),
            )[3],
            None,
        );
        assert_eq!(
            m.title,
            "URGENT (immediate risk to life): SG-2026-0042 not acknowledged"
        );
        assert!(
            m.text.ends_with("Reminder 1: still not acknowledged."),
            "{}",
            m.text
        );
        // A deadline without a rule is never named: it may hold words.
        let mut manual = alert(Kind::DueSoon);
        manual.rule = None;
        let p = Policy::default_for(PolicyKind::DueSoon);
        let f = &super::super::policy::firings(&p, manual.started_at, manual.started_at)[0];
        assert!(
            message(&manual, &p, f, None)
                .text
                .starts_with("A deadline is due")
        );
    }
}
