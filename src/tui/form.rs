//! A keyboard form: fields, focus, editing and validation messages. Pure
//! state, no IO; `views::form` draws it, `layers::form` puts it on screen.
//!
//! People fill these in tired and interrupted, so: nothing typed is lost (Esc
//! on a changed form asks first; a form's text is kept as a draft), a key
//! that cannot be taken says why next to the field, every problem sits next
//! to its field, and keys do the same thing in every form. Which key does
//! what is the keymap's `[form]` section plus the focused field's own
//! (`[input]` for text, `[choice]`, `[multi]`, `[toggle]`): this module sees
//! only actions.
//!
//! | action                | what it does                                        |
//! |-----------------------|-----------------------------------------------------|
//! | next/prev field       | Tab / Shift-Tab (wrapping; hidden fields skipped)   |
//! | up / down             | a line or an option first, then the field           |
//! | submit                | save, or mark the required fields still empty       |
//! | cancel                | leave; asks first when anything was changed         |

use crate::tui::action::{Action, EditOp};
use crate::tui::widgets::text_input::{Edited, TextInput};
use std::borrow::Cow;

/// A field's key: a fixed name (`"rationale"`), or one made for a record's
/// own rows (`"deadline:12"` for each open deadline of a close form).
pub type Key = Cow<'static, str>;

/// What a field holds and how it is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// One line, at most `max` characters.
    Text { max: usize },
    /// Several lines (Enter inserts a line break), at most `max` characters.
    Multiline { max: usize },
    /// One of a list of (code, label), or none yet. An option whose code is
    /// empty reads back as none (an explicit "none" entry).
    Choice { options: Vec<(String, String)> },
    /// Any number of a list of (code, label).
    Multi { options: Vec<(String, String)> },
    /// Yes or no.
    Toggle,
}

/// A field's value; which variant goes with which kind is fixed by the
/// constructors (Text and Multiline hold `Text`, kept equal to the input's).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    Text(String),
    Choice(Option<usize>),
    Multi(Vec<bool>),
    Toggle(bool),
}

/// A field's value by code, as kept in a draft: it survives a form whose
/// options come back in another order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kept {
    Text(String),
    Choice(Option<String>),
    Multi(Vec<String>),
    Toggle(bool),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: Key,
    pub label: String,
    pub hint: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub value: Value,
    /// The text being edited (Text and Multiline only).
    pub input: Option<TextInput>,
    /// The message shown next to the field; cleared when the field is edited.
    pub error: Option<String>,
    /// Text: the cursor, in chars. Choice and Multi: the option under the cursor.
    pub cursor: usize,
    /// Shown (and asked) only while another field holds a code (a Choice
    /// chosen, or a Multi ticked): (that field's key, the code).
    pub shown_when: Option<(Key, Key)>,
    /// A line always shown under the value, e.g. what a deadline is and
    /// when it is due (a hint shows only while the field has focus).
    pub detail: Option<String>,
    initial: Value,
}

impl Field {
    fn new(key: impl Into<Key>, label: impl Into<String>, kind: FieldKind, value: Value) -> Field {
        let input = match kind {
            FieldKind::Text { max } => Some(TextInput::line(max)),
            FieldKind::Multiline { max } => Some(TextInput::block(max)),
            _ => None,
        };
        Field {
            key: key.into(),
            label: label.into(),
            hint: None,
            kind,
            required: false,
            initial: value.clone(),
            value,
            input,
            error: None,
            cursor: 0,
            shown_when: None,
            detail: None,
        }
    }

