//! The `?` help: every key of the screen underneath, from the keymap itself.

use super::symbols;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{Mode, key_label};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// (keys, description) for a mode, keys of the same description merged.
pub fn entries(app: &App, mode: Mode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for b in app.keymap.bindings(mode) {
        let k = key_label(b);
        match out.iter_mut().find(|(_, d)| *d == b.description) {
            Some((keys, _)) => {
                keys.push_str(", ");
                keys.push_str(&k);
            }
            None => out.push((k, b.description)),
        }
    }
    out
}

/// The help text for the screen underneath.
fn lines(app: &App) -> Vec<Line<'static>> {
    let under = app.screen_mode();
    let t = &app.theme;
    let mut lines = vec![Line::from(Span::styled("Keys on this screen", t.title))];
    for (keys, desc) in entries(app, under) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), t.key),
            Span::raw(desc),
        ]));
    }
    if app.screen == Screen::Dashboard {
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled("Deadlines ", t.title),
            Span::raw(format!(
                "UK time · days end at {} · holidays to {}",
                match app.counting {
                    crate::domain::calendar::Counting::SameTime => "the same time",
                    crate::domain::calendar::Counting::EndOfWorkingDay
                    | crate::domain::calendar::Counting::WorkingHours => "close of business",
                },
                app.holidays_through
                    .map(|y| y.to_string())
                    .unwrap_or_else(|| "none".into())
            )),
        ]));
        lines.push(Line::from(Span::styled("Marks", t.title)));
        for pair in symbols::LEGEND.chunks(2) {
            let mut spans = Vec::new();
            for (mark, meaning) in pair {
                spans.push(Span::styled(format!("  {mark:<11}"), t.key));
                spans.push(Span::raw(format!("{meaning:<22}")));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}

/// The box help is drawn in, and how many of its lines fit.
fn frame(app: &App, area: Rect, n: usize) -> (Rect, u16) {
    let w = area.width.saturating_sub(4).min(72);
    let h = (n as u16 + 2).min(area.height.saturating_sub(2));
    (
        Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        ),
        h.saturating_sub(2).max(app.height.min(1)),
    )
}

/// How far help can scroll at the current size.
pub fn max_scroll(app: &App) -> u16 {
    let n = lines(app).len();
    let (_, fits) = frame(app, Rect::new(0, 0, app.width, app.height), n);
    (n as u16).saturating_sub(fits)
}

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let lines = lines(app);
    let (rect, fits) = frame(app, area, lines.len());
    // Help's own keys go in the frame, leaving the body for the screen below.
    let mut closing = entries(app, Mode::Help)
        .iter()
        .filter(|(_, desc)| *desc != "Scroll help" || lines.len() as u16 > fits)
        .map(|(keys, desc)| format!(" {keys}: {} ", desc.to_lowercase()))
        .collect::<String>();
    if lines.len() as u16 > fits + app.help_scroll {
        closing = format!(" ↓ more ·{closing}");
    }
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).scroll((app.help_scroll, 0)).block(
            Block::new()
                .borders(Borders::ALL)
                .title(Span::styled(" Help ", t.title))
                .title_bottom(Line::from(closing).right_aligned()),
        ),
        rect,
    );
}
