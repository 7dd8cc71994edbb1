//! The snippets and token strings that moved most, for one custom model against the baseline (a
//! chooser when there are several): the per-snippet table (`snippet_table`) and what the fine-tune
//! learned (`learned`). Both are computed by likely-core in memos once the run has finished, not at
//! every answer, so a set of a thousand snippets costs one computation per finished result set.

use super::learned::LearnedView;
use super::snippet_table::SnippetTableView;
use crate::state::use_dashboard;
use crate::when::When;
use leptos::prelude::*;
use likely_core::learned::{learned, TOP_TOKENS};
use likely_core::snippet_table::snippet_table;

/// The two panels, under the pills.
#[component]
pub fn MovedPanels() -> impl IntoView {
    let dashboard = use_dashboard();
    let chosen = RwSignal::new(String::new());
    let customs = Memo::new(move |_| {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.custom
                        .iter()
                        .map(|run| run.model.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // The chosen custom model, or the first one when the choice is not (or no longer) in the set.
    let custom = Memo::new(move |_| {
        let wanted = chosen.get();
        customs.with(|names| {
            if names.contains(&wanted) {
                wanted
            } else {
                names.first().cloned().unwrap_or_default()
            }
        })
    });
    let finished = Memo::new(move |_| !dashboard.running.get());
    let table = Memo::new(move |_| {
        if !finished.get() {
            return None;
        }
        let custom = custom.get();
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .filter(|_| !custom.is_empty())
                .map(|e| snippet_table(e, &custom))
        })
    });
    let learned_tokens = Memo::new(move |_| {
        if !finished.get() || !dashboard.has_text() {
            return None;
        }
        let custom = custom.get();
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .filter(|_| !custom.is_empty())
                .map(|e| learned(e, &custom, TOP_TOKENS))
        })
    });

    let chooser = move || {
        (customs.with(Vec::len) > 1).then(|| {
            view! {
                <label class="moved-model">
                    <span>"Custom model"</span>
                    <select
                        data-testid="moved-model"
                        prop:value=move || custom.get()
                        on:change:target=move |ev| chosen.set(ev.target().value())
                    >
                        {move || customs.get().into_iter().map(|name| {
                            view! { <option value=name.clone()>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
        })
    };

    view! {
        <When when=move || customs.with(|c| !c.is_empty())>
            <section class="panel moved" aria-labelledby="moved-heading">
                <div class="moved-head">
                    <h2 id="moved-heading">"Snippets that moved most"</h2>
                    {chooser}
                </div>
                <SnippetTableView table=table finished=finished />
            </section>
            <When when=move || dashboard.has_text()>
                <section class="panel learned" aria-labelledby="learned-heading">
                    <h2 id="learned-heading">"What the fine-tune learned"</h2>
                    <LearnedView learned=learned_tokens finished=finished />
                </section>
            </When>
        </When>
    }
}
