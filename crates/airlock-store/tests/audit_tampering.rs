//! Tampering with the stored audit chain, done the way someone with write
//! access to the database would (plain SQL on a connection of its own),
//! and what `verify_chain` then reports, on SQLite and PostgreSQL: the
//! kind of problem, the first bad record, and a message naming it.

mod common;
mod raw_sql;

use airlock_core::audit::chain_hash;
use airlock_core::audit_verify::{ChainProblem, ChainReport};
use airlock_core::{AuditEventKind, AuditRecord, Decision, Timestamp};
use airlock_store::{AuditStore, CheckpointSigner, CheckpointVerifier, RunStore, Store};
use common::{audit_event, bare_run, whole_chain, with_database, TestDatabase};
use raw_sql::RawSql;

/// Records in every test's chain.
const RECORDS: u64 = 10;

/// A store holding a chain of [`RECORDS`] records (plain events and runs),
/// a raw connection to tamper with, and a checkpoint signer.
struct Fixture {
    store: Store,
    sql: RawSql,
    signer: CheckpointSigner,
}

impl Fixture {
    async fn new(db: &TestDatabase) -> Fixture {
        let store = Store::connect(&db.url, airlock_core::Durability::Fsync)
            .await
            .expect("connect");
        for i in 0..RECORDS {
            if i % 3 == 2 {
                store
                    .insert(bare_run("alpha", Decision::Auto))
                    .await
                    .expect("insert");
            } else {
                let event = audit_event(AuditEventKind::AccessDenied, &format!("req:{i}"), None);
                store.append_audit(vec![event]).await.expect("append");
            }
        }
        assert_eq!(whole_chain(&store).await.len() as u64, RECORDS);
        Fixture {
            store,
            sql: RawSql::connect(db).await,
            signer: CheckpointSigner::from_seed(&[42; 32]),
        }
    }

    async fn record(&self, seq: u64) -> AuditRecord {
        let mut found = self.store.audit_range(seq, 1).await.expect("range");
        assert_eq!(found.len(), 1, "record {seq} exists");
        found.remove(0)
    }

    /// Signs and stores a checkpoint at record `seq` as it is now.
    async fn checkpoint(&self, seq: u64) {
        let record = self.record(seq).await;
        let checkpoint = self.signer.sign(seq, &record.hash, Timestamp::now());
        assert!(self
            .store
            .insert_checkpoint(checkpoint)
            .await
            .expect("checkpoint"));
    }

    async fn verify(&self) -> ChainReport {
        let keys = CheckpointVerifier::from_public_keys(&[self.signer.public_key_hex()])
            .expect("public key");
        airlock_store::verify_chain(&self.store, 1, &keys)
            .await
            .expect("verify")
    }

    /// Verifies, expecting a problem whose first bad record is `first_bad`
    /// and whose message says each of `named`.
    async fn problem(&self, first_bad: u64, named: &[&str]) -> ChainProblem {
        let report = self.verify().await;
        let problem = report.problem.expect("tampering is detected");
        assert_eq!(problem.first_bad_seq(), first_bad, "{problem:?}");
        let message = problem.to_string();
        for part in named {
            assert!(message.contains(part), "`{message}` should say `{part}`");
        }
        problem
    }

    async fn close(self) {
        self.sql.close().await;
        self.store.close().await;
    }
}

#[test]
fn an_untouched_chain_verifies() {
    with_database(
        "an_untouched_chain_verifies",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            fx.checkpoint(RECORDS).await;
            let report = fx.verify().await;
            assert!(report.is_ok(), "{:?}", report.problem);
            assert_eq!((report.records, report.checkpoints), (RECORDS, 1));
            fx.close().await;
        },
    );
}

