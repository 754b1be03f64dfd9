//! Drawing a text being edited: one line scrolled to its cursor, or
//! several wrapped on words with the cursor's row in view. Shared by form
//! fields, prompts and searches (the editing itself is `widgets::text_input`).

use crate::tui::theme::Theme;
use crate::tui::widgets::text_input::TextInput;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// The cursor mark in the focused text.
const CURSOR: &str = "▏";

fn cw(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// An input's rows in `room` columns (at most `max_rows` of a block), the
/// cursor marked when `focused`.
pub fn rows(
    input: &TextInput,
    focused: bool,
    room: usize,
    max_rows: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    let text = input.text();
    if input.is_multiline() {
        block_rows(&text, input.cursor(), focused, room, max_rows, t)
            .into_iter()
            .map(Line::from)
            .collect()
    } else {
        let chars: Vec<char> = text.chars().collect();
        vec![Line::from(cursor_line(&chars, input.cursor(), room, t))]
    }
}

/// A one-line input's text with the cursor mark in it (a search line).
pub fn with_cursor(input: &TextInput) -> String {
    let text: Vec<char> = input.text().chars().collect();
    let at = input.cursor().min(text.len());
    let mut s: String = text[..at].iter().collect();
    s.push_str(CURSOR);
    s.extend(&text[at..]);
    s
}

/// One line of text in `room` columns with the cursor mark at `cur`. The
/// window moves in half-width steps so the cursor stays in view; "…" marks
/// text cut off at either side.
pub fn cursor_line(chars: &[char], cur: usize, room: usize, t: &Theme) -> Vec<Span<'static>> {
    let mut prefix = Vec::with_capacity(chars.len() + 1);
    prefix.push(0usize);
    for c in chars {
        prefix.push(prefix[prefix.len() - 1] + cw(*c));
    }
    let n = chars.len();
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    if prefix[n] < room {
        return vec![
            Span::styled(text(0, cur), t.key),
            Span::styled(CURSOR, t.key),
            Span::styled(text(cur, n), t.key),
        ];
    }
    // The start: the first half-width step from which the cursor, its mark
    // and an "…" on each side fit.
    let page = (room / 2).max(1);
    let (mut a, mut k) = (0, 0);
    while a < cur && usize::from(a > 0) + (prefix[cur] - prefix[a]) + 2 > room {
        k += 1;
        while a < cur && prefix[a] < k * page {
            a += 1;
        }
    }
    let mut spans = Vec::new();
    if a > 0 {
        spans.push(Span::styled("…", t.muted));
    }
    spans.push(Span::styled(text(a, cur), t.key));
    spans.push(Span::styled(CURSOR, t.key));
    let left = room.saturating_sub(usize::from(a > 0) + prefix[cur] - prefix[a] + 1);
    if prefix[n] - prefix[cur] <= left {
        spans.push(Span::styled(text(cur, n), t.key));
    } else {
        let mut b = cur;
        while b < n && prefix[b + 1] - prefix[cur] < left {
            b += 1;
        }
        spans.push(Span::styled(text(cur, b), t.key));
        spans.push(Span::styled("…", t.muted));
    }
    spans
}

/// Word-wraps text into rows of at most `width` columns (a space at a break
/// may hang one column over), as char ranges; line breaks end rows and are
/// in none. An empty line is an empty row.
fn wrap_ranges(chars: &[char], width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let n = chars.len();
    let mut rows = Vec::new();
    let mut ls = 0;
    loop {
        let le = chars[ls..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(n, |i| ls + i);
        if ls == le {
            rows.push((ls, ls));
        }
        let mut start = ls;
        while start < le {
            let (mut w, mut i) = (0, start);
            while i < le && (w + cw(chars[i]) <= width || i == start) {
                w += cw(chars[i]);
                i += 1;
            }
            if i == le {
                rows.push((start, le));
                break;
            }
            let brk = if chars[i] == ' ' {
                i + 1
            } else {
                chars[start..i]
                    .iter()
                    .rposition(|c| *c == ' ')
                    .map_or(i, |j| start + j + 1)
            };
            rows.push((start, brk));
            start = brk;
        }
        if le == n {
            break;
        }
        ls = le + 1;
    }
    rows
}

/// The rows of a multi-line text: up to five, scrolled to the cursor's row
/// when focused; "…" where rows are hidden.
pub fn block_rows(
    s: &str,
    cursor: usize,
    focused: bool,
    room: usize,
    max_rows: usize,
    t: &Theme,
) -> Vec<Vec<Span<'static>>> {
    let chars: Vec<char> = s.chars().collect();
    // Two columns spare: the cursor mark and an "…".
    let rows = wrap_ranges(&chars, room.saturating_sub(2));
    let cur = cursor.min(chars.len());
    let cur_row = rows.iter().rposition(|(a, _)| *a <= cur).unwrap_or(0);
    let first = if focused {
        cur_row.saturating_sub(max_rows - 1)
    } else {
        0
    };
    let last = (first + max_rows).min(rows.len());
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    (first..last)
        .map(|r| {
            let (a, b) = rows[r];
            let mut spans = Vec::new();
            if r == first && first > 0 {
                spans.push(Span::styled("…", t.muted));
            }
            if focused && r == cur_row {
                spans.push(Span::styled(text(a, cur), t.key));
                spans.push(Span::styled(CURSOR, t.key));
                spans.push(Span::styled(text(cur, b), t.key));
            } else {
                spans.push(Span::styled(text(a, b), t.key));
            }
            if r + 1 == last && last < rows.len() {
                spans.push(Span::styled("…", t.muted));
            }
            spans
        })
        .collect()
}
