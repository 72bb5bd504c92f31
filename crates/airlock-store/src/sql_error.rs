//! Maps sqlx errors to Airlock's one error type, saying which operation
//! failed and what to do about it.

use airlock_core::{Error, ErrorKind};

/// Converts a sqlx error raised while doing `action` (e.g. "insert run").
pub(crate) fn map_sqlx(action: &str, err: sqlx::Error) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::new(
            ErrorKind::Conflict,
            format!("cannot {action}: a record with the same key already exists ({db})"),
        )
        .with_hint("ids must be unique; generate a fresh id for every record"),
        sqlx::Error::Configuration(cause) => Error::invalid_config(format!(
            "cannot {action}: bad database configuration: {cause}"
        ))
        .with_field("database_url"),
        sqlx::Error::Io(io) => Error::new(
            ErrorKind::Unavailable,
            format!("cannot {action}: cannot reach the database: {io}"),
        )
        .with_hint("check that the database server is running and reachable"),
        sqlx::Error::Tls(cause) => Error::new(
            ErrorKind::Unavailable,
            format!("cannot {action}: TLS with the database failed: {cause}"),
        )
        .with_hint("check the sslmode in the database URL"),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            Error::new(
                ErrorKind::Unavailable,
                format!("cannot {action}: the database connection is unavailable ({err})"),
            )
            .with_hint("retry; if it persists, check the database server")
        }
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            match code.as_str() {
                // PostgreSQL: invalid password / authorization, unknown database.
                "28P01" | "28000" | "3D000" => Error::invalid_config(format!(
                    "cannot {action}: the database refused the connection: {db}"
                ))
                .with_field("database_url")
                .with_hint("check the user, password and database name in the URL"),
                // SQLite: SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR.
                "14" | "8" | "13" | "10" => Error::new(
                    ErrorKind::Io,
                    format!("cannot {action}: the SQLite file cannot be written: {db}"),
                )
                .with_hint("check the path, its permissions and the free disk space"),
                _ => Error::internal(format!("cannot {action}: database error {code}: {db}")),
            }
        }
        _ => Error::internal(format!("cannot {action}: {err}")),
    }
}
