//! Snapshots: an evaluation frozen for a share link, stored on the server or carried in a link's
//! `#s=` fragment. The bytes are `LKSN`, a format version, then raw deflate of a postcard-encoded,
//! column-oriented value ([`format`]): each snippet's text once, token boundaries as byte lengths,
//! log-likelihoods as exact f64 columns byte-shuffled so deflate finds their repeated sign and
//! exponent bytes. Reading refuses oversized input before and while inflating, checks the version,
//! rebuilds the [`Evaluation`] and validates it with the same rules as an API answer.
//!
//! A snapshot holds [`Scope::Everything`], or [`Scope::Figures`]: no held-out text and no token
//! strings, only what the figures need (token byte lengths, log-likelihoods, ranks); see [`redact`].
//!
//! Version [`DISTRIBUTION_VERSION`] is version 2 followed by the whole-distribution figures
//! (`distribution`); an evaluation without them is still written as version 2.
//!
//! Version [`PLAYGROUND_VERSION`] holds a playground's state instead (`playground`): the same link
//! mechanism, read by [`decode_shared`]; [`decode`] reads evaluations only and says when a link holds
//! a playground.

mod columns;
mod distribution;
mod format;
mod playground;
pub mod redact;
mod value;

pub use value::{Scope, Shared, Snapshot, SnapshotError, Summary};

use crate::evaluation::Evaluation;
use crate::playground::PlaygroundState;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// The first bytes of every snapshot.
pub const MAGIC: &[u8; 4] = b"LKSN";
/// The format this code writes; it reads this one and every older one listed in [`format`].
pub const FORMAT_VERSION: u8 = 2;
/// The version of a playground's snapshot (its own layout, `playground`).
pub const PLAYGROUND_VERSION: u8 = 3;
/// The version of an evaluation's snapshot with whole-distribution figures (`distribution`).
pub const DISTRIBUTION_VERSION: u8 = 4;
/// The newest version this code reads.
pub const NEWEST_VERSION: u8 = DISTRIBUTION_VERSION;
/// The most a snapshot may inflate to (bytes).
pub const MAX_INFLATED_BYTES: usize = 256 * 1024 * 1024;
/// The longest fragment text accepted (characters).
pub const MAX_FRAGMENT_LEN: usize = 16 * 1024 * 1024;
/// The fragment key of a snapshot link: `#s=…`.
pub const FRAGMENT_KEY: &str = "s";
/// The largest link the page makes with the snapshot in its fragment. Above it (with a store), the
/// page keeps the snapshot on the server. 8,000 characters: links of that size survive the browsers,
/// chat tools and wikis teams paste them into (many cut near 8 KB; e-mail clients fold long lines), and
/// hold about a thousand tokens of one model with text (BENCHMARKS.md).
pub const FRAGMENT_BUDGET_CHARS: usize = 8_000;
/// Deflate level: miniz's 6 is within 2% of its best size at twice the speed on large evaluations.
const DEFLATE_LEVEL: u8 = 6;

/// The snapshot bytes of `evaluation` holding `scope`.
pub fn encode(evaluation: &Evaluation, scope: Scope) -> Result<Vec<u8>, SnapshotError> {
    let encoded = if distribution::needs_v4(evaluation) {
        let value = distribution::SnapshotV4::from_evaluation(evaluation, scope);
        postcard::to_allocvec(&value).map(|packed| (DISTRIBUTION_VERSION, packed))
    } else {
        let value = format::SnapshotV2::from_evaluation(evaluation, scope);
        postcard::to_allocvec(&value).map(|packed| (FORMAT_VERSION, packed))
    };
    let (version, packed) = encoded.map_err(|e| SnapshotError::Encode(e.to_string()))?;
    Ok(framed(version, &packed))
}

/// The bytes of a playground's snapshot (format version [`PLAYGROUND_VERSION`]).
pub fn encode_playground(state: &PlaygroundState) -> Result<Vec<u8>, SnapshotError> {
    let value = playground::PlaygroundV3::of(state);
    let packed = postcard::to_allocvec(&value).map_err(|e| SnapshotError::Encode(e.to_string()))?;
    Ok(framed(PLAYGROUND_VERSION, &packed))
}

