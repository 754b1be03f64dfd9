//! `dutydesk bench`: the performance figures, measured on a real database
//! (normally `demo --cases 100000`), as medians with spread. Figures come from
//! here, never from timed tests.

use crate::clock::Clock;
use crate::domain::staff::StaffMember;
use crate::store::worker::{self, Reply, Request};
use crate::store::{self, Create, Store};
use crate::tui::action::Action;
use crate::tui::app::{App, WINDOW};
use crate::tui::update::{Effect, update};
use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
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

/// Set (to anything) in a command's environment: as it exits, it writes its
/// own peak resident memory to stderr ([`say_peak`]) for `dutydesk bench`.
/// A spawned child's resource usage (`wait4`) also counts the memory of the
/// parent it was forked from, so the child must say it.
pub const PEAK_ENV: &str = "DUTYDESK_BENCH_PEAK";

/// The line [`say_peak`] writes: `dutydesk-peak-kb N` (kilobytes, `VmHWM`).
const PEAK_LINE: &str = "dutydesk-peak-kb";

/// Writes this process's peak resident memory (`VmHWM`, kB) to stderr as a
/// line of its own, for the bench that started it.
pub fn say_peak() {
    if let Some(mb) = vm_hwm_mb() {
        eprintln!("{PEAK_LINE} {:.0}", mb * 1024.0);
    }
}

/// Runs `dutydesk --db PATH ARGS` as `user`, its output thrown away, and
/// returns that process's own peak resident memory in MB, as it says it
/// ([`PEAK_ENV`]). An error when it cannot be started, does not succeed or
/// does not say.
fn child_peak(exe: &Path, path: &Path, user: &str, args: &[&str]) -> anyhow::Result<f64> {
    let o = std::process::Command::new(exe)
        .arg("--db")
        .arg(path)
        .args(args)
        .env("DUTYDESK_USER", user)
        .env(PEAK_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()?;
    if !o.status.success() {
        anyhow::bail!("{}", o.status);
    }
    let err = String::from_utf8_lossy(&o.stderr);
    let kb: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix(PEAK_LINE))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no peak said"))?;
    Ok(kb / 1024.0)
}

/// This process's peak resident memory in MB, from `/proc/self/status`
/// (`VmHWM`), where Linux gives it.
fn vm_hwm_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time this process has used (user and system), in milliseconds.
fn cpu_ms() -> f64 {
    // SAFETY: getrusage fills a zeroed struct.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(u.ru_utime) + ms(u.ru_stime)
}

/// A figure against a budget: "name  value unit  ≤ budget unit  ok/OVER".
fn verdict_line(name: &str, value: f64, unit: &str, budget: f64) -> String {
    let v = if value <= budget { "ok" } else { "OVER" };
    format!("{name:<44} {value:>9.1} {unit}  ≤ {budget} {unit}  {v}")
}

/// A pause of 0 to 250 ms (the store worker's poll), different each time, so
/// a commit lands at a random phase of the other session's poll.
fn random_phase(i: usize) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let mut z = nanos ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 27;
    Duration::from_millis(z % 250)
}

/// A key in a session, as the screen runs it but without the thread hop:
/// the action, every store request it leads to (answered in turn, with the
/// requests those answers lead to), and the frame drawn. A kept case's
/// place asked for after the frame (`Request::Position`) is left to
/// [`place_counted`], which times it on its own; the open alerts to the
/// alert check's lines.
fn key(
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    store: &mut Store,
    me: &StaffMember,
    clock: Clock,
    action: Action,
) -> f64 {
    let t = Instant::now();
    let mut fx = update(app, action);
    while !fx.is_empty() {
        let mut next = Vec::new();
        for f in fx {
            // The kept case's place and the open alerts are answered on the
            // side lane, apart from the key's frame (the alerts by the
            // incremental check, measured on its own lines above).
            if let Effect::Store(req) = f
                && !matches!(req, Request::Position { .. } | Request::OpenAlerts)
            {
                let reply = worker::respond(store, me, clock, req);
                next.extend(update(app, crate::tui::reply_action(reply)));
            }
        }
        fx = next;
    }
    let _ = term.draw(|f| app.draw(f));
    t.elapsed().as_secs_f64() * 1000.0
}

