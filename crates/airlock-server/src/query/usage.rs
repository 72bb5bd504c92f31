//! `GET /v1/usage` parameters.

use airlock_core::{Error, Result, Timestamp};
use airlock_store::UsageGroup;
use utoipa::IntoParams;

use super::{checked, parse_time};

/// How to sum model cost.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageParams {
    /// `workflow` (default; direct model calls appear as `model:<route>`)
    /// or `key` (the API key id).
    #[param(value_type = Option<String>)]
    pub group: UsageGroup,
    /// Only runs created at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
}

impl UsageParams {
    pub const NAMES: &'static [&'static str] = &["group", "since"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = UsageParams {
            group: UsageGroup::Workflow,
            since: None,
        };
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "group" => {
                    params.group = match value.as_str() {
                        "workflow" => UsageGroup::Workflow,
                        "key" => UsageGroup::Key,
                        _ => {
                            return Err(Error::invalid_input(format!(
                                "group = {value:?}: must be `workflow` or `key`"
                            ))
                            .with_field("group"))
                        }
                    }
                }
                _ => params.since = Some(parse_time(&value, "since")?),
            }
        }
        Ok(params)
    }
}