    /// One line of text, at most `max` characters.
    pub fn text(key: impl Into<Key>, label: impl Into<String>, max: usize) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Text { max },
            Value::Text(String::new()),
        )
    }

    /// Several lines of text, at most `max` characters in all.
    pub fn multiline(key: impl Into<Key>, label: impl Into<String>, max: usize) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Multiline { max },
            Value::Text(String::new()),
        )
    }

    /// One of `options` (code, label); none is chosen at first.
    pub fn choice(
        key: impl Into<Key>,
        label: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Choice { options },
            Value::Choice(None),
        )
    }

    /// Any number of `options` (code, label); none is ticked at first.
    pub fn multi(
        key: impl Into<Key>,
        label: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Field {
        let n = options.len();
        Field::new(
            key,
            label,
            FieldKind::Multi { options },
            Value::Multi(vec![false; n]),
        )
    }

    /// Yes or no; no at first.
    pub fn toggle(key: impl Into<Key>, label: impl Into<String>) -> Field {
        Field::new(key, label, FieldKind::Toggle, Value::Toggle(false))
    }

    /// Saving is refused while this field is empty.
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Shows the field only while the Choice field `key` holds `code`, or
    /// the Multi field `key` has `code` ticked (e.g. "does the person use
    /// this desk?" only for a staff subject, FGM known or at risk only with
    /// the FGM category). A hidden field is skipped by Tab, not drawn and
    /// not required; its reader ignores it ([`Form::shown_key`]).
    pub fn shown_when(mut self, key: impl Into<Key>, code: impl Into<Key>) -> Field {
        self.shown_when = Some((key.into(), code.into()));
        self
    }

    /// A line always shown under the value (see [`Field::detail`]).
    pub fn detail(mut self, d: impl Into<String>) -> Field {
        self.detail = Some(d.into());
        self
    }

    /// A short explanation, shown under the field while it has focus.
    pub fn hint(mut self, h: impl Into<String>) -> Field {
        self.hint = Some(h.into());
        self
    }

    /// A starting text (Text and Multiline); the cursor goes to its end.
    /// Starting values do not make the form dirty.
    pub fn with_text(mut self, s: &str) -> Field {
        if let Some(input) = self.input.take() {
            let input = input.with_text(s);
            self.value = Value::Text(input.text());
            self.cursor = input.cursor();
            self.input = Some(input);
            self.initial = self.value.clone();
        }
        self
    }

    /// A starting choice, by code; an unknown code leaves none chosen.
    pub fn with_choice(mut self, code: &str) -> Field {
        if let FieldKind::Choice { options } = &self.kind {
            let i = options.iter().position(|(c, _)| c == code);
            self.value = Value::Choice(i);
            self.cursor = i.unwrap_or(0);
            self.initial = self.value.clone();
        }
        self
    }

    /// Starting ticks, by code; unknown codes are ignored.
    pub fn with_checked(mut self, codes: &[&str]) -> Field {
        if let FieldKind::Multi { options } = &self.kind {
            self.value = Value::Multi(
                options
                    .iter()
                    .map(|(c, _)| codes.contains(&c.as_str()))
                    .collect(),
            );
            self.initial = self.value.clone();
        }
        self
    }

    /// A starting yes or no.
    pub fn with_toggle(mut self, on: bool) -> Field {
        if matches!(self.kind, FieldKind::Toggle) {
            self.value = Value::Toggle(on);
            self.initial = self.value.clone();
        }
        self
    }

    /// The options of a Choice or Multi field (empty for the others).
    pub fn options(&self) -> &[(String, String)] {
        match &self.kind {
            FieldKind::Choice { options } | FieldKind::Multi { options } => options,
            _ => &[],
        }
    }

    /// The chosen code of a Choice field; an empty code counts as none.
    fn chosen(&self) -> Option<&str> {
        match self.value {
            Value::Choice(Some(i)) => self
                .options()
                .get(i)
                .map(|(c, _)| c.as_str())
                .filter(|c| !c.is_empty()),
            _ => None,
        }
    }

    /// Whether a required field would be refused.
    fn empty(&self) -> bool {
        match &self.value {
            Value::Text(s) => s.trim().is_empty(),
            Value::Choice(_) => self.chosen().is_none(),
            Value::Multi(v) => !v.iter().any(|b| *b),
            Value::Toggle(_) => false,
        }
    }

    /// The keymap section for this field's own keys.
    pub fn section(&self) -> &'static str {
        match self.kind {
            // Enter moves on from one line and adds a line to several; the
            // editing keys ([input]) come with any text (`Layer::takes_text`).
            FieldKind::Text { .. } => "field_line",
            FieldKind::Multiline { .. } => "input_lines",
            FieldKind::Choice { .. } => "choice",
            FieldKind::Multi { .. } => "multi",
            FieldKind::Toggle => "toggle",
        }
    }

    /// The value by code, for a draft.
    pub fn kept(&self) -> Kept {
        match &self.value {
            Value::Text(s) => Kept::Text(s.clone()),
            Value::Choice(_) => Kept::Choice(match self.value {
                Value::Choice(Some(i)) => self.options().get(i).map(|(c, _)| c.clone()),
                _ => None,
            }),
            Value::Multi(on) => Kept::Multi(
                self.options()
                    .iter()
                    .zip(on)
                    .filter(|(_, b)| **b)
                    .map(|((c, _), _)| c.clone())
                    .collect(),
            ),
            Value::Toggle(b) => Kept::Toggle(*b),
        }
    }

    /// Puts a kept value back (codes no longer offered are dropped).
    fn restore(&mut self, k: &Kept) {
        match (k, &self.kind) {
            (Kept::Text(s), FieldKind::Text { .. } | FieldKind::Multiline { .. }) => {
                if let Some(input) = self.input.take() {
                    let mut fresh = match self.kind {
                        FieldKind::Multiline { max } => TextInput::block(max),
                        _ => TextInput::line(input.max()),
                    };
                    fresh.insert(s);
                    self.value = Value::Text(fresh.text());
                    self.cursor = fresh.cursor();
                    self.input = Some(fresh);
                }
            }
            (Kept::Choice(c), FieldKind::Choice { options }) => {
                let i = c
                    .as_ref()
                    .and_then(|c| options.iter().position(|(o, _)| o == c));
                self.value = Value::Choice(i);
                self.cursor = i.unwrap_or(0);
            }
            (Kept::Multi(codes), FieldKind::Multi { options }) => {
                self.value = Value::Multi(options.iter().map(|(c, _)| codes.contains(c)).collect());
            }
            (Kept::Toggle(b), FieldKind::Toggle) => self.value = Value::Toggle(*b),
            _ => {}
        }
    }

    /// Applies an edit to a text field, keeping `value` and `cursor` equal
    /// to the input's; a real edit clears the field's message.
    fn text_edit(&mut self, f: impl FnOnce(&mut TextInput) -> Edited) -> Edited {
        let Some(input) = self.input.as_mut() else {
            return Edited::Unhandled;
        };
        let r = f(input);
        self.value = Value::Text(input.text());
        self.cursor = input.cursor();
        match &r {
            Edited::Changed => self.error = None,
            Edited::Refused(why) => self.error = Some(why.clone()),
            _ => {}
        }
        r
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Keep editing.
    Continue,
    /// Every required field is filled: read the form and save it.
    Submit,
    /// Leave without saving: nothing was typed.
    Cancel,
    /// Leave, but something was typed: ask first.
    AskDiscard,
}

