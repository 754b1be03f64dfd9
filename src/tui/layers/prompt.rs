//! A text prompt over the screen: a note, a reason, a handover note. The
//! text stays until the store confirms the save, so a refusal or a lock
//! never loses it; after another DSL's change, Ctrl-R reloads the record
//! and keeps the text. Notes take several lines (Enter adds one, Ctrl-S
//! saves); a one-line reason saves on Enter too.

use super::confirm::Confirm;
use crate::domain::text::{validate_block, validate_line};
use crate::store::worker::{Request, Verb};
use crate::tui::action::Action;
use crate::tui::drafts::{Draft, DraftOf};
use crate::tui::form::Kept;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::{truncate, wrap};
use crate::tui::widgets::text_input::{Edited, TextInput};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The footer word of the reload key (keymap `[reload]`), shown only after
/// a conflict.
pub const HINT_RELOAD: &str = "reload";

/// Longest text a prompt takes (a waiver reason's limit in the schema).
pub const PROMPT_MAX: usize = 4000;

/// Verbs whose only input is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TextVerb {
    Note,
    Reopen,
}

/// What a prompt is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PromptKind {
    /// Mark a deadline met; the note is optional.
    Meet {
        id: i64,
        reference: String,
        label: String,
    },
    /// Waive a deadline; the reason is required.
    Waive {
        id: i64,
        reference: String,
        label: String,
    },
    /// A note, or a re-open reason, on an escalation.
    Escalation { target: Target, verb: TextVerb },
    /// Why an escalation goes on a review's agenda.
    Review {
        target: Target,
        series: String,
        name: String,
    },
    /// A note for whoever takes over duty next.
    HandoverNote,
    /// Approve (`approve`) or send back the closure proposed on `target`,
    /// at the record's version as shown: the prompt shows the outcome and
    /// rationale acted on, and the store refuses if they changed.
    Signoff {
        target: Target,
        approve: bool,
        outcome: String,
        rationale: String,
        /// What the closure does to each open deadline once signed off
        /// ("LADO referral (due ...): stays open"), as proposed.
        #[serde(default)]
        choices: Vec<String>,
    },
    /// An event held on an escalation (one of `events`, Tab for the next).
    Event {
        target: Target,
        events: Vec<String>,
        at: usize,
    },
}

impl PromptKind {
    /// What it is and on which case, with no words of the text: for the
    /// drafts offer.
    pub fn describe(&self) -> String {
        match self {
            PromptKind::Meet { reference, .. } => format!("Met note on {reference}"),
            PromptKind::Waive { reference, .. } => format!("Waiver reason on {reference}"),
            PromptKind::Escalation {
                target,
                verb: TextVerb::Note,
            } => format!("Note on {}", target.reference),
            PromptKind::Escalation { target, .. } => {
                format!("Re-open reason on {}", target.reference)
            }
            PromptKind::Review { target, .. } => format!("Review reason on {}", target.reference),
            PromptKind::HandoverNote => "Handover note".into(),
            PromptKind::Signoff { target, .. } => {
                format!("Sign-off reason on {}", target.reference)
            }
            PromptKind::Event { target, .. } => format!("Event note on {}", target.reference),
        }
    }

    /// The escalation it acts on, if any.
    fn target(&self) -> Option<&Target> {
        match self {
            PromptKind::Escalation { target, .. }
            | PromptKind::Review { target, .. }
            | PromptKind::Signoff { target, .. }
            | PromptKind::Event { target, .. } => Some(target),
            _ => None,
        }
    }

    /// Whether the text is a block (notes, reasons kept as evidence).
    pub fn multiline(&self) -> bool {
        !matches!(
            self,
            PromptKind::Meet { .. } | PromptKind::Waive { .. } | PromptKind::Review { .. }
        )
    }
}

#[derive(Debug)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: TextInput,
    pub error: Option<String>,
    /// Sent to the store; waiting for its answer.
    pub saving: bool,
    /// Waiting for the record to be reloaded (Ctrl-R after a conflict).
    reloading: bool,
    /// A save was refused because another DSL changed the record: the
    /// footer offers the reload until it is done.
    conflict: bool,
}

