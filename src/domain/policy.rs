//! Escalation policies: who is told about an alert, and when, until someone
//! acknowledges it in the desk. On-call practice (acknowledge, re-notify,
//! escalate to the next person) applied to the duty desk; DOMAIN.md, "First
//! response": "treat an escalation that nobody has acknowledged as the most
//! urgent thing on the screen, as on-call tools do".
//!
//! A policy is data (`alert_policies`, one row per [`PolicyKind`]): ordered
//! steps, each some minutes after the alert starts and naming whom to tell,
//! then a repeat every R minutes to everyone told so far. [`firings`] says
//! which steps are due at a given instant; [`recipients`] turns a step's
//! targets into people. Both are pure: the clock is passed in.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use serde::Serialize;

coded_enum! {
    /// The kinds of alert a policy is set for. `Assigned` covers a case
    /// assigned to you and one taken from you.
    PolicyKind {
        Unacknowledged = "unacknowledged", "not acknowledged";
        Overdue = "overdue", "deadline overdue";
        DueSoon = "due_soon", "deadline due soon";
        Signoff = "signoff", "sign-off waiting";
        Assigned = "assigned", "assigned to you or taken from you";
        NobodyOnDuty = "nobody_on_duty", "nobody on duty";
        ShiftStart = "shift_start", "your duty shift starts";
    }
}

coded_enum! {
    /// Whom a step tells. Only active staff who may see the case (need-to-know,
    /// `store::access`) are ever told; viewers never.
    Target {
        Holder = "holder", "the person it concerns (the case's holder, the one it was taken from, the one whose shift starts)";
        Duty = "duty", "the DSL on duty (every DSL and deputy when nobody is)";
        Deputies = "deputies", "every deputy DSL";
        Dsls = "dsls", "every DSL";
        Seniors = "seniors", "every senior lead";
    }
}

/// One step: `after_minutes` after the alert starts, tell `targets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub after_minutes: u32,
    pub targets: Vec<Target>,
}

/// A kind's policy: its steps in order and how often everyone told so far
/// is told again until someone acknowledges (`None`: never).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub kind: PolicyKind,
    pub steps: Vec<Step>,
    pub repeat_minutes: Option<u32>,
}

/// At most this many steps in a policy: more is a typo, not a plan.
pub const MAX_STEPS: usize = 8;
/// The latest a step may start, and the longest repeat: one week, in minutes.
pub const MAX_MINUTES: u32 = 7 * 24 * 60;
/// The shortest repeat, in minutes: more often trains people to ignore it.
pub const MIN_REPEAT: u32 = 5;

