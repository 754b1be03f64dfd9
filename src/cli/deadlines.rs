//! Commands about time: deadlines for cron, alerts, bank holidays, rules and
//! the organisation's settings.

use super::{Outcome, clock, refused, whoami};
use crate::domain::calendar::{DIVISIONS, OffsetUnit, format_stamp, local, parse_govuk};
use crate::domain::deadline::{Deadline, DeadlineState, TriggerEvent};
use crate::store::deadlines::RuleInput;
use crate::store::escalations::Viewer;
use crate::store::{self, Create, settings};
use clap::Subcommand;
use serde::Serialize;
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
        code: String,
        /// What is due, as shown on screen
        #[arg(long)]
        name: String,
        /// escalation_opened, referral_made, status_changed or event_recorded
        #[arg(long, value_parser = parse_event)]
        on: TriggerEvent,
        /// Conditions joined by '+': any, critical_incident, immediate_risk,
        /// subject:child|adult|staff, category:CODE, route:CODE, status:CODE, or an event name
        #[arg(long = "match", value_name = "MATCH")]
        matcher: String,
        /// How many units (0 to 366)
        #[arg(long, allow_negative_numbers = true)]
        amount: i64,
        /// hours, calendar_days, working_days, calendar_months or same_day
        #[arg(long, value_parser = parse_unit)]
        unit: OffsetUnit,
        /// Minutes before the deadline that it counts as due soon (0 to 43200)
        #[arg(long, default_value_t = 240, allow_negative_numbers = true)]
        warn: i64,
        /// Keep the rule but stop it firing
        #[arg(long)]
        inactive: bool,
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
    /// Change a setting (DSLs and senior leads only): deadline_counting
    /// (same_time | end_of_day), holiday_division, org_name
    Set { key: String, value: String },
}

fn parse_event(s: &str) -> Result<TriggerEvent, String> {
    TriggerEvent::from_code(s).ok_or_else(|| {
        format!("{s:?} is not a trigger: use escalation_opened, referral_made, status_changed or event_recorded")
    })
}

fn parse_unit(s: &str) -> Result<OffsetUnit, String> {
    OffsetUnit::from_code(s).ok_or_else(|| {
        format!(
            "{s:?} is not a unit: use hours, calendar_days, working_days, calendar_months or same_day"
        )
    })
}

/// One deadline as `dutydesk deadlines --json` prints it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    reference: &'a str,
    rule: &'a str,
    /// RFC 3339 with the UK offset of that day (+00:00 or +01:00).
    due: String,
    status: crate::domain::deadline::DeadlineStatus,
    countdown: String,
    beyond_known_holidays: bool,
    #[serde(flatten)]
    state: &'a DeadlineState,
}

