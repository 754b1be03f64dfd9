//! `dutydesk notifier`, `dutydesk policy` and `dutydesk alerts` (issue 19).

use super::{Failure, Outcome, clock, refused, whoami};
use crate::domain::calendar::format_stamp;
use crate::domain::policy::PolicyKind;
use crate::store::{self, Create, Store};
use clap::Subcommand;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Every kind of alert with its escalation policy in force
    List {
        /// Print a JSON document (docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Set a kind's policy (DSLs and senior leads; audited)
    ///
    /// Steps are MINUTES:TARGETS after the alert starts, separated by ';'.
    /// Targets: holder (the person it concerns), duty (the DSL on duty; every
    /// DSL and deputy when nobody is), deputies, dsls, seniors. After the last
    /// step everyone told so far is told again every --repeat minutes until
    /// someone acknowledges it in the desk.
    Set {
        /// unacknowledged, overdue, due_soon, signoff, assigned, nobody_on_duty or shift_start
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::policy_kinds), value_parser = parse_kind)]
        kind: PolicyKind,
        /// e.g. "0:duty; 15:dsls,deputies; 30:seniors"
        #[arg(long)]
        steps: String,
        /// Minutes between reminders after the last step (5 to 10080)
        #[arg(
            long,
            conflicts_with = "no_repeat",
            required_unless_present = "no_repeat"
        )]
        repeat: Option<u32>,
        /// No reminders after the last step
        #[arg(long)]
        no_repeat: bool,
    },
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    /// Print JSON: kind, reference, risk, started_at, age_minutes, acknowledged...
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Acknowledge the open alerts of a case (REF) without taking it, or
    /// "nobody on duty" (rota): their escalation stops for everyone
    Ack {
        /// An escalation reference, or `rota`
        what: String,
    },
}

fn parse_kind(s: &str) -> Result<PolicyKind, String> {
    PolicyKind::from_code(s).ok_or_else(|| {
        let all: Vec<&str> = PolicyKind::ALL.iter().map(|k| k.code()).collect();
        format!("{s:?} is not a kind of alert: use {}", all.join(", "))
    })
}

pub fn policy(path: &Path, cmd: &PolicyCommand) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    match cmd {
        PolicyCommand::List { json } => {
            if *json {
                let items: Vec<serde_json::Value> = store::alerts::policies_of(&st)?
                    .iter()
                    .map(|(p, problem)| {
                        serde_json::json!({
                            "kind": p.kind.code(),
                            "steps": p.describe(),
                            "repeat_minutes": p.repeat_minutes,
                            "problem": problem,
                        })
                    })
                    .collect();
                return super::json::print("policies", clock()?.now(), &items);
            }
            for (p, problem) in store::alerts::policies_of(&st)? {
                say!("{:<15} {}", p.kind.code(), p.describe())?;
                if let Some(problem) = problem {
                    say!("{:<15} PROBLEM: {problem}", "")?;
                }
            }
            Ok(())
        }
        PolicyCommand::Set {
            kind,
            steps,
            repeat,
            ..
        } => {
            let p = st
                .write(&me.username, now, |w| {
                    store::alerts::set_policy(w, *kind, steps, *repeat)
                })
                .map_err(super::Failure::from)?;
            say!("{:<15} {}", p.kind.code(), p.describe())?;
            Ok(())
        }
    }
}

pub fn alerts(path: &Path, args: &AlertsArgs) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    if let Some(AlertsCommand::Ack { what }) = &args.command {
        let said = if what.trim().eq_ignore_ascii_case("rota") {
            st.write(&me.username, now, store::alerts::acknowledge_rota)
        } else {
            st.write(&me.username, now, |w| {
                store::alerts::acknowledge_reference(w, what)
            })
        }
        .map_err(super::Failure::from)?;
        say!("{said}")?;
        return Ok(());
    }
    let list = store::alerts::open_for(&st, &me, now)?;
    super::audit_export(&mut st, &me, "alerts", "open")?;
    if args.json {
        // People as usernames (the alert carries staff numbers).
        let staff = store::staff::list(&st)?;
        let user = |id: i64| {
            staff
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.username.clone())
        };
        // A deadline's alert names its deadline as every document does:
        // the rule's code and name, or what was set by hand and whose.
        let ids: Vec<i64> = list
            .iter()
            .filter(|a| a.due_at.is_some())
            .map(|a| a.subject_id)
            .collect();
        let deadlines = store::deadlines::by_ids(st.conn(), &ids)?;
        // Written as built (issue 21: 100,000 overdue deadlines at a
        // million cases made an 86 MB document in memory).
        let mut items = super::json::Items::begin("alerts", crate::cli::clock()?.now())?;
        for a in &list {
            let mut m = match a.due_at.and(deadlines.get(&a.subject_id)) {
                Some(d) => crate::domain::json::deadline_source(d),
                None => ["rule", "label", "set_by_hand", "owner", "owner_name"]
                    .into_iter()
                    .map(|k| (k.to_string(), serde_json::Value::Null))
                    .collect(),
            };
            if let serde_json::Value::Object(rest) = serde_json::json!({
                "kind": a.kind,
                "reference": a.reference,
                "risk": a.risk,
                "immediate_risk": a.immediate_risk,
                "started_at": super::json::time(a.started_at),
                "age_minutes": a.age_minutes(now),
                "holder": a.holder.and_then(user),
                "due_at": a.due_at.map(super::json::time),
                "acknowledged": a.acknowledged,
            }) {
                m.extend(rest);
            }
            items.item(serde_json::Value::Object(m))?;
        }
        return items.end();
    }
    if list.is_empty() {
        say!("No open alerts.")?;
        return Ok(());
    }
    say!(
        "{:<27} {:<14} {:<7} {:<9} {:<17} STATE",
        "ALERT",
        "REFERENCE",
        "RISK",
        "AGE",
        "SINCE"
    )?;
    for a in &list {
        say!(
            "{:<27} {:<14} {:<7} {:<9} {:<17} {}",
            a.what(),
            a.reference.as_deref().unwrap_or("—"),
            match (a.immediate_risk, a.risk) {
                (true, _) => "999!",
                (false, Some(r)) => r.code(),
                (false, None) => "",
            },
            crate::domain::paging::format_age(a.age_minutes(now)),
            format_stamp(a.started_at),
            if a.acknowledged {
                "stopped (acknowledged)"
            } else {
                "escalating"
            }
        )?;
    }
    Ok(())
}

