//! Authentication and authorization over HTTP: every route called with
//! every kind of credential against the default policies (the matrix
//! `docs/authorization.md` shows), listings narrowed to the caller's
//! workflows, a key acting only as its own reviewer, and the
//! `Authorization` header's edge cases.

mod credentials;
mod headers;
mod matrix;
mod reviewer;
mod scope;
