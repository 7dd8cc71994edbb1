//! The core's integration tests through its public API, in one test binary: frozen share snapshots
//! of earlier format versions that every later version must still open. A new subject: a file
//! `NAME.rs` here and a `mod NAME;` line below.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod playground_fixture;
mod snapshot_fixtures;
