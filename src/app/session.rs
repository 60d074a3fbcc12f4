//! What the operator is doing now and is not saved: the search box, the selection, the
//! what-if area, pin mode, the wall-screen tour, notices. Plus the small geometry that turns
//! engine answers (a supply path, a list of affected customers) into overlay shapes.

use crate::grid::{CustomerCard, Grid, Location, Trace};
use crate::model::{CustomerId, DeviceRef, ElementRef, FeederId, LonLat};
use crate::outage::{Coverage, OutageId, TrajectoryEntry};
use crate::spatial::{switch_position, transformer_position};
use crate::store::Recorded;
use crate::workorder::{CrewId, TicketEvent, TicketId};

use super::layers::{AreaKind, AreaPolygon, Overlay, PathOverlay};
use super::snapshot::MapSnapshot;
use super::state::TileConfig;
use super::view::world_of;

/// What is selected.
#[derive(Clone, Debug, Default)]
pub enum Selection {
    /// Nothing.
    #[default]
    None,
    /// A customer with the engine's card.
    Customer {
        /// The customer.
        id: CustomerId,
        /// The details-panel facts (`grid.customer_card`).
        card: Option<CustomerCard>,
    },
    /// A device with the engine's trace of it.
    Device {
        /// The device.
        device: DeviceRef,
        /// `grid.trace(device)`.
        trace: Box<Trace>,
    },
    /// A point the operator pinned, resolved with `grid.locate`.
    Pin(Location),
    /// An outage of the outage book, with its change trajectory (变更轨迹).
    Outage {
        /// The outage.
        id: OutageId,
        /// `book.trajectory(id)`, oldest first (or why it could not be read).
        trajectory: Result<Vec<TrajectoryEntry>, String>,
    },
    /// A repair ticket with its history.
    Ticket {
        /// The ticket.
        id: TicketId,
        /// `desk.history(id)`, oldest first (or why it could not be read).
        history: Result<Vec<Recorded<TicketEvent>>, String>,
        /// The ticket's change count when the history was read.
        changes: u64,
        /// Its site.
        at: LonLat,
    },
}

/// The answer to "what if this device opened".
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIf {
    /// The device.
    pub device: DeviceRef,
    /// Customers that would lose supply.
    pub affected: usize,
    /// Whether a closed loop made the engine check by full search.
    pub checked_loops: bool,
}

/// A camera flight from one view to another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fly {
    /// Start centre (world) and zoom.
    pub from: ([f64; 2], f64),
    /// End centre (world) and zoom.
    pub to: ([f64; 2], f64),
    /// When it started (egui time, s).
    pub start_s: f64,
    /// How long it takes, s.
    pub duration_s: f64,
}

impl Fly {
    /// The centre and zoom at time `now_s`, and whether the flight is over.
    pub fn at(&self, now_s: f64) -> ([f64; 2], f64, bool) {
        let t = if self.duration_s <= 0.0 {
            1.0
        } else {
            ((now_s - self.start_s) / self.duration_s).clamp(0.0, 1.0)
        };
        let e = t * t * (3.0 - 2.0 * t);
        let c = [
            self.from.0[0] + (self.to.0[0] - self.from.0[0]) * e,
            self.from.0[1] + (self.to.0[1] - self.from.0[1]) * e,
        ];
        (c, self.from.1 + (self.to.1 - self.from.1) * e, t >= 1.0)
    }
}

/// An area of interest the wall screen visits.
#[derive(Clone, Debug, PartialEq)]
pub struct TourStop {
    /// Centre.
    pub at: LonLat,
    /// Zoom.
    pub zoom: f64,
    /// Caption.
    pub caption: String,
}

/// The wall screen's tour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tour {
    /// Where it goes.
    pub stops: Vec<TourStop>,
    /// Index of the current stop.
    pub index: usize,
    /// egui time of the next move (s).
    pub next_s: f64,
}

/// The settings form being edited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsForm {
    /// Open.
    pub open: bool,
    /// Selected source kind: 0 none, 1 URL, 2 folder, 3 MBTiles.
    pub kind: usize,
    /// URL template or path.
    pub location: String,
    /// Attribution.
    pub attribution: String,
}

