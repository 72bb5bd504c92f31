//! Validation of `[review]`, `[[webhooks]]` and `[webhook_delivery]`: each
//! problem is pushed onto the caller's list so the whole file is checked in
//! one go. A webhook secret is never written into a message: only its
//! length, or the name of the variable it should come from.

use std::collections::HashSet;
use std::time::Duration;

use airlock_core::EventType;

use crate::raw::{RawReview, RawWebhook, RawWebhookDelivery};
use crate::settings::{ReviewSettings, WebhookDeliverySettings, WebhookSettings};

/// Shortest signing key accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

/// Reads an environment variable; injected so tests need not touch the
/// process environment.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(crate) fn resolve_review(raw: RawReview, problems: &mut Vec<String>) -> ReviewSettings {
    let adjudicators = raw.adjudicators.unwrap_or_default();
    let mut seen = HashSet::new();
    for (i, name) in adjudicators.iter().enumerate() {
        if name.trim().is_empty() {
            problems.push(format!(
                "review.adjudicators[{i}] is empty: name a reviewer"
            ));
        } else if !seen.insert(name.as_str()) {
            problems.push(format!("review.adjudicators lists {name:?} twice"));
        }
    }
    ReviewSettings { adjudicators }
}

pub(crate) fn resolve_webhooks(
    raw: Vec<RawWebhook>,
    env: EnvLookup<'_>,
    problems: &mut Vec<String>,
) -> Vec<WebhookSettings> {
    let mut names = HashSet::new();
    let mut endpoints = Vec::with_capacity(raw.len());
    for (i, hook) in raw.into_iter().enumerate() {
        let label = match &hook.name {
            Some(name) => format!("webhooks[{i}] ({name:?})"),
            None => format!("webhooks[{i}]"),
        };
        let name = resolve_name(hook.name, &label, &mut names, problems);
        let url = resolve_url(hook.url, &label, problems);
        let secret = resolve_secret(hook.secret, hook.secret_env, &label, env, problems);
        let events = resolve_events(hook.events, &label, problems);
        let workflows = resolve_workflows(hook.workflows, &label, problems);
        endpoints.push(WebhookSettings {
            name,
            url,
            secret,
            events,
            workflows,
        });
    }
    endpoints
}

fn resolve_name(
    name: Option<String>,
    label: &str,
    seen: &mut HashSet<String>,
    problems: &mut Vec<String>,
) -> String {
    let Some(name) = name else {
        problems.push(format!("{label}: `name` is missing"));
        return String::new();
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        problems.push(format!(
            "{label}.name must start with a letter or digit and hold only letters, digits, `-`, `_` and `.`"
        ));
    } else if !seen.insert(name.clone()) {
        problems.push(format!(
            "{label}.name: another endpoint is already called {name:?}; names must be unique"
        ));
    }
    name
}

fn resolve_url(url: Option<String>, label: &str, problems: &mut Vec<String>) -> String {
    let Some(text) = url else {
        problems.push(format!("{label}: `url` is missing"));
        return String::new();
    };
    // Only the scheme or the parser's reason is echoed: a URL may carry a
    // token in its user info or query.
    match url::Url::parse(&text) {
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            problems.push(format!(
                "{label}.url has scheme `{}`: use an http:// or https:// URL",
                parsed.scheme()
            ));
        }
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => {
            problems.push(format!("{label}.url names no host"));
        }
        Ok(_) => {}
        Err(err) => problems.push(format!(
            "{label}.url is not a valid URL ({err}): use e.g. https://example.com/hooks/airlock"
        )),
    }
    text
}

