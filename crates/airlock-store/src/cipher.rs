//! Encryption of stored payloads at rest: AES-256-GCM under a key ring.
//!
//! A sealed value is text: `enc1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`.
//! The key id names the key it was sealed under, so keys can rotate: new
//! writes use the active key and older rows stay readable as long as their
//! key is still in the ring. The additional authenticated data binds each
//! value to its table, column and row (`runs.input:<run id>`), so a sealed
//! value copied into another row or column does not open.
//!
//! Text without the `enc1:` prefix is plaintext (rows written before
//! encryption was on, or by a store without keys) and is returned as is.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use airlock_core::{Error, ErrorKind, Result};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use rand::RngCore;

const PREFIX: &str = "enc1:";
const NONCE_LEN: usize = 12;
/// Longest key id accepted (ids are recorded in every sealed value).
pub const MAX_KEY_ID_LEN: usize = 32;

/// One named 256-bit key.
pub struct PayloadKey {
    id: String,
    cipher: Aes256Gcm,
}

impl PayloadKey {
    /// `id`: 1–32 characters of `A-Z a-z 0-9 _ -`.
    pub fn new(id: &str, key: &[u8; 32]) -> Result<Self> {
        check_key_id(id)?;
        Ok(PayloadKey {
            id: id.to_string(),
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Whether `id` can name a key.
pub fn check_key_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(
            Error::invalid_config(format!("`{id}` is not a valid encryption key id")).with_hint(
                format!("use 1 to {MAX_KEY_ID_LEN} characters of A-Z, a-z, 0-9, `_` and `-`"),
            ),
        )
    }
}

/// The key ring a store seals and opens payloads with.
pub struct PayloadCipher {
    /// The first key is the active one; empty means plaintext.
    keys: Vec<PayloadKey>,
}

impl fmt::Debug for PayloadCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Key material is never printed.
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("PayloadCipher").field("keys", &ids).finish()
    }
}

impl PayloadCipher {
    /// Seals with `active` and opens with it or any of `older`. Key ids
    /// must be unique.
    pub fn new(active: PayloadKey, older: Vec<PayloadKey>) -> Result<Self> {
        let mut keys = vec![active];
        for key in older {
            if keys.iter().any(|k| k.id == key.id) {
                return Err(Error::invalid_config(format!(
                    "encryption key id `{}` is used twice",
                    key.id
                )));
            }
            keys.push(key);
        }
        Ok(PayloadCipher { keys })
    }

    /// Stores payloads as plaintext (tests, and stores that only read).
    pub fn plaintext() -> Self {
        PayloadCipher { keys: Vec::new() }
    }

    /// The id new values are sealed under, if any.
    pub fn active_key_id(&self) -> Option<&str> {
        self.keys.first().map(|k| k.id.as_str())
    }

    /// Seals `plaintext` for the place `aad` names (e.g. `runs.input:<id>`).
    pub fn seal(&self, plaintext: &str, aad: &str) -> Result<String> {
        let Some(key) = self.keys.first() else {
            return Ok(plaintext.to_string());
        };
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::internal(format!("encrypting {aad} failed")))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}:{}",
            key.id,
            STANDARD_NO_PAD.encode(bytes)
        ))
    }

    /// Opens what [`PayloadCipher::seal`] wrote for `aad`; plaintext (no
    /// `enc1:` prefix) is returned unchanged.
    pub fn open(&self, stored: String, aad: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored);
        };
        let (key_id, body) = rest
            .split_once(':')
            .ok_or_else(|| corrupt(aad, "its envelope has no key id"))?;
        let key = self.keys.iter().find(|k| k.id == key_id).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidConfig,
                format!("{aad} is encrypted under key `{key_id}`, which is not configured"),
            )
            .with_hint(
                "add the key to [encryption] keys (older keys stay readable after a rotation)",
            )
        })?;
        let bytes = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| corrupt(aad, "its envelope is not base64"))?;
        if bytes.len() < NONCE_LEN {
            return Err(corrupt(aad, "its envelope is too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| {
                corrupt(
                    aad,
                    &format!("it does not authenticate under key `{key_id}` (altered, or moved from another row)"),
                )
            })?;
        String::from_utf8(plain).map_err(|_| corrupt(aad, "it is not UTF-8 text"))
    }

    /// Seals an optional value.
    pub fn seal_opt(&self, plaintext: Option<&str>, aad: &str) -> Result<Option<String>> {
        plaintext.map(|p| self.seal(p, aad)).transpose()
    }

    /// Opens an optional value.
    pub fn open_opt(&self, stored: Option<String>, aad: &str) -> Result<Option<String>> {
        stored.map(|s| self.open(s, aad)).transpose()
    }
}

/// The additional authenticated data of `table.column` in row `id`.
pub fn aad(table: &str, column: &str, id: &str) -> String {
    format!("{table}.{column}:{id}")
}

fn corrupt(aad: &str, why: &str) -> Error {
    Error::internal(format!("the stored value {aad} cannot be decrypted: {why}"))
        .with_hint("the database row was changed outside Airlock, or the wrong key is configured")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> PayloadKey {
        PayloadKey::new(id, &[byte; 32]).unwrap()
    }

    #[test]
    fn sealed_values_open_only_in_their_place() {
        let cipher = PayloadCipher::new(key("k1", 7), vec![]).unwrap();
        let sealed = cipher.seal(r#"{"email":"a@b.c"}"#, "runs.input:1").unwrap();
        assert!(sealed.starts_with("enc1:k1:"), "{sealed}");
        assert!(!sealed.contains("a@b.c"));
        assert_eq!(
            cipher.open(sealed.clone(), "runs.input:1").unwrap(),
            r#"{"email":"a@b.c"}"#
        );
        let moved = cipher.open(sealed.clone(), "runs.input:2").unwrap_err();
        assert!(
            moved.to_string().contains("does not authenticate"),
            "{moved}"
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(cipher.open(tampered, "runs.input:1").is_err());
        // Two seals of one value differ (fresh nonces).
        assert_ne!(
            sealed,
            cipher.seal(r#"{"email":"a@b.c"}"#, "runs.input:1").unwrap()
        );
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = PayloadCipher::new(key("k1", 1), vec![]).unwrap();
        let sealed = old.seal("old", "t.c:1").unwrap();
        let rotated = PayloadCipher::new(key("k2", 2), vec![key("k1", 1)]).unwrap();
        assert_eq!(rotated.open(sealed.clone(), "t.c:1").unwrap(), "old");
        assert!(rotated
            .seal("new", "t.c:1")
            .unwrap()
            .starts_with("enc1:k2:"));
        let without = PayloadCipher::new(key("k2", 2), vec![]).unwrap();
        let err = without.open(sealed, "t.c:1").unwrap_err();
        assert!(
            err.to_string()
                .contains("key `k1`, which is not configured"),
            "{err}"
        );
    }

    #[test]
    fn plaintext_passes_through_and_ids_are_checked() {
        let plain = PayloadCipher::plaintext();
        assert_eq!(plain.seal("x", "a").unwrap(), "x");
        let cipher = PayloadCipher::new(key("k1", 1), vec![]).unwrap();
        assert_eq!(cipher.open("{\"a\":1}".into(), "a").unwrap(), "{\"a\":1}");
        assert!(PayloadKey::new("bad id", &[0; 32]).is_err());
        assert!(PayloadCipher::new(key("k1", 1), vec![key("k1", 2)]).is_err());
        assert!(!format!("{cipher:?}").contains('\u{7}'));
    }
}
