//! What an upstream's failure becomes for the page: a status it can act on and a `{"message"}` that
//! quotes the upstream's own reason, with the key scrubbed out, never the key or the upstream's URL.
//!
//! | upstream | answer |
//! |---|---|
//! | 400, 413, 422 | the same status: the request itself is at fault |
//! | 401, 403 | the same status: the configured key was rejected (the message names its variable) |
//! | 429 | 429 with the upstream's `Retry-After` (or `retry-after-ms`, rounded up to seconds) |
//! | 503 | 503 with its `Retry-After` |
//! | 408, 504, our timeout | 504 |
//! | 404, other 4xx, 5xx, redirects, unreadable answers, connection failures | 502 |

use super::redact::redact_key_shaped;
use crate::error::AppError;
use hyper::header::HeaderMap;
use hyper::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The longest upstream reason quoted, in characters.
const MAX_REASON_CHARS: usize = 400;

/// Who is calling, for messages and scrubbing.
pub struct Caller<'a> {
    /// The model's public name.
    pub model: &'a str,
    /// The variable the key came from, if any.
    pub key_variable: Option<&'a str>,
    /// The key, to scrub from anything quoted.
    pub key: Option<&'a SecretString>,
}

impl Caller<'_> {
    /// `text` with every occurrence of the key, and anything else key-shaped (a masked echo of
    /// the key, say), replaced.
    pub fn scrub(&self, text: &str) -> String {
        let text = match self.key.map(ExposeSecret::expose_secret) {
            Some(key) if !key.is_empty() => text.replace(key, "[redacted]"),
            _ => text.to_string(),
        };
        redact_key_shaped(&text)
    }
}

/// The error for a non-success upstream status.
pub fn from_status(
    caller: &Caller<'_>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> AppError {
    let model = caller.model;
    let reason = reason(caller, body);
    let quoted = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    let code = status.as_u16();
    match code {
        400 => AppError::BadRequest(format!(
            "model `{model}`: the upstream refused the request (400){quoted}"
        )),
        413 => AppError::PayloadTooLarge(format!(
            "model `{model}`: the upstream found the request too large (413){quoted}"
        )),
        422 => AppError::Unprocessable(format!(
            "model `{model}`: the upstream could not process the request (422){quoted}"
        )),
        401 | 403 => {
            let hint = match caller.key_variable {
                Some(variable) => format!("check the key in {variable}"),
                None => "this model has no `api_key_env` configured".to_string(),
            };
            let message =
                format!("model `{model}`: the upstream rejected the key ({code}); {hint}{quoted}");
            if code == 401 {
                AppError::Unauthorized(message)
            } else {
                AppError::Forbidden(message)
            }
        }
        429 => AppError::RateLimited {
            message: format!("model `{model}`: the upstream's rate limit was reached (429){quoted}"),
            retry_after: retry_after(headers),
        },
        503 => AppError::Overloaded {
            message: format!("model `{model}`: the upstream is unavailable (503){quoted}"),
            retry_after: retry_after(headers),
        },
        408 | 504 => AppError::GatewayTimeout(format!(
            "model `{model}`: the upstream timed out ({code}){quoted}"
        )),
        404 => AppError::BadGateway(format!(
            "model `{model}`: the upstream does not know this model or endpoint (404); check `upstream_model` and `base_url`{quoted}"
        )),
        300..=399 => AppError::BadGateway(format!(
            "model `{model}`: the upstream answered with a redirect ({code}), which is not followed; set `base_url` to the final address"
        )),
        _ => AppError::BadGateway(format!(
            "model `{model}`: the upstream failed ({code}){quoted}"
        )),
    }
}

/// The 504 for an exchange that took longer than `timeout`.
pub fn timed_out(caller: &Caller<'_>, timeout: Duration) -> AppError {
    AppError::GatewayTimeout(format!(
        "model `{}`: the upstream did not answer within {} s",
        caller.model,
        timeout.as_secs()
    ))
}

/// The 502 for an exchange that failed before an answer was read: `connect` when no connection
/// could be made. The message quotes the innermost cause (scrubbed), which helps more than the outer
/// ones ("Connection refused (os error 111)").
pub fn from_transport(
    caller: &Caller<'_>,
    error: &(dyn std::error::Error + 'static),
    connect: bool,
) -> AppError {
    let model = caller.model;
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = caller.scrub(&cause.to_string());
    if connect {
        AppError::BadGateway(format!(
            "model `{model}`: cannot connect to the upstream ({cause})"
        ))
    } else {
        AppError::BadGateway(format!(
            "model `{model}`: the exchange with the upstream failed ({cause})"
        ))
    }
}

/// The upstream's reason, from the error shapes of Cohere (`{"message"}`), OpenAI and vLLM
/// (`{"error":{"message"}}`, older vLLM `{"object":"error","message"}`), TGI (`{"error","error_type"}`)
/// and FastAPI (`{"detail"}`); else the body's text if it is short plain text.
fn reason(caller: &Caller<'_>, body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => json_reason(&json).unwrap_or_default(),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let plain = !text.trim_start().starts_with('<');
            if plain {
                text.trim().to_string()
            } else {
                String::new()
            }
        }
    };
    let text = caller.scrub(&text);
    let mut shortened: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON_CHARS)
        .collect();
    if text.chars().count() > MAX_REASON_CHARS {
        shortened.push('…');
    }
    shortened
}

