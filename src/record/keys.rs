//! Delete tokens of the runs this browser recorded, in localStorage keyed by the run's id.

use crate::storage::DeleteTokens;
use likely_core::record::RUN_TOKEN_STORAGE_PREFIX;

/// The recorded runs' delete tokens.
pub const RUNS: DeleteTokens = DeleteTokens::new(RUN_TOKEN_STORAGE_PREFIX);
