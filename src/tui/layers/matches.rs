//! Earlier escalations that may be about the same person as a new one: the
//! DSL links or dismisses each.

use super::confirm::centred;
use super::verbs::act;
use crate::store::escalations::Match;
use crate::store::worker::Verb;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

#[derive(Debug)]
pub struct Matches {
    pub new: Target,
    pub list: Vec<Match>,
    pub selected: usize,
}

impl Matches {
    pub fn new(new: Target, list: Vec<Match>) -> Matches {
        Matches {
            new,
            list,
            selected: 0,
        }
    }
}

impl Layer for Matches {
    fn mode(&self) -> Mode {
        Mode::Matches
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::LinkMatch | Action::DismissMatch if self.selected < self.list.len() => {
                let other = self.list.remove(self.selected);
                let mut s = Step::none();
                if *action == Action::LinkMatch {
                    s = Step::fx(act(&self.new, Verb::Link(other.id)));
                }
                self.selected = self.selected.min(self.list.len().saturating_sub(1));
                s.close = self.list.is_empty();
                s
            }
            Action::Cancel => Step::close(),
            // Need-to-know holds while the list is open: a case restricted or
            // hidden from the user meanwhile is taken off it (and the list
            // closes when none is left).
            Action::Changed if !self.list.is_empty() => Step::fx(crate::tui::Effect::Store(
                crate::store::worker::Request::VisibleAmong {
                    ids: self.list.iter().map(|m| m.id).collect(),
                },
            )),
            Action::NoLongerVisible(gone) if self.list.iter().any(|m| gone.contains(&m.id)) => {
                self.list.retain(|m| !gone.contains(&m.id));
                self.selected = self.selected.min(self.list.len().saturating_sub(1));
                let mut s = Step::info("A possible repeat is no longer yours to see: taken off");
                s.close = self.list.is_empty();
                s
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Step::none()
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.list.len().saturating_sub(1));
                Step::none()
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let mut lines = vec![
            Line::from(format!(
                "{} may be about the same person as:",
                self.new.reference
            )),
            Line::from(""),
        ];
        for (i, x) in self.list.iter().enumerate().take(10) {
            let mark = if i == self.selected { "▶ " } else { "  " };
            lines.push(Line::from(Span::styled(
                format!(
                    "{mark}{} · {} · {} · {}",
                    x.reference,
                    crate::domain::calendar::format_stamp(x.raised_at),
                    x.status.label(),
                    x.why
                ),
                if i == self.selected {
                    t.selected
                } else {
                    t.base
                },
            )));
        }
        lines.push(Line::from(""));
        lines.push(crate::tui::views::hint_line(&ctx.hints, 74, t));
        let rect = centred(area, 76, lines.len() as u16 + 2);
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Earlier concerns ", t.title)),
            ),
            rect,
        );
    }

    crate::layer_any!();
}
