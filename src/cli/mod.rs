//! The command line: `dutydesk` alone opens the dashboard; subcommands serve
//! set-up, scripts and cron.

use crate::clock::Clock;
use crate::domain::exit::Exit;
use crate::domain::staff::{Role, StaffMember};
use crate::store::{self, Create, Store, StoreError};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// `println!` that fails instead of panicking: a listing written to a full
/// disk or a closed descriptor ends with exit 3 and the OS's words, never a
/// crash (`dutydesk handover > /dev/full` panicked). Gives a
/// `Result<(), Failure>` for the caller's `?`.
macro_rules! say {
    () => {
        say!("")
    };
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*)
            .map_err(|e| $crate::cli::Failure::from(anyhow::Error::from(e)))
    }};
}

mod admin;
pub mod complete;
mod contacts;
mod handover;
mod import;
pub mod json;
mod lists;
mod table;
pub use handover::{PatternCommand, RotaCommand};
mod deadlines;
mod notifier;
pub use notifier::{AlertsCommand, PolicyCommand};
mod reports;
mod reviews;
mod verbs;
mod workbench;
pub use deadlines::{DeadlineCommand, HolidaysCommand, RulesCommand, SettingsCommand};
pub use workbench::WorkCommand;

/// Where the shared database lives unless `--db` or `DUTYDESK_DB` says otherwise.
pub const DEFAULT_DB: &str = "/var/lib/dutydesk/dutydesk.db";
/// The demo database, in the current directory.
pub const DEMO_DB: &str = "dutydesk-demo.db";

const AFTER_HELP: &str = "\
Environment:
  DUTYDESK_DB     database file (same as --db)
  DUTYDESK_USER   act as this staff account instead of the OS account
                  (demo databases only: refused on one made by init, and
                  whenever dutydesk runs setgid)
  DUTYDESK_NOW    fix the clock to an RFC 3339 time, e.g. 2026-11-23T09:00:00Z
                  (demo databases only, as DUTYDESK_USER)
  NO_COLOR        draw without colour (meaning stays in symbols and bold)
  DUTYDESK_SYSTEM_CONFIG  the system file [default: /etc/dutydesk/config.toml]:
                  database = \"/var/lib/dutydesk/dutydesk.db\"
                  (refused when setgid, as are DUTYDESK_DB and --db naming
                  another file than the system file's database)
  DUTYDESK_CONFIG your settings file [default: ~/.config/dutydesk/config.toml]:
                  [notify] bell = true, terminal = \"off\"|\"osc9\"|\"osc777\", desktop = true

Exit status: 0 done; 1 refused (nothing changed: not allowed, the case's
state, changed by someone else, not found, database busy or read-only) or a
check found a problem (verify, anchor, rota check, notifier --once); 2 bad
input (nothing changed: the message names the valid values) or cannot start
(usage, a broken settings file, an unknown or deactivated account, no usable
database); 3 unexpected failure (I/O or database fault).

Try it: `dutydesk demo` creates dutydesk-demo.db here with fictional cases and opens it.";

/// "0.1.0 (schema 4)": the program and the database schema it reads and writes.
pub fn version() -> &'static str {
    Box::leak(
        format!(
            "{} (schema {})",
            env!("CARGO_PKG_VERSION"),
            crate::store::migrate::SCHEMA_VERSION
        )
        .into_boxed_str(),
    )
}

