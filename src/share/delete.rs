//! Delete, for the author of a stored link: shown only where this browser holds the link's delete
//! token. Once deleted, the link says so to whoever opens it.

use crate::api;
use crate::share::keys;
use leptos::prelude::*;

/// The Delete button of stored link `id` (nothing when this browser has no token for it).
#[component]
pub fn DeleteButton(id: String) -> impl IntoView {
    let token = keys::LINKS.token_of(&id);
    token.map(|token| {
        let delete = Action::new_local(move |_: &()| {
            let (id, token) = (id.clone(), token.clone());
            async move {
                let result = api::delete_share(&id, &token).await;
                if result.is_ok() || result.as_ref().is_err_and(|f| f.status == Some(410)) {
                    keys::LINKS.forget(&id);
                }
                result.map_err(|f| f.to_string())
            }
        });
        let outcome = delete.value();
        view! {
            <span class="share-delete">
                <button type="button" data-testid="share-delete"
                    disabled=move || delete.pending().get() || matches!(outcome.get(), Some(Ok(())))
                    on:click=move |_| { delete.dispatch(()); }>"Delete this link"</button>
                {move || outcome.get().map(|result| match result {
                    Ok(()) => view! {
                        <span class="hint" data-testid="share-deleted" role="status">"Deleted: the snapshot is gone from the server, and the link now says it was deleted."</span>
                    }.into_any(),
                    Err(message) => view! {
                        <span class="error" role="alert">{format!("Not deleted: {message}")}</span>
                    }.into_any(),
                })}
            </span>
        }
    })
}
