//! The organisation's settings, typed: one place parses and checks every
//! value, for `dutydesk settings set` and for every reader (issue 16 point 9:
//! a value that was accepted and then silently ignored, or one that made
//! closing impossible, can no longer be stored).
//!
//! Values are kept as text in the `settings` table; [`Settings::from_stored`]
//! reads them back, and a stored value that no longer parses (written by an
//! older dutydesk, or by hand) falls back to its default and is reported, so
//! `settings list` shows it rather than the desk quietly using something else.

use super::worktime::WorkingHours;

coded_enum! {
    /// The settings an organisation may change (`dutydesk settings set KEY VALUE`).
    Key {
        OrgName = "org_name", "the organisation's name, shown in the header";
        HolidayDivision = "holiday_division", "whose bank holidays are not working days";
        WorkingHours = "working_hours", "the organisation's working hours, for deadlines in working days and working hours";
        AckMinutes = "ack_minutes", "minutes a new escalation may wait unacknowledged";
        ClosureOutcomes = "closure_outcomes", "the outcomes a DSL may close with";
    }
}

/// The closing outcomes every organisation starts with.
pub const DEFAULT_OUTCOMES: &[&str] = &[
    "no-further-action",
    "advice-given",
    "signposted",
    "referred",
    "early-help",
    "lado-concluded",
];

/// How a closing outcome is said to a person: the defaults' own words, and
/// for an organisation's own code (`closure_outcomes` holds codes: a-z, 0-9,
/// `-`, `_`) its words with the field's abbreviations in capitals
/// ("lado-concluded" → "LADO concluded", "s42-enquiry" → "s42 enquiry").
/// Codes stay in JSON and on the command line; screens, text output, the
/// chronology and exports say this.
pub fn outcome_label(code: &str) -> String {
    match code {
        "no-further-action" => return "no further action".into(),
        "advice-given" => return "advice given".into(),
        "early-help" => return "early help".into(),
        "lado-concluded" => return "LADO process concluded".into(),
        _ => {}
    }
    code.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "lado" | "mash" | "marac" | "nrm" | "icpc" | "rcpc" | "dbs" | "ceop" | "fgm"
            | "fmu" | "cse" | "cce" | "dash" | "ehcp" | "cin" | "cp" | "nfa" | "edt" | "ms1"
            | "sar" | "dhr" | "mappa" => w.to_uppercase(),
            "pipot" => "PiPoT".into(),
            w => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// GOV.UK's divisions (`bank-holidays.json`).
pub const DIVISIONS: &[&str] = super::calendar::DIVISIONS;

/// Acknowledgement window bounds, minutes: at least one, at most a day.
pub const ACK_MINUTES: std::ops::RangeInclusive<u32> = 1..=1440;

/// Most closing outcomes a list may hold.
pub const MAX_OUTCOMES: usize = 30;

/// Settings that used to exist: what replaced each.
const RETIRED: &[(&str, &str)] = &[(
    "deadline_counting",
    "counting is now chosen by each rule: `dutydesk rules set CODE ... --counting same_time|end_of_working_day|working_hours` (see `dutydesk rules list`)",
)];

/// Every setting, typed, with its default where none is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub org_name: String,
    pub holiday_division: String,
    pub working_hours: WorkingHours,
    /// The acknowledgement window (immediate risk waits at most 5 minutes:
    /// `alert::ack_window`).
    pub ack_minutes: u32,
    pub closure_outcomes: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            org_name: "dutydesk".into(),
            holiday_division: "england-and-wales".into(),
            working_hours: WorkingHours::office(),
            ack_minutes: 15,
            closure_outcomes: DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The key named `key`, or a refusal listing the keys (and, for a retired
/// one, what replaced it).
pub fn key(key: &str) -> Result<Key, String> {
    let k = key.trim();
    if let Some((_, instead)) = RETIRED.iter().find(|(r, _)| *r == k) {
        return Err(format!("{k} is no longer a setting: {instead}"));
    }
    Key::from_code(k).ok_or_else(|| {
        let keys: Vec<&str> = Key::ALL.iter().map(|k| k.code()).collect();
        format!("no setting {k:?}: the settings are {}", keys.join(", "))
    })
}

/// Checks `value` for `key` and returns it as it will be stored (trimmed,
/// normalised). Every refusal names the valid values.
pub fn parse(k: Key, value: &str) -> Result<String, String> {
    let v = value.trim();
    let line = super::text::validate_line(k.code(), v, 200).map_err(|e| e.to_string());
    match k {
        Key::OrgName => {
            let v = super::text::validate_line("organisation name", v, 120)
                .map_err(|e| e.to_string())?;
            Ok(v)
        }
        Key::HolidayDivision => {
            let v = line?;
            if DIVISIONS.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(format!(
                    "{v:?} is not a holiday division: use {}",
                    DIVISIONS.join(", ")
                ))
            }
        }
        Key::WorkingHours => {
            let h = WorkingHours::parse(v)?;
            Ok(h.format())
        }
        Key::AckMinutes => {
            let n: u32 = v.parse().map_err(|_| {
                format!(
                    "{v:?} is not a number of minutes: ack_minutes is a whole number from {} to {}",
                    ACK_MINUTES.start(),
                    ACK_MINUTES.end()
                )
            })?;
            if !ACK_MINUTES.contains(&n) {
                return Err(format!(
                    "{n} minutes is out of range: ack_minutes is from {} to {}",
                    ACK_MINUTES.start(),
                    ACK_MINUTES.end()
                ));
            }
            Ok(n.to_string())
        }
        Key::ClosureOutcomes => Ok(outcomes(v)?.join(",")),
    }
}

/// A closing-outcome list: comma-separated codes (a-z, 0-9, `-`, `_`), at
/// least one, none repeated, at most [`MAX_OUTCOMES`].
fn outcomes(v: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if list.is_empty() {
        return Err(format!(
            "closure_outcomes needs at least one outcome, comma-separated, e.g. {}",
            DEFAULT_OUTCOMES.join(",")
        ));
    }
    if list.len() > MAX_OUTCOMES {
        return Err(format!("{} outcomes: at most {MAX_OUTCOMES}", list.len()));
    }
    for (i, o) in list.iter().enumerate() {
        if o.len() > 40
            || !o
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(format!(
                "{o:?} is not an outcome code: use a-z, 0-9, - and _ (up to 40), e.g. advice-given"
            ));
        }
        if list[..i].contains(o) {
            return Err(format!("{o} is listed twice"));
        }
    }
    Ok(list)
}

