//! One upstream endpoint: a fixed URL from the configuration, the key, and HTTP clients with
//! timeouts. Requests go to that URL and nowhere else: nothing in a client's request can change it,
//! redirects are not followed, and no proxy from the environment is used.
//!
//! The client is hyper-util's pooled client with rustls (certificates checked by the platform's
//! verifier, as reqwest does) rather than reqwest: reqwest's redirect, retry and URL layers cost
//! about 25 µs a request here, more than the rest of the proxy's own work (BENCHMARKS.md, "Proxy
//! overhead"). Each thread has its own client (and so its own pool of upstream connections): a
//! request is sent on a connection whose task runs on the request's own thread, without a hand-off
//! between threads (the server serves each connection on one thread, see [`crate::serve`]).

use super::upstream_error::{self, Caller};
use crate::config::ConfigError;
use crate::error::AppError;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use hyper::{HeaderMap, Request, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use reqwest::Url;
use rustls_platform_verifier::ConfigVerifierExt;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use thread_local::ThreadLocal;

/// The `User-Agent` of every upstream request.
const AGENT: &str = concat!("likely/", env!("CARGO_PKG_VERSION"));

/// A pooled HTTP/1 and HTTP/2 client, `https` or `http`.
type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A key and the variable it was read from (which messages may name).
#[derive(Clone)]
pub struct ApiKey {
    /// The environment variable's name.
    pub variable: String,
    /// The key.
    pub value: SecretString,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({}: [redacted])", self.variable)
    }
}

/// Timeouts and sizes of one upstream's client.
#[derive(Debug, Clone, Copy)]
pub struct ClientSettings {
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for a whole exchange.
    pub timeout: Duration,
    /// The largest answer read.
    pub max_answer_bytes: usize,
}

/// One model's upstream endpoint.
#[derive(Clone)]
pub struct Upstream {
    model: String,
    endpoint: Uri,
    /// `Bearer <key>`, marked sensitive (hyper keeps it out of its Debug output).
    authorization: Option<HeaderValue>,
    key: Option<ApiKey>,
    clients: Arc<ThreadLocal<HttpClient>>,
    settings: ClientSettings,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("model", &self.model)
            .field("endpoint", &self.endpoint)
            .field("key", &self.key)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// `base` with `path` appended, e.g. `https://api.cohere.com` + `v1/generate`. A base that already
/// ends in `/v1` (as OpenAI-style base URLs often do) does not get a second one.
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let base_path = base.path().trim_end_matches('/');
    let path = match path.strip_prefix("v1/") {
        Some(rest) if base_path.ends_with("/v1") => rest,
        _ => path,
    };
    url.set_path(&format!("{base_path}/{path}"));
    url
}

/// Makes ring the process's TLS crypto provider (rustls is built without a default one). Idempotent.
pub fn install_crypto_provider() {
    // `Err` means a provider is already installed, which is the goal.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An HTTP client with `settings`' connect timeout and the platform's certificate verifier.
fn http_client(settings: &ClientSettings) -> Result<HttpClient, rustls::Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false); // the TLS layer above takes `https` URLs
    http.set_connect_timeout(Some(settings.connect_timeout));
    http.set_nodelay(true);
    let tls = rustls::ClientConfig::with_platform_verifier()?;
    let connector = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_all_versions()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .timer(TokioTimer::new())
        .pool_timer(TokioTimer::new())
        .build(connector))
}

