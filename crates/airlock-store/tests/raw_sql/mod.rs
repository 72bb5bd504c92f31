//! Plain SQL on a pool of its own to a test's database, past the store:
//! to read columns as stored (sealed payloads, payload text) and to tamper
//! with rows the way someone with write access to the database could.
//!
//! Statements use `$1, $2, …` placeholders, which both SQLite and
//! PostgreSQL accept. On PostgreSQL the test's schema is first on the
//! URL's `search_path`, so unqualified table names are the test's tables.

#![allow(dead_code)]

use std::str::FromStr;
use std::time::Duration;

use airlock_testkit::{TestBackend, TestDatabase};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// A pool to the test's database that is not the store's.
pub enum RawSql {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Binds `args` in order to a query of either backend.
macro_rules! bound {
    ($sql:expr, $args:expr) => {{
        let mut query = sqlx::query($sql);
        for arg in $args {
            query = match arg {
                Arg::Text(text) => query.bind(text.clone()),
                Arg::Int(n) => query.bind(*n),
            };
        }
        query
    }};
}

impl RawSql {
    pub async fn connect(db: &TestDatabase) -> RawSql {
        match db.backend {
            TestBackend::Sqlite => {
                let options = SqliteConnectOptions::from_str(&db.url)
                    .expect("sqlite url")
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .expect("raw connection to sqlite");
                RawSql::Sqlite(pool)
            }
            TestBackend::Postgres => {
                let options = PgConnectOptions::from_str(&db.url).expect("postgres url");
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .expect("raw connection to postgres");
                RawSql::Postgres(pool)
            }
        }
    }

    pub async fn close(self) {
        match self {
            RawSql::Sqlite(pool) => pool.close().await,
            RawSql::Postgres(pool) => pool.close().await,
        }
    }

    /// Runs a statement and returns how many rows it changed.
    pub async fn execute(&self, sql: &str, args: &[Arg]) -> u64 {
        let result = match self {
            RawSql::Sqlite(pool) => bound!(sql, args)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
            RawSql::Postgres(pool) => bound!(sql, args)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
        };
        result.unwrap_or_else(|e| panic!("raw SQL failed: {e}\n{sql}"))
    }

    /// The first column of every row, as nullable text.
    pub async fn texts(&self, sql: &str, args: &[Arg]) -> Vec<Option<String>> {
        let result = match self {
            RawSql::Sqlite(pool) => bound!(sql, args).fetch_all(pool).await.and_then(|rows| {
                rows.iter()
                    .map(|row| row.try_get::<Option<String>, _>(0))
                    .collect()
            }),
            RawSql::Postgres(pool) => bound!(sql, args).fetch_all(pool).await.and_then(|rows| {
                rows.iter()
                    .map(|row| row.try_get::<Option<String>, _>(0))
                    .collect()
            }),
        };
        result.unwrap_or_else(|e| panic!("raw SQL failed: {e}\n{sql}"))
    }

    /// The first column of the one row the query returns, as nullable text.
    pub async fn text(&self, sql: &str, args: &[Arg]) -> Option<String> {
        let mut values = self.texts(sql, args).await;
        assert_eq!(values.len(), 1, "expected exactly one row from {sql}");
        values.remove(0)
    }

    /// The first column of the one row the query returns, as an integer
    /// (e.g. a `COUNT(*)`).
    pub async fn int(&self, sql: &str, args: &[Arg]) -> i64 {
        let result = match self {
            RawSql::Sqlite(pool) => bound!(sql, args)
                .fetch_one(pool)
                .await
                .and_then(|row| row.try_get::<i64, _>(0)),
            RawSql::Postgres(pool) => bound!(sql, args)
                .fetch_one(pool)
                .await
                .and_then(|row| row.try_get::<i64, _>(0)),
        };
        result.unwrap_or_else(|e| panic!("raw SQL failed: {e}\n{sql}"))
    }
}
