//! The workbench's requests from the screen (issue 18), answered on the
//! store worker thread like every other: search, a person's chronology, the
//! sign-off queue, corrections, people involved, unlinking, tasks,
//! attachments and exports. One request type and one reply type, so the
//! worker and the screen each carry one line for all of them.

use super::casework::Correction;
use super::search::Waiting;
use super::worker::Reply;
use super::{Result, Store, StoreError};
use crate::domain::casework::{Attachment, PersonChronology, PersonRole};
use crate::domain::export::Format;
use crate::domain::search::{Filters, Found};
use crate::domain::staff::StaffMember;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// How many search results the screen holds (newest first); the list says
/// when there are more, so a DSL narrows the search rather than scrolls.
pub const SEARCH_LIMIT: i64 = 200;

/// How many search results are summarised for the screen's first frame (a
/// 60-row terminal's list); the rest follow at once ([`WorkRequest::SearchRest`]).
/// A summary costs ~15–20 µs a case at 100,000 cases, so summarising all 200
/// before the first frame put search over the dashboard's 5 ms (issue 18).
pub const SEARCH_FIRST: usize = 60;

/// What the screen asks.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkRequest {
    /// A search; `audit` for one the user ran (typed, or a filter changed),
    /// not for a refresh after another session's change.
    Search {
        text: String,
        filters: Filters,
        audit: bool,
    },
    /// The summaries of a search's remaining results (`Found::rest`), asked
    /// by the screen straight after drawing the first ones. Not audited
    /// again: the search that found them was.
    SearchRest {
        ids: Vec<i64>,
    },
    /// The chronology of the person escalation `id` is about (audited).
    Person {
        id: i64,
    },
    /// The same, only if it changed since `stamp` was read.
    PersonRefresh {
        id: i64,
        stamp: (i64, i64, i64),
    },
    /// Closures waiting for a second DSL.
    Signoffs,
    Correct {
        id: i64,
        version: Option<i64>,
        correction: Box<Correction>,
    },
    AddPerson {
        id: i64,
        role: PersonRole,
        name: String,
        relationship: String,
        details: String,
    },
    RemovePerson {
        id: i64,
        person: i64,
        reason: String,
    },
    Unlink {
        id: i64,
        other: String,
        reason: String,
    },
    AddTask {
        id: i64,
        owner: String,
        due: DateTime<Utc>,
        text: String,
    },
    CloseTask {
        task: i64,
        done: bool,
        note: String,
    },
    /// Attach the file at `path`, read with the user's own credentials.
    Attach {
        id: i64,
        path: PathBuf,
    },
    /// An attachment's contents to show (audited as a view).
    ViewAttachment {
        aid: i64,
    },
    /// Write an attachment to a new file (audited as an export).
    SaveAttachment {
        aid: i64,
        path: PathBuf,
    },
    /// Write the record to a new file (audited as an export).
    Export {
        id: i64,
        format: Format,
        redact: bool,
        path: PathBuf,
    },
}

/// What the store answers besides "saved" and errors.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkReply {
    Found {
        text: String,
        found: Found,
    },
    /// The summaries asked for by [`WorkRequest::SearchRest`] (`asked`, in
    /// order; a case hidden since it was found is missing from `hits`).
    FoundRest {
        asked: Vec<i64>,
        hits: Vec<crate::domain::search::Hit>,
    },
    Person(PersonChronology),
    /// A person's chronology asked for by refresh has not changed.
    PersonUnchanged(i64),
    Signoffs(Vec<Waiting>),
    /// An attachment to show: its text when it is text, else `None`.
    Attachment {
        info: Attachment,
        text: Option<String>,
    },
}

/// The longest attachment text shown on screen; past it, save it to read it.
pub const SHOW_TEXT: usize = 200_000;