pub fn list(path: &Path, json: bool, all: bool) -> Outcome {
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let list = store::deadlines::list(&store, Viewer::from(&me), all)?;
    // Audited once the list is in hand: a list that failed left nothing.
    super::audit_export(
        &mut store,
        &me,
        "deadlines",
        if all { "all" } else { "open" },
    )?;
    if json {
        let rows: Vec<Row> = list.iter().map(|d| row(d, now)).collect();
        super::json::print("deadlines", crate::cli::clock()?.now(), &rows)?;
        return Ok(());
    }
    if list.is_empty() {
        println!("No {}deadlines.", if all { "" } else { "open " });
    }
    for d in &list {
        let r = row(d, now);
        println!(
            "{:<14} {:<20} {:<12} {}{}",
            r.reference,
            countdown_text(d, now),
            format_stamp(d.due_at),
            r.rule,
            if d.beyond_calendar {
                "  (counted past the known bank holidays: check)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn row(d: &Deadline, now: chrono::DateTime<chrono::Utc>) -> Row<'_> {
    Row {
        reference: &d.reference,
        rule: &d.label,
        due: local(d.due_at).to_rfc3339(),
        status: d.status(now),
        countdown: crate::domain::deadline::countdown(d.due_at, now),
        beyond_known_holidays: d.beyond_calendar,
        state: &d.state,
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
        println!("{}", a.line());
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
                .map_err(|e| refused(format!("cannot read {}: {e}", file.display())))?;
            let list = parse_govuk(&text, division)
                .map_err(|e| refused(format!("{}: {e}; nothing imported", file.display())))?;
            if list.is_empty() {
                return Err(refused(format!(
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
            println!(
                "{} {division} holidays read ({}-{}); {changed} new or changed; {moved} open deadlines recounted.",
                list.len(),
                years.first().unwrap_or(&0),
                years.last().unwrap_or(&0)
            );
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
                println!(
                    "No {division} bank holidays known{}.",
                    year.map(|y| format!(" for {y}")).unwrap_or_default()
                );
            }
            for h in list {
                println!("{}  {}", h.date.format("%a %d %b %Y"), h.title);
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
            let counting = settings::counting(store.conn())?;
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
                            "warn_minutes": r.warn_minutes,
                            "active": r.active,
                        })
                    })
                    .collect();
                return super::json::print(
                    "rules",
                    clock()?.now(),
                    serde_json::json!({ "deadline_counting": counting.code(), "items": items }),
                );
            }
            println!(
                "Day counts end: {} (setting deadline_counting)",
                counting.label()
            );
            println!(
                "{:<22} {:<18} {:<30} {:>3} {:<16} {:>5}  NAME",
                "CODE", "ON", "MATCH", "N", "UNIT", "WARN"
            );
            for r in store::deadlines::rules(store.conn())? {
                println!(
                    "{:<22} {:<18} {:<30} {:>3} {:<16} {:>5}  {}{}",
                    r.code,
                    r.event.code(),
                    r.matcher,
                    r.amount,
                    r.unit.code(),
                    r.warn_minutes,
                    r.name,
                    if r.active { "" } else { "  (inactive)" }
                );
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
            };
            let existed = store.write(&me.username, now, |w| {
                store::deadlines::save_rule(w, &input)
            })?;
            println!(
                "{} rule {code}. Deadlines already set keep their dates.",
                if existed { "Changed" } else { "Added" }
            );
            Ok(())
        }
    }
}

pub fn settings(path: &Path, cmd: &SettingsCommand) -> Outcome {
    match cmd {
        SettingsCommand::List { json } => {
            let store = store::open(path, Create::No)?;
            whoami(&store)?;
            if *json {
                let mut items = Vec::new();
                for (key, allowed) in settings::KNOWN {
                    items.push(serde_json::json!({
                        "key": key,
                        "value": settings::get(&store, key)?.unwrap_or_else(|| default_of(key)),
                        "allowed": allowed,
                    }));
                }
                return super::json::print("settings", clock()?.now(), &items);
            }
            for (key, _) in settings::KNOWN {
                let value = settings::get(&store, key)?.unwrap_or_else(|| default_of(key));
                println!("{key:<18} {value}");
            }
            Ok(())
        }
        SettingsCommand::Set { key, value } => {
            let Some((_, allowed)) = settings::KNOWN.iter().find(|(k, _)| k == key) else {
                let keys: Vec<&str> = settings::KNOWN.iter().map(|(k, _)| *k).collect();
                return Err(refused(format!(
                    "no setting {key:?}: the settings are {}",
                    keys.join(", ")
                )));
            };
            let value = crate::domain::text::validate_line("value", value, 200)
                .map_err(|e| refused(e.to_string()))?;
            if !allowed.is_empty() && !allowed.contains(&value.as_str()) {
                return Err(refused(format!(
                    "{value:?} is not a value of {key}: use {}",
                    allowed.join(" or ")
                )));
            }
            let now = clock()?.now();
            let mut store = store::open(path, Create::No)?;
            let me = whoami(&store)?;
            store.write(&me.username, now, |w| {
                store::staff::require_manager(w, "change settings")?;
                settings::set(w, key, &value)
            })?;
            println!("{key} = {value}");
            Ok(())
        }
    }
}

fn default_of(key: &str) -> String {
    match key {
        settings::DEADLINE_COUNTING => "same_time".into(),
        settings::HOLIDAY_DIVISION => "england-and-wales".into(),
        _ => String::new(),
    }
}
