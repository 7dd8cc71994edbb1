//! Checks a Generate request against Cohere's ranges before any model sees it, so every backend gets
//! the same clear 400s.

use crate::error::AppError;
use likely_core::GenerateRequest;

/// The most generations one request may ask for, as at Cohere.
pub const MAX_GENERATIONS: u32 = 5;
/// The most tokens one request may generate.
pub const MAX_NEW_TOKENS: u32 = 4096;

/// A request whose options are all within range.
pub fn validate(request: &GenerateRequest) -> Result<(), AppError> {
    if request.model.trim().is_empty() {
        return Err(AppError::BadRequest("`model` is required".into()));
    }
    if request.prompt.is_empty() {
        return Err(AppError::BadRequest(
            "`prompt` is empty: there is nothing to score".into(),
        ));
    }
    if let Some(max_tokens) = request.max_tokens.filter(|&n| n > MAX_NEW_TOKENS) {
        return Err(AppError::BadRequest(format!(
            "`max_tokens` is {max_tokens}; at most {MAX_NEW_TOKENS}"
        )));
    }
    if let Some(n) = request
        .num_generations
        .filter(|&n| n == 0 || n > MAX_GENERATIONS)
    {
        return Err(AppError::BadRequest(format!(
            "`num_generations` is {n}; it must be 1 to {MAX_GENERATIONS}"
        )));
    }
    if let Some(t) = request
        .temperature
        .filter(|t| !t.is_finite() || *t < 0.0 || *t > 5.0)
    {
        return Err(AppError::BadRequest(format!(
            "`temperature` is {t}; it must be 0 to 5"
        )));
    }
    if let Some(p) = request.p.filter(|p| !p.is_finite() || *p < 0.0 || *p > 1.0) {
        return Err(AppError::BadRequest(format!(
            "`p` is {p}; it must be 0 to 1"
        )));
    }
    if let Some(k) = request.k.filter(|&k| k > 500) {
        return Err(AppError::BadRequest(format!(
            "`k` is {k}; it must be 0 to 500"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_request_is_valid() {
        assert!(validate(&GenerateRequest::scoring("base-light", "To be")).is_ok());
    }

    #[test]
    fn out_of_range_options_are_rejected_with_the_field_named() {
        let mut request = GenerateRequest::scoring("base-light", "To be");
        request.p = Some(1.5);
        let message = validate(&request).unwrap_err().to_string();
        assert!(message.contains("`p`"), "{message}");
        request.p = None;
        request.num_generations = Some(6);
        assert!(validate(&request).is_err());
        request.num_generations = None;
        request.prompt.clear();
        assert!(validate(&request)
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }
}
