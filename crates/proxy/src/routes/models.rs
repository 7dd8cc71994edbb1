//! `GET /v1/models`: the models the server offers, with no secrets.

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use likely_core::ModelList;

/// Lists the configured models.
pub(crate) async fn list(State(state): State<AppState>) -> Json<ModelList> {
    Json(state.models.list())
}
