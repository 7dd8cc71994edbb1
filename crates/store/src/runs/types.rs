//! The values that go in and out of the record: a new run and its stored forms, the filters of a
//! listing, held-out sets.

use std::time::SystemTime;

use super::cursor::RunCursor;
use crate::token::DeleteToken;

/// Runs a page holds when the caller does not say.
pub const DEFAULT_PAGE: usize = 50;
/// The most runs one page may hold.
pub const MAX_PAGE: usize = 200;

/// One model's figures in a run, as the filters and the set's leaderboard read them.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFigure {
    /// The model's name.
    pub model: String,
    /// Average natural-log likelihood per scored token, when any token was scored.
    pub avg_loglik: Option<f64>,
    /// Loss (nats per token).
    pub loss: Option<f64>,
    /// The 95% interval of the loss, low end.
    pub loss_low: Option<f64>,
    /// The 95% interval of the loss, high end.
    pub loss_high: Option<f64>,
}

/// A run to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRun {
    /// When it finished (kept to the millisecond).
    pub created_at: SystemTime,
    /// Who ran it, as they typed it.
    pub author: Option<String>,
    /// The held-out set's fingerprint.
    pub dataset_fingerprint: String,
    /// The held-out set's name, when it has one.
    pub dataset_name: Option<String>,
    /// The baseline's name.
    pub baseline: String,
    /// Every model, the baseline first.
    pub models: Vec<RunFigure>,
    /// What the free-text filter searches (the store lower-cases it).
    pub search_text: String,
    /// The run as the server describes it (JSON); the store does not read it.
    pub document: String,
    /// What the snapshot holds (`figures`, `everything`), when there is one.
    pub snapshot_kind: Option<String>,
    /// The snapshot's bytes; `None` keeps none.
    pub snapshot: Option<Vec<u8>>,
}

/// A recorded run: its id and the token that deletes it (shown once).
#[derive(Debug)]
pub struct RunSaved {
    /// 22 characters of base64url.
    pub id: String,
    /// The secret that deletes the run.
    pub delete_token: DeleteToken,
    /// When it was recorded, to the millisecond.
    pub created_at: SystemTime,
}

/// A run as a listing shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Its id.
    pub id: String,
    /// When it was recorded.
    pub created_at: SystemTime,
    /// Its document (JSON).
    pub document: String,
}

/// A run with its snapshot, as opening it gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRun {
    /// The row.
    pub row: RunRow,
    /// What the snapshot holds.
    pub snapshot_kind: Option<String>,
    /// The snapshot, when one was kept.
    pub snapshot: Option<Vec<u8>>,
}

/// Which runs a listing shows. Every field narrows it; `before` continues after a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Runs with a model of exactly this name.
    pub model: Option<String>,
    /// Runs on the held-out set with this fingerprint.
    pub dataset: Option<String>,
    /// Runs by exactly this author.
    pub author: Option<String>,
    /// Runs whose models, author or set name contain this text (any case).
    pub text: Option<String>,
    /// Runs older than this point (the previous page's `next`).
    pub before: Option<RunCursor>,
    /// Runs per page: [`DEFAULT_PAGE`] when 0, at most [`MAX_PAGE`].
    pub limit: usize,
}

impl RunFilter {
    /// The page size this filter asks for.
    pub fn page_size(&self) -> usize {
        match self.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        }
    }
}

/// One page of runs, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunPage {
    /// The runs.
    pub runs: Vec<RunRow>,
    /// Where the next page starts, when there may be one.
    pub next: Option<RunCursor>,
}

/// What deleting a run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunDeletion {
    /// It is gone.
    Deleted,
    /// No run has this id.
    NotFound,
    /// The token is not this run's.
    WrongToken,
}

/// One model's figures in one run on a set: a point of the set's leaderboard and trend chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelPoint {
    /// The run.
    pub run_id: String,
    /// When the run was recorded.
    pub created_at: SystemTime,
    /// The model's figures.
    pub figure: RunFigure,
}

/// A held-out set to keep.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDataset {
    /// Its fingerprint (the caller computes it from the snippets).
    pub fingerprint: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// How many snippets it has.
    pub snippet_count: u64,
    /// The snippets (JSON); the store does not read them.
    pub snippets: String,
}

/// What a kept set is, without its snippets.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetMeta {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// How many snippets it has.
    pub snippet_count: u64,
    /// The size of its snippets' JSON, in bytes.
    pub size_bytes: u64,
    /// When it was first kept.
    pub created_at: SystemTime,
}

/// A kept set with its snippets.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// What it is.
    pub meta: DatasetMeta,
    /// Its snippets (JSON), as they were kept.
    pub snippets: String,
}

/// What keeping a set did.
#[derive(Clone, Debug, PartialEq)]
pub enum KeepOutcome {
    /// It was new and is now kept.
    Kept(DatasetMeta),
    /// A set with this fingerprint was already kept (its first name and description stay).
    AlreadyKept(DatasetMeta),
}

impl KeepOutcome {
    /// The kept set.
    pub fn meta(&self) -> &DatasetMeta {
        match self {
            Self::Kept(meta) | Self::AlreadyKept(meta) => meta,
        }
    }
}
