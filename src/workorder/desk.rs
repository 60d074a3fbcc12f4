//! The repair desk (抢修调度台): every ticket and crew of the store in memory, the operations
//! a 95598 operator and a unit dispatcher perform, and the duplicate-merge rule.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::crew::{best_crew, travel_time_s, Crew, CrewEvent, CrewId, CrewSpec, CrewStatus, Skill};
use super::error::TicketError;
use super::locate::{locate_call, Caller, Located};
use super::sla::{is_breached, next_due, sla_clocks, SlaClock, SlaPolicy};
use super::ticket::{
    CallSite, Channel, Disposition, FaultLevel, Ticket, TicketEvent, TicketId, TicketStatus,
};
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, LonLat};
use crate::outage::{OutageBook, OutageId, OutageKind, OutageStatus};
use crate::store::{Recorded, Store};

/// A repair call to take.
#[derive(Clone, Debug, PartialEq)]
pub struct RepairCall {
    /// Who or what it is about.
    pub caller: Caller,
    /// The number to call back, when the caller gave one apart from the lookup.
    pub phone: Option<String>,
    /// How it came in.
    pub channel: Channel,
    /// What the caller said (`家里没电了`, `电线杆倒了`).
    pub description: String,
    /// The operator.
    pub author: String,
}

/// What the desk decided for a call, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergeDecision {
    /// Dispatch, merged into a master, or explained by an outage.
    pub disposition: Disposition,
    /// The open outage covering the caller, if any.
    pub outage: Option<OutageId>,
    /// The device the ticket is about (the outage's device when one covers the caller).
    pub device: Option<String>,
    /// The fault level (10 kV when an outage's device is on the feeder).
    pub level: FaultLevel,
    /// Why, in words.
    pub why: String,
}

/// What the operator tells a caller whose call was merged or explained: the master ticket's
/// dispatch, crew, arrival, ETR, fault type and cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MasterInfo {
    /// The master ticket (`None` when an outage explains the call).
    pub master: Option<TicketId>,
    /// Its status.
    pub status: Option<TicketStatus>,
    /// The outage, if any.
    pub outage: Option<OutageId>,
    /// When the master was dispatched.
    pub dispatched_s: Option<i64>,
    /// The crew sent, by name.
    pub crew: Option<String>,
    /// Its estimated arrival.
    pub eta_s: Option<i64>,
    /// When it arrived.
    pub arrived_s: Option<i64>,
    /// Estimated restoration: the crew's, else the outage's.
    pub etr_s: Option<i64>,
    /// Fault type found.
    pub fault_type: String,
    /// Cause found.
    pub cause: String,
    /// Calls merged into the master so far (this one included).
    pub duplicates: usize,
}

/// The outcome of a call: the ticket as recorded (and dispatched), the decision, and for a
/// merged or explained call the master's progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallOutcome {
    /// The ticket.
    pub ticket: Ticket,
    /// Why it was dispatched, merged or explained.
    pub decision: MergeDecision,
    /// The master's progress (merged or explained calls).
    pub master: Option<MasterInfo>,
}

/// A step a crew or dispatcher reports on a ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TicketStep {
    /// The crew arrived.
    OnSite,
    /// What the crew found.
    Diagnosed {
        /// Fault type.
        fault_type: String,
        /// Cause.
        cause: String,
        /// Level found.
        level: FaultLevel,
        /// Estimated restoration.
        etr_s: Option<i64>,
    },
    /// Supply restored (the crew is released).
    Restored,
    /// Work done.
    Closed,
    /// The customer was called back.
    Callback {
        /// Satisfied.
        satisfied: bool,
        /// What they said.
        note: String,
    },
    /// Called off (the crew is released).
    Cancel,
}

/// The reason recorded (by `gridcare`) for a write that completes an operation a crash cut
/// in half ([`RepairDesk::open`]).
pub const RECOVERY_REASON: &str = "completed after an interrupted write (crash or kill)";

/// Every ticket and crew of a store.
pub struct RepairDesk {
    store: Arc<Store>,
    policy: SlaPolicy,
    tickets: BTreeMap<TicketId, Ticket>,
    crews: BTreeMap<CrewId, Crew>,
    recovered: usize,
    index: MasterIndex,
}

