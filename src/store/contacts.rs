//! Contacts: who to ring for a route and area, now.

use super::{Result, settings};
use crate::domain::hours::{Hours, Span};
use crate::domain::text::clean_line;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

/// A contact as offered for a referral: open now or not, and what to ring
/// instead when it is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactNow {
    pub id: i64,
    pub organisation: String,
    pub service: String,
    pub area: Option<String>,
    pub phone: Option<String>,
    pub open_now: bool,
    /// When closed: the fallback's (id, service, phone).
    pub instead: Option<(i64, String, Option<String>)>,
}

fn hours(conn: &Connection, id: i64, always: bool, bank: bool) -> Result<Hours> {
    let mut stmt = conn
        .prepare_cached("SELECT weekday, opens, closes FROM contact_hours WHERE contact_id = ?1")?;
    let spans = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, u8>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .filter_map(|x| x.ok())
        .filter_map(|(d, o, c)| {
            Some(Span {
                weekday: d,
                opens: NaiveTime::parse_from_str(&o, "%H:%M").ok()?,
                closes: NaiveTime::parse_from_str(&c, "%H:%M").ok()?,
            })
        })
        .collect();
    Ok(Hours {
        always_open: always,
        open_on_bank_holidays: bank,
        spans,
    })
}

/// Contacts for a route: those for the area first, then those for any area;
/// each says whether it is open at `now`.
pub fn for_route(
    conn: &Connection,
    route: &str,
    area: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ContactNow>> {
    let division = settings::division(conn)?;
    let mut hol = conn.prepare_cached("SELECT date FROM bank_holidays WHERE division = ?1")?;
    let holidays: Vec<NaiveDate> = hol
        .query_map([division], |r| r.get::<_, String>(0))?
        .filter_map(|d| d.ok())
        .filter_map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .collect();
    let is_holiday = |d: NaiveDate| holidays.contains(&d);
    let mut stmt = conn.prepare_cached(
        "SELECT id, organisation, service, area, phone, always_open, open_on_bank_holidays, fallback_id
         FROM contacts WHERE route = ?1 AND active = 1
           AND (area IS NULL OR lower(area) = lower(?2))
         ORDER BY area IS NULL, organisation, service",
    )?;
    let rows = stmt
        .query_map(params![route, area.trim()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, org, service, area, phone, always, bank, fallback) in rows {
        let open_now = hours(conn, id, always, bank)?.open_at(now, is_holiday);
        let instead = match (open_now, fallback) {
            (false, Some(f)) => conn
                .query_row(
                    "SELECT id, service, phone FROM contacts WHERE id = ?1",
                    [f],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            clean_line(&r.get::<_, String>(1)?),
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .ok(),
            _ => None,
        };
        out.push(ContactNow {
            id,
            organisation: clean_line(&org),
            service: clean_line(&service),
            area: area.map(|a| clean_line(&a)),
            phone: phone.map(|p| clean_line(&p)),
            open_now,
            instead,
        });
    }
    Ok(out)
}
