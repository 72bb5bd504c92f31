//! Validated, typed settings, resolved with the precedence
//! defaults < config file < environment < command-line flags.

use crate::raw::{RawConfig, RawDatabase, RawInference, RawServer};
use crate::security::{
    resolve_audit, resolve_auth, resolve_encryption, resolve_pii, resolve_retention, AuditSettings,
    AuthSettings, EncryptionSettings, PiiSettings, RetentionSettings,
};
use crate::ui::{resolve_ui, UiSettings};
use crate::webhooks::{resolve_delivery, resolve_review, resolve_webhooks};
use airlock_core::{CommitPriority, Durability, Error, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File name of the embedding model directory inside the models directory.
pub const EMBEDDING_MODEL_DIR: &str = "all-minilm-l6-v2";
/// Relative path of the generative model file inside the models directory.
pub const GENERATOR_MODEL_FILE: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

/// Values given on the command line or in the environment; `None` means
/// "not given here", so a lower-precedence source decides.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub models_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub workflows_dir: Option<PathBuf>,
}

impl Overrides {
    /// Reads `AIRLOCK_CONFIG`, `AIRLOCK_DATA_DIR`, `AIRLOCK_MODELS_DIR`,
    /// `AIRLOCK_DATABASE_URL`, `AIRLOCK_LISTEN` and `AIRLOCK_WORKFLOWS_DIR`.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Overrides {
            config_file: var("AIRLOCK_CONFIG"),
            data_dir: var("AIRLOCK_DATA_DIR"),
            models_dir: var("AIRLOCK_MODELS_DIR"),
            database_url: std::env::var("AIRLOCK_DATABASE_URL")
                .ok()
                .filter(|v| !v.is_empty()),
            listen: std::env::var("AIRLOCK_LISTEN")
                .ok()
                .filter(|v| !v.is_empty()),
            workflows_dir: var("AIRLOCK_WORKFLOWS_DIR"),
        }
    }

    /// `self` wins over `lower` wherever it has a value.
    pub fn over(self, lower: Overrides) -> Overrides {
        Overrides {
            config_file: self.config_file.or(lower.config_file),
            data_dir: self.data_dir.or(lower.data_dir),
            models_dir: self.models_dir.or(lower.models_dir),
            database_url: self.database_url.or(lower.database_url),
            listen: self.listen.or(lower.listen),
            workflows_dir: self.workflows_dir.or(lower.workflows_dir),
        }
    }
}

/// Where model files are.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSettings {
    pub dir: PathBuf,
    pub embedding: PathBuf,
    pub generator: PathBuf,
}

/// Where runs are stored and how durably.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://…` (validated by scheme here; the
    /// store checks the rest when it connects).
    pub url: String,
    pub durability: Durability,
    /// How SQLite's group-commit thread is scheduled (no effect on PostgreSQL).
    pub commit_priority: CommitPriority,
}

/// The HTTP API.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Most requests handled at once (health, readiness and metrics not
    /// counted); the next are shed with `503` and `Retry-After`.
    pub max_in_flight: usize,
}

/// Default `[server] listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default `[server] max_body_bytes`: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest `[server] max_body_bytes` accepted: 64 MiB.
pub const MAX_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default `[server] max_in_flight`.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
/// Largest `[server] max_in_flight` accepted.
pub const MAX_MAX_IN_FLIGHT: usize = 1_000_000;

/// Thread and batch sizes of local inference.
#[derive(Debug, Clone, PartialEq)]
pub struct InferenceSettings {
    pub embed_workers: usize,
    pub embed_threads: usize,
    pub embed_max_batch: usize,
    pub generate_threads: usize,
}

/// `[review]`: the human review queue, server-wide.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewSettings {
    /// Reviewers who may resolve escalated (disputed) tasks.
    pub adjudicators: Vec<String>,
}

