//! What every request handler shares: the model table and where the built app lives.

use crate::models::ModelTable;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared, cheaply cloned server state.
#[derive(Clone)]
pub struct AppState {
    /// The models the server offers, by name.
    pub models: Arc<ModelTable>,
    /// Trunk's `dist/` folder with the built dashboard; `None` serves the API alone.
    pub dist_dir: Option<PathBuf>,
}
