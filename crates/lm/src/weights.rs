//! Loading the network from a GGUF file: hyper-parameters and tokenizer from the metadata, the
//! layers' matrices kept quantized as stored ([`crate::quant`]: candle's own quantized CPU kernels
//! are scalar and about 15× slower than its f32 matmul, ours are vectorised), Q/K/V and gate/up
//! fused into one matrix each (fewer, larger products), the embedding kept quantized too (looked up
//! a row at a time, and the output projection of every position), and the RoPE tables precomputed.

use std::fs::File;
use std::path::Path;

use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

use crate::config::Config;
use crate::error::LmError;
use crate::quant::{Kind, QMatrix};
use crate::tokenizer::LmTokenizer;

/// One transformer block's weights, each matrix `(out, in)` as in the file.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) attn_norm: Tensor,
    /// Q, K and V stacked: `(dim + 2 · kv_heads · head_dim, dim)`.
    pub(crate) qkv: QMatrix,
    pub(crate) out: QMatrix,
    pub(crate) ffn_norm: Tensor,
    /// Gate and up stacked: `(2 · ffn, dim)`.
    pub(crate) gate_up: QMatrix,
    pub(crate) down: QMatrix,
}

/// Everything loaded from the file.
#[derive(Debug)]
pub(crate) struct Weights {
    pub(crate) config: Config,
    pub(crate) tokenizer: LmTokenizer,
    /// Token embeddings `(vocab, dim)` as the file holds them, also the output projection (tied).
    pub(crate) embed: QMatrix,
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
        let mut read = |name: &str, shape: &[usize]| {
            let q = content
                .tensor(&mut file, name, &dev)
                .map_err(|e| corrupt(format!("tensor {name}: {e}")))?;
            if q.shape().dims() != shape {
                return Err(corrupt(format!(
                    "tensor {name} has shape {:?}, expected {shape:?}",
                    q.shape().dims()
                )));
            }
            Ok(q)
        };
        // A matrix kept as stored when it is Q4_1 or Q8_0 (the kernels read those); any other type
        // is dequantized to f32 once.
        let matrix = |q: QTensor, name: &str| -> Result<QMatrix, LmError> {
            let (rows, cols) = q.shape().dims2().map_err(|e| corrupt(e.to_string()))?;
            let kind = match q.dtype() {
                GgmlDType::Q4_1 => Kind::Q4_1,
                GgmlDType::Q8_0 => Kind::Q8_0,
                _ => {
                    let weights = q
                        .dequantize(&dev)
                        .and_then(|t| t.flatten_all()?.to_vec1::<f32>())
                        .map_err(|e| corrupt(format!("tensor {name}: {e}")))?;
                    return QMatrix::dense(rows, cols, weights)
                        .ok_or_else(|| corrupt(format!("tensor {name}: wrong size")));
                }
            };
            let bytes = q.data().map_err(|e| corrupt(e.to_string()))?.into_owned();
            QMatrix::new(kind, rows, cols, bytes)
                .ok_or_else(|| corrupt(format!("tensor {name}: its bytes do not fit its shape")))
        };
        let dense = |q: &QTensor, name: &str| -> Result<Tensor, LmError> {
            q.dequantize(&dev)
                .map_err(|e| corrupt(format!("tensor {name}: {e}")))
        };
        let c = &config;
        let (d, kv) = (c.dim, c.kv_heads * c.head_dim());
        let embed_raw = read("token_embd.weight", &[c.vocab, d])?;
        let embed = matrix(embed_raw, "token_embd.weight")?;
        let norm = dense(&read("output_norm.weight", &[d])?, "output_norm.weight")?;
        let mut blocks = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let p = |s: &str| format!("blk.{i}.{s}.weight");
            let mut quantized = |s: &str, shape: &[usize]| matrix(read(&p(s), shape)?, &p(s));
            let q = quantized("attn_q", &[d, d])?;
            let k = quantized("attn_k", &[kv, d])?;
            let v = quantized("attn_v", &[kv, d])?;
            let gate = quantized("ffn_gate", &[c.ffn, d])?;
            let up = quantized("ffn_up", &[c.ffn, d])?;
            let out = quantized("attn_output", &[d, d])?;
            let down = quantized("ffn_down", &[d, c.ffn])?;
            let fused = |parts, what: &str| {
                QMatrix::stack(parts)
                    .ok_or_else(|| corrupt(format!("block {i}: {what} differ in width")))
            };
            blocks.push(Block {
                attn_norm: dense(&read(&p("attn_norm"), &[d])?, &p("attn_norm"))?,
                qkv: fused(vec![q, k, v], "Q, K and V")?,
                out,
                ffn_norm: dense(&read(&p("ffn_norm"), &[d])?, &p("ffn_norm"))?,
                gate_up: fused(vec![gate, up], "gate and up")?,
                down,
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
