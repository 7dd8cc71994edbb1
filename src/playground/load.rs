//! What the playground's address asks for on load: a shared state (`#s=…` inside the link, or
//! `?share=<id>` kept on the server), else a prompt (`?prompt=…`, sent by the evaluation page) and
//! models (`?baseline=…&custom=…`, as on the evaluation page); then the server's model list, keeping
//! a chosen baseline it knows.

use super::state::Playground;
use crate::api;
use crate::pickers::fetch_models;
use crate::routes::Query;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::snapshot::{self, Shared, SnapshotError, FRAGMENT_KEY};

fn show(playground: Playground, opened: Result<Shared, SnapshotError>) {
    match opened {
        Ok(Shared::Playground(state)) => playground.restore(state),
        Ok(Shared::Evaluation(_)) => playground.error.set(Some(
            "This link holds an evaluation, not a playground: open it on the evaluation page (/).".into(),
        )),
        Err(error) => playground.error.set(Some(format!(
            "This share link cannot be opened: {error}. Ask for a new link; nothing else was changed."
        ))),
    }
}

/// Reads the address, then the model list.
pub fn load_from_location(playground: Playground) {
    let hash = window().location().hash().unwrap_or_default();
    let fragment = hash
        .strip_prefix('#')
        .and_then(|h| h.split_once('='))
        .filter(|(key, _)| *key == FRAGMENT_KEY)
        .map(|(_, text)| text.to_string());
    let query = Query::parse(&window().location().search().unwrap_or_default());
    if let Some(text) = fragment {
        show(playground, snapshot::shared_from_fragment(&text));
    } else if let Some(id) = query.share() {
        spawn_local(async move {
            match api::open_share(&id).await {
                Ok(stored) => show(playground, snapshot::decode_shared(&stored.bytes)),
                Err(failure) => playground.error.set(Some(format!(
                    "This share link cannot be opened: {}. Ask for a new link; nothing else was changed.",
                    failure.message
                ))),
            }
        });
    } else {
        if let Some(prompt) = query.prompt() {
            playground.prompt.set(prompt);
        }
        if let Some((baseline, customs)) = query.models() {
            playground.baseline.set(baseline);
            playground.customs.set(customs);
        }
    }
    fetch_models(
        playground.models,
        playground.baseline,
        playground.customs,
        playground.error,
    );
}
