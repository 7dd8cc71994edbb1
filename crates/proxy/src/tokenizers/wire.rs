//! vLLM's token routes on the wire: `POST /tokenize` (`{"prompt", "add_special_tokens"}` →
//! `{"tokens", "count", "max_model_len"}`), `POST /detokenize` (`{"tokens"}` → `{"prompt"}`) and
//! `GET /tokenizer_info`; and the one reader of token-id lists, shared with the completions prompt.
//! Ids are read from JSON values by hand so that a float, a negative number or a text in a list gets
//! a message naming its position instead of serde's generic one.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most ids one list may hold, whatever the body limit allows.
pub const MAX_IDS: usize = 1 << 20;

/// `POST /tokenize` (and `/vllm/<model>/tokenize`).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenizeRequest {
    /// The model, at the root; ignored under a model's base URL unless it names another model.
    #[serde(default)]
    pub model: Option<String>,
    /// The text.
    pub prompt: String,
    /// Whether to add what the tokenizer adds around a sequence (vLLM's default: yes).
    #[serde(default = "yes")]
    pub add_special_tokens: bool,
}

fn yes() -> bool {
    true
}

/// The ids of a text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenizeResponse {
    /// How many.
    pub count: usize,
    /// The model's longest sequence.
    pub max_model_len: Option<u64>,
    /// The ids.
    pub tokens: Vec<u32>,
}

/// `POST /detokenize` (and `/vllm/<model>/detokenize`).
#[derive(Debug, Clone, Deserialize)]
pub struct DetokenizeRequest {
    /// The model, at the root.
    #[serde(default)]
    pub model: Option<String>,
    /// The ids, read by [`ids`].
    pub tokens: Value,
}

/// The text of some ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DetokenizeResponse {
    /// The text.
    pub prompt: String,
}

/// `GET /vllm/<model>/tokenizer_info`: what lm-evaluation-harness reads (`eos_token`, `bos_token`)
/// and what a person wants to know.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenizerInfo {
    /// The tokenizer's name (`gpt2`, or the folder of its `tokenizer.json`).
    pub tokenizer_class: String,
    /// The model this base URL serves.
    pub model: String,
    /// End of sequence, as text.
    pub eos_token: Option<String>,
    /// Beginning of sequence, as text.
    pub bos_token: Option<String>,
    /// Padding, as text.
    pub pad_token: Option<String>,
    /// The model's longest sequence.
    pub model_max_length: Option<u64>,
    /// Valid ids are below this.
    pub vocab_size: usize,
}

/// The ids of a JSON list; `field` names it in messages. Each must be a whole number from 0 to
/// 4294967295; the list may not be empty nor longer than [`MAX_IDS`].
pub fn ids(value: &Value, field: &str) -> Result<Vec<u32>, String> {
    let Value::Array(items) = value else {
        return Err(format!("`{field}` must be a list of token ids"));
    };
    if items.is_empty() {
        return Err(format!("`{field}` is an empty list of token ids"));
    }
    if items.len() > MAX_IDS {
        return Err(format!(
            "`{field}` holds {} token ids; at most {MAX_IDS}",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| {
                    format!(
                        "`{field}[{index}]` is {}; token ids are whole numbers from 0 to {}",
                        shown(item),
                        u32::MAX
                    )
                })
        })
        .collect()
}

/// A short rendering of a JSON value for a message.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_whole_non_negative_numbers() {
        assert_eq!(ids(&json!([0, 1, 50256]), "tokens").unwrap(), [0, 1, 50256]);
        let message = ids(&json!([1, 2.5]), "tokens").unwrap_err();
        assert!(message.contains("`tokens[1]` is 2.5"), "{message}");
        assert!(ids(&json!([-1]), "tokens").unwrap_err().contains("[0]"));
        assert!(ids(&json!([4294967296u64]), "t").is_err());
        assert!(ids(&json!(["a"]), "t").unwrap_err().contains("\"a\""));
        assert!(ids(&json!([]), "t").unwrap_err().contains("empty"));
        assert!(ids(&json!("1 2"), "t").is_err());
        let request: TokenizeRequest = serde_json::from_value(json!({"prompt": "a"})).unwrap();
        assert!(request.add_special_tokens, "vLLM's default");
    }
}
