//! Opening a share link: a stored link (`/s/<id>`, read from the server), a link with the snapshot
//! inside (`#s=`), an older link in the previous format (`#e=`), or a recorded run (`/runs/<id>`,
//! whose snapshot is a share snapshot). Opening shows the snapshot's
//! figures and never calls the Generate API; a missing, deleted, expired or broken link says so and
//! leaves the page usable. A link holding a playground goes to the playground. A link pasted into the
//! address bar of the open page only changes its fragment: [`follow_hash_changes`] opens it, after asking
//! first when it would replace an unsaved evaluation (declined, the address goes back to what the page
//! shows).

use crate::api;
use crate::routes::{
    playground_hash_href, playground_share_href, route_of, stored_share_id, Route,
};
use crate::state::{Dashboard, LinkKind, Opened};
use crate::unsaved::confirm_replace;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use likely_core::evaluation::Evaluation;
use likely_core::snapshot::{self, Scope, SnapshotError, FRAGMENT_KEY};
use std::future::Future;
use std::pin::Pin;

/// The fragment key of a link in the previous format (`likely_core::share`).
const LEGACY_KEY: &str = "e";

/// A link the page opens.
enum Link {
    /// A stored share link (`/s/<id>`).
    Stored(String),
    /// A recorded run (`/runs/<id>`).
    Run(String),
    /// A share link with its snapshot in the fragment (`#s=…` or `#e=…`, with its `#`).
    Fragment(String),
}

/// Opens the share link the page was loaded with, if any.
pub fn open_from_location(dashboard: Dashboard) {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    if let Some(id) = stored_share_id(&path) {
        spawn_local(open(dashboard, Link::Stored(id)));
        return;
    }
    if let Route::Run(id) = route_of(&path) {
        spawn_local(open(dashboard, Link::Run(id)));
        return;
    }
    let hash = location.hash().unwrap_or_default();
    if share_fragment(&hash).is_some() {
        spawn_local(open(dashboard, Link::Fragment(hash)));
    }
}

/// Opens `link`. Reading links (the snapshot's inflate and decoding) is a piece of wasm of its own
/// (`crate::lazy`), downloaded first: a visit without a link never needs it.
async fn open(dashboard: Dashboard, link: Link) {
    match opener(dashboard, link).await {
        Ok(opening) => opening.await,
        Err(_) => dashboard.error.set(Some(
            "This link cannot be opened: the page's code for it could not be downloaded. Check the \
             connection and reload the page."
                .to_string(),
        )),
    }
}

#[wasm_split(open_link, wasm_split_path = ::leptos::wasm_split, fallible)]
fn opener(
    dashboard: Dashboard,
    link: Link,
) -> Result<Pin<Box<dyn Future<Output = ()>>>, SplitLoaderError> {
    Ok(match link {
        Link::Stored(id) => Box::pin(open_stored(dashboard, id)),
        Link::Run(id) => Box::pin(open_run(dashboard, id)),
        Link::Fragment(hash) => {
            open_fragment(dashboard, &hash);
            Box::pin(async {})
        }
    })
}

/// The key and text of a share link's fragment (`#s=…` or `#e=…`), if `hash` is one.
fn share_fragment(hash: &str) -> Option<(&str, &str)> {
    hash.strip_prefix('#')
        .and_then(|h| h.split_once('='))
        .filter(|(key, _)| *key == FRAGMENT_KEY || *key == LEGACY_KEY)
}

/// Opens share links that arrive in the fragment while the page is open (pasted into the address
/// bar, or the browser's back and forward buttons), asking first when the evaluation on screen is
/// unsaved. Declined, the address is set back to the one before, so it matches what is shown.
pub fn follow_hash_changes(dashboard: Dashboard) {
    // The page lives as long as the window: the listener is never removed.
    let _listener = window_event_listener(leptos::ev::hashchange, move |event| {
        let hash = window().location().hash().unwrap_or_default();
        if share_fragment(&hash).is_none() {
            return;
        }
        if confirm_replace(dashboard) {
            spawn_local(open(dashboard, Link::Fragment(hash)));
        } else if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&event.old_url()),
            );
        }
    });
}

