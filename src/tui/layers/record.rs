//! One escalation's record, read-only: the facts, the exact words, the
//! deadlines and the whole chronology. It follows other sessions' changes
//! as they happen; the verbs act on the version shown.

use super::dashboard::deadline_cell;
use super::verbs::{self, Pending};
use crate::domain::calendar::format_stamp;
use crate::domain::deadline::DeadlineState;
use crate::domain::escalation::{EscalationDetail, Fgm};
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use crate::tui::views::symbols;
use crate::tui::views::{footer, header, wrap};
use crate::tui::widgets::list::scrolled;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

#[derive(Debug)]
pub struct Record {
    pub data: Box<EscalationDetail>,
    pub scroll: u16,
    pending: Pending,
}

impl Record {
    pub fn new(data: Box<EscalationDetail>) -> Record {
        Record {
            data,
            scroll: 0,
            pending: Pending::default(),
        }
    }

    pub fn target(&self) -> Target {
        let s = &self.data.summary;
        Target {
            id: s.id,
            reference: s.reference.clone(),
            version: Some(s.version),
        }
    }

    /// The furthest the record can scroll at this terminal size.
    pub fn max_scroll(&self, ctx: &Ctx) -> u16 {
        let (w, h) = body_size(ctx.width, ctx.height);
        let n = lines(ctx, &self.data, w).len() as u16;
        n.saturating_sub(h)
    }

    /// The workbench's keys on the record (issue 18): correct, the person's
    /// chronology, tasks, attachments, people involved, export, unlink.
    fn work(&self, cmd: crate::tui::workbench::WorkCmd, ctx: &Ctx) -> Step {
        use super::caseitems::{CaseItems, Items};
        use super::workform::{Presets, WorkForm, WorkKind};
        use crate::tui::workbench::WorkCmd as W;
        let target = self.target();
        let write = |kind: WorkKind| match ctx
            .may_write("Viewers can read but not change escalations; ask a DSL")
        {
            Ok(()) => Step::push(WorkForm::new(kind, ctx)),
            Err(s) => s,
        };
        match cmd {
            W::Person => super::person::Person::open(target),
            W::Correct => write(WorkKind::Correct {
                target,
                was: Box::new(Presets::of(&self.data, ctx)),
            }),
            W::Tasks => CaseItems::open(Items::Tasks, &self.data),
            W::Files => CaseItems::open(Items::Files, &self.data),
            W::People => CaseItems::open(Items::People, &self.data),
            W::Export => write(WorkKind::Export { target }),
            W::Unlink if self.data.casework.links.is_empty() => Step::error(format!(
                "{} is not linked to any case you may see",
                target.reference
            )),
            W::Unlink => write(WorkKind::Unlink {
                target,
                links: self
                    .data
                    .casework
                    .links
                    .iter()
                    .map(|(r, _)| r.clone())
                    .collect(),
            }),
            _ => Step::none(),
        }
    }

    /// Asks for the record again only if another session changed it.
    fn refresh(&self) -> Effect {
        Effect::Store(Request::Refresh {
            id: self.data.summary.id,
            version: self.data.version,
            entries: self.data.chronology.len() as i64,
        })
    }
}

