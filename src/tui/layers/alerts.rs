//! The alerts screen (issue 19): every open alert of the desk the user may
//! know of (`store::alerts::open_for`, need-to-know applied there), beyond
//! the few the banner names: what it is, on which case, the case's risk, how
//! long it has been open and whether someone has acknowledged it. Enter
//! opens the case; `A` acknowledges its alerts, which stops them for
//! everyone without taking the case from its holder.

use super::handover::HandoverLayer;
use super::record::Record;
use crate::domain::calendar::format_stamp;
use crate::domain::paging::{DeskAlert, Kind, format_age};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, symbols, truncate};
use crate::tui::widgets::list::moved;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// The alerts screen's state: the list as the store last answered it and
/// the selection (kept on the same alert when the list changes).
#[derive(Debug, Default)]
pub struct AlertsLayer {
    /// The open alerts, as the store last answered (most urgent first).
    pub list: crate::domain::paging::AlertList,
    pub loaded: bool,
    pub selected: usize,
    /// A case asked for with Enter; its record opens when it arrives.
    opening: Option<i64>,
    /// The alert acknowledged here last: when it comes back acknowledged,
    /// the selection stays where it was (on the next one to work).
    acked: Option<(Kind, i64)>,
}

impl AlertsLayer {
    /// The screen and its request.
    pub fn open() -> Step {
        Step::push(AlertsLayer::default()).and_fx(Effect::Store(Request::OpenAlerts))
    }

    fn selected(&self) -> Option<&DeskAlert> {
        self.list.get(self.selected)
    }

    /// `A` on the selected alert: its case's alerts (or "nobody on duty")
    /// acknowledged, or why not.
    fn acknowledge(&mut self, ctx: &Ctx) -> Step {
        self.acked = self.selected().map(|a| (a.kind, a.subject_id));
        if let Err(s) = ctx.may_write("Viewers cannot acknowledge alerts; ask a DSL") {
            return s;
        }
        let Some(a) = self.selected() else {
            return Step::error("No alert selected");
        };
        // Said as the list says it ("nobody has taken the case"), never
        // "Already acknowledged: … not acknowledged".
        let what = match &a.reference {
            Some(r) => format!("{r}: {}", a.kind.listed()),
            None => a.kind.listed().to_string(),
        };
        if a.acknowledged {
            return Step::info(format!(
                "Already acknowledged: {what}. Its alerts have stopped"
            ));
        }
        match a.kind {
            Kind::Assigned | Kind::Taken | Kind::ShiftStart => Step::error(format!(
                "Nothing to acknowledge: \"{what}\" is news for you alone and ends by itself; Enter opens it"
            )),
            Kind::NobodyOnDuty => Step::fx(Effect::Store(Request::AcknowledgeAlerts { id: None }))
                .and_info("Acknowledging \"nobody on duty\"… (someone still needs to take over: H, then T)"),
            _ => match a.escalation_id {
                Some(id) => Step::fx(Effect::Store(Request::AcknowledgeAlerts { id: Some(id) }))
                    .and_info(format!("Acknowledging the alerts on {}…", a.reference.as_deref().unwrap_or("the case"))),
                None => Step::error("This alert is not about a case"),
            },
        }
    }

    fn rows(ctx: &Ctx) -> usize {
        usize::from(
            body(Rect::new(0, 0, ctx.width, ctx.height))
                .height
                .saturating_sub(2),
        )
        .max(1)
    }
}

