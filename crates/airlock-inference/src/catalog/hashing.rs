//! Streaming sha256 of files and readers, so 100 MB model files are hashed
//! without being held in memory.

use airlock_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// sha256 (lowercase hex) and length of everything `reader` yields.
pub fn sha256_reader(reader: impl Read) -> std::io::Result<(String, u64)> {
    copy_hashing(reader, std::io::sink())
}

/// sha256 (lowercase hex) and length of the file at `path`.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
    sha256_reader(file).map_err(|e| Error::io(path, "read", e))
}

/// Copies `reader` into `out` while hashing; returns sha256 hex and length.
pub fn copy_hashing(mut reader: impl Read, mut out: impl Write) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_known_vector() {
        let (hash, len) = sha256_reader(&b"abc"[..]).unwrap();
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(len, 3);
    }

    #[test]
    fn copy_hashing_copies_and_hashes() {
        let mut out = Vec::new();
        let (hash, len) = copy_hashing(&b"abc"[..], &mut out).unwrap();
        assert_eq!(out, b"abc");
        assert_eq!(len, 3);
        assert_eq!(&hash[..8], "ba7816bf");
    }
}
