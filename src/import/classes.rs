//! The OpenDSS vocabulary the importer knows: commands (verbs), classes and, for the classes that
//! carry topology, their property names in OpenDSS order (needed for positional properties and
//! abbreviations).

/// What the importer does with a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    New,
    Edit,
    More,
    Redirect,
    Clear,
    BusCoords,
    Open,
    Close,
    Enable,
    Disable,
    /// A known command with no effect on the topology (`Set`, `Solve`, `Show`, …).
    Ignore,
}

/// OpenDSS commands in the order of OpenDSS's own command list, so that an abbreviation
/// (`calcv`) resolves to the same command as in OpenDSS (the first one it starts).
#[rustfmt::skip]
const VERBS: &[(&str, Verb)] = &[
    ("new", Verb::New), ("edit", Verb::Edit), ("more", Verb::More), ("m", Verb::More),
    ("~", Verb::More), ("select", Verb::Ignore), ("save", Verb::Ignore), ("show", Verb::Ignore),
    ("solve", Verb::Ignore), ("enable", Verb::Enable), ("disable", Verb::Disable),
    ("plot", Verb::Ignore), ("reset", Verb::Ignore), ("compile", Verb::Redirect),
    ("set", Verb::Ignore), ("dump", Verb::Ignore), ("open", Verb::Open), ("close", Verb::Close),
    ("redirect", Verb::Redirect), ("help", Verb::Ignore), ("quit", Verb::Ignore),
    ("?", Verb::Ignore), ("next", Verb::Ignore), ("panel", Verb::Ignore), ("sample", Verb::Ignore),
    ("clear", Verb::Clear), ("about", Verb::Ignore), ("calcvoltagebases", Verb::Ignore),
    ("setkvbase", Verb::Ignore), ("buildy", Verb::Ignore), ("get", Verb::Ignore),
    ("init", Verb::Ignore), ("export", Verb::Ignore), ("fileedit", Verb::Ignore),
    ("voltages", Verb::Ignore), ("currents", Verb::Ignore), ("powers", Verb::Ignore),
    ("seqvoltages", Verb::Ignore), ("seqcurrents", Verb::Ignore), ("seqpowers", Verb::Ignore),
    ("losses", Verb::Ignore), ("phaselosses", Verb::Ignore), ("cktlosses", Verb::Ignore),
    ("allocateloads", Verb::Ignore), ("formedit", Verb::Ignore), ("totals", Verb::Ignore),
    ("capacity", Verb::Ignore), ("classes", Verb::Ignore), ("userclasses", Verb::Ignore),
    ("zsc", Verb::Ignore), ("zsc10", Verb::Ignore), ("zscrefresh", Verb::Ignore),
    ("ysc", Verb::Ignore), ("puvoltages", Verb::Ignore), ("varvalues", Verb::Ignore),
    ("varnames", Verb::Ignore), ("buscoords", Verb::BusCoords), ("makebuslist", Verb::Ignore),
    ("makeposseq", Verb::Ignore), ("reduce", Verb::Ignore), ("interpolate", Verb::Ignore),
    ("aligncols", Verb::Ignore), ("mergesourcefile", Verb::Ignore), ("batchedit", Verb::Ignore),
    ("pstcalc", Verb::Ignore), ("variable", Verb::Ignore), ("reprocessbuses", Verb::Ignore),
    ("clearbusmarkers", Verb::Ignore), ("relcalc", Verb::Ignore), ("var", Verb::Ignore),
    ("cleanup", Verb::Ignore), ("finishtimestep", Verb::Ignore), ("nodelist", Verb::Ignore),
    ("connect", Verb::Ignore), ("disconnect", Verb::Ignore), ("remove", Verb::Ignore),
    ("calcincmatrix", Verb::Ignore), ("calcincmatrix_o", Verb::Ignore),
    ("refine_buslevels", Verb::Ignore), ("calclaplacian", Verb::Ignore), ("rotate", Verb::Ignore),
    ("vdiff", Verb::Ignore), ("summary", Verb::Ignore), ("distribute", Verb::Ignore),
    ("di_plot", Verb::Ignore), ("comparecases", Verb::Ignore), ("yearlycurves", Verb::Ignore),
    ("cd", Verb::Ignore), ("visualize", Verb::Ignore), ("closedi", Verb::Ignore),
    ("doscmd", Verb::Ignore), ("estimate", Verb::Ignore), ("reconductor", Verb::Ignore),
    ("addbusmarker", Verb::Ignore), ("uuids", Verb::Ignore), ("setloadandgenkv", Verb::Ignore),
    ("cvrtloadshapes", Verb::Ignore), ("nodediff", Verb::Ignore), ("rephase", Verb::Ignore),
    ("setbusxy", Verb::Ignore), ("updatestorage", Verb::Ignore), ("obfuscate", Verb::Ignore),
    ("latlongcoords", Verb::Ignore), ("clearall", Verb::Clear), ("tear_circuit", Verb::Ignore),
    ("export_circuit", Verb::Ignore),
];

