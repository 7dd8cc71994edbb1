//! Helpers shared by the HTTP tests: fake upstream servers on `127.0.0.1:0` that record what they
//! receive and answer what a test tells them, the proxy's router built from a configuration text, and
//! one-shot requests against it.

#![allow(dead_code)] // Each test binary uses its own subset of these helpers.
#![allow(clippy::unwrap_used)] // Test helpers: a failed unwrap is a failed test.
#![allow(unreachable_pub)] // Helpers of test binaries: `pub` is for the tests that include them.

pub mod apiary;
pub mod cpu;
pub mod logs;
pub mod served;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt;
use likely_proxy::access::{Access, AccessToken};
use likely_proxy::config::Config;
use likely_proxy::setup::build_table;
use likely_proxy::{app, AppState};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;

/// One request a fake upstream received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Method.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// Headers.
    pub headers: HeaderMap,
    /// The JSON body (`Null` when not JSON).
    pub body: Value,
}

/// What a fake upstream answers.
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body (sent as `application/json`).
    pub body: String,
    /// Wait this long first.
    pub delay: Duration,
}

impl Reply {
    /// 200 with this JSON text.
    pub fn ok(body: &str) -> Reply {
        Reply::status(200, body)
    }

    /// This status and JSON text.
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// With one more header.
    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    /// After a delay.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Answer = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A fake upstream server.
pub struct Fake {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What it received, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    /// The requests received so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts a fake upstream on `127.0.0.1:0` answering every request with `answer`.
pub async fn fake_upstream(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Fake {
    let answer: Answer = Arc::new(answer);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let answer = Arc::clone(&answer);
        let record = Arc::clone(&record);
        async move {
            let request = Seen {
                method,
                path: uri.to_string(),
                headers,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            };
            record.lock().unwrap().push(request.clone());
            let reply = answer(&request);
            tokio::time::sleep(reply.delay).await;
            let mut response = (reply.status, reply.body).into_response();
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            for (name, value) in reply.headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).unwrap(),
                );
            }
            response
        }
    };
    let router = Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Fake { base_url, seen }
}

/// A listener on `127.0.0.1:0` that accepts connections, counts them and closes them: a host no
/// request may make the proxy contact.
pub async fn forbidden_host() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (address, count)
}

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
