//! The protective devices of a model and the customers each one clears: the hypotheses of
//! trouble-call grouping.
//!
//! A fault is cleared by the nearest protective device above it, so an outage is always "the
//! customers below one protective device". The protective devices are
//!
//! * every closed switch of kind breaker, recloser or fuse ([`SwitchKind::is_protective`]),
//!   fuses mounted on a line included;
//! * every closed **sectionaliser**: in the 10 kV feeder automation used in China
//!   (voltage–time / 电压时间型 and the recloser–sectionaliser schemes) a sectionalising switch
//!   opens in the dead time of the upstream recloser or breaker and isolates the faulted
//!   section, so the customers out after the reclose are exactly those below it;
//! * every distribution transformer (public or dedicated): its drop-out fuse;
//! * the head of every feeder that has no breaker (an OpenDSS feeder starts at its source).
//!
//! The index is a snapshot of the switch states it was built from; rebuild it after switching.

use serde::{Deserialize, Serialize};

use crate::grid::Grid;
use crate::model::{
    CustomerId, DeviceRef, ElementRef, FeederId, GridModel, SwitchId, SwitchKind, TransformerId,
};

/// A device that clears a fault by itself and so bounds an outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProtectiveDevice {
    /// A breaker, recloser, sectionaliser or fuse.
    Switch(SwitchId),
    /// The drop-out fuse of a distribution transformer.
    Transformer(TransformerId),
    /// The source of a feeder without a breaker, standing for its breaker.
    FeederHead(FeederId),
}

impl ProtectiveDevice {
    /// The external id of the device (`fuse.ln6201670-1`, `transformer.t5`, `feeder.x`).
    pub fn name(self, model: &GridModel) -> &str {
        match self {
            ProtectiveDevice::Switch(s) => &model.switches[s.index()].name,
            ProtectiveDevice::Transformer(t) => &model.transformers[t.index()].name,
            ProtectiveDevice::FeederHead(f) => &model.feeders[f.index()].name,
        }
    }
}

/// What role a protective device plays: the prior of the likelihood and the fault mix of the
/// simulator are given per role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProtectionKind {
    /// The feeder breaker (出线断路器), or the head of a feeder without one.
    FeederBreaker,
    /// A recloser (重合器).
    Recloser,
    /// A sectionalising switch (分段开关).
    Sectionaliser,
    /// A fuse on a lateral (分支熔断器).
    LateralFuse,
    /// The drop-out fuse of a distribution transformer (配变跌落式熔断器).
    TransformerFuse,
}

impl ProtectionKind {
    /// Every kind, upstream first.
    pub const ALL: [ProtectionKind; 5] = [
        ProtectionKind::FeederBreaker,
        ProtectionKind::Recloser,
        ProtectionKind::Sectionaliser,
        ProtectionKind::LateralFuse,
        ProtectionKind::TransformerFuse,
    ];

    /// The position in [`ProtectionKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtectionKind::FeederBreaker => "breaker",
            ProtectionKind::Recloser => "recloser",
            ProtectionKind::Sectionaliser => "sectionaliser",
            ProtectionKind::LateralFuse => "lateral fuse",
            ProtectionKind::TransformerFuse => "transformer fuse",
        }
    }
}

/// One protective device with the part of the feeder it clears.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtectionZone {
    /// The device.
    pub device: ProtectiveDevice,
    /// Its role.
    pub kind: ProtectionKind,
    /// The feeder it is on.
    pub feeder: FeederId,
    /// The nearest protective device above it (a zone index), `None` at the feeder head.
    pub parent: Option<usize>,
    /// True when a protective device below it clears exactly the same customers (a recloser
    /// followed by a fuse with nothing between): calls cannot tell the two apart, and the lower
    /// one stands for both.
    pub shadowed: bool,
    bus_start: u32,
    bus_end: u32,
    cust_start: u32,
    cust_end: u32,
}

impl ProtectionZone {
    /// Number of customers that lose supply when it opens.
    pub fn customer_count(&self) -> usize {
        (self.cust_end - self.cust_start) as usize
    }
}

const NONE: u32 = u32::MAX;

