//! The one error type of Airlock.
//!
//! Every failure is an [`Error`] with an [`ErrorKind`]. The kind decides the
//! stable machine-readable code, the HTTP status a server answers with, the
//! process exit code the CLI returns and the level it is logged at, in one
//! exhaustive `match` each, so adding a kind forces a decision everywhere.

use std::fmt;
use std::path::Path;
use std::time::Duration;

/// Result alias used across Airlock.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, independent of where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input is malformed or violates a contract.
    InvalidInput,
    /// Configuration (file, env or flags) is invalid.
    InvalidConfig,
    /// A named thing does not exist.
    NotFound,
    /// The request conflicts with the current state (e.g. already resolved).
    Conflict,
    /// The caller may not do this (e.g. resolve a disputed task without the
    /// adjudicator role).
    Forbidden,
    /// A model file is not installed where it was expected.
    ModelMissing,
    /// A model file exists but is truncated, corrupt or of the wrong kind.
    ModelCorrupt,
    /// A download or external tool failed (network, pip, checksum mismatch).
    FetchFailed,
    /// Model inference failed at run time.
    Inference,
    /// Reading or writing local files failed.
    Io,
    /// A dependency is temporarily unavailable; retrying may succeed.
    Unavailable,
    /// A bug: an invariant Airlock relies on was broken.
    Internal,
    /// A request body in a media type the endpoint does not accept.
    UnsupportedMediaType,
    /// A request body larger than the server accepts.
    PayloadTooLarge,
    /// An HTTP method the route does not serve.
    MethodNotAllowed,
    /// The work did not finish within its time limit.
    Timeout,
    /// The caller did not prove who it is (no key, an unknown, revoked or
    /// expired key).
    Unauthenticated,
    /// A limit was reached (a spending budget over its window); retrying
    /// after the window or the `Retry-After` may succeed.
    RateLimited,
}

/// How loudly an error should be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Warn,
    Error,
}

impl ErrorKind {
    /// Every kind, so a code can be mapped back ([`ErrorKind::from_code`]).
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidInput,
        ErrorKind::InvalidConfig,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Forbidden,
        ErrorKind::ModelMissing,
        ErrorKind::ModelCorrupt,
        ErrorKind::FetchFailed,
        ErrorKind::Inference,
        ErrorKind::Io,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
        ErrorKind::UnsupportedMediaType,
        ErrorKind::PayloadTooLarge,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Timeout,
        ErrorKind::Unauthenticated,
        ErrorKind::RateLimited,
    ];

    /// The kind whose [`ErrorKind::code`] is `code` (clients rebuild errors
    /// from API responses with it).
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// Stable code, part of the public API (`{"error": {"code": ...}}`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::ModelMissing => "model_missing",
            ErrorKind::ModelCorrupt => "model_corrupt",
            ErrorKind::FetchFailed => "fetch_failed",
            ErrorKind::Inference => "inference_failed",
            ErrorKind::Io => "io_error",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::RateLimited => "rate_limited",
        }
    }

    /// HTTP status a server answers with for this kind.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Forbidden => 403,
            ErrorKind::InvalidConfig
            | ErrorKind::ModelMissing
            | ErrorKind::ModelCorrupt
            | ErrorKind::FetchFailed
            | ErrorKind::Unavailable => 503,
            ErrorKind::Inference | ErrorKind::Io | ErrorKind::Internal => 500,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Timeout => 504,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::RateLimited => 429,
        }
    }

    /// Process exit code the CLI returns (sysexits-style, so scripts can branch).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::InvalidInput => 65,                    // EX_DATAERR
            ErrorKind::InvalidConfig => 78,                   // EX_CONFIG
            ErrorKind::NotFound => 66,                        // EX_NOINPUT
            ErrorKind::Conflict => 75,                        // EX_TEMPFAIL
            ErrorKind::Forbidden => 77,                       // EX_NOPERM
            ErrorKind::ModelMissing => 66,                    // EX_NOINPUT
            ErrorKind::ModelCorrupt => 65,                    // EX_DATAERR
            ErrorKind::FetchFailed => 69,                     // EX_UNAVAILABLE
            ErrorKind::Unavailable => 69,                     // EX_UNAVAILABLE
            ErrorKind::Io => 74,                              // EX_IOERR
            ErrorKind::Inference | ErrorKind::Internal => 70, // EX_SOFTWARE
            ErrorKind::UnsupportedMediaType | ErrorKind::PayloadTooLarge => 65, // EX_DATAERR
            ErrorKind::MethodNotAllowed => 64,                // EX_USAGE
            ErrorKind::Timeout => 75,                         // EX_TEMPFAIL
            ErrorKind::Unauthenticated => 77,                 // EX_NOPERM
            ErrorKind::RateLimited => 75,                     // EX_TEMPFAIL
        }
    }

    /// Level at which the error is logged when it happens.
    pub fn log_level(self) -> LogLevel {
        match self {
            ErrorKind::InvalidInput
            | ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::Forbidden
            | ErrorKind::Unauthenticated
            | ErrorKind::RateLimited
            | ErrorKind::UnsupportedMediaType
            | ErrorKind::PayloadTooLarge
            | ErrorKind::MethodNotAllowed => LogLevel::Debug,
            ErrorKind::InvalidConfig
            | ErrorKind::ModelMissing
            | ErrorKind::ModelCorrupt
            | ErrorKind::FetchFailed
            | ErrorKind::Unavailable
            | ErrorKind::Timeout => LogLevel::Warn,
            ErrorKind::Inference | ErrorKind::Io | ErrorKind::Internal => LogLevel::Error,
        }
    }
}

