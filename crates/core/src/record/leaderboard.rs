//! A held-out set's leaderboard from its runs: per model its latest average log-likelihood (the
//! ranking, highest first; models with none last), its number of runs, its latest run, and one trend
//! point per run.

use super::api::{LeaderboardEntry, TrendPoint};
use std::cmp::Ordering;

/// One model's figures in one run on the set.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The model.
    pub model: String,
    /// The run's figures.
    pub trend: TrendPoint,
}

/// The leaderboard of `points` (in any order).
pub fn leaderboard(points: Vec<Point>) -> Vec<LeaderboardEntry> {
    let mut entries: Vec<LeaderboardEntry> = Vec::new();
    let mut points = points;
    points.sort_by(|a, b| (a.trend.at_ms, &a.trend.run_id).cmp(&(b.trend.at_ms, &b.trend.run_id)));
    for point in points {
        let index = match entries.iter().position(|e| e.model == point.model) {
            Some(index) => index,
            None => {
                entries.push(LeaderboardEntry {
                    model: point.model.clone(),
                    latest_avg_loglik: None,
                    latest_loss: None,
                    runs: 0,
                    last_run_at_ms: 0,
                    last_run_id: String::new(),
                    points: Vec::new(),
                });
                entries.len() - 1
            }
        };
        let entry = &mut entries[index];
        entry.runs += 1;
        entry.latest_avg_loglik = point.trend.avg_loglik;
        entry.latest_loss = point.trend.loss;
        entry.last_run_at_ms = point.trend.at_ms;
        entry.last_run_id = point.trend.run_id.clone();
        entry.points.push(point.trend);
    }
    entries.sort_by(|a, b| {
        match (
            a.latest_avg_loglik.filter(|v| v.is_finite()),
            b.latest_avg_loglik.filter(|v| v.is_finite()),
        ) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(|| a.model.cmp(&b.model))
    });
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(model: &str, run: &str, at_ms: i64, avg: Option<f64>) -> Point {
        Point {
            model: model.into(),
            trend: TrendPoint {
                run_id: run.into(),
                at_ms,
                avg_loglik: avg,
                loss: avg.map(|v| -v),
                loss_ci: None,
            },
        }
    }

    #[test]
    fn models_rank_by_their_latest_run_not_their_best() {
        let board = leaderboard(vec![
            point("v2", "r2", 200, Some(-2.5)),
            point("base", "r1", 100, Some(-3.0)),
            point("v1", "r1", 100, Some(-2.0)),
            point("base", "r2", 200, Some(-3.0)),
            point("v1", "r3", 300, Some(-2.9)),
            point("broken", "r3", 300, None),
        ]);
        let order: Vec<&str> = board.iter().map(|e| e.model.as_str()).collect();
        assert_eq!(order, ["v2", "v1", "base", "broken"]);
        let v1 = &board[1];
        assert_eq!(v1.runs, 2);
        assert_eq!(v1.latest_avg_loglik, Some(-2.9));
        assert_eq!(v1.last_run_id, "r3");
        assert_eq!(
            v1.points.iter().map(|p| p.at_ms).collect::<Vec<_>>(),
            [100, 300]
        );
        assert!(leaderboard(Vec::new()).is_empty());
    }
}
