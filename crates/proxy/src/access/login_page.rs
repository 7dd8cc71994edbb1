//! The HTML of `/login`: a one-field form, with an optional notice. No script; its one inline style
//! block is allowed by hash in the page's own Content-Security-Policy.

use crate::headers::inline_style_csp;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const STYLE: &str =
    "body{font:16px system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}\
input,button{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin:.3rem 0}\
.notice{color:#a40000}";

/// The login page with `notice` (plain text, escaped here) and `status`.
pub fn login_page(status: StatusCode, notice: &str) -> Response {
    let notice = escape(notice);
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<link rel="icon" href="data:,"><title>Likely · log in</title>
<style>{STYLE}</style></head>
<body><h1>Likely</h1><p>This server asks for its access token.</p>
<p class="notice" data-testid="login-notice">{notice}</p>
<form method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus data-testid="login-token">
<button type="submit" data-testid="login-submit">Log in</button>
</form></body></html>"#
    );
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(csp) = HeaderValue::from_str(&inline_style_csp(STYLE)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
