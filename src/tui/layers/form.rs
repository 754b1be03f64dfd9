//! A form on screen: intake, refer, close, a contact, who may see a record,
//! a referral's outcome, a 999 call or an FGM report made, an event held.
//! The fields are `tui::form`; the forms themselves are built and read back
//! in `tui::forms`. Saving asks first where the change cannot be taken back
//! quietly (close, refer, access); a refusal keeps everything typed, and
//! after another DSL's change Ctrl-R reloads the record and keeps it too.

use super::confirm::Confirm;
use crate::store::worker::ReferOptions;
use crate::store::worker::Request;
use crate::tui::action::Action;
use crate::tui::drafts::{Draft, DraftOf};
use crate::tui::form::{Form, Outcome};
use crate::tui::forms::{self, FormKind, ReferFollow};
use crate::tui::layer::{Ctx, Layer, Mode, Step, Target};
use crate::tui::update::Effect;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::prompt::HINT_RELOAD;

#[derive(Debug)]
pub struct FormLayer {
    pub kind: FormKind,
    pub form: Form,
    /// Waiting for the record to be reloaded (Ctrl-R after a conflict).
    reloading: bool,
    /// A save was refused by another DSL's change: the footer offers the
    /// reload until it is done.
    conflict: bool,
    /// The refer form's choices, and what it filled in by itself.
    refer: Option<(Box<ReferOptions>, ReferFollow)>,
}

impl FormLayer {
    pub fn new(kind: FormKind, form: Form) -> FormLayer {
        FormLayer {
            kind,
            form,
            reloading: false,
            conflict: false,
            refer: None,
        }
    }

    /// A refer form following its choices (see [`ReferFollow`]).
    pub fn with_refer(mut self, o: Box<ReferOptions>, follow: ReferFollow) -> FormLayer {
        let mut follow = follow;
        follow.apply(&mut self.form, &o);
        self.refer = Some((o, follow));
        self
    }

    /// After each action: what the form says back as the user works (dates
    /// and areas read, the route's reason and warning, the number to ring).
    fn follow(&mut self, ctx: &Ctx) {
        let f = &mut self.form;
        match &self.kind {
            FormKind::Intake => {
                f.warning = (f.toggle("immediate") && !f.toggle("called_999")).then(|| {
                    "LIFE AT RISK: CALL 999 NOW. Then mark \"999 called\" and finish the record."
                        .into()
                });
                let today = crate::domain::calendar::local(ctx.now).date_naive();
                forms::intake_follow(f, today, &ctx.desk.areas);
            }
            FormKind::Refer(_) => {
                if let Some((o, follow)) = &mut self.refer {
                    follow.apply(f, o);
                }
            }
            FormKind::Decision { .. } => forms::decision_follow(f),
            _ => {}
        }
    }

    fn target_mut(&mut self) -> Option<&mut Target> {
        self.kind.target_mut()
    }

    /// Whether the form acts on a record it can load again (Ctrl-R).
    fn reloads(&self) -> bool {
        !matches!(
            self.kind,
            FormKind::Intake
                | FormKind::Contact(_)
                | FormKind::Hold { .. }
                | FormKind::Decision { .. }
        )
    }

    /// "Ctrl-R reloads …", naming the key as bound (`[reload]`).
    fn reload_said(ctx: &Ctx, what: &str) -> String {
        match ctx.keymap.key_for("reload", &Action::Reload) {
            Some(k) => format!("{k} reloads {what}"),
            None => format!("Esc and open it again to reload {what}"),
        }
    }

    /// The record reloaded after another DSL's change: forms built from it
    /// (close, outcome, 999, FGM) are built again from what it holds now,
    /// keeping what was typed (a deadline set since gets its own choice).
    fn rebuilt(&mut self, d: &crate::domain::escalation::EscalationDetail, ctx: &Ctx) {
        if !matches!(
            self.kind,
            FormKind::Close(_)
                | FormKind::Outcome(_)
                | FormKind::Called999(_)
                | FormKind::FgmReport(_)
        ) {
            return;
        }
        match forms::for_record(&self.kind, d, &ctx.desk.outcomes, &ctx.desk.events, ctx.now) {
            Ok(mut fresh) => {
                fresh.restore(&self.form.kept());
                fresh.focus = self.form.focus.min(fresh.fields.len().saturating_sub(1));
                self.form = fresh;
            }
            Err(why) => self.form.error = Some(why),
        }
    }

