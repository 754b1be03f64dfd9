//! Areas: where a person lives (or a member of staff works), which decides
//! the authority a referral goes to (Working Together 2023 ch. 2: the local
//! authority where the child lives; Care Act 2014 s42: where the adult is).
//! The organisation keeps its own list with aliases ("Leicester City" for
//! Leicester); a typed name is matched against it without regard to case,
//! spacing or punctuation, and an unknown one is refused with the nearest
//! names, so a typo never becomes an area with no contacts.
//!
//! Nearest names are ranked by `strsim` (the edit-distance crate clap uses
//! for its own suggestions): a well-kept crate rather than our own.

use serde::Serialize;

/// The word for "we do not know where they live yet": always accepted; a
/// look-up for it still gives 999, 101 and the national lines.
pub const UNKNOWN: &str = "unknown";

/// One of the organisation's areas and the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub name: String,
    pub aliases: Vec<String>,
    /// A retired area stays on old records but is not offered for new ones.
    pub active: bool,
}

/// An area name as words to compare: accents removed, full Unicode case
/// folding (`caseless`, as names), "&" as "and", apostrophes, hyphens, full
/// stops and other punctuation as breaks (as names: "St. Margaret's" is "st
/// margaret s"), single spaces, and the council words people add ("City
/// of", "County Council") left out. No look-alike folding: that would make
/// "Wolverhampton" "wolverharnpton" (an earlier fault).
pub fn fold(s: &str) -> String {
    use caseless::Caseless;
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let lower: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .default_case_fold()
        .collect::<String>()
        .replace('&', " and ");
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
    if words.len() > 2 && words[0] == "city" && words[1] == "of" {
        words.drain(..2);
    }
    while words.len() > 1 && matches!(words.last(), Some(&"council")) {
        words.pop();
        if words.len() > 1 && matches!(words.last(), Some(&"county") | Some(&"city")) {
            words.pop();
        }
    }
    words.join(" ")
}

/// What two area names must share to be one: [`fold`] with its breaks
/// removed, as repeats compare names, so "St Margarets Ward", "st.
/// margaret's ward" and "St Margaret's  Ward" are one name.
pub fn key(s: &str) -> String {
    fold(s).replace(' ', "")
}

impl Area {
    /// Whether `typed` is this area's name or one of its other names, as
    /// [`key`] compares them. The one comparison search, intake (both
    /// faces), corrections, import and the area list use.
    pub fn answers_to(&self, typed: &str) -> bool {
        let k = key(typed);
        !k.is_empty() && (key(&self.name) == k || self.aliases.iter().any(|x| key(x) == k))
    }
}

/// Why a typed area was refused: the message names the nearest areas and
/// what else may be typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub typed: String,
    /// Up to three nearest names, best first.
    pub nearest: Vec<String>,
    pub message: String,
}

/// The area a typed name means: one of the organisation's active areas (by
/// name or alias), or [`UNKNOWN`]. When the organisation keeps no list yet
/// (`areas` empty), the name is taken as typed (trimmed), so a concern can
/// always be recorded; `field` names the field in the message
/// ("area where they live", "area where they work").
pub fn resolve(typed: &str, areas: &[Area], field: &str) -> Result<String, Unknown> {
    let t = typed.trim();
    let f = fold(t);
    if f.is_empty() || f == UNKNOWN || f == "not known" {
        if f.is_empty() {
            return Err(unknown(t, areas, field, "is empty"));
        }
        return Ok(UNKNOWN.to_string());
    }
    if areas.is_empty() {
        return Ok(t.to_string());
    }
    for a in areas {
        if a.answers_to(t) {
            if a.active {
                return Ok(a.name.clone());
            }
            let mut e = unknown(t, areas, field, "was retired from the list");
            e.message = format!(
                "{} (areas: {}; or \"unknown\")",
                e.message.split(" (areas:").next().unwrap_or_default(),
                active_names(areas)
            );
            return Err(e);
        }
    }
    Err(unknown(
        t,
        areas,
        field,
        "is not one of the organisation's areas",
    ))
}

fn active_names(areas: &[Area]) -> String {
    let names: Vec<&str> = areas
        .iter()
        .filter(|a| a.active)
        .map(|a| a.name.as_str())
        .collect();
    if names.len() > 12 {
        format!("{} and {} more", names[..12].join(", "), names.len() - 12)
    } else {
        names.join(", ")
    }
}