/// A terminal duty desk for Designated Safeguarding Leads.
///
/// Shows every open safeguarding escalation, the deadlines counting down and
/// who to ring, for the DSL on duty. Several DSLs can use one database at once.
#[derive(Debug, Parser)]
#[command(name = "dutydesk", version = version(), after_help = AFTER_HELP)]
pub struct Cli {
    /// The database file [default: /var/lib/dutydesk/dutydesk.db; for `demo`: ./dutydesk-demo.db]
    #[arg(long, global = true, env = "DUTYDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty database for real records, with you (or --admin USER)
    /// as its first senior lead
    Init {
        /// The organisation's name, shown in the header [default: the system
        /// file's `organisation`, else "Safeguarding duty desk"]
        #[arg(long)]
        org: Option<String>,
        /// Account name of the first senior lead [default: your OS account]
        #[arg(long, value_name = "USER")]
        admin: Option<String>,
        /// Display name of the first senior lead [default: the account name]
        #[arg(long)]
        name: Option<String>,
    },
    /// Create the demo database of fictional cases if missing, add you as a DSL, open it
    Demo {
        /// How many fictional escalations to generate
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        cases: u32,
        /// About how many of them are still open, the rest closed history over
        /// the years before [default: the demo's mix, about one in seven]
        #[arg(long, value_name = "M")]
        open: Option<u32>,
        /// Create the database but do not open the dashboard
        #[arg(long)]
        no_open: bool,
        /// Seed for the generator (same seed, same cases)
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Print the dashboard as plain text, exactly as a terminal would show it, and exit
    Snapshot {
        #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u16).range(1..=1000))]
        width: u16,
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u16).range(1..=500))]
        height: u16,
    },
    /// The staff list: who may use the desk, and in what role
    #[command(subcommand)]
    Staff(StaffCommand),
    /// List open deadlines, soonest first (for scripts and cron)
    Deadlines {
        /// Print a JSON array: reference, rule, due (RFC 3339, UK offset), status...
        #[arg(long)]
        json: bool,
        /// Include met and waived deadlines
        #[arg(long)]
        all: bool,
    },
    /// Announce alerts that are due (deadline due soon or overdue, case assigned
    /// to you) and exit: for a crontab. Each alert is announced once per user.
    Notify {
        /// Check once and exit (the only mode; required so cron lines say what they do)
        #[arg(long, required = true)]
        once: bool,
    },
    /// The desk's paging service: e-mail and the command hook, by the
    /// escalation policies, until someone acknowledges (systemd unit:
    /// packaging/systemd/dutydesk-notifier.service)
    ///
    /// Runs as the system file's `[notify] account` (or a senior lead). The
    /// mail server and the hook are set only in the system file's `[notify]`
    /// (`smtp = "localhost:25"` or `sendmail = "/usr/sbin/sendmail"`,
    /// `command = "/path"`). Each alert is delivered once per step and person;
    /// failures are retried with backoff and logged to standard error.
    Notifier {
        /// One pass, then exit (for cron or a test); exit 1 if a delivery failed
        #[arg(long)]
        once: bool,
    },
    /// Escalation policies: who is told about each kind of alert, and when
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Open alerts you may see (risk, age, whether acknowledged); `alerts ack`
    Alerts(notifier::AlertsArgs),
    /// England & Wales (or another division's) bank holidays, for working days
    #[command(subcommand)]
    Holidays(HolidaysCommand),
    /// Deadline rules: what sets a deadline, and how long it runs
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Organisation settings (name, holiday division, working hours, acknowledgement, outcomes)
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Who to ring: contacts by search, route and area, the number to ring now first
    Contacts(contacts::ContactsArgs),
    /// Counts for a period against the one before: by category, subject, location, age band,
    /// area, risk, route and outcome; referral share, median times, deadlines on time
    Report {
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value = "md")]
        format: reports::Format,
        /// Shortcuts for --format
        #[arg(long, conflicts_with_all = ["csv", "json", "html"])]
        md: bool,
        #[arg(long, conflicts_with_all = ["json", "html"])]
        csv: bool,
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// One self-contained HTML page (tables and SVG charts, no scripts or
        /// external files) for a senior management report: `> report.html`
        #[arg(long)]
        html: bool,
        /// Show counts under N as "<N" so nobody can be identified (e.g. 5)
        #[arg(long, value_name = "N")]
        suppress_under: Option<u32>,
    },
    /// One escalation's record and chronology, for an agency or a subject access request (audited)
    Export {
        reference: String,
        #[arg(long, conflicts_with_all = ["json", "html"])]
        md: bool,
        #[arg(long, conflicts_with = "json")]
        html: bool,
        #[arg(long)]
        json: bool,
        /// Hide third parties: who raised it, the staff who worked it, and
        /// the others involved (names and details); free text is not rewritten
        #[arg(long)]
        redact_third_parties: bool,
        /// Write to this new file (never replacing one) instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Also write each attachment into this new directory (audited as exports)
        #[arg(long, value_name = "DIR")]
        attachments: Option<PathBuf>,
    },
    /// Review meetings: the next of each series and its agenda; add, hold, record
    Reviews(reviews::ReviewsArgs),
    /// Measure the performance budget on this database (medians with spread);
    /// make one with `dutydesk demo --cases 100000 --no-open --db big.db`
    Bench {
        /// Samples per figure
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(3..=1000))]
        runs: u32,
        /// Internal: be the headless screen whose memory and idle CPU the
        /// bench measures, idle for this many seconds, and print the figures
        #[arg(long, hide = true, value_name = "SECONDS")]
        screens: Option<u32>,
    },
    /// Print the manual page (roff) for `man -l -`; with --dir, write one page
    /// per subcommand there (dutydesk.1, dutydesk-list.1, dutydesk-staff-add.1...)
    Man {
        /// Write every page into this directory instead of printing one
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Show the effective configuration and where each value came from
    Config {
        #[arg(value_parser = ["show"], default_value = "show")]
        action: String,
        /// Print it as JSON (the `config` document, docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Print the completion script for bash, zsh, fish, elvish or powershell:
    /// it asks dutydesk for this desk's routes, outcomes, categories, areas and
    /// staff accounts as you type (e.g. `source <(dutydesk completions bash)`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Who is on duty now and next; add a shift (DSLs and senior leads)
    #[command(subcommand)]
    Rota(RotaCommand),
    /// The handover for whoever takes over: what changed since the shift began, what is
    /// due in the next 24 hours, notes left by the outgoing DSL
    Handover {
        /// Print Markdown, e.g. for e-mail
        #[arg(long, conflicts_with = "json")]
        md: bool,
        /// One JSON document (`handover`: docs/JSON.md)
        #[arg(long)]
        json: bool,
        /// Leave a note for the next DSL instead
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Check the database and its audit trail against the anchors kept outside it (exit 1 on a problem)
    ///
    /// Integrity, foreign keys, the schema, the audit chain and its gaps, every chronology
    /// and referral row against its digest in the trail, each case's restriction and named
    /// staff, the demo mark, and every anchor recorded for this database. When all is
    /// sound, the chain's head is anchored (the anchor file and syslog).
    Verify,
    /// Anchor the audit chain's head outside the database, for cron
    ///
    /// Appends the newest audit row's id and hash to the anchor file (`[audit] anchor_file`
    /// in the system file, else DATABASE.anchors) and sends it to syslog. Refused, exit 1,
    /// when the trail no longer matches an earlier anchor.
    Anchor,
    /// The audit trail: who did or saw what, when, to which record (DSLs and senior leads;
    /// never a record's words, nor rows about escalations you may not see; each reading is audited)
    Audit {
        /// Only this record (an escalation reference, a username...)
        reference: Option<String>,
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::all_accounts), long)]
        user: Option<String>,
        /// UK time (01/11/2026 00:00, yesterday 09:00, 2026-11-01T00:00:00Z)
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Copy the database to a new file DEST (senior leads only; mode 0600, audited): made
    /// while others keep working, verified, then renamed into place; never replaces anything
    Backup { dest: PathBuf },
    /// Bring in an earlier incident log (CSV or a spreadsheet's first sheet) as
    /// escalations, all or nothing (DSLs and senior leads); see docs/ADMIN.md
    ///
    /// MAP (TOML) says which column holds what and how the log's words read
    /// as codes. Every row goes through the intake checks, and an allegation
    /// about a desk user is restricted as at intake. Original dates are kept;
    /// each record is marked imported; rows already imported are skipped, so
    /// importing the same file twice changes nothing.
    Import {
        /// The log: .csv, .xlsx, .xls or .ods (first sheet; first row names the columns)
        log: PathBuf,
        /// The map file
        #[arg(long, value_name = "MAP")]
        map: PathBuf,
        /// Check every row and say what would be imported; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Put a backup in place of the database (senior leads): the copy is verified
    /// first, refused while any session has the database open, and the replaced
    /// file is kept beside it (DATABASE.replaced-TIME); audited, and anchored
    Restore {
        /// A file `dutydesk backup` made
        backup: PathBuf,
    },
    /// Record a new escalation; prints its reference alone on stdout
    New(verbs::NewArgs),
    /// Acknowledge an escalation and take it ("I have this"); refused when
    /// someone else holds it, unless --take
    Ack {
        reference: String,
        /// Take it from whoever holds it (they are told)
        #[arg(long)]
        take: bool,
    },
    /// Assign an escalation to an active DSL; refused when someone else holds
    /// it, unless --take
    Assign {
        reference: String,
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::holders))]
        user: String,
        /// Take it from whoever holds it (they are told)
        #[arg(long)]
        take: bool,
    },
    /// Link two escalations about the same person
    Link { reference: String, other: String },
    /// Record a referral: route, contact, method, their reference, what was shared and why
    ///
    /// `dutydesk routes REF` first shows the routes that fit, with reasons, and the
    /// contacts open now. By phone, the number actually rung is recorded (the
    /// contact's out-of-hours fallback while it is shut) and named in the chronology.
    Refer {
        reference: String,
        /// emergency, police, children, adults, lado, pipot, marac, nrm, ms1, prevent,
        /// ceop, fmu, dbs, home-office, other
        #[arg(long, add = clap_complete::ArgValueCandidates::new(complete::routes))]
        route: String,
        /// Contact id (see `dutydesk routes REF` or `dutydesk contacts`); it
        /// must serve the route, and the area unless --other-area
        #[arg(long)]
        contact: Option<i64>,
        /// The contact serves another area than the person's, and the
        /// referral goes there on purpose (e.g. a child placed out of area)
        #[arg(long)]
        other_area: bool,
        /// phone, form, email, secure-email, in-person, other
        #[arg(long, default_value = "phone", add = clap_complete::ArgValueCandidates::new(complete::referral_methods))]
        method: String,
        /// The number actually rung, if not the contact's (or its fallback's)
        #[arg(long, value_name = "NUMBER")]
        rang: Option<String>,
        /// For an adult's NRM referral when consent was not given at intake:
        /// the adult has now given informed consent (else use --route ms1)
        #[arg(long)]
        consented: bool,
        /// The agency's reference number
        #[arg(long = "reference", value_name = "THEIRS")]
        agency_reference: Option<String>,
        /// What was shared
        #[arg(long)]
        shared: String,
        /// Why it was shared (the lawful reason)
        #[arg(long, default_value = "to protect a child or adult at risk from harm")]
        why: String,
    },
    /// The routes that fit an escalation, each with its reason, and the
    /// contacts to ring now for each (the same answer as the refer form)
    Routes {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// The organisation's areas and their other names (senior leads change them)
    #[command(subcommand)]
    Areas(AreasCommand),
    /// The organisation's categories: codes, labels, retired ones (senior leads change them)
    #[command(subcommand)]
    Categories(CategoriesCommand),
    /// Add a note to the chronology (notes are never edited or deleted)
    Note { reference: String, text: String },
    /// Record an event held: strategy_discussion (sets the ICPC deadline, or
    /// keeps the one open), icpc_held (meets it; first review conference in 3
    /// months), review_conference_held (the next in 6 months),
    /// removed_from_regulated_activity (the DBS barring referral duty)
    Event {
        reference: String,
        /// strategy_discussion, icpc_held, review_conference_held or
        /// removed_from_regulated_activity
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::events))]
        event: String,
        /// What was decided, who took part
        #[arg(long, default_value = "")]
        note: String,
        /// When it was held, UK time (14:30, yesterday 18:00, 20/11/2026 15:00)
        /// [default: now]; later deadlines count from it
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Close with an outcome and rationale, and a choice for every open
    /// deadline (some closures need a second DSL's sign-off)
    ///
    /// Closing never waives in silence: each open deadline is kept open
    /// (--keep), marked met (--met) or waived with a reason (--waive); without
    /// a choice for each, the command lists them and closes nothing. RULE is
    /// a rule code (every open deadline of that rule) or a deadline's number
    /// as `dutydesk show` prints it. Re-opening restores what the closure waived.
    Close {
        reference: String,
        #[arg(long, add = clap_complete::ArgValueCandidates::new(complete::outcomes))]
        outcome: String,
        #[arg(long)]
        rationale: String,
        /// Keep this deadline open after closing (repeat for several)
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::rules), long, value_name = "RULE")]
        keep: Vec<String>,
        /// Mark this deadline met on closing, with an optional note
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::rules), long, value_name = "RULE[=NOTE]")]
        met: Vec<String>,
        /// Waive this deadline on closing, with the reason (required)
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::rules), long, value_name = "RULE=REASON")]
        waive: Vec<String>,
    },
    /// Record the receiving agency's decision on a referral (it meets the
    /// chase deadline and goes in the chronology and the review agenda)
    ///
    /// Codes per route: children: accepted_for_assessment, strategy_s47,
    /// no_further_action, advice_given, early_help; LADO: substantiated,
    /// malicious, false, unsubstantiated, unfounded, below_threshold; the
    /// others are listed when a code does not fit. An outcome is recorded once.
    Outcome {
        reference: String,
        /// The referral's number (`dutydesk show REF`)
        #[arg(long, conflicts_with = "route")]
        referral: Option<i64>,
        /// The route of the one referral awaiting an outcome
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::routes), long)]
        route: Option<String>,
        /// The decision's code
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::referral_outcomes), long = "outcome", value_name = "CODE")]
        code: String,
        #[arg(long, default_value = "")]
        note: String,
        /// LADO: the person was removed from regulated activity (or would have
        /// been, had they not left): the DBS barring referral duty applies
        #[arg(long)]
        removed: bool,
    },
    /// Mark an open deadline met or waive it (the deadlines panel's m and w)
    #[command(subcommand)]
    Deadline(DeadlineCommand),
    /// Record the 999 call for a case saved with life at risk and no call on
    /// the record (it stays at the top of the desk until then)
    #[command(name = "called-999")]
    Called999 {
        reference: String,
        /// When the call was made, UK time [default: now]
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The police incident number, what was said
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record that known FGM was reported to the police by the professional
    /// who discovered it (a personal duty: a DSL's own police referral does
    /// not meet it), with the police reference
    #[command(name = "fgm-reported")]
    FgmReported {
        reference: String,
        /// Who made the report (the professional who discovered it)
        #[arg(long, value_name = "NAME")]
        by: String,
        /// The police reference for the report
        #[arg(long, value_name = "REF")]
        police_reference: String,
        /// When it was reported, UK time [default: now]
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Approve or send back a closure proposed by another DSL. Approving
    /// needs the version `dutydesk show` printed with the proposal: refused if
    /// the proposal changed since. Prints the outcome and rationale approved.
    Signoff {
        reference: String,
        #[arg(
            long,
            conflicts_with = "reject",
            required_unless_present = "reject",
            requires = "version"
        )]
        approve: bool,
        #[arg(long)]
        reject: bool,
        #[arg(long)]
        reason: String,
        /// The version `dutydesk show REF` printed with the proposal you read
        #[arg(long, value_name = "N")]
        version: Option<i64>,
        /// Also check the proposed outcome is this one
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::outcomes), long, value_name = "O")]
        outcome: Option<String>,
    },
    /// Who may see an escalation (senior leads only): restrict or lift the
    /// restriction, name staff on it, exclude staff from it (the person an
    /// allegation is about). Without a change, shows who may see it.
    Access {
        reference: String,
        /// Only senior leads and the staff named on it may see it
        #[arg(long, conflicts_with = "unrestrict")]
        restrict: bool,
        /// Lift the restriction (excluded staff stay excluded)
        #[arg(long)]
        unrestrict: bool,
        /// Let this account see it while restricted (repeat for several)
        #[arg(long, value_name = "USER", add = clap_complete::ArgValueCandidates::new(complete::all_accounts))]
        name: Vec<String>,
        /// No longer named
        #[arg(long, value_name = "USER", add = clap_complete::ArgValueCandidates::new(complete::all_accounts))]
        unname: Vec<String>,
        /// Never let this account see it, restricted or not
        #[arg(long, value_name = "USER", add = clap_complete::ArgValueCandidates::new(complete::all_accounts))]
        exclude: Vec<String>,
        /// No longer excluded
        #[arg(long, value_name = "USER", add = clap_complete::ArgValueCandidates::new(complete::all_accounts))]
        unexclude: Vec<String>,
        /// Why (required for a change; kept in the chronology)
        #[arg(long)]
        reason: Option<String>,
        /// The version shown by `dutydesk show`: refused if it changed since
        #[arg(long, value_name = "N")]
        version: Option<i64>,
        /// Print who may see it as JSON (the `access` document, docs/JSON.md)
        #[arg(long)]
        json: bool,
    },
    /// Re-open a closed escalation
    Reopen {
        reference: String,
        #[arg(long)]
        reason: String,
    },
    /// Show one escalation's record (the view is audited)
    Show {
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// List escalations (open by default, in the order of urgency: 1. life at
    /// risk and no 999 call recorded, 2. nobody has acknowledged it in time,
    /// 3. a deadline is overdue, 4. a deadline is due soon, 5. the rest, high
    /// risk first); filters narrow it
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "open")]
        status: verbs::StatusArg,
        #[command(flatten)]
        filters: workbench::FilterArgs,
    },
    #[command(flatten)]
    Work(workbench::WorkCommand),
}

