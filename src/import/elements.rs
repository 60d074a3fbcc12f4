//! The OpenDSS objects the importer keeps, and how each property changes them.
//!
//! Properties are applied in order, as OpenDSS does: `linecode=` sets the phases, `switch=y`
//! resets the length to 0.001 without units, `like=` copies another object of the same class.
//! Transformers and their codes are in [`super::transformer`].

use std::collections::HashMap;

use super::lexer::{parse_bool, parse_number, LengthUnit};
use super::transformer::XfmrCodeDef;

/// Where something was defined: an index into the list of files read, and a 1-based line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Loc {
    pub file: usize,
    pub line: u32,
}

/// What went wrong applying a property; the caller adds the file, line and element.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PropError {
    /// The value does not parse (number, winding index…).
    BadValue,
    /// `like=` or `XfmrCode=` names an object that does not exist.
    Unknown(String),
}

/// Library objects a property may refer to (`linecode=`, `XfmrCode=`).
#[derive(Default)]
pub(crate) struct Library {
    pub linecodes: Table<LineCodeDef>,
    pub xfmrcodes: Table<XfmrCodeDef>,
}

/// Objects of one class in definition order, with a name index (names lower case).
#[derive(Clone, Debug)]
pub(crate) struct Table<T> {
    pub items: Vec<T>,
    pub index: HashMap<String, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { items: Vec::new(), index: HashMap::new() }
    }
}

impl<T> Table<T> {
    /// The object called `name` (lower case).
    pub(crate) fn get(&self, name: &str) -> Option<&T> {
        self.index.get(name).and_then(|&i| self.items.get(i))
    }

    /// Adds `item` as `name`, or replaces the object of that name (OpenDSS redefines it).
    pub(crate) fn insert(&mut self, name: String, item: T) -> usize {
        match self.index.get(&name) {
            Some(&i) if i < self.items.len() => {
                self.items[i] = item;
                i
            }
            _ => {
                self.items.push(item);
                let i = self.items.len() - 1;
                self.index.insert(name, i);
                i
            }
        }
    }
}

pub(crate) fn number(value: &str) -> Result<f64, PropError> {
    parse_number(value).ok_or(PropError::BadValue)
}

pub(crate) fn count(value: &str, max: f64) -> Result<usize, PropError> {
    let x = number(value)?.round();
    if (1.0..=max).contains(&x) {
        Ok(x as usize)
    } else {
        Err(PropError::BadValue)
    }
}

/// The source: `New Circuit.X` (alias `Vsource.source`).
#[derive(Clone, Debug)]
pub(crate) struct CircuitDef {
    pub name: String,
    pub bus1: String,
    pub basekv: Option<f64>,
}

impl CircuitDef {
    pub(crate) fn apply(&mut self, prop: &str, value: &str) -> Result<(), PropError> {
        match prop {
            "bus1" => self.bus1 = value.to_string(),
            "basekv" => self.basekv = Some(number(value)?),
            _ => {}
        }
        Ok(())
    }
}

/// `New Linecode`: only what a line takes from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineCodeDef {
    pub nphases: Option<u8>,
    pub units: Option<LengthUnit>,
}

