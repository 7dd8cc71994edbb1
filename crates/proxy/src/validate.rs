//! Checks a Generate request against Cohere's ranges (written once, in `likely_core::rules`) before any
//! model sees it, so every backend gets the same clear 400s.

use crate::error::AppError;
use likely_core::GenerateRequest;

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
    request
        .check_options()
        .map_err(|error| AppError::BadRequest(error.to_string()))?;
    request
        .check_stop_sequences()
        .map_err(|error| AppError::BadRequest(error.to_string()))
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
        request.stop_sequences = Some(vec![String::new()]);
        assert!(validate(&request)
            .unwrap_err()
            .to_string()
            .contains("stop_sequences"));
        request.stop_sequences = None;
        request.prompt.clear();
        assert!(validate(&request)
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }
}
