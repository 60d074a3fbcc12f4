//! The engine's front door for grid questions: one loaded model with its topology, spatial
//! index, customer directory and name table. The desktop app, the CLI and the HTTP API all
//! answer "where is this customer, what feeds them, what loses supply" through these functions.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::address::{CustomerDirectory, CustomerMatch};
use crate::model::{
    CustomerId, DeviceRef, ElementRef, FeederId, GridModel, LonLat, SubstationId, SwitchId,
    TransformerId,
};
use crate::spatial::{Nearest, SegmentRef, SpatialIndex};
use crate::topology::{SupplyPath, Topology};

/// Where a model comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelSource {
    /// The demo city of Foshan packed into the binary.
    Embedded,
    /// An OpenDSS master file (`.dss`) or a GridCare model directory (with `manifest.csv`).
    Path(PathBuf),
}

/// Why a model could not be loaded or a name not resolved.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// The OpenDSS import failed.
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    /// A GridCare model directory (or the embedded city) is broken.
    #[error("{0}")]
    Tables(#[from] crate::model::tables::TableError),
    /// The path is neither a `.dss` file nor a model directory.
    #[error("{path}: not an OpenDSS master file (.dss) nor a GridCare model directory (no manifest.csv)")]
    UnknownModelKind {
        /// The path given.
        path: PathBuf,
    },
    /// No device has that name.
    #[error("no device named `{name}`{}", suggest(.suggestions))]
    UnknownDevice {
        /// The name given.
        name: String,
        /// Names that look alike.
        suggestions: Vec<String>,
    },
    /// The name fits several devices.
    #[error("`{name}` names several devices: {}; add the class prefix", .candidates.join(", "))]
    AmbiguousDevice {
        /// The name given.
        name: String,
        /// The full names it fits.
        candidates: Vec<String>,
    },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", s.join(", "))
    }
}

/// A loaded model, ready for questions.
pub struct Grid {
    /// The model.
    pub model: GridModel,
    /// Switch states and the radial index.
    pub topology: Topology,
    /// Spatial indexes.
    pub spatial: SpatialIndex,
    /// Customer look-up by phone, account, name and address.
    pub directory: CustomerDirectory,
    names: NameTable,
}

/// What is at a point of the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Location {
    /// The point asked about.
    pub at: LonLat,
    /// Nearest customer within the radius.
    pub customer: Option<Nearest<CustomerId>>,
    /// Nearest distribution transformer within the radius.
    pub transformer: Option<Nearest<TransformerId>>,
    /// Nearest line segment (MV or LV) within the radius.
    pub line: Option<Nearest<SegmentRef>>,
    /// The feeder supplying that line now.
    pub feeder: Option<FeederId>,
}

/// The answer to "what is above and below this device".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// The device traced.
    pub device: DeviceRef,
    /// The feeder it is on now (`None`: de-energised).
    pub feeder: Option<FeederId>,
    /// Elements from the feeder source down to the device.
    pub upstream: Vec<ElementRef>,
    /// Switching devices on that path, source first.
    pub upstream_switches: Vec<SwitchId>,
    /// Elements below the device.
    pub downstream: Vec<ElementRef>,
    /// Switching devices below the device.
    pub downstream_switches: Vec<SwitchId>,
    /// Customers that lose supply if the device opens.
    pub affected_customers: Vec<CustomerId>,
    /// True when a closed loop made a full search necessary.
    pub checked_loops: bool,
}

/// Everything the operator's details panel shows about one customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerCard {
    /// The customer.
    pub customer: CustomerId,
    /// Supplied now.
    pub energised: bool,
    /// Substation, if energised.
    pub substation: Option<SubstationId>,
    /// Feeder, if energised.
    pub feeder: Option<FeederId>,
    /// Distribution transformer (from the supply path, else the model's normal one).
    pub transformer: Option<TransformerId>,
    /// Supply path, if energised.
    pub path: Option<SupplyPath>,
}

impl Grid {
    /// Loads a model from its source and builds every index.
    pub fn load(source: &ModelSource) -> Result<Grid, GridError> {
        let model = match source {
            ModelSource::Embedded => crate::citygen::demo_city()?,
            ModelSource::Path(p) => load_path(p)?,
        };
        Ok(Grid::from_model(model))
    }

