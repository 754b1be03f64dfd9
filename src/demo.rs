//! The demo database: fictional staff and cases around the public service
//! numbers from the seed policies, so a newcomer sees a working desk at once.
//!
//! Everything is generated from a seed, so the same options give the same
//! database (tests and benchmarks rely on it). Times are placed relative to
//! `now`, so there is always something overdue and something about to be.

use crate::domain::deadline::{Facts, TriggerEvent};
use crate::domain::escalation::{AgeBand, Consent, LocationType, Risk, SubjectKind};
use crate::domain::staff::{Role, StaffMember};
use crate::store::escalations::{self, NewEscalation};
use crate::store::seed::{self, ContactSeed};
use crate::store::staff::{self, NewStaff};
use crate::store::{Result, Store, Write, settings};
use crate::store::{contacts, deadlines};
use chrono::{DateTime, Duration, Utc};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub cases: usize,
    pub org_name: String,
    /// The account running the demo; joins as a DSL and is on duty now.
    pub user: String,
    pub now: DateTime<Utc>,
    pub seed: u64,
    /// About how many cases are still open, the rest being closed history
    /// spread over up to ten years before (`demo --open`); `None` keeps the
    /// demo's own mix (the last few days' tenth open, and 3% of the rest).
    pub open: Option<usize>,
}

/// What was generated, for the one-line report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub staff: usize,
    pub escalations: usize,
    pub chronology: usize,
    pub deadlines: usize,
    pub contacts: usize,
}

/// From this many cases, the reporting indexes are built after the cases.
pub const BULK: usize = 2_000;

/// Indexes only the dashboard, reviews and reports read: writing cases
/// never looks anything up through them.
const REPORTING_INDEXES: &[&str] = &[
    "escalations_open_queue",
    "escalations_by_assignee",
    "escalations_unacknowledged",
    "escalations_open_restricted",
    "escalations_by_raised",
    "escalations_by_subject",
    "escalations_by_closed",
    "escalations_by_signed_off",
    "escalations_open_by_raised",
    "escalations_open_by_warn",
    "escalations_restricted",
    "chronology_reopened",
    "referrals_awaiting_outcome",
    "referrals_by_outcome_at",
    "deadlines_open_by_due",
    "deadlines_by_due",
    "deadlines_waived",
    "deadlines_missed",
    "deadlines_waived_by_hand",
    "deadlines_open_by_warn",
    "deadlines_restricted_open",
    "chronology_by_at",
];

/// Escalations per transaction: big enough to be fast, small enough that a
/// second session is never locked out for long.
const CHUNK: usize = 5000;

/// Fictional colleagues (username, name, role).
const STAFF: &[(&str, &str, Role)] = &[
    ("jbrennan", "Jo Brennan", Role::Dsl),
    ("okhan", "Omar Khan", Role::Dsl),
    ("amistry", "Asha Mistry", Role::Deputy),
    ("dlewis", "Dan Lewis", Role::Deputy),
    ("tnowak", "Tomasz Nowak", Role::Deputy),
    ("rwhite", "Rachel White", Role::Senior),
    ("cadeyemi", "Chioma Adeyemi", Role::Viewer),
];

const FIRST: &[&str] = &[
    "Kai", "Amira", "Leon", "Maya", "Tyler", "Zara", "Ethan", "Priya", "Jordan", "Ruby", "Callum",
    "Aisha", "Mason", "Evie", "Reece", "Layla", "Harvey", "Nadia", "Finley", "Grace",
];
const LAST: &[&str] = &[
    "Morgan", "Hussain", "Clarke", "Begum", "Walsh", "Okoro", "Price", "Singh", "Doyle",
    "Kowalski", "Hughes", "Ali", "Turner", "Mensah", "Baxter", "Rahman",
];
/// Where the fictional people live: the seed areas whose public numbers the
/// demo carries (every one has its children's, adults' and out-of-hours lines).
const AREAS: &[&str] = &["Leicester", "Leicestershire", "Rutland", "Wolverhampton"];

/// Where fictional staff work: areas with a published LADO number.
const LADO_AREAS: &[&str] = &["Leicester", "Leicestershire", "Rutland"];
const REPORTERS: &[&str] = &[
    "Youth worker, outreach team",
    "Housing officer",
    "Mentor, VRP project",
    "Receptionist",
    "Teacher (Year 9)",
    "Tenancy support worker",
    "Volunteer, helpline",
    "Caretaker",
];

