//! `POST /v1/generate/batch` over real HTTP on loopback: every item answered on its own NDJSON line by
//! index as soon as it is done, items that fail (unknown model, invalid options, a malformed item, an
//! upstream's 429) answered as errors without failing the others, the size limit and malformed bodies,
//! the access token; and, against the real `likely serve` with the real embedded models, a batch whose
//! client leaves stops using CPU within a second, as single requests do (`abandoned_work.rs`).

use crate::common;
use crate::common::cpu::{cpu_ticks, ms_used_in_the_second_after_next, ticks_per_second};
use crate::common::{fake_upstream, one_model, scoring, state_from, Reply};
use likely_core::batch::MAX_BATCH_REQUESTS;
use likely_proxy::access::{Access, AccessToken};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "team-token-42-0123456789abcdef";

/// A Cohere upstream that answers each prompt with the prompt as one token and one generated token,
/// after 600 ms for prompts starting with "slow", and 429 with `Retry-After: 7` for "busy".
async fn cohere_server(extra: &str) -> String {
    let upstream = fake_upstream(|seen| {
        let prompt = seen.body["prompt"].as_str().unwrap_or_default().to_string();
        if prompt.starts_with("busy") {
            return Reply::status(429, r#"{"message":"rate limited"}"#).header("retry-after", "7");
        }
        let body = json!({"id": "x", "generations": [{"id": "g", "text": " x", "token_likelihoods": [
            {"token": prompt}, {"token": " x", "likelihood": -0.5}]}],
            "meta": {"billed_units": {"input_tokens": 1, "output_tokens": 1}}});
        let delay = if prompt.starts_with("slow") { 600 } else { 0 };
        Reply::ok(&body.to_string()).after(Duration::from_millis(delay))
    })
    .await;
    let mut state = state_from(&one_model("m", "cohere", &upstream.base_url, ""), &[]);
    if extra == "token" {
        state.access = AccessToken::from_env_value(Some(TOKEN.into()))
            .unwrap()
            .map(Access::new);
    }
    // The fake upstream lives as long as the test's runtime.
    std::mem::forget(upstream);
    common::serve_state(state).await
}

/// The lines of a batch's answer with the time each arrived, and the status and content type.
async fn batch(
    base: &str,
    body: String,
    token: Option<&str>,
) -> (u16, String, Vec<(Duration, Value)>) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/v1/generate/batch"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let started = Instant::now();
    let mut response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let mut lines = Vec::new();
    let mut pending = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            lines.push((
                started.elapsed(),
                serde_json::from_slice(&line)
                    .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&line))),
            ));
        }
    }
    if !pending.is_empty() {
        lines.push((started.elapsed(), serde_json::from_slice(&pending).unwrap()));
    }
    (status, content_type, lines)
}

fn body_of(requests: &[Value]) -> String {
    json!({ "requests": requests }).to_string()
}

#[tokio::test]
async fn every_item_is_answered_by_index_as_soon_as_it_is_done() {
    let base = cohere_server("").await;
    let prompts = ["slow one", "two", "three", "four"];
    let requests: Vec<Value> = prompts.iter().map(|p| scoring("m", p)).collect();
    let (status, content_type, lines) = batch(&base, body_of(&requests), None).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/x-ndjson");
    assert_eq!(lines.len(), prompts.len());
    let mut indices: Vec<u64> = lines
        .iter()
        .map(|(_, line)| line["index"].as_u64().unwrap())
        .collect();
    // The slow item, asked first, is answered last: lines follow the order items finish in, not the
    // order they were asked in (the arrival times in the message show the quick ones came first).
    assert_eq!(indices.last(), Some(&0), "{lines:?}");
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2, 3]);
    for (_, line) in &lines {
        let index = line["index"].as_u64().unwrap() as usize;
        assert!(line.get("error").is_none(), "{line}");
        let tokens = &line["response"]["generations"][0]["token_likelihoods"];
        assert_eq!(tokens[0]["token"], prompts[index], "{line}");
    }
}

#[tokio::test]
async fn failing_items_are_errors_on_their_lines_and_the_others_answer() {
    let base = cohere_server("").await;
    let mut out_of_range = scoring("m", "hot");
    out_of_range["temperature"] = json!(9);
    let requests = vec![
        scoring("nope", "unknown model"),
        out_of_range,
        json!({"model": "m"}),
        scoring("m", "busy"),
        scoring("m", "fine"),
    ];
    let (status, _, lines) = batch(&base, body_of(&requests), None).await;
    assert_eq!(status, 200);
    let mut by_index: Vec<Value> = vec![Value::Null; requests.len()];
    for (_, line) in lines {
        let index = line["index"].as_u64().unwrap() as usize;
        by_index[index] = line;
    }
    let error = |index: usize| by_index[index]["error"].clone();
    assert_eq!(error(0)["status"], 404);
    assert!(error(0)["message"]
        .as_str()
        .unwrap()
        .contains("unknown model `nope`"));
    assert_eq!(error(1)["status"], 400);
    assert!(
        error(1)["message"]
            .as_str()
            .unwrap()
            .contains("temperature"),
        "{}",
        error(1)
    );
    assert_eq!(error(2)["status"], 422);
    let malformed = error(2)["message"].as_str().unwrap().to_string();
    assert!(
        malformed.contains("request 2 of the batch is not a Generate request")
            && malformed.contains("prompt"),
        "{malformed}"
    );
    assert_eq!(error(3)["status"], 429);
    assert_eq!(error(3)["retry_after_s"], 7.0);
    assert!(
        by_index[4]["response"]["generations"].is_array(),
        "{}",
        by_index[4]
    );
    assert!(by_index[4].get("error").is_none());
    // Only the error lines carry an error; no line carries both.
    for line in &by_index[..4] {
        assert!(line.get("response").is_none(), "{line}");
    }
}

