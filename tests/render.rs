//! What the screen shows, drawn with ratatui's TestBackend from a demo
//! database at a fixed instant: the dashboard at the smallest supported size
//! (80×24) and a large one (200×60), the detail view and help.
//!
//! Snapshots live in tests/snapshots/. After a deliberate change to the
//! screen, review the diff and update them with `INSTA_UPDATE=always cargo test`.

mod common;

use common::{USER, demo_db, now, open};
use dutydesk::store::worker::Request;
use dutydesk::store::worker::{load_dashboard, load_detail};
use dutydesk::tui::action::Action;
use dutydesk::tui::app::{App, WINDOW};
use dutydesk::tui::render_text;
use dutydesk::tui::theme::Theme;
use dutydesk::tui::update::{Effect, update};

/// An app on the demo's dashboard, the way `dutydesk snapshot` builds it.
fn dashboard(path: &std::path::Path, w: u16, h: u16) -> App {
    let store = open(path);
    let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
    let data = load_dashboard(&store, &me, now(), 0, WINDOW, None, 0).unwrap();
    let mut app = App::new(me, now(), false, Theme::dark());
    update(&mut app, Action::Resize(w, h));
    update(&mut app, Action::DashboardLoaded(Box::new(data)));
    app
}

#[test]
fn dashboard_80x24() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 80, 24);
    let text = render_text(&mut app, 80, 24).unwrap();
    assert_eq!(text.lines().count(), 24);
    insta::assert_snapshot!("dashboard_80x24", text);
}

#[test]
fn dashboard_200x60() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 200, 60);
    let text = render_text(&mut app, 200, 60).unwrap();
    insta::assert_snapshot!("dashboard_200x60", text);
}

#[test]
fn overdue_comes_first_and_says_so_without_colour() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 120, 40);
    let text = render_text(&mut app, 120, 40).unwrap();
    // The escalation table: the lines above the deadlines panel.
    let rows: Vec<&str> = text
        .lines()
        .take_while(|l| !l.contains(" Deadlines:"))
        .filter(|l| l.trim_start_matches(['▶', ' ']).starts_with("SG-2026-"))
        .collect();
    assert!(rows[0].contains("‼ OVERDUE"), "{}", rows[0]);
    let last_overdue = rows.iter().rposition(|r| r.contains("OVERDUE")).unwrap();
    let first_later = rows.iter().position(|r| !r.contains("OVERDUE")).unwrap();
    assert!(
        last_overdue < first_later,
        "overdue rows are not all first:\n{text}"
    );
    // The same text in monochrome: meaning is in the symbols, not the colour.
    let mut mono = dashboard(&path, 120, 40);
    mono.ctx.theme = Theme::mono();
    assert_eq!(render_text(&mut mono, 120, 40).unwrap(), text);
}

#[test]
fn the_deadlines_panel_lists_every_open_deadline_soonest_first() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 120, 60);
    update(&mut app, Action::FocusNext);
    let text = render_text(&mut app, 120, 60).unwrap();
    let panel: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains(" Deadlines:"))
        .collect();
    assert!(
        panel[0].contains(&format!(
            "Deadlines: {} open",
            app.dashboard().deadlines.total
        )),
        "{}",
        panel[0]
    );
    let rows: Vec<&str> = panel
        .iter()
        .copied()
        .filter(|l| l.contains("SG-2026-"))
        .collect();
    assert_eq!(
        rows.len() as i64,
        app.dashboard().deadlines.total.min(
            dutydesk::tui::layers::dashboard::deadlines_height(app.dashboard(), &app.ctx).into()
        )
    );
    assert!(rows[0].starts_with("▶ ‼ OVERDUE"), "{}", rows[0]);
    let due: Vec<_> = app
        .dashboard()
        .deadlines
        .rows
        .iter()
        .map(|d| d.due_at)
        .collect();
    assert!(due.windows(2).all(|w| w[0] <= w[1]), "not soonest first");
    // Each row's countdown is the same function as the queue's column.
    assert!(
        rows.iter().any(|r| r.contains("◷ ")),
        "nothing due soon:\n{text}"
    );
}

