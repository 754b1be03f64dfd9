//! Drawing a form: one row per field (label, value), its error and hint under
//! it, scrolled so the focused field is always in view, and one line at the
//! bottom for the question, the form's own message or the keys.
//!
//! Drawing only: everything comes from `&Form`. Scrolling is worked out from
//! the focus alone, in half-screen steps, so the form does not slide at every
//! move.

use super::{truncate, wrap};
use crate::tui::form::{Field, FieldKind, Form, Value};
use crate::tui::layer::Ctx;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The focus marker's columns.
const MARK: usize = 2;
/// The label's columns (the label and " *" for required).
const LABEL: usize = 22;
/// Between label and value.
const GAP: usize = 1;
/// Rows shown of a multi-line text.
const BLOCK_ROWS: usize = 5;

/// Label columns and value columns for a given inner width.
fn columns(width: usize) -> (usize, usize) {
    let label = LABEL.min(width.saturating_sub(MARK + GAP) / 3);
    let room = width.saturating_sub(MARK + label + GAP).max(1);
    (label, room)
}

/// The label cell: marker, label (cut to fit, " *" kept), padding.
fn label_spans(f: &Field, focused: bool, t: &Theme, label_w: usize) -> Vec<Span<'static>> {
    let style = if focused { t.title } else { t.base };
    let star = if f.required { " *" } else { "" };
    let mut text = truncate(&f.label, label_w.saturating_sub(star.width()));
    text.push_str(star);
    let pad = (label_w + GAP).saturating_sub(text.width());
    text.push_str(&" ".repeat(pad));
    vec![
        Span::styled(if focused { "▶ " } else { "  " }, style),
        Span::styled(text, style),
    ]
}

/// Options as "[x] label  [ ] label", flowing over as many rows as needed,
/// the option under the cursor highlighted while focused.
fn multi_rows(
    f: &Field,
    options: &[(String, String)],
    on: &[bool],
    focused: bool,
    room: usize,
    t: &Theme,
) -> Vec<Vec<Span<'static>>> {
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for (i, (_, label)) in options.iter().enumerate() {
        let checked = on.get(i).copied().unwrap_or(false);
        let item = truncate(
            &format!("[{}] {label}", if checked { "x" } else { " " }),
            room,
        );
        let w = item.width();
        if used > 0 && used + 2 + w > room {
            rows.push(Vec::new());
            used = 0;
        }
        let row = rows.last_mut().expect("one row at least");
        if used > 0 {
            row.push(Span::raw("  "));
            used += 2;
        }
        let style = if focused && i == f.cursor {
            t.selected
        } else if checked {
            t.key
        } else {
            t.base
        };
        row.push(Span::styled(item, style));
        used += w;
    }
    rows
}

/// The value's rows (one at least), without the label.
fn value_rows(f: &Field, focused: bool, room: usize, t: &Theme) -> Vec<Vec<Span<'static>>> {
    match (&f.kind, &f.value) {
        (FieldKind::Text { .. }, Value::Text(s)) => {
            if focused {
                let chars: Vec<char> = s.chars().collect();
                vec![super::text::cursor_line(
                    &chars,
                    f.cursor.min(chars.len()),
                    room,
                    t,
                )]
            } else {
                vec![vec![Span::styled(truncate(s, room), t.key)]]
            }
        }
        (FieldKind::Multiline { .. }, Value::Text(s)) => {
            super::text::block_rows(s, f.cursor, focused, room, BLOCK_ROWS, t)
        }
        (FieldKind::Choice { options }, Value::Choice(sel)) => {
            match sel.and_then(|i| options.get(i)) {
                Some((_, label)) => vec![vec![Span::styled(
                    format!("‹ {} ›", truncate(label, room.saturating_sub(4))),
                    t.key,
                )]],
                None => vec![vec![Span::styled("‹ choose ›", t.muted)]],
            }
        }
        (FieldKind::Multi { options }, Value::Multi(on)) => {
            multi_rows(f, options, on, focused, room, t)
        }
        (FieldKind::Toggle, Value::Toggle(on)) => vec![vec![Span::styled(
            if *on { "[x] yes" } else { "[ ] no" },
            t.key,
        )]],
        _ => vec![Vec::new()],
    }
}

/// How a field's detail starts when it says back a problem with what is
/// typed rather than how it was read (`forms::echo_times`).
pub const PROBLEM: &str = "? ";