impl Layer for AlertsLayer {
    fn mode(&self) -> Mode {
        Mode::Alerts
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                self.selected = moved(self.selected, action, self.list.len(), Self::rows(ctx));
                Step::none()
            }
            Action::Open => match self.selected() {
                Some(a) => match a.escalation_id {
                    Some(id) => {
                        self.opening = Some(id);
                        Step::fx(Effect::Store(Request::Detail { id }))
                    }
                    // Nobody on duty, a shift starting: the rota.
                    None => HandoverLayer::open(),
                },
                None => Step::none(),
            },
            Action::Acknowledge => self.acknowledge(ctx),
            Action::Back => Step::close(),
            // News.
            Action::OpenAlertsLoaded(list) => {
                // The selection stays on the same alert wherever it moved.
                let keep = self
                    .selected()
                    .map(|a| (a.kind, a.subject_id))
                    .filter(|k| Some(*k) != self.acked);
                self.list = list.clone();
                self.loaded = true;
                self.selected = keep
                    .and_then(|k| self.list.iter().position(|a| (a.kind, a.subject_id) == k))
                    .unwrap_or(self.selected)
                    .min(self.list.len().saturating_sub(1));
                if self.acked.is_some_and(|k| {
                    self.list
                        .iter()
                        .any(|a| (a.kind, a.subject_id) == k && a.acknowledged)
                }) {
                    self.acked = None;
                }
                Step::none()
            }
            Action::DetailLoaded(d) if self.opening == Some(d.summary.id) => {
                self.opening = None;
                Step::push(Record::new(d.clone()))
            }
            Action::StoreError(_) => {
                self.opening = None;
                self.acked = None;
                Step::none()
            }
            // Our own acknowledgement, or another session's change.
            Action::Changed | Action::Saved(_) => Step::fx(Effect::Store(Request::OpenAlerts)),
            Action::Send(req) => Step::fx(Effect::Store((**req).clone())).and_info("Saving…"),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

/// The list's area: below the header and the sentence, above the footer.
fn body(area: Rect) -> Rect {
    let [_, _, b, _] = parts(area);
    b
}

fn parts(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// The risk of the case an alert is about, as a mark that needs no colour.
fn risk(a: &DeskAlert) -> String {
    match (a.immediate_risk, a.risk) {
        (true, _) => symbols::IMMEDIATE.to_string(),
        (false, Some(r)) => r.badge().to_string(),
        (false, None) => "—".into(),
    }
}

fn draw(l: &AlertsLayer, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, about, list, foot] = parts(area);
    header(ctx, f, head);
    f.render_widget(
        Paragraph::new(truncate(
            &format!(
                " {} acknowledges an alert: it stops for everyone, and the case stays put.",
                ctx.key("alerts", &Action::Acknowledge)
            ),
            usize::from(about.width),
        ))
        .style(t.muted),
        about,
    );
    let open = l.list.iter().filter(|a| !a.acknowledged).count();
    let title = if l.loaded {
        format!(" Alerts: {} open, {open} still escalating ", l.list.len())
    } else {
        " Alerts: loading… ".to_string()
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, t.title));
    let inner = block.inner(list);
    f.render_widget(block, list);
    if l.loaded && l.list.is_empty() {
        f.render_widget(
            Paragraph::new("No open alerts. Nothing is waiting for an acknowledgement.")
                .style(t.muted),
            inner,
        );
    } else {
        let wide = area.width >= 120;
        let rows_fit = usize::from(inner.height.saturating_sub(1)).max(1);
        let top = l.selected.saturating_sub(rows_fit - 1);
        let ref_width = crate::tui::views::columns::reference_width(
            l.list
                .iter()
                .skip(top)
                .take(rows_fit)
                .filter_map(|a| a.reference.as_deref()),
        );
        let mut widths = vec![
            Constraint::Length(14),        // state
            Constraint::Length(ref_width), // reference
            Constraint::Length(6),         // risk
            Constraint::Length(7),         // age
            Constraint::Min(12),           // what
        ];
        let mut head = vec!["State", "Case", "Risk", "Age", "Alert"];
        if wide {
            widths.push(Constraint::Length(16));
            head.push("Due");
            widths.push(Constraint::Length(17));
            head.push("Since");
        }
        let rows: Vec<Row> = l
            .list
            .iter()
            .skip(top)
            .take(rows_fit)
            .map(|a| {
                // Acknowledged: its alerts stopped for everyone (the case
                // itself may still be waiting, as its alert column says).
                let (state, style) = if a.acknowledged {
                    (format!("{} stopped", symbols::MET), t.muted)
                } else {
                    (format!("{} escalating", symbols::OVERDUE), t.overdue)
                };
                let what = match &a.rule {
                    Some(rule) => format!("{}: {rule}", a.what()),
                    None => a.what(),
                };
                let due = match (a.kind, a.due_at) {
                    (Kind::Overdue | Kind::DueSoon, Some(due)) => {
                        crate::domain::calendar::local(due)
                            .format("%a %d %b %H:%M")
                            .to_string()
                    }
                    _ => String::new(),
                };
                let mut cells = vec![
                    Cell::from(Span::styled(state, style)),
                    Cell::from(a.reference.as_deref().unwrap_or("—").to_string()),
                    Cell::from(risk(a)),
                    Cell::from(format_age(a.age_minutes(ctx.now))),
                    Cell::from(what),
                ];
                if wide {
                    cells.push(Cell::from(due));
                    cells.push(Cell::from(format_stamp(a.started_at)));
                }
                Row::new(cells)
            })
            .collect();
        let mut state = TableState::default();
        if !l.list.is_empty() {
            state.select(Some(l.selected - top));
        }
        let table = Table::new(rows, widths)
            .header(Row::new(head).style(t.title))
            .column_spacing(1)
            .row_highlight_style(t.selected)
            .highlight_symbol("▶ ")
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
        f.render_stateful_widget(table, inner, &mut state);
    }
    let pos = if l.list.is_empty() {
        String::new()
    } else {
        format!("{} of {} ", l.selected + 1, l.list.len())
    };
    footer(ctx, f, foot, &pos);
}
