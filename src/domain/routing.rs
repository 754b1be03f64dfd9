//! Which referral routes fit an escalation, most fitting first, each with a
//! short reason (DOMAIN.md's routes table and practice notes):
//!
//! * immediate risk to life: 999 first;
//! * a missing child or adult at risk: the police first (101, or 999 at
//!   immediate risk);
//! * a child: the children's MASH where the child lives (Working Together
//!   2023 ch. 2); an adult at risk: adult safeguarding where they live (Care
//!   Act 2014 s42);
//! * an allegation about someone working with children: the LADO where they
//!   work (KCSIE 2024 Part 4 s1); with adults at risk: the PiPoT lead of adult
//!   safeguarding (Care and Support statutory guidance 14.122-14.132); a
//!   low-level concern (KCSIE Part 4 s2): no LADO referral unless the harm
//!   threshold is met;
//! * FGM on a girl under 18: the police, a personal duty (FGM Act 2003 s5B);
//! * MARAC: high-risk domestic abuse, high-risk stalking, so-called
//!   honour-based abuse or forced marriage, or a repeat (a third concern in
//!   12 months) (SafeLives MARAC guidance);
//! * modern slavery: a child to the NRM (no consent needed); an adult to the
//!   NRM only with informed consent, else the MS1 duty to notify (Modern
//!   Slavery Act 2015 s52); child criminal exploitation and county lines are
//!   modern slavery: the NRM for a child;
//! * radicalisation: Prevent; online sexual abuse of a child: CEOP; forced
//!   marriage: the Forced Marriage Unit; a crime: the police; a critical
//!   incident: the Home Office; a person removed from regulated activity: DBS.

use super::escalation::{AgeBand, Consent, Risk, SubjectKind, WorksWith};
use super::route::Route;
use serde::Serialize;

/// A route offered for a referral, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub route: Route,
    /// The short reason shown beside it (for routes that do not fit, the
    /// route's own name).
    pub why: String,
    /// Fits this escalation (false: offered only so every route can be chosen).
    pub fits: bool,
    /// Said before a referral on this route is made, e.g. an adult's NRM
    /// referral without recorded consent.
    pub warning: Option<String>,
}

/// What routing looks at.
#[derive(Debug, Clone, Default)]
pub struct Case<'a> {
    pub subject: Option<SubjectKind>,
    pub categories: &'a [String],
    pub risk: Option<Risk>,
    pub immediate_risk: bool,
    pub critical_incident: bool,
    /// None: not known.
    pub age_band: Option<AgeBand>,
    pub consent: Option<Consent>,
    /// A low-level concern about staff (KCSIE Part 4 s2).
    pub low_level: bool,
    /// For staff: whom they work with (children if not known).
    pub works_with: Option<WorksWith>,
    /// Earlier concerns about the same person linked within 12 months.
    pub linked_12m: i64,
}

/// Where an allegation about a member of staff or volunteer goes: the LADO
/// for someone working with children (KCSIE 2024 Part 4 s1), the PiPoT lead
/// of adult safeguarding for someone in a position of trust with adults at
/// risk (Care and Support statutory guidance 14.122-14.132), both for both;
/// children when not known. None for a low-level concern (KCSIE Part 4 s2).
/// The one decision the refer form's suggestions and the deadline rules
/// (`allegation:lado`, `allegation:pipot`) share, so the LADO clock never
/// runs for an allegation routing sends to PiPoT.
pub fn allegation_routes(low_level: bool, works_with: Option<WorksWith>) -> &'static [Route] {
    if low_level {
        return &[];
    }
    match works_with.unwrap_or(WorksWith::Children) {
        WorksWith::Children => &[Route::Lado],
        WorksWith::Adults => &[Route::Pipot],
        WorksWith::Both => &[Route::Lado, Route::Pipot],
    }
}

/// Categories that may be a crime: the police are offered.
const CRIMES: &[&str] = &[
    "sexual",
    "physical",
    "exploitation",
    "cse",
    "cce",
    "county_lines",
    "cuckooing",
    "serious_violence",
    "stalking",
    "honour_based",
    "forced_marriage",
    "hate_crime",
    "online",
    "modern_slavery",
];

