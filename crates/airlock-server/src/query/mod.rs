//! Query-string parameters of the list endpoints, parsed strictly: an
//! unknown, repeated or empty parameter is a `400` naming it (a typo such
//! as `?decison=review` must not silently return everything), and every
//! value error names its parameter.
//!
//! Parsed by hand from the raw pairs rather than with `serde`'s
//! `deny_unknown_fields`, because serde's errors do not say which field
//! they are about and the API promises `error.field`. One file per
//! resource; the shared value parsers are here.

mod audit;
mod feedback;
mod quality;
mod reviews;
mod runs;
mod timeline;
mod usage;
mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use airlock_core::{Error, Result, Timestamp};
use airlock_store::MAX_PAGE_LIMIT;

pub use audit::{ListAuditParams, VerifyAuditParams};
pub use feedback::ListFeedbackParams;
pub use quality::QualityParams;
pub use reviews::{review_filter_from_query, ListReviewsParams};
pub use runs::{ListQuarantineParams, ListRunsParams};
pub use timeline::TimelineParams;
pub use usage::UsageParams;
pub use webhooks::ListDeliveriesParams;

/// `?view=` of a run read: `false` for `redacted` (the default), `true`
/// for `raw`.
pub fn parse_view(pairs: Vec<(String, String)>) -> Result<bool> {
    let mut raw = false;
    for (_, value) in checked(pairs, &["view"])? {
        raw = match value.as_str() {
            "redacted" => false,
            "raw" => true,
            other => {
                return Err(Error::invalid_input(format!("`view` is `{other}`"))
                    .with_field("view")
                    .with_hint("use `redacted` (the default) or `raw`"))
            }
        };
    }
    Ok(raw)
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

/// One of a word enum's words; its error names the enum's field, which is
/// the parameter's name (`decision`, `status`, `event`).
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

/// `true` or `false`, nothing else.
fn parse_bool(value: &str, field: &str) -> Result<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(
            Error::invalid_input(format!("{field} `{other}` is neither true nor false"))
                .with_field(field)
                .with_hint(format!("use {field}=true or {field}=false")),
        ),
    }
}

/// A human-readable duration such as `30m`, `2h 30m` or `1day`.
fn parse_duration(value: &str, field: &str) -> Result<Duration> {
    humantime::parse_duration(value).map_err(|e| {
        Error::invalid_input(format!("{field} `{value}` is not a duration: {e}"))
            .with_field(field)
            .with_hint("write durations like 90s, 30m, 2h or 1day")
    })
}

/// An RFC 3339 instant.
fn parse_time(value: &str, field: &str) -> Result<Timestamp> {
    Timestamp::parse_rfc3339(value).map_err(|e| name_field(e, field))
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
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
