//! `dutydesk areas` and `dutydesk categories`: the organisation's lists.
//! Anyone on the staff list reads them; senior leads change them, each
//! change audited.

use super::{AreasCommand, CategoriesCommand, Failure, Outcome, clock, whoami};
use crate::store::{self, Create, StoreError};
use std::path::Path;

/// Through the one mapping of errors to exit codes.
fn refused(e: StoreError) -> Failure {
    Failure::from(e)
}

fn change(path: &Path, f: impl FnOnce(&mut store::Write<'_>) -> store::Result<String>) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    let said = st.write(&me.username, now, f).map_err(refused)?;
    eprintln!("{said}");
    Ok(())
}

pub fn areas(path: &Path, cmd: &AreasCommand) -> Outcome {
    match cmd {
        AreasCommand::List { json } => {
            let st = store::open(path, Create::No)?;
            whoami(&st)?;
            let list = store::areas::list(st.conn())?;
            if *json {
                super::json::print("areas", crate::cli::clock()?.now(), &list)?;
                return Ok(());
            }
            if list.is_empty() {
                say!(
                    "No areas yet: any area is taken as typed. A senior lead adds them: dutydesk areas add NAME [--alias OTHER]"
                )?;
            }
            for a in list {
                say!(
                    "{}{}{}",
                    a.name,
                    if a.aliases.is_empty() {
                        String::new()
                    } else {
                        format!(" (also: {})", a.aliases.join(", "))
                    },
                    if a.active { "" } else { " [retired]" }
                )?;
            }
            Ok(())
        }
        AreasCommand::Add { name, alias } => change(path, |w| store::areas::add(w, name, alias)),
        AreasCommand::Alias { area, alias } => {
            change(path, |w| store::areas::alias(w, area, alias))
        }
        AreasCommand::Unalias { alias } => change(path, |w| store::areas::unalias(w, alias)),
        AreasCommand::Retire { area } => change(path, |w| store::areas::retire(w, area)),
    }
}

pub fn categories(path: &Path, cmd: &CategoriesCommand) -> Outcome {
    match cmd {
        CategoriesCommand::List { json } => {
            let st = store::open(path, Create::No)?;
            whoami(&st)?;
            let list = store::categories::list(st.conn())?;
            if *json {
                super::json::print("categories", crate::cli::clock()?.now(), &list)?;
                return Ok(());
            }
            say!("{:<18} {:<10} LABEL", "CODE", "FRAMEWORK")?;
            for c in list {
                say!(
                    "{:<18} {:<10} {}{}",
                    c.code,
                    c.framework,
                    c.label,
                    if c.active { "" } else { " [retired]" }
                )?;
            }
            Ok(())
        }
        CategoriesCommand::Add {
            code,
            label,
            framework,
        } => change(path, |w| store::categories::add(w, code, label, framework)),
        CategoriesCommand::Rename { code, label } => {
            change(path, |w| store::categories::rename(w, code, label))
        }
        CategoriesCommand::Retire { code } => change(path, |w| store::categories::retire(w, code)),
    }
}
