//! The reports screen: a period's headline figures against the previous
//! calendar period of the same kind, timeliness and adult concern to s42
//! conversion, one table at a time (category, subject, ..., timeliness by
//! rule) and the monthly trend, month by month.
//!
//! What is shown is the published report ([`Report::publish`]), as `dutydesk
//! report` writes it: counts from 1 to 4 are hidden as `[c]`, with the
//! further counts a hidden one could be worked out from, and no change,
//! percentage or median built on them. A screen is shown in meetings and
//! photographed into reports, so that is how it opens; `s` shows the exact
//! counts for the DSL's own work, and says so.
//!
//! Periods are whole months: it opens on the last 12 full months (the annual
//! report's shape) or, when they hold no concern, the 12 months to today;
//! `[` and `]` move by the period's length and never past today (a period
//! still running ends today and says so).

use crate::domain::calendar::local;
use crate::domain::report::{Cell, Published, Report};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header, truncate};
use chrono::{Datelike, Months, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Counts from 1 to this less one are hidden while suppression is on (the
/// usual threshold of published safeguarding statistics).
pub const SUPPRESS_UNDER: u32 = 5;

/// How many months the screen opens on: a year, as the annual report.
const OPEN_MONTHS: u32 = 12;

#[derive(Debug)]
pub struct Reports {
    /// The period's first day (the 1st of a month) and its length in months.
    pub from: NaiveDate,
    pub months: u32,
    /// Its last day: the month's end, or today while it is still running.
    pub to: NaiveDate,
    pub report: Option<Box<Report>>,
    /// The report as shown: published, with or without suppression.
    pub published: Option<Published>,
    /// Counts under this are hidden; `None` shows exact counts.
    pub suppress: Option<u32>,
    /// Which table (the last is timeliness by rule).
    pub table: usize,
    /// Rows of the table scrolled.
    pub scroll: usize,
    /// The first answer is still to come: if the period holds no concern,
    /// the screen moves once to the period running today.
    first: bool,
}

/// The last day of a period of `months` months from `from`, never after `today`.
fn period_end(from: NaiveDate, months: u32, today: NaiveDate) -> NaiveDate {
    let end = from
        .checked_add_months(Months::new(months))
        .map(|d| d - chrono::Duration::days(1))
        .unwrap_or(from);
    end.min(today)
}

impl Reports {
    /// The last 12 full months, and its request.
    pub fn open(ctx: &Ctx) -> Step {
        let today = local(ctx.now).date_naive();
        let this_month = today.with_day(1).unwrap_or(today);
        let from = this_month
            .checked_sub_months(Months::new(OPEN_MONTHS))
            .unwrap_or(this_month);
        let mut r = Reports {
            from,
            months: OPEN_MONTHS,
            to: from,
            report: None,
            published: None,
            suppress: Some(SUPPRESS_UNDER),
            table: 0,
            scroll: 0,
            first: true,
        };
        let fx = r.request(today);
        Step::push(r).and_fx(fx)
    }

    /// Asks for the period as it stands (its end clipped to today).
    fn request(&mut self, today: NaiveDate) -> Effect {
        self.to = period_end(self.from, self.months, today);
        Effect::Store(Request::Report {
            from: self.from,
            to: self.to,
        })
    }

    fn publish(&mut self) {
        self.published = self.report.as_ref().map(|r| {
            let r = (**r).clone();
            match self.suppress {
                Some(u) => r.suppress(u).publish(),
                None => r.publish(),
            }
        });
    }

    /// How many tables there are: the report's, then timeliness by rule.
    fn tables(&self) -> usize {
        self.published.as_ref().map_or(1, |p| p.tables.len() + 1)
    }

    fn table_rows(&self) -> usize {
        match &self.published {
            Some(p) if self.table < p.tables.len() => p.tables[self.table].rows.len(),
            Some(p) => p.timeliness.len(),
            None => 0,
        }
    }
}

impl Layer for Reports {
    fn mode(&self) -> Mode {
        Mode::Reports
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        let today = local(ctx.now).date_naive();
        match action {
            Action::PeriodBack => {
                self.from = self
                    .from
                    .checked_sub_months(Months::new(self.months))
                    .unwrap_or(self.from);
                self.first = false;
                Step::fx(self.request(today))
            }
            Action::PeriodForward => {
                let next = self
                    .from
                    .checked_add_months(Months::new(self.months))
                    .unwrap_or(self.from);
                if next > today {
                    return Step::info(
                        "This is the latest period: the next has not begun (reports never reach past today)",
                    );
                }
                self.from = next;
                self.first = false;
                Step::fx(self.request(today))
            }
            Action::NextTable => {
                self.table = (self.table + 1) % self.tables();
                self.scroll = 0;
                Step::none()
            }
            Action::ToggleSuppression => {
                self.suppress = match self.suppress {
                    Some(_) => None,
                    None => Some(SUPPRESS_UNDER),
                };
                self.publish();
                Step::info(match self.suppress {
                    Some(u) => format!("Counts from 1 to {} hidden as [c], as published", u - 1),
                    None => "Exact counts shown: for your own work, not to share".to_string(),
                })
            }
            Action::Up | Action::Down => {
                let max = self.table_rows().saturating_sub(1);
                self.scroll = if *action == Action::Up {
                    self.scroll.saturating_sub(1)
                } else {
                    (self.scroll + 1).min(max)
                };
                Step::none()
            }
            Action::ReportLoaded(r) => {
                // A late answer for a period no longer shown is dropped.
                if (r.from, r.to) != (self.from, self.to) {
                    return Step::none();
                }
                let empty = r.total == 0;
                self.report = Some(r.clone());
                self.publish();
                self.scroll = self.scroll.min(self.table_rows().saturating_sub(1));
                if std::mem::take(&mut self.first) && empty {
                    // Nothing in the last full months: the period running today.
                    let this_month = today.with_day(1).unwrap_or(today);
                    let from = this_month
                        .checked_sub_months(Months::new(self.months - 1))
                        .unwrap_or(this_month);
                    if from != self.from {
                        self.from = from;
                        return Step::fx(self.request(today));
                    }
                }
                Step::none()
            }
            Action::Back => Step::close(),
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw_reports(self, ctx, f, area);
    }

    fn opaque(&self) -> bool {
        true
    }

    crate::layer_any!();
}

/// "1 Dec 2025".
fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A change in per cent, or a dash where there is none to give.
fn change(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.0}%")).unwrap_or_else(|| "-".into())
}

fn figure(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{x:.1}{unit}"))
        .unwrap_or_else(|| "n/a".into())
}

fn draw_reports(r0: &Reports, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let width = usize::from(area.width);
    // The scope sentence wraps rather than lose its end on a narrow screen.
    let scope = r0
        .published
        .as_ref()
        .map(|p| crate::tui::views::wrap(&p.scope, width.saturating_sub(1).max(1)))
        .unwrap_or_default();
    let [head, summary, table, trend, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(4 + scope.len().max(1) as u16),
        Constraint::Min(5),
        Constraint::Length(3),
        Constraint::Length(2),
    ])
    .areas(area);
    header(ctx, f, head);
    footer(ctx, f, foot, "");
    let Some(p) = &r0.published else {
        f.render_widget(Paragraph::new(" Counting…").style(t.muted), summary);
        return;
    };
    let today = local(ctx.now).date_naive();
    let running = p.to == today && r0.to == today;
    let c = &p.conversion;
    let mut lines = vec![
        Line::from(Span::styled(
            truncate(
                &format!(
                    " A {}{}, {} – {}, against {} – {}",
                    p.kind,
                    if running { " to date" } else { "" },
                    day(p.from),
                    day(p.to),
                    day(p.before_from),
                    day(p.before_to),
                ),
                width,
            ),
            t.title,
        )),
        Line::from(truncate(
            &format!(
                " Concerns raised {} (before {}, {}) · led to a referral {}",
                p.total,
                p.total_before,
                change(p.total_change),
                figure(p.referred_share, "%"),
            ),
            width,
        )),
        Line::from(truncate(
            &format!(
                " Deadlines met on time {} · median hours to assignment {}, to referral {}",
                figure(p.deadlines_on_time, "%"),
                figure(p.median_hours_to_assign, ""),
                figure(p.median_hours_to_refer, ""),
            ),
            width,
        )),
        Line::from(truncate(
            &format!(
                " Adult concerns {} (before {}) → s42 enquiries {} (before {}): conversion {} · to adult safeguarding {}",
                c.adult_concerns,
                c.adult_concerns_before,
                c.s42_enquiries,
                c.s42_enquiries_before,
                figure(c.conversion_percent, "%"),
                c.referred_to_adults,
            ),
            width,
        )),
    ];
    for row in scope {
        lines.push(Line::from(Span::styled(format!(" {row}"), t.muted)));
    }
    f.render_widget(Paragraph::new(lines), summary);
    draw_table(r0, p, ctx, f, table);
    draw_trend(p, ctx, f, trend);
}

/// A count as shown: the number, or `[c]`.
fn cell(c: Cell) -> String {
    c.to_string()
}

/// The chosen table: one row per key, this period with a bar, the period
/// before and the change; or timeliness by rule.
fn draw_table(r0: &Reports, p: &Published, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let n = p.tables.len() + 1;
    let at = r0.table.min(n - 1);
    let title = if at < p.tables.len() {
        p.tables[at].title.to_string()
    } else {
        "Timeliness by rule".to_string()
    };
    // Whether small counts are hidden is said where the counts are.
    let s = ctx.key("reports", &Action::ToggleSuppression);
    let shown = match r0.suppress {
        Some(u) => format!("[c] = 1-{} hidden ({s} shows)", u - 1),
        None => format!("EXACT COUNTS: not for sharing ({s} hides)"),
    };
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(
            " {title} ({}: table {} of {n}) · {shown} ",
            ctx.key("reports", &Action::NextTable),
            at + 1
        ),
        t.title,
    ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height.saturating_sub(1));
    let mut lines: Vec<Line> = Vec::new();
    if at < p.tables.len() {
        let table = &p.tables[at];
        let key_w = 26.min(width / 3).max(8);
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "  {:<key_w$} {:>5} {:>6} {:>7}  this period",
                    "", "now", "before", "change"
                ),
                width,
            ),
            t.muted,
        )));
        let max = table
            .rows
            .iter()
            .filter_map(|c| match c.now {
                Cell::Shown(v) => Some(v),
                Cell::Hidden => None,
            })
            .max()
            .unwrap_or(0)
            .max(1);
        let bar_w = width.saturating_sub(key_w + 26).max(1);
        if table.rows.is_empty() {
            lines.push(Line::from(Span::styled(
                "  Nothing in this period.",
                t.muted,
            )));
        }
        for c in table.rows.iter().skip(r0.scroll).take(rows) {
            let bar = match c.now {
                Cell::Shown(v) => {
                    "▇".repeat((v as usize * bar_w).div_ceil(max as usize).min(bar_w))
                }
                Cell::Hidden => String::new(),
            };
            lines.push(Line::from(vec![
                Span::raw(truncate(
                    &format!(
                        "  {:<key_w$} {:>5} {:>6} {:>7}  ",
                        truncate(&c.key, key_w),
                        cell(c.now),
                        cell(c.before),
                        change(c.change)
                    ),
                    width,
                )),
                Span::styled(bar, t.key),
            ]));
        }
    } else {
        let key_w = 30.min(width / 3).max(8);
        lines.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "  {:<key_w$} {:>5} {:>8} {:>6}   {:>11} {:>8}",
                    "rule", "due", "on time", "%", "due before", "on time"
                ),
                width,
            ),
            t.muted,
        )));
        if p.timeliness.is_empty() {
            lines.push(Line::from(Span::styled(
                "  No deadline fell due in this period.",
                t.muted,
            )));
        }
        for r in p.timeliness.iter().skip(r0.scroll).take(rows) {
            lines.push(Line::from(truncate(
                &format!(
                    "  {:<key_w$} {:>5} {:>8} {:>6}   {:>11} {:>8}",
                    truncate(&r.rule, key_w),
                    cell(r.due),
                    cell(r.on_time),
                    r.on_time_percent
                        .map(|x| format!("{x:.0}%"))
                        .unwrap_or_else(|| "-".into()),
                    cell(r.due_before),
                    cell(r.on_time_before)
                ),
                width,
            )));
        }
    }
    let total = r0.table_rows();
    if total > rows && rows > 0 {
        let last = (r0.scroll + rows).min(total);
        if let Some(first) = lines.first_mut() {
            first.spans.push(Span::styled(
                format!("  rows {}-{last} of {total} (j/k)", r0.scroll + 1),
                t.muted,
            ));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Concerns per month, labelled: the months that fit, the latest last.
fn draw_trend(p: &Published, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let col = 9usize;
    let fits = (usize::from(area.width).saturating_sub(2) / col).max(1);
    let months: Vec<&(String, Cell)> = p.monthly.iter().collect();
    let shown = &months[months.len().saturating_sub(fits)..];
    let name = |ym: &str| {
        NaiveDate::parse_from_str(&format!("{ym}-01"), "%Y-%m-%d")
            .map(|d| d.format("%b %y").to_string())
            .unwrap_or_else(|_| ym.to_string())
    };
    let title = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) => format!(
            " Concerns raised per month, {} to {}{} ",
            name(&a.0),
            name(&b.0),
            if shown.len() < months.len() {
                " (the latest that fit)"
            } else {
                ""
            }
        ),
        _ => " Concerns raised per month ".to_string(),
    };
    let labels: String = shown
        .iter()
        .map(|(m, _)| format!("{:>col$}", name(m)))
        .collect();
    let counts: String = shown
        .iter()
        .map(|(_, c)| format!("{:>col$}", cell(*c)))
        .collect();
    f.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(format!(" {labels}"), t.muted)),
            Line::from(format!(" {counts}")),
        ])
        .block(
            Block::new()
                .borders(Borders::TOP)
                .title(Span::styled(title, t.title)),
        ),
        area,
    );
}