/// Where focus goes after an action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Move {
    Stay,
    Next,
    Prev,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The form was sent to the store: actions are ignored until the answer.
    pub saving: bool,
    /// A message about the whole form (e.g. the store's refusal).
    pub error: Option<String>,
    /// Something the user must do now, pinned above the fields.
    pub warning: Option<String>,
}

impl Form {
    pub fn new(title: &str, fields: Vec<Field>) -> Form {
        Form {
            title: title.to_string(),
            fields,
            focus: 0,
            saving: false,
            error: None,
            warning: None,
        }
    }

    /// Takes the values as they are now as the form's starting values: what
    /// a form fills in by itself is not the user's typing (Esc does not ask).
    pub fn settle(&mut self) {
        for f in &mut self.fields {
            f.initial = f.value.clone();
        }
    }

    /// True when any value differs from the one the form started with.
    pub fn dirty(&self) -> bool {
        self.fields.iter().any(|f| f.value != f.initial)
    }

    fn field(&self, key: &str) -> &Field {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no field {key:?} in form {:?}", self.title))
    }

    /// The text of a Text or Multiline field ("" for other kinds). Panics if
    /// there is no such field: that is a programming error.
    pub fn text(&self, key: &str) -> &str {
        match &self.field(key).value {
            Value::Text(s) => s,
            _ => "",
        }
    }

    /// The chosen code of a Choice field (None when none, or an empty code).
    pub fn choice(&self, key: &str) -> Option<&str> {
        self.field(key).chosen()
    }

    /// The ticked codes of a Multi field, in option order.
    pub fn checked(&self, key: &str) -> Vec<&str> {
        let f = self.field(key);
        match &f.value {
            Value::Multi(v) => f
                .options()
                .iter()
                .zip(v)
                .filter(|(_, on)| **on)
                .map(|((c, _), _)| c.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A Toggle field's value (false for other kinds).
    pub fn toggle(&self, key: &str) -> bool {
        matches!(self.field(key).value, Value::Toggle(true))
    }

    /// Every value, by key: what a draft keeps.
    pub fn kept(&self) -> Vec<(String, Kept)> {
        self.fields
            .iter()
            .map(|f| (f.key.to_string(), f.kept()))
            .collect()
    }

    /// Puts a draft's values back; keys the form no longer has are ignored.
    pub fn restore(&mut self, kept: &[(String, Kept)]) {
        for (key, k) in kept {
            if let Some(f) = self.fields.iter_mut().find(|f| f.key == key.as_str()) {
                f.restore(k);
            }
        }
    }

    /// Puts a message next to a field. Focus goes to the topmost field in
    /// error, so after a refused save the cursor is on the first problem. An
    /// unknown key (a programming error) puts the message on the whole form
    /// rather than losing it.
    pub fn set_error(&mut self, key: &str, msg: impl Into<String>) {
        let msg = msg.into();
        let Some(i) = self.fields.iter().position(|f| f.key == key) else {
            self.error = Some(msg);
            return;
        };
        self.fields[i].error = Some(msg);
        if let Some(first) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = first;
        }
    }

    /// Whether the form has a field `key` (forms vary: the refer form asks
    /// for consent only when a route needs it).
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f.key == key)
    }

