//! The need-to-know matrix (issue 14): every role × every CLI subcommand, taken
//! from clap's own command tree, × every screen and overlay of the dashboard.
//!
//! One desk holds a restricted escalation: a staff allegation about the DSL
//! `dora`, recorded by the DSL `nina` (so named on it), with a distinctive
//! subject name, exact words and a note. Its reference, name and words may
//! appear only for the senior lead and the named DSL; for everyone else a
//! refusal about it must be exactly the refusal for a reference that does not
//! exist (same exit code, same words with the reference swapped).
//!
//! A subcommand missing from [`TABLE`] fails the test with its path, and a new
//! screen mode does not compile until [`next_mode`] and [`reach`] place it: no
//! surface can be added without being classified here.
//!
//! The desk is built once; each role then works on its own copy of it (so the
//! changes some commands make cannot disturb another role's answers), all
//! roles in parallel.

mod common;

use assert_cmd::Command;
use dutydesk::clock::Clock;
use dutydesk::store::{self, Create, Store};
use dutydesk::tui::action::Action;
use dutydesk::tui::app::App;
use dutydesk::tui::layer::Mode;
use dutydesk::tui::theme::Theme;
use dutydesk::tui::update::{Effect, update};
use dutydesk::tui::workbench::WorkCmd;
use std::path::{Path, PathBuf};

const NAME: &str = "Zebedee Quartermain";
const WORDS: &str = "the cupboard key was behind the boiler";
const NOTE: &str = "lantern marmalade protocol agreed";
/// Someone involved in the restricted case (issue 18): never shown to a
/// role that may not see it.
const INVOLVED: &str = "Percival Thistlewood";
const AREA: &str = "Rutland";
/// A review item number nobody has.
const NO_ITEM: &str = "999999";

/// Who is looking, and whether they may see the restricted case.
#[derive(Debug, Clone, Copy)]
struct Role {
    user: &'static str,
    what: &'static str,
    allowed: bool,
}

const ROLES: &[Role] = &[
    Role {
        user: "sam",
        what: "senior lead",
        allowed: true,
    },
    Role {
        user: "nina",
        what: "DSL named on the case",
        allowed: true,
    },
    Role {
        user: "dan",
        what: "DSL not named",
        allowed: false,
    },
    Role {
        user: "dora",
        what: "DSL the allegation is about",
        allowed: false,
    },
    Role {
        user: "dee",
        what: "deputy",
        allowed: false,
    },
    Role {
        user: "vic",
        what: "viewer",
        allowed: false,
    },
];

/// What of the restricted case an allowed role must find in an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Ref,
    Name,
    Words,
    Note,
    /// Someone involved besides the subject (issue 18).
    Involved,
}

/// How a subcommand is exercised. Arguments may hold `{R}` (an escalation
/// reference), `{O}` (an ordinary case's reference), `{I}` (a review item
/// number), `{D}` (a new file in the role's directory), `{H}` (a bank
/// holidays file), `{C}` (a contacts CSV), `{NAME}` and `{AREA}`.
#[derive(Debug, Clone, Copy)]
enum Run {
    /// Lists, reports, anything without a reference: the case appears only
    /// for allowed roles, who must find `shows` in it.
    Read(&'static [&'static str], &'static [Part]),
    /// Names an escalation: run with the restricted reference and with one
    /// that does not exist. Roles not allowed get identical answers but for
    /// the reference; allowed roles must find `shows` in theirs.
    Names(&'static [&'static str], &'static [Part]),
    /// Names a review item: the restricted case's, and a number nobody has.
    Item(&'static [&'static str]),
    /// Changes something that is not the case: nothing of it in the answer.
    Change(&'static [&'static str]),
    /// Not run, and why.
    Skip(&'static str),
}

use Part::*;
use Run::*;

