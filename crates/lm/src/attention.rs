//! Causal grouped-query attention of one sequence: each K/V head serves `heads / kv_heads` query
//! heads, and a query sees the keys up to its own position.
//!
//! - **Short sequences** (at most [`DIRECT_KEYS`] keys: a paragraph scored on its own, the start of
//!   a generation) are computed straight from the values, one query at a time, in plain loops that
//!   `pulp` compiles for the CPU's vector instructions. Through candle, such a sequence took about
//!   180 µs a layer, nearly all of it tensor bookkeeping (views, copies, small matmuls): a tenth of a
//!   shared scoring pass of paragraphs.
//! - **Longer ones** go through candle's matmuls, queries in chunks of [`QUERY_CHUNK`] rows against
//!   only the keys they may see: the score matrix never exceeds `heads × QUERY_CHUNK × keys` floats
//!   and the masked half of the square is not computed.

use candle_core::{Device, Tensor};

use crate::config::Config;
use crate::error::LmError;
use crate::quant::dot_f32;
use crate::softmax::{causal_softmax, exp_nonpositive};

/// Query rows per attention chunk (longer sequences).
const QUERY_CHUNK: usize = 256;
/// Most keys of a sequence computed directly.
pub(crate) const DIRECT_KEYS: usize = 128;

/// The attention of one sequence's new queries `q` `(heads, seq, hd)` (already scaled), at
/// positions `past..past + seq`, over its keys and values `(kv_heads, past + seq, hd)`; returns
/// `(seq, heads · hd)`.
pub(crate) fn causal(
    config: &Config,
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    past: usize,
) -> Result<Tensor, LmError> {
    let at = Sequence::new(config, q, k, v, past);
    if past + at.seq <= DIRECT_KEYS {
        direct(&at)
    } else {
        chunked(&at)
    }
}

/// One sequence's attention inputs and the head layout.
struct Sequence<'a> {
    q: &'a Tensor,
    k: &'a Tensor,
    v: &'a Tensor,
    /// Positions before the new queries.
    past: usize,
    /// New queries.
    seq: usize,
    hd: usize,
    heads: usize,
    kv_heads: usize,
}

impl<'a> Sequence<'a> {
    fn new(config: &Config, q: &'a Tensor, k: &'a Tensor, v: &'a Tensor, past: usize) -> Self {
        Sequence {
            q,
            k,
            v,
            past,
            seq: q.dims()[1],
            hd: config.head_dim(),
            heads: config.heads,
            kv_heads: config.kv_heads,
        }
    }
}

/// [`causal`] straight from the values.
fn direct(at: &Sequence<'_>) -> Result<Tensor, LmError> {
    let (hd, heads, seq) = (at.hd, at.heads, at.seq);
    let (q, k, v) = (values(at.q)?, values(at.k)?, values(at.v)?);
    let keys = at.past + seq;
    if q.len() != heads * seq * hd || k.len() != at.kv_heads * keys * hd || k.len() != v.len() {
        return Err(candle_core::Error::Msg("attention's shapes disagree".into()).into());
    }
    let mut out = vec![0f32; seq * heads * hd];
    pulp::Arch::new().dispatch(Direct {
        q: &q,
        k: &k,
        v: &v,
        out: &mut out,
        heads,
        group: heads / at.kv_heads,
        seq,
        keys,
        hd,
    });
    Ok(Tensor::from_vec(out, (seq, heads * hd), &Device::Cpu)?)
}

/// The values of a tensor, row after row.
fn values(t: &Tensor) -> Result<Vec<f32>, LmError> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

/// [`direct`]'s arithmetic.
struct Direct<'a> {
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    out: &'a mut [f32],
    heads: usize,
    group: usize,
    seq: usize,
    keys: usize,
    hd: usize,
}

