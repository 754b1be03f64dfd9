//! Drawing helpers every layer shares: the header, the footer, text
//! fitting and wrapping, form fields, the marks. None does IO, so a frame
//! can be drawn into a test buffer exactly as on a terminal.

pub mod columns;
pub mod form;
pub mod symbols;
pub mod text;

use super::layer::{Ctx, MIN_HEIGHT, MIN_WIDTH, StatusKind};
use crate::domain::calendar::format_clock;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

/// The panel below 80×24: the size, the minimum, and how to go on.
pub fn too_small(ctx: &Ctx, f: &mut Frame, area: Rect) {
    let quit = ctx
        .keymap
        .hints(&["too_small"])
        .first()
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "q".into());
    let text = vec![
        Line::from(Span::styled("Terminal too small", ctx.theme.error)),
        Line::from(format!(
            "This window is {}×{}; dutydesk needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from(format!(
            "Enlarge the window, or press {quit} to quit (anything typed is kept as a draft)."
        )),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect::new(area.x, area.y + y, area.width, area.height.min(4));
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

/// The top line on every screen: organisation, you, who is on duty, UK time.
pub fn header(ctx: &Ctx, f: &mut Frame, area: Rect) {
    let on_duty = ctx.desk.on_duty.as_deref().unwrap_or("nobody on the rota");
    // Who you are and who is on duty matter more than the organisation's name,
    // so on a narrow screen the name is cut first. Closures waiting for your
    // sign-off are counted (S lists them).
    let right = format!("{} ", format_clock(ctx.now));
    let room = (area.width as usize).saturating_sub(right.width() + 1);
    let left = header_left(
        &ctx.desk.org,
        &ctx.me.display_name,
        ctx.me.role.label(),
        on_duty,
        ctx.desk.signoff_waiting,
        room,
    );
    f.render_widget(
        Paragraph::new(spread(&left, &right, area.width)).style(ctx.theme.header),
        area,
    );
}

/// The header's left part in `room` columns. Closures waiting for the
/// user's sign-off are said whole, always ("sign-off: 2 (S)": something to
/// do); then who you are and who is on duty; the organisation's name is cut
/// first, then your role, then the name dropped, then the names cut.
pub fn header_left(
    org: &str,
    me: &str,
    role: &str,
    on_duty: &str,
    signoff: i64,
    room: usize,
) -> String {
    let sign = match signoff {
        n if n > 0 => format!(" │ sign-off: {n} (S)"),
        _ => String::new(),
    };
    let duty = format!(" │ on duty: {on_duty}");
    for you in [format!(" │ you: {me} ({role})"), format!(" │ you: {me}")] {
        let fixed = 1 + you.width() + duty.width() + sign.width();
        if fixed + 8 <= room {
            return format!(" {}{you}{duty}{sign}", truncate(org, room - fixed));
        }
    }
    let plain = format!(" you: {me}{duty}{sign}");
    if plain.width() <= room {
        return plain;
    }
    let rest = truncate(
        &format!(" you: {me} │ on duty: {on_duty}"),
        room.saturating_sub(sign.width()),
    );
    truncate(&format!("{rest}{sign}"), room)
}

/// The top layer's key hints on one line of `width`: as many as fit, the
/// ones just before "help" dropped first (help lists them all).
pub fn hint_line(
    hints: &[(String, String)],
    width: usize,
    t: &super::theme::Theme,
) -> Line<'static> {
    let mut hints: Vec<&(String, String)> = hints.iter().collect();
    let used = |h: &[&(String, String)]| -> usize {
        h.iter()
            .map(|(k, d)| k.width() + d.width() + 3)
            .sum::<usize>()
    };
    while used(&hints) > width && hints.len() > 2 {
        let at = hints
            .iter()
            .position(|(_, d)| d == "help")
            .unwrap_or(hints.len() - 1);
        hints.remove(at.saturating_sub(1));
    }
    let mut keys: Vec<Span<'static>> = Vec::new();
    for (k, hint) in hints {
        keys.push(Span::styled(k.clone(), t.key));
        keys.push(Span::styled(format!(" {hint}  "), t.base));
    }
    Line::from(keys)
}

/// The bottom two lines: the status line, then the top layer's key hints.
pub fn footer(ctx: &Ctx, f: &mut Frame, area: Rect, right: &str) {
    let t = &ctx.theme;
    let status = match &ctx.status {
        Some(s) => Line::from(Span::styled(
            format!(
                " {} {}",
                if s.kind == StatusKind::Error {
                    "✖"
                } else {
                    "ℹ"
                },
                fit_keeping_hint(&s.text, (area.width as usize).saturating_sub(3))
            ),
            if s.kind == StatusKind::Error {
                t.error
            } else {
                t.base
            },
        )),
        None => Line::from(""),
    };
    let room = (area.width as usize).saturating_sub(right.width() + 2);
    let mut keys = vec![Span::raw(" ")];
    keys.extend(hint_line(&ctx.hints, room, t).spans);
    let used: usize = keys.iter().map(|s| s.content.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + right.width());
    keys.push(Span::raw(" ".repeat(pad)));
    keys.push(Span::styled(right.to_string(), t.muted));
    let rows = [
        Rect::new(area.x, area.y, area.width, 1),
        Rect::new(area.x, area.y + 1, area.width, 1),
    ];
    f.render_widget(Paragraph::new(status), rows[0]);
    f.render_widget(Paragraph::new(Line::from(keys)), rows[1]);
}

