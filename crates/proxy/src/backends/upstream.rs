//! One upstream endpoint: a fixed URL from the configuration, the key, and an HTTP client with
//! timeouts. Requests go to that URL and nowhere else: nothing in a client's request can change it,
//! redirects are not followed, and no proxy from the environment is used.

use super::upstream_error::{self, Caller};
use crate::config::ConfigError;
use crate::error::AppError;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

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
#[derive(Debug, Clone)]
pub struct Upstream {
    model: String,
    endpoint: Url,
    key: Option<ApiKey>,
    client: reqwest::Client,
    settings: ClientSettings,
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

/// Makes ring the process's TLS crypto provider (reqwest is built without one). Idempotent.
pub fn install_crypto_provider() {
    // `Err` means a provider is already installed, which is the goal.
    let _ = rustls::crypto::ring::default_provider().install_default();
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
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("likely/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                ConfigError::Invalid(format!(
                    "model `{model}`: cannot set up an HTTP client ({error})"
                ))
            })?;
        Ok(Upstream {
            model: model.to_string(),
            endpoint,
            key,
            client,
            settings,
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
    /// [`upstream_error`] answer. `dialect` names the expected answer in messages.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        body: &B,
        dialect: &str,
    ) -> Result<T, AppError> {
        let caller = self.caller();
        let mut request = self.client.post(self.endpoint.clone()).json(body);
        if let Some(key) = &self.key {
            // reqwest marks this header sensitive, so it is redacted from its Debug output too.
            request = request.bearer_auth(key.value.expose_secret());
        }
        let transport = |error: reqwest::Error| {
            upstream_error::from_transport(&caller, &error, self.settings.timeout)
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        // Only an error answer's headers are read (`Retry-After`): no copy on the success path.
        let headers = if status.is_success() {
            reqwest::header::HeaderMap::new()
        } else {
            response.headers().clone()
        };
        let too_large = || {
            AppError::BadGateway(format!(
                "model `{}`: the upstream's answer is larger than {} bytes",
                self.model, self.settings.max_answer_bytes
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.settings.max_answer_bytes as u64)
        {
            return Err(too_large());
        }
        let expected = response.content_length().unwrap_or(0) as usize;
        let mut body = Vec::with_capacity(expected.min(self.settings.max_answer_bytes));
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > self.settings.max_answer_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
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
