//! The radial index: from switch states, each energised bus's feeder, parent edge and DFS
//! pre-order position, so that everything downstream of a device is one contiguous range.

use std::collections::BTreeSet;

use super::network::{EdgeIdx, Network};
use crate::model::{BusId, CustomerId, FeederId, GridModel, SwitchId};

pub(crate) const NONE: u32 = u32::MAX;

/// One feeder's radial tree, in DFS pre-order from its source bus.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeederTree {
    /// Buses in pre-order; `order[0]` is the source bus (when the feeder is energised).
    pub order: Vec<BusId>,
    /// For the bus at pre-order position `p`, its subtree is `order[p..subtree_end[p]]`.
    pub subtree_end: Vec<u32>,
    /// Customers in the pre-order of their buses.
    pub customers: Vec<CustomerId>,
    /// `customers[customer_start[p]..customer_start[q]]` are the customers of `order[p..q]`;
    /// one longer than `order`.
    pub customer_start: Vec<u32>,
    /// Closed edges met that close a loop (inside this feeder or towards another feeder).
    pub loop_edges: Vec<EdgeIdx>,
}

/// Switch states plus the radial forest derived from them.
#[derive(Clone, Debug)]
pub struct Topology {
    pub(crate) net: Network,
    /// Current state of every switch: true = open.
    pub(crate) open: Vec<bool>,
    /// Normal state of every switch (ties are normally open).
    pub(crate) normally_open: Vec<bool>,
    pub(crate) feeder_source: Vec<BusId>,
    pub(crate) bus_feeder: Vec<u32>,
    pub(crate) bus_pre: Vec<u32>,
    pub(crate) bus_parent_edge: Vec<u32>,
    pub(crate) trees: Vec<FeederTree>,
    /// Loop-closing edges of every tree, gathered after each derivation (usually none).
    pub(crate) loop_edges: Vec<EdgeIdx>,
    customer_bus_start: Vec<u32>,
    customer_by_bus: Vec<CustomerId>,
}

/// What a switch operation changed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SwitchChange {
    /// The feeders whose radial trees were derived again (sorted).
    pub rederived_feeders: Vec<FeederId>,
}

impl Topology {
    /// Builds the network and derives the radial forest for the normal switch states.
    pub fn new(model: &GridModel) -> Topology {
        let net = Network::build(model);
        let n = net.bus_count();
        let open: Vec<bool> = model.switches.iter().map(|s| s.normally_open).collect();
        let mut count = vec![0u32; n + 1];
        for c in &model.customers {
            count[c.bus.index()] += 1;
        }
        let mut customer_bus_start = vec![0u32; n + 1];
        for i in 0..n {
            customer_bus_start[i + 1] = customer_bus_start[i] + count[i];
        }
        let mut fill = customer_bus_start.clone();
        let mut customer_by_bus = vec![CustomerId(0); model.customers.len()];
        for (i, c) in model.customers.iter().enumerate() {
            customer_by_bus[fill[c.bus.index()] as usize] = CustomerId(i as u32);
            fill[c.bus.index()] += 1;
        }
        let mut topo = Topology {
            net,
            normally_open: open.clone(),
            open,
            feeder_source: model.feeders.iter().map(|f| f.source_bus).collect(),
            bus_feeder: vec![NONE; n],
            bus_pre: vec![NONE; n],
            bus_parent_edge: vec![NONE; n],
            trees: vec![FeederTree::default(); model.feeders.len()],
            loop_edges: Vec::new(),
            customer_bus_start,
            customer_by_bus,
        };
        let all: BTreeSet<u32> = (0..model.feeders.len() as u32).collect();
        topo.rederive(all);
        topo
    }

    /// The network graph.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// True when the switch is open now.
    pub fn is_open(&self, switch: SwitchId) -> bool {
        self.open.get(switch.index()).copied().unwrap_or(false)
    }

    /// Current switch states (true = open), indexed by [`SwitchId`].
    pub fn switch_states(&self) -> &[bool] {
        &self.open
    }

    /// The radial tree of a feeder.
    pub fn feeder_tree(&self, feeder: FeederId) -> &FeederTree {
        &self.trees[feeder.index()]
    }

    /// Customers connected at a bus.
    pub fn customers_at(&self, bus: BusId) -> &[CustomerId] {
        let i = bus.index();
        &self.customer_by_bus
            [self.customer_bus_start[i] as usize..self.customer_bus_start[i + 1] as usize]
    }

    /// Whether an edge conducts with the current switch states.
    #[inline]
    pub(crate) fn conducts(&self, e: EdgeIdx) -> bool {
        let edge = &self.net.edges[e as usize];
        edge.in_service && edge.gates.iter().flatten().all(|s| !self.open[s.index()])
    }

    /// Opens or closes a switch and re-derives only the feeders it touches: the feeders on
    /// either side, and any feeder that meets them through closed devices.
    pub fn set_switch(&mut self, switch: SwitchId, open: bool) -> SwitchChange {
        let Some(slot) = self.open.get_mut(switch.index()) else {
            return SwitchChange::default();
        };
        if *slot == open {
            return SwitchChange::default();
        }
        *slot = open;
        let Some(e) = self.net.switch_edge[switch.index()] else {
            return SwitchChange::default();
        };
        let edge = &self.net.edges[e as usize];
        let touched: BTreeSet<u32> =
            [self.bus_feeder[edge.a.index()], self.bus_feeder[edge.b.index()]]
                .into_iter()
                .filter(|f| *f != NONE)
                .collect();
        if touched.is_empty() {
            return SwitchChange::default();
        }
        let done = self.rederive(touched);
        SwitchChange { rederived_feeders: done.into_iter().map(FeederId).collect() }
    }