#[test]
fn detail_and_help_80x24() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 80, 24);
    let id = app.dashboard().queue.selected_row().unwrap().id;
    let mut store = open(&path);
    let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
    let d = load_detail(&mut store, &me, now(), id).unwrap();
    update(&mut app, Action::Open);
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let text = render_text(&mut app, 80, 24).unwrap();
    insta::assert_snapshot!("detail_80x24", text);
    update(&mut app, Action::Help);
    let text = render_text(&mut app, 80, 24).unwrap();
    insta::assert_snapshot!("help_80x24", text);
}

#[test]
fn dashboard_help_lists_keys_and_marks_80x24() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut app = dashboard(&path, 80, 24);
    update(&mut app, Action::Help);
    let top = render_text(&mut app, 80, 24).unwrap();
    insta::assert_snapshot!("dashboard_help_80x24", top);
    assert!(top.contains("↓ more"), "{top}");
    // Help scrolls: at the end, the marks are explained.
    for _ in 0..30 {
        update(&mut app, Action::Down);
    }
    let end = render_text(&mut app, 80, 24).unwrap();
    for (mark, meaning) in dutydesk::tui::views::symbols::LEGEND {
        assert!(
            end.contains(mark) && end.contains(meaning),
            "{mark} {meaning}\n{end}"
        );
    }
    assert!(!end.contains("↓ more"), "{end}");
}

#[test]
fn too_small_says_so() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 5);
    let mut app = dashboard(&path, 79, 24);
    let text = render_text(&mut app, 79, 24).unwrap();
    assert!(text.contains("Terminal too small"), "{text}");
    assert!(text.contains("79×24"), "{text}");
    assert!(!text.contains("SG-2026-"), "{text}");
}

#[test]
fn hostile_strings_in_records_never_reach_the_terminal() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 12);
    let evil = "A\u{1b}]0;owned\u{7}B\u{1b}[2JC\u{1b}]52;c;ZXZpbA==\u{7}D\u{202e}E\u{9b}F";
    let c = common::sql(&path);
    c.execute(
        "UPDATE escalations SET subject_name = ?1, area = ?1, exact_words = ?1, raised_by = ?1",
        [evil],
    )
    .unwrap();
    c.execute(
        "UPDATE staff SET display_name = ?1 WHERE username <> 'tester'",
        [evil],
    )
    .unwrap();
    c.execute("UPDATE categories SET label = ?1", [evil])
        .unwrap();
    c.execute("UPDATE deadlines SET label = ?1", [evil])
        .unwrap();
    c.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'org_name'",
        [evil],
    )
    .unwrap();
    // The chronology is append-only: only someone going round dutydesk
    // (triggers dropped) could put this there.
    c.execute_batch("DROP TRIGGER chronology_no_update")
        .unwrap();
    c.execute("UPDATE chronology SET body = ?1", [evil])
        .unwrap();
    drop(c);
    let bad = |s: &str| {
        s.chars()
            .any(|ch| ch.is_control() && ch != '\n' || ch == '\u{202e}')
    };
    let mut app = dashboard(&path, 200, 60);
    let dash = render_text(&mut app, 200, 60).unwrap();
    assert!(!bad(&dash), "{dash:?}");
    assert!(
        dash.contains("A]0;ownedB[2JC]52;c;ZXZpbA==DEF"),
        "the text stays readable: {dash}"
    );
    let id = app.dashboard().queue.selected_row().unwrap().id;
    let mut store = open(&path);
    let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
    let d = load_detail(&mut store, &me, now(), id).unwrap();
    update(&mut app, Action::DetailLoaded(Box::new(d)));
    let detail = render_text(&mut app, 200, 60).unwrap();
    assert!(!bad(&detail), "{detail:?}");
    // The commands print the same clean text.
    for args in [
        vec!["list"],
        vec!["deadlines"],
        vec!["show", "SG-2026-0012"],
    ] {
        let out = assert_cmd::Command::cargo_bin("dutydesk")
            .unwrap()
            .env("DUTYDESK_USER", USER)
            .env("DUTYDESK_DB", &path)
            .env("DUTYDESK_NOW", "2026-11-23T09:00:00Z")
            .args(&args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!bad(&text), "{args:?}: {text:?}");
    }
}

