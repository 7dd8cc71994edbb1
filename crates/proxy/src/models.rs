//! The model table: the allowlist of models the server offers, each with its public description, its
//! limits and the backend that answers for it. Clients name a model; they never name a URL.

use crate::backends::Backend;
use crate::error::AppError;
use crate::limits::{Gate, ModelLimits};
use crate::tokenizers::SharedTokenizer;
use likely_core::{ModelInfo, ModelList};
use std::sync::{Arc, PoisonError, RwLock};

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
    /// Its tokenizer, when known: the embedded models' GPT-2, or the one its configuration names.
    pub tokenizer: Option<SharedTokenizer>,
}

impl ModelEntry {
    /// An entry whose gate follows `limits`; an embedded model gets its own tokenizer.
    pub fn new(info: ModelInfo, backend: Backend, limits: ModelLimits) -> ModelEntry {
        let tokenizer = match &backend {
            Backend::Embedded(embedded) => Some(embedded.tokenizer().shared()),
            _ => None,
        };
        ModelEntry {
            gate: Gate::new(&limits),
            info,
            backend,
            limits,
            tokenizer,
        }
    }

    /// The entry with this tokenizer.
    pub fn with_tokenizer(mut self, tokenizer: Option<SharedTokenizer>) -> ModelEntry {
        if tokenizer.is_some() {
            self.tokenizer = tokenizer;
        }
        self
    }

    /// Its tokenizer, or 501 saying what to configure.
    pub fn tokenizer(&self) -> Result<&SharedTokenizer, AppError> {
        self.tokenizer.as_ref().ok_or_else(|| {
            AppError::NotImplemented(format!(
                "model `{}` has no tokenizer on this server: give its [[models]] entry `tokenizer = \"gpt2\"` or `tokenizer = \"/path/to/tokenizer.json\"` (Hugging Face's file), or send text",
                self.info.name
            ))
        })
    }
}

/// The models the server offers: the configured ones, in configuration order, then the custom models
/// trained on this server (added and removed while it runs).
#[derive(Debug, Default)]
pub struct ModelTable {
    entries: Vec<Arc<ModelEntry>>,
    custom: RwLock<Vec<Arc<ModelEntry>>>,
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
        Ok(ModelTable {
            entries: entries.into_iter().map(Arc::new).collect(),
            custom: RwLock::default(),
        })
    }

    /// The model of that name.
    pub fn get(&self, name: &str) -> Result<Arc<ModelEntry>, AppError> {
        self.entries
            .iter()
            .find(|entry| entry.info.name == name)
            .cloned()
            .or_else(|| {
                self.custom_entries()
                    .iter()
                    .find(|entry| entry.info.name == name)
                    .cloned()
            })
            .ok_or_else(|| AppError::UnknownModel(name.chars().take(128).collect()))
    }

    /// Whether `name` is one of the configured (not custom) models.
    pub fn is_configured(&self, name: &str) -> bool {
        self.entries.iter().any(|entry| entry.info.name == name)
    }

    /// Adds a custom model; refused when the name is taken.
    pub fn add_custom(&self, entry: ModelEntry) -> Result<(), String> {
        let mut custom = self.custom.write().unwrap_or_else(PoisonError::into_inner);
        let name = &entry.info.name;
        if self.is_configured(name) || custom.iter().any(|e| &e.info.name == name) {
            return Err(format!("a model named `{name}` already exists"));
        }
        custom.push(Arc::new(entry));
        Ok(())
    }

    /// Removes a custom model (requests already answering keep it until they finish).
    pub fn remove_custom(&self, name: &str) -> bool {
        let mut custom = self.custom.write().unwrap_or_else(PoisonError::into_inner);
        let before = custom.len();
        custom.retain(|entry| entry.info.name != name);
        custom.len() < before
    }

    fn custom_entries(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<ModelEntry>>> {
        self.custom.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The public list, as `GET /v1/models` answers it.
    pub fn list(&self) -> ModelList {
        ModelList {
            models: self
                .entries
                .iter()
                .chain(self.custom_entries().iter())
                .map(|entry| entry.info.clone())
                .collect(),
        }
    }
}
