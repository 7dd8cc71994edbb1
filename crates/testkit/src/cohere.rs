//! A Cohere-dialect upstream whose behaviour a test switches at will: answer, fail with 500, answer
//! slowly, or ask to retry later. A `likely` server forwards to it like to any Cohere model; every
//! word of the prompt comes back as a token with log-likelihood -1.

use crate::upstream::{fake_upstream, Reply, Seen};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the upstream answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A running scripted upstream.
#[derive(Debug)]
pub struct Upstream {
    /// Its base URL.
    pub url: String,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Upstream {
    /// Starts the upstream on a free loopback port.
    pub async fn start(behaviour: Behaviour) -> Upstream {
        let shared = Arc::new(Mutex::new(behaviour));
        let now = Arc::clone(&shared);
        let fake =
            fake_upstream(move |seen| reply(&mut now.lock().expect("not poisoned"), seen)).await;
        Upstream {
            url: fake.base_url,
            behaviour: shared,
        }
    }

    /// Changes how later requests are answered.
    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("not poisoned") = behaviour;
    }
}

/// The answer to `seen` under `behaviour`, counting down a `BusyThenAnswer`.
fn reply(behaviour: &mut Behaviour, seen: &Seen) -> Reply {
    let now = *behaviour;
    if let Behaviour::BusyThenAnswer(left) = now {
        *behaviour = if left > 1 {
            Behaviour::BusyThenAnswer(left - 1)
        } else {
            Behaviour::Answer
        };
    }
    match now {
        Behaviour::Fail => Reply::status(
            500,
            &json!({"message": "internal server error, this has been reported"}).to_string(),
        ),
        Behaviour::BusyThenAnswer(_) => Reply::status(
            429,
            &json!({"message": "You are using a Trial key, which is limited to 10 API calls / minute."})
                .to_string(),
        )
        .header("retry-after", "1"),
        Behaviour::Slow(delay) => answer(seen).after(delay),
        Behaviour::Answer => answer(seen),
    }
}

/// A valid Cohere answer scoring every word of the prompt at -1, then one generated `.`.
fn answer(seen: &Seen) -> Reply {
    let prompt = seen.body["prompt"].as_str().unwrap_or_default();
    let mut tokens: Vec<serde_json::Value> = pieces(prompt)
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
    Reply::ok(
        &json!({
            "id": "fake",
            "prompt": prompt,
            "generations": [{"id": "g", "text": ".", "likelihood": -0.9, "token_likelihoods": tokens}],
            "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": count, "output_tokens": 1}}
        })
        .to_string(),
    )
}

/// Splits text into word tokens, each with its leading whitespace, so the pieces spell the text.
pub fn pieces(text: &str) -> Vec<String> {
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
