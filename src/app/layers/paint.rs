//! Mesh building blocks shared by the layers: anti-aliased thick segments, squares and
//! triangles appended straight into one `egui::Mesh`, so that a layer with tens of thousands
//! of marks is one shape, not tens of thousands.

use eframe::egui::{Color32, Mesh, Pos2, Rect, Shape, Vec2};

/// Width of the anti-aliasing fringe, in points.
const FEATHER: f32 = 1.0;

/// Appends a segment `a → b` of `width` points with a soft edge.
pub fn segment(mesh: &mut Mesh, a: Pos2, b: Pos2, width: f32, colour: Color32) {
    let d = b - a;
    let len = d.length();
    if len < 1e-3 {
        return;
    }
    let n = Vec2::new(-d.y, d.x) / len;
    let inner = (width * 0.5 - FEATHER * 0.5).max(0.0);
    let outer = width * 0.5 + FEATHER * 0.5;
    // a thin line keeps its weight by fading instead of shrinking
    let core = if width < FEATHER { colour.gamma_multiply(width / FEATHER) } else { colour };
    let clear = Color32::TRANSPARENT;
    let i = mesh.vertices.len() as u32;
    for p in [a, b] {
        mesh.colored_vertex(p + n * outer, clear);
        mesh.colored_vertex(p + n * inner, core);
        mesh.colored_vertex(p - n * inner, core);
        mesh.colored_vertex(p - n * outer, clear);
    }
    // strips between the a-column (i..i+4) and the b-column (i+4..i+8)
    for k in 0..3 {
        mesh.add_triangle(i + k, i + k + 1, i + 4 + k);
        mesh.add_triangle(i + k + 1, i + 4 + k + 1, i + 4 + k);
    }
}

/// Appends a filled axis-aligned square of half-size `r` around `c`.
pub fn square(mesh: &mut Mesh, c: Pos2, r: f32, colour: Color32) {
    mesh.add_colored_rect(Rect::from_center_size(c, Vec2::splat(2.0 * r)), colour);
}

/// Appends a filled rectangle.
pub fn rect(mesh: &mut Mesh, r: Rect, colour: Color32) {
    mesh.add_colored_rect(r, colour);
}

/// Appends the outline of a square (four thin bars) of half-size `r` around `c`.
pub fn square_outline(mesh: &mut Mesh, c: Pos2, r: f32, width: f32, colour: Color32) {
    let (x0, x1, y0, y1) = (c.x - r, c.x + r, c.y - r, c.y + r);
    let w = width;
    rect(mesh, Rect::from_min_max(Pos2::new(x0, y0), Pos2::new(x1, y0 + w)), colour);
    rect(mesh, Rect::from_min_max(Pos2::new(x0, y1 - w), Pos2::new(x1, y1)), colour);
    rect(mesh, Rect::from_min_max(Pos2::new(x0, y0), Pos2::new(x0 + w, y1)), colour);
    rect(mesh, Rect::from_min_max(Pos2::new(x1 - w, y0), Pos2::new(x1, y1)), colour);
}

/// Appends a filled triangle pointing up, of half-size `r` around `c`.
pub fn triangle(mesh: &mut Mesh, c: Pos2, r: f32, colour: Color32) {
    let i = mesh.vertices.len() as u32;
    mesh.colored_vertex(Pos2::new(c.x, c.y - r), colour);
    mesh.colored_vertex(Pos2::new(c.x + r, c.y + r * 0.8), colour);
    mesh.colored_vertex(Pos2::new(c.x - r, c.y + r * 0.8), colour);
    mesh.add_triangle(i, i + 1, i + 2);
}

/// Appends a filled diamond of half-size `r` around `c`.
pub fn diamond(mesh: &mut Mesh, c: Pos2, r: f32, colour: Color32) {
    let i = mesh.vertices.len() as u32;
    mesh.colored_vertex(Pos2::new(c.x, c.y - r), colour);
    mesh.colored_vertex(Pos2::new(c.x + r, c.y), colour);
    mesh.colored_vertex(Pos2::new(c.x, c.y + r), colour);
    mesh.colored_vertex(Pos2::new(c.x - r, c.y), colour);
    mesh.add_triangle(i, i + 1, i + 2);
    mesh.add_triangle(i, i + 2, i + 3);
}

/// The mesh as a shape, or nothing when it is empty.
pub fn into_shape(mesh: Mesh, out: &mut Vec<Shape>) {
    if !mesh.is_empty() {
        out.push(Shape::mesh(mesh));
    }
}

/// Appends a polyline of world points through `project`, skipping points that land within
/// `min_step` points of the last one drawn (level of detail for low zooms).
pub fn polyline(
    mesh: &mut Mesh,
    pts: impl Iterator<Item = Pos2>,
    width: f32,
    colour: Color32,
    min_step: f32,
) {
    let mut last: Option<Pos2> = None;
    let mut pending: Option<Pos2> = None;
    for p in pts {
        match last {
            None => last = Some(p),
            Some(l) => {
                if (p - l).length_sq() >= min_step * min_step {
                    segment(mesh, l, p, width, colour);
                    last = Some(p);
                    pending = None;
                } else {
                    pending = Some(p);
                }
            }
        }
    }
    if let (Some(l), Some(p)) = (last, pending) {
        segment(mesh, l, p, width, colour);
    }
}