    /// Sets a field's hint (shown under it while focused): forms that say
    /// back what was typed (a date read as "2 March 2014") or what a choice
    /// means change it as the user works. Unknown keys are ignored.
    pub fn set_hint(&mut self, key: &str, hint: Option<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.hint = hint;
        }
    }

    /// Puts `text` in a Text or Multiline field (the cursor at its end), as
    /// the form itself fills a field in; unknown keys are ignored.
    pub fn set_text(&mut self, key: &str, text: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.restore(&Kept::Text(text.to_string()));
        }
    }

    /// Chooses the option `code` of a Choice field (none if it is not
    /// offered); unknown keys are ignored.
    pub fn set_choice(&mut self, key: &str, code: Option<&str>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.restore(&Kept::Choice(code.map(str::to_string)));
        }
    }

    /// Sets or clears the line always shown under a field (e.g. the time a
    /// typed "yesterday 15:00" is read as). An unknown key is ignored.
    pub fn set_detail(&mut self, key: &str, detail: Option<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.detail = detail;
        }
    }

    /// Clears every field's message and the form's own.
    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
    }

    /// Whether field `i` is shown now (see [`Field::shown_when`]).
    pub fn shown(&self, i: usize) -> bool {
        let Some((key, code)) = self.fields.get(i).and_then(|f| f.shown_when.as_ref()) else {
            return true;
        };
        match self.fields.iter().find(|f| f.key == *key) {
            Some(f) if matches!(f.kind, FieldKind::Multi { .. }) => {
                self.checked(key).iter().any(|c| *c == code.as_ref())
            }
            Some(f) => f.chosen() == Some(code.as_ref()),
            None => false,
        }
    }

    /// Whether the field `key` is shown now (see [`Field::shown_when`]).
    pub fn shown_key(&self, key: &str) -> bool {
        self.fields
            .iter()
            .position(|f| f.key == key)
            .is_some_and(|i| self.shown(i))
    }

    /// The field with focus. Panics on a form with no fields.
    pub fn focused(&self) -> &Field {
        &self.fields[self.focus.min(self.fields.len().saturating_sub(1))]
    }

    /// The keymap sections in force: the form's, then the focused field's
    /// (a one-line field's `[field_line]` binds Enter to "next", so its
    /// footer says so without rewriting).
    pub fn sections(&self) -> Vec<&'static str> {
        match self.fields.get(self.focus) {
            Some(f) => vec!["form", f.section()],
            None => vec!["form"],
        }
    }

    fn move_focus(&mut self, m: Move) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        let at = self.focus.min(n - 1);
        let step = |i: usize| match m {
            Move::Stay => i,
            Move::Next => (i + 1) % n,
            Move::Prev => (i + n - 1) % n,
        };
        let mut to = step(at);
        // Hidden fields are passed over.
        for _ in 0..n {
            if m == Move::Stay || self.shown(to) {
                break;
            }
            to = step(to);
        }
        self.focus = to;
    }

    /// Submit when every required field is filled; otherwise each empty one
    /// says "required" and focus goes to the first.
    fn submit(&mut self) -> Outcome {
        self.clear_errors();
        let mut first = None;
        let shown: Vec<bool> = (0..self.fields.len()).map(|i| self.shown(i)).collect();
        for (i, f) in self.fields.iter_mut().enumerate() {
            if f.required && shown[i] && f.empty() {
                f.error = Some("required".into());
                first.get_or_insert(i);
            }
        }
        match first {
            Some(i) => {
                self.focus = i;
                Outcome::Continue
            }
            None => Outcome::Submit,
        }
    }

    /// Carries out one action (see the module documentation).
    pub fn act(&mut self, action: &Action) -> Outcome {
        if self.saving {
            return Outcome::Continue;
        }
        match action {
            Action::Submit => return self.submit(),
            Action::Cancel if self.dirty() => return Outcome::AskDiscard,
            Action::Cancel => return Outcome::Cancel,
            Action::NextField => self.move_focus(Move::Next),
            Action::PrevField => self.move_focus(Move::Prev),
            _ => {
                if self.fields.is_empty() {
                    return Outcome::Continue;
                }
                self.focus = self.focus.min(self.fields.len() - 1);
                let m = edit(&mut self.fields[self.focus], action);
                self.move_focus(m);
            }
        }
        Outcome::Continue
    }
}

/// The next option (after `from`, wrapping, `from` itself last) whose label
/// starts with `c`, ignoring case.
fn jump(options: &[(String, String)], from: usize, c: char) -> Option<usize> {
    let n = options.len();
    let c: String = c.to_lowercase().collect();
    (1..=n)
        .map(|k| (from + k) % n)
        .find(|&i| options[i].1.trim_start().to_lowercase().starts_with(&c))
}

/// An action for the focused field.
fn edit(f: &mut Field, action: &Action) -> Move {
    match f.kind {
        FieldKind::Text { .. } | FieldKind::Multiline { .. } => edit_text(f, action),
        FieldKind::Choice { .. } => edit_choice(f, action),
        FieldKind::Multi { .. } => edit_multi(f, action),
        FieldKind::Toggle => edit_toggle(f, action),
    }
}

