//! Isolating a drawn area (先算后停): the switches whose opening de-energises every customer
//! inside a polygon while cutting as few customers outside it as possible, the impact of a
//! scenario, and the back-feed a normally-open tie can give.
//!
//! # The algorithm ([`isolate_polygon`])
//!
//! The inside customers come from geometry (the meter inside the polygon); everything else
//! comes from the topology. On each feeder's radial tree (DFS pre-order, so a subtree is one
//! range) the **cut points** are the tree edges carrying a closed operable switch (breaker,
//! recloser, sectionaliser, fuse, disconnector; ties are never used to isolate). Opening a cut
//! point de-energises exactly its subtree. The cut points form a tree of their own; each owns
//! a **zone**: the buses of its subtree that are not below a lower cut point. A dynamic
//! programme over that tree, leaves first, gives for each cut point `v` the cheapest set of
//! cuts inside its subtree that de-energises every inside customer there:
//!
//! ```text
//! best(v) = cut(v)                                  if v's zone holds an inside customer
//!         = min( cut(v), Σ best(c) over children c ) otherwise
//! cut(v)  = (customers of subtree(v) outside the polygon, 1 switch)
//! ```
//!
//! compared lexicographically (customers outside, then switches). On a tree this is exact:
//! the subtrees of the children are disjoint, so the cost of a set of cuts below `v` is the
//! sum of the costs of its parts, and every feasible set either cuts `v` (and then needs
//! nothing below) or does not (and then must cover each child's subtree independently, and
//! cannot leave an inside customer in `v`'s own zone). Customers above every cut point (in
//! a feeder's zone next to the substation, with no operable device above them) cannot be
//! isolated; they are reported in [`Isolation::not_isolatable`]. The feeder heads are summed
//! the same way. Cost: linear in the buses of the feeders touched.
//!
//! # Back-feed ([`back_feed`])
//!
//! With the isolation switches open (in a clone of the topology, through
//! [`Topology::set_switch`]), every open normally-open tie with one end dead and the other
//! end live is tried: closed, it re-energises part of the dead area. If that reaches inside
//! customers, the same programme runs on the back-fed tree to find the extra switches that
//! keep the work area dead; the customers outside the polygon that stay supplied are the
//! customers the tie saves. Geometry is never used for this.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, FeederId, Labels, LonLat, SwitchId, SwitchKind};
use crate::topology::Topology;

/// Why a scenario's inputs were refused.
#[derive(Debug, thiserror::Error)]
pub enum PlanningError {
    /// The polygon has fewer than three valid corners.
    #[error("polygon: {message}")]
    Polygon {
        /// What is wrong.
        message: String,
    },
    /// A device name did not resolve.
    #[error(transparent)]
    Device(#[from] crate::grid::GridError),
    /// A window ends before it starts.
    #[error("window `{name}`: the end ({end_s}) is not after the start ({start_s})")]
    Window {
        /// The window's name.
        name: String,
        /// Start, unix seconds.
        start_s: i64,
        /// End, unix seconds.
        end_s: i64,
    },
    /// The rules file is wrong.
    #[error("{file}: {message}")]
    Rules {
        /// The file (or `embedded presets.json`).
        file: String,
        /// What is wrong, naming the line, preset or field.
        message: String,
    },
    /// No preset of that name.
    #[error("no preset named `{name}` (presets: {})", .known.join(", "))]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The presets there are.
        known: Vec<String>,
    },
    /// An answer names a window that is not a candidate.
    #[error("answer of customer {account}: no candidate window named `{window}`")]
    UnknownWindow {
        /// The customer's account number.
        account: String,
        /// The window named.
        window: String,
    },
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Parses a polygon given as `lon,lat;lon,lat;…` (at least three corners).
///
/// # Examples
/// ```
/// use gridcare::planning::parse_polygon;
/// let ring = parse_polygon("113.1,23.0; 113.2,23.0; 113.2,23.1").unwrap();
/// assert_eq!(ring.len(), 3);
/// assert!(parse_polygon("113.1,23.0;113.2").is_err());
/// ```
pub fn parse_polygon(text: &str) -> Result<Vec<LonLat>, PlanningError> {
    let mut ring = Vec::new();
    for (i, corner) in text.split(';').map(str::trim).filter(|c| !c.is_empty()).enumerate() {
        let bad = || PlanningError::Polygon {
            message: format!("corner {} `{corner}` is not `lon,lat` in degrees", i + 1),
        };
        let (lon, lat) = corner.split_once(',').ok_or_else(bad)?;
        let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
        let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
        let p = LonLat::new(lon, lat);
        if !p.is_valid() {
            return Err(bad());
        }
        ring.push(p);
    }
    if ring.len() < 3 {
        return Err(PlanningError::Polygon {
            message: format!("{} corner(s) given, a polygon needs at least 3", ring.len()),
        });
    }
    Ok(ring)
}

/// What the planner draws: the devices to open, or an area to isolate.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ScenarioArea {
    /// These devices are opened together (switches, sections, transformers), by name.
    Devices {
        /// External ids.
        devices: Vec<String>,
    },
    /// GridCare finds the switches that isolate this polygon (lon/lat ring).
    Polygon {
        /// The corners.
        ring: Vec<LonLat>,
    },
}

