//! The threads that own the database connections. The screen sends requests
//! and never waits: answers come back as messages, and a locked database shows
//! up as a status line, not a frozen terminal.
//!
//! Two lanes (issue 21), each a thread with its own connection:
//!
//! - the **user lane** answers what a key asks for (the queue, a record,
//!   every change and its audit row) and polls `PRAGMA data_version` to
//!   notice other sessions' commits;
//! - the **side lane** answers the reads the screen makes around the user
//!   ([`Request::is_side`]: the review strip's counts, the open alerts, the
//!   start's handover) and runs the 10-second alert check.
//!
//! So a key pressed straight after start, or while the alert check derives
//! a busy desk's alerts, is answered at once, not after them. Each lane
//! answers in the order asked; a kind of request always goes to the same
//! lane, so answers of one kind never overtake each other, and the open
//! alerts and the alert check (which both send [`Reply::OpenAlerts`]) share
//! one lane. If the second connection cannot be opened, the user lane does
//! everything, as before.

use super::alerts::Since;
use super::escalations::{self, Viewer};
use super::{Result, Store, deadlines, notices};
use crate::clock::Clock;
use crate::domain::alert::Alert;
use crate::domain::deadline::Deadline;
use crate::domain::escalation::{EscalationDetail, EscalationSummary};
use crate::domain::staff::StaffMember;
use chrono::{DateTime, Utc};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often other sessions' commits are looked for.
pub const POLL: Duration = Duration::from_millis(250);

/// How often deadlines are checked for alerts. Countdowns tick on the screen
/// every second without asking the database; this is only for announcing.
pub const ALERT_EVERY: Duration = Duration::from_secs(10);

/// What the screen asks of the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// A window of the open queue; with `keep`, the window moves to wherever
    /// that escalation now stands, so the selection stays on it.
    /// The deadlines panel's window starts at `deadlines_offset`.
    Dashboard {
        offset: i64,
        limit: i64,
        keep: Option<i64>,
        deadlines_offset: i64,
    },
    /// Where escalation `id` stands in the open queue, asked by the screen
    /// after drawing a window read around it whose place was not counted
    /// (`DashboardData::kept_row`); counted from the queue's end when
    /// `near_end`. Answered by [`Reply::Position`], on the side lane: at
    /// 137,000 open a place far from both ends is counted over ~70,000
    /// index entries (~10 ms), which no key should wait behind.
    Position { id: i64, near_end: bool },
    /// Which of `ids` (the rows of a paused dashboard) the user may still
    /// see, after another session's change: answered by
    /// [`Reply::VisibleAmong`], so a paused list drops a case restricted
    /// or hidden from them at once instead of keeping it until resumed.
    VisibleAmong { ids: Vec<i64> },
    /// One escalation's record (audited as a view).
    Detail { id: i64 },
    /// The record again if its version or number of chronology entries is
    /// no longer as shown (audited as a view when it is loaded; see
    /// [`escalations::stamp`]); else [`Reply::Unchanged`]. An open record
    /// follows other sessions' changes without an audit row per poll.
    Refresh { id: i64, version: i64, entries: i64 },
    /// Mark a deadline met, with an optional note.
    Meet { id: i64, note: String },
    /// Waive a deadline with a reason.
    Waive { id: i64, reason: String },
    /// A verb on an escalation, against the version the user saw.
    Act {
        id: i64,
        version: Option<i64>,
        verb: Verb,
    },
    /// Record a new escalation (the intake form).
    Create {
        escalation: Box<super::escalations::NewEscalation>,
        called_999: bool,
        summary: String,
        /// For an allegation about staff: whether the person uses this desk.
        about: crate::domain::names::About,
    },
    /// Who an escalation can be assigned to, on-duty DSL first.
    Assignable,
    /// A report for whole UK days [from, to], against the period before.
    Report {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    /// Every review series' next meeting and how many items its agenda holds.
    Reviews,
    /// One series' whole next agenda, for the review screen.
    Agenda { series: String },
    /// The window of that agenda from item `offset` (the review screen
    /// scrolled past the items loaded).
    AgendaAt { series: String, offset: usize },
    /// Who is on duty, and what the incoming DSL needs to know.
    Handover,
    /// The user goes on duty now.
    TakeOver,
    /// A note for whoever takes over next.
    HandoverNote { text: String },
    /// Put an escalation on a series' next agenda.
    AddReview {
        id: i64,
        series: String,
        reason: String,
    },
    /// Contacts by search and filters, answered for now.
    Contacts {
        query: String,
        route: Option<String>,
        area: Option<String>,
    },
    /// Contacts for an escalation: its area, its suggested routes.
    LookUp { id: i64 },
    /// Add (`id` None) or change a contact.
    SaveContact {
        id: Option<i64>,
        input: Box<super::contacts::ContactInput>,
    },
    /// What the refer form offers for an escalation: routes that fit, and
    /// the contacts for them with whether each is open now.
    ReferOptions { id: i64 },
    /// Who may see an escalation now (senior leads), for the access form.
    AccessLists { id: i64 },
    /// Every open alert the user may know of (the alerts screen and the
    /// banner: [`super::alerts::open_for`]).
    OpenAlerts,
    /// Acknowledge the open alerts of escalation `id` without taking it
    /// (`None`: "nobody on duty"); they stop for everyone.
    AcknowledgeAlerts { id: Option<i64> },
    /// The organisation's areas, for the intake form's checks.
    Areas,
    /// Record a series' next meeting as held, with who attended.
    HoldReview { series: String, attendees: String },
    /// Items of a series' held meetings (the latest first), for decisions.
    HeldItems { series: String },
    /// The discussion and decision on a held item, and an action if agreed
    /// (description, owner's account, due date).
    RecordReview {
        item: i64,
        discussion: String,
        decision: String,
        action: Option<(String, String, chrono::NaiveDate)>,
    },
    /// The workbench (issue 18): search, a person's chronology, sign-offs,
    /// corrections, tasks, attachments, exports (`store::workbench`).
    Work(super::workbench::WorkRequest),
    /// A read the screen makes for itself, not for a key (the start's
    /// handover), answered on the side lane like the strip's: the same
    /// request asked by a key (`H`) is answered on the user lane at once.
    /// Only the side reads may be wrapped ([`Request::is_side_read`]);
    /// anything else is refused.
    Side(Box<Request>),
}

