//! The panels around the map: the top bar (find a caller, pin mode, the outage list, language,
//! wall screen), the layers-and-legend panel, the status bar and the settings window. Each is
//! a `*_ui` function that reads a [`Ctx`], edits at most its own sub-state, and sends
//! [`Command`]s.

use crate::grid::Grid;
use eframe::egui::{self, Color32, RichText, Sense, Stroke, Vec2};

use super::command::Command;
use super::i18n::{tr, trf, Lang, T};
use super::layers::{
    areas, crews, customers, feeders, highlight, planning, repairs, substations, switches,
    transformers,
};
use super::layers::{AreaKind, LayerId, LayerToggles, Urgency};
use super::session::SettingsForm;
use super::snapshot::{feeder_colour, MapSnapshot};
use super::tiles::{TileLayer, TileStatus};
use crate::workorder::CrewStatus;

/// What every panel may read.
pub struct Ctx<'a> {
    /// The engine.
    pub grid: &'a Grid,
    /// The map snapshot.
    pub snap: &'a MapSnapshot,
    /// UI language.
    pub lang: Lang,
    /// Wall screen: mask personal data, no editing controls.
    pub wall: bool,
    /// The outage book (`None`: the store could not be opened, or it is with the planning
    /// workspace's worker for a moment: `outages_busy`).
    pub outages: Option<&'a crate::outage::OutageBook>,
    /// The outage book is with a worker (a scenario being published), back in a moment.
    pub outages_busy: bool,
    /// What is drawn of it.
    pub outage_snap: &'a super::outages::OutageSnapshot,
    /// The repair desk (`None`: the store could not be opened).
    pub repairs: Option<&'a crate::workorder::RepairDesk>,
    /// What is shown of it.
    pub repair_snap: &'a super::repairs::RepairSnapshot,
    /// The storm demo, while it runs: whether it generates, and its faults so far.
    pub demo: Option<(bool, usize)>,
    /// A workstation on a server: the status line (where its replica stands) and whether
    /// it warns (the last request failed). `None`: embedded.
    pub sync: Option<(String, bool)>,
}

/// Which of the toggled panels and windows are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Open {
    /// The outage list.
    pub outages: bool,
    /// The ticket queue and crew list.
    pub repairs: bool,
    /// The new-call form.
    pub new_call: bool,
    /// The KPI dashboard.
    pub dashboard: bool,
    /// The planning workspace.
    pub planning: bool,
    /// The list of open sensitive-word alerts, and how many are open.
    pub alerts: (bool, usize),
}

impl Ctx<'_> {
    /// A UI string.
    pub fn t(&self, key: T) -> &'static str {
        tr(self.lang, key)
    }
}

/// Id of the search box (Ctrl+F focuses it).
pub fn search_id() -> egui::Id {
    egui::Id::unique("gridcare-search")
}

