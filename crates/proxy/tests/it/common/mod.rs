//! Helpers of the server's tests: the proxy's router built from a configuration text, one-shot
//! requests against it, and (re-exported from `likely-testkit`) the fake upstreams they talk to.

pub mod apiary;
pub mod burst;
pub mod cpu;
pub mod logs;
pub mod served;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use likely_ngram::{load_or_train, EmbeddedPaths};
use likely_proxy::access::{Access, AccessToken};
use likely_proxy::backends::EmbeddedCatalog;
use likely_proxy::config::Config;
use likely_proxy::setup::build_table;
use likely_proxy::{app, AppState};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;
use tower::ServiceExt;

pub use likely_testkit::upstream::{fake_upstream, forbidden_host, Fake, Reply, Seen};

/// The proxy's state from a configuration text and an environment.
pub fn state_from(config: &str, env: &[(&str, &str)]) -> AppState {
    let config = Config::parse(config, "test.toml").unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let table = build_table(&config, &move |name| env.get(name).cloned(), None).unwrap();
    let mut state = AppState::new(table);
    state.max_body_bytes = config.limits.max_body_bytes;
    state
}

/// The JSON answer to `request`, sent over real HTTP (any status).
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The proxy's router for `state` served on `127.0.0.1:0` (each request knowing its client's address,
/// as `likely serve` does); its base URL.
pub async fn serve_state(state: AppState) -> String {
    likely_proxy::backends::upstream::install_crypto_provider();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    base
}

/// The real embedded models, loaded (or trained) once for the whole test binary.
pub fn embedded_catalog() -> EmbeddedCatalog {
    static CATALOG: OnceLock<EmbeddedCatalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let models = load_or_train(&EmbeddedPaths::default())
                .expect("the embedded models (run `bash scripts/fetch-corpora.sh` first)");
            EmbeddedCatalog::from_models(models)
        })
        .clone()
}

/// The proxy's router from a configuration text and an environment.
pub fn app_from(config: &str, env: &[(&str, &str)]) -> Router {
    app(state_from(config, env))
}

/// The proxy's router with access control on.
pub fn app_with_token(config: &str, token: &str) -> Router {
    let mut state = state_from(config, &[]);
    state.access = AccessToken::from_env_value(Some(token.to_string()))
        .unwrap()
        .map(Access::new);
    app(state)
}

/// A fake upstream answering `body` (200, JSON) to every request, and the proxy's router with one
/// model `name` of `backend` in front of it (`extra` TOML lines appended to the model; `env` the
/// environment its key is read from).
pub async fn one_upstream(
    name: &str,
    backend: &str,
    body: &'static str,
    extra: &str,
    env: &[(&str, &str)],
) -> (Fake, Router) {
    let upstream = fake_upstream(move |_| Reply::ok(body)).await;
    let config = one_model(name, backend, &upstream.base_url, extra);
    (upstream, app_from(&config, env))
}

/// A config with one model of `backend` at `base_url` (extra TOML lines appended to the model).
pub fn one_model(name: &str, backend: &str, base_url: &str, extra: &str) -> String {
    format!(
        "[[models]]\nname = \"{name}\"\nbackend = \"{backend}\"\nbase_url = \"{base_url}\"\nupstream_model = \"upstream-id\"\n{extra}\n"
    )
}

/// An answer: status, headers, body text.
pub struct Answered {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub text: String,
}

impl Answered {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    /// The `{"message"}` of an error answer.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message: {}", self.text))
            .to_string()
    }
}

/// Sends `request` through `app` in-process.
pub async fn send(app: &Router, request: Request<Body>) -> Answered {
    let response: Response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answered {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `POST /v1/generate` with this JSON.
pub async fn generate(app: &Router, body: Value) -> Answered {
    let request = Request::post("/v1/generate")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

/// `GET path`.
pub async fn get(app: &Router, path: &str) -> Answered {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// The page's scoring request for `prompt` with nothing generated (`max_tokens` 0), answered 200 with
/// `tokens` scored tokens: the answer's JSON.
pub async fn score_alone(app: &Router, model: &str, prompt: &str, tokens: usize) -> Value {
    let mut request = scoring(model, prompt);
    request["max_tokens"] = serde_json::json!(0);
    let answer = generate(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let json = answer.json();
    let scored = json["generations"][0]["token_likelihoods"].as_array();
    assert_eq!(scored.map(Vec::len), Some(tokens), "{json}");
    json
}

/// The page's scoring request: one generated token, every token scored.
pub fn scoring(model: &str, prompt: &str) -> Value {
    serde_json::json!({
        "model": model,
        "prompt": prompt,
        "max_tokens": 1,
        "temperature": 1.0,
        "k": 0,
        "p": 0.75,
        "return_likelihoods": "ALL"
    })
}