/// The kept case's place, counted after the frame as the screen asks it
/// (`Request::Position`, answered and applied): its time, or None when the
/// window's place was known already.
fn place_counted(app: &mut App, store: &mut Store, me: &StaffMember, clock: Clock) -> Option<f64> {
    let d = app.dashboard();
    if d.queue.exact {
        return None;
    }
    let id = d.queue.selected_row()?.id;
    let near_end = d.queue.selected * 2 > d.queue.total;
    let t = Instant::now();
    let reply = worker::respond(store, me, clock, Request::Position { id, near_end });
    update(app, crate::tui::reply_action(reply));
    Some(t.elapsed().as_secs_f64() * 1000.0)
}

/// Another session's screen, headless: its own store worker on its own
/// connection, its replies applied and each one drawn, as `tui::run` does.
struct Screen {
    app: App,
    term: Terminal<TestBackend>,
    worker: worker::Worker,
    rx: Receiver<Reply>,
    /// Requests sent and not yet answered.
    pending: usize,
}

impl Screen {
    fn start(path: &Path, me: &StaffMember, clock: Clock) -> anyhow::Result<Screen> {
        let store = store::open(path, Create::No)?;
        let (tx, rx) = channel();
        let worker = worker::Worker::spawn(store, me.clone(), clock, move |r| tx.send(r).is_ok());
        let mut app = App::new(
            me.clone(),
            clock.now(),
            false,
            crate::tui::theme::Theme::dark(),
        );
        update(&mut app, Action::Resize(120, 40));
        let mut s = Screen {
            app,
            term: Terminal::new(TestBackend::new(120, 40))?,
            worker,
            rx,
            pending: 0,
        };
        s.perform(vec![
            crate::tui::update::initial_load(),
            Effect::Store(Request::Reviews),
            Effect::Store(Request::Side(Box::new(Request::Handover))),
        ]);
        Ok(s)
    }

    fn perform(&mut self, fx: Vec<Effect>) {
        for f in fx {
            if let Effect::Store(req) = f {
                // Its answer looks like the worker's own (not counted).
                if !matches!(req, Request::OpenAlerts) {
                    self.pending += 1;
                }
                self.worker.send(req);
            }
        }
    }

    fn act(&mut self, a: Action) {
        let fx = update(&mut self.app, a);
        self.perform(fx);
    }

    fn draw(&mut self) {
        let app = &self.app;
        let _ = self.term.draw(|f| app.draw(f));
    }

    /// Applies one reply and draws; whether it was the dashboard's.
    fn apply(&mut self, r: Reply) -> bool {
        let dash = matches!(r, Reply::Dashboard(_));
        // What the worker says of itself (another session's change, new or
        // open alerts from its 10-second check) answers no request.
        if !matches!(
            r,
            Reply::Changed | Reply::Alerts(_) | Reply::OpenAlerts(_) | Reply::Revoked(_)
        ) {
            self.pending = self.pending.saturating_sub(1);
        }
        self.act(crate::tui::reply_action(r));
        self.draw();
        dash
    }

    /// Applies replies until every request is answered and none comes for
    /// `quiet` (a minute at most).
    fn settle(&mut self, quiet: Duration) {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            match self.rx.recv_timeout(quiet) {
                Ok(r) => {
                    self.apply(r);
                }
                Err(_) if self.pending == 0 => break,
                Err(_) => {}
            }
        }
    }

    /// Waits for the dashboard's reload after another session's commit and
    /// returns when it was drawn.
    fn redrawn(&mut self, within: Duration) -> Option<Instant> {
        let end = Instant::now() + within;
        while let Ok(r) = self
            .rx
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            if self.apply(r) {
                return Some(Instant::now());
            }
        }
        None
    }
}

