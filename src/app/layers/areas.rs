//! Outage-area polygons: the convex hull of the affected customers, red for a fault, blue
//! for a planned outage (the open outages of the outage book, [`Scene::outage_areas`]), amber
//! for "what if this opened" (the session's, drawn on top).

use eframe::egui::{Color32, Shape, Stroke};

use super::{AreaKind, Label, LayerShapes, Scene};
use crate::app::view::MapView;

/// Colours (fill, outline) of an area kind.
pub fn colours(kind: AreaKind) -> (Color32, Color32) {
    match kind {
        AreaKind::Fault => {
            (Color32::from_rgba_unmultiplied(220, 30, 30, 60), Color32::from_rgb(200, 20, 20))
        }
        AreaKind::Planned => {
            (Color32::from_rgba_unmultiplied(40, 90, 220, 55), Color32::from_rgb(30, 70, 200))
        }
        AreaKind::WhatIf => {
            (Color32::from_rgba_unmultiplied(255, 170, 0, 60), Color32::from_rgb(210, 120, 0))
        }
    }
}

/// Builds the area polygons in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    for a in scene.outage_areas.iter().chain(&scene.overlay.areas) {
        if a.ring.len() < 3 {
            continue;
        }
        let pts: Vec<_> = a.ring.iter().map(|w| view.to_screen(*w)).collect();
        let (fill, line) = colours(a.kind);
        let width = if scene.large { 4.0 } else { 2.5 };
        out.shapes.push(Shape::convex_polygon(pts.clone(), fill, Stroke::new(width, line)));
        let n = pts.len() as f32;
        let centre = pts.iter().fold(eframe::egui::Pos2::ZERO, |acc, p| acc + p.to_vec2() / n);
        if !a.caption.is_empty() {
            out.labels.push(Label {
                pos: centre,
                text: a.caption.clone(),
                size: if scene.large { 24.0 } else { 17.0 },
                colour: Color32::from_rgb(line.r() / 2, line.g() / 2, line.b() / 2),
            });
        }
    }
    out
}
