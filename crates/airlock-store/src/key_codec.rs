//! Converts API key records to and from the column values both backends
//! store (the workflow grant as a JSON array, `NULL` for every workflow).

use airlock_core::{ApiKeyRecord, Error, Result, Timestamp, WorkflowGrant};
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::codec::{corrupt, from_json, to_json};
use crate::sql_error::map_sqlx;

/// One `api_keys` row as plain values.
pub(crate) struct KeyColumns {
    pub id: String,
    pub name: String,
    pub role: String,
    pub workflows: Option<String>,
    pub secret_sha256: String,
    pub created_at_ms: i64,
    pub created_by: String,
    pub expires_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
    pub revoked_by: Option<String>,
}

impl KeyColumns {
    pub(crate) fn encode(k: &ApiKeyRecord) -> Result<Self> {
        Ok(KeyColumns {
            id: k.id.clone(),
            name: k.name.clone(),
            role: k.role.as_str().to_string(),
            workflows: match &k.workflows {
                WorkflowGrant::All => None,
                WorkflowGrant::Only(names) => Some(to_json(names, "workflows")?),
            },
            secret_sha256: k.secret_sha256.clone(),
            created_at_ms: k.created_at.unix_ms(),
            created_by: k.created_by.clone(),
            expires_at_ms: k.expires_at.map(|t| t.unix_ms()),
            revoked_at_ms: k.revoked_at.map(|t| t.unix_ms()),
            revoked_by: k.revoked_by.clone(),
        })
    }

    pub(crate) fn decode(self) -> Result<ApiKeyRecord> {
        let id = self.id.clone();
        let at = move |column: &'static str| {
            let id = id.clone();
            move |e: Error| corrupt("api_keys", &id, column, e)
        };
        let time = |ms: Option<i64>, column: &'static str| {
            ms.map(|ms| Timestamp::from_unix_ms(ms).map_err(at(column)))
                .transpose()
        };
        Ok(ApiKeyRecord {
            role: self.role.parse().map_err(at("role"))?,
            workflows: match &self.workflows {
                None => WorkflowGrant::All,
                Some(text) => WorkflowGrant::Only(from_json(text).map_err(at("workflows"))?),
            },
            created_at: Timestamp::from_unix_ms(self.created_at_ms).map_err(at("created_at"))?,
            expires_at: time(self.expires_at_ms, "expires_at")?,
            revoked_at: time(self.revoked_at_ms, "revoked_at")?,
            id: self.id,
            name: self.name,
            secret_sha256: self.secret_sha256,
            created_by: self.created_by,
            revoked_by: self.revoked_by,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read an API key", e);
        Ok(KeyColumns {
            id: row.try_get("id").map_err(get)?,
            name: row.try_get("name").map_err(get)?,
            role: row.try_get("role").map_err(get)?,
            workflows: row.try_get("workflows").map_err(get)?,
            secret_sha256: row.try_get("secret_sha256").map_err(get)?,
            created_at_ms: row.try_get("created_at_ms").map_err(get)?,
            created_by: row.try_get("created_by").map_err(get)?,
            expires_at_ms: row.try_get("expires_at_ms").map_err(get)?,
            revoked_at_ms: row.try_get("revoked_at_ms").map_err(get)?,
            revoked_by: row.try_get("revoked_by").map_err(get)?,
        })
    }
}
