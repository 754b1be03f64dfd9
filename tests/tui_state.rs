//! Key sequences to App state: no terminal, no database. The store's answers
//! are fed in as actions, just as the event loop would.

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dutydesk::domain::deadline::{Deadline, DeadlineState};
use dutydesk::domain::escalation::{
    AgeBand, Consent, EscalationDetail, EscalationSummary, LocationType, NextDue, Risk, Status,
    SubjectKind,
};
use dutydesk::domain::staff::{Role, StaffMember};
use dutydesk::store::worker::{DashboardData, Request, Verb};
use dutydesk::tui::action::Action;
use dutydesk::tui::app::{App, WINDOW};
use dutydesk::tui::form::Form;
use dutydesk::tui::layer::Mode;
use dutydesk::tui::layers::{
    confirm::Confirm, form::FormLayer, prompt::Prompt, record::Record, reviews::Reviews,
};
use dutydesk::tui::route::Input;
use dutydesk::tui::theme::Theme;
use dutydesk::tui::update::{Effect, update};

fn prompt(app: &App) -> Option<&Prompt> {
    app.layer::<Prompt>()
}

fn the_form(app: &App) -> Option<&Form> {
    app.layer::<FormLayer>().map(|l| &l.form)
}

fn the_form_mut(app: &mut App) -> &mut Form {
    &mut app.layer_mut::<FormLayer>().expect("a form is open").form
}

fn confirm(app: &App) -> Option<&Confirm> {
    app.layer::<Confirm>()
}

fn status(app: &App) -> String {
    app.ctx
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// Closes the top layer, as its Esc would without asking.
fn pop(app: &mut App) {
    app.stack.pop();
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn me() -> StaffMember {
    StaffMember {
        id: 1,
        username: "alice".into(),
        display_name: "Alice Moore".into(),
        role: Role::Dsl,
        active: true,
    }
}

fn row(pos: i64) -> EscalationSummary {
    EscalationSummary {
        id: 1000 + pos,
        reference: format!("SG-2026-{:04}", pos + 1),
        subject_kind: SubjectKind::Child,
        categories: vec!["neglect".into()],
        risk: Risk::Medium,
        status: Status::Assigned,
        assignee: Some("Alice Moore".into()),
        raised_at: now() - Duration::hours(pos + 1),
        acknowledged: true,
        immediate_risk: false,
        restricted: false,
        next_due: Some(NextDue {
            at: now() + Duration::minutes(pos * 10 - 30),
            label: "LADO referral".into(),
            warn_minutes: 240,
        }),
        awaiting_signoff: false,
        version: 1,
        linked_12m: 0,
    }
}

/// The store's answer to a window request over a queue of `total` rows.
fn window(total: i64, offset: i64, limit: i64, kept_at: Option<i64>) -> DashboardData {
    DashboardData {
        org: "Test Org".into(),
        on_duty: Some("Alice Moore".into()),
        total,
        offset,
        rows: (offset..(offset + limit).min(total)).map(row).collect(),
        kept_at,
        deadlines_total: 5,
        deadlines_offset: 0,
        deadlines: (0..5).map(deadline).collect(),
        counting: dutydesk::domain::calendar::Counting::SameTime,
        holidays_through: Some(2027),
        unacked_total: 0,
        unacked: vec![],
        ack_minutes: 15,
        categories: vec![("neglect".into(), "neglect".into())],
        outcomes: vec!["no-further-action".into()],
        events: vec!["strategy_discussion".into(), "case_conference".into()],
        staff: staff(),
        signoff_waiting: 0,
    }
}

/// The staff list: alice (me), Jo Brennan (DSL), Rachel White (senior lead).
fn staff() -> Vec<StaffMember> {
    let mut list = vec![me()];
    for (id, u, n, role) in [
        (2, "jbrennan", "Jo Brennan", Role::Dsl),
        (3, "rwhite", "Rachel White", Role::Senior),
    ] {
        list.push(StaffMember {
            id,
            username: u.into(),
            display_name: n.into(),
            role,
            active: true,
        });
    }
    list
}

fn deadline(i: i64) -> Deadline {
    Deadline {
        id: 500 + i,
        escalation_id: 1000 + i,
        reference: format!("SG-2026-{:04}", i + 1),
        label: "LADO referral".into(),
        due_at: now() + Duration::minutes(i * 90 - 60),
        warn_minutes: 240,
        state: DeadlineState::Open,
        beyond_calendar: false,
        assignee_id: Some(1),
    }
}

fn app_with(total: i64) -> App {
    let mut app = App::new(me(), now(), false, Theme::mono());
    update(&mut app, Action::Resize(80, 24));
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(total, 0, WINDOW, None))),
    );
    app
}

/// Presses a key the way the event loop does: through the one route function.
fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press_key(app, KeyEvent::new(code, KeyModifiers::NONE))
}

fn press_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match app.route(&Input::Key(key)) {
        Some(a) => update(app, a),
        None => vec![],
    }
}

#[test]
fn j_k_and_arrows_move_and_stop_at_the_ends() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.dashboard().queue.selected, 2);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.dashboard().queue.selected, 1);
    for _ in 0..10 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.dashboard().queue.selected, 4);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.dashboard().queue.selected, 0);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.dashboard().queue.selected, 0);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.dashboard().queue.selected, 4);
}

#[test]
fn paging_moves_by_a_screen_and_scrolls() {
    let mut app = app_with(100);
    let page = dutydesk::tui::layers::dashboard::list_height(app.dashboard(), &app.ctx) as i64;
    assert!(page > 10, "80x24 shows {page} rows");
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.dashboard().queue.selected, page);
    assert!(
        app.dashboard().queue.top > 0
            && app.dashboard().queue.top <= app.dashboard().queue.selected
    );
    assert!(app.dashboard().queue.selected < app.dashboard().queue.top + page);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.dashboard().queue.selected, 0);
    assert_eq!(app.dashboard().queue.top, 0);
}

#[test]
fn leaving_the_window_asks_for_the_next_one_and_never_loads_everything() {
    let total = 100_000;
    let mut app = app_with(total);
    assert_eq!(app.dashboard().queue.rows.len() as i64, WINDOW);
    let fx = press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.dashboard().queue.selected, total - 1);
    let Some(Effect::Store(Request::Dashboard { offset, limit, .. })) = fx.first().cloned() else {
        panic!("expected a window request, got {fx:?}");
    };
    assert_eq!(limit, WINDOW);
    assert!(offset < total && offset + limit >= total);
    // No second request while the first is on its way.
    assert!(press(&mut app, KeyCode::Char('k')).is_empty());
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(total, total - WINDOW, WINDOW, None))),
    );
    assert_eq!(
        app.dashboard().queue.selected_row().unwrap().reference,
        format!("SG-2026-{:04}", total - 1)
    );
}

