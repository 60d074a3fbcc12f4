//! Customer interruptions from the stored outages: for each outage, who lost supply and from
//! when to when.
//!
//! The events of an outage are replayed in order:
//!
//! * `created`: the customers of its impact are out from its start (the planned window's
//!   start, or when the fault tripped — which may be before it was recorded);
//! * `rescheduled` (before it starts): the start moves;
//! * `scope_changed` and `partially_restored` at time *t*: customers no longer in the impact
//!   are back at *t* (or were never out, when *t* is before the start); customers newly in it
//!   are out from *t* (or from the start);
//! * `restored` at *t*: everyone still out is back at *t*;
//! * `cancelled`: the outage did not happen (a planned outage called off, a false alarm):
//!   no interruption at all;
//! * still open at `as_of_s`: the customers still out are counted up to `as_of_s`, marked
//!   ongoing.
//!
//! Customers with the same start and end form one [`Interruption`]; a partial restoration
//! thus gives the outage one interruption per group of customers restored together.

use rustc_hash::FxHashMap;

use super::scope::Territory;
use super::KpiError;
use crate::outage::{Outage, OutageEvent, OutageId, OutageKind};
use crate::store::{Recorded, Store};

/// An interruption shorter than this is momentary (IEEE 1366: restored by an interrupting
/// device's operation within 5 min); this long or longer is sustained.
pub const MOMENTARY_MAX_S: i64 = 300;

/// Customers who lost supply together and got it back together.
#[derive(Clone, Debug, PartialEq)]
pub struct Interruption {
    /// The outage.
    pub outage: OutageId,
    /// A planned outage (计划停电); otherwise unplanned (a fault).
    pub planned: bool,
    /// When supply was lost, unix seconds.
    pub start_s: i64,
    /// When it came back (or the time the report was made, when [`Self::ongoing`]).
    pub end_s: i64,
    /// Still out when the interruptions were read.
    pub ongoing: bool,
    /// The customers (indices into the model's customers), sorted.
    pub customers: Vec<u32>,
}

impl Interruption {
    /// Its length, seconds.
    pub fn duration_s(&self) -> i64 {
        self.end_s - self.start_s
    }

    /// Its length, minutes.
    pub fn duration_min(&self) -> f64 {
        self.duration_s() as f64 / 60.0
    }

    /// Shorter than [`MOMENTARY_MAX_S`] (and not still going on).
    pub fn is_momentary(&self) -> bool {
        !self.ongoing && self.duration_s() < MOMENTARY_MAX_S
    }
}

