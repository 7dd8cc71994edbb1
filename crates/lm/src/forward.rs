//! The llama forward pass (f32 arithmetic over the quantized weights), returning the final hidden
//! state of EVERY position (the caller projects it onto the vocabulary in chunks), with a key/value
//! cache so that generation feeds one token at a time.
//!
//! RoPE rotates interleaved pairs (ggml's "norm" mode, candle's `rope_i`: the GGUF's Q/K rows are
//! permuted for it); the attention itself is [`crate::attention`]'s, each sequence of a batched pass
//! on its own and the sequences shared between the cores; the norms and SwiGLU are
//! [`crate::rowwise`]'s.

use std::sync::atomic::{AtomicBool, Ordering};

use candle_core::{Device, Tensor};
use candle_nn::rotary_emb::rope_i;
use rayon::prelude::*;

use crate::attention;
use crate::error::{LmError, Stopped};
use crate::quant::QMatrix;
use crate::rowwise;
use crate::weights::Weights;

/// Keys and values of the positions fed so far, per layer: `(kv_heads, positions, head_dim)`.
#[derive(Debug, Clone, Default)]
pub struct KvCache {
    layers: Vec<(Tensor, Tensor)>,
    len: usize,
}

impl KvCache {
    /// An empty cache.
    pub fn new() -> KvCache {
        KvCache::default()
    }

    /// Positions held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no position is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One sequence of a batched pass: its new tokens and the cache of the positions before them.
pub(crate) struct Segment<'a> {
    /// The tokens fed.
    pub(crate) tokens: &'a [u32],
    /// Keys and values of the sequence's earlier positions; it then holds the new ones too.
    pub(crate) cache: &'a mut KvCache,
}

impl Weights {
    /// Feeds `tokens` after the positions already in `cache` and returns their final (normed) hidden
    /// states `(tokens.len(), dim)`; `cache` then holds them too. Checks `stop` before every layer.
    pub(crate) fn hidden(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        stop: &AtomicBool,
    ) -> Result<Tensor, LmError> {
        let mut segments = [Segment { tokens, cache }];
        self.hidden_batch(&mut segments, &|| stop.load(Ordering::Relaxed))
    }

    /// Refuses a token outside the vocabulary.
    pub(crate) fn check_tokens(&self, tokens: &[u32]) -> Result<(), LmError> {
        let vocab = self.config.vocab;
        match tokens.iter().find(|&&t| t as usize >= vocab) {
            Some(&id) => Err(LmError::BadToken { id, vocab }),
            None => Ok(()),
        }
    }

