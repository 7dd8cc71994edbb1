//! The `/v1` middleware: passes a request whose one credential ([`Credential`]) is the token or its
//! session value; answers 401 otherwise, or 429 while the client is over its failure budget
//! ([`Failures`]), without checking anything. Failures are logged at `warn` with the client's
//! address, never the credential.

use super::credential::Credential;
use super::failures::Failures;
use super::session::is_session;
use super::token::AccessToken;
use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Access control: the token and the failures per client.
#[derive(Clone, Debug)]
pub struct Access {
    token: AccessToken,
    failures: Arc<Failures>,
}

impl Access {
    /// Access control with `token`.
    pub fn new(token: AccessToken) -> Access {
        Access {
            token,
            failures: Arc::new(Failures::default()),
        }
    }

    /// The token.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Checks one attempt of `client`: `Ok` when `proves` says the credential is right; a 429 while
    /// the client is over budget (nothing is checked then), else a 401 counted as a failure.
    pub fn attempt(
        &self,
        client: IpAddr,
        what: &str,
        proves: impl FnOnce(&AccessToken) -> bool,
    ) -> Result<(), AppError> {
        if let Some(wait) = self.failures.wait(client) {
            tracing::warn!(%client, "access attempt refused: too many failures");
            return Err(too_many(wait));
        }
        if proves(&self.token) {
            return Ok(());
        }
        tracing::warn!(%client, credential = what, "access token rejected");
        match self.failures.record(client) {
            Some(wait) => Err(too_many(wait)),
            None => Err(AppError::AccessRequired),
        }
    }
}

fn too_many(wait: Duration) -> AppError {
    AppError::RateLimited {
        message: "too many wrong access tokens from this address; wait and try again".into(),
        retry_after: Some(wait.as_secs().max(1).to_string()),
    }
}

/// The client's address (unspecified when the server runs without connection info, as in
/// in-process tests). Behind a reverse proxy every client has the proxy's address.
pub fn client_of(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// The client's address as an extractor.
pub struct Client(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Client, Self::Rejection> {
        Ok(Client(client_of(&parts.extensions)))
    }
}

/// Middleware for `/v1`.
pub async fn require_access(
    State(access): State<Access>,
    request: Request,
    next: Next,
) -> Response {
    let client = client_of(request.extensions());
    let checked = match Credential::of(request.headers()) {
        Credential::Missing => Err(AppError::AccessRequired),
        Credential::Malformed => access.attempt(client, "malformed", |_| false),
        Credential::Bearer(token) => access.attempt(client, "bearer", |t| t.matches(&token)),
        Credential::Session(value) => access.attempt(client, "cookie", |t| is_session(t, &value)),
    };
    match checked {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}