fn resolve_secret(
    secret: Option<String>,
    secret_env: Option<String>,
    label: &str,
    env: EnvLookup<'_>,
    problems: &mut Vec<String>,
) -> String {
    let secret = match (secret, secret_env) {
        (Some(_), Some(_)) => {
            problems.push(format!(
                "{label}: set either `secret` or `secret_env`, not both"
            ));
            return String::new();
        }
        (None, None) => {
            problems.push(format!(
                "{label}: the signing key is missing: set `secret_env` (the environment variable holding it) or `secret`"
            ));
            return String::new();
        }
        (Some(secret), None) => secret,
        (None, Some(var)) => match env(&var).filter(|v| !v.is_empty()) {
            Some(secret) => secret,
            None => {
                problems.push(format!(
                    "{label}.secret_env names the environment variable {var}, which is not set or is empty"
                ));
                return String::new();
            }
        },
    };
    if secret.len() < MIN_SECRET_BYTES {
        problems.push(format!(
            "{label}: the signing key is {} bytes long: it must be at least {MIN_SECRET_BYTES} bytes (e.g. 32 random bytes, hex-encoded)",
            secret.len()
        ));
    }
    secret
}

fn resolve_events(
    words: Option<Vec<String>>,
    label: &str,
    problems: &mut Vec<String>,
) -> Vec<EventType> {
    let Some(words) = words else {
        return EventType::ALL.to_vec();
    };
    if words.is_empty() {
        problems.push(format!(
            "{label}.events is empty: leave it out to send every event"
        ));
    }
    let mut events = Vec::with_capacity(words.len());
    for word in &words {
        match word.parse::<EventType>() {
            Ok(event) if !events.contains(&event) => events.push(event),
            Ok(_) => problems.push(format!("{label}.events lists {word:?} twice")),
            Err(_) => {
                let known: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
                problems.push(format!(
                    "{label}.events: {word:?} is not an event: use {}",
                    known.join(", ")
                ));
            }
        }
    }
    events
}

fn resolve_workflows(
    names: Option<Vec<String>>,
    label: &str,
    problems: &mut Vec<String>,
) -> Vec<String> {
    let Some(names) = names else {
        return Vec::new();
    };
    if names.is_empty() {
        problems.push(format!(
            "{label}.workflows is empty: leave it out to send events of every workflow"
        ));
    }
    if names.iter().any(|n| n.trim().is_empty()) {
        problems.push(format!("{label}.workflows holds an empty name"));
    }
    names
}

pub(crate) fn resolve_delivery(
    raw: RawWebhookDelivery,
    problems: &mut Vec<String>,
) -> WebhookDeliverySettings {
    let defaults = WebhookDeliverySettings::default();
    let max_attempts = match raw.max_attempts {
        None => defaults.max_attempts,
        Some(n) if (1..=i64::from(MAX_ATTEMPTS_LIMIT)).contains(&n) => n as u32,
        Some(n) => {
            problems.push(format!(
                "webhook_delivery.max_attempts = {n}: must be between 1 and {MAX_ATTEMPTS_LIMIT}"
            ));
            defaults.max_attempts
        }
    };
    let mut duration = |name: &str, text: Option<String>, default: Duration| match text {
        None => default,
        Some(text) => match humantime::parse_duration(&text) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                problems.push(format!(
                    "webhook_delivery.{name} = {text:?}: must be a positive duration such as \"10s\" or \"5m\""
                ));
                default
            }
        },
    };
    let timeout = duration("timeout", raw.timeout, defaults.timeout);
    let retry_base = duration("retry_base", raw.retry_base, defaults.retry_base);
    let retry_max = duration("retry_max", raw.retry_max, defaults.retry_max);
    if retry_base > retry_max {
        problems.push(format!(
            "webhook_delivery.retry_base ({}) is longer than retry_max ({}): the first wait cannot exceed the longest",
            humantime::format_duration(retry_base),
            humantime::format_duration(retry_max)
        ));
    }
    WebhookDeliverySettings {
        max_attempts,
        timeout,
        retry_base,
        retry_max,
    }
}

