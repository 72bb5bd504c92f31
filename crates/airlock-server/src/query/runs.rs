//! `GET /v1/runs` and `GET /v1/quarantine` parameters.

use airlock_core::{Decision, Result, Timestamp};
use airlock_store::{QuarantineFilter, RunFilter};
use utoipa::IntoParams;

use super::{checked, parse_limit, parse_time, parse_word};

use crate::dto::DecisionView;

/// `GET /v1/runs` parameters; every one narrows the result.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRunsParams {
    /// Only runs of this workflow.
    pub workflow: Option<String>,
    /// Only runs with this decision.
    #[param(value_type = Option<DecisionView>)]
    pub decision: Option<Decision>,
    /// Only runs created at or after this instant (RFC 3339, e.g. `2024-05-01T12:00:00Z`).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

/// `GET /v1/quarantine` parameters.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuarantineParams {
    /// Only inputs sent to this workflow.
    pub workflow: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

impl ListRunsParams {
    pub const NAMES: &'static [&'static str] =
        &["workflow", "decision", "since", "limit", "cursor"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListRunsParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "workflow" => params.workflow = Some(value),
                "decision" => params.decision = Some(parse_word(&value)?),
                "since" => params.since = Some(parse_time(&value, "since")?),
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    pub fn into_filter(self) -> RunFilter {
        RunFilter {
            workflows: None,
            workflow: self.workflow,
            decision: self.decision,
            since: self.since,
            limit: self.limit,
            cursor: self.cursor,
        }
    }
}

impl ListQuarantineParams {
    pub const NAMES: &'static [&'static str] = &["workflow", "limit", "cursor"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListQuarantineParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "workflow" => params.workflow = Some(value),
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    pub fn into_filter(self) -> QuarantineFilter {
        QuarantineFilter {
            workflows: None,
            workflow: self.workflow,
            limit: self.limit,
            cursor: self.cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn every_known_parameter_lands_in_the_filter() {
        let filter = ListRunsParams::parse(pairs(&[
            ("workflow", "triage"),
            ("decision", "review"),
            ("since", "2024-05-01T12:00:00Z"),
            ("limit", "10"),
            ("cursor", "01J9ZQ3V6T8K2M4N5P7R9S1T3V"),
        ]))
        .expect("valid")
        .into_filter();
        assert_eq!(filter.workflow.as_deref(), Some("triage"));
        assert_eq!(filter.decision, Some(Decision::Review));
        assert_eq!(
            filter.since.map(|t| t.to_string()).as_deref(),
            Some("2024-05-01T12:00:00Z")
        );
        assert_eq!(filter.limit, Some(10));
        assert_eq!(filter.cursor.as_deref(), Some("01J9ZQ3V6T8K2M4N5P7R9S1T3V"));
    }

    #[test]
    fn each_bad_value_names_its_parameter() {
        for (name, value) in [
            ("decision", "maybe"),
            ("since", "yesterday"),
            ("limit", "0"),
            ("limit", "1001"),
            ("limit", "ten"),
            ("workflow", ""),
        ] {
            let err = ListRunsParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let err =
            ListRunsParams::parse(pairs(&[("decison", "auto"), ("lmit", "3")])).expect_err("typos");
        assert_eq!(err.field(), Some("decison"));
        assert!(err.message().contains("decison, lmit"), "{err}");
        let err = ListQuarantineParams::parse(pairs(&[("limit", "3"), ("limit", "4")]))
            .expect_err("repeated");
        assert_eq!(err.field(), Some("limit"));
        let err = ListQuarantineParams::parse(pairs(&[("decision", "auto")]))
            .expect_err("not a quarantine parameter");
        assert_eq!(err.field(), Some("decision"));
    }
}
