//! API keys and the caller as the API shows them (never a key's hash; the
//! key itself only once, in the answer that created it).

use airlock_core::{ApiKeyRecord, Principal, Timestamp, WorkflowGrant};
use serde::Serialize;
use utoipa::ToSchema;

/// A key's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    /// The key's public id (also the start of the key: `alk_<id>_…`).
    #[schema(example = "k7f3q2m9xa4b")]
    pub id: String,
    pub name: String,
    /// `admin`, `developer`, `reviewer`, `auditor` or `app`.
    pub role: String,
    /// The workflows granted; `null` means every workflow.
    #[schema(required = true)]
    pub workflows: Option<Vec<String>>,
    /// `active`, `expired` or `revoked` (now).
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by: String,
    #[schema(required = true, format = DateTime)]
    pub expires_at: Option<String>,
    #[schema(required = true, format = DateTime)]
    pub revoked_at: Option<String>,
    #[schema(required = true)]
    pub revoked_by: Option<String>,
}

impl KeyView {
    pub fn new(key: ApiKeyRecord, now: Timestamp) -> Self {
        KeyView {
            status: key.status(now).as_str().to_string(),
            workflows: grant_names(&key.workflows),
            role: key.role.as_str().to_string(),
            created_at: key.created_at.to_string(),
            expires_at: key.expires_at.map(|t| t.to_string()),
            revoked_at: key.revoked_at.map(|t| t.to_string()),
            id: key.id,
            name: key.name,
            created_by: key.created_by,
            revoked_by: key.revoked_by,
        }
    }
}

/// A key just created: `key` is shown this once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKeyView {
    /// The whole key (`alk_<id>_<secret>`): store it now.
    pub key: String,
    #[serde(flatten)]
    pub record: KeyView,
}

/// Every key, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    pub items: Vec<KeyView>,
}

/// `POST /v1/keys`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documents the body; the handler reads it member by member.
pub struct CreateKeyBody {
    /// Who holds the key (reviewers are recorded by it), 1 to 100 characters.
    pub name: String,
    /// `admin`, `developer`, `reviewer`, `auditor` or `app`.
    pub role: String,
    /// Workflow names; leave out for every workflow.
    pub workflows: Option<Vec<String>>,
    /// RFC 3339 instant after which the key stops working.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
}

/// The caller (`GET /v1/me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub key_id: String,
    pub name: String,
    pub role: String,
    #[schema(required = true)]
    pub workflows: Option<Vec<String>>,
}

impl From<&Principal> for MeView {
    fn from(p: &Principal) -> Self {
        MeView {
            key_id: p.key_id.clone(),
            name: p.name.clone(),
            role: p.role.as_str().to_string(),
            workflows: grant_names(&p.workflows),
        }
    }
}

fn grant_names(grant: &WorkflowGrant) -> Option<Vec<String>> {
    match grant {
        WorkflowGrant::All => None,
        WorkflowGrant::Only(names) => Some(names.iter().cloned().collect()),
    }
}