/// Whether a switch may be opened to isolate an area: every kind but ties.
pub fn is_operable(kind: SwitchKind) -> bool {
    kind != SwitchKind::Tie
}

/// The switches that isolate a polygon, and who loses supply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Isolation {
    /// Switches to open, sorted.
    pub switches: Vec<SwitchId>,
    /// Energised customers whose meter is inside the polygon, sorted.
    pub inside: Vec<CustomerId>,
    /// Every customer that loses supply when the switches open (from the topology), sorted.
    pub affected: Vec<CustomerId>,
    /// Of `affected`, those outside the polygon (the price of the isolation), sorted.
    pub outside_cut: Vec<CustomerId>,
    /// Inside customers no operable switch can de-energise (no switch between them and the
    /// substation), sorted.
    pub not_isolatable: Vec<CustomerId>,
    /// Inside customers already without supply before anything opens, sorted.
    pub already_dead: Vec<CustomerId>,
}

/// (customers outside, switches): the cost compared lexicographically.
type Cost = (usize, usize);

/// The cheapest cuts in `topo` that de-energise every customer of `targets` that is energised,
/// where `is_target(c)` tells whether a customer counts as inside. Returns the cut switches and
/// the energised targets no cut can reach.
fn min_cuts(
    grid: &Grid,
    topo: &Topology,
    targets: &[CustomerId],
    is_target: &dyn Fn(CustomerId) -> bool,
) -> (Vec<SwitchId>, Vec<CustomerId>) {
    let model = &grid.model;
    let feeders: BTreeSet<FeederId> = targets
        .iter()
        .filter_map(|c| model.customers.get(c.index()))
        .filter_map(|c| topo.feeder_of(c.bus))
        .collect();
    let mut switches = Vec::new();
    let mut stuck = Vec::new();
    for f in feeders {
        let tree = topo.feeder_tree(f);
        let n = tree.order.len();
        // The operable closed switch on the parent edge of each position, if any.
        let cut_switch: Vec<Option<SwitchId>> = tree
            .order
            .iter()
            .map(|b| {
                let e = topo.parent_edge(*b)?;
                topo.network().edges[e as usize]
                    .gates
                    .iter()
                    .flatten()
                    .copied()
                    .find(|s| !topo.is_open(*s) && is_operable(model.switches[s.index()].kind))
            })
            .collect();
        // Per position: customers in order[..p] (prefix sums), inside and all.
        let mut inside_before = vec![0usize; n + 1];
        let mut all_before = vec![0usize; n + 1];
        for p in 0..n {
            let cs = &tree.customers
                [tree.customer_start[p] as usize..tree.customer_start[p + 1] as usize];
            let k = cs.iter().filter(|c| is_target(**c)).count();
            inside_before[p + 1] = inside_before[p] + k;
            all_before[p + 1] = all_before[p] + cs.len();
        }
        // Nodes of the cut tree: position 0 (the feeder head, cannot be cut) and every cut
        // point. Parent of each node and whether its zone holds an inside customer.
        let mut nodes: Vec<usize> = vec![0];
        let mut parent: Vec<usize> = vec![usize::MAX];
        let mut zone_has_target: Vec<bool> = vec![false];
        let mut stack: Vec<usize> = vec![0]; // node indices
        let mut node_of_pos = vec![0usize; n];
        for p in 0..n {
            while let Some(&top) = stack.last() {
                let q = nodes[top];
                if p < tree.subtree_end[q] as usize || top == 0 {
                    break;
                }
                stack.pop();
            }
            let owner = if p > 0 && cut_switch[p].is_some() {
                let id = nodes.len();
                nodes.push(p);
                parent.push(*stack.last().unwrap_or(&0));
                zone_has_target.push(false);
                stack.push(id);
                id
            } else {
                *stack.last().unwrap_or(&0)
            };
            node_of_pos[p] = owner;
            if inside_before[p + 1] > inside_before[p] {
                zone_has_target[owner] = true;
            }
        }
        // Leaves first: nodes were numbered in pre-order, so reverse order visits children
        // before parents.
        let m = nodes.len();
        let mut below: Vec<Cost> = vec![(0, 0); m];
        let mut choice_cut = vec![false; m];
        let mut best: Vec<Cost> = vec![(0, 0); m];
        for v in (0..m).rev() {
            let p = nodes[v];
            let end = tree.subtree_end[p] as usize;
            let inside = inside_before[end] - inside_before[p];
            let cut: Cost = (all_before[end] - all_before[p] - inside, 1);
            best[v] = if inside == 0 {
                (0, 0)
            } else if v == 0 {
                below[v]
            } else if zone_has_target[v] || cut <= below[v] {
                choice_cut[v] = true;
                cut
            } else {
                below[v]
            };
            if v > 0 {
                let u = parent[v];
                below[u] = (below[u].0 + best[v].0, below[u].1 + best[v].1);
            }
        }
        // Read the choices top-down: a node is on the walk when no cut is taken above it.
        let mut walked = vec![false; m];
        walked[0] = true;
        for v in 1..m {
            let u = parent[v];
            walked[v] = walked[u] && (u == 0 || !choice_cut[u]);
            if walked[v] && choice_cut[v] {
                if let Some(s) = cut_switch[nodes[v]] {
                    switches.push(s);
                }
            }
        }
        // Targets in the head's own zone: no operable switch above them.
        for p in 0..n {
            if node_of_pos[p] == 0 && inside_before[p + 1] > inside_before[p] {
                let cs = &tree.customers
                    [tree.customer_start[p] as usize..tree.customer_start[p + 1] as usize];
                stuck.extend(cs.iter().copied().filter(|c| is_target(*c)));
            }
        }
    }
    switches.sort_unstable();
    switches.dedup();
    stuck.sort_unstable();
    (switches, stuck)
}

