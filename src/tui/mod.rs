//! The terminal: setting it up, always putting it back, and the event loop.
//!
//! Four sources feed one channel: keys and resizes (an input thread), the
//! store worker's replies, signals (SIGTERM, SIGHUP, SIGINT) and the clock.
//! The loop sleeps until one of them speaks or the second turns: countdowns
//! tick from the clock alone, never from re-querying the database.

pub mod action;
pub mod alerts;
pub mod app;
pub mod form;
pub mod forms;
pub mod keymap;
pub mod mouse;
pub mod theme;
pub mod update;
pub mod views;

use crate::clock::Clock;
use crate::domain::staff::StaffMember;
use crate::store::Store;
use crate::store::worker::{Reply, Worker};
use action::Action;
use anyhow::Result;
use app::App;
use chrono::{Timelike, Utc};
use crossterm::event::{Event as TermEvent, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;
use update::{Effect, update};

enum Event {
    Term(TermEvent),
    Store(Reply),
    /// SIGTERM or SIGINT: quit as `q` would.
    Signal,
    /// SIGHUP, or the terminal stopped answering: the SSH link dropped, the
    /// tmux session was killed. Leave at once and quietly: there is no
    /// terminal to restore or to print to.
    HangUp,
}

/// The action a store reply becomes: the event loop and the tests that
/// drive the screen with the real worker's answers both use it.
pub fn reply_action(reply: Reply) -> Action {
    match reply {
        Reply::Dashboard(d) => Action::DashboardLoaded(d),
        Reply::Detail(d) => Action::DetailLoaded(d),
        Reply::Changed => Action::Changed,
        Reply::Saved(text) => Action::Saved(text),
        Reply::Alerts(a) => Action::Alerts(a),
        Reply::Assignable(list) => Action::AssignableLoaded(list),
        Reply::ReferOptions(o) => Action::ReferOptionsLoaded(o),
        Reply::Contacts(list, all) => Action::ContactsLoaded(list, all),
        Reply::Report(r) => Action::ReportLoaded(r),
        Reply::Reviews(r) => Action::ReviewsLoaded(r),
        Reply::Agenda(a) => Action::AgendaLoaded(a),
        Reply::Handover(h) => Action::HandoverLoaded(h),
        Reply::Created {
            message,
            id,
            reference,
            matches,
        } => Action::Created {
            message,
            id,
            reference,
            matches,
        },
        Reply::AccessLists(l) => Action::AccessLoaded(l),
        Reply::Error(e) => Action::StoreError(e),
        Reply::Revoked(why) => Action::Revoked(why),
    }
}

/// Puts the terminal back (raw mode off, main screen, cursor shown) when
/// dropped: on quit, on error and while unwinding from a panic.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back, ignoring every error: after a hang-up the writes
/// fail, and `ratatui::restore` would then print to a dead terminal and panic.
fn restore() {
    use crossterm::{cursor::Show, event::DisableMouseCapture, terminal};
    // Harmless when mouse reporting was never turned on.
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        Show
    );
    let _ = terminal::disable_raw_mode();
}