impl Layer for Record {
    fn mode(&self) -> Mode {
        Mode::Record
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        if let Some(s) = verbs::answer(action, &mut self.pending, ctx) {
            return s;
        }
        let holder = self.data.summary.assignee.clone();
        if let Some(s) = verbs::on(
            action,
            Some(self.target()),
            holder.as_deref(),
            Some(&self.data),
            self.data.summary.status == crate::domain::escalation::Status::Closed,
            &mut self.pending,
            ctx,
        ) {
            return s;
        }
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let max = self.max_scroll(ctx);
                let (_, page) = body_size(ctx.width, ctx.height);
                let at = scrolled(self.scroll.into(), action, page.max(1).into(), max.into());
                self.scroll = u16::try_from(at).unwrap_or(max);
                Step::none()
            }
            Action::Back => Step::close(),
            Action::Work(cmd) => self.work(*cmd, ctx),
            Action::Contacts => super::contacts::Contacts::open(),
            Action::Send(req) => Step::fx(Effect::Store((**req).clone())).and_info("Saving…"),
            // A reload of the record on screen keeps the reading position.
            Action::DetailLoaded(d) if d.summary.id == self.data.summary.id => {
                self.data = d.clone();
                self.scroll = self.scroll.min(self.max_scroll(ctx));
                Step::none()
            }
            // Our own commit does not wake the change poll: reload now.
            Action::Saved(_) => Step::fx(self.refresh()),
            Action::Changed => Step::fx(self.refresh()),
            // Restricted, or this user excluded, since it was opened: the
            // record and anything opened from it close at once.
            // The reference is not said again: the case is no longer theirs
            // to know of.
            Action::Hidden(id) if *id == self.data.summary.id => {
                Step::withdraw("The record is no longer a case you may see: closed")
            }
            _ => Step::none(),
        }
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        let [head, body, foot] = areas(area);
        header(ctx, f, head);
        let block = Block::new().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", self.data.summary.reference),
            ctx.theme.title,
        ));
        let inner = block.inner(body);
        let text = lines(ctx, &self.data, inner.width);
        let max = self.max_scroll(ctx);
        let scroll = self.scroll.min(max);
        f.render_widget(Paragraph::new(text).block(block).scroll((scroll, 0)), body);
        let pos = if max == 0 {
            String::new()
        } else {
            format!("{}% ", (scroll as u32 * 100) / max as u32)
        };
        footer(ctx, f, foot, &pos);
    }

    fn opaque(&self) -> bool {
        true
    }

    /// What this record still needs comes first in the footer (a 999 call,
    /// the FGM report to the police, an agency's decision); a key that
    /// cannot apply to it is left out of the footer (help lists it).
    fn hints(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        let needs = Needs::of(&self.data);
        // A closed case takes no verb but re-opening (the verbs would only
        // be refused), and an open one cannot be re-opened.
        let closed = self.data.summary.status == crate::domain::escalation::Status::Closed;
        let wanted = |hint: &str| match hint {
            HINT_999 => Some(needs.call),
            HINT_FGM => Some(needs.fgm_report),
            HINT_OUTCOME => Some(needs.outcome),
            "re-open" => Some(closed),
            "ack" | "assign" | "note" | "refer" | "close" if closed => Some(false),
            _ => None,
        };
        let (mut first, rest): (Vec<_>, Vec<_>) = all
            .into_iter()
            .filter(|(_, h)| wanted(h) != Some(false))
            .partition(|(_, h)| wanted(h) == Some(true));
        // Room for what is needed: scrolling goes without saying.
        let urgent = !first.is_empty();
        first.extend(rest.into_iter().filter(|(_, h)| !(urgent && h == "scroll")));
        first
    }

    fn mouse(&self, m: crossterm::event::MouseEvent, _ctx: &Ctx) -> Option<Action> {
        super::wheel(m)
    }

    crate::layer_any!();
}

const LABEL: usize = 13;

/// The footer words (`hint` in keymap-default.toml) of the keys that record
/// what a case may still need.
const HINT_999: &str = "999 called";
const HINT_FGM: &str = "FGM reported";
const HINT_OUTCOME: &str = "outcome";

/// What a record still needs from the DSL, besides its deadlines.
struct Needs {
    /// Life at risk and no 999 call on the record.
    call: bool,
    /// Known FGM and no report to the police recorded.
    fgm_report: bool,
    /// A referral awaits the agency's decision.
    outcome: bool,
}

impl Needs {
    fn of(d: &EscalationDetail) -> Needs {
        let p = &d.practice;
        Needs {
            call: d.summary.immediate_risk && p.emergency_called_at.is_none(),
            fgm_report: p.fgm == Some(Fgm::Known) && p.fgm_report.is_none(),
            outcome: p.referrals.iter().any(|r| r.outcome.is_none()),
        }
    }
}

/// " (press 9)": which key records it, as the keymap has it now.
fn press(ctx: &Ctx, action: Action) -> String {
    ctx.keymap
        .key_for("record", &action)
        .map(|k| format!(" (press {k})"))
        .unwrap_or_default()
}

fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area)
}

/// Lines of the record body at a given width, already wrapped.
pub fn lines(ctx: &Ctx, d: &EscalationDetail, width: u16) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let width = width as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    let field = |out: &mut Vec<Line<'static>>, label: &str, value: &str, style: Style| {
        for (i, l) in wrap(value, width.saturating_sub(LABEL))
            .into_iter()
            .enumerate()
        {
            let lab = if i == 0 {
                format!("{label:<LABEL$}")
            } else {
                " ".repeat(LABEL)
            };
            out.push(Line::from(vec![
                Span::styled(lab, t.muted),
                Span::styled(l, style),
            ]));
        }
    };
    let block = |out: &mut Vec<Line<'static>>, title: &str, body: &str| {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(title.to_string(), t.title)));
        for l in wrap(body, width.saturating_sub(2)) {
            out.push(Line::from(format!("  {l}")));
        }
    };
    let s = &d.summary;
    let age = match (&d.subject_dob, d.age_band) {
        (Some(dob), band) => format!("born {dob} ({})", band.label()),
        (None, band) => format!("age band {}", band.label()),
    };
    field(
        &mut out,
        "Subject",
        &format!(
            "{} · {} · {age} · lives in {}",
            s.subject_kind.label(),
            d.subject_name,
            d.area
        ),
        t.base,
    );
    // An allegation about staff: where they work (their LADO or PiPoT
    // lead), whom with, and whether it is a low-level concern.
    if s.subject_kind == crate::domain::escalation::SubjectKind::Staff {
        let with = d
            .works_with
            .map_or("children (not recorded)".to_string(), |w| {
                w.label().to_string()
            });
        let place = d
            .work_area
            .as_deref()
            .map_or("not recorded (the LADO where they work)".to_string(), |a| {
                a.to_string()
            });
        field(
            &mut out,
            "Works",
            &format!("in {place} · with {with}"),
            t.base,
        );
        if d.low_level {
            field(
                &mut out,
                "Low-level",
                "LOW-LEVEL CONCERN (KCSIE Part 4 s2): recorded, no LADO referral or deadline unless the harm threshold is met",
                t.title,
            );
        }
    }
    let assignee = s.assignee.as_deref().unwrap_or("nobody");
    field(
        &mut out,
        "Status",
        &format!(
            "{}{} · assigned to {assignee} · risk {}",
            s.status.label(),
            if s.awaiting_signoff {
                " · closure awaiting a second DSL's sign-off (s approves, b sends back)"
            } else {
                ""
            },
            s.risk.badge()
        ),
        t.base,
    );
    let mut flags = Vec::new();
    if s.immediate_risk {
        flags.push("IMMEDIATE RISK TO LIFE (999)");
    }
    if d.critical_incident {
        flags.push("CRITICAL INCIDENT");
    }
    if s.restricted {
        flags.push(symbols::RESTRICTED);
    }
    let repeat = format!(
        "REPEAT: {} concerns about this person within 12 months",
        s.linked_12m + 1
    );
    if s.repeat() {
        flags.push(&repeat);
    }
    if !s.acknowledged {
        flags.push("NOT ACKNOWLEDGED");
    }
    if !flags.is_empty() {
        field(&mut out, "Flags", &flags.join(" · "), t.overdue);
    }
    let p = &d.practice;
    if s.immediate_risk || p.emergency_called_at.is_some() {
        match p.emergency_called_at {
            Some(at) => field(
                &mut out,
                "999 call",
                &format!("called {}", format_stamp(at)),
                t.base,
            ),
            None => field(
                &mut out,
                "999 call",
                &format!(
                    "{} NOT RECORDED: call 999 now, then record the call{}",
                    symbols::OVERDUE,
                    press(ctx, Action::Called999)
                ),
                t.overdue,
            ),
        }
    }
    field(
        &mut out,
        "Raised",
        &format!(
            "{} by {}",
            format_stamp(s.raised_at),
            d.casework.raiser.line()
        ),
        t.base,
    );
    if !d.casework.links.is_empty() {
        let links: Vec<String> = d
            .casework
            .links
            .iter()
            .map(|(r, st)| format!("{r} ({})", st.label()))
            .collect();
        field(
            &mut out,
            "Linked",
            &format!("{} (h: the person's chronology)", links.join(", ")),
            t.base,
        );
    }
    if d.occurred_at.is_some() || d.occurred_place.is_some() {
        let when = d
            .occurred_at
            .map(format_stamp)
            .unwrap_or_else(|| "time unknown".into());
        let place = d.occurred_place.as_deref().unwrap_or("place unknown");
        field(&mut out, "Happened", &format!("{when} at {place}"), t.base);
    }
    if let Some(l) = &p.lateness {
        if l.late {
            field(
                &mut out,
                "Recorded",
                &format!(
                    "{} {} · RECORDED LATE: already due when recorded: {}",
                    l.text,
                    symbols::OVERDUE,
                    l.already_due.join("; ")
                ),
                t.overdue,
            );
        } else {
            field(&mut out, "Recorded", &l.text, t.base);
        }
    }
    field(&mut out, "Location", d.location_type.label(), t.base);
    let cats = if s.categories.is_empty() {
        "none recorded".to_string()
    } else {
        s.categories.join(", ")
    };
    field(&mut out, "Categories", &cats, t.base);
    if let Some(f) = p.fgm {
        let (text, style) = match (&p.fgm_report, f) {
            (Some(r), _) => (
                format!(
                    "{} · reported to the police by {} (who discovered it), police reference {}, {}",
                    f.label(),
                    r.reported_by,
                    r.police_reference,
                    format_stamp(r.reported_at)
                ),
                t.base,
            ),
            (None, Fgm::Known) => (
                format!(
                    "{} · {} NO REPORT TO THE POLICE RECORDED: the professional who discovered it must report it (101) themselves; record it when done{}",
                    f.label(),
                    symbols::OVERDUE,
                    press(ctx, Action::FgmReported)
                ),
                t.overdue,
            ),
            (None, Fgm::AtRisk) => (
                format!("{}: a referral, not the police reporting duty", f.label()),
                t.base,
            ),
        };
        field(&mut out, "FGM", &text, style);
    }
    let consent = match &d.consent_reason {
        Some(r) => format!("{}: {r}", d.consent.label()),
        None => d.consent.label().to_string(),
    };
    field(&mut out, "Consent", &consent, t.base);
    if let Some(o) = &d.outcome {
        field(
            &mut out,
            "Outcome",
            &crate::domain::settings::outcome_label(o),
            t.base,
        );
    }
    block(&mut out, "Exact words", &format!("“{}”", d.exact_words));
    if let Some(a) = &d.appearance {
        block(&mut out, "How they appeared", a);
    }
    if let Some(r) = &d.closure_rationale {
        block(&mut out, "Closure rationale", r);
    }
    if s.awaiting_signoff && !p.closure_choices.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            "On sign-off, its deadlines".to_string(),
            t.title,
        )));
        for c in &p.closure_choices {
            for l in wrap(
                &format!(
                    "{} (due {}): {}",
                    c.label,
                    format_stamp(c.due_at),
                    c.action().said()
                ),
                width.saturating_sub(2),
            ) {
                out.push(Line::from(format!("  {l}")));
            }
        }
    }
    if !p.referrals.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Referrals ({})", p.referrals.len()),
            t.title,
        )));
        let how = press(ctx, Action::Outcome);
        for r in &p.referrals {
            let head = format!(
                "#{} {} · {} by {}{}",
                r.id,
                r.route_label,
                format_stamp(r.made_at),
                r.made_by,
                r.agency_reference
                    .as_deref()
                    .map(|x| format!(" · their reference {x}"))
                    .unwrap_or_default()
            );
            for l in wrap(&head, width.saturating_sub(2)) {
                out.push(Line::from(format!("  {l}")));
            }
            let (decision, style) = match (&r.outcome_label, r.outcome_at) {
                (Some(o), Some(at)) => (format!("decision: {o} ({})", format_stamp(at)), t.base),
                (Some(o), None) => (format!("decision: {o}"), t.base),
                _ => (format!("decision awaited{how}"), t.muted),
            };
            for l in wrap(&decision, width.saturating_sub(4)) {
                out.push(Line::from(Span::styled(format!("    {l}"), style)));
            }
        }
    }
    let cw = &d.casework;
    if !cw.people.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Others involved ({}, p)", cw.people.len()),
            t.title,
        )));
        for p in &cw.people {
            let mut text = format!("{}: {}", p.role.label(), p.name);
            if let Some(r) = &p.relationship {
                text.push_str(&format!(" ({r})"));
            }
            if let Some(x) = &p.details {
                text.push_str(&format!(" — {}", x.replace('\n', " ")));
            }
            for l in wrap(&text, width.saturating_sub(2)) {
                out.push(Line::from(format!("  {l}")));
            }
        }
    }
    let open_tasks = cw
        .tasks
        .iter()
        .filter(|x| x.state == crate::domain::casework::TaskState::Open)
        .count();
    if !cw.tasks.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Tasks ({open_tasks} open of {}, t)", cw.tasks.len()),
            t.title,
        )));
        for x in &cw.tasks {
            let (state, style) = match x.state {
                crate::domain::casework::TaskState::Open => {
                    super::dashboard::due_cell(ctx, x.due_at, crate::domain::deadline::DEFAULT_WARN)
                }
                other => (format!("{} {}", symbols::MET, other.label()), t.muted),
            };
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("{state:<18}"), style),
                Span::raw(crate::tui::views::truncate(
                    &format!(
                        " {} · {} · due {}",
                        x.text.replace('\n', " "),
                        x.owner,
                        format_stamp(x.due_at)
                    ),
                    width.saturating_sub(21),
                )),
            ]));
        }
    }
    if !cw.attachments.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Attachments ({}, f)", cw.attachments.len()),
            t.title,
        )));
        for a in &cw.attachments {
            out.push(Line::from(crate::tui::views::truncate(
                &format!(
                    "  {}  {} · {} · {} · {}",
                    a.id,
                    a.name,
                    a.media_type,
                    crate::domain::casework::size_words(a.size),
                    format_stamp(a.added_at)
                ),
                width,
            )));
        }
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!("Deadlines ({})", d.deadlines.len()),
        t.title,
    )));
    if d.deadlines.is_empty() {
        out.push(Line::from(Span::styled("  none", t.muted)));
    }
    for dl in &d.deadlines {
        let (state, style) = deadline_cell(ctx, dl);
        let mut text = format!(" {} · due {}", dl.label, format_stamp(dl.due_at));
        match &dl.state {
            DeadlineState::Met { by, .. } => text.push_str(&format!(" · met by {by}")),
            DeadlineState::Waived { by, reason, .. } => {
                text.push_str(&format!(" · waived by {by}: {reason}"))
            }
            DeadlineState::Open if dl.beyond_calendar => {
                text.push_str(" · counted past the known bank holidays: check the date")
            }
            DeadlineState::Open => {}
        }
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{state:<18}"), style),
            Span::raw(text),
        ]));
    }
    if !d.viewed_by.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Opened by ({}, senior leads see this)", d.viewed_by.len()),
            t.title,
        )));
        for (at, who) in &d.viewed_by {
            out.push(Line::from(format!("  {}  {who}", format_stamp(*at))));
        }
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!("Chronology ({})", d.chronology.len()),
        t.title,
    )));
    for c in &d.chronology {
        let head = format!(
            "  {}  {} · {}",
            format_stamp(c.at),
            c.author,
            crate::domain::escalation::chronology_kind(&c.kind)
        );
        out.push(Line::from(Span::styled(head, t.muted)));
        for l in wrap(&c.body, width.saturating_sub(4)) {
            out.push(Line::from(format!("    {l}")));
        }
    }
    out
}

/// Inner size of the record's box for a terminal size: (width, height).
pub fn body_size(width: u16, height: u16) -> (u16, u16) {
    let [_, body, _] = areas(Rect::new(0, 0, width, height));
    (body.width.saturating_sub(2), body.height.saturating_sub(2))
}
