//! `update(app, action)`: the one place state changes. Returns the effects for
//! the event loop to carry out, so tests can drive it with no terminal or store.

use super::action::Action;
use super::app::{
    App, Confirm, Detail, Focus, MatchOffer, PROMPT_MAX, Picker, Prompt, PromptKind, Screen,
    StatusKind, StatusLine, Target, TextVerb, WINDOW, Window,
};
use super::form::Outcome as FormOutcome;
use super::forms::{self, FormKind};
use crate::domain::alert::{Alert, summary};
use crate::domain::staff::Role;
use crate::store::worker::{Request, Verb};
use chrono::Datelike;
use crossterm::event::{KeyCode, KeyModifiers};

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Store(Request),
    /// Put text on the user's clipboard (OSC 52).
    Copy(String),
    /// Ring, signal the terminal and show a desktop notification.
    Notify(Vec<Alert>),
    Quit,
}

/// The request that loads the first dashboard.
pub fn initial_load() -> Effect {
    Effect::Store(Request::Dashboard {
        offset: 0,
        limit: WINDOW,
        keep: None,
        deadlines_offset: 0,
    })
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    if app.revoked.is_some() {
        // Nothing more is loaded, shown or sent: quit, resize and the clock only.
        match action {
            Action::Quit => {
                app.quit = true;
                fx.push(Effect::Quit);
            }
            Action::Resize(w, h) => (app.width, app.height) = (w, h),
            Action::Tick(now) => app.now = now,
            _ => {}
        }
        return fx;
    }
    match action {
        Action::Revoked(why) => revoke(app, why),
        Action::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Pause => {
            app.paused = !app.paused;
            if !app.paused && app.changed_while_paused {
                app.changed_while_paused = false;
                reload(app, &mut fx);
                refresh_views(app, &mut fx);
            }
        }
        Action::Lock => app.locked = true,
        Action::Unlock => app.locked = false,
        Action::Help => {
            app.help = true;
            app.help_scroll = 0;
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown if app.help => {
            let page = app.height.saturating_sub(6).max(1);
            let max = super::views::help::max_scroll(app);
            app.help_scroll = match action {
                Action::Up => app.help_scroll.saturating_sub(1),
                Action::Down => app.help_scroll.saturating_add(1),
                Action::PageUp => app.help_scroll.saturating_sub(page),
                _ => app.help_scroll.saturating_add(page),
            }
            .min(max);
        }
        Action::Back if app.help => app.help = false,
        Action::Back if app.screen == Screen::Reviews => app.screen = Screen::Dashboard,
        Action::Back if app.screen == Screen::Handover => app.screen = Screen::Dashboard,
        Action::Handover => {
            app.screen = Screen::Handover;
            app.handover_scroll = 0;
            fx.push(Effect::Store(Request::Handover));
        }
        Action::HandoverLoaded(h) => {
            // A DSL whose shift began in the last two hours sees the handover
            // by itself when dutydesk starts: that is taking over.
            let first = !app.handover_checked;
            app.handover_checked = true;
            let mine_just_begun = h.current.as_ref().is_some_and(|s| {
                s.username == app.me.username && h.now - s.starts_at <= chrono::Duration::hours(2)
            });
            // Only from the bare dashboard: never over a form, prompt or other screen.
            if first && mine_just_begun && app.mode() == super::keymap::Mode::Dashboard {
                app.screen = Screen::Handover;
                app.handover_scroll = 0;
            }
            app.handover = Some(*h);
        }
        Action::TakeOver => {
            if may_write(app, "Viewers do not go on duty; ask a DSL") {
                app.confirm = Some(Confirm {
                    question: "Go on duty now? Whoever is on duty hands over to you.".into(),
                    request: Request::TakeOver,
                });
            }
        }
        Action::HandoverNote => {
            if may_write(app, "Viewers cannot leave handover notes; ask a DSL") {
                app.prompt = Some(Prompt {
                    kind: PromptKind::HandoverNote,
                    input: String::new(),
                    error: None,
                    saving: false,
                });
            }
        }
        Action::Reviews => {
            app.screen = Screen::Reviews;
            app.reviews_scroll = 0;
            refresh_views(app, &mut fx);
        }
        Action::ReviewsLoaded(r) => {
            let first = app.agenda.is_none() && app.screen == Screen::Reviews;
            app.reviews = r;
            app.reviews_series = app.reviews_series.min(app.reviews.len().saturating_sub(1));
            if first {
                refresh_reviews_agenda(app, &mut fx);
            }
        }
        Action::AgendaLoaded(a) => {
            // A late answer for a series no longer shown is dropped.
            if app.reviews.get(app.reviews_series).map(|s| &s.code) == Some(&a.code) {
                app.agenda = Some(*a);
                app.reviews_scroll = app.reviews_scroll.min(agenda_max_scroll(app));
            }
        }
        Action::NextSeries | Action::PreviousSeries => {
            let n = app.reviews.len();
            if n > 0 {
                app.reviews_series = if action == Action::NextSeries {
                    (app.reviews_series + 1) % n
                } else {
                    (app.reviews_series + n - 1) % n
                };
                app.agenda = None;
                app.reviews_scroll = 0;
                refresh_reviews_agenda(app, &mut fx);
            }
        }
        Action::AddToReview => {
            if let Some(target) = writable_target(app) {
                match app.reviews.first() {
                    Some(a) => {
                        app.prompt = Some(Prompt {
                            kind: PromptKind::Review {
                                target,
                                series: a.code.clone(),
                                name: a.name.clone(),
                            },
                            input: String::new(),
                            error: None,
                            saving: false,
                        })
                    }
                    None => info(
                        app,
                        StatusKind::Error,
                        "No review series: see `dutydesk reviews`",
                    ),
                }
            }
        }
        Action::Back if app.screen == Screen::Reports => {
            app.screen = app.reports.back.take().unwrap_or(Screen::Dashboard);
        }
        Action::Reports => {
            // The last 12 full months by default: the annual report's shape.
            let today = crate::domain::calendar::local(app.now).date_naive();
            let to = today.with_day0(0).unwrap_or(today) - chrono::Duration::days(1);
            let from = to
                .with_day0(0)
                .and_then(|d| d.checked_sub_months(chrono::Months::new(11)))
                .unwrap_or(to);
            let r = &mut app.reports;
            r.back = Some(app.screen);
            if r.from.is_none() {
                r.from = Some(from);
                r.to = Some(to);
            }
            fx.push(Effect::Store(Request::Report {
                from: r.from.unwrap_or(from),
                to: r.to.unwrap_or(to),
            }));
            app.screen = Screen::Reports;
        }
        Action::PeriodBack | Action::PeriodForward => {
            let r = &mut app.reports;
            if let (Some(from), Some(to)) = (r.from, r.to) {
                let len = (to - from).num_days() + 1;
                let shift = chrono::Duration::days(if action == Action::PeriodBack {
                    -len
                } else {
                    len
                });
                r.from = Some(from + shift);
                r.to = Some(to + shift);
                fx.push(Effect::Store(Request::Report {
                    from: from + shift,
                    to: to + shift,
                }));
            }
        }
        Action::NextTable => {
            let n = app
                .reports
                .report
                .as_ref()
                .map_or(1, |r| r.tables.len().max(1));
            app.reports.table = (app.reports.table + 1) % n;
        }
        Action::ReportLoaded(r) => app.reports.report = Some(r),
        Action::Back if app.screen == Screen::Contacts && app.contacts.open => {
            app.contacts.open = false;
        }
        Action::Back if app.screen == Screen::Contacts => {
            app.screen = app.contacts.back.take().unwrap_or(Screen::Dashboard);
        }
        Action::Back => {
            app.screen = Screen::Dashboard;
            app.detail = None;
        }
        Action::Contacts | Action::LookUp => {
            let back = app.screen;
            let target = app.target();
            let c = &mut app.contacts;
            c.back = Some(back);
            c.selected = 0;
            c.open = false;
            c.loading = true;
            c.answers.clear();
            if action == Action::LookUp {
                let Some(t) = target else {
                    return vec![];
                };
                c.for_escalation = Some(t.reference.clone());
                c.query.clear();
                c.route = None;
                c.area = None;
                fx.push(Effect::Store(Request::LookUp { id: t.id }));
            } else {
                c.for_escalation = None;
                fx.push(contacts_request(c));
            }
            app.screen = Screen::Contacts;
        }
        Action::ContactsLoaded(list, all) => {
            let c = &mut app.contacts;
            c.answers = list;
            c.all = all;
            c.loading = false;
            c.selected = c.selected.min(c.answers.len().saturating_sub(1));
        }
        Action::Search => {
            app.contacts.typing = true;
            app.contacts.for_escalation = None;
        }
        Action::SearchKey(key) => {
            let c = &mut app.contacts;
            match key.code {
                KeyCode::Char(ch) if !ch.is_control() && c.query.chars().count() < 100 => {
                    c.query.push(ch)
                }
                KeyCode::Backspace => {
                    c.query.pop();
                }
                _ => return fx,
            }
            c.selected = 0;
            fx.push(contacts_request(c));
        }
        Action::Submit if app.mode() == super::keymap::Mode::ContactSearch => {
            app.contacts.typing = false
        }
        Action::Cancel if app.mode() == super::keymap::Mode::ContactSearch => {
            let c = &mut app.contacts;
            c.typing = false;
            c.query.clear();
            fx.push(contacts_request(c));
        }
        Action::CycleRoute | Action::CycleArea => {
            const ROUTES: &[&str] = &[
                "children",
                "adults",
                "lado",
                "marac",
                "police",
                "emergency",
                "nrm",
                "dbs",
                "home_office",
                "other",
            ];
            let c = &mut app.contacts;
            if action == Action::CycleRoute {
                c.route = cycle(
                    ROUTES.iter().map(|s| s.to_string()).collect(),
                    c.route.take(),
                );
            } else {
                let mut areas: Vec<String> = c
                    .answers
                    .iter()
                    .filter_map(|a| a.contact.area.clone())
                    .chain(c.area.clone())
                    .collect();
                areas.sort();
                areas.dedup();
                c.area = cycle(areas, c.area.take());
            }
            c.for_escalation = None;
            c.selected = 0;
            fx.push(contacts_request(c));
        }
        Action::Copy => {
            let c = &app.contacts;
            match c
                .answers
                .get(c.selected)
                .and_then(|a| a.ring.clone().map(|r| (r, a.ring_service.clone())))
            {
                Some((number, whose)) => {
                    fx.push(Effect::Copy(number.clone()));
                    info(
                        app,
                        StatusKind::Info,
                        &format!("Copied {number} ({whose}) to the clipboard"),
                    );
                }
                None => info(app, StatusKind::Error, "No number to copy"),
            }
        }
        Action::AddContact | Action::EditContact => {
            if app.read_only || !app.me.role.manages_desk() {
                info(
                    app,
                    StatusKind::Error,
                    "Only a DSL or senior lead can change contacts",
                );
            } else {
                let editing = if action == Action::EditContact {
                    match app.contacts.answers.get(app.contacts.selected) {
                        Some(a) => Some(a.contact.clone()),
                        None => return fx,
                    }
                } else {
                    None
                };
                let others = app.contacts.all.clone();
                let id = editing.as_ref().map(|c| c.id);
                let f = forms::contact(editing.as_ref(), &others);
                app.form = Some((FormKind::Contact(id), f));
            }
        }
        Action::Click { focus, at } => {
            // A second click on the selected escalation opens it.
            let again = app.focus == focus
                && match focus {
                    Focus::Queue => app.queue.selected == at,
                    Focus::Deadlines => app.deadlines.selected == at,
                };
            app.focus = focus;
            if again && focus == Focus::Queue {
                fx.extend(update(app, Action::Open));
            } else {
                let list_moved = match focus {
                    Focus::Queue => select(&mut app.queue, at),
                    Focus::Deadlines => select(&mut app.deadlines, at),
                };
                if list_moved {
                    reload(app, &mut fx);
                }
            }
        }
        Action::FocusNext => {
            app.focus = match app.focus {
                Focus::Queue => Focus::Deadlines,
                Focus::Deadlines => Focus::Queue,
            };
        }
        Action::Created {
            message,
            id,
            reference,
            matches,
        } => {
            let fx2 = update(app, Action::Saved(message));
            fx.extend(fx2);
            if !matches.is_empty() {
                app.matches = Some(MatchOffer {
                    new: Target {
                        id,
                        reference,
                        version: None,
                    },
                    list: matches,
                    selected: 0,
                });
            }
        }
        Action::LinkMatch | Action::DismissMatch => {
            if let Some(m) = app.matches.as_mut()
                && m.selected < m.list.len()
            {
                let other = m.list.remove(m.selected);
                if action == Action::LinkMatch {
                    fx.push(act(&m.new, Verb::Link(other.id)));
                }
                m.selected = m.selected.min(m.list.len().saturating_sub(1));
                if m.list.is_empty() {
                    app.matches = None;
                }
            }
        }
        Action::Cancel if app.matches.is_some() && app.prompt.is_none() => app.matches = None,
        Action::Up | Action::Down if app.matches.is_some() && app.prompt.is_none() => {
            if let Some(m) = app.matches.as_mut() {
                m.selected = if action == Action::Up {
                    m.selected.saturating_sub(1)
                } else {
                    (m.selected + 1).min(m.list.len().saturating_sub(1))
                };
            }
        }
        Action::Up | Action::Down if app.picker.is_some() => {
            if let Some(p) = app.picker.as_mut() {
                let n = p.matches().len();
                if n > 0 {
                    p.selected = if action == Action::Up {
                        p.selected.saturating_sub(1)
                    } else {
                        (p.selected + 1).min(n - 1)
                    };
                }
            }
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => match (app.screen, app.focus) {
            (Screen::Dashboard, Focus::Queue) => {
                let page = app.list_height();
                if step(&mut app.queue, &action, page) {
                    reload(app, &mut fx);
                }
            }
            (Screen::Dashboard, Focus::Deadlines) => {
                let page = app.deadlines_height();
                if step(&mut app.deadlines, &action, page) {
                    reload(app, &mut fx);
                }
            }
            (Screen::Detail, _) => scroll_detail(app, &action),
            (Screen::Reports, _) => {}
            (Screen::Handover, _) => {
                let page = super::views::handover::rows(app);
                let max = super::views::handover::max_scroll(app);
                app.handover_scroll = scrolled(app.handover_scroll, &action, page, max);
            }
            (Screen::Reviews, _) => {
                let page = super::views::reviews::agenda_rows(app);
                let max = agenda_max_scroll(app);
                app.reviews_scroll = scrolled(app.reviews_scroll, &action, page, max);
            }
            (Screen::Contacts, _) => {
                let c = &mut app.contacts;
                let last = c.answers.len().saturating_sub(1);
                c.selected = match action {
                    Action::Up => c.selected.saturating_sub(1),
                    Action::Down => (c.selected + 1).min(last),
                    Action::PageUp => c.selected.saturating_sub(10),
                    Action::PageDown => (c.selected + 10).min(last),
                    Action::Top => 0,
                    _ => last,
                };
            }
        },
        Action::Open if app.screen == Screen::Contacts => app.contacts.open = !app.contacts.open,
        Action::Open => {
            let id = match app.focus {
                Focus::Queue => app.queue.selected_row().map(|r| r.id),
                Focus::Deadlines => app.deadlines.selected_row().map(|d| d.escalation_id),
            };
            if let Some(id) = id {
                fx.push(Effect::Store(Request::Detail { id }));
            }
        }
        Action::Meet | Action::Waive => open_prompt(app, &action),
        Action::Acknowledge => {
            if let Some(t) = writable_target(app) {
                match holder(app).filter(|h| *h != app.me.display_name) {
                    // Someone else holds it: ask, and tell them if taken.
                    Some(h) => {
                        app.confirm = Some(Confirm {
                            question: format!(
                                "{} is held by {h}. Take it from them? They will be told.",
                                t.reference
                            ),
                            request: Request::Act {
                                id: t.id,
                                version: t.version,
                                verb: Verb::Take,
                            },
                        })
                    }
                    None => {
                        app.status = Some(StatusLine {
                            kind: StatusKind::Info,
                            text: format!("Taking {}…", t.reference),
                        });
                        fx.push(act(&t, Verb::Acknowledge));
                    }
                }
            }
        }
        Action::Access => {
            if app.me.role != Role::Senior {
                info(
                    app,
                    StatusKind::Error,
                    "Only a senior lead can change who sees a record; ask one",
                );
            } else if let Some(t) = writable_target(app) {
                fx.push(Effect::Store(Request::AccessLists { id: t.id }));
                app.access_pending = Some(t);
            }
        }
        Action::AccessLoaded(l) => {
            if let Some(t) = app.access_pending.take().filter(|t| t.id == l.id) {
                let f = forms::access(&t, &l, &app.staff);
                app.form = Some((FormKind::Access(t, l), f));
            }
        }
        Action::Assign => {
            if let Some(target) = writable_target(app) {
                app.picker = Some(Picker {
                    target,
                    staff: None,
                    filter: String::new(),
                    selected: 0,
                });
                fx.push(Effect::Store(Request::Assignable));
            }
        }
        Action::Intake => {
            if app.read_only || app.me.role == Role::Viewer {
                info(
                    app,
                    StatusKind::Error,
                    "Only DSLs can record escalations here",
                );
            } else {
                app.form = Some((FormKind::Intake, forms::intake(&app.categories, &app.staff)));
            }
        }
        Action::Close => {
            if let Some(t) = writable_target(app) {
                let f = forms::close(&t, &app.outcomes);
                app.form = Some((FormKind::Close(t), f));
            }
        }
        Action::Refer => {
            if let Some(t) = writable_target(app) {
                fx.push(Effect::Store(Request::ReferOptions { id: t.id }));
                app.refer_pending = Some(t);
                info(app, StatusKind::Info, "Finding the routes and contacts…");
            }
        }
        Action::ReferOptionsLoaded(o) => {
            if let Some(t) = app.refer_pending.take().filter(|t| t.id == o.id) {
                let f = forms::refer(&t, &o);
                app.form = Some((FormKind::Refer(t), f));
                app.status = None;
            }
        }
        Action::FormKey(key) => form_key(app, key, &mut fx),
        Action::AssignableLoaded(list) => {
            if let Some(p) = app.picker.as_mut() {
                p.staff = Some(list);
                p.selected = 0;
            }
        }
        Action::PickerKey(key) => {
            if let Some(p) = app.picker.as_mut() {
                match key.code {
                    KeyCode::Char(c) if !c.is_control() && p.filter.chars().count() < 100 => {
                        p.filter.push(c);
                        p.selected = 0;
                    }
                    KeyCode::Backspace => {
                        p.filter.pop();
                        p.selected = 0;
                    }
                    _ => {}
                }
            }
        }
        Action::Approve | Action::SendBack => {
            let approve = action == Action::Approve;
            if let Some(t) = writable_target(app) {
                match &app.detail {
                    Some(d) if app.screen == Screen::Detail && d.data.summary.id == t.id => {
                        let d = d.data.clone();
                        signoff_prompt(app, &d, approve);
                    }
                    // From the list: open the record first, so the prompt
                    // shows the proposal being approved.
                    _ => {
                        app.signoff_pending = Some((t.id, approve));
                        fx.push(Effect::Store(Request::Detail { id: t.id }));
                        info(
                            app,
                            StatusKind::Info,
                            &format!("Opening {} to show the proposed closure…", t.reference),
                        );
                    }
                }
            }
        }
        Action::Note | Action::Reopen => {
            let verb = match action {
                Action::Note => TextVerb::Note,
                _ => TextVerb::Reopen,
            };
            if let Some(target) = writable_target(app) {
                app.prompt = Some(Prompt {
                    kind: PromptKind::Escalation { target, verb },
                    input: String::new(),
                    error: None,
                    saving: false,
                });
            }
        }
        Action::Event => {
            if app.events.is_empty() {
                info(
                    app,
                    StatusKind::Error,
                    "No deadline rule waits for an event (see `dutydesk rules list`)",
                );
            } else if let Some(target) = writable_target(app) {
                app.prompt = Some(Prompt {
                    kind: PromptKind::Event {
                        target,
                        events: app.events.clone(),
                        at: 0,
                    },
                    input: String::new(),
                    error: None,
                    saving: false,
                });
            }
        }
        Action::NextChoice => {
            if let Some(Prompt {
                kind: PromptKind::Event { events, at, .. },
                ..
            }) = app.prompt.as_mut()
            {
                *at = (*at + 1) % events.len().max(1);
            }
        }
        Action::Confirm(yes) => {
            if let Some(c) = app.confirm.take()
                && yes
            {
                fx.push(Effect::Store(c.request));
                if let Some((_, f)) = app.form.as_mut() {
                    f.saving = true;
                }
                app.status = Some(StatusLine {
                    kind: StatusKind::Info,
                    text: "Saving…".into(),
                });
            }
        }
        Action::Dismiss => {
            app.alert = None;
            keep_visible(app);
        }
        Action::PromptKey(key) => {
            if let Some(p) = app.prompt.as_mut().filter(|p| !p.saving) {
                match key.code {
                    KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        p.input.clear()
                    }
                    KeyCode::Char(c) if !c.is_control() && p.input.chars().count() < PROMPT_MAX => {
                        p.input.push(c);
                        p.error = None;
                    }
                    KeyCode::Backspace => {
                        p.input.pop();
                    }
                    _ => {}
                }
            }
        }
        Action::Submit if app.picker.is_some() => {
            if let Some(p) = &app.picker {
                match p.matches().get(p.selected) {
                    Some(s) => {
                        fx.push(act(&p.target, Verb::Assign(s.username.clone())));
                        app.picker = None;
                    }
                    None => {
                        app.status = Some(StatusLine {
                            kind: StatusKind::Error,
                            text: "Nobody matches: Backspace to widen the search".into(),
                        })
                    }
                }
            }
        }
        Action::Cancel if app.picker.is_some() => app.picker = None,
        Action::Submit => submit(app, &mut fx),
        Action::Cancel => {
            // While a save is on its way the prompt stays: its answer decides.
            if app.prompt.as_ref().is_some_and(|p| !p.saving) {
                app.prompt = None;
            }
        }
        Action::Saved(text) => {
            app.prompt = None;
            if app.form.as_ref().is_some_and(|(_, f)| f.saving) {
                app.form = None;
            }
            app.status = Some(StatusLine {
                kind: StatusKind::Info,
                text,
            });
            // Our own commit does not wake the change poll: reload now,
            // and the open record too.
            reload(app, &mut fx);
            if app.screen == Screen::Contacts {
                fx.push(contacts_request(&app.contacts));
            }
            refresh_views(app, &mut fx);
            if let Some(d) = &app.detail {
                fx.push(Effect::Store(Request::Detail {
                    id: d.data.summary.id,
                }));
            }
        }
        Action::DashboardLoaded(d) => {
            app.org = d.org;
            app.on_duty = d.on_duty;
            app.counting = d.counting;
            app.unacked_total = d.unacked_total;
            app.unacked = d.unacked;
            app.ack_minutes = d.ack_minutes;
            app.categories = d.categories;
            app.outcomes = d.outcomes;
            app.events = d.events;
            app.staff = d.staff;
            app.holidays_through = d.holidays_through;
            app.queue.load(d.total, d.offset, d.rows);
            if let Some(pos) = d.kept_at {
                app.queue.selected = pos.clamp(0, (app.queue.total - 1).max(0));
            }
            app.deadlines
                .load(d.deadlines_total, d.deadlines_offset, d.deadlines);
            keep_visible(app);
            if missing(&app.queue) || missing(&app.deadlines) {
                reload(app, &mut fx);
            }
        }
        Action::DetailLoaded(d) => {
            // A reload of the record on screen keeps the reading position.
            let scroll = match &app.detail {
                Some(old) if old.data.summary.id == d.summary.id => old.scroll,
                _ => 0,
            };
            let pending = app.signoff_pending.take_if(|(id, _)| *id == d.summary.id);
            app.detail = Some(Detail {
                data: d.clone(),
                scroll,
            });
            app.screen = Screen::Detail;
            if let Some((_, approve)) = pending {
                app.status = None;
                signoff_prompt(app, &d, approve);
            }
        }
        Action::Changed if app.paused => app.changed_while_paused = true,
        Action::Changed => {
            reload(app, &mut fx);
            refresh_views(app, &mut fx);
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
            app.deadlines.loading = false;
            let saving_form = app.form.as_mut().map(|(_, f)| f).filter(|f| f.saving);
            match (app.prompt.as_mut(), saving_form) {
                // The typed text stays; the refusal shows in the prompt.
                (Some(p), _) => {
                    p.saving = false;
                    p.error = Some(msg);
                }
                // Likewise in a form.
                (None, Some(f)) => {
                    f.saving = false;
                    f.error = Some(msg);
                }
                (None, None) => {
                    app.status = Some(StatusLine {
                        kind: StatusKind::Error,
                        text: msg,
                    })
                }
            }
        }
        Action::Alerts(alerts) => {
            if let Some(text) = summary(&alerts) {
                app.alert = Some(text);
                fx.push(Effect::Notify(alerts));
            }
        }
        Action::Tick(now) => {
            // Open/closed changes with the clock: refresh the contacts each minute.
            use chrono::Timelike;
            if app.screen == Screen::Contacts
                && now.minute() != app.now.minute()
                && app.contacts.for_escalation.is_none()
            {
                fx.push(contacts_request(&app.contacts));
            }
            app.now = now;
        }
        Action::Resize(w, h) => {
            app.width = w;
            app.height = h;
            keep_visible(app);
        }
    }
    fx
}

/// Moves a window's selection. Returns true when the selection has left the
/// rows in memory and another window must be loaded.
fn step<T>(w: &mut Window<T>, action: &Action, page: i64) -> bool {
    let page = page.max(1);
    let to = match action {
        Action::Up => w.selected - 1,
        Action::Down => w.selected + 1,
        Action::PageUp => w.selected - page,
        Action::PageDown => w.selected + page,
        Action::Top => 0,
        _ => w.total - 1,
    };
    let load = select(w, to);
    scroll_to(w, page);
    load
}

/// Selects list position `at` (within the list); whether its row must be loaded.
fn select<T>(w: &mut Window<T>, at: i64) -> bool {
    w.selected = at.clamp(0, (w.total - 1).max(0));
    missing(w)
}

/// Whether the selection is outside the rows in memory (and none are coming).
fn missing<T>(w: &Window<T>) -> bool {
    w.total > 0 && w.row(w.selected).is_none() && !w.loading
}

/// Scrolls so the selection is among the `height` rows drawn.
fn scroll_to<T>(w: &mut Window<T>, height: i64) {
    let h = height.max(1);
    if w.selected < w.top {
        w.top = w.selected;
    } else if w.selected >= w.top + h {
        w.top = w.selected - h + 1;
    }
    w.top = w.top.clamp(0, (w.total - h).max(0));
}

fn keep_visible(app: &mut App) {
    let (qh, dh) = (app.list_height(), app.deadlines_height());
    scroll_to(&mut app.queue, qh);
    scroll_to(&mut app.deadlines, dh);
}

/// What is shown beside the lists, after any change, ours or another
/// session's: the review counts on the dashboard's strip, and the agenda or
/// the handover when that screen is open.
fn refresh_views(app: &App, fx: &mut Vec<Effect>) {
    fx.push(Effect::Store(Request::Reviews));
    if app.screen == Screen::Handover {
        fx.push(Effect::Store(Request::Handover));
    }
    if app.screen == Screen::Reviews {
        refresh_reviews_agenda(app, fx);
    }
}

fn refresh_reviews_agenda(app: &App, fx: &mut Vec<Effect>) {
    if let Some(s) = app.reviews.get(app.reviews_series) {
        fx.push(Effect::Store(Request::Agenda {
            series: s.code.clone(),
        }));
    }
}

/// A text's first line after a movement key, `page` lines to a page, never
/// past `max`.
fn scrolled(at: usize, action: &Action, page: usize, max: usize) -> usize {
    match action {
        Action::Up => at.saturating_sub(1),
        Action::Down => at + 1,
        Action::PageUp => at.saturating_sub(page),
        Action::PageDown => at + page,
        Action::Top => 0,
        _ => usize::MAX,
    }
    .min(max)
}

/// The furthest the agenda can scroll: its last line at the bottom.
fn agenda_max_scroll(app: &App) -> usize {
    app.agenda.as_ref().map_or(0, |a| {
        a.items
            .len()
            .saturating_sub(super::views::reviews::agenda_rows(app))
    })
}

/// Asks for both lists again, each window placed around its selection, and
/// the queue kept on the selected escalation wherever it now stands.
fn reload(app: &mut App, fx: &mut Vec<Effect>) {
    let around = |w: i64, loaded: bool, offset: i64| {
        if loaded && (w < offset || w >= offset + WINDOW) {
            (w - WINDOW / 2).max(0)
        } else {
            offset
        }
    };
    let q = &app.queue;
    let offset = around(q.selected, q.loaded, q.offset);
    let keep = q.selected_row().map(|r| r.id);
    let d = &app.deadlines;
    let deadlines_offset = around(d.selected, d.loaded, d.offset);
    app.queue.loading = true;
    app.deadlines.loading = true;
    fx.push(Effect::Store(Request::Dashboard {
        offset,
        limit: WINDOW,
        keep,
        deadlines_offset,
    }));
}

/// A key for the open form; on save, the form is read, checked and either
/// sent (intake) or put to the user as a yes/no question (close, refer).
fn form_key(app: &mut App, key: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
    let now = app.now;
    let me = app.me.clone();
    let staff = &app.staff;
    let Some((kind, form)) = app.form.as_mut() else {
        return;
    };
    let outcome = form.key(key);
    if *kind == FormKind::Intake {
        form.warning = (form.toggle("immediate") && !form.toggle("called_999")).then(|| {
            "LIFE AT RISK: CALL 999 NOW. Then mark \"999 called\" and finish the record.".into()
        });
    }
    match outcome {
        FormOutcome::Continue => {}
        FormOutcome::Cancel => app.form = None,
        FormOutcome::Submit => match kind {
            FormKind::Intake => {
                if let Some(req) = forms::read_intake(form, now, &me, staff) {
                    form.saving = true;
                    fx.push(Effect::Store(req));
                }
            }
            FormKind::Close(t) => {
                let t = t.clone();
                if let Some((question, request)) = forms::read_close(form, &t) {
                    app.confirm = Some(Confirm { question, request });
                }
            }
            FormKind::Refer(t) => {
                let t = t.clone();
                if let Some((question, request)) = forms::read_refer(form, &t) {
                    app.confirm = Some(Confirm { question, request });
                }
            }
            FormKind::Access(t, before) => {
                let t = t.clone();
                if let Some((question, request)) = forms::read_access(form, &t, before) {
                    app.confirm = Some(Confirm { question, request });
                }
            }
            FormKind::Contact(id) => {
                if let Some(req) = forms::read_contact(form, *id) {
                    form.saving = true;
                    fx.push(Effect::Store(req));
                }
            }
        },
    }
}

/// The contacts request for the screen's search and filters.
fn contacts_request(c: &super::app::ContactsView) -> Effect {
    Effect::Store(Request::Contacts {
        query: c.query.clone(),
        route: c.route.clone(),
        area: c.area.clone(),
    })
}

/// The next value of a filter: none → first → ... → last → none.
fn cycle(options: Vec<String>, current: Option<String>) -> Option<String> {
    match current.and_then(|c| options.iter().position(|o| *o == c)) {
        None => options.first().cloned(),
        Some(i) => options.get(i + 1).cloned(),
    }
}

/// A verb's request against the version the user saw.
fn act(t: &Target, verb: Verb) -> Effect {
    Effect::Store(Request::Act {
        id: t.id,
        version: t.version,
        verb,
    })
}

/// The escalation a verb may act on, or a status line saying why not.
fn writable_target(app: &mut App) -> Option<Target> {
    if !may_write(
        app,
        "Viewers can read but not change escalations; ask a DSL",
    ) {
        return None;
    }
    let t = app.target();
    if t.is_none() {
        info(
            app,
            StatusKind::Error,
            "Select an escalation in the list first (Tab back to it)",
        );
    }
    t
}

/// Drops every record the session holds and shows why instead: the user
/// was deactivated or given another role in another session.
fn revoke(app: &mut App, why: String) {
    let (me, now, read_only, theme) = (app.me.clone(), app.now, app.read_only, app.theme);
    let (width, height) = (app.width, app.height);
    let keymap = std::mem::take(&mut app.keymap);
    *app = App::new(me, now, read_only, theme);
    (app.width, app.height, app.keymap) = (width, height, keymap);
    app.revoked = Some(why);
}

fn info(app: &mut App, kind: StatusKind, text: &str) {
    app.status = Some(StatusLine {
        kind,
        text: text.to_string(),
    });
}

/// Whether this session may change anything; if not, the status line says
/// why (`as_viewer` for a viewer's account).
fn may_write(app: &mut App, as_viewer: &str) -> bool {
    if app.read_only {
        info(
            app,
            StatusKind::Error,
            "Read-only database: nothing can be changed",
        );
        return false;
    }
    if app.me.role == Role::Viewer {
        info(app, StatusKind::Error, as_viewer);
        return false;
    }
    true
}

fn open_prompt(app: &mut App, action: &Action) {
    if !may_write(app, "Viewers cannot change deadlines; ask a DSL") {
        return;
    }
    let Some(d) = app.deadlines.selected_row() else {
        return info(app, StatusKind::Error, "No deadline selected");
    };
    let (id, reference, label) = (d.id, d.reference.clone(), d.label.clone());
    let kind = if *action == Action::Meet {
        PromptKind::Meet {
            id,
            reference,
            label,
        }
    } else {
        PromptKind::Waive {
            id,
            reference,
            label,
        }
    };
    app.prompt = Some(Prompt {
        kind,
        input: String::new(),
        error: None,
        saving: false,
    });
}

fn submit(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.prompt.as_mut().filter(|p| !p.saving) else {
        return;
    };
    let req = match &p.kind {
        PromptKind::Meet { id, .. } => Request::Meet {
            id: *id,
            note: p.input.clone(),
        },
        PromptKind::Waive { id, .. } => {
            if let Err(e) = crate::domain::text::validate_line("reason", &p.input, PROMPT_MAX) {
                p.error = Some(format!("{e}: say why this deadline no longer applies"));
                return;
            }
            Request::Waive {
                id: *id,
                reason: p.input.clone(),
            }
        }
        PromptKind::Event { target, events, at } => {
            if !p.input.trim().is_empty()
                && let Err(e) = crate::domain::text::validate_block("note", &p.input, PROMPT_MAX)
            {
                p.error = Some(e.to_string());
                return;
            }
            Request::Act {
                id: target.id,
                version: target.version,
                verb: Verb::Event {
                    event: events.get(*at).cloned().unwrap_or_default(),
                    note: p.input.clone(),
                },
            }
        }
        PromptKind::HandoverNote => {
            if let Err(e) = crate::domain::text::validate_block("note", &p.input, PROMPT_MAX) {
                p.error = Some(e.to_string());
                return;
            }
            Request::HandoverNote {
                text: p.input.clone(),
            }
        }
        PromptKind::Review { target, series, .. } => {
            if let Err(e) = crate::domain::text::validate_line("reason", &p.input, PROMPT_MAX) {
                p.error = Some(e.to_string());
                return;
            }
            Request::AddReview {
                id: target.id,
                series: series.clone(),
                reason: p.input.clone(),
            }
        }
        PromptKind::Signoff {
            target, approve, ..
        } => {
            if let Err(e) = crate::domain::text::validate_block("reason", &p.input, PROMPT_MAX) {
                p.error = Some(e.to_string());
                return;
            }
            Request::Act {
                id: target.id,
                version: target.version,
                verb: Verb::Signoff {
                    approve: *approve,
                    reason: p.input.clone(),
                },
            }
        }
        PromptKind::Escalation { target, verb } => {
            let what = match verb {
                TextVerb::Note => "note",
                _ => "reason",
            };
            if let Err(e) = crate::domain::text::validate_block(what, &p.input, PROMPT_MAX) {
                p.error = Some(e.to_string());
                return;
            }
            let text = p.input.clone();
            let v = match verb {
                TextVerb::Note => Verb::Note(text),
                TextVerb::Reopen => Verb::Reopen(text),
            };
            match act(target, v) {
                Effect::Store(r) => r,
                _ => return,
            }
        }
    };
    p.saving = true;
    p.error = None;
    fx.push(Effect::Store(req));
}

/// The display name of whoever holds the escalation the verbs act on.
fn holder(app: &App) -> Option<String> {
    match app.screen {
        Screen::Detail => app.detail.as_ref()?.data.summary.assignee.clone(),
        _ => app.queue.selected_row()?.assignee.clone(),
    }
}

/// The sign-off prompt over the record `d`: the proposal it acts on, at the
/// version shown (the store refuses if it changed since).
fn signoff_prompt(app: &mut App, d: &crate::domain::escalation::EscalationDetail, approve: bool) {
    match (&d.outcome, &d.closure_rationale) {
        (Some(outcome), Some(rationale)) if d.summary.awaiting_signoff => {
            app.prompt = Some(Prompt {
                kind: PromptKind::Signoff {
                    target: Target {
                        id: d.summary.id,
                        reference: d.summary.reference.clone(),
                        version: Some(d.version),
                    },
                    approve,
                    outcome: outcome.clone(),
                    rationale: rationale.clone(),
                },
                input: String::new(),
                error: None,
                saving: false,
            });
        }
        _ => info(
            app,
            StatusKind::Error,
            &format!("{} is not awaiting sign-off", d.summary.reference),
        ),
    }
}

fn scroll_detail(app: &mut App, action: &Action) {
    let max = super::views::detail::max_scroll(app);
    let (_, page) = super::views::detail::body_size(app.width, app.height);
    let page = page.max(1);
    if let Some(d) = &mut app.detail {
        let at = scrolled(d.scroll.into(), action, page.into(), max.into());
        d.scroll = u16::try_from(at).unwrap_or(max);
    }
}
