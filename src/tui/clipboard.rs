//! Putting a number on the user's own clipboard, over SSH: OSC 52, which
//! the terminal the user sits at carries out. What reaches that terminal
//! depends on what sits between:
//!
//! - **tmux** takes OSC 52 from a program and passes it on only with
//!   `set -g set-clipboard on`; a sequence wrapped for passthrough is
//!   dropped unless `allow-passthrough` is on. So under tmux the plain
//!   sequence is sent, and the screen says it was copied only when tmux's
//!   own setting says `on` (asked once at start, never when dutydesk runs
//!   setgid: a privileged process runs no other program); otherwise it says
//!   how to turn it on.
//! - **GNU screen** passes a sequence on only inside its DCS wrapping
//!   (`ESC P … ESC \`), so it is wrapped.
//! - **A terminal directly**: some take OSC 52 (kitty, WezTerm, foot,
//!   Alacritty, Windows Terminal), some do not (GNOME Terminal), and over
//!   SSH which one it is often cannot be known. Only a known one is told
//!   "copied"; elsewhere the screen says the number was sent and names it,
//!   so nobody rings a number that never arrived.
//!
//! Only the text given is sent, one clean line, base64-encoded.

use crate::notify::base64;

/// What sits between dutydesk and the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    /// A terminal directly; `known` when it is one known to take OSC 52.
    Direct {
        known: bool,
    },
    /// tmux, with its `set-clipboard` option if it could be read.
    Tmux {
        set_clipboard: Option<String>,
    },
    Screen,
}

impl Path {
    /// From the environment (`env` injected for tests) and, under tmux, the
    /// option's value as `tmux show-options -gv set-clipboard` printed it.
    pub fn detect(env: &dyn Fn(&str) -> Option<String>, tmux_option: Option<String>) -> Path {
        let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
        if set("TMUX") {
            return Path::Tmux {
                set_clipboard: tmux_option.map(|s| s.trim().to_string()),
            };
        }
        let term = env("TERM").unwrap_or_default();
        if set("STY") || term.starts_with("screen") {
            return Path::Screen;
        }
        let program = env("TERM_PROGRAM").unwrap_or_default();
        let known = term == "xterm-kitty"
            || term.starts_with("foot")
            || term == "alacritty"
            || term == "wezterm"
            || program == "WezTerm"
            || set("WT_SESSION")
            || set("KITTY_WINDOW_ID");
        Path::Direct { known }
    }

    /// The environment of this process; tmux is asked for its option only
    /// when dutydesk is not running setgid.
    pub fn from_env() -> Path {
        let env = |k: &str| std::env::var(k).ok();
        let option = if env("TMUX").is_some() && !crate::identity::is_privileged() {
            std::process::Command::new("tmux")
                .args(["show-options", "-gv", "set-clipboard"])
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        } else {
            None
        };
        Path::detect(&env, option)
    }

    /// The bytes to write to the terminal for `text`.
    pub fn bytes(&self, text: &str) -> Vec<u8> {
        let clean = crate::domain::text::clean_line(text);
        let seq = format!("\x1b]52;c;{}\x07", base64(clean.as_bytes()));
        match self {
            Path::Screen => format!("\x1bP{seq}\x1b\\").into_bytes(),
            _ => seq.into_bytes(),
        }
    }

    /// What the status line says about `what` (the number and whose it
    /// is): "copied" only where it is known to have arrived.
    pub fn message(&self, what: &str) -> String {
        match self {
            Path::Direct { known: true } => format!("Copied {what} to your clipboard"),
            Path::Tmux {
                set_clipboard: Some(v),
            } if v == "on" => {
                format!("Copied {what} to your clipboard (through tmux)")
            }
            Path::Tmux { .. } => format!(
                "Not copied: tmux passes it on only with `set -g set-clipboard on` in ~/.tmux.conf. Ring {what}"
            ),
            Path::Screen => format!(
                "Sent {what} through GNU screen to your terminal's clipboard (OSC 52); if it is not there, your terminal does not take OSC 52"
            ),
            Path::Direct { known: false } => format!(
                "Sent {what} to your terminal's clipboard (OSC 52); if it is not there, your terminal does not take OSC 52"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn tmux_gets_the_plain_sequence_and_copied_only_when_set_clipboard_is_on() {
        let on = Path::detect(
            &env(&[("TMUX", "/tmp/tmux-0/default,1,0")]),
            Some("on\n".into()),
        );
        assert_eq!(
            on.bytes("0116 305 0005"),
            b"\x1b]52;c;MDExNiAzMDUgMDAwNQ==\x07"
        );
        assert!(on.message("0116 305 0005").starts_with("Copied"));
        for option in [Some("external\n".to_string()), Some("off".into()), None] {
            let p = Path::detect(&env(&[("TMUX", "x")]), option);
            let m = p.message("0116 305 0005");
            assert!(
                m.starts_with("Not copied") && m.contains("set-clipboard on"),
                "{m}"
            );
            assert!(
                !p.bytes("1").starts_with(b"\x1bPtmux"),
                "never wrapped for passthrough"
            );
        }
    }

    #[test]
    fn screen_is_wrapped_and_unknown_terminals_are_not_told_copied() {
        let s = Path::detect(&env(&[("STY", "123.pts-0"), ("TERM", "screen")]), None);
        assert_eq!(s, Path::Screen);
        let b = s.bytes("1");
        assert!(b.starts_with(b"\x1bP\x1b]52;c;") && b.ends_with(b"\x07\x1b\\"));
        let gnome = Path::detect(&env(&[("TERM", "xterm-256color")]), None);
        assert!(!gnome.message("1").contains("Copied"));
        let kitty = Path::detect(&env(&[("TERM", "xterm-kitty")]), None);
        assert!(kitty.message("1").starts_with("Copied"));
        // Only the text given, one clean line.
        assert_eq!(
            gnome.bytes("1\x1b]0;x\x07"),
            format!("\x1b]52;c;{}\x07", base64(b"1]0;x")).into_bytes()
        );
    }
}
