//! The security sections of the configuration: `[auth]`, `[audit]`,
//! `[encryption]` and `[retention]`, validated with every problem
//! collected, and their environment overrides.
//!
//! Key material never enters [`crate::Settings`]: only where it is (a file
//! or an environment variable), so settings can be printed and compared
//! without leaking a secret. The CLI reads (or on first start generates)
//! the keys when it builds the runtime.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::raw::{RawAudit, RawAuth, RawEncryption, RawPii, RawRetention};

/// Where a secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A file holding it (64 hex digits, surrounding whitespace ignored).
    File(PathBuf),
    /// An environment variable holding it.
    Env(String),
    /// A file Airlock creates with a fresh random key if it is missing.
    Generated(PathBuf),
}

/// `[auth]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSettings {
    pub policy_files: Vec<PathBuf>,
    pub default_policies: bool,
    /// Whether `AIRLOCK_BOOTSTRAP_KEY` is set (the value is read once, at
    /// first start, by the CLI, and never kept here).
    pub bootstrap_key_env: Option<String>,
}

/// `[audit]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSettings {
    pub signing_key: SecretSource,
    pub checkpoint_every: Duration,
    pub trusted_public_keys: Vec<String>,
}

/// `[encryption]`: active key first.
#[derive(Debug, Clone, PartialEq)]
pub struct EncryptionSettings {
    pub keys: Vec<(String, SecretSource)>,
}

/// `[pii]`: the key of `hash` redaction (the same value gives the same
/// token across runs and servers sharing the key).
#[derive(Debug, Clone, PartialEq)]
pub struct PiiSettings {
    pub hash_key: SecretSource,
}

/// Overrides `[pii]` hash key: the key itself.
pub const PII_HASH_KEY_ENV: &str = "AIRLOCK_PII_HASH_KEY";

/// `[retention]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionSettings {
    pub purge_every: Duration,
}

/// The variable whose value becomes the first admin key on an empty database.
pub const BOOTSTRAP_KEY_ENV: &str = "AIRLOCK_BOOTSTRAP_KEY";
/// Overrides `[audit]` signing key: the key itself.
pub const AUDIT_SIGNING_KEY_ENV: &str = "AIRLOCK_AUDIT_SIGNING_KEY";
/// Overrides `[encryption]`: the active key itself (id from
/// `AIRLOCK_ENCRYPTION_KEY_ID`, default `env`); configured keys still decrypt.
pub const ENCRYPTION_KEY_ENV: &str = "AIRLOCK_ENCRYPTION_KEY";
pub const ENCRYPTION_KEY_ID_ENV: &str = "AIRLOCK_ENCRYPTION_KEY_ID";

/// A key setting of a section: `<name>_file` or `<name>_env` (not both),
/// overridden by the variable `override_env`, else a key file Airlock
/// generates at `generated`.
pub(crate) struct KeySetting {
    pub section: &'static str,
    pub name: &'static str,
    pub override_env: &'static str,
    pub file: Option<PathBuf>,
    pub var: Option<String>,
    pub generated: PathBuf,
}

impl KeySetting {
    /// Where the key is; a problem for both forms given or a variable
    /// that is not set.
    pub(crate) fn resolve(
        self,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        problems: &mut Vec<String>,
    ) -> SecretSource {
        let KeySetting {
            section,
            name,
            override_env,
            file,
            var,
            generated,
        } = self;
        if env(override_env).is_some() {
            return SecretSource::Env(override_env.to_string());
        }
        match (file, var) {
            (Some(_), Some(_)) => {
                problems.push(format!(
                    "{section}: set {name}_file or {name}_env, not both"
                ));
                SecretSource::Generated(generated)
            }
            (Some(file), None) => SecretSource::File(relative_to(base, file)),
            (None, Some(var)) => {
                if env(&var).is_none() {
                    problems.push(format!(
                        "{section}.{name}_env names {var}, which is not set"
                    ));
                }
                SecretSource::Env(var)
            }
            (None, None) => SecretSource::Generated(generated),
        }
    }
}

