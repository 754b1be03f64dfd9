//! The workbench on the screen (issue 18), by key sequences through the same
//! route function as the event loop, answered by the real store worker on a
//! desk at a fixed instant: search, filter, open a closed case, re-open it;
//! the sign-off queue between two sessions; a correction refused beside its
//! field; a task and an attachment from the record.

mod common;

use common::{at, desk_db};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dutydesk::store::{self, Create, Store};
use dutydesk::tui::action::Action;
use dutydesk::tui::app::App;
use dutydesk::tui::layer::Mode;
use dutydesk::tui::route::Input;
use dutydesk::tui::theme::Theme;
use dutydesk::tui::update::{Effect, update};
use std::path::Path;

const NOW: &str = "2026-11-23T09:00:00Z";

struct Session {
    store: Store,
    me: dutydesk::domain::staff::StaffMember,
    app: App,
}

impl Session {
    fn new(db: &Path, user: &str) -> Session {
        let store = store::open(db, Create::No).unwrap();
        let me = store::staff::authenticate(&store, user).unwrap();
        let mut app = App::new(me.clone(), at(NOW), false, Theme::mono());
        update(&mut app, Action::Resize(120, 40));
        let mut s = Session { store, me, app };
        s.pump(vec![dutydesk::tui::update::initial_load()]);
        s
    }

