//! The only place that talks HTTP: the server's model list, its Generate API (one call, or many in
//! batches: `batch`), its stored share links (`/v1/capabilities`, `/v1/shares`) and the team's record
//! (`record`: runs and kept sets).

pub mod batch;
pub mod record;

use gloo_net::http::{Request, Response};
use likely_core::share_api::{
    Capabilities, CREATED_AT_HEADER, DELETE_TOKEN_HEADER, EXPIRES_AT_HEADER,
};
pub(crate) use likely_core::share_api::{CreatedShare, ShareCapabilities};
use likely_core::snapshot::Scope;
use likely_core::{ApiError, GenerateRequest, GenerateResponse, ModelList};
use serde::de::DeserializeOwned;
use std::fmt;

/// Why a call to the server failed, in words for the page: the status, the message and `Retry-After`,
/// the one failure type the scoring engine's retry policy reads (`ApiFailure::network` when there was
/// no answer).
pub use likely_core::scoring::retry::CallFailure as ApiFailure;

/// The models the server offers.
pub async fn list_models() -> Result<ModelList, ApiFailure> {
    call(Request::get("/v1/models").build()).await
}

/// One Generate call; `abort` cancels it in flight.
pub async fn generate(
    request: &GenerateRequest,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<GenerateResponse, ApiFailure> {
    call(
        Request::post("/v1/generate")
            .abort_signal(abort)
            .json(request),
    )
    .await
}

/// What the server can do beyond scoring: share links, the record.
pub async fn capabilities() -> Result<Capabilities, ApiFailure> {
    call::<Capabilities>(Request::get("/v1/capabilities").build()).await
}

/// The server's share-link capabilities.
pub async fn share_capabilities() -> Result<ShareCapabilities, ApiFailure> {
    Ok(capabilities().await?.shares)
}

/// Keeps `bytes` (a snapshot holding `scope`) on the server, for `expires_in` seconds when given.
pub async fn create_share(
    bytes: &[u8],
    scope: Scope,
    expires_in: Option<u64>,
) -> Result<CreatedShare, ApiFailure> {
    let mut query = vec![("scope", scope.as_str().to_string())];
    if let Some(secs) = expires_in {
        query.push(("expires_in", secs.to_string()));
    }
    let request = Request::post("/v1/shares")
        .query(query)
        .header("content-type", "application/octet-stream")
        .body(js_sys::Uint8Array::from(bytes));
    call(request).await
}

/// A kept snapshot, read back (`GET /v1/shares/{id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSnapshot {
    /// The snapshot bytes.
    pub bytes: Vec<u8>,
    /// When it was kept (RFC 3339).
    pub created_at: Option<String>,
    /// When it expires (RFC 3339), if ever.
    pub expires_at: Option<String>,
}

fn share_url(id: &str) -> String {
    format!("/v1/shares/{}", js_sys::encode_uri_component(id))
}

/// The snapshot kept under `id`.
pub async fn open_share(id: &str) -> Result<StoredSnapshot, ApiFailure> {
    let response = send(Request::get(&share_url(id)).build()).await?;
    let headers = response.headers();
    let created_at = headers.get(CREATED_AT_HEADER);
    let expires_at = headers.get(EXPIRES_AT_HEADER);
    let bytes = response.binary().await.map_err(|error| ApiFailure {
        status: Some(response.status()),
        message: format!("the snapshot could not be read: {error}"),
        retry_after_secs: None,
    })?;
    Ok(StoredSnapshot {
        bytes,
        created_at,
        expires_at,
    })
}

/// Deletes the snapshot kept under `id`, proving authorship with its delete token.
pub async fn delete_share(id: &str, delete_token: &str) -> Result<(), ApiFailure> {
    call_without_answer(
        Request::delete(&share_url(id))
            .header(DELETE_TOKEN_HEADER, delete_token)
            .build(),
    )
    .await
}

/// Sends `request` and reads its JSON answer as `T`, or says why not. Only the parsing is generic: the
/// sending and reading are `answer_text`, one copy in the wasm for every call.
async fn call<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiFailure> {
    let (status, text) = answer_text(request).await?;
    serde_json::from_str(&text).map_err(|error| unreadable(status, &error))
}

/// Sends `request`: the answer's status and text when the server says yes, its failure otherwise.
async fn answer_text(
    request: Result<Request, gloo_net::Error>,
) -> Result<(u16, String), ApiFailure> {
    let response = send(request).await?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|error| unreadable(status, &error))?;
    Ok((status, text))
}

/// Sends `request` whose success has no body to read (a delete): `Ok` when the server says yes, its
/// failure otherwise.
async fn call_without_answer(request: Result<Request, gloo_net::Error>) -> Result<(), ApiFailure> {
    send(request).await.map(drop)
}

/// Sends `request`: its response when the server says yes, its failure otherwise. Every call of
/// this module goes through it.
async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
    let response = request
        .map_err(ApiFailure::network)?
        .send()
        .await
        .map_err(ApiFailure::network)?;
    if response.ok() {
        Ok(response)
    } else {
        Err(read_failure(response).await)
    }
}

fn unreadable(status: u16, error: &dyn fmt::Display) -> ApiFailure {
    ApiFailure {
        status: Some(status),
        message: format!("the server's answer could not be read: {error}"),
        retry_after_secs: None,
    }
}

async fn read_failure(response: Response) -> ApiFailure {
    let status = response.status();
    let retry_after_secs = response
        .headers()
        .get("retry-after")
        .and_then(|value| likely_core::scoring::retry::parse_retry_after(&value));
    let message = match response.json::<ApiError>().await {
        Ok(body) => body.message,
        Err(_) => response.status_text(),
    };
    ApiFailure {
        status: Some(status),
        message,
        retry_after_secs,
    }
}

/// Custom models (`/v1/custom-models`): create, follow, list, read the validation set, delete.
pub mod custom {
    use super::{call, call_without_answer, ApiFailure};
    use gloo_net::http::Request;
    use likely_core::custom_model::{CustomModel, CustomModelList, ValidationSnippets};

    fn path(name: &str) -> String {
        format!("/v1/custom-models/{}", js_sys::encode_uri_component(name))
    }

    /// Starts training: `form` holds `name`, `base`, `train` and maybe `validation`.
    pub async fn create(form: &web_sys::FormData) -> Result<CustomModel, ApiFailure> {
        call(Request::post("/v1/custom-models").body(form.clone())).await
    }

    /// Every custom model, oldest first.
    pub async fn list() -> Result<CustomModelList, ApiFailure> {
        call(Request::get("/v1/custom-models").build()).await
    }

    /// One custom model's record.
    pub async fn get(name: &str) -> Result<CustomModel, ApiFailure> {
        call(Request::get(&path(name)).build()).await
    }

    /// The validation documents of a finished custom model.
    pub async fn validation(name: &str) -> Result<ValidationSnippets, ApiFailure> {
        call(Request::get(&format!("{}/validation", path(name))).build()).await
    }

    /// Deletes a custom model, or cancels its training.
    pub async fn delete(name: &str) -> Result<(), ApiFailure> {
        call_without_answer(Request::delete(&path(name)).build()).await
    }
}
