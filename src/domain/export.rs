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

/// Words never blanked on their own when they appear in a third party's
/// name field ("Mrs Janet Jones, head of year", "Uncle Bob"): titles, the
/// words of roles and relationships, and short joining words. The name's
/// other words are blanked wherever they stand.
const COMMON: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "rev",
    "cllr",
    "the",
    "and",
    "of",
    "for",
    "at",
    "to",
    "in",
    "on",
    "by",
    "with",
    "from",
    "head",
    "year",
    "deputy",
    "class",
    "form",
    "teacher",
    "tutor",
    "school",
    "nurse",
    "social",
    "worker",
    "officer",
    "police",
    "doctor",
    "manager",
    "lead",
    "support",
    "assistant",
    "uncle",
    "aunt",
    "auntie",
    "mum",
    "dad",
    "mother",
    "father",
    "brother",
    "sister",
    "step",
    "stepfather",
    "stepmother",
    "grandad",
    "grandma",
    "nan",
    "gran",
    "carer",
    "parent",
    "friend",
    "neighbour",
    "partner",
    "staff",
    "member",
];

/// A word as the redaction compares words: folded as search and repeat
/// detection fold names (`names::fold`: case, accents, letters with a
/// stroke, look-alikes), so "ZOE ORSTED" and "Zoë Ørsted"
/// are blanked wherever the desk itself would call them one person.
fn fold_word(w: &str) -> String {
    super::names::fold(w)
}

/// What a redacted export takes out of free text: whole phrases (an
/// attachment's file name, a role, a contact), matched whatever their case
/// and spacing, and single words of third parties' names, matched as whole
/// words whatever their case, accents or order ("Smith, Bob", "BOB SMITH").
#[derive(Debug, Default)]
struct Scrubber {
    /// (phrase, what replaces it), longest first.
    phrases: Vec<(String, String)>,
    words: std::collections::HashSet<String>,
    /// Folded words of the subject's own name: never blanked.
    keep: std::collections::HashSet<String>,
}

const R: &str = "[redacted]";

impl Scrubber {
    /// A phrase to take out wherever it stands, unless it is only common
    /// words ("uncle", "class teacher": a relationship or a role said in a
    /// child's words is not a name).
    fn phrase(&mut self, p: &str, with: &str) {
        let p = p.trim();
        let common = p
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| COMMON.contains(&fold_word(w).as_str()));
        if p.chars().count() >= 3 && !common && !self.phrases.iter().any(|(x, _)| x == p) {
            self.phrases.push((p.to_string(), with.to_string()));
        }
    }

    /// A third party's name (or account): the whole of it as a phrase, and
    /// each of its words but the [`COMMON`] ones and those of the subject's
    /// name.
    fn name(&mut self, n: &str) {
        if n.trim() == R || n.trim().is_empty() {
            return;
        }
        self.phrase(n, R);
        for w in n.split(|c: char| !c.is_alphanumeric()) {
            let f = fold_word(w);
            if f.chars().count() >= 3 && !COMMON.contains(&f.as_str()) && !self.keep.contains(&f) {
                self.words.insert(f);
            }
        }
    }

    fn sort(&mut self) {
        self.phrases
            .sort_by_key(|(p, _)| std::cmp::Reverse(p.chars().count()));
    }

    fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for (p, with) in &self.phrases {
            t = replace_phrase(&t, p, with);
        }
        // Whole words of names, then runs of blanks said once.
        let mut out = String::with_capacity(t.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if !word.is_empty() {
                if self.words.contains(&fold_word(word)) {
                    out.push_str(R);
                } else {
                    out.push_str(word);
                }
                word.clear();
            }
        };
        for c in t.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        collapse(&out)
    }
}

