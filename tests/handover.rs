//! The duty rota and the handover, on a crafted log and a fixed clock.

mod common;

use assert_cmd::Command;
use common::private_dir;
use std::path::Path;

fn dd(user: &str, path: &Path, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_NOW", now);
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_incoming_dsl_sees_changes_due_items_and_notes() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let t = "2026-11-23T08:00:00Z";
    let staff = [("alice", "alice", "dsl"), ("bob", "Bob Day", "dsl")];
    common::desk_db(&path, "Safeguarding duty desk", &staff, common::at(t));
    // Alice 08:00-20:00, Bob 20:00-08:00.
    assert_eq!(
        run(dd("alice", &path, t).args([
            "rota",
            "add",
            "alice",
            "--from",
            "2026-11-23T08:00:00Z",
            "--to",
            "2026-11-23T20:00:00Z"
        ]))
        .0,
        0
    );
    assert_eq!(
        run(dd("alice", &path, t).args([
            "rota",
            "add",
            "bob",
            "--from",
            "2026-11-23T20:00:00Z",
            "--to",
            "2026-11-24T08:00:00Z"
        ]))
        .0,
        0
    );
    let (c, _, err) = run(dd("alice", &path, t).args([
        "rota",
        "add",
        "bob",
        "--from",
        "2026-11-24T08:00:00Z",
        "--to",
        "2026-11-23T08:00:00Z",
    ]));
    assert_eq!(c, 2, "bad input");
    assert!(err.contains("end after it starts"), "{err}");
    // A staff allegation during Alice's shift (LADO due at close of business
    // the next working day, 17:00).
    let (c, out, err) = run(dd("alice", &path, "2026-11-23T14:00:00Z").args([
        "new",
        "--subject",
        "staff",
        "--name",
        "X",
        "--area",
        "Rutland",
        "--category",
        "physical",
        "--risk",
        "high",
        "--summary",
        "coach",
        "--words",
        "he grabbed me",
    ]));
    assert_eq!(c, 0, "{err}");
    let r = out.trim().to_string();
    assert_eq!(
        run(dd("alice", &path, "2026-11-23T19:30:00Z").args([
            "handover",
            "--note",
            "Ring the LADO first thing"
        ]))
        .0,
        0
    );
    let (_, show, _) = run(dd("bob", &path, "2026-11-23T20:05:00Z").args(["rota", "show"]));
    assert!(show.contains("On duty now: Bob Day"), "{show}");
    let (c, out, err) = run(dd("bob", &path, "2026-11-23T20:05:00Z").args(["handover", "--md"]));
    assert_eq!(c, 0, "{err}");
    assert!(out.starts_with("# Handover"), "{out}");
    assert!(out.contains("Ring the LADO first thing"), "{out}");
    assert!(
        out.contains(&format!("{r} 20h 55m 24 Nov 2026 17:00: LADO referral")),
        "{out}"
    );
    // What happened on Alice's watch, from the start of her shift.
    assert!(
        out.contains("What changed since 23 Nov 2026 08:00"),
        "{out}"
    );
    assert!(out.contains(&format!("{r} alice · recorded")), "{out}");
}