    fn pump(&mut self, mut fx: Vec<Effect>) {
        while let Some(e) = fx.pop() {
            if let Effect::Store(req) = e {
                let clock = dutydesk::clock::Clock::Fixed(at(NOW));
                let reply = store::worker::respond(&mut self.store, &self.me, clock, req);
                fx.extend(update(&mut self.app, dutydesk::tui::reply_action(reply)));
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        let k = KeyEvent::new(code, KeyModifiers::NONE);
        if let Some(a) = self.app.route(&Input::Key(k)) {
            let fx = update(&mut self.app, a);
            self.pump(fx);
        }
    }

    fn ctrl(&mut self, c: char) {
        let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        if let Some(a) = self.app.route(&Input::Key(k)) {
            let fx = update(&mut self.app, a);
            self.pump(fx);
        }
    }

    fn keys(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn screen(&mut self) -> String {
        dutydesk::tui::render_text(&mut self.app, 120, 40).unwrap()
    }

    /// Another session's commit: every layer reloads what it shows.
    fn changed(&mut self) {
        let fx = update(&mut self.app, Action::Changed);
        self.pump(fx);
    }
}

fn ok(db: &Path, user: &str, args: &[&str]) -> String {
    let o = assert_cmd::Command::cargo_bin("dutydesk")
        .unwrap()
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_NOW", NOW)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn desk(dir: &Path) -> (std::path::PathBuf, String, String) {
    let db = dir.join("desk.db");
    desk_db(
        &db,
        "Keys",
        &[
            ("sam", "Sam Reed", "senior"),
            ("nina", "Nina Patel", "dsl"),
            ("dan", "Dan Okoro", "dsl"),
        ],
        at(NOW),
    );
    let new = |name: &str| {
        ok(
            &db,
            "nina",
            &[
                "new",
                "--subject",
                "child",
                "--name",
                name,
                "--area",
                "Rutland",
                "--category",
                "neglect",
                "--risk",
                "medium",
                "--summary",
                "school noticed",
                "--words",
                "nobody makes my tea",
            ],
        )
    };
    let closed = new("Jamie Fictional");
    ok(
        &db,
        "nina",
        &[
            "close",
            &closed,
            "--outcome",
            "advice-given",
            "--rationale",
            "advice given",
        ],
    );
    let open = new("Jamie Other");
    (db, closed, open)
}

#[test]
fn search_filter_open_a_closed_case_and_reopen_it() {
    let dir = common::private_dir();
    let (db, closed, open) = desk(dir.path());
    let mut s = Session::new(&db, "dan");
    // The dashboard shows only the open case.
    assert!(!s.screen().contains(&closed));
    s.keys("/");
    assert_eq!(s.app.mode(), Mode::SearchInput);
    s.keys("JAMIE  fic");
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Search);
    let screen = s.screen();
    assert!(
        screen.contains(&closed) && screen.contains("Jamie Fictional"),
        "{screen}"
    );
    assert!(!screen.contains(&open), "fic narrows to one: {screen}");
    assert!(screen.contains("closed"), "{screen}");
    // Filters: open only hides it; closed only shows it; again: both.
    s.keys("/");
    s.ctrl('u');
    s.keys("jamie");
    s.key(KeyCode::Enter);
    assert!(s.screen().contains("2 found"), "{}", s.screen());
    s.keys("c");
    let o = s.screen();
    assert!(
        o.contains("open only") && !o.contains(&closed) && o.contains(&open),
        "{o}"
    );
    s.keys("c");
    let c = s.screen();
    assert!(
        c.contains("closed only") && c.contains(&closed) && !c.contains(&open),
        "{c}"
    );
    s.keys("h");
    let h = s.screen();
    assert!(
        h.contains("[x] h high risk") && h.contains("Nothing found"),
        "{h}"
    );
    assert_eq!(
        s.app.mode(),
        Mode::Search,
        "after a filter the keys stay filters (the words stay too)"
    );
    s.keys("h");
    s.keys("c");
    // Open the closed case from the results.
    s.keys("c");
    s.keys("c");
    assert!(s.screen().contains("closed only"));
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    assert!(s.screen().contains(&format!(" {closed} ")));
    // Back to the results, and re-open it there, with a reason.
    s.key(KeyCode::Esc);
    assert_eq!(s.app.mode(), Mode::Search);
    s.keys("o");
    assert_eq!(s.app.mode(), Mode::Prompt);
    s.keys("new information from the school");
    s.ctrl('s');
    // Our own save refreshes the results: it is open now, so closed only
    // finds nothing (the words wait to be changed), and open and closed
    // shows it again.
    assert_eq!(s.app.mode(), Mode::Search);
    assert!(s.screen().contains("Nothing found"));
    s.keys("c");
    let again = s.screen();
    assert!(
        again.contains(&closed) && again.contains("assigned"),
        "{again}"
    );
    // Esc leaves the search for the dashboard, where it is open again.
    s.key(KeyCode::Esc);
    assert_eq!(s.app.mode(), Mode::Dashboard);
    let trail: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE actor = 'dan' AND action = 'lookup' AND detail LIKE 'search:%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(trail >= 5, "each search run is audited: {trail}");
    let words: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE detail LIKE '%jamie%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(words, 0, "never the words searched");
}

#[test]
fn the_signoff_queue_between_two_sessions_on_screen() {
    let dir = common::private_dir();
    let (db, _, open) = desk(dir.path());
    let mut dan = Session::new(&db, "dan");
    assert!(!dan.screen().contains("sign-off:"));
    // Nina, in her session, corrects the risk and proposes a closure.
    let mut nina = Session::new(&db, "nina");
    ok(
        &db,
        "nina",
        &[
            "correct",
            &open,
            "--risk",
            "high",
            "--reason",
            "threats made",
        ],
    );
    nina.changed();
    ok(
        &db,
        "nina",
        &[
            "close",
            &open,
            "--outcome",
            "advice-given",
            "--rationale",
            "family engaged with early help",
        ],
    );
    dan.changed();
    let screen = dan.screen();
    assert!(screen.contains("sign-off: 1 (S)"), "{screen}");
    dan.keys("S");
    assert_eq!(dan.app.mode(), Mode::Signoffs);
    let q = dan.screen();
    assert!(
        q.contains(&open) && q.contains("advice given") && q.contains("family engaged"),
        "{q}"
    );
    assert!(q.contains("proposed by Nina Patel"), "{q}");
    // Nina's own queue says it is hers to wait on.
    nina.changed();
    nina.keys("S");
    assert!(nina.screen().contains("yours: another DSL must sign it"));
    nina.keys("s");
    assert!(
        nina.app
            .ctx
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("You proposed")
    );
    // Dan signs it off from the queue: the record opens with the proposal.
    dan.keys("s");
    assert_eq!(dan.app.mode(), Mode::Prompt);
    assert!(dan.screen().contains("Proposed outcome: advice given"));
    dan.keys("agreed");
    dan.ctrl('s');
    dan.key(KeyCode::Esc);
    assert_eq!(dan.app.mode(), Mode::Signoffs);
    assert!(
        dan.screen().contains("No closure is waiting"),
        "{}",
        dan.screen()
    );
    dan.key(KeyCode::Esc);
    assert!(!dan.screen().contains("sign-off:"));
}

#[test]
fn a_correction_without_a_reason_is_refused_beside_the_field_then_saved() {
    let dir = common::private_dir();
    let (db, _, open) = desk(dir.path());
    let mut s = Session::new(&db, "nina");
    let before: i64 = common::sql(&db)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    s.key(KeyCode::Enter);
    assert!(s.screen().contains(&open));
    s.keys("e");
    assert_eq!(s.app.mode(), Mode::Form);
    // Risk is the first field: medium -> high.
    s.key(KeyCode::Left);
    s.ctrl('s');
    let screen = s.screen();
    assert!(screen.contains("a correction needs a reason"), "{screen}");
    assert_eq!(s.app.mode(), Mode::Form);
    let after: i64 = common::sql(&db)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before + 1, "only the record's view was audited");
    s.keys("threats to the family");
    s.ctrl('s');
    assert_eq!(s.app.mode(), Mode::Record);
    let rec = s.screen();
    assert!(
        rec.contains("risk: medium → high") || rec.contains("▲ HIGH"),
        "{rec}"
    );
}

#[test]
fn a_task_and_an_attachment_from_the_record() {
    let dir = common::private_dir();
    let (db, _, open) = desk(dir.path());
    let file = dir.path().join("letter.txt");
    std::fs::write(&file, "From the school: record of concern.\n").unwrap();
    let mut s = Session::new(&db, "nina");
    s.key(KeyCode::Enter);
    s.keys("t");
    assert_eq!(s.app.mode(), Mode::CaseItems);
    s.keys("+");
    assert_eq!(s.app.mode(), Mode::Form);
    s.key(KeyCode::Tab);
    s.keys("08:00");
    s.key(KeyCode::Tab);
    s.keys("ring the school back");
    s.ctrl('s');
    assert!(
        s.screen().contains("has passed"),
        "refused beside the field: {}",
        s.screen()
    );
    // The refusal put the cursor on the field in error.
    s.ctrl('u');
    s.keys("10:00");
    s.ctrl('s');
    assert_eq!(s.app.mode(), Mode::CaseItems);
    let tasks = s.screen();
    assert!(
        tasks.contains("ring the school back") && tasks.contains("Nina Patel"),
        "{tasks}"
    );
    s.key(KeyCode::Esc);
    // The dashboard's deadlines count it down.
    s.keys("f");
    s.keys("+");
    s.keys(file.to_str().unwrap());
    s.ctrl('s');
    assert_eq!(s.app.mode(), Mode::CaseItems, "{}", s.screen());
    assert!(s.screen().contains("letter.txt"), "{}", s.screen());
    s.key(KeyCode::Enter);
    assert!(s.screen().contains("record of concern"), "{}", s.screen());
    s.key(KeyCode::Esc);
    s.key(KeyCode::Esc);
    s.key(KeyCode::Esc);
    assert_eq!(s.app.mode(), Mode::Dashboard);
    let dash = s.screen();
    assert!(dash.contains("Task for Nina Patel"), "{dash}");
    let views: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'view_attachment'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(views, 1);
    let _ = open;
}

/// A search that keeps 200 results shows a screenful at once and the rest
/// straight after (issue 18's performance point): the count, the footer's
/// place and `G` cover all 200 once the rest has come, and the last result
/// is a real row that opens.
#[test]
fn a_long_search_shows_every_result_after_its_first_screenful() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 400);
    let mut s = Session::new(&db, common::USER);
    s.keys("/");
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Search);
    let first = s.screen();
    assert!(
        first.contains("200 shown, more match") && first.contains("1 of 200"),
        "{first}"
    );
    // The last of the 200 (newest raised first: the oldest kept).
    let last: String = common::sql(&db)
        .query_row(
            "SELECT reference FROM (SELECT reference, raised_at, id FROM escalations e
             ORDER BY raised_at DESC, id DESC LIMIT 200) ORDER BY raised_at, id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    s.key(KeyCode::Char('G'));
    let bottom = s.screen();
    assert!(
        bottom.contains("200 of 200") && bottom.contains(&last) && !waiting_row(&bottom),
        "{bottom}"
    );
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    assert!(s.screen().contains(&format!(" {last} ")));
}