#[test]
fn enter_asks_for_the_selected_record_and_esc_comes_back() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('j'));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1001 })]);
    assert_eq!(app.mode(), Mode::Dashboard, "waits for the record");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
}

#[test]
fn q_quits_only_from_the_top_level_ctrl_c_everywhere() {
    let mut app = app_with(5);
    update(&mut app, Action::Help);
    assert!(
        press(&mut app, KeyCode::Char('q')).is_empty(),
        "q closes help"
    );
    assert_ne!(app.mode(), Mode::Help);
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
    let mut app = app_with(5);
    update(&mut app, Action::Help);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(press_key(&mut app, ctrl_c), vec![Effect::Quit]);
}

#[test]
fn another_sessions_change_reloads_keeping_the_selection() {
    let mut app = app_with(10);
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('j'));
    }
    let id = app.dashboard().queue.selected_row().unwrap().id;
    let fx = update(&mut app, Action::Changed);
    assert_eq!(
        fx,
        vec![
            Effect::Store(Request::Dashboard {
                offset: 0,
                limit: WINDOW,
                keep: Some(id),
                deadlines_offset: 0,
            }),
            // The review counts on the dashboard follow the change too.
            Effect::Store(Request::Reviews),
        ]
    );
    // A new escalation arrived ahead of it: the store says it is now at 4.
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(11, 0, WINDOW, Some(4)))),
    );
    assert_eq!(app.dashboard().queue.selected, 4);
}

#[test]
fn a_shrinking_queue_keeps_the_selection_in_range() {
    let mut app = app_with(10);
    press(&mut app, KeyCode::Char('G'));
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(3, 0, WINDOW, None))),
    );
    assert_eq!(app.dashboard().queue.selected, 2);
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(0, 0, WINDOW, None))),
    );
    assert_eq!(app.dashboard().queue.selected, 0);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "nothing to open"
    );
}

#[test]
fn store_errors_reach_the_status_line() {
    let mut app = app_with(3);
    update(
        &mut app,
        Action::StoreError("the database is locked".into()),
    );
    assert!(status(&app).contains("locked"));
}

#[test]
fn help_lists_every_key_of_the_screen_below() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    let text = dutydesk::tui::render_text(&mut app, 100, 60).unwrap();
    for b in app.ctx.keymap.bindings("dashboard") {
        assert!(
            text.contains(&b.description),
            "help lacks {:?}\n{text}",
            b.description
        );
    }
}

/// Types text the way the event loop does: key by key, through the router.
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn tab_moves_to_the_deadlines_panel_and_enter_opens_its_escalation() {
    let mut app = app_with(10);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.mode(), Mode::Deadlines);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.dashboard().deadlines.selected, 2);
    assert_eq!(
        app.dashboard().queue.selected,
        0,
        "the queue selection stays"
    );
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1002 })]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
}

#[test]
fn meeting_a_deadline_asks_then_saves_and_reloads() {
    let mut app = app_with(10);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.mode(), Mode::Prompt);
    // Letters are text in the prompt, not commands: q does not quit.
    type_text(&mut app, "rang LADO, ref 77q");
    assert!(!app.quit);
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Meet {
            id: 501,
            note: "rang LADO, ref 77q".into()
        })]
    );
    // Until the store answers, the prompt (and its text) stays.
    assert!(prompt(&app).unwrap().saving);
    let fx = update(
        &mut app,
        Action::Saved("Marked met: LADO referral on SG-2026-0002".into()),
    );
    assert!(prompt(&app).is_none());
    assert!(status(&app).contains("Marked met"));
    assert!(matches!(
        fx.as_slice(),
        [
            Effect::Store(Request::Dashboard { .. }),
            Effect::Store(Request::Reviews)
        ]
    ));
}

#[test]
fn a_waiver_needs_a_reason_and_a_refusal_keeps_the_text() {
    let mut app = app_with(10);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('w'));
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "no reason, no save"
    );
    assert!(prompt(&app).unwrap().error.is_some());
    type_text(&mut app, "strategy meeting moved the duty to police");
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Waive {
            id: 500,
            reason: "strategy meeting moved the duty to police".into()
        })]
    );
    // Another DSL got there first: the refusal shows, nothing typed is lost.
    update(
        &mut app,
        Action::StoreError("Jo Brennan changed it at 09:01; reload and try again".into()),
    );
    let p = prompt(&app).unwrap();
    assert_eq!(p.text(), "strategy meeting moved the duty to police");
    assert!(p.error.as_ref().unwrap().contains("Jo Brennan"));
    assert!(!p.saving);
    // Esc asks before throwing typed words away; no keeps them.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Confirm);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(
        prompt(&app).unwrap().text(),
        "strategy meeting moved the duty to police"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(prompt(&app).is_none());
    assert_eq!(app.mode(), Mode::Deadlines);
}

#[test]
fn viewers_and_read_only_sessions_cannot_change_deadlines() {
    let mut app = app_with(3);
    app.ctx.me.role = Role::Viewer;
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('m'));
    assert!(prompt(&app).is_none());
    assert!(status(&app).contains("Viewers"));
    let mut app = app_with(3);
    app.ctx.read_only = true;
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('w'));
    assert!(prompt(&app).is_none());
    assert!(status(&app).contains("Read-only"));
}

#[test]
fn the_clock_ticks_countdowns_without_asking_the_store() {
    let mut app = app_with(3);
    let before = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(before.contains("OVERDUE 1h 0m"), "{before}");
    let fx = update(&mut app, Action::Tick(now() + Duration::minutes(2)));
    assert!(fx.is_empty(), "a tick must not query the database");
    let after = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(after.contains("OVERDUE 1h 2m"), "{after}");
}

