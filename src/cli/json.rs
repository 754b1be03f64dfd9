//! Stable JSON for scripts and partner agencies (issue 20, point 3): every
//! document printed by `--json` is one object with
//!
//! - `schema_version` (this module's [`SCHEMA_VERSION`]; raised when a field
//!   changes meaning or goes, never for an added field),
//! - `document` (what it is: `escalations`, `escalation`, `deadlines`...),
//! - `generated_at`, and the document's own fields;
//!
//! times are RFC 3339 with the UK offset of that instant
//! (`2026-11-23T09:00:00+00:00`, `2026-07-01T10:00:00+01:00`); people are
//! usernames, with display names in separate `*_name` fields; lists are codes,
//! with labels beside them. `docs/JSON.md` documents each document and
//! `docs/json/*.schema.json` are their JSON Schemas, which the tests check
//! the real output against.

use super::Failure;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The version of every document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// An instant as the documents write it: RFC 3339 with the UK offset.
pub fn time(t: DateTime<Utc>) -> String {
    crate::domain::calendar::local(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Whether a key names an instant (`at`, `*_at`, `due`, `since`, `until`,
/// `from`, `to` are never plain counts in these documents).
fn is_time_key(k: &str) -> bool {
    k == "at" || k.ends_with("_at") || k == "due"
}

/// Rewrites every instant in a value: RFC 3339 text in UTC (`...Z`) to the
/// UK offset, and integer Unix seconds under a time key to RFC 3339. Keys
/// stay as they are.
pub fn normalise(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if is_time_key(k)
                    && let Some(n) = x.as_i64()
                    && let Some(t) = DateTime::<Utc>::from_timestamp(n, 0)
                {
                    *x = Value::String(time(t));
                    continue;
                }
                normalise(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalise),
        Value::String(s) => {
            if s.len() >= 20
                && s.as_bytes().get(4) == Some(&b'-')
                && s.as_bytes().get(10) == Some(&b'T')
                && let Ok(t) = DateTime::parse_from_rfc3339(s)
            {
                *s = time(t.with_timezone(&Utc));
            }
        }
        _ => {}
    }
}

/// Prints one document: the envelope, then `fields` (an object, or any
/// value put under `items`), every instant normalised.
pub fn print(
    document: &str,
    now: DateTime<Utc>,
    fields: impl serde::Serialize,
) -> Result<(), Failure> {
    let body = serde_json::to_value(fields).map_err(anyhow::Error::from)?;
    let mut out = Map::new();
    out.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
    out.insert("document".into(), Value::from(document));
    out.insert("generated_at".into(), Value::from(time(now)));
    match body {
        Value::Object(m) => out.extend(m),
        other => {
            out.insert("items".into(), other);
        }
    }
    let mut v = Value::Object(out);
    normalise(&mut v);
    println!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?
    );
    Ok(())
}

/// Display name → username, for documents built from rows that carry only
/// names; a name two accounts share gives no username (`null`).
pub struct People(std::collections::HashMap<String, Option<String>>);

impl People {
    pub fn of(staff: &[crate::domain::staff::StaffMember]) -> People {
        let mut m: std::collections::HashMap<String, Option<String>> =
            std::collections::HashMap::new();
        for s in staff {
            m.entry(s.display_name.clone())
                .and_modify(|u| *u = None)
                .or_insert_with(|| Some(s.username.clone()));
        }
        People(m)
    }

    /// The username of a display name, if exactly one account has it.
    pub fn username(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned().flatten()
    }
}

/// Category label → code, for rows that carry labels.
pub fn category_codes(
    cats: &[crate::store::categories::Category],
    labels: &[String],
) -> Vec<Value> {
    labels
        .iter()
        .map(|l| {
            let code = cats.iter().find(|c| &c.label == l).map(|c| c.code.clone());
            serde_json::json!({ "code": code, "label": l })
        })
        .collect()
}

/// One escalation of a list, as `dutydesk list --json` and `show --json`
/// write it.
pub fn summary(
    s: &crate::domain::escalation::EscalationSummary,
    people: &People,
    cats: &[crate::store::categories::Category],
) -> Value {
    serde_json::json!({
        "reference": s.reference,
        "subject": s.subject_kind.code(),
        "categories": category_codes(cats, &s.categories),
        "risk": s.risk.code(),
        "status": s.status.code(),
        "awaiting_signoff": s.awaiting_signoff,
        "assignee": s.assignee.as_deref().map(|n| people.username(n)),
        "assignee_name": s.assignee,
        "raised_at": time(s.raised_at),
        "acknowledged": s.acknowledged,
        "immediate_risk": s.immediate_risk,
        "emergency_called": s.emergency_called,
        "restricted": s.restricted,
        "next_due": s.next_due.as_ref().map(|d| serde_json::json!({
            "at": time(d.at),
            "label": d.label,
            "warn_minutes": d.warn_minutes,
        })),
        "linked_12m": s.linked_12m,
        "version": s.version,
    })
}

/// A document whose list (`items`) is written item by item as the store
/// reads it, inside the same envelope as [`print`]: memory stays bounded
/// whatever the list's length (issue 21: `deadlines --json --all` held 1.8 GB
/// at a million cases). Each item's instants are normalised as [`print`]'s.
pub struct Items {
    out: std::io::BufWriter<std::io::Stdout>,
    n: usize,
}

impl Items {
    /// Writes the envelope up to the opening of `items`.
    pub fn begin(document: &str, now: DateTime<Utc>) -> Result<Items, Failure> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        let head = |k: &str, v: Value| -> Result<String, Failure> {
            Ok(format!(
                "  {}: {},\n",
                serde_json::to_string(k).map_err(anyhow::Error::from)?,
                serde_json::to_string(&v).map_err(anyhow::Error::from)?
            ))
        };
        let text = format!(
            "{{\n{}{}{}  \"items\": [",
            head("schema_version", Value::from(SCHEMA_VERSION))?,
            head("document", Value::from(document))?,
            head("generated_at", Value::from(time(now)))?,
        );
        out.write_all(text.as_bytes())
            .map_err(anyhow::Error::from)?;
        Ok(Items { out, n: 0 })
    }

    /// Writes one item.
    pub fn item(&mut self, item: impl serde::Serialize) -> Result<(), Failure> {
        use std::io::Write;
        let mut v = serde_json::to_value(item).map_err(anyhow::Error::from)?;
        normalise(&mut v);
        let text = serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?;
        let sep = if self.n == 0 { "\n" } else { ",\n" };
        self.out
            .write_all(sep.as_bytes())
            .map_err(anyhow::Error::from)?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n").map_err(anyhow::Error::from)?;
            }
            self.out.write_all(b"    ").map_err(anyhow::Error::from)?;
            self.out
                .write_all(line.as_bytes())
                .map_err(anyhow::Error::from)?;
        }
        self.n += 1;
        Ok(())
    }

    /// Closes the list and the document.
    pub fn end(mut self) -> Result<(), Failure> {
        use std::io::Write;
        let close = if self.n == 0 { "]\n}\n" } else { "\n  ]\n}\n" };
        self.out
            .write_all(close.as_bytes())
            .map_err(anyhow::Error::from)?;
        self.out.flush().map_err(anyhow::Error::from)?;
        Ok(())
    }
}
