//! Which kind of link to make, and the sentence that says why: a link with the evaluation inside
//! (`#s=`, never seen by the server) when the snapshot fits [`FRAGMENT_BUDGET_CHARS`] or the server
//! keeps nothing; a stored link (`/s/<id>`) otherwise.

use likely_core::snapshot::FRAGMENT_BUDGET_CHARS;

/// The kind of link to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The snapshot travels in the link's fragment.
    Fragment,
    /// The snapshot is kept on the server; the link carries its id.
    Stored,
}

/// The kind of link for a snapshot whose fragment text is `fragment_chars` long.
pub fn choose(fragment_chars: usize, server_stores: bool) -> Choice {
    if fragment_chars <= FRAGMENT_BUDGET_CHARS || !server_stores {
        Choice::Fragment
    } else {
        Choice::Stored
    }
}

/// `bytes` in words: "812 B", "3.1 KB", "4.2 MB".
pub fn size_text(bytes: usize) -> String {
    // Display only: sizes are far below 2^52, exact as f64.
    let value = bytes as f64;
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} KB", value / 1000.0)
    } else {
        format!("{:.1} MB", value / 1_000_000.0)
    }
}

/// Why this kind of link was made, for a snapshot of `snapshot_bytes` bytes.
pub fn reason(choice: Choice, snapshot_bytes: usize, server_stores: bool) -> String {
    let size = size_text(snapshot_bytes);
    match (choice, server_stores) {
        (Choice::Stored, _) => format!(
            "Stored link: this evaluation's snapshot ({size}) is too large for a link, so the server keeps it and the link carries only its id"
        ),
        (Choice::Fragment, true) => format!(
            "Link with the evaluation inside: small enough ({size}), nothing stored on the server"
        ),
        (Choice::Fragment, false) => format!(
            "Link with the evaluation inside ({size}): this server keeps no links, so the evaluation travels in the link, which the server never sees"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_snapshots_travel_in_the_link_and_large_ones_are_stored() {
        assert_eq!(choose(FRAGMENT_BUDGET_CHARS, true), Choice::Fragment);
        assert_eq!(choose(FRAGMENT_BUDGET_CHARS + 1, true), Choice::Stored);
        assert_eq!(choose(FRAGMENT_BUDGET_CHARS + 1, false), Choice::Fragment);
    }

    #[test]
    fn the_reason_names_the_kind_and_the_size() {
        assert_eq!(size_text(412_000), "412.0 KB");
        assert_eq!(size_text(3_100), "3.1 KB");
        assert_eq!(size_text(999), "999 B");
        assert!(reason(Choice::Stored, 412_000, true).starts_with(
            "Stored link: this evaluation's snapshot (412.0 KB) is too large for a link"
        ));
        assert_eq!(
            reason(Choice::Fragment, 3_100, true),
            "Link with the evaluation inside: small enough (3.1 KB), nothing stored on the server"
        );
        assert!(reason(Choice::Fragment, 3_100, false).contains("keeps no links"));
    }
}
