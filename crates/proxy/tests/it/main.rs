//! The server's integration tests, in one test binary (one link of the whole server instead of one per
//! file): each module is one subject, its tests named `module::test` (`cargo nextest run -p
//! likely-proxy -E 'test(/^shares::/)'` runs one subject). Shared helpers are in `common` (in-process
//! router, one-shot requests) and in the `likely-testkit` crate (fake upstreams, the `likely serve`
//! launcher, fixtures). A new subject: a file `NAME.rs` here and a `mod NAME;` line below.

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]
// Helpers and tests of a test binary: `pub` is for the modules that share them.
#![allow(unreachable_pub)]

mod common;

mod abandoned_work;
mod access;
mod cli;
mod completions;
mod custom_models;
mod dialects;
mod embedded;
mod embedded_work;
mod eval_cli;
mod exposure;
mod faults;
mod first_visit;
mod forwarding;
mod generate_batch;
mod hostile;
mod key_echo;
mod kl_error;
mod python_tools;
mod record;
mod routes;
mod security;
mod sglang;
mod shares;
mod stop_sequences;
mod transformer;
