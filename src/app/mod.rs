//! The desktop app (feature `app`): one map for marketing, distribution and dispatch.
//!
//! * [`AppState`] is what is saved (view, layers, language, tile source) as JSON in the data
//!   directory; [`Resources`] hold what is not (the [`Grid`], the map snapshot, tiles); the
//!   operator's `Session` (search, selection, wall tour) lives in between.
//! * Panels are `*_ui` functions that read a context and send [`Command`]s; the app applies
//!   the commands once per frame, in one place (`command.rs`).
//! * Map layers are walkers plugins in [`layers`], built by pure functions from a prepared
//!   [`MapSnapshot`], so `benches/map_frame.rs` can time them without a window.
//! * The app never computes grid facts: it asks `grid.find`, `grid.customer_card`,
//!   `grid.trace`, `grid.locate`, `spatial.in_box`, and draws the answers.
//! * Embedded (default) the books are on the data directory's store; as a workstation on a
//!   server ([`AppOptions::server`], `gridcare --server URL --token T`) they are on a replica
//!   of the server's store kept live by a sync thread, and every write goes to the server
//!   (`sync.rs`, `ops_run.rs`); the status bar says where the replica stands.

mod alerts;
mod alerts_panel;
mod command;
mod customer360;
mod customer360_panel;
mod dashboard;
mod dashboard_plots;
mod details;
mod fonts;
mod i18n;
pub mod layers;
mod mapview;
mod mask;
mod new_call;
mod ops_run;
mod outage_panel;
mod outages;
mod panels;
mod planning;
mod predict_panel;
mod predicted;
mod repair_panel;
mod repairs;
mod session;
mod snapshot;
mod state;
mod storm_demo;
mod sync;
mod tiles;
mod view;
mod wall;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::grid::{Grid, ModelSource};
use crate::model::{CustomerId, LonLat};
use crate::outage::{OutageBook, OutageId, ProtectionIndex};
use crate::workorder::{RepairDesk, TicketId};
use eframe::egui;

pub use alerts::AlertCommand;
pub use command::Command;
pub use customer360_panel::Customer360Command;
pub use dashboard::{DashboardCommand, DashboardResult, PeriodChoice};
pub use fonts::{definitions as font_definitions, install as install_fonts, CJK_FONT};
pub use i18n::{tr, trf, Lang, T};
pub use layers::{build_grid_layers, LayerId, LayerToggles, Overlay, Scene};
pub use mask::{mask_address, mask_name, mask_phone};
pub use outages::{open_book, OutageSnapshot, STORE_DIR};
pub use planning::{DrawMode, PlanCommand, PlanTab, PlanView, TieRow};
pub use predicted::{PredictedRow, PredictedSnapshot};
pub use repairs::{clock_urgency, ticket_urgency, CrewRow, RepairSnapshot, TicketRow};
pub use session::Selection;
pub use snapshot::MapSnapshot;
pub use state::{data_dir, AppState, TileConfig, ViewState};
pub use sync::{ServerOptions, SyncStatus};
pub use view::{lonlat_of, world_of, MapView};

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Data directory (`--data-dir`); `None`: [`data_dir`]'s default.
    pub data_dir: Option<PathBuf>,
    /// Start on the wall screen (`--wall`).
    pub wall: bool,
    /// Raster tile source from the command line (overrides the saved one).
    pub tiles: Option<TileConfig>,
    /// Language (overrides the saved one and the locale).
    pub lang: Option<Lang>,
    /// A workstation on a server (`--server URL --token T`): the books read a replica of the
    /// server's store and the writes go to the server. `None`: embedded, on the data
    /// directory's own store.
    pub server: Option<ServerOptions>,
}

/// The outage book and repair desk (or why they could not be opened).
type Books = Result<(OutageBook, RepairDesk), String>;

/// A workstation's replica of its server's store, connected at load (or why not); `None`
/// when embedded.
type Connected = Option<Result<std::sync::Arc<crate::remote::Replica>, SyncStatus>>;

/// What the loader thread sends: the grid, and the outage book and repair desk of the data
/// directory's store or of the server's replica (or why either failed).
type Loaded = Result<(Grid, Books, Connected), String>;

