//! Connecting: durability levels reach the database, a SQLite file keeps
//! everything across a reopen, and bad URLs are clear config errors.

mod common;

use airlock_core::{Decision, Durability, ErrorKind};
use airlock_store::{
    Backend, QuarantineFilter, QuarantineStore, RunFilter, RunStore, Store, StoreOptions,
};
use common::{bare_run, full_run, quarantined, with_database, TestBackend, TestDatabase};

#[test]
fn durability_level_sets_the_write_connection() {
    with_database(
        "durability_level_sets_the_write_connection",
        |db: TestDatabase| async move {
            for (durability, sqlite, postgres) in [
                (
                    Durability::Fsync,
                    "synchronous=full",
                    "synchronous_commit=on",
                ),
                (
                    Durability::Process,
                    "synchronous=normal",
                    "synchronous_commit=off",
                ),
            ] {
                let store = Store::connect(&db.url, durability).await.expect("connect");
                let report = store.durability_report().await.expect("report");
                let expected = match db.backend {
                    TestBackend::Sqlite => sqlite,
                    TestBackend::Postgres => postgres,
                };
                assert_eq!(report.setting, expected);
                assert_eq!(report.durability, durability);
                assert_eq!(store.durability(), durability);
                // Both levels store and read back.
                let run = bare_run("d", Decision::Auto);
                store.insert(run.clone()).await.expect("insert");
                assert_eq!(store.get(run.id).await.expect("get"), Some(run));
                store.close().await;
            }
        },
    );
}

#[test]
fn reopening_finds_everything_and_migrations_are_idempotent() {
    with_database(
        "reopening_finds_everything_and_migrations_are_idempotent",
        |db: TestDatabase| async move {
            let run = full_run("support-triage", 1_714_566_896_789);
            let record = quarantined("support-triage", "missing field");
            {
                let store = Store::connect_with(
                    &db.url,
                    StoreOptions {
                        durability: Durability::Process,
                        ..StoreOptions::default()
                    },
                )
                .await
                .expect("first connect");
                let expected = match db.backend {
                    TestBackend::Sqlite => Backend::Sqlite,
                    TestBackend::Postgres => Backend::Postgres,
                };
                assert_eq!(store.backend(), expected);
                store.insert(run.clone()).await.expect("insert run");
                store
                    .insert_quarantine(record.clone())
                    .await
                    .expect("insert quarantine");
                store.close().await;
            }
            if let Some(path) = &db.sqlite_path {
                assert!(path.exists(), "the SQLite file was created");
            }
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("reopen");
            store.ping().await.expect("ping");
            assert_eq!(store.get(run.id).await.expect("get"), Some(run.clone()));
            let key = run.idempotency_key.clone().expect("full_run has a key");
            let found = store
                .find_by_idempotency_key(&run.workflow, &key)
                .await
                .expect("find");
            assert_eq!(found.map(|r| r.id), Some(run.id));
            let runs = store.list(&RunFilter::default()).await.expect("list");
            assert_eq!(runs.items, vec![run]);
            let quarantine = store
                .list_quarantine(&QuarantineFilter::default())
                .await
                .expect("list");
            assert_eq!(quarantine.items, vec![record]);
            store.close().await;
        },
    );
}

#[tokio::test]
async fn sqlite_creates_missing_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/deeper/airlock.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()), Durability::Fsync)
        .await
        .expect("connect");
    store.ping().await.expect("ping");
    store.close().await;
    assert!(path.exists());
}

fn page_size(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row("PRAGMA page_size", [], |row| row.get(0))
        .expect("page_size")
}

#[tokio::test]
async fn sqlite_makes_new_databases_with_small_pages_and_keeps_an_existing_files_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = dir.path().join("fresh.db");
    let store = Store::connect(
        &format!("sqlite://{}", fresh.display()),
        Durability::Process,
    )
    .await
    .expect("connect");
    store
        .insert(bare_run("new", Decision::Auto))
        .await
        .expect("insert");
    store.close().await;
    assert_eq!(page_size(&fresh), 1024);

    // A file made before (SQLite's default 4 KB pages) is opened as it is.
    let older = dir.path().join("older.db");
    {
        let conn = rusqlite::Connection::open(&older).expect("create");
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE made_before (v TEXT);")
            .expect("make the file");
    }
    assert_eq!(page_size(&older), 4096);
    let url = format!("sqlite://{}", older.display());
    let store = Store::connect(&url, Durability::Process)
        .await
        .expect("connect");
    let run = bare_run("old", Decision::Auto);
    let id = run.id;
    store.insert(run).await.expect("insert");
    store.close().await;
    assert_eq!(page_size(&older), 4096);
    let store = Store::connect(&url, Durability::Process)
        .await
        .expect("reopen");
    assert!(store.get(id).await.expect("get").is_some());
    store.close().await;
}

#[tokio::test]
async fn bad_urls_are_invalid_config_naming_the_setting() {
    for url in [
        "",
        "mysql://root@localhost/airlock",
        "airlock.db",
        "sqlite://",
        "sqlite::memory:",
        "postgres://u:pw@localhost:notaport/db",
    ] {
        let err = match Store::connect(url, Durability::Fsync).await {
            Ok(_) => panic!("`{url}` must be refused"),
            Err(err) => err,
        };
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}: {err}");
        assert_eq!(err.field(), Some("database_url"), "{url}");
        assert!(err.hint().is_some(), "{url}: a hint says what to do");
        assert!(!err.to_string().contains(":pw@"), "password leaked: {err}");
    }
}

#[tokio::test]
async fn unreachable_postgres_is_unavailable() {
    // Port 1 on loopback: nothing listens there.
    let err =
        match Store::connect("postgres://airlock@127.0.0.1:1/airlock", Durability::Fsync).await {
            Ok(_) => panic!("nothing listens on port 1"),
            Err(err) => err,
        };
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
}

#[tokio::test]
async fn sqlite_path_that_is_a_directory_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = match Store::connect(
        &format!("sqlite://{}", dir.path().display()),
        Durability::Fsync,
    )
    .await
    {
        Ok(_) => panic!("a directory is not a database file"),
        Err(err) => err,
    };
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
}
