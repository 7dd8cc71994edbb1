//! The n-gram models' integration tests through the public API, in one test binary: each module is
//! one subject (`kneser_ney::hand_computed_kneser_ney`); `common` holds what they share. A new
//! subject: a file `NAME.rs` here and a `mod NAME;` line below.

// Helpers of a test binary: `pub` is for the modules that share them.
#![allow(unreachable_pub)]

mod common;

mod any_vocab;
mod kneser_ney;
mod plays_mix;
mod sample_top;
mod stopping;
mod train_lock;
