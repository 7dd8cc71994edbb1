//! An evaluation given to someone else: the share-link codec (`link`, re-exported here), the share-link
//! API on the wire (`api`) and the JSON and CSV exports (`export`).

pub mod api;
pub mod export;
pub mod link;

pub use link::{decode, encode, ShareError, MAX_ENCODED_LEN, MAX_JSON_BYTES};