impl Settings {
    /// The settings from stored (key, value) pairs, and a problem for each
    /// stored value that does not parse (its default is used instead).
    /// Keys that are not settings (the `demo` mark, retired ones) are skipped.
    pub fn from_stored<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<String>) {
        let mut s = Settings::default();
        let mut problems = Vec::new();
        for (k, v) in pairs {
            let Some(key) = Key::from_code(k) else {
                continue;
            };
            match parse(key, v) {
                Ok(v) => s.apply(key, &v),
                Err(e) => problems.push(format!(
                    "stored {k} = {v:?} is not valid ({e}); the default {:?} is used: set it again with `dutydesk settings set {k} VALUE`",
                    Settings::default().value(key)
                )),
            }
        }
        (s, problems)
    }

    /// Sets a value [`parse`] returned.
    fn apply(&mut self, key: Key, v: &str) {
        match key {
            Key::OrgName => self.org_name = v.to_string(),
            Key::HolidayDivision => self.holiday_division = v.to_string(),
            Key::WorkingHours => {
                if let Ok(h) = WorkingHours::parse(v) {
                    self.working_hours = h;
                }
            }
            Key::AckMinutes => self.ack_minutes = v.parse().unwrap_or(self.ack_minutes),
            Key::ClosureOutcomes => {
                self.closure_outcomes = v.split(',').map(str::to_string).collect()
            }
        }
    }

    /// A setting's value as `settings list` prints it.
    pub fn value(&self, key: Key) -> String {
        match key {
            Key::OrgName => self.org_name.clone(),
            Key::HolidayDivision => self.holiday_division.clone(),
            Key::WorkingHours => self.working_hours.format(),
            Key::AckMinutes => self.ack_minutes.to_string(),
            Key::ClosureOutcomes => self.closure_outcomes.join(","),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_codes_are_said_in_words() {
        assert_eq!(outcome_label("no-further-action"), "no further action");
        assert_eq!(outcome_label("lado-concluded"), "LADO process concluded");
        assert_eq!(outcome_label("signposted"), "signposted");
        assert_eq!(outcome_label("marac_referred"), "MARAC referred");
        assert_eq!(outcome_label("s42-enquiry"), "s42 enquiry");
        for code in DEFAULT_OUTCOMES {
            let l = outcome_label(code);
            assert!(!l.contains('-') && !l.contains('_'), "{code}: {l}");
        }
    }

    #[test]
    fn values_are_checked_and_normalised() {
        assert_eq!(parse(Key::AckMinutes, " 10 ").unwrap(), "10");
        let e = parse(Key::AckMinutes, "five").unwrap_err();
        assert!(e.contains("1 to 1440"), "{e}");
        assert!(
            parse(Key::AckMinutes, "0")
                .unwrap_err()
                .contains("1 to 1440")
        );
        assert!(parse(Key::AckMinutes, "1441").is_err());
        let e = parse(Key::ClosureOutcomes, " , ").unwrap_err();
        assert!(e.contains("at least one"), "{e}");
        assert_eq!(
            parse(Key::ClosureOutcomes, " advice-given , nfa ").unwrap(),
            "advice-given,nfa"
        );
        assert!(
            parse(Key::ClosureOutcomes, "a,a")
                .unwrap_err()
                .contains("twice")
        );
        assert!(parse(Key::ClosureOutcomes, "Advice Given").is_err());
        assert_eq!(
            parse(Key::WorkingHours, "mon-fri 08:30-16:30").unwrap(),
            "Mon-Fri 08:30-16:30"
        );
        assert!(parse(Key::WorkingHours, "24/7").is_err());
        let e = parse(Key::HolidayDivision, "wales").unwrap_err();
        assert!(
            e.contains("england-and-wales, scotland, northern-ireland"),
            "{e}"
        );
        assert!(parse(Key::OrgName, "  ").is_err());
    }

    #[test]
    fn keys_name_the_valid_ones_and_retired_ones_say_what_replaced_them() {
        assert_eq!(key("ack_minutes").unwrap(), Key::AckMinutes);
        let e = key("ack").unwrap_err();
        assert!(
            e.contains("org_name, holiday_division, working_hours"),
            "{e}"
        );
        let e = key("deadline_counting").unwrap_err();
        assert!(e.contains("rules set"), "{e}");
    }

    #[test]
    fn stored_values_that_do_not_parse_fall_back_and_are_reported() {
        let (s, problems) = Settings::from_stored([
            ("ack_minutes", "five"),
            ("closure_outcomes", "advice-given,referred"),
            ("demo", "1"),
            ("deadline_counting", "end_of_day"),
        ]);
        assert_eq!(s.ack_minutes, 15);
        assert_eq!(s.closure_outcomes, vec!["advice-given", "referred"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("ack_minutes"), "{problems:?}");
    }
}