/// Every runnable path of the command tree ("" is `dutydesk` alone), in the
/// order they run for each role: reading first, changes after, and `new`
/// (which records another case under the same name) last.
const TABLE: &[(&str, &[Run])] = &[
    ("", &[Read(&[], &[])]),
    (
        "list",
        &[
            Read(&["list", "--status", "all"], &[Ref]),
            Read(&["list", "--json"], &[Ref]),
            Read(&["list", "--status", "all", "--high-risk"], &[Ref]),
            Read(&["list", "--status", "all", "--awaiting-signoff"], &[Ref]),
            Read(&["list", "--status", "all", "--restricted"], &[]),
        ],
    ),
    (
        "snapshot",
        &[Read(
            &["snapshot", "--width", "200", "--height", "60"],
            &[Ref],
        )],
    ),
    (
        "deadlines",
        &[Read(&["deadlines", "--all", "--json"], &[Ref])],
    ),
    ("notify", &[Read(&["notify", "--once"], &[])]),
    // The paging service: only the system file's account or a senior lead
    // runs it (here no channel is configured, so it is refused for all);
    // tests/notifier.rs checks with a fixed clock that a restricted case
    // pages only the senior lead and the named DSL.
    ("notifier", &[Read(&["notifier", "--once"], &[])]),
    (
        "alerts",
        &[Read(&["alerts"], &[]), Read(&["alerts", "--json"], &[])],
    ),
    ("alerts ack", &[Names(&["alerts", "ack", "{R}"], &[])]),
    ("policy list", &[Read(&["policy", "list"], &[])]),
    (
        "policy set",
        &[Change(&[
            "policy",
            "set",
            "due_soon",
            "--steps",
            "0:holder",
            "--no-repeat",
        ])],
    ),
    (
        "staff set",
        &[Change(&[
            "staff",
            "set",
            "spare",
            "--email",
            "spare@example.org",
        ])],
    ),
    (
        "rota pattern list",
        &[Read(&["rota", "pattern", "list"], &[])],
    ),
    (
        "rota pattern add",
        &[Change(&[
            "rota",
            "pattern",
            "add",
            "dan",
            "Mon-Fri 09:00-17:00",
        ])],
    ),
    (
        "rota pattern remove",
        &[Change(&["rota", "pattern", "remove", "1"])],
    ),
    ("rota check", &[Read(&["rota", "check"], &[])]),
    (
        "report",
        &[
            Read(
                &["report", "--from", "2020-01-01", "--to", "2030-12-31"],
                &[],
            ),
            Read(
                &[
                    "report",
                    "--from",
                    "2020-01-01",
                    "--to",
                    "2030-12-31",
                    "--json",
                ],
                &[],
            ),
        ],
    ),
    (
        "reviews",
        &[
            Read(&["reviews"], &[Ref]),
            Read(&["reviews", "--json"], &[Ref]),
        ],
    ),
    (
        "reviews items",
        &[Read(&["reviews", "items", "dsl_learning"], &[Ref])],
    ),
    (
        "handover",
        &[
            Read(&["handover"], &[Ref, Note]),
            Read(&["handover", "--md"], &[Ref, Note]),
            Change(&["handover", "--note", "the printer is broken"]),
        ],
    ),
    (
        "audit",
        &[Read(&["audit"], &[Ref]), Names(&["audit", "{R}"], &[Ref])],
    ),
    ("staff list", &[Read(&["staff", "list"], &[])]),
    ("rota show", &[Read(&["rota", "show"], &[])]),
    ("holidays list", &[Read(&["holidays", "list"], &[])]),
    ("rules list", &[Read(&["rules", "list"], &[])]),
    ("settings list", &[Read(&["settings", "list"], &[])]),
    ("contacts", &[Read(&["contacts", "--area", "{AREA}"], &[])]),
    ("areas list", &[Read(&["areas", "list", "--json"], &[])]),
    (
        "categories list",
        &[Read(&["categories", "list", "--json"], &[])],
    ),
    ("contacts export", &[Read(&["contacts", "export"], &[])]),
    ("verify", &[Read(&["verify"], &[])]),
    ("anchor", &[Read(&["anchor"], &[])]),
    ("config", &[Read(&["config"], &[])]),
    ("man", &[Read(&["man"], &[])]),
    ("completions", &[Read(&["completions", "bash"], &[])]),
    (
        "bench",
        &[Skip(
            "timings of the same store functions the dashboard uses; it prints figures and the viewer's own open count, never a record (and takes seconds)",
        )],
    ),
    (
        "show",
        &[
            Read(&["show", "{O}"], &[]),
            Names(&["show", "{R}"], &[Ref, Name, Words, Note]),
            Names(
                &["show", "{R}", "--json"],
                &[Ref, Name, Words, Note, Involved],
            ),
            Names(&["show", "{R}", "--json"], &[Ref, Name, Words, Note]),
        ],
    ),
    (
        "routes",
        &[
            Read(&["routes", "{O}"], &[]),
            Names(&["routes", "{R}"], &[Ref]),
            Names(&["routes", "{R}", "--json"], &[Ref]),
        ],
    ),
    (
        "export",
        &[
            Names(&["export", "{R}"], &[Ref, Name, Words, Note, Involved]),
            Names(
                &["export", "{R}", "--html"],
                &[Ref, Name, Words, Note, Involved],
            ),
            Names(
                &["export", "{R}", "--json", "--redact-third-parties"],
                &[Ref, Name, Words],
            ),
        ],
    ),
    (
        "reviews record",
        &[Item(&[
            "reviews",
            "record",
            "{I}",
            "--discussion",
            "talked",
            "--decision",
            "noted",
        ])],
    ),
    (
        "reviews add",
        &[Names(
            &[
                "reviews",
                "add",
                "{R}",
                "--series",
                "dsl_learning",
                "--reason",
                "again",
            ],
            &[Ref],
        )],
    ),
    ("note", &[Names(&["note", "{R}", "a matrix note"], &[Ref])]),
    (
        "event",
        &[Names(&["event", "{R}", "strategy_discussion"], &[Ref])],
    ),
    (
        "refer",
        &[Names(
            &["refer", "{R}", "--route", "lado", "--shared", "the account"],
            &[Ref],
        )],
    ),
    (
        "outcome",
        &[Names(
            &[
                "outcome",
                "{R}",
                "--route",
                "lado",
                "--outcome",
                "unsubstantiated",
            ],
            &[Ref],
        )],
    ),
    (
        "deadline met",
        &[Names(&["deadline", "met", "{R}", "written_record"], &[])],
    ),
    (
        "deadline waive",
        &[Names(
            &[
                "deadline",
                "waive",
                "{R}",
                "lado_referral",
                "--reason",
                "matrix",
            ],
            &[],
        )],
    ),
    ("called-999", &[Names(&["called-999", "{R}"], &[Ref])]),
    (
        "fgm-reported",
        &[Names(
            &[
                "fgm-reported",
                "{R}",
                "--by",
                "A Teacher",
                "--police-reference",
                "P-1",
            ],
            &[Ref],
        )],
    ),
    (
        "link",
        &[
            Names(&["link", "{R}", "{O}"], &[Ref]),
            Names(&["link", "{O}", "{R}"], &[Ref]),
        ],
    ),
    ("assign", &[Names(&["assign", "{R}", "nina"], &[])]),
    ("ack", &[Names(&["ack", "{R}"], &[])]),
    (
        "close",
        &[Names(
            &[
                "close",
                "{R}",
                "--outcome",
                "lado-concluded",
                "--rationale",
                "done",
            ],
            &[Ref],
        )],
    ),
    (
        "signoff",
        &[Names(
            &[
                "signoff",
                "{R}",
                "--approve",
                "--version",
                "1",
                "--reason",
                "agreed",
            ],
            &[],
        )],
    ),
    (
        "reopen",
        &[Names(&["reopen", "{R}", "--reason", "more came in"], &[])],
    ),
    (
        "reviews hold",
        &[Change(&[
            "reviews",
            "hold",
            "annual",
            "--attendees",
            "the desk",
        ])],
    ),
    (
        "staff add",
        &[Change(&[
            "staff", "add", "zed", "--name", "Zed", "--role", "dsl",
        ])],
    ),
    (
        "staff deactivate",
        &[Change(&["staff", "deactivate", "spare"])],
    ),
    (
        "staff role",
        &[Change(&["staff", "role", "spare", "deputy"])],
    ),
    (
        "staff reactivate",
        &[Change(&["staff", "reactivate", "spare"])],
    ),
    (
        "access",
        &[
            Names(&["access", "{R}"], &[]),
            Names(
                &[
                    "access",
                    "{R}",
                    "--name",
                    "dan",
                    "--reason",
                    "needs to know",
                ],
                &[],
            ),
        ],
    ),
    ("rota take-over", &[Change(&["rota", "take-over"])]),
    (
        "rota add",
        &[Change(&[
            "rota",
            "add",
            "dan",
            "--from",
            "2030-01-07T08:00:00Z",
            "--to",
            "2030-01-07T18:00:00Z",
        ])],
    ),
    ("holidays import", &[Change(&["holidays", "import", "{H}"])]),
    (
        "rules set",
        &[Change(&[
            "rules",
            "set",
            "matrix_rule",
            "--name",
            "Matrix check",
            "--on",
            "referral_made",
            "--match",
            "route:dbs",
            "--amount",
            "2",
            "--unit",
            "calendar_days",
        ])],
    ),
    (
        "settings set",
        &[Change(&["settings", "set", "org_name", "Matrix desk"])],
    ),
    (
        "contacts import",
        &[Change(&["contacts", "import", "{C}", "--dry-run"])],
    ),
    (
        "areas add",
        &[Change(&[
            "areas",
            "add",
            "Matrixshire",
            "--alias",
            "Matrix",
        ])],
    ),
    (
        "areas alias",
        &[Change(&["areas", "alias", "{AREA}", "Rutland County"])],
    ),
    ("areas unalias", &[Change(&["areas", "unalias", "Nowhere"])]),
    ("areas retire", &[Change(&["areas", "retire", "{AREA}"])]),
    (
        "categories add",
        &[Change(&[
            "categories",
            "add",
            "matrix_theme",
            "matrix theme",
        ])],
    ),
    (
        "categories rename",
        &[Change(&[
            "categories",
            "rename",
            "neglect",
            "neglect (renamed)",
        ])],
    ),
    (
        "categories retire",
        &[Change(&["categories", "retire", "online"])],
    ),
    ("backup", &[Change(&["backup", "{D}"])]),
    // DSLs and senior leads; a map that is not one is refused before any row.
    ("import", &[Change(&["import", "{C}", "--map", "{C}"])]),
    // Senior leads only; restores the backup just made (names no case).
    ("restore", &[Change(&["restore", "{D}"])]),
    ("init", &[Change(&["init", "--org", "Another"])]),
    ("demo", &[Change(&["demo", "--no-open"])]),
    // The workbench (issue 18).
    (
        "search",
        &[
            Read(&["search", "zebedee"], &[Ref, Name]),
            Read(&["search", "{R}"], &[Ref, Name]),
            Read(&["search", "{AREA}", "--high-risk", "--json"], &[Ref, Name]),
        ],
    ),
    (
        "person",
        &[
            Read(&["person", "{O}"], &[Ref, Name, Note]),
            Names(&["person", "{R}"], &[Ref, Name, Note]),
        ],
    ),
    (
        "unlink",
        &[Names(
            &["unlink", "{R}", "{R}", "--reason", "not the same person"],
            &[Ref],
        )],
    ),
    (
        "correct",
        &[Names(
            &[
                "correct",
                "{R}",
                "--risk",
                "medium",
                "--reason",
                "matrix check",
            ],
            &[Ref],
        )],
    ),
    (
        "people add",
        &[Names(
            &["people", "add", "{R}", "Another Person", "--as", "involved"],
            &[Ref],
        )],
    ),
    (
        "people remove",
        &[Names(
            &[
                "people",
                "remove",
                "{R}",
                "999999",
                "--reason",
                "added in error",
            ],
            &[Ref],
        )],
    ),
    (
        "task list",
        &[Read(&["task", "list", "--owner", "nina"], &[Ref])],
    ),
    (
        "task add",
        &[Names(
            &[
                "task",
                "add",
                "{R}",
                "--owner",
                "nina",
                "--due",
                "2030-01-07 10:00",
                "ring back",
            ],
            &[Ref],
        )],
    ),
    ("task done", &[Item(&["task", "done", "{T}"])]),
    (
        "task cancel",
        &[Item(&["task", "cancel", "{T}", "--note", "not needed"])],
    ),
    ("attach", &[Names(&["attach", "{R}", "{F}"], &[Ref])]),
    (
        "attachments",
        &[Names(&["attachments", "{R}", "--json"], &[Ref])],
    ),
    ("attachment show", &[Item(&["attachment", "show", "{A}"])]),
    (
        "attachment save",
        &[Item(&["attachment", "save", "{A}", "{X}"])],
    ),
    (
        "new",
        &[Change(&[
            "new",
            "--subject",
            "adult",
            "--name",
            "{NAME}",
            "--area",
            "{AREA}",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "same name again",
        ])],
    ),
];

