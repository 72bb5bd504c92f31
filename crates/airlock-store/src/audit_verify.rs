//! Verifying the audit chain as stored: checkpoints first (their
//! signatures), then every record in `seq` order, page by page, through
//! the pure `airlock_core::audit_verify::ChainVerifier`. Used offline by
//! `airlock audit verify` and online by `GET /v1/audit/verify`.

use airlock_core::audit_verify::{ChainReport, ChainVerifier};
use airlock_core::Result;

use crate::audit_signing::CheckpointVerifier;
use crate::audit_traits::AuditStore;

/// Records read per page.
const PAGE: u32 = 1000;

/// Checks the chain from record `from` (1 = the whole chain) against the
/// signed checkpoints `keys` trusts, naming the first record that was
/// altered, deleted, reordered or truncated.
pub async fn verify_chain(
    store: &dyn AuditStore,
    from: u64,
    keys: &CheckpointVerifier,
) -> Result<ChainReport> {
    let from = from.max(1);
    let checkpoints = store
        .list_checkpoints()
        .await?
        .into_iter()
        .filter(|c| c.seq >= from)
        .collect();
    let verifier = if from == 1 {
        ChainVerifier::from_start()
    } else {
        ChainVerifier::from_anywhere()
    };
    let mut verifier = verifier.with_checkpoints(checkpoints, |c| keys.verify(c));
    let mut next = from;
    while !verifier.failed() {
        let page = store.audit_range(next, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        next = last.seq + 1;
        for record in &page {
            verifier.push(record);
        }
        if page.len() < PAGE as usize {
            break;
        }
    }
    let head = store.audit_head().await?;
    Ok(verifier.finish(Some((head.seq, head.hash.as_str()))))
}
