//! End-to-end tests of what a user does, in headless Chromium against the real `likely` server with
//! its embedded models (and, for trouble, a Cohere-dialect upstream the test controls). Built only
//! with `--features e2e`; `scripts/test.sh` builds the app, the server and the models first.

mod evaluate;
mod share;
mod support;
mod trouble;
mod upload;
