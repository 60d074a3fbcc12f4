//! A live storm on a loaded grid (风暴演示), for the desktop app: a random protective device
//! opens every few minutes, a share of the customers it cuts call in, crews drive to the
//! tickets, arrive, repair and are free again.
//!
//! [`StormDemo`] is the driver's state machine and knows nothing of the store or the screen:
//! the caller asks [`StormDemo::tick`] what is due at a time and gets [`DemoAction`]s (take
//! this call, send a crew to this ticket, move this crew, this crew is on site, supply is
//! back), performs each through the repair desk, and tells the driver what happened
//! ([`StormDemo::call_taken`], [`StormDemo::crew_sent`], [`StormDemo::send_failed`],
//! [`StormDemo::restored`]). The demo's time is its own (seconds from its start, which the
//! app runs faster than the wall clock); the store still stamps every event with its clock.
//!
//! [`crew_position_at`] is where a crew is on its way: a straight line from where it set off
//! to the site, at a constant speed that arrives at its ETA.

use std::collections::{HashMap, VecDeque};

use crate::model::{CustomerId, LonLat};
use crate::outage::{ProtectionIndex, ProtectiveDevice};
use crate::rng::Rng;
use crate::workorder::{CrewId, TicketId};

/// Where a crew that set off from `from` at `sent_s` toward `to`, due at `eta_s`, is at
/// `now_s`: on the straight line between them, the share of the way equal to the share of
/// the time gone (clamped: at `from` before it set off, at `to` from its ETA on).
///
/// # Examples
///
/// ```
/// use gridcare::model::LonLat;
/// use gridcare::sim::crew_position_at;
/// let (from, to) = (LonLat::new(113.10, 23.00), LonLat::new(113.20, 23.04));
/// let half = crew_position_at(from, to, 1_000, 1_600, 1_300);
/// assert!((half.lon - 113.15).abs() < 1e-9 && (half.lat - 23.02).abs() < 1e-9);
/// assert_eq!(crew_position_at(from, to, 1_000, 1_600, 9_999), to);
/// assert_eq!(crew_position_at(from, to, 1_000, 1_600, 0), from);
/// ```
pub fn crew_position_at(from: LonLat, to: LonLat, sent_s: i64, eta_s: i64, now_s: i64) -> LonLat {
    if now_s <= sent_s {
        return from;
    }
    if now_s >= eta_s || eta_s <= sent_s {
        return to;
    }
    let share = (now_s - sent_s) as f64 / (eta_s - sent_s) as f64;
    LonLat::new(from.lon + (to.lon - from.lon) * share, from.lat + (to.lat - from.lat) * share)
}

/// How the live storm is drawn. Times are the demo's seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveParams {
    /// Seed: the same seed on the same grid gives the same faults and callers.
    pub seed: u64,
    /// Time between two faults: uniform in this range (default 5–12 min).
    pub fault_every_s: (i64, i64),
    /// Share of the cut customers who call: uniform in this range per fault (default 5–30 %).
    pub call_share: (f64, f64),
    /// At most this many calls per fault (default 40), so that a breaker does not bury the
    /// desk in one storm.
    pub max_calls: usize,
    /// Calls of a fault come within this long after it (default 20 min).
    pub call_period_s: i64,
    /// How long a crew works on site on the fault (default 20–60 min).
    pub repair_s: (i64, i64),
    /// How long a crew checks a further site of a fault already repaired (default 3–8 min).
    pub check_s: (i64, i64),
    /// A crew on the road reports its position this often (default 3 min).
    pub move_every_s: i64,
    /// A ticket no crew could take is tried again after this long (default 5 min).
    pub retry_s: i64,
    /// Fault weight of one device of each role, indexed by
    /// [`crate::outage::ProtectionKind::index`] (default: breaker 0, recloser 0.2,
    /// sectionaliser 0.4, lateral fuse 1, transformer fuse 1).
    pub fault_weight: [f64; 5],
}

