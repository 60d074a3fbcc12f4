//! The map layers. Each is a walkers [`Plugin`] in its own module, drawing through the
//! `Projector` from the prepared [`MapSnapshot`] and the session's [`Overlay`]; the shapes come
//! from a pure function `(view, scene) → shapes` that the benchmark times without a window.

pub mod areas;
pub mod basemap;
pub mod crews;
pub mod customers;
pub mod feeders;
pub mod highlight;
pub mod paint;
pub mod planning;
pub mod repairs;
pub mod substations;
pub mod switches;
pub mod transformers;

use std::cell::RefCell;
use std::rc::Rc;

use crate::grid::Grid;
use crate::spatial::BoxContents;
use eframe::egui::{self, Align2, Color32, FontId, Pos2, Shape};
use serde::{Deserialize, Serialize};
use walkers::{Plugin, Projector};

use super::snapshot::MapSnapshot;
use super::view::{world_of, MapView};

/// Below this zoom the view is too wide to ask the spatial index for everything in it.
pub const IN_BOX_MIN_ZOOM: f64 = 13.5;

/// Every layer of the map (drawing order: [`LayerId::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LayerId {
    /// Offline vector basemap (districts, rivers, coast, places).
    Basemap,
    /// Raster tiles from the configured source.
    Tiles,
    /// Outage-area polygons: open fault and planned outages, and the "what if opened" area.
    OutageAreas,
    /// The areas of the predicted outages (故障研判), dashed, until the operator confirms.
    PredictedAreas,
    /// 10 kV feeders (MV lines) and LV lines.
    Feeders,
    /// Customers (density at low zoom, points at high zoom).
    Customers,
    /// Distribution transformers.
    Transformers,
    /// Switches, breakers, fuses, ties.
    Switches,
    /// Substations.
    Substations,
    /// Repair pins: the sites of the repair tickets.
    RepairPins,
    /// Repair crews.
    Crews,
    /// The planning scenario (停电方案): the drawn polygon, the switches to open, the area
    /// that loses supply, the back-feed ties.
    Planning,
}

impl LayerId {
    /// Every layer, in drawing order.
    pub const ALL: [LayerId; 12] = [
        LayerId::Basemap,
        LayerId::Tiles,
        LayerId::Customers,
        LayerId::Feeders,
        LayerId::Transformers,
        LayerId::Switches,
        LayerId::PredictedAreas,
        LayerId::OutageAreas,
        LayerId::Planning,
        LayerId::Substations,
        LayerId::RepairPins,
        LayerId::Crews,
    ];
}

/// A text placed on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Anchor (centre of the text) on the screen.
    pub pos: Pos2,
    /// The text.
    pub text: String,
    /// Font size, points.
    pub size: f32,
    /// Text colour (a white halo is drawn behind it).
    pub colour: Color32,
}

/// What one layer draws in one frame.
#[derive(Default)]
pub struct LayerShapes {
    /// Geometry, in drawing order.
    pub shapes: Vec<Shape>,
    /// Texts, drawn after the geometry.
    pub labels: Vec<Label>,
}

impl LayerShapes {
    /// Paints everything with `painter`.
    pub fn paint(self, painter: &egui::Painter) {
        painter.extend(self.shapes);
        paint_labels(painter, &self.labels);
    }
}

/// Paints labels with a light halo so that they read over any background.
pub fn paint_labels(painter: &egui::Painter, labels: &[Label]) {
    for l in labels {
        let font = FontId::proportional(l.size);
        let halo = Color32::from_white_alpha(210);
        for d in [
            egui::vec2(-1.0, 0.0),
            egui::vec2(1.0, 0.0),
            egui::vec2(0.0, -1.0),
            egui::vec2(0.0, 1.0),
        ] {
            painter.text(l.pos + d, Align2::CENTER_CENTER, &l.text, font.clone(), halo);
        }
        painter.text(l.pos, Align2::CENTER_CENTER, &l.text, font, l.colour);
    }
}

/// Kind of an area polygon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaKind {
    /// A planned outage.
    Planned,
    /// A fault outage.
    Fault,
    /// The customers that would lose supply if a device opened.
    WhatIf,
    /// An outage predicted from the calls (故障研判), not confirmed yet.
    Predicted,
}

/// An outage-area polygon (convex hull of the affected customers), world coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaPolygon {
    /// The ring, convex, not closed.
    pub ring: Vec<[f64; 2]>,
    /// What kind of area.
    pub kind: AreaKind,
    /// Caption (e.g. the customer count).
    pub caption: String,
}

