//! A person's chronology (issue 18): `h` on a record merges every case
//! linked to it about the same person, entries in time order with each
//! one's reference; only cases you may see. Opening it audits a view of each
//! case; it follows other sessions' changes, reloading only when one of its
//! cases changed.

use crate::domain::casework::PersonChronology;
use crate::store::workbench::{WorkReply, WorkRequest};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate, wrap};
use crate::tui::widgets::list::scrolled;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug)]
pub struct Person {
    pub from: Target,
    pub data: Option<PersonChronology>,
    pub scroll: usize,
}

impl Person {
    pub fn open(from: Target) -> Step {
        let id = from.id;
        Step::push(Person {
            from,
            data: None,
            scroll: 0,
        })
        .and_fx(Effect::Store(Request::Work(WorkRequest::Person { id })))
    }
}

fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// Every line of the chronology at `width`.
pub fn lines(p: &Person, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let mut out = Vec::new();
    let Some(d) = &p.data else {
        out.push(Line::from(Span::styled("Loading…", t.muted)));
        return out;
    };
    let name = d
        .cases
        .iter()
        .find_map(|c| c.subject_name.clone())
        .unwrap_or_else(|| "(hidden)".into());
    out.push(Line::from(Span::styled(
        truncate(
            &format!(
                "{} linked case(s) about {name}, oldest first (only cases you may see):",
                d.cases.len()
            ),
            width,
        ),
        t.title,
    )));
    for c in &d.cases {
        let mut s = crate::store::person::case_line(c);
        if c.restricted {
            s = format!("{} {s}", crate::tui::views::symbols::RESTRICTED);
        }
        out.push(Line::from(truncate(&format!("  {s}"), width)));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!("Chronology ({} entries, all cases)", d.entries.len()),
        t.title,
    )));
    for e in &d.entries {
        out.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "  {}  {}  {} · {}",
                    crate::domain::calendar::format_stamp(e.entry.at),
                    e.reference,
                    e.entry.author,
                    crate::domain::escalation::chronology_kind(&e.entry.kind)
                ),
                width,
            ),
            t.muted,
        )));
        for l in wrap(&e.entry.body, width.saturating_sub(4)) {
            out.push(Line::from(format!("    {l}")));
        }
    }
    out
}

fn page(ctx: &Ctx) -> usize {
    let [_, body, _] = areas(Rect::new(0, 0, ctx.width, ctx.height));
    usize::from(body.height.saturating_sub(2)).max(1)
}

impl Layer for Person {
    fn mode(&self) -> Mode {
        Mode::Person
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let n = lines(self, ctx, usize::from(ctx.width.saturating_sub(2))).len();
                let max = n.saturating_sub(page(ctx));
                self.scroll = scrolled(self.scroll, action, page(ctx), max);
                Step::none()
            }
            Action::Back => Step::close(),
            Action::WorkLoaded(w) => {
                if let WorkReply::Person(p) = &**w
                    && self.data.as_ref().is_none_or(|d| d.from == p.from)
                    && (self.data.is_some() || p.from == self.from.reference)
                {
                    self.data = Some(p.clone());
                }
                Step::none()
            }
            Action::Hidden(id) if *id == self.from.id => {
                Step::withdraw("The chronology is no longer a case you may see: closed")
            }
            Action::Changed | Action::Saved(_) => match &self.data {
                Some(d) => Step::fx(Effect::Store(Request::Work(WorkRequest::PersonRefresh {
                    id: self.from.id,
                    stamp: d.stamp,
                }))),
                None => Step::none(),
            },
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let [head, body, foot] = areas(area);
        header(ctx, f, head);
        let block = Block::new().borders(Borders::ALL).title(Span::styled(
            format!(" Person's chronology · from {} ", self.from.reference),
            ctx.theme.title,
        ));
        let inner = block.inner(body);
        let all = lines(self, ctx, usize::from(inner.width));
        let max = all.len().saturating_sub(usize::from(inner.height));
        let scroll = self.scroll.min(max);
        f.render_widget(
            Paragraph::new(all)
                .block(block)
                .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
            body,
        );
        let pos = (scroll * 100)
            .checked_div(max)
            .map(|p| format!("{p}% "))
            .unwrap_or_default();
        footer(ctx, f, foot, &pos);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}
