//! The share-link codec: an [`Evaluation`] as serde JSON, compressed with raw deflate (`miniz_oxide`,
//! pure Rust), written in base64url without padding, so a link carries the whole value and nothing is
//! stored on a server. Decoding refuses oversized input before and while inflating (a zip bomb stops
//! at [`MAX_JSON_BYTES`]), checks the schema version, then validates the value.
//!
//! Round trips are exact: serde_json writes each f64 in its shortest exact form and, with its
//! `float_roundtrip` feature, reads it back to the same bits.

use crate::evaluation::{Evaluation, EvaluationError, SCHEMA_VERSION};
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde::Deserialize;
use thiserror::Error;

/// The longest encoded text accepted (characters).
pub const MAX_ENCODED_LEN: usize = 16 * 1024 * 1024;
/// The most JSON a link may inflate to (bytes).
pub const MAX_JSON_BYTES: usize = 64 * 1024 * 1024;
/// Deflate level for JSON up to [`SMALL_JSON_BYTES`]: miniz's best, the link's length mattering more
/// than milliseconds (3 models × 2,000 tokens: 25 ms).
const LEVEL_SMALL: u8 = 9;
/// Deflate level above: twice as fast for 2% more characters (4 models × 100,000 tokens: 1.6 s
/// instead of 3.2 s natively).
const LEVEL_LARGE: u8 = 6;
/// Where the level changes.
const SMALL_JSON_BYTES: usize = 1 << 20;

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a share link could not be made or read.
#[derive(Debug, Error)]
pub enum ShareError {
    /// The value could not be written as JSON.
    #[error("could not encode the evaluation: {0}")]
    Encode(String),
    /// The text is longer than any link this page makes.
    #[error("the share link is too long ({len} characters, at most {max})")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The text is not base64url.
    #[error("the share link is damaged (not base64url: {0})")]
    NotBase64(String),
    /// The bytes are not deflate data.
    #[error("the share link is damaged (not compressed data: {0})")]
    NotDeflate(String),
    /// The data inflates past the limit.
    #[error("the share link expands to more than {max} bytes and was refused")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The inflated data is not an evaluation in JSON.
    #[error("the share link is damaged (not an evaluation: {0})")]
    NotJson(String),
    /// The link comes from another version of the page.
    #[error("the share link has evaluation version {found}; this page reads version {supported}")]
    UnsupportedVersion {
        /// The version in the link.
        found: u32,
        /// The version this page reads.
        supported: u32,
    },
    /// The value is inconsistent.
    #[error("the share link holds an inconsistent evaluation: {0}")]
    Invalid(EvaluationError),
}

/// The share-link text of `evaluation`.
pub fn encode(evaluation: &Evaluation) -> Result<String, ShareError> {
    let json = serde_json::to_vec(evaluation).map_err(|e| ShareError::Encode(e.to_string()))?;
    let level = if json.len() <= SMALL_JSON_BYTES {
        LEVEL_SMALL
    } else {
        LEVEL_LARGE
    };
    let compressed = miniz_oxide::deflate::compress_to_vec(&json, level);
    Ok(BASE64URL.encode(compressed))
}

#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    schema_version: u32,
}

/// The evaluation in a share-link text (surrounding whitespace ignored).
pub fn decode(text: &str) -> Result<Evaluation, ShareError> {
    decode_with_limit(text, MAX_JSON_BYTES)
}

fn decode_with_limit(text: &str, max_json_bytes: usize) -> Result<Evaluation, ShareError> {
    let text = text.trim();
    if text.len() > MAX_ENCODED_LEN {
        return Err(ShareError::TooLong {
            len: text.len(),
            max: MAX_ENCODED_LEN,
        });
    }
    let compressed = BASE64URL
        .decode(text)
        .map_err(|e| ShareError::NotBase64(e.to_string()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, max_json_bytes)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge {
                max: max_json_bytes,
            },
            _ => ShareError::NotDeflate(e.to_string()),
        })?;
    // Read as text (`from_str`, as the page reads every JSON): the wasm then holds one copy of
    // serde_json's reader, not a second one for byte slices.
    let json = std::str::from_utf8(&json).map_err(|e| ShareError::NotJson(e.to_string()))?;
    let probe: VersionProbe =
        serde_json::from_str(json).map_err(|e| ShareError::NotJson(e.to_string()))?;
    if probe.schema_version != SCHEMA_VERSION {
        return Err(ShareError::UnsupportedVersion {
            found: probe.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    let evaluation: Evaluation =
        serde_json::from_str(json).map_err(|e| ShareError::NotJson(e.to_string()))?;
    evaluation.validate().map_err(ShareError::Invalid)?;
    Ok(evaluation)
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