impl Prompt {
    pub fn new(kind: PromptKind) -> Prompt {
        let input = if kind.multiline() {
            TextInput::block(PROMPT_MAX)
        } else {
            TextInput::line(PROMPT_MAX)
        };
        Prompt {
            kind,
            input,
            error: None,
            saving: false,
            reloading: false,
            conflict: false,
        }
    }

    /// With text already typed (a restored draft).
    pub fn with_text(mut self, s: &str) -> Prompt {
        self.input = self.input.with_text(s);
        self
    }

    pub fn text(&self) -> String {
        self.input.text()
    }

    /// The request the text makes, or why not (shown in the prompt).
    fn request(&self) -> Result<Request, String> {
        let text = self.input.text();
        let block = |what| validate_block(what, &text, PROMPT_MAX).map_err(|e| e.to_string());
        Ok(match &self.kind {
            PromptKind::Meet { id, .. } => Request::Meet {
                id: *id,
                note: text.clone(),
            },
            PromptKind::Waive { id, .. } => {
                validate_line("reason", &text, PROMPT_MAX)
                    .map_err(|e| format!("{e}: say why this deadline no longer applies"))?;
                Request::Waive {
                    id: *id,
                    reason: text.clone(),
                }
            }
            PromptKind::Event { target, events, at } => {
                if !text.trim().is_empty() {
                    block("note")?;
                }
                act(
                    target,
                    Verb::Event {
                        event: events.get(*at).cloned().unwrap_or_default(),
                        note: text.clone(),
                    },
                )
            }
            PromptKind::HandoverNote => {
                block("note")?;
                Request::HandoverNote { text: text.clone() }
            }
            PromptKind::Review { target, series, .. } => {
                validate_line("reason", &text, PROMPT_MAX).map_err(|e| e.to_string())?;
                Request::AddReview {
                    id: target.id,
                    series: series.clone(),
                    reason: text.clone(),
                }
            }
            PromptKind::Signoff {
                target, approve, ..
            } => {
                block("reason")?;
                act(
                    target,
                    Verb::Signoff {
                        approve: *approve,
                        reason: text.clone(),
                    },
                )
            }
            PromptKind::Escalation { target, verb } => match verb {
                TextVerb::Note => {
                    block("note")?;
                    act(target, Verb::Note(text.clone()))
                }
                TextVerb::Reopen => {
                    block("reason")?;
                    act(target, Verb::Reopen(text.clone()))
                }
            },
        })
    }

    fn submit(&mut self) -> Step {
        if self.saving {
            return Step::none();
        }
        match self.request() {
            Ok(req) => {
                self.saving = true;
                self.error = None;
                Step::fx(Effect::Store(req))
            }
            Err(e) => {
                self.error = Some(e);
                Step::none()
            }
        }
    }

    fn edited(&mut self, r: Edited) {
        match r {
            Edited::Changed => self.error = None,
            Edited::Refused(why) => self.error = Some(why),
            _ => {}
        }
    }
}

fn act(t: &Target, verb: Verb) -> Request {
    Request::Act {
        id: t.id,
        version: t.version,
        verb,
    }
}

