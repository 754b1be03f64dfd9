//! The dashboard: the open-escalations queue and the deadlines panel, the
//! banners above them and the review strip below. Always at the bottom of
//! the stack; everything else opens over it.

use super::alerts::AlertsLayer;
use super::contacts::Contacts;
use super::form::FormLayer;
use super::handover::HandoverLayer;
use super::matches::Matches;
use super::prompt::{Prompt, PromptKind};
use super::record::Record;
use super::reports::Reports;
use super::reviews::Reviews;
use super::verbs::{self, Pending};
use crate::domain::calendar::format_stamp;
use crate::domain::deadline::{Deadline, DeadlineState};
use crate::domain::deadline::{DueStatus, countdown, due_status};
use crate::domain::escalation::{EscalationSummary, Status, age};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::drafts::{Draft, DraftOf};
use crate::tui::forms::{self, FormKind};
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::symbols;
use crate::tui::views::{footer, header, truncate};
use crate::tui::widgets::list::{WINDOW, Window};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// Which list the movement keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Queue,
    Deadlines,
}

/// What to do with a record once it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Show,
    /// Show it with the sign-off (true) or send-back prompt over it.
    Signoff(bool),
}

#[derive(Debug, Default)]
pub struct Dashboard {
    pub queue: Window<EscalationSummary>,
    pub deadlines: Window<Deadline>,
    pub focus: Focus,
    /// Every open alert the user may know of (`store::alerts::open_for`),
    /// as the store last said: the banner names those not acknowledged,
    /// so it is back after a restart for as long as they stay open.
    pub alerts: crate::domain::paging::AlertList,
    /// Alerts put out of the banner's sight with `x` (kind, subject): a new
    /// one brings the banner back.
    pub hidden: crate::domain::paging::Hidden,
    /// The banner's line (its most urgent alert and how many), worked out
    /// when the alerts or the hidden ones change, not at every frame.
    pub banner: Option<crate::domain::paging::BannerHead>,
    /// Unacknowledged escalations: how many, the oldest few.
    pub unacked_total: i64,
    pub unacked: Vec<EscalationSummary>,
    /// The lists are frozen while someone reads; changes wait.
    pub paused: bool,
    /// Another session changed something while paused.
    pub changed_while_paused: bool,
    /// A record asked for, and what to do when it arrives.
    opening: Option<(i64, Then)>,
    pending: Pending,
    /// Drafts from ended sessions left for the next start ("later").
    pub kept: Vec<Draft>,
}

/// The request that loads the first dashboard.
pub fn initial_load() -> Effect {
    Effect::Store(Request::Dashboard {
        offset: 0,
        limit: WINDOW,
        keep: None,
        deadlines_offset: 0,
    })
}

impl Dashboard {
    pub fn new() -> Dashboard {
        Dashboard::default()
    }

    /// Whether an escalation has waited too long for a DSL to take it.
    pub fn overdue_ack(&self, e: &EscalationSummary, ctx: &Ctx) -> bool {
        !e.acknowledged
            && ctx.now - e.raised_at
                >= crate::domain::alert::ack_window(ctx.desk.ack_minutes, e.immediate_risk)
    }

    /// The escalation the verbs act on: the list's selection.
    pub fn target(&self) -> Option<Target> {
        if self.focus != Focus::Queue {
            return None;
        }
        let s = self.queue.selected_row()?;
        Some(Target {
            id: s.id,
            reference: s.reference.clone(),
            version: Some(s.version),
        })
    }

    /// Asks for both lists again, each window placed around its selection,
    /// the queue kept on the selected escalation wherever it now stands.
    fn reload(&mut self) -> Effect {
        let keep = self.anchor();
        self.queue.loading = true;
        self.deadlines.loading = true;
        Effect::Store(Request::Dashboard {
            offset: self.queue.around(),
            limit: WINDOW,
            keep,
            deadlines_offset: self.deadlines.around(),
        })
    }

    /// The escalation the queue's next window is read around (by its place
    /// in the order, not by number: issue 21): the selected one, or, when
    /// the selection has moved past the rows held, the nearest held row.
    /// None at either end of the queue, which is read from that end.
    fn anchor(&self) -> Option<i64> {
        let q = &self.queue;
        if let Some(r) = q.selected_row() {
            return Some(r.id);
        }
        if q.selected <= 0 || q.selected >= q.total - 1 {
            return None;
        }
        let edge = if q.selected >= q.offset {
            q.rows.last()
        } else {
            q.rows.first()
        };
        edge.map(|r| r.id)
    }

