//! Whole-distribution figures of each custom model against the baseline (`likely_core::distribution`,
//! as `llama-perplexity --kl-divergence` reports them): two pills beside the metric pills (mean KL
//! divergence, share of positions with the same top-1) and a table with the median and 99th
//! percentile KL and the mean change in the actual token's probability. Shown only for models that
//! share the baseline's tokenizer and whose backends returned top-K lists.

use super::{bootstrapped, exact};
use leptos::prelude::*;
use likely_core::distribution::{DistributionComparison, Estimate};

fn interval(estimate: &Estimate, digits: usize) -> String {
    estimate.ci.map_or_else(
        || "no interval".to_string(),
        |ci| format!("95% CI [{:.digits$}, {:.digits$}]", ci.low, ci.high),
    )
}

fn k_words(k: Option<u32>) -> String {
    k.map_or_else(
        || "the backends' top-K lists".to_string(),
        |k| format!("the top-{k} lists"),
    )
}

fn pill(
    testid: String,
    label: &'static str,
    text: String,
    estimate: &Estimate,
    hover: String,
) -> impl IntoView {
    let low = estimate.ci.map(|ci| exact(ci.low)).unwrap_or_default();
    let high = estimate.ci.map(|ci| exact(ci.high)).unwrap_or_default();
    view! {
        <span
            class="pill noise distribution"
            data-testid=testid
            data-value=exact(estimate.value)
            data-ci-low=low
            data-ci-high=high
            title=hover.clone()
            aria-label=hover
            tabindex="0"
        >
            <span class="pill-metric">{label}</span>
            <span class="pill-delta">{text}</span>
        </span>
    }
}

/// The two pills of one custom model: mean KL(baseline ‖ custom) and the share of positions with the
/// same top-1 token.
pub fn distribution_pills(d: &DistributionComparison, k: Option<u32>) -> impl IntoView {
    let custom = &d.custom;
    let kl_hover = format!(
        "Mean KL divergence KL({} ‖ {custom}), nats per token: {:.4} ({}) over {} positions, estimated from {} with the rest of the probability as one bucket (a lower bound). Median {:.4}, 99th percentile {:.4}. {}",
        d.baseline,
        d.mean_kl.value,
        interval(&d.mean_kl, 4),
        d.positions,
        k_words(k),
        d.median_kl,
        d.p99_kl,
        d.method
    );
    let top_hover = format!(
        "Share of positions where {custom} and {} rank the same token first: {:.1}% ({}). {}",
        d.baseline,
        d.same_top1.value * 100.0,
        interval(&d.same_top1, 3),
        d.method
    );
    view! {
        {pill(format!("pill-kl-{custom}"), "KL divergence", format!("{:.3}", d.mean_kl.value), &d.mean_kl, kl_hover)}
        {pill(format!("pill-same-top1-{custom}"), "Same top-1", format!("{:.1}%", d.same_top1.value * 100.0), &d.same_top1, top_hover)}
    }
}

fn cell(testid: String, value: f64, text: String, hover: String) -> impl IntoView {
    view! { <td class="num" data-testid=testid data-value=exact(value) title=hover>{text}</td> }
}

fn row(d: &DistributionComparison) -> impl IntoView {
    let m = d.custom.clone();
    view! {
        <tr>
            <th scope="row">{m.clone()} <span class="role">{format!("vs {}", d.baseline)}</span></th>
            {cell(format!("kl-mean-{m}"), d.mean_kl.value, format!("{:.4}", d.mean_kl.value), interval(&d.mean_kl, 4))}
            {cell(format!("kl-median-{m}"), d.median_kl, format!("{:.4}", d.median_kl), String::new())}
            {cell(format!("kl-p99-{m}"), d.p99_kl, format!("{:.4}", d.p99_kl), String::new())}
            {cell(format!("same-top1-{m}"), d.same_top1.value, format!("{:.3}", d.same_top1.value), interval(&d.same_top1, 3))}
            {cell(format!("delta-p-{m}"), d.mean_delta_p.value, format!("{:+.4}", d.mean_delta_p.value), interval(&d.mean_delta_p, 4))}
            <td class="num" data-testid=format!("kl-positions-{m}")>{d.positions}</td>
        </tr>
    }
}

/// The table of whole-distribution figures, one row per custom model that has them.
#[component]
pub fn DistributionTable() -> impl IntoView {
    let figures = bootstrapped(|e, resamples| {
        let rows: Vec<_> = e
            .distributions_with(resamples)
            .into_iter()
            .flatten()
            .collect();
        (rows, e.params.top_logprobs)
    });
    move || {
        let (rows, k) = figures.get();
        (!rows.is_empty()).then(|| {
            view! {
                <section class="panel" aria-label="Whole-distribution figures" data-testid="distribution-figures">
                    <h2>"Whole distribution"</h2>
                    <p class="hint">{format!(
                        "Per position, KL(baseline ‖ custom) from {} (the remaining probability as one bucket, so a lower bound of the exact value), whether both models rank the same token first, and the change in the actual token's probability (custom − baseline), as llama-perplexity --kl-divergence reports them.",
                        k_words(k)
                    )}</p>
                    <table class="results">
                        <thead>
                            <tr>
                                <th scope="col">"Custom model"</th>
                                <th scope="col" title="Mean KL divergence, nats per token">"Mean KL"</th>
                                <th scope="col">"Median KL"</th>
                                <th scope="col">"99th pct KL"</th>
                                <th scope="col" title="Share of positions with the same top-1 token">"Same top-1"</th>
                                <th scope="col" title="Mean change in the probability of the actual token, custom − baseline">"Mean Δp"</th>
                                <th scope="col">"Positions"</th>
                            </tr>
                        </thead>
                        <tbody>{rows.iter().map(row).collect_view()}</tbody>
                    </table>
                </section>
            }
        })
    }
}
