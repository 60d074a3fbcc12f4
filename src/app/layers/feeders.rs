//! 10 kV feeders: every MV line section coloured by the feeder that energises it now (grey
//! when de-energised), width by voltage; LV lines from zoom 16.

use crate::model::ElementRef;
use eframe::egui::{Color32, Mesh};

use super::{paint, LayerShapes, Scene, IN_BOX_MIN_ZOOM};
use crate::app::view::{world_of, MapView};

/// Colour of a de-energised line.
pub const DEAD: Color32 = Color32::from_rgb(150, 150, 150);
/// Colour of LV lines.
pub const LV: Color32 = Color32::from_rgb(120, 120, 120);

/// Line width in points for a nominal voltage at a zoom.
pub fn width_for(kv: f32, zoom: f64, large: bool) -> f32 {
    let base = match kv {
        k if k <= 10.5 => 1.8,
        k if k <= 20.5 => 2.4,
        k if k <= 35.5 => 3.0,
        _ => 3.6,
    };
    let z = ((zoom as f32 - 12.0) * 0.25).clamp(-0.6, 1.0) + 1.0;
    base * z * if large { 1.4 } else { 1.0 }
}

/// Builds the feeder lines in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut mesh = Mesh::default();
    let (lo, hi) = view.world_bounds(8.0);
    let min_step = if view.zoom < 13.0 {
        2.5
    } else if view.zoom < 15.0 {
        1.2
    } else {
        0.5
    };
    // lines shorter than this on screen are drawn as nothing at low zoom
    let min_extent = if view.zoom < 13.0 { 0.6 / view.scale() } else { 0.0 };
    let snap = scene.snap;
    if view.zoom >= 16.0 {
        lv_lines(view, scene, &mut mesh);
    }
    for l in &snap.lines {
        let (a, b) = l.bbox;
        if b[0] < lo[0] || a[0] > hi[0] || b[1] < lo[1] || a[1] > hi[1] {
            continue;
        }
        if (b[0] - a[0]).max(b[1] - a[1]) < min_extent {
            continue;
        }
        let colour = match l.feeder {
            Some(f) => snap.feeder_colours[f.index()],
            None => DEAD,
        };
        let w = width_for(l.kv, view.zoom, scene.large);
        let pts = snap.route(l).iter().map(|p| view.to_screen(*p));
        paint::polyline(&mut mesh, pts, w, colour, min_step);
    }
    let mut out = LayerShapes::default();
    paint::into_shape(mesh, &mut out.shapes);
    out
}

fn lv_lines(view: &MapView, scene: &Scene, mesh: &mut Mesh) {
    if view.zoom < IN_BOX_MIN_ZOOM {
        return;
    }
    let m = &scene.grid.model;
    let inside = scene.in_view(view);
    let w = if scene.large { 1.6 } else { 1.1 };
    for s in &inside.segments {
        let ElementRef::LvLine(id) = s.element else { continue };
        let l = &m.lv_lines[id.index()];
        let k = s.segment as usize;
        let (Some(a), Some(b)) = (l.route.get(k), l.route.get(k + 1)) else { continue };
        let colour = if scene.grid.topology.is_energised(l.to) { LV } else { DEAD };
        paint::segment(mesh, view.to_screen(world_of(*a)), view.to_screen(world_of(*b)), w, colour);
    }
}