/// Every protective device of a model with the customers it clears and the device hierarchy,
/// built once from the radial index.
///
/// Zones are ordered feeder by feeder in the DFS pre-order of the topology, a device before
/// the devices below it, so each zone's customers are one slice and "is customer c below
/// device d" is a range test.
///
/// # Examples
/// ```
/// use gridcare::outage::{ProtectionIndex, ProtectionKind};
/// let grid = gridcare::sim::sample_grid(&gridcare::sim::SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// // the breaker clears every customer of its feeder
/// let breaker = index.zones().iter().find(|z| z.kind == ProtectionKind::FeederBreaker).unwrap();
/// assert_eq!(breaker.customer_count(), grid.model.customers.len() / 2);
/// // a customer's chain runs from its transformer fuse up to its breaker
/// let chain: Vec<ProtectionKind> =
///     index.chain(gridcare::model::CustomerId(0)).map(|z| index.zones()[z].kind).collect();
/// assert_eq!(chain.first(), Some(&ProtectionKind::TransformerFuse));
/// assert_eq!(chain.last(), Some(&ProtectionKind::FeederBreaker));
/// ```
#[derive(Clone, Debug)]
pub struct ProtectionIndex {
    zones: Vec<ProtectionZone>,
    by_device: rustc_hash::FxHashMap<ProtectiveDevice, u32>,
    /// Customers of every feeder in pre-order, feeders one after the other.
    customers: Vec<CustomerId>,
    /// Per customer: its position in `customers` (`NONE`: not supplied).
    position: Vec<u32>,
    /// Per customer: the lowest zone above it (`NONE`: none).
    lowest: Vec<u32>,
    kind_counts: [[usize; 2]; 5],
}

impl ProtectionIndex {
    /// Finds the protective devices of the grid in its current switch states (see the module
    /// documentation for which devices count).
    pub fn build(grid: &Grid) -> ProtectionIndex {
        let (model, topo) = (&grid.model, &grid.topology);
        let mut found: Vec<(ProtectiveDevice, ProtectionKind, FeederId, u32, u32)> = Vec::new();
        let mut add = |device: ProtectiveDevice, kind: ProtectionKind, el: DeviceRef| {
            if let Some(st) = topo.subtree_of(el) {
                found.push((device, kind, st.feeder, st.start, st.end));
            }
        };
        for (i, s) in model.switches.iter().enumerate() {
            let id = SwitchId(i as u32);
            let kind = match s.kind {
                SwitchKind::Breaker => ProtectionKind::FeederBreaker,
                SwitchKind::Recloser => ProtectionKind::Recloser,
                SwitchKind::Sectionaliser => ProtectionKind::Sectionaliser,
                SwitchKind::Fuse => ProtectionKind::LateralFuse,
                SwitchKind::Tie | SwitchKind::Disconnector => continue,
            };
            if topo.is_open(id) {
                continue;
            }
            let element = match topo.network().switch_edge.get(i).copied().flatten() {
                Some(e) => topo.network().edges[e as usize].element,
                None => continue,
            };
            add(ProtectiveDevice::Switch(id), kind, DeviceRef::Element(element));
        }
        for (i, t) in model.transformers.iter().enumerate() {
            if t.kind.is_distribution() {
                let id = TransformerId(i as u32);
                add(
                    ProtectiveDevice::Transformer(id),
                    ProtectionKind::TransformerFuse,
                    DeviceRef::Element(ElementRef::Transformer(id)),
                );
            }
        }
        let mut has_breaker = vec![false; model.feeders.len()];
        for (_, kind, feeder, _, _) in &found {
            if *kind == ProtectionKind::FeederBreaker {
                has_breaker[feeder.index()] = true;
            }
        }
        for (f, _) in has_breaker.iter().enumerate().filter(|(_, has)| !**has) {
            let id = FeederId(f as u32);
            if let Some(st) = topo.subtree_of(DeviceRef::Feeder(id)) {
                let head = ProtectiveDevice::FeederHead(id);
                found.push((head, ProtectionKind::FeederBreaker, id, st.start, st.end));
            }
        }
        // Outer before inner; on one edge (two gates on a line) the upstream kind first.
        found.sort_by_key(|&(d, k, f, s, e)| (f, s, std::cmp::Reverse(e), k, d));

        let mut feeder_offset = vec![0u32; model.feeders.len() + 1];
        for f in 0..model.feeders.len() {
            let n = topo.feeder_tree(FeederId(f as u32)).customers.len() as u32;
            feeder_offset[f + 1] = feeder_offset[f] + n;
        }
        let mut customers = Vec::with_capacity(feeder_offset[model.feeders.len()] as usize);
        let mut position = vec![NONE; model.customers.len()];
        for f in 0..model.feeders.len() {
            for &c in &topo.feeder_tree(FeederId(f as u32)).customers {
                position[c.index()] = customers.len() as u32;
                customers.push(c);
            }
        }

        let mut zones: Vec<ProtectionZone> = Vec::with_capacity(found.len());
        let mut stack: Vec<usize> = Vec::new();
        for (device, kind, feeder, bus_start, bus_end) in found {
            while let Some(&top) = stack.last() {
                let t = &zones[top];
                if t.feeder == feeder && bus_start < t.bus_end {
                    break;
                }
                stack.pop();
            }
            let tree = topo.feeder_tree(feeder);
            let off = feeder_offset[feeder.index()];
            zones.push(ProtectionZone {
                device,
                kind,
                feeder,
                parent: stack.last().copied(),
                shadowed: false,
                bus_start,
                bus_end,
                cust_start: off + tree.customer_start[bus_start as usize],
                cust_end: off + tree.customer_start[bus_end as usize],
            });
            stack.push(zones.len() - 1);
        }
        for z in 0..zones.len() {
            if let Some(p) = zones[z].parent {
                let n = zones[z].customer_count();
                if n > 0 && n == zones[p].customer_count() {
                    zones[p].shadowed = true;
                }
            }
        }
        let mut lowest = vec![NONE; model.customers.len()];
        for (z, zone) in zones.iter().enumerate() {
            for &c in &customers[zone.cust_start as usize..zone.cust_end as usize] {
                lowest[c.index()] = z as u32;
            }
        }
        let mut kind_counts = [[0; 2]; 5];
        for z in zones.iter().filter(|z| !z.shadowed && z.customer_count() > 0) {
            kind_counts[z.kind.index()][usize::from(z.customer_count() == 1)] += 1;
        }
        let by_device = zones.iter().enumerate().map(|(i, z)| (z.device, i as u32)).collect();
        ProtectionIndex { zones, by_device, customers, position, lowest, kind_counts }
    }

