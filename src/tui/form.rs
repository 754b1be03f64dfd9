//! A keyboard form: fields, focus, editing and validation messages. Pure
//! state; `views::form` draws it. Nothing typed is lost: Esc on a form with
//! anything in it asks first, and errors sit next to their field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub enum FieldKind {
    /// One line.
    Text { max: usize },
    /// Several lines: Enter inserts a line break.
    Multiline { max: usize },
    /// One of a list (code, label), or none yet.
    Choice { options: Vec<(String, String)> },
    /// Any number of a list (code, label).
    Multi { options: Vec<(String, String)> },
    /// Yes or no.
    Toggle,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Choice(Option<usize>),
    Multi(Vec<bool>),
    Toggle(bool),
}

pub struct Field {
    pub key: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub value: Value,
    pub error: Option<String>,
    /// Text: cursor in chars. Choice/Multi: the option under the cursor.
    pub cursor: usize,
    initial: Value,
}

impl Field {
    fn new(key: &'static str, label: &str, kind: FieldKind, value: Value) -> Field {
        Field {
            key,
            label: label.to_string(),
            hint: None,
            kind,
            required: false,
            initial: value.clone(),
            value,
            error: None,
            cursor: 0,
        }
    }
    pub fn text(key: &'static str, label: &str, max: usize) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Text { max },
            Value::Text(String::new()),
        )
    }
    pub fn multiline(key: &'static str, label: &str, max: usize) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Multiline { max },
            Value::Text(String::new()),
        )
    }
    pub fn choice(key: &'static str, label: &str, options: Vec<(String, String)>) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Choice { options },
            Value::Choice(None),
        )
    }
    pub fn multi(key: &'static str, label: &str, options: Vec<(String, String)>) -> Field {
        let n = options.len();
        Field::new(
            key,
            label,
            FieldKind::Multi { options },
            Value::Multi(vec![false; n]),
        )
    }
    pub fn toggle(key: &'static str, label: &str) -> Field {
        Field::new(key, label, FieldKind::Toggle, Value::Toggle(false))
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: &str) -> Field {
        self.hint = Some(h.to_string());
        self
    }
    pub fn with_text(mut self, s: &str) -> Field {
        self.value = Value::Text(s.to_string());
        self.cursor = s.chars().count();
        self.initial = self.value.clone();
        self
    }
    pub fn with_choice(mut self, code: &str) -> Field {
        if let FieldKind::Choice { options } = &self.kind {
            let i = options.iter().position(|(c, _)| c == code);
            self.value = Value::Choice(i);
            self.cursor = i.unwrap_or(0);
            self.initial = self.value.clone();
        }
        self
    }
    pub fn with_toggle(mut self, on: bool) -> Field {
        self.value = Value::Toggle(on);
        self.initial = self.value.clone();
        self
    }

    fn options(&self) -> &[(String, String)] {
        match &self.kind {
            FieldKind::Choice { options } | FieldKind::Multi { options } => options,
            _ => &[],
        }
    }

    fn empty(&self) -> bool {
        match &self.value {
            Value::Text(s) => s.trim().is_empty(),
            Value::Choice(c) => c.is_none(),
            Value::Multi(v) => !v.iter().any(|b| *b),
            Value::Toggle(_) => false,
        }
    }
}

pub enum Outcome {
    Continue,
    Submit,
    Cancel,
}

pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub confirm_discard: bool,
    pub saving: bool,
    /// A message about the whole form (e.g. the store's refusal).
    pub error: Option<String>,
    /// Something the user must do now, shown above everything else.
    pub warning: Option<String>,
}

impl Form {
    pub fn new(title: &str, fields: Vec<Field>) -> Form {
        Form {
            title: title.to_string(),
            fields,
            focus: 0,
            confirm_discard: false,
            saving: false,
            error: None,
            warning: None,
        }
    }

    pub fn dirty(&self) -> bool {
        self.fields.iter().any(|f| f.value != f.initial)
    }

    fn field(&self, key: &str) -> &Field {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no field {key:?} in form {:?}", self.title))
    }

    pub fn text(&self, key: &str) -> &str {
        match &self.field(key).value {
            Value::Text(s) => s,
            _ => "",
        }
    }

    pub fn choice(&self, key: &str) -> Option<&str> {
        let f = self.field(key);
        match f.value {
            Value::Choice(Some(i)) => f
                .options()
                .get(i)
                .map(|(c, _)| c.as_str())
                .filter(|c| !c.is_empty()),
            _ => None,
        }
    }

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

    pub fn toggle(&self, key: &str) -> bool {
        matches!(self.field(key).value, Value::Toggle(true))
    }

