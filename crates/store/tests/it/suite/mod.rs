//! The one behaviour suite every `ShareStore` must pass. `share_store_suite!(open_fn)` turns each
//! case into a `#[tokio::test]`; `open_fn` is an async fn returning `Option<(store, guard)>` (the
//! guard keeps a temporary folder alive; `None` skips, for a database that is not configured).

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use likely_store::{Deletion, Lookup, NewSnapshot, ShareStore, StoreConfig, StoreError};

/// The size cap every store under test is opened with.
pub(crate) const SUITE_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The config every store under test is opened with.
pub(crate) fn suite_config() -> StoreConfig {
    StoreConfig {
        max_snapshot_bytes: SUITE_MAX_BYTES,
    }
}

/// `len` bytes in which every byte value appears, so an encoding that mangles some would show.
pub(crate) fn varied_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A snapshot of `kind` holding `bytes`, expiring at `expires_at` (never when `None`).
pub(crate) fn new_snapshot(
    kind: &str,
    bytes: Vec<u8>,
    expires_at: Option<SystemTime>,
) -> NewSnapshot {
    NewSnapshot {
        kind: kind.to_owned(),
        bytes,
        expires_at,
    }
}

/// The snapshot a lookup found; any other answer fails the test.
pub(crate) fn found(lookup: Lookup) -> likely_store::Snapshot {
    match lookup {
        Lookup::Found(snapshot) => snapshot,
        other => panic!("expected the snapshot, got {other:?}"),
    }
}

pub(crate) async fn saved_snapshots_read_back_whole<S: ShareStore>(store: &S) {
    let before = SystemTime::now() - Duration::from_millis(1);
    let bytes = varied_bytes(70_000, 7);
    let saved = store
        .save(new_snapshot("everything", bytes.clone(), None))
        .await
        .unwrap();
    let after = SystemTime::now() + Duration::from_millis(1);
    assert_eq!(saved.meta.size_bytes, 70_000);
    assert_eq!(saved.meta.kind, "everything");
    assert!(saved.meta.created_at >= before && saved.meta.created_at <= after);
    let snapshot = found(store.get(saved.id.as_str()).await.unwrap());
    assert_eq!(snapshot.id, saved.id);
    assert_eq!(snapshot.bytes, bytes);
    assert_eq!(snapshot.meta, saved.meta);
}

pub(crate) async fn empty_and_largest_snapshots_are_kept<S: ShareStore>(store: &S) {
    let empty = store
        .save(new_snapshot("figures", Vec::new(), None))
        .await
        .unwrap();
    assert_eq!(
        found(store.get(empty.id.as_str()).await.unwrap()).bytes,
        Vec::<u8>::new()
    );
    let largest = varied_bytes(SUITE_MAX_BYTES as usize, 3);
    let saved = store
        .save(new_snapshot("everything", largest.clone(), None))
        .await
        .unwrap();
    assert_eq!(
        found(store.get(saved.id.as_str()).await.unwrap()).bytes,
        largest
    );
}

pub(crate) async fn oversized_snapshots_are_refused<S: ShareStore>(store: &S) {
    assert_eq!(store.config().max_snapshot_bytes, SUITE_MAX_BYTES);
    let err = store
        .save(new_snapshot(
            "everything",
            vec![0; SUITE_MAX_BYTES as usize + 1],
            None,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TooLarge { size_bytes, max_bytes }
            if size_bytes == SUITE_MAX_BYTES + 1 && max_bytes == SUITE_MAX_BYTES),
        "{err:?}"
    );
    assert!(err.to_string().contains("4194305 bytes"), "{err}");
}

pub(crate) async fn bad_kinds_are_refused<S: ShareStore>(store: &S) {
    for kind in ["", "two words", "x');DROP TABLE likely_shares;--"] {
        let err = store
            .save(new_snapshot(kind, vec![1], None))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidKind { .. }),
            "{kind}: {err:?}"
        );
    }
}

