//! The audit chain on SQLite and PostgreSQL: numbering and links, filters
//! and cursor pages, the records runs and quarantined inputs append (with
//! the hashes of their stored payloads), failed writes that record
//! nothing, two stores appending to one database at once, and signed
//! checkpoints.

mod common;
mod raw_sql;

use std::collections::HashSet;
use std::sync::Arc;

use airlock_core::audit::chain_hash;
use airlock_core::audit_verify::ChainProblem;
use airlock_core::{
    AuditEventKind, AuditRecord, Decision, Durability, ErrorKind, Timestamp, GENESIS_HASH,
};
use airlock_store::{
    AuditFilter, AuditHead, AuditStore, CheckpointSigner, CheckpointVerifier, Inserted, NewRun,
    QuarantineStore, RunStore, Store,
};
use common::{
    assert_chain_ok, audit_event, bare_run, full_run, quarantined, whole_chain, with_database,
    with_store, TestDatabase,
};
use raw_sql::RawSql;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Barrier;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

/// Records of `event`, oldest first.
async fn records_of(store: &Store, event: AuditEventKind) -> Vec<AuditRecord> {
    store
        .list_audit(&AuditFilter {
            event: Some(event.as_str().to_string()),
            limit: Some(500),
            ..AuditFilter::default()
        })
        .await
        .expect("list audit")
        .items
}

/// Asserts `records` are 1..=n, each linked to the one before.
fn assert_linked_from_genesis(records: &[AuditRecord]) {
    let mut prev_hash = GENESIS_HASH.to_string();
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.seq, i as u64 + 1, "seq has no gaps");
        assert_eq!(
            record.prev_hash, prev_hash,
            "record {} links back",
            record.seq
        );
        assert_eq!(
            record.hash,
            chain_hash(record),
            "record {} hash",
            record.seq
        );
        prev_hash = record.hash.clone();
    }
}

#[test]
fn appended_records_are_numbered_and_linked_and_the_head_follows() {
    with_store(
        "appended_records_are_numbered_and_linked_and_the_head_follows",
        |store: Store| async move {
            assert_eq!(
                store.audit_head().await.expect("head"),
                AuditHead {
                    seq: 0,
                    hash: GENESIS_HASH.to_string()
                }
            );
            assert!(whole_chain(&store).await.is_empty());

            let first: Vec<_> = (0..5)
                .map(|i| audit_event(AuditEventKind::ConfigLoaded, &format!("config:{i}"), None))
                .collect();
            let mut appended = store.append_audit(first).await.expect("append five");
            let second: Vec<_> = (0..3)
                .map(|i| {
                    audit_event(
                        AuditEventKind::WorkflowLoaded,
                        &format!("workflow:w{i}"),
                        Some("w"),
                    )
                })
                .collect();
            appended.extend(store.append_audit(second).await.expect("append three"));
            assert!(store
                .append_audit(Vec::new())
                .await
                .expect("empty")
                .is_empty());

            assert_eq!(
                appended.iter().map(|r| r.seq).collect::<Vec<_>>(),
                (1..=8).collect::<Vec<_>>()
            );
            assert_linked_from_genesis(&appended);
            let stored = whole_chain(&store).await;
            assert_eq!(stored, appended, "stored exactly as returned");
            assert_eq!(stored[5].event, "workflow.loaded");
            assert_eq!(stored[5].workflow.as_deref(), Some("w"));
            assert_eq!(stored[0].details_json(), json!({"note": "about config:0"}));

            let head = store.audit_head().await.expect("head");
            assert_eq!(
                head,
                AuditHead {
                    seq: 8,
                    hash: appended[7].hash.clone()
                }
            );
            let middle = store.audit_range(3, 4).await.expect("range");
            assert_eq!(middle, appended[2..6].to_vec());
            assert_eq!(
                store.audit_range(7, 100).await.expect("tail"),
                appended[6..].to_vec()
            );
            assert!(store
                .audit_range(9, 100)
                .await
                .expect("past the end")
                .is_empty());
            assert_eq!(
                store.audit_range(0, 2).await.expect("from zero"),
                appended[..2].to_vec()
            );
        },
    );
}

/// Which records a filter case should return, decided here.
type Selection = Box<dyn Fn(&AuditRecord) -> bool + Send + Sync>;

