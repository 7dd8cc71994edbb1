//! Optional access control for shared deployments. When `LIKELY_ACCESS_TOKEN` is set, every `/v1`
//! call must carry the token, as `Authorization: Bearer <token>` (scripts, Cohere's SDKs) or as the
//! `likely_access` cookie that the small form at `/login` sets (browsers). The static page and
//! `/healthz` stay open, so the page can load and explain; a public deployment cannot spend the
//! organisation's quota. Tokens are compared in constant time; the cookie is `HttpOnly` and
//! `SameSite=Strict`, so other sites cannot use it.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The environment variable holding the access token.
pub const ACCESS_TOKEN_ENV: &str = "LIKELY_ACCESS_TOKEN";
/// The cookie the login form sets.
pub const COOKIE_NAME: &str = "likely_access";
/// How long the login cookie lasts, in seconds (30 days).
const COOKIE_MAX_AGE_SECS: u64 = 30 * 24 * 3600;
/// A wrong token waits this long before the answer, to slow guessing.
const FAILED_LOGIN_DELAY: Duration = Duration::from_millis(400);

/// The shared access token.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Why the access token cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AccessTokenError {
    /// The variable is set but unusable.
    #[error("{ACCESS_TOKEN_ENV} is set but {0}")]
    Unusable(&'static str),
}

impl AccessToken {
    /// The token from the variable's value: `None` when unset, an error when set but empty or when it
    /// holds characters a header or cookie cannot carry.
    pub fn from_env_value(value: Option<String>) -> Result<Option<AccessToken>, AccessTokenError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(AccessTokenError::Unusable("empty"));
        }
        let fits = value
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b',' && b != b'"' && b != b'\\');
        if !fits {
            return Err(AccessTokenError::Unusable(
                "holds spaces, control characters, non-ASCII or ; , \" \\ (use letters, digits and -_.~+/=)",
            ));
        }
        Ok(Some(AccessToken(SecretString::from(value.to_string()))))
    }

    fn matches(&self, candidate: &str) -> bool {
        self.0
            .expose_secret()
            .as_bytes()
            .ct_eq(candidate.as_bytes())
            .into()
    }

    /// Whether the request's headers carry the token, as a bearer header or the login cookie.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .any(|(_, token)| self.matches(token.trim()));
        bearer
            || cookies(headers)
                .filter(|(name, _)| *name == COOKIE_NAME)
                .any(|(_, value)| self.matches(value))
    }
}

/// The `name=value` pairs of the request's `Cookie` headers.
fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Middleware for `/v1`: passes requests that carry the token (or all, when access control is off).
pub async fn require_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match &state.access {
        Some(token) if !token.admits(request.headers()) => AppError::AccessRequired.into_response(),
        _ => next.run(request).await,
    }
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

fn login_html(status: StatusCode, notice: &str) -> Response {
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<link rel="icon" href="data:,"><title>Likely · log in</title>
<style>body{{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}}
input,button{{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin:.3rem 0}}
.notice{{color:#a40000}}</style></head>
<body><h1>Likely</h1><p>This server asks for its access token.</p>
<p class="notice" data-testid="login-notice">{notice}</p>
<form method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus data-testid="login-token">
<button type="submit" data-testid="login-submit">Log in</button>
</form></body></html>"#
    );
    let mut response = (status, Html(page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /login`: the form, or back to the page when access control is off.
pub async fn login_page(State(state): State<AppState>) -> Response {
    if state.access.is_none() {
        return Redirect::to("/").into_response();
    }
    login_html(StatusCode::OK, "")
}

/// `POST /login`: sets the cookie and goes back to the page when the token is right.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Some(access) = &state.access else {
        return Redirect::to("/").into_response();
    };
    let Ok(Form(form)) = form else {
        return login_html(
            StatusCode::BAD_REQUEST,
            "Send the form with an access token.",
        );
    };
    if !access.matches(form.token.trim()) {
        tokio::time::sleep(FAILED_LOGIN_DELAY).await;
        return login_html(StatusCode::UNAUTHORIZED, "That token is not right.");
    }
    let secure = headers
        .get("x-forwarded-proto")
        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; HttpOnly; SameSite=Strict{}",
        access.0.expose_secret(),
        if secure { "; Secure" } else { "" }
    );
    let mut response = Redirect::to("/").into_response();
    match HeaderValue::from_str(&cookie) {
        Ok(mut value) => {
            value.set_sensitive(true);
            response.headers_mut().insert(header::SET_COOKIE, value);
            response
        }
        Err(_) => AppError::Internal("cannot set the login cookie".into()).into_response(),
    }
}

/// `POST /logout`: forgets the cookie.
pub async fn logout() -> Response {
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("likely_access=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    response
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
    fn bearer_headers_and_cookies_are_admitted() {
        let access = token("team-secret");
        let mut headers = HeaderMap::new();
        assert!(!access.admits(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer team-secret"),
        );
        assert!(access.admits(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; likely_access=team-secret"),
        );
        assert!(access.admits(&headers));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer team-secre"),
        );
        headers.insert(header::COOKIE, HeaderValue::from_static("likely_access=x"));
        assert!(!access.admits(&headers));
    }

    #[test]
    fn unusable_tokens_are_refused_without_showing_them() {
        assert!(AccessToken::from_env_value(None).unwrap().is_none());
        let error = AccessToken::from_env_value(Some("  ".into())).unwrap_err();
        assert!(error.to_string().contains(ACCESS_TOKEN_ENV));
        let error = AccessToken::from_env_value(Some("a;b".into())).unwrap_err();
        assert!(!error.to_string().contains("a;b"));
        assert!(!format!("{:?}", token("team-secret")).contains("team-secret"));
    }
}
