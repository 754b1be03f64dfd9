//! dutydesk: a terminal duty desk for Designated Safeguarding Leads.
//!
//! `domain` holds the pure rules, `store` all SQL, `tui` the screen, `cli` the
//! commands. See docs/DESIGN.md.

pub mod anchor;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod identity;
pub mod notifier;
pub mod notify;
pub mod process;
pub mod store;
pub mod tui;
