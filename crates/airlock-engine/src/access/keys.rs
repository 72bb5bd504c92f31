//! API keys through the engine: authenticating a bearer token, and
//! creating, listing and revoking keys (each change audited in its own
//! transaction), plus the first start's admin key.

use std::collections::BTreeSet;

use airlock_core::{
    ApiKeyRecord, AuditEvent, AuditEventKind, Error, KeyStatus, Principal, Result, Role, Timestamp,
    WorkflowGrant, SYSTEM_ACTOR,
};
use airlock_store::{AuditStore, KeyStore};
use serde_json::json;

use super::key_material;
use crate::engine::Engine;

/// Longest key name accepted.
pub const KEY_NAME_MAX_CHARS: usize = 100;
/// Who created the first admin key.
pub const BOOTSTRAP_CREATOR: &str = "bootstrap";

/// What a new key is for.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    /// Who holds it (a person for reviewers, an application for apps).
    pub name: String,
    pub role: Role,
    pub workflows: WorkflowGrant,
    pub expires_at: Option<Timestamp>,
}

/// A key just created: `key` is shown to its holder once and never again.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: String,
    pub record: ApiKeyRecord,
}

/// How the audit log names an actor (`None`: Airlock itself or a local
/// operator using the CLI against the database).
pub fn actor_name(actor: Option<&Principal>) -> String {
    actor.map_or_else(|| SYSTEM_ACTOR.to_string(), Principal::describe)
}

