//! Figures for the quarterly log review and the annual report: counts by
//! category, subject, location, age band, area, risk, route and outcome, for a
//! period and the one before it, with the change; and how quickly the desk
//! worked. Pure: the store supplies the rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One escalation as the report needs it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub raised_at: DateTime<Utc>,
    pub categories: Vec<String>,
    pub subject: String,
    pub location: String,
    pub age_band: String,
    pub area: String,
    pub risk: String,
    pub routes: Vec<String>,
    pub outcome: Option<String>,
    /// First assignment (acknowledgement) and first referral.
    pub assigned_at: Option<DateTime<Utc>>,
    pub referred_at: Option<DateTime<Utc>>,
    /// Deadlines that fell due: (met on time, met late or missed).
    pub deadlines_on_time: u32,
    pub deadlines_due: u32,
}

/// A count in this period, the one before, and the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub key: String,
    pub now: u32,
    pub before: u32,
    /// Change in %, None when there was nothing before.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub title: &'static str,
    pub rows: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub before_from: NaiveDate,
    pub total: u32,
    pub total_before: u32,
    pub tables: Vec<Table>,
    /// Share of concerns that led to a referral, %.
    pub referred_share: Option<f64>,
    pub median_hours_to_assign: Option<f64>,
    pub median_hours_to_refer: Option<f64>,
    /// Deadlines met on time, %.
    pub deadlines_on_time: Option<f64>,
    /// Escalations per month in the period, for a trend line.
    pub monthly: Vec<(String, u32)>,
    /// Counts under this were hidden ("<5"), so a person cannot be picked out.
    pub suppressed_under: Option<u32>,
}

