//! The router in-process (`tower::ServiceExt::oneshot`): health, the model list, every rejection as
//! `{"message"}` with a fitting status, the limits (body size, prompt length, concurrency), the static
//! dashboard with its `index.html` fallback, and access control.

use crate::common;
use crate::common::{
    app_from, app_with_token, fake_upstream, generate, get, one_model, scoring, send, Reply,
};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::time::Duration;

const TGI_ANSWER: &str = r#"{"generated_text":" be","details":{"finish_reason":"length","generated_tokens":1,"seed":null,
    "prefill":[{"id":1,"text":"To","logprob":null},{"id":2,"text":" be","logprob":-2.0}],
    "tokens":[{"id":3,"text":",","logprob":-1.0,"special":false}]}}"#;

async fn tgi_app(extra_model_lines: &str, limits: &str) -> (axum::Router, common::Fake) {
    let upstream = fake_upstream(|_| Reply::ok(TGI_ANSWER)).await;
    let config = format!(
        "{limits}\n{}",
        one_model("tgi-model", "tgi", &upstream.base_url, extra_model_lines)
    );
    (app_from(&config, &[]), upstream)
}

#[tokio::test]
async fn health_and_model_list() {
    let (app, _upstream) =
        tgi_app("context_length = 4096\ndescription = \"a TGI model\"", "").await;
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let models = get(&app, "/v1/models").await;
    assert_eq!(models.status, StatusCode::OK);
    assert_eq!(
        models.json(),
        json!({"models": [{
            "name": "tgi-model",
            "backend": "tgi",
            "context_length": 4096,
            "returns_top_token": false,
            "description": "a TGI model"
        }]})
    );
}

#[tokio::test]
async fn rejections_are_json_messages_with_fitting_statuses() {
    let (app, upstream) = tgi_app("", "[limits]\nmax_body_bytes = 2000").await;
    let post = |content_type: Option<&str>, body: String| {
        let mut request = Request::post("/v1/generate");
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        request.body(Body::from(body)).unwrap()
    };
    let cases = [
        (
            post(Some("application/json"), "{not json".into()),
            400,
            "invalid request body",
        ),
        (
            post(None, scoring("tgi-model", "x").to_string()),
            415,
            "Content-Type",
        ),
        (
            post(Some("application/json"), json!({"prompt": "x"}).to_string()),
            422,
            "model",
        ),
        (
            post(
                Some("application/json"),
                scoring("tgi-model", &"x".repeat(3000)).to_string(),
            ),
            413,
            "2000 bytes",
        ),
        (
            post(Some("application/json"), scoring("nope", "x").to_string()),
            404,
            "unknown model `nope`",
        ),
        (
            post(Some("application/json"), {
                let mut body = scoring("tgi-model", "x");
                body["num_generations"] = json!(9);
                body.to_string()
            }),
            400,
            "num_generations",
        ),
        (
            post(
                Some("application/json"),
                scoring("tgi-model", "").to_string(),
            ),
            400,
            "empty",
        ),
        (
            Request::get("/v1/nothing").body(Body::empty()).unwrap(),
            404,
            "no such API endpoint",
        ),
    ];
    for (request, status, says) in cases {
        let answer = send(&app, request).await;
        assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
        assert!(answer.message().contains(says), "{says}: {}", answer.text);
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    }
    assert!(
        upstream.requests().is_empty(),
        "nothing rejected reached the upstream"
    );
}

#[tokio::test]
async fn a_prompt_over_the_model_s_limit_is_a_413() {
    let (app, upstream) = tgi_app("max_prompt_chars = 10", "").await;
    let answer = generate(&app, scoring("tgi-model", "To be or not to be")).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.text
    );
    assert!(answer.message().contains("at most 10"), "{}", answer.text);
    assert!(upstream.requests().is_empty());
    let answer = generate(&app, scoring("tgi-model", "To be")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn excess_concurrent_requests_wait_then_get_503_with_retry_after() {
    let upstream = fake_upstream(|_| Reply::ok(TGI_ANSWER).after(Duration::from_millis(400))).await;
    let config = format!(
        "[limits]\nqueue_timeout_secs = 5\n{}",
        one_model(
            "slow",
            "tgi",
            &upstream.base_url,
            "max_concurrent = 1\nmax_queued = 1"
        )
    );
    let app = app_from(&config, &[]);
    let calls = (0..3).map(|_| {
        let app = app.clone();
        tokio::spawn(async move { generate(&app, scoring("slow", "To be")).await })
    });
    let mut statuses = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        let answer = call.await.unwrap();
        if answer.status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(answer.headers[header::RETRY_AFTER], "1");
            assert!(answer.message().contains("busy"), "{}", answer.text);
        }
        statuses.push(answer.status.as_u16());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 200, 503],
        "one runs, one waits, one is turned away"
    );
    assert_eq!(upstream.requests().len(), 2);
}

#[tokio::test]
async fn the_dashboard_is_served_with_an_index_fallback() {
    let dist = std::env::temp_dir().join(format!("likely-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>Likely</html>").unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    // No models needed: an empty table is enough for static files.
    let mut state = likely_proxy::AppState::new(likely_proxy::models::ModelTable::default());
    state.dist_dir = Some(dist.clone());
    let app = likely_proxy::app(state);
    assert_eq!(get(&app, "/").await.text, "<html>Likely</html>");
    assert_eq!(get(&app, "/app.js").await.text, "console.log(1)");
    let deep = get(&app, "/compare/some/deep/link").await;
    assert_eq!(deep.status, StatusCode::OK);
    assert_eq!(deep.text, "<html>Likely</html>");
    let api = get(&app, "/v1/nothing").await;
    assert_eq!(
        api.status,
        StatusCode::NOT_FOUND,
        "API paths never fall back to the page"
    );
    assert_eq!(get(&app, "/v1/models").await.json(), json!({"models": []}));
    std::fs::remove_dir_all(dist).ok();
}

#[tokio::test]
async fn access_control_requires_the_token_for_the_api_only() {
    let upstream = fake_upstream(|_| Reply::ok(TGI_ANSWER)).await;
    let config = one_model("m", "tgi", &upstream.base_url, "");
    let app = app_with_token(&config, "team-token-42-0123456789abcdef");

    let answer = get(&app, "/v1/models").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.message().contains("/login"), "{}", answer.text);
    assert!(answer.headers.contains_key(header::WWW_AUTHENTICATE));
    let answer = generate(&app, scoring("m", "To be")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        upstream.requests().is_empty(),
        "no quota spent without the token"
    );
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);

    let with_bearer = |token: &str| {
        Request::get("/v1/models")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&app, with_bearer("team-token-42-0123456789abcdef"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, with_bearer("team-token-42-0123456789abcde"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let form = get(&app, "/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("<form"), "{}", form.text);
    let login = |token: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={token}")))
            .unwrap()
    };
    let wrong = send(&app, login("nope")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(!wrong.headers.contains_key(header::SET_COOKIE));
    let right = send(&app, login("team-token-42-0123456789abcdef")).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.headers[header::LOCATION], "/");
    let cookie = right.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let request = Request::post("/v1/generate")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, pair)
        .body(Body::from(scoring("m", "To be").to_string()))
        .unwrap();
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    let logout = send(&app, Request::post("/logout").body(Body::empty()).unwrap()).await;
    assert!(logout.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn without_access_control_login_goes_back_to_the_page() {
    let (app, _upstream) = tgi_app("", "").await;
    let answer = get(&app, "/login").await;
    assert!(answer.status.is_redirection());
}
