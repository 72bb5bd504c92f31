//! The circuit breaker of one provider and model: closed, open after
//! enough consecutive tripping failures, then half-open for exactly one
//! probe whose outcome closes or reopens it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::telemetry;

/// What callers see of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls fail at once with `CircuitOpen`.
    Open,
    /// The open time is over: the next call is the probe.
    HalfOpen,
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// How an admitted call ended, for the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The provider answered (also: a failure that does not trip the
    /// breaker, like `429` or `400`: the endpoint is up).
    Healthy,
    /// A failure whose kind trips the breaker.
    Unhealthy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Normal,
    Probe,
}

/// One breaker; `failures == 0` never opens.
#[derive(Debug)]
pub(super) struct CircuitBreaker {
    failures: u32,
    open_for: Duration,
    inner: Mutex<Inner>,
}

impl CircuitBreaker {
    pub(super) fn new(failures: u32, open_for: Duration) -> Self {
        CircuitBreaker {
            failures,
            open_for,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state is a few plain fields: a panic elsewhere cannot leave
        // it half-written, so a poisoned lock is still good.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn state(&self) -> BreakerState {
        match *self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { until } if Instant::now() < until => BreakerState::Open,
            Inner::Open { .. } | Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// How long until an open breaker lets its probe through (`None`:
    /// not open, or its probe is already under way).
    pub(super) fn reopens_in(&self) -> Option<Duration> {
        match *self.lock() {
            Inner::Open { until } => Some(until.saturating_duration_since(Instant::now())),
            Inner::Closed { .. } | Inner::HalfOpen { .. } => None,
        }
    }

    /// A ticket for one call, or `None` when the call must not be made.
    pub(super) fn admit(self: &Arc<Self>, provider: &str, model: &str) -> Option<BreakerTicket> {
        let pass = {
            let mut inner = self.lock();
            match *inner {
                Inner::Closed { .. } => Pass::Normal,
                Inner::Open { until } if Instant::now() < until => return None,
                Inner::HalfOpen { probing: true } => return None,
                Inner::Open { .. } | Inner::HalfOpen { probing: false } => {
                    *inner = Inner::HalfOpen { probing: true };
                    Pass::Probe
                }
            }
        };
        Some(BreakerTicket {
            breaker: Arc::clone(self),
            pass,
            provider: provider.to_owned(),
            model: model.to_owned(),
            done: false,
        })
    }

    fn record(&self, pass: Pass, outcome: Outcome) -> BreakerState {
        let mut inner = self.lock();
        let next = match (&*inner, pass, outcome) {
            (Inner::Closed { .. }, _, Outcome::Healthy) => Inner::Closed { failures: 0 },
            (Inner::Closed { failures }, _, Outcome::Unhealthy) => {
                let failures = failures.saturating_add(1);
                if self.failures > 0 && failures >= self.failures {
                    Inner::Open {
                        until: Instant::now() + self.open_for,
                    }
                } else {
                    Inner::Closed { failures }
                }
            }
            (Inner::HalfOpen { .. }, Pass::Probe, Outcome::Healthy) => {
                Inner::Closed { failures: 0 }
            }
            (Inner::HalfOpen { .. }, Pass::Probe, Outcome::Unhealthy) => Inner::Open {
                until: Instant::now() + self.open_for,
            },
            // A call admitted before the breaker opened, ending late:
            // the probe decides, not it.
            (Inner::Open { until }, _, _) => Inner::Open { until: *until },
            (Inner::HalfOpen { probing }, Pass::Normal, _) => Inner::HalfOpen { probing: *probing },
        };
        *inner = next;
        match *inner {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// A probe that ended without an outcome (cancelled): let another try.
    fn release(&self, pass: Pass) {
        if pass == Pass::Probe {
            let mut inner = self.lock();
            if let Inner::HalfOpen { .. } = *inner {
                *inner = Inner::HalfOpen { probing: false };
            }
        }
    }
}

/// Leave to make one call; reports its outcome once (dropped unreported:
/// the call was cancelled and counts for nothing).
#[derive(Debug)]
pub(super) struct BreakerTicket {
    breaker: Arc<CircuitBreaker>,
    pass: Pass,
    provider: String,
    model: String,
    done: bool,
}

impl BreakerTicket {
    pub(super) fn finish(mut self, outcome: Outcome) {
        self.report(outcome);
    }

    pub(super) fn report(&mut self, outcome: Outcome) {
        if !self.done {
            self.done = true;
            let state = self.breaker.record(self.pass, outcome);
            telemetry::breaker_state(&self.provider, &self.model, state);
        }
    }
}

impl Drop for BreakerTicket {
    fn drop(&mut self) {
        if !self.done {
            self.breaker.release(self.pass);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Arc<CircuitBreaker> {
        Arc::new(CircuitBreaker::new(2, Duration::from_secs(10)))
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_consecutive_failures() {
        let breaker = breaker();
        breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        breaker.admit("p", "m").unwrap().finish(Outcome::Healthy);
        breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        assert_eq!(breaker.state(), BreakerState::Closed);
        breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(breaker.admit("p", "m").is_none());
        assert_eq!(breaker.reopens_in(), Some(Duration::from_secs(10)));
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(breaker.reopens_in(), Some(Duration::from_secs(6)));
    }

    #[tokio::test(start_paused = true)]
    async fn one_probe_then_closed_or_open_again() {
        let breaker = breaker();
        for _ in 0..2 {
            breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        }
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        let probe = breaker.admit("p", "m").unwrap();
        assert!(breaker.admit("p", "m").is_none(), "only one probe");
        assert_eq!(
            breaker.reopens_in(),
            None,
            "when the probe ends is not known"
        );
        probe.finish(Outcome::Unhealthy);
        assert_eq!(breaker.state(), BreakerState::Open);
        tokio::time::advance(Duration::from_secs(10)).await;
        breaker.admit("p", "m").unwrap().finish(Outcome::Healthy);
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_probe_frees_the_slot() {
        let breaker = breaker();
        for _ in 0..2 {
            breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        }
        tokio::time::advance(Duration::from_secs(10)).await;
        drop(breaker.admit("p", "m").unwrap());
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        assert!(breaker.admit("p", "m").is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn zero_threshold_never_opens() {
        let breaker = Arc::new(CircuitBreaker::new(0, Duration::from_secs(1)));
        for _ in 0..10 {
            breaker.admit("p", "m").unwrap().finish(Outcome::Unhealthy);
        }
        assert_eq!(breaker.state(), BreakerState::Closed);
    }
}