fn change(now: u32, before: u32) -> Option<f64> {
    (before > 0).then(|| (f64::from(now) - f64::from(before)) / f64::from(before) * 100.0)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn table<'a>(
    title: &'static str,
    now: &'a [Row],
    before: &'a [Row],
    keys: impl Fn(&'a Row) -> Vec<String>,
) -> Table {
    let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for r in now {
        for k in keys(r) {
            counts.entry(k).or_default().0 += 1;
        }
    }
    for r in before {
        for k in keys(r) {
            counts.entry(k).or_default().1 += 1;
        }
    }
    let mut rows: Vec<Count> = counts
        .into_iter()
        .map(|(key, (n, b))| Count {
            key,
            now: n,
            before: b,
            change: change(n, b),
        })
        .collect();
    rows.sort_by(|a, b| b.now.cmp(&a.now).then(a.key.cmp(&b.key)));
    Table { title, rows }
}

/// Builds the report for [from, to] (whole UK days) against the same length
/// of time just before. `rows` may hold more than both periods.
pub fn build(rows: &[Row], from: NaiveDate, to: NaiveDate) -> Result<Report, String> {
    if to < from {
        return Err(format!("the period ends ({to}) before it starts ({from})"));
    }
    let days = (to - from).num_days() + 1;
    let before_from = from - Duration::days(days);
    let day = |r: &Row| super::calendar::local(r.raised_at).date_naive();
    let now: Vec<Row> = rows
        .iter()
        .filter(|r| (from..=to).contains(&day(r)))
        .cloned()
        .collect();
    let before: Vec<Row> = rows
        .iter()
        .filter(|r| day(r) >= before_from && day(r) < from)
        .cloned()
        .collect();
    let one = |s: &str| vec![s.to_string()];
    let tables = vec![
        table("By category", &now, &before, |r| r.categories.clone()),
        table("By subject", &now, &before, |r| one(&r.subject)),
        table("By location", &now, &before, |r| one(&r.location)),
        table("By age band", &now, &before, |r| one(&r.age_band)),
        table("By area", &now, &before, |r| one(&r.area)),
        table("By risk", &now, &before, |r| one(&r.risk)),
        table("By route of referral", &now, &before, |r| {
            let mut v = r.routes.clone();
            v.sort();
            v.dedup();
            v
        }),
        table("By outcome", &now, &before, |r| {
            one(r.outcome.as_deref().unwrap_or("open"))
        }),
    ];
    let n = now.len() as u32;
    let referred = now.iter().filter(|r| !r.routes.is_empty()).count() as f64;
    let hours = |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_minutes() as f64 / 60.0;
    let due: u32 = now.iter().map(|r| r.deadlines_due).sum();
    let on_time: u32 = now.iter().map(|r| r.deadlines_on_time).sum();
    let mut monthly: BTreeMap<String, u32> = BTreeMap::new();
    let mut m = from.with_day0(0).unwrap_or(from);
    while m <= to {
        monthly.insert(m.format("%Y-%m").to_string(), 0);
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(to + Duration::days(1));
    }
    for r in &now {
        *monthly
            .entry(day(r).format("%Y-%m").to_string())
            .or_default() += 1;
    }
    Ok(Report {
        from,
        to,
        before_from,
        total: n,
        total_before: before.len() as u32,
        tables,
        referred_share: (n > 0).then(|| referred / f64::from(n) * 100.0),
        median_hours_to_assign: median(
            now.iter()
                .filter_map(|r| r.assigned_at.map(|a| hours(r.raised_at, a)))
                .collect(),
        ),
        median_hours_to_refer: median(
            now.iter()
                .filter_map(|r| r.referred_at.map(|a| hours(r.raised_at, a)))
                .collect(),
        ),
        deadlines_on_time: (due > 0).then(|| f64::from(on_time) / f64::from(due) * 100.0),
        monthly: monthly.into_iter().collect(),
        suppressed_under: None,
    })
}

use chrono::Datelike;

impl Report {
    /// Hides counts between 1 and `under - 1` so nobody can be identified from
    /// an exported report.
    pub fn suppress(mut self, under: u32) -> Report {
        self.suppressed_under = Some(under);
        self
    }

    fn shown(&self, n: u32) -> String {
        match self.suppressed_under {
            Some(u) if n > 0 && n < u => format!("<{u}"),
            _ => n.to_string(),
        }
    }

    fn pct(v: Option<f64>) -> String {
        v.map(|x| format!("{x:+.0}%"))
            .unwrap_or_else(|| "new".into())
    }

    /// Markdown fit to paste into an annual report.
    pub fn markdown(&self, org: &str) -> String {
        let mut out = format!(
            "# Safeguarding report: {org}\n\n{} to {} (compared with {} to {})\n\n",
            self.from,
            self.to,
            self.before_from,
            self.from - Duration::days(1)
        );
        out.push_str(&format!(
            "- Concerns raised: **{}** (before: {}, {})\n",
            self.shown(self.total),
            self.shown(self.total_before),
            Report::pct(change(self.total, self.total_before))
        ));
        let f = |v: Option<f64>, unit: &str| {
            v.map(|x| format!("{x:.1}{unit}"))
                .unwrap_or_else(|| "n/a".into())
        };
        out.push_str(&format!(
            "- Led to a referral: {}\n",
            f(self.referred_share, "%")
        ));
        out.push_str(&format!(
            "- Median time to assignment: {}\n",
            f(self.median_hours_to_assign, " hours")
        ));
        out.push_str(&format!(
            "- Median time to referral: {}\n",
            f(self.median_hours_to_refer, " hours")
        ));
        out.push_str(&format!(
            "- Deadlines met on time: {}\n",
            f(self.deadlines_on_time, "%")
        ));
        if let Some(u) = self.suppressed_under {
            out.push_str(&format!(
                "\nCounts under {u} are shown as <{u} so that no person can be identified.\n"
            ));
        }
        for t in &self.tables {
            out.push_str(&format!(
                "\n## {}\n\n| | This period | Before | Change |\n|---|---:|---:|---:|\n",
                t.title
            ));
            for r in &t.rows {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    r.key,
                    self.shown(r.now),
                    self.shown(r.before),
                    Report::pct(r.change)
                ));
            }
        }
        out
    }

    /// One CSV row per count: table, key, this period, before, change %.
    pub fn csv(&self) -> String {
        let mut out = String::from("table,key,this_period,before,change_percent\n");
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        out.push_str(&format!(
            "total,all,{},{},{}\n",
            self.shown(self.total),
            self.shown(self.total_before),
            change(self.total, self.total_before)
                .map(|c| format!("{c:.1}"))
                .unwrap_or_default()
        ));
        for t in &self.tables {
            for r in &t.rows {
                out.push_str(&format!(
                    "{},{},{},{},{}\n",
                    q(t.title),
                    q(&r.key),
                    self.shown(r.now),
                    self.shown(r.before),
                    r.change.map(|c| format!("{c:.1}")).unwrap_or_default()
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(y: i32, m: u32, d: u32, cats: &[&str], subject: &str, routes: &[&str]) -> Row {
        let at = Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).unwrap();
        Row {
            raised_at: at,
            categories: cats.iter().map(|s| s.to_string()).collect(),
            subject: subject.into(),
            location: "own home".into(),
            age_band: "10-15".into(),
            area: "Rutland".into(),
            risk: "high".into(),
            routes: routes.iter().map(|s| s.to_string()).collect(),
            outcome: None,
            assigned_at: Some(at + Duration::hours(2)),
            referred_at: (!routes.is_empty()).then(|| at + Duration::hours(6)),
            deadlines_on_time: 1,
            deadlines_due: 2,
        }
    }

    #[test]
    fn counts_both_periods_and_the_change() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let rows = vec![
            row(2026, 10, 5, &["neglect"], "child", &["children"]),
            row(2026, 10, 20, &["neglect", "physical"], "child", &[]),
            row(2026, 11, 2, &["domestic"], "adult", &["marac", "police"]),
            row(2026, 9, 10, &["neglect"], "child", &[]), // before
            row(2026, 8, 1, &["neglect"], "child", &[]),  // outside both
        ];
        let r = build(&rows, d(2026, 10, 1), d(2026, 11, 30)).unwrap();
        assert_eq!(r.before_from, d(2026, 8, 1));
        assert_eq!((r.total, r.total_before), (3, 2));
        let cat = &r.tables[0];
        assert_eq!(
            cat.rows[0],
            Count {
                key: "neglect".into(),
                now: 2,
                before: 2,
                change: Some(0.0)
            }
        );
        let sub = &r.tables[1].rows;
        assert_eq!(
            sub.iter().find(|c| c.key == "adult").unwrap().change,
            None,
            "new this period"
        );
        assert_eq!(r.referred_share.map(|x| x.round()), Some(67.0));
        assert_eq!(r.median_hours_to_assign, Some(2.0));
        assert_eq!(r.median_hours_to_refer, Some(6.0));
        assert_eq!(r.deadlines_on_time, Some(50.0));
        assert_eq!(
            r.monthly,
            vec![("2026-10".into(), 2), ("2026-11".into(), 1)]
        );
        let md = r.clone().suppress(5).markdown("Test");
        assert!(md.contains("| neglect | <5 | <5 | +0% |"), "{md}");
        assert!(md.contains("Concerns raised: **<5**"), "{md}");
        assert!(
            build(&rows, d(2026, 11, 30), d(2026, 10, 1))
                .unwrap_err()
                .contains("before it starts")
        );
        let empty = build(&[], d(2026, 1, 1), d(2026, 1, 31)).unwrap();
        assert_eq!(empty.total, 0);
        assert_eq!(empty.referred_share, None);
    }
}
