//! `/v1/shares`: stored share links. `POST` keeps an immutable snapshot (the page's encoded
//! evaluation, checked before it is kept) and answers its link and delete token; `GET /{id}` gives the
//! snapshot back; `DELETE /{id}` with the delete token removes it, leaving a tombstone so that the
//! link says it was deleted. `GET /v1/capabilities` tells the page whether links can be stored.

use crate::error::AppError;
use crate::shares::Shares;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use likely_core::share_api::{
    Capabilities, CreatedShare, ShareCapabilities, CREATED_AT_HEADER, DELETE_TOKEN_HEADER,
    EXPIRES_AT_HEADER, SCOPE_HEADER, SHARE_PATH_PREFIX,
};
use likely_store::{Deletion, Lookup, NewSnapshot, ShareStore, StoreError};
use serde::Deserialize;
use std::time::{Duration, SystemTime};

const CREATED_AT: HeaderName = HeaderName::from_static(CREATED_AT_HEADER);
const EXPIRES_AT: HeaderName = HeaderName::from_static(EXPIRES_AT_HEADER);
const SCOPE: HeaderName = HeaderName::from_static(SCOPE_HEADER);

/// `GET /v1/capabilities`.
pub async fn capabilities(State(state): State<AppState>) -> Json<Capabilities> {
    let shares = match &state.shares {
        Some(shares) => ShareCapabilities {
            stored: true,
            max_snapshot_bytes: Some(shares.store.config().max_snapshot_bytes),
            max_expiry_secs: shares.max_expiry.map(|d| d.as_secs()),
        },
        None => ShareCapabilities {
            stored: false,
            max_snapshot_bytes: None,
            max_expiry_secs: None,
        },
    };
    let record = state
        .record
        .as_ref()
        .map(|record| likely_core::record::RecordCapabilities {
            mode: record.mode,
            max_dataset_bytes: Some(state.custom.as_ref().map_or(
                crate::custom::settings::DEFAULT_MAX_UPLOAD_BYTES,
                |custom| custom.settings().max_upload_bytes,
            ) as u64),
            access_control: state.access.is_some(),
        });
    Json(Capabilities { shares, record })
}

/// `POST /v1/shares` query: `scope` (`everything` | `figures`, as the snapshot says) and
/// `expires_in` (seconds; absent: the server's default).
#[derive(Debug, Deserialize)]
pub struct CreateQuery {
    /// What the snapshot holds.
    pub scope: String,
    /// Seconds until the link expires.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

fn shares(state: &AppState) -> Result<&Shares, AppError> {
    state.shares.as_ref().ok_or_else(|| {
        AppError::NotFound(
            "this server keeps no share links (started with --store none); share with a link that \
             carries the evaluation instead"
                .into(),
        )
    })
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// `POST /v1/shares`: keeps the snapshot in the body.
pub async fn create(
    State(state): State<AppState>,
    Query(query): Query<CreateQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedShare>), AppError> {
    let shares = shares(&state)?;
    let max = shares.store.config().max_snapshot_bytes;
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(None, max),
        _ => AppError::BadRequest(format!("the snapshot could not be read: {rejection}")),
    })?;
    if body.len() as u64 > max {
        return Err(too_large(Some(body.len() as u64), max));
    }
    let summary = likely_core::snapshot::inspect(&body)
        .map_err(|e| AppError::Unprocessable(format!("this snapshot cannot be kept: {e}")))?;
    if summary.scope.as_str() != query.scope {
        return Err(AppError::BadRequest(format!(
            "the link was asked for with scope `{}` but the snapshot holds `{}`",
            query.scope,
            summary.scope.as_str()
        )));
    }
    let expiry = shares
        .expiry(query.expires_in.map(Duration::from_secs))
        .map_err(AppError::BadRequest)?;
    let expires_at = match expiry {
        Some(after) => Some(
            SystemTime::now()
                .checked_add(after)
                .ok_or_else(|| AppError::BadRequest("that expiry is too far away".into()))?,
        ),
        None => None,
    };
    let saved = shares
        .store
        .save(NewSnapshot {
            kind: query.scope,
            bytes: body.to_vec(),
            expires_at,
        })
        .await
        .map_err(store_error)?;
    let path = format!("{SHARE_PATH_PREFIX}{}", saved.id);
    tracing::info!(size = saved.meta.size_bytes, scope = %saved.meta.kind, "share link kept");
    Ok((
        StatusCode::CREATED,
        Json(CreatedShare {
            url: format!("{}{path}", origin(&headers)),
            path,
            id: saved.id.to_string(),
            delete_token: saved.delete_token.expose().to_string(),
            created_at: rfc3339(saved.meta.created_at),
            expires_at: saved.meta.expires_at.map(rfc3339),
            scope: saved.meta.kind,
            size_bytes: saved.meta.size_bytes,
        }),
    ))
}

