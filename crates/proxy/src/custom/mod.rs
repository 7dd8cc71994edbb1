//! Custom models: models users train from their own files on this server, by the same domain
//! adaptation as `custom-base-light` (likely-ngram's `train_adapted`), stored under a data folder and
//! served like the built-in embedded models. `base` (what may be adapted: `base-light`, and
//! `smollm2-135m` when the transformer is loaded), `settings` (where, how large), `training` (one model),
//! `store` (disk, atomic), `registry` (records, queue, trainer thread, publication in the model
//! table). The HTTP side is `routes/custom_models.rs`.

pub mod base;
pub mod registry;
pub mod settings;
pub mod store;
pub mod training;

pub use base::{Base, BaseModel};
pub use registry::CustomModels;
pub use settings::CustomSettings;
pub use training::Submission;