/// Airlock's error: a kind, a message that names what is wrong, and
/// optionally the offending field or file, a hint on what to do, and when
/// trying again may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    field: Option<String>,
    hint: Option<String>,
    /// How long to wait before trying again (a spent budget's window, a
    /// provider's `Retry-After`); HTTP answers send it as `Retry-After`.
    retry_after: Option<Duration>,
}

impl Error {
    /// A new error of `kind` with a message naming what is wrong.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            field: None,
            hint: None,
            retry_after: None,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidConfig, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn inference(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Inference, message)
    }

    /// An I/O failure on `path`, with the OS error.
    pub fn io(path: &Path, action: &str, err: std::io::Error) -> Self {
        Self::new(
            ErrorKind::Io,
            format!("cannot {action} {}: {err}", path.display()),
        )
        .with_field(path.display().to_string())
    }

    /// Names the field, column or file the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Tells the user what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Says how long to wait before trying again.
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// `{"error": {"code", "message", "field"?, "hint"?}}`: the one JSON shape
    /// errors take on every API.
    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "code": self.kind.code(),
            "message": self.message,
        });
        if let Some(field) = &self.field {
            body["field"] = serde_json::Value::String(field.clone());
        }
        if let Some(hint) = &self.hint {
            body["hint"] = serde_json::Value::String(hint.clone());
        }
        serde_json::json!({ "error": body })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_is_listed_once_and_codes_map_back() {
        use super::ErrorKind;
        for kind in ErrorKind::ALL {
            // Exhaustive: a new kind stops this compiling, as a reminder to
            // add it to ALL and to the count below.
            match kind {
                ErrorKind::InvalidInput
                | ErrorKind::InvalidConfig
                | ErrorKind::NotFound
                | ErrorKind::Conflict
                | ErrorKind::Forbidden
                | ErrorKind::ModelMissing
                | ErrorKind::ModelCorrupt
                | ErrorKind::FetchFailed
                | ErrorKind::Inference
                | ErrorKind::Io
                | ErrorKind::Unavailable
                | ErrorKind::Internal
                | ErrorKind::UnsupportedMediaType
                | ErrorKind::PayloadTooLarge
                | ErrorKind::MethodNotAllowed
                | ErrorKind::Timeout
                | ErrorKind::Unauthenticated
                | ErrorKind::RateLimited => {}
            }
            assert_eq!(ErrorKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(ErrorKind::ALL.len(), 18);
        assert_eq!(ErrorKind::from_code("no_such_code"), None);
    }

    use super::*;

    #[test]
    fn json_shape_names_code_field_and_hint() {
        let err = Error::invalid_input("column `label` is missing")
            .with_field("label")
            .with_hint("add a `label` column");
        let json = err.to_json();
        assert_eq!(json["error"]["code"], "invalid_input");
        assert_eq!(json["error"]["field"], "label");
        assert_eq!(json["error"]["hint"], "add a `label` column");
        assert_eq!(err.kind().http_status(), 400);
    }

    #[test]
    fn display_includes_hint() {
        let err = Error::new(ErrorKind::ModelMissing, "model.safetensors not found")
            .with_hint("run `airlock models fetch`");
        assert_eq!(
            err.to_string(),
            "model.safetensors not found (hint: run `airlock models fetch`)"
        );
    }
}
