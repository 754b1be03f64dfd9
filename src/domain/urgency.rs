//! The one order of urgency for open escalations: the dashboard's list, the
//! store's queue, `dutydesk list` and the help all follow it.
//!
//! 1. **Life at risk, not yet handled**: immediate risk to life recorded and
//!    no 999 call on the record. It stays at the top and asks for the call
//!    (DOMAIN.md: "999 first, then everything else").
//! 2. **Unacknowledged past its time**: nobody has said "I have this" within
//!    the acknowledgement window (setting `ack_minutes`, 15 by default; 5 for
//!    immediate risk), as on-call tools treat an unacknowledged page.
//! 3. **Overdue**: its earliest open deadline has passed.
//! 4. **Due soon**: an open deadline is inside its warning window.
//! 5. **The rest, by risk**: high, medium, low.
//!
//! Within the first two, the longest waiting comes first; within overdue and
//! due soon, the earliest deadline; within the rest, the soonest deadline
//! (none last), then the oldest. Ties go to the lower id, so the order never
//! wobbles between refreshes.

use super::alert::ack_window;
use super::escalation::{EscalationSummary, Risk};
use chrono::{DateTime, Utc};

/// Which band of the order an escalation is in, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    LifeAtRisk,
    Unacknowledged,
    Overdue,
    DueSoon,
    Rest,
}

impl Tier {
    /// Every tier, in order.
    pub const ALL: [Tier; 5] = [
        Tier::LifeAtRisk,
        Tier::Unacknowledged,
        Tier::Overdue,
        Tier::DueSoon,
        Tier::Rest,
    ];

    /// Words for the help screen and the README.
    pub fn label(self) -> &'static str {
        match self {
            Tier::LifeAtRisk => "life at risk and no 999 call recorded",
            Tier::Unacknowledged => "nobody has acknowledged it in time",
            Tier::Overdue => "a deadline is overdue",
            Tier::DueSoon => "a deadline is due soon",
            Tier::Rest => "the rest, high risk first",
        }
    }
}

/// The order as one line per tier, for `?` help and `dutydesk list --help`.
pub fn describe() -> Vec<String> {
    Tier::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}. {}", i + 1, t.label()))
        .collect()
}

/// What the order looks at in an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    pub id: i64,
    pub risk: Risk,
    pub raised_at: DateTime<Utc>,
    pub acknowledged: bool,
    pub immediate_risk: bool,
    /// A 999 call is on the record.
    pub emergency_called: bool,
    /// Earliest open deadline.
    pub next_due: Option<DateTime<Utc>>,
    /// Earliest start of an open deadline's warning window.
    pub next_warn: Option<DateTime<Utc>>,
}

impl Input {
    /// From a dashboard row (its `next_due.warn_minutes` is the escalation's
    /// earliest warning, as the store loads it).
    pub fn of(e: &EscalationSummary) -> Self {
        Input {
            id: e.id,
            risk: e.risk,
            raised_at: e.raised_at,
            acknowledged: e.acknowledged,
            immediate_risk: e.immediate_risk,
            emergency_called: e.emergency_called,
            next_due: e.next_due.as_ref().map(|d| d.at),
            next_warn: e
                .next_due
                .as_ref()
                .map(|d| d.at - chrono::Duration::minutes(d.warn_minutes as i64)),
        }
    }
}

/// The tier of an escalation at `now`, with the organisation's
/// acknowledgement window (`ack_minutes`).
pub fn tier(e: &Input, now: DateTime<Utc>, ack_minutes: u32) -> Tier {
    if e.immediate_risk && !e.emergency_called {
        Tier::LifeAtRisk
    } else if !e.acknowledged && now >= e.raised_at + ack_window(ack_minutes, e.immediate_risk) {
        Tier::Unacknowledged
    } else if e.next_due.is_some_and(|d| d <= now) {
        Tier::Overdue
    } else if e.next_warn.is_some_and(|w| w <= now) {
        Tier::DueSoon
    } else {
        Tier::Rest
    }
}

fn rank(r: Risk) -> i64 {
    match r {
        Risk::High => 0,
        Risk::Medium => 1,
        Risk::Low => 2,
    }
}

/// The sort key: compare two escalations' keys to order them.
pub fn key(e: &Input, now: DateTime<Utc>, ack_minutes: u32) -> (Tier, [i64; 4]) {
    let t = tier(e, now, ack_minutes);
    let raised = e.raised_at.timestamp();
    let due = e.next_due.map_or(i64::MAX, |d| d.timestamp());
    let k = match t {
        Tier::LifeAtRisk | Tier::Unacknowledged => [raised, 0, 0, e.id],
        Tier::Overdue | Tier::DueSoon => [due, rank(e.risk), raised, e.id],
        Tier::Rest => [rank(e.risk), due, raised, e.id],
    };
    (t, k)
}

