//! The one table of key bindings, read from `keymap-default.toml` (embedded)
//! with the user's rebindings applied. The footer's hints and the `?` help
//! are drawn from it, and [`super::route`] looks keys up in it, so what the
//! screen says is always what the keys do. Key codes appear only here and in
//! the text input: everywhere else a key is already an [`Action`].

use super::action::{Action, EditOp};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::BTreeMap;

/// The embedded defaults, in the settings file's key syntax.
pub const DEFAULT_TOML: &str = include_str!("keymap-default.toml");

/// A key as bindings name it: the code with Ctrl and Alt. Shift is part of
/// the character ("G"), or Shift-Tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Key {
    /// A terminal key event as a binding would name it. AltGr arrives as
    /// Ctrl+Alt on some terminals: that is a character, not a shortcut.
    pub fn of(ev: KeyEvent) -> Key {
        let mut ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let mut alt = ev.modifiers.contains(KeyModifiers::ALT);
        let mut code = ev.code;
        if let KeyCode::Char(c) = code {
            if ctrl && alt {
                (ctrl, alt) = (false, false);
            }
            if ctrl {
                code = KeyCode::Char(c.to_ascii_lowercase());
            }
        }
        if code == KeyCode::Tab && ev.modifiers.contains(KeyModifiers::SHIFT) {
            code = KeyCode::BackTab;
        }
        // Alt+Esc (two escapes at once) acts as Esc.
        if code == KeyCode::Esc {
            alt = false;
        }
        Key { code, ctrl, alt }
    }

    /// Parses a key as written in the keymap or the settings file: "j",
    /// "G", "Enter", "Esc", "Tab", "Shift-Tab", "Up", "Down", "Left",
    /// "Right", "PgUp", "PgDn", "Home", "End", "Space", "Backspace",
    /// "Delete", "F1".."F12", "Ctrl-x", "Alt-b", "Ctrl-Left".
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        let (ctrl, alt, rest) = if let Some(r) = s.strip_prefix("Ctrl-") {
            (true, false, r)
        } else if let Some(r) = s.strip_prefix("Alt-") {
            (false, true, r)
        } else {
            (false, false, s)
        };
        use KeyCode::*;
        let code = match rest {
            "Enter" => Enter,
            "Esc" => Esc,
            "Tab" => Tab,
            "Shift-Tab" => BackTab,
            "Up" | "↑" => Up,
            "Down" | "↓" => Down,
            "Left" | "←" => Left,
            "Right" | "→" => Right,
            "PgUp" => PageUp,
            "PgDn" => PageDown,
            "Home" => Home,
            "End" => End,
            "Space" => Char(' '),
            "Backspace" => Backspace,
            "Delete" => Delete,
            f if f.len() >= 2 && f.starts_with('F') && f[1..].parse::<u8>().is_ok() => {
                F(f[1..].parse().ok()?)
            }
            _ => {
                let mut c = rest.chars();
                match (c.next(), c.next()) {
                    (Some(ch), None) if !ch.is_control() => {
                        Char(if ctrl { ch.to_ascii_lowercase() } else { ch })
                    }
                    _ => return None,
                }
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// How the key is written on screen.
    pub fn label(&self) -> String {
        use KeyCode::*;
        let base = match self.code {
            Char(' ') => "Space".to_string(),
            Char(c) => c.to_string(),
            Enter => "Enter".into(),
            Esc => "Esc".into(),
            Up => "↑".into(),
            Down => "↓".into(),
            Left => "←".into(),
            Right => "→".into(),
            PageUp => "PgUp".into(),
            PageDown => "PgDn".into(),
            Home => "Home".into(),
            End => "End".into(),
            Tab => "Tab".into(),
            BackTab => "Shift-Tab".into(),
            Backspace => "Backspace".into(),
            Delete => "Delete".into(),
            F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{}", base.to_uppercase()),
            (_, true) => format!("Alt-{base}"),
            _ => base,
        }
    }

    /// The key event a terminal would send for this key (for tests that
    /// press what the footer shows).
    pub fn event(&self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        if self.code == KeyCode::BackTab {
            m |= KeyModifiers::SHIFT;
        }
        KeyEvent::new(self.code, m)
    }

    fn is_ctrl_c(&self) -> bool {
        self.ctrl && self.code == KeyCode::Char('c')
    }
}

/// One binding: keys (the first is the one the footer shows), what they
/// do, the help line and the footer's word.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub description: String,
    pub hint: Option<String>,
    /// The section that defines it: a shared set's bindings (`verbs`) keep
    /// its name where they are included, so `[keys.verbs]` rebinds them on
    /// every screen that includes them.
    pub origin: String,
}

