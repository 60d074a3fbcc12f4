//! The store's own story: writes survive a reopen, a crash leaves nothing half done, a damaged
//! or newer store is refused and left alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::*;

/// A counter that refuses to go below zero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Counter {
    total: i64,
    changes: u64,
}

impl Aggregate for Counter {
    const KIND: &'static str = "counter";
    type Event = i64;

    fn apply(_id: u64, state: Option<Self>, e: &Recorded<i64>) -> Result<Self, String> {
        let s = state.unwrap_or(Counter { total: 0, changes: 0 });
        let total = s.total + e.event;
        if total < 0 {
            return Err(format!("{total} is below zero"));
        }
        Ok(Counter { total, changes: s.changes + 1 })
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path) -> Store {
    Store::open_with_clock(dir, Arc::new(VirtualClock::new(1_000))).expect("the store opens")
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).expect("readable")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn writes_survive_a_reopen_and_ids_keep_counting() {
    let dir = scratch("reopen");
    let s = open(&dir);
    let a = s.create::<Counter>("alice", "first", 5).expect("created");
    let b = s.create::<Counter>("bob", "second", 1).expect("created");
    assert_eq!((a.id, b.id), (1, 2));
    let a2 = s.append::<Counter>(a.id, "alice", "more", 3).expect("appended");
    assert_eq!((a2.seq, a2.state.total), (2, 8));
    s.close().expect("closes");

    let s = open(&dir);
    assert!(!s.was_checked(), "a clean close is trusted");
    assert!(s.stale_entities().is_empty());
    assert_eq!(s.get::<Counter>(1).expect("reads").map(|e| e.state.total), Some(8));
    let evs = s.events::<Counter>(1).expect("reads");
    assert_eq!(evs.iter().map(|e| (e.seq, e.event)).collect::<Vec<_>>(), vec![(1, 5), (2, 3)]);
    assert_eq!(
        (evs[1].time_s, evs[1].author.as_str(), evs[1].reason.as_str()),
        (1_000, "alice", "more")
    );
    assert_eq!(s.create::<Counter>("c", "third", 0).expect("created").id, 3);
    assert_eq!(s.all::<Counter>().expect("reads").len(), 3);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_revision_moves_with_every_write_and_not_with_a_refusal() {
    let dir = scratch("revision");
    let s = open(&dir);
    let r0 = s.revision();
    let a = s.create::<Counter>("a", "r", 2).expect("created");
    s.append::<Counter>(a.id, "a", "r", 1).expect("appended");
    assert_eq!(s.revision(), r0 + 2);
    s.append::<Counter>(a.id, "a", "r", -50).expect_err("below zero");
    assert_eq!(s.revision(), r0 + 2, "a refused event is no write");
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_refused_event_writes_nothing() {
    let dir = scratch("refused");
    let s = open(&dir);
    let a = s.create::<Counter>("a", "r", 2).expect("created");
    let e = s.append::<Counter>(a.id, "a", "r", -5).expect_err("below zero");
    assert!(matches!(e, StoreError::Rejected { .. }), "{e}");
    assert!(e.to_string().contains("-3 is below zero"), "{e}");
    assert_eq!(s.events::<Counter>(a.id).expect("reads").len(), 1);
    let e = s.append::<Counter>(99, "a", "r", 1).expect_err("no such counter");
    assert_eq!(e.to_string(), "counter 99 does not exist");
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crash_between_log_and_state_is_replayed_at_open() {
    let dir = scratch("crash-gap");
    let s = open(&dir);
    let a = s.create::<Counter>("a", "r", 2).expect("created");
    s.append::<Counter>(a.id, "a", "r", 2).expect("appended");
    assert_eq!(s.debug_append_log_only::<Counter>(a.id, "a", "lost state", 10).expect("log"), 3);
    drop(s);

    let s = open(&dir);
    assert_eq!(s.stale_entities(), vec![("counter".to_string(), 1)]);
    let e = s.get::<Counter>(a.id).expect("reads").expect("exists");
    assert_eq!((e.seq, e.state.total, e.state.changes), (3, 14, 3));
    assert!(s.stale_entities().is_empty());
    let e = s.append::<Counter>(a.id, "a", "after", 1).expect("appended");
    assert_eq!((e.seq, e.state.total), (4, 15));
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lost_state_tree_is_rebuilt_from_the_log() {
    let dir = scratch("lost-state");
    let s = open(&dir);
    for i in 0..5 {
        let c = s.create::<Counter>("a", "r", i).expect("created");
        s.append::<Counter>(c.id, "a", "r", 1).expect("appended");
    }
    let before = s.all::<Counter>().expect("reads");
    s.debug_clear_state("counter").expect("cleared");
    assert!(s.all::<Counter>().expect("reads").is_empty());
    drop(s);
    let s = open(&dir);
    assert_eq!(s.stale_entities().len(), 5);
    assert_eq!(s.all::<Counter>().expect("reads"), before);
    assert_eq!(s.replay::<Counter>().expect("replays"), 5);
    assert_eq!(s.all::<Counter>().expect("reads"), before);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_process_is_kept_out() {
    let dir = scratch("locked");
    let s = open(&dir);
    let e = Store::open(&dir).expect_err("locked");
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    drop(s);
    Store::open(&dir).expect("opens once the first is closed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newer_store_is_refused_untouched() {
    let dir = scratch("newer");
    let s = open(&dir);
    s.create::<Counter>("a", "r", 1).expect("created");
    drop(s);
    let manifest = dir.join("store.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, text.replace("\"schema_version\": 1", "\"schema_version\": 2"))
        .expect("write");
    let before = snapshot(&dir);
    let e = Store::open(&dir).expect_err("newer");
    assert!(matches!(e, StoreError::NewerSchema { found: 2, supported: 1, .. }), "{e}");
    assert!(e.to_string().contains("nothing was changed"), "{e}");
    assert_eq!(snapshot(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fills `len` bytes of a file from `at` with garbage.
fn scribble(file: &Path, at: usize, len: usize) {
    let mut bytes = std::fs::read(file).expect("readable");
    let end = (at + len).min(bytes.len());
    for (i, b) in bytes[at..end].iter_mut().enumerate() {
        *b = (i * 37 + 11) as u8;
    }
    std::fs::write(file, &bytes).expect("writable");
}

#[test]
fn garbage_in_the_sled_files_is_reported_and_left_alone() {
    // Whatever sled makes of the garbage (an error, a panic, a log cut short at the garbage),
    // the store either opens with every event or refuses with the files untouched.
    let mut refused = 0;
    for (case, (file, at_fraction, len)) in [
        ("db", 0.0, usize::MAX),
        ("db", 0.33, 4096),
        ("db", 0.9, 64),
        ("db", 0.0, 64),
        ("conf", 0.0, 8),
    ]
    .into_iter()
    .enumerate()
    {
        let dir = scratch(&format!("garbage-{case}"));
        let s = open(&dir);
        for i in 0..200 {
            let c = s.create::<Counter>("a", "r", i).expect("created");
            s.append::<Counter>(c.id, "a", "r", 1).expect("appended");
        }
        drop(s);
        let path = dir.join("sled").join(file);
        let size = std::fs::metadata(&path).expect("exists").len() as f64;
        scribble(&path, (size * at_fraction) as usize, len);
        let before = snapshot(&dir);
        match Store::open(&dir) {
            Err(e) => {
                eprintln!("{file} at {at_fraction}: {e}");
                assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
                assert_eq!(snapshot(&dir), before, "{e}");
                refused += 1;
            }
            Ok(s) => {
                eprintln!("{file} at {at_fraction}: opened (the garbage hit unused space)");
                let all = s.all::<Counter>().expect("reads");
                assert_eq!(all.len(), 200);
                assert!(all.iter().all(|e| e.seq == 2));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(refused >= 2, "a wholly scribbled db and conf are refused");
}

#[test]
fn an_event_that_does_not_deserialize_is_named() {
    let dir = scratch("bad-event");
    let s = open(&dir);
    let c = s.create::<Counter>("a", "r", 1).expect("created");
    s.debug_put_raw_event("counter", c.id, 2, b"{\"seq\": 2, \"oops\"").expect("written");
    drop(s);
    let before = snapshot(&dir);
    let e = Store::open(&dir).expect_err("bad event");
    let text = e.to_string();
    assert!(text.contains("event counter 1 #2 does not deserialize"), "{text}");
    assert_eq!(snapshot(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_interrupted_creation_is_finished() {
    let dir = scratch("half-created");
    drop(open(&dir));
    std::fs::remove_file(dir.join("store.json")).expect("remove");
    std::fs::remove_file(dir.join("seal.json")).expect("remove");
    let s = open(&dir);
    assert!(s.was_checked());
    s.create::<Counter>("a", "r", 1).expect("created");
    drop(s);
    std::fs::remove_file(dir.join("store.json")).expect("remove");
    let e = Store::open(&dir).expect_err("events without a manifest");
    assert!(e.to_string().contains("store.json is missing but sled holds 1 events"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_snapshot_left_half_written_by_a_kill_does_not_brick_the_store() {
    // sled 0.34.7 would pick this file as its newest snapshot and refuse to open.
    let dir = scratch("half-snapshot");
    let s = open(&dir);
    for i in 0..50 {
        s.create::<Counter>("a", "r", i).expect("created");
    }
    drop(s);
    let half = dir.join("sled/snap.FFFFFFFFFFFFFFF0.generating");
    std::fs::write(&half, b"").expect("written");
    let s = open(&dir);
    assert!(s.was_checked());
    assert!(!half.exists(), "removed once the copy opened without it");
    assert_eq!(s.all::<Counter>().expect("reads").len(), 50);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_batch_stops_at_a_refused_event_and_keeps_what_came_before_on_disk() {
    let dir = scratch("batch");
    let store = open(&dir);
    let err = store
        .create_many::<Counter>("li", "batch", vec![3, 4, -1, 5])
        .expect_err("-1 is below zero");
    assert!(err.to_string().contains("below zero"), "{err}");
    let all = store.all::<Counter>().expect("all");
    assert_eq!(all.iter().map(|e| e.state.total).collect::<Vec<_>>(), [3, 4], "none after");
    let changed = store
        .append_many::<Counter>("li", vec![(1, "add".into(), 2), (2, "add".into(), -9)])
        .expect_err("2 + ... below zero");
    assert!(changed.to_string().contains("below zero"));
    assert_eq!(store.get::<Counter>(1).expect("get").expect("one").state.total, 5);
    drop(store);
    // reopened: the same
    let store = open(&dir);
    let totals: Vec<i64> =
        store.all::<Counter>().expect("all").iter().map(|e| e.state.total).collect();
    assert_eq!(totals, [5, 4]);
    let _ = std::fs::remove_dir_all(&dir);
}
