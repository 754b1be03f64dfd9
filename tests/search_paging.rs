//! Search on the screen summarises what it shows first (issue 18's
//! performance point): the first answer carries a screenful of summaries and
//! the ids of the rest, in order; the rest are summarised on the screen's
//! next request, with need-to-know checked again, and come out exactly as
//! the command line's whole answer.

mod common;

use common::{USER, demo_db, now, open, sql};
use dutydesk::clock::Clock;
use dutydesk::domain::search::{Filters, parse};
use dutydesk::store::access::{Viewer, may_see};
use dutydesk::store::workbench::{SEARCH_FIRST, SEARCH_LIMIT, WorkReply, WorkRequest};
use dutydesk::store::worker::{Reply, Request, respond};

fn work(reply: Reply) -> WorkReply {
    match reply {
        Reply::Work(w) => *w,
        other => panic!("expected a workbench answer, got {other:?}"),
    }
}

#[test]
fn a_screenful_first_then_the_rest_exactly_as_the_whole_answer() {
    let dir = common::private_dir();
    let (db, _) = demo_db(dir.path(), 400);
    let mut store = open(&db);
    let me = dutydesk::store::staff::authenticate(&store, USER).unwrap();
    let viewer = Viewer::from(&me);
    let clock = Clock::Fixed(now());

    // Every case the user may see (no words, no filter), as `/` Enter asks.
    let WorkReply::Found { found, .. } = work(respond(
        &mut store,
        &me,
        clock,
        Request::Work(WorkRequest::Search {
            text: String::new(),
            filters: Filters::default(),
            audit: true,
        }),
    )) else {
        panic!("expected results");
    };
    assert_eq!(found.hits.len(), SEARCH_FIRST, "a screenful summarised");
    // The same search again after a change (not audited again) summarises
    // every result: no row waits under a selection far down.
    let WorkReply::Found { found: again, .. } = work(respond(
        &mut store,
        &me,
        clock,
        Request::Work(WorkRequest::Search {
            text: String::new(),
            filters: Filters::default(),
            audit: false,
        }),
    )) else {
        panic!("expected results");
    };
    assert_eq!(again.hits.len(), SEARCH_LIMIT as usize);
    assert!(again.rest.is_empty());
    assert_eq!(found.count(), SEARCH_LIMIT as usize, "the rest kept as ids");
    assert!(found.more);

    // The command line's answer: every result summarised at once.
    let all = dutydesk::store::search::find(
        &sql(&db),
        viewer,
        &parse(""),
        &Filters::default(),
        SEARCH_LIMIT,
        usize::MAX,
    )
    .unwrap();
    assert!(all.rest.is_empty());
    assert_eq!(all.hits.len(), SEARCH_LIMIT as usize);
    assert_eq!(found.hits[..], all.hits[..SEARCH_FIRST]);

    // The rest, as the screen asks for it after its first frame.
    let WorkReply::FoundRest { asked, hits } = work(respond(
        &mut store,
        &me,
        clock,
        Request::Work(WorkRequest::SearchRest {
            ids: found.rest.clone(),
        }),
    )) else {
        panic!("expected the rest");
    };
    assert_eq!(asked, found.rest);
    assert_eq!(hits[..], all.hits[SEARCH_FIRST..]);
    let mut taken = found.clone();
    assert!(taken.take_rest(&asked, hits.clone()));
    assert_eq!(taken.hits, all.hits);
    assert!(taken.rest.is_empty());
    // An answer that is no longer what comes next is not taken twice.
    assert!(!taken.take_rest(&asked, hits));
    assert_eq!(taken.hits.len(), SEARCH_LIMIT as usize);
}

#[test]
fn the_rest_never_summarises_a_case_the_user_may_not_see() {
    let dir = common::private_dir();
    let (db, _) = demo_db(dir.path(), 400);
    let mut store = open(&db);
    // A viewer (read-only role): restricted cases are hidden from them, and
    // their hits carry no name or date of birth.
    let me = dutydesk::store::staff::authenticate(&store, "cadeyemi").unwrap();
    let viewer = Viewer::from(&me);
    let ids: Vec<i64> = sql(&db)
        .prepare("SELECT id FROM escalations ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let conn = sql(&db);
    let hidden: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !may_see(&conn, viewer, *id).unwrap())
        .collect();
    assert!(!hidden.is_empty(), "the demo restricts some cases");
    // Ids asked for directly (as a forged request would): the hidden ones
    // are left out, the visible ones answered, in the order asked.
    let mut asked: Vec<i64> = hidden.iter().copied().take(5).collect();
    let visible: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !hidden.contains(id))
        .take(3)
        .collect();
    asked.extend(visible.iter().rev());
    let WorkReply::FoundRest { hits, .. } = work(respond(
        &mut store,
        &me,
        Clock::Fixed(now()),
        Request::Work(WorkRequest::SearchRest { ids: asked }),
    )) else {
        panic!("expected the rest");
    };
    let got: Vec<i64> = hits.iter().map(|h| h.summary.id).collect();
    let want: Vec<i64> = visible.iter().rev().copied().collect();
    assert_eq!(got, want);
    assert!(
        hits.iter()
            .all(|h| h.subject_name.is_none() && h.subject_dob.is_none())
    );
}
