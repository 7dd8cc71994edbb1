//! Fake upstream servers on `127.0.0.1:0`: one that records every request it receives and answers
//! what the test tells it ([`fake_upstream`]), and a listener that only counts the connections made
//! to it ([`forbidden_host`]).

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
#[derive(Debug, Clone)]
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
    ///
    /// # Panics
    /// When `status` is not an HTTP status code (a mistake in the test).
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).expect("an HTTP status code"),
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

/// A running fake upstream.
#[derive(Debug)]
pub struct Fake {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What it received, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    /// The requests received so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

/// Starts a fake upstream on `127.0.0.1:0` answering every request with `answer`.
///
/// # Panics
/// When no loopback port can be bound, or `answer` gives a header value HTTP refuses.
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
            record.lock().expect("not poisoned").push(request.clone());
            let reply = answer(&request);
            tokio::time::sleep(reply.delay).await;
            let mut response = (reply.status, reply.body).into_response();
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            for (name, value) in reply.headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).expect("a header value"),
                );
            }
            response
        }
    };
    let router = Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let base_url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    Fake { base_url, seen }
}

/// A listener on `127.0.0.1:0` that accepts connections, counts them and closes them: a host no
/// request may make the proxy contact. Its `address` (`127.0.0.1:PORT`) and the count.
///
/// # Panics
/// When no loopback port can be bound.
pub async fn forbidden_host() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("an address").to_string();
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
