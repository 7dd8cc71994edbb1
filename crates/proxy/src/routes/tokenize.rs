//! vLLM's token routes: `POST /tokenize` and `POST /detokenize` at the root (the body names the
//! `model`) and under each model's base URL (`/vllm/<model>/tokenize`, `/detokenize`,
//! `/tokenizer_info`). They use the model's tokenizer ([`crate::tokenizers`]; 501 without one),
//! within the model's limits: its prompt length, its id count and its concurrency gate, on the
//! blocking pool. Errors are OpenAI's shape, as vLLM's are.

use super::completions::OpenAiError;
use super::generate::rejected;
use crate::error::AppError;
use crate::models::ModelEntry;
use crate::state::AppState;
use crate::tokenizers::wire::{
    ids, DetokenizeRequest, DetokenizeResponse, TokenizeRequest, TokenizeResponse, TokenizerInfo,
};
use crate::tokenizers::{first_unknown, SharedTokenizer};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::Json;
use std::sync::Arc;

/// `POST /tokenize` with a `model`.
pub(super) async fn tokenize_root(
    State(state): State<AppState>,
    body: Result<Json<TokenizeRequest>, JsonRejection>,
) -> Result<Json<TokenizeResponse>, OpenAiError> {
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a tokenize"))?;
    let entry = named(&state, request.model.as_deref())?;
    Ok(Json(tokenize(&entry, request).await?))
}

/// `POST /detokenize` with a `model`.
pub(super) async fn detokenize_root(
    State(state): State<AppState>,
    body: Result<Json<DetokenizeRequest>, JsonRejection>,
) -> Result<Json<DetokenizeResponse>, OpenAiError> {
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a detokenize"))?;
    let entry = named(&state, request.model.as_deref())?;
    Ok(Json(detokenize(&entry, &request).await?))
}

/// `GET /tokenizer_info` at the root: which model's? A JSON 404 that says where to ask.
pub(super) async fn tokenizer_info_root() -> OpenAiError {
    OpenAiError::from(AppError::NotFound(
        "name the model: GET /vllm/<model>/tokenizer_info (GET /v1/models lists the models)".into(),
    ))
}

/// `POST /vllm/<model>/tokenize`.
pub(super) async fn tokenize_model(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
    body: Result<Json<TokenizeRequest>, JsonRejection>,
) -> Result<Json<TokenizeResponse>, OpenAiError> {
    let entry = served(&state, model)?;
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a tokenize"))?;
    same_model(&entry, request.model.as_deref())?;
    Ok(Json(tokenize(&entry, request).await?))
}

/// `POST /vllm/<model>/detokenize`.
pub(super) async fn detokenize_model(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
    body: Result<Json<DetokenizeRequest>, JsonRejection>,
) -> Result<Json<DetokenizeResponse>, OpenAiError> {
    let entry = served(&state, model)?;
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a detokenize"))?;
    same_model(&entry, request.model.as_deref())?;
    Ok(Json(detokenize(&entry, &request).await?))
}

/// `GET /vllm/<model>/tokenizer_info`.
pub(super) async fn tokenizer_info_model(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
) -> Result<Json<TokenizerInfo>, OpenAiError> {
    let entry = served(&state, model)?;
    let tokenizer = entry.tokenizer()?;
    let specials = tokenizer.specials();
    Ok(Json(TokenizerInfo {
        tokenizer_class: tokenizer.name().to_string(),
        model: entry.info.name.clone(),
        eos_token: specials.eos,
        bos_token: specials.bos,
        pad_token: specials.pad,
        model_max_length: max_model_len(&entry, tokenizer),
        vocab_size: tokenizer.vocab_size(),
    }))
}

/// The model a per-model route serves (404 for an unknown one).
pub(super) fn served(
    state: &AppState,
    model: Result<Path<String>, PathRejection>,
) -> Result<Arc<ModelEntry>, AppError> {
    let Path(model) = model.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    state.models.get(&model)
}

/// Refuses a body naming another model than the base URL serves.
pub(super) fn same_model(entry: &ModelEntry, named: Option<&str>) -> Result<(), AppError> {
    match named.filter(|name| !name.is_empty()) {
        Some(name) if name != entry.info.name => Err(AppError::BadRequest(format!(
            "this base URL serves model `{}`; the request names `{}`",
            entry.info.name,
            name.chars().take(128).collect::<String>()
        ))),
        _ => Ok(()),
    }
}

fn named(state: &AppState, model: Option<&str>) -> Result<Arc<ModelEntry>, AppError> {
    match model.filter(|name| !name.trim().is_empty()) {
        Some(name) => state.models.get(name),
        None => Err(AppError::BadRequest(
            "`model` is required here (or use the model's own base URL, /vllm/<model>/…)".into(),
        )),
    }
}

/// The model's longest sequence: its configured context, else its tokenizer's.
fn max_model_len(entry: &ModelEntry, tokenizer: &SharedTokenizer) -> Option<u64> {
    entry
        .info
        .context_length
        .map(u64::from)
        .or(tokenizer.max_len().map(|len| len as u64))
}

/// Runs `work` with the model's tokenizer on the blocking pool, holding one of the model's slots.
async fn with_tokenizer<T: Send + 'static>(
    entry: &ModelEntry,
    work: impl FnOnce(&SharedTokenizer) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let tokenizer = Arc::clone(entry.tokenizer()?);
    let permit = entry.gate.enter(&entry.info.name).await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&tokenizer)
    })
    .await
    .map_err(|_| AppError::Internal("the tokenizer stopped unexpectedly".into()))?
}

async fn tokenize(
    entry: &ModelEntry,
    request: TokenizeRequest,
) -> Result<TokenizeResponse, AppError> {
    entry.tokenizer()?;
    entry
        .limits
        .check_prompt(&entry.info.name, &request.prompt)?;
    let name = entry.info.name.clone();
    let tokens = with_tokenizer(entry, move |tokenizer| {
        tokenizer
            .encode(&request.prompt, request.add_special_tokens)
            .map_err(|error| AppError::BadRequest(format!("model `{name}`: {error}")))
    })
    .await?;
    let max_model_len = entry
        .tokenizer
        .as_ref()
        .and_then(|tokenizer| max_model_len(entry, tokenizer));
    Ok(TokenizeResponse {
        count: tokens.len(),
        max_model_len,
        tokens,
    })
}

async fn detokenize(
    entry: &ModelEntry,
    request: &DetokenizeRequest,
) -> Result<DetokenizeResponse, AppError> {
    let tokenizer = entry.tokenizer()?;
    let name = entry.info.name.clone();
    let ids = ids(&request.tokens, "tokens").map_err(AppError::BadRequest)?;
    let most = entry.limits.max_prompt_chars;
    if ids.len() > most {
        return Err(AppError::BadRequest(format!(
            "`tokens` holds {} ids; model `{name}` accepts at most {most}",
            ids.len()
        )));
    }
    if let Some((position, id)) = first_unknown(tokenizer.as_ref(), &ids) {
        return Err(AppError::BadRequest(format!(
            "token id {id} (`tokens[{position}]`) is outside model `{name}`'s vocabulary of {} ids",
            tokenizer.vocab_size()
        )));
    }
    let prompt = with_tokenizer(entry, move |tokenizer| {
        tokenizer
            .decode(&ids)
            .map_err(|error| AppError::BadRequest(format!("model `{name}`: {error}")))
    })
    .await?;
    Ok(DetokenizeResponse { prompt })
}
