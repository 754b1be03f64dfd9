//! Search reads its words newest first from the index (schema v18, issue 21):
//! the FTS index is keyed by raised_at * 2^30 + id, so a search stops at its
//! limit instead of counting and sorting every match. These tests hold it to
//! the answer it replaced: every match the viewer may see that passes the
//! filters, newest raised first (ties newest row first), cut at the limit,
//! for every kind of viewer and filter; the keys follow a changed date or
//! name; and a schema 17 database with cases upgrades to the same answers.

mod common;

use common::{demo_db, open};
use dutydesk::domain::search::{Filters, StatusFilter, parse};
use dutydesk::store::access::Viewer;
use dutydesk::store::search::find;
use rusqlite::Connection;

/// A plain connection as the store makes one (with `rarray`, which search
/// binds its few matches through).
fn sql(path: &std::path::Path) -> Connection {
    let c = common::sql(path);
    rusqlite::vtab::array::load_module(&c).unwrap();
    c
}

/// The id of a staff account in the demo.
fn staff(c: &Connection, username: &str) -> i64 {
    c.query_row(
        "SELECT id FROM staff WHERE username = ?1",
        [username],
        |r| r.get(0),
    )
    .unwrap()
}

/// Every kind of viewer: a senior lead (sees restricted cases), a DSL named
/// on some restricted cases, a DSL excluded from some cases, and a viewer
/// (reference only, no names).
fn viewers(c: &Connection) -> Vec<(&'static str, Viewer)> {
    vec![
        (
            "senior",
            Viewer {
                staff_id: staff(c, "rwhite"),
                senior: true,
                redacted: false,
            },
        ),
        (
            "dsl named",
            Viewer {
                staff_id: staff(c, "jbrennan"),
                senior: false,
                redacted: false,
            },
        ),
        (
            "dsl excluded",
            Viewer {
                staff_id: staff(c, "okhan"),
                senior: false,
                redacted: false,
            },
        ),
        (
            "viewer",
            Viewer {
                staff_id: staff(c, "cadeyemi"),
                senior: false,
                redacted: true,
            },
        ),
    ]
}

fn filter_sets() -> Vec<Filters> {
    let f = Filters::default();
    vec![
        f,
        Filters {
            status: StatusFilter::Closed,
            high_risk: true,
            ..f
        },
        Filters {
            status: StatusFilter::Open,
            ..f
        },
        Filters { mine: true, ..f },
        Filters {
            unassigned: true,
            ..f
        },
        Filters {
            unassigned: true,
            status: StatusFilter::Open,
            ..f
        },
        Filters {
            awaiting_signoff: true,
            ..f
        },
        Filters {
            restricted: true,
            ..f
        },
        Filters {
            mine: true,
            high_risk: true,
            status: StatusFilter::Open,
            ..f
        },
    ]
}

/// The ids `find` returns, all of them (summarised or not), and `more`.
fn ids(c: &Connection, v: Viewer, text: &str, f: &Filters, limit: i64) -> Option<(Vec<i64>, bool)> {
    let found = find(c, v, &parse(text), f, limit, limit as usize).ok()?;
    let mut out: Vec<i64> = found.hits.iter().map(|h| h.summary.id).collect();
    out.extend(found.rest);
    Some((out, found.more))
}

