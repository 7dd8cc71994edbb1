//! Where `likely eval` sends its Generate calls: in-process to the model table the server would
//! build (through the same [`crate::routes::answer`] as `POST /v1/generate`, so limits and
//! validation are the same), or over HTTP to a running `likely serve` (`--server`), with the access
//! token as a bearer token when one is given.

use super::failure::CallFailure;
use crate::routes::answer;
use crate::state::AppState;
use likely_core::{ApiError, GenerateRequest, GenerateResponse, ModelList};
use reqwest::{RequestBuilder, Response, Url};
use secrecy::{ExposeSecret, SecretString};

/// A running server and how to reach it.
#[derive(Clone)]
pub struct Server {
    /// The server's origin, e.g. `http://127.0.0.1:8080`.
    pub base: Url,
    /// `LIKELY_ACCESS_TOKEN`, sent as `Authorization: Bearer`.
    pub token: Option<SecretString>,
    /// The HTTP client.
    pub client: reqwest::Client,
}

impl Server {
    /// A client of the server at `base` (http or https).
    pub fn new(base: Url, token: Option<SecretString>) -> Result<Server, reqwest::Error> {
        crate::backends::upstream::install_crypto_provider();
        let client = reqwest::Client::builder().build()?;
        Ok(Server {
            base,
            token,
            client,
        })
    }

    /// `{base}/{path}` (path without a leading slash).
    pub fn url(&self, path: &str) -> Url {
        crate::backends::upstream::endpoint(&self.base, path)
    }

    /// `builder` with the access token when there is one.
    pub fn authorised(&self, builder: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => builder.bearer_auth(token.expose_secret()),
            None => builder,
        }
    }
}

/// Where Generate calls go.
#[derive(Clone)]
pub enum Scorer {
    /// The model table in this process.
    InProcess(AppState),
    /// A running `likely serve`.
    Server(Server),
}

impl Scorer {
    /// The models offered, as `GET /v1/models` lists them.
    pub async fn models(&self) -> Result<ModelList, CallFailure> {
        match self {
            Scorer::InProcess(state) => Ok(state.models.list()),
            Scorer::Server(server) => {
                let request = server.authorised(server.client.get(server.url("v1/models")));
                read_json(request.send().await.map_err(unreachable)?).await
            }
        }
    }

    /// One Generate call.
    pub async fn generate(
        &self,
        request: GenerateRequest,
    ) -> Result<GenerateResponse, CallFailure> {
        match self {
            Scorer::InProcess(state) => answer(state, request).await.map_err(CallFailure::from),
            Scorer::Server(server) => {
                let builder = server.client.post(server.url("v1/generate")).json(&request);
                let response = server
                    .authorised(builder)
                    .send()
                    .await
                    .map_err(unreachable)?;
                read_json(response).await
            }
        }
    }
}

/// The failure of a request that got no answer.
pub fn unreachable(error: reqwest::Error) -> CallFailure {
    CallFailure::network(error)
}

/// The body of a successful answer, or the failure the server described (`{"message"}`).
pub async fn read_json<T: serde::de::DeserializeOwned>(
    response: Response,
) -> Result<T, CallFailure> {
    let status = response.status();
    if status.is_success() {
        return response.json::<T>().await.map_err(|error| CallFailure {
            status: Some(status.as_u16()),
            message: format!("the server's answer could not be read: {error}"),
            retry_after_secs: None,
        });
    }
    let retry_after_secs = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(likely_core::scoring::retry::parse_retry_after);
    let message = match response.json::<ApiError>().await {
        Ok(body) => body.message,
        Err(_) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    Err(CallFailure {
        status: Some(status.as_u16()),
        message,
        retry_after_secs,
    })
}
