//! Builders of the values tests start from, shared by this crate's unit tests and (through the
//! `testing` feature, which the `likely-testkit` crate turns on) every other crate's tests: answers of
//! the Generate API and the words of the worked example's first line. Not part of the product.

use crate::wire::{
    BilledUnits, GenerateResponse, Generation, ResponseMeta, TokenLikelihood, TopToken,
};

/// The worked example's first line as GPT-2 splits it: synthetic snippets repeat these pieces.
pub const HAMLET_WORDS: [&str; 12] = [
    "To",
    " be",
    ",",
    " or",
    " not",
    " to",
    " be",
    ":",
    " that",
    " is",
    " the",
    " question",
];

/// A scored token: its text and log-likelihood (none for a text's first token), nothing else.
pub fn token(text: &str, likelihood: Option<f64>) -> TokenLikelihood {
    TokenLikelihood {
        token: text.into(),
        likelihood,
        top_tokens: None,
        rank: None,
        id: None,
    }
}

/// A scored token with the model's top-1 token (text, log-likelihood) when given.
pub fn token_with_top(
    text: &str,
    likelihood: Option<f64>,
    top: Option<(&str, f64)>,
) -> TokenLikelihood {
    TokenLikelihood {
        top_tokens: top.map(|(token, likelihood)| {
            vec![TopToken {
                token: token.into(),
                likelihood,
                id: None,
            }]
        }),
        ..token(text, likelihood)
    }
}

/// An answer with one generation holding `tokens`, built up by the methods of [`Answer`].
pub fn answer(tokens: Vec<TokenLikelihood>) -> Answer {
    Answer(GenerateResponse {
        id: "a".into(),
        prompt: None,
        generations: vec![Generation {
            id: "g".into(),
            text: String::new(),
            likelihood: None,
            token_likelihoods: Some(tokens),
            finish_reason: None,
        }],
        meta: None,
    })
}

/// A [`GenerateResponse`] under construction: id `a`, one generation `g`, no prompt, generated text,
/// finish reason or token counts until set.
#[derive(Debug, Clone)]
pub struct Answer(GenerateResponse);

impl Answer {
    /// With this answer id.
    pub fn id(mut self, id: &str) -> Answer {
        self.0.id = id.into();
        self
    }

    /// With the prompt as received.
    pub fn prompt(mut self, prompt: &str) -> Answer {
        self.0.prompt = Some(prompt.into());
        self
    }

    /// With this generated text.
    pub fn text(mut self, text: &str) -> Answer {
        self.generation().text = text.into();
        self
    }

    /// With this finish reason (`COMPLETE`, `MAX_TOKENS`).
    pub fn finish(mut self, reason: &str) -> Answer {
        self.generation().finish_reason = Some(reason.into());
        self
    }

    /// With `meta.billed_units`: `input` prompt tokens and `output` generated ones.
    pub fn billed(mut self, input: u32, output: u32) -> Answer {
        self.0.meta = Some(ResponseMeta {
            billed_units: Some(BilledUnits {
                input_tokens: Some(input),
                output_tokens: Some(output),
            }),
        });
        self
    }

    /// The answer.
    pub fn build(self) -> GenerateResponse {
        self.0
    }

    fn generation(&mut self) -> &mut Generation {
        &mut self.0.generations[0]
    }
}
