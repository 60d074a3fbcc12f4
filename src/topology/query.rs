//! Questions asked of the radial index: what is downstream, what loses supply, what feeds whom.

use std::borrow::Cow;
use std::collections::VecDeque;

use petgraph::unionfind::UnionFind;
use serde::Serialize;

use super::network::EdgeIdx;
use super::radial::{Topology, NONE};
use crate::model::{
    BusId, CustomerId, DeviceRef, ElementRef, FeederId, GridModel, SwitchId, TransformerId,
};

/// The part of a feeder below a device: a contiguous range of its radial tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subtree {
    /// The feeder.
    pub feeder: FeederId,
    /// First pre-order position (the bus just below the device).
    pub start: u32,
    /// One past the last position.
    pub end: u32,
}

/// Customers that lose supply when a device opens.
#[derive(Clone, Debug, PartialEq)]
pub struct Affected<'a> {
    /// The customers, in feeder pre-order (a borrowed slice in the radial case).
    pub customers: Cow<'a, [CustomerId]>,
    /// The feeder the device is on, if energised.
    pub feeder: Option<FeederId>,
    /// True when a closed loop around the device was checked with a full search; false when
    /// the radial slice was exact on its own.
    pub checked_loops: bool,
}

/// How a customer is supplied: substation → feeder → devices → transformer → customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupplyPath {
    /// The feeder.
    pub feeder: FeederId,
    /// Elements from the feeder source down to the customer's bus.
    pub elements: Vec<ElementRef>,
    /// The switching devices on that path, source first (including fuses on lines).
    pub switches: Vec<SwitchId>,
    /// The nearest distribution transformer above the customer, if any on the path.
    pub transformer: Option<TransformerId>,
    /// Buses from the source to the customer.
    pub buses: Vec<BusId>,
}

/// A closed device that makes a loop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoopReport {
    /// The element closing the loop.
    pub element: ElementRef,
    /// The feeder that met it.
    pub feeder: FeederId,
    /// The feeder on its other end when the loop joins two feeders (a parallel).
    pub other_feeder: Option<FeederId>,
    /// Normally-open switches (ties) closed now on the loop: the likely cause, and what to
    /// open to make the network radial again.
    pub closed_ties: Vec<SwitchId>,
}

/// A set of buses connected to each other but to no source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Island {
    /// Number of buses.
    pub buses: usize,
    /// Number of customers on them.
    pub customers: usize,
    /// One bus of the island, to find it.
    pub example_bus: BusId,
}

/// Loops and islands found in the current state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TopologyReport {
    /// Energised buses.
    pub energised_buses: usize,
    /// Energised customers.
    pub energised_customers: usize,
    /// Closed devices that close a loop (a mesh, or a parallel between feeders).
    pub loops: Vec<LoopReport>,
    /// Elements in parallel with another element between the same two buses (single-phase
    /// regulator banks, per-phase capacitor leads): one branch at bus level, not a mesh.
    pub parallel_units: Vec<ElementRef>,
    /// De-energised islands, largest first.
    pub islands: Vec<Island>,
}

impl Topology {
    /// The feeder supplying a bus now, `None` when de-energised.
    pub fn feeder_of(&self, bus: BusId) -> Option<FeederId> {
        match self.bus_feeder.get(bus.index()) {
            Some(&f) if f != NONE => Some(FeederId(f)),
            _ => None,
        }
    }

    /// True when the bus is supplied now.
    pub fn is_energised(&self, bus: BusId) -> bool {
        self.feeder_of(bus).is_some()
    }

    /// The parent edge of a bus in the radial tree (`None` for sources and dead buses).
    pub fn parent_edge(&self, bus: BusId) -> Option<EdgeIdx> {
        match self.bus_parent_edge.get(bus.index()) {
            Some(&e) if e != NONE => Some(e),
            _ => None,
        }
    }

    /// The subtree hanging below a bus.
    pub fn subtree_at_bus(&self, bus: BusId) -> Option<Subtree> {
        let f = self.feeder_of(bus)?;
        let p = self.bus_pre[bus.index()];
        Some(Subtree { feeder: f, start: p, end: self.trees[f.index()].subtree_end[p as usize] })
    }

