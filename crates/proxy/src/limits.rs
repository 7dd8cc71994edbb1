//! Per-model limits: the longest prompt, the time one request may take, and a gate that lets at most
//! `max_concurrent` requests work on the model at once.
//!
//! Overflow waits, briefly and boundedly: the page sends bursts (one request per model and text), and a
//! short queue smooths them without every client needing retry logic. A request that finds
//! `max_queued` others already waiting, or that waits longer than the queue timeout, gets 503 with
//! `Retry-After`: the server is busy, not the client misbehaving (which 429 would say), and both the
//! page and Cohere's SDKs retry a 503.

use crate::config::{Limits, ModelConfig};
use crate::error::AppError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits that apply to one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelLimits {
    /// The longest prompt, in characters.
    pub max_prompt_chars: usize,
    /// How long one request may take, queueing excluded.
    pub timeout: Duration,
    /// How many requests may work on the model at once.
    pub max_concurrent: usize,
    /// How many more may wait.
    pub max_queued: usize,
    /// How long one may wait.
    pub queue_timeout: Duration,
}

impl ModelLimits {
    /// The limits of `model`: its own settings, else the `[limits]` defaults.
    pub fn of(model: &ModelConfig, defaults: &Limits) -> ModelLimits {
        ModelLimits {
            max_prompt_chars: model.max_prompt_chars.unwrap_or(defaults.max_prompt_chars),
            timeout: Duration::from_secs(model.timeout_secs.unwrap_or(defaults.timeout_secs)),
            max_concurrent: model.max_concurrent.unwrap_or(defaults.max_concurrent),
            max_queued: model.max_queued.unwrap_or(defaults.max_queued),
            queue_timeout: Duration::from_secs(defaults.queue_timeout_secs),
        }
    }

    /// A 413 when `prompt` is longer than this model accepts.
    pub fn check_prompt(&self, model: &str, prompt: &str) -> Result<(), AppError> {
        let chars = prompt.chars().count();
        if chars > self.max_prompt_chars {
            return Err(AppError::PayloadTooLarge(format!(
                "the prompt is {chars} characters; model `{model}` accepts at most {}",
                self.max_prompt_chars
            )));
        }
        Ok(())
    }
}

/// Lets at most `max_concurrent` requests through at once, with a bounded, timed queue.
#[derive(Debug, Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_queued: usize,
    queue_timeout: Duration,
}

/// Decrements the waiting count when the waiter leaves, however it leaves.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// A gate for these limits.
    pub fn new(limits: &ModelLimits) -> Gate {
        Gate {
            permits: Arc::new(Semaphore::new(limits.max_concurrent)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_queued: limits.max_queued,
            queue_timeout: limits.queue_timeout,
        }
    }

    /// A permit to work on the model, held until dropped; 503 with `Retry-After` when the queue is full
    /// or the wait too long.
    pub async fn enter(&self, model: &str) -> Result<OwnedSemaphorePermit, AppError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        let busy = |why: &str| AppError::Overloaded {
            message: format!("model `{model}` is busy ({why}); retry shortly"),
            retry_after: Some("1".into()),
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_queued {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy("too many requests are waiting for it"));
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(
            self.queue_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_closed)) => Err(AppError::Internal(format!(
                "model `{model}` is shutting down"
            ))),
            Err(_elapsed) => Err(busy("the wait for a free slot timed out")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn limits(max_concurrent: usize, max_queued: usize, queue_ms: u64) -> ModelLimits {
        ModelLimits {
            max_prompt_chars: 5,
            timeout: Duration::from_secs(1),
            max_concurrent,
            max_queued,
            queue_timeout: Duration::from_millis(queue_ms),
        }
    }

    #[test]
    fn prompt_length_counts_characters_not_bytes() {
        let limits = limits(1, 0, 10);
        assert!(limits.check_prompt("m", "ééééé").is_ok());
        let error = limits.check_prompt("m", "éééééé").unwrap_err();
        assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_full_queue_answers_503_with_retry_after() {
        let gate = Gate::new(&limits(1, 0, 1000));
        let held = gate.enter("m").await.unwrap();
        let error = gate.enter("m").await.unwrap_err();
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.retry_after(), Some("1"));
        drop(held);
        assert!(gate.enter("m").await.is_ok(), "a freed slot is reusable");
    }

    #[tokio::test]
    async fn a_waiter_gets_the_slot_when_it_frees() {
        let gate = Gate::new(&limits(1, 1, 5000));
        let held = gate.enter("m").await.unwrap();
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter("m").await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        assert!(waiter.await.unwrap().is_ok());
        assert_eq!(gate.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_long_wait_times_out_with_503() {
        let gate = Gate::new(&limits(1, 4, 20));
        let _held = gate.enter("m").await.unwrap();
        let error = gate.enter("m").await.unwrap_err();
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(gate.waiting.load(Ordering::SeqCst), 0);
    }
}