/// The customers without supply in `topo` among `customers`.
fn dead_among(grid: &Grid, topo: &Topology, customers: &[CustomerId]) -> Vec<CustomerId> {
    customers
        .iter()
        .copied()
        .filter(|c| !topo.is_energised(grid.model.customers[c.index()].bus))
        .collect()
}

/// The minimal set of operable switches that isolates a polygon (see the module doc for the
/// algorithm and why it is optimal on a radial network), with the customers it cuts.
///
/// # Examples
/// ```
/// use gridcare::planning::isolate_polygon;
/// use gridcare::model::LonLat;
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// // A box around the customers of feeder 1's second lateral (x ≈ 4.5, y ≈ 11.6–13.6).
/// let p = |x: f64, y: f64| LonLat::new(113.10 + x * 0.001, 23.00 + y * 0.001);
/// let iso = isolate_polygon(&grid, &[p(4.3, 11.0), p(4.9, 11.0), p(4.9, 14.0), p(4.3, 14.0)]);
/// let names: Vec<&str> =
///     iso.switches.iter().map(|s| grid.model.switches[s.index()].name.as_str()).collect();
/// assert_eq!(names, ["fuse.f1-l2"]);
/// assert_eq!((iso.inside.len(), iso.outside_cut.len()), (15, 0));
/// ```
pub fn isolate_polygon(grid: &Grid, ring: &[LonLat]) -> Isolation {
    let topo = &grid.topology;
    let all_inside = grid.spatial.customers_in_polygon(ring);
    let already_dead = dead_among(grid, topo, &all_inside);
    let inside: Vec<CustomerId> =
        all_inside.iter().copied().filter(|c| !already_dead.contains(c)).collect();
    let inside_set: HashSet<CustomerId> = inside.iter().copied().collect();
    let (switches, not_isolatable) = min_cuts(grid, topo, &inside, &|c| inside_set.contains(&c));
    let mut after = topo.clone();
    for s in &switches {
        after.set_switch(*s, true);
    }
    let affected = newly_dead(grid, topo, &after);
    let outside_cut = affected.iter().copied().filter(|c| !inside_set.contains(c)).collect();
    Isolation { switches, inside, affected, outside_cut, not_isolatable, already_dead }
}

