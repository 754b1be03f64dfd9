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
use dutydesk::tui::workbench::WorkCmd;

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
    // The order of urgency (domain::urgency): life at risk with no 999 call
    // first, then unacknowledged, then overdue, then the rest.
    assert!(rows[0].contains("999!"), "{}", rows[0]);
    let last = |mark: &str| rows.iter().rposition(|r| r.contains(mark)).unwrap();
    let first = |mark: &str| rows.iter().position(|r| r.contains(mark)).unwrap();
    assert!(last("UNACK") < first("OVERDUE"), "{text}");
    let first_later = rows
        .iter()
        .position(|r| !r.contains("OVERDUE") && !r.contains("UNACK"))
        .unwrap();
    assert!(
        last("OVERDUE") < first_later,
        "overdue rows are not all before the rest:\n{text}"
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
    for _ in 0..120 {
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
    // The screen, through the store worker as the event loop runs it: the
    // last 12 full months, published (counts 1-4 hidden).
    let mut s = Session::new(&path);
    s.act(Action::Reports);
    let shown = s
        .app
        .layer::<dutydesk::tui::layers::reports::Reports>()
        .unwrap();
    let (from, to) = (shown.from, shown.to);
    assert_eq!(
        (from.to_string(), to.to_string()),
        ("2025-11-01".to_string(), "2026-10-31".to_string())
    );
    let in_period = count(
        common::at("2025-11-01T00:00:00Z").timestamp(),
        common::at("2026-11-01T00:00:00Z").timestamp(),
    );
    let small = render_text(&mut s.app, 80, 24).unwrap();
    assert!(
        small.contains(&format!("Concerns raised {in_period} ")),
        "{in_period} checked by hand in SQL:\n{small}"
    );
    insta::assert_snapshot!("reports_80x24", small);
    let big = render_text(&mut s.app, 200, 60).unwrap();
    insta::assert_snapshot!("reports_200x60", big);
    let _ = total_of(&report);
}

fn total_of(r: &dutydesk::domain::report::Report) -> u32 {
    r.total
}

/// A session on the demo: the store's own answers to every request the
/// screen makes, fed back as the event loop does, at the demo's instant.
struct Session {
    store: dutydesk::store::Store,
    me: dutydesk::domain::staff::StaffMember,
    app: App,
    path: std::path::PathBuf,
}

impl Session {
    fn new(path: &std::path::Path) -> Session {
        let store = open(path);
        let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
        let mut app = App::new(me.clone(), now(), false, Theme::dark());
        update(&mut app, Action::Resize(80, 24));
        let mut s = Session {
            store,
            me,
            app,
            path: path.to_path_buf(),
        };
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

    /// Opens the record of the first open escalation `condition` (SQL on
    /// `escalations e`) holds, as Enter does from the list.
    fn open_first(&mut self, condition: &str) {
        let id: i64 = common::sql(&self.path)
            .query_row(
                &format!(
                    "SELECT e.id FROM escalations e WHERE e.status <> 'closed' AND {condition} ORDER BY e.id LIMIT 1"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        let q = &self.app.dashboard().queue;
        let at = q.offset
            + q.rows
                .iter()
                .position(|r| r.id == id)
                .expect("in the first window") as i64;
        // Two clicks on a row open it, as Enter on the selection does.
        for _ in 0..2 {
            self.act(Action::Click {
                focus: dutydesk::tui::layers::dashboard::Focus::Queue,
                at,
            });
        }
        assert_eq!(
            self.app
                .layer::<dutydesk::tui::layers::record::Record>()
                .map(|r| r.data.summary.id),
            Some(id)
        );
    }

    /// Puts focus on a field of the open form.
    fn focus(&mut self, key: &str) {
        let f = &mut self
            .app
            .layer_mut::<dutydesk::tui::layers::form::FormLayer>()
            .expect("a form")
            .form;
        f.focus = f.fields.iter().position(|x| x.key == key).unwrap();
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
        (
            // Every open deadline chosen, the first waived: what closing
            // will do to each, asked before anything is sent.
            "close_confirm",
            Mode::Confirm,
            Box::new(|s| {
                s.open_first("e.next_due_at IS NOT NULL AND e.risk <> 'high' AND (SELECT count(*) FROM deadlines d WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL) >= 2");
                s.act(Action::Close);
                s.act(Action::ChoiceNext);
                s.focus("rationale");
                s.act(Action::Paste(
                    "Family engaged with early help; no further concerns.".into(),
                ));
                let keys: Vec<String> = s
                    .app
                    .layer::<dutydesk::tui::layers::form::FormLayer>()
                    .unwrap()
                    .form
                    .fields
                    .iter()
                    .filter(|f| f.key.starts_with("deadline:"))
                    .map(|f| f.key.to_string())
                    .collect();
                for (i, key) in keys.iter().enumerate() {
                    s.focus(key);
                    s.act(Action::Char(if i == 0 { 'w' } else { 'k' }));
                }
                let why = keys[0].replace("deadline:", "waive_reason:");
                s.focus(&why);
                s.act(Action::Paste("Agreed with the LADO by phone".into()));
                s.act(Action::Submit);
            }),
        ),
        (
            "outcome_form",
            Mode::Form,
            Box::new(|s| {
                s.open_first("EXISTS (SELECT 1 FROM referrals r WHERE r.escalation_id = e.id AND r.outcome IS NULL)");
                s.act(Action::Outcome);
            }),
        ),
        (
            "called_999_form",
            Mode::Form,
            Box::new(|s| {
                s.open_first("e.immediate_risk = 1 AND e.emergency_called_at IS NULL");
                s.act(Action::Called999);
                s.act(Action::Paste("08:45".into()));
            }),
        ),
        (
            "fgm_report_form",
            Mode::Form,
            Box::new(|s| {
                s.open_first("1");
                // Known FGM with no report yet (the demo's is reported).
                let r = s
                    .app
                    .layer_mut::<dutydesk::tui::layers::record::Record>()
                    .unwrap();
                r.data.practice.fgm = Some(dutydesk::domain::escalation::Fgm::Known);
                r.data.practice.fgm_report = None;
                s.act(Action::FgmReported);
            }),
        ),
        (
            "event_form",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Event);
                s.act(Action::NextField);
                s.act(Action::Paste("yesterday 15:00".into()));
            }),
        ),
        (
            "intake_fgm",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Intake);
                s.focus("occurred");
                s.act(Action::Paste("Fri 15:00".into()));
                s.focus("categories");
                s.keys("fff");
                s.act(Action::TickOption);
                s.focus("fgm");
            }),
        ),
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
        (
            "alerts",
            Mode::Alerts,
            Box::new(|s| s.act(Action::ShowAlerts)),
        ),
        (
            "take_or_alerts_only",
            Mode::Confirm,
            // The third case, below the two nobody has acknowledged, is
            // held by another DSL.
            Box::new(|s| {
                s.act(Action::Down);
                s.act(Action::Down);
                s.act(Action::Acknowledge)
            }),
        ),
        (
            "hold_form",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Reviews);
                s.act(Action::HoldMeeting);
                s.act(Action::Paste("Sam Reed, Jo Brennan".into()));
            }),
        ),
        ("help", Mode::Help, Box::new(|s| s.act(Action::Help))),
        // The workbench (issue 18).
        (
            "search_input",
            Mode::SearchInput,
            Box::new(|s| s.keys("/lei")),
        ),
        (
            "search",
            Mode::Search,
            Box::new(|s| {
                s.keys("/leicester");
                s.act(Action::Submit);
            }),
        ),
        (
            "person",
            Mode::Person,
            Box::new(|s| {
                s.act(Action::Open);
                s.act(Action::Work(WorkCmd::Person));
            }),
        ),
        (
            "signoffs",
            Mode::Signoffs,
            Box::new(|s| s.act(Action::Work(WorkCmd::Signoffs))),
        ),
        (
            "tasks",
            Mode::CaseItems,
            Box::new(|s| {
                s.act(Action::Open);
                s.act(Action::Work(WorkCmd::Tasks));
            }),
        ),
        (
            "correct_form",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Open);
                s.act(Action::Work(WorkCmd::Correct));
            }),
        ),
        (
            "export_form",
            Mode::Form,
            Box::new(|s| {
                s.act(Action::Open);
                s.act(Action::Work(WorkCmd::Export));
            }),
        ),
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
    // A meeting held from the screen, then its items and a decision form
    // (last: holding changes the demo's reviews for the steps after it).
    let mut s = Session::new(&path);
    s.act(Action::Reviews);
    s.act(Action::HoldMeeting);
    s.act(Action::Paste("Sam Reed, Jo Brennan".into()));
    s.act(Action::Submit);
    s.act(Action::Confirm(true));
    assert_eq!(s.app.mode(), Mode::Reviews, "{:?}", s.app.ctx.status);
    assert!(
        s.app
            .ctx
            .status
            .as_ref()
            .is_some_and(|x| x.text.contains(" held with ")),
        "{:?}",
        s.app.ctx.status
    );
    s.act(Action::HeldItems);
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let text = render_text(&mut s.app, w, h).unwrap();
        insta::assert_snapshot!(format!("layer_reviews_held_{w}x{h}"), text);
    }
    s.act(Action::Open);
    assert_eq!(s.app.mode(), Mode::Form);
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let text = render_text(&mut s.app, w, h).unwrap();
        insta::assert_snapshot!(format!("layer_decision_form_{w}x{h}"), text);
    }
    // Too small: the panel and nothing else, at a size below the minimum.
    let mut s = Session::new(&path);
    let text = render_text(&mut s.app, 79, 23).unwrap();
    assert_eq!(s.app.mode(), Mode::TooSmall);
    insta::assert_snapshot!("layer_too_small_79x23", text);
}

