//! SQL for the `runs` table on PostgreSQL: the idempotent insert used by
//! the group committer, and the reads behind `GET /v1/runs`. JSON columns
//! travel as text; `created_at` is converted to and from Unix milliseconds
//! in SQL with exact integer arithmetic.

use airlock_core::{Result, RunId, RunRecord};
use sqlx::postgres::{PgConnection, PgRow, Postgres};
use sqlx::{PgExecutor, QueryBuilder};

use crate::cipher::PayloadCipher;
use crate::codec::RunColumns;
use crate::cursor::page_limit;
use crate::group_commit::{existing_outcome, WriteOutcome};
use crate::keyset::{into_page, push_page_tail};
use crate::sql_error::map_sqlx;
use crate::traits::{Page, RunFilter};

const SELECT: &str = "SELECT id, workflow, workflow_version, input, steps, output, decision, \
     rule, confidence, models::text AS models, status, error, idempotency_key, \
     (EXTRACT(EPOCH FROM created_at) * 1000)::BIGINT AS created_at_ms, latency_us, release_id, \
     review_id, key_id, request_sha256, \
     (EXTRACT(EPOCH FROM purged_at) * 1000)::BIGINT AS purged_at_ms, cost_micro_usd FROM runs";

const INSERT: &str = "INSERT INTO runs (id, workflow, workflow_version, input, steps, output, \
     decision, rule, confidence, models, status, error, idempotency_key, created_at, latency_us, \
     release_id, review_id, key_id, request_sha256, purged_at, raw_payload, cost_micro_usd) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
     $10::json, $11, $12, $13, TIMESTAMPTZ 'epoch' + $14::BIGINT * INTERVAL '1 millisecond', $15, \
     $16, $17, $18, $19, TIMESTAMPTZ 'epoch' + $20::BIGINT * INTERVAL '1 millisecond', $21, $22) \
     ON CONFLICT (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";

/// Inserts unless the workflow's idempotency key is taken, in which case
/// the stored run is returned. A concurrent insert of the same key by
/// another transaction makes this one wait for it, then see its row.
pub(super) async fn insert(
    conn: &mut PgConnection,
    c: &RunColumns,
    cipher: &PayloadCipher,
) -> Result<WriteOutcome> {
    let done = sqlx::query(INSERT)
        .bind(&c.id)
        .bind(&c.workflow)
        .bind(&c.workflow_version)
        .bind(&c.input)
        .bind(&c.steps)
        .bind(&c.output)
        .bind(&c.decision)
        .bind(&c.rule)
        .bind(c.confidence)
        .bind(&c.models)
        .bind(&c.status)
        .bind(&c.error)
        .bind(&c.idempotency_key)
        .bind(c.created_at_ms)
        .bind(c.latency_us)
        .bind(&c.release_id)
        .bind(&c.review_id)
        .bind(&c.key_id)
        .bind(&c.request_sha256)
        .bind(c.purged_at_ms)
        .bind(&c.raw_payload)
        .bind(c.cost_micro_usd)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx(&format!("insert run {}", c.id), e))?;
    if done.rows_affected() == 1 {
        return Ok(WriteOutcome::RunCreated);
    }
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
    db: impl PgExecutor<'e>,
    id: RunId,
    cipher: &PayloadCipher,
) -> Result<Option<RunRecord>> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx(&format!("read run {id}"), e))?;
    row.map(|row| RunColumns::from_row(&row)?.decode(cipher))
        .transpose()
}

pub(crate) async fn find_by_idempotency_key<'e>(
    db: impl PgExecutor<'e>,
    workflow: &str,
    key: Option<&str>,
    cipher: &PayloadCipher,
) -> Result<Option<RunRecord>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let sql = format!("{SELECT} WHERE workflow = $1 AND idempotency_key = $2");
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(workflow)
        .bind(key)
        .fetch_optional(db)
        .await
        .map_err(|e| map_sqlx("find a run by idempotency key", e))?;
    row.map(|row| RunColumns::from_row(&row)?.decode(cipher))
        .transpose()
}

pub(crate) async fn list<'e>(
    db: impl PgExecutor<'e>,
    filter: &RunFilter,
    cipher: &PayloadCipher,
) -> Result<Page<RunRecord>> {
    let limit = page_limit(filter.limit)?;
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT} WHERE TRUE"));
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
            .push(" AND created_at >= TIMESTAMPTZ 'epoch' + ")
            .push_bind(since.unix_ms())
            .push("::BIGINT * INTERVAL '1 millisecond'");
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
pub(crate) async fn raw_payload<'e>(db: impl PgExecutor<'e>, id: RunId) -> Result<Option<String>> {
    let value: Option<Option<String>> =
        sqlx::query_scalar("SELECT raw_payload FROM runs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db)
            .await
            .map_err(|e| map_sqlx(&format!("read the raw payload of run {id}"), e))?;
    Ok(value.flatten())
}

/// Purges the payloads of `workflow`'s runs and quarantined inputs created
/// before `before` (see `crate::retention`), with the audit record, in one
/// transaction.
pub(crate) async fn purge(
    pool: &sqlx::PgPool,
    workflow: &str,
    before: airlock_core::Timestamp,
    now: airlock_core::Timestamp,
) -> Result<crate::retention::Purged> {
    use crate::retention::{purge_event, Purged, PURGED_INPUT, PURGED_STEPS};
    let mut tx = super::pooled_begin::begin(pool, None, "begin a transaction").await?;
    let runs = sqlx::query(
        "UPDATE runs SET input = $1, steps = $2, output = NULL, raw_payload = NULL, \
         purged_at = TIMESTAMPTZ 'epoch' + $3::BIGINT * INTERVAL '1 millisecond' \
         WHERE workflow = $4 AND created_at < TIMESTAMPTZ 'epoch' + $5::BIGINT * INTERVAL \
         '1 millisecond' AND purged_at IS NULL",
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
        "UPDATE quarantine SET input = $1, raw_input = NULL, \
         purged_at = TIMESTAMPTZ 'epoch' + $2::BIGINT * INTERVAL '1 millisecond' \
         WHERE workflow = $3 AND received_at < TIMESTAMPTZ 'epoch' + $4::BIGINT * INTERVAL \
         '1 millisecond' AND purged_at IS NULL",
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