    /// Puts a message next to a field; the first field in error gets focus.
    pub fn set_error(&mut self, key: &str, msg: impl Into<String>) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            if !self.fields.iter().any(|f| f.error.is_some()) {
                self.focus = i;
            }
            self.fields[i].error = Some(msg.into());
        }
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if self.saving {
            return Outcome::Continue;
        }
        if self.confirm_discard {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => return Outcome::Cancel,
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.confirm_discard = false
                }
                _ => {}
            }
            return Outcome::Continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => {
                self.clear_errors();
                let missing: Vec<&'static str> = self
                    .fields
                    .iter()
                    .filter(|f| f.required && f.empty())
                    .map(|f| f.key)
                    .collect();
                for k in &missing {
                    self.set_error(k, "required");
                }
                return if missing.is_empty() {
                    Outcome::Submit
                } else {
                    Outcome::Continue
                };
            }
            KeyCode::Esc => {
                if self.dirty() {
                    self.confirm_discard = true;
                    return Outcome::Continue;
                }
                return Outcome::Cancel;
            }
            KeyCode::Tab => {
                self.move_focus(true);
                return Outcome::Continue;
            }
            KeyCode::BackTab => {
                self.move_focus(false);
                return Outcome::Continue;
            }
            _ => {}
        }
        let multiline = matches!(self.focused().kind, FieldKind::Multiline { .. });
        match key.code {
            KeyCode::Up if !multiline => self.move_focus(false),
            KeyCode::Down if !multiline => self.move_focus(true),
            _ => self.edit(key, ctrl),
        }
        Outcome::Continue
    }

    fn edit(&mut self, key: KeyEvent, ctrl: bool) {
        let i = self.focus;
        let f = &mut self.fields[i];
        let mut next = false;
        let mut prev = false;
        match (&f.kind, &mut f.value) {
            (FieldKind::Text { max } | FieldKind::Multiline { max }, Value::Text(s)) => {
                let max = *max;
                let ml = matches!(f.kind, FieldKind::Multiline { .. });
                let mut chars: Vec<char> = s.chars().collect();
                let mut cur = f.cursor.min(chars.len());
                match key.code {
                    KeyCode::Char('u') if ctrl => {
                        chars.clear();
                        cur = 0;
                    }
                    KeyCode::Char(c) if !ctrl && !c.is_control() => {
                        if chars.len() < max {
                            chars.insert(cur, c);
                            cur += 1;
                        } else {
                            f.error = Some(format!("at most {max} characters"));
                        }
                    }
                    KeyCode::Enter if ml && chars.len() < max => {
                        chars.insert(cur, '\n');
                        cur += 1;
                    }
                    KeyCode::Enter if ml => {}
                    KeyCode::Enter => next = true,
                    KeyCode::Backspace if cur > 0 => {
                        chars.remove(cur - 1);
                        cur -= 1;
                    }
                    KeyCode::Delete if cur < chars.len() => {
                        chars.remove(cur);
                    }
                    KeyCode::Left => cur = cur.saturating_sub(1),
                    KeyCode::Right => cur = (cur + 1).min(chars.len()),
                    KeyCode::Home => cur = 0,
                    KeyCode::End => cur = chars.len(),
                    KeyCode::Up | KeyCode::Down => {
                        // Multiline: move between lines, leaving the field at either end.
                        let line_start = |p: usize| {
                            chars[..p]
                                .iter()
                                .rposition(|c| *c == '\n')
                                .map_or(0, |x| x + 1)
                        };
                        let col = cur - line_start(cur);
                        if key.code == KeyCode::Up {
                            let start = line_start(cur);
                            if start == 0 {
                                prev = true;
                            } else {
                                let pstart = line_start(start - 1);
                                cur = (pstart + col).min(start - 1);
                            }
                        } else {
                            match chars[cur..].iter().position(|c| *c == '\n') {
                                None => next = true,
                                Some(off) => {
                                    let nstart = cur + off + 1;
                                    let nend = chars[nstart..]
                                        .iter()
                                        .position(|c| *c == '\n')
                                        .map_or(chars.len(), |x| nstart + x);
                                    cur = (nstart + col).min(nend);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                let changed: String = chars.into_iter().collect();
                // Any real edit clears the field's message; hitting the limit
                // changes nothing and keeps it.
                if changed != *s {
                    f.error = None;
                }
                *s = changed;
                f.cursor = cur;
            }
            (FieldKind::Choice { options }, Value::Choice(sel)) => {
                let n = options.len();
                if n > 0 {
                    match key.code {
                        KeyCode::Left => {
                            *sel = Some(sel.map_or(n - 1, |i| (i + n - 1) % n));
                            f.error = None;
                        }
                        KeyCode::Right | KeyCode::Char(' ') => {
                            *sel = Some(sel.map_or(0, |i| (i + 1) % n));
                            f.error = None;
                        }
                        KeyCode::Enter => next = true,
                        KeyCode::Char(c) if !ctrl => {
                            let start = sel.map_or(0, |i| i + 1);
                            let c = c.to_lowercase().next().unwrap_or(c);
                            if let Some(j) = (0..n)
                                .map(|k| (start + k) % n)
                                .find(|&k| options[k].1.to_lowercase().starts_with(c))
                            {
                                *sel = Some(j);
                                f.error = None;
                            }
                        }
                        _ => {}
                    }
                    f.cursor = sel.unwrap_or(0);
                }
            }
            (FieldKind::Multi { options }, Value::Multi(on)) => {
                let n = options.len();
                if n > 0 {
                    match key.code {
                        KeyCode::Left => f.cursor = (f.cursor + n - 1) % n,
                        KeyCode::Right => f.cursor = (f.cursor + 1) % n,
                        KeyCode::Char(' ') => {
                            on[f.cursor] = !on[f.cursor];
                            f.error = None;
                        }
                        KeyCode::Enter => next = true,
                        KeyCode::Char(c) if !ctrl => {
                            let c = c.to_lowercase().next().unwrap_or(c);
                            if let Some(j) = (1..=n)
                                .map(|k| (f.cursor + k) % n)
                                .find(|&k| options[k].1.to_lowercase().starts_with(c))
                            {
                                f.cursor = j;
                            }
                        }
                        _ => {}
                    }
                }
            }
            (FieldKind::Toggle, Value::Toggle(on)) => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => *on = !*on,
                KeyCode::Char('y') | KeyCode::Char('Y') => *on = true,
                KeyCode::Char('n') | KeyCode::Char('N') => *on = false,
                KeyCode::Enter => next = true,
                _ => {}
            },
            _ => {}
        }
        if next {
            self.move_focus(true);
        } else if prev {
            self.move_focus(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        v.iter().map(|s| (s.to_string(), s.to_string())).collect()
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
    fn text_editing_and_limits() {
        let mut f = form();
        typed(&mut f, "abc");
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Backspace));
        assert_eq!(f.text("name"), "ac");
        f.key(k(KeyCode::Home));
        f.key(k(KeyCode::Delete));
        assert_eq!(f.text("name"), "c");
        typed(&mut f, "\u{1b}\u{7}");
        assert_eq!(f.text("name"), "c", "control characters are never inserted");
        f.key(k(KeyCode::End));
        typed(&mut f, "defgh");
        assert_eq!(f.text("name"), "cdefg");
        assert!(f.fields[0].error.as_deref().unwrap().contains("at most 5"));
        f.key(ctrl('u'));
        assert_eq!(f.text("name"), "");
        f.key(k(KeyCode::Enter));
        assert_eq!(f.focus, 1, "Enter in a line moves on");
        typed(&mut f, "one");
        f.key(k(KeyCode::Enter));
        typed(&mut f, "two");
        assert_eq!(f.text("words"), "one\ntwo");
        f.key(k(KeyCode::Up));
        assert_eq!(f.focus, 1, "Up moves between lines first");
        f.key(k(KeyCode::Up));
        assert_eq!(f.focus, 0);
    }

    #[test]
    fn choices_multi_and_toggle() {
        let mut f = form();
        f.focus = 2;
        f.key(k(KeyCode::Right));
        assert_eq!(f.choice("risk"), Some("high"));
        f.key(k(KeyCode::Char('l')));
        assert_eq!(f.choice("risk"), Some("low"));
        f.key(k(KeyCode::Tab));
        f.key(k(KeyCode::Char('s')));
        f.key(k(KeyCode::Char(' ')));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Left));
        f.key(k(KeyCode::Char(' ')));
        assert_eq!(f.checked("cats"), vec!["neglect", "sexual"]);
        f.key(k(KeyCode::Tab));
        f.key(k(KeyCode::Char('y')));
        assert!(f.toggle("crit"));
        f.key(k(KeyCode::Tab));
        assert_eq!(f.focus, 0, "Tab wraps");
        f.key(k(KeyCode::BackTab));
        assert_eq!(f.focus, 4);
    }

    #[test]
    fn save_needs_required_fields_and_discard_asks() {
        let mut f = form();
        assert!(
            matches!(f.key(k(KeyCode::Esc)), Outcome::Cancel),
            "nothing typed: Esc leaves"
        );
        let mut f = form();
        f.focus = 3;
        assert!(matches!(f.key(ctrl('s')), Outcome::Continue));
        assert_eq!(f.focus, 0, "focus goes to the first missing field");
        assert_eq!(f.fields[0].error.as_deref(), Some("required"));
        assert_eq!(f.fields[2].error.as_deref(), Some("required"));
        typed(&mut f, "Kai");
        assert!(f.fields[0].error.is_none(), "editing clears the error");
        f.focus = 2;
        f.key(k(KeyCode::Right));
        assert!(matches!(f.key(ctrl('s')), Outcome::Submit));
        assert!(matches!(f.key(k(KeyCode::Esc)), Outcome::Continue));
        assert!(f.confirm_discard);
        f.key(k(KeyCode::Char('n')));
        assert!(!f.confirm_discard);
        assert_eq!(f.text("name"), "Kai", "n keeps what was typed");
        f.key(k(KeyCode::Esc));
        assert!(matches!(f.key(k(KeyCode::Char('y'))), Outcome::Cancel));
        let mut f = form();
        f.saving = true;
        typed(&mut f, "x");
        assert_eq!(f.text("name"), "", "keys wait while saving");
    }
}