    /// Takes the queue's new window. Read around a case (`kept_row`), the
    /// selection follows that case when it was the selection, and keeps its
    /// distance from it otherwise. When the case's place was not counted
    /// (a long queue), the rows are put where the screen had the case (so
    /// nothing jumps) and its place is asked for after this frame.
    fn queue_loaded(&mut self, d: &crate::store::worker::DashboardData) -> Option<Effect> {
        let Some((i, id)) = d
            .kept_row
            .and_then(|i| d.rows.get(i).map(|r| (i as i64, r.id)))
        else {
            self.queue.load(d.total, d.offset, d.rows.clone());
            if let Some(pos) = d.kept_at {
                self.queue.selected = pos.clamp(0, (d.total - 1).max(0));
            }
            return None;
        };
        let follow = self.queue.selected_row().is_some_and(|r| r.id == id);
        let had = if follow {
            Some(self.queue.selected)
        } else {
            self.queue.position_of(|r| r.id == id)
        };
        let selected = self.queue.selected;
        let len = d.rows.len() as i64;
        let start = match d.kept_at {
            Some(at) => at - i,
            // Neither end of the queue is in the window: it starts after the
            // first row and ends before the last.
            None => (had.unwrap_or(d.offset + i) - i).clamp(1, (d.total - len - 1).max(1)),
        };
        self.queue.load(d.total, start, d.rows.clone());
        self.queue.selected = match (follow, had) {
            (true, _) | (false, None) => start + i,
            (false, Some(h)) => selected + (start + i - h),
        }
        .clamp(0, (d.total - 1).max(0));
        if d.kept_at.is_some() {
            return None;
        }
        self.queue.exact = false;
        Some(Effect::Store(Request::Position {
            id,
            near_end: (start + i) * 2 > d.total,
        }))
    }

    fn keep_visible(&mut self, ctx: &Ctx) {
        let (qh, dh) = (list_height(self, ctx), deadlines_height(self, ctx));
        self.queue.scroll_to(qh.into());
        self.deadlines.scroll_to(dh.into());
    }

    fn open(&mut self, id: i64, then: Then) -> Step {
        self.opening = Some((id, then));
        Step::fx(Effect::Store(Request::Detail { id }))
    }

    /// Meet or waive the selected deadline: a prompt.
    fn deadline_prompt(&self, action: &Action, ctx: &Ctx) -> Step {
        if let Err(s) = ctx.may_write("Viewers cannot change deadlines; ask a DSL") {
            return s;
        }
        let Some(d) = self.deadlines.selected_row() else {
            return Step::error("No deadline selected");
        };
        let (id, reference, label) = (d.id, d.reference.clone(), d.label.clone());
        Step::push(Prompt::new(if *action == Action::Meet {
            PromptKind::Meet {
                id,
                reference,
                label,
            }
        } else {
            PromptKind::Waive {
                id,
                reference,
                label,
            }
        }))
    }

