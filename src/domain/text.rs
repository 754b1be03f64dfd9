//! Cleaning text before it reaches a terminal, a notification or the CLI.
//!
//! Records come from many people and are drawn on many terminals; an escape
//! sequence or a bidi override inside a name could retitle a window, clear the
//! screen, write to a clipboard or make a line read backwards. Every string from
//! the database or a user passes through one of these two functions first.

/// True for characters that must never reach a terminal: C0 and C1 controls,
/// DEL, and the Unicode bidi embedding/override/isolate marks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}' | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}')
}

/// One line of text: every unsafe character is dropped, and tabs and line
/// breaks become single spaces so a field never spills into the next row.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\t' | '\n' | '\r') {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !is_unsafe(c) {
            out.push(c);
        }
    }
    out
}

/// Several lines (exact words, notes): line breaks are kept, `\r\n` becomes `\n`,
/// tabs become spaces, every other unsafe character is dropped.
pub fn clean_block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Why a value typed by a user is refused; the message is shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{0} is required")]
    Empty(&'static str),
    #[error("{field} is too long ({len} characters; at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{0} contains control characters")]
    Control(&'static str),
}

/// Checks a one-line field typed by a user: trimmed, non-empty, at most `max`
/// characters, no control or bidi characters. Returns the trimmed value.
pub fn validate_line(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::Empty(field));
    }
    let len = v.chars().count();
    if len > max {
        return Err(FieldError::TooLong { field, len, max });
    }
    if v.chars().any(is_unsafe) {
        return Err(FieldError::Control(field));
    }
    Ok(v.to_string())
}

/// Checks free text kept as evidence (exact words, notes, rationales): stored
/// exactly as typed, line breaks and all; only emptiness and length are
/// refused. It is cleaned when shown, never when stored.
pub fn validate_block(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::Empty(field));
    }
    let len = value.chars().count();
    if len > max {
        return Err(FieldError::TooLong { field, len, max });
    }
    Ok(value.trim_end().to_string())
}

