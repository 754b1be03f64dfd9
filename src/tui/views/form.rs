//! Drawing a form: one row per field (label, value), its hint or error under
//! it, scrolled so the focused field is always in view.

use crate::tui::form::{Field, FieldKind, Form, Value};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

const LABEL: usize = 24;

/// The last `width` columns of `s` up to `cursor`, so the cursor stays in view.
fn window(s: &str, cursor: usize, width: usize) -> (String, String) {
    let before: String = s.chars().take(cursor).collect();
    let after: String = s.chars().skip(cursor).collect();
    let mut b: Vec<char> = before.chars().collect();
    while b.iter().collect::<String>().width() > width.saturating_sub(2) && !b.is_empty() {
        b.remove(0);
    }
    let b: String = b.into_iter().collect();
    let room = width.saturating_sub(b.width() + 1);
    let a: String = after
        .chars()
        .scan(0, |w, c| {
            *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            (*w <= room).then_some(c)
        })
        .collect();
    (b, a)
}

/// The lines of one field.
fn field_lines(f: &Field, focused: bool, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let mark = if focused { "▶ " } else { "  " };
    let label = format!("{mark}{}{}", f.label, if f.required { " *" } else { "" });
    let label = format!("{label:<LABEL$}");
    let label_style = if focused { t.title } else { t.base };
    let room = width.saturating_sub(LABEL + 1);
    let mut lines = Vec::new();
    match (&f.kind, &f.value) {
        (FieldKind::Text { .. }, Value::Text(s)) => {
            let value = if focused {
                let (b, a) = window(s, f.cursor, room);
                format!("{b}▏{a}")
            } else {
                window(s, s.chars().count(), room).0
            };
            lines.push(Line::from(vec![
                Span::styled(label, label_style),
                Span::styled(value, t.key),
            ]));
        }
        (FieldKind::Multiline { .. }, Value::Text(s)) => {
            let mut text = s.clone();
            if focused {
                let at = text
                    .char_indices()
                    .nth(f.cursor)
                    .map_or(text.len(), |(i, _)| i);
                text.insert(at, '▏');
            }
            let all: Vec<&str> = text.split('\n').collect();
            // Up to five lines, scrolled to the cursor's line.
            let cur_line = text[..text.find('▏').unwrap_or(text.len())]
                .matches('\n')
                .count();
            let start = cur_line.saturating_sub(4);
            let shown: Vec<&str> = all.iter().skip(start).take(5).copied().collect();
            for (i, l) in shown.iter().enumerate() {
                let head = if i == 0 {
                    label.clone()
                } else {
                    " ".repeat(LABEL)
                };
                let mut l = l.to_string();
                while l.width() > room {
                    l.remove(0);
                }
                lines.push(Line::from(vec![
                    Span::styled(head, if i == 0 { label_style } else { t.base }),
                    Span::styled(l, t.key),
                ]));
            }
        }
        (FieldKind::Choice { options }, Value::Choice(sel)) => {
            let v = match sel.and_then(|i| options.get(i)) {
                Some((_, l)) => format!("‹ {l} ›"),
                None => "‹ choose: ← → ›".to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled(label, label_style),
                Span::styled(v, t.key),
            ]));
        }
        (FieldKind::Multi { options }, Value::Multi(on)) => {
            // Options flow over as many lines as they need.
            let mut row: Vec<Span<'static>> = vec![Span::styled(label, label_style)];
            let mut used = 0;
            for (i, ((_, l), checked)) in options.iter().zip(on).enumerate() {
                let item = format!("[{}] {l}  ", if *checked { "x" } else { " " });
                if used + item.width() > room && used > 0 {
                    lines.push(Line::from(std::mem::take(&mut row)));
                    row.push(Span::raw(" ".repeat(LABEL)));
                    used = 0;
                }
                used += item.width();
                let style = if focused && i == f.cursor {
                    t.selected
                } else if *checked {
                    t.key
                } else {
                    t.base
                };
                row.push(Span::styled(item, style));
            }
            lines.push(Line::from(row));
        }
        (FieldKind::Toggle, Value::Toggle(on)) => {
            let v = if *on { "[x] yes" } else { "[ ] no" };
            lines.push(Line::from(vec![
                Span::styled(label, label_style),
                Span::styled(v, t.key),
            ]));
        }
        _ => {}
    }
    if let Some(e) = &f.error {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled(format!("✖ {e}"), t.error),
        ]));
    } else if let Some(h) = f.hint.as_ref().filter(|_| focused) {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled(h.clone(), t.muted),
        ]));
    }
    lines
}

pub fn draw(form: &Form, t: &Theme, f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", form.title), t.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    // A warning is pinned above the fields: it must not scroll away.
    let pinned = u16::from(form.warning.is_some());
    if let Some(w) = &form.warning {
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(format!("‼ {w}"), t.overdue))),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
    }
    let (mut focus_top, mut focus_bottom) = (0, 0);
    for (i, field) in form.fields.iter().enumerate() {
        let fl = field_lines(field, i == form.focus, t, width);
        if i == form.focus {
            focus_top = lines.len();
            focus_bottom = lines.len() + fl.len();
        }
        lines.extend(fl);
    }
    let body = inner.height.saturating_sub(1 + pinned) as usize;
    let scroll = focus_bottom.saturating_sub(body).min(focus_top);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll as u16, 0)),
        Rect::new(inner.x, inner.y + pinned, inner.width, body as u16),
    );
    let foot = if form.confirm_discard {
        Span::styled(
            "Discard what you typed? y = discard, n = keep editing",
            t.error,
        )
    } else if form.saving {
        Span::styled("Saving…", t.muted)
    } else if let Some(e) = &form.error {
        Span::styled(format!("✖ {e}"), t.error)
    } else {
        Span::styled(
            "Tab/Shift-Tab move · ←→ Space choose · Ctrl-S save · Esc cancel",
            t.muted,
        )
    };
    f.render_widget(
        Paragraph::new(Line::from(foot)),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::Field;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn text(form: &Form) -> String {
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| draw(form, &Theme::mono(), f, f.area()))
            .unwrap();
        crate::tui::views::buffer_text(term.backend().buffer())
    }

    #[test]
    fn the_focused_field_is_always_visible_with_its_error() {
        let fields = (0..15)
            .map(|i| {
                let key: &'static str = Box::leak(format!("f{i}").into_boxed_str());
                Field::text(key, &format!("Field {i}"), 50).required()
            })
            .collect();
        let mut form = Form::new("New escalation", fields);
        form.focus = 14;
        form.set_error("f14", "required");
        form.focus = 14;
        let out = text(&form);
        assert!(out.contains("▶ Field 14 *"), "{out}");
        assert!(out.contains("✖ required"), "{out}");
        assert!(out.contains("Ctrl-S save"), "{out}");
        form.confirm_discard = true;
        assert!(text(&form).contains("Discard what you typed?"));
    }
}
