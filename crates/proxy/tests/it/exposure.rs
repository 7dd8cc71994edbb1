//! What reaches the server from outside, over real HTTP on loopback: requests for other host names
//! are refused (DNS rebinding), slow clients cannot hold it (header and body timeouts, a connection
//! cap), every answer carries the security headers, and `likely serve` refuses to listen publicly
//! without a token or with a short one.

use crate::common::{one_model, state_from};
use likely_proxy::app;
use likely_proxy::hosts::AllowedHosts;
use likely_proxy::serve::{serve, ConnectionLimits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The proxy (one remote model, never called) served by `serve` on `127.0.0.1:0`.
async fn start(limits: ConnectionLimits, dist: Option<PathBuf>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut state = state_from(&one_model("m", "tgi", "http://127.0.0.1:9", ""), &[]);
    state.hosts = Some(Arc::new(AllowedHosts::new(
        address,
        &["likely.example.org".into()],
    )));
    state.dist_dir = dist;
    tokio::spawn(serve(listener, app(state), limits, std::future::pending()));
    address
}

/// Sends a raw request and reads the whole answer (the request asks the server to close).
async fn raw(address: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

fn get(path: &str, host: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

/// Whether the server closes `stream` within `within` (a read ends with EOF or an error).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_elapsed) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn requests_for_other_host_names_are_refused() {
    let address = start(ConnectionLimits::default(), None).await;
    let port = address.port();
    for host in [
        "attacker.example",
        "rebound.attacker.example:8080",
        "127.0.0.1.nip.io",
    ] {
        let answer = raw(address, &get("/v1/models", host)).await;
        assert!(answer.starts_with("HTTP/1.1 421"), "{host}: {answer}");
        assert!(!answer.contains("\"models\""), "{answer}");
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "likely.example.org".to_string(),
    ] {
        let answer = raw(address, &get("/v1/models", &host)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_the_server_keeps_answering() {
    let limits = ConnectionLimits {
        max_connections: 16,
        header_read_timeout: Duration::from_secs(1),
        body_read_timeout: Duration::from_secs(1),
    };
    let address = start(limits, None).await;
    // Slowloris: ten connections that send part of a request and stop, and two that send nothing.
    let mut slow = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    for _ in 0..2 {
        slow.push(TcpStream::connect(address).await.unwrap());
    }
    // One that finishes a request, then idles on the kept-alive connection.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 64];
    let n = idle.read(&mut first).await.unwrap();
    assert!(first[..n].starts_with(b"HTTP/1.1 200"));
    slow.push(idle);
    // A body that never finishes.
    let mut body = TcpStream::connect(address).await.unwrap();
    body.write_all(
        b"POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":",
    )
    .await
    .unwrap();
    // The server still answers others at once: while the slow ones are still held open.
    let answer = raw(address, &get("/healthz", "127.0.0.1")).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !closed_within(&mut slow[0], Duration::ZERO).await,
        "the answer waited for the slow connections to be cut"
    );
    // Past the cap, new connections are closed at once.
    let mut extra = Vec::new();
    for _ in 0..8 {
        extra.push(TcpStream::connect(address).await.unwrap());
    }
    let mut closed_at_once = 0;
    for stream in &mut extra {
        if closed_within(stream, Duration::from_millis(300)).await {
            closed_at_once += 1;
        }
    }
    assert!(
        closed_at_once >= 4,
        "only {closed_at_once} of 8 over the cap were closed"
    );
    // The slow ones are closed after the header timeout.
    for (i, stream) in slow.iter_mut().enumerate() {
        assert!(
            closed_within(stream, Duration::from_secs(3)).await,
            "slow connection {i} stayed open"
        );
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), body.read_to_end(&mut answer))
        .await
        .expect("the unfinished body is cut off")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    // And the server is free again.
    let answer = raw(address, &get("/healthz", "127.0.0.1")).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dist = std::env::temp_dir().join(format!("likely-exposure-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    let loader = "\nimport init from '/app.js';\nawait init('/app_bg.wasm');\n";
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{loader}</script></head><body></body></html>"),
    )
    .unwrap();
    std::fs::write(
        dist.join("app.js"),
        "export default async function init() {}",
    )
    .unwrap();
    let address = start(ConnectionLimits::default(), Some(dist.clone())).await;
    let page = raw(address, &get("/", "127.0.0.1"))
        .await
        .to_ascii_lowercase();
    let script = raw(address, &get("/app.js", "127.0.0.1"))
        .await
        .to_ascii_lowercase();
    let api = raw(address, &get("/v1/models", "127.0.0.1"))
        .await
        .to_ascii_lowercase();
    std::fs::remove_dir_all(&dist).ok();
    for answer in [&page, &script, &api] {
        assert!(
            answer.contains("x-content-type-options: nosniff"),
            "{answer}"
        );
        assert!(answer.contains("referrer-policy: no-referrer"), "{answer}");
        assert!(answer.contains("frame-ancestors 'none'"), "{answer}");
        assert!(answer.contains("'wasm-unsafe-eval'"), "{answer}");
    }
    assert!(
        !page.contains("script-src 'self' 'unsafe-inline'"),
        "{page}"
    );
    assert!(
        page.contains("'sha256-"),
        "the loader is allowed by hash: {page}"
    );
    assert!(api.contains("cache-control: no-store"), "{api}");
}

fn likely(args: &[&str], token: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_likely"));
    command
        .args(args)
        .env_remove("LIKELY_ALLOW_PUBLIC_WITHOUT_TOKEN")
        .env_remove("LIKELY_CONFIG");
    match token {
        Some(token) => command.env("LIKELY_ACCESS_TOKEN", token),
        None => command.env_remove("LIKELY_ACCESS_TOKEN"),
    };
    command.output().unwrap()
}

#[test]
fn serve_refuses_public_listening_without_a_token_and_short_tokens() {
    let output = likely(&["serve", "--host", "0.0.0.0", "--port", "0"], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--allow-public-without-token") && stderr.contains("LIKELY_ACCESS_TOKEN"),
        "{stderr}"
    );
    let output = likely(&["serve", "--port", "0"], Some("short-token"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("24 characters"), "{stderr}");
    assert!(!stderr.contains("short-token"), "{stderr}");
}
