//! A run of the scoring engine, as a state machine without I/O: at most [`Settings::concurrency`]
//! jobs under way, taken in the plan's order, each asking for one window at a time. The driver asks
//! [`Engine::step`] what to do, sends each [`Call`] (after its `delay_ms`: a retry's backoff), hands
//! every answer or failure to [`Engine::answer`] and writes each [`Finished`] job into the evaluation.
//! [`Engine::cancel`] ends the run at once: answers still on their way are dropped.

use super::job::{ActiveJob, Next};
use super::kept::KeptWindows;
use super::plan::Job;
use super::retry::CallFailure;
use super::windows::{plan_for, WindowProgress};
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome};
use crate::evaluation::{Evaluation, EvaluationError};
use crate::wire::{GenerateRequest, GenerateResponse};
use std::collections::VecDeque;

/// How a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Jobs under way at once (each with one call at a time); at least 1.
    pub concurrency: usize,
    /// Whether a snippet that failed or was cancelled part-way keeps its finished windows for a later
    /// run ([`Engine::resuming`], [`Engine::take_kept`]), its failure saying so.
    pub keep_windows: bool,
}

/// Names one call of a run, so its answer finds its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallId(u64);

/// A Generate call to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Give it back with the answer.
    pub id: CallId,
    /// What to send.
    pub request: GenerateRequest,
    /// How long to wait before sending it (ms): 0, or a retry's backoff.
    pub delay_ms: u32,
}

/// A job that is over: what to write into the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// The model's name.
    pub model: String,
    /// The snippet's index.
    pub snippet: usize,
    /// What happened.
    pub outcome: Outcome,
}

impl Finished {
    /// Writes the outcome into `evaluation` (the one the run was planned from).
    pub fn record(self, evaluation: &mut Evaluation) -> Result<(), EvaluationError> {
        evaluation.set_outcome(&self.model, self.snippet, self.outcome)
    }
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this call (after its delay); give its answer to [`Engine::answer`].
    Call(Call),
    /// Write this job's outcome into the evaluation.
    Finished(Finished),
    /// Nothing until an answer comes.
    Wait,
    /// The run is over: every job finished, or the run was cancelled.
    End,
}

/// How far a run got, in jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunProgress {
    /// Jobs over (scored or failed).
    pub finished: usize,
    /// Jobs in the run.
    pub total: usize,
}

/// A model as the run asks it.
#[derive(Debug)]
struct Model {
    spec: ModelSpec,
    params: GenerateParams,
}

/// One run. See the module documentation.
#[derive(Debug)]
pub struct Engine {
    settings: Settings,
    models: Vec<Model>,
    /// The texts of the snippets the run scores, by index (empty for the others).
    texts: Vec<String>,
    /// Jobs not started, (model, snippet), the next one last.
    queue: Vec<(usize, usize)>,
    /// Jobs under way, with the call each waits for.
    active: Vec<(CallId, ActiveJob)>,
    /// Calls and finished jobs not yet handed out, in order.
    pending: VecDeque<Step>,
    kept: KeptWindows,
    next_call: u64,
    progress: RunProgress,
    cancelled: bool,
}

impl Engine {
    /// A run of `jobs` (from [`super::pending_jobs`]) of `evaluation`; jobs naming a model or snippet
    /// it does not have are left out. Each model is asked with its own parameters
    /// ([`Evaluation::params_for`]).
    pub fn new(evaluation: &Evaluation, jobs: Vec<Job>, settings: Settings) -> Engine {
        let models: Vec<Model> = evaluation
            .model_results()
            .map(|run| Model {
                spec: run.model.clone(),
                params: evaluation.params_for(&run.model.name),
            })
            .collect();
        let mut texts = vec![String::new(); evaluation.snippets.len()];
        let mut queue = Vec::with_capacity(jobs.len());
        for job in jobs.iter().rev() {
            let model = models.iter().position(|m| m.spec.name == job.model);
            let (Some(model), Some(snippet)) = (model, evaluation.snippets.get(job.snippet)) else {
                continue;
            };
            if let Some(slot) = texts.get_mut(job.snippet).filter(|slot| slot.is_empty()) {
                slot.clone_from(&snippet.text);
            }
            queue.push((model, job.snippet));
        }
        Engine {
            settings: Settings {
                concurrency: settings.concurrency.max(1),
                ..settings
            },
            models,
            texts,
            progress: RunProgress {
                finished: 0,
                total: queue.len(),
            },
            queue,
            active: Vec::new(),
            pending: VecDeque::new(),
            kept: KeptWindows::new(),
            next_call: 0,
            cancelled: false,
        }
    }

