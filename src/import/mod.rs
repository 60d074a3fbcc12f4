//! Importing OpenDSS feeder models (IEEE 13/123/8500, EPRI ckt5/ckt7/ckt24, DPV J1/K1/M1) into a
//! [`GridModel`](crate::model::GridModel).
//!
//! # Syntax read
//! `Redirect`/`Compile` (paths relative to the including file, backslashes and any letter case
//! accepted), `Clear`, `New <Class>.<name>`, `Edit`, `~`/`More` continuations, `Class.name.prop=value`
//! edits, `Open`/`Close`/`Enable`/`Disable <Line.x>`, `Buscoords <file>`; `!`, `//` and `/* */`
//! comments; `name=value` (blanks allowed around `=`), positional values (next property in
//! OpenDSS order, so `New Fuse.F1 Line.L1 1` and `R1=1 1 1 1` work), abbreviated property and
//! command names (`bus`→`bus1`, `calcv`); lists `(a, b)`, `[a b]`, `"a b"`, `{…}`; RPN
//! expressions such as `(8 1000 /)` where a number is needed; `like=`. Other known commands
//! (`Set`, `Solve`, `Show`, `CalcVoltageBases`, `BatchEdit`, …) and classes without topology
//! (line codes and geometries, load shapes, capacitors, meters, generators, PV…) are read and
//! ignored. An unknown command or class, an unbalanced bracket or quote, `~` with nothing before
//! it, an element without its buses or a reference to an unknown element is an [`ImportError`]
//! naming the file and line.
//!
//! # Mapping
//! External ids keep the OpenDSS names, lower case, with the class: `line.ln5502549-1`,
//! `transformer.t21396254a`, `load.138236b0`, `fuse.ln6201670-1`. Bus names are lower case
//! without their node suffix (`X2804253A.1.0` → `x2804253a`).
//!
//! * `New Circuit.X` → substation `circuit.x` (HV kV = `basekv`, OpenDSS default 115) and feeder
//!   `feeder.x` from the circuit's `bus1` (default `SourceBus`), unit `imported`. The feeder kV
//!   is the LV winding of the first substation transformer, else `basekv`, else 12.47.
//! * `Line` with `switch=y` → [`Switch`](crate::model::Switch) `line.x` between its buses:
//!   a `Tie` when normally open (`enabled=false`, an `Open` command, or a `SwtControl` with
//!   `normal=open`), else a `Sectionaliser`. This holds inside LV areas too.
//! * Other `Line`s → MV [`LineSection`](crate::model::LineSection)s, except inside an LV area
//!   (below), where they become [`LvLine`](crate::model::LvLine)s oriented away from the
//!   transformer. Length: the line's `units`; without them the line code's units (as OpenDSS
//!   does); without either, **kilometres**. Routes join the two bus positions.
//! * A series `Reactor` (`bus2` on another bus, as ieee8500's `HVMV_Sub_HSB` source impedance)
//!   → a line section `reactor.x` of length 0, so the network stays connected. Shunt reactors
//!   are ignored.
//! * `Transformer` (per-winding, `buses=`/`kvs=` lists, or `XfmrCode=`) → HV bus = winding 1,
//!   LV bus = winding 2, swapped when winding 1 has the lower kV (a step-up transformer); kVA of
//!   winding 1. Kind: `sub=y` → substation; lowest winding below 1 kV → public (distribution);
//!   all windings at the same kV → regulator; HV above 35 kV → substation (an LTC substation
//!   transformer with a `RegControl`, as in DPV J1, stays a substation transformer); otherwise
//!   regulator. A third winding (centre-tapped service transformers) adds no bus.
//! * LV area: the buses reached from a distribution transformer's LV bus through `Line`s
//!   (never through the source bus); each bus belongs to the nearest such transformer.
//! * `Fuse`, `Recloser`, `Relay` → switches of kind fuse, recloser and breaker, on the element
//!   they switch (`SwitchedObj`, else `MonitoredObj`, named or positional): `OnLine` for an MV
//!   line section; the terminals of the line when that line is itself a switch or an LV line.
//!   Devices on other elements (a transformer) cannot be placed and are left out. Normally
//!   open when `normal=open` or `state=open`.
//! * `Load` → [`Customer`](crate::model::Customer) `load.x`: display name = the load's name,
//!   account number `06` + an 8-digit sequence, kW from `kW` (or `kVA`×pf, or `xfkVA` × allocation
//!   factor × pf), transformer = the LV area's transformer (none on MV buses), position = its
//!   bus, else the nearest positioned bus, else the anchor centre.
//! * Buses: those of the circuit, lines, series reactors, transformers (HV and LV) and loads,
//!   positioned through the [`GeoAnchor`] when the coordinates file has them.

mod build;
mod classes;
mod elements;
mod error;
mod files;
mod lexer;
mod opendss;
mod transformer;

