//! What the organisation may and may not do to its category list. The list
//! itself is data (`categories`, `dutydesk categories`); these are the rules
//! that keep it from silently switching off a duty.

use super::deadline::{Condition, Rule, parse_match};

/// Categories that cannot be retired, each with why: a legal duty hangs on
/// it, or a statutory return counts by it (and the desk's reports compare
/// periods by it).
pub const STATUTORY: &[(&str, &str)] = &[
    (
        "fgm",
        "known FGM in a girl under 18 must be reported to the police (FGM Act 2003 s5B)",
    ),
    (
        "modern_slavery",
        "the duty to notify the Home Office (Modern Slavery Act 2015 s52) and the NRM",
    ),
    (
        "physical",
        "a child protection plan category (Working Together 2023) and a Care Act type",
    ),
    (
        "emotional",
        "a child protection plan category (Working Together 2023)",
    ),
    (
        "sexual",
        "a child protection plan category (Working Together 2023) and a Care Act type",
    ),
    (
        "neglect",
        "a child protection plan category (Working Together 2023) and a Care Act type",
    ),
    (
        "domestic",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
    (
        "psychological",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
    (
        "financial",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
    (
        "discriminatory",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
    (
        "organisational",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
    (
        "self_neglect",
        "a Care Act 2014 type of abuse (statutory guidance 14.17)",
    ),
];

/// The active rules whose match names category `code` (by name and code),
/// which would never fire for a new case once it is retired.
pub fn rules_matching<'a>(code: &str, rules: &'a [Rule]) -> Vec<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.active)
        .filter(|r| {
            parse_match(&r.matcher)
                .is_ok_and(|cs| cs.iter().any(|c| *c == Condition::Category(code.into())))
        })
        .collect()
}

/// Whether category `code` may be retired, given the deadline rules.
/// Refused, saying why and what to do instead: a statutory category, or
/// one that active rules match (named), since retiring it would stop them
/// firing for new cases without a word.
pub fn check_retire(code: &str, rules: &[Rule]) -> Result<(), String> {
    if let Some((_, why)) = STATUTORY.iter().find(|(c, _)| *c == code) {
        return Err(format!(
            "{code} cannot be retired: {why}; rename its label if the wording must change (`dutydesk categories rename {code} LABEL`)"
        ));
    }
    let matching = rules_matching(code, rules);
    if !matching.is_empty() {
        let names: Vec<String> = matching
            .iter()
            .map(|r| format!("{} ({})", r.name, r.code))
            .collect();
        return Err(format!(
            "{code} is matched by active deadline rules, which would stop firing for new cases: {}; change their match or make them inactive first (`dutydesk rules set CODE ... --inactive`), then retire it",
            names.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{Counting, OffsetUnit};
    use crate::domain::deadline::{CountsFrom, TriggerEvent};

    fn rule(code: &str, matcher: &str, active: bool) -> Rule {
        Rule {
            id: 1,
            code: code.into(),
            name: format!("Rule {code}"),
            event: TriggerEvent::EscalationOpened,
            matcher: matcher.into(),
            amount: 1,
            unit: OffsetUnit::CalendarDays,
            warn_minutes: 60,
            active,
            counts_from: CountsFrom::Recorded,
            counting: Counting::SameTime,
            meets: String::new(),
            repeats: false,
        }
    }

    #[test]
    fn statutory_and_ruled_categories_stay() {
        let rules = [
            rule("stalk", "category:stalking+risk:high", true),
            rule("old", "category:hate_crime", false),
        ];
        let e = check_retire("fgm", &rules).unwrap_err();
        assert!(e.contains("FGM Act 2003 s5B"), "{e}");
        let e = check_retire("stalking", &rules).unwrap_err();
        assert!(e.contains("Rule stalk (stalk)"), "{e}");
        assert!(e.contains("--inactive"), "{e}");
        // An inactive rule does not hold a category back.
        assert!(check_retire("hate_crime", &rules).is_ok());
        assert!(check_retire("cuckooing", &rules).is_ok());
    }
}