pub(crate) async fn ids_and_tokens_are_random_and_url_safe<S: ShareStore>(store: &S) {
    let mut seen = HashSet::new();
    for _ in 0..20 {
        let saved = store
            .save(new_snapshot("figures", vec![9], None))
            .await
            .unwrap();
        let (id, token) = (
            saved.id.as_str().to_owned(),
            saved.delete_token.expose().to_owned(),
        );
        assert_eq!(id.len(), 22, "{id}");
        assert_eq!(token.len(), 43);
        let url_safe = |text: &str| {
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        assert!(url_safe(&id) && url_safe(&token), "{id}");
        assert!(seen.insert(id) && seen.insert(token));
    }
}

pub(crate) async fn expired_snapshots_say_so_and_purge_keeps_the_answer<S: ShareStore>(store: &S) {
    let past = SystemTime::now() - Duration::from_secs(60);
    let future = SystemTime::now() + Duration::from_secs(3600);
    let expired = store
        .save(new_snapshot("figures", vec![1, 2], Some(past)))
        .await
        .unwrap();
    let live = store
        .save(new_snapshot("figures", vec![3, 4], Some(future)))
        .await
        .unwrap();
    match store.get(expired.id.as_str()).await.unwrap() {
        Lookup::Expired { expired_at } => assert_eq!(Some(expired_at), expired.meta.expires_at),
        other => panic!("expected Expired, got {other:?}"),
    }
    assert_eq!(
        found(store.get(live.id.as_str()).await.unwrap())
            .meta
            .expires_at,
        live.meta.expires_at
    );

    assert!(store.purge_expired().await.unwrap() >= 1);
    assert!(matches!(
        store.get(expired.id.as_str()).await.unwrap(),
        Lookup::Expired { .. }
    ));
    assert_eq!(
        found(store.get(live.id.as_str()).await.unwrap()).bytes,
        vec![3, 4]
    );
    // The creator can still delete an expired snapshot; the link then says it was deleted.
    assert_eq!(
        store
            .delete(expired.id.as_str(), expired.delete_token.expose())
            .await
            .unwrap(),
        Deletion::Deleted
    );
    assert!(matches!(
        store.get(expired.id.as_str()).await.unwrap(),
        Lookup::Deleted { .. }
    ));
}

pub(crate) async fn a_snapshot_expires_when_its_time_comes<S: ShareStore>(store: &S) {
    let soon = SystemTime::now() + Duration::from_millis(300);
    let saved = store
        .save(new_snapshot("figures", vec![5], Some(soon)))
        .await
        .unwrap();
    assert!(matches!(
        store.get(saved.id.as_str()).await.unwrap(),
        Lookup::Found(_)
    ));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(matches!(
        store.get(saved.id.as_str()).await.unwrap(),
        Lookup::Expired { .. }
    ));
}

pub(crate) async fn deletion_needs_the_token_and_leaves_a_tombstone<S: ShareStore>(store: &S) {
    let saved = store
        .save(new_snapshot("everything", vec![1, 2, 3], None))
        .await
        .unwrap();
    let id = saved.id.as_str();
    let token = saved.delete_token.expose();
    let other = store
        .save(new_snapshot("everything", vec![4], None))
        .await
        .unwrap();

    for wrong in ["", "wrong", other.delete_token.expose(), &token[..42]] {
        assert_eq!(
            store.delete(id, wrong).await.unwrap(),
            Deletion::WrongToken,
            "{wrong:?}"
        );
    }
    assert_eq!(found(store.get(id).await.unwrap()).bytes, vec![1, 2, 3]);

    assert_eq!(store.delete(id, token).await.unwrap(), Deletion::Deleted);
    match store.get(id).await.unwrap() {
        Lookup::Deleted { deleted_at } => assert!(deleted_at >= saved.meta.created_at),
        other => panic!("expected Deleted, got {other:?}"),
    }
    assert_eq!(
        store.delete(id, token).await.unwrap(),
        Deletion::AlreadyDeleted
    );
    assert_eq!(
        store.delete(id, "wrong").await.unwrap(),
        Deletion::WrongToken
    );
    // The other snapshot is untouched.
    assert_eq!(
        found(store.get(other.id.as_str()).await.unwrap()).bytes,
        vec![4]
    );
}

pub(crate) async fn malformed_and_unknown_ids_are_not_found<S: ShareStore>(store: &S) {
    let saved = store
        .save(new_snapshot("figures", vec![1], None))
        .await
        .unwrap();
    let too_long = format!("{}A", saved.id);
    let unknown = "AAAAAAAAAAAAAAAAAAAAAA"; // well-formed, never issued
    let ids = [
        "",
        "abc",
        &saved.id.as_str()[..21],
        &too_long,
        unknown,
        "AAAAAAAAAAAAAAAAAAAA+/",
        "AAAAAAAAAAAAAAAAAAAA==",
        "' OR '1'='1",
        "x'; DROP TABLE likely_shares; --",
        "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        "ééééééééééé",
        "../../../../etc/passwd",
    ];
    for id in ids {
        assert_eq!(store.get(id).await.unwrap(), Lookup::NotFound, "{id:?}");
        assert_eq!(
            store.delete(id, saved.delete_token.expose()).await.unwrap(),
            Deletion::NotFound,
            "{id:?}"
        );
    }
    // Nothing above touched the real snapshot.
    assert!(matches!(
        store.get(saved.id.as_str()).await.unwrap(),
        Lookup::Found(_)
    ));
}

pub(crate) async fn concurrent_saves_all_land<S: ShareStore + Clone + 'static>(store: &S) {
    let tasks: Vec<_> = (0..48u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let bytes = varied_bytes(1000 + usize::from(i) * 100, i);
                let saved = store
                    .save(new_snapshot("figures", bytes.clone(), None))
                    .await
                    .unwrap();
                (saved.id, bytes)
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        let (id, bytes) = task.await.unwrap();
        assert_eq!(found(store.get(id.as_str()).await.unwrap()).bytes, bytes);
        assert!(ids.insert(id));
    }
    assert_eq!(ids.len(), 48);
}

/// Defines one `#[tokio::test]` per suite case, each on a store from `$open`.
#[macro_export]
macro_rules! share_store_suite {
    ($open:path) => {
        $crate::share_store_suite!(@cases $open;
            saved_snapshots_read_back_whole,
            empty_and_largest_snapshots_are_kept,
            oversized_snapshots_are_refused,
            bad_kinds_are_refused,
            ids_and_tokens_are_random_and_url_safe,
            expired_snapshots_say_so_and_purge_keeps_the_answer,
            a_snapshot_expires_when_its_time_comes,
            deletion_needs_the_token_and_leaves_a_tombstone,
            malformed_and_unknown_ids_are_not_found,
            concurrent_saves_all_land,
        );
    };
    (@cases $open:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((store, _guard)) = $open(stringify!($case)).await else { return };
                $crate::suite::$case(&store).await;
            }
        )*
    };
}