/// One `[[webhooks]]` endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSettings {
    /// Unique name, recorded with each delivery.
    pub name: String,
    /// `http://` or `https://` URL events are POSTed to.
    pub url: String,
    /// HMAC-SHA256 signing key (from `secret` or the variable `secret_env`).
    pub secret: String,
    /// Events sent to this endpoint; every event when empty in the file.
    pub events: Vec<airlock_core::EventType>,
    /// Workflows whose events are sent; every workflow when empty.
    pub workflows: Vec<String>,
}

/// `[webhook_delivery]`: how the outbox is worked off.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDeliverySettings {
    /// Attempts before a delivery is given up (`failed`).
    pub max_attempts: u32,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Wait before the first retry; doubled for each later one.
    pub retry_base: Duration,
    /// Longest wait between retries.
    pub retry_max: Duration,
}

impl Default for WebhookDeliverySettings {
    fn default() -> Self {
        WebhookDeliverySettings {
            max_attempts: 18,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(3600),
        }
    }
}

/// Airlock's validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Directory of workflow directories (or one workflow directory).
    pub workflows_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub models: ModelSettings,
    pub inference: InferenceSettings,
    pub review: ReviewSettings,
    pub webhooks: Vec<WebhookSettings>,
    pub webhook_delivery: WebhookDeliverySettings,
    pub auth: AuthSettings,
    pub audit: AuditSettings,
    pub encryption: EncryptionSettings,
    pub retention: RetentionSettings,
    pub pii: PiiSettings,
    pub ui: UiSettings,
    /// Model providers, routes and budgets.
    pub gateway: crate::gateway::GatewaySettings,
}

impl Settings {
    /// Loads the config file named by `overrides` (if any) and applies the
    /// overrides on top. Every problem in the file is reported in one error.
    pub fn load(overrides: &Overrides) -> Result<Settings> {
        let raw = match &overrides.config_file {
            Some(path) => read_file(path)?,
            None => RawConfig::default(),
        };
        let origin = overrides
            .config_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "defaults".to_string());
        Settings::resolve(raw, overrides, &origin)
    }

    /// Parses config text (used by `load` and tests).
    pub fn from_toml(text: &str, overrides: &Overrides, origin: &str) -> Result<Settings> {
        let raw = parse_raw(text, origin)?;
        Settings::resolve(raw, overrides, origin)
    }

    fn resolve(raw: RawConfig, overrides: &Overrides, origin: &str) -> Result<Settings> {
        let mut problems = Vec::new();
        let data_dir = overrides
            .data_dir
            .clone()
            .or(raw.data_dir)
            .unwrap_or_else(|| PathBuf::from("./airlock-data"));
        let models_dir = overrides
            .models_dir
            .clone()
            .or(raw.models.dir)
            .unwrap_or_else(|| data_dir.join("models"));
        let embedding = raw
            .models
            .embedding
            .unwrap_or_else(|| models_dir.join(EMBEDDING_MODEL_DIR));
        let generator = raw
            .models
            .generator
            .unwrap_or_else(|| models_dir.join(GENERATOR_MODEL_FILE));
        let inference = resolve_inference(&raw.inference, &mut problems);
        let database = resolve_database(raw.database, overrides, &data_dir, &mut problems);
        let server = resolve_server(raw.server, overrides, &mut problems);
        let review = resolve_review(raw.review, &mut problems);
        let env = |name: &str| std::env::var(name).ok();
        let webhooks = resolve_webhooks(raw.webhooks, &env, &mut problems);
        let webhook_delivery = resolve_delivery(raw.webhook_delivery, &mut problems);
        // Paths in the file are relative to the file.
        let base = overrides
            .config_file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let auth = resolve_auth(raw.auth, &base, &env);
        let audit = resolve_audit(raw.audit, &base, &data_dir, &env, &mut problems);
        let encryption = resolve_encryption(raw.encryption, &base, &data_dir, &env, &mut problems);
        let retention = resolve_retention(raw.retention, &mut problems);
        let pii = resolve_pii(raw.pii, &base, &data_dir, &env, &mut problems);
        let ui = resolve_ui(raw.ui, &base, &data_dir, &env, &mut problems);
        let gateway = crate::gateway::resolve_gateway(
            raw.providers,
            raw.routes,
            raw.budgets,
            &base,
            &env,
            &mut problems,
        );
        let workflows_dir = overrides
            .workflows_dir
            .clone()
            .or(raw.workflows)
            .unwrap_or_else(default_workflows_dir);
        if !problems.is_empty() {
            let list = problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(Error::invalid_config(format!(
                "{origin}: {} problem(s) in the configuration:\n{list}",
                problems.len()
            ))
            .with_field(origin.to_string()));
        }
        Ok(Settings {
            data_dir,
            workflows_dir,
            server,
            database,
            models: ModelSettings {
                dir: models_dir,
                embedding,
                generator,
            },
            inference,
            review,
            webhooks,
            webhook_delivery,
            auth,
            audit,
            encryption,
            retention,
            pii,
            ui,
            gateway,
        })
    }
}