    /// The subtree below a branch element: empty (`None`) when the element carries no power
    /// now (open, de-energised, or closing a loop).
    pub fn subtree_below(&self, element: ElementRef) -> Option<Subtree> {
        let e = self.net.edge_of(element)?;
        let edge = &self.net.edges[e as usize];
        let child = if self.bus_parent_edge[edge.b.index()] == e {
            edge.b
        } else if self.bus_parent_edge[edge.a.index()] == e {
            edge.a
        } else {
            return None;
        };
        self.subtree_at_bus(child)
    }

    /// The subtree of any device (a feeder: its whole tree; a customer: none).
    pub fn subtree_of(&self, device: DeviceRef) -> Option<Subtree> {
        match device {
            DeviceRef::Element(el) => self.subtree_below(el),
            DeviceRef::Feeder(f) => {
                let tree = self.trees.get(f.index())?;
                (!tree.order.is_empty()).then_some(Subtree {
                    feeder: f,
                    start: 0,
                    end: tree.order.len() as u32,
                })
            }
            DeviceRef::Bus(b) => self.subtree_at_bus(b),
            DeviceRef::Substation(_) | DeviceRef::Customer(_) => None,
        }
    }

    /// Buses of a subtree.
    pub fn subtree_buses(&self, s: Subtree) -> &[BusId] {
        &self.trees[s.feeder.index()].order[s.start as usize..s.end as usize]
    }

    /// Customers of a subtree: a slice, no search.
    pub fn subtree_customers(&self, s: Subtree) -> &[CustomerId] {
        let t = &self.trees[s.feeder.index()];
        &t.customers
            [t.customer_start[s.start as usize] as usize..t.customer_start[s.end as usize] as usize]
    }

