//! Widgets every layer shares: the one text input and the windowed list.

pub mod list;
pub mod text_input;
