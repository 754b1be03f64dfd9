//! The review queue: every series' next meeting with its counts, and the
//! chosen series' agenda. Only the agenda lines on screen are built, so a
//! year of history (thousands of items) draws as fast as a dozen.
//!
//! A meeting is held and its decisions recorded here too (issue 17), as with
//! `dutydesk reviews hold` and `reviews record`, by DSLs and senior leads:
//! `h` holds the shown series' meeting (who attended, then a question: the
//! agenda is kept and the next meeting set); `i` lists the items of its held
//! meetings (the latest first), and Enter records the discussion, decision
//! and any action agreed on the selected one.

use super::form::FormLayer;
use crate::domain::review::{Agenda, when};
use crate::store::reviews::HeldItem;
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::forms::{self, FormKind};
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate};
use crate::tui::widgets::list::{moved, scrolled};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug, Default)]
pub struct Reviews {
    /// The series shown (index into the desk's review series).
    pub series: usize,
    /// That series' whole agenda, once loaded.
    pub agenda: Option<Agenda>,
    /// Agenda lines scrolled.
    pub scroll: usize,
    /// Showing the held meetings' items (to record decisions) instead of
    /// the next agenda.
    pub held_view: bool,
    /// The series' held items, once loaded (`dutydesk reviews items`).
    pub held: Option<Vec<HeldItem>>,
    /// The held item selected.
    pub held_selected: usize,
    /// The code of the series shown, kept when the list is reordered.
    pub shown: Option<String>,
}

impl Reviews {
    /// The screen and the first series' agenda window, which brings that
    /// series' counts with it: the other series' counts are the dashboard
    /// strip's, kept current after every change, so `R` reads one series'
    /// window once (issue 21). Before the strip has loaded, the counts are
    /// asked for and the agenda follows them.
    pub fn open(ctx: &Ctx) -> Step {
        let r = Reviews {
            shown: ctx.desk.reviews.first().map(|s| s.code.clone()),
            ..Reviews::default()
        };
        let s = match r.agenda_request(ctx) {
            Some(fx) => Step::fx(fx),
            None => Step::fx(Effect::Store(Request::Reviews)),
        };
        s.and_push(r)
    }

    fn agenda_request(&self, ctx: &Ctx) -> Option<Effect> {
        ctx.desk.reviews.get(self.series).map(|s| {
            Effect::Store(Request::Agenda {
                series: s.code.clone(),
            })
        })
    }

    fn held_request(&self, ctx: &Ctx) -> Option<Effect> {
        ctx.desk.reviews.get(self.series).map(|s| {
            Effect::Store(Request::HeldItems {
                series: s.code.clone(),
            })
        })
    }

    /// What the pane shown needs after a change or another series.
    fn reload(&self, ctx: &Ctx) -> Step {
        let fx = if self.held_view {
            self.held_request(ctx)
        } else {
            self.agenda_request(ctx)
        };
        fx.map(Step::fx).unwrap_or_default()
    }

    /// Whether this user may hold meetings and record decisions (as the
    /// store's `require_manager`: DSLs and senior leads), or why not.
    fn may_record(ctx: &Ctx) -> Result<(), Step> {
        ctx.may_write("Viewers cannot record review meetings; ask a DSL")?;
        if !ctx.me.role.manages_desk() {
            return Err(Step::error(
                "Only a DSL or a senior lead can hold a review meeting or record its decisions",
            ));
        }
        Ok(())
    }

    /// The furthest the agenda can scroll: its last line at the bottom.
    fn max_scroll(&self, ctx: &Ctx) -> usize {
        self.agenda
            .as_ref()
            .map_or(0, |a| a.total().saturating_sub(agenda_rows(ctx)))
    }

    /// The window to load when the lines on screen are not all loaded
    /// (the agenda is loaded a window at a time: issue 21).
    fn window_request(&self, ctx: &Ctx) -> Option<Effect> {
        let a = self.agenda.as_ref()?;
        let rows = agenda_rows(ctx);
        let last = (self.scroll + rows).min(a.total());
        if self.scroll >= a.first && last <= a.first + a.items.len() {
            return None;
        }
        let window = crate::store::reviews::AGENDA_WINDOW;
        Some(Effect::Store(Request::AgendaAt {
            series: a.code.clone(),
            offset: (self.scroll + rows / 2).saturating_sub(window / 2),
        }))
    }
}

