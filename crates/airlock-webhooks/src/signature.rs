//! The `Airlock-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`,
//! where the MAC is computed with the endpoint's secret over
//! `"<t>.<body>"`. Binding the timestamp into the MAC lets a receiver reject
//! a replayed request once it is older than its tolerance.
//!
//! [`verify`] is what a receiver (and our tests) run: it accepts several
//! `v1=` entries (so a sender can sign with an old and a new secret during a
//! rotation) and compares in constant time.

use std::time::Duration;

use airlock_core::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Airlock-Signature";
/// The header naming the event, e.g. `review.resolved`.
pub const EVENT_HEADER: &str = "Airlock-Event";
/// The header carrying the delivery id (unique per endpoint and event).
pub const DELIVERY_HEADER: &str = "Airlock-Delivery";
/// The header carrying the event id (shared by every endpoint's delivery).
pub const EVENT_ID_HEADER: &str = "Airlock-Event-Id";

/// The signature scheme's version tag in the header.
const SCHEME: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp_secs: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Airlock-Signature` header value for `body` sent at `timestamp_secs`.
pub fn sign(secret: &[u8], timestamp_secs: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp_secs, body).finalize().into_bytes();
    format!("t={timestamp_secs},{SCHEME}={}", hex::encode(tag))
}

/// Checks a received `Airlock-Signature` header against `body` with the
/// shared `secret`: the timestamp must be within `tolerance` of `now_secs`
/// (either way) and one `v1` signature must match.
///
/// Errors: `invalid_input` for a header that cannot be read, `forbidden`
/// for a stale timestamp or a signature that does not match.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_secs: i64,
    tolerance: Duration,
) -> Result<()> {
    let malformed = |why: &str| {
        Error::invalid_input(format!("{SIGNATURE_HEADER} header {why}"))
            .with_field(SIGNATURE_HEADER)
            .with_hint("expected t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">")
    };
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("has an entry without `=`"))?;
        match key {
            "t" => {
                let t: i64 = value
                    .parse()
                    .map_err(|_| malformed("has a timestamp that is not a whole number"))?;
                if timestamp.replace(t).is_some() {
                    return Err(malformed("has more than one timestamp"));
                }
            }
            SCHEME => signatures.push(
                hex::decode(value).map_err(|_| malformed("has a v1 signature that is not hex"))?,
            ),
            // Other schemes are skipped, so new ones can be added.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| malformed("has no timestamp `t=`"))?;
    if signatures.is_empty() {
        return Err(malformed("has no v1 signature"));
    }
    let age = now_secs.abs_diff(timestamp);
    if age > tolerance.as_secs() {
        return Err(Error::forbidden(format!(
            "{SIGNATURE_HEADER} timestamp {timestamp} is {age} s away from now ({now_secs}); at most {} s is accepted",
            tolerance.as_secs()
        ))
        .with_field(SIGNATURE_HEADER)
        .with_hint("a replayed or delayed request, or a clock out of sync"));
    }
    let expected = mac(secret, timestamp, body);
    if signatures
        .iter()
        .any(|sig| expected.clone().verify_slice(sig).is_ok())
    {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{SIGNATURE_HEADER} does not match the body: wrong secret or a modified body"
        ))
        .with_field(SIGNATURE_HEADER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec-0123456789abcdef";
    const BODY: &[u8] = br#"{"id":"e1","type":"review.resolved"}"#;
    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn known_answer_matches_an_independent_implementation() {
        // Python: hmac.new(b"secret-0123456789", b"1714566896.{}",
        // hashlib.sha256).hexdigest()
        assert_eq!(
            sign(b"secret-0123456789", 1_714_566_896, b"{}"),
            "t=1714566896,v1=d0e749e0bd956ffda1bab7106ba9cfdde3d00c3a558e13c042b3fd38551e5c9e"
        );
    }

    #[test]
    fn verify_accepts_what_sign_produced() {
        let header = sign(SECRET, 1_000, BODY);
        verify(SECRET, &header, BODY, 1_000, FIVE_MINUTES).expect("valid");
        verify(SECRET, &header, BODY, 1_299, FIVE_MINUTES).expect("within tolerance");
    }

    #[test]
    fn a_tampered_body_or_a_wrong_secret_is_forbidden() {
        let header = sign(SECRET, 1_000, BODY);
        let tampered = br#"{"id":"e1","type":"review.created"}"#;
        let err = verify(SECRET, &header, tampered, 1_000, FIVE_MINUTES).unwrap_err();
        assert_eq!(err.kind(), airlock_core::ErrorKind::Forbidden);
        assert!(
            err.message().contains("does not match"),
            "{}",
            err.message()
        );
        let err = verify(b"another-secret-xyz", &header, BODY, 1_000, FIVE_MINUTES).unwrap_err();
        assert_eq!(err.kind(), airlock_core::ErrorKind::Forbidden);
    }

    #[test]
    fn a_changed_timestamp_breaks_the_signature() {
        let header = sign(SECRET, 1_000, BODY);
        let moved = header.replace("t=1000", "t=1001");
        assert!(verify(SECRET, &moved, BODY, 1_001, FIVE_MINUTES).is_err());
    }

    #[test]
    fn stale_and_future_timestamps_are_rejected() {
        let header = sign(SECRET, 1_000, BODY);
        let err = verify(SECRET, &header, BODY, 1_301, FIVE_MINUTES).unwrap_err();
        assert_eq!(err.kind(), airlock_core::ErrorKind::Forbidden);
        assert!(err.message().contains("301 s away"), "{}", err.message());
        assert!(verify(SECRET, &header, BODY, 699, FIVE_MINUTES).is_err());
    }

    #[test]
    fn any_matching_v1_entry_is_enough_and_other_schemes_are_skipped() {
        let good = sign(SECRET, 1_000, BODY);
        let good_sig = good.split_once("v1=").expect("v1").1;
        let header = format!("t=1000,v0=abc,v1={},v1={good_sig}", "00".repeat(32));
        verify(SECRET, &header, BODY, 1_000, FIVE_MINUTES).expect("second v1 matches");
    }

    #[test]
    fn malformed_headers_are_invalid_input() {
        for header in [
            "",
            "t=1000",
            "v1=00",
            "t=abc,v1=00",
            "t=1000,v1=zz",
            "t=1000,t=1000,v1=00",
            "garbage",
        ] {
            let err = verify(SECRET, header, BODY, 1_000, FIVE_MINUTES).unwrap_err();
            assert_eq!(
                err.kind(),
                airlock_core::ErrorKind::InvalidInput,
                "{header}: {}",
                err.message()
            );
        }
    }
}