/// `GET /v1/shares/{id}`: the snapshot's bytes, its times and scope in `likely-*` headers.
pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let shares = shares(&state)?;
    match shares.store.get(&id).await.map_err(store_error)? {
        Lookup::Found(snapshot) => {
            let mut response = (
                [(header::CONTENT_TYPE, "application/octet-stream")],
                snapshot.bytes,
            )
                .into_response();
            let headers = response.headers_mut();
            let mut set = |name: HeaderName, value: String| {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            };
            set(CREATED_AT, rfc3339(snapshot.meta.created_at));
            if let Some(expires_at) = snapshot.meta.expires_at {
                set(EXPIRES_AT, rfc3339(expires_at));
            }
            set(SCOPE, snapshot.meta.kind);
            Ok(response)
        }
        Lookup::NotFound => Err(AppError::NotFound(
            "there is no shared evaluation at this link; check that it was copied whole".into(),
        )),
        Lookup::Deleted { deleted_at } => Err(AppError::Gone(format!(
            "this shared evaluation was deleted by its author on {}",
            rfc3339(deleted_at)
        ))),
        Lookup::Expired { expired_at } => Err(AppError::Gone(format!(
            "this shared evaluation expired on {}",
            rfc3339(expired_at)
        ))),
    }
}

/// `DELETE /v1/shares/{id}` with the `likely-delete-token` header.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let shares = shares(&state)?;
    let token = headers
        .get(DELETE_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "send the link's delete token in the `{DELETE_TOKEN_HEADER}` header"
            ))
        })?;
    match shares.store.delete(&id, token).await.map_err(store_error)? {
        Deletion::Deleted => {
            tracing::info!("share link deleted");
            Ok(StatusCode::NO_CONTENT)
        }
        Deletion::AlreadyDeleted => Err(AppError::Gone(
            "this shared evaluation was already deleted".into(),
        )),
        Deletion::WrongToken => Err(AppError::Forbidden(
            "that delete token does not belong to this link".into(),
        )),
        Deletion::NotFound => Err(AppError::NotFound(
            "there is no shared evaluation at this link".into(),
        )),
    }
}

/// The refusal of a snapshot of `size` bytes (`None`: larger than the body limit, size unknown).
fn too_large(size: Option<u64>, max: u64) -> AppError {
    let size = match size {
        Some(size) => format!("{} KB", size.div_ceil(1024)),
        None => format!("over {} KB", max / 1024),
    };
    AppError::PayloadTooLarge(format!(
        "this evaluation's snapshot is {size}; this server keeps snapshots of at most {} KB. Share \
         figures only, or fewer snippets",
        max / 1024
    ))
}

fn store_error(error: StoreError) -> AppError {
    match error {
        StoreError::TooLarge {
            size_bytes,
            max_bytes,
        } => too_large(Some(size_bytes), max_bytes),
        StoreError::InvalidKind { .. } => {
            AppError::BadRequest("`scope` must be `everything` or `figures`".into())
        }
        // Database errors can quote SQL: logged, never sent.
        other => {
            tracing::error!(error = %other, "the share store failed");
            AppError::Internal("the share store failed; try again".into())
        }
    }
}

/// `http://host` of the request (the `Host` header the server accepted).
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