impl Engine {
    /// The caller `token` (the bearer credential) authenticates, or an
    /// `unauthenticated` error saying why (never repeating the token).
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let id = key_material::parse(token)?;
        let record = self.known_key(id).await?;
        if !key_material::matches(token, &record.secret_sha256) {
            return Err(Error::unauthenticated(format!(
                "the secret of API key `{id}` is wrong"
            )));
        }
        active_principal(&record)
    }

    /// The caller a sign-in session made with key `id` stands for, checked
    /// again on every request so a revoked or expired key ends its sessions
    /// at once. (The session's own signature proves the key was shown.)
    pub async fn authenticate_key_id(&self, id: &str) -> Result<Principal> {
        active_principal(&self.known_key(id).await?)
    }

    /// Appends `session.started` or `session.ended` for `principal`'s
    /// dashboard session `session` (its nonce, never the cookie).
    pub async fn record_session(
        &self,
        principal: &Principal,
        started: bool,
        request: &str,
        session: &str,
    ) -> Result<()> {
        let kind = if started {
            AuditEventKind::SessionStarted
        } else {
            AuditEventKind::SessionEnded
        };
        let event = AuditEvent::new(
            kind,
            principal.describe(),
            format!("key:{}", principal.key_id),
            json!({"session": session, "request": request}),
        )
        .at(Timestamp::now());
        self.store().append_audit(vec![event]).await.map(drop)
    }

    async fn known_key(&self, id: &str) -> Result<ApiKeyRecord> {
        self.store().get_key(id).await?.ok_or_else(|| {
            Error::unauthenticated(format!("API key `{id}` is not known"))
                .with_hint("check the key; `airlock keys list` shows the keys that exist")
        })
    }

    /// Creates a key; `by` is the admin asking (`None` for the local CLI).
    pub async fn create_key(&self, by: Option<&Principal>, spec: KeySpec) -> Result<IssuedKey> {
        self.check_key_spec(&spec)?;
        let made = key_material::generate();
        self.store_key(by, spec, made.id, made.key, false)
            .await?
            .ok_or_else(|| Error::internal("a new key was not stored"))
    }

    /// On an empty key table: stores the admin key `supplied` (from
    /// `AIRLOCK_BOOTSTRAP_KEY`), or a generated one, and returns it. `None`
    /// if any key already exists (also when another server was first).
    pub async fn bootstrap_admin_key(&self, supplied: Option<&str>) -> Result<Option<IssuedKey>> {
        let (id, key) = match supplied {
            Some(key) => {
                let id = key_material::parse(key).map_err(|e| {
                    Error::invalid_config(format!("AIRLOCK_BOOTSTRAP_KEY: {}", e.message()))
                        .with_hint("`airlock keys generate` prints a key in the right format")
                })?;
                (id.to_string(), key.to_string())
            }
            None => {
                let made = key_material::generate();
                (made.id, made.key)
            }
        };
        let spec = KeySpec {
            name: "bootstrap-admin".to_string(),
            role: Role::Admin,
            workflows: WorkflowGrant::All,
            expires_at: None,
        };
        self.store_key(None, spec, id, key, true).await
    }

    async fn store_key(
        &self,
        by: Option<&Principal>,
        spec: KeySpec,
        id: String,
        key: String,
        only_first: bool,
    ) -> Result<Option<IssuedKey>> {
        let now = Timestamp::now();
        let created_by = if only_first {
            BOOTSTRAP_CREATOR.to_string()
        } else {
            actor_name(by)
        };
        let record = ApiKeyRecord {
            id: id.clone(),
            name: spec.name,
            role: spec.role,
            workflows: spec.workflows,
            secret_sha256: key_material::secret_hash(&key),
            created_at: now,
            created_by: created_by.clone(),
            expires_at: spec.expires_at,
            revoked_at: None,
            revoked_by: None,
        };
        let audit = AuditEvent::new(
            AuditEventKind::KeyCreated,
            created_by,
            format!("key:{id}"),
            json!({
                "name": record.name,
                "role": record.role,
                "workflows": record.workflows,
                "expires_at": record.expires_at,
            }),
        )
        .at(now);
        let stored = if only_first {
            self.store().insert_first_key(record.clone(), audit).await?
        } else {
            self.store().insert_key(record.clone(), audit).await?;
            true
        };
        Ok(stored.then_some(IssuedKey { key, record }))
    }

    /// Every key, newest first (hashes are never shown).
    pub async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        self.store().list_keys().await
    }

    /// Revokes key `id` at once (the next request with it is refused).
    pub async fn revoke_key(&self, by: Option<&Principal>, id: &str) -> Result<ApiKeyRecord> {
        let now = Timestamp::now();
        let actor = actor_name(by);
        let audit = AuditEvent::new(
            AuditEventKind::KeyRevoked,
            actor.clone(),
            format!("key:{id}"),
            json!({}),
        )
        .at(now);
        self.store().revoke_key(id, now, &actor, audit).await
    }

    fn check_key_spec(&self, spec: &KeySpec) -> Result<()> {
        let name = spec.name.trim();
        if name.is_empty() || name.chars().count() > KEY_NAME_MAX_CHARS {
            return Err(Error::invalid_input(format!(
                "a key's name must be 1 to {KEY_NAME_MAX_CHARS} characters"
            ))
            .with_field("name"));
        }
        if name.chars().any(char::is_control) {
            return Err(
                Error::invalid_input("a key's name must not contain control characters")
                    .with_field("name"),
            );
        }
        if let WorkflowGrant::Only(names) = &spec.workflows {
            let unknown: BTreeSet<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| self.workflow(n).is_err())
                .collect();
            if !unknown.is_empty() {
                let known: Vec<&str> = self.workflows().map(|w| w.name.as_str()).collect();
                return Err(Error::invalid_input(format!(
                    "unknown workflow(s) granted: {}",
                    unknown.into_iter().collect::<Vec<_>>().join(", ")
                ))
                .with_field("workflows")
                .with_hint(format!("known workflows: {}", known.join(", "))));
            }
        }
        if let Some(at) = spec.expires_at {
            if at <= Timestamp::now() {
                return Err(
                    Error::invalid_input(format!("expiry {at} is not in the future"))
                        .with_field("expires_at"),
                );
            }
        }
        Ok(())
    }
}

/// The principal of `record` if the key is usable now.
fn active_principal(record: &ApiKeyRecord) -> Result<Principal> {
    let id = &record.id;
    match record.status(Timestamp::now()) {
        KeyStatus::Active => Ok(record.principal()),
        KeyStatus::Revoked => Err(Error::unauthenticated(format!(
            "API key `{id}` was revoked at {}",
            record.revoked_at.map(|t| t.to_string()).unwrap_or_default()
        ))
        .with_hint("ask an admin for a new key")),
        KeyStatus::Expired => Err(Error::unauthenticated(format!(
            "API key `{id}` expired at {}",
            record.expires_at.map(|t| t.to_string()).unwrap_or_default()
        ))
        .with_hint("ask an admin for a new key")),
    }
}
