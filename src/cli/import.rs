//! `dutydesk import LOG --map MAP [--dry-run]`: an earlier incident log (CSV
//! or an Excel workbook's first sheet) brought in as escalations, all or
//! nothing, every row through the intake checks (issue 20, point 4). The
//! files are read with the user's own permissions, as every file they name.

use super::{Failure, Outcome, bad_input, clock, refused, whoami};
use crate::domain::import::{Map, Row, check_row};
use crate::domain::intake;
use crate::store::{self, Create};
use std::path::Path;

/// Every row of the first sheet of `file` as text, headings first. CSV by
/// the csv crate; .xlsx/.xlsm/.xls/.ods by calamine, date cells as ISO text
/// ("2025-03-02 14:30"), numbers as written.
fn read_sheet(file: &Path) -> Result<Vec<Vec<String>>, Failure> {
    let bytes = store::files::read_as_user(file)
        .map_err(|e| bad_input(format!("cannot read {}: {e}", file.display())))?;
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "csv" || ext == "txt" {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        return r
            .records()
            .enumerate()
            .map(|(i, rec)| {
                rec.map(|rec| rec.iter().map(str::to_string).collect())
                    .map_err(|e| {
                        bad_input(format!(
                            "{} row {}: {e}; nothing imported",
                            file.display(),
                            i + 1
                        ))
                    })
            })
            .collect();
    }
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| {
            bad_input(format!(
                "{} is neither CSV nor a spreadsheet dutydesk reads (.xlsx, .xls, .ods): {e}; nothing imported",
                file.display()
            ))
        })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad_input(format!("{} has no sheet; nothing imported", file.display())))?
        .map_err(|e| bad_input(format!("{}: {e}; nothing imported", file.display())))?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell).collect())
        .collect())
}

/// One spreadsheet cell as the text a person would type.
fn cell(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => d.as_f64().to_string(),
        },
        // As the sheet shows it ("#N/A", "#DIV/0!"): the row check refuses
        // it by cell (`domain::import::sheet_error`), never imports it.
        Data::Error(e) => e.to_string(),
    }
}

/// The import: read, map, check every row (all problems, by row), plan,
/// then write everything in one transaction (or, with `dry_run`, say what
/// would happen). Viewers and deputies are refused: bringing in a log is
/// keeping the desk, for DSLs and senior leads.
pub fn run(path: &Path, log: &Path, map_file: &Path, dry_run: bool) -> Outcome {
    let now = clock()?.now();
    let map_text = store::files::read_as_user(map_file)
        .map_err(|e| bad_input(format!("cannot read {}: {e}", map_file.display())))?;
    let map = Map::parse(&String::from_utf8_lossy(&map_text))
        .map_err(|e| bad_input(format!("{}: {e}", map_file.display())))?;
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    if !me.role.manages_desk() {
        return Err(refused(
            "only a DSL or senior lead may import an earlier log; ask one",
        ));
    }
    let sheet = read_sheet(log)?;
    let Some((headings, rows)) = sheet.split_first() else {
        return Err(bad_input(format!(
            "{} is empty: the first row must name the columns",
            log.display()
        )));
    };
    let at = map
        .locate(headings)
        .map_err(|e| bad_input(format!("{}: {e}; nothing imported", log.display())))?;
    let areas = store::areas::list(st.conn())?;
    let staff = store::staff::list(&st)?;
    let outcomes = store::workflow::outcomes(st.conn())?;
    let categories: Vec<String> = store::escalations::categories(st.conn())?
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let mut problems: Vec<String> = Vec::new();
    let mut good: Vec<(Row, intake::Checked)> = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        let line = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let desk = crate::domain::import::Desk {
            areas: &areas,
            staff: &staff,
            outcomes: &outcomes,
            categories: &categories,
            me: &me.username,
            now,
        };
        let (row, checked) = match check_row(&map, &at, cells, line, &desk) {
            Ok(x) => x,
            Err(ps) => {
                problems.extend(ps);
                continue;
            }
        };
        good.push((row, checked));
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        return Err(bad_input(format!(
            "{} problem(s) in {}; nothing imported",
            problems.len(),
            log.display()
        )));
    }
    let plan = store::import::plan(&st, &good)?;
    let differs: Vec<&String> = plan
        .iter()
        .filter_map(|s| match s {
            store::import::Step::Differs { problem, .. } => Some(problem),
            _ => None,
        })
        .collect();
    if !differs.is_empty() {
        for p in &differs {
            eprintln!("{p}");
        }
        return Err(bad_input(format!(
            "{} problem(s) in {}; nothing imported",
            differs.len(),
            log.display()
        )));
    }
    let new = plan
        .iter()
        .filter(|s| matches!(s, store::import::Step::New { .. }))
        .count();
    for s in &plan {
        if let store::import::Step::Already { line, reference } = s {
            say!("row {line}: already imported as {reference}")?;
        }
    }
    if dry_run || new == 0 {
        say!(
            "{new} row(s) to import, {} already imported{}",
            plan.len() - new,
            if dry_run {
                " (dry run: nothing written)"
            } else {
                ": nothing to write"
            }
        )?;
        return Ok(());
    }
    let source = log
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "log".into());
    let done = st
        .write(&me.username, now, |w| {
            store::import::apply(w, &good, &source)
        })
        .map_err(Failure::from)?;
    for d in &done {
        say!(
            "row {}: {}{}",
            d.line,
            d.reference,
            if d.restricted { " (restricted)" } else { "" }
        )?;
    }
    eprintln!(
        "Imported {} row(s) from {}; {} already imported.",
        done.len(),
        log.display(),
        plan.len() - done.len()
    );
    Ok(())
}
