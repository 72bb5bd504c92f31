//! Validation of `[[providers]]`, `[[routes]]` and `[[budgets]]`: hosted
//! and local model sources, the model names clients ask for with their
//! ordered fallback chains, and spending limits. Every problem is pushed
//! onto the caller's list; an API key is never written into a message.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use crate::gateway_raw::{RawBudget, RawProvider, RawRoute, RawTarget};
use crate::webhooks::EnvLookup;

/// The data classes a provider may be allowed to receive.
pub const DATA_CLASSES: &[&str] = &["public", "internal", "confidential"];

/// The name of the built-in local provider (Airlock's own models), usable
/// in routes without a `[[providers]]` entry.
pub const LOCAL_PROVIDER: &str = "local";

/// How a provider is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// Any OpenAI-compatible server (OpenAI, Azure OpenAI, vLLM, Ollama,
    /// llama.cpp server).
    OpenAi,
    /// The Anthropic Messages API.
    Anthropic,
    /// Airlock's local models.
    Local,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Local => "local",
        }
    }
}

/// A provider's API key; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderKey(String);

impl ProviderKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProviderKey(<redacted>)")
    }
}

/// One validated `[[providers]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSettings {
    pub name: String,
    pub kind: ProviderKind,
    /// Empty for `local`.
    pub base_url: String,
    pub api_key: Option<ProviderKey>,
    pub auth_header: Option<String>,
    pub query: Vec<(String, String)>,
    pub data_classes: Vec<String>,
    pub connect_timeout: Duration,
    pub first_token_timeout: Duration,
    pub total_timeout: Duration,
    pub max_retries: u32,
    pub retry_backoff: Duration,
    pub retry_backoff_max: Duration,
    pub breaker_failures: u32,
    pub breaker_open_for: Duration,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
    pub max_concurrency: Option<u32>,
    pub limit_wait: Duration,
}

impl ProviderSettings {
    /// Whether this provider may receive data of `class`.
    pub fn allows(&self, class: &str) -> bool {
        self.data_classes.iter().any(|c| c == class)
    }

    /// The built-in local provider: every data class, since nothing leaves
    /// the process.
    pub fn local() -> Self {
        ProviderSettings {
            name: LOCAL_PROVIDER.to_string(),
            kind: ProviderKind::Local,
            base_url: String::new(),
            api_key: None,
            auth_header: None,
            query: Vec::new(),
            data_classes: DATA_CLASSES.iter().map(|c| c.to_string()).collect(),
            connect_timeout: Duration::from_secs(1),
            first_token_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(300),
            max_retries: 0,
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(1),
            breaker_failures: 5,
            breaker_open_for: Duration::from_secs(30),
            requests_per_minute: None,
            tokens_per_minute: None,
            max_concurrency: None,
            limit_wait: Duration::ZERO,
        }
    }
}

/// What a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Chat,
    Embedding,
}

impl RouteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Chat => "chat",
            RouteKind::Embedding => "embedding",
        }
    }
}

/// One link of a fallback chain.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSettings {
    pub provider: String,
    pub model: String,
    /// USD per million tokens.
    pub input_price: f64,
    pub output_price: f64,
}

/// One validated `[[routes]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteSettings {
    pub name: String,
    pub kind: RouteKind,
    pub data_class: String,
    pub targets: Vec<TargetSettings>,
}

/// What a budget limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetScope {
    /// Calls made with the API key of this name.
    Key(String),
    /// Runs of this workflow (`model:<route>` for direct model calls).
    Workflow(String),
}

impl BudgetScope {
    /// The stored counter's scope: `key:<name>` or `workflow:<name>`.
    pub fn counter(&self) -> String {
        match self {
            BudgetScope::Key(name) => format!("key:{name}"),
            BudgetScope::Workflow(name) => format!("workflow:{name}"),
        }
    }
}

/// One validated `[[budgets]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetSettings {
    pub scope: BudgetScope,
    /// The limit in millionths of a US dollar.
    pub limit_micro_usd: u64,
    pub window: Duration,
}

/// Providers, routes and budgets together.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GatewaySettings {
    /// Configured providers, plus the built-in `local` one when a route
    /// uses it.
    pub providers: Vec<ProviderSettings>,
    pub routes: Vec<RouteSettings>,
    pub budgets: Vec<BudgetSettings>,
}

impl GatewaySettings {
    pub fn provider(&self, name: &str) -> Option<&ProviderSettings> {
        self.providers.iter().find(|p| p.name == name)
    }

    pub fn route(&self, name: &str) -> Option<&RouteSettings> {
        self.routes.iter().find(|r| r.name == name)
    }