#[test]
fn list_audit_filters_and_pages_without_overlap_or_skip() {
    with_store(
        "list_audit_filters_and_pages_without_overlap_or_skip",
        |store: Store| async move {
            let kinds = [
                AuditEventKind::AccessDenied,
                AuditEventKind::ConfigLoaded,
                AuditEventKind::PolicyLoaded,
            ];
            let base = 1_714_000_000_000;
            let events: Vec<_> = (0..31)
                .map(|i| {
                    let workflow = match i % 4 {
                        0 => Some("alpha"),
                        1 => Some("beta"),
                        _ => None,
                    };
                    audit_event(kinds[i % 3], &format!("req:{}", i % 5), workflow)
                        .at(at(base + i as i64 * 1000))
                })
                .collect();
            let all = store.append_audit(events).await.expect("append");

            // Every filter, alone and combined, against the same selection
            // made here; each read page by page with a small limit.
            let since = at(base + 12_000);
            let cases: Vec<(AuditFilter, Selection)> = vec![
                (AuditFilter::default(), Box::new(|_| true)),
                (
                    AuditFilter {
                        event: Some("access.denied".into()),
                        ..AuditFilter::default()
                    },
                    Box::new(|r| r.event == "access.denied"),
                ),
                (
                    AuditFilter {
                        subject: Some("req:3".into()),
                        ..AuditFilter::default()
                    },
                    Box::new(|r| r.subject == "req:3"),
                ),
                (
                    AuditFilter {
                        workflow: Some("alpha".into()),
                        ..AuditFilter::default()
                    },
                    Box::new(|r| r.workflow.as_deref() == Some("alpha")),
                ),
                (
                    AuditFilter {
                        since: Some(since),
                        ..AuditFilter::default()
                    },
                    Box::new(move |r| r.at >= since),
                ),
                (
                    AuditFilter {
                        event: Some("policy.loaded".into()),
                        workflow: Some("beta".into()),
                        since: Some(since),
                        ..AuditFilter::default()
                    },
                    Box::new(move |r| {
                        r.event == "policy.loaded"
                            && r.workflow.as_deref() == Some("beta")
                            && r.at >= since
                    }),
                ),
            ];
            for (filter, keep) in cases {
                let expected: Vec<AuditRecord> = all.iter().filter(|r| keep(r)).cloned().collect();
                assert!(
                    !expected.is_empty(),
                    "each case selects something: {filter:?}"
                );
                let mut seen = Vec::new();
                let mut after = None;
                let mut pages = 0;
                loop {
                    let page = store
                        .list_audit(&AuditFilter {
                            after,
                            limit: Some(4),
                            ..filter.clone()
                        })
                        .await
                        .expect("list page");
                    pages += 1;
                    assert!(page.items.len() <= 4);
                    seen.extend(page.items);
                    match page.next_cursor {
                        Some(cursor) => after = Some(cursor.parse().expect("cursor is a seq")),
                        None => break,
                    }
                    assert!(pages <= 10, "pagination must end");
                }
                assert_eq!(
                    seen, expected,
                    "oldest first, no overlap, no skip: {filter:?}"
                );
                assert_eq!(pages, expected.len().div_ceil(4).max(1), "{filter:?}");
            }

            let nothing = store
                .list_audit(&AuditFilter {
                    subject: Some("req:nobody".into()),
                    ..AuditFilter::default()
                })
                .await
                .expect("list");
            assert!(nothing.items.is_empty() && nothing.next_cursor.is_none());
            let err = store
                .list_audit(&AuditFilter {
                    limit: Some(0),
                    ..AuditFilter::default()
                })
                .await
                .expect_err("limit 0");
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidInput, Some("limit"))
            );
        },
    );
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn runs_and_quarantined_inputs_append_one_record_each_with_payload_hashes() {
    with_database(
        "runs_and_quarantined_inputs_append_one_record_each_with_payload_hashes",
        |db: TestDatabase| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let mut full = full_run("support-triage", 1_714_566_896_789);
            full.key_id = Some("ak_app000001".into());
            let raw = json!({"input": {"message": "unredacted"}, "steps": [], "output": null});
            let inserted = store
                .insert_new_run(NewRun {
                    run: full.clone(),
                    raw: Some(raw.clone()),
                    review: None,
                })
                .await
                .expect("insert full run");
            assert!(!inserted.is_existing());
            let bare = bare_run("support-triage", Decision::Auto);
            store.insert(bare.clone()).await.expect("insert bare run");

            // A retry with a taken idempotency key stores nothing and
            // records nothing.
            let mut retry = bare_run("support-triage", Decision::Block);
            retry.idempotency_key = full.idempotency_key.clone();
            assert!(matches!(
                store.insert(retry).await.expect("retry"),
                Inserted::Existing(_)
            ));

            let mut record = quarantined("support-triage", "message must be a string");
            record.received_at = at(1_714_566_900_000);
            let raw_input = json!({"message": 17, "email": "a@b.c"});
            store
                .insert_quarantine_with_raw(record.clone(), Some(raw_input.clone()))
                .await
                .expect("quarantine");

            let chain = whole_chain(&store).await;
            assert_eq!(
                chain.iter().map(|r| r.event.as_str()).collect::<Vec<_>>(),
                vec!["run.recorded", "run.recorded", "input.quarantined"],
                "one record per created run and per quarantined input"
            );

            // What each record says, and that its payload hashes are those
            // of the stored (here plaintext) JSON text.
            let sql = RawSql::connect(&db).await;
            let column = |table: &'static str, name: &'static str, id: String| {
                let sql = &sql;
                async move {
                    sql.text(
                        &format!("SELECT {name} FROM {table} WHERE id = $1"),
                        &[id.into()],
                    )
                    .await
                }
            };
            let run_record = &chain[0];
            assert_eq!(run_record.subject, format!("run:{}", full.id));
            assert_eq!(run_record.workflow.as_deref(), Some("support-triage"));
            assert_eq!(run_record.actor, "key:ak_app000001");
            assert_eq!(run_record.at, full.created_at);
            let details = run_record.details_json();
            assert_eq!(details["decision"], "review");
            assert_eq!(details["rule"], "low_confidence");
            assert_eq!(details["status"], "failed");
            assert_eq!(
                details["idempotency_key"],
                Value::from(full.idempotency_key.clone())
            );
            let id = full.id.to_string();
            let mut expected = serde_json::Map::new();
            for name in ["input", "steps", "output", "raw_payload"] {
                let stored = column("runs", name, id.clone())
                    .await
                    .expect("column is set");
                let key = if name == "raw_payload" { "raw" } else { name };
                expected.insert(key.into(), Value::String(sha256_hex(&stored)));
            }
            assert_eq!(details["payload_sha256"], Value::Object(expected));
            assert_eq!(
                details["payload_sha256"]["input"],
                airlock_core::payload_hash(&full.input),
                "the hash of the stored text is the hash of the JSON value"
            );
            assert_eq!(
                details["payload_sha256"]["raw"],
                airlock_core::payload_hash(&raw)
            );

            let bare_details = chain[1].details_json();
            assert_eq!(chain[1].actor, "system");
            assert_eq!(
                bare_details["payload_sha256"],
                json!({
                    "input": airlock_core::payload_hash(&bare.input),
                    "steps": airlock_core::payload_hash(&json!([])),
                }),
                "no output and no raw copy: no hash for them"
            );

            let quarantine_record = &chain[2];
            assert_eq!(
                quarantine_record.subject,
                format!("quarantine:{}", record.id)
            );
            assert_eq!(quarantine_record.at, record.received_at);
            let details = quarantine_record.details_json();
            assert_eq!(details["reason"], "message must be a string");
            assert_eq!(details["field"], "message");
            let qid = record.id.to_string();
            let stored_input = column("quarantine", "input", qid.clone())
                .await
                .expect("input");
            let stored_raw = column("quarantine", "raw_input", qid)
                .await
                .expect("raw input");
            assert_eq!(
                details["payload_sha256"],
                json!({"input": sha256_hex(&stored_input), "raw": sha256_hex(&stored_raw)})
            );
            assert_eq!(
                details["payload_sha256"]["raw"],
                airlock_core::payload_hash(&raw_input)
            );

            // No payload text is ever in the log.
            let logged = sql.texts("SELECT details FROM audit_log", &[]).await;
            assert_eq!(logged.len(), 3);
            assert!(logged
                .iter()
                .flatten()
                .all(|d| !d.contains("unredacted") && !d.contains("a@b.c")));
            sql.close().await;
            assert_chain_ok(&store, 3).await;
            store.close().await;
        },
    );
}