/// What was said, in the person's own words (fictional), by subject kind.
const CHILD_WORDS: &[&str] = &[
    "He said \"my mum's boyfriend hits me when she's at work\" and showed a bruise on his arm.",
    "She said she is scared to go home because of the men who wait outside the flat.",
    "He told me \"they make me carry stuff to Nottingham and I can't say no\".",
    "He said \"nobody feeds us at the weekend\" and asked to take food home.",
    "She disclosed that she is being taken abroad in the summer to be married.",
    "Young person said an older man online asked for pictures and now threatens to share them.",
    "Mentor observed marks on the young person's neck; she would not say how.",
];
const ADULT_WORDS: &[&str] = &[
    "Neighbour reports the flat has had no heating for weeks and the tenant is not eating.",
    "She said her son takes her pension card and she has no money left by Tuesday.",
    "Tenant said her ex-partner followed her to work again and smashed her phone.",
    "He said \"the staff shout at me and lock the door at night\".",
    "He said he works twelve hours a day at the car wash and the boss keeps his passport.",
];
const STAFF_WORDS: &[&str] = &[
    "Colleague reports the coach messages young people late at night on a personal phone.",
    "A parent reports a youth worker gave their daughter lifts home alone, against policy.",
    "Young person said a mentor grabbed his arm hard enough to bruise during an argument.",
];
const NOTES: &[&str] = &[
    "Spoke to the referrer; account consistent with the first record.",
    "Checked previous records: two earlier concerns in the last 12 months.",
    "Discussed with the deputy DSL; agreed the threshold is met.",
    "Called the family support worker; left a message, will try again.",
    "Safety plan agreed with the young person; trusted adult identified.",
    "Manager informed; information shared on a need-to-know basis only.",
    "Follow-up visit booked; referrer asked to record any further disclosures.",
    "Strategy discussion requested by social care; attendance confirmed.",
];
const OUTCOMES: &[(&str, &str)] = &[
    (
        "referred: accepted by social care",
        "Social care accepted the referral and lead the case; our part is complete.",
    ),
    (
        "no further action: advice given",
        "Threshold not met after discussion with MASH; advice and signposting given.",
    ),
    (
        "LADO: allegation substantiated",
        "LADO process concluded; HR action taken and DBS referral made.",
    ),
    (
        "early help offered",
        "Family accepted early help; no statutory role; record closed.",
    ),
];

/// Office hours of the LLR and Wolverhampton councils' safeguarding lines
/// (the seed policies): Monday to Thursday 08:30-17:00, Friday 08:30-16:30.
const OFFICE: &str = "Mon-Thu 08:30-17:00; Fri 08:30-16:30";

/// The rest of the week: evenings (overnight), weekends and bank holidays,
/// when the out-of-hours lines answer.
const OUT_OF_HOURS: &str =
    "Mon 00:00-08:30; Mon-Thu 17:00-08:30; Fri 16:30-24:00; Sat-Sun 00:00-24:00; BH 00:00-24:00";

/// The areas of the seed policies that publish their numbers, with other
/// names people type for them.
pub const DEMO_AREAS: &[(&str, &[&str])] = &[
    ("Leicester", &["Leicester City"]),
    ("Leicestershire", &["Leics"]),
    ("Rutland", &[]),
    ("Wolverhampton", &["City of Wolverhampton"]),
];

