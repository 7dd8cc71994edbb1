//! The upload control: reads a held-out set (.txt, .jsonl, .csv) in the browser and parses it with
//! `likely_core::dataset`. A wrong file leaves everything typed so far in place and says which line
//! failed.

use crate::state::{use_dashboard, Upload};
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::dataset::parse_file;
use wasm_bindgen_futures::JsFuture;

/// The largest file read, in bytes.
const MAX_FILE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("{}: the file could not be read", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The file picker and what was loaded from it.
#[component]
pub fn UploadControl() -> impl IntoView {
    let dashboard = use_dashboard();
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let name = file.name();
            if file.size() > MAX_FILE_BYTES {
                dashboard.error.set(Some(format!(
                    "{name}: the file is larger than 32 MB; split it into smaller held-out sets"
                )));
                return;
            }
            let parsed = match read_bytes(&file).await {
                Ok(bytes) => parse_file(&name, &bytes).map_err(|error| error.to_string()),
                Err(message) => Err(message),
            };
            match parsed {
                Ok(snippets) => {
                    dashboard.error.set(None);
                    dashboard.upload.set(Some(Upload {
                        file: name,
                        snippets,
                    }));
                }
                Err(message) => dashboard.error.set(Some(message)),
            }
        });
    };
    view! {
        <div class="upload">
            <label class="button-like">
                "Upload a held-out set…"
                <input
                    type="file"
                    data-testid="file-input"
                    accept=".txt,.jsonl,.csv,text/plain,text/csv,application/jsonl"
                    on:change=on_change
                />
            </label>
            <span class="hint">".txt (blank lines between snippets), .jsonl (text, or prompt + completion), .csv (a text column)"</span>
            {move || dashboard.upload.get().map(|upload| {
                let count = upload.snippets.len();
                view! {
                    <p class="loaded" data-testid="upload-summary" data-value=count.to_string()>
                        {format!("{count} snippet{} from {}", if count == 1 { "" } else { "s" }, upload.file)}
                        <button type="button" class="link" on:click=move |_| dashboard.upload.set(None)>
                            "Use the pasted text instead"
                        </button>
                    </p>
                }
            })}
        </div>
    }
}
