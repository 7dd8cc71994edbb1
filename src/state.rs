//! The dashboard's state: one small `Copy` struct of signals, provided as context so every view reads
//! what it needs. The evaluation itself is one `likely_core` value; every figure is derived from it.

use crate::evaluate::Epochs;
use leptos::prelude::*;
use likely_core::colour::Theme;
use likely_core::evaluation::{Evaluation, Snippet};
use likely_core::params::GenerateParams;
use likely_core::snapshot::Scope;
use likely_core::ModelInfo;

/// A held-out set read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The file's name.
    pub file: String,
    /// Its snippets.
    pub snippets: Vec<Snippet>,
}

/// Where an opened share link's snapshot came from.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkKind {
    /// Kept on the server under this id (`/s/<id>`).
    Stored(String),
    /// Carried in the link itself (`#s=`, or the older `#e=`).
    Fragment,
    /// A run of the team's record (`/runs/<id>`).
    Run(String),
}

/// The share link the page was opened with, while its snapshot is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// Where the snapshot came from.
    pub kind: LinkKind,
    /// What it holds.
    pub scope: Scope,
    /// When it was kept (RFC 3339), for stored links.
    pub created_at: Option<String>,
    /// When it expires (RFC 3339), if ever.
    pub expires_at: Option<String>,
}

/// Every signal of the page.
#[derive(Clone, Copy)]
pub struct Dashboard {
    /// The models the server offers.
    pub models: RwSignal<Vec<ModelInfo>>,
    /// The pasted text.
    pub text: RwSignal<String>,
    /// An uploaded held-out set, which takes the place of the pasted text while present.
    pub upload: RwSignal<Option<Upload>>,
    /// The baseline model's name.
    pub baseline: RwSignal<String>,
    /// The custom models' names.
    pub customs: RwSignal<Vec<String>>,
    /// The Generate parameters.
    pub params: RwSignal<GenerateParams>,
    /// The current evaluation, as it fills in.
    pub evaluation: RwSignal<Option<Evaluation>>,
    /// Whether requests are under way.
    pub running: RwSignal<bool>,
    /// A message for the person, when something needs their attention.
    pub error: RwSignal<Option<String>>,
    /// Run epochs, for Cancel.
    pub epochs: StoredValue<Epochs, LocalStorage>,
    /// Light or dark, following the system.
    pub theme: RwSignal<Theme>,
    /// The share link being shown, if the page was opened with one.
    pub opened: RwSignal<Option<Opened>>,
    /// The snippet the token view shows (its drop-down, the snippet table, the token strings that
    /// moved most and the per-snippet chart choose it).
    pub snippet: RwSignal<usize>,
    /// The model the token view shows (its drop-down, and the custom model of the snippet table a
    /// snippet is opened from).
    pub token_model: RwSignal<String>,
}

impl Dashboard {
    /// Whether the evaluation shown holds its texts (not a figures-only snapshot).
    pub fn has_text(self) -> bool {
        self.opened
            .with(|opened| opened.as_ref().is_none_or(|o| o.scope == Scope::Everything))
    }
}

impl Dashboard {
    /// Fresh state, provided as context.
    pub fn provide() -> Dashboard {
        let dashboard = Dashboard {
            models: RwSignal::new(Vec::new()),
            text: RwSignal::new(String::new()),
            upload: RwSignal::new(None),
            baseline: RwSignal::new(String::new()),
            customs: RwSignal::new(Vec::new()),
            params: RwSignal::new(GenerateParams::default()),
            evaluation: RwSignal::new(None),
            running: RwSignal::new(false),
            error: RwSignal::new(None),
            epochs: StoredValue::new_local(Epochs::default()),
            theme: RwSignal::new(Theme::Light),
            opened: RwSignal::new(None),
            snippet: RwSignal::new(0),
            token_model: RwSignal::new(String::new()),
        };
        provide_context(dashboard);
        dashboard
    }
}

/// The dashboard's state, from context.
pub fn use_dashboard() -> Dashboard {
    expect_context::<Dashboard>()
}
