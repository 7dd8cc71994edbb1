//! The figures of a model over scored tokens: which figures there are (`metric`), the sums every figure
//! is a ratio of (`sums`), one model's figures over its snippets (`per_model`) and the paired bootstrap
//! that puts an interval around a difference of figures (`bootstrap`).

pub mod bootstrap;
pub mod metric;
pub mod per_model;
pub mod sums;
