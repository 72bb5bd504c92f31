//! `GET /v1/workflows/{name}/quality` parameters.

use airlock_core::{Result, Timestamp};
use utoipa::IntoParams;

use super::{checked, parse_time};

/// The window quality is computed over.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityParams {
    /// Only runs, tasks and feedback created at or after this instant
    /// (RFC 3339); everything when absent. The backlog is always current.
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
}

impl QualityParams {
    pub const NAMES: &'static [&'static str] = &["since"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = QualityParams::default();
        for (_, value) in checked(pairs, Self::NAMES)? {
            params.since = Some(parse_time(&value, "since")?);
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn since_is_an_rfc3339_instant() {
        let params =
            QualityParams::parse(pairs(&[("since", "2024-05-01T00:00:00Z")])).expect("valid");
        assert_eq!(
            params.since.map(|t| t.to_string()).as_deref(),
            Some("2024-05-01T00:00:00Z")
        );
        for (name, value) in [("since", "last week"), ("until", "2024-05-01T00:00:00Z")] {
            let err = QualityParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{err}");
        }
    }
}
