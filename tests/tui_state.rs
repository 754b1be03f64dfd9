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
            source: Default::default(),
        }),
        awaiting_signoff: false,
        version: 1,
        linked_12m: 0,
        emergency_called: false,
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
        kept_row: None,
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
        source: Default::default(),
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
            // The review counts on the dashboard follow the change too,
            // and the open alerts (the banner).
            Effect::Store(Request::Reviews),
            Effect::Store(Request::OpenAlerts),
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

/// The footer says what Enter does: a one-line waiver reason saves on it,
/// beside Ctrl-S, never "new line"; help's marks keep a space after the
/// widest one; a time in the future is said once under the 999 form's field.
#[test]
fn small_things_say_what_they_mean_once() {
    let mut app = app_with(10);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('w'));
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("Enter/Ctrl-S save"), "{text}");
    assert!(!text.contains("new line"), "{text}");
    press(&mut app, KeyCode::Esc);
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('?'));
    let text = dutydesk::tui::render_text(&mut app, 100, 80).unwrap();
    assert!(
        text.contains("‼ 999 NOT CALLED life at risk, no call on record"),
        "{text}"
    );
    let mut app = app_with(3);
    let mut d = detail(0, 3);
    d.summary.immediate_risk = true;
    open_record(&mut app, d);
    press(&mut app, KeyCode::Char('9'));
    assert_eq!(app.mode(), Mode::Form);
    // Monday 09:00 now: 23:30 today has not happened yet.
    form_keys(&mut app, &chars("23:30"));
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("Tab/Enter next"), "a one-line field: {text}");
    form_keys(&mut app, &[ctrl_s()]);
    assert!(confirm(&app).is_none());
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert_eq!(text.matches("in the future").count(), 1, "{text}");
}

#[test]
fn help_lists_every_key_of_the_screen_below() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    let text = dutydesk::tui::render_text(&mut app, 100, 80).unwrap();
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
            Effect::Store(Request::Reviews),
            Effect::Store(Request::OpenAlerts)
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

/// An open alert of the desk, as `store::alerts::open_for` answers.
fn desk_alert(
    kind: dutydesk::domain::paging::Kind,
    subject: i64,
    pos: i64,
    minutes: i64,
) -> dutydesk::domain::paging::DeskAlert {
    use dutydesk::domain::paging::Kind;
    let case = !matches!(kind, Kind::NobodyOnDuty | Kind::ShiftStart);
    dutydesk::domain::paging::DeskAlert {
        kind,
        subject_id: subject,
        escalation_id: case.then_some(1000 + pos),
        reference: case.then(|| format!("SG-2026-{:04}", pos + 1).into()),
        risk: case.then_some(Risk::High),
        immediate_risk: false,
        started_at: now() - Duration::minutes(minutes),
        holder: Some(2),
        exclude: vec![],
        rule: matches!(kind, Kind::Overdue | Kind::DueSoon).then(|| "LADO referral".into()),
        hand: None,
        due_at: Some(now() - Duration::minutes(minutes)),
        acknowledged: false,
    }
}

#[test]
fn alerts_ring_once_and_the_banner_follows_the_open_alerts() {
    use dutydesk::domain::alert::{Alert, AlertKind};
    use dutydesk::domain::paging::Kind;
    let mut app = app_with(3);
    let alert = Alert {
        kind: AlertKind::Overdue,
        subject_id: 500,
        reference: "SG-2026-0001".into(),
        label: "LADO referral".into(),
        due_at: Some(now() - Duration::minutes(60)),
    };
    // A fresh notice rings (once per user, as the store claims it).
    let fx = update(&mut app, Action::Alerts(vec![alert.clone()]));
    assert_eq!(fx, vec![Effect::Notify(vec![alert])]);
    assert!(
        status(&app).contains("SG-2026-0001 overdue") && status(&app).contains("! lists"),
        "said once on the status line: {}",
        status(&app)
    );
    assert!(update(&mut app, Action::Alerts(vec![])).is_empty());
    // The banner is the open alerts not acknowledged: overdue first; the
    // acknowledged one, "assigned to you" and "not acknowledged" (its own
    // line) are not in it.
    let mut acked = desk_alert(Kind::Overdue, 509, 9, 300);
    acked.acknowledged = true;
    let open = vec![
        desk_alert(Kind::DueSoon, 502, 1, 30),
        desk_alert(Kind::Overdue, 500, 0, 60),
        desk_alert(Kind::Assigned, 77, 2, 5),
        desk_alert(Kind::Unacknowledged, 1004, 4, 20),
        acked,
    ];
    update(&mut app, Action::OpenAlertsLoaded(open.clone().into()));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(
        text.contains("‼ ALERT SG-2026-0001 overdue: LADO referral and 1 more"),
        "{text}"
    );
    assert!(text.contains("! lists them, x hides"), "{text}");
    // x hides what it shows; the same alerts again stay hidden ...
    press(&mut app, KeyCode::Char('x'));
    update(&mut app, Action::OpenAlertsLoaded(open.clone().into()));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(!text.contains("ALERT"), "{text}");
    // ... and a new one brings the banner back, with only what is new.
    let mut more = open.clone();
    more.push(desk_alert(Kind::Signoff, 900, 2, 10));
    update(&mut app, Action::OpenAlertsLoaded(more.into()));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(
        text.contains("‼ ALERT SG-2026-0003 closure waits for sign-off ")
            && !text.contains("and 1 more"),
        "{text}"
    );
    // After a restart the banner is back while the alerts stay open (no
    // notice is claimed again: it comes from the open alerts).
    let mut again = app_with(3);
    update(&mut again, Action::OpenAlertsLoaded(open.into()));
    let text = dutydesk::tui::render_text(&mut again, 100, 30).unwrap();
    assert!(text.contains("‼ ALERT SG-2026-0001 overdue"), "{text}");
    // Our own save and others' changes ask for them again at once (a case
    // restricted elsewhere leaves the banner with the list, not 10 s later).
    let fx = update(&mut again, Action::Saved("Alerts acknowledged".into()));
    assert!(fx.contains(&Effect::Store(Request::OpenAlerts)), "{fx:?}");
    let fx = update(&mut again, Action::Changed);
    assert!(fx.contains(&Effect::Store(Request::OpenAlerts)), "{fx:?}");
}

#[test]
fn the_alerts_screen_lists_every_open_alert_opens_and_acknowledges() {
    use dutydesk::domain::paging::Kind;
    use dutydesk::tui::layers::alerts::AlertsLayer;
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('!'));
    assert_eq!(fx, vec![Effect::Store(Request::OpenAlerts)]);
    assert_eq!(app.mode(), Mode::Alerts);
    let mut acked = desk_alert(Kind::DueSoon, 503, 2, 30);
    acked.acknowledged = true;
    let mut urgent = desk_alert(Kind::Unacknowledged, 1001, 1, 20);
    urgent.immediate_risk = true;
    let list = vec![
        urgent,
        desk_alert(Kind::Overdue, 500, 0, 125),
        desk_alert(Kind::NobodyOnDuty, 1_700_000_000, 0, 45),
        desk_alert(Kind::Assigned, 77, 2, 5),
        acked,
    ];
    update(&mut app, Action::OpenAlertsLoaded(list.clone().into()));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(
        text.contains("Alerts: 5 open, 4 still escalating"),
        "{text}"
    );
    let row = |text: &str, needle: &str| -> String {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{text}"))
            .to_string()
    };
    // Kind, case, risk (as a mark), age, and whether acknowledged, in words.
    let r = row(&text, "SG-2026-0002");
    assert!(
        r.contains("‼ escalating") && r.contains("999!") && r.contains("20m"),
        "{r}"
    );
    assert!(r.contains("nobody has taken the case"), "{r}");
    let r = row(&text, "overdue: LADO referral");
    assert!(
        r.contains("SG-2026-0001") && r.contains("▲ HIGH") && r.contains("2h 5m"),
        "{r}"
    );
    let r = row(&text, "nobody on duty");
    assert!(r.contains("—"), "no case: {r}");
    let r = row(&text, "due soon");
    assert!(r.contains("✓ stopped"), "{r}");
    // No row says it is acknowledged and not acknowledged at once.
    for l in text.lines() {
        assert!(
            !(l.contains("✓") && l.contains("not acknowledged")),
            "contradicts itself: {l}"
        );
    }
    // The same in monochrome: nothing rests on colour.
    let mut mono = app_with(3);
    press(&mut mono, KeyCode::Char('!'));
    update(&mut mono, Action::OpenAlertsLoaded(list.clone().into()));
    mono.ctx.theme = Theme::dark();
    assert_eq!(
        dutydesk::tui::render_text(&mut mono, 100, 30).unwrap(),
        text
    );

    // A on a case's alert: its alerts, without taking it.
    let fx = press(&mut app, KeyCode::Char('A'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::AcknowledgeAlerts { id: Some(1001) })]
    );
    // Acknowledged, it moves down; the selection stays in place, on the
    // next one to work.
    let mut after = list.clone();
    let mut first = after.remove(0);
    first.acknowledged = true;
    after.push(first);
    update(
        &mut app,
        Action::Saved("Alerts on SG-2026-0002 acknowledged".into()),
    );
    update(&mut app, Action::OpenAlertsLoaded(after.clone().into()));
    let l = app.layer::<AlertsLayer>().unwrap();
    assert_eq!(l.list[l.selected].subject_id, 500);
    // "Nobody on duty": the rota's alert.
    press(&mut app, KeyCode::Char('j'));
    let fx = press(&mut app, KeyCode::Char('A'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::AcknowledgeAlerts { id: None })]
    );
    // "Assigned to you" is not acknowledged by anyone: said, nothing sent.
    press(&mut app, KeyCode::Char('j'));
    assert!(press(&mut app, KeyCode::Char('A')).is_empty());
    assert!(
        status(&app).contains("Nothing to acknowledge"),
        "{}",
        status(&app)
    );
    // Enter opens the case; Esc comes back to the alerts.
    press(&mut app, KeyCode::Char('g'));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    update(&mut app, Action::DetailLoaded(Box::new(plain_detail(0))));
    assert_eq!(app.mode(), Mode::Record);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Alerts);
    // Enter on "nobody on duty" opens the rota.
    press(&mut app, KeyCode::Char('j'));
    let fx = press(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Store(Request::Handover)]);
    assert_eq!(app.mode(), Mode::Handover);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Dashboard);
    // A viewer reads the list but acknowledges nothing.
    let mut viewer = app_with(3);
    viewer.ctx.me.role = Role::Viewer;
    press(&mut viewer, KeyCode::Char('!'));
    update(&mut viewer, Action::OpenAlertsLoaded(list.into()));
    assert!(press(&mut viewer, KeyCode::Char('A')).is_empty());
    assert!(status(&viewer).contains("Viewers"), "{}", status(&viewer));
}

