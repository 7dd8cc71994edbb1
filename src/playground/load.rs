//! What the playground's address asks for on load: a shared state (`#s=…` inside the link, or
//! `?share=<id>` kept on the server), else a prompt (`?prompt=…`, sent by the evaluation page) and
//! models (`?baseline=…&custom=…`, as on the evaluation page); then the server's model list, keeping
//! a chosen baseline it knows.

use super::share::SHARE_QUERY_KEY;
use super::state::Playground;
use crate::api;
use crate::customize::preselected_models;
use crate::pickers::fetch_models;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::snapshot::{self, Shared, SnapshotError, FRAGMENT_KEY};
use web_sys::UrlSearchParams;

/// The query key of a prompt sent to the playground.
pub const PROMPT_QUERY_KEY: &str = "prompt";

fn query_value(key: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = UrlSearchParams::new_with_str(&search).ok()?;
    params.get(key).filter(|value| !value.is_empty())
}

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
    if let Some(text) = fragment {
        show(playground, snapshot::shared_from_fragment(&text));
    } else if let Some(id) = query_value(SHARE_QUERY_KEY) {
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
        if let Some(prompt) = query_value(PROMPT_QUERY_KEY) {
            playground.prompt.set(prompt);
        }
        if let Some((baseline, customs)) = preselected_models() {
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

/// The playground's address with `prompt` and the models chosen: what the evaluation page links to.
pub fn playground_href(prompt: &str, baseline: &str, customs: &[String]) -> String {
    let Ok(params) = UrlSearchParams::new() else {
        return "/playground".to_string();
    };
    if !prompt.is_empty() {
        params.append(PROMPT_QUERY_KEY, prompt);
    }
    if !baseline.is_empty() {
        params.append("baseline", baseline);
    }
    for custom in customs {
        params.append("custom", custom);
    }
    format!("/playground?{}", String::from(params.to_string()))
}