fn read_file(path: &Path) -> Result<RawConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::io(path, "read config file", e).with_hint("check AIRLOCK_CONFIG or --config")
    })?;
    parse_raw(&text, &path.display().to_string())
}

/// Parses the file's text. A syntax error is reported by line and column
/// without the offending line itself, which may hold a webhook secret or a
/// database password.
fn parse_raw(text: &str, origin: &str) -> Result<RawConfig> {
    toml::from_str(text).map_err(|e| {
        let position = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                format!(" at line {line}, column {column}")
            })
            .unwrap_or_default();
        Error::invalid_config(format!("{origin}{position}: {}", e.message().trim_end()))
            .with_field(origin.to_string())
    })
}

fn resolve_database(
    raw: RawDatabase,
    overrides: &Overrides,
    data_dir: &Path,
    problems: &mut Vec<String>,
) -> DatabaseSettings {
    let url = overrides
        .database_url
        .clone()
        .or(raw.url)
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("airlock.db").display()));
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if !known.iter().any(|scheme| url.starts_with(scheme)) {
        // Only the scheme is echoed: the URL may carry a password.
        let scheme = url.split(':').next().unwrap_or_default();
        problems.push(format!(
            "database.url has scheme `{scheme}`: use sqlite://PATH or postgres://USER@HOST:PORT/DB"
        ));
    }
    let durability = parse_word(
        raw.durability.as_deref(),
        "database.durability",
        Durability::ALL,
        problems,
    );
    let commit_priority = parse_word(
        raw.commit_priority.as_deref(),
        "database.commit_priority",
        CommitPriority::ALL,
        problems,
    );
    DatabaseSettings {
        url,
        durability,
        commit_priority,
    }
}

/// A word setting (`None`: the default); an unknown word is a problem
/// naming the setting and the words it may be (`allowed`, the enum's
/// `ALL`, so the message never drifts from what parses).
fn parse_word<T: std::str::FromStr + Default + std::fmt::Display>(
    word: Option<&str>,
    setting: &str,
    allowed: &[T],
    problems: &mut Vec<String>,
) -> T {
    match word {
        None => T::default(),
        Some(word) => word.parse().unwrap_or_else(|_| {
            let quoted: Vec<String> = allowed.iter().map(|w| format!("\"{w}\"")).collect();
            let choices = match quoted.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            problems.push(format!("{setting} = {word:?}: must be {choices}"));
            T::default()
        }),
    }
}

/// `./workflows` when it exists, else the bundled `./examples`.
pub fn default_workflows_dir() -> PathBuf {
    let own = PathBuf::from("./workflows");
    if own.is_dir() {
        own
    } else {
        PathBuf::from("./examples")
    }
}

