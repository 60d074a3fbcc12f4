//! Substations (变电站): a ringed dot at every zoom, the name from zoom 11.5.

use eframe::egui::{Color32, Shape, Stroke};

use super::{mark_scale, Label, LayerShapes, Scene};
use crate::app::view::MapView;

/// Fill of a substation mark.
pub const COLOUR: Color32 = Color32::from_rgb(140, 30, 90);

/// Builds the substation marks and names in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large);
    let r = 6.0 * s.max(0.9);
    let area = view.rect.expand(40.0);
    let named = view.zoom >= 11.5;
    for sub in &scene.snap.substations {
        let p = view.to_screen(sub.world);
        if !area.contains(p) {
            continue;
        }
        out.shapes.push(Shape::circle_filled(p, r + 2.0, Color32::WHITE));
        out.shapes.push(Shape::circle_filled(p, r, COLOUR));
        out.shapes.push(Shape::circle_stroke(p, r * 0.45, Stroke::new(1.5, Color32::WHITE)));
        if named {
            out.labels.push(Label {
                pos: p + eframe::egui::vec2(0.0, -(r + 10.0 * s)),
                text: sub.name.clone(),
                size: 13.0 * s.max(1.0),
                colour: COLOUR,
            });
        }
    }
    out
}
