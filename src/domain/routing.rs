//! Which referral routes fit an escalation, most fitting first (DOMAIN.md):
//! a child to the children's MASH of the authority where the child lives, an
//! adult to that authority's adult safeguarding, a staff allegation to the
//! LADO, high-risk domestic abuse to MARAC, FGM under 18 and crime to the
//! police, modern slavery to the NRM, a critical incident to the Home Office.

use super::escalation::{Risk, SubjectKind};
use serde::Serialize;

/// A route offered for a referral, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub route: &'static str,
    pub why: &'static str,
    /// Fits this escalation (false: offered only so every route can be chosen).
    pub fits: bool,
}

/// What routing looks at.
#[derive(Debug, Clone, Default)]
pub struct Case<'a> {
    pub subject: Option<SubjectKind>,
    pub categories: &'a [String],
    pub risk: Option<Risk>,
    pub immediate_risk: bool,
    pub critical_incident: bool,
}

/// Every route, the fitting ones first, each once.
pub fn suggest(c: &Case<'_>) -> Vec<Suggestion> {
    let has = |code: &str| c.categories.iter().any(|x| x == code);
    let mut out: Vec<Suggestion> = Vec::new();
    let mut fits = true;
    let mut add = |route: &'static str, why: &'static str, fits: bool| {
        if !out.iter().any(|s| s.route == route) {
            out.push(Suggestion { route, why, fits });
        }
    };
    if c.immediate_risk {
        add("emergency", "immediate risk to life: 999", fits);
    }
    match c.subject {
        Some(SubjectKind::Staff) => add(
            "lado",
            "allegation against someone in a position of trust",
            fits,
        ),
        Some(SubjectKind::Child) => add(
            "children",
            "a child at risk: the MASH where the child lives",
            fits,
        ),
        Some(SubjectKind::Adult) => add(
            "adults",
            "an adult at risk: safeguarding where they live",
            fits,
        ),
        None => {}
    }
    if has("fgm") && c.subject == Some(SubjectKind::Child) {
        add(
            "police",
            "FGM on a girl under 18: a personal duty to report to the police",
            fits,
        );
    }
    if has("domestic") && c.risk == Some(Risk::High) {
        add("marac", "high-risk domestic abuse", fits);
    }
    if has("modern_slavery") {
        add("nrm", "modern slavery: National Referral Mechanism", fits);
    }
    if c.critical_incident {
        add(
            "home_office",
            "critical incident: Home Office report within a calendar day",
            fits,
        );
    }
    if [
        "sexual",
        "physical",
        "exploitation",
        "county_lines",
        "stalking",
        "honour_based",
        "forced_marriage",
        "hate_crime",
        "online",
    ]
    .iter()
    .any(|x| has(x))
    {
        add("police", "a crime may have been committed", fits);
    }
    if c.subject == Some(SubjectKind::Staff) {
        add(
            "dbs",
            "if the person is removed from regulated activity",
            fits,
        );
    }
    fits = false;
    for (route, why) in [
        ("children", "children's social care"),
        ("adults", "adult social care"),
        ("lado", "Local Authority Designated Officer"),
        ("police", "police (101)"),
        ("marac", "multi-agency risk assessment conference"),
        ("nrm", "National Referral Mechanism"),
        ("emergency", "999"),
        ("home_office", "Home Office"),
        ("dbs", "Disclosure and Barring Service"),
        ("other", "another agency"),
    ] {
        add(route, why, fits);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(c: &Case<'_>) -> Vec<&'static str> {
        suggest(c).iter().take(3).map(|s| s.route).collect()
    }

    #[test]
    fn the_fitting_route_comes_first() {
        let cats = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let staff = cats(&["physical"]);
        assert_eq!(
            first(&Case {
                subject: Some(SubjectKind::Staff),
                categories: &staff,
                ..Case::default()
            })[..2],
            ["lado", "police"]
        );
        let fgm = cats(&["fgm"]);
        assert_eq!(
            first(&Case {
                subject: Some(SubjectKind::Child),
                categories: &fgm,
                ..Case::default()
            })[..2],
            ["children", "police"]
        );
        let da = cats(&["domestic"]);
        assert_eq!(
            first(&Case {
                subject: Some(SubjectKind::Adult),
                categories: &da,
                risk: Some(Risk::High),
                ..Case::default()
            })[..2],
            ["adults", "marac"]
        );
        let ms = cats(&["modern_slavery"]);
        let c = Case {
            subject: Some(SubjectKind::Adult),
            categories: &ms,
            immediate_risk: true,
            critical_incident: true,
            ..Case::default()
        };
        assert_eq!(first(&c), ["emergency", "adults", "nrm"]);
        // Every route is offered once; only the fitting ones are marked so.
        let all = suggest(&c);
        assert_eq!(all.len(), 10);
        assert_eq!(all.iter().filter(|s| s.fits).count(), 4, "{all:?}");
    }
}