#[derive(Debug, Subcommand)]
pub enum AreasCommand {
    /// Every area and its other names (retired ones marked)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add an area (senior leads), with other names people type for it
    Add {
        name: String,
        /// Another name for it, e.g. "Leicester City" (repeat for several)
        #[arg(long, value_name = "NAME")]
        alias: Vec<String>,
    },
    /// Give an area another name (senior leads)
    Alias {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::areas))]
        area: String,
        alias: String,
    },
    /// Remove another name (senior leads)
    Unalias { alias: String },
    /// Retire an area (senior leads): kept on old records, not offered for new ones
    Retire {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::areas))]
        area: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CategoriesCommand {
    /// Every category: code, label, framework, retired ones marked
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a category (senior leads): a new code (a-z, 0-9, _) and its label
    Add {
        code: String,
        label: String,
        /// child, care_act, police or local
        #[arg(long, default_value = "local")]
        framework: String,
    },
    /// Change a category's label (senior leads); its code stays
    Rename {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::categories))]
        code: String,
        label: String,
    },
    /// Retire a category (senior leads): kept on old records, not offered for new ones
    Retire {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::categories))]
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add an OS account to the staff list (senior leads only)
    Add {
        /// The OS account name
        user: String,
        /// The name shown on screen
        #[arg(long)]
        name: String,
        /// dsl, deputy, senior (sees restricted cases) or viewer (read-only lists)
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::roles), long, value_parser = parse_role)]
        role: Role,
    },
    /// List everyone on the staff list
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Change an account's role (senior leads only; not your own, and the
    /// last active senior lead keeps theirs)
    Role {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::all_accounts))]
        user: String,
        /// dsl, deputy, senior or viewer
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::roles), value_parser = parse_role)]
        role: Role,
    },
    /// Deactivate an account (senior leads only; never deleted: its history
    /// stays attributable; its open dashboards stop showing records)
    Deactivate {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::accounts))]
        user: String,
    },
    /// Let a deactivated account back in, in the role it had (senior leads only)
    Reactivate {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::deactivated))]
        user: String,
    },
    /// Alert channels away from the terminal (yourself, or anyone for a senior
    /// lead); without options, shows them. Addresses never reach the audit trail.
    Set {
        #[arg(add = clap_complete::ArgValueCandidates::new(complete::accounts))]
        user: String,
        /// E-mail address for alerts, or `none`
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// Page through the command hook: on or off
        #[arg(long, value_parser = ["on", "off"])]
        hook: Option<String>,
        /// The address the hook is given (an SMS number, a pager id), or `none`
        #[arg(long, value_name = "ID")]
        hook_to: Option<String>,
        /// Quiet hours, UK time, e.g. 22:00-07:00, or `none`: alerts wait
        /// until they end, except about a case with immediate risk to life
        #[arg(long, value_name = "HH:MM-HH:MM")]
        quiet: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_code(s)
        .ok_or_else(|| format!("{s:?} is not a role: use dsl, deputy, senior or viewer"))
}

