//! Retention on SQLite and PostgreSQL: `purge_payloads` removes the
//! payloads of one workflow's runs and quarantined inputs created before
//! a cutoff, once, with one `payloads.purged` audit record, and the chain
//! (whose earlier records hash the now-purged payloads) still verifies.

mod common;
mod raw_sql;

use airlock_core::{AuditEventKind, AuditRecord, Decision, QuarantineRecord, RunRecord, Timestamp};
use airlock_store::{
    AuditFilter, AuditStore, NewRun, Purged, QuarantineFilter, QuarantineStore, RunStore, Store,
};
use common::{
    assert_chain_ok, bare_run, connect_with_cipher, full_run, key_ring, quarantined, whole_chain,
    with_database, with_store, TestDatabase,
};
use raw_sql::RawSql;
use serde_json::{json, Value};

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

/// The cutoff: rows created strictly before it are purged.
const BEFORE_MS: i64 = 1_714_000_000_000;

async fn insert_with_raw(store: &Store, run: &RunRecord) {
    store
        .insert_new_run(NewRun {
            run: run.clone(),
            raw: Some(json!({"input": {"secret": run.id.to_string()}})),
            review: None,
        })
        .await
        .expect("insert run");
}

async fn quarantine_at(store: &Store, workflow: &str, received_ms: i64) -> QuarantineRecord {
    let mut record = quarantined(workflow, "message must be a string");
    record.received_at = at(received_ms);
    store
        .insert_quarantine_with_raw(record.clone(), Some(json!({"raw": received_ms})))
        .await
        .expect("quarantine");
    record
}

/// `run` as a purge at `now` leaves it.
fn purged(run: &RunRecord, now: Timestamp) -> RunRecord {
    RunRecord {
        input: Value::Null,
        steps: Vec::new(),
        output: None,
        purged_at: Some(now),
        ..run.clone()
    }
}

async fn purge_records(store: &Store) -> Vec<AuditRecord> {
    store
        .list_audit(&AuditFilter {
            event: Some(AuditEventKind::PayloadsPurged.as_str().to_string()),
            ..AuditFilter::default()
        })
        .await
        .expect("list audit")
        .items
}

async fn quarantine_by_id(store: &Store) -> Vec<QuarantineRecord> {
    let mut records = store
        .list_quarantine(&QuarantineFilter {
            limit: Some(100),
            ..QuarantineFilter::default()
        })
        .await
        .expect("list quarantine")
        .items;
    records.sort_by_key(|r| r.id);
    records
}

#[test]
fn purge_removes_only_old_unpurged_payloads_of_one_workflow() {
    with_store(
        "purge_removes_only_old_unpurged_payloads_of_one_workflow",
        |store: Store| async move {
            let old_alpha: Vec<RunRecord> = (0..3)
                .map(|i| full_run("alpha", BEFORE_MS - 60_000 * (i + 1)))
                .collect();
            for run in &old_alpha {
                insert_with_raw(&store, run).await;
            }
            let at_cutoff = full_run("alpha", BEFORE_MS);
            let newer = full_run("alpha", BEFORE_MS + 1);
            let old_beta = full_run("beta", BEFORE_MS - 1);
            for run in [&at_cutoff, &newer, &old_beta] {
                insert_with_raw(&store, run).await;
            }
            let old_quarantine = [
                quarantine_at(&store, "alpha", BEFORE_MS - 1).await,
                quarantine_at(&store, "alpha", BEFORE_MS - 86_400_000).await,
            ];
            let new_quarantine = quarantine_at(&store, "alpha", BEFORE_MS).await;
            let beta_quarantine = quarantine_at(&store, "beta", BEFORE_MS - 1).await;
            let recorded = whole_chain(&store).await.len() as u64;
            assert_eq!(recorded, 10);

            let now = at(BEFORE_MS + 3_600_000);
            let done = store
                .purge_payloads("alpha", at(BEFORE_MS), now)
                .await
                .expect("purge");
            assert_eq!(
                done,
                Purged {
                    runs: 3,
                    quarantined: 2
                }
            );

            for run in &old_alpha {
                let stored = store.get(run.id).await.expect("get").expect("still there");
                assert_eq!(stored, purged(run, now), "only the payloads are gone");
                assert_eq!(
                    (stored.decision, stored.rule.as_deref()),
                    (Decision::Review, Some("low_confidence"))
                );
                assert_eq!(store.get_raw(run.id).await.expect("raw"), None);
            }
            for run in [&at_cutoff, &newer, &old_beta] {
                assert_eq!(store.get(run.id).await.expect("get").as_ref(), Some(run));
                assert!(store.get_raw(run.id).await.expect("raw").is_some());
            }
            let mut expected_quarantine: Vec<QuarantineRecord> = old_quarantine
                .iter()
                .map(|r| QuarantineRecord {
                    input: Value::Null,
                    ..r.clone()
                })
                .collect();
            expected_quarantine.push(new_quarantine.clone());
            expected_quarantine.push(beta_quarantine.clone());
            expected_quarantine.sort_by_key(|r| r.id);
            assert_eq!(quarantine_by_id(&store).await, expected_quarantine);

            let records = purge_records(&store).await;
            assert_eq!(records.len(), 1);
            let record = &records[0];
            assert_eq!(
                (
                    record.subject.as_str(),
                    record.workflow.as_deref(),
                    record.at
                ),
                ("workflow:alpha", Some("alpha"), now)
            );
            assert_eq!(
                record.details_json(),
                json!({"created_before": at(BEFORE_MS), "runs": 3, "quarantined": 2})
            );
            assert_chain_ok(&store, recorded + 1).await;

            // Again: nothing left to purge, nothing recorded.
            let later = at(now.unix_ms() + 1000);
            let again = store
                .purge_payloads("alpha", at(BEFORE_MS), later)
                .await
                .expect("purge again");
            assert_eq!(again, Purged::default());
            assert_eq!(purge_records(&store).await.len(), 1);
            assert_chain_ok(&store, recorded + 1).await;

            // A later cutoff takes the rest, and leaves the earlier purge's
            // time on the rows it already purged.
            let rest = store
                .purge_payloads("alpha", at(BEFORE_MS + 2), later)
                .await
                .expect("purge the rest");
            assert_eq!(
                rest,
                Purged {
                    runs: 2,
                    quarantined: 1
                }
            );
            assert_eq!(
                store
                    .get(old_alpha[0].id)
                    .await
                    .expect("get")
                    .and_then(|r| r.purged_at),
                Some(now)
            );
            assert_eq!(
                store.get(newer.id).await.expect("get"),
                Some(purged(&newer, later))
            );
            assert_eq!(
                store.get(old_beta.id).await.expect("get").as_ref(),
                Some(&old_beta),
                "another workflow is untouched"
            );
            assert_eq!(purge_records(&store).await.len(), 2);
            assert_chain_ok(&store, recorded + 2).await;

            let none = store
                .purge_payloads("gamma", at(BEFORE_MS * 2), later)
                .await
                .expect("purge an empty workflow");
            assert_eq!(none, Purged::default());
            assert_eq!(purge_records(&store).await.len(), 2);
        },
    );
}

