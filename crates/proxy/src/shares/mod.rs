//! Stored share links: the store the server was started with and the rules it applies to snapshots
//! (size cap, longest expiry). The HTTP side is `routes::shares`; the bytes are opaque to the store
//! and checked by `likely_core::snapshot` before they are kept.

use likely_store::Store;
use std::time::Duration;

/// The share store and its policy.
#[derive(Clone)]
pub struct Shares {
    /// Where snapshots are kept.
    pub store: Store,
    /// The longest expiry a link may have; `None`: links may never expire (the default).
    pub max_expiry: Option<Duration>,
}

impl Shares {
    /// The expiry to store for a request asking `requested`; see [`allowed_expiry`].
    pub fn expiry(&self, requested: Option<Duration>) -> Result<Option<Duration>, String> {
        allowed_expiry(requested, self.max_expiry)
    }
}

/// The expiry to store when a link asks for `requested` (`None`: never) and the operator allows at
/// most `max` (`None`: no limit). Without a limit no expiry is the default; with one, no expiry means
/// the limit and a longer one is refused.
pub fn allowed_expiry(
    requested: Option<Duration>,
    max: Option<Duration>,
) -> Result<Option<Duration>, String> {
    match (requested, max) {
        (None, max) => Ok(max),
        (Some(asked), _) if asked.is_zero() => {
            Err("an expiry must be at least one second".to_string())
        }
        (Some(asked), Some(max)) if asked > max => Err(format!(
            "links on this server expire after at most {} days; pick a shorter expiry",
            max.as_secs().div_ceil(86_400)
        )),
        (Some(asked), _) => Ok(Some(asked)),
    }
}

#[cfg(test)]
mod tests {
    use super::allowed_expiry;
    use std::time::Duration;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn no_limit_means_links_last_unless_asked() {
        assert_eq!(allowed_expiry(None, None), Ok(None));
        assert_eq!(allowed_expiry(Some(DAY), None), Ok(Some(DAY)));
    }

    #[test]
    fn a_limit_is_the_default_and_the_ceiling() {
        let week = 7 * DAY;
        assert_eq!(allowed_expiry(None, Some(week)), Ok(Some(week)));
        assert_eq!(allowed_expiry(Some(DAY), Some(week)), Ok(Some(DAY)));
        let error = allowed_expiry(Some(8 * DAY), Some(week)).unwrap_err();
        assert!(error.contains("at most 7 days"), "{error}");
    }

    #[test]
    fn a_zero_expiry_is_refused() {
        assert!(allowed_expiry(Some(Duration::ZERO), None).is_err());
    }
}