    /// Whether any route sends work to the local models of `kind`.
    pub fn uses_local(&self, kind: RouteKind) -> bool {
        self.routes
            .iter()
            .filter(|r| r.kind == kind)
            .flat_map(|r| &r.targets)
            .any(|t| t.provider == LOCAL_PROVIDER)
    }
}

pub(crate) fn resolve_gateway(
    providers: Vec<RawProvider>,
    routes: Vec<RawRoute>,
    budgets: Vec<RawBudget>,
    base: &Path,
    env: EnvLookup<'_>,
    problems: &mut Vec<String>,
) -> GatewaySettings {
    let mut resolved: Vec<ProviderSettings> = Vec::new();
    for (i, raw) in providers.into_iter().enumerate() {
        let label = match &raw.name {
            Some(name) => format!("providers[{i}] ({name:?})"),
            None => format!("providers[{i}]"),
        };
        let provider = resolve_provider(raw, &label, base, env, problems);
        if resolved.iter().any(|p| p.name == provider.name) {
            problems.push(format!(
                "{label}.name: another provider is already called {:?}; names must be unique",
                provider.name
            ));
        }
        resolved.push(provider);
    }
    let routes = resolve_routes(routes, &mut resolved, problems);
    let budgets = budgets
        .into_iter()
        .enumerate()
        .filter_map(|(i, raw)| resolve_budget(raw, i, problems))
        .collect();
    GatewaySettings {
        providers: resolved,
        routes,
        budgets,
    }
}

fn valid_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
}

fn resolve_provider(
    raw: RawProvider,
    label: &str,
    base: &Path,
    env: EnvLookup<'_>,
    problems: &mut Vec<String>,
) -> ProviderSettings {
    let mut out = ProviderSettings::local();
    out.data_classes = vec!["public".to_string()];
    match raw.name {
        None => problems.push(format!("{label}: `name` is missing")),
        Some(name) if !valid_name(&name) => problems.push(format!(
            "{label}.name must start with a letter or digit and hold only letters, digits, `-`, `_`, `.`, `:` and `/`"
        )),
        Some(name) => out.name = name,
    }
    out.kind = match raw.kind.as_deref() {
        Some("openai") => ProviderKind::OpenAi,
        Some("anthropic") => ProviderKind::Anthropic,
        Some("local") => ProviderKind::Local,
        Some(other) => {
            problems.push(format!(
                "{label}.kind = {other:?}: must be \"openai\", \"anthropic\" or \"local\""
            ));
            ProviderKind::OpenAi
        }
        None => {
            problems.push(format!(
                "{label}: `kind` is missing: \"openai\", \"anthropic\" or \"local\""
            ));
            ProviderKind::OpenAi
        }
    };
    if out.kind == ProviderKind::Local {
        if raw.base_url.is_some() || raw.api_key_env.is_some() || raw.api_key_file.is_some() {
            problems.push(format!(
                "{label}: a `local` provider takes no base_url or API key"
            ));
        }
    } else {
        out.base_url = resolve_base_url(raw.base_url, label, problems);
        out.api_key = resolve_key(
            raw.api_key_env,
            raw.api_key_file,
            label,
            base,
            env,
            problems,
        );
    }
    out.auth_header = raw.auth_header;
    out.query = raw.query.into_iter().collect();
    if let Some(classes) = raw.data_classes {
        for class in &classes {
            if !DATA_CLASSES.contains(&class.as_str()) {
                problems.push(format!(
                    "{label}.data_classes lists {class:?}: must be \"public\", \"internal\" or \"confidential\""
                ));
            }
        }
        out.data_classes = classes;
    } else if out.kind == ProviderKind::Local {
        out.data_classes = DATA_CLASSES.iter().map(|c| c.to_string()).collect();
    }
    let duration =
        |field: &str, text: Option<String>, default: Duration, problems: &mut Vec<String>| {
            crate::security::positive_duration(&format!("{label}.{field}"), text, default, problems)
        };
    out.connect_timeout = duration(
        "connect_timeout",
        raw.connect_timeout,
        Duration::from_secs(5),
        problems,
    );
    out.first_token_timeout = duration(
        "first_token_timeout",
        raw.first_token_timeout,
        Duration::from_secs(30),
        problems,
    );
    out.total_timeout = duration(
        "total_timeout",
        raw.total_timeout,
        Duration::from_secs(120),
        problems,
    );
    out.retry_backoff = duration(
        "retry_backoff",
        raw.retry_backoff,
        Duration::from_millis(200),
        problems,
    );
    out.retry_backoff_max = duration(
        "retry_backoff_max",
        raw.retry_backoff_max,
        Duration::from_secs(10),
        problems,
    );
    out.breaker_open_for = duration(
        "breaker_open_for",
        raw.breaker_open_for,
        Duration::from_secs(30),
        problems,
    );
    out.limit_wait = match raw.limit_wait {
        None => Duration::ZERO,
        Some(text) => humantime::parse_duration(&text).unwrap_or_else(|_| {
            problems.push(format!(
                "{label}.limit_wait = {text:?}: must be a duration such as \"0s\" or \"2s\""
            ));
            Duration::ZERO
        }),
    };
    if out.first_token_timeout > out.total_timeout {
        problems.push(format!(
            "{label}: first_token_timeout is longer than total_timeout"
        ));
    }
    out.max_retries = count(label, "max_retries", raw.max_retries, 0, 10, problems).unwrap_or(2);
    out.breaker_failures = count(
        label,
        "breaker_failures",
        raw.breaker_failures,
        1,
        1000,
        problems,
    )
    .unwrap_or(5);
    out.requests_per_minute = count(
        label,
        "requests_per_minute",
        raw.requests_per_minute,
        1,
        100_000_000,
        problems,
    );
    out.tokens_per_minute = count(
        label,
        "tokens_per_minute",
        raw.tokens_per_minute,
        1,
        u32::MAX as i64,
        problems,
    );
    out.max_concurrency = count(
        label,
        "max_concurrency",
        raw.max_concurrency,
        1,
        1_000_000,
        problems,
    );
    out
}

