//! Figures for the quarterly log review and the annual report: counts by
//! category, subject, location, age band, area, risk, route and outcome, for a
//! period and the previous calendar period of the same kind, with the change;
//! how quickly the desk worked, rule by rule; how many adult concerns became
//! s42 enquiries. Pure: the store supplies the rows.
//!
//! Published figures ([`Report::publish`]) suppress small counts everywhere a
//! count could be worked out (DOMAIN.md practice notes; ONS's statistical
//! disclosure control): a count from 1 to N-1 is shown as `[c]`, and so are
//! further counts where one hidden count could be worked out from a total
//! (secondary suppression), in every table, the monthly series, every
//! percentage and median built on a small count, and every format.

use super::escalation::AgeBand;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// A deadline that fell due (or was met) on an escalation, for timeliness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineFact {
    /// The rule's name ("LADO referral"), or the deadline's label if set by hand.
    pub rule: String,
    pub on_time: bool,
}

/// One escalation as the report needs it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub raised_at: DateTime<Utc>,
    /// Category labels.
    pub categories: Vec<String>,
    /// Subject code: child, adult or staff.
    pub subject: String,
    pub location: String,
    /// Age band code (`AgeBand`).
    pub age_band: String,
    pub area: String,
    pub risk: String,
    pub routes: Vec<String>,
    pub outcome: Option<String>,
    /// First assignment (acknowledgement) and first referral.
    pub assigned_at: Option<DateTime<Utc>>,
    pub referred_at: Option<DateTime<Utc>>,
    /// Deadlines that fell due or were met.
    pub deadlines: Vec<DeadlineFact>,
    /// An adults' referral whose recorded outcome is an s42 enquiry.
    pub s42_enquiry: bool,
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
    /// Each escalation counts in exactly one row (subject, age band...), so
    /// the rows add up to the total: a hidden count could be worked out from
    /// the others, and publishing hides more (secondary suppression).
    pub partition: bool,
}

/// How many deadlines of one rule fell due, and how many were met on time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeliness {
    pub rule: String,
    pub due: u32,
    pub on_time: u32,
    pub due_before: u32,
    pub on_time_before: u32,
}

/// Adult concerns and what became of them (the Safeguarding Adults
/// Collection's "conversion": s42 enquiries per concern).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Conversion {
    pub adult_concerns: u32,
    pub referred_to_adults: u32,
    pub s42_enquiries: u32,
    pub adult_concerns_before: u32,
    pub referred_to_adults_before: u32,
    pub s42_enquiries_before: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The previous calendar period of the same kind.
    pub before_from: NaiveDate,
    pub before_to: NaiveDate,
    /// "month", "quarter", "year", "2 months", "10 days"...
    pub kind: String,
    pub total: u32,
    pub total_before: u32,
    pub tables: Vec<Table>,
    /// Share of concerns that led to a referral, %.
    pub referred_share: Option<f64>,
    pub referred: u32,
    pub median_hours_to_assign: Option<f64>,
    pub median_hours_to_refer: Option<f64>,
    /// How many times each median is taken over.
    pub assigned: u32,
    /// Deadlines met on time, %.
    pub deadlines_on_time: Option<f64>,
    pub deadlines_due: u32,
    pub deadlines_met: u32,
    pub timeliness: Vec<Timeliness>,
    pub conversion: Conversion,
    /// Escalations per month in the period, for a trend line.
    pub monthly: Vec<(String, u32)>,
    /// Counts under this were hidden, so a person cannot be picked out.
    pub suppressed_under: Option<u32>,
    /// Whose cases are counted: restricted cases the reader may not see are
    /// left out (said always, so the sentence itself reveals nothing).
    pub scope: String,
}

/// The sentence for a reader who may not see every restricted case.
pub const SCOPE_LIMITED: &str =
    "Counts only the cases you may see: restricted cases you may not see are left out.";
/// The sentence for a senior lead.
pub const SCOPE_SENIOR: &str =
    "Includes restricted cases, except any you are excluded from (those are left out).";

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