/// Answers one workbench request for `me` at `now`.
pub fn handle(
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    req: WorkRequest,
) -> Result<Reply> {
    let viewer = super::access::Viewer::from(me);
    let user = me.username.clone();
    let saved = |d: super::workflow::Done| Reply::Saved(d.message);
    Ok(match req {
        WorkRequest::Search {
            text,
            filters,
            audit,
        } => {
            let query = crate::domain::search::parse(&text);
            // A search the user ran answers its first screenful at once; the
            // same search again after a change summarises every result, so
            // the list never flickers to "…" rows under a selection far down.
            let first = if audit {
                SEARCH_FIRST
            } else {
                SEARCH_LIMIT as usize
            };
            let found = if audit && !store.read_only() {
                store.write(&user, now, |w| {
                    super::search::find_audited(w, &query, &filters, SEARCH_LIMIT, first)
                })?
            } else {
                super::search::find(store.conn(), viewer, &query, &filters, SEARCH_LIMIT, first)?
            };
            Reply::Work(Box::new(WorkReply::Found { text, found }))
        }
        WorkRequest::SearchRest { ids } => {
            let ids: Vec<i64> = ids.into_iter().take(SEARCH_LIMIT as usize).collect();
            let hits = super::search::hits_of(store.conn(), viewer, &ids)?;
            Reply::Work(Box::new(WorkReply::FoundRest { asked: ids, hits }))
        }
        WorkRequest::Person { id } => {
            read_write(store)?;
            let p = store.write(&user, now, |w| super::person::chronology(w, id))?;
            Reply::Work(Box::new(WorkReply::Person(p)))
        }
        WorkRequest::PersonRefresh { id, stamp } => {
            match super::person::stamp(store.conn(), viewer, id)? {
                Some(s) if s == stamp => Reply::Work(Box::new(WorkReply::PersonUnchanged(id))),
                None => Reply::Hidden(id),
                Some(_) => {
                    read_write(store)?;
                    let p = store.write(&user, now, |w| super::person::chronology(w, id))?;
                    Reply::Work(Box::new(WorkReply::Person(p)))
                }
            }
        }
        WorkRequest::Signoffs => Reply::Work(Box::new(WorkReply::Signoffs(
            super::search::signoff_queue(store.conn(), viewer)?,
        ))),
        WorkRequest::Correct {
            id,
            version,
            correction,
        } => saved(store.write(&user, now, |w| {
            super::casework::correct(w, id, &correction, version)
        })?),
        WorkRequest::AddPerson {
            id,
            role,
            name,
            relationship,
            details,
        } => saved(store.write(&user, now, |w| {
            super::casework::add_person(w, id, role, &name, &relationship, &details)
        })?),
        WorkRequest::RemovePerson { id, person, reason } => {
            saved(store.write(&user, now, |w| {
                super::casework::remove_person(w, id, person, &reason)
            })?)
        }
        WorkRequest::Unlink { id, other, reason } => saved(store.write(&user, now, |w| {
            let o = super::workflow::id_of(w, &other)?;
            super::person::unlink(w, id, o, &reason)
        })?),
        WorkRequest::AddTask {
            id,
            owner,
            due,
            text,
        } => saved(store.write(&user, now, |w| super::tasks::add(w, id, &owner, due, &text))?),
        WorkRequest::CloseTask { task, done, note } => {
            saved(store.write(&user, now, |w| super::tasks::close(w, task, done, &note))?)
        }
        WorkRequest::Attach { id, path } => {
            // Read first, with the user's own credentials, outside any
            // transaction: a refusal stores nothing.
            let (name, bytes) =
                super::attachments::read_file(&path).map_err(StoreError::Refused)?;
            saved(store.write(&user, now, |w| {
                super::attachments::attach(w, id, &name, &bytes)
            })?)
        }
        WorkRequest::ViewAttachment { aid } => {
            read_write(store)?;
            // Only text is read (and audited as viewed); a scan shows its
            // details and is saved to be opened.
            let (info, bytes) =
                store.write(&user, now, |w| super::attachments::read_text(w, aid))?;
            let text = Some(crate::domain::text::clean_block(&String::from_utf8_lossy(
                &bytes[..bytes.len().min(SHOW_TEXT)],
            )));
            Reply::Work(Box::new(WorkReply::Attachment { info, text }))
        }
        WorkRequest::SaveAttachment { aid, path } => {
            read_write(store)?;
            // The bytes are written before the export is committed; if the
            // file cannot be written, the audit row is rolled back with it.
            let msg = store.write(&user, now, |w| {
                let (a, bytes) =
                    super::attachments::fetch(w, aid, super::attachments::Purpose::Export)?;
                let p = super::exports::write_new(&path, &bytes).map_err(StoreError::Refused)?;
                Ok(format!(
                    "Saved attachment {aid} ({}) to {}",
                    a.name,
                    p.display()
                ))
            })?;
            Reply::Saved(msg)
        }
        WorkRequest::Export {
            id,
            format,
            redact,
            path,
        } => {
            read_write(store)?;
            let msg = store.write(&user, now, |w| {
                let (d, text) = super::exports::export(w, id, format, redact)?;
                let p = super::exports::write_new(&path, text.as_bytes())
                    .map_err(StoreError::Refused)?;
                Ok(format!(
                    "Exported {} ({}{}) to {}",
                    d.summary.reference,
                    format.label(),
                    if redact {
                        ", third parties redacted"
                    } else {
                        ""
                    },
                    p.display()
                ))
            })?;
            Reply::Saved(msg)
        }
    })
}

/// Views that must be audited cannot be shown from a read-only database.
fn read_write(store: &Store) -> Result<()> {
    if store.read_only() {
        return Err(StoreError::Refused(
            "read-only database: this cannot be shown because the view cannot be audited".into(),
        ));
    }
    Ok(())
}
