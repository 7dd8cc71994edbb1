//! `likely eval`: scores a held-out set with a baseline and custom models, in-process through the
//! server's own backends or over HTTP through a running `likely serve`, and prints the same figures
//! and pills the page shows (both derive them from `likely_core::Evaluation`).
//!
//! One job per file: `failure` (a failed Generate call), `scorer` (where calls go), `run` (drives the
//! scoring engine of `likely_core::scoring`, which the page drives too: the calls on tasks, four jobs
//! at a time, progress, Ctrl-C), `report` (table and JSON), `lm_eval` (lm-evaluation-harness's perplexity figures), `record` (`likely eval --record` and `likely runs`: a run posted to and listed from a server), `share` (upload a snapshot), `command` (the subcommand end to end).

pub mod args;
pub mod command;
pub mod failure;
pub mod lm_eval;
pub mod record;
pub mod report;
pub mod run;
pub mod scorer;
pub mod share;

pub use args::EvalArgs;
pub use command::{EvalError, Verdict};
