//! The banner of an opened share link: what it is (a snapshot, when it was kept, its models, whether
//! the text was shared), a Re-run button that evaluates the same text again with live models (only
//! for links that hold the text), and Delete for the author's own stored links.

use crate::actions;
use crate::share::delete::DeleteButton;
use crate::state::{use_dashboard, Dashboard, LinkKind, Opened, Upload};
use leptos::prelude::*;
use likely_core::snapshot::Scope;

/// An RFC 3339 time as "2026-12-02 07:30 UTC" (the text itself when it is not one).
pub fn date_text(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) if rfc3339.ends_with('Z') => format!("{day} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

fn describe(opened: &Opened) -> String {
    let mut line = match (&opened.kind, &opened.created_at) {
        (LinkKind::Stored(_), Some(at)) => {
            format!("A snapshot of an evaluation, kept on {}", date_text(at))
        }
        (LinkKind::Stored(_), None) => "A snapshot of an evaluation, kept on this server".into(),
        (LinkKind::Fragment, _) => "A snapshot of an evaluation, carried in the link itself".into(),
        (LinkKind::Run(_), Some(at)) => {
            format!("A run of the team's record, recorded on {}", date_text(at))
        }
        (LinkKind::Run(_), None) => "A run of the team's record".into(),
    };
    if let Some(at) = &opened.expires_at {
        line.push_str(&format!("; the link expires on {}", date_text(at)));
    }
    line.push('.');
    line
}

/// Evaluates the snapshot's texts again with the live models of the same names.
fn rerun(dashboard: Dashboard) {
    let Some(snippets) = dashboard
        .evaluation
        .with_untracked(|e| e.as_ref().map(|e| e.snippets.clone()))
    else {
        return;
    };
    if let [only] = snippets.as_slice() {
        dashboard.upload.set(None);
        dashboard.text.set(only.text.clone());
    } else {
        dashboard.upload.set(Some(Upload {
            file: "the shared evaluation".into(),
            snippets,
        }));
    }
    dashboard.opened.set(None);
    actions::evaluate(dashboard);
}

/// The banner, while the page shows an opened link.
#[component]
pub fn ShareBanner() -> impl IntoView {
    let dashboard = use_dashboard();
    move || {
        dashboard.opened.get().map(|opened| {
            let models = dashboard.evaluation.with(|e| {
                e.as_ref()
                    .map(|e| e.model_names().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            });
            let has_text = opened.scope == Scope::Everything;
            let stored_id = match &opened.kind {
                LinkKind::Stored(id) => Some(id.clone()),
                LinkKind::Fragment | LinkKind::Run(_) => None,
            };
            view! {
                <section class="panel share-banner" data-testid="share-banner" data-scope=opened.scope.as_str() role="status">
                    <p><strong>{describe(&opened)}</strong></p>
                    <p>"Models: " <span data-testid="share-banner-models">{models}</span></p>
                    {if has_text {
                        view! {
                            <p class="hint">"The figures are those of the snapshot; nothing was evaluated again."</p>
                            <button type="button" data-testid="rerun-button"
                                disabled=move || dashboard.models.with(Vec::is_empty) || dashboard.running.get()
                                on:click=move |_| rerun(dashboard)>
                                "Re-run with live models"
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <p class="share-no-text" data-testid="share-no-text">
                                "Figures only: the held-out text was not shared, so there is no token view and no text here; the pills, figures and charts are those of the original evaluation."
                            </p>
                        }.into_any()
                    }}
                    {stored_id.map(|id| view! { <DeleteButton id=id /> })}
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_utc_minutes() {
        assert_eq!(
            date_text("2026-12-02T07:30:12.345Z"),
            "2026-12-02 07:30 UTC"
        );
        assert_eq!(date_text("yesterday"), "yesterday");
    }
}