/// The paths of the real command tree where a user can stop: leaves, and
/// commands that also run without a subcommand (`dutydesk` alone, `reviews`,
/// `contacts`). clap's own `help` is left out.
fn runnable(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
    let subs: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .collect();
    if subs.is_empty() || !cmd.is_subcommand_required_set() {
        out.push(prefix.to_string());
    }
    for s in subs {
        let path = if prefix.is_empty() {
            s.get_name().to_string()
        } else {
            format!("{prefix} {}", s.get_name())
        };
        runnable(s, &path, out);
    }
}

#[test]
fn every_subcommand_is_classified_and_the_table_names_only_real_ones() {
    let mut paths = Vec::new();
    runnable(
        &<dutydesk::cli::Cli as clap::CommandFactory>::command(),
        "",
        &mut paths,
    );
    let unclassified: Vec<&String> = paths
        .iter()
        .filter(|p| !TABLE.iter().any(|(t, _)| t == p))
        .collect();
    assert!(
        unclassified.is_empty(),
        "subcommands not classified in tests/need_to_know.rs TABLE (say how each may reveal a restricted case): {unclassified:?}"
    );
    let stale: Vec<&str> = TABLE
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| !paths.iter().any(|p| p == t))
        .collect();
    assert!(
        stale.is_empty(),
        "TABLE names no such subcommand: {stale:?}"
    );
    for (path, runs) in TABLE {
        assert!(
            !runs.is_empty(),
            "`{path}`: no way to run it, and no reason"
        );
        for r in *runs {
            if let Skip(why) = r {
                assert!(why.len() > 20, "`{path}` is skipped without a reason");
            }
        }
    }
}

/// The desk every role starts from.
struct Desk {
    _dir: tempfile::TempDir,
    root: PathBuf,
    base: PathBuf,
    restricted: String,
    restricted_id: i64,
    ordinary: String,
    missing: String,
    held_item: i64,
    holidays: PathBuf,
    contacts: PathBuf,
    /// A task and an attachment on the restricted case (issue 18).
    task: i64,
    attachment: i64,
    file: PathBuf,
}

fn dd(user: &str, db: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_CONFIG", db.with_extension("toml"))
        .env("DUTYDESK_SYSTEM_CONFIG", db.with_extension("system.toml"))
        .env("NO_COLOR", "1")
        .env_remove("DUTYDESK_NOW");
    c
}

/// (exit code, stdout, stderr)
fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(user: &str, db: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dd(user, db).args(args));
    assert_eq!(code, 0, "{user} {args:?}: {err}");
    out
}

