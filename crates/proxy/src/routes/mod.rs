//! The router: the API under `/v1` (behind the optional access token), `/healthz`, the login form,
//! and the built dashboard with a fallback to its `index.html` so that deep links into the
//! single-page app load it.

mod generate;
mod health;
mod models;
pub mod shares;

use crate::auth;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use likely_store::ShareStore;
use tower_http::services::{ServeDir, ServeFile};

/// The whole server as one router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/generate", post(generate::generate))
        .route("/models", get(models::list))
        .route("/capabilities", get(shares::capabilities))
        .route(
            "/shares",
            post(shares::create).layer(DefaultBodyLimit::max(share_body_limit(&state))),
        )
        .route("/shares/{id}", get(shares::open).delete(shares::delete))
        .fallback(api_not_found)
        .layer(from_fn_with_state(state.clone(), auth::require_access));
    let router = Router::new()
        .nest("/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout));
    let router = match &state.dist_dir {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"));
            router.fallback_service(ServeDir::new(dist).fallback(index))
        }
        None => router.fallback(api_not_found),
    };
    router
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .with_state(state)
}

/// Snapshots may be larger than Generate requests: the store's cap (plus room for a refusal that
/// names the size), or the ordinary limit without a store.
fn share_body_limit(state: &AppState) -> usize {
    state.shares.as_ref().map_or(state.max_body_bytes, |shares| {
        usize::try_from(shares.store.config().max_snapshot_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
    })
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API endpoint".into())
}