/// Opens the share link in the fragment `hash` (with its `#`), if it holds one.
fn open_fragment(dashboard: Dashboard, hash: &str) {
    let Some((key, text)) = share_fragment(hash) else {
        return;
    };
    let opened = Opened {
        kind: LinkKind::Fragment,
        scope: Scope::Everything,
        created_at: None,
        expires_at: None,
    };
    if key == FRAGMENT_KEY {
        match snapshot::from_fragment(text) {
            Err(SnapshotError::IsPlayground) => go_to(&playground_hash_href(hash)),
            Ok(found) => show(
                dashboard,
                found.evaluation,
                Opened {
                    scope: found.scope,
                    ..opened
                },
            ),
            Err(error) => refuse(dashboard, &error.to_string()),
        }
    } else if key == LEGACY_KEY {
        match likely_core::share::decode(text) {
            Ok(evaluation) => show(dashboard, evaluation, opened),
            Err(error) => refuse(dashboard, &error.to_string()),
        }
    }
}

async fn open_stored(dashboard: Dashboard, id: String) {
    match api::open_share(&id).await {
        Ok(stored) => match snapshot::decode(&stored.bytes) {
            Err(SnapshotError::IsPlayground) => go_to(&playground_share_href(&id)),
            Ok(found) => show(
                dashboard,
                found.evaluation,
                Opened {
                    kind: LinkKind::Stored(id),
                    scope: found.scope,
                    created_at: stored.created_at,
                    expires_at: stored.expires_at,
                },
            ),
            Err(error) => refuse(dashboard, &error.to_string()),
        },
        Err(failure) => refuse(dashboard, &failure.message),
    }
}

/// Opens the recorded run `id` as a share link opens: its snapshot's figures, no Generate call.
async fn open_run(dashboard: Dashboard, id: String) {
    let detail = match api::record::open_run(&id).await {
        Ok(detail) => detail,
        Err(failure) => return refuse_run(dashboard, &failure.message),
    };
    let Some(text) = detail.snapshot else {
        return refuse_run(dashboard, "the server kept no snapshot of it");
    };
    match snapshot::from_fragment(&text) {
        Ok(found) => show(
            dashboard,
            found.evaluation,
            Opened {
                kind: LinkKind::Run(id),
                scope: found.scope,
                created_at: Some(detail.created_at),
                expires_at: None,
            },
        ),
        Err(error) => refuse_run(dashboard, &error.to_string()),
    }
}

fn refuse_run(dashboard: Dashboard, why: &str) {
    dashboard.error.set(Some(format!(
        "This run cannot be opened: {why}. The list of runs is at /runs; nothing else was changed."
    )));
}

/// A playground's link opens the playground at `address`.
fn go_to(address: &str) {
    let _ = window().location().replace(address);
}

fn refuse(dashboard: Dashboard, why: &str) {
    dashboard.error.set(Some(format!(
        "This share link cannot be opened: {why}. Ask for a new link; nothing else was changed."
    )));
}

fn show(dashboard: Dashboard, evaluation: Evaluation, opened: Opened) {
    if opened.scope == Scope::Everything && evaluation.snippets.len() == 1 {
        dashboard.text.set(evaluation.snippets[0].text.clone());
    }
    dashboard
        .baseline
        .set(evaluation.baseline.model.name.clone());
    dashboard.customs.set(
        evaluation
            .custom
            .iter()
            .map(|r| r.model.name.clone())
            .collect(),
    );
    dashboard.params.set(evaluation.params.clone());
    // What a link holds is kept by the link: replacing it loses nothing.
    crate::unsaved::mark_saved(&evaluation);
    dashboard.opened.set(Some(opened));
    dashboard.evaluation.set(Some(evaluation));
}