/// The steps as stored and typed: `0:duty; 15:dsls,deputies; 30:seniors`.
pub fn format_steps(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| {
            let t: Vec<&str> = s.targets.iter().map(|t| t.code()).collect();
            format!("{}:{}", s.after_minutes, t.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses steps written as `MINUTES:TARGET[,TARGET...]`, separated by `;`.
/// Refused, with the reason and the valid values: no step, more than
/// [`MAX_STEPS`], minutes not a number, over [`MAX_MINUTES`] or not rising
/// from one step to the next, an unknown or repeated target, a step with none.
pub fn parse_steps(text: &str) -> Result<Vec<Step>, String> {
    let targets_help = Target::ALL
        .iter()
        .map(|t| t.code())
        .collect::<Vec<_>>()
        .join(", ");
    let mut steps: Vec<Step> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((minutes, targets)) = part.split_once(':') else {
            return Err(format!(
                "step {part:?} is not MINUTES:TARGETS, e.g. \"15:dsls,deputies\""
            ));
        };
        let after_minutes: u32 = minutes.trim().parse().map_err(|_| {
            format!(
                "step {part:?}: {:?} is not a number of minutes",
                minutes.trim()
            )
        })?;
        if after_minutes > MAX_MINUTES {
            return Err(format!(
                "step {part:?}: at most {MAX_MINUTES} minutes (a week) after the alert starts"
            ));
        }
        if let Some(prev) = steps.last()
            && after_minutes <= prev.after_minutes
        {
            return Err(format!(
                "step {part:?} must come later than the step before it ({} minutes)",
                prev.after_minutes
            ));
        }
        let mut list = Vec::new();
        for t in targets.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let t = Target::from_code(t).ok_or_else(|| {
                format!("step {part:?}: {t:?} is not a target: use {targets_help}")
            })?;
            if list.contains(&t) {
                return Err(format!("step {part:?} names {} twice", t.code()));
            }
            list.push(t);
        }
        if list.is_empty() {
            return Err(format!(
                "step {part:?} tells nobody: name one or more of {targets_help}"
            ));
        }
        steps.push(Step {
            after_minutes,
            targets: list,
        });
    }
    if steps.is_empty() {
        return Err(format!(
            "a policy needs at least one step, e.g. \"0:duty; 15:dsls,deputies; 30:seniors\" (targets: {targets_help})"
        ));
    }
    if steps.len() > MAX_STEPS {
        return Err(format!("at most {MAX_STEPS} steps in a policy"));
    }
    Ok(steps)
}

/// Checks a repeat interval: `None` (never), or [`MIN_REPEAT`] to [`MAX_MINUTES`].
pub fn check_repeat(minutes: Option<u32>) -> Result<Option<u32>, String> {
    match minutes {
        Some(m) if !(MIN_REPEAT..=MAX_MINUTES).contains(&m) => Err(format!(
            "repeat every {m} minutes: use {MIN_REPEAT} to {MAX_MINUTES}, or none"
        )),
        other => Ok(other),
    }
}

impl Policy {
    /// The policy a new desk starts with for `kind` (schema.sql seeds the
    /// same), and the one used when a stored policy is malformed. Chosen so
    /// that urgent things escalate and routine ones do not nag:
    /// - not acknowledged: the duty DSL, 15 minutes later every DSL and
    ///   deputy, 15 after that the senior leads, then all again every 15;
    /// - overdue: the holder and the duty DSL, after an hour every DSL,
    ///   after two the senior leads, then every 4 hours;
    /// - due soon and assigned/taken: the person concerned (and the duty
    ///   DSL for due soon), once;
    /// - sign-off waiting: every DSL, after 4 hours the senior leads, daily;
    /// - nobody on duty: every DSL and deputy, after 30 minutes the senior
    ///   leads, hourly;
    /// - shift start: the person starting, once.
    pub fn default_for(kind: PolicyKind) -> Policy {
        let (steps, repeat) = match kind {
            PolicyKind::Unacknowledged => ("0:duty; 15:dsls,deputies; 30:seniors", Some(15)),
            PolicyKind::Overdue => ("0:holder,duty; 60:dsls; 120:seniors", Some(240)),
            PolicyKind::DueSoon => ("0:holder,duty", None),
            PolicyKind::Signoff => ("0:dsls; 240:seniors", Some(1440)),
            PolicyKind::Assigned => ("0:holder", None),
            PolicyKind::NobodyOnDuty => ("0:dsls,deputies; 30:seniors", Some(60)),
            PolicyKind::ShiftStart => ("0:holder", None),
        };
        Policy {
            kind,
            steps: parse_steps(steps).expect("the default policies parse"),
            repeat_minutes: repeat,
        }
    }

    /// A stored policy, or why it cannot be used (the caller falls back to
    /// [`Policy::default_for`] and reports it).
    pub fn from_stored(
        kind: PolicyKind,
        steps: &str,
        repeat_minutes: Option<i64>,
    ) -> Result<Policy, String> {
        let repeat = match repeat_minutes {
            None => None,
            Some(m) => Some(u32::try_from(m).map_err(|_| format!("repeat {m} is not valid"))?),
        };
        Ok(Policy {
            kind,
            steps: parse_steps(steps)?,
            repeat_minutes: check_repeat(repeat)?,
        })
    }

    /// Everyone any step tells, in the order first named: who a repeat tells.
    pub fn all_targets(&self) -> Vec<Target> {
        let mut out = Vec::new();
        for t in self.steps.iter().flat_map(|s| s.targets.iter()) {
            if !out.contains(t) {
                out.push(*t);
            }
        }
        out
    }

    /// "0:duty; 15:dsls,deputies; 30:seniors, then every 15 min".
    pub fn describe(&self) -> String {
        match self.repeat_minutes {
            Some(r) => format!(
                "{}; then everyone again every {r} min",
                format_steps(&self.steps)
            ),
            None => format!("{}; no repeat", format_steps(&self.steps)),
        }
    }
}

/// One step due: round 0 is the policy's steps in order (`step` is the
/// step's index); round N (N ≥ 1) is the Nth repeat, `step` 0, telling
/// everyone any step tells. `at` is when it fell due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Firing {
    pub round: u32,
    pub step: u32,
    pub at: DateTime<Utc>,
    pub targets: Vec<Target>,
}

