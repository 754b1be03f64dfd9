//! `dutydesk bench`: the performance figures, measured on a real database
//! (normally `demo --cases 100000`), as medians with spread. Figures come from
//! here, never from timed tests.

use crate::domain::staff::StaffMember;
use crate::store::worker::{self, Reply, Request};
use crate::store::{self, Create, Store};
use crate::tui::action::Action;
use crate::tui::app::{App, WINDOW};
use crate::tui::update::update;
use chrono::{DateTime, Utc};
use std::path::Path;
use std::time::{Duration, Instant};

/// One measured figure: samples in milliseconds, and its budget.
pub struct Figure {
    pub name: String,
    pub samples: Vec<f64>,
    pub budget_ms: Option<f64>,
}

impl Figure {
    fn stat(&self, q: f64) -> f64 {
        let mut v = self.samples.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        v[((v.len() - 1) as f64 * q).round() as usize]
    }

    /// "name  median  [min – p90 – max]  budget  ok".
    pub fn line(&self) -> String {
        let med = self.stat(0.5);
        let verdict = match self.budget_ms {
            Some(b) if med <= b => format!("≤ {b} ms  ok"),
            Some(b) => format!("≤ {b} ms  OVER"),
            None => String::new(),
        };
        format!(
            "{:<44} {:>9.3} ms  [{:.3} – {:.3} – {:.3}]  {verdict}",
            self.name,
            med,
            self.stat(0.0),
            self.stat(0.9),
            self.stat(1.0)
        )
    }
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn fig(name: impl Into<String>, samples: Vec<f64>, budget: Option<f64>) -> Figure {
    Figure {
        name: name.into(),
        samples,
        budget_ms: budget,
    }
}

/// Peak resident memory of this process (or of its finished children), in MB.
fn peak_mb(children: bool) -> f64 {
    // SAFETY: getrusage fills a zeroed struct.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    unsafe { libc::getrusage(who, &mut u) };
    u.ru_maxrss as f64 / 1024.0
}

/// Runs every measurement; `runs` samples each. Returns the lines to print.
pub fn run(
    path: &Path,
    me: &StaffMember,
    now: DateTime<Utc>,
    runs: usize,
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut store = store::open(path, Create::No)?;
    let viewer = store::escalations::Viewer::from(me);
    let open = store::escalations::open_count(&store, viewer)?;
    let total: i64 = store::audit::count(store.conn())?;
    out.push(format!(
        "database {} · {open} open escalations · {total} audit rows · {runs} runs each",
        path.display()
    ));
    let mut figs = Vec::new();

    // 1. Process start to first complete frame.
    let exe = std::env::current_exe()?;
    let snap = |w: &str, h: &str| {
        let o = std::process::Command::new(&exe)
            .args(["snapshot", "--width", w, "--height", h, "--db"])
            .arg(path)
            .env("DUTYDESK_USER", &me.username)
            .output();
        assert!(o.is_ok_and(|o| o.status.success()), "snapshot failed");
    };
    figs.push(fig(
        "start to first frame (snapshot 120×40)",
        time(runs, || snap("120", "40")),
        Some(100.0),
    ));

    // 2. The dashboard's queries.
    figs.push(fig(
        "query: open escalations page (200 rows)",
        time(runs, || {
            store::escalations::open_page(&store, viewer, now, 0, WINDOW)
        }),
        Some(5.0),
    ));
    figs.push(fig(
        "query: open escalations count",
        time(runs, || store::escalations::open_count(&store, viewer)),
        Some(5.0),
    ));
    // Keeping the selection on the last case of the queue after a reload:
    // its place in the order of urgency, then the window around it.
    let total = store::escalations::open_count(&store, viewer)?;
    let last = store::escalations::open_page(&store, viewer, now, (total - 1).max(0), 1)?
        .first()
        .map(|e| e.id);
    if let Some(id) = last {
        figs.push(fig(
            "query: position of the last case (kept)",
            time(runs, || {
                store::escalations::position(&store, viewer, now, id)
            }),
            Some(5.0),
        ));
        figs.push(fig(
            "query: open escalations, last page",
            time(runs, || {
                store::escalations::open_page(&store, viewer, now, (total - WINDOW).max(0), WINDOW)
            }),
            Some(5.0),
        ));
    }
    figs.push(fig(
        "query: open deadlines page + count",
        time(runs, || {
            (
                store::deadlines::open_page(&store, viewer, 0, WINDOW),
                store::deadlines::open_count(&store, viewer),
            )
        }),
        Some(5.0),
    ));
    figs.push(fig(
        "query: whole dashboard refresh",
        time(runs, || {
            worker::load_dashboard(&store, me, now, 0, WINDOW, None, 0)
        }),
        None,
    ));
    figs.push(fig(
        "query: review counts (dashboard strip)",
        time(runs, || store::reviews::summaries(&store, viewer, now)),
        Some(5.0),
    ));
    // The open alerts the banner and `!` read (every 10 s, and after a
    // change): on the worker thread, so other requests wait behind it.
    figs.push(fig(
        "query: open alerts (banner, !)",
        time(runs, || store::alerts::open_for(&store, me, now)),
        None,
    ));
    let series = store::reviews::summaries(&store, viewer, now)?;
    if let Some(first) = series.first() {
        figs.push(fig(
            "query: next series' whole agenda (R)",
            time(runs.min(10), || {
                store::reviews::agenda(&store, &first.code, viewer, now)
            }),
            None,
        ));
    }

    // 2b. The workbench (issue 18): search over every case, open and closed,
    // and a person's chronology, within the dashboard's budgets.
    {
        use crate::domain::search::{Filters, StatusFilter, parse};
        let conn = store_conn(&store);
        let (name, reference) = store::bench_probe(conn)?;
        let first = name.split_whitespace().next().unwrap_or("a").to_string();
        let q = |text: &str, f: Filters| {
            let query = parse(text);
            move |s: &Store| {
                store::search::find(store_conn(s), viewer, &query, &f, 200).map(|x| x.hits.len())
            }
        };
        type Measure<'a> = Box<dyn Fn(&Store) -> store::Result<usize> + 'a>;
        let cases: Vec<(String, Measure)> = vec![
            (
                format!("query: search a first name ({first}), 200 newest"),
                Box::new(q(&first, Filters::default())),
            ),
            (
                "query: search a whole name".into(),
                Box::new(q(&name, Filters::default())),
            ),
            (
                "query: search a reference".into(),
                Box::new(q(&reference, Filters::default())),
            ),
            (
                "query: search a name, closed and high risk".into(),
                Box::new(q(
                    &first,
                    Filters {
                        high_risk: true,
                        status: StatusFilter::Closed,
                        ..Filters::default()
                    },
                )),
            ),
            (
                "query: filters only (mine), 200 newest".into(),
                Box::new(q(
                    "",
                    Filters {
                        mine: true,
                        ..Filters::default()
                    },
                )),
            ),
            (
                "query: filters only (unassigned, open)".into(),
                Box::new(q(
                    "",
                    Filters {
                        unassigned: true,
                        status: StatusFilter::Open,
                        ..Filters::default()
                    },
                )),
            ),
            (
                "query: sign-off queue and count".into(),
                Box::new(|s: &Store| {
                    Ok(store::search::signoff_queue(store_conn(s), viewer)?.len()
                        + store::search::signoff_waiting(s, viewer)? as usize)
                }),
            ),
        ];
        for (name, f) in &cases {
            figs.push(fig(name.clone(), time(runs, || f(&store)), Some(5.0)));
        }
        // The person with the most linked cases the probe found, audited
        // as the screen's `h` is (a view row per case, in one write).
        let linked = store::bench_linked(store_conn(&store))?;
        if let Some((id, n)) = linked {
            figs.push(fig(
                format!("key to frame: a person's chronology ({n} linked cases, audited)"),
                time(runs, || {
                    store
                        .write(&me.username, now, |w| store::person::chronology(w, id))
                        .map(|p| p.entries.len())
                }),
                Some(16.0),
            ));
        }
    }

    // 3. Drawing a frame.
    let data = worker::load_dashboard(&store, me, now, 0, WINDOW, None, 0)?;
    let mut app = App::new(me.clone(), now, false, crate::tui::theme::Theme::dark());
    update(&mut app, Action::DashboardLoaded(Box::new(data.clone())));
    for (w, h, name) in [
        (80, 24, "draw one frame 80×24"),
        (200, 60, "draw one frame 200×60"),
    ] {
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h))?;
        update(&mut app, Action::Resize(w, h));
        figs.push(fig(
            name,
            time(runs, || term.draw(|f| app.draw(f)).map(|_| ())),
            Some(2.0),
        ));
    }

    // The review screen with the longest agenda: only the lines on screen are built.
    if let Some(longest) = series.iter().max_by_key(|a| a.total()) {
        let agenda = store::reviews::agenda(&store, &longest.code, viewer, now)?;
        let mut rapp = App::new(me.clone(), now, false, crate::tui::theme::Theme::dark());
        update(&mut rapp, Action::Resize(200, 60));
        update(&mut rapp, Action::ReviewsLoaded(series.clone()));
        update(&mut rapp, Action::Reviews);
        for _ in 0..series.len() {
            let shown = rapp
                .layer::<crate::tui::layers::reviews::Reviews>()
                .map(|r| r.series);
            if shown.and_then(|i| series.get(i)).map(|a| &a.code) == Some(&agenda.code) {
                break;
            }
            update(&mut rapp, Action::NextSeries);
        }
        let items = agenda.items.len();
        update(&mut rapp, Action::AgendaLoaded(Box::new(agenda)));
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60))?;
        figs.push(fig(
            format!("draw the review screen ({items} items) 200×60"),
            time(runs, || term.draw(|f| rapp.draw(f)).map(|_| ())),
            Some(2.0),
        ));
    }

    // 4. A key to the next frame.
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60))?;
    update(&mut app, Action::Resize(200, 60));
    figs.push(fig(
        "key to frame: move selection",
        time(runs, || {
            update(&mut app, Action::Down);
            term.draw(|f| app.draw(f)).map(|_| ())
        }),
        Some(16.0),
    ));
    update(&mut app, Action::Top);
    let id = data.rows.first().map(|r| r.id).unwrap_or(1);
    figs.push(fig(
        "key to frame: open a record (audited view)",
        time(runs, || {
            update(&mut app, Action::Open);
            let d = worker::load_detail(&mut store, me, now, id).expect("detail");
            update(&mut app, Action::DetailLoaded(Box::new(d)));
            let r = term.draw(|f| app.draw(f)).map(|_| ());
            update(&mut app, Action::Back);
            r
        }),
        Some(16.0),
    ));
    figs.push(fig(
        "key to frame: filter contacts",
        time(runs, || {
            store::contacts::lookup(store_conn(&store), "rutland child", None, None, now)
        }),
        Some(16.0),
    ));

    // 5. A commit in one session until another session's worker sees it.
    let (tx, rx) = std::sync::mpsc::channel();
    let other = store::open(path, Create::No)?;
    let w = worker::Worker::spawn(
        other,
        me.clone(),
        crate::clock::Clock::Fixed(now),
        move |r| {
            if matches!(r, Reply::Changed) {
                let _ = tx.send(Instant::now());
            }
            true
        },
    );
    std::thread::sleep(Duration::from_millis(300));
    while rx.try_recv().is_ok() {}
    let mut cross = Vec::new();
    for i in 0..runs.min(10) {
        let t = Instant::now();
        store.write(&me.username, now, |wr| {
            wr.audit("bench", "database", None, Some(&format!("commit {i}")))
        })?;
        if let Ok(seen) = rx.recv_timeout(Duration::from_secs(5)) {
            cross.push((seen - t).as_secs_f64() * 1000.0);
        }
        std::thread::sleep(Duration::from_millis(50));
        while rx.try_recv().is_ok() {}
    }
    w.send(Request::Reviews);
    drop(w);
    figs.push(fig(
        "commit to another session's screen",
        cross,
        Some(500.0),
    ));

    for f in &figs {
        out.push(f.line());
    }

    // 6. Memory.
    out.push(format!(
        "{:<44} {:>9.1} MB (this process) · {:.1} MB (largest snapshot process)  ≤ 50 MB",
        "peak memory (RSS)",
        peak_mb(false),
        peak_mb(true)
    ));

    // 7. The floor: sqlite3 running the dashboard's page query on the same
    // file (the bulk of the queue, in the order of its index).
    let sql = "SELECT id, reference FROM escalations WHERE status <> 'closed' ORDER BY CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, next_due_at IS NULL, next_due_at, raised_at LIMIT 200;";
    let floor = time(runs, || {
        std::process::Command::new("sqlite3")
            .arg(path)
            .arg(sql)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    });
    let ok = std::process::Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok();
    if ok {
        let f = fig("sqlite3 CLI, same page query (floor)", floor, None);
        let ratio = figs[0].stat(0.5) / f.stat(0.5);
        out.push(f.line());
        out.push(format!(
            "{:<44} {:>9.1}× sqlite3's time",
            "snapshot ÷ sqlite3", ratio
        ));
    } else {
        out.push("sqlite3 not installed: floor comparison skipped".into());
    }

    // Query plans: no full scans.
    for (name, plan) in store::plans::dashboard(&store)? {
        let verdict = if store::plans::full_scan(&plan) {
            "FULL SCAN"
        } else {
            "indexed"
        };
        out.push(format!(
            "plan: {name}: {verdict} ({})",
            plan.replace('\n', "; ")
        ));
    }
    Ok(out)
}

fn store_conn(s: &Store) -> &rusqlite::Connection {
    s.conn()
}
