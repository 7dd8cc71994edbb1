//! Between the wire and the store: a checked run becomes a store row (its per-model figures, the
//! text the free-text filter searches, its JSON document), a stored document becomes a row of
//! `/runs`, a kept set's metadata becomes its wire form.

use super::rfc3339;
use likely_core::compare::Verdict;
use likely_core::record::{
    CustomSummary, DatasetInfo, ModelRole, RunDocument, RunSummary, DATASET_PATH_PREFIX,
};
use likely_core::Metric;
use likely_store::{DatasetMeta, NewRun, RunFigure, RunRow};
use std::time::SystemTime;

/// The store row of a run made of `document`, keeping `snapshot` (holding `scope`) when given.
pub fn new_store_run(
    document: &RunDocument,
    snapshot: Option<(Vec<u8>, &str)>,
    created_at: SystemTime,
) -> Result<NewRun, serde_json::Error> {
    let models = document
        .figures
        .iter()
        .map(|figure| RunFigure {
            model: figure.model.clone(),
            avg_loglik: figure.avg_loglik.filter(|v| v.is_finite()),
            loss: figure.loss.filter(|v| v.is_finite()),
            loss_low: figure.loss_ci.map(|ci| ci.low).filter(|v| v.is_finite()),
            loss_high: figure.loss_ci.map(|ci| ci.high).filter(|v| v.is_finite()),
        })
        .collect();
    let mut search = Vec::new();
    for model in &document.models {
        search.push(model.name.as_str());
        search.extend(model.backend.as_deref());
        search.extend(model.upstream_model.as_deref());
    }
    search.extend(document.author.as_deref());
    search.extend(document.dataset.name.as_deref());
    let (snapshot, kind) = match snapshot {
        Some((bytes, kind)) => (Some(bytes), Some(kind.to_string())),
        None => (None, None),
    };
    Ok(NewRun {
        created_at,
        author: document.author.clone(),
        dataset_fingerprint: document.dataset.fingerprint.clone(),
        dataset_name: document.dataset.name.clone(),
        baseline: baseline_name(document),
        models,
        search_text: search.join("\n"),
        document: serde_json::to_string(document)?,
        snapshot_kind: kind,
        snapshot,
    })
}

/// The `/runs` row of a stored run, or `None` (logged) when its document does not read.
pub fn summary_of(row: &RunRow) -> Option<(RunSummary, RunDocument)> {
    let document: RunDocument = match serde_json::from_str(&row.document) {
        Ok(document) => document,
        Err(error) => {
            tracing::error!(run = %row.id, %error, "a stored run's document does not read");
            return None;
        }
    };
    let pill = |custom: &str, metric: Metric| {
        document
            .comparisons
            .iter()
            .find(|c| c.custom == custom && c.metric == metric.key())
            .map_or((None, Verdict::Undetermined), |c| (c.delta, c.verdict))
    };
    let customs = document
        .models
        .iter()
        .filter(|m| m.role == ModelRole::Custom)
        .map(|m| {
            let (delta_loss, loss_verdict) = pill(&m.name, Metric::Loss);
            let (delta_accuracy, accuracy_verdict) = pill(&m.name, Metric::Accuracy);
            CustomSummary {
                model: m.name.clone(),
                delta_loss,
                loss_verdict,
                delta_accuracy,
                accuracy_verdict,
            }
        })
        .collect();
    let summary = RunSummary {
        id: row.id.clone(),
        created_at: rfc3339(row.created_at),
        author: document.author.clone(),
        dataset: document.dataset.clone(),
        baseline: baseline_name(&document),
        customs,
    };
    Some((summary, document))
}

/// The name of the run's baseline model (empty when the document has none).
fn baseline_name(document: &RunDocument) -> String {
    document
        .models
        .iter()
        .find(|m| m.role == ModelRole::Baseline)
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// A kept set's wire form.
pub fn dataset_info(meta: &DatasetMeta) -> DatasetInfo {
    DatasetInfo {
        fingerprint: meta.fingerprint.clone(),
        name: meta.name.clone(),
        description: meta.description.clone(),
        snippets: meta.snippet_count,
        size_bytes: meta.size_bytes,
        created_at: rfc3339(meta.created_at),
        path: format!("{DATASET_PATH_PREFIX}{}", meta.fingerprint),
    }
}
