//! The workbench's commands (issue 18): search, a person's chronology,
//! unlinking, corrections, people involved, tasks, attachments. Each calls
//! the same store function as the screen, in one audited write; a hidden
//! case is refused exactly as a missing one.

use super::verbs::action;
use super::{Failure, Outcome, clock, whoami};
use crate::domain::casework::{PersonRole, parse_due, size_words};
use crate::domain::escalation::{Risk, SubjectKind};
use crate::domain::search::{Filters, StatusFilter};
use crate::store::casework::Correction;
use crate::store::{self, Create, Store, StoreError, Write};
use clap::{Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// The workbench's subcommands, flattened into `dutydesk`'s own.
#[derive(Debug, Subcommand)]
pub enum WorkCommand {
    /// Find any case you may see, open or closed, by reference, name, date of
    /// birth or area (every word must match; names compared without regard to
    /// case, accents or spacing); newest first
    Search {
        /// Words: SG-2026-0042, 0042, a name or part of one, 02/03/2014, an area
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        filters: FilterArgs,
        /// Open and closed cases, or one or the other
        #[arg(long, value_enum, default_value = "any")]
        status: SearchStatus,
        /// At most this many, newest first (the rest are counted as "more")
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10000))]
        limit: i64,
    },
    /// One person's chronology: every escalation linked to this one (directly
    /// or through others) merged in time order, each entry with its case
    /// (the view of each case is audited)
    Person {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Undo a link between two escalations that are not about the same person
    Unlink {
        reference: String,
        other: String,
        /// Why they are not the same person (kept in the chronology)
        #[arg(long)]
        reason: String,
    },
    /// Correct the record: risk, categories, the subject's details, who
    /// raised it, the critical-incident and immediate-risk flags. A reason is
    /// required; the chronology keeps the old and new values. A fact that
    /// brings deadlines (a critical incident, FGM) sets them from --at.
    Correct(CorrectArgs),
    /// The alleged perpetrator and others involved (siblings, other children)
    #[command(subcommand)]
    People(PeopleCommand),
    /// Tasks on a case with an owner and a due time: they count down with the
    /// deadlines and reach the owner's alerts and the handover
    #[command(subcommand)]
    Task(TaskCommand),
    /// Attach a file (a scanned record of concern, a body map, a letter) to a
    /// case: stored in the database with its type, size and SHA-256; at most 10 MiB
    Attach { reference: String, file: PathBuf },
    /// A case's attachments: number, name, type, size, SHA-256 (audited as a look-up)
    Attachments {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Show an attachment (text) or save it to a new file (audited)
    #[command(subcommand)]
    Attachment(AttachmentCommand),
}

/// The filters `search` and `list` share.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only cases assigned to you
    #[arg(long)]
    pub mine: bool,
    /// Only cases assigned to nobody
    #[arg(long)]
    pub unassigned: bool,
    /// Only high-risk cases
    #[arg(long)]
    pub high_risk: bool,
    /// Only closures waiting for a second DSL's sign-off (with their outcome and rationale)
    #[arg(long)]
    pub awaiting_signoff: bool,
    /// Only restricted cases (senior leads)
    #[arg(long)]
    pub restricted: bool,
}

