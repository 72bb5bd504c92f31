//! Offline verification of the audit chain: [`ChainVerifier`] takes the
//! stored records in `seq` order (page by page, so a long log never has to
//! fit in memory), then the signed checkpoints, and names the first record
//! that was altered, deleted, reordered or truncated.
//!
//! What each kind of tampering looks like:
//! - **altered**: a record's fields no longer hash to its stored hash; or
//!   its hash was recomputed too, and then the next record no longer links
//!   to it;
//! - **deleted**: a gap in `seq`;
//! - **reordered**: a record's hash matches its contents only under another
//!   `seq` (rows were swapped or renumbered);
//! - **truncated**: the log ends before a signed checkpoint (or the chain
//!   head the database keeps) says it reached;
//! - **rewritten**: everything from some record on was recomputed into a
//!   consistent chain; a signed checkpoint then disagrees with the record
//!   at its `seq`.

use std::collections::BTreeMap;
use std::fmt;

use crate::audit::{chain_hash, AuditCheckpoint, AuditRecord, GENESIS_HASH};

/// How far from its stored position a record's original `seq` is searched
/// for when its hash does not match (to tell "moved" from "altered").
const REORDER_WINDOW: u64 = 64;

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The record's contents do not match its hash.
    Altered { seq: u64, record: String },
    /// The record hashes correctly but the next one does not link to it:
    /// it was changed and rehashed, or replaced.
    Relinked { seq: u64, record: String, next: u64 },
    /// Records `from..=to` are missing.
    Deleted { from: u64, to: u64 },
    /// The record stored at `seq` was originally record `original`.
    Reordered {
        seq: u64,
        original: u64,
        record: String,
    },
    /// The log ends at `last` but evidence says it reached `expected`.
    Truncated {
        last: u64,
        expected: u64,
        evidence: String,
    },
    /// The record at a signed checkpoint does not carry the signed hash.
    Rewritten { seq: u64, record: String },
    /// A checkpoint's signature does not verify.
    BadCheckpoint { seq: u64, reason: String },
    /// The last record hashes correctly but the chain head the database
    /// keeps has another hash: it was changed and rehashed, or replaced.
    HeadMismatch { seq: u64 },
}

impl ChainProblem {
    /// The record (by `seq`) a reader should look at first.
    pub fn first_bad_seq(&self) -> u64 {
        match self {
            ChainProblem::Altered { seq, .. }
            | ChainProblem::Relinked { seq, .. }
            | ChainProblem::Reordered { seq, .. }
            | ChainProblem::Rewritten { seq, .. }
            | ChainProblem::BadCheckpoint { seq, .. }
            | ChainProblem::HeadMismatch { seq } => *seq,
            ChainProblem::Deleted { from, .. } => *from,
            ChainProblem::Truncated { last, .. } => last + 1,
        }
    }

    /// A stable word for the kind of problem.
    pub fn kind(&self) -> &'static str {
        match self {
            ChainProblem::Altered { .. }
            | ChainProblem::Relinked { .. }
            | ChainProblem::HeadMismatch { .. } => "altered",
            ChainProblem::Deleted { .. } => "deleted",
            ChainProblem::Reordered { .. } => "reordered",
            ChainProblem::Truncated { .. } => "truncated",
            ChainProblem::Rewritten { .. } => "rewritten",
            ChainProblem::BadCheckpoint { .. } => "bad_checkpoint",
        }
    }
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainProblem::Altered { record, .. } => write!(
                f,
                "{record} was altered: its contents do not match its hash"
            ),
            ChainProblem::Relinked { record, next, .. } => write!(
                f,
                "{record} was altered or replaced: record {next} does not link to it \
                 (its hash was recomputed after a change)"
            ),
            ChainProblem::Deleted { from, to } if from == to => {
                write!(f, "record {from} was deleted: the log skips from {} to {}", from - 1, to + 1)
            }
            ChainProblem::Deleted { from, to } => write!(
                f,
                "records {from} to {to} were deleted: the log skips from {} to {}",
                from - 1,
                to + 1
            ),
            ChainProblem::Reordered {
                seq,
                original,
                record,
            } => write!(
                f,
                "the log was reordered: {record} stored at position {seq} was written as record {original}"
            ),
            ChainProblem::Truncated {
                last,
                expected,
                evidence,
            } => write!(
                f,
                "the log was truncated: it ends at record {last} but {evidence} says it reached record {expected}"
            ),
            ChainProblem::Rewritten { record, .. } => write!(
                f,
                "{record} does not match the signed checkpoint at its position: \
                 the chain up to it was rewritten"
            ),
            ChainProblem::HeadMismatch { seq } => write!(
                f,
                "record {seq}, the last, was altered or replaced: the chain head kept in the \
                 database has another hash"
            ),
            ChainProblem::BadCheckpoint { seq, reason } => {
                write!(f, "the checkpoint at record {seq} does not verify: {reason}")
            }
        }
    }
}

