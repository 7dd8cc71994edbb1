//! `/v1/runs` and `/v1/datasets` on the wire, and their limits.
//!
//! - `POST /v1/runs` ([`NewRun`] → 201 [`CreatedRun`]): a finished evaluation, its figures and its
//!   snapshot (base64url, as a `#s=` link carries it).
//! - `GET /v1/runs?model=&dataset=&author=&q=&before=&limit=` → [`RunList`], newest first.
//! - `GET /v1/runs/{id}` → [`RunDetail`]; `DELETE /v1/runs/{id}` with the access token or the run's
//!   delete token ([`crate::share::api::DELETE_TOKEN_HEADER`]).
//! - `POST /v1/datasets` ([`NewDataset`] → [`KeptDataset`], 201 the first time, 200 after);
//!   `GET /v1/datasets` → [`DatasetList`]; `GET /v1/datasets/{fingerprint}` → [`Leaderboard`];
//!   `GET /v1/datasets/{fingerprint}/snippets` → [`DatasetSnippets`].

use crate::comparison::pills::Verdict;
use crate::evaluation::params::GenerateParams;
use crate::evaluation::Snippet;
use crate::figures::bootstrap::Interval;
use serde::{Deserialize, Serialize};

/// The page listing runs.
pub const RUNS_PATH: &str = "/runs";
/// The page of one run: `/runs/<id>`.
pub const RUN_PATH_PREFIX: &str = "/runs/";
/// The page of a held-out set: `/datasets/<fingerprint>`.
pub const DATASET_PATH_PREFIX: &str = "/datasets/";
/// Runs per page when the request does not say.
pub const DEFAULT_RUNS_PAGE: usize = 50;
/// The most runs one page may hold.
pub const MAX_RUNS_PAGE: usize = 200;
/// The longest author label, in characters.
pub const MAX_AUTHOR_CHARS: usize = 80;
/// The longest set name, in characters.
pub const MAX_SET_NAME_CHARS: usize = 200;
/// The longest set description or model description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// The longest filter value, in characters.
pub const MAX_FILTER_CHARS: usize = 200;
/// The most models one run may hold.
pub const MAX_RUN_MODELS: usize = 64;
/// The `localStorage` key of the page's author label.
pub const AUTHOR_STORAGE_KEY: &str = "likely.author";
/// The `localStorage` key prefix of the delete tokens of the runs a browser recorded (`<prefix><id>`).
pub const RUN_TOKEN_STORAGE_PREFIX: &str = "likely.run.delete.";

/// What the server keeps of a run's snapshot (`--record`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordMode {
    /// The figures only: no held-out text and no token string (the default).
    #[default]
    Figures,
    /// The snapshot as the page sent it, texts included.
    Everything,
    /// No run is recorded.
    Off,
}

impl RecordMode {
    /// `figures`, `everything` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordMode::Figures => "figures",
            RecordMode::Everything => "everything",
            RecordMode::Off => "off",
        }
    }

    /// The mode spelled `text`.
    pub fn parse(text: &str) -> Option<RecordMode> {
        match text {
            "figures" => Some(RecordMode::Figures),
            "everything" => Some(RecordMode::Everything),
            "off" => Some(RecordMode::Off),
            _ => None,
        }
    }
}

/// Runs and kept sets on this server (`GET /v1/capabilities`, `record`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordCapabilities {
    /// What a recorded run keeps (`off`: runs are not recorded).
    pub mode: RecordMode,
    /// The largest held-out set `POST /v1/datasets` accepts, in bytes of its request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_dataset_bytes: Option<u64>,
    /// Whether the server has access control: then whoever passed it may delete any run (the page
    /// offers Delete on every row), otherwise only the holder of a run's delete token.
    #[serde(default)]
    pub access_control: bool,
}

/// Whether a model was the baseline or a custom model of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelRole {
    /// The model the others were compared with.
    Baseline,
    /// A model compared with the baseline.
    Custom,
}

/// A model of a run as it was when the run was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunModel {
    /// The name the API uses.
    pub name: String,
    /// Baseline or custom.
    pub role: ModelRole,
    /// Its backend (`embedded`, `openai-completions`, …), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The upstream model behind the name, when the server tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_model: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One model's figures in a run (the figures table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFigures {
    /// The model's name.
    pub model: String,
    /// Average natural-log likelihood per scored token.
    pub avg_loglik: Option<f64>,
    /// Loss (nats per token).
    pub loss: Option<f64>,
    /// The 95% bootstrap interval of the loss over snippets (two or more scored snippets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_ci: Option<Interval>,
    /// Bits per byte.
    pub bits_per_byte: Option<f64>,
    /// Next-token accuracy, when the backend tells the top token.
    pub accuracy: Option<f64>,
    /// Scored tokens.
    pub tokens: usize,
}

/// A custom model against the baseline on one metric (a pill).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunComparison {
    /// The custom model.
    pub custom: String,
    /// The metric's key: `accuracy`, `loss`, `avg-loglik` or `bpb`.
    pub metric: String,
    /// Custom − baseline.
    pub delta: Option<f64>,
    /// Its 95% interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Interval>,
    /// Green, red or grey.
    pub verdict: Verdict,
}

