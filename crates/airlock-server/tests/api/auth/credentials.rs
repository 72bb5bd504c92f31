//! The credentials the authorization tests call with: five that fail
//! authentication (no key, a malformed token, an unknown key, a revoked
//! key, an expired key) and a key of each role granted `triage`, plus an
//! app key granted `strict` only. Also how to make an expired key, which
//! `Engine::create_key` refuses to.

use std::collections::BTreeSet;

use airlock_core::{ApiKeyRecord, AuditEvent, AuditEventKind, Role, Timestamp, WorkflowGrant};
use airlock_engine::access::key_material;
use airlock_store::KeyStore;
use serde_json::json;

use crate::support::server::client_with_key;
use crate::support::TestServer;

/// The workflow the role keys are granted.
pub const GRANTED: &str = "triage";
/// The one workflow the last app key is granted instead.
pub const OTHER: &str = "strict";

/// How many credentials fail authentication (they come first).
pub const FAILING: usize = 5;
/// The credentials, in the order of the matrix's columns.
pub const COLUMNS: [&str; 11] = [
    "no key",
    "malformed",
    "unknown key",
    "revoked key",
    "expired key",
    "admin",
    "developer",
    "reviewer",
    "auditor",
    "app",
    "app (strict only)",
];

/// One column of the matrix: a client sending one credential.
pub struct Credential {
    pub label: &'static str,
    pub client: reqwest::Client,
    /// The key's id, when the credential authenticates (the audit log
    /// names denials by it).
    pub key_id: Option<String>,
    /// The name the key acts as reviewer under ("nobody" when it does not
    /// authenticate).
    pub name: String,
}

/// A grant of exactly `workflow`.
pub fn only(workflow: &str) -> WorkflowGrant {
    WorkflowGrant::Only(BTreeSet::from([workflow.to_string()]))
}

/// The id of a whole key.
pub fn key_id(key: &str) -> String {
    key_material::parse(key)
        .expect("test keys are well-formed")
        .to_string()
}

/// Every credential of [`COLUMNS`], made on `server`.
pub async fn all(server: &TestServer) -> Vec<Credential> {
    let revoked = server
        .mint("matrix-revoked", Role::Admin, WorkflowGrant::All)
        .await;
    server
        .engine
        .revoke_key(None, &key_id(&revoked))
        .await
        .expect("the fresh key revokes");
    let failing = [
        None,
        Some("alk_not-a-key".to_string()),
        Some(key_material::generate().key),
        Some(revoked),
        Some(expired_key(server, "matrix-expired", Role::Admin).await),
    ];
    let mut credentials: Vec<Credential> = failing
        .into_iter()
        .zip(COLUMNS)
        .map(|(key, label)| Credential {
            label,
            client: key
                .as_deref()
                .map_or_else(reqwest::Client::new, client_with_key),
            key_id: None,
            name: "nobody".to_string(),
        })
        .collect();
    let roles = [
        (Role::Admin, GRANTED),
        (Role::Developer, GRANTED),
        (Role::Reviewer, GRANTED),
        (Role::Auditor, GRANTED),
        (Role::App, GRANTED),
        (Role::App, OTHER),
    ];
    for ((role, workflow), label) in roles.into_iter().zip(COLUMNS[FAILING..].iter().copied()) {
        let name = format!("matrix-{}", label.replace([' ', '(', ')'], ""));
        let key = server.mint(&name, role, only(workflow)).await;
        credentials.push(Credential {
            label,
            client: client_with_key(&key),
            key_id: Some(key_id(&key)),
            name,
        });
    }
    credentials
}

/// A key that expired a minute ago, stored directly (the engine only
/// creates keys expiring in the future).
pub async fn expired_key(server: &TestServer, name: &str, role: Role) -> String {
    let made = key_material::generate();
    let now = Timestamp::now().unix_ms();
    let at = |ms| Timestamp::from_unix_ms(ms).expect("a recent instant");
    let record = ApiKeyRecord {
        id: made.id.clone(),
        name: name.to_string(),
        role,
        workflows: WorkflowGrant::All,
        secret_sha256: key_material::secret_hash(&made.key),
        created_at: at(now - 120_000),
        created_by: "test".to_string(),
        expires_at: Some(at(now - 60_000)),
        revoked_at: None,
        revoked_by: None,
    };
    let audit = AuditEvent::new(
        AuditEventKind::KeyCreated,
        "test",
        format!("key:{}", made.id),
        json!({"name": name}),
    );
    server
        .store
        .insert_key(record, audit)
        .await
        .expect("the expired key is stored");
    made.key
}
