//! Commands about time: deadlines for cron, alerts, bank holidays, rules and
//! the organisation's settings.

use super::{Outcome, bad_input, clock, whoami};
use crate::domain::calendar::{Counting, DIVISIONS, OffsetUnit, format_stamp, parse_govuk};
use crate::domain::deadline::{CountsFrom, Deadline, DeadlineState, TriggerEvent};
use crate::store::deadlines::RuleInput;
use crate::store::escalations::Viewer;
use crate::store::{self, Create, settings};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum HolidaysCommand {
    /// Import GOV.UK's bank-holidays.json (https://www.gov.uk/bank-holidays.json).
    /// Importing the same file again changes nothing; a bad file imports nothing.
    Import {
        file: PathBuf,
        /// Which division of the file to import
        #[arg(long, default_value = "england-and-wales", value_parser = clap::builder::PossibleValuesParser::new(DIVISIONS))]
        division: String,
    },
    /// List the bank holidays the desk counts working days with
    List {
        #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=2200))]
        year: Option<i32>,
        #[arg(long, default_value = "england-and-wales", value_parser = clap::builder::PossibleValuesParser::new(DIVISIONS))]
        division: String,
        /// Print a JSON document (docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every deadline rule
    List {
        /// Print a JSON document (docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Add a rule, or change the one with this code (DSLs and senior leads
    /// only). Deadlines already set keep their dates.
    Set {
        /// Short code, e.g. lado_referral
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::rules))]
        code: String,
        /// What is due, as shown on screen
        #[arg(long)]
        name: String,
        /// escalation_opened, referral_made, status_changed or event_recorded
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::triggers), long, value_parser = parse_event)]
        on: TriggerEvent,
        /// Conditions joined by '+': any, critical_incident, immediate_risk,
        /// subject:child|adult|staff, allegation:lado|pipot (where routing sends
        /// an allegation about staff), risk:high|medium|low, fgm:known|at_risk,
        /// category:CODE (an active category), route:CODE, status:new|assigned|
        /// referred|awaiting_outcome|closed, or an event (strategy_discussion,
        /// icpc_held, review_conference_held, removed_from_regulated_activity,
        /// fgm_reported). Categories and routes are checked against the real codes.
        #[arg(long = "match", value_name = "MATCH")]
        matcher: String,
        /// How many units (0 to 366)
        #[arg(long, allow_negative_numbers = true)]
        amount: i64,
        /// hours, calendar_days, working_days, calendar_months or same_day
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::units), long, value_parser = parse_unit)]
        unit: OffsetUnit,
        /// Minutes before the deadline that it counts as due soon (0 to 43200)
        #[arg(long, default_value_t = 240, allow_negative_numbers = true)]
        warn: i64,
        /// Keep the rule but stop it firing
        #[arg(long)]
        inactive: bool,
        /// Count from when it happened (the disclosure or observation; for
        /// an event, when it was held) or when it was recorded
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::counts_from), long = "from", value_parser = parse_from, default_value = "recorded", value_name = "occurred|recorded")]
        counts_from: CountsFrom,
        /// same_time (any unit), end_of_working_day (close of business on the
        /// last working day; working_days only), working_hours (count only
        /// working hours; hours only). Working time is the hours of the route
        /// the rule names, else the organisation's (setting working_hours)
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::countings), long, value_parser = parse_counting, default_value = "same_time")]
        counting: Counting,
        /// What meets it, comma-separated: route:CODE, route:CODE#N (the Nth
        /// referral on it), event:NAME, outcome:ROUTE, acknowledged, exact_words
        #[arg(long = "met-by", default_value = "", value_name = "TERMS")]
        meets: String,
        /// A second trigger while one is open adds another deadline (default:
        /// it keeps the open one)
        #[arg(long)]
        repeats: bool,
    },
}

/// `dutydesk deadline`: the command line's twins of the deadlines panel's
/// `m` and `w`.
#[derive(Debug, Subcommand)]
pub enum DeadlineCommand {
    /// Mark an escalation's open deadline met, by rule code or number
    /// (`dutydesk show REF` lists them)
    Met {
        reference: String,
        /// The rule's code (e.g. lado_referral) or the deadline's number
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::rules))]
        rule: String,
        /// What was done (optional; kept in the chronology)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Waive an escalation's open deadline, with the reason (required)
    Waive {
        reference: String,
        /// The rule's code (e.g. lado_referral) or the deadline's number
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::rules))]
        rule: String,
        /// Why it no longer applies (kept in the chronology and the review agenda)
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show every setting and its value
    List {
        /// Print a JSON document (docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Change a setting (DSLs and senior leads only): org_name,
    /// holiday_division (england-and-wales | scotland | northern-ireland, with
    /// its holidays loaded), working_hours (e.g. "Mon-Fri 09:00-17:00"),
    /// ack_minutes (1 to 1440), closure_outcomes (comma-separated codes)
    Set {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::setting_keys))]
        key: String,
        value: String,
    },
}

