//! Everything the operator can do, as data. Buttons, shortcuts, map clicks and tests all send
//! a [`Command`]; the app applies them once per frame, in one place.

use crate::model::{CustomerId, DeviceRef, ElementRef, LonLat};
use crate::outage::OutageId;
use crate::workorder::{Caller, Channel, CrewId, TicketId, TicketStep};

use super::i18n::Lang;
use super::layers::{transformers, LayerId, IN_BOX_MIN_ZOOM};
use super::session::{rebuild_overlay, Fly, Selection, WhatIf};
use super::state::TileConfig;
use super::view::{world_of, MapView};
use super::GridCareApp;

/// How far a map click looks for a device, in screen points.
const PICK_RADIUS_PT: f64 = 9.0;
/// How far a pin looks for customers, transformers and lines, in metres.
pub const PIN_RADIUS_M: f64 = 300.0;

/// An operator action.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Find customers; with `pick_best`, select the best match (Enter in the search box).
    Search {
        /// What the caller said.
        query: String,
        /// Select the best match at once.
        pick_best: bool,
    },
    /// Select a customer, show their card and supply path, fly there.
    PickCustomer(CustomerId),
    /// Select a device and show its details.
    SelectDevice(DeviceRef),
    /// The map was clicked at a point (`metres_per_point` at the current zoom).
    MapClicked {
        /// Where.
        at: LonLat,
        /// Map scale.
        metres_per_point: f64,
        /// Map zoom.
        zoom: f64,
    },
    /// Clicks drop a pin (true) or select devices (false).
    SetPinMode(bool),
    /// Show what loses supply if the device opens, and outline it.
    WhatIfOpened(DeviceRef),
    /// Clear the selection, the path and the areas.
    ClearSelection,
    /// Turn a layer on or off.
    SetLayer(LayerId, bool),
    /// Switch the UI language.
    SetLanguage(Lang),
    /// Enter or leave the wall screen.
    SetWall(bool),
    /// Move the map.
    FlyTo {
        /// Centre.
        at: LonLat,
        /// Zoom.
        zoom: f64,
    },
    /// Zoom in (positive) or out around the view centre.
    ZoomBy(f64),
    /// Use another raster tile source.
    SetTiles(TileConfig),
    /// Seconds per stop of the wall-screen tour.
    SetWallCycle(f32),
    /// Open or close the settings window.
    ShowSettings(bool),
    /// Remove a notice.
    DismissNotice(usize),
    /// Put the keyboard focus in the search box.
    FocusSearch,
    /// Open or close the outage list (停电信息).
    ShowOutages(bool),
    /// Select an outage: its details and change trajectory, and fly to its area.
    SelectOutage(OutageId),
    /// Record a fault outage (故障停电) at a device (`book.report_fault`).
    ReportFault {
        /// The device that tripped.
        device: DeviceRef,
        /// Estimated restoration time, if known (unix s).
        etr_s: Option<i64>,
        /// What is known of the cause.
        reason: String,
        /// Who records it.
        author: String,
    },
    /// Move an outage's estimated restoration time (`book.change_etr`).
    ChangeEtr {
        /// The outage.
        outage: OutageId,
        /// The new ETR (unix s).
        etr_s: i64,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Restore supply to every customer of an outage (`book.restore`).
    RestoreOutage {
        /// The outage.
        outage: OutageId,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Call an outage off (`book.cancel`).
    CancelOutage {
        /// The outage.
        outage: OutageId,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Open or close the ticket queue and crew list (工单队列, 抢修队伍).
    ShowRepairs(bool),
    /// Open or close the new-call form (新建报修).
    ShowNewCall(bool),
    /// Select a ticket: its details, SLA clocks and history, and fly to its site.
    SelectTicket(TicketId),
    /// Take a repair call (`desk.take_call`): dispatch, merge or explain it.
    TakeCall {
        /// Who calls, or where.
        caller: Caller,
        /// How the call came in.
        channel: Channel,
        /// What the caller says.
        description: String,
        /// The operator.
        author: String,
    },
    /// Send a crew to a ticket (`desk.send_crew`): the named one, else the best free one.
    SendCrew {
        /// The ticket.
        ticket: TicketId,
        /// The crew (`None`: the best free crew of the ticket's unit).
        crew: Option<CrewId>,
        /// Who sends it.
        author: String,
    },
    /// Record a step of a ticket (`desk.step`).
    StepTicket {
        /// The ticket.
        ticket: TicketId,
        /// The step.
        step: TicketStep,
        /// Why, or what the crew says.
        reason: String,
        /// Who records it.
        author: String,
    },
    /// Fly to a crew and mark it in the crew list.
    SelectCrew(CrewId),
    /// Start or stop the storm demo (风暴演示): faults, calls and crews on the loaded grid.
    SetStormDemo(bool),
    /// Mark a predicted outage (故障研判) and fly the map to its area.
    SelectPrediction(String),
    /// Confirm a predicted outage (`desk.confirm_outage`): record the fault outage at
    /// `device` — the predicted one, or another (a move, 改判) — and merge the tickets it
    /// explains into one master.
    ConfirmPrediction {
        /// The device the prediction named.
        predicted: String,
        /// The device to record the outage at (external id).
        device: String,
        /// The prediction's tickets.
        tickets: Vec<TicketId>,
        /// Why (required).
        reason: String,
        /// Who confirms.
        author: String,
    },
    /// Open, close or set up the KPI dashboard (仪表盘).
    Dashboard(super::dashboard::DashboardCommand),
    /// Open or close the planning workspace (停电计划).
    ShowPlanning(bool),
    /// Draw, compute, store and rank a planning scenario.
    Plan(super::planning::PlanCommand),
    /// Show and work the sensitive-word alerts (敏感词预警).
    Alert(super::alerts::AlertCommand),
    /// Open or close the customer 360 window (客户全景).
    Customer360(super::customer360_panel::Customer360Command),
}

impl GridCareApp {
    /// Handles one command.
    pub(super) fn apply(&mut self, cmd: Command, ctx: &eframe::egui::Context) {
        let lang = self.state.lang;
        match cmd {
            Command::SetLayer(layer, on) => *self.state.layers.get_mut(layer) = on,
            Command::SetLanguage(l) => {
                self.state.lang = l;
                // the area captions are in the language
                self.refresh_outages();
                self.refresh_predicted();
            }
            Command::ShowOutages(open) => self.state.outage_panel = open,
            Command::ShowPlanning(open) => {
                self.state.planning_panel = open;
                if !open {
                    self.session.plan.mode = super::planning::DrawMode::Off;
                }
            }
            Command::Plan(c) => self.apply_plan(c, ctx),
            Command::MapClicked { at, metres_per_point, zoom }
                if self.state.planning_panel
                    && self.session.plan.mode != super::planning::DrawMode::Off =>
            {
                let click = super::planning::PlanCommand::MapClick { at, metres_per_point, zoom };
                self.apply_plan(click, ctx);
            }
            Command::Dashboard(c) => self.apply_dashboard(c),
            Command::Alert(c) => self.apply_alert(c),
            Command::Customer360(c) => self.apply_customer360(c),
            Command::ShowRepairs(open) => self.state.repair_panel = open,
            Command::ShowNewCall(open) => {
                self.session.repair_form.open = open;
                if !open && self.session.repair_form.lookup == super::repairs::LookupKind::Pin {
                    self.session.pin_mode = false;
                }
            }
            cmd @ (Command::SelectTicket(_)
            | Command::TakeCall { .. }
            | Command::SendCrew { .. }
            | Command::StepTicket { .. }
            | Command::SelectCrew(_)
            | Command::SetStormDemo(_)) => self.apply_repair(cmd, ctx),
            cmd @ (Command::SelectPrediction(_) | Command::ConfirmPrediction { .. }) => {
                self.apply_predicted(cmd, ctx)
            }
            cmd @ (Command::SelectOutage(_)
            | Command::ReportFault { .. }
            | Command::ChangeEtr { .. }
            | Command::RestoreOutage { .. }
            | Command::CancelOutage { .. }) => self.apply_outage(cmd, ctx),
            Command::SetWall(on) => {
                self.session.wall = on;
                self.session.tour.next_s = 0.0;
                if on {
                    self.session.pin_mode = false;
                    self.session.plan.mode = super::planning::DrawMode::Off;
                    self.session.settings.open = false;
                }
                ctx.send_viewport_cmd(eframe::egui::ViewportCommand::Fullscreen(on));
                // a dark frame on the wall, a light one at the desk
                ctx.set_theme(if on {
                    eframe::egui::Theme::Dark
                } else {
                    eframe::egui::Theme::Light
                });
            }
            Command::SetPinMode(on) => {
                self.session.pin_mode = on;
                if on {
                    // a click pins a point, not a corner or a device of the planning scenario
                    self.session.plan.mode = super::planning::DrawMode::Off;
                }
            }
            Command::FocusSearch => self.session.focus_search = true,
            Command::ShowSettings(open) => {
                self.session.settings =
                    super::session::SettingsForm::from_config(&self.state.tiles);
                self.session.settings.open = open;
            }
            Command::SetWallCycle(s) => self.state.wall.cycle_s = s.clamp(3.0, 600.0),
            Command::DismissNotice(i) => {
                if i < self.session.notices.len() {
                    self.session.notices.remove(i);
                }
            }
            Command::SetTiles(config) => {
                self.state.tiles = config;
                self.res.tiles = super::tiles::TileLayer::open(
                    &self.state.tiles,
                    &self.res.tile_cache_dir(),
                    ctx,
                );
                self.session.settings.open = false;
            }
            Command::FlyTo { at, zoom } => self.fly_to(at, zoom, ctx),
            Command::ZoomBy(dz) => {
                let (at, zoom) = (self.view_centre(), self.res.memory.zoom() + dz);
                self.fly_to(at, zoom, ctx);
            }
            cmd => {
                let Some(grid) = self.res.grid.as_ref() else { return };
                let snap = &self.res.snapshot;
                let s = &mut self.session;
                let mut fit_path = false;
                match cmd {
                    Command::Search { query, pick_best } => {
                        let query = query.trim().to_string();
                        s.matches =
                            if query.is_empty() { Vec::new() } else { grid.find(&query, 8) };
                        s.searched = Some(query);
                        if let (true, Some(best)) = (pick_best, s.matches.first()) {
                            let id = best.customer;
                            s.selection = Selection::Customer { id, card: grid.customer_card(id) };
                            s.what_if = None;
                            fit_path = true;
                        }
                    }
                    Command::PickCustomer(id) => {
                        s.selection = Selection::Customer { id, card: grid.customer_card(id) };
                        s.what_if = None;
                        fit_path = true;
                    }
                    Command::SelectDevice(DeviceRef::Customer(id)) => {
                        s.selection = Selection::Customer { id, card: grid.customer_card(id) };
                        s.what_if = None;
                    }
                    Command::SelectDevice(device) => {
                        s.selection =
                            Selection::Device { device, trace: Box::new(grid.trace(device)) };
                        s.what_if = None;
                        s.outage_form.error = None;
                    }
                    Command::WhatIfOpened(device) => {
                        let trace = match &s.selection {
                            Selection::Device { device: d, trace } if *d == device => trace.clone(),
                            _ => Box::new(grid.trace(device)),
                        };
                        s.what_if = Some(WhatIf {
                            device,
                            affected: trace.affected_customers.len(),
                            checked_loops: trace.checked_loops,
                        });
                        s.selection = Selection::Device { device, trace };
                    }
                    Command::ClearSelection => {
                        s.selection = Selection::None;
                        s.what_if = None;
                        s.matches.clear();
                        s.searched = None;
                    }
                    Command::MapClicked { at, metres_per_point, zoom } => {
                        if s.pin_mode {
                            s.selection = Selection::Pin(grid.locate(at, PIN_RADIUS_M));
                            s.what_if = None;
                        } else if let Some(d) = pick_device(grid, at, metres_per_point, zoom) {
                            s.selection = match d {
                                DeviceRef::Customer(id) => {
                                    Selection::Customer { id, card: grid.customer_card(id) }
                                }
                                d => {
                                    Selection::Device { device: d, trace: Box::new(grid.trace(d)) }
                                }
                            };
                            s.what_if = None;
                        }
                    }
                    _ => {}
                }
                rebuild_overlay(s, grid, snap, lang);
                self.refresh_covering();
                if fit_path {
                    if let Some((at, zoom)) = self.path_view() {
                        self.fly_to(at, zoom, ctx);
                    }
                }
            }
        }
        ctx.request_repaint();
    }

    /// Centre and zoom that show the whole highlighted supply path (at most zoom 17).
    fn path_view(&self) -> Option<(LonLat, f64)> {
        let path = self.session.overlay.path.as_ref()?;
        let pts =
            path.routes.iter().flatten().chain(path.customer.iter()).chain(path.substation.iter());
        self.view_fitting(pts.copied())
    }

    /// Centre and zoom that show every world point (at most zoom 17).
    pub(super) fn view_fitting(
        &self,
        pts: impl Iterator<Item = [f64; 2]>,
    ) -> Option<(LonLat, f64)> {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in pts {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
        if lo[0] > hi[0] {
            return None;
        }
        let (a, b) = (super::view::lonlat_of(lo), super::view::lonlat_of(hi));
        let (min, max) = (LonLat::new(a.lon, b.lat), LonLat::new(b.lon, a.lat));
        let view = MapView { rect: self.res.map_rect, centre: lo, zoom: 12.0 };
        let zoom = view.zoom_to_fit(min, max, 60.0).min(17.0);
        Some((super::view::lonlat_of([(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0]), zoom))
    }

    /// Starts a flight to `at` (instant when animations are off, as in tests).
    pub(super) fn fly_to(&mut self, at: LonLat, zoom: f64, ctx: &eframe::egui::Context) {
        let now = ctx.input(|i| i.time);
        let duration_s = f64::from(ctx.global_style().animation_time) * 10.0;
        let from = (world_of(self.view_centre()), self.res.memory.zoom());
        self.session.fly =
            Some(Fly { from, to: (world_of(at), zoom.clamp(2.0, 19.0)), start_s: now, duration_s });
    }
}

/// The device under a click: what is drawn there at this zoom, nearest first by kind
/// (substation, switch, transformer, customer, MV line, LV line).
pub(super) fn pick_device(
    grid: &crate::grid::Grid,
    at: LonLat,
    m_per_pt: f64,
    zoom: f64,
) -> Option<DeviceRef> {
    let r = PICK_RADIUS_PT * m_per_pt;
    if let Some(s) = grid.spatial.nearest_substation(at, r * 1.4) {
        return Some(DeviceRef::Substation(s.item));
    }
    if zoom >= IN_BOX_MIN_ZOOM {
        if let Some(s) = grid.spatial.nearest_switch(at, r) {
            return Some(DeviceRef::Element(ElementRef::Switch(s.item)));
        }
    }
    if zoom >= transformers::MIN_ZOOM {
        if let Some(t) = grid.spatial.nearest_transformer(at, r) {
            return Some(DeviceRef::Element(ElementRef::Transformer(t.item)));
        }
    }
    if zoom >= IN_BOX_MIN_ZOOM {
        if let Some(c) = grid.spatial.nearest_customer(at, r * 0.7) {
            return Some(DeviceRef::Customer(c.item));
        }
    }
    if let Some(l) = grid.spatial.nearest_mv_segment(at, r * 0.8) {
        return Some(DeviceRef::Element(l.item.element));
    }
    if zoom >= 16.0 {
        if let Some(l) = grid.spatial.nearest_segment(at, r * 0.8) {
            return Some(DeviceRef::Element(l.item.element));
        }
    }
    None
}
