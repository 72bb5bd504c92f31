//! The open-loop schedule: one spawned task per request at its scheduled
//! instant, whatever the number in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::args::Config;
use super::recorder::{Outcome, Recorder};
use super::summary::Summary;

/// How early the generator may wake before a request's scheduled time.
const TIMER_SLACK: Duration = Duration::from_millis(1);

/// Runs the warm-up and the measured part, then waits for the stragglers
/// (at most the request timeout) and summarises the measured part.
pub async fn run(config: &Config) -> Result<Summary, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(100_000)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .http1_only()
        .no_proxy()
        .timeout(config.timeout)
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))?;
    let recorder = Arc::new(Recorder::new());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let interval = 1.0 / config.rate;
    let warmup_count = (config.warmup.as_secs_f64() * config.rate).round() as u64;
    let measured_count = (config.duration.as_secs_f64() * config.rate).round() as u64;
    let start = Instant::now() + Duration::from_millis(10) + TIMER_SLACK;
    let mut sent = 0u64;
    let mut first_counted: Option<Instant> = None;
    let mut last_counted = start;

    for index in 0..warmup_count + measured_count {
        let scheduled = start + Duration::from_secs_f64(index as f64 * interval);
        // Tokio's timer rounds up to whole milliseconds: wake up to one
        // early rather than late, and time from whichever came first, the
        // schedule or the send (late sends count their lag; early ones are
        // not credited for being early).
        tokio::time::sleep_until((scheduled - TIMER_SLACK).into()).await;
        let origin = scheduled.min(Instant::now());
        let counted = index >= warmup_count;
        if counted {
            sent += 1;
            let now = Instant::now();
            first_counted.get_or_insert(now);
            last_counted = now;
        }
        if in_flight.load(Ordering::Relaxed) >= config.max_in_flight {
            if counted {
                recorder.record(Outcome::Failed("dropped"), Duration::ZERO);
            }
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let request = client
            .post(config.url.clone())
            .headers(config.headers.clone())
            .body(config.body.clone());
        let recorder = Arc::clone(&recorder);
        let in_flight = Arc::clone(&in_flight);
        tokio::spawn(async move {
            let outcome = send(request).await;
            if counted {
                recorder.record(outcome, origin.elapsed());
            }
            in_flight.fetch_sub(1, Ordering::Relaxed);
        });
    }

    let deadline = Instant::now() + config.timeout + Duration::from_secs(1);
    while in_flight.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let unfinished = in_flight.load(Ordering::Relaxed) as u64;
    let tally = recorder.snapshot();
    let window_start = first_counted.unwrap_or(start);
    Ok(Summary::new(
        config,
        sent,
        unfinished,
        last_counted.saturating_duration_since(window_start),
        tally
            .last_done
            .map(|done| done.saturating_duration_since(window_start)),
        tally,
    ))
}

/// Sends one request and reads its whole body.
async fn send(request: reqwest::RequestBuilder) -> Outcome {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Failed(kind_of(&error)),
    };
    let status = response.status();
    match response.bytes().await {
        Ok(_) if status.is_success() => Outcome::Ok,
        Ok(_) => Outcome::Status(status.as_u16()),
        Err(error) if error.is_timeout() => Outcome::Failed("timeout"),
        Err(_) => Outcome::Failed("body"),
    }
}

fn kind_of(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "request"
    }
}
