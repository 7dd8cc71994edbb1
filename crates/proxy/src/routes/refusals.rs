//! Every refusal on an API path is JSON. Handlers answer their own errors as JSON already; this
//! layer catches what the framework answers by itself (405 for a wrong method, a path or query it
//! could not read) and, on a path under an API prefix that no route owns, the page's `index.html`
//! that the single-page app's fallback would serve: tools probing such paths (`GET /tokenizer_info`)
//! must get a JSON 404, never HTML.
//!
//! The shape follows the path's dialect: OpenAI's `{"error": {"message", "type", "code"}}` on the
//! vLLM-style routes (`/vllm/…`, `/v1/completions`, `/tokenize`, `/detokenize`, `/tokenizer_info`),
//! the project's `{"message"}` elsewhere.

use crate::completions::ErrorBody;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use likely_core::ApiError;

/// The prefixes the API owns; the page owns every other path.
const API_PREFIXES: [&str; 5] = [
    "/v1",
    "/vllm",
    "/tokenize",
    "/detokenize",
    "/tokenizer_info",
];
/// The paths whose errors are OpenAI's shape.
const OPENAI_PREFIXES: [&str; 5] = [
    "/vllm",
    "/v1/completions",
    "/tokenize",
    "/detokenize",
    "/tokenizer_info",
];
/// The most of a framework refusal's text kept as its message.
const MAX_MESSAGE_BYTES: usize = 4096;

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether `path` belongs to the API rather than the page.
pub fn is_api_path(path: &str) -> bool {
    API_PREFIXES.iter().any(|prefix| under(path, prefix))
}

/// Makes the refusals on API paths JSON (see the module documentation).
pub(super) async fn json_refusals(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if !is_api_path(&path) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let status = response.status();
    if status.is_success() && content_type.starts_with("text/html") {
        return refusal(
            &path,
            StatusCode::NOT_FOUND,
            "no such API endpoint".into(),
            Response::new(Body::empty()),
        );
    }
    if status.is_success()
        || status.is_redirection()
        || content_type.starts_with("application/json")
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_MESSAGE_BYTES)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let message = match (text.is_empty(), status) {
        (false, _) => text,
        (true, StatusCode::METHOD_NOT_ALLOWED) => {
            "this endpoint does not answer that method; see the `Allow` header".to_string()
        }
        (true, _) => status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string(),
    };
    refusal(
        &path,
        status,
        message,
        Response::from_parts(parts, Body::empty()),
    )
}

/// A JSON refusal with `status` and `message`, keeping `original`'s other headers (`Allow`, …).
fn refusal(path: &str, status: StatusCode, message: String, original: Response) -> Response {
    tracing::debug!(%status, path, error = %message, "request refused");
    let body = if OPENAI_PREFIXES.iter().any(|prefix| under(path, prefix)) {
        Json(ErrorBody::new(status.as_u16(), message)).into_response()
    } else {
        Json(ApiError { message }).into_response()
    };
    let (mut parts, _) = original.into_parts();
    let (json_parts, body) = body.into_parts();
    parts.status = status;
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &json_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_prefixes_match_whole_segments() {
        for path in [
            "/v1",
            "/v1/x",
            "/tokenizer_info",
            "/vllm/m/tokenize",
            "/tokenize",
        ] {
            assert!(is_api_path(path), "{path}");
        }
        for path in [
            "/",
            "/v1x",
            "/tokenizers",
            "/models/a",
            "/playground",
            "/customize",
        ] {
            assert!(!is_api_path(path), "{path}");
        }
    }
}
