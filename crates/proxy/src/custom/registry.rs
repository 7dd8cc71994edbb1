//! The custom models of this server: their records (queued, running, done, failed, cancelled), the
//! queue, and the one training thread. A finished model is written to disk ([`super::store`]) and
//! added to the model table, so `/v1/models` lists it and `/v1/generate` serves it.
//!
//! One training runs at a time, on a one-thread rayon pool, so that it costs the other requests at
//! most one core; the others wait in submission order. A training reports its stage and progress
//! into its record and checks its cancellation flag as it goes.

use super::base::Base;
use super::settings::CustomSettings;
use super::store::{self, StoreError, StoredModel};
use super::training::{self, Counted, Submission, TrainingError, SAVING_FROM};
use crate::backends::{Backend, EmbeddedCatalog};
use crate::error::AppError;
use crate::models::{ModelEntry, ModelTable};
use likely_core::custom_model::{validate_name, MIN_TRAINING_DOCUMENTS, MIN_TRAINING_TOKENS};
use likely_core::{
    CustomModel, CustomModelList, DocumentCounts, LambdaPoint, TrainingStage, TrainingStatus,
    ValidationSnippets,
};
use likely_ngram::{KnModel, NgramError, Progress, Tokenizer};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One custom model's record and what its training needs.
struct Job {
    record: CustomModel,
    cancel: Arc<AtomicBool>,
    submission: Option<Arc<Submission>>,
    validation: Option<Arc<ValidationSnippets>>,
}

#[derive(Default)]
struct Jobs {
    jobs: Vec<Job>,
    queue: VecDeque<String>,
}

impl Jobs {
    fn find(&mut self, name: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|job| job.record.name == name)
    }

    fn public(&self, job: &Job) -> CustomModel {
        let mut record = job.record.clone();
        record.queue_position = self
            .queue
            .iter()
            .position(|name| *name == record.name)
            .map(|i| i + 1);
        record
    }
}

/// The custom models and their trainer.
pub struct CustomModels {
    settings: CustomSettings,
    table: Arc<ModelTable>,
    bases: Vec<Base>,
    /// The embedded catalog's GPT-2 tokenizer (the catalogs built for custom models start from it).
    tokenizer: Tokenizer,
    jobs: Mutex<Jobs>,
    wake: Condvar,
}