impl LineCodeDef {
    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        lib: &Library,
    ) -> Result<(), PropError> {
        match prop {
            "nphases" => self.nphases = Some(count(value, 255.0)? as u8),
            "units" => self.units = Some(LengthUnit::parse(value)),
            "like" => {
                let key = value.to_lowercase();
                *self = lib.linecodes.get(&key).cloned().ok_or(PropError::Unknown(key))?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// `New Line`.
#[derive(Clone, Debug)]
pub(crate) struct LineDef {
    pub display: String,
    pub loc: Loc,
    pub bus1: Option<String>,
    pub bus2: Option<String>,
    pub phases: u8,
    pub length: f64,
    pub units: LengthUnit,
    pub linecode_units: Option<LengthUnit>,
    pub switch: bool,
    pub enabled: bool,
    /// Opened by an `Open` command or a `SwtControl` with `normal=open`.
    pub opened: bool,
}

impl LineDef {
    pub(crate) fn new(display: String, loc: Loc) -> Self {
        LineDef {
            display,
            loc,
            bus1: None,
            bus2: None,
            phases: 3,
            length: 1.0,
            units: LengthUnit::None,
            linecode_units: None,
            switch: false,
            enabled: true,
            opened: false,
        }
    }

    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        lib: &Library,
        lines: &Table<LineDef>,
    ) -> Result<(), PropError> {
        match prop {
            "bus1" => self.bus1 = Some(value.to_string()),
            "bus2" => self.bus2 = Some(value.to_string()),
            "linecode" => {
                // An unknown line code is not fatal in OpenDSS either: impedances are not needed.
                if let Some(code) = lib.linecodes.get(&value.to_lowercase()) {
                    if let Some(n) = code.nphases {
                        self.phases = n;
                    }
                    self.linecode_units = code.units;
                }
            }
            "length" => {
                let len = number(value)?;
                if len < 0.0 {
                    return Err(PropError::BadValue);
                }
                self.length = len;
            }
            "phases" => self.phases = count(value, 255.0)? as u8,
            "units" => self.units = LengthUnit::parse(value),
            "switch" => {
                self.switch = parse_bool(value);
                if self.switch {
                    self.length = 0.001;
                    self.units = LengthUnit::None;
                }
            }
            "enabled" => self.enabled = parse_bool(value),
            "like" => {
                let key = value.to_lowercase();
                let other = lines.get(&key).ok_or(PropError::Unknown(format!("line.{key}")))?;
                *self = LineDef { display: self.display.clone(), loc: self.loc, ..other.clone() };
            }
            _ => {}
        }
        Ok(())
    }

    /// Length in metres: the line's units, else its line code's (OpenDSS's rule), else km.
    pub(crate) fn length_m(&self) -> f64 {
        let per_unit = self
            .units
            .metres()
            .or_else(|| self.linecode_units.and_then(LengthUnit::metres))
            .unwrap_or(1000.0);
        self.length * per_unit
    }
}

/// How a load's kW is given.
#[derive(Clone, Copy, Debug, PartialEq)]
enum LoadSpec {
    Kw,
    Kva,
    /// Allocated from the transformer kVA: kW = xfkVA × allocation factor × pf.
    XfKva,
}

/// `New Load`.
#[derive(Clone, Debug)]
pub(crate) struct LoadDef {
    pub display: String,
    pub loc: Loc,
    pub bus1: Option<String>,
    kw: f64,
    kva: f64,
    xfkva: f64,
    allocation: f64,
    pf: f64,
    spec: LoadSpec,
}

impl LoadDef {
    pub(crate) fn new(display: String, loc: Loc) -> Self {
        LoadDef {
            display,
            loc,
            bus1: None,
            kw: 10.0,
            kva: 0.0,
            xfkva: 0.0,
            allocation: 0.5,
            pf: 0.88,
            spec: LoadSpec::Kw,
        }
    }

    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        loads: &Table<LoadDef>,
    ) -> Result<(), PropError> {
        match prop {
            "bus1" => self.bus1 = Some(value.to_string()),
            "kw" => (self.kw, self.spec) = (number(value)?, LoadSpec::Kw),
            "kva" => (self.kva, self.spec) = (number(value)?, LoadSpec::Kva),
            "xfkva" => (self.xfkva, self.spec) = (number(value)?, LoadSpec::XfKva),
            "allocationfactor" => self.allocation = number(value)?,
            "pf" => self.pf = number(value)?,
            "like" => {
                let key = value.to_lowercase();
                let other = loads.get(&key).ok_or(PropError::Unknown(format!("load.{key}")))?;
                *self = LoadDef { display: self.display.clone(), loc: self.loc, ..other.clone() };
            }
            _ => {}
        }
        Ok(())
    }

    /// Nominal demand in kW.
    pub(crate) fn kw(&self) -> f64 {
        match self.spec {
            LoadSpec::Kw => self.kw,
            LoadSpec::Kva => self.kva * self.pf.abs(),
            LoadSpec::XfKva => self.xfkva * self.allocation * self.pf.abs(),
        }
    }
}

/// `New Fuse` / `Recloser` / `Relay` / `SwtControl`: a device acting on another element.
#[derive(Clone, Debug)]
pub(crate) struct ProtectionDef {
    pub display: String,
    pub loc: Loc,
    pub monitored: Option<String>,
    pub switched: Option<String>,
    pub normally_open: bool,
}

impl ProtectionDef {
    pub(crate) fn new(display: String, loc: Loc) -> Self {
        ProtectionDef { display, loc, monitored: None, switched: None, normally_open: false }
    }

    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        same_class: &Table<ProtectionDef>,
    ) -> Result<(), PropError> {
        match prop {
            "monitoredobj" => self.monitored = Some(value.to_lowercase()),
            "switchedobj" => self.switched = Some(value.to_lowercase()),
            "normal" | "state" => {
                self.normally_open = value.trim().to_ascii_lowercase().starts_with('o');
            }
            "like" => {
                let key = value.to_lowercase();
                let other = same_class.get(&key).ok_or(PropError::Unknown(key))?;
                *self =
                    ProtectionDef { display: self.display.clone(), loc: self.loc, ..other.clone() };
            }
            _ => {}
        }
        Ok(())
    }

    /// The element the device opens: the switched object, else the monitored one.
    pub(crate) fn target(&self) -> Option<&str> {
        self.switched.as_deref().or(self.monitored.as_deref())
    }
}