    /// A kept draft, reopened where it was typed.
    fn restore(&mut self, d: &Draft, ctx: &Ctx) -> Step {
        let form = |kind: FormKind, mut f: crate::tui::form::Form| {
            f.restore(&d.values);
            Step::push(FormLayer::new(kind, f))
        };
        match &d.of {
            DraftOf::Prompt(kind) => Step::push(Prompt::new(kind.clone()).with_text(d.text())),
            DraftOf::Intake => form(
                FormKind::Intake,
                forms::intake(&ctx.desk.categories, &ctx.desk.staff),
            )
            .and_fx(Effect::Store(Request::Areas)),
            DraftOf::Hold { series, name } => form(
                FormKind::Hold {
                    series: series.clone(),
                    name: name.clone(),
                },
                forms::hold(name),
            ),
            DraftOf::Decision { item, label } => form(
                FormKind::Decision {
                    item: *item,
                    label: label.clone(),
                },
                forms::decision(label, &ctx.desk.staff),
            ),
            DraftOf::Event(t) => form(
                FormKind::Event(t.clone()),
                forms::event(t, &ctx.desk.events),
            ),
            // Built from the record: it is loaded first.
            DraftOf::Close(t)
            | DraftOf::Outcome(t)
            | DraftOf::Called999(t)
            | DraftOf::FgmReport(t) => {
                let kind = match &d.of {
                    DraftOf::Close(_) => FormKind::Close(t.clone()),
                    DraftOf::Outcome(_) => FormKind::Outcome(t.clone()),
                    DraftOf::Called999(_) => FormKind::Called999(t.clone()),
                    _ => FormKind::FgmReport(t.clone()),
                };
                self.pending.draft = Some(d.values.clone());
                verbs::record_form(kind, None, &mut self.pending, ctx)
            }
            DraftOf::Contact(id) => form(FormKind::Contact(*id), forms::contact(None, &[])),
            DraftOf::Refer(t) => {
                self.pending.refer = Some(t.clone());
                self.pending.draft = Some(d.values.clone());
                Step::fx(Effect::Store(Request::ReferOptions { id: t.id }))
            }
            DraftOf::Work(k) => super::workform::restore(k, &d.values, ctx),
            DraftOf::Access(t) => {
                self.pending.access = Some(t.clone());
                self.pending.draft = Some(d.values.clone());
                Step::fx(Effect::Store(Request::AccessLists { id: t.id }))
            }
        }
    }

    /// A mouse click on row `at` of a list: selects it; a second click on
    /// the selected escalation opens it.
    fn click(&mut self, focus: Focus, at: i64) -> Step {
        let again = self.focus == focus
            && match focus {
                Focus::Queue => self.queue.selected == at,
                Focus::Deadlines => self.deadlines.selected == at,
            };
        self.focus = focus;
        if again && focus == Focus::Queue {
            return match self.queue.selected_row() {
                Some(r) => {
                    let id = r.id;
                    self.open(id, Then::Show)
                }
                None => Step::none(),
            };
        }
        let moved = match focus {
            Focus::Queue => self.queue.select(at),
            Focus::Deadlines => self.deadlines.select(at),
        };
        if moved {
            Step::fx(self.reload())
        } else {
            Step::none()
        }
    }
}

impl Layer for Dashboard {
    fn mode(&self) -> Mode {
        match self.focus {
            Focus::Queue => Mode::Dashboard,
            Focus::Deadlines => Mode::Deadlines,
        }
    }

