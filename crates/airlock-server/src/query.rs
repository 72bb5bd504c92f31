//! Query-string parameters of the list endpoints, parsed strictly: an
//! unknown, repeated or empty parameter is a `400` naming it (a typo such
//! as `?decison=review` must not silently return everything), and every
//! value error names its parameter.
//!
//! Parsed by hand from the raw pairs rather than with `serde`'s
//! `deny_unknown_fields`, because serde's errors do not say which field
//! they are about and the API promises `error.field`.

use std::str::FromStr;

use airlock_core::{Decision, Error, Result, Timestamp};
use airlock_store::{QuarantineFilter, RunFilter, MAX_PAGE_LIMIT};
use utoipa::IntoParams;

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
                "since" => {
                    params.since =
                        Some(Timestamp::parse_rfc3339(&value).map_err(|e| name_field(e, "since"))?)
                }
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    pub fn into_filter(self) -> RunFilter {
        RunFilter {
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
            workflow: self.workflow,
            limit: self.limit,
            cursor: self.cursor,
        }
    }
}

/// The pairs, once every name is known, given once and with a value.
fn checked(pairs: Vec<(String, String)>, known: &[&str]) -> Result<Vec<(String, String)>> {
    let unknown: Vec<&str> = pairs
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !known.contains(name))
        .collect();
    if let Some(first) = unknown.first() {
        let plural = if unknown.len() > 1 { "s" } else { "" };
        return Err(Error::invalid_input(format!(
            "unknown query parameter{plural}: {}",
            unknown.join(", ")
        ))
        .with_field(*first)
        .with_hint(format!("known parameters: {}", known.join(", "))));
    }
    for (i, (name, value)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(Error::invalid_input(format!(
                "query parameter `{name}` is given more than once"
            ))
            .with_field(name.clone())
            .with_hint("give each parameter at most once"));
        }
        if value.is_empty() {
            return Err(
                Error::invalid_input(format!("query parameter `{name}` is empty"))
                    .with_field(name.clone())
                    .with_hint("give it a value, or leave it out to not filter on it"),
            );
        }
    }
    Ok(pairs)
}

fn parse_word<T: FromStr<Err = Error>>(value: &str) -> Result<T> {
    value.parse()
}

fn parse_limit(value: &str) -> Result<u32> {
    let hint = format!("use a whole number from 1 to {MAX_PAGE_LIMIT} and follow next_cursor");
    match value.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => Ok(n),
        Ok(n) => Err(
            Error::invalid_input(format!("limit {n} is outside 1..={MAX_PAGE_LIMIT}"))
                .with_field("limit")
                .with_hint(hint),
        ),
        Err(_) => Err(
            Error::invalid_input(format!("limit `{value}` is not a whole number"))
                .with_field("limit")
                .with_hint(hint),
        ),
    }
}

/// `error` about the parameter `field`.
fn name_field(error: Error, field: &str) -> Error {
    let mut named =
        Error::new(error.kind(), format!("{field}: {}", error.message())).with_field(field);
    if let Some(hint) = error.hint() {
        named = named.with_hint(hint);
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

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
