//! SQL for the `runs` table on SQLite: the idempotent insert the group
//! committer batches, and the reads behind `GET /v1/runs`.

use airlock_core::{Result, RunId, RunRecord};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, SqliteExecutor};

use crate::cipher::PayloadCipher;
use crate::codec::RunColumns;
use crate::cursor::page_limit;
use crate::group_commit::{existing_outcome, WriteOutcome};
use crate::keyset::{into_page, push_page_tail};
use crate::sql_error::map_sqlx;
use crate::traits::{Page, RunFilter};

const COLUMNS: &str = "id, workflow, workflow_version, input, steps, output, decision, rule, \
     confidence, models, status, error, idempotency_key, created_at_ms, latency_us, release_id, \
     review_id, key_id, request_sha256, purged_at_ms, cost_micro_usd";

/// Written but never read back with a run (see `get_raw_payload`).
pub(super) const INSERT_COLUMNS: &str =
    "id, workflow, workflow_version, input, steps, output, decision, \
     rule, confidence, models, status, error, idempotency_key, created_at_ms, latency_us, \
     release_id, review_id, key_id, request_sha256, purged_at_ms, raw_payload, cost_micro_usd";

/// The end of an idempotent run insert (after its `VALUES (…)`): nothing
/// when the workflow's idempotency key is taken, else the new run's id. The
/// `WHERE` names the partial unique index (migration 0005).
pub(super) const ON_KEY_CONFLICT: &str =
    "ON CONFLICT (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING \
     RETURNING id";

/// Adds the idempotent insert of `c` to a batch's query: it returns the
/// run's id only if the run was created (its workflow's idempotency key
/// was free), so one round trip inserts the whole batch and tells which
/// runs are new. Ends in `;`.
pub(super) fn push_insert<'a>(query: &mut QueryBuilder<'a, Sqlite>, c: &'a RunColumns) {
    query.push(format!("INSERT INTO runs ({INSERT_COLUMNS}) VALUES ("));
    let mut values = query.separated(", ");
    values
        .push_bind(&c.id)
        .push_bind(&c.workflow)
        .push_bind(&c.workflow_version)
        .push_bind(&c.input)
        .push_bind(&c.steps)
        .push_bind(&c.output)
        .push_bind(&c.decision)
        .push_bind(&c.rule)
        .push_bind(c.confidence)
        .push_bind(&c.models)
        .push_bind(&c.status)
        .push_bind(&c.error)
        .push_bind(&c.idempotency_key)
        .push_bind(c.created_at_ms)
        .push_bind(c.latency_us)
        .push_bind(&c.release_id)
        .push_bind(&c.review_id)
        .push_bind(&c.key_id)
        .push_bind(&c.request_sha256)
        .push_bind(c.purged_at_ms)
        .push_bind(&c.raw_payload)
        .push_bind(c.cost_micro_usd);
    query.push(format!(") {ON_KEY_CONFLICT}; "));
}

/// The outcome of a run [`push_insert`] did not create: the stored run
/// holding its idempotency key, read inside the same transaction.
pub(super) async fn existing(
    conn: &mut SqliteConnection,
    c: &RunColumns,
    cipher: &PayloadCipher,
) -> Result<WriteOutcome> {
    existing_outcome(
        find_by_idempotency_key(
            &mut *conn,
            &c.workflow,
            c.idempotency_key.as_deref(),
            cipher,
        )
        .await,
        c,
    )
}

pub(crate) async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    id: RunId,
    cipher: &PayloadCipher,
) -> Result<Option<RunRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM runs WHERE id = ?");
    let row: Option<SqliteRow> = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read run {id}"), e))?;
    row.map(|row| RunColumns::from_row(&row)?.decode(cipher))
        .transpose()
}

pub(crate) async fn find_by_idempotency_key<'e>(
    db: impl SqliteExecutor<'e>,
    workflow: &str,
    key: Option<&str>,
    cipher: &PayloadCipher,
) -> Result<Option<RunRecord>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let sql = format!("SELECT {COLUMNS} FROM runs WHERE workflow = ? AND idempotency_key = ?");
    let row: Option<SqliteRow> = sqlx::query(&sql)
        .bind(workflow)
        .bind(key)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx("find a run by idempotency key", e))?;
    row.map(|row| RunColumns::from_row(&row)?.decode(cipher))
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    filter: &RunFilter,
    cipher: &PayloadCipher,
) -> Result<Page<RunRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {COLUMNS} FROM runs WHERE 1 = 1"));
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(allowed) = &filter.workflows {
        crate::keyset::push_workflow_allowlist(&mut query, allowed);
    }
    if let Some(decision) = filter.decision {
        query.push(" AND decision = ").push_bind(decision.as_str());
    }
    if let Some(since) = filter.since {
        query
            .push(" AND created_at_ms >= ")
            .push_bind(since.unix_ms());
    }
    push_page_tail(&mut query, filter.cursor.as_deref(), limit)?;
    let rows = query
        .build()
        .fetch_all(db)
        .await
        .map_err(|e| map_sqlx("list runs", e))?;
    into_page(
        &rows,
        limit,
        |row| RunColumns::from_row(row)?.decode(cipher),
        |run| run.id.to_string(),
    )
}

/// The stored (sealed) unredacted payload of run `id`, if kept.
pub(crate) async fn raw_payload<'e>(
    db: impl SqliteExecutor<'e>,
    id: RunId,
) -> Result<Option<String>> {
    let value: Option<Option<String>> =
        sqlx::query_scalar("SELECT raw_payload FROM runs WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(db)
            .await
            .map_err(|e| map_sqlx(&format!("read the raw payload of run {id}"), e))?;
    Ok(value.flatten())
}

/// Purges the payloads of `workflow`'s runs and quarantined inputs created
/// before `before` (see `crate::retention`), with the audit record, in one
/// `BEGIN IMMEDIATE` transaction on the locking connection.
pub(crate) async fn purge(
    locked: &super::LockedWriter,
    workflow: &str,
    before: airlock_core::Timestamp,
    now: airlock_core::Timestamp,
) -> Result<crate::retention::Purged> {
    use crate::retention::{purge_event, Purged, PURGED_INPUT, PURGED_STEPS};
    let mut connection = locked.lock().await?;
    let mut tx = connection.begin_immediate().await?;
    let runs = sqlx::query(
        "UPDATE runs SET input = ?, steps = ?, output = NULL, raw_payload = NULL, \
         purged_at_ms = ? WHERE workflow = ? AND created_at_ms < ? AND purged_at_ms IS NULL",
    )
    .bind(PURGED_INPUT)
    .bind(PURGED_STEPS)
    .bind(now.unix_ms())
    .bind(workflow)
    .bind(before.unix_ms())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_sqlx(&format!("purge the payloads of `{workflow}` runs"), e))?
    .rows_affected();
    let quarantined = sqlx::query(
        "UPDATE quarantine SET input = ?, raw_input = NULL, purged_at_ms = ? \
         WHERE workflow = ? AND received_at_ms < ? AND purged_at_ms IS NULL",
    )
    .bind(PURGED_INPUT)
    .bind(now.unix_ms())
    .bind(workflow)
    .bind(before.unix_ms())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_sqlx(&format!("purge `{workflow}` quarantined inputs"), e))?
    .rows_affected();
    let purged = Purged { runs, quarantined };
    if runs + quarantined > 0 {
        let event = purge_event(workflow, before, now, purged);
        super::audit::append(&mut tx, std::slice::from_ref(&event)).await?;
    }
    tx.commit()
        .await
        .map_err(|e| map_sqlx("commit a purge", e))?;
    Ok(purged)
}