impl Request {
    /// Whether the side lane answers it: the reads the screen makes around
    /// the user, whose answers fill a strip (the review counts) or the
    /// footer (a kept case's place in the queue), the open alerts (which
    /// share that lane with the alert check, whose answers they must not
    /// overtake), and any side read the screen asks for
    /// itself ([`Request::Side`]: the start's handover). They run on the
    /// second connection, so they never delay a key's own request.
    pub fn is_side(&self) -> bool {
        matches!(
            self,
            Request::Reviews | Request::OpenAlerts | Request::Position { .. } | Request::Side(_)
        )
    }

    /// The reads the side lane may answer when asked through
    /// [`Request::Side`]: none writes.
    pub fn is_side_read(&self) -> bool {
        matches!(
            self,
            Request::Reviews | Request::Handover | Request::OpenAlerts | Request::Position { .. }
        )
    }
}

/// How many items of held meetings the review screen lists (the latest
/// meetings first): decisions are recorded on recent meetings.
pub const HELD_ITEMS: i64 = 500;

/// The refer form's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferOptions {
    pub id: i64,
    pub suggestions: Vec<crate::domain::routing::Suggestion>,
    pub contacts: Vec<(String, crate::domain::contact::Answer)>,
    /// Things to check before ringing (e.g. where a member of staff works
    /// is not recorded): [`super::routes::Options::notes`].
    pub notes: Vec<String>,
    /// The form may offer "the adult has now consented" to an NRM referral
    /// ([`super::routes::Options::may_confirm_consent`]).
    pub may_confirm_consent: bool,
}

/// The desk's verbs, as the dashboard asks for them.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    /// "I have this" on a case nobody else holds.
    Acknowledge,
    /// "I have this" on a case someone else holds: the user was asked first;
    /// the previous holder is told.
    Take,
    /// Give to this account. The dashboard's user saw the holder in the
    /// version they act on, so a held case is taken (the holder is told).
    Assign(String),
    Note(String),
    Refer(super::workflow::Referral),
    /// Close with an outcome, a rationale and a choice for every open
    /// deadline (keep, met, waive with a reason): without one for each, the
    /// refusal lists them (`domain::deadline::plan_closure`).
    Close {
        outcome: String,
        rationale: String,
        choices: Vec<crate::domain::deadline::ClosureChoice>,
    },
    Signoff {
        approve: bool,
        reason: String,
    },
    Reopen(String),
    /// Link to another escalation about the same person.
    Link(i64),
    /// An event happened (a strategy discussion held...), with a note.
    Event {
        event: String,
        note: String,
    },
    /// A senior lead changes who may see it.
    Access(super::workflow::AccessChange),
    /// The receiving agency's decision on a referral (a code of its route:
    /// `store::workflow::outcome_codes`); `removed` for a LADO allegation
    /// whose subject was removed from regulated activity (the DBS duty).
    Outcome {
        referral: super::workflow::ReferralPick,
        code: String,
        note: String,
        removed: bool,
    },
    /// A 999 call made (at `at`, default now) for a case saved without one.
    Called999 {
        at: Option<DateTime<Utc>>,
        note: String,
    },
    /// Known FGM reported to the police by the professional who discovered
    /// it, with the police reference.
    FgmReported {
        by: String,
        police_reference: String,
        at: Option<DateTime<Utc>>,
    },
    /// An event held at a given time (`Event` is held now).
    EventAt {
        event: String,
        note: String,
        held: DateTime<Utc>,
    },
}