/// `New Reactor`: a series element when `bus2` is another bus.
#[derive(Clone, Debug)]
pub(crate) struct ReactorDef {
    pub display: String,
    pub loc: Loc,
    pub bus1: Option<String>,
    pub bus2: Option<String>,
    pub phases: u8,
    pub enabled: bool,
}

impl ReactorDef {
    pub(crate) fn new(display: String, loc: Loc) -> Self {
        ReactorDef { display, loc, bus1: None, bus2: None, phases: 3, enabled: true }
    }

    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        reactors: &Table<ReactorDef>,
    ) -> Result<(), PropError> {
        match prop {
            "bus1" => self.bus1 = Some(value.to_string()),
            "bus2" => self.bus2 = Some(value.to_string()),
            "phases" => self.phases = count(value, 255.0)? as u8,
            "enabled" => self.enabled = parse_bool(value),
            "like" => {
                let key = value.to_lowercase();
                let other =
                    reactors.get(&key).ok_or(PropError::Unknown(format!("reactor.{key}")))?;
                *self =
                    ReactorDef { display: self.display.clone(), loc: self.loc, ..other.clone() };
            }
            _ => {}
        }
        Ok(())
    }
}

/// `New RegControl`: which transformer it controls.
#[derive(Clone, Debug)]
pub(crate) struct RegControlDef {
    pub loc: Loc,
    pub transformer: Option<String>,
}

impl RegControlDef {
    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        regs: &Table<RegControlDef>,
    ) -> Result<(), PropError> {
        match prop {
            "transformer" => self.transformer = Some(value.to_lowercase()),
            "like" => {
                let key = value.to_lowercase();
                let other =
                    regs.get(&key).ok_or(PropError::Unknown(format!("regcontrol.{key}")))?;
                *self = RegControlDef { loc: self.loc, ..other.clone() };
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_length_uses_line_units_then_linecode_units_then_km() {
        let mut l = LineDef::new("L".into(), Loc::default());
        l.length = 2.0;
        assert_eq!(l.length_m(), 2000.0);
        l.linecode_units = Some(LengthUnit::KiloFeet);
        assert!((l.length_m() - 609.6).abs() < 1e-9);
        l.units = LengthUnit::Feet;
        assert!((l.length_m() - 0.6096).abs() < 1e-9);
    }

    #[test]
    fn load_kw_comes_from_kw_kva_or_allocation() {
        let t = Table::default();
        let mut l = LoadDef::new("L".into(), Loc::default());
        assert_eq!(l.kw(), 10.0);
        assert_eq!(l.apply("kva", "100", &t), Ok(()));
        assert_eq!(l.apply("pf", "-0.9", &t), Ok(()));
        assert!((l.kw() - 90.0).abs() < 1e-9);
        assert_eq!(l.apply("xfkva", "10", &t), Ok(()));
        assert_eq!(l.apply("allocationfactor", "0.5", &t), Ok(()));
        assert!((l.kw() - 4.5).abs() < 1e-9);
    }
}
