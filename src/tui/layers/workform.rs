//! The workbench's forms (issue 18): correcting the record, a task and
//! closing one, someone involved and removing them, unlinking, attaching a
//! file, saving an attachment and exporting the record. Built on the one
//! form widget (`tui::form`) and drawn like every other form; what was typed
//! stays until the store confirms, a refusal shows beside the field or on
//! the form, and unsaved typing is kept as a draft (`DraftOf::Work`).

use super::confirm::Confirm;
use crate::domain::casework::PersonRole;
use crate::domain::escalation::{Risk, SubjectKind};
use crate::domain::export::Format;
use crate::store::casework::Correction;
use crate::store::workbench::WorkRequest;
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::drafts::{Draft, DraftOf};
use crate::tui::form::{Field, Form, Outcome};
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The record's correctable values when the form opened: the form starts
/// from them, and only what differs is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Presets {
    pub risk: String,
    pub categories: Vec<String>,
    pub subject: String,
    pub name: String,
    pub dob: String,
    pub area: String,
    pub critical: bool,
    pub immediate: bool,
    pub raised_by: String,
    pub role: String,
    pub contact: String,
    /// FGM known or at risk (its code; empty: neither).
    #[serde(default)]
    pub fgm: String,
}

impl Presets {
    /// From an open record (codes for categories, from their labels).
    pub fn of(d: &crate::domain::escalation::EscalationDetail, ctx: &Ctx) -> Presets {
        let s = &d.summary;
        Presets {
            risk: s.risk.code().into(),
            categories: s
                .categories
                .iter()
                .filter_map(|label| {
                    ctx.desk
                        .categories
                        .iter()
                        .find(|(_, l)| l == label)
                        .map(|(c, _)| c.clone())
                })
                .collect(),
            subject: s.subject_kind.code().into(),
            name: d.subject_name.clone(),
            dob: d.subject_dob.clone().unwrap_or_default(),
            area: d.area.clone(),
            critical: d.critical_incident,
            immediate: s.immediate_risk,
            raised_by: d.casework.raiser.name.clone(),
            role: d.casework.raiser.role.clone().unwrap_or_default(),
            contact: d.casework.raiser.contact.clone().unwrap_or_default(),
            fgm: d
                .practice
                .fgm
                .map(|f| f.code().to_string())
                .unwrap_or_default(),
        }
    }
}

/// Which workbench form, and what it acts on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WorkKind {
    Correct {
        target: Target,
        was: Box<Presets>,
    },
    Task {
        target: Target,
    },
    CloseTask {
        target: Target,
        task: i64,
        done: bool,
        label: String,
    },
    Person {
        target: Target,
    },
    RemovePerson {
        target: Target,
        person: i64,
        name: String,
    },
    Unlink {
        target: Target,
        links: Vec<String>,
    },
    Attach {
        target: Target,
    },
    SaveAttachment {
        target: Target,
        aid: i64,
        name: String,
    },
    Export {
        target: Target,
    },
}

impl WorkKind {
    pub fn target(&self) -> &Target {
        match self {
            WorkKind::Correct { target, .. }
            | WorkKind::Task { target }
            | WorkKind::CloseTask { target, .. }
            | WorkKind::Person { target }
            | WorkKind::RemovePerson { target, .. }
            | WorkKind::Unlink { target, .. }
            | WorkKind::Attach { target }
            | WorkKind::SaveAttachment { target, .. }
            | WorkKind::Export { target } => target,
        }
    }

    /// What it is and on which case, never the words: for the drafts offer.
    pub fn describe(&self) -> String {
        let r = &self.target().reference;
        match self {
            WorkKind::Correct { .. } => format!("Correction of {r}"),
            WorkKind::Task { .. } => format!("New task on {r}"),
            WorkKind::CloseTask { done, task, .. } => format!(
                "{} task {task} on {r}",
                if *done { "Completing" } else { "Cancelling" }
            ),
            WorkKind::Person { .. } => format!("Someone involved in {r}"),
            WorkKind::RemovePerson { .. } => format!("Removing someone from {r}"),
            WorkKind::Unlink { .. } => format!("Unlinking {r}"),
            WorkKind::Attach { .. } => format!("Attaching a file to {r}"),
            WorkKind::SaveAttachment { aid, .. } => format!("Saving attachment {aid} of {r}"),
            WorkKind::Export { .. } => format!("Exporting {r}"),
        }
    }

