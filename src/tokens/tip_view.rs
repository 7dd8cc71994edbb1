//! The tooltip of one token: every model's figures there, drawn next to the token.

use super::tooltip::Tooltip;
use crate::results::exact;
use leptos::prelude::*;

fn figure(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

pub(super) fn tooltip_view(tip: Tooltip, left: f64, top: f64) -> impl IntoView {
    let style = format!("left:{:.0}px;top:{:.0}px", left.max(4.0), top + 6.0);
    view! {
        <div class="token-tooltip" role="tooltip" data-testid="token-tooltip" data-index=tip.index.to_string() style=style>
            <div class="tip-token"><code>{tip.token.clone()}</code> <span class="tip-index">{format!("token {}", tip.index)}</span></div>
            <table>
                <thead><tr><th>"model"</th><th>"log-lik"</th><th>"prob"</th><th>"Δ vs base"</th><th>"top-1"</th></tr></thead>
                <tbody>
                    {tip.lines.into_iter().map(|line| {
                        let top = line.top.as_ref().map_or_else(
                            || "n/a".to_string(),
                            |(token, logprob)| format!("{} ({:.2})", super::visible_whitespace(token), logprob),
                        );
                        let rank = line.rank.map(|r| format!(" · rank {r}")).unwrap_or_default();
                        view! {
                            <tr data-model=line.model.clone() data-value=line.logprob.map(exact).unwrap_or_default()>
                                <th>{line.model.clone()}</th>
                                <td>{line.logprob.map_or_else(|| "unscored (first token)".to_string(), |v| format!("{v:.3}"))}</td>
                                <td>{figure(line.logprob.map(f64::exp), 4)}</td>
                                <td>{line.difference.map(|d| format!("{d:+.3}")).unwrap_or_default()}</td>
                                <td>{top}{rank}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {tip.distribution.into_iter().map(|(model, here)| view! {
                <p class="tip-kl" data-testid=format!("tip-kl-{model}") data-value=exact(here.kl)>
                    {format!(
                        "{model}: KL {:.4} nats · top-1 {} · Δp {:+.4}",
                        here.kl,
                        if here.same_top1 { "same" } else { "differs" },
                        here.delta_p
                    )}
                </p>
            }).collect_view()}
            {(!tip.other_tokenizers.is_empty()).then(|| view! {
                <p class="hint">{format!("Not shown (other tokens): {}", tip.other_tokenizers.join(", "))}</p>
            })}
        </div>
    }
}