fn resolve_server(
    raw: RawServer,
    overrides: &Overrides,
    problems: &mut Vec<String>,
) -> ServerSettings {
    let listen_text = overrides
        .listen
        .clone()
        .or(raw.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let listen = listen_text.parse().unwrap_or_else(|_| {
        problems.push(format!(
            "server.listen = {listen_text:?}: must be IP:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080"
        ));
        DEFAULT_LISTEN
            .parse()
            .expect("the default listen address parses")
    });
    let max_body_bytes = match raw.max_body_bytes {
        None => DEFAULT_MAX_BODY_BYTES,
        Some(v) if v >= 1 && v as u64 <= MAX_MAX_BODY_BYTES as u64 => v as usize,
        Some(v) => {
            problems.push(format!(
                "server.max_body_bytes = {v}: must be between 1 and {MAX_MAX_BODY_BYTES}"
            ));
            DEFAULT_MAX_BODY_BYTES
        }
    };
    let request_timeout = match raw.request_timeout.as_deref() {
        None => Duration::from_secs(60),
        Some(text) => match humantime::parse_duration(text) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                problems.push(format!(
                    "server.request_timeout = {text:?}: must be a positive duration such as \"60s\" or \"2m\""
                ));
                Duration::from_secs(60)
            }
        },
    };
    let max_in_flight = match raw.max_in_flight {
        None => DEFAULT_MAX_IN_FLIGHT,
        Some(v) if v >= 1 && v as u64 <= MAX_MAX_IN_FLIGHT as u64 => v as usize,
        Some(v) => {
            problems.push(format!(
                "server.max_in_flight = {v}: must be between 1 and {MAX_MAX_IN_FLIGHT}"
            ));
            DEFAULT_MAX_IN_FLIGHT
        }
    };
    ServerSettings {
        listen,
        max_body_bytes,
        request_timeout,
        max_in_flight,
    }
}

/// Default parallelism: every core, capped at 8.
fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().min(8))
        .unwrap_or(1)
}