impl Layer for Prompt {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    /// Enter saves a one-line reason and adds a line to a note: the
    /// footer and help say which, from the section that binds it.
    fn sections(&self) -> Vec<&'static str> {
        let mut s = if self.kind.multiline() {
            vec!["prompt", "input_lines"]
        } else {
            vec!["prompt_line", "prompt"]
        };
        if matches!(self.kind, PromptKind::Event { .. }) {
            s.push("prompt_event");
        }
        if self.kind.target().is_some() {
            s.push("reload");
        }
        s
    }

    /// The reload is offered once a save was refused by another DSL's
    /// change (and only on a prompt about one record).
    fn hints(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        let reload = self.conflict;
        let (mut first, rest): (Vec<_>, Vec<_>) = all
            .into_iter()
            .filter(|(_, h)| reload || h != HINT_RELOAD)
            .partition(|(_, h)| h == HINT_RELOAD);
        first.extend(rest);
        first
    }

    fn takes_text(&self) -> bool {
        true
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        match action {
            Action::Submit => self.submit(),
            // Editing waits while a save is on its way: its answer decides.
            Action::Edit(_) | Action::Char(_) | Action::Paste(_) if self.saving => Step::none(),
            Action::Edit(op) => {
                let r = self.input.edit(*op);
                if r == Edited::Unhandled && *op == crate::tui::action::EditOp::Newline {
                    return self.submit();
                }
                self.edited(r);
                Step::none()
            }
            Action::Char(c) => {
                let r = self.input.insert(&c.to_string());
                self.edited(r);
                Step::none()
            }
            Action::Paste(s) => {
                let r = self.input.insert(s);
                self.edited(r);
                Step::none()
            }
            Action::NextChoice => {
                if let PromptKind::Event { events, at, .. } = &mut self.kind {
                    *at = (*at + 1) % events.len().max(1);
                }
                Step::none()
            }
            Action::Cancel if self.saving => Step::none(),
            Action::Cancel if self.input.is_empty() => Step::close(),
            Action::Cancel => Step::push(Confirm::new(
                "Discard what you typed? It is not saved anywhere else.",
                Action::Discard,
            )),
            Action::Discard => Step::close(),
            Action::Reload => match self.kind.target() {
                Some(t) => {
                    self.reloading = true;
                    Step::fx(Effect::Store(Request::Detail { id: t.id }))
                        .and_info(format!("Reloading {}…", t.reference))
                }
                None => Step::info("Nothing to reload: this does not act on one record"),
            },
            // News for the save on its way.
            Action::Saved(_) if self.saving => Step::close(),
            Action::StoreError(msg) if self.saving => {
                self.saving = false;
                self.error = Some(msg.clone());
                Step::none().handled()
            }
            Action::Conflict(msg) if self.saving => {
                self.saving = false;
                self.conflict = true;
                self.error = Some(match ctx.keymap.key_for("reload", &Action::Reload) {
                    Some(k) => format!("{msg}. {k} reloads the record; your text is kept"),
                    None => format!("{msg}. Your text is kept"),
                });
                Step::none().handled()
            }
            Action::DetailLoaded(d) if self.reloading => {
                let Some(t) = self.kind.target() else {
                    return Step::none();
                };
                if t.id != d.summary.id {
                    return Step::none();
                }
                self.reloading = false;
                self.conflict = false;
                let reference = t.reference.clone();
                match &mut self.kind {
                    PromptKind::Signoff {
                        target,
                        outcome,
                        rationale,
                        choices,
                        ..
                    } => {
                        target.version = Some(d.version);
                        *outcome = d.outcome.clone().unwrap_or_default();
                        *rationale = d.closure_rationale.clone().unwrap_or_default();
                        *choices = closure_said(d);
                    }
                    PromptKind::Escalation { target, .. }
                    | PromptKind::Review { target, .. }
                    | PromptKind::Event { target, .. } => target.version = Some(d.version),
                    _ => {}
                }
                let save = ctx
                    .keymap
                    .key_for("prompt", &Action::Submit)
                    .unwrap_or_else(|| "the save key".into());
                self.error = Some(format!(
                    "Reloaded {reference} as it is now: check it, then save again ({save})"
                ));
                let mut s = Step::none();
                s.clear_status = true;
                s
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        draw(self, ctx, f, area);
    }

    fn drafts(&self) -> Vec<Draft> {
        if self.input.is_empty() {
            return Vec::new();
        }
        vec![Draft {
            of: DraftOf::Prompt(self.kind.clone()),
            at: 0,
            values: vec![("text".into(), Kept::Text(self.input.text()))],
        }]
    }

    crate::layer_any!();
}

/// A proposed closure's choices in words, one per deadline, for the DSL
/// asked to sign it off.
pub fn closure_said(d: &crate::domain::escalation::EscalationDetail) -> Vec<String> {
    d.practice
        .closure_choices
        .iter()
        .map(|c| {
            format!(
                "{} (due {}): {}",
                c.label,
                crate::domain::calendar::format_stamp(c.due_at),
                c.action().said()
            )
        })
        .collect()
}

/// Rows of a proposed closure's choices shown in the sign-off prompt (the
/// whole list is on the record behind).
const CHOICE_ROWS: usize = 6;

/// Rows of a proposed closure's rationale shown in the sign-off prompt (the
/// whole of it is on the record behind).
const PROPOSAL_ROWS: usize = 6;

/// Rows of typed text shown (the prompt grows to this, then scrolls).
const TEXT_ROWS: usize = 6;

fn draw(p: &Prompt, ctx: &Ctx, f: &mut Frame, area: Rect) {
    let t = &ctx.theme;
    let (title, ask) = match &p.kind {
        PromptKind::Meet {
            reference, label, ..
        } => (
            format!(" Mark met: {label} · {reference} "),
            "Note (optional):",
        ),
        PromptKind::Waive {
            reference, label, ..
        } => (
            format!(" Waive: {label} · {reference} "),
            "Reason (required: why it no longer applies):",
        ),
        PromptKind::Review { target, name, .. } => (
            format!(" {} → {name} ", target.reference),
            "Why it should be discussed (required):",
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
            "What was decided, who took part (optional):",
        ),
        PromptKind::HandoverNote => (
            " Handover note ".to_string(),
            "For whoever takes over next (what to watch, who to chase):",
        ),
        PromptKind::Escalation { target, verb } => match verb {
            TextVerb::Note => (
                format!(" Note on {} ", target.reference),
                "Note for the chronology (kept for good; never edited):",
            ),
            TextVerb::Reopen => (
                format!(" Re-open {} ", target.reference),
                "Why it is re-opened (required):",
            ),
        },
        PromptKind::Signoff {
            target, approve, ..
        } => {
            if *approve {
                (
                    format!(" Sign off the closure of {} ", target.reference),
                    "Your reason for approving this outcome and rationale (required):",
                )
            } else {
                (
                    format!(" Send back the closure of {} ", target.reference),
                    "What must happen first (required):",
                )
            }
        }
    };
    let w = area.width.saturating_sub(4).min(100);
    let inner_w = usize::from(w.saturating_sub(2));
    let mut lines = Vec::new();
    // A sign-off shows what it acts on: the proposal as the record was read.
    if let PromptKind::Signoff {
        outcome,
        rationale,
        choices,
        ..
    } = &p.kind
    {
        lines.push(Line::from(vec![
            Span::styled("Proposed outcome: ", t.muted),
            Span::styled(crate::domain::settings::outcome_label(outcome), t.title),
        ]));
        let wrapped = wrap(&format!("Rationale: {rationale}"), inner_w.max(1));
        let cut = wrapped.len() > PROPOSAL_ROWS;
        for (i, row) in wrapped.into_iter().take(PROPOSAL_ROWS).enumerate() {
            let row = if cut && i + 1 == PROPOSAL_ROWS {
                truncate(&format!("{row} …"), inner_w)
            } else {
                row
            };
            lines.push(Line::from(Span::styled(row, t.base)));
        }
        if !choices.is_empty() {
            lines.push(Line::from(Span::styled(
                "On sign-off, its deadlines:",
                t.muted,
            )));
            let rows: Vec<String> = choices
                .iter()
                .flat_map(|c| wrap(c, inner_w.saturating_sub(2).max(1)))
                .map(|row| format!("  {row}"))
                .collect();
            let cut = rows.len() > CHOICE_ROWS;
            for (i, row) in rows.into_iter().take(CHOICE_ROWS).enumerate() {
                let row = if cut && i + 1 == CHOICE_ROWS {
                    truncate(&format!("{row} … (all on the record)"), inner_w)
                } else {
                    row
                };
                lines.push(Line::from(Span::styled(row, t.base)));
            }
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(ask));
    lines.extend(crate::tui::views::text::rows(
        &p.input, true, inner_w, TEXT_ROWS, t,
    ));
    if p.saving {
        lines.push(Line::from(Span::styled("Saving…", t.muted)));
    } else if let Some(e) = &p.error {
        for row in wrap(&format!("✖ {e}"), inner_w.max(1)).into_iter().take(3) {
            lines.push(Line::from(Span::styled(row, t.error)));
        }
    } else {
        lines.push(crate::tui::views::hint_line(&ctx.hints, inner_w, t));
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
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(Span::styled(title, t.title)),
        ),
        rect,
    );
}
