//! Bringing in an existing incident log (issue 20, point 4): how a
//! spreadsheet's columns and words map onto an intake, read from a map file
//! the organisation writes once. Pure: the store reads the file and writes
//! the records; every row still goes through [`super::intake::check`] and
//! the "does this person use the desk" rule ([`super::names::decide`]).
//!
//! A map file (TOML):
//!
//! ```toml
//! [columns]                 # field = "column heading in the first row"
//! raised = "Date reported"  # required: when it was raised (UK date, optional HH:MM)
//! subject = "About"         # required: child, adult or staff (after [values.subject])
//! name = "Name"             # required
//! area = "Lives in"         # required (the organisation's areas, or "unknown")
//! categories = "Type"       # required: codes, several split by , ; or /
//! summary = "What happened" # required
//! reference = "Log no."     # the old log's own number (kept; makes re-imports match)
//! dob = "DOB"               # optional fields: dob, age, risk, words, location,
//! age = "Age"               #   consent, consent_reason, about, status, outcome,
//!                           #   closed, rationale
//! [values.subject]          # the log's words -> dutydesk's codes, per field
//! "Young person" = "child"
//! [values.categories]
//! "CSE" = "cse"
//! [defaults]                # a value for a field the log lacks or leaves empty
//! risk = "medium"
//! consent = "sought"
//! ```

use super::escalation::{Consent, LocationType, Risk, SubjectKind};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::collections::BTreeMap;

/// The fields a column can fill. `REQUIRED` ones must be mapped.
pub const FIELDS: &[&str] = &[
    "raised",
    "subject",
    "name",
    "area",
    "categories",
    "summary",
    "reference",
    "dob",
    "age",
    "risk",
    "words",
    "location",
    "consent",
    "consent_reason",
    "about",
    "status",
    "outcome",
    "closed",
    "rationale",
];

/// Fields every map must give a column (or a default) for.
pub const REQUIRED: &[&str] = &["raised", "subject", "name", "area", "categories", "summary"];

/// The map file, as written.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Map {
    /// field -> column heading.
    pub columns: BTreeMap<String, String>,
    /// field -> (the log's word -> dutydesk's code); matched ignoring case.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// field -> value used when the cell is empty or the column absent.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

impl Map {
    /// Parses a map file; every unknown field is named with the valid ones.
    ///
    /// Errors: TOML's message (with the line) or a sentence naming the field.
    pub fn parse(text: &str) -> Result<Map, String> {
        let m: Map = toml::from_str(text).map_err(|e| e.to_string())?;
        for f in m
            .columns
            .keys()
            .chain(m.values.keys())
            .chain(m.defaults.keys())
        {
            if !FIELDS.contains(&f.as_str()) {
                return Err(format!(
                    "{f:?} is not a field dutydesk imports: use {}",
                    FIELDS.join(", ")
                ));
            }
        }
        for f in REQUIRED {
            if !m.columns.contains_key(*f) && !m.defaults.contains_key(*f) {
                return Err(format!(
                    "[columns] has no {f} = \"COLUMN\" (required: {})",
                    REQUIRED.join(", ")
                ));
            }
        }
        Ok(m)
    }