    /// The list holds open cases only: re-opening is offered on a closed
    /// record and in search, not here.
    fn hints(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        all.into_iter().filter(|(_, h)| h != "re-open").collect()
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        let holder = self.queue.selected_row().and_then(|r| r.assignee.clone());
        if let Some(s) = verbs::answer(action, &mut self.pending, ctx) {
            return s;
        }
        if matches!(action, Action::Approve | Action::SendBack)
            && let Some(t) = self.target()
            && ctx.may_write("").is_ok()
        {
            self.opening = Some((t.id, Then::Signoff(*action == Action::Approve)));
        }
        let closed = self
            .queue
            .selected_row()
            .is_some_and(|r| r.status == crate::domain::escalation::Status::Closed);
        if let Some(s) = verbs::on(
            action,
            self.target(),
            holder.as_deref(),
            None,
            closed,
            &mut self.pending,
            ctx,
        ) {
            return s;
        }
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let moved = match self.focus {
                    Focus::Queue => {
                        let page = list_height(self, ctx);
                        self.queue.step(action, page.into())
                    }
                    Focus::Deadlines => {
                        let page = deadlines_height(self, ctx);
                        self.deadlines.step(action, page.into())
                    }
                };
                if moved {
                    return Step::fx(self.reload());
                }
                Step::none()
            }
            Action::Open => {
                let id = match self.focus {
                    Focus::Queue => self.queue.selected_row().map(|r| r.id),
                    Focus::Deadlines => self.deadlines.selected_row().map(|d| d.escalation_id),
                };
                match id {
                    Some(id) => self.open(id, Then::Show),
                    None => Step::none(),
                }
            }
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Queue => Focus::Deadlines,
                    Focus::Deadlines => Focus::Queue,
                };
                Step::none()
            }
            Action::Click { focus, at } => self.click(*focus, *at),
            Action::Meet | Action::Waive => self.deadline_prompt(action, ctx),
            Action::Dismiss => {
                let shown: Vec<_> =
                    crate::domain::paging::in_banner_now(&self.alerts, &self.hidden)
                        .map(|a| (a.kind, a.subject_id))
                        .collect();
                self.hidden.extend(shown);
                self.banner = crate::domain::paging::banner_head(&self.alerts, &self.hidden);
                self.keep_visible(ctx);
                Step::none()
            }
            Action::Intake => {
                if ctx.read_only || ctx.me.role == crate::domain::staff::Role::Viewer {
                    return Step::error("Only DSLs can record escalations here");
                }
                Step::push(FormLayer::new(
                    FormKind::Intake,
                    forms::intake(&ctx.desk.categories, &ctx.desk.staff),
                ))
                .and_fx(Effect::Store(Request::Areas))
            }
            Action::ShowAlerts => AlertsLayer::open(),
            Action::Contacts => Contacts::open(),
            Action::Work(crate::tui::workbench::WorkCmd::Search) => super::search::Search::open(),
            Action::Work(crate::tui::workbench::WorkCmd::Signoffs) => {
                super::signoffs::Signoffs::open()
            }
            Action::Reports => Reports::open(ctx),
            Action::Reviews => Reviews::open(ctx),
            Action::Handover => HandoverLayer::open(),
            Action::Pause => {
                self.paused = !self.paused;
                if !self.paused && self.changed_while_paused {
                    self.changed_while_paused = false;
                    return Step::fx(self.reload()).and_fx(Effect::Store(Request::Reviews));
                }
                Step::none()
            }
            Action::Send(req) => Step::fx(Effect::Store((**req).clone())).and_info("Saving…"),
            Action::Restore(d) => self.restore(d, ctx),
            Action::KeepDrafts(list) => {
                self.kept.extend(list.iter().cloned());
                Step::none()
            }
            // News.
            Action::DashboardLoaded(d) => {
                self.unacked_total = d.unacked_total;
                self.unacked = d.unacked.clone();
                let counting = self.queue_loaded(d);
                self.deadlines
                    .load(d.deadlines_total, d.deadlines_offset, d.deadlines.clone());
                self.keep_visible(ctx);
                if self.queue.missing() || self.deadlines.missing() {
                    return Step::fx(self.reload());
                }
                match counting {
                    Some(fx) => Step::fx(fx),
                    None => Step::none(),
                }
            }
            // The kept case's place, counted after its window was drawn.
            Action::PositionLoaded { id, at } if !self.queue.exact => {
                match (at, self.queue.position_of(|r| r.id == *id)) {
                    (Some(at), Some(shown)) => {
                        self.queue.rebase(at - shown);
                        self.keep_visible(ctx);
                        Step::none()
                    }
                    // No longer in the queue, or no longer held: read again.
                    _ if !self.queue.loading => Step::fx(self.reload()),
                    _ => Step::none(),
                }
            }
            Action::DetailLoaded(d) => match self.opening.take_if(|(id, _)| *id == d.summary.id) {
                Some((_, Then::Show)) => Step::push(Record::new(d.clone())),
                Some((_, Then::Signoff(approve))) => {
                    let mut s = Step::push(Record::new(d.clone()));
                    s.merge(verbs::signoff(d, approve));
                    s.clear_status = s.status.is_none();
                    s
                }
                None => Step::none(),
            },
            Action::Created {
                id,
                reference,
                matches,
                ..
            } => {
                let mut s = Step::fx(self.reload()).and_fx(Effect::Store(Request::Reviews));
                if !matches.is_empty() {
                    s = s.and_push(Matches::new(
                        Target {
                            id: *id,
                            reference: reference.clone(),
                            version: None,
                        },
                        matches.clone(),
                    ));
                }
                s
            }
            // Paused, the lists stay as they are, but not a case the user
            // may no longer see: which of theirs still are is asked at once,
            // and the banner follows as ever.
            Action::Changed if self.paused => {
                self.changed_while_paused = true;
                let mut ids: Vec<i64> = self.queue.rows.iter().map(|e| e.id).collect();
                ids.extend(self.deadlines.rows.iter().map(|d| d.escalation_id));
                ids.extend(self.unacked.iter().map(|e| e.id));
                ids.sort_unstable();
                ids.dedup();
                Step::fx(Effect::Store(Request::VisibleAmong { ids }))
                    .and_fx(Effect::Store(Request::OpenAlerts))
            }
            // Only the paused lists hold rows that are not read again: a
            // running dashboard's reload takes the case off by itself.
            Action::NoLongerVisible(gone) if self.paused && !gone.is_empty() => {
                let queued = self.queue.take_off(|e| gone.contains(&e.id));
                let listed = self.deadlines.take_off(|d| gone.contains(&d.escalation_id));
                self.unacked.retain(|e| !gone.contains(&e.id));
                if queued + listed == 0 {
                    return Step::none();
                }
                // The rest keep their places in the paused list (the counts
                // as of the pause, less those taken off); the reload when
                // resumed brings the present ones.
                self.keep_visible(ctx);
                Step::info("A case on the paused list is no longer yours to see: taken off")
            }
            // The open alerts follow at once too: a case restricted or the
            // user excluded leaves the banner with the list, not up to 10 s
            // later (the side lane's check is incremental: ~1 ms at 1M).
            Action::Changed => Step::fx(self.reload())
                .and_fx(Effect::Store(Request::Reviews))
                .and_fx(Effect::Store(Request::OpenAlerts)),
            // Our own change may have acknowledged alerts: the banner follows
            // at once, as after others' changes.
            Action::Saved(_) => Step::fx(self.reload())
                .and_fx(Effect::Store(Request::Reviews))
                .and_fx(Effect::Store(Request::OpenAlerts)),
            Action::StoreError(_) | Action::Conflict(_) => {
                self.queue.loading = false;
                self.deadlines.loading = false;
                Step::none()
            }
            // Announced once per user (bell, terminal, desktop); the banner
            // follows the open alerts instead, so it outlives a restart.
            Action::Alerts(alerts) if alerts.is_empty() => Step::none(),
            Action::Alerts(alerts) => {
                let s = Step::fx(Effect::Notify(alerts.clone()));
                match crate::domain::alert::summary(alerts) {
                    Some(text) => s.and_info(format!("{text} (! lists the open alerts)")),
                    None => s,
                }
            }
            Action::OpenAlertsLoaded(list) => {
                self.alerts = list.clone();
                // Hidden ones that are no longer open need no remembering.
                if !self.hidden.is_empty() {
                    let open: crate::domain::paging::Hidden =
                        list.iter().map(|a| (a.kind, a.subject_id)).collect();
                    self.hidden.retain(|k| open.contains(k));
                }
                self.banner = crate::domain::paging::banner_head(&self.alerts, &self.hidden);
                self.keep_visible(ctx);
                Step::none()
            }
            Action::Resize(..) => {
                self.keep_visible(ctx);
                Step::none()
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw_dashboard(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn drafts(&self) -> Vec<Draft> {
        self.kept.clone()
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, ctx: &Ctx) -> Option<Action> {
        use crossterm::event::{MouseButton, MouseEventKind};
        match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::Down(MouseButton::Left) => self.clicked(ctx, m.column, m.row),
            _ => None,
        }
    }

    crate::layer_any!();
}

