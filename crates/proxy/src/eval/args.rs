//! The flags of `likely eval`.

use clap::ValueEnum;
use std::path::PathBuf;

/// `likely eval FILE --baseline MODEL --custom MODEL …`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// The held-out set: a `.txt` (snippets separated by blank lines), `.jsonl` (`text`, or `prompt`
    /// and `completion`) or `.csv` (a `text` column) file.
    pub file: PathBuf,
    /// The model the others are compared with.
    #[arg(long)]
    pub baseline: String,
    /// A model compared with the baseline (repeat for several).
    #[arg(long = "custom", required = true)]
    pub custom: Vec<String>,
    /// The model table (TOML; see likely.example.toml) to score with in this process. Without it and
    /// without --server: the embedded models.
    #[arg(long, conflicts_with = "server")]
    pub config: Option<PathBuf>,
    /// Score through a running `likely serve` at this address (e.g. http://127.0.0.1:8080), sending
    /// LIKELY_ACCESS_TOKEN when set.
    #[arg(long)]
    pub server: Option<String>,
    /// Print one JSON document instead of the tables.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a custom model is worse than the baseline on loss with its 95%
    /// interval excluding zero.
    #[arg(long)]
    pub fail_if_worse: bool,
    /// Keep the evaluation as a share link on --server and print the link (the delete token goes to
    /// standard error).
    #[arg(long, requires = "server")]
    pub share: bool,
    /// What the share link holds: everything (texts and tokens) or the figures only.
    #[arg(long, value_enum, default_value_t = ShareScope::Everything, requires = "share")]
    pub share_scope: ShareScope,
    /// Record the finished evaluation as a run on --server (listed at /runs and by `likely runs`);
    /// the server keeps what its --record setting allows.
    #[arg(long, requires = "server")]
    pub record: bool,
    /// The author label of the recorded run.
    #[arg(long, requires = "record")]
    pub author: Option<String>,
}

/// `--share-scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShareScope {
    /// Texts, tokens and figures.
    Everything,
    /// Figures only: no held-out text, no token strings.
    Figures,
}

impl From<ShareScope> for likely_core::snapshot::Scope {
    fn from(scope: ShareScope) -> Self {
        match scope {
            ShareScope::Everything => likely_core::snapshot::Scope::Everything,
            ShareScope::Figures => likely_core::snapshot::Scope::Figures,
        }
    }
}
