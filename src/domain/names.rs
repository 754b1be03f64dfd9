//! Is a typed name near the name of someone who uses this desk?
//!
//! An allegation about a member of staff who is also a user of the desk (a
//! DSL, a deputy, a senior lead, a viewer) must never reach that person, nor
//! pass silently because it was spelt differently: "J. Brennan", "Joanne
//! Brennan (DSL)", "Brennan, Jo", "Jo  Brennan" or a Cyrillic "Вrennan" all
//! mean Jo Brennan to a reader. A near match does not decide anything by
//! itself: it makes intake ask whether the person uses this desk (see
//! `store::workflow::create`), so a false alarm costs one question while a
//! miss would show an allegation to its subject.
//!
//! Names are compared after folding ([`tokens`]): Unicode NFKC, the UTS #39
//! confusables skeleton (look-alike letters from other scripts, via the
//! `unicode-security` crate), case folding beyond ASCII, accents removed,
//! every punctuation mark (apostrophes and hyphens too: "O'Brien-Ní" is "o
//! brien ni", as "O BRIEN NI" is) and space run collapsed into one break,
//! bracketed parts ("(DSL)", "[staff]") and titles (Mr, Dr...) removed, and
//! "Surname, First" turned round. Then [`near`] looks for the staff member's
//! surname (an exact fold, or one slip in a name of 5 letters or more) and,
//! when both sides have more, a given name that agrees: the same, an initial,
//! or one the prefix of the other ("Jo" and "Joanne").
//!
//! Pure: no IO, no clock.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Titles dropped before comparing (folded the same way as names).
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "cllr",
];

/// Which [`fold`] the stored name keys were made with. Bump it whenever
/// [`fold`] changes what it gives: the store refolds every stored key once,
/// at open, when the database's `name_fold_version` setting is behind (see
/// `store::search::refold_names`), so old and new keys never mix.
pub const FOLD_VERSION: i64 = 2;

/// Text folded as the desk compares names: Unicode NFKC, then full Unicode
/// case folding (CaseFolding.txt, via the `caseless` crate: std's
/// `to_lowercase` leaves Greek final "ς" apart from "σ" and lower-cases
/// Cherokee the other way), then each folded letter by its UTS #39
/// look-alike skeleton, accents removed before and after it (an accented
/// letter reads as its plain one). Case folding comes first, so
/// a capital and its small letter always give the same result in every
/// script (Cyrillic "Н" and "н", Greek "Σ", "σ" and "ς", Armenian,
/// Georgian): the fold of a word never depends on how it was capitalised.
/// Punctuation and spacing are kept for the caller to split on.
pub fn fold(s: &str) -> String {
    use caseless::Caseless;
    let folded: String = s.nfkc().default_case_fold().collect();
    let mut out = String::with_capacity(folded.len());
    for c in folded.nfd().filter(|c| !is_combining_mark(*c)) {
        fold_char(c, &mut out);
    }
    out
}

/// One case-folded, unaccented character by its look-alike: its own skeleton when that
/// reads as Latin ("ο" is "o"), else the skeleton of its capital when that
/// does (Cyrillic "в", whose capital "В" reads "B", is "b", so "Вrennan"
/// and "вrennan" are both "brennan"), else itself; then any mark the
/// skeleton adds removed.
/// A function of the case-folded letter alone, so both cases agree.
fn fold_char(c: char, out: &mut String) {
    let skel = |s: &str| -> String {
        unicode_security::confusable_detection::skeleton(s)
            .flat_map(char::to_lowercase)
            .collect()
    };
    let own = skel(c.encode_utf8(&mut [0u8; 4]));
    let folded = if own.is_ascii() {
        own
    } else {
        let upper: String = c.to_uppercase().collect();
        let via_upper = skel(&upper);
        if via_upper.is_ascii() { via_upper } else { own }
    };
    for f in folded.nfd() {
        match f {
            'ß' => out.push_str("ss"),
            f if is_combining_mark(f) => {}
            f => out.push(f),
        }
    }
}

