//! The verbs on one escalation, shared by the dashboard (its selection) and
//! the record (the one open): written once here, bound once in the
//! keymap's `[verbs]` section. Not a layer: the two layers call it.

use super::confirm::Confirm;
use super::contacts::Contacts;
use super::form::FormLayer;
use super::picker::Picker;
use super::prompt::{Prompt, PromptKind, TextVerb};
use crate::domain::escalation::EscalationDetail;
use crate::domain::staff::Role;
use crate::store::worker::{Request, Verb};
use crate::tui::action::Action;
use crate::tui::form::Kept;
use crate::tui::forms::{self, FormKind};
use crate::tui::layer::{Ctx, Step, Target};
use crate::tui::update::Effect;

/// Requests a verb has sent and whose answers open a form or a prompt.
#[derive(Debug, Default)]
pub struct Pending {
    /// The refer form waits for its choices to arrive for this escalation.
    pub refer: Option<Target>,
    /// The access form waits for the record's access rows.
    pub access: Option<Target>,
    /// A form built from the record (close from the list, a restored
    /// draft) waits for the record to arrive.
    pub record_form: Option<FormKind>,
    /// A kept draft's values to put in the form when it opens.
    pub draft: Option<Vec<(String, Kept)>>,
}

/// A verb's request against the version the user saw.
pub fn act(t: &Target, verb: Verb) -> Effect {
    Effect::Store(Request::Act {
        id: t.id,
        version: t.version,
        verb,
    })
}

/// The escalation a verb may act on, or the refusal to show.
fn writable(target: Option<Target>, ctx: &Ctx) -> Result<Target, Step> {
    ctx.may_write("Viewers can read but not change escalations; ask a DSL")?;
    target.ok_or_else(|| Step::error("Select an escalation in the list first (Tab back to it)"))
}

/// A verb on `target` (whose holder is `holder`; `open` the record when the
/// record layer asks; `closed` when the case is closed). `None`: not a verb.
pub fn on(
    action: &Action,
    target: Option<Target>,
    holder: Option<&str>,
    open: Option<&EscalationDetail>,
    closed: bool,
    pending: &mut Pending,
    ctx: &Ctx,
) -> Option<Step> {
    let step = |r: Result<Step, Step>| Some(r.unwrap_or_else(|e| e));
    // The store refuses these on a closed case in words a command can use
    // too; the screen says so at once and names its own key.
    if closed
        && matches!(
            action,
            Action::Acknowledge
                | Action::Assign
                | Action::Note
                | Action::Event
                | Action::Refer
                | Action::Close
        )
        && let Some(t) = &target
    {
        let section = if open.is_some() {
            "record"
        } else {
            "dashboard"
        };
        return Some(Step::error(format!(
            "{} is closed: re-open it first ({})",
            t.reference,
            ctx.key(section, &Action::Reopen)
        )));
    }
    match action {
        Action::Acknowledge => step(writable(target, ctx).map(|t| {
            match holder.filter(|h| *h != ctx.me.display_name) {
                // Someone else holds it: ask, and tell them if taken; or
                // only stop its alerts, leaving it with them.
                Some(h) => Step::push(
                    Confirm::new(
                        format!(
                            "{} is held by {h}. Take it from them? {} takes it (they will be told); {} only acknowledges its alerts (they stop for everyone; it stays with {h}).",
                            t.reference,
                            ctx.key("confirm", &Action::Confirm(true)),
                            ctx.key("take", &Action::AlertsOnly),
                        ),
                        Action::Send(Box::new(Request::Act {
                            id: t.id,
                            version: t.version,
                            verb: Verb::Take,
                        })),
                    )
                    .or_alerts_only(Action::Send(Box::new(
                        Request::AcknowledgeAlerts { id: Some(t.id) },
                    ))),
                ),
                None => Step::fx(act(&t, Verb::Acknowledge))
                    .and_info(format!("Taking {}…", t.reference)),
            }
        })),
        Action::Assign => step(
            writable(target, ctx)
                .map(|t| Step::push(Picker::new(t)).and_fx(Effect::Store(Request::Assignable))),
        ),
        Action::Note | Action::Reopen => {
            let verb = if *action == Action::Note {
                TextVerb::Note
            } else {
                TextVerb::Reopen
            };
            step(
                writable(target, ctx)
                    .map(|target| Step::push(Prompt::new(PromptKind::Escalation { target, verb }))),
            )
        }
        Action::Event => {
            if ctx.desk.events.is_empty() {
                return Some(Step::error(
                    "No deadline rule waits for an event (see `dutydesk rules list`)",
                ));
            }
            step(writable(target, ctx).map(|t| {
                let f = forms::event(&t, &ctx.desk.events);
                Step::push(FormLayer::new(FormKind::Event(t), f))
            }))
        }
        Action::Outcome | Action::Called999 | Action::FgmReported => {
            step(writable(target, ctx).map(|t| {
                let kind = match action {
                    Action::Outcome => FormKind::Outcome(t),
                    Action::Called999 => FormKind::Called999(t),
                    _ => FormKind::FgmReport(t),
                };
                record_form(kind, open, pending, ctx)
            }))
        }
        Action::AddToReview => {
            step(
                writable(target, ctx).and_then(|target| match ctx.desk.reviews.first() {
                    Some(a) => Ok(Step::push(Prompt::new(PromptKind::Review {
                        target,
                        series: a.code.clone(),
                        name: a.name.clone(),
                    }))),
                    None => Err(Step::error("No review series: see `dutydesk reviews`")),
                }),
            )
        }
        Action::Close => {
            step(writable(target, ctx).map(|t| record_form(FormKind::Close(t), open, pending, ctx)))
        }
        Action::Refer => step(writable(target, ctx).map(|t| {
            let s = Step::fx(Effect::Store(Request::ReferOptions { id: t.id }))
                .and_info("Finding the routes and contacts…");
            pending.refer = Some(t);
            s
        })),
        Action::Approve | Action::SendBack => {
            let approve = *action == Action::Approve;
            step(writable(target, ctx).map(|t| match open {
                Some(d) if d.summary.id == t.id => signoff(d, approve),
                // From the list: the record is opened first (by the caller),
                // so the prompt shows the proposal being approved.
                _ => Step::fx(Effect::Store(Request::Detail { id: t.id })).and_info(format!(
                    "Opening {} to show the proposed closure…",
                    t.reference
                )),
            }))
        }
        Action::LookUp => {
            let t = target?;
            Some(
                Step::push(Contacts::for_escalation(&t))
                    .and_fx(Effect::Store(Request::LookUp { id: t.id })),
            )
        }
        Action::Access => {
            if ctx.me.role != Role::Senior {
                return Some(Step::error(
                    "Only a senior lead can change who sees a record; ask one",
                ));
            }
            step(writable(target, ctx).map(|t| {
                let s = Step::fx(Effect::Store(Request::AccessLists { id: t.id }));
                pending.access = Some(t);
                s
            }))
        }
        _ => None,
    }
}

