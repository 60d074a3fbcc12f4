//! Who feeds whom.
//!
//! [`Network`] holds the meshed network (petgraph; normally-open ties included). From the
//! switch states [`Topology`] derives a radial forest: for every energised bus its feeder, its
//! parent edge and its position in a DFS pre-order of that feeder, so that
//!
//! * everything downstream of a device is one contiguous range of its feeder's order, and the
//!   customers that lose supply when it opens are a slice ([`Topology::affected_customers`]);
//! * the supply path of a customer is a walk up the parent edges ([`Topology::supply_path`]);
//! * opening or closing a switch re-derives only the feeders it touches
//!   ([`Topology::set_switch`]);
//! * closed loops (meshes, parallels between feeders) are detected while deriving and
//!   reported ([`Topology::report`]), never looped on; a question whose answer a loop could
//!   change is checked by a full search instead of the slice.
//!
//! Energisation starts at each feeder's source bus and crosses an edge only when the element
//! is in service and none of its switches is open.

mod network;
mod query;
mod radial;

pub use network::{Edge, EdgeIdx, Network};
pub use query::{Affected, Island, LoopReport, Subtree, SupplyPath, TopologyReport};
pub use radial::{FeederTree, SwitchChange, Topology};

#[cfg(test)]
mod tests;
