//! The errors key writes share on both backends.

use airlock_core::{ApiKeyRecord, Error, ErrorKind, Timestamp};

use crate::sql_error::map_sqlx;

pub(crate) fn not_found(id: &str) -> Error {
    Error::not_found(format!("no API key with id `{id}`"))
        .with_field("id")
        .with_hint("`airlock keys list` shows every key's id")
}

pub(crate) fn already_revoked(key: &ApiKeyRecord, at: Timestamp) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!(
            "API key `{}` ({}) was already revoked at {at}{}",
            key.id,
            key.name,
            key.revoked_by
                .as_deref()
                .map(|by| format!(" by {by}"))
                .unwrap_or_default()
        ),
    )
    .with_field("id")
}

/// A failed key insert: an id clash is a conflict, anything else as usual.
pub(crate) fn insert_failed(id: &str, err: sqlx::Error) -> Error {
    let clash = matches!(&err, sqlx::Error::Database(db) if db.is_unique_violation());
    if clash {
        Error::new(
            ErrorKind::Conflict,
            format!("an API key with id `{id}` already exists"),
        )
        .with_field("id")
    } else {
        map_sqlx(&format!("insert API key {id}"), err)
    }
}
