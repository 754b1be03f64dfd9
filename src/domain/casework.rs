//! The DSL's workbench on one case (issue 18): what a correction changes and
//! how it is said, who else is involved, tasks and when they are due,
//! attachments, and a person's chronology across linked cases. Pure: the
//! store reads and writes, these decide and word.

use super::escalation::{ChronologyEntry, Risk, Status, SubjectKind};
use chrono::{DateTime, Utc};
use serde::Serialize;

// ---- Corrections ----

/// One field as recorded and as corrected, for the chronology line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The field in words ("risk", "categories").
    pub field: &'static str,
    pub old: String,
    pub new: String,
    /// The values are a third party's details (who raised it, their role
    /// or contact): a redacted export blanks them in the chronology line.
    pub party: bool,
}

/// "risk: medium → high; critical incident: no → yes": every change with its
/// old and new value, for the chronology (the record's own words, kept with
/// the case; the audit trail names the fields only, [`fields`]).
pub fn describe(changes: &[Changed]) -> String {
    changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.field, c.old, c.new))
        .collect::<Vec<_>>()
        .join("; ")
}

/// [`describe`] with each third party's value marked
/// ([`super::text::Marked`]), for the chronology line a redacted export
/// blanks them in.
pub fn describe_marked(changes: &[Changed]) -> super::text::Marked {
    let mut m = super::text::Marked::new();
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            m.push("; ");
        }
        m.push(c.field).push(": ");
        if c.party {
            m.party(&c.old).push(" → ").party(&c.new);
        } else {
            m.push(&c.old).push(" → ").push(&c.new);
        }
    }
    m
}