/// What the app holds but does not save.
pub struct Resources {
    /// The engine (`None` while loading); shared with the dashboard's worker thread.
    pub grid: Option<std::sync::Arc<Grid>>,
    loading: Option<mpsc::Receiver<Loaded>>,
    load_error: Option<String>,
    /// The map snapshot of the grid's current state.
    pub snapshot: MapSnapshot,
    /// The outage book of the data directory's store (`None` while loading, or when the
    /// store could not be opened: a notice says why).
    pub outages: Option<OutageBook>,
    /// What the map and the wall draw of the outage book, rebuilt when it changes.
    pub outage_snapshot: OutageSnapshot,
    /// The repair desk on the same store (`None` while loading, or when the store could not
    /// be opened).
    pub repairs: Option<RepairDesk>,
    /// What the panels and the map show of the desk, rebuilt when it changes.
    pub repair_snapshot: repairs::RepairSnapshot,
    /// egui time the repair snapshot was built.
    repair_built_at: f64,
    /// The protective devices of the grid and the customers each clears, built once per
    /// grid (the predictions and the storm demo use it).
    pub protection: Option<ProtectionIndex>,
    /// The outages predicted from the calls in flight, rebuilt when the desk changes.
    pub predicted: PredictedSnapshot,
    /// The storm demo, while it runs.
    demo: Option<storm_demo::DemoRunner>,
    /// The KPI dashboard: its choices, last result and the computation in flight.
    dashboard: dashboard::DashboardRes,
    /// The planning workspace: the scenario book, the presets, the computed area.
    plan: planning::PlanRes,
    /// The sensitive-word alerts (敏感词预警) of the store, as last read.
    alerts: alerts::AlertRes,
    /// The customer 360 window (客户全景): its customer and view.
    c360: customer360_panel::Customer360Res,
    /// The server of a workstation (`None`: embedded).
    sync: Option<sync::SyncRes>,
    basemap: layers::basemap::Basemap,
    tiles: Option<tiles::TileLayer>,
    memory: walkers::MapMemory,
    /// Where the map was on the screen last frame.
    map_rect: egui::Rect,
    data_dir: PathBuf,
    /// Whether the saved state was restored (else the view fits the model once loaded).
    restored: bool,
    saved: Option<AppState>,
    last_save_s: f64,
}

impl Resources {
    fn tile_cache_dir(&self) -> PathBuf {
        self.data_dir.join("tile-cache")
    }
}

/// The app: saved state, resources and the operator's session.
pub struct GridCareApp {
    state: AppState,
    res: Resources,
    session: session::Session,
    outbox: Vec<Command>,
}

impl GridCareApp {
    /// The app on a loaded grid (tests, benchmarks, `--model`).
    pub fn new(ctx: &egui::Context, grid: Grid, options: AppOptions) -> GridCareApp {
        let mut app = GridCareApp::empty(ctx, options);
        let client = app.res.sync.as_ref().map(|s| s.client().cloned());
        let (books, connected) = open_data(&app.res.data_dir, &grid, client);
        app.install_grid(grid, books, connected);
        app
    }

    /// The app loading a model on a worker thread; the window shows progress meanwhile.
    pub fn loading(ctx: &egui::Context, source: ModelSource, options: AppOptions) -> GridCareApp {
        let mut app = GridCareApp::empty(ctx, options);
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        let dir = app.res.data_dir.clone();
        let client = app.res.sync.as_ref().map(|s| s.client().cloned());
        std::thread::spawn(move || {
            // the outage store is opened once the grid is there (its customers are indexed)
            let loaded = Grid::load(&source).map_err(|e| e.to_string()).map(|grid| {
                let (books, connected) = open_data(&dir, &grid, client);
                (grid, books, connected)
            });
            let _ = tx.send(loaded);
            repaint.request_repaint();
        });
        app.res.loading = Some(rx);
        app
    }