    /// The form for this kind, from the desk's lists.
    pub fn form(&self, ctx: &Ctx) -> Form {
        let codes = |all: &[(String, String)]| all.to_vec();
        match self {
            WorkKind::Correct { target, was } => Form::new(
                &format!("Correct {}", target.reference),
                vec![
                    Field::choice(
                        "risk",
                        "Risk",
                        Risk::ALL
                            .iter()
                            .map(|r| (r.code().to_string(), r.label().to_string()))
                            .collect(),
                    )
                    .with_choice(&was.risk),
                    Field::multi("categories", "Categories", codes(&ctx.desk.categories))
                        .with_checked(&was.categories.iter().map(String::as_str).collect::<Vec<_>>()),
                    crate::tui::forms::fgm_field().with_choice(&was.fgm),
                    Field::choice(
                        "subject",
                        "About",
                        SubjectKind::ALL
                            .iter()
                            .map(|k| (k.code().to_string(), k.label().to_string()))
                            .collect(),
                    )
                    .with_choice(&was.subject),
                    Field::text("name", "Name or pseudonym", 100).with_text(&was.name),
                    Field::text("dob", "Date of birth", 20)
                        .with_text(&was.dob)
                        .hint("02/03/2014 or 2014-03-02; empty if not known"),
                    Field::text("area", "Area where they live", 80).with_text(&was.area),
                    Field::toggle("critical", "Critical incident?")
                        .with_toggle(was.critical)
                        .hint("Yes sets the Home Office reports from when it was recognised"),
                    Field::toggle("immediate", "Life at risk now?")
                        .with_toggle(was.immediate)
                        .hint("If yes: CALL 999 NOW"),
                    Field::text("raised_by", "Raised by", 100).with_text(&was.raised_by),
                    Field::text("role", "Their role", 100)
                        .with_text(&was.role)
                        .hint("e.g. class teacher, support worker"),
                    Field::text("contact", "How to reach them", 200).with_text(&was.contact),
                    Field::text("at", "Recognised when", 40)
                        .hint("UK time, e.g. 10:00, Mon 09:00, 27/11 09:15 or 24/11/2026 15:30; empty: now. New deadlines count from here"),
                    Field::multiline("reason", "Why it was wrong", 4000)
                        .hint("Required: kept in the chronology with the old and new values"),
                ],
            ),
            WorkKind::Task { target } => Form::new(
                &format!("New task on {}", target.reference),
                vec![
                    Field::choice("owner", "Owner", owners(ctx)).with_choice(&ctx.me.username),
                    Field::text("due", "Due", 40)
                        .required()
                        .hint("UK time: 10:00 (today), tomorrow 10:00, Mon 09:00, 01/12 10:00, 24/11/2026 10:00"),
                    Field::multiline("text", "What is to be done", 2000).required(),
                ],
            ),
            WorkKind::CloseTask { done, label, .. } => Form::new(
                &format!(
                    "{} · {label}",
                    if *done { "Task done" } else { "Cancel task" }
                ),
                vec![Field::multiline(
                    "note",
                    if *done { "Note (optional)" } else { "Why (required)" },
                    4000,
                )],
            ),
            WorkKind::Person { target } => Form::new(
                &format!("Someone involved in {}", target.reference),
                vec![
                    Field::choice(
                        "role",
                        "Who they are",
                        PersonRole::ALL
                            .iter()
                            .map(|r| (r.code().to_string(), r.label().to_string()))
                            .collect(),
                    )
                    .with_choice(PersonRole::Involved.code()),
                    Field::text("name", "Name or pseudonym", 100).required(),
                    Field::text("relationship", "To the subject", 200)
                        .hint("e.g. stepfather, sibling, class teacher"),
                    Field::multiline("details", "Details", 4000)
                        .hint("Anything else to know: age, school, address"),
                ],
            ),
            WorkKind::RemovePerson { name, .. } => Form::new(
                &format!("Remove {name}"),
                vec![Field::multiline("reason", "Why (required)", 4000)],
            ),
            WorkKind::Unlink { target, links } => Form::new(
                &format!("Unlink {}", target.reference),
                vec![
                    Field::choice(
                        "other",
                        "Linked case",
                        links.iter().map(|l| (l.clone(), l.clone())).collect(),
                    )
                    .required(),
                    Field::multiline("reason", "Why they are not the same person", 4000),
                ],
            ),
            WorkKind::Attach { target } => Form::new(
                &format!("Attach a file to {}", target.reference),
                vec![Field::text("path", "File", 1000).required().hint(
                    "The file's path, read with your own permissions; at most 10 MiB",
                )],
            ),
            WorkKind::SaveAttachment { target, aid, name } => Form::new(
                &format!("Save attachment {aid} of {}", target.reference),
                vec![Field::text("path", "Save as", 1000).with_text(name).hint(
                    "A new file (never replacing one), written with your own permissions",
                )],
            ),
            WorkKind::Export { target } => Form::new(
                &format!("Export {}", target.reference),
                vec![
                    Field::choice(
                        "format",
                        "Format",
                        vec![
                            ("md".into(), "Markdown".into()),
                            ("html".into(), "HTML (a web page)".into()),
                        ],
                    )
                    .with_choice("md"),
                    Field::toggle("redact", "Redact third parties?").hint(
                        "Hides who raised it, the staff and others involved; free text is not rewritten",
                    ),
                    Field::text("path", "Save as", 1000)
                        .with_text(&crate::domain::export::file_name(
                            &target.reference,
                            Format::Markdown,
                        ))
                        .hint("A new file (never replacing one), written with your own permissions; its name follows the format until you type your own"),
                ],
            ),
        }
    }
}

