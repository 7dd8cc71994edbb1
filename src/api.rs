//! The only place that talks HTTP: the server's model list and its Generate API.

use gloo_net::http::{Request, Response};
use likely_core::{ApiError, GenerateRequest, GenerateResponse, ModelList};
use std::fmt;

/// Why a call to the server failed, in words for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What went wrong.
    pub message: String,
    /// Seconds to wait before retrying, when the server said so.
    pub retry_after_secs: Option<f64>,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (HTTP {status})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ApiFailure {
    fn network(error: gloo_net::Error) -> ApiFailure {
        ApiFailure {
            status: None,
            message: format!("the server could not be reached: {error}"),
            retry_after_secs: None,
        }
    }
}

/// The models the server offers.
pub async fn list_models() -> Result<ModelList, ApiFailure> {
    let response = Request::get("/v1/models")
        .send()
        .await
        .map_err(ApiFailure::network)?;
    read_json(response).await
}

/// One Generate call; `abort` cancels it in flight.
pub async fn generate(
    request: &GenerateRequest,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<GenerateResponse, ApiFailure> {
    let response = Request::post("/v1/generate")
        .abort_signal(abort)
        .json(request)
        .map_err(ApiFailure::network)?
        .send()
        .await
        .map_err(ApiFailure::network)?;
    read_json(response).await
}

async fn read_json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    let status = response.status();
    if response.ok() {
        return response.json::<T>().await.map_err(|error| ApiFailure {
            status: Some(status),
            message: format!("the server's answer could not be read: {error}"),
            retry_after_secs: None,
        });
    }
    let retry_after_secs = response
        .headers()
        .get("retry-after")
        .and_then(|value| likely_core::retry::parse_retry_after(&value));
    let message = match response.json::<ApiError>().await {
        Ok(body) => body.message,
        Err(_) => response.status_text(),
    };
    Err(ApiFailure {
        status: Some(status),
        message,
        retry_after_secs,
    })
}