    /// Builds every index over a model.
    pub fn from_model(model: GridModel) -> Grid {
        // The directory is the largest index; build it beside the others (2+ cores).
        let (topology, spatial, directory, names) = std::thread::scope(|s| {
            let directory = s.spawn(|| CustomerDirectory::build(&model));
            let names = s.spawn(|| NameTable::build(&model));
            let topology = Topology::new(&model);
            let spatial = SpatialIndex::build(&model);
            (
                topology,
                spatial,
                directory.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                names.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            )
        });
        Grid { model, topology, spatial, directory, names }
    }

    /// Resolves a user-given device name: the external id in any case (`Line.LN5710794-1`),
    /// the name without its class when that is unique (`ln5710794-1`), or an account number.
    pub fn resolve(&self, name: &str) -> Result<DeviceRef, GridError> {
        let key = name.trim().to_lowercase();
        if let Some(d) = self.names.full(&self.model, &key) {
            return Ok(d);
        }
        let bare = self.names.bare(&self.model, &key);
        match bare.as_slice() {
            [one] => return Ok(*one),
            [] => {}
            many => {
                return Err(GridError::AmbiguousDevice {
                    name: name.to_string(),
                    candidates: many
                        .iter()
                        .map(|d| self.model.device_name(*d).to_string())
                        .collect(),
                })
            }
        }
        let mut suggestions: Vec<String> = if key.chars().count() > 2 {
            self.model
                .all_devices()
                .map(|d| self.model.device_name(d))
                .filter(|n| n.to_lowercase().contains(&key))
                .take(5)
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        suggestions.sort();
        Err(GridError::UnknownDevice { name: name.to_string(), suggestions })
    }

    /// What is at a point: nearest customer, transformer and line within `radius_m`, and the
    /// feeder of that line.
    pub fn locate(&self, at: LonLat, radius_m: f64) -> Location {
        let customer = self.spatial.nearest_customer(at, radius_m);
        let transformer = self.spatial.nearest_transformer(at, radius_m);
        let line = self.spatial.nearest_segment(at, radius_m);
        let feeder = line.and_then(|l| {
            let (a, b) = self.model.terminals(l.item.element);
            self.topology.feeder_of(a).or(self.topology.feeder_of(b))
        });
        Location { at, customer, transformer, line, feeder }
    }

    /// Upstream path, downstream devices and the customers that lose supply if `device` opens.
    pub fn trace(&self, device: DeviceRef) -> Trace {
        let bus = match device {
            DeviceRef::Element(el) => {
                // the terminal nearer the source
                let (a, b) = self.model.terminals(el);
                match (self.topology.subtree_below(el), self.topology.is_energised(a)) {
                    (Some(st), _) => {
                        let child = self.topology.subtree_buses(st)[0];
                        Some(if child == a { b } else { a })
                    }
                    (None, true) => Some(a),
                    (None, false) => Some(b),
                }
            }
            DeviceRef::Bus(b) => Some(b),
            DeviceRef::Customer(c) => self.model.customers.get(c.index()).map(|c| c.bus),
            DeviceRef::Feeder(f) => self.model.feeders.get(f.index()).map(|f| f.source_bus),
            DeviceRef::Substation(_) => None,
        };
        let path = bus.and_then(|b| self.topology.supply_path(&self.model, b));
        let mut upstream = path.as_ref().map(|p| p.elements.clone()).unwrap_or_default();
        let mut upstream_switches = path.as_ref().map(|p| p.switches.clone()).unwrap_or_default();
        if let DeviceRef::Element(el) = device {
            if self.topology.subtree_below(el).is_some() {
                upstream.push(el);
                if let Some(e) = self.topology.network().edge_of(el) {
                    upstream_switches
                        .extend(self.topology.network().edges[e as usize].gates.iter().flatten());
                }
            }
        }
        let affected = self.topology.affected_customers(&self.model, device);
        Trace {
            device,
            feeder: affected.feeder.or(path.as_ref().map(|p| p.feeder)),
            upstream,
            upstream_switches,
            downstream: self.topology.downstream_elements(device),
            downstream_switches: self.topology.downstream_switches(device),
            affected_customers: affected.customers.into_owned(),
            checked_loops: affected.checked_loops,
        }
    }

    /// Finds customers by phone, account number, name or free-text address.
    pub fn find(&self, query: &str, limit: usize) -> Vec<CustomerMatch> {
        self.directory.find(query, limit)
    }

    /// The details-panel facts about a customer.
    pub fn customer_card(&self, customer: CustomerId) -> Option<CustomerCard> {
        let c = self.model.customers.get(customer.index())?;
        let path = self.topology.supply_path(&self.model, c.bus);
        let feeder = path.as_ref().map(|p| p.feeder);
        Some(CustomerCard {
            customer,
            energised: path.is_some(),
            substation: feeder.map(|f| self.model.feeders[f.index()].substation),
            feeder,
            transformer: path.as_ref().and_then(|p| p.transformer).or(c.transformer),
            path,
        })
    }
}

/// Device names without a copy of any string: hashes of the lower-cased external ids (and of
/// the ids without their class, and of account numbers), sorted; a hit is confirmed against the
/// model.
struct NameTable {
    full: Vec<(u64, DeviceRef)>,
    bare: Vec<(u64, DeviceRef)>,
}

fn hash_lower(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for c in s.chars().flat_map(char::to_lowercase) {
        h.write_u32(c as u32);
    }
    h.finish()
}

fn lower_eq(a: &str, lower: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

impl NameTable {
    fn build(model: &GridModel) -> NameTable {
        let mut full = Vec::with_capacity(model.customers.len() * 2 + model.buses.len());
        let mut bare = Vec::with_capacity(model.customers.len() + model.buses.len());
        for d in model.all_devices() {
            let name = model.device_name(d);
            full.push((hash_lower(name), d));
            if let Some((_, b)) = name.split_once('.') {
                bare.push((hash_lower(b), d));
            }
        }
        for (i, c) in model.customers.iter().enumerate() {
            full.push((hash_lower(&c.account_no), DeviceRef::Customer(CustomerId(i as u32))));
        }
        full.sort_unstable();
        bare.sort_unstable();
        NameTable { full, bare }
    }

    fn candidates<'a>(
        table: &'a [(u64, DeviceRef)],
        key: &str,
    ) -> impl Iterator<Item = DeviceRef> + 'a {
        let h = hash_lower(key);
        let start = table.partition_point(|(x, _)| *x < h);
        table[start..].iter().take_while(move |(x, _)| *x == h).map(|(_, d)| *d)
    }

