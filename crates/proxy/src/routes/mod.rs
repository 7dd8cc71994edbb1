//! The router: the API under `/v1` and vLLM's dialect (`/tokenize`, `/detokenize`, `/vllm/<model>/…`)
//! behind the optional access token, `/healthz`, the login form,
//! and the built dashboard with a fallback to its `index.html` so that deep links into the
//! single-page app load it.

mod completions;
mod custom_models;
mod dashboard;
mod datasets;
mod generate;
mod generate_batch;
mod health;
mod models;
pub mod refusals;
mod runs;
pub mod shares;
mod tokenize;
pub mod vllm;

pub use generate::answer;

use crate::access::{gate, login};
use crate::error::AppError;
use crate::headers::{add_security_headers, SecurityHeaders};
use crate::hosts::check_host;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post};
use axum::Router;
use likely_store::ShareStore;
use std::sync::Arc;

/// The whole server as one router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/generate", post(generate::generate))
        .route("/generate/batch", post(generate_batch::generate_batch))
        .route("/completions", post(completions::completions))
        .route("/models", get(models::list))
        .route("/capabilities", get(shares::capabilities))
        .route(
            "/shares",
            post(shares::create).layer(DefaultBodyLimit::max(share_body_limit(&state))),
        )
        .route("/shares/{id}", get(shares::open).delete(shares::delete))
        .route(
            "/custom-models",
            get(custom_models::list)
                .post(custom_models::create)
                .layer(DefaultBodyLimit::max(upload_limit(&state))),
        )
        .route(
            "/custom-models/{name}",
            get(custom_models::show).merge(delete(custom_models::delete)),
        )
        .route(
            "/custom-models/{name}/validation",
            get(custom_models::validation),
        )
        .route(
            "/runs",
            get(runs::list)
                .post(runs::create)
                .layer(DefaultBodyLimit::max(run_body_limit(&state))),
        )
        .route("/runs/{id}", get(runs::open).delete(runs::delete))
        .route(
            "/datasets",
            get(datasets::list)
                .post(datasets::create)
                .layer(DefaultBodyLimit::max(dataset_limit(&state))),
        )
        .route("/datasets/{fingerprint}", get(datasets::show))
        .route("/datasets/{fingerprint}/snippets", get(datasets::snippets))
        .fallback(api_not_found);
    let api = match &state.access {
        Some(access) => api.layer(from_fn_with_state(access.clone(), gate::require_access)),
        None => api,
    };
    // vLLM's dialect: the token routes at the root, and one base URL per model.
    let dialect = Router::new()
        .route("/tokenize", post(tokenize::tokenize_root))
        .route("/detokenize", post(tokenize::detokenize_root))
        .route("/tokenizer_info", get(tokenize::tokenizer_info_root))
        .nest(
            vllm::PREFIX,
            Router::new()
                .route("/{model}/v1/completions", post(vllm::completions))
                .route("/{model}/v1/models", get(vllm::models))
                .route("/{model}/tokenize", post(tokenize::tokenize_model))
                .route("/{model}/detokenize", post(tokenize::detokenize_model))
                .route(
                    "/{model}/tokenizer_info",
                    get(tokenize::tokenizer_info_model),
                )
                .fallback(vllm::not_found),
        );
    let dialect = match &state.access {
        Some(access) => dialect.layer(from_fn_with_state(access.clone(), gate::require_access)),
        None => dialect,
    };
    let router = Router::new()
        .nest("/v1", api)
        .merge(dialect)
        .route("/healthz", get(health::healthz))
        .merge(login::router(state.access.clone()));
    let router = match &state.dist_dir {
        Some(dist) => router.fallback_service(dashboard::service(dist)),
        None => router.fallback(api_not_found),
    };
    let security = Arc::new(SecurityHeaders::for_dist(state.dist_dir.as_deref()));
    let router = router
        .layer(from_fn(refusals::json_refusals))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(from_fn_with_state(security, add_security_headers));
    let router = match &state.hosts {
        Some(hosts) => router.layer(from_fn_with_state(Arc::clone(hosts), check_host)),
        None => router,
    };
    router.with_state(state)
}

/// The body limit of `POST /v1/custom-models`.
fn upload_limit(state: &AppState) -> usize {
    state.custom.as_ref().map_or(
        crate::custom::settings::DEFAULT_MAX_UPLOAD_BYTES,
        |custom| custom.settings().max_upload_bytes,
    )
}

/// Snapshots may be larger than Generate requests: the store's cap (plus room for a refusal that
/// names the size), or the ordinary limit without a store.
fn share_body_limit(state: &AppState) -> usize {
    state
        .shares
        .as_ref()
        .map_or(state.max_body_bytes, |shares| {
            usize::try_from(shares.store.config().max_snapshot_bytes)
                .unwrap_or(usize::MAX)
                .saturating_add(1)
        })
}

/// The body limit of `POST /v1/datasets`: the upload limit.
fn dataset_limit(state: &AppState) -> usize {
    state
        .record
        .as_ref()
        .map_or_else(|| upload_limit(state), |record| record.max_dataset_bytes)
}

/// A run carries its snapshot in base64url (4 characters per 3 bytes) beside its figures: the
/// snapshot cap plus a third, and a megabyte for the rest.
fn run_body_limit(state: &AppState) -> usize {
    share_body_limit(state)
        .saturating_mul(4)
        .div_ceil(3)
        .saturating_add(1 << 20)
}

async fn api_not_found() -> AppError {
    AppError::NotFound("no such API endpoint".into())
}