fn parse_event(s: &str) -> Result<TriggerEvent, String> {
    TriggerEvent::from_code(s).ok_or_else(|| {
        format!("{s:?} is not a trigger: use escalation_opened, referral_made, status_changed or event_recorded")
    })
}

fn parse_from(s: &str) -> Result<CountsFrom, String> {
    CountsFrom::from_code(s)
        .ok_or_else(|| format!("{s:?} is not where a count starts: use occurred or recorded"))
}

fn parse_counting(s: &str) -> Result<Counting, String> {
    Counting::from_code(s).ok_or_else(|| {
        format!("{s:?} is not a counting: use same_time, end_of_working_day or working_hours")
    })
}

fn parse_unit(s: &str) -> Result<OffsetUnit, String> {
    OffsetUnit::from_code(s).ok_or_else(|| {
        format!(
            "{s:?} is not a unit: use hours, calendar_days, working_days, calendar_months or same_day"
        )
    })
}

/// One deadline as the text list prints it.
struct Row<'a> {
    reference: &'a str,
    rule: &'a str,
}

/// One deadline as `dutydesk deadlines --json` prints it: its source
/// (`rule` code, `label`, `set_by_hand`, `owner`: `domain::json::
/// deadline_source`), `due_at`, status, countdown and state.
fn json_row(d: &Deadline, now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    let mut m = crate::domain::json::deadline_source(d);
    m.insert("reference".into(), d.reference.clone().into());
    m.insert("due_at".into(), super::json::time(d.due_at).into());
    m.insert(
        "status".into(),
        serde_json::to_value(d.status(now)).unwrap_or_default(),
    );
    m.insert(
        "countdown".into(),
        crate::domain::deadline::countdown(d.due_at, now).into(),
    );
    m.insert("beyond_known_holidays".into(), d.beyond_calendar.into());
    if let Ok(serde_json::Value::Object(state)) = serde_json::to_value(&d.state) {
        m.extend(state);
    }
    serde_json::Value::Object(m)
}

pub fn list(path: &Path, json: bool, all: bool) -> Outcome {
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    // Audited before anything is written: each deadline is written as it is
    // read (bounded memory at any size: issue 21), so what leaves is on
    // the record even if the listing stops part way.
    super::audit_export(
        &mut store,
        &me,
        "deadlines",
        if all { "all" } else { "open" },
    )?;
    let viewer = Viewer::from(&me);
    let output = super::OutputError::default();
    if json {
        let mut items = super::json::Items::begin("deadlines", crate::cli::clock()?.now())?;
        store::deadlines::list_each(&store, viewer, all, |d| {
            items.item(json_row(&d, now)).map_err(|e| output.keep(e))
        })
        .map_err(|e| output.take(e))?;
        return items.end();
    }
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut n = 0usize;
    store::deadlines::list_each(&store, viewer, all, |d| {
        n += 1;
        let r = row(&d, now);
        writeln!(
            out,
            "{:<14} {:<20} {:<12} {}{}",
            r.reference,
            countdown_text(&d, now),
            format_stamp(d.due_at),
            r.rule,
            if d.beyond_calendar {
                "  (counted past the known bank holidays: check)"
            } else {
                ""
            }
        )
        .map_err(|e| output.io(e))
    })
    .map_err(|e| output.take(e))?;
    if n == 0 {
        writeln!(out, "No {}deadlines.", if all { "" } else { "open " })
            .map_err(anyhow::Error::from)?;
    }
    out.flush().map_err(anyhow::Error::from)?;
    Ok(())
}

fn row(d: &Deadline, _now: chrono::DateTime<chrono::Utc>) -> Row<'_> {
    Row {
        reference: &d.reference,
        rule: &d.label,
    }
}

fn countdown_text(d: &Deadline, now: chrono::DateTime<chrono::Utc>) -> String {
    match &d.state {
        DeadlineState::Open => crate::domain::deadline::countdown(d.due_at, now),
        DeadlineState::Met { .. } => "met".into(),
        DeadlineState::Waived { .. } => "waived".into(),
    }
}

