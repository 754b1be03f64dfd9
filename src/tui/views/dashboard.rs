//! The dashboard: header, the open-escalations queue, footer.

use super::symbols;
use super::{footer, header, truncate};
use crate::domain::calendar::format_stamp;
use crate::domain::deadline::{Deadline, DeadlineState};
use crate::domain::deadline::{DueStatus, countdown, due_status};
use crate::domain::escalation::{EscalationSummary, Status, age};
use crate::tui::app::{App, Focus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// Where each part of the dashboard goes. One function, so the paging in
/// `update` and the drawing here agree on how many rows fit.
pub struct Areas {
    pub header: Rect,
    pub banner: Option<Rect>,
    pub alert: Option<Rect>,
    pub queue: Rect,
    pub deadlines: Rect,
    pub reviews: Option<Rect>,
    pub footer: Rect,
}

pub fn areas(app: &App, area: Rect) -> Areas {
    let banner = u16::from(app.read_only);
    let alert = u16::from(app.alert.is_some()) + u16::from(unacked_line(app).is_some());
    // The deadlines panel takes two fifths of the body, at least 4 lines.
    let strip = u16::from(!app.reviews.is_empty());
    let body = area.height.saturating_sub(3 + banner + alert + strip);
    let panel = (body * 2 / 5).max(4);
    let [
        header,
        banner_area,
        alert_area,
        queue,
        deadlines,
        strip_area,
        footer,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner),
        Constraint::Length(alert),
        Constraint::Min(3),
        Constraint::Length(panel),
        Constraint::Length(strip),
        Constraint::Length(2),
    ])
    .areas(area);
    Areas {
        header,
        banner: app.read_only.then_some(banner_area),
        alert: (alert > 0).then_some(alert_area),
        queue,
        deadlines,
        reviews: (strip > 0).then_some(strip_area),
        footer,
    }
}

/// Table rows that fit: the queue area less its title line and column header.
pub fn list_height(app: &App) -> u16 {
    let a = areas(app, Rect::new(0, 0, app.width, app.height));
    a.queue.height.saturating_sub(2)
}

/// Deadline rows that fit: the panel less its title line.
pub fn deadlines_height(app: &App) -> u16 {
    let a = areas(app, Rect::new(0, 0, app.width, app.height));
    a.deadlines.height.saturating_sub(1)
}

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let a = areas(app, area);
    header(app, f, a.header);
    if let Some(b) = a.banner {
        f.render_widget(
            Paragraph::new(" READ-ONLY: this database file is not writable by you; nothing can be changed or opened")
                .style(app.theme.banner),
            b,
        );
    }
    if let Some(r) = a.alert {
        let mut lines = Vec::new();
        if let Some(u) = unacked_line(app) {
            lines.push(Line::from(Span::styled(
                super::spread(&u, "select it, A takes it ", r.width),
                app.theme.overdue,
            )));
        }
        if let Some(text) = &app.alert {
            lines.push(Line::from(Span::styled(
                super::spread(&format!(" {} {text}", symbols::ALERT), "x hides ", r.width),
                app.theme.overdue,
            )));
        }
        f.render_widget(Paragraph::new(lines), r);
    }
    queue(app, f, a.queue);
    deadlines(app, f, a.deadlines);
    if let Some(r) = a.reviews {
        let today = crate::domain::calendar::local(app.now).date_naive();
        let text = app
            .reviews
            .iter()
            .map(|g| {
                format!(
                    "{} {} ({}, {} items)",
                    g.name
                        .split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" "),
                    g.next_meeting.format("%d %b"),
                    crate::domain::review::when(g.next_meeting, today),
                    g.total()
                )
            })
            .collect::<Vec<_>>()
            .join(" │ ");
        f.render_widget(
            Paragraph::new(truncate(&format!(" Reviews (R): {text}"), r.width as usize))
                .style(app.theme.muted),
            r,
        );
    }
    let (total, selected) = match app.focus {
        Focus::Queue => (app.queue.total, app.queue.selected),
        Focus::Deadlines => (app.deadlines.total, app.deadlines.selected),
    };
    let pos = if total > 0 {
        format!("{} of {total} ", selected + 1)
    } else {
        String::new()
    };
    footer(app, f, a.footer, &pos);
}

