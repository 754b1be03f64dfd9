//! Stable JSON for scripts and partner agencies (issue 20, point 3): every
//! document, whether printed by a command's `--json` or written by `export`
//! to a file, is one object with
//!
//! - `schema_version` ([`SCHEMA_VERSION`]; raised when a field changes
//!   meaning or goes, never for an added field),
//! - `document` (what it is: `escalations`, `escalation`, `export`...),
//! - `generated_at`, and the document's own fields;
//!
//! times are RFC 3339 with the UK offset of that instant
//! (`2026-11-23T09:00:00+00:00`, `2026-07-01T10:00:00+01:00`); people are
//! usernames, with display names in separate `*_name` fields; lists are
//! codes, with labels beside them. `docs/JSON.md` documents each document
//! and `docs/json/*.schema.json` are their JSON Schemas, which
//! `tests/json.rs` checks the real output of every command against. Pure:
//! the command line prints these (`cli::json`), the store writes an
//! export's through them (`domain::export`).

use super::escalation::{EscalationDetail, EscalationSummary};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The version of every document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// An instant as the documents write it: RFC 3339 with the UK offset.
pub fn time(t: DateTime<Utc>) -> String {
    super::calendar::local(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Whether a key names an instant (`at`, `*_at`, `due` are never plain
/// counts in these documents).
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

/// One whole document: the envelope, then `body` (an object's fields, or
/// any other value put under `items`), every instant normalised.
pub fn envelope(document: &str, now: DateTime<Utc>, body: Value) -> Value {
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
    v
}

/// Keys that hold a staff member's display name in the desk's own types
/// (tasks, attachments, people involved, referrals): in a document each
/// becomes the username, with the name beside it as `KEY_name`
/// ([`People::accounts`]). Not the FGM report's `reported_by` nor the
/// raiser's `name`: those are whoever it was, typed, often not on the desk.
pub const NAME_KEYS: &[&str] = &["owner", "created_by", "closed_by", "added_by", "made_by"];

/// Display name → username, for documents built from rows that carry only
/// names; a name two accounts share, or one no account has (a redacted
/// name, someone outside the desk), gives no username (`null`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People(std::collections::HashMap<String, Option<String>>);

impl People {
    pub fn of(staff: &[super::staff::StaffMember]) -> People {
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

    /// Every [`NAME_KEYS`] field holding a name, anywhere in `v`, becomes
    /// the username (or `null`) with the name beside it as `KEY_name`
    /// (kept as it is where that field already exists).
    pub fn accounts(&self, v: &mut Value) {
        match v {
            Value::Object(m) => {
                let keys: Vec<String> = m
                    .keys()
                    .filter(|k| NAME_KEYS.contains(&k.as_str()))
                    .filter(|k| !m.contains_key(&format!("{k}_name")))
                    .cloned()
                    .collect();
                for k in keys {
                    if let Some(Value::String(name)) = m.get(&k).cloned() {
                        m.insert(
                            k.clone(),
                            self.username(&name).map_or(Value::Null, Value::from),
                        );
                        m.insert(format!("{k}_name"), Value::from(name));
                    }
                }
                m.values_mut().for_each(|x| self.accounts(x));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.accounts(x)),
            _ => {}
        }
    }
}

/// Category labels with their codes (`code_of` finds a label's code; a
/// label no category has any more gives `null`).
pub fn category_codes(code_of: &dyn Fn(&str) -> Option<String>, labels: &[String]) -> Vec<Value> {
    labels
        .iter()
        .map(|l| serde_json::json!({ "code": code_of(l), "label": l }))
        .collect()
}

/// One escalation of a list, as `list --json`, `show --json`, `search
/// --json` and an export write it.
pub fn summary(
    s: &EscalationSummary,
    people: &People,
    code_of: &dyn Fn(&str) -> Option<String>,
) -> Value {
    serde_json::json!({
        "reference": s.reference,
        "subject": s.subject_kind.code(),
        "categories": category_codes(code_of, &s.categories),
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

/// One record with its chronology, deadlines, practice and casework: the
/// body of `show --json` (document `escalation`) and of an export's JSON
/// (document `export`, after any redaction).
pub fn record(
    d: &EscalationDetail,
    people: &People,
    code_of: &dyn Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Value {
    let j = time;
    let mut practice = serde_json::to_value(&d.practice).unwrap_or_default();
    people.accounts(&mut practice);
    let mut casework = serde_json::to_value(&d.casework).unwrap_or_default();
    people.accounts(&mut casework);
    serde_json::json!({
        "escalation": summary(&d.summary, people, code_of),
        "subject_name": d.subject_name,
        "subject_dob": d.subject_dob,
        "age_band": d.age_band.code(),
        "area": d.area,
        "location": d.location_type.code(),
        "raised_by_name": d.raised_by,
        "occurred_at": d.occurred_at.map(j),
        "occurred_place": d.occurred_place,
        "exact_words": d.exact_words,
        "appearance": d.appearance,
        "consent": d.consent.code(),
        "consent_reason": d.consent_reason,
        "critical_incident": d.critical_incident,
        "low_level": d.low_level,
        "work_area": d.work_area,
        "works_with": d.works_with.map(|w| w.code()),
        "outcome": d.outcome,
        "closure_rationale": d.closure_rationale,
        "deadlines": d.deadlines.iter().map(|dl| serde_json::json!({
            "label": dl.label,
            "due_at": j(dl.due_at),
            "status": dl.status(now),
            "beyond_known_holidays": dl.beyond_calendar,
            "met_at": match &dl.state {
                super::deadline::DeadlineState::Met { at, .. } => Some(j(*at)),
                _ => None,
            },
            "waived_at": match &dl.state {
                super::deadline::DeadlineState::Waived { at, .. } => Some(j(*at)),
                _ => None,
            },
        })).collect::<Vec<_>>(),
        "chronology": d.chronology.iter().map(|c| serde_json::json!({
            "at": j(c.at),
            "author": people.username(&c.author),
            "author_name": c.author,
            "kind": c.kind,
            "body": c.body,
        })).collect::<Vec<_>>(),
        // Issue 15: lateness, the 999 call, FGM, referrals and their
        // outcomes, a proposed closure's choices. Issue 18: who raised
        // it, others involved, tasks, attachments, links.
        "practice": practice,
        "casework": casework,
        "viewed_by": d.viewed_by.iter().map(|(at, who)| serde_json::json!({
            "at": j(*at),
            "user": people.username(who),
            "user_name": who,
        })).collect::<Vec<_>>(),
    })
}

/// A document as text: pretty-printed, one trailing line break.
pub fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::staff::{Role, StaffMember};

    #[test]
    fn names_become_usernames_with_the_name_beside() {
        let staff = |id, u: &str, n: &str| StaffMember {
            id,
            username: u.into(),
            display_name: n.into(),
            role: Role::Dsl,
            active: true,
        };
        let p = People::of(&[
            staff(1, "okhan", "Omar Khan"),
            staff(2, "jb1", "Jo B"),
            staff(3, "jb2", "Jo B"),
        ]);
        let mut v = serde_json::json!({
            "tasks": [{"owner": "Omar Khan", "created_by": "Jo B", "text": "Omar Khan"}],
            "author": "Omar Khan", "author_name": "Omar Khan",
        });
        p.accounts(&mut v);
        assert_eq!(v["tasks"][0]["owner"], "okhan");
        assert_eq!(v["tasks"][0]["owner_name"], "Omar Khan");
        // Two accounts share the name: no username.
        assert_eq!(v["tasks"][0]["created_by"], Value::Null);
        assert_eq!(v["tasks"][0]["created_by_name"], "Jo B");
        // Words are never touched; a key already paired is left alone.
        assert_eq!(v["tasks"][0]["text"], "Omar Khan");
        assert_eq!(v["author"], "Omar Khan");
    }

    #[test]
    fn the_envelope_comes_first_and_times_take_the_uk_offset() {
        let now = DateTime::parse_from_rfc3339("2026-07-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let v = envelope(
            "x",
            now,
            serde_json::json!([{"due_at": "2026-07-01T09:00:00Z", "at": 0}]),
        );
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["document"], "x");
        assert_eq!(v["generated_at"], "2026-07-01T10:00:00+01:00");
        assert_eq!(v["items"][0]["due_at"], "2026-07-01T10:00:00+01:00");
        assert_eq!(v["items"][0]["at"], "1970-01-01T01:00:00+01:00");
    }
}