impl Layer for Reviews {
    fn mode(&self) -> Mode {
        Mode::Reviews
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
                if self.held_view =>
            {
                let n = self.held.as_ref().map_or(0, Vec::len);
                self.held_selected = moved(self.held_selected, action, n, agenda_rows(ctx));
                Step::none()
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let page = agenda_rows(ctx);
                self.scroll = scrolled(self.scroll, action, page, self.max_scroll(ctx));
                self.window_request(ctx).map(Step::fx).unwrap_or_default()
            }
            Action::HeldItems => {
                self.held_view = !self.held_view;
                self.reload(ctx)
            }
            Action::HoldMeeting => {
                if let Err(s) = Self::may_record(ctx) {
                    return s;
                }
                match ctx.desk.reviews.get(self.series) {
                    Some(a) => Step::push(FormLayer::new(
                        FormKind::Hold {
                            series: a.code.clone(),
                            name: a.name.clone(),
                        },
                        forms::hold(&a.name),
                    )),
                    None => Step::error("No review series yet: see `dutydesk reviews`"),
                }
            }
            Action::Open if !self.held_view => Step::info(format!(
                "{} lists the held meetings' items; {} on one records its decision",
                ctx.key("reviews", &Action::HeldItems),
                ctx.key("reviews", &Action::Open)
            )),
            Action::Open => {
                if let Err(s) = Self::may_record(ctx) {
                    return s;
                }
                match self.held.as_ref().and_then(|h| h.get(self.held_selected)) {
                    Some((id, date, reference, kind, _)) => {
                        let label = format!(
                            "item {id}: {}{} (meeting of {})",
                            if reference.is_empty() {
                                String::new()
                            } else {
                                format!("{reference}, ")
                            },
                            kind_label(kind),
                            meeting_day(date)
                        );
                        Step::push(FormLayer::new(
                            FormKind::Decision {
                                item: *id,
                                label: label.clone(),
                            },
                            forms::decision(&label, &ctx.desk.staff),
                        ))
                    }
                    None => Step::info("No held item selected: h holds a meeting first"),
                }
            }
            Action::HeldItemsLoaded(series, items) => {
                if ctx.desk.reviews.get(self.series).map(|s| &s.code) == Some(series) {
                    self.held = Some(items.clone());
                    self.held_selected = self.held_selected.min(items.len().saturating_sub(1));
                }
                Step::none()
            }
            Action::NextSeries | Action::PreviousSeries => {
                let n = ctx.desk.reviews.len();
                if n == 0 {
                    return Step::none();
                }
                self.series = if *action == Action::NextSeries {
                    (self.series + 1) % n
                } else {
                    (self.series + n - 1) % n
                };
                self.agenda = None;
                self.scroll = 0;
                self.held = None;
                self.held_selected = 0;
                self.shown = ctx.desk.reviews.get(self.series).map(|s| s.code.clone());
                self.reload(ctx)
            }
            Action::ReviewsLoaded(r) => {
                // Series come in order of their next meeting, which holding
                // one changes: stay on the series shown.
                if let Some(at) = self
                    .shown
                    .as_ref()
                    .and_then(|code| r.iter().position(|s| &s.code == code))
                {
                    self.series = at;
                }
                self.series = self.series.min(r.len().saturating_sub(1));
                self.shown = r.get(self.series).map(|s| s.code.clone());
                let first = self.agenda.is_none() && !self.held_view;
                // The desk's list is updated before layers hear of it.
                match (first, r.get(self.series)) {
                    (true, Some(s)) => Step::fx(Effect::Store(Request::Agenda {
                        series: s.code.clone(),
                    })),
                    _ => Step::none(),
                }
            }
            Action::AgendaLoaded(a) => {
                // A late answer for a series no longer shown is dropped.
                if ctx.desk.reviews.get(self.series).map(|s| &s.code) == Some(&a.code) {
                    self.agenda = Some((**a).clone());
                    self.scroll = self.scroll.min(self.max_scroll(ctx));
                    // Scrolled on while it loaded: the window for where it is.
                    return self.window_request(ctx).map(Step::fx).unwrap_or_default();
                }
                Step::none()
            }
            Action::Changed | Action::Saved(_) => self.reload(ctx),
            Action::Back => Step::close(),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw_reviews(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

/// Header, series list, agenda (title, items, hint) and footer.
fn areas(ctx: &Ctx, area: Rect) -> [Rect; 5] {
    let series = ctx.desk.reviews.len().max(1) as u16;
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
pub fn agenda_rows(ctx: &Ctx) -> usize {
    let [_, _, items, _, _] = areas(ctx, Rect::new(0, 0, ctx.width, ctx.height));
    usize::from(items.height.saturating_sub(1)).max(1)
}

fn draw_reviews(v: &Reviews, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, list, items, hint, foot] = areas(ctx, area);
    header(ctx, f, head);
    let width = usize::from(area.width);
    let today = crate::domain::calendar::local(ctx.now).date_naive();

    let mut lines: Vec<Line> = ctx
        .desk
        .reviews
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let chosen = i == v.series;
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
    if let Some(a) = ctx.desk.reviews.get(v.series) {
        lines.push(Line::from(Span::styled(
            truncate(&format!("  {}", counts(a)), width),
            t.muted,
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::TOP)
                .title(Span::styled(" Review queue ", t.title)),
        ),
        list,
    );

    let rows = agenda_rows(ctx);
    let mut lines = Vec::with_capacity(rows + 1);
    let title = if v.held_view {
        held_lines(v, ctx, rows, width, &mut lines)
    } else {
        match &v.agenda {
            Some(a) if a.total() > 0 => {
                let first = v.scroll.min(a.total() - 1);
                let last = (first + rows).min(a.total());
                for at in first..last {
                    // Only the loaded window is built; a line past it shows
                    // that its window is on its way.
                    match at.checked_sub(a.first).and_then(|i| a.items.get(i)) {
                        Some(i) => {
                            let text = format!(
                                "  {:<13} {:<26} {}",
                                i.reference,
                                i.kind.label(),
                                i.detail
                            );
                            lines.push(Line::from(truncate(&text, width)));
                        }
                        None => lines.push(Line::from(Span::styled("  …", t.muted))),
                    }
                }
                format!(" Agenda: items {}–{} of {} ", first + 1, last, a.total())
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
    let key = |a: Action| ctx.key("reviews", &a);
    let say = if v.held_view {
        format!(
            " {} records the discussion, decision and any action on the selected item; {} shows the next agenda again.",
            key(Action::Open),
            key(Action::HeldItems)
        )
    } else {
        format!(
            " {} holds this meeting now (the agenda is kept); {} lists held items to record decisions; {} on an escalation adds it.",
            key(Action::HoldMeeting),
            key(Action::HeldItems),
            ctx.key("verbs", &Action::AddToReview)
        )
    };
    f.render_widget(
        Paragraph::new(Span::styled(truncate(&say, width), t.muted)),
        hint,
    );
    footer(ctx, f, foot, "");
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

/// The held meetings' items, the selected one marked; returns the title.
fn held_lines(
    v: &Reviews,
    ctx: &Ctx,
    rows: usize,
    width: usize,
    lines: &mut Vec<Line<'static>>,
) -> String {
    let t = &ctx.theme;
    match &v.held {
        None => {
            lines.push(Line::from(Span::styled(
                "  Loading the held items…",
                t.muted,
            )));
            " Held meetings' items ".to_string()
        }
        Some(items) if items.is_empty() => {
            lines.push(Line::from(Span::styled(
                "  No meeting of this series has been held yet: h holds the next one.",
                t.muted,
            )));
            " Held meetings' items ".to_string()
        }
        Some(items) => {
            let sel = v.held_selected.min(items.len() - 1);
            let first = sel.saturating_sub(rows.saturating_sub(1));
            let last = (first + rows).min(items.len());
            for (i, (id, date, reference, kind, done)) in
                items.iter().enumerate().take(last).skip(first)
            {
                let text = format!(
                    "{} {id:>5}  {:<11}  {:<13} {:<26} {}",
                    if i == sel { "▶" } else { " " },
                    meeting_day(date),
                    if reference.is_empty() {
                        "—"
                    } else {
                        reference
                    },
                    kind_label(kind),
                    if *done {
                        "✓ decision recorded"
                    } else {
                        "no decision yet"
                    }
                );
                let style = if i == sel { t.selected } else { t.base };
                lines.push(Line::from(Span::styled(truncate(&text, width), style)));
            }
            format!(
                " Held meetings' items {}–{} of {} (the latest meetings first) ",
                first + 1,
                last,
                items.len()
            )
        }
    }
}

/// An item kind's words ("closed", "referral with no outcome"), from its code.
fn kind_label(code: &str) -> String {
    crate::domain::review::ItemKind::from_code(code)
        .map_or_else(|| code.replace('_', " "), |k| k.label().to_string())
}

/// A meeting's date as people read it: "11 Dec 2026" (stored `YYYY-MM-DD`).
fn meeting_day(date: &str) -> String {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| date.to_string())
}
