//! `dutydesk contacts`: the same answer as the contacts screen, and bulk
//! import and export.

use super::{Outcome, bad_input, clock, whoami};
use crate::store::{self, Create};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ContactsArgs {
    #[command(subcommand)]
    pub cmd: Option<ContactsCommand>,
    /// Words to search for (organisation, service, area, route, number, notes)
    pub query: Vec<String>,
    /// emergency, police, children, adults, lado, pipot, marac, nrm, ms1, prevent,
    /// ceop, fmu, dbs, home-office, other
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::routes), long)]
    pub route: Option<String>,
    /// The area where the person lives, or another name for it (contacts for
    /// any area are included; an unknown area is refused with the nearest names)
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::areas), long)]
    pub area: Option<String>,
    /// The moment to answer for, UK time (19:00, Sat 19:00, 28/11 19:00,
    /// 2026-11-28T19:00:00Z) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import contacts from CSV (columns: id, organisation, service, route, area,
    /// phone, email, web, notes, hours, open_on_bank_holidays, fallback_id).
    /// All or nothing; importing the same file twice changes nothing; a
    /// fallback may point at a row further down; a new row keeps its id if free.
    Import {
        file: PathBuf,
        /// Say what would change, change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print every contact as CSV (the columns import reads)
    Export,
}

pub fn run(path: &Path, a: &ContactsArgs) -> Outcome {
    match &a.cmd {
        Some(ContactsCommand::Export) => {
            let mut store = store::open(path, Create::No)?;
            let me = whoami(&store)?;
            let csv = store::contacts::export(store.conn())?;
            super::audit_export(&mut store, &me, "contacts", "csv")?;
            print!("{csv}");
            Ok(())
        }
        Some(ContactsCommand::Import { file, dry_run }) => {
            let text = crate::store::files::read_to_string_as_user(file)
                .map_err(|e| bad_input(format!("cannot read {}: {e}", file.display())))?;
            let rows = store::contacts::parse_csv(&text)
                .map_err(|e| bad_input(format!("{}: {e}; nothing imported", file.display())))?;
            let now = clock()?.now();
            let mut st = store::open(path, Create::No)?;
            let me = whoami(&st)?;
            if *dry_run {
                // The import itself, rolled back: every check it makes.
                let p = st.rehearse(&me.username, now, |w| store::contacts::import(w, &rows))?;
                say!(
                    "Dry run: {} to add, {} to change, {} unchanged. Nothing was changed.",
                    p.added,
                    p.changed,
                    p.unchanged
                )?;
                return Ok(());
            }
            let p = st.write(&me.username, now, |w| store::contacts::import(w, &rows))?;
            say!(
                "{} added, {} changed, {} unchanged.",
                p.added,
                p.changed,
                p.unchanged
            )?;
            Ok(())
        }
        None => {
            let at = match &a.at {
                Some(t) => crate::domain::calendar::read_time(
                    t,
                    clock()?.now(),
                    crate::domain::calendar::Lean::Future,
                )
                .map_err(|e| bad_input(format!("--at {e}")))?,
                None => clock()?.now(),
            };
            let store = store::open(path, Create::No)?;
            whoami(&store)?;
            let route = match a.route.as_deref() {
                Some(r) => Some(
                    crate::domain::route::Route::parse(r)
                        .map_err(|e| bad_input(format!("--route: {e}")))?
                        .code(),
                ),
                None => None,
            };
            let area = match a.area.as_deref() {
                Some(typed) => Some(
                    store::areas::resolve(store.conn(), typed, "--area")
                        .map_err(|e| bad_input(e.to_string()))?,
                ),
                None => None,
            };
            let answers = store::contacts::lookup(
                store.conn(),
                &a.query.join(" "),
                route,
                area.as_deref(),
                at,
            )?;
            if a.json {
                super::json::print("contacts", crate::cli::clock()?.now(), &answers)?;
                return Ok(());
            }
            let only_always = !answers.is_empty()
                && answers
                    .iter()
                    .all(|x| matches!(x.contact.route.as_str(), "emergency" | "police"));
            let asked_other =
                !a.query.is_empty() || route.is_some_and(|r| r != "emergency" && r != "police");
            if only_always && asked_other {
                say!("Nothing else matches; these numbers always answer:")?;
            }
            for x in answers {
                let c = &x.contact;
                let mark = if x.open_now { "OPEN  " } else { "CLOSED" };
                let ring = match (&x.ring, x.open_now) {
                    (Some(r), false) if x.ring_id != c.id => {
                        format!("  → ring {r} ({}, for {})", x.ring_service, x.ring_for)
                    }
                    (None, _) => c
                        .web
                        .as_deref()
                        .map(|w| format!("  → online: {w}"))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                say!(
                    "{mark} {:<16} {} {} [{}{}] {}{ring}",
                    c.phone.as_deref().unwrap_or("-"),
                    c.organisation,
                    c.service,
                    c.route,
                    c.area
                        .as_deref()
                        .map(|a| format!(", {a}"))
                        .unwrap_or_default(),
                    x.when,
                )?;
            }
            Ok(())
        }
    }
}
