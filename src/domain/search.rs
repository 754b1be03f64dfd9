//! Finding any case (issue 18): how a typed search is read, the filters a
//! DSL narrows it with, and the folded name every comparison of names uses.
//!
//! A search is words, each of which must match: a reference
//! (`SG-2026-0042`, `sg-2026-42`, or its number `0042`), a date of birth as
//! typed in the UK (`02/03/2014`, `2014-03-02`), or a word of a name or an
//! area. Names are compared after the same folding as
//! [`super::names::tokens`] (Unicode NFKC, look-alike letters, case beyond
//! ASCII, accents, spacing and punctuation), so "Jamie  Fictional" finds
//! "Jamie Fictional" and "ZOË" finds "Zoë". A word matches the start of a
//! word of the name or the area ("fic" finds "Fictional").
//!
//! Pure: the store turns a [`Query`] into an FTS5 match ([`Query::fts`]).

use chrono::NaiveDate;
use serde::Serialize;

/// A name as the desk compares names: [`super::names::tokens`] joined by
/// single spaces ("Brennan, Jo" and "JO  BRENNAN" are both "jo brennan").
/// Stored as `escalations.subject_key`; repeats and search use it.
pub fn name_key(name: &str) -> String {
    super::names::tokens(name).join(" ")
}

/// One word of a search, as it was understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Term {
    /// A whole reference, upper case with its number four digits or more:
    /// "SG-2026-0042".
    Reference(String),
    /// A reference's number alone ("42" is "0042"), or a year (which may
    /// also be a year of birth).
    Number(String),
    /// A date of birth.
    Dob(NaiveDate),
    /// A word as typed, matched as a prefix against the name (folded as
    /// [`super::names::tokens`] folds names: `key`, its words joined by
    /// spaces) or the area (lower case, accents removed, as the index reads
    /// it: look-alike folding would make "Wolverhampton" "wolverharnpton").
    Word { key: String, typed: String },
    /// An area, by the name the organisation keeps it under: what typed
    /// words that are one of its names or other names ("Leicester City")
    /// resolve to ([`Query::with_areas`]); the words still match as they
    /// would alone (a name, or the start of another area's name).
    Area { name: String, words: Vec<Term> },
}

/// A typed word as the search index reads the area column: lower case,
/// accents removed, letters and digits only (FTS5's `unicode61
/// remove_diacritics 2`).
fn plain_words(typed: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let lower: String = typed
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A typed search, understood.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    pub terms: Vec<Term>,
    /// The words as typed (single spaces), for messages: folded words can
    /// read oddly ("m" folds to "rn" with its look-alikes).
    pub typed: String,
}

