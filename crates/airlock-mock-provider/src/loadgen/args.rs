//! The load generator's flags, and the checked configuration they become.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

/// The body sent when no `--body-file` is given.
pub const DEFAULT_BODY: &str =
    r#"{"model":"mock-chat","messages":[{"role":"user","content":"hello there"}],"max_tokens":16}"#;

/// Send POST requests at a constant rate and report latency percentiles.
#[derive(Debug, clap::Parser)]
#[command(name = "airlock-loadgen", version)]
pub struct Args {
    /// Where to POST, e.g. http://127.0.0.1:9100/v1/chat/completions.
    #[arg(long)]
    pub url: String,
    /// Requests per second (open loop).
    #[arg(long)]
    pub rate: f64,
    /// How long the measured part lasts (e.g. 10s).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// A first part at the same rate that is sent but not counted.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// An extra request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The JSON body to POST (default: a small chat completion request).
    #[arg(long)]
    pub body_file: Option<std::path::PathBuf>,
    /// Per-request timeout (the whole response, body included).
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
    /// Requests in flight past which new ones are dropped (counted failed).
    #[arg(long, default_value_t = 20_000)]
    pub max_in_flight: usize,
    /// Runtime threads (1: a current-thread runtime, leaving cores free).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print one JSON summary line instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a run needs, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub url: reqwest::Url,
    pub rate: f64,
    pub duration: Duration,
    pub warmup: Duration,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
    pub max_in_flight: usize,
}

impl Args {
    /// Checks the flags and reads the body file.
    pub fn config(&self) -> Result<Config, String> {
        let url = reqwest::Url::parse(&self.url).map_err(|e| format!("--url: {e}"))?;
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return Err("--rate must be a positive number".into());
        }
        if self.duration.is_zero() {
            return Err("--duration must be positive".into());
        }
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for header in &self.headers {
            let (name, value) = header
                .split_once(':')
                .ok_or_else(|| format!("--header {header:?}: expected 'Name: value'"))?;
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|e| format!("--header {header:?}: {e}"))?;
            let value = HeaderValue::from_str(value.trim())
                .map_err(|e| format!("--header {header:?}: {e}"))?;
            headers.insert(name, value);
        }
        let body = match &self.body_file {
            Some(path) => std::fs::read(path)
                .map_err(|e| format!("--body-file {}: {e}", path.display()))?
                .into(),
            None => Bytes::from_static(DEFAULT_BODY.as_bytes()),
        };
        Ok(Config {
            url,
            rate: self.rate,
            duration: self.duration,
            warmup: self.warmup,
            headers,
            body,
            timeout: self.timeout,
            max_in_flight: self.max_in_flight.max(1),
        })
    }
}