/// Removes bracketed parts: "Joanne Brennan (DSL)" is "Joanne Brennan ".
fn unbracket(s: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A name as words to compare, in reading order ("Brennan, Jo" gives
/// `["jo", "brennan"]`), titles and bracketed parts removed.
pub fn tokens(name: &str) -> Vec<String> {
    let plain = unbracket(&name.nfkc().collect::<String>());
    // "Surname, First": turn round once, at the first comma.
    let ordered = match plain.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{first} {last}"),
        _ => plain,
    };
    let folded = fold(&ordered);
    let titles: Vec<String> = TITLES.iter().map(|t| fold_word(t)).collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| !titles.iter().any(|t| t == w))
        .map(str::to_string)
        .collect()
}

/// One word folded as [`tokens`] folds names.
fn fold_word(w: &str) -> String {
    fold(w)
}

/// Edit distance (insertions, deletions, substitutions and swaps of
/// neighbours) between two words, in chars, giving up above `limit`.
fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The same surname, or one slip (a letter added, lost, changed or two
/// swapped) in a name of five letters or more.
fn same_or_slip(a: &str, b: &str) -> bool {
    a == b || (a.chars().count() >= 5 && b.chars().count() >= 5 && distance(a, b, 1) <= 1)
}

/// Given names that may be the same person's: equal, an initial, one the
/// start of the other ("jo" and "joanne"), or one slip in a long name.
fn given_agrees(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a) || same_or_slip(a, b)
}

/// Whether `typed` (a subject's name at intake) is near the name of the desk
/// user with display name `display` and account `username`: see the module
/// documentation for what counts. Meant to err towards "near": it only makes
/// intake ask a question.
pub fn near(typed: &str, display: &str, username: &str) -> bool {
    let t = tokens(typed);
    if t.is_empty() {
        return false;
    }
    let joined: String = t.concat();
    let s = tokens(display);
    if !s.is_empty() && joined == s.concat() {
        return true;
    }
    // The account name typed as a name: "jbrennan", "J.Brennan", "Jo Brennan"
    // for the account jbrennan.
    let user = fold_word(username).replace(|c: char| !c.is_alphanumeric(), "");
    if user.chars().count() >= 4 {
        let initial_surname = match (t.first(), t.last()) {
            (Some(f), Some(l)) if t.len() >= 2 => {
                format!("{}{l}", f.chars().next().unwrap_or_default())
            }
            _ => String::new(),
        };
        if joined == user || initial_surname == user {
            return true;
        }
    }
    let Some((surname, given)) = s.split_last() else {
        return false;
    };
    t.iter().enumerate().any(|(i, w)| {
        if !same_or_slip(w, surname) {
            return false;
        }
        let others: Vec<&String> = t
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, w)| w)
            .collect();
        others.is_empty()
            || given.is_empty()
            || others
                .iter()
                .any(|o| given.iter().any(|g| given_agrees(o, g)))
    })
}

/// Intake's answer to "does the person this allegation is about use this
/// desk?" (`dutydesk new --about USER|none`, the intake form's field).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum About {
    /// Not asked or not answered: allowed only when the name is near no
    /// desk user ([`decide`]).
    #[default]
    Unanswered,
    /// "No": recorded, and when the name is near a desk user's, the
    /// chronology and the audit trail say so.
    NotADeskUser,
    /// This account: the case is restricted and they are excluded from it.
    User(String),
}

impl About {
    /// The command line's spelling: "none" (or "no") for [`About::NotADeskUser`],
    /// anything else an account name.
    pub fn parse(s: &str) -> About {
        match s.trim() {
            "" => About::Unanswered,
            n if n.eq_ignore_ascii_case("none") || n.eq_ignore_ascii_case("no") => {
                About::NotADeskUser
            }
            u => About::User(u.to_string()),
        }
    }
}

/// What intake does about who may see a new escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing beyond the form's own "restricted" answer. `near` lists the
    /// accounts whose names are near the typed one, when the recorder said
    /// the person is not a desk user (empty when no name was near).
    Open { near: Vec<String> },
    /// Restrict, and exclude this staff id (the person it is about).
    Exclude { staff_id: i64, username: String },
}