    fn empty(ctx: &egui::Context, options: AppOptions) -> GridCareApp {
        fonts::install(ctx);
        ctx.set_theme(egui::Theme::Light);
        let dir = data_dir(options.data_dir.as_deref());
        let loaded = AppState::load(&dir);
        let mut state = loaded.state;
        // a tile source from the command line is for this run; the saved one stays saved
        let tile_config = options.tiles.unwrap_or_else(|| state.tiles.clone());
        if let Some(l) = options.lang {
            state.lang = l;
        }
        let sync = options.server.as_ref().map(|s| sync::SyncRes::new(s, ctx));
        let mut session = session::Session::default();
        session.outage_form.author = crate::store::default_author();
        if let Some(p) = loaded.problem {
            session.notices.push(format!("{}: {p}", tr(state.lang, T::CorruptSettings)));
        }
        let mut memory = walkers::MapMemory::default();
        memory.center_at(walkers::lon_lat(state.view.lon, state.view.lat));
        let _ = memory.set_zoom(state.view.zoom);
        let res = Resources {
            grid: None,
            loading: None,
            load_error: None,
            snapshot: MapSnapshot::default(),
            outages: None,
            outage_snapshot: OutageSnapshot::default(),
            repairs: None,
            repair_snapshot: repairs::RepairSnapshot::default(),
            repair_built_at: 0.0,
            protection: None,
            predicted: PredictedSnapshot::default(),
            demo: None,
            dashboard: dashboard::DashboardRes::default(),
            plan: planning::PlanRes::default(),
            alerts: alerts::AlertRes::default(),
            c360: customer360_panel::Customer360Res::default(),
            sync,
            basemap: layers::basemap::Basemap::load(),
            tiles: None,
            memory,
            map_rect: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1000.0, 760.0)),
            restored: loaded.restored,
            saved: Some(state.clone()),
            last_save_s: 0.0,
            data_dir: dir,
        };
        let mut app = GridCareApp { state, res, session, outbox: Vec::new() };
        app.res.tiles = tiles::TileLayer::open(&tile_config, &app.res.tile_cache_dir(), ctx);
        if options.wall {
            app.outbox.push(Command::SetWall(true));
        }
        app
    }

    fn install_grid(&mut self, grid: Grid, book: Books, connected: Connected) {
        self.res.snapshot = MapSnapshot::build(&grid);
        if !self.res.restored {
            // first run: show the whole service area
            let (lo, hi) = model_extent(&grid);
            let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1200.0, 800.0));
            let view = MapView::new(rect, lo, 10.0);
            let zoom = view.zoom_to_fit(lo, hi, 40.0);
            let centre = LonLat::new((lo.lon + hi.lon) / 2.0, (lo.lat + hi.lat) / 2.0);
            self.res.memory.center_at(walkers::lon_lat(centre.lon, centre.lat));
            let _ = self.res.memory.set_zoom(zoom);
        }
        // a server that did not answer is said by `start_sync`, not as a store failure
        let unreachable = matches!(connected, Some(Err(_)));
        match book {
            Ok((book, desk)) => self.install_books(book, desk),
            Err(_) if unreachable => {}
            Err(e) => {
                let msg = format!("{}: {e}", tr(self.state.lang, T::StoreUnavailable));
                self.session.notices.push(msg);
            }
        }
        self.res.protection = Some(ProtectionIndex::build(&grid));
        self.res.grid = Some(std::sync::Arc::new(grid));
        self.start_sync(connected);
        self.refresh_outages();
        self.refresh_repairs(0.0);
    }

    /// Keeps the outage book and repair desk, and opens the planning books on their store.
    fn install_books(&mut self, book: OutageBook, desk: RepairDesk) {
        let unresolved = book.unresolved_accounts();
        if unresolved > 0 {
            let n = unresolved.to_string();
            self.session.notices.push(trf(self.state.lang, T::UnresolvedAccounts, &[&n]));
        }
        self.res.plan.book = Some(crate::planning::ScenarioBook::open(desk.store().clone()));
        self.res.plan.outbox = Some(crate::channels::outbox::Outbox::open(desk.store().clone()));
        self.res.outages = Some(book);
        self.res.repairs = Some(desk);
    }

    /// The saved state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The engine, once loaded.
    pub fn grid(&self) -> Option<&Grid> {
        self.res.grid.as_deref()
    }

    /// The selection.
    pub fn selection(&self) -> &Selection {
        &self.session.selection
    }

    /// The customer selected, if any.
    pub fn selected_customer(&self) -> Option<CustomerId> {
        match self.session.selection {
            Selection::Customer { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The outage book, when the store is open.
    pub fn outages(&self) -> Option<&OutageBook> {
        self.res.outages.as_ref()
    }

    /// The outage selected, if any.
    pub fn selected_outage(&self) -> Option<OutageId> {
        match self.session.selection {
            Selection::Outage { id, .. } => Some(id),
            _ => None,
        }
    }

    /// What the map and the wall draw of the outage book.
    pub fn outage_snapshot(&self) -> &OutageSnapshot {
        &self.res.outage_snapshot
    }

    /// The repair desk, when the store is open.
    pub fn repairs(&self) -> Option<&RepairDesk> {
        self.res.repairs.as_ref()
    }

    /// What the panels and the map show of the repair desk.
    pub fn repair_snapshot(&self) -> &repairs::RepairSnapshot {
        &self.res.repair_snapshot
    }

    /// The ticket selected, if any.
    pub fn selected_ticket(&self) -> Option<TicketId> {
        match self.session.selection {
            Selection::Ticket { id, .. } => Some(id),
            _ => None,
        }
    }

    /// What the predicted-outage list and the map show of the desk's predictions.
    pub fn predicted(&self) -> &PredictedSnapshot {
        &self.res.predicted
    }

    /// The crews the storm demo drives now (on their way to a ticket), if it runs.
    pub fn demo_driving(&self) -> Vec<crate::workorder::CrewId> {
        let Some(run) = &self.res.demo else { return Vec::new() };
        run.demo.crew_positions(run.demo.now_s()).into_iter().map(|(c, _)| c).collect()
    }

    /// True while the storm demo runs (generating, or its crews finishing their work).
    pub fn demo_running(&self) -> bool {
        self.res.demo.is_some()
    }

    /// True while the storm demo generates faults and calls.
    pub fn demo_generating(&self) -> bool {
        self.res.demo.as_ref().is_some_and(|d| d.demo.is_generating())
    }

    /// The planning workspace's computed area (the scenario drawn or open), if computed.
    pub fn plan_view(&self) -> Option<&PlanView> {
        self.res.plan.view.as_ref()
    }

    /// True while the planning workspace computes an area.
    pub fn plan_computing(&self) -> bool {
        self.res.plan.computing()
    }

    /// The stored planning scenarios, as the workspace lists them.
    pub fn scenarios(&self) -> &[crate::planning::Scenario] {
        &self.res.plan.scenarios
    }

    /// The scenario open in the planning workspace.
    pub fn open_scenario(&self) -> Option<crate::planning::ScenarioId> {
        self.session.plan.open
    }

    /// The appointment customers the planning rules pick from the computed area.
    pub fn appointment_customers(&self) -> Option<&[CustomerId]> {
        match &self.res.plan.filtered.picked {
            Some(Ok(p)) => Some(p),
            _ => None,
        }
    }

    /// The last ranking of the candidate windows.
    pub fn plan_ranking(&self) -> Option<&crate::planning::Ranking> {
        self.session.plan.ranking.as_ref()
    }

    /// What the map draws of the planning scenario.
    pub fn plan_overlay(&self) -> &layers::planning::PlanOverlay {
        &self.res.plan.overlay
    }

    /// Where the map was on the screen last frame.
    pub fn map_rect(&self) -> egui::Rect {
        self.res.map_rect
    }

    /// The scenario book of the store, when it is open.
    pub fn scenario_book(&self) -> Option<&crate::planning::ScenarioBook> {
        self.res.plan.book.as_ref()
    }

    /// The channel outbox of the store, when it is open.
    pub fn outbox(&self) -> Option<&crate::channels::outbox::Outbox> {
        self.res.plan.outbox.as_ref()
    }

    /// True on the wall screen.
    pub fn is_wall(&self) -> bool {
        self.session.wall
    }

    /// Notices shown to the operator.
    pub fn notices(&self) -> &[String] {
        &self.session.notices
    }

    /// Queues a command (applied at the end of the next frame).
    pub fn send(&mut self, cmd: Command) {
        self.outbox.push(cmd);
    }

    /// The data directory in use.
    pub fn data_dir(&self) -> &Path {
        &self.res.data_dir
    }

    /// The map centre now.
    fn view_centre(&self) -> LonLat {
        match self.res.memory.detached() {
            Some(p) => LonLat::new(p.x(), p.y()),
            None => LonLat::new(self.state.view.lon, self.state.view.lat),
        }
    }

    /// One frame: panels, map, then the frame's commands, then saving.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_loading();
        // the replica's changes first: what follows reads the books
        self.poll_sync(ctx.input(|i| i.time));
        self.refresh_outages_if_stale();
        self.run_demo(&ctx);
        self.refresh_repairs_if_stale(ctx.input(|i| i.time));
        self.refresh_dashboard(&ctx);
        self.refresh_planning(&ctx);
        self.refresh_alerts(&ctx);
        self.refresh_customer360(&ctx);
        self.shortcuts(&ctx);
        self.advance_camera(&ctx);
        if self.session.wall {
            wall::scale_type(ui);
        }
        match (&self.res.grid, &self.res.load_error) {
            (Some(_), _) => self.frame_ui(ui),
            (None, Some(e)) => {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    ui.heading(tr(self.state.lang, T::LoadFailed));
                    ui.label(e.as_str());
                });
            }
            (None, None) => {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    ui.centered_and_justified(|ui| {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.heading(tr(self.state.lang, T::Loading));
                        });
                    });
                });
            }
        }
        for cmd in std::mem::take(&mut self.outbox) {
            self.apply(cmd, &ctx);
        }
        self.sync_view();
        self.autosave(&ctx);
    }

    fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let Some(grid) = self.res.grid.as_ref() else { return };
        let ctx = panels::Ctx {
            grid,
            snap: &self.res.snapshot,
            lang: self.state.lang,
            wall: self.session.wall,
            outages: self.res.outages.as_ref(),
            outages_busy: self.res.plan.publishing(),
            outage_snap: &self.res.outage_snapshot,
            repairs: self.res.repairs.as_ref(),
            repair_snap: &self.res.repair_snapshot,
            demo: self.res.demo.as_ref().map(|d| (d.demo.is_generating(), d.demo.faults().len())),
            sync: self.res.sync.as_ref().map(|s| s.status_text(self.state.lang)),
        };
        let out = &mut self.outbox;
        if self.session.wall {
            wall::headline_ui(ui, &ctx, &self.session.tour, &self.res.dashboard, out);
        } else {
            panels::top_bar_ui(
                ui,
                &mut self.session.search_text,
                &mut self.session.focus_search,
                &ctx,
                self.session.pin_mode,
                panels::Open {
                    outages: self.state.outage_panel,
                    repairs: self.state.repair_panel,
                    new_call: self.session.repair_form.open,
                    dashboard: self.res.dashboard.open,
                    planning: self.state.planning_panel,
                    alerts: (self.session.alerts.list_open, self.res.alerts.open.len()),
                },
                out,
            );
        }
        panels::status_ui(ui, &ctx, self.res.memory.zoom(), self.res.tiles.as_ref());
        if self.res.dashboard.open && !self.session.wall {
            let input = dashboard::DashboardInput {
                res: &self.res.dashboard,
                map_rect: self.res.map_rect,
                selected: dashboard::selected_feeder(&self.session.selection),
            };
            dashboard::dashboard_ui(ui, input, &ctx, out);
        }
        if !self.session.wall {
            panels::layers_ui(ui, &self.state.layers, &ctx, out);
        }
        // the planning workspace takes the details' place while nothing is selected
        let nothing = matches!(self.session.selection, Selection::None);
        let show_details = !nothing || !(self.session.wall || self.state.planning_panel);
        if show_details {
            details::details_ui(ui, &mut self.session, &ctx, out);
        }
        // on the wall, only a scenario GridCare has computed (no controls)
        if self.state.planning_panel && (!self.session.wall || self.res.plan.view.is_some()) {
            let author = self.session.outage_form.author.clone();
            planning::planning_ui(ui, &mut self.session.plan, &self.res.plan, &author, &ctx, out);
        }
        if self.state.repair_panel && !self.session.wall {
            let selected = match self.session.selection {
                Selection::Ticket { id, .. } => Some(id),
                _ => None,
            };
            repair_panel::repairs_ui(
                ui,
                &mut self.session.all_tickets,
                selected,
                self.session.selected_crew,
                &ctx,
                out,
            );
            if ctx.repairs.is_some() {
                let device = match &self.session.selection {
                    Selection::Device { device, .. } => Some(grid.model.device_name(*device)),
                    _ => None,
                };
                let author = self.session.outage_form.author.clone();
                predict_panel::predicted_ui(
                    ui,
                    &self.res.predicted,
                    &mut self.session.predict_form,
                    device,
                    &author,
                    &ctx,
                    out,
                );
            }
        }
        if self.session.repair_form.open && !self.session.wall {
            let pinned = match &self.session.selection {
                Selection::Pin(loc) => Some(loc.at),
                _ => None,
            };
            let author = self.session.outage_form.author.clone();
            new_call::new_call_ui(
                ui.ctx(),
                &mut self.session.repair_form,
                pinned,
                &author,
                &ctx,
                out,
            );
        }
        if self.state.outage_panel && !self.session.wall {
            let selected = match self.session.selection {
                Selection::Outage { id, .. } => Some(id),
                _ => None,
            };
            outage_panel::outages_ui(ui, &mut self.session.include_closed, selected, &ctx, out);
        }
        if self.session.settings.open && !self.session.wall {
            panels::settings_ui(
                ui.ctx(),
                &mut self.session.settings,
                self.state.wall.cycle_s,
                &ctx,
                out,
            );
        }
        let author = self.session.outage_form.author.clone();
        alerts_panel::alerts_ui(
            ui.ctx(),
            &mut self.session.alerts,
            &self.res.alerts,
            &author,
            &ctx,
            out,
        );
        customer360_panel::customer360_ui(ui.ctx(), &self.res.c360, &ctx, out);
        let predicted: &[layers::AreaPolygon] =
            if self.session.wall { &[] } else { &self.res.predicted.areas };
        let mut scene =
            Scene::new(grid, &self.res.snapshot, &self.session.overlay, self.session.wall)
                .with_outage_areas(&self.res.outage_snapshot.areas)
                .with_predicted_areas(predicted)
                .with_repairs(&self.res.repair_snapshot.pins, &self.res.repair_snapshot.crew_marks);
        if self.state.planning_panel {
            scene = scene.with_planning(&self.res.plan.overlay);
        }
        let drawing =
            self.state.planning_panel && self.session.plan.mode != planning::DrawMode::Off;
        let tiles = if self.state.layers.tiles { self.res.tiles.as_mut() } else { None };
        self.res.map_rect = mapview::map_ui(
            ui,
            mapview::MapInput {
                memory: &mut self.res.memory,
                tiles,
                basemap: &self.res.basemap,
                scene: &scene,
                layers: &self.state.layers,
                lang: self.state.lang,
                notices: &self.session.notices,
                pin_mode: self.session.pin_mode || drawing,
                wall: self.session.wall,
            },
            out,
        );
    }

    fn poll_loading(&mut self) {
        let Some(rx) = &self.res.loading else { return };
        match rx.try_recv() {
            Ok(Ok((grid, book, connected))) => {
                self.res.loading = None;
                self.install_grid(grid, book, connected);
            }
            Ok(Err(e)) => {
                self.res.loading = None;
                self.res.load_error = Some(e);
            }
            Err(mpsc::TryRecvError::Empty) => {}
            Err(mpsc::TryRecvError::Disconnected) => {
                self.res.loading = None;
                self.res.load_error = Some("the loader stopped".into());
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let (find, escape, f11) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::F),
                i.key_pressed(egui::Key::Escape),
                i.consume_key(egui::Modifiers::NONE, egui::Key::F11),
            )
        });
        if find && !self.session.wall {
            self.outbox.push(Command::FocusSearch);
        }
        if escape && self.session.wall {
            self.outbox.push(Command::SetWall(false));
        }
        if f11 {
            self.outbox.push(Command::SetWall(!self.session.wall));
        }
    }

    /// Moves the camera along a flight, and the wall screen along its tour.
    fn advance_camera(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        if self.session.wall && self.res.grid.is_some() {
            wall::advance_tour(self, now, ctx);
        }
        if let Some(f) = self.session.fly {
            let (c, z, done) = f.at(now);
            let p = lonlat_of(c);
            self.res.memory.center_at(walkers::lon_lat(p.lon, p.lat));
            let _ = self.res.memory.set_zoom(z);
            if done {
                self.session.fly = None;
            } else {
                ctx.request_repaint();
            }
        }
    }

    /// Copies the map's view into the saved state.
    fn sync_view(&mut self) {
        let c = self.view_centre();
        self.state.view = ViewState { lon: c.lon, lat: c.lat, zoom: self.res.memory.zoom() };
    }

    /// Saves the state when it changed, at most every 2 s.
    fn autosave(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        if self.res.saved.as_ref() == Some(&self.state) || now - self.res.last_save_s < 2.0 {
            return;
        }
        self.save_now();
        self.res.last_save_s = now;
    }

    /// Writes the state file now.
    pub fn save_now(&mut self) {
        if let Err(e) = self.state.save(&self.res.data_dir) {
            let msg = format!("{}: {e}", self.res.data_dir.display());
            if !self.session.notices.contains(&msg) {
                self.session.notices.push(msg);
            }
        }
        self.res.saved = Some(self.state.clone());
    }
}