/// An allegation about staff: the record says where they work, whom with,
/// and that it is a low-level concern.
#[test]
fn a_staff_record_shows_where_they_work_and_a_low_level_concern() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Enter);
    let mut d = plain_detail(0);
    d.summary.subject_kind = SubjectKind::Staff;
    d.work_area = Some("Leicester".into());
    d.works_with = Some(dutydesk::domain::escalation::WorksWith::Adults);
    d.low_level = true;
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("Works        in Leicester · with adults at risk"),
        "{text}"
    );
    assert!(
        text.contains("LOW-LEVEL CONCERN (KCSIE Part 4 s2)"),
        "{text}"
    );
    // Not recorded: said so, not left blank.
    let mut d = plain_detail(0);
    d.summary.subject_kind = SubjectKind::Staff;
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("in not recorded (the LADO where they work)"),
        "{text}"
    );
    assert!(!text.contains("LOW-LEVEL"), "{text}");
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
            Effect::Store(Request::Reviews),
            Effect::Store(Request::OpenAlerts)
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
            .enumerate()
            .filter(|(i, f)| f.required && form.shown(*i))
            .all(|(_, f)| f.error.is_some())
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
    // Past the expected date (shown for a child) and the age.
    keys.extend([k(KeyCode::Tab), k(KeyCode::Tab), k(KeyCode::Tab)]);
    keys.extend(chars("Rutland"));
    keys.extend([
        k(KeyCode::Tab), // when it happened (empty: now)
        k(KeyCode::Tab), // where it happened
        k(KeyCode::Tab), // where, in words
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

/// The form's checks are `dutydesk new`'s (`domain::intake::check`): UK
/// dates said back as read, the subject against the age, an unborn child
/// with an expected date, the areas list with the nearest names, consent
/// reasons, and the staff questions (where they work, whom with, a
/// low-level concern).
#[test]
fn intake_reads_dates_ages_areas_and_staff_as_dutydesk_new_does() {
    use dutydesk::domain::area::Area;
    use dutydesk::domain::escalation::WorksWith;
    let areas = vec![
        Area {
            name: "Leicester".into(),
            aliases: vec!["Leicester City".into()],
            active: true,
        },
        Area {
            name: "Rutland".into(),
            aliases: vec![],
            active: true,
        },
    ];
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('n'));
    assert_eq!(fx, vec![Effect::Store(Request::Areas)], "the areas, fresh");
    update(&mut app, Action::AreasLoaded(areas));
    // Types `text` into the field `key` (after clearing it).
    let fill = |app: &mut App, key: &str, text: &str| {
        let form = the_form_mut(app);
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
        let mut keys = vec![KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)];
        keys.extend(chars(text));
        form_keys(app, &keys);
    };
    let choose = |app: &mut App, key: &str, letter: char| {
        let form = the_form_mut(app);
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
        form_keys(app, &[k(KeyCode::Char(letter))]);
    };
    let error = |app: &App, key: &str| -> String {
        let f = the_form(app).unwrap();
        f.fields
            .iter()
            .find(|x| x.key == key)
            .and_then(|x| x.error.clone())
            .unwrap_or_default()
    };
    // An adult of 16 is a child in law; a typo'd area names the nearest.
    choose(&mut app, "subject", 'a');
    fill(&mut app, "name", "Kai Moss");
    fill(&mut app, "age", "16");
    fill(&mut app, "area", "Rutlnd");
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("did you mean Rutland?"),
        "said while typing: {text}"
    );
    choose(&mut app, "risk", 'm');
    fill(&mut app, "words", "she said it again");
    choose(&mut app, "consent", 'u'); // unable to consent (capacity)
    let form = the_form_mut(&mut app);
    form.focus = form
        .fields
        .iter()
        .position(|f| f.key == "categories")
        .unwrap();
    form_keys(&mut app, &[k(KeyCode::Char(' '))]);
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    assert!(
        error(&app, "subject").contains("aged 16"),
        "{}",
        error(&app, "subject")
    );
    assert!(
        error(&app, "area").contains("did you mean Rutland?"),
        "{}",
        error(&app, "area")
    );
    assert!(
        error(&app, "consent_reason").contains("unable to consent (capacity)"),
        "a reason unless given: {}",
        error(&app, "consent_reason")
    );
    // A UK date of birth, said back as read.
    choose(&mut app, "subject", 'c');
    fill(&mut app, "age", "");
    fill(&mut app, "dob", "02/03/2014");
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("Read as 2 March 2014 (aged 12)"), "{text}");
    fill(&mut app, "area", "leicester city");
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("Read as Leicester"), "{text}");
    fill(
        &mut app,
        "consent_reason",
        "lacks capacity for this decision",
    );
    let fx = form_keys(&mut app, &[ctrl_s()]);
    let [Effect::Store(Request::Create { escalation: e, .. })] = fx.as_slice() else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(e.subject_dob.as_deref(), Some("2014-03-02"));
    assert_eq!(e.area, "Leicester", "the list's own name");
    assert_eq!(e.consent, Consent::UnableCapacity);
    assert_eq!(e.age_band, AgeBand::From10);
    update(
        &mut app,
        Action::StoreError("the database is locked".into()),
    );
    // An unborn child: the expected date instead.
    fill(&mut app, "dob", "");
    fill(&mut app, "expected", "01/03/2027");
    let fx = form_keys(&mut app, &[ctrl_s()]);
    let [Effect::Store(Request::Create { escalation: e, .. })] = fx.as_slice() else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(
        (e.age_band, e.subject_dob.as_deref()),
        (AgeBand::Unborn, Some("2027-03-01"))
    );
    update(
        &mut app,
        Action::StoreError("the database is locked".into()),
    );
    // Staff: where they work, whom with, a low-level concern; the expected
    // date (hidden now) counts as empty.
    choose(&mut app, "subject", 's');
    let text = dutydesk::tui::render_text(&mut app, 120, 60).unwrap();
    for asked in [
        "Area where they work",
        "Works with",
        "Low-level concern?",
        "Uses this desk?",
    ] {
        assert!(text.contains(asked), "{asked}: {text}");
    }
    assert!(!text.contains("Expected (unborn)"), "{text}");
    fill(&mut app, "age", "40");
    fill(&mut app, "work_area", "Rutlnd");
    choose(&mut app, "works_with", 'a');
    let form = the_form_mut(&mut app);
    form.focus = form
        .fields
        .iter()
        .position(|f| f.key == "low_level")
        .unwrap();
    form_keys(&mut app, &[k(KeyCode::Char('y'))]);
    choose(&mut app, "about", 'n');
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    assert!(
        error(&app, "work_area").contains("did you mean Rutland?"),
        "{}",
        error(&app, "work_area")
    );
    fill(&mut app, "work_area", "Rutland");
    let fx = form_keys(&mut app, &[ctrl_s()]);
    let [Effect::Store(Request::Create { escalation: e, .. })] = fx.as_slice() else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(e.subject_kind, SubjectKind::Staff);
    assert_eq!(e.work_area.as_deref(), Some("Rutland"));
    assert_eq!(e.works_with, Some(WorksWith::Adults));
    assert!(e.low_level);
    assert_eq!(e.subject_dob, None, "the hidden expected date is not sent");
}

#[test]
fn closing_asks_first_and_a_refusal_keeps_the_form() {
    let mut app = app_with(3);
    // From the list, the record is loaded first: the form lists its deadlines.
    let fx = press(&mut app, KeyCode::Char('c'));
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    let mut d = detail(0, 1);
    d.deadlines.clear();
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    assert_eq!(app.mode(), Mode::Form, "no record under it: the form alone");
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

    // While the list is open, a case on it hidden from the user (restricted
    // in another session) is taken off it; none left, it closes.
    update(
        &mut app,
        Action::Created {
            message: "SG-2026-0010 recorded".into(),
            id: 10,
            reference: "SG-2026-0010".into(),
            matches: vec![m(2, "SG-2026-0002"), m(5, "SG-2026-0005")],
        },
    );
    let fx = update(&mut app, Action::Changed);
    assert!(
        fx.contains(&Effect::Store(Request::VisibleAmong { ids: vec![2, 5] })),
        "{fx:?}"
    );
    assert_eq!(app.mode(), Mode::Matches);
    update(&mut app, Action::NoLongerVisible(vec![5]));
    assert_eq!(app.mode(), Mode::Matches, "one left: the list stays");
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(!text.contains("SG-2026-0005 · "), "{text}");
    assert!(text.contains("SG-2026-0002 · "), "{text}");
    update(&mut app, Action::NoLongerVisible(vec![2]));
    assert_eq!(app.mode(), Mode::Dashboard, "none left: the list closes");
}

