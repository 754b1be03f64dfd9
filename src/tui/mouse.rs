//! The mouse: the wheel scrolls whatever list or text is under the keys, and
//! a click on a dashboard row selects it (a second click on the selected
//! escalation opens it). Everything else stays with the keyboard, which can
//! always do the same. Turned off with `[mouse] enabled = false`, for those
//! who select text with the mouse (most terminals also allow Shift-drag).

use super::action::Action;
use super::app::{App, Focus, Screen};
use super::keymap::Mode;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// What a mouse event means on the screen as it is, if anything.
pub fn action(app: &App, m: MouseEvent) -> Option<Action> {
    let scrolls = matches!(
        app.mode(),
        Mode::Dashboard
            | Mode::Deadlines
            | Mode::Detail
            | Mode::Help
            | Mode::Contacts
            | Mode::Reviews
            | Mode::Handover
            | Mode::Picker
    );
    match m.kind {
        MouseEventKind::ScrollDown if scrolls => Some(Action::Down),
        MouseEventKind::ScrollUp if scrolls => Some(Action::Up),
        MouseEventKind::Down(MouseButton::Left)
            if app.screen == Screen::Dashboard
                && matches!(app.mode(), Mode::Dashboard | Mode::Deadlines) =>
        {
            click(app, m.column, m.row)
        }
        _ => None,
    }
}

/// A click on a row of the escalation list or the deadlines panel.
fn click(app: &App, column: u16, row: u16) -> Option<Action> {
    let a = super::views::dashboard::areas(app, Rect::new(0, 0, app.width, app.height));
    let inside = |r: Rect, skip: u16| {
        column >= r.x && column < r.x + r.width && row >= r.y + skip && row < r.y + r.height
    };
    // The list has its title and column headings above the rows; the
    // deadlines panel its title.
    if inside(a.queue, 2) {
        let at = app.queue.top + i64::from(row - a.queue.y - 2);
        return (at < app.queue.total).then_some(Action::Click {
            focus: Focus::Queue,
            at,
        });
    }
    if inside(a.deadlines, 1) {
        let at = app.deadlines.top + i64::from(row - a.deadlines.y - 1);
        return (at < app.deadlines.total).then_some(Action::Click {
            focus: Focus::Deadlines,
            at,
        });
    }
    None
}