#[test]
fn a_failed_record_of_a_batch_leaves_no_audit_record() {
    with_store(
        "a_failed_record_of_a_batch_leaves_no_audit_record",
        |store: Store| async move {
            let mut bad = bare_run("alpha", Decision::Auto);
            bad.confidence = Some(f64::NAN);
            store.insert(bad).await.expect_err("NaN confidence");

            let good = bare_run("alpha", Decision::Auto);
            store.insert(good.clone()).await.expect("insert");
            // 16 inserts queued at once, one reusing the stored run's id:
            // it fails (its batch is retried record by record) and must
            // leave no record; the other 15 each leave one.
            let mut tasks = Vec::new();
            for i in 0..16 {
                let store = store.clone();
                let run = if i == 7 {
                    let mut dup = bare_run("alpha", Decision::Block);
                    dup.id = good.id;
                    dup
                } else {
                    bare_run("alpha", Decision::Auto)
                };
                tasks.push(tokio::spawn(async move { store.insert(run).await }));
            }
            let mut conflicts = 0;
            for task in tasks {
                if let Err(err) = task.await.expect("task") {
                    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
                    conflicts += 1;
                }
            }
            assert_eq!(conflicts, 1);

            let recorded = records_of(&store, AuditEventKind::RunRecorded).await;
            assert_eq!(recorded.len(), 16, "the good run and the 15 others");
            let subjects: HashSet<&str> = recorded.iter().map(|r| r.subject.as_str()).collect();
            assert_eq!(subjects.len(), 16, "no run is recorded twice");
            let of_good: Vec<_> = recorded
                .iter()
                .filter(|r| r.subject == format!("run:{}", good.id))
                .collect();
            assert_eq!(of_good.len(), 1);
            assert_eq!(of_good[0].details_json()["decision"], "auto");
            assert_linked_from_genesis(&whole_chain(&store).await);
            assert_chain_ok(&store, 16).await;
        },
    );
}

