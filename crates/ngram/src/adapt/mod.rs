//! Domain adaptation: a base model interpolated with an in-domain model
//! ([`interpolated::InterpolatedModel`]), the weight λ chosen by expectation-maximisation on held-out
//! in-domain text ([`lambda`]), and the one training path of every adapted model ([`train`]).

pub mod interpolated;
pub mod lambda;
pub mod train;

pub use interpolated::InterpolatedModel;
