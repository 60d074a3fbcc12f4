//! Outage-area polygons: the convex hull of the affected customers, red for a fault, blue
//! for a planned outage (the open outages of the outage book, [`Scene::outage_areas`]), amber
//! for "what if this opened" (the session's, drawn on top); and, hatched violet with a dashed
//! outline, the outages predicted from the calls that the operator has not confirmed yet
//! ([`Scene::predicted_areas`], [`build_predicted`]).

use eframe::egui::{Color32, Pos2, Rect, Shape, Stroke};

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
        AreaKind::Predicted => {
            (Color32::from_rgba_unmultiplied(150, 50, 210, 28), Color32::from_rgb(130, 30, 190))
        }
    }
}

/// The points where the line `x − y = c` crosses a convex ring (screen points).
fn hatch_line(ring: &[Pos2], c: f32) -> Option<(Pos2, Pos2)> {
    let f = |p: Pos2| p.x - p.y - c;
    let mut hits: Vec<Pos2> = Vec::with_capacity(2);
    for (i, &a) in ring.iter().enumerate() {
        let b = ring[(i + 1) % ring.len()];
        let (fa, fb) = (f(a), f(b));
        if (fa <= 0.0) != (fb <= 0.0) {
            let t = fa / (fa - fb);
            hits.push(a + (b - a) * t);
        }
    }
    let first = *hits.first()?;
    let far = hits.iter().copied().max_by(|p, q| {
        (*p - first)
            .length_sq()
            .partial_cmp(&(*q - first).length_sq())
            .unwrap_or(std::cmp::Ordering::Equal)
    })?;
    ((far - first).length_sq() > 0.25).then_some((first, far))
}

/// A predicted area's shapes: a light fill, diagonal hatching every `spacing` points (only
/// where `clip` is, so that a polygon far larger than the view costs no more), and a dashed
/// outline `width` wide. `ring`: a convex ring on the screen, not closed.
pub fn predicted_shapes_in(
    out: &mut Vec<Shape>,
    ring: &[Pos2],
    width: f32,
    spacing: f32,
    clip: Rect,
) {
    if ring.len() < 3 {
        return;
    }
    let (fill, line) = colours(AreaKind::Predicted);
    out.push(Shape::convex_polygon(ring.to_vec(), fill, Stroke::NONE));
    let d = |p: Pos2| p.x - p.y;
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for p in ring {
        lo = lo.min(d(*p));
        hi = hi.max(d(*p));
    }
    let corners = [clip.left_top(), clip.right_top(), clip.left_bottom(), clip.right_bottom()];
    lo = lo.max(corners.iter().map(|p| d(*p)).fold(f32::MAX, f32::min));
    hi = hi.min(corners.iter().map(|p| d(*p)).fold(f32::MIN, f32::max));
    let step = spacing.max(2.0) * std::f32::consts::SQRT_2;
    let hatch = Stroke::new((width * 0.5).max(1.0), line.gamma_multiply(0.55));
    let mut c = (lo / step).ceil() * step;
    while c < hi {
        if let Some((a, b)) = hatch_line(ring, c) {
            out.push(Shape::line_segment([a, b], hatch));
        }
        c += step;
    }
    let mut closed = ring.to_vec();
    closed.push(ring[0]);
    let dash = 4.0 * width.max(1.0);
    out.extend(Shape::dashed_line(&closed, Stroke::new(width, line), dash, dash * 0.6));
}

/// [`predicted_shapes_in`] with no clipping (a legend swatch).
pub fn predicted_shapes(out: &mut Vec<Shape>, ring: &[Pos2], width: f32, spacing: f32) {
    predicted_shapes_in(out, ring, width, spacing, Rect::EVERYTHING);
}

/// Builds the predicted outages' areas in view: hatched, dashed, with their captions.
pub fn build_predicted(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let (_, line) = colours(AreaKind::Predicted);
    for a in scene.predicted_areas {
        if a.ring.len() < 3 {
            continue;
        }
        let pts: Vec<Pos2> = a.ring.iter().map(|w| view.to_screen(*w)).collect();
        let width = if scene.large { 3.5 } else { 2.5 };
        predicted_shapes_in(&mut out.shapes, &pts, width, 9.0, view.rect.expand(20.0));
        if !a.caption.is_empty() {
            // under the area: its pins stand above their sites, and the hatching stays clear
            let size = if scene.large { 22.0 } else { 15.0 };
            let n = pts.len() as f32;
            let x = pts.iter().map(|p| p.x).sum::<f32>() / n;
            let bottom = pts.iter().map(|p| p.y).fold(f32::MIN, f32::max);
            out.labels.push(Label {
                pos: Pos2::new(x, bottom + size * 0.9),
                text: a.caption.clone(),
                size,
                colour: Color32::from_rgb(line.r() / 2, line.g() / 2, line.b() / 2),
            });
        }
    }
    out
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
