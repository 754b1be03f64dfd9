//! One escalation written out for a partner agency or a subject access
//! request (issue 18): Markdown or HTML from the same record, with the same
//! redaction. The command line and the screen both write through here, so
//! the two faces cannot differ.
//!
//! Redaction (`--redact-third-parties`, the screen's choice) hides third
//! parties: who raised it (name, role, contact), the staff who worked it, and
//! the people involved besides the subject (the alleged perpetrator,
//! siblings), each replaced by what they are, and their names wherever the
//! text holds them. Other details in free text (notes, exact words) are not
//! rewritten: the export says so, so whoever sends it reads it first.
//!
//! HTML escapes every value with the `html-escape` crate (a well-kept
//! encoder: text a person typed can never become markup), and keeps line
//! breaks and spacing of exact words as typed (`white-space: pre-wrap`).

use super::calendar::{format_stamp, local};
use super::escalation::EscalationDetail;
use chrono::{DateTime, Utc};

coded_enum! {
    /// The file an export is written as.
    Format {
        Markdown = "md", "Markdown";
        Html = "html", "HTML";
        Json = "json", "JSON";
    }
}

impl Format {
    /// The file extension that goes with it.
    pub fn extension(self) -> &'static str {
        self.code()
    }
}

/// What to write, and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    pub redact: bool,
    /// Who is exporting (display name), and when: the export's last line.
    pub by: String,
    pub at: DateTime<Utc>,
    /// For JSON: staff names to usernames, and category labels to codes
    /// (label, code), as every JSON document has them.
    pub people: super::json::People,
    pub categories: Vec<(String, String)>,
}

/// Hides third parties in a record about to leave the desk (see the
/// module). `staff` is every staff member's display name: the desk's own
/// lines name the staff who worked the case. Each chronology line's marked
/// places ([`super::text::Marked`]: who raised it, their role and contact,
/// others involved, as the line's writer marked them) are blanked first,
/// whatever they hold; then every third party's name the record knows,
/// wherever the text holds it.
pub fn redact(d: &mut EscalationDetail, staff: &[String]) {
    const R: &str = "[redacted]";
    // Every third party's name the record knows, longest first (so "Jo
    // Brennan" goes before "Jo"), to be replaced wherever it appears in the
    // text too: the desk's own chronology lines name them.
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        let n = n.trim();
        if n.chars().count() >= 3 && !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    add(&d.raised_by);
    add(&d.casework.raiser.name);
    if let Some(a) = &d.summary.assignee {
        add(a);
    }
    for c in &d.chronology {
        add(&c.author);
    }
    for p in &d.casework.people {
        add(&p.name);
    }
    for t in &d.casework.tasks {
        add(&t.owner);
        add(&t.created_by);
    }
    for a in &d.casework.attachments {
        add(&a.added_by);
    }
    for r in &d.practice.referrals {
        add(&r.made_by);
    }
    if let Some(f) = &d.practice.fgm_report {
        add(&f.reported_by);
    }
    for n in staff {
        add(n);
    }
    names.retain(|n| *n != d.subject_name);
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let scrub = |text: &str| -> String {
        let mut t = text.to_string();
        for n in &names {
            t = t.replace(n.as_str(), R);
        }
        t
    };
    for c in &mut d.chronology {
        let marked = super::text::Marked {
            text: std::mem::take(&mut c.body),
            parties: std::mem::take(&mut c.parties),
        };
        c.body = scrub(&marked.blanked(R));
    }
    d.exact_words = scrub(&d.exact_words);
    d.closure_rationale = d.closure_rationale.as_deref().map(&scrub);
    d.consent_reason = d.consent_reason.as_deref().map(&scrub);
    for t in &mut d.casework.tasks {
        t.text = scrub(&t.text);
    }
    d.raised_by = format!("{R} (who raised it)");
    d.casework.raiser.name = d.raised_by.clone();
    d.casework.raiser.role = d.casework.raiser.role.as_ref().map(|_| R.into());
    d.casework.raiser.contact = d.casework.raiser.contact.as_ref().map(|_| R.into());
    d.summary.assignee = d.summary.assignee.as_ref().map(|_| R.into());
    for c in &mut d.chronology {
        c.author = R.into();
    }
    for p in &mut d.casework.people {
        p.name = format!("{R} ({})", p.role.label());
        p.relationship = p.relationship.as_ref().map(|_| R.into());
        p.details = p.details.as_ref().map(|_| R.into());
        p.added_by = R.into();
    }
    for t in &mut d.casework.tasks {
        t.owner = R.into();
        t.owner_username = R.into();
        t.created_by = R.into();
        t.closed_by = t.closed_by.as_ref().map(|_| R.into());
    }
    for a in &mut d.casework.attachments {
        a.added_by = R.into();
    }
    for dl in &mut d.deadlines {
        match &mut dl.state {
            super::deadline::DeadlineState::Met { by, .. } => *by = R.into(),
            super::deadline::DeadlineState::Waived { by, reason, .. } => {
                *by = R.into();
                *reason = scrub(reason);
            }
            super::deadline::DeadlineState::Open => {}
        }
    }
    // The practice part names staff too: who made each referral, who
    // reported known FGM to the police; a proposed closure's notes are text.
    for r in &mut d.practice.referrals {
        r.made_by = R.into();
    }
    if let Some(f) = &mut d.practice.fgm_report {
        f.reported_by = R.into();
    }
    for c in &mut d.practice.closure_choices {
        c.note = c.note.as_deref().map(&scrub);
    }
    d.viewed_by.clear();
}

