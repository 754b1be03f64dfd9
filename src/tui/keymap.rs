//! The one table of key bindings. The footer's hints and the `?` help are both
//! drawn from it, so what the screen says is always what the keys do.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Which set of bindings is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard, moving in the escalation list.
    Dashboard,
    /// The dashboard, moving in the deadlines panel.
    Deadlines,
    Detail,
    Help,
    /// Typing into a one-line prompt: keys not listed here are text.
    Prompt,
    /// Choosing whom to assign to: keys not listed here filter the list.
    Picker,
    /// A yes/no question.
    Confirm,
    /// Filling in a form: every key goes to the form (see tui::form).
    Form,
    /// Earlier escalations offered for linking after intake.
    Matches,
    /// The contacts screen.
    Contacts,
    /// Typing a contacts search: keys not listed here are text.
    ContactSearch,
    /// The reports screen.
    Reports,
    /// The review queue: next meetings and one series' agenda.
    Reviews,
    /// The rota and the handover.
    Handover,
}

/// One key bound to one action in one mode.
#[derive(Debug, Clone)]
pub struct Binding {
    pub mode: Mode,
    pub code: KeyCode,
    pub ctrl: bool,
    pub action: Action,
    /// Shown in the `?` help.
    pub description: &'static str,
    /// Bindings with the same hint are merged into one footer entry; `None`
    /// keeps a binding out of the footer.
    pub hint: Option<&'static str>,
}

const fn bind(
    mode: Mode,
    code: KeyCode,
    action: Action,
    description: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        mode,
        code,
        ctrl: false,
        action,
        description,
        hint,
    }
}

use KeyCode::{BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};
use Mode::{
    Confirm as C, ContactSearch as Q, Contacts as T, Dashboard as D, Deadlines as L, Detail as V,
    Form as F, Handover as O, Help as H, Matches as M, Picker as K, Prompt as P, Reports as R,
    Reviews as W,
};