/// Public service contacts from the seed policies (LLR OPCC §8,
/// Wolverhampton's annual report) with their published hours, each
/// out-of-hours line a contact of its own for the people it serves, and the
/// national lines that publish their numbers.
fn contacts() -> Vec<ContactSeed> {
    use crate::domain::route::Route::*;
    let c = |organisation, service, route, area, phone: Option<&'static str>, hours, fallback| {
        ContactSeed {
            organisation,
            service,
            route,
            area,
            phone,
            email: None,
            web: None,
            notes: None,
            hours,
            open_on_bank_holidays: false,
            fallback,
        }
    };
    let ceop = ContactSeed {
        web: Some("https://www.ceop.police.uk/ceop-reporting/"),
        notes: Some("No phone line: report online. A child in danger now: 999."),
        ..c(
            "National Crime Agency",
            "CEOP Safety Centre (online child sexual abuse)",
            Ceop,
            None,
            None,
            "24/7",
            None,
        )
    };
    let ms1 = ContactSeed {
        web: Some(
            "https://www.gov.uk/government/publications/duty-to-notify-the-home-office-of-potential-victims-of-modern-slavery",
        ),
        notes: Some("The MS1 form, online: an adult's details only with their consent."),
        ..c(
            "Home Office",
            "Duty to notify (MS1 form)",
            Ms1,
            None,
            None,
            "24/7",
            None,
        )
    };
    let fgm = ContactSeed {
        notes: Some("Advice. The report itself goes to the police (101): a personal duty."),
        ..c(
            "NSPCC",
            "FGM helpline",
            Other,
            None,
            Some("0800 028 3550"),
            "24/7",
            None,
        )
    };
    vec![
        /* 0 */
        c(
            "Emergency services",
            "Police, ambulance: life at risk now",
            Emergency,
            None,
            Some("999"),
            "24/7",
            None,
        ),
        /* 1 */
        c(
            "Police",
            "Non-emergency",
            Police,
            None,
            Some("101"),
            "24/7",
            None,
        ),
        /* 2 */
        c(
            "Leicester City Council",
            "Children's safeguarding (24/7)",
            Children,
            Some("Leicester"),
            Some("0116 454 1004"),
            "24/7",
            None,
        ),
        /* 3 */
        c(
            "Leicester City Council",
            "Adults' safeguarding (24/7)",
            Adults,
            Some("Leicester"),
            Some("0116 454 1004"),
            "24/7",
            None,
        ),
        /* 4 */
        c(
            "Leicestershire County Council",
            "Children's safeguarding (24/7)",
            Children,
            Some("Leicestershire"),
            Some("0116 305 0005"),
            "24/7",
            None,
        ),
        /* 5 */
        c(
            "Rutland County Council",
            "Children's referrals",
            Children,
            Some("Rutland"),
            Some("01572 758 407"),
            OFFICE,
            Some(15),
        ),
        /* 6 */
        c(
            "Leicestershire County Council",
            "Emergency Duty Team, adults (evenings, weekends, bank holidays)",
            Adults,
            Some("Leicestershire"),
            Some("0116 255 1606"),
            OUT_OF_HOURS,
            None,
        ),
        /* 7 */
        c(
            "Leicestershire County Council",
            "Adults' safeguarding",
            Adults,
            Some("Leicestershire"),
            Some("0116 305 0004"),
            OFFICE,
            Some(6),
        ),
        /* 8 */
        c(
            "Rutland County Council",
            "Adults' safeguarding",
            Adults,
            Some("Rutland"),
            Some("01572 758 341"),
            OFFICE,
            Some(16),
        ),
        /* 9 */
        c(
            "Leicester City Council",
            "LADO",
            Lado,
            Some("Leicester"),
            Some("0116 454 2440"),
            OFFICE,
            None,
        ),
        /* 10 */
        c(
            "Leicestershire County Council",
            "LADO",
            Lado,
            Some("Leicestershire"),
            Some("0116 305 4141"),
            OFFICE,
            None,
        ),
        /* 11 */
        c(
            "Rutland County Council",
            "LADO",
            Lado,
            Some("Rutland"),
            Some("01572 720 454"),
            OFFICE,
            None,
        ),
        /* 12 */
        c(
            "City of Wolverhampton Council",
            "Out of hours, children",
            Children,
            Some("Wolverhampton"),
            Some("01902 552999"),
            OUT_OF_HOURS,
            None,
        ),
        /* 13 */
        c(
            "City of Wolverhampton Council",
            "Children's safeguarding",
            Children,
            Some("Wolverhampton"),
            Some("01902 555392"),
            OFFICE,
            Some(12),
        ),
        /* 14 */
        c(
            "City of Wolverhampton Council",
            "Adults' safeguarding (over 18)",
            Adults,
            Some("Wolverhampton"),
            Some("01902 551199"),
            OFFICE,
            Some(17),
        ),
        /* 15 */
        c(
            "Leicestershire County Council",
            "Out of hours for Rutland children",
            Children,
            Some("Rutland"),
            Some("0116 305 0005"),
            OUT_OF_HOURS,
            None,
        ),
        /* 16 */
        c(
            "Leicestershire County Council",
            "Out of hours for Rutland adults",
            Adults,
            Some("Rutland"),
            Some("0116 305 0005"),
            OUT_OF_HOURS,
            None,
        ),
        /* 17 */
        c(
            "City of Wolverhampton Council",
            "Out of hours, adults",
            Adults,
            Some("Wolverhampton"),
            Some("01902 552999"),
            OUT_OF_HOURS,
            None,
        ),
        /* 18 */
        c(
            "Modern Slavery & Exploitation Helpline",
            "Advice and reports (24/7)",
            Nrm,
            None,
            Some("08000 121 700"),
            "24/7",
            None,
        ),
        /* 19 */ ms1,
        /* 20 */
        c(
            "Foreign, Commonwealth & Development Office",
            "Global Response Centre (Forced Marriage Unit out of hours)",
            Fmu,
            None,
            Some("020 7008 5000"),
            "24/7",
            None,
        ),
        /* 21 */
        c(
            "Forced Marriage Unit",
            "Helpline",
            Fmu,
            None,
            Some("020 7008 0151"),
            "Mon-Fri 09:00-17:00",
            Some(20),
        ),
        /* 22 */ ceop,
        /* 23 */ fgm,
        /* 24 */
        c(
            "Police",
            "Prevent referrals (via 101)",
            Prevent,
            None,
            Some("101"),
            "24/7",
            None,
        ),
    ]
}

/// A small deterministic generator (splitmix64): the same seed, the same demo.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Minutes in `lo..hi`.
    fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(lo + self.below((hi - lo).max(1) as usize) as i64)
    }
}

/// Adds `user` to an existing demo database as a DSL if they are not on it.
/// Refused on a real database: only its DSLs may add staff.
pub fn ensure_user(store: &mut Store, user: &str, now: DateTime<Utc>) -> Result<()> {
    if staff::find(store, user)?.is_some() {
        return Ok(());
    }
    store.write(user, now, |w| {
        staff::join_demo(
            w,
            &NewStaff {
                username: user,
                display_name: user,
                role: Role::Dsl,
            },
        )
        .map(|_| ())
    })
}

