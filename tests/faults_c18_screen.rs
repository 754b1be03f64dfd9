//! Faults a tester found on the workbench screens (issue 18), by key
//! sequences through the route function the event loop uses, answered by
//! the real store worker: the search's filter line at 80 columns, the
//! header's sign-off count at 80 columns, the export form's file name
//! following its format; and the sign-off alert only for those who may sign.

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
    fn new(db: &Path, user: &str, w: u16, h: u16) -> Session {
        let store = store::open(db, Create::No).unwrap();
        let me = store::staff::authenticate(&store, user).unwrap();
        let mut app = App::new(me.clone(), at(NOW), false, Theme::mono());
        update(&mut app, Action::Resize(w, h));
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

    fn keys(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn screen(&mut self, w: u16, h: u16) -> String {
        dutydesk::tui::render_text(&mut self.app, w, h).unwrap()
    }
}

fn run(db: &Path, user: &str, args: &[&str]) -> (i32, String, String) {
    let o = assert_cmd::Command::cargo_bin("dutydesk")
        .unwrap()
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_NOW", NOW)
        .env("DUTYDESK_CONFIG", db.with_extension("toml"))
        .env("DUTYDESK_SYSTEM_CONFIG", db.with_extension("system.toml"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).trim().to_string(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(db: &Path, user: &str, args: &[&str]) -> String {
    let (code, out, err) = run(db, user, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// A desk with a senior lead with a long name, two DSLs and a viewer, and
/// one high-risk case nina proposed to close (waiting for a second DSL).
fn desk(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("desk.db");
    desk_db(
        &db,
        "Demo Violence Reduction Partnership",
        &[
            ("rwhite", "Rachel White", "senior"),
            ("nina", "Nina Patel", "dsl"),
            ("dan", "Dan Okoro", "dsl"),
            ("vic", "Vic Lamb", "viewer"),
        ],
        at(NOW),
    );
    let r = ok(
        &db,
        "nina",
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Pat Subject",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "s",
            "--words",
            "w",
        ],
    );
    ok(&db, "nina", &["assign", &r, "nina"]);
    ok(
        &db,
        "nina",
        &[
            "close",
            &r,
            "--outcome",
            "advice-given",
            "--rationale",
            "advice given",
        ],
    );
    (db, r)
}

#[test]
fn the_header_keeps_the_sign_off_count_at_80_columns() {
    let dir = common::private_dir();
    let (db, _) = desk(dir.path());
    let mut s = Session::new(&db, "rwhite", 80, 24);
    let screen = s.screen(80, 24);
    let top = screen.lines().next().unwrap();
    assert!(top.contains("sign-off: 1 (S)"), "{top}");
    assert!(top.contains("you: Rachel White"), "{top}");
    let mut wide = Session::new(&db, "rwhite", 200, 60);
    let top = wide.screen(200, 60).lines().next().unwrap().to_string();
    assert!(
        top.contains("Demo Violence Reduction Partnership │ you: Rachel White (senior lead)")
            && top.contains("sign-off: 1 (S)"),
        "{top}"
    );
    // The proposer and a viewer have nothing to sign.
    let mut own = Session::new(&db, "nina", 80, 24);
    assert!(!own.screen(80, 24).contains("sign-off:"));
    let mut viewer = Session::new(&db, "vic", 80, 24);
    assert!(!viewer.screen(80, 24).contains("sign-off:"));
}

#[test]
fn the_sign_off_alert_is_only_for_those_who_may_sign() {
    let dir = common::private_dir();
    let (db, r) = desk(dir.path());
    let said = |user: &str| ok(&db, user, &["alerts"]);
    let signoff = |out: &str| {
        out.lines()
            .any(|l| l.starts_with("closure waits for sign-off") && l.contains(&r))
    };
    assert!(signoff(&said("dan")), "{}", said("dan"));
    assert!(signoff(&said("rwhite")));
    assert!(!signoff(&said("nina")), "the proposer: {}", said("nina"));
    assert!(!signoff(&said("vic")), "a viewer: {}", said("vic"));
}

#[test]
fn the_search_filter_line_fits_80_columns_and_keeps_its_keys() {
    let dir = common::private_dir();
    let (db, r) = desk(dir.path());
    let mut s = Session::new(&db, "rwhite", 80, 24);
    s.keys("/");
    s.keys("pat");
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Search);
    let screen = s.screen(80, 24);
    assert!(screen.contains(&r), "{screen}");
    let line = screen
        .lines()
        .find(|l| l.contains("mine"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        line.contains("[ ]r restricted") && line.contains("c:all") && !line.contains('…'),
        "{line}"
    );
    // A filter that finds nothing keeps the keys on the filters.
    s.keys("u");
    assert!(s.screen(80, 24).contains("Nothing found"));
    assert_eq!(s.app.mode(), Mode::Search);
    s.keys("u");
    s.keys("m");
    let screen = s.screen(80, 24);
    assert!(screen.contains("[x]m mine"), "{screen}");
    assert!(
        screen.contains("Search: pat "),
        "the words are as typed: {screen}"
    );
    // Wide: in words.
    let wide = s.screen(200, 60);
    assert!(
        wide.contains("[x] m mine") && wide.contains("c open and closed"),
        "{wide}"
    );
}

#[test]
fn the_export_form_names_the_file_for_its_format() {
    let dir = common::private_dir();
    let (db, r) = desk(dir.path());
    let mut s = Session::new(&db, "dan", 120, 40);
    s.keys("/");
    s.keys(&r);
    s.key(KeyCode::Enter);
    s.key(KeyCode::Enter);
    assert_eq!(s.app.mode(), Mode::Record);
    s.keys("x");
    assert_eq!(s.app.mode(), Mode::Form);
    assert!(s.screen(120, 40).contains(&format!("{r}.md")));
    s.key(KeyCode::Right);
    let screen = s.screen(120, 40);
    assert!(
        screen.contains(&format!("{r}.html")) && !screen.contains(&format!("{r}.md")),
        "{screen}"
    );
    s.key(KeyCode::Left);
    assert!(s.screen(120, 40).contains(&format!("{r}.md")));
}