/// An adult recorded as unable to consent: the NRM's warning says why, and
/// no consent tick is offered (choosing the NRM must not need one).
#[test]
fn refer_offers_no_consent_tick_for_an_adult_without_capacity() {
    use dutydesk::domain::route::Route;
    use dutydesk::domain::routing::Suggestion;
    use dutydesk::store::worker::ReferOptions;
    let s = |route, fits, warning: Option<&str>| Suggestion {
        route,
        why: "why".into(),
        fits,
        warning: warning.map(str::to_string),
    };
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('r'));
    update(
        &mut app,
        Action::ReferOptionsLoaded(Box::new(ReferOptions {
            id: 1000,
            suggestions: vec![
                s(Route::Adults, true, None),
                s(Route::Ms1, true, None),
                s(
                    Route::Nrm,
                    false,
                    Some("the adult is recorded as unable to consent (capacity): MS1"),
                ),
            ],
            contacts: vec![],
            notes: vec![],
            may_confirm_consent: false,
        })),
    );
    form_keys(&mut app, &[k(KeyCode::Char('n'))]);
    assert_eq!(the_form(&app).unwrap().choice("route"), Some("nrm"));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("unable to consent (capacity)"), "{text}");
    assert!(!text.contains("Consented"), "{text}");
}

/// A contact that does not serve the route chosen is refused beside the
/// contact field: a children's line never takes a police referral.
#[test]
fn refer_refuses_a_contact_for_another_route() {
    use dutydesk::domain::contact::{Answer, Contact};
    use dutydesk::domain::routing::Suggestion;
    use dutydesk::store::worker::ReferOptions;
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
            hours: dutydesk::domain::hours::Hours::default(),
            hours_text: String::new(),
            fallback_id: None,
        },
        state: dutydesk::domain::hours::OpenState::ClosedUntil(None),
        open_now: false,
        when: "opens in 1d".into(),
        ring: Some("01572 758 407".into()),
        ring_service: "Rutland County Council Children's referrals".into(),
        ring_id: 7,
        ring_for: "children in Rutland".into(),
    };
    let s = |route, why: &str| Suggestion {
        route,
        why: why.into(),
        fits: true,
        warning: None,
    };
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('r'));
    update(
        &mut app,
        Action::ReferOptionsLoaded(Box::new(ReferOptions {
            id: 1000,
            suggestions: vec![
                s(dutydesk::domain::route::Route::Children, "a child at risk"),
                s(dutydesk::domain::route::Route::Police, "a crime"),
            ],
            contacts: vec![("children".into(), contact)],
            notes: vec![],
            may_confirm_consent: false,
        })),
    );
    // The police route; then the children's contact picked by hand.
    form_keys(&mut app, &[k(KeyCode::Char('p'))]);
    assert_eq!(the_form(&app).unwrap().choice("route"), Some("police"));
    form_keys(&mut app, &[k(KeyCode::Tab), k(KeyCode::Right)]);
    assert_eq!(the_form(&app).unwrap().choice("contact"), Some("7"));
    for _ in 0..4 {
        form_keys(&mut app, &[k(KeyCode::Tab)]);
    }
    form_keys(&mut app, &chars("the concern"));
    assert_eq!(the_form(&app).unwrap().text("shared"), "the concern");
    form_keys(&mut app, &[ctrl_s()]);
    assert!(confirm(&app).is_none(), "nothing is asked");
    let e = the_form(&app)
        .unwrap()
        .fields
        .iter()
        .find(|f| f.key == "contact")
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(e.contains("is for the children route"), "{e}");
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
            notes: vec![],
            may_confirm_consent: false,
        })),
    );
    assert_eq!(app.mode(), Mode::Form);
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("‹ Children's social care / MASH ›") && text.contains("a child at risk"),
        "the fitting route is chosen: {text}"
    );
    // Contact: the Rutland line, which says it is closed and what to ring.
    let mut keys = vec![k(KeyCode::Tab), k(KeyCode::Right), k(KeyCode::Right)];
    let shown = {
        form_keys(&mut app, &keys);
        dutydesk::tui::render_text(&mut app, 120, 40).unwrap()
    };
    assert!(shown.contains("[CLOSED: ring 0116 305 0005"), "{shown}");
    // The number rung: filled from the contact, its out-of-hours line
    // while it is shut, saying whom it is for.
    assert_eq!(the_form(&app).unwrap().text("number"), "0116 305 0005");
    keys = vec![k(KeyCode::Tab), k(KeyCode::Tab)];
    form_keys(&mut app, &keys);
    let shown = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        shown.contains("0116 305 0005 is for children in Rutland"),
        "{shown}"
    );
    keys = vec![k(KeyCode::Tab), k(KeyCode::Tab)];
    keys.extend(chars("summary and exact words"));
    keys.push(ctrl_s());
    form_keys(&mut app, &keys);
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("rung on 0116 305 0005 (for children in Rutland)"),
        "{}",
        confirm(&app).unwrap().question
    );
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
    assert_eq!(r.phone_rung.as_deref(), Some("0116 305 0005"));
    assert!(!r.consented);
}

/// An adult in modern slavery without recorded consent: the NRM warns and
/// offers MS1; ticking that consent has now been given answers the warning
/// and goes with the referral.
#[test]
fn an_adults_nrm_referral_warns_offers_ms1_and_takes_consent() {
    use dutydesk::domain::route::Route;
    use dutydesk::domain::routing::Suggestion;
    use dutydesk::store::worker::ReferOptions;
    let s = |route, why: &str, fits, warning: Option<&str>| Suggestion {
        route,
        why: why.into(),
        fits,
        warning: warning.map(str::to_string),
    };
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('r'));
    update(
        &mut app,
        Action::ReferOptionsLoaded(Box::new(ReferOptions {
            id: 1000,
            suggestions: vec![
                s(Route::Adults, "an adult at risk", true, None),
                s(
                    Route::Ms1,
                    "adult modern slavery without recorded consent: MS1",
                    true,
                    None,
                ),
                s(
                    Route::Nrm,
                    "National Referral Mechanism (modern slavery)",
                    false,
                    Some(
                        "an adult's NRM referral needs their informed consent, and none is recorded: use MS1",
                    ),
                ),
            ],
            contacts: vec![],
            notes: vec!["where the person works is not recorded".into()],
            may_confirm_consent: true,
        })),
    );
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("‼ where the person works is not recorded"),
        "notes are pinned above: {text}"
    );
    assert!(
        !text.contains("Consented"),
        "asked only for the NRM: {text}"
    );
    // n: the NRM, with its warning pinned above the fields.
    form_keys(&mut app, &[k(KeyCode::Char('n'))]);
    assert_eq!(the_form(&app).unwrap().choice("route"), Some("nrm"));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("‼ an adult's NRM referral needs their informed consent"),
        "{text}"
    );
    assert!(text.contains("Consented (NRM)?"), "{text}");
    assert!(text.contains("not among the routes that fit"), "{text}");
    // m: MS1 instead, which fits.
    form_keys(&mut app, &[k(KeyCode::Char('m'))]);
    assert_eq!(the_form(&app).unwrap().choice("route"), Some("ms1"));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(!text.contains("needs their informed consent"), "{text}");
    assert!(text.contains("Fits this case"), "{text}");
    // Back to the NRM, with consent now given: the warning is answered.
    form_keys(
        &mut app,
        &[
            k(KeyCode::Char('n')),
            k(KeyCode::Tab),
            k(KeyCode::Char('y')),
        ],
    );
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(!text.contains("needs their informed consent"), "{text}");
    let form = the_form_mut(&mut app);
    form.focus = form.fields.iter().position(|f| f.key == "shared").unwrap();
    let mut keys = chars("the adult's account");
    keys.push(ctrl_s());
    form_keys(&mut app, &keys);
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("consent to the NRM is recorded"),
        "{}",
        confirm(&app).unwrap().question
    );
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
    assert_eq!(r.route, "nrm");
    assert!(r.consented);
    assert_eq!(r.contact_id, None);
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
        text.contains("CLOSED → 0116 305 0005  for children in Rutland, instead of 01572 758 407"),
        "whom the number is for: {text}"
    );
    // r filters by route: the domain's routes, in its order.
    let fx = press(&mut app, KeyCode::Char('r'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Contacts {
            query: String::new(),
            route: Some(dutydesk::domain::route::Route::ALL[0].code().into()),
            area: None
        })]
    );
    for _ in 1..dutydesk::domain::route::Route::ALL.len() {
        press(&mut app, KeyCode::Char('r'));
    }
    let fx = press(&mut app, KeyCode::Char('r'));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Store(Request::Contacts { route: None, .. })]
        ),
        "after the last route, any: {fx:?}"
    );
    // Enter: the whole record says whom the number now is for.
    press(&mut app, KeyCode::Enter);
    let text = dutydesk::tui::render_text(&mut app, 110, 30).unwrap();
    assert!(
        text.contains("Now ring 0116 305 0005 (Leicestershire 24/7), for children in Rutland"),
        "{text}"
    );
    press(&mut app, KeyCode::Enter);
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
    // Another layer's question (the possible repeats) answered while the
    // dashboard runs: its reload takes care of the list, and nothing is
    // said of a paused list (tester x21).
    let before: Vec<i64> = app.dashboard().queue.rows.iter().map(|e| e.id).collect();
    update(&mut app, Action::NoLongerVisible(vec![before[1]]));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(!text.contains("paused list"), "{text}");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    let on = app.dashboard().target().unwrap().id;
    press(&mut app, KeyCode::Char('p'));
    assert!(app.dashboard().paused);
    // Paused: no reload, but which rows the user may still see is asked,
    // and a case hidden from them meanwhile leaves the frozen list at once.
    let fx = update(&mut app, Action::Changed);
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Store(Request::Dashboard { .. }))),
        "paused: no reload"
    );
    let asked = fx
        .iter()
        .find_map(|f| match f {
            Effect::Store(Request::VisibleAmong { ids }) => Some(ids.clone()),
            _ => None,
        })
        .expect("the rows' visibility asked");
    let shown: Vec<i64> = app.dashboard().queue.rows.iter().map(|e| e.id).collect();
    assert!(shown.iter().all(|id| asked.contains(id)), "{asked:?}");
    let hidden = shown[1];
    // The store answers with what it was asked and what is visible; the
    // screen hears the difference.
    let reply = dutydesk::store::worker::Reply::VisibleAmong {
        visible: asked.iter().copied().filter(|id| *id != hidden).collect(),
        asked: asked.clone(),
    };
    update(&mut app, dutydesk::tui::reply_action(reply));
    assert!(
        !app.dashboard().queue.rows.iter().any(|e| e.id == hidden),
        "a hidden case stayed on the paused list"
    );
    // The selection stays on its case, not its row number: a key acts on
    // the case the user was looking at (tester x21).
    assert_eq!(app.dashboard().target().unwrap().id, on);
    assert_eq!(app.dashboard().queue.selected, 2);
    assert_eq!(app.dashboard().queue.total, before.len() as i64 - 1);
    assert!(app.dashboard().paused, "still paused");
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

    // A shared set ([verbs]) moves on the dashboard and the record alike.
    std::fs::write(&file, "[keys.verbs]\n\"A\" = \"Z\"\n").unwrap();
    let config = dutydesk::config::Config::load_from(&file).unwrap();
    let (km, problems) = dutydesk::tui::keymap::Keymap::with_overrides(&config.rebindings());
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = app_with(3);
    app.ctx.keymap = km;
    let screen = dutydesk::tui::render_text(&mut app, 120, 30).unwrap();
    assert!(
        screen.contains("Z ack") && !screen.contains("A ack"),
        "{screen}"
    );
    assert!(
        press(&mut app, KeyCode::Char('A')).is_empty(),
        "A does nothing now"
    );
    assert!(matches!(
        press(&mut app, KeyCode::Char('Z')).as_slice(),
        [Effect::Store(Request::Act {
            verb: Verb::Acknowledge,
            ..
        })]
    ));
    open_record(&mut app, detail(0, 1));
    press(&mut app, KeyCode::Char('?'));
    let help = dutydesk::tui::render_text(&mut app, 100, 60).unwrap();
    assert!(help.contains("Z                 Acknowledge"), "{help}");
    assert!(!help.contains("A                 Acknowledge"), "{help}");

    // Onto a key the screen already uses: refused, naming both.
    std::fs::write(&file, "\n[keys.verbs]\n\"c\" = \"C\"\n").unwrap();
    let config = dutydesk::config::Config::load_from(&file).unwrap();
    let (_, problems) = dutydesk::tui::keymap::Keymap::with_overrides(&config.rebindings());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("config.toml line 3"), "{problems:?}");
    assert!(problems[0].contains("Contacts"), "{problems:?}");
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
        first: 0,
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

