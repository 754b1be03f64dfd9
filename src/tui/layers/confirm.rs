//! A yes/no question before something that cannot be taken back quietly.
//! A yes closes the question and sends its action to the layer that asked
//! (which does the thing: sends the request, discards the form, quits).

use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

#[derive(Debug)]
pub struct Confirm {
    pub question: String,
    /// What a yes does, in the layer under the question.
    pub yes: Action,
    /// A third answer, for "take it from them?" (`a`: acknowledge its
    /// alerts only), and what it does in the layer under the question.
    pub alerts_only: Option<Action>,
}

impl Confirm {
    pub fn new(question: impl Into<String>, yes: Action) -> Confirm {
        Confirm {
            question: question.into(),
            yes,
            alerts_only: None,
        }
    }

    /// With the third answer, "acknowledge the alerts only" (keymap `[take]`).
    pub fn or_alerts_only(mut self, then: Action) -> Confirm {
        self.alerts_only = Some(then);
        self
    }
}

impl Layer for Confirm {
    fn mode(&self) -> Mode {
        Mode::Confirm
    }

    fn sections(&self) -> Vec<&'static str> {
        match self.alerts_only {
            Some(_) => vec!["confirm", "take"],
            None => vec!["confirm"],
        }
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::Confirm(true) => Step::close().and_then(self.yes.clone()),
            Action::Confirm(false) => Step::close(),
            Action::AlertsOnly => match &self.alerts_only {
                Some(then) => Step::close().and_then(then.clone()),
                None => Step::none(),
            },
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let keys = ctx
            .hints
            .iter()
            .map(|(k, h)| format!("{k} = {h}"))
            .collect::<Vec<_>>()
            .join(" · ");
        // A question may say what happens to several things, a line each
        // (closing: each open deadline); the box grows to hold it.
        let w = 64.min(area.width);
        let inner = usize::from(w.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();
        for part in self.question.lines() {
            let indent = part.len() - part.trim_start().len();
            let pad = " ".repeat(indent);
            for row in
                crate::tui::views::wrap(part.trim_start(), inner.saturating_sub(indent).max(1))
            {
                lines.push(Line::from(format!("{pad}{row}")));
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(keys, t.key)));
        let h = (lines.len() as u16 + 2).max(7);
        let rect = centred(area, w, h);
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Are you sure? ", t.title)),
            ),
            rect,
        );
    }

    crate::layer_any!();
}

/// A centred box of `w`×`h` inside `area`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