    /// Which column (0-based) each mapped field is in, from the heading row.
    ///
    /// Errors: every heading the map names that the sheet lacks, with the
    /// headings it has.
    pub fn locate(&self, headings: &[String]) -> Result<BTreeMap<String, usize>, String> {
        let mut out = BTreeMap::new();
        let mut missing = Vec::new();
        for (field, heading) in &self.columns {
            match headings
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(heading.trim()))
            {
                Some(i) => {
                    out.insert(field.clone(), i);
                }
                None => missing.push(format!("{heading:?} (for {field})")),
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(format!(
                "the first row has no column {}; it has {}",
                missing.join(", "),
                headings
                    .iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }

    /// A field's value in a row: the cell, translated by `[values.FIELD]`,
    /// else the default; `None` when neither gives one.
    pub fn get(&self, at: &BTreeMap<String, usize>, row: &[String], field: &str) -> Option<String> {
        let cell = at
            .get(field)
            .and_then(|i| row.get(*i))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        let value = cell.or_else(|| self.defaults.get(field).cloned())?;
        Some(self.translate(field, &value))
    }

    /// `[values.FIELD]`'s code for a word (ignoring case), else the word.
    pub fn translate(&self, field: &str, word: &str) -> String {
        self.values
            .get(field)
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case(word.trim()))
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| word.trim().to_string())
    }
}

/// The error values a spreadsheet shows in a cell whose formula failed, as
/// Excel, LibreOffice and calamine spell them (calamine's `CellErrorType`
/// displays as these; a CSV saved from a sheet holds them as text).
pub const SHEET_ERRORS: &[&str] = &[
    "#N/A",
    "#DIV/0!",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#DATA!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
];

/// The spreadsheet error a cell holds, if it is one (ignoring case and
/// spaces around it): such a cell is a row problem, never a value.
pub fn sheet_error(cell: &str) -> Option<&'static str> {
    let t = cell.trim();
    SHEET_ERRORS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(t))
        .copied()
}

/// A cell's address as a spreadsheet names it: column index 0 and row 5
/// is "A5", index 27 is "AB".
pub fn cell_name(column: usize, line: usize) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &line.to_string()
}

/// A row read and mapped, before the intake checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Spreadsheet row number (the heading row is 1).
    pub line: usize,
    pub raised: DateTime<Utc>,
    pub subject: SubjectKind,
    pub name: String,
    pub area: String,
    pub categories: Vec<String>,
    pub summary: String,
    pub reference: Option<String>,
    pub dob: String,
    pub age: String,
    pub risk: Risk,
    pub words: Option<String>,
    pub location: LocationType,
    pub consent: Consent,
    pub consent_reason: String,
    pub about: String,
    /// Closed in the old log: when, with which outcome and why.
    pub closed: Option<Closed>,
    /// What makes this row the same row next time (see [`key`]).
    pub key: String,
}

/// What a row says about its incident, compared when its log number comes
/// again (issue 20, I2): a number is one incident, so the same number with
/// other details is a row problem, never silently skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// When it was raised, UTC seconds.
    pub raised: i64,
    pub subject: String,
    pub name: String,
    pub area: String,
    /// Category codes, sorted.
    pub categories: Vec<String>,
    pub risk: String,
    /// The row's summary; `None` when not known (an earlier import's record
    /// keeps it only in its chronology line), and then not compared.
    pub summary: Option<String>,
    /// Date of birth (ISO date), when given.
    pub dob: Option<String>,
    /// Closed in the old log: (when, UTC seconds; outcome code; rationale).
    /// `None` for a row still open.
    pub closed: Option<(i64, String, String)>,
}

/// The words an imported closure's rationale ends with on the desk
/// (`store::workflow::close_imported`), left off when comparing.
pub const CLOSED_EARLIER: &str = " (closed in the earlier log)";

impl Details {
    /// A checked row's details, as `store::import` writes them.
    pub fn of(row: &Row, checked: &super::intake::Checked) -> Details {
        let mut categories = checked.categories.clone();
        categories.sort();
        Details {
            raised: row.raised.timestamp(),
            subject: checked.subject.code().to_string(),
            name: checked.name.clone(),
            area: checked.area.clone(),
            categories,
            risk: row.risk.code().to_string(),
            summary: Some(row.summary.clone()),
            dob: checked.dob.map(|d| d.to_string()),
            closed: row.closed.as_ref().map(|c| {
                (
                    c.at.timestamp(),
                    c.outcome.clone(),
                    c.rationale.trim().to_string(),
                )
            }),
        }
    }