fn edit_text(f: &mut Field, action: &Action) -> Move {
    match action {
        Action::Char(c) => {
            f.text_edit(|t| t.insert(&c.to_string()));
        }
        Action::Paste(s) => {
            f.text_edit(|t| t.insert(s));
        }
        Action::Up => return on_edge(f.text_edit(|t| t.edit(EditOp::LineUp)), Move::Prev),
        Action::Down => return on_edge(f.text_edit(|t| t.edit(EditOp::LineDown)), Move::Next),
        Action::Edit(EditOp::Newline) => {
            return on_edge(f.text_edit(|t| t.edit(EditOp::Newline)), Move::Next);
        }
        Action::Edit(op) => {
            f.text_edit(|t| t.edit(*op));
        }
        _ => {}
    }
    Move::Stay
}

/// Leaves a text field when the edit could not happen there (the first or
/// last line, Enter in one line).
fn on_edge(r: Edited, m: Move) -> Move {
    if r == Edited::Unhandled {
        m
    } else {
        Move::Stay
    }
}

fn edit_choice(f: &mut Field, action: &Action) -> Move {
    let n = f.options().len();
    let Value::Choice(sel) = f.value else {
        return Move::Stay;
    };
    let mut new = sel;
    let mut m = Move::Stay;
    match action {
        Action::ChoicePrev if n > 0 => new = Some(sel.map_or(n - 1, |i| (i + n - 1) % n)),
        Action::ChoiceNext if n > 0 => new = Some(sel.map_or(0, |i| (i + 1) % n)),
        Action::ChoiceClear => new = None,
        Action::Char(c) if n > 0 => {
            // From none, the search starts at the first option.
            let from = sel.unwrap_or(n - 1);
            if let Some(i) = jump(f.options(), from, *c) {
                new = Some(i);
            }
        }
        Action::Down => m = Move::Next,
        Action::Up => m = Move::Prev,
        Action::Paste(_) => {
            f.error = Some("pasting goes into a text field: choose with ←/→ here".into())
        }
        _ => {}
    }
    if new != sel {
        f.value = Value::Choice(new);
        f.error = None;
    }
    f.cursor = new.unwrap_or(0);
    m
}

fn edit_multi(f: &mut Field, action: &Action) -> Move {
    let n = f.options().len();
    if n == 0 {
        return match action {
            Action::Down => Move::Next,
            Action::Up => Move::Prev,
            _ => Move::Stay,
        };
    }
    let cur = f.cursor.min(n - 1);
    let mut m = Move::Stay;
    match action {
        Action::Edit(EditOp::Left) => f.cursor = (cur + n - 1) % n,
        Action::Edit(EditOp::Right) => f.cursor = (cur + 1) % n,
        // Up and Down walk the list, leaving it at either end.
        Action::Up if cur == 0 => m = Move::Prev,
        Action::Up => f.cursor = cur - 1,
        Action::Down if cur + 1 == n => m = Move::Next,
        Action::Down => f.cursor = cur + 1,
        Action::TickOption => {
            if let Value::Multi(on) = &mut f.value
                && let Some(b) = on.get_mut(cur)
            {
                *b = !*b;
                f.error = None;
            }
        }
        Action::Char(c) => {
            if let Some(i) = jump(f.options(), cur, *c) {
                f.cursor = i;
            }
        }
        Action::Paste(_) => {
            f.error = Some("pasting goes into a text field: tick with Space here".into())
        }
        _ => {}
    }
    m
}

