//! Converts webhook deliveries, delivery attempts and feedback records to
//! and from the column values both backends store (JSON as text,
//! timestamps as Unix milliseconds, counters as signed 64-bit), checking
//! what a database cannot: that numbers fit and stored text still parses.

use airlock_core::{
    DeliveryAttempt, DeliveryId, DeliveryRecord, DeliveryStatus, Error, FeedbackRecord, Result,
    Timestamp,
};
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::codec::{corrupt, from_json, to_i64, to_json};
use crate::review_traits::DeliveryNext;
use crate::sql_error::map_sqlx;

/// One `webhook_deliveries` row as plain values (without the lease, which
/// only the dispatch queries look at).
pub(crate) struct DeliveryColumns {
    pub id: String,
    pub event_id: String,
    pub event: String,
    pub endpoint: String,
    pub url: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// One `webhook_attempts` row as plain values.
pub(crate) struct AttemptColumns {
    pub delivery_id: String,
    pub attempt: i64,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
}

/// One `feedback` row as plain values.
pub(crate) struct FeedbackColumns {
    pub id: String,
    pub run_id: String,
    pub workflow: String,
    pub key: String,
    pub label: Option<String>,
    pub score: Option<f64>,
    pub outcome: Option<String>,
    pub comment: Option<String>,
    pub created_at_ms: i64,
}

impl DeliveryColumns {
    pub(crate) fn encode(d: &DeliveryRecord) -> Result<Self> {
        Ok(DeliveryColumns {
            id: d.id.to_string(),
            event_id: d.event_id.to_string(),
            event: d.event.as_str().to_string(),
            endpoint: d.endpoint.clone(),
            url: d.url.clone(),
            payload: to_json(&d.payload, "payload")?,
            status: d.status.as_str().to_string(),
            attempts: i64::from(d.attempts),
            next_attempt_at_ms: d.next_attempt_at.unix_ms(),
            created_at_ms: d.created_at.unix_ms(),
            delivered_at_ms: d.delivered_at.map(|t| t.unix_ms()),
            last_error: d.last_error.clone(),
        })
    }

    pub(crate) fn decode(self) -> Result<DeliveryRecord> {
        let id = self.id.clone();
        let at = move |column: &'static str| {
            let id = id.clone();
            move |e: Error| corrupt("webhook_deliveries", &id, column, e)
        };
        Ok(DeliveryRecord {
            id: self.id.parse().map_err(at("id"))?,
            event_id: self.event_id.parse().map_err(at("event_id"))?,
            event: self.event.parse().map_err(at("event"))?,
            payload: from_json(&self.payload).map_err(at("payload"))?,
            status: self.status.parse().map_err(at("status"))?,
            attempts: u32::try_from(self.attempts)
                .map_err(|_| Error::internal(format!("{} is not a count", self.attempts)))
                .map_err(at("attempts"))?,
            next_attempt_at: Timestamp::from_unix_ms(self.next_attempt_at_ms)
                .map_err(at("next_attempt_at"))?,
            created_at: Timestamp::from_unix_ms(self.created_at_ms).map_err(at("created_at"))?,
            delivered_at: self
                .delivered_at_ms
                .map(Timestamp::from_unix_ms)
                .transpose()
                .map_err(at("delivered_at"))?,
            endpoint: self.endpoint,
            url: self.url,
            last_error: self.last_error,
        })
    }

    /// Reads the columns the backends' delivery queries select.
    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a webhook delivery", e);
        Ok(DeliveryColumns {
            id: row.try_get("id").map_err(get)?,
            event_id: row.try_get("event_id").map_err(get)?,
            event: row.try_get("event").map_err(get)?,
            endpoint: row.try_get("endpoint").map_err(get)?,
            url: row.try_get("url").map_err(get)?,
            payload: row.try_get("payload").map_err(get)?,
            status: row.try_get("status").map_err(get)?,
            attempts: row.try_get("attempts").map_err(get)?,
            next_attempt_at_ms: row.try_get("next_attempt_at_ms").map_err(get)?,
            created_at_ms: row.try_get("created_at_ms").map_err(get)?,
            delivered_at_ms: row.try_get("delivered_at_ms").map_err(get)?,
            last_error: row.try_get("last_error").map_err(get)?,
        })
    }
}

impl AttemptColumns {
    pub(crate) fn encode(a: &DeliveryAttempt) -> Result<Self> {
        if a.attempt == 0 {
            return Err(Error::invalid_input(format!(
                "delivery {}: attempt numbers start at 1",
                a.delivery_id
            ))
            .with_field("attempt"));
        }
        Ok(AttemptColumns {
            delivery_id: a.delivery_id.to_string(),
            attempt: i64::from(a.attempt),
            started_at_ms: a.started_at.unix_ms(),
            duration_ms: to_i64(a.duration_ms, "duration_ms")?,
            status_code: a.status_code.map(i64::from),
            error: a.error.clone(),
        })
    }

