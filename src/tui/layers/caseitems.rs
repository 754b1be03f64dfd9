//! A case's tasks (`t`), attachments (`f`) or people involved (`p`), opened
//! from its record (issue 18): a list to act on, kept in step with the
//! record under it (which reloads after every change). Tasks: `+` adds,
//! `d` done, `x` cancels; attachments: `+` attaches a file by path, Enter
//! shows a text one (audited), `s` saves one to a new file (audited);
//! people: `+` adds, `d` removes with a reason.

use super::workform::{WorkForm, WorkKind};
use crate::domain::casework::{Attachment, Involved, Task, TaskState, size_words};
use crate::domain::escalation::EscalationDetail;
use crate::store::workbench::{WorkReply, WorkRequest};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate, wrap};
use crate::tui::workbench::WorkCmd;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    Tasks,
    Files,
    People,
}

#[derive(Debug)]
pub struct CaseItems {
    pub items: Items,
    pub target: Target,
    pub tasks: Vec<Task>,
    pub files: Vec<Attachment>,
    pub people: Vec<Involved>,
    pub selected: usize,
    /// A text attachment being read: its number, name, lines and scroll.
    pub viewing: Option<(i64, String, Vec<String>, usize)>,
    redacted: bool,
}

impl CaseItems {
    pub fn open(items: Items, d: &EscalationDetail) -> Step {
        let mut c = CaseItems {
            items,
            target: Target {
                id: d.summary.id,
                reference: d.summary.reference.clone(),
                version: Some(d.version),
            },
            tasks: Vec::new(),
            files: Vec::new(),
            people: Vec::new(),
            selected: 0,
            viewing: None,
            redacted: d.casework.redacted,
        };
        c.take(d);
        Step::push(c)
    }

    fn take(&mut self, d: &EscalationDetail) {
        self.tasks = d.casework.tasks.clone();
        self.files = d.casework.attachments.clone();
        self.people = d.casework.people.clone();
        self.target.version = Some(d.version);
        self.selected = self.selected.min(self.len().saturating_sub(1));
    }

    fn len(&self) -> usize {
        match self.items {
            Items::Tasks => self.tasks.len(),
            Items::Files => self.files.len(),
            Items::People => self.people.len(),
        }
    }

    fn form(&self, kind: WorkKind, ctx: &Ctx) -> Step {
        if let Err(s) = ctx.may_write("Viewers can read but not change escalations; ask a DSL") {
            return s;
        }
        Step::push(WorkForm::new(kind, ctx))
    }
}

impl Layer for CaseItems {
    fn mode(&self) -> Mode {
        Mode::CaseItems
    }

