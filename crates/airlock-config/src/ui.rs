//! `[ui]`: the browser dashboard's sign-in sessions — where the key that
//! signs session cookies is kept, how long a session lasts, and whether
//! the cookie is `Secure`. Like the other secrets, only where the key is
//! enters the settings, never the key.

use std::path::Path;
use std::time::Duration;

use crate::raw::RawUi;
use crate::security::{positive_duration, KeySetting, SecretSource};

/// Overrides `[ui]` session key: the key itself.
pub const SESSION_KEY_ENV: &str = "AIRLOCK_SESSION_KEY";

/// `[ui]`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct UiSettings {
    /// The key that signs session cookies (shared by every replica).
    pub session_key: SecretSource,
    /// How long a sign-in lasts.
    pub session_ttl: Duration,
    /// Whether the cookie carries `Secure`.
    pub secure_cookie: bool,
}

/// Longest sign-in accepted: a stolen cookie must not outlive a working week.
const MAX_SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub(crate) fn resolve_ui(
    raw: RawUi,
    base: &Path,
    data_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> UiSettings {
    let session_key = KeySetting {
        section: "ui",
        name: "session_key",
        override_env: SESSION_KEY_ENV,
        file: raw.session_key_file,
        var: raw.session_key_env,
        generated: data_dir.join("session.key"),
    }
    .resolve(base, env, problems);
    let session_ttl = positive_duration(
        "ui.session_ttl",
        raw.session_ttl,
        Duration::from_secs(8 * 3600),
        problems,
    );
    if session_ttl > MAX_SESSION_TTL {
        problems.push(format!(
            "ui.session_ttl = {}: at most 7 days",
            humantime::format_duration(session_ttl)
        ));
    }
    UiSettings {
        session_key,
        session_ttl,
        secure_cookie: raw.secure_cookie.unwrap_or(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(raw: RawUi, env: &[(&str, &str)]) -> (UiSettings, Vec<String>) {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut problems = Vec::new();
        let ui = resolve_ui(
            raw,
            Path::new("/etc/airlock"),
            Path::new("/var/airlock"),
            &lookup,
            &mut problems,
        );
        (ui, problems)
    }

    #[test]
    fn defaults_generate_a_key_in_the_data_dir_and_last_eight_hours() {
        let (ui, problems) = resolve(RawUi::default(), &[]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            ui.session_key,
            SecretSource::Generated("/var/airlock/session.key".into())
        );
        assert_eq!(ui.session_ttl, Duration::from_secs(8 * 3600));
        assert!(ui.secure_cookie);
    }

    #[test]
    fn every_problem_is_reported() {
        let raw = RawUi {
            session_key_file: Some("k".into()),
            session_key_env: Some("AIRLOCK_TEST_UNSET_SESSION".into()),
            session_ttl: Some("30 days".into()),
            secure_cookie: Some(false),
        };
        let (_, problems) = resolve(raw, &[]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("not both"), "{problems:?}");
        assert!(problems[1].contains("at most 7 days"), "{problems:?}");
    }

    #[test]
    fn a_relative_key_file_is_relative_to_the_config_and_the_env_wins() {
        let raw = RawUi {
            session_key_file: Some("keys/session.key".into()),
            ..RawUi::default()
        };
        let (ui, _) = resolve(raw, &[]);
        assert_eq!(
            ui.session_key,
            SecretSource::File("/etc/airlock/keys/session.key".into())
        );
        let (ui, _) = resolve(RawUi::default(), &[(SESSION_KEY_ENV, "x")]);
        assert_eq!(ui.session_key, SecretSource::Env(SESSION_KEY_ENV.into()));
    }

    #[test]
    fn a_zero_ttl_is_refused() {
        let raw = RawUi {
            session_ttl: Some("0s".into()),
            ..RawUi::default()
        };
        let (_, problems) = resolve(raw, &[]);
        assert!(problems[0].contains("ui.session_ttl"), "{problems:?}");
    }
}
