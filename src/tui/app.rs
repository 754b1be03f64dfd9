//! The screen's whole state: the read-only context every layer sees and the
//! stack of layers (the dashboard at the bottom). Drawing reads only this;
//! `update` alone changes it.

use super::drafts::Draft;
use super::layer::{Ctx, Layer, Mode, STATUS_SECONDS};
use super::layers::dashboard::Dashboard;
use super::layers::handover::HandoverLayer;
use super::route::{Input, route};
use super::theme::Theme;
use crate::domain::staff::StaffMember;
use chrono::{DateTime, Utc};
use ratatui::Frame;

pub use super::widgets::list::WINDOW;

pub struct App {
    pub ctx: Ctx,
    /// The layers, bottom first; `stack[0]` is always the dashboard.
    pub stack: Vec<Box<dyn Layer>>,
    pub quit: bool,
    /// Whether the first handover has been looked at (to show it by itself
    /// to a DSL whose shift has just begun).
    handover_checked: bool,
}

impl App {
    pub fn new(me: StaffMember, now: DateTime<Utc>, read_only: bool, theme: Theme) -> App {
        App {
            ctx: Ctx::new(me, now, read_only, theme),
            stack: vec![Box::new(Dashboard::new())],
            quit: false,
            handover_checked: false,
        }
    }

    /// The layer on top (which gets the keys).
    pub fn top(&self) -> &dyn Layer {
        self.stack
            .last()
            .expect("the dashboard is always there")
            .as_ref()
    }

    /// What is on top, as the need-to-know walk and the tests name it.
    pub fn mode(&self) -> Mode {
        if self.ctx.too_small() && self.top().mode() != Mode::Revoked {
            return Mode::TooSmall;
        }
        self.top().mode()
    }

    /// The dashboard at the bottom of the stack.
    pub fn dashboard(&self) -> &Dashboard {
        self.layer::<Dashboard>()
            .expect("the dashboard is always there")
    }

    /// The topmost layer of a type, if one is open.
    pub fn layer<T: Layer>(&self) -> Option<&T> {
        self.stack
            .iter()
            .rev()
            .find_map(|l| l.as_any().downcast_ref::<T>())
    }

    pub fn layer_mut<T: Layer>(&mut self) -> Option<&mut T> {
        self.stack
            .iter_mut()
            .rev()
            .find_map(|l| l.as_any_mut().downcast_mut::<T>())
    }

    pub fn revoked(&self) -> bool {
        self.top().mode() == Mode::Revoked
    }

    /// The action a key or paste means now (see [`route`]).
    pub fn route(&self, input: &Input) -> Option<super::action::Action> {
        route(&self.stack, &self.ctx.keymap, self.ctx.too_small(), input)
    }

    /// A mouse event as an action: the top layer decides (never under the
    /// lock panel or below the minimum size).
    pub fn mouse(&self, m: crossterm::event::MouseEvent) -> Option<super::action::Action> {
        if self.ctx.too_small() || matches!(self.top().mode(), Mode::Lock | Mode::Revoked) {
            return None;
        }
        self.top().mouse(m, &self.ctx)
    }

    /// Everything typed and not saved, in every layer, and the drafts kept
    /// from earlier sessions: what the draft file holds.
    pub fn drafts(&self) -> Vec<Draft> {
        self.stack.iter().flat_map(|l| l.drafts()).collect()
    }

    /// How many forms and prompts hold unsaved typing now.
    pub fn live_drafts(&self) -> usize {
        self.stack
            .iter()
            .filter(|l| l.mode() != Mode::Drafts)
            .skip(1)
            .map(|l| l.drafts().len())
            .sum()
    }

    /// Draws the screen: the topmost opaque layer and everything above it.
    pub fn draw(&self, f: &mut Frame) {
        let area = f.area();
        if self.ctx.too_small() && !self.revoked() {
            super::views::too_small(&self.ctx, f, area);
            return;
        }
        let from = self.stack.iter().rposition(|l| l.opaque()).unwrap_or(0);
        for layer in &self.stack[from..] {
            layer.draw(&self.ctx, f, area);
        }
    }

    /// The keymap sections the top layer's keys are looked up in, in the
    /// order [`route`] tries them: its own, then the editing keys when it
    /// takes text. The footer and `?` help are drawn from the same list.
    pub fn sections(&self) -> Vec<&'static str> {
        let top = self.top();
        let mut sections = top.sections();
        if top.takes_text() && !sections.contains(&"input") {
            sections.push("input");
        }
        sections
    }

    /// Keeps what layers read in step with the stack: the footer's hints
    /// are the top layer's.
    pub(crate) fn sync(&mut self) {
        let top = self.top();
        let sections = self.sections();
        debug_assert!(
            super::keymap::on_one_screen(&sections),
            "{sections:?} are not one of keymap::SCREENS: add them there, so a rebinding cannot clash on this layer"
        );
        let hints = if self.ctx.too_small() {
            self.ctx.keymap.hints(&[Mode::TooSmall.section()])
        } else {
            top.hints(self.ctx.keymap.hints(&sections))
        };
        self.ctx.hints = hints;
    }

    /// The clock: countdowns follow it; status lines expire.
    pub(crate) fn tick(&mut self, now: DateTime<Utc>) {
        self.ctx.now = now;
        if self
            .ctx
            .status
            .as_ref()
            .is_some_and(|s| (now - s.at).num_seconds() >= STATUS_SECONDS || now < s.at)
        {
            self.ctx.status = None;
        }
    }

    /// Takes the desk's reference data from a dashboard load.
    pub(crate) fn desk_loaded(&mut self, d: &crate::store::worker::DashboardData) {
        let desk = &mut self.ctx.desk;
        desk.org = d.org.clone();
        desk.on_duty = d.on_duty.clone();
        desk.counting = d.counting;
        desk.holidays_through = d.holidays_through;
        desk.ack_minutes = d.ack_minutes;
        desk.categories = d.categories.clone();
        desk.outcomes = d.outcomes.clone();
        desk.events = d.events.clone();
        desk.staff = d.staff.clone();
        desk.signoff_waiting = d.signoff_waiting;
    }

    /// A DSL whose shift began in the last two hours sees the handover by
    /// itself when dutydesk starts (only over the bare dashboard): that is
    /// taking over.
    pub(crate) fn show_handover_once(&mut self, h: &crate::store::rota::Handover) {
        let first = !self.handover_checked;
        self.handover_checked = true;
        let mine_just_begun = h.current.as_ref().is_some_and(|s| {
            s.username == self.ctx.me.username && h.now - s.starts_at <= chrono::Duration::hours(2)
        });
        if first && mine_just_begun && self.stack.len() == 1 {
            self.push(Box::new(HandoverLayer::with(h.clone())));
        }
    }

    /// Drops every record the session holds and shows why instead: the
    /// user was deactivated or given another role in another session.
    pub(crate) fn revoke(&mut self, revoked: Box<dyn Layer>) {
        self.stack = vec![Box::new(Dashboard::new()), revoked];
        self.ctx.desk = Default::default();
        self.ctx.status = None;
    }
}
