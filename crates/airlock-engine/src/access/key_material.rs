//! API key material: how keys look, are made, and are checked.
//!
//! A key is `alk_<id>_<secret>`: `alk_` says what it is (so a leaked key is
//! recognisable by secret scanners), `<id>` (12 lowercase base32
//! characters) is its public name, shown in listings and audit records and
//! used to find it, and `<secret>` is 32 random bytes (52 base32
//! characters). Only the SHA-256 of the whole key is stored: a fast hash is
//! right here (unlike for passwords), because the key has 256 bits of
//! entropy and cannot be guessed, and it keeps every request's check cheap.
//! Comparison is constant-time.

use airlock_core::{Error, Result};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const KEY_PREFIX: &str = "alk_";
const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;
/// Longest `Authorization` token looked at (a key is 70 characters).
pub const MAX_TOKEN_LEN: usize = 256;

/// RFC 4648 base32, lowercase, no padding.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A freshly made key: the whole key (shown once) and its id.
pub struct NewKeyMaterial {
    pub id: String,
    pub key: String,
}

/// Makes a new random key.
pub fn generate() -> NewKeyMaterial {
    let mut id = [0u8; ID_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    let mut rng = rand::rng();
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    let id = base32(&id)[..12].to_string();
    let key = format!("{KEY_PREFIX}{id}_{}", base32(&secret));
    NewKeyMaterial { id, key }
}

/// The id of a well-formed key, or why it is not one. The message never
/// repeats the token (it may be a real secret pasted in the wrong place).
pub fn parse(token: &str) -> Result<&str> {
    let bad = |why: &str| {
        Error::unauthenticated(format!("the API key is malformed: {why}"))
            .with_hint("keys look like alk_<id>_<secret>; `airlock keys create` makes one")
    };
    if token.len() > MAX_TOKEN_LEN {
        return Err(bad("it is too long"));
    }
    let rest = token
        .strip_prefix(KEY_PREFIX)
        .ok_or_else(|| bad("it does not start with `alk_`"))?;
    let (id, secret) = rest
        .split_once('_')
        .ok_or_else(|| bad("it has no `_` between id and secret"))?;
    let id_ok = (4..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !id_ok {
        return Err(bad("its id is not 4 to 32 lowercase letters and digits"));
    }
    let secret_ok = secret.len() >= 32 && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    if !secret_ok {
        return Err(bad("its secret is not at least 32 letters and digits"));
    }
    Ok(id)
}

/// What is stored of a key: SHA-256 of the whole key, hex.
pub fn secret_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Whether `key` hashes to `stored_hash`, in constant time.
pub fn matches(key: &str, stored_hash: &str) -> bool {
    let computed = secret_hash(key);
    computed.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_to_their_id_and_match_their_hash() {
        let made = generate();
        assert!(made.key.starts_with("alk_"));
        assert_eq!(made.key.len(), 4 + 12 + 1 + 52);
        assert_eq!(parse(&made.key).unwrap(), made.id);
        let hash = secret_hash(&made.key);
        assert!(matches(&made.key, &hash));
        assert!(!matches(&format!("{}x", made.key), &hash));
        assert_ne!(generate().key, made.key);
    }

    #[test]
    fn malformed_tokens_are_named_without_echoing_them() {
        for (token, why) in [
            ("Bearer abc", "does not start"),
            ("alk_nounderscore", "no `_`"),
            ("alk_AB_cdefghijklmnopqrstuvwxyzabcdefghijklmnop", "its id"),
            ("alk_abcd_short", "its secret"),
        ] {
            let err = parse(token).unwrap_err();
            assert!(err.to_string().contains(why), "{token}: {err}");
            assert!(!err.to_string().contains(token), "{err}");
        }
        assert!(parse(&"a".repeat(300))
            .unwrap_err()
            .to_string()
            .contains("too long"));
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }
}
