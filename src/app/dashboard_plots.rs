//! The dashboard's plots (egui_plot): the daily SAIDI trend with the T_MED line and the Major
//! Event Days, the worst feeders (bars and a row per feeder, each a click away from the map),
//! the channel mix and the SLA compliance per step. They draw the library's figures only.

use eframe::egui::{self, Color32, RichText};
use egui_plot::{Bar, BarChart, GridInput, GridMark, HLine, Line, Plot, PlotPoints, Points};

use crate::kpi::callcentre::SLA_STEPS;
use crate::kpi::{day_text, Dashboard};
use crate::workorder::Channel;

use super::command::Command;
use super::dashboard::{saidi_text, show_feeder, DashboardInput, ACCENT, MED_RED, RANKED_FEEDERS};
use super::i18n::{channel_word, sla_step, tr, T};
use super::panels::Ctx;

fn fixed_plot(id: &str, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([false, true])
}

/// The four plots side by side, as high as the panel allows.
pub(super) fn charts_ui(
    ui: &mut egui::Ui,
    dash: &Dashboard,
    ctx: &Ctx,
    input: &DashboardInput,
    out: &mut Vec<Command>,
) {
    let height = (ui.available_height() - 30.0).clamp(120.0, 420.0);
    let width = ui.available_width();
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width * 0.34);
            ui.label(RichText::new(ctx.t(T::DashTrend)).strong());
            trend_ui(ui, dash, ctx, height);
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(width * 0.34);
            ui.label(RichText::new(ctx.t(T::DashWorst)).strong())
                .on_hover_text(ctx.t(T::DashWorstHint));
            ranking_ui(ui, dash, ctx, height, input, out);
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(width * 0.13);
            ui.label(RichText::new(ctx.t(T::DashChannels)).strong());
            channels_ui(ui, dash, ctx, height);
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(ctx.t(T::DashSlaSteps)).strong());
            sla_ui(ui, dash, ctx, height);
        });
    });
}

fn trend_ui(ui: &mut egui::Ui, dash: &Dashboard, ctx: &Ctx, height: f32) {
    if dash.daily.is_empty() {
        ui.label(ctx.t(T::DashNoData));
        return;
    }
    let pts: Vec<[f64; 2]> = dash.daily.iter().map(|d| [d.day as f64, d.saidi_min]).collect();
    let med: Vec<[f64; 2]> = dash
        .report
        .med_days
        .iter()
        .filter_map(|m| dash.daily.iter().find(|d| d.day == m.day))
        .map(|d| [d.day as f64, d.saidi_min])
        .collect();
    let tmed = dash.report.med.map(|t| t.t_med_min);
    let lang = ctx.lang;
    fixed_plot("dashboard-trend", height)
        .legend(egui_plot::Legend::default().position(egui_plot::Corner::RightTop))
        .x_axis_formatter(|m, _| {
            day_text(m.value.round() as i64).get(5..).unwrap_or("").to_string()
        })
        .y_axis_min_width(28.0)
        .include_y(0.0)
        .show(ui, |p| {
            p.line(Line::new("SAIDI", PlotPoints::from(pts)).color(ACCENT).fill(0.0));
            if let Some(t) = tmed {
                p.hline(
                    HLine::new(tr(lang, T::DashTmedLine), t).color(Color32::from_rgb(230, 140, 20)),
                );
            }
            if !med.is_empty() {
                p.points(
                    Points::new(tr(lang, T::DashMedPoints), PlotPoints::from(med))
                        .color(MED_RED)
                        .radius(4.0)
                        .filled(true),
                );
            }
        });
}

