//! `<When>`: Leptos's `<Show>` (the children while a condition holds, else the fallback, the condition
//! memoised so the children are built again only when it flips) behind one `dyn` boundary. `<Show>` is
//! generic over its condition and children, so each of the page's thirty copies brought its own memo,
//! render effect and branch code into the wasm; here they are compiled once (BENCHMARKS.md, "Bundle").

use leptos::prelude::*;

/// The children while `when` holds, else `fallback` (nothing by default).
#[component(transparent)]
pub fn When(
    children: ChildrenFn,
    when: impl Fn() -> bool + Send + Sync + 'static,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    shown(Box::new(when), children, fallback)
}

fn shown(
    when: Box<dyn Fn() -> bool + Send + Sync>,
    children: ChildrenFn,
    fallback: ViewFn,
) -> AnyView {
    let when = Memo::new(move |_| when());
    (move || {
        if when.get() {
            children()
        } else {
            fallback.run()
        }
    })
    .into_any()
}
