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
}