/// A meeting held and its decisions recorded from the screen, as with
/// `dutydesk reviews hold` / `record` (DSLs and senior leads only).
#[test]
fn a_review_meeting_is_held_and_decided_from_the_screen() {
    let mut app = app_with(5);
    update(
        &mut app,
        Action::ReviewsLoaded(vec![agenda("bi", 2), agenda("q", 3)]),
    );
    press(&mut app, KeyCode::Char('R'));
    update(&mut app, Action::AgendaLoaded(Box::new(agenda("bi", 2))));
    // h: who attended, then a question, then the request.
    press(&mut app, KeyCode::Char('h'));
    assert_eq!(app.mode(), Mode::Form);
    let mut keys = chars("Sam Reed, Jo Brennan");
    keys.push(ctrl_s());
    assert!(form_keys(&mut app, &keys).is_empty(), "a question first");
    assert!(
        confirm(&app)
            .unwrap()
            .question
            .contains("Record the Series bi meeting as held now?"),
        "{}",
        confirm(&app).unwrap().question
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::HoldReview {
            series: "bi".into(),
            attendees: "Sam Reed, Jo Brennan".into()
        })]
    );
    update(
        &mut app,
        Action::Saved("Series bi held with 2 items".into()),
    );
    assert_eq!(app.mode(), Mode::Reviews);
    // Holding moves the series down the list: the screen stays on it.
    update(
        &mut app,
        Action::ReviewsLoaded(vec![agenda("q", 3), agenda("bi", 0)]),
    );
    assert_eq!(app.layer::<Reviews>().unwrap().series, 1);
    // i: the held meetings' items; Enter records a decision with an action.
    let fx = press(&mut app, KeyCode::Char('i'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::HeldItems {
            series: "bi".into()
        })]
    );
    update(
        &mut app,
        Action::HeldItemsLoaded(
            "bi".into(),
            vec![
                (
                    41,
                    "2026-11-23".into(),
                    "SG-2026-0001".into(),
                    "closed".into(),
                    false,
                ),
                (
                    42,
                    "2026-11-23".into(),
                    "SG-2026-0002".into(),
                    "deadline_missed".into(),
                    true,
                ),
            ],
        ),
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("SG-2026-0001  closed"), "{text}");
    assert!(text.contains("✓ decision recorded"), "{text}");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Form);
    let mut keys = chars("Closed with advice; the school follows up.");
    keys.push(k(KeyCode::Tab));
    keys.extend(chars("Agreed"));
    keys.push(k(KeyCode::Tab));
    keys.extend(chars("Check the school's follow-up"));
    keys.push(ctrl_s());
    assert!(
        form_keys(&mut app, &keys).is_empty(),
        "an action needs its owner and date"
    );
    let form = the_form(&app).unwrap();
    assert!(form.fields[3].error.as_deref().unwrap().contains("owner"));
    assert!(
        form.fields[4]
            .error
            .as_deref()
            .unwrap()
            .contains("due date")
    );
    let mut keys = vec![k(KeyCode::Tab), k(KeyCode::Char('j')), k(KeyCode::Tab)];
    let _ = &mut keys;
    let form = the_form_mut(&mut app);
    form.focus = 3;
    form_keys(&mut app, &[k(KeyCode::Char('j')), k(KeyCode::Tab)]);
    form_keys(&mut app, &chars("07/12/2026"));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("Read as Monday 7 December 2026"), "{text}");
    let fx = form_keys(&mut app, &[ctrl_s()]);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::RecordReview {
            item: 41,
            discussion: "Closed with advice; the school follows up.".into(),
            decision: "Agreed".into(),
            action: Some((
                "Check the school's follow-up".into(),
                "jbrennan".into(),
                chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
            )),
        })]
    );
    update(&mut app, Action::Saved("Item 41 recorded".into()));
    assert_eq!(app.mode(), Mode::Reviews);
    // A deputy reads the queue but holds nothing.
    let mut deputy = app_with(5);
    deputy.ctx.me.role = Role::Deputy;
    update(&mut deputy, Action::ReviewsLoaded(vec![agenda("bi", 2)]));
    press(&mut deputy, KeyCode::Char('R'));
    press(&mut deputy, KeyCode::Char('h'));
    assert_eq!(deputy.mode(), Mode::Reviews);
    assert!(
        status(&deputy).contains("Only a DSL or a senior lead"),
        "{}",
        status(&deputy)
    );
}

