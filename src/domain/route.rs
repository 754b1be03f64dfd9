//! Referral routes: who a DSL tells. One typed list, so the routing rules,
//! the deadlines a referral meets, contacts, the CLI and the screen cannot
//! spell a route differently. The codes are the ones `schema.sql` keeps in
//! its `routes` table (a referral or contact on any other code is refused by
//! a foreign key). Sources: DOMAIN.md's routes table; Working Together 2023
//! ch. 2 (children), Care Act 2014 s42 (adults), KCSIE 2024 Part 4 (LADO),
//! Modern Slavery Act 2015 s52 (duty to notify, MS1), the Prevent duty
//! guidance 2023, and the Forced Marriage (Civil Protection) Act 2007.

coded_enum! {
    /// A referral route. The code is stored and typed (`-` may stand for `_`);
    /// the label is for people.
    Route {
        Emergency = "emergency", "Emergency: 999 / police welfare check";
        Police = "police", "Police (101)";
        Children = "children", "Children's social care / MASH";
        Adults = "adults", "Adult social care safeguarding (s42)";
        Lado = "lado", "LADO (allegation against someone working with children)";
        Pipot = "pipot", "PiPoT (person in a position of trust with adults)";
        Marac = "marac", "MARAC (high-risk domestic abuse)";
        Nrm = "nrm", "National Referral Mechanism (modern slavery)";
        Ms1 = "ms1", "MS1 duty to notify (adult modern slavery, no consent)";
        Prevent = "prevent", "Prevent (radicalisation)";
        Ceop = "ceop", "CEOP (online child sexual abuse)";
        Fmu = "fmu", "Forced Marriage Unit";
        Dbs = "dbs", "DBS barring referral";
        HomeOffice = "home_office", "Home Office critical incident report";
        Other = "other", "Other";
    }
}

/// The short name of a stored route code ([`Route::short`]); a code no
/// longer on the list (an old row) in words.
pub fn short_of(code: &str) -> String {
    Route::from_code(code).map_or_else(|| code.replace('_', " "), |r| r.short().to_string())
}

/// The label of a stored route code ([`Route::label`]); a code no longer on
/// the list in words.
pub fn label_of(code: &str) -> String {
    Route::from_code(code).map_or_else(|| code.replace('_', " "), |r| r.label().to_string())
}

impl Route {
    /// Reads a route as typed: case and surrounding space ignored, `-` for
    /// `_` (`home-office`). The error names every valid code.
    pub fn parse(typed: &str) -> Result<Route, String> {
        let code = typed.trim().to_lowercase().replace('-', "_");
        Route::from_code(&code).ok_or_else(|| {
            format!(
                "{:?} is not a route: use {}",
                typed.trim(),
                Route::codes_for_people()
            )
        })
    }

    /// Every code as people type them, comma-separated ("home-office").
    pub fn codes_for_people() -> String {
        Route::ALL
            .iter()
            .map(|r| r.code().replace('_', "-"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The route's name where room is short (a list column, an agenda line):
    /// the service as DSLs say it, never the stored code.
    pub fn short(self) -> &'static str {
        match self {
            Route::Emergency => "999",
            Route::Police => "police",
            Route::Children => "children's social care",
            Route::Adults => "adult social care",
            Route::Lado => "LADO",
            Route::Pipot => "PiPoT",
            Route::Marac => "MARAC",
            Route::Nrm => "NRM",
            Route::Ms1 => "MS1",
            Route::Prevent => "Prevent",
            Route::Ceop => "CEOP",
            Route::Fmu => "Forced Marriage Unit",
            Route::Dbs => "DBS",
            Route::HomeOffice => "Home Office",
            Route::Other => "other",
        }
    }

    /// Whom the route serves, for labelling a contact or a fallback: "children",
    /// "adults", "anyone".
    pub fn serves(self) -> &'static str {
        match self {
            Route::Children | Route::Lado | Route::Ceop => "children",
            Route::Adults | Route::Pipot | Route::Ms1 => "adults",
            _ => "anyone",
        }
    }

    /// Whether the service is the one where a member of staff works rather
    /// than where the subject lives: the LADO (KCSIE 2024 Part 4: "the LADO
    /// where they work") and the PiPoT lead. Contacts offered and the hours a
    /// deadline counts in follow it. (What meets a deadline is each rule's
    /// data, `deadline_rules.meets`, not the route's.)
    pub fn where_they_work(self) -> bool {
        matches!(self, Route::Lado | Route::Pipot)
    }
}

/// How a referral may be made (`refer --method`): the words people type,
/// with hyphens; stored with underscores (`secure_email`).
pub const REFERRAL_METHODS: &[&str] = &[
    "phone",
    "form",
    "email",
    "secure-email",
    "in-person",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_as_typed_and_refusals_name_every_code() {
        assert_eq!(Route::parse(" Home-Office "), Ok(Route::HomeOffice));
        assert_eq!(Route::parse("ms1"), Ok(Route::Ms1));
        let e = Route::parse("social").unwrap_err();
        for r in Route::ALL {
            assert!(e.contains(&r.code().replace('_', "-")), "{e}");
        }
    }

    #[test]
    fn schema_lists_every_route() {
        let schema = include_str!("../../schema.sql");
        for r in Route::ALL {
            assert!(
                schema.contains(&format!("('{}',", r.code())),
                "{} missing from the routes table in schema.sql",
                r.code()
            );
        }
    }
}
