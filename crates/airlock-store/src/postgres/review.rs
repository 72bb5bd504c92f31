//! SQL for review tasks on PostgreSQL: the task created with its run
//! (inside the group committer's transaction), reads of a task or the queue
//! with their claims and votes (one `REPEATABLE READ` snapshot), and the
//! locking update on a pooled connection: `SELECT ... FOR UPDATE` holds the
//! task's row lock until the commit, so a second writer (another task, or
//! another process on the same database) waits and then reads the first
//! one's committed change.

use airlock_core::{Error, Result, ReviewId, ReviewStatus, ReviewTask};
use sqlx::postgres::{PgConnection, PgPool, PgRow, Postgres};
use sqlx::QueryBuilder;

use super::outbox::insert_delivery;
use crate::cursor::page_limit;
use crate::review_change::TaskChange;
use crate::review_codec::{assemble, ClaimColumns, NewReviewColumns, ReviewColumns, VoteColumns};
use crate::review_cursor::DueCursor;
use crate::review_traits::{ReviewDecider, ReviewFilter};
use crate::sql_error::map_sqlx;
use crate::traits::Page;

/// `$n` milliseconds since the epoch as a `TIMESTAMPTZ`.
macro_rules! ms {
    ($n:literal) => {
        concat!(
            "TIMESTAMPTZ 'epoch' + $",
            $n,
            "::BIGINT * INTERVAL '1 millisecond'"
        )
    };
}

/// A `TIMESTAMPTZ` column as Unix milliseconds (exact: stored values are
/// whole milliseconds).
macro_rules! as_ms {
    ($column:literal) => {
        concat!(
            "(EXTRACT(EPOCH FROM ",
            $column,
            ") * 1000)::BIGINT AS ",
            $column,
            "_ms"
        )
    };
}

const SELECT_TASK: &str = concat!(
    "SELECT id, run_id, workflow, workflow_version, rule, reason, priority, ",
    as_ms!("created_at"),
    ", ",
    as_ms!("due_at"),
    ", suggestion::text AS suggestion, suggested_label, required_reviews, state, ",
    "resolution::text AS resolution, resolved_action, resolved_label, ",
    as_ms!("resolved_at"),
    ", overdue_notified, version FROM review_tasks"
);

const SELECT_CLAIMS: &str = concat!(
    "SELECT review_id, reviewer, ",
    as_ms!("claimed_at"),
    ", ",
    as_ms!("expires_at"),
    " FROM review_claims"
);

const SELECT_VOTES: &str = concat!(
    "SELECT review_id, reviewer, action, output::text AS output, label, reason, ",
    as_ms!("at"),
    ", adjudication FROM review_votes"
);

const INSERT_TASK: &str = concat!(
    "INSERT INTO review_tasks (id, run_id, workflow, workflow_version, rule, reason, priority, ",
    "created_at, due_at, suggestion, suggested_label, required_reviews, state, resolution, ",
    "resolved_action, resolved_label, resolved_at, overdue_notified, version) ",
    "VALUES ($1, $2, $3, $4, $5, $6, $7, ",
    ms!(8),
    ", ",
    ms!(9),
    ", $10::json, $11, $12, $13, $14::json, $15, $16, ",
    ms!(17),
    ", $18, $19)"
);

/// Inserts a new task and its deliveries inside the group committer's
/// transaction (after its run was created).
pub(super) async fn insert_new(conn: &mut PgConnection, new: &NewReviewColumns) -> Result<()> {
    let c = &new.task;
    sqlx::query(INSERT_TASK)
        .bind(&c.id)
        .bind(&c.run_id)
        .bind(&c.workflow)
        .bind(&c.workflow_version)
        .bind(&c.rule)
        .bind(&c.reason)
        .bind(c.priority)
        .bind(c.created_at_ms)
        .bind(c.due_at_ms)
        .bind(&c.suggestion)
        .bind(&c.suggested_label)
        .bind(c.required_reviews)
        .bind(&c.state)
        .bind(&c.resolution.resolution)
        .bind(&c.resolution.resolved_action)
        .bind(&c.resolution.resolved_label)
        .bind(c.resolution.resolved_at_ms)
        .bind(c.overdue_notified)
        .bind(c.version)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx(&format!("insert review task {}", c.id), e))?;
    for delivery in &new.deliveries {
        insert_delivery(&mut *conn, delivery).await?;
    }
    Ok(())
}

