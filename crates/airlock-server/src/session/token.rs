//! Session tokens: what the `airlock_session` cookie holds, and the CSRF
//! token derived from it.
//!
//! A token is `v1.<key id>.<expires, unix seconds>.<nonce>.<MAC>`, the MAC
//! an HMAC-SHA256 under the server's session key. It is stateless, so every
//! replica sharing the key accepts it, and it never holds the API key's
//! secret: signing in proves the secret once, and each request then loads
//! the key by id (a revoked or expired key ends its sessions at once). The
//! CSRF token is another HMAC of the session token, so a page can only know
//! it by having been given it by the server. Hand-written because it is a
//! few lines over `hmac`; a cookie-session crate would bring its own store
//! and key handling we do not want.

use std::fmt;

use airlock_core::{Error, Result};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const VERSION: &str = "v1";
/// Longest cookie value read (a token is about 110 bytes).
pub const MAX_TOKEN_BYTES: usize = 512;

/// The key that signs session tokens. Its `Debug` never shows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionKey([u8; 32]);

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<secret>)")
    }
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    pub key_id: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Unique per sign-in; what signing out revokes.
    pub nonce: String,
}

impl SessionClaims {
    /// Claims for a new sign-in: `key_id` until `expires_at`, a fresh nonce.
    pub fn new(key_id: &str, expires_at: i64) -> Self {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        SessionClaims {
            key_id: key_id.to_string(),
            expires_at,
            nonce: hex::encode(nonce),
        }
    }
}

impl SessionKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        SessionKey(bytes)
    }

    /// A random key (tests and servers whose sessions need not outlive them).
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SessionKey(bytes)
    }

    /// A new token for `key_id` valid until `expires_at` (unix seconds).
    pub fn issue(&self, key_id: &str, expires_at: i64) -> String {
        self.sign(&SessionClaims::new(key_id, expires_at))
    }

    /// The token that carries `claims`.
    pub fn sign(&self, claims: &SessionClaims) -> String {
        let body = format!(
            "{VERSION}.{}.{}.{}",
            claims.key_id, claims.expires_at, claims.nonce
        );
        let mac = hex::encode(self.mac(b"session", body.as_bytes()));
        format!("{body}.{mac}")
    }

    /// The claims of `token` if this key signed it and it has not expired
    /// at `now` (unix seconds); otherwise why not.
    pub fn verify(&self, token: &str, now: i64) -> Result<SessionClaims> {
        let refused = |why: &str| {
            Error::unauthenticated(format!("the session cookie {why}"))
                .with_hint("sign in again at /ui")
        };
        if token.len() > MAX_TOKEN_BYTES {
            return Err(refused("is too long"));
        }
        let (body, mac) = token
            .rsplit_once('.')
            .ok_or_else(|| refused("is malformed"))?;
        let mac = hex::decode(mac).map_err(|_| refused("is malformed"))?;
        let mut check = self.hmac(b"session");
        check.update(body.as_bytes());
        check
            .verify_slice(&mac)
            .map_err(|_| refused("was not issued by this server (or its key changed)"))?;
        let parts: Vec<&str> = body.split('.').collect();
        let [version, key_id, expires_at, nonce] = parts[..] else {
            return Err(refused("is malformed"));
        };
        if version != VERSION {
            return Err(refused("has an unknown version"));
        }
        let expires_at: i64 = expires_at.parse().map_err(|_| refused("is malformed"))?;
        if expires_at <= now {
            return Err(refused("has expired"));
        }
        Ok(SessionClaims {
            key_id: key_id.to_string(),
            expires_at,
            nonce: nonce.to_string(),
        })
    }

    /// The CSRF token that goes with the session `token`.
    pub fn csrf_token(&self, token: &str) -> String {
        hex::encode(self.mac(b"csrf", token.as_bytes()))
    }

    /// Whether `offered` is the CSRF token of `token` (constant time).
    pub fn csrf_matches(&self, token: &str, offered: &str) -> bool {
        let Ok(offered) = hex::decode(offered) else {
            return false;
        };
        let mut check = self.hmac(b"csrf");
        check.update(token.as_bytes());
        check.verify_slice(&offered).is_ok()
    }

    fn hmac(&self, purpose: &[u8]) -> HmacSha256 {
        // Domain separation: a session MAC is never a valid CSRF token.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose);
        mac.update(b"\0");
        mac
    }

    fn mac(&self, purpose: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = self.hmac(purpose);
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_verifies_until_it_expires() {
        let key = SessionKey::random();
        let token = key.issue("k1", 1_000);
        let claims = key.verify(&token, 999).expect("valid");
        assert_eq!(claims.key_id, "k1");
        assert_eq!(claims.expires_at, 1_000);
        let err = key.verify(&token, 1_000).expect_err("expired");
        assert!(err.message().contains("expired"), "{}", err.message());
    }

    #[test]
    fn another_key_or_an_altered_token_is_refused() {
        let key = SessionKey::random();
        let token = key.issue("k1", 1_000);
        assert!(SessionKey::random().verify(&token, 0).is_err());
        let longer = token.replacen(".1000.", ".9999.", 1);
        let err = key.verify(&longer, 0).expect_err("altered");
        assert!(err.message().contains("not issued"), "{}", err.message());
        assert!(key.verify("garbage", 0).is_err());
        assert!(key.verify(&"a".repeat(600), 0).is_err());
    }

    #[test]
    fn the_csrf_token_belongs_to_its_session_only() {
        let key = SessionKey::random();
        let a = key.issue("k1", 1_000);
        let b = key.issue("k1", 1_000);
        assert_ne!(a, b, "each sign-in has its own nonce");
        let csrf = key.csrf_token(&a);
        assert!(key.csrf_matches(&a, &csrf));
        assert!(!key.csrf_matches(&b, &csrf));
        assert!(!key.csrf_matches(&a, "zz"));
        assert!(!key.csrf_matches(&a, ""));
        // The session MAC itself is not the CSRF token.
        let mac = a.rsplit_once('.').expect("mac").1;
        assert!(!key.csrf_matches(&a, mac));
    }

    #[test]
    fn debug_never_shows_the_key() {
        assert_eq!(
            format!("{:?}", SessionKey::new([7; 32])),
            "SessionKey(<secret>)"
        );
    }
}