/// Where a device meets the supply paths of callers: a branch element by its edge of the
/// network graph (a line and the fuses mounted on it share one), anything else as itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PathKey {
    Edge(crate::topology::EdgeIdx),
    Device(DeviceRef),
}

/// Which grid the resolved names were resolved on: its address and sizes (a grid loaded
/// again at the same address with the same sizes is the same model).
type GridKey = (usize, usize, usize, usize);

fn grid_key(grid: &Grid) -> GridKey {
    (
        std::ptr::from_ref(grid) as usize,
        grid.model.buses.len(),
        grid.model.customers.len(),
        grid.topology.network().edges.len(),
    )
}

/// The device names of the masters in flight, resolved on one grid (lazily: the desk's
/// writes have no grid at hand).
#[derive(Default)]
struct Resolved {
    grid: Option<GridKey>,
    /// Each name resolved (`None`: no device of that name, or none a caller can be below).
    keys: HashMap<String, Option<(DeviceRef, PathKey)>>,
    /// The names resolved to each key.
    names: HashMap<PathKey, Vec<String>>,
    /// Names a master took since the last question, to resolve before answering.
    pending: Vec<String>,
}

impl Resolved {
    /// Resolves what is pending (everything, on another grid).
    fn sync(&mut self, grid: &Grid, by_name: &HashMap<String, BTreeSet<TicketId>>) {
        let key = grid_key(grid);
        if self.grid != Some(key) {
            self.grid = Some(key);
            self.keys.clear();
            self.names.clear();
            self.pending = by_name.keys().cloned().collect();
        }
        for name in std::mem::take(&mut self.pending) {
            if self.keys.contains_key(&name) {
                continue;
            }
            let resolved = grid.resolve(&name).ok().and_then(|d| {
                let k = match d {
                    DeviceRef::Element(el) => PathKey::Edge(grid.topology.network().edge_of(el)?),
                    other => PathKey::Device(other),
                };
                Some((d, k))
            });
            if let Some((_, k)) = resolved {
                self.names.entry(k).or_default().push(name.clone());
            }
            self.keys.insert(name, resolved);
        }
    }
}

/// The desk's indexes, kept by every write of a ticket ([`RepairDesk::put`]): the masters in
/// flight by device name and by outage, and the tickets merged into each master. They make
/// the duplicate-merge rule a walk up the caller's supply path instead of a scan of every
/// master in flight.
#[derive(Default)]
struct MasterIndex {
    /// Masters in flight by their device's name as recorded.
    by_name: HashMap<String, BTreeSet<TicketId>>,
    /// Masters in flight by their outage.
    by_outage: HashMap<OutageId, BTreeSet<TicketId>>,
    /// Tickets merged into each master (any status).
    duplicates: HashMap<TicketId, BTreeSet<TicketId>>,
    /// The names resolved on the grid last asked with.
    resolved: Mutex<Resolved>,
}

fn is_master_in_flight(t: &Ticket) -> bool {
    t.in_flight() && t.disposition == Disposition::Dispatch
}

impl MasterIndex {
    fn add(&mut self, t: &Ticket) {
        if let Some(m) = t.master() {
            self.duplicates.entry(m).or_default().insert(t.id);
        }
        if !is_master_in_flight(t) {
            return;
        }
        if let Some(o) = t.outage {
            self.by_outage.entry(o).or_default().insert(t.id);
        }
        if let Some(d) = &t.site.device {
            let set = self.by_name.entry(d.clone()).or_default();
            if set.is_empty() {
                self.resolved.get_mut().unwrap_or_else(|p| p.into_inner()).pending.push(d.clone());
            }
            set.insert(t.id);
        }
    }

    fn remove(&mut self, t: &Ticket) {
        fn take<K: std::hash::Hash + Eq>(
            map: &mut HashMap<K, BTreeSet<TicketId>>,
            k: &K,
            id: TicketId,
        ) {
            if let Some(set) = map.get_mut(k) {
                set.remove(&id);
                if set.is_empty() {
                    map.remove(k);
                }
            }
        }
        if let Some(m) = t.master() {
            take(&mut self.duplicates, &m, t.id);
        }
        if !is_master_in_flight(t) {
            return;
        }
        if let Some(o) = t.outage {
            take(&mut self.by_outage, &o, t.id);
        }
        if let Some(d) = &t.site.device {
            take(&mut self.by_name, d, t.id);
        }
    }

