//! The `?` help: every key of the layer underneath, from the keymap itself
//! (the same bindings the keys act on), and on the dashboard the marks.

use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::views::symbols;
use crate::tui::widgets::list::scrolled;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

#[derive(Debug)]
pub struct Help {
    /// The keymap sections of the layer underneath.
    pub sections: Vec<&'static str>,
    /// Whether the dashboard is underneath (its marks are explained too).
    pub dashboard: bool,
    /// Lines scrolled (help can be taller than the screen).
    pub scroll: u16,
    /// How many lines fitted when it was last drawn (the area it is given is
    /// the screen less the header and footer): scrolling stops where the last
    /// line shows. 0 until drawn.
    fits: std::cell::Cell<u16>,
}

impl Help {
    /// Help for a layer whose keys come from `sections`; a layer that takes
    /// text lists the editing keys too.
    pub fn new(mut sections: Vec<&'static str>, mode: Mode, takes_text: bool) -> Help {
        if takes_text && !sections.contains(&"input") {
            sections.push("input");
        }
        Help {
            sections,
            dashboard: matches!(mode, Mode::Dashboard | Mode::Deadlines),
            scroll: 0,
            fits: std::cell::Cell::new(0),
        }
    }

    /// The help text.
    fn lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let t = &ctx.theme;
        let mut lines = vec![Line::from(Span::styled("Keys on this screen", t.title))];
        for (keys, desc) in ctx.keymap.entries(&self.sections) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<18}"), t.key),
                Span::raw(desc),
            ]));
        }
        if self.dashboard {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled("Deadlines", t.title)));
            lines.push(Line::from(
                "  UK time; each rule counts its own way (`dutydesk rules list`)",
            ));
            lines.push(Line::from(format!(
                "  Bank holidays known to: {}",
                ctx.desk
                    .holidays_through
                    .map(|y| format!("end of {y}"))
                    .unwrap_or_else(|| "none loaded (`dutydesk holidays import`)".into())
            )));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Order of the list, most urgent first",
                t.title,
            )));
            for step in crate::domain::urgency::describe() {
                lines.push(Line::from(format!("  {step}")));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled("Marks", t.title)));
            for pair in symbols::LEGEND.chunks(2) {
                let mut spans = Vec::new();
                for (mark, meaning) in pair {
                    // At least one space after a mark wider than the column.
                    let w = 11.max(mark.chars().count() + 1);
                    spans.push(Span::styled(format!("  {mark:<w$}"), t.key));
                    spans.push(Span::raw(format!("{meaning:<22}")));
                }
                lines.push(Line::from(spans));
            }
        }
        lines
    }

    /// The box help is drawn in, and how many of its lines fit.
    fn frame(area: Rect, n: usize) -> (Rect, u16) {
        let w = area.width.saturating_sub(4).min(76);
        let h = (n as u16 + 2).min(area.height.saturating_sub(2));
        (
            Rect::new(
                area.x + (area.width - w) / 2,
                area.y + (area.height - h) / 2,
                w,
                h,
            ),
            h.saturating_sub(2).max(1),
        )
    }

    /// How far help can scroll at the current size.
    fn max_scroll(&self, ctx: &Ctx) -> u16 {
        let n = self.lines(ctx).len();
        let fits = match self.fits.get() {
            0 => Help::frame(Rect::new(0, 0, ctx.width, ctx.height), n).1,
            drawn => drawn,
        };
        (n as u16).saturating_sub(fits)
    }
}

impl Layer for Help {
    fn mode(&self) -> Mode {
        Mode::Help
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                let page = ctx.height.saturating_sub(6).max(1);
                let max = self.max_scroll(ctx);
                self.scroll = scrolled(self.scroll.into(), action, page.into(), max.into()) as u16;
                Step::none()
            }
            Action::Back => Step::close(),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let t = &ctx.theme;
        let lines = self.lines(ctx);
        let (rect, fits) = Help::frame(area, lines.len());
        self.fits.set(fits);
        // Help's own keys go in the frame, leaving the body for the screen below.
        let mut closing = ctx
            .keymap
            .entries(&["help"])
            .iter()
            .filter(|(_, desc)| desc != "Scroll help" || lines.len() as u16 > fits)
            .map(|(keys, desc)| format!(" {keys}: {} ", desc.to_lowercase()))
            .collect::<String>();
        if lines.len() as u16 > fits + self.scroll {
            closing = format!(" ↓ more ·{closing}");
        }
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(lines).scroll((self.scroll, 0)).block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Help ", t.title))
                    .title_bottom(Line::from(closing).right_aligned()),
            ),
            rect,
        );
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}