pub use error::ImportError;
pub use opendss::import_opendss;

use std::path::PathBuf;

use crate::model::LonLat;

/// Metres per degree of latitude (mean Earth radius 6,371,008.8 m, as in
/// [`LonLat::haversine_dist_m`]).
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// How planar bus coordinates are placed on the map.
///
/// Planar X is east and Y north; the centre of the coordinates' bounding box goes to `centre`.
/// Metres become degrees with a local equirectangular conversion (`dlon = dx / (R·cos lat)`).
///
/// # Examples
/// ```
/// use gridcare::import::GeoAnchor;
/// let anchor = GeoAnchor::default();
/// assert_eq!(anchor.fit_extent_m, 6000.0);
/// assert!(anchor.metres_per_unit.is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GeoAnchor {
    /// Where the centre of the coordinates goes (default 113.12 E, 23.02 N, Foshan).
    pub centre: LonLat,
    /// Metres per coordinate unit; `None` scales the larger side of the bounding box to
    /// `fit_extent_m`.
    pub metres_per_unit: Option<f64>,
    /// Extent of the larger side when `metres_per_unit` is `None` (default 6000 m).
    pub fit_extent_m: f64,
}

impl Default for GeoAnchor {
    fn default() -> Self {
        GeoAnchor {
            centre: LonLat::new(113.12, 23.02),
            metres_per_unit: None,
            fit_extent_m: 6000.0,
        }
    }
}

/// A planar → WGS84 conversion fitted to one set of coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Projection {
    centre: LonLat,
    centre_xy: (f64, f64),
    metres_per_unit: f64,
}

impl GeoAnchor {
    /// Fits the conversion to the coordinates `points` (their bounding box).
    pub(crate) fn projection(&self, points: impl Iterator<Item = (f64, f64)>) -> Projection {
        let (mut x0, mut y0, mut x1, mut y1) =
            (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (x, y) in points {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let (centre_xy, side) = if x0 <= x1 && y0 <= y1 {
            (((x0 + x1) / 2.0, (y0 + y1) / 2.0), (x1 - x0).max(y1 - y0))
        } else {
            ((0.0, 0.0), 0.0)
        };
        let metres_per_unit = match self.metres_per_unit {
            Some(m) => m,
            None if side > 0.0 => self.fit_extent_m / side,
            None => 1.0,
        };
        Projection { centre: self.centre, centre_xy, metres_per_unit }
    }
}

impl Projection {
    /// The position of planar point (`x`, `y`).
    pub(crate) fn lonlat(&self, x: f64, y: f64) -> LonLat {
        let east_m = (x - self.centre_xy.0) * self.metres_per_unit;
        let north_m = (y - self.centre_xy.1) * self.metres_per_unit;
        let lat = self.centre.lat + north_m / METRES_PER_DEGREE;
        let lon =
            self.centre.lon + east_m / (METRES_PER_DEGREE * self.centre.lat.to_radians().cos());
        LonLat::new(lon, lat)
    }
}

/// Options of [`import_opendss`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenDssOptions {
    /// How bus coordinates are placed on the map.
    pub anchor: GeoAnchor,
    /// Files run after the master, in order (paths as given, e.g. ieee8500's `Fuses.DSS`,
    /// which `Master.dss` does not load).
    pub extra_files: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_larger_side_of_the_coordinates_spans_the_fit_extent() {
        let anchor = GeoAnchor::default();
        let p = anchor.projection([(0.0, 0.0), (400.0, 200.0)].into_iter());
        let (a, b) = (p.lonlat(0.0, 100.0), p.lonlat(400.0, 100.0));
        assert!((a.haversine_dist_m(&b) - 6000.0).abs() < 1.0, "{}", a.haversine_dist_m(&b));
        let c = p.lonlat(200.0, 100.0);
        assert!((c.lon - 113.12).abs() < 1e-12 && (c.lat - 23.02).abs() < 1e-12);
        let north = p.lonlat(200.0, 200.0);
        assert!(north.lat > c.lat && (north.haversine_dist_m(&c) - 1500.0).abs() < 0.5);
    }

    #[test]
    fn a_fixed_scale_is_used_as_given() {
        let anchor = GeoAnchor { metres_per_unit: Some(0.3048), ..GeoAnchor::default() };
        let p = anchor.projection([(0.0, 0.0), (1000.0, 0.0)].into_iter());
        let d = p.lonlat(0.0, 0.0).haversine_dist_m(&p.lonlat(1000.0, 0.0));
        assert!((d - 304.8).abs() < 0.01);
        let single = GeoAnchor::default().projection([(5.0, 5.0)].into_iter());
        assert_eq!(single.lonlat(5.0, 5.0), LonLat::new(113.12, 23.02));
    }
}