/// What the store answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Dashboard(Box<DashboardData>),
    Detail(Box<EscalationDetail>),
    /// Another session committed: reload what is on screen.
    Changed,
    /// A change was saved; the text says what.
    Saved(String),
    /// Alerts this user has not had before.
    Alerts(Vec<Alert>),
    /// Staff an escalation can be assigned to.
    Assignable(Vec<StaffMember>),
    /// A new escalation was recorded; earlier ones may be about the same person.
    Created {
        message: String,
        id: i64,
        reference: String,
        matches: Vec<escalations::Match>,
    },
    ReferOptions(Box<ReferOptions>),
    Report(Box<crate::domain::report::Report>),
    Reviews(Vec<crate::domain::review::Agenda>),
    Agenda(Box<crate::domain::review::Agenda>),
    Handover(Box<super::rota::Handover>),
    /// Contacts answering a search, and every contact (id, label) for the
    /// form's fallback list.
    Contacts(Vec<crate::domain::contact::Answer>, Vec<(i64, String)>),
    /// Who may see an escalation, for the access form.
    AccessLists(Box<super::workflow::AccessLists>),
    /// Every open alert the user may know of, most urgent first.
    OpenAlerts(crate::domain::paging::AlertList),
    /// The organisation's areas (with their other names).
    Areas(Vec<crate::domain::area::Area>),
    /// Items of a series' held meetings.
    HeldItems(String, Vec<super::reviews::HeldItem>),
    /// A workbench answer (`store::workbench`).
    Work(Box<super::workbench::WorkReply>),
    /// A request failed; the text is for the status line.
    Error(String),
    /// A change refused because another session changed the escalation
    /// since it was read ([`super::StoreError::Conflict`]): who and when.
    Conflict(String),
    /// The record asked for by [`Request::Refresh`] has not changed.
    Unchanged(i64),
    /// The case on screen (a record or a person's chronology, by the id it
    /// was opened from) is no longer one this user may see: restricted, or
    /// the user excluded, since it was opened. Whatever shows it closes.
    Hidden(i64),
    /// Of the ids asked for ([`Request::VisibleAmong`]), those the user may
    /// still see. Every layer hears it and takes off the ones asked that are
    /// not visible, so one layer's answer never removes another's rows.
    VisibleAmong {
        asked: Vec<i64>,
        visible: Vec<i64>,
    },
    /// Where escalation `id` stands in the open queue (0-based), if it is
    /// still open and visible ([`Request::Position`]).
    Position {
        id: i64,
        at: Option<i64>,
    },
    /// The user's staff row changed under an open dashboard (deactivated,
    /// or given another role): nothing more is shown or done in this
    /// session; the text says why and what to do.
    Revoked(String),
}

/// Everything the dashboard shows that comes from the database.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardData {
    pub org: String,
    pub on_duty: Option<String>,
    pub total: i64,
    pub offset: i64,
    pub rows: Vec<EscalationSummary>,
    /// Queue position of the `keep` escalation, if it is still open and
    /// its place was counted.
    pub kept_at: Option<i64>,
    /// Where the `keep` escalation is in `rows`, when the window was read
    /// around it (`escalations::Queue::load`). With `kept_at` unset its
    /// absolute place was not counted (a long queue, the case far from both
    /// ends): `offset` means nothing, the screen keeps the case where it was
    /// and asks [`Request::Position`] after drawing.
    pub kept_row: Option<usize>,
    /// Open deadlines visible to this user, and a window of them, soonest first.
    pub deadlines_total: i64,
    pub deadlines_offset: i64,
    pub deadlines: Vec<Deadline>,
    /// How the organisation's working-day deadlines end (its LADO referral
    /// rule's counting; each rule chooses its own), for help.
    pub counting: crate::domain::calendar::Counting,
    /// Last year of known bank holidays, for help.
    pub holidays_through: Option<i32>,
    /// Open escalations nobody has acknowledged: how many, and the oldest few.
    pub unacked_total: i64,
    pub unacked: Vec<EscalationSummary>,
    /// The acknowledgement window (setting `ack_minutes`).
    pub ack_minutes: u32,
    /// The organisation's categories (code, label) and closing outcomes, for forms.
    pub categories: Vec<(String, String)>,
    pub outcomes: Vec<String>,
    /// Events the deadline rules wait for (e.g. "strategy_discussion").
    pub events: Vec<String>,
    /// Every account (intake asks whether an allegation's subject is one).
    pub staff: Vec<StaffMember>,
    /// Closures waiting for this user's sign-off (the header's count).
    pub signoff_waiting: i64,
}

/// Loads the dashboard; the worker and `dutydesk snapshot` both use it.
#[allow(clippy::too_many_arguments)]
pub fn load_dashboard(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
    keep: Option<i64>,
    deadlines_offset: i64,
) -> Result<DashboardData> {
    let viewer = Viewer::from(me);
    let queue = escalations::Queue::new(store, viewer, now)?;
    let total = queue.count()?;
    let placed = queue.load(offset, limit, keep, total)?;
    let deadlines_total = deadlines::open_count(store, viewer)?;
    let deadlines_offset = deadlines_offset.clamp(0, (deadlines_total - limit).max(0));
    let (unacked_total, unacked) = escalations::unacknowledged(store, viewer, 5)?;
    Ok(DashboardData {
        categories: escalations::categories(store.conn())?,
        outcomes: super::workflow::outcomes(store.conn())?,
        events: super::workflow::events(store.conn())?,
        staff: super::staff::list(store)?,
        unacked_total,
        unacked,
        ack_minutes: notices::ack_minutes(store.conn())?,
        counting: deadlines::rules(store.conn())?
            .into_iter()
            .find(|r| r.code == "lado_referral")
            .map_or(crate::domain::calendar::Counting::EndOfWorkingDay, |r| {
                r.counting
            }),
        holidays_through: deadlines::known_through(store.conn())?,
        deadlines_total,
        deadlines_offset,
        deadlines: deadlines::open_page(store, viewer, deadlines_offset, limit)?,
        org: super::settings::org_name(store)?,
        on_duty: super::staff::on_duty(store, now.timestamp())?.map(|s| s.display_name),
        total,
        offset: placed.offset,
        rows: placed.rows,
        kept_at: placed.kept_at,
        kept_row: placed.kept_row,
        signoff_waiting: super::search::signoff_waiting(store, viewer)?,
    })
}

/// Loads one escalation and records the view in the audit trail, in that
/// order: a record that cannot be audited is not shown.
pub fn load_detail(
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    id: i64,
) -> Result<EscalationDetail> {
    let Some(d) = escalations::detail(store, Viewer::from(me), id)? else {
        return Err(super::StoreError::NotVisible(
            super::access::BY_NUMBER.into(),
        ));
    };
    if store.read_only() {
        return Err(super::StoreError::Refused(
            "read-only database: records cannot be opened because the view cannot be audited"
                .into(),
        ));
    }
    store.write(&me.username, now, |w| {
        escalations::record_view(w, id, &d.summary.reference)
    })?;
    Ok(d)
}

