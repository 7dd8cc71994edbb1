//! The record's statements both databases run, written once (parameters `$1`, `$2`, … as in
//! `crate::sql`), and the rules both apply to what they read.

use std::time::SystemTime;

use super::cursor::RunCursor;
use super::types::{DatasetMeta, ModelPoint, RunDeletion, RunFigure, RunPage, RunRow};
use crate::clock::from_unix_ms;
use crate::error::{Result, StoreError};
use crate::token::TokenDigest;

/// Inserts a run: id, created_at_ms, author, dataset_fingerprint, dataset_name, baseline,
/// search_text, document, snapshot_kind, snapshot, delete_token_sha256.
pub(crate) const INSERT_RUN: &str = "INSERT INTO likely_runs \
     (id, created_at_ms, author, dataset_fingerprint, dataset_name, baseline, search_text, document, \
      snapshot_kind, snapshot, delete_token_sha256) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Inserts one model of a run: run_id, model, position, created_at_ms, dataset_fingerprint,
/// avg_loglik, loss, loss_low, loss_high.
pub(crate) const INSERT_MODEL: &str = "INSERT INTO likely_run_models \
     (run_id, model, position, created_at_ms, dataset_fingerprint, avg_loglik, loss, loss_low, \
      loss_high) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// The narrow copy of a run's search text the free-text filter reads (PostgreSQL): run_id,
/// created_at_ms, search_text.
pub(crate) const INSERT_SEARCH: &str =
    "INSERT INTO likely_run_search (run_id, created_at_ms, search_text) VALUES ($1, $2, $3)";

/// Notes a one- or two-character string a run holds (SQLite).
pub(crate) const INSERT_GRAM: &str =
    "INSERT INTO likely_run_grams (gram) VALUES ($1) ON CONFLICT (gram) DO NOTHING";

/// Notes the strings of the sorted array `$1` not noted yet (PostgreSQL: in order, and only the new
/// ones, so concurrent recorders of known strings never wait on each other).
pub(crate) const INSERT_GRAMS: &str = "INSERT INTO likely_run_grams (gram) \
     SELECT g FROM unnest($1::text[]) AS g \
     WHERE NOT EXISTS (SELECT 1 FROM likely_run_grams WHERE gram = g) ORDER BY g \
     ON CONFLICT (gram) DO NOTHING";

/// Whether any run holds the one- or two-character string `$1`.
pub(crate) const HAS_GRAM: &str = "SELECT count(*) FROM likely_run_grams WHERE gram = $1";

/// A run by id: id, created_at_ms, document, snapshot_kind, snapshot.
pub(crate) const GET_RUN: &str =
    "SELECT id, created_at_ms, document, snapshot_kind, snapshot FROM likely_runs WHERE id = $1";

/// A run's delete-token hash.
pub(crate) const RUN_TOKEN: &str = "SELECT delete_token_sha256 FROM likely_runs WHERE id = $1";

/// A run's model rows.
pub(crate) const DELETE_MODELS: &str = "DELETE FROM likely_run_models WHERE run_id = $1";

/// A run.
pub(crate) const DELETE_RUN: &str = "DELETE FROM likely_runs WHERE id = $1";

/// The model rows of runs recorded before `$1`.
pub(crate) const PURGE_MODELS: &str = "DELETE FROM likely_run_models WHERE created_at_ms < $1";

/// The runs recorded before `$1`.
pub(crate) const PURGE_RUNS: &str = "DELETE FROM likely_runs WHERE created_at_ms < $1";

/// A set's points, oldest first: run_id, created_at_ms, model, avg_loglik, loss, loss_low,
/// loss_high.
pub(crate) const POINTS: &str = "SELECT run_id, created_at_ms, model, avg_loglik, loss, loss_low, \
     loss_high FROM likely_run_models WHERE dataset_fingerprint = $1 \
     ORDER BY created_at_ms, run_id, position";

