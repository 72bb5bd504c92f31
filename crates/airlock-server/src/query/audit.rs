//! `GET /v1/audit` and `GET /v1/audit/verify` parameters.

use airlock_core::{AuditEventKind, Error, Result, Timestamp};
use airlock_store::AuditFilter;
use utoipa::IntoParams;

use super::{checked, parse_limit, parse_time};

/// Which audit records to list, oldest first.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAuditParams {
    /// Only records after this `seq` (the previous page's `next_cursor`).
    pub after: Option<u64>,
    /// An event word, e.g. `access.denied`.
    pub event: Option<String>,
    /// e.g. `run:01J9ZQ3V6T8K2M4N5P7R9S1T3V`.
    pub subject: Option<String>,
    pub workflow: Option<String>,
    /// Only records at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl ListAuditParams {
    pub const NAMES: &'static [&'static str] =
        &["after", "event", "subject", "workflow", "since", "limit"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListAuditParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "after" => params.after = Some(parse_seq(&value, "after")?),
                "event" => {
                    let kind: AuditEventKind = value.parse()?;
                    params.event = Some(kind.as_str().to_string());
                }
                "subject" => params.subject = Some(value),
                "workflow" => params.workflow = Some(value),
                "since" => params.since = Some(parse_time(&value, "since")?),
                _ => params.limit = Some(parse_limit(&value)?),
            }
        }
        Ok(params)
    }

    pub fn into_filter(self) -> AuditFilter {
        AuditFilter {
            after: self.after,
            event: self.event,
            subject: self.subject,
            workflow: self.workflow,
            since: self.since,
            limit: self.limit,
        }
    }
}

/// Where `GET /v1/audit/verify` starts.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyAuditParams {
    /// The first record to check (default 1: the whole chain).
    pub from: Option<u64>,
}

impl VerifyAuditParams {
    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = VerifyAuditParams::default();
        for (_, value) in checked(pairs, &["from"])? {
            params.from = Some(parse_seq(&value, "from")?);
        }
        Ok(params)
    }
}

fn parse_seq(value: &str, field: &str) -> Result<u64> {
    value.parse().map_err(|_| {
        Error::invalid_input(format!("{field} `{value}` is not a record number"))
            .with_field(field)
            .with_hint("use a whole number such as 1 (records are numbered from 1)")
    })
}