impl eframe::App for GridCareApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        GridCareApp::ui(self, ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.sync_view();
        self.save_now();
        self.res.demo = None;
        if let Some(s) = &self.res.sync {
            s.stop();
        }
        // the alerts let go of the store too
        drop(self.res.alerts.book.take());
        // the planning workspace lets go of the store (and gives back a book it was
        // publishing with), and the desk: the book is then the store's last holder
        if let Some(book) = self.res.plan.release() {
            self.res.outages = Some(book);
        }
        drop(self.res.repairs.take());
        if let Some(book) = self.res.outages.take() {
            // flushed and sealed, so that the next open trusts the files without a check
            if let Err(e) = book.close() {
                eprintln!("gridcare: closing the outage store: {e}");
            }
        }
    }
}

/// Opens the books at load: on the data directory's store, or (`client` given) on a replica
/// of the server's store, connected and caught up first.
fn open_data(
    dir: &Path,
    grid: &Grid,
    client: Option<Result<crate::remote::RemoteClient, String>>,
) -> (Books, Connected) {
    match client {
        None => (outages::open_book(dir, grid), None),
        Some(Ok(client)) => {
            let (replica, books) = sync::open_remote(&client, dir, grid);
            (books, Some(replica))
        }
        // a bad address or token: the status line says it; never the local store instead
        Some(Err(e)) => (Err(e.clone()), Some(Err(SyncStatus::Failed { error: e }))),
    }
}