/// The words that end every export: who, when, and what was not redacted.
fn footer(d: &EscalationDetail, o: &Options) -> String {
    let mut s = format!(
        "Exported {} by {} on {} (UK time).",
        d.summary.reference,
        o.by,
        local(o.at).format("%d %b %Y %H:%M")
    );
    if o.redact {
        s.push_str(" Third parties redacted: who raised it, staff and others involved, and their names wherever the record's text holds them; other details in notes and exact words are not rewritten: read it before sending.");
    }
    s
}

/// The record's facts as (label, value) pairs, in the order both formats use.
fn facts(d: &EscalationDetail) -> Vec<(&'static str, String)> {
    let s = &d.summary;
    let mut v = vec![
        (
            "Subject",
            format!(
                "{}{}",
                d.subject_name,
                d.subject_dob
                    .as_deref()
                    .map(|b| format!(", born {b}"))
                    .unwrap_or_default()
            ),
        ),
        ("About", s.subject_kind.label().to_string()),
        (
            "Area",
            format!("{} · location: {}", d.area, d.location_type.label()),
        ),
        (
            "Raised",
            format!(
                "{} by {}",
                format_stamp(s.raised_at),
                d.casework.raiser.line()
            ),
        ),
        (
            "Risk",
            format!("{} · status: {}", s.risk.label(), s.status.label()),
        ),
        ("Categories", s.categories.join(", ")),
        (
            "Consent",
            format!(
                "{}{}",
                d.consent.label(),
                d.consent_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
    ];
    let mut flags = Vec::new();
    if s.immediate_risk {
        flags.push("immediate risk to life");
    }
    if d.critical_incident {
        flags.push("critical incident");
    }
    if s.restricted {
        flags.push("restricted");
    }
    if !flags.is_empty() {
        v.push(("Flags", flags.join(", ")));
    }
    if let Some(o) = &d.outcome {
        v.push(("Outcome", super::settings::outcome_label(o)));
    }
    if !d.casework.links.is_empty() {
        v.push((
            "Linked",
            d.casework
                .links
                .iter()
                .map(|(r, _)| r.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    v
}

/// The record and its chronology as Markdown.
pub fn markdown(d: &EscalationDetail, o: &Options) -> String {
    let mut out = String::new();
    let s = &d.summary;
    let line = |out: &mut String, text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(
        &mut out,
        format!("# {} ({})\n", s.reference, s.subject_kind.label()),
    );
    for (k, v) in facts(d) {
        line(&mut out, format!("- {k}: {v}"));
    }
    line(
        &mut out,
        format!(
            "\n## Exact words\n\n> {}\n",
            d.exact_words.replace('\n', "\n> ")
        ),
    );
    if let Some(r) = &d.closure_rationale {
        line(&mut out, format!("## Closure rationale\n\n{r}\n"));
    }
    if !d.casework.people.is_empty() {
        line(&mut out, "## Others involved\n".into());
        for p in &d.casework.people {
            line(
                &mut out,
                format!(
                    "- {}: {}{}{}",
                    p.role.label(),
                    p.name,
                    p.relationship
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    p.details
                        .as_deref()
                        .map(|x| format!(" — {}", x.replace('\n', " ")))
                        .unwrap_or_default()
                ),
            );
        }
        out.push('\n');
    }
    if !d.deadlines.is_empty() {
        line(&mut out, "## Deadlines\n".into());
        for dl in &d.deadlines {
            line(
                &mut out,
                format!(
                    "- {} · due {} · {}",
                    dl.label,
                    format_stamp(dl.due_at),
                    deadline_state(dl)
                ),
            );
        }
        out.push('\n');
    }
    if !d.casework.tasks.is_empty() {
        line(&mut out, "## Tasks\n".into());
        for t in &d.casework.tasks {
            line(&mut out, format!("- {}", task_line(t)));
        }
        out.push('\n');
    }
    if !d.casework.attachments.is_empty() {
        line(&mut out, "## Attachments\n".into());
        for a in &d.casework.attachments {
            line(&mut out, format!("- {}", attachment_line(a)));
        }
        out.push('\n');
    }
    line(&mut out, "## Chronology\n".into());
    for c in &d.chronology {
        line(
            &mut out,
            format!(
                "- {} · {} · {}: {}",
                format_stamp(c.at),
                c.author,
                super::escalation::chronology_kind(&c.kind),
                c.body.replace('\n', " ")
            ),
        );
    }
    line(&mut out, format!("\n{}", footer(d, o)));
    out
}

fn deadline_state(dl: &super::deadline::Deadline) -> String {
    match &dl.state {
        super::deadline::DeadlineState::Open => "open".into(),
        super::deadline::DeadlineState::Met { at, by } => {
            format!("met {} by {by}", format_stamp(*at))
        }
        super::deadline::DeadlineState::Waived { at, by, reason } => {
            format!("waived {} by {by}: {reason}", format_stamp(*at))
        }
    }
}

fn task_line(t: &super::casework::Task) -> String {
    let mut s = format!(
        "{} · {} · due {} · {}",
        t.text,
        t.owner,
        format_stamp(t.due_at),
        t.state.label()
    );
    if let (Some(by), Some(at)) = (&t.closed_by, t.closed_at) {
        s.push_str(&format!(" by {by} {}", format_stamp(at)));
    }
    if let Some(r) = &t.reason {
        s.push_str(&format!(": {r}"));
    }
    s
}

fn attachment_line(a: &super::casework::Attachment) -> String {
    format!(
        "{} · {} · {} · SHA-256 {} · added {} by {}",
        a.name,
        a.media_type,
        super::casework::size_words(a.size),
        a.sha256,
        format_stamp(a.added_at),
        a.added_by
    )
}

/// The record and its chronology as one self-contained HTML page (no
/// scripts, no outside resources), every value escaped.
pub fn html(d: &EscalationDetail, o: &Options) -> String {
    let e = |s: &str| html_escape::encode_text(s).into_owned();
    let s = &d.summary;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<title>{} ({})</title>\n",
        e(&s.reference),
        e(s.subject_kind.label())
    ));
    out.push_str(
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}\
         .words{white-space:pre-wrap;border-left:4px solid #555;padding-left:1em}\
         table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}\
         .body{white-space:pre-wrap}</style>\n</head>\n<body>\n",
    );
    out.push_str(&format!(
        "<h1>{} ({})</h1>\n<dl>\n",
        e(&s.reference),
        e(s.subject_kind.label())
    ));
    for (k, v) in facts(d) {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", e(k), e(&v)));
    }
    out.push_str("</dl>\n<h2>Exact words</h2>\n");
    out.push_str(&format!(
        "<blockquote class=\"words\">{}</blockquote>\n",
        e(&d.exact_words)
    ));
    if let Some(r) = &d.closure_rationale {
        out.push_str(&format!(
            "<h2>Closure rationale</h2>\n<p class=\"body\">{}</p>\n",
            e(r)
        ));
    }
    let table = |out: &mut String, title: &str, head: &[&str], rows: Vec<Vec<String>>| {
        if rows.is_empty() {
            return;
        }
        out.push_str(&format!("<h2>{}</h2>\n<table>\n<tr>", e(title)));
        for h in head {
            out.push_str(&format!("<th>{}</th>", e(h)));
        }
        out.push_str("</tr>\n");
        for r in rows {
            out.push_str("<tr>");
            for c in r {
                out.push_str(&format!("<td class=\"body\">{}</td>", e(&c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    };
    table(
        &mut out,
        "Others involved",
        &["Role", "Name", "Relationship", "Details"],
        d.casework
            .people
            .iter()
            .map(|p| {
                vec![
                    p.role.label().to_string(),
                    p.name.clone(),
                    p.relationship.clone().unwrap_or_default(),
                    p.details.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Deadlines",
        &["Deadline", "Due", "State"],
        d.deadlines
            .iter()
            .map(|dl| {
                vec![
                    dl.label.clone(),
                    format_stamp(dl.due_at),
                    deadline_state(dl),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        "Tasks",
        &["Task"],
        d.casework
            .tasks
            .iter()
            .map(|t| vec![task_line(t)])
            .collect(),
    );
    table(
        &mut out,
        "Attachments",
        &["Attachment"],
        d.casework
            .attachments
            .iter()
            .map(|a| vec![attachment_line(a)])
            .collect(),
    );
    table(
        &mut out,
        "Chronology",
        &["When", "Who", "What", "Entry"],
        d.chronology
            .iter()
            .map(|c| {
                vec![
                    format_stamp(c.at),
                    c.author.clone(),
                    super::escalation::chronology_kind(&c.kind),
                    c.body.clone(),
                ]
            })
            .collect(),
    );
    out.push_str(&format!("<p><small>{}</small></p>\n", e(&footer(d, o))));
    out.push_str("</body>\n</html>\n");
    out
}

/// The record in the chosen format. JSON is the `export` document: the
/// envelope every document has (`domain::json`) around the record as
/// `show --json` writes it, redacted when asked.
pub fn render(d: &EscalationDetail, o: &Options) -> String {
    match o.format {
        Format::Markdown => markdown(d, o),
        Format::Html => html(d, o),
        Format::Json => {
            let code_of = |l: &str| {
                o.categories
                    .iter()
                    .find(|(label, _)| label == l)
                    .map(|(_, c)| c.clone())
            };
            let mut body = super::json::record(d, &o.people, &code_of, o.at);
            if let Some(m) = body.as_object_mut() {
                m.insert(
                    "exported_by".into(),
                    serde_json::Value::from(o.people.username(&o.by)),
                );
                m.insert("exported_by_name".into(), o.by.clone().into());
                m.insert("redacted".into(), o.redact.into());
                m.insert("note".into(), footer(d, o).into());
            }
            super::json::text(&super::json::envelope("export", o.at, body))
        }
    }
}

/// A file name for an export: "SG-2026-0042.md" (nothing personal in it).
pub fn file_name(reference: &str, format: Format) -> String {
    format!("{reference}.{}", format.extension())
}
