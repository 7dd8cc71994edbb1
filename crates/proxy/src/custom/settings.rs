//! Where custom models live and how large they may be.

use std::path::PathBuf;

/// The variable naming the folder of custom models (`--custom-models-dir`).
pub const CUSTOM_MODELS_DIR_ENV: &str = "LIKELY_CUSTOM_MODELS_DIR";

/// Default upload cap: 64 MiB of text is about 16 M GPT-2 tokens of English (≈ 4.2 bytes a token),
/// past the 10 M tokens benchmarked in BENCHMARKS.md, while an upload is held in memory only once.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 64 << 20;
/// Default cap on a custom model's estimated size (its file and its memory once loaded).
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 1 << 30;
/// Estimated model bytes per training token (disk, and memory once loaded), measured (BENCHMARKS.md:
/// 68 bytes a token at 1 M tokens; `custom-base-light` 64), rounded up. Training's peak adds about
/// 3.5 times the model's size on top of the server's memory.
pub const MODEL_BYTES_PER_TOKEN: u64 = 80;
/// The custom-model settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomSettings {
    /// The folder holding one folder per custom model.
    pub dir: PathBuf,
    /// The largest upload (all files and fields of `POST /v1/custom-models`), in bytes (over it: 413).
    pub max_upload_bytes: usize,
    /// The largest estimated model, in bytes (over it, the training is refused).
    pub max_model_bytes: u64,
}

impl CustomSettings {
    /// The defaults in `dir`.
    pub fn in_dir(dir: PathBuf) -> CustomSettings {
        CustomSettings {
            dir,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            max_model_bytes: DEFAULT_MAX_MODEL_BYTES,
        }
    }

    /// The estimated size of a model trained on `tokens` tokens.
    pub fn estimated_model_bytes(tokens: usize) -> u64 {
        tokens as u64 * MODEL_BYTES_PER_TOKEN
    }
}

/// The default folder: `$XDG_DATA_HOME/likely/models`, else `$HOME/.local/share/likely/models`
/// (data, not cache: custom models cannot be rebuilt without their uploads).
pub fn default_dir() -> PathBuf {
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."))
                .join(".local")
                .join("share")
        });
    data_home.join("likely").join("models")
}
