//! [`Model`]: the loaded network (shared behind an `Arc`), its scoring window, and the passes the
//! scoring and sampling modules build on: log-probability rows for every position of a text scored
//! in overlapping windows, and a KV-cached [`Session`] for generation.
//!
//! Windows: a forward pass sees at most [`DEFAULT_WINDOW`] (1,024) positions. Attention costs grow
//! with the square of the window (time, and a score matrix per query chunk); at 1,024 the attention
//! adds about a fifth to the matmuls of the layers, at 2,048 about half, while SmolLM2's loss barely
//! improves past a few hundred tokens of context. A text longer than one window is scored in
//! windows that overlap by [`DEFAULT_OVERLAP`] (256) tokens. Every window is `<|endoftext|>` followed
//! by a slice of the text: the first scores its 1,023 tokens; each later one repeats the 256 tokens
//! before the first token it scores, so every token is scored with at least 256 tokens of context
//! (the first window's tokens with all the text before them), and the score of a token is exactly
//! its score as the last token of `<|endoftext|>` + its window's slice up to it.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use candle_core::Tensor;

use crate::batch::{Batcher, PassCounts};
use crate::config::Config;
use crate::error::LmError;
use crate::forward::KvCache;
use crate::tokenizer::{LmTokenizer, EOS};
use crate::weights::Weights;

/// Positions in one forward pass (scoring windows and the generation context).
pub const DEFAULT_WINDOW: usize = 1024;
/// Tokens of context each later scoring window repeats from the one before.
pub const DEFAULT_OVERLAP: usize = 256;
/// Positions projected onto the vocabulary at once (bounds the logits buffer to 64 × 49,152 floats).
const LOGIT_ROWS: usize = 64;
/// Sessions kept for [`Model::next_distribution`] to continue (concurrent requests each find theirs).
const KEPT_SESSIONS: usize = 4;
/// Most positions the kept sessions hold together (their KV caches: 46 KB a position, so about
/// 94 MB); the oldest are dropped first.
const KEPT_POSITIONS: usize = 2_048;

/// SmolLM2 (or any llama-architecture GGUF with a GPT-2-style tokenizer). Cloning is cheap: clones
/// share the weights (about 0.1 GB, quantized).
#[derive(Debug, Clone)]
pub struct Model {
    weights: Arc<Weights>,
    /// The scoring windows queued for the network, run together ([`crate::batch`]); shared by
    /// every model over the same weights.
    batcher: Arc<Batcher>,
    window: usize,
    overlap: usize,
    /// The sessions of the last [`Model::next_distribution`] calls and of the last scorings of a
    /// text that fits one window, newest last: one is continued when a call's context extends its
    /// text (the n-gram-style step-by-step samplers call it once per token, and a request that
    /// scores a prompt then samples after it finds the prompt's pass done).
    kept: Arc<Mutex<Vec<Session>>>,
}

impl Model {
    /// Loads the GGUF at `path` (dequantizing every tensor to f32: a few seconds). A missing or
    /// unusable file gives [`LmError::Missing`] / [`LmError::Corrupt`], both naming the fetch script.
    pub fn load(path: impl AsRef<Path>) -> Result<Model, LmError> {
        let path = path.as_ref();
        let weights = Weights::load(path, DEFAULT_WINDOW)?;
        Ok(Model {
            weights: Arc::new(weights),
            batcher: Arc::default(),
            window: DEFAULT_WINDOW,
            overlap: DEFAULT_OVERLAP,
            kept: Arc::default(),
        })
    }

    /// The same network (shared weights) with another scoring window and overlap. `window` (positions,
    /// `<|endoftext|>` included) is clamped to 3..=the trained context length and `overlap` to at
    /// most `window - 2`, so that each window scores at least one new token.
    pub fn with_window(&self, window: usize, overlap: usize) -> Model {
        let window = window.clamp(3, self.weights.cos.dims()[0]);
        Model {
            weights: Arc::clone(&self.weights),
            batcher: Arc::clone(&self.batcher),
            window,
            overlap: overlap.min(window - 2),
            kept: Arc::default(),
        }
    }

    /// How the scoring windows asked of this network (by every model sharing its weights) have run:
    /// windows from concurrent callers share passes (`batch.rs`).
    pub fn pass_counts(&self) -> PassCounts {
        self.batcher.counts()
    }

