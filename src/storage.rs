//! The browser's `localStorage`, for what the page keeps between visits (delete tokens, the author
//! label). Every call tolerates a browser that keeps nothing (private mode): reads find nothing,
//! writes say they failed.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps `value` under `key`; false if the browser keeps nothing.
pub fn set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// The value kept under `key`.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Forgets `key`.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Delete tokens this browser keeps, one per id under `prefix` + id: whoever holds one can delete
/// what it names (a share link's snapshot, a recorded run). They never leave this browser except
/// to delete.
#[derive(Debug, Clone, Copy)]
pub struct DeleteTokens {
    prefix: &'static str,
}

impl DeleteTokens {
    /// The tokens kept under `prefix`.
    pub const fn new(prefix: &'static str) -> DeleteTokens {
        DeleteTokens { prefix }
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    /// Keeps the delete token of `id`; false if the browser keeps nothing (private mode).
    pub fn remember(&self, id: &str, token: &str) -> bool {
        set(&self.key(id), token)
    }

    /// The delete token of `id`, if this browser made it.
    pub fn token_of(&self, id: &str) -> Option<String> {
        get(&self.key(id))
    }

    /// Forgets the delete token of `id`.
    pub fn forget(&self, id: &str) {
        remove(&self.key(id));
    }
}