/// All the lines of one field: label and value, then its detail (always),
/// its error, then (when focused) its hint, each wrapped under the value.
fn field_lines(f: &Field, focused: bool, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let (label_w, room) = columns(width);
    let indent = " ".repeat(MARK + label_w + GAP);
    let mut lines = Vec::new();
    for (i, row) in value_rows(f, focused, room, t).into_iter().enumerate() {
        let mut spans = if i == 0 {
            label_spans(f, focused, t, label_w)
        } else {
            vec![Span::raw(indent.clone())]
        };
        spans.extend(row);
        lines.push(Line::from(spans));
    }
    let mut under = |text: &str, style: Style| {
        for l in wrap(text, room) {
            lines.push(Line::from(vec![
                Span::raw(indent.clone()),
                Span::styled(l, style),
            ]));
        }
    };
    // A detail that says back a problem with what is typed ("? ...", the
    // time fields' echo) gives way to the error saving found: one message,
    // not the same one twice.
    if let Some(d) = &f.detail
        && !(f.error.is_some() && d.starts_with(PROBLEM))
    {
        under(d, t.muted);
    }
    if let Some(e) = &f.error {
        under(&format!("✖ {e}"), t.error);
    }
    if focused && let Some(h) = &f.hint {
        under(h, t.muted);
    }
    lines
}

/// At most `max` wrapped lines of `text`, the last ending in "…" if cut.
fn wrapped(text: &str, width: usize, max: usize, style: Style) -> Vec<Line<'static>> {
    let mut rows = wrap(text, width);
    if rows.len() > max {
        rows.truncate(max);
        if let Some(last) = rows.last_mut() {
            *last = truncate(&format!("{last} …"), width);
        }
    }
    rows.into_iter()
        .map(|r| Line::from(Span::styled(r, style)))
        .collect()
}

/// The bottom line(s): "Saving…", the form's message, or the keys of the
/// form and its focused field, from the keymap (as many as fit).
fn footer(form: &Form, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    if form.saving {
        return vec![Line::from(Span::styled("Saving…", t.muted))];
    }
    if let Some(e) = &form.error {
        return wrapped(&format!("✖ {e}"), width, 3, t.error);
    }
    vec![super::hint_line(&ctx.hints, width, t)]
}

/// The first line to show: the focused field's lines `[top, bottom)` (and
/// the line after, when there is room) in view, moving in half-screen steps.
fn scroll_for(top: usize, bottom: usize, total: usize, body: usize) -> usize {
    if total <= body {
        return 0;
    }
    let max = total - body;
    let page = (body / 2).max(1);
    for context in [1, 0] {
        let want = (bottom + context).min(total);
        let mut k = 0;
        loop {
            let s = (k * page).min(max);
            if s <= top && want <= s + body {
                return s;
            }
            if s == max {
                break;
            }
            k += 1;
        }
    }
    // Taller than the screen: its top.
    top.min(max)
}

pub fn draw(form: &Form, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    f.render_widget(Clear, area);
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;

    let mut lines: Vec<Line<'static>> = Vec::new();
    let (mut top, mut bottom) = (0, 0);
    for (i, field) in form.fields.iter().enumerate() {
        if !form.shown(i) {
            continue;
        }
        let fl = field_lines(field, i == form.focus, t, width);
        if i == form.focus {
            top = lines.len();
            bottom = top + fl.len();
        }
        lines.extend(fl);
    }
    // A warning is pinned above the fields: it must not scroll away.
    let warning = form
        .warning
        .as_ref()
        .map(|w| wrapped(&format!("‼ {w}"), width, 3, t.overdue))
        .unwrap_or_default();
    let foot = footer(form, ctx, width);
    let body = height.saturating_sub(warning.len() + foot.len());
    let scroll = scroll_for(top, bottom, lines.len(), body);

    let mut block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", form.title), t.title));
    if scroll > 0 {
        block = block.title_top(Line::styled(" ↑ more above ", t.muted).right_aligned());
    }
    if scroll + body < lines.len() {
        block = block.title_bottom(Line::styled(" ↓ more below ", t.muted).right_aligned());
    }
    let inner = block.inner(area);
    f.render_widget(block, area);

    let mut y = inner.y;
    put(f, inner, warning, &mut y);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(scroll).take(body).collect();
    put(f, inner, shown, &mut y);
    y = inner.bottom().saturating_sub(foot.len() as u16).max(y);
    put(f, inner, foot, &mut y);
}

