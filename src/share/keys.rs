//! Delete tokens of the links this browser made, in localStorage keyed by the link's id: whoever
//! holds one can delete its snapshot. They never leave this browser except to delete.

/// The localStorage key of the delete token of link `id`.
fn key(id: &str) -> String {
    format!("likely.share.delete.{id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps the delete token of link `id`; false if the browser keeps nothing (private mode).
pub fn remember(id: &str, token: &str) -> bool {
    storage().is_some_and(|s| s.set_item(&key(id), token).is_ok())
}

/// The delete token of link `id`, if this browser made it.
pub fn token_of(id: &str) -> Option<String> {
    storage()?.get_item(&key(id)).ok().flatten()
}

/// Forgets the delete token of link `id`.
pub fn forget(id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(id));
    }
}
