//! The review queue: every series' next meeting with its counts, and the
//! chosen series' agenda. Only the agenda lines on screen are built, so a
//! year of history (thousands of items) draws as fast as a dozen.

use super::{footer, header, truncate};
use crate::domain::review::{Agenda, when};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Header, series list, agenda (title, items, hint) and footer.
fn areas(app: &App, area: Rect) -> [Rect; 5] {
    let series = app.reviews.len().max(1) as u16;
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(series + 2),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// Agenda lines that fit on the screen: the agenda's area less its title.
pub fn agenda_rows(app: &App) -> usize {
    let [_, _, items, _, _] = areas(app, Rect::new(0, 0, app.width, app.height));
    usize::from(items.height.saturating_sub(1)).max(1)
}

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let [head, list, items, hint, foot] = areas(app, area);
    header(app, f, head);
    let width = usize::from(area.width);
    let today = crate::domain::calendar::local(app.now).date_naive();

    let mut lines: Vec<Line> = app
        .reviews
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let chosen = i == app.reviews_series;
            // The count comes early: it must survive a narrow terminal.
            let text = format!(
                "{} {} · {} item(s) · next {} ({}) · since {}",
                if chosen { "▶" } else { " " },
                a.name,
                a.total(),
                a.next_meeting.format("%a %d %b %Y"),
                when(a.next_meeting, today),
                a.since.format("%d %b %Y")
            );
            let style = if chosen { t.selected } else { t.base };
            Line::from(Span::styled(truncate(&text, width), style))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            " Loading the review series…",
            t.muted,
        )));
    }
    if let Some(a) = app.reviews.get(app.reviews_series) {
        lines.push(Line::from(Span::styled(
            truncate(&format!("  {}", counts(a)), width),
            t.muted,
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::new().borders(Borders::TOP).title(Span::styled(
            " Review queue (Tab next series, Esc back) ",
            t.title,
        ))),
        list,
    );

    let rows = agenda_rows(app);
    let mut lines = Vec::with_capacity(rows + 1);
    let title = match &app.agenda {
        Some(a) if !a.items.is_empty() => {
            let first = app.reviews_scroll.min(a.items.len() - 1);
            let last = (first + rows).min(a.items.len());
            for i in &a.items[first..last] {
                let text = format!("  {:<13} {:<26} {}", i.reference, i.kind.label(), i.detail);
                lines.push(Line::from(truncate(&text, width)));
            }
            format!(
                " Agenda: items {}–{} of {} (j/k scroll) ",
                first + 1,
                last,
                a.items.len()
            )
        }
        Some(_) => {
            lines.push(Line::from(Span::styled(
                "  Nothing on this agenda yet.",
                t.muted,
            )));
            " Agenda ".to_string()
        }
        None => {
            lines.push(Line::from(Span::styled("  Loading the agenda…", t.muted)));
            " Agenda ".to_string()
        }
    };
    f.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::TOP)
                .title(Span::styled(title, t.title)),
        ),
        items,
    );
    f.render_widget(
        Paragraph::new(Span::styled(
            truncate(
                " Hold a meeting and record decisions with `dutydesk reviews hold` / `reviews record`; v on an escalation adds it.",
                width,
            ),
            t.muted,
        )),
        hint,
    );
    footer(app, f, foot, "");
}

/// "closed 5 · deadline missed 3 · added by a DSL 1", or why there is nothing.
fn counts(a: &Agenda) -> String {
    if a.counts.is_empty() {
        return "nothing on the agenda".into();
    }
    a.counts
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}
