//! Distribution transformers (配变): a triangle, teal for public (公变), purple for dedicated
//! (专变). From zoom 14.5, what the spatial index finds in view.

use crate::model::TransformerKind;
use eframe::egui::{Color32, Mesh};

use super::{mark_scale, paint, LayerShapes, Scene, IN_BOX_MIN_ZOOM};
use crate::app::view::MapView;

/// Colour of a public transformer.
pub const PUBLIC: Color32 = Color32::from_rgb(0, 128, 128);
/// Colour of a dedicated transformer.
pub const DEDICATED: Color32 = Color32::from_rgb(120, 60, 170);
/// Zoom from which transformers are drawn.
pub const MIN_ZOOM: f64 = 14.5;

/// Builds the transformer symbols in view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    if view.zoom < MIN_ZOOM.max(IN_BOX_MIN_ZOOM) {
        return out;
    }
    let inside = scene.in_view(view);
    let s = mark_scale(view, scene.large);
    let mut mesh = Mesh::default();
    for id in &inside.transformers {
        let Some(Some(mark)) = scene.snap.transformers.get(id.index()) else { continue };
        let colour = match mark.kind {
            TransformerKind::Public => PUBLIC,
            TransformerKind::Dedicated => DEDICATED,
            _ => continue,
        };
        let p = view.to_screen(mark.world);
        paint::triangle(&mut mesh, p, 6.5 * s, Color32::WHITE);
        paint::triangle(&mut mesh, p, 5.0 * s, colour);
    }
    paint::into_shape(mesh, &mut out.shapes);
    out
}