/// Also restore from the panic hook, before the message is printed, so the
/// message lands on a usable terminal.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Runs the dashboard until the user quits or a signal arrives.
pub fn run(store: Store, me: StaffMember, clock: Clock, theme: theme::Theme) -> Result<()> {
    let (tx, rx) = channel::<Event>();
    let read_only = store.read_only();
    let store_tx = tx.clone();
    let worker = Worker::spawn(store, me.clone(), clock, move |r| {
        store_tx.send(Event::Store(r)).is_ok()
    });
    spawn_signals(tx.clone())?;

    install_panic_hook();
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    spawn_input(tx);

    let size = terminal.size()?;
    let mut app = App::new(me, clock.now(), read_only, theme);
    update(&mut app, Action::Resize(size.width, size.height));
    let (config, config_error) = match crate::config::Config::load() {
        Ok(c) => (c, None),
        Err(e) => (crate::config::Config::default(), Some(e.to_string())),
    };
    let (keymap, key_problems) = keymap::Keymap::with_overrides(&config.rebindings());
    app.keymap = keymap;
    app.theme = theme::Theme::named(&config.theme.name);
    if let Some(e) = config_error {
        update(
            &mut app,
            Action::StoreError(format!("{e} (using default settings)")),
        );
    } else if let Some(p) = key_problems.first() {
        update(
            &mut app,
            Action::StoreError(format!(
                "settings file: {p} ({} problem(s); `dutydesk config show`)",
                key_problems.len()
            )),
        );
    }
    if config.mouse.enabled {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    let mut alerts = alerts::Announcer::new(&config);
    let idle_after = match config.lock.idle_minutes {
        0 => None,
        m => Some(Duration::from_secs(u64::from(m) * 60)),
    };
    let mut last_key = std::time::Instant::now();
    let mut pending = vec![
        update::initial_load(),
        update::Effect::Store(crate::store::worker::Request::Reviews),
        update::Effect::Store(crate::store::worker::Request::Handover),
    ];
    loop {
        for fx in pending.drain(..) {
            match fx {
                Effect::Store(req) => worker.send(req),
                Effect::Notify(list) => alerts.announce(&list),
                Effect::Copy(text) => {
                    use std::io::Write;
                    let bytes =
                        crate::notify::clipboard_bytes(&text, std::env::var_os("TMUX").is_some());
                    let mut out = std::io::stdout();
                    let _ = out.write_all(&bytes);
                    let _ = out.flush();
                }
                Effect::Quit => return Ok(()),
            }
        }
        if let Err(e) = terminal.draw(|f| views::draw(&app, f)) {
            if crate::process::is_hangup(&e) {
                return hung_up(terminal);
            }
            return Err(e.into());
        }
        let action = match rx.recv_timeout(until_next_second(clock)) {
            Ok(Event::Term(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                last_key = std::time::Instant::now();
                if app.revoked.is_some() {
                    // Records are gone from this session: only quitting is left.
                    let quit = k.code == crossterm::event::KeyCode::Char('q')
                        || (k.code == crossterm::event::KeyCode::Char('c')
                            && k.modifiers
                                .contains(crossterm::event::KeyModifiers::CONTROL));
                    quit.then_some(Action::Quit)
                } else if app.locked {
                    // Any key only unlocks; it does nothing else.
                    Some(Action::Unlock)
                } else if app.too_small() && k.code == crossterm::event::KeyCode::Char('q') {
                    Some(Action::Quit)
                } else if app.mode() == keymap::Mode::Prompt {
                    // Keys the prompt does not bind are text.
                    Some(
                        app.keymap
                            .lookup(app.mode(), k)
                            .unwrap_or(Action::PromptKey(k)),
                    )
                } else if app.mode() == keymap::Mode::Form {
                    // The form takes every key but Ctrl-C.
                    Some(match app.keymap.lookup(keymap::Mode::Dashboard, k) {
                        Some(Action::Quit)
                            if k.modifiers
                                .contains(crossterm::event::KeyModifiers::CONTROL) =>
                        {
                            Action::Quit
                        }
                        _ => Action::FormKey(k),
                    })
                } else if app.mode() == keymap::Mode::ContactSearch {
                    Some(
                        app.keymap
                            .lookup(app.mode(), k)
                            .unwrap_or(Action::SearchKey(k)),
                    )
                } else if app.mode() == keymap::Mode::Picker {
                    Some(
                        app.keymap
                            .lookup(app.mode(), k)
                            .unwrap_or(Action::PickerKey(k)),
                    )
                } else {
                    app.keymap.lookup(app.mode(), k)
                }
            }
            Ok(Event::Term(TermEvent::Resize(w, h))) => Some(Action::Resize(w, h)),
            Ok(Event::Term(TermEvent::Mouse(m))) if !app.locked => {
                if m.kind != crossterm::event::MouseEventKind::Moved {
                    last_key = std::time::Instant::now();
                }
                mouse::action(&app, m)
            }
            Ok(Event::Term(_)) => None,
            Ok(Event::Store(reply)) => Some(reply_action(reply)),
            Ok(Event::Signal) => Some(Action::Quit),
            Ok(Event::HangUp) => return hung_up(terminal),
            Err(RecvTimeoutError::Timeout) => {
                // A resize signal can be lost (e.g. before the input thread
                // first reads); the size itself is the truth.
                let size = match terminal.size() {
                    Ok(size) => size,
                    Err(e) if crate::process::is_hangup(&e) => return hung_up(terminal),
                    Err(e) => return Err(e.into()),
                };
                if (size.width, size.height) != (app.width, app.height) {
                    pending.extend(update(&mut app, Action::Resize(size.width, size.height)));
                }
                if !app.locked && idle_after.is_some_and(|d| last_key.elapsed() >= d) {
                    pending.extend(update(&mut app, Action::Lock));
                }
                Some(Action::Tick(clock.now()))
            }
            Err(RecvTimeoutError::Disconnected) => Some(Action::Quit),
        };
        if let Some(a) = action {
            pending.extend(update(&mut app, a));
        }
    }
}

/// Sleep until the wall clock's second turns, so every countdown changes on
/// time (a deadline can fall due at any second). A fixed clock still wakes
/// each second, to catch a resize whose signal was missed.
fn until_next_second(clock: Clock) -> Duration {
    match clock {
        Clock::Fixed(_) => Duration::from_secs(1),
        Clock::System => {
            let ms = (Utc::now().nanosecond() / 1_000_000) as u64 % 1000;
            Duration::from_millis(1000 - ms.min(999))
        }
    }
}

/// Ends the dashboard after a hang-up: exit 0, no panic, nothing printed.
/// The terminal is forgotten, not dropped, because dropping it tries to show
/// the cursor and reports the failure on the (dead) standard error.
fn hung_up<B: ratatui::backend::Backend>(terminal: Terminal<B>) -> Result<()> {
    std::mem::forget(terminal);
    Ok(())
}

fn spawn_input(tx: Sender<Event>) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.send(Event::Term(ev)).is_err() {
                            break;
                        }
                    }
                    // The terminal no longer answers: nothing more can be
                    // typed, so the dashboard ends as after a hang-up.
                    Err(_) => {
                        let _ = tx.send(Event::HangUp);
                        break;
                    }
                }
            }
        })
        .expect("spawn input thread");
}

fn spawn_signals(tx: Sender<Event>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let ev = if sig == SIGHUP {
                    Event::HangUp
                } else {
                    Event::Signal
                };
                if tx.send(ev).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Draws `app` into an off-screen buffer of the given size and returns it as
/// text: exactly what the terminal would show, minus colour.
pub fn render_text(app: &mut App, width: u16, height: u16) -> Result<String> {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    terminal.draw(|f| views::draw(app, f))?;
    Ok(views::buffer_text(terminal.backend().buffer()))
}