/// The export form's file name follows the format chosen while it is still
/// a name the form made ("SG-2026-0042.md" becomes "SG-2026-0042.html"); a
/// name the user typed is theirs, and a line under it says when its
/// extension is another format's.
fn follow_format(form: &mut Form, reference: &str) {
    let format = if form.choice("format") == Some("html") {
        Format::Html
    } else {
        Format::Markdown
    };
    let path = form.text("path").trim().to_string();
    let made =
        [Format::Markdown, Format::Html].map(|f| crate::domain::export::file_name(reference, f));
    if made.contains(&path) {
        let want = crate::domain::export::file_name(reference, format);
        if path != want {
            form.set_text("path", &want);
        }
        form.set_detail("path", None);
        return;
    }
    let other = match format {
        Format::Html => Format::Markdown,
        _ => Format::Html,
    };
    let warn = path
        .to_lowercase()
        .ends_with(&format!(".{}", other.extension()))
        .then(|| {
            format!(
                "This name ends .{}, but the file will hold {}",
                other.extension(),
                format.label()
            )
        });
    form.set_detail("path", warn);
}

/// Who may own a task: active staff who are not viewers, you first.
fn owners(ctx: &Ctx) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = ctx
        .desk
        .staff
        .iter()
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .map(|s| {
            (
                s.username.clone(),
                format!("{} ({})", s.display_name, s.username),
            )
        })
        .collect();
    v.sort_by_key(|(u, _)| *u != ctx.me.username);
    v
}

#[derive(Debug)]
pub struct WorkForm {
    pub kind: WorkKind,
    pub form: Form,
}

impl WorkForm {
    pub fn new(kind: WorkKind, ctx: &Ctx) -> WorkForm {
        let form = kind.form(ctx);
        WorkForm { kind, form }
    }