/// For cron: announces this user's new alerts on stdout (cron mails it) and
/// as a desktop notification where a D-Bus session exists, then exits. Never
/// waits on D-Bus longer than the notifier's timeout.
pub fn notify_once(path: &Path) -> Outcome {
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let mut seen = std::collections::HashSet::new();
    let alerts = store::worker::check_alerts(&mut store, &me, now, &mut seen)?;
    for a in &alerts {
        say!("{}", a.line())?;
    }
    let config = crate::config::Config::load().map_err(super::Failure::from)?;
    let env = |k: &str| std::env::var(k).ok();
    if config.notify.desktop && !alerts.is_empty() && crate::notify::dbus_available(&env) {
        let desktop: std::sync::Arc<dyn crate::notify::Desktop> =
            std::sync::Arc::new(crate::notify::DbusDesktop);
        for n in crate::tui::alerts::notices(&alerts) {
            let outcome = crate::notify::show_with_timeout(
                desktop.clone(),
                &n,
                crate::tui::alerts::DESKTOP_TIMEOUT,
            );
            if outcome != crate::notify::Outcome::Shown {
                eprintln!("desktop notification not shown: {outcome:?}");
            }
        }
    }
    Ok(())
}

pub fn holidays(path: &Path, cmd: &HolidaysCommand) -> Outcome {
    match cmd {
        HolidaysCommand::Import { file, division } => {
            let text = crate::store::files::read_to_string_as_user(file)
                .map_err(|e| bad_input(format!("cannot read {}: {e}", file.display())))?;
            let list = parse_govuk(&text, division)
                .map_err(|e| bad_input(format!("{}: {e}; nothing imported", file.display())))?;
            if list.is_empty() {
                return Err(bad_input(format!(
                    "{}: no {division} holidays in the file; nothing imported",
                    file.display()
                )));
            }
            let now = clock()?.now();
            let mut store = store::open(path, Create::No)?;
            let me = whoami(&store)?;
            let (changed, moved) = store.write(&me.username, now, |w| {
                // Holidays move working-day deadlines: not a viewer's change.
                store::staff::require_manager(w, "import bank holidays")?;
                let old = store::deadlines::known_through(w.tx())?;
                let changed = store::holidays::import(w, division, &list)?;
                let moved = store::deadlines::recount_beyond(w, old)?;
                if moved > 0 {
                    w.audit(
                        "recount",
                        "deadlines",
                        None,
                        Some(&format!("{moved} working-day deadlines recounted")),
                    )?;
                }
                Ok((changed, moved))
            })?;
            let years: Vec<i32> = {
                let mut y: Vec<i32> = list
                    .iter()
                    .map(|h| chrono::Datelike::year(&h.date))
                    .collect();
                y.dedup();
                y
            };
            say!(
                "{} {division} holidays read ({}-{}); {changed} new or changed; {moved} open deadlines recounted.",
                list.len(),
                years.first().unwrap_or(&0),
                years.last().unwrap_or(&0)
            )?;
            Ok(())
        }
        HolidaysCommand::List {
            year,
            division,
            json,
        } => {
            let store = store::open(path, Create::No)?;
            whoami(&store)?;
            let list = store::holidays::list(&store, division, *year)?;
            if *json {
                let items: Vec<serde_json::Value> = list
                    .iter()
                    .map(|h| {
                        serde_json::json!({
                            "date": h.date.format("%Y-%m-%d").to_string(),
                            "title": h.title,
                            "division": division,
                        })
                    })
                    .collect();
                return super::json::print("holidays", clock()?.now(), &items);
            }
            if list.is_empty() {
                say!(
                    "No {division} bank holidays known{}.",
                    year.map(|y| format!(" for {y}")).unwrap_or_default()
                )?;
            }
            for h in list {
                if h.notes.is_empty() {
                    say!("{}  {}", h.date.format("%a %d %b %Y"), h.title)?;
                } else {
                    say!(
                        "{}  {} ({})",
                        h.date.format("%a %d %b %Y"),
                        h.title,
                        h.notes
                    )?;
                }
            }
            Ok(())
        }
    }
}