/// `left` and `right` on one line of `width`, the left cut short if need be.
pub fn spread(left: &str, right: &str, width: u16) -> String {
    let width = width as usize;
    let room = width.saturating_sub(right.width() + 1);
    let left = truncate(left, room);
    let pad = width.saturating_sub(left.width() + right.width());
    format!("{left}{}{right}", " ".repeat(pad))
}

/// A status line's text in `width` columns: cut with "…" when too long,
/// but a closing "(…)" that says which key to press next (it starts with a
/// key: "(! lists the open alerts)", "(p again resumes)", "(Tab back to
/// it)") is kept whole when it takes at most half the line, so what to do
/// next is never the part cut off.
pub fn fit_keeping_hint(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let names_a_key = |hint: &str| {
        let key = hint[1..].split(' ').next().unwrap_or_default();
        // "a" here is the article ("(a reason is required)") and a digit a
        // count ("(0 rolled to …)"), not keys.
        (key.chars().count() == 1 && key != "a" && !key.starts_with(|c: char| c.is_ascii_digit()))
            || ["Tab", "Enter", "Esc", "Space"].contains(&key)
            || key.starts_with("Ctrl-")
    };
    if text.ends_with(')')
        && let Some(at) = text.rfind(" (")
    {
        let hint = &text[at + 1..];
        if hint.width() * 2 <= width && !hint[1..].contains('(') && names_a_key(hint) {
            let head = truncate(&text[..at], width - hint.width() - 1);
            return format!("{head} {hint}");
        }
    }
    truncate(text, width)
}

/// Cuts `s` to at most `width` columns, ending in "…" when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// Word-wraps `text` (which may hold line breaks) to `width` columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let mut word = word.to_string();
            loop {
                let need = if line.is_empty() {
                    word.width()
                } else {
                    line.width() + 1 + word.width()
                };
                if need <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    continue;
                }
                // A word longer than the line: break it.
                let mut head = String::new();
                let mut w = 0;
                let mut rest = String::new();
                for c in word.chars() {
                    let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    if rest.is_empty() && w + cw <= width {
                        head.push(c);
                        w += cw;
                    } else {
                        rest.push(c);
                    }
                }
                out.push(head);
                word = rest;
            }
        }
        out.push(line);
    }
    out
}

/// The frame as plain text, one line per row, trailing spaces trimmed: what
/// `dutydesk snapshot` prints and the rendering tests compare.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_on_words_and_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
    }

    #[test]
    fn truncate_marks_cuts() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn a_status_line_keeps_its_key_hint_when_cut() {
        let text = "SG-2026-1716 overdue: Children's social care decision (chase) was due 30 Nov 2026 17:00 (and 33 more) (! lists the open alerts)";
        let fit = fit_keeping_hint(text, 77);
        assert!(fit.width() <= 77, "{fit}");
        assert!(fit.ends_with("… (! lists the open alerts)"), "{fit}");
        assert!(fit.starts_with("SG-2026-1716 overdue: "), "{fit}");
        // Fits: unchanged; no hint: cut with "…"; a hint wider than half
        // the line is cut like the rest.
        assert_eq!(fit_keeping_hint("Saved", 77), "Saved");
        assert_eq!(fit_keeping_hint("abcdef ghij", 6), "abcde…");
        assert_eq!(fit_keeping_hint("ab (cdefgh)", 8), "ab (cde…");
        // A closing remark that names no key is cut like the rest.
        let held =
            "Bi-monthly DSL learning and reflection held with 31 items (0 rolled to 11 Feb 2027)";
        assert_eq!(
            fit_keeping_hint(held, 77),
            "Bi-monthly DSL learning and reflection held with 31 items (0 rolled to 11 Fe…"
        );
        assert!(
            fit_keeping_hint(
                "Paused: the lists hold still while you read them (p again resumes)",
                50
            )
            .ends_with("… (p again resumes)")
        );
    }

    #[test]
    fn spread_keeps_the_right_side() {
        assert_eq!(spread("left side", "12:00", 12), "left…  12:00");
    }

    #[test]
    fn the_header_keeps_the_sign_off_count_whole() {
        let org = "Demo Violence Reduction Partnership";
        // 80 columns less the clock.
        for room in [62, 50, 40, 30] {
            let h = header_left(org, "Rachel White", "senior lead", "Jo Brennan", 1, room);
            assert!(h.width() <= room, "{room}: {h}");
            assert!(h.ends_with(" │ sign-off: 1 (S)"), "{room}: {h}");
        }
        let h = header_left(org, "Rachel White", "senior lead", "Jo Brennan", 1, 62);
        assert!(
            h.contains("you: Rachel White") && h.contains("on duty: Jo Brennan"),
            "{h}"
        );
        // Wide: everything, the name whole.
        let h = header_left(org, "Rachel White", "senior lead", "Jo Brennan", 0, 150);
        assert!(
            h.starts_with(&format!(" {org} │ you: Rachel White (senior lead)")),
            "{h}"
        );
    }
}
