//! The training lock: held for as long as its holder lives, however old its file, and free once the
//! holder is gone, even when the file stays behind.

use std::time::{Duration, SystemTime};

use likely_ngram::embedded::cache::TrainLock;
use likely_ngram::EmbeddedPaths;

fn paths() -> (tempfile::TempDir, EmbeddedPaths) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let paths = EmbeddedPaths::with_data_dir(dir.path().to_path_buf());
    (dir, paths)
}

/// A slow training (its lock file untouched for an hour) keeps the lock: nobody trains beside it.
#[test]
fn a_long_training_keeps_its_lock() {
    let (_dir, paths) = paths();
    let held = TrainLock::acquire(&paths).expect("first lock");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(TrainLock::path(&paths))
        .and_then(|f| f.set_modified(an_hour_ago))
        .expect("ageing the lock file");
    assert!(
        TrainLock::try_acquire(&paths)
            .expect("second try")
            .is_none(),
        "a second process took the lock of one still training"
    );
    // A waiting process gets it as soon as the first lets go.
    let waiter = std::thread::spawn({
        let paths = paths.clone();
        move || TrainLock::acquire(&paths).map(|_| ())
    });
    drop(held);
    waiter.join().expect("waiter").expect("lock after release");
    assert!(TrainLock::try_acquire(&paths).expect("third try").is_some());
}

/// A lock file left by a process that died (the file stays, nobody holds it) does not block.
#[test]
fn a_lock_file_left_behind_does_not_block() {
    let (_dir, paths) = paths();
    std::fs::create_dir_all(paths.models_dir()).expect("models folder");
    std::fs::write(TrainLock::path(&paths), b"").expect("leftover lock file");
    assert!(TrainLock::try_acquire(&paths).expect("try").is_some());
}