impl std::fmt::Debug for CustomModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomModels")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CustomModels {
    /// Loads the stored models of `settings.dir` into `table` (removing leftovers of interrupted
    /// writes) and starts the training thread. `bases` are the models a custom model may adapt, by
    /// their name in `table`; `tokenizer` is the embedded catalog's GPT-2 tokenizer.
    pub fn start(
        settings: CustomSettings,
        table: Arc<ModelTable>,
        bases: Vec<Base>,
        tokenizer: Tokenizer,
    ) -> Result<Arc<CustomModels>, StoreError> {
        let started = Instant::now();
        let (stored, problems) = store::load_all(&settings.dir)?;
        for problem in problems {
            tracing::warn!(error = %problem, "a stored custom model cannot be read; skipped");
        }
        let models = Arc::new(CustomModels {
            settings,
            table,
            bases,
            tokenizer,
            jobs: Mutex::new(Jobs::default()),
            wake: Condvar::new(),
        });
        let count = stored.len();
        for model in stored {
            let name = model.record.name.clone();
            if let Err(e) = models.restore(model) {
                tracing::warn!(model = %name, error = %e, "a stored custom model is not served");
            }
        }
        tracing::info!(
            models = count,
            seconds = started.elapsed().as_secs_f64(),
            dir = %models.settings.dir.display(),
            "custom models loaded"
        );
        let weak = Arc::downgrade(&models);
        std::thread::Builder::new()
            .name("likely-trainer".into())
            .spawn(move || trainer_loop(&weak))
            .map_err(StoreError::Thread)?;
        Ok(models)
    }

    /// The settings in force.
    pub fn settings(&self) -> &CustomSettings {
        &self.settings
    }

    fn lock(&self) -> MutexGuard<'_, Jobs> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn restore(&self, model: StoredModel) -> Result<(), AppError> {
        let StoredModel {
            record,
            domain,
            validation,
        } = model;
        let entry = self.entry_for(&record, Arc::new(domain))?;
        self.table.add_custom(entry).map_err(AppError::Conflict)?;
        self.lock().jobs.push(Job {
            record,
            cancel: Arc::new(AtomicBool::new(false)),
            submission: None,
            validation: Some(Arc::new(validation)),
        });
        Ok(())
    }

    fn base(&self, name: &str) -> Option<&Base> {
        self.bases.iter().find(|base| base.name == name)
    }

    /// The names of the models a custom model may adapt.
    pub fn base_names(&self) -> Vec<&str> {
        self.bases.iter().map(|base| base.name.as_str()).collect()
    }

    /// The model table's entry of a finished model.
    fn entry_for(
        &self,
        record: &CustomModel,
        domain: Arc<KnModel>,
    ) -> Result<ModelEntry, AppError> {
        let unknown = || AppError::UnknownModel(record.base.clone());
        let base = self.base(&record.base).ok_or_else(unknown)?;
        let base_entry = self.table.get(&record.base)?;
        let lambda = record.lambda.unwrap_or(0.0);
        let model = base
            .adapted(domain, lambda)
            .map_err(|e| AppError::Internal(format!("model `{}`: {e}", record.name)))?;
        let backend = EmbeddedCatalog::new(self.tokenizer.clone())
            .with_tokenized_model(&record.name, model, base.tokenizer.clone())
            .backend(&record.name, &record.name)
            .ok_or_else(unknown)?;
        let mut info = base_entry.info.clone();
        info.name = record.name.clone();
        info.description = Some(format!(
            "Trained from {} ({} documents, {} tokens) on {}; λ = {lambda:.2}",
            record.train_file, record.training.documents, record.training.tokens, record.base
        ));
        Ok(ModelEntry::new(
            info,
            Backend::Embedded(backend),
            base_entry.limits,
        ))
    }

    /// Checks a new model's name and base before its files are read: 422 for an invalid name, 409
    /// when taken, 404 for an unknown base, 422 for a model that cannot be a base.
    pub fn check_new(&self, name: &str, base: &str) -> Result<(), AppError> {
        validate_name(name).map_err(|e| AppError::Unprocessable(e.to_string()))?;
        let taken_by_job = self.lock().jobs.iter().any(|job| {
            job.record.name == name
                && matches!(
                    job.record.status,
                    TrainingStatus::Queued | TrainingStatus::Running | TrainingStatus::Done
                )
        });
        if taken_by_job || self.table.get(name).is_ok() {
            return Err(AppError::Conflict(format!(
                "a model named `{name}` already exists; choose another name"
            )));
        }
        if self.base(base).is_none() {
            let known = self.table.get(base).is_ok();
            let bases = self.base_names().join(", ");
            return Err(if known {
                AppError::Unprocessable(format!(
                    "model `{base}` cannot be adapted here; the bases are: {bases}"
                ))
            } else {
                AppError::UnknownModel(base.chars().take(128).collect())
            });
        }
        Ok(())
    }

    /// Queues a training. The answer is the new record (status `queued`).
    pub fn submit(&self, submission: Submission) -> Result<CustomModel, AppError> {
        self.check_new(&submission.name, &submission.base)?;
        let documents = submission.training_documents();
        if documents < MIN_TRAINING_DOCUMENTS {
            return Err(AppError::Unprocessable(format!(
                "too little training data: {} training documents; at least {MIN_TRAINING_DOCUMENTS} are needed (3 without a validation file, whose every tenth document is held out)",
                documents
            )));
        }
        let bytes: usize = submission.train.iter().map(String::len).sum();
        // A token is at least one byte: fewer bytes than the minimum cannot make enough tokens.
        if bytes < MIN_TRAINING_TOKENS {
            return Err(AppError::Unprocessable(format!(
                "too little training data: {bytes} bytes of text; at least {MIN_TRAINING_TOKENS} tokens are needed"
            )));
        }
        // English averages more than 4 bytes a token: refuse early what is surely over the cap.
        let estimate = CustomSettings::estimated_model_bytes(bytes / 4);
        if estimate > self.settings.max_model_bytes {
            return Err(AppError::PayloadTooLarge(format!(
                "too much training data for this server: {bytes} bytes of text make a model of about {} MB, over its cap of {} MB",
                estimate >> 20,
                self.settings.max_model_bytes >> 20
            )));
        }
        let record = CustomModel {
            name: submission.name.clone(),
            base: submission.base.clone(),
            status: TrainingStatus::Queued,
            stage: None,
            progress: 0.0,
            queue_position: None,
            reason: None,
            created_at: now_seconds(),
            train_file: submission.train_file.clone(),
            training: DocumentCounts {
                documents,
                tokens: 0,
            },
            validation: submission.validation_counts(),
            lambda: None,
            lambda_curve: Vec::new(),
            size_bytes: None,
        };
        let mut jobs = self.lock();
        // Checked again under the lock: two submissions of one name race here.
        if jobs.jobs.iter().any(|job| {
            job.record.name == record.name
                && !matches!(
                    job.record.status,
                    TrainingStatus::Failed | TrainingStatus::Cancelled
                )
        }) {
            return Err(AppError::Conflict(format!(
                "a model named `{}` already exists; choose another name",
                record.name
            )));
        }
        jobs.jobs.retain(|job| job.record.name != record.name);
        jobs.queue.push_back(record.name.clone());
        jobs.jobs.push(Job {
            record,
            cancel: Arc::new(AtomicBool::new(false)),
            submission: Some(Arc::new(submission)),
            validation: None,
        });
        let answer = jobs.jobs.last().map(|job| jobs.public(job));
        drop(jobs);
        self.wake.notify_all();
        answer.ok_or_else(|| AppError::Internal("the training was not queued".into()))
    }

    /// Every custom model, oldest first.
    pub fn list(&self) -> CustomModelList {
        let jobs = self.lock();
        CustomModelList {
            models: jobs.jobs.iter().map(|job| jobs.public(job)).collect(),
        }
    }

    /// One custom model's record.
    pub fn get(&self, name: &str) -> Result<CustomModel, AppError> {
        let jobs = self.lock();
        jobs.jobs
            .iter()
            .find(|job| job.record.name == name)
            .map(|job| jobs.public(job))
            .ok_or_else(|| self.not_custom(name))
    }

    fn not_custom(&self, name: &str) -> AppError {
        let name: String = name.chars().take(128).collect();
        if self.table.is_configured(&name) {
            AppError::NotFound(format!("`{name}` is a built-in model, not a custom one"))
        } else {
            AppError::NotFound(format!("there is no custom model `{name}`"))
        }
    }

    /// The validation documents of a model, once its training has tokenized them (409 before).
    pub fn validation(&self, name: &str) -> Result<ValidationSnippets, AppError> {
        let jobs = self.lock();
        let job = jobs
            .jobs
            .iter()
            .find(|job| job.record.name == name)
            .ok_or_else(|| self.not_custom(name))?;
        job.validation.as_deref().cloned().ok_or_else(|| {
            AppError::Conflict(format!(
                "the validation documents of `{name}` are ready once its training has read them"
            ))
        })
    }

    /// Cancels a queued or running training (the answer is its record, status `cancelled`), or
    /// deletes a finished, failed or cancelled model (files removed; the answer is `None`). A
    /// configured model is refused with 403.
    pub fn delete(&self, name: &str) -> Result<Option<CustomModel>, AppError> {
        let mut jobs = self.lock();
        let Some(job) = jobs.find(name) else {
            return Err(if self.table.is_configured(name) {
                AppError::Forbidden(format!(
                    "`{name}` is a built-in model of this server's configuration; only custom models can be deleted"
                ))
            } else {
                self.not_custom(name)
            });
        };
        match job.record.status {
            TrainingStatus::Queued | TrainingStatus::Running => {
                job.cancel.store(true, Ordering::Relaxed);
                job.record.status = TrainingStatus::Cancelled;
                job.record.stage = None;
                job.record.reason = Some("cancelled by a DELETE request".into());
                job.submission = None;
                jobs.queue.retain(|queued| queued != name);
                let record = jobs.find(name).map(|job| job.record.clone());
                Ok(record)
            }
            TrainingStatus::Done => {
                store::remove(&self.settings.dir, name).map_err(|e| {
                    AppError::Internal(format!("cannot delete the model `{name}`: {e}"))
                })?;
                self.table.remove_custom(name);
                jobs.jobs.retain(|job| job.record.name != name);
                Ok(None)
            }
            TrainingStatus::Failed | TrainingStatus::Cancelled => {
                jobs.jobs.retain(|job| job.record.name != name);
                Ok(None)
            }
        }
    }

    /// Takes the next queued training, marking it running.
    fn next(&self, jobs: &mut Jobs) -> Option<(String, Arc<Submission>, Arc<AtomicBool>)> {
        let name = jobs.queue.pop_front()?;
        let job = jobs.find(&name)?;
        job.record.status = TrainingStatus::Running;
        job.record.stage = Some(TrainingStage::Reading);
        let submission = job.submission.clone()?;
        Some((name, submission, Arc::clone(&job.cancel)))
    }

    /// Updates a running job's record (a cancelled one is left as it is).
    fn update(&self, name: &str, change: impl FnOnce(&mut Job)) {
        let mut jobs = self.lock();
        if let Some(job) = jobs.find(name) {
            if job.record.status == TrainingStatus::Running {
                change(job);
            }
        }
    }

    fn fail(&self, name: &str, reason: String) {
        tracing::warn!(model = %name, %reason, "custom model training failed");
        self.update(name, |job| {
            job.record.status = TrainingStatus::Failed;
            job.record.stage = None;
            job.record.reason = Some(reason);
            job.submission = None;
        });
    }

    /// Trains one queued model, then saves and publishes it (unless cancelled meanwhile).
    fn run(
        &self,
        pool: &rayon::ThreadPool,
        name: &str,
        submission: &Submission,
        cancel: &AtomicBool,
    ) {
        let Some(base) = self.base(&submission.base).cloned() else {
            self.fail(name, format!("unknown base `{}`", submission.base));
            return;
        };
        let report = |stage: TrainingStage, fraction: f64| {
            self.update(name, |job| {
                job.record.stage = Some(stage);
                job.record.progress = fraction;
            });
        };
        let counted = |counted: Counted| {
            self.update(name, |job| {
                job.record.training = counted.training;
                job.record.validation = counted.validation;
                job.validation = Some(Arc::new(ValidationSnippets {
                    name: job.record.name.clone(),
                    base: job.record.base.clone(),
                    source: counted.validation.source,
                    truncated: counted.snippets.len() < counted.total_validation,
                    snippets: counted.snippets,
                    total_documents: counted.total_validation,
                }));
            });
        };
        let started = Instant::now();
        let progress = Progress::new(&report, cancel);
        let trained = pool
            .install(|| training::train(submission, &base, &self.settings, &progress, &counted));
        let adapted = match trained {
            Ok(adapted) => adapted,
            Err(TrainingError::Ngram(NgramError::Cancelled)) if cancel.load(Ordering::Relaxed) => {
                tracing::info!(model = %name, "custom model training cancelled");
                return;
            }
            Err(TrainingError::Ngram(NgramError::Cancelled)) => {
                // Stopped without a DELETE: the base failed while tuning λ (logged where it did).
                return self.fail(
                    name,
                    format!(
                        "the base `{}` failed while tuning the weight; see the server's log",
                        submission.base
                    ),
                );
            }
            Err(e) => return self.fail(name, e.to_string()),
        };
        let _ = progress.report(TrainingStage::Saving, SAVING_FROM);
        let (mut record, validation) = {
            let mut jobs = self.lock();
            match jobs.find(name) {
                Some(job) if job.record.status == TrainingStatus::Running => {
                    (job.record.clone(), job.validation.clone())
                }
                _ => return,
            }
        };
        record.status = TrainingStatus::Done;
        record.stage = None;
        record.progress = 1.0;
        record.lambda = Some(adapted.lambda);
        record.lambda_curve = adapted
            .curve
            .iter()
            .map(|&(lambda, loss)| LambdaPoint { lambda, loss })
            .collect();
        let Some(validation) = validation else {
            return self.fail(name, "the validation documents were not read".into());
        };
        let domain = Arc::new(adapted.domain);
        let staged = match store::stage(
            &self.settings.dir,
            &mut record,
            &domain,
            adapted.lambda,
            &validation,
        ) {
            Ok(staged) => staged,
            Err(e) => return self.fail(name, format!("cannot save the model: {e}")),
        };
        let domain = match staged.saved_model() {
            Ok(saved) => Arc::new(saved),
            Err(e) => return self.fail(name, format!("cannot read the saved model back: {e}")),
        };
        let entry = match self.entry_for(&record, domain) {
            Ok(entry) => entry,
            Err(e) => return self.fail(name, e.to_string()),
        };
        // Published under the lock, so a DELETE sees either the running training or the model.
        let mut jobs = self.lock();
        let Some(job) = jobs.find(name) else { return };
        if job.record.status != TrainingStatus::Running {
            return; // Cancelled while saving: `staged` removes its folder.
        }
        if let Err(e) = staged.commit(&self.settings.dir, name) {
            drop(jobs);
            return self.fail(name, format!("cannot save the model: {e}"));
        }
        if let Err(e) = self.table.add_custom(entry) {
            drop(jobs);
            return self.fail(name, e);
        }
        tracing::info!(
            model = %name,
            seconds = started.elapsed().as_secs_f64(),
            tokens = record.training.tokens,
            lambda = adapted.lambda,
            bytes = record.size_bytes,
            "custom model trained"
        );
        job.record = record;
        job.submission = None;
    }
}

/// The training thread: runs queued trainings one at a time until the registry is dropped.
fn trainer_loop(models: &Weak<CustomModels>) {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "likely-training".into())
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the training pool; custom models cannot be trained");
            return;
        }
    };
    loop {
        let Some(models) = models.upgrade() else {
            return;
        };
        let next = {
            let mut jobs = models.lock();
            match models.next(&mut jobs) {
                Some(next) => Some(next),
                None => {
                    let (_jobs, _) = models
                        .wake
                        .wait_timeout(jobs, Duration::from_millis(500))
                        .unwrap_or_else(PoisonError::into_inner);
                    None
                }
            }
        };
        if let Some((name, submission, cancel)) = next {
            models.run(&pool, &name, &submission, &cancel);
        }
    }
}