pub fn rules(path: &Path, cmd: &RulesCommand) -> Outcome {
    match cmd {
        RulesCommand::List { json } => {
            let store = store::open(path, Create::No)?;
            whoami(&store)?;
            let hours = settings::load(store.conn())?.working_hours;
            if *json {
                let items: Vec<serde_json::Value> = store::deadlines::rules(store.conn())?
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "code": r.code,
                            "name": r.name,
                            "on": r.event.code(),
                            "match": r.matcher,
                            "amount": r.amount,
                            "unit": r.unit.code(),
                            "counting": r.counting.code(),
                            "counts_from": r.counts_from.code(),
                            "meets": r.meets,
                            "repeats": r.repeats,
                            "warn_minutes": r.warn_minutes,
                            "active": r.active,
                        })
                    })
                    .collect();
                return super::json::print(
                    "rules",
                    clock()?.now(),
                    serde_json::json!({ "working_hours": hours.format(), "items": items }),
                );
            }
            say!(
                "Working time: the hours of the route a rule names, else the organisation's ({}; setting working_hours), on the bank holidays of `dutydesk holidays list`.",
                hours.format()
            )?;
            say!(
                "{:<22} {:<18} {:<38} {:>3} {:<15} {:<18} {:<8} {:>5}  MET BY / NAME",
                "CODE",
                "ON",
                "MATCH",
                "N",
                "UNIT",
                "COUNTING",
                "FROM",
                "WARN"
            )?;
            for r in store::deadlines::rules(store.conn())? {
                say!(
                    "{:<22} {:<18} {:<38} {:>3} {:<15} {:<18} {:<8} {:>5}  [{}{}] {}{}",
                    r.code,
                    r.event.code(),
                    r.matcher,
                    r.amount,
                    r.unit.code(),
                    r.counting.code(),
                    r.counts_from.code(),
                    r.warn_minutes,
                    if r.meets.is_empty() {
                        "by hand"
                    } else {
                        &r.meets
                    },
                    if r.repeats { "; repeats" } else { "" },
                    r.name,
                    if r.active { "" } else { "  (inactive)" }
                )?;
            }
            Ok(())
        }
        RulesCommand::Set {
            code,
            name,
            on,
            matcher,
            amount,
            unit,
            warn,
            inactive,
            counts_from,
            counting,
            meets,
            repeats,
        } => {
            let now = clock()?.now();
            let mut store = store::open(path, Create::No)?;
            let me = whoami(&store)?;
            let input = RuleInput {
                code: code.clone(),
                name: name.clone(),
                event: *on,
                matcher: matcher.clone(),
                amount: *amount,
                unit: *unit,
                warn_minutes: *warn,
                active: !inactive,
                counts_from: *counts_from,
                counting: *counting,
                meets: meets.clone(),
                repeats: *repeats,
            };
            let existed = store.write(&me.username, now, |w| {
                store::deadlines::save_rule(w, &input)
            })?;
            say!(
                "{} rule {code}. Deadlines already set keep their dates.",
                if existed { "Changed" } else { "Added" }
            )?;
            Ok(())
        }
    }
}

pub fn settings(path: &Path, cmd: &SettingsCommand) -> Outcome {
    use crate::domain::settings::Key;
    match cmd {
        SettingsCommand::List { json } => {
            let store = store::open(path, Create::No)?;
            whoami(&store)?;
            let (s, problems) = settings::load_checked(store.conn())?;
            if *json {
                let items: Vec<serde_json::Value> = Key::ALL
                    .iter()
                    .map(|key| {
                        serde_json::json!({
                            "key": key.code(),
                            "value": s.value(*key),
                            "about": key.label(),
                        })
                    })
                    .collect();
                return super::json::print(
                    "settings",
                    clock()?.now(),
                    serde_json::json!({ "items": items, "problems": problems }),
                );
            }
            for key in Key::ALL {
                say!("{:<18} {}", key.code(), s.value(*key))?;
            }
            for p in &problems {
                say!("PROBLEM: {p}")?;
            }
            Ok(())
        }
        SettingsCommand::Set { key, value } => {
            // Checked before the database is opened: a bad key or value is
            // refused the same for everyone, and nothing is written.
            let k = crate::domain::settings::key(key).map_err(bad_input)?;
            crate::domain::settings::parse(k, value).map_err(bad_input)?;
            let now = clock()?.now();
            let mut store = store::open(path, Create::No)?;
            let me = whoami(&store)?;
            let stored = store.write(&me.username, now, |w| settings::change(w, key, value))?;
            say!("{} = {stored}", k.code())?;
            Ok(())
        }
    }
}

/// `dutydesk deadline met|waive REF RULE`: the command line's `m` and `w`.
pub fn deadline(path: &Path, cmd: &DeadlineCommand) -> Outcome {
    let (reference, rule) = match cmd {
        DeadlineCommand::Met {
            reference, rule, ..
        }
        | DeadlineCommand::Waive {
            reference, rule, ..
        } => (reference, rule),
    };
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let d = store
        .write(&me.username, now, |w| {
            let id = store::workflow::id_of(w, reference)?;
            let deadline = store::deadlines::find_open(w.tx(), id, rule)?;
            match cmd {
                DeadlineCommand::Met { note, .. } => store::deadlines::meet(w, deadline, note),
                DeadlineCommand::Waive { reason, .. } => {
                    store::deadlines::waive(w, deadline, reason)
                }
            }
        })
        .map_err(super::verbs::action)?;
    eprintln!(
        "{}: {} {}",
        d.reference,
        d.label,
        match cmd {
            DeadlineCommand::Met { .. } => "marked met",
            DeadlineCommand::Waive { .. } => "waived",
        }
    );
    Ok(())
}