/// The reference on the selected row of the search screen (`▶ REF`).
/// Whether a search result still waiting for its summary is on screen: a
/// row that is "…" alone (a long name or area cut with "…" is not one).
fn waiting_row(screen: &str) -> bool {
    screen.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix("▶ ").unwrap_or(l).trim() == "…"
    })
}

fn selected_ref(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("▶ "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_string()
}

/// Keys pressed while a long search's rest is still on its way move over
/// every result, not only the first screenful (tester q-u18 F1); and after
/// another session's change the selection stays on its case, even when a
/// case above it has gone (F2), with no "…" row shown for the refresh.
#[test]
fn the_selection_covers_every_result_and_stays_on_its_case() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 400);
    let mut s = Session::new(&db, "okhan");
    // The search runs; its rest is held back, as if still on its way.
    s.keys("/");
    let a = s
        .app
        .route(&Input::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )))
        .unwrap();
    let mut fx = update(&mut s.app, a);
    let mut held = Vec::new();
    while let Some(e) = fx.pop() {
        if let Effect::Store(req) = e {
            if matches!(
                req,
                dutydesk::store::worker::Request::Work(
                    dutydesk::store::workbench::WorkRequest::SearchRest { .. }
                )
            ) {
                held.push(Effect::Store(req));
                continue;
            }
            let clock = dutydesk::clock::Clock::Fixed(at(NOW));
            let reply = store::worker::respond(&mut s.store, &s.me, clock, req);
            fx.extend(update(&mut s.app, dutydesk::tui::reply_action(reply)));
        }
    }
    assert_eq!(held.len(), 1, "the rest is asked for once");
    let first = s.screen();
    assert!(first.contains("1 of 200"), "{first}");
    s.key(KeyCode::Char('G'));
    let waiting = s.screen();
    assert!(
        waiting.contains("200 of 200"),
        "G reaches the last: {waiting}"
    );
    assert!(
        waiting.contains("▶ …"),
        "its row waits for the rest: {waiting}"
    );
    // The rest comes: the row is the real case.
    s.pump(held);
    let came = s.screen();
    assert!(came.contains("200 of 200") && !waiting_row(&came), "{came}");

    // Row 150, then a case above it is hidden from this user by another
    // session: the selection stays on its case.
    s.key(KeyCode::Char('g'));
    for _ in 0..149 {
        s.key(KeyCode::Char('j'));
    }
    let at150 = s.screen();
    assert!(at150.contains("150 of 200"), "{at150}");
    let mine = selected_ref(&at150);
    let above: String = {
        // The case raised just before it in the list's order (newest first):
        // a few rows above.
        let refs: Vec<String> = common::sql(&db)
            .prepare("SELECT reference FROM escalations ORDER BY raised_at DESC, id DESC LIMIT 200")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let i = refs.iter().position(|r| *r == mine).unwrap();
        refs[i - 3].clone()
    };
    ok(
        &db,
        "rwhite",
        &[
            "access",
            &above,
            "--exclude",
            "okhan",
            "--reason",
            "the allegation is about them",
        ],
    );
    s.changed();
    let after = s.screen();
    assert_eq!(selected_ref(&after), mine, "{after}");
    assert!(!after.contains(&above), "{after}");
    assert!(
        !waiting_row(&after),
        "a refresh shows no waiting rows: {after}"
    );
}