/// Begins a read-only transaction whose statements share one snapshot.
async fn begin_snapshot(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>> {
    super::pooled_begin::begin(
        pool,
        Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        "begin a read transaction",
    )
    .await
}

/// The task with its claims and votes, read in one snapshot.
pub(crate) async fn get(pool: &PgPool, id: ReviewId) -> Result<Option<ReviewTask>> {
    let mut tx = begin_snapshot(pool).await?;
    let task = read_task(&mut tx, &id.to_string(), false).await?;
    tx.rollback()
        .await
        .map_err(|e| map_sqlx("end a read transaction", e))?;
    Ok(task)
}

/// Appends "the row's task has a claim whose lease runs past `now`".
fn push_live_claim(query: &mut QueryBuilder<'_, Postgres>, now: i64) {
    query
        .push(
            "EXISTS (SELECT 1 FROM review_claims c \
             WHERE c.review_id = review_tasks.id AND c.expires_at > ",
        )
        .push_ms(now)
        .push(")");
}

/// Binds Unix milliseconds as a `TIMESTAMPTZ` expression.
trait PushMs {
    fn push_ms(&mut self, ms: i64) -> &mut Self;
}

impl PushMs for QueryBuilder<'_, Postgres> {
    fn push_ms(&mut self, ms: i64) -> &mut Self {
        self.push("(TIMESTAMPTZ 'epoch' + ")
            .push_bind(ms)
            .push("::BIGINT * INTERVAL '1 millisecond')")
    }
}

/// One page of the queue, oldest due first, read in one snapshot.
pub(crate) async fn list(pool: &PgPool, filter: &ReviewFilter) -> Result<Page<ReviewTask>> {
    let limit = page_limit(filter.limit)?;
    let cursor = filter.cursor.as_deref().map(DueCursor::parse).transpose()?;
    let now = filter.now.unix_ms();
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!("{SELECT_TASK} WHERE TRUE"));
    if let Some(workflow) = &filter.workflow {
        query.push(" AND workflow = ").push_bind(workflow.clone());
    }
    if let Some(allowed) = &filter.workflows {
        crate::keyset::push_workflow_allowlist(&mut query, allowed);
    }
    if let Some(label) = &filter.label {
        query
            .push(" AND suggested_label = ")
            .push_bind(label.clone());
    }
    if let Some(before) = filter.created_before {
        query.push(" AND created_at <= ").push_ms(before.unix_ms());
    }
    if let Some(overdue) = filter.overdue {
        query
            .push(if overdue { " AND " } else { " AND NOT " })
            .push("(state <> 'resolved' AND due_at <= ")
            .push_ms(now)
            .push(")");
    }
    if let Some(notified) = filter.overdue_notified {
        query.push(" AND overdue_notified = ").push_bind(notified);
    }
    match filter.status {
        None => {}
        Some(ReviewStatus::Resolved) => {
            query.push(" AND state = 'resolved'");
        }
        Some(ReviewStatus::Claimed) => {
            query.push(" AND state <> 'resolved' AND ");
            push_live_claim(&mut query, now);
        }
        Some(ReviewStatus::Open) => {
            query.push(" AND state = 'open' AND NOT ");
            push_live_claim(&mut query, now);
        }
        Some(ReviewStatus::Escalated) => {
            query.push(" AND state = 'escalated' AND NOT ");
            push_live_claim(&mut query, now);
        }
    }
    if let Some(cursor) = cursor {
        query
            .push(" AND (due_at, id) > (")
            .push_ms(cursor.due_ms)
            .push(", ")
            .push_bind(cursor.id)
            .push(")");
    }
    query
        .push(" ORDER BY due_at, id LIMIT ")
        .push_bind(i64::from(limit) + 1);

    let mut tx = begin_snapshot(pool).await?;
    let mut rows: Vec<PgRow> = query
        .build()
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| map_sqlx("list review tasks", e))?;
    // One row more than the page was fetched to learn whether one follows.
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let tasks = rows
        .iter()
        .map(ReviewColumns::from_row)
        .collect::<Result<Vec<_>>>()?;
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let claims = read_claims(&mut tx, &ids).await?;
    let votes = read_votes(&mut tx, &ids).await?;
    tx.rollback()
        .await
        .map_err(|e| map_sqlx("end a read transaction", e))?;
    let items = assemble(tasks, claims, votes)?;
    let next_cursor = items.last().filter(|_| more).map(DueCursor::after);
    Ok(Page { items, next_cursor })
}