#[test]
fn purged_sealed_rows_read_back_and_their_records_still_verify() {
    with_database(
        "purged_sealed_rows_read_back_and_their_records_still_verify",
        |db: TestDatabase| async move {
            let store = connect_with_cipher(&db, key_ring("k1", 1, &[])).await;
            let run = full_run("alpha", BEFORE_MS - 1);
            insert_with_raw(&store, &run).await;
            let plain_run = bare_run("alpha", Decision::Auto);
            let plain_run = RunRecord {
                created_at: at(BEFORE_MS - 2),
                ..plain_run
            };
            store.insert(plain_run.clone()).await.expect("insert");
            let record = quarantine_at(&store, "alpha", BEFORE_MS - 1).await;
            let recorded_before = whole_chain(&store).await;

            let now = at(BEFORE_MS + 1);
            let done = store
                .purge_payloads("alpha", at(BEFORE_MS), now)
                .await
                .expect("purge");
            assert_eq!(
                done,
                Purged {
                    runs: 2,
                    quarantined: 1
                }
            );

            // What the database holds now: no sealed payload is left.
            let sql = RawSql::connect(&db).await;
            let id = run.id.to_string();
            let mut columns = Vec::new();
            for name in ["input", "steps", "output", "raw_payload"] {
                columns.push(
                    sql.text(
                        &format!("SELECT {name} FROM runs WHERE id = $1"),
                        &[id.clone().into()],
                    )
                    .await,
                );
            }
            assert_eq!(
                columns,
                vec![Some("null".to_string()), Some("[]".to_string()), None, None]
            );
            let qid = record.id.to_string();
            assert_eq!(
                sql.text(
                    "SELECT input FROM quarantine WHERE id = $1",
                    &[qid.clone().into()]
                )
                .await
                .as_deref(),
                Some("null")
            );
            assert_eq!(
                sql.text(
                    "SELECT raw_input FROM quarantine WHERE id = $1",
                    &[qid.into()]
                )
                .await,
                None
            );
            let sealed_left = sql
                .int(
                    "SELECT COUNT(*) FROM runs WHERE input LIKE 'enc1:%' OR steps LIKE 'enc1:%' \
                     OR output IS NOT NULL OR raw_payload IS NOT NULL",
                    &[],
                )
                .await;
            assert_eq!(sealed_left, 0);
            sql.close().await;

            // The store (with its key) reads the purged rows.
            assert_eq!(
                store.get(run.id).await.expect("get"),
                Some(purged(&run, now))
            );
            assert_eq!(
                store.get(plain_run.id).await.expect("get"),
                Some(purged(&plain_run, now))
            );
            assert_eq!(store.get_raw(run.id).await.expect("raw"), None);
            assert_eq!(
                quarantine_by_id(&store).await,
                vec![QuarantineRecord {
                    input: Value::Null,
                    ..record
                }]
            );

            // The earlier records are untouched and still hash the original
            // payloads, not what is stored now.
            let chain = whole_chain(&store).await;
            assert_eq!(chain[..recorded_before.len()], recorded_before[..]);
            let run_recorded = &chain[0];
            assert_eq!(run_recorded.subject, format!("run:{}", run.id));
            assert_eq!(
                run_recorded.details_json()["payload_sha256"]["input"],
                airlock_core::payload_hash(&run.input)
            );
            assert_ne!(
                run_recorded.details_json()["payload_sha256"]["input"],
                airlock_core::payload_hash(&Value::Null)
            );
            assert_eq!(
                chain.last().map(|r| r.event.as_str()),
                Some("payloads.purged")
            );
            assert_chain_ok(&store, recorded_before.len() as u64 + 1).await;
            store.close().await;
        },
    );
}
