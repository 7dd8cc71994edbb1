//! Making a link, the same for the evaluation page's share panel and the playground: the page's
//! origin that every link starts with, and keeping a snapshot on the server with this browser
//! remembering its delete token.

use super::keys;
use crate::api::{self, ApiFailure, CreatedShare};
use leptos::prelude::window;
use likely_core::snapshot::Scope;

/// This page's origin (`http://host:port`), the start of every link it makes.
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// A snapshot kept on the server.
pub struct Stored {
    /// The server's answer: the id, the path, the delete token, the expiry.
    pub created: CreatedShare,
    /// Whether this browser keeps the delete token (it may keep no data).
    pub token_kept: bool,
}

/// Keeps `bytes` (a snapshot holding `scope`) on the server for `expires_in` seconds (when given) and
/// remembers its delete token in this browser.
pub async fn store(
    bytes: &[u8],
    scope: Scope,
    expires_in: Option<u64>,
) -> Result<Stored, ApiFailure> {
    let created = api::create_share(bytes, scope, expires_in).await?;
    let token_kept = keys::LINKS.remember(&created.id, &created.delete_token);
    Ok(Stored {
        created,
        token_kept,
    })
}
