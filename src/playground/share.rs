//! The playground's share link, by the evaluations' mechanism (`likely_core::snapshot`, version 3):
//! `/playground#s=…` with the state inside when it fits the link budget or the server keeps nothing,
//! otherwise kept on the server (`POST /v1/shares`) and opened as `/playground?share=<id>`; the
//! browser keeps the delete token as for evaluations.

use super::state::Playground;
use crate::api;
use crate::routes::{fragment_href, playground_share_href};
use crate::share::{choose, origin, store, Choice};
use likely_core::snapshot::{self, Scope};

/// Makes a link to the playground as it is shown: the link, or why none was made. Run by the form's
/// `share-button` as an action.
pub async fn make_link(playground: Playground) -> Result<String, String> {
    let state = playground.snapshot();
    let bytes = snapshot::encode_playground(&state)
        .map_err(|error| format!("No link could be made: {error}."))?;
    let fragment = snapshot::to_fragment(&bytes);
    let stores = api::share_capabilities()
        .await
        .map(|c| c.stored)
        .unwrap_or(false);
    Ok(match choose(fragment.len(), stores) {
        Choice::Fragment => format!("{}{}", origin(), fragment_href(true, &fragment)),
        Choice::Stored => {
            let stored = store(&bytes, Scope::Everything, None)
                .await
                .map_err(|failure| format!("The server could not keep the link: {failure}."))?;
            format!("{}{}", origin(), playground_share_href(&stored.created.id))
        }
    })
}