/// Up to three active area names nearest to `typed`, best first: those the
/// typed text starts, then by edit distance over names and aliases.
pub fn nearest(typed: &str, areas: &[Area]) -> Vec<String> {
    let f = fold(typed);
    let mut scored: Vec<(f64, &str)> = Vec::new();
    for a in areas.iter().filter(|a| a.active) {
        let best = std::iter::once(&a.name)
            .chain(a.aliases.iter())
            .map(|n| {
                let g = fold(n);
                let sim = strsim::normalized_damerau_levenshtein(&f, &g);
                if !f.is_empty() && (g.starts_with(&f) || f.starts_with(&g)) {
                    sim.max(0.75)
                } else if abbreviates(&f, &g) {
                    // "Leics": the letters in order, from the first.
                    sim.max(0.6)
                } else {
                    sim
                }
            })
            .fold(0.0, f64::max);
        if best >= 0.5 {
            scored.push((best, &a.name));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// Whether `short` (three letters or more) is `long`'s letters in order,
/// starting with its first: an abbreviation such as "leics".
fn abbreviates(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().count() >= 3
        && short.chars().next() == long.chars().next()
        && short.chars().all(|c| rest.any(|x| x == c))
}

fn unknown(typed: &str, areas: &[Area], field: &str, why: &str) -> Unknown {
    let near = nearest(typed, areas);
    let mean = match near.len() {
        0 => String::new(),
        1 => format!(": did you mean {}?", near[0]),
        _ => format!(": did you mean {}?", near.join(" or ")),
    };
    Unknown {
        typed: typed.to_string(),
        message: format!(
            "{field} {typed:?} {why}{mean} (areas: {}; or \"unknown\" if not known yet). A senior lead adds areas and other names for them with `dutydesk areas add`.",
            active_names(areas)
        ),
        nearest: near,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<Area> {
        let a = |n: &str, al: &[&str]| Area {
            name: n.into(),
            aliases: al.iter().map(|s| s.to_string()).collect(),
            active: true,
        };
        let mut v = vec![
            a("Leicester", &["Leicester City"]),
            a("Leicestershire", &[]),
            a("Rutland", &[]),
            a("Wolverhampton", &["City of Wolverhampton"]),
        ];
        v.push(Area {
            name: "Old Town".into(),
            aliases: vec![],
            active: false,
        });
        v
    }

    #[test]
    fn names_and_aliases_match_whatever_the_case_and_council_words() {
        let l = list();
        let r = |t| resolve(t, &l, "area");
        assert_eq!(r("leicestershire").unwrap(), "Leicestershire");
        assert_eq!(r("  LEICESTER CITY ").unwrap(), "Leicester");
        assert_eq!(r("Leicester City Council").unwrap(), "Leicester");
        assert_eq!(r("Rutland County Council").unwrap(), "Rutland");
        assert_eq!(r("City of Wolverhampton Council").unwrap(), "Wolverhampton");
        assert_eq!(r("Unknown").unwrap(), UNKNOWN);
    }

    /// Areas fold as names do for case, accents and punctuation, but with
    /// no look-alike folding (q18 fault N2).
    #[test]
    fn aliases_match_without_accents_apostrophes_or_full_stops() {
        let mut l = list();
        l[0].aliases.push("St. Margaret's Ward".into());
        l[2].aliases.push("Ynys Môn".into());
        let r = |t| resolve(t, &l, "area");
        for t in [
            "st margarets ward",
            "ST MARGARET'S WARD",
            "St Margaret’s Ward",
            "st. margaret's ward",
        ] {
            assert_eq!(r(t).unwrap(), "Leicester", "{t}");
        }
        for t in ["ynys mon", "YNYS MÔN", "Ynys-Mon"] {
            assert_eq!(r(t).unwrap(), "Rutland", "{t}");
        }
        assert_eq!(fold("Wolverhampton"), "wolverhampton");
    }

    #[test]
    fn an_unknown_area_is_refused_with_the_nearest_names() {
        let l = list();
        let e = resolve("Rutlnd", &l, "area").unwrap_err();
        assert_eq!(e.nearest, vec!["Rutland".to_string()]);
        assert!(e.message.contains("did you mean Rutland?"), "{}", e.message);
        assert!(
            e.message.contains("Leicester, Leicestershire"),
            "{}",
            e.message
        );
        assert!(e.message.contains("\"unknown\""), "{}", e.message);
        let e = resolve("Leics", &l, "area").unwrap_err();
        assert!(e.nearest.contains(&"Leicestershire".to_string()), "{e:?}");
        let e = resolve("Old Town", &l, "area").unwrap_err();
        assert!(e.message.contains("retired"), "{}", e.message);
        assert!(!e.message.contains("Old Town,"), "{}", e.message);
        assert!(resolve("", &l, "area").is_err());
        let e = resolve("Zanzibar", &l, "area").unwrap_err();
        assert!(e.nearest.is_empty());
        assert!(e.message.contains("areas: Leicester"), "{}", e.message);
    }

    #[test]
    fn without_a_list_the_name_is_taken_as_typed() {
        assert_eq!(resolve(" Walsall ", &[], "area").unwrap(), "Walsall");
        assert_eq!(resolve("not known", &[], "area").unwrap(), UNKNOWN);
    }
}