#[test]
fn alerts_show_a_banner_and_notify() {
    use dutydesk::domain::alert::{Alert, AlertKind};
    let mut app = app_with(3);
    let alert = Alert {
        kind: AlertKind::Overdue,
        subject_id: 500,
        reference: "SG-2026-0001".into(),
        label: "LADO referral".into(),
        due_at: Some(now() - Duration::minutes(60)),
    };
    let fx = update(&mut app, Action::Alerts(vec![alert.clone()]));
    assert_eq!(fx, vec![Effect::Notify(vec![alert])]);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("ALERT SG-2026-0001 overdue"), "{text}");
    assert!(update(&mut app, Action::Alerts(vec![])).is_empty());
    press(&mut app, KeyCode::Char('x'));
    assert!(app.dashboard().alert.is_none());
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(!text.contains("ALERT"), "{text}");
}

#[test]
fn acknowledge_sends_the_version_shown() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('j'));
    let fx = press(&mut app, KeyCode::Char('A'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1001,
            version: Some(1),
            verb: Verb::Acknowledge
        })]
    );
}

#[test]
fn assign_picks_from_a_filtered_list() {
    let mut app = app_with(5);
    let fx = press(&mut app, KeyCode::Char('a'));
    assert_eq!(fx, vec![Effect::Store(Request::Assignable)]);
    assert_eq!(app.mode(), Mode::Picker);
    let staff = |id, u: &str, n: &str| StaffMember {
        id,
        username: u.into(),
        display_name: n.into(),
        role: Role::Dsl,
        active: true,
    };
    update(
        &mut app,
        Action::AssignableLoaded(vec![
            staff(1, "alice", "Alice Moore"),
            staff(2, "jbrennan", "Jo Brennan"),
            staff(3, "okhan", "Omar Khan"),
        ]),
    );
    type_text(&mut app, "bren");
    assert_eq!(
        app.layer::<dutydesk::tui::layers::picker::Picker>()
            .unwrap()
            .matches()
            .len(),
        1
    );
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(1),
            verb: Verb::Assign("jbrennan".into())
        })]
    );
    assert_eq!(app.mode(), Mode::Dashboard);
}

#[test]
fn a_note_keeps_its_text_through_a_conflict_and_a_refresh() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "Called mum; no answer");
    // Another session's change arrives while typing: the prompt survives.
    let fx = update(&mut app, Action::Changed);
    assert!(matches!(
        fx.as_slice(),
        [
            Effect::Store(Request::Dashboard { .. }),
            Effect::Store(Request::Reviews)
        ]
    ));
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(6, 0, WINDOW, Some(0)))),
    );
    assert_eq!(prompt(&app).unwrap().text(), "Called mum; no answer");
    // Enter adds a line to a note; Ctrl-S saves it.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    press(&mut app, KeyCode::Backspace);
    let fx = press_key(&mut app, ctrl_s());
    assert!(
        matches!(fx.as_slice(), [Effect::Store(Request::Act { verb: Verb::Note(t), .. })] if t == "Called mum; no answer")
    );
    update(
        &mut app,
        Action::StoreError("Jo Brennan changed it at 09:03; reload and try again".into()),
    );
    assert_eq!(prompt(&app).unwrap().text(), "Called mum; no answer");
}

/// Sends keys to the open form the way the event loop does.
fn form_keys(app: &mut App, keys: &[KeyEvent]) -> Vec<Effect> {
    let mut fx = Vec::new();
    for k in keys {
        fx.extend(press_key(app, *k));
    }
    fx
}

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn chars(s: &str) -> Vec<KeyEvent> {
    s.chars().map(|c| k(KeyCode::Char(c))).collect()
}

fn ctrl_s() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)
}

#[test]
fn intake_checks_each_field_then_saves_and_survives_a_refresh() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.mode(), Mode::Form);
    // Save at once: the required fields say so, nothing is sent.
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    let form = the_form(&app).unwrap();
    assert!(
        form.fields
            .iter()
            .filter(|f| f.required)
            .all(|f| f.error.is_some())
    );
    // Another session's change arrives: the form is untouched.
    update(&mut app, Action::Changed);
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(4, 0, WINDOW, None))),
    );
    assert!(the_form(&app).is_some());
    // Fill it in: focus starts at the first missing field (subject).
    let form = the_form_mut(&mut app);
    form.focus = 2;
    let mut keys = vec![k(KeyCode::Right), k(KeyCode::Tab)]; // subject: child
    keys.extend(chars("Kai M"));
    keys.push(k(KeyCode::Tab));
    keys.extend(chars("2099-01-01")); // a future date of birth
    keys.extend([k(KeyCode::Tab), k(KeyCode::Tab)]);
    keys.extend(chars("Rutland"));
    keys.extend([
        k(KeyCode::Tab),
        k(KeyCode::Tab),
        k(KeyCode::Char(' ')),
        k(KeyCode::Tab),
    ]); // neglect
    keys.extend([k(KeyCode::Right), k(KeyCode::Tab)]); // risk: high
    keys.extend(chars("nobody feeds us"));
    keys.extend([k(KeyCode::Tab), k(KeyCode::Tab), k(KeyCode::Right)]); // consent: sought
    form_keys(&mut app, &keys);
    assert!(
        form_keys(&mut app, &[ctrl_s()]).is_empty(),
        "the future date of birth is refused"
    );
    let form = the_form(&app).unwrap();
    assert!(form.fields[4].error.as_deref().unwrap().contains("future"));
    assert_eq!(
        form.text("words"),
        "nobody feeds us",
        "nothing typed is lost"
    );
    // Fix the date and save.
    let form = the_form_mut(&mut app);
    form.focus = 4;
    let mut keys = vec![KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)];
    keys.extend(chars("2015-03-02"));
    keys.push(ctrl_s());
    let fx = form_keys(&mut app, &keys);
    let [
        Effect::Store(Request::Create {
            escalation,
            called_999,
            ..
        }),
    ] = fx.as_slice()
    else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(escalation.subject_name, "Kai M");
    assert_eq!(escalation.subject_dob.as_deref(), Some("2015-03-02"));
    assert_eq!(escalation.categories, vec!["neglect".to_string()]);
    assert!(!called_999);
    update(&mut app, Action::Saved("SG-2026-0004 recorded".into()));
    assert!(the_form(&app).is_none());
}

