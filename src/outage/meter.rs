//! Smart-meter events (AMI, 用电信息采集) beside the calls: what each meter said last, whether
//! a caller's problem is the grid's or their own, and whether a restoration reached everyone.
//!
//! * [`MeterBoard`]: the latest event of each meter (a last gasp: off; a power-restore: on).
//! * [`caller_verdict`] — before sending a crew: the caller's own meter has supply, or a
//!   neighbour on the same distribution transformer has → a customer-side fault (单户故障: the
//!   customer's own installation or service drop), not an outage; neighbours without supply →
//!   a grid fault; nobody heard from → unknown (ask, or ping the meters).
//! * [`restoration_check`] — after a restoration: which of the outage's customers' meters
//!   reported supply back since, which are still off (a nested outage left behind), and which
//!   said nothing.
//!
//! [`predict_with_meters`](super::predict_with_meters) uses the same events to place outages.

use std::collections::HashMap;

use serde::Serialize;

use super::predict::{MeterEvent, MeterEventKind};
use crate::grid::Grid;
use crate::model::CustomerId;

/// What a meter's latest event says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeterState {
    /// Supply (a power-restore event last).
    On,
    /// No supply (a last gasp last).
    Off,
    /// Nothing heard.
    Unknown,
}

/// The latest event of each meter.
#[derive(Clone, Debug, Default)]
pub struct MeterBoard {
    latest: HashMap<CustomerId, MeterEvent>,
}

impl MeterBoard {
    /// An empty board.
    pub fn new() -> MeterBoard {
        MeterBoard::default()
    }

    /// Takes an event; an event older than the meter's latest changes nothing.
    pub fn record(&mut self, e: MeterEvent) {
        match self.latest.get(&e.customer) {
            Some(l) if l.at_s > e.at_s => {}
            _ => {
                self.latest.insert(e.customer, e);
            }
        }
    }

    /// A board from events in any order.
    pub fn from_events(events: &[MeterEvent]) -> MeterBoard {
        let mut b = MeterBoard::new();
        for e in events {
            b.record(*e);
        }
        b
    }

    /// What the customer's meter said last.
    pub fn state(&self, c: CustomerId) -> MeterState {
        match self.latest.get(&c).map(|e| e.kind) {
            Some(MeterEventKind::PowerRestore) => MeterState::On,
            Some(MeterEventKind::LastGasp) => MeterState::Off,
            None => MeterState::Unknown,
        }
    }

    /// The customer's meter's latest event.
    pub fn latest(&self, c: CustomerId) -> Option<&MeterEvent> {
        self.latest.get(&c)
    }

    /// The latest events, by customer.
    pub fn events(&self) -> Vec<MeterEvent> {
        let mut v: Vec<MeterEvent> = self.latest.values().copied().collect();
        v.sort_by_key(|e| e.customer);
        v
    }
}

/// Whose problem a caller's is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum CallerVerdict {
    /// The caller's own meter has supply, or neighbours on the same transformer do: the fault
    /// is the customer's (their installation, their service drop) — a single-customer job.
    CustomerSide {
        /// The caller's own meter reported supply.
        own_meter_on: bool,
        /// Neighbours on the transformer with supply.
        neighbours_on: usize,
    },
    /// Neighbours on the same transformer lost supply too: a grid fault.
    GridFault {
        /// Neighbours without supply.
        neighbours_off: usize,
    },
    /// No meter on the transformer has said anything.
    Unknown,
}

