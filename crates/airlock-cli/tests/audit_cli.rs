//! `airlock audit verify` through the real binary, on SQLite and
//! PostgreSQL: a chain written by real commands (`keys create`, `run`,
//! `audit checkpoint`) verifies; then, for each way someone with write
//! access to the database could tamper with it — altering a record,
//! deleting one, swapping two, cutting off the tail and rewriting the head
//! to match — plain SQL does it and `verify` exits 65 naming the first bad
//! record.

#[path = "../../airlock-store/tests/raw_sql/mod.rs"]
mod raw_sql;
mod server_support;

use airlock_testkit::{run_on_each_database, TestDatabase};
use raw_sql::RawSql;
use serde_json::Value;
use server_support::{airlock_with, store_flags, succeeded, write_rule_workflow};
use std::process::Output;

/// Records every chain in these tests has: 2 key changes and 4 runs.
const RECORDS: u64 = 6;

/// A data directory and workflows, and the global flags pointing at them
/// and at the test's database.
struct Chain {
    _dir: tempfile::TempDir,
    flags: Vec<String>,
}

impl Chain {
    /// Writes [`RECORDS`] records with real commands and signs a checkpoint
    /// of the head.
    fn written(db: &TestDatabase) -> Chain {
        let dir = tempfile::tempdir().expect("tempdir");
        let workflows = write_rule_workflow(&dir.path().join("workflows"));
        let flags = store_flags(&workflows, &dir.path().join("data"), &db.url);

        let chain = Chain { _dir: dir, flags };
        for name in ["crm", "alice"] {
            chain.succeeds(&["keys", "create", "--role", "reviewer", "--name", name]);
        }
        let input = chain._dir.path().join("refund.json");
        for amount in [10, 20, 300, 40] {
            std::fs::write(
                &input,
                format!(r#"{{"order": "A-{amount}", "amount": {amount}}}"#),
            )
            .expect("write input");
            chain.succeeds(&["run", "refunds", "--input", input.to_str().expect("utf-8")]);
        }
        let signed = chain.succeeds(&["audit", "checkpoint"]);
        assert!(
            signed.contains(&format!("signed checkpoint at record {RECORDS}")),
            "{signed}"
        );
        chain
    }

    /// Runs `args`; panics with stderr unless it exits 0; returns stdout.
    fn succeeds(&self, args: &[&str]) -> String {
        succeeded(&self.airlock(args))
    }

    fn airlock(&self, args: &[&str]) -> Output {
        airlock_with(&self.flags, args, &[])
    }

    /// The record at `seq`, as `audit list` prints it.
    fn record(&self, seq: u64) -> Value {
        let after = (seq - 1).to_string();
        let line = self.succeeds(&["audit", "list", "--after", &after, "--limit", "1"]);
        serde_json::from_str(line.trim()).expect("a JSON record")
    }

    /// `audit verify` must fail with exit 65, its JSON naming `first_bad`
    /// as the first bad record and `problem` as the kind, and its message
    /// (the same in the plain form) saying each of `named`.
    fn refused(&self, first_bad: u64, problem: &str, named: &[&str]) {
        let out = self.airlock(&["audit", "verify", "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{stderr}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_eq!(report["ok"], false, "{report}");
        assert_eq!(report["first_bad_seq"], first_bad, "{report}");
        assert_eq!(report["problem"], problem, "{report}");
        for part in named {
            assert!(
                stderr.contains(part),
                "stderr should say `{part}`: {stderr}"
            );
        }
        let message = report["message"].as_str().expect("a message");
        let plain = self.airlock(&["audit", "verify"]);
        assert_eq!(plain.status.code(), Some(65));
        assert!(
            String::from_utf8_lossy(&plain.stderr).contains(message),
            "the plain form says the same: {}",
            String::from_utf8_lossy(&plain.stderr)
        );
    }
}

#[test]
fn a_chain_written_by_the_commands_verifies() {
    run_on_each_database(
        "a_chain_written_by_the_commands_verifies",
        |db| async move {
            let chain = Chain::written(&db);
            let out = chain.succeeds(&["audit", "verify"]);
            assert!(
                out.starts_with(&format!(
                    "ok: {RECORDS} record(s) (1 to {RECORDS}), 1 signed checkpoint(s) verified"
                )),
                "{out}"
            );
            let events: Vec<String> = (1..=RECORDS)
                .map(|seq| {
                    chain.record(seq)["event"]
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            assert_eq!(
                events,
                [
                    "key.created",
                    "key.created",
                    "run.recorded",
                    "run.recorded",
                    "run.recorded",
                    "run.recorded"
                ]
            );
        },
    );
}

#[test]
fn verify_names_an_altered_record() {
    run_on_each_database("verify_names_an_altered_record", |db| async move {
        let chain = Chain::written(&db);
        let id = chain.record(4)["id"].as_str().expect("id").to_string();
        let sql = RawSql::connect(&db).await;
        let changed = sql
            .execute(
                "UPDATE audit_log SET details = $1 WHERE seq = 4",
                &[r#"{"note":"nothing happened"}"#.into()],
            )
            .await;
        assert_eq!(changed, 1);
        sql.close().await;
        chain.refused(4, "altered", &["record 4 (", &id, "altered"]);
    });
}

#[test]
fn verify_names_a_deleted_record() {
    run_on_each_database("verify_names_a_deleted_record", |db| async move {
        let chain = Chain::written(&db);
        let sql = RawSql::connect(&db).await;
        assert_eq!(
            sql.execute("DELETE FROM audit_log WHERE seq = 3", &[])
                .await,
            1
        );
        sql.close().await;
        chain.refused(3, "deleted", &["record 3 was deleted"]);
    });
}

#[test]
fn verify_names_reordered_records() {
    run_on_each_database("verify_names_reordered_records", |db| async move {
        let chain = Chain::written(&db);
        let fourth = chain.record(4)["id"].as_str().expect("id").to_string();
        let sql = RawSql::connect(&db).await;
        // Through a free seq: `seq` is the primary key.
        for (from, to) in [(3i64, 1_000_003i64), (4, 3), (1_000_003, 4)] {
            let changed = sql
                .execute(
                    "UPDATE audit_log SET seq = $1 WHERE seq = $2",
                    &[to.into(), from.into()],
                )
                .await;
            assert_eq!(changed, 1);
        }
        sql.close().await;
        chain.refused(3, "reordered", &["reordered", &fourth, "position 3"]);
    });
}

#[test]
fn verify_names_a_truncated_tail_even_with_the_head_rewritten() {
    run_on_each_database(
        "verify_names_a_truncated_tail_even_with_the_head_rewritten",
        |db| async move {
            let chain = Chain::written(&db);
            let fourth_hash = chain.record(4)["hash"].as_str().expect("hash").to_string();
            let sql = RawSql::connect(&db).await;
            assert_eq!(
                sql.execute("DELETE FROM audit_log WHERE seq >= 5", &[])
                    .await,
                2
            );
            // Covering the cut: the head now names the new last record.
            sql.execute(
                "UPDATE audit_head SET seq = 4, hash = $1 WHERE id = 1",
                &[fourth_hash.into()],
            )
            .await;
            sql.close().await;
            chain.refused(5, "truncated", &["ends at record 4", "checkpoint"]);
        },
    );
}