/// A deadline's state as a cell: a countdown while open, else met or waived.
pub fn deadline_cell(app: &App, d: &Deadline) -> (String, Style) {
    let t = &app.theme;
    match &d.state {
        DeadlineState::Met { at, .. } => (
            format!("{} met {}", symbols::MET, format_stamp(*at)),
            t.muted,
        ),
        DeadlineState::Waived { .. } => (format!("{} waived", symbols::WAIVED), t.muted),
        DeadlineState::Open => {
            let (mut text, style) = due_cell(app, d.due_at, d.warn());
            if d.beyond_calendar {
                text.push(' ');
                text.push_str(symbols::UNSURE);
            }
            (text, style)
        }
    }
}

/// Text and style of a countdown, with a symbol so urgency never rests on colour.
pub fn due_cell(
    app: &App,
    due: chrono::DateTime<chrono::Utc>,
    warn: chrono::Duration,
) -> (String, Style) {
    let t = &app.theme;
    let text = countdown(due, app.now);
    match due_status(due, app.now, warn) {
        DueStatus::Overdue => (format!("{} {text}", symbols::OVERDUE), t.overdue),
        DueStatus::DueSoon => (format!("{} {text}", symbols::DUE_SOON), t.due_soon),
        DueStatus::Ok => (format!("  {text}"), t.ok),
    }
}

fn short_status(s: Status) -> &'static str {
    match s {
        Status::AwaitingOutcome => "awaiting",
        other => other.label(),
    }
}

fn queue(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let q = &app.queue;
    let title = if app.paused {
        format!(
            " ⏸ PAUSED{}: {} open (p resumes) ",
            if app.changed_while_paused {
                ", changes waiting"
            } else {
                ""
            },
            q.total
        )
    } else if q.loaded {
        format!(" Open escalations: {} ", q.total)
    } else {
        " Open escalations: loading… ".to_string()
    };
    let focused = app.focus == Focus::Queue;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, if focused { t.title } else { t.muted }));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if q.loaded && q.total == 0 {
        f.render_widget(
            Paragraph::new("No open escalations. Nothing is waiting for a DSL.").style(t.muted),
            inner,
        );
        return;
    }
    let wide = area.width >= 140;
    let mut widths = vec![
        Constraint::Length(12), // reference
        Constraint::Length(4),  // age
        Constraint::Length(5),  // subject
        Constraint::Min(8),     // categories
        Constraint::Length(6),  // risk
        Constraint::Length(8),  // status
        Constraint::Length(assignee_width(area.width)),
        Constraint::Length(17), // next deadline
    ];
    let mut head = vec![
        "Ref",
        "Age",
        "Subj",
        "Categories",
        "Risk",
        "Status",
        "Assignee",
        "Next deadline",
    ];
    if wide {
        widths.push(Constraint::Length(if area.width >= 170 { 36 } else { 28 }));
        head.push("Due for");
    }
    let height = inner.height.saturating_sub(1) as i64;
    let rows: Vec<Row> = (q.top..(q.top + height).min(q.total))
        .map(|pos| match q.row(pos) {
            Some(r) => row(app, r, assignee_width(area.width), wide),
            None => Row::new(vec![Cell::from("…")]).style(t.muted),
        })
        .collect();
    let mut state = TableState::default();
    if q.total > 0 && focused {
        state.select(Some((q.selected - q.top) as usize));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(head).style(t.title))
        .column_spacing(1)
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    f.render_stateful_widget(table, inner, &mut state);
}

