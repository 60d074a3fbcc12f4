//! The planning scenario on the map (停电方案, 先算后停): the polygon being drawn (corners and
//! edges, the closing edge dashed until it is finished), the devices picked to open, and, once
//! GridCare has computed the scenario, the outline of the area that loses supply, its
//! customers (inside the polygon dark red, outside it — the price of the isolation — orange)
//! and their transformers, the switches to open (large red squares, named) and the tie
//! switches that can back-feed part of the area (green rings with the customers each keeps in
//! supply). Everything comes prepared in a [`PlanOverlay`]; this module only draws.

use std::sync::Arc;

use eframe::egui::{vec2, Color32, Mesh, Pos2, Rect, Shape, Stroke, StrokeKind};

use super::{mark_scale, paint, Label, LayerShapes, Scene};
use crate::app::view::MapView;

/// The drawn polygon's outline and corners.
pub const POLYGON: Color32 = Color32::from_rgb(190, 0, 120);
/// A customer inside the polygon that loses supply.
pub const INSIDE: Color32 = Color32::from_rgb(150, 0, 40);
/// A customer outside the polygon that loses supply with it.
pub const OUTSIDE: Color32 = Color32::from_rgb(245, 130, 0);
/// A switch to open (the isolation, or a device picked).
pub const OPEN_SWITCH: Color32 = Color32::from_rgb(215, 20, 20);
/// A tie switch that can back-feed part of the area.
pub const BACK_FEED: Color32 = Color32::from_rgb(0, 150, 60);
/// Fill of the area that loses supply.
pub const AREA_FILL: Color32 = Color32::from_rgba_premultiplied(24, 0, 9, 40);

/// A point on the map with its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedMark {
    /// World position.
    pub world: [f64; 2],
    /// What is written beside it.
    pub caption: String,
}

/// What a computed scenario draws (world coordinates), built once per computation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanMarks {
    /// Customers that lose supply inside the polygon (every one, for a device scenario).
    pub inside: Vec<[f64; 2]>,
    /// Customers that lose supply outside the polygon.
    pub outside: Vec<[f64; 2]>,
    /// The transformers of the customers that lose supply.
    pub transformers: Vec<[f64; 2]>,
    /// The convex outline of the customers that lose supply.
    pub hull: Vec<[f64; 2]>,
    /// The switches (or devices) to open.
    pub switches: Vec<NamedMark>,
    /// The ties that can back-feed (captioned with their name).
    pub ties: Vec<NamedMark>,
}

/// The planning overlay of one frame: the draft and the computed marks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanOverlay {
    /// The polygon's corners, in the order clicked.
    pub ring: Vec<[f64; 2]>,
    /// The polygon is finished (its closing edge is solid).
    pub closed: bool,
    /// Devices picked to open, before (or without) a computation.
    pub picked: Vec<NamedMark>,
    /// The computed scenario.
    pub marks: Option<Arc<PlanMarks>>,
    /// The caption of each back-feed tie, by its name, in the operator's language
    /// (`tie.zm01-sw01 · 637 kept`).
    pub tie_captions: Vec<(String, String)>,
}

impl PlanOverlay {
    /// Nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty() && self.picked.is_empty() && self.marks.is_none()
    }
}

/// A caption in a white box beside a mark at `at`, placed above it, else below, right or left
/// of it, wherever it does not cover a caption placed before (two switches a few metres apart
/// keep both names readable). The box is sized from the text (device names are ASCII).
fn caption(
    out: &mut LayerShapes,
    placed: &mut Vec<Rect>,
    at: Pos2,
    text: &str,
    colour: Color32,
    large: bool,
) {
    let size = if large { 18.0 } else { 13.0 };
    let w = text.chars().map(|c| if c.is_ascii() { 0.56 } else { 1.0 }).sum::<f32>() * size + 8.0;
    let h = size + 6.0;
    let gap = size * 0.9;
    let candidates = [
        at + vec2(0.0, -gap - h / 2.0),
        at + vec2(0.0, gap + h / 2.0),
        at + vec2(gap + w / 2.0, 0.0),
        at + vec2(-gap - w / 2.0, 0.0),
        at + vec2(0.0, -gap - h * 1.5),
        at + vec2(0.0, gap + h * 1.5),
    ];
    let rect_at = |c: Pos2| Rect::from_center_size(c, vec2(w, h));
    let centre = candidates
        .iter()
        .copied()
        .find(|c| !placed.iter().any(|r| r.intersects(rect_at(*c))))
        .unwrap_or(candidates[0]);
    let r = rect_at(centre);
    placed.push(r);
    out.shapes.push(Shape::rect_filled(r, 3.0, Color32::from_white_alpha(230)));
    out.shapes.push(Shape::rect_stroke(r, 3.0, Stroke::new(1.0, colour), StrokeKind::Inside));
    out.labels.push(Label { pos: centre, text: text.to_string(), size, colour });
}

