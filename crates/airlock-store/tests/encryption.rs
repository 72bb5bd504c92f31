//! Encryption of payloads at rest on SQLite and PostgreSQL: what the
//! database holds (read past the store with plain SQL), what the store
//! returns, a store without the key, key rotation, a sealed value moved to
//! another row, and rows written before encryption was turned on.

mod common;
mod raw_sql;

use airlock_core::{Durability, ErrorKind, RunId, RunRecord};
use airlock_store::{NewRun, QuarantineFilter, QuarantineStore, RunFilter, RunStore, Store};
use common::{connect_with_cipher, full_run, key_ring, quarantined, with_database, TestDatabase};
use raw_sql::RawSql;
use serde_json::{json, Value};

/// Text that must never appear in a sealed column.
const MARKER: &str = "jane.doe@example.org";

/// A run whose input, steps and output all carry [`MARKER`].
fn marked_run(workflow: &str) -> RunRecord {
    let mut run = full_run(workflow, 1_714_566_896_789);
    run.input = json!({"message": format!("mail me at {MARKER}")});
    run.steps[0].output = json!({"email": MARKER});
    run.output = Some(json!({"reply": format!("sent to {MARKER}")}));
    run
}

fn marked_raw() -> Value {
    json!({"input": {"message": MARKER}, "steps": [], "output": null})
}

async fn insert_marked(store: &Store, workflow: &str) -> RunRecord {
    let run = marked_run(workflow);
    store
        .insert_new_run(NewRun {
            run: run.clone(),
            raw: Some(marked_raw()),
            review: None,
        })
        .await
        .expect("insert run");
    run
}

/// The run's payload columns as stored.
async fn run_columns(sql: &RawSql, id: RunId) -> Vec<Option<String>> {
    let mut columns = Vec::new();
    for name in ["input", "steps", "output", "raw_payload"] {
        columns.push(
            sql.text(
                &format!("SELECT {name} FROM runs WHERE id = $1"),
                &[id.to_string().into()],
            )
            .await,
        );
    }
    columns
}

fn assert_sealed_under(columns: &[Option<String>], key_id: &str) {
    let prefix = format!("enc1:{key_id}:");
    for value in columns {
        let value = value.as_deref().expect("column is set");
        assert!(value.starts_with(&prefix), "sealed under {key_id}: {value}");
        assert!(!value.contains(MARKER), "no plaintext: {value}");
    }
}

#[test]
fn payload_columns_are_sealed_and_read_back_as_plaintext() {
    with_database(
        "payload_columns_are_sealed_and_read_back_as_plaintext",
        |db: TestDatabase| async move {
            let store = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            assert_eq!(store.cipher().active_key_id(), Some("k1"));
            let run = insert_marked(&store, "support").await;
            let mut record = quarantined("support", "message must be a string");
            record.input = json!({"message": 17, "email": MARKER});
            store
                .insert_quarantine_with_raw(record.clone(), Some(json!({"raw": MARKER})))
                .await
                .expect("quarantine");

            let sql = RawSql::connect(&db).await;
            assert_sealed_under(&run_columns(&sql, run.id).await, "k1");
            let qid = record.id.to_string();
            let mut quarantine_columns = Vec::new();
            for name in ["input", "raw_input"] {
                quarantine_columns.push(
                    sql.text(
                        &format!("SELECT {name} FROM quarantine WHERE id = $1"),
                        &[qid.clone().into()],
                    )
                    .await,
                );
            }
            assert_sealed_under(&quarantine_columns, "k1");
            // Only payloads are sealed: what the store filters on is not.
            assert_eq!(
                sql.text(
                    "SELECT decision FROM runs WHERE id = $1",
                    &[run.id.to_string().into()]
                )
                .await
                .as_deref(),
                Some("review")
            );
            sql.close().await;

            assert_eq!(store.get(run.id).await.expect("get"), Some(run.clone()));
            let listed = store.list(&RunFilter::default()).await.expect("list");
            assert_eq!(listed.items, vec![run.clone()]);
            assert_eq!(
                store.get_raw(run.id).await.expect("get raw"),
                Some(marked_raw())
            );
            let key = run
                .idempotency_key
                .as_deref()
                .expect("full runs have a key");
            assert_eq!(
                store
                    .find_by_idempotency_key("support", key)
                    .await
                    .expect("find"),
                Some(run)
            );
            let quarantine = store
                .list_quarantine(&QuarantineFilter::default())
                .await
                .expect("list quarantine");
            assert_eq!(quarantine.items, vec![record]);
            store.close().await;
        },
    );
}

#[test]
fn a_store_without_the_key_cannot_read_and_names_the_key() {
    with_database(
        "a_store_without_the_key_cannot_read_and_names_the_key",
        |db: TestDatabase| async move {
            let writer = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            let run = insert_marked(&writer, "support").await;
            writer
                .insert_quarantine(quarantined("support", "bad"))
                .await
                .expect("quarantine");
            writer.close().await;

            let assert_names_k1 = |err: airlock_core::Error| {
                let message = err.to_string();
                assert!(
                    message.contains("key `k1`") && message.contains("not configured"),
                    "names the missing key: {message}"
                );
                assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{message}");
                let hint = err.hint().unwrap_or_default();
                assert!(hint.contains("add the key"), "says what to do: {hint}");
            };
            // Another key, or no key at all.
            let other = connect_with_cipher(&db, key_ring("k2", 2, &[])).await;
            let plain = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            for reader in [&other, &plain] {
                assert_names_k1(reader.get(run.id).await.expect_err("get"));
                assert_names_k1(reader.get_raw(run.id).await.expect_err("get raw"));
                assert_names_k1(reader.list(&RunFilter::default()).await.expect_err("list"));
                assert_names_k1(
                    reader
                        .list_quarantine(&QuarantineFilter::default())
                        .await
                        .expect_err("list quarantine"),
                );
            }
            other.close().await;
            plain.close().await;
        },
    );
}