/// The last day of `date`'s month.
fn month_end(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .map(|d| d - Duration::days(1))
        .unwrap_or(date)
}

/// The previous calendar period of the same kind as [from, to], and its name:
/// whole months (a month, a quarter, a year, from the 1st to a month's end)
/// against the same number of months just before (March against February,
/// Q2 against Q1, 2024 against 2023, leap years whole); any other span against
/// the same number of days just before.
pub fn previous(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    if from.day() == 1 && to == month_end(to) && to > from {
        let months = (to.year() - from.year()) as u32 * 12 + to.month() - from.month() + 1;
        if let Some(start) = from.checked_sub_months(Months::new(months)) {
            let kind = match months {
                1 => "month".to_string(),
                3 => "quarter".to_string(),
                12 => "year".to_string(),
                n => format!("{n} months"),
            };
            return (start, from - Duration::days(1), kind);
        }
    }
    let days = (to - from).num_days() + 1;
    (
        from - Duration::days(days),
        from - Duration::days(1),
        if days == 1 {
            "day".into()
        } else {
            format!("{days} days")
        },
    )
}

/// One table from its counts (this period, the one before), largest first.
fn table(title: &'static str, partition: bool, counts: BTreeMap<String, (u32, u32)>) -> Table {
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
    Table {
        title,
        rows,
        partition,
    }
}

/// The tables' titles, whether each partitions the cases, and each row's
/// keys in it.
type Keys = fn(&Row) -> Vec<String>;
const TABLES: [(&str, bool, Keys); 8] = [
    ("By category", false, |r| r.categories.clone()),
    ("By subject", true, |r| vec![r.subject.clone()]),
    ("By location", true, |r| vec![r.location.clone()]),
    ("By age band", true, |r| {
        vec![match AgeBand::from_code(&r.age_band) {
            Some(b) => b.label().to_string(),
            None => r.age_band.clone(),
        }]
    }),
    ("By area", true, |r| vec![r.area.clone()]),
    ("By risk", true, |r| vec![r.risk.clone()]),
    ("By route of referral", false, |r| {
        let mut v = r.routes.clone();
        v.sort();
        v.dedup();
        v
    }),
    ("By outcome", true, |r| {
        vec![r.outcome.as_deref().unwrap_or("open").to_string()]
    }),
];

/// The report counted one row at a time as the store reads them, so a
/// year's cases at a million are never held at once (issue 21): only the
/// counts, and the hours to assignment and referral for the medians (eight
/// bytes a case). [`build`] is the same over rows in hand.
pub struct Tally {
    from: NaiveDate,
    to: NaiveDate,
    before_from: NaiveDate,
    before_to: NaiveDate,
    kind: String,
    counts: Vec<BTreeMap<String, (u32, u32)>>,
    n: u32,
    n_before: u32,
    referred: u32,
    per_rule: BTreeMap<String, [u32; 4]>,
    /// Adults' concerns, referred to adults, s42 enquiries: now and before.
    conversion: [u32; 6],
    monthly: BTreeMap<String, u32>,
    assign_hours: Vec<f64>,
    refer_hours: Vec<f64>,
}

