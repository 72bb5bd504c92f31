//! A workflow's runs over time (`GET /v1/workflows/{name}/timeline`),
//! built from the engine's `Timeline`.

use serde::Serialize;
use utoipa::ToSchema;

use super::DecisionTallyView;

/// A workflow's runs over time, oldest bucket first, every bucket present.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineView {
    pub workflow: String,
    #[schema(format = DateTime)]
    pub since: String,
    /// Bucket size in seconds.
    pub bucket_seconds: f64,
    pub buckets: Vec<TimelineBucketView>,
    /// Whether the window held more runs than were read (the newest 100 000 count).
    pub truncated: bool,
}

/// One bucket of a [`TimelineView`].
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineBucketView {
    #[schema(format = DateTime)]
    pub start: String,
    pub runs: u64,
    pub decisions: DecisionTallyView,
    /// Median latency (ms); null when the bucket is empty.
    #[schema(required = true)]
    pub p50_ms: Option<f64>,
    /// 99th percentile latency (ms); null when the bucket is empty.
    #[schema(required = true)]
    pub p99_ms: Option<f64>,
}

impl From<airlock_engine::Timeline> for TimelineView {
    fn from(t: airlock_engine::Timeline) -> Self {
        TimelineView {
            workflow: t.workflow,
            since: t.since.to_string(),
            bucket_seconds: t.bucket.as_secs_f64(),
            truncated: t.truncated,
            buckets: t
                .buckets
                .into_iter()
                .map(|b| TimelineBucketView {
                    start: b.start.to_string(),
                    runs: b.decisions.total(),
                    decisions: DecisionTallyView {
                        auto: b.decisions.auto,
                        review: b.decisions.review,
                        fallback: b.decisions.fallback,
                        block: b.decisions.block,
                    },
                    p50_ms: b.p50_ms,
                    p99_ms: b.p99_ms,
                })
                .collect(),
        }
    }
}
