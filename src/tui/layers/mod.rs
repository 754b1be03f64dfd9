//! One file per screen or popup (see `layer.rs` for the shape, and
//! docs/DESIGN.md, "How to add a layer").

pub mod alerts;
pub mod caseitems;
pub mod confirm;
pub mod contacts;
pub mod dashboard;
pub mod drafts;
pub mod form;
pub mod handover;
pub mod help;
pub mod lock;
pub mod matches;
pub mod person;
pub mod picker;
pub mod prompt;
pub mod record;
pub mod reports;
pub mod reviews;
pub mod revoked;
pub mod search;
pub mod signoffs;
pub mod verbs;
pub mod workform;

use crate::tui::action::Action;
use crossterm::event::{MouseEvent, MouseEventKind};

/// The mouse wheel as movement, for layers that scroll.
pub fn wheel(m: MouseEvent) -> Option<Action> {
    match m.kind {
        MouseEventKind::ScrollDown => Some(Action::Down),
        MouseEventKind::ScrollUp => Some(Action::Up),
        _ => None,
    }
}
