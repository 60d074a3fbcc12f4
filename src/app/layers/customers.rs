//! Customers (用户). Level of detail: a density grid at low zoom (cells of 8–16 points,
//! shaded by count, red where customers are out of supply); single points once the view holds
//! few enough customers, taken from the spatial index (`spatial.in_box`) for the view only.

use eframe::egui::{Color32, Mesh, Pos2, Rect};

use super::{mark_scale, paint, LayerShapes, Scene, IN_BOX_MIN_ZOOM};
use crate::app::snapshot::{DENSITY_MAX_LEVEL, DENSITY_MIN_LEVEL};
use crate::app::view::MapView;

/// A supplied customer.
pub const ON: Color32 = Color32::from_rgb(25, 110, 200);
/// A customer out of supply.
pub const OUT: Color32 = Color32::from_rgb(220, 30, 30);
/// At most this many customers are drawn one by one; above it, the density grid.
pub const POINT_BUDGET: u64 = 40_000;

/// The density level whose cells are 8–16 points wide at `zoom`.
pub fn density_level(zoom: f64) -> u8 {
    ((zoom.floor() as i64) + 5).clamp(DENSITY_MIN_LEVEL as i64, DENSITY_MAX_LEVEL as i64) as u8
}

/// Builds the customer layer for a view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let level = density_level(view.zoom);
    let (lo, hi) = view.world_bounds(4.0);
    let density = &scene.snap.density;
    let in_view: u64 = density.cells_in(level, lo, hi).map(|c| u64::from(c.total)).sum();
    let mut mesh = Mesh::default();
    if view.zoom >= IN_BOX_MIN_ZOOM && in_view <= POINT_BUDGET {
        points(view, scene, &mut mesh);
    } else {
        cells(view, scene, level, lo, hi, &mut mesh);
    }
    paint::into_shape(mesh, &mut out.shapes);
    out
}

fn points(view: &MapView, scene: &Scene, mesh: &mut Mesh) {
    let inside = scene.in_view(view);
    let s = mark_scale(view, scene.large);
    let r = (1.6 + (view.zoom as f32 - 14.0).max(0.0) * 0.6) * s;
    mesh.reserve_vertices(inside.customers.len() * 8);
    mesh.reserve_triangles(inside.customers.len() * 4);
    let snap = scene.snap;
    // out-of-supply customers last, so that they are on top
    for pass_out in [false, true] {
        for id in &inside.customers {
            let i = id.index();
            let out = !snap.customer_energised[i];
            if out != pass_out {
                continue;
            }
            let p = view.to_screen(snap.customers[i]);
            if r >= 2.5 {
                paint::square(mesh, p, r + 0.8, Color32::WHITE);
            }
            paint::square(mesh, p, r, if out { OUT } else { ON });
        }
    }
}

fn cells(view: &MapView, scene: &Scene, level: u8, lo: [f64; 2], hi: [f64; 2], mesh: &mut Mesh) {
    let density = &scene.snap.density;
    let n = f64::from(1u32 << level);
    let max = f64::from(density.max_total(level).max(2));
    let cell_w = 1.0 / n;
    for c in density.cells_in(level, lo, hi) {
        let a = view.to_screen([f64::from(c.x) * cell_w, f64::from(c.y) * cell_w]);
        let b = view.to_screen([f64::from(c.x + 1) * cell_w, f64::from(c.y + 1) * cell_w]);
        let r = Rect::from_min_max(a, Pos2::new(b.x, b.y));
        // shade by log count: a lone customer is faint, the densest cell is strong
        let t = ((f64::from(c.total)).ln_1p() / max.ln_1p()).clamp(0.0, 1.0) as f32;
        let alpha = 0.15 + 0.55 * t;
        let colour = if c.out > 0 { OUT } else { ON };
        paint::rect(mesh, r, colour.gamma_multiply(alpha));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_cells_are_8_to_16_points_wide() {
        for z in [9.0, 11.0, 13.5, 16.99] {
            let level = density_level(z);
            let cell_pts = 256.0 * 2f64.powf(z) / f64::from(1u32 << level);
            assert!((8.0..16.0).contains(&cell_pts), "zoom {z}: {cell_pts}");
        }
    }
}