    /// The window: positions in one forward pass.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Tokens of context repeated by each later scoring window.
    pub fn overlap(&self) -> usize {
        self.overlap
    }

    /// The network's hyper-parameters.
    pub fn config(&self) -> &Config {
        &self.weights.config
    }

    /// The model's tokenizer.
    pub fn tokenizer(&self) -> &LmTokenizer {
        &self.weights.tokenizer
    }

    /// Number of token ids (49,152).
    pub fn vocab_size(&self) -> usize {
        self.weights.config.vocab
    }

    /// The end-of-text token id (0): start-of-text context and end of a document.
    pub fn eos(&self) -> u32 {
        EOS
    }

    /// Whether `other` shares this model's weights (the same loaded copy).
    pub fn shares_weights_with(&self, other: &Model) -> bool {
        Arc::ptr_eq(&self.weights, &other.weights)
    }

    /// Calls `row(i, logits)` for every token `tokens[i]` with the raw logits (f32, length `vocab`)
    /// of the distribution it was drawn from: the first token's context is `<|endoftext|>`, later
    /// ones see the text before them within the window rules (module documentation). `progress(done,
    /// total)` is called after each window. Checks `stop` before every layer.
    pub fn for_each_logits(
        &self,
        tokens: &[u32],
        stop: &AtomicBool,
        progress: impl FnMut(usize, usize),
        mut row: impl FnMut(usize, &[f32]),
    ) -> Result<(), LmError> {
        let vocab = self.vocab_size();
        self.for_each_logit_rows(tokens, stop, progress, |first, flat| {
            for (r, logits) in flat.chunks_exact(vocab).enumerate() {
                row(first + r, logits);
            }
        })
    }

    /// [`Model::for_each_logits`] a block of consecutive rows at a time: `rows(first, flat)` gets the
    /// logits of tokens `first..first + flat.len() / vocab`, row after row.
    pub(crate) fn for_each_logit_rows(
        &self,
        tokens: &[u32],
        stop: &AtomicBool,
        mut progress: impl FnMut(usize, usize),
        mut rows: impl FnMut(usize, &[f32]),
    ) -> Result<(), LmError> {
        let n = tokens.len();
        let mut input = Vec::with_capacity(self.window.min(n + 1));
        // Tokens before `done` are scored.
        let mut done = 0;
        while done < n {
            // The window: <|endoftext|>, then tokens[from..to); position p predicts tokens[from + p].
            let from = done.saturating_sub(self.overlap);
            let to = (from + self.window - 1).min(n);
            input.clear();
            input.push(EOS);
            input.extend_from_slice(&tokens[from..to]);
            let (hidden, cache) = self.batcher.hidden(&self.weights, &input, stop)?;
            let (first, count) = (done - from, to - from);
            for a in (first..count).step_by(LOGIT_ROWS) {
                let m = LOGIT_ROWS.min(count - a);
                rows(from + a, &self.weights.logits(&hidden.narrow(0, a, m)?)?);
            }
            if from == 0 && to == n {
                // The whole text in one window: a sampler continuing it finds the window's KV cache
                // and its last hidden state kept (projected only if asked: one more row).
                self.keep(Session {
                    weights: Arc::clone(&self.weights),
                    window: self.window,
                    history: input.clone(),
                    cache,
                    pending: Vec::new(),
                    dist: None,
                    last_hidden: Some(hidden.narrow(0, count, 1)?.copy()?),
                });
            }
            done = to;
            progress(done, n);
        }
        Ok(())
    }