/// Fills an empty database with the demo. Safe to interrupt: each chunk is one
/// transaction, and the caller removes a file it could not finish.
pub fn generate(store: &mut Store, opts: &DemoOptions) -> Result<DemoSummary> {
    let mut rng = Rng(opts.seed);
    let now = opts.now;
    let mut summary = DemoSummary::default();
    // A big page cache while generating: a decade of history touches every
    // index page many times, and the default 2 MB cache would thrash.
    store.conn().pragma_update(None, "cache_size", -262_144)?;

    let team = store.write(&opts.user, now, |w| {
        // The database's creation, as `init` records it for real ones: the
        // demo flag below must be matched by this row (`verify` checks).
        w.audit("create", "database", None, Some("demo"))?;
        seed::defaults(w, &opts.org_name)?;
        settings::set(w, settings::DEMO, "1")?;
        let me = staff::bootstrap(
            w,
            &NewStaff {
                username: &opts.user,
                display_name: &opts.user,
                role: Role::Dsl,
            },
        )?;
        let mut team = vec![me];
        for (username, name, role) in STAFF {
            if *username == opts.user {
                continue;
            }
            // The demo flag is set above: the generator adds its
            // fictional colleagues without a senior lead's say-so.
            team.push(staff::join_demo(
                w,
                &NewStaff {
                    username,
                    display_name: name,
                    role: *role,
                },
            )?);
        }
        rota(w, &team, now)?;
        seed::demo_review_history(w)?;
        seed::areas(w, DEMO_AREAS)?;
        summary.contacts = seed::contacts(w, &contacts())?.len();
        summary.contacts += directory(w, opts.cases)?;
        Ok(team)
    })?;
    summary.staff = team.len();

    let plans = match opts.open {
        None => plan(&mut rng, opts.cases, now),
        Some(open) => plan_history(&mut rng, opts.cases, open, now),
    };
    // A big history loads faster with the dashboard's and the reviews'
    // indexes built once at the end than kept up row by row.
    let rebuild = if opts.cases >= BULK {
        seed::demo_drop_indexes(store.conn(), REPORTING_INDEXES)?
    } else {
        Vec::new()
    };
    for chunk in plans.chunks(CHUNK) {
        store.write(&opts.user, now, |w| {
            for p in chunk {
                summary.chronology += write_case(w, &mut rng, &team, p, now)?;
                summary.escalations += 1;
            }
            w.audit(
                "demo",
                "escalations",
                None,
                Some(&format!("{} fictional escalations", chunk.len())),
            )
        })?;
    }
    seed::demo_rebuild_indexes(store.conn(), &rebuild)?;
    summary.deadlines = deadlines::total(store.conn())? as usize;
    Ok(summary)
}

/// Fictional towns: a large demo's directory covers a region of them, so
/// that searching and filtering contacts are measured at a realistic size.
const TOWNS: &[&str] = &[
    "Ashmere",
    "Brackenford",
    "Coldwater",
    "Dunholme",
    "Eastlow",
    "Fernbridge",
    "Greyhaven",
    "Holloway Cross",
    "Ivybank",
    "Kestrel Vale",
    "Larchfield",
    "Millbrook",
    "Northwick",
    "Oakenshaw",
    "Pendle Green",
    "Queensmere",
    "Ravenscar",
    "Stonebridge",
    "Thornbury Heath",
    "Upperton",
    "Westfold",
    "Yarrowby",
];

/// Services each town has, with the route they take and their hours.
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "Children's front door (MASH)",
        "children",
        "Mon-Thu 08:30-17:00; Fri 08:30-16:30",
    ),
    (
        "Adult social care safeguarding",
        "adults",
        "Mon-Fri 09:00-17:00",
    ),
    (
        "Emergency duty team",
        "children",
        "Mon 00:00-08:30; Mon-Thu 17:00-08:30; Fri 16:30-24:00; Sat-Sun 00:00-24:00; BH 00:00-24:00",
    ),
    (
        "Local authority designated officer",
        "lado",
        "Mon-Fri 09:00-17:00",
    ),
    ("MARAC coordinator", "marac", "Mon-Fri 09:00-16:00"),
    (
        "Neighbourhood policing team",
        "police",
        "Mon-Sun 08:00-22:00",
    ),
    ("Early help hub", "other", "Mon-Fri 09:00-17:00"),
];

/// Contacts for a big demo: one for every 200 cases, the real public
/// services at least, in fictional towns, on Ofcom's numbers reserved for
/// drama (01632 960000-960999), so none of them rings anyone.
fn directory(w: &mut Write<'_>, cases: usize) -> Result<usize> {
    let wanted = (cases / 200).saturating_sub(contacts().len()).min(1000);
    if wanted > 0 {
        let towns: Vec<(&str, &[&str])> = TOWNS.iter().map(|t| (*t, &[][..])).collect();
        seed::areas(w, &towns)?;
    }
    for i in 0..wanted {
        let town = TOWNS[i % TOWNS.len()];
        let (service, route, hours) = SERVICES[(i / TOWNS.len()) % SERVICES.len()];
        let round = i / (TOWNS.len() * SERVICES.len());
        contacts::save(
            w,
            None,
            &contacts::ContactInput {
                organisation: if round == 0 {
                    format!("{town} Council")
                } else {
                    format!("{town} Council (office {})", round + 1)
                },
                service: service.to_string(),
                route: route.to_string(),
                area: town.to_string(),
                phone: format!("01632 960{:03}", i),
                email: String::new(),
                web: String::new(),
                notes: "Fictional demo contact.".into(),
                hours: hours.to_string(),
                open_on_bank_holidays: false,
                fallback_id: None,
            },
        )?;
    }
    Ok(wanted)
}

