//! How SQLite runs the dashboard's queries: the benchmark prints these and a
//! test fails if an index the dashboard relies on is lost.

use super::{Result, Store};

/// (query, plan) for each query the dashboard runs on every refresh.
pub fn dashboard(store: &Store) -> Result<Vec<(String, String)>> {
    use super::escalations::{Band, band_page_sql};
    let queries = [
        ("open escalations page", band_page_sql(Band::Rest)),
        ("open deadlines page", super::deadlines::open_page_sql()),
        ("open deadlines count", super::deadlines::open_count_sql()),
        (
            "unacknowledged",
            super::escalations::unacknowledged_count_sql(),
        ),
    ];
    let reviews = super::reviews::COUNTS
        .iter()
        .map(|c| {
            (
                format!("review counts: {}", c.kind.label()),
                format!("SELECT count(*) {}", c.all),
            )
        })
        .chain([(
            "review counts: a window's days and hours (tally)".to_string(),
            super::reviews::TALLY_SQL.to_string(),
        )]);
    // The bands of the order of urgency above the bulk: small partial indexes.
    let bands = [
        ("open escalations page: life at risk", Band::LifeAtRisk),
        (
            "open escalations page: unacknowledged",
            Band::Unacknowledged,
        ),
        ("open escalations page: overdue or due soon", Band::Warning),
    ]
    .map(|(n, b)| (n.to_string(), band_page_sql(b)));
    let mut out = Vec::new();
    let queries = queries.into_iter().map(|(n, q)| (n.to_string(), q));
    for (name, sql) in queries.chain(reviews).chain(bands) {
        let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let n = stmt.parameter_count();
        let nulls: Vec<rusqlite::types::Null> = (0..n).map(|_| rusqlite::types::Null).collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(nulls.iter()), |r| {
            r.get::<_, String>(3)
        })?;
        let plan = rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n");
        out.push((name, plan));
    }
    Ok(out)
}

/// (query, plan) for the queries that must cost what is shown, not what
/// history holds (issue 21): the queue's last page read backwards, the
/// restricted records' share of the open deadlines, the handover's changes,
/// the audit trail's filters and the alert check's probes.
pub fn history(store: &Store) -> Result<Vec<(String, String)>> {
    use super::escalations::{Band, Dir, band_window_sql};
    use super::trail::{Query, lines_sql};
    let q = |record, user, since| Query {
        record,
        user,
        since,
        limit: 100,
    };
    let name = |b: Band| match b {
        Band::LifeAtRisk => "life at risk",
        Band::Unacknowledged => "unacknowledged",
        Band::Warning => "overdue or due soon",
        Band::Rest => "the rest",
    };
    let mut queries: Vec<(String, String)> = vec![(
        "open escalations, last page (read backwards)".into(),
        band_window_sql(Band::Rest, Dir::Backward, "1"),
    )];
    // Every band read from its end, and a kept case's place counted from
    // either end of its band (issue 21: `G` and the kept selection).
    for b in Band::ALL {
        queries.push((
            format!("open escalations backwards: {}", name(b)),
            band_window_sql(b, Dir::Backward, "1"),
        ));
        for (end, after) in [("before", false), ("after", true)] {
            for (due, none) in [("", false), (", no deadline", true)] {
                queries.push((
                    format!("position: {} {end}{due}", name(b)),
                    super::escalations::position_sql(b, after, none),
                ));
                // The window read around a kept case, part by part.
                let dir = if after { Dir::Forward } else { Dir::Backward };
                for (i, (part, order)) in super::escalations::key_parts(b, after, after, none)
                    .iter()
                    .enumerate()
                {
                    queries.push((
                        format!("around: {} {end}{due}, part {}", name(b), i + 1),
                        super::escalations::part_window_sql(b, dir, &format!("({part})"), order),
                    ));
                }
            }
        }
    }
    // A case of the last band placed by the queue's tally (schema 19).
    for (due, none) in [("", false), (", no deadline", true)] {
        queries.push((
            format!("position: the rest by the tally{due}"),
            super::escalations::rest_step_sql(none),
        ));
    }
    for b in Band::ALL {
        queries.push((
            format!("position: the rest corrected for {}", name(b)),
            super::escalations::rest_corrections_sql(b),
        ));
    }
    queries.extend([
        (
            "open escalations: hidden from the viewer".into(),
            super::access::HIDDEN_OPEN.into(),
        ),
        (
            "open deadlines count: restricted share".into(),
            super::deadlines::hidden_restricted_sql(),
        ),
        (
            "handover: changes since".into(),
            super::rota::changes_since_sql(),
        ),
        (
            "audit --user".into(),
            lines_sql(&q(None, Some("u"), None), false),
        ),
        (
            "audit --since".into(),
            lines_sql(&q(None, None, Some(0)), false),
        ),
        (
            "audit REF".into(),
            lines_sql(&q(Some("SG-2026-0001"), None, None), true),
        ),
    ]);
    queries.extend(super::reviews::restricted_share_sql());
    for (name, sql) in super::alerts::MOMENTS {
        queries.push((name.to_string(), sql.to_string()));
    }
    let mut out = Vec::new();
    for (name, sql) in queries {
        out.push((name, explain(store, &sql)?));
    }
    Ok(out)
}