/// The fields changed, for the audit trail: names, never values. FGM known
/// or at risk is named `category_detail`: its name alone would say what the
/// case is about.
pub fn fields(changes: &[Changed]) -> String {
    changes
        .iter()
        .map(|c| match c.field {
            "FGM" => "category_detail".to_string(),
            f => f.replace(' ', "_"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// "yes" / "no" for a flag in a chronology line.
pub fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// A value that may be absent, for a chronology line.
pub fn or_none(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => "(none)".into(),
    }
}

/// Whether a subject kind and an age agree (Children Act 1989 s105: a child
/// is under 18; an adult at risk is 18 or over; staff are adults). `years`
/// None (unknown, or unborn for a child) always agrees.
pub fn kind_fits_age(kind: SubjectKind, years: Option<u32>, unborn: bool) -> Result<(), String> {
    match (kind, years) {
        (SubjectKind::Child, Some(y)) if y >= 18 => Err(format!(
            "a child is under 18, and this date of birth makes them {y}: correct the date, or the subject (an adult at risk)"
        )),
        (SubjectKind::Adult | SubjectKind::Staff, Some(y)) if y < 18 => Err(format!(
            "an adult is 18 or over, and this date of birth makes them {y}: correct the date, or the subject (a child)"
        )),
        (SubjectKind::Adult | SubjectKind::Staff, _) if unborn => {
            Err("only a child can be unborn: correct the subject".into())
        }
        _ => Ok(()),
    }
}

/// Longest reason a correction, a removal or a cancellation takes.
pub const MAX_REASON: usize = 4000;

/// When a fact was recognised (a correction's `--at`): not in the future,
/// and not before the case was raised. `None` is now. The message says what
/// to give instead.
pub fn recognised_at(
    at: Option<DateTime<Utc>>,
    raised: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    match at {
        None => Ok(now),
        Some(t) if t > now => Err(format!(
            "when it was recognised ({}) is in the future: give a time up to now",
            super::calendar::format_stamp(t)
        )),
        Some(t) if t < raised => Err(format!(
            "when it was recognised ({}) is before the case was raised ({}): give a later time",
            super::calendar::format_stamp(t),
            super::calendar::format_stamp(raised)
        )),
        Some(t) => Ok(t),
    }
}

// ---- Who else is involved ----

coded_enum! {
    /// Someone involved in a case besides its subject.
    PersonRole {
        AllegedPerpetrator = "alleged_perpetrator", "alleged perpetrator";
        Involved = "involved", "also involved";
    }
}

/// A person involved, as the record and the export show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Involved {
    pub id: i64,
    pub role: PersonRole,
    pub name: String,
    /// To the subject: "stepfather", "sibling", "class teacher".
    pub relationship: Option<String>,
    pub details: Option<String>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// Who raised the concern, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Raiser {
    pub name: String,
    pub role: Option<String>,
    pub contact: Option<String>,
}

/// Longest raiser's name, role and contact (one line each), at intake and
/// in a correction alike.
pub const MAX_RAISER_NAME: usize = 100;
pub const MAX_RAISER_ROLE: usize = 100;
pub const MAX_RAISER_CONTACT: usize = 200;

/// Who raised it as typed: name, role, contact (each `None` when not given).
pub type RaiserFields = (Option<String>, Option<String>, Option<String>);

/// Who raised a concern as typed at intake (`new --raised-by`, the form's
/// "Raised by" fields): each one line, empty meaning not given (the name
/// then defaults to the desk user recording it). The error names the field
/// ("raised_by", "raised_by_role", "raised_by_contact") and what is wrong.
pub fn check_raiser(
    name: &str,
    role: &str,
    contact: &str,
) -> Result<RaiserFields, (&'static str, String)> {
    let one = |key: &'static str, field: &'static str, v: &str, max: usize| {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        super::text::validate_line(field, t, max)
            .map(Some)
            .map_err(|e| (key, e.to_string()))
    };
    Ok((
        one("raised_by", "who raised it", name, MAX_RAISER_NAME)?,
        one("raised_by_role", "their role", role, MAX_RAISER_ROLE)?,
        one(
            "raised_by_contact",
            "their contact",
            contact,
            MAX_RAISER_CONTACT,
        )?,
    ))
}

impl Raiser {
    /// "Ms Example (class teacher; 0116 000 0000)".
    pub fn line(&self) -> String {
        let extra: Vec<&str> = [self.role.as_deref(), self.contact.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if extra.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, extra.join("; "))
        }
    }
}

// ---- Tasks ----

/// Longest task text; the deadline label shows its start.
pub const MAX_TASK: usize = 2000;

/// A task's deadline label: "Task for Jo Brennan: ring the school back",
/// within the deadlines table's 120 characters. Shown on the desk's own
/// screens; alerts that leave the desk say "Task" only (store::notices).
pub fn task_label(owner: &str, text: &str) -> String {
    let full = format!(
        "Task for {owner}: {}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if full.chars().count() <= 120 {
        return full;
    }
    let mut cut: String = full.chars().take(119).collect();
    cut.push('…');
    cut
}

/// Reads a task's due time as a DSL types it, through the one time reader
/// (`calendar::read_time`, leaning ahead: "Mon 10:00" is next Monday, a
/// date alone 17:00 that day). A time that has passed is refused with what
/// to type instead.
pub fn parse_due(typed: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = super::calendar::read_time(typed, now, super::calendar::Lean::Future)?;
    future(at, now, super::calendar::TIME_FORMS)
}

/// Reads when a fact was recognised (a correction's or a report's `--at`),
/// through the one time reader leaning back ("Mon 09:00" is the latest
/// Monday), as `new --occurred` reads it. Whether it may be that early or
/// late is [`recognised_at`]'s rule.
pub fn parse_moment(typed: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    super::calendar::read_time(typed, now, super::calendar::Lean::Past)
}

fn future(at: DateTime<Utc>, now: DateTime<Utc>, help: &str) -> Result<DateTime<Utc>, String> {
    if at <= now {
        return Err(format!(
            "{} has passed: {help}",
            super::calendar::format_stamp(at)
        ));
    }
    Ok(at)
}

coded_enum! {
    /// Where a task stands (its deadline's state).
    TaskState {
        Open = "open", "open";
        Done = "done", "done";
        Cancelled = "cancelled", "cancelled";
    }
}

/// A task as the record, `dutydesk task list` and the tasks screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub deadline_id: i64,
    pub reference: String,
    pub owner: String,
    /// Not written in JSON documents: there `owner` is the username, with
    /// `owner_name` beside it (`domain::json::People::accounts`).
    #[serde(skip)]
    pub owner_username: String,
    pub text: String,
    pub due_at: DateTime<Utc>,
    pub state: TaskState,
    /// Who closed it and when (done or cancelled), and the cancellation's reason.
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

// ---- Attachments ----

/// The largest attachment kept: 10 MiB, enough for a scanned multi-page
/// record of concern or a body map photographed at high resolution, small
/// enough that every backup and every export stays manageable.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// An attachment as listed (its bytes are fetched only to view or save it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// "1.2 MB", "340 KB", "512 bytes".
pub fn size_words(n: u64) -> String {
    match n {
        0..1024 => format!("{n} bytes"),
        1024..1_048_576 => format!("{} KB", n.div_ceil(1024)),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// The media type of an attachment from its bytes (the `infer` crate reads
/// the signatures of PDF, images, office files...), plain UTF-8 text as
/// `text/plain`, anything else `application/octet-stream`. The name's
/// extension is not trusted: a renamed file is what its bytes say.
pub fn media_type(bytes: &[u8]) -> String {
    if let Some(t) = infer::get(bytes) {
        return t.mime_type().to_string();
    }
    if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        return "text/plain".into();
    }
    "application/octet-stream".into()
}

/// An attachment's name as kept: the file name alone (no directories),
/// without control or bidi characters, at most 255 characters. Refused when
/// nothing is left.
pub fn attachment_name(file_name: &str) -> Result<String, String> {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    let clean: String = super::text::clean_line(base)
        .trim()
        .chars()
        .take(255)
        .collect();
    if clean.is_empty() || clean == "." || clean == ".." {
        return Err(format!(
            "{file_name:?} has no file name to keep: give the path of a file"
        ));
    }
    Ok(clean)
}

/// "10,485,761 bytes": a size exactly, grouped by thousands as UK
/// English writes numbers.
pub fn bytes_exact(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} bytes")
}

/// Why an attachment is refused for its size, or nothing. The sizes are
/// said exactly: rounded, a file one byte over the limit read "10.0 MB, over
/// the limit of 10.0 MB".
pub fn check_size(size: u64) -> Result<(), String> {
    if size > MAX_ATTACHMENT {
        return Err(format!(
            "the file is {}, over the limit of {} (10 MB): scan it at a lower resolution or split it, then attach the parts",
            bytes_exact(size),
            bytes_exact(MAX_ATTACHMENT)
        ));
    }
    if size == 0 {
        return Err("the file is empty: nothing to attach".into());
    }
    Ok(())
}

// ---- A person's chronology ----

/// One of the linked cases about the same person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonCase {
    pub id: i64,
    pub reference: String,
    pub status: Status,
    pub risk: Risk,
    pub raised_at: DateTime<Utc>,
    pub categories: Vec<String>,
    /// `None` for a viewer.
    pub subject_name: Option<String>,
    pub restricted: bool,
}