/// The reports screen shows the published report: small counts hidden (and
/// what could give them away), the period's kind, timeliness, conversion,
/// the scope sentence and a labelled monthly trend; it never moves past
/// today, and opens where there is something to see.
#[test]
fn reports_publish_and_never_reach_past_today() {
    use dutydesk::domain::report::{Row, build};
    let mut app = app_with(3);
    let fx = press(&mut app, KeyCode::Char('P'));
    // The last 12 full months.
    let (from, to) = (
        chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    );
    assert_eq!(fx, vec![Effect::Store(Request::Report { from, to })]);
    // Nothing there: once, the 12 months to today instead.
    let fx = update(
        &mut app,
        Action::ReportLoaded(Box::new(build(&[], from, to).unwrap())),
    );
    let (from2, to2) = (
        chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    );
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Report {
            from: from2,
            to: to2
        })]
    );
    let row = |day: u32, subject: &str, band: &str| Row {
        raised_at: Utc.with_ymd_and_hms(2026, 11, day, 10, 0, 0).unwrap(),
        categories: vec!["neglect".into()],
        subject: subject.into(),
        location: "own_home".into(),
        age_band: band.into(),
        area: "Rutland".into(),
        risk: "medium".into(),
        ..Row::default()
    };
    let mut rows: Vec<Row> = (1..=9).map(|d| row(d, "child", "10-15")).collect();
    rows.push(row(10, "child", "under-1"));
    rows.push(row(11, "adult", "18-64"));
    rows.push(row(12, "adult", "18-64"));
    let report = build(&rows, from2, to2).unwrap();
    assert!(update(&mut app, Action::ReportLoaded(Box::new(report))).is_empty());
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(
        text.contains("A 358 days to date, 1 Dec 2025 – 23 Nov 2026"),
        "{text}"
    );
    assert!(text.contains("[c] = 1-4 hidden (s shows)"), "{text}");
    assert!(text.contains("Concerns raised 12 "), "{text}");
    assert!(
        text.contains("Adult concerns [c]"),
        "a count of 2 is hidden: {text}"
    );
    assert!(
        text.contains("Counts only the cases you may see"),
        "the scope: {text}"
    );
    assert!(text.contains("Nov 26"), "the trend is labelled: {text}");
    // t: the subject table; 2 adults hidden, and the children's count with
    // them, or 12 - 10 would give the 2 away.
    press(&mut app, KeyCode::Char('t'));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("By subject"), "{text}");
    let line = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("{key:?}:\n{text}"))
            .to_string()
    };
    assert!(line(&text, "adult").contains("[c]"), "{text}");
    assert!(
        line(&text, "child").contains("[c]"),
        "secondary suppression: {text}"
    );
    // Age bands in age order.
    for _ in 0..2 {
        press(&mut app, KeyCode::Char('t'));
    }
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("By age band"), "{text}");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(
        at("under 1") < at("10-15") && at("10-15") < at("18-64"),
        "{text}"
    );
    // s shows the exact counts, and says they are not for sharing.
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('t'));
    for _ in 0..7 {
        press(&mut app, KeyCode::Char('t'));
    }
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains("EXACT COUNTS: not for sharing"), "{text}");
    assert!(text.contains("Adult concerns 2 "), "{text}");
    // ] never reaches past today; [ goes back a whole period.
    assert!(press(&mut app, KeyCode::Char(']')).is_empty());
    assert!(status(&app).contains("latest period"), "{}", status(&app));
    let fx = press(&mut app, KeyCode::Char('['));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Report {
            from: chrono::NaiveDate::from_ymd_opt(2024, 12, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap()
        })]
    );
    let fx = press(&mut app, KeyCode::Char(']'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Report {
            from: from2,
            to: to2
        })]
    );
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
        due_total: 1,
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

/// E records an event on the selected escalation: which event, when it was
/// held (a strategy discussion held yesterday at 15:00 counts from then),
/// and a note; the time is read back before anything is sent.
#[test]
fn e_records_an_event_with_the_time_it_was_held() {
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('E'));
    assert_eq!(app.mode(), Mode::Form);
    assert_eq!(
        the_form(&app).unwrap().choice("event"),
        Some("strategy_discussion"),
        "the first event is chosen"
    );
    form_keys(&mut app, &[k(KeyCode::Right)]);
    assert_eq!(
        the_form(&app).unwrap().choice("event"),
        Some("case_conference")
    );
    form_keys(&mut app, &[k(KeyCode::Left), k(KeyCode::Tab)]);
    // A time in the future is refused beside the field, nothing sent.
    form_keys(&mut app, &chars("23:30"));
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    let form = the_form(&app).unwrap();
    assert!(
        form.fields[1].error.as_deref().unwrap().contains("future"),
        "{:?}",
        form.fields[1].error
    );
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    form_keys(&mut app, &[ctrl_u]);
    form_keys(&mut app, &chars("yesterday 15:00"));
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("= Sun 22 Nov 2026 15:00 (UK time)"), "{text}");
    form_keys(&mut app, &[k(KeyCode::Tab)]);
    form_keys(&mut app, &chars("s47 agreed"));
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty(), "asks first");
    let q = confirm(&app).unwrap().question.clone();
    assert!(
        q.contains("strategy discussion held, Sun 22 Nov 2026 15:00"),
        "{q}"
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    let held = Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap();
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(1),
            verb: Verb::EventAt {
                event: "strategy_discussion".into(),
                note: "s47 agreed".into(),
                held,
            },
        })]
    );
    // Left empty, the event was held now.
    pop(&mut app);
    press(&mut app, KeyCode::Char('E'));
    form_keys(&mut app, &[ctrl_s()]);
    let fx = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Store(Request::Act {
                verb: Verb::Event { event, note },
                ..
            })] if event == "strategy_discussion" && note.is_empty()
        ),
        "{fx:?}"
    );
}

/// An open record, as the store would load it: three open deadlines (one
/// overdue), no referral.
fn detail(pos: i64, version: i64) -> EscalationDetail {
    let mut d = proposed(pos, "x", "x", version);
    d.summary.awaiting_signoff = false;
    d.outcome = None;
    d.closure_rationale = None;
    d.deadlines = [
        (71, "Home Office initial report", -120),
        (72, "LADO referral", 480),
        (73, "Children's social care decision (chase)", 1440),
    ]
    .into_iter()
    .map(|(id, label, mins)| Deadline {
        id,
        escalation_id: d.summary.id,
        reference: d.summary.reference.clone(),
        label: label.into(),
        due_at: now() + Duration::minutes(mins),
        warn_minutes: 240,
        state: DeadlineState::Open,
        beyond_calendar: false,
        assignee_id: Some(1),
        source: Default::default(),
    })
    .collect();
    d
}

/// Opens the record `d` from the list, as Enter and the store's answer do.
fn open_record(app: &mut App, d: EscalationDetail) {
    let fx = press(app, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Detail { id: d.summary.id })]
    );
    update(app, Action::DetailLoaded(Box::new(d)));
    assert_eq!(app.mode(), Mode::Record);
}

/// Closing says what happens to every open deadline: each needs a choice
/// (none is made for the user), a waiver needs its reason, and the question
/// lists each before anything is sent.
#[test]
fn closing_asks_for_each_open_deadline_keep_met_or_waive() {
    use dutydesk::domain::deadline::{ClosureAction, ClosureChoice, DeadlineRef};
    let mut app = app_with(3);
    open_record(&mut app, detail(0, 4));
    assert!(
        press(&mut app, KeyCode::Char('c')).is_empty(),
        "built from the record shown"
    );
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(
        text.contains("Close SG-2026-0001 · 3 open deadline(s)"),
        "{text}"
    );
    assert!(text.contains("Home Office initial report"), "{text}");
    assert!(text.contains("07:00 · ‼ OVERDUE"), "{text}");
    assert!(text.contains("due Mon 23 Nov 2026 17:00 "), "{text}");
    assert!(text.contains("LADO referral"), "{text}");
    // The name cut by the label column is given in full under it.
    assert!(
        text.contains("Children's social care decision (chase) · due"),
        "{text}"
    );
    let mut keys = vec![k(KeyCode::Right), k(KeyCode::Tab)];
    keys.extend(chars("Advice given to the family."));
    keys.push(ctrl_s());
    assert!(form_keys(&mut app, &keys).is_empty(), "no choice, no close");
    let form = the_form(&app).unwrap();
    for id in [71, 72, 73] {
        assert_eq!(
            form.fields
                .iter()
                .find(|f| f.key == format!("deadline:{id}"))
                .unwrap()
                .error
                .as_deref(),
            Some("required"),
            "deadline {id}"
        );
    }
    assert_eq!(form.fields[form.focus].key, "deadline:71");
    // Waive the first: its reason is asked for, and required.
    form_keys(&mut app, &[k(KeyCode::Char('w'))]);
    let form = the_form(&app).unwrap();
    assert!(form.shown_key("waive_reason:71") && !form.shown_key("waive_reason:72"));
    form_keys(
        &mut app,
        &[k(KeyCode::Tab), k(KeyCode::Tab), k(KeyCode::Char('k'))],
    );
    form_keys(
        &mut app,
        &[k(KeyCode::Tab), k(KeyCode::Char('m')), ctrl_s()],
    );
    let form = the_form(&app).unwrap();
    assert_eq!(
        form.fields[form.focus].key, "waive_reason:71",
        "a waiver without its reason"
    );
    form_keys(
        &mut app,
        &chars("Reported to the Home Office by phone at 08:00"),
    );
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty(), "asks first");
    let q = confirm(&app).unwrap().question.clone();
    for line in [
        "Close SG-2026-0001 as no further action?",
        "Home Office initial report: waived: Reported to the Home Office by phone at 08:00",
        "LADO referral: stays open",
        "Children's social care decision (chase): marked met",
    ] {
        assert!(q.contains(line), "{line:?} in {q}");
    }
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("LADO referral: stays open"), "{text}");
    let fx = press(&mut app, KeyCode::Char('y'));
    let ch = |id, action| ClosureChoice {
        deadline: DeadlineRef::Id(id),
        action,
    };
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(4),
            verb: Verb::Close {
                outcome: "no-further-action".into(),
                rationale: "Advice given to the family.".into(),
                choices: vec![
                    ch(
                        71,
                        ClosureAction::Waive(
                            "Reported to the Home Office by phone at 08:00".into()
                        )
                    ),
                    ch(72, ClosureAction::Keep),
                    ch(73, ClosureAction::Met(String::new())),
                ],
            },
        })]
    );
    // The store refuses (a deadline set meanwhile): Ctrl-R reloads the
    // record, the new deadline gets its own choice, the rest is kept.
    update(
        &mut app,
        Action::StoreError("SG-2026-0001: every open deadline needs a choice".into()),
    );
    assert!(
        the_form(&app)
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("Ctrl-R")
    );
    let fx = press_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    let mut d = detail(0, 5);
    let mut icpc = d.deadlines[1].clone();
    icpc.id = 74;
    icpc.label = "Initial child protection conference".into();
    icpc.due_at = now() + Duration::days(20);
    d.deadlines.push(icpc);
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let form = the_form(&app).unwrap();
    assert_eq!(form.choice("deadline:71"), Some("waive"), "kept");
    assert_eq!(form.choice("deadline:72"), Some("keep"), "kept");
    assert_eq!(form.choice("deadline:74"), None, "the new one asks");
    assert_eq!(form.text("rationale"), "Advice given to the family.");
}