/// (query, plan) for search (`dutydesk search`, `/`): by words through the
/// FTS index read newest first (schema v18), with and without filters, and with no words (filters alone) down the cases by the date
/// raised, newest first; then the summaries of the results found
/// (`search::hits_of`), each case by its id.
pub fn search(store: &Store) -> Result<Vec<(String, String)>> {
    let none = crate::domain::search::Filters::default();
    let mut out = Vec::new();
    use super::search::Words;
    for (name, sql) in [
        (
            "search by words",
            super::search::find_sql_as(Words::Match, &none),
        ),
        (
            "search by words and filters",
            super::search::find_sql_as(
                Words::Match,
                &crate::domain::search::Filters {
                    high_risk: true,
                    status: crate::domain::search::StatusFilter::Closed,
                    ..none
                },
            ),
        ),
        (
            "search by words: the first matches",
            super::search::MATCHES_SQL.to_string(),
        ),
        (
            "search by words: few matches checked",
            super::search::checked_sql(&crate::domain::search::Filters {
                status: crate::domain::search::StatusFilter::Open,
                ..none
            }),
        ),
        (
            "search by words and a filter of few cases",
            super::search::find_sql_as(
                Words::Few,
                &crate::domain::search::Filters {
                    unassigned: true,
                    ..none
                },
            ),
        ),
        (
            "search by words awaiting sign-off",
            super::search::find_sql_as(
                Words::Few,
                &crate::domain::search::Filters {
                    awaiting_signoff: true,
                    ..none
                },
            ),
        ),
        (
            "search by filters",
            super::search::find_sql_as(Words::None, &none),
        ),
        ("summaries of the results", super::search::hits_sql()),
    ] {
        let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let n = stmt.parameter_count();
        let nulls: Vec<rusqlite::types::Null> = (0..n).map(|_| rusqlite::types::Null).collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(nulls.iter()), |r| {
            r.get::<_, String>(3)
        })?;
        let plan = rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n");
        out.push((name.to_string(), plan));
    }
    Ok(out)
}

fn explain(store: &Store, sql: &str) -> Result<String> {
    let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let n = stmt.parameter_count();
    let nulls: Vec<rusqlite::types::Null> = (0..n).map(|_| rusqlite::types::Null).collect();
    let rows = stmt.query_map(rusqlite::params_from_iter(nulls.iter()), |r| {
        r.get::<_, String>(3)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"))
}

/// Whether a plan reads a big table from end to end (a scan without an index).
pub fn full_scan(plan: &str) -> bool {
    plan.lines().any(|l| {
        let l = l.trim();
        (l.starts_with("SCAN e")
            || l.starts_with("SCAN d")
            || l.starts_with("SCAN escalations")
            || l.starts_with("SCAN deadlines"))
            && !l.contains("USING")
    })
}