    /// Reads the form into its request, or marks what is wrong beside it.
    fn read(&mut self, ctx: &Ctx) -> Option<WorkRequest> {
        let f = &mut self.form;
        f.clear_errors();
        let t = self.kind.target().clone();
        let text = |f: &Form, k: &str| f.text(k).trim().to_string();
        match &self.kind {
            WorkKind::Correct { was, .. } => {
                let reason = f.text("reason").to_string();
                if reason.trim().is_empty() {
                    f.set_error(
                        "reason",
                        "a correction needs a reason: why the record was wrong",
                    );
                    return None;
                }
                let at = text(f, "at");
                let recognised_at = if at.is_empty() {
                    None
                } else {
                    match crate::domain::casework::parse_moment(&at, ctx.now) {
                        Ok(x) => Some(x),
                        Err(e) => {
                            f.set_error("at", e);
                            return None;
                        }
                    }
                };
                let changed = |new: String, old: &str| (new != old).then_some(new);
                let cats: Vec<String> = f
                    .checked("categories")
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let mut old_cats = was.categories.clone();
                old_cats.sort();
                let mut new_cats = cats.clone();
                new_cats.sort();
                let c = Correction {
                    risk: f
                        .choice("risk")
                        .filter(|r| *r != was.risk)
                        .and_then(Risk::from_code),
                    categories: (new_cats != old_cats).then_some(cats),
                    subject_kind: f
                        .choice("subject")
                        .filter(|k| *k != was.subject)
                        .and_then(SubjectKind::from_code),
                    subject_name: changed(text(f, "name"), &was.name),
                    dob: changed(text(f, "dob"), &was.dob),
                    area: changed(text(f, "area"), &was.area),
                    critical_incident: Some(f.toggle("critical")).filter(|v| *v != was.critical),
                    immediate_risk: Some(f.toggle("immediate")).filter(|v| *v != was.immediate),
                    raised_by: changed(text(f, "raised_by"), &was.raised_by),
                    raised_by_role: changed(text(f, "role"), &was.role),
                    raised_by_contact: changed(text(f, "contact"), &was.contact),
                    fgm: if f.shown_key("fgm") {
                        f.choice("fgm")
                            .filter(|x| *x != was.fgm)
                            .and_then(crate::domain::escalation::Fgm::from_code)
                    } else {
                        None
                    },
                    reason,
                    recognised_at,
                };
                if c.is_empty() {
                    f.error = Some("Nothing is changed: correct a field, then save".into());
                    return None;
                }
                Some(WorkRequest::Correct {
                    id: t.id,
                    version: t.version,
                    correction: Box::new(c),
                })
            }
            WorkKind::Task { .. } => {
                let due = match crate::domain::casework::parse_due(&text(f, "due"), ctx.now) {
                    Ok(d) => d,
                    Err(e) => {
                        f.set_error("due", e);
                        return None;
                    }
                };
                let Some(owner) = f.choice("owner").map(str::to_string) else {
                    f.set_error("owner", "choose who does it");
                    return None;
                };
                Some(WorkRequest::AddTask {
                    id: t.id,
                    owner,
                    due,
                    text: f.text("text").to_string(),
                })
            }
            WorkKind::CloseTask { task, done, .. } => {
                let note = f.text("note").to_string();
                if !done && note.trim().is_empty() {
                    f.set_error("note", "say why the task is no longer needed");
                    return None;
                }
                Some(WorkRequest::CloseTask {
                    task: *task,
                    done: *done,
                    note,
                })
            }
            WorkKind::Person { .. } => Some(WorkRequest::AddPerson {
                id: t.id,
                role: f
                    .choice("role")
                    .and_then(PersonRole::from_code)
                    .unwrap_or(PersonRole::Involved),
                name: text(f, "name"),
                relationship: text(f, "relationship"),
                details: f.text("details").to_string(),
            }),
            WorkKind::RemovePerson { person, .. } => {
                let reason = f.text("reason").to_string();
                if reason.trim().is_empty() {
                    f.set_error("reason", "say why they were added in error");
                    return None;
                }
                Some(WorkRequest::RemovePerson {
                    id: t.id,
                    person: *person,
                    reason,
                })
            }
            WorkKind::Unlink { .. } => {
                let reason = f.text("reason").to_string();
                if reason.trim().is_empty() {
                    f.set_error("reason", "say why these are not the same person");
                    return None;
                }
                Some(WorkRequest::Unlink {
                    id: t.id,
                    other: f.choice("other").unwrap_or_default().to_string(),
                    reason,
                })
            }
            WorkKind::Attach { .. } => Some(WorkRequest::Attach {
                id: t.id,
                path: text(f, "path").into(),
            }),
            WorkKind::SaveAttachment { aid, .. } => {
                if text(f, "path").is_empty() {
                    f.set_error("path", "give the new file's name");
                    return None;
                }
                Some(WorkRequest::SaveAttachment {
                    aid: *aid,
                    path: text(f, "path").into(),
                })
            }
            WorkKind::Export { .. } => {
                if text(f, "path").is_empty() {
                    f.set_error("path", "give the new file's name");
                    return None;
                }
                Some(WorkRequest::Export {
                    id: t.id,
                    format: if f.choice("format") == Some("html") {
                        Format::Html
                    } else {
                        Format::Markdown
                    },
                    redact: f.toggle("redact"),
                    path: text(f, "path").into(),
                })
            }
        }
    }

