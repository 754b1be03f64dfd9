//! `dutydesk notifier`: one service for the desk that pages people away from
//! the terminal, by e-mail (the host's mail system) and a command hook (an
//! SMS or pager gateway), following the escalation policies (issue 19).
//!
//! Each pass: read what is open ([`store::alerts::snapshot`]), work out who is
//! due which step ([`domain::policy`]), record each (alert, round, step,
//! person, channel) once, then claim what is due and send it. Sending happens
//! outside any transaction, one thread per channel, each message time-limited;
//! an alert counts as delivered to a person only when a channel accepted it;
//! a failure is retried with backoff and logged; a channel failing again and
//! again in a pass is left until the next, so a dead channel never holds up
//! the others.
//!
//! Log lines (standard error, i.e. the journal) name an alert by its kind and
//! reference and a person by their staff number: never a name, an address or
//! a record's words.

use crate::config::SystemNotify;
use crate::domain::paging::{self, DeskAlert, HookPayload, HookTo, Kind, Message};
use crate::domain::policy::{self, Firing, Policy, PolicyKind};
use crate::domain::staff::StaffMember;
use crate::store::alerts::{self, Channel, Channels, Claimed, Outcome, Wanted};
use crate::store::{Result as StoreResult, Store};
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

/// Tries per delivery before it is given up (and reported): about three
/// hours of backoff (1, 2, 4, 8, 16, 32, 60, 60 minutes).
pub const MAX_ATTEMPTS: u32 = 8;

/// Failures in a row on one channel in one pass after which its remaining
/// deliveries wait for the next pass (a dead mail server costs at most this
/// many timeouts a pass).
pub const CHANNEL_DOWN_AFTER: usize = 3;

/// When a delivery that failed for the `attempts`th time is tried again:
/// doubling from a minute, at most an hour; `None` once [`MAX_ATTEMPTS`] are spent.
pub fn retry_at(now: DateTime<Utc>, attempts: u32) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1i64 << attempts.saturating_sub(1).min(6);
    Some(now + Duration::minutes(minutes.min(60)))
}

/// Whom a message goes to, as a channel needs them: no display name.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub staff_id: i64,
    pub account: String,
    pub email: Option<String>,
    pub hook_to: Option<String>,
}

/// A way of reaching people. `send` must return within its own time limit.
pub trait Sender: Send + Sync {
    fn channel(&self) -> Channel;
    /// Whether this person can be reached this way at all.
    fn reaches(&self, c: &Channels) -> bool;
    /// Ok when the channel accepted the message; the error holds no record words.
    fn send(&self, to: &Recipient, m: &Message, now: DateTime<Utc>) -> Result<(), String>;
}

/// The notifier's settings, from the system file's `[notify]`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub smtp: Option<(String, u16)>,
    pub sendmail: Option<PathBuf>,
    pub command: Option<PathBuf>,
    pub from: String,
    pub timeout: std::time::Duration,
    pub interval: std::time::Duration,
}

