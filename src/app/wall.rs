//! The wall screen (大屏): full screen, large type, no editing controls, personal data
//! masked, headline tiles, and the map touring the areas of interest (the open outages' areas
//! if any, else the de-energised areas, else each substation) every few seconds.
//!
//! "Active outages" counts the outages of the outage book with customers off now, and how many
//! customers that is; "crews in the field" counts the repair desk's crews on their way or on
//! site (when the store could not be opened, both show "—" saying so).

use eframe::egui::{self, Color32, RichText, TextStyle};

use super::command::Command;
use super::i18n::{tr, trf, T};
use super::panels::{language_ui, Ctx};
use super::session::{tour_stops, Tour, TourStop};
use super::GridCareApp;

/// Type 1.6 times larger.
pub fn scale_type(ui: &mut egui::Ui) {
    let style = ui.style_mut();
    for (text_style, font) in style.text_styles.iter_mut() {
        let base = match text_style {
            TextStyle::Heading => 26.0,
            TextStyle::Small => 13.0,
            _ => 20.0,
        };
        font.size = font.size.max(base);
    }
    style.spacing.item_spacing = egui::vec2(10.0, 8.0);
}

fn tile(ui: &mut egui::Ui, title: &str, value: &str, note: Option<&str>, colour: Color32) {
    egui::Frame::new()
        .fill(Color32::from_rgb(24, 32, 48))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(18, 10))
        .show(ui, |ui| {
            ui.set_min_width(230.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).color(Color32::from_gray(200)).size(18.0));
                ui.label(RichText::new(value).color(colour).size(40.0).strong());
                if let Some(n) = note {
                    ui.label(RichText::new(n).color(Color32::from_gray(150)).size(13.0));
                }
            });
        });
}

/// The headline tiles across the top.
pub fn headline_ui(
    ui: &mut egui::Ui,
    ctx: &Ctx,
    tour: &Tour,
    dashboard: &super::dashboard::DashboardRes,
    out: &mut Vec<Command>,
) {
    let frame =
        egui::Frame::new().fill(Color32::from_rgb(12, 18, 30)).inner_margin(egui::Margin::same(10));
    egui::Panel::top("wall-headline").frame(frame).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(ctx.t(T::AppTitle)).color(Color32::WHITE).size(28.0).strong());
            ui.add_space(24.0);
            if let Some(stop) = tour.stops.get(tour.index) {
                ui.label(
                    RichText::new(format!("{} · {}", ctx.t(T::Touring), stop.caption))
                        .color(Color32::from_rgb(255, 210, 90))
                        .size(24.0),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(ctx.t(T::ExitWall)).clicked() {
                    out.push(Command::SetWall(false));
                }
                language_ui(ui, ctx.lang, out);
            });
        });
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            let out_now = ctx.snap.customers_out;
            let colour = if out_now > 0 {
                Color32::from_rgb(255, 90, 80)
            } else {
                Color32::from_rgb(110, 220, 130)
            };
            tile(ui, ctx.t(T::CustomersOut), &out_now.to_string(), None, colour);
            tile(
                ui,
                ctx.t(T::TotalCustomers),
                &ctx.grid.model.customers.len().to_string(),
                None,
                Color32::WHITE,
            );
            if ctx.outages.is_some() {
                let o = ctx.outage_snap;
                let mut note = trf(ctx.lang, T::CustomersOffNote, &[&o.customers_off.to_string()]);
                if o.announced > 0 {
                    note.push_str(" · ");
                    note.push_str(&trf(ctx.lang, T::AnnouncedNote, &[&o.announced.to_string()]));
                }
                let colour = if o.active > 0 {
                    Color32::from_rgb(255, 90, 80)
                } else {
                    Color32::from_rgb(110, 220, 130)
                };
                tile(ui, ctx.t(T::ActiveOutages), &o.active.to_string(), Some(&note), colour);
            } else {
                let why = Some(ctx.t(T::StoreUnavailable));
                tile(ui, ctx.t(T::ActiveOutages), "—", why, Color32::from_gray(180));
            }
            if ctx.repairs.is_some() {
                let r = ctx.repair_snap;
                let note = trf(
                    ctx.lang,
                    T::CrewsInFieldNote,
                    &[&r.crews.len().to_string(), &r.queue.len().to_string()],
                );
                let colour = if r.in_field > 0 {
                    Color32::from_rgb(255, 170, 60)
                } else {
                    Color32::from_rgb(110, 220, 130)
                };
                tile(ui, ctx.t(T::CrewsInField), &r.in_field.to_string(), Some(&note), colour);
            } else {
                let why = Some(ctx.t(T::RepairStoreUnavailable));
                tile(ui, ctx.t(T::CrewsInField), "—", why, Color32::from_gray(180));
            }
            super::dashboard::wall_tiles(ui, ctx, dashboard, tile);
        });
    });
}

/// The open outages' areas as tour stops (centre of each ring, with its caption).
fn outage_stops(o: &super::outages::OutageSnapshot) -> Vec<TourStop> {
    o.areas
        .iter()
        .filter(|a| !a.ring.is_empty())
        .map(|a| {
            let n = a.ring.len() as f64;
            let (x, y) = a.ring.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0] / n, y + p[1] / n));
            TourStop { at: super::view::lonlat_of([x, y]), zoom: 14.5, caption: a.caption.clone() }
        })
        .collect()
}

/// Moves the tour on when its time is up.
pub fn advance_tour(app: &mut GridCareApp, now_s: f64, ctx: &egui::Context) {
    if app.session.tour.stops.is_empty() {
        if let Some(grid) = app.res.grid.as_ref() {
            let caption = tr(app.state.lang, T::DeEnergisedArea);
            app.session.tour.stops = outage_stops(&app.res.outage_snapshot);
            if app.session.tour.stops.is_empty() {
                app.session.tour.stops = tour_stops(grid, &app.res.snapshot, caption);
            }
        }
    }
    let tour = &mut app.session.tour;
    if tour.stops.is_empty() || now_s < tour.next_s {
        return;
    }
    // the stops are found again when the outages change, and may be fewer
    if tour.index >= tour.stops.len() {
        tour.index = 0;
    }
    let first = tour.next_s == 0.0;
    if !first {
        tour.index = (tour.index + 1) % tour.stops.len();
    }
    tour.next_s = now_s + f64::from(app.state.wall.cycle_s);
    let stop = tour.stops[tour.index].clone();
    app.fly_to(stop.at, stop.zoom, ctx);
    ctx.request_repaint_after(std::time::Duration::from_secs_f32(app.state.wall.cycle_s));
}
