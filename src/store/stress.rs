//! The crash test's workload (`gridcare store-stress`): creates counters and appends to them,
//! printing each write after it is acknowledged (flushed), so that a test can kill the process
//! at any moment and then check that every acknowledged write survived.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{Aggregate, Recorded, Store, StoreError};

/// A counter of the values appended to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StressCounter {
    /// Events folded.
    pub events: u64,
    /// Sum of the values.
    pub sum: u64,
    /// The last value.
    pub last: u64,
}

impl Aggregate for StressCounter {
    const KIND: &'static str = "stress";
    type Event = u64;

    fn apply(_id: u64, state: Option<Self>, e: &Recorded<u64>) -> Result<Self, String> {
        let s = state.unwrap_or(StressCounter { events: 0, sum: 0, last: 0 });
        if s.events + 1 != e.seq {
            return Err(format!("event #{} follows {} events", e.seq, s.events));
        }
        Ok(StressCounter { events: e.seq, sum: s.sum + e.event, last: e.event })
    }
}

/// One acknowledged write as printed: `ack <id> <seq> <value>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// The counter.
    pub id: u64,
    /// The event's sequence number.
    pub seq: u64,
    /// The value appended.
    pub value: u64,
}

impl Ack {
    /// Parses a line printed by [`run`]; `None` for anything else (a line cut by the kill).
    pub fn parse(line: &str) -> Option<Ack> {
        let mut it = line.strip_prefix("ack ")?.split(' ');
        let ack = Ack {
            id: it.next()?.parse().ok()?,
            seq: it.next()?.parse().ok()?,
            value: it.next()?.parse().ok()?,
        };
        it.next().is_none().then_some(ack)
    }
}

/// Makes `writes` writes: every fifth creates a counter, the others append to one of the
/// last few counters. Prints `ack <id> <seq> <value>` to `out` after each returns.
pub fn run(store: &Store, writes: u64, out: &mut dyn Write) -> Result<(), StoreError> {
    let mut recent: Vec<u64> =
        store.all::<StressCounter>()?.iter().rev().take(4).map(|e| e.id).collect();
    let io = |e: std::io::Error| StoreError::Io { path: "stdout".into(), source: e };
    for i in 0..writes {
        let value = store.now_s().unsigned_abs() % 1000 * 1_000_000 + i;
        let e = if i % 5 == 0 || recent.is_empty() {
            let e = store.create::<StressCounter>("stress", "stress test", value)?;
            recent.insert(0, e.id);
            recent.truncate(4);
            e
        } else {
            let id = recent[(i as usize) % recent.len()];
            store.append::<StressCounter>(id, "stress", "stress test", value)?
        };
        writeln!(out, "ack {} {} {value}", e.id, e.seq).map_err(io)?;
        out.flush().map_err(io)?;
    }
    Ok(())
}