    fn submit(&mut self, ctx: &Ctx) -> Step {
        match self.read(ctx) {
            Some(req) => {
                self.form.saving = true;
                Step::fx(Effect::Store(Request::Work(req)))
            }
            None => Step::none(),
        }
    }
}

impl Layer for WorkForm {
    fn mode(&self) -> Mode {
        Mode::Form
    }

    fn sections(&self) -> Vec<&'static str> {
        self.form.sections()
    }

    fn takes_text(&self) -> bool {
        self.form
            .fields
            .get(self.form.focus)
            .is_some_and(|f| f.input.is_some())
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        let step = match action {
            Action::Discard => Step::close(),
            Action::Saved(_) if self.form.saving => Step::close(),
            Action::StoreError(msg) | Action::Conflict(msg) if self.form.saving => {
                self.form.saving = false;
                self.form.error = Some(msg.clone());
                Step::none().handled()
            }
            a if crate::tui::update::is_news(a) => Step::none(),
            a => match self.form.act(a) {
                Outcome::Continue => Step::none(),
                Outcome::Submit => self.submit(ctx),
                Outcome::Cancel => Step::close(),
                Outcome::AskDiscard => Step::push(Confirm::new(
                    "Discard what you typed in this form? It is not saved anywhere else.",
                    Action::Discard,
                )),
            },
        };
        if matches!(self.kind, WorkKind::Correct { .. }) {
            let f = &mut self.form;
            f.warning = f
                .toggle("immediate")
                .then(|| "LIFE AT RISK: CALL 999 NOW if nobody has.".into());
        }
        if let WorkKind::Export { target } = &self.kind {
            follow_format(&mut self.form, &target.reference);
        }
        step
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let r = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(2),
        );
        crate::tui::views::form::draw(&self.form, ctx, f, r);
        crate::tui::views::footer(
            ctx,
            f,
            Rect::new(
                area.x,
                area.y + area.height.saturating_sub(2),
                area.width,
                2,
            ),
            "",
        );
    }

    fn drafts(&self) -> Vec<Draft> {
        if !self.form.dirty() {
            return Vec::new();
        }
        vec![Draft {
            of: DraftOf::Work(Box::new(self.kind.clone())),
            at: 0,
            values: self.form.kept(),
        }]
    }

    crate::layer_any!();
}

/// A kept draft of a workbench form, reopened with what was typed.
pub fn restore(kind: &WorkKind, values: &[(String, crate::tui::form::Kept)], ctx: &Ctx) -> Step {
    let mut w = WorkForm::new(kind.clone(), ctx);
    w.form.restore(values);
    Step::push(w)
}
