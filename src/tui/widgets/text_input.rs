//! The one text input, used by every form field, prompt, search and filter.
//!
//! Editing is `ratatui-textarea`'s (the ratatui organisation's editor: UTF-8
//! safe cursor, word moves, undo, a yank buffer); which key does what is the
//! keymap's `[input]` section, so the input sees only [`EditOp`]s, typed
//! characters and pastes. Drawing is ours (`views::text`), so a long note
//! wraps on words and a long line scrolls to the cursor in half-width steps.
//!
//! One-line inputs never hold a line break: a paste's line breaks become
//! spaces there, and Enter is left to the owner (a prompt saves, a form moves
//! on). Control and bidi characters are never inserted, however they arrive.

use crate::tui::action::EditOp;
use ratatui_textarea::{CursorMove, TextArea};

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edited {
    /// The text changed.
    Changed,
    /// Only the cursor moved (or nothing happened).
    Moved,
    /// Not an edit for this input (Enter in a one-line field; the line above
    /// the first): the owner decides.
    Unhandled,
    /// Refused, with the reason to show next to the field; nothing changed
    /// beyond what fitted.
    Refused(String),
}

/// A text being edited: one line or several, at most `max` characters.
#[derive(Debug, Clone)]
pub struct TextInput {
    area: TextArea<'static>,
    multiline: bool,
    max: usize,
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.cursor() == other.cursor()
    }
}

impl TextInput {
    /// One line of at most `max` characters.
    pub fn line(max: usize) -> TextInput {
        TextInput {
            area: TextArea::default(),
            multiline: false,
            max,
        }
    }

    /// Several lines, at most `max` characters in all (line breaks count).
    pub fn block(max: usize) -> TextInput {
        TextInput {
            multiline: true,
            ..TextInput::line(max)
        }
    }

    /// Starting text, the cursor at its end; undo does not go before it.
    pub fn with_text(mut self, s: &str) -> TextInput {
        let s = self.clean(s);
        let mut area = TextArea::new(s.split('\n').map(str::to_string).collect());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        self.area = area;
        self
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// The whole text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.area.lines().iter().all(String::is_empty)
    }

    fn len(&self) -> usize {
        let lines = self.area.lines();
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    }

    /// The cursor as a character offset into [`TextInput::text`].
    pub fn cursor(&self) -> usize {
        let c = self.area.cursor();
        let (row, col) = (c.0, c.1);
        let lines = self.area.lines();
        lines[..row]
            .iter()
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            + col
    }

    /// Puts the cursor at a character offset (clamped to the text).
    pub fn set_cursor(&mut self, at: usize) {
        let mut left = at;
        for (row, l) in self.area.lines().iter().enumerate() {
            let n = l.chars().count();
            if left <= n {
                self.area
                    .move_cursor(CursorMove::Jump(row as u16, left as u16));
                return;
            }
            left -= n + 1;
        }
        self.area.move_cursor(CursorMove::Bottom);
        self.area.move_cursor(CursorMove::End);
    }

    /// The text as it may be inserted here: controls and bidi controls
    /// removed, tabs as spaces, line breaks kept in a block and made spaces
    /// in a line.
    fn clean(&self, s: &str) -> String {
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        s.chars()
            .filter_map(|c| match c {
                '\n' if self.multiline => Some('\n'),
                '\n' | '\t' => Some(' '),
                c if crate::domain::text::is_unsafe(c) => None,
                c => Some(c),
            })
            .collect()
    }

    /// Inserts typed or pasted text at the cursor: as much as fits in
    /// `max`, with a message if some did not.
    pub fn insert(&mut self, s: &str) -> Edited {
        let clean = self.clean(s);
        if clean.is_empty() {
            return Edited::Moved;
        }
        let room = self.max.saturating_sub(self.len());
        let fits: String = clean.chars().take(room).collect();
        if !fits.is_empty() {
            self.area.insert_str(&fits);
        }
        if fits.chars().count() < clean.chars().count() {
            return Edited::Refused(format!("at most {} characters", self.max));
        }
        Edited::Changed
    }