/// Customers energised in `before` and dead in `after`, sorted.
fn newly_dead(grid: &Grid, before: &Topology, after: &Topology) -> Vec<CustomerId> {
    let mut out: Vec<CustomerId> = (0..grid.model.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| {
            let b = grid.model.customers[c.index()].bus;
            before.is_energised(b) && !after.is_energised(b)
        })
        .collect();
    out.sort_unstable();
    out
}

/// What one normally-open tie can give back once the isolation switches are open.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackFeed {
    /// The tie closed.
    pub tie: SwitchId,
    /// The feeder that supplies through it.
    pub from_feeder: FeederId,
    /// Further switches to open so that the work area (the inside customers) stays dead.
    pub extra_switches: Vec<SwitchId>,
    /// Customers outside the polygon supplied again through the tie, sorted.
    pub saved: Vec<CustomerId>,
}

/// For the area `dead_switches` de-energise, every open normally-open tie between a dead bus
/// and a live one: the customers cut by the isolation and outside `inside` that it restores
/// when closed (keeping the isolation switches open, and opening the extra switches needed to
/// keep every inside customer dead). Ties that save nobody, would feed the work area, or
/// would need a switch that cuts a live customer are left out; most saved first.
pub fn back_feed(grid: &Grid, dead_switches: &[SwitchId], inside: &[CustomerId]) -> Vec<BackFeed> {
    let mut isolated = grid.topology.clone();
    for s in dead_switches {
        isolated.set_switch(*s, true);
    }
    let inside_set: HashSet<CustomerId> = inside.iter().copied().collect();
    // Only customers the isolation cuts can be saved (not those dead before it).
    let cut: HashSet<CustomerId> =
        newly_dead(grid, &grid.topology, &isolated).into_iter().collect();
    let mut out = Vec::new();
    for (i, sw) in grid.model.switches.iter().enumerate() {
        let tie = SwitchId(i as u32);
        if !sw.normally_open || !isolated.is_open(tie) {
            continue;
        }
        let Some(e) = isolated.network().switch_edge[i] else { continue };
        let edge = &isolated.network().edges[e as usize];
        let (a, b) = (edge.a, edge.b);
        let live = match (isolated.feeder_of(a), isolated.feeder_of(b)) {
            (Some(f), None) | (None, Some(f)) => f,
            _ => continue,
        };
        let mut fed = isolated.clone();
        fed.set_switch(tie, false);
        let restored = newly_live(grid, &isolated, &fed);
        let back_inside: Vec<CustomerId> =
            restored.iter().copied().filter(|c| inside_set.contains(c)).collect();
        let (extra, _stuck) = min_cuts(grid, &fed, &back_inside, &|c| inside_set.contains(&c));
        for s in &extra {
            fed.set_switch(*s, true);
        }
        let saved: Vec<CustomerId> = newly_live(grid, &isolated, &fed)
            .into_iter()
            .filter(|c| !inside_set.contains(c) && cut.contains(c))
            .collect();
        // A tie is usable when the work area stays dead and nobody live is cut for it.
        let work_area_fed = back_inside.iter().any(|c| is_live(grid, &fed, *c));
        let costs_live = !newly_dead(grid, &isolated, &fed).is_empty();
        if saved.is_empty() || work_area_fed || costs_live {
            continue;
        }
        out.push(BackFeed { tie, from_feeder: live, extra_switches: extra, saved });
    }
    out.sort_by(|x, y| y.saved.len().cmp(&x.saved.len()).then(x.tie.cmp(&y.tie)));
    out
}

