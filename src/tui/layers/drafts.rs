//! Drafts kept from sessions that ended before saving (Ctrl-C, a hang-up,
//! a crash), offered back at the next start: restore one (its form or
//! prompt reopens with what was typed), discard it (asks first), or leave
//! them all for the next start. The list names what each was for and on
//! which case, never the words.

use super::confirm::{Confirm, centred};
use crate::tui::action::Action;
use crate::tui::drafts::Draft;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::views::truncate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

#[derive(Debug)]
pub struct Drafts {
    pub list: Vec<Draft>,
    pub selected: usize,
}

impl Drafts {
    pub fn new(list: Vec<Draft>) -> Drafts {
        Drafts { list, selected: 0 }
    }
}

impl Layer for Drafts {
    fn mode(&self) -> Mode {
        Mode::Drafts
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Step::none()
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(self.list.len().saturating_sub(1));
                Step::none()
            }
            Action::RestoreDraft if self.selected < self.list.len() => {
                let d = self.list.remove(self.selected);
                // The rest stay kept (for the next start) under what reopens.
                Step::close()
                    .and_then(Action::KeepDrafts(std::mem::take(&mut self.list)))
                    .and_then(Action::Restore(Box::new(d)))
            }
            Action::DiscardDraft if self.selected < self.list.len() => Step::push(Confirm::new(
                format!(
                    "Discard this draft for good? {}",
                    self.list[self.selected].label()
                ),
                Action::Discard,
            )),
            Action::Discard if self.selected < self.list.len() => {
                self.list.remove(self.selected);
                self.selected = self.selected.min(self.list.len().saturating_sub(1));
                if self.list.is_empty() {
                    Step::close().and_info("Draft discarded")
                } else {
                    Step::info("Draft discarded")
                }
            }
            Action::Back => {
                Step::close().and_then(Action::KeepDrafts(std::mem::take(&mut self.list)))
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let w = area.width.saturating_sub(4).min(90);
        let inner = usize::from(w.saturating_sub(2));
        let mut lines = vec![
            Line::from("Typed before dutydesk last closed, and not saved:"),
            Line::from(""),
        ];
        for (i, d) in self.list.iter().enumerate().take(10) {
            let mark = if i == self.selected { "▶ " } else { "  " };
            lines.push(Line::from(Span::styled(
                truncate(&format!("{mark}{}", d.label()), inner),
                if i == self.selected {
                    t.selected
                } else {
                    t.base
                },
            )));
        }
        lines.push(Line::from(""));
        lines.push(crate::tui::views::hint_line(&ctx.hints, inner, t));
        let rect = centred(area, w, lines.len() as u16 + 2);
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Unsaved drafts ", t.title)),
            ),
            rect,
        );
    }

    fn drafts(&self) -> Vec<Draft> {
        self.list.clone()
    }

    crate::layer_any!();
}