/// The demo user is on duty now; the DSLs and deputies cover the week around.
fn rota(w: &mut Write<'_>, team: &[StaffMember], now: DateTime<Utc>) -> Result<()> {
    let me = &team[0];
    let duty: Vec<&StaffMember> = team
        .iter()
        .filter(|s| matches!(s.role, Role::Dsl | Role::Deputy))
        .collect();
    let start = now - Duration::hours(4);
    seed::demo_rota(
        w,
        me.id,
        start.timestamp(),
        (start + Duration::hours(12)).timestamp(),
    )?;
    for day in 1..7i64 {
        let who = duty[day as usize % duty.len()];
        let from = start + Duration::hours(12 * day);
        seed::demo_rota(
            w,
            who.id,
            from.timestamp(),
            (from + Duration::hours(12)).timestamp(),
        )?;
        let back = start - Duration::hours(12 * day);
        seed::demo_rota(
            w,
            who.id,
            back.timestamp(),
            (back + Duration::hours(12)).timestamp(),
        )?;
    }
    w.audit("add", "rota", None, Some("demo shifts"))
}

/// One case to generate: when it was raised and whether it is still open.
#[derive(Debug, Clone, Copy)]
struct Plan {
    raised_at: DateTime<Utc>,
    open: bool,
    /// Set on the few cases placed to show each state of a deadline: their
    /// kind and critical-incident flag are fixed and their deadlines left open.
    showcase: Option<(SubjectKind, bool)>,
}

/// Cases that make sure the desk shows something new, something due within
/// the warning window and something overdue, on any day of the week:
/// (age in minutes, kind, critical incident). A Home Office report is due one
/// calendar day after a critical incident, so these land the same on weekends.
const SHOWCASE: &[(i64, SubjectKind, bool)] = &[
    (25, SubjectKind::Child, false), // nobody has taken it within 15 minutes
    (21 * 60, SubjectKind::Adult, true), // Home Office report due in about 3h
    (29 * 60 + 20, SubjectKind::Staff, true), // Home Office report overdue by about 5h
];

/// Spreads cases over time, oldest first so references run in date order.
/// Recent cases are mostly open; older ones mostly closed, like a real desk.
fn plan(rng: &mut Rng, cases: usize, now: DateTime<Utc>) -> Vec<Plan> {
    // A real desk sees a few cases a day; big runs stretch back up to five years.
    let span_days = (cases as i64 / 3).clamp(30, 5 * 365);
    let showcase = if cases >= 2 * SHOWCASE.len() {
        SHOWCASE
    } else {
        &[]
    };
    let mut plans: Vec<Plan> = (0..cases - showcase.len())
        .map(|i| {
            // The first tenth (at least six) are the last few days' work.
            let recent = i < (cases / 10).max(6);
            let age = if recent {
                rng.minutes(20, 5 * 24 * 60)
            } else {
                rng.minutes(0, span_days * 24 * 60)
            };
            let open = if recent || age < Duration::days(21) {
                true
            } else {
                rng.chance(if cases <= 100 { 30 } else { 3 })
            };
            Plan {
                raised_at: now - age,
                open,
                showcase: None,
            }
        })
        .collect();
    plans.extend(showcase.iter().map(|(mins, kind, critical)| Plan {
        raised_at: now - Duration::minutes(*mins),
        open: true,
        showcase: Some((*kind, *critical)),
    }));
    plans.sort_by_key(|p| p.raised_at);
    plans
}

/// The realistic shape of a long-kept desk (`demo --open M`): about `open`
/// cases open, nearly all of them the newest (half raised in the last five
/// days), 3% of them older cases still open; everything else closed, spread
/// over up to ten years. Oldest first, like [`plan`].
fn plan_history(rng: &mut Rng, cases: usize, open: usize, now: DateTime<Utc>) -> Vec<Plan> {
    let open = open.min(cases);
    let span_days = (cases as i64 / 3).clamp(30, 10 * 365);
    let showcase = if cases >= 2 * SHOWCASE.len() && open >= SHOWCASE.len() {
        SHOWCASE
    } else {
        &[]
    };
    let generated = cases - showcase.len();
    let recent = (open / 2).min(generated);
    let mut plans: Vec<Plan> = (0..generated)
        .map(|i| Plan {
            raised_at: now
                - if i < recent {
                    rng.minutes(20, 5 * 24 * 60)
                } else {
                    rng.minutes(0, span_days * 24 * 60)
                },
            open: false,
            showcase: None,
        })
        .collect();
    plans.sort_by_key(|p| p.raised_at);
    let wanted = open.saturating_sub(showcase.len());
    let newest = (wanted * 97 / 100).min(generated);
    let stragglers = wanted - newest;
    let older = generated - newest;
    for p in &mut plans[older..] {
        p.open = true;
    }
    for p in &mut plans[..older] {
        p.open = rng.below(older.max(1)) < stragglers;
    }
    plans.extend(showcase.iter().map(|(mins, kind, critical)| Plan {
        raised_at: now - Duration::minutes(*mins),
        open: true,
        showcase: Some((*kind, *critical)),
    }));
    plans.sort_by_key(|p| p.raised_at);
    plans
}

