//! What every request handler shares: the model table, the access token, the body limit and where
//! the built app lives.

use crate::access::Access;
use crate::config::Limits;
use crate::custom::CustomModels;
use crate::hosts::AllowedHosts;
use crate::models::ModelTable;
use crate::record::Record;
use crate::shares::Shares;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared, cheaply cloned server state.
#[derive(Clone)]
pub struct AppState {
    /// The models the server offers, by name.
    pub models: Arc<ModelTable>,
    /// Trunk's `dist/` folder with the built dashboard; `None` serves the API alone.
    pub dist_dir: Option<PathBuf>,
    /// When set, `/v1` requires its token.
    pub access: Option<Access>,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Stored share links; `None` with `--store none`.
    pub shares: Option<Shares>,
    /// When set, requests whose `Host` is not one of these are refused (DNS rebinding).
    pub hosts: Option<Arc<AllowedHosts>>,
    /// Custom models (`/v1/custom-models`); `None` when this server cannot train them.
    pub custom: Option<Arc<CustomModels>>,
    /// The team's record (`/v1/runs`, `/v1/datasets`); `None` with `--store none`.
    pub record: Option<Record>,
}

impl AppState {
    /// State serving `models` with default limits, no access control and no dashboard.
    pub fn new(models: ModelTable) -> AppState {
        AppState {
            models: Arc::new(models),
            dist_dir: None,
            access: None,
            max_body_bytes: Limits::default().max_body_bytes,
            shares: None,
            hosts: None,
            custom: None,
            record: None,
        }
    }
}