/// The top bar.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    text: &mut String,
    focus: &mut bool,
    ctx: &Ctx,
    pin_mode: bool,
    open: Open,
    out: &mut Vec<Command>,
) {
    egui::Panel::top("top-bar").show(ui, |ui| {
        ui.add_space(4.0);
        // The right-hand group is laid out first, so the left one gets the width that is left
        // and wraps onto a second row on a narrow screen instead of running under it.
        let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
        let right_first = egui::Layout::right_to_left(egui::Align::Min);
        ui.allocate_ui_with_layout(row, right_first, |ui| {
            if ui.button(ctx.t(T::Wall)).clicked() {
                out.push(Command::SetWall(true));
            }
            if ui.button(ctx.t(T::Settings)).clicked() {
                out.push(Command::ShowSettings(true));
            }
            language_ui(ui, ctx.lang, out);
            let wrap = egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true);
            ui.with_layout(wrap, |ui| {
                ui.label(RichText::new(ctx.t(T::AppTitle)).strong().size(16.0));
                ui.separator();
                let label = ui.label(ctx.t(T::SearchLabel));
                let edit = egui::TextEdit::singleline(text)
                    .id(search_id())
                    .hint_text(ctx.t(T::SearchHint))
                    // narrower on a narrow screen, so the buttons keep to one row
                    .desired_width((ui.available_width() - 1_060.0).clamp(180.0, 340.0));
                let response = ui.add(edit).labelled_by(label.id);
                if std::mem::take(focus) {
                    response.request_focus();
                }
                let entered =
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if entered || ui.button(ctx.t(T::Find)).clicked() {
                    out.push(Command::Search { query: text.clone(), pick_best: true });
                }
                ui.separator();
                if ui.selectable_label(pin_mode, ctx.t(T::PinMode)).clicked() {
                    out.push(Command::SetPinMode(!pin_mode));
                }
                if ui.button(ctx.t(T::ClearSelection)).clicked() {
                    out.push(Command::ClearSelection);
                }
                ui.separator();
                let n = ctx.outage_snap.active + ctx.outage_snap.announced;
                let text = trf(ctx.lang, T::OutagesCount, &[&n.to_string()]);
                if ui.selectable_label(open.outages, text).clicked() {
                    out.push(Command::ShowOutages(!open.outages));
                }
                if ui.selectable_label(open.dashboard, ctx.t(T::Dashboard)).clicked() {
                    out.push(Command::Dashboard(super::DashboardCommand::Show(!open.dashboard)));
                }
                if ui.selectable_label(open.planning, ctx.t(T::Planning)).clicked() {
                    out.push(Command::ShowPlanning(!open.planning));
                }
                let (list_open, count) = open.alerts;
                super::alerts_panel::badge_ui(ui, list_open, count, ctx.lang, out);
                if ctx.repairs.is_some() {
                    let n = ctx.repair_snap.queue.len().to_string();
                    let text = trf(ctx.lang, T::TicketsCount, &[&n]);
                    if ui.selectable_label(open.repairs, text).clicked() {
                        out.push(Command::ShowRepairs(!open.repairs));
                    }
                    if ui.selectable_label(open.new_call, ctx.t(T::NewCall)).clicked() {
                        out.push(Command::ShowNewCall(!open.new_call));
                    }
                    let generating = ctx.demo.is_some_and(|(g, _)| g);
                    // the demo writes the store directly: not on a server's replica
                    let demo = egui::Button::selectable(generating, ctx.t(T::StormDemo));
                    let demo = ui
                        .add_enabled(ctx.sync.is_none(), demo)
                        .on_disabled_hover_text(ctx.t(T::StormDemoRemote));
                    if demo.clicked() {
                        out.push(Command::SetStormDemo(!generating));
                    }
                    if let Some((_, faults)) = ctx.demo {
                        let note = trf(ctx.lang, T::StormDemoNote, &[&faults.to_string()]);
                        ui.label(RichText::new(note).small().color(highlight::SELECTED));
                    }
                }
            });
        });
        if pin_mode {
            ui.label(RichText::new(ctx.t(T::PinHint)).color(highlight::SELECTED));
        }
        ui.add_space(2.0);
    });
}

/// The two language buttons.
pub fn language_ui(ui: &mut egui::Ui, lang: Lang, out: &mut Vec<Command>) {
    if ui.selectable_label(lang == Lang::En, "English").clicked() {
        out.push(Command::SetLanguage(Lang::En));
    }
    if ui.selectable_label(lang == Lang::Zh, "中文").clicked() {
        out.push(Command::SetLanguage(Lang::Zh));
    }
}

/// The status bar: model size, zoom, tile attribution.
pub fn status_ui(ui: &mut egui::Ui, ctx: &Ctx, zoom: f64, tiles: Option<&TileLayer>) {
    egui::Panel::bottom("status-bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let m = &ctx.grid.model;
            ui.label(trf(
                ctx.lang,
                T::StatusLine,
                &[
                    &m.customers.len().to_string(),
                    &m.feeders.len().to_string(),
                    &m.substations.len().to_string(),
                ],
            ));
            ui.separator();
            ui.label(format!("{} {zoom:.1}", ctx.t(T::Zoom)));
            if let Some((line, warns)) = &ctx.sync {
                ui.separator();
                let mut text = RichText::new(line.as_str());
                if ctx.wall {
                    text = text.small();
                }
                if *warns {
                    ui.colored_label(Color32::from_rgb(200, 60, 0), text);
                } else {
                    ui.label(text.color(Color32::from_rgb(20, 130, 40)));
                }
            }
            if let Some(t) = tiles {
                ui.separator();
                if let TileStatus::Failing(why) = t.status() {
                    ui.colored_label(
                        Color32::from_rgb(200, 60, 0),
                        format!("{}: {why}", ctx.t(T::TilesFailing)),
                    );
                } else if !t.attribution().is_empty() {
                    ui.label(format!("© {}", t.attribution()));
                }
            }
        });
    });
}

