//! The model table: the allowlist of models the server offers, each with its public description and
//! the backend that answers for it. Clients name a model; they never name a URL.

use crate::backends::Backend;
use crate::error::AppError;
use likely_core::{ModelInfo, ModelList};

/// One configured model.
pub struct ModelEntry {
    /// What `GET /v1/models` says about it (no secrets).
    pub info: ModelInfo,
    /// Who answers for it.
    pub backend: Backend,
}

/// The models the server offers, in configuration order.
#[derive(Default)]
pub struct ModelTable {
    entries: Vec<ModelEntry>,
}

impl ModelTable {
    /// A table of these entries; a later entry with a name already taken is refused.
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
            .ok_or_else(|| AppError::UnknownModel(name.to_string()))
    }

    /// The public list, as `GET /v1/models` answers it.
    pub fn list(&self) -> ModelList {
        ModelList {
            models: self.entries.iter().map(|entry| entry.info.clone()).collect(),
        }
    }
}
