//! The share-link API on the wire, written once for the page and the server: `GET /v1/capabilities`,
//! the answer of `POST /v1/shares`, the headers of `GET /v1/shares/{id}` and `DELETE`, and the page
//! route of a stored link.

use serde::{Deserialize, Serialize};

/// The header carrying a delete token (never in a URL, so it stays out of logs and histories).
pub const DELETE_TOKEN_HEADER: &str = "likely-delete-token";
/// `GET /v1/shares/{id}`: when the snapshot was kept (RFC 3339).
pub const CREATED_AT_HEADER: &str = "likely-created-at";
/// `GET /v1/shares/{id}`: when it expires (RFC 3339), if ever.
pub const EXPIRES_AT_HEADER: &str = "likely-expires-at";
/// `GET /v1/shares/{id}`: what it holds (`everything` or `figures`).
pub const SCOPE_HEADER: &str = "likely-share-scope";
/// The page's route that opens a stored link: `/s/<id>`.
pub const SHARE_PATH_PREFIX: &str = "/s/";

/// What the server can do beyond scoring (`GET /v1/capabilities`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Stored share links.
    pub shares: ShareCapabilities,
    /// The team's record (runs and kept held-out sets); `None` from a server without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<crate::record::RecordCapabilities>,
}

/// Stored share links on this server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShareCapabilities {
    /// Whether `POST /v1/shares` keeps snapshots (`false` with `--store none`).
    pub stored: bool,
    /// The largest snapshot kept, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_snapshot_bytes: Option<u64>,
    /// The longest expiry allowed, in seconds (`None`: links may last for ever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_expiry_secs: Option<u64>,
}

/// The answer to `POST /v1/shares`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedShare {
    /// The snapshot's id.
    pub id: String,
    /// The link to open, on the address the request came to.
    pub url: String,
    /// The link's path, for a page that builds the link on its own origin.
    pub path: String,
    /// The secret that deletes the snapshot (sent as [`DELETE_TOKEN_HEADER`]).
    pub delete_token: String,
    /// When it was kept (RFC 3339).
    pub created_at: String,
    /// When it expires (RFC 3339), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// What it holds.
    pub scope: String,
    /// Its size in bytes.
    pub size_bytes: u64,
}