/// Every open deadline, soonest first, counting down.
fn deadlines(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = &app.deadlines;
    let focused = app.focus == Focus::Deadlines;
    let title = if !w.loaded {
        " Deadlines: loading… ".to_string()
    } else if focused {
        format!(" Deadlines: {} open ", w.total)
    } else {
        format!(" Deadlines: {} open (Tab) ", w.total)
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, if focused { t.title } else { t.muted }));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if w.loaded && w.total == 0 {
        f.render_widget(Paragraph::new("No open deadlines.").style(t.muted), inner);
        return;
    }
    let height = inner.height as i64;
    let rows: Vec<Row> = (w.top..(w.top + height).min(w.total))
        .map(|pos| match w.row(pos) {
            Some(d) => {
                let (due, style) = deadline_cell(app, d);
                Row::new(vec![
                    Cell::from(Span::styled(due, style)),
                    Cell::from(d.reference.as_str()),
                    Cell::from(d.label.as_str()),
                    Cell::from(
                        crate::domain::calendar::local(d.due_at)
                            .format("%a %d %b %H:%M")
                            .to_string(),
                    ),
                ])
            }
            None => Row::new(vec![Cell::from("…")]).style(t.muted),
        })
        .collect();
    let mut state = TableState::default();
    if w.total > 0 && focused {
        state.select(Some((w.selected - w.top) as usize));
    }
    let table = Table::new(
        rows,
        [
            Constraint::Length(19),
            Constraint::Length(12),
            Constraint::Min(10),
            Constraint::Length(16),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(t.selected)
    .highlight_symbol("▶ ")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    f.render_stateful_widget(table, inner, &mut state);
}

/// Names get more room as the window grows.
fn assignee_width(width: u16) -> u16 {
    match width {
        140.. => 18,
        100.. => 14,
        _ => 10,
    }
}

fn row<'a>(app: &App, r: &'a EscalationSummary, assignee: u16, wide: bool) -> Row<'a> {
    let t = &app.theme;
    let risk_style = if r.risk == crate::domain::escalation::Risk::High {
        t.high_risk
    } else {
        t.base
    };
    // Flags lead the categories cell: it is the one column with room for them.
    let mut cats = Vec::new();
    if r.immediate_risk {
        cats.push(Span::styled(format!("{} ", symbols::IMMEDIATE), t.overdue));
    }
    if r.restricted {
        cats.push(Span::styled(format!("{} ", symbols::RESTRICTED), t.title));
    }
    if r.repeat() {
        cats.push(Span::styled(
            format!("{}{} ", symbols::REPEAT, r.linked_12m + 1),
            t.overdue,
        ));
    }
    cats.push(Span::raw(r.categories.join(", ")));
    let (due_text, due_style) = match &r.next_due {
        Some(d) => due_cell(app, d.at, chrono::Duration::minutes(d.warn_minutes as i64)),
        None => ("  —".to_string(), t.muted),
    };
    let status = if app.overdue_ack(r) {
        Span::styled(symbols::UNACK, t.overdue)
    } else if r.status == Status::New && !r.acknowledged {
        Span::styled(symbols::NEW, t.due_soon)
    } else if r.awaiting_signoff {
        Span::styled("sign-off", t.title)
    } else {
        Span::raw(short_status(r.status))
    };
    let mut cells = vec![
        Cell::from(r.reference.as_str()),
        Cell::from(age(r.raised_at, app.now)),
        Cell::from(r.subject_kind.short()),
        Cell::from(Line::from(cats)),
        Cell::from(Span::styled(r.risk.badge(), risk_style)),
        Cell::from(status),
        Cell::from(truncate(
            r.assignee.as_deref().unwrap_or("—"),
            assignee as usize,
        )),
        Cell::from(Line::from(Span::styled(due_text, due_style))),
    ];
    if wide {
        cells.push(Cell::from(
            r.next_due
                .as_ref()
                .map(|d| d.label.clone())
                .unwrap_or_default(),
        ));
    }
    Row::new(cells)
}

/// The banner for escalations nobody has taken in time, oldest first.
fn unacked_line(app: &App) -> Option<String> {
    let late: Vec<&EscalationSummary> = app.unacked.iter().filter(|e| app.overdue_ack(e)).collect();
    if late.is_empty() {
        return None;
    }
    let list: Vec<String> = late
        .iter()
        .map(|e| format!("{} {}", e.reference, age(e.raised_at, app.now)))
        .collect();
    let more = app.unacked_total - late.len() as i64;
    Some(format!(
        " {} UNACKNOWLEDGED: {}{}",
        symbols::OVERDUE,
        list.join(", "),
        if more > 0 && late.len() == app.unacked.len() {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}
