//! Test-only helpers: run one storage test against SQLite and against
//! PostgreSQL, each on a fresh, isolated database.
//!
//! SQLite gets a new file in a temporary directory. PostgreSQL runs when
//! `AIRLOCK_TEST_DATABASE_URL` is set: each test gets its own schema
//! (`CREATE SCHEMA test_<random>`, put first on the `search_path` through
//! the URL's `options[search_path]=` parameter), dropped when the test ends,
//! so tests run in parallel without seeing each other's rows. When the
//! variable is unset the PostgreSQL half says so on stderr and passes.
//!
//! This crate knows nothing about the store: it hands each test a URL, so
//! it does not depend on `airlock-store` (which would build that crate twice
//! in its own tests).

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The environment variable naming the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL_ENV: &str = "AIRLOCK_TEST_DATABASE_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

impl TestBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            TestBackend::Sqlite => "sqlite",
            TestBackend::Postgres => "postgres",
        }
    }
}

/// A fresh database for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub backend: TestBackend,
    /// The URL to connect to (`sqlite:///tmp/.../airlock.db` or a
    /// PostgreSQL URL whose search path is the test's own schema).
    pub url: String,
    /// SQLite: the database file. PostgreSQL: `None`.
    pub sqlite_path: Option<PathBuf>,
}

/// Runs `test` on SQLite, then on PostgreSQL if configured, each inside its
/// own multi-threaded tokio runtime. A panic in either is re-raised after
/// the database is cleaned up.
pub fn run_on_each_database<F, Fut>(test_name: &str, test: F)
where
    F: Fn(TestDatabase) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_sqlite(test_name, &test);
    run_on_postgres(test_name, &test);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the test harness needs a tokio runtime")
}

/// Runs `test` on a fresh SQLite file.
pub fn run_on_sqlite<F, Fut>(test_name: &str, test: &F)
where
    F: Fn(TestDatabase) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("the test harness needs a temporary directory");
    let path = dir.path().join("airlock.db");
    let db = TestDatabase {
        backend: TestBackend::Sqlite,
        url: format!("sqlite://{}", path.display()),
        sqlite_path: Some(path),
    };
    let outcome = runtime().block_on(async move { tokio::spawn(test(db)).await });
    drop(dir);
    if let Err(err) = outcome {
        eprintln!("{test_name} failed on sqlite");
        reraise(err);
    }
}

/// Runs `test` on a fresh schema of the server named by
/// `AIRLOCK_TEST_DATABASE_URL`, or reports it skipped.
pub fn run_on_postgres<F, Fut>(test_name: &str, test: &F)
where
    F: Fn(TestDatabase) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(base_url) = std::env::var(TEST_DATABASE_URL_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        eprintln!("SKIPPED: {test_name} on postgres: {TEST_DATABASE_URL_ENV} not set");
        return;
    };
    let schema = format!("test_{}", ulid::Ulid::new().to_string().to_lowercase());
    let rt = runtime();
    rt.block_on(admin(&base_url, &format!("CREATE SCHEMA {schema}")))
        .unwrap_or_else(|e| {
            panic!("{test_name}: cannot create schema {schema} on {TEST_DATABASE_URL_ENV}: {e}")
        });
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let db = TestDatabase {
        backend: TestBackend::Postgres,
        url: format!("{base_url}{separator}options[search_path]={schema}"),
        sqlite_path: None,
    };
    let outcome = rt.block_on(async move { tokio::spawn(test(db)).await });
    // Give connections the test dropped a moment to close, then clean up.
    if let Err(err) = rt.block_on(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        admin(&base_url, &format!("DROP SCHEMA {schema} CASCADE")).await
    }) {
        eprintln!("warning: {test_name}: cannot drop schema {schema}: {err}");
    }
    if let Err(err) = outcome {
        eprintln!("{test_name} failed on postgres (schema {schema})");
        reraise(err);
    }
}

/// Runs one administrative statement on its own connection.
async fn admin(url: &str, statement: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnectOptions::from_str(url)?.connect().await?;
    sqlx::raw_sql("SET lock_timeout = '30s'")
        .execute(&mut conn)
        .await?;
    sqlx::raw_sql(statement).execute(&mut conn).await?;
    conn.close().await
}

fn reraise(err: tokio::task::JoinError) -> ! {
    match err.try_into_panic() {
        Ok(payload) => std::panic::resume_unwind(payload),
        Err(err) => panic!("the test task was cancelled: {err}"),
    }
}