fn resolve_inference(raw: &RawInference, problems: &mut Vec<String>) -> InferenceSettings {
    let mut positive = |name: &str, value: Option<i64>, default: usize, max: usize| -> usize {
        match value {
            None => default,
            Some(v) if v >= 1 && (v as u64) <= max as u64 => v as usize,
            Some(v) => {
                problems.push(format!(
                    "inference.{name} = {v}: must be between 1 and {max}"
                ));
                default
            }
        }
    };
    InferenceSettings {
        // One single-threaded worker per core: the fastest layout measured
        // (BENCHMARKS.md) and immune to spinning thread pools on a busy core.
        embed_workers: positive("embed_workers", raw.embed_workers, default_threads(), 64),
        embed_threads: positive("embed_threads", raw.embed_threads, 1, 64),
        embed_max_batch: positive("embed_max_batch", raw.embed_max_batch, 64, 4096),
        generate_threads: positive("generate_threads", raw.generate_threads, 1, 64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_put_models_under_data_dir() {
        let s = Settings::from_toml("", &Overrides::default(), "test").unwrap();
        assert_eq!(s.data_dir, PathBuf::from("./airlock-data"));
        assert_eq!(s.models.dir, PathBuf::from("./airlock-data/models"));
        assert_eq!(
            s.models.embedding,
            PathBuf::from("./airlock-data/models/all-minilm-l6-v2")
        );
    }

    #[test]
    fn flags_beat_file() {
        let overrides = Overrides {
            data_dir: Some("/flag".into()),
            ..Default::default()
        };
        let s = Settings::from_toml("data_dir = \"/file\"", &overrides, "test").unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/flag"));
        assert_eq!(s.models.dir, PathBuf::from("/flag/models"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "[inference]\nembed_workers = 0\nembed_threads = -3\n";
        let err = Settings::from_toml(text, &Overrides::default(), "airlock.toml").unwrap_err();
        assert!(err.message().contains("2 problem(s)"), "{}", err.message());
        assert!(err.message().contains("inference.embed_workers = 0"));
        assert!(err.message().contains("inference.embed_threads = -3"));
    }

    #[test]
    fn database_defaults_to_sqlite_in_the_data_dir_and_env_wins_over_file() {
        let s = Settings::from_toml("", &Overrides::default(), "test").unwrap();
        assert_eq!(s.database.url, "sqlite://./airlock-data/airlock.db");
        assert_eq!(s.database.durability, Durability::Fsync);
        assert_eq!(s.database.commit_priority, CommitPriority::Normal);
        let overrides = Overrides {
            database_url: Some("postgres://u@h/db".into()),
            ..Default::default()
        };
        let text = "[database]\nurl = \"sqlite://other.db\"\ndurability = \"process\"\ncommit_priority = \"realtime\"\n";
        let s = Settings::from_toml(text, &overrides, "test").unwrap();
        assert_eq!(s.database.url, "postgres://u@h/db");
        assert_eq!(s.database.durability, Durability::Process);
        assert_eq!(s.database.commit_priority, CommitPriority::Realtime);
    }

    #[test]
    fn bad_database_settings_are_reported_with_the_rest() {
        let text = "[database]\nurl = \"mysql://root:secret@h/db\"\ndurability = \"sometimes\"\ncommit_priority = \"urgent\"\n[inference]\nembed_workers = 0\n";
        let err = Settings::from_toml(text, &Overrides::default(), "a.toml").unwrap_err();
        let msg = err.message();
        assert!(msg.contains("4 problem(s)"), "{msg}");
        assert!(
            msg.contains(
                "database.commit_priority = \"urgent\": must be \"normal\" or \"realtime\""
            ),
            "{msg}"
        );
        assert!(msg.contains("scheme `mysql`"), "{msg}");
        assert!(!msg.contains("secret"), "never echo a password: {msg}");
        assert!(msg.contains("database.durability = \"sometimes\""), "{msg}");
    }

    #[test]
    fn server_settings_default_and_precedence() {
        let s = Settings::from_toml("", &Overrides::default(), "test").unwrap();
        assert_eq!(s.server.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.server.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(s.server.max_in_flight, DEFAULT_MAX_IN_FLIGHT);
        let text = "workflows = \"/wf\"\n[server]\nlisten = \"0.0.0.0:9000\"\nmax_body_bytes = 2048\nrequest_timeout = \"5s\"\nmax_in_flight = 64\n";
        let s = Settings::from_toml(text, &Overrides::default(), "test").unwrap();
        assert_eq!(s.server.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.server.max_body_bytes, 2048);
        assert_eq!(s.server.request_timeout, Duration::from_secs(5));
        assert_eq!(s.server.max_in_flight, 64);
        assert_eq!(s.workflows_dir, PathBuf::from("/wf"));
        let overrides = Overrides {
            listen: Some("127.0.0.1:7000".into()),
            ..Default::default()
        };
        let s = Settings::from_toml(text, &overrides, "test").unwrap();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:7000");
    }

    #[test]
    fn bad_server_settings_are_all_reported() {
        let text =
            "[server]\nlisten = \"localhost\"\nmax_body_bytes = 0\nrequest_timeout = \"soon\"\nmax_in_flight = 0\n";
        let err = Settings::from_toml(text, &Overrides::default(), "a.toml").unwrap_err();
        let msg = err.message();
        assert!(msg.contains("4 problem(s)"), "{msg}");
        assert!(
            msg.contains("server.max_in_flight = 0: must be between 1 and 1000000"),
            "{msg}"
        );
        assert!(msg.contains("server.listen"), "{msg}");
        assert!(msg.contains("server.max_body_bytes = 0"), "{msg}");
        assert!(msg.contains("server.request_timeout"), "{msg}");
    }

    #[test]
    fn review_and_webhook_sections_parse() {
        let text = r#"
[review]
adjudicators = ["carol"]

[[webhooks]]
name = "crm"
url = "https://crm.example.com/hooks/airlock"
secret = "0123456789abcdef0123456789abcdef"
events = ["review.resolved", "review.overdue"]
workflows = ["support-triage"]

[[webhooks]]
name = "audit"
url = "http://127.0.0.1:9000/"
secret = "another-secret-of-enough-bytes"

[webhook_delivery]
max_attempts = 5
timeout = "3s"
retry_base = "500ms"
retry_max = "1m"
"#;
        let s = Settings::from_toml(text, &Overrides::default(), "test").unwrap();
        assert_eq!(s.review.adjudicators, vec!["carol".to_string()]);
        assert_eq!(s.webhooks.len(), 2);
        let crm = &s.webhooks[0];
        assert_eq!(crm.name, "crm");
        assert_eq!(crm.url, "https://crm.example.com/hooks/airlock");
        assert_eq!(
            crm.events,
            vec![
                airlock_core::EventType::ReviewResolved,
                airlock_core::EventType::ReviewOverdue
            ]
        );
        assert_eq!(crm.workflows, vec!["support-triage".to_string()]);
        assert_eq!(s.webhooks[1].events, airlock_core::EventType::ALL.to_vec());
        assert_eq!(
            s.webhook_delivery,
            WebhookDeliverySettings {
                max_attempts: 5,
                timeout: Duration::from_secs(3),
                retry_base: Duration::from_millis(500),
                retry_max: Duration::from_secs(60),
            }
        );
    }

    #[test]
    fn review_and_webhook_sections_default_to_nothing() {
        let s = Settings::from_toml("", &Overrides::default(), "test").unwrap();
        assert!(s.review.adjudicators.is_empty());
        assert!(s.webhooks.is_empty());
        assert_eq!(s.webhook_delivery, WebhookDeliverySettings::default());
    }

    #[test]
    fn webhook_problems_are_reported_with_the_rest_and_never_echo_a_secret() {
        let text = r#"
[server]
max_body_bytes = 0

[[webhooks]]
name = "crm"
url = "ftp://crm.example.com/"
secret = "short-secret"
events = ["review.maybe"]

[[webhooks]]
name = "crm"
url = "https://a.example.com/"
secret_env = "AIRLOCK_TEST_UNSET_WEBHOOK_SECRET_3F9A"

[webhook_delivery]
retry_base = "2m"
retry_max = "1m"
"#;
        let err = Settings::from_toml(text, &Overrides::default(), "a.toml").unwrap_err();
        let msg = err.message();
        assert!(msg.contains("7 problem(s)"), "{msg}");
        assert!(msg.contains("server.max_body_bytes = 0"), "{msg}");
        assert!(
            msg.contains("webhooks[0] (\"crm\").url has scheme `ftp`"),
            "{msg}"
        );
        assert!(msg.contains("12 bytes long"), "{msg}");
        assert!(msg.contains("\"review.maybe\" is not an event"), "{msg}");
        assert!(msg.contains("webhooks[1] (\"crm\").name"), "{msg}");
        assert!(
            msg.contains("AIRLOCK_TEST_UNSET_WEBHOOK_SECRET_3F9A, which is not set"),
            "{msg}"
        );
        assert!(
            msg.contains("retry_base (2m) is longer than retry_max (1m)"),
            "{msg}"
        );
        assert!(!msg.contains("short-secret"), "never echo a secret: {msg}");
    }

    #[test]
    fn unknown_webhook_keys_are_rejected_with_their_name() {
        let text = "[[webhooks]]\nname = \"a\"\nurl = \"http://h/\"\nsecrets = \"x\"\n";
        let err = Settings::from_toml(text, &Overrides::default(), "a.toml").unwrap_err();
        assert!(err.message().contains("secrets"), "{}", err.message());
    }

    #[test]
    fn syntax_errors_name_the_position_but_not_the_line() {
        let text = "[[webhooks]]\nname = \"a\"\nsecret = \"0123456789abcdef-unterminated\n";
        let err = Settings::from_toml(text, &Overrides::default(), "a.toml").unwrap_err();
        let msg = err.message();
        assert!(msg.starts_with("a.toml at line 3, column"), "{msg}");
        assert!(
            !msg.contains("0123456789abcdef"),
            "never echo a secret: {msg}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let err = Settings::from_toml("[models]\ndri = \"x\"\n", &Overrides::default(), "a.toml")
            .unwrap_err();
        assert!(err.message().contains("dri"), "{}", err.message());
    }
}
