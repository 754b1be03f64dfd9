//! Bank holidays, for counting working days.

use super::{Result, Store, Write};
use crate::domain::calendar::BankHoliday;
use chrono::NaiveDate;
use rusqlite::params;

/// Inserts or updates holidays of one division; importing the same file twice
/// changes nothing. Returns how many rows were new or changed.
pub fn import(w: &mut Write<'_>, division: &str, holidays: &[BankHoliday]) -> Result<usize> {
    let mut changed = 0;
    {
        let mut stmt = w.tx().prepare_cached(
            "INSERT INTO bank_holidays (division, date, title, notes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (division, date) DO UPDATE SET title = excluded.title, notes = excluded.notes
             WHERE title <> excluded.title OR notes <> excluded.notes",
        )?;
        for h in holidays {
            changed += stmt.execute(params![division, h.date.to_string(), h.title, h.notes])?;
        }
    }
    w.audit(
        "import",
        "bank_holidays",
        Some(division),
        Some(&format!(
            "{} holidays, {changed} new or changed",
            holidays.len()
        )),
    )?;
    Ok(changed)
}

/// Holidays of a division, optionally one year, in date order.
pub fn list(store: &Store, division: &str, year: Option<i32>) -> Result<Vec<BankHoliday>> {
    let mut stmt = store.conn().prepare(
        "SELECT date, title, notes FROM bank_holidays
         WHERE division = ?1 AND (?2 IS NULL OR substr(date, 1, 4) = printf('%04d', ?2))
         ORDER BY date",
    )?;
    let rows = stmt.query_map(params![division, year], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (date, title, notes) = row?;
        if let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            out.push(BankHoliday {
                date,
                title: crate::domain::text::clean_line(&title),
                notes: crate::domain::text::clean_line(&notes),
            });
        }
    }
    Ok(out)
}