    /// The lowest master in flight whose device supplies customer `c` on `grid`: the one
    /// whose device cuts the fewest customers, then the first by id — the same answer as
    /// the scan of [`merge_duplicate_repair`], from the devices on the caller's supply path
    /// (no device off that path can cut the caller).
    fn lowest_supplying(&self, grid: &Grid, c: CustomerId) -> Option<TicketId> {
        let mut resolved = self.resolved.lock().unwrap_or_else(|p| p.into_inner());
        resolved.sync(grid, &self.by_name);
        if resolved.names.is_empty() {
            return None;
        }
        let topo = &grid.topology;
        let cu = grid.model.customers.get(c.index())?;
        let feeder = topo.feeder_of(cu.bus)?;
        let mut on_path = vec![PathKey::Device(DeviceRef::Customer(c))];
        let mut bus = cu.bus;
        loop {
            on_path.push(PathKey::Device(DeviceRef::Bus(bus)));
            let Some(e) = topo.parent_edge(bus) else { break };
            on_path.push(PathKey::Edge(e));
            bus = topo.network().edges[e as usize].other(bus);
        }
        on_path.push(PathKey::Device(DeviceRef::Feeder(feeder)));
        if let Some(f) = grid.model.feeders.get(feeder.index()) {
            on_path.push(PathKey::Device(DeviceRef::Substation(f.substation)));
        }
        let mut best: Option<(usize, TicketId)> = None;
        for k in on_path {
            for name in resolved.names.get(&k).into_iter().flatten() {
                let Some(&first) = self.by_name.get(name).and_then(|s| s.first()) else {
                    continue;
                };
                let Some(Some((d, _))) = resolved.keys.get(name) else { continue };
                if !topo.cuts(&grid.model, *d, c) {
                    continue;
                }
                let n = topo.affected_customers(&grid.model, *d).customers.len();
                if best.is_none_or(|b| (n, first) < b) {
                    best = Some((n, first));
                }
            }
        }
        best.map(|(_, id)| id)
    }
}

/// The rule for a new call (合并重复报修): is the caller inside an active outage, or below
/// the device of a master ticket still in flight? Then the call joins it; otherwise it is a
/// new fault and is dispatched.
///
/// * an **active planned outage** covering the caller explains the call: nothing is sent;
/// * an **active fault outage** covering the caller: the call joins the outage's master
///   ticket in flight, or becomes that master (the one dispatch for the outage);
/// * a **master ticket in flight** whose device supplies the caller (the topology's
///   "customers that lose supply if the device opens", the one rule of who is below what):
///   the call joins it — the lowest such device, when several;
/// * a pin or device call on the same device as a master in flight joins it;
/// * otherwise: dispatch.
///
/// Announced planned outages that have not started do not explain a call: if the caller
/// has no power, something else is wrong.
///
/// This is the rule as a scan of every master in flight; [`RepairDesk::take_call`] answers
/// it from the desk's index ([`RepairDesk::merge_decision`]), with the same answer.
pub fn merge_duplicate_repair<'a>(
    grid: &Grid,
    outages: &OutageBook,
    in_flight: impl IntoIterator<Item = &'a Ticket>,
    located: &Located,
) -> MergeDecision {
    let fault_outage = match covering_outage(outages, located) {
        Ok(o) => o,
        Err(explained) => return explained,
    };
    let masters: Vec<&Ticket> = in_flight.into_iter().filter(|t| is_master_in_flight(t)).collect();
    if let Some(o) = fault_outage {
        let m = masters.iter().find(|t| t.outage == Some(o)).copied();
        return outage_decision(outages, o, m);
    }
    // The lowest in-flight master whose device supplies the caller.
    let mut best: Option<(&Ticket, usize)> = None;
    for m in &masters {
        let Some(dev) = m.site.device.as_deref() else { continue };
        let below = match located.customer {
            Some(c) => match grid.resolve(dev) {
                Ok(d) if grid.topology.cuts(&grid.model, d, c) => {
                    Some(grid.topology.affected_customers(&grid.model, d).customers.len())
                }
                _ => None,
            },
            None => (located.site.device.as_deref() == Some(dev)).then_some(0),
        };
        if let Some(n) = below {
            if best.is_none_or(|(_, b)| n < b) {
                best = Some((m, n));
            }
        }
    }
    match best {
        Some((m, _)) => master_decision(m),
        None => dispatch_decision(located),
    }
}

