//! Which layer gets a key, and as what action: one pure function, used by
//! the event loop and by the tests alike.
//!
//! In order: Ctrl-C always quits (the app asks first when something typed
//! would become a draft); below 80×24 only the too-small panel's keys count;
//! the lock panel takes any key to unlock; otherwise the top layer's keymap
//! sections are tried in order, and a layer that takes text gets the
//! `[input]` section's editing keys and any other character as text. Keys
//! no section binds do nothing. A paste goes whole to a layer that takes
//! text, and is refused with a hint anywhere else.

use super::action::Action;
use super::keymap::{self, Keymap};
use super::layer::{Layer, Mode};
use crossterm::event::KeyEvent;

/// What the terminal sent, as the router sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    /// A bracketed paste: text, never keys.
    Paste(String),
}

/// The action an input means on the stack as it is (`None`: nothing).
/// `too_small` is whether the terminal is below the minimum size. The action
/// goes to the top layer (the app itself takes quitting, help and locking).
pub fn route(
    stack: &[Box<dyn Layer>],
    keymap: &Keymap,
    too_small: bool,
    input: &Input,
) -> Option<Action> {
    let top = stack.last()?;
    let key = match input {
        Input::Paste(text) => {
            return if too_small || top.mode() == Mode::Lock {
                None
            } else if top.takes_text() {
                Some(Action::Paste(text.clone()))
            } else {
                Some(Action::Notice(
                    "Pasted text was ignored: open a note or a form field first (nothing was done)"
                        .into(),
                ))
            };
        }
        Input::Key(k) => *k,
    };
    if keymap::is_release(key) {
        return None;
    }
    if keymap::is_ctrl_c(key) {
        return Some(Action::Quit);
    }
    if top.mode() == Mode::Revoked {
        return keymap.lookup(Mode::Revoked.section(), key);
    }
    if too_small {
        return keymap.lookup(Mode::TooSmall.section(), key);
    }
    if top.mode() == Mode::Lock {
        return Some(Action::Unlock);
    }
    let sections = top.sections();
    if let Some(a) = sections.iter().find_map(|s| keymap.lookup(s, key)) {
        return Some(a);
    }
    if top.takes_text() {
        if !sections.contains(&"input")
            && let Some(a) = keymap.lookup("input", key)
        {
            return Some(a);
        }
        return keymap::typed_char(key).map(Action::Char);
    }
    // A character in a list of options jumps to it (a form's choice).
    if sections.iter().any(|s| matches!(*s, "choice" | "multi")) {
        return keymap::typed_char(key).map(Action::Char);
    }
    None
}
