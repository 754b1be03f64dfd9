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
use serde_json::Value;

// The envelope and the shared views are pure (`domain::json`): an export
// writes its JSON through them from the store too.
pub use crate::domain::json::{People, SCHEMA_VERSION, normalise, time};

/// Prints one document: the envelope, then `fields` (an object, or any
/// value put under `items`), every instant normalised.
pub fn print(
    document: &str,
    now: DateTime<Utc>,
    fields: impl serde::Serialize,
) -> Result<(), Failure> {
    let body = serde_json::to_value(fields).map_err(anyhow::Error::from)?;
    let v = crate::domain::json::envelope(document, now, body);
    say!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?
    )?;
    Ok(())
}

/// Category label → code, for rows that carry labels.
pub fn category_codes(
    cats: &[crate::store::categories::Category],
    labels: &[String],
) -> Vec<Value> {
    crate::domain::json::category_codes(&code_of(cats), labels)
}

/// A label's code among `cats`.
pub fn code_of(
    cats: &[crate::store::categories::Category],
) -> impl Fn(&str) -> Option<String> + '_ {
    move |l| cats.iter().find(|c| c.label == l).map(|c| c.code.clone())
}

/// One escalation of a list, as `dutydesk list --json` and `show --json`
/// write it.
pub fn summary(
    s: &crate::domain::escalation::EscalationSummary,
    people: &People,
    cats: &[crate::store::categories::Category],
) -> Value {
    crate::domain::json::summary(s, people, &code_of(cats))
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
        Items::begin_with(document, now, &[])
    }

    /// [`Items::begin`] with the document's other keys (known before its
    /// items: e.g. a search's `understood`, `filters` and `more`), written in
    /// the envelope before `items`.
    pub fn begin_with(
        document: &str,
        now: DateTime<Utc>,
        extra: &[(&str, Value)],
    ) -> Result<Items, Failure> {
        Items::begin_list(document, now, extra, "items")
    }

    /// [`Items::begin_with`] for a document whose long list has another
    /// name than `items` (the handover's `due`).
    pub fn begin_list(
        document: &str,
        now: DateTime<Utc>,
        extra: &[(&str, Value)],
        list: &str,
    ) -> Result<Items, Failure> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        let head = |k: &str, v: Value| -> Result<String, Failure> {
            Ok(format!(
                "  {}: {},\n",
                serde_json::to_string(k).map_err(anyhow::Error::from)?,
                serde_json::to_string(&v).map_err(anyhow::Error::from)?
            ))
        };
        let mut others = String::new();
        for (k, v) in extra {
            let mut v = v.clone();
            normalise(&mut v);
            others.push_str(&head(k, v)?);
        }
        let text = format!(
            "{{\n{}{}{}{others}  {}: [",
            head("schema_version", Value::from(SCHEMA_VERSION))?,
            head("document", Value::from(document))?,
            head("generated_at", Value::from(time(now)))?,
            serde_json::to_string(list).map_err(anyhow::Error::from)?,
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

    /// Writes one item that is an object holding a long list of its own
    /// (`key`): `head`'s other keys first, then each element `fill` hands to
    /// the writer it is given, written as it comes (issue 21: a review
    /// series' year of agenda items, 300,000 on a busy desk, is never held
    /// as one value). Each element on a line of its own.
    pub fn item_with_list(
        &mut self,
        mut head: Value,
        key: &str,
        fill: impl FnOnce(&mut dyn FnMut(Value) -> Result<(), Failure>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        use std::io::Write;
        let io = |e: std::io::Error| Failure::from(anyhow::Error::from(e));
        let js =
            |v: &Value| serde_json::to_string(v).map_err(|e| Failure::from(anyhow::Error::from(e)));
        if let Some(m) = head.as_object_mut() {
            m.remove(key);
        }
        normalise(&mut head);
        let sep = if self.n == 0 { "\n" } else { ",\n" };
        self.out.write_all(sep.as_bytes()).map_err(io)?;
        self.out.write_all(b"    {").map_err(io)?;
        if let Some(m) = head.as_object() {
            for (k, v) in m {
                write!(
                    self.out,
                    "\n      {}: {},",
                    js(&Value::from(k.as_str()))?,
                    js(v)?
                )
                .map_err(io)?;
            }
        }
        write!(self.out, "\n      {}: [", js(&Value::from(key))?).map_err(io)?;
        let mut n = 0usize;
        let out = &mut self.out;
        fill(&mut |mut v: Value| {
            normalise(&mut v);
            let sep = if n == 0 { "\n" } else { ",\n" };
            write!(out, "{sep}        {}", js(&v)?).map_err(io)?;
            n += 1;
            Ok(())
        })?;
        let close = if n == 0 {
            "]\n    }"
        } else {
            "\n      ]\n    }"
        };
        self.out.write_all(close.as_bytes()).map_err(io)?;
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