fn edit_toggle(f: &mut Field, action: &Action) -> Move {
    let Value::Toggle(on) = f.value else {
        return Move::Stay;
    };
    let new = match action {
        Action::Toggle => !on,
        Action::Confirm(yes) => *yes,
        Action::Down => return Move::Next,
        Action::Up => return Move::Prev,
        _ => on,
    };
    if new != on {
        f.value = Value::Toggle(new);
        f.error = None;
    }
    Move::Stay
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    /// Presses a key on a form the way the event loop does: through the
    /// keymap's sections for the form and its focused field.
    trait Press {
        fn key(&mut self, key: KeyEvent) -> Outcome;
    }

    impl Press for Form {
        fn key(&mut self, key: KeyEvent) -> Outcome {
            if key.kind == KeyEventKind::Release {
                return Outcome::Continue;
            }
            let km = crate::tui::keymap::Keymap::default();
            // As the router does: the form's sections, then the editing keys
            // where the focused field takes text.
            let mut sections = self.sections();
            if self
                .fields
                .get(self.focus)
                .is_some_and(|f| f.input.is_some())
            {
                sections.push("input");
            }
            let action = sections
                .iter()
                .find_map(|s| km.lookup(s, key))
                .or_else(|| crate::tui::keymap::typed_char(key).map(Action::Char));
            match action {
                Some(a) => self.act(&a),
                None => Outcome::Continue,
            }
        }
    }

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn typed(f: &mut Form, s: &str) {
        for c in s.chars() {
            f.key(k(KeyCode::Char(c)));
        }
    }
    fn opts(v: &[&str]) -> Vec<(String, String)> {
        v.iter()
            .map(|s| (s.to_string(), format!("{s} label")))
            .collect()
    }
    fn form() -> Form {
        Form::new(
            "t",
            vec![
                Field::text("name", "Name", 5).required(),
                Field::multiline("words", "Words", 100),
                Field::choice("risk", "Risk", opts(&["high", "medium", "low"])).required(),
                Field::multi("cats", "Cats", opts(&["neglect", "physical", "sexual"])),
                Field::toggle("crit", "Critical"),
            ],
        )
    }

    #[test]
    fn typing_and_moving_the_cursor() {
        let mut f = form();
        typed(&mut f, "abc");
        assert_eq!((f.text("name"), f.fields[0].cursor), ("abc", 3));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Backspace));
        assert_eq!((f.text("name"), f.fields[0].cursor), ("ac", 1));
        typed(&mut f, "X");
        assert_eq!(f.text("name"), "aXc", "typing inserts at the cursor");
        f.key(k(KeyCode::Home));
        f.key(k(KeyCode::Delete));
        assert_eq!((f.text("name"), f.fields[0].cursor), ("Xc", 0));
        f.key(k(KeyCode::Backspace));
        f.key(k(KeyCode::Left));
        assert_eq!(f.text("name"), "Xc", "nothing left of the cursor");
        f.key(k(KeyCode::End));
        f.key(k(KeyCode::Delete));
        f.key(k(KeyCode::Right));
        assert_eq!((f.text("name"), f.fields[0].cursor), ("Xc", 2));
        f.key(ctrl('u'));
        assert_eq!((f.text("name"), f.fields[0].cursor), ("", 0));
        f.key(ctrl('z'));
        assert_eq!(
            f.text("name"),
            "Xc",
            "Ctrl-Z brings back what Ctrl-U cleared"
        );
    }

    #[test]
    fn max_length_is_enforced_with_a_message() {
        let mut f = form();
        typed(&mut f, "abcdefgh");
        assert_eq!(f.text("name"), "abcde");
        assert_eq!(f.fields[0].error.as_deref(), Some("at most 5 characters"));
        f.key(k(KeyCode::Left));
        assert!(f.fields[0].error.is_some(), "moving is not editing");
        f.key(k(KeyCode::Backspace));
        assert!(f.fields[0].error.is_none(), "an edit clears the message");
        assert_eq!(f.text("name"), "abce");
        // Unicode counts in characters, not bytes.
        let mut f = form();
        typed(&mut f, "ééééé");
        assert_eq!(f.text("name"), "ééééé");
        assert!(f.fields[0].error.is_none());
    }

    #[test]
    fn control_characters_are_dropped() {
        let mut f = form();
        typed(&mut f, "a\u{1b}[2J\u{7}\t\u{9b}\u{202e}b\r\n");
        assert_eq!(f.text("name"), "a[2Jb");
        assert_eq!(
            f.focus, 0,
            "a line break as a character is dropped, not Enter"
        );
        // Ctrl with a letter is never text.
        f.key(ctrl('x'));
        assert_eq!(f.text("name"), "a[2Jb");
    }

    #[test]
    fn enter_moves_on_in_a_line_and_breaks_lines_in_a_block() {
        let mut f = form();
        typed(&mut f, "Kai");
        f.key(k(KeyCode::Enter));
        assert_eq!(f.focus, 1);
        typed(&mut f, "one");
        f.key(k(KeyCode::Enter));
        typed(&mut f, "two");
        assert_eq!(f.text("words"), "one\ntwo");
        assert_eq!(f.focus, 1);
        f.key(k(KeyCode::Home));
        assert_eq!(f.fields[1].cursor, 4, "Home keeps to the line");
        f.key(k(KeyCode::End));
        f.key(k(KeyCode::Up));
        assert_eq!(
            (f.focus, f.fields[1].cursor),
            (1, 3),
            "Up moves a line first"
        );
        f.key(k(KeyCode::Down));
        assert_eq!((f.focus, f.fields[1].cursor), (1, 7));
        f.key(k(KeyCode::Down));
        assert_eq!(f.focus, 2, "Down from the last line leaves");
        f.key(k(KeyCode::Up));
        f.key(k(KeyCode::Up));
        f.key(k(KeyCode::Up));
        assert_eq!(f.focus, 0, "Up from the first line leaves");
        f.key(k(KeyCode::Down));
        assert_eq!(f.focus, 1, "Down in a one-line field moves on");
    }

    #[test]
    fn tab_and_backtab_wrap() {
        let mut f = form();
        f.key(k(KeyCode::BackTab));
        assert_eq!(f.focus, 4);
        f.key(k(KeyCode::Tab));
        assert_eq!(f.focus, 0);
        f.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT));
        assert_eq!(f.focus, 4, "Shift+Tab reported as Tab with Shift");
        for _ in 0..3 {
            f.key(k(KeyCode::Tab));
        }
        assert_eq!(f.focus, 2);
        assert!(!f.dirty(), "moving changes nothing");
    }

    #[test]
    fn choice_cycles_and_jumps_by_letter() {
        let mut f = form();
        f.focus = 2;
        f.key(k(KeyCode::Right));
        assert_eq!(f.choice("risk"), Some("high"));
        f.key(k(KeyCode::Char(' ')));
        assert_eq!(f.choice("risk"), Some("medium"));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Left));
        assert_eq!(f.choice("risk"), Some("low"), "Left wraps");
        f.key(k(KeyCode::Char('H')));
        assert_eq!(f.choice("risk"), Some("high"), "letters ignore case");
        f.key(k(KeyCode::Char('z')));
        assert_eq!(f.choice("risk"), Some("high"), "no match: no change");
        f.key(k(KeyCode::Backspace));
        assert_eq!(f.choice("risk"), None);
        let mut f = form();
        f.focus = 2;
        f.key(k(KeyCode::Char('m')));
        assert_eq!(
            f.choice("risk"),
            Some("medium"),
            "from none, a letter chooses"
        );
        // An empty code is an explicit "none".
        let mut f = Form::new(
            "t",
            vec![
                Field::choice(
                    "fb",
                    "Fallback",
                    vec![("".into(), "none".into()), ("4".into(), "Jo".into())],
                )
                .required()
                .with_choice(""),
            ],
        );
        assert_eq!(f.choice("fb"), None);
        assert_eq!(f.key(ctrl('s')), Outcome::Continue);
        f.key(k(KeyCode::Char('j')));
        assert_eq!(f.choice("fb"), Some("4"));
    }

    #[test]
    fn multi_ticks_in_option_order() {
        let mut f = form();
        f.focus = 3;
        f.key(k(KeyCode::Char('s')));
        f.key(k(KeyCode::Char(' ')));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Char(' ')));
        assert_eq!(f.checked("cats"), vec!["neglect", "sexual"]);
        f.key(k(KeyCode::Right));
        f.key(k(KeyCode::Char(' ')));
        f.key(k(KeyCode::Char(' ')));
        assert_eq!(f.checked("cats"), vec!["neglect", "sexual"]);
        // Down walks the list, then leaves it.
        f.key(k(KeyCode::Down));
        assert_eq!((f.focus, f.fields[3].cursor), (3, 2));
        f.key(k(KeyCode::Down));
        assert_eq!(f.focus, 4);
        let f = Form::new(
            "t",
            vec![Field::multi("c", "C", opts(&["a", "b", "c"])).with_checked(&["c", "a"])],
        );
        assert_eq!(f.checked("c"), vec!["a", "c"]);
        assert!(!f.dirty(), "starting values are not changes");
    }

    #[test]
    fn toggle_keys() {
        let mut f = form();
        f.focus = 4;
        f.key(k(KeyCode::Char('y')));
        assert!(f.toggle("crit"));
        f.key(k(KeyCode::Char(' ')));
        assert!(!f.toggle("crit"));
        f.key(k(KeyCode::Right));
        assert!(f.toggle("crit"));
        f.key(k(KeyCode::Char('n')));
        assert!(!f.toggle("crit"));
        assert!(!f.dirty(), "back where it started");
        assert_eq!(f.text("crit"), "", "not text");
    }

    #[test]
    fn save_marks_empty_required_fields() {
        let mut f = form();
        f.focus = 3;
        assert_eq!(f.key(ctrl('s')), Outcome::Continue);
        assert_eq!(f.focus, 0, "focus goes to the first missing field");
        assert_eq!(f.fields[0].error.as_deref(), Some("required"));
        assert_eq!(f.fields[2].error.as_deref(), Some("required"));
        assert!(f.fields[1].error.is_none());
        typed(&mut f, "  ");
        assert_eq!(f.key(ctrl('s')), Outcome::Continue, "blank is empty");
        f.key(ctrl('u'));
        typed(&mut f, "Kai");
        f.focus = 2;
        f.key(k(KeyCode::Right));
        assert!(f.fields[2].error.is_none(), "choosing clears the error");
        assert_eq!(f.key(ctrl('s')), Outcome::Submit);
        assert_eq!(
            f.key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::CONTROL)),
            Outcome::Submit
        );
    }

    #[test]
    fn errors_clear_when_their_field_is_edited() {
        let mut f = form();
        f.set_error("crit", "say yes or no");
        f.set_error("words", "too short");
        assert_eq!(f.focus, 1, "the topmost error has focus");
        typed(&mut f, "x");
        assert!(f.fields[1].error.is_none());
        assert!(f.fields[4].error.is_some(), "only the edited field");
        f.focus = 4;
        f.key(k(KeyCode::Char('y')));
        assert!(f.fields[4].error.is_none());
        f.set_error("nonsense", "lost?");
        assert_eq!(f.error.as_deref(), Some("lost?"), "never dropped");
        f.clear_errors();
        assert!(f.error.is_none());
    }

    #[test]
    fn esc_leaves_a_clean_form_and_asks_on_a_dirty_one() {
        let mut f = form();
        assert_eq!(f.key(k(KeyCode::Esc)), Outcome::Cancel);
        let mut f = form();
        typed(&mut f, "Kai");
        assert_eq!(f.key(k(KeyCode::Esc)), Outcome::AskDiscard);
        assert_eq!(f.text("name"), "Kai", "asking keeps what was typed");
    }

    #[test]
    fn a_paste_goes_whole_into_text_and_never_into_a_choice() {
        let mut f = form();
        f.focus = 1;
        f.act(&Action::Paste(
            "Spoke to mum.\nAlso spoke to school.".into(),
        ));
        assert_eq!(f.text("words"), "Spoke to mum.\nAlso spoke to school.");
        f.focus = 0;
        f.act(&Action::Paste("Kai\nMoss".into()));
        assert_eq!(f.text("name"), "Kai M", "one line, at most 5 characters");
        assert!(f.fields[0].error.as_deref().unwrap().contains("at most 5"));
        f.focus = 2;
        f.act(&Action::Paste("high".into()));
        assert_eq!(f.choice("risk"), None);
        assert!(f.fields[2].error.as_deref().unwrap().contains("text field"));
    }

    #[test]
    fn a_draft_keeps_values_by_code() {
        let mut f = form();
        typed(&mut f, "Kai");
        f.focus = 2;
        f.key(k(KeyCode::Char('l')));
        let kept = f.kept();
        assert_eq!(kept.len(), 5, "every field: {kept:?}");
        let mut g = form();
        g.restore(&kept);
        assert_eq!((g.text("name"), g.choice("risk")), ("Kai", Some("low")));
        assert!(g.dirty(), "a restored draft is unsaved work");
    }

    #[test]
    fn saving_ignores_keys() {
        let mut f = form();
        typed(&mut f, "K");
        f.saving = true;
        typed(&mut f, "x");
        assert_eq!(f.key(k(KeyCode::Esc)), Outcome::Continue);
        assert_eq!(f.key(ctrl('s')), Outcome::Continue);
        f.key(k(KeyCode::Tab));
        assert_eq!((f.text("name"), f.focus), ("K", 0));
        f.saving = false;
        let mut release = k(KeyCode::Char('x'));
        release.kind = KeyEventKind::Release;
        f.key(release);
        assert_eq!(f.text("name"), "K", "key releases are not keys");
    }

    #[test]
    fn starting_values_and_empty_forms() {
        let f = Form::new(
            "t",
            vec![
                Field::text("a", "A", 10).with_text("hé"),
                Field::choice("b", "B", opts(&["x", "y"])).with_choice("y"),
                Field::toggle("c", "C").with_toggle(true),
            ],
        );
        assert_eq!(
            (
                f.text("a"),
                f.fields[0].cursor,
                f.choice("b"),
                f.toggle("c")
            ),
            ("hé", 2, Some("y"), true)
        );
        assert!(!f.dirty());
        let mut empty = Form::new("none", vec![]);
        for code in [KeyCode::Tab, KeyCode::Down, KeyCode::Char('a')] {
            assert_eq!(empty.key(k(code)), Outcome::Continue);
        }
        assert_eq!(empty.key(ctrl('s')), Outcome::Submit);
    }

    #[test]
    fn a_field_shown_only_for_one_choice_is_skipped_and_not_required_otherwise() {
        let mut f = Form::new(
            "t",
            vec![
                Field::choice("subject", "About", opts(&["child", "staff"])),
                Field::choice("about", "Uses this desk?", opts(&["none", "jo"]))
                    .required()
                    .shown_when("subject", "staff"),
                Field::text("name", "Name", 10),
            ],
        );
        assert!(!f.shown(1));
        f.key(k(KeyCode::Tab));
        assert_eq!(f.focus, 2, "hidden: Tab passes over it");
        f.key(k(KeyCode::BackTab));
        assert_eq!(f.focus, 0);
        assert_eq!(f.key(ctrl('s')), Outcome::Submit, "hidden: not required");
        f.key(k(KeyCode::Right));
        f.key(k(KeyCode::Right));
        assert_eq!(f.choice("subject"), Some("staff"));
        assert!(f.shown(1));
        f.key(k(KeyCode::Tab));
        assert_eq!(f.focus, 1, "shown: Tab stops on it");
        assert_eq!(f.key(ctrl('s')), Outcome::Continue, "shown: required");
        assert_eq!(f.fields[1].error.as_deref(), Some("required"));
    }

    #[test]
    #[should_panic(expected = "no field")]
    fn an_unknown_key_is_a_programming_error() {
        form().text("nope");
    }
}
