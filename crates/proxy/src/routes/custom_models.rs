//! `/v1/custom-models`: train a model from an uploaded file, follow its training, read its validation
//! documents, cancel or delete it (the API is documented in ARCHITECTURE.md). The work is done by
//! [`crate::custom::CustomModels`]; this module reads the multipart form and answers.

use crate::custom::{CustomModels, Submission};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use likely_core::dataset::parse_file;
use likely_core::{CustomModel, CustomModelList, ValidationSnippets};
use std::sync::Arc;

/// The longest file name kept (in descriptions), in characters.
const MAX_FILE_NAME_CHARS: usize = 128;

fn registry(state: &AppState) -> Result<&Arc<CustomModels>, AppError> {
    state.custom.as_ref().ok_or_else(|| {
        AppError::NotFound(
            "custom models are not available on this server (it serves no embedded base model)"
                .into(),
        )
    })
}

/// An uploaded file.
struct Upload {
    file: String,
    bytes: Vec<u8>,
}

/// The form's fields as sent.
#[derive(Default)]
struct Form {
    name: Option<String>,
    base: Option<String>,
    train: Option<Upload>,
    validation: Option<Upload>,
}

fn multipart_error(error: &MultipartError, limit: usize) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(format!(
            "the upload is larger than this server's limit of {} MiB",
            limit >> 20
        ))
    } else {
        AppError::BadRequest(format!("invalid multipart form: {}", error.body_text()))
    }
}

/// The base name of an uploaded file (no folders), shortened.
fn file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars().take(MAX_FILE_NAME_CHARS).collect()
}

async fn read_form(mut multipart: Multipart, limit: usize) -> Result<Form, AppError> {
    let mut form = Form::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        let field_name = field.name().unwrap_or_default().to_string();
        let file = field.file_name().map(file_name);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| multipart_error(&e, limit))?;
        let text = || {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::BadRequest(format!("the field `{field_name}` is not UTF-8 text"))
            })
        };
        match field_name.as_str() {
            "name" => form.name = Some(text()?.trim().to_string()),
            "base" => form.base = Some(text()?.trim().to_string()),
            "train" | "validation" => {
                let upload = match file {
                    Some(file) if !file.is_empty() => Upload {
                        file,
                        bytes: bytes.to_vec(),
                    },
                    // A browser sends an empty part for a file input left empty.
                    _ if bytes.is_empty() => continue,
                    _ => {
                        return Err(AppError::BadRequest(format!(
                            "the field `{field_name}` must be a file with its name (.txt, .jsonl or .csv)"
                        )))
                    }
                };
                if field_name == "train" {
                    form.train = Some(upload);
                } else {
                    form.validation = Some(upload);
                }
            }
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown field `{}`; the fields are name, base, train and validation",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    Ok(form)
}

fn documents(upload: &Upload) -> Result<Vec<String>, AppError> {
    parse_file(&upload.file, &upload.bytes)
        .map(|snippets| snippets.into_iter().map(|s| s.text).collect())
        .map_err(|e| AppError::Unprocessable(e.to_string()))
}

/// `POST /v1/custom-models`: queues a training (202 with its record).
pub async fn create(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let custom = Arc::clone(registry(&state)?);
    let multipart = multipart.map_err(|_| {
        AppError::UnsupportedMediaType(
            "send the model as a multipart/form-data form with the fields name, base, train and validation"
                .into(),
        )
    })?;
    let form = read_form(multipart, custom.settings().max_upload_bytes).await?;
    let missing = |field: &str| AppError::BadRequest(format!("the field `{field}` is missing"));
    let name = form.name.ok_or_else(|| missing("name"))?;
    let base = form.base.ok_or_else(|| missing("base"))?;
    let train = form.train.ok_or_else(|| missing("train"))?;
    custom.check_new(&name, &base)?;
    let validation = form.validation;
    let record = tokio::task::spawn_blocking(move || {
        let submission = Submission {
            train: documents(&train)?,
            validation: validation.as_ref().map(documents).transpose()?,
            train_file: train.file,
            name,
            base,
        };
        custom.submit(submission)
    })
    .await
    .map_err(|_| AppError::Internal("reading the upload stopped unexpectedly".into()))??;
    let mut response = (StatusCode::ACCEPTED, Json(&record)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/custom-models/{}", record.name)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /v1/custom-models`.
pub async fn list(State(state): State<AppState>) -> Result<Json<CustomModelList>, AppError> {
    Ok(Json(registry(&state)?.list()))
}

/// `GET /v1/custom-models/{name}`.
pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<CustomModel>, AppError> {
    registry(&state)?.get(&name).map(Json)
}

/// `GET /v1/custom-models/{name}/validation`.
pub async fn validation(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ValidationSnippets>, AppError> {
    registry(&state)?.validation(&name).map(Json)
}

/// `DELETE /v1/custom-models/{name}`: 200 with the record of a cancelled training, 204 when a model
/// was deleted.
pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let custom = Arc::clone(registry(&state)?);
    let outcome = tokio::task::spawn_blocking(move || custom.delete(&name))
        .await
        .map_err(|_| AppError::Internal("deleting stopped unexpectedly".into()))??;
    Ok(match outcome {
        Some(record) => Json(record).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}
