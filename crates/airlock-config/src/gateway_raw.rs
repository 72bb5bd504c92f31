//! `[[providers]]`, `[[routes]]` and `[[budgets]]` as written in the file.

use serde::Deserialize;
use std::path::PathBuf;

/// `[[providers]]`: one hosted or local model source.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    /// Unique name routes refer to.
    pub name: Option<String>,
    /// `openai` (any OpenAI-compatible server), `anthropic` or `local`.
    pub kind: Option<String>,
    /// e.g. `https://api.openai.com/v1` or `https://api.anthropic.com`.
    pub base_url: Option<String>,
    /// The environment variable holding the API key.
    pub api_key_env: Option<String>,
    /// A file holding the API key.
    pub api_key_file: Option<PathBuf>,
    /// Header the key is sent in instead of `Authorization: Bearer`
    /// (`api-key` for Azure OpenAI).
    pub auth_header: Option<String>,
    /// Query parameters added to every request (`api-version` for Azure).
    #[serde(default)]
    pub query: std::collections::BTreeMap<String, String>,
    /// Data classes this provider may receive (`public`, `internal`,
    /// `confidential`); default: `public` only.
    pub data_classes: Option<Vec<String>>,
    pub connect_timeout: Option<String>,
    pub first_token_timeout: Option<String>,
    pub total_timeout: Option<String>,
    pub max_retries: Option<i64>,
    pub retry_backoff: Option<String>,
    pub retry_backoff_max: Option<String>,
    pub breaker_failures: Option<i64>,
    pub breaker_open_for: Option<String>,
    pub requests_per_minute: Option<i64>,
    pub tokens_per_minute: Option<i64>,
    pub max_concurrency: Option<i64>,
    /// How long a call may wait for a client-side limit (default 0: fail
    /// over at once).
    pub limit_wait: Option<String>,
}

/// `[[routes]]`: a model name clients ask for and its fallback chain.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub name: Option<String>,
    /// `chat` (default) or `embedding`.
    pub kind: Option<String>,
    /// The data class of what callers send through this route when they
    /// do not say (default `internal`).
    pub data_class: Option<String>,
    /// Tried in order.
    #[serde(default)]
    pub targets: Vec<RawTarget>,
}

/// One link of a route's chain.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub provider: Option<String>,
    /// The provider's own model name (default: the route's name).
    pub model: Option<String>,
    /// USD per million input tokens.
    pub input_price: Option<f64>,
    /// USD per million output tokens.
    pub output_price: Option<f64>,
}

/// `[[budgets]]`: a spending limit over a window.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    /// The API key name the budget applies to.
    pub key: Option<String>,
    /// The workflow (or `model:<route>` for direct model calls).
    pub workflow: Option<String>,
    /// The limit in US dollars.
    pub limit_usd: Option<f64>,
    /// e.g. `"1h"`, `"1d"`, `"30d"` (fixed windows from the Unix epoch).
    pub window: Option<String>,
}
