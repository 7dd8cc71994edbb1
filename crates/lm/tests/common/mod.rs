//! Test helpers: a tiny GGUF of SmolLM2's architecture with random weights, and the real weights'
//! path when they are installed.

// A test helper: a failure here is a failed test, so unwrapping is the right report.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

/// Layers, width, heads, KV heads, feed-forward width of the tiny model.
pub const TINY: (usize, usize, usize, usize, usize) = (2, 32, 4, 2, 48);

/// Writes a llama GGUF with 2 layers, width 32, 4 heads / 2 KV heads, a byte-level vocabulary (id 0
/// `<|endoftext|>`, the 256 bytes, three merges) and weights from a seeded generator.
pub fn write_tiny(path: &Path, seed: u64) {
    let (layers, dim, heads, kv_heads, ffn) = TINY;
    let mut tokens = vec!["<|endoftext|>".to_string()];
    tokens.extend((0..=255u8).map(byte_char));
    let merges = ["t h", "th e", "Ġ t"];
    tokens.extend(["th", "the", "Ġt"].map(String::from));
    let vocab = tokens.len();
    let strings = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
    let meta: Vec<(&str, Value)> = vec![
        ("general.architecture", Value::String("llama".into())),
        ("llama.block_count", Value::U32(layers as u32)),
        ("llama.embedding_length", Value::U32(dim as u32)),
        ("llama.attention.head_count", Value::U32(heads as u32)),
        ("llama.attention.head_count_kv", Value::U32(kv_heads as u32)),
        ("llama.feed_forward_length", Value::U32(ffn as u32)),
        ("llama.attention.layer_norm_rms_epsilon", Value::F32(1e-5)),
        ("llama.rope.freq_base", Value::F32(10_000.0)),
        ("llama.context_length", Value::U32(256)),
        ("tokenizer.ggml.model", Value::String("gpt2".into())),
        ("tokenizer.ggml.tokens", strings(tokens)),
        (
            "tokenizer.ggml.merges",
            strings(merges.map(String::from).to_vec()),
        ),
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut random = |shape: &[usize], scale: f32, offset: f32| {
        let n: usize = shape.iter().product();
        let v: Vec<f32> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (state >> 40) as f32 / (1u64 << 24) as f32;
                offset + scale * (2.0 * u - 1.0)
            })
            .collect();
        let t = Tensor::from_vec(v, shape, &Device::Cpu).unwrap();
        QTensor::quantize(&t, GgmlDType::F32).unwrap()
    };
    let kv = kv_heads * dim / heads;
    let mut tensors = vec![
        (
            "token_embd.weight".to_string(),
            random(&[vocab, dim], 1.0, 0.0),
        ),
        ("output_norm.weight".to_string(), random(&[dim], 0.2, 1.0)),
    ];
    for i in 0..layers {
        let w = 1.0 / (dim as f32).sqrt();
        for (name, shape, scale, offset) in [
            ("attn_norm", vec![dim], 0.2, 1.0),
            ("attn_q", vec![dim, dim], 2.0 * w, 0.0),
            ("attn_k", vec![kv, dim], 2.0 * w, 0.0),
            ("attn_v", vec![kv, dim], w, 0.0),
            ("attn_output", vec![dim, dim], w, 0.0),
            ("ffn_norm", vec![dim], 0.2, 1.0),
            ("ffn_gate", vec![ffn, dim], w, 0.0),
            ("ffn_up", vec![ffn, dim], w, 0.0),
            ("ffn_down", vec![dim, ffn], w, 0.0),
        ] {
            tensors.push((
                format!("blk.{i}.{name}.weight"),
                random(&shape, scale, offset),
            ));
        }
    }
    let meta_refs: Vec<(&str, &Value)> = meta.iter().map(|(k, v)| (*k, v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut file = std::fs::File::create(path).unwrap();
    gguf_file::write(&mut file, &meta_refs, &tensor_refs).unwrap();
}

/// GPT-2's printable character for byte `b`.
fn byte_char(b: u8) -> String {
    let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    if printable {
        char::from(b).to_string()
    } else {
        let rank = (0..b)
            .filter(|&x| !matches!(x, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF))
            .count() as u32;
        char::from_u32(256 + rank).unwrap().to_string()
    }
}

/// A tiny model in a temporary folder (kept alive by the returned guard).
pub fn tiny_model(seed: u64) -> (tempfile::TempDir, likely_lm::Model) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.gguf");
    write_tiny(&path, seed);
    let model = likely_lm::Model::load(&path).unwrap();
    (dir, model)
}

/// The real SmolLM2 weights, when `scripts/fetch-smollm2.sh` has installed them.
pub fn real_weights() -> Option<PathBuf> {
    let path = likely_lm::default_path()?;
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: the SmolLM2 weights are not at {} (run scripts/fetch-smollm2.sh)",
            path.display()
        );
        None
    }
}
