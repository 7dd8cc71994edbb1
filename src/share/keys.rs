//! Delete tokens of the links this browser made, in localStorage keyed by the link's id: whoever
//! holds one can delete its snapshot. They never leave this browser except to delete.

use crate::storage;

/// The localStorage key of the delete token of link `id`.
fn key(id: &str) -> String {
    format!("likely.share.delete.{id}")
}

/// Keeps the delete token of link `id`; false if the browser keeps nothing (private mode).
pub fn remember(id: &str, token: &str) -> bool {
    storage::set(&key(id), token)
}

/// The delete token of link `id`, if this browser made it.
pub fn token_of(id: &str) -> Option<String> {
    storage::get(&key(id))
}

/// Forgets the delete token of link `id`.
pub fn forget(id: &str) {
    storage::remove(&key(id));
}