/// What a successful (or failed) verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records checked.
    pub records: u64,
    /// First and last `seq` checked.
    pub first: Option<u64>,
    pub last: Option<u64>,
    /// The last record's hash (the chain head).
    pub head_hash: Option<String>,
    /// Checkpoints whose signature and hash were checked.
    pub checkpoints: u64,
    pub problem: Option<ChainProblem>,
}

impl ChainReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Checks records fed in `seq` order; see the module docs.
pub struct ChainVerifier {
    /// `(seq, hash)` of the last record accepted (or the anchor).
    previous: Option<(u64, String)>,
    /// Signed hashes by `seq`, checked as the records go by.
    checkpoints: BTreeMap<u64, AuditCheckpoint>,
    checked_checkpoints: u64,
    records: u64,
    first: Option<u64>,
    problem: Option<ChainProblem>,
}

impl ChainVerifier {
    /// Verifies a log from its first record. `checkpoints` must already
    /// have had their signatures checked (see [`ChainVerifier::with_checkpoints`]).
    pub fn from_start() -> Self {
        ChainVerifier {
            previous: Some((0, GENESIS_HASH.to_string())),
            checkpoints: BTreeMap::new(),
            checked_checkpoints: 0,
            records: 0,
            first: None,
            problem: None,
        }
    }

    /// Verifies from the first record fed, whatever its `seq` (its own hash
    /// is checked; its link to the records before it is taken on trust).
    pub fn from_anywhere() -> Self {
        ChainVerifier {
            previous: None,
            ..ChainVerifier::from_start()
        }
    }

    /// Checks each checkpoint's signature with `verify_signature` (the
    /// first that fails is the problem) and remembers the signed hashes.
    pub fn with_checkpoints(
        mut self,
        checkpoints: Vec<AuditCheckpoint>,
        verify_signature: impl Fn(&AuditCheckpoint) -> Result<(), String>,
    ) -> Self {
        for checkpoint in checkpoints {
            if self.problem.is_some() {
                break;
            }
            if let Err(reason) = verify_signature(&checkpoint) {
                self.problem = Some(ChainProblem::BadCheckpoint {
                    seq: checkpoint.seq,
                    reason,
                });
                break;
            }
            self.checkpoints.insert(checkpoint.seq, checkpoint);
        }
        self
    }

    /// Whether a problem was found (feeding more records changes nothing).
    pub fn failed(&self) -> bool {
        self.problem.is_some()
    }

    /// Checks the next record in `seq` order.
    pub fn push(&mut self, record: &AuditRecord) {
        if self.problem.is_some() {
            return;
        }
        self.problem = self.check(record);
        if self.problem.is_none() {
            self.records += 1;
            self.first.get_or_insert(record.seq);
            if let Some(checkpoint) = self.checkpoints.get(&record.seq) {
                if checkpoint.hash != record.hash {
                    self.problem = Some(ChainProblem::Rewritten {
                        seq: record.seq,
                        record: record.describe(),
                    });
                    return;
                }
                self.checked_checkpoints += 1;
            }
            self.previous = Some((record.seq, record.hash.clone()));
        }
    }

    fn check(&self, record: &AuditRecord) -> Option<ChainProblem> {
        if let Some((prev_seq, _)) = &self.previous {
            let expected = prev_seq + 1;
            if record.seq > expected {
                return Some(ChainProblem::Deleted {
                    from: expected,
                    to: record.seq - 1,
                });
            }
        }
        if chain_hash(record) != record.hash {
            if let Some(original) = original_seq(record) {
                return Some(ChainProblem::Reordered {
                    seq: record.seq,
                    original,
                    record: record.describe(),
                });
            }
            return Some(ChainProblem::Altered {
                seq: record.seq,
                record: record.describe(),
            });
        }
        if let Some((prev_seq, prev_hash)) = &self.previous {
            if &record.prev_hash != prev_hash {
                return Some(ChainProblem::Relinked {
                    seq: *prev_seq,
                    record: format!("record {prev_seq}"),
                    next: record.seq,
                });
            }
        }
        None
    }