impl Dashboard {
    /// A click on a row of the escalation list or the deadlines panel.
    fn clicked(&self, ctx: &Ctx, column: u16, row: u16) -> Option<Action> {
        let a = areas(self, ctx, Rect::new(0, 0, ctx.width, ctx.height));
        let inside = |r: Rect, skip: u16| {
            column >= r.x && column < r.x + r.width && row >= r.y + skip && row < r.y + r.height
        };
        // The list has its title and column headings above the rows; the
        // deadlines panel its title.
        if inside(a.queue, 2) {
            let at = self.queue.top + i64::from(row - a.queue.y - 2);
            return (at < self.queue.total).then_some(Action::Click {
                focus: Focus::Queue,
                at,
            });
        }
        if inside(a.deadlines, 1) {
            let at = self.deadlines.top + i64::from(row - a.deadlines.y - 1);
            return (at < self.deadlines.total).then_some(Action::Click {
                focus: Focus::Deadlines,
                at,
            });
        }
        None
    }
}

/// Where each part of the dashboard goes. One function, so the paging and
/// the drawing agree on how many rows fit.
pub struct Areas {
    pub header: Rect,
    pub banner: Option<Rect>,
    pub alert: Option<Rect>,
    pub queue: Rect,
    pub deadlines: Rect,
    pub reviews: Option<Rect>,
    pub footer: Rect,
}