    pub(crate) fn decode(self) -> Result<DeliveryAttempt> {
        let key = format!("{}/{}", self.delivery_id, self.attempt);
        let at = move |column: &'static str| {
            let key = key.clone();
            move |e: Error| corrupt("webhook_attempts", &key, column, e)
        };
        let out_of_range = |value: i64| Error::internal(format!("{value} is out of range"));
        Ok(DeliveryAttempt {
            delivery_id: self
                .delivery_id
                .parse::<DeliveryId>()
                .map_err(at("delivery_id"))?,
            attempt: u32::try_from(self.attempt)
                .map_err(|_| out_of_range(self.attempt))
                .map_err(at("attempt"))?,
            started_at: Timestamp::from_unix_ms(self.started_at_ms).map_err(at("started_at"))?,
            duration_ms: u64::try_from(self.duration_ms)
                .map_err(|_| out_of_range(self.duration_ms))
                .map_err(at("duration_ms"))?,
            status_code: self
                .status_code
                .map(|code| u16::try_from(code).map_err(|_| out_of_range(code)))
                .transpose()
                .map_err(at("status_code"))?,
            error: self.error,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a webhook attempt", e);
        Ok(AttemptColumns {
            delivery_id: row.try_get("delivery_id").map_err(get)?,
            attempt: row.try_get("attempt").map_err(get)?,
            started_at_ms: row.try_get("started_at_ms").map_err(get)?,
            duration_ms: row.try_get("duration_ms").map_err(get)?,
            status_code: row.try_get("status_code").map_err(get)?,
            error: row.try_get("error").map_err(get)?,
        })
    }
}

impl FeedbackColumns {
    pub(crate) fn encode(f: &FeedbackRecord) -> Result<Self> {
        if let Some(score) = f.score {
            if !score.is_finite() {
                return Err(Error::invalid_input(format!(
                    "feedback {}: score {score} is not a finite number",
                    f.id
                ))
                .with_field("score"));
            }
        }
        Ok(FeedbackColumns {
            id: f.id.to_string(),
            run_id: f.run_id.to_string(),
            workflow: f.workflow.clone(),
            key: f.key.clone(),
            label: f.label.clone(),
            score: f.score,
            outcome: f.outcome.clone(),
            comment: f.comment.clone(),
            created_at_ms: f.created_at.unix_ms(),
        })
    }

    pub(crate) fn decode(self) -> Result<FeedbackRecord> {
        let id = self.id.clone();
        let at = move |column: &'static str| {
            let id = id.clone();
            move |e: Error| corrupt("feedback", &id, column, e)
        };
        Ok(FeedbackRecord {
            id: self.id.parse().map_err(at("id"))?,
            run_id: self.run_id.parse().map_err(at("run_id"))?,
            created_at: Timestamp::from_unix_ms(self.created_at_ms).map_err(at("created_at"))?,
            workflow: self.workflow,
            key: self.key,
            label: self.label,
            score: self.score,
            outcome: self.outcome,
            comment: self.comment,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
        f64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a feedback record", e);
        Ok(FeedbackColumns {
            id: row.try_get("id").map_err(get)?,
            run_id: row.try_get("run_id").map_err(get)?,
            workflow: row.try_get("workflow").map_err(get)?,
            key: row.try_get("key").map_err(get)?,
            label: row.try_get("label").map_err(get)?,
            score: row.try_get("score").map_err(get)?,
            outcome: row.try_get("outcome").map_err(get)?,
            comment: row.try_get("comment").map_err(get)?,
            created_at_ms: row.try_get("created_at_ms").map_err(get)?,
        })
    }
}

/// What [`crate::OutboxStore::record_attempt`] writes: the attempt row and
/// the delivery's new status, next try and delivery time.
pub(crate) struct AttemptChange {
    pub attempt: AttemptColumns,
    pub status: DeliveryStatus,
    /// `None` keeps the stored value.
    pub next_attempt_at_ms: Option<i64>,
    pub delivered_at_ms: Option<i64>,
}

impl AttemptChange {
    /// A delivered attempt is delivered when the receiver answered, i.e.
    /// at the attempt's start plus its duration.
    pub(crate) fn new(attempt: &DeliveryAttempt, next: DeliveryNext) -> Result<Self> {
        let columns = AttemptColumns::encode(attempt)?;
        let (status, next_attempt_at_ms, delivered_at_ms) = match next {
            DeliveryNext::Delivered => {
                let answered = columns.started_at_ms.saturating_add(columns.duration_ms);
                Timestamp::from_unix_ms(answered).map_err(|e| e.with_field("duration_ms"))?;
                (DeliveryStatus::Delivered, None, Some(answered))
            }
            DeliveryNext::RetryAt(at) => (DeliveryStatus::Pending, Some(at.unix_ms()), None),
            DeliveryNext::GiveUp => (DeliveryStatus::Failed, None, None),
        };
        Ok(AttemptChange {
            attempt: columns,
            status,
            next_attempt_at_ms,
            delivered_at_ms,
        })
    }

    /// Why the delivery (as now stored, if at all) did not take the attempt.
    pub(crate) fn refused(&self, current: Option<&DeliveryRecord>) -> Error {
        let id = &self.attempt.delivery_id;
        let number = self.attempt.attempt;
        match current {
            None => Error::not_found(format!("webhook delivery {id} does not exist"))
                .with_field("delivery_id"),
            Some(d) if d.status != DeliveryStatus::Pending => Error::conflict(format!(
                "webhook delivery {id} is already {}; no more attempts can be recorded",
                d.status
            ))
            .with_field("delivery_id"),
            Some(d) => Error::conflict(format!(
                "attempt {number} at webhook delivery {id} does not follow the {} already \
                 recorded",
                d.attempts
            ))
            .with_field("attempt")
            .with_hint(format!(
                "record attempt {} next; another dispatcher may have taken the delivery after \
                 this one's lease ran out",
                u64::from(d.attempts) + 1
            )),
        }
    }
}
