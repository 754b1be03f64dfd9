//! The reports screen: a period's headline figures, one table as a bar
//! chart (this period against the one before), and the monthly trend.

use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step};
use crate::tui::update::Effect;
use crate::tui::views::{footer, header};
use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

#[derive(Debug)]
pub struct Reports {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub report: Option<Box<crate::domain::report::Report>>,
    pub table: usize,
}

impl Reports {
    /// The last 12 full months (the annual report's shape), and its request.
    pub fn open(ctx: &Ctx) -> Step {
        let today = crate::domain::calendar::local(ctx.now).date_naive();
        let to = today.with_day0(0).unwrap_or(today) - chrono::Duration::days(1);
        let from = to
            .with_day0(0)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(11)))
            .unwrap_or(to);
        let r = Reports {
            from,
            to,
            report: None,
            table: 0,
        };
        Step::push(r).and_fx(Effect::Store(Request::Report { from, to }))
    }
}

impl Layer for Reports {
    fn mode(&self) -> Mode {
        Mode::Reports
    }

    fn on(&mut self, action: &Action, _ctx: &Ctx) -> Step {
        match action {
            Action::PeriodBack | Action::PeriodForward => {
                let len = (self.to - self.from).num_days() + 1;
                let shift = chrono::Duration::days(if *action == Action::PeriodBack {
                    -len
                } else {
                    len
                });
                self.from += shift;
                self.to += shift;
                Step::fx(Effect::Store(Request::Report {
                    from: self.from,
                    to: self.to,
                }))
            }
            Action::NextTable => {
                let n = self.report.as_ref().map_or(1, |r| r.tables.len().max(1));
                self.table = (self.table + 1) % n;
                Step::none()
            }
            Action::ReportLoaded(r) => {
                self.report = Some(r.clone());
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

fn draw_reports(r0: &Reports, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let [head, summary, chart, trend, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(5),
        Constraint::Min(6),
        Constraint::Length(4),
        Constraint::Length(2),
    ])
    .areas(area);
    header(ctx, f, head);
    footer(ctx, f, foot, "");
    let Some(r) = &r0.report else {
        f.render_widget(Paragraph::new(" Counting…").style(t.muted), summary);
        return;
    };
    let pct = |v: Option<f64>, unit: &str| {
        v.map(|x| format!("{x:.1}{unit}"))
            .unwrap_or_else(|| "n/a".into())
    };
    let change = if r.total_before > 0 {
        format!(
            "{:+.0}%",
            (f64::from(r.total) - f64::from(r.total_before)) / f64::from(r.total_before) * 100.0
        )
    } else {
        "new".into()
    };
    let lines = vec![
        Line::from(Span::styled(
            format!(
                " Report {} to {} (before: from {})",
                r.from, r.to, r.before_from
            ),
            t.title,
        )),
        Line::from(format!(
            " Concerns raised {} (before {}, {change}) · led to a referral {}",
            r.total,
            r.total_before,
            pct(r.referred_share, "%")
        )),
        Line::from(format!(
            " Median hours to assignment {} · to referral {} · deadlines met on time {}",
            pct(r.median_hours_to_assign, ""),
            pct(r.median_hours_to_refer, ""),
            pct(r.deadlines_on_time, "%")
        )),
        Line::from(Span::styled(
            " Restricted escalations are counted only if you may see them. `dutydesk report` exports this.",
            t.muted,
        )),
    ];
    f.render_widget(Paragraph::new(lines), summary);

    let table = &r.tables[r0.table.min(r.tables.len().saturating_sub(1))];
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(" {} (this period ▇, before ░) ", table.title),
        t.title,
    ));
    let inner = block.inner(chart);
    f.render_widget(block, chart);
    let width = 7u16;
    let fits = (inner.width / (width * 2 + 2)).max(1) as usize;
    let mut bc = BarChart::default().bar_width(width).bar_gap(0).group_gap(2);
    for c in table.rows.iter().take(fits) {
        let mut label = c.key.clone();
        label.truncate(width as usize * 2);
        bc = bc.data(BarGroup::default().label(Line::from(label)).bars(&[
            Bar::default().value(u64::from(c.now)).style(t.key),
            Bar::default().value(u64::from(c.before)).style(t.muted),
        ]));
    }
    f.render_widget(bc, inner);

    let data: Vec<u64> = r.monthly.iter().map(|(_, n)| u64::from(*n)).collect();
    let first = r.monthly.first().map(|m| m.0.clone()).unwrap_or_default();
    let last = r.monthly.last().map(|m| m.0.clone()).unwrap_or_default();
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(" Concerns per month, {first} to {last} "),
        t.title,
    ));
    let inner = block.inner(trend);
    f.render_widget(block, trend);
    f.render_widget(
        Sparkline::default().data(&data).style(Style::default()),
        inner,
    );
}