/// The columns of [`POINTS`], in their order.
pub(crate) type PointColumns = (
    String,
    i64,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// A point from the columns of [`POINTS`].
pub(crate) fn point(
    (run_id, created_at_ms, model, avg_loglik, loss, loss_low, loss_high): PointColumns,
) -> ModelPoint {
    ModelPoint {
        run_id,
        created_at: from_unix_ms(created_at_ms),
        figure: RunFigure {
            model,
            avg_loglik,
            loss,
            loss_low,
            loss_high,
        },
    }
}

/// Keeps a set unless its fingerprint is kept: fingerprint, name, description, snippet_count,
/// size_bytes, snippets, created_at_ms.
pub(crate) const KEEP_DATASET: &str = "INSERT INTO likely_datasets \
     (fingerprint, name, description, snippet_count, size_bytes, snippets, created_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (fingerprint) DO NOTHING";

macro_rules! dataset_meta {
    () => {
        "SELECT fingerprint, name, description, snippet_count, size_bytes, created_at_ms"
    };
}

/// Every kept set's metadata (the columns of [`meta`]), newest first.
pub(crate) const LIST_DATASETS: &str = concat!(
    dataset_meta!(),
    " FROM likely_datasets ORDER BY created_at_ms DESC, fingerprint"
);

/// One kept set's metadata.
pub(crate) const DATASET_META: &str = concat!(
    dataset_meta!(),
    " FROM likely_datasets WHERE fingerprint = $1"
);

/// One kept set: its metadata, then its snippets.
pub(crate) const GET_DATASET: &str = concat!(
    dataset_meta!(),
    ", snippets FROM likely_datasets WHERE fingerprint = $1"
);

/// The first columns of [`DATASET_META`], [`LIST_DATASETS`] and [`GET_DATASET`], in their order:
/// a kept set's metadata.
pub(crate) type MetaColumns = (String, String, Option<String>, i64, i64, i64);

/// A kept set's metadata from its columns.
pub(crate) fn meta(
    (fingerprint, name, description, snippet_count, size_bytes, created_at_ms): MetaColumns,
) -> Result<DatasetMeta> {
    let count = |value: i64, what: &str| {
        u64::try_from(value).map_err(|_| {
            StoreError::Corrupt(format!("kept set {fingerprint} has a negative {what}"))
        })
    };
    Ok(DatasetMeta {
        snippet_count: count(snippet_count, "snippet count")?,
        size_bytes: count(size_bytes, "size")?,
        created_at: from_unix_ms(created_at_ms),
        fingerprint,
        name,
        description,
    })
}

/// What deleting a run answers, given its stored token hash (`None`: no such run) and the token
/// presented (`None`: already authorised).
pub(crate) fn deletion(stored: Option<Vec<u8>>, token: Option<&str>) -> Result<RunDeletion> {
    let Some(stored) = stored else {
        return Ok(RunDeletion::NotFound);
    };
    let Some(token) = token else {
        return Ok(RunDeletion::Deleted);
    };
    let stored = TokenDigest::from_stored(&stored)
        .ok_or_else(|| StoreError::Corrupt("a run's delete token hash is not 32 bytes".into()))?;
    Ok(if TokenDigest::of(token).matches(&stored) {
        RunDeletion::Deleted
    } else {
        RunDeletion::WrongToken
    })
}

/// The time `ms` was, for a row.
pub(crate) fn at(ms: i64) -> SystemTime {
    from_unix_ms(ms)
}

/// A page of `size` runs from `rows` (which hold one more when another page follows).
pub(crate) fn page(mut rows: Vec<(String, i64, String)>, size: usize) -> RunPage {
    let more = rows.len() > size;
    rows.truncate(size);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|(id, created_at_ms, _)| RunCursor {
            created_at_ms: *created_at_ms,
            id: id.clone(),
        });
    RunPage {
        runs: rows
            .into_iter()
            .map(|(id, created_at_ms, document)| RunRow {
                id,
                created_at: at(created_at_ms),
                document,
            })
            .collect(),
        next,
    }
}