#[test]
fn two_stores_appending_at_once_make_one_chain_without_fork_or_gap() {
    with_database(
        "two_stores_appending_at_once_make_one_chain_without_fork_or_gap",
        |db: TestDatabase| async move {
            const TASKS_PER_STORE: usize = 8;
            const EVENTS_PER_TASK: usize = 25;
            const RUN_EVERY: usize = 5;
            let stores = [
                Store::connect(&db.url, Durability::Fsync)
                    .await
                    .expect("connect a"),
                Store::connect(&db.url, Durability::Fsync)
                    .await
                    .expect("connect b"),
            ];
            let start = Arc::new(Barrier::new(2 * TASKS_PER_STORE));
            let mut tasks = Vec::new();
            for (s, store) in stores.iter().enumerate() {
                for t in 0..TASKS_PER_STORE {
                    let store = store.clone();
                    let start = start.clone();
                    tasks.push(tokio::spawn(async move {
                        start.wait().await;
                        let mut seqs = Vec::new();
                        for i in 0..EVENTS_PER_TASK {
                            let subject = format!("task:{s}:{t}:{i}");
                            let event = audit_event(AuditEventKind::AccessDenied, &subject, None);
                            let records = store.append_audit(vec![event]).await.expect("append");
                            assert_eq!(records.len(), 1);
                            assert_eq!(records[0].subject, subject);
                            seqs.push(records[0].seq);
                            if i % RUN_EVERY == 0 {
                                store
                                    .insert(bare_run("mixed", Decision::Auto))
                                    .await
                                    .expect("insert run");
                            }
                        }
                        seqs
                    }));
                }
            }
            let mut returned = Vec::new();
            for task in tasks {
                let seqs = task.await.expect("task");
                assert!(
                    seqs.windows(2).all(|w| w[0] < w[1]),
                    "a task's records are in order"
                );
                returned.extend(seqs);
            }

            let events = 2 * TASKS_PER_STORE * EVENTS_PER_TASK;
            let runs = 2 * TASKS_PER_STORE * EVENTS_PER_TASK.div_ceil(RUN_EVERY);
            let total = (events + runs) as u64;
            let chain = whole_chain(&stores[0]).await;
            assert_eq!(chain.len() as u64, total, "every append is there once");
            assert_linked_from_genesis(&chain);
            let denied: HashSet<&str> = chain
                .iter()
                .filter(|r| r.event == "access.denied")
                .map(|r| r.subject.as_str())
                .collect();
            assert_eq!(denied.len(), events);
            assert_eq!(
                chain.iter().filter(|r| r.event == "run.recorded").count(),
                runs
            );
            let returned: HashSet<u64> = returned.into_iter().collect();
            assert_eq!(returned.len(), events, "no seq was handed out twice");
            for store in &stores {
                assert_eq!(
                    store.audit_head().await.expect("head"),
                    AuditHead {
                        seq: total,
                        hash: chain[chain.len() - 1].hash.clone()
                    }
                );
            }
            assert_chain_ok(&stores[1], total).await;
            for store in stores {
                store.close().await;
            }
        },
    );
}

