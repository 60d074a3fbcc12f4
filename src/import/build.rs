//! From the objects read to a [`GridModel`]: buses, positions, element kinds, LV areas and
//! customers. The rules are listed in the [module documentation](super).

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use super::elements::{Loc, ProtectionDef, Table};
use super::lexer::bus_name;
use super::opendss::Script;
use super::{GeoAnchor, ImportError};
use crate::model::*;

/// A transformer whose lowest winding is below this (kV) serves customers.
const LV_KV: f64 = 1.0;
/// A non-distribution transformer whose HV winding is above this (kV) is a substation one.
const SUBSTATION_KV: f64 = 35.0;

struct Buses {
    names: Vec<String>,
    index: HashMap<String, BusId>,
}

impl Buses {
    fn intern(&mut self, reference: &str) -> BusId {
        let name = bus_name(reference);
        if let Some(&id) = self.index.get(&name) {
            return id;
        }
        let id = BusId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.clone());
        self.index.insert(name, id);
        id
    }
}

/// What a script line became in the model.
#[derive(Clone, Copy)]
enum LineAs {
    Section(LineId),
    Switch(SwitchId),
    Lv(LvLineId),
}

fn id32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub(crate) fn build(
    s: &Script,
    master: &Path,
    anchor: &GeoAnchor,
) -> Result<GridModel, ImportError> {
    let circuit = s
        .circuit
        .as_ref()
        .ok_or_else(|| ImportError::NoCircuit { file: master.to_path_buf(), line: 0 })?;
    let path = |loc: Loc| s.files.get(loc.file).cloned().unwrap_or_default();
    let missing = |loc: Loc, element: String, property: &'static str| {
        ImportError::MissingProperty { file: path(loc), line: loc.line, element, property }
    };
    let mut buses = Buses { names: Vec::new(), index: HashMap::new() };
    let source = buses.intern(&circuit.bus1);

    // Terminals of every branch, in definition order per class.
    let mut line_ends = Vec::with_capacity(s.lines.items.len());
    for l in &s.lines.items {
        let element = || format!("line.{}", l.display.to_lowercase());
        let b1 = l.bus1.as_deref().ok_or_else(|| missing(l.loc, element(), "bus1"))?;
        let b2 = l.bus2.as_deref().ok_or_else(|| missing(l.loc, element(), "bus2"))?;
        line_ends.push((buses.intern(b1), buses.intern(b2)));
    }
    let mut reactor_ends = Vec::new();
    for (i, r) in s.reactors.items.iter().enumerate() {
        let b1 = r.bus1.as_deref().ok_or_else(|| {
            missing(r.loc, format!("reactor.{}", r.display.to_lowercase()), "bus1")
        })?;
        match r.bus2.as_deref() {
            Some(b2) if bus_name(b2) != bus_name(b1) => {
                reactor_ends.push((i, buses.intern(b1), buses.intern(b2)));
            }
            _ => {} // a shunt reactor: no topology
        }
    }
    let mut xfmr_ends = Vec::with_capacity(s.transformers.items.len());
    for t in &s.transformers.items {
        let w = &t.w.windings;
        let element = || format!("transformer.{}", t.display.to_lowercase());
        let (Some(w1), Some(w2)) = (w.first(), w.get(1)) else {
            return Err(missing(t.loc, element(), "buses"));
        };
        let b1 = w1.bus.as_deref().ok_or_else(|| missing(t.loc, element(), "buses"))?;
        let b2 = w2.bus.as_deref().ok_or_else(|| missing(t.loc, element(), "buses"))?;
        let (hv, lv, lv_kv) = if w1.kv < w2.kv { (b2, b1, w1.kv) } else { (b1, b2, w2.kv) };
        let min_kv = w.iter().map(|w| w.kv).fold(f64::INFINITY, f64::min);
        let max_kv = w.iter().map(|w| w.kv).fold(0.0, f64::max);
        let kind = if t.sub {
            TransformerKind::Substation
        } else if min_kv < LV_KV {
            TransformerKind::Public
        } else if w.iter().all(|x| x.kv == w1.kv) {
            TransformerKind::Regulator
        } else if max_kv > SUBSTATION_KV {
            TransformerKind::Substation
        } else {
            TransformerKind::Regulator
        };
        xfmr_ends.push((buses.intern(hv), buses.intern(lv), kind, lv_kv));
    }
    let mut load_buses = Vec::with_capacity(s.loads.items.len());
    for l in &s.loads.items {
        let b = l
            .bus1
            .as_deref()
            .ok_or_else(|| missing(l.loc, format!("load.{}", l.display.to_lowercase()), "bus1"))?;
        load_buses.push(buses.intern(b));
    }
    for r in &s.regcontrols.items {
        if let Some(t) = r.transformer.as_deref().filter(|t| s.transformers.get(t).is_none()) {
            return Err(ImportError::UnknownElement {
                file: path(r.loc),
                line: r.loc.line,
                element: "regcontrol".into(),
                target: format!("transformer.{t}"),
            });
        }
    }
    let n = buses.names.len();

    // Positions.
    let projection =
        anchor.projection(buses.names.iter().filter_map(|b| s.coords.get(b)).map(|c| (c.x, c.y)));
    let mut pos: Vec<Option<LonLat>> = Vec::with_capacity(n);
    for name in &buses.names {
        pos.push(match s.coords.get(name) {
            Some(c) => {
                let p = projection.lonlat(c.x, c.y);
                if !p.is_valid() {
                    return Err(ImportError::BadCoordinate {
                        file: s.files.get(c.file).cloned().unwrap_or_default(),
                        line: c.line,
                        bus: name.clone(),
                        message: format!("({}, {}) maps to {p:?}, outside WGS84", c.x, c.y),
                    });
                }
                Some(p)
            }
            None => None,
        });
    }

    // LV areas: from each distribution transformer's LV bus through lines, nearest first.
    let mut line_adj: Vec<Vec<BusId>> = vec![Vec::new(); n];
    for &(a, b) in &line_ends {
        line_adj[a.index()].push(b);
        line_adj[b.index()].push(a);
    }
    let mut area: Vec<Option<(TransformerId, u32)>> = vec![None; n];
    let mut queue = VecDeque::new();
    for (i, &(_, lv, kind, _)) in xfmr_ends.iter().enumerate() {
        if kind.is_distribution() && lv != source && area[lv.index()].is_none() {
            area[lv.index()] = Some((TransformerId(id32(i)), 0));
            queue.push_back(lv);
        }
    }
    while let Some(b) = queue.pop_front() {
        let Some((t, depth)) = area[b.index()] else { continue };
        for &o in &line_adj[b.index()] {
            if o != source && area[o.index()].is_none() {
                area[o.index()] = Some((t, depth + 1));
                queue.push_back(o);
            }
        }
    }

    // Nearest positioned bus for every bus, through any branch.
    let mut adj = line_adj;
    for &(_, a, b) in &reactor_ends {
        adj[a.index()].push(b);
        adj[b.index()].push(a);
    }
    for &(a, b, _, _) in &xfmr_ends {
        adj[a.index()].push(b);
        adj[b.index()].push(a);
    }
    let near = nearest_positions(&pos, &adj);
    let pos_of = |b: BusId| pos[b.index()];
    let route = |a: BusId, b: BusId| match (pos_of(a), pos_of(b)) {
        (Some(p), Some(q)) => vec![p, q],
        _ => Vec::new(),
    };

    let mut m = GridModel { name: circuit.name.to_lowercase(), ..GridModel::default() };
    let opened_by_control = switch_controls(s, &path)?;
    let mut line_as = Vec::with_capacity(s.lines.items.len());
    for (i, (l, &(a, b))) in s.lines.items.iter().zip(&line_ends).enumerate() {
        let name = format!("line.{}", l.display.to_lowercase());
        let length = l.length_m() as f32;
        if !length.is_finite() {
            return Err(ImportError::BadValue {
                file: path(l.loc),
                line: l.loc.line,
                element: name,
                property: "length".into(),
                value: l.length.to_string(),
            });
        }
        let lv_depths = area[a.index()].zip(area[b.index()]).map(|(x, y)| (x.1, y.1));
        if l.switch {
            let normally_open = !l.enabled || l.opened || opened_by_control.contains(&i);
            let kind = if normally_open { SwitchKind::Tie } else { SwitchKind::Sectionaliser };
            let mount = SwitchMount::Terminals { from: a, to: b };
            line_as.push(LineAs::Switch(SwitchId(id32(m.switches.len()))));
            m.switches.push(Switch { name, kind, mount, normally_open, pos: pos_of(a) });
        } else if let Some((da, db)) = lv_depths {
            let (from, to) = if db < da { (b, a) } else { (a, b) };
            line_as.push(LineAs::Lv(LvLineId(id32(m.lv_lines.len()))));
            m.lv_lines.push(LvLine { name, from, to, length_m: length, route: route(from, to) });
        } else {
            line_as.push(LineAs::Section(LineId(id32(m.lines.len()))));
            let in_service = l.enabled;
            m.lines.push(LineSection {
                name,
                from: a,
                to: b,
                length_m: length,
                phases: l.phases,
                route: route(a, b),
                in_service,
            });
        }
    }
    for &(i, a, b) in &reactor_ends {
        let Some(r) = s.reactors.items.get(i) else { continue };
        let name = format!("reactor.{}", r.display.to_lowercase());
        let (phases, in_service) = (r.phases, r.enabled);
        m.lines.push(LineSection {
            name,
            from: a,
            to: b,
            length_m: 0.0,
            phases,
            route: route(a, b),
            in_service,
        });
    }
    for (class, table, kind) in [
        ("fuse", &s.fuses, SwitchKind::Fuse),
        ("recloser", &s.reclosers, SwitchKind::Recloser),
        ("relay", &s.relays, SwitchKind::Breaker),
    ] {
        for d in &table.items {
            let name = format!("{class}.{}", d.display.to_lowercase());
            let Some(line) = target_line(s, d, &name, &path)? else { continue };
            let (mount, at) = match line_as.get(line).copied() {
                Some(LineAs::Section(id)) => (SwitchMount::OnLine(id), m.lines[id.index()].from),
                Some(LineAs::Switch(id)) => match m.switches[id.index()].mount {
                    SwitchMount::Terminals { from, to } => {
                        (SwitchMount::Terminals { from, to }, from)
                    }
                    on_line @ SwitchMount::OnLine(id) => (on_line, m.lines[id.index()].from),
                },
                Some(LineAs::Lv(id)) => {
                    let lv = &m.lv_lines[id.index()];
                    (SwitchMount::Terminals { from: lv.from, to: lv.to }, lv.from)
                }
                None => continue,
            };
            let normally_open = d.normally_open;
            m.switches.push(Switch { name, kind, mount, normally_open, pos: pos_of(at) });
        }
    }
    let mut feeder_kv = None;
    for (t, &(hv, lv, kind, lv_kv)) in s.transformers.items.iter().zip(&xfmr_ends) {
        if kind == TransformerKind::Substation && feeder_kv.is_none() {
            feeder_kv = Some(lv_kv);
        }
        let kva = t.w.windings.first().map_or(0.0, |w| w.kva) as f32;
        m.transformers.push(Transformer {
            name: format!("transformer.{}", t.display.to_lowercase()),
            display_name: t.display.clone(),
            kind,
            hv_bus: hv,
            lv_bus: lv,
            kva,
            pos: pos_of(hv),
        });
    }
    for (i, (l, &bus)) in s.loads.items.iter().zip(&load_buses).enumerate() {
        m.customers.push(Customer {
            name: format!("load.{}", l.display.to_lowercase()),
            account_no: format!("06{:08}", i + 1),
            display_name: l.display.clone(),
            phones: Vec::new(),
            address: StandardAddress::default(),
            labels: Labels::default(),
            bus,
            transformer: area[bus.index()].map(|(t, _)| t),
            kw: l.kw() as f32,
            pos: pos_of(bus).or(near[bus.index()]).unwrap_or(anchor.centre),
        });
    }
    let basekv = circuit.basekv;
    m.substations.push(Substation {
        name: format!("circuit.{}", circuit.name.to_lowercase()),
        display_name: circuit.name.clone(),
        pos: pos_of(source).unwrap_or(anchor.centre),
        kv_hv: basekv.unwrap_or(115.0) as f32,
    });
    m.feeders.push(Feeder {
        name: format!("feeder.{}", circuit.name.to_lowercase()),
        display_name: circuit.name.clone(),
        substation: SubstationId(0),
        source_bus: source,
        kv: feeder_kv.or(basekv).unwrap_or(12.47) as f32,
        unit: "imported".into(),
    });
    m.buses = buses.names.into_iter().zip(pos).map(|(name, pos)| Bus { name, pos }).collect();
    Ok(m)
}