#[test]
fn closing_asks_first_and_a_refusal_keeps_the_form() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('c'));
    let mut keys = vec![k(KeyCode::Right), k(KeyCode::Tab)];
    keys.extend(chars("Advice given to the family."));
    keys.push(ctrl_s());
    assert!(form_keys(&mut app, &keys).is_empty(), "a question first");
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("Close SG-2026-0001")
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Store(Request::Act {
            verb: Verb::Close { .. },
            version: Some(1),
            ..
        })]
    ));
    update(
        &mut app,
        Action::StoreError("Jo Brennan changed it at 09:04; reload and try again".into()),
    );
    let form = the_form(&app).unwrap();
    assert!(form.error.as_ref().unwrap().contains("Jo Brennan"));
    assert_eq!(form.text("rationale"), "Advice given to the family.");
    // Esc on a form with text asks before discarding.
    form_keys(&mut app, &[k(KeyCode::Esc)]);
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("Discard what you typed")
    );
    press(&mut app, KeyCode::Char('y'));
    assert!(the_form(&app).is_none());
}

#[test]
fn life_at_risk_says_call_999_and_repeats_are_offered_after_intake() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('n'));
    form_keys(&mut app, &[k(KeyCode::Char('y'))]);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("CALL 999 NOW"), "{text}");
    form_keys(&mut app, &[k(KeyCode::Tab), k(KeyCode::Char('y'))]);
    assert!(
        the_form(&app).unwrap().warning.is_none(),
        "999 called: the warning goes"
    );
    pop(&mut app);
    let m = |id, r: &str| dutydesk::store::escalations::Match {
        id,
        reference: r.into(),
        raised_at: now(),
        status: dutydesk::domain::escalation::Status::Closed,
        why: "same name and area",
    };
    update(
        &mut app,
        Action::Created {
            message: "SG-2026-0009 recorded".into(),
            id: 9,
            reference: "SG-2026-0009".into(),
            matches: vec![m(2, "SG-2026-0002"), m(5, "SG-2026-0005")],
        },
    );
    assert_eq!(app.mode(), Mode::Matches);
    let fx = press(&mut app, KeyCode::Char('d'));
    assert!(fx.is_empty(), "dismissing writes nothing");
    let fx = press(&mut app, KeyCode::Char('l'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 9,
            version: None,
            verb: Verb::Link(5)
        })]
    );
    assert_eq!(app.mode(), Mode::Dashboard, "all offered: the list closes");
}

#[test]
fn refer_offers_fitting_routes_and_asks_before_recording() {
    use dutydesk::domain::contact::{Answer, Contact};
    use dutydesk::domain::routing::Suggestion;
    let (always, spans) =
        dutydesk::domain::hours::parse("Mon-Thu 08:30-17:00; Fri 08:30-16:30").unwrap();
    let contact = Answer {
        contact: Contact {
            id: 7,
            organisation: "Rutland County Council".into(),
            service: "Children's referrals".into(),
            route: "children".into(),
            area: Some("Rutland".into()),
            phone: Some("01572 758 407".into()),
            email: None,
            web: None,
            notes: None,
            hours: dutydesk::domain::hours::Hours {
                always_open: always,
                open_on_bank_holidays: false,
                spans,
            },
            hours_text: String::new(),
            fallback_id: Some(4),
        },
        state: dutydesk::domain::hours::OpenState::ClosedUntil(None),
        open_now: false,
        when: "opens in 1d 13h".into(),
        ring: Some("0116 305 0005".into()),
        ring_service: "Leicestershire County Council Children's safeguarding (24/7)".into(),
        ring_id: 4,
        ring_for: "children in Rutland".into(),
    };
    use dutydesk::store::worker::ReferOptions;
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('r'));
    assert_eq!(fx, vec![Effect::Store(Request::ReferOptions { id: 1000 })]);
    update(
        &mut app,
        Action::ReferOptionsLoaded(Box::new(ReferOptions {
            id: 1000,
            suggestions: vec![
                Suggestion {
                    route: dutydesk::domain::route::Route::Children,
                    why: "a child at risk".into(),
                    fits: true,
                    warning: None,
                },
                Suggestion {
                    route: dutydesk::domain::route::Route::Police,
                    why: "a crime may have been committed".into(),
                    fits: true,
                    warning: None,
                },
            ],
            contacts: vec![("children".into(), contact)],
        })),
    );
    assert_eq!(app.mode(), Mode::Form);
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("‹ children: a child at risk ›"),
        "the fitting route is chosen: {text}"
    );
    // Contact: the Rutland line, which says it is closed and what to ring.
    let mut keys = vec![k(KeyCode::Tab), k(KeyCode::Right), k(KeyCode::Right)];
    let shown = {
        form_keys(&mut app, &keys);
        dutydesk::tui::render_text(&mut app, 120, 40).unwrap()
    };
    assert!(shown.contains("[CLOSED: ring 0116 305 0005"), "{shown}");
    keys = vec![k(KeyCode::Tab), k(KeyCode::Tab), k(KeyCode::Tab)];
    keys.extend(chars("summary and exact words"));
    keys.push(ctrl_s());
    form_keys(&mut app, &keys);
    assert_eq!(app.mode(), Mode::Confirm);
    let fx = press(&mut app, KeyCode::Char('y'));
    let [
        Effect::Store(Request::Act {
            verb: Verb::Refer(r),
            ..
        }),
    ] = fx.as_slice()
    else {
        panic!("{fx:?}");
    };
    assert_eq!((r.route.as_str(), r.contact_id), ("children", Some(7)));
    assert_eq!(r.shared_what, "summary and exact words");
}

fn answer(
    id: i64,
    phone: &str,
    open: bool,
    ring: &str,
    fallback: Option<i64>,
) -> dutydesk::domain::contact::Answer {
    use dutydesk::domain::contact::{Answer, Contact};
    let (always, spans) =
        dutydesk::domain::hours::parse("Mon-Thu 08:30-17:00; Fri 08:30-16:30").unwrap();
    Answer {
        contact: Contact {
            id,
            organisation: "Rutland County Council".into(),
            service: format!("Service {id}"),
            route: "children".into(),
            area: Some("Rutland".into()),
            phone: Some(phone.into()),
            email: None,
            web: None,
            notes: None,
            hours: dutydesk::domain::hours::Hours {
                always_open: always,
                open_on_bank_holidays: false,
                spans,
            },
            hours_text: "Mon-Thu 08:30-17:00; Fri 08:30-16:30".into(),
            fallback_id: fallback,
        },
        state: dutydesk::domain::hours::OpenState::ClosedUntil(None),
        open_now: open,
        when: "opens in 1d 13h".into(),
        ring: Some(ring.into()),
        ring_service: "Leicestershire 24/7".into(),
        ring_id: id,
        ring_for: "children in Rutland".into(),
    }
}