/// One line of a person's chronology: a case's entry, with its reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonEntry {
    pub reference: String,
    #[serde(flatten)]
    pub entry: ChronologyEntry,
}

/// Every linked case about one person and their entries merged in time order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonChronology {
    /// The case it was asked from.
    pub from: String,
    /// Oldest first.
    pub cases: Vec<PersonCase>,
    pub entries: Vec<PersonEntry>,
    /// Changes with the version or chronology of any case: an open screen
    /// reloads (and audits a view) only when it moves.
    pub stamp: (i64, i64, i64),
}

/// Merges each case's chronology into one, in time order; entries at the
/// same moment keep their cases' order (oldest case first) and their own.
pub fn merge(cases: &[(String, Vec<ChronologyEntry>)]) -> Vec<PersonEntry> {
    let mut all: Vec<(usize, usize, PersonEntry)> = Vec::new();
    for (ci, (reference, entries)) in cases.iter().enumerate() {
        for (ei, e) in entries.iter().enumerate() {
            all.push((
                ci,
                ei,
                PersonEntry {
                    reference: reference.clone(),
                    entry: e.clone(),
                },
            ));
        }
    }
    all.sort_by_key(|(ci, ei, p)| (p.entry.at, *ci, *ei));
    all.into_iter().map(|(_, _, p)| p).collect()
}

