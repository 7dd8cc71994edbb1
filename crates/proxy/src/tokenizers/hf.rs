//! A Hugging Face `tokenizer.json`, read with the `tokenizers` crate (pure Rust: its `fancy-regex`
//! engine, no Oniguruma, no C++). The special tokens and the longest sequence come from the
//! `tokenizer_config.json` beside it when there is one (`eos_token`, `bos_token`, `pad_token`,
//! `model_max_length`, each a text or `{"content": …}`); without it, from the file's special added
//! tokens with the usual names.

use super::{ModelTokenizer, SpecialTokens, TokenizerError};
use serde_json::Value;
use std::path::Path;

/// A tokenizer read from a `tokenizer.json`.
pub struct HfTokenizer {
    name: String,
    inner: ::tokenizers::Tokenizer,
    vocab_size: usize,
    specials: SpecialTokens,
    max_len: Option<usize>,
}

impl std::fmt::Debug for HfTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfTokenizer")
            .field("name", &self.name)
            .field("vocab_size", &self.vocab_size)
            .finish_non_exhaustive()
    }
}

fn failed(error: impl std::fmt::Display) -> TokenizerError {
    TokenizerError::Failed(error.to_string())
}

impl HfTokenizer {
    /// Reads `path` (and the `tokenizer_config.json` beside it, when present).
    pub fn from_file(path: &Path) -> Result<HfTokenizer, TokenizerError> {
        let inner = ::tokenizers::Tokenizer::from_file(path).map_err(failed)?;
        let vocab_size = inner
            .get_vocab(true)
            .values()
            .max()
            .map_or(0, |&id| id as usize + 1);
        let config = path
            .parent()
            .map(|dir| dir.join("tokenizer_config.json"))
            .and_then(|config| std::fs::read_to_string(config).ok())
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .unwrap_or(Value::Null);
        let special = |key: &str| match config.get(key) {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Object(object)) => object
                .get("content")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        };
        let added: Vec<String> = inner
            .get_added_tokens_decoder()
            .values()
            .filter(|token| token.special)
            .map(|token| token.content.clone())
            .collect();
        let named = |names: &[&str]| {
            names
                .iter()
                .find(|name| added.iter().any(|token| token == *name))
                .map(|name| (*name).to_string())
        };
        let specials = SpecialTokens {
            eos: special("eos_token")
                .or_else(|| named(&["</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>"])),
            bos: special("bos_token")
                .or_else(|| named(&["<s>", "<|begin_of_text|>", "<bos>", "<|im_start|>"])),
            pad: special("pad_token").or_else(|| named(&["<pad>", "<|pad|>"])),
        };
        // Hugging Face writes a huge number for "no limit".
        let max_len = config
            .get("model_max_length")
            .and_then(Value::as_u64)
            .filter(|&len| len < 1 << 40)
            .and_then(|len| usize::try_from(len).ok());
        let name = path
            .parent()
            .and_then(Path::file_name)
            .filter(|_| {
                path.file_name()
                    .is_some_and(|file| file == "tokenizer.json")
            })
            .or_else(|| path.file_stem())
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokenizer".into());
        Ok(HfTokenizer {
            name,
            inner,
            vocab_size,
            specials,
            max_len,
        })
    }
}

impl ModelTokenizer for HfTokenizer {
    fn name(&self) -> &str {
        &self.name
    }

    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>, TokenizerError> {
        let encoding = self
            .inner
            .encode(text, add_special_tokens)
            .map_err(failed)?;
        Ok(encoding.get_ids().to_vec())
    }

    fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
        self.inner.decode(ids, false).map_err(failed)
    }

    fn decode_pieces(&self, ids: &[u32]) -> Result<Vec<String>, TokenizerError> {
        let mut stream = self.inner.decode_stream(false);
        let mut pieces = Vec::with_capacity(ids.len());
        for &id in ids {
            pieces.push(stream.step(id).map_err(failed)?.unwrap_or_default());
        }
        // Whatever the stream still held (an unfinished character) goes to the last piece, so the
        // pieces always add up to the decoded text.
        let whole = self.decode(ids)?;
        let joined = pieces.concat();
        match (whole.strip_prefix(joined.as_str()), pieces.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            (None, Some(_)) => {
                // The stream and the whole decode disagree (a decoder that strips a leading
                // space): the pieces are re-cut by prefix decoding, which always agrees.
                pieces = prefix_pieces(self, ids)?;
            }
            _ => {}
        }
        Ok(pieces)
    }

    fn specials(&self) -> SpecialTokens {
        self.specials.clone()
    }

    fn max_len(&self) -> Option<usize> {
        self.max_len
    }
}

/// Pieces as the differences of prefix decodes (quadratic, the rare fallback).
fn prefix_pieces(tokenizer: &HfTokenizer, ids: &[u32]) -> Result<Vec<String>, TokenizerError> {
    let mut pieces = Vec::with_capacity(ids.len());
    let mut done = String::new();
    for end in 1..=ids.len() {
        let text = tokenizer.decode(&ids[..end])?;
        let piece = match text.strip_prefix(done.as_str()) {
            Some(rest) if !text.ends_with(char::REPLACEMENT_CHARACTER) => rest.to_string(),
            _ => String::new(),
        };
        if !piece.is_empty() {
            done = text;
        }
        pieces.push(piece);
    }
    let whole = tokenizer.decode(ids)?;
    if let (Some(rest), Some(last)) = (whole.strip_prefix(done.as_str()), pieces.last_mut()) {
        last.push_str(rest);
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small word-level tokenizer that adds `<s>` in front of a sequence, like Llama's.
    const TOKENIZER: &str = r#"{
      "version": "1.0", "truncation": null, "padding": null,
      "added_tokens": [
        {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
        {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
      ],
      "normalizer": null,
      "pre_tokenizer": {"type": "Whitespace"},
      "post_processor": {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}
      },
      "decoder": null,
      "model": {"type": "WordLevel", "vocab": {"<s>": 0, "</s>": 1, "<unk>": 2, "to": 3, "be": 4, "or": 5, "not": 6}, "unk_token": "<unk>"}
    }"#;

    #[test]
    fn a_tokenizer_json_and_its_config_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("tiny-llama");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("tokenizer.json");
        std::fs::write(&path, TOKENIZER).unwrap();
        let tokenizer = HfTokenizer::from_file(&path).unwrap();
        assert_eq!(tokenizer.name(), "tiny-llama");
        assert_eq!(tokenizer.vocab_size(), 7);
        assert_eq!(tokenizer.specials().eos.as_deref(), Some("</s>"));
        assert_eq!(tokenizer.specials().bos.as_deref(), Some("<s>"));
        assert_eq!(tokenizer.max_len(), None);
        assert_eq!(tokenizer.encode("to be or", false).unwrap(), [3, 4, 5]);
        assert_eq!(tokenizer.encode("to be", true).unwrap(), [0, 3, 4]);
        assert_eq!(
            tokenizer.encode("</s>", false).unwrap(),
            [1],
            "lm-eval's EOS id"
        );
        let ids = [0, 3, 4, 6];
        let pieces = tokenizer.decode_pieces(&ids).unwrap();
        assert_eq!(pieces.len(), ids.len());
        assert_eq!(pieces.concat(), tokenizer.decode(&ids).unwrap());

        std::fs::write(
            folder.join("tokenizer_config.json"),
            r#"{"eos_token": {"content": "<s>"}, "bos_token": "<s>", "model_max_length": 4096}"#,
        )
        .unwrap();
        let configured = HfTokenizer::from_file(&path).unwrap();
        assert_eq!(configured.specials().eos.as_deref(), Some("<s>"));
        assert_eq!(configured.max_len(), Some(4096));
        assert!(HfTokenizer::from_file(&folder.join("missing.json")).is_err());
    }
}
