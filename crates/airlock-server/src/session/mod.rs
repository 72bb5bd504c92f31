//! Browser sessions for the dashboard: an API key exchanged once for a
//! signed `airlock_session` cookie (`HttpOnly`, `SameSite=Strict`,
//! `Secure` unless turned off), and the CSRF token every state-changing
//! request made with that cookie must send back in `X-CSRF-Token`.
//!
//! [`token`] makes and checks the cookie's value; [`Sessions`] adds the
//! options and the sign-outs of this process; [`cookie`] reads and writes
//! the headers.

pub mod cookie;
pub mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airlock_core::{Error, Result};

pub use token::{SessionClaims, SessionKey};

/// Seconds since the Unix epoch: the clock sessions are issued and checked by.
pub fn now_secs() -> i64 {
    airlock_core::Timestamp::now().unix_ms() / 1000
}

/// The header a signed-in page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How sessions are made: the signing key, their lifetime, the cookie flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    pub key: SessionKey,
    pub ttl: Duration,
    pub secure_cookie: bool,
}

impl SessionOptions {
    /// 8 hours.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(8 * 3600);
}

impl Default for SessionOptions {
    /// A random key: sessions end with the process.
    fn default() -> Self {
        SessionOptions {
            key: SessionKey::random(),
            ttl: Self::DEFAULT_TTL,
            secure_cookie: true,
        }
    }
}

/// The session options and the sessions signed out in this process (a
/// signed-out token is refused until it would have expired anyway; other
/// replicas learn of it only when the key is revoked).
#[derive(Debug, Clone)]
pub struct Sessions {
    pub options: SessionOptions,
    signed_out: Arc<Mutex<HashMap<String, i64>>>,
}

/// One verified session of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub claims: SessionClaims,
    /// The cookie's value (the CSRF token is derived from it).
    pub token: String,
}

impl Sessions {
    pub fn new(options: SessionOptions) -> Self {
        Sessions {
            options,
            signed_out: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A new session for `key_id`, lasting the configured time from `now`.
    pub fn issue(&self, key_id: &str, now: i64) -> Session {
        let expires_at = now.saturating_add(self.options.ttl.as_secs() as i64);
        let claims = SessionClaims::new(key_id, expires_at);
        let token = self.options.key.sign(&claims);
        Session { claims, token }
    }

    /// The session `token` stands for at `now`, unless it is forged,
    /// expired or signed out.
    pub fn verify(&self, token: &str, now: i64) -> Result<Session> {
        let claims = self.options.key.verify(token, now)?;
        if self.lock().contains_key(&claims.nonce) {
            return Err(Error::unauthenticated("the session was signed out")
                .with_hint("sign in again at /ui"));
        }
        Ok(Session {
            claims,
            token: token.to_string(),
        })
    }

    /// Refuses `session` from now on (and forgets sign-outs already expired).
    pub fn sign_out(&self, session: &Session, now: i64) {
        let mut signed_out = self.lock();
        signed_out.retain(|_, expires_at| *expires_at > now);
        signed_out.insert(session.claims.nonce.clone(), session.claims.expires_at);
    }

    /// The CSRF token of `session`.
    pub fn csrf_token(&self, session: &Session) -> String {
        self.options.key.csrf_token(&session.token)
    }

    /// Checks the CSRF token a state-changing request sent with `session`
    /// (empty: the header is missing).
    pub fn check_csrf(&self, session: &Session, offered: &str) -> Result<()> {
        if offered.is_empty() {
            return Err(Error::forbidden(
                "the request is signed in by cookie but has no X-CSRF-Token header",
            )
            .with_field("X-CSRF-Token")
            .with_hint("send the csrf_token of GET /v1/session with every POST"));
        }
        if self.options.key.csrf_matches(&session.token, offered) {
            Ok(())
        } else {
            Err(
                Error::forbidden("the X-CSRF-Token header does not belong to this session")
                    .with_field("X-CSRF-Token")
                    .with_hint("reload the page to get this session's token"),
            )
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        // A poisoned map only ever held complete inserts; keep using it.
        self.signed_out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_out_session_is_refused_and_others_are_not() {
        let sessions = Sessions::new(SessionOptions::default());
        let a = sessions.issue("k1", 100).token;
        let b = sessions.issue("k1", 100).token;
        let session = sessions.verify(&a, 100).expect("valid");
        sessions.sign_out(&session, 100);
        let err = sessions.verify(&a, 101).expect_err("signed out");
        assert!(err.message().contains("signed out"), "{}", err.message());
        assert!(sessions.verify(&b, 101).is_ok());
    }

    #[test]
    fn csrf_is_required_and_must_match() {
        let sessions = Sessions::new(SessionOptions::default());
        let a = sessions.issue("k1", 100).token;
        let session = sessions.verify(&a, 100).expect("valid");
        let missing = sessions.check_csrf(&session, "").expect_err("missing");
        assert_eq!(missing.kind(), airlock_core::ErrorKind::Forbidden);
        assert!(sessions.check_csrf(&session, "00").is_err());
        let token = sessions.csrf_token(&session);
        sessions.check_csrf(&session, &token).expect("matches");
    }
}