fn json_reason(json: &serde_json::Value) -> Option<String> {
    let as_text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    };
    if let Some(message) = json.get("message").and_then(as_text) {
        return Some(message);
    }
    match json.get("error") {
        Some(serde_json::Value::Object(error)) => error.get("message").and_then(as_text),
        Some(other) => as_text(other),
        None => json.get("detail").and_then(as_text),
    }
}

/// The upstream's `Retry-After`, or its `retry-after-ms` rounded up to whole seconds.
fn retry_after(headers: &HeaderMap) -> Option<String> {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = value("retry-after") {
        let seconds =
            !value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit());
        let http_date = value.len() <= 40
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" ,:-".contains(&b));
        if seconds || http_date {
            return Some(value.to_string());
        }
    }
    let milliseconds: u64 = value("retry-after-ms")?.parse().ok()?;
    Some(milliseconds.div_ceil(1000).max(1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn caller(key: &SecretString) -> Caller<'_> {
        Caller {
            model: "m",
            key_variable: Some("COHERE_API_KEY"),
            key: Some(key),
        }
    }

    #[test]
    fn each_dialect_s_reason_is_quoted() {
        let key = SecretString::from("sk-test-0123456789");
        let caller = caller(&key);
        let cases: [(&str, &str); 5] = [
            (
                r#"{"message":"invalid request: prompt must be a string"}"#,
                "prompt must be",
            ),
            (
                r#"{"error":{"message":"max_tokens too big","type":"BadRequestError","code":400}}"#,
                "max_tokens too big",
            ),
            (
                r#"{"object":"error","message":"old vllm says no","type":"BadRequestError"}"#,
                "old vllm says no",
            ),
            (
                r#"{"error":"Input validation error: `inputs` too long","error_type":"validation"}"#,
                "`inputs` too long",
            ),
            ("plain words", "plain words"),
        ];
        for (body, expected) in cases {
            let error = from_status(
                &caller,
                StatusCode::BAD_REQUEST,
                &HeaderMap::new(),
                body.as_bytes(),
            );
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            assert!(error.to_string().contains(expected), "{body}: {error}");
        }
    }

    #[test]
    fn statuses_map_to_what_the_page_can_act_on() {
        let key = SecretString::from("sk-test-0123456789");
        let caller = caller(&key);
        let cases = [
            (400, 400),
            (401, 401),
            (403, 403),
            (404, 502),
            (408, 504),
            (413, 413),
            (422, 422),
            (424, 502),
            (429, 429),
            (500, 502),
            (502, 502),
            (503, 503),
            (504, 504),
            (302, 502),
        ];
        for (upstream, expected) in cases {
            let status = StatusCode::from_u16(upstream).unwrap();
            let error = from_status(&caller, status, &HeaderMap::new(), b"{}");
            assert_eq!(error.status().as_u16(), expected, "upstream {upstream}");
        }
    }

    #[test]
    fn the_key_is_scrubbed_from_quoted_reasons() {
        let key = SecretString::from("sk-live-123456");
        let caller = caller(&key);
        let body = br#"{"error":{"message":"Incorrect API key provided: sk-live-123456"}}"#;
        let error = from_status(&caller, StatusCode::UNAUTHORIZED, &HeaderMap::new(), body);
        let message = error.to_string();
        assert!(!message.contains("sk-live-123456"), "{message}");
        assert!(message.contains("COHERE_API_KEY"), "{message}");
        assert!(message.contains("[redacted]"), "{message}");
    }

    #[test]
    fn retry_after_is_passed_on_and_milliseconds_are_rounded_up() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("12"));
        assert_eq!(retry_after(&headers).as_deref(), Some("12"));
        let mut headers = HeaderMap::new();
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&headers).as_deref(), Some("2"));
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert!(retry_after(&headers).is_some());
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("soon; please <b>"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn html_error_pages_are_not_quoted() {
        let key = SecretString::from("sk-test-0123456789");
        let error = from_status(
            &caller(&key),
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html><body>nginx</body></html>",
        );
        assert!(!error.to_string().contains("nginx"), "{error}");
    }
}