    /// Derives the trees of `feeders` again, growing the set until no feeder outside it
    /// shares a closed device with the re-derived area. Returns the final set.
    fn rederive(&mut self, mut feeders: BTreeSet<u32>) -> BTreeSet<u32> {
        // Every bus released in any round, to find orphans afterwards.
        let mut released: Vec<BusId> = Vec::new();
        loop {
            // Release every bus of the set.
            for &f in &feeders {
                let tree = std::mem::take(&mut self.trees[f as usize]);
                for b in tree.order {
                    self.bus_feeder[b.index()] = NONE;
                    self.bus_pre[b.index()] = NONE;
                    self.bus_parent_edge[b.index()] = NONE;
                    released.push(b);
                }
            }
            // Claim the sources first so that no feeder runs through another's source.
            for &f in &feeders {
                let src = self.feeder_source[f as usize];
                if self.bus_feeder[src.index()] == NONE {
                    self.bus_feeder[src.index()] = f;
                }
            }
            let mut grow: Option<u32> = None;
            for &f in &feeders {
                if let Some(g) = self.derive_feeder(f, &feeders) {
                    grow = Some(g);
                    break;
                }
            }
            if grow.is_none() {
                // A released bus left without supply may now be reachable from a feeder
                // outside the set: that feeder must be derived again too.
                'orphans: for b in &released {
                    if self.bus_feeder[b.index()] != NONE {
                        continue;
                    }
                    for &(e, other) in self.net.neighbours(*b) {
                        let g = self.bus_feeder[other.index()];
                        if g != NONE && !feeders.contains(&g) && self.conducts(e) {
                            grow = Some(g);
                            break 'orphans;
                        }
                    }
                }
            }
            match grow {
                Some(g) => {
                    feeders.insert(g);
                }
                None => {
                    self.loop_edges =
                        self.trees.iter().flat_map(|t| t.loop_edges.iter().copied()).collect();
                    self.loop_edges.sort_unstable();
                    self.loop_edges.dedup();
                    return feeders;
                }
            }
        }
    }

    /// DFS from a feeder's source through conducting edges. Returns `Some(g)` when it meets a
    /// bus of a feeder `g` outside `set` (the caller grows the set and starts again).
    fn derive_feeder(&mut self, f: u32, set: &BTreeSet<u32>) -> Option<u32> {
        let src = self.feeder_source[f as usize];
        let mut tree = FeederTree::default();
        if self.bus_feeder[src.index()] != f {
            // Source shared with another feeder (bad data): this feeder stays empty.
            tree.customer_start.push(0);
            self.trees[f as usize] = tree;
            return None;
        }
        let mut seen_loop = BTreeSet::new();
        // Stack of (bus, next neighbour position).
        let mut stack: Vec<(BusId, usize)> = vec![(src, 0)];
        self.bus_pre[src.index()] = 0;
        tree.order.push(src);
        tree.subtree_end.push(0);
        while let Some(top) = stack.last_mut() {
            let (bus, pos) = *top;
            let nbrs = self.net.neighbours(bus);
            if pos >= nbrs.len() {
                let p = self.bus_pre[bus.index()] as usize;
                tree.subtree_end[p] = tree.order.len() as u32;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let (e, next) = nbrs[pos];
            if e == self.bus_parent_edge[bus.index()] || next == bus || !self.conducts(e) {
                continue;
            }
            let owner = self.bus_feeder[next.index()];
            if owner == NONE {
                self.bus_feeder[next.index()] = f;
                self.bus_pre[next.index()] = tree.order.len() as u32;
                self.bus_parent_edge[next.index()] = e;
                tree.order.push(next);
                tree.subtree_end.push(0);
                stack.push((next, 0));
            } else if owner == f || set.contains(&owner) {
                if seen_loop.insert(e) {
                    tree.loop_edges.push(e);
                }
            } else {
                // Undo this partial tree; the caller re-derives with `owner` included.
                for b in &tree.order {
                    if *b != src {
                        self.bus_feeder[b.index()] = NONE;
                    }
                    self.bus_pre[b.index()] = NONE;
                    self.bus_parent_edge[b.index()] = NONE;
                }
                self.trees[f as usize] = FeederTree::default();
                return Some(owner);
            }
        }
        // A loop edge is seen from both ends; inside one feeder keep it once.
        tree.customer_start.reserve(tree.order.len() + 1);
        for &b in &tree.order {
            tree.customer_start.push(tree.customers.len() as u32);
            let i = b.index();
            tree.customers.extend_from_slice(
                &self.customer_by_bus
                    [self.customer_bus_start[i] as usize..self.customer_bus_start[i + 1] as usize],
            );
        }
        tree.customer_start.push(tree.customers.len() as u32);
        self.trees[f as usize] = tree;
        None
    }
}
