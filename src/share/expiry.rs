//! The expiries a link can be given: none, or a few durations; a server's longest expiry bounds
//! them, is offered itself and is the default.

/// The durations offered, in seconds, with their names.
const DURATIONS: [(u64, &str); 4] = [
    (86_400, "1 day"),
    (7 * 86_400, "7 days"),
    (30 * 86_400, "30 days"),
    (365 * 86_400, "1 year"),
];

/// One choice: seconds (`None`: never expires) and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// Seconds until the link expires; `None` for never.
    pub secs: Option<u64>,
    /// What the picker shows.
    pub label: String,
}

impl Expiry {
    /// The `<option>` value: the seconds, or empty for never.
    pub fn value(&self) -> String {
        self.secs.map(|s| s.to_string()).unwrap_or_default()
    }
}

fn days_label(secs: u64) -> String {
    match DURATIONS.iter().find(|(d, _)| *d == secs) {
        Some((_, label)) => (*label).to_string(),
        None if secs.is_multiple_of(86_400) => {
            format!("{} days (the longest allowed)", secs / 86_400)
        }
        None => format!("{} hours (the longest allowed)", secs.div_ceil(3600)),
    }
}

/// The choices under a server's longest expiry, the default first.
pub fn choices(max_secs: Option<u64>) -> Vec<Expiry> {
    let Some(max) = max_secs else {
        return std::iter::once(Expiry {
            secs: None,
            label: "never expires".into(),
        })
        .chain(DURATIONS.iter().map(|(secs, label)| Expiry {
            secs: Some(*secs),
            label: (*label).into(),
        }))
        .collect();
    };
    std::iter::once(Expiry {
        secs: Some(max),
        label: days_label(max),
    })
    .chain(
        DURATIONS
            .iter()
            .filter(|(secs, _)| *secs < max)
            .map(|(secs, label)| Expiry {
                secs: Some(*secs),
                label: (*label).into(),
            }),
    )
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_limit_the_default_is_never() {
        let all = choices(None);
        assert_eq!(all[0].secs, None);
        assert_eq!(all[0].value(), "");
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn a_limit_bounds_the_choices_and_is_the_default() {
        let bounded = choices(Some(10 * 86_400));
        assert_eq!(bounded[0].secs, Some(10 * 86_400));
        assert_eq!(bounded[0].label, "10 days (the longest allowed)");
        assert!(bounded
            .iter()
            .all(|e| e.secs.is_some_and(|s| s <= 10 * 86_400)));
        assert_eq!(bounded.len(), 3);
        assert_eq!(choices(Some(7 * 86_400))[0].label, "7 days");
        assert_eq!(choices(Some(7 * 86_400)).len(), 2);
    }
}
