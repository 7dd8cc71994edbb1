//! Share links: the whole evaluation, compressed into the URL's fragment (`#e=…`), which browsers
//! never send to a server. Opening the link shows the same evaluation with the same numbers; a broken
//! link says so and loses nothing.

use crate::state::{use_dashboard, Dashboard};
use leptos::prelude::*;
use likely_core::share::{decode, encode};

/// The fragment key of a shared evaluation.
const KEY: &str = "#e=";

/// Opens the evaluation of the page's share link, if it has one.
pub fn open_from_location(dashboard: Dashboard) {
    let Ok(hash) = window().location().hash() else {
        return;
    };
    let Some(encoded) = hash.strip_prefix(KEY) else {
        return;
    };
    match decode(encoded) {
        Ok(evaluation) => {
            if evaluation.snippets.len() == 1 {
                dashboard.text.set(evaluation.snippets[0].text.clone());
            }
            dashboard.baseline.set(evaluation.baseline.model.name.clone());
            dashboard
                .customs
                .set(evaluation.custom.iter().map(|r| r.model.name.clone()).collect());
            dashboard.params.set(evaluation.params.clone());
            dashboard.evaluation.set(Some(evaluation));
        }
        Err(error) => dashboard.error.set(Some(format!(
            "This share link cannot be opened: {error}. Ask for a new link; nothing else was changed."
        ))),
    }
}

/// The share button and, once made, the link.
#[component]
pub fn SharePanel() -> impl IntoView {
    let dashboard = use_dashboard();
    let link = RwSignal::new(None::<String>);
    let make = move |_| {
        let encoded = dashboard
            .evaluation
            .with_untracked(|e| e.as_ref().map(encode));
        match encoded {
            Some(Ok(encoded)) => {
                let location = window().location();
                let base = format!(
                    "{}{}",
                    location.origin().unwrap_or_default(),
                    location.pathname().unwrap_or_default()
                );
                let url = format!("{base}{KEY}{encoded}");
                let _ = window().history().and_then(|h| {
                    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                });
                let clipboard = window().navigator().clipboard();
                let _ = clipboard.write_text(&url);
                link.set(Some(url));
            }
            Some(Err(error)) => dashboard.error.set(Some(format!("No share link: {error}"))),
            None => {}
        }
    };
    view! {
        <div class="share">
            <button type="button" data-testid="share-button" on:click=make>"Copy share link"</button>
            {move || link.get().map(|url| {
                let size = url.len();
                view! {
                    <input class="share-link" data-testid="share-link" readonly value=url.clone() aria-label="Share link" />
                    <span class="hint">{format!("{} KB; the evaluation travels in the link itself, nothing is stored on a server", size / 1024 + 1)}</span>
                }
            })}
        </div>
    }
}
