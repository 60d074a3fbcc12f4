//! The highlighted supply path (substation → feeder → switches → transformer → customer),
//! the selected device and the operator's pin, drawn bold over the grid.

use eframe::egui::{Color32, Mesh, Shape, Stroke};

use super::{mark_scale, paint, LayerShapes, Scene};
use crate::app::view::MapView;

/// Colour of the supply path.
pub const PATH: Color32 = Color32::from_rgb(255, 196, 0);
/// Casing under the path.
pub const CASING: Color32 = Color32::from_rgb(40, 30, 0);
/// Colour of the selection ring and the pin.
pub const SELECTED: Color32 = Color32::from_rgb(0, 170, 255);

/// Builds the highlight layer.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large).max(1.0);
    let o = scene.overlay;
    let mut mesh = Mesh::default();
    let routes = o.path.iter().flat_map(|p| p.routes.iter()).chain(o.selected_routes.iter());
    let routes: Vec<&Vec<[f64; 2]>> = routes.collect();
    for (width, colour) in [(8.0 * s, CASING), (4.5 * s, PATH)] {
        for r in &routes {
            paint::polyline(&mut mesh, r.iter().map(|p| view.to_screen(*p)), width, colour, 0.5);
        }
    }
    if let Some(p) = &o.path {
        for w in &p.switches {
            let c = view.to_screen(*w);
            paint::square(&mut mesh, c, 6.0 * s, CASING);
            paint::square(&mut mesh, c, 4.5 * s, PATH);
        }
        if let Some(t) = p.transformer {
            let c = view.to_screen(t);
            paint::triangle(&mut mesh, c, 10.0 * s, CASING);
            paint::triangle(&mut mesh, c, 7.5 * s, PATH);
        }
    }
    paint::into_shape(mesh, &mut out.shapes);
    if let Some(p) = &o.path {
        if let Some(sub) = p.substation {
            let c = view.to_screen(sub);
            out.shapes.push(Shape::circle_stroke(c, 12.0 * s, Stroke::new(4.0 * s, PATH)));
        }
        if let Some(cu) = p.customer {
            pin(&mut out.shapes, view.to_screen(cu), PATH, s);
        }
    }
    if let Some(sel) = o.selected {
        let c = view.to_screen(sel);
        out.shapes.push(Shape::circle_stroke(c, 11.0 * s, Stroke::new(3.0 * s, SELECTED)));
    }
    if let Some(at) = o.pin {
        pin(&mut out.shapes, view.to_screen(at), SELECTED, s);
    }
    out
}

/// A map pin whose point is at `tip`.
pub fn pin(shapes: &mut Vec<Shape>, tip: eframe::egui::Pos2, colour: Color32, s: f32) {
    let head = tip - eframe::egui::vec2(0.0, 18.0 * s);
    shapes.push(Shape::line_segment([tip, head], Stroke::new(3.0 * s, CASING)));
    shapes.push(Shape::circle_filled(head, 7.5 * s, CASING));
    shapes.push(Shape::circle_filled(head, 6.0 * s, colour));
    shapes.push(Shape::circle_filled(head, 2.2 * s, Color32::WHITE));
}