/// Sorts escalations into the order of urgency at `now`.
pub fn sort(list: &mut [Input], now: DateTime<Utc>, ack_minutes: u32) {
    list.sort_by_key(|e| key(e, now, ack_minutes));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn case(id: i64, risk: Risk, age_min: i64) -> Input {
        Input {
            id,
            risk,
            raised_at: now() - Duration::minutes(age_min),
            acknowledged: true,
            immediate_risk: false,
            emergency_called: false,
            next_due: None,
            next_warn: None,
        }
    }

    fn due(mut e: Input, in_min: i64, warn_min: i64) -> Input {
        let d = now() + Duration::minutes(in_min);
        e.next_due = Some(d);
        e.next_warn = Some(d - Duration::minutes(warn_min));
        e
    }

    /// The case from the issue: a new high-risk, life-at-risk critical
    /// incident sat sixth, under medium cases due tomorrow.
    #[test]
    fn a_crafted_desk_comes_out_in_the_documented_order() {
        let mut life = case(1, Risk::High, 2);
        life.immediate_risk = true;
        life.acknowledged = false;
        let life = due(life, 24 * 60, 240);
        let mut called = case(2, Risk::High, 3 * 60);
        called.immediate_risk = true;
        called.emergency_called = true;
        let mut unacked = case(3, Risk::Low, 40);
        unacked.acknowledged = false;
        let mut fresh = case(4, Risk::Medium, 5); // within its 15 minutes
        fresh.acknowledged = false;
        let overdue_long = due(case(5, Risk::Low, 3000), -600, 240);
        let overdue_short = due(case(6, Risk::High, 3000), -10, 240);
        let soon = due(case(7, Risk::Medium, 100), 120, 240);
        let tomorrow_medium = due(case(8, Risk::Medium, 100), 24 * 60, 240);
        let high_no_deadline = case(9, Risk::High, 5000);
        let low_tomorrow = due(case(10, Risk::Low, 50), 24 * 60, 240);
        let high_next_week = due(case(11, Risk::High, 60), 7 * 24 * 60, 1440);
        let mut list = vec![
            low_tomorrow,
            tomorrow_medium,
            high_no_deadline,
            soon,
            fresh,
            overdue_short,
            unacked,
            overdue_long,
            called,
            high_next_week,
            life,
        ];
        sort(&mut list, now(), 15);
        let ids: Vec<i64> = list.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![1, 3, 5, 6, 7, 11, 9, 2, 8, 4, 10]);
        let tiers: Vec<Tier> = list.iter().map(|e| tier(e, now(), 15)).collect();
        assert_eq!(
            tiers,
            vec![
                Tier::LifeAtRisk,
                Tier::Unacknowledged,
                Tier::Overdue,
                Tier::Overdue,
                Tier::DueSoon,
                Tier::Rest,
                Tier::Rest,
                Tier::Rest,
                Tier::Rest,
                Tier::Rest,
                Tier::Rest
            ]
        );
    }

    #[test]
    fn the_edges_of_each_tier() {
        // Immediate risk is unacknowledged after 5 minutes whatever the
        // setting, but with the 999 call recorded it is no longer at the top.
        let mut e = case(1, Risk::High, 5);
        e.immediate_risk = true;
        e.emergency_called = true;
        e.acknowledged = false;
        assert_eq!(tier(&e, now(), 15), Tier::Unacknowledged);
        e.raised_at = now() - Duration::minutes(4);
        assert_eq!(tier(&e, now(), 15), Tier::Rest);
        // Unacknowledged at exactly its window.
        let mut e = case(2, Risk::Low, 15);
        e.acknowledged = false;
        assert_eq!(tier(&e, now(), 15), Tier::Unacknowledged);
        assert_eq!(tier(&e, now(), 30), Tier::Rest);
        // Overdue from the instant it is due; due soon from the warning's start.
        assert_eq!(
            tier(&due(case(3, Risk::Low, 9), 0, 240), now(), 15),
            Tier::Overdue
        );
        assert_eq!(
            tier(&due(case(3, Risk::Low, 9), 240, 240), now(), 15),
            Tier::DueSoon
        );
        assert_eq!(
            tier(&due(case(3, Risk::Low, 9), 241, 240), now(), 15),
            Tier::Rest
        );
    }

    #[test]
    fn the_order_is_described_in_one_place() {
        let lines = describe();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("1. life at risk"));
        assert!(lines[4].contains("high risk first"));
    }
}
