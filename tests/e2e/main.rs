//! End-to-end tests of what a user does, in headless Chromium against the real `likely` server with
//! its embedded models (and, for trouble, a Cohere-dialect upstream the test controls). Built only
//! with `--features e2e`; `scripts/test.sh` builds the app, the server and the models first.

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]

mod customize;
mod distribution;
mod eval_cli;
mod evaluate;
mod hostile;
mod pieces;
mod playground;
mod record;
mod share;
mod snippets;
mod stored;
mod support;
mod transformer;
mod trouble;
mod upload;
