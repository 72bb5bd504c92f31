//! `GET /v1/runs/{id}/feedback` parameters.

use airlock_core::{Result, RunId};
use airlock_store::FeedbackFilter;
use utoipa::IntoParams;

use super::{checked, parse_bool, parse_limit};

/// Which of a run's feedback records to list, newest first.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFeedbackParams {
    /// `true`: only records that carry a label.
    pub labelled: Option<bool>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

impl ListFeedbackParams {
    pub const NAMES: &'static [&'static str] = &["labelled", "limit", "cursor"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListFeedbackParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "labelled" => params.labelled = Some(parse_bool(&value, "labelled")?),
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    /// The filter for run `run_id`'s feedback.
    pub fn into_filter(self, run_id: RunId) -> FeedbackFilter {
        FeedbackFilter {
            workflow: None,
            run_id: Some(run_id),
            labelled: self.labelled.unwrap_or(false),
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
    fn parameters_land_in_the_filter_and_mistakes_are_named() {
        let run = RunId::new();
        let filter = ListFeedbackParams::parse(pairs(&[
            ("labelled", "true"),
            ("limit", "2"),
            ("cursor", "c"),
        ]))
        .expect("valid")
        .into_filter(run);
        assert_eq!(filter.run_id, Some(run));
        assert!(filter.labelled);
        assert_eq!(
            (filter.limit, filter.cursor.as_deref()),
            (Some(2), Some("c"))
        );
        for (name, value) in [("labelled", "1"), ("limit", "-1"), ("key", "k")] {
            let err = ListFeedbackParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{err}");
        }
    }
}