/// The lon/lat box of a model's customers and substations.
fn model_extent(grid: &Grid) -> (LonLat, LonLat) {
    let m = &grid.model;
    let (mut lo, mut hi) = (LonLat::new(f64::MAX, f64::MAX), LonLat::new(f64::MIN, f64::MIN));
    for p in m.customers.iter().map(|c| c.pos).chain(m.substations.iter().map(|s| s.pos)) {
        lo = LonLat::new(lo.lon.min(p.lon), lo.lat.min(p.lat));
        hi = LonLat::new(hi.lon.max(p.lon), hi.lat.max(p.lat));
    }
    if lo.lon > hi.lon {
        let d = ViewState::default();
        return (LonLat::new(d.lon - 0.1, d.lat - 0.1), LonLat::new(d.lon + 0.1, d.lat + 0.1));
    }
    (lo, hi)
}

/// Opens the window on a model and runs until it is closed.
pub fn run(source: ModelSource, options: AppOptions) -> Result<(), eframe::Error> {
    let fullscreen = options.wall;
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("GridCare")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([800.0, 500.0])
            .with_fullscreen(fullscreen),
        ..Default::default()
    };
    eframe::run_native(
        "GridCare",
        native,
        Box::new(move |cc| Ok(Box::new(GridCareApp::loading(&cc.egui_ctx, source, options)))),
    )
}