#[test]
fn contacts_search_copy_and_look_up() {
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('C'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Contacts {
            query: String::new(),
            route: None,
            area: None
        })]
    );
    assert_eq!(app.mode(), Mode::Contacts);
    update(
        &mut app,
        Action::ContactsLoaded(
            vec![answer(7, "01572 758 407", false, "0116 305 0005", Some(4))],
            vec![
                (4, "Leicestershire 24/7".into()),
                (7, "Rutland children".into()),
            ],
        ),
    );
    let text = dutydesk::tui::render_text(&mut app, 110, 30).unwrap();
    assert!(
        text.contains("CLOSED → 0116 305 0005  instead of 01572 758 407"),
        "{text}"
    );
    // y copies the number to ring now, and says so.
    let fx = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(fx.as_slice(), [Effect::Copy { text, what }] if text == "0116 305 0005" && what.contains("Leicestershire")),
        "{fx:?}"
    );
    // What the status says is the event loop's, from where the terminal is
    // (see tui::clipboard): never "Copied" where it cannot have arrived.
    // / starts a search: letters are the query, each asks again.
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::ContactSearch);
    let mut last = vec![];
    for c in "lado".chars() {
        last = press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(
        last,
        vec![Effect::Store(Request::Contacts {
            query: "lado".into(),
            route: None,
            area: None
        })]
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Contacts);
    // e edits: the fallback is chosen; a bad number is refused next to the field.
    press(&mut app, KeyCode::Char('e'));
    let form = the_form_mut(&mut app);
    assert_eq!(form.choice("fallback"), Some("4"));
    form.focus = 4;
    let mut keys = vec![KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)];
    keys.extend(chars("ring Jo"));
    keys.push(ctrl_s());
    assert!(form_keys(&mut app, &keys).is_empty());
    let form = the_form(&app).unwrap();
    assert!(
        form.fields[4]
            .error
            .as_deref()
            .unwrap()
            .contains("not a phone number")
    );
    pop(&mut app);
    // Esc goes back to where we came from.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
    // l on an escalation asks for its contacts.
    let fx = press(&mut app, KeyCode::Char('l'));
    assert_eq!(fx, vec![Effect::Store(Request::LookUp { id: 1000 })]);
    assert_eq!(
        app.layer::<dutydesk::tui::layers::contacts::Contacts>()
            .unwrap()
            .for_escalation
            .as_deref(),
        Some("SG-2026-0001")
    );
}

#[test]
fn pause_holds_changes_and_lock_hides_everything() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('p'));
    assert!(app.dashboard().paused);
    assert!(
        update(&mut app, Action::Changed).is_empty(),
        "paused: no reload"
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("PAUSED, changes waiting"), "{text}");
    let fx = press(&mut app, KeyCode::Char('p'));
    assert!(
        matches!(
            fx.as_slice(),
            [
                Effect::Store(Request::Dashboard { .. }),
                Effect::Store(Request::Reviews)
            ]
        ),
        "resuming catches up"
    );
    press(&mut app, KeyCode::Char('L'));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("dutydesk is locked"), "{text}");
    assert!(
        !text.contains("SG-2026-") && !text.contains("Alice"),
        "no data while locked: {text}"
    );
    update(&mut app, Action::Unlock);
    assert!(
        dutydesk::tui::render_text(&mut app, 100, 30)
            .unwrap()
            .contains("SG-2026-0001")
    );
}

#[test]
fn rebound_keys_reach_the_footer_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[keys.dashboard]\n\"A\" = \"t\"\n").unwrap();
    let config = dutydesk::config::Config::load_from(&file).unwrap();
    let (km, problems) = dutydesk::tui::keymap::Keymap::with_overrides(&config.rebindings());
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = app_with(3);
    app.ctx.keymap = km;
    let footer = dutydesk::tui::render_text(&mut app, 120, 30).unwrap();
    assert!(footer.contains("t ack"), "{footer}");
    assert!(!footer.contains("A ack"), "{footer}");
    let fx = press(&mut app, KeyCode::Char('t'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Store(Request::Act {
            verb: Verb::Acknowledge,
            ..
        })]
    ));
    press(&mut app, KeyCode::Char('?'));
    let help = dutydesk::tui::render_text(&mut app, 100, 60).unwrap();
    assert!(help.contains("t                 Acknowledge"), "{help}");
}

#[test]
fn themes_differ_by_colour_but_say_the_same() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let draw = |theme: Theme| {
        let mut app = app_with(3);
        app.ctx.theme = theme;
        update(&mut app, Action::Resize(100, 30));
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| app.draw(f)).unwrap();
        t.backend().buffer().clone()
    };
    let (dark, light, mono) = (
        draw(Theme::dark()),
        draw(Theme::light()),
        draw(Theme::mono()),
    );
    let text = |b: &ratatui::buffer::Buffer| dutydesk::tui::views::buffer_text(b);
    assert_eq!(text(&dark), text(&light));
    assert_eq!(text(&dark), text(&mono), "meaning never rests on colour");
    // The header is styled differently in each.
    let cell = |b: &ratatui::buffer::Buffer| b[(1, 0)].style();
    assert_ne!(cell(&dark), cell(&light));
    assert_ne!(cell(&dark), cell(&mono));
    assert!(
        mono.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
}

fn agenda(code: &str, items: usize) -> dutydesk::domain::review::Agenda {
    use dutydesk::domain::review::{Agenda, Item, ItemKind, tally};
    let items: Vec<Item> = (0..items)
        .map(|i| Item {
            kind: if i % 2 == 0 {
                ItemKind::Closed
            } else {
                ItemKind::DeadlineMissed
            },
            escalation_id: i as i64 + 1,
            reference: format!("SG-2026-{:04}", i + 1),
            detail: format!("item {}", i + 1),
        })
        .collect();
    Agenda {
        series_id: code.len() as i64,
        code: code.into(),
        name: format!("Series {code}"),
        next_meeting: chrono::NaiveDate::from_ymd_opt(2027, 1, 23).unwrap(),
        since: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        counts: tally(items.iter().map(|i| i.kind)),
        items,
    }
}

