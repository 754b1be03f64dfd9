//! The one-line prompt for meeting or waiving a deadline, drawn over the
//! dashboard's lower half.

use crate::tui::app::{App, Prompt, PromptKind, TextVerb};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

pub fn draw(app: &App, p: &Prompt, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (title, ask) = match &p.kind {
        PromptKind::Meet {
            reference, label, ..
        } => (
            format!(" Mark met: {label} · {reference} "),
            "Note (optional), then Enter:",
        ),
        PromptKind::Waive {
            reference, label, ..
        } => (
            format!(" Waive: {label} · {reference} "),
            "Reason (required: why it no longer applies), then Enter:",
        ),
        PromptKind::Review { target, name, .. } => (
            format!(" {} → {name} ", target.reference),
            "Why it should be discussed (required), then Enter:",
        ),
        PromptKind::Event {
            target, events, at, ..
        } => (
            format!(
                " {}: {} held (Tab: {} event(s)) ",
                target.reference,
                events
                    .get(*at)
                    .map(|e| e.replace('_', " "))
                    .unwrap_or_default(),
                events.len()
            ),
            "What was decided, who took part (optional), then Enter:",
        ),
        PromptKind::HandoverNote => (
            " Handover note ".to_string(),
            "For whoever takes over next (what to watch, who to chase), then Enter:",
        ),
        PromptKind::Escalation { target, verb } => match verb {
            TextVerb::Note => (
                format!(" Note on {} ", target.reference),
                "Note for the chronology (kept for good; never edited), then Enter:",
            ),
            TextVerb::Reopen => (
                format!(" Re-open {} ", target.reference),
                "Why it is re-opened (required), then Enter:",
            ),
        },
        PromptKind::Signoff {
            target, approve, ..
        } => {
            if *approve {
                (
                    format!(" Sign off the closure of {} ", target.reference),
                    "Your reason for approving this outcome and rationale (required), then Enter:",
                )
            } else {
                (
                    format!(" Send back the closure of {} ", target.reference),
                    "What must happen first (required), then Enter:",
                )
            }
        }
    };
    let w = area.width.saturating_sub(4).min(100);
    let inner_w = w.saturating_sub(2) as usize;
    // Show the end of a long entry: that is where the typing is.
    let shown = tail(&p.input, inner_w.saturating_sub(2));
    let mut lines = Vec::new();
    // A sign-off shows what it acts on: the proposal as the record was read.
    if let PromptKind::Signoff {
        outcome, rationale, ..
    } = &p.kind
    {
        lines.push(Line::from(vec![
            Span::styled("Proposed outcome: ", t.muted),
            Span::styled(outcome.replace('-', " "), t.title),
        ]));
        let wrapped = super::wrap(&format!("Rationale: {rationale}"), inner_w.max(1));
        let cut = wrapped.len() > PROPOSAL_ROWS;
        for (i, row) in wrapped.into_iter().take(PROPOSAL_ROWS).enumerate() {
            let row = if cut && i + 1 == PROPOSAL_ROWS {
                super::truncate(&format!("{row} …"), inner_w)
            } else {
                row
            };
            lines.push(Line::from(Span::styled(row, t.base)));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(ask));
    lines.push(Line::from(vec![Span::styled(format!("{shown}▏"), t.key)]));
    if p.saving {
        lines.push(Line::from(Span::styled("Saving…", t.muted)));
    } else if let Some(e) = &p.error {
        lines.push(Line::from(Span::styled(format!("✖ {e}"), t.error)));
    } else {
        lines.push(Line::from(Span::styled(
            "Enter saves · Esc cancels · Ctrl-U clears",
            t.muted,
        )));
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + area.height.saturating_sub(h + 3),
        w,
        h,
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .title(Span::styled(title, t.title)),
        ),
        rect,
    );
}

/// Rows of a proposed closure's rationale shown in the sign-off prompt (the
/// whole of it is on the record behind).
const PROPOSAL_ROWS: usize = 6;

/// The last `width` columns of `s`.
fn tail(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1; // the leading "…"
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > width {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.reverse();
    format!("…{}", out.into_iter().collect::<String>())
}