impl Binding {
    /// The keys as help shows them: "j, ↓".
    pub fn keys_label(&self) -> String {
        self.keys
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What each binding name in the TOML runs. Every [`Action`] a key can
/// produce is here, and nowhere else.
pub fn command(name: &str) -> Option<Action> {
    use Action as A;
    use EditOp as E;
    Some(match name {
        "down" => A::Down,
        "up" => A::Up,
        "page_down" => A::PageDown,
        "page_up" => A::PageUp,
        "top" => A::Top,
        "bottom" => A::Bottom,
        "open" => A::Open,
        "back" => A::Back,
        "help" => A::Help,
        "quit" => A::Quit,
        "focus_next" => A::FocusNext,
        "meet" => A::Meet,
        "waive" => A::Waive,
        "dismiss" => A::Dismiss,
        "acknowledge" => A::Acknowledge,
        "assign" => A::Assign,
        "note" => A::Note,
        "event" => A::Event,
        "next_choice" => A::NextChoice,
        "reopen" => A::Reopen,
        "approve" => A::Approve,
        "send_back" => A::SendBack,
        "intake" => A::Intake,
        "refer" => A::Refer,
        "close" => A::Close,
        "outcome" => A::Outcome,
        "called_999" => A::Called999,
        "fgm_reported" => A::FgmReported,
        "pause" => A::Pause,
        "lock" => A::Lock,
        "reviews" => A::Reviews,
        "add_to_review" => A::AddToReview,
        "handover" => A::Handover,
        "take_over" => A::TakeOver,
        "handover_note" => A::HandoverNote,
        "next_series" => A::NextSeries,
        "previous_series" => A::PreviousSeries,
        "reports" => A::Reports,
        "period_back" => A::PeriodBack,
        "period_forward" => A::PeriodForward,
        "next_table" => A::NextTable,
        "contacts" => A::Contacts,
        "look_up" => A::LookUp,
        "search" => A::Search,
        "copy" => A::Copy,
        "cycle_route" => A::CycleRoute,
        "cycle_area" => A::CycleArea,
        "edit_contact" => A::EditContact,
        "add_contact" => A::AddContact,
        "link_match" => A::LinkMatch,
        "dismiss_match" => A::DismissMatch,
        "yes" => A::Confirm(true),
        "no" => A::Confirm(false),
        "submit" => A::Submit,
        "cancel" => A::Cancel,
        "access" => A::Access,
        "reload" => A::Reload,
        "alerts" => A::ShowAlerts,
        "alerts_only" => A::AlertsOnly,
        "toggle_suppression" => A::ToggleSuppression,
        "hold_meeting" => A::HoldMeeting,
        "held_items" => A::HeldItems,
        "restore_draft" => A::RestoreDraft,
        "discard_draft" => A::DiscardDraft,
        "next_field" => A::NextField,
        "prev_field" => A::PrevField,
        "choice_next" => A::ChoiceNext,
        "choice_prev" => A::ChoicePrev,
        "choice_clear" => A::ChoiceClear,
        "tick" => A::TickOption,
        "toggle" => A::Toggle,
        "newline" => A::Edit(E::Newline),
        "left" => A::Edit(E::Left),
        "right" => A::Edit(E::Right),
        "line_up" => A::Edit(E::LineUp),
        "line_down" => A::Edit(E::LineDown),
        "home" => A::Edit(E::Home),
        "end" => A::Edit(E::End),
        "word_left" => A::Edit(E::WordLeft),
        "word_right" => A::Edit(E::WordRight),
        "backspace" => A::Edit(E::Backspace),
        "delete" => A::Edit(E::Delete),
        "delete_word_back" => A::Edit(E::DeleteWordBack),
        "delete_word_forward" => A::Edit(E::DeleteWordForward),
        "kill_to_head" => A::Edit(E::KillToHead),
        "kill_to_end" => A::Edit(E::KillToEnd),
        "undo" => A::Edit(E::Undo),
        "yank" => A::Edit(E::Yank),
        other => return crate::tui::workbench::command(other).map(A::Work),
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    on: Vec<String>,
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    include: Option<String>,
}

/// Reads the keymap TOML: each top-level key a section, each an array of
/// bindings or includes. Errors name the section and the binding.
pub fn parse_toml(text: &str) -> Result<BTreeMap<String, Vec<Binding>>, String> {
    let raw: BTreeMap<String, Vec<Entry>> = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for name in raw.keys() {
        let mut seen = Vec::new();
        out.insert(name.clone(), expand(&raw, name, &mut seen)?);
    }
    Ok(out)
}

fn expand(
    raw: &BTreeMap<String, Vec<Entry>>,
    name: &str,
    seen: &mut Vec<String>,
) -> Result<Vec<Binding>, String> {
    if seen.iter().any(|s| s == name) {
        return Err(format!("[{name}] includes itself"));
    }
    seen.push(name.to_string());
    let entries = raw
        .get(name)
        .ok_or_else(|| format!("no section [{name}] to include"))?;
    let mut out = Vec::new();
    for e in entries {
        if let Some(inc) = &e.include {
            out.extend(expand(raw, inc, seen)?);
            continue;
        }
        let run = e.run.as_deref().unwrap_or("");
        let action = command(run).ok_or_else(|| format!("[{name}] {run:?}: no such command"))?;
        let keys =
            e.on.iter()
                .map(|k| Key::parse(k).ok_or_else(|| format!("[{name}] {k:?}: not a key")))
                .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(format!("[{name}] {run:?}: no key"));
        }
        out.push(Binding {
            keys,
            action,
            description: e.desc.clone().unwrap_or_default(),
            hint: e.hint.clone(),
            origin: name.to_string(),
        });
    }
    seen.pop();
    Ok(out)
}

/// Every set of sections in force together on one screen or popup, in the
/// order [`super::route`] tries them (a layer's `sections()`, then `input`
/// for text): a rebinding must not take a key another of them binds.
/// `App::sync` checks in debug builds that every layer's sections are one of
/// these, so a new layer cannot be left out.
pub const SCREENS: &[&[&str]] = &[
    &["dashboard"],
    &["deadlines"],
    &["record"],
    &["help"],
    &["alerts"],
    &["contacts"],
    &["contact_search", "input"],
    &["reports"],
    &["reviews"],
    &["handover"],
    &["search_input", "input"],
    &["search"],
    &["person"],
    &["signoffs"],
    &["tasks"],
    &["attachments"],
    &["attachment_view"],
    &["people"],
    &["prompt", "input_lines", "prompt_event", "reload", "input"],
    &["prompt_line", "prompt", "reload", "input"],
    &["picker", "input"],
    &["confirm", "take"],
    &["matches"],
    &["form", "field_line", "reload", "input"],
    &["form", "input_lines", "reload", "input"],
    &["form", "choice", "reload"],
    &["form", "multi", "reload"],
    &["form", "toggle", "reload"],
    &["drafts"],
    &["lock"],
    &["too_small"],
    &["revoked"],
];

/// Whether `sections` (a layer's, in order) are in force together on one
/// of the [`SCREENS`].
pub fn on_one_screen(sections: &[&str]) -> bool {
    SCREENS
        .iter()
        .any(|g| sections.iter().all(|s| g.contains(s)))
}

/// A screen as a message names it: its first section.
fn screen_name(screen: &[&str]) -> String {
    match screen.first() {
        Some(&"dashboard") => "the dashboard".into(),
        Some(s) => format!("the {} screen", s.replace('_', " ")),
        None => "a screen".into(),
    }
}

/// One rebinding's change: `from` becomes `to` in each target binding.
struct Edit {
    rebinding: usize,
    section: String,
    targets: Vec<(String, usize)>,
    from: Key,
    to: Key,
}

/// The bound keys, section by section.
#[derive(Debug, Clone)]
pub struct Keymap {
    sections: BTreeMap<String, Vec<Binding>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            sections: parse_toml(DEFAULT_TOML).expect("the embedded keymap parses"),
        }
    }
}

impl Keymap {
    /// The names of every section (each layer's, and the shared ones).
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }

    /// The defaults with the user's rebindings applied (`[keys.SECTION]
    /// "old" = "new"`). Any section of `keymap-default.toml` may be named: a
    /// screen's own (`[keys.dashboard]`, which also moves the shared verbs
    /// on that screen alone) or a shared set (`[keys.verbs]`, `[keys.input]`,
    /// which moves the key wherever the set is used).
    ///
    /// Each problem is returned as a message naming its file and line, and
    /// that rebinding is not applied: an unknown section (the message lists
    /// them all) or key, a key the section does not bind, Ctrl-C, a new key
    /// already bound where the section applies (on any screen in [`SCREENS`]
    /// that uses it, naming the binding it would take over and its section),
    /// and a plain character where text is typed. The settings gate turns
    /// any problem into exit 2, so a rebinding is never accepted and then
    /// ignored.
    pub fn with_overrides(rebindings: &[crate::config::Rebinding]) -> (Keymap, Vec<String>) {
        let base = Keymap::default();
        let mut problems = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        for (ri, r) in rebindings.iter().enumerate() {
            let (at, from, to) = (&r.at, &r.from, &r.to);
            // The screen once called "detail" is the record.
            let section = match r.mode.as_str() {
                "detail" => "record",
                s => s,
            };
            if !base.sections.contains_key(section) {
                if !unknown.contains(&section) {
                    unknown.push(section);
                    problems.push(format!(
                        "{at}: [keys.{section}]: no such section of keys; rebind keys in one of [keys.{}]",
                        base.rebindable().join("], [keys.")
                    ));
                }
                continue;
            }
            if from.is_empty() {
                continue;
            }
            let (Some(fk), Some(tk)) = (Key::parse(from), Key::parse(to)) else {
                problems.push(format!(
                    "{at}: [keys.{section}] {from:?} = {to:?}: not a key (e.g. \"j\", \"Enter\", \"Ctrl-x\", \"F2\")"
                ));
                continue;
            };
            if tk.is_ctrl_c() {
                problems.push(format!(
                    "{at}: [keys.{section}] {to:?}: Ctrl-C always quits; choose another key"
                ));
                continue;
            }
            let targets = base.targets(section, fk);
            if targets.is_empty() {
                problems.push(format!(
                    "{at}: [keys.{section}] {from:?}: not bound in [{section}] (`?` on a screen lists its keys)"
                ));
                continue;
            }
            if fk == tk {
                continue;
            }
            if !tk.ctrl
                && !tk.alt
                && matches!(tk.code, KeyCode::Char(_))
                && let Some(screen) = base.screens_of(&targets).find(|g| g.contains(&"input"))
            {
                problems.push(format!(
                    "{at}: [keys.{section}] {from:?} = {to:?}: {to:?} is typed as text where [{section}] applies ({}); choose a key with Ctrl or Alt, or a function key",
                    screen_name(screen)
                ));
                continue;
            }
            edits.push(Edit {
                rebinding: ri,
                section: section.to_string(),
                targets,
                from: fk,
                to: tk,
            });
        }
        // Apply them all (so two keys may change places), then look for a
        // key bound twice on one screen; a rebinding in such a clash is
        // dropped and reported, and the rest applied again without it.
        let mut dropped: Vec<usize> = Vec::new();
        loop {
            let km = base.applied(edits.iter().filter(|e| !dropped.contains(&e.rebinding)));
            let mut clashes = Vec::new();
            for e in edits.iter().filter(|e| !dropped.contains(&e.rebinding)) {
                if let Some(why) = km.clash(e, &edits, rebindings) {
                    clashes.push((e.rebinding, why));
                }
            }
            if clashes.is_empty() {
                return (km, problems);
            }
            for (ri, why) in clashes {
                if !dropped.contains(&ri) {
                    dropped.push(ri);
                    let r = &rebindings[ri];
                    problems.push(format!(
                        "{}: [keys.{}] {:?} = {:?}: {why}",
                        r.at, r.mode, r.from, r.to
                    ));
                }
            }
        }
    }

