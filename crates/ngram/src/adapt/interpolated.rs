//! Domain adaptation of one Kneser-Ney model by another: `P(w | h) = λ P_domain(w | h) + (1 - λ)
//! P_base(w | h)`, with both models' full interpolated Kneser-Ney distributions (exact, not a merged
//! approximation), scored together in one pass. `λ` is chosen by expectation-maximisation on
//! held-out in-domain text ([`crate::adapt::lambda`]). [`crate::MixedModel`] mixes any two models.

use std::sync::Arc;

use crate::error::NgramError;
use crate::model::KnModel;
use crate::score::language_model::{KnParts, KneserNeyParts};

/// A base model adapted to a domain by interpolation with an in-domain model.
#[derive(Debug, Clone)]
pub struct InterpolatedModel {
    base: Arc<KnModel>,
    domain: Arc<KnModel>,
    lambda: f64,
}

impl InterpolatedModel {
    /// `lambda` is the weight of the in-domain model, clamped to [0, 1]. An error when the two
    /// models have different vocabularies (sizes or end-of-text ids).
    pub fn new(
        base: Arc<KnModel>,
        domain: Arc<KnModel>,
        lambda: f64,
    ) -> Result<InterpolatedModel, NgramError> {
        if base.vocabulary() != domain.vocabulary() {
            return Err(NgramError::Vocabulary(format!(
                "cannot mix a model of {:?} with one of {:?}",
                base.vocabulary(),
                domain.vocabulary()
            )));
        }
        Ok(InterpolatedModel {
            base,
            domain,
            lambda: lambda.clamp(0.0, 1.0),
        })
    }

    /// The in-domain model's weight.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The in-domain model.
    pub fn domain(&self) -> &KnModel {
        &self.domain
    }
}

impl KneserNeyParts for InterpolatedModel {
    fn kn_parts(&self) -> KnParts<'_> {
        KnParts::two(
            (self.lambda, &*self.domain),
            (1.0 - self.lambda, &*self.base),
        )
    }
}