impl FilterArgs {
    pub fn filters(&self, status: StatusFilter) -> Filters {
        Filters {
            mine: self.mine,
            unassigned: self.unassigned,
            high_risk: self.high_risk,
            awaiting_signoff: self.awaiting_signoff,
            restricted: self.restricted,
            status,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SearchStatus {
    Any,
    Open,
    Closed,
}

#[derive(Debug, clap::Args)]
pub struct CorrectArgs {
    reference: String,
    #[arg(long, value_enum)]
    risk: Option<super::verbs::RiskArg>,
    /// The whole new list of category codes, comma-separated
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::categories), long, value_delimiter = ',')]
    categories: Option<Vec<String>>,
    /// Whom it is about: child, adult or staff
    #[arg(long, value_enum)]
    subject: Option<super::verbs::SubjectArg>,
    /// The subject's name or pseudonym
    #[arg(long)]
    name: Option<String>,
    /// Date of birth as typed in the UK (02/03/2014); "" clears it
    #[arg(long, value_name = "DATE")]
    dob: Option<String>,
    /// Area where they live (one of `dutydesk areas list`)
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::areas), long)]
    area: Option<String>,
    /// It is a critical incident (Home Office reports from --at)
    #[arg(long, conflicts_with = "not_critical")]
    critical: bool,
    /// It is not a critical incident after all
    #[arg(long)]
    not_critical: bool,
    /// Someone's life is at risk now (call 999 first)
    #[arg(long, conflicts_with = "no_immediate_risk")]
    immediate_risk: bool,
    /// No immediate risk to life after all
    #[arg(long)]
    no_immediate_risk: bool,
    /// With the FGM category: known (disclosed by the girl, or seen: for a
    /// girl under 18 the professional who discovered it must report it to
    /// the police) or at-risk; required when FGM is added
    #[arg(long, value_enum)]
    fgm: Option<super::verbs::FgmArg>,
    /// Who raised the concern
    #[arg(long, value_name = "NAME")]
    raised_by: Option<String>,
    /// Their role, e.g. "class teacher"; "" clears it
    #[arg(long, value_name = "ROLE")]
    raised_by_role: Option<String>,
    /// How to reach them; "" clears it
    #[arg(long, value_name = "CONTACT")]
    raised_by_contact: Option<String>,
    /// When the corrected fact was recognised, UK time as for `new
    /// --occurred` ("27/11 09:15", "Mon 09:00", "yesterday 15:00",
    /// "30/11/2026 09:00", RFC 3339) [default: now]: rules it brings count
    /// from here
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Why the record was wrong (required; kept in the chronology)
    #[arg(long)]
    reason: Option<String>,
    /// Act only on this version (from `dutydesk show`)
    #[arg(long)]
    version: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// Add someone involved besides the subject
    Add {
        reference: String,
        /// Their name or a pseudonym
        name: String,
        /// The alleged perpetrator, or someone else involved
        #[arg(long = "as", value_enum, default_value = "involved")]
        role: PersonArg,
        /// To the subject: "stepfather", "sibling", "class teacher"
        #[arg(long)]
        relationship: Option<String>,
        /// Anything else to know (date of birth, address, school)
        #[arg(long)]
        details: Option<String>,
    },
    /// Remove someone added in error (kept, marked removed, with the reason)
    Remove {
        reference: String,
        /// Their number, from `dutydesk show REF`
        number: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PersonArg {
    Perpetrator,
    Involved,
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Add a task: `dutydesk task add SG-2026-0042 --owner jbrennan --due 10:00 ring the school back`
    Add {
        reference: String,
        /// Who does it (an account from `dutydesk staff list`)
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::holders), long)]
        owner: String,
        /// When, in UK time: 10:00 (today), "tomorrow 10:00", "Mon 09:00" (the
        /// next Monday), "01/12 10:00", "24/11/2026 10:00", a date alone (17:00
        /// that day) or RFC 3339
        #[arg(long)]
        due: String,
        /// What is to be done
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// Mark a task done (the note is optional)
    Done {
        task: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Cancel a task (the note, saying why, is required)
    Cancel {
        task: i64,
        #[arg(long)]
        note: String,
    },
    /// Your open tasks (or another account's, with --owner), soonest first
    List {
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::accounts), long)]
        owner: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// Print a text attachment (others: save them); audited as a view
    Show { number: i64 },
    /// Write an attachment to a new file (never replacing one); audited as an export
    Save { number: i64, dest: PathBuf },
}

/// Staff (names to usernames) and categories (labels to codes) for a JSON
/// document's people and lists.
fn json_refs(
    path: &Path,
) -> Result<(super::json::People, Vec<crate::store::categories::Category>), Failure> {
    let st = store::open(path, Create::No)?;
    Ok((
        super::json::People::of(&store::staff::list(&st)?),
        store::categories::list(st.conn())?,
    ))
}

fn open(path: &Path) -> Result<(Store, crate::domain::staff::StaffMember), Failure> {
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    Ok((store, me))
}

