//! Converts run and quarantine records to and from the column values both
//! backends store (JSON as text, timestamps as Unix milliseconds, unsigned
//! counters as signed 64-bit), checking what a database cannot: that
//! numbers fit and that stored text still parses.

use airlock_core::{
    Error, ErrorKind, QuarantineId, QuarantineRecord, Result, RunId, RunRecord, Timestamp,
};

use crate::cipher::{aad, PayloadCipher};
use serde::de::DeserializeOwned;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// One `runs` row as plain values.
pub(crate) struct RunColumns {
    pub id: String,
    pub workflow: String,
    pub workflow_version: String,
    pub input: String,
    pub steps: String,
    pub output: Option<String>,
    pub decision: String,
    pub rule: Option<String>,
    pub confidence: Option<f64>,
    pub models: String,
    pub status: String,
    pub error: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at_ms: i64,
    pub latency_us: i64,
    pub release_id: Option<String>,
    pub review_id: Option<String>,
    pub key_id: Option<String>,
    pub request_sha256: Option<String>,
    /// The unredacted payload, when the workflow keeps it (written only;
    /// reads of runs never load it).
    pub raw_payload: Option<String>,
    pub purged_at_ms: Option<i64>,
    pub cost_micro_usd: Option<i64>,
}

/// One `quarantine` row as plain values.
pub(crate) struct QuarantineColumns {
    pub id: String,
    pub workflow: String,
    pub received_at_ms: i64,
    pub input: String,
    pub reason: String,
    pub field: Option<String>,
    /// The input as received, when it differs from the redacted `input`.
    pub raw_input: Option<String>,
}

impl RunColumns {
    pub(crate) fn encode(run: &RunRecord) -> Result<Self> {
        if let Some(confidence) = run.confidence {
            if !confidence.is_finite() {
                return Err(Error::invalid_input(format!(
                    "run {}: confidence {confidence} is not a finite number",
                    run.id
                ))
                .with_field("confidence"));
            }
        }
        Ok(RunColumns {
            id: run.id.to_string(),
            workflow: run.workflow.clone(),
            workflow_version: run.workflow_version.clone(),
            input: to_json(&run.input, "input")?,
            steps: to_json(&run.steps, "steps")?,
            output: run
                .output
                .as_ref()
                .map(|o| to_json(o, "output"))
                .transpose()?,
            decision: run.decision.as_str().to_string(),
            rule: run.rule.clone(),
            confidence: run.confidence,
            models: to_json(&run.models, "models")?,
            status: run.status.as_str().to_string(),
            error: run.error.clone(),
            idempotency_key: run.idempotency_key.clone(),
            created_at_ms: run.created_at.unix_ms(),
            latency_us: to_i64(run.latency_us, "latency_us")?,
            release_id: run.release_id.clone(),
            review_id: run.review_id.map(|id| id.to_string()),
            key_id: run.key_id.clone(),
            request_sha256: run.request_hash.clone(),
            raw_payload: None,
            purged_at_ms: run.purged_at.map(|t| t.unix_ms()),
            cost_micro_usd: run
                .cost_micro_usd
                .map(|c| to_i64(c, "cost_micro_usd"))
                .transpose()?,
        })
    }

    /// Encrypts the payload columns (input, steps, output, raw payload).
    pub(crate) fn seal(mut self, cipher: &PayloadCipher) -> Result<Self> {
        let id = self.id.clone();
        self.input = cipher.seal(&self.input, &aad("runs", "input", &id))?;
        self.steps = cipher.seal(&self.steps, &aad("runs", "steps", &id))?;
        self.output = cipher.seal_opt(self.output.as_deref(), &aad("runs", "output", &id))?;
        self.raw_payload = cipher.seal_opt(
            self.raw_payload.as_deref(),
            &aad("runs", "raw_payload", &id),
        )?;
        Ok(self)
    }

    /// Decrypts the payload columns and decodes the run.
    pub(crate) fn decode(mut self, cipher: &PayloadCipher) -> Result<RunRecord> {
        let id = self.id.clone();
        let open = |text: String, column: &str| {
            cipher
                .open(text, &aad("runs", column, &id))
                .map_err(|e| corrupt("runs", &id, column, e))
        };
        self.input = open(std::mem::take(&mut self.input), "input")?;
        self.steps = open(std::mem::take(&mut self.steps), "steps")?;
        self.output = self.output.take().map(|o| open(o, "output")).transpose()?;
        self.decode_plain()
    }

    fn decode_plain(self) -> Result<RunRecord> {
        let id: RunId = self
            .id
            .parse()
            .map_err(|e| corrupt("runs", &self.id, "id", e))?;
        let at = |column: &str| {
            let id = self.id.clone();
            let column = column.to_string();
            move |e: Error| corrupt("runs", &id, &column, e)
        };
        Ok(RunRecord {
            id,
            workflow_version: self.workflow_version,
            input: from_json(&self.input).map_err(at("input"))?,
            steps: from_json(&self.steps).map_err(at("steps"))?,
            output: match &self.output {
                Some(text) => Some(from_json(text).map_err(at("output"))?),
                None => None,
            },
            decision: self.decision.parse().map_err(at("decision"))?,
            rule: self.rule,
            confidence: self.confidence,
            models: from_json(&self.models).map_err(at("models"))?,
            status: self.status.parse().map_err(at("status"))?,
            error: self.error,
            idempotency_key: self.idempotency_key,
            created_at: Timestamp::from_unix_ms(self.created_at_ms).map_err(at("created_at"))?,
            latency_us: u64::try_from(self.latency_us)
                .map_err(|_| Error::internal("negative latency"))
                .map_err(at("latency_us"))?,
            release_id: self.release_id,
            review_id: match &self.review_id {
                Some(text) => Some(text.parse().map_err(at("review_id"))?),
                None => None,
            },
            key_id: self.key_id,
            request_hash: self.request_sha256,
            purged_at: match self.purged_at_ms {
                Some(ms) => Some(Timestamp::from_unix_ms(ms).map_err(at("purged_at"))?),
                None => None,
            },
            cost_micro_usd: match self.cost_micro_usd {
                Some(c) => Some(
                    u64::try_from(c)
                        .map_err(|_| Error::internal("negative cost"))
                        .map_err(at("cost_micro_usd"))?,
                ),
                None => None,
            },
            workflow: self.workflow,
        })
    }