    /// The sections a user may rebind: every section that binds a key.
    fn rebindable(&self) -> Vec<&str> {
        self.sections
            .iter()
            .filter(|(_, b)| !b.is_empty())
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Where `[keys.SECTION] "key"` acts: (section, binding index) of every
    /// binding holding the key that is SECTION's own or was included from it.
    fn targets(&self, section: &str, key: Key) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for (name, list) in &self.sections {
            for (i, b) in list.iter().enumerate() {
                if (name == section || b.origin == section) && b.keys.contains(&key) {
                    out.push((name.clone(), i));
                }
            }
        }
        out
    }

    /// The screens (sets of sections in force together) where any of
    /// `targets` applies.
    fn screens_of<'a>(
        &'a self,
        targets: &'a [(String, usize)],
    ) -> impl Iterator<Item = &'static [&'static str]> + 'a {
        SCREENS
            .iter()
            .copied()
            .filter(move |g| targets.iter().any(|(s, _)| g.contains(&s.as_str())))
    }

    /// A copy with the edits made.
    fn applied<'e>(&self, edits: impl Iterator<Item = &'e Edit>) -> Keymap {
        let mut km = self.clone();
        for e in edits {
            for (s, i) in &e.targets {
                let b = &mut km.sections.get_mut(s).expect("a target's section")[*i];
                for k in b.keys.iter_mut().filter(|k| **k == e.from) {
                    *k = e.to;
                }
            }
        }
        km
    }

    /// Why an applied edit clashes: its new key is bound to something else
    /// on a screen where it applies (named with that binding's section, and
    /// the other rebinding's line when a rebinding put it there).
    fn clash(
        &self,
        e: &Edit,
        edits: &[Edit],
        rebindings: &[crate::config::Rebinding],
    ) -> Option<String> {
        for screen in self.screens_of(&e.targets) {
            for s in screen.iter() {
                for (i, b) in self.bindings(s).enumerate() {
                    let mine = e.targets.iter().any(|(ts, ti)| ts == s && *ti == i);
                    if mine || !b.keys.contains(&e.to) {
                        continue;
                    }
                    let by = edits
                        .iter()
                        .find(|o| {
                            o.rebinding != e.rebinding
                                && o.to == e.to
                                && o.targets.iter().any(|(ts, ti)| ts == s && *ti == i)
                        })
                        .map(|o| {
                            let r = &rebindings[o.rebinding];
                            format!(", as {} rebinds it", r.at)
                        })
                        .unwrap_or_default();
                    let origin = if b.origin == *s {
                        format!("[{s}]")
                    } else {
                        format!("[{}] in [{s}]", b.origin)
                    };
                    return Some(format!(
                        "{} is already \"{}\" ({origin}{by}) on {}, where [{}] applies too; choose another key, or move that one as well",
                        e.to.label(),
                        b.description,
                        screen_name(screen),
                        e.section
                    ));
                }
            }
        }
        None
    }

    /// The action bound to a key in a section. Ctrl-C is never looked up
    /// here: it always quits (see [`super::route`]).
    pub fn lookup(&self, section: &str, key: KeyEvent) -> Option<Action> {
        let k = Key::of(key);
        self.bindings(section)
            .find(|b| b.keys.contains(&k))
            .map(|b| b.action.clone())
    }

    /// Every binding of a section, in the table's order.
    pub fn bindings<'a>(&'a self, section: &str) -> impl Iterator<Item = &'a Binding> + 'a {
        self.sections.get(section).into_iter().flatten()
    }

    /// The bindings in force on a layer whose sections are `sections`, in
    /// order, each with only the keys that reach it: a key an earlier
    /// section binds goes there ([`super::route`] tries the sections in
    /// order), so it is left out here, and a binding none of whose keys
    /// reach it is left out whole. The footer and help read this, so they
    /// never offer a key that does something else (Enter in a one-line
    /// reason saves; it does not add a line).
    pub fn in_force<'a>(&'a self, sections: &[&str]) -> Vec<(&'a Binding, Vec<Key>)> {
        let mut taken: Vec<Key> = Vec::new();
        let mut out = Vec::new();
        for s in sections {
            let mut here = Vec::new();
            for b in self.bindings(s) {
                let keys: Vec<Key> = b
                    .keys
                    .iter()
                    .filter(|k| !taken.contains(k))
                    .copied()
                    .collect();
                here.extend(b.keys.iter().copied());
                if !keys.is_empty() {
                    out.push((b, keys));
                }
            }
            taken.extend(here);
        }
        out
    }

    /// Footer hints for sections, in order: ("j/k", "move"), ("Enter", "open")...
    /// Bindings with the same hint are merged into one entry; keys an
    /// earlier section takes are left out (see [`Keymap::in_force`]).
    pub fn hints(&self, sections: &[&str]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (b, keys) in self.in_force(sections) {
            {
                let Some(hint) = &b.hint else { continue };
                let key = keys[0].label();
                match out.iter_mut().find(|(_, h)| h == hint) {
                    Some((keys, _)) if !keys.split('/').any(|k| k == key) => {
                        keys.push('/');
                        keys.push_str(&key);
                    }
                    Some(_) => {}
                    None => out.push((key, hint.clone())),
                }
            }
        }
        out
    }

    /// The first key bound to `action` in `section`, as the footer shows it
    /// ("9"), so a screen can say which key does something even after the
    /// user rebinds it.
    pub fn key_for(&self, section: &str, action: &Action) -> Option<String> {
        self.bindings(section)
            .find(|b| &b.action == action && !b.keys.is_empty())
            .map(|b| b.keys[0].label())
    }

    /// (keys, description) of sections for `?` help, keys of one
    /// description merged.
    pub fn entries(&self, sections: &[&str]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (b, keys) in self.in_force(sections) {
            {
                let k = keys.iter().map(Key::label).collect::<Vec<_>>().join(", ");
                match out.iter_mut().find(|(_, d)| *d == b.description) {
                    Some((keys, _)) => {
                        for one in k.split(", ") {
                            if !keys.split(", ").any(|x| x == one) {
                                keys.push_str(", ");
                                keys.push_str(one);
                            }
                        }
                    }
                    None => out.push((k, b.description.clone())),
                }
            }
        }
        out
    }
}