/// The review screen shows every series' counts at once, loads one series'
/// agenda at a time, scrolls it a screen at a time, and drops a late answer
/// for a series no longer shown.
#[test]
fn the_review_screen_loads_one_agenda_and_scrolls_it() {
    let mut app = app_with(5);
    let summaries: Vec<_> = [("bi", 500), ("q", 3)]
        .iter()
        .map(|(c, n)| {
            let mut a = agenda(c, *n);
            a.items.clear();
            a
        })
        .collect();
    let fx = press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.mode(), Mode::Reviews);
    assert_eq!(fx, vec![Effect::Store(Request::Reviews)]);
    let fx = update(&mut app, Action::ReviewsLoaded(summaries.clone()));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Agenda {
            series: "bi".into()
        })]
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("Series bi"), "{text}");
    assert!(
        text.contains("500 item(s)"),
        "counts before the items: {text}"
    );
    assert!(text.contains("Loading the agenda"), "{text}");

    update(&mut app, Action::AgendaLoaded(Box::new(agenda("bi", 500))));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("SG-2026-0001"), "{text}");
    assert!(text.contains("items 1–"), "{text}");
    press(&mut app, KeyCode::Char('G'));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(
        text.contains("SG-2026-0500"),
        "the last item on screen: {text}"
    );
    assert!(text.contains("of 500"), "{text}");
    assert!(!text.contains("SG-2026-0001 "), "{text}");
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.layer::<Reviews>().unwrap().scroll, 0);

    // Tab: the next series, asked for afresh; a late answer for the first is dropped.
    let fx = press(&mut app, KeyCode::Tab);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Agenda { series: "q".into() })]
    );
    update(&mut app, Action::AgendaLoaded(Box::new(agenda("bi", 500))));
    assert!(
        app.layer::<Reviews>().unwrap().agenda.is_none(),
        "a late answer for another series"
    );
    update(&mut app, Action::AgendaLoaded(Box::new(agenda("q", 3))));
    assert_eq!(
        app.layer::<Reviews>()
            .unwrap()
            .agenda
            .as_ref()
            .map(|a| a.items.len()),
        Some(3)
    );
    let fx = press(&mut app, KeyCode::BackTab);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Agenda {
            series: "bi".into()
        })]
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
}

fn handover(who: &str, began_mins_ago: i64) -> dutydesk::store::rota::Handover {
    dutydesk::store::rota::Handover {
        now: now(),
        current: Some(dutydesk::store::rota::Shift {
            id: 1,
            who: who.into(),
            username: who.into(),
            starts_at: now() - Duration::minutes(began_mins_ago),
            ends_at: now() + Duration::hours(8),
        }),
        next: None,
        since: now() - Duration::hours(12),
        notes: vec![(
            now() - Duration::hours(1),
            "Bob Day".into(),
            "Chase LADO about SG-2026-0002".into(),
        )],
        due: vec![deadline(1)],
        changes: Vec::new(),
    }
}

/// Taking over: a DSL whose shift began in the last two hours sees the
/// handover when dutydesk starts, once; anyone can open it with H.
#[test]
fn the_handover_shows_itself_to_a_dsl_whose_shift_has_just_begun() {
    let mut app = app_with(3);
    update(
        &mut app,
        Action::HandoverLoaded(Box::new(handover("alice", 30))),
    );
    assert_eq!(app.mode(), Mode::Handover);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("On duty now: alice (you)"), "{text}");
    assert!(text.contains("Chase LADO about SG-2026-0002"), "{text}");
    assert!(text.contains("Due in the next 24 hours (1)"), "{text}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
    // A later refresh does not pull the DSL back.
    update(
        &mut app,
        Action::HandoverLoaded(Box::new(handover("alice", 31))),
    );
    assert_eq!(app.mode(), Mode::Dashboard);

    // Not at the start of a shift, or someone else's: the dashboard stays.
    for h in [handover("alice", 5 * 60), handover("bob", 10)] {
        let mut app = app_with(3);
        update(&mut app, Action::HandoverLoaded(Box::new(h)));
        assert_eq!(app.mode(), Mode::Dashboard);
    }

    // H opens it; T asks before taking over; N asks for a note.
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('H'));
    assert_eq!(app.mode(), Mode::Handover);
    assert_eq!(fx, vec![Effect::Store(Request::Handover)]);
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(
        confirm(&app).map(|c| c.yes.clone()),
        Some(Action::Send(Box::new(Request::TakeOver)))
    );
    press(&mut app, KeyCode::Char('n'));
    assert!(confirm(&app).is_none());
    press(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "Watch SG-2026-0003");
    let fx = press_key(&mut app, ctrl_s());
    assert_eq!(
        fx,
        vec![Effect::Store(Request::HandoverNote {
            text: "Watch SG-2026-0003".into()
        })]
    );
}

/// The mouse: the wheel moves through lists, a click selects the row under
/// it and a second click opens it; nothing happens under a prompt or
/// outside the rows.
#[test]
fn the_wheel_scrolls_and_clicks_select_then_open() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let at = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let click = |column, row| at(MouseEventKind::Down(MouseButton::Left), column, row);
    let mut app = app_with(10);
    dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert_eq!(
        app.mouse(at(MouseEventKind::ScrollDown, 5, 5)),
        Some(Action::Down)
    );
    // Row 0 is the header, 1 the list's title, 2 its column headings.
    assert_eq!(app.mouse(click(5, 1)), None);
    let third = app.mouse(click(5, 5)).expect("a row");
    update(&mut app, third.clone());
    assert_eq!(app.dashboard().queue.selected, 2);
    let fx = update(&mut app, third);
    assert!(
        matches!(fx.as_slice(), [Effect::Store(Request::Detail { .. })]),
        "a second click opens: {fx:?}"
    );
    let mut app = app_with(10);
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(
        app.mouse(at(MouseEventKind::ScrollDown, 5, 5)),
        None,
        "the wheel does nothing under a prompt"
    );
}

/// E records an event on the selected escalation: Tab chooses which of the
/// events the rules wait for, Enter sends it with the optional note.
#[test]
fn e_records_an_event_and_tab_chooses_which() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('E'));
    assert_eq!(app.mode(), Mode::Prompt);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("strategy discussion held"), "{text}");
    press(&mut app, KeyCode::Tab);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("case conference held"), "{text}");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s47 agreed");
    let fx = press_key(&mut app, ctrl_s());
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Store(Request::Act {
                verb: Verb::Event { event, note },
                ..
            })] if event == "strategy_discussion" && note == "s47 agreed"
        ),
        "{fx:?}"
    );
}

