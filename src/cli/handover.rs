//! `dutydesk rota` and `dutydesk handover`.

use super::{Failure, Outcome, bad_input, clock, whoami};
use crate::domain::calendar::format_stamp;
use crate::store::escalations::Viewer;
use crate::store::{self, Create};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum RotaCommand {
    /// Who is on duty now and who is next
    Show {
        /// One JSON document (`rota`: docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Go on duty now yourself: the current shift ends now and yours runs to
    /// its end (or to the next shift, or for 12 hours)
    TakeOver,
    /// Add a one-off shift (a swap, cover): USER from FROM to TO, UK time
    /// ("Mon 09:00", "24/11 09:00", "2026-11-24 09:00") or RFC 3339; it
    /// overrides the weekly pattern
    Add {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::holders))]
        user: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// The weekly pattern: shifts typed in UK time, e.g. "Mon-Fri 09:00-17:00"
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// Report gaps (nobody on duty) and overlaps in the rota ahead, in UK
    /// time, clock changes included; exit 1 when there are any
    Check {
        /// How many days ahead, from now
        #[arg(long, default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..=366))]
        days: u32,
        /// One JSON document (`rota_check`: docs/JSON.md); still exit 1 on a problem
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatternCommand {
    /// Every weekly pattern in force
    List {
        /// One JSON document (`rota_patterns`: docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Add a weekly shift for USER (DSLs and senior leads): SHIFT is days and
    /// UK hours, e.g. "Mon-Fri 09:00-17:00", "Sat,Sun 21:00-09:00" (overnight)
    Add {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::holders))]
        user: String,
        shift: String,
        /// First day it applies, YYYY-MM-DD [default: at once]
        #[arg(long)]
        from: Option<String>,
        /// Last day it applies, YYYY-MM-DD [default: until removed]
        #[arg(long)]
        until: Option<String>,
    },
    /// End a weekly pattern (its id from `rota pattern list`)
    Remove { id: i64 },
}

fn date(s: &Option<String>, what: &str) -> Result<Option<chrono::NaiveDate>, Failure> {
    s.as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| bad_input(format!("--{what} {d:?} is not a date: YYYY-MM-DD")))
        })
        .transpose()
}

