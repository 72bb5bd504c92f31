//! The result of a run: counts, rates and latency percentiles, printed as
//! text or as one JSON line.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::args::Config;
use super::recorder::Tally;

/// Latency percentiles of the successful requests, in microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

/// What one run measured (its warm-up excluded).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub url: String,
    pub target_rate: f64,
    pub duration_s: f64,
    /// Requests scheduled in the measured part (dropped ones included).
    pub sent: u64,
    /// 2xx responses read in full.
    pub ok: u64,
    /// Failures by kind: `status_NNN`, `timeout`, `connect`, `body`,
    /// `request`, `dropped`, `unfinished`.
    pub errors: BTreeMap<String, u64>,
    /// `ok / sent`.
    pub success_rate: f64,
    /// Requests issued per second over the measured part.
    pub send_rate: f64,
    /// Successes per second, from the first measured send to the last
    /// measured completion.
    pub achieved_rate: f64,
    pub latency_us: Latency,
}

impl Summary {
    pub(crate) fn new(
        config: &Config,
        sent: u64,
        unfinished: u64,
        send_span: Duration,
        done_span: Option<Duration>,
        mut tally: Tally,
    ) -> Self {
        if unfinished > 0 {
            *tally.errors.entry("unfinished".into()).or_default() += unfinished;
        }
        let per_second = |count: u64, span: Duration| {
            let seconds = span.as_secs_f64();
            if seconds > 0.0 {
                count as f64 / seconds
            } else {
                0.0
            }
        };
        // n requests spaced 1/rate apart span (n - 1)/rate.
        let send_span = send_span + Duration::from_secs_f64(1.0 / config.rate);
        let histogram = &tally.latency_us;
        let empty = histogram.is_empty();
        let at = |quantile: f64| {
            if empty {
                0
            } else {
                histogram.value_at_quantile(quantile)
            }
        };
        Summary {
            url: config.url.to_string(),
            target_rate: config.rate,
            duration_s: config.duration.as_secs_f64(),
            sent,
            ok: tally.ok,
            success_rate: if sent == 0 {
                0.0
            } else {
                tally.ok as f64 / sent as f64
            },
            send_rate: per_second(sent, send_span),
            achieved_rate: done_span.map_or(0.0, |span| per_second(tally.ok, span)),
            latency_us: Latency {
                p50: at(0.50),
                p90: at(0.90),
                p99: at(0.99),
                p999: at(0.999),
                max: if empty { 0 } else { histogram.max() },
                mean: if empty { 0.0 } else { histogram.mean() },
            },
            errors: tally.errors,
        }
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "url:          {}", self.url)?;
        writeln!(
            f,
            "target:       {:.0} req/s for {:.1}s",
            self.target_rate, self.duration_s
        )?;
        writeln!(
            f,
            "sent:         {}   ok: {}   success: {:.3}%",
            self.sent,
            self.ok,
            self.success_rate * 100.0
        )?;
        if !self.errors.is_empty() {
            let errors: Vec<String> = self
                .errors
                .iter()
                .map(|(kind, count)| format!("{kind}={count}"))
                .collect();
            writeln!(f, "errors:       {}", errors.join(" "))?;
        }
        writeln!(
            f,
            "rates:        sent {:.1}/s   achieved {:.1}/s",
            self.send_rate, self.achieved_rate
        )?;
        let l = &self.latency_us;
        write!(
            f,
            "latency (us): p50={} p90={} p99={} p99.9={} max={} mean={:.0}",
            l.p50, l.p90, l.p99, l.p999, l.max, l.mean
        )
    }
}
