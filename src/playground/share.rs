//! The playground's share link, by the evaluations' mechanism (`likely_core::snapshot`, version 3):
//! `/playground#s=…` with the state inside when it fits the link budget or the server keeps nothing,
//! otherwise kept on the server (`POST /v1/shares`) and opened as `/playground?share=<id>`; the
//! browser keeps the delete token as for evaluations.

use super::state::Playground;
use crate::api;
use crate::routes::{fragment_href, playground_share_href};
use crate::share::{choose, origin, store, Choice};
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::snapshot::{self, Scope};

/// Makes a link to the playground as it is shown and puts it in `playground.link` (a failure in the
/// page's message).
pub fn make_link(playground: Playground) {
    let state = playground.snapshot();
    let bytes = match snapshot::encode_playground(&state) {
        Ok(bytes) => bytes,
        Err(error) => {
            playground
                .error
                .set(Some(format!("No link could be made: {error}.")));
            return;
        }
    };
    let fragment = snapshot::to_fragment(&bytes);
    spawn_local(async move {
        let stores = api::share_capabilities()
            .await
            .map(|c| c.stored)
            .unwrap_or(false);
        let link = match choose(fragment.len(), stores) {
            Choice::Fragment => format!("{}{}", origin(), fragment_href(true, &fragment)),
            Choice::Stored => match store(&bytes, Scope::Everything, None).await {
                Ok(stored) => format!("{}{}", origin(), playground_share_href(&stored.created.id)),
                Err(failure) => {
                    playground.error.set(Some(format!(
                        "The server could not keep the link: {failure}."
                    )));
                    return;
                }
            },
        };
        playground.link.set(Some(link));
    });
}