    /// All zones, outer before inner, feeder by feeder.
    pub fn zones(&self) -> &[ProtectionZone] {
        &self.zones
    }

    /// The zone of a device, `None` when it is not a protective device in service.
    pub fn zone_of(&self, device: ProtectiveDevice) -> Option<usize> {
        self.by_device.get(&device).map(|&z| z as usize)
    }

    /// The customers a zone clears, in feeder pre-order.
    pub fn customers(&self, zone: usize) -> &[CustomerId] {
        let z = &self.zones[zone];
        &self.customers[z.cust_start as usize..z.cust_end as usize]
    }

    /// The lowest protective device above a customer (`None`: not supplied, or no device).
    pub fn lowest_zone(&self, customer: CustomerId) -> Option<usize> {
        match self.lowest.get(customer.index()) {
            Some(&z) if z != NONE => Some(z as usize),
            _ => None,
        }
    }

    /// The zones above a customer, lowest first, up to its feeder breaker.
    pub fn chain(&self, customer: CustomerId) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.lowest_zone(customer), move |&z| self.zones[z].parent)
    }

    /// Whether the customer loses supply when the zone's device opens.
    pub fn covers(&self, zone: usize, customer: CustomerId) -> bool {
        let z = &self.zones[zone];
        match self.position.get(customer.index()) {
            Some(&p) if p != NONE => z.cust_start <= p && p < z.cust_end,
            _ => false,
        }
    }

    /// Whether `upper` is `lower` or above it.
    pub fn contains(&self, upper: usize, lower: usize) -> bool {
        let (u, l) = (&self.zones[upper], &self.zones[lower]);
        u.feeder == l.feeder && u.bus_start <= l.bus_start && l.bus_end <= u.bus_end
    }

    /// Whether one of the two zones contains the other (their outages overlap).
    pub fn nested(&self, a: usize, b: usize) -> bool {
        self.contains(a, b) || self.contains(b, a)
    }

    /// Number of zones of each kind that can be a hypothesis (not shadowed, with customers),
    /// indexed by [`ProtectionKind::index`]: `[cutting several customers, cutting one]`.
    pub fn kind_counts(&self) -> [[usize; 2]; 5] {
        self.kind_counts
    }

    /// Every supplied customer, feeder by feeder in pre-order.
    pub fn supplied_customers(&self) -> &[CustomerId] {
        &self.customers
    }

    /// Number of supplied customers.
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }
}