impl pulp::WithSimd for Direct<'_> {
    type Output = ();

    // Plain loops with no calls in them: compiled for the instruction set `pulp` found, eight
    // values at a time.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Direct {
            q,
            k,
            v,
            out,
            heads,
            group,
            seq,
            keys,
            hd,
        } = self;
        let past = keys - seq;
        let mut scores = vec![0f32; keys];
        for h in 0..heads {
            let j = h / group;
            let kh = &k[j * keys * hd..(j + 1) * keys * hd];
            let vh = &v[j * keys * hd..(j + 1) * keys * hd];
            for i in 0..seq {
                let qi = &q[(h * seq + i) * hd..(h * seq + i + 1) * hd];
                let seen = &mut scores[..past + i + 1];
                let mut max = f32::NEG_INFINITY;
                for (s, key) in seen.iter_mut().zip(kh.chunks_exact(hd)) {
                    *s = dot_f32(qi, key);
                    max = max.max(*s);
                }
                let mut total = 0.0;
                for s in seen.iter_mut() {
                    *s = exp_nonpositive(*s - max);
                    total += *s;
                }
                let o = &mut out[(i * heads + h) * hd..(i * heads + h + 1) * hd];
                for (&p, value) in seen.iter().zip(vh.chunks_exact(hd)) {
                    let p = p / total;
                    for (o, &x) in o.iter_mut().zip(value) {
                        *o += p * x;
                    }
                }
            }
        }
    }
}

/// [`causal`] through candle's matmuls, queries in chunks.
fn chunked(at: &Sequence<'_>) -> Result<Tensor, LmError> {
    let (hd, heads, kvh, seq, past) = (at.hd, at.heads, at.kv_heads, at.seq, at.past);
    let (q, k, v) = (at.q, at.k, at.v);
    let group = heads / kvh;
    // (heads, seq, hd) viewed as (kv_heads, group, seq, hd): query head j·group + g uses K/V head j.
    let q = q.reshape((kvh, group, seq, hd))?;
    let mut chunks = Vec::with_capacity(seq.div_ceil(QUERY_CHUNK));
    for a in (0..seq).step_by(QUERY_CHUNK) {
        let n = QUERY_CHUNK.min(seq - a);
        let keys = past + a + n;
        let qc = q.narrow(2, a, n)?.reshape((kvh, group * n, hd))?;
        let kc = k.narrow(1, 0, keys)?;
        let vc = v.narrow(1, 0, keys)?;
        // Scores (kvh, group·n, keys): row (j·group + g)·n + i is query i of the chunk, at
        // position past + a + i, which sees the keys up to its own position.
        let s = qc.matmul(&kc.t()?)?;
        let mut s = s.flatten_all()?.to_vec1::<f32>()?;
        let first = past + a;
        causal_softmax(&mut s, keys, |r| first + r % n + 1);
        let p = Tensor::from_vec(s, (kvh, group * n, keys), &Device::Cpu)?;
        let o = p.matmul(&vc.contiguous()?)?; // (kvh, group·n, hd)
        chunks.push(o.reshape((heads, n, hd))?);
    }
    Ok(Tensor::cat(&chunks, 1)?
        .transpose(0, 1)?
        .reshape((seq, heads * hd))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config with SmolLM2's head layout (9 query heads over 3 K/V heads of 64) and a small width.
    fn config() -> Config {
        Config {
            layers: 1,
            dim: 9 * 64,
            heads: 9,
            kv_heads: 3,
            ffn: 64,
            norm_eps: 1e-5,
            rope_base: 1e4,
            context: 256,
            vocab: 16,
        }
    }

    fn tensor(dims: (usize, usize, usize), seed: usize) -> Result<Tensor, LmError> {
        let n = dims.0 * dims.1 * dims.2;
        let xs = (0..n)
            .map(|i| ((i * 31 + seed * 17) % 97) as f32 * 0.02 - 0.97)
            .collect();
        Ok(Tensor::from_vec(xs, dims, &Device::Cpu)?)
    }

    #[test]
    fn the_direct_path_matches_the_chunked_one() -> Result<(), LmError> {
        let c = config();
        // A sequence on its own, and new queries after cached positions (as generation feeds them).
        for (past, seq) in [(0, 1), (0, 37), (0, DIRECT_KEYS), (20, 1), (50, 30)] {
            let q = tensor((9, seq, 64), 1)?;
            let k = tensor((3, past + seq, 64), 2)?;
            let v = tensor((3, past + seq, 64), 3)?;
            let at = Sequence::new(&c, &q, &k, &v, past);
            let got = direct(&at)?.to_vec2::<f32>()?;
            let want = chunked(&at)?.to_vec2::<f32>()?;
            for (a, b) in got.iter().flatten().zip(want.iter().flatten()) {
                assert!((a - b).abs() <= 1e-5, "past {past}, seq {seq}: {a} vs {b}");
            }
        }
        Ok(())
    }
}
