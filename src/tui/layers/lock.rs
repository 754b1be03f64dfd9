//! The lock panel: after the idle time or `L`, no records, no names, only
//! how to come back. Any key returns (and does nothing else).

use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

#[derive(Debug, Default)]
pub struct Lock;

impl Layer for Lock {
    fn mode(&self) -> Mode {
        Mode::Lock
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::Unlock => Step::close(),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        f.render_widget(Clear, area);
        panel(
            f,
            area,
            vec![
                Line::from(Span::styled("dutydesk is locked", ctx.theme.title)),
                Line::from("Nothing is shown while the desk is unattended."),
                Line::from("Press any key to return."),
            ],
        );
    }

    fn opaque(&self) -> bool {
        true
    }

    crate::layer_any!();
}

/// Lines centred on an otherwise empty screen.
pub fn panel(f: &mut Frame, area: Rect, text: Vec<Line<'static>>) {
    let n = text.len() as u16;
    let y = area.height.saturating_sub(n) / 2;
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        Rect::new(area.x, area.y + y, area.width, area.height.min(n + 1)),
    );
}