/// Multi-source breadth-first search from every positioned bus: the position of the nearest one
/// (in branches) for each bus.
fn nearest_positions(pos: &[Option<LonLat>], adj: &[Vec<BusId>]) -> Vec<Option<LonLat>> {
    let mut near = pos.to_vec();
    let mut queue: VecDeque<usize> = (0..pos.len()).filter(|&i| pos[i].is_some()).collect();
    while let Some(b) = queue.pop_front() {
        for o in &adj[b] {
            if near[o.index()].is_none() {
                near[o.index()] = near[b];
                queue.push_back(o.index());
            }
        }
    }
    near
}

/// The line a protective device opens (`Some(index)`), `None` when it acts on another kind of
/// element (not representable), or an error for a missing or unknown target.
fn target_line(
    s: &Script,
    d: &ProtectionDef,
    name: &str,
    path: &dyn Fn(Loc) -> std::path::PathBuf,
) -> Result<Option<usize>, ImportError> {
    let Some(target) = d.target() else {
        let swt = name.starts_with("swtcontrol.");
        return Err(ImportError::MissingProperty {
            file: path(d.loc),
            line: d.loc.line,
            element: name.to_string(),
            property: if swt { "SwitchedObj" } else { "MonitoredObj" },
        });
    };
    let unknown = || ImportError::UnknownElement {
        file: path(d.loc),
        line: d.loc.line,
        element: name.to_string(),
        target: target.to_string(),
    };
    let (class, object) = target.split_once('.').ok_or_else(unknown)?;
    let exists = |t: &dyn Fn(&str) -> bool| if t(object) { Ok(None) } else { Err(unknown()) };
    match super::classes::find_class(class) {
        Some(super::classes::Class::Line) => {
            s.lines.index.get(object).map(|&i| Some(i)).ok_or_else(unknown)
        }
        Some(super::classes::Class::Transformer) => exists(&|o| s.transformers.get(o).is_some()),
        Some(super::classes::Class::Reactor) => exists(&|o| s.reactors.get(o).is_some()),
        Some(super::classes::Class::Load) => exists(&|o| s.loads.get(o).is_some()),
        Some(super::classes::Class::Other(c)) => {
            exists(&|o| s.others.contains(&(c, o.to_string())))
        }
        _ => Err(unknown()),
    }
}

/// Lines held open by a `SwtControl` with `normal=open` or `state=open`.
fn switch_controls(
    s: &Script,
    path: &dyn Fn(Loc) -> std::path::PathBuf,
) -> Result<Vec<usize>, ImportError> {
    let mut open = Vec::new();
    let table: &Table<ProtectionDef> = &s.swtcontrols;
    for d in &table.items {
        let name = format!("swtcontrol.{}", d.display.to_lowercase());
        if let Some(line) = target_line(s, d, &name, path)? {
            if d.normally_open {
                open.push(line);
            }
        }
    }
    Ok(open)
}