/// Before sending a crew: the caller's problem, from the meters of their transformer.
///
/// # Examples
/// ```
/// use gridcare::model::DeviceRef;
/// use gridcare::outage::meter::{caller_verdict, CallerVerdict, MeterBoard};
/// use gridcare::outage::{MeterEvent, MeterEventKind};
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// let c = |n: &str| match grid.resolve(n).unwrap() { DeviceRef::Customer(c) => c, _ => unreachable!() };
/// let (caller, neighbour) = (c("load.f1-l2-t1-c1"), c("load.f1-l2-t1-c2"));
/// let mut board = MeterBoard::new();
/// assert_eq!(caller_verdict(&grid, &board, caller), CallerVerdict::Unknown);
/// board.record(MeterEvent { customer: neighbour, kind: MeterEventKind::PowerRestore, at_s: 10 });
/// assert!(matches!(caller_verdict(&grid, &board, caller), CallerVerdict::CustomerSide { neighbours_on: 1, .. }));
/// board.record(MeterEvent { customer: neighbour, kind: MeterEventKind::LastGasp, at_s: 20 });
/// assert_eq!(caller_verdict(&grid, &board, caller), CallerVerdict::GridFault { neighbours_off: 1 });
/// ```
pub fn caller_verdict(grid: &Grid, board: &MeterBoard, caller: CustomerId) -> CallerVerdict {
    if grid.model.customers.get(caller.index()).is_none() {
        return CallerVerdict::Unknown;
    }
    let own_on = board.state(caller) == MeterState::On;
    let (mut on, mut off) = (0, 0);
    for &id in transformer_customers(grid, caller).iter().filter(|&&n| n != caller) {
        match board.state(id) {
            MeterState::On => on += 1,
            MeterState::Off => off += 1,
            MeterState::Unknown => {}
        }
    }
    if own_on || on > off {
        CallerVerdict::CustomerSide { own_meter_on: own_on, neighbours_on: on }
    } else if off > 0 {
        CallerVerdict::GridFault { neighbours_off: off }
    } else {
        CallerVerdict::Unknown
    }
}

/// The customers the caller's distribution transformer supplies (the caller included): the
/// topology's slice below it, no search.
pub fn transformer_customers(grid: &Grid, customer: CustomerId) -> Vec<CustomerId> {
    let t = grid.model.customers.get(customer.index()).and_then(|c| c.transformer);
    t.map_or_else(Vec::new, |t| {
        let device = crate::model::DeviceRef::Element(crate::model::ElementRef::Transformer(t));
        grid.topology.affected_customers(&grid.model, device).customers.into_owned()
    })
}

/// After a restoration: what the outage's customers' meters said since.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Restoration {
    /// Meters that reported supply back at or after the restoration.
    pub confirmed: usize,
    /// Customers whose meter's latest word is a last gasp: still off (a nested outage).
    pub still_off: Vec<CustomerId>,
    /// Customers whose meter said nothing since.
    pub silent: usize,
}