impl Default for LiveParams {
    fn default() -> Self {
        LiveParams {
            seed: 1,
            fault_every_s: (300, 720),
            call_share: (0.05, 0.30),
            max_calls: 40,
            call_period_s: 1200,
            repair_s: (1200, 3600),
            check_s: (180, 480),
            move_every_s: 180,
            retry_s: 300,
            fault_weight: [0.0, 0.2, 0.4, 1.0, 1.0],
        }
    }
}

/// What the demo asks its caller to do now.
#[derive(Clone, Debug, PartialEq)]
pub enum DemoAction {
    /// A cut customer calls: take the call by their account (`Caller::Number`), then
    /// [`StormDemo::call_taken`].
    Call {
        /// The fault they report.
        fault: usize,
        /// The customer.
        customer: CustomerId,
    },
    /// Send a crew to a ticket (the named one, else the best free one), then
    /// [`StormDemo::crew_sent`] or [`StormDemo::send_failed`].
    SendCrew {
        /// The ticket.
        ticket: TicketId,
        /// The crew to prefer (the one that repaired the fault), if any.
        crew: Option<CrewId>,
    },
    /// Record a crew's position on its way.
    MoveCrew {
        /// The crew.
        crew: CrewId,
        /// Where it is.
        at: LonLat,
    },
    /// The crew of a ticket arrived: record it on site.
    OnSite {
        /// The ticket.
        ticket: TicketId,
    },
    /// The crew of a ticket restored supply: record it, then [`StormDemo::restored`].
    Restored {
        /// The ticket.
        ticket: TicketId,
    },
}

/// One fault of the demo.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoFault {
    /// The device that opened.
    pub device: ProtectiveDevice,
    /// Its zone in the [`ProtectionIndex`].
    pub zone: usize,
    /// When it opened, demo seconds.
    pub at_s: i64,
    /// Calls drawn for it.
    pub calls: usize,
    /// The first ticket dispatched for it (the one the first crew goes to).
    pub master: Option<TicketId>,
    /// The crew working on it.
    pub crew: Option<CrewId>,
    /// Further tickets dispatched for it (other transformers below the device), visited by
    /// its crew after the repair.
    pub siblings: VecDeque<TicketId>,
    /// The repair is done (its master restored).
    pub repaired: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Trip {
    crew: CrewId,
    ticket: TicketId,
    from: LonLat,
    to: LonLat,
    sent_s: i64,
    arrive_s: i64,
    next_move_s: i64,
}

/// The driver of a live storm on one grid (see the module documentation).
///
/// # Examples
///
/// ```
/// use gridcare::outage::ProtectionIndex;
/// use gridcare::sim::{sample_grid, DemoAction, LiveParams, SampleFeeders, StormDemo};
///
/// let grid = sample_grid(&SampleFeeders::default());
/// let mut demo = StormDemo::new(ProtectionIndex::build(&grid), LiveParams::default());
/// // the first fault opens at once; its calls follow within the call period
/// demo.tick(0);
/// assert_eq!(demo.faults().len(), 1);
/// let calls = (0..=1200)
///     .step_by(60)
///     .flat_map(|t| demo.tick(t))
///     .filter(|a| matches!(a, DemoAction::Call { .. }))
///     .count();
/// assert!(calls >= 1);
/// // a new fault every 5–12 minutes: two or three in 20 minutes
/// assert!((2..=3).contains(&demo.faults().len()));
/// ```
#[derive(Clone, Debug)]
pub struct StormDemo {
    index: ProtectionIndex,
    params: LiveParams,
    rng: Rng,
    eligible: Vec<usize>,
    cumulative: Vec<f64>,
    generating: bool,
    next_fault_s: i64,
    faults: Vec<DemoFault>,
    /// Calls to come: (time, fault, customer), soonest last.
    calls: Vec<(i64, usize, CustomerId)>,
    /// Crews to send: (time, ticket, preferred crew).
    sends: Vec<(i64, TicketId, Option<CrewId>)>,
    trips: Vec<Trip>,
    /// Repairs under way: (done at, ticket).
    repairs: Vec<(i64, TicketId)>,
    ticket_fault: HashMap<TicketId, usize>,
    now_s: i64,
}