/// A record awaiting sign-off, as the store would load it.
fn proposed(pos: i64, outcome: &str, rationale: &str, version: i64) -> EscalationDetail {
    let mut summary = row(pos);
    summary.awaiting_signoff = true;
    summary.version = version;
    EscalationDetail {
        summary,
        subject_name: "Kai M".into(),
        subject_dob: None,
        age_band: AgeBand::Unknown,
        area: "Rutland".into(),
        location_type: LocationType::Unknown,
        raised_by: "Youth worker".into(),
        occurred_at: None,
        occurred_place: None,
        exact_words: "words".into(),
        appearance: None,
        consent: Consent::Sought,
        consent_reason: None,
        critical_incident: false,
        outcome: Some(outcome.into()),
        closure_rationale: Some(rationale.into()),
        version,
        low_level: false,
        work_area: None,
        works_with: None,
        deadlines: vec![],
        chronology: vec![],
        viewed_by: vec![],
        casework: Default::default(),
    }
}

/// `s` from the list opens the record first; the prompt shows the outcome
/// and rationale being approved and sends the version they were read at.
#[test]
fn sign_off_shows_the_proposal_and_sends_its_version() {
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('s'));
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    assert_eq!(app.mode(), Mode::Dashboard, "no prompt before the proposal");
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(
            0,
            "advice-given",
            "Family given advice about online safety",
            7,
        ))),
    );
    assert_eq!(app.mode(), Mode::Prompt);
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("Proposed outcome: advice given"), "{text}");
    assert!(
        text.contains("Rationale: Family given advice about online safety"),
        "{text}"
    );
    assert!(
        text.contains("Sign off the closure of SG-2026-0001"),
        "{text}"
    );
    type_text(&mut app, "agreed");
    let fx = press_key(&mut app, ctrl_s());
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(7),
            verb: Verb::Signoff {
                approve: true,
                reason: "agreed".into()
            }
        })]
    );
    // A refusal (the proposal changed) stays in the prompt with the text.
    update(
        &mut app,
        Action::StoreError("Bob Day changed it at 09:04; reload and try again".into()),
    );
    let p = prompt(&app).unwrap();
    assert_eq!(p.text(), "agreed");
    assert!(p.error.as_ref().unwrap().contains("Bob Day changed it"));
    // On the record, `b` sends back what is shown, with no second load.
    pop(&mut app);
    let fx = press(&mut app, KeyCode::Char('b'));
    assert!(fx.is_empty(), "{fx:?}");
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(
        text.contains("Send back the closure of SG-2026-0001"),
        "{text}"
    );
    assert!(text.contains("Proposed outcome: advice given"), "{text}");
    // A record not awaiting sign-off says so and opens no prompt.
    pop(&mut app);
    let mut d = proposed(0, "advice-given", "x", 8);
    d.summary.awaiting_signoff = false;
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    press(&mut app, KeyCode::Char('s'));
    assert!(prompt(&app).is_none());
    assert!(status(&app).contains("not awaiting sign-off"));
}

/// A on a case someone else holds asks first, then takes it (they are told).
#[test]
fn acknowledging_someone_elses_case_asks_before_taking_it() {
    let mut app = app_with(3);
    let mut d = window(3, 0, WINDOW, None);
    d.rows[0].assignee = Some("Jo Brennan".into());
    update(&mut app, Action::DashboardLoaded(Box::new(d)));
    let fx = press(&mut app, KeyCode::Char('A'));
    assert!(fx.is_empty());
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("held by Jo Brennan. Take it from them?")
    );
    assert!(
        press(&mut app, KeyCode::Char('n')).is_empty(),
        "no: nothing"
    );
    press(&mut app, KeyCode::Char('A'));
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(1),
            verb: Verb::Take
        })]
    );
}

fn senior() -> StaffMember {
    StaffMember {
        id: 3,
        username: "rwhite".into(),
        display_name: "Rachel White".into(),
        role: Role::Senior,
        active: true,
    }
}

/// X on a record: senior leads only; the form starts from the record's
/// access and sends only what changed, after a question.
#[test]
fn senior_leads_change_who_sees_a_record_from_it() {
    use dutydesk::store::workflow::{AccessChange, AccessLists};
    let mut app = app_with(3);
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(0, "advice-given", "x", 4))),
    );
    assert_eq!(app.mode(), Mode::Record);
    assert!(press(&mut app, KeyCode::Char('X')).is_empty());
    assert!(status(&app).contains("Only a senior lead"));
    app.ctx.me = senior();
    let fx = press(&mut app, KeyCode::Char('X'));
    let _ = &fx;
    assert_eq!(fx, vec![Effect::Store(Request::AccessLists { id: 1000 })]);
    update(
        &mut app,
        Action::AccessLoaded(Box::new(AccessLists {
            id: 1000,
            restricted: false,
            named: vec![],
            excluded: vec!["jbrennan".into()],
        })),
    );
    assert_eq!(app.mode(), Mode::Form);
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("Who may see SG-2026-0001"), "{text}");
    assert!(text.contains("[x] Jo Brennan (jbrennan)"), "{text}");
    // Nothing changed: said on the form, nothing sent.
    let form = the_form_mut(&mut app);
    form.focus = 3;
    form_keys(&mut app, &chars("about a DSL"));
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    assert!(
        the_form(&app)
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("Nothing changed")
    );
    // Restrict, and name alice.
    let form = the_form_mut(&mut app);
    form.focus = 0;
    form_keys(
        &mut app,
        &[
            k(KeyCode::Char('y')),
            k(KeyCode::Tab),
            k(KeyCode::Char(' ')),
        ],
    );
    assert!(
        form_keys(&mut app, &[ctrl_s()]).is_empty(),
        "a question first"
    );
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("Change who may see SG-2026-0001?")
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(4),
            verb: Verb::Access(AccessChange {
                restrict: Some(true),
                name: vec!["alice".into()],
                unname: vec![],
                exclude: vec![],
                unexclude: vec![],
                reason: "about a DSL".into(),
            })
        })]
    );
}

