//! Plain types and rules of safeguarding work. No IO here: no SQLite, no terminal,
//! no clock reads. Time always comes in as an argument so tests can fix it.

/// Declares an enumeration stored as a text code, with a label for people.
/// One list per enumeration: code, label and parsing cannot drift apart.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        /// Serialised as its stored code, so JSON output matches the database.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used on the command line.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Words for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a stored or typed code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub mod alert;
pub mod area;
pub mod calendar;
pub mod casework;
pub mod category;
pub mod contact;
pub mod deadline;
pub mod escalation;
pub mod exit;
pub mod export;
pub mod hours;
pub mod import;
pub mod intake;
pub mod json;
pub mod names;
pub mod paging;
pub mod policy;
pub mod report;
pub mod report_html;
pub mod review;
pub mod rota;
pub mod route;
pub mod routing;
pub mod search;
pub mod settings;
pub mod staff;
pub mod text;
pub mod urgency;
pub mod worktime;