/// Handle on the worker's threads (the user lane and the side lane).
/// Dropping it stops both.
pub struct Worker {
    tx: Option<Sender<Job>>,
    /// The side lane's queue; `None` when its connection could not be
    /// opened (the user lane then answers everything).
    side: Option<Sender<Request>>,
    /// The side lane's way into the user lane's queue (its claims), taken
    /// away when the worker is dropped so the user lane can end.
    claims: Claims,
    /// The user lane's thread, joined on drop (a change in its queue is
    /// finished first). The side lane is not joined: it only reads, and a
    /// full alert check in flight (seconds on a busy desk) must not hold up
    /// quitting.
    user: Option<JoinHandle<()>>,
}

/// Where the side lane sends its claims: the user lane's queue while the
/// worker lives.
type Claims = Arc<Mutex<Option<Sender<Job>>>>;

/// What the user lane's queue carries: the screen's requests, and the side
/// lane's claims of the alerts its check found, answered on `back` (the
/// side lane waits for the answer, so a claim that fails is tried again as
/// before; see [`Claim`]).
enum Job {
    Request(Request),
    Claim {
        alerts: Vec<Alert>,
        now: DateTime<Utc>,
        back: Sender<Result<Vec<Alert>>>,
    },
}

/// Why the session was revoked, once it is: set by the user lane (which
/// notices it on a poll), read by both before answering anything.
type Gone = Arc<Mutex<Option<String>>>;

fn gone_why(gone: &Gone) -> Option<String> {
    gone.lock()
        .map(|g| g.clone())
        .unwrap_or_else(|p| p.into_inner().clone())
}

impl Worker {
    /// Starts the threads. `out` delivers replies (from either lane); it
    /// returns false once nobody is listening, which stops them.
    pub fn spawn(
        store: Store,
        me: StaffMember,
        clock: Clock,
        out: impl Fn(Reply) -> bool + Send + Sync + 'static,
    ) -> Worker {
        let out = Arc::new(out);
        let gone: Gone = Arc::new(Mutex::new(None));
        let (tx, rx) = channel::<Job>();
        let claims: Claims = Arc::new(Mutex::new(Some(tx.clone())));
        let side = match store.sibling() {
            Ok(side_store) => {
                let (side_tx, side_rx) = channel();
                let (me, out, gone, user) = (me.clone(), out.clone(), gone.clone(), claims.clone());
                // Not joined (see `Worker::user`): it ends when its queue
                // or the screen goes.
                std::thread::Builder::new()
                    .name("store-side".into())
                    .spawn(move || run_side(side_store, me, clock, side_rx, &*out, &gone, &user))
                    .expect("spawn store side thread");
                Some(side_tx)
            }
            Err(_) => None,
        };
        let alerts_here = side.is_none();
        let h = std::thread::Builder::new()
            .name("store".into())
            .spawn(move || run(store, me, clock, rx, &*out, &gone, alerts_here))
            .expect("spawn store thread");
        Worker {
            tx: Some(tx),
            side,
            claims,
            user: Some(h),
        }
    }

    /// Queues a request on its lane ([`Request::is_side`]); never blocks.
    pub fn send(&self, req: Request) {
        match (&self.side, &self.tx) {
            (Some(side), _) if req.is_side() => {
                let _ = side.send(req);
            }
            (_, Some(tx)) => {
                let _ = tx.send(Job::Request(req));
            }
            _ => {}
        }
    }
}

impl Drop for Worker {
    /// Both queues close; the user lane finishes what is in its queue (a
    /// change asked for just before quitting is saved) and is joined; the
    /// side lane ends on its own, at once if idle, else after the read in
    /// hand, whose answer goes nowhere.
    fn drop(&mut self) {
        self.side.take();
        if let Ok(mut c) = self.claims.lock() {
            c.take();
        }
        self.tx.take();
        if let Some(h) = self.user.take() {
            let _ = h.join();
        }
    }
}

/// Answers one request as the worker does (a failure becomes
/// [`Reply::Error`]): the event loop's worker and the tests both use it.
pub fn respond(store: &mut Store, me: &StaffMember, clock: Clock, req: Request) -> Reply {
    match handle(store, me, clock, req) {
        Ok(r) => r,
        Err(e @ super::StoreError::Conflict(..)) => Reply::Conflict(e.to_string()),
        Err(e) => Reply::Error(e.to_string()),
    }
}

/// Why `me` may no longer use this session, if their staff row has changed
/// since it began: deactivated, removed, or given another role (whose need
/// to know differs). Checked on every poll that sees another session's
/// commit, so a deactivated user's open dashboard stops showing records
/// within [`POLL`]. The words name no record.
pub fn revoked(store: &Store, me: &StaffMember) -> Result<Option<String>> {
    Ok(match super::staff::find(store, &me.username)? {
        Some(s) if s.active && s.role == me.role => None,
        Some(s) if s.active => Some(format!(
            "Your role on this desk changed to {}: records are hidden. Quit and start dutydesk again to work in the new role.",
            s.role.label()
        )),
        _ => Some(
            "Your account is no longer active on this desk: records are hidden. Ask a senior lead if this is wrong."
                .into(),
        ),
    })
}

