//! What GridCare computes for a scenario's area (先算后停), off the UI thread: for a polygon
//! the library's isolation ([`isolate_polygon`]: the switches to open, who loses supply inside
//! and outside it) and the back-feed of every tie ([`back_feed`]); for devices, who loses
//! supply when they open together ([`affected_by_opening`]). The answer ([`PlanView`]) holds
//! the counts the panel shows and the marks the map draws, and how long the library took.
//!
//! On the demo city (100,000 customers) the isolation and the back-feed of a few hundred
//! metres' polygon take tens of milliseconds in a release build and far more in a debug
//! one, too much for a frame: the work runs on a worker thread ([`spawn`]) like the
//! dashboard's, and the panel shows "computing…" meanwhile.

use std::sync::{mpsc, Arc};
use std::time::Instant;

use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, ElementRef, LonLat};
use crate::outage::{affected_by_opening, outage_polygon};
use crate::planning::{back_feed, isolate_polygon, ScenarioArea};
use crate::spatial::{switch_position, transformer_position};

use crate::app::layers::planning::{NamedMark, PlanMarks};
use crate::app::session::device_position;
use crate::app::view::world_of;

/// A tie that can back-feed part of the area.
#[derive(Clone, Debug, PartialEq)]
pub struct TieRow {
    /// The tie switch.
    pub tie: String,
    /// The feeder that supplies through it (display name).
    pub from_feeder: String,
    /// Further switches to open so that the work area stays dead.
    pub extra: Vec<String>,
    /// Customers outside the polygon it keeps in supply.
    pub saved: usize,
}

/// What GridCare computed for an area.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    /// The area it was computed for.
    pub area: ScenarioArea,
    /// The devices to open: the isolating switches of a polygon, or the devices picked.
    pub opened: Vec<(String, DeviceRef)>,
    /// Customers inside the polygon (energised before the work); `None` for devices.
    pub inside: Option<usize>,
    /// Customers outside the polygon that lose supply with it; `None` for devices.
    pub outside_cut: Option<usize>,
    /// Inside customers no operable switch can de-energise.
    pub not_isolatable: Vec<CustomerId>,
    /// Inside customers already without supply.
    pub already_dead: usize,
    /// Every customer that loses supply (from the topology), sorted.
    pub affected: Vec<CustomerId>,
    /// The ties that can back-feed, most customers kept first (polygons only).
    pub ties: Vec<TieRow>,
    /// What the map draws.
    pub marks: Arc<PlanMarks>,
    /// Time the isolation (or the impact of the devices) took, ms.
    pub isolate_ms: f64,
    /// Time the back-feed of every tie took, ms.
    pub back_feed_ms: f64,
}

fn switch_name(grid: &Grid, s: crate::model::SwitchId) -> String {
    grid.model.switches[s.index()].name.clone()
}

/// Where a device is drawn (world).
fn device_world(grid: &Grid, d: DeviceRef) -> Option<[f64; 2]> {
    let p: Option<LonLat> = match d {
        DeviceRef::Element(ElementRef::Switch(s)) => switch_position(&grid.model, s),
        DeviceRef::Element(ElementRef::Transformer(t)) => transformer_position(&grid.model, t),
        d => device_position(grid, d),
    };
    p.map(world_of)
}

/// The map marks of the devices picked (before any computation).
pub fn picked_marks(grid: &Grid, devices: &[String]) -> Vec<NamedMark> {
    devices
        .iter()
        .filter_map(|n| {
            let d = grid.resolve(n).ok()?;
            Some(NamedMark { world: device_world(grid, d)?, caption: n.clone() })
        })
        .collect()
}

/// Computes an area: the isolation and back-feed of a polygon, or the impact of devices.
/// The error is the library's (a device that does not exist).
pub fn compute(grid: &Grid, area: &ScenarioArea) -> Result<PlanView, crate::grid::GridError> {
    let m = &grid.model;
    let started = Instant::now();
    let mut view = PlanView {
        area: area.clone(),
        opened: Vec::new(),
        inside: None,
        outside_cut: None,
        not_isolatable: Vec::new(),
        already_dead: 0,
        affected: Vec::new(),
        ties: Vec::new(),
        marks: Arc::default(),
        isolate_ms: 0.0,
        back_feed_ms: 0.0,
    };
    let mut marks = PlanMarks::default();
    let inside_set: std::collections::HashSet<CustomerId>;
    match area {
        ScenarioArea::Polygon { ring } => {
            let iso = isolate_polygon(grid, ring);
            view.isolate_ms = started.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let feeds = back_feed(grid, &iso.switches, &iso.inside);
            view.back_feed_ms = t.elapsed().as_secs_f64() * 1e3;
            for f in &feeds {
                let tie = switch_name(grid, f.tie);
                let feeder = &m.feeders[f.from_feeder.index()];
                if let Some(w) = switch_position(m, f.tie).map(world_of) {
                    marks.ties.push(NamedMark { world: w, caption: tie.clone() });
                }
                view.ties.push(TieRow {
                    tie,
                    from_feeder: format!("{} ({})", feeder.display_name, feeder.name),
                    extra: f.extra_switches.iter().map(|s| switch_name(grid, *s)).collect(),
                    saved: f.saved.len(),
                });
            }
            view.opened = iso
                .switches
                .iter()
                .map(|s| (switch_name(grid, *s), DeviceRef::Element(ElementRef::Switch(*s))))
                .collect();
            view.inside = Some(iso.inside.len());
            view.outside_cut = Some(iso.outside_cut.len());
            view.not_isolatable = iso.not_isolatable;
            view.already_dead = iso.already_dead.len();
            inside_set = iso.inside.iter().copied().collect();
            view.affected = iso.affected;
        }
        ScenarioArea::Devices { devices } => {
            let refs = devices.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
            view.affected = affected_by_opening(grid, &refs);
            view.isolate_ms = started.elapsed().as_secs_f64() * 1e3;
            view.opened = devices.iter().cloned().zip(refs).collect();
            inside_set = view.affected.iter().copied().collect();
        }
    }
    for (name, d) in &view.opened {
        if let Some(w) = device_world(grid, *d) {
            marks.switches.push(NamedMark { world: w, caption: name.clone() });
        }
    }
    let mut transformers = std::collections::BTreeSet::new();
    let mut positions = Vec::with_capacity(view.affected.len());
    for c in &view.affected {
        let cu = &m.customers[c.index()];
        positions.push(cu.pos);
        let w = world_of(cu.pos);
        if inside_set.contains(c) {
            marks.inside.push(w);
        } else {
            marks.outside.push(w);
        }
        if let Some(t) = cu.transformer {
            transformers.insert(t);
        }
    }
    marks.transformers =
        transformers.into_iter().filter_map(|t| transformer_position(m, t)).map(world_of).collect();
    marks.hull = outage_polygon(&positions).into_iter().map(world_of).collect();
    view.marks = Arc::new(marks);
    Ok(view)
}

/// What the worker sends back: the area asked and its answer (or the error's text).
pub type Computed = (ScenarioArea, Result<PlanView, crate::grid::GridError>);

/// Computes an area on a worker thread; the receiver gets the answer, and the UI a repaint.
pub fn spawn(
    grid: Arc<Grid>,
    area: ScenarioArea,
    repaint: eframe::egui::Context,
) -> mpsc::Receiver<Computed> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let answer = compute(&grid, &area);
        let _ = tx.send((area, answer));
        repaint.request_repaint();
    });
    rx
}
