//! The crash test: the `gridcare` binary appends to a store and prints each write once it is
//! acknowledged (flushed); the test kills it with SIGKILL at random moments — while it
//! writes, while it opens and recovers the store, while it seals it — over many trials, then
//! reopens the store and checks that every acknowledged write is there.
//!
//! `GRIDCARE_CRASH_TRIALS` (default 50) and `GRIDCARE_CRASH_WRITES` (writes per trial,
//! default 300) scale it; `GRIDCARE_CRASH_SEED` picks the kill moments.

use std::path::Path;
use std::time::{Duration, Instant};

use gridcare::rng::Rng;
use gridcare::store::stress::{Ack, StressCounter};
use gridcare::store::Store;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

mod kill9;

use kill9::{run_and_kill as run, scratch, KillAt};

/// One run of `gridcare store-stress`, killed after `kill_after` unless it ends first.
/// Returns the acknowledged writes and whether it was killed.
fn run_and_kill(data_dir: &Path, writes: u64, kill_after: Duration) -> (Vec<Ack>, bool) {
    let args = ["store-stress", "--writes", &writes.to_string()];
    let r = run(&args, data_dir, "", KillAt::AfterStart(kill_after));
    (r.lines.iter().filter_map(|l| Ack::parse(l.trim_end())).collect(), r.killed)
}

#[test]
fn every_acknowledged_write_survives_kill_9() {
    let trials = env_or("GRIDCARE_CRASH_TRIALS", 50);
    let writes = env_or("GRIDCARE_CRASH_WRITES", 300);
    let mut rng = Rng::new(env_or("GRIDCARE_CRASH_SEED", 20_261_124));
    let dir = scratch("kill9");

    // How long a whole run takes here, to spread the kills over it.
    let t0 = Instant::now();
    let (mut acks, _) = run_and_kill(&dir, writes, Duration::from_secs(600));
    let full_run = t0.elapsed();
    assert_eq!(acks.len() as u64, writes, "an uninterrupted run acknowledges every write");

    let mut kills = 0;
    for _ in 0..trials {
        let kill_after = full_run.mul_f64(rng.range_f64(0.0, 1.1));
        let (got, killed) = run_and_kill(&dir, writes, kill_after);
        kills += usize::from(killed);
        acks.extend(got);
    }

    let store = Store::open(&dir.join("store")).expect("the store opens after every kill");
    let mut lost = Vec::new();
    for a in &acks {
        let events = store.events::<StressCounter>(a.id).expect("readable");
        if !events.iter().any(|e| e.seq == a.seq && e.event == a.value) {
            lost.push(*a);
        }
    }
    for e in store.all::<StressCounter>().expect("readable") {
        let events = store.events::<StressCounter>(e.id).expect("readable");
        assert_eq!(e.state.events, events.len() as u64, "counter {} state = fold of its log", e.id);
        assert_eq!(e.seq, events.len() as u64);
    }
    let max_acked = acks.iter().map(|a| a.id).max().unwrap_or(0);
    let next = store.create::<StressCounter>("test", "after the kills", 1).expect("writable");
    assert!(next.id > max_acked, "ids keep counting up after kills: {} after {max_acked}", next.id);
    println!(
        "crash test: {trials} trials, {kills} killed with SIGKILL, {} acknowledged writes, {} lost \
         (a full run of {writes} writes takes {:.0} ms)",
        acks.len(),
        lost.len(),
        full_run.as_secs_f64() * 1000.0
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(lost.is_empty(), "acknowledged writes lost after kill -9: {lost:?}");
}
