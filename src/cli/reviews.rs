//! `dutydesk reviews`: the next meeting of each series and its agenda; adding
//! to it, holding it and recording decisions.

use super::{Failure, Outcome, bad_input, clock, whoami};
use crate::domain::review::when;
use crate::store::escalations::Viewer;
use crate::store::{self, Create};
use clap::{Args, Subcommand};
use std::path::Path;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReviewsArgs {
    #[command(subcommand)]
    pub cmd: Option<ReviewsCommand>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// Put an escalation on a series' next agenda, with a reason
    Add {
        reference: String,
        /// dsl_learning, log_review, annual (see `dutydesk reviews`)
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::series), long)]
        series: String,
        #[arg(long)]
        reason: String,
    },
    /// Record the series' next meeting as held; unreviewed items roll on
    Hold {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::series))]
        series: String,
        #[arg(long)]
        attendees: String,
    },
    /// Items of held meetings of a series, with their ids
    Items {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::series))]
        series: String,
        /// One JSON document (`review_items`: docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Record the discussion and decision on an item, and an action if agreed
    Record {
        item: i64,
        #[arg(long)]
        discussion: String,
        #[arg(long)]
        decision: String,
        #[arg(long, requires_all = ["owner", "due"])]
        action: Option<String>,
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::holders), long)]
        owner: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        due: Option<String>,
    },
}

/// Through the one mapping of errors to exit codes.
fn act(e: store::StoreError) -> Failure {
    Failure::from(e)
}

pub fn run(path: &Path, a: &ReviewsArgs) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    // Databases made before reviews existed get the standard series, in the
    // same write as the change asked for, so a refusal leaves nothing behind.
    match &a.cmd {
        None => {
            if !st.read_only() {
                st.write(&me.username, now, |w| {
                    store::reviews::seed(w)?;
                    w.audit("lookup", "reviews", None, None)
                })?;
            }
            // Each series' heading and counts first, then its items as
            // they are read (issue 21: bounded memory for a year's agenda).
            let viewer = Viewer::from(&me);
            let headings = store::reviews::summaries(&st, viewer, now)?;
            let output = super::OutputError::default();
            if a.json {
                let mut items = super::json::Items::begin("reviews", crate::cli::clock()?.now())?;
                for g in &headings {
                    let head = serde_json::to_value(g).map_err(anyhow::Error::from)?;
                    items.item_with_list(head, "items", |write| {
                        store::reviews::agenda_each(&st, g, viewer, now, |i| {
                            let v = serde_json::to_value(&i)
                                .map_err(|e| output.keep(anyhow::Error::from(e)))?;
                            write(v).map_err(|e| output.keep(e))
                        })
                        .map_err(|e| output.take(e))
                    })?;
                }
                return items.end();
            }
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout());
            let today = crate::domain::calendar::local(now).date_naive();
            for g in &headings {
                writeln!(
                    out,
                    "{} [{}]: next {} ({}), {} item(s) since {}",
                    g.name,
                    g.code,
                    crate::domain::calendar::format_date(g.next_meeting),
                    when(g.next_meeting, today),
                    g.total(),
                    crate::domain::calendar::format_date(g.since)
                )
                .map_err(anyhow::Error::from)?;
                store::reviews::agenda_each(&st, g, viewer, now, |i| {
                    writeln!(
                        out,
                        "  {:<13} {:<26} {}",
                        i.reference,
                        i.kind.label(),
                        i.detail
                    )
                    .map_err(|e| output.io(e))
                })
                .map_err(|e| output.take(e))?;
            }
            out.flush().map_err(anyhow::Error::from)?;
            Ok(())
        }
        Some(ReviewsCommand::Add {
            reference,
            series,
            reason,
        }) => {
            let msg = st
                .write(&me.username, now, |w| {
                    let id = store::workflow::id_of(w, reference)?;
                    store::reviews::seed(w)?;
                    store::reviews::add(w, series, id, reason)
                })
                .map_err(act)?;
            eprintln!("{msg}");
            Ok(())
        }
        Some(ReviewsCommand::Hold { series, attendees }) => {
            let msg = st
                .write(&me.username, now, |w| {
                    store::reviews::seed(w)?;
                    store::reviews::hold(w, series, attendees)
                })
                .map_err(act)?;
            eprintln!("{msg}");
            Ok(())
        }
        Some(ReviewsCommand::Items { series, json }) => {
            let items = store::reviews::items(&st, series, Viewer::from(&me)).map_err(act)?;
            if !st.read_only() {
                st.write(&me.username, now, |w| {
                    w.audit("lookup", "reviews", None, Some("items"))
                })?;
            }
            if *json {
                let rows: Vec<serde_json::Value> = items
                    .iter()
                    .map(|(id, date, reference, kind, done)| {
                        serde_json::json!({
                            "id": id,
                            "meeting_date": date,
                            "reference": reference,
                            "kind": kind,
                            "kind_label": crate::domain::review::ItemKind::from_code(kind)
                                .map(|k| k.label()),
                            "reviewed": done,
                        })
                    })
                    .collect();
                return super::json::print(
                    "review_items",
                    now,
                    serde_json::json!({
                        "series": series,
                        "items": rows,
                    }),
                );
            }
            for (id, date, reference, kind, done) in items {
                let date = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_or(date, crate::domain::calendar::format_date);
                let kind = crate::domain::review::ItemKind::from_code(&kind)
                    .map_or(kind, |k| k.label().to_string());
                say!(
                    "{id:>5} {date:<11} {reference:<13} {kind:<26} {}",
                    if done { "reviewed" } else { "" }
                )?;
            }
            Ok(())
        }
        Some(ReviewsCommand::Record {
            item,
            discussion,
            decision,
            action,
            owner,
            due,
        }) => {
            let due = match due {
                Some(d) => Some(
                    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                        bad_input(format!("--due {d:?} is not a date (YYYY-MM-DD)"))
                    })?,
                ),
                None => None,
            };
            let action = match (action, owner, due) {
                (Some(a), Some(o), Some(d)) => Some((a.as_str(), o.as_str(), d)),
                _ => None,
            };
            let msg = st
                .write(&me.username, now, |w| {
                    store::reviews::record_item(w, *item, discussion, decision, action)
                })
                .map_err(act)?;
            eprintln!("{msg}");
            Ok(())
        }
    }
}