/// An error and the exit status it earns (`domain::exit`: one table for
/// every command).
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    /// The number the process exits with.
    pub fn code(&self) -> i32 {
        self.exit.code()
    }
}

/// Every store error through the one mapping, [`StoreError::exit`].
impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure {
            exit: e.exit(),
            message: e.to_string(),
        }
    }
}

/// Anything not foreseen is a fault (exit 3), never a refusal.
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure {
            exit: Exit::Failed,
            message: format!("{e:#}"),
        }
    }
}

/// An output error met inside a store read, as a listing writes each row as
/// it reads it (a closed pipe, a full disk): kept, the read stopped with a
/// stand-in store error, and reported as itself once the read returns, so
/// `dutydesk list | head` says what went wrong, not "refused: output".
/// Shared by closures (a `RefCell`), so several can keep one.
#[derive(Default)]
pub(crate) struct OutputError(std::cell::RefCell<Option<Failure>>);

impl OutputError {
    /// Keeps `e` and gives the error that stops the store's read.
    pub(crate) fn keep(&self, e: impl Into<Failure>) -> StoreError {
        *self.0.borrow_mut() = Some(e.into());
        StoreError::Refused("output".into())
    }

    /// [`OutputError::keep`] for an I/O error of writing.
    pub(crate) fn io(&self, e: std::io::Error) -> StoreError {
        self.keep(anyhow::Error::from(e))
    }

    /// What the read that stopped with `e` failed with: the output error
    /// kept, else the store's own.
    pub(crate) fn take(&self, e: StoreError) -> Failure {
        self.0
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Failure::from(e))
    }
}

/// A settings file that cannot be used stops every command (exit 2).
impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        cannot_start(e.to_string())
    }
}

/// The desk said no and changed nothing (exit 1).
pub(crate) fn refused(message: impl Into<String>) -> Failure {
    Failure {
        exit: Exit::Refused,
        message: message.into(),
    }
}

/// Bad input, nothing changed (exit 2, as clap's usage errors): the
/// message names the valid values.
pub(crate) fn bad_input(message: impl Into<String>) -> Failure {
    Failure {
        exit: Exit::BadInput,
        message: message.into(),
    }
}

/// The command cannot start: settings, identity, clock or set-up (exit 2).
pub(crate) fn cannot_start(message: impl Into<String>) -> Failure {
    Failure {
        exit: Exit::CannotStart,
        message: message.into(),
    }
}

pub(crate) type Outcome = Result<(), Failure>;

/// `--db`, else `DUTYDESK_DB` (both in `cli.db`), else the system file's
/// `database` (for the shared database, not the demo), else the default.
///
/// Under setgid or setuid no variable or option chooses the file: it is always
/// the system file's database (or the default), and [`privileged_guard`] has
/// already refused a `--db` or `DUTYDESK_DB` that names anything else.
fn db_path(cli: &Cli, default: &str) -> PathBuf {
    if crate::identity::is_privileged() {
        return system_db();
    }
    if let Some(p) = &cli.db {
        return p.clone();
    }
    if default == DEFAULT_DB {
        return system_db();
    }
    PathBuf::from(default)
}

/// The system file as [`run`] read and checked it before any command.
static SYSTEM: std::sync::OnceLock<crate::config::SystemConfig> = std::sync::OnceLock::new();

/// The system file read once by [`settings_gate`]. Never a fallback: a file
/// that cannot be read has already stopped the command (issue 20, point 2:
/// a broken system file used to send every command to the default database).
fn system() -> &'static crate::config::SystemConfig {
    SYSTEM
        .get()
        .expect("cli::run reads the system file before any command")
}

/// The shared database: the system file's `database`, else [`DEFAULT_DB`].
fn system_db() -> PathBuf {
    system()
        .database
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
}

/// Reads and checks both settings files before any command or the
/// dashboard runs: a file that cannot be read, an unknown setting (named
/// with its file, line and the valid names), a value that cannot be used,
/// or a key rebinding that cannot apply stops everything with exit 2. No
/// command falls back to defaults (or to another database) because a
/// settings file was wrong. `config show` reports instead of stopping.
pub fn settings_gate() -> Result<&'static crate::config::SystemConfig, Failure> {
    if let Some(s) = SYSTEM.get() {
        return Ok(s);
    }
    let system = crate::config::SystemConfig::load_checked(|n| {
        crate::notifier::Settings::from_system(n).map(|_| ())
    })?;
    let user = crate::config::Config::load()?;
    let (_, problems) = crate::tui::keymap::Keymap::with_overrides(&user.rebindings());
    if let Some(first) = problems.first() {
        return Err(cannot_start(format!(
            "{first}{} (`dutydesk config show` lists them)",
            if problems.len() > 1 {
                format!(
                    "; and {} more problem(s) in the settings file",
                    problems.len() - 1
                )
            } else {
                String::new()
            }
        )));
    }
    Ok(SYSTEM.get_or_init(|| system))
}