/// Largest `[webhook_delivery] max_attempts` accepted.
pub const MAX_ATTEMPTS_LIMIT: u32 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123";

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn hook(name: &str) -> RawWebhook {
        RawWebhook {
            name: Some(name.into()),
            url: Some("https://example.com/hooks".into()),
            secret: Some(KEY.into()),
            ..Default::default()
        }
    }

    fn check(raw: Vec<RawWebhook>, env: EnvLookup<'_>) -> (Vec<WebhookSettings>, Vec<String>) {
        let mut problems = Vec::new();
        let endpoints = resolve_webhooks(raw, env, &mut problems);
        (endpoints, problems)
    }

    #[test]
    fn an_endpoint_defaults_to_every_event_and_every_workflow() {
        let (endpoints, problems) = check(vec![hook("crm")], &no_env);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(endpoints[0].events, EventType::ALL.to_vec());
        assert!(endpoints[0].workflows.is_empty());
        assert_eq!(endpoints[0].secret, KEY);
    }

    #[test]
    fn secret_env_reads_the_named_variable() {
        let env = |name: &str| (name == "CRM_KEY").then(|| "k".repeat(32));
        let raw = RawWebhook {
            secret: None,
            secret_env: Some("CRM_KEY".into()),
            ..hook("crm")
        };
        let (endpoints, problems) = check(vec![raw], &env);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(endpoints[0].secret, "k".repeat(32));
    }

    #[test]
    fn an_unset_or_empty_secret_env_is_reported_by_variable_name() {
        let empty = |_: &str| Some(String::new());
        for env in [&no_env as EnvLookup<'_>, &empty] {
            let raw = RawWebhook {
                secret: None,
                secret_env: Some("CRM_KEY".into()),
                ..hook("crm")
            };
            let (_, problems) = check(vec![raw], env);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].contains("CRM_KEY"), "{problems:?}");
            assert!(problems[0].contains("not set or is empty"), "{problems:?}");
        }
    }

    #[test]
    fn both_or_neither_secret_source_is_a_problem() {
        let both = RawWebhook {
            secret_env: Some("CRM_KEY".into()),
            ..hook("a")
        };
        let neither = RawWebhook {
            secret: None,
            ..hook("b")
        };
        let (_, problems) = check(vec![both, neither], &no_env);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("not both"), "{problems:?}");
        assert!(
            problems[1].contains("signing key is missing"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_short_secret_is_rejected_without_echoing_it() {
        let raw = RawWebhook {
            secret: Some("hunter2hunter2".into()),
            ..hook("crm")
        };
        let (_, problems) = check(vec![raw], &no_env);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("14 bytes"), "{problems:?}");
        assert!(problems[0].contains("at least 16"), "{problems:?}");
        assert!(
            !problems[0].contains("hunter2"),
            "secret echoed: {problems:?}"
        );
    }

    #[test]
    fn a_short_secret_from_the_environment_is_not_echoed_either() {
        let env = |_: &str| Some("tiny-secret".to_string());
        let raw = RawWebhook {
            secret: None,
            secret_env: Some("CRM_KEY".into()),
            ..hook("crm")
        };
        let (_, problems) = check(vec![raw], &env);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("11 bytes"), "{problems:?}");
        assert!(!problems[0].contains("tiny-secret"), "{problems:?}");
    }

    #[test]
    fn names_must_be_present_well_formed_and_unique() {
        let missing = RawWebhook {
            name: None,
            ..hook("x")
        };
        let (_, problems) = check(
            vec![hook("crm"), hook("crm"), hook("bad name"), missing],
            &no_env,
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].contains("webhooks[1] (\"crm\")"),
            "{problems:?}"
        );
        assert!(problems[0].contains("unique"), "{problems:?}");
        assert!(problems[1].contains("webhooks[2]"), "{problems:?}");
        assert!(problems[1].contains("letters, digits"), "{problems:?}");
        assert!(
            problems[2].contains("webhooks[3]: `name` is missing"),
            "{problems:?}"
        );
    }

    #[test]
    fn urls_must_be_http_or_https_and_are_never_echoed() {
        let url = |u: &str| RawWebhook {
            url: Some(u.into()),
            ..hook(&format!("h{}", u.len()))
        };
        let missing = RawWebhook {
            url: None,
            ..hook("nourl")
        };
        let (_, problems) = check(
            vec![
                url("ftp://user:token@example.com/x"),
                url("not a url with token"),
                url("http://127.0.0.1:9000/hook"),
                missing,
            ],
            &no_env,
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("scheme `ftp`"), "{problems:?}");
        assert!(problems[1].contains("not a valid URL"), "{problems:?}");
        assert!(problems[2].contains("`url` is missing"), "{problems:?}");
        assert!(
            problems.iter().all(|p| !p.contains("token")),
            "{problems:?}"
        );
    }

    #[test]
    fn event_words_are_checked() {
        let raw = RawWebhook {
            events: Some(vec![
                "review.resolved".into(),
                "review.deleted".into(),
                "review.resolved".into(),
            ]),
            ..hook("crm")
        };
        let empty = RawWebhook {
            events: Some(vec![]),
            ..hook("other")
        };
        let (endpoints, problems) = check(vec![raw, empty], &no_env);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("\"review.deleted\" is not an event"));
        assert!(problems[0].contains("review.created, review.resolved, review.overdue"));
        assert!(problems[1].contains("twice"), "{problems:?}");
        assert!(problems[2].contains("events is empty"), "{problems:?}");
        assert_eq!(endpoints[0].events, vec![EventType::ReviewResolved]);
    }

    #[test]
    fn workflow_lists_must_name_something() {
        let empty = RawWebhook {
            workflows: Some(vec![]),
            ..hook("a")
        };
        let blank = RawWebhook {
            workflows: Some(vec!["support-triage".into(), " ".into()]),
            ..hook("b")
        };
        let (_, problems) = check(vec![empty, blank], &no_env);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("workflows is empty"), "{problems:?}");
        assert!(problems[1].contains("empty name"), "{problems:?}");
    }

    #[test]
    fn adjudicators_must_be_named_once() {
        let mut problems = Vec::new();
        let raw = RawReview {
            adjudicators: Some(vec!["carol".into(), "".into(), "carol".into()]),
        };
        let review = resolve_review(raw, &mut problems);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("review.adjudicators[1] is empty"));
        assert!(problems[1].contains("\"carol\" twice"));
        assert_eq!(review.adjudicators.len(), 3);
    }

    #[test]
    fn delivery_settings_parse_and_default() {
        let mut problems = Vec::new();
        let raw = RawWebhookDelivery {
            max_attempts: Some(3),
            timeout: Some("2s".into()),
            retry_base: Some("250ms".into()),
            retry_max: None,
        };
        let d = resolve_delivery(raw, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(d.max_attempts, 3);
        assert_eq!(d.timeout, Duration::from_secs(2));
        assert_eq!(d.retry_base, Duration::from_millis(250));
        assert_eq!(d.retry_max, WebhookDeliverySettings::default().retry_max);
    }

    #[test]
    fn bad_delivery_settings_are_all_reported() {
        let mut problems = Vec::new();
        let raw = RawWebhookDelivery {
            max_attempts: Some(0),
            timeout: Some("0s".into()),
            retry_base: Some("soon".into()),
            retry_max: Some("-1s".into()),
        };
        resolve_delivery(raw, &mut problems);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("max_attempts = 0"), "{problems:?}");
        assert!(problems[1].contains("timeout = \"0s\""), "{problems:?}");
        assert!(
            problems[2].contains("retry_base = \"soon\""),
            "{problems:?}"
        );
        assert!(problems[3].contains("retry_max = \"-1s\""), "{problems:?}");
    }

    #[test]
    fn retry_base_may_not_exceed_retry_max() {
        let mut problems = Vec::new();
        let raw = RawWebhookDelivery {
            retry_base: Some("10m".into()),
            retry_max: Some("1m".into()),
            ..Default::default()
        };
        resolve_delivery(raw, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("retry_base (10m) is longer than retry_max (1m)"),
            "{problems:?}"
        );
    }
}