/// A closure awaiting sign-off shows the approver what it does to each
/// deadline.
#[test]
fn sign_off_shows_what_the_closure_does_to_each_deadline() {
    use dutydesk::domain::escalation::ProposedChoice;
    let mut app = app_with(3);
    let mut d = proposed(0, "advice-given", "Family given advice", 7);
    d.practice.closure_choices = vec![
        ProposedChoice {
            deadline_id: 72,
            label: "LADO referral".into(),
            due_at: now() + Duration::hours(8),
            choice: "keep".into(),
            note: None,
        },
        ProposedChoice {
            deadline_id: 73,
            label: "Written record of disclosure".into(),
            due_at: now() + Duration::hours(14),
            choice: "waive".into(),
            note: Some("recorded on paper at the time".into()),
        },
    ];
    open_record(&mut app, d);
    let text = dutydesk::tui::render_text(&mut app, 80, 40).unwrap();
    assert!(text.contains("On sign-off, its deadlines"), "{text}");
    assert!(
        text.contains("LADO referral (due 23 Nov 2026 17:00): stays open"),
        "{text}"
    );
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.mode(), Mode::Prompt);
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("On sign-off, its deadlines:"), "{text}");
    assert!(
        text.contains("Written record of disclosure (due 23 Nov 2026 23:00): waived:"),
        "{text}"
    );
}

/// O records the agency's decision on a referral: the route's own codes,
/// and for a LADO allegation whether the person was removed from regulated
/// activity, which the question says starts the DBS duty.
#[test]
fn o_records_an_agencys_outcome_with_the_dbs_prompt() {
    use dutydesk::domain::escalation::ReferralView;
    use dutydesk::store::workflow::ReferralPick;
    let mut app = app_with(3);
    // No referral yet: said, nothing opens.
    open_record(&mut app, detail(0, 2));
    press(&mut app, KeyCode::Char('O'));
    assert_eq!(app.mode(), Mode::Record);
    assert!(status(&app).contains("no referral yet"), "{}", status(&app));
    pop(&mut app);
    let mut d = detail(0, 2);
    let referral = |id, route: &str, label: &str| ReferralView {
        id,
        route: route.into(),
        route_label: label.into(),
        made_at: now() - Duration::days(2),
        made_by: "Alice Moore".into(),
        agency_reference: Some("L-77".into()),
        outcome: None,
        outcome_label: None,
        outcome_at: None,
    };
    d.practice.referrals = vec![
        referral(8, "children", "Children's social care / MASH"),
        referral(9, "lado", "LADO"),
    ];
    d.practice.outcome_codes = vec![
        (
            "children".into(),
            vec![
                (
                    "accepted_for_assessment".into(),
                    "accepted for assessment".into(),
                ),
                ("no_further_action".into(), "no further action".into()),
            ],
        ),
        (
            "lado".into(),
            vec![
                ("substantiated".into(), "substantiated".into()),
                ("unfounded".into(), "unfounded".into()),
            ],
        ),
    ];
    open_record(&mut app, d);
    let text = dutydesk::tui::render_text(&mut app, 80, 40).unwrap();
    assert!(text.contains("decision awaited (press O)"), "{text}");
    assert!(text.contains(" O outcome"), "the footer offers it: {text}");
    press(&mut app, KeyCode::Char('O'));
    assert_eq!(app.mode(), Mode::Form);
    // Two referrals wait: choose which; each shows its own route's codes.
    form_keys(&mut app, &[ctrl_s()]);
    assert_eq!(
        the_form(&app).unwrap().fields[0].error.as_deref(),
        Some("required")
    );
    form_keys(&mut app, &[k(KeyCode::Right), k(KeyCode::Right)]);
    assert_eq!(the_form(&app).unwrap().choice("referral"), Some("9"));
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("Removed from regulate…"), "{text}");
    assert!(
        text.contains("the employer must then refer them to"),
        "{text}"
    );
    form_keys(&mut app, &[k(KeyCode::Tab), k(KeyCode::Char('s'))]);
    assert_eq!(
        the_form(&app).unwrap().choice("outcome:9"),
        Some("substantiated")
    );
    form_keys(
        &mut app,
        &[k(KeyCode::Tab), k(KeyCode::Char('y')), k(KeyCode::Tab)],
    );
    form_keys(&mut app, &chars("Dismissed; DBS referral to follow"));
    form_keys(&mut app, &[ctrl_s()]);
    let q = confirm(&app).unwrap().question.clone();
    assert!(
        q.contains("referral #9 of SG-2026-0001: substantiated"),
        "{q}"
    );
    assert!(q.contains("refer them to the DBS"), "{q}");
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(2),
            verb: Verb::Outcome {
                referral: ReferralPick::Id(9),
                code: "substantiated".into(),
                note: "Dismissed; DBS referral to follow".into(),
                removed: true,
            },
        })]
    );
    update(
        &mut app,
        Action::Saved("SG-2026-0001: outcome of referral #9 recorded".into()),
    );
    assert_eq!(
        app.mode(),
        Mode::Record,
        "the form closes on the store's word"
    );
}

/// "Removed from regulated activity" with an allegation that did not stand
/// (unfounded) is refused beside the field: the DBS duty does not arise.
#[test]
fn o_refuses_removal_with_an_unfounded_allegation() {
    use dutydesk::domain::escalation::ReferralView;
    let mut app = app_with(3);
    let mut d = detail(0, 2);
    d.practice.referrals = vec![ReferralView {
        id: 9,
        route: "lado".into(),
        route_label: "LADO".into(),
        made_at: now() - Duration::days(2),
        made_by: "Alice Moore".into(),
        agency_reference: None,
        outcome: None,
        outcome_label: None,
        outcome_at: None,
    }];
    d.practice.outcome_codes = vec![(
        "lado".into(),
        vec![
            ("substantiated".into(), "substantiated".into()),
            ("unfounded".into(), "unfounded".into()),
        ],
    )];
    open_record(&mut app, d);
    press(&mut app, KeyCode::Char('O'));
    assert_eq!(app.mode(), Mode::Form);
    // The only referral is chosen: the decision first, then the toggle.
    form_keys(
        &mut app,
        &[
            k(KeyCode::Char('u')),
            k(KeyCode::Tab),
            k(KeyCode::Char('y')),
            ctrl_s(),
        ],
    );
    assert_eq!(app.mode(), Mode::Form, "no question is asked");
    let f = the_form(&app).unwrap();
    assert_eq!(f.choice("outcome:9"), Some("unfounded"));
    let e = f
        .fields
        .iter()
        .find(|x| x.key == "removed:9")
        .and_then(|x| x.error.clone())
        .unwrap_or_default();
    assert!(e.contains("does not arise"), "{e}");
}

/// A case saved with life at risk and no 999 call: the record says so
/// first and 9 records the call made later, at the time it was made.
#[test]
fn the_999_call_is_recorded_later_from_the_record() {
    let mut app = app_with(3);
    let mut d = detail(0, 3);
    d.summary.immediate_risk = true;
    open_record(&mut app, d);
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(
        text.contains("999 call     ‼ NOT RECORDED: call 999 now, then record the call (press 9)"),
        "{text}"
    );
    let footer = text.lines().last().unwrap().to_string();
    assert!(footer.trim_start().starts_with("9 999 called"), "{footer}");
    press(&mut app, KeyCode::Char('9'));
    assert_eq!(app.mode(), Mode::Form);
    form_keys(&mut app, &chars("08:45"));
    form_keys(&mut app, &[ctrl_s()]);
    let q = confirm(&app).unwrap().question.clone();
    assert!(
        q.contains("999 was called for SG-2026-0001 at Mon 23 Nov 2026 08:45"),
        "{q}"
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(3),
            verb: Verb::Called999 {
                at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 8, 45, 0).unwrap()),
                note: String::new(),
            },
        })]
    );
    // Once a call is on the record, 9 says so and opens nothing.
    update(
        &mut app,
        Action::Saved("SG-2026-0001: 999 call recorded".into()),
    );
    let mut d = detail(0, 4);
    d.summary.immediate_risk = true;
    d.summary.emergency_called = true;
    d.practice.emergency_called_at = Some(Utc.with_ymd_and_hms(2026, 11, 23, 8, 45, 0).unwrap());
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(
        text.contains("999 call     called 23 Nov 2026 08:45"),
        "{text}"
    );
    assert!(
        !text.lines().last().unwrap().contains("999 called"),
        "{text}"
    );
    press(&mut app, KeyCode::Char('9'));
    assert_eq!(app.mode(), Mode::Record);
    assert!(
        status(&app).contains("already recorded"),
        "{}",
        status(&app)
    );
}