    /// The form is read, checked and either sent (intake, a contact) or put
    /// to the user as a question (close, refer, access).
    fn submit(&mut self, ctx: &Ctx) -> Step {
        let f = &mut self.form;
        let ask = |q: Option<(String, Request)>| match q {
            Some((question, request)) => {
                Step::push(Confirm::new(question, Action::Send(Box::new(request))))
            }
            None => Step::none(),
        };
        match &self.kind {
            FormKind::Intake => {
                match forms::read_intake(f, ctx.now, &ctx.me, &ctx.desk.staff, &ctx.desk.areas) {
                    Some(req) => {
                        f.saving = true;
                        Step::fx(Effect::Store(req))
                    }
                    None => Step::none(),
                }
            }
            FormKind::Close(t) => ask(forms::read_close(f, t)),
            FormKind::Refer(t) => ask(forms::read_refer(
                f,
                t,
                self.refer.as_ref().map(|(o, _)| o.as_ref()),
            )),
            FormKind::Hold { series, name } => ask(forms::read_hold(f, series, name)),
            FormKind::Decision { item, .. } => match forms::read_decision(f, *item) {
                Some(req) => {
                    f.saving = true;
                    Step::fx(Effect::Store(req))
                }
                None => Step::none(),
            },
            FormKind::Outcome(t) => ask(forms::read_outcome(f, t)),
            FormKind::Called999(t) => ask(forms::read_called_999(f, t, ctx.now)),
            FormKind::FgmReport(t) => ask(forms::read_fgm_report(f, t, ctx.now)),
            FormKind::Event(t) => ask(forms::read_event(f, t, ctx.now)),
            FormKind::Access(t, before) => ask(forms::read_access(f, t, before)),
            FormKind::Contact(id) => match forms::read_contact(f, *id) {
                Some(req) => {
                    f.saving = true;
                    Step::fx(Effect::Store(req))
                }
                None => Step::none(),
            },
        }
    }

    fn refused(&mut self, msg: String) -> Step {
        if !self.form.saving {
            return Step::none();
        }
        self.form.saving = false;
        self.form.error = Some(msg);
        Step::none().handled()
    }
}

impl Layer for FormLayer {
    fn mode(&self) -> Mode {
        Mode::Form
    }

