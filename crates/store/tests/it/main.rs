//! The store's integration tests, in one test binary: the share and record suites (`suite`,
//! `record_suite`: one macro each runs every case against a store) run against SQLite (`sqlite`) and
//! PostgreSQL (`postgres`, with `LIKELY_TEST_POSTGRES_URL`), and `crash` kills a writer mid-burst.
//! A new subject: a file `NAME.rs` here and a `mod NAME;` line below.

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]
// Helpers of a test binary: `pub` is for the modules that share them.
#![allow(unreachable_pub)]

mod pg_env;
#[macro_use]
mod record_suite;
#[macro_use]
mod suite;

mod crash;
mod postgres;
mod sqlite;