impl StormDemo {
    /// A demo on a grid's protective devices. It generates from demo time 0.
    pub fn new(index: ProtectionIndex, params: LiveParams) -> StormDemo {
        let zones = index.zones();
        let mut eligible = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (z, zone) in zones.iter().enumerate() {
            let w = params.fault_weight[zone.kind.index()];
            if zone.shadowed || zone.customer_count() < 2 || w.is_nan() || w <= 0.0 {
                continue;
            }
            total += w;
            eligible.push(z);
            cumulative.push(total);
        }
        StormDemo {
            rng: Rng::new(params.seed),
            index,
            params,
            eligible,
            cumulative,
            generating: true,
            next_fault_s: 0,
            faults: Vec::new(),
            calls: Vec::new(),
            sends: Vec::new(),
            trips: Vec::new(),
            repairs: Vec::new(),
            ticket_fault: HashMap::new(),
            now_s: 0,
        }
    }

    /// The faults so far, first first.
    pub fn faults(&self) -> &[DemoFault] {
        &self.faults
    }

    /// True while new faults and calls come.
    pub fn is_generating(&self) -> bool {
        self.generating
    }

    /// Stops (or resumes) new faults and calls; crews already out finish their work.
    pub fn set_generating(&mut self, on: bool) {
        self.generating = on;
        if !on {
            self.calls.clear();
        } else if self.next_fault_s < self.now_s {
            self.next_fault_s = self.now_s;
        }
    }

    /// True when nothing is left to do: not generating, no call, crew or repair pending.
    pub fn is_idle(&self) -> bool {
        !self.generating
            && self.calls.is_empty()
            && self.sends.is_empty()
            && self.trips.is_empty()
            && self.repairs.is_empty()
    }

    /// The demo's time of the last tick.
    pub fn now_s(&self) -> i64 {
        self.now_s
    }

    /// Where the crews it drives are at `now_s` (demo seconds).
    pub fn crew_positions(&self, now_s: i64) -> Vec<(CrewId, LonLat)> {
        self.trips
            .iter()
            .map(|t| (t.crew, crew_position_at(t.from, t.to, t.sent_s, t.arrive_s, now_s)))
            .collect()
    }

    fn draw_fault(&mut self, at_s: i64) {
        let Some(total) = self.cumulative.last().copied() else { return };
        for _attempt in 0..50 {
            let x = self.rng.f64() * total;
            let i = self.cumulative.partition_point(|&c| c <= x).min(self.eligible.len() - 1);
            let z = self.eligible[i];
            // not inside or above a fault still being repaired
            if self.faults.iter().any(|f| !f.repaired && self.index.nested(f.zone, z)) {
                continue;
            }
            let mut cut = self.index.customers(z).to_vec();
            let share = self.rng.range_f64(self.params.call_share.0, self.params.call_share.1);
            let n = ((share * cut.len() as f64).round() as usize)
                .clamp(1, cut.len())
                .min(self.params.max_calls.max(1));
            let id = self.faults.len();
            for k in 0..n {
                let j = k + self.rng.index(cut.len() - k);
                cut.swap(k, j);
                let dt = self.rng.below(self.params.call_period_s.max(0) as u64 + 1) as i64;
                self.calls.push((at_s + dt, id, cut[k]));
            }
            self.calls.sort_by_key(|(t, f, c)| std::cmp::Reverse((*t, *f, *c)));
            self.faults.push(DemoFault {
                device: self.index.zones()[z].device,
                zone: z,
                at_s,
                calls: n,
                master: None,
                crew: None,
                siblings: VecDeque::new(),
                repaired: false,
            });
            return;
        }
    }

    fn uniform(&mut self, (lo, hi): (i64, i64)) -> i64 {
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        lo + self.rng.below((hi - lo) as u64 + 1) as i64
    }

