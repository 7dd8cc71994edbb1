//! Hostile input over real HTTP on loopback: oversized bodies and prompts (413 with a JSON message),
//! invalid UTF-8 (400), NUL bytes, deeply nested JSON (no stack overflow), HTML and script in texts and
//! model names (always JSON with `nosniff` and the CSP, never HTML), and path traversal in static paths
//! (only files of `dist/` are served). After each, the server still answers.

use crate::common;
use crate::common::{fake_upstream, state_from, Reply};
use likely_proxy::app;
use likely_proxy::hosts::AllowedHosts;
use likely_proxy::serve::{serve, ConnectionLimits};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Cohere's answer to "To be or" (3 prompt tokens and one generated).
const COHERE: &str = include_str!("../fixtures/cohere_generate.json");

/// A served proxy over `config`, with `dist` as its dashboard.
async fn start(config: &str, dist: &Path) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut state = state_from(config, &[]);
    state.hosts = Some(Arc::new(AllowedHosts::new(address, &[])));
    state.dist_dir = Some(dist.to_path_buf());
    tokio::spawn(serve(
        listener,
        app(state),
        ConnectionLimits::default(),
        std::future::pending(),
    ));
    address
}

/// A raw answer: status, head (lower-cased) and body.
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.head, self.body))
    }

    /// An error answer: a JSON `{"message"}` served as JSON, never HTML.
    fn assert_json_message(&self) -> String {
        assert!(
            self.head.contains("content-type: application/json"),
            "{}",
            self.head
        );
        assert!(self.head.contains("x-content-type-options: nosniff"));
        self.json()["message"].as_str().unwrap().to_string()
    }
}

async fn send(address: SocketAddr, head: &str, body: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (413) and close before the whole body is sent.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {text}"));
    Raw {
        status,
        head: head.to_lowercase(),
        body: body.to_string(),
    }
}

async fn post(address: SocketAddr, path: &str, body: &[u8]) -> Raw {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(address, &head, body).await
}

async fn get(address: SocketAddr, path: &str) -> Raw {
    let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    send(address, &head, b"").await
}

fn scoring(model: &str, prompt: &str) -> Vec<u8> {
    common::scoring(model, prompt).to_string().into_bytes()
}

/// A dashboard folder next to a secret file it must never serve.
fn dist() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>likely</title>",
    )
    .unwrap();
    std::fs::write(root.path().join("secret.txt"), "SECRET-OUTSIDE-DIST").unwrap();
    (root, dist)
}

async fn model_config() -> (common::Fake, String) {
    let upstream = fake_upstream(|_| Reply::ok(COHERE)).await;
    let config = format!(
        "[limits]\nmax_body_bytes = 65536\nmax_prompt_chars = 1000\n\n{}\n[[models]]\nname = \"html\"\nbackend = \"cohere\"\nbase_url = \"{}\"\nupstream_model = \"u\"\ndescription = \"<script>window.__pwned=1</script>\"\n",
        common::one_model("m", "cohere", &upstream.base_url, ""),
        upstream.base_url
    );
    (upstream, config)
}

#[tokio::test]
async fn oversized_bodies_and_prompts_are_413_with_a_message() {
    let (_root, dist) = dist();
    let (upstream, config) = model_config().await;
    let address = start(&config, &dist).await;
    let huge = scoring("m", &"a ".repeat(40_000));
    let answer = post(address, "/v1/generate", &huge).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(!answer.assert_json_message().is_empty());
    let long = scoring("m", &"b".repeat(1001));
    let answer = post(address, "/v1/generate", &long).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(
        answer.assert_json_message().contains("1000"),
        "{}",
        answer.body
    );
    assert!(
        upstream.requests().is_empty(),
        "nothing reached the upstream"
    );
    assert_eq!(get(address, "/healthz").await.status, 200);
}

