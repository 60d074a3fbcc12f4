//! The feed and replicas: a replica folds the origin's events to the same states, refuses
//! writes of its own and pages of another store, and resumes after a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::super::*;

/// A feeder's switching count: closes and opens, never opened twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Switching {
    open: bool,
    operations: u64,
}

impl Aggregate for Switching {
    const KIND: &'static str = "switching";
    type Event = bool;

    fn apply(_id: u64, state: Option<Self>, e: &Recorded<bool>) -> Result<Self, String> {
        let s = state.unwrap_or(Switching { open: false, operations: 0 });
        if s.open == e.event && s.operations > 0 {
            return Err(format!("already {}", if e.event { "open" } else { "closed" }));
        }
        Ok(Switching { open: e.event, operations: s.operations + 1 })
    }
}

/// A crew's name, a second kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Roster {
    name: String,
}

impl Aggregate for Roster {
    const KIND: &'static str = "roster";
    type Event = String;

    fn apply(_id: u64, _state: Option<Self>, e: &Recorded<String>) -> Result<Self, String> {
        Ok(Roster { name: e.event.clone() })
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-feed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn options() -> OpenOptions {
    OpenOptions {
        clock: Arc::new(VirtualClock::new(1_700_000_000)),
        kinds: vec![KindCheck::of::<Switching>(), KindCheck::of::<Roster>()],
    }
}

fn origin(dir: &Path) -> Store {
    Store::open_with(dir, options()).expect("the origin opens")
}

fn replica(dir: &Path) -> Store {
    Store::open_replica(dir, options()).expect("the replica opens")
}

/// Switch 1 opened and closed, crew 1 named, switch 2 opened: five events, two kinds.
fn some_history(s: &Store) {
    s.create::<Switching>("调度员", "故障隔离", true).expect("write");
    s.append::<Switching>(1, "调度员", "恢复送电", false).expect("write");
    s.create::<Roster>("调度员", "排班", "禅城抢修一班".into()).expect("write");
    s.create::<Switching>("调度员", "计划停电", true).expect("write");
    s.append::<Roster>(1, "调度员", "改名", "禅城抢修二班".into()).expect("write");
}

#[test]
fn the_feed_lists_events_in_write_order_across_kinds() {
    let dir = scratch("order");
    let s = origin(&dir);
    assert_eq!(s.feed_head().expect("head"), 0);
    some_history(&s);
    assert_eq!(s.feed_head().expect("head"), 5);
    let page = s.feed_since(0, 100, u64::MAX).expect("reads");
    let got: Vec<_> = page.entries.iter().map(|e| (e.pos, e.kind.as_str(), e.id)).collect();
    assert_eq!(
        got,
        vec![
            (1, "switching", 1),
            (2, "switching", 1),
            (3, "roster", 1),
            (4, "switching", 2),
            (5, "roster", 1)
        ]
    );
    assert_eq!(page.entries[1].event["reason"], "恢复送电");
    assert_eq!(page.entries[1].event["seq"], 2);
    assert_eq!(page.store_id, s.store_id());
    // after, limit and the durable bound
    let page = s.feed_since(3, 1, u64::MAX).expect("reads");
    assert_eq!(page.entries.iter().map(|e| e.pos).collect::<Vec<_>>(), vec![4]);
    let page = s.feed_since(0, 100, 2).expect("reads");
    assert_eq!((page.head, page.entries.len()), (2, 2));
    assert!(s.feed_since(5, 100, u64::MAX).expect("reads").entries.is_empty());
    // a refused event takes no position
    assert!(s.append::<Switching>(2, "调度员", "again", true).is_err());
    assert_eq!(s.feed_head().expect("head"), 5);
    // the id survives a reopen
    let id = s.store_id().to_string();
    drop(s);
    let s = origin(&dir);
    assert_eq!(s.store_id(), id);
    assert_eq!(s.feed_head().expect("head"), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_replica_folds_the_same_states_and_refuses_writes() {
    let (odir, rdir) = (scratch("origin"), scratch("replica"));
    let o = origin(&odir);
    some_history(&o);
    let r = replica(&rdir);
    assert!(r.is_replica());
    let page = o.feed_since(0, 2, u64::MAX).expect("reads");
    let got = r.import_feed(&page).expect("imports");
    assert_eq!((got.events, got.position), (2, 2));
    assert_eq!(r.get::<Switching>(1).expect("reads").map(|e| e.state.operations), Some(2));
    let rest = o.feed_since(2, 100, u64::MAX).expect("reads");
    let got = r.import_feed(&rest).expect("imports");
    assert_eq!((got.events, got.position), (3, 5));
    assert_eq!(got.kinds().into_iter().collect::<Vec<_>>(), vec!["roster", "switching"]);
    assert_eq!(r.all::<Switching>().expect("reads"), o.all::<Switching>().expect("reads"));
    assert_eq!(r.all::<Roster>().expect("reads"), o.all::<Roster>().expect("reads"));
    assert_eq!(r.events::<Roster>(1).expect("reads"), o.events::<Roster>(1).expect("reads"));
    // the same page again writes nothing
    let again = r.import_feed(&rest).expect("imports");
    assert_eq!((again.events, again.position), (0, 5));
    // its own writes are refused, naming why
    let err = r.create::<Switching>("调度员", "x", true).expect_err("a replica refuses");
    assert!(matches!(err, StoreError::Replica { .. }), "{err}");
    assert!(err.to_string().contains("goes to the server"), "{err}");
    // a restart resumes from the position
    let rev = r.revision();
    drop(r);
    let r = replica(&rdir);
    assert_eq!(r.replica_position().expect("reads"), Some((o.store_id().to_string(), 5)));
    assert_eq!(
        r.get::<Roster>(1).expect("reads").map(|e| e.state.name),
        Some("禅城抢修二班".into())
    );
    o.append::<Switching>(2, "调度员", "送电", false).expect("write");
    let got = r.import_feed(&o.feed_since(5, 100, u64::MAX).expect("reads")).expect("imports");
    assert_eq!(got.position, 6);
    assert!(!r.get::<Switching>(2).expect("reads").expect("there").state.open);
    assert!(rev > 0);
    for d in [&odir, &rdir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_replica_refuses_bad_pages_and_keeps_what_it_has() {
    let (odir, rdir, xdir) = (scratch("o2"), scratch("r2"), scratch("x2"));
    let o = origin(&odir);
    some_history(&o);
    let r = replica(&rdir);
    r.import_feed(&o.feed_since(0, 3, u64::MAX).expect("reads")).expect("imports");
    let held = r.all::<Switching>().expect("reads");

    // another store's page
    let other = origin(&xdir);
    some_history(&other);
    let err =
        r.import_feed(&other.feed_since(3, 100, u64::MAX).expect("reads")).expect_err("refused");
    assert!(err.to_string().contains("copies store"), "{err}");

    // a gap in the positions
    let mut page = o.feed_since(3, 100, u64::MAX).expect("reads");
    page.entries.remove(0);
    let err = r.import_feed(&page).expect_err("refused");
    assert!(err.to_string().contains("skips from feed position 3 to 5"), "{err}");

    // an event that does not deserialize as its kind's
    let mut page = o.feed_since(3, 100, u64::MAX).expect("reads");
    page.entries[0].event["event"] = serde_json::json!("not a bool");
    let err = r.import_feed(&page).expect_err("refused");
    assert!(err.to_string().contains("feed position 4"), "{err}");

    // an event that differs from the one held at its place (the origin was replaced)
    let mut page = o.feed_since(3, 100, u64::MAX).expect("reads");
    let mut held_event = o.feed_since(1, 1, u64::MAX).expect("reads").entries.remove(0);
    held_event.event["reason"] = serde_json::json!("改过");
    held_event.pos = 4;
    page.entries[0] = held_event;
    let err = r.import_feed(&page).expect_err("refused");
    assert!(err.to_string().contains("differs"), "{err}");

    // the origin restored from an older copy: its feed ends before the replica's position
    let mut page = o.feed_since(3, 100, u64::MAX).expect("reads");
    page.head = 2;
    page.entries.clear();
    let err = r.import_feed(&page).expect_err("refused");
    assert!(err.to_string().contains("restored from an older copy"), "{err}");

    // nothing of the refused pages was kept
    assert_eq!(r.replica_position().expect("reads").map(|p| p.1), Some(3));
    assert_eq!(r.all::<Switching>().expect("reads"), held);
    // and the origin itself does not import
    let err = o.import_feed(&o.feed_since(0, 1, u64::MAX).expect("reads")).expect_err("refused");
    assert!(err.to_string().contains("not a replica"), "{err}");
    for d in [&odir, &rdir, &xdir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_store_written_before_the_feed_gets_positions_at_open() {
    let dir = scratch("backfill");
    let s = origin(&dir);
    some_history(&s);
    s.debug_forget_feed().expect("forgets");
    assert_eq!(s.feed_head().expect("head"), 0);
    drop(s);
    let s = origin(&dir);
    assert_eq!(s.feed_head().expect("head"), 5);
    let page = s.feed_since(0, 100, u64::MAX).expect("reads");
    // key order: each entity's events in sequence
    let got: Vec<_> =
        page.entries.iter().map(|e| (e.kind.as_str(), e.id, e.event["seq"].as_u64())).collect();
    assert_eq!(
        got,
        vec![
            ("roster", 1, Some(1)),
            ("roster", 1, Some(2)),
            ("switching", 1, Some(1)),
            ("switching", 1, Some(2)),
            ("switching", 2, Some(1)),
        ]
    );
    s.create::<Roster>("调度员", "排班", "南海抢修一班".into()).expect("write");
    assert_eq!(s.feed_since(5, 10, u64::MAX).expect("reads").entries[0].kind, "roster");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unique_keys_skip_what_was_made_before_also_in_a_store_written_before_the_index() {
    let dir = scratch("unique");
    let s = origin(&dir);
    // made without keys, as before the index existed
    s.create::<Roster>("调度员", "排班", "禅城抢修一班".into()).expect("write");
    let key_of = |r: &Roster| format!("crew:{}", r.name);
    let items = |names: &[&str]| {
        names.iter().map(|n| (format!("crew:{n}"), n.to_string())).collect::<Vec<_>>()
    };
    let (made, skipped) = s
        .create_unique_many::<Roster>(
            "调度员",
            "排班",
            items(&["禅城抢修一班", "南海抢修一班", "南海抢修一班"]),
            key_of,
        )
        .expect("writes");
    assert_eq!(
        made.iter().map(|e| e.state.name.as_str()).collect::<Vec<_>>(),
        vec!["南海抢修一班"]
    );
    assert_eq!(
        skipped, 2,
        "the old one found by the index built at first use, the twin in the batch"
    );
    let head = s.feed_head().expect("head");
    drop(s);
    let s = origin(&dir);
    let (made, skipped) = s
        .create_unique_many::<Roster>(
            "调度员",
            "排班",
            items(&["南海抢修一班", "顺德抢修一班"]),
            key_of,
        )
        .expect("writes");
    assert_eq!((made.len(), skipped), (1, 1));
    assert_eq!(made[0].id, 3);
    assert_eq!(s.feed_head().expect("head"), head + 1, "a skipped key writes nothing");
    assert_eq!(s.all::<Roster>().expect("reads").len(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_chain_of_events_is_written_whole_or_not_at_all() {
    let dir = scratch("chain");
    let s = origin(&dir);
    let made = s
        .create_chain::<Switching>(&[("调度员", "故障隔离", true), ("gridcare", "恢复送电", false)])
        .expect("writes");
    assert_eq!((made.id, made.seq, made.state.operations), (1, 2, 2));
    let events = s.events::<Switching>(1).expect("reads");
    assert_eq!(
        events.iter().map(|e| e.author.as_str()).collect::<Vec<_>>(),
        ["调度员", "gridcare"]
    );
    assert_eq!(s.feed_head().expect("head"), 2);
    // the second event is refused by the fold: nothing of the chain is written
    let err = s
        .create_chain::<Switching>(&[("调度员", "断开", true), ("调度员", "又断开", true)])
        .expect_err("refused");
    assert!(matches!(err, StoreError::Rejected { .. }), "{err}");
    assert_eq!(s.all::<Switching>().expect("reads").len(), 1);
    assert_eq!(s.feed_head().expect("head"), 2);
    assert!(s.create_chain::<Switching>(&[]).is_err());
    // and the next entity takes the next id
    let next = s.create_chain::<Switching>(&[("调度员", "计划停电", true)]).expect("writes");
    assert_eq!(next.id, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