/// A record open on screen when its case is hidden from the user (excluded,
/// or restricted) closes at once, with anything opened from it, and says
/// why; the words never stay readable (tester q-u18 F3). The same for a
/// person's chronology opened from it.
#[test]
fn a_record_closes_when_its_case_is_hidden_from_the_user() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 200);
    let mut s = Session::new(&db, "okhan");
    let (reference, name) = open_case_not_held_by_okhan(&db);
    s.keys("/");
    s.keys(&reference);
    s.key(KeyCode::Enter);
    assert_eq!(selected_ref(&s.screen()), reference);
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    assert!(s.screen().contains(&name));
    // The person's chronology on top of it.
    s.keys("h");
    assert_eq!(s.app.mode(), Mode::Person);
    ok(
        &db,
        "rwhite",
        &[
            "access",
            &reference,
            "--exclude",
            "okhan",
            "--reason",
            "about them",
        ],
    );
    s.changed();
    let after = s.screen();
    assert_eq!(s.app.mode(), Mode::Search, "{after}");
    assert!(!after.contains(&name), "{after}");
    assert!(
        after.contains("Nothing found"),
        "gone from the results too: {after}"
    );
    assert!(after.contains("no longer a case you may see"), "{after}");
    assert!(
        !after.contains("unsaved text"),
        "nothing was typed: {after}"
    );
    // A note being typed on a record when its case is hidden goes with it,
    // and the status line says so whole at 80 columns.
    let (reference, _) = open_case_not_held_by_okhan(&db);
    s.key(KeyCode::Esc);
    s.keys("/");
    s.keys(&reference);
    s.key(KeyCode::Enter);
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    s.keys("N");
    s.keys("seen at the gate");
    assert!(s.screen().contains("seen at the gate"));
    ok(
        &db,
        "rwhite",
        &[
            "access",
            &reference,
            "--exclude",
            "okhan",
            "--reason",
            "about them",
        ],
    );
    s.changed();
    let after = dutydesk::tui::render_text(&mut s.app, 80, 24).unwrap();
    assert!(!after.contains("seen at the gate"), "{after}");
    assert!(
        after.contains("The record is no longer a case you may see: closed with your unsaved text"),
        "{after}"
    );
}