/// The open fault outage covering the caller (`Ok(None)`: none), or the decision when an
/// active planned outage explains the call.
fn covering_outage(
    outages: &OutageBook,
    located: &Located,
) -> Result<Option<OutageId>, MergeDecision> {
    let mut fault_outage = None;
    if let Some(c) = located.customer {
        for cov in outages.outages_covering(c) {
            if !matches!(cov.status, OutageStatus::Active | OutageStatus::PartiallyRestored) {
                continue;
            }
            match cov.kind {
                OutageKind::Planned => {
                    return Err(MergeDecision {
                        disposition: Disposition::Explained { outage: cov.outage },
                        outage: Some(cov.outage),
                        device: located.site.device.clone(),
                        level: located.level,
                        why: format!(
                            "planned outage {} covers the caller: {}",
                            cov.outage, cov.notice
                        ),
                    })
                }
                OutageKind::Fault => {
                    fault_outage.get_or_insert(cov.outage);
                }
            }
        }
    }
    Ok(fault_outage)
}

/// A call inside fault outage `o`: it joins the outage's master in flight `m`, or becomes it.
fn outage_decision(outages: &OutageBook, o: OutageId, m: Option<&Ticket>) -> MergeDecision {
    let device = outages.get(o).and_then(|x| x.open_devices.first().cloned());
    if let Some(m) = m {
        return MergeDecision {
            disposition: Disposition::Merged { master: m.id },
            outage: Some(o),
            device,
            level: m.fault_level,
            why: format!("fault outage {o} covers the caller; its ticket {} is in flight", m.id),
        };
    }
    MergeDecision {
        disposition: Disposition::Dispatch,
        outage: Some(o),
        device,
        level: FaultLevel::MediumVoltage,
        why: format!("fault outage {o} covers the caller and has no ticket yet: dispatch"),
    }
}

/// A call below master `m`'s device (or on the same device): it joins `m`.
fn master_decision(m: &Ticket) -> MergeDecision {
    MergeDecision {
        disposition: Disposition::Merged { master: m.id },
        outage: m.outage,
        device: m.site.device.clone(),
        level: m.fault_level,
        why: format!(
            "ticket {} is in flight for {}, which supplies the caller",
            m.id,
            m.site.device.as_deref().unwrap_or("the same site")
        ),
    }
}

/// A new fault.
fn dispatch_decision(located: &Located) -> MergeDecision {
    MergeDecision {
        disposition: Disposition::Dispatch,
        outage: None,
        device: located.site.device.clone(),
        level: located.level,
        why: "no known outage or ticket in flight covers the caller: a new fault".into(),
    }
}

impl RepairDesk {
    /// Reads every ticket and crew of the store.
    ///
    /// An operation that writes two entities (a call recorded then dispatched; a crew sent
    /// then the ticket en route; a ticket restored then its crew released) may have been
    /// cut between its writes by a crash. Opening finishes or undoes those halves, each as
    /// an event by `gridcare` saying so: a ticket left new is dispatched to its unit, a crew
    /// held by a ticket that is not waiting for it is released, a crew whose ticket is on
    /// site arrives. [`RepairDesk::recovered`] counts them.
    pub fn open(store: Arc<Store>, policy: SlaPolicy) -> Result<RepairDesk, TicketError> {
        let tickets: BTreeMap<TicketId, Ticket> =
            store.all::<Ticket>()?.into_iter().map(|e| (e.state.id, e.state)).collect();
        let crews = store.all::<Crew>()?.into_iter().map(|e| (e.state.id, e.state)).collect();
        let mut desk = RepairDesk {
            store,
            policy,
            tickets,
            crews,
            recovered: 0,
            index: MasterIndex::default(),
        };
        let RepairDesk { tickets, index, .. } = &mut desk;
        for t in tickets.values() {
            index.add(t);
        }
        // A replica (a workstation on a server) reads only: the server completes or undoes
        // half-done operations in its own store.
        if !desk.store.is_replica() {
            desk.recover()?;
        }
        Ok(desk)
    }