fn count(
    label: &str,
    field: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
    problems: &mut Vec<String>,
) -> Option<u32> {
    let value = value?;
    if value < min || value > max {
        problems.push(format!(
            "{label}.{field} = {value}: must be between {min} and {max}"
        ));
        return None;
    }
    u32::try_from(value).ok()
}

fn resolve_base_url(url: Option<String>, label: &str, problems: &mut Vec<String>) -> String {
    let Some(text) = url else {
        problems.push(format!(
            "{label}: `base_url` is missing (e.g. https://api.openai.com/v1)"
        ));
        return String::new();
    };
    match url::Url::parse(&text) {
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => problems.push(format!(
            "{label}.base_url has scheme `{}`: use an http:// or https:// URL",
            parsed.scheme()
        )),
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => {
            problems.push(format!("{label}.base_url names no host"))
        }
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => problems
            .push(format!(
                "{label}.base_url holds credentials: put the key in api_key_env or api_key_file"
            )),
        Ok(_) => {}
        Err(err) => problems.push(format!("{label}.base_url is not a valid URL ({err})")),
    }
    text.trim_end_matches('/').to_string()
}

fn resolve_key(
    var: Option<String>,
    file: Option<std::path::PathBuf>,
    label: &str,
    base: &Path,
    env: EnvLookup<'_>,
    problems: &mut Vec<String>,
) -> Option<ProviderKey> {
    match (var, file) {
        (Some(_), Some(_)) => {
            problems.push(format!(
                "{label}: set api_key_env or api_key_file, not both"
            ));
            None
        }
        (None, None) => None,
        (Some(var), None) => match env(&var).filter(|v| !v.trim().is_empty()) {
            Some(key) => Some(ProviderKey(key.trim().to_string())),
            None => {
                problems.push(format!(
                    "{label}.api_key_env names {var}, which is not set or is empty"
                ));
                None
            }
        },
        (None, Some(file)) => {
            let path = if file.is_absolute() {
                file
            } else {
                base.join(file)
            };
            match std::fs::read_to_string(&path) {
                Ok(text) if !text.trim().is_empty() => Some(ProviderKey(text.trim().to_string())),
                Ok(_) => {
                    problems.push(format!("{label}.api_key_file {} is empty", path.display()));
                    None
                }
                Err(err) => {
                    problems.push(format!(
                        "{label}.api_key_file {} cannot be read: {err}",
                        path.display()
                    ));
                    None
                }
            }
        }
    }
}