    /// Takes from `store` the kept windows of this run's snippets, so their jobs ask only for the
    /// windows still missing.
    pub fn resuming(mut self, store: &mut KeptWindows) -> Engine {
        for &(model, snippet) in &self.queue {
            if store.is_empty() {
                break;
            }
            let (Some(text), Some(model)) = (self.texts.get(snippet), self.models.get(model))
            else {
                continue;
            };
            if let Some(progress) = store.take(&model.spec.name, text, &model.params) {
                self.kept
                    .keep(&model.spec.name, text, &model.params, progress);
            }
        }
        self
    }

    /// What to do next. See [`Step`].
    pub fn step(&mut self) -> Step {
        if self.cancelled {
            return Step::End;
        }
        if let Some(step) = self.pending.pop_front() {
            return step;
        }
        while self.active.len() < self.settings.concurrency {
            let Some((model, snippet)) = self.queue.pop() else {
                break;
            };
            self.start(model, snippet);
            if let Some(step) = self.pending.pop_front() {
                return step;
            }
        }
        if self.active.is_empty() {
            Step::End
        } else {
            Step::Wait
        }
    }

    /// How call `id` went; `jitter` in [0, 1) spreads retries. An answer to no call of this run (or
    /// after a cancel) is dropped.
    pub fn answer(
        &mut self,
        id: CallId,
        result: Result<GenerateResponse, CallFailure>,
        jitter: f64,
    ) {
        let Some(at) = self.active.iter().position(|(call, _)| *call == id) else {
            return;
        };
        let (_, job) = self.active.swap_remove(at);
        let (model, snippet) = (job.model, job.snippet);
        let text = self.texts.get(snippet).map_or("", String::as_str);
        match job.answered(text, result, jitter, self.settings.keep_windows) {
            Next::Ask(job, delay_ms) => self.ask(job, delay_ms),
            Next::Done {
                outcome,
                unfinished,
            } => {
                if let Some(progress) = unfinished.filter(|_| self.settings.keep_windows) {
                    self.keep(model, snippet, progress);
                }
                self.finish(model, snippet, outcome);
            }
        }
    }

    /// Ends the run: no more calls, answers on their way are dropped, jobs under way stay pending
    /// (their finished windows kept when [`Settings::keep_windows`]).
    pub fn cancel(&mut self) {
        if std::mem::replace(&mut self.cancelled, true) {
            return;
        }
        let active = std::mem::take(&mut self.active);
        if self.settings.keep_windows {
            for (_, job) in active {
                let (model, snippet) = (job.model, job.snippet);
                self.keep(model, snippet, job.into_progress());
            }
        }
        self.queue.clear();
        self.pending.clear();
    }

    /// Whether the run was cancelled.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }

    /// Jobs over and jobs in all.
    pub fn progress(&self) -> RunProgress {
        self.progress
    }

    /// The windows kept of snippets that failed or were cancelled part-way (and those taken by
    /// [`Engine::resuming`] for jobs that never started), for the next run.
    pub fn take_kept(&mut self) -> KeptWindows {
        std::mem::take(&mut self.kept)
    }

    /// Starts job (`model`, `snippet`): its first call, or its outcome when every window was kept.
    fn start(&mut self, model: usize, snippet: usize) {
        let (Some(text), Some(Model { spec, params })) =
            (self.texts.get(snippet), self.models.get(model))
        else {
            return;
        };
        let previous = self.kept.take(&spec.name, text, params);
        let windows = plan_for(text, spec.context_length, params);
        let progress = WindowProgress::resume(windows, previous);
        match ActiveJob::start(model, snippet, text, progress) {
            Ok(job) => self.ask(job, 0),
            Err(outcome) => self.finish(model, snippet, outcome),
        }
    }

    /// Queues the call for `job`'s current window.
    fn ask(&mut self, job: ActiveJob, delay_ms: u32) {
        let (Some(text), Some(model)) = (self.texts.get(job.snippet), self.models.get(job.model))
        else {
            return;
        };
        let id = CallId(self.next_call);
        self.next_call += 1;
        let request = job.request(text, &model.spec.name, &model.params);
        self.active.push((id, job));
        self.pending.push_back(Step::Call(Call {
            id,
            request,
            delay_ms,
        }));
    }

    /// Queues the outcome of job (`model`, `snippet`).
    fn finish(&mut self, model: usize, snippet: usize, outcome: Outcome) {
        self.progress.finished += 1;
        let model = self
            .models
            .get(model)
            .map(|m| m.spec.name.clone())
            .unwrap_or_default();
        self.pending.push_back(Step::Finished(Finished {
            model,
            snippet,
            outcome,
        }));
    }

    /// Keeps the finished windows of job (`model`, `snippet`) for a later run.
    fn keep(&mut self, model: usize, snippet: usize, progress: WindowProgress) {
        if let (Some(text), Some(model)) = (self.texts.get(snippet), self.models.get(model)) {
            self.kept
                .keep(&model.spec.name, text, &model.params, progress);
        }
    }
}