    /// Ends the check: signed checkpoints beyond the last record, and the
    /// chain head the database keeps (`head`: its `seq` and hash), mean
    /// truncation; a head at the last record with another hash means the
    /// last record was altered (and rehashed).
    pub fn finish(self, head: Option<(u64, &str)>) -> ChainReport {
        let last = self
            .previous
            .as_ref()
            .map(|(seq, _)| *seq)
            .filter(|_| self.records > 0);
        let mut problem = self.problem;
        if problem.is_none() {
            let last_seq = last.unwrap_or(0);
            if let Some((seq, checkpoint)) = self.checkpoints.range(last_seq + 1..).next_back() {
                problem = Some(ChainProblem::Truncated {
                    last: last_seq,
                    expected: *seq,
                    evidence: format!("the checkpoint signed at {}", checkpoint.at),
                });
            } else if let Some((head, _)) = head.filter(|(head, _)| *head > last_seq) {
                problem = Some(ChainProblem::Truncated {
                    last: last_seq,
                    expected: head,
                    evidence: "the chain head kept in the database".to_string(),
                });
            } else if let (Some((head_seq, head_hash)), Some((seq, hash))) = (head, &self.previous)
            {
                if head_seq == *seq && self.records > 0 && head_hash != hash {
                    problem = Some(ChainProblem::HeadMismatch { seq: *seq });
                }
            }
        }
        ChainReport {
            records: self.records,
            first: self.first,
            last,
            head_hash: self
                .previous
                .map(|(_, hash)| hash)
                .filter(|_| self.records > 0),
            checkpoints: self.checked_checkpoints,
            problem,
        }
    }
}