fn is_live(grid: &Grid, topo: &Topology, c: CustomerId) -> bool {
    topo.is_energised(grid.model.customers[c.index()].bus)
}

/// Customers dead in `before` and energised in `after`, sorted.
fn newly_live(grid: &Grid, before: &Topology, after: &Topology) -> Vec<CustomerId> {
    (0..grid.model.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| !is_live(grid, before, *c) && is_live(grid, after, *c))
        .collect()
}

/// The impact of a scenario: who loses supply (from the topology), counts by label and
/// customer-hours over a window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioImpact {
    /// Customers without supply, sorted.
    pub customers: Vec<CustomerId>,
    /// Customers with each label word (every label, zeros too).
    pub by_label: BTreeMap<String, usize>,
    /// Total demand of those customers, kW.
    pub kw: f64,
    /// Feeders touched.
    pub feeders: Vec<FeederId>,
    /// Length of the window, hours.
    pub duration_h: f64,
    /// Customers × hours.
    pub customer_hours: f64,
}

/// The impact of opening `devices` together over `start_s..end_s`.
///
/// # Examples
/// ```
/// use gridcare::planning::scenario_impact;
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// let fuse = grid.resolve("fuse.f1-l2").unwrap();
/// let im = scenario_impact(&grid, &[fuse], 0, 4 * 3600);
/// assert_eq!(im.customers.len(), 15);
/// assert_eq!(im.customer_hours, 60.0);
/// ```
pub fn scenario_impact(
    grid: &Grid,
    devices: &[DeviceRef],
    start_s: i64,
    end_s: i64,
) -> ScenarioImpact {
    let customers = crate::outage::affected_by_opening(grid, devices);
    impact_of_customers(grid, customers, start_s, end_s)
}

/// [`ScenarioImpact`] of a known set of customers.
pub fn impact_of_customers(
    grid: &Grid,
    mut customers: Vec<CustomerId>,
    start_s: i64,
    end_s: i64,
) -> ScenarioImpact {
    customers.sort_unstable();
    customers.dedup();
    let m = &grid.model;
    let mut by_label: BTreeMap<String, usize> =
        Labels::ALL.iter().map(|(_, w)| (w.to_string(), 0)).collect();
    let mut kw = 0.0;
    let mut feeders = BTreeSet::new();
    for c in &customers {
        let cu = &m.customers[c.index()];
        for (l, w) in Labels::ALL {
            if cu.labels.contains(l) {
                *by_label.entry(w.to_string()).or_default() += 1;
            }
        }
        kw += f64::from(cu.kw);
        if let Some(f) = grid.topology.feeder_of(cu.bus) {
            feeders.insert(f);
        }
    }
    let duration_h = (end_s - start_s).max(0) as f64 / 3600.0;
    let customer_hours = customers.len() as f64 * duration_h;
    ScenarioImpact {
        customers,
        by_label,
        kw,
        feeders: feeders.into_iter().collect(),
        duration_h,
        customer_hours,
    }
}
