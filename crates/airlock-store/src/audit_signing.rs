//! Signed audit checkpoints (Ed25519, `ed25519-dalek`): the signer a
//! server holds, and the verifier `airlock audit verify` uses offline with
//! the public key only. A key is identified by the first 16 hex digits of
//! the SHA-256 of its public key.

use airlock_core::{AuditCheckpoint, Error, Result, Timestamp};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Signs checkpoints; holds the private key.
pub struct CheckpointSigner {
    key: SigningKey,
    key_id: String,
}

impl CheckpointSigner {
    /// From a 32-byte Ed25519 secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id_of(&key.verifying_key());
        CheckpointSigner { key, key_id }
    }

    /// A fresh random seed (to be saved by the caller).
    pub fn generate_seed() -> [u8; 32] {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        seed
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key, hex: what verifiers need.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Signs "the chain had `hash` at `seq`", stamped `at`.
    pub fn sign(&self, seq: u64, hash: &str, at: Timestamp) -> AuditCheckpoint {
        let signature = self.key.sign(&AuditCheckpoint::signed_bytes(seq, hash, at));
        AuditCheckpoint {
            seq,
            hash: hash.to_string(),
            at,
            key_id: self.key_id.clone(),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// Checks checkpoint signatures against trusted public keys.
pub struct CheckpointVerifier {
    keys: Vec<(String, VerifyingKey)>,
}

impl CheckpointVerifier {
    /// From public keys written as 64 hex digits.
    pub fn from_public_keys(hex_keys: &[String]) -> Result<Self> {
        let mut keys = Vec::with_capacity(hex_keys.len());
        for text in hex_keys {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "`{text}` is not an Ed25519 public key (64 hex digits)"
                    ))
                    .with_field("public_key")
                })?;
            let key = VerifyingKey::from_bytes(&bytes).map_err(|e| {
                Error::invalid_input(format!("`{text}` is not a valid Ed25519 public key: {e}"))
                    .with_field("public_key")
            })?;
            keys.push((key_id_of(&key), key));
        }
        Ok(CheckpointVerifier { keys })
    }

    /// `Err` says why the checkpoint does not verify.
    pub fn verify(&self, checkpoint: &AuditCheckpoint) -> std::result::Result<(), String> {
        let Some((_, key)) = self.keys.iter().find(|(id, _)| *id == checkpoint.key_id) else {
            return Err(format!(
                "it is signed by key {}, which is not a trusted audit signing key",
                checkpoint.key_id
            ));
        };
        let bytes: [u8; 64] = hex::decode(&checkpoint.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| "its signature is not 128 hex digits".to_string())?;
        key.verify(
            &AuditCheckpoint::signed_bytes(checkpoint.seq, &checkpoint.hash, checkpoint.at),
            &Signature::from_bytes(&bytes),
        )
        .map_err(|_| "its signature does not match its contents".to_string())
    }
}

fn key_id_of(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_verify_only_unchanged_and_with_the_right_key() {
        let signer = CheckpointSigner::from_seed(&[9; 32]);
        let at = Timestamp::from_unix_ms(1_700_000_000_000).unwrap();
        let cp = signer.sign(42, "ab", at);
        let verifier = CheckpointVerifier::from_public_keys(&[signer.public_key_hex()]).unwrap();
        assert_eq!(verifier.verify(&cp), Ok(()));
        let mut changed = cp.clone();
        changed.seq = 43;
        assert!(verifier
            .verify(&changed)
            .unwrap_err()
            .contains("does not match"));
        let other = CheckpointSigner::from_seed(&[8; 32]);
        let verifier = CheckpointVerifier::from_public_keys(&[other.public_key_hex()]).unwrap();
        assert!(verifier.verify(&cp).unwrap_err().contains("not a trusted"));
        assert!(CheckpointVerifier::from_public_keys(&["zz".into()]).is_err());
    }
}