/// Finds a command by its exact name or, as OpenDSS does, by the first command it abbreviates.
pub(crate) fn find_verb(word: &str) -> Option<Verb> {
    let w = word.to_ascii_lowercase();
    if let Some((_, v)) = VERBS.iter().find(|(name, _)| *name == w) {
        return Some(*v);
    }
    if w.is_empty() {
        return None;
    }
    VERBS.iter().find(|(name, _)| name.starts_with(w.as_str())).map(|(_, v)| *v)
}

/// The classes whose objects the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    /// `Circuit` / `Vsource.source`: the source bus and voltage.
    Circuit,
    Line,
    Transformer,
    XfmrCode,
    LineCode,
    Load,
    Fuse,
    Recloser,
    Relay,
    Reactor,
    RegControl,
    SwtControl,
    /// A known class without topology; objects are only named (for references and `Edit`).
    Other(&'static str),
}

/// Classes known but not modelled. The general (library) ones survive `New Circuit`.
const GENERAL_CLASSES: &[&str] = &[
    "linegeometry",
    "wiredata",
    "cndata",
    "tsdata",
    "linespacing",
    "loadshape",
    "tshape",
    "priceshape",
    "xycurve",
    "growthshape",
    "tcc_curve",
    "spectrum",
];

const OTHER_ELEMENT_CLASSES: &[&str] = &[
    "capacitor",
    "capcontrol",
    "energymeter",
    "monitor",
    "sensor",
    "fmonitor",
    "generator",
    "pvsystem",
    "pvsystem2",
    "storage",
    "storage2",
    "storagecontroller",
    "storagecontroller2",
    "invcontrol",
    "invcontrol2",
    "expcontrol",
    "gendispatcher",
    "vsource",
    "isource",
    "vccs",
    "upfc",
    "upfccontrol",
    "esppvlcontrol",
    "fault",
    "gicline",
    "gictransformer",
    "gicsource",
    "indmach012",
    "windgen",
    "dynamicexp",
    "autotrans",
    "gfmcontroller",
];

/// Looks a class up by name (case-insensitive).
pub(crate) fn find_class(word: &str) -> Option<Class> {
    let w = word.to_ascii_lowercase();
    Some(match w.as_str() {
        "circuit" => Class::Circuit,
        "line" => Class::Line,
        "transformer" => Class::Transformer,
        "xfmrcode" => Class::XfmrCode,
        "linecode" => Class::LineCode,
        "load" => Class::Load,
        "fuse" => Class::Fuse,
        "recloser" => Class::Recloser,
        "relay" => Class::Relay,
        "reactor" => Class::Reactor,
        "regcontrol" => Class::RegControl,
        "swtcontrol" => Class::SwtControl,
        _ => {
            let found = GENERAL_CLASSES.iter().chain(OTHER_ELEMENT_CLASSES).find(|c| **c == w)?;
            Class::Other(found)
        }
    })
}

impl Class {
    /// True for library objects (line codes, curves…), which `New Circuit` keeps.
    pub(crate) fn is_general(self) -> bool {
        match self {
            Class::XfmrCode | Class::LineCode => true,
            Class::Other(name) => GENERAL_CLASSES.contains(&name),
            _ => false,
        }
    }