/// A key that is text to a focused field: a character with neither Ctrl nor
/// Alt (AltGr's Ctrl+Alt counts as none).
pub fn typed_char(key: KeyEvent) -> Option<char> {
    let k = Key::of(key);
    match k.code {
        KeyCode::Char(c) if !k.ctrl && !k.alt && !c.is_control() => Some(c),
        _ => None,
    }
}

/// Ctrl-C, which quits from anywhere.
pub fn is_ctrl_c(key: KeyEvent) -> bool {
    Key::of(key).is_ctrl_c()
}

/// Whether a key event is a release (ignored: only presses and repeats act).
pub fn is_release(key: KeyEvent) -> bool {
    key.kind == KeyEventKind::Release
}

/// Whether an event read from the terminal is a plain Esc, after which the
/// rest of an escape sequence may follow at once.
pub fn is_esc(ev: &Event) -> bool {
    matches!(ev, Event::Key(k) if k.code == KeyCode::Esc)
}

/// How far the events after an Esc go towards an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequence {
    /// Not a sequence: a lone Esc followed by something else (Esc, then `j`).
    NotOne,
    /// A sequence so far, not finished: an Esc alone, `ESC [`, `ESC [ 1 ;`,
    /// `ESC O`. More may still be on its way over a slow link.
    Prefix,
    /// A whole sequence of this many events (the Esc included).
    Complete(usize),
}

/// Whether `events`, which start with an Esc, begin an escape sequence the
/// terminal library did not take apart: CSI (`ESC [`, parameters 0x30-0x3F,
/// intermediates 0x20-0x2F, a final 0x40-0x7E) or SS3 (`ESC O` and one
/// character). The input thread keeps reading while this says `Prefix`, so a
/// sequence split over an SSH link is seen whole.
pub fn sequence(events: &[Event]) -> Sequence {
    let ch = |e: &Event| match e {
        Event::Key(k) if !k.modifiers.contains(KeyModifiers::CONTROL) => match k.code {
            KeyCode::Char(c) => Some(c),
            _ => None,
        },
        _ => None,
    };
    if !events.first().is_some_and(is_esc) {
        return Sequence::NotOne;
    }
    match events.get(1).map(ch) {
        None => Sequence::Prefix,
        Some(Some('[')) => {
            let mut j = 2;
            while events
                .get(j)
                .and_then(ch)
                .is_some_and(|c| ('\x30'..='\x3f').contains(&c))
            {
                j += 1;
            }
            while events
                .get(j)
                .and_then(ch)
                .is_some_and(|c| ('\x20'..='\x2f').contains(&c))
            {
                j += 1;
            }
            match events.get(j) {
                None => Sequence::Prefix,
                Some(e) if ch(e).is_some_and(|c| ('\x40'..='\x7e').contains(&c)) => {
                    Sequence::Complete(j + 1)
                }
                // Broken off by something else: drop what came so far.
                Some(_) => Sequence::Complete(j),
            }
        }
        Some(Some('O')) => match events.get(2) {
            None => Sequence::Prefix,
            Some(e) if ch(e).is_some() => Sequence::Complete(3),
            Some(_) => Sequence::Complete(2),
        },
        Some(_) => Sequence::NotOne,
    }
}

