//! Schema 6 on a database with records (issue 17): escalations, routes and
//! contact hours rebuilt with every row kept, age bands and areas brought to
//! the new lists, the new categories and the review anchors in place.

mod common;

use dutydesk::store::{self, Create};

#[test]
fn a_v5_database_with_records_is_brought_to_schema_6() {
    let dir = common::private_dir();
    let path = dir.path().join("v5.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(include_str!("fixtures/schema-v5.sql"))
        .unwrap();
    c.pragma_update(None, "user_version", 5).unwrap();
    // 1 Oct 2026 09:00 UTC.
    let t = 1_790_845_200i64;
    c.execute_batch(&format!(
        "INSERT INTO staff (id, username, display_name, role, created_at) VALUES (1, 'alice', 'Alice', 'dsl', {t});
         INSERT INTO categories (code, label, framework) VALUES ('neglect', 'neglect', 'child'),
             ('exploitation', 'exploitation (CSE/CCE)', 'police');
         INSERT INTO contacts (id, organisation, service, route, area, phone, updated_at)
             VALUES (1, 'Leicestershire County Council', 'Adults', 'adults', 'Leicestershire', '0116 305 0004', {t});
         INSERT INTO contact_hours VALUES (1, 1, '08:30', '17:00');
         INSERT INTO review_series (code, name, cadence_months, next_meeting) VALUES ('monthly', 'Monthly', 1, '2027-01-31');"
    ))
    .unwrap();
    let esc = |id: i64, band: &str, dob: Option<&str>, area: &str| {
        c.execute(
            "INSERT INTO escalations (id, reference, ref_year, ref_seq, subject_kind, subject_name,
                subject_dob, age_band, area, location_type, risk, status, raised_by, raised_at,
                exact_words, consent, created_by, created_at, updated_by, updated_at)
             VALUES (?1, 'SG-2026-' || ?1, 2026, ?1, 'child', 'P', ?2, ?3, ?4, 'unknown', 'low', 'new',
                'r', ?5, 'w', 'sought', 1, ?5, 1, ?5)",
            rusqlite::params![id, dob, band, area, t],
        )
        .unwrap();
    };
    esc(1, "26-64", None, "leicestershire");
    esc(2, "0-4", Some("2026-03-01"), "Leicestershire");
    esc(3, "0-4", None, "Walsall");
    esc(4, "85+", None, " Walsall");
    esc(5, "18-25", None, "Walsall");
    c.execute_batch(&format!(
        "INSERT INTO escalation_categories VALUES (3, 'exploitation');
         INSERT INTO referrals (escalation_id, route, method, made_by, made_at) VALUES (1, 'adults', 'phone', 1, {t});
         INSERT INTO deadlines (escalation_id, label, due_at, created_at) VALUES (1, 'x', {t}, {t});"
    ))
    .unwrap();
    drop(c);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o660)).unwrap();
    drop(store::open(&path, Create::No).unwrap());

    let c = common::sql(&path);
    let one = |sql: &str| -> String { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("PRAGMA user_version"),
        dutydesk::store::migrate::SCHEMA_VERSION
    );
    assert_eq!(count("SELECT count(*) FROM escalations"), 5);
    // Bands: 18-25 and 26-64 are 18-64; a 0-4 with a date of birth is worked
    // out again (7 months old: under 1); without one it stays as recorded.
    let band = |id: i64| one(&format!("SELECT age_band FROM escalations WHERE id = {id}"));
    assert_eq!(band(1), "18-64");
    assert_eq!(band(2), "under-1");
    assert_eq!(band(3), "0-4");
    assert_eq!(band(4), "85+");
    assert_eq!(band(5), "18-64");
    // Areas: one list, one spelling each (the contacts' first), and the
    // escalations written with it.
    assert_eq!(count("SELECT count(*) FROM areas"), 2);
    assert_eq!(
        one("SELECT area FROM escalations WHERE id = 1"),
        "Leicestershire"
    );
    assert_eq!(one("SELECT area FROM escalations WHERE id = 4"), "Walsall");
    // Every other row kept, foreign keys whole; the new routes exist.
    assert_eq!(count("SELECT count(*) FROM referrals"), 1);
    assert_eq!(
        count("SELECT count(*) FROM deadlines WHERE escalation_id = 1"),
        1
    );
    assert_eq!(count("SELECT count(*) FROM escalation_categories"), 1);
    assert_eq!(count("SELECT count(*) FROM contact_hours"), 1);
    assert_eq!(count("SELECT count(*) FROM routes"), 15);
    let fk: i64 = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count() as i64;
    assert_eq!(fk, 0);
    // Categories: the old combined code retired (kept on its record), the new ones in.
    assert_eq!(
        count("SELECT active FROM categories WHERE code = 'exploitation'"),
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM categories WHERE code IN ('cse', 'cce', 'serious_violence', 'child_on_child', 'cuckooing') AND active = 1"
        ),
        5
    );
    // The review series keeps month end.
    assert_eq!(
        count("SELECT anchor_day FROM review_series WHERE code = 'monthly'"),
        31
    );
    // The new columns take their defaults, and the new CHECKs hold.
    assert_eq!(
        count("SELECT count(*) FROM escalations WHERE low_level = 0"),
        5
    );
    assert!(
        c.execute("UPDATE escalations SET low_level = 1 WHERE id = 1", [])
            .is_err(),
        "a low-level concern is about staff only"
    );
}