    /// The words naming what differs ("date", "name", "area", ...), in the
    /// row's order; empty when the two say the same (names and areas
    /// ignoring case and spaces around them).
    pub fn differences(&self, other: &Details) -> Vec<&'static str> {
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let mut out = Vec::new();
        if self.raised != other.raised {
            out.push("date");
        }
        if self.subject != other.subject {
            out.push("subject");
        }
        if !same(&self.name, &other.name) {
            out.push("name");
        }
        if !same(&self.area, &other.area) {
            out.push("area");
        }
        if self.categories != other.categories {
            out.push("categories");
        }
        if self.risk != other.risk {
            out.push("risk");
        }
        if let (Some(a), Some(b)) = (&self.summary, &other.summary)
            && a.trim() != b.trim()
        {
            out.push("summary");
        }
        if self.dob != other.dob {
            out.push("date of birth");
        }
        match (&self.closed, &other.closed) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => out.push("status"),
            (Some((at, outcome, why)), Some((at2, outcome2, why2))) => {
                if at != at2 {
                    out.push("closing date");
                }
                if outcome != outcome2 {
                    out.push("outcome");
                }
                let plain = |w: &str| w.trim().trim_end_matches(CLOSED_EARLIER).trim().to_string();
                if plain(why) != plain(why2) {
                    out.push("closing note");
                }
            }
        }
        out
    }
}

/// A closure carried over from the old log.
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub rationale: String,
}

