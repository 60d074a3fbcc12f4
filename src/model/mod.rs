//! The grid model: one network that joins marketing (customers, addresses) with distribution
//! (substation → 10 kV feeder → switch → distribution transformer → LV line → customer).
//!
//! Plain data with typed ids. Everything that derives facts from it (who feeds whom, what is
//! near a point, which address matches) lives in `topology`, `spatial` and `address`.
//!
//! This module depends on `std` and `serde` only, so that `build.rs` can include it to
//! validate the embedded demo city at build time.

mod entities;
mod ids;
pub mod tables;

pub use entities::*;
pub use ids::*;

use serde::{Deserialize, Serialize};

/// A whole service area: the network and its customers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GridModel {
    /// Name of the area or of the source model (`ieee8500`, `foshan-demo`).
    pub name: String,
    /// Buses, indexed by [`BusId`].
    pub buses: Vec<Bus>,
    /// Substations, indexed by [`SubstationId`].
    pub substations: Vec<Substation>,
    /// Feeders, indexed by [`FeederId`].
    pub feeders: Vec<Feeder>,
    /// Switches, indexed by [`SwitchId`].
    pub switches: Vec<Switch>,
    /// MV line sections, indexed by [`LineId`].
    pub lines: Vec<LineSection>,
    /// Transformers, indexed by [`TransformerId`].
    pub transformers: Vec<Transformer>,
    /// LV lines, indexed by [`LvLineId`].
    pub lv_lines: Vec<LvLine>,
    /// Customers, indexed by [`CustomerId`].
    pub customers: Vec<Customer>,
}

/// Element counts, for `gridcare info`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCounts {
    /// Buses.
    pub buses: usize,
    /// Substations.
    pub substations: usize,
    /// Feeders.
    pub feeders: usize,
    /// All switching devices.
    pub switches: usize,
    /// Of which normally open.
    pub switches_normally_open: usize,
    /// Of which protective (breaker, recloser, fuse).
    pub protective_devices: usize,
    /// MV line sections.
    pub lines: usize,
    /// All transformers.
    pub transformers: usize,
    /// Of which distribution (public or dedicated).
    pub distribution_transformers: usize,
    /// LV lines.
    pub lv_lines: usize,
    /// Customers.
    pub customers: usize,
}

/// A broken reference or value in a model, named precisely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// What is wrong, naming the table, the element and the field.
    pub message: String,
}

// `thiserror` is not available to `build.rs`, so the error impls are written out here.
impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ModelError {}

impl GridModel {
    /// Element counts.
    pub fn counts(&self) -> ModelCounts {
        ModelCounts {
            buses: self.buses.len(),
            substations: self.substations.len(),
            feeders: self.feeders.len(),
            switches: self.switches.len(),
            switches_normally_open: self.switches.iter().filter(|s| s.normally_open).count(),
            protective_devices: self.switches.iter().filter(|s| s.kind.is_protective()).count(),
            lines: self.lines.len(),
            transformers: self.transformers.len(),
            distribution_transformers: self
                .transformers
                .iter()
                .filter(|t| t.kind.is_distribution())
                .count(),
            lv_lines: self.lv_lines.len(),
            customers: self.customers.len(),
        }
    }

    /// The two terminals of a branch element (for a switch on a line, the line's).
    pub fn terminals(&self, element: ElementRef) -> (BusId, BusId) {
        match element {
            ElementRef::Line(id) => {
                let l = &self.lines[id.index()];
                (l.from, l.to)
            }
            ElementRef::Switch(id) => match self.switches[id.index()].mount {
                SwitchMount::Terminals { from, to } => (from, to),
                SwitchMount::OnLine(line) => self.terminals(ElementRef::Line(line)),
            },
            ElementRef::Transformer(id) => {
                let t = &self.transformers[id.index()];
                (t.hv_bus, t.lv_bus)
            }
            ElementRef::LvLine(id) => {
                let l = &self.lv_lines[id.index()];
                (l.from, l.to)
            }
        }
    }

    /// The external id of any device.
    pub fn device_name(&self, device: DeviceRef) -> &str {
        match device {
            DeviceRef::Element(ElementRef::Line(id)) => &self.lines[id.index()].name,
            DeviceRef::Element(ElementRef::Switch(id)) => &self.switches[id.index()].name,
            DeviceRef::Element(ElementRef::Transformer(id)) => &self.transformers[id.index()].name,
            DeviceRef::Element(ElementRef::LvLine(id)) => &self.lv_lines[id.index()].name,
            DeviceRef::Feeder(id) => &self.feeders[id.index()].name,
            DeviceRef::Substation(id) => &self.substations[id.index()].name,
            DeviceRef::Bus(id) => &self.buses[id.index()].name,
            DeviceRef::Customer(id) => &self.customers[id.index()].name,
        }
    }

