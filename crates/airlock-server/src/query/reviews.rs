//! `GET /v1/reviews` parameters.

use std::time::Duration;

use airlock_core::{Error, Result, ReviewStatus, Timestamp};
use airlock_store::ReviewFilter;
use utoipa::IntoParams;

use super::{checked, parse_bool, parse_duration, parse_limit, parse_word};
use crate::dto::ReviewStatusView;

/// The review queue's filters; every one narrows the result.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListReviewsParams {
    /// Only tasks of this workflow.
    pub workflow: Option<String>,
    /// Only tasks with this status now (`claimed` while a lease runs).
    #[param(value_type = Option<ReviewStatusView>)]
    pub status: Option<ReviewStatus>,
    /// `true`: only unresolved tasks past their due time; `false`: only the others.
    pub overdue: Option<bool>,
    /// Only tasks whose model suggestion is this label.
    pub label: Option<String>,
    /// Only tasks at least this old, e.g. `30m`, `2h`, `1day`.
    #[param(value_type = Option<String>, example = "30m")]
    pub older_than: Option<Duration>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

impl ListReviewsParams {
    pub const NAMES: &'static [&'static str] = &[
        "workflow",
        "status",
        "overdue",
        "label",
        "older_than",
        "limit",
        "cursor",
    ];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListReviewsParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "workflow" => params.workflow = Some(value),
                "status" => params.status = Some(parse_word(&value)?),
                "overdue" => params.overdue = Some(parse_bool(&value, "overdue")?),
                "label" => params.label = Some(value),
                "older_than" => params.older_than = Some(parse_duration(&value, "older_than")?),
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    /// The store filter with the clock at `now` (statuses, overdue and
    /// `older_than` are judged at that instant).
    pub fn into_filter(self, now: Timestamp) -> Result<ReviewFilter> {
        let created_before = match self.older_than {
            None => None,
            Some(age) => Some(before(now, age)?),
        };
        Ok(ReviewFilter {
            workflows: None,
            workflow: self.workflow,
            status: self.status,
            overdue: self.overdue,
            overdue_notified: None,
            label: self.label,
            created_before,
            now,
            limit: self.limit,
            cursor: self.cursor,
        })
    }
}

/// The review queue filter for the query parameters `pairs` (as
/// `GET /v1/reviews` takes them) judged at `now`; the CLI's database mode
/// uses it so both modes accept and refuse the same values.
pub fn review_filter_from_query(
    pairs: Vec<(String, String)>,
    now: Timestamp,
) -> Result<ReviewFilter> {
    ListReviewsParams::parse(pairs)?.into_filter(now)
}

/// `now - age`, or a 400 naming `older_than` when that is before year -9999.
fn before(now: Timestamp, age: Duration) -> Result<Timestamp> {
    let age_ms = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_ms(now.unix_ms().saturating_sub(age_ms)).map_err(|_| {
        Error::invalid_input(format!(
            "older_than {} reaches before the earliest time there is",
            humantime::format_duration(age)
        ))
        .with_field("older_than")
        .with_hint("use a shorter duration")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn every_parameter_lands_in_the_filter() {
        let now = Timestamp::from_unix_ms(10_000_000).expect("in range");
        let filter = ListReviewsParams::parse(pairs(&[
            ("workflow", "triage"),
            ("status", "claimed"),
            ("overdue", "true"),
            ("label", "card_arrival"),
            ("older_than", "30m"),
            ("limit", "5"),
            ("cursor", "c"),
        ]))
        .expect("valid")
        .into_filter(now)
        .expect("in range");
        assert_eq!(filter.workflow.as_deref(), Some("triage"));
        assert_eq!(filter.status, Some(ReviewStatus::Claimed));
        assert_eq!(filter.overdue, Some(true));
        assert_eq!(filter.label.as_deref(), Some("card_arrival"));
        assert_eq!(
            filter.created_before.map(|t| t.unix_ms()),
            Some(10_000_000 - 30 * 60 * 1000)
        );
        assert_eq!(filter.now, now);
        assert_eq!(
            (filter.limit, filter.cursor.as_deref()),
            (Some(5), Some("c"))
        );
        assert_eq!(filter.overdue_notified, None);
    }

    #[test]
    fn each_bad_value_names_its_parameter() {
        for (name, value) in [
            ("status", "pending"),
            ("overdue", "yes"),
            ("older_than", "half an hour"),
            ("older_than", "30"),
            ("limit", "0"),
            ("label", ""),
            ("decision", "review"),
        ] {
            let err = ListReviewsParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{name}={value}: {err}");
        }
        let err = ListReviewsParams::parse(pairs(&[("status", "pending")])).expect_err("bad");
        assert!(
            err.hint().is_some_and(|h| h.contains("open, claimed")),
            "the hint lists the statuses: {err:?}"
        );
    }

    #[test]
    fn an_age_before_all_time_is_refused() {
        let now = Timestamp::from_unix_ms(0).expect("in range");
        let err = ListReviewsParams::parse(pairs(&[("older_than", "100000000years")]))
            .expect("parses")
            .into_filter(now)
            .expect_err("out of range");
        assert_eq!(err.field(), Some("older_than"));
    }
}