/// The interruptions of one outage from its events (see the module doc), customers found by
/// account number with `customer_of`. Returns them with the number of account numbers that
/// named no customer.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::interruptions_of;
/// use gridcare::outage::{Impact, OutageEvent, OutageId, OutageKind};
/// use gridcare::store::Recorded;
/// let impact = |a: &[&str]| Impact { accounts: a.iter().map(|x| x.to_string()).collect(), ..Impact::default() };
/// let rec = |seq, time_s, event| Recorded { seq, time_s, author: "a".into(), reason: "r".into(), event };
/// let events = vec![
///     // a fault at 10:00 (t = 0) cuts customers 1, 2, 3
///     rec(1, 0, OutageEvent::Created { kind: OutageKind::Fault, source: None,
///         devices: vec!["fuse.a".into()], start_s: 0, end_s: None, etr_s: None,
///         notice: String::new(), impact: impact(&["1", "2", "3"]) }),
///     // at 10:30 customer 1 is back, at 12:00 the others
///     rec(2, 1800, OutageEvent::PartiallyRestored { devices: vec!["fuse.a".into()], impact: impact(&["2", "3"]) }),
///     rec(3, 7200, OutageEvent::Restored { devices: vec!["fuse.b".into()] }),
/// ];
/// let (out, unresolved) = interruptions_of(OutageId(1), &events, |a| a.parse().ok(), 99_999);
/// assert_eq!(unresolved, 0);
/// assert_eq!(out.len(), 2);
/// assert_eq!((out[0].end_s, out[0].customers.clone()), (1800, vec![1]));
/// assert_eq!((out[1].end_s, out[1].customers.clone()), (7200, vec![2, 3]));
/// ```
pub fn interruptions_of(
    id: OutageId,
    events: &[Recorded<OutageEvent>],
    customer_of: impl Fn(&str) -> Option<u32>,
    as_of_s: i64,
) -> (Vec<Interruption>, usize) {
    let mut planned = false;
    let mut start_s = 0;
    // customer → when it joined the outage (i64::MIN: from the start)
    let mut out: FxHashMap<u32, i64> = FxHashMap::default();
    let mut segments: Vec<(i64, i64, bool, u32)> = Vec::new();
    let mut unresolved = 0;
    let mut resolve = |accounts: &[String]| -> Vec<u32> {
        let mut v: Vec<u32> = Vec::with_capacity(accounts.len());
        for a in accounts {
            match customer_of(a) {
                Some(c) => v.push(c),
                None => unresolved += 1,
            }
        }
        v
    };
    let close = |segments: &mut Vec<_>, start_s: i64, c: u32, joined: i64, t: i64| {
        let s = start_s.max(joined);
        if t > s {
            segments.push((s, t, false, c));
        }
    };
    for rec in events {
        let t = rec.time_s;
        match &rec.event {
            OutageEvent::Created { kind, start_s: s, impact, .. } => {
                planned = *kind == OutageKind::Planned;
                start_s = *s;
                out.clear();
                for c in resolve(&impact.accounts) {
                    out.insert(c, i64::MIN);
                }
            }
            OutageEvent::Rescheduled { start_s: s, .. } => start_s = *s,
            OutageEvent::ScopeChanged { impact, .. }
            | OutageEvent::PartiallyRestored { impact, .. } => {
                let now: FxHashMap<u32, ()> =
                    resolve(&impact.accounts).into_iter().map(|c| (c, ())).collect();
                let mut leaving: Vec<(u32, i64)> = out
                    .iter()
                    .filter(|(c, _)| !now.contains_key(c))
                    .map(|(c, j)| (*c, *j))
                    .collect();
                leaving.sort_unstable();
                for (c, joined) in leaving {
                    out.remove(&c);
                    close(&mut segments, start_s, c, joined, t);
                }
                for c in now.keys() {
                    out.entry(*c).or_insert(t);
                }
            }
            OutageEvent::Restored { .. } => {
                for (c, joined) in out.drain() {
                    close(&mut segments, start_s, c, joined, t);
                }
            }
            OutageEvent::Cancelled => {
                out.clear();
                segments.clear();
                break;
            }
            OutageEvent::EtrChanged { .. } => {}
        }
    }
    for (c, joined) in out.drain() {
        let s = start_s.max(joined);
        if as_of_s > s {
            segments.push((s, as_of_s, true, c));
        }
    }
    segments.sort_unstable();
    let mut result: Vec<Interruption> = Vec::new();
    for (s, e, ongoing, c) in segments {
        match result.last_mut() {
            Some(last) if last.start_s == s && last.end_s == e && last.ongoing == ongoing => {
                last.customers.push(c);
            }
            _ => result.push(Interruption {
                outage: id,
                planned,
                start_s: s,
                end_s: e,
                ongoing,
                customers: vec![c],
            }),
        }
    }
    (result, unresolved)
}

/// Every interruption of a store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InterruptionLog {
    /// The interruptions, by start.
    pub interruptions: Vec<Interruption>,
    /// Outages read.
    pub outages: usize,
    /// Account numbers in the outages that name no customer of the model (an outage
    /// recorded on another model); they are left out.
    pub unresolved_accounts: usize,
}

