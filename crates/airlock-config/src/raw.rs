//! The configuration file as written: every field optional, unknown keys
//! rejected so a typo is an error instead of a silently ignored setting.

use serde::Deserialize;
use std::path::PathBuf;

/// Top level of `airlock.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Where Airlock keeps its database and models (default `./airlock-data`).
    pub data_dir: Option<PathBuf>,
    /// Directory of workflow directories (default `./workflows` if it
    /// exists, else `./examples`).
    pub workflows: Option<PathBuf>,
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub database: RawDatabase,
    #[serde(default)]
    pub models: RawModels,
    #[serde(default)]
    pub inference: RawInference,
    #[serde(default)]
    pub review: RawReview,
    /// `[[webhooks]]`: endpoints review events are POSTed to.
    #[serde(default)]
    pub webhooks: Vec<RawWebhook>,
    #[serde(default)]
    pub webhook_delivery: RawWebhookDelivery,
    #[serde(default)]
    pub auth: RawAuth,
    #[serde(default)]
    pub audit: RawAudit,
    #[serde(default)]
    pub encryption: RawEncryption,
    #[serde(default)]
    pub retention: RawRetention,
    #[serde(default)]
    pub pii: RawPii,
    #[serde(default)]
    pub ui: RawUi,
    /// `[[providers]]`: hosted and local model sources.
    #[serde(default)]
    pub providers: Vec<crate::gateway_raw::RawProvider>,
    /// `[[routes]]`: model names clients ask for, with fallback chains.
    #[serde(default)]
    pub routes: Vec<crate::gateway_raw::RawRoute>,
    /// `[[budgets]]`: spending limits per key or workflow.
    #[serde(default)]
    pub budgets: Vec<crate::gateway_raw::RawBudget>,
}

/// `[server]`: the HTTP API.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// `IP:PORT` to listen on (default `127.0.0.1:8080`).
    pub listen: Option<String>,
    /// Largest request body accepted, in bytes (default 1 MiB).
    pub max_body_bytes: Option<i64>,
    /// Longest a request may take, e.g. `"60s"` (default 60 s).
    pub request_timeout: Option<String>,
    /// Most requests handled at once; more are answered `503` at once
    /// (default 1024).
    pub max_in_flight: Option<i64>,
}

/// `[database]`: where runs are stored and how durably.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    /// `sqlite://PATH` (default `sqlite://<data_dir>/airlock.db`) or `postgres://…`.
    pub url: Option<String>,
    /// `fsync` (default: survives power loss) or `process` (survives an Airlock crash).
    pub durability: Option<String>,
    /// `normal` (default) or `realtime`: how SQLite's group-commit thread is scheduled.
    pub commit_priority: Option<String>,
}

/// `[models]`: where model files live.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModels {
    /// Directory `airlock models fetch` installs into (default `<data_dir>/models`).
    pub dir: Option<PathBuf>,
    /// A sentence-embedding model directory in Hugging Face layout.
    pub embedding: Option<PathBuf>,
    /// A GGUF chat model file.
    pub generator: Option<PathBuf>,
}

/// `[inference]`: explicit thread counts, because candle's multi-threaded
/// kernels spin on a barrier and collapse when a core is busy elsewhere.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInference {
    /// Embedding worker threads, each with its own model copy.
    pub embed_workers: Option<i64>,
    /// Compute threads inside each embedding worker.
    pub embed_threads: Option<i64>,
    /// Largest batch one embedding call is split into.
    pub embed_max_batch: Option<i64>,
    /// Compute threads for the generative model.
    pub generate_threads: Option<i64>,
}

/// `[review]`: the human review queue, server-wide.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReview {
    /// Reviewers who may resolve escalated (disputed) tasks.
    pub adjudicators: Option<Vec<String>>,
}

/// One `[[webhooks]]` endpoint. Every field is optional here so that a
/// missing one is reported together with every other problem.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    /// Unique name, recorded with each delivery.
    pub name: Option<String>,
    /// `http://` or `https://` URL events are POSTed to.
    pub url: Option<String>,
    /// The signing key itself (at least 16 bytes)...
    pub secret: Option<String>,
    /// ...or the environment variable holding it (exactly one of the two).
    pub secret_env: Option<String>,
    /// Event words, e.g. `["review.resolved"]` (default: every event).
    pub events: Option<Vec<String>>,
    /// Workflow names (default: every workflow).
    pub workflows: Option<Vec<String>>,
}

/// `[webhook_delivery]`: how the outbox is worked off.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhookDelivery {
    /// Attempts before a delivery is given up (default 10).
    pub max_attempts: Option<i64>,
    /// Longest one attempt may take, e.g. `"10s"` (default 10 s).
    pub timeout: Option<String>,
    /// Wait before the first retry, doubled for each later one (default 1 s).
    pub retry_base: Option<String>,
    /// Longest wait between retries (default 10 m).
    pub retry_max: Option<String>,
}

/// `[auth]`: API keys and authorization policies.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    /// Cedar policy files added to (or, with `default_policies = false`,
    /// replacing) the shipped defaults; relative to the config file.
    pub policy_files: Option<Vec<PathBuf>>,
    /// Whether the shipped default policies apply (default true).
    pub default_policies: Option<bool>,
}

/// `[audit]`: the tamper-evident audit log.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    /// File holding the Ed25519 checkpoint signing key (64 hex digits);
    /// default `<data_dir>/audit-signing.key`, generated on first start.
    pub signing_key_file: Option<PathBuf>,
    /// ...or the environment variable holding it.
    pub signing_key_env: Option<String>,
    /// How often a signed checkpoint is written, e.g. `"1m"` (default 1 minute).
    pub checkpoint_every: Option<String>,
    /// More public keys (64 hex digits) whose checkpoints verify, e.g. the
    /// keys used before a rotation.
    pub trusted_public_keys: Option<Vec<String>>,
}

/// `[encryption]`: stored payloads are encrypted with AES-256-GCM.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEncryption {
    /// The keys, active one first; older ones only decrypt. Default: one
    /// key `local` in `<data_dir>/payload.key`, generated on first start.
    pub keys: Option<Vec<RawEncryptionKey>>,
}

/// One `[[encryption.keys]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEncryptionKey {
    /// Recorded with every value sealed under this key.
    pub id: Option<String>,
    /// File holding the 256-bit key (64 hex digits)...
    pub file: Option<PathBuf>,
    /// ...or the environment variable holding it (exactly one of the two).
    pub env: Option<String>,
}

/// `[retention]`: the purge job.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    /// How often payloads past their workflow's retention are purged
    /// (default 1 hour).
    pub purge_every: Option<String>,
}

/// `[pii]`: server-wide settings of PII redaction.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPii {
    /// File holding the key of `hash` redaction (64 hex digits); default
    /// `<data_dir>/pii-hash.key`, generated on first start.
    pub hash_key_file: Option<PathBuf>,
    /// ...or the environment variable holding it.
    pub hash_key_env: Option<String>,
}

/// `[ui]`: the browser dashboard's sessions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    /// File holding the key that signs session cookies (64 hex digits);
    /// default `<data_dir>/session.key`, generated on first start.
    pub session_key_file: Option<PathBuf>,
    /// ...or the environment variable holding it.
    pub session_key_env: Option<String>,
    /// How long a sign-in lasts (default 8 hours).
    pub session_ttl: Option<String>,
    /// Whether the session cookie is marked `Secure` (default true; browsers
    /// keep it over plain HTTP for `localhost`).
    pub secure_cookie: Option<bool>,
}