/// The answer as sorting every match gave it: the cases the viewer may see
/// through the filters, in order (the filters-only search, which reads
/// down the date raised and is not changed by schema 18), kept where the
/// words match (the FTS match set, unordered).
fn expected(c: &Connection, v: Viewer, text: &str, f: &Filters, limit: i64) -> (Vec<i64>, bool) {
    let (all, _) = ids(c, v, "", f, 10_000).expect("filters alone");
    let q = parse(text)
        .with_areas(&dutydesk::store::areas::list(c).unwrap())
        .fts()
        .unwrap();
    let mut stmt = c
        .prepare(
            "SELECT rowid & 1073741823 FROM escalation_search WHERE escalation_search MATCH ?1",
        )
        .unwrap();
    let matched: std::collections::HashSet<i64> = stmt
        .query_map([&q], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut kept: Vec<i64> = all.into_iter().filter(|id| matched.contains(id)).collect();
    let more = kept.len() as i64 > limit;
    kept.truncate(limit as usize);
    (kept, more)
}

#[test]
fn words_find_what_sorting_every_match_found_for_every_viewer_and_filter() {
    let dir = common::private_dir();
    let (db, _) = demo_db(dir.path(), 1_500);
    let c = sql(&db);
    // Imported history: newer rows raised long ago, and ties on the date
    // raised (the keys are re-made by the trigger on raised_at).
    c.execute_batch(
        "UPDATE escalations SET raised_at = raised_at - 86400 * 900 WHERE id % 11 = 0;
         UPDATE escalations SET raised_at = (SELECT max(raised_at) FROM escalations)
             WHERE id % 97 = 0;
         INSERT INTO escalation_access (escalation_id, staff_id, access)
             SELECT id, (SELECT id FROM staff WHERE username = 'okhan'), 'excluded'
             FROM escalations WHERE id % 5 = 0;
         INSERT OR IGNORE INTO escalation_access (escalation_id, staff_id, access)
             SELECT id, (SELECT id FROM staff WHERE username = 'jbrennan'), 'named'
             FROM escalations WHERE restricted = 1 AND id % 2 = 0;",
    )
    .unwrap();
    // Words: a common first name, a whole name, a surname, two letters, an
    // area, a reference, a year.
    let (name, reference): (String, String) = c
        .query_row(
            "SELECT subject_name, reference FROM escalations
             WHERE restricted = 0 GROUP BY subject_name ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let first = name.split_whitespace().next().unwrap().to_string();
    let last = name.split_whitespace().last().unwrap().to_string();
    let two: String = first.chars().take(2).collect();
    let words = [
        first.as_str(),
        name.as_str(),
        last.as_str(),
        two.as_str(),
        "Rutland",
        reference.as_str(),
        "2026",
    ];
    let mut compared = 0;
    let mut nonempty = 0;
    for (who, v) in viewers(&c) {
        for text in words {
            for f in filter_sets() {
                for limit in [1, 7, 200, 10_000] {
                    let got = ids(&c, v, text, &f, limit);
                    let Some(got) = got else {
                        // Refused (a viewer's name search, a DSL's
                        // restricted filter): refused alike with no words.
                        assert!(v.redacted || f.restricted, "{who} {text:?} {f:?} refused");
                        continue;
                    };
                    let want = expected(&c, v, text, &f, limit);
                    assert_eq!(got, want, "{who} {text:?} {f:?} limit {limit}");
                    compared += 1;
                    if !got.0.is_empty() {
                        nonempty += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 500, "{compared}");
    assert!(
        nonempty > 300,
        "{nonempty}: too few searches found anything"
    );
}

#[test]
fn the_index_follows_a_changed_date_raised_and_name() {
    let dir = common::private_dir();
    let (db, _) = demo_db(dir.path(), 300);
    let c = sql(&db);
    let senior = viewers(&c)[0].1;
    let (oldest, name): (i64, String) = c
        .query_row(
            "SELECT id, subject_name FROM escalations WHERE restricted = 0
             ORDER BY raised_at, id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let none = Filters::default();
    let (before, _) = ids(&c, senior, &name, &none, 200).unwrap();
    assert_eq!(before.last(), Some(&oldest), "{before:?}");
    // Raised later than any other case: now the newest of its name.
    c.execute(
        "UPDATE escalations SET raised_at = (SELECT max(raised_at) + 60 FROM escalations)
         WHERE id = ?1",
        [oldest],
    )
    .unwrap();
    let (after, _) = ids(&c, senior, &name, &none, 200).unwrap();
    assert_eq!(after.first(), Some(&oldest), "{after:?}");
    assert_eq!(after.len(), before.len(), "re-keyed, not duplicated");
    // A corrected name: found by the new one only.
    c.execute(
        "UPDATE escalations SET subject_name = 'Zebedee Quartermaine',
             subject_key = 'zebedee quarterrnaine' WHERE id = ?1",
        [oldest],
    )
    .unwrap();
    let (renamed, _) = ids(&c, senior, "Zebedee", &none, 200).unwrap();
    assert_eq!(renamed, vec![oldest]);
    let (old_name, _) = ids(&c, senior, &name, &none, 200).unwrap();
    assert!(!old_name.contains(&oldest), "{old_name:?}");
    assert_eq!(old_name.len(), before.len() - 1);
}

/// The schema 17 search index (external content over escalations, keyed by
/// id) as tests/fixtures/schema-v17.sql defines it.
fn v17_index() -> String {
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema-v17.sql"
    ))
    .unwrap();
    let start = fixture
        .find("CREATE VIRTUAL TABLE escalation_search")
        .unwrap();
    let tail = &fixture[start..];
    let end = tail
        .find("CREATE TRIGGER escalation_search_delete")
        .unwrap();
    let end = end + tail[end..].find("END;").unwrap() + "END;".len();
    tail[..end].to_string()
}

#[test]
fn a_schema_17_database_with_cases_upgrades_to_the_same_answers() {
    let dir = common::private_dir();
    let (db, _) = demo_db(dir.path(), 400);
    let c = sql(&db);
    let senior = viewers(&c)[0].1;
    let dsl = viewers(&c)[1].1;
    let name: String = c
        .query_row(
            "SELECT subject_name FROM escalations WHERE restricted = 0
             GROUP BY subject_name ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let first = name.split_whitespace().next().unwrap().to_string();
    let searches: Vec<(Viewer, &str, Filters)> = vec![
        (senior, name.as_str(), Filters::default()),
        (senior, first.as_str(), Filters::default()),
        (dsl, first.as_str(), Filters::default()),
        (
            dsl,
            first.as_str(),
            Filters {
                status: StatusFilter::Closed,
                ..Filters::default()
            },
        ),
        (senior, "Leicester", Filters::default()),
    ];
    let answers: Vec<_> = searches
        .iter()
        .map(|(v, t, f)| ids(&c, *v, t, f, 200).unwrap())
        .collect();
    assert!(answers.iter().all(|(a, _)| !a.is_empty()));
    // Back to schema 17's index, as a database made before this change
    // (and without schema 19's queue tally, which came after it).
    c.execute_batch(&format!(
        "DROP TRIGGER escalations_queue_tally_insert;
         DROP TRIGGER escalations_queue_tally_update;
         DROP TRIGGER escalations_queue_tally_delete;
         DROP TABLE escalations_queue_tally;
         DROP INDEX escalations_open_by_warn;
         DROP TRIGGER escalation_search_insert;
         DROP TRIGGER escalation_search_update;
         DROP TRIGGER escalation_search_delete;
         DROP TABLE escalation_search;
         {}
         INSERT INTO escalation_search (escalation_search) VALUES ('rebuild');
         PRAGMA user_version = 17;",
        v17_index()
    ))
    .unwrap();
    drop(c);
    drop(open(&db)); // migrates
    let c = sql(&db);
    let version: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, dutydesk::store::migrate::SCHEMA_VERSION);
    for ((v, t, f), want) in searches.iter().zip(&answers) {
        assert_eq!(&ids(&c, *v, t, f, 200).unwrap(), want, "{t:?} {f:?}");
    }
    // Every case is in the new index under its key, once.
    let n: i64 = c
        .query_row("SELECT count(*) FROM escalations", [], |r| r.get(0))
        .unwrap();
    let found: i64 = c
        .query_row(
            "SELECT count(*) FROM escalations e WHERE EXISTS (
                 SELECT 1 FROM escalation_search f
                 WHERE f.escalation_search MATCH 'reference : ' || '\"' || lower(replace(e.reference, '-', ' ')) || '\"'
                   AND f.rowid = e.raised_at * 1073741824 + e.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, n);
}
