//! The retry schedule, as pure functions: after failed attempt `n` the
//! delivery waits `min(retry_base * 2^(n-1), retry_max)`, shortened by a
//! random 0–20 % so that endpoints failing together do not retry in
//! lockstep; after `max_attempts` failures it is given up.

use std::time::Duration;

use airlock_config::WebhookDeliverySettings;
use airlock_core::Timestamp;
use airlock_store::DeliveryNext;

/// The largest share of a wait that jitter removes.
pub const JITTER_FRACTION: f64 = 0.2;

/// The wait after failed attempt `attempt` (1-based) before jitter.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration) -> Duration {
    let doublings = attempt.saturating_sub(1).min(63);
    let factor = 1u64 << doublings;
    let nanos = base.as_nanos().saturating_mul(u128::from(factor));
    if nanos >= max.as_nanos() {
        max
    } else {
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// `delay` shortened by `JITTER_FRACTION * unit`, with `unit` in `[0, 1)`
/// (clamped), so the result stays in `(0.8 * delay, delay]`.
pub fn with_jitter(delay: Duration, unit: f64) -> Duration {
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    delay.mul_f64(1.0 - JITTER_FRACTION * unit)
}

/// What becomes of a delivery whose attempt number `attempt` (1-based)
/// failed at `now`: retried after the jittered wait, or given up once
/// `max_attempts` have been made. `unit` is the jitter's random draw.
pub fn after_failure(
    attempt: u32,
    now: Timestamp,
    settings: &WebhookDeliverySettings,
    unit: f64,
) -> DeliveryNext {
    if attempt >= settings.max_attempts {
        return DeliveryNext::GiveUp;
    }
    let wait = with_jitter(
        retry_delay(attempt, settings.retry_base, settings.retry_max),
        unit,
    );
    let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    let at = Timestamp::from_unix_ms(now.unix_ms().saturating_add(wait_ms))
        // Beyond year 9999: as good as never, but keep it representable.
        .unwrap_or(now);
    DeliveryNext::RetryAt(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_wait_doubles_from_the_base_up_to_the_cap() {
        let waits: Vec<u64> = (1..=12)
            .map(|n| retry_delay(n, secs(1), secs(600)).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
    }

    #[test]
    fn huge_attempt_numbers_stay_at_the_cap() {
        assert_eq!(retry_delay(64, secs(1), secs(600)), secs(600));
        assert_eq!(retry_delay(u32::MAX, secs(3600), secs(7200)), secs(7200));
        assert_eq!(
            retry_delay(0, secs(5), secs(600)),
            secs(5),
            "attempt 0 reads as 1"
        );
    }

    #[test]
    fn jitter_only_shortens_by_at_most_a_fifth() {
        let d = secs(100);
        assert_eq!(with_jitter(d, 0.0), d);
        assert_eq!(with_jitter(d, 0.5), secs(90));
        assert_eq!(with_jitter(d, 1.0), secs(80));
        assert_eq!(with_jitter(d, 7.0), secs(80), "clamped");
        assert_eq!(with_jitter(d, f64::NAN), d);
    }

    #[test]
    fn failures_retry_until_max_attempts_then_give_up() {
        let settings = WebhookDeliverySettings {
            max_attempts: 3,
            timeout: secs(10),
            retry_base: secs(2),
            retry_max: secs(600),
        };
        let now = Timestamp::from_unix_ms(1_000_000).expect("in range");
        let at = |ms| DeliveryNext::RetryAt(Timestamp::from_unix_ms(ms).expect("in range"));
        assert_eq!(after_failure(1, now, &settings, 0.0), at(1_002_000));
        assert_eq!(after_failure(2, now, &settings, 0.0), at(1_004_000));
        assert_eq!(after_failure(2, now, &settings, 1.0), at(1_003_200));
        assert_eq!(after_failure(3, now, &settings, 0.0), DeliveryNext::GiveUp);
        assert_eq!(after_failure(9, now, &settings, 0.0), DeliveryNext::GiveUp);
    }
}
