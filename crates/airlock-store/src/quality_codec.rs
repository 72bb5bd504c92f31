//! Reads the grouped rows of the quality queries (the same column names
//! and types on both backends) into the parts of
//! [`crate::QualityCounts`], and puts every list in one order regardless
//! of how a database sorts text and `NULL`.

use airlock_core::{Error, Result, Timestamp};
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::review_traits::{Backlog, DecisionCount, FeedbackSummary, LabelPairCount, ReviewCount};
use crate::sql_error::map_sqlx;

/// A row's columns, by name, as the quality queries select them.
pub(crate) trait QualityRow {
    fn text(&self, column: &str) -> Result<String>;
    fn optional_text(&self, column: &str) -> Result<Option<String>>;
    fn optional_integer(&self, column: &str) -> Result<Option<i64>>;
    fn optional_real(&self, column: &str) -> Result<Option<f64>>;

    /// A count (`COUNT`, or `SUM` of 0/1 flags, `NULL` over no rows).
    fn count(&self, column: &str) -> Result<u64> {
        let value = self.optional_integer(column)?.unwrap_or(0);
        u64::try_from(value)
            .map_err(|_| Error::internal(format!("quality count `{column}` is negative: {value}")))
    }
}

impl<R> QualityRow for R
where
    R: Row,
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, column: &str) -> Result<String> {
        self.try_get(column).map_err(read_error)
    }

    fn optional_text(&self, column: &str) -> Result<Option<String>> {
        self.try_get(column).map_err(read_error)
    }

    fn optional_integer(&self, column: &str) -> Result<Option<i64>> {
        self.try_get(column).map_err(read_error)
    }

    fn optional_real(&self, column: &str) -> Result<Option<f64>> {
        self.try_get(column).map_err(read_error)
    }
}

fn read_error(e: sqlx::Error) -> Error {
    map_sqlx("read quality counts", e)
}

/// Rows of `workflow_version, decision, runs`.
pub(crate) fn decisions(rows: &[impl QualityRow]) -> Result<Vec<DecisionCount>> {
    let mut counts = rows
        .iter()
        .map(|row| {
            Ok(DecisionCount {
                workflow_version: row.text("workflow_version")?,
                decision: row.text("decision")?.parse()?,
                runs: row.count("runs")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    counts.sort_by(|a, b| {
        (&a.workflow_version, a.decision.as_str()).cmp(&(&b.workflow_version, b.decision.as_str()))
    });
    Ok(counts)
}

/// Rows of `workflow_version, state, resolved_action, tasks, sla_breached`.
pub(crate) fn reviews(rows: &[impl QualityRow]) -> Result<Vec<ReviewCount>> {
    let mut counts = rows
        .iter()
        .map(|row| {
            Ok(ReviewCount {
                workflow_version: row.text("workflow_version")?,
                state: row.text("state")?.parse()?,
                action: row
                    .optional_text("resolved_action")?
                    .map(|a| a.parse())
                    .transpose()?,
                tasks: row.count("tasks")?,
                sla_breached: row.count("sla_breached")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    counts.sort_by(|a, b| {
        let key = |c: &ReviewCount| {
            (
                c.workflow_version.clone(),
                c.state.as_str(),
                c.action.map(|a| a.as_str()),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(counts)
}

/// Rows of `workflow_version, suggested_label, resolved_label, tasks`.
pub(crate) fn labels(rows: &[impl QualityRow]) -> Result<Vec<LabelPairCount>> {
    let mut counts = rows
        .iter()
        .map(|row| {
            Ok(LabelPairCount {
                workflow_version: row.text("workflow_version")?,
                suggested: row.optional_text("suggested_label")?,
                actual: row.text("resolved_label")?,
                tasks: row.count("tasks")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    counts.sort_by(|a, b| {
        (&a.workflow_version, &a.suggested, &a.actual).cmp(&(
            &b.workflow_version,
            &b.suggested,
            &b.actual,
        ))
    });
    Ok(counts)
}

/// The one row of `open_tasks, escalated_tasks, overdue_tasks,
/// oldest_created_at_ms`.
pub(crate) fn backlog(row: &impl QualityRow) -> Result<Backlog> {
    Ok(Backlog {
        open: row.count("open_tasks")?,
        escalated: row.count("escalated_tasks")?,
        overdue: row.count("overdue_tasks")?,
        oldest_created_at: row
            .optional_integer("oldest_created_at_ms")?
            .map(Timestamp::from_unix_ms)
            .transpose()?,
    })
}

/// The one row of `records, labelled, mean_score` and the rows of
/// `outcome, reports`.
pub(crate) fn feedback(
    totals: &impl QualityRow,
    outcomes: &[impl QualityRow],
) -> Result<FeedbackSummary> {
    let mut outcomes = outcomes
        .iter()
        .map(|row| Ok((row.text("outcome")?, row.count("reports")?)))
        .collect::<Result<Vec<_>>>()?;
    outcomes.sort();
    Ok(FeedbackSummary {
        records: totals.count("records")?,
        labelled: totals.count("labelled")?,
        mean_score: totals.optional_real("mean_score")?,
        outcomes,
    })
}
