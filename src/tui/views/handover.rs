//! The rota and handover screen: who is on duty now and next, notes left by
//! the outgoing DSL, what is due in the next 24 hours and what changed on the
//! last watch. A DSL whose shift has just begun sees it when dutydesk starts.

use super::{footer, header, truncate};
use crate::domain::calendar::format_stamp;
use crate::domain::deadline::countdown;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// Lines that fit in the body, under its title.
pub fn rows(app: &App) -> usize {
    let [_, body, _] = areas(Rect::new(0, 0, app.width, app.height));
    usize::from(body.height.saturating_sub(1)).max(1)
}

/// The furthest the screen scrolls: its last line at the bottom.
pub fn max_scroll(app: &App) -> usize {
    lines(app, usize::from(app.width))
        .len()
        .saturating_sub(rows(app))
}

/// Every line of the handover, already cut to `width`.
fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(h) = &app.handover else {
        return vec![Line::from(Span::styled(" Loading the handover…", t.muted))];
    };
    let cut = |s: String| truncate(&s, width);
    let mut out = Vec::new();
    let mine = |who: &str| who == app.me.username;
    match &h.current {
        Some(s) => out.push(Line::from(Span::styled(
            cut(format!(
                " On duty now: {}{} until {}",
                s.who,
                if mine(&s.username) { " (you)" } else { "" },
                format_stamp(s.ends_at)
            )),
            t.title,
        ))),
        None => out.push(Line::from(Span::styled(
            cut(" Nobody is on duty now: T takes over".into()),
            t.overdue,
        ))),
    }
    out.push(Line::from(cut(match &h.next {
        Some(s) => format!(
            " Next: {}{} from {} to {}",
            s.who,
            if mine(&s.username) { " (you)" } else { "" },
            format_stamp(s.starts_at),
            format_stamp(s.ends_at)
        ),
        None => " Next: nobody on the rota yet (`dutydesk rota add`)".into(),
    })));
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        cut(format!(" Handover notes ({})", h.notes.len())),
        t.title,
    )));
    if h.notes.is_empty() {
        out.push(Line::from(Span::styled("   none (N leaves one)", t.muted)));
    }
    for (at, who, body) in &h.notes {
        out.push(Line::from(cut(format!(
            "   {} {who}: {}",
            format_stamp(*at),
            body.replace('\n', " ")
        ))));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        cut(format!(" Due in the next 24 hours ({})", h.due.len())),
        t.title,
    )));
    if h.due.is_empty() {
        out.push(Line::from(Span::styled("   nothing", t.muted)));
    }
    for d in &h.due {
        let overdue = d.due_at <= app.now;
        out.push(Line::from(Span::styled(
            cut(format!(
                "   {} {:<13} {:<15} {}",
                if overdue { "‼" } else { "◷" },
                d.reference,
                countdown(d.due_at, app.now),
                d.label
            )),
            if overdue { t.overdue } else { t.base },
        )));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        cut(format!(
            " What changed since {} ({})",
            format_stamp(h.since),
            h.changes.len()
        )),
        t.title,
    )));
    if h.changes.is_empty() {
        out.push(Line::from(Span::styled("   nothing", t.muted)));
    }
    for (at, reference, who, kind, body) in &h.changes {
        out.push(Line::from(cut(format!(
            "   {} {reference} {who} · {kind}: {body}",
            format_stamp(*at)
        ))));
    }
    out
}

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let [head, body, foot] = areas(area);
    header(app, f, head);
    let all = lines(app, usize::from(area.width));
    let first = app.handover_scroll.min(all.len().saturating_sub(1));
    let shown: Vec<Line> = all.into_iter().skip(first).take(rows(app)).collect();
    f.render_widget(
        Paragraph::new(shown).block(Block::new().borders(Borders::TOP).title(Span::styled(
            " Rota and handover (T take over, N note, Esc back) ",
            t.title,
        ))),
        body,
    );
    footer(app, f, foot, "");
}