fn framed(version: u8, packed: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(packed.len() / 2 + 8);
    bytes.extend_from_slice(MAGIC);
    bytes.push(version);
    bytes.extend(miniz_oxide::deflate::compress_to_vec(packed, DEFLATE_LEVEL));
    bytes
}

/// The evaluation snapshot in `bytes`, validated ([`SnapshotError::IsPlayground`] for a playground's).
pub fn decode(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    match decode_with_limit(bytes, MAX_INFLATED_BYTES)? {
        Shared::Evaluation(snapshot) => Ok(snapshot),
        Shared::Playground(_) => Err(SnapshotError::IsPlayground),
    }
}

/// Whatever snapshot `bytes` hold, validated.
pub fn decode_shared(bytes: &[u8]) -> Result<Shared, SnapshotError> {
    decode_with_limit(bytes, MAX_INFLATED_BYTES)
}

fn decode_with_limit(bytes: &[u8], max_inflated: usize) -> Result<Shared, SnapshotError> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or(SnapshotError::NotASnapshot)?;
    let (&version, compressed) = rest.split_first().ok_or(SnapshotError::NotASnapshot)?;
    if ![FORMAT_VERSION, PLAYGROUND_VERSION, DISTRIBUTION_VERSION].contains(&version) {
        return Err(SnapshotError::UnsupportedVersion {
            found: version,
            supported: NEWEST_VERSION,
        });
    }
    let packed = miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, max_inflated)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                SnapshotError::TooLarge { max: max_inflated }
            }
            _ => SnapshotError::NotDeflate(e.to_string()),
        })?;
    let damaged = |e: postcard::Error| SnapshotError::Damaged(e.to_string());
    if version == PLAYGROUND_VERSION {
        let value: playground::PlaygroundV3 = postcard::from_bytes(&packed).map_err(damaged)?;
        return Ok(Shared::Playground(value.into_state()?));
    }
    let snapshot = if version == DISTRIBUTION_VERSION {
        let value: distribution::SnapshotV4 = postcard::from_bytes(&packed).map_err(damaged)?;
        value.into_snapshot()?
    } else {
        let value: format::SnapshotV2 = postcard::from_bytes(&packed).map_err(damaged)?;
        value.into_snapshot()?
    };
    snapshot.evaluation.validate()?;
    Ok(Shared::Evaluation(snapshot))
}

/// Decodes and validates `bytes`, and says what they hold: what a server checks before keeping them.
pub fn inspect(bytes: &[u8]) -> Result<Summary, SnapshotError> {
    Ok(match decode_shared(bytes)? {
        Shared::Evaluation(snapshot) => Summary {
            scope: snapshot.scope,
            models: snapshot
                .evaluation
                .model_names()
                .map(str::to_string)
                .collect(),
            snippets: snapshot.evaluation.snippets.len(),
        },
        Shared::Playground(state) => Summary {
            scope: Scope::Everything,
            models: state.models(),
            snippets: 1,
        },
    })
}

const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The fragment text (after `#s=`) carrying `bytes`.
pub fn to_fragment(bytes: &[u8]) -> String {
    BASE64URL.encode(bytes)
}

/// The evaluation snapshot carried by a fragment text (surrounding whitespace ignored).
pub fn from_fragment(text: &str) -> Result<Snapshot, SnapshotError> {
    decode(&fragment_bytes(text)?)
}

/// Whatever snapshot a fragment text carries.
pub fn shared_from_fragment(text: &str) -> Result<Shared, SnapshotError> {
    decode_shared(&fragment_bytes(text)?)
}

fn fragment_bytes(text: &str) -> Result<Vec<u8>, SnapshotError> {
    let text = text.trim();
    if text.len() > MAX_FRAGMENT_LEN {
        return Err(SnapshotError::FragmentTooLong {
            len: text.len(),
            max: MAX_FRAGMENT_LEN,
        });
    }
    BASE64URL
        .decode(text)
        .map_err(|e| SnapshotError::NotBase64(e.to_string()))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
