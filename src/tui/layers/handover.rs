//! The rota and handover screen: who is on duty now and next, notes left by
//! the outgoing DSL, what is due in the next 24 hours and what changed on
//! the last watch. A DSL whose shift has just begun sees it when dutydesk
//! starts.

use super::confirm::Confirm;
use super::prompt::{Prompt, PromptKind};
use crate::domain::calendar::format_stamp;
use crate::domain::deadline::countdown;
use crate::store::rota::Handover;
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate};
use crate::tui::widgets::list::scrolled;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug, Default)]
pub struct HandoverLayer {
    /// The handover, once loaded.
    pub handover: Option<Handover>,
    /// Lines scrolled.
    pub scroll: usize,
}

impl HandoverLayer {
    /// The screen and its request.
    pub fn open() -> Step {
        Step::push(HandoverLayer::default()).and_fx(Effect::Store(Request::Handover))
    }

    /// The screen with a handover already loaded.
    pub fn with(h: Handover) -> HandoverLayer {
        HandoverLayer {
            handover: Some(h),
            scroll: 0,
        }
    }
}

impl Layer for HandoverLayer {
    fn mode(&self) -> Mode {
        Mode::Handover
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.scroll = scrolled(self.scroll, action, rows(ctx), max_scroll(self, ctx));
                Step::none()
            }
            Action::TakeOver => match ctx.may_write("Viewers do not go on duty; ask a DSL") {
                Err(s) => s,
                Ok(()) => Step::push(Confirm::new(
                    "Go on duty now? Whoever is on duty hands over to you.",
                    Action::Send(Box::new(Request::TakeOver)),
                )),
            },
            Action::HandoverNote => {
                match ctx.may_write("Viewers cannot leave handover notes; ask a DSL") {
                    Err(s) => s,
                    Ok(()) => Step::push(Prompt::new(PromptKind::HandoverNote)),
                }
            }
            Action::Send(req) => Step::fx(Effect::Store((**req).clone())).and_info("Saving…"),
            // The start's handover (side lane) and `H`'s (user lane) may
            // arrive in either order: the newer one stays.
            Action::HandoverLoaded(h) => {
                if self.handover.as_ref().is_none_or(|cur| cur.now <= h.now) {
                    self.handover = Some((**h).clone());
                }
                Step::none()
            }
            Action::Changed | Action::Saved(_) => Step::fx(Effect::Store(Request::Handover)),
            Action::Back => Step::close(),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw_handover(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// Lines that fit in the body, under its title.
pub fn rows(ctx: &Ctx) -> usize {
    let [_, body, _] = areas(Rect::new(0, 0, ctx.width, ctx.height));
    usize::from(body.height.saturating_sub(1)).max(1)
}

/// The furthest the screen scrolls: its last line at the bottom.
fn max_scroll(v: &HandoverLayer, ctx: &Ctx) -> usize {
    lines(v, ctx, usize::from(ctx.width))
        .len()
        .saturating_sub(rows(ctx))
}

/// Every line of the handover, already cut to `width`.
fn lines(v: &HandoverLayer, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let Some(h) = &v.handover else {
        return vec![Line::from(Span::styled(" Loading the handover…", t.muted))];
    };
    let cut = |s: String| truncate(&s, width);
    let mut out = Vec::new();
    let mine = |who: &str| who == ctx.me.username;
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
            cut(format!(
                " Nobody is on duty now: {} takes over",
                ctx.key("handover", &Action::TakeOver)
            )),
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
        cut(format!(" Due in the next 24 hours ({})", h.due_total)),
        t.title,
    )));
    if h.due.is_empty() {
        out.push(Line::from(Span::styled("   nothing", t.muted)));
    }
    for d in &h.due {
        let overdue = d.due_at <= ctx.now;
        out.push(Line::from(Span::styled(
            cut(format!(
                "   {} {:<13} {:<15} {}",
                if overdue { "‼" } else { "◷" },
                d.reference,
                countdown(d.due_at, ctx.now),
                d.label
            )),
            if overdue { t.overdue } else { t.base },
        )));
    }
    // A busy desk's overdue list is long: the first are listed, the rest
    // counted (`store::rota::HANDOVER_DUE`).
    let rest = h.due_total - h.due.len() as i64;
    if rest > 0 {
        out.push(Line::from(Span::styled(
            cut(format!(
                "   … and {rest} more (the dashboard's deadlines panel, or `dutydesk deadlines`, lists every one)"
            )),
            t.muted,
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
            "   {} {reference} {who} · {}: {body}",
            format_stamp(*at),
            crate::domain::escalation::chronology_kind(kind)
        ))));
    }
    out
}

fn draw_handover(v: &HandoverLayer, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, body, foot] = areas(area);
    header(ctx, f, head);
    let all = lines(v, ctx, usize::from(area.width));
    let first = v.scroll.min(all.len().saturating_sub(1));
    let shown: Vec<Line> = all.into_iter().skip(first).take(rows(ctx)).collect();
    f.render_widget(
        Paragraph::new(shown).block(
            Block::new()
                .borders(Borders::TOP)
                .title(Span::styled(" Rota and handover ", t.title)),
        ),
        body,
    );
    footer(ctx, f, foot, "");
}