/// `text` with every `phrase` (compared letter by letter without regard to
/// case, any run of spaces matching any run, only at word boundaries)
/// replaced by `with`.
fn replace_phrase(text: &str, phrase: &str, with: &str) -> String {
    let needle: Vec<char> = phrase.chars().collect();
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0usize;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].1.is_alphanumeric();
        let mut j = i;
        let mut k = 0;
        let mut ok = boundary;
        while ok && k < needle.len() {
            if needle[k].is_whitespace() {
                if j >= chars.len() || !chars[j].1.is_whitespace() {
                    ok = false;
                    break;
                }
                while j < chars.len() && chars[j].1.is_whitespace() {
                    j += 1;
                }
                while k < needle.len() && needle[k].is_whitespace() {
                    k += 1;
                }
            } else if j < chars.len() && same(chars[j].1, needle[k]) {
                j += 1;
                k += 1;
            } else {
                ok = false;
            }
        }
        let end_ok = j >= chars.len() || !chars[j].1.is_alphanumeric();
        if ok && end_ok && j > i {
            out.push_str(&text[copied..chars[i].0]);
            out.push_str(with);
            copied = chars.get(j).map_or(text.len(), |c| c.0);
            i = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// "[redacted] [redacted]" and "[redacted], [redacted]" said once.
fn collapse(text: &str) -> String {
    let mut t = text.to_string();
    loop {
        let mut changed = false;
        for sep in [" ", ", ", ",", "  "] {
            let pair = format!("{R}{sep}{R}");
            if t.contains(&pair) {
                t = t.replace(&pair, R);
                changed = true;
            }
        }
        if !changed {
            return t;
        }
    }
}

/// Hides third parties in a record about to leave the desk (see the
/// module). `staff` is every staff member's display name and account name:
/// the desk's own lines name the staff who worked the case. Each chronology
/// line's marked places ([`super::text::Marked`]: who raised it, their role
/// and contact, others involved, old values of a correction included, as the
/// line's writer marked them) are blanked first, whatever they hold; then
/// every third party's name the record knows (an old one from a marked
/// place too), in any case and order, wherever the text holds it; an
/// attachment is named by its number, type and size; a deadline set by hand
/// (its `source.hand`) is named by what it is ("A task"), without its owner,
/// and its waiver reason goes. Free text is not otherwise rewritten: the
/// footer says so.
pub fn redact(d: &mut EscalationDetail, staff: &[String]) {
    let mut sc = Scrubber::default();
    for w in d.subject_name.split(|c: char| !c.is_alphanumeric()) {
        sc.keep.insert(fold_word(w));
    }
    // Attachments by number: their file names go wherever they are written.
    for a in &mut d.casework.attachments {
        let said = format!(
            "attachment {} ({}, {})",
            a.id,
            a.media_type,
            super::casework::size_words(a.size)
        );
        sc.phrase(&a.name, &format!("attachment {}", a.id));
        a.name = said;
    }
    sc.name(&d.raised_by);
    sc.name(&d.casework.raiser.name);
    for x in [&d.casework.raiser.role, &d.casework.raiser.contact]
        .into_iter()
        .flatten()
    {
        sc.phrase(x, R);
    }
    if let Some(a) = &d.summary.assignee {
        sc.name(a);
    }
    for c in &d.chronology {
        sc.name(&c.author);
        // A marked place: a name (each word capitalised, as "Ms Jones") is
        // a name wherever it stands; a role or contact a phrase.
        for r in &c.parties {
            if let Some(p) = c.body.get(r.clone()) {
                let words: Vec<&str> = p.split_whitespace().collect();
                let named = !words.is_empty()
                    && words.iter().all(|w| {
                        w.chars()
                            .find(|c| c.is_alphabetic())
                            .is_some_and(char::is_uppercase)
                    });
                if named {
                    sc.name(p);
                } else {
                    sc.phrase(p, R);
                }
            }
        }
    }
    for p in &d.casework.people {
        sc.name(&p.name);
        if let Some(x) = &p.details {
            sc.phrase(x, R);
        }
    }
    for t in &d.casework.tasks {
        sc.name(&t.owner);
        sc.name(&t.owner_username);
        sc.name(&t.created_by);
        if let Some(b) = &t.closed_by {
            sc.name(b);
        }
    }
    for a in &d.casework.attachments {
        sc.name(&a.added_by);
    }
    for r in &d.practice.referrals {
        sc.name(&r.made_by);
    }
    if let Some(f) = &d.practice.fgm_report {
        sc.name(&f.reported_by);
    }
    for n in staff {
        sc.name(n);
    }
    sc.sort();
    let scrub = |text: &str| sc.scrub(text);
    for c in &mut d.chronology {
        let marked = super::text::Marked {
            text: std::mem::take(&mut c.body),
            parties: std::mem::take(&mut c.parties),
        };
        c.body = scrub(&marked.blanked(R));
    }
    d.exact_words = scrub(&d.exact_words);
    for x in [
        &mut d.closure_rationale,
        &mut d.consent_reason,
        &mut d.occurred_place,
        &mut d.appearance,
        &mut d.work_area,
    ] {
        *x = x.as_deref().map(&scrub);
    }
    for t in &mut d.casework.tasks {
        t.text = scrub(&t.text);
        t.reason = t.reason.as_deref().map(&scrub);
    }
    d.raised_by = format!("{R} (who raised it)");
    d.casework.raiser.name = d.raised_by.clone();
    d.casework.raiser.role = d.casework.raiser.role.as_ref().map(|_| R.into());
    d.casework.raiser.contact = d.casework.raiser.contact.as_ref().map(|_| R.into());
    d.summary.assignee = d.summary.assignee.as_ref().map(|_| R.into());
    // A deadline's label everywhere it appears (the deadlines, the next one,
    // a proposed closure's choices): one set by hand holds its owner and
    // words, so it is named by what it is; a rule's name is scrubbed.
    let label = |hand: Option<super::paging::Hand>, label: &str| match hand {
        Some(h) => h.said(),
        None => scrub(label),
    };
    if let Some(next) = &mut d.summary.next_due {
        next.label = label(next.source.hand, &next.label);
        if let Some(o) = &mut next.source.owner {
            *o = (R.into(), R.into());
        }
    }
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
    // A deadline set by hand: its waiver reason is its owner's words, and
    // goes whole; who owns it is staff.
    for dl in &mut d.deadlines {
        let by_hand = dl.source.hand.is_some();
        dl.label = label(dl.source.hand, &dl.label);
        if let Some(o) = &mut dl.source.owner {
            *o = (R.into(), R.into());
        }
        match &mut dl.state {
            super::deadline::DeadlineState::Met { by, .. } => *by = R.into(),
            super::deadline::DeadlineState::Waived { by, reason, .. } => {
                *by = R.into();
                *reason = if by_hand { R.into() } else { scrub(reason) };
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
    // A proposed closure names each open deadline: one set by hand by what
    // it is, as the deadlines are named ("A task"), never its words.
    for c in &mut d.practice.closure_choices {
        c.note = c.note.as_deref().map(&scrub);
        let hand = d
            .deadlines
            .iter()
            .find(|dl| dl.id == c.deadline_id)
            .and_then(|dl| dl.source.hand);
        c.label = label(hand, &c.label);
    }
    d.viewed_by.clear();
    d.casework.redacted = true;
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
        s.push_str(" Third parties redacted: who raised it, the staff who worked it and others involved are replaced by what they are; the names and accounts of theirs the record holds (earlier names too) are blanked wherever the text holds them, in any case or order; tasks and review actions are named only as such, attachments by number. Other details typed in free text (notes, exact words, reasons: an address, a school, a nickname) are not rewritten: read it before sending.");
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
