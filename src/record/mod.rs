//! The evaluation page's part of the team's record: every evaluation that finishes (none failed or
//! left pending by Cancel) is recorded on the server as a run (`recorder`), with the author label
//! typed once and kept in the browser, and the uploaded set kept for the team when asked
//! (`controls`); the page says what the server keeps (`GET /v1/capabilities`, `record.mode`). The
//! browser keeps each run's delete token (`keys`). The dataset picker lists the kept sets and loads
//! one (`kept`); `?dataset=<fingerprint>&evaluate=1` loads one and evaluates it at once.

mod controls;
mod kept;
pub mod keys;
mod recorder;
mod state;

pub use controls::RecordControls;
pub use kept::{load_from_query, KeptSetPicker};
pub use recorder::follow_finished;
pub use state::Recording;