    /// The class word used in external ids.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Class::Circuit => "circuit",
            Class::Line => "line",
            Class::Transformer => "transformer",
            Class::XfmrCode => "xfmrcode",
            Class::LineCode => "linecode",
            Class::Load => "load",
            Class::Fuse => "fuse",
            Class::Recloser => "recloser",
            Class::Relay => "relay",
            Class::Reactor => "reactor",
            Class::RegControl => "regcontrol",
            Class::SwtControl => "swtcontrol",
            Class::Other(name) => name,
        }
    }

    /// Property names in OpenDSS order (empty for classes whose properties are all ignored).
    pub(crate) fn properties(self) -> &'static [&'static str] {
        match self {
            Class::Circuit => CIRCUIT,
            Class::Line => LINE,
            Class::Transformer => TRANSFORMER,
            Class::XfmrCode => XFMRCODE,
            Class::LineCode => LINECODE,
            Class::Load => LOAD,
            Class::Fuse => FUSE,
            Class::Recloser => RECLOSER,
            Class::Relay => RELAY,
            Class::Reactor => REACTOR,
            Class::RegControl => REGCONTROL,
            Class::SwtControl => SWTCONTROL,
            Class::Other(_) => &[],
        }
    }

    /// The canonical property name for `name`: an exact match, else the first property it
    /// abbreviates (OpenDSS's rule). `None` for an unknown property.
    pub(crate) fn property_index(self, name: &str) -> Option<usize> {
        let n = name.to_ascii_lowercase();
        let props = self.properties();
        props
            .iter()
            .position(|p| *p == n)
            .or_else(|| props.iter().position(|p| !n.is_empty() && p.starts_with(n.as_str())))
    }
}

#[rustfmt::skip]
const CIRCUIT: &[&str] = &[
    "bus1", "basekv", "pu", "angle", "frequency", "phases", "mvasc3", "mvasc1", "x1r1", "x0r0",
    "isc3", "isc1", "r1", "x1", "r0", "x0", "scantype", "sequence", "bus2", "z1", "z0", "z2",
    "puz1", "puz0", "puz2", "basemva", "yearly", "daily", "duty", "model", "puzideal", "spectrum",
    "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const LINE: &[&str] = &[
    "bus1", "bus2", "linecode", "length", "phases", "r1", "x1", "r0", "x0", "c1", "c0", "rmatrix",
    "xmatrix", "cmatrix", "switch", "rg", "xg", "rho", "geometry", "units", "spacing", "wires",
    "earthmodel", "cncables", "tscables", "b1", "b0", "seasons", "ratings", "linetype", "normamps",
    "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const TRANSFORMER: &[&str] = &[
    "phases", "windings", "wdg", "bus", "conn", "kv", "kva", "tap", "%r", "rneut", "xneut",
    "buses", "conns", "kvs", "kvas", "taps", "xhl", "xht", "xlt", "xscarray", "thermal", "n", "m",
    "flrise", "hsrise", "%loadloss", "%noloadloss", "normhkva", "emerghkva", "sub", "maxtap",
    "mintap", "numtaps", "subname", "%imag", "ppm_antifloat", "%rs", "bank", "xfmrcode", "xrconst",
    "x12", "x13", "x23", "leadlag", "wdgcurrents", "core", "rdcohms", "seasons", "ratings",
    "normamps", "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const XFMRCODE: &[&str] = &[
    "phases", "windings", "wdg", "conn", "kv", "kva", "tap", "%r", "rneut", "xneut", "conns",
    "kvs", "kvas", "taps", "xhl", "xht", "xlt", "xscarray", "thermal", "n", "m", "flrise",
    "hsrise", "%loadloss", "%noloadloss", "normhkva", "emerghkva", "maxtap", "mintap", "numtaps",
    "%imag", "ppm_antifloat", "%rs", "x12", "x13", "x23", "rdcohms", "seasons", "ratings", "like",
];

#[rustfmt::skip]
const LINECODE: &[&str] = &[
    "nphases", "r1", "x1", "r0", "x0", "c1", "c0", "units", "rmatrix", "xmatrix", "cmatrix",
    "basefreq", "normamps", "emergamps", "faultrate", "pctperm", "repair", "kron", "rg", "xg",
    "rho", "neutral", "b1", "b0", "seasons", "ratings", "linetype", "like",
];