#[test]
fn reports_screen_80x24_and_200x60() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let store = open(&path);
    let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 1, 0, 0, 0).unwrap();
    let end = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 0, 0, 0).unwrap();
    let rows = dutydesk::store::reports::rows(
        &store,
        dutydesk::store::escalations::Viewer::from(&me),
        start,
        end,
        now(),
    )
    .unwrap();
    let report = dutydesk::domain::report::build(&rows, from, to).unwrap();
    let c = common::sql(&path);
    let count = |a: i64, b: i64| -> u32 {
        c.query_row(
            "SELECT count(*) FROM escalations WHERE raised_at >= ?1 AND raised_at < ?2",
            [a, b],
            |r| r.get(0),
        )
        .unwrap()
    };
    let nov = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    assert_eq!(
        report.total,
        count(nov, end.timestamp()),
        "checked by hand in SQL"
    );
    assert_eq!(
        report.total_before,
        count(nov - 30 * 86400, nov),
        "the 30 days before"
    );
    let mut app = dashboard(&path, 80, 24);
    let fx = update(&mut app, Action::Reports);
    assert!(matches!(
        fx.as_slice(),
        [dutydesk::tui::update::Effect::Store(
            dutydesk::store::worker::Request::Report { .. }
        )]
    ));
    let total = report.total;
    update(&mut app, Action::ReportLoaded(Box::new(report)));
    let small = render_text(&mut app, 80, 24).unwrap();
    assert!(
        small.contains(&format!("Concerns raised {total} ")),
        "{small}"
    );
    insta::assert_snapshot!("reports_80x24", small);
    let big = render_text(&mut app, 200, 60).unwrap();
    insta::assert_snapshot!("reports_200x60", big);
}

/// A session on the demo: the store's own answers to every request the
/// screen makes, fed back as the event loop does, at the demo's instant.
struct Session {
    store: dutydesk::store::Store,
    me: dutydesk::domain::staff::StaffMember,
    app: App,
}

impl Session {
    fn new(path: &std::path::Path) -> Session {
        let store = open(path);
        let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
        let mut app = App::new(me.clone(), now(), false, Theme::dark());
        update(&mut app, Action::Resize(80, 24));
        let mut s = Session { store, me, app };
        s.pump(vec![
            dutydesk::tui::update::initial_load(),
            Effect::Store(Request::Reviews),
        ]);
        s
    }

    fn pump(&mut self, mut fx: Vec<Effect>) {
        while let Some(e) = fx.pop() {
            if let Effect::Store(req) = e {
                let clock = dutydesk::clock::Clock::Fixed(now());
                let reply = dutydesk::store::worker::respond(&mut self.store, &self.me, clock, req);
                fx.extend(update(&mut self.app, dutydesk::tui::reply_action(reply)));
            }
        }
    }

    fn act(&mut self, a: Action) {
        let fx = update(&mut self.app, a);
        self.pump(fx);
    }

    fn keys(&mut self, s: &str) {
        for c in s.chars() {
            let k = crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            );
            if let Some(a) = self.app.route(&dutydesk::tui::route::Input::Key(k)) {
                self.act(a);
            }
        }
    }
}