pub fn areas(d: &Dashboard, ctx: &Ctx, area: Rect) -> Areas {
    let banner = u16::from(ctx.read_only);
    let alert = u16::from(alert_line(d).is_some()) + u16::from(unacked_line(d, ctx).is_some());
    // The deadlines panel takes two fifths of the body, at least 4 lines.
    let strip = u16::from(!ctx.desk.reviews.is_empty());
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
        banner: ctx.read_only.then_some(banner_area),
        alert: (alert > 0).then_some(alert_area),
        queue,
        deadlines,
        reviews: (strip > 0).then_some(strip_area),
        footer,
    }
}

/// Table rows that fit: the queue area less its title line and column header.
pub fn list_height(d: &Dashboard, ctx: &Ctx) -> u16 {
    let a = areas(d, ctx, Rect::new(0, 0, ctx.width, ctx.height));
    a.queue.height.saturating_sub(2)
}

/// Deadline rows that fit: the panel less its title line.
pub fn deadlines_height(d: &Dashboard, ctx: &Ctx) -> u16 {
    let a = areas(d, ctx, Rect::new(0, 0, ctx.width, ctx.height));
    a.deadlines.height.saturating_sub(1)
}

fn draw_dashboard(d: &Dashboard, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let a = areas(d, ctx, area);
    header(ctx, f, a.header);
    if let Some(b) = a.banner {
        f.render_widget(
            Paragraph::new(" READ-ONLY: this database file is not writable by you; nothing can be changed or opened")
                .style(ctx.theme.banner),
            b,
        );
    }
    if let Some(r) = a.alert {
        let mut lines = Vec::new();
        if let Some(u) = unacked_line(d, ctx) {
            lines.push(Line::from(Span::styled(
                crate::tui::views::spread(
                    &u,
                    &format!(
                        "select it, {} takes it ",
                        ctx.key("dashboard", &Action::Acknowledge)
                    ),
                    r.width,
                ),
                ctx.theme.overdue,
            )));
        }
        if let Some(text) = alert_line(d) {
            lines.push(Line::from(Span::styled(
                crate::tui::views::spread(
                    &text,
                    &format!(
                        "{} lists them, {} hides ",
                        ctx.key("dashboard", &Action::ShowAlerts),
                        ctx.key("dashboard", &Action::Dismiss)
                    ),
                    r.width,
                ),
                ctx.theme.overdue,
            )));
        }
        f.render_widget(Paragraph::new(lines), r);
    }
    queue(d, ctx, f, a.queue);
    deadlines(d, ctx, f, a.deadlines);
    if let Some(r) = a.reviews {
        let today = crate::domain::calendar::local(ctx.now).date_naive();
        let text = ctx
            .desk
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
                .style(ctx.theme.muted),
            r,
        );
    }
    let (total, selected, exact) = match d.focus {
        Focus::Queue => (d.queue.total, d.queue.selected, d.queue.exact),
        Focus::Deadlines => (d.deadlines.total, d.deadlines.selected, true),
    };
    // A place not yet counted shows no number, never a wrong one.
    let pos = match (total > 0, exact) {
        (true, true) => format!("{} of {total} ", selected + 1),
        (true, false) => format!("… of {total} "),
        (false, _) => String::new(),
    };
    footer(ctx, f, a.footer, &pos);
}

