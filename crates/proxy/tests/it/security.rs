//! Security over real HTTP: the key reaches the upstream's `Authorization: Bearer` header and nothing
//! else (no answer body or header, no log line, not `/v1/models`), and no request can make the proxy
//! contact a host outside the model table.

use crate::common;
use crate::common::logs::captured_logs;
use crate::common::{fake_upstream, forbidden_host, generate, scoring, send, state_from, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use std::sync::atomic::Ordering;

const KEY: &str = "sk-live-4e9b1c7d2a6f8e30";

#[tokio::test]
async fn the_key_goes_to_the_upstream_and_nowhere_else() {
    let logs = captured_logs();
    // Upstreams that try hard to leak it: they echo the Authorization header in bodies and headers.
    let echo = |seen: &common::Seen| {
        seen.headers
            .get("authorization")
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let ok = fake_upstream(|_| {
        Reply::ok(
            r#"{"id":"a","generations":[{"id":"g","text":"","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.0}]}],"meta":{"billed_units":{"input_tokens":2}}}"#,
        )
    })
    .await;
    let rejecting = fake_upstream(move |seen| {
        Reply::status(
            401,
            &json!({"message": format!("invalid api token {}", echo(seen))}).to_string(),
        )
        .header("x-echo", &echo(seen))
    })
    .await;
    let failing = fake_upstream(move |seen| {
        Reply::status(
            500,
            &json!({"error": {"message": format!("crash with {}", echo(seen))}}).to_string(),
        )
        .header("x-echo", &echo(seen))
    })
    .await;
    let limited = fake_upstream(move |seen| {
        Reply::status(429, &format!("slow down {}", echo(seen))).header("retry-after", "3")
    })
    .await;
    let malformed =
        fake_upstream(move |seen| Reply::ok(&format!("{{\"broken\": \"{}", echo(seen)))).await;
    let mut config = String::new();
    for (name, fake) in [
        ("ok", &ok),
        ("rejecting", &rejecting),
        ("failing", &failing),
        ("limited", &limited),
        ("malformed", &malformed),
    ] {
        config.push_str(&common::one_model(
            name,
            "cohere",
            &fake.base_url,
            "api_key_env = \"UPSTREAM_KEY\"",
        ));
    }
    let state = state_from(&config, &[("UPSTREAM_KEY", KEY)]);

    // The proxy on a real socket, called with a real HTTP client.
    let proxy = common::serve_state(state).await;
    let client = reqwest::Client::new();
    let mut seen_by_client = String::new();
    let record = |response: reqwest::Response| async move {
        let status = response.status();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        (status, format!("{status} {headers} {body}\n"))
    };
    let mut statuses = Vec::new();
    for model in ["ok", "rejecting", "failing", "limited", "malformed"] {
        let response = client
            .post(format!("{proxy}/v1/generate"))
            .json(&scoring(model, "To be"))
            .send()
            .await
            .unwrap();
        let (status, text) = record(response).await;
        statuses.push(status.as_u16());
        seen_by_client.push_str(&text);
    }
    assert_eq!(statuses, [200, 401, 502, 429, 502], "{seen_by_client}");
    for path in ["/v1/models", "/healthz", "/v1/nothing"] {
        let response = client.get(format!("{proxy}{path}")).send().await.unwrap();
        seen_by_client.push_str(&record(response).await.1);
    }

    for upstream in [&ok, &rejecting, &failing, &limited, &malformed] {
        let requests = upstream.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(
            requests[0].headers["authorization"],
            format!("Bearer {KEY}")
        );
    }
    assert!(
        seen_by_client.contains("UPSTREAM_KEY"),
        "the variable's name helps: {seen_by_client}"
    );
    assert!(seen_by_client.contains("retry-after"), "{seen_by_client}");
    assert!(!seen_by_client.contains(KEY), "{seen_by_client}");
    assert!(!seen_by_client.contains(&KEY[3..12]), "{seen_by_client}");
    let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("request failed"),
        "errors are logged: {logged}"
    );
    assert!(!logged.contains(KEY), "{logged}");
    assert!(!logged.contains(&KEY[3..12]), "{logged}");
}

#[tokio::test]
async fn no_request_reaches_a_host_outside_the_table() {
    let (forbidden, contacted) = forbidden_host().await;
    let allowed = fake_upstream(|_| {
        Reply::ok(
            r#"{"id":"a","generations":[{"id":"g","text":"","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.0}]}]}"#,
        )
    })
    .await;
    // An upstream that tries to bounce the proxy elsewhere.
    let redirecting = {
        let location = format!("http://{forbidden}/v1/generate");
        fake_upstream(move |_| Reply::status(307, "{}").header("location", &location)).await
    };
    let config = format!(
        "{}{}",
        common::one_model("allowed", "cohere", &allowed.base_url, ""),
        common::one_model("redirecting", "cohere", &redirecting.base_url, ""),
    );
    let app = common::app_from(&config, &[]);
    let url = format!("http://{forbidden}");
    for model in [
        url.clone(),
        format!("{url}/v1/generate"),
        forbidden.clone(),
        format!("allowed@{forbidden}"),
        "../allowed".into(),
    ] {
        let answer = generate(&app, scoring(&model, "To be")).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{model}: {}",
            answer.text
        );
    }
    // The URL rides in every field a proxy might read as a destination; the prompt is the one the
    // fake upstream answers, so the answer is a 200 from the allowed host and nothing else.
    let mut sneaky = scoring("allowed", "To be");
    for field in [
        "base_url",
        "url",
        "endpoint",
        "api_base",
        "host",
        "upstream",
        "upstream_model",
    ] {
        sneaky[field] = json!(url);
    }
    let request = Request::post("/v1/generate")
        .header("content-type", "application/json")
        .header("host", forbidden.as_str())
        .header("x-forwarded-host", forbidden.as_str())
        .header("forwarded", format!("host={forbidden}"))
        .header("x-upstream-url", url.as_str())
        .body(Body::from(sneaky.to_string()))
        .unwrap();
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let answer = generate(&app, scoring("redirecting", "To be")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
    assert!(answer.message().contains("redirect"), "{}", answer.text);
    for path in [
        format!("/{url}"),
        format!("//{forbidden}/v1/generate"),
        "/v1/../v1/generate".into(),
    ] {
        let request = Request::post(path.as_str())
            .header("content-type", "application/json")
            .body(Body::from(scoring("allowed", "To be").to_string()))
            .unwrap();
        let answer = send(&app, request).await;
        assert_ne!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }

    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(
        contacted.load(Ordering::SeqCst),
        0,
        "the forbidden host was contacted"
    );
    let seen = allowed.requests();
    assert!(!seen.is_empty());
    for request in seen {
        assert_eq!(request.path, "/v1/generate");
        assert_eq!(request.body["model"], "upstream-id");
        assert!(
            request.body.get("base_url").is_none(),
            "unknown fields are not forwarded"
        );
    }
}