    /// What is due at `now_s` (demo seconds, never going back): new faults and their calls,
    /// crews to send, positions of crews on the road, arrivals, repairs done — in that order.
    pub fn tick(&mut self, now_s: i64) -> Vec<DemoAction> {
        let now_s = now_s.max(self.now_s);
        self.now_s = now_s;
        let mut out = Vec::new();
        while self.generating && self.next_fault_s <= now_s && !self.eligible.is_empty() {
            let at = self.next_fault_s;
            self.draw_fault(at);
            self.next_fault_s = at + self.uniform(self.params.fault_every_s).max(1);
        }
        while self.calls.last().is_some_and(|(t, _, _)| *t <= now_s) {
            if let Some((_, fault, customer)) = self.calls.pop() {
                out.push(DemoAction::Call { fault, customer });
            }
        }
        let (due, later): (Vec<_>, Vec<_>) =
            self.sends.drain(..).partition(|(t, _, _)| *t <= now_s);
        self.sends = later;
        out.extend(due.into_iter().map(|(_, ticket, crew)| DemoAction::SendCrew { ticket, crew }));
        let mut arrived = Vec::new();
        for trip in &mut self.trips {
            if trip.arrive_s <= now_s {
                arrived.push(trip.ticket);
                out.push(DemoAction::MoveCrew { crew: trip.crew, at: trip.to });
            } else if trip.next_move_s <= now_s {
                let at = crew_position_at(trip.from, trip.to, trip.sent_s, trip.arrive_s, now_s);
                out.push(DemoAction::MoveCrew { crew: trip.crew, at });
                trip.next_move_s = now_s + self.params.move_every_s.max(1);
            }
        }
        self.trips.retain(|t| t.arrive_s > now_s);
        for ticket in arrived {
            out.push(DemoAction::OnSite { ticket });
            let repaired = self
                .ticket_fault
                .get(&ticket)
                .and_then(|f| self.faults.get(*f))
                .is_some_and(|f| f.repaired);
            let took =
                self.uniform(if repaired { self.params.check_s } else { self.params.repair_s });
            self.repairs.push((now_s + took, ticket));
        }
        let (done, later): (Vec<_>, Vec<_>) =
            self.repairs.drain(..).partition(|(t, _)| *t <= now_s);
        self.repairs = later;
        out.extend(done.into_iter().map(|(_, ticket)| DemoAction::Restored { ticket }));
        out
    }

    /// A call of `fault` became `ticket`; `dispatched` when it is a new master ticket (not
    /// merged or explained). The fault's first dispatched ticket gets a crew at once; its
    /// further ones wait for that crew.
    pub fn call_taken(&mut self, fault: usize, ticket: TicketId, dispatched: bool) {
        if !dispatched {
            return;
        }
        let Some(f) = self.faults.get_mut(fault) else { return };
        self.ticket_fault.insert(ticket, fault);
        if f.master.is_none() {
            f.master = Some(ticket);
            self.sends.push((self.now_s, ticket, None));
        } else if f.repaired && f.crew.is_none() {
            // the crew is gone already: send one again
            self.sends.push((self.now_s, ticket, None));
        } else {
            f.siblings.push_back(ticket);
        }
    }

    /// A crew set off from `from` to the ticket's site `to`, due in `travel_s` seconds.
    pub fn crew_sent(
        &mut self,
        ticket: TicketId,
        crew: CrewId,
        from: LonLat,
        to: LonLat,
        travel_s: i64,
    ) {
        if let Some(f) = self.ticket_fault.get(&ticket).and_then(|f| self.faults.get_mut(*f)) {
            f.crew = Some(crew);
        }
        self.trips.retain(|t| t.crew != crew && t.ticket != ticket);
        let now = self.now_s;
        self.trips.push(Trip {
            crew,
            ticket,
            from,
            to,
            sent_s: now,
            arrive_s: now + travel_s.max(0),
            next_move_s: now + self.params.move_every_s.max(1),
        });
    }

    /// No crew could be sent to a ticket (none free, or the preferred one is busy): try
    /// again later with the best free crew.
    pub fn send_failed(&mut self, ticket: TicketId) {
        self.sends.push((self.now_s + self.params.retry_s.max(1), ticket, None));
    }

    /// The tickets the demo still means to act on: crews to send, on their way, repairing,
    /// and the further tickets its faults' crews will visit.
    pub fn tickets_in_play(&self) -> Vec<TicketId> {
        let mut v: Vec<TicketId> = self.sends.iter().map(|s| s.1).collect();
        v.extend(self.trips.iter().map(|t| t.ticket));
        v.extend(self.repairs.iter().map(|r| r.1));
        v.extend(self.faults.iter().flat_map(|f| f.siblings.iter().copied()));
        v.sort();
        v.dedup();
        v
    }

