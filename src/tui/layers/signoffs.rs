//! The sign-off queue (issue 18): `S` on the dashboard lists every closure
//! waiting for a second DSL that you may see, each with the outcome and the
//! rationale to approve. `s` approves and `b` sends back (the record opens
//! with the prompt over it, at the version shown), Enter opens the record.
//! The header counts the ones waiting for you.

use super::record::Record;
use super::verbs;
use crate::store::search::Waiting;
use crate::store::workbench::{WorkReply, WorkRequest};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate, wrap};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug, Default)]
pub struct Signoffs {
    pub list: Option<Vec<Waiting>>,
    pub selected: usize,
    /// A record asked for, and whether to put the sign-off prompt
    /// (approve: true; send back: false) over it.
    opening: Option<(i64, Option<bool>)>,
}

impl Signoffs {
    pub fn open() -> Step {
        Step::push(Signoffs::default()).and_fx(load())
    }

    fn selected(&self) -> Option<&Waiting> {
        self.list.as_ref().and_then(|l| l.get(self.selected))
    }
}

fn load() -> Effect {
    Effect::Store(Request::Work(WorkRequest::Signoffs))
}

impl Layer for Signoffs {
    fn mode(&self) -> Mode {
        Mode::Signoffs
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let n = self.list.as_ref().map_or(0, Vec::len);
                self.selected = crate::tui::widgets::list::moved(self.selected, action, n, 3);
                Step::none()
            }
            Action::Open => match self.selected() {
                Some(w) => {
                    let id = w.id;
                    self.opening = Some((id, None));
                    Step::fx(Effect::Store(Request::Detail { id }))
                }
                None => Step::none(),
            },
            Action::Approve | Action::SendBack => {
                if let Err(s) = ctx.may_write("Viewers cannot sign off closures; ask a DSL") {
                    return s;
                }
                let Some(w) = self.selected() else {
                    return Step::error("Nothing is waiting for sign-off");
                };
                if w.mine {
                    return Step::error(format!(
                        "You proposed the closure of {}: a second DSL must sign it off",
                        w.reference
                    ));
                }
                let (id, r) = (w.id, w.reference.clone());
                self.opening = Some((id, Some(*action == Action::Approve)));
                Step::fx(Effect::Store(Request::Detail { id }))
                    .and_info(format!("Opening {r} to show the proposed closure…"))
            }
            Action::Back => Step::close(),
            Action::DetailLoaded(d) => match self.opening.take_if(|(id, _)| *id == d.summary.id) {
                Some((_, None)) => Step::push(Record::new(d.clone())),
                Some((_, Some(approve))) => {
                    let mut s = Step::push(Record::new(d.clone()));
                    s.merge(verbs::signoff(d, approve));
                    s.clear_status = s.status.is_none();
                    s
                }
                None => Step::none(),
            },
            Action::WorkLoaded(w) => {
                if let WorkReply::Signoffs(list) = &**w {
                    self.selected = self.selected.min(list.len().saturating_sub(1));
                    self.list = Some(list.clone());
                }
                Step::none()
            }
            Action::Changed | Action::Saved(_) => Step::fx(load()),
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
        let w = usize::from(area.width.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_line = 0;
        match &self.list {
            None => lines.push(Line::from(Span::styled("Loading…", t.muted))),
            Some(l) if l.is_empty() => lines.push(Line::from(Span::styled(
                "No closure is waiting for a second DSL.",
                t.muted,
            ))),
            Some(l) => {
                for (i, x) in l.iter().enumerate() {
                    if i == self.selected {
                        sel_line = lines.len();
                    }
                    let mark = if i == self.selected { "▶ " } else { "  " };
                    let who = if x.mine {
                        "yours: another DSL must sign it".to_string()
                    } else {
                        format!("proposed by {}", x.proposed_by)
                    };
                    let head = format!(
                        "{mark}{}  {}  {}  {} · {}{}",
                        x.reference,
                        x.risk.badge(),
                        x.subject_kind.short(),
                        crate::domain::settings::outcome_label(&x.outcome),
                        who,
                        x.proposed_at
                            .map(|a| format!(", {}", crate::domain::calendar::format_stamp(a)))
                            .unwrap_or_default()
                    );
                    lines.push(Line::from(Span::styled(
                        truncate(&head, w),
                        if i == self.selected {
                            t.selected
                        } else {
                            t.title
                        },
                    )));
                    for row in wrap(&format!("Rationale: {}", x.rationale), w.saturating_sub(4))
                        .into_iter()
                        .take(4)
                    {
                        lines.push(Line::from(format!("    {row}")));
                    }
                    lines.push(Line::from(""));
                }
            }
        }
        let height = usize::from(body.height.saturating_sub(1));
        let scroll = sel_line.saturating_sub(height.saturating_sub(6));
        let title = match &self.list {
            Some(l) => format!(" Closures awaiting a second DSL's sign-off: {} ", l.len()),
            None => " Closures awaiting sign-off ".into(),
        };
        f.render_widget(
            Paragraph::new(lines)
                .scroll((u16::try_from(scroll).unwrap_or(0), 0))
                .block(
                    Block::new()
                        .borders(Borders::TOP)
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
