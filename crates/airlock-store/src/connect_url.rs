//! Parses the database URL into a backend choice, with errors that name
//! the URL (password removed) and say which forms are accepted.

use std::path::PathBuf;

use airlock_core::{Error, Result};

const ACCEPTED: &str =
    "use sqlite://PATH (e.g. sqlite://airlock-data/airlock.db) or postgres://USER@HOST:PORT/DATABASE";

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectUrl {
    /// A SQLite file (created if missing, with its parent directory).
    Sqlite { path: PathBuf },
    /// A PostgreSQL server; the URL is passed to sqlx as is.
    Postgres { url: String },
}

impl ConnectUrl {
    pub(crate) fn parse(url: &str) -> Result<Self> {
        let shown = redact(url);
        let bad = |why: &str| {
            Error::invalid_config(format!("database URL `{shown}` {why}"))
                .with_field("database_url")
                .with_hint(ACCEPTED)
        };
        let url = url.trim();
        if url.is_empty() {
            return Err(bad("is empty"));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            // Query parameters (`?mode=...`) would be silently ignored; refuse them.
            if rest.contains('?') {
                return Err(bad(
                    "has query parameters, which Airlock does not support for SQLite",
                ));
            }
            if rest.is_empty() {
                return Err(bad("names no file"));
            }
            if rest == ":memory:" || rest.starts_with("file::memory:") {
                return Err(bad(
                    "is an in-memory database, which would lose every run when Airlock stops",
                ));
            }
            return Ok(ConnectUrl::Sqlite {
                path: PathBuf::from(rest),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(ConnectUrl::Postgres {
                url: url.to_string(),
            });
        }
        match url.split_once("://") {
            Some((scheme, _)) => Err(bad(&format!("uses the unsupported scheme `{scheme}`"))),
            None => Err(bad("has no scheme")),
        }
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::ErrorKind;

    #[test]
    fn sqlite_forms_name_the_file() {
        assert_eq!(
            ConnectUrl::parse("sqlite://data/a.db").expect("valid"),
            ConnectUrl::Sqlite {
                path: "data/a.db".into()
            }
        );
        assert_eq!(
            ConnectUrl::parse("sqlite:///tmp/a.db").expect("valid"),
            ConnectUrl::Sqlite {
                path: "/tmp/a.db".into()
            }
        );
    }

    #[test]
    fn unsupported_urls_are_config_errors() {
        for url in [
            "",
            "mysql://x/y",
            "airlock.db",
            "sqlite://",
            "sqlite::memory:",
        ] {
            let err = ConnectUrl::parse(url).expect_err(url);
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}");
            assert_eq!(err.field(), Some("database_url"));
        }
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?sslmode=disable"),
            "postgres://u:***@h:5432/db?sslmode=disable"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        let err = ConnectUrl::parse("mysql://u:secret@h/db").expect_err("unsupported");
        assert!(!err.message().contains("secret"), "{}", err.message());
    }
}