#[rustfmt::skip]
const LOAD: &[&str] = &[
    "phases", "bus1", "kv", "kw", "pf", "model", "yearly", "daily", "duty", "growth", "conn",
    "kvar", "rneut", "xneut", "status", "class", "vminpu", "vmaxpu", "vminnorm", "vminemerg",
    "xfkva", "allocationfactor", "kva", "%mean", "%stddev", "cvrwatts", "cvrvars", "kwh",
    "kwhdays", "cfactor", "cvrcurve", "numcust", "zipv", "%seriesrl", "relweight", "vlowpu",
    "puxharm", "xrharm", "spectrum", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const FUSE: &[&str] = &[
    "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "fusecurve", "ratedcurrent",
    "delay", "action", "normal", "state", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const RECLOSER: &[&str] = &[
    "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "numfast", "phasefast",
    "phasedelayed", "groundfast", "grounddelayed", "phasetrip", "groundtrip", "phaseinst",
    "groundinst", "reset", "shots", "recloseintervals", "delay", "action", "tdphfast", "tdgrfast",
    "tdphdelayed", "tdgrdelayed", "normal", "state", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const RELAY: &[&str] = &[
    "monitoredobj", "monitoredterm", "switchedobj", "switchedterm", "type", "phasecurve",
    "groundcurve", "phasetrip", "groundtrip", "tdphase", "tdground", "phaseinst", "groundinst",
    "reset", "shots", "recloseintervals", "delay", "overvoltcurve", "undervoltcurve", "kvbase",
    "47%pickup", "46baseamps", "46%pickup", "46isqt", "variable", "overtrip", "undertrip",
    "breakertime", "action", "z1mag", "z1ang", "z0mag", "z0ang", "mphase", "mground", "eventlog",
    "debugtrace", "distreverse", "normal", "state", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const REACTOR: &[&str] = &[
    "bus1", "bus2", "phases", "kvar", "kv", "conn", "rmatrix", "xmatrix", "parallel", "r", "x",
    "rp", "z1", "z2", "z0", "z", "rcurve", "lcurve", "lmh", "normamps", "emergamps", "faultrate",
    "pctperm", "repair", "basefreq", "enabled", "like",
];

#[rustfmt::skip]
const REGCONTROL: &[&str] = &[
    "transformer", "winding", "vreg", "band", "ptratio", "ctprim", "r", "x", "bus", "delay",
    "reversible", "revvreg", "revband", "revr", "revx", "tapdelay", "debugtrace", "maxtapchange",
    "inversetime", "tapwinding", "vlimit", "ptphase", "revthreshold", "revdelay", "revneutral",
    "eventlog", "remoteptratio", "tapnum", "reset", "ldc_z", "rev_z", "cogen", "basefreq",
    "enabled", "like",
];

#[rustfmt::skip]
const SWTCONTROL: &[&str] = &[
    "switchedobj", "switchedterm", "action", "lock", "delay", "normal", "state", "reset",
    "basefreq", "enabled", "like",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_resolve_by_name_or_abbreviation() {
        assert_eq!(find_verb("Redirect"), Some(Verb::Redirect));
        assert_eq!(find_verb("calcv"), Some(Verb::Ignore));
        assert_eq!(find_verb("BusCoords"), Some(Verb::BusCoords));
        assert_eq!(find_verb("~"), Some(Verb::More));
        assert_eq!(find_verb("frobnicate"), None);
    }

    #[test]
    fn properties_resolve_by_name_or_abbreviation() {
        let t = Class::Transformer;
        assert_eq!(t.property_index("kV").map(|i| t.properties()[i]), Some("kv"));
        assert_eq!(t.property_index("kvas").map(|i| t.properties()[i]), Some("kvas"));
        assert_eq!(t.property_index("sub").map(|i| t.properties()[i]), Some("sub"));
        let l = Class::Load;
        assert_eq!(l.property_index("bus").map(|i| l.properties()[i]), Some("bus1"));
        assert_eq!(l.property_index("kw").map(|i| l.properties()[i]), Some("kw"));
        assert_eq!(Class::Line.property_index("nonsense"), None);
    }

    #[test]
    fn classes_are_known_case_insensitively() {
        assert_eq!(find_class("LINE"), Some(Class::Line));
        assert_eq!(find_class("TCC_Curve"), Some(Class::Other("tcc_curve")));
        assert!(find_class("LineCode").is_some_and(Class::is_general));
        assert!(!find_class("Capacitor").is_some_and(Class::is_general));
        assert_eq!(find_class("Widget"), None);
    }
}