    /// Reads the columns selected by the backends' run queries.
    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
        f64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| crate::sql_error::map_sqlx("read a run", e);
        Ok(RunColumns {
            id: row.try_get("id").map_err(get)?,
            workflow: row.try_get("workflow").map_err(get)?,
            workflow_version: row.try_get("workflow_version").map_err(get)?,
            input: row.try_get("input").map_err(get)?,
            steps: row.try_get("steps").map_err(get)?,
            output: row.try_get("output").map_err(get)?,
            decision: row.try_get("decision").map_err(get)?,
            rule: row.try_get("rule").map_err(get)?,
            confidence: row.try_get("confidence").map_err(get)?,
            models: row.try_get("models").map_err(get)?,
            status: row.try_get("status").map_err(get)?,
            error: row.try_get("error").map_err(get)?,
            idempotency_key: row.try_get("idempotency_key").map_err(get)?,
            created_at_ms: row.try_get("created_at_ms").map_err(get)?,
            latency_us: row.try_get("latency_us").map_err(get)?,
            release_id: row.try_get("release_id").map_err(get)?,
            review_id: row.try_get("review_id").map_err(get)?,
            key_id: row.try_get("key_id").map_err(get)?,
            request_sha256: row.try_get("request_sha256").map_err(get)?,
            raw_payload: None,
            purged_at_ms: row.try_get("purged_at_ms").map_err(get)?,
            cost_micro_usd: row.try_get("cost_micro_usd").map_err(get)?,
        })
    }
}

impl QuarantineColumns {
    pub(crate) fn encode(record: &QuarantineRecord) -> Result<Self> {
        Ok(QuarantineColumns {
            id: record.id.to_string(),
            workflow: record.workflow.clone(),
            received_at_ms: record.received_at.unix_ms(),
            input: to_json(&record.input, "input")?,
            reason: record.reason.clone(),
            field: record.field.clone(),
            raw_input: None,
        })
    }

    /// Encrypts the input columns.
    pub(crate) fn seal(mut self, cipher: &PayloadCipher) -> Result<Self> {
        let id = self.id.clone();
        self.input = cipher.seal(&self.input, &aad("quarantine", "input", &id))?;
        self.raw_input = cipher.seal_opt(
            self.raw_input.as_deref(),
            &aad("quarantine", "raw_input", &id),
        )?;
        Ok(self)
    }

    /// Decrypts the input and decodes the record.
    pub(crate) fn decode(mut self, cipher: &PayloadCipher) -> Result<QuarantineRecord> {
        self.input = cipher
            .open(
                std::mem::take(&mut self.input),
                &aad("quarantine", "input", &self.id),
            )
            .map_err(|e| corrupt("quarantine", &self.id, "input", e))?;
        let id: QuarantineId = self
            .id
            .parse()
            .map_err(|e| corrupt("quarantine", &self.id, "id", e))?;
        Ok(QuarantineRecord {
            id,
            received_at: Timestamp::from_unix_ms(self.received_at_ms)
                .map_err(|e| corrupt("quarantine", &self.id, "received_at", e))?,
            input: from_json(&self.input)
                .map_err(|e| corrupt("quarantine", &self.id, "input", e))?,
            workflow: self.workflow,
            reason: self.reason,
            field: self.field,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| crate::sql_error::map_sqlx("read a quarantine record", e);
        Ok(QuarantineColumns {
            id: row.try_get("id").map_err(get)?,
            workflow: row.try_get("workflow").map_err(get)?,
            received_at_ms: row.try_get("received_at_ms").map_err(get)?,
            input: row.try_get("input").map_err(get)?,
            reason: row.try_get("reason").map_err(get)?,
            field: row.try_get("field").map_err(get)?,
            raw_input: None,
        })
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T, field: &str) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::invalid_input(format!("cannot serialise `{field}` as JSON: {e}")).with_field(field)
    })
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::internal(format!("invalid JSON: {e}")))
}

pub(crate) fn to_i64(value: u64, field: &str) -> Result<i64> {
    i64::try_from(value).map_err(|_| {
        Error::invalid_input(format!("`{field}` {value} does not fit in 63 bits")).with_field(field)
    })
}

/// A stored value that no longer decodes: the database was changed outside
/// Airlock or is damaged.
pub(crate) fn corrupt(table: &str, id: &str, column: &str, cause: Error) -> Error {
    // A value sealed under a key this store was not given is a
    // configuration problem, not damage: keep its kind and its hint (add
    // the key) rather than advising a restore from backup.
    if cause.kind() == ErrorKind::InvalidConfig {
        let err = Error::invalid_config(format!(
            "{table} row {id}: stored column `{column}` cannot be read: {}",
            cause.message()
        ))
        .with_field(column);
        return match cause.hint() {
            Some(hint) => err.with_hint(hint),
            None => err,
        };
    }
    Error::internal(format!(
        "{table} row {id}: stored column `{column}` is invalid: {}",
        cause.message()
    ))
    .with_field(column)
    .with_hint("the database was modified outside Airlock or is damaged; restore it from a backup")
}