/// The steps of `policy` due at `now` for an alert that started at `start`
/// and is not acknowledged: every step of the first round whose time has
/// come, and of the repeats only the latest (a notifier that was stopped
/// for a day sends one reminder, not a day's worth). Empty before the
/// first step. Acknowledged alerts have no firings: the caller stops there.
pub fn firings(policy: &Policy, start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Firing> {
    let mut out = Vec::new();
    if now < start {
        return out;
    }
    for (i, s) in policy.steps.iter().enumerate() {
        let at = start + Duration::minutes(s.after_minutes as i64);
        if at <= now {
            out.push(Firing {
                round: 0,
                step: i as u32,
                at,
                targets: s.targets.clone(),
            });
        }
    }
    if let (Some(r), Some(last)) = (policy.repeat_minutes, policy.steps.last()) {
        let last_at = start + Duration::minutes(last.after_minutes as i64);
        let every = Duration::minutes(r.max(1) as i64);
        if now >= last_at + every {
            let n = ((now - last_at).num_seconds() / every.num_seconds()) as u32;
            out.push(Firing {
                round: n,
                step: 0,
                at: last_at + every * n as i32,
                targets: policy.all_targets(),
            });
        }
    }
    out
}

/// [`firings`] for an alert whose steps may find no one allowed to see its
/// case (issue 19: a restricted case, which the duty DSL and every DSL may
/// not see, paged nobody for the 45 minutes its policy gave them). A
/// first-round step with no one who may be told (`reaches(step)` false)
/// falls through at once to the next step that has someone, even before
/// that step's own time; senior leads, who may see every case, end a
/// policy that names them. Returns the firings and the first-round steps
/// (0-based) passed over for having no one, for the notifier to report.
/// A step told early is the same `(round, step)` as when its time comes,
/// so it is delivered once.
pub fn firings_reaching(
    policy: &Policy,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    reaches: &mut dyn FnMut(u32) -> bool,
) -> (Vec<Firing>, Vec<u32>) {
    let base = firings(policy, start, now);
    let mut out = Vec::new();
    let mut nobody = Vec::new();
    if now < start {
        return (out, nobody);
    }
    let mut falling = false;
    for (i, s) in policy.steps.iter().enumerate() {
        let at = start + Duration::minutes(s.after_minutes as i64);
        let due = at <= now;
        if !due && !falling {
            break;
        }
        if reaches(i as u32) {
            out.push(Firing {
                round: 0,
                step: i as u32,
                at: if due { at } else { now },
                targets: s.targets.clone(),
            });
            falling = false;
        } else {
            nobody.push(i as u32);
            falling = true;
        }
    }
    out.extend(base.into_iter().filter(|f| f.round > 0));
    (out, nobody)
}

/// A member of the desk as recipients are chosen from: active, not a viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub role: super::staff::Role,
}

