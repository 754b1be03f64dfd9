//! Shell completion of the desk's real values (issue 20, point 1): routes,
//! outcomes, categories, areas and staff accounts, through clap_complete's
//! dynamic engine. The shell asks the binary itself (`COMPLETE=bash dutydesk
//! -- dutydesk refer ...`), so what is offered is always this desk's lists.
//!
//! Need-to-know: values read from the database are offered only to an active
//! account on its staff list (the same identity every command uses, under
//! setgid too), and only lists every staff member may already read with a
//! command (`staff list`, `categories list`, `areas list`, `settings list`);
//! never a reference, a name of a person a case is about, or a record's
//! words. Anything that goes wrong (no database, not on the list, a broken
//! settings file) offers nothing rather than printing into the shell.

use clap_complete::engine::CompletionCandidate;

/// The environment variable the shell scripts set to ask for completions.
pub const VAR: &str = "COMPLETE";

/// Answers a completion request when the shell made one (and exits), else
/// returns at once. Called first thing in `main`, before anything is printed.
pub fn serve() {
    clap_complete::CompleteEnv::with_factory(<super::Cli as clap::CommandFactory>::command)
        .var(VAR)
        .bin("dutydesk")
        .completer("dutydesk")
        .complete();
}

/// The script a shell sources to complete `dutydesk` (bash, zsh, fish, elvish
/// or powershell): it calls `dutydesk` back with `COMPLETE=SHELL` for every
/// completion, so the values are this desk's.
pub fn registration(shell: &str) -> Result<Vec<u8>, String> {
    let shells = clap_complete::env::Shells::builtins();
    let c = shells.completer(shell).ok_or_else(|| {
        format!(
            "{shell:?} is not a shell dutydesk completes: use {}",
            shells.names().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut buf = Vec::new();
    c.write_registration(VAR, "dutydesk", "dutydesk", "dutydesk", &mut buf)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

/// Reads a list from the desk's database as the user at the keyboard, or
/// nothing. The database is the one every command would use (`DUTYDESK_DB`,
/// else the system file's, else the default); `--db` typed on the line being
/// completed is not seen by clap's engine.
fn from_desk(
    f: impl FnOnce(&crate::store::Store) -> crate::store::Result<Vec<CompletionCandidate>>,
) -> Vec<CompletionCandidate> {
    let Ok(system) = super::settings_gate() else {
        return Vec::new();
    };
    let path = if crate::identity::is_privileged() {
        None
    } else {
        std::env::var_os("DUTYDESK_DB")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    }
    .or_else(|| system.database.clone())
    .unwrap_or_else(|| std::path::PathBuf::from(super::DEFAULT_DB));
    let Ok(store) = crate::store::open(&path, crate::store::Create::No) else {
        return Vec::new();
    };
    if super::whoami(&store).is_err() {
        return Vec::new();
    }
    f(&store).unwrap_or_default()
}

/// Every referral route, with its label (no database needed).
pub fn routes() -> Vec<CompletionCandidate> {
    crate::domain::route::Route::ALL
        .iter()
        .map(|r| CompletionCandidate::new(r.code().replace('_', "-")).help(Some(r.label().into())))
        .collect()
}

/// The outcomes this desk closes with (setting `closure_outcomes`).
pub fn outcomes() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::workflow::outcomes(s.conn())?
            .into_iter()
            .map(CompletionCandidate::new)
            .collect())
    })
}

/// This desk's categories in use (retired ones are not offered for new records).
pub fn categories() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::categories::list(s.conn())?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| CompletionCandidate::new(c.code).help(Some(c.label.into())))
            .collect())
    })
}

/// This desk's areas in use, with "unknown".
pub fn areas() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        let mut out: Vec<CompletionCandidate> = crate::store::areas::list(s.conn())?
            .into_iter()
            .filter(|a| a.active)
            .map(|a| CompletionCandidate::new(a.name))
            .collect();
        out.push(CompletionCandidate::new("unknown"));
        Ok(out)
    })
}

/// Staff accounts (active ones), with their role: what `staff list` shows
/// every member of staff.
pub fn accounts() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::staff::list(s)?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| CompletionCandidate::new(m.username).help(Some(m.role.label().into())))
            .collect())
    })
}

/// Staff accounts, deactivated ones included (for `staff reactivate`).
pub fn all_accounts() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::staff::list(s)?
            .into_iter()
            .map(|m| CompletionCandidate::new(m.username))
            .collect())
    })
}

