//! A yes/no question before something that cannot be taken back quietly.
//! A yes closes the question and sends its action to the layer that asked
//! (which does the thing: sends the request, discards the form, quits).

use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

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
        let lines = vec![
            Line::from(self.question.as_str()),
            Line::from(""),
            Line::from(Span::styled(keys.clone(), t.key)),
        ];
        // Tall enough for the question and the keys as they wrap.
        let inner = 62usize;
        let rows = crate::tui::views::wrap(&self.question, inner).len()
            + crate::tui::views::wrap(&keys, inner).len()
            + 1;
        let rect = centred(area, 64, (rows as u16 + 2).max(7));
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }).block(
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
