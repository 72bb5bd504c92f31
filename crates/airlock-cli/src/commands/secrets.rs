//! Key material the commands need, read from where the settings say: the
//! payload encryption keys, the audit checkpoint signing key, the PII hash
//! key, the dashboard session key, and the policy files. A key Airlock may
//! generate (the defaults in the data directory) is created on first use
//! with a fresh random value, readable by its owner only; two processes
//! starting at once agree on one file (`create_new`: the second reads the
//! first's).

use std::io::Write;
use std::path::Path;

use airlock_config::{SecretSource, Settings};
use airlock_core::{Error, Result};
use airlock_policy::authz::{Authorizer, PolicySources};
use airlock_policy::pii::HashKey;
use airlock_store::{CheckpointSigner, PayloadCipher, PayloadKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;

/// The payload cipher of `[encryption]` (active key first).
pub fn payload_cipher(settings: &Settings) -> Result<PayloadCipher> {
    let mut keys = Vec::new();
    for (id, source) in &settings.encryption.keys {
        let bytes = read_key(source, &format!("encryption key `{id}`"))?;
        keys.push(PayloadKey::new(id, &bytes)?);
    }
    let mut keys = keys.into_iter();
    match keys.next() {
        Some(active) => PayloadCipher::new(active, keys.collect()),
        None => Ok(PayloadCipher::plaintext()),
    }
}

/// The checkpoint signer of `[audit]`.
pub fn audit_signer(settings: &Settings) -> Result<CheckpointSigner> {
    let seed = read_key(&settings.audit.signing_key, "the audit signing key")?;
    Ok(CheckpointSigner::from_seed(&seed))
}

/// The key of `hash` redaction.
pub fn pii_hash_key(settings: &Settings) -> Result<HashKey> {
    let bytes = read_key(&settings.pii.hash_key, "the PII hash key")?;
    HashKey::new(&bytes)
}

/// The dashboard's session options of `[ui]` (the signing key read or
/// generated).
pub fn session_options(settings: &Settings) -> Result<airlock_server::session::SessionOptions> {
    let key = read_key(&settings.ui.session_key, "the session key")?;
    Ok(airlock_server::session::SessionOptions {
        key: airlock_server::session::SessionKey::new(key),
        ttl: settings.ui.session_ttl,
        secure_cookie: settings.ui.secure_cookie,
    })
}

/// The authorizer of `[auth]`: the default policies (unless turned off)
/// and the policy files, every problem reported at once.
pub fn authorizer(settings: &Settings) -> Result<Authorizer> {
    Authorizer::new(&policy_sources(settings)?)
        .map_err(|problems| airlock_policy::authz::problems_error(&problems))
}

/// The policy texts `[auth]` names.
pub fn policy_sources(settings: &Settings) -> Result<PolicySources> {
    let mut sources = if settings.auth.default_policies {
        PolicySources::defaults()
    } else {
        PolicySources::without_defaults()
    };
    let mut unreadable = Vec::new();
    for path in &settings.auth.policy_files {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push(path.display().to_string(), text),
            Err(e) => unreadable.push(format!("{}: {e}", path.display())),
        }
    }
    if !unreadable.is_empty() {
        return Err(Error::invalid_config(format!(
            "cannot read policy file(s): {}",
            unreadable.join("; ")
        ))
        .with_field("auth.policy_files"));
    }
    Ok(sources)
}

/// 32 key bytes from `source` (64 hex digits or standard base64), creating
/// a generated key's file if it is missing.
pub fn read_key(source: &SecretSource, what: &str) -> Result<[u8; 32]> {
    let (text, origin) = match source {
        SecretSource::Env(var) => (
            std::env::var(var).map_err(|_| {
                Error::invalid_config(format!("{what}: environment variable {var} is not set"))
            })?,
            format!("environment variable {var}"),
        ),
        SecretSource::File(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| Error::io(path, &format!("read {what}"), e))?,
            path.display().to_string(),
        ),
        SecretSource::Generated(path) => (generated(path, what)?, path.display().to_string()),
    };
    parse_key(text.trim()).ok_or_else(|| {
        Error::invalid_config(format!(
            "{what} in {origin} is not 32 bytes written as 64 hex digits or base64"
        ))
        .with_hint("`openssl rand -hex 32` makes one")
    })
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text).ok()?
    } else {
        STANDARD.decode(text).ok()?
    };
    bytes.try_into().ok()
}

/// The text of a generated key file, creating it if missing.
fn generated(path: &Path, what: &str) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::io(path, &format!("read {what}"), e))
        }
        Err(_) => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the data directory", e))?;
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let text = format!("{}\n", hex::encode(bytes));
    // Written whole under a temporary name, then linked into place: the
    // link fails if the file appeared meanwhile, so a reader never sees a
    // half-written key and two processes never keep different keys.
    let temporary = path.with_extension(format!("partial-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::io(&temporary, &format!("write {what}"), e));
    }
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated {what}");
            Ok(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).map_err(|e| Error::io(path, &format!("read {what}"), e))
        }
        Err(e) => Err(Error::io(path, &format!("create {what}"), e)),
    }
}
