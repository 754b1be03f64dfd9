//! The contacts screen: "who do I ring right now?". Each row says whether the
//! service is open this moment and, when it is closed, the number to ring
//! instead; Enter shows the whole record.

use super::{footer, header, truncate};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let c = &app.contacts;
    let [head, search, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    header(app, f, head);
    let scope = match &c.for_escalation {
        Some(r) => format!(" For {r}: its area and the routes that fit"),
        None => format!(
            " Search: {}{}   route: {}   area: {}",
            c.query,
            if c.typing { "▏" } else { "" },
            c.route.as_deref().unwrap_or("any"),
            c.area.as_deref().unwrap_or("any"),
        ),
    };
    f.render_widget(
        Paragraph::new(scope).style(if c.typing { t.key } else { t.base }),
        search,
    );

    let title = if c.loading {
        " Contacts: loading… ".to_string()
    } else {
        format!(" Contacts: {} ", c.answers.len())
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, t.title));
    let inner = block.inner(body);
    f.render_widget(block, body);
    if !c.loading && c.answers.is_empty() {
        f.render_widget(
            Paragraph::new("No contacts match. Esc clears the search.").style(t.muted),
            inner,
        );
    }
    if c.open {
        if let Some(a) = c.answers.get(c.selected) {
            let x = &a.contact;
            let mut lines = vec![
                Line::from(Span::styled(
                    format!("{} · {}", x.organisation, x.service),
                    t.title,
                )),
                Line::from(format!(
                    "Route {} · area {}",
                    x.route.replace('_', " "),
                    x.area.as_deref().unwrap_or("any")
                )),
                Line::from(vec![
                    Span::raw("Phone "),
                    Span::styled(x.phone.clone().unwrap_or_default(), t.key),
                    Span::raw(format!("   {}", if a.open_now { "OPEN" } else { "CLOSED" })),
                    Span::raw(format!(" ({})", a.when)),
                ]),
            ];
            if !a.open_now && a.ring != x.phone {
                lines.push(Line::from(Span::styled(
                    format!(
                        "Now ring {} ({})",
                        a.ring.as_deref().unwrap_or("?"),
                        a.ring_service
                    ),
                    t.overdue,
                )));
            }
            lines.push(Line::from(format!(
                "Hours {}{}",
                if x.hours_text.is_empty() {
                    "none recorded"
                } else {
                    &x.hours_text
                },
                if x.hours.open_on_bank_holidays {
                    " (open on bank holidays)"
                } else {
                    " (closed on bank holidays)"
                }
            )));
            for (label, v) in [("E-mail", &x.email), ("Web", &x.web), ("Notes", &x.notes)] {
                if let Some(v) = v {
                    lines.push(Line::from(format!("{label} {v}")));
                }
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "y copies the number to ring now · Enter or Esc: back to the list",
                t.muted,
            )));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    } else {
        let h = inner.height as usize;
        let top = c.selected.saturating_sub(h.saturating_sub(1));
        let w = inner.width as usize;
        let lines: Vec<Line> = c
            .answers
            .iter()
            .enumerate()
            .skip(top)
            .take(h)
            .map(|(i, a)| {
                let x = &a.contact;
                let mark = if i == c.selected { "▶ " } else { "  " };
                let state = if a.open_now {
                    Span::styled("OPEN    ", t.ok)
                } else if a.ring != x.phone {
                    Span::styled("CLOSED →", t.overdue)
                } else {
                    Span::styled("CLOSED  ", t.overdue)
                };
                // The number to ring now always sits in the same column.
                let text = if !a.open_now && a.ring != x.phone {
                    format!(
                        " {:<14} instead of {}: {} · {} · {}",
                        a.ring.as_deref().unwrap_or("?"),
                        x.phone.as_deref().unwrap_or("-"),
                        x.service,
                        x.organisation,
                        x.area.as_deref().unwrap_or("any area"),
                    )
                } else {
                    format!(
                        " {:<14} {} · {} · {} ({})",
                        x.phone.as_deref().unwrap_or("-"),
                        x.service,
                        x.organisation,
                        x.area.as_deref().unwrap_or("any area"),
                        a.when
                    )
                };
                let style = if i == c.selected { t.selected } else { t.base };
                Line::from(vec![
                    Span::styled(mark, style),
                    state,
                    Span::styled(truncate(&text, w.saturating_sub(10)), style),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
    footer(app, f, foot, "");
}
