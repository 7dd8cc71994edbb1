//! The dashboard's files over real HTTP on loopback, from a small `dist/` made here the way
//! scripts/build.sh leaves it (each file with a `.br` and a `.gz` beside it): the body the browser's
//! `Accept-Encoding` asks for, with `Content-Encoding` and `Vary`, and the cache headers (Trunk's
//! hashed assets immutable, `index.html` revalidated, also as the answer to the page's own routes).

use crate::common::{one_model, state_from};
use likely_proxy::app;
use likely_proxy::serve::{serve, ConnectionLimits};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use reqwest::StatusCode;
use std::path::Path;

const WASM: &str = "/likely-app-0123456789abcdef_bg.wasm";
const JS: &str = "/likely-app-0123456789abcdef.js";
/// What a browser sends: Chromium's header.
const BROWSER: &str = "gzip, deflate, br, zstd";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Writes `name` and its two precompressed forms, each body saying which it is.
fn write_variants(dist: &Path, name: &str, plain: &str) {
    let path = dist.join(name.trim_start_matches('/'));
    std::fs::write(&path, plain).unwrap();
    std::fs::write(format!("{}.br", path.display()), format!("br of {name}")).unwrap();
    std::fs::write(format!("{}.gz", path.display()), format!("gz of {name}")).unwrap();
}

/// A served proxy (one remote model, never called) over a dashboard with an index, a wasm and its JS loader.
async fn start() -> (tempfile::TempDir, String) {
    let dist = tempfile::tempdir().unwrap();
    write_variants(
        dist.path(),
        "/index.html",
        "<!doctype html><title>likely</title>",
    );
    write_variants(dist.path(), WASM, "\0asm wasm");
    write_variants(dist.path(), JS, "export default function init() {}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut state = state_from(&one_model("m", "tgi", "http://127.0.0.1:9", ""), &[]);
    state.dist_dir = Some(dist.path().to_path_buf());
    tokio::spawn(serve(
        listener,
        app(state),
        ConnectionLimits::default(),
        std::future::pending(),
    ));
    (dist, format!("http://{address}"))
}

/// GET `url` with this `Accept-Encoding` (none when empty); reqwest here decodes nothing.
async fn get(url: &str, accept: &str) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url);
    if !accept.is_empty() {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &reqwest::header::HeaderName) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

#[tokio::test]
async fn the_encoding_follows_accept_encoding() {
    let (_dist, base) = start().await;
    let cases = [
        (BROWSER, Some("br"), format!("br of {WASM}")),
        ("gzip, deflate", Some("gzip"), format!("gz of {WASM}")),
        ("gzip;q=1, br;q=0.5", Some("gzip"), format!("gz of {WASM}")),
        ("br;q=0, gzip;q=0", None, "\0asm wasm".to_string()),
        ("", None, "\0asm wasm".to_string()),
        ("identity", None, "\0asm wasm".to_string()),
    ];
    for (accept, encoding, body) in cases {
        let response = get(&format!("{base}{WASM}"), accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(
            response
                .headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(header(&response, &VARY), "accept-encoding", "{accept}");
        // The type is the file's, not the compressed form's.
        assert_eq!(header(&response, &CONTENT_TYPE), "application/wasm");
        assert_eq!(response.text().await.unwrap(), body, "{accept}");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_page_is_revalidated() {
    let (_dist, base) = start().await;
    for asset in [WASM, JS] {
        let response = get(&format!("{base}{asset}"), BROWSER).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, &CACHE_CONTROL), IMMUTABLE, "{asset}");
    }
    // The page itself, under its own name, at the root and as the answer to the page's routes
    // (the latter compressed too); a hashed-looking name that is no file answers the page, never
    // to be kept.
    for path in [
        "/",
        "/index.html",
        "/playground",
        "/s/abc",
        "/likely-app-fedcba9876543210.js",
    ] {
        let response = get(&format!("{base}{path}"), BROWSER).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, &CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(header(&response, &CONTENT_ENCODING), "br", "{path}");
        assert_eq!(header(&response, &VARY), "accept-encoding", "{path}");
        assert!(
            header(&response, &CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(
            response.text().await.unwrap(),
            "br of /index.html",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_api_stays_uncached_and_is_not_the_page() {
    let (_dist, base) = start().await;
    let response = get(&format!("{base}/v1/models"), BROWSER).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, &CACHE_CONTROL), "no-store");
    assert_eq!(header(&response, &CONTENT_ENCODING), "");
}
