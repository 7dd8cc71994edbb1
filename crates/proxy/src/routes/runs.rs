//! `/v1/runs`: the team's record of finished evaluations. `POST` checks a run against its snapshot
//! (`likely_core::record::check_run`), keeps what `--record` allows of the snapshot and answers the
//! run's id and delete token; `GET` lists runs newest first, 50 at a time, by keyset (`before`),
//! filtered by `model`, `dataset`, `author` and free text `q`; `GET /{id}` gives a run back with its
//! snapshot, to open as a share link opens; `DELETE /{id}` needs the access token (when the server has
//! one) or the run's delete token.

use crate::error::AppError;
use crate::record::{new_store_run, rfc3339, store_error, summary_of, Record};
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use likely_core::record::{
    check_run, CreatedRun, NewRun, RecordMode, RunDetail, RunList, RunRejection, MAX_FILTER_CHARS,
    MAX_RUNS_PAGE, RUN_PATH_PREFIX,
};
use likely_core::share_api::DELETE_TOKEN_HEADER;
use likely_core::snapshot::{encode, to_fragment, Scope};
use likely_store::{RunCursor, RunDeletion, RunFilter, RunStore};
use std::collections::HashMap;
use std::time::SystemTime;

/// The record, or why this server has none.
pub(super) fn record(state: &AppState) -> Result<&Record, AppError> {
    state.record.as_ref().ok_or_else(|| {
        AppError::NotFound("this server keeps no record of runs (started with --store none)".into())
    })
}

/// A JSON body that could not be read: 413 over the limit, 400 otherwise.
pub(super) fn unreadable(rejection: &JsonRejection, what: &str) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
            "this {what} is larger than this server accepts; send fewer or shorter snippets"
        )),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(format!(
            "send the {what} as JSON with `Content-Type: application/json`"
        )),
        _ => AppError::BadRequest(format!(
            "this {what} could not be read: {}",
            rejection.body_text()
        )),
    }
}

/// `POST /v1/runs`.
pub(super) async fn create(
    State(state): State<AppState>,
    body: Result<Json<NewRun>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedRun>), AppError> {
    let record = record(&state)?;
    if record.mode == RecordMode::Off {
        return Err(AppError::Forbidden(
            "this server does not record runs (started with --record off)".into(),
        ));
    }
    let Json(new) = body.map_err(|rejection| unreadable(&rejection, "run"))?;
    // The check recomputes the figures (a bootstrap): off the async threads.
    let checked = tokio::task::spawn_blocking(move || check_run(new))
        .await
        .map_err(|_| AppError::Internal("checking the run stopped".into()))?
        .map_err(|rejection| match rejection {
            RunRejection::Invalid(message) => AppError::BadRequest(message),
            RunRejection::Mismatch(message) => AppError::Unprocessable(message),
        })?;
    let mut document = checked.document;
    // What the page did not say about a model, this server's table does.
    let offered = state.models.list().models;
    for model in &mut document.models {
        if let Some(info) = offered.iter().find(|info| info.name == model.name) {
            model.backend.get_or_insert_with(|| info.backend.clone());
            if model.description.is_none() {
                model.description.clone_from(&info.description);
            }
        }
    }
    // With `figures` the texts never reach the database, whatever the page sent.
    let scope = match record.mode {
        RecordMode::Everything => checked.scope,
        _ => Scope::Figures,
    };
    let bytes = encode(&checked.evaluation, scope)
        .map_err(|e| AppError::Internal(format!("the run's snapshot could not be kept: {e}")))?;
    let row = new_store_run(&document, Some((bytes, scope.as_str())), SystemTime::now())
        .map_err(|e| AppError::Internal(format!("the run could not be written: {e}")))?;
    let saved = record.store.record_run(row).await.map_err(store_error)?;
    tracing::info!(run = %saved.id, scope = scope.as_str(), "run recorded");
    let recorded = match scope {
        Scope::Everything => RecordMode::Everything,
        Scope::Figures => RecordMode::Figures,
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedRun {
            path: format!("{RUN_PATH_PREFIX}{}", saved.id),
            delete_token: saved.delete_token.expose().to_string(),
            created_at: rfc3339(saved.created_at),
            id: saved.id,
            recorded,
        }),
    ))
}