pub use crews::CrewMark;
pub use repairs::{RepairPin, Urgency};

/// The supply path to highlight, in world coordinates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathOverlay {
    /// Routes of the MV and LV elements on the path, source first.
    pub routes: Vec<Vec<[f64; 2]>>,
    /// Switching devices on the path.
    pub switches: Vec<[f64; 2]>,
    /// The distribution transformer.
    pub transformer: Option<[f64; 2]>,
    /// The substation.
    pub substation: Option<[f64; 2]>,
    /// The customer (end of the path).
    pub customer: Option<[f64; 2]>,
}

/// What the session draws over the grid: highlights, areas, pins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlay {
    /// The highlighted supply path.
    pub path: Option<PathOverlay>,
    /// Areas of the session (the "what if opened" area); the open outages' areas come with
    /// the [`Scene`].
    pub areas: Vec<AreaPolygon>,
    /// The selected device or point.
    pub selected: Option<[f64; 2]>,
    /// Elements of the selected device (a line's route), drawn bold.
    pub selected_routes: Vec<Vec<[f64; 2]>>,
    /// Where the operator dropped a pin.
    pub pin: Option<[f64; 2]>,
}

/// Everything the layers read in a frame.
pub struct Scene<'a> {
    /// The engine.
    pub grid: &'a Grid,
    /// The prepared snapshot.
    pub snap: &'a MapSnapshot,
    /// The session's overlay.
    pub overlay: &'a Overlay,
    /// Large marks and type (wall screen).
    pub large: bool,
    /// The areas of the open outages (the outage book's snapshot).
    pub outage_areas: &'a [AreaPolygon],
    /// The areas of the predicted outages (the repair desk's predictions).
    pub predicted_areas: &'a [AreaPolygon],
    /// The sites of the repair tickets (the repair desk's snapshot).
    pub repair_pins: &'a [RepairPin],
    /// The crews (the repair desk's snapshot).
    pub crews: &'a [CrewMark],
    /// The planning scenario being drawn or looked at.
    pub planning: Option<&'a planning::PlanOverlay>,
    in_view: RefCell<Option<(MapView, Rc<BoxContents>)>>,
}

impl<'a> Scene<'a> {
    /// A scene for one frame.
    pub fn new(grid: &'a Grid, snap: &'a MapSnapshot, overlay: &'a Overlay, large: bool) -> Self {
        Scene {
            grid,
            snap,
            overlay,
            large,
            outage_areas: &[],
            predicted_areas: &[],
            repair_pins: &[],
            crews: &[],
            planning: None,
            in_view: RefCell::new(None),
        }
    }

    /// The scene with the open outages' areas drawn under the session's own areas.
    pub fn with_outage_areas(mut self, areas: &'a [AreaPolygon]) -> Self {
        self.outage_areas = areas;
        self
    }

    /// The scene with the predicted outages' areas.
    pub fn with_predicted_areas(mut self, areas: &'a [AreaPolygon]) -> Self {
        self.predicted_areas = areas;
        self
    }

    /// The scene with the repair tickets' pins and the crews.
    pub fn with_repairs(mut self, pins: &'a [RepairPin], crews: &'a [CrewMark]) -> Self {
        self.repair_pins = pins;
        self.crews = crews;
        self
    }

    /// The scene with the planning scenario.
    pub fn with_planning(mut self, overlay: &'a planning::PlanOverlay) -> Self {
        self.planning = Some(overlay);
        self
    }

    /// What is in the view, asked of the spatial index once per view (`spatial.in_box`).
    pub fn in_view(&self, view: &MapView) -> Rc<BoxContents> {
        let mut cache = self.in_view.borrow_mut();
        if let Some((v, contents)) = cache.as_ref() {
            if v == view {
                return contents.clone();
            }
        }
        let (min, max) = view.lonlat_bounds(16.0);
        let contents = Rc::new(self.grid.spatial.in_box(min, max));
        *cache = Some((*view, contents.clone()));
        contents
    }
}

/// The view a walkers projector shows.
pub fn view_of(projector: &Projector) -> MapView {
    let rect = projector.clip_rect();
    let centre = projector.unproject(rect.center().to_vec2());
    MapView {
        rect,
        centre: world_of(crate::model::LonLat::new(centre.x(), centre.y())),
        zoom: projector.zoom(),
    }
}