/// Who may run the notifier: the account the system file names
/// (`[notify] account`, the systemd unit's `User=`), or a senior lead (who
/// may see every case it could mention in its log).
fn authorise(st: &Store, account: Option<&str>) -> Result<String, Failure> {
    let user = crate::identity::current_user(st.is_demo())
        .map_err(|e| super::cannot_start(format!("{e:#}")))?;
    if account == Some(user.as_str()) {
        return Ok(user);
    }
    match store::staff::authenticate(st, &user) {
        Ok(s) if s.active && s.role.manages_staff() => Ok(user),
        _ => Err(refused(format!(
            "`dutydesk notifier` runs as the notifier's account ([notify] account = \"...\" in {}, the systemd unit's User=) or as a senior lead; {user} is neither",
            crate::config::SystemConfig::path().display()
        ))),
    }
}

/// `dutydesk notifier [--once]`: the desk's paging service.
pub fn notifier(path: &Path, once: bool) -> Outcome {
    let system = crate::config::SystemConfig::load().map_err(super::Failure::from)?;
    let settings = crate::notifier::Settings::from_system(&system.notify).map_err(|e| {
        refused(format!(
            "{e} (in {})",
            crate::config::SystemConfig::path().display()
        ))
    })?;
    let senders = settings.senders();
    if senders.is_empty() {
        return Err(super::cannot_start(format!(
            "nothing to deliver on: set [notify] smtp = \"localhost:25\" (or sendmail = \"/usr/sbin/sendmail\") and/or command = \"/path/to/hook\" in {}",
            crate::config::SystemConfig::path().display()
        )));
    }
    // A hook that exits without reading its input must not kill us.
    // SAFETY: setting a signal's disposition to ignore.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let clock = clock()?;
    let mut st = store::open(path, Create::No)?;
    authorise(&st, system.notify.account.as_deref())?;
    if st.read_only() {
        return Err(refused(
            "the database is read-only for this account: the notifier records what it delivered; run it as an account that can write it (the hardened install's setgid binary)",
        ));
    }
    let mut log = |line: &str| eprintln!("dutydesk notifier: {line}");
    if once {
        let now = clock.now();
        let r = crate::notifier::pass(&mut st, now, &senders, &mut log)?;
        for p in &r.problems {
            log(&format!("PROBLEM: {p}"));
        }
        for s in &r.nobody_may_see {
            log(&format!(
                "{s}: no one it names is allowed to see the case; the next step was told at once"
            ));
        }
        say!(
            "{}: {} new, {} delivered, {} failed (will retry), {} given up, {} deferred ({} held until quiet hours end, {} for a channel that kept failing), {} cancelled; {} people due an alert have no e-mail or hook{}",
            format_stamp(now),
            r.planned,
            r.delivered,
            r.failed,
            r.gave_up,
            r.deferred + r.held,
            r.held,
            r.deferred,
            r.cancelled,
            r.unreachable,
            match r.nobody_may_see.len() {
                0 => String::new(),
                n => format!(
                    "; {n} step(s) had no one allowed to see the case and went on to the next: {}",
                    r.nobody_may_see.join(", ")
                ),
            }
        )?;
        if r.failed + r.gave_up > 0 {
            return Err(super::Failure {
                exit: crate::domain::exit::Exit::Refused,
                message: format!(
                    "{} deliveries failed; see the lines above (they are retried with backoff)",
                    r.failed + r.gave_up
                ),
            });
        }
        return Ok(());
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).map_err(anyhow::Error::from)?;
    }
    log(&format!(
        "started: every {}s, channels {}",
        settings.interval.as_secs(),
        senders
            .iter()
            .map(|s| s.channel().code())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut reported: Vec<String> = Vec::new();
    let mut passed_over: Vec<String> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match crate::notifier::pass(&mut st, clock.now(), &senders, &mut log) {
            Ok(r) => {
                // A problem is logged when it appears, not every pass.
                for p in r.problems.iter().filter(|p| !reported.contains(p)) {
                    log(&format!("PROBLEM: {p}"));
                }
                for s in r.nobody_may_see.iter().filter(|s| !passed_over.contains(s)) {
                    log(&format!(
                        "{s}: no one it names is allowed to see the case; the next step was told at once"
                    ));
                }
                reported = r.problems;
                passed_over = r.nobody_may_see;
            }
            Err(e) => log(&format!("pass failed, trying again next pass: {e}")),
        }
        let until = std::time::Instant::now() + settings.interval;
        while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
    log("stopped");
    Ok(())
}