    /// A ticket the demo knows was merged into `master` (an operator confirmed an outage
    /// that explains it, [`crate::workorder::RepairDesk::confirm_outage`]): the desk
    /// released its crew, so the demo stops driving it, drops the ticket's pending send,
    /// arrival and repair, and takes it off its fault's list. When the merged ticket was its
    /// fault's master, the fault follows `master` if the demo drives it for the same fault
    /// (else the fault has no master, and its next dispatched call gets a crew); a fault left
    /// with waiting tickets and no crew working sends the best free crew to the next.
    ///
    /// Returns the crew that was on its way and where it is now, for the caller to record
    /// its position (it stops there, free).
    pub fn ticket_merged(
        &mut self,
        ticket: TicketId,
        master: Option<TicketId>,
    ) -> Option<(CrewId, LonLat)> {
        let now = self.now_s;
        let stopped = self
            .trips
            .iter()
            .find(|t| t.ticket == ticket)
            .map(|t| (t.crew, crew_position_at(t.from, t.to, t.sent_s, t.arrive_s, now)));
        self.trips.retain(|t| t.ticket != ticket);
        self.repairs.retain(|(_, t)| *t != ticket);
        self.sends.retain(|(_, t, _)| *t != ticket);
        let Some(fi) = self.ticket_fault.remove(&ticket) else { return stopped };
        let follows = master.filter(|m| self.ticket_fault.get(m) == Some(&fi));
        let master_crew =
            follows.and_then(|m| self.trips.iter().find(|t| t.ticket == m).map(|t| t.crew));
        let master_busy = follows.is_some_and(|m| {
            self.trips.iter().any(|t| t.ticket == m)
                || self.repairs.iter().any(|(_, t)| *t == m)
                || self.sends.iter().any(|(_, t, _)| *t == m)
        });
        let Some(f) = self.faults.get_mut(fi) else { return stopped };
        f.siblings.retain(|t| *t != ticket);
        if let Some(m) = follows {
            f.siblings.retain(|t| *t != m);
        }
        if f.master == Some(ticket) {
            f.master = follows;
        }
        let released = stopped.map(|(c, _)| c);
        if released.is_some() && f.crew == released {
            f.crew = master_crew;
        }
        // tickets waiting for a crew that no longer comes: send the best free one
        let working = master_busy
            || f.master.is_some_and(|m| {
                self.trips.iter().any(|t| t.ticket == m)
                    || self.repairs.iter().any(|(_, t)| *t == m)
            });
        if !working && f.crew.is_none() {
            if let Some(next) = f.siblings.pop_front() {
                if f.master.is_none() {
                    f.master = Some(next);
                }
                self.sends.push((now, next, None));
            }
        }
        stopped
    }

