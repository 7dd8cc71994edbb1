//! The embedded models end to end: where the corpora are and how they become the training
//! documents of `base-light` and `custom-base-light` ([`pipeline`]), the cache on disk and training
//! under a lock when it is stale ([`cache`]), and a base of any tokenizer mixed with a model of the
//! plays ([`plays_mix`]).

pub mod cache;
pub mod pipeline;
pub mod plays_mix;
