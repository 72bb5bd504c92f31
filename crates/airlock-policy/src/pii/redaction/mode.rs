//! How found values are replaced: a mask, typed numbered placeholders, or
//! a keyed hash.

use airlock_core::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The shortest key [`HashKey::new`] accepts, in bytes (128 bits).
pub const MIN_KEY_BYTES: usize = 16;

/// A secret key for [`RedactionMode::KeyedHash`]. Its `Debug` output never
/// shows the key.
#[derive(Clone)]
pub struct HashKey {
    /// HMAC-SHA256 state after absorbing the key, cloned per value.
    mac: Hmac<Sha256>,
}

impl HashKey {
    /// A key from secret bytes: at least [`MIN_KEY_BYTES`] of them (e.g. 32
    /// random bytes, kept in the deployment's secret store).
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() < MIN_KEY_BYTES {
            return Err(Error::invalid_config(format!(
                "the PII hashing key has {} bytes, fewer than the {MIN_KEY_BYTES} required",
                key.len()
            ))
            .with_hint("use at least 16 random bytes, e.g. 32 bytes from a secret store"));
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map_err(|e| Error::internal(format!("HMAC-SHA256 rejected a key: {e}")))?;
        Ok(HashKey { mac })
    }

    /// HMAC-SHA256 of `parts`, each length-prefixed so that no two
    /// different sequences of parts hash the same input.
    pub(crate) fn digest(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(<secret>)")
    }
}

/// How a [`crate::pii::Redactor`] replaces found values.
#[derive(Clone, Debug)]
pub enum RedactionMode {
    /// `****`, a fixed-length run of four `*` whatever the value's length
    /// (so the length is not revealed). Payment cards keep their last four
    /// digits, as on a receipt: `****1111`.
    Mask,
    /// `<EMAIL_ADDRESS_1>`, `<PHONE_NUMBER_2>`: the entity type and a number
    /// counting distinct values of that type in the session, so the same
    /// value gets the same placeholder everywhere in one run.
    Placeholder,
    /// `<EMAIL_ADDRESS:9f2c1a0b3d4e5f60>`: the first 16 hex digits (64
    /// bits) of HMAC-SHA256 under the key of the entity type and the
    /// canonical value; the same value and key give the same token in every
    /// run, and without the key it can be neither reversed nor guessed.
    KeyedHash(HashKey),
}

impl RedactionMode {
    /// [`RedactionMode::KeyedHash`] with a key checked by [`HashKey::new`].
    pub fn keyed_hash(key: &[u8]) -> Result<Self> {
        Ok(RedactionMode::KeyedHash(HashKey::new(key)?))
    }

    /// The mode's name in workflow configuration: `mask`, `placeholder`,
    /// `keyed_hash`.
    pub fn name(&self) -> &'static str {
        match self {
            RedactionMode::Mask => "mask",
            RedactionMode::Placeholder => "placeholder",
            RedactionMode::KeyedHash(_) => "keyed_hash",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_rejected_and_keys_never_print() {
        let err = HashKey::new(b"short").err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(airlock_core::ErrorKind::InvalidConfig)
        );
        let key = RedactionMode::keyed_hash(b"0123456789abcdef-secret");
        let shown = format!("{key:?}");
        assert!(!shown.contains("secret") || shown.contains("<secret>"));
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }

    #[test]
    fn digest_is_keyed_and_length_prefixed() {
        let a = HashKey::new(&[1u8; 16])
            .map(|k| k.digest(&[b"ab", b"c"]))
            .ok();
        let b = HashKey::new(&[1u8; 16])
            .map(|k| k.digest(&[b"a", b"bc"]))
            .ok();
        let c = HashKey::new(&[2u8; 16])
            .map(|k| k.digest(&[b"ab", b"c"]))
            .ok();
        assert!(a.is_some());
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}
