//! Switches (开关): closed ■, open □; a tie (联络开关) is drawn orange, open in the normal
//! state. From zoom 13.5, what the spatial index finds in view.

use crate::model::SwitchKind;
use eframe::egui::{Color32, Mesh};

use super::{mark_scale, paint, LayerShapes, Scene, IN_BOX_MIN_ZOOM};
use crate::app::view::MapView;

/// Colour of a closed switch.
pub const CLOSED: Color32 = Color32::from_rgb(30, 30, 30);
/// Colour of an open switch.
pub const OPEN: Color32 = Color32::from_rgb(200, 40, 40);
/// Colour of a tie switch.
pub const TIE: Color32 = Color32::from_rgb(235, 140, 0);

/// Builds the switch symbols in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    if view.zoom < IN_BOX_MIN_ZOOM {
        return out;
    }
    let inside = scene.in_view(view);
    let s = mark_scale(view, scene.large);
    let mut mesh = Mesh::default();
    for id in &inside.switches {
        let Some(Some(mark)) = scene.snap.switches.get(id.index()) else { continue };
        let p = view.to_screen(mark.world);
        let r = match mark.kind {
            SwitchKind::Breaker => 4.0,
            SwitchKind::Fuse => 2.6,
            _ => 3.2,
        } * s;
        let colour = match (mark.kind, mark.open) {
            (SwitchKind::Tie, _) => TIE,
            (_, true) => OPEN,
            (_, false) => CLOSED,
        };
        paint::square(&mut mesh, p, r + 1.0, Color32::WHITE);
        if mark.open {
            paint::square_outline(&mut mesh, p, r, 1.8 * s.max(1.0), colour);
        } else {
            paint::square(&mut mesh, p, r, colour);
        }
    }
    paint::into_shape(mesh, &mut out.shapes);
    out
}
