//! The terminal: setting it up, always putting it back, and the event loop.
//!
//! Four sources feed one channel: keys and resizes (an input thread), the
//! store worker's replies, signals (SIGTERM, SIGHUP, SIGINT) and the clock.
//! The loop sleeps until one of them speaks or the second turns: countdowns
//! tick from the clock alone, never from re-querying the database.

pub mod action;
pub mod alerts;
pub mod app;
pub mod clipboard;
pub mod drafts;
pub mod form;
pub mod forms;
pub mod keymap;
pub mod layer;
pub mod layers;
pub mod route;
pub mod theme;
pub mod update;
pub mod views;
pub mod widgets;
pub mod workbench;

use crate::clock::Clock;
use crate::domain::staff::StaffMember;
use crate::store::Store;
use crate::store::worker::{Reply, Worker};
use action::Action;
use anyhow::Result;
use app::App;
use chrono::{Timelike, Utc};
use crossterm::event::Event as TermEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use route::Input;
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;
use update::{Effect, update};

enum Event {
    Term(TermEvent),
    Store(Reply),
    /// SIGTERM or SIGINT: quit as `q` would.
    Signal,
    /// Something to tell the user from the input thread (a split key
    /// sequence dropped).
    Notice(String),
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
        Reply::OpenAlerts(a) => Action::OpenAlertsLoaded(a),
        Reply::Areas(a) => Action::AreasLoaded(a),
        Reply::HeldItems(series, items) => Action::HeldItemsLoaded(series, items),
        Reply::Error(e) => Action::StoreError(e),
        Reply::Conflict(e) => Action::Conflict(e),
        Reply::Unchanged(id) => Action::Unchanged(id),
        Reply::Hidden(id) => Action::Hidden(id),
        Reply::VisibleAmong { asked, visible } => Action::NoLongerVisible(
            asked
                .into_iter()
                .filter(|id| !visible.contains(id))
                .collect(),
        ),
        Reply::Position { id, at } => Action::PositionLoaded { id, at },
        Reply::Revoked(why) => Action::Revoked(why),
        Reply::Work(w) => Action::WorkLoaded(w),
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
    use crossterm::{
        cursor::Show,
        event::{DisableBracketedPaste, DisableMouseCapture},
        terminal,
    };
    // Harmless when mouse reporting was never turned on.
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableBracketedPaste,
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
    // Drafts are the staff account's, on this database file: another
    // account played on the same OS account (a demo) never sees them.
    let as_os_account = crate::identity::os_account().is_ok_and(|u| u == me.username);
    let draft_file =
        drafts::dir().map(|d| drafts::DraftFile::new(d, store.path(), &me.username, as_os_account));
    let store_tx = tx.clone();
    let worker = Worker::spawn(store, me.clone(), clock, move |r| {
        store_tx.send(Event::Store(r)).is_ok()
    });
    spawn_signals(tx.clone())?;

    install_panic_hook();
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    let (config, config_error) = match crate::config::Config::load() {
        Ok(c) => (c, None),
        Err(e) => (crate::config::Config::default(), Some(e.to_string())),
    };
    // A paste arrives as one text, never as keys.
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    spawn_input(
        tx,
        Duration::from_millis(u64::from(config.terminal.escape_ms)),
    );

