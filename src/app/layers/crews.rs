//! Repair crews (抢修队伍) on the map: a small van in the colour of what the crew is doing
//! (green free, orange on its way, purple working on site) at its position — recorded, or
//! between its start and the site while it drives — and its name when zoomed in (a free
//! crew's only when zoomed in further).

use eframe::egui::{vec2, Color32, CornerRadius, Rect, Shape, Stroke, StrokeKind};

use super::{mark_scale, Label, LayerShapes, Scene};
use crate::app::view::MapView;
use crate::workorder::CrewStatus;

/// From this zoom on a crew at work carries its name…
pub const NAME_MIN_ZOOM: f64 = 13.0;
/// …and from this one a free crew too (the three crews of a unit wait side by side at its
/// base, and their names would overlap further out).
pub const FREE_NAME_MIN_ZOOM: f64 = 15.5;

/// The colour of what a crew is doing.
pub fn colour(s: CrewStatus) -> Color32 {
    match s {
        CrewStatus::Available => Color32::from_rgb(20, 130, 60),
        CrewStatus::EnRoute => Color32::from_rgb(230, 110, 0),
        CrewStatus::OnSite => Color32::from_rgb(130, 50, 170),
        CrewStatus::OffDuty => Color32::from_gray(150),
    }
}

/// A crew on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct CrewMark {
    /// World position.
    pub world: [f64; 2],
    /// Crew name.
    pub name: String,
    /// What it is doing.
    pub status: CrewStatus,
}

/// The van icon centred on `c`, `s` times its normal size.
pub fn van(shapes: &mut Vec<Shape>, c: eframe::egui::Pos2, fill: Color32, s: f32) {
    let body = Rect::from_center_size(c + vec2(-1.5 * s, 0.0), vec2(13.0 * s, 9.0 * s));
    let cab = Rect::from_min_max(
        body.right_top() + vec2(0.0, 2.5 * s),
        body.right_bottom() + vec2(4.5 * s, 0.0),
    );
    let outline = Stroke::new(1.5, Color32::WHITE);
    for r in [body, cab] {
        shapes.push(Shape::rect_filled(r, CornerRadius::same(2), fill));
        shapes.push(Shape::rect_stroke(r, CornerRadius::same(2), outline, StrokeKind::Outside));
    }
    for x in [body.left() + 3.0 * s, cab.center().x] {
        let w = eframe::egui::pos2(x, body.bottom() + 0.5 * s);
        shapes.push(Shape::circle_filled(w, 2.2 * s, Color32::from_gray(40)));
    }
}

/// Builds the crew marks in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large).max(1.0);
    for c in scene.crews {
        let p = view.to_screen(c.world);
        if !view.rect.expand(30.0).contains(p) {
            continue;
        }
        van(&mut out.shapes, p, colour(c.status), s);
        let at_work = matches!(c.status, CrewStatus::EnRoute | CrewStatus::OnSite);
        let min_zoom = if at_work { NAME_MIN_ZOOM } else { FREE_NAME_MIN_ZOOM };
        if view.zoom >= min_zoom || (scene.large && at_work) {
            out.labels.push(Label {
                pos: p + vec2(0.0, 14.0 * s),
                text: c.name.clone(),
                size: 12.0 * s,
                colour: colour(c.status),
            });
        }
    }
    out
}
