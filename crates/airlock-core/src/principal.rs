//! Who is calling: an API key's identity as the rest of Airlock sees it
//! once the key has been checked. The key material itself never leaves
//! the store; a [`Principal`] carries only what authorization and the
//! audit log need.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result, Timestamp};

word_enum!(
    /// What a key is for; the default policies grant each role its share.
    Role,
    "role",
    {
        /// Everything, including key management.
        Admin => "admin",
        /// Builds and tests workflows: runs them, reads runs and reviews.
        Developer => "developer",
        /// Works the review queue of the workflows it is granted.
        Reviewer => "reviewer",
        /// Reads everything (audit log included) and changes nothing.
        Auditor => "auditor",
        /// An application: runs the workflows it is granted.
        App => "app",
    }
);

/// Which workflows a key may act on (for the roles whose rights are per
/// workflow).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowGrant {
    /// Every workflow, present and future.
    All,
    /// Only these workflows, by name.
    Only(BTreeSet<String>),
}

impl WorkflowGrant {
    /// Whether `workflow` is granted.
    pub fn allows(&self, workflow: &str) -> bool {
        match self {
            WorkflowGrant::All => true,
            WorkflowGrant::Only(names) => names.contains(workflow),
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Principal {
    /// The key's id (its public identifier, also its visible prefix's owner).
    pub key_id: String,
    /// The key's human name (e.g. `alice` or `crm-prod`): reviewers are
    /// recorded by it.
    pub name: String,
    pub role: Role,
    pub workflows: WorkflowGrant,
}

impl Principal {
    /// How the audit log and error messages name this caller:
    /// `key:<id> (<name>, <role>)`.
    pub fn describe(&self) -> String {
        format!("key:{} ({}, {})", self.key_id, self.name, self.role)
    }
}

word_enum!(
    /// Whether a key can be used now.
    KeyStatus,
    "key_status",
    {
        Active => "active",
        Expired => "expired",
        Revoked => "revoked",
    }
);

/// An API key as stored: everything but the key itself, of which only a
/// SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's public part (also the start of the key), shown in listings.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub workflows: WorkflowGrant,
    /// SHA-256 of the whole key, hex. Never shown.
    #[serde(skip_serializing, default)]
    pub secret_sha256: String,
    pub created_at: Timestamp,
    /// Who created it (`key:<id> (...)`, or `bootstrap`).
    pub created_by: String,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<String>,
}

impl ApiKeyRecord {
    /// Revoked wins over expired.
    pub fn status(&self, now: Timestamp) -> KeyStatus {
        if self.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            KeyStatus::Expired
        } else {
            KeyStatus::Active
        }
    }

    /// The caller this key authenticates.
    pub fn principal(&self) -> Principal {
        Principal {
            key_id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            workflows: self.workflows.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_print_as_words() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        let err = "root".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("`root` is not a valid role"));
    }

    #[test]
    fn grants_allow_only_what_they_name() {
        let only = WorkflowGrant::Only(["a".to_string()].into_iter().collect());
        assert!(only.allows("a"));
        assert!(!only.allows("b"));
        assert!(WorkflowGrant::All.allows("b"));
    }
}
