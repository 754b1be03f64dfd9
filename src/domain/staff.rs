//! Users of the desk and what their role lets them do.

use serde::Serialize;

coded_enum! {
    /// A user's role. Senior leads see restricted escalations (allegations
    /// involving a DSL); viewers see lists but not personal details.
    Role {
        Dsl = "dsl", "DSL";
        Deputy = "deputy", "deputy DSL";
        Senior = "senior", "senior lead";
        Viewer = "viewer", "viewer";
    }
}

impl Role {
    /// Who may add staff, change a role, deactivate or reactivate an account:
    /// senior leads only. The staff list decides who sees allegations about
    /// staff, so a DSL must not be able to lock out the senior lead or make
    /// themselves one (issue 14).
    pub fn manages_staff(self) -> bool {
        self == Role::Senior
    }

    /// Who may change the desk's shared set-up (deadline rules, settings,
    /// contacts, the rota, review records): DSLs and senior leads.
    pub fn manages_desk(self) -> bool {
        matches!(self, Role::Dsl | Role::Senior)
    }

    /// Who sees restricted escalations without being named on them.
    pub fn sees_restricted(self) -> bool {
        self == Role::Senior
    }
}

/// A user, as the desk knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// A change to someone's account, as a senior lead asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    Role(Role),
    Deactivate,
    Reactivate,
}

/// Whether `actor` may make `change` to `target`, given how many active
/// senior leads there are (`active_seniors`, `target` included). The error is
/// the refusal, saying what to do instead.
///
/// Rules: only an active senior lead manages staff ([`Role::manages_staff`]);
/// the last active senior lead can be neither demoted nor deactivated, or
/// nobody could see allegations about a DSL or manage staff again; nobody
/// changes their own role or deactivates themselves (another senior lead
/// must); a change that changes nothing is refused so the trail stays honest.
pub fn check_change(
    actor: &StaffMember,
    target: &StaffMember,
    change: StaffChange,
    active_seniors: usize,
) -> Result<(), String> {
    if !(actor.active && actor.role.manages_staff()) {
        return Err(format!(
            "{} may not change staff: only a senior lead may; ask one (`dutydesk staff list` shows who)",
            actor.username
        ));
    }
    let removes_senior = target.active
        && target.role == Role::Senior
        && match change {
            StaffChange::Deactivate => true,
            StaffChange::Role(r) => r != Role::Senior,
            StaffChange::Reactivate => false,
        };
    if removes_senior && active_seniors <= 1 {
        return Err(format!(
            "{} is the last active senior lead: make another senior lead first (`dutydesk staff role USER senior`)",
            target.username
        ));
    }
    match change {
        StaffChange::Role(_) if target.id == actor.id => {
            Err("you cannot change your own role: ask another senior lead".into())
        }
        StaffChange::Deactivate if target.id == actor.id => {
            Err("you cannot deactivate yourself: ask another senior lead".into())
        }
        StaffChange::Role(r) if r == target.role => {
            Err(format!("{} is already a {}", target.username, r.label()))
        }
        StaffChange::Deactivate if !target.active => Err(format!(
            "{} is already deactivated (`dutydesk staff reactivate {}` brings them back)",
            target.username, target.username
        )),
        StaffChange::Reactivate if target.active => {
            Err(format!("{} is already active", target.username))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(id: i64, role: Role, active: bool) -> StaffMember {
        StaffMember {
            id,
            username: format!("u{id}"),
            display_name: format!("User {id}"),
            role,
            active,
        }
    }

    #[test]
    fn only_senior_leads_manage_staff_but_dsls_keep_the_desk() {
        assert!(Role::Senior.manages_staff());
        for r in [Role::Dsl, Role::Deputy, Role::Viewer] {
            assert!(!r.manages_staff(), "{r:?}");
        }
        assert!(Role::Dsl.manages_desk() && Role::Senior.manages_desk());
        assert!(!Role::Deputy.manages_desk() && !Role::Viewer.manages_desk());
    }

    #[test]
    fn staff_changes_are_checked() {
        let senior = who(1, Role::Senior, true);
        let other_senior = who(2, Role::Senior, true);
        let dsl = who(3, Role::Dsl, true);
        let gone = who(4, Role::Dsl, false);
        use StaffChange::{Deactivate, Reactivate};
        // A DSL may change nobody, not even a viewer.
        let e = check_change(&dsl, &who(5, Role::Viewer, true), Deactivate, 2).unwrap_err();
        assert!(e.contains("only a senior lead"), "{e}");
        // A deactivated senior lead may not either.
        let old = who(6, Role::Senior, false);
        assert!(check_change(&old, &dsl, Deactivate, 2).is_err());
        // The last active senior lead stays, whoever asks.
        for change in [Deactivate, StaffChange::Role(Role::Dsl)] {
            let e = check_change(&senior, &senior, change, 1).unwrap_err();
            assert!(e.contains("last active senior lead"), "{e}");
            assert!(e.contains("make another senior lead first"), "{e}");
            assert!(check_change(&senior, &other_senior, change, 2).is_ok());
        }
        // Not yourself, even with another senior lead about.
        assert!(
            check_change(&senior, &senior, Deactivate, 2)
                .unwrap_err()
                .contains("yourself")
        );
        assert!(
            check_change(&senior, &senior, StaffChange::Role(Role::Dsl), 2)
                .unwrap_err()
                .contains("your own role")
        );
        // Changes that change nothing.
        assert!(check_change(&senior, &dsl, StaffChange::Role(Role::Dsl), 2).is_err());
        assert!(check_change(&senior, &gone, Deactivate, 2).is_err());
        assert!(check_change(&senior, &dsl, Reactivate, 2).is_err());
        // And the ordinary ones.
        assert!(check_change(&senior, &gone, Reactivate, 1).is_ok());
        assert!(check_change(&senior, &dsl, StaffChange::Role(Role::Senior), 1).is_ok());
        assert!(check_change(&senior, &dsl, Deactivate, 1).is_ok());
    }
}
