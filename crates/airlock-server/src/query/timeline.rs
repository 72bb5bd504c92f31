//! `GET /v1/workflows/{name}/timeline` parameters.

use std::time::Duration;

use airlock_core::{Result, Timestamp};
use utoipa::IntoParams;

use super::{checked, parse_duration, parse_time};

/// The window and bucket size of a timeline.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// The window's start (RFC 3339); default 24 hours ago.
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Bucket size, e.g. `5m`, `1h` (default `1h`); at most 1000 buckets.
    #[param(value_type = Option<String>, example = "1h")]
    pub bucket: Option<Duration>,
}

impl TimelineParams {
    pub const NAMES: &'static [&'static str] = &["since", "bucket"];
    /// The window when `since` is absent.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);
    pub const DEFAULT_BUCKET: Duration = Duration::from_secs(3600);

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = TimelineParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            if name == "since" {
                params.since = Some(parse_time(&value, "since")?);
            } else {
                params.bucket = Some(parse_duration(&value, "bucket")?);
            }
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn since_and_bucket_parse_and_others_are_refused() {
        let params = TimelineParams::parse(pairs(&[
            ("since", "2024-05-01T00:00:00Z"),
            ("bucket", "5m"),
        ]))
        .expect("valid");
        assert_eq!(params.bucket, Some(Duration::from_secs(300)));
        for (name, value) in [("bucket", "soon"), ("since", "x"), ("until", "1h")] {
            let err = TimelineParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{err}");
        }
    }
}
