//! `/v1/datasets`: held-out sets kept for the team, one per fingerprint. `POST` keeps a set (201 the
//! first time, 200 when the same snippets were kept already); `GET` lists them; `GET /{fingerprint}`
//! is the set's leaderboard (every model ever evaluated on it, by its latest average
//! log-likelihood, with a point per run); `GET /{fingerprint}/snippets` gives the snippets back, to
//! evaluate the set again.

use super::runs::{record, unreadable};
use crate::error::AppError;
use crate::record::{dataset_info, store_error};
use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use likely_core::bootstrap::Interval;
use likely_core::evaluation::Snippet;
use likely_core::record::{
    fingerprint, is_fingerprint, leaderboard, DatasetList, DatasetSnippets, KeptDataset,
    Leaderboard, NewDataset, Point, TrendPoint, MAX_DESCRIPTION_CHARS, MAX_SET_NAME_CHARS,
};
use likely_store::{KeepOutcome, RunStore};
use std::time::UNIX_EPOCH;

fn check(new: &NewDataset) -> Result<(), AppError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_SET_NAME_CHARS {
        return Err(AppError::BadRequest(format!(
            "a kept set needs a name of 1 to {MAX_SET_NAME_CHARS} characters"
        )));
    }
    if new
        .description
        .as_deref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        return Err(AppError::BadRequest(format!(
            "the description is longer than {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    if new.snippets.is_empty() || new.snippets.iter().all(|s| s.text.trim().is_empty()) {
        return Err(AppError::BadRequest(
            "a kept set needs at least one snippet".into(),
        ));
    }
    Ok(())
}

fn bad_fingerprint() -> AppError {
    AppError::BadRequest(
        "a set is named by its fingerprint: 64 lower-case hex digits (its snippets' SHA-256)"
            .into(),
    )
}

/// `POST /v1/datasets`.
pub(super) async fn create(
    State(state): State<AppState>,
    body: Result<Json<NewDataset>, JsonRejection>,
) -> Result<(StatusCode, Json<KeptDataset>), AppError> {
    let record = record(&state)?;
    let Json(new) = body.map_err(|rejection| unreadable(&rejection, "held-out set"))?;
    check(&new)?;
    let snippets = serde_json::to_string(&new.snippets)
        .map_err(|e| AppError::Internal(format!("the set could not be written: {e}")))?;
    let outcome = record
        .store
        .keep_dataset(likely_store::NewDataset {
            fingerprint: fingerprint(&new.snippets),
            name: new.name.trim().to_string(),
            description: new.description.filter(|d| !d.trim().is_empty()),
            snippet_count: new.snippets.len() as u64,
            snippets,
        })
        .await
        .map_err(store_error)?;
    let (status, created) = match outcome {
        KeepOutcome::Kept(_) => (StatusCode::CREATED, true),
        KeepOutcome::AlreadyKept(_) => (StatusCode::OK, false),
    };
    Ok((
        status,
        Json(KeptDataset {
            dataset: dataset_info(outcome.meta()),
            created,
        }),
    ))
}

/// `GET /v1/datasets`.
pub(super) async fn list(State(state): State<AppState>) -> Result<Json<DatasetList>, AppError> {
    let record = record(&state)?;
    let kept = record.store.list_datasets().await.map_err(store_error)?;
    Ok(Json(DatasetList {
        datasets: kept.iter().map(dataset_info).collect(),
    }))
}

/// `GET /v1/datasets/{fingerprint}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
) -> Result<Json<Leaderboard>, AppError> {
    let record = record(&state)?;
    if !is_fingerprint(&fingerprint) {
        return Err(bad_fingerprint());
    }
    let (points, kept) = tokio::try_join!(
        record.store.dataset_points(&fingerprint),
        record.store.get_dataset(&fingerprint)
    )
    .map_err(store_error)?;
    if points.is_empty() && kept.is_none() {
        return Err(AppError::NotFound(
            "no run and no kept set has this fingerprint".into(),
        ));
    }
    let runs = {
        let mut ids: Vec<&str> = points.iter().map(|p| p.run_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let points = points
        .into_iter()
        .map(|point| Point {
            model: point.figure.model,
            trend: TrendPoint {
                at_ms: point
                    .created_at
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
                run_id: point.run_id,
                avg_loglik: point.figure.avg_loglik,
                loss: point.figure.loss,
                loss_ci: point
                    .figure
                    .loss_low
                    .zip(point.figure.loss_high)
                    .map(|(low, high)| Interval { low, high }),
            },
        })
        .collect();
    Ok(Json(Leaderboard {
        dataset: kept.as_ref().map(|d| dataset_info(&d.meta)),
        fingerprint,
        runs,
        models: leaderboard(points),
    }))
}

/// `GET /v1/datasets/{fingerprint}/snippets`.
pub(super) async fn snippets(
    State(state): State<AppState>,
    Path(fingerprint): Path<String>,
) -> Result<Json<DatasetSnippets>, AppError> {
    let record = record(&state)?;
    if !is_fingerprint(&fingerprint) {
        return Err(bad_fingerprint());
    }
    let kept = record
        .store
        .get_dataset(&fingerprint)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            AppError::NotFound(
                "no set with this fingerprint is kept on this server (runs on it may be)".into(),
            )
        })?;
    let snippets: Vec<Snippet> = serde_json::from_str(&kept.snippets)
        .map_err(|_| AppError::Internal("this kept set is damaged".into()))?;
    Ok(Json(DatasetSnippets {
        dataset: dataset_info(&kept.meta),
        snippets,
    }))
}
