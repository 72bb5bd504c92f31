//! The `airlock_session` cookie in request and response headers.

use axum::http::header::COOKIE;
use axum::http::HeaderMap;

use super::SessionOptions;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "airlock_session";

/// The session cookie's value in `headers`, if one was sent (the first, if
/// a browser sent several).
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"'))
}

/// The `Set-Cookie` value that stores `token` for `options.ttl`.
pub fn set_cookie(token: &str, options: &SessionOptions) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}",
        options.ttl.as_secs(),
        if options.secure_cookie {
            "; Secure"
        } else {
            ""
        }
    )
}

/// The `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(options: &SessionOptions) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        if options.secure_cookie {
            "; Secure"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark; other=1"));
        assert_eq!(session_cookie(&headers), None);
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=b; airlock_session=v1.k.1.n.m"),
        );
        assert_eq!(session_cookie(&headers), Some("v1.k.1.n.m"));
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_by_default() {
        let options = SessionOptions::default();
        let text = set_cookie("t", &options);
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(text.ends_with("; Secure"), "{text}");
        assert!(clear_cookie(&options).contains("Max-Age=0"));
    }
}