/// A deadline's state as a cell: a countdown while open, else met or waived.
pub fn deadline_cell(ctx: &Ctx, d: &Deadline) -> (String, Style) {
    let t = &ctx.theme;
    match &d.state {
        DeadlineState::Met { at, .. } => (
            format!("{} met {}", symbols::MET, format_stamp(*at)),
            t.muted,
        ),
        DeadlineState::Waived { .. } => (format!("{} waived", symbols::WAIVED), t.muted),
        DeadlineState::Open => {
            let (mut text, style) = due_cell(ctx, d.due_at, d.warn());
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
    ctx: &Ctx,
    due: chrono::DateTime<chrono::Utc>,
    warn: chrono::Duration,
) -> (String, Style) {
    let t = &ctx.theme;
    let text = countdown(due, ctx.now);
    match due_status(due, ctx.now, warn) {
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

fn queue(d: &Dashboard, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let q = &d.queue;
    let title = if d.paused {
        format!(
            " ⏸ PAUSED{}: {} open (p resumes) ",
            if d.changed_while_paused {
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
    let focused = d.focus == Focus::Queue;
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
    let height = inner.height.saturating_sub(1) as i64;
    let shown = q.top..(q.top + height).min(q.total);
    let ref_width = crate::tui::views::columns::reference_width(
        shown
            .clone()
            .filter_map(|pos| q.row(pos).map(|r| r.reference.as_str())),
    );
    // A longer reference takes its room from the assignee's name (shortened
    // with "…"), never from the reference itself: the layout would cut it.
    let assignee = assignee_width(area.width).saturating_sub(ref_width - 12);
    let mut widths = vec![
        Constraint::Length(ref_width), // reference
        Constraint::Length(4),         // age
        Constraint::Length(5),         // subject
        Constraint::Min(8),            // categories
        Constraint::Length(6),         // risk
        Constraint::Length(8),         // status
        Constraint::Length(assignee),
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
    let rows: Vec<Row> = shown
        .map(|pos| match q.row(pos) {
            Some(r) => row(d, ctx, r, assignee, wide),
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
fn deadlines(d: &Dashboard, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let w = &d.deadlines;
    let focused = d.focus == Focus::Deadlines;
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
    let shown = w.top..(w.top + height).min(w.total);
    let ref_width = crate::tui::views::columns::reference_width(
        shown
            .clone()
            .filter_map(|pos| w.row(pos).map(|dl| dl.reference.as_str())),
    );
    let rows: Vec<Row> = shown
        .map(|pos| match w.row(pos) {
            Some(dl) => {
                let (due, style) = deadline_cell(ctx, dl);
                Row::new(vec![
                    Cell::from(Span::styled(due, style)),
                    Cell::from(dl.reference.as_str()),
                    Cell::from(dl.label.as_str()),
                    Cell::from(
                        crate::domain::calendar::local(dl.due_at)
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
            Constraint::Length(ref_width),
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

fn row<'a>(
    d: &Dashboard,
    ctx: &Ctx,
    r: &'a EscalationSummary,
    assignee: u16,
    wide: bool,
) -> Row<'a> {
    let t = &ctx.theme;
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
    // Life at risk with no call on the record: the call is what is due now.
    let not_called = r.immediate_risk && !r.emergency_called;
    let (due_text, due_style) = match &r.next_due {
        _ if not_called => (symbols::NOT_CALLED.to_string(), t.overdue),
        Some(n) => due_cell(ctx, n.at, chrono::Duration::minutes(n.warn_minutes as i64)),
        None => ("  —".to_string(), t.muted),
    };
    let status = if d.overdue_ack(r, ctx) {
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
        Cell::from(age(r.raised_at, ctx.now)),
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
        cells.push(match &r.next_due {
            _ if not_called => Cell::from(Span::styled("call 999 now, then record it", t.overdue)),
            Some(n) => Cell::from(n.label.clone()),
            None => Cell::from(""),
        });
    }
    Row::new(cells)
}

/// The banner for open alerts nobody has acknowledged (see
/// [`crate::domain::paging::banner`]): the most urgent first, then how many more.
fn alert_line(d: &Dashboard) -> Option<String> {
    let head = d.banner.as_ref()?;
    let first = &head.first;
    let more = match head.count {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        " {} {}{more}",
        symbols::ALERT,
        crate::domain::paging::phrase(first)
    ))
}

/// The banner for escalations nobody has taken in time, oldest first.
fn unacked_line(d: &Dashboard, ctx: &Ctx) -> Option<String> {
    let late: Vec<&EscalationSummary> =
        d.unacked.iter().filter(|e| d.overdue_ack(e, ctx)).collect();
    if late.is_empty() {
        return None;
    }
    let list: Vec<String> = late
        .iter()
        .map(|e| format!("{} {}", e.reference, age(e.raised_at, ctx.now)))
        .collect();
    let more = d.unacked_total - late.len() as i64;
    Some(format!(
        " {} UNACKNOWLEDGED: {}{}",
        symbols::OVERDUE,
        list.join(", "),
        if more > 0 && late.len() == d.unacked.len() {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}