/// A text cell as a spreadsheet may open it: one starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is run as a formula by Excel,
/// LibreOffice and Google Sheets (CSV injection, OWASP), so it gets a leading
/// `'`, which they show as text. Used on every text column of every CSV the
/// desk writes; numbers the desk computes are not passed through it.
pub fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Undoes [`spreadsheet_safe`] on a cell read back (a CSV the desk wrote,
/// imported again): a `'` before a formula character is dropped.
pub fn from_spreadsheet(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// Whether `s` can be a POSIX account name (letters, digits, `.`, `_`, `-`,
/// not starting with `-`, at most 32 bytes), as `useradd` accepts them: used
/// for accounts the system file names (`[backup] account`).
pub fn is_account_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A chronology line the desk writes, with the places in it that hold a
/// third party's details: who raised the concern (name, role, contact),
/// others involved (name, relationship), staff names. Redaction for an
/// export (`domain::export::redact`) blanks exactly those places, decided
/// by the code that wrote the line, never by searching the text later: a
/// raiser's contact typed as "0116 000 0000" cannot be found by pattern,
/// and a name that is also an ordinary word cannot be told apart from it.
/// Stored beside the line (`chronology.parties`, schema v12) as [`Marked::spans`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    pub text: String,
    /// Byte ranges of `text` that hold a third party's details, in order.
    pub parties: Vec<std::ops::Range<usize>>,
}

impl Marked {
    /// An empty line.
    pub fn new() -> Marked {
        Marked::default()
    }

    /// Text of the desk's own, or of the record itself (kept in an export).
    pub fn push(&mut self, s: &str) -> &mut Marked {
        self.text.push_str(s);
        self
    }

    /// A third party's detail (blanked in a redacted export).
    pub fn party(&mut self, s: &str) -> &mut Marked {
        if !s.is_empty() {
            let start = self.text.len();
            self.text.push_str(s);
            self.parties.push(start..self.text.len());
        }
        self
    }

    /// `other` appended, its places kept.
    pub fn append(&mut self, other: &Marked) -> &mut Marked {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.parties
            .extend(other.parties.iter().map(|r| r.start + base..r.end + base));
        self
    }

    /// The places as stored: byte ranges "12-20,40-55"; `None` when the
    /// line names no third party.
    pub fn spans(&self) -> Option<String> {
        if self.parties.is_empty() {
            return None;
        }
        Some(
            self.parties
                .iter()
                .map(|r| format!("{}-{}", r.start, r.end))
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// A stored line and its places read back ([`Marked::spans`]'s form),
    /// then cleaned for the screen ([`clean_block`]) piece by piece so each
    /// place still covers the same words. Places that do not fit the text
    /// (a row changed outside dutydesk, which `verify` reports) make the
    /// whole line one place: an export then hides all of it rather than
    /// leak any.
    pub fn stored(body: &str, spans: Option<&str>) -> Marked {
        let Some(spans) = spans.filter(|s| !s.trim().is_empty()) else {
            return Marked {
                text: clean_block(body),
                parties: Vec::new(),
            };
        };
        let mut ranges = Vec::new();
        let mut last = 0;
        for part in spans.split(',') {
            let r = part.split_once('-').and_then(|(a, b)| {
                Some(a.trim().parse::<usize>().ok()?..b.trim().parse::<usize>().ok()?)
            });
            match r {
                Some(r)
                    if r.start >= last
                        && r.start <= r.end
                        && r.end <= body.len()
                        && body.is_char_boundary(r.start)
                        && body.is_char_boundary(r.end) =>
                {
                    last = r.end;
                    ranges.push(r);
                }
                _ => {
                    let text = clean_block(body);
                    let len = text.len();
                    return Marked {
                        text,
                        parties: std::iter::once(0..len).collect(),
                    };
                }
            }
        }
        let mut out = Marked::new();
        let mut at = 0;
        for r in ranges {
            out.push(&clean_block(&body[at..r.start]));
            out.party(&clean_block(&body[r.start..r.end]));
            at = r.end;
        }
        out.push(&clean_block(&body[at..]));
        out
    }

    /// The text with every place replaced by `with`.
    pub fn blanked(&self, with: &str) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut at = 0;
        for r in &self.parties {
            out.push_str(&self.text[at..r.start]);
            out.push_str(with);
            at = r.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed() {
        let hostile = "Ann\u{1b}]0;pwned\u{7}ie\u{1b}[2J \u{1b}]52;c;ZXZpbA==\u{7}";
        let cleaned = clean_line(hostile);
        assert!(!cleaned.contains('\u{1b}'));
        assert!(!cleaned.contains('\u{7}'));
        assert_eq!(cleaned, "Ann]0;pwnedie[2J ]52;c;ZXZpbA==");
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(clean_line("abc\u{202E}fed\u{2066}x"), "abcfedx");
        assert_eq!(clean_block("a\u{202D}b"), "ab");
    }

    #[test]
    fn c1_controls_are_removed() {
        assert_eq!(clean_line("a\u{9b}2Jb"), "a2Jb");
    }

    #[test]
    fn lines_fold_breaks_blocks_keep_them() {
        assert_eq!(clean_line("one\r\ntwo\tthree"), "one two three");
        assert_eq!(clean_block("one\r\ntwo\tx"), "one\ntwo    x");
    }

    #[test]
    fn plain_text_is_unchanged() {
        let s = "Zoë O'Neill — “he said he'd hurt me”";
        assert_eq!(clean_line(s), s);
        assert_eq!(clean_block(s), s);
    }

    #[test]
    fn validate_line_rules() {
        assert_eq!(validate_line("Name", "  Kim  ", 10), Ok("Kim".into()));
        assert_eq!(
            validate_line("Name", "   ", 10),
            Err(FieldError::Empty("Name"))
        );
        assert!(matches!(
            validate_line("Name", &"x".repeat(11), 10),
            Err(FieldError::TooLong { len: 11, .. })
        ));
        assert_eq!(
            validate_line("Name", "a\u{1b}b", 10),
            Err(FieldError::Control("Name"))
        );
    }

    #[test]
    fn marked_places_survive_storing_and_cleaning() {
        let mut m = Marked::new();
        m.push("contact: ")
            .party("0116\u{1b}[2J 000")
            .push(" → ")
            .party("Zoë");
        assert_eq!(m.spans().as_deref(), Some("9-21,26-30"));
        let back = Marked::stored(&m.text, m.spans().as_deref());
        assert_eq!(back.text, "contact: 0116[2J 000 → Zoë");
        assert_eq!(back.blanked("[x]"), "contact: [x] → [x]");
        // Places that do not fit the text hide all of it.
        let bad = Marked::stored("abc def", Some("4-99"));
        assert_eq!(bad.blanked("[x]"), "[x]");
        let unmarked = Marked::stored("a\tb", None);
        assert_eq!(unmarked.blanked("[x]"), "a    b");
    }
}