/// Writes one case with its story so far. Returns its chronology rows.
fn write_case(
    w: &mut Write<'_>,
    rng: &mut Rng,
    team: &[StaffMember],
    p: &Plan,
    now: DateTime<Utc>,
) -> Result<usize> {
    let kind = p.showcase.map(|s| s.0).unwrap_or(match rng.below(100) {
        0..=49 => SubjectKind::Child,
        50..=84 => SubjectKind::Adult,
        _ => SubjectKind::Staff,
    });
    let age_band = match kind {
        SubjectKind::Child => *rng.pick(&[
            AgeBand::From1,
            AgeBand::From5,
            AgeBand::From10,
            AgeBand::From16,
        ]),
        SubjectKind::Adult => *rng.pick(&[
            AgeBand::From18,
            AgeBand::From18,
            AgeBand::From65,
            AgeBand::From75,
            AgeBand::From85,
        ]),
        SubjectKind::Staff => AgeBand::From18,
    };
    let categories: Vec<String> = match kind {
        SubjectKind::Child => pick_some(
            rng,
            &[
                "physical",
                "emotional",
                "sexual",
                "neglect",
                "cce",
                "county_lines",
                "online",
                "missing",
                "fgm",
                "forced_marriage",
            ],
        ),
        SubjectKind::Adult => pick_some(
            rng,
            &[
                "domestic",
                "psychological",
                "financial",
                "self_neglect",
                "modern_slavery",
                "organisational",
                "stalking",
                "honour_based",
                "mental_health",
            ],
        ),
        SubjectKind::Staff => pick_some(rng, &["physical", "sexual", "emotional", "online"]),
    };
    let risk = match rng.below(100) {
        0..=24 => Risk::High,
        25..=69 => Risk::Medium,
        _ => Risk::Low,
    };
    let subject_name = match kind {
        SubjectKind::Staff => format!("{} {} (staff)", rng.pick(FIRST), rng.pick(LAST)),
        _ => format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
    };
    let critical = match p.showcase {
        Some((_, critical)) => critical,
        None => rng.chance(4),
    };
    let restricted = kind == SubjectKind::Staff && rng.chance(15);
    // When it happened: mostly within three hours of being recorded; one in
    // ten was recorded a day or more late (its deadlines counted from the
    // disclosure show it). One draw either way, so the sequence is unchanged.
    let gap = rng.minutes(0, 1000).num_minutes();
    let occurred_at = if p.showcase.is_some() {
        p.raised_at
    } else if gap < 900 {
        p.raised_at - Duration::minutes(gap * 180 / 900)
    } else {
        p.raised_at - Duration::minutes(24 * 60 + (gap - 900) * 48 * 60 / 100)
    };
    // The first showcase case is the newest: life at risk and no 999 call
    // recorded yet, so the desk shows what it does with one.
    let life_at_risk_showcase = p.showcase.is_some_and(|s| s.0 == SHOWCASE[0].1)
        && now - p.raised_at < Duration::minutes(SHOWCASE[0].0 + 1);
    let immediate_risk = (risk == Risk::High && rng.chance(20)) || life_at_risk_showcase;
    let risk = if life_at_risk_showcase {
        Risk::High
    } else {
        risk
    };
    // FGM as the duty is written: known (disclosed or seen) for one in three.
    let fgm = categories.iter().any(|c| c == "fgm").then(|| {
        if p.raised_at.timestamp() % 3 == 0 {
            crate::domain::escalation::Fgm::Known
        } else {
            crate::domain::escalation::Fgm::AtRisk
        }
    });
    let new = NewEscalation {
        subject_kind: kind,
        subject_name,
        subject_dob: None,
        age_band,
        area: rng.pick(AREAS).to_string(),
        location_type: *rng.pick(LocationType::ALL),
        risk,
        raised_by: rng.pick(REPORTERS).to_string(),
        raised_by_role: None,
        raised_by_contact: None,
        imported: false,
        raised_at: p.raised_at,
        occurred_at: Some(occurred_at),
        occurred_place: Some(
            match place_of(p.raised_at.timestamp()) {
                0 => "the project's drop-in session",
                1 => "a phone call to the helpline",
                2 => "a home visit",
                _ => "school (told to a mentor)",
            }
            .to_string(),
        ),
        exact_words: rng
            .pick(match kind {
                SubjectKind::Child => CHILD_WORDS,
                SubjectKind::Adult => ADULT_WORDS,
                SubjectKind::Staff => STAFF_WORDS,
            })
            .to_string(),
        appearance: rng
            .chance(40)
            .then(|| "Quiet, avoided eye contact, sleeves pulled down.".to_string()),
        consent: *rng.pick(&[
            Consent::Given,
            Consent::Sought,
            Consent::Refused,
            Consent::NotSoughtUnsafe,
        ]),
        consent_reason: Some("Recorded at intake with the referrer.".into()),
        immediate_risk,
        critical_incident: critical,
        restricted,
        categories,
        low_level: false,
        // Staff work in an area with a LADO, chosen without the generator
        // so the rest of the demo stays as it was.
        work_area: (kind == SubjectKind::Staff).then(|| {
            LADO_AREAS[(p.raised_at.timestamp() / 60) as usize % LADO_AREAS.len()].to_string()
        }),
        works_with: (kind == SubjectKind::Staff)
            .then_some(crate::domain::escalation::WorksWith::Children),
        fgm,
    };
    // Viewers read; they do not record.
    let writers: Vec<&StaffMember> = team.iter().filter(|s| s.role != Role::Viewer).collect();
    let author = writers[rng.below(writers.len())].id;
    let (id, reference) = escalations::insert(w, author, &new)?;
    // One case in 25 about a child or an adult is linked to the latest
    // earlier case about someone of the same name in the same area (issue
    // 18: a person's chronology, REPEAT). Chosen without the generator, so
    // the rest of the demo stays as it was.
    if kind != SubjectKind::Staff && id % 25 == 0 {
        seed::demo_link_same_person(w, id, author, p.raised_at, &new.area)?;
    }
    if restricted {
        seed::demo_access(w, id, team[0].id, "named")?;
        crate::store::access::record_access(w, id, &reference)?;
    }
    let mut chronology = 1;
    // Known FGM: the teacher who saw it told the police within a few hours
    // (the record names them and the police reference), on all but the
    // freshest cases.
    if fgm == Some(crate::domain::escalation::Fgm::Known) && now - p.raised_at > Duration::hours(6)
    {
        let told = p.raised_at + Duration::hours(3);
        let reference = format!("PR-{:06}", id * 37 % 1_000_000);
        seed::demo_fgm_report(w, id, "Class teacher", &reference, told.timestamp())?;
        escalations::add_chronology(
            w,
            id,
            author,
            told,
            "note",
            &format!(
                "Known FGM reported to the police by Class teacher (who discovered it), police reference {reference}."
            ),
        )?;
        chronology += 1;
        for rule in ["fgm_police_next_day", "fgm_police"] {
            meet(w, id, rule, told, author)?;
        }
    }
    // Life at risk: 999 was called within minutes, except on the newest
    // showcase case (the desk keeps it at the top until the call is recorded).
    if immediate_risk && !life_at_risk_showcase {
        let called = p.raised_at + Duration::minutes(3);
        seed::demo_999(w, id, called.min(now).timestamp())?;
        escalations::add_chronology(
            w,
            id,
            author,
            called.min(now),
            "emergency_call",
            "999 called at intake.",
        )?;
        chronology += 1;
    }

    // The story so far, in time order, never later than now.
    let assignee = writers[rng.below(writers.len())];
    let mut at = p.raised_at;
    let mut step = |rng: &mut Rng, lo: i64, hi: i64| {
        at += rng.minutes(lo, hi);
        (at < now).then_some(at)
    };

    // The rules set this case's deadlines when it was recorded; the exact
    // words recorded at intake met the written record.

    // Fresh cases (the last couple of hours) are still waiting to be picked up.
    let fresh = p.open
        && now - p.raised_at < Duration::hours(3)
        && (p.showcase.is_some() || rng.chance(70));
    if fresh {
        return Ok(chronology);
    }
    let Some(ack_at) = step(rng, 5, 90) else {
        return Ok(chronology);
    };
    escalations::add_chronology(
        w,
        id,
        assignee.id,
        ack_at,
        "acknowledged",
        "Acknowledged by the duty DSL.",
    )?;
    escalations::add_chronology(
        w,
        id,
        assignee.id,
        ack_at,
        "assigned",
        &format!("Assigned to {}.", assignee.display_name),
    )?;
    chronology += 2;
    let mut status = "assigned";
    for _ in 0..rng.below(4) + 1 {
        if let Some(t) = step(rng, 30, 12 * 60) {
            let note = *rng.pick::<&str>(NOTES);
            escalations::add_chronology(w, id, assignee.id, t, "note", note)?;
            chronology += 1;
        }
    }

    let route = match kind {
        SubjectKind::Child => "children",
        SubjectKind::Adult => "adults",
        SubjectKind::Staff => "lado",
    };
    let referred = p.showcase.is_none() && (!p.open || rng.chance(60));
    if referred && let Some(t) = step(rng, 20, 8 * 60) {
        let agency_ref = format!("{}-{:05}", route.to_uppercase(), rng.below(100_000));
        seed::demo_referral(
            w,
            id,
            route,
            assignee.id,
            t.timestamp(),
            Some(&agency_ref),
            None,
        )?;
        escalations::add_chronology(
            w,
            id,
            assignee.id,
            t,
            "referral",
            &format!(
                "Referred by phone ({}); their reference {agency_ref}.",
                crate::domain::route::short_of(route)
            ),
        )?;
        chronology += 1;
        status = "referred";
        if kind == SubjectKind::Staff {
            meet(w, id, "lado_referral", t, assignee.id)?;
        }
        let facts = Facts {
            route: Some(route.to_string()),
            ..Facts::default()
        };
        deadlines::fire(w, id, TriggerEvent::ReferralMade, &facts, t, None)?;
        let referred_at = t;
        // Closed cases carry a fuller history, without touching the random
        // sequence (so a small demo's open cases stay as they are): the
        // referral confirmed in writing and, for a child, the strategy
        // discussion that sets the child protection conference's deadline.
        if !p.open {
            escalations::add_chronology(
                w,
                id,
                assignee.id,
                t + Duration::hours(2),
                "note",
                "Referral confirmed in writing on the agency's form.",
            )?;
            chronology += 1;
            if kind == SubjectKind::Child {
                let held = t + Duration::hours(4);
                escalations::add_chronology(
                    w,
                    id,
                    assignee.id,
                    held,
                    "note",
                    "Strategy discussion held with social care and police.",
                )?;
                chronology += 1;
                let facts = Facts {
                    event: Some("strategy_discussion".into()),
                    ..Facts::default()
                };
                deadlines::fire(w, id, TriggerEvent::EventRecorded, &facts, held, None)?;
            }
        }
        let mut chased = false;
        if rng.chance(50)
            && let Some(t) = step(rng, 60, 24 * 60)
        {
            escalations::add_chronology(
                w,
                id,
                assignee.id,
                t,
                "note",
                "Chased the agency for their decision.",
            )?;
            chronology += 1;
            status = "awaiting_outcome";
            chased = true;
        }
        // The agency's decision: every closed case has one; open ones not
        // still being chased, about half the time. It meets the chase.
        let decided_at = (referred_at + Duration::hours(20)).min(now);
        if !p.open || (!chased && p.raised_at.timestamp() % 2 == 0) {
            let code = demo_outcome(route, p.raised_at.timestamp());
            seed::demo_outcome(w, id, code, decided_at.timestamp())?;
            escalations::add_chronology(
                w,
                id,
                assignee.id,
                decided_at,
                "outcome",
                &format!(
                    "Outcome of the referral to {}: {}.",
                    crate::domain::route::short_of(route),
                    code.replace('_', " ")
                ),
            )?;
            chronology += 1;
            for rule in ["childrens_decision", "s42_decision"] {
                meet(w, id, rule, decided_at, assignee.id)?;
            }
        }
    }
    if critical
        && p.showcase.is_none()
        && let Some(t) = step(rng, 60, 20 * 60)
    {
        meet(w, id, "home_office_initial", t, assignee.id)?;
    }

    // What is left of older deadlines was usually dealt with in time; a few
    // recent ones were missed, as on any desk.
    if p.open && p.showcase.is_none() {
        let cutoff = if rng.chance(85) {
            now
        } else {
            now - Duration::days(2)
        };
        seed::demo_meet_due_before(w, id, cutoff.timestamp(), assignee.id)?;
    }

    let closed = if !p.open {
        let t = step(rng, 24 * 60, 14 * 24 * 60).unwrap_or(now - Duration::minutes(1));
        let (outcome, rationale) = rng.pick(OUTCOMES);
        escalations::add_chronology(w, id, assignee.id, t, "closed", rationale)?;
        if t + Duration::hours(1) < now {
            escalations::add_chronology(
                w,
                id,
                assignee.id,
                t + Duration::hours(1),
                "note",
                "Outcome shared with the referrer.",
            )?;
            chronology += 1;
        }
        chronology += 1;
        // A closed case has no live deadlines: whatever was left was met.
        meet_all(w, id, t, assignee.id)?;
        status = "closed";
        Some((assignee.id, t.timestamp(), *outcome, *rationale))
    } else {
        None
    };
    seed::demo_state(
        w,
        id,
        status,
        Some(assignee.id),
        Some((assignee.id, ack_at.timestamp())),
        closed,
    )?;
    Ok(chronology)
}

