//! What training worked from: the token counts of the training and validation documents, where the
//! validation documents come from, and the chosen interpolation weight λ.

use crate::results::exact;
use leptos::prelude::*;
use likely_core::custom_model::{CustomModel, ValidationSource};

/// Where the validation documents come from, in words.
pub fn validation_words(record: &CustomModel, evaluated: Option<(usize, bool)>) -> String {
    let source = match record.validation.source {
        ValidationSource::File => "the separate validation file".to_string(),
        ValidationSource::Split => format!(
            "every tenth document of {}, held out of training",
            record.train_file
        ),
    };
    let shown = match evaluated {
        Some((count, true)) => format!("; the first {count} are evaluated here"),
        _ => String::new(),
    };
    format!(
        "Validation split: {} documents, {} tokens, from {source}{shown}.",
        record.validation.documents, record.validation.tokens
    )
}

fn figure(testid: &'static str, label: &'static str, value: f64, shown: String) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td class="num" data-testid=testid data-value=exact(value)>{shown}</td>
        </tr>
    }
}

/// The training figures of `record`.
#[component]
pub fn TrainingFigures(record: CustomModel) -> impl IntoView {
    let lambda = record.lambda.unwrap_or(f64::NAN);
    view! {
        <table class="results training-figures">
            <tbody>
                {figure("training-documents", "Training documents", record.training.documents as f64, record.training.documents.to_string())}
                {figure("training-tokens", "Training tokens", record.training.tokens as f64, record.training.tokens.to_string())}
                {figure("validation-documents", "Validation documents", record.validation.documents as f64, record.validation.documents.to_string())}
                {figure("validation-tokens", "Validation tokens", record.validation.tokens as f64, record.validation.tokens.to_string())}
                {figure("lambda-value", "Weight of the new data (λ)", lambda, format!("{lambda:.3}"))}
            </tbody>
        </table>
    }
}