#[tokio::test]
async fn invalid_utf8_nul_bytes_and_deep_nesting_are_400_without_a_crash() {
    let (_root, dist) = dist();
    let (upstream, config) = model_config().await;
    let address = start(&config, &dist).await;
    let mut invalid = br#"{"model":"m","prompt":"To be "#.to_vec();
    invalid.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    invalid.extend_from_slice(br#"","max_tokens":1}"#);
    let answer = post(address, "/v1/generate", &invalid).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    answer.assert_json_message();

    // A raw NUL byte inside a JSON string is not JSON.
    let raw_nul = b"{\"model\":\"m\",\"prompt\":\"To\0be\",\"max_tokens\":1}";
    let answer = post(address, "/v1/generate", raw_nul).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    answer.assert_json_message();

    // An escaped NUL is a character like any other: forwarded as text, answered as JSON.
    let answer = post(address, "/v1/generate", &scoring("m", "To\u{0}be or")).await;
    assert!(
        answer.status == 200 || answer.status == 400,
        "{}",
        answer.body
    );
    answer.json();

    for nested in [
        "[".repeat(100_000),
        format!(
            "{{\"model\":\"m\",\"prompt\":\"x\",\"extra\":{}",
            "{\"a\":".repeat(30_000)
        ),
    ] {
        let answer = post(address, "/v1/generate", nested.as_bytes()).await;
        assert!(
            answer.status == 400 || answer.status == 413 || answer.status == 422,
            "{}",
            answer.body
        );
        answer.assert_json_message();
    }
    let answer = post(address, "/v1/completions", "[".repeat(60_000).as_bytes()).await;
    assert!(
        answer.status >= 400 && answer.status < 500,
        "{}",
        answer.body
    );
    assert!(
        upstream.requests().len() <= 1,
        "only the NUL prompt may reach the upstream"
    );
    assert_eq!(get(address, "/healthz").await.status, 200, "still up");
}

#[tokio::test]
async fn html_in_texts_and_model_names_stays_json() {
    let (_root, dist) = dist();
    let (_upstream, config) = model_config().await;
    let address = start(&config, &dist).await;
    let models = get(address, "/v1/models").await;
    assert_eq!(models.status, 200);
    assert!(models.head.contains("content-type: application/json"));
    assert!(models.head.contains("content-security-policy:"));
    assert!(models.body.contains("window.__pwned"), "listed as data");

    // A model name with HTML never makes it into the table: the configuration is refused.
    let refused = likely_proxy::config::Config::parse(
        "[[models]]\nname = \"<script>x</script>\"\nbackend = \"cohere\"\nbase_url = \"http://127.0.0.1:9\"\n",
        "test.toml",
    );
    assert!(refused.is_err());
    let answer = post(
        address,
        "/v1/generate",
        &scoring("<img src=x onerror=alert(1)>", "x"),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    answer.assert_json_message();
    let answer = post(
        address,
        "/v1/generate",
        &scoring("m", "<script>alert(1)</script>"),
    )
    .await;
    assert!(
        answer.head.contains("content-type: application/json"),
        "{}",
        answer.head
    );
    assert!(!answer.head.contains("text/html"));
}

#[tokio::test]
async fn static_paths_never_leave_dist() {
    let (_root, dist) = dist();
    let (_upstream, config) = model_config().await;
    let address = start(&config, &dist).await;
    for path in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/.%2e/secret.txt",
        "/%252e%252e/secret.txt",
    ] {
        let answer = get(address, path).await;
        assert!(
            !answer.body.contains("SECRET-OUTSIDE-DIST"),
            "{path}: {}",
            answer.body
        );
        assert!(!answer.body.contains("root:"), "{path}: {}", answer.body);
        assert!(
            answer.status == 200 || answer.status == 400 || answer.status == 404,
            "{path}: {}",
            answer.status
        );
        if answer.status == 200 {
            assert!(
                answer.body.contains("<title>likely</title>"),
                "{path}: only dist's index"
            );
        }
    }
}