/// Every route, the fitting ones first (in order of what to do first), each once.
pub fn suggest(c: &Case<'_>) -> Vec<Suggestion> {
    let has = |code: &str| c.categories.iter().any(|x| x == code);
    let child = c.subject == Some(SubjectKind::Child);
    let adult = c.subject == Some(SubjectKind::Adult);
    let staff = c.subject == Some(SubjectKind::Staff);
    let mut out: Vec<Suggestion> = Vec::new();
    let mut add = |route: Route, why: String, fits: bool, warning: Option<String>| {
        if !out.iter().any(|s| s.route == route) {
            out.push(Suggestion {
                route,
                why,
                fits,
                warning,
            });
        }
    };
    let fit = |add: &mut dyn FnMut(Route, String, bool, Option<String>), r: Route, why: &str| {
        add(r, why.to_string(), true, None);
    };
    if c.immediate_risk {
        fit(
            &mut add,
            Route::Emergency,
            "immediate risk to life: ring 999 first",
        );
    }
    if has("missing") && child {
        fit(
            &mut add,
            Route::Police,
            "a missing child: report to the police first (101, or 999 if at immediate risk)",
        );
    }
    if has("missing") && adult {
        fit(
            &mut add,
            Route::Police,
            "a missing adult at risk: report to the police first (101, or 999 if at immediate risk)",
        );
    }
    match c.subject {
        Some(SubjectKind::Child) => fit(
            &mut add,
            Route::Children,
            if c.age_band == Some(AgeBand::Unborn) {
                "an unborn child: a pre-birth referral to the MASH where the mother lives"
            } else {
                "a child: the MASH (front door) where the child lives"
            },
        ),
        Some(SubjectKind::Adult) => fit(
            &mut add,
            Route::Adults,
            "an adult at risk: adult safeguarding where they live (a s42 concern)",
        ),
        Some(SubjectKind::Staff) if c.low_level => add(
            Route::Lado,
            "low-level concern (KCSIE Part 4 s2): no LADO referral unless the harm threshold is met or a pattern emerges; ask the LADO if unsure".into(),
            false,
            None,
        ),
        Some(SubjectKind::Staff) => {
            for r in allegation_routes(c.low_level, c.works_with) {
                let why = if *r == Route::Lado {
                    "an allegation about someone working with children: the LADO where they work, within 1 working day, before speaking to the person"
                } else {
                    "an allegation about someone in a position of trust with adults at risk: the PiPoT lead in adult safeguarding where they work"
                };
                fit(&mut add, *r, why);
            }
        }
        None => {}
    }
    if has("fgm") && child {
        fit(
            &mut add,
            Route::Police,
            "FGM on a girl under 18: a personal duty to report to the police (101)",
        );
    }
    // MARAC: for victims of 16 and over, never for an allegation about staff.
    let marac_age = !staff
        && !matches!(
            c.age_band,
            Some(
                AgeBand::Unborn
                    | AgeBand::Under1
                    | AgeBand::From1
                    | AgeBand::Legacy0to4
                    | AgeBand::From5
                    | AgeBand::From10
            )
        );
    let high = c.risk == Some(Risk::High);
    let repeat = c.linked_12m + 1 >= 3;
    if marac_age {
        let why = if has("domestic") && high {
            Some("high-risk domestic abuse (DASH 14+ or professional judgement)".to_string())
        } else if has("stalking") && high {
            Some("high-risk stalking: MARAC on professional judgement".to_string())
        } else if has("honour_based") && high {
            Some(
                "so-called honour-based abuse at high risk: MARAC on professional judgement"
                    .to_string(),
            )
        } else if has("forced_marriage") && high {
            Some("forced marriage at high risk: MARAC on professional judgement".to_string())
        } else if repeat
            && ["domestic", "stalking", "honour_based", "forced_marriage"]
                .iter()
                .any(|x| has(x))
        {
            Some(format!(
                "a repeat: concern {} about this person in 12 months (MARAC repeat criterion)",
                c.linked_12m + 1
            ))
        } else {
            None
        };
        if let Some(why) = why {
            add(Route::Marac, why, true, None);
        }
    }
    if has("forced_marriage") {
        fit(
            &mut add,
            Route::Fmu,
            "forced marriage: the Forced Marriage Unit (advice, and help abroad), with the police",
        );
    }
    let adult_without_consent = adult && c.consent != Some(Consent::Given);
    if has("modern_slavery") {
        if adult_without_consent {
            fit(
                &mut add,
                Route::Ms1,
                "adult modern slavery without recorded consent: the MS1 duty to notify (anonymous), not the NRM",
            );
        } else {
            fit(
                &mut add,
                Route::Nrm,
                if child {
                    "a child in modern slavery: the NRM via the local authority (no consent needed for a child)"
                } else {
                    "modern slavery with the adult's informed consent: the NRM"
                },
            );
        }
    }
    if child && (has("cce") || has("county_lines") || has("exploitation")) {
        fit(
            &mut add,
            Route::Nrm,
            "child criminal exploitation / county lines is modern slavery: the NRM for a child (no consent needed)",
        );
    }
    if has("radicalisation") {
        fit(
            &mut add,
            Route::Prevent,
            "radicalisation: a Prevent referral (police / local authority Prevent lead)",
        );
    }
    if child && has("online") {
        fit(
            &mut add,
            Route::Ceop,
            "online abuse of a child: report online sexual abuse or grooming to CEOP",
        );
    }
    if c.critical_incident {
        fit(
            &mut add,
            Route::HomeOffice,
            "critical incident: Home Office report within a calendar day",
        );
    }
    if CRIMES.iter().any(|x| has(x)) {
        fit(
            &mut add,
            Route::Police,
            "a crime may have been committed: the police (101)",
        );
    }
    if staff {
        add(
            Route::Dbs,
            "if the person is removed from regulated activity (a legal duty to refer)".into(),
            !c.low_level,
            None,
        );
    }
    for r in Route::ALL {
        add(*r, r.label().to_string(), false, None);
    }
    // Warnings on routes that need something the record lacks.
    for s in &mut out {
        if s.route == Route::Nrm && adult && c.consent == Some(Consent::UnableCapacity) {
            s.warning = Some(nrm_without_capacity());
        } else if s.route == Route::Nrm && adult_without_consent {
            s.warning = Some(nrm_without_consent());
        }
        if s.route == Route::Ms1 && child {
            s.warning = Some("a child goes to the NRM, never MS1: no consent is needed".into());
        }
    }
    // Fitting first, in the order added; the rest after, in the same order.
    out.sort_by_key(|s| !s.fits);
    out
}