/// Every screen and popup, each at 80×24 and 200×60, from the demo.
#[test]
fn every_layer_at_80x24_and_200x60() {
    use dutydesk::tui::layer::Mode;
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    type Step = Box<dyn Fn(&mut Session)>;
    let steps: Vec<(&str, Mode, Step)> = vec![
        (
            "deadlines",
            Mode::Deadlines,
            Box::new(|s| s.act(Action::FocusNext)),
        ),
        ("record", Mode::Record, Box::new(|s| s.act(Action::Open))),
        (
            "contacts",
            Mode::Contacts,
            Box::new(|s| s.act(Action::Contacts)),
        ),
        (
            "contact_search",
            Mode::ContactSearch,
            Box::new(|s| {
                s.act(Action::Contacts);
                s.act(Action::Search);
                s.keys("rutland");
            }),
        ),
        (
            "reviews",
            Mode::Reviews,
            Box::new(|s| s.act(Action::Reviews)),
        ),
        (
            "handover",
            Mode::Handover,
            Box::new(|s| s.act(Action::Handover)),
        ),
        (
            "note_prompt",
            Mode::Prompt,
            Box::new(|s| {
                s.act(Action::Note);
                s.act(Action::Paste(
                    "Rang mum at 08:50.\nNo answer; left a message.".into(),
                ));
            }),
        ),
        (
            "waive_prompt",
            Mode::Prompt,
            Box::new(|s| {
                s.act(Action::FocusNext);
                s.act(Action::Waive);
            }),
        ),
        ("picker", Mode::Picker, Box::new(|s| s.act(Action::Assign))),
        (
            "confirm",
            Mode::Confirm,
            Box::new(|s| {
                s.act(Action::Handover);
                s.act(Action::TakeOver);
            }),
        ),
        (
            "intake_form",
            Mode::Form,
            Box::new(|s| s.act(Action::Intake)),
        ),
        ("close_form", Mode::Form, Box::new(|s| s.act(Action::Close))),
        ("refer_form", Mode::Form, Box::new(|s| s.act(Action::Refer))),
        (
            "contact_form",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Contacts);
                s.act(Action::AddContact);
            }),
        ),
        (
            "matches",
            Mode::Matches,
            Box::new(|s| {
                let d = s.app.dashboard().queue.rows[0].clone();
                s.act(Action::Created {
                    message: "SG-2026-0041 recorded".into(),
                    id: 41,
                    reference: "SG-2026-0041".into(),
                    matches: vec![dutydesk::store::escalations::Match {
                        id: d.id,
                        reference: d.reference.clone(),
                        raised_at: d.raised_at,
                        status: d.status,
                        why: "same name and area",
                    }],
                });
            }),
        ),
        (
            "drafts",
            Mode::Drafts,
            Box::new(|s| {
                s.act(Action::DraftsFound(vec![dutydesk::tui::drafts::Draft {
                    of: dutydesk::tui::drafts::DraftOf::Intake,
                    at: now().timestamp(),
                    values: vec![(
                        "name".into(),
                        dutydesk::tui::form::Kept::Text("Kai Moss".into()),
                    )],
                }]))
            }),
        ),
        ("help", Mode::Help, Box::new(|s| s.act(Action::Help))),
        ("lock", Mode::Lock, Box::new(|s| s.act(Action::Lock))),
        (
            "revoked",
            Mode::Revoked,
            Box::new(|s| {
                s.act(Action::Revoked(
                    "Your account is no longer active on this desk: records are hidden. Ask a senior lead if this is wrong.".into(),
                ))
            }),
        ),
    ];
    for (name, mode, step) in &steps {
        for (w, h) in [(80u16, 24u16), (200, 60)] {
            let mut s = Session::new(&path);
            update(&mut s.app, Action::Resize(w, h));
            step(&mut s);
            assert_eq!(s.app.mode(), *mode, "{name}");
            let text = render_text(&mut s.app, w, h).unwrap();
            assert_eq!(text.lines().count(), usize::from(h));
            insta::assert_snapshot!(format!("layer_{name}_{w}x{h}"), text);
        }
    }
    // Too small: the panel and nothing else, at a size below the minimum.
    let mut s = Session::new(&path);
    let text = render_text(&mut s.app, 79, 23).unwrap();
    assert_eq!(s.app.mode(), Mode::TooSmall);
    insta::assert_snapshot!("layer_too_small_79x23", text);
}