/// Reads every outage of a store and derives its interruptions ([`interruptions_of`]),
/// those still open counted up to `as_of_s`.
pub fn interruptions_in_store(
    store: &Store,
    territory: &Territory,
    as_of_s: i64,
) -> Result<InterruptionLog, KpiError> {
    let mut log = InterruptionLog::default();
    for e in store.all::<Outage>()? {
        let events = store.events::<Outage>(e.id)?;
        let (mut v, unresolved) =
            interruptions_of(OutageId(e.id), &events, |a| territory.customer(a), as_of_s);
        log.interruptions.append(&mut v);
        log.unresolved_accounts += unresolved;
        log.outages += 1;
    }
    log.interruptions.sort_by_key(|i| (i.start_s, i.outage, i.end_s));
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outage::Impact;

    fn impact(customers: &[u32]) -> Impact {
        Impact { accounts: customers.iter().map(|c| c.to_string()).collect(), ..Impact::default() }
    }

    fn rec(seq: u64, time_s: i64, event: OutageEvent) -> Recorded<OutageEvent> {
        Recorded { seq, time_s, author: "a".into(), reason: "r".into(), event }
    }

    fn created(kind: OutageKind, start_s: i64, customers: &[u32]) -> OutageEvent {
        OutageEvent::Created {
            kind,
            source: None,
            devices: vec!["d".into()],
            start_s,
            end_s: (kind == OutageKind::Planned).then_some(start_s + 36_000),
            etr_s: None,
            notice: String::new(),
            impact: impact(customers),
        }
    }

    fn of(events: &[Recorded<OutageEvent>], as_of_s: i64) -> Vec<(i64, i64, bool, Vec<u32>)> {
        let (v, _) = interruptions_of(OutageId(1), events, |a| a.parse().ok(), as_of_s);
        v.into_iter().map(|i| (i.start_s, i.end_s, i.ongoing, i.customers)).collect()
    }

    #[test]
    fn a_fault_recorded_late_counts_from_its_trip_and_a_scope_change_from_the_change() {
        // tripped at 1,000, recorded at 1,600; at 2,000 customer 3 is added and 1 is back
        // (isolation); restored at 5,000
        let events = vec![
            rec(1, 1_600, created(OutageKind::Fault, 1_000, &[1, 2])),
            rec(
                2,
                2_000,
                OutageEvent::ScopeChanged {
                    added: vec!["e".into()],
                    removed: vec![],
                    impact: impact(&[2, 3]),
                },
            ),
            rec(3, 5_000, OutageEvent::Restored { devices: vec![] }),
        ];
        assert_eq!(
            of(&events, 9_999),
            vec![
                (1_000, 2_000, false, vec![1]),
                (1_000, 5_000, false, vec![2]),
                (2_000, 5_000, false, vec![3])
            ]
        );
    }

    #[test]
    fn a_rescheduled_planned_outage_counts_from_its_new_start_and_an_open_one_to_now() {
        let events = vec![
            rec(1, 0, created(OutageKind::Planned, 10_000, &[4, 5])),
            // scope cut before the start: customer 5 never loses supply
            rec(
                2,
                500,
                OutageEvent::ScopeChanged {
                    added: vec![],
                    removed: vec!["x".into()],
                    impact: impact(&[4]),
                },
            ),
            rec(
                3,
                1_000,
                OutageEvent::Rescheduled { start_s: 20_000, end_s: 30_000, etr_s: 30_000 },
            ),
        ];
        // read at 25,000: customer 4 out since 20,000, still out
        assert_eq!(of(&events, 25_000), vec![(20_000, 25_000, true, vec![4])]);
        // read before it starts: nothing yet
        assert!(of(&events, 15_000).is_empty());
        let mut cancelled = events.clone();
        cancelled.push(rec(4, 2_000, OutageEvent::Cancelled));
        assert!(of(&cancelled, 25_000).is_empty());
    }
}