#[tokio::test]
async fn the_limit_and_malformed_bodies_are_refused_with_a_message() {
    let base = cohere_server("").await;
    let too_many: Vec<Value> = (0..=MAX_BATCH_REQUESTS)
        .map(|_| scoring("m", "x"))
        .collect();
    let refused = |body: String, content_type: &'static str| {
        let base = base.clone();
        async move {
            let response = reqwest::Client::new()
                .post(format!("{base}/v1/generate/batch"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let json: Value = response.json().await.unwrap();
            (status, json["message"].as_str().unwrap().to_string())
        }
    };
    let (status, message) = refused(body_of(&too_many), "application/json").await;
    assert_eq!(status, 400);
    assert!(
        message.contains(&format!("1 to {MAX_BATCH_REQUESTS} requests"))
            && message.contains(&format!("has {}", MAX_BATCH_REQUESTS + 1)),
        "{message}"
    );
    let (status, message) = refused(body_of(&[]), "application/json").await;
    assert_eq!(status, 400);
    assert!(message.contains("this one has 0"), "{message}");
    let (status, message) = refused("{\"requests\": [".into(), "application/json").await;
    assert_eq!(status, 400);
    assert!(message.starts_with("invalid request body"), "{message}");
    let (status, message) = refused("{\"requests\": 3}".into(), "application/json").await;
    assert_eq!(status, 422);
    assert!(
        message.starts_with("the body is not a batch request"),
        "{message}"
    );
    let (status, message) = refused("{}".into(), "application/json").await;
    assert_eq!(status, 422);
    assert!(message.contains("requests"), "{message}");
    let (status, message) = refused(body_of(&[scoring("m", "x")]), "text/plain").await;
    assert_eq!(status, 415);
    assert!(message.contains("JSON"), "{message}");
    let huge = scoring("m", &"x".repeat(2 * 1024 * 1024));
    let (status, message) = refused(body_of(&[huge]), "application/json").await;
    assert_eq!(status, 413);
    assert!(message.contains("limit"), "{message}");
    // The limit on the page is the same constant.
    let full: Vec<Value> = (0..MAX_BATCH_REQUESTS)
        .map(|i| scoring("m", &format!("p{i}")))
        .collect();
    let (status, _, lines) = batch(&base, body_of(&full), None).await;
    assert_eq!(status, 200);
    assert_eq!(lines.len(), MAX_BATCH_REQUESTS);
}

#[tokio::test]
async fn the_access_token_guards_the_batch_route() {
    let base = cohere_server("token").await;
    let body = body_of(&[scoring("m", "x")]);
    let (status, _, lines) = batch(&base, body.clone(), None).await;
    assert_eq!(status, 401);
    assert!(lines[0].1["message"]
        .as_str()
        .unwrap()
        .contains("access token"));
    let (status, _, _) = batch(&base, body.clone(), Some("a-wrong-token-0123456789abcdef")).await;
    assert_eq!(status, 401);
    let (status, _, lines) = batch(&base, body, Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].1["response"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_batch_stops_using_cpu_within_a_second() {
    // Each test may run in its own process (nextest): the HTTP client needs its crypto provider.
    likely_proxy::backends::upstream::install_crypto_provider();
    let dir = std::env::temp_dir().join(format!("likely-batch-abandoned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A long timeout: only the client's leaving can stop the work in time.
    let served = common::served::serve_config(
        "[limits]\nmax_concurrent = 2\ntimeout_secs = 120\n\n[[models]]\nname = \"base-light\"\nbackend = \"embedded\"\n",
        &dir,
    );
    let pid = served.child.id();
    let address = served.url.trim_start_matches("http://").to_string();

    // Long generations: each keeps a core busy for many seconds unless cancelled.
    let prompt = "To be, or not to be, that is the question: whether 'tis nobler in the mind to \
                  suffer the slings and arrows of outrageous fortune. "
        .repeat(20);
    let generation = json!({
        "model": "base-light", "prompt": prompt, "max_tokens": 4096, "num_generations": 5,
        "temperature": 2.5, "p": 0.99, "return_likelihoods": "GENERATION"
    });
    let body = body_of(&vec![generation; 16]);
    let hz = ticks_per_second();
    let idle = cpu_ticks(pid);
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /v1/generate/batch HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // Leave while the first items are computing and the others are queued.
    let mut sink = vec![0u8; 64 * 1024];
    let _ = tokio::time::timeout(Duration::from_millis(1_500), async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    // The batch is computing: the server has spent CPU on it (given as long as a loaded machine
    // needs to show it; the time it takes is no part of the check).
    let mut busy_ms = 0;
    for _ in 0..600 {
        busy_ms = (cpu_ticks(pid) - idle) * 1000 / hz;
        if busy_ms >= 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("CPU spent on the batch before leaving: {busy_ms} ms");
    assert!(busy_ms >= 200, "the batch was not computing: {busy_ms} ms");
    drop(stream);
    let used_ms = ms_used_in_the_second_after_next(pid).await;
    assert!(
        used_ms <= 50,
        "the server used {used_ms} ms of CPU in the second second after the batch's client left"
    );
    // The server still answers.
    let (status, _, lines) = batch(
        &served.url,
        body_of(&[scoring("base-light", "To be")]),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(lines[0].1["response"].is_object(), "{:?}", lines[0].1);
    drop(served);
    std::fs::remove_dir_all(&dir).ok();
}
