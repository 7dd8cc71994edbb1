//! The Generate parameters of an evaluation, the request they make, and their check against the ranges
//! of [`crate::rules`].

use crate::rules::{self, RangeError};
use crate::wire::{GenerateRequest, ReturnLikelihoods};
use serde::{Deserialize, Serialize};

/// The Generate parameters sent with every scoring request. The defaults are the worked example's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateParams {
    /// Tokens to generate after the prompt (they are never scored).
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: f64,
    /// Top-k sampling (0 = off).
    pub k: u32,
    /// Nucleus sampling mass.
    pub p: f64,
    /// Which tokens get a likelihood; scoring needs `All`.
    pub return_likelihoods: ReturnLikelihoods,
    /// Ask for each token's rank (Likely's extension, for the rank-bucket colours). Off by default:
    /// only backends that know ranks answer it.
    #[serde(default)]
    pub return_ranks: bool,
    /// K of the `top_logprobs` extension: each position's K most likely tokens, asked of the models
    /// that share a tokenizer with another model of the evaluation (for the whole-distribution figures,
    /// [`crate::comparison::distribution`]); `None` (`null`) asks no one. Evaluations written before the field
    /// existed read as the default K.
    #[serde(default = "default_top_logprobs")]
    pub top_logprobs: Option<u32>,
}

fn default_top_logprobs() -> Option<u32> {
    Some(rules::DEFAULT_TOP_LOGPROBS)
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            max_tokens: 1,
            temperature: 1.0,
            k: 0,
            p: 0.75,
            return_likelihoods: ReturnLikelihoods::All,
            return_ranks: false,
            top_logprobs: default_top_logprobs(),
        }
    }
}

impl GenerateParams {
    /// Ok when every parameter is within its range ([`crate::rules`]), as the form keeps them.
    pub fn check(&self) -> Result<(), RangeError> {
        rules::MAX_TOKENS.check(f64::from(self.max_tokens))?;
        rules::TEMPERATURE.check(self.temperature)?;
        rules::K.check(f64::from(self.k))?;
        if let Some(k) = self.top_logprobs {
            rules::TOP_LOGPROBS.check(f64::from(k))?;
        }
        rules::P.check(self.p)
    }

    /// The request scoring `prompt` with `model` under these parameters.
    pub fn request(&self, model: impl Into<String>, prompt: impl Into<String>) -> GenerateRequest {
        let mut request = GenerateRequest::scoring(model, prompt);
        request.max_tokens = Some(self.max_tokens);
        request.temperature = Some(self.temperature);
        request.k = Some(self.k);
        request.p = Some(self.p);
        request.return_likelihoods = Some(self.return_likelihoods);
        request.return_ranks = self.return_ranks.then_some(true);
        request.top_logprobs = self.top_logprobs;
        request
    }
}