    fn sections(&self) -> Vec<&'static str> {
        vec![match (self.items, self.viewing.is_some()) {
            (_, true) => "attachment_view",
            (Items::Tasks, _) => "tasks",
            (Items::Files, _) => "attachments",
            (Items::People, _) => "people",
        }]
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        if let Some((_, _, lines, scroll)) = &mut self.viewing {
            match action {
                Action::Back => {
                    self.viewing = None;
                    return Step::none();
                }
                Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom => {
                    let page = usize::from(ctx.height.saturating_sub(6)).max(1);
                    *scroll = crate::tui::widgets::list::scrolled(
                        *scroll,
                        action,
                        page,
                        lines.len().saturating_sub(page),
                    );
                    return Step::none();
                }
                _ => {}
            }
        }
        let t = self.target.clone();
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.selected =
                    crate::tui::widgets::list::moved(self.selected, action, self.len(), 5);
                Step::none()
            }
            Action::Back => Step::close(),
            Action::Work(WorkCmd::Add) => match self.items {
                Items::Tasks => self.form(WorkKind::Task { target: t }, ctx),
                Items::Files => self.form(WorkKind::Attach { target: t }, ctx),
                Items::People => self.form(WorkKind::Person { target: t }, ctx),
            },
            Action::Work(WorkCmd::Done | WorkCmd::Cancel) if self.items == Items::Tasks => {
                let done = *action == Action::Work(WorkCmd::Done);
                match self.tasks.get(self.selected) {
                    Some(task) if task.state == TaskState::Open => self.form(
                        WorkKind::CloseTask {
                            target: t,
                            task: task.id,
                            done,
                            label: truncate(&task.text, 60),
                        },
                        ctx,
                    ),
                    Some(task) => Step::error(format!(
                        "Task {} is already {}",
                        task.id,
                        task.state.label()
                    )),
                    None => Step::error("No task selected: + adds one"),
                }
            }
            Action::Work(WorkCmd::Done) if self.items == Items::People => {
                match self.people.get(self.selected) {
                    Some(p) => self.form(
                        WorkKind::RemovePerson {
                            target: t,
                            person: p.id,
                            name: p.name.clone(),
                        },
                        ctx,
                    ),
                    None => Step::error("Nobody selected"),
                }
            }
            Action::Work(WorkCmd::Save) if self.items == Items::Files => {
                match self.files.get(self.selected) {
                    Some(a) if !self.redacted => self.form(
                        WorkKind::SaveAttachment {
                            target: t,
                            aid: a.id,
                            name: a.name.clone(),
                        },
                        ctx,
                    ),
                    Some(_) => {
                        Step::error("Viewers see that attachments exist, not their contents")
                    }
                    None => Step::error("No attachment selected: + attaches a file"),
                }
            }
            Action::Open if self.items == Items::Files => match self.files.get(self.selected) {
                Some(a) if self.redacted => {
                    let _ = a;
                    Step::error("Viewers see that attachments exist, not their contents")
                }
                Some(a) if a.media_type != "text/plain" => Step::error(format!(
                    "{} is {} ({}): {} saves it to a file to open",
                    a.name,
                    a.media_type,
                    size_words(a.size),
                    ctx.key(
                        "attachments",
                        &Action::Work(crate::tui::workbench::WorkCmd::Save)
                    )
                )),
                Some(a) => Step::fx(Effect::Store(Request::Work(WorkRequest::ViewAttachment {
                    aid: a.id,
                })))
                .and_info(format!("Opening {}…", a.name)),
                None => Step::none(),
            },
            // News.
            Action::DetailLoaded(d) if d.summary.id == self.target.id => {
                self.take(d);
                Step::none()
            }
            Action::WorkLoaded(w) => {
                if let WorkReply::Attachment {
                    info,
                    text: Some(text),
                } = &**w
                    && info.reference == self.target.reference
                {
                    let width = usize::from(ctx.width.saturating_sub(4)).max(20);
                    self.viewing = Some((info.id, info.name.clone(), wrap(text, width), 0));
                }
                Step::none()
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(2),
        ])
        .areas(area);
        header(ctx, f, head);
        let w = usize::from(area.width.saturating_sub(4));
        if let Some((aid, name, lines, scroll)) = &self.viewing {
            let shown: Vec<Line> = lines
                .iter()
                .skip(*scroll)
                .map(|l| Line::from(l.clone()))
                .collect();
            f.render_widget(
                Paragraph::new(shown).block(Block::new().borders(Borders::ALL).title(
                    Span::styled(
                        format!(" {} · attachment {aid}: {name} ", self.target.reference),
                        t.title,
                    ),
                )),
                body,
            );
            footer(ctx, f, foot, "");
            return;
        }
        let (title, rows): (String, Vec<String>) = match self.items {
            Items::Tasks => (
                format!(" {} · tasks ({}) ", self.target.reference, self.tasks.len()),
                self.tasks
                    .iter()
                    .map(|x| {
                        let due = match x.state {
                            TaskState::Open => {
                                let (s, _) = super::dashboard::due_cell(
                                    ctx,
                                    x.due_at,
                                    crate::domain::deadline::DEFAULT_WARN,
                                );
                                s
                            }
                            other => format!(
                                "{} {}",
                                other.label(),
                                x.closed_by.clone().unwrap_or_default()
                            ),
                        };
                        format!(
                            "{:>4}  {:<18} {} · due {} · {}",
                            x.id,
                            due,
                            x.owner,
                            crate::domain::calendar::format_stamp(x.due_at),
                            x.text.replace('\n', " ")
                        )
                    })
                    .collect(),
            ),
            Items::Files => (
                format!(
                    " {} · attachments ({}) ",
                    self.target.reference,
                    self.files.len()
                ),
                self.files
                    .iter()
                    .map(|a| {
                        format!(
                            "{:>4}  {} · {} · {} · added {} by {} · SHA-256 {}…",
                            a.id,
                            a.name,
                            a.media_type,
                            size_words(a.size),
                            crate::domain::calendar::format_stamp(a.added_at),
                            a.added_by,
                            &a.sha256[..12.min(a.sha256.len())]
                        )
                    })
                    .collect(),
            ),
            Items::People => (
                format!(
                    " {} · others involved ({}) ",
                    self.target.reference,
                    self.people.len()
                ),
                self.people
                    .iter()
                    .map(|p| {
                        format!(
                            "{:>4}  {}: {}{}{}",
                            p.id,
                            p.role.label(),
                            p.name,
                            p.relationship
                                .as_deref()
                                .map(|r| format!(" ({r})"))
                                .unwrap_or_default(),
                            p.details
                                .as_deref()
                                .map(|d| format!(" — {}", d.replace('\n', " ")))
                                .unwrap_or_default()
                        )
                    })
                    .collect(),
            ),
        };
        let mut lines: Vec<Line> = Vec::new();
        if rows.is_empty() {
            let what = match self.items {
                Items::Tasks => "No tasks yet: + adds one (an owner and a due time).",
                Items::Files => "No attachments: + attaches a file by its path.",
                Items::People if self.redacted => "Viewers do not see the people involved.",
                Items::People => {
                    "Nobody else recorded: + adds the alleged perpetrator or someone involved."
                }
            };
            lines.push(Line::from(Span::styled(what, t.muted)));
        }
        for (i, r) in rows.iter().enumerate() {
            let mark = if i == self.selected { "▶ " } else { "  " };
            lines.push(Line::from(Span::styled(
                truncate(&format!("{mark}{r}"), w),
                if i == self.selected {
                    t.selected
                } else {
                    t.base
                },
            )));
        }
        let scroll = self
            .selected
            .saturating_sub(usize::from(body.height.saturating_sub(3)));
        f.render_widget(
            Paragraph::new(lines)
                .scroll((u16::try_from(scroll).unwrap_or(0), 0))
                .block(
                    Block::new()
                        .borders(Borders::ALL)
                        .title(Span::styled(title, t.title)),
                ),
            body,
        );
        footer(ctx, f, foot, "");
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}