/// The filter of `GET /v1/runs`'s query; a malformed value is a 400 naming it.
pub(super) fn filter_of(query: &HashMap<String, String>) -> Result<RunFilter, AppError> {
    let text = |name: &str| -> Result<Option<String>, AppError> {
        match query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            Some(value) if value.chars().count() > MAX_FILTER_CHARS => Err(AppError::BadRequest(
                format!("`{name}` is longer than {MAX_FILTER_CHARS} characters"),
            )),
            Some(value) => Ok(Some(value.to_string())),
            None => Ok(None),
        }
    };
    let dataset = text("dataset")?;
    if let Some(dataset) = &dataset {
        if !likely_core::record::is_fingerprint(dataset) {
            return Err(AppError::BadRequest(
                "`dataset` must be a set's fingerprint: 64 lower-case hex digits".into(),
            ));
        }
    }
    let before = match text("before")? {
        Some(before) => Some(
            before
                .parse::<RunCursor>()
                .map_err(|e| AppError::BadRequest(format!("`before`: {e}")))?,
        ),
        None => None,
    };
    let limit = match text("limit")? {
        Some(limit) => match limit.parse::<usize>() {
            Ok(n) if (1..=MAX_RUNS_PAGE).contains(&n) => n,
            _ => {
                return Err(AppError::BadRequest(format!(
                    "`limit` must be a whole number from 1 to {MAX_RUNS_PAGE}"
                )))
            }
        },
        None => 0,
    };
    Ok(RunFilter {
        model: text("model")?,
        dataset,
        author: text("author")?,
        text: text("q")?,
        before,
        limit,
    })
}

/// `GET /v1/runs`.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<RunList>, AppError> {
    let record = record(&state)?;
    let Query(query) =
        query.map_err(|e| AppError::BadRequest(format!("the filters could not be read: {e}")))?;
    let filter = filter_of(&query)?;
    let page = record.store.list_runs(filter).await.map_err(store_error)?;
    Ok(Json(RunList {
        runs: page
            .runs
            .iter()
            .filter_map(summary_of)
            .map(|(summary, _)| summary)
            .collect(),
        next: page.next.map(|cursor| cursor.to_string()),
    }))
}

fn unknown_run() -> AppError {
    AppError::NotFound(
        "there is no run with this id: it was deleted, purged after the server's retention, or the \
         link was not copied whole"
            .into(),
    )
}

/// `GET /v1/runs/{id}`.
pub(super) async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunDetail>, AppError> {
    let record = record(&state)?;
    let stored = record
        .store
        .get_run(&id)
        .await
        .map_err(store_error)?
        .ok_or_else(unknown_run)?;
    let (_, document) = summary_of(&stored.row)
        .ok_or_else(|| AppError::Internal("this run's record is damaged".into()))?;
    Ok(Json(RunDetail {
        id: stored.row.id,
        created_at: rfc3339(stored.row.created_at),
        document,
        snapshot_scope: stored.snapshot_kind,
        snapshot: stored.snapshot.as_deref().map(to_fragment),
    }))
}

/// `DELETE /v1/runs/{id}`: with access control on, a request that passed the gate holds the access
/// token; otherwise the run's delete token must come in the `likely-delete-token` header.
pub(super) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let record = record(&state)?;
    let token = headers
        .get(DELETE_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok());
    let token = match (token, state.access.is_some()) {
        (Some(token), false) => Some(token),
        (_, true) => None,
        (None, false) => {
            return Err(AppError::Forbidden(format!(
                "deleting a run needs its delete token (the `{DELETE_TOKEN_HEADER}` header, kept \
                 by the browser that recorded it) or the server's access token"
            )))
        }
    };
    match record
        .store
        .delete_run(&id, token)
        .await
        .map_err(store_error)?
    {
        RunDeletion::Deleted => {
            tracing::info!(run = %id, "run deleted");
            Ok(StatusCode::NO_CONTENT)
        }
        RunDeletion::NotFound => Err(unknown_run()),
        RunDeletion::WrongToken => Err(AppError::Forbidden(
            "that delete token does not belong to this run".into(),
        )),
    }
}
