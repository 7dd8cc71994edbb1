//! The router: the API under `/v1`, `/healthz`, and the built dashboard with a fallback to its
//! `index.html` so that deep links into the single-page app load it.

mod generate;
mod health;
mod models;

use crate::error::AppError;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The whole server as one router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/generate", post(generate::generate))
        .route("/v1/models", get(models::list))
        .route("/healthz", get(health::healthz))
        .fallback_service(axum::routing::any(api_not_found))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    let router = match &state.dist_dir {
        Some(dist) => {
            let index = ServeFile::new(dist.join("index.html"));
            let site = ServeDir::new(dist).fallback(index);
            Router::new()
                .nest("/v1", Router::new().fallback(api_not_found))
                .merge(api)
                .fallback_service(site)
        }
        None => api,
    };
    router.with_state(state)
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API endpoint".into())
}
