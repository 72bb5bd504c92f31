//! Pure security decisions, with no I/O: who may do what (Cedar policies,
//! [`authz`]), where personal data is in a text and how it is redacted
//! ([`pii`]), and how much a text looks like a prompt-injection attempt
//! ([`injection`]). The engine and the server compose these with storage
//! and models; this crate never touches either.

pub mod authz;
pub mod injection;
pub mod pii;