/// The sign-off prompt over a proposed closure shows what it will do to
/// each open deadline (on its own desk: the proposal is a write).
#[test]
fn signoff_prompt_shows_the_proposed_choices_at_80x24_and_200x60() {
    use dutydesk::tui::layer::Mode;
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let mut s = Session::new(&path);
    {
        // Another DSL proposes closing a referred case, keeping one
        // deadline open and waiving the rest.
        let c = common::sql(&s.path);
        let id: i64 = c
                    .query_row(
                        "SELECT e.id FROM escalations e WHERE e.status <> 'closed' AND e.closed_by IS NULL
                         AND EXISTS (SELECT 1 FROM referrals r WHERE r.escalation_id = e.id)
                         AND EXISTS (SELECT 1 FROM deadlines d WHERE d.escalation_id = e.id AND d.met_at IS NULL AND d.waived_at IS NULL)
                         ORDER BY e.id LIMIT 1",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
        let open: Vec<i64> = c
                    .prepare("SELECT id FROM deadlines WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL ORDER BY due_at, id")
                    .unwrap()
                    .query_map([id], |r| r.get(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
        use dutydesk::domain::deadline::{ClosureAction, ClosureChoice, DeadlineRef};
        let choices = open
            .iter()
            .enumerate()
            .map(|(i, d)| ClosureChoice {
                deadline: DeadlineRef::Id(*d),
                action: if i == 0 {
                    ClosureAction::Keep
                } else {
                    ClosureAction::Waive("decided at the strategy meeting".into())
                },
            })
            .collect();
        let outcome = dutydesk::store::workflow::outcomes(&c).unwrap()[0].clone();
        s.pump(vec![Effect::Store(Request::Act {
            id,
            version: None,
            verb: dutydesk::store::worker::Verb::Close {
                outcome,
                rationale: "Plan in place with children's social care.".into(),
                choices,
            },
        })]);
        s.open_first("e.closed_by IS NOT NULL AND e.closed_at IS NULL");
        s.act(Action::Approve);
    }
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        update(&mut s.app, Action::Resize(w, h));
        assert_eq!(s.app.mode(), Mode::Prompt);
        let text = render_text(&mut s.app, w, h).unwrap();
        assert!(text.contains("On sign-off, its deadlines:"), "{text}");
        // "stays open" (wrapped at 80 columns on a long deadline label).
        assert!(text.contains("stays"), "{text}");
        insta::assert_snapshot!(format!("layer_signoff_prompt_{w}x{h}"), text);
    }
}