fn desk() -> Desk {
    let dir = common::private_dir();
    let root = dir.path().to_path_buf();
    let base = root.join("desk.db");
    let now = chrono::Utc::now();
    // A demo-marked desk (the commands act as these people through
    // `DUTYDESK_USER`, which only a demo database honours).
    common::desk_db(
        &base,
        "Matrix",
        &[
            ("sam", "Sam Reed", "senior"),
            ("nina", "Nina Patel", "dsl"),
            ("dan", "Dan Okoro", "dsl"),
            ("dora", "Dora Quill", "dsl"),
            ("dee", "Dee Hart", "deputy"),
            ("vic", "Vic Lamb", "viewer"),
            ("spare", "Spare Desk", "dsl"),
        ],
        now,
    );
    // nina records the allegation (restricted: she is named on it) and a note.
    let restricted = ok(
        "nina",
        &base,
        &[
            "new",
            "--subject",
            "staff",
            "--name",
            NAME,
            "--area",
            AREA,
            "--category",
            "physical",
            "--risk",
            "high",
            "--summary",
            "Allegation about a colleague",
            "--words",
            WORDS,
            "--about",
            "dora",
        ],
    )
    .trim()
    .to_string();
    ok("nina", &base, &["note", &restricted, NOTE]);
    let ordinary = ok(
        "dan",
        &base,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Ordinary Child",
            "--area",
            "Leicester",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "an ordinary concern",
        ],
    )
    .trim()
    .to_string();
    let c = common::sql(&base);
    let restricted_id: i64 = c
        .query_row(
            "SELECT id FROM escalations WHERE reference = ?1",
            [&restricted],
            |r| r.get(0),
        )
        .unwrap();
    // On a review agenda by hand, and a deadline waived by hand (a minute
    // ago), so the held learning meeting keeps an item about it.
    ok(
        "sam",
        &base,
        &[
            "reviews",
            "add",
            &restricted,
            "--series",
            "log_review",
            "--reason",
            "follow up",
        ],
    );
    {
        let mut st = store::open(&base, Create::No).unwrap();
        let deadline: i64 = c
            .query_row(
                "SELECT id FROM deadlines WHERE escalation_id = ?1 AND met_at IS NULL LIMIT 1",
                [restricted_id],
                |r| r.get(0),
            )
            .unwrap();
        st.write("sam", now - chrono::Duration::minutes(1), |w| {
            store::deadlines::waive(w, deadline, "handled by the senior lead")
        })
        .unwrap();
    }
    ok(
        "sam",
        &base,
        &[
            "reviews",
            "hold",
            "dsl_learning",
            "--attendees",
            "sam, nina",
        ],
    );
    // The senior lead links it to an ordinary case about the same person.
    ok("sam", &base, &["link", &ordinary, &restricted]);
    let held_item: i64 = c
        .query_row(
            "SELECT id FROM review_items WHERE escalation_id = ?1 AND kind <> 'manual'",
            [restricted_id],
            |r| r.get(0),
        )
        .expect("the held meeting keeps an item about the restricted case");
    let contacts = root.join("contacts.csv");
    std::fs::write(&contacts, ok("sam", &base, &["contacts", "export"])).unwrap();
    // The workbench (issue 18): someone involved, a task, an attachment and
    // a closure waiting for sign-off, all on the restricted case.
    ok(
        "nina",
        &base,
        &[
            "people",
            "add",
            &restricted,
            INVOLVED,
            "--as",
            "perpetrator",
            "--relationship",
            "colleague",
        ],
    );
    ok(
        "nina",
        &base,
        &[
            "task",
            "add",
            &restricted,
            "--owner",
            "nina",
            "--due",
            "2030-01-07 10:00",
            "ring",
            "the",
            "LADO",
        ],
    );
    let file = root.join("letter.txt");
    std::fs::write(&file, format!("A letter about {INVOLVED}.\n")).unwrap();
    ok(
        "nina",
        &base,
        &["attach", &restricted, file.to_str().unwrap()],
    );
    // Closing asks for a choice on every open deadline (issue 15): the
    // task's stays open for its owner.
    let task_deadline: i64 = c
        .query_row(
            "SELECT deadline_id FROM tasks ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    ok(
        "nina",
        &base,
        &[
            "close",
            &restricted,
            "--outcome",
            "lado-concluded",
            "--rationale",
            "concluded by the LADO",
            "--keep",
            &format!("#{task_deadline}"),
        ],
    );
    let task: i64 = c
        .query_row("SELECT max(id) FROM tasks", [], |r| r.get(0))
        .unwrap();
    let attachment: i64 = c
        .query_row("SELECT max(id) FROM attachments", [], |r| r.get(0))
        .unwrap();
    let holidays = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/bank-holidays.json");
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(c);
    let year = &restricted[3..7];
    Desk {
        missing: format!("SG-{year}-9999"),
        _dir: dir,
        root,
        base,
        restricted,
        restricted_id,
        ordinary,
        held_item,
        holidays,
        contacts,
        task,
        attachment,
        file,
    }
}

/// A private copy of the desk for one role (the database file only: it was
/// checkpointed, so the copy is whole).
fn copy_for(d: &Desk, who: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = d.root.join(who);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = dir.join("desk.db");
    std::fs::copy(&d.base, &db).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    db
}

fn fill(d: &Desk, db: &Path, args: &[&str], reference: &str, item: &str) -> Vec<String> {
    // A number nobody has stands for the task and the attachment too.
    let (task, attachment) = if item == NO_ITEM {
        (NO_ITEM.to_string(), NO_ITEM.to_string())
    } else {
        (d.task.to_string(), d.attachment.to_string())
    };
    args.iter()
        .map(|a| {
            a.replace("{R}", reference)
                .replace("{T}", &task)
                .replace("{A}", &attachment)
                .replace("{F}", &d.file.display().to_string())
                .replace(
                    "{X}",
                    &db.with_file_name("saved-attachment.txt")
                        .display()
                        .to_string(),
                )
                .replace("{O}", &d.ordinary)
                .replace("{I}", item)
                .replace("{D}", &db.with_file_name("backup.db").display().to_string())
                .replace("{H}", &d.holidays.display().to_string())
                .replace("{C}", &d.contacts.display().to_string())
                .replace("{NAME}", NAME)
                .replace("{AREA}", AREA)
        })
        .collect()
}

/// What of the restricted case `text` shows.
fn parts_in(d: &Desk, text: &str) -> Vec<Part> {
    let mut v = Vec::new();
    if text.contains(&d.restricted) {
        v.push(Ref);
    }
    if text.contains(NAME) || text.contains("Quartermain") {
        v.push(Name);
    }
    if text.contains(WORDS) {
        v.push(Words);
    }
    if text.contains(NOTE) {
        v.push(Note);
    }
    if text.contains("Thistlewood") {
        v.push(Involved);
    }
    v
}

