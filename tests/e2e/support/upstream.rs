//! A Cohere-dialect upstream on a loopback port whose behaviour a test switches at will: answer,
//! fail with 500, or answer slowly. The real `likely` server forwards to it like to any Cohere model.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the upstream answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behaviour {
    /// A valid answer: every word a token with likelihood -1.
    Answer,
    /// HTTP 500 with Cohere's error body.
    Fail,
    /// A valid answer after this long.
    Slow(Duration),
    /// HTTP 429 with `Retry-After: 1` this many times, then valid answers.
    BusyThenAnswer(u32),
}

/// A running fake upstream.
pub struct Upstream {
    /// Its base URL.
    pub url: String,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Upstream {
    /// Starts the upstream on a free loopback port.
    pub async fn start(behaviour: Behaviour) -> Upstream {
        let shared = Arc::new(Mutex::new(behaviour));
        let app = Router::new()
            .route("/v1/generate", post(generate))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Upstream {
            url,
            behaviour: shared,
        }
    }

    /// Changes how later requests are answered.
    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("not poisoned") = behaviour;
    }
}

/// Splits text into word tokens, each with its leading whitespace, so the pieces spell the text.
fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() && in_word {
            out.push(std::mem::take(&mut current));
            in_word = false;
        }
        if !c.is_whitespace() {
            in_word = true;
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

async fn generate(
    State(behaviour): State<Arc<Mutex<Behaviour>>>,
    Json(body): Json<Value>,
) -> (StatusCode, HeaderMap, Json<Value>) {
    let now = {
        let mut shared = behaviour.lock().expect("not poisoned");
        let now = *shared;
        if let Behaviour::BusyThenAnswer(left) = now {
            *shared = if left > 1 {
                Behaviour::BusyThenAnswer(left - 1)
            } else {
                Behaviour::Answer
            };
        }
        now
    };
    match now {
        Behaviour::Fail => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                HeaderMap::new(),
                Json(json!({"message": "internal server error, this has been reported"})),
            )
        }
        Behaviour::BusyThenAnswer(_) => {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", HeaderValue::from_static("1"));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                Json(
                    json!({"message": "You are using a Trial key, which is limited to 10 API calls / minute."}),
                ),
            );
        }
        Behaviour::Slow(delay) => tokio::time::sleep(delay).await,
        Behaviour::Answer => {}
    }
    let prompt = body["prompt"].as_str().unwrap_or_default();
    let mut tokens: Vec<Value> = pieces(prompt)
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                json!({"token": piece})
            } else {
                json!({"token": piece, "likelihood": -1.0})
            }
        })
        .collect();
    let count = tokens.len();
    tokens.push(json!({"token": ".", "likelihood": -0.5}));
    (
        StatusCode::OK,
        HeaderMap::new(),
        Json(json!({
            "id": "fake",
            "prompt": prompt,
            "generations": [{"id": "g", "text": ".", "likelihood": -0.9, "token_likelihoods": tokens}],
            "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": count, "output_tokens": 1}}
        })),
    )
}
