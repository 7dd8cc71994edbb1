//! Loading the network from a GGUF file: hyper-parameters and tokenizer from the metadata, every
//! tensor dequantized to f32 once (candle's quantized CPU kernels are scalar and about 15× slower
//! than its f32 matmul), Q/K/V and gate/up fused into one matrix each (fewer, larger matmuls), and
//! the RoPE tables precomputed.

use std::fs::File;
use std::path::Path;

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};

use crate::config::Config;
use crate::error::LmError;
use crate::tokenizer::LmTokenizer;

/// One transformer block's weights, each matrix `(out, in)` as in the file.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) attn_norm: Tensor,
    /// Q, K and V stacked: `(dim + 2 · kv_heads · head_dim, dim)`.
    pub(crate) qkv: Tensor,
    pub(crate) out: Tensor,
    pub(crate) ffn_norm: Tensor,
    /// Gate and up stacked: `(2 · ffn, dim)`.
    pub(crate) gate_up: Tensor,
    pub(crate) down: Tensor,
}

/// Everything loaded from the file.
#[derive(Debug)]
pub(crate) struct Weights {
    pub(crate) config: Config,
    pub(crate) tokenizer: LmTokenizer,
    /// Token embeddings `(vocab, dim)`, also the output projection (tied).
    pub(crate) embed: Tensor,
    pub(crate) blocks: Vec<Block>,
    pub(crate) norm: Tensor,
    /// RoPE tables `(positions, head_dim / 2)`.
    pub(crate) cos: Tensor,
    pub(crate) sin: Tensor,
}

impl Weights {
    /// Reads and checks the GGUF at `path`. The RoPE tables cover the trained context length, and at
    /// least `min_positions`.
    pub(crate) fn load(path: &Path, min_positions: usize) -> Result<Weights, LmError> {
        if !path.exists() {
            return Err(LmError::Missing {
                path: path.to_path_buf(),
            });
        }
        let corrupt = |detail: String| LmError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
        let mut file = File::open(path).map_err(|e| corrupt(e.to_string()))?;
        let content = Content::read(&mut file).map_err(|e| corrupt(format!("not a GGUF: {e}")))?;
        let config = Config::from_metadata(&content.metadata).map_err(corrupt)?;
        let strings = |key: &str| -> Result<Vec<String>, LmError> {
            let values = content
                .metadata
                .get(key)
                .and_then(|v| v.to_vec().ok())
                .ok_or_else(|| corrupt(format!("no {key}")))?;
            values
                .iter()
                .map(|v| v.to_string().cloned())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| corrupt(format!("{key}: {e}")))
        };
        let tokens = strings("tokenizer.ggml.tokens")?;
        let merges = strings("tokenizer.ggml.merges")?;
        let tokenizer = LmTokenizer::new(tokens, &merges).map_err(corrupt)?;

        let dev = Device::Cpu;
        let mut tensor = |name: &str, shape: &[usize]| -> Result<Tensor, LmError> {
            let t = content
                .tensor(&mut file, name, &dev)
                .and_then(|q| q.dequantize(&dev))
                .map_err(|e| corrupt(format!("tensor {name}: {e}")))?;
            if t.dims() != shape {
                return Err(corrupt(format!(
                    "tensor {name} has shape {:?}, expected {shape:?}",
                    t.dims()
                )));
            }
            Ok(t)
        };
        let c = &config;
        let (d, kv) = (c.dim, c.kv_heads * c.head_dim());
        let embed = tensor("token_embd.weight", &[c.vocab, d])?;
        let norm = tensor("output_norm.weight", &[d])?;
        let mut blocks = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let q = tensor(&p("attn_q"), &[d, d])?;
            let k = tensor(&p("attn_k"), &[kv, d])?;
            let v = tensor(&p("attn_v"), &[kv, d])?;
            let gate = tensor(&p("ffn_gate"), &[c.ffn, d])?;
            let up = tensor(&p("ffn_up"), &[c.ffn, d])?;
            blocks.push(Block {
                attn_norm: tensor(&p("attn_norm"), &[d])?,
                qkv: Tensor::cat(&[q, k, v], 0)?,
                out: tensor(&p("attn_output"), &[d, d])?,
                ffn_norm: tensor(&p("ffn_norm"), &[d])?,
                gate_up: Tensor::cat(&[gate, up], 0)?,
                down: tensor(&p("ffn_down"), &[d, c.ffn])?,
            });
        }
        let (cos, sin) = rope_tables(c, c.context.max(min_positions))?;
        Ok(Weights {
            config,
            tokenizer,
            embed,
            blocks,
            norm,
            cos,
            sin,
        })
    }
}

/// cos and sin of `position · base^(−2i / head_dim)` for every position and pair `i`.
fn rope_tables(c: &Config, positions: usize) -> Result<(Tensor, Tensor), LmError> {
    let half = c.head_dim() / 2;
    let freqs: Vec<f64> = (0..half)
        .map(|i| c.rope_base.powf(-2.0 * i as f64 / c.head_dim() as f64))
        .collect();
    let mut cos = Vec::with_capacity(positions * half);
    let mut sin = Vec::with_capacity(positions * half);
    for pos in 0..positions {
        for f in &freqs {
            let a = pos as f64 * f;
            cos.push(a.cos() as f32);
            sin.push(a.sin() as f32);
        }
    }
    let dev = Device::Cpu;
    Ok((
        Tensor::from_vec(cos, (positions, half), &dev)?,
        Tensor::from_vec(sin, (positions, half), &dev)?,
    ))
}