/// Audit rows in a database.
fn audit_rows(db: &Path) -> i64 {
    common::sql(db)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

/// Runs one command; a refusal (non-zero exit) must have written nothing
/// (every change writes an audit row), and a viewer's command nothing but
/// the audit of a reading.
fn exec(
    role: Role,
    db: &Path,
    args: &[String],
    problems: &mut Vec<String>,
) -> (i32, String, String) {
    let before = audit_rows(db);
    let (code, out, err) = run(dd(role.user, db).args(args));
    let added = audit_rows(db) - before;
    if code != 0 && added != 0 {
        problems.push(format!(
            "{}: {args:?} was refused (exit {code}) but wrote {added} audit row(s): {err}",
            role.user
        ));
    }
    if role.user == "vic" && added > 0 {
        let changes: i64 = common::sql(db)
            .query_row(
                "SELECT count(*) FROM (SELECT action FROM audit_log ORDER BY id DESC LIMIT ?1)
                 WHERE action NOT IN ('export', 'lookup', 'view', 'read')",
                [added],
                |r| r.get(0),
            )
            .unwrap();
        if changes > 0 {
            problems.push(format!(
                "the viewer changed something with {args:?}: {out}{err}"
            ));
        }
    }
    (code, out, err)
}

/// Runs the whole table for one role on its own copy; returns the problems.
fn cli_for(d: &Desk, role: Role) -> Vec<String> {
    let db = copy_for(d, role.user);
    let mut problems = Vec::new();
    let who = format!("{} ({})", role.user, role.what);
    let item = d.held_item.to_string();
    for (path, runs) in TABLE {
        for r in *runs {
            match *r {
                Skip(_) => {}
                Read(args, _) | Change(args) => {
                    let args = fill(d, &db, args, &d.restricted, &item);
                    let (code, out, err) = exec(role, &db, &args, &mut problems);
                    let seen = parts_in(d, &format!("{out}\n{err}"));
                    if !role.allowed && !seen.is_empty() {
                        problems.push(format!(
                            "{who}: `{path}` {args:?} reveals {seen:?}: {out}{err}"
                        ));
                    }
                    if let Read(_, want) = r
                        && role.allowed
                    {
                        for p in *want {
                            if !seen.contains(p) {
                                problems.push(format!(
                                    "{who}: `{path}` {args:?} should show {p:?} (exit {code}): {out}{err}"
                                ));
                            }
                        }
                    }
                    if *path == "audit" && (seen.contains(&Words) || seen.contains(&Note)) {
                        problems.push(format!("{who}: the trail shows record words: {out}"));
                    }
                }
                Names(args, shows) => {
                    let missing = fill(d, &db, args, &d.missing, &item);
                    let (mc, mo, me) = exec(role, &db, &missing, &mut problems);
                    let hidden = fill(d, &db, args, &d.restricted, &item);
                    let (hc, ho, he) = exec(role, &db, &hidden, &mut problems);
                    let seen = parts_in(d, &format!("{ho}\n{he}"));
                    if role.allowed {
                        for p in shows {
                            if !seen.contains(p) {
                                problems.push(format!(
                                    "{who}: `{path}` {hidden:?} should show {p:?} (exit {hc}): {ho}{he}"
                                ));
                            }
                        }
                        if *path == "audit" && (seen.contains(&Words) || seen.contains(&Note)) {
                            problems.push(format!("{who}: the trail shows record words: {ho}"));
                        }
                    } else {
                        let swap = |s: &str| s.replace(&d.restricted, &d.missing);
                        if (hc, swap(&ho), swap(&he)) != (mc, mo.clone(), me.clone()) {
                            problems.push(format!(
                                "{who}: `{path}`: the restricted case is refused unlike a missing one:\n  restricted: exit {hc} {ho}{he}\n  missing:    exit {mc} {mo}{me}"
                            ));
                        }
                        if hc == 0 {
                            problems.push(format!(
                                "{who}: `{path}` {hidden:?} succeeded on a hidden case: {ho}{he}"
                            ));
                        }
                        let words: Vec<Part> = seen.into_iter().filter(|p| *p != Ref).collect();
                        if !words.is_empty() {
                            problems.push(format!("{who}: `{path}` reveals {words:?}: {ho}{he}"));
                        }
                    }
                }
                Item(args) => {
                    let missing = fill(d, &db, args, &d.restricted, NO_ITEM);
                    let (mc, mo, me) = exec(role, &db, &missing, &mut problems);
                    let hidden = fill(d, &db, args, &d.restricted, &item);
                    let (hc, ho, he) = exec(role, &db, &hidden, &mut problems);
                    let seen = parts_in(d, &format!("{ho}\n{he}"));
                    if !role.allowed {
                        let swap = |s: &str| {
                            s.replace(&format!("item {item}"), &format!("item {NO_ITEM}"))
                                .replace(&format!("task {}", d.task), &format!("task {NO_ITEM}"))
                                .replace(
                                    &format!("attachment {}", d.attachment),
                                    &format!("attachment {NO_ITEM}"),
                                )
                        };
                        if (hc, swap(&ho), swap(&he)) != (mc, mo.clone(), me.clone()) {
                            problems.push(format!(
                                "{who}: `{path}`: the hidden case's item is refused unlike a missing one:\n  hidden:  exit {hc} {ho}{he}\n  missing: exit {mc} {mo}{me}"
                            ));
                        }
                        if hc == 0 || !seen.is_empty() {
                            problems.push(format!(
                                "{who}: `{path}` acted on or revealed a hidden case's item: {ho}{he}"
                            ));
                        }
                    }
                }
            }
        }
    }
    // The REPEAT count on the ordinary case counts its link to the
    // restricted one only for those who may see it.
    let out = ok(role.user, &db, &["list", "--status", "all", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let linked = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reference"] == d.ordinary.as_str())
        .map(|e| e["linked_12m"].as_i64().unwrap());
    if linked != Some(i64::from(role.allowed)) {
        problems.push(format!(
            "{who}: the ordinary case's REPEAT count is {linked:?}"
        ));
    }
    problems
}

#[test]
fn the_restricted_case_reaches_only_the_senior_lead_and_the_named_dsl() {
    let d = desk();
    let problems: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = ROLES
            .iter()
            .map(|r| {
                let d = &d;
                s.spawn(move || {
                    let mut p = cli_for(d, *r);
                    p.extend(screens_for(d, *r));
                    p
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---- The dashboard: every mode, drawn from what the worker answers. ----

/// Every mode, one after another: a new one must be placed here (and in
/// [`reach`]) before this compiles.
fn next_mode(m: Mode) -> Option<Mode> {
    use Mode::*;
    Some(match m {
        Dashboard => Deadlines,
        Deadlines => Record,
        Record => Help,
        Help => Prompt,
        Prompt => Picker,
        Picker => Confirm,
        Confirm => Form,
        Form => Contacts,
        Contacts => ContactSearch,
        ContactSearch => Reports,
        Reports => Reviews,
        Reviews => Handover,
        Handover => Alerts,
        Alerts => Matches,
        Matches => Drafts,
        Drafts => Lock,
        Lock => Revoked,
        Revoked => TooSmall,
        TooSmall => SearchInput,
        SearchInput => Search,
        Search => Person,
        Person => Signoffs,
        Signoffs => CaseItems,
        CaseItems => return None,
    })
}

/// A session for `me`: the store worker's own answers to every request the
/// screen makes, fed back as the event loop does.
struct Session {
    store: Store,
    me: dutydesk::domain::staff::StaffMember,
    app: App,
}

impl Session {
    fn new(db: &Path, user: &str) -> Session {
        let store = store::open(db, Create::No).unwrap();
        let me = store::staff::authenticate(&store, user).unwrap();
        let mut app = App::new(me.clone(), chrono::Utc::now(), false, Theme::mono());
        update(&mut app, Action::Resize(200, 60));
        let mut s = Session { store, me, app };
        s.pump(vec![
            dutydesk::tui::update::initial_load(),
            Effect::Store(store::worker::Request::Reviews),
            Effect::Store(store::worker::Request::Handover),
        ]);
        s
    }

    fn pump(&mut self, mut fx: Vec<Effect>) {
        while let Some(e) = fx.pop() {
            if let Effect::Store(req) = e {
                let reply = store::worker::respond(&mut self.store, &self.me, Clock::System, req);
                fx.extend(update(&mut self.app, dutydesk::tui::reply_action(reply)));
            }
        }
    }

    fn act(&mut self, a: Action) {
        let fx = update(&mut self.app, a);
        self.pump(fx);
    }

    fn text(&mut self) -> String {
        dutydesk::tui::render_text(&mut self.app, 200, 60).unwrap()
    }

    /// Selects the restricted case in the queue if this user has it there,
    /// else the first row.
    fn select(&mut self, reference: &str) -> bool {
        let q = &self.app.dashboard().queue;
        let at = q.rows.iter().position(|r| r.reference == reference);
        let pos = q.offset + at.unwrap_or(0) as i64;
        let d = self
            .app
            .layer_mut::<dutydesk::tui::layers::dashboard::Dashboard>()
            .unwrap();
        d.queue.selected = pos;
        at.is_some()
    }
}

/// Brings a fresh session into `mode` and returns what the screen shows
/// (every page of it where there are several). `None`: this role cannot
/// reach the mode (a viewer's forms), which is itself checked.
fn reach(d: &Desk, db: &Path, role: Role, mode: Mode) -> Option<String> {
    let mut s = Session::new(db, role.user);
    let has = s.select(&d.restricted);
    let writer = role.user != "vic";
    match mode {
        Mode::Dashboard => {}
        Mode::Deadlines => s.act(Action::FocusNext),
        Mode::Record => {
            if has {
                s.act(Action::Open);
            } else {
                // Asked for directly, as a crafted request would: the same
                // answer as for a number that does not exist.
                let ask = |s: &mut Session, id| {
                    store::worker::respond(
                        &mut s.store,
                        &s.me.clone(),
                        Clock::System,
                        store::worker::Request::Detail { id },
                    )
                };
                let hidden = ask(&mut s, d.restricted_id);
                let missing = ask(&mut s, 999_999);
                assert_eq!(hidden, missing, "{}: detail of a hidden case", role.user);
                // Every other request naming an escalation by number, too.
                use store::worker::{Request as R, Verb as V};
                let asks: [fn(i64) -> R; 7] = [
                    |id| R::ReferOptions { id },
                    |id| R::LookUp { id },
                    |id| R::AddReview {
                        id,
                        series: "dsl_learning".into(),
                        reason: "look".into(),
                    },
                    |id| R::Act {
                        id,
                        version: None,
                        verb: V::Note("a note".into()),
                    },
                    |id| R::Act {
                        id,
                        version: Some(1),
                        verb: V::Acknowledge,
                    },
                    |id| R::Act {
                        id,
                        version: None,
                        verb: V::Reopen("why".into()),
                    },
                    |id| R::Act {
                        id,
                        version: None,
                        verb: V::Link(id),
                    },
                ];
                for ask in asks {
                    let me = s.me.clone();
                    let mut answer =
                        |id| store::worker::respond(&mut s.store, &me, Clock::System, ask(id));
                    let (hidden, missing) = (answer(d.restricted_id), answer(999_999));
                    assert_eq!(hidden, missing, "{}: {:?}", role.user, ask(0));
                    assert!(
                        matches!(hidden, store::worker::Reply::Error(_)),
                        "{hidden:?}"
                    );
                }
                s.act(dutydesk::tui::reply_action(hidden));
                s.act(Action::Open);
            }
        }
        Mode::Help => s.act(Action::Help),
        Mode::Prompt => s.act(Action::Note),
        Mode::Picker => s.act(Action::Assign),
        Mode::Confirm => {
            s.act(Action::Handover);
            s.act(Action::TakeOver);
        }
        Mode::Form => s.act(Action::Intake),
        Mode::Contacts => s.act(Action::Contacts),
        Mode::ContactSearch => {
            s.act(Action::Contacts);
            s.act(Action::Search);
        }
        Mode::Reports => s.act(Action::Reports),
        Mode::Reviews => {
            s.act(Action::Reviews);
            let mut all = s.text();
            for _ in 1..s.app.ctx.desk.reviews.len() {
                s.act(Action::NextSeries);
                all.push_str(&s.text());
            }
            assert_eq!(s.app.mode(), Mode::Reviews);
            return Some(all);
        }
        Mode::Handover => s.act(Action::Handover),
        Mode::Alerts => {
            s.act(Action::ShowAlerts);
            // Two hours on, the restricted case has waited past its
            // acknowledgement window: its alert is open, and reaches only
            // those who may see the case.
            let later = Clock::Fixed(chrono::Utc::now() + chrono::Duration::hours(2));
            let me = s.me.clone();
            let mut ask = |req| store::worker::respond(&mut s.store, &me, later, req);
            let open = ask(store::worker::Request::OpenAlerts);
            let store::worker::Reply::OpenAlerts(list) = &open else {
                panic!("{}: {open:?}", role.user);
            };
            let listed = list
                .iter()
                .any(|a| a.reference.as_deref() == Some(d.restricted.as_str()));
            assert_eq!(
                listed, role.allowed,
                "{}: the restricted case's alert listed",
                role.user
            );
            if !role.allowed {
                // Acknowledging its alerts by number: refused exactly as for
                // a case that does not exist.
                use store::worker::Request::AcknowledgeAlerts;
                let hidden = ask(AcknowledgeAlerts {
                    id: Some(d.restricted_id),
                });
                let missing = ask(AcknowledgeAlerts { id: Some(999_999) });
                assert_eq!(
                    hidden, missing,
                    "{}: acknowledging a hidden case",
                    role.user
                );
                assert!(
                    matches!(hidden, store::worker::Reply::Error(_)),
                    "{hidden:?}"
                );
            }
            s.act(dutydesk::tui::reply_action(open));
        }
        // Drafts kept from an ended session are offered back (their list
        // names what and where, never the words).
        Mode::Drafts => s.act(Action::DraftsFound(vec![dutydesk::tui::drafts::Draft {
            of: dutydesk::tui::drafts::DraftOf::Prompt(
                dutydesk::tui::layers::prompt::PromptKind::HandoverNote,
            ),
            at: 0,
            values: vec![(
                "text".into(),
                dutydesk::tui::form::Kept::Text("watch the new case".into()),
            )],
        }])),
        Mode::SearchInput => {
            s.act(Action::Work(WorkCmd::Search));
            s.act(Action::Paste("zebedee".into()));
        }
        // Every high-risk case the role may see, newest first (a viewer
        // searches by reference only: no words here, so nothing is refused;
        // high risk leaves out the low-risk case of the same name that
        // intake's matches made on this copy).
        Mode::Search => {
            s.act(Action::Work(WorkCmd::Search));
            s.act(Action::Submit);
            s.act(Action::Work(WorkCmd::ToggleHigh));
            // Nothing found puts the words back to be typed: Esc shows the
            // (empty) results.
            if s.app.mode() == Mode::SearchInput {
                s.act(Action::Cancel);
            }
        }
        // The ordinary case is linked to the restricted one (by the senior
        // lead): its person's chronology holds both only for those allowed.
        Mode::Person => {
            s.select(&d.ordinary);
            s.act(Action::Open);
            s.act(Action::Work(WorkCmd::Person));
        }
        Mode::Signoffs => s.act(Action::Work(WorkCmd::Signoffs)),
        Mode::CaseItems => {
            if !has {
                s.select(&d.ordinary);
            }
            s.act(Action::Open);
            s.act(Action::Work(WorkCmd::People));
            let mut all = s.text();
            s.act(Action::Back);
            s.act(Action::Work(WorkCmd::Files));
            all.push_str(&s.text());
            s.act(Action::Back);
            s.act(Action::Work(WorkCmd::Tasks));
            all.push_str(&s.text());
            assert_eq!(s.app.mode(), Mode::CaseItems, "{}", role.user);
            return Some(all);
        }
        Mode::Lock => s.act(Action::Lock),
        Mode::Revoked => s.act(Action::Revoked("Your account is no longer active".into())),
        Mode::TooSmall => s.act(Action::Resize(60, 20)),
        Mode::Matches => {
            // A new case about someone of the same name and area: the
            // earlier ones offered for linking come from the worker.
            let new = store::escalations::NewEscalation {
                subject_kind: dutydesk::domain::escalation::SubjectKind::Adult,
                subject_name: NAME.into(),
                subject_dob: None,
                age_band: dutydesk::domain::escalation::AgeBand::Unknown,
                area: AREA.into(),
                location_type: dutydesk::domain::escalation::LocationType::Unknown,
                risk: dutydesk::domain::escalation::Risk::Low,
                raised_by: String::new(),
                raised_by_role: None,
                raised_by_contact: None,
                imported: false,
                raised_at: chrono::Utc::now(),
                occurred_at: None,
                occurred_place: None,
                exact_words: "(none)".into(),
                appearance: None,
                consent: dutydesk::domain::escalation::Consent::Sought,
                consent_reason: None,
                immediate_risk: false,
                critical_incident: false,
                restricted: false,
                categories: vec!["neglect".into()],
                low_level: false,
                work_area: None,
                works_with: None,
                fgm: None,
            };
            s.pump(vec![Effect::Store(store::worker::Request::Create {
                escalation: Box::new(new),
                called_999: false,
                summary: String::new(),
                about: Default::default(),
            })]);
            let offered = s
                .app
                .layer::<dutydesk::tui::layers::matches::Matches>()
                .is_some_and(|m| m.list.iter().any(|x| x.reference == d.restricted));
            assert_eq!(
                offered, role.allowed,
                "{}: the restricted case offered as an earlier concern",
                role.user
            );
        }
    }
    let reached = s.app.mode() == mode;
    let expected = writer
        || !matches!(
            mode,
            Mode::Prompt | Mode::Picker | Mode::Confirm | Mode::Form
        );
    // A viewer's forms are refused; a case offered only to those who may see it.
    let expected = expected && (mode != Mode::Matches || role.allowed);
    assert_eq!(
        reached,
        expected,
        "{}: mode {mode:?} reached {reached}, on top {:?}, status {:?}",
        role.user,
        s.app.mode(),
        s.app.ctx.status
    );
    if mode == Mode::TooSmall {
        return Some(dutydesk::tui::render_text(&mut s.app, 60, 20).unwrap());
    }
    reached.then(|| s.text())
}

/// Where an allowed role must find the case on screen.
fn shows_on(mode: Mode) -> &'static [Part] {
    match mode {
        Mode::Dashboard | Mode::Prompt | Mode::Reviews | Mode::Matches | Mode::Alerts => &[Ref],
        Mode::Record => &[Ref, Name, Words, Note, Involved],
        Mode::Search => &[Ref, Name],
        Mode::Person => &[Ref, Name, Note],
        Mode::Signoffs => &[Ref],
        Mode::CaseItems => &[Ref, Involved],
        Mode::Handover => &[Ref, Note],
        _ => &[],
    }
}

fn screens_for(d: &Desk, role: Role) -> Vec<String> {
    let db = copy_for(d, &format!("{}-screens", role.user));
    let mut problems = Vec::new();
    let mut mode = Some(Mode::Dashboard);
    while let Some(m) = mode {
        if let Some(text) = reach(d, &db, role, m) {
            let seen = parts_in(d, &text);
            // The panels that replace the screen show nothing, even to those allowed.
            let blank = matches!(m, Mode::Lock | Mode::Revoked | Mode::TooSmall);
            if blank && !seen.is_empty() {
                problems.push(format!(
                    "{}: the {m:?} panel shows the case:\n{text}",
                    role.user
                ));
            } else if role.allowed {
                for p in shows_on(m) {
                    if !seen.contains(p) {
                        problems.push(format!(
                            "{}: screen {m:?} should show {p:?}:\n{text}",
                            role.user
                        ));
                    }
                }
            } else if !seen.is_empty() {
                problems.push(format!(
                    "{}: screen {m:?} reveals {seen:?}:\n{text}",
                    role.user
                ));
            }
        }
        mode = next_mode(m);
    }
    // The panels that replace the screen show nothing, even to those allowed.
    let mut s = Session::new(&db, role.user);
    s.select(&d.restricted);
    s.act(Action::Lock);
    let locked = s.text();
    s.act(Action::Unlock);
    s.act(Action::Revoked("Your account is no longer active".into()));
    let revoked = s.text();
    for (what, text) in [("lock", locked), ("revoked", revoked)] {
        if !parts_in(d, &text).is_empty() {
            problems.push(format!(
                "{}: the {what} panel shows the case:\n{text}",
                role.user
            ));
        }
    }
    // Alerts name a case only for those who may see it.
    let mut announced = Default::default();
    let alerts = store::worker::check_alerts(
        &mut s.store,
        &s.me.clone(),
        chrono::Utc::now() + chrono::Duration::days(3),
        &mut announced,
    )
    .unwrap();
    if !role.allowed && alerts.iter().any(|a| a.reference == d.restricted) {
        problems.push(format!("{}: alerted about the hidden case", role.user));
    }
    problems
}

/// A small desk: alice (senior lead, who made it), bob (DSL), dee (deputy), with one
/// case that has a note; returns the database and the case's reference.
fn small_desk(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("small.db");
    common::desk_db(
        &db,
        "Small",
        &[
            ("alice", "alice", "senior"),
            ("bob", "bob", "dsl"),
            ("dee", "dee", "deputy"),
        ],
        chrono::Utc::now(),
    );
    let r = ok(
        "alice",
        &db,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Kit Marlowe",
            "--area",
            "Leicester",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "school noticed",
            "--words",
            WORDS,
        ],
    )
    .trim()
    .to_string();
    ok("alice", &db, &["note", &r, NOTE]);
    (db, r)
}

#[test]
fn the_trail_shows_what_happened_not_the_words_and_reading_it_is_audited() {
    let dir = common::private_dir();
    let (db, r) = small_desk(dir.path());
    let before = audit_rows(&db);
    let out = ok("bob", &db, &["audit", &r.to_lowercase(), "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows["items"].as_array().unwrap();
    assert!(rows.iter().any(|x| x["action"] == "note"), "{out}");
    assert!(!out.contains(NOTE) && !out.contains("Kit Marlowe"), "{out}");
    assert!(rows.iter().all(|x| x["detail"].is_null()), "{out}");
    // The reading is itself on the trail, with what was asked.
    assert_eq!(audit_rows(&db), before + 1);
    let (actor, action, entity_id): (String, String, String) = common::sql(&db)
        .query_row(
            "SELECT actor, action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
        )
        .unwrap();
    assert_eq!((actor.as_str(), action.as_str()), ("bob", "read"));
    assert_eq!(entity_id, r);
    ok(
        "bob",
        &db,
        &[
            "audit",
            "--user",
            "alice",
            "--since",
            "2020-01-01T00:00:00Z",
        ],
    );
    let detail: String = common::sql(&db)
        .query_row(
            "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert!(
        detail.contains("user=alice") && detail.contains("since="),
        "{detail}"
    );
    // Deputies are refused, and the refusal is not a reading.
    let before = audit_rows(&db);
    let (code, _, err) = run(dd("dee", &db).args(["audit"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("only a DSL or senior lead"), "{err}");
    assert_eq!(audit_rows(&db), before);
}

#[test]
fn a_deactivated_users_open_dashboard_stops_showing_records() {
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};
    use store::worker::{Reply, Request, Worker};
    let dir = common::private_dir();
    let (db, r) = small_desk(dir.path());
    let st = store::open(&db, Create::No).unwrap();
    let bob = store::staff::authenticate(&st, "bob").unwrap();
    let (tx, rx) = channel();
    let worker = Worker::spawn(st, bob.clone(), Clock::System, move |reply| {
        tx.send(reply).is_ok()
    });
    let dashboard = Request::Dashboard {
        offset: 0,
        limit: 50,
        keep: None,
        deadlines_offset: 0,
    };
    worker.send(dashboard.clone());
    let mut app = App::new(bob, chrono::Utc::now(), false, Theme::mono());
    update(&mut app, Action::Resize(120, 40));
    let next = |rx: &std::sync::mpsc::Receiver<Reply>, want: fn(&Reply) -> bool| {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(x) if want(&x) => return (x, Instant::now()),
                Ok(_) => {}
                Err(e) => panic!("no reply: {e}"),
            }
        }
    };
    let (reply, _) = next(&rx, |x| matches!(x, Reply::Dashboard(_)));
    update(&mut app, dutydesk::tui::reply_action(reply));
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(text.contains(&r), "{text}");
    // Another session deactivates bob.
    let mut other = store::open(&db, Create::No).unwrap();
    let at = Instant::now();
    other
        .write("alice", chrono::Utc::now(), |w| {
            w.tx()
                .execute("UPDATE staff SET active = 0 WHERE username = 'bob'", [])?;
            w.audit("deactivate", "staff", Some("bob"), None)
        })
        .unwrap();
    let (reply, when) = next(&rx, |x| matches!(x, Reply::Revoked(_)));
    assert!(
        when - at <= store::worker::POLL * 3,
        "told after {:?}",
        when - at
    );
    update(&mut app, dutydesk::tui::reply_action(reply));
    assert!(
        app.dashboard().queue.rows.is_empty()
            && app
                .layer::<dutydesk::tui::layers::record::Record>()
                .is_none()
    );
    let text = dutydesk::tui::render_text(&mut app, 120, 40).unwrap();
    assert!(!text.contains(&r), "{text}");
    assert!(text.contains("no longer active"), "{text}");
    // Keys do nothing now but quit; the worker answers nothing but the refusal.
    assert!(update(&mut app, Action::Reviews).is_empty());
    worker.send(dashboard);
    let (reply, _) = next(&rx, |_| true);
    assert!(matches!(reply, Reply::Revoked(_)), "{reply:?}");
}

#[test]
fn a_role_changed_under_an_open_dashboard_hides_its_records_too() {
    let dir = common::private_dir();
    let (db, _) = small_desk(dir.path());
    let mut st = store::open(&db, Create::No).unwrap();
    let bob = store::staff::authenticate(&st, "bob").unwrap();
    assert_eq!(store::worker::revoked(&st, &bob).unwrap(), None);
    st.write("alice", chrono::Utc::now(), |w| {
        w.tx().execute(
            "UPDATE staff SET role = 'viewer' WHERE username = 'bob'",
            [],
        )?;
        w.audit("role", "staff", Some("bob"), Some("viewer"))
    })
    .unwrap();
    let why = store::worker::revoked(&st, &bob).unwrap().unwrap();
    assert!(
        why.contains("viewer") && why.contains("start dutydesk again"),
        "{why}"
    );
}