/// Under setgid or setuid (the hardened install), refuses every way the
/// environment could choose a file or a mode the install does not offer:
/// `DUTYDESK_SYSTEM_CONFIG`, a `--db` or `DUTYDESK_DB` naming another file
/// than the desk's database, a system file that cannot be read, and `demo`.
/// (`DUTYDESK_USER` and `DUTYDESK_NOW` are refused where the database is
/// opened.) Does nothing for an ordinary binary. Source: issue 14, point 4.
fn privileged_guard(cli: &Cli) -> Outcome {
    if !crate::identity::is_privileged() {
        return Ok(());
    }
    if let Some(Command::Demo { .. }) = cli.command {
        return Err(cannot_start(
            "`dutydesk demo` is refused when dutydesk runs setgid: this copy is installed for real records. For the demo, run a copy of your own: `cp \"$(command -v dutydesk)\" ~/dutydesk-demo && ~/dutydesk-demo demo`",
        ));
    }
    let db = system_db();
    if let Some(p) = &cli.db
        && !same_file(p, &db)
    {
        return Err(cannot_start(format!(
            "--db and DUTYDESK_DB may name only the desk's database ({}) when dutydesk runs setgid: drop --db, or `unset DUTYDESK_DB`",
            db.display()
        )));
    }
    Ok(())
}

/// Whether two paths name the same file, once `..` and symlinks in them are
/// resolved (the file itself need not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    fn resolved(p: &Path) -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let name = p.file_name()?;
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(name))
    }
    a == b || matches!((resolved(a), resolved(b)), (Some(x), Some(y)) if x == y)
}

/// One line of `config show`: a setting, its value as the file writes it
/// (`None`: unset), and where it came from.
#[derive(serde::Serialize)]
struct Shown {
    key: String,
    value: Option<serde_json::Value>,
    source: String,
}

/// `dutydesk config show [--json]`: every setting either file can set (the
/// list comes from the settings structs themselves, `config::settings_of`,
/// so none is missed), each with its value as written in the file and
/// where it came from; then every problem. Exit 2 when there is one.
fn config_show(cli: &Cli, json: bool) -> Outcome {
    use crate::config::{Config, SystemConfig, settings_of, toml_text};
    let mut problems: Vec<String> = Vec::new();
    let mut files: Vec<Shown> = Vec::new();
    let mut shown: Vec<Shown> = Vec::new();
    let privileged = crate::identity::is_privileged();
    let sys = SystemConfig::path();
    let loaded =
        SystemConfig::load_checked(|n| crate::notifier::Settings::from_system(n).map(|_| ()));
    files.push(Shown {
        key: "system file".into(),
        value: Some(sys.display().to_string().into()),
        source: match (&loaded, sys.exists()) {
            (Err(_), _) => "PROBLEM: every command stops until it is fixed",
            (Ok(_), true) => "read",
            (Ok(_), false) => "absent: defaults",
        }
        .into(),
    });
    match loaded {
        Err(e) => {
            problems.push(e.to_string());
            shown.push(Shown {
                key: "database".into(),
                value: None,
                source: "none: no command runs until the system file is fixed".into(),
            });
        }
        Ok(system) => {
            let from_system = |set: bool| if set { "system file" } else { "default" };
            let env_db = std::env::var_os("DUTYDESK_DB").map(PathBuf::from);
            let db = if privileged || cli.db.is_none() {
                system
                    .database
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
            } else {
                cli.db.clone().unwrap_or_default()
            };
            let db_source = if privileged || cli.db.is_none() {
                from_system(system.database.is_some())
            } else if env_db.as_ref() == cli.db.as_ref()
                && !std::env::args().any(|a| a == "--db" || a.starts_with("--db="))
            {
                "DUTYDESK_DB"
            } else {
                "--db"
            };
            shown.push(Shown {
                key: "database".into(),
                value: Some(db.display().to_string().into()),
                source: db_source.into(),
            });
            if db.is_dir() {
                problems.push(db_is_directory(&db, db_source));
            }
            let anchor = crate::anchor::file_for(&db, system.audit.anchor_file.as_deref());
            for (key, value) in settings_of(&system) {
                let (value, source) = match key.as_str() {
                    "database" => continue,
                    "audit.anchor_file" if value.is_none() => (
                        Some(anchor.display().to_string().into()),
                        "default: the database + .anchors".to_string(),
                    ),
                    _ => {
                        let set = value.is_some();
                        (value, from_system(set).to_string())
                    }
                };
                shown.push(Shown { key, value, source });
            }
        }
    }
    let user = Config::path(&|k| std::env::var(k).ok());
    // As the user: under setgid, not even whether a file exists in a
    // directory only the binary's group may search.
    let user_text = user
        .as_ref()
        .and_then(|p| store::files::read_as_user(p).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.parse::<toml::Table>().ok())
        .unwrap_or_default();
    files.push(Shown {
        key: "user file".into(),
        value: user.as_ref().map(|p| p.display().to_string().into()),
        source: match &user {
            Some(p) => match store::files::as_user(|| std::fs::metadata(p)) {
                Ok(_) => "read",
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => "absent: defaults",
                Err(_) => "cannot be read by you",
            },
            None => "none (no home directory): defaults",
        }
        .into(),
    });
    match Config::load() {
        Err(e) => problems.push(e.to_string()),
        Ok(c) => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            for (key, value) in settings_of(&c) {
                let set = key
                    .split_once('.')
                    .and_then(|(section, k)| user_text.get(section)?.get(k))
                    .is_some();
                let mut source = if set { "user file" } else { "default" }.to_string();
                if key == "theme.name" && no_color {
                    source += "; NO_COLOR is set, so mono is in force";
                }
                shown.push(Shown { key, value, source });
            }
            let rebindings = c.rebindings();
            let (_, key_problems) = crate::tui::keymap::Keymap::with_overrides(&rebindings);
            for r in rebindings.iter().filter(|r| !r.from.is_empty()) {
                shown.push(Shown {
                    key: format!("keys.{}.{}", r.mode, r.from),
                    value: Some(r.to.clone().into()),
                    source: r.at.clone(),
                });
            }
            problems.extend(key_problems);
        }
    }
    if json {
        let now = clock()
            .map(|c| c.now())
            .unwrap_or_else(|_| chrono::Utc::now());
        json::print(
            "config",
            now,
            serde_json::json!({
                "setgid": privileged,
                "files": files,
                "items": shown,
                "problems": problems,
            }),
        )?;
    } else {
        if privileged {
            say!(
                "mode          setgid: the system file chooses the database; DUTYDESK_DB, DUTYDESK_SYSTEM_CONFIG, DUTYDESK_USER and DUTYDESK_NOW are refused; files you name are read as you"
            )?;
        }
        for f in &files {
            say!(
                "{:<13} {} ({})",
                f.key,
                f.value.as_ref().and_then(|v| v.as_str()).unwrap_or("none"),
                f.source
            )?;
        }
        let width = shown
            .iter()
            .map(|s| s.key.chars().count())
            .max()
            .unwrap_or(0);
        for s in &shown {
            say!(
                "{:<width$} {} ({})",
                s.key,
                s.value
                    .as_ref()
                    .map(toml_text)
                    .unwrap_or_else(|| "unset".into()),
                s.source
            )?;
        }
        for p in &problems {
            say!("PROBLEM: {p}")?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(cannot_start(format!(
            "{}\n{} problem(s) in the settings: every command stops until they are fixed",
            problems.join("\n"),
            problems.len()
        )))
    }
}