impl Tally {
    /// A report for [from, to] against the period before ([`previous`]).
    /// Errors when the period ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Tally, String> {
        if to < from {
            return Err(format!("the period ends ({to}) before it starts ({from})"));
        }
        let (before_from, before_to, kind) = previous(from, to);
        let mut monthly = BTreeMap::new();
        let mut m = from.with_day(1).unwrap_or(from);
        while m <= to {
            monthly.insert(m.format("%Y-%m").to_string(), 0);
            m = m
                .checked_add_months(Months::new(1))
                .unwrap_or(to + Duration::days(1));
        }
        Ok(Tally {
            from,
            to,
            before_from,
            before_to,
            kind,
            counts: vec![BTreeMap::new(); TABLES.len()],
            n: 0,
            n_before: 0,
            referred: 0,
            per_rule: BTreeMap::new(),
            conversion: [0; 6],
            monthly,
            assign_hours: Vec::new(),
            refer_hours: Vec::new(),
        })
    }

    /// Counts one case (rows outside both periods are passed over).
    pub fn add(&mut self, r: &Row) {
        let day = super::calendar::local(r.raised_at).date_naive();
        let at = if (self.from..=self.to).contains(&day) {
            0
        } else if (self.before_from..=self.before_to).contains(&day) {
            1
        } else {
            return;
        };
        for (counts, (_, _, keys)) in self.counts.iter_mut().zip(TABLES.iter()) {
            for k in keys(r) {
                let c = counts.entry(k).or_default();
                if at == 0 {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
        }
        for d in &r.deadlines {
            let e = self.per_rule.entry(d.rule.clone()).or_default();
            e[at * 2] += 1;
            e[at * 2 + 1] += u32::from(d.on_time);
        }
        if r.subject == "adult" {
            self.conversion[at * 3] += 1;
            self.conversion[at * 3 + 1] += u32::from(r.routes.iter().any(|x| x == "adults"));
            self.conversion[at * 3 + 2] += u32::from(r.s42_enquiry);
        }
        if at == 1 {
            self.n_before += 1;
            return;
        }
        self.n += 1;
        self.referred += u32::from(!r.routes.is_empty());
        *self
            .monthly
            .entry(day.format("%Y-%m").to_string())
            .or_default() += 1;
        let hours = |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_minutes() as f64 / 60.0;
        if let Some(a) = r.assigned_at {
            self.assign_hours.push(hours(r.raised_at, a));
        }
        if let Some(a) = r.referred_at {
            self.refer_hours.push(hours(r.raised_at, a));
        }
    }

    /// The report.
    pub fn finish(self) -> Report {
        let mut tables: Vec<Table> = self
            .counts
            .into_iter()
            .zip(TABLES.iter())
            .map(|(c, (title, partition, _))| table(title, *partition, c))
            .collect();
        let order = |label: &str| {
            AgeBand::ALL
                .iter()
                .position(|b| b.label() == label)
                .unwrap_or(usize::MAX)
        };
        tables[3].rows.sort_by_key(|c| order(&c.key));
        let due: u32 = self.per_rule.values().map(|v| v[0]).sum();
        let met: u32 = self.per_rule.values().map(|v| v[1]).sum();
        let (n, c) = (self.n, self.conversion);
        Report {
            from: self.from,
            to: self.to,
            before_from: self.before_from,
            before_to: self.before_to,
            kind: self.kind,
            total: n,
            total_before: self.n_before,
            tables,
            referred_share: (n > 0).then(|| f64::from(self.referred) / f64::from(n) * 100.0),
            referred: self.referred,
            assigned: self.assign_hours.len() as u32,
            median_hours_to_assign: median(self.assign_hours),
            median_hours_to_refer: median(self.refer_hours),
            deadlines_on_time: (due > 0).then(|| f64::from(met) / f64::from(due) * 100.0),
            deadlines_due: due,
            deadlines_met: met,
            timeliness: self
                .per_rule
                .into_iter()
                .map(|(rule, v)| Timeliness {
                    rule,
                    due: v[0],
                    on_time: v[1],
                    due_before: v[2],
                    on_time_before: v[3],
                })
                .collect(),
            conversion: Conversion {
                adult_concerns: c[0],
                referred_to_adults: c[1],
                s42_enquiries: c[2],
                adult_concerns_before: c[3],
                referred_to_adults_before: c[4],
                s42_enquiries_before: c[5],
            },
            monthly: self.monthly.into_iter().collect(),
            suppressed_under: None,
            scope: SCOPE_LIMITED.into(),
        }
    }
}

/// Builds the report for [from, to] (whole UK days) against the previous
/// calendar period of the same kind ([`previous`]). `rows` may hold more
/// than both periods.
pub fn build(rows: &[Row], from: NaiveDate, to: NaiveDate) -> Result<Report, String> {
    let mut t = Tally::new(from, to)?;
    for r in rows {
        t.add(r);
    }
    Ok(t.finish())
}

/// A published count: the number, or hidden (`[c]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(u32),
    Hidden,
}