/// One "Enter after start": a session started as the screen starts
/// (`Screen::start`), Enter sent `after` the first dashboard is drawn
/// (answers arriving meanwhile applied and drawn), and the time from Enter
/// to the frame that shows the record, in ms.
fn enter_after_start(
    path: &Path,
    me: &StaffMember,
    clock: Clock,
    after: Duration,
) -> anyhow::Result<f64> {
    let mut s = Screen::start(path, me, clock)?;
    s.act(Action::Resize(200, 60));
    s.term = Terminal::new(TestBackend::new(200, 60))?;
    let limit = Duration::from_secs(60);
    loop {
        let r = s.rx.recv_timeout(limit)?;
        if s.apply(r) {
            break;
        }
    }
    let until = Instant::now() + after;
    while let Ok(r) =
        s.rx.recv_timeout(until.saturating_duration_since(Instant::now()))
    {
        s.apply(r);
    }
    let t = Instant::now();
    s.act(Action::Open);
    s.draw();
    loop {
        let r = s.rx.recv_timeout(limit)?;
        let record = matches!(r, Reply::Detail(_));
        s.apply(r);
        if record {
            return Ok(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
}

/// `dutydesk bench --screens SECONDS`: a headless session in a process of its
/// own visits every screen (dashboard, a record, the review screen and each
/// series' agenda, the handover, the alerts, contacts, search, reports, the
/// queue's last row), then sits idle with its worker polling and its clock
/// ticking each second; prints "screens PEAK_MB IDLE_CPU_MS IDLE_MS".
pub fn screens(path: &Path, me: &StaffMember, clock: Clock, secs: u32) -> anyhow::Result<String> {
    let mut s = Screen::start(path, me, clock)?;
    let quiet = Duration::from_millis(400);
    s.settle(quiet);
    let series = s.app.ctx.desk.reviews.len();
    let mut visits = vec![Action::Open, Action::Back, Action::Reviews];
    visits.extend((0..series).map(|_| Action::NextSeries));
    visits.extend([
        Action::Bottom,
        Action::Back,
        Action::Handover,
        Action::Back,
        Action::ShowAlerts,
        Action::Back,
        Action::Contacts,
        Action::Back,
        Action::Search,
        Action::Back,
        Action::Reports,
        Action::Back,
        Action::Bottom,
        Action::Open,
        Action::Back,
    ]);
    for a in visits {
        s.act(a);
        s.draw();
        s.settle(quiet);
    }
    let peak = vm_hwm_mb().unwrap_or_else(|| peak_mb(false));
    let (t, cpu) = (Instant::now(), cpu_ms());
    while t.elapsed() < Duration::from_secs(u64::from(secs)) {
        let wait = Duration::from_secs(1).saturating_sub(Duration::from_nanos(
            t.elapsed().as_nanos() as u64 % 1_000_000_000,
        ));
        match s.rx.recv_timeout(wait) {
            Ok(r) => {
                s.apply(r);
            }
            Err(_) => {
                s.act(Action::Tick(clock.now()));
                s.draw();
            }
        }
    }
    Ok(format!(
        "screens {peak:.1} {:.1} {:.1}",
        cpu_ms() - cpu,
        t.elapsed().as_secs_f64() * 1000.0
    ))
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
    // Before any other child runs: the largest snapshot process.
    let snapshot_peak = peak_mb(true);

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
        // As the screen asks: counted from the end the selection is nearer.
        figs.push(fig(
            "query: position of the last case (kept)",
            time(runs, || {
                store::escalations::position(&store, viewer, now, id, Some(total))
            }),
            Some(5.0),
        ));
        // The worst place: the middle, half the queue on either side.
        let middle = store::escalations::open_page(&store, viewer, now, total / 2, 1)?
            .first()
            .map(|e| e.id);
        if let Some(mid) = middle {
            // Asked after the frame and answered on the side lane (its own
            // connection): no key and no refresh waits for it; the footer
            // says "… of N" until it comes. Counted from the queue's tally
            // (schema 19), so it costs what the middle of a short queue does.
            figs.push(fig(
                "query: position of the middle case (kept; side lane, after the frame)",
                time(runs, || {
                    store::escalations::position(&store, viewer, now, mid, None)
                }),
                Some(5.0),
            ));
        }
        if let Some(mid) = middle {
            figs.push(fig(
                "query: open escalations around the middle case (kept)",
                time(runs, || {
                    store::escalations::Queue::new(&store, viewer, now)
                        .and_then(|q| q.load(total / 2 - WINDOW / 2, WINDOW, Some(mid), total))
                }),
                Some(5.0),
            ));
        }
        if let Some(mid) = middle {
            // The whole dashboard as a refresh kept on the middle case asks
            // it (the window around the case, the deadlines, the banner...).
            figs.push(fig(
                "query: whole dashboard refresh kept on the middle case",
                time(runs, || {
                    worker::load_dashboard(
                        &store,
                        me,
                        now,
                        total / 2 - WINDOW / 2,
                        WINDOW,
                        Some(mid),
                        0,
                    )
                }),
                None,
            ));
        }
        figs.push(fig(
            "query: open escalations, last page",
            time(runs, || {
                store::escalations::open_window(
                    &store,
                    viewer,
                    now,
                    (total - WINDOW).max(0),
                    WINDOW,
                    Some(total),
                )
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
    // The alerts (issue 21). In full: every alert of the desk derived, as
    // `dutydesk alerts` and a session's first check do. Then as a session
    // does every 10 s and when `!` (or the user's own change) asks for the
    // open alerts: incremental from its last check, deriving again only
    // the cases touched or reached by a moment since (`alerts::since`).
    figs.push(fig(
        "query: open alerts in full (`dutydesk alerts`, a session's first check)",
        time(runs.min(10), || store::alerts::open_for(&store, me, now)),
        None,
    ));
    {
        use store::alerts::{Since, changes, open_for_since, since};
        let mut announced = std::collections::HashSet::new();
        let _ = worker::check_alerts(&mut store, me, now, &mut announced);
        let mut full = Vec::new();
        for _ in 0..runs.min(10) {
            let t = Instant::now();
            let _ = worker::check_alerts(&mut store, me, now, &mut announced);
            let _ = store::alerts::open_for(&store, me, now);
            full.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        figs.push(fig(
            "alert check after a change to the whole desk (full)",
            full,
            None,
        ));
        let previous = store::alerts::open_for(&store, me, now)?;
        let t0 = now.timestamp();
        let n = changes(store.conn())?;
        let mut claim_none = |_: &mut Store, list: Vec<_>| Ok(list);
        // One incremental check: what changed, the new alerts of the cases
        // named, the open alerts from the previous ones.
        let mut incremental = |store: &mut Store, last: i64, from: i64, to: i64| {
            let at = store::instant_pub(to);
            let s = since(store.conn(), last, from, to).unwrap_or(Since::Everything);
            let _ = worker::check_alerts_since(
                store,
                me,
                at,
                &mut announced.clone(),
                &s,
                &mut claim_none,
            );
            let _ = open_for_since(store, me, at, &previous, &s);
            s
        };
        // Another session changed one case: its row in `alert_touched`
        // moves past the counter this check last read.
        if let Some(case) = store::bench_open_case(store_conn(&store))? {
            let last = store::bench_touch(&mut store, &me.username, now, case)?;
            let mut samples = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let s = incremental(&mut store, last, t0, t0);
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                debug_assert!(matches!(s, Since::Among(_)));
            }
            figs.push(fig(
                "alert check after another session's change to one case",
                samples,
                Some(5.0),
            ));
        }
        // A deadline fell due (every few seconds on a desk this size).
        if let Some(due) = store::bench_next_due(store_conn(&store), t0)? {
            let n = changes(store.conn())?;
            figs.push(fig(
                "alert check, a deadline fell due",
                time(runs, || incremental(&mut store, n, due - 5, due + 5)),
                Some(5.0),
            ));
        }
        let n2 = changes(store.conn())?;
        figs.push(fig(
            "alert check, nothing changed (10 s passed)",
            time(runs, || since(store.conn(), n2, t0 - 10, t0)),
            Some(5.0),
        ));
        let _ = n;
    }
    figs.push(fig(
        "query: handover (changes since the last shift)",
        time(runs, || store::rota::handover_shown(&store, viewer, now)),
        Some(16.0),
    ));
    let series = store::reviews::summaries(&store, viewer, now)?;
    if let Some(longest) = series.iter().max_by_key(|a| a.total()) {
        figs.push(fig(
            format!("query: longest agenda's window ({} items)", longest.total()),
            time(runs, || {
                store::reviews::agenda_window(
                    &store,
                    &longest.code,
                    viewer,
                    now,
                    0,
                    store::reviews::AGENDA_WINDOW,
                )
            }),
            Some(16.0),
        ));
    }

    // 2b. The workbench (issue 18): search over every case, open and closed,
    // and a person's chronology, within the dashboard's budgets.
    {
        use crate::domain::search::{Filters, StatusFilter, parse};
        let conn = store_conn(&store);
        let (name, reference) = store::bench_probe(conn)?;
        let first = name.split_whitespace().next().unwrap_or("a").to_string();
        // As the screen asks: the 200 newest found, the first screenful
        // summarised for its first frame (the rest is measured below).
        let first_screen = store::workbench::SEARCH_FIRST;
        let q = |text: &str, f: Filters| {
            let query = parse(text);
            move |s: &Store| {
                store::search::find(store_conn(s), viewer, &query, &f, 200, first_screen)
                    .map(|x| x.hits.len())
            }
        };
        type Measure<'a> = Box<dyn Fn(&Store) -> store::Result<usize> + 'a>;
        let cases: Vec<(String, Measure)> = vec![
            (
                format!(
                    "query: search a first name ({first}), 200 newest, {first_screen} summarised"
                ),
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
        // The rest of the first name's 200 results, summarised straight
        // after the first frame: they must arrive before the next key.
        let query = parse(&first);
        let rest = store::search::find(
            store_conn(&store),
            viewer,
            &query,
            &Filters::default(),
            200,
            first_screen,
        )?
        .rest;
        figs.push(fig(
            format!(
                "query: the rest of a search's results ({} summarised after the first frame)",
                rest.len()
            ),
            time(runs, || {
                store::search::hits_of(store_conn(&store), viewer, &rest).map(|h| h.len())
            }),
            Some(16.0),
        ));
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
        let agenda = store::reviews::agenda_window(
            &store,
            &longest.code,
            viewer,
            now,
            0,
            store::reviews::AGENDA_WINDOW,
        )?;
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
        let items = agenda.total();
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

    // 4b. The keys issue 21 names, each as the screen runs it: the key, the
    // store requests it leads to and their answers, the frame.
    let clock = Clock::Fixed(now);
    let mut kapp = App::new(me.clone(), now, false, crate::tui::theme::Theme::dark());
    update(&mut kapp, Action::Resize(200, 60));
    update(&mut kapp, Action::DashboardLoaded(Box::new(data.clone())));
    update(&mut kapp, Action::ReviewsLoaded(series.clone()));
    let mut g = Vec::new();
    let mut kept = Vec::new();
    let mut rkey = Vec::new();
    let mut tab = Vec::new();
    for _ in 0..runs {
        key(&mut kapp, &mut term, &mut store, me, clock, Action::Top);
        g.push(key(
            &mut kapp,
            &mut term,
            &mut store,
            me,
            clock,
            Action::Bottom,
        ));
        // Another session's change with the selection on the last case:
        // where it stands now is found, and the window around it read.
        kept.push(key(
            &mut kapp,
            &mut term,
            &mut store,
            me,
            clock,
            Action::Changed,
        ));
        rkey.push(key(
            &mut kapp,
            &mut term,
            &mut store,
            me,
            clock,
            Action::Reviews,
        ));
        tab.push(key(
            &mut kapp,
            &mut term,
            &mut store,
            me,
            clock,
            Action::NextSeries,
        ));
        key(&mut kapp, &mut term, &mut store, me, clock, Action::Back);
    }
    figs.push(fig(
        "key to frame: G (the queue's last case)",
        g,
        Some(16.0),
    ));
    figs.push(fig(
        "key to frame: refresh kept on the last case",
        kept,
        Some(16.0),
    ));
    // The same with the selection on the queue's middle case: the window is
    // read around it by its key; its place (half the queue away from either
    // end) is counted after the frame on a long queue.
    let total_now = kapp.dashboard().queue.total;
    let mid_data =
        worker::load_dashboard(&store, me, now, total_now / 2 - WINDOW / 2, WINDOW, None, 0)?;
    update(&mut kapp, Action::DashboardLoaded(Box::new(mid_data)));
    if let Some(d) = kapp.layer_mut::<crate::tui::layers::dashboard::Dashboard>() {
        d.queue.select(total_now / 2);
    }
    let mut kept_mid = Vec::new();
    let mut placed_mid = Vec::new();
    for _ in 0..runs {
        kept_mid.push(key(
            &mut kapp,
            &mut term,
            &mut store,
            me,
            clock,
            Action::Changed,
        ));
        placed_mid.extend(place_counted(&mut kapp, &mut store, me, clock));
    }
    figs.push(fig(
        "key to frame: refresh kept on the middle case",
        kept_mid,
        Some(16.0),
    ));
    if !placed_mid.is_empty() {
        figs.push(fig(
            "its place counted after the frame (middle case)",
            placed_mid,
            Some(16.0),
        ));
    }
    figs.push(fig("key to frame: R (review screen)", rkey, Some(16.0)));
    figs.push(fig("key to frame: Tab (next series)", tab, Some(16.0)));
    // Enter as soon as the dashboard shows, on a real session: its store
    // worker started as the screen starts it, with the dashboard, the
    // review counts and the handover asked for at once (the last two, and
    // the alert check, on its side lane). Enter is sent the moment the
    // first dashboard is drawn, while the start's side reads are still
    // running, and timed until the record's frame is drawn; every other
    // answer arriving meanwhile is applied and drawn, as the screen would.
    // Then once more with Enter sent 300 ms after the dashboard, while the
    // first alert check (a full one) runs.
    let mut enter = Vec::new();
    let mut during = Vec::new();
    for _ in 0..runs.min(10) {
        enter.push(enter_after_start(path, me, clock, Duration::ZERO)?);
        during.push(enter_after_start(
            path,
            me,
            clock,
            Duration::from_millis(300),
        )?);
    }
    figs.push(fig(
        "key to frame: Enter straight after start",
        enter,
        Some(16.0),
    ));
    figs.push(fig(
        "key to frame: Enter during the first alert check",
        during,
        Some(16.0),
    ));

    // 5. A commit in one session until another session's screen has drawn
    // it: a real second session (its own connection and store worker,
    // polling every 250 ms) whose dashboard reloads and redraws; each commit
    // lands at a random phase of its poll. With its selection at the top,
    // then on the queue's last case (kept there as the list changes).
    let mut other = Screen::start(path, me, clock)?;
    other.settle(Duration::from_millis(500));
    for (label, bottom) in [("top", false), ("last case", true)] {
        if bottom {
            other.act(Action::Bottom);
            other.settle(Duration::from_millis(500));
        }
        let mut cross = Vec::new();
        for i in 0..runs.min(12) {
            std::thread::sleep(random_phase(i));
            let t = Instant::now();
            store.write(&me.username, now, |wr| {
                wr.audit("bench", "database", None, Some(&format!("commit {i}")))
            })?;
            if let Some(drawn) = other.redrawn(Duration::from_secs(5)) {
                cross.push((drawn - t).as_secs_f64() * 1000.0);
            }
            other.settle(Duration::from_millis(30));
        }
        figs.push(fig(
            format!("commit to another screen's redraw (selection: {label})"),
            cross,
            Some(500.0),
        ));
    }
    drop(other);

    for f in &figs {
        out.push(f.line());
    }

    // 6. Memory and idle CPU: a headless session in a process of its own
    // visits every screen, then sits idle with its worker polling.
    // Ten seconds always: the alert check runs every 10 s, so a shorter
    // window holds one or none by chance (0.1–0.9 % for the same session).
    let idle = 10;
    let o = std::process::Command::new(&exe)
        .args(["bench", "--screens", &idle.to_string(), "--db"])
        .arg(path)
        .env("DUTYDESK_USER", &me.username)
        .output()?;
    let text = String::from_utf8_lossy(&o.stdout);
    let parts: Vec<f64> = text
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if let [peak, cpu, wall] = parts[..] {
        out.push(verdict_line(
            "peak memory: TUI after every screen",
            peak,
            "MB",
            50.0,
        ));
        out.push(verdict_line(
            &format!("idle CPU of an open dashboard ({idle} s)"),
            cpu / wall * 100.0,
            "%",
            0.5,
        ));
    } else {
        out.push(format!(
            "headless session failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    out.push(verdict_line(
        "peak memory: snapshot process",
        snapshot_peak,
        "MB",
        50.0,
    ));
    // Every listing command over the whole desk, in a process of its own,
    // its output thrown away: each must stay within 50 MB however much it
    // writes (issue 21: bounded memory whatever the size of the output).
    let decade_ago = (crate::domain::calendar::local(now).date_naive()
        - chrono::Duration::days(3650))
    .format("%Y-%m-%d")
    .to_string();
    let today = crate::domain::calendar::local(now)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list", "--status", "all"],
        vec!["list", "--status", "all", "--json"],
        vec!["list", "--json"],
        vec!["deadlines", "--all", "--json"],
        vec!["reviews", "--json"],
        vec!["alerts", "--json"],
        vec!["handover", "--json"],
        vec!["audit", "--json"],
        vec!["search", "--limit", "10000", "--json", "a"],
        vec!["report", "--json", "--from", &decade_ago, "--to", &today],
    ];
    for args in commands {
        let label = format!("peak memory: `{}`", args.join(" "));
        match child_peak(&exe, path, &me.username, &args) {
            Ok(mb) => out.push(verdict_line(&label, mb, "MB", 50.0)),
            Err(e) => out.push(format!("{label}: could not run: {e}")),
        }
    }
    out.push(format!(
        "{:<44} {:>9.1} MB (the bench itself: every measure above, no budget)",
        "peak memory: this process",
        vm_hwm_mb().unwrap_or_else(|| peak_mb(false))
    ));

    // 7. The floor: exactly the SQL the first frame runs (traced on an
    // in-process replica of `snapshot`, values bound), run by the same
    // bundled SQLite on a bare connection. No `sqlite3` shell of this
    // SQLite version is at hand (the system's is older), so the floor is
    // measured in-process.
    let traced = first_frame_sql(path, me, now)?;
    let floor = time(runs, || {
        let c =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open");
        // The queue's hidden ids are bound as `rarray(:hidden)`: a traced
        // statement shows the list as NULL, which reads as no ids (the same
        // work for a viewer who may see every open case).
        rusqlite::vtab::array::load_module(&c).expect("rarray");
        for sql in &traced {
            let mut stmt = c.prepare(sql).expect("prepare");
            let n = stmt.column_count();
            let mut rows = stmt.query([]).expect("query");
            while let Ok(Some(r)) = rows.next() {
                for i in 0..n {
                    let _ = std::hint::black_box(r.get_ref(i));
                }
            }
        }
    });
    let f = fig(
        format!(
            "floor: the first frame's {} statements, bare SQLite {}",
            traced.len(),
            rusqlite::version()
        ),
        floor,
        None,
    );
    let ratio = figs[0].stat(0.5) / f.stat(0.5);
    out.push(f.line());
    out.push(format!(
        "{:<44} {:>9.1}× the floor (a process started, the store opened, drawn)",
        "snapshot ÷ floor", ratio
    ));

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

/// Every statement the first frame runs, with its values bound: the
/// dashboard load of `snapshot`, traced on its connection.
fn first_frame_sql(
    path: &Path,
    me: &StaffMember,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut st = store::open(path, Create::No)?;
    let into = seen.clone();
    st.conn_mut().trace_v2(
        rusqlite::trace::TraceEventCodes::SQLITE_TRACE_PROFILE,
        Some(move |e: rusqlite::trace::TraceEvent<'_>| {
            if let rusqlite::trace::TraceEvent::Profile(stmt, _) = e
                && let Some(sql) = stmt.expanded_sql()
                && let Ok(mut v) = into.lock()
            {
                v.push(sql);
            }
        }),
    )?;
    let data = worker::load_dashboard(&st, me, now, 0, WINDOW, None, 0)?;
    std::hint::black_box(data);
    st.conn_mut().trace_v2(
        rusqlite::trace::TraceEventCodes::empty(),
        None::<fn(rusqlite::trace::TraceEvent<'_>)>,
    )?;
    let v = seen.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(v)
}

fn store_conn(s: &Store) -> &rusqlite::Connection {
    s.conn()
}
