//! [`AuditStore`] and [`KeyStore`] for [`Store`]: the audit chain and API
//! keys on either backend. Plain audit events are group-committed like
//! runs; key changes take the locking write path with their audit record.

use airlock_core::{ApiKeyRecord, AuditCheckpoint, AuditEvent, AuditRecord, Result, Timestamp};
use async_trait::async_trait;

use crate::audit_traits::{AuditFilter, AuditHead, AuditStore, KeyStore};
use crate::store::{Reads, Store};
use crate::traits::Page;
use crate::{postgres, sqlite};

#[async_trait]
impl AuditStore for Store {
    async fn append_audit(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditRecord>> {
        self.inner.committer.append_audit(events).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Page<AuditRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::audit::list(pool, filter).await,
            Reads::Postgres(pool) => postgres::audit::list(pool, filter).await,
        }
    }

    async fn audit_range(&self, from: u64, limit: u32) -> Result<Vec<AuditRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::audit::range(pool, from, limit).await,
            Reads::Postgres(pool) => postgres::audit::range(pool, from, limit).await,
        }
    }

    async fn audit_head(&self) -> Result<AuditHead> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::audit::read_head(pool).await,
            Reads::Postgres(pool) => postgres::audit::read_head(pool).await,
        }
    }

    async fn insert_checkpoint(&self, checkpoint: AuditCheckpoint) -> Result<bool> {
        match &self.inner.reads {
            // Through the locking connection: a write on the read pool
            // would wait for SQLite's write lock with no ordering.
            Reads::Sqlite(_) => {
                let locked = self.sqlite_locked()?;
                let mut connection = locked.lock().await?;
                let mut tx = connection.begin_immediate().await?;
                let stored = sqlite::audit::insert_checkpoint(&mut *tx, &checkpoint).await?;
                tx.commit()
                    .await
                    .map_err(|e| crate::sql_error::map_sqlx("commit an audit checkpoint", e))?;
                Ok(stored)
            }
            Reads::Postgres(pool) => postgres::audit::insert_checkpoint(pool, &checkpoint).await,
        }
    }

    async fn list_checkpoints(&self) -> Result<Vec<AuditCheckpoint>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::audit::checkpoints(pool, false).await,
            Reads::Postgres(pool) => postgres::audit::checkpoints(pool, false).await,
        }
    }

    async fn latest_checkpoint(&self) -> Result<Option<AuditCheckpoint>> {
        let mut latest = match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::audit::checkpoints(pool, true).await?,
            Reads::Postgres(pool) => postgres::audit::checkpoints(pool, true).await?,
        };
        Ok(latest.pop())
    }
}

#[async_trait]
impl KeyStore for Store {
    async fn insert_key(&self, key: ApiKeyRecord, audit: AuditEvent) -> Result<()> {
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::keys::insert(self.sqlite_locked()?, &key, &audit, false).await?;
            }
            Reads::Postgres(pool) => {
                postgres::keys::insert(pool, &key, &audit, false).await?;
            }
        }
        Ok(())
    }

    async fn insert_first_key(&self, key: ApiKeyRecord, audit: AuditEvent) -> Result<bool> {
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::keys::insert(self.sqlite_locked()?, &key, &audit, true).await
            }
            Reads::Postgres(pool) => postgres::keys::insert(pool, &key, &audit, true).await,
        }
    }

    async fn get_key(&self, id: &str) -> Result<Option<ApiKeyRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => {
                let here = self
                    .inner
                    .sqlite_keys
                    .as_ref()
                    .and_then(|keys| keys.get(id));
                match here {
                    Some(read) => read,
                    None => sqlite::keys::get(pool, id).await,
                }
            }
            Reads::Postgres(pool) => postgres::keys::get(pool, id).await,
        }
    }

    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        match &self.inner.reads {
            Reads::Sqlite(pool) => sqlite::keys::list(pool).await,
            Reads::Postgres(pool) => postgres::keys::list(pool).await,
        }
    }

    async fn revoke_key(
        &self,
        id: &str,
        at: Timestamp,
        by: &str,
        audit: AuditEvent,
    ) -> Result<ApiKeyRecord> {
        match &self.inner.reads {
            Reads::Sqlite(_) => {
                sqlite::keys::revoke(self.sqlite_locked()?, id, at, by, &audit).await
            }
            Reads::Postgres(pool) => postgres::keys::revoke(pool, id, at, by, &audit).await,
        }
    }
}