    fn sections(&self) -> Vec<&'static str> {
        let mut s = self.form.sections();
        if self.reloads() {
            s.push("reload");
        }
        s
    }

    /// The reload is offered once a save was refused by another DSL's
    /// change (or a close by the record's deadlines).
    fn hints(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        let (mut first, rest): (Vec<_>, Vec<_>) = all
            .into_iter()
            .filter(|(_, h)| self.conflict || h != HINT_RELOAD)
            .partition(|(_, h)| h == HINT_RELOAD);
        first.extend(rest);
        first
    }

    fn takes_text(&self) -> bool {
        self.form
            .fields
            .get(self.form.focus)
            .is_some_and(|f| f.input.is_some())
    }

    fn on(&mut self, action: &Action, ctx: &Ctx) -> Step {
        let step = match action {
            // A held item whose case is no longer one this user may see is
            // left out of the reloaded list: its decision form goes too.
            Action::HeldItemsLoaded(_, items)
                if matches!(&self.kind, FormKind::Decision { item, .. }
                    if !items.iter().any(|i| i.0 == *item)) =>
            {
                Step::withdraw(
                    "That review item is no longer one you may see: its form was taken off screen",
                )
            }
            Action::Send(req) if !self.form.saving => {
                self.form.saving = true;
                Step::fx(Effect::Store((**req).clone()))
            }
            Action::Discard => Step::close(),
            Action::Reload => match self.target_mut() {
                Some(t) => {
                    let (id, r) = (t.id, t.reference.clone());
                    self.reloading = true;
                    Step::fx(Effect::Store(Request::Detail { id }))
                        .and_info(format!("Reloading {r}…"))
                }
                None => Step::info("Nothing to reload: this form does not act on a record"),
            },
            Action::DetailLoaded(d) if self.reloading => {
                let Some(t) = self.target_mut() else {
                    return Step::none();
                };
                if t.id != d.summary.id {
                    return Step::none();
                }
                t.version = Some(d.version);
                let r = t.reference.clone();
                self.reloading = false;
                self.conflict = false;
                let save = ctx
                    .keymap
                    .key_for("form", &Action::Submit)
                    .unwrap_or_else(|| "the save key".into());
                self.form.error = Some(format!(
                    "Reloaded {r} as it is now; what you typed is kept. Check it, then save again ({save})"
                ));
                self.rebuilt(d, ctx);
                let mut s = Step::none();
                s.clear_status = true;
                s
            }
            Action::Saved(_) | Action::Created { .. } if self.form.saving => Step::close(),
            Action::StoreError(msg) if matches!(self.kind, FormKind::Close(_)) => {
                self.conflict |= self.form.saving;
                let reload =
                    Self::reload_said(ctx, "the record's deadlines, keeping what you typed");
                self.refused(format!("{msg} · {reload}"))
            }
            Action::StoreError(msg) => self.refused(msg.clone()),
            Action::Conflict(msg) => {
                if !self.reloads() {
                    return self.refused(msg.clone());
                }
                self.conflict |= self.form.saving;
                let reload = Self::reload_said(ctx, "the record; what you typed is kept");
                self.refused(format!("{msg}. {reload}"))
            }
            a if crate::tui::update::is_news(a) => Step::none(),
            a => match self.form.act(a) {
                // The intake's own checks name every problem at once (an
                // area not on the list as well as the empty fields).
                Outcome::Continue
                    if *a == Action::Submit
                        && self.kind == FormKind::Intake
                        && !self.form.saving =>
                {
                    self.submit(ctx)
                }
                Outcome::Continue => Step::none(),
                Outcome::Submit => self.submit(ctx),
                Outcome::Cancel => Step::close(),
                Outcome::AskDiscard => Step::push(Confirm::new(
                    "Discard what you typed in this form? It is not saved anywhere else.",
                    Action::Discard,
                )),
            },
        };
        self.follow(ctx);
        forms::echo_times(&mut self.form, ctx.now);
        step
    }

    fn draw(&self, ctx: &Ctx, f: &mut Frame, area: Rect) {
        // Below the header, above the footer's status and key lines.
        let r = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(3),
        );
        crate::tui::views::form::draw(&self.form, ctx, f, r);
        crate::tui::views::footer(
            ctx,
            f,
            Rect::new(
                area.x,
                area.y + area.height.saturating_sub(2),
                area.width,
                2,
            ),
            "",
        );
    }

    fn drafts(&self) -> Vec<Draft> {
        if !self.form.dirty() {
            return Vec::new();
        }
        let of = match &self.kind {
            FormKind::Intake => DraftOf::Intake,
            FormKind::Refer(t) => DraftOf::Refer(t.clone()),
            FormKind::Close(t) => DraftOf::Close(t.clone()),
            FormKind::Contact(id) => DraftOf::Contact(*id),
            FormKind::Access(t, _) => DraftOf::Access(t.clone()),
            FormKind::Hold { series, name } => DraftOf::Hold {
                series: series.clone(),
                name: name.clone(),
            },
            FormKind::Decision { item, label } => DraftOf::Decision {
                item: *item,
                label: label.clone(),
            },
            FormKind::Outcome(t) => DraftOf::Outcome(t.clone()),
            FormKind::Called999(t) => DraftOf::Called999(t.clone()),
            FormKind::FgmReport(t) => DraftOf::FgmReport(t.clone()),
            FormKind::Event(t) => DraftOf::Event(t.clone()),
        };
        vec![Draft {
            of,
            at: 0,
            values: self.form.kept(),
        }]
    }

    crate::layer_any!();
}
