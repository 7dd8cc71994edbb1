//! Security headers on every answer: a Content-Security-Policy that allows only what the dashboard
//! needs, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and
//! `Cache-Control: no-store` on every `/v1` answer (they carry private text).
//!
//! The dashboard's policy allows scripts from this server, WebAssembly compilation
//! (`'wasm-unsafe-eval'`), and, by SHA-256 hash, exactly the inline module scripts of the built
//! `index.html` (Trunk injects one that loads the wasm); the hashes are computed when the router is
//! built, so restart the server after rebuilding the dashboard. Inline styles stay allowed (the
//! views set `style` attributes); frames, plugins, `<base>` and foreign form targets are not.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The headers added to every answer.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

/// `'sha256-…'` of `text`, as CSP writes a hash source.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The bodies of `html`'s inline `<script>` elements (those without `src`).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| i + from) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        if !lower[start..open_end].contains(" src=") {
            scripts.push(&html[open_end..close]);
        }
        from = close;
    }
    scripts
}

/// The dashboard's policy for an `index.html` with these inline scripts.
pub fn app_csp(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .into_iter()
        .map(|script| format!(" {}", hash_source(script)))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of a server-made page with one inline style block and no script.
pub fn inline_style_csp(style: &str) -> String {
    format!(
        "default-src 'none'; style-src {}; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        hash_source(style)
    )
}

impl SecurityHeaders {
    /// The headers for the dashboard in `dist` (its `index.html` is read once, here).
    pub fn for_dist(dist: Option<&Path>) -> SecurityHeaders {
        let index = dist
            .and_then(|dist| std::fs::read_to_string(dist.join("index.html")).ok())
            .unwrap_or_default();
        let csp = HeaderValue::from_str(&app_csp(&index)).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
        });
        SecurityHeaders { csp }
    }
}

/// Middleware adding the headers; a handler's own policy (the login page's) is kept.
pub async fn add_security_headers(
    State(security): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/v1");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, security.csp.clone());
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape Trunk 0.21 writes into `dist/index.html`.
    const TRUNK_INDEX: &str = r#"<!DOCTYPE html><html><head>
<link rel="modulepreload" href="/likely-app-1a2b.js" crossorigin="anonymous" integrity="sha384-x">
<script type="module">
import init, * as bindings from '/likely-app-1a2b.js';
const wasm = await init({ module_or_path: '/likely-app-1a2b_bg.wasm' });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
</script><script src="/other.js"></script></head><body></body></html>"#;

    #[test]
    fn the_policy_allows_exactly_the_inline_loader_by_hash() {
        let scripts = inline_scripts(TRUNK_INDEX);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with("\nimport init"));
        let csp = app_csp(TRUNK_INDEX);
        assert!(csp.contains(&hash_source(scripts[0])), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        // Known answer: SHA-256 of "" in base64.
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }
}