    /// How many half-done operations opening the desk completed or undid.
    pub fn recovered(&self) -> usize {
        self.recovered
    }

    fn recover(&mut self) -> Result<(), TicketError> {
        let undispatched: Vec<(TicketId, String)> = self
            .tickets
            .values()
            .filter(|t| t.status == TicketStatus::New && t.disposition == Disposition::Dispatch)
            .map(|t| (t.id, t.site.unit.clone()))
            .collect();
        for (id, unit) in undispatched {
            self.append(id, "gridcare", RECOVERY_REASON, TicketEvent::Dispatched { unit })?;
            self.recovered += 1;
        }
        let crews: Vec<(CrewId, TicketId, CrewStatus)> =
            self.crews.values().filter_map(|c| Some((c.id, c.ticket?, c.status))).collect();
        for (cid, tid, status) in crews {
            let ticket = self.tickets.get(&tid);
            let holds = ticket.is_some_and(|t| t.in_flight() && t.crew == Some(cid));
            if !holds {
                self.crew_event(cid, "gridcare", RECOVERY_REASON, CrewEvent::Released)?;
                self.recovered += 1;
            } else if let Some(t) = ticket.filter(|t| t.status == TicketStatus::OnSite) {
                if status == CrewStatus::EnRoute {
                    let at = t.site.pos;
                    self.crew_event(cid, "gridcare", RECOVERY_REASON, CrewEvent::Arrived { at })?;
                    self.recovered += 1;
                }
            }
        }
        Ok(())
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The service levels.
    pub fn policy(&self) -> &SlaPolicy {
        &self.policy
    }

    /// Now, on the store's clock.
    pub fn now_s(&self) -> i64 {
        self.store.now_s()
    }

    /// A ticket.
    pub fn ticket(&self, id: TicketId) -> Result<&Ticket, TicketError> {
        self.tickets.get(&id).ok_or(TicketError::NoTicket(id))
    }

    /// A crew.
    pub fn crew(&self, id: CrewId) -> Result<&Crew, TicketError> {
        self.crews.get(&id).ok_or(TicketError::NoCrew(id))
    }

    /// Every ticket, by id.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// Every crew, by id.
    pub fn crews(&self) -> impl Iterator<Item = &Crew> {
        self.crews.values()
    }

    /// The tickets merged into a master, by id.
    pub fn duplicates_of(&self, master: TicketId) -> Vec<&Ticket> {
        self.index
            .duplicates
            .get(&master)
            .into_iter()
            .flatten()
            .filter_map(|id| self.tickets.get(id))
            .collect()
    }

    /// [`merge_duplicate_repair`] over the desk's tickets, answered from its index: the
    /// outage's master in flight by outage, the masters whose device supplies a customer
    /// by walking up the customer's supply path (resolving each master's device name once
    /// per grid, not per call), a pin or device call by its device's name.
    pub fn merge_decision(
        &self,
        grid: &Grid,
        outages: &OutageBook,
        located: &Located,
    ) -> MergeDecision {
        let fault_outage = match covering_outage(outages, located) {
            Ok(o) => o,
            Err(explained) => return explained,
        };
        let first = |set: Option<&BTreeSet<TicketId>>| {
            set.and_then(|s| s.first()).and_then(|id| self.tickets.get(id))
        };
        if let Some(o) = fault_outage {
            return outage_decision(outages, o, first(self.index.by_outage.get(&o)));
        }
        let master = match located.customer {
            Some(c) => self.index.lowest_supplying(grid, c).and_then(|id| self.tickets.get(&id)),
            None => located.site.device.as_ref().and_then(|d| first(self.index.by_name.get(d))),
        };
        match master {
            Some(m) => master_decision(m),
            None => dispatch_decision(located),
        }
    }

    /// Re-reads tickets and crews from the store (another process changed them: a
    /// workstation's replica after a pull), keeping the indexes; the rest stays as read.
    pub fn reload(
        &mut self,
        tickets: impl IntoIterator<Item = TicketId>,
        crews: impl IntoIterator<Item = CrewId>,
    ) -> Result<(), TicketError> {
        for id in tickets {
            if let Some(e) = self.store.get::<Ticket>(id.0)? {
                self.put(e.state);
            }
        }
        for id in crews {
            if let Some(e) = self.store.get::<Crew>(id.0)? {
                self.crews.insert(id, e.state);
            }
        }
        Ok(())
    }

    /// Records a ticket's new state, keeping the indexes.
    fn put(&mut self, t: Ticket) {
        let id = t.id;
        if let Some(old) = self.tickets.insert(id, t) {
            self.index.remove(&old);
        }
        if let Some(t) = self.tickets.get(&id) {
            self.index.add(t);
        }
    }

    /// The work queue: master tickets in flight, the one whose next deadline is soonest
    /// first (breached ones lead).
    pub fn queue(&self) -> Vec<&Ticket> {
        let now = self.now_s();
        let mut q: Vec<(&Ticket, i64)> = self
            .tickets
            .values()
            .filter(|t| t.in_flight() && t.disposition == Disposition::Dispatch)
            .map(|t| (t, next_due(t, &self.policy, now).and_then(|c| c.due_s).unwrap_or(i64::MAX)))
            .collect();
        q.sort_by_key(|(t, due)| (*due, t.id));
        q.into_iter().map(|(t, _)| t).collect()
    }

    /// A ticket's SLA clocks now.
    pub fn clocks(&self, id: TicketId) -> Result<Vec<SlaClock>, TicketError> {
        Ok(sla_clocks(self.ticket(id)?, &self.policy, self.now_s()))
    }

    /// The tickets with a breached clock now (open or not), by id.
    pub fn breached(&self) -> Vec<&Ticket> {
        let now = self.now_s();
        self.tickets.values().filter(|t| is_breached(t, &self.policy, now)).collect()
    }

    /// A ticket's events, oldest first.
    pub fn history(&self, id: TicketId) -> Result<Vec<Recorded<TicketEvent>>, TicketError> {
        self.ticket(id)?;
        Ok(self.store.events::<Ticket>(id.0)?)
    }

    pub(super) fn append(
        &mut self,
        id: TicketId,
        author: &str,
        reason: &str,
        event: TicketEvent,
    ) -> Result<Ticket, TicketError> {
        self.ticket(id)?;
        let e = self.store.append::<Ticket>(id.0, author, reason, event)?;
        self.put(e.state.clone());
        Ok(e.state)
    }

    pub(super) fn crew_event(
        &mut self,
        id: CrewId,
        author: &str,
        reason: &str,
        event: CrewEvent,
    ) -> Result<Crew, TicketError> {
        self.crew(id)?;
        let e = self.store.append::<Crew>(id.0, author, reason, event)?;
        self.crews.insert(id, e.state.clone());
        Ok(e.state)
    }

    /// Takes a repair call (智能报修): locates it on the grid, applies
    /// [`merge_duplicate_repair`], records the ticket and — for a new fault — dispatches it
    /// at once to the unit that owns the feeder (直派到所, no hand-down). Each write is on
    /// disk before this returns.
    pub fn take_call(
        &mut self,
        grid: &Grid,
        outages: &OutageBook,
        call: RepairCall,
    ) -> Result<CallOutcome, TicketError> {
        let mut located = locate_call(grid, &call.caller)?;
        if let Some(p) = call.phone.as_ref().filter(|p| !p.trim().is_empty()) {
            located.site.phone = p.trim().to_string();
        }
        let decision = self.merge_decision(grid, outages, &located);
        let mut site: CallSite = located.site;
        site.device = decision.device.clone().or(site.device);
        let dispatch = decision.disposition == Disposition::Dispatch;
        if dispatch && site.unit.trim().is_empty() {
            return Err(TicketError::NotRepairable {
                device: site.device.clone().unwrap_or_default(),
                why: "no feeder supplies the site, so no unit owns it".into(),
            });
        }
        let unit = site.unit.clone();
        let description = if call.description.trim().is_empty() {
            "报修：停电".to_string()
        } else {
            call.description.trim().to_string()
        };
        let event = TicketEvent::Created {
            channel: call.channel,
            description,
            site: Box::new(site),
            fault_level: decision.level,
            disposition: decision.disposition,
            outage: decision.outage,
        };
        // A new fault is recorded and dispatched in one transaction: two events, as before
        // (the operator's record, GridCare's dispatch), one write to wait for.
        let why = format!("直派 {unit}: the unit that owns the feeder");
        let mut chain = vec![(call.author.as_str(), decision.why.as_str(), event)];
        if dispatch {
            chain.push(("gridcare", why.as_str(), TicketEvent::Dispatched { unit: unit.clone() }));
        }
        let created = self.store.create_chain::<Ticket>(&chain)?;
        let id = TicketId(created.id);
        self.put(created.state);
        let ticket = self.ticket(id)?.clone();
        let master = (!dispatch).then(|| self.master_info(&ticket, outages));
        Ok(CallOutcome { ticket, decision, master })
    }

    /// The master's progress for a merged or explained ticket (for a master, its own).
    pub fn master_info(&self, ticket: &Ticket, outages: &OutageBook) -> MasterInfo {
        let master = match ticket.disposition {
            Disposition::Merged { master } => self.tickets.get(&master),
            Disposition::Dispatch => Some(ticket),
            Disposition::Explained { .. } => None,
        };
        let outage = master.and_then(|m| m.outage).or(ticket.outage);
        let outage_etr = outage.and_then(|o| outages.get(o)).and_then(|o| o.etr_s);
        MasterInfo {
            master: master.map(|m| m.id),
            status: master.map(|m| m.status),
            outage,
            dispatched_s: master.and_then(|m| m.times.dispatched_s),
            crew: master
                .and_then(|m| m.crew)
                .and_then(|c| self.crews.get(&c))
                .map(|c| c.spec.name.clone()),
            eta_s: master.and_then(|m| m.eta_s),
            arrived_s: master.and_then(|m| m.times.on_site_s),
            etr_s: master.and_then(|m| m.etr_s).or(outage_etr),
            fault_type: master.map(|m| m.fault_type.clone()).unwrap_or_default(),
            cause: master.map(|m| m.cause.clone()).unwrap_or_default(),
            duplicates: master.map_or(0, |m| self.duplicates_of(m.id).len()),
        }
    }

    /// Sends a crew to a dispatched ticket: the named one, or the best free crew of the
    /// ticket's unit with the skill its fault level needs ([`best_crew`]). The ETA is the
    /// road-time estimate from the crew's position.
    pub fn send_crew(
        &mut self,
        id: TicketId,
        crew: Option<CrewId>,
        author: &str,
    ) -> Result<(Ticket, Crew), TicketError> {
        let t = self.ticket(id)?.clone();
        if t.disposition != Disposition::Dispatch {
            return Err(TicketError::Refused {
                id: id.0,
                message: "the ticket is merged into a master or explained by an outage; send \
                          the crew to the master"
                    .into(),
            });
        }
        let (c, travel_s) = match crew {
            Some(cid) => {
                let c = self.crew(cid)?;
                if c.status == CrewStatus::OffDuty {
                    return Err(TicketError::CrewRefused {
                        id: cid.0,
                        message: "the crew is off duty".into(),
                    });
                }
                if c.ticket.is_some_and(|x| x != id) {
                    return Err(TicketError::CrewRefused {
                        id: cid.0,
                        message: format!(
                            "the crew works on ticket {}; release it first",
                            c.ticket.map_or(0, |x| x.0)
                        ),
                    });
                }
                (c.clone(), travel_time_s(c.pos, t.site.pos, c.spec.speed_kmh))
            }
            None => match best_crew(self.crews.values(), &t.site.unit, t.fault_level, t.site.pos) {
                Some((c, s)) => (c.clone(), s),
                None => {
                    return Err(TicketError::NoFreeCrew {
                        ticket: id,
                        unit: t.site.unit.clone(),
                        skill: Skill::for_level(t.fault_level).as_str(),
                    })
                }
            },
        };
        let now = self.now_s();
        let eta_s = now + travel_s;
        let reason = format!(
            "{} sent, {:.1} km away",
            c.spec.name,
            c.pos.haversine_dist_m(&t.site.pos) / 1000.0
        );
        // A crew taken off another crew's ticket: release that one first.
        if let Some(prev) = t.crew.filter(|p| *p != c.id) {
            self.crew_event(prev, author, "replaced by another crew", CrewEvent::Released)?;
        }
        let crew = self.crew_event(
            c.id,
            author,
            &reason,
            CrewEvent::Sent { ticket: id, from: c.pos, eta_s },
        )?;
        let ticket =
            self.append(id, author, &reason, TicketEvent::CrewEnRoute { crew: c.id, eta_s })?;
        Ok((ticket, crew))
    }

    /// Records a step of a ticket. On site moves its crew there; restored and cancelled
    /// release the crew.
    pub fn step(
        &mut self,
        id: TicketId,
        step: TicketStep,
        author: &str,
        reason: &str,
    ) -> Result<Ticket, TicketError> {
        let t = self.ticket(id)?.clone();
        let event = match step {
            TicketStep::OnSite => TicketEvent::OnSite,
            TicketStep::Diagnosed { fault_type, cause, level, etr_s } => {
                TicketEvent::Diagnosed { fault_type, cause, fault_level: level, etr_s }
            }
            TicketStep::Restored => TicketEvent::Restored,
            TicketStep::Closed => TicketEvent::Closed,
            TicketStep::Callback { satisfied, note } => {
                TicketEvent::CallbackDone { satisfied, note }
            }
            TicketStep::Cancel => TicketEvent::Cancelled,
        };
        let crew_after = match (&event, t.crew) {
            (TicketEvent::OnSite, Some(c)) => Some((c, CrewEvent::Arrived { at: t.site.pos })),
            (TicketEvent::Restored | TicketEvent::Cancelled, Some(c))
                if self.crews.get(&c).is_some_and(|x| x.ticket == Some(id)) =>
            {
                Some((c, CrewEvent::Released))
            }
            _ => None,
        };
        let ticket = self.append(id, author, reason, event)?;
        if let Some((c, e)) = crew_after {
            self.crew_event(c, author, reason, e)?;
        }
        Ok(ticket)
    }

    /// Registers the crews a model starts with ([`super::default_crews`]: three per unit)
    /// when the desk has none; returns how many were registered.
    pub fn ensure_crews(&mut self, grid: &Grid, author: &str) -> Result<usize, TicketError> {
        if self.crews.is_empty() {
            for spec in super::default_crews(grid) {
                self.register_crew(spec, author)?;
            }
            return Ok(self.crews.len());
        }
        Ok(0)
    }

    /// Registers a crew.
    pub fn register_crew(&mut self, spec: CrewSpec, author: &str) -> Result<Crew, TicketError> {
        let e = self.store.create::<Crew>(author, "registered", CrewEvent::Registered(spec))?;
        self.crews.insert(e.state.id, e.state.clone());
        Ok(e.state)
    }

    /// Records a crew's position (an operator, or the AVL feed).
    pub fn move_crew(&mut self, id: CrewId, at: LonLat, author: &str) -> Result<Crew, TicketError> {
        if !at.is_valid() {
            return Err(TicketError::BadPosition { at });
        }
        self.crew_event(id, author, "position", CrewEvent::Moved { at })
    }

    /// Puts a crew on or off duty.
    pub fn set_on_duty(&mut self, id: CrewId, on: bool, author: &str) -> Result<Crew, TicketError> {
        self.crew_event(
            id,
            author,
            if on { "on duty" } else { "off duty" },
            CrewEvent::OnDuty { on },
        )
    }

    /// The customer a ticket was called in by, in `grid`.
    pub fn caller_of(&self, grid: &Grid, id: TicketId) -> Option<CustomerId> {
        let account = self.tickets.get(&id)?.site.account.as_deref()?;
        match grid.resolve(account) {
            Ok(crate::model::DeviceRef::Customer(c)) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "desk_tests.rs"]
mod tests;