/// Everything about one case beyond the record's own columns, shown in the
/// record and written in the export: who raised it, who else is involved,
/// tasks, attachments and the cases linked to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Casework {
    pub raiser: Raiser,
    /// Empty for a viewer (never shown to them).
    pub people: Vec<Involved>,
    pub tasks: Vec<Task>,
    pub attachments: Vec<Attachment>,
    /// Linked cases the viewer may see: (reference, status).
    pub links: Vec<(String, Status)>,
    /// A viewer's copy: people and attachment names withheld.
    pub redacted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    #[test]
    fn due_times_read_as_typed_in_uk_time() {
        let n = now();
        assert_eq!(
            parse_due("10:00", n).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
        );
        assert_eq!(
            parse_due("tomorrow 10:00", n).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
        );
        assert_eq!(
            parse_due("24/11/2026 10:00", n).unwrap(),
            parse_due("2026-11-24 10:00", n).unwrap()
        );
        assert_eq!(
            parse_due("25/11/2026", n).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0).unwrap()
        );
        // Summer time: 10:00 in London is 09:00 UTC.
        assert_eq!(
            parse_due("01/06/2027 10:00", n).unwrap(),
            Utc.with_ymd_and_hms(2027, 6, 1, 9, 0, 0).unwrap()
        );
        let e = parse_due("08:00", n).unwrap_err();
        assert!(e.contains("has passed") && e.contains("tomorrow"), "{e}");
        assert!(parse_due("soonish", n).is_err());
        assert!(parse_due("", n).is_err());
    }

    #[test]
    fn task_labels_fit_the_deadlines_table() {
        assert_eq!(
            task_label("Jo Brennan", "ring the school back"),
            "Task for Jo Brennan: ring the school back"
        );
        let long = task_label("Jo Brennan", &"word ".repeat(60));
        assert_eq!(long.chars().count(), 120);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn attachments_are_named_typed_and_limited() {
        assert_eq!(
            attachment_name("/tmp/x/body-map.pdf").unwrap(),
            "body-map.pdf"
        );
        assert!(attachment_name("/tmp/x/").is_err());
        assert_eq!(attachment_name("a\u{202e}b.txt").unwrap(), "ab.txt");
        assert_eq!(media_type(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(media_type("a letter, in words".as_bytes()), "text/plain");
        assert_eq!(media_type(&[0, 1, 2, 3]), "application/octet-stream");
        assert!(check_size(MAX_ATTACHMENT).is_ok());
        let e = check_size(MAX_ATTACHMENT + 1).unwrap_err();
        assert!(
            e.contains("the file is 10,485,761 bytes, over the limit of 10,485,760 bytes"),
            "{e}"
        );
        assert_eq!(bytes_exact(999), "999 bytes");
        assert_eq!(bytes_exact(1000), "1,000 bytes");
        assert!(check_size(0).is_err());
        assert_eq!(size_words(512), "512 bytes");
        assert_eq!(size_words(2048), "2 KB");
    }

    #[test]
    fn a_recognition_time_is_between_raising_and_now() {
        let n = now();
        let raised = n - chrono::Duration::days(3);
        assert_eq!(recognised_at(None, raised, n).unwrap(), n);
        assert!(recognised_at(Some(n + chrono::Duration::hours(1)), raised, n).is_err());
        assert!(recognised_at(Some(raised - chrono::Duration::hours(1)), raised, n).is_err());
        let day2 = raised + chrono::Duration::days(2);
        assert_eq!(recognised_at(Some(day2), raised, n).unwrap(), day2);
    }

    #[test]
    fn ages_must_fit_the_subject() {
        assert!(kind_fits_age(SubjectKind::Child, Some(17), false).is_ok());
        assert!(kind_fits_age(SubjectKind::Child, Some(18), false).is_err());
        assert!(kind_fits_age(SubjectKind::Adult, Some(16), false).is_err());
        assert!(kind_fits_age(SubjectKind::Adult, None, true).is_err());
        assert!(kind_fits_age(SubjectKind::Child, None, true).is_ok());
    }

    #[test]
    fn chronologies_merge_in_time_order_with_their_references() {
        let e = |h: u32, body: &str| ChronologyEntry {
            at: Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap(),
            author: "a".into(),
            kind: "note".into(),
            body: body.into(),
            id: 0,
            parties: Vec::new(),
        };
        let merged = merge(&[
            ("SG-1".into(), vec![e(9, "one"), e(12, "three")]),
            ("SG-2".into(), vec![e(10, "two"), e(12, "four")]),
        ]);
        let got: Vec<(&str, &str)> = merged
            .iter()
            .map(|p| (p.reference.as_str(), p.entry.body.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("SG-1", "one"),
                ("SG-2", "two"),
                ("SG-1", "three"),
                ("SG-2", "four")
            ]
        );
    }

    #[test]
    fn corrections_are_said_with_old_and_new_values() {
        let c = vec![
            Changed {
                field: "risk",
                old: "medium".into(),
                new: "high".into(),
                party: false,
            },
            Changed {
                field: "critical incident",
                old: yes_no(false),
                new: yes_no(true),
                party: false,
            },
        ];
        assert_eq!(
            describe(&c),
            "risk: medium → high; critical incident: no → yes"
        );
        assert_eq!(fields(&c), "risk,critical_incident");
    }
}
