//! `update(app, action)`: the one place state changes. Returns the effects for
//! the event loop to carry out, so tests can drive it with no terminal or store.

use super::action::Action;
use super::app::{App, Detail, Screen, StatusKind, StatusLine, WINDOW};
use crate::store::worker::Request;

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Store(Request),
    Quit,
}

/// The request that loads the first dashboard.
pub fn initial_load() -> Effect {
    Effect::Store(Request::Dashboard {
        offset: 0,
        limit: WINDOW,
        keep: None,
    })
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Help => app.help = true,
        Action::Back if app.help => app.help = false,
        Action::Back => {
            app.screen = Screen::Dashboard;
            app.detail = None;
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => match app.screen {
            Screen::Dashboard => move_selection(app, &action, &mut fx),
            Screen::Detail => scroll_detail(app, &action),
        },
        Action::Open => {
            if let Some(row) = app.queue.selected_row() {
                fx.push(Effect::Store(Request::Detail { id: row.id }));
            }
        }
        Action::DashboardLoaded(d) => {
            app.org = d.org;
            app.on_duty = d.on_duty;
            let q = &mut app.queue;
            q.total = d.total;
            q.offset = d.offset;
            q.rows = d.rows;
            q.loading = false;
            q.loaded = true;
            if let Some(pos) = d.kept_at {
                q.selected = pos;
            }
            q.selected = q.selected.clamp(0, (q.total - 1).max(0));
            follow_selection(app, &mut fx);
        }
        Action::DetailLoaded(d) => {
            app.detail = Some(Detail { data: d, scroll: 0 });
            app.screen = Screen::Detail;
        }
        Action::Changed => {
            let keep = app.queue.selected_row().map(|r| r.id);
            fx.push(Effect::Store(Request::Dashboard {
                offset: app.queue.offset,
                limit: WINDOW,
                keep,
            }));
            app.queue.loading = true;
            if app.screen == Screen::Detail {
                app.status = Some(StatusLine {
                    kind: StatusKind::Info,
                    text:
                        "Another session changed the desk: Esc and reopen to see the latest record"
                            .into(),
                });
            }
        }
        Action::StoreError(msg) => {
            app.queue.loading = false;
            app.status = Some(StatusLine {
                kind: StatusKind::Error,
                text: msg,
            });
        }
        Action::Tick(now) => app.now = now,
        Action::Resize(w, h) => {
            app.width = w;
            app.height = h;
            keep_visible(app);
        }
    }
    fx
}

fn move_selection(app: &mut App, action: &Action, fx: &mut Vec<Effect>) {
    let page = app.list_height().max(1);
    let q = &mut app.queue;
    let last = (q.total - 1).max(0);
    q.selected = match action {
        Action::Up => q.selected - 1,
        Action::Down => q.selected + 1,
        Action::PageUp => q.selected - page,
        Action::PageDown => q.selected + page,
        Action::Top => 0,
        _ => last,
    }
    .clamp(0, last);
    follow_selection(app, fx);
}

/// Scrolls so the selection is on screen, and asks for another window when
/// the selection has left the rows in memory.
fn follow_selection(app: &mut App, fx: &mut Vec<Effect>) {
    keep_visible(app);
    let q = &mut app.queue;
    if q.total > 0 && q.row(q.selected).is_none() && !q.loading {
        q.loading = true;
        fx.push(Effect::Store(Request::Dashboard {
            offset: (q.selected - WINDOW / 2).max(0),
            limit: WINDOW,
            keep: None,
        }));
    }
}

fn keep_visible(app: &mut App) {
    let h = app.list_height().max(1);
    let q = &mut app.queue;
    if q.selected < q.top {
        q.top = q.selected;
    } else if q.selected >= q.top + h {
        q.top = q.selected - h + 1;
    }
    q.top = q.top.clamp(0, (q.total - h).max(0));
}

fn scroll_detail(app: &mut App, action: &Action) {
    let max = super::views::detail::max_scroll(app);
    let (_, page) = super::views::detail::body_size(app.width, app.height);
    let page = page.max(1);
    if let Some(d) = &mut app.detail {
        d.scroll = match action {
            Action::Up => d.scroll.saturating_sub(1),
            Action::Down => d.scroll.saturating_add(1),
            Action::PageUp => d.scroll.saturating_sub(page),
            Action::PageDown => d.scroll.saturating_add(page),
            Action::Top => 0,
            _ => max,
        }
        .min(max);
    }
}
