//! The schema migrations of both backends, embedded in the binary from
//! `migrations/sqlite/` and `migrations/postgres/` (sqlx-cli's file layout,
//! so `sqlx migrate` can also apply them by hand) and run at connect.
//!
//! They are fed to sqlx's migrator through a small `MigrationSource` rather
//! than the `sqlx::migrate!` macro, because the macro would compile sqlx's
//! drivers a second time as proc-macro dependencies.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use airlock_core::{Error, ErrorKind, Result};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationSource, MigrationType, Migrator};

/// `(version, description, sql)` of each migration, oldest first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmbeddedMigrations(&'static [(i64, &'static str, &'static str)]);

pub(crate) const SQLITE: EmbeddedMigrations = EmbeddedMigrations(&[
    (
        1,
        "runs and quarantine",
        include_str!("../migrations/sqlite/0001_runs_and_quarantine.sql"),
    ),
    (
        2,
        "reviews, feedback and webhooks",
        include_str!("../migrations/sqlite/0002_reviews_feedback_webhooks.sql"),
    ),
    (
        3,
        "keys, audit chain, payload protection",
        include_str!("../migrations/sqlite/0003_keys_audit_payloads.sql"),
    ),
    (
        4,
        "model costs and budgets",
        include_str!("../migrations/sqlite/0004_model_costs_budgets.sql"),
    ),
    (
        5,
        "partial idempotency key index",
        include_str!("../migrations/sqlite/0005_partial_idempotency_index.sql"),
    ),
]);

pub(crate) const POSTGRES: EmbeddedMigrations = EmbeddedMigrations(&[
    (
        1,
        "runs and quarantine",
        include_str!("../migrations/postgres/0001_runs_and_quarantine.sql"),
    ),
    (
        2,
        "reviews, feedback and webhooks",
        include_str!("../migrations/postgres/0002_reviews_feedback_webhooks.sql"),
    ),
    (
        3,
        "keys, audit chain, payload protection",
        include_str!("../migrations/postgres/0003_keys_audit_payloads.sql"),
    ),
    (
        4,
        "model costs and budgets",
        include_str!("../migrations/postgres/0004_model_costs_budgets.sql"),
    ),
    (
        5,
        "partial idempotency key index",
        include_str!("../migrations/postgres/0005_partial_idempotency_index.sql"),
    ),
]);

impl<'s> MigrationSource<'s> for EmbeddedMigrations {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<Vec<Migration>, BoxDynError>> + Send + 's>>
    {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

/// Brings the schema on `conn` up to date.
pub(crate) async fn run<C>(migrations: EmbeddedMigrations, conn: &mut C) -> Result<()>
where
    C: Migrate + Send,
{
    let migrator = Migrator::new(migrations).await.map_err(migrate_error)?;
    migrator.run_direct(conn).await.map_err(migrate_error)
}

fn migrate_error(err: MigrateError) -> Error {
    match err {
        MigrateError::VersionMissing(version) => Error::invalid_config(format!(
            "the database was migrated to schema version {version}, which this Airlock does not know"
        ))
        .with_field("database_url")
        .with_hint("run the Airlock version that created this database, or a newer one"),
        MigrateError::VersionMismatch(version) => Error::new(
            ErrorKind::Internal,
            format!("schema migration {version} in the database differs from this Airlock's"),
        )
        .with_hint("the database was migrated by a different build; restore it or use a fresh one"),
        MigrateError::ExecuteMigration(err, version) => {
            crate::sql_error::map_sqlx(&format!("apply schema migration {version}"), err)
        }
        MigrateError::Execute(err) => crate::sql_error::map_sqlx("migrate the schema", err),
        other => Error::internal(format!("cannot migrate the schema: {other}")),
    }
}