/// Runs one write as the user at the clock's time; a refusal exits as the
/// verbs' refusals do.
fn write<T>(path: &Path, f: impl FnOnce(&mut Write<'_>) -> store::Result<T>) -> Result<T, Failure> {
    let now = clock()?.now();
    let (mut st, me) = open(path)?;
    st.write(&me.username, now, f).map_err(action)
}

pub fn run(path: &Path, cmd: &WorkCommand) -> Outcome {
    match cmd {
        WorkCommand::Search {
            text,
            json,
            filters,
            status,
            limit,
        } => search(
            path,
            &text.join(" "),
            &filters.filters(match status {
                SearchStatus::Any => StatusFilter::Any,
                SearchStatus::Open => StatusFilter::Open,
                SearchStatus::Closed => StatusFilter::Closed,
            }),
            *limit,
            *json,
        ),
        WorkCommand::Person { reference, json } => person(path, reference, *json),
        WorkCommand::Unlink {
            reference,
            other,
            reason,
        } => {
            let d = write(path, |w| {
                let a = store::workflow::id_of(w, reference)?;
                let b = store::workflow::id_of(w, other)?;
                store::person::unlink(w, a, b, reason)
            })?;
            say!("{}", d.message)?;
            Ok(())
        }
        WorkCommand::Correct(a) => correct(path, a),
        WorkCommand::People(PeopleCommand::Add {
            reference,
            name,
            role,
            relationship,
            details,
        }) => {
            let role = match role {
                PersonArg::Perpetrator => PersonRole::AllegedPerpetrator,
                PersonArg::Involved => PersonRole::Involved,
            };
            let d = write(path, |w| {
                let id = store::workflow::id_of(w, reference)?;
                store::casework::add_person(
                    w,
                    id,
                    role,
                    name,
                    relationship.as_deref().unwrap_or(""),
                    details.as_deref().unwrap_or(""),
                )
            })?;
            say!("{}", d.message)?;
            Ok(())
        }
        WorkCommand::People(PeopleCommand::Remove {
            reference,
            number,
            reason,
        }) => {
            let d = write(path, |w| {
                let id = store::workflow::id_of(w, reference)?;
                store::casework::remove_person(w, id, *number, reason)
            })?;
            say!("{}", d.message)?;
            Ok(())
        }
        WorkCommand::Task(t) => task(path, t),
        WorkCommand::Attach { reference, file } => {
            // Read first, with the user's own credentials: a refusal stores nothing.
            let (name, bytes) = store::attachments::read_file(file).map_err(|m| Failure {
                exit: crate::domain::exit::Exit::BadInput,
                message: m,
            })?;
            let d = write(path, |w| {
                let id = store::workflow::id_of(w, reference)?;
                store::attachments::attach(w, id, &name, &bytes)
            })?;
            say!("{}", d.message)?;
            Ok(())
        }
        WorkCommand::Attachments { reference, json } => {
            let list = write(path, |w| store::attachments::list_audited(w, reference))?;
            if *json {
                let (people, _) = json_refs(path)?;
                let mut items = serde_json::to_value(&list).map_err(anyhow::Error::from)?;
                people.accounts(&mut items);
                return super::json::print("attachments", clock()?.now(), items);
            }
            if list.is_empty() {
                say!("no attachments")?;
            }
            for a in list {
                say!(
                    "{:>5}  {}  {}  {}  sha256 {}  added {} by {}",
                    a.id,
                    a.name,
                    a.media_type,
                    size_words(a.size),
                    a.sha256,
                    crate::domain::calendar::format_stamp(a.added_at),
                    a.added_by
                )?;
            }
            Ok(())
        }
        WorkCommand::Attachment(AttachmentCommand::Show { number }) => {
            // Text only, audited as viewed; anything else is refused
            // without a trace of a view (nothing of it was read).
            let (_, bytes) = write(path, |w| store::attachments::read_text(w, *number))?;
            print!(
                "{}",
                crate::domain::text::clean_block(&String::from_utf8_lossy(&bytes))
            );
            Ok(())
        }
        WorkCommand::Attachment(AttachmentCommand::Save { number, dest }) => {
            let msg = write(path, |w| {
                let (a, bytes) =
                    store::attachments::fetch(w, *number, store::attachments::Purpose::Export)?;
                let p = store::exports::write_new(dest, &bytes).map_err(StoreError::Refused)?;
                Ok(format!(
                    "saved attachment {} ({}, {}) to {}",
                    a.id,
                    a.name,
                    size_words(a.size),
                    p.display()
                ))
            })?;
            say!("{msg}")?;
            Ok(())
        }
    }
}

/// `dutydesk search`: audited (which kinds of words and filters, never the
/// words), newest first.
pub fn search(path: &Path, text: &str, filters: &Filters, limit: i64, json: bool) -> Outcome {
    let query = crate::domain::search::parse(text);
    let now = clock()?.now();
    let (mut st, me) = open(path)?;
    // The ids first (audited with how many), then their summaries read and
    // written a chunk at a time: `--limit 10000 --json` held every result
    // twice (180 MB at a million cases; issue 21).
    let viewer = store::access::Viewer::from(&me);
    let found = if st.read_only() {
        store::search::find(store_conn(&st), viewer, &query, filters, limit, 0).map_err(action)?
    } else {
        st.write(&me.username, now, |w| {
            store::search::find_audited(w, &query, filters, limit, 0)
        })
        .map_err(action)?
    };
    let each = |f: &mut dyn FnMut(&crate::domain::search::Hit) -> Outcome| -> Outcome {
        for ids in found.rest.chunks(500) {
            for h in &store::search::hits_of(store_conn(&st), viewer, ids).map_err(action)? {
                f(h)?;
            }
        }
        Ok(())
    };
    if json {
        let (people, cats) = json_refs(path)?;
        let mut items = super::json::Items::begin_with(
            "search",
            now,
            &[
                ("understood", found.understood.clone().into()),
                ("filters", found.filters.clone().into()),
                ("more", found.more.into()),
            ],
        )?;
        each(&mut |h| {
            let mut v = super::json::summary(&h.summary, &people, &cats);
            if let Some(m) = v.as_object_mut() {
                m.insert("subject_name".into(), h.subject_name.clone().into());
                m.insert("subject_dob".into(), h.subject_dob.clone().into());
                m.insert("area".into(), h.area.clone().into());
                m.insert(
                    "closed_at".into(),
                    h.closed_at.map(super::json::time).into(),
                );
            }
            items.item(v)
        })?;
        return items.end();
    }
    if found.rest.is_empty() {
        // Not a refusal: the search ran (and is in the trail); it found nothing.
        eprintln!("{}", found.nothing());
        return Ok(());
    }
    // Aligned by display width (names in any script, wide characters): at
    // most `--limit` short rows of text.
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(found.rest.len());
    each(&mut |h| {
        let s = &h.summary;
        rows.push(vec![
            s.reference.clone(),
            s.subject_kind.short().to_string(),
            s.risk.label().to_string(),
            if s.awaiting_signoff {
                "awaiting sign-off".to_string()
            } else {
                s.status.label().to_string()
            },
            h.subject_name.as_deref().unwrap_or("(hidden)").to_string(),
            h.subject_dob.as_deref().unwrap_or("-").to_string(),
            h.area.clone(),
        ]);
        Ok(())
    })?;
    say!(
        "{}",
        super::table::render(
            &[
                "REFERENCE",
                "ABOUT",
                "RISK",
                "STATUS",
                "NAME",
                "BORN",
                "AREA"
            ],
            &rows,
            &[],
        )
    )?;
    if found.more {
        eprintln!(
            "more than {} match: narrow the search (more words, a date of birth, a filter)",
            rows.len()
        );
    }
    Ok(())
}

fn store_conn(s: &Store) -> &rusqlite::Connection {
    s.conn()
}

fn person(path: &Path, reference: &str, json: bool) -> Outcome {
    let p = write(path, |w| {
        let id = store::workflow::id_of(w, reference)?;
        store::person::chronology(w, id)
    })?;
    if json {
        let (people, cats) = json_refs(path)?;
        let doc = serde_json::json!({
            "from": p.from,
            "cases": p.cases.iter().map(|c| serde_json::json!({
                "reference": c.reference,
                "status": c.status.code(),
                "risk": c.risk.code(),
                "raised_at": super::json::time(c.raised_at),
                "categories": super::json::category_codes(&cats, &c.categories),
                "subject_name": c.subject_name,
                "restricted": c.restricted,
            })).collect::<Vec<_>>(),
            "entries": p.entries.iter().map(|e| serde_json::json!({
                "reference": e.reference,
                "at": super::json::time(e.entry.at),
                "author": people.username(&e.entry.author),
                "author_name": e.entry.author,
                "kind": e.entry.kind,
                "body": e.entry.body,
            })).collect::<Vec<_>>(),
        });
        return super::json::print("person", clock()?.now(), doc);
    }
    say!(
        "{} linked case(s) about the same person as {}:",
        p.cases.len(),
        p.from
    )?;
    for c in &p.cases {
        say!("  {}", store::person::case_line(c))?;
    }
    say!()?;
    for e in &p.entries {
        say!(
            "{}  {}  {} · {}: {}",
            crate::domain::calendar::format_stamp(e.entry.at),
            e.reference,
            e.entry.author,
            crate::domain::escalation::chronology_kind(&e.entry.kind),
            e.entry.body.replace('\n', " ")
        )?;
    }
    Ok(())
}

fn correct(path: &Path, a: &CorrectArgs) -> Outcome {
    let now = clock()?.now();
    let at = match &a.at {
        Some(t) => Some(
            crate::domain::casework::parse_moment(t, now).map_err(|e| Failure {
                exit: crate::domain::exit::Exit::BadInput,
                message: format!("--at: {e}"),
            })?,
        ),
        None => None,
    };
    let c = Correction {
        risk: a.risk.map(|r| match r {
            super::verbs::RiskArg::Low => Risk::Low,
            super::verbs::RiskArg::Medium => Risk::Medium,
            super::verbs::RiskArg::High => Risk::High,
        }),
        categories: a.categories.clone(),
        subject_kind: a.subject.map(|s| match s {
            super::verbs::SubjectArg::Child => SubjectKind::Child,
            super::verbs::SubjectArg::Adult => SubjectKind::Adult,
            super::verbs::SubjectArg::Staff => SubjectKind::Staff,
        }),
        subject_name: a.name.clone(),
        dob: a.dob.clone(),
        area: a.area.clone(),
        critical_incident: match (a.critical, a.not_critical) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        immediate_risk: match (a.immediate_risk, a.no_immediate_risk) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        raised_by: a.raised_by.clone(),
        raised_by_role: a.raised_by_role.clone(),
        raised_by_contact: a.raised_by_contact.clone(),
        fgm: a.fgm.map(super::verbs::FgmArg::fgm),
        reason: a.reason.clone().unwrap_or_default(),
        recognised_at: at,
    };
    let d = write(path, |w| {
        let id = store::workflow::id_of(w, &a.reference)?;
        store::casework::correct(w, id, &c, a.version)
    })?;
    say!("{}", d.message)?;
    Ok(())
}

fn task(path: &Path, t: &TaskCommand) -> Outcome {
    match t {
        TaskCommand::Add {
            reference,
            owner,
            due,
            text,
        } => {
            let now = clock()?.now();
            let due = parse_due(due, now).map_err(|e| Failure {
                exit: crate::domain::exit::Exit::BadInput,
                message: format!("--due: {e}"),
            })?;
            let d = write(path, |w| {
                let id = store::workflow::id_of(w, reference)?;
                store::tasks::add(w, id, owner, due, &text.join(" "))
            })?;
            say!("{}", d.message)?;
            Ok(())
        }
        TaskCommand::Done { task, note } => {
            let d = write(path, |w| store::tasks::close(w, *task, true, note))?;
            say!("{}", d.message)?;
            Ok(())
        }
        TaskCommand::Cancel { task, note } => {
            let d = write(path, |w| store::tasks::close(w, *task, false, note))?;
            say!("{}", d.message)?;
            Ok(())
        }
        TaskCommand::List { owner, json } => {
            let now = clock()?.now();
            let (mut st, me) = open(path)?;
            let viewer = store::access::Viewer::from(&me);
            let who = match owner {
                Some(u) => store::staff::find(&st, u)?.ok_or_else(|| Failure {
                    exit: crate::domain::exit::Exit::BadInput,
                    message: format!("no staff account {u:?}: `dutydesk staff list` shows them"),
                })?,
                None => me.clone(),
            };
            let mut list =
                store::tasks::open_for(store_conn(&st), viewer, who.id).map_err(action)?;
            if viewer.redacted {
                for t in &mut list {
                    t.text = "(hidden)".into();
                }
            }
            super::audit_export(
                &mut st,
                &me,
                "tasks",
                &format!("open tasks of {}", who.username),
            )?;
            if *json {
                let people = super::json::People::of(&store::staff::list(&st)?);
                let mut items = serde_json::to_value(&list).map_err(anyhow::Error::from)?;
                people.accounts(&mut items);
                return super::json::print("tasks", now, items);
            }
            if list.is_empty() {
                say!("no open tasks for {}", who.display_name)?;
            }
            for t in list {
                say!(
                    "{:>5}  {}  due {} ({})  {}",
                    t.id,
                    t.reference,
                    crate::domain::calendar::format_stamp(t.due_at),
                    crate::domain::deadline::countdown(t.due_at, now),
                    t.text.replace('\n', " ")
                )?;
            }
            Ok(())
        }
    }
}