impl Settings {
    /// Checks `[notify]`: smtp is `host:port`, not both smtp and sendmail,
    /// paths absolute, the sender an e-mail address, times sensible. The
    /// error says which key and what to write.
    pub fn from_system(n: &SystemNotify) -> Result<Settings, String> {
        let smtp = match &n.smtp {
            None => None,
            Some(s) => {
                let (host, port) = s.rsplit_once(':').ok_or_else(|| {
                    format!("[notify] smtp = {s:?}: write \"host:port\", e.g. \"localhost:25\"")
                })?;
                let port: u16 = port.parse().map_err(|_| {
                    format!(
                        "[notify] smtp = {s:?}: the port must be a number, e.g. \"localhost:25\""
                    )
                })?;
                if host.trim().is_empty() {
                    return Err(format!("[notify] smtp = {s:?}: no host"));
                }
                Some((host.trim().to_string(), port))
            }
        };
        if smtp.is_some() && n.sendmail.is_some() {
            return Err("[notify] has both smtp and sendmail: keep one".into());
        }
        for (key, p) in [("sendmail", &n.sendmail), ("command", &n.command)] {
            if let Some(p) = p
                && !p.is_absolute()
            {
                return Err(format!(
                    "[notify] {key} = {:?}: give the program's full path",
                    p.display()
                ));
            }
        }
        let from = match &n.from {
            Some(f) => f.trim().to_string(),
            None => format!("dutydesk@{}", hostname()),
        };
        from.parse::<lettre::Address>().map_err(|_| {
            format!(
                "[notify] from = {from:?} is not an e-mail address (e.g. \"dutydesk@example.org\")"
            )
        })?;
        let timeout = n.timeout_seconds.unwrap_or(10);
        if !(1..=300).contains(&timeout) {
            return Err(format!(
                "[notify] timeout_seconds = {timeout}: use 1 to 300"
            ));
        }
        let interval = n.interval_seconds.unwrap_or(30);
        if !(1..=3600).contains(&interval) {
            return Err(format!(
                "[notify] interval_seconds = {interval}: use 1 to 3600"
            ));
        }
        Ok(Settings {
            smtp,
            sendmail: n.sendmail.clone(),
            command: n.command.clone(),
            from,
            timeout: std::time::Duration::from_secs(timeout),
            interval: std::time::Duration::from_secs(interval),
        })
    }

    /// The senders these settings give: e-mail (SMTP or sendmail) and the hook.
    pub fn senders(&self) -> Vec<Arc<dyn Sender>> {
        let mut out: Vec<Arc<dyn Sender>> = Vec::new();
        if let Some((host, port)) = &self.smtp {
            out.push(Arc::new(Mail {
                via: MailVia::Smtp(host.clone(), *port),
                from: self.from.clone(),
                timeout: self.timeout,
            }));
        } else if let Some(p) = &self.sendmail {
            out.push(Arc::new(Mail {
                via: MailVia::Sendmail(p.clone()),
                from: self.from.clone(),
                timeout: self.timeout,
            }));
        }
        if let Some(p) = &self.command {
            out.push(Arc::new(Hook {
                program: p.clone(),
                timeout: self.timeout,
            }));
        }
        out
    }
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates
    // within it or truncates, and we stop at the first NUL either way.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let name: String = if ok {
        buf.iter()
            .take_while(|b| **b != 0)
            .map(|b| *b as char)
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .collect()
    } else {
        String::new()
    };
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

enum MailVia {
    Smtp(String, u16),
    Sendmail(PathBuf),
}

/// E-mail through the host's mail system: SMTP (lettre's transport, no
/// TLS: meant for the local mail server) or the sendmail program (run here,
/// time-limited, with the message lettre formats).
struct Mail {
    via: MailVia,
    from: String,
    timeout: std::time::Duration,
}

impl Sender for Mail {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn reaches(&self, c: &Channels) -> bool {
        c.email.is_some()
    }

    fn send(&self, to: &Recipient, m: &Message, _now: DateTime<Utc>) -> Result<(), String> {
        use lettre::Transport;
        let address = to.email.as_deref().ok_or("no e-mail address")?;
        let email = lettre::Message::builder()
            .from(
                self.from
                    .parse()
                    .map_err(|_| "the sender address is not valid")?,
            )
            .to(address
                .parse()
                .map_err(|_| "the recipient's address is not valid".to_string())?)
            .subject(m.title.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(format!("{}\n\n{}\n", m.text, m.act))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        match &self.via {
            MailVia::Smtp(host, port) => {
                let t = lettre::SmtpTransport::builder_dangerous(host.as_str())
                    .port(*port)
                    .timeout(Some(self.timeout))
                    .build();
                // lettre's errors name the server and the SMTP reply, never
                // the message.
                t.send(&email).map(|_| ()).map_err(|e| {
                    let mut s = e.to_string();
                    s.truncate(150);
                    format!("mail server {host}:{port}: {s}")
                })
            }
            MailVia::Sendmail(p) => {
                let mut cmd = Command::new(p);
                cmd.args(["-i", "-f", &self.from, "--", address]);
                run_with_input(&mut cmd, &email.formatted(), self.timeout)
                    .map_err(|e| format!("sendmail {e}"))
            }
        }
    }
}

/// The command hook: one JSON alert ([`HookPayload`]) on standard input;
/// delivered when it exits 0 within the time limit.
struct Hook {
    program: PathBuf,
    timeout: std::time::Duration,
}

impl Sender for Hook {
    fn channel(&self) -> Channel {
        Channel::Hook
    }

