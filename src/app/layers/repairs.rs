//! Repair pins (抢修扎点): the site of every ticket of the repair desk, coloured by its SLA
//! state — green within the limit, amber under a quarter of the limit left, red breached,
//! grey restored or closed, blue answered by a known outage. A master ticket is a large pin
//! with its number when zoomed in; a call merged into it is a small dot in the master's
//! colour.

use eframe::egui::{vec2, Color32, Shape, Stroke};

use super::{highlight, mark_scale, Label, LayerShapes, Scene};
use crate::app::view::MapView;

/// From this zoom on a master pin carries its ticket number.
pub const CAPTION_MIN_ZOOM: f64 = 14.0;

/// Where a ticket stands against its service levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// A clock is running with a quarter of its limit or more left (or all were met).
    OnTime,
    /// A running clock has less than a quarter of its limit left.
    Short,
    /// A clock is overdue, or was met late.
    Breached,
    /// Nothing left to do (restored, closed, cancelled).
    Done,
    /// Answered by a known outage: nothing was dispatched.
    Explained,
}

/// The colour of an urgency.
pub fn colour(u: Urgency) -> Color32 {
    match u {
        Urgency::OnTime => Color32::from_rgb(30, 150, 60),
        Urgency::Short => Color32::from_rgb(235, 150, 0),
        Urgency::Breached => Color32::from_rgb(215, 30, 30),
        Urgency::Done => Color32::from_gray(140),
        Urgency::Explained => Color32::from_rgb(40, 90, 220),
    }
}

/// A ticket's site on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct RepairPin {
    /// World position.
    pub world: [f64; 2],
    /// Its colour's meaning (a merged call: its master's).
    pub urgency: Urgency,
    /// A master ticket (dispatched), else a merged or explained call.
    pub master: bool,
    /// Caption (the ticket number).
    pub caption: String,
}

/// Builds the repair pins in view: merged calls first, masters over them.
pub fn build(view: &MapView, scene: &Scene) -> LayerShapes {
    let mut out = LayerShapes::default();
    let s = mark_scale(view, scene.large).max(1.0);
    let area = view.rect.expand(30.0);
    for p in scene.repair_pins.iter().filter(|p| !p.master) {
        let at = view.to_screen(p.world);
        if area.contains(at) {
            out.shapes.push(Shape::circle_filled(at, 3.8 * s, colour(p.urgency)));
            out.shapes.push(Shape::circle_stroke(at, 3.8 * s, Stroke::new(1.0, Color32::WHITE)));
        }
    }
    for p in scene.repair_pins.iter().filter(|p| p.master) {
        let tip = view.to_screen(p.world);
        if !area.contains(tip) {
            continue;
        }
        highlight::pin(&mut out.shapes, tip, colour(p.urgency), s * 1.15);
        if view.zoom >= CAPTION_MIN_ZOOM && !p.caption.is_empty() {
            out.labels.push(Label {
                pos: tip + vec2(0.0, -36.0 * s),
                text: p.caption.clone(),
                size: 12.0 * s,
                colour: Color32::from_gray(30),
            });
        }
    }
    out
}
