//! How long to wait before a retry: full-jitter exponential backoff, and
//! the provider's `Retry-After` when it gave one.

use std::time::Duration;

use rand::Rng;

use crate::attempt::AttemptError;

/// `min(max, base * 2^retry)`, without overflow.
pub(super) fn backoff_ceiling(retry: u32, base: Duration, max: Duration) -> Duration {
    let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(max).min(max)
}

/// The wait before retry number `retry` (0 for the first), or `None` to
/// give up: a `Retry-After` longer than `max` is not waited out.
pub(super) fn retry_wait(
    retry: u32,
    error: &AttemptError,
    base: Duration,
    max: Duration,
    rng: &mut impl Rng,
) -> Option<Duration> {
    let ceiling = backoff_ceiling(retry, base, max);
    let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    let jitter = Duration::from_nanos(rng.random_range(0..=ceiling_nanos));
    match error.retry_after {
        Some(asked) if asked > max => None,
        Some(asked) => Some(asked.max(jitter)),
        None => Some(jitter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attempt::FailureKind;

    const BASE: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(1);

    #[test]
    fn ceiling_doubles_up_to_the_max() {
        assert_eq!(backoff_ceiling(0, BASE, MAX), BASE);
        assert_eq!(backoff_ceiling(2, BASE, MAX), Duration::from_millis(400));
        assert_eq!(backoff_ceiling(4, BASE, MAX), MAX);
        assert_eq!(backoff_ceiling(200, BASE, MAX), MAX);
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let error = AttemptError::new(FailureKind::ServerError, "x");
        let mut rng = rand::rng();
        for retry in 0..8 {
            for _ in 0..200 {
                let wait = retry_wait(retry, &error, BASE, MAX, &mut rng).unwrap();
                assert!(wait <= backoff_ceiling(retry, BASE, MAX));
            }
        }
    }

    #[test]
    fn retry_after_is_a_floor_unless_too_long() {
        let mut rng = rand::rng();
        let asked = AttemptError::new(FailureKind::RateLimited, "x")
            .with_retry_after(Some(Duration::from_millis(700)));
        for _ in 0..100 {
            let wait = retry_wait(0, &asked, BASE, MAX, &mut rng).unwrap();
            assert_eq!(wait, Duration::from_millis(700));
        }
        let too_long = asked.with_retry_after(Some(Duration::from_secs(5)));
        assert_eq!(retry_wait(0, &too_long, BASE, MAX, &mut rng), None);
    }
}