impl Upstream {
    /// An upstream for model `model` at `endpoint`.
    pub fn new(
        model: &str,
        endpoint: Url,
        key: Option<ApiKey>,
        settings: ClientSettings,
    ) -> Result<Upstream, ConfigError> {
        install_crypto_provider();
        let invalid = |what: String| ConfigError::Invalid(format!("model `{model}`: {what}"));
        let client = http_client(&settings)
            .map_err(|error| invalid(format!("cannot set up an HTTP client ({error})")))?;
        let uri: Uri = endpoint
            .as_str()
            .parse()
            .map_err(|error| invalid(format!("`{endpoint}` is not a URL to call ({error})")))?;
        let authorization = match &key {
            Some(key) => {
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", key.value.expose_secret()))
                        .map_err(|_| {
                            invalid(format!(
                                "the key in {} is not valid in an HTTP header",
                                key.variable
                            ))
                        })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let clients = ThreadLocal::new();
        // This thread's client is the one just checked.
        let _ = clients.get_or(|| client);
        Ok(Upstream {
            model: model.to_string(),
            endpoint: uri,
            authorization,
            key,
            clients: Arc::new(clients),
            settings,
        })
    }

    /// This thread's HTTP client (built on first use; building cannot fail where it did not at start).
    fn client(&self) -> Result<&HttpClient, AppError> {
        self.clients
            .get_or_try(|| http_client(&self.settings))
            .map_err(|error| {
                AppError::BadGateway(format!(
                    "model `{}`: cannot set up an HTTP client ({error})",
                    self.model
                ))
            })
    }

    /// The model's public name.
    pub fn model(&self) -> &str {
        &self.model
    }

    fn caller(&self) -> Caller<'_> {
        Caller {
            model: &self.model,
            key_variable: self.key.as_ref().map(|key| key.variable.as_str()),
            key: self.key.as_ref().map(|key| &key.value),
        }
    }

    /// POSTs `body` as JSON and reads a successful answer as `T`; any failure becomes the
    /// [`upstream_error`] answer. `dialect` names the expected answer in messages. The whole
    /// exchange, the answer's body included, has the settings' timeout.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        body: &B,
        dialect: &str,
    ) -> Result<T, AppError> {
        let caller = self.caller();
        let exchange = self.exchange(&caller, body);
        let (status, headers, body) = match tokio::time::timeout(self.settings.timeout, exchange)
            .await
        {
            Ok(answer) => answer?,
            Err(_elapsed) => return Err(upstream_error::timed_out(&caller, self.settings.timeout)),
        };
        if !status.is_success() {
            return Err(upstream_error::from_status(
                &caller, status, &headers, &body,
            ));
        }
        serde_json::from_slice(&body).map_err(|error| {
            AppError::BadGateway(caller.scrub(&format!(
                "model `{}`: the upstream's answer is not a valid {dialect} answer ({error})",
                self.model
            )))
        })
    }

    /// Sends the request and reads the answer's status, its headers (only for an error answer:
    /// `Retry-After`; no copy on the success path) and its body, at most `max_answer_bytes`.
    async fn exchange<B: Serialize>(
        &self,
        caller: &Caller<'_>,
        body: &B,
    ) -> Result<(hyper::StatusCode, HeaderMap, Bytes), AppError> {
        let json = serde_json::to_vec(body).map_err(|error| {
            AppError::Internal(format!("cannot write the upstream request ({error})"))
        })?;
        let mut request = Request::post(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, AGENT)
            .body(Full::new(Bytes::from(json)))
            .map_err(|error| {
                AppError::Internal(format!("cannot build the upstream request ({error})"))
            })?;
        if let Some(authorization) = &self.authorization {
            request
                .headers_mut()
                .insert(AUTHORIZATION, authorization.clone());
        }
        let response =
            self.client()?.request(request).await.map_err(|error| {
                upstream_error::from_transport(caller, &error, error.is_connect())
            })?;
        let status = response.status();
        let too_large = || {
            AppError::BadGateway(format!(
                "model `{}`: the upstream's answer is larger than {} bytes",
                self.model, self.settings.max_answer_bytes
            ))
        };
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.settings.max_answer_bytes as u64) {
            return Err(too_large());
        }
        let (parts, body) = response.into_parts();
        let headers = if status.is_success() {
            HeaderMap::new()
        } else {
            parts.headers
        };
        let body = Limited::new(body, self.settings.max_answer_bytes)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<LengthLimitError>() {
                    too_large()
                } else {
                    upstream_error::from_transport(caller, error.as_ref(), false)
                }
            })?
            .to_bytes();
        Ok((status, headers, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn endpoints_append_the_path_once() {
        let cases = [
            (
                "https://api.cohere.com",
                "v1/generate",
                "https://api.cohere.com/v1/generate",
            ),
            (
                "https://api.cohere.com/",
                "v1/generate",
                "https://api.cohere.com/v1/generate",
            ),
            (
                "http://127.0.0.1:8000/v1",
                "v1/completions",
                "http://127.0.0.1:8000/v1/completions",
            ),
            (
                "https://api.fireworks.ai/inference",
                "v1/completions",
                "https://api.fireworks.ai/inference/v1/completions",
            ),
            ("http://tgi:8080", "generate", "http://tgi:8080/generate"),
        ];
        for (base, path, expected) in cases {
            assert_eq!(endpoint(&url(base), path).as_str(), expected);
        }
    }

    #[test]
    fn a_key_s_debug_output_is_redacted() {
        let key = ApiKey {
            variable: "COHERE_API_KEY".into(),
            value: SecretString::from("sk-very-secret"),
        };
        let shown = format!("{key:?}");
        assert!(shown.contains("COHERE_API_KEY"));
        assert!(!shown.contains("sk-very-secret"));
    }
}
