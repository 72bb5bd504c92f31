//! SQL for review tasks on SQLite: the task created with its run (inside
//! the group committer's transaction), reads of a task or the queue with
//! their claims and votes (in one read transaction, so one snapshot), and
//! the locking update on the dedicated write connection (`BEGIN
//! IMMEDIATE`: the write lock is held from the first read to the commit,
//! against this process's other tasks and any other process).

use airlock_core::{Error, Result, ReviewId, ReviewStatus, ReviewTask};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::QueryBuilder;

use super::outbox::insert_delivery;
use super::LockedWriter;
use crate::cursor::page_limit;
use crate::review_change::TaskChange;
use crate::review_codec::{assemble, ClaimColumns, NewReviewColumns, ReviewColumns, VoteColumns};
use crate::review_cursor::DueCursor;
use crate::review_traits::{ReviewDecider, ReviewFilter};
use crate::sql_error::map_sqlx;
use crate::traits::Page;

const TASK_COLUMNS: &str = "id, run_id, workflow, workflow_version, rule, reason, priority, \
     created_at_ms, due_at_ms, suggestion, suggested_label, required_reviews, state, resolution, \
     resolved_action, resolved_label, resolved_at_ms, overdue_notified, version";

const CLAIM_COLUMNS: &str = "review_id, reviewer, claimed_at_ms, expires_at_ms";

const VOTE_COLUMNS: &str =
    "review_id, reviewer, action, output, label, reason, at_ms, adjudication";

/// Appends "the row's task has a claim whose lease runs past `now`".
fn push_live_claim(query: &mut QueryBuilder<'_, Sqlite>, now: i64) {
    query
        .push(
            "EXISTS (SELECT 1 FROM review_claims c \
             WHERE c.review_id = review_tasks.id AND c.expires_at_ms > ",
        )
        .push_bind(now)
        .push(")");
}

/// Inserts a new task and its deliveries inside the group committer's
/// transaction (after its run was created).
pub(super) async fn insert_new(conn: &mut SqliteConnection, new: &NewReviewColumns) -> Result<()> {
    let c = &new.task;
    let sql = format!(
        "INSERT INTO review_tasks ({TASK_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    sqlx::query(&sql)
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

/// The task with its claims and votes, read in one snapshot.
pub(crate) async fn get(pool: &SqlitePool, id: ReviewId) -> Result<Option<ReviewTask>> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| map_sqlx("begin a read transaction", e))?;
    let task = read_task(&mut tx, &id.to_string()).await?;
    tx.rollback()
        .await
        .map_err(|e| map_sqlx("end a read transaction", e))?;
    Ok(task)
}

/// One page of the queue, oldest due first, read in one snapshot.
pub(crate) async fn list(pool: &SqlitePool, filter: &ReviewFilter) -> Result<Page<ReviewTask>> {
    let limit = page_limit(filter.limit)?;
    let cursor = filter.cursor.as_deref().map(DueCursor::parse).transpose()?;
    let now = filter.now.unix_ms();
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {TASK_COLUMNS} FROM review_tasks WHERE 1 = 1"
    ));
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
        query
            .push(" AND created_at_ms <= ")
            .push_bind(before.unix_ms());
    }
    if let Some(overdue) = filter.overdue {
        query
            .push(if overdue { " AND " } else { " AND NOT " })
            .push("(state <> 'resolved' AND due_at_ms <= ")
            .push_bind(now)
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
            .push(" AND (due_at_ms > ")
            .push_bind(cursor.due_ms)
            .push(" OR (due_at_ms = ")
            .push_bind(cursor.due_ms)
            .push(" AND id > ")
            .push_bind(cursor.id)
            .push("))");
    }
    query
        .push(" ORDER BY due_at_ms, id LIMIT ")
        .push_bind(i64::from(limit) + 1);

    let mut tx = pool
        .begin()
        .await
        .map_err(|e| map_sqlx("begin a read transaction", e))?;
    let mut rows: Vec<SqliteRow> = query
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

/// Locks task `id` (the database's write lock, from the first read),
/// applies what `decide` asks for and commits; returns the committed task.
pub(crate) async fn update(
    writer: &LockedWriter,
    id: ReviewId,
    decide: ReviewDecider,
) -> Result<ReviewTask> {
    let mut conn = writer.lock().await?;
    let mut tx = conn.begin_immediate().await?;
    let review_id = id.to_string();
    let task = read_task(&mut tx, &review_id)
        .await?
        .ok_or_else(|| not_found(id))?;
    // On an error the transaction is dropped, which rolls it back.
    let change = TaskChange::plan(&task, decide(&task)?)?;
    apply(&mut tx, &change).await?;
    super::audit::append(&mut tx, &change.audit).await?;
    let committed = read_task(&mut tx, &review_id)
        .await?
        .ok_or_else(|| not_found(id))?;
    tx.commit()
        .await
        .map_err(|e| map_sqlx(&format!("commit review task {id}"), e))?;
    Ok(committed)
}

async fn apply(conn: &mut SqliteConnection, change: &TaskChange) -> Result<()> {
    let id = &change.review_id;
    if let Some(reviewer) = &change.release {
        sqlx::query("DELETE FROM review_claims WHERE review_id = ? AND reviewer = ?")
            .bind(id)
            .bind(reviewer)
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx(&format!("release a claim on review task {id}"), e))?;
    }
    if let Some(c) = &change.claim {
        let sql = format!(
            "INSERT INTO review_claims ({CLAIM_COLUMNS}) VALUES (?, ?, ?, ?) \
             ON CONFLICT (review_id, reviewer) DO UPDATE SET \
             claimed_at_ms = excluded.claimed_at_ms, expires_at_ms = excluded.expires_at_ms"
        );
        sqlx::query(&sql)
            .bind(&c.review_id)
            .bind(&c.reviewer)
            .bind(c.claimed_at_ms)
            .bind(c.expires_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx(&format!("claim review task {id}"), e))?;
    }
    if let Some(v) = &change.vote {
        let sql =
            format!("INSERT INTO review_votes ({VOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        sqlx::query(&sql)
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
    sqlx::query(
        "UPDATE review_tasks SET state = ?, resolution = ?, resolved_action = ?, \
         resolved_label = ?, resolved_at_ms = ?, overdue_notified = ?, version = version + 1 \
         WHERE id = ?",
    )
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

async fn read_task(conn: &mut SqliteConnection, id: &str) -> Result<Option<ReviewTask>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM review_tasks WHERE id = ?");
    let row: Option<SqliteRow> = sqlx::query(&sql)
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
async fn read_claims(conn: &mut SqliteConnection, ids: &[String]) -> Result<Vec<ClaimColumns>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {CLAIM_COLUMNS} FROM review_claims WHERE review_id IN ("
    ));
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    query.push(") ORDER BY review_id, claimed_at_ms, reviewer");
    let rows: Vec<SqliteRow> = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_sqlx("read review claims", e))?;
    rows.iter().map(ClaimColumns::from_row).collect()
}

/// The votes on the tasks `ids`, each task's oldest first.
async fn read_votes(conn: &mut SqliteConnection, ids: &[String]) -> Result<Vec<VoteColumns>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {VOTE_COLUMNS} FROM review_votes WHERE review_id IN ("
    ));
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    query.push(") ORDER BY review_id, at_ms, reviewer");
    let rows: Vec<SqliteRow> = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_sqlx("read review votes", e))?;
    rows.iter().map(VoteColumns::from_row).collect()
}

fn not_found(id: ReviewId) -> Error {
    Error::not_found(format!("review task {id} does not exist")).with_field("review_id")
}