fn ranking_ui(
    ui: &mut egui::Ui,
    dash: &Dashboard,
    ctx: &Ctx,
    height: f32,
    input: &DashboardInput,
    out: &mut Vec<Command>,
) {
    let map_rect = input.map_rect;
    let feeders = &ctx.grid.model.feeders;
    let selected = input.selected.and_then(|f| feeders.get(f.index())).map(|f| f.name.as_str());
    let top: Vec<_> = dash.feeders.iter().take(RANKED_FEEDERS).collect();
    if top.is_empty() {
        ui.label(ctx.t(T::DashNoData));
        return;
    }
    let n = top.len();
    let bars: Vec<Bar> = top
        .iter()
        .enumerate()
        .map(|(r, f)| {
            Bar::new(row_y(n, r), f.indices.saidi_min.unwrap_or(0.0))
                .name(&f.display_name)
                .fill(if r == 0 { MED_RED } else { ACCENT })
        })
        .collect();
    ui.horizontal_top(|ui| {
        let plot_w = (ui.available_width() - 170.0).max(120.0);
        // the rank on the axis; the names are in the rows beside
        let ranks: Vec<String> = (1..=n).map(|r| r.to_string()).collect();
        let resp = category_plot("dashboard-ranking", height, ranks)
            .width(plot_w)
            .y_axis_min_width(24.0)
            .include_x(0.0)
            .show(ui, |p| {
                p.bar_chart(BarChart::new("SAIDI", bars).horizontal().width(0.7));
                p.response().clicked().then(|| p.pointer_coordinate()).flatten()
            });
        if let Some(at) = resp.inner {
            let y = at.y.round();
            if (0.0..n as f64).contains(&y) && at.x >= 0.0 {
                if let Some(f) = top.get(n - 1 - y as usize) {
                    show_feeder(ctx, &f.name, map_rect, out);
                }
            }
        }
        // the same feeders as rows, each a button
        ui.vertical(|ui| {
            egui::Grid::new("dashboard-ranking-rows").num_columns(2).spacing([8.0, 2.0]).show(
                ui,
                |ui| {
                    for (r, f) in top.iter().enumerate() {
                        let text = format!("{}. {}", r + 1, f.display_name);
                        let row = ui.selectable_label(selected == Some(f.name.as_str()), text);
                        if row.on_hover_text(ctx.t(T::DashWorstHint)).clicked() {
                            show_feeder(ctx, &f.name, map_rect, out);
                        }
                        ui.label(saidi_text(f.indices.saidi_min));
                        ui.end_row();
                    }
                },
            );
        });
    });
}

fn channels_ui(ui: &mut egui::Ui, dash: &Dashboard, ctx: &Ctx, height: f32) {
    let rows: Vec<(String, u64)> = dash
        .report
        .measures
        .iter()
        .filter(|(by, _, _)| by == "channel")
        .map(|(_, key, m)| {
            let word = Channel::parse(key).map_or(key.as_str(), |c| channel_word(ctx.lang, c));
            (word.to_string(), m.tickets)
        })
        .collect();
    if rows.is_empty() {
        ui.label(ctx.t(T::DashNoData));
        return;
    }
    let names: Vec<String> = rows.iter().map(|(w, _)| w.clone()).collect();
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (w, n))| Bar::new(row_y(rows.len(), i), *n as f64).name(w).fill(ACCENT))
        .collect();
    category_plot("dashboard-channels", height, names).include_x(0.0).show(ui, |p| {
        p.bar_chart(BarChart::new(tr(ctx.lang, T::DashChannels), bars).horizontal().width(0.6))
    });
}

fn sla_ui(ui: &mut egui::Ui, dash: &Dashboard, ctx: &Ctx, height: f32) {
    let Some((_, _, m)) = dash.report.measures.first() else {
        ui.label(ctx.t(T::DashNoData));
        return;
    };
    let names: Vec<String> = SLA_STEPS.iter().map(|s| sla_step(ctx.lang, *s).to_string()).collect();
    let bars: Vec<Bar> = m
        .sla
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let rate = s.rate()?;
            let colour = if rate >= 0.95 {
                Color32::from_rgb(60, 160, 80)
            } else if rate >= 0.8 {
                Color32::from_rgb(230, 160, 30)
            } else {
                MED_RED
            };
            Some(Bar::new(row_y(SLA_STEPS.len(), i), rate * 100.0).name(&names[i]).fill(colour))
        })
        .collect();
    category_plot("dashboard-sla", height, names).include_x(0.0).include_x(100.0).show(ui, |p| {
        p.bar_chart(BarChart::new(tr(ctx.lang, T::DashSlaSteps), bars).horizontal().width(0.6))
    });
}

/// The y of the `i`-th of `n` rows of a horizontal bar chart, the first at the top.
fn row_y(n: usize, i: usize) -> f64 {
    n.saturating_sub(1 + i) as f64
}

/// A horizontal bar plot with one named row per integer y, the first name at the top.
fn category_plot(id: &str, height: f32, names: Vec<String>) -> Plot<'static> {
    let n = names.len();
    fixed_plot(id, height)
        .show_grid([true, false])
        .y_axis_min_width(64.0)
        .include_y(-0.5)
        .include_y(n as f64 - 0.5)
        .y_grid_spacer(move |g: GridInput| {
            let (lo, hi) = g.bounds;
            (0..n)
                .map(|i| i as f64)
                .filter(|y| (lo..=hi).contains(y))
                .map(|value| GridMark { value, step_size: 1.0 })
                .collect()
        })
        .y_axis_formatter(move |m, _| {
            let y = m.value.round();
            if (m.value - y).abs() > 0.01 || y < 0.0 {
                return String::new();
            }
            names.get(n.saturating_sub(1 + y as usize)).cloned().unwrap_or_default()
        })
}