#[test]
fn rotation_reads_old_rows_and_writes_new_ones_under_the_new_key() {
    with_database(
        "rotation_reads_old_rows_and_writes_new_ones_under_the_new_key",
        |db: TestDatabase| async move {
            let before = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            let old = insert_marked(&before, "support").await;
            before.close().await;

            let rotated = connect_with_cipher(&db, key_ring("k2", 2, &[("k1", 1)])).await;
            assert_eq!(
                rotated.get(old.id).await.expect("get old"),
                Some(old.clone())
            );
            assert_eq!(
                rotated.get_raw(old.id).await.expect("raw old"),
                Some(marked_raw())
            );
            let new = insert_marked(&rotated, "support").await;
            assert_eq!(
                rotated.get(new.id).await.expect("get new"),
                Some(new.clone())
            );
            let listed = rotated.list(&RunFilter::default()).await.expect("list");
            assert_eq!(listed.items.len(), 2);

            let sql = RawSql::connect(&db).await;
            assert_sealed_under(&run_columns(&sql, new.id).await, "k2");
            assert_sealed_under(&run_columns(&sql, old.id).await, "k1");
            sql.close().await;
            rotated.close().await;

            // A store that only has the old key reads the old row only.
            let behind = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            assert_eq!(behind.get(old.id).await.expect("get old"), Some(old));
            let err = behind.get(new.id).await.expect_err("new row");
            assert!(err.to_string().contains("key `k2`"), "{err}");
            behind.close().await;
        },
    );
}

#[test]
fn a_sealed_value_moved_to_another_place_does_not_open() {
    with_database(
        "a_sealed_value_moved_to_another_place_does_not_open",
        |db: TestDatabase| async move {
            let store = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            let first = insert_marked(&store, "support").await;
            let second = insert_marked(&store, "support").await;
            let third = insert_marked(&store, "support").await;
            let sql = RawSql::connect(&db).await;
            let (a, b, c) = (
                first.id.to_string(),
                second.id.to_string(),
                third.id.to_string(),
            );

            // Another row's input, and this row's input as its output.
            sql.execute(
                "UPDATE runs SET input = (SELECT input FROM runs WHERE id = $1) WHERE id = $2",
                &[a.clone().into(), b.clone().into()],
            )
            .await;
            sql.execute(
                "UPDATE runs SET output = input WHERE id = $1",
                &[c.clone().into()],
            )
            .await;
            // Another row's raw payload.
            sql.execute(
                "UPDATE runs SET raw_payload = (SELECT raw_payload FROM runs WHERE id = $1) \
                 WHERE id = $2",
                &[a.into(), c.clone().into()],
            )
            .await;
            sql.close().await;

            for (id, column) in [(second.id, "input"), (third.id, "output")] {
                let err = store.get(id).await.expect_err("moved value");
                let message = err.to_string();
                assert!(message.contains("does not authenticate"), "{message}");
                assert!(
                    message.contains(&format!("runs.{column}:{id}")),
                    "{message}"
                );
                assert_eq!(err.field(), Some(column));
            }
            let err = store
                .get_raw(third.id)
                .await
                .expect_err("moved raw payload");
            assert!(err.to_string().contains("does not authenticate"), "{err}");
            // The row the values came from still opens.
            assert_eq!(store.get(first.id).await.expect("get"), Some(first.clone()));
            assert_eq!(
                store.get_raw(first.id).await.expect("raw"),
                Some(marked_raw())
            );
            store.close().await;
        },
    );
}

#[test]
fn plaintext_rows_stay_readable_once_encryption_is_on() {
    with_database(
        "plaintext_rows_stay_readable_once_encryption_is_on",
        |db: TestDatabase| async move {
            let plain = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let early = insert_marked(&plain, "support").await;
            let early_quarantine = quarantined("support", "bad");
            plain
                .insert_quarantine_with_raw(early_quarantine.clone(), Some(json!({"raw": 1})))
                .await
                .expect("quarantine");
            plain.close().await;

            let sql = RawSql::connect(&db).await;
            for value in run_columns(&sql, early.id).await {
                let value = value.expect("column is set");
                assert!(!value.starts_with("enc1:"), "written as plaintext: {value}");
                serde_json::from_str::<Value>(&value).expect("plain JSON");
            }

            let sealed = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            assert_eq!(
                sealed.get(early.id).await.expect("get"),
                Some(early.clone())
            );
            assert_eq!(
                sealed.get_raw(early.id).await.expect("raw"),
                Some(marked_raw())
            );
            let late = insert_marked(&sealed, "support").await;
            assert_sealed_under(&run_columns(&sql, late.id).await, "k1");
            let listed = sealed.list(&RunFilter::default()).await.expect("list");
            let mut ids: Vec<RunId> = listed.items.iter().map(|r| r.id).collect();
            ids.sort();
            assert_eq!(ids, vec![early.id, late.id]);
            assert_eq!(
                sealed
                    .list_quarantine(&QuarantineFilter::default())
                    .await
                    .expect("list quarantine")
                    .items,
                vec![early_quarantine]
            );
            sql.close().await;
            sealed.close().await;
        },
    );
}
