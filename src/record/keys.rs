//! Delete tokens of the runs this browser recorded, in localStorage keyed by the run's id: whoever
//! holds one can delete the run. They never leave this browser except to delete.

use crate::storage;
use likely_core::record::RUN_TOKEN_STORAGE_PREFIX;

fn key(id: &str) -> String {
    format!("{RUN_TOKEN_STORAGE_PREFIX}{id}")
}

/// Keeps the delete token of run `id`; false if the browser keeps nothing (private mode).
pub fn remember(id: &str, token: &str) -> bool {
    storage::set(&key(id), token)
}

/// The delete token of run `id`, if this browser recorded it.
pub fn token_of(id: &str) -> Option<String> {
    storage::get(&key(id))
}

/// Forgets the delete token of run `id`.
pub fn forget(id: &str) {
    storage::remove(&key(id));
}