impl SettingsForm {
    /// The form filled from a config.
    pub fn from_config(c: &TileConfig) -> SettingsForm {
        let (kind, location, attribution) = match c {
            TileConfig::None => (0, String::new(), String::new()),
            TileConfig::Url { template, attribution } => (1, template.clone(), attribution.clone()),
            TileConfig::Dir { path, attribution } => {
                (2, path.display().to_string(), attribution.clone())
            }
            TileConfig::MbTiles { path } => (3, path.display().to_string(), String::new()),
        };
        SettingsForm { open: true, kind, location, attribution }
    }

    /// The config the form describes.
    pub fn to_config(&self) -> TileConfig {
        let loc = self.location.trim().to_string();
        let attribution = self.attribution.trim().to_string();
        match self.kind {
            1 if !loc.is_empty() => TileConfig::Url { template: loc, attribution },
            2 if !loc.is_empty() => TileConfig::Dir { path: loc.into(), attribution },
            3 if !loc.is_empty() => TileConfig::MbTiles { path: loc.into() },
            _ => TileConfig::None,
        }
    }
}

/// The operator's session.
#[derive(Debug, Default)]
pub struct Session {
    /// Text in the search box.
    pub search_text: String,
    /// Matches of the last search, best first.
    pub matches: Vec<crate::address::CustomerMatch>,
    /// The query that gave [`Session::matches`].
    pub searched: Option<String>,
    /// The selection.
    pub selection: Selection,
    /// The what-if answer for the selected device.
    pub what_if: Option<WhatIf>,
    /// Clicks drop a pin (instead of selecting a device).
    pub pin_mode: bool,
    /// Wall-screen mode.
    pub wall: bool,
    /// What the map draws over the grid.
    pub overlay: Overlay,
    /// Messages for the operator (corrupt settings, failing tiles).
    pub notices: Vec<String>,
    /// Focus the search box in the next frame.
    pub focus_search: bool,
    /// The camera flight under way.
    pub fly: Option<Fly>,
    /// The wall screen's tour.
    pub tour: Tour,
    /// The settings form.
    pub settings: SettingsForm,
    /// The outage forms (record a fault, change the selected outage).
    pub outage_form: super::outages::OutageForm,
    /// The open outages covering the selected customer (`book.outages_covering`).
    pub covering: Vec<Coverage>,
    /// The outage list shows restored and cancelled outages too.
    pub include_closed: bool,
    /// The repair forms (a new call, the selected ticket's steps).
    pub repair_form: super::repairs::RepairForm,
    /// The ticket list shows every ticket, not only the queue.
    pub all_tickets: bool,
    /// The crew marked in the crew list.
    pub selected_crew: Option<CrewId>,
    /// The predicted-outage form (reason, move target, last outcome).
    pub predict_form: super::predicted::PredictForm,
    /// The planning workspace (停电计划): the scenario open, the drawing, the forms.
    pub plan: super::planning::PlanSession,
    /// The sensitive-word alerts (敏感词预警): the pop-up, the list, the forms.
    pub alerts: super::alerts::AlertSession,
}

/// The supply path of a customer card as overlay geometry.
pub fn path_overlay(grid: &Grid, card: &CustomerCard) -> PathOverlay {
    let m = &grid.model;
    let mut o = PathOverlay {
        customer: m.customers.get(card.customer.index()).map(|c| world_of(c.pos)),
        ..PathOverlay::default()
    };
    if let Some(path) = &card.path {
        for el in &path.elements {
            if let Some(r) = element_route(grid, *el) {
                o.routes.push(r);
            }
        }
        o.switches =
            path.switches.iter().filter_map(|s| switch_position(m, *s)).map(world_of).collect();
        o.transformer = path.transformer.and_then(|t| transformer_position(m, t)).map(world_of);
        o.substation =
            card.substation.and_then(|s| m.substations.get(s.index())).map(|s| world_of(s.pos));
    }
    if let (Some(cu), Some(t)) = (o.customer, o.transformer) {
        // the service drop, when the LV route does not reach the meter
        o.routes.push(vec![t, cu]);
    }
    o
}

/// The drawn route of an element (world), if it has one.
pub fn element_route(grid: &Grid, el: ElementRef) -> Option<Vec<[f64; 2]>> {
    let m = &grid.model;
    let route: Vec<LonLat> = match el {
        ElementRef::Line(id) => m.lines.get(id.index())?.route.clone(),
        ElementRef::LvLine(id) => m.lv_lines.get(id.index())?.route.clone(),
        ElementRef::Switch(_) | ElementRef::Transformer(_) => {
            let (a, b) = m.terminals(el);
            vec![m.buses[a.index()].pos?, m.buses[b.index()].pos?]
        }
    };
    (route.len() >= 2).then(|| route.into_iter().map(world_of).collect())
}