/// The marker for a hidden count, in every format.
pub const HIDDEN: &str = "[c]";

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Shown(n) => s.serialize_u32(*n),
            Cell::Hidden => s.serialize_str(HIDDEN),
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Shown(n) => write!(f, "{n}"),
            Cell::Hidden => f.write_str(HIDDEN),
        }
    }
}

impl Cell {
    pub fn is_hidden(self) -> bool {
        self == Cell::Hidden
    }
}

/// A published row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCount {
    pub key: String,
    pub now: Cell,
    pub before: Cell,
    /// None when there was nothing before, or either count is hidden.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedTable {
    pub title: &'static str,
    pub rows: Vec<PublishedCount>,
}

/// A rule's timeliness, published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedTimeliness {
    pub rule: String,
    pub due: Cell,
    pub on_time: Cell,
    /// None when hidden, or nothing fell due.
    pub on_time_percent: Option<f64>,
    pub due_before: Cell,
    pub on_time_before: Cell,
}

/// Adult concerns and s42 enquiries, published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedConversion {
    pub adult_concerns: Cell,
    pub referred_to_adults: Cell,
    pub s42_enquiries: Cell,
    /// s42 enquiries per adult concern, %.
    pub conversion_percent: Option<f64>,
    pub adult_concerns_before: Cell,
    pub s42_enquiries_before: Cell,
}

/// The report as it may leave the desk: every count that could pick out a
/// person hidden, in all formats alike (Markdown, CSV and JSON are written
/// from this, never from the raw [`Report`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub before_from: NaiveDate,
    pub before_to: NaiveDate,
    pub kind: String,
    pub suppressed_under: Option<u32>,
    pub total: Cell,
    pub total_before: Cell,
    pub total_change: Option<f64>,
    pub referred_share: Option<f64>,
    pub median_hours_to_assign: Option<f64>,
    pub median_hours_to_refer: Option<f64>,
    pub deadlines_on_time: Option<f64>,
    pub timeliness: Vec<PublishedTimeliness>,
    pub conversion: PublishedConversion,
    pub tables: Vec<PublishedTable>,
    pub monthly: Vec<(String, Cell)>,
    pub scope: String,
}

/// Which of `values` to hide so that none from 1 to `under - 1` can be read
/// or worked out from the others and their `total` (shown unless
/// `total_hidden`): the small ones, then, while a hidden set could be solved
/// (a single hidden count, or hidden counts that can only all be 1), the
/// smallest count still shown. Zeros are shown: they are what they say.
pub fn protect(values: &[u32], under: u32, partition: bool, total_hidden: bool) -> Vec<bool> {
    let mut hidden: Vec<bool> = values.iter().map(|v| (1..under).contains(v)).collect();
    if !partition || total_hidden {
        return hidden;
    }
    loop {
        let k = hidden.iter().filter(|h| **h).count() as u32;
        let sum: u32 = values
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| **h)
            .map(|(v, _)| *v)
            .sum();
        if k == 0 || (k >= 2 && sum > k) {
            return hidden;
        }
        let next = values
            .iter()
            .enumerate()
            .filter(|(i, v)| !hidden[*i] && **v > 0)
            .min_by_key(|(i, v)| (**v, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => return hidden,
        }
    }
}

impl Report {
    /// Marks the report to be published with counts under `under` hidden.
    pub fn suppress(mut self, under: u32) -> Report {
        self.suppressed_under = Some(under);
        self
    }