/// Taking over duty: from someone else (their shift ends now), with nobody on
/// (until the next shift), twice (refused), and as a viewer (refused).
#[test]
fn taking_over_duty_ends_the_outgoing_shift_and_is_refused_when_it_makes_no_sense() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let t = "2026-11-23T08:00:00Z";
    let staff = [
        ("alice", "alice", "dsl"),
        ("bob", "bob", "dsl"),
        ("vera", "vera", "viewer"),
    ];
    common::desk_db(&path, "Safeguarding duty desk", &staff, common::at(t));
    let shift = |user: &str, from: &str, to: &str| {
        let (c, _, err) =
            run(dd("alice", &path, t).args(["rota", "add", user, "--from", from, "--to", to]));
        assert_eq!(c, 0, "{err}");
    };
    shift("alice", "2026-11-23T08:00:00Z", "2026-11-23T20:00:00Z");
    shift("alice", "2026-11-24T08:00:00Z", "2026-11-24T20:00:00Z");

    // Bob takes over at 10:00: on duty until 20:00; Alice's shift ends at 10:00.
    let (c, out, err) = run(dd("bob", &path, "2026-11-23T10:00:00Z").args(["rota", "take-over"]));
    assert_eq!(c, 0, "{err}");
    assert!(out.contains("23 Nov 2026 20:00"), "{out}");
    let (_, out, _) = run(dd("alice", &path, "2026-11-23T10:00:01Z").args(["rota", "show"]));
    assert!(
        out.contains("On duty now: bob until 23 Nov 2026 20:00"),
        "{out}"
    );
    let (_, out, _) = run(dd("alice", &path, "2026-11-23T09:59:00Z").args(["rota", "show"]));
    assert!(
        out.contains("On duty now: alice until 23 Nov 2026 10:00"),
        "{out}"
    );

    // Twice: refused, nothing changed.
    let (c, _, err) = run(dd("bob", &path, "2026-11-23T11:00:00Z").args(["rota", "take-over"]));
    assert_eq!(c, 1);
    assert!(
        err.contains("already on duty until 23 Nov 2026 20:00"),
        "{err}"
    );

    // Nobody on at 22:00: Alice covers until the next shift starts (08:00),
    // capped at 12 hours.
    let (c, out, err) = run(dd("alice", &path, "2026-11-23T22:00:00Z").args(["rota", "take-over"]));
    assert_eq!(c, 0, "{err}");
    assert!(out.contains("24 Nov 2026 08:00"), "{out}");

    // A viewer does not go on duty.
    let (c, _, err) = run(dd("vera", &path, "2026-11-23T23:00:00Z").args(["rota", "take-over"]));
    assert_eq!(c, 1);
    assert!(err.contains("only an active DSL or deputy"), "{err}");
}

/// A viewer's handover shows that notes were left, never what they say.
#[test]
fn a_viewer_sees_that_a_note_was_left_but_not_its_words() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let t = "2026-11-23T08:00:00Z";
    let staff = [("alice", "alice", "dsl"), ("vera", "Vera", "viewer")];
    common::desk_db(&path, "Safeguarding duty desk", &staff, common::at(t));
    let (c, _, err) = run(dd("alice", &path, t).args([
        "handover",
        "--note",
        "Mum of SG-2026-0001 called: dad is back at the house",
    ]));
    assert_eq!(c, 0, "{err}");
    let (c, out, err) = run(dd("vera", &path, "2026-11-23T09:00:00Z").args(["handover"]));
    assert_eq!(c, 0, "{err}");
    assert!(out.contains("(hidden)"), "{out}");
    assert!(!out.contains("dad is back"), "{out}");
    let (_, out, _) = run(dd("alice", &path, "2026-11-23T09:00:00Z").args(["handover"]));
    assert!(out.contains("dad is back"), "{out}");
}