/// Reads "SG-2026-42" (any case) as "SG-2026-0042".
fn reference(word: &str) -> Option<String> {
    let up = word.trim().to_uppercase();
    let mut parts = up.split('-');
    let (Some("SG"), Some(year), Some(seq), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let seq: u32 = seq.parse().ok().filter(|n| *n > 0)?;
    Some(super::escalation::reference(year.parse().ok()?, seq))
}

/// Reads a search as typed. Words that fold to nothing (a title alone,
/// punctuation) are dropped.
pub fn parse(text: &str) -> Query {
    let mut terms = Vec::new();
    for word in text.split_whitespace() {
        if let Some(r) = reference(word) {
            terms.push(Term::Reference(r));
            continue;
        }
        if word.chars().all(|c| c.is_ascii_digit()) && (1..=6).contains(&word.len()) {
            terms.push(Term::Number(format!(
                "{:0>4}",
                word.trim_start_matches('0')
            )));
            continue;
        }
        let datey = word.contains(['/', '.']) || (word.len() == 10 && word.contains('-'));
        if datey && let Ok(d) = super::intake::parse_uk_date(word) {
            terms.push(Term::Dob(d));
            continue;
        }
        let key = super::names::tokens(word);
        if !key.is_empty() {
            terms.push(Term::Word {
                key: key.join(" "),
                typed: word.to_string(),
            });
        }
    }
    Query {
        terms,
        typed: text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the search reads personal details (a name, a date of birth,
    /// an area) rather than references alone: viewers may search by
    /// reference only, as they never see names.
    pub fn personal(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t, Term::Dob(_) | Term::Word { .. } | Term::Area { .. }))
    }

    /// Typed words that name an area, or another name for one ("leicester
    /// city" is Leicester), become that area: the longest run of words
    /// first, compared as the desk compares area names
    /// ([`super::area::Area::answers_to`]). Other words stay words.
    pub fn with_areas(&self, areas: &[super::area::Area]) -> Query {
        let mut out: Vec<Term> = Vec::new();
        let mut i = 0;
        while i < self.terms.len() {
            let mut found = None;
            for len in (1..=4).rev() {
                let run = match self.terms.get(i..i + len) {
                    Some(r) if r.iter().all(|t| matches!(t, Term::Word { .. })) => r,
                    _ => continue,
                };
                let typed: Vec<&str> = run
                    .iter()
                    .filter_map(|t| match t {
                        Term::Word { typed, .. } => Some(typed.as_str()),
                        _ => None,
                    })
                    .collect();
                let said = typed.join(" ");
                if let Some(a) = areas.iter().find(|a| a.answers_to(&said)) {
                    found = Some((len, a.name.clone()));
                    break;
                }
            }
            match found {
                Some((len, name)) => {
                    out.push(Term::Area {
                        name,
                        words: self.terms[i..i + len].to_vec(),
                    });
                    i += len;
                }
                None => {
                    out.push(self.terms[i].clone());
                    i += 1;
                }
            }
        }
        Query {
            terms: out,
            typed: self.typed.clone(),
        }
    }

    /// The FTS5 match expression over `escalation_search` (columns
    /// subject_key, area, reference, subject_dob), every term required;
    /// `None` for an empty query. Only folded letters and digits reach it,
    /// each quoted, so nothing typed can change its syntax.
    pub fn fts(&self) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let parts: Vec<String> = self.terms.iter().map(term_fts).collect();
        Some(parts.join(" AND "))
    }

    /// What was searched for, for a message: the words as typed, and a
    /// date of birth as it was read (02/03/2014 is 2 March 2014).
    pub fn describe(&self) -> String {
        if self.typed.is_empty() {
            return String::new();
        }
        let dates: Vec<String> = self
            .terms
            .iter()
            .filter_map(|t| match t {
                Term::Dob(d) => Some(format!("born {}", super::intake::long_date(*d))),
                _ => None,
            })
            .collect();
        if dates.is_empty() {
            format!("\"{}\"", self.typed)
        } else {
            format!("\"{}\" ({})", self.typed, dates.join(", "))
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A phrase of the letters and digits of `s`, quoted.
fn phrase(s: &str) -> String {
    quote(
        &s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// One term of [`Query::fts`].
fn term_fts(t: &Term) -> String {
    match t {
        Term::Reference(r) => format!("reference : {}", phrase(r)),
        Term::Number(n) if n.len() == 4 && (n.starts_with("19") || n.starts_with("20")) => {
            format!("{{reference subject_dob}} : {}", quote(n))
        }
        Term::Number(n) => format!("reference : {}", quote(n)),
        Term::Dob(d) => format!("subject_dob : {}", phrase(&d.to_string())),
        Term::Word { key, typed } => {
            // A name matches with its words split or joined as the typing
            // was: "obrien" finds "O'Brien" (o brien) and "joanne" finds
            // "Jo Anne".
            let mut alts = vec![format!("{}*", quote(key))];
            if !key.contains(' ') && key.chars().count() <= 24 {
                for (at, _) in key.char_indices().skip(1) {
                    alts.push(format!(
                        "{}*",
                        quote(&format!("{} {}", &key[..at], &key[at..]))
                    ));
                }
            }
            let area = plain_words(typed).join(" ");
            if area.is_empty() {
                format!("subject_key : ({})", alts.join(" OR "))
            } else {
                format!(
                    "(subject_key : ({}) OR area : {}*)",
                    alts.join(" OR "),
                    quote(&area)
                )
            }
        }
        Term::Area { name, words } => format!(
            "(area : {} OR ({}))",
            quote(&plain_words(name).join(" ")),
            words.iter().map(term_fts).collect::<Vec<_>>().join(" AND ")
        ),
    }
}

coded_enum! {
    /// Which cases by their state: a search covers open and closed alike.
    StatusFilter {
        Any = "any", "open and closed";
        Open = "open", "open only";
        Closed = "closed", "closed only";
    }
}

// coded_enum! has no per-variant attributes, so #[default] cannot be derived.
#[allow(clippy::derivable_impls)]
impl Default for StatusFilter {
    fn default() -> Self {
        StatusFilter::Any
    }
}

impl StatusFilter {
    /// The next in the cycle any → open → closed → any (the screen's key).
    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Any => StatusFilter::Open,
            StatusFilter::Open => StatusFilter::Closed,
            StatusFilter::Closed => StatusFilter::Any,
        }
    }
}

/// What a search or a list is narrowed to; every filter set must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    /// Assigned to the viewer.
    pub mine: bool,
    /// Assigned to nobody.
    pub unassigned: bool,
    pub high_risk: bool,
    /// A closure proposed and waiting for a second DSL.
    pub awaiting_signoff: bool,
    /// Restricted cases only (senior leads: [`Filters::check`]).
    pub restricted: bool,
    pub status: StatusFilter,
}

impl Filters {
    /// Refuses what cannot be asked together, or by this viewer: the
    /// restricted filter is for senior leads (who see every restricted
    /// case); mine and unassigned exclude each other. The message names
    /// what to do instead.
    pub fn check(&self, senior: bool) -> Result<(), String> {
        if self.restricted && !senior {
            return Err(
                "only senior leads filter by restriction: a restricted case you are named on shows in your search as any other".into(),
            );
        }
        if self.mine && self.unassigned {
            return Err(
                "a case cannot be both yours and unassigned: choose --mine or --unassigned".into(),
            );
        }
        if self.awaiting_signoff && self.status == StatusFilter::Closed {
            return Err("a case awaiting sign-off is still open: drop --status closed".into());
        }
        Ok(())
    }

    /// The filters in force, in words ("mine, high risk, closed only").
    pub fn describe(&self) -> String {
        let mut v: Vec<&str> = Vec::new();
        if self.mine {
            v.push("mine");
        }
        if self.unassigned {
            v.push("unassigned");
        }
        if self.high_risk {
            v.push("high risk");
        }
        if self.awaiting_signoff {
            v.push("awaiting sign-off");
        }
        if self.restricted {
            v.push("restricted");
        }
        if self.status != StatusFilter::Any {
            v.push(self.status.label());
        }
        if v.is_empty() {
            "no filter".into()
        } else {
            v.join(", ")
        }
    }

    /// The filters' codes for the audit trail (never the words searched).
    pub fn codes(&self) -> String {
        let mut v: Vec<&str> = Vec::new();
        for (on, code) in [
            (self.mine, "mine"),
            (self.unassigned, "unassigned"),
            (self.high_risk, "high"),
            (self.awaiting_signoff, "signoff"),
            (self.restricted, "restricted"),
        ] {
            if on {
                v.push(code);
            }
        }
        v.push(self.status.code());
        v.join(",")
    }
}

/// One case found, as the results list shows it. The name and date of birth
/// are `None` for a viewer (lists, never personal details).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub summary: super::escalation::EscalationSummary,
    pub subject_name: Option<String>,
    pub subject_dob: Option<String>,
    pub area: String,
    /// When it was closed, for a closed case.
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a search found: newest first, at most the limit asked, and whether
/// there were more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The first results, summarised.
    pub hits: Vec<Hit>,
    /// The ids of the results after `hits`, in order, not yet summarised:
    /// the screen asks for them (`store::search::hits_of`) after drawing
    /// the first. Empty on the command line, which summarises every result.
    #[serde(skip)]
    pub rest: Vec<i64>,
    pub more: bool,
    /// The search as understood and the filters, in words.
    pub understood: String,
    pub filters: String,
}

impl Found {
    /// How many results the search kept: those summarised and those to come.
    pub fn count(&self) -> usize {
        self.hits.len() + self.rest.len()
    }

    /// Takes `more` (the summaries of the first ids of `rest`, as
    /// `store::search::hits_of` answered them for `asked`) into the results:
    /// only when `asked` is still what comes next (a newer search or an
    /// earlier answer may have moved on). A case hidden since it was found is
    /// missing from `more` and is dropped from the results. Whether taken.
    pub fn take_rest(&mut self, asked: &[i64], more: Vec<Hit>) -> bool {
        if asked.is_empty() || !self.rest.starts_with(asked) {
            return false;
        }
        self.rest.drain(..asked.len());
        self.hits.extend(more);
        true
    }

    /// "No case matches": said plainly, for the screen and the command line.
    /// The words are not repeated (they stay where they were typed), so the
    /// message is the same whatever was asked.
    pub fn nothing(&self) -> String {
        format!(
            "No case you may see matches this search ({}). Check the spelling, use fewer words, or clear a filter.",
            self.filters
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_as_the_desk_compares_them() {
        // Look-alike letters fold to one prototype ("m" is "rn"): both
        // sides of every comparison are folded alike.
        let k = name_key("Jamie Fictional");
        assert_eq!(name_key("Jamie  Fictional"), k);
        assert_eq!(name_key("jamie fictional"), name_key("JAMIE FICTIONAL"));
        assert_eq!(name_key("ZOË Example"), name_key("Zoë example"));
        assert_eq!(name_key("Zoë"), "zoe");
        assert_eq!(name_key("Fictional, Jamie"), k);
        assert_eq!(name_key("  Jamie\tFictional "), k);
        assert_eq!(name_key("Strauß"), "strauss");
        assert_eq!(name_key("Jаmie Fictional"), k, "Cyrillic a");
        assert_ne!(name_key("Jamie Fictional"), name_key("Jamie Fiction"));
    }

    #[test]
    fn a_search_is_read_word_by_word() {
        let q = parse("sg-2026-42 Jamie 02/03/2014 0007 2014");
        assert_eq!(
            q.terms,
            vec![
                Term::Reference("SG-2026-0042".into()),
                Term::Word {
                    key: name_key("jamie"),
                    typed: "Jamie".into()
                },
                Term::Dob(NaiveDate::from_ymd_opt(2014, 3, 2).unwrap()),
                Term::Number("0007".into()),
                Term::Number("2014".into()),
            ]
        );
        let key = |t: &str| match &parse(t).terms[..] {
            [Term::Word { key, .. }] => key.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(key("ZOË"), "zoe");
        // Apostrophes and hyphens break words as spaces do.
        assert_eq!(key("O'Brien-Ní"), "o brien ni");
        assert_eq!(parse("2014-03-02").terms.len(), 1);
        assert!(parse("  ").is_empty());
        assert!(parse("Mr").is_empty(), "a title alone searches nothing");
        assert!(!parse("SG-2026-0042").personal());
        assert!(parse("leicester").personal());
    }

    #[test]
    fn the_match_expression_quotes_every_term() {
        let q = parse("Jo SG-2026-0042 02/03/2014 42");
        assert_eq!(
            q.fts().unwrap(),
            "(subject_key : (\"jo\"* OR \"j o\"*) OR area : \"jo\"*) AND reference : \"SG 2026 0042\" AND subject_dob : \"2014 03 02\" AND reference : \"0042\""
        );
        assert_eq!(
            parse("2014").fts().unwrap(),
            "{reference subject_dob} : \"2014\""
        );
        assert_eq!(parse("").fts(), None);
        // Nothing typed reaches the expression unfolded.
        let evil = parse("\"x\" OR NEAR(a b) *");
        let fts = evil.fts().unwrap();
        assert!(!fts.contains("OR NEAR"), "{fts}");
    }

    #[test]
    fn area_names_and_other_names_are_areas() {
        let areas = vec![
            super::super::area::Area {
                name: "Leicester".into(),
                aliases: vec!["Leicester City".into()],
                active: true,
            },
            super::super::area::Area {
                name: "Wolverhampton".into(),
                aliases: vec![],
                active: true,
            },
        ];
        let q = parse("Pat LEICESTER city").with_areas(&areas);
        assert_eq!(q.terms.len(), 2);
        assert!(
            matches!(&q.terms[1], Term::Area { name, words } if name == "Leicester" && words.len() == 2)
        );
        assert!(
            q.fts().unwrap().contains("(area : \"leicester\" OR ("),
            "{:?}",
            q.fts()
        );
        // Matched as the index reads areas, not as names are folded.
        let q = parse("wolverhampton").with_areas(&areas);
        assert!(q.fts().unwrap().starts_with("(area : \"wolverhampton\" OR"));
        let q = parse("wolverh");
        assert!(q.fts().unwrap().contains("area : \"wolverh\"*"));
    }

    #[test]
    fn filters_are_checked_and_described() {
        let f = Filters {
            restricted: true,
            ..Filters::default()
        };
        assert!(f.check(false).unwrap_err().contains("senior leads"));
        assert!(f.check(true).is_ok());
        let f = Filters {
            mine: true,
            unassigned: true,
            ..Filters::default()
        };
        assert!(f.check(true).is_err());
        let f = Filters {
            mine: true,
            high_risk: true,
            status: StatusFilter::Closed,
            ..Filters::default()
        };
        assert_eq!(f.describe(), "mine, high risk, closed only");
        assert_eq!(f.codes(), "mine,high,closed");
        assert_eq!(Filters::default().describe(), "no filter");
        assert_eq!(StatusFilter::Any.next().next().next(), StatusFilter::Any);
    }
}