fn resolve_routes(
    raw: Vec<RawRoute>,
    providers: &mut Vec<ProviderSettings>,
    problems: &mut Vec<String>,
) -> Vec<RouteSettings> {
    let mut names = HashSet::new();
    let mut routes = Vec::with_capacity(raw.len());
    for (i, route) in raw.into_iter().enumerate() {
        let label = match &route.name {
            Some(name) => format!("routes[{i}] ({name:?})"),
            None => format!("routes[{i}]"),
        };
        let name = match route.name {
            None => {
                problems.push(format!(
                    "{label}: `name` is missing (the model name clients ask for)"
                ));
                String::new()
            }
            Some(name) if !valid_name(&name) => {
                problems.push(format!(
                    "{label}.name must start with a letter or digit and hold only letters, digits, `-`, `_`, `.`, `:` and `/`"
                ));
                name
            }
            Some(name) => {
                if !names.insert(name.clone()) {
                    problems.push(format!(
                        "{label}.name: another route is already called {name:?}"
                    ));
                }
                name
            }
        };
        let kind = match route.kind.as_deref() {
            None | Some("chat") => RouteKind::Chat,
            Some("embedding") => RouteKind::Embedding,
            Some(other) => {
                problems.push(format!(
                    "{label}.kind = {other:?}: must be \"chat\" or \"embedding\""
                ));
                RouteKind::Chat
            }
        };
        let data_class = route.data_class.unwrap_or_else(|| "internal".to_string());
        if !DATA_CLASSES.contains(&data_class.as_str()) {
            problems.push(format!(
                "{label}.data_class = {data_class:?}: must be \"public\", \"internal\" or \"confidential\""
            ));
        }
        if route.targets.is_empty() {
            problems.push(format!(
                "{label}: `targets` is empty: name at least one {{ provider, model }}"
            ));
        }
        let targets: Vec<TargetSettings> = route
            .targets
            .into_iter()
            .enumerate()
            .map(|(j, t)| {
                resolve_target(
                    t,
                    &format!("{label}.targets[{j}]"),
                    &name,
                    kind,
                    providers,
                    problems,
                )
            })
            .collect();
        let reachable = targets.iter().any(|t| {
            providers
                .iter()
                .find(|p| p.name == t.provider)
                .is_some_and(|p| p.allows(&data_class))
        });
        if !targets.is_empty() && !reachable {
            problems.push(format!(
                "{label}: no provider of its chain may receive {data_class} data: allow it in a provider's data_classes or add a target that may"
            ));
        }
        routes.push(RouteSettings {
            name,
            kind,
            data_class,
            targets,
        });
    }
    routes
}

fn resolve_target(
    raw: RawTarget,
    label: &str,
    route: &str,
    kind: RouteKind,
    providers: &mut Vec<ProviderSettings>,
    problems: &mut Vec<String>,
) -> TargetSettings {
    let provider = raw.provider.unwrap_or_else(|| {
        problems.push(format!("{label}: `provider` is missing"));
        String::new()
    });
    if !provider.is_empty() && !providers.iter().any(|p| p.name == provider) {
        if provider == LOCAL_PROVIDER {
            providers.push(ProviderSettings::local());
        } else {
            let known: BTreeMap<&str, ()> =
                providers.iter().map(|p| (p.name.as_str(), ())).collect();
            let known: Vec<&str> = known.into_keys().collect();
            problems.push(format!(
                "{label}.provider = {provider:?} is not configured (providers: {}; `local` is built in)",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ));
        }
    }
    if kind == RouteKind::Embedding
        && providers
            .iter()
            .any(|p| p.name == provider && p.kind == ProviderKind::Anthropic)
    {
        problems.push(format!(
            "{label}: provider {provider:?} speaks the Anthropic Messages API, which has no embeddings"
        ));
    }
    let mut price = |field: &str, value: Option<f64>| match value {
        None => 0.0,
        Some(v) if v.is_finite() && v >= 0.0 => v,
        Some(v) => {
            problems.push(format!(
                "{label}.{field} = {v}: must be a price in USD per million tokens, 0 or more"
            ));
            0.0
        }
    };
    let input_price = price("input_price", raw.input_price);
    let output_price = price("output_price", raw.output_price);
    TargetSettings {
        provider,
        model: raw.model.unwrap_or_else(|| route.to_string()),
        input_price,
        output_price,
    }
}

fn resolve_budget(raw: RawBudget, i: usize, problems: &mut Vec<String>) -> Option<BudgetSettings> {
    let label = format!("budgets[{i}]");
    let scope = match (raw.key, raw.workflow) {
        (Some(key), None) => BudgetScope::Key(key),
        (None, Some(workflow)) => BudgetScope::Workflow(workflow),
        _ => {
            problems.push(format!(
                "{label}: set exactly one of `key` (an API key name) or `workflow`"
            ));
            return None;
        }
    };
    let limit = match raw.limit_usd {
        Some(v) if v.is_finite() && v > 0.0 && v < 1e9 => (v * 1e6).round() as u64,
        Some(v) => {
            problems.push(format!(
                "{label}.limit_usd = {v}: must be a positive amount of US dollars"
            ));
            return None;
        }
        None => {
            problems.push(format!("{label}: `limit_usd` is missing"));
            return None;
        }
    };
    let window = crate::security::positive_duration(
        &format!("{label}.window"),
        raw.window,
        Duration::from_secs(86_400),
        problems,
    );
    Some(BudgetSettings {
        scope,
        limit_micro_usd: limit,
        window,
    })
}
