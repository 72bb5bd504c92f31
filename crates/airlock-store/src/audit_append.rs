//! What both backends share when they append to or page through the
//! audit chain: linking events after the head, and cutting pages.

use airlock_core::{AuditEvent, AuditRecord, Error, Result};

use crate::audit_traits::AuditHead;
use crate::traits::Page;

/// Links `events` one after the other, starting after `head`.
pub(crate) fn link_all(events: &[AuditEvent], head: &AuditHead) -> Result<Vec<AuditRecord>> {
    let mut records: Vec<AuditRecord> = Vec::with_capacity(events.len());
    for event in events {
        let record = match records.last() {
            Some(prev) => AuditRecord::link(event, prev.seq, &prev.hash)?,
            None => AuditRecord::link(event, head.seq, &head.hash)?,
        };
        records.push(record);
    }
    Ok(records)
}

/// The head row's values, checked.
pub(crate) fn head_from(seq: i64, hash: String) -> Result<AuditHead> {
    let seq = u64::try_from(seq).map_err(|_| {
        Error::internal(format!("the audit chain head has a negative seq {seq}"))
            .with_hint("the database was modified outside Airlock")
    })?;
    Ok(AuditHead { seq, hash })
}

/// Cuts `limit + 1` fetched records into a page; the cursor is the last
/// record's `seq`.
pub(crate) fn page(mut records: Vec<AuditRecord>, limit: u32) -> Page<AuditRecord> {
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = records.last().filter(|_| more).map(|r| r.seq.to_string());
    Page {
        items: records,
        next_cursor,
    }
}