/// F records known FGM reported to the police by the professional who
/// discovered it; the record then names them and the police reference.
#[test]
fn f_records_the_fgm_report_and_the_record_names_who_made_it() {
    use dutydesk::domain::escalation::{Fgm, FgmReport};
    let mut app = app_with(3);
    let mut d = detail(0, 3);
    d.practice.fgm = Some(Fgm::AtRisk);
    open_record(&mut app, d.clone());
    press(&mut app, KeyCode::Char('F'));
    assert_eq!(app.mode(), Mode::Record, "at risk: not the police duty");
    assert!(status(&app).contains("not recorded as known FGM"));
    d.practice.fgm = Some(Fgm::Known);
    update(&mut app, Action::DetailLoaded(Box::new(d.clone())));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("NO REPORT TO THE POLICE RECORDED"), "{text}");
    press(&mut app, KeyCode::Char('F'));
    assert_eq!(app.mode(), Mode::Form);
    form_keys(&mut app, &[ctrl_s()]);
    assert_eq!(
        the_form(&app).unwrap().fields[0].error.as_deref(),
        Some("required")
    );
    form_keys(&mut app, &chars("Class teacher"));
    form_keys(&mut app, &[k(KeyCode::Tab)]);
    form_keys(&mut app, &chars("PR-123"));
    form_keys(&mut app, &[ctrl_s()]);
    let q = confirm(&app).unwrap().question.clone();
    assert!(
        q.contains("Class teacher reported known FGM on SG-2026-0001"),
        "{q}"
    );
    let fx = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(3),
            verb: Verb::FgmReported {
                by: "Class teacher".into(),
                police_reference: "PR-123".into(),
                at: None,
            },
        })]
    );
    update(&mut app, Action::Saved("reported".into()));
    d.practice.fgm_report = Some(FgmReport {
        reported_by: "Class teacher".into(),
        police_reference: "PR-123".into(),
        reported_at: now(),
    });
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let text = dutydesk::tui::render_text(&mut app, 160, 30).unwrap();
    assert!(
        text.contains(
            "reported to the police by Class teacher (who discovered it), police reference PR-123"
        ),
        "{text}"
    );
}

/// A concern recorded long after it happened shows how late, and what was
/// already due when it was recorded.
#[test]
fn the_record_shows_a_late_record_and_what_was_already_due() {
    let mut app = app_with(3);
    let mut d = detail(0, 1);
    d.occurred_at = Some(now() - Duration::days(3));
    d.occurred_place = Some("youth club".into());
    d.practice.lateness = dutydesk::domain::escalation::lateness(
        now() - Duration::days(3),
        now(),
        vec!["LADO referral".into()],
    );
    open_record(&mut app, d);
    let text = dutydesk::tui::render_text(&mut app, 120, 30).unwrap();
    assert!(
        text.contains("Happened     20 Nov 2026 09:00 at youth club"),
        "{text}"
    );
    assert!(
        text.contains("Recorded     3d 0h after it happened ‼ · RECORDED LATE: already due when recorded: LADO referral"),
        "{text}"
    );
}

/// Intake: when and where it happened (a time in the future refused beside
/// the field), and with the FGM category, known or at risk, required then.
#[test]
fn intake_records_when_it_happened_and_fgm_known_or_at_risk() {
    use dutydesk::domain::escalation::Fgm;
    let mut app = app_with(3);
    let mut d = window(3, 0, WINDOW, None);
    d.categories.push(("fgm".into(), "FGM".into()));
    update(&mut app, Action::DashboardLoaded(Box::new(d)));
    press(&mut app, KeyCode::Char('n'));
    let at = |app: &mut App, key: &str| {
        let form = the_form_mut(app);
        form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
    };
    assert!(
        !the_form(&app).unwrap().shown_key("fgm"),
        "hidden without the category"
    );
    at(&mut app, "subject");
    form_keys(&mut app, &[k(KeyCode::Right), k(KeyCode::Tab)]); // child
    form_keys(&mut app, &chars("Amina K"));
    at(&mut app, "age");
    form_keys(&mut app, &chars("11"));
    at(&mut app, "area");
    form_keys(&mut app, &chars("Walsall"));
    at(&mut app, "occurred");
    form_keys(&mut app, &chars("23:00"));
    at(&mut app, "place");
    form_keys(&mut app, &chars("school nurse's room"));
    at(&mut app, "categories");
    form_keys(&mut app, &[k(KeyCode::Char('f')), k(KeyCode::Char(' '))]);
    assert!(the_form(&app).unwrap().shown_key("fgm"), "shown with it");
    let text = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(text.contains("FGM known / at risk"), "{text}");
    assert!(
        text.contains("Known, girl under 18: whoever discovered it reports"),
        "the duty in one line: {text}"
    );
    at(&mut app, "risk");
    form_keys(&mut app, &[k(KeyCode::Right)]);
    at(&mut app, "words");
    form_keys(&mut app, &chars("they cut me"));
    at(&mut app, "consent");
    form_keys(&mut app, &[k(KeyCode::Right)]);
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    let form = the_form(&app).unwrap();
    let error = |key: &str| {
        form.fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.error.clone())
            .unwrap_or_default()
    };
    let fgm = error("fgm");
    assert!(
        fgm.contains("known or at_risk"),
        "names the valid values: {fgm}"
    );
    // Known: then the time, which is later today (in the future).
    at(&mut app, "fgm");
    form_keys(&mut app, &[k(KeyCode::Char('k'))]);
    assert!(form_keys(&mut app, &[ctrl_s()]).is_empty());
    let form = the_form(&app).unwrap();
    assert!(
        form.fields[form.focus]
            .error
            .as_deref()
            .unwrap()
            .contains("future"),
        "{:?}",
        form.fields[form.focus].error
    );
    assert_eq!(form.fields[form.focus].key, "occurred");
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    form_keys(&mut app, &[ctrl_u]);
    form_keys(&mut app, &chars("Fri 15:00"));
    let fx = form_keys(&mut app, &[ctrl_s()]);
    let [Effect::Store(Request::Create { escalation, .. })] = fx.as_slice() else {
        panic!("expected a create request, got {fx:?}");
    };
    assert_eq!(escalation.fgm, Some(Fgm::Known));
    assert_eq!(
        escalation.occurred_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()),
        "Friday before Monday 23 November"
    );
    assert_eq!(
        escalation.occurred_place.as_deref(),
        Some("school nurse's room")
    );
    assert_eq!(escalation.categories, vec!["fgm".to_string()]);
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
        practice: Default::default(),
        casework: Default::default(),
    }
}

/// A record as the store would load it (no closure proposed).
fn plain_detail(pos: i64) -> EscalationDetail {
    let mut d = proposed(pos, "", "", 1);
    d.summary.awaiting_signoff = false;
    d.outcome = None;
    d.closure_rationale = None;
    d
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
            .contains("held by Jo Brennan. Take it from them")
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("a = alerts only"), "{text}");
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
    // The third answer: stop its alerts, leave it with Jo Brennan.
    press(&mut app, KeyCode::Char('A'));
    let fx = press(&mut app, KeyCode::Char('a'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::AcknowledgeAlerts { id: Some(1000) })]
    );
    assert_eq!(app.mode(), Mode::Dashboard);
    // Other questions have no third answer: `a` does nothing there.
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    assert_eq!(app.mode(), Mode::Confirm);
    // A case already yours: A acknowledges (the store stops its alerts).
    let mut mine = app_with(3);
    let fx = press(&mut mine, KeyCode::Char('A'));
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Act {
            id: 1000,
            version: Some(1),
            verb: Verb::Acknowledge
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

/// A long agenda is loaded a window at a time (issue 21): scrolling past
/// the window asks for the window there, and the lines show once it comes.
#[test]
fn the_review_screen_loads_a_long_agenda_a_window_at_a_time() {
    let mut app = app_with(5);
    let whole = agenda("bi", 5000);
    let window = |first: usize, n: usize| {
        let mut a = whole.clone();
        a.items = whole.items[first..(first + n).min(5000)].to_vec();
        a.first = first;
        a
    };
    let mut summary = whole.clone();
    summary.items.clear();
    press(&mut app, KeyCode::Char('R'));
    update(&mut app, Action::ReviewsLoaded(vec![summary]));
    update(&mut app, Action::AgendaLoaded(Box::new(window(0, 400))));
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("SG-2026-0001"), "{text}");
    assert!(text.contains("of 5000"), "{text}");
    let fx = press(&mut app, KeyCode::Char('G'));
    let Some(Effect::Store(Request::AgendaAt { series, offset })) = fx.first().cloned() else {
        panic!("the last window is asked for: {fx:?}");
    };
    assert_eq!(series, "bi");
    assert!(offset > 4000 && offset < 5000, "{offset}");
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("of 5000"), "{text}");
    assert!(!text.contains("SG-2026-5000"), "not loaded yet: {text}");
    let fx = update(
        &mut app,
        Action::AgendaLoaded(Box::new(window(offset, 400))),
    );
    assert!(fx.is_empty(), "the lines on screen are loaded: {fx:?}");
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(
        text.contains("SG-2026-5000"),
        "the last item on screen: {text}"
    );
}

/// Every key the footer and `?` help offer on the top layer does what they
/// say: each key of the bindings in force routes to that binding's action.
fn assert_keys_do_what_they_say(app: &App, what: &str) {
    let km = &app.ctx.keymap;
    for (b, keys) in km.in_force(&app.sections()) {
        for key in keys {
            assert_eq!(
                app.route(&Input::Key(key.event())),
                Some(b.action.clone()),
                "{what}: {} should {:?} ({})",
                key.label(),
                b.action,
                b.description
            );
        }
    }
}

/// The footer's word for Enter on the top layer, if it shows one.
fn enter_says(app: &App) -> Option<String> {
    app.ctx
        .hints
        .iter()
        .find(|(k, _)| k.split('/').any(|k| k == "Enter"))
        .map(|(_, h)| h.clone())
}