    let size = terminal.size()?;
    let mut app = App::new(me, clock.now(), read_only, theme);
    update(&mut app, Action::Resize(size.width, size.height));
    let (keymap, key_problems) = keymap::Keymap::with_overrides(&config.rebindings());
    app.ctx.keymap = keymap;
    app.ctx.theme = theme::Theme::named(&config.theme.name);
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
    let clip = clipboard::Path::from_env();
    let idle_after = match config.lock.idle_minutes {
        0 => None,
        m => Some(Duration::from_secs(u64::from(m) * 60)),
    };
    let mut last_key = std::time::Instant::now();
    let mut pending = vec![
        update::initial_load(),
        Effect::Store(crate::store::worker::Request::Reviews),
        // On the side lane: a key pressed at once is answered first.
        Effect::Store(crate::store::worker::Request::Side(Box::new(
            crate::store::worker::Request::Handover,
        ))),
    ];
    // Drafts from sessions that ended before saving are offered first.
    let mut kept = Kept::new(draft_file);
    let found = kept.adopt();
    pending.extend(update(&mut app, Action::DraftsFound(found)));
    loop {
        for fx in pending.drain(..) {
            match fx {
                Effect::Store(req) => worker.send(req),
                Effect::Notify(list) => alerts.announce(&list),
                Effect::Copy { text, what } => {
                    use std::io::Write;
                    let mut out = std::io::stdout();
                    let _ = out.write_all(&clip.bytes(&text));
                    let _ = out.flush();
                    update(&mut app, Action::Notice(clip.message(&what)));
                }
                Effect::Quit => {
                    kept.save(&app, clock, true);
                    return Ok(());
                }
            }
        }
        kept.save(&app, clock, false);
        if let Err(e) = terminal.draw(|f| app.draw(f)) {
            if crate::process::is_hangup(&e) {
                kept.save(&app, clock, true);
                return hung_up(terminal);
            }
            return Err(e.into());
        }
        let action = match rx.recv_timeout(until_next_second(clock)) {
            Ok(Event::Term(TermEvent::Key(k))) => {
                last_key = std::time::Instant::now();
                app.route(&Input::Key(k))
            }
            Ok(Event::Term(TermEvent::Paste(text))) => {
                last_key = std::time::Instant::now();
                app.route(&Input::Paste(text))
            }
            Ok(Event::Term(TermEvent::Resize(w, h))) => Some(Action::Resize(w, h)),
            Ok(Event::Term(TermEvent::Mouse(m))) => {
                if m.kind != crossterm::event::MouseEventKind::Moved {
                    last_key = std::time::Instant::now();
                }
                app.mouse(m)
            }
            Ok(Event::Term(_)) => None,
            Ok(Event::Notice(text)) => Some(Action::Notice(text)),
            Ok(Event::Store(reply)) => Some(reply_action(reply)),
            // SIGTERM, SIGINT: quit now, keeping what was typed as a draft.
            Ok(Event::Signal) => Some(Action::QuitNow),
            Ok(Event::HangUp) => {
                kept.save(&app, clock, true);
                return hung_up(terminal);
            }
            Err(RecvTimeoutError::Timeout) => {
                // A resize signal can be lost (e.g. before the input thread
                // first reads); the size itself is the truth.
                let size = match terminal.size() {
                    Ok(size) => size,
                    Err(e) if crate::process::is_hangup(&e) => {
                        kept.save(&app, clock, true);
                        return hung_up(terminal);
                    }
                    Err(e) => return Err(e.into()),
                };
                if (size.width, size.height) != (app.ctx.width, app.ctx.height) {
                    pending.extend(update(&mut app, Action::Resize(size.width, size.height)));
                }
                if idle_after.is_some_and(|d| last_key.elapsed() >= d) {
                    pending.extend(update(&mut app, Action::Lock));
                }
                kept.flush();
                Some(Action::Tick(clock.now()))
            }
            Err(RecvTimeoutError::Disconnected) => Some(Action::QuitNow),
        };
        if let Some(a) = action {
            pending.extend(update(&mut app, a));
        }
    }
}

/// Keeps the session's drafts in its private file: compared after every
/// change, written within a second (on the clock's tick) and at once when
/// the session ends.
struct Kept {
    file: Option<drafts::DraftFile>,
    /// The drafts as last seen (their time left out), and whether they
    /// still need writing.
    seen: String,
    list: Vec<drafts::Draft>,
    dirty: bool,
}

impl Kept {
    fn new(file: Option<drafts::DraftFile>) -> Kept {
        Kept {
            file,
            seen: "[]".into(),
            list: Vec::new(),
            dirty: false,
        }
    }

    fn adopt(&mut self) -> Vec<drafts::Draft> {
        self.file.as_ref().map(|f| f.adopt()).unwrap_or_default()
    }