    /// A ticket was recorded restored (its crew is free). After the fault's master, the crew
    /// goes on to the fault's further tickets one by one; then the fault is done.
    pub fn restored(&mut self, ticket: TicketId) {
        let Some(fi) = self.ticket_fault.get(&ticket).copied() else { return };
        let Some(f) = self.faults.get_mut(fi) else { return };
        if f.master == Some(ticket) {
            f.repaired = true;
        }
        match f.siblings.pop_front() {
            Some(next) => self.sends.push((self.now_s, next, f.crew)),
            None => f.crew = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{sample_grid, SampleFeeders};

    fn demo(seed: u64) -> StormDemo {
        let grid = sample_grid(&SampleFeeders::default());
        StormDemo::new(ProtectionIndex::build(&grid), LiveParams { seed, ..LiveParams::default() })
    }

    #[test]
    fn a_crew_moves_in_a_straight_line_at_a_steady_pace() {
        let (from, to) = (LonLat::new(113.0, 23.0), LonLat::new(113.1, 23.1));
        let q = crew_position_at(from, to, 0, 400, 100);
        assert!((q.lon - 113.025).abs() < 1e-9 && (q.lat - 23.025).abs() < 1e-9);
        // an ETA that is not after the start: already there
        assert_eq!(crew_position_at(from, to, 50, 50, 50), from);
        assert_eq!(crew_position_at(from, to, 50, 40, 60), to);
    }

    #[test]
    fn the_same_seed_draws_the_same_faults_and_callers() {
        let run = |seed| {
            let mut d = demo(seed);
            let calls: Vec<DemoAction> = (0..3600).step_by(30).flat_map(|t| d.tick(t)).collect();
            (d.faults().iter().map(|f| f.device).collect::<Vec<_>>(), calls)
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn every_fault_calls_from_its_own_cut_customers_within_the_call_period() {
        let grid = sample_grid(&SampleFeeders::default());
        let index = ProtectionIndex::build(&grid);
        let mut d = StormDemo::new(index.clone(), LiveParams::default());
        let mut calls = Vec::new();
        for t in (0..7200).step_by(60) {
            for a in d.tick(t) {
                if let DemoAction::Call { fault, customer } = a {
                    calls.push((t, fault, customer));
                }
            }
        }
        assert!(d.faults().len() >= 6, "a fault every 5–12 min: {}", d.faults().len());
        for (t, fault, customer) in &calls {
            let f = &d.faults()[*fault];
            assert!(index.covers(f.zone, *customer), "a call from outside the fault");
            assert!(
                *t >= f.at_s && *t <= f.at_s + 1200 + 60,
                "call at {t} for fault at {}",
                f.at_s
            );
        }
        for (i, f) in d.faults().iter().enumerate() {
            let n = calls.iter().filter(|(_, g, _)| *g == i).count();
            // calls due after the last tick are still to come
            if f.at_s + 1200 < 7200 - 60 {
                assert_eq!(n, f.calls, "fault {i}");
            }
            let cut = index.zones()[f.zone].customer_count();
            assert!(n <= 40 && n <= cut && f.calls >= 1);
        }
    }

    #[test]
    fn the_first_dispatched_ticket_gets_a_crew_which_arrives_repairs_and_visits_the_rest() {
        let mut d = demo(3);
        let first = d.tick(0);
        assert!(first.iter().all(|a| !matches!(a, DemoAction::SendCrew { .. })));
        assert_eq!(d.faults().len(), 1);
        // two calls of fault 0 became two dispatched tickets, a third was merged
        d.call_taken(0, TicketId(1), true);
        d.call_taken(0, TicketId(2), false);
        d.call_taken(0, TicketId(3), true);
        let sends: Vec<DemoAction> =
            d.tick(10).into_iter().filter(|a| matches!(a, DemoAction::SendCrew { .. })).collect();
        assert_eq!(sends, vec![DemoAction::SendCrew { ticket: TicketId(1), crew: None }]);
        let (from, to) = (LonLat::new(113.0, 23.0), LonLat::new(113.02, 23.0));
        d.crew_sent(TicketId(1), CrewId(5), from, to, 600);
        // on the road: positions now and then, between the two points
        let moves: Vec<LonLat> = d
            .tick(10 + 200)
            .into_iter()
            .filter_map(|a| match a {
                DemoAction::MoveCrew { crew: CrewId(5), at } => Some(at),
                _ => None,
            })
            .collect();
        assert_eq!(moves.len(), 1);
        assert!(moves[0].lon > from.lon && moves[0].lon < to.lon);
        let pos = d.crew_positions(310);
        assert_eq!(pos.len(), 1);
        assert!((pos[0].1.lon - 113.01).abs() < 1e-9, "half way at half time");
        // arrives at its ETA, then repairs within 20–60 min
        let arrive = d.tick(610);
        assert!(arrive.contains(&DemoAction::OnSite { ticket: TicketId(1) }), "{arrive:?}");
        assert!(arrive.contains(&DemoAction::MoveCrew { crew: CrewId(5), at: to }));
        assert!(d.tick(610 + 1199).iter().all(|a| !matches!(a, DemoAction::Restored { .. })));
        let done = d.tick(610 + 3600);
        assert!(done.contains(&DemoAction::Restored { ticket: TicketId(1) }), "{done:?}");
        d.restored(TicketId(1));
        assert!(d.faults()[0].repaired);
        // then the same crew goes to the fault's other dispatched ticket
        let next = d.tick(610 + 3601);
        assert!(
            next.contains(&DemoAction::SendCrew { ticket: TicketId(3), crew: Some(CrewId(5)) }),
            "{next:?}"
        );
    }

    #[test]
    fn a_ticket_no_crew_could_take_is_tried_again_later() {
        let mut d = demo(4);
        d.tick(0);
        d.call_taken(0, TicketId(9), true);
        assert_eq!(d.tick(1).len(), 1);
        d.send_failed(TicketId(9));
        assert!(d.tick(200).iter().all(|a| !matches!(a, DemoAction::SendCrew { .. })));
        assert!(d.tick(301).contains(&DemoAction::SendCrew { ticket: TicketId(9), crew: None }));
    }

    #[test]
    fn a_merged_ticket_stops_its_crew_and_is_not_visited_again() {
        let mut d = demo(6);
        d.tick(0);
        // fault 0: ticket 1 gets the crew, tickets 2 and 3 wait for it
        d.call_taken(0, TicketId(1), true);
        d.call_taken(0, TicketId(2), true);
        d.call_taken(0, TicketId(3), true);
        d.tick(1);
        let (from, to) = (LonLat::new(113.0, 23.0), LonLat::new(113.02, 23.0));
        d.crew_sent(TicketId(1), CrewId(4), from, to, 600);
        // the operator confirms an outage: ticket 2 is merged into the master, ticket 1
        assert_eq!(d.ticket_merged(TicketId(2), Some(TicketId(1))), None, "no crew on 2");
        assert_eq!(d.faults()[0].siblings, vec![TicketId(3)]);
        // …then an outage elsewhere takes ticket 1: its crew is released half way
        d.tick(301);
        let (crew, at) = d.ticket_merged(TicketId(1), Some(TicketId(99))).expect("a crew");
        assert_eq!(crew, CrewId(4));
        assert!((at.lon - 113.01).abs() < 1e-9, "stopped on the way: {at:?}");
        assert!(d.crew_positions(400).is_empty(), "a released crew still drives");
        // the fault's waiting ticket gets the best free crew instead
        let later: Vec<DemoAction> = (302..9000).step_by(60).flat_map(|t| d.tick(t)).collect();
        assert!(!later.iter().any(|a| matches!(
            a,
            DemoAction::OnSite { ticket: TicketId(1) | TicketId(2) }
                | DemoAction::SendCrew { ticket: TicketId(1) | TicketId(2), .. }
                | DemoAction::MoveCrew { crew: CrewId(4), .. }
        )));
        assert!(later.contains(&DemoAction::SendCrew { ticket: TicketId(3), crew: None }));
        d.crew_sent(TicketId(3), CrewId(5), from, to, 60);
        d.set_generating(false);
        let done: Vec<DemoAction> = (9000..20_000).step_by(60).flat_map(|t| d.tick(t)).collect();
        assert!(done.contains(&DemoAction::Restored { ticket: TicketId(3) }));
        d.restored(TicketId(3));
        assert!(d.is_idle(), "the demo waits for a merged ticket");
    }

    #[test]
    fn stopping_ends_the_calls_but_lets_the_crews_finish() {
        let mut d = demo(5);
        d.tick(0);
        d.call_taken(0, TicketId(1), true);
        d.tick(1);
        d.crew_sent(
            TicketId(1),
            CrewId(1),
            LonLat::new(113.0, 23.0),
            LonLat::new(113.0, 23.01),
            60,
        );
        d.set_generating(false);
        assert!(!d.is_idle(), "a crew is still on the road");
        let later: Vec<DemoAction> = (2..20_000).step_by(60).flat_map(|t| d.tick(t)).collect();
        assert!(later.iter().all(|a| !matches!(a, DemoAction::Call { .. })), "a call after stop");
        assert_eq!(d.faults().len(), 1, "a fault after stop");
        assert!(later.contains(&DemoAction::Restored { ticket: TicketId(1) }));
        d.restored(TicketId(1));
        assert!(d.is_idle());
    }
}