/// A form built from the record it acts on (close lists its open
/// deadlines; outcome its referrals): at once over the open record, else
/// the record is loaded first (an audited view, like opening it) and the
/// form opens when it arrives ([`answer`]).
pub fn record_form(
    kind: FormKind,
    open: Option<&EscalationDetail>,
    pending: &mut Pending,
    ctx: &Ctx,
) -> Step {
    let Some(t) = kind.target().cloned() else {
        return Step::none();
    };
    match open {
        Some(d) if d.summary.id == t.id => built(kind, d, pending, ctx),
        _ => {
            pending.record_form = Some(kind);
            Step::fx(Effect::Store(Request::Detail { id: t.id }))
                .and_info(format!("Opening {}…", t.reference))
        }
    }
}

/// The form `kind` built from the record `d` (with a kept draft's values),
/// or the reason it cannot be, as a status line.
fn built(kind: FormKind, d: &EscalationDetail, pending: &mut Pending, ctx: &Ctx) -> Step {
    let mut kind = kind;
    // The form acts on the record as loaded: its version.
    if let Some(t) = kind.target_mut() {
        t.version = Some(d.version);
    }
    match forms::for_record(&kind, d, &ctx.desk.outcomes, &ctx.desk.events, ctx.now) {
        Ok(mut f) => {
            if let Some(values) = pending.draft.take() {
                f.restore(&values);
            }
            let mut s = Step::push(FormLayer::new(kind, f));
            s.clear_status = true;
            s
        }
        Err(why) => {
            pending.draft = None;
            Step::error(why)
        }
    }
}

/// The sign-off prompt over the record `d`: the proposal it acts on, at the
/// version shown (the store refuses if it changed since).
pub fn signoff(d: &EscalationDetail, approve: bool) -> Step {
    match (&d.outcome, &d.closure_rationale) {
        (Some(outcome), Some(rationale)) if d.summary.awaiting_signoff => {
            Step::push(Prompt::new(PromptKind::Signoff {
                target: Target {
                    id: d.summary.id,
                    reference: d.summary.reference.clone(),
                    version: Some(d.version),
                },
                approve,
                outcome: outcome.clone(),
                rationale: rationale.clone(),
                choices: super::prompt::closure_said(d),
            }))
        }
        _ => Step::error(format!("{} is not awaiting sign-off", d.summary.reference)),
    }
}

/// The answers a verb waited for: the refer form's choices, the record's
/// access rows. Each opens its form (with a kept draft's values, if any).
pub fn answer(action: &Action, pending: &mut Pending, ctx: &Ctx) -> Option<Step> {
    match action {
        Action::DetailLoaded(d) => {
            let kind = pending
                .record_form
                .take_if(|k| k.target().is_some_and(|t| t.id == d.summary.id))?;
            Some(built(kind, d, pending, ctx))
        }
        Action::ReferOptionsLoaded(o) => {
            let t = pending.refer.take_if(|t| t.id == o.id)?;
            let mut f = forms::refer(&t, o);
            let follow = match pending.draft.take() {
                Some(d) => {
                    f.restore(&d);
                    forms::ReferFollow::taking(&f, o)
                }
                None => forms::ReferFollow::default(),
            };
            let mut s =
                Step::push(FormLayer::new(FormKind::Refer(t), f).with_refer(o.clone(), follow));
            s.clear_status = true;
            Some(s)
        }
        Action::AccessLoaded(l) => {
            let t = pending.access.take_if(|t| t.id == l.id)?;
            let mut f = forms::access(&t, l, &ctx.desk.staff);
            if let Some(d) = pending.draft.take() {
                f.restore(&d);
            }
            Some(Step::push(FormLayer::new(
                FormKind::Access(t, l.clone()),
                f,
            )))
        }
        _ => None,
    }
}