fn at(s: &str, what: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Failure> {
    crate::domain::rota::parse_local(s, now).map_err(|e| bad_input(format!("--{what}: {e}")))
}

pub fn rota(path: &Path, cmd: &RotaCommand) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    match cmd {
        RotaCommand::Show { json } => {
            let (cur, next) = store::rota::now_and_next(&st, now)?;
            if *json {
                let week = store::rota::in_force_of(&st, now, now + chrono::Duration::days(7))?;
                let names = store::rota::names(&st)?;
                let shift = |s: &store::rota::Shift| {
                    serde_json::json!({
                        "user": s.username,
                        "user_name": s.who,
                        "starts_at": super::json::time(s.starts_at),
                        "ends_at": super::json::time(s.ends_at),
                    })
                };
                return super::json::print(
                    "rota",
                    now,
                    serde_json::json!({
                        "on_duty": cur.as_ref().map(shift),
                        "next": next.as_ref().map(shift),
                        "items": week.iter().map(|s| {
                            let (user, name) = names.get(&s.staff_id).cloned().unzip();
                            serde_json::json!({
                                "user": user,
                                "user_name": name,
                                "starts_at": super::json::time(s.starts_at),
                                "ends_at": super::json::time(s.ends_at),
                                "source": match s.source {
                                    crate::domain::rota::Source::OneOff(_) => "one_off",
                                    crate::domain::rota::Source::Pattern(_) => "pattern",
                                },
                            })
                        }).collect::<Vec<_>>(),
                    }),
                );
            }
            match cur {
                Some(s) => say!("On duty now: {} until {}", s.who, format_stamp(s.ends_at))?,
                None => say!("Nobody is on duty now: add a shift with `dutydesk rota add`")?,
            }
            if let Some(s) = next {
                say!(
                    "Next: {} from {} to {}",
                    s.who,
                    format_stamp(s.starts_at),
                    format_stamp(s.ends_at)
                )?;
            }
            let week = store::rota::in_force_of(&st, now, now + chrono::Duration::days(7))?;
            let names = store::rota::names(&st)?;
            say!("\nThe next 7 days (UK time):")?;
            for s in &week {
                say!(
                    "  {} to {}  {}{}",
                    crate::domain::calendar::local(s.starts_at).format("%a %d %b %H:%M"),
                    crate::domain::calendar::local(s.ends_at).format("%a %d %b %H:%M"),
                    names.get(&s.staff_id).map_or("?", |n| n.1.as_str()),
                    match s.source {
                        crate::domain::rota::Source::OneOff(_) => "  (one-off)",
                        crate::domain::rota::Source::Pattern(_) => "",
                    }
                )?;
            }
            Ok(())
        }
        RotaCommand::Pattern(PatternCommand::List { json }) => {
            let rows = store::rota::patterns_of(&st)?;
            if *json {
                let items: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|(id, user, name, shift, from, until)| {
                        serde_json::json!({
                            "id": id,
                            "user": user,
                            "user_name": name,
                            "shift": shift,
                            "from": from,
                            "until": until,
                        })
                    })
                    .collect();
                return super::json::print("rota_patterns", now, &items);
            }
            if rows.is_empty() {
                say!(
                    "No weekly pattern: add one with `dutydesk rota pattern add USER \"Mon-Fri 09:00-17:00\"`"
                )?;
            }
            for (id, user, name, shift, from, until) in rows {
                say!(
                    "{id:>4}  {user:<12} {name:<24} {shift:<26} {}{}",
                    from.map(|d| format!("from {d} ")).unwrap_or_default(),
                    until.map(|d| format!("until {d}")).unwrap_or_default()
                )?;
            }
            Ok(())
        }
        RotaCommand::Pattern(PatternCommand::Add {
            user,
            shift,
            from,
            until,
        }) => {
            let (from, until) = (date(from, "from")?, date(until, "until")?);
            let id = st
                .write(&me.username, now, |w| {
                    store::rota::add_pattern(w, user, shift, from, until)
                })
                .map_err(super::Failure::from)?;
            let w = crate::domain::rota::parse_weekly(shift).map_err(bad_input)?;
            say!(
                "Pattern {id}: {user} {} (UK time). `dutydesk rota check` shows any gap or overlap.",
                crate::domain::rota::format_weekly(w.weekdays, w.starts, w.ends)
            )?;
            Ok(())
        }
        RotaCommand::Pattern(PatternCommand::Remove { id }) => {
            st.write(&me.username, now, |w| store::rota::remove_pattern(w, *id))
                .map_err(super::Failure::from)?;
            say!("Pattern {id} no longer in force.")?;
            Ok(())
        }
        RotaCommand::Check { days, json } => {
            let to = now + chrono::Duration::days(i64::from(*days));
            let shifts = store::rota::in_force_of(&st, now, to)?;
            let names = store::rota::names(&st)?;
            let who = |id: i64| names.get(&id).map_or("?".to_string(), |n| n.1.clone());
            let when = |t: DateTime<Utc>| {
                crate::domain::calendar::local(t)
                    .format("%a %d %b %Y %H:%M %Z")
                    .to_string()
            };
            let problems = crate::domain::rota::check(&shifts, now, to);
            let failed = || super::Failure {
                exit: crate::domain::exit::Exit::Refused,
                message: format!(
                    "{} problem(s) in the rota in the next {days} days: add a shift (`dutydesk rota add`, `rota pattern add`)",
                    problems.len()
                ),
            };
            if *json {
                let user = |id: i64| names.get(&id).map(|n| n.0.clone());
                let items: Vec<serde_json::Value> = problems
                    .iter()
                    .map(|p| match p {
                        crate::domain::rota::Problem::Gap { from, to } => serde_json::json!({
                            "kind": "gap",
                            "from_at": super::json::time(*from),
                            "to_at": super::json::time(*to),
                        }),
                        crate::domain::rota::Problem::Overlap {
                            first,
                            second,
                            from,
                            to,
                        } => serde_json::json!({
                            "kind": "overlap",
                            "from_at": super::json::time(*from),
                            "to_at": super::json::time(*to),
                            "first": user(*first),
                            "first_name": who(*first),
                            "second": user(*second),
                            "second_name": who(*second),
                            "alerts_to": user(*second),
                        }),
                    })
                    .collect();
                super::json::print(
                    "rota_check",
                    now,
                    serde_json::json!({
                        "days": days,
                        "until_at": super::json::time(to),
                        "items": items,
                    }),
                )?;
                return if problems.is_empty() {
                    Ok(())
                } else {
                    Err(failed())
                };
            }
            if problems.is_empty() {
                say!("No gaps or overlaps in the next {days} days (UK time).")?;
                return Ok(());
            }
            for p in &problems {
                match p {
                    crate::domain::rota::Problem::Gap { from, to } => say!(
                        "GAP      {} to {}: nobody on duty ({})",
                        when(*from),
                        when(*to),
                        crate::domain::deadline::countdown(*to, *from)
                    )?,
                    crate::domain::rota::Problem::Overlap {
                        first,
                        second,
                        from,
                        to,
                    } => say!(
                        "OVERLAP  {} to {}: {} and {} both on duty; alerts go to {}",
                        when(*from),
                        when(*to),
                        who(*first),
                        who(*second),
                        who(*second)
                    )?,
                }
            }
            Err(failed())
        }
        RotaCommand::TakeOver => {
            let said = st
                .write(&me.username, now, store::rota::take_over)
                .map_err(super::Failure::from)?;
            say!("{said}")?;
            Ok(())
        }
        RotaCommand::Add { user, from, to } => {
            let (from, to) = (at(from, "from", now)?, at(to, "to", now)?);
            st.write(&me.username, now, |w| store::rota::add(w, user, from, to))
                .map_err(super::Failure::from)?;
            say!(
                "{user} on duty {} to {}",
                format_stamp(from),
                format_stamp(to)
            )?;
            Ok(())
        }
    }
}