/// People a step's `targets` name, each once, in the order named. `holder`
/// is the person the alert concerns; `duty` the DSL on duty. With nobody on
/// duty, `duty` means every DSL and deputy (and every senior lead if there
/// are neither), so an alert is never addressed to nobody. Viewers are never
/// told. The caller then removes whoever may not see the case.
pub fn recipients(
    targets: &[Target],
    members: &[Member],
    duty: Option<i64>,
    holder: Option<i64>,
) -> Vec<i64> {
    use super::staff::Role;
    let mut out: Vec<i64> = Vec::new();
    let mut add = |id: i64| {
        if members.iter().any(|m| m.id == id && m.role != Role::Viewer) && !out.contains(&id) {
            out.push(id);
        }
    };
    let with = |role: Role| -> Vec<i64> {
        members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.id)
            .collect()
    };
    for t in targets {
        match t {
            Target::Holder => {
                if let Some(h) = holder {
                    add(h)
                }
            }
            Target::Duty => match duty {
                Some(d) if members.iter().any(|m| m.id == d) => add(d),
                _ => {
                    let mut all = with(Role::Dsl);
                    all.extend(with(Role::Deputy));
                    if all.is_empty() {
                        all = with(Role::Senior);
                    }
                    all.into_iter().for_each(&mut add);
                }
            },
            Target::Deputies => with(Role::Deputy).into_iter().for_each(&mut add),
            Target::Dsls => with(Role::Dsl).into_iter().for_each(&mut add),
            Target::Seniors => with(Role::Senior).into_iter().for_each(&mut add),
        }
    }
    out
}

/// A person's quiet hours, UK local time: alerts wait until they end, except
/// about a case with immediate risk to life, which never waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quiet {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// Parses `HH:MM-HH:MM` (UK local time; `22:00-07:00` runs overnight).
pub fn parse_quiet(text: &str) -> Result<Quiet, String> {
    let bad =
        || format!("{text:?} is not quiet hours: write HH:MM-HH:MM in UK time, e.g. 22:00-07:00");
    let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
    let t = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad());
    let (from, to) = (t(a)?, t(b)?);
    if from == to {
        return Err(format!(
            "{text:?}: quiet hours must start and end at different times"
        ));
    }
    Ok(Quiet { from, to })
}