    /// Carries out an editing command.
    pub fn edit(&mut self, op: EditOp) -> Edited {
        let before = self.text();
        let row = self.area.cursor().0;
        let last = self.area.lines().len() - 1;
        let full = self.len() >= self.max;
        let a = &mut self.area;
        match op {
            EditOp::Left => a.move_cursor(CursorMove::Back),
            EditOp::Right => a.move_cursor(CursorMove::Forward),
            EditOp::LineUp if row == 0 => return Edited::Unhandled,
            EditOp::LineUp => a.move_cursor(CursorMove::Up),
            EditOp::LineDown if row == last => return Edited::Unhandled,
            EditOp::LineDown => a.move_cursor(CursorMove::Down),
            EditOp::Home => a.move_cursor(CursorMove::Head),
            EditOp::End => a.move_cursor(CursorMove::End),
            EditOp::WordLeft => a.move_cursor(CursorMove::WordBack),
            EditOp::WordRight => a.move_cursor(CursorMove::WordForward),
            EditOp::Backspace => {
                a.delete_char();
            }
            EditOp::Delete => {
                a.delete_next_char();
            }
            EditOp::DeleteWordBack => {
                a.delete_word();
            }
            EditOp::DeleteWordForward => {
                a.delete_next_word();
            }
            EditOp::KillToHead => {
                a.delete_line_by_head();
            }
            EditOp::KillToEnd => {
                a.delete_line_by_end();
            }
            EditOp::Undo => {
                a.undo();
            }
            EditOp::Yank => {
                let y = a.yank_text();
                return self.insert(&y);
            }
            EditOp::Newline if !self.multiline => return Edited::Unhandled,
            EditOp::Newline => {
                if full {
                    return Edited::Refused(format!("at most {} characters", self.max));
                }
                a.insert_newline();
            }
        }
        if self.text() == before {
            Edited::Moved
        } else {
            Edited::Changed
        }
    }

    /// Whether the cursor is on the first / last line (Up and Down leave a
    /// multi-line field there).
    pub fn on_first_line(&self) -> bool {
        self.area.cursor().0 == 0
    }

    pub fn on_last_line(&self) -> bool {
        self.area.cursor().0 + 1 == self.area.lines().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EditOp::*;

    fn typed(t: &mut TextInput, s: &str) {
        for c in s.chars() {
            t.insert(&c.to_string());
        }
    }

    #[test]
    fn readline_keys_move_and_delete_by_word_and_line() {
        let mut t = TextInput::line(100);
        typed(&mut t, "rang the LADO");
        t.edit(WordLeft);
        assert_eq!(t.cursor(), 9);
        t.edit(DeleteWordBack);
        assert_eq!(t.text(), "rang LADO");
        t.edit(Home);
        assert_eq!(t.cursor(), 0);
        t.insert("I ");
        t.edit(End);
        t.insert(" back");
        assert_eq!(t.text(), "I rang LADO back");
        t.edit(WordLeft);
        t.edit(KillToEnd);
        assert_eq!(t.text(), "I rang LADO ");
        t.edit(Yank);
        assert_eq!(t.text(), "I rang LADO back", "Ctrl-Y puts it back");
        t.edit(KillToHead);
        assert_eq!(t.text(), "");
        t.edit(Undo);
        assert_eq!(t.text(), "I rang LADO back", "Ctrl-Z undoes");
    }

    #[test]
    fn a_line_never_holds_a_break_and_controls_never_enter() {
        let mut t = TextInput::line(100);
        assert_eq!(t.insert("one\ntwo\r\nthree"), Edited::Changed);
        assert_eq!(t.text(), "one two three");
        assert_eq!(t.edit(Newline), Edited::Unhandled);
        t.insert("\u{1b}[2J\u{7}\u{202e}x");
        assert_eq!(t.text(), "one two three[2Jx");
        let mut b = TextInput::block(100);
        b.insert("Spoke to mum.\nAlso spoke to school.\nNo answer from dad.");
        assert_eq!(b.text().lines().count(), 3);
        assert!(!b.on_first_line() && b.on_last_line());
        assert_eq!(b.edit(LineUp), Edited::Moved);
        assert_eq!(b.edit(LineUp), Edited::Moved);
        assert_eq!(b.edit(LineUp), Edited::Unhandled, "the first line");
    }

    #[test]
    fn max_counts_characters_and_says_so() {
        let mut t = TextInput::line(5);
        assert_eq!(
            t.insert("ééééééé"),
            Edited::Refused("at most 5 characters".into())
        );
        assert_eq!(t.text(), "ééééé");
        t.set_cursor(2);
        assert_eq!(t.cursor(), 2);
        let b = TextInput::block(10).with_text("ab\ncd");
        assert_eq!((b.text().as_str(), b.cursor()), ("ab\ncd", 5));
    }
}