#[test]
fn altered_details_are_named() {
    with_database("altered_details_are_named", |db: TestDatabase| async move {
        let fx = Fixture::new(&db).await;
        let changed = fx
            .sql
            .execute(
                "UPDATE audit_log SET details = $1 WHERE seq = 4",
                &[r#"{"note":"nothing happened"}"#.into()],
            )
            .await;
        assert_eq!(changed, 1);
        let record = fx.record(4).await;
        let problem = fx.problem(4, &["record 4 (", &record.id, "altered"]).await;
        assert_eq!(
            problem,
            ChainProblem::Altered {
                seq: 4,
                record: record.describe()
            }
        );
        fx.close().await;
    });
}

#[test]
fn an_altered_and_rehashed_record_is_relinked() {
    with_database(
        "an_altered_and_rehashed_record_is_relinked",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            let mut record = fx.record(4).await;
            record.details = r#"{"note":"nothing happened"}"#.into();
            record.hash = chain_hash(&record);
            fx.sql
                .execute(
                    "UPDATE audit_log SET details = $1, hash = $2 WHERE seq = 4",
                    &[record.details.clone().into(), record.hash.clone().into()],
                )
                .await;
            let problem = fx.problem(4, &["record 4 was altered", "record 5"]).await;
            assert!(
                matches!(
                    problem,
                    ChainProblem::Relinked {
                        seq: 4,
                        next: 5,
                        ..
                    }
                ),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}

#[test]
fn a_deleted_middle_record_is_a_gap() {
    with_database(
        "a_deleted_middle_record_is_a_gap",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            assert_eq!(
                fx.sql
                    .execute("DELETE FROM audit_log WHERE seq = 6", &[])
                    .await,
                1
            );
            let problem = fx.problem(6, &["record 6 was deleted"]).await;
            assert_eq!(problem, ChainProblem::Deleted { from: 6, to: 6 });
            fx.close().await;
        },
    );
}

#[test]
fn swapped_records_are_reordered() {
    with_database(
        "swapped_records_are_reordered",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            let (third, fourth) = (fx.record(3).await, fx.record(4).await);
            // Through a free seq: `seq` is the primary key.
            for (from, to) in [(3, 1_000_003), (4, 3), (1_000_003, 4)] {
                let changed = fx
                    .sql
                    .execute(
                        "UPDATE audit_log SET seq = $1 WHERE seq = $2",
                        &[to.into(), from.into()],
                    )
                    .await;
                assert_eq!(changed, 1);
            }
            assert_eq!(fx.record(3).await.id, fourth.id);
            assert_eq!(fx.record(4).await.id, third.id);
            let problem = fx
                .problem(3, &["reordered", &fourth.id, "position 3", "record 4"])
                .await;
            assert!(
                matches!(
                    problem,
                    ChainProblem::Reordered {
                        seq: 3,
                        original: 4,
                        ..
                    }
                ),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}

#[test]
fn a_deleted_tail_is_truncation_by_the_head() {
    with_database(
        "a_deleted_tail_is_truncation_by_the_head",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            // No checkpoint: the head the database keeps gives it away.
            assert_eq!(
                fx.sql
                    .execute("DELETE FROM audit_log WHERE seq = 10", &[])
                    .await,
                1
            );
            let problem = fx
                .problem(10, &["ends at record 9", "record 10", "chain head"])
                .await;
            assert!(
                matches!(
                    problem,
                    ChainProblem::Truncated {
                        last: 9,
                        expected: 10,
                        ..
                    }
                ),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}

#[test]
fn a_deleted_tail_after_a_checkpoint_is_truncation() {
    with_database(
        "a_deleted_tail_after_a_checkpoint_is_truncation",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            fx.checkpoint(RECORDS).await;
            assert_eq!(
                fx.sql
                    .execute("DELETE FROM audit_log WHERE seq >= 8", &[])
                    .await,
                3
            );
            let problem = fx
                .problem(8, &["ends at record 7", "record 10", "checkpoint"])
                .await;
            assert!(
                matches!(
                    problem,
                    ChainProblem::Truncated {
                        last: 7,
                        expected: 10,
                        ..
                    }
                ),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}

#[test]
fn a_deleted_tail_with_a_rewritten_head_is_still_truncation() {
    with_database(
        "a_deleted_tail_with_a_rewritten_head_is_still_truncation",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            fx.checkpoint(9).await;
            let seventh = fx.record(7).await;
            assert_eq!(
                fx.sql
                    .execute("DELETE FROM audit_log WHERE seq >= 8", &[])
                    .await,
                3
            );
            fx.sql
                .execute(
                    "UPDATE audit_head SET seq = 7, hash = $1 WHERE id = 1",
                    &[seventh.hash.clone().into()],
                )
                .await;
            assert_eq!(fx.store.audit_head().await.expect("head").seq, 7);
            let problem = fx
                .problem(8, &["ends at record 7", "record 9", "checkpoint"])
                .await;
            assert!(
                matches!(
                    problem,
                    ChainProblem::Truncated {
                        last: 7,
                        expected: 9,
                        ..
                    }
                ),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}

#[test]
fn a_rewritten_chain_disagrees_with_its_checkpoint() {
    with_database(
        "a_rewritten_chain_disagrees_with_its_checkpoint",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            fx.checkpoint(8).await;
            // Records 5 on rewritten into a self-consistent chain, head
            // included: only the signed checkpoint can tell.
            let mut prev = fx.record(4).await;
            for seq in 5..=RECORDS {
                let mut record = fx.record(seq).await;
                record.actor = "mallory".into();
                record.prev_hash = prev.hash.clone();
                record.hash = chain_hash(&record);
                fx.sql
                    .execute(
                        "UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
                        &[
                            record.actor.clone().into(),
                            record.prev_hash.clone().into(),
                            record.hash.clone().into(),
                            (seq as i64).into(),
                        ],
                    )
                    .await;
                prev = record;
            }
            fx.sql
                .execute(
                    "UPDATE audit_head SET hash = $1 WHERE id = 1",
                    &[prev.hash.clone().into()],
                )
                .await;
            let eighth = fx.record(8).await;
            let problem = fx.problem(8, &["record 8 (", "signed checkpoint"]).await;
            assert_eq!(
                problem,
                ChainProblem::Rewritten {
                    seq: 8,
                    record: eighth.describe()
                }
            );
            fx.close().await;
        },
    );
}

#[test]
fn an_altered_checkpoint_signature_is_a_bad_checkpoint() {
    with_database(
        "an_altered_checkpoint_signature_is_a_bad_checkpoint",
        |db: TestDatabase| async move {
            let fx = Fixture::new(&db).await;
            fx.checkpoint(5).await;
            let signature = fx
                .sql
                .text("SELECT signature FROM audit_checkpoints WHERE seq = 5", &[])
                .await
                .expect("signature");
            // Flip the last hex digit: still well-formed, no longer valid.
            let mut forged = signature.clone();
            let last = forged.pop().expect("non-empty");
            forged.push(if last == '0' { '1' } else { '0' });
            fx.sql
                .execute(
                    "UPDATE audit_checkpoints SET signature = $1 WHERE seq = 5",
                    &[forged.into()],
                )
                .await;
            let problem = fx
                .problem(5, &["checkpoint at record 5", "does not match"])
                .await;
            assert!(
                matches!(problem, ChainProblem::BadCheckpoint { seq: 5, .. }),
                "{problem:?}"
            );
            fx.close().await;
        },
    );
}