/// The refusal when a name is near a desk user's and nobody said whether
/// the person uses the desk. It names the answers, never the colleague.
pub const ASK: &str = "this name is close to the name of someone who uses this desk: say whether the person it is about uses dutydesk, with --about USER (their account, from `dutydesk staff list`) or --about none";

/// The intake rule for who may see a new escalation (issue 14): for a staff
/// subject, a typed name [`near`] any desk user's forces the question; an
/// answer naming an account excludes that account; "none" is allowed and
/// reported in `near`. Other subjects take no answer. `staff` is the whole
/// staff list (deactivated accounts too: they may come back), `me` the
/// recorder, who cannot record an allegation about themselves (they would be
/// excluded from their own record). The error says what to do instead.
pub fn decide(
    staff_subject: bool,
    typed: &str,
    about: &About,
    staff: &[super::staff::StaffMember],
    me: &str,
) -> Result<Decision, String> {
    if !staff_subject {
        return match about {
            About::Unanswered => Ok(Decision::Open { near: Vec::new() }),
            _ => Err("--about is only for an allegation about staff (--subject staff)".into()),
        };
    }
    match about {
        About::User(u) => {
            let u = u.trim();
            let Some(s) = staff.iter().find(|s| s.username == u) else {
                return Err(format!(
                    "no desk user {u:?}: give an account from `dutydesk staff list`, or --about none"
                ));
            };
            if s.username == me {
                return Err("you cannot record an allegation about yourself: ask another DSL or a senior lead to record it".into());
            }
            Ok(Decision::Exclude {
                staff_id: s.id,
                username: s.username.clone(),
            })
        }
        About::NotADeskUser | About::Unanswered => {
            let near: Vec<String> = staff
                .iter()
                .filter(|s| near(typed, &s.display_name, &s.username))
                .map(|s| s.username.clone())
                .collect();
            if *about == About::Unanswered && !near.is_empty() {
                return Err(ASK.into());
            }
            Ok(Decision::Open { near })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_what_does_not_tell_people_apart() {
        assert_eq!(tokens("Jo  Brennan"), vec!["jo", "brennan"]);
        assert_eq!(tokens("Brennan, Jo"), vec!["jo", "brennan"]);
        assert_eq!(tokens("Joanne Brennan (DSL)"), vec!["joanne", "brennan"]);
        assert_eq!(tokens("Mrs J. BRENNAN"), vec!["j", "brennan"]);
        assert_eq!(tokens("Jo Brénnan"), vec!["jo", "brennan"]);
        // Apostrophes and hyphens break words as spaces do: one name
        // however it is typed.
        assert_eq!(tokens("O’Brien"), vec!["o", "brien"]);
        assert_eq!(tokens("Siobhán O'Brien-Ní"), tokens("SIOBHAN O BRIEN NI"));
        assert_eq!(tokens("Oʼbrien"), vec!["o", "brien"], "modifier apostrophe");
        assert_eq!(
            tokens("Ｊｏ　Ｂｒｅｎｎａｎ"),
            vec!["jo", "brennan"],
            "fullwidth"
        );
        assert_eq!(tokens("Вrennan"), vec!["brennan"], "Cyrillic capital Ve");
        assert_eq!(
            tokens("Jо Brеnnаn"),
            vec!["jo", "brennan"],
            "Cyrillic o, e, a"
        );
        assert_eq!(
            tokens("Bre\u{200B}nnan"),
            vec!["brennan"],
            "zero-width space"
        );
        assert_eq!(
            tokens("Strauß"),
            vec!["strauss"],
            "case folding beyond ASCII"
        );
        assert_eq!(tokens("ΙAN"), tokens("Ian"), "Greek capital iota");
        assert!(tokens("(DSL)").is_empty());
    }

    /// Property: a capital and its small letter fold alike, in every
    /// script, with or without accents (issue 18, fault N1).
    #[test]
    fn every_capital_folds_as_its_small_letter() {
        for c in (0u32..0x30000).filter_map(char::from_u32) {
            if !(c.is_uppercase() || c.is_lowercase()) {
                continue;
            }
            let up: String = c.to_uppercase().collect();
            let low: String = c.to_lowercase().collect();
            assert_eq!(fold(&up), fold(&low), "{c:?} U+{:04X}", c as u32);
        }
        let table = [
            ("Cyrillic", "Нина Зубенко", "Нина Зубенко"),
            ("Greek", "Οδυσσέας Παπαδόπουλος", "Οδυσσεας Παπαδοπουλος"),
            ("Greek final sigma", "Παπαδόπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ"),
            ("Armenian", "Արամ Խաչատրյան", "Արամ Խաչատրյան"),
            ("Georgian", "ნინო ბერიძე", "ნინო ბერიძე"),
            (
                "Latin",
                "Zoë Łukasz Ødegård Đặng Strauß",
                "Zoe Łukasz Ødegard Đang Strauss",
            ),
        ];
        for (script, accented, plain) in table {
            let key = tokens(accented);
            assert!(!key.is_empty(), "{script}");
            for v in [
                accented.to_uppercase(),
                accented.to_lowercase(),
                plain.to_string(),
                plain.to_uppercase(),
                plain.to_lowercase(),
            ] {
                assert_eq!(tokens(&v), key, "{script}: {v}");
            }
        }
        assert_eq!(tokens("οδυσσεασ"), tokens("ΟΔΥΣΣΕΑΣ"), "σ at the end");
        assert_eq!(tokens("Οδυσσέας"), tokens("οδυσσεας"), "ς at the end");
        // Georgian capitals (Mtavruli) fold to the everyday letters.
        assert_eq!(tokens("ᲜᲘᲜᲝ"), tokens("ნინო"));
    }

    #[test]
    fn spellings_of_one_desk_user_are_near() {
        let (name, user) = ("Jo Brennan", "jbrennan");
        for typed in [
            "Jo Brennan",
            "jo brennan",
            "JO BRENNAN",
            "Jo  Brennan",
            " Jo Brennan ",
            "J. Brennan",
            "J Brennan",
            "J.Brennan",
            "Joanne Brennan",
            "Joanne Brennan (DSL)",
            "Jo Brennan [senior]",
            "Brennan, Jo",
            "Brennan, J.",
            "BRENNAN Joanne",
            "Mrs Jo Brennan",
            "Ms. J. Brennan",
            "Brennan",
            "brennan",
            "Brenan",
            "Brennnan",
            "Jo Brenann",
            "Jo-Brennan",
            "Jo_Brennan",
            "JoBrennan",
            "jbrennan",
            "Jo Brénnan",
            "Вrennan",
            "Jо Вrеnnаn",
            "Ｊｏ Ｂｒｅｎｎａｎ",
            "Jo Bre\u{200B}nnan",
            "Joanne Mary Brennan",
            "Brennan Jo (staff)",
        ] {
            assert!(near(typed, name, user), "{typed:?} should be near {name}");
        }
    }

    #[test]
    fn other_shapes_of_names_and_accounts() {
        assert!(near("Siobhán O'Neill", "Siobhan ONeill", "soneill"));
        assert!(near("S O’Neill", "Siobhan O'Neill", "soneill"));
        assert!(near("Nowak", "Tomasz Nowak", "tnowak"));
        assert!(near("T. Nowak", "Tomasz Nowak", "tnowak"));
        assert!(near("Tom Nowak", "Tomasz Nowak", "tnowak"));
        assert!(near("rwhite", "Rachel White", "rwhite"));
        assert!(near("R White", "Rachel White", "rwhite"));
        assert!(near("Müller", "Anna Mueller", "amueller"), "one slip");
        assert!(near("Anna Muller", "Anna Müller", "amuller"));
        // A staff member known by one name only.
        assert!(near("Alice", "alice", "alice"));
        assert!(near("alice smith", "alice", "alice"));
        // Other scripts compare with themselves.
        assert!(near("Иван Петров", "Иван Петров", "ipetrov"));
        assert!(near("Петров", "Иван Петров", "ipetrov"));
    }

    #[test]
    fn different_people_are_not_near() {
        for (typed, name, user) in [
            ("Jo Smith", "Jo Brennan", "jbrennan"),
            ("Sam Brennan", "Jo Brennan", "jbrennan"),
            ("Kai Brennan", "Jo Brennan", "jbrennan"),
            ("Brannigan", "Jo Brennan", "jbrennan"),
            ("Jo", "Jo Brennan", "jbrennan"),
            ("Omar Shah", "Omar Khan", "okhan"),
            ("Rachel Whitehouse", "Rachel White", "rwhite"),
            ("Tom Nowakowski", "Tomasz Nowak", "tnowak"),
            ("Dan Lewis", "Asha Mistry", "amistry"),
            ("Pat Doe", "dee", "dee"),
            ("J. Smith", "bob", "bob"),
            ("Pat Doe", "alice", "alice"),
            ("Chioma Adeyemi", "Chi Ade", "cade"),
            ("Ivan Petrov", "Иван Петров", "ipetrov2"),
            ("", "Jo Brennan", "jbrennan"),
            ("(DSL)", "Jo Brennan", "jbrennan"),
        ] {
            assert!(!near(typed, name, user), "{typed:?} is not {name}");
        }
    }

    #[test]
    fn distance_counts_slips() {
        assert_eq!(distance("brennan", "brennan", 2), 0);
        assert_eq!(distance("brennan", "brenan", 2), 1);
        assert_eq!(distance("brennan", "bernnan", 2), 1);
        assert_eq!(distance("brennan", "brenann", 2), 1, "a swap is one slip");
        assert_eq!(distance("a", "abcd", 1), 2, "gives up past the limit");
    }

    fn staff() -> Vec<crate::domain::staff::StaffMember> {
        use crate::domain::staff::{Role, StaffMember};
        [
            (1, "jbrennan", "Jo Brennan"),
            (2, "okhan", "Omar Khan"),
            (3, "alice", "Alice Moore"),
        ]
        .into_iter()
        .map(|(id, u, n)| StaffMember {
            id,
            username: u.into(),
            display_name: n.into(),
            role: Role::Dsl,
            active: id != 2,
        })
        .collect()
    }

    #[test]
    fn a_near_name_forces_the_question() {
        let st = staff();
        let d = |typed: &str, about: About| decide(true, typed, &about, &st, "alice");
        assert_eq!(d("J. Brennan", About::Unanswered), Err(ASK.to_string()));
        assert!(!ASK.contains("Brennan") && !ASK.contains("jbrennan"));
        // A deactivated account still counts: it may come back.
        assert_eq!(d("Omar  Khan", About::Unanswered), Err(ASK.to_string()));
        assert_eq!(
            d("J. Brennan", About::NotADeskUser),
            Ok(Decision::Open {
                near: vec!["jbrennan".into()]
            })
        );
        assert_eq!(
            d("Pat Doe", About::Unanswered),
            Ok(Decision::Open { near: vec![] })
        );
        assert_eq!(
            d("Pat Doe", About::User("jbrennan".into())),
            Ok(Decision::Exclude {
                staff_id: 1,
                username: "jbrennan".into()
            }),
            "the answer decides, whatever the spelling"
        );
        assert!(
            d("x", About::User("nobody".into()))
                .unwrap_err()
                .contains("staff list")
        );
        assert!(
            d("Alice Moore", About::User("alice".into()))
                .unwrap_err()
                .contains("yourself")
        );
        // Not for children or adults.
        assert!(decide(false, "Jo Brennan", &About::NotADeskUser, &st, "alice").is_err());
        assert_eq!(
            decide(false, "Jo Brennan", &About::Unanswered, &st, "alice"),
            Ok(Decision::Open { near: vec![] })
        );
        assert_eq!(About::parse("None"), About::NotADeskUser);
        assert_eq!(About::parse(" jbrennan "), About::User("jbrennan".into()));
    }
}