/// The tail of an escape sequence arriving after its Esc already counted
/// (the link held it back past the escape time): `[` or `O` and the rest of
/// a whole sequence, read together. A person cannot type `[` and `A` within
/// a few milliseconds, so this is the terminal's, and is dropped. Returns
/// how many of `events` it takes (0: not a tail).
pub fn late_tail(events: &[Event]) -> usize {
    let mut with_esc = vec![Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))];
    with_esc.extend(events.iter().cloned());
    match sequence(&with_esc) {
        // `ESC [` then something else is not a whole sequence: keep it.
        Sequence::Complete(n) if n >= 3 && sequence(&with_esc[..n]) == Sequence::Complete(n) => {
            n - 1
        }
        _ => 0,
    }
}

/// Takes apart what the terminal sent in one burst. An escape sequence the
/// terminal library did not recognise arrives as Esc followed by its bytes
/// as characters: Option+Up from a macOS terminal (`ESC ESC [ A`) is Esc,
/// `[`, `A`. Such a sequence becomes nothing at all, so its characters never
/// run commands ("A" would acknowledge a case) and its Esc never throws a
/// typed note away. A lone Esc stays Esc.
pub fn decode_burst(events: Vec<Event>) -> Vec<Event> {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    let ch = |e: &Event| match e {
        Event::Key(k) if !k.modifiers.contains(KeyModifiers::CONTROL) => match k.code {
            KeyCode::Char(c) => Some(c),
            _ => None,
        },
        _ => None,
    };
    while i < events.len() {
        if is_esc(&events[i]) {
            match events.get(i + 1).and_then(ch) {
                Some('[') => {
                    // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, a final 0x40-0x7E.
                    let mut j = i + 2;
                    while events
                        .get(j)
                        .and_then(ch)
                        .is_some_and(|c| ('\x30'..='\x3f').contains(&c))
                    {
                        j += 1;
                    }
                    while events
                        .get(j)
                        .and_then(ch)
                        .is_some_and(|c| ('\x20'..='\x2f').contains(&c))
                    {
                        j += 1;
                    }
                    if events
                        .get(j)
                        .and_then(ch)
                        .is_some_and(|c| ('\x40'..='\x7e').contains(&c))
                    {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                Some('O') if events.get(i + 2).and_then(ch).is_some() => {
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn the_embedded_keymap_parses_and_every_binding_is_described() {
        let km = Keymap::default();
        for s in km.section_names() {
            for b in km.bindings(s) {
                assert!(!b.description.is_empty(), "[{s}] {:?}", b.action);
            }
        }
    }

    #[test]
    fn vim_keys_and_arrows_agree() {
        let km = Keymap::default();
        assert_eq!(
            km.lookup("dashboard", key(KeyCode::Char('j'))),
            km.lookup("dashboard", key(KeyCode::Down))
        );
        assert_eq!(
            km.lookup("dashboard", key(KeyCode::Char('k'))),
            Some(Action::Up)
        );
        assert_eq!(km.lookup("record", key(KeyCode::Esc)), Some(Action::Back));
        assert_eq!(km.lookup("dashboard", key(KeyCode::Char('z'))), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_section() {
        let km = Keymap::default();
        for s in km.section_names() {
            let all: Vec<&Key> = km.bindings(s).flat_map(|b| &b.keys).collect();
            for (i, a) in all.iter().enumerate() {
                assert!(!all[i + 1..].contains(a), "[{s}] {a:?} bound twice");
            }
        }
    }

    #[test]
    fn overrides_rebind_and_report_conflicts() {
        let r = |mode: &str, from: &str, to: &str, line: u32| crate::config::Rebinding {
            mode: mode.into(),
            from: from.into(),
            to: to.into(),
            at: format!("config.toml line {line}"),
        };
        let o = vec![
            r("dashboard", "A", "t", 2),
            r("dashboard", "q", "j", 3), // j is taken
            r("dashboard", "Z", "z", 4), // Z is not bound
            r("nowhere", "", "", 6),
            r("dashboard", "x", "Ctrl-c", 7),
        ];
        let (km, problems) = Keymap::with_overrides(&o);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("config.toml line 3:")),
            "each problem names its line: {problems:?}"
        );
        let d = "dashboard";
        assert_eq!(
            km.lookup(d, key(KeyCode::Char('t'))),
            Some(Action::Acknowledge)
        );
        assert_eq!(km.lookup(d, key(KeyCode::Char('A'))), None);
        assert_eq!(
            km.lookup("record", key(KeyCode::Char('A'))),
            Some(Action::Acknowledge),
            "a shared verb is rebound on one screen only"
        );
        assert_eq!(
            km.lookup(d, key(KeyCode::Char('q'))),
            Some(Action::Quit),
            "a conflict changes nothing"
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("j is already \"Move down the list\""))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not bound in [dashboard]"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("no such section of keys")
                    && p.contains("[keys.verbs]")
                    && p.contains("[keys.input]"))
        );
        assert!(problems.iter().any(|p| p.contains("Ctrl-C always quits")));
        assert!(
            km.hints(&[d]).iter().any(|(k, h)| k == "t" && h == "ack"),
            "the footer follows"
        );
        assert_eq!(
            Key::parse("Ctrl-x"),
            Some(Key {
                code: KeyCode::Char('x'),
                ctrl: true,
                alt: false
            })
        );
        assert_eq!(Key::parse("PgDn").map(|k| k.code), Some(KeyCode::PageDown));
        assert_eq!(Key::parse("nonsense"), None);
    }

    fn rebind(mode: &str, from: &str, to: &str) -> crate::config::Rebinding {
        crate::config::Rebinding {
            mode: mode.into(),
            from: from.into(),
            to: to.into(),
            at: "config.toml line 2".into(),
        }
    }

    /// A shared set is rebound wherever it is included: the footer, help and
    /// the key itself follow on the dashboard and the record alike.
    #[test]
    fn a_shared_set_rebinds_on_every_screen_that_uses_it() {
        let (km, problems) = Keymap::with_overrides(&[rebind("verbs", "A", "Z")]);
        assert!(problems.is_empty(), "{problems:?}");
        for screen in ["dashboard", "record", "verbs"] {
            assert_eq!(
                km.lookup(screen, key(KeyCode::Char('Z'))),
                Some(Action::Acknowledge),
                "{screen}"
            );
            assert_eq!(km.lookup(screen, key(KeyCode::Char('A'))), None, "{screen}");
            assert!(
                km.hints(&[screen])
                    .iter()
                    .any(|(k, h)| k == "Z" && h == "ack")
            );
        }
        // t is the record's tasks: the verbs cannot take it.
        let (_, problems) = Keymap::with_overrides(&[rebind("verbs", "A", "t")]);
        assert!(
            problems.len() == 1
                && problems[0].contains("\"Tasks on this case: add, done, cancel\" ([record])"),
            "{problems:?}"
        );
        // The alerts screen's own A is not the verbs' and stays.
        assert_eq!(
            km.lookup("alerts", key(KeyCode::Char('A'))),
            Some(Action::Acknowledge)
        );
        // Editing keys: rebound in every prompt, form field and search.
        let (km, problems) = Keymap::with_overrides(&[rebind("input", "Ctrl-w", "Alt-w")]);
        assert!(problems.is_empty(), "{problems:?}");
        let alt_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::ALT);
        assert_eq!(
            km.lookup("input", alt_w),
            Some(Action::Edit(EditOp::DeleteWordBack))
        );
    }

    /// Every section with keys can be rebound the same way.
    #[test]
    fn every_section_is_rebindable() {
        let base = Keymap::default();
        for s in base.rebindable() {
            let b = base.bindings(s).next().unwrap();
            let from = b.keys[0].label();
            let (km, problems) = Keymap::with_overrides(&[rebind(s, &from, "F12")]);
            assert!(problems.is_empty(), "[{s}] {from}: {problems:?}");
            let f12 = key(KeyCode::F(12));
            assert_eq!(km.lookup(s, f12), Some(b.action.clone()), "[{s}] {from}");
        }
    }

    /// A key already taken where the section applies is a clash naming
    /// both; two keys may change places; a letter is text where text is typed.
    #[test]
    fn clashes_name_both_bindings_and_are_refused() {
        let (km, problems) = Keymap::with_overrides(&[rebind("verbs", "c", "C")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(
            p.starts_with("config.toml line 2: [keys.verbs] \"c\" = \"C\""),
            "{p}"
        );
        assert!(
            p.contains("\"Contacts: who to ring now\" ([dashboard])"),
            "{p}"
        );
        assert!(p.contains("the dashboard"), "{p}");
        assert_eq!(
            km.lookup("dashboard", key(KeyCode::Char('c'))),
            Some(Action::Close)
        );
        assert_eq!(
            km.lookup("dashboard", key(KeyCode::Char('C'))),
            Some(Action::Contacts)
        );
        // Moving contacts away first makes room.
        let (km, problems) = Keymap::with_overrides(&[
            rebind("verbs", "c", "C"),
            rebind("dashboard", "C", "K"),
            rebind("record", "C", "K"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            km.lookup("dashboard", key(KeyCode::Char('C'))),
            Some(Action::Close)
        );
        assert_eq!(
            km.lookup("record", key(KeyCode::Char('K'))),
            Some(Action::Contacts)
        );
        // Two rebindings onto one key name each other.
        let (_, problems) =
            Keymap::with_overrides(&[rebind("dashboard", "x", "K"), rebind("dashboard", "L", "K")]);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("as config.toml line 2 rebinds it")),
            "{problems:?}"
        );
        // A clash across sections in force together: Ctrl-S saves a form.
        let (_, problems) = Keymap::with_overrides(&[rebind("input", "Ctrl-k", "Ctrl-s")]);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("Ctrl-S is already \"Save")),
            "{problems:?}"
        );
        // A letter in a prompt would be typed, not pressed.
        let (km, problems) = Keymap::with_overrides(&[rebind("prompt", "Esc", "q")]);
        assert!(
            problems.iter().any(|p| p.contains("typed as text")),
            "{problems:?}"
        );
        assert_eq!(km.lookup("prompt", key(KeyCode::Esc)), Some(Action::Cancel));
    }

    #[test]
    fn every_screen_names_real_sections() {
        let km = Keymap::default();
        let names: Vec<&str> = km.section_names().collect();
        for g in SCREENS {
            for s in *g {
                assert!(names.contains(s), "SCREENS names [{s}], not in the keymap");
            }
        }
        for n in names.iter().filter(|n| **n != "verbs") {
            assert!(
                SCREENS.iter().any(|g| g.contains(n)),
                "[{n}] is on no screen"
            );
        }
    }

    #[test]
    fn hints_merge_keys_of_one_hint() {
        let hints = Keymap::default().hints(&["dashboard"]);
        assert_eq!(hints[0], ("j/k".to_string(), "move".to_string()));
        assert!(hints.iter().any(|(k, h)| k == "Enter" && h == "open"));
        assert!(hints.iter().any(|(k, h)| k == "q" && h == "quit"));
    }

    #[test]
    fn altgr_is_text_and_ctrl_letters_are_not() {
        let altgr = KeyEvent::new(
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT,
        );
        assert_eq!(typed_char(altgr), Some('@'));
        let ctrl_a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(typed_char(ctrl_a), None);
        let km = Keymap::default();
        assert_eq!(km.lookup("input", ctrl_a), Some(Action::Edit(EditOp::Home)));
        let alt_esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::ALT);
        assert_eq!(km.lookup("record", alt_esc), Some(Action::Back));
    }

    /// The input thread keeps reading while the events after an Esc are
    /// the start of a sequence, and drops a tail that comes late.
    #[test]
    fn a_sequence_split_over_a_slow_link_is_recognised() {
        let k = |c: KeyCode| Event::Key(key(c));
        let c = |ch: char| k(KeyCode::Char(ch));
        let esc = k(KeyCode::Esc);
        assert_eq!(sequence(std::slice::from_ref(&esc)), Sequence::Prefix);
        assert_eq!(sequence(&[esc.clone(), c('[')]), Sequence::Prefix);
        assert_eq!(
            sequence(&[esc.clone(), c('['), c('1'), c(';')]),
            Sequence::Prefix
        );
        assert_eq!(
            sequence(&[esc.clone(), c('['), c('A'), c('j')]),
            Sequence::Complete(3)
        );
        assert_eq!(sequence(&[esc.clone(), c('O')]), Sequence::Prefix);
        assert_eq!(
            sequence(&[esc.clone(), c('O'), c('P')]),
            Sequence::Complete(3)
        );
        assert_eq!(sequence(&[esc.clone(), c('j')]), Sequence::NotOne);
        assert_eq!(sequence(&[c('[')]), Sequence::NotOne);
        // A late tail: `[A` read together is dropped; `[` alone, or `[`
        // then something that ends no sequence, is typing.
        assert_eq!(late_tail(&[c('['), c('A')]), 2);
        assert_eq!(
            late_tail(&[c('['), c('1'), c(';'), c('3'), c('A'), c('j')]),
            5
        );
        assert_eq!(late_tail(&[c('O'), c('P')]), 2);
        assert_eq!(late_tail(&[c('[')]), 0);
        assert_eq!(late_tail(&[c('['), k(KeyCode::Enter)]), 0);
        assert_eq!(late_tail(&[c('j'), c('A')]), 0);
    }

    #[test]
    fn escape_sequences_in_a_burst_become_nothing() {
        let k = |c: KeyCode| Event::Key(key(c));
        let c = |ch: char| k(KeyCode::Char(ch));
        // Option+Up: ESC ESC [ A, read as Esc, '[', 'A'.
        assert!(decode_burst(vec![k(KeyCode::Esc), c('['), c('A')]).is_empty());
        // With parameters: ESC [ 1 ; 3 A.
        assert!(
            decode_burst(vec![
                k(KeyCode::Esc),
                c('['),
                c('1'),
                c(';'),
                c('3'),
                c('A')
            ])
            .is_empty()
        );
        // SS3: ESC O P.
        assert!(decode_burst(vec![k(KeyCode::Esc), c('O'), c('P')]).is_empty());
        // A lone Esc, and Esc then other text, stay.
        assert_eq!(decode_burst(vec![k(KeyCode::Esc)]).len(), 1);
        assert_eq!(decode_burst(vec![k(KeyCode::Esc), c('x')]).len(), 2);
        // What follows a sequence is kept.
        let out = decode_burst(vec![k(KeyCode::Esc), c('['), c('B'), c('j')]);
        assert_eq!(out, vec![c('j')]);
    }
}
