//! Export of the evaluation: the value itself as JSON (with the per-snippet tables and the token
//! strings that moved most beside it), and CSV per token, per snippet (with each custom model's Δ sum
//! and share of the total) and of the token strings that moved most, downloaded from the browser
//! (nothing goes to the server). CSV text cells are defused against spreadsheet
//! formulas unless "exact cells" is ticked (`likely_core::export::Cells`).

use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::export::{learned_csv, snippets_csv, to_json, tokens_csv, Cells};
use wasm_bindgen::JsCast;

/// Offers `contents` as a file download named `name`.
pub fn download(name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not build the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not offer the file".to_string())?;
    let anchor = document()
        .create_element("a")
        .map_err(|_| "the browser could not offer the file".to_string())?
        .unchecked_into::<web_sys::HtmlAnchorElement>();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The export buttons.
#[component]
pub fn ExportPanel() -> impl IntoView {
    let dashboard = use_dashboard();
    let exact = RwSignal::new(false);
    let export = move |kind: &'static str| {
        let cells = if exact.get_untracked() {
            Cells::Exact
        } else {
            Cells::Safe
        };
        let result = dashboard.evaluation.with_untracked(|e| {
            let e = e
                .as_ref()
                .ok_or_else(|| "nothing to export yet".to_string())?;
            let (name, mime, text) = match kind {
                "json" => ("likely-evaluation.json", "application/json", to_json(e)),
                "tokens" => ("likely-tokens.csv", "text/csv", tokens_csv(e, cells)),
                "learned" => (
                    "likely-learned-tokens.csv",
                    "text/csv",
                    learned_csv(e, cells),
                ),
                _ => ("likely-snippets.csv", "text/csv", snippets_csv(e, cells)),
            };
            let text = text.map_err(|error| error.to_string())?;
            download(name, mime, &text)?;
            crate::unsaved::mark_saved(e);
            Ok::<(), String>(())
        });
        if let Err(message) = result {
            dashboard
                .error
                .set(Some(format!("Export failed: {message}")));
        }
    };
    view! {
        <div class="export">
            <button type="button" data-testid="export-json" on:click=move |_| export("json")>"Export JSON"</button>
            <button type="button" data-testid="export-csv" on:click=move |_| export("tokens")>"Export CSV (tokens)"</button>
            <button type="button" data-testid="export-csv-snippets" on:click=move |_| export("snippets")>"Export CSV (snippets)"</button>
            <button type="button" data-testid="export-csv-learned" on:click=move |_| export("learned")>"Export CSV (tokens that moved)"</button>
            <label title="Off: text cells that a spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe. On: every cell exactly as scored.">
                <input type="checkbox" data-testid="export-exact" bind:checked=exact/>
                " exact CSV cells"
            </label>
        </div>
    }
}
