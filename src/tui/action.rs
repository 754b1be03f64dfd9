//! Everything that can happen to the screen: a key's command or news from the
//! store, the clock or the terminal. `update` is the only place they act.

use crate::domain::escalation::EscalationDetail;
use crate::store::worker::DashboardData;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Commands, bound to keys in keymap.rs.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Help,
    Quit,
    // Events.
    DashboardLoaded(DashboardData),
    DetailLoaded(Box<EscalationDetail>),
    /// Another session committed a change.
    Changed,
    StoreError(String),
    Tick(DateTime<Utc>),
    Resize(u16, u16),
}