/// Where a device is drawn (world), for the selection ring and flying to it.
pub fn device_position(grid: &Grid, d: DeviceRef) -> Option<LonLat> {
    let m = &grid.model;
    match d {
        DeviceRef::Customer(c) => m.customers.get(c.index()).map(|c| c.pos),
        DeviceRef::Substation(s) => m.substations.get(s.index()).map(|s| s.pos),
        DeviceRef::Feeder(f) => {
            m.feeders.get(f.index()).and_then(|f| m.buses[f.source_bus.index()].pos)
        }
        DeviceRef::Bus(b) => m.buses.get(b.index()).and_then(|b| b.pos),
        DeviceRef::Element(ElementRef::Switch(s)) => switch_position(m, s),
        DeviceRef::Element(ElementRef::Transformer(t)) => transformer_position(m, t),
        DeviceRef::Element(el) => {
            let r = element_route(grid, el)?;
            let mid = r[r.len() / 2];
            Some(super::view::lonlat_of(mid))
        }
    }
}

/// Routes of every MV line a feeder energises now (from the snapshot's engine answers).
pub fn feeder_routes(snap: &MapSnapshot, feeder: FeederId) -> Vec<Vec<[f64; 2]>> {
    snap.lines.iter().filter(|l| l.feeder == Some(feeder)).map(|l| snap.route(l).to_vec()).collect()
}

/// The area of a set of customers on the map: the outage module's outage polygon (their
/// convex hull), in world coordinates.
pub fn hull_area(
    grid: &Grid,
    customers: &[CustomerId],
    kind: AreaKind,
    caption: String,
) -> Option<AreaPolygon> {
    let positions: Vec<LonLat> = customers
        .iter()
        .filter_map(|c| grid.model.customers.get(c.index()))
        .map(|c| c.pos)
        .collect();
    let ring: Vec<[f64; 2]> =
        crate::outage::outage_polygon(&positions).into_iter().map(world_of).collect();
    (ring.len() >= 3).then_some(AreaPolygon { ring, kind, caption })
}

/// The wall screen's areas of interest: the de-energised islands if any customer is out,
/// else every substation.
pub fn tour_stops(grid: &Grid, snap: &MapSnapshot, out_caption: &str) -> Vec<TourStop> {
    let m = &grid.model;
    let mut stops = Vec::new();
    if snap.customers_out > 0 {
        for island in grid.topology.report().islands.iter().filter(|i| i.customers > 0).take(12) {
            if let Some(at) = m.buses[island.example_bus.index()].pos {
                stops.push(TourStop {
                    at,
                    zoom: 15.0,
                    caption: format!("{out_caption} · {}", island.customers),
                });
            }
        }
    }
    if stops.is_empty() {
        for s in &m.substations {
            stops.push(TourStop { at: s.pos, zoom: 14.0, caption: s.display_name.clone() });
        }
    }
    stops
}

/// Rebuilds the overlay from the selection and the what-if answer.
pub fn rebuild_overlay(
    session: &mut Session,
    grid: &Grid,
    snap: &MapSnapshot,
    lang: super::i18n::Lang,
) {
    let mut o = Overlay::default();
    match &session.selection {
        Selection::None => {}
        Selection::Customer { card, .. } => {
            o.path = card.as_ref().map(|c| path_overlay(grid, c));
        }
        Selection::Device { device, .. } => {
            o.selected = device_position(grid, *device).map(world_of);
            match device {
                DeviceRef::Feeder(f) => o.selected_routes = feeder_routes(snap, *f),
                DeviceRef::Element(el @ (ElementRef::Line(_) | ElementRef::LvLine(_))) => {
                    o.selected_routes.extend(element_route(grid, *el));
                }
                _ => {}
            }
        }
        Selection::Pin(loc) => o.pin = Some(world_of(loc.at)),
        Selection::Outage { .. } => {}
        Selection::Ticket { at, .. } => o.selected = Some(world_of(*at)),
    }
    if let (Some(w), Selection::Device { trace, .. }) = (&session.what_if, &session.selection) {
        let caption =
            super::i18n::trf(lang, super::i18n::T::WouldLoseSupply, &[&w.affected.to_string()]);
        o.areas.extend(hull_area(grid, &trace.affected_customers, AreaKind::WhatIf, caption));
    }
    session.overlay = o;
}