    /// Customers that lose supply if `device` opens (a substation: all its feeders; a
    /// customer: that customer). In the radial case this is a slice of the index; when a
    /// closed loop crosses the subtree's boundary the answer is checked by a full search.
    pub fn affected_customers(&self, model: &GridModel, device: DeviceRef) -> Affected<'_> {
        match device {
            DeviceRef::Customer(c) => {
                let energised =
                    model.customers.get(c.index()).is_some_and(|cu| self.is_energised(cu.bus));
                let feeder = model.customers.get(c.index()).and_then(|cu| self.feeder_of(cu.bus));
                Affected {
                    customers: if energised { Cow::Owned(vec![c]) } else { Cow::Owned(vec![]) },
                    feeder,
                    checked_loops: false,
                }
            }
            DeviceRef::Substation(s) => {
                let mut all = Vec::new();
                for (i, f) in model.feeders.iter().enumerate() {
                    if f.substation == s {
                        let fid = FeederId(i as u32);
                        if let Some(st) = self.subtree_of(DeviceRef::Feeder(fid)) {
                            all.extend_from_slice(self.subtree_customers(st));
                        }
                    }
                }
                Affected { customers: Cow::Owned(all), feeder: None, checked_loops: false }
            }
            _ => {
                let Some(st) = self.subtree_of(device) else {
                    return Affected {
                        customers: Cow::Borrowed(&[]),
                        feeder: None,
                        checked_loops: false,
                    };
                };
                let slice = self.subtree_customers(st);
                if !self.loop_crosses(st) {
                    return Affected {
                        customers: Cow::Borrowed(slice),
                        feeder: Some(st.feeder),
                        checked_loops: false,
                    };
                }
                let blocked: Vec<EdgeIdx> = match device {
                    DeviceRef::Element(el) => self.net.edge_of(el).into_iter().collect(),
                    DeviceRef::Bus(b) => self.net.neighbours(b).iter().map(|(e, _)| *e).collect(),
                    DeviceRef::Feeder(_) => {
                        let src = self.trees[st.feeder.index()].order[0];
                        self.net.neighbours(src).iter().map(|(e, _)| *e).collect()
                    }
                    _ => Vec::new(),
                };
                let supplied = self.supplied_without(&blocked);
                let lost: Vec<CustomerId> = slice
                    .iter()
                    .copied()
                    .filter(|c| !supplied[model.customers[c.index()].bus.index()])
                    .collect();
                Affected {
                    customers: Cow::Owned(lost),
                    feeder: Some(st.feeder),
                    checked_loops: true,
                }
            }
        }
    }

    /// Whether opening `device` cuts `customer`: the same answer as
    /// `affected_customers(model, device).customers.contains(&customer)`, in constant time in
    /// the radial case (the customer's bus inside the device's pre-order range); with a closed
    /// loop across the subtree it falls back to [`Topology::affected_customers`].
    ///
    /// # Examples
    /// ```
    /// use gridcare::model::DeviceRef;
    /// use gridcare::sim::{sample_grid, SampleFeeders};
    /// let grid = sample_grid(&SampleFeeders::default());
    /// let fuse = grid.resolve("fuse.f1-l2").unwrap();
    /// let inside = match grid.resolve("load.f1-l2-t1-c1").unwrap() { DeviceRef::Customer(c) => c, _ => unreachable!() };
    /// let outside = match grid.resolve("load.f2-l1-t1-c3").unwrap() { DeviceRef::Customer(c) => c, _ => unreachable!() };
    /// assert!(grid.topology.cuts(&grid.model, fuse, inside));
    /// assert!(!grid.topology.cuts(&grid.model, fuse, outside));
    /// ```
    pub fn cuts(&self, model: &GridModel, device: DeviceRef, customer: CustomerId) -> bool {
        let Some(cu) = model.customers.get(customer.index()) else { return false };
        match device {
            DeviceRef::Element(_) | DeviceRef::Feeder(_) | DeviceRef::Bus(_) => {
                let Some(st) = self.subtree_of(device) else { return false };
                if self.loop_crosses(st) {
                    return self.affected_customers(model, device).customers.contains(&customer);
                }
                let b = cu.bus.index();
                self.bus_feeder[b] == st.feeder.0 && {
                    let p = self.bus_pre[b];
                    p >= st.start && p < st.end
                }
            }
            _ => self.affected_customers(model, device).customers.contains(&customer),
        }
    }

    /// Whether any loop-closing edge has exactly one end inside the subtree.
    fn loop_crosses(&self, s: Subtree) -> bool {
        let inside = |b: BusId| {
            self.bus_feeder[b.index()] == s.feeder.0 && {
                let p = self.bus_pre[b.index()];
                p >= s.start && p < s.end
            }
        };
        self.loop_edges.iter().any(|&e| {
            let edge = &self.net.edges[e as usize];
            inside(edge.a) != inside(edge.b)
        })
    }

    /// Reference search: which buses are supplied from any feeder source when the `blocked`
    /// edges are removed too (breadth-first over conducting edges; no index used).
    pub fn supplied_without(&self, blocked: &[EdgeIdx]) -> Vec<bool> {
        let n = self.net.bus_count();
        let mut seen = vec![false; n];
        let mut queue: VecDeque<BusId> = VecDeque::new();
        for &src in &self.feeder_source {
            if src.index() < n && !seen[src.index()] {
                seen[src.index()] = true;
                queue.push_back(src);
            }
        }
        while let Some(b) = queue.pop_front() {
            for &(e, next) in self.net.neighbours(b) {
                if !seen[next.index()] && self.conducts(e) && !blocked.contains(&e) {
                    seen[next.index()] = true;
                    queue.push_back(next);
                }
            }
        }
        seen
    }

    /// Edges from a bus up to its feeder source, nearest first. `None` when de-energised.
    pub fn path_to_source(&self, bus: BusId) -> Option<Vec<EdgeIdx>> {
        self.feeder_of(bus)?;
        let mut path = Vec::new();
        let mut at = bus;
        while let Some(e) = self.parent_edge(at) {
            path.push(e);
            at = self.net.edges[e as usize].other(at);
        }
        Some(path)
    }

    /// The supply path of a bus: source → … → bus.
    pub fn supply_path(&self, model: &GridModel, bus: BusId) -> Option<SupplyPath> {
        let feeder = self.feeder_of(bus)?;
        let mut edges = self.path_to_source(bus)?;
        edges.reverse();
        let mut buses = vec![self.feeder_source[feeder.index()]];
        let mut elements = Vec::with_capacity(edges.len());
        let mut switches = Vec::new();
        let mut transformer = None;
        for e in edges {
            let edge = &self.net.edges[e as usize];
            let last = *buses.last().unwrap_or(&edge.a);
            buses.push(edge.other(last));
            elements.push(edge.element);
            switches.extend(edge.gates.iter().flatten().copied());
            if let ElementRef::Transformer(t) = edge.element {
                if model.transformers[t.index()].kind.is_distribution() {
                    transformer = Some(t);
                }
            }
        }
        Some(SupplyPath { feeder, elements, switches, transformer, buses })
    }

    /// Edges below a device: every edge with an end inside its subtree except the one above
    /// it (open ties at the edge of the area included), in pre-order.
    pub fn downstream_edges(&self, device: DeviceRef) -> Vec<EdgeIdx> {
        let Some(st) = self.subtree_of(device) else { return Vec::new() };
        let buses = self.subtree_buses(st);
        let above = buses.first().and_then(|b| self.parent_edge(*b));
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for &b in buses {
            for &(e, _) in self.net.neighbours(b) {
                if Some(e) != above && seen.insert(e) {
                    out.push(e);
                }
            }
        }
        out
    }

    /// Elements below a device (see [`Topology::downstream_edges`]).
    pub fn downstream_elements(&self, device: DeviceRef) -> Vec<ElementRef> {
        self.downstream_edges(device)
            .into_iter()
            .map(|e| self.net.edges[e as usize].element)
            .collect()
    }

    /// Switching devices below a device (fuses on lines included), in pre-order.
    pub fn downstream_switches(&self, device: DeviceRef) -> Vec<SwitchId> {
        self.downstream_edges(device)
            .into_iter()
            .flat_map(|e| self.net.edges[e as usize].gates.into_iter().flatten())
            .collect()
    }

    /// Whether a loop-closing edge runs beside the tree edge between the same two buses.
    fn is_parallel_unit(&self, e: EdgeIdx) -> bool {
        let edge = &self.net.edges[e as usize];
        [(edge.a, edge.b), (edge.b, edge.a)].iter().any(|&(child, parent)| {
            self.parent_edge(child)
                .is_some_and(|p| p != e && self.net.edges[p as usize].other(child) == parent)
        })
    }

    /// Loops and de-energised islands in the current state.
    pub fn report(&self) -> TopologyReport {
        let mut loops = Vec::new();
        let mut parallel_units = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (f, t) in self.trees.iter().enumerate() {
            for &e in &t.loop_edges {
                if !seen.insert(e) {
                    continue;
                }
                let edge = &self.net.edges[e as usize];
                if self.is_parallel_unit(e) {
                    parallel_units.push(edge.element);
                    continue;
                }
                let fa = self.bus_feeder[edge.a.index()];
                let fb = self.bus_feeder[edge.b.index()];
                let other = if fa != fb {
                    Some(FeederId(if fa == f as u32 { fb } else { fa }))
                } else {
                    None
                };
                let mut closed_ties: Vec<SwitchId> = Vec::new();
                let mut on_loop = vec![e];
                for end in [edge.a, edge.b] {
                    let mut at = end;
                    while let Some(up) = self.parent_edge(at) {
                        on_loop.push(up);
                        at = self.net.edges[up as usize].other(at);
                    }
                }
                for x in on_loop {
                    for s in self.net.edges[x as usize].gates.iter().flatten() {
                        let tie_closed = self.normally_open[s.index()] && !self.open[s.index()];
                        if tie_closed && !closed_ties.contains(s) {
                            closed_ties.push(*s);
                        }
                    }
                }
                loops.push(LoopReport {
                    element: edge.element,
                    feeder: FeederId(f as u32),
                    other_feeder: other,
                    closed_ties,
                });
            }
        }
        let n = self.net.bus_count();
        let mut uf = UnionFind::<usize>::new(n);
        for (i, edge) in self.net.edges.iter().enumerate() {
            if self.conducts(i as EdgeIdx)
                && !self.is_energised(edge.a)
                && !self.is_energised(edge.b)
            {
                uf.union(edge.a.index(), edge.b.index());
            }
        }
        let mut groups: std::collections::BTreeMap<usize, Island> =
            std::collections::BTreeMap::new();
        let mut energised_buses = 0;
        let mut energised_customers = 0;
        for b in 0..n {
            let bus = BusId(b as u32);
            let customers = self.customers_at(bus).len();
            if self.is_energised(bus) {
                energised_buses += 1;
                energised_customers += customers;
                continue;
            }
            let g = groups.entry(uf.find(b)).or_insert(Island {
                buses: 0,
                customers: 0,
                example_bus: bus,
            });
            g.buses += 1;
            g.customers += customers;
        }
        let mut islands: Vec<Island> = groups.into_values().collect();
        islands.sort_by(|a, b| b.buses.cmp(&a.buses).then(a.example_bus.cmp(&b.example_bus)));
        TopologyReport { energised_buses, energised_customers, loops, parallel_units, islands }
    }
}