/// The footer and help come from the bindings the focused widget acts on:
/// Enter saves a one-line reason, chooses in the picker, moves on from a
/// form's one-line field and adds a line only where the text takes lines.
#[test]
fn enter_in_the_footer_is_what_enter_does_in_every_prompt_and_form() {
    // A one-line waiver reason: Enter saves.
    let mut app = app_with(10);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.mode(), Mode::Prompt);
    assert_eq!(
        enter_says(&app).as_deref(),
        Some("save"),
        "{:?}",
        app.ctx.hints
    );
    assert!(!app.ctx.hints.iter().any(|(_, h)| h == "new line"));
    assert_keys_do_what_they_say(&app, "waive prompt");
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.mode(), Mode::Help);
    let help = dutydesk::tui::render_text(&mut app, 100, 60).unwrap();
    assert!(!help.contains("New line"), "{help}");
    pop(&mut app);
    type_text(&mut app, "moved to police");
    assert!(matches!(
        press(&mut app, KeyCode::Enter).as_slice(),
        [Effect::Store(Request::Waive { .. })]
    ));

    // A note: Enter adds a line, Ctrl-S saves.
    let mut app = app_with(10);
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(enter_says(&app).as_deref(), Some("new line"));
    assert_keys_do_what_they_say(&app, "note prompt");
    press(&mut app, KeyCode::F(1));
    let help = dutydesk::tui::render_text(&mut app, 100, 60).unwrap();
    assert!(help.contains("New line"), "{help}");

    // The assign picker: Enter assigns.
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('a'));
    update(&mut app, Action::AssignableLoaded(staff()));
    assert_eq!(enter_says(&app).as_deref(), Some("assign"));
    assert_keys_do_what_they_say(&app, "picker");

    // Every field of the intake form: a one-line field moves on, a block
    // of text takes a new line, a choice moves on.
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('n'));
    let n = the_form(&app).unwrap().fields.len();
    let (mut lines, mut one_line) = (0, 0);
    for i in 0..n {
        the_form_mut(&mut app).focus = i;
        update(&mut app, Action::Tick(now()));
        let f = the_form(&app).unwrap().focused();
        let label = f.label.clone();
        let said = enter_says(&app);
        match f.kind {
            dutydesk::tui::form::FieldKind::Multiline { .. } => {
                lines += 1;
                assert_eq!(said.as_deref(), Some("new line"), "{label}");
            }
            dutydesk::tui::form::FieldKind::Text { .. } => {
                one_line += 1;
                assert_eq!(said.as_deref(), Some("next"), "{label}");
                let before = the_form(&app).unwrap().focus;
                press(&mut app, KeyCode::Enter);
                assert_ne!(
                    the_form(&app).unwrap().focus,
                    before,
                    "{label}: Enter moves on"
                );
                the_form_mut(&mut app).focus = i;
                update(&mut app, Action::Tick(now()));
            }
            _ => assert_ne!(said.as_deref(), Some("new line"), "{label}"),
        }
        assert_keys_do_what_they_say(&app, &format!("intake field {label}"));
    }
    assert!(lines > 0 && one_line > 0, "the intake has both kinds");

    // Searching contacts and every case: Enter finishes the search.
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::SearchInput);
    assert_eq!(enter_says(&app).as_deref(), Some("search"));
    assert_keys_do_what_they_say(&app, "search input");
}

/// After another DSL's change refuses a save, the footer offers the reload
/// key (and only then), named as bound.
#[test]
fn the_reload_key_is_in_the_footer_when_a_conflict_is_shown() {
    let mut app = app_with(5);
    press(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "Called mum");
    let has_reload = |app: &App| {
        app.ctx
            .hints
            .iter()
            .any(|(k, h)| k == "Ctrl-R" && h == "reload")
    };
    assert!(!has_reload(&app), "{:?}", app.ctx.hints);
    press_key(&mut app, ctrl_s());
    update(
        &mut app,
        Action::Conflict("Jo Brennan changed SG-2026-0001 at 09:03".into()),
    );
    assert!(has_reload(&app), "{:?}", app.ctx.hints);
    let screen = dutydesk::tui::render_text(&mut app, 80, 24).unwrap();
    assert!(screen.contains("Ctrl-R reload"), "{screen}");
    let fx = press_key(
        &mut app,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
    );
    assert_eq!(fx, vec![Effect::Store(Request::Detail { id: 1000 })]);
    update(&mut app, Action::DetailLoaded(Box::new(detail(0, 2))));
    assert!(!has_reload(&app), "reloaded: {:?}", app.ctx.hints);
    assert_eq!(prompt(&app).unwrap().text(), "Called mum");

    // A form too.
    let mut app = app_with(3);
    press(&mut app, KeyCode::Char('c'));
    let mut d = detail(0, 1);
    d.deadlines.clear();
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    assert!(!has_reload(&app));
    let mut keys = vec![k(KeyCode::Right), k(KeyCode::Tab)];
    keys.extend(chars("Advice given."));
    keys.push(ctrl_s());
    form_keys(&mut app, &keys);
    press(&mut app, KeyCode::Char('y'));
    update(
        &mut app,
        Action::Conflict("Jo Brennan changed SG-2026-0001 at 09:04".into()),
    );
    assert!(has_reload(&app), "{:?}", app.ctx.hints);
    assert!(
        the_form(&app)
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("Ctrl-R reloads")
    );
}

/// On a closed case the screen says at once to re-open it, naming its own
/// key (the store's words name none: they reach commands too), and sends
/// nothing.
#[test]
fn a_closed_case_says_reopen_first_with_the_screens_key() {
    let mut app = app_with(3);
    let mut d = detail(0, 3);
    d.summary.status = Status::Closed;
    d.outcome = Some("no-further-action".into());
    open_record(&mut app, d);
    for key in ['N', 'a', 'c', 'r', 'A'] {
        let fx = press(&mut app, KeyCode::Char(key));
        assert!(fx.is_empty(), "{key}: {fx:?}");
        assert_eq!(
            status(&app),
            "SG-2026-0001 is closed: re-open it first (o)",
            "{key}"
        );
        assert_eq!(app.mode(), Mode::Record, "{key}");
    }
    let screen = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(screen.contains("no further action"), "{screen}");
    assert!(!screen.contains("no-further-action"), "{screen}");
    // The footer offers what the closed case takes: re-opening, not the
    // verbs it would refuse.
    let footer: Vec<&str> = app.ctx.hints.iter().map(|(_, h)| h.as_str()).collect();
    assert_eq!(footer.first(), Some(&"re-open"), "{footer:?}");
    for verb in ["ack", "assign", "note", "refer", "close"] {
        assert!(!footer.contains(&verb), "{verb}: {footer:?}");
    }
    // Re-opening is offered, as bound.
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.mode(), Mode::Prompt);
}

/// Another session's change with the selection deep in a long queue (issue
/// 21): the window comes back read around the selected case without its
/// place counted. The case stays selected on the same screen line, the
/// footer shows no number rather than a wrong one, the place is asked for
/// after the frame, and when it comes every position moves by the
/// difference without anything on screen moving.
#[test]
fn a_window_read_around_the_selection_keeps_it_still_until_its_place_is_counted() {
    let total = 137_000;
    let mut app = app_with(total);
    // Somewhere in the middle: the window there, the selection on 60,050.
    update(
        &mut app,
        Action::DashboardLoaded(Box::new(window(total, 60_000, WINDOW, None))),
    );
    {
        use dutydesk::tui::layers::dashboard::Dashboard;
        let q = &mut app.layer_mut::<Dashboard>().unwrap().queue;
        q.select(60_050);
        q.scroll_to(10);
    }
    let (id, top) = (
        app.dashboard().queue.selected_row().unwrap().id,
        app.dashboard().queue.top,
    );
    let fx = update(&mut app, Action::Changed);
    assert!(
        fx.contains(&Effect::Store(Request::Dashboard {
            offset: 60_000,
            limit: WINDOW,
            keep: Some(id),
            deadlines_offset: 0,
        })),
        "{fx:?}"
    );
    // Seven cases ahead of it closed: it really stands at 60,043 of 136,993,
    // but the store read the window around it (100 before it) uncounted.
    let mut d = window(total - 7, 60_043 - 100, WINDOW, None);
    d.rows = (0..WINDOW).map(|i| row(60_050 - 100 + i)).collect();
    d.kept_row = Some(100);
    d.kept_at = None;
    let fx = update(&mut app, Action::DashboardLoaded(Box::new(d)));
    let q = &app.dashboard().queue;
    assert_eq!(q.selected_row().unwrap().id, id, "the same case");
    assert_eq!((q.selected, q.top), (60_050, top), "on the same line");
    assert!(!q.exact);
    assert_eq!(
        fx,
        vec![Effect::Store(Request::Position {
            id,
            near_end: false
        })]
    );
    let text = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(text.contains("… of 136993"), "no number yet: {text}");
    assert!(!text.contains("60051 of"), "never the old number: {text}");
    // The count arrives: positions move by -7, the screen does not.
    let before = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    update(
        &mut app,
        Action::PositionLoaded {
            id,
            at: Some(60_043),
        },
    );
    let q = &app.dashboard().queue;
    assert!(q.exact);
    assert_eq!(q.selected, 60_043);
    assert_eq!(q.top, top - 7);
    assert_eq!(q.offset, 60_043 - 100);
    let after = dutydesk::tui::render_text(&mut app, 100, 30).unwrap();
    assert!(after.contains("60044 of 136993"), "{after}");
    let lines = |t: &str| {
        t.lines()
            .filter(|l| l.contains("SG-2026-"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&before), lines(&after), "nothing on screen moved");
    // Moving past the rows held reads the next window around the nearest
    // held row, by its place in the order, not by number.
    while {
        let q = &app.dashboard().queue;
        q.selected < q.offset + q.rows.len() as i64 - 1
    } {
        assert!(press(&mut app, KeyCode::Char('j')).is_empty());
    }
    let last = app.dashboard().queue.rows.last().unwrap().id;
    let fx = press(&mut app, KeyCode::Char('j'));
    assert!(
        matches!(
            fx.first(),
            Some(Effect::Store(Request::Dashboard { keep: Some(k), .. })) if *k == last
        ),
        "{fx:?}"
    );
}