/// The refusal for a database path that names a directory, saying what set
/// it (`--db`, `DUTYDESK_DB`; the system file's is refused with its line by
/// `config::SystemConfig::load_checked`).
fn db_is_directory(db: &Path, source: &str) -> String {
    format!(
        "{source} names {}, a directory, as the database: give the database file's full path, e.g. {}",
        db.display(),
        db.join("dutydesk.db").display()
    )
}

/// Who is at the keyboard, as a staff member of this database: the OS
/// account, or `DUTYDESK_USER` on a demo database (refused elsewhere, and
/// always under setgid; see `identity::check_overrides`).
pub(crate) fn whoami(store: &Store) -> Result<StaffMember, Failure> {
    let user = crate::identity::current_user(store.is_demo())
        .map_err(|e| cannot_start(format!("{e:#}")))?;
    // An account that is not on the list, or deactivated, cannot start (2).
    store::staff::authenticate(store, &user).map_err(|e| match e {
        StoreError::Refused(m) => cannot_start(m),
        e => e.into(),
    })
}

/// The clock: the system's, or `DUTYDESK_NOW` (refused under setgid here, and
/// on any database but a demo one when the database is opened).
pub(crate) fn clock() -> Result<Clock, Failure> {
    Clock::from_env().map_err(|e| cannot_start(format!("{e:#}")))
}

