//! The session cookie the login form sets. It holds a value derived from the token (SHA-256 of a
//! fixed label and the token), never the token itself: a stolen cookie is not the bearer token, and
//! changing the token ends every session. Over TLS (a reverse proxy saying
//! `X-Forwarded-Proto: https`) it is `__Host-likely_session`, `Secure`; over plain HTTP (loopback)
//! it is `likely_session`. Both are `HttpOnly`, `SameSite=Strict`, `Path=/`.

use super::token::AccessToken;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The cookie's name over TLS: the `__Host-` prefix binds it to this host, `Path=/` and `Secure`.
pub const TLS_COOKIE: &str = "__Host-likely_session";
/// The cookie's name over plain HTTP, where browsers refuse `Secure` and `__Host-` cookies.
pub const PLAIN_COOKIE: &str = "likely_session";
/// How long a session lasts (30 days).
const MAX_AGE: time::Duration = time::Duration::days(30);

/// The session value for `token`: hex SHA-256 of a fixed label and the token.
pub fn session_value(token: &AccessToken) -> String {
    let digest = Sha256::new()
        .chain_update(b"likely-session-v1\0")
        .chain_update(token.expose().as_bytes())
        .finalize();
    format!("{digest:x}")
}

/// Whether `value` is the session value for `token` (constant time).
pub fn is_session(token: &AccessToken, value: &str) -> bool {
    session_value(token)
        .as_bytes()
        .ct_eq(value.as_bytes())
        .into()
}

/// Whether the client reached this server over TLS, as a reverse proxy in front says.
pub fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn cookie(tls: bool, value: String) -> Cookie<'static> {
    let name = if tls { TLS_COOKIE } else { PLAIN_COOKIE };
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(tls)
        .build()
}

/// The cookie that opens a session.
pub fn login_cookie(token: &AccessToken, tls: bool) -> Cookie<'static> {
    let mut cookie = cookie(tls, session_value(token));
    cookie.set_max_age(MAX_AGE);
    cookie
}

/// The cookie that ends a session (empty, already expired).
pub fn logout_cookie(tls: bool) -> Cookie<'static> {
    let mut cookie = cookie(tls, String::new());
    cookie.set_max_age(time::Duration::ZERO);
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str) -> AccessToken {
        AccessToken::from_env_value(Some(value.into()))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn the_session_value_is_derived_and_not_the_token() {
        let secret = "team-secret-0123456789abcdef";
        let value = session_value(&token(secret));
        assert_eq!(value.len(), 64);
        assert!(!value.contains(secret));
        assert!(is_session(&token(secret), &value));
        assert!(!is_session(&token("team-secret-0123456789abcdeg"), &value));
        assert!(!is_session(&token(secret), secret));
    }

    #[test]
    fn over_tls_the_cookie_is_host_prefixed_and_secure() {
        let tls = login_cookie(&token("team-secret-0123456789abcdef"), true).to_string();
        assert!(tls.starts_with("__Host-likely_session="), "{tls}");
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(tls.contains(part), "{tls}");
        }
        let plain = login_cookie(&token("team-secret-0123456789abcdef"), false).to_string();
        assert!(
            plain.starts_with("likely_session=") && !plain.contains("Secure"),
            "{plain}"
        );
    }
}
