//! The team's record, written once for the page and the server: the wire types of `/v1/runs` and
//! `/v1/datasets` ([`api`]), the fingerprint of a held-out set ([`fingerprint()`]), a run's figures made
//! from its evaluation ([`figures`]), the server's check of a posted run against its snapshot
//! ([`check`]), and a set's leaderboard made from its runs' points ([`leaderboard()`]).

pub mod api;
pub mod check;
pub mod figures;
pub mod fingerprint;
pub mod leaderboard;

pub use api::*;
pub use check::{check_run, CheckedRun, RunRejection};
pub use figures::{new_run, run_figures};
pub use fingerprint::{fingerprint, is_fingerprint};
pub use leaderboard::{leaderboard, Point};

#[cfg(test)]
mod tests;