/// Draws `lines` at row `y` of `inner` (as many as fit) and moves `y` past them.
fn put(f: &mut Frame, inner: Rect, lines: Vec<Line<'static>>, y: &mut u16) {
    let h = (lines.len() as u16).min(inner.bottom().saturating_sub(*y));
    if h > 0 {
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(inner.x, *y, inner.width, h),
        );
        *y += h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::Field;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// The context a form is drawn in: the footer shows the keys of the
    /// form and its focused field.
    fn ctx(form: &Form) -> Ctx {
        let me = crate::domain::staff::StaffMember {
            id: 1,
            username: "alice".into(),
            display_name: "Alice".into(),
            role: crate::domain::staff::Role::Dsl,
            active: true,
        };
        let mut c = Ctx::new(me, chrono::Utc::now(), false, Theme::mono());
        c.hints = c.keymap.hints(&form.sections());
        c
    }

    fn screen(form: &Form, w: u16, h: u16) -> Vec<String> {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let c = ctx(form);
        term.draw(|f| draw(form, &c, f, f.area())).unwrap();
        crate::tui::views::buffer_text(term.backend().buffer())
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn opts(v: &[&str]) -> Vec<(String, String)> {
        v.iter().map(|s| (s.to_string(), s.to_string())).collect()
    }

    const KEYS: [&str; 15] = [
        "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13",
        "f14",
    ];

    /// Fifteen fields of every kind, like the intake form.
    fn big() -> Form {
        let fields = KEYS
            .iter()
            .enumerate()
            .map(|(i, &key)| {
                let label = format!("Field {i}");
                match i % 5 {
                    0 => Field::text(key, label, 200).required(),
                    1 => Field::multiline(key, label, 4000)
                        .with_text("one\ntwo\nthree\nfour\nfive\nsix"),
                    2 => Field::choice(key, label, opts(&["high", "medium", "low"]))
                        .hint("How likely is harm, and how bad"),
                    3 => Field::multi(
                        key,
                        label,
                        opts(&[
                            "neglect",
                            "physical abuse",
                            "sexual abuse",
                            "emotional abuse",
                            "online",
                            "radicalisation",
                            "exploitation",
                        ]),
                    ),
                    _ => Field::toggle(key, label),
                }
            })
            .collect();
        Form::new("New escalation", fields)
    }

    /// The screen column of `c` in `row`.
    fn col(row: &str, c: char) -> Option<usize> {
        row.find(c).map(|i| row[..i].width())
    }

    fn row_of(rows: &[String], needle: &str) -> usize {
        rows.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", rows.join("\n")))
    }

    #[test]
    fn the_focused_last_field_is_visible_at_80x24() {
        let mut form = big();
        form.fields[14] = Field::text("f14", "Field 14", 200).with_text("the very end");
        form.focus = 14;
        let rows = screen(&form, 80, 24);
        let at = row_of(&rows, "▶ Field 14");
        assert!(rows[at].contains("the very end▏"), "{}", rows.join("\n"));
        assert!(rows[23].starts_with('└'));
        assert!(rows[22].contains("Tab/Enter next"), "{}", rows[22]);
        assert!(rows[22].contains("Ctrl-S save  Esc cancel"), "{}", rows[22]);
        assert!(rows[0].contains("New escalation") && rows[0].contains("↑ more above"));
        // Every field in turn is in view, in both directions.
        for i in (0..15).chain((0..15).rev()) {
            form.focus = i;
            let rows = screen(&form, 80, 24);
            let at = row_of(&rows, &format!("▶ Field {i}"));
            assert!((1..22).contains(&at), "field {i} at row {at}");
        }
    }

    #[test]
    fn an_error_sits_under_its_field() {
        let mut form = big();
        form.set_error("f10", "required");
        assert_eq!(form.focus, 10);
        let rows = screen(&form, 80, 24);
        let at = row_of(&rows, "▶ Field 10 *");
        let err = row_of(&rows, "✖ required");
        assert_eq!(err, at + 1);
        assert_eq!(col(&rows[err], '✖'), col(&rows[at], '▏'), "under the value");
        assert_eq!(col(&rows[at], '▏'), Some(26));
        // An unfocused field keeps its error; the hint shows only with focus.
        form.set_error("f12", "pick one");
        form.focus = 12;
        let rows = screen(&form, 80, 24);
        let at = row_of(&rows, "▶ Field 12");
        assert!(rows[at].contains("‹ choose ›"));
        assert!(rows[at + 1].contains("✖ pick one"));
        assert!(rows[at + 2].contains("How likely is harm"));
        assert!(rows.iter().any(|r| r.contains("✖ required")));
    }

    #[test]
    fn the_bottom_line_asks_says_saving_or_shows_the_message() {
        let mut form = big();
        form.saving = true;
        assert!(screen(&form, 80, 24)[22].contains("Saving…"));
        form.saving = false;
        form.error = Some("Jo Brennan changed it at 09:04; reload and try again".into());
        assert!(screen(&form, 80, 24)[22].contains("✖ Jo Brennan changed it"));
        form.warning = Some("CALL 999 NOW".into());
        assert!(screen(&form, 80, 24)[1].contains("‼ CALL 999 NOW"));
    }

    #[test]
    fn long_text_scrolls_to_the_cursor() {
        let long: String = (0..300)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let mut form = Form::new(
            "t",
            vec![
                Field::text("a", "A", 500).with_text(&long),
                Field::text("b", "B", 500).with_text(&long),
            ],
        );
        let rows = screen(&form, 80, 24);
        // The end of the text, the cursor after it, "…" for what is cut.
        assert_eq!(col(&rows[1], '…'), Some(26), "{}", rows[1]);
        assert!(rows[1].contains("jklmn▏ "), "{}", rows[1]);
        assert!(rows[2].ends_with("xyz…│"), "unfocused: the start, cut");
        assert!(rows[2].contains("│  B                      abc"));
        form.fields[0].cursor = 0;
        let rows = screen(&form, 80, 24);
        assert!(rows[1].contains(" ▏abcdef"), "{}", rows[1]);
        assert!(rows[1].ends_with("…│"), "{}", rows[1]);
        // Moving within the window does not move it.
        form.fields[0].cursor = 20;
        let moved = screen(&form, 80, 24);
        assert_eq!(moved[1].replace('▏', ""), rows[1].replace('▏', ""));
        for r in &rows {
            assert!(r.width() <= 80);
        }
    }

    #[test]
    fn multiline_wraps_and_follows_the_cursor() {
        let words = "one two three four five six seven eight nine ten ".repeat(8);
        let mut form = Form::new(
            "t",
            vec![Field::multiline("w", "Words", 4000).with_text(&words)],
        );
        let rows = screen(&form, 80, 24);
        assert!(rows[1].starts_with("│▶ Words"));
        assert!(
            rows[1].contains(" …one two"),
            "rows hidden above: {}",
            rows[1]
        );
        assert!(
            rows[5].contains("nine ten ▏"),
            "the cursor's row is the fifth"
        );
        assert!(!rows[6].contains("ten"), "five rows at most");
        for r in &rows[1..6] {
            assert!(r.contains("one two three"), "wrapped on words: {r}");
        }
        form.fields[0].cursor = 0;
        let rows = screen(&form, 80, 24);
        assert!(rows[1].contains("▏one two"), "{}", rows[1]);
        assert!(
            rows[5].contains("nine ten …"),
            "rows hidden below: {}",
            rows[5]
        );
    }

    #[test]
    fn multi_flows_over_rows_and_marks_the_cursor() {
        let mut form = big();
        form.focus = 3;
        form.act(&crate::tui::action::Action::TickOption);
        let rows = screen(&form, 80, 24);
        let at = row_of(&rows, "▶ Field 3");
        assert!(rows[at].contains("[x] neglect  [ ] physical abuse"));
        assert!(rows[at + 1].contains("[ ] "), "wrapped onto a second row");
        assert!(rows[22].contains("Space tick"));
        let t = Theme::mono();
        let lines = field_lines(&form.fields[3], true, &t, 78);
        let cursor = lines[0]
            .spans
            .iter()
            .find(|s| s.content.contains("neglect"))
            .unwrap();
        assert_eq!(cursor.style, t.selected);
    }

    #[test]
    fn long_labels_are_cut_and_keep_the_star() {
        let form = Form::new(
            "t",
            vec![Field::toggle("x", "A label far too long for its column").required()],
        );
        let rows = screen(&form, 80, 24);
        assert!(
            rows[1].contains("▶ A label far too lon… * [ ] no"),
            "{}",
            rows[1]
        );
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let form = big();
        for (w, h) in [(1, 1), (10, 3), (20, 5), (80, 4)] {
            screen(&form, w, h);
        }
    }

    #[test]
    fn scroll_moves_in_steps_and_shows_the_focus() {
        assert_eq!(scroll_for(0, 1, 10, 20), 0);
        assert_eq!(scroll_for(30, 32, 60, 20), 20);
        assert_eq!(
            scroll_for(25, 27, 60, 20),
            10,
            "the line after is shown too"
        );
        assert_eq!(scroll_for(58, 60, 60, 20), 40);
        assert_eq!(
            scroll_for(5, 40, 60, 20),
            5,
            "taller than the screen: its top"
        );
    }
}
