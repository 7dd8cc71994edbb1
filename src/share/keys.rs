//! Delete tokens of the share links this browser made, in localStorage keyed by the link's id.

use crate::storage::DeleteTokens;

/// The share links' delete tokens.
pub const LINKS: DeleteTokens = DeleteTokens::new("likely.share.delete.");
