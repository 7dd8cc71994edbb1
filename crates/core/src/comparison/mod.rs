//! A custom model against the baseline: the metric pills with their intervals and the snippets won
//! (`pills`), the whole-distribution figures (`distribution`) and the token strings that moved most
//! (`learned`).

pub mod distribution;
pub mod learned;
pub mod pills;