pub(crate) fn resolve_auth(
    raw: RawAuth,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> AuthSettings {
    AuthSettings {
        policy_files: raw
            .policy_files
            .unwrap_or_default()
            .into_iter()
            .map(|p| relative_to(base, p))
            .collect(),
        default_policies: raw.default_policies.unwrap_or(true),
        bootstrap_key_env: env(BOOTSTRAP_KEY_ENV).map(|_| BOOTSTRAP_KEY_ENV.to_string()),
    }
}

pub(crate) fn resolve_audit(
    raw: RawAudit,
    base: &Path,
    data_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> AuditSettings {
    let signing_key = KeySetting {
        section: "audit",
        name: "signing_key",
        override_env: AUDIT_SIGNING_KEY_ENV,
        file: raw.signing_key_file,
        var: raw.signing_key_env,
        generated: data_dir.join("audit-signing.key"),
    }
    .resolve(base, env, problems);
    let checkpoint_every = positive_duration(
        "audit.checkpoint_every",
        raw.checkpoint_every,
        Duration::from_secs(60),
        problems,
    );
    let trusted_public_keys = raw.trusted_public_keys.unwrap_or_default();
    for (i, key) in trusted_public_keys.iter().enumerate() {
        let ok = key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            problems.push(format!(
                "audit.trusted_public_keys[{i}] is not an Ed25519 public key (64 hex digits)"
            ));
        }
    }
    AuditSettings {
        signing_key,
        checkpoint_every,
        trusted_public_keys,
    }
}

pub(crate) fn resolve_encryption(
    raw: RawEncryption,
    base: &Path,
    data_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> EncryptionSettings {
    let mut keys = Vec::new();
    if env(ENCRYPTION_KEY_ENV).is_some() {
        let id = env(ENCRYPTION_KEY_ID_ENV).unwrap_or_else(|| "env".to_string());
        keys.push((id, SecretSource::Env(ENCRYPTION_KEY_ENV.to_string())));
    }
    let configured = raw.keys.unwrap_or_default();
    for (i, key) in configured.into_iter().enumerate() {
        let at = format!("encryption.keys[{i}]");
        let Some(id) = key.id.filter(|id| !id.trim().is_empty()) else {
            problems.push(format!(
                "{at} has no id: name the key (it is recorded with every value)"
            ));
            continue;
        };
        if !valid_key_id(&id) {
            problems.push(format!(
                "{at}.id = {id:?}: use 1 to 32 characters of A-Z, a-z, 0-9, `_` and `-`"
            ));
        }
        let source = match (key.file, key.env) {
            (Some(file), None) => SecretSource::File(relative_to(base, file)),
            (None, Some(var)) => {
                if env(&var).is_none() {
                    problems.push(format!("{at}.env names {var}, which is not set"));
                }
                SecretSource::Env(var)
            }
            (Some(_), Some(_)) => {
                problems.push(format!("{at}: set file or env, not both"));
                continue;
            }
            (None, None) => {
                problems.push(format!("{at}: set file or env to say where the key is"));
                continue;
            }
        };
        keys.push((id, source));
    }
    let mut seen = HashSet::new();
    for (id, _) in &keys {
        if !seen.insert(id.clone()) {
            problems.push(format!("encryption key id {id:?} is used twice"));
        }
    }
    if keys.is_empty() {
        keys.push((
            "local".to_string(),
            SecretSource::Generated(data_dir.join("payload.key")),
        ));
    }
    EncryptionSettings { keys }
}

pub(crate) fn resolve_pii(
    raw: RawPii,
    base: &Path,
    data_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> PiiSettings {
    let hash_key = KeySetting {
        section: "pii",
        name: "hash_key",
        override_env: PII_HASH_KEY_ENV,
        file: raw.hash_key_file,
        var: raw.hash_key_env,
        generated: data_dir.join("pii-hash.key"),
    }
    .resolve(base, env, problems);
    PiiSettings { hash_key }
}

pub(crate) fn resolve_retention(
    raw: RawRetention,
    problems: &mut Vec<String>,
) -> RetentionSettings {
    RetentionSettings {
        purge_every: positive_duration(
            "retention.purge_every",
            raw.purge_every,
            Duration::from_secs(3600),
            problems,
        ),
    }
}

fn valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(crate) fn positive_duration(
    name: &str,
    text: Option<String>,
    default: Duration,
    problems: &mut Vec<String>,
) -> Duration {
    match text {
        None => default,
        Some(text) => match humantime::parse_duration(&text) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                problems.push(format!(
                    "{name} = {text:?}: must be a positive duration such as \"30s\" or \"1h\""
                ));
                default
            }
        },
    }
}

fn relative_to(base: &Path, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        base.join(path)
    }
}
