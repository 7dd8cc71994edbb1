//! Following a training: asks for the record about twice a second until it is done, failed or
//! cancelled, or the page that follows it is gone.

use crate::api::{self, ApiFailure};
use leptos::prelude::*;
use likely_core::custom_model::{CustomModel, TrainingStatus};

/// Milliseconds between two looks at a training.
const POLL_MS: u32 = 500;
/// Lost connections tolerated in a row before the page says so.
const MAX_LOST: u32 = 10;

/// What the page shows of a training.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// Nothing submitted yet.
    Idle,
    /// The server refused the upload, or could not be asked: why.
    Refused(String),
    /// The training's latest record.
    Record(Box<CustomModel>),
}

/// Whether a training is still under way.
pub fn active(status: TrainingStatus) -> bool {
    matches!(status, TrainingStatus::Queued | TrainingStatus::Running)
}

/// Polls `name` into `shown` until its training ends; its last record, or `None` when the page went
/// away or the server could not be asked (then `shown` says why).
pub async fn follow(name: &str, shown: RwSignal<Shown>) -> Option<CustomModel> {
    let mut lost = 0;
    loop {
        match api::custom::get(name).await {
            Ok(record) => {
                lost = 0;
                let running = active(record.status);
                if shown
                    .try_set(Shown::Record(Box::new(record.clone())))
                    .is_some()
                {
                    return None;
                }
                if !running {
                    return Some(record);
                }
            }
            Err(failure @ ApiFailure { status: None, .. }) if lost < MAX_LOST => {
                lost += 1;
                leptos::logging::warn!("following {name}: {failure}");
            }
            Err(failure) => {
                let _ = shown.try_set(Shown::Refused(format!(
                    "Cannot follow the training of {name}: {failure}"
                )));
                return None;
            }
        }
        gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
    }
}