    /// Every device with its external id, in a fixed order (for name look-up tables).
    pub fn all_devices(&self) -> impl Iterator<Item = DeviceRef> + '_ {
        let n = |len: usize| 0..len as u32;
        n(self.substations.len())
            .map(|i| DeviceRef::Substation(SubstationId(i)))
            .chain(n(self.feeders.len()).map(|i| DeviceRef::Feeder(FeederId(i))))
            .chain(
                n(self.switches.len()).map(|i| DeviceRef::Element(ElementRef::Switch(SwitchId(i)))),
            )
            .chain(n(self.lines.len()).map(|i| DeviceRef::Element(ElementRef::Line(LineId(i)))))
            .chain(
                n(self.transformers.len())
                    .map(|i| DeviceRef::Element(ElementRef::Transformer(TransformerId(i)))),
            )
            .chain(
                n(self.lv_lines.len()).map(|i| DeviceRef::Element(ElementRef::LvLine(LvLineId(i)))),
            )
            .chain(n(self.customers.len()).map(|i| DeviceRef::Customer(CustomerId(i))))
            .chain(n(self.buses.len()).map(|i| DeviceRef::Bus(BusId(i))))
    }

    /// Checks every reference and value; the first problems found are named (at most 20).
    pub fn validate(&self) -> Result<(), ModelError> {
        let mut problems: Vec<String> = Vec::new();
        let nb = self.buses.len();
        let bus_ok = |b: BusId| b.index() < nb;
        let mut push = |p: String| {
            if problems.len() < 20 {
                problems.push(p);
            }
        };
        for (i, b) in self.buses.iter().enumerate() {
            if let Some(p) = b.pos {
                if !p.is_valid() {
                    push(format!("buses[{i}] `{}`: position {p:?} is not WGS84 lon/lat", b.name));
                }
            }
        }
        for (i, f) in self.feeders.iter().enumerate() {
            if f.substation.index() >= self.substations.len() {
                push(format!(
                    "feeders[{i}] `{}`: substation {} does not exist",
                    f.name, f.substation.0
                ));
            }
            if !bus_ok(f.source_bus) {
                push(format!(
                    "feeders[{i}] `{}`: source bus {} does not exist",
                    f.name, f.source_bus.0
                ));
            }
        }
        for (i, s) in self.switches.iter().enumerate() {
            match s.mount {
                SwitchMount::Terminals { from, to } => {
                    if !bus_ok(from) || !bus_ok(to) {
                        push(format!("switches[{i}] `{}`: terminal bus does not exist", s.name));
                    }
                }
                SwitchMount::OnLine(l) => {
                    if l.index() >= self.lines.len() {
                        push(format!("switches[{i}] `{}`: line {} does not exist", s.name, l.0));
                    }
                }
            }
        }
        for (i, l) in self.lines.iter().enumerate() {
            if !bus_ok(l.from) || !bus_ok(l.to) {
                push(format!("lines[{i}] `{}`: terminal bus does not exist", l.name));
            }
            if !(l.length_m.is_finite() && l.length_m >= 0.0) {
                push(format!("lines[{i}] `{}`: length {} is not a length", l.name, l.length_m));
            }
        }
        for (i, t) in self.transformers.iter().enumerate() {
            if !bus_ok(t.hv_bus) || !bus_ok(t.lv_bus) {
                push(format!("transformers[{i}] `{}`: terminal bus does not exist", t.name));
            }
        }
        for (i, l) in self.lv_lines.iter().enumerate() {
            if !bus_ok(l.from) || !bus_ok(l.to) {
                push(format!("lv_lines[{i}] `{}`: terminal bus does not exist", l.name));
            }
        }
        let mut accounts = std::collections::HashSet::with_capacity(self.customers.len());
        for (i, c) in self.customers.iter().enumerate() {
            if !bus_ok(c.bus) {
                push(format!("customers[{i}] `{}`: bus {} does not exist", c.name, c.bus.0));
            }
            if let Some(t) = c.transformer {
                if t.index() >= self.transformers.len() {
                    push(format!(
                        "customers[{i}] `{}`: transformer {} does not exist",
                        c.name, t.0
                    ));
                }
            }
            if !c.pos.is_valid() {
                push(format!(
                    "customers[{i}] `{}`: position {:?} is not WGS84 lon/lat",
                    c.name, c.pos
                ));
            }
            if !accounts.insert(c.account_no.as_str()) {
                push(format!(
                    "customers[{i}] `{}`: account number {} is used twice",
                    c.name, c.account_no
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ModelError { message: problems.join("; ") })
        }
    }
}