/// The `seq` under which `record`'s fields hash to its stored hash, if it
/// is near its stored position but not at it.
fn original_seq(record: &AuditRecord) -> Option<u64> {
    let low = record.seq.saturating_sub(REORDER_WINDOW).max(1);
    let high = record.seq.saturating_add(REORDER_WINDOW);
    (low..=high).filter(|seq| *seq != record.seq).find(|seq| {
        let mut moved = record.clone();
        moved.seq = *seq;
        chain_hash(&moved) == record.hash
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditEvent, AuditEventKind, SYSTEM_ACTOR};
    use crate::Timestamp;
    use serde_json::json;

    fn chain(n: u64) -> Vec<AuditRecord> {
        let mut records: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let event = AuditEvent::new(
                AuditEventKind::RunRecorded,
                SYSTEM_ACTOR,
                format!("run:{i}"),
                json!({"i": i}),
            )
            .at(Timestamp::from_unix_ms(1_700_000_000_000 + i as i64).unwrap());
            let (seq, hash) = records
                .last()
                .map(|r| (r.seq, r.hash.clone()))
                .unwrap_or((0, GENESIS_HASH.to_string()));
            records.push(AuditRecord::link(&event, seq, &hash).unwrap());
        }
        records
    }

    fn checkpoint(record: &AuditRecord) -> AuditCheckpoint {
        AuditCheckpoint {
            seq: record.seq,
            hash: record.hash.clone(),
            at: record.at,
            key_id: "test".into(),
            signature: "ok".into(),
        }
    }

    fn verify(
        records: &[AuditRecord],
        checkpoints: Vec<AuditCheckpoint>,
        head: Option<u64>,
    ) -> ChainReport {
        let head_hash = head
            .and_then(|h| records.iter().find(|r| r.seq == h))
            .map(|r| r.hash.clone())
            .unwrap_or_default();
        let mut verifier = ChainVerifier::from_start().with_checkpoints(checkpoints, |c| {
            if c.signature == "ok" {
                Ok(())
            } else {
                Err("bad signature".into())
            }
        });
        for record in records {
            verifier.push(record);
        }
        verifier.finish(head.map(|h| (h, head_hash.as_str())))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let records = chain(10);
        let report = verify(
            &records,
            vec![checkpoint(&records[4]), checkpoint(&records[9])],
            Some(10),
        );
        assert!(report.is_ok(), "{:?}", report.problem);
        assert_eq!(
            (
                report.records,
                report.first,
                report.last,
                report.checkpoints
            ),
            (10, Some(1), Some(10), 2)
        );
        assert_eq!(report.head_hash.as_deref(), Some(records[9].hash.as_str()));
    }

    #[test]
    fn an_altered_record_is_named() {
        let mut records = chain(10);
        records[3].details = r#"{"i":99}"#.into();
        let problem = verify(&records, vec![], None).problem.unwrap();
        assert_eq!(
            problem,
            ChainProblem::Altered {
                seq: 4,
                record: records[3].describe()
            }
        );
        assert!(problem.to_string().contains("record 4 ("), "{problem}");
    }

    #[test]
    fn an_altered_and_rehashed_record_breaks_the_next_link() {
        let mut records = chain(10);
        records[3].actor = "mallory".into();
        records[3].hash = chain_hash(&records[3]);
        let problem = verify(&records, vec![], None).problem.unwrap();
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
    }

    #[test]
    fn a_deleted_record_is_a_gap() {
        let mut records = chain(10);
        records.remove(6);
        let problem = verify(&records, vec![], None).problem.unwrap();
        assert_eq!(problem, ChainProblem::Deleted { from: 7, to: 7 });
        assert_eq!(
            problem.to_string(),
            "record 7 was deleted: the log skips from 6 to 8"
        );
    }

    #[test]
    fn swapped_records_are_reordered() {
        let mut records = chain(10);
        // Swap the rows' positions: each keeps its content but takes the
        // other's seq, as an UPDATE of the seq column would.
        let (a, b) = (records[2].clone(), records[3].clone());
        records[2] = AuditRecord { seq: 3, ..b };
        records[3] = AuditRecord { seq: 4, ..a };
        let problem = verify(&records, vec![], None).problem.unwrap();
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
    }

    #[test]
    fn truncation_is_caught_by_a_checkpoint_or_the_head() {
        let records = chain(10);
        let cp = checkpoint(&records[8]);
        let problem = verify(&records[..6], vec![cp], None).problem.unwrap();
        assert!(
            matches!(
                problem,
                ChainProblem::Truncated {
                    last: 6,
                    expected: 9,
                    ..
                }
            ),
            "{problem:?}"
        );
        assert_eq!(problem.first_bad_seq(), 7);
        let problem = verify(&records[..6], vec![], Some(10)).problem.unwrap();
        assert!(matches!(
            problem,
            ChainProblem::Truncated {
                last: 6,
                expected: 10,
                ..
            }
        ));
        // Everything deleted.
        let problem = verify(&[], vec![checkpoint(&records[0])], None)
            .problem
            .unwrap();
        assert!(matches!(
            problem,
            ChainProblem::Truncated {
                last: 0,
                expected: 1,
                ..
            }
        ));
    }

    #[test]
    fn a_rewritten_chain_disagrees_with_its_checkpoint() {
        let original = chain(10);
        let cp = checkpoint(&original[7]);
        // Rewrite from record 5 on into a self-consistent chain.
        let mut records = original[..4].to_vec();
        for r in &original[4..] {
            let prev = records.last().unwrap();
            let mut r = r.clone();
            r.actor = "mallory".into();
            r.prev_hash = prev.hash.clone();
            r.hash = chain_hash(&r);
            records.push(r);
        }
        let problem = verify(&records, vec![cp], None).problem.unwrap();
        assert!(
            matches!(problem, ChainProblem::Rewritten { seq: 8, .. }),
            "{problem:?}"
        );
    }

    #[test]
    fn an_altered_last_record_disagrees_with_the_head() {
        let mut records = chain(5);
        records[4].actor = "mallory".into();
        let original_head = records[4].hash.clone();
        records[4].hash = chain_hash(&records[4]);
        let mut verifier = ChainVerifier::from_start();
        for r in &records {
            verifier.push(r);
        }
        let problem = verifier.finish(Some((5, &original_head))).problem.unwrap();
        assert_eq!(problem, ChainProblem::HeadMismatch { seq: 5 });
        assert_eq!(problem.kind(), "altered");
    }

    #[test]
    fn a_forged_checkpoint_is_rejected() {
        let records = chain(3);
        let mut cp = checkpoint(&records[1]);
        cp.signature = "forged".into();
        let problem = verify(&records, vec![cp], None).problem.unwrap();
        assert_eq!(
            problem,
            ChainProblem::BadCheckpoint {
                seq: 2,
                reason: "bad signature".into()
            }
        );
    }

    #[test]
    fn verification_can_start_in_the_middle() {
        let records = chain(10);
        let mut verifier = ChainVerifier::from_anywhere();
        for r in &records[5..] {
            verifier.push(r);
        }
        let report = verifier.finish(Some((10, records[9].hash.as_str())));
        assert!(report.is_ok(), "{:?}", report.problem);
        assert_eq!((report.first, report.last), (Some(6), Some(10)));
    }
}