/// Builds the planning layer for a view.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let Some(o) = scene.planning else { return out };
    if o.is_empty() {
        return out;
    }
    let s = mark_scale(view, scene.large).max(0.8);
    let clip = view.rect.expand(20.0);
    let named = view.zoom >= 12.5;
    if let Some(m) = &o.marks {
        if m.hull.len() >= 3 {
            let pts: Vec<Pos2> = m.hull.iter().map(|w| view.to_screen(*w)).collect();
            let stroke = Stroke::new(2.0 * s, INSIDE.gamma_multiply(0.8));
            out.shapes.push(Shape::convex_polygon(pts, AREA_FILL, stroke));
        }
        let mut mesh = Mesh::default();
        let r = (1.6 * s).max(1.3);
        for (pts, colour) in [(&m.outside, OUTSIDE), (&m.inside, INSIDE)] {
            for w in pts.iter() {
                let p = view.to_screen(*w);
                if clip.contains(p) {
                    paint::square(&mut mesh, p, r, colour);
                }
            }
        }
        for w in &m.transformers {
            let p = view.to_screen(*w);
            if clip.contains(p) {
                paint::triangle(&mut mesh, p, 6.0 * s, Color32::WHITE);
                paint::triangle(&mut mesh, p, 4.5 * s, INSIDE);
            }
        }
        paint::into_shape(mesh, &mut out.shapes);
    }
    // the polygon: edges, the closing one dashed while drawing, then the corners
    if !o.ring.is_empty() {
        let pts: Vec<Pos2> = o.ring.iter().map(|w| view.to_screen(*w)).collect();
        let stroke = Stroke::new(2.5 * s, POLYGON);
        if pts.len() >= 2 {
            out.shapes.push(Shape::line(pts.clone(), stroke));
        }
        if pts.len() >= 3 {
            let (first, last) = (pts[0], pts[pts.len() - 1]);
            if o.closed {
                out.shapes.push(Shape::line_segment([last, first], stroke));
            } else {
                out.shapes.extend(Shape::dashed_line(&[last, first], stroke, 8.0, 6.0));
            }
        }
        for p in &pts {
            out.shapes.push(Shape::circle_filled(*p, 5.0 * s, Color32::WHITE));
            out.shapes.push(Shape::circle_filled(*p, 3.5 * s, POLYGON));
        }
    }
    let mut mesh = Mesh::default();
    let switches = o.marks.as_ref().map_or(&o.picked, |m| &m.switches);
    for sw in switches {
        let p = view.to_screen(sw.world);
        paint::square(&mut mesh, p, 8.0 * s, Color32::BLACK);
        paint::square(&mut mesh, p, 6.5 * s, Color32::WHITE);
        paint::square(&mut mesh, p, 5.0 * s, OPEN_SWITCH);
    }
    paint::into_shape(mesh, &mut out.shapes);
    let mut placed = Vec::new();
    if let Some(m) = &o.marks {
        for t in &m.ties {
            let p = view.to_screen(t.world);
            out.shapes.push(Shape::circle_stroke(
                p,
                11.0 * s,
                Stroke::new(5.0 * s, Color32::WHITE),
            ));
            out.shapes.push(Shape::circle_stroke(p, 11.0 * s, Stroke::new(3.0 * s, BACK_FEED)));
            if named {
                let text = o.tie_captions.iter().find(|(n, _)| *n == t.caption);
                let text = text.map_or(t.caption.as_str(), |(_, c)| c.as_str());
                caption(&mut out, &mut placed, p, text, BACK_FEED, scene.large);
            }
        }
    }
    if named {
        for sw in switches {
            let p = view.to_screen(sw.world);
            caption(&mut out, &mut placed, p, &sw.caption, OPEN_SWITCH, scene.large);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_of_two_switches_at_one_place_do_not_cover_each_other() {
        let mut out = LayerShapes::default();
        let mut placed = Vec::new();
        let at = Pos2::new(300.0, 200.0);
        caption(&mut out, &mut placed, at, "sect.sw01-2", OPEN_SWITCH, false);
        caption(&mut out, &mut placed, at + vec2(2.0, 1.0), "fuse.sw01-l06", OPEN_SWITCH, false);
        caption(&mut out, &mut placed, at, "tie.zm01-sw01", BACK_FEED, false);
        assert_eq!(placed.len(), 3);
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} covers {b:?}");
            }
        }
        // each caption is in its box, which is wide enough for its name
        assert_eq!(out.labels.len(), 3);
        for (l, r) in out.labels.iter().zip(&placed) {
            assert_eq!(l.pos, r.center());
            assert!(r.width() >= l.text.len() as f32 * 13.0 * 0.5);
        }
    }
}
