//! The share panel: choose what the link holds (everything, or figures only: the text never leaves
//! the browser) and, for stored links, when it expires; make it; read it in a text field without
//! clipboard permissions; delete it.

use crate::api;
use crate::routes::fragment_href;
use crate::share::choice::{choose, reason, Choice};
use crate::share::delete::DeleteButton;
use crate::share::expiry;
use crate::share::make::{origin, store, Stored};
use crate::state::use_dashboard;
use crate::when::When;
use leptos::prelude::*;
use likely_core::snapshot::{self, Scope};

/// A link made.
#[derive(Debug, Clone, PartialEq)]
struct Made {
    url: String,
    reason: String,
    /// The stored link's id.
    stored: Option<String>,
}

/// The share controls, the button and, once made, the link.
#[component]
pub fn SharePanel() -> impl IntoView {
    let dashboard = use_dashboard();
    // Without an answer, links carry the evaluation (they need nothing from the server).
    let capabilities =
        LocalResource::new(|| async { api::share_capabilities().await.unwrap_or_default() });
    let scope = RwSignal::new(Scope::Everything);
    let expiry_value = RwSignal::new(None::<String>);
    let made = RwSignal::new(None::<Made>);
    let failure = RwSignal::new(None::<String>);
    let choices = Memo::new(move |_| {
        expiry::choices(capabilities.with(|c| c.as_ref().and_then(|c| c.max_expiry_secs)))
    });
    let mark_saved = move || {
        dashboard
            .evaluation
            .with_untracked(|e| e.as_ref().map(crate::unsaved::mark_saved))
    };
    // Keeping the snapshot on the server, as an action: the link is made once the server answers.
    let keep = Action::new_local(move |asked: &(Vec<u8>, Scope, Option<u64>)| {
        let (bytes, scope, expires_in) = asked.clone();
        async move {
            match store(&bytes, scope, expires_in).await {
                Ok(Stored {
                    created,
                    token_kept,
                }) => {
                    let url = format!("{}{}", origin(), created.path);
                    let mut why = reason(Choice::Stored, bytes.len(), true);
                    if let Some(at) = &created.expires_at {
                        why.push_str(&format!(
                            "; it expires on {}",
                            crate::share::banner::date_text(at)
                        ));
                    }
                    if !token_kept {
                        why.push_str(
                            "; this browser keeps no data, so it cannot delete the link later",
                        );
                    }
                    let _ = window().navigator().clipboard().write_text(&url);
                    mark_saved();
                    made.set(Some(Made {
                        url,
                        reason: why,
                        stored: Some(created.id),
                    }));
                }
                Err(error) => failure.set(Some(format!("No share link: {error}"))),
            }
        }
    });
    let busy = keep.pending();

    let make = move |_| {
        let scope = if dashboard.has_text() {
            scope.get_untracked()
        } else {
            Scope::Figures
        };
        let Some(encoded) = dashboard
            .evaluation
            .with_untracked(|e| e.as_ref().map(|e| snapshot::encode(e, scope)))
        else {
            return;
        };
        let bytes = match encoded {
            Ok(bytes) => bytes,
            Err(error) => {
                failure.set(Some(format!("No share link: {error}")));
                return;
            }
        };
        let stores = capabilities.with_untracked(|c| c.as_ref().is_some_and(|c| c.stored));
        let fragment = snapshot::to_fragment(&bytes);
        failure.set(None);
        made.set(None);
        match choose(fragment.len(), stores) {
            Choice::Fragment => {
                let url = format!("{}{}", origin(), fragment_href(false, &fragment));
                let _ = window().navigator().clipboard().write_text(&url);
                mark_saved();
                made.set(Some(Made {
                    url,
                    reason: reason(Choice::Fragment, bytes.len(), stores),
                    stored: None,
                }));
            }
            Choice::Stored => {
                let expires_in = expiry_value
                    .get_untracked()
                    .or_else(|| choices.with_untracked(|c| c.first().map(expiry::Expiry::value)))
                    .and_then(|v| v.parse::<u64>().ok());
                keep.dispatch((bytes, scope, expires_in));
            }
        }
    };

    let stores = move || capabilities.with(|c| c.as_ref().is_some_and(|c| c.stored));
    view! {
        <div class="share">
            <label>
                "The link holds "
                <select data-testid="share-scope" aria-label="What the link holds"
                    disabled=move || !dashboard.has_text()
                    on:change=move |ev| {
                        if let Some(s) = Scope::parse(&event_target_value(&ev)) {
                            scope.set(s);
                        }
                    }>
                    <option value="everything" selected=move || dashboard.has_text()>"everything (text, tokens and figures)"</option>
                    <option value="figures" selected=move || !dashboard.has_text()>"figures only (no text leaves this browser)"</option>
                </select>
            </label>
            <When when=stores>
                <label>
                    " Stored links expire "
                    <select data-testid="share-expiry" aria-label="When a stored link expires"
                        on:change=move |ev| expiry_value.set(Some(event_target_value(&ev)))>
                        {move || choices.get().into_iter().map(|e| {
                            let value = e.value();
                            view! { <option value=value>{e.label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </When>
            " "
            <button type="button" data-testid="share-button" disabled=move || busy.get() on:click=make>
                {move || if busy.get() { "Making the link…" } else { "Make share link" }}
            </button>
            {move || failure.get().map(|message| view! { <p class="error" role="alert" data-testid="share-error">{message}</p> })}
            {move || made.get().map(|made| view! {
                <div class="share-made">
                    <input class="share-link" data-testid="share-link" readonly value=made.url.clone() aria-label="Share link" />
                    <p class="hint" data-testid="share-status" data-kind=if made.stored.is_some() { "stored" } else { "fragment" } role="status">
                        {format!("Link made and copied. {}.", made.reason)}
                    </p>
                    {made.stored.map(|id| view! { <DeleteButton id=id /> })}
                </div>
            })}
        </div>
    }
}