#[test]
fn checkpoints_are_stored_once_per_seq_listed_and_the_latest_found() {
    with_store(
        "checkpoints_are_stored_once_per_seq_listed_and_the_latest_found",
        |store: Store| async move {
            assert!(store.list_checkpoints().await.expect("list").is_empty());
            assert_eq!(store.latest_checkpoint().await.expect("latest"), None);
            let events: Vec<_> = (0..10)
                .map(|i| audit_event(AuditEventKind::ConfigLoaded, &format!("config:{i}"), None))
                .collect();
            let records = store.append_audit(events).await.expect("append");
            let signer = CheckpointSigner::from_seed(&[7; 32]);
            let at5 = signer.sign(5, &records[4].hash, at(1_714_000_000_005));
            let at10 = signer.sign(10, &records[9].hash, at(1_714_000_000_010));

            // Newest first, to show `latest` goes by seq.
            assert!(store
                .insert_checkpoint(at10.clone())
                .await
                .expect("insert 10"));
            assert!(store
                .insert_checkpoint(at5.clone())
                .await
                .expect("insert 5"));
            let other = CheckpointSigner::from_seed(&[8; 32]);
            let again = other.sign(5, &records[4].hash, at(1_714_000_999_999));
            assert!(
                !store
                    .insert_checkpoint(again)
                    .await
                    .expect("insert 5 again"),
                "a second checkpoint at one seq is not stored"
            );

            assert_eq!(
                store.list_checkpoints().await.expect("list"),
                vec![at5.clone(), at10.clone()],
                "by seq, the first one at each seq kept as signed"
            );
            assert_eq!(store.latest_checkpoint().await.expect("latest"), Some(at10));
            let verifier =
                CheckpointVerifier::from_public_keys(&[signer.public_key_hex()]).expect("key");
            for checkpoint in store.list_checkpoints().await.expect("list") {
                assert_eq!(
                    verifier.verify(&checkpoint),
                    Ok(()),
                    "stored signatures still verify"
                );
            }
        },
    );
}

#[test]
fn verify_chain_with_signed_checkpoints_passes_an_untouched_chain() {
    with_store(
        "verify_chain_with_signed_checkpoints_passes_an_untouched_chain",
        |store: Store| async move {
            for i in 0..6 {
                store
                    .append_audit(vec![audit_event(
                        AuditEventKind::AccessDenied,
                        &format!("req:{i}"),
                        Some("alpha"),
                    )])
                    .await
                    .expect("append");
                store
                    .insert(full_run("alpha", 1_714_000_000_000 + i))
                    .await
                    .expect("insert");
            }
            store
                .insert_quarantine(quarantined("alpha", "bad"))
                .await
                .expect("quarantine");
            let signer = CheckpointSigner::from_seed(&CheckpointSigner::generate_seed());
            let chain = whole_chain(&store).await;
            assert_eq!(chain.len(), 13);
            for record in [&chain[5], &chain[12]] {
                let checkpoint = signer.sign(record.seq, &record.hash, Timestamp::now());
                assert!(store
                    .insert_checkpoint(checkpoint)
                    .await
                    .expect("checkpoint"));
            }
            let trusted =
                CheckpointVerifier::from_public_keys(&[signer.public_key_hex()]).expect("key");

            let report = airlock_store::verify_chain(&store, 1, &trusted)
                .await
                .expect("verify");
            assert!(report.is_ok(), "{:?}", report.problem);
            assert_eq!(
                (
                    report.records,
                    report.first,
                    report.last,
                    report.checkpoints
                ),
                (13, Some(1), Some(13), 2)
            );
            let head = store.audit_head().await.expect("head");
            assert_eq!(report.head_hash, Some(head.hash));

            let from_middle = airlock_store::verify_chain(&store, 7, &trusted)
                .await
                .expect("verify from 7");
            assert!(from_middle.is_ok(), "{:?}", from_middle.problem);
            assert_eq!(
                (
                    from_middle.records,
                    from_middle.first,
                    from_middle.checkpoints
                ),
                (7, Some(7), 1)
            );

            // A checkpoint signed by a key the verifier does not trust is
            // not evidence: it is reported.
            let stranger = CheckpointSigner::from_seed(&[3; 32]);
            let untrusted =
                CheckpointVerifier::from_public_keys(&[stranger.public_key_hex()]).expect("key");
            let report = airlock_store::verify_chain(&store, 1, &untrusted)
                .await
                .expect("verify");
            match report.problem {
                Some(ChainProblem::BadCheckpoint { seq: 6, reason }) => {
                    assert!(reason.contains("not a trusted"), "{reason}")
                }
                other => panic!("expected a bad checkpoint at 6, got {other:?}"),
            }
        },
    );
}
