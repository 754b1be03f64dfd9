//! Colours named by what they mean. With `NO_COLOR` the monochrome theme keeps
//! every meaning readable through symbols, bold and reverse video alone.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub base: Style,
    pub header: Style,
    pub muted: Style,
    pub selected: Style,
    pub overdue: Style,
    pub due_soon: Style,
    pub ok: Style,
    pub high_risk: Style,
    pub banner: Style,
    pub error: Style,
    pub key: Style,
    pub title: Style,
}

impl Theme {
    pub fn dark() -> Theme {
        Theme {
            base: Style::new(),
            header: Style::new().fg(Color::Black).bg(Color::Cyan),
            muted: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            overdue: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            due_soon: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            high_risk: Style::new().fg(Color::LightRed),
            banner: Style::new().fg(Color::Black).bg(Color::Yellow),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// For light terminal backgrounds: dark colours that stay readable on white.
    pub fn light() -> Theme {
        Theme {
            base: Style::new(),
            header: Style::new().fg(Color::White).bg(Color::Blue),
            muted: Style::new().fg(Color::Gray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            overdue: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            due_soon: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            high_risk: Style::new().fg(Color::Red),
            banner: Style::new().fg(Color::White).bg(Color::Red),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// By name from the settings file; `NO_COLOR` always wins.
    pub fn named(name: &str) -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => match name {
                "light" => Theme::light(),
                "mono" => Theme::mono(),
                _ => Theme::dark(),
            },
        }
    }

    /// No colour at all: meaning through text, symbols, bold and reverse.
    pub fn mono() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            base: Style::new(),
            header: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new(),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            overdue: bold,
            due_soon: bold,
            ok: Style::new(),
            high_risk: bold,
            banner: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            error: bold,
            key: bold,
            title: bold,
        }
    }

    /// The mono theme when `NO_COLOR` is set to anything non-empty
    /// (no-color.org), the dark theme otherwise.
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::dark(),
        }
    }
}