/// The user lane: answers requests in order, polls for other sessions'
/// commits every [`POLL`], and (only when there is no side lane) runs the
/// alert check.
fn run(
    mut store: Store,
    me: StaffMember,
    clock: Clock,
    rx: Receiver<Job>,
    out: &dyn Fn(Reply) -> bool,
    gone: &Gone,
    alerts_here: bool,
) {
    let mut seen = store.data_version().ok();
    let mut last_poll = Instant::now();
    let mut alerts = AlertCheck::after(Duration::ZERO);
    loop {
        let wait = POLL.saturating_sub(last_poll.elapsed());
        match rx.recv_timeout(wait) {
            Ok(Job::Request(req)) => {
                let reply = match gone_why(gone) {
                    Some(why) => Reply::Revoked(why),
                    None => respond(&mut store, &me, clock, req),
                };
                if !out(reply) {
                    return;
                }
            }
            // The side lane's claim, written on this connection: its commit
            // is this connection's own, so no poll takes it for another
            // session's change. It does not wait for another session's
            // lock, so a key's request never waits behind it.
            Ok(Job::Claim { alerts, now, back }) => {
                let claimed = store.at_once(|s| notices::claim(s, &me, now, alerts));
                let _ = back.send(claimed);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let revoked_already = gone_why(gone).is_some();
        if revoked_already {
            continue;
        }
        if alerts_here
            && alerts.due()
            && !alerts.run(
                &mut store,
                &me,
                clock,
                out,
                &mut |s, list| notices::claim(s, &me, clock.now(), list),
                false,
            )
        {
            return;
        }
        if last_poll.elapsed() >= POLL {
            last_poll = Instant::now();
            let now_seen = store.data_version().ok();
            if now_seen.is_some() && now_seen != seen {
                // Someone else committed: perhaps a change to this user. A
                // check that fails (a moment's lock) is tried again at the
                // next poll, before anything is reloaded.
                let Ok(why) = revoked(&store, &me) else {
                    continue;
                };
                seen = now_seen;
                let reply = match why {
                    Some(why) => {
                        if let Ok(mut g) = gone.lock() {
                            *g = Some(why.clone());
                        }
                        Reply::Revoked(why)
                    }
                    None => Reply::Changed,
                };
                if !out(reply) {
                    return;
                }
            }
        }
    }
}

/// The side lane: answers its requests in order, before anything else, and
/// runs the alert check every [`ALERT_EVERY`] when none is waiting.
fn run_side(
    mut store: Store,
    me: StaffMember,
    clock: Clock,
    rx: Receiver<Request>,
    out: &dyn Fn(Reply) -> bool,
    gone: &Gone,
    claims: &Claims,
) {
    let mut alerts = AlertCheck::after(FIRST_CHECK);
    // The alerts found are claimed by the user lane (this lane only reads).
    let mut claim = |_: &mut Store, alerts: Vec<Alert>| -> Result<Vec<Alert>> {
        if alerts.is_empty() {
            return Ok(alerts);
        }
        let (back, answer) = channel();
        let gone_away = || super::StoreError::Refused("the session is ending".into());
        let user = claims
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(gone_away)?;
        user.send(Job::Claim {
            alerts,
            now: clock.now(),
            back,
        })
        .map_err(|_| gone_away())?;
        answer.recv().map_err(|_| gone_away())?
    };
    loop {
        // Requests waiting are answered first; the check runs when none is.
        let req = match rx.try_recv() {
            Ok(req) => Some(req),
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) if alerts.due() => None,
            Err(TryRecvError::Empty) => match rx.recv_timeout(alerts.wait()) {
                Ok(req) => Some(req),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        let why = gone_why(gone);
        if let Some(req) = req {
            let reply = match (why, req) {
                (Some(why), _) => Reply::Revoked(why),
                // The open alerts (`!`, and the banner after the user's own
                // change): the alert check run now, incremental from its
                // last run, answers them (and announces anything new).
                (None, Request::OpenAlerts) => {
                    if !alerts.run(&mut store, &me, clock, out, &mut claim, true) {
                        return;
                    }
                    continue;
                }
                (None, req) => respond(&mut store, &me, clock, req),
            };
            if !out(reply) {
                return;
            }
            continue;
        }
        if why.is_none()
            && alerts.due()
            && !alerts.run(&mut store, &me, clock, out, &mut claim, false)
        {
            return;
        }
    }
}

/// The 10-second alert check's memory between runs.
struct AlertCheck {
    /// When the next check is due. The first runs straight after start, so
    /// a user logging in hears what is due; on the side lane it waits
    /// [`FIRST_CHECK`] for the start's own side reads to be asked first.
    next: Instant,
    /// On a read-only database alerts cannot be remembered in it; remember
    /// them for this session at least.
    announced: std::collections::HashSet<(crate::domain::alert::AlertKind, i64)>,
    /// The open alerts last sent: sent again only when they change (the
    /// banner and the alerts screen follow them; time alone opens alerts).
    open_sent: Option<crate::domain::paging::AlertList>,
    /// The alert change counter and the moment (UTC seconds) of the last
    /// alert check that found nothing left to look at.
    checked: Option<(i64, i64)>,
    /// Checks in a row whose claim met another session's lock.
    locked: u32,
}

/// How long the side lane waits after start before its first alert check,
/// so the start's review counts and handover (asked for as the terminal is
/// set up) are answered before it.
const FIRST_CHECK: Duration = Duration::from_millis(200);

impl AlertCheck {
    /// A check first due after `first`.
    fn after(first: Duration) -> AlertCheck {
        AlertCheck {
            next: Instant::now() + first,
            announced: Default::default(),
            open_sent: None,
            checked: None,
            locked: 0,
        }
    }

    fn due(&self) -> bool {
        Instant::now() >= self.next
    }

    /// How long until the next check is due.
    fn wait(&self) -> Duration {
        self.next.saturating_duration_since(Instant::now())
    }

    /// Runs the check; false when the screen has gone (stop the lane).
    /// With `answer` (the screen asked for the open alerts) they are sent
    /// whether or not they changed.
    fn run(
        &mut self,
        store: &mut Store,
        me: &StaffMember,
        clock: Clock,
        out: &dyn Fn(Reply) -> bool,
        claim: &mut Claim<'_>,
        answer: bool,
    ) -> bool {
        self.next = Instant::now() + ALERT_EVERY;
        let now = clock.now();
        // Incremental (issue 21): only the alerts of the cases touched, or
        // reached by a moment, since the last check are derived again;
        // every alert only after a change to the whole desk's (or the
        // first time). Read before deriving: a change made meanwhile moves
        // the counter past this and is looked at next time.
        let stamp = super::alerts::changes(store.conn()).ok();
        let since = match (self.checked, stamp) {
            (Some((n, at)), Some(_)) => super::alerts::since(store.conn(), n, at, now.timestamp())
                .unwrap_or(Since::Everything),
            _ => Since::Everything,
        };
        if since == Since::Nothing && !answer {
            self.checked = stamp.map(|n| (n, now.timestamp()));
            return true;
        }
        match alert_check(self, store, me, now, &since, answer, out, claim) {
            None => false,
            // A check that failed is tried again in full.
            Some(ok) => {
                self.checked = stamp.filter(|_| ok).map(|n| (n, now.timestamp()));
                true
            }
        }
    }
}

fn handle(store: &mut Store, me: &StaffMember, clock: Clock, req: Request) -> Result<Reply> {
    let now = clock.now();
    Ok(match req {
        Request::Dashboard {
            offset,
            limit,
            keep,
            deadlines_offset,
        } => Reply::Dashboard(Box::new(load_dashboard(
            store,
            me,
            now,
            offset,
            limit,
            keep,
            deadlines_offset,
        )?)),
        Request::Position { id, near_end } => {
            let queue = escalations::Queue::new(store, Viewer::from(me), now)?;
            let total = if near_end { Some(queue.count()?) } else { None };
            Reply::Position {
                id,
                at: queue.position(id, total)?,
            }
        }
        Request::Detail { id } => Reply::Detail(Box::new(load_detail(store, me, now, id)?)),
        Request::VisibleAmong { ids } => Reply::VisibleAmong {
            visible: super::access::visible_among(store.conn(), Viewer::from(me), &ids)?,
            asked: ids,
        },
        Request::Refresh {
            id,
            version,
            entries,
        } => match escalations::stamp(store, Viewer::from(me), id)? {
            Some(s) if s == (version, entries) => Reply::Unchanged(id),
            Some(_) => Reply::Detail(Box::new(load_detail(store, me, now, id)?)),
            None => Reply::Hidden(id),
        },
        Request::Meet { id, note } => {
            let d = store.write(&me.username, now, |w| deadlines::meet(w, id, &note))?;
            Reply::Saved(format!("Marked met: {} on {}", d.label, d.reference))
        }
        Request::Waive { id, reason } => {
            let d = store.write(&me.username, now, |w| deadlines::waive(w, id, &reason))?;
            Reply::Saved(format!("Waived: {} on {}", d.label, d.reference))
        }
        Request::Act { id, version, verb } => {
            use super::workflow as wf;
            let d = store.write(&me.username, now, |w| match verb {
                Verb::Acknowledge => wf::acknowledge(w, id, version, false),
                Verb::Take => wf::acknowledge(w, id, version, true),
                Verb::Assign(user) => wf::assign(w, id, &user, version, true),
                Verb::Note(text) => wf::note(w, id, &text),
                Verb::Refer(r) => wf::refer(w, id, &r, version),
                Verb::Close {
                    outcome,
                    rationale,
                    choices,
                } => wf::close(w, id, &outcome, &rationale, &choices, version),
                Verb::Signoff { approve, reason } => {
                    wf::signoff(w, id, approve, &reason, version, None)
                }
                Verb::Reopen(reason) => wf::reopen(w, id, &reason, version),
                Verb::Link(other) => wf::link(w, id, other),
                Verb::Event { event, note } => wf::record_event(w, id, &event, &note, None),
                Verb::EventAt { event, note, held } => {
                    wf::record_event(w, id, &event, &note, Some(held))
                }
                Verb::Access(change) => wf::change_access(w, id, &change, version),
                Verb::Outcome {
                    referral,
                    code,
                    note,
                    removed,
                } => wf::record_outcome(w, id, &referral, &code, &note, removed, version),
                Verb::Called999 { at, note } => wf::record_999(w, id, at, &note, version),
                Verb::FgmReported {
                    by,
                    police_reference,
                    at,
                } => wf::record_fgm_report(w, id, &by, &police_reference, at, version),
            })?;
            Reply::Saved(d.message)
        }
        Request::Create {
            escalation,
            called_999,
            summary,
            about,
        } => {
            // The form checked the area against the list it had; the list may
            // have changed since (or not arrived yet): checked again here.
            let mut escalation = escalation;
            let areas = super::areas::list(store.conn())?;
            let resolve = |typed: &str, field| {
                crate::domain::area::resolve(typed, &areas, field)
                    .map_err(|e| super::StoreError::Invalid(e.message))
            };
            escalation.area = resolve(&escalation.area, "area where they live")?;
            if let Some(w) = &escalation.work_area {
                escalation.work_area = Some(resolve(w, "area where they work")?);
            }
            let d = store.write(&me.username, now, |w| {
                let d = super::workflow::create(w, &escalation, called_999, &about)?;
                if !summary.trim().is_empty() {
                    super::workflow::note(w, d.id, &format!("Summary: {summary}"))?;
                }
                Ok(d)
            })?;
            let matches = escalations::matches(
                store.conn(),
                Viewer::from(me),
                &escalation.subject_name,
                escalation.subject_dob.as_deref(),
                &escalation.area,
                Some(d.id),
            )?;
            Reply::Created {
                message: d.message,
                id: d.id,
                reference: d.reference,
                matches,
            }
        }
        Request::Assignable => {
            Reply::Assignable(super::workflow::assignable(store.conn(), now.timestamp())?)
        }
        Request::Contacts { query, route, area } => Reply::Contacts(
            super::contacts::lookup(store.conn(), &query, route.as_deref(), area.as_deref(), now)?,
            contact_labels(store)?,
        ),
        Request::Report { from, to } => {
            use crate::domain::calendar::at_local;
            let (before_from, _, _) = crate::domain::report::previous(from, to);
            let start = at_local(before_from, chrono::NaiveTime::MIN);
            let end = at_local(to + chrono::Duration::days(1), chrono::NaiveTime::MIN);
            // Counted as read (issue 21): a year's cases are never held at once.
            let mut t =
                crate::domain::report::Tally::new(from, to).map_err(super::StoreError::Refused)?;
            super::reports::rows_each(store, Viewer::from(me), start, end, now, |row| t.add(&row))?;
            let mut r = t.finish();
            if me.role.sees_restricted() {
                r.scope = crate::domain::report::SCOPE_SENIOR.into();
            }
            Reply::Report(Box::new(r))
        }
        Request::Reviews => {
            Reply::Reviews(super::reviews::summaries(store, Viewer::from(me), now)?)
        }
        Request::Agenda { series } => Reply::Agenda(Box::new(super::reviews::agenda_window(
            store,
            &series,
            Viewer::from(me),
            now,
            0,
            super::reviews::AGENDA_WINDOW,
        )?)),
        Request::AgendaAt { series, offset } => {
            Reply::Agenda(Box::new(super::reviews::agenda_window(
                store,
                &series,
                Viewer::from(me),
                now,
                offset,
                super::reviews::AGENDA_WINDOW,
            )?))
        }
        Request::Handover => Reply::Handover(Box::new(super::rota::handover_shown(
            store,
            Viewer::from(me),
            now,
        )?)),
        Request::TakeOver => {
            Reply::Saved(store.write(&me.username, now, super::rota::take_over)?)
        }
        Request::HandoverNote { text } => Reply::Saved(store.write(&me.username, now, |w| {
            super::rota::leave_note(w, &text)?;
            Ok("Note left for whoever takes over next".to_string())
        })?),
        Request::AddReview { id, series, reason } => {
            Reply::Saved(store.write(&me.username, now, |w| {
                super::reviews::add(w, &series, id, &reason)
            })?)
        }
        Request::LookUp { id } => {
            let o = refer_options(store, me, now, id)?;
            let mut list: Vec<crate::domain::contact::Answer> = Vec::new();
            for (_, a) in o.contacts {
                if !list.iter().any(|x| x.contact.id == a.contact.id) {
                    list.push(a);
                }
            }
            Reply::Contacts(list, contact_labels(store)?)
        }
        Request::SaveContact { id, input } => {
            let saved = store.write(&me.username, now, |w| super::contacts::save(w, id, &input))?;
            Reply::Saved(format!(
                "Contact {} {}: {}",
                if id.is_some() { "changed" } else { "added" },
                saved,
                input.service.trim()
            ))
        }
        Request::ReferOptions { id } => {
            Reply::ReferOptions(Box::new(refer_options(store, me, now, id)?))
        }
        Request::AccessLists { id } => Reply::AccessLists(Box::new(super::workflow::access_lists(
            store.conn(),
            me,
            id,
        )?)),
        Request::OpenAlerts => Reply::OpenAlerts(super::alerts::open_for(store, me, now)?.into()),
        Request::AcknowledgeAlerts { id } => {
            Reply::Saved(store.write(&me.username, now, |w| match id {
                Some(id) => super::alerts::acknowledge_escalation(w, id),
                None => super::alerts::acknowledge_rota(w),
            })?)
        }
        Request::Areas => Reply::Areas(super::areas::list(store.conn())?),
        // As `dutydesk reviews hold` / `record`: DSLs and senior leads, the
        // standard series first on a database made before reviews existed.
        Request::HoldReview { series, attendees } => {
            Reply::Saved(store.write(&me.username, now, |w| {
                super::reviews::seed(w)?;
                super::reviews::hold(w, &series, &attendees)
            })?)
        }
        Request::HeldItems { series } => {
            let items =
                super::reviews::items_limited(store, &series, Viewer::from(me), Some(HELD_ITEMS))?;
            Reply::HeldItems(series, items)
        }
        Request::RecordReview {
            item,
            discussion,
            decision,
            action,
        } => Reply::Saved(store.write(&me.username, now, |w| {
            super::reviews::record_item(
                w,
                item,
                &discussion,
                &decision,
                action
                    .as_ref()
                    .map(|(what, owner, due)| (what.as_str(), owner.as_str(), *due)),
            )
        })?),
        Request::Work(w) => super::workbench::handle(store, me, now, w)?,
        Request::Side(inner) if inner.is_side_read() => return handle(store, me, clock, *inner),
        Request::Side(_) => {
            return Err(super::StoreError::Refused(
                "internal error: only a read may be asked for on the side lane".into(),
            ));
        }
    })
}

/// One alert check: new alerts announced, the open alerts sent when they
/// changed (or always, with `answer`). `since` says what to derive again
/// ([`super::alerts::since`]): the cases it names, the rest kept from the
/// open alerts last sent (the same answer as a full check). Whether it
/// went through; `None` when the screen has gone (stop the worker).
#[allow(clippy::too_many_arguments)]
fn alert_check(
    check: &mut AlertCheck,
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    since: &Since,
    answer: bool,
    out: &dyn Fn(Reply) -> bool,
    claim: &mut Claim<'_>,
) -> Option<bool> {
    let AlertCheck {
        announced,
        open_sent,
        locked,
        ..
    } = check;
    let mut ok = true;
    let new = check_alerts_since(store, me, now, announced, since, claim);
    if new.is_ok() {
        *locked = 0;
    }
    match new {
        Ok(a) if a.is_empty() => {}
        Ok(a) => {
            if !out(Reply::Alerts(a)) {
                return None;
            }
        }
        // Another session's write held the lock when the alerts were
        // claimed (the side lane's claims do not wait for it): tried again
        // at the next check, and said only if that fails too.
        Err(super::StoreError::Locked) if *locked == 0 => {
            ok = false;
            *locked += 1;
        }
        Err(e) => {
            ok = false;
            if !out(Reply::Error(format!("checking deadlines for alerts: {e}"))) {
                return None;
            }
        }
    }
    let open = match open_sent.as_deref() {
        Some(previous) => super::alerts::open_for_since(store, me, now, previous, since),
        None => super::alerts::open_for(store, me, now).map(Some),
    };
    match open {
        Ok(Some(open)) => {
            let open = crate::domain::paging::AlertList::new(open);
            *open_sent = Some(open.clone());
            if !out(Reply::OpenAlerts(open)) {
                return None;
            }
        }
        // The same: shared again when asked for.
        Ok(_) if answer => {
            let same = open_sent.clone().unwrap_or_default();
            if !out(Reply::OpenAlerts(same)) {
                return None;
            }
        }
        Ok(_) => {}
        Err(e) => {
            ok = false;
            if answer && !out(Reply::Error(format!("reading the open alerts: {e}"))) {
                return None;
            }
        }
    }
    Some(ok)
}

/// New alerts for `me`: remembered in the database (once per user), or on a
/// read-only database in `announced` (once per session).
pub fn check_alerts(
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    announced: &mut std::collections::HashSet<(crate::domain::alert::AlertKind, i64)>,
) -> Result<Vec<Alert>> {
    check_alerts_since(
        store,
        me,
        now,
        announced,
        &Since::Everything,
        &mut |s, list| notices::claim(s, me, now, list),
    )
}

/// How an alert check claims the alerts it found (`notices::claim`): on its
/// own connection, or, on the side lane, by the user lane's, so that the
/// side lane never writes and its claims never look to the user lane like
/// another session's commit (a reload for nothing).
pub type Claim<'a> = dyn FnMut(&mut Store, Vec<Alert>) -> Result<Vec<Alert>> + 'a;

/// [`check_alerts`] after `since` (what changed since the check last went
/// through: [`super::alerts::since`]), claiming through `claim`: only the
/// cases it names are read for new alerts (every other alert was announced
/// then, or is in `announced`); nothing for [`Since::Nothing`].
pub fn check_alerts_since(
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    announced: &mut std::collections::HashSet<(crate::domain::alert::AlertKind, i64)>,
    since: &Since,
    claim: &mut Claim<'_>,
) -> Result<Vec<Alert>> {
    let among = match since {
        Since::Nothing => return Ok(Vec::new()),
        Since::Among(ids) => Some(ids.as_slice()),
        Since::Everything => None,
    };
    // What this session has announced (or seen claimed by another session
    // of the same user) is never claimed again: a notice, once recorded, is
    // never removed, so claiming it again could only say "not new".
    let pending = notices::pending_among(store, me, now, announced, among)?;
    let keys: Vec<_> = pending.iter().map(|a| (a.kind, a.subject_id)).collect();
    let fresh = claim(store, pending)?;
    let fresh = fresh
        .into_iter()
        .filter(|a| !announced.contains(&(a.kind, a.subject_id)))
        .collect();
    announced.extend(keys);
    Ok(fresh)
}

/// The routes that fit an escalation, best first, with their contacts now
/// (the same answer as `dutydesk routes`: [`super::routes::options`]).
pub fn refer_options(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    id: i64,
) -> Result<ReferOptions> {
    let o = super::routes::options(store.conn(), Viewer::from(me), id, now)?;
    Ok(ReferOptions {
        id,
        suggestions: o.suggestions,
        contacts: o.contacts,
        notes: o.notes,
        may_confirm_consent: o.may_confirm_consent,
    })
}

/// Every contact as (id, "organisation service phone"), for pick lists.
fn contact_labels(store: &Store) -> Result<Vec<(i64, String)>> {
    Ok(super::contacts::all(store.conn())?
        .into_iter()
        .map(|c| {
            (
                c.id,
                format!(
                    "{} {} {}",
                    c.organisation,
                    c.service,
                    c.phone.unwrap_or_default()
                ),
            )
        })
        .collect())
}
