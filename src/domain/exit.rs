//! How a command ends, as its exit status: one table for every command, so a
//! script can tell "the desk said no" from "dutydesk could not start" from "a
//! fault" without reading the words (issue 16, point 9: refusals used to exit 1
//! for the verbs and 2 for `staff add`).
//!
//! | status | meaning | examples |
//! |---|---|---|
//! | 0 | done | a verb recorded, a list printed, `verify` found nothing |
//! | 1 | refused, nothing changed; or a check found a problem | not allowed for your role, the case's state does not allow it, changed by someone else, a reference you may not see, the database busy or read-only; `verify`, `anchor`, `rota check`, `notifier --once` reporting problems |
//! | 2 | bad input, nothing changed; or cannot start | a value the desk cannot take (the message names the valid ones: a time in the future, an unknown code, a waiver without a reason), a usage error (clap's own, which also exits 2), a broken settings file, an unknown or deactivated account, no usable database (missing, foreign, newer, unsafe place), `DUTYDESK_USER`/`NOW` where refused |
//! | 3 | unexpected failure | an I/O or database fault: the message says what failed |
//!
//! The README and `dutydesk --help` state the same table ([`TABLE`]).

/// The exit status of a command (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Done,
    /// 1: the desk refused (nothing changed), or a check found a problem.
    Refused,
    /// 2: bad input (nothing changed): the message names the valid values.
    /// Shares 2 with clap's usage errors, which are bad input too (issue 15:
    /// "exit code 2 and the reason").
    BadInput,
    /// 2: could not start: usage, settings, account or database set-up.
    CannotStart,
    /// 3: an unexpected fault (I/O, database).
    Failed,
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> i32 {
        match self {
            Exit::Done => 0,
            Exit::Refused => 1,
            Exit::BadInput | Exit::CannotStart => 2,
            Exit::Failed => 3,
        }
    }
}

/// The table as `--help` prints it (and the README quotes).
pub const TABLE: &str = "\
Exit status: 0 done; 1 refused (nothing changed: not allowed, the case's
state, changed by someone else, not found, database busy or read-only) or a
check found a problem (verify, anchor, rota check, notifier --once); 2 bad
input (nothing changed: the message names the valid values) or cannot start
(usage, a broken settings file, an unknown or deactivated account, no usable
database); 3 unexpected failure (I/O or database fault).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_stated() {
        let all = [
            Exit::Done,
            Exit::Refused,
            Exit::BadInput,
            Exit::CannotStart,
            Exit::Failed,
        ];
        let codes: Vec<i32> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes, vec![0, 1, 2, 2, 3]);
        for (e, c) in all.iter().zip(&codes) {
            assert!(TABLE.contains(&format!("{c} ")), "{e:?}");
        }
    }
}