/// Locks task `id` (`FOR UPDATE`), applies what `decide` asks for and
/// commits; returns the committed task.
pub(crate) async fn update(
    pool: &PgPool,
    id: ReviewId,
    decide: ReviewDecider,
) -> Result<ReviewTask> {
    let mut tx = super::pooled_begin::begin(pool, None, "begin a transaction").await?;
    let review_id = id.to_string();
    let task = read_task(&mut tx, &review_id, true)
        .await?
        .ok_or_else(|| not_found(id))?;
    // On an error the transaction is dropped, which rolls it back.
    let change = TaskChange::plan(&task, decide(&task)?)?;
    apply(&mut tx, &change).await?;
    super::audit::append(&mut tx, &change.audit).await?;
    let committed = read_task(&mut tx, &review_id, false)
        .await?
        .ok_or_else(|| not_found(id))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit review task {id}"), e))?;
    Ok(committed)
}

async fn apply(conn: &mut PgConnection, change: &TaskChange) -> Result<()> {
    let id = &change.review_id;
    if let Some(reviewer) = &change.release {
        sqlx::query("DELETE FROM review_claims WHERE review_id = $1 AND reviewer = $2")
            .bind(id)
            .bind(reviewer)
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx(&format!("release a claim on review task {id}"), e))?;
    }
    if let Some(c) = &change.claim {
        sqlx::query(concat!(
            "INSERT INTO review_claims (review_id, reviewer, claimed_at, expires_at) ",
            "VALUES ($1, $2, ",
            ms!(3),
            ", ",
            ms!(4),
            ") ON CONFLICT (review_id, reviewer) DO UPDATE SET ",
            "claimed_at = excluded.claimed_at, expires_at = excluded.expires_at"
        ))
        .bind(&c.review_id)
        .bind(&c.reviewer)
        .bind(c.claimed_at_ms)
        .bind(c.expires_at_ms)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx(&format!("claim review task {id}"), e))?;
    }
    if let Some(v) = &change.vote {
        sqlx::query(concat!(
            "INSERT INTO review_votes (review_id, reviewer, action, output, label, reason, at, ",
            "adjudication) VALUES ($1, $2, $3, $4::json, $5, $6, ",
            ms!(7),
            ", $8)"
        ))
        .bind(&v.review_id)
        .bind(&v.reviewer)
        .bind(&v.action)
        .bind(&v.output)
        .bind(&v.label)
        .bind(&v.reason)
        .bind(v.at_ms)
        .bind(v.adjudication)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx(&format!("record a vote on review task {id}"), e))?;
    }
    let r = &change.resolution;
    sqlx::query(concat!(
        "UPDATE review_tasks SET state = $1, resolution = $2::json, resolved_action = $3, ",
        "resolved_label = $4, resolved_at = ",
        ms!(5),
        ", overdue_notified = $6, version = version + 1 WHERE id = $7"
    ))
    .bind(&change.state)
    .bind(&r.resolution)
    .bind(&r.resolved_action)
    .bind(&r.resolved_label)
    .bind(r.resolved_at_ms)
    .bind(change.overdue_notified)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| map_sqlx(&format!("update review task {id}"), e))?;
    for delivery in &change.deliveries {
        insert_delivery(&mut *conn, delivery).await?;
    }
    Ok(())
}

/// The task with its claims and votes; with `lock`, the task's row is
/// locked until the transaction ends (a concurrent locker waits, then
/// reads the row as the first one committed it).
async fn read_task(conn: &mut PgConnection, id: &str, lock: bool) -> Result<Option<ReviewTask>> {
    let sql = format!(
        "{SELECT_TASK} WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: Option<PgRow> = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| map_sqlx(&format!("read review task {id}"), e))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let task = ReviewColumns::from_row(&row)?;
    let ids = [id.to_string()];
    let claims = read_claims(&mut *conn, &ids).await?;
    let votes = read_votes(&mut *conn, &ids).await?;
    Ok(assemble(vec![task], claims, votes)?.pop())
}

/// The claims of the tasks `ids`, each task's oldest first.
async fn read_claims(conn: &mut PgConnection, ids: &[String]) -> Result<Vec<ClaimColumns>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT_CLAIMS} WHERE review_id = ANY($1) ORDER BY review_id, claimed_at, reviewer"
    );
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_sqlx("read review claims", e))?;
    rows.iter().map(ClaimColumns::from_row).collect()
}

/// The votes on the tasks `ids`, each task's oldest first.
async fn read_votes(conn: &mut PgConnection, ids: &[String]) -> Result<Vec<VoteColumns>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT_VOTES} WHERE review_id = ANY($1) ORDER BY review_id, at, reviewer");
    let rows: Vec<PgRow> = sqlx::query(&sql)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_sqlx("read review votes", e))?;
    rows.iter().map(VoteColumns::from_row).collect()
}

fn not_found(id: ReviewId) -> Error {
    Error::not_found(format!("review task {id} does not exist")).with_field("review_id")
}