impl Quiet {
    /// As stored: `22:00-07:00`.
    pub fn format(&self) -> String {
        format!("{}-{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }

    /// When the quiet hours that hold `now` end, or `None` outside them.
    pub fn until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let l = super::calendar::local(now);
        let t = NaiveTime::from_hms_opt(l.hour(), l.minute(), l.second())?;
        let date = l.date_naive();
        let inside = if self.from < self.to {
            t >= self.from && t < self.to
        } else {
            t >= self.from || t < self.to
        };
        if !inside {
            return None;
        }
        let end_date = if self.from > self.to && t >= self.from {
            date.succ_opt()?
        } else {
            date
        };
        Some(super::calendar::at_local(end_date, self.to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::staff::Role;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
    }

    const DUTY: i64 = 1;
    const DSL2: i64 = 2;
    const DEPUTY: i64 = 3;
    const SENIOR: i64 = 4;
    const VIEWER: i64 = 5;

    fn team() -> Vec<Member> {
        vec![
            Member {
                id: DUTY,
                role: Role::Dsl,
            },
            Member {
                id: DSL2,
                role: Role::Dsl,
            },
            Member {
                id: DEPUTY,
                role: Role::Deputy,
            },
            Member {
                id: SENIOR,
                role: Role::Senior,
            },
            Member {
                id: VIEWER,
                role: Role::Viewer,
            },
        ]
    }

    /// Who is told at each minute of the first 90 of an unacknowledged case
    /// raised at 01:55 (its alert starts when the 5-minute window for
    /// immediate risk has passed, 02:00), given a notifier that remembers
    /// what it already delivered: the same (round, step, person) is never
    /// told twice; nothing after acknowledgement at 03:07.
    #[test]
    fn ninety_minutes_of_an_unacknowledged_case() {
        let p = Policy::default_for(PolicyKind::Unacknowledged);
        let start = t(2, 0);
        let acked = t(3, 7);
        let mut sent: Vec<(u32, u32, i64)> = Vec::new();
        let mut told: Vec<(String, Vec<i64>)> = Vec::new();
        for minute in 0..=90 {
            let now =
                Utc.with_ymd_and_hms(2026, 11, 23, 1, 55, 0).unwrap() + Duration::minutes(minute);
            if now >= acked {
                continue;
            }
            let mut this = Vec::new();
            for f in firings(&p, start, now) {
                for who in recipients(&f.targets, &team(), Some(DUTY), None) {
                    if !sent.contains(&(f.round, f.step, who)) {
                        sent.push((f.round, f.step, who));
                        this.push(who);
                    }
                }
            }
            if !this.is_empty() {
                told.push((
                    crate::domain::calendar::local(now)
                        .format("%H:%M")
                        .to_string(),
                    this,
                ));
            }
        }
        assert_eq!(
            told,
            vec![
                ("02:00".into(), vec![DUTY]),
                ("02:15".into(), vec![DUTY, DSL2, DEPUTY]),
                ("02:30".into(), vec![SENIOR]),
                ("02:45".into(), vec![DUTY, DSL2, DEPUTY, SENIOR]),
                ("03:00".into(), vec![DUTY, DSL2, DEPUTY, SENIOR]),
            ],
            "the viewer is never told; after 03:07 nobody is"
        );
    }

    /// A restricted case only the senior lead may see: the duty and all-DSL
    /// steps find no one, so the senior lead is told at once, not after 30
    /// minutes, and the steps passed over are said.
    #[test]
    fn a_step_with_no_one_allowed_falls_through_at_once() {
        let p = Policy::default_for(PolicyKind::Unacknowledged);
        let start = t(2, 0);
        let may_see = |who: i64| who == SENIOR;
        let mut sent: Vec<(u32, u32, i64)> = Vec::new();
        let mut told: Vec<(String, Vec<i64>)> = Vec::new();
        let mut passed_over = Vec::new();
        for minute in [0, 1, 15, 30, 45] {
            let now = start + Duration::minutes(minute);
            let mut reaches = |step: u32| {
                recipients(&p.steps[step as usize].targets, &team(), Some(DUTY), None)
                    .into_iter()
                    .any(may_see)
            };
            let (fs, nobody) = firings_reaching(&p, start, now, &mut reaches);
            if minute == 0 {
                passed_over = nobody;
            }
            let mut this = Vec::new();
            for f in fs {
                for who in recipients(&f.targets, &team(), Some(DUTY), None)
                    .into_iter()
                    .filter(|w| may_see(*w))
                {
                    if !sent.contains(&(f.round, f.step, who)) {
                        sent.push((f.round, f.step, who));
                        this.push(who);
                    }
                }
            }
            if !this.is_empty() {
                told.push((format!("+{minute}"), this));
            }
        }
        assert_eq!(
            passed_over,
            vec![0, 1],
            "the duty DSL and all DSLs may not see it"
        );
        assert_eq!(
            told,
            vec![("+0".into(), vec![SENIOR]), ("+45".into(), vec![SENIOR])],
            "told at once, then at the first reminder; never twice for one step"
        );
        // Everyone may see an ordinary case: the same as `firings`.
        for minute in [0, 20, 50] {
            let now = start + Duration::minutes(minute);
            let (fs, nobody) = firings_reaching(&p, start, now, &mut |_| true);
            assert_eq!(fs, firings(&p, start, now));
            assert!(nobody.is_empty());
        }
        // No step has anyone: all passed over, nobody told.
        let (fs, nobody) = firings_reaching(&p, start, start, &mut |_| false);
        assert!(fs.is_empty());
        assert_eq!(nobody, vec![0, 1, 2]);
    }

    #[test]
    fn a_stopped_notifier_sends_one_reminder_not_a_backlog() {
        let p = Policy::default_for(PolicyKind::Unacknowledged);
        let f = firings(&p, t(2, 0), t(9, 59));
        // Three first-round steps, then only the latest repeat.
        assert_eq!(f.len(), 4);
        assert_eq!((f[3].round, f[3].step), (29, 0));
        assert_eq!(f[3].at, t(9, 45));
        assert!(firings(&p, t(2, 0), t(1, 59)).is_empty());
    }

    #[test]
    fn nobody_on_duty_means_every_dsl_and_deputy() {
        let r = recipients(&[Target::Duty], &team(), None, None);
        assert_eq!(r, vec![DUTY, DSL2, DEPUTY]);
        // A duty DSL who is no longer active staff is not a destination.
        assert_eq!(
            recipients(&[Target::Duty], &team(), Some(99), None),
            vec![DUTY, DSL2, DEPUTY]
        );
        let only_seniors = vec![Member {
            id: SENIOR,
            role: Role::Senior,
        }];
        assert_eq!(
            recipients(&[Target::Duty], &only_seniors, None, None),
            vec![SENIOR]
        );
        assert_eq!(
            recipients(&[Target::Holder], &team(), Some(DUTY), None),
            Vec::<i64>::new()
        );
        assert_eq!(
            recipients(&[Target::Holder], &team(), None, Some(VIEWER)),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn steps_parse_and_refuse_with_the_valid_values() {
        let s = parse_steps("0:duty; 15:dsls,deputies;30:seniors").unwrap();
        assert_eq!(format_steps(&s), "0:duty; 15:dsls,deputies; 30:seniors");
        for (bad, says) in [
            ("", "at least one step"),
            ("15:duty; 10:seniors", "later than the step before"),
            ("15:duty; 15:seniors", "later than the step before"),
            ("x:duty", "not a number"),
            ("0:duty,everyone", "holder, duty, deputies, dsls, seniors"),
            ("0:", "tells nobody"),
            ("0 duty", "MINUTES:TARGETS"),
            ("0:duty,duty", "twice"),
            ("99999:duty", "a week"),
        ] {
            let e = parse_steps(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        assert!(check_repeat(Some(1)).is_err());
        assert_eq!(check_repeat(None), Ok(None));
        assert!(Policy::from_stored(PolicyKind::Overdue, "0:duty", Some(-3)).is_err());
        for k in PolicyKind::ALL {
            let p = Policy::default_for(*k);
            assert_eq!(
                Policy::from_stored(*k, &format_steps(&p.steps), p.repeat_minutes.map(i64::from)),
                Ok(p)
            );
        }
    }

    #[test]
    fn quiet_hours_run_overnight_in_uk_time() {
        let q = parse_quiet("22:00-07:00").unwrap();
        assert_eq!(q.format(), "22:00-07:00");
        // 23:30 GMT on 23 Nov: quiet until 07:00 on the 24th.
        assert_eq!(
            q.until(t(23, 30)),
            Some(Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap())
        );
        assert_eq!(q.until(t(6, 59)), Some(t(7, 0)));
        assert_eq!(q.until(t(7, 0)), None);
        assert_eq!(q.until(t(12, 0)), None);
        // In summer UK time is BST: 06:30 UTC is 07:30 local, outside.
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 6, 30, 0).unwrap();
        assert_eq!(q.until(summer), None);
        let day = parse_quiet("12:00-13:00").unwrap();
        assert_eq!(day.until(t(12, 30)), Some(t(13, 0)));
        assert!(parse_quiet("7-9").is_err());
        assert!(parse_quiet("09:00-09:00").is_err());
    }
}