/// Reads a date and optional time as the UK writes them ("02/03/2025",
/// "02/03/2025 14:30", "2025-03-02T14:30", with an offset if the log kept
/// one: "2025-10-26T01:30+01:00", "26/10/2025 01:30 GMT") in UK time; a date
/// alone is noon, so a day is never moved by the clock change. Spreadsheet
/// cells holding dates arrive as ISO text (see `cli::import`).
///
/// Errors: an unreadable date or time; a time the clocks skipped, or one
/// that happened twice with no offset ([`super::calendar::typed_local`]).
pub fn parse_when(typed: &str) -> Result<DateTime<Utc>, String> {
    let t = typed.trim();
    let (date, time) = match t.split_once(['T', ' ']) {
        Some((d, rest)) if rest.trim().contains(':') => (d.trim(), Some(rest.trim())),
        _ => (t, None),
    };
    let d: NaiveDate = super::intake::parse_uk_date(date)?;
    let (time, offset) = match time {
        None => (NaiveTime::from_hms_opt(12, 0, 0).expect("noon"), None),
        Some(s) => {
            let (s, offset) = super::calendar::split_offset(s);
            let tm = NaiveTime::parse_from_str(s, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
                .map_err(|_| format!("{s:?} is not a time: write HH:MM, e.g. 14:30"))?;
            (tm, offset)
        }
    };
    super::calendar::typed_local(d, time, offset)
}

/// What an imported record holds as who raised it: the importing account's
/// name, marked (the earlier log does not say who raised it; the documents
/// give the account's username with `imported: true`, `domain::json`).
pub fn imported_raiser(display_name: &str) -> String {
    format!("{display_name} (imported from the earlier log)")
}

/// The key of a row: the old log's own reference when mapped (so a row
/// corrected in the sheet is still the same row), else a SHA-256 of the
/// mapped values, so importing the same file twice matches every row.
pub fn key(reference: Option<&str>, parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    match reference {
        Some(r) => {
            h.update(b"ref\0");
            h.update(r.trim().to_lowercase().as_bytes());
        }
        None => {
            for p in parts {
                h.update((p.len() as u64).to_le_bytes());
                h.update(p.as_bytes());
            }
        }
    }
    format!("{:x}", h.finalize())
}

/// Maps one row. `line` is its spreadsheet row number. Errors: every
/// problem of the row's mapping, each naming its field and what to write.
pub fn map_row(
    map: &Map,
    at: &BTreeMap<String, usize>,
    row: &[String],
    line: usize,
) -> Result<Row, Vec<String>> {
    let (r, problems, _) = map_row_partial(map, at, row, line);
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

/// Which of a row's fields could be read: the checks that depend on them
/// are skipped when not (an age judged on an unreadable date would be a
/// second, false problem).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readable {
    pub raised: bool,
    pub subject: bool,
}

/// [`map_row`] that maps what it can whatever else is wrong: the row (with
/// defaults where a field could not be read), every mapping problem, and
/// which fields the checks after it may rely on.
pub fn map_row_partial(
    map: &Map,
    at: &BTreeMap<String, usize>,
    row: &[String],
    line: usize,
) -> (Row, Vec<String>, Readable) {
    let mut problems = Vec::new();
    let mut need = |field: &str| -> String {
        map.get(at, row, field).unwrap_or_else(|| {
            problems.push(format!("{field}: empty"));
            String::new()
        })
    };
    let raised_text = need("raised");
    let subject_text = need("subject");
    let name = need("name");
    let area = need("area");
    let categories_text = need("categories");
    let summary = need("summary");
    let opt = |field: &str| map.get(at, row, field);
    let raised = (!raised_text.is_empty())
        .then(|| parse_when(&raised_text).map_err(|e| format!("raised: {e}")))
        .transpose()
        .unwrap_or_else(|e| {
            problems.push(e);
            None
        });
    let subject = if subject_text.is_empty() {
        None
    } else {
        let code = subject_text.to_lowercase();
        SubjectKind::from_code(&code).or_else(|| {
            problems.push(format!(
                "subject: {subject_text:?} is not child, adult or staff (map it in [values.subject])"
            ));
            None
        })
    };
    let categories: Vec<String> = categories_text
        .split([',', ';', '/'])
        .map(|c| map.translate("categories", c).to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let risk = match opt("risk") {
        None => Risk::Medium,
        Some(r) => Risk::from_code(&r.to_lowercase()).unwrap_or_else(|| {
            problems.push(format!(
                "risk: {r:?} is not low, medium or high (map it in [values.risk])"
            ));
            Risk::Medium
        }),
    };
    let location = match opt("location") {
        None => LocationType::Unknown,
        Some(l) => {
            let code = l.to_lowercase().replace('-', "_");
            LocationType::from_code(&code).unwrap_or_else(|| {
                problems.push(format!(
                    "location: {l:?} is not a place: use {} (or map it in [values.location])",
                    LocationType::ALL
                        .iter()
                        .map(|x| x.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                LocationType::Unknown
            })
        }
    };
    let consent = match opt("consent") {
        None => Consent::Sought,
        Some(c) => Consent::parse(&c).unwrap_or_else(|e| {
            problems.push(format!("consent: {e}"));
            Consent::Sought
        }),
    };
    let closed = match opt("status").map(|s| s.to_lowercase()) {
        None => None,
        Some(s) if s == "open" => None,
        Some(s) if s == "closed" => {
            let at = match opt("closed") {
                Some(c) => parse_when(&c).unwrap_or_else(|e| {
                    problems.push(format!("closed: {e}"));
                    raised.unwrap_or_default()
                }),
                None => raised.unwrap_or_default(),
            };
            let outcome = opt("outcome").unwrap_or_else(|| {
                problems.push("outcome: a closed row needs its outcome".into());
                String::new()
            });
            Some(Closed {
                at,
                outcome,
                rationale: opt("rationale")
                    .unwrap_or_else(|| "Closed in the earlier log (imported).".into()),
            })
        }
        Some(s) => {
            problems.push(format!(
                "status: {s:?} is not open or closed (map it in [values.status])"
            ));
            None
        }
    };
    let readable = Readable {
        raised: raised.is_some(),
        subject: subject.is_some(),
    };
    let reference = opt("reference");
    let raised = raised.unwrap_or_default();
    let raised_s = raised.to_rfc3339();
    let key = key(
        reference.as_deref(),
        &[
            &raised_s,
            &subject_text,
            &name,
            &area,
            &categories_text,
            &summary,
        ],
    );
    let row = Row {
        line,
        raised,
        subject: subject.unwrap_or(SubjectKind::Child),
        name,
        area,
        categories,
        summary,
        reference,
        dob: opt("dob").unwrap_or_default(),
        age: opt("age").unwrap_or_default(),
        risk,
        words: opt("words"),
        location,
        consent,
        consent_reason: opt("consent_reason").unwrap_or_default(),
        about: opt("about").unwrap_or_default(),
        closed,
        key,
    };
    (row, problems, readable)
}

/// What a row is checked against beyond its own cells: the desk's areas,
/// staff and closure outcomes, who imports, and when.
pub struct Desk<'a> {
    pub areas: &'a [super::area::Area],
    pub staff: &'a [super::staff::StaffMember],
    pub outcomes: &'a [String],
    /// The active category codes.
    pub categories: &'a [String],
    pub me: &'a str,
    pub now: DateTime<Utc>,
}

/// Maps and checks one row as intake checks a new concern: every problem of
/// the row, each "row N: field: what to write", not only the first (a bad
/// date and an unknown area are both said, so the log is fixed in one
/// pass). Checks that depend on a field that could not be read are left
/// until it can (see [`Readable`]).
pub fn check_row(
    map: &Map,
    at: &BTreeMap<String, usize>,
    cells: &[String],
    line: usize,
    desk: &Desk<'_>,
) -> Result<(Row, super::intake::Checked), Vec<String>> {
    // A spreadsheet error in any mapped column is said by its cell, and the
    // cell is read as empty so it is never taken as text (issue 20, I1).
    let mut errors: Vec<String> = Vec::new();
    let mut cells = cells.to_vec();
    for (field, col) in at {
        if let Some(cell) = cells.get_mut(*col)
            && let Some(e) = sheet_error(cell)
        {
            errors.push(format!(
                "row {line}: {field}: cell {} (column {:?}) holds the spreadsheet error {e}, not a value: correct the cell or clear it, then import again",
                cell_name(*col, line),
                map.columns.get(field).map(String::as_str).unwrap_or(field),
            ));
            cell.clear();
        }
    }
    let cells = cells.as_slice();
    let (row, mapping, readable) = map_row_partial(map, at, cells, line);
    let mut problems: Vec<String> = errors.clone();
    problems.extend(
        mapping
            .into_iter()
            .map(|p| format!("row {line}: {p}"))
            .filter(|p| {
                !errors
                    .iter()
                    .any(|e| p.split(':').nth(1) == e.split(':').nth(1))
            }),
    );
    let input = super::intake::Input {
        subject: readable.subject.then_some(row.subject),
        name: row.name.clone(),
        dob: row.dob.clone(),
        expected: String::new(),
        age: row.age.clone(),
        area: row.area.clone(),
        work_area: String::new(),
        works_with: None,
        low_level: false,
        consent: Some(row.consent),
        consent_reason: row.consent_reason.clone(),
        location: Some(row.location),
        categories: row.categories.clone(),
        immediate_risk: false,
        called_999: false,
    };
    // Ages and dates are judged on the day it was raised.
    let day = super::calendar::local(if readable.raised {
        row.raised
    } else {
        desk.now
    })
    .date_naive();
    let said: Vec<String> = problems.clone();
    let checked = match super::intake::check(&input, day, desk.areas) {
        Ok(c) => Some(c),
        Err(ps) => {
            for p in ps {
                let depends = matches!(p.field, "subject" | "dob" | "age" | "expected");
                let already = said
                    .iter()
                    .any(|s| s.starts_with(&format!("row {line}: {}:", p.field)));
                // An empty required cell is said once, by the mapping.
                if already || (depends && !(readable.raised && readable.subject)) {
                    continue;
                }
                problems.push(format!("row {line}: {}: {}", p.field, p.message));
            }
            None
        }
    };
    if readable.subject
        && !row.name.trim().is_empty()
        && let Err(e) = super::names::decide(
            row.subject == SubjectKind::Staff,
            &row.name,
            &super::names::About::parse(&row.about),
            desk.staff,
            desk.me,
        )
    {
        problems.push(format!(
            "row {line}: {e} (map a column to `about` with the account, or \"none\")"
        ));
    }
    for code in &row.categories {
        if !desk.categories.contains(code) {
            problems.push(format!(
                "row {line}: categories: {code:?} is not a category: use {} (or map the log's words in [values.categories])",
                desk.categories.join(", ")
            ));
        }
    }
    if let Some(c) = &row.closed
        && !c.outcome.is_empty()
        && !desk.outcomes.contains(&c.outcome)
    {
        problems.push(format!(
            "row {line}: outcome {:?} is not one of this desk's: {} (map the log's words in [values.outcome])",
            c.outcome,
            desk.outcomes.join(", ")
        ));
    }
    if readable.raised && row.raised > desk.now {
        problems.push(format!("row {line}: raised: in the future"));
    }
    match checked {
        Some(c) if problems.is_empty() => Ok((row, c)),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = r#"
[columns]
raised = "Date"
subject = "About"
name = "Name"
area = "Area"
categories = "Type"
summary = "What happened"
status = "Status"
outcome = "Outcome"
[values.subject]
"Young person" = "child"
[values.categories]
"Sexual" = "sexual"
[values.outcome]
"NFA" = "no-further-action"
[defaults]
risk = "medium"
"#;

    fn headings() -> Vec<String> {
        [
            "Date",
            "About",
            "Name",
            "Area",
            "Type",
            "What happened",
            "Status",
            "Outcome",
        ]
        .map(String::from)
        .to_vec()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_row_maps_with_the_logs_words_and_uk_dates() {
        let m = Map::parse(MAP).unwrap();
        let at = m.locate(&headings()).unwrap();
        let r = map_row(
            &m,
            &at,
            &row(&[
                "02/03/2025 14:30",
                "young person",
                "Kit Moss",
                "Rutland",
                "Sexual; neglect",
                "disclosed at school",
                "Closed",
                "NFA",
            ]),
            2,
        )
        .unwrap();
        assert_eq!(r.subject, SubjectKind::Child);
        assert_eq!(r.categories, vec!["sexual", "neglect"]);
        // 14:30 GMT on 2 March 2025.
        assert_eq!(r.raised.to_rfc3339(), "2025-03-02T14:30:00+00:00");
        assert_eq!(r.closed.as_ref().unwrap().outcome, "no-further-action");
        // Summer time: 14:30 BST is 13:30 UTC.
        assert_eq!(
            parse_when("02/07/2025 14:30").unwrap().to_rfc3339(),
            "2025-07-02T13:30:00+00:00"
        );
    }

    #[test]
    fn problems_name_the_field_and_the_same_row_has_the_same_key() {
        let m = Map::parse(MAP).unwrap();
        let at = m.locate(&headings()).unwrap();
        let bad = map_row(
            &m,
            &at,
            &row(&["31/02/2025", "pupil", "", "Rutland", "x", "y", "", ""]),
            3,
        )
        .unwrap_err();
        assert!(bad.iter().any(|p| p.starts_with("raised:")), "{bad:?}");
        assert!(bad.iter().any(|p| p.starts_with("subject:")), "{bad:?}");
        assert!(bad.iter().any(|p| p == "name: empty"), "{bad:?}");
        let cells = row(&[
            "2025-03-02",
            "adult",
            "A B",
            "Rutland",
            "neglect",
            "s",
            "",
            "",
        ]);
        let a = map_row(&m, &at, &cells, 2).unwrap();
        let b = map_row(&m, &at, &cells, 9).unwrap();
        assert_eq!(a.key, b.key, "the key does not depend on the row's place");
    }

    #[test]
    fn a_map_names_unknown_fields_and_missing_columns() {
        let e = Map::parse("[columns]\nraised = \"D\"\nnmae = \"N\"\n").unwrap_err();
        assert!(e.contains("\"nmae\"") && e.contains("name"), "{e}");
        let e = Map::parse("[columns]\nraised = \"D\"\n").unwrap_err();
        assert!(e.contains("subject"), "{e}");
        let m = Map::parse(MAP).unwrap();
        let e = m.locate(&["Date".to_string()]).unwrap_err();
        assert!(e.contains("\"About\" (for subject)"), "{e}");
    }
}