fn layer_name(l: LayerId) -> T {
    match l {
        LayerId::Basemap => T::LayerBasemap,
        LayerId::Tiles => T::LayerTiles,
        LayerId::OutageAreas => T::LayerOutageAreas,
        LayerId::PredictedAreas => T::LayerPredicted,
        LayerId::Feeders => T::LayerFeeders,
        LayerId::Customers => T::LayerCustomers,
        LayerId::Transformers => T::LayerTransformers,
        LayerId::Switches => T::LayerSwitches,
        LayerId::Substations => T::LayerSubstations,
        LayerId::RepairPins => T::LayerRepairPins,
        LayerId::Crews => T::LayerCrews,
        LayerId::Planning => T::LayerPlanning,
    }
}

/// A legend swatch.
#[derive(Clone, Copy)]
enum Swatch {
    Square(Color32),
    Hollow(Color32),
    Line(Color32, f32),
    Triangle(Color32),
    Dot(Color32),
    Area(AreaKind),
    Ramp,
    Pin(Color32),
    SmallDot(Color32),
    Van(Color32),
    Predicted,
    Ring(Color32),
}

fn swatch_ui(ui: &mut egui::Ui, s: Swatch) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(22.0, 14.0), Sense::hover());
    let p = ui.painter();
    let c = rect.center();
    match s {
        Swatch::Square(col) => {
            p.rect_filled(egui::Rect::from_center_size(c, Vec2::splat(8.0)), 0.0, col);
        }
        Swatch::Hollow(col) => {
            let r = egui::Rect::from_center_size(c, Vec2::splat(8.0));
            p.rect_stroke(r, 0.0, Stroke::new(2.0, col), egui::StrokeKind::Inside);
        }
        Swatch::Line(col, w) => {
            p.line_segment([rect.left_center(), rect.right_center()], Stroke::new(w, col));
        }
        Swatch::Triangle(col) => {
            let pts = vec![
                c + egui::vec2(0.0, -6.0),
                c + egui::vec2(6.0, 5.0),
                c + egui::vec2(-6.0, 5.0),
            ];
            p.add(egui::Shape::convex_polygon(pts, col, Stroke::NONE));
        }
        Swatch::Dot(col) => {
            p.circle_filled(c, 5.0, col);
        }
        Swatch::Area(kind) => {
            let (fill, line) = areas::colours(kind);
            p.rect(rect.shrink(2.0), 0.0, fill, Stroke::new(1.5, line), egui::StrokeKind::Inside);
        }
        Swatch::Pin(col) => {
            let mut shapes = Vec::new();
            highlight::pin(&mut shapes, c + egui::vec2(0.0, 7.0), col, 0.75);
            p.extend(shapes);
        }
        Swatch::SmallDot(col) => {
            p.circle_filled(c, 3.5, col);
        }
        Swatch::Van(col) => {
            let mut shapes = Vec::new();
            crews::van(&mut shapes, c, col, 0.9);
            p.extend(shapes);
        }
        Swatch::Predicted => {
            let mut shapes = Vec::new();
            let r = rect.shrink(2.0);
            let ring = vec![r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom()];
            areas::predicted_shapes(&mut shapes, &ring, 1.5, 5.0);
            p.extend(shapes);
        }
        Swatch::Ring(col) => {
            p.circle_stroke(c, 5.5, Stroke::new(2.5, col));
        }
        Swatch::Ramp => {
            for k in 0..5 {
                let x = rect.left() + k as f32 * 4.4;
                let r = egui::Rect::from_min_size(
                    egui::pos2(x, rect.top() + 2.0),
                    Vec2::new(4.0, 10.0),
                );
                p.rect_filled(r, 0.0, feeder_colour(k * 3));
            }
        }
    }
}

