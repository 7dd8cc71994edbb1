//! Metric pills: each custom model against the baseline. Green when better, red when worse, grey when
//! a paired bootstrap 95% interval includes zero; the interval and the method on hover and focus.

use super::distribution::distribution_pills;
use super::{bootstrapped, exact};
use leptos::prelude::*;
use likely_core::compare::{Comparison, Pill, Verdict};
use likely_core::distribution::DistributionComparison;

/// The pill's class for `verdict` (green, red, grey), also used by the runs' rows.
pub fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "pill better",
        Verdict::Worse => "pill worse",
        Verdict::WithinNoise => "pill noise",
        Verdict::Undetermined => "pill undetermined",
    }
}

/// `verdict` in words.
pub fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "better than the baseline",
        Verdict::Worse => "worse than the baseline",
        Verdict::WithinNoise => "within noise",
        Verdict::Undetermined => "undetermined",
    }
}

fn pill_view(custom: &str, pill: &Pill) -> impl IntoView {
    let key = pill.metric.key();
    let testid = format!("pill-{key}-{custom}");
    let value = pill.delta.map(exact).unwrap_or_default();
    let low = pill.ci.map(|ci| exact(ci.low)).unwrap_or_default();
    let high = pill.ci.map(|ci| exact(ci.high)).unwrap_or_default();
    let interval = pill.ci.map_or_else(
        || "no interval".to_string(),
        |ci| {
            format!(
                "95% CI [{}, {}]",
                pill.metric.format_delta(ci.low),
                pill.metric.format_delta(ci.high)
            )
        },
    );
    let tooltip = format!(
        "{} {}: {} ({}). {}. {}",
        pill.metric.label(),
        pill.metric.unit(),
        pill.text,
        verdict_words(pill.verdict),
        interval,
        pill.method
    );
    view! {
        <span
            class=verdict_class(pill.verdict)
            data-testid=testid
            data-value=value
            data-ci-low=low
            data-ci-high=high
            data-verdict=format!("{:?}", pill.verdict)
            title=tooltip.clone()
            aria-label=tooltip
            tabindex="0"
        >
            <span class="pill-metric">{pill.metric.label()}</span>
            <span class="pill-delta">{pill.text.clone()}</span>
        </span>
    }
}

fn comparison_view(
    comparison: &Comparison,
    distribution: Option<&DistributionComparison>,
    k: Option<u32>,
) -> impl IntoView {
    let custom = comparison.custom.clone();
    let wins = comparison.wins.map(|wins| {
        let share = wins.share();
        view! {
            <span class="wins" data-testid=format!("wins-{custom}") data-value=exact(share)>
                {format!("wins on {} of {} snippets ({:.0}%)", wins.wins, wins.total(), share * 100.0)}
            </span>
        }
    });
    view! {
        <div class="comparison">
            <h3>{comparison.custom.clone()} <span class="versus">{format!(" vs {}", comparison.baseline)}</span></h3>
            <div class="pills">
                {comparison.pills.iter().map(|pill| pill_view(&comparison.custom, pill)).collect_view()}
                {distribution.map(|d| distribution_pills(d, k))}
            </div>
            {wins}
        </div>
    }
}

/// The pills of every custom model: while a run goes on, recomputed at every publication with
/// provisional intervals (a tenth of the resamples, a tenth of the cost), and with the full bootstrap
/// once it has ended.
#[component]
pub fn PillsPanel() -> impl IntoView {
    let comparisons = bootstrapped(|e, resamples| {
        (
            e.comparisons_with(resamples),
            e.distributions_with(resamples),
            e.params.top_logprobs,
        )
    });
    move || {
        let (comparisons, distributions, k) = comparisons.get();
        (!comparisons.is_empty()).then(|| {
            view! {
                <section class="panel" aria-label="Custom models against the baseline">
                    <h2>"Against the baseline"</h2>
                    {comparisons
                        .iter()
                        .enumerate()
                        .map(|(i, c)| comparison_view(c, distributions.get(i).and_then(Option::as_ref), k))
                        .collect_view()}
                </section>
            }
        })
    }
}