    /// Notes the drafts the screen holds now; writes them if `now`.
    fn save(&mut self, app: &App, clock: Clock, now: bool) {
        let mut list = app.drafts();
        let key = {
            let mut bare = list.clone();
            for d in &mut bare {
                d.at = 0;
            }
            serde_json::to_string(&bare).unwrap_or_default()
        };
        if key != self.seen {
            let t = clock.now().timestamp();
            for d in &mut list {
                if d.at == 0 {
                    d.at = t;
                }
            }
            self.seen = key;
            self.list = list;
            self.dirty = true;
        }
        if now {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        if let Some(f) = &self.file {
            // A draft that cannot be kept must not stop the desk; it stays
            // on screen, and the next change tries again.
            if f.save(&self.list).is_err() {
                self.dirty = true;
            }
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

fn spawn_input(tx: Sender<Event>, escape: Duration) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let mut reader = Reader::new(escape);
            loop {
                match reader.burst() {
                    Ok((events, split)) => {
                        if split && tx.send(Event::Notice(SPLIT_IGNORED.into())).is_err() {
                            break;
                        }
                        if events
                            .into_iter()
                            .any(|ev| tx.send(Event::Term(ev)).is_err())
                        {
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

/// What the status line says when the tail of a key's escape sequence came
/// too late to be read with its Esc and was dropped rather than acted on.
pub const SPLIT_IGNORED: &str = "Ignored a split key sequence (its code arrived in pieces over the link): nothing else was done";

/// How long after a lone Esc the tail of its sequence is still recognised
/// (and dropped) when it comes late. Only a tail read whole at once counts
/// (`[` and its final letter within milliseconds), which no one types.
const LATE_TAIL: Duration = Duration::from_secs(2);

/// What follows a burst's first events at once (the rest of one write).
const BURST_TAIL: Duration = Duration::from_millis(3);

/// Reads the terminal's events, putting back together what an escape
/// sequence the terminal library did not know became: after an Esc it
/// waits up to the escape time (`[terminal] escape_ms`, 100 ms by default,
/// as terminals' own escape-time) for more, and keeps reading while the
/// events so far are the start of a sequence ([`keymap::sequence`]), so a
/// sequence split over SSH (`ESC`, then `[A` 60 ms later) is dropped whole
/// ([`keymap::decode_burst`]) and its letters never run commands. A lone
/// Esc counts only once the escape time has passed.
struct Reader {
    escape: Duration,
    /// Until when a late tail of the last lone Esc is recognised.
    late_until: Option<std::time::Instant>,
}

impl Reader {
    fn new(escape: Duration) -> Reader {
        Reader {
            escape,
            late_until: None,
        }
    }

    /// The next events to act on, and whether a split sequence was dropped
    /// (to say so).
    fn burst(&mut self) -> std::io::Result<(Vec<TermEvent>, bool)> {
        use crossterm::event::{poll, read};
        let first = read()?;
        let late = self.late_until.take();
        if keymap::is_esc(&first) {
            let mut burst = vec![first];
            while burst.len() < 64 {
                let wait = match keymap::sequence(&burst) {
                    keymap::Sequence::Prefix => self.escape,
                    _ => BURST_TAIL,
                };
                if !poll(wait)? {
                    break;
                }
                burst.push(read()?);
            }
            // A sequence begun and never finished (`ESC [` then nothing).
            let broken = burst.len() > 1 && keymap::sequence(&burst) == keymap::Sequence::Prefix;
            if burst.len() == 1 {
                self.late_until = Some(std::time::Instant::now() + LATE_TAIL);
            }
            return Ok((keymap::decode_burst(burst), broken));
        }
        if late.is_some_and(|until| std::time::Instant::now() < until) {
            let mut burst = vec![first];
            while burst.len() < 64 && poll(BURST_TAIL)? {
                burst.push(read()?);
            }
            let n = keymap::late_tail(&burst);
            return Ok((burst.split_off(n), n > 0));
        }
        Ok((vec![first], false))
    }
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
    terminal.draw(|f| app.draw(f))?;
    Ok(views::buffer_text(terminal.backend().buffer()))
}
