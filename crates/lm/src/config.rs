//! The network's hyper-parameters, read from the GGUF metadata (`llama.*` keys) and checked.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;

/// Llama-architecture hyper-parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Transformer blocks (30 for SmolLM2-135M).
    pub layers: usize,
    /// Model width (576).
    pub dim: usize,
    /// Query heads (9).
    pub heads: usize,
    /// Key/value heads (3: grouped-query attention).
    pub kv_heads: usize,
    /// Feed-forward width (1536).
    pub ffn: usize,
    /// RMSNorm epsilon.
    pub norm_eps: f64,
    /// RoPE frequency base (1e5).
    pub rope_base: f64,
    /// Context length the network was trained for (8192).
    pub context: usize,
    /// Vocabulary size (49,152).
    pub vocab: usize,
}

impl Config {
    /// Width of one attention head (64).
    pub fn head_dim(&self) -> usize {
        self.dim / self.heads
    }

    /// Reads the hyper-parameters of a `llama` GGUF; `vocab` is the number of tokenizer tokens.
    pub(crate) fn from_metadata(meta: &HashMap<String, Value>) -> Result<Config, String> {
        let arch = meta
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .ok_or("no general.architecture")?;
        if arch != "llama" {
            return Err(format!("architecture {arch}, expected llama"));
        }
        let int = |key: &str| -> Result<usize, String> {
            let v = meta.get(key).ok_or(format!("no {key}"))?;
            let n = v
                .to_u32()
                .map(u64::from)
                .or_else(|_| v.to_u64())
                .map_err(|e| format!("{key}: {e}"))?;
            usize::try_from(n).map_err(|e| format!("{key}: {e}"))
        };
        let float = |key: &str| -> Result<f64, String> {
            let v = meta.get(key).ok_or(format!("no {key}"))?;
            v.to_f32()
                .map(f64::from)
                .or_else(|_| v.to_f64())
                .map_err(|e| format!("{key}: {e}"))
        };
        let vocab = meta
            .get("tokenizer.ggml.tokens")
            .and_then(|v| v.to_vec().ok())
            .map(|v| v.len())
            .ok_or("no tokenizer.ggml.tokens")?;
        let config = Config {
            layers: int("llama.block_count")?,
            dim: int("llama.embedding_length")?,
            heads: int("llama.attention.head_count")?,
            kv_heads: int("llama.attention.head_count_kv")?,
            ffn: int("llama.feed_forward_length")?,
            norm_eps: float("llama.attention.layer_norm_rms_epsilon")?,
            rope_base: float("llama.rope.freq_base").unwrap_or(10_000.0),
            context: int("llama.context_length")?,
            vocab,
        };
        if config.layers == 0
            || config.heads == 0
            || config.kv_heads == 0
            || !config.dim.is_multiple_of(config.heads)
            || !config.heads.is_multiple_of(config.kv_heads)
            || !config.head_dim().is_multiple_of(2)
        {
            return Err(format!("inconsistent hyper-parameters {config:?}"));
        }
        Ok(config)
    }
}