    /// [`Weights::hidden`] for several sequences in one pass: their rows go through every matrix
    /// together (one dequantization of each weight serves them all, and enough rows make the
    /// matmuls efficient), each attends only to its own positions. Returns the hidden states of all
    /// segments' tokens, segment after segment. Gives up with [`Stopped`] when `stopped()` says so
    /// (asked before every layer).
    pub(crate) fn hidden_batch(
        &self,
        segments: &mut [Segment<'_>],
        stopped: &dyn Fn() -> bool,
    ) -> Result<Tensor, LmError> {
        let c = &self.config;
        let positions = self.cos.dims()[0];
        let mut tokens = Vec::with_capacity(segments.iter().map(|s| s.tokens.len()).sum());
        let (mut cos, mut sin) = (Vec::new(), Vec::new());
        for s in segments.iter() {
            self.check_tokens(s.tokens)?;
            let (seq, past) = (s.tokens.len(), s.cache.len);
            if past + seq > positions {
                return Err(candle_core::Error::Msg(format!(
                    "{} positions exceed the {positions} the RoPE tables hold",
                    past + seq
                ))
                .into());
            }
            tokens.extend_from_slice(s.tokens);
            cos.push(self.cos.narrow(0, past, seq)?);
            sin.push(self.sin.narrow(0, past, seq)?);
        }
        let rows = tokens.len();
        let (hd, heads, kvh) = (c.head_dim(), c.heads, c.kv_heads);
        let eps = c.norm_eps as f32;
        let mut x = Tensor::from_vec(self.embed.rows_f32(&tokens), (rows, c.dim), &Device::Cpu)?;
        let cos = Tensor::cat(&cos, 0)?.contiguous()?;
        let sin = Tensor::cat(&sin, 0)?.contiguous()?;
        let scale = 1.0 / (hd as f64).sqrt();
        let mut fresh: Vec<Vec<(Tensor, Tensor)>> = segments
            .iter()
            .map(|_| Vec::with_capacity(self.blocks.len()))
            .collect();
        for (i, b) in self.blocks.iter().enumerate() {
            if stopped() {
                return Err(Stopped.into());
            }
            let h = rowwise::rms_norm(&x, &b.attn_norm, eps)?;
            let qkv = linear(&h, &b.qkv)?;
            let split = |start: usize, n: usize| -> Result<Tensor, LmError> {
                Ok(qkv
                    .narrow(1, start * hd, n * hd)?
                    .reshape((1, rows, n, hd))?
                    .transpose(1, 2)?
                    .contiguous()?)
            };
            // (heads, rows, hd) and (kv_heads, rows, hd), every segment's rows.
            let q = (rope_i(&split(0, heads)?, &cos, &sin)? * scale)?.squeeze(0)?;
            let k = rope_i(&split(heads, kvh)?, &cos, &sin)?.squeeze(0)?;
            let v = split(heads + kvh, kvh)?.squeeze(0)?;
            // Each segment's queries, keys, values and earlier positions.
            let mut sequences = Vec::with_capacity(segments.len());
            let mut first = 0;
            for (s, kept) in segments.iter().zip(&mut fresh) {
                let seq = s.tokens.len();
                let own = |t: &Tensor| -> Result<Tensor, LmError> {
                    Ok(if seq == rows {
                        t.clone()
                    } else {
                        t.narrow(1, first, seq)?.contiguous()?
                    })
                };
                let (q, k, v) = (own(&q)?, own(&k)?, own(&v)?);
                let (k, v) = match s.cache.layers.get(i) {
                    Some((pk, pv)) => (Tensor::cat(&[pk, &k], 1)?, Tensor::cat(&[pv, &v], 1)?),
                    None => (k, v),
                };
                sequences.push((q, k.clone(), v.clone(), s.cache.len));
                kept.push((k, v));
                first += seq;
            }
            // Each segment's attention on its own, the segments shared between the cores.
            let mut outputs = sequences
                .par_iter()
                .map(|(q, k, v, past)| attention::causal(c, q, k, v, *past))
                .collect::<Result<Vec<_>, _>>()?;
            let o = if outputs.len() == 1 {
                outputs.swap_remove(0)
            } else {
                Tensor::cat(&outputs, 0)?
            };
            x = (x + linear(&o, &b.out)?)?;
            let h = rowwise::rms_norm(&x, &b.ffn_norm, eps)?;
            let gu = linear(&h, &b.gate_up)?;
            let act = rowwise::swiglu(&gu, c.ffn)?;
            x = (x + linear(&act, &b.down)?)?;
        }
        for (s, layers) in segments.iter_mut().zip(fresh) {
            s.cache.layers = layers;
            s.cache.len += s.tokens.len();
        }
        rowwise::rms_norm(&x, &self.norm, eps)
    }

    /// Logits of hidden states `(rows, dim)` (the output projection is the embedding), row after
    /// row (`rows × vocab` values), straight from its quantized blocks whatever the rows: scoring
    /// projects at most 64 at once ([`crate::model`]), and the f32 copy that candle's matmul would
    /// need is 113 MB. No tensor: the callers read the values, and a tensor's would be a copy.
    pub(crate) fn logits(&self, hidden: &Tensor) -> Result<Vec<f32>, LmError> {
        let (rows, _) = hidden.dims2()?;
        let xs = hidden.flatten_all()?.to_vec1::<f32>()?;
        Ok(product(&xs, rows, &self.embed))
    }
}

/// Most rows multiplied straight from the quantized blocks ([`QMatrix::matmul_rows`]); more rows (a
/// long prompt, a scoring window) go through the matrix dequantized for the call and candle's matmul,
/// whose packing pays off only then.
const FUSED_ROWS: usize = 128;

/// `x · wᵀ` for `x` `(rows, in)` and the quantized `w` `(out, in)`: one row (generation) or a few
/// dozen (a short prompt) straight from the blocks, more rows through `w` dequantized for this call
/// and candle's matmul.
fn linear(x: &Tensor, w: &QMatrix) -> Result<Tensor, LmError> {
    let (rows, _) = x.dims2()?;
    if rows > FUSED_ROWS {
        return Ok(x.matmul(&w.dequantize()?.t()?)?);
    }
    fused(x, w)
}

/// `x · wᵀ` straight from the quantized blocks, any number of rows.
fn fused(x: &Tensor, w: &QMatrix) -> Result<Tensor, LmError> {
    let (rows, _) = x.dims2()?;
    let xs = x.flatten_all()?.to_vec1::<f32>()?;
    let y = product(&xs, rows, w);
    Ok(Tensor::from_vec(y, (rows, w.rows()), &Device::Cpu)?)
}

/// `x · wᵀ` for the `rows` rows of `x`, straight from the quantized blocks: `rows × w.rows()` values.
fn product(x: &[f32], rows: usize, w: &QMatrix) -> Vec<f32> {
    if rows == 1 {
        w.matvec(x)
    } else {
        w.matmul_rows(x, rows)
    }
}