/// The screen's handover lists the first `HANDOVER_DUE` deadlines due in
/// the next 24 hours and counts the rest (issue 21: a busy desk has some
/// 100,000 overdue); `dutydesk handover` still lists every one. The same
/// list and count for every kind of viewer.
#[test]
fn the_screens_handover_lists_the_first_due_and_counts_the_rest() {
    use dutydesk::store::escalations::Viewer;
    use dutydesk::store::rota::{HANDOVER_DUE, handover, handover_shown};
    let dir = private_dir();
    let (path, _) = common::demo_db(dir.path(), 400);
    let now = common::now();
    // Every open deadline twenty times more, overdue by up to 200 minutes
    // (a busy desk's backlog), restricted records' among them.
    common::sql(&path)
        .execute_batch(&format!(
            "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20)
             INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
               SELECT d.escalation_id, d.rule_id, d.label, {t} - 600 * n.k, {t} - 86400
               FROM deadlines d CROSS JOIN n
               WHERE d.met_at IS NULL AND d.waived_at IS NULL;
             UPDATE escalations SET restricted = 1 WHERE id IN (
               SELECT escalation_id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL
               ORDER BY id LIMIT 1);
             INSERT INTO escalation_access (escalation_id, staff_id, access)
               SELECT escalation_id, (SELECT id FROM staff WHERE username = 'okhan'), 'excluded'
               FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL
               ORDER BY id DESC LIMIT 1;",
            t = now.timestamp()
        ))
        .unwrap();
    let st = common::open(&path);
    let mut long = false;
    let mut counts = Vec::new();
    for user in [common::USER, "okhan", "rwhite", "cadeyemi"] {
        let me = dutydesk::store::staff::authenticate(&st, user).unwrap();
        let viewer = Viewer::from(&me);
        let full = handover(&st, viewer, now).unwrap();
        let shown = handover_shown(&st, viewer, now).unwrap();
        assert_eq!(shown.due_total, full.due.len() as i64, "{user}");
        assert_eq!(full.due_total, full.due.len() as i64, "{user}");
        let n = full.due.len().min(HANDOVER_DUE as usize);
        assert_eq!(shown.due, full.due[..n], "{user}");
        assert_eq!((&shown.notes, &shown.changes), (&full.notes, &full.changes));
        counts.push(full.due.len());
        long |= full.due.len() > HANDOVER_DUE as usize;
        if user == common::USER {
            // The screen says how many and lists the first; the last line
            // counts the rest and says where every one is listed.
            use dutydesk::tui::{action::Action, app::App, theme::Theme, update::update};
            let mut app = App::new(me.clone(), now, false, Theme::mono());
            update(&mut app, Action::Resize(120, 40));
            update(&mut app, Action::Handover);
            update(&mut app, Action::HandoverLoaded(Box::new(shown.clone())));
            let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
            let total = full.due.len();
            assert!(
                text.contains(&format!("Due in the next 24 hours ({total})")),
                "{text}"
            );
            let rest = format!("… and {} more", total - HANDOVER_DUE as usize);
            let mut seen = false;
            for _ in 0..40 {
                update(&mut app, Action::PageDown);
                let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
                seen |= text.contains(&rest);
            }
            assert!(seen, "no line {rest:?}");
        }
    }
    assert!(long, "the demo has more due than the screen lists");
    // The senior lead sees the restricted record's, the others not; okhan
    // is also kept off one more.
    assert!(counts[2] > counts[0] && counts[0] > counts[1], "{counts:?}");
}

/// The start's handover (side lane) and `H`'s (user lane) may arrive in
/// either order: the screen keeps the newer.
#[test]
fn the_handover_screen_keeps_the_newer_of_two_answers() {
    use dutydesk::store::escalations::Viewer;
    use dutydesk::store::rota::handover_shown;
    use dutydesk::tui::{action::Action, app::App, theme::Theme, update::update};
    let dir = private_dir();
    let (path, _) = common::demo_db(dir.path(), 40);
    let st = common::open(&path);
    let me = dutydesk::store::staff::authenticate(&st, common::USER).unwrap();
    let now = common::now();
    let older = handover_shown(&st, Viewer::from(&me), now - chrono::Duration::hours(3)).unwrap();
    let newer = handover_shown(&st, Viewer::from(&me), now).unwrap();
    assert_ne!(older, newer);
    let mut app = App::new(me.clone(), now, false, Theme::mono());
    update(&mut app, Action::Resize(120, 40));
    update(&mut app, Action::Handover);
    update(&mut app, Action::HandoverLoaded(Box::new(newer.clone())));
    update(&mut app, Action::HandoverLoaded(Box::new(older)));
    let shown = app
        .layer::<dutydesk::tui::layers::handover::HandoverLayer>()
        .and_then(|l| l.handover.clone());
    assert_eq!(shown, Some(newer));
}