fn nrm_without_capacity() -> String {
    "the adult is recorded as unable to consent (capacity), so they cannot give the informed consent an NRM referral needs: notify the Home Office on MS1 (the duty to notify, anonymous); decisions in their best interests (Mental Capacity Act 2005) are made outside this desk: record them in a note".into()
}

/// Whether the refer form may offer "the adult has now consented" for an
/// NRM referral: only for an adult whose consent is not recorded and who is
/// not recorded as lacking capacity (who cannot give it).
pub fn may_confirm_consent(c: &Case<'_>) -> bool {
    c.subject == Some(SubjectKind::Adult)
        && !matches!(c.consent, Some(Consent::Given | Consent::UnableCapacity))
}

fn nrm_without_consent() -> String {
    "an adult's NRM referral needs their informed consent, and none is recorded: use MS1 (the duty to notify, anonymous) instead, or record that they have now consented".into()
}

/// Whether a referral on `route` may be made for this case: an adult's NRM
/// referral needs informed consent (given at intake, or confirmed now with
/// `consented`), which an adult recorded as lacking capacity cannot give
/// (refused whatever `consented` says: MS1 instead; best-interests decisions
/// are outside the desk); a child is never notified on MS1. Returns a line
/// for the chronology when consent was confirmed at referral. The refusal
/// says what to do instead.
pub fn check_referral(
    c: &Case<'_>,
    route: Route,
    consented: bool,
) -> Result<Option<String>, String> {
    let adult = c.subject == Some(SubjectKind::Adult);
    match route {
        Route::Nrm if adult && c.consent == Some(Consent::UnableCapacity) => Err(format!(
            "{}: refer on the ms1 route",
            nrm_without_capacity()
        )),
        Route::Nrm if adult && c.consent != Some(Consent::Given) => {
            if consented {
                Ok(Some(
                    "The adult gave informed consent to the NRM referral (recorded at referral)."
                        .into(),
                ))
            } else {
                Err(format!(
                    "{}: refer on the ms1 route, or confirm consent (`--consented`; on the refer form, tick it)",
                    nrm_without_consent()
                ))
            }
        }
        Route::Ms1 if c.subject == Some(SubjectKind::Child) => Err(
            "a child is referred to the NRM (route nrm), never notified on MS1: a child's NRM referral needs no consent".into(),
        ),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn fitting(c: &Case<'_>) -> Vec<Route> {
        suggest(c)
            .iter()
            .filter(|s| s.fits)
            .map(|s| s.route)
            .collect()
    }

    #[test]
    fn the_fitting_route_comes_first() {
        let staff = cats(&["physical"]);
        assert_eq!(
            fitting(&Case {
                subject: Some(SubjectKind::Staff),
                categories: &staff,
                ..Case::default()
            }),
            [Route::Lado, Route::Police, Route::Dbs]
        );
        let fgm = cats(&["fgm"]);
        assert_eq!(
            fitting(&Case {
                subject: Some(SubjectKind::Child),
                categories: &fgm,
                ..Case::default()
            }),
            [Route::Children, Route::Police]
        );
        let ms = cats(&["modern_slavery"]);
        let c = Case {
            subject: Some(SubjectKind::Adult),
            categories: &ms,
            immediate_risk: true,
            critical_incident: true,
            consent: Some(Consent::Given),
            ..Case::default()
        };
        assert_eq!(
            fitting(&c),
            [
                Route::Emergency,
                Route::Adults,
                Route::Nrm,
                Route::HomeOffice,
                Route::Police
            ]
        );
        // Every route is offered once, each with a reason.
        let all = suggest(&c);
        assert_eq!(all.len(), Route::ALL.len());
        assert!(all.iter().all(|s| !s.why.is_empty()));
    }

    #[test]
    fn missing_people_and_adults_without_capacity() {
        let missing = cats(&["missing"]);
        for kind in [SubjectKind::Child, SubjectKind::Adult] {
            let c = Case {
                subject: Some(kind),
                categories: &missing,
                ..Case::default()
            };
            assert_eq!(fitting(&c)[0], Route::Police, "{kind:?}");
        }
        let ms = cats(&["modern_slavery"]);
        let c = Case {
            subject: Some(SubjectKind::Adult),
            categories: &ms,
            consent: Some(Consent::UnableCapacity),
            ..Case::default()
        };
        assert!(!may_confirm_consent(&c));
        assert!(fitting(&c).contains(&Route::Ms1));
        let e = check_referral(&c, Route::Nrm, true).unwrap_err();
        assert!(e.contains("capacity") && e.contains("ms1"), "{e}");
        assert!(check_referral(&c, Route::Ms1, false).is_ok());
        let refused = Case {
            consent: Some(Consent::Refused),
            ..c.clone()
        };
        assert!(may_confirm_consent(&refused));
        assert!(check_referral(&refused, Route::Nrm, true).is_ok());
    }

    #[test]
    fn marac_for_high_risk_stalking_honour_forced_marriage_and_repeats() {
        for (cat, word) in [
            ("domestic", "domestic"),
            ("stalking", "stalking"),
            ("honour_based", "honour"),
            ("forced_marriage", "forced marriage"),
        ] {
            let v = cats(&[cat]);
            let c = Case {
                subject: Some(SubjectKind::Adult),
                categories: &v,
                risk: Some(Risk::High),
                ..Case::default()
            };
            let s = suggest(&c);
            let m = s.iter().find(|s| s.route == Route::Marac).unwrap();
            assert!(m.fits && m.why.contains(word), "{cat}: {m:?}");
            // Medium risk: not MARAC...
            let medium = Case {
                risk: Some(Risk::Medium),
                ..c.clone()
            };
            assert!(!fitting(&medium).contains(&Route::Marac), "{cat}");
            // ...unless it is the third concern in 12 months.
            let repeat = Case {
                linked_12m: 2,
                ..medium
            };
            let s = suggest(&repeat);
            let m = s.iter().find(|s| s.route == Route::Marac).unwrap();
            assert!(m.fits && m.why.contains("repeat"), "{cat}: {m:?}");
        }
        // Not for a 12-year-old (children's social care) nor a staff allegation.
        let v = cats(&["domestic"]);
        let young = Case {
            subject: Some(SubjectKind::Child),
            categories: &v,
            risk: Some(Risk::High),
            age_band: Some(AgeBand::From10),
            ..Case::default()
        };
        assert!(!fitting(&young).contains(&Route::Marac));
        let sixteen = Case {
            age_band: Some(AgeBand::From16),
            ..young
        };
        assert!(fitting(&sixteen).contains(&Route::Marac));
    }

    #[test]
    fn a_missing_child_goes_to_the_police_first() {
        let v = cats(&["missing"]);
        let c = Case {
            subject: Some(SubjectKind::Child),
            categories: &v,
            ..Case::default()
        };
        assert_eq!(fitting(&c), [Route::Police, Route::Children]);
        assert!(suggest(&c)[0].why.contains("missing child"));
        // At immediate risk, 999 still comes first.
        let urgent = Case {
            immediate_risk: true,
            ..c
        };
        assert_eq!(fitting(&urgent)[..2], [Route::Emergency, Route::Police]);
    }

    #[test]
    fn adult_modern_slavery_without_consent_is_ms1_not_the_nrm() {
        let v = cats(&["modern_slavery"]);
        for consent in [
            None,
            Some(Consent::Refused),
            Some(Consent::Sought),
            Some(Consent::UnableCapacity),
        ] {
            let c = Case {
                subject: Some(SubjectKind::Adult),
                categories: &v,
                consent,
                ..Case::default()
            };
            let f = fitting(&c);
            assert!(
                f.contains(&Route::Ms1) && !f.contains(&Route::Nrm),
                "{consent:?}"
            );
            let s = suggest(&c);
            let nrm = s.iter().find(|s| s.route == Route::Nrm).unwrap();
            assert!(nrm.warning.as_deref().unwrap().contains("MS1"), "{nrm:?}");
            assert!(
                check_referral(&c, Route::Nrm, false)
                    .unwrap_err()
                    .contains("ms1")
            );
            // Consent confirmed at referral, except by an adult who lacks
            // the capacity to give it.
            if consent == Some(Consent::UnableCapacity) {
                assert!(check_referral(&c, Route::Nrm, true).is_err());
            } else {
                assert!(check_referral(&c, Route::Nrm, true).unwrap().is_some());
            }
            assert_eq!(check_referral(&c, Route::Ms1, false), Ok(None));
        }
        // A child: the NRM, no consent needed; never MS1.
        let c = Case {
            subject: Some(SubjectKind::Child),
            categories: &v,
            ..Case::default()
        };
        assert!(fitting(&c).contains(&Route::Nrm));
        assert_eq!(check_referral(&c, Route::Nrm, false), Ok(None));
        assert!(check_referral(&c, Route::Ms1, false).is_err());
    }

    #[test]
    fn county_lines_prevent_ceop_and_the_forced_marriage_unit() {
        let v = cats(&["county_lines"]);
        let c = Case {
            subject: Some(SubjectKind::Child),
            categories: &v,
            ..Case::default()
        };
        assert_eq!(fitting(&c), [Route::Children, Route::Nrm, Route::Police]);
        let v = cats(&["cce"]);
        assert!(
            fitting(&Case {
                categories: &v,
                ..c.clone()
            })
            .contains(&Route::Nrm)
        );
        let v = cats(&["radicalisation"]);
        assert!(
            fitting(&Case {
                categories: &v,
                ..c.clone()
            })
            .contains(&Route::Prevent)
        );
        let v = cats(&["online", "sexual"]);
        assert_eq!(
            fitting(&Case {
                categories: &v,
                ..c.clone()
            }),
            [Route::Children, Route::Ceop, Route::Police]
        );
        let v = cats(&["forced_marriage"]);
        let fm = Case {
            subject: Some(SubjectKind::Adult),
            categories: &v,
            ..Case::default()
        };
        assert_eq!(fitting(&fm), [Route::Adults, Route::Fmu, Route::Police]);
        // An adult's online abuse is not CEOP's.
        let v = cats(&["online"]);
        assert!(
            !fitting(&Case {
                categories: &v,
                ..fm
            })
            .contains(&Route::Ceop)
        );
    }

    #[test]
    fn staff_allegations_lado_pipot_and_low_level_concerns() {
        let v = cats(&["emotional"]);
        let base = Case {
            subject: Some(SubjectKind::Staff),
            categories: &v,
            ..Case::default()
        };
        assert_eq!(fitting(&base), [Route::Lado, Route::Dbs]);
        let adults = Case {
            works_with: Some(WorksWith::Adults),
            ..base.clone()
        };
        assert_eq!(fitting(&adults), [Route::Pipot, Route::Dbs]);
        let both = Case {
            works_with: Some(WorksWith::Both),
            ..base.clone()
        };
        assert_eq!(fitting(&both), [Route::Lado, Route::Pipot, Route::Dbs]);
        let low = Case {
            low_level: true,
            ..base
        };
        assert!(fitting(&low).is_empty());
        let s = suggest(&low);
        assert_eq!(s[0].route, Route::Lado);
        assert!(s[0].why.contains("low-level"), "{:?}", s[0]);
    }
}
