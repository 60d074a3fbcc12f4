//! Repair pins and crews in the field. The layers and their legend exist; nothing feeds
//! them yet (the outage and work-order modules are later issues), so they draw what the
//! overlay holds, which today is nothing.

use eframe::egui::{Color32, Shape, Stroke};

use super::{highlight, mark_scale, Label, LayerShapes, Scene};
use crate::app::view::MapView;

/// Colour of a repair pin.
pub const PIN: Color32 = Color32::from_rgb(230, 60, 20);
/// Colour of a crew.
pub const CREW: Color32 = Color32::from_rgb(20, 120, 60);

/// Builds the repair pins in view.
pub fn build_pins(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large).max(1.0);
    for p in &scene.overlay.repair_pins {
        let tip = view.to_screen(p.world);
        if view.rect.expand(30.0).contains(tip) {
            highlight::pin(&mut out.shapes, tip, PIN, s);
        }
    }
    out
}

/// Builds the crew marks in view.
pub fn build_crews(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large).max(1.0);
    for c in &scene.overlay.crews {
        let p = view.to_screen(c.world);
        if !view.rect.expand(30.0).contains(p) {
            continue;
        }
        out.shapes.push(Shape::circle_filled(p, 8.0 * s, CREW));
        out.shapes.push(Shape::circle_stroke(p, 8.0 * s, Stroke::new(2.0, Color32::WHITE)));
        out.labels.push(Label {
            pos: p + eframe::egui::vec2(0.0, 16.0 * s),
            text: c.name.clone(),
            size: 12.0 * s,
            colour: CREW,
        });
    }
    out
}
