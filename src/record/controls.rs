//! The record's controls on the evaluation form: the author label (`author-input`, typed once and
//! kept in the browser), "keep for the team" (`keep-dataset`), a sentence saying what the server
//! keeps of each finished evaluation (`record-mode`), and what became of the last one
//! (`record-status`, with a link to its run).

use super::state::{Recording, ServerRecord, Status};
use crate::routes::run_href;
use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::record::{RecordMode, MAX_AUTHOR_CHARS, RUNS_PATH};

/// What the page says the server keeps.
pub fn mode_sentence(server: &ServerRecord) -> String {
    match server {
        ServerRecord::Unknown => "Asking the server what it records…".into(),
        ServerRecord::None => {
            "This server keeps no record of evaluations (started with --store none): nothing is sent."
                .into()
        }
        ServerRecord::Unreachable(why) => format!(
            "Whether this server records evaluations is not known ({why}); it is asked again when one finishes."
        ),
        ServerRecord::Kept(record) => match record.mode {
            RecordMode::Figures => "Every finished evaluation is recorded on this server as a run: its models, parameters and figures, without the held-out text or any token string.".into(),
            RecordMode::Everything => "Every finished evaluation is recorded on this server as a run, held-out text and token strings included, so the team can open it whole.".into(),
            RecordMode::Off => "This server does not record evaluations (started with --record off): nothing is sent.".into(),
        },
    }
}

fn mode_key(server: &ServerRecord) -> &'static str {
    match server {
        ServerRecord::Unknown => "unknown",
        ServerRecord::None => "none",
        ServerRecord::Unreachable(_) => "unreachable",
        ServerRecord::Kept(record) => record.mode.as_str(),
    }
}

/// The status line of the last finished evaluation.
#[component]
fn StatusLine(recording: Recording) -> impl IntoView {
    move || {
        recording.status.get().map(|status| match status {
            Status::Sending => view! {
                <p class="hint" data-testid="record-status" data-state="sending" role="status">"Recording the run…"</p>
            }
            .into_any(),
            Status::Recorded { id, mode, set } => {
                let kept = match mode {
                    RecordMode::Everything => "with its texts",
                    _ => "figures only",
                };
                view! {
                    <p class="hint" data-testid="record-status" data-state="recorded" data-run-id=id.clone() role="status">
                        "Recorded as a run (" {kept} "): "
                        <a href=run_href(&id) data-testid="record-run-link">"open it"</a>
                        ", or see all " <a href=RUNS_PATH>"runs"</a> ". "
                        {set}
                    </p>
                }
                .into_any()
            }
            Status::NotRecorded(why) => view! {
                <p class="hint" data-testid="record-status" data-state="not-recorded" role="status">
                    {format!("Not recorded: {why}.")}
                </p>
            }
            .into_any(),
        })
    }
}

/// The author label, "keep for the team", what the server keeps, and the last evaluation's fate.
#[component]
pub fn RecordControls() -> impl IntoView {
    let dashboard = use_dashboard();
    let recording = Recording::use_context();
    let no_upload = move || dashboard.upload.with(Option::is_none);
    view! {
        <fieldset class="field record-controls">
            <legend class="label">"Team record"</legend>
            <p class="hint" data-testid="record-mode" data-mode=move || recording.server.with(mode_key)>
                {move || recording.server.with(mode_sentence)}
            </p>
            <div class="record-inputs">
                <label class="field author">
                    <span class="label">"Author"</span>
                    <input
                        type="text"
                        data-testid="author-input"
                        maxlength=MAX_AUTHOR_CHARS.to_string()
                        placeholder="your name or team (optional)"
                        title="Optional: recorded with each run; kept in this browser for the next evaluation"
                        prop:value=move || recording.author.get()
                        on:input:target=move |ev| recording.set_author(ev.target().value())
                    />
                </label>
                <label class="toggle" title=move || if no_upload() { "Upload a held-out set (or pick a kept one) to keep it for the team" } else { "Keep the uploaded set on the server, so teammates can evaluate it without uploading it" }>
                    <input
                        type="checkbox"
                        data-testid="keep-dataset"
                        prop:checked=move || recording.keep.get()
                        prop:disabled=no_upload
                        on:change:target=move |ev| recording.keep.set(ev.target().checked())
                    />
                    <span>"Keep this held-out set for the team"</span>
                </label>
            </div>
            <StatusLine recording=recording />
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::record::RecordCapabilities;

    #[test]
    fn the_page_says_what_each_mode_keeps() {
        let kept = |mode| {
            ServerRecord::Kept(RecordCapabilities {
                mode,
                ..RecordCapabilities::default()
            })
        };
        assert!(mode_sentence(&kept(RecordMode::Figures)).contains("without the held-out text"));
        assert!(mode_sentence(&kept(RecordMode::Everything)).contains("text"));
        assert!(mode_sentence(&kept(RecordMode::Off)).contains("nothing is sent"));
        assert!(mode_sentence(&ServerRecord::None).contains("nothing is sent"));
        assert_eq!(mode_key(&kept(RecordMode::Off)), "off");
        assert_eq!(mode_key(&ServerRecord::None), "none");
    }
}