    /// Keeps `session` for a later [`Model::next_distribution`], dropping the oldest kept ones
    /// beyond [`KEPT_SESSIONS`] sessions or [`KEPT_POSITIONS`] positions.
    fn keep(&self, session: Session) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.push(session);
        while kept.len() > KEPT_SESSIONS
            || (kept.len() > 1
                && kept.iter().map(|s| s.history.len()).sum::<usize>() > KEPT_POSITIONS)
        {
            kept.remove(0);
        }
    }

    /// Takes out the kept session that `context` extends (or equals), if any.
    fn take_extended(&self, context: &[u32]) -> Option<Session> {
        if context.len() >= self.window {
            return None;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let found = kept.iter().rposition(|session| {
            let held = session.history.len();
            session.history[0] == EOS
                && held - 1 <= context.len()
                && session.history[1..] == context[..held - 1]
        })?;
        Some(kept.remove(found))
    }

    /// The full next-token distribution (probabilities, indexed by id, summing to 1) after
    /// `<|endoftext|>` and `context`; only the last `window - 1` tokens of `context` are read. When
    /// `context` extends the previous call's (one token more, as a step-by-step sampler asks), the
    /// previous call's KV cache is continued: one position of work instead of the whole context.
    pub fn next_distribution(&self, context: &[u32]) -> Result<Vec<f64>, LmError> {
        let never = AtomicBool::new(false);
        let mut session = match self.take_extended(context) {
            Some(mut session) => {
                for &t in &context[session.history.len() - 1..] {
                    session.push(t);
                }
                session
            }
            None => self.session(context, &never)?,
        };
        let dist = session.distribution(&never)?.to_vec();
        self.keep(session);
        Ok(dist)
    }

    /// A generation session primed with `<|endoftext|>` and `context` (the last `window - 1`
    /// tokens when longer).
    pub fn session(&self, context: &[u32], stop: &AtomicBool) -> Result<Session, LmError> {
        let mut s = Session {
            weights: Arc::clone(&self.weights),
            window: self.window,
            history: vec![EOS],
            cache: KvCache::new(),
            pending: Vec::new(),
            dist: None,
            last_hidden: None,
        };
        s.history.extend_from_slice(context);
        let keep = self.window - 1;
        if s.history.len() > keep {
            s.history.drain(..s.history.len() - keep);
        }
        s.pending = s.history.clone();
        s.prefill(stop)?;
        Ok(s)
    }
}

/// An incremental forward pass for generation: the positions fed so far are kept in a KV cache, so
/// each new token costs one position. When the window is full the cache is rebuilt from the last
/// half window of tokens (at most once every half window).
#[derive(Debug)]
pub struct Session {
    weights: Arc<Weights>,
    window: usize,
    /// The tokens in the cache plus those pending.
    history: Vec<u32>,
    cache: KvCache,
    /// Tokens not yet fed.
    pending: Vec<u32>,
    /// The distribution after the last fed token, once computed.
    dist: Option<Vec<f64>>,
    /// The last fed token's final hidden state, when a scoring pass fed the tokens (its
    /// distribution is projected when first asked).
    last_hidden: Option<Tensor>,
}

impl Session {
    /// Feeds the pending tokens, rebuilding the cache when they would overflow the window.
    fn prefill(&mut self, stop: &AtomicBool) -> Result<(), LmError> {
        if self.pending.is_empty() && self.dist.is_some() {
            return Ok(());
        }
        if self.pending.is_empty() {
            if let Some(last) = self.last_hidden.take() {
                // Exactly what feeding the tokens here would compute (the same rows and kernels).
                let logits = self.weights.logits(&last)?;
                self.dist = Some(softmax(&logits));
                return Ok(());
            }
        }
        let window = self.window;
        if self.cache.len() + self.pending.len() > window {
            let keep = (window / 2).max(1).min(self.history.len());
            self.history.drain(..self.history.len() - keep);
            self.cache = KvCache::new();
            self.pending = self.history.clone();
        }
        let hidden = self.weights.hidden(&self.pending, &mut self.cache, stop)?;
        let last = hidden.narrow(0, hidden.dims()[0] - 1, 1)?;
        let logits = self.weights.logits(&last)?;
        self.dist = Some(softmax(&logits));
        self.pending.clear();
        Ok(())
    }

    /// The next-token distribution (probabilities, indexed by id) after everything fed so far.
    pub fn distribution(&mut self, stop: &AtomicBool) -> Result<&[f64], LmError> {
        self.prefill(stop)?;
        match &self.dist {
            Some(d) => Ok(d),
            None => Err(candle_core::Error::Msg("no distribution".into()).into()),
        }
    }

    /// Appends `token` to the context (fed lazily, by the next [`Session::distribution`]).
    pub fn push(&mut self, token: u32) {
        self.history.push(token);
        self.pending.push(token);
        self.last_hidden = None;
    }

    /// The tokens the session holds, `<|endoftext|>` first unless the window was exceeded.
    pub fn history(&self) -> &[u32] {
        &self.history
    }
}

/// Softmax of one row of logits (`vocab` values) in f64.
fn softmax(row: &[f32]) -> Vec<f64> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let mut p: Vec<f64> = row.iter().map(|&l| (l as f64 - max).exp()).collect();
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|x| *x /= total);
    p
}
