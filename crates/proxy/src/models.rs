//! The model table: the allowlist of models the server offers, each with its public description, its
//! limits and the backend that answers for it. Clients name a model; they never name a URL.

use crate::backends::Backend;
use crate::error::AppError;
use crate::limits::{Gate, ModelLimits};
use likely_core::{ModelInfo, ModelList};

/// One configured model.
#[derive(Debug)]
pub struct ModelEntry {
    /// What `GET /v1/models` says about it (no secrets, no URLs).
    pub info: ModelInfo,
    /// Who answers for it.
    pub backend: Backend,
    /// Its prompt, time and concurrency limits.
    pub limits: ModelLimits,
    /// Lets `limits.max_concurrent` requests through at once.
    pub gate: Gate,
}

impl ModelEntry {
    /// An entry whose gate follows `limits`.
    pub fn new(info: ModelInfo, backend: Backend, limits: ModelLimits) -> ModelEntry {
        ModelEntry {
            gate: Gate::new(&limits),
            info,
            backend,
            limits,
        }
    }
}

/// The models the server offers, in configuration order.
#[derive(Debug, Default)]
pub struct ModelTable {
    entries: Vec<ModelEntry>,
}

impl ModelTable {
    /// A table of these entries; a name used twice is refused.
    pub fn new(entries: Vec<ModelEntry>) -> Result<ModelTable, String> {
        let mut seen = std::collections::HashSet::new();
        for entry in &entries {
            if !seen.insert(entry.info.name.clone()) {
                return Err(format!("model `{}` is configured twice", entry.info.name));
            }
        }
        Ok(ModelTable { entries })
    }

    /// The model of that name.
    pub fn get(&self, name: &str) -> Result<&ModelEntry, AppError> {
        self.entries
            .iter()
            .find(|entry| entry.info.name == name)
            .ok_or_else(|| AppError::UnknownModel(name.chars().take(128).collect()))
    }

    /// The public list, as `GET /v1/models` answers it.
    pub fn list(&self) -> ModelList {
        ModelList {
            models: self
                .entries
                .iter()
                .map(|entry| entry.info.clone())
                .collect(),
        }
    }
}
