//! What a user deactivated (or given another role) in another session sees
//! instead of records: why, and that only quitting is left.

use super::lock::panel;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

#[derive(Debug)]
pub struct Revoked {
    pub why: String,
}

impl Layer for Revoked {
    fn mode(&self) -> Mode {
        Mode::Revoked
    }

    fn on(&mut self, _action: &Action, _ctx: &Ctx) -> Step {
        Step::none()
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        f.render_widget(Clear, area);
        panel(
            f,
            area,
            vec![
                Line::from(Span::styled("No records are shown", ctx.theme.error)),
                Line::from(self.why.clone()),
                // The store says what happened; the screen adds its key.
                Line::from(
                    ctx.keymap
                        .entries(&[Mode::Revoked.section()])
                        .into_iter()
                        .map(|(keys, what)| format!("{keys}: {what}"))
                        .collect::<Vec<_>>()
                        .join(" · "),
                ),
            ],
        );
    }

    fn opaque(&self) -> bool {
        true
    }

    crate::layer_any!();
}