/// Which of `customers` the meters confirm restored at or after `restored_s`.
pub fn restoration_check(
    board: &MeterBoard,
    customers: &[CustomerId],
    restored_s: u64,
) -> Restoration {
    let mut r = Restoration::default();
    for &c in customers {
        match board.latest(c) {
            Some(e) if e.kind == MeterEventKind::LastGasp => r.still_off.push(c),
            Some(e) if e.at_s >= restored_s => r.confirmed += 1,
            _ => r.silent += 1,
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outage::affected_by_opening;
    use crate::sim::{sample_grid, SampleFeeders};

    fn ev(customer: CustomerId, kind: MeterEventKind, at_s: u64) -> MeterEvent {
        MeterEvent { customer, kind, at_s }
    }

    #[test]
    fn a_caller_whose_own_meter_has_supply_has_a_fault_behind_the_meter() {
        let grid = sample_grid(&SampleFeeders::default());
        let c = affected_by_opening(&grid, &[grid.resolve("fuse.f1-l2").expect("ok")])[0];
        let mut board = MeterBoard::new();
        board.record(ev(c, MeterEventKind::PowerRestore, 5));
        assert_eq!(
            caller_verdict(&grid, &board, c),
            CallerVerdict::CustomerSide { own_meter_on: true, neighbours_on: 0 }
        );
        // An older last gasp does not override the newer restore.
        board.record(ev(c, MeterEventKind::LastGasp, 1));
        assert_eq!(board.state(c), MeterState::On);
    }

    #[test]
    fn a_restoration_lists_the_meters_still_off() {
        let grid = sample_grid(&SampleFeeders::default());
        let out = affected_by_opening(&grid, &[grid.resolve("fuse.f1-l2").expect("ok")]);
        let mut events: Vec<MeterEvent> =
            out.iter().map(|c| ev(*c, MeterEventKind::LastGasp, 0)).collect();
        // Restored at 3600: all meters but three reported supply back.
        for c in &out[2..out.len() - 1] {
            events.push(ev(*c, MeterEventKind::PowerRestore, 3610));
        }
        let board = MeterBoard::from_events(&events);
        let r = restoration_check(&board, &out, 3600);
        assert_eq!(r.confirmed, out.len() - 3);
        assert_eq!(r.still_off.len(), 3, "their latest word is the last gasp");
        assert_eq!(r.silent, 0);
        let early = restoration_check(&board, &out, 4000);
        assert_eq!((early.confirmed, early.silent), (0, out.len() - 3));
    }
}

/// A meter event as the store keeps it (kind `meter_event`): written once, never changed; by
/// account number, so that it outlives a rebuilt model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MeterRecord {
    /// The customer's account number.
    pub account: String,
    /// What the meter reported.
    pub kind: MeterEventKind,
    /// When, unix seconds (the meter's time).
    pub at_s: i64,
}

impl crate::store::Aggregate for MeterRecord {
    const KIND: &'static str = "meter_event";
    type Event = MeterRecord;

    fn apply(
        _id: u64,
        state: Option<Self>,
        e: &crate::store::Recorded<MeterRecord>,
    ) -> Result<Self, String> {
        match state {
            None if e.event.account.trim().is_empty() => Err("account: empty".into()),
            None if e.event.at_s < 0 => Err(format!("time: {} is before 1970", e.event.at_s)),
            None => Ok(e.event.clone()),
            Some(_) => Err("a meter event is recorded once".into()),
        }
    }
}

/// Why meter events were refused.
#[derive(Debug, thiserror::Error)]
pub enum MeterError {
    /// An event names no customer of the model; nothing was stored.
    #[error("meter event {index}: no customer with account `{account}`; nothing was stored")]
    UnknownAccount {
        /// Its place in the batch, from 0.
        index: usize,
        /// The account given.
        account: String,
    },
    /// An event's time is negative; nothing was stored.
    #[error("meter event {index}: time {at_s} is before 1970; nothing was stored")]
    BadTime {
        /// Its place in the batch.
        index: usize,
        /// The time given.
        at_s: i64,
    },
    /// The store.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Records a batch of meter events (all or none are checked first, then written with one
/// flush) and returns them as the predictor takes them.
pub fn record_meter_events(
    grid: &Grid,
    store: &crate::store::Store,
    records: Vec<MeterRecord>,
    author: &str,
) -> Result<Vec<MeterEvent>, MeterError> {
    let mut events = Vec::with_capacity(records.len());
    for (index, r) in records.iter().enumerate() {
        let customer = match grid.resolve(r.account.trim()) {
            Ok(crate::model::DeviceRef::Customer(c)) => c,
            _ => return Err(MeterError::UnknownAccount { index, account: r.account.clone() }),
        };
        if r.at_s < 0 {
            return Err(MeterError::BadTime { index, at_s: r.at_s });
        }
        events.push(MeterEvent { customer, kind: r.kind, at_s: r.at_s as u64 });
    }
    store.create_many::<MeterRecord>(author, "AMI", records)?;
    Ok(events)
}

/// The stored meter events at or after `since_s`, as the predictor takes them (events of
/// accounts the model no longer has are left out).
pub fn meter_events_since(
    grid: &Grid,
    store: &crate::store::Store,
    since_s: i64,
) -> Result<Vec<MeterEvent>, MeterError> {
    Ok(store
        .all::<MeterRecord>()?
        .into_iter()
        .map(|e| e.state)
        .filter(|r| r.at_s >= since_s)
        .filter_map(|r| match grid.resolve(&r.account) {
            Ok(crate::model::DeviceRef::Customer(c)) => {
                Some(MeterEvent { customer: c, kind: r.kind, at_s: r.at_s as u64 })
            }
            _ => None,
        })
        .collect())
}