    /// The report as it may leave the desk ([`Published`]).
    pub fn publish(&self) -> Published {
        let u = self.suppressed_under.unwrap_or(0);
        let cell = |v: u32, hide: bool| if hide { Cell::Hidden } else { Cell::Shown(v) };
        let small = |v: u32| (1..u).contains(&v);
        let total_hidden = small(self.total);
        let before_hidden = small(self.total_before);
        // A percentage or median over a small count, or whose complement is
        // small, would give that count away.
        let pct_ok = |part: u32, whole: u32| !small(part) && !small(whole) && !small(whole - part);
        let mut tables = Vec::new();
        let mut hidden_in: BTreeMap<(&str, String), (bool, bool)> = BTreeMap::new();
        for t in &self.tables {
            let now: Vec<u32> = t.rows.iter().map(|c| c.now).collect();
            let before: Vec<u32> = t.rows.iter().map(|c| c.before).collect();
            let hn = protect(&now, u, t.partition, total_hidden);
            let hb = protect(&before, u, t.partition, before_hidden);
            let rows = t
                .rows
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    hidden_in.insert((t.title, c.key.clone()), (hn[i], hb[i]));
                    PublishedCount {
                        key: c.key.clone(),
                        now: cell(c.now, hn[i]),
                        before: cell(c.before, hb[i]),
                        change: if hn[i] || hb[i] { None } else { c.change },
                    }
                })
                .collect();
            tables.push(PublishedTable {
                title: t.title,
                rows,
            });
        }
        let months: Vec<u32> = self.monthly.iter().map(|(_, n)| *n).collect();
        let hm = protect(&months, u, true, total_hidden);
        let monthly = self
            .monthly
            .iter()
            .zip(&hm)
            .map(|((k, n), h)| (k.clone(), cell(*n, *h)))
            .collect();
        let timeliness: Vec<PublishedTimeliness> = self
            .timeliness
            .iter()
            .map(|t| {
                // On time and late partition what fell due: hide both or neither.
                let hide = small(t.due) || small(t.on_time) || small(t.due - t.on_time);
                let hide_b = small(t.due_before)
                    || small(t.on_time_before)
                    || small(t.due_before - t.on_time_before);
                PublishedTimeliness {
                    rule: t.rule.clone(),
                    due: cell(t.due, small(t.due)),
                    on_time: cell(t.on_time, hide),
                    on_time_percent: (!hide && t.due > 0)
                        .then(|| f64::from(t.on_time) / f64::from(t.due) * 100.0),
                    due_before: cell(t.due_before, small(t.due_before)),
                    on_time_before: cell(t.on_time_before, hide_b),
                }
            })
            .collect();
        let c = &self.conversion;
        // The adult concerns are the subject table's "adult" cell: hidden alike.
        let (adult_hidden, adult_hidden_b) = hidden_in
            .get(&("By subject", "adult".to_string()))
            .copied()
            .unwrap_or((small(c.adult_concerns), small(c.adult_concerns_before)));
        let conversion = PublishedConversion {
            adult_concerns: cell(c.adult_concerns, adult_hidden),
            referred_to_adults: cell(
                c.referred_to_adults,
                adult_hidden || !pct_ok(c.referred_to_adults, c.adult_concerns),
            ),
            s42_enquiries: cell(
                c.s42_enquiries,
                adult_hidden || !pct_ok(c.s42_enquiries, c.adult_concerns),
            ),
            conversion_percent: (!adult_hidden
                && c.adult_concerns > 0
                && pct_ok(c.s42_enquiries, c.adult_concerns))
            .then(|| f64::from(c.s42_enquiries) / f64::from(c.adult_concerns) * 100.0),
            adult_concerns_before: cell(c.adult_concerns_before, adult_hidden_b),
            s42_enquiries_before: cell(
                c.s42_enquiries_before,
                adult_hidden_b || !pct_ok(c.s42_enquiries_before, c.adult_concerns_before),
            ),
        };
        Published {
            from: self.from,
            to: self.to,
            before_from: self.before_from,
            before_to: self.before_to,
            kind: self.kind.clone(),
            suppressed_under: self.suppressed_under,
            total: cell(self.total, total_hidden),
            total_before: cell(self.total_before, before_hidden),
            total_change: if total_hidden || before_hidden {
                None
            } else {
                change(self.total, self.total_before)
            },
            referred_share: self
                .referred_share
                .filter(|_| pct_ok(self.referred, self.total)),
            median_hours_to_assign: self
                .median_hours_to_assign
                .filter(|_| !small(self.assigned)),
            median_hours_to_refer: self.median_hours_to_refer.filter(|_| !small(self.referred)),
            // The overall share could give away a rule's hidden counts.
            deadlines_on_time: self.deadlines_on_time.filter(|_| {
                pct_ok(self.deadlines_met, self.deadlines_due)
                    && !timeliness.iter().any(|t| t.on_time.is_hidden())
            }),
            timeliness,
            conversion,
            tables,
            monthly,
            scope: self.scope.clone(),
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.0}%")).unwrap_or_else(|| "-".into())
}