pub fn run(cli: Cli) -> Outcome {
    if let Some(Command::Config { json, .. }) = cli.command {
        return config_show(&cli, json);
    }
    settings_gate()?;
    if !crate::identity::is_privileged()
        && let Some(p) = &cli.db
        && p.is_dir()
    {
        let named = std::env::var_os("DUTYDESK_DB").is_some_and(|v| Path::new(&v) == p)
            && !std::env::args().any(|a| a == "--db" || a.starts_with("--db="));
        return Err(cannot_start(db_is_directory(
            p,
            if named { "DUTYDESK_DB" } else { "--db" },
        )));
    }
    privileged_guard(&cli)?;
    match &cli.command {
        None => dashboard(&db_path(&cli, DEFAULT_DB)),
        Some(Command::Init { org, admin, name }) => init(
            &db_path(&cli, DEFAULT_DB),
            &org.clone()
                .or_else(|| system().organisation.clone())
                .unwrap_or_else(|| "Safeguarding duty desk".into()),
            admin.as_deref(),
            name.as_deref(),
        ),
        Some(Command::Demo {
            cases,
            open,
            no_open,
            seed,
        }) => demo(
            &db_path(&cli, DEMO_DB),
            *cases as usize,
            open.map(|m| m as usize),
            *no_open,
            *seed,
        ),
        Some(Command::Snapshot { width, height }) => {
            let out = snapshot(&db_path(&cli, DEFAULT_DB), *width, *height)?;
            say!("{}", out.trim_end_matches('\n'))?;
            Ok(())
        }
        Some(Command::Staff(cmd)) => staff(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Deadlines { json, all }) => {
            deadlines::list(&db_path(&cli, DEFAULT_DB), *json, *all)
        }
        Some(Command::Notify { .. }) => deadlines::notify_once(&db_path(&cli, DEFAULT_DB)),
        Some(Command::Notifier { once }) => notifier::notifier(&db_path(&cli, DEFAULT_DB), *once),
        Some(Command::Policy(cmd)) => notifier::policy(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Alerts(a)) => notifier::alerts(&db_path(&cli, DEFAULT_DB), a),
        Some(Command::Holidays(cmd)) => deadlines::holidays(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Rules(cmd)) => deadlines::rules(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Settings(cmd)) => deadlines::settings(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::New(a)) => verbs::new(&db_path(&cli, DEFAULT_DB), a),
        Some(Command::Contacts(a)) => contacts::run(&db_path(&cli, DEFAULT_DB), a),
        Some(Command::Verify) => admin::verify(&db_path(&cli, DEFAULT_DB)),
        Some(Command::Anchor) => admin::anchor(&db_path(&cli, DEFAULT_DB)),
        Some(Command::Config { json, .. }) => config_show(&cli, *json),
        Some(Command::Man { dir }) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match dir {
                Some(dir) => {
                    clap_mangen::generate_to(cmd, dir).map_err(|e| {
                        refused(format!(
                            "cannot write the manual pages to {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                None => clap_mangen::Man::new(cmd)
                    .render(&mut std::io::stdout())
                    .map_err(anyhow::Error::from)?,
            }
            Ok(())
        }
        Some(Command::Completions { shell }) => {
            let script = complete::registration(&shell.to_string()).map_err(bad_input)?;
            std::io::Write::write_all(&mut std::io::stdout(), &script)
                .map_err(anyhow::Error::from)?;
            Ok(())
        }
        Some(Command::Rota(cmd)) => handover::rota(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Handover { md, json, note }) => {
            handover::handover(&db_path(&cli, DEFAULT_DB), *md, *json, note.as_deref())
        }
        Some(Command::Bench { runs, screens }) => {
            let path = db_path(&cli, DEFAULT_DB);
            let clock = clock()?;
            let st = store::open(&path, Create::No)?;
            let me = whoami(&st)?;
            drop(st);
            if let Some(secs) = screens {
                say!("{}", crate::bench::screens(&path, &me, clock, *secs)?)?;
                return Ok(());
            }
            for line in crate::bench::run(&path, &me, clock.now(), *runs as usize)? {
                say!("{line}")?;
            }
            Ok(())
        }
        Some(Command::Reviews(a)) => reviews::run(&db_path(&cli, DEFAULT_DB), a),
        Some(Command::Report {
            from,
            to,
            format,
            csv,
            json,
            html,
            suppress_under,
            ..
        }) => reports::report(
            &db_path(&cli, DEFAULT_DB),
            from,
            to,
            if *json {
                reports::Format::Json
            } else if *html {
                reports::Format::Html
            } else if *csv {
                reports::Format::Csv
            } else {
                *format
            },
            *suppress_under,
        ),
        Some(Command::Export {
            reference,
            json,
            html,
            redact_third_parties,
            out,
            attachments,
            ..
        }) => reports::export(
            &db_path(&cli, DEFAULT_DB),
            reference,
            if *json {
                crate::domain::export::Format::Json
            } else if *html {
                crate::domain::export::Format::Html
            } else {
                crate::domain::export::Format::Markdown
            },
            *redact_third_parties,
            out.as_deref(),
            attachments.as_deref(),
        ),
        Some(Command::Audit {
            reference,
            user,
            since,
            json,
        }) => admin::audit(
            &db_path(&cli, DEFAULT_DB),
            reference.as_deref(),
            user.as_deref(),
            since.as_deref(),
            *json,
        ),
        Some(Command::Backup { dest }) => admin::backup(&db_path(&cli, DEFAULT_DB), dest),
        Some(Command::Import { log, map, dry_run }) => {
            import::run(&db_path(&cli, DEFAULT_DB), log, map, *dry_run)
        }
        Some(Command::Restore { backup }) => admin::restore(&db_path(&cli, DEFAULT_DB), backup),
        Some(Command::Ack { reference, take }) => {
            verbs::ack(&db_path(&cli, DEFAULT_DB), reference, *take)
        }
        Some(Command::Assign {
            reference,
            user,
            take,
        }) => verbs::assign(&db_path(&cli, DEFAULT_DB), reference, user, *take),
        Some(Command::Link { reference, other }) => {
            verbs::link(&db_path(&cli, DEFAULT_DB), reference, other)
        }
        Some(Command::Refer {
            reference,
            route,
            contact,
            other_area,
            method,
            rang,
            consented,
            agency_reference,
            shared,
            why,
        }) => verbs::refer(
            &db_path(&cli, DEFAULT_DB),
            reference,
            crate::store::workflow::Referral {
                route: route.clone(),
                contact_id: *contact,
                method: method.clone(),
                agency_reference: agency_reference.clone(),
                shared_what: shared.clone(),
                shared_why: why.clone(),
                lawful_basis: None,
                phone_rung: rang.clone(),
                consented: *consented,
                other_area: *other_area,
            },
        ),
        Some(Command::Routes { reference, json }) => {
            verbs::routes(&db_path(&cli, DEFAULT_DB), reference, *json)
        }
        Some(Command::Areas(cmd)) => lists::areas(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Categories(cmd)) => lists::categories(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Note { reference, text }) => {
            verbs::note(&db_path(&cli, DEFAULT_DB), reference, text)
        }
        Some(Command::Event {
            reference,
            event,
            note,
            at,
        }) => verbs::event(
            &db_path(&cli, DEFAULT_DB),
            reference,
            event,
            note,
            at.as_deref(),
        ),
        Some(Command::Close {
            reference,
            outcome,
            rationale,
            keep,
            met,
            waive,
        }) => {
            let choices = verbs::closure_choices(keep, met, waive)?;
            verbs::close(
                &db_path(&cli, DEFAULT_DB),
                reference,
                outcome,
                rationale,
                &choices,
            )
        }
        Some(Command::Outcome {
            reference,
            referral,
            route,
            code,
            note,
            removed,
        }) => verbs::outcome(
            &db_path(&cli, DEFAULT_DB),
            reference,
            match (referral, route) {
                (Some(n), _) => crate::store::workflow::ReferralPick::Id(*n),
                (None, Some(r)) => crate::store::workflow::ReferralPick::Route(r.clone()),
                (None, None) => return Err(bad_input("give --referral N or --route R")),
            },
            code,
            note,
            *removed,
        ),
        Some(Command::Deadline(cmd)) => deadlines::deadline(&db_path(&cli, DEFAULT_DB), cmd),
        Some(Command::Called999 {
            reference,
            at,
            note,
        }) => verbs::called_999(&db_path(&cli, DEFAULT_DB), reference, at.as_deref(), note),
        Some(Command::FgmReported {
            reference,
            by,
            police_reference,
            at,
        }) => verbs::fgm_reported(
            &db_path(&cli, DEFAULT_DB),
            reference,
            by,
            police_reference,
            at.as_deref(),
        ),
        Some(Command::Signoff {
            reference,
            approve,
            reason,
            version,
            outcome,
            ..
        }) => verbs::signoff(
            &db_path(&cli, DEFAULT_DB),
            reference,
            *approve,
            reason,
            *version,
            outcome.as_deref(),
        ),
        Some(Command::Access {
            reference,
            restrict,
            unrestrict,
            name,
            unname,
            exclude,
            unexclude,
            reason,
            version,
            json,
        }) => verbs::access(
            &db_path(&cli, DEFAULT_DB),
            reference,
            &crate::store::workflow::AccessChange {
                restrict: match (restrict, unrestrict) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
                name: name.clone(),
                unname: unname.clone(),
                exclude: exclude.clone(),
                unexclude: unexclude.clone(),
                reason: reason.clone().unwrap_or_default(),
            },
            *version,
            *json,
        ),
        Some(Command::Reopen { reference, reason }) => {
            verbs::reopen(&db_path(&cli, DEFAULT_DB), reference, reason)
        }
        Some(Command::Show { reference, json }) => {
            verbs::show(&db_path(&cli, DEFAULT_DB), reference, *json)
        }
        Some(Command::List {
            json,
            status,
            filters,
        }) => verbs::list(
            &db_path(&cli, DEFAULT_DB),
            *json,
            *status,
            &filters.filters(match status {
                verbs::StatusArg::Open => crate::domain::search::StatusFilter::Open,
                verbs::StatusArg::Closed => crate::domain::search::StatusFilter::Closed,
                verbs::StatusArg::All => crate::domain::search::StatusFilter::Any,
            }),
        ),
        Some(Command::Work(cmd)) => workbench::run(&db_path(&cli, DEFAULT_DB), cmd),
    }
}

fn dashboard(path: &Path) -> Outcome {
    let clock = clock()?;
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(cannot_start(
            "the dashboard needs a terminal; use `dutydesk snapshot` for plain text",
        ));
    }
    crate::tui::run(store, me, clock, crate::tui::theme::Theme::from_env())?;
    Ok(())
}

/// `dutydesk init`: a new, empty database for real records, with its first
/// account a senior lead (who then adds the others: staff administration is
/// for senior leads). Refuses `DUTYDESK_USER` and `DUTYDESK_NOW`, which only a
/// demo honours: the first account is the OS account or `--admin USER`. The
/// creation is the first audit row (action `create`, entity `database`,
/// detail `init`), attributed to the OS account that ran it, so `verify` can
/// tell a real database from a demo. A failure of any kind leaves no file.
fn init(path: &Path, org: &str, admin: Option<&str>, name: Option<&str>) -> Outcome {
    for var in crate::identity::OVERRIDES {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            let instead = if var == "DUTYDESK_USER" {
                "the first account is you, or name it with `--admin USER`"
            } else {
                "a real database keeps the system clock"
            };
            return Err(cannot_start(format!(
                "`dutydesk init` refuses {var}, which only a demo database honours: unset it (`unset {var}`); {instead}"
            )));
        }
    }
    if path.exists() {
        return Err(refused(format!(
            "{} already exists; init only creates new databases",
            path.display()
        )));
    }
    let org = crate::domain::text::validate_line("organisation name", org, 120)
        .map_err(|e| bad_input(e.to_string()))?;
    let me = crate::identity::os_account().map_err(|e| cannot_start(format!("{e:#}")))?;
    let user = admin.unwrap_or(&me).to_string();
    let display = name.unwrap_or(&user).to_string();
    let mut store = store::open(path, Create::IfMissing)?;
    let result = store.write(&me, Clock::System.now(), |w| {
        w.audit("create", "database", None, Some("init"))?;
        let new = store::staff::NewStaff {
            username: &user,
            display_name: &display,
            role: Role::Senior,
        };
        store::staff::bootstrap(w, &new)?;
        store::seed::defaults(w, &org)
    });
    if let Err(e) = result {
        drop(store);
        remove_db(path);
        return Err(e.into());
    }
    eprintln!(
        "Created {} (mode 0660) for {org}, with {user} as its first senior lead (who adds the others: `dutydesk staff add`, and the areas the desk refers into: `dutydesk areas add`).",
        path.display()
    );
    Ok(())
}

/// Removes a database file this process just created and could not finish,
/// with its `-wal` and `-shm`.
fn remove_db(path: &Path) {
    store::remove_created(path);
}

/// `dutydesk demo`: creates the demo database of fictional cases (marked as a
/// demo, so `DUTYDESK_USER` and `DUTYDESK_NOW` work on it), or joins an
/// existing demo; never a real database. Refused under setgid (see
/// [`privileged_guard`]).
fn demo(path: &Path, cases: usize, open: Option<usize>, no_open: bool, seed: u64) -> Outcome {
    let clock = clock()?;
    if open.is_some_and(|m| m > cases) {
        return Err(bad_input(format!(
            "--open {} is more than --cases {cases}: give at most as many open cases as cases",
            open.unwrap_or_default()
        )));
    }
    if path.exists() {
        let mut store = store::open(path, Create::No)?;
        if !store.is_demo() {
            return Err(cannot_start(format!(
                "{} is not a demo database, and `dutydesk demo` joins only demos: open it with `dutydesk --db {}`, or give the demo another file with `--db`",
                path.display(),
                path.display()
            )));
        }
        let user =
            crate::identity::current_user(true).map_err(|e| cannot_start(format!("{e:#}")))?;
        crate::demo::ensure_user(&mut store, &user, clock.now())?;
    } else {
        let user =
            crate::identity::current_user(true).map_err(|e| cannot_start(format!("{e:#}")))?;
        let started = std::time::Instant::now();
        let mut store = store::open(path, Create::Demo)?;
        let opts = crate::demo::DemoOptions {
            cases,
            org_name: "Demo Violence Reduction Partnership".into(),
            user: user.clone(),
            now: clock.now(),
            seed,
            open,
        };
        match crate::demo::generate(&mut store, &opts) {
            Ok(s) => eprintln!(
                "Created {} in {:.1}s: {} staff, {} escalations, {} chronology entries, {} deadlines, {} contacts (all fictional but the public service numbers).",
                path.display(),
                started.elapsed().as_secs_f64(),
                s.staff,
                s.escalations,
                s.chronology,
                s.deadlines,
                s.contacts
            ),
            Err(e) => {
                drop(store);
                remove_db(path);
                return Err(e.into());
            }
        }
    }
    if no_open {
        return Ok(());
    }
    dashboard(path)
}

/// The dashboard as text, for `dutydesk snapshot`.
pub fn snapshot(path: &Path, width: u16, height: u16) -> Result<String, Failure> {
    let clock = clock()?;
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let now = clock.now();
    let limit = crate::tui::app::WINDOW;
    let data = store::worker::load_dashboard(&store, &me, now, 0, limit, None, 0)?;
    let mut app = crate::tui::app::App::new(
        me,
        now,
        store.read_only(),
        crate::tui::theme::Theme::from_env(),
    );
    crate::tui::update::update(
        &mut app,
        crate::tui::action::Action::DashboardLoaded(Box::new(data)),
    );
    Ok(crate::tui::render_text(&mut app, width, height)?)
}

fn staff(path: &Path, cmd: &StaffCommand) -> Outcome {
    let clock = clock()?;
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    match cmd {
        StaffCommand::Add { user, name, role } => {
            let s = store.write(&me.username, clock.now(), |w| {
                store::staff::add(
                    w,
                    &store::staff::NewStaff {
                        username: user,
                        display_name: name,
                        role: *role,
                    },
                )
            })?;
            eprintln!(
                "Added {} ({}) as {}.",
                s.username,
                s.display_name,
                s.role.label()
            );
        }
        StaffCommand::Role { user, role } => {
            let s = store.write(&me.username, clock.now(), |w| {
                store::staff::set_role(w, user, *role)
            })?;
            eprintln!(
                "{} ({}) is now a {}.",
                s.username,
                s.display_name,
                s.role.label()
            );
        }
        StaffCommand::Deactivate { user } => {
            let s = store.write(&me.username, clock.now(), |w| {
                store::staff::deactivate(w, user)
            })?;
            eprintln!(
                "Deactivated {}; their open dashboards stop showing records within a second.",
                s.username
            );
        }
        StaffCommand::Reactivate { user } => {
            let s = store.write(&me.username, clock.now(), |w| {
                store::staff::reactivate(w, user)
            })?;
            eprintln!("Reactivated {} as {}.", s.username, s.role.label());
        }
        StaffCommand::Set {
            user,
            email,
            hook,
            hook_to,
            quiet,
        } => {
            let clear = |v: &Option<String>| {
                v.as_ref().map(|v| {
                    let v = v.trim();
                    (!v.eq_ignore_ascii_case("none")).then(|| v.to_string())
                })
            };
            let change = store::alerts::ChannelChange {
                email: clear(email),
                hook: hook.as_deref().map(|h| h == "on"),
                hook_to: clear(hook_to),
                quiet: clear(quiet),
            };
            let c = if change.is_empty() {
                store::alerts::channels_of(&store, &me, user)?
            } else {
                store.write(&me.username, clock.now(), |w| {
                    store::alerts::set_channels(w, user, &change)
                })?
            };
            say!("email     {}", c.email.as_deref().unwrap_or("none"))?;
            say!(
                "hook      {}{}",
                if c.hook { "on" } else { "off" },
                c.hook_to
                    .as_deref()
                    .map(|t| format!(" (address {t})"))
                    .unwrap_or_default()
            )?;
            say!(
                "quiet     {}",
                c.quiet.as_deref().unwrap_or("none (alerts at any hour)")
            )?;
        }
        StaffCommand::List { json } => {
            let list = store::staff::list(&store)?;
            if *json {
                json::print("staff", crate::cli::clock()?.now(), &list)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|s| {
                        vec![
                            s.username.clone(),
                            s.display_name.clone(),
                            s.role.code().to_string(),
                            if s.active { "yes" } else { "no" }.to_string(),
                        ]
                    })
                    .collect();
                say!(
                    "{}",
                    table::render(&["ACCOUNT", "NAME", "ROLE", "ACTIVE"], &rows, &[])
                )?;
            }
        }
    }
    Ok(())
}

/// Records that records left the desk (a list, an export): every export is
/// attributable. A read-only database cannot record it, and says so.
pub(crate) fn audit_export(
    store: &mut Store,
    me: &StaffMember,
    what: &str,
    detail: &str,
) -> Outcome {
    if store.read_only() {
        eprintln!("note: read-only database, so this export is not in the audit trail");
        return Ok(());
    }
    let now = clock()?.now();
    store.write(&me.username, now, |w| {
        w.audit("export", what, None, Some(detail))
    })?;
    Ok(())
}

/// Makes `dir` as a new directory (0700) for exported attachments, with the
/// user's own credentials: refused if anything exists there, so nothing is
/// ever written into a directory someone else prepared.
pub(crate) fn workbench_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    store::files::as_user(|| std::fs::DirBuilder::new().mode(0o700).create(dir)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists: give a new directory for the attachments",
                dir.display()
            )
        } else {
            format!("{}: cannot be made: {e}", dir.display())
        }
    })
}

#[cfg(test)]
mod tests {
    /// `--help` states the one exit-status table (`domain::exit`).
    #[test]
    fn help_states_the_exit_table() {
        assert!(super::AFTER_HELP.contains(crate::domain::exit::TABLE));
    }
}