/// The held-out set a run scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSet {
    /// Its fingerprint ([`crate::record::fingerprint()`]).
    pub fingerprint: String,
    /// Its name (the file's, or the kept set's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its snippets.
    pub snippets: usize,
}

/// `POST /v1/runs`: a finished evaluation: the run as the server keeps it, and its snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// The run (its fields stand at the top level of the body).
    #[serde(flatten)]
    pub document: RunDocument,
    /// The evaluation's snapshot, base64url ([`crate::snapshot::to_fragment`]).
    pub snapshot: String,
}

/// What the server keeps of a run (its stored document): the run without its snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDocument {
    /// Who ran it, as they typed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The held-out set.
    pub dataset: RunSet,
    /// The models, the baseline first.
    pub models: Vec<RunModel>,
    /// The Generate parameters.
    pub params: GenerateParams,
    /// Each model's figures, in the models' order.
    pub figures: Vec<RunFigures>,
    /// Every pill of every custom model.
    pub comparisons: Vec<RunComparison>,
}

/// The answer to `POST /v1/runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedRun {
    /// The run's id.
    pub id: String,
    /// Its page: `/runs/<id>`.
    pub path: String,
    /// The secret that deletes it (keep it in the browser that made it).
    pub delete_token: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// What the server kept of its snapshot.
    pub recorded: RecordMode,
}

/// A custom model's line in a run's row: Δ loss and Δ accuracy as the pills colour them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomSummary {
    /// The custom model.
    pub model: String,
    /// Custom − baseline loss.
    pub delta_loss: Option<f64>,
    /// Its verdict.
    pub loss_verdict: Verdict,
    /// Custom − baseline accuracy.
    pub delta_accuracy: Option<f64>,
    /// Its verdict.
    pub accuracy_verdict: Verdict,
}

/// One row of `/runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run's id.
    pub id: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// Who ran it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The held-out set.
    pub dataset: RunSet,
    /// The baseline's name.
    pub baseline: String,
    /// The custom models.
    pub customs: Vec<CustomSummary>,
}

/// `GET /v1/runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunList {
    /// Newest first.
    pub runs: Vec<RunSummary>,
    /// The `before` of the next page, when there may be one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `GET /v1/runs/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDetail {
    /// The run's id.
    pub id: String,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// The run.
    #[serde(flatten)]
    pub document: RunDocument,
    /// What its snapshot holds (`figures`, `everything`); `None`: none was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_scope: Option<String>,
    /// The snapshot, base64url, opened as a share link opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// `POST /v1/datasets`: a held-out set to keep for the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDataset {
    /// Its name.
    pub name: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its snippets.
    pub snippets: Vec<Snippet>,
}

/// A kept set, without its snippets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its name.
    pub name: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its snippets.
    pub snippets: u64,
    /// The size of its snippets as kept, in bytes.
    pub size_bytes: u64,
    /// When it was first kept (RFC 3339).
    pub created_at: String,
    /// Its page: `/datasets/<fingerprint>`.
    pub path: String,
}

/// The answer to `POST /v1/datasets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptDataset {
    /// The kept set (the first upload's name and description when it was kept before).
    pub dataset: DatasetInfo,
    /// Whether this request kept it (`false`: it was kept already).
    pub created: bool,
}

/// `GET /v1/datasets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetList {
    /// Newest first.
    pub datasets: Vec<DatasetInfo>,
}

/// `GET /v1/datasets/{fingerprint}/snippets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSnippets {
    /// The set.
    pub dataset: DatasetInfo,
    /// Its snippets.
    pub snippets: Vec<Snippet>,
}

/// One run's figure of one model on a set: a point of the trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The run.
    pub run_id: String,
    /// When it was recorded, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Average log-likelihood.
    pub avg_loglik: Option<f64>,
    /// Loss.
    pub loss: Option<f64>,
    /// The loss's 95% interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_ci: Option<Interval>,
}

/// A model on a set's leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// The model.
    pub model: String,
    /// Its average log-likelihood in its latest run on the set (the ranking).
    pub latest_avg_loglik: Option<f64>,
    /// Its loss in that run.
    pub latest_loss: Option<f64>,
    /// Runs on the set it took part in.
    pub runs: usize,
    /// When its latest run was recorded, milliseconds since the Unix epoch.
    pub last_run_at_ms: i64,
    /// Its latest run.
    pub last_run_id: String,
    /// One point per run, oldest first.
    pub points: Vec<TrendPoint>,
}

/// `GET /v1/datasets/{fingerprint}`: every model ever evaluated on the set, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// The set's fingerprint.
    pub fingerprint: String,
    /// The set, when it is kept (runs record a set's fingerprint even when it is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<DatasetInfo>,
    /// Runs on the set.
    pub runs: usize,
    /// The models, by latest average log-likelihood, highest first.
    pub models: Vec<LeaderboardEntry>,
}