/// Keys typed while a search the user ran is on its way (a filter, then `G`
/// at once) apply to its results, not the list it replaces (tester v18 F4).
#[test]
fn keys_typed_ahead_of_a_search_apply_to_its_results() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 400);
    let mut s = Session::new(&db, "okhan");
    s.keys("/");
    s.key(KeyCode::Enter);
    assert!(s.screen().contains("1 of 200"));
    // `h` (high risk) sends a search; its answer is held back while `G`
    // is pressed.
    let a = s
        .app
        .route(&Input::Key(KeyEvent::new(
            KeyCode::Char('h'),
            KeyModifiers::NONE,
        )))
        .unwrap();
    let held = update(&mut s.app, a);
    assert!(!held.is_empty(), "the filter asks the store");
    s.key(KeyCode::Char('G'));
    s.pump(held);
    let screen = s.screen();
    let footer = screen
        .lines()
        .rev()
        .find(|l| l.contains(" of "))
        .unwrap()
        .to_string();
    let place = footer.split_whitespace().rev().take(3).collect::<Vec<_>>();
    assert_eq!(
        place[0], place[2],
        "G on the new list's last: {footer}\n{screen}"
    );
    assert!(screen.contains("[x] h high risk"), "{screen}");
}

/// A locked screen stays locked when a record under the lock is taken off
/// screen because its case was hidden from the user (tester v18 F5).
#[test]
fn a_hidden_case_never_unlocks_the_screen() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 200);
    let mut s = Session::new(&db, "okhan");
    let (reference, name) = open_case_not_held_by_okhan(&db);

    s.keys("/");
    s.keys(&reference);
    s.key(KeyCode::Enter);
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    s.keys("L");
    assert_eq!(s.app.mode(), Mode::Lock);
    ok(
        &db,
        "rwhite",
        &[
            "access",
            &reference,
            "--restrict",
            "--reason",
            "about staff",
        ],
    );
    s.changed();
    assert_eq!(s.app.mode(), Mode::Lock, "still locked");
    let screen = s.screen();
    assert!(!screen.contains(&name), "{screen}");
}

/// The newest open case okhan may see and does not hold (a holder cannot be
/// excluded): its reference and subject's name.
fn open_case_not_held_by_okhan(db: &Path) -> (String, String) {
    common::sql(db)
        .query_row(
            "SELECT e.reference, e.subject_name FROM escalations e
             LEFT JOIN staff s ON s.id = e.assignee_id
             WHERE e.restricted = 0 AND e.status <> 'closed' AND coalesce(s.username, '') <> 'okhan'
               AND NOT EXISTS (SELECT 1 FROM escalation_access a JOIN staff t ON t.id = a.staff_id
                               WHERE a.escalation_id = e.id AND t.username = 'okhan')
             ORDER BY e.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}