/// A receiving agency's decision for a demo referral, chosen by `n`.
fn demo_outcome(route: &str, n: i64) -> &'static str {
    let list: &[&str] = match route {
        "children" => &[
            "accepted_for_assessment",
            "strategy_s47",
            "no_further_action",
            "advice_given",
            "early_help",
        ],
        "adults" => &[
            "s42_enquiry",
            "other_enquiry",
            "no_further_action",
            "advice_given",
        ],
        "lado" => &[
            "substantiated",
            "unsubstantiated",
            "unfounded",
            "false",
            "below_threshold",
        ],
        _ => &["outcome_received"],
    };
    list[(n.unsigned_abs() as usize / 7) % list.len()]
}

/// Where a demo disclosure was made, chosen by `n`.
fn place_of(n: i64) -> usize {
    (n.unsigned_abs() as usize / 11) % 4
}

/// One to three categories from `from`, no repeats.
fn pick_some(rng: &mut Rng, from: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for _ in 0..rng.below(3) + 1 {
        let c = rng.pick(from).to_string();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn meet(w: &Write<'_>, id: i64, rule: &str, at: DateTime<Utc>, by: i64) -> Result<()> {
    seed::demo_meet(w, id, Some(rule), at.timestamp(), by)
}

fn meet_all(w: &Write<'_>, id: i64, at: DateTime<Utc>, by: i64) -> Result<()> {
    seed::demo_meet(w, id, None, at.timestamp(), by)
}