/// The default bindings, in the order help lists them.
pub fn defaults() -> Vec<Binding> {
    vec![
        bind(
            D,
            Char('j'),
            Action::Down,
            "Move down the list",
            Some("move"),
        ),
        bind(D, Down, Action::Down, "Move down the list", None),
        bind(D, Char('k'), Action::Up, "Move up the list", Some("move")),
        bind(D, Up, Action::Up, "Move up the list", None),
        bind(D, PageDown, Action::PageDown, "Page down", None),
        bind(D, PageUp, Action::PageUp, "Page up", None),
        bind(D, Char('g'), Action::Top, "First escalation", None),
        bind(D, Home, Action::Top, "First escalation", None),
        bind(D, Char('G'), Action::Bottom, "Last escalation", None),
        bind(D, End, Action::Bottom, "Last escalation", None),
        bind(
            D,
            Enter,
            Action::Open,
            "Open the escalation's record",
            Some("open"),
        ),
        bind(
            D,
            Char('A'),
            Action::Acknowledge,
            "Acknowledge: I have this",
            Some("ack"),
        ),
        bind(
            D,
            Char('a'),
            Action::Assign,
            "Assign to a DSL",
            Some("assign"),
        ),
        bind(D, Char('N'), Action::Note, "Add a note", Some("note")),
        bind(
            D,
            Char('E'),
            Action::Event,
            "Record an event held (sets its deadlines)",
            None,
        ),
        bind(D, Char('i'), Action::Note, "Add a note", None),
        bind(
            D,
            Char('o'),
            Action::Reopen,
            "Re-open a closed escalation",
            None,
        ),
        bind(
            D,
            Char('s'),
            Action::Approve,
            "Sign off a proposed closure",
            None,
        ),
        bind(
            D,
            Char('b'),
            Action::SendBack,
            "Send a proposed closure back",
            None,
        ),
        bind(
            D,
            Tab,
            Action::FocusNext,
            "Go to the deadlines panel",
            Some("deadlines"),
        ),
        bind(
            D,
            BackTab,
            Action::FocusNext,
            "Go to the deadlines panel",
            None,
        ),
        bind(D, Char('x'), Action::Dismiss, "Hide the alert banner", None),
        bind(
            D,
            Char('n'),
            Action::Intake,
            "New escalation (intake form)",
            Some("new"),
        ),
        bind(D, Char('r'), Action::Refer, "Refer to an agency", None),
        bind(
            D,
            Char('c'),
            Action::Close,
            "Close (outcome and rationale)",
            None,
        ),
        bind(
            D,
            Char('C'),
            Action::Contacts,
            "Contacts: who to ring now",
            Some("contacts"),
        ),
        bind(
            D,
            Char('l'),
            Action::LookUp,
            "Contacts for this escalation",
            None,
        ),
        bind(
            D,
            Char('p'),
            Action::Pause,
            "Pause updates while reading (p again resumes)",
            Some("pause"),
        ),
        bind(D, Char('L'), Action::Lock, "Lock the screen now", None),
        bind(
            D,
            Char('P'),
            Action::Reports,
            "Reports: figures for a period",
            None,
        ),
        bind(
            D,
            Char('R'),
            Action::Reviews,
            "Review queue: next meetings and agendas",
            None,
        ),
        bind(
            D,
            Char('H'),
            Action::Handover,
            "Rota and handover: on duty, notes, due",
            None,
        ),
        bind(
            D,
            Char('v'),
            Action::AddToReview,
            "Put on the next review, with a reason",
            None,
        ),
        bind(D, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(D, Char('q'), Action::Quit, "Quit dutydesk", Some("quit")),
        bind(
            L,
            Char('j'),
            Action::Down,
            "Move down the deadlines",
            Some("move"),
        ),
        bind(L, Down, Action::Down, "Move down the deadlines", None),
        bind(
            L,
            Char('k'),
            Action::Up,
            "Move up the deadlines",
            Some("move"),
        ),
        bind(L, Up, Action::Up, "Move up the deadlines", None),
        bind(L, PageDown, Action::PageDown, "Page down", None),
        bind(L, PageUp, Action::PageUp, "Page up", None),
        bind(L, Char('g'), Action::Top, "Soonest deadline", None),
        bind(L, Home, Action::Top, "Soonest deadline", None),
        bind(L, Char('G'), Action::Bottom, "Latest deadline", None),
        bind(L, End, Action::Bottom, "Latest deadline", None),
        bind(
            L,
            Char('m'),
            Action::Meet,
            "Mark the deadline met (optional note)",
            Some("met"),
        ),
        bind(
            L,
            Char('w'),
            Action::Waive,
            "Waive the deadline (a reason is required)",
            Some("waive"),
        ),
        bind(
            L,
            Enter,
            Action::Open,
            "Open the escalation's record",
            Some("open"),
        ),
        bind(
            L,
            Tab,
            Action::FocusNext,
            "Back to the escalation list",
            Some("list"),
        ),
        bind(
            L,
            BackTab,
            Action::FocusNext,
            "Back to the escalation list",
            None,
        ),
        bind(
            L,
            Esc,
            Action::FocusNext,
            "Back to the escalation list",
            None,
        ),
        bind(L, Char('x'), Action::Dismiss, "Hide the alert banner", None),
        bind(
            L,
            Char('p'),
            Action::Pause,
            "Pause updates while reading (p again resumes)",
            None,
        ),
        bind(L, Char('L'), Action::Lock, "Lock the screen now", None),
        bind(L, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(L, Char('q'), Action::Quit, "Quit dutydesk", Some("quit")),
        bind(P, Enter, Action::Submit, "Save", Some("save")),
        bind(
            P,
            Tab,
            Action::NextChoice,
            "Next event (when recording one)",
            None,
        ),
        bind(
            K,
            Enter,
            Action::Submit,
            "Assign to the one selected",
            Some("assign"),
        ),
        bind(K, Esc, Action::Cancel, "Cancel", Some("cancel")),
        bind(K, Up, Action::Up, "Previous", None),
        bind(K, Down, Action::Down, "Next", None),
        bind(
            R,
            Char('['),
            Action::PeriodBack,
            "Previous period",
            Some("earlier"),
        ),
        bind(
            R,
            Char(']'),
            Action::PeriodForward,
            "Next period",
            Some("later"),
        ),
        bind(
            R,
            Char('t'),
            Action::NextTable,
            "Next table (category, subject, ...)",
            Some("table"),
        ),
        bind(R, Esc, Action::Back, "Back", Some("back")),
        bind(R, Char('q'), Action::Back, "Back", None),
        bind(R, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(
            W,
            Char('j'),
            Action::Down,
            "Scroll the agenda down",
            Some("scroll"),
        ),
        bind(W, Down, Action::Down, "Scroll the agenda down", None),
        bind(
            W,
            Char('k'),
            Action::Up,
            "Scroll the agenda up",
            Some("scroll"),
        ),
        bind(W, Up, Action::Up, "Scroll the agenda up", None),
        bind(W, PageDown, Action::PageDown, "Agenda page down", None),
        bind(W, PageUp, Action::PageUp, "Agenda page up", None),
        bind(W, Char('g'), Action::Top, "Top of the agenda", None),
        bind(W, Char('G'), Action::Bottom, "End of the agenda", None),
        bind(
            W,
            Tab,
            Action::NextSeries,
            "Next review series' agenda",
            Some("series"),
        ),
        bind(
            W,
            BackTab,
            Action::PreviousSeries,
            "Previous review series' agenda",
            None,
        ),
        bind(O, Char('j'), Action::Down, "Scroll down", Some("scroll")),
        bind(O, Down, Action::Down, "Scroll down", None),
        bind(O, Char('k'), Action::Up, "Scroll up", Some("scroll")),
        bind(O, Up, Action::Up, "Scroll up", None),
        bind(O, PageDown, Action::PageDown, "Page down", None),
        bind(O, PageUp, Action::PageUp, "Page up", None),
        bind(O, Char('g'), Action::Top, "Top", None),
        bind(O, Char('G'), Action::Bottom, "End", None),
        bind(
            O,
            Char('T'),
            Action::TakeOver,
            "Take over: go on duty now (asks first)",
            Some("take over"),
        ),
        bind(
            O,
            Char('N'),
            Action::HandoverNote,
            "Leave a note for whoever takes over next",
            Some("note"),
        ),
        bind(O, Esc, Action::Back, "Back", Some("back")),
        bind(O, Char('q'), Action::Back, "Back", None),
        bind(O, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(W, Esc, Action::Back, "Back", Some("back")),
        bind(W, Char('q'), Action::Back, "Back", None),
        bind(W, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(T, Char('j'), Action::Down, "Next contact", Some("move")),
        bind(T, Down, Action::Down, "Next contact", None),
        bind(T, Char('k'), Action::Up, "Previous contact", Some("move")),
        bind(T, Up, Action::Up, "Previous contact", None),
        bind(
            T,
            Char('/'),
            Action::Search,
            "Search (type, Enter to finish)",
            Some("search"),
        ),
        bind(
            T,
            Enter,
            Action::Open,
            "Show the whole record",
            Some("details"),
        ),
        bind(
            T,
            Char('y'),
            Action::Copy,
            "Copy the number to ring now",
            Some("copy"),
        ),
        bind(
            T,
            Char('r'),
            Action::CycleRoute,
            "Filter by route (cycles)",
            Some("route"),
        ),
        bind(
            T,
            Char('a'),
            Action::CycleArea,
            "Filter by area (cycles)",
            Some("area"),
        ),
        bind(
            T,
            Char('e'),
            Action::EditContact,
            "Edit the contact",
            Some("edit"),
        ),
        bind(
            T,
            Char('+'),
            Action::AddContact,
            "Add a contact",
            Some("add"),
        ),
        bind(T, Esc, Action::Back, "Back", Some("back")),
        bind(T, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(T, Char('q'), Action::Back, "Back", None),
        bind(Q, Enter, Action::Submit, "Finish the search", Some("done")),
        bind(Q, Esc, Action::Cancel, "Clear the search", Some("clear")),
        bind(Q, Up, Action::Up, "Previous contact", None),
        bind(Q, Down, Action::Down, "Next contact", None),
        bind(
            M,
            Char('l'),
            Action::LinkMatch,
            "Link: the same person",
            Some("link"),
        ),
        bind(
            M,
            Char('d'),
            Action::DismissMatch,
            "Dismiss: someone else",
            Some("dismiss"),
        ),
        bind(M, Char('j'), Action::Down, "Next", None),
        bind(M, Down, Action::Down, "Next", None),
        bind(M, Char('k'), Action::Up, "Previous", None),
        bind(M, Up, Action::Up, "Previous", None),
        bind(
            M,
            Esc,
            Action::Cancel,
            "Done: leave the rest unlinked",
            Some("done"),
        ),
        Binding {
            ctrl: true,
            ..bind(F, Char('s'), Action::Submit, "Save the form", Some("save"))
        },
        bind(F, Tab, Action::Down, "Next field", Some("next")),
        bind(
            F,
            Esc,
            Action::Cancel,
            "Cancel (asks if anything was typed)",
            Some("cancel"),
        ),
        bind(
            C,
            Char('y'),
            Action::Confirm(true),
            "Yes, go ahead",
            Some("yes"),
        ),
        bind(
            C,
            Char('n'),
            Action::Confirm(false),
            "No, go back",
            Some("no"),
        ),
        bind(C, Esc, Action::Confirm(false), "No, go back", None),
        bind(
            P,
            Esc,
            Action::Cancel,
            "Cancel: nothing is saved",
            Some("cancel"),
        ),
        bind(V, Char('j'), Action::Down, "Scroll down", Some("scroll")),
        bind(V, Down, Action::Down, "Scroll down", None),
        bind(V, Char('k'), Action::Up, "Scroll up", Some("scroll")),
        bind(V, Up, Action::Up, "Scroll up", None),
        bind(V, PageDown, Action::PageDown, "Page down", None),
        bind(V, PageUp, Action::PageUp, "Page up", None),
        bind(V, Char('g'), Action::Top, "Top of the record", None),
        bind(V, Char('G'), Action::Bottom, "End of the record", None),
        bind(
            V,
            Char('A'),
            Action::Acknowledge,
            "Acknowledge: I have this",
            Some("ack"),
        ),
        bind(
            V,
            Char('a'),
            Action::Assign,
            "Assign to a DSL",
            Some("assign"),
        ),
        bind(V, Char('N'), Action::Note, "Add a note", Some("note")),
        bind(
            V,
            Char('E'),
            Action::Event,
            "Record an event held (sets its deadlines)",
            None,
        ),
        bind(V, Char('i'), Action::Note, "Add a note", None),
        bind(V, Char('o'), Action::Reopen, "Re-open (if closed)", None),
        bind(
            V,
            Char('s'),
            Action::Approve,
            "Sign off a proposed closure",
            None,
        ),
        bind(
            V,
            Char('b'),
            Action::SendBack,
            "Send a proposed closure back",
            None,
        ),
        bind(
            V,
            Char('X'),
            Action::Access,
            "Restrict, name or exclude staff (senior leads)",
            None,
        ),
        bind(V, Esc, Action::Back, "Back to the dashboard", Some("back")),
        bind(V, Char('q'), Action::Back, "Back to the dashboard", None),
        bind(
            V,
            Char('r'),
            Action::Refer,
            "Refer to an agency",
            Some("refer"),
        ),
        bind(
            V,
            Char('c'),
            Action::Close,
            "Close (outcome and rationale)",
            Some("close"),
        ),
        bind(
            V,
            Char('C'),
            Action::Contacts,
            "Contacts: who to ring now",
            None,
        ),
        bind(
            V,
            Char('l'),
            Action::LookUp,
            "Contacts for this escalation",
            Some("look up"),
        ),
        bind(V, Char('L'), Action::Lock, "Lock the screen now", None),
        bind(
            V,
            Char('v'),
            Action::AddToReview,
            "Put on the next review, with a reason",
            None,
        ),
        bind(V, Char('?'), Action::Help, "Show all keys", Some("help")),
        bind(H, Esc, Action::Back, "Close help", Some("close")),
        bind(H, Char('j'), Action::Down, "Scroll help", Some("scroll")),
        bind(H, Down, Action::Down, "Scroll help", None),
        bind(H, Char('k'), Action::Up, "Scroll help", Some("scroll")),
        bind(H, Up, Action::Up, "Scroll help", None),
        bind(H, PageDown, Action::PageDown, "Scroll help", None),
        bind(H, PageUp, Action::PageUp, "Scroll help", None),
        bind(H, Char('?'), Action::Back, "Close help", None),
        bind(H, Char('q'), Action::Back, "Close help", None),
        Binding {
            ctrl: true,
            ..bind(
                D,
                Char('c'),
                Action::Quit,
                "Quit dutydesk (any screen)",
                None,
            )
        },
    ]
}

/// A key as written in the settings file: "j", "G", "Enter", "Esc", "Tab",
/// "Up", "Down", "PgUp", "PgDn", "Home", "End", "Ctrl-x".
pub fn parse_key(s: &str) -> Option<(KeyCode, bool)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("Ctrl-") {
        let mut c = rest.chars();
        return match (c.next(), c.next()) {
            (Some(ch), None) => Some((Char(ch.to_ascii_lowercase()), true)),
            _ => None,
        };
    }
    let code = match s {
        "Enter" => Enter,
        "Esc" => Esc,
        "Tab" => Tab,
        "Shift-Tab" => BackTab,
        "Up" | "↑" => Up,
        "Down" | "↓" => Down,
        "PgUp" => PageUp,
        "PgDn" => PageDown,
        "Home" => Home,
        "End" => End,
        "Space" => Char(' '),
        _ => {
            let mut c = s.chars();
            match (c.next(), c.next()) {
                (Some(ch), None) if !ch.is_control() => Char(ch),
                _ => return None,
            }
        }
    };
    Some((code, false))
}

/// The screens whose keys a user may rebind, as named in `[keys.NAME]`.
const REBINDABLE: &[(&str, Mode)] = &[
    ("dashboard", Mode::Dashboard),
    ("deadlines", Mode::Deadlines),
    ("detail", Mode::Detail),
    ("contacts", Mode::Contacts),
    ("reports", Mode::Reports),
    ("reviews", Mode::Reviews),
    ("handover", Mode::Handover),
    ("help", Mode::Help),
];

fn mode_named(name: &str) -> Option<Mode> {
    REBINDABLE.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// The bound keys.
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// The defaults with the user's rebindings applied. Each problem (unknown
    /// mode or key, a new key already taken, Ctrl-C) is returned as a message
    /// and that rebinding is skipped; the rest still apply.
    pub fn with_overrides(rebindings: &[crate::config::Rebinding]) -> (Keymap, Vec<String>) {
        let mut km = Keymap::default();
        let mut problems = Vec::new();
        let mut bad_modes: Vec<&str> = Vec::new();
        for r in rebindings {
            let (at, mode_name, from, to) = (&r.at, r.mode.as_str(), &r.from, &r.to);
            let Some(mode) = mode_named(mode_name) else {
                if !bad_modes.contains(&mode_name) {
                    bad_modes.push(mode_name);
                    let names: Vec<&str> = REBINDABLE.iter().map(|(n, _)| *n).collect();
                    problems.push(format!(
                        "{at}: [keys.{mode_name}]: no such screen ({})",
                        names.join(", ")
                    ));
                }
                continue;
            };
            if from.is_empty() {
                continue;
            }
            let (Some((fc, fctrl)), Some((tc, tctrl))) = (parse_key(from), parse_key(to)) else {
                problems.push(format!("{at}: [keys.{mode_name}] {from:?} = {to:?}: not a key (e.g. \"j\", \"Enter\", \"Ctrl-x\")"));
                continue;
            };
            if tctrl && tc == Char('c') {
                problems.push(format!(
                    "{at}: [keys.{mode_name}] {to:?}: Ctrl-C always quits"
                ));
                continue;
            }
            let taken = km.bindings.iter().any(|b| {
                b.mode == mode
                    && b.code == tc
                    && b.ctrl == tctrl
                    && !(b.code == fc && b.ctrl == fctrl)
            });
            if taken {
                problems.push(format!("{at}: [keys.{mode_name}] {from:?} = {to:?}: {to:?} is already bound on that screen"));
                continue;
            }
            let mut found = false;
            for b in km
                .bindings
                .iter_mut()
                .filter(|b| b.mode == mode && b.code == fc && b.ctrl == fctrl)
            {
                b.code = tc;
                b.ctrl = tctrl;
                found = true;
            }
            if !found {
                problems.push(format!(
                    "{at}: [keys.{mode_name}] {from:?}: not bound on that screen"
                ));
            }
        }
        (km, problems)
    }

    /// The action for a key in a mode. Ctrl-C quits from anywhere.
    pub fn lookup(&self, mode: Mode, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == Char('c') {
            return Some(Action::Quit);
        }
        self.bindings
            .iter()
            .find(|b| b.mode == mode && b.code == key.code && b.ctrl == ctrl)
            .map(|b| b.action.clone())
    }

    /// Every binding of a mode, in table order.
    pub fn bindings(&self, mode: Mode) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.mode == mode)
    }

    /// Footer hints for a mode: ("j/k", "move"), ("⏎", "open")...
    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for b in self.bindings(mode) {
            let Some(hint) = b.hint else { continue };
            let key = key_label(b);
            match out.iter_mut().find(|(_, h)| *h == hint) {
                Some((keys, _)) => {
                    keys.push('/');
                    keys.push_str(&key);
                }
                None => out.push((key, hint)),
            }
        }
        out
    }
}

/// How a key is written on screen.
pub fn key_label(b: &Binding) -> String {
    let base = match b.code {
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Home => "Home".into(),
        End => "End".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        other => format!("{other:?}"),
    };
    if b.ctrl { format!("Ctrl-{base}") } else { base }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn vim_keys_and_arrows_agree() {
        let km = Keymap::default();
        assert_eq!(km.lookup(D, key(Char('j'))), km.lookup(D, key(Down)));
        assert_eq!(km.lookup(D, key(Char('k'))), Some(Action::Up));
        assert_eq!(km.lookup(V, key(Esc)), Some(Action::Back));
        assert_eq!(km.lookup(D, key(Char('z'))), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        let km = Keymap::default();
        let all = defaults();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(
                    !(a.mode == b.mode && a.code == b.code && a.ctrl == b.ctrl),
                    "{:?} {:?} bound twice",
                    a.mode,
                    a.code
                );
            }
        }
        assert_eq!(km.lookup(P, key(Enter)), Some(Action::Submit));
        assert_eq!(km.lookup(P, key(Char('q'))), None, "q is text in a prompt");
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
        ];
        let (km, problems) = Keymap::with_overrides(&o);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("config.toml line 3:")),
            "each problem names its line: {problems:?}"
        );
        assert_eq!(km.lookup(D, key(Char('t'))), Some(Action::Acknowledge));
        assert_eq!(km.lookup(D, key(Char('A'))), None);
        assert_eq!(
            km.lookup(D, key(Char('q'))),
            Some(Action::Quit),
            "a conflict changes nothing"
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("already bound")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not bound on that screen"))
        );
        assert!(problems.iter().any(|p| p.contains("no such screen")));
        assert!(
            km.hints(D).iter().any(|(k, h)| k == "t" && *h == "ack"),
            "the footer follows"
        );
        assert_eq!(parse_key("Ctrl-x"), Some((Char('x'), true)));
        assert_eq!(parse_key("PgDn"), Some((PageDown, false)));
        assert_eq!(parse_key("nonsense"), None);
    }

    #[test]
    fn ctrl_c_quits_everywhere() {
        let km = Keymap::default();
        let c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        for m in [D, V, H] {
            assert_eq!(km.lookup(m, c), Some(Action::Quit));
        }
    }

    #[test]
    fn hints_merge_keys_of_one_hint() {
        let hints = Keymap::default().hints(D);
        assert_eq!(hints[0], ("j/k".to_string(), "move"));
        assert!(hints.iter().any(|(k, h)| k == "Enter" && *h == "open"));
        assert!(hints.iter().any(|(k, h)| k == "q" && *h == "quit"));
    }

    #[test]
    fn every_binding_is_described() {
        for b in defaults() {
            assert!(!b.description.is_empty());
        }
    }
}