fn legend_of(l: LayerId) -> Vec<(Swatch, T)> {
    match l {
        LayerId::Feeders => vec![
            (Swatch::Ramp, T::FeederColours),
            (Swatch::Line(feeders::DEAD, 2.0), T::LegendDeadLine),
            (Swatch::Line(feeders::LV, 1.0), T::LegendLv),
            (Swatch::Line(highlight::PATH, 4.0), T::LegendPath),
        ],
        LayerId::Customers => vec![
            (Swatch::Square(customers::ON), T::LegendSupplied),
            (Swatch::Square(customers::OUT), T::LegendOut),
            (Swatch::Square(customers::ON.gamma_multiply(0.4)), T::LegendDensity),
        ],
        LayerId::Switches => vec![
            (Swatch::Square(switches::CLOSED), T::LegendClosed),
            (Swatch::Hollow(switches::OPEN), T::LegendOpen),
            (Swatch::Hollow(switches::TIE), T::LegendTie),
        ],
        LayerId::Transformers => vec![
            (Swatch::Triangle(transformers::PUBLIC), T::LegendPublic),
            (Swatch::Triangle(transformers::DEDICATED), T::LegendDedicated),
        ],
        LayerId::Substations => vec![(Swatch::Dot(substations::COLOUR), T::LayerSubstations)],
        LayerId::OutageAreas => vec![
            (Swatch::Area(AreaKind::Fault), T::LegendFault),
            (Swatch::Area(AreaKind::Planned), T::LegendPlanned),
            (Swatch::Area(AreaKind::WhatIf), T::LegendWhatIf),
        ],
        LayerId::PredictedAreas => vec![(Swatch::Predicted, T::LegendPredicted)],
        LayerId::RepairPins => vec![
            (Swatch::Pin(repairs::colour(Urgency::OnTime)), T::LegendOnTime),
            (Swatch::Pin(repairs::colour(Urgency::Short)), T::LegendShort),
            (Swatch::Pin(repairs::colour(Urgency::Breached)), T::LegendBreached),
            (Swatch::Pin(repairs::colour(Urgency::Done)), T::LegendDone),
            (Swatch::SmallDot(repairs::colour(Urgency::OnTime)), T::LegendMerged),
        ],
        LayerId::Crews => vec![
            (Swatch::Van(crews::colour(CrewStatus::Available)), T::LegendCrewFree),
            (Swatch::Van(crews::colour(CrewStatus::EnRoute)), T::LegendCrewDriving),
            (Swatch::Van(crews::colour(CrewStatus::OnSite)), T::LegendCrewOnSite),
        ],
        LayerId::Planning => vec![
            (Swatch::Line(planning::POLYGON, 2.5), T::LegendPlanPolygon),
            (Swatch::Square(planning::OPEN_SWITCH), T::LegendPlanSwitch),
            (Swatch::SmallDot(planning::INSIDE), T::LegendPlanInside),
            (Swatch::SmallDot(planning::OUTSIDE), T::LegendPlanOutside),
            (Swatch::Ring(planning::BACK_FEED), T::LegendPlanTie),
        ],
        LayerId::Basemap | LayerId::Tiles => Vec::new(),
    }
}

/// The layers panel: a toggle per layer with its legend underneath.
pub fn layers_ui(ui: &mut egui::Ui, on: &LayerToggles, ctx: &Ctx, out: &mut Vec<Command>) {
    egui::Panel::left("layers").default_size(230.0).resizable(true).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(ctx.t(T::Layers));
            for l in LayerId::ALL.iter().rev() {
                let mut enabled = on.is_on(*l);
                if ui.checkbox(&mut enabled, ctx.t(layer_name(*l))).changed() {
                    out.push(Command::SetLayer(*l, enabled));
                }
                for (sw, key) in legend_of(*l) {
                    ui.horizontal(|ui| {
                        ui.add_space(18.0);
                        swatch_ui(ui, sw);
                        ui.label(RichText::new(ctx.t(key)).small());
                    });
                }
            }
        });
    });
}

/// The settings window: tile source and wall-screen tour time.
pub fn settings_ui(
    ectx: &egui::Context,
    form: &mut SettingsForm,
    cycle_s: f32,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let mut open = true;
    egui::Window::new(ctx.t(T::Settings)).open(&mut open).collapsible(false).show(ectx, |ui| {
        ui.label(RichText::new(ctx.t(T::TileSource)).strong());
        for (k, key) in
            [(0, T::TilesNone), (1, T::TilesUrl), (2, T::TilesDir), (3, T::TilesMbtiles)]
        {
            ui.radio_value(&mut form.kind, k, ctx.t(key));
        }
        if form.kind != 0 {
            ui.text_edit_singleline(&mut form.location);
            if form.kind != 3 {
                ui.horizontal(|ui| {
                    ui.label("©");
                    ui.text_edit_singleline(&mut form.attribution);
                });
            }
        }
        if ui.button(ctx.t(T::Apply)).clicked() {
            out.push(Command::SetTiles(form.to_config()));
        }
        ui.separator();
        ui.label(RichText::new(ctx.t(T::Wall)).strong());
        let mut s = cycle_s;
        if ui.add(egui::Slider::new(&mut s, 3.0..=120.0).suffix(" s")).changed() {
            out.push(Command::SetWallCycle(s));
        }
    });
    if !open {
        out.push(Command::ShowSettings(false));
    }
}
