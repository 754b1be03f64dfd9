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
    /// Who may add and deactivate staff.
    pub fn manages_staff(self) -> bool {
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
