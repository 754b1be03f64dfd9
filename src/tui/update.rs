//! `update(app, action)`: the one place state changes. It routes an action
//! to the layers (a command to the top one, news to all, top first), applies
//! their steps, and returns the effects for the event loop to carry out, so
//! tests can drive the screen with no terminal or store.

use super::action::Action;
use super::app::App;
use super::layer::{Layer, StatusKind, StatusLine};
use super::layers::{help::Help, lock::Lock, revoked::Revoked};
use crate::domain::alert::Alert;
use crate::store::worker::Request;

pub use super::layers::dashboard::initial_load;

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Store(Request),
    /// Put `text` on the user's clipboard; `what` names it for the status line.
    Copy {
        text: String,
        what: String,
    },
    /// Ring, signal the terminal and show a desktop notification.
    Notify(Vec<Alert>),
    Quit,
}

/// Whether an action is news (from the store, the clock, the terminal),
/// which every layer hears, rather than a command for the top layer.
pub fn is_news(a: &Action) -> bool {
    use Action::*;
    matches!(
        a,
        DashboardLoaded(_)
            | DetailLoaded(_)
            | Changed
            | StoreError(_)
            | Conflict(_)
            | Unchanged(_)
            | Hidden(_)
            | NoLongerVisible(_)
            | PositionLoaded { .. }
            | Saved(_)
            | Alerts(_)
            | Created { .. }
            | ReferOptionsLoaded(_)
            | AssignableLoaded(_)
            | AccessLoaded(_)
            | OpenAlertsLoaded(_)
            | AreasLoaded(_)
            | HeldItemsLoaded(..)
            | ContactsLoaded(..)
            | ReportLoaded(_)
            | ReviewsLoaded(_)
            | AgendaLoaded(_)
            | HandoverLoaded(_)
            | WorkLoaded(_)
            | Tick(_)
            | Resize(..)
    )
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    if app.revoked() {
        // Nothing more is loaded, shown or sent: quit, resize and the clock only.
        match action {
            Action::Quit | Action::QuitNow => fx.push(quit(app)),
            Action::Resize(w, h) => (app.ctx.width, app.ctx.height) = (w, h),
            Action::Tick(now) => app.ctx.now = now,
            _ => {}
        }
        return fx;
    }
    match action {
        Action::Quit if !app.ctx.too_small() && app.top().mode() != super::layer::Mode::Confirm => {
            match app.live_drafts() {
                0 => fx.push(quit(app)),
                n => app.push(Box::new(super::layers::confirm::Confirm::new(
                    format!(
                        "Quit dutydesk? What you typed ({n} unsaved) is kept as a draft, only for you, and offered when you start again."
                    ),
                    Action::QuitNow,
                ))),
            }
        }
        Action::Quit | Action::QuitNow => fx.push(quit(app)),
        Action::Help => {
            let top = app.top();
            let help = Help::new(top.sections(), top.mode(), top.takes_text());
            app.push(Box::new(help));
        }
        Action::Lock if app.top().mode() != super::layer::Mode::Lock => {
            app.push(Box::new(Lock))
        }
        Action::Lock => {}
        Action::Notice(text) => app.status(StatusKind::Info, text),
        Action::Revoked(why) => app.revoke(Box::new(Revoked { why })),
        Action::DraftsFound(list) if !list.is_empty() => {
            app.push(Box::new(super::layers::drafts::Drafts::new(list)))
        }
        Action::DraftsFound(_) => {}
        news if is_news(&news) => {
            match &news {
                Action::Tick(now) => app.tick(*now),
                Action::Resize(w, h) => (app.ctx.width, app.ctx.height) = (*w, *h),
                Action::DashboardLoaded(d) => app.desk_loaded(d),
                Action::ReviewsLoaded(r) => app.ctx.desk.reviews = r.clone(),
                Action::AreasLoaded(a) => app.ctx.desk.areas = a.clone(),
                Action::Saved(text) | Action::Created { message: text, .. } => {
                    app.status(StatusKind::Info, text.clone())
                }
                _ => {}
            }
            if let Action::HandoverLoaded(h) = &news {
                app.show_handover_once(h);
            }
            // Every layer hears it, top first; steps are applied from the
            // top down, so a layer closing never moves one not yet applied.
            let steps: Vec<_> = (0..app.stack.len())
                .rev()
                .map(|i| (i, app.stack[i].on(&news, &app.ctx)))
                .collect();
            let handled = steps.iter().any(|(_, s)| s.handled);
            for (i, step) in steps {
                fx.extend(app.apply(i, step));
            }
            if let (Action::StoreError(msg) | Action::Conflict(msg), false) = (&news, handled) {
                app.status(StatusKind::Error, msg.clone());
            }
        }
        command => {
            let i = app.stack.len() - 1;
            let step = app.stack[i].on(&command, &app.ctx);
            fx.extend(app.apply(i, step));
        }
    }
    app.sync();
    fx
}

fn quit(app: &mut App) -> Effect {
    app.quit = true;
    Effect::Quit
}

impl App {
    /// Applies layer `i`'s step: its status line, closes, pushes, then the
    /// actions it leaves for the layer on top.
    pub(crate) fn apply(&mut self, i: usize, step: super::layer::Step) -> Vec<Effect> {
        let mut fx = step.effects;
        if let Some((kind, text)) = step.status {
            self.status(kind, text);
        } else if step.clear_status {
            self.ctx.status = None;
        }
        if step.close && i > 0 && i < self.stack.len() {
            let from = i.saturating_sub(step.close_under).max(1);
            if step.close_above {
                // Words typed on it and not saved go with it (they were
                // about a case the user may no longer see): said, never
                // silently.
                if self.stack[from..].iter().any(|l| !l.drafts().is_empty())
                    && let Some(s) = self.ctx.status.as_mut()
                {
                    s.text.push_str(" with your unsaved text");
                }
                // The lock stays over whatever is left: an unattended
                // screen never opens because a record was taken off it.
                let locks: Vec<_> = self
                    .stack
                    .drain(from..)
                    .filter(|l| l.mode() == super::layer::Mode::Lock)
                    .collect();
                self.stack.extend(locks);
            } else {
                self.stack.drain(from..=i);
            }
        }
        for layer in step.push {
            self.push(layer);
        }
        for a in step.then {
            fx.extend(update(self, a));
        }
        fx
    }

    pub(crate) fn push(&mut self, layer: Box<dyn Layer>) {
        self.stack.push(layer);
    }

    pub(crate) fn status(&mut self, kind: StatusKind, text: String) {
        self.ctx.status = Some(StatusLine {
            kind,
            text,
            at: self.ctx.now,
        });
    }
}
