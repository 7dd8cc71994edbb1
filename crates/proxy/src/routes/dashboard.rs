//! The built dashboard (Trunk's `dist/`): each file in the precompressed form the browser accepts
//! (`.br`, then `.gz`, written beside it by scripts/build.sh; the file itself otherwise), `index.html`
//! for every other path (the page's own routes), and cache headers: Trunk's content-hashed assets
//! are immutable for a year (a new build gives them new names), everything else, `index.html` above
//! all, is revalidated on every visit so that a rebuilt dashboard reaches users at once.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// `Cache-Control` of a content-hashed asset.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: kept, but revalidated (`Last-Modified`) before each use.
const REVALIDATE: &str = "no-cache";

/// The service answering every path the API and the login form leave to the dashboard.
pub(super) fn service(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(from_fn(cache_headers))
}

/// Adds `Vary: Accept-Encoding` (the same URL has several bodies) and `Cache-Control`.
async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    // A hashed name that is not a file falls back to index.html: that answer must not be kept.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    let cache = if hashed && !html && (response.status().is_success() || response.status() == 304) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the last segment of `path` is a name Trunk made from the file's content:
/// `<stem>-<hash>.<ext>` or `<stem>-<hash>_bg.wasm`, the hash a 64-bit seahash in hexadecimal
/// (`{:x}`, so 16 digits or a few fewer when it starts with zeros).
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, _extension)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_names_are_hashed_and_others_are_not() {
        for hashed in [
            "/likely-app-6c1f0a4b2d3e9f87.js",
            "/likely-app-6c1f0a4b2d3e9f87_bg.wasm",
            "/main-c1f0a4b2d3e9f87.css",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/playground",
            "/s/abc-def",
            "/likely-app.js",
            "/main-notahexhash.css",
            "/likely-app-6c1f0a4b2d3e9f87",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }
}