/// Which layers are on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerToggles {
    /// Offline vector basemap.
    pub basemap: bool,
    /// Raster tiles (when a source is configured).
    pub tiles: bool,
    /// Outage-area polygons.
    pub outage_areas: bool,
    /// Predicted-outage areas.
    pub predicted_areas: bool,
    /// Feeders.
    pub feeders: bool,
    /// Customers.
    pub customers: bool,
    /// Transformers.
    pub transformers: bool,
    /// Switches.
    pub switches: bool,
    /// Substations.
    pub substations: bool,
    /// Repair pins.
    pub repair_pins: bool,
    /// Crews.
    pub crews: bool,
    /// The planning scenario.
    pub planning: bool,
}

impl Default for LayerToggles {
    fn default() -> Self {
        LayerToggles {
            basemap: true,
            tiles: true,
            outage_areas: true,
            predicted_areas: true,
            feeders: true,
            customers: true,
            transformers: true,
            switches: true,
            substations: true,
            repair_pins: true,
            crews: true,
            planning: true,
        }
    }
}

impl LayerToggles {
    /// The toggle of a layer.
    pub fn get_mut(&mut self, layer: LayerId) -> &mut bool {
        match layer {
            LayerId::Basemap => &mut self.basemap,
            LayerId::Tiles => &mut self.tiles,
            LayerId::OutageAreas => &mut self.outage_areas,
            LayerId::PredictedAreas => &mut self.predicted_areas,
            LayerId::Feeders => &mut self.feeders,
            LayerId::Customers => &mut self.customers,
            LayerId::Transformers => &mut self.transformers,
            LayerId::Switches => &mut self.switches,
            LayerId::Substations => &mut self.substations,
            LayerId::RepairPins => &mut self.repair_pins,
            LayerId::Crews => &mut self.crews,
            LayerId::Planning => &mut self.planning,
        }
    }

    /// Whether a layer is on.
    pub fn is_on(&self, layer: LayerId) -> bool {
        match layer {
            LayerId::Basemap => self.basemap,
            LayerId::Tiles => self.tiles,
            LayerId::OutageAreas => self.outage_areas,
            LayerId::PredictedAreas => self.predicted_areas,
            LayerId::Feeders => self.feeders,
            LayerId::Customers => self.customers,
            LayerId::Transformers => self.transformers,
            LayerId::Switches => self.switches,
            LayerId::Substations => self.substations,
            LayerId::RepairPins => self.repair_pins,
            LayerId::Crews => self.crews,
            LayerId::Planning => self.planning,
        }
    }
}

/// Builds every grid layer for one view (what the map draws above the basemap and tiles),
/// in drawing order. Pure: the benchmark calls this.
pub fn build_grid_layers(view: &MapView, scene: &Scene, on: &LayerToggles) -> Vec<LayerShapes> {
    let mut out = Vec::new();
    if on.customers {
        out.push(customers::build(view, scene));
    }
    if on.feeders {
        out.push(feeders::build(view, scene));
    }
    if on.transformers {
        out.push(transformers::build(view, scene));
    }
    if on.switches {
        out.push(switches::build(view, scene));
    }
    out.push(highlight::build(view, scene));
    if on.predicted_areas {
        out.push(areas::build_predicted(view, scene));
    }
    if on.outage_areas {
        out.push(areas::build(view, scene));
    }
    if on.planning {
        out.push(planning::build(view, scene));
    }
    if on.substations {
        out.push(substations::build(view, scene));
    }
    if on.repair_pins {
        out.push(repairs::build(view, scene));
    }
    if on.crews {
        out.push(crews::build(view, scene));
    }
    out
}

/// A layer's pure shape builder.
pub type BuildFn = fn(&MapView, &Scene) -> LayerShapes;

/// A layer as a walkers plugin: builds its shapes for the projector's view and paints them.
pub struct LayerPlugin<'s, 'a> {
    scene: &'s Scene<'a>,
    build: BuildFn,
}

impl<'s, 'a> LayerPlugin<'s, 'a> {
    /// A plugin drawing `build`'s shapes.
    pub fn new(scene: &'s Scene<'a>, build: BuildFn) -> Self {
        LayerPlugin { scene, build }
    }
}

impl Plugin for LayerPlugin<'_, '_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        _response: &egui::Response,
        projector: &Projector,
        _map_memory: &walkers::MapMemory,
    ) {
        let view = view_of(projector);
        (self.build)(&view, self.scene).paint(ui.painter());
    }
}

/// Mark sizes grow a little with the zoom, and a lot on the wall screen.
pub fn mark_scale(view: &MapView, large: bool) -> f32 {
    let z = view.zoom as f32;
    let s = (0.75 + (z - 13.0) * 0.12).clamp(0.7, 1.4);
    if large {
        s * 1.3
    } else {
        s
    }
}
