//! The audit log through the engine: reading it, verifying it, signing
//! checkpoints of it (periodically, in `airlock serve`), and the records a
//! server writes when it starts (its configuration, each workflow version
//! and the policy set it serves).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use airlock_core::audit_verify::ChainReport;
use airlock_core::{
    AuditCheckpoint, AuditEvent, AuditEventKind, AuditRecord, Error, Result, Timestamp,
    SYSTEM_ACTOR,
};
use airlock_store::{
    verify_chain, AuditFilter, AuditStore, CheckpointSigner, CheckpointVerifier, Page,
};
use serde_json::json;

use crate::engine::Engine;

/// The signing key of this server and the public keys whose checkpoints
/// verify (its own first).
#[derive(Clone)]
pub(crate) struct AuditKeys {
    pub signer: Option<Arc<CheckpointSigner>>,
    pub trusted: Vec<String>,
}

impl Engine {
    /// The same engine signing audit checkpoints with `signer`, and
    /// trusting checkpoints signed by it or by `trusted_public_keys` (hex).
    pub fn with_audit_signer(
        self,
        signer: CheckpointSigner,
        trusted_public_keys: Vec<String>,
    ) -> Result<Self> {
        let mut trusted = vec![signer.public_key_hex()];
        trusted.extend(trusted_public_keys);
        // Checked now, so a bad key is a configuration error at start.
        CheckpointVerifier::from_public_keys(&trusted)?;
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.audit_keys = AuditKeys {
            signer: Some(Arc::new(signer)),
            trusted,
        };
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    /// Audit records matching `filter`, oldest first.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Page<AuditRecord>> {
        self.store().list_audit(filter).await
    }

    /// Verifies the chain from record `from` against the trusted keys.
    pub async fn verify_audit(&self, from: u64) -> Result<ChainReport> {
        let keys = CheckpointVerifier::from_public_keys(&self.inner.audit_keys.trusted)?;
        verify_chain(self.store(), from, &keys).await
    }

    /// Signs the chain's head, unless the newest checkpoint already covers
    /// it (or the chain is empty); returns the new checkpoint.
    pub async fn write_checkpoint(&self) -> Result<Option<AuditCheckpoint>> {
        let Some(signer) = &self.inner.audit_keys.signer else {
            return Err(Error::invalid_config("no audit signing key is configured")
                .with_hint("set [audit] signing_key_file or AIRLOCK_AUDIT_SIGNING_KEY"));
        };
        let head = self.store().audit_head().await?;
        if head.seq == 0 {
            return Ok(None);
        }
        let latest = self.store().latest_checkpoint().await?;
        if latest.is_some_and(|c| c.seq >= head.seq) {
            return Ok(None);
        }
        let checkpoint = signer.sign(head.seq, &head.hash, Timestamp::now());
        let stored = self.store().insert_checkpoint(checkpoint.clone()).await?;
        Ok(stored.then_some(checkpoint))
    }

    /// Writes a checkpoint every `every` until `shutdown` completes, and a
    /// last one then (errors are logged and the loop goes on).
    pub async fn checkpoint_every(
        self,
        every: Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate; skip it so a start does not sign.
        ticks.tick().await;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = ticks.tick() => self.checkpoint_logged().await,
            }
        }
        self.checkpoint_logged().await;
    }

    async fn checkpoint_logged(&self) {
        match self.write_checkpoint().await {
            Ok(Some(c)) => tracing::debug!(seq = c.seq, "audit checkpoint signed"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not write an audit checkpoint"),
        }
    }

    /// Records what this server starts with: the configuration (by
    /// fingerprint), every workflow version and the policy set.
    pub async fn record_startup(&self, config_fingerprint: &str) -> Result<()> {
        let now = Timestamp::now();
        let mut events = vec![AuditEvent::new(
            AuditEventKind::ConfigLoaded,
            SYSTEM_ACTOR,
            "config",
            json!({
                "fingerprint": config_fingerprint,
                "version": env!("CARGO_PKG_VERSION"),
            }),
        )
        .at(now)];
        for workflow in self.workflows() {
            events.push(
                AuditEvent::new(
                    AuditEventKind::WorkflowLoaded,
                    SYSTEM_ACTOR,
                    format!("workflow:{}", workflow.name),
                    json!({
                        "version": workflow.version,
                        "owner": workflow.owner,
                        "risk": workflow.risk.as_str(),
                        "data_class": workflow.data_class.as_str(),
                    }),
                )
                .with_workflow(workflow.name.clone())
                .at(now),
            );
        }
        events.push(self.policy_loaded_event("start"));
        self.store().append_audit(events).await.map(drop)
    }

    /// Records a policy reload (`how`: `start`, `reload`).
    pub(crate) fn policy_loaded_event(&self, how: &str) -> AuditEvent {
        let current = self.inner.authorizer.current();
        AuditEvent::new(
            AuditEventKind::PolicyLoaded,
            SYSTEM_ACTOR,
            "policy",
            json!({
                "how": how,
                "fingerprint": current.fingerprint(),
                "policies": current.policies().iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            }),
        )
    }

    /// Swaps in the policies of `sources` (only if all are valid) and
    /// records the new set.
    pub async fn reload_policies(
        &self,
        sources: &airlock_policy::authz::PolicySources,
    ) -> Result<()> {
        self.inner
            .authorizer
            .reload(sources)
            .map_err(|problems| airlock_policy::authz::problems_error(&problems))?;
        self.store()
            .append_audit(vec![self.policy_loaded_event("reload")])
            .await
            .map(drop)
    }
}
