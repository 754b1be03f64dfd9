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

    /// For light terminal backgrounds: exact dark colours (not the
    /// terminal's palette, whose "gray" or "green" can be pale), each at
    /// least 4.5:1 against white (WCAG 2.1 AA; checked by a test).
    pub fn light() -> Theme {
        const RED: Color = Color::Rgb(0xB0, 0x00, 0x20);
        const AMBER: Color = Color::Rgb(0x8A, 0x4B, 0x00);
        const GREEN: Color = Color::Rgb(0x1B, 0x5E, 0x20);
        const BLUE: Color = Color::Rgb(0x0B, 0x4F, 0x9C);
        const GREY: Color = Color::Rgb(0x59, 0x59, 0x59);
        Theme {
            base: Style::new(),
            header: Style::new().fg(Color::Rgb(0xFF, 0xFF, 0xFF)).bg(BLUE),
            muted: Style::new().fg(GREY),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            overdue: Style::new().fg(RED).add_modifier(Modifier::BOLD),
            due_soon: Style::new().fg(AMBER).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(GREEN),
            high_risk: Style::new().fg(RED),
            banner: Style::new().fg(Color::Rgb(0xFF, 0xFF, 0xFF)).bg(RED),
            error: Style::new().fg(RED).add_modifier(Modifier::BOLD),
            key: Style::new().fg(BLUE).add_modifier(Modifier::BOLD),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A colour as sRGB: named colours as xterm's default palette draws them.
    fn rgb(c: Color) -> (u8, u8, u8) {
        match c {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Black => (0, 0, 0),
            Color::Red => (0xcd, 0, 0),
            Color::Green => (0, 0xcd, 0),
            Color::Yellow => (0xcd, 0xcd, 0),
            Color::Blue => (0, 0, 0xee),
            Color::Magenta => (0xcd, 0, 0xcd),
            Color::Cyan => (0, 0xcd, 0xcd),
            Color::Gray => (0xe5, 0xe5, 0xe5),
            Color::DarkGray => (0x7f, 0x7f, 0x7f),
            Color::LightRed => (0xff, 0, 0),
            Color::LightGreen => (0, 0xff, 0),
            Color::LightYellow => (0xff, 0xff, 0),
            Color::LightBlue => (0x5c, 0x5c, 0xff),
            Color::LightMagenta => (0xff, 0, 0xff),
            Color::LightCyan => (0, 0xff, 0xff),
            Color::White => (0xff, 0xff, 0xff),
            other => panic!("no palette value for {other:?}"),
        }
    }

    /// WCAG 2.1 relative luminance.
    fn luminance(c: Color) -> f64 {
        let (r, g, b) = rgb(c);
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// WCAG 2.1 contrast ratio, 1 to 21.
    fn contrast(a: Color, b: Color) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Every foreground/background pair each theme draws, on the terminal
    /// background it is meant for (dark: black, light: white), reversed
    /// where the style reverses, reaches 4.5:1 (WCAG 2.1 AA, 1.4.3).
    #[test]
    fn every_text_reaches_4_5_to_1() {
        for (name, theme, fg, bg) in [
            ("dark", Theme::dark(), Color::White, Color::Black),
            ("light", Theme::light(), Color::Black, Color::White),
        ] {
            let styles = [
                ("base", theme.base),
                ("header", theme.header),
                ("muted", theme.muted),
                ("selected", theme.selected),
                ("overdue", theme.overdue),
                ("due_soon", theme.due_soon),
                ("ok", theme.ok),
                ("high_risk", theme.high_risk),
                ("banner", theme.banner),
                ("error", theme.error),
                ("key", theme.key),
                ("title", theme.title),
            ];
            for (what, s) in styles {
                let (mut f, mut b) = (s.fg.unwrap_or(fg), s.bg.unwrap_or(bg));
                if s.add_modifier.contains(Modifier::REVERSED) {
                    (f, b) = (b, f);
                }
                let c = contrast(f, b);
                assert!(c >= 4.5, "{name} theme, {what}: {c:.2}:1");
            }
        }
        // The light theme's old grey hint on white was about 1.3:1.
        assert!(contrast(Color::Gray, Color::White) < 2.0);
    }
}