    fn reaches(&self, c: &Channels) -> bool {
        c.hook
    }

    fn send(&self, to: &Recipient, m: &Message, now: DateTime<Utc>) -> Result<(), String> {
        let payload = HookPayload {
            version: 1,
            message: m,
            to: HookTo {
                account: &to.account,
                address: to.hook_to.as_deref(),
            },
            sent_at: now,
        };
        let mut json = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
        json.push(b'\n');
        run_with_input(&mut Command::new(&self.program), &json, self.timeout)
            .map_err(|e| format!("hook {e}"))
    }
}

/// Runs `cmd` with `input` on its standard input and nothing else (no
/// inherited environment but PATH and LANG, standard output and error
/// discarded, its own process group, working directory `/`), waiting at
/// most `timeout`; then the whole group is killed. Under setgid the child
/// gets the real group back first: a hook must never hold the desk's group,
/// which can open the database. Ok only for exit status 0.
pub fn run_with_input(
    cmd: &mut Command,
    input: &[u8],
    timeout: std::time::Duration,
) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    // SAFETY: getgid/getuid cannot fail; setresgid/setresuid are
    // async-signal-safe and are all the closure does between fork and exec.
    let (gid, uid) = unsafe { (libc::getgid(), libc::getuid()) };
    unsafe {
        cmd.pre_exec(move || {
            if libc::setresgid(gid, gid, gid) != 0 || libc::setresuid(uid, uid, uid) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not be started: {}", e.kind()))?;
    let mut stdin = child.stdin.take();
    let data = input.to_vec();
    // A program that never reads must not hold us past the timeout: write
    // from a thread (a closed pipe is not an error: the exit status decides).
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&data);
        }
        drop(stdin);
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() >= timeout => {
                let pid = child.id() as i32;
                // SAFETY: signalling the child's own process group.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {}s", timeout.as_secs_f32()));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => break Err(format!("could not be waited for: {}", e.kind())),
        }
    };
    let _ = writer.join();
    let status = status?;
    if status.success() {
        Ok(())
    } else if let Some(code) = status.code() {
        Err(format!("exited with status {code}"))
    } else {
        use std::os::unix::process::ExitStatusExt;
        Err(format!(
            "was killed by signal {}",
            status.signal().unwrap_or(0)
        ))
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Deliveries newly recorded (each alert, step, person and channel once).
    pub planned: usize,
    /// Waiting deliveries dropped: their alert was acknowledged or resolved.
    pub cancelled: usize,
    pub delivered: usize,
    /// Failed this pass, to be retried.
    pub failed: usize,
    /// Failed for the last time.
    pub gave_up: usize,
    /// Not tried this pass (their channel kept failing): tried next pass.
    pub deferred: usize,
    /// Waiting for the recipient's quiet hours to end (all of them, not
    /// only this pass's new ones).
    pub held: usize,
    /// First-round steps passed over because no one they name may see the
    /// case (a restricted case): "unacknowledged SG-2026-0042 step 1", each
    /// with the next step told at once instead.
    pub nobody_may_see: Vec<String>,
    /// People a due step names who have no channel away from the terminal.
    pub unreachable: usize,
    /// Problems to report (a malformed policy), without record words.
    pub problems: Vec<String>,
}

/// The firing `(round, step)` of `policy`, as a message needs it.
fn firing_of(policy: &Policy, round: u32, step: u32) -> Firing {
    Firing {
        round,
        step,
        at: DateTime::<Utc>::MIN_UTC,
        targets: if round == 0 {
            policy
                .steps
                .get(step as usize)
                .map(|s| s.targets.clone())
                .unwrap_or_default()
        } else {
            policy.all_targets()
        },
    }
}

/// "overdue SG-2026-0042" or "nobody_on_duty": how a log line names an alert.
fn name(a: &DeskAlert) -> String {
    match &a.reference {
        Some(r) => format!("{} {r}", a.kind.code()),
        None => a.kind.code().to_string(),
    }
}

/// One pass at `now`: plan, record, claim, send, record what happened.
/// `log` gets one line per delivery, failure and problem.
pub fn pass(
    store: &mut Store,
    now: DateTime<Utc>,
    senders: &[Arc<dyn Sender>],
    log: &mut dyn FnMut(&str),
) -> StoreResult<PassReport> {
    let mut report = PassReport::default();
    let snap = alerts::snapshot(store, now)?;
    let policy_of: HashMap<PolicyKind, Policy> = snap
        .policies
        .iter()
        .map(|(p, _)| (p.kind, p.clone()))
        .collect();
    report.problems = snap
        .policies
        .iter()
        .filter_map(|(_, e)| e.clone())
        .collect();
    let team: Vec<policy::Member> = snap.members.iter().map(|(_, m, _)| *m).collect();
    let by_id: HashMap<i64, &(StaffMember, policy::Member, Channels)> =
        snap.members.iter().map(|m| (m.0.id, m)).collect();
    let open: HashSet<(Kind, i64)> = snap
        .alerts
        .iter()
        .filter(|a| !a.acknowledged)
        .map(|a| (a.kind, a.subject_id))
        .collect();
    let alert_of: HashMap<(Kind, i64), &DeskAlert> = snap
        .alerts
        .iter()
        .map(|a| ((a.kind, a.subject_id), a))
        .collect();
    // Plan.
    let mut wanted = Vec::new();
    let mut unreachable: HashSet<i64> = HashSet::new();
    for a in snap.alerts.iter().filter(|a| !a.acknowledged) {
        let p = &policy_of[&a.kind.policy()];
        // Who a step's targets may tell: the people named, less those never
        // told of it, less whoever may not see the case (need-to-know).
        let allowed = |targets: &[policy::Target]| -> StoreResult<Vec<i64>> {
            let people: Vec<i64> = match a.kind {
                // Only the person it concerns, whatever the policy says.
                Kind::ShiftStart | Kind::Taken | Kind::Assigned => {
                    if targets.contains(&policy::Target::Holder) {
                        a.holder.into_iter().collect()
                    } else {
                        vec![]
                    }
                }
                _ => policy::recipients(targets, &team, snap.duty, a.holder),
            };
            let mut out = Vec::new();
            for id in people.into_iter().filter(|id| !a.exclude.contains(id)) {
                if let Some(m) = by_id.get(&id)
                    && alerts::may_receive(store, &m.0, a)?
                {
                    out.push(id);
                }
            }
            Ok(out)
        };
        // Each first-round step's people, worked out as the schedule asks.
        let mut at_step: HashMap<u32, Vec<i64>> = HashMap::new();
        let mut failed = None;
        let (firings, nobody) = policy::firings_reaching(p, a.started_at, now, &mut |step| {
            let targets = &p.steps[step as usize].targets;
            match allowed(targets) {
                Ok(list) => {
                    let any = !list.is_empty();
                    at_step.insert(step, list);
                    any
                }
                Err(e) => {
                    failed.get_or_insert(e);
                    true
                }
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        for step in nobody {
            report
                .nobody_may_see
                .push(format!("{} step {}", name(a), step + 1));
        }
        for f in firings {
            let people = match (f.round, at_step.remove(&f.step)) {
                (0, Some(list)) => list,
                _ => allowed(&f.targets)?,
            };
            for id in people {
                let Some((_, _, ch)) = by_id.get(&id).map(|m| (&m.0, &m.1, &m.2)) else {
                    continue;
                };
                let not_before = match ch.quiet_hours() {
                    Some(q) if !a.immediate_risk => q.until(now).unwrap_or(now),
                    _ => now,
                };
                let mut any = false;
                for s in senders.iter().filter(|s| s.reaches(ch)) {
                    any = true;
                    wanted.push(Wanted {
                        kind: a.kind,
                        subject_id: a.subject_id,
                        escalation_id: a.escalation_id,
                        round: f.round,
                        step: f.step,
                        staff_id: id,
                        channel: s.channel(),
                        not_before,
                    });
                }
                if !any {
                    unreachable.insert(id);
                }
            }
        }
    }
    report.unreachable = unreachable.len();
    let (planned, cancelled) = alerts::record_wanted(store, now, &wanted, &open)?;
    report.planned = planned;
    report.cancelled = cancelled;
    report.held = alerts::held_for_quiet_hours(store.conn(), now)?;
    // Claim and prepare each message (need-to-know read again).
    let claimed = alerts::claim_due(store, now)?;
    let mut done: Vec<(Claimed, Outcome)> = Vec::new();
    let mut jobs: HashMap<Channel, Vec<(Claimed, Recipient, Message, String)>> = HashMap::new();
    for c in claimed {
        let alert = alert_of.get(&(c.kind, c.subject_id)).copied();
        let member = by_id.get(&c.staff_id).map(|m| (&m.0, &m.2));
        let sender = senders.iter().find(|s| s.channel() == c.channel);
        let (Some(a), Some((member, ch)), Some(_)) = (alert, member, sender) else {
            done.push((c, Outcome::Cancelled));
            continue;
        };
        if a.acknowledged || !alerts::may_receive(store, member, a)? {
            done.push((c, Outcome::Cancelled));
            continue;
        }
        let p = &policy_of[&a.kind.policy()];
        let counts = if a.kind == Kind::ShiftStart {
            Some(alerts::counts(store, member, now)?)
        } else {
            None
        };
        let m = paging::message(a, p, &firing_of(p, c.round, c.step), counts);
        let to = Recipient {
            staff_id: member.id,
            account: member.username.clone(),
            email: ch.email.clone(),
            hook_to: ch.hook_to.clone(),
        };
        let label = format!(
            "{} step {} round {} to staff #{} by {}",
            name(a),
            c.step + 1,
            c.round,
            c.staff_id,
            c.channel.code()
        );
        jobs.entry(c.channel).or_default().push((c, to, m, label));
    }
    // Send: one thread per channel, so a slow one never holds up another.
    let results: Vec<(Claimed, Outcome, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .filter_map(|(channel, list)| {
                let sender = senders.iter().find(|s| s.channel() == channel)?.clone();
                Some(scope.spawn(move || {
                    let mut out = Vec::new();
                    let mut failures_in_a_row = 0;
                    for (c, to, m, label) in list {
                        if failures_in_a_row >= CHANNEL_DOWN_AFTER {
                            let line = format!("{label}: not tried, the channel failed {CHANNEL_DOWN_AFTER} times in a row; next pass");
                            out.push((c, Outcome::Deferred(now + Duration::minutes(1)), line));
                            continue;
                        }
                        match sender.send(&to, &m, now) {
                            Ok(()) => {
                                failures_in_a_row = 0;
                                out.push((c, Outcome::Delivered, format!("delivered {label}")));
                            }
                            Err(e) => {
                                failures_in_a_row += 1;
                                let retry = retry_at(now, c.attempts + 1);
                                let line = match retry {
                                    Some(t) => format!(
                                        "FAILED {label} (attempt {}): {e}; retry at {}",
                                        c.attempts + 1,
                                        crate::domain::calendar::format_stamp(t)
                                    ),
                                    None => format!(
                                        "GAVE UP {label} after {} attempts: {e}",
                                        c.attempts + 1
                                    ),
                                };
                                out.push((c, Outcome::Failed { reason: e, retry_at: retry }, line));
                            }
                        }
                    }
                    out
                }))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (c, o, line) in results {
        log(&line);
        match &o {
            Outcome::Delivered => report.delivered += 1,
            Outcome::Failed {
                retry_at: Some(_), ..
            } => report.failed += 1,
            Outcome::Failed { retry_at: None, .. } => report.gave_up += 1,
            Outcome::Deferred(_) => report.deferred += 1,
            Outcome::Cancelled => {}
        }
        done.push((c, o));
    }
    report.cancelled += done
        .iter()
        .filter(|(_, o)| *o == Outcome::Cancelled)
        .count();
    alerts::finish(store, now, &done)?;
    Ok(report)
}