    /// The device whose full external id (or account number) is `key` (lower case).
    fn full(&self, model: &GridModel, key: &str) -> Option<DeviceRef> {
        Self::candidates(&self.full, key).find(|d| {
            lower_eq(model.device_name(*d), key)
                || matches!(d, DeviceRef::Customer(c) if model.customers[c.index()].account_no == key)
        })
    }

    /// Devices whose id without its class is `key` (lower case).
    fn bare(&self, model: &GridModel, key: &str) -> Vec<DeviceRef> {
        let mut out: Vec<DeviceRef> = Self::candidates(&self.bare, key)
            .filter(|d| {
                model.device_name(*d).split_once('.').is_some_and(|(_, b)| lower_eq(b, key))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Loads an OpenDSS master file or a GridCare model directory.
pub fn load_path(path: &Path) -> Result<GridModel, GridError> {
    if path.is_dir() {
        if path.join("manifest.csv").is_file() {
            return Ok(crate::model::tables::read_dir(path)?);
        }
        return Err(GridError::UnknownModelKind { path: path.to_path_buf() });
    }
    if path.file_name().is_some_and(|n| n == "manifest.csv") {
        let dir = path.parent().unwrap_or(Path::new("."));
        return Ok(crate::model::tables::read_dir(dir)?);
    }
    let is_dss =
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("dss"));
    if is_dss || !path.exists() {
        return Ok(crate::import::import_opendss(path, &crate::import::OpenDssOptions::default())?);
    }
    Err(GridError::UnknownModelKind { path: path.to_path_buf() })
}
