//! Portico's domain types: the codes that bring a patient in, dates of birth, names, contact
//! points, passwords, usernames, staff roles, a practice's time zone, and the folded words a search
//! compares (`search`). Every value that comes from outside is parsed here
//! once, into a type that cannot hold a bad value, so the rest of the service never re-checks it.
//! The closed sets of words the database stores (invitation states, subject kinds, outbox states,
//! link statuses and sources) are enums here too, and reading an unknown word is an error.
//!
//! This crate is pure: it must never do I/O, read the clock or touch a database. "Today" is passed in
//! by the caller. Types that hold personal data or secrets have a redacted `Debug` and no `Display`,
//! so they cannot end up in a log by accident; their text is reached only through `expose_*` or
//! plainly named accessors.
//!
//! With the `openapi` feature, each type that parses outside input also states its rule as a JSON
//! Schema (next to the rule, see `schema`), so the API document is built from the same source.

pub mod attachment;
pub mod birth_date;
pub mod caregiver;
pub mod codes;
pub mod consent_scan;
pub mod email;
pub mod file_kind;
pub mod intake_form;
pub mod invitation;
pub mod json;
pub mod link;
pub mod name;
pub mod one_time_code;
pub mod outbox;
pub mod password;
pub mod phone;
pub mod roles;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod search;
pub mod stored;
pub mod subject;
pub mod text_limit;
pub mod thread;
pub mod time_zone;
pub mod username;
pub mod visit;

pub use attachment::{Attachment, AttachmentError};
pub use birth_date::{BirthDate, BirthDateError, MAX_AGE_YEARS};
pub use caregiver::{AccessLevel, CaregiverAuthority};
pub use codes::{
    CODE_DIGITS, CODE_ENTRY_LIMIT, CODE_LETTERS, CodeError, InviteCode, ProviderCode,
    SIGNUP_CODE_MAX_LEN, SIGNUP_CODE_MIN_LEN, SignupCode,
};
pub use consent_scan::{ConsentScan, ScanError};
pub use email::{EmailAddress, EmailError};
pub use file_kind::FileKind;
pub use intake_form::{
    AnswerError, FormAnswers, FormDefinition, FormError, FormPart, Question, QuestionKind,
    TypedQuestion,
};
pub use invitation::{Channel, ConsentMethod, InvitationState, ProgramPolicy, Relation};
pub use link::{LinkSource, LinkStatus};
pub use name::{DisplayName, NameError, PersonName};
pub use one_time_code::{ONE_TIME_CODE_LEN, OneTimeCode, OneTimeCodeError};
pub use outbox::OutboxState;
pub use password::{
    MAX_LEN, MIN_LEN_SINGLE_FACTOR, MIN_LEN_WITH_SECOND_FACTOR, Password, PasswordContext,
    PasswordRejection, counted_length, strength, suggest_passphrase,
};
#[cfg(feature = "openapi")]
pub use phone::Country;
pub use phone::{PhoneError, PhoneNumber, is_known_region};
pub use roles::{RoleError, StaffRole};
pub use search::{Needle, SearchError, SearchQuery};
pub use stored::UnknownWord;
pub use subject::SubjectKind;
pub use text_limit::TextLimit;
pub use thread::{MessageAuthor, MessageText, ThreadSubject, ThreadTextError};
pub use time_zone::{DEFAULT_TIME_ZONE, TimeZone, TimeZoneError};
pub use username::{Username, UsernameError};
pub use visit::{VisitPrompts, VisitPromptsError, VisitState, VisitText, VisitTextError};
