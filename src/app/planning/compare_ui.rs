//! The comparison tab (方案比较) of the planning panel: scenarios ticked, and the library's
//! comparison (`compare_scenarios`, computed on a worker thread) side by side.

use eframe::egui::{self, RichText};

use super::super::command::Command;
use super::super::i18n::{tr, trf, T};
use super::super::panels::Ctx;
use super::panel::{error_line, send};
use super::{PlanCommand, PlanRes, PlanSession};

/// The comparison tab: scenarios ticked, the comparison side by side.
pub fn compare_tab(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    ui.label(RichText::new(ctx.t(T::PlanCompareHint)).weak());
    for sc in &res.scenarios {
        let mut on = s.compare.contains(&sc.id);
        let text = trf(ctx.lang, T::PlanScenarioTitle, &[&sc.id.to_string(), &sc.name]);
        if ui.checkbox(&mut on, text).changed() {
            if on {
                s.compare.insert(sc.id);
            } else {
                s.compare.remove(&sc.id);
            }
        }
    }
    let ready = s.compare.len() >= 2;
    if ui.add_enabled(ready && !res.comparing(), egui::Button::new(ctx.t(T::PlanCompare))).clicked()
    {
        send(out, PlanCommand::Compare(s.compare.iter().copied().collect()));
    }
    if res.comparing() {
        ui.label(RichText::new(ctx.t(T::DashComputing)).italics());
    }
    match &res.comparison {
        Some(Err(e)) => error_line(ui, ctx, e),
        Some(Ok(rows)) => {
            egui::ScrollArea::horizontal().id_salt("plan-compare").show(ui, |ui| {
                egui::Grid::new("plan-compare-grid").num_columns(rows.len() + 1).striped(true).spacing([14.0, 3.0]).show(ui, |ui| {
                    ui.label("");
                    for r in rows {
                        ui.label(RichText::new(format!("#{} {}", r.id, r.name)).strong());
                    }
                    ui.end_row();
                    let line = |ui: &mut egui::Ui, key: T, f: &dyn Fn(&crate::planning::ScenarioComparison) -> String| {
                        ui.label(RichText::new(ctx.t(key)).weak());
                        for r in rows {
                            ui.label(f(r));
                        }
                        ui.end_row();
                    };
                    line(ui, T::PlanAffected, &|r| r.affected.to_string());
                    line(ui, T::PlanSensitive, &|r| r.sensitive.to_string());
                    line(ui, T::LabelLifeSupport, &|r| r.life_support.to_string());
                    line(ui, T::PlanDemand, &|r| format!("{:.0} kW", r.kw));
                    line(ui, T::CustomerHours, &|r| format!("{:.1}", r.customer_hours));
                    line(ui, T::PlanConsultedN, &|r| r.consulted.to_string());
                    line(ui, T::PlanAnsweredWord, &|r| r.answered.to_string());
                    line(ui, T::PlanObjections, &|r| r.objections.to_string());
                    line(ui, T::PlanBestWindow, &|r| r.best_window.clone().unwrap_or_else(|| "—".into()));
                    line(ui, T::PlanScore, &|r| r.best_score.map_or_else(|| "—".into(), |x| format!("{x:.1}")));
                    line(ui, T::PlanPublishedWord, &|r| {
                        tr(ctx.lang, if r.published { T::PlanYes } else { T::PlanNo }).to_string()
                    });
                });
            });
        }
        None => {}
    }
}
