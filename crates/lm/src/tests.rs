//! Unit tests that need a model: see `tests/` for the ones on the real weights.
