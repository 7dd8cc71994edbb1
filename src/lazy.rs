//! Parts of the page downloaded when they are needed. Each is a split point (`wasm_split`, in the
//! module that lays the part out): `scripts/split-wasm.sh` moves the code only that part reaches
//! into a piece of wasm of its own, and calling the split point downloads that piece first. Here:
//! drawing such a part once its piece is in, with a note while it loads and a message if it fails.

use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use leptos::wasm_split::SplitLoaderError;
use std::future::Future;

/// Where a downloaded part stands.
#[derive(Clone, Copy, PartialEq)]
enum Download {
    Pending,
    Done,
    Failed,
}

/// A whole page (the pages other than the evaluation page), in a `<main>` until it is drawn.
pub fn page(load: impl Future<Output = Result<AnyView, SplitLoaderError>> + 'static) -> AnyView {
    let pending = || view! { <main>{loading("Loading the page…")}</main> }.into_any();
    let failed = || view! { <main>{failure("This page")}</main> }.into_any();
    downloaded(load, pending, failed)
}

/// A part of a page; `what` names it in the loading note ("the charts").
pub fn part(
    load: impl Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
    what: &'static str,
) -> AnyView {
    downloaded(
        load,
        move || loading(&format!("Loading {what}…")).into_any(),
        move || failure(what).into_any(),
    )
}

/// The note while a part loads: shown only when that takes more than a moment (`style/main.css`).
fn loading(text: &str) -> impl IntoView {
    view! { <p class="page-loading" data-testid="page-loading">{text.to_string()}</p> }
}

fn failure(what: &str) -> impl IntoView {
    let message = format!(
        "{} could not be downloaded. Check the connection and reload the page.",
        capitalized(what)
    );
    view! { <p class="error" role="alert" data-testid="page-download-error">{message}</p> }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `pending()` until `load` has downloaded and drawn its part, then the part (or `failed()`).
fn downloaded(
    load: impl Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
    pending: impl Fn() -> AnyView + Send + Sync + 'static,
    failed: impl Fn() -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let drawn = StoredValue::new_local(None::<AnyView>);
    let (state, set_state) = signal(Download::Pending);
    // Scoped: the part's signals and effects belong to the page, as if it had been drawn at once.
    spawn_local_scoped(async move {
        match load.await {
            Ok(view) => {
                drawn.set_value(Some(view));
                set_state.set(Download::Done);
            }
            Err(_) => set_state.set(Download::Failed),
        }
    });
    (move || match state.get() {
        Download::Pending => pending(),
        Download::Done => drawn.try_update_value(Option::take).flatten().into_any(),
        Download::Failed => failed(),
    })
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::capitalized;

    #[test]
    fn a_part_s_name_starts_the_failure_message() {
        assert_eq!(capitalized("the charts"), "The charts");
        assert_eq!(capitalized(""), "");
    }
}