/// Deactivated accounts only (for `staff reactivate`: an active one is
/// refused).
pub fn deactivated() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::staff::list(s)?
            .into_iter()
            .filter(|m| !m.active)
            .map(|m| CompletionCandidate::new(m.username))
            .collect())
    })
}

/// "none" or an account: the `--about` answer of an allegation about staff.
pub fn about() -> Vec<CompletionCandidate> {
    let mut out = vec![
        CompletionCandidate::new("none").help(Some("the person does not use this desk".into())),
    ];
    out.extend(all_accounts());
    out
}

/// Staff accounts that may hold cases, tasks, shifts and review actions:
/// the active ones who are not viewers (a viewer is refused all four).
pub fn holders() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::staff::list(s)?
            .into_iter()
            .filter(|m| m.active && m.role != crate::domain::staff::Role::Viewer)
            .map(|m| CompletionCandidate::new(m.username).help(Some(m.role.label().into())))
            .collect())
    })
}

/// This desk's deadline rule codes, with their names (what `rules list`
/// shows every member of staff): what `deadline met/waive` and `close
/// --keep/--met/--waive` take.
pub fn rules() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::deadlines::rules(s.conn())?
            .into_iter()
            .map(|r| CompletionCandidate::new(r.code).help(Some(r.name.into())))
            .collect())
    })
}

/// Every referral outcome code this desk knows, with the route it belongs
/// to (`outcome --outcome`; the route is not known while completing).
pub fn referral_outcomes() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        // One candidate per code: routes share some (no_further_action).
        let mut seen: Vec<(String, String)> = Vec::new();
        for r in crate::domain::route::Route::ALL {
            for (code, label) in crate::store::workflow::outcome_codes(s.conn(), r.code())? {
                match seen.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, help)) => help.push_str(&format!("; {}", r.label())),
                    None => seen.push((code, format!("{label} ({})", r.label()))),
                }
            }
        }
        Ok(seen
            .into_iter()
            .map(|(code, help)| CompletionCandidate::new(code).help(Some(help.into())))
            .collect())
    })
}

/// The review series in use, by code (`reviews add/hold/items`).
pub fn series() -> Vec<CompletionCandidate> {
    from_desk(|s| {
        Ok(crate::store::reviews::series_codes(s)?
            .into_iter()
            .map(|(code, name)| CompletionCandidate::new(code).help(Some(name.into())))
            .collect())
    })
}

/// The events `dutydesk event` records (no database needed).
pub fn events() -> Vec<CompletionCandidate> {
    crate::domain::deadline::Event::ALL
        .iter()
        .filter(|e| e.recorded_by_event_verb())
        .map(|e| CompletionCandidate::new(e.code()).help(Some(e.label().into())))
        .collect()
}

/// How a referral was made (`refer --method`), as the store accepts them.
pub fn referral_methods() -> Vec<CompletionCandidate> {
    crate::domain::route::REFERRAL_METHODS
        .iter()
        .map(|m| CompletionCandidate::new(*m))
        .collect()
}

/// A fixed list of codes with their labels, as the desk's `coded_enum`s
/// write them.
macro_rules! fixed {
    ($(#[$doc:meta] $name:ident => $ty:ty;)+) => {$(
        #[$doc]
        pub fn $name() -> Vec<CompletionCandidate> {
            <$ty>::ALL
                .iter()
                .map(|x| CompletionCandidate::new(x.code()).help(Some(x.label().into())))
                .collect()
        }
    )+};
}

fixed! {
    /// Staff roles (`staff add --role`).
    roles => crate::domain::staff::Role;
    /// Alert kinds a paging policy covers (`policy set KIND`).
    policy_kinds => crate::domain::policy::PolicyKind;
    /// The desk's settings (`settings set KEY`).
    setting_keys => crate::domain::settings::Key;
    /// What starts a deadline rule (`rules set --on`).
    triggers => crate::domain::deadline::TriggerEvent;
    /// A rule's unit of time (`rules set --unit`).
    units => crate::domain::calendar::OffsetUnit;
    /// How a rule counts (`rules set --counting`).
    countings => crate::domain::calendar::Counting;
    /// Where a rule counts from (`rules set --counts-from`).
    counts_from => crate::domain::deadline::CountsFrom;
    /// Where it happened (`new --location`).
    locations => crate::domain::escalation::LocationType;
}
