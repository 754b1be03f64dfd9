//! `dutydesk rota` and `dutydesk handover`.

use super::{Failure, Outcome, clock, refused, whoami};
use crate::domain::calendar::format_stamp;
use crate::store::escalations::Viewer;
use crate::store::{self, Create};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum RotaCommand {
    /// Who is on duty now and who is next
    Show,
    /// Go on duty now yourself: the current shift ends now and yours runs to
    /// its end (or to the next shift, or for 12 hours)
    TakeOver,
    /// Add a shift: USER from FROM to TO (RFC 3339, e.g. 2026-11-23T08:00:00Z)
    Add {
        user: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

fn at(s: &str, what: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            refused(format!(
                "--{what} {s:?} is not an RFC 3339 time, e.g. 2026-11-23T08:00:00Z"
            ))
        })
}

pub fn rota(path: &Path, cmd: &RotaCommand) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    match cmd {
        RotaCommand::Show => {
            let (cur, next) = store::rota::now_and_next(&st, now)?;
            match cur {
                Some(s) => println!("On duty now: {} until {}", s.who, format_stamp(s.ends_at)),
                None => println!("Nobody is on duty now: add a shift with `dutydesk rota add`"),
            }
            if let Some(s) = next {
                println!(
                    "Next: {} from {} to {}",
                    s.who,
                    format_stamp(s.starts_at),
                    format_stamp(s.ends_at)
                );
            }
            Ok(())
        }
        RotaCommand::TakeOver => {
            let said = st
                .write(&me.username, now, store::rota::take_over)
                .map_err(|e| Failure {
                    code: 1,
                    message: e.to_string(),
                })?;
            println!("{said}");
            Ok(())
        }
        RotaCommand::Add { user, from, to } => {
            let (from, to) = (at(from, "from")?, at(to, "to")?);
            st.write(&me.username, now, |w| store::rota::add(w, user, from, to))
                .map_err(|e| Failure {
                    code: 1,
                    message: e.to_string(),
                })?;
            println!(
                "{user} on duty {} to {}",
                format_stamp(from),
                format_stamp(to)
            );
            Ok(())
        }
    }
}

/// What the incoming DSL needs: changes since the current shift began (or the
/// last 12 hours), deadlines in the next 24 hours, and notes left.
pub fn handover(path: &Path, md: bool, note: Option<&str>) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    if let Some(text) = note {
        st.write(&me.username, now, |w| store::rota::leave_note(w, text))
            .map_err(|e| Failure {
                code: 1,
                message: e.to_string(),
            })?;
        println!("Note left for the next DSL.");
        return Ok(());
    }
    let h = store::rota::handover(&st, Viewer::from(&me), now)?;
    let (cur, next, since, changes, due, notes) =
        (h.current, h.next, h.since, h.changes, h.due, h.notes);
    let (h1, h2, bullet) = if md {
        ("# ", "## ", "- ")
    } else {
        ("", "", "  ")
    };
    println!("{h1}Handover, {}", format_stamp(now));
    match (&cur, &next) {
        (Some(c), Some(n)) => println!(
            "On duty: {} until {}; next: {}",
            c.who,
            format_stamp(c.ends_at),
            n.who
        ),
        (Some(c), None) => println!(
            "On duty: {} until {}; nobody is on the rota next",
            c.who,
            format_stamp(c.ends_at)
        ),
        (None, Some(n)) => println!(
            "Nobody on duty now; next: {} from {}",
            n.who,
            format_stamp(n.starts_at)
        ),
        (None, None) => println!("Nobody is on the rota"),
    }
    println!("\n{h2}Notes from the outgoing DSL ({})", notes.len());
    for (at, who, body) in &notes {
        println!(
            "{bullet}{} {who}: {}",
            format_stamp(*at),
            body.replace('\n', " ")
        );
    }
    println!("\n{h2}Due in the next 24 hours ({})", due.len());
    for d in &due {
        println!(
            "{bullet}{} {} {}: {}",
            d.reference,
            crate::domain::deadline::countdown(d.due_at, now),
            format_stamp(d.due_at),
            d.label
        );
    }
    println!(
        "\n{h2}What changed since {} ({})",
        format_stamp(since),
        changes.len()
    );
    for (at, r, who, kind, body) in &changes {
        println!("{bullet}{} {r} {who} · {kind}: {body}", format_stamp(*at));
    }
    super::audit_export(&mut st, &me, "handover", &format!("since {since}"))
}
