//! Custom models on disk, one folder each under the custom-models folder:
//!
//! ```text
//! <dir>/<name>/model.lkm         the in-domain n-gram model (likely-ngram's format; its weight = λ)
//! <dir>/<name>/custom.json       the model's record (`likely_core::CustomModel`, status done)
//! <dir>/<name>/validation.json   its validation documents (`likely_core::ValidationSnippets`)
//! <dir>/.tmp-*                   a model being written or deleted
//! ```
//!
//! A model is written into a `.tmp-` folder, every file and the folder synced, then renamed to its
//! name and the parent synced: after a crash the model is either complete or absent. Leftover `.tmp-`
//! folders are removed at start-up.

use likely_core::{CustomModel, ValidationSnippets};
use likely_ngram::storage::{self, ModelMeta};
use likely_ngram::{KnModel, NgramError};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const MODEL_FILE: &str = "model.lkm";
const RECORD_FILE: &str = "custom.json";
const VALIDATION_FILE: &str = "validation.json";
const TEMP_PREFIX: &str = ".tmp-";

/// A failure reading or writing custom models.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or folder operation failed (a full disk shows here: [`NgramError::Io`], the action
    /// and the path with the reason), or the model file could not be written or read.
    #[error(transparent)]
    Model(#[from] NgramError),
    /// The training thread could not be started.
    #[error("cannot start the training thread: {0}")]
    Thread(std::io::Error),
    /// A JSON file is not what it should be.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| NgramError::io(action, path, source).into()
}

/// A model read back from disk.
pub struct StoredModel {
    /// Its record.
    pub record: CustomModel,
    /// The in-domain model (its weight is `record.lambda`).
    pub domain: KnModel,
    /// Its validation documents.
    pub validation: ValidationSnippets,
}

/// A model written in full under a temporary name, not yet visible.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    /// Size of the model file, in bytes.
    pub model_bytes: u64,
}

fn unique_temp(dir: &Path, what: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{TEMP_PREFIX}{what}-{}-{n}", std::process::id()))
}

fn sync_path(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io("syncing", path))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    fs::write(path, bytes).map_err(io("writing", path))?;
    sync_path(path)
}

fn to_json<T: serde::Serialize>(value: &T, path: &Path) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(value).map_err(|e| StoreError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Writes a model's files into a new temporary folder of `dir`, all synced. `record.size_bytes` is
/// set to the model file's size.
pub fn stage(
    dir: &Path,
    record: &mut CustomModel,
    domain: &KnModel,
    lambda: f64,
    validation: &ValidationSnippets,
) -> Result<Staged, StoreError> {
    fs::create_dir_all(dir).map_err(io("creating", dir))?;
    let temp = unique_temp(dir, &record.name);
    fs::create_dir(&temp).map_err(io("creating", &temp))?;
    let mut staged = Staged {
        path: temp,
        model_bytes: 0,
    };
    // From here a failure removes the temporary folder (Drop of `Staged`).
    let model_path = staged.path.join(MODEL_FILE);
    let model_bytes = storage::save(
        &model_path,
        domain,
        &ModelMeta {
            fingerprint: 0,
            weight: lambda,
        },
    )?;
    sync_path(&model_path)?;
    record.size_bytes = Some(model_bytes);
    let validation_path = staged.path.join(VALIDATION_FILE);
    write_synced(&validation_path, &to_json(validation, &validation_path)?)?;
    let record_path = staged.path.join(RECORD_FILE);
    write_synced(&record_path, &to_json(record, &record_path)?)?;
    sync_path(&staged.path)?;
    staged.model_bytes = model_bytes;
    Ok(staged)
}

impl Staged {
    /// The model as saved (quantized, memory-mapped): what serves it, so that its first answers are
    /// the ones it gives after every restart. The mapping survives the folder's rename.
    pub fn saved_model(&self) -> Result<KnModel, StoreError> {
        Ok(storage::load(&self.path.join(MODEL_FILE))?.0)
    }

    /// Makes the staged model visible as `<dir>/<name>` (an atomic rename, the parent synced).
    pub fn commit(mut self, dir: &Path, name: &str) -> Result<(), StoreError> {
        let target = dir.join(name);
        fs::rename(&self.path, &target).map_err(io("renaming into", &target))?;
        self.path = PathBuf::new();
        sync_path(dir)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Removes a stored model: renamed out of sight first (atomic), then deleted.
pub fn remove(dir: &Path, name: &str) -> Result<(), StoreError> {
    let path = dir.join(name);
    let doomed = unique_temp(dir, &format!("deleted-{name}"));
    fs::rename(&path, &doomed).map_err(io("removing", &path))?;
    sync_path(dir)?;
    fs::remove_dir_all(&doomed).map_err(io("removing", &doomed))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StoreError> {
    let bytes = fs::read(path).map_err(io("reading", path))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn load_one(path: &Path) -> Result<StoredModel, StoreError> {
    let record: CustomModel = read_json(&path.join(RECORD_FILE))?;
    let validation: ValidationSnippets = read_json(&path.join(VALIDATION_FILE))?;
    let (domain, _) = storage::load(&path.join(MODEL_FILE))?;
    Ok(StoredModel {
        record,
        domain,
        validation,
    })
}

/// Every stored model of `dir` (oldest first), after removing leftover temporary folders; a folder
/// that cannot be read is reported in the second list and left alone.
pub fn load_all(dir: &Path) -> Result<(Vec<StoredModel>, Vec<StoreError>), StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(io("reading", dir)(e)),
    };
    let mut models = Vec::new();
    let mut problems = Vec::new();
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    paths.sort();
    for path in paths {
        let leftover = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        if leftover {
            fs::remove_dir_all(&path).map_err(io("removing", &path))?;
            continue;
        }
        match load_one(&path) {
            Ok(model) => models.push(model),
            Err(e) => problems.push(e),
        }
    }
    models.sort_by(|a, b| {
        (a.record.created_at, &a.record.name).cmp(&(b.record.created_at, &b.record.name))
    });
    Ok((models, problems))
}