fn figure(v: Option<f64>, unit: &str) -> String {
    v.map(|x| format!("{x:.1}{unit}"))
        .unwrap_or_else(|| "n/a".into())
}

/// Text for a Markdown table cell: a `|` would end the cell and shift every
/// column after it, so it is escaped (`\|`, which GitHub-flavoured Markdown
/// and pandoc read back as `|`); a backslash before it is escaped too, and
/// line breaks become spaces (a row is one line).
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Published {
    /// Markdown fit to paste into an annual report.
    pub fn markdown(&self, org: &str) -> String {
        let mut out = format!(
            "# Safeguarding report: {org}\n\n{} to {} (a {}), compared with the {} before: {} to {}\n\n",
            self.from, self.to, self.kind, self.kind, self.before_from, self.before_to
        );
        out.push_str(&format!(
            "- Concerns raised: **{}** (before: {}, {})\n",
            self.total,
            self.total_before,
            pct(self.total_change)
        ));
        out.push_str(&format!(
            "- Led to a referral: {}\n",
            figure(self.referred_share, "%")
        ));
        out.push_str(&format!(
            "- Median time to assignment: {}\n",
            figure(self.median_hours_to_assign, " hours")
        ));
        out.push_str(&format!(
            "- Median time to referral: {}\n",
            figure(self.median_hours_to_refer, " hours")
        ));
        out.push_str(&format!(
            "- Deadlines met on time: {}\n",
            figure(self.deadlines_on_time, "%")
        ));
        let c = &self.conversion;
        out.push_str(&format!(
            "- Adult concerns: {} (before: {}); referred to adult safeguarding: {}; s42 enquiries: {} (before: {}); conversion: {}\n",
            c.adult_concerns,
            c.adult_concerns_before,
            c.referred_to_adults,
            c.s42_enquiries,
            c.s42_enquiries_before,
            figure(c.conversion_percent, "%")
        ));
        out.push_str(&format!("\n{}\n", self.scope));
        if let Some(u) = self.suppressed_under {
            out.push_str(&format!(
                "\n{HIDDEN}: hidden, being fewer than {u} or a count from which one fewer than {u} could be worked out, so that no person can be identified. Changes and percentages built on hidden counts are left out.\n"
            ));
        }
        out.push_str(
            "\n## Timeliness by rule\n\n| Rule | Due | On time | % | Due before | On time before |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for t in &self.timeliness {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&t.rule),
                t.due,
                t.on_time,
                t.on_time_percent
                    .map(|p| format!("{p:.0}%"))
                    .unwrap_or_else(|| "-".into()),
                t.due_before,
                t.on_time_before
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
                    md_cell(&r.key),
                    r.now,
                    r.before,
                    pct(r.change)
                ));
            }
        }
        out.push_str("\n## By month\n\n| Month | Concerns |\n|---|---:|\n");
        for (m, n) in &self.monthly {
            out.push_str(&format!("| {} | {n} |\n", md_cell(m)));
        }
        out
    }

    /// One CSV row per count: table, key, this period, before, change %.
    pub fn csv(&self) -> String {
        // The csv crate quotes what needs quoting; text cells are made safe
        // to open in a spreadsheet (`text::spreadsheet_safe`).
        let mut w = csv::Writer::from_writer(Vec::new());
        let t = |s: &str| crate::domain::text::spreadsheet_safe(s).into_owned();
        let ch = |c: Option<f64>| c.map(|c| format!("{c:.1}")).unwrap_or_default();
        let mut rows: Vec<[String; 5]> = vec![[
            "table".into(),
            "key".into(),
            "this_period".into(),
            "before".into(),
            "change_percent".into(),
        ]];
        rows.push([
            "total".into(),
            "all".into(),
            self.total.to_string(),
            self.total_before.to_string(),
            ch(self.total_change),
        ]);
        for table in &self.tables {
            for r in &table.rows {
                rows.push([
                    t(table.title),
                    t(&r.key),
                    r.now.to_string(),
                    r.before.to_string(),
                    ch(r.change),
                ]);
            }
        }
        for x in &self.timeliness {
            rows.push([
                "Due (timeliness)".into(),
                t(&x.rule),
                x.due.to_string(),
                x.due_before.to_string(),
                String::new(),
            ]);
            rows.push([
                "On time (timeliness)".into(),
                t(&x.rule),
                x.on_time.to_string(),
                x.on_time_before.to_string(),
                String::new(),
            ]);
        }
        let c = &self.conversion;
        rows.push([
            "Adult concerns".into(),
            "all".into(),
            c.adult_concerns.to_string(),
            c.adult_concerns_before.to_string(),
            String::new(),
        ]);
        rows.push([
            "s42 enquiries".into(),
            "all".into(),
            c.s42_enquiries.to_string(),
            c.s42_enquiries_before.to_string(),
            String::new(),
        ]);
        for (m, n) in &self.monthly {
            rows.push([
                "By month".into(),
                t(m),
                n.to_string(),
                String::new(),
                String::new(),
            ]);
        }
        for r in rows {
            // Writing into memory cannot fail.
            let _ = w.write_record(&r);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn row(y: i32, m: u32, dd: u32, cats: &[&str], subject: &str, routes: &[&str]) -> Row {
        let at = Utc.with_ymd_and_hms(y, m, dd, 10, 0, 0).unwrap();
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
            deadlines: vec![
                DeadlineFact {
                    rule: "Written record of disclosure".into(),
                    on_time: true,
                },
                DeadlineFact {
                    rule: "LADO referral".into(),
                    on_time: false,
                },
            ],
            s42_enquiry: false,
        }
    }

    #[test]
    fn previous_periods_are_calendar_periods_of_the_same_kind() {
        // A month: March against February (not 29 Jan - 28 Feb).
        assert_eq!(
            previous(d(2026, 3, 1), d(2026, 3, 31)),
            (d(2026, 2, 1), d(2026, 2, 28), "month".into())
        );
        // February of a leap year against January.
        assert_eq!(
            previous(d(2028, 2, 1), d(2028, 2, 29)),
            (d(2028, 1, 1), d(2028, 1, 31), "month".into())
        );
        // A quarter against the quarter before.
        assert_eq!(
            previous(d(2026, 4, 1), d(2026, 6, 30)),
            (d(2026, 1, 1), d(2026, 3, 31), "quarter".into())
        );
        assert_eq!(
            previous(d(2026, 1, 1), d(2026, 3, 31)),
            (d(2025, 10, 1), d(2025, 12, 31), "quarter".into())
        );
        // A leap year against the whole year before, and the year after it.
        assert_eq!(
            previous(d(2024, 1, 1), d(2024, 12, 31)),
            (d(2023, 1, 1), d(2023, 12, 31), "year".into())
        );
        assert_eq!(
            previous(d(2025, 1, 1), d(2025, 12, 31)),
            (d(2024, 1, 1), d(2024, 12, 31), "year".into())
        );
        // A financial year, April to March, over a leap day.
        assert_eq!(
            previous(d(2028, 4, 1), d(2029, 3, 31)),
            (d(2027, 4, 1), d(2028, 3, 31), "year".into())
        );
        // Any other span: the same number of days just before.
        assert_eq!(
            previous(d(2026, 3, 10), d(2026, 3, 16)),
            (d(2026, 3, 3), d(2026, 3, 9), "7 days".into())
        );
    }

    #[test]
    fn counts_both_periods_and_the_change() {
        let rows = vec![
            row(2026, 10, 5, &["neglect"], "child", &["children"]),
            row(2026, 10, 20, &["neglect", "physical"], "child", &[]),
            row(2026, 11, 2, &["domestic"], "adult", &["marac", "police"]),
            row(2026, 9, 10, &["neglect"], "child", &[]), // before
            row(2026, 7, 1, &["neglect"], "child", &[]),  // outside both
        ];
        let r = build(&rows, d(2026, 10, 1), d(2026, 11, 30)).unwrap();
        assert_eq!(
            (r.before_from, r.before_to),
            (d(2026, 8, 1), d(2026, 9, 30))
        );
        assert_eq!((r.total, r.total_before), (3, 1));
        let cat = &r.tables[0];
        assert_eq!(
            cat.rows[0],
            Count {
                key: "neglect".into(),
                now: 2,
                before: 1,
                change: Some(100.0)
            }
        );
        assert_eq!(r.referred_share.map(|x| x.round()), Some(67.0));
        assert_eq!(r.median_hours_to_assign, Some(2.0));
        assert_eq!(r.median_hours_to_refer, Some(6.0));
        assert_eq!(r.deadlines_on_time, Some(50.0));
        let lado = r
            .timeliness
            .iter()
            .find(|t| t.rule == "LADO referral")
            .unwrap();
        assert_eq!((lado.due, lado.on_time, lado.due_before), (3, 0, 1));
        assert_eq!(r.conversion.adult_concerns, 1);
        assert_eq!(
            r.monthly,
            vec![("2026-10".into(), 2), ("2026-11".into(), 1)]
        );
        assert!(
            build(&rows, d(2026, 11, 30), d(2026, 10, 1))
                .unwrap_err()
                .contains("before it starts")
        );
        let empty = build(&[], d(2026, 1, 1), d(2026, 1, 31)).unwrap();
        assert_eq!(empty.total, 0);
        assert_eq!(empty.referred_share, None);
    }

    #[test]
    fn age_bands_come_in_age_order() {
        let mut rows = Vec::new();
        for (band, n) in [
            ("95+", 1),
            ("unborn", 2),
            ("18-64", 5),
            ("under-1", 3),
            ("1-4", 4),
        ] {
            for _ in 0..n {
                rows.push(Row {
                    age_band: band.into(),
                    ..row(2026, 3, 5, &["neglect"], "child", &[])
                });
            }
        }
        let r = build(&rows, d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let keys: Vec<&str> = r.tables[3].rows.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["unborn", "under 1", "1-4", "18-64", "95+"]);
    }

    #[test]
    fn secondary_suppression_leaves_no_single_hidden_count() {
        // One small count among large ones: the next smallest is hidden too.
        assert_eq!(protect(&[20, 3, 15], 5, true, false), [false, true, true]);
        // Two small counts that could only be 1 and 1: a third is hidden.
        assert_eq!(
            protect(&[1, 1, 9, 30], 5, true, false),
            [true, true, true, false]
        );
        // Two small counts summing to more than 2: safe as they are.
        assert_eq!(protect(&[1, 2, 30], 5, true, false), [true, true, false]);
        // Zeros are shown; not a partition: primary only.
        assert_eq!(protect(&[0, 2, 9], 5, true, false), [false, true, true]);
        assert_eq!(protect(&[2, 9], 5, false, false), [true, false]);
    }
}
