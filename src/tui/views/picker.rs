//! Overlays that choose or confirm: the assign picker and yes/no questions.

use crate::tui::app::{App, Confirm, MatchOffer, Picker};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// A centred box of `w`×`h` inside `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn draw_picker(app: &App, p: &Picker, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::raw("Find: "),
        Span::styled(format!("{}▏", p.filter), t.key),
    ])];
    match &p.staff {
        None => lines.push(Line::from(Span::styled("loading…", t.muted))),
        Some(_) => {
            let m = p.matches();
            if m.is_empty() {
                lines.push(Line::from(Span::styled("nobody matches", t.muted)));
            }
            let on_duty = app.on_duty.as_deref();
            for (i, s) in m.iter().enumerate().take(12) {
                let mark = if i == p.selected { "▶ " } else { "  " };
                let duty = if Some(s.display_name.as_str()) == on_duty {
                    " · on duty"
                } else {
                    ""
                };
                let text = format!(
                    "{mark}{} ({}, {}){duty}",
                    s.display_name,
                    s.username,
                    s.role.label()
                );
                lines.push(Line::from(Span::styled(
                    text,
                    if i == p.selected { t.selected } else { t.base },
                )));
            }
        }
    }
    lines.push(Line::from(Span::styled(
        "type to filter · ↑↓ choose · Enter assign · Esc cancel",
        t.muted,
    )));
    let rect = centred(area, 60, lines.len() as u16 + 2);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(Span::styled(
            format!(" Assign {} ", p.target.reference),
            t.title,
        ))),
        rect,
    );
}

pub fn draw_confirm(app: &App, c: &Confirm, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let lines = vec![
        Line::from(c.question.as_str()),
        Line::from(""),
        Line::from(Span::styled(
            "y = yes, go ahead · n or Esc = no, go back",
            t.key,
        )),
    ];
    let rect = centred(area, 64, 6);
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

pub fn draw_matches(app: &App, m: &MatchOffer, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![
        Line::from(format!(
            "{} may be about the same person as:",
            m.new.reference
        )),
        Line::from(""),
    ];
    for (i, x) in m.list.iter().enumerate().take(10) {
        let mark = if i == m.selected { "▶ " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!(
                "{mark}{} · {} · {} · {}",
                x.reference,
                crate::domain::calendar::format_stamp(x.raised_at),
                x.status.label(),
                x.why
            ),
            if i == m.selected { t.selected } else { t.base },
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "l link (same person) · d dismiss (someone else) · Esc done",
        t.key,
    )));
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
