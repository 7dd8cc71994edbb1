//! Upstream faults the other suites do not cover, each against a loopback upstream: a connection reset
//! in the middle of the body, an answer whose token count does not match the prompt, an answer larger
//! than `max_upstream_answer_bytes`, and malformed JSON in every dialect. (Slow answers past the
//! timeout, 500s, 429 with `Retry-After` and malformed Cohere/TGI answers are in `forwarding.rs`.)

use crate::common::{app_from, fake_upstream, generate, one_model, scoring, Reply};
use axum::http::StatusCode;
use likely_core::{prompt_scores, GenerateResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An upstream that reads a request, sends a 200 header promising `promised` body bytes, sends only
/// `sent` of them, and resets the connection.
async fn resetting_upstream(promised: usize, sent: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 64 * 1024];
            let mut read = Vec::new();
            // Read until the end of the request's body (headers plus Content-Length bytes).
            loop {
                let n = stream.read(&mut buffer).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                read.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&read).to_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if read.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {promised}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(sent.as_bytes()).await;
            let _ = stream.flush().await;
            // Linger 0: closing sends a TCP reset, not an orderly end (no data is left to block on).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(std::time::Duration::ZERO));
            drop(stream);
        }
    });
    base_url
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_a_502() {
    for backend in ["cohere", "openai-completions", "tgi"] {
        let base_url = resetting_upstream(4000, r#"{"id":"x","generations":[{"id":"g","#).await;
        let config = one_model("m", backend, &base_url, "");
        let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_GATEWAY,
            "{backend}: {}",
            answer.text
        );
        assert!(!answer.message().is_empty());
        assert!(!answer.text.contains(&base_url), "{}", answer.text);
    }
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_a_502() {
    let padding = "x".repeat(64 * 1024);
    let body = format!(
        r#"{{"id":"x","generations":[{{"id":"g","text":"{padding}","token_likelihoods":[{{"token":"To"}}]}}]}}"#
    );
    let upstream = fake_upstream(move |_| Reply::ok(&body)).await;
    let config = format!(
        "[limits]\nmax_upstream_answer_bytes = 4096\n\n{}",
        one_model("m", "cohere", &upstream.base_url, "")
    );
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
    assert!(answer.text.len() < 1024, "the answer is not passed on");
}

#[tokio::test]
async fn malformed_json_is_a_502_in_every_dialect() {
    for backend in ["cohere", "openai-completions", "tgi", "sglang"] {
        for body in [
            "{\"choices\":",
            "[1,2",
            "null",
            "\"text\"",
            "{\"generations\":7}",
        ] {
            let upstream = fake_upstream(move |_| Reply::ok(body)).await;
            let config = one_model("m", backend, &upstream.base_url, "");
            let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
            assert_eq!(
                answer.status,
                StatusCode::BAD_GATEWAY,
                "{backend} answering {body}: {}",
                answer.text
            );
            assert!(!answer.message().is_empty());
            assert!(!answer.text.contains(&upstream.base_url), "{}", answer.text);
        }
    }
}

#[tokio::test]
async fn a_wrong_token_count_is_not_trusted() {
    // Cohere bills 2 prompt tokens, but "To be or" is 3 of the 4 listed: the tokens, not the billed
    // count, decide, so " or" is scored as the prompt's and " not" is not.
    let body = r#"{"id":"x","generations":[{"id":"g","text":" not","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.1},{"token":" or","likelihood":-4.2},{"token":" not","likelihood":-0.3}]}],"meta":{"billed_units":{"input_tokens":2,"output_tokens":1}}}"#;
    let upstream = fake_upstream(move |_| Reply::ok(body)).await;
    let config = one_model("m", "cohere", &upstream.base_url, "");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed: GenerateResponse = serde_json::from_str(&answer.text).unwrap();
    let scored = prompt_scores("To be or", &parsed).unwrap();
    let texts: Vec<_> = scored.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["To", " be", " or"]);

    // Tokens that do not reach the end of the prompt cannot be scored: a 502 that says why.
    let body = r#"{"id":"x","generations":[{"id":"g","text":"","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.1}]}],"meta":{"billed_units":{"input_tokens":3,"output_tokens":1}}}"#;
    let upstream = fake_upstream(move |_| Reply::ok(body)).await;
    let config = one_model("m", "cohere", &upstream.base_url, "");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
    assert!(
        answer.message().contains("cover 5 of the prompt's 8 bytes"),
        "{}",
        answer.text
    );

    // An OpenAI-style answer with more log-probabilities than tokens is a 502.
    let body = r#"{"choices":[{"index":0,"text":"To be or","logprobs":{"tokens":["To"," be"],"token_logprobs":[null,-1.0,-2.0,-3.0]}}]}"#;
    let upstream = fake_upstream(move |_| Reply::ok(body)).await;
    let config = one_model("m", "openai-completions", &upstream.base_url, "");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
}