/// Deactivated (or given another role) in another session: the records go
/// at once, whatever was open, and only the reason is drawn.
#[test]
fn a_deactivated_account_stops_seeing_records() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "half a note");
    update(
        &mut app,
        Action::Revoked("Your account is no longer active on this desk".into()),
    );
    assert!(app.dashboard().queue.rows.is_empty() && app.dashboard().deadlines.rows.is_empty());
    assert!(prompt(&app).is_none() && app.layer::<Record>().is_none());
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(!text.contains("SG-2026-"), "{text}");
    assert!(text.contains("no longer active"), "{text}");
}

/// For an allegation about staff the intake asks whether the person uses
/// this desk, and will not save until answered.
#[test]
fn intake_about_staff_asks_whether_they_use_the_desk() {
    use dutydesk::domain::names::About;
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('n'));
    let form = the_form_mut(&mut app);
    let about = form.fields.iter().position(|f| f.key == "about").unwrap();
    assert!(!form.shown(about), "hidden until the subject is staff");
    form.focus = 2;
    form_keys(&mut app, &[k(KeyCode::Char('s')), k(KeyCode::Tab)]);
    assert_eq!(the_form(&app).unwrap().choice("subject"), Some("staff"));
    form_keys(&mut app, &chars("J. Brennan"));
    assert!(the_form(&app).unwrap().shown(about));
    for (key, text) in [("area", "Leicester"), ("words", "he grabbed me")] {
        let form = the_form_mut(&mut app);
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
        form_keys(&mut app, &chars(text));
    }
    for key in ["categories", "risk", "consent"] {
        let form = the_form_mut(&mut app);
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
        form_keys(
            &mut app,
            &[k(if key == "categories" {
                KeyCode::Char(' ')
            } else {
                KeyCode::Right
            })],
        );
    }
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty(), "not answered");
    let form = the_form(&app).unwrap();
    assert_eq!(form.focus, about, "focus on the question");
    assert!(
        form.fields[about]
            .error
            .as_ref()
            .unwrap()
            .contains("uses this desk")
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 40).unwrap();
    assert!(text.contains("Uses this desk?"), "{text}");
    // Choose Jo Brennan's account (the second option after No).
    form_keys(
        &mut app,
        &[k(KeyCode::Right), k(KeyCode::Right), k(KeyCode::Right)],
    );
    assert_eq!(the_form(&app).unwrap().choice("about"), Some("jbrennan"));
    let fx = form_keys(&mut app, &[ctrl_s()]);
    let [Effect::Store(Request::Create { about, .. })] = fx.as_slice() else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(*about, About::User("jbrennan".into()));
}

/// A paste goes whole into the focused field, line breaks and all; with no
/// field it is refused with a hint and runs nothing (its "A" acknowledges
/// nothing).
#[test]
fn a_paste_is_text_and_never_keys() {
    let mut app = app_with(3);
    let paste = |app: &mut App, s: &str| match app.route(&Input::Paste(s.into())) {
        Some(a) => update(app, a),
        None => vec![],
    };
    assert!(paste(&mut app, "Also spoke to A").is_empty());
    assert!(status(&app).contains("Pasted text was ignored"));
    assert_eq!(app.mode(), Mode::Dashboard);
    press(&mut app, KeyCode::Char('N'));
    paste(
        &mut app,
        "Spoke to mum.\nAlso spoke to school.\nNo answer from dad.",
    );
    assert_eq!(
        prompt(&app).unwrap().text(),
        "Spoke to mum.\nAlso spoke to school.\nNo answer from dad."
    );
    // Editing keys move and delete by word and line; they never type letters.
    for k in ['a', 'e', 'w'] {
        press_key(
            &mut app,
            KeyEvent::new(KeyCode::Char(k), KeyModifiers::CONTROL),
        );
    }
    assert_eq!(
        prompt(&app).unwrap().text(),
        "Spoke to mum.\nAlso spoke to school.\nNo answer from dad"
    );
}

/// Esc with Alt (two escapes at once) acts as Esc; Ctrl-C with something
/// typed asks first, and says it will be kept as a draft.
#[test]
fn alt_esc_is_esc_and_ctrl_c_asks_when_something_is_typed() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(0, "advice-given", "x", 4))),
    );
    assert_eq!(app.mode(), Mode::Record);
    press_key(&mut app, KeyEvent::new(KeyCode::Esc, KeyModifiers::ALT));
    assert_eq!(app.mode(), Mode::Dashboard);
    press(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "half");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(press_key(&mut app, ctrl_c).is_empty(), "asks first");
    assert!(confirm(&app).unwrap().question.contains("kept as a draft"));
    assert_eq!(app.drafts().len(), 1, "the note is a draft now");
    assert_eq!(press(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
}

/// Status lines expire with the clock, so "Saving…" never lingers.
#[test]
fn status_lines_expire() {
    let mut app = app_with(3);
    update(&mut app, Action::Saved("Note added to SG-2026-0001".into()));
    assert!(status(&app).contains("Note added"));
    update(&mut app, Action::Tick(now() + Duration::seconds(3)));
    assert!(status(&app).contains("Note added"));
    update(&mut app, Action::Tick(now() + Duration::seconds(9)));
    assert!(app.ctx.status.is_none());
}

/// A refused save after another DSL's change offers Ctrl-R: the record is
/// loaded again, the prompt takes its new version and keeps the text.
#[test]
fn a_conflict_reloads_without_retyping() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('s'));
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(0, "advice-given", "first", 7))),
    );
    type_text(&mut app, "agreed");
    press_key(&mut app, ctrl_s());
    update(
        &mut app,
        Action::Conflict("Bob Day changed it at 09:04; reload and try again".into()),
    );
    assert!(
        prompt(&app)
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("Ctrl-R")
    );
    let fx = press_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(0, "advice-given", "second", 9))),
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("Rationale: second"), "{text}");
    assert_eq!(prompt(&app).unwrap().text(), "agreed");
    let fx = press_key(&mut app, ctrl_s());
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Store(Request::Act {
                version: Some(9),
                ..
            })]
        ),
        "{fx:?}"
    );
}

/// An open record follows another session's change: it asks for itself
/// again only if its version or chronology moved (no audit row per poll).
#[test]
fn an_open_record_follows_other_sessions() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::DetailLoaded(Box::new(proposed(0, "advice-given", "x", 4))),
    );
    let fx = update(&mut app, Action::Changed);
    assert!(
        fx.contains(&Effect::Store(Request::Refresh {
            id: 1000,
            version: 4,
            entries: 0
        })),
        "{fx:?}"
    );
}