/// What the incoming DSL needs: changes since the current shift began (or the
/// last 12 hours), deadlines in the next 24 hours, and notes left.
pub fn handover(path: &Path, md: bool, json: bool, note: Option<&str>) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    if let Some(text) = note {
        st.write(&me.username, now, |w| store::rota::leave_note(w, text))
            .map_err(super::Failure::from)?;
        say!("Note left for the next DSL.")?;
        return Ok(());
    }
    // Every deadline due in the next 24 hours is written as it is read
    // (issue 21: some 100,000 overdue on a desk of 137,000 open cases).
    let viewer = Viewer::from(&me);
    let h = store::rota::handover_head(&st, viewer, now)?;
    let until = now + chrono::Duration::hours(24);
    let output = super::OutputError::default();
    if json {
        let people = super::json::People::of(&store::staff::list(&st)?);
        let t = super::json::time;
        let shift = |s: &store::rota::Shift| {
            serde_json::json!({
                "user": s.username,
                "user_name": s.who,
                "starts_at": t(s.starts_at),
                "ends_at": t(s.ends_at),
            })
        };
        let notes: Vec<serde_json::Value> = h
            .notes
            .iter()
            .map(|(at, who, body)| {
                serde_json::json!({
                    "at": t(*at),
                    "by": people.username(who),
                    "by_name": who,
                    "body": body,
                })
            })
            .collect();
        let changes: Vec<serde_json::Value> = h
            .changes
            .iter()
            .map(|(at, r, who, kind, body)| {
                serde_json::json!({
                    "at": t(*at),
                    "reference": r,
                    "by": people.username(who),
                    "by_name": who,
                    "kind": kind,
                    "body": body,
                })
            })
            .collect();
        let mut items = super::json::Items::begin_list(
            "handover",
            now,
            &[
                ("on_duty", h.current.as_ref().map(shift).into()),
                ("next", h.next.as_ref().map(shift).into()),
                ("since", t(h.since).into()),
                ("notes", notes.into()),
                ("changes", changes.into()),
            ],
            "due",
        )?;
        store::deadlines::open_due_each(&st, viewer, until, |d| {
            let mut m = crate::domain::json::deadline_source(&d);
            m.insert("reference".into(), d.reference.clone().into());
            m.insert("due_at".into(), t(d.due_at).into());
            m.insert(
                "status".into(),
                serde_json::to_value(d.status(now)).unwrap_or_default(),
            );
            items
                .item(serde_json::Value::Object(m))
                .map_err(|e| output.keep(e))
        })
        .map_err(|e| output.take(e))?;
        items.end()?;
        return super::audit_export(&mut st, &me, "handover", &format!("since {}", h.since));
    }
    let (cur, next, since, changes, due_total, notes) =
        (h.current, h.next, h.since, h.changes, h.due_total, h.notes);
    let (h1, h2, bullet) = if md {
        ("# ", "## ", "- ")
    } else {
        ("", "", "  ")
    };
    say!("{h1}Handover, {}", format_stamp(now))?;
    match (&cur, &next) {
        (Some(c), Some(n)) => say!(
            "On duty: {} until {}; next: {}",
            c.who,
            format_stamp(c.ends_at),
            n.who
        )?,
        (Some(c), None) => say!(
            "On duty: {} until {}; nobody is on the rota next",
            c.who,
            format_stamp(c.ends_at)
        )?,
        (None, Some(n)) => say!(
            "Nobody on duty now; next: {} from {}",
            n.who,
            format_stamp(n.starts_at)
        )?,
        (None, None) => say!("Nobody is on the rota")?,
    }
    say!("\n{h2}Notes from the outgoing DSL ({})", notes.len())?;
    for (at, who, body) in &notes {
        say!(
            "{bullet}{} {who}: {}",
            format_stamp(*at),
            body.replace('\n', " ")
        )?;
    }
    say!("\n{h2}Due in the next 24 hours ({due_total})")?;
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout());
        store::deadlines::open_due_each(&st, viewer, until, |d| {
            writeln!(
                out,
                "{bullet}{} {} {}: {}",
                d.reference,
                crate::domain::deadline::countdown(d.due_at, now),
                format_stamp(d.due_at),
                d.label
            )
            .map_err(|e| output.io(e))
        })
        .map_err(|e| output.take(e))?;
        out.flush().map_err(anyhow::Error::from)?;
    }
    say!(
        "\n{h2}What changed since {} ({})",
        format_stamp(since),
        changes.len()
    )?;
    for (at, r, who, kind, body) in &changes {
        say!(
            "{bullet}{} {r} {who} · {}: {body}",
            format_stamp(*at),
            crate::domain::escalation::chronology_kind(kind)
        )?;
    }
    super::audit_export(&mut st, &me, "handover", &format!("since {since}"))
}
