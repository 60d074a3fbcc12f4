//! The candidate windows (停电窗口) of the planning panel: windows typed (name, start, end,
//! crews free) or generated one a day over a horizon, the crews the work needs, and the
//! library's ranking (`choose_window`): rank, window, customer-hours, weighted, objections,
//! preferences, conflicting planned outages, crews, score, and why the first was chosen.
//! The chosen window can be set on the open scenario.

use eframe::egui::{self, RichText};

use crate::planning::{Ranking, WindowRow};

use super::super::command::Command;
use super::super::i18n::{trf, Lang, T};
use super::super::layers::planning as colours;
use super::super::panels::Ctx;
use super::super::repair_panel::{field, grid_of};
use super::panel::{error_line, send, DONE};
use super::{PlanCommand, PlanRes, PlanSession};

/// The windows tab.
pub fn windows_tab(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let w = &mut s.windows;
    ui.label(RichText::new(ctx.t(T::PlanCandidates)).strong());
    if w.list.is_empty() {
        ui.label(RichText::new(ctx.t(T::PlanNoCandidates)).weak());
    } else {
        egui::Grid::new("plan-candidates").num_columns(4).striped(true).spacing([10.0, 3.0]).show(
            ui,
            |ui| {
                for key in [T::PlanWindowName, T::OutageWindow, T::PlanCrewsFree] {
                    ui.label(RichText::new(ctx.t(key)).weak());
                }
                ui.end_row();
                for (i, c) in w.list.iter().enumerate() {
                    ui.label(RichText::new(&c.name).strong());
                    ui.label(crate::outage::history::window_text(c.start_s, c.end_s));
                    ui.label(c.crews_available.to_string());
                    if ui.small_button(format!("× {}", c.name)).clicked() {
                        send(out, PlanCommand::RemoveWindow(i));
                    }
                    ui.end_row();
                }
            },
        );
    }
    ui.add_space(4.0);
    ui.label(RichText::new(ctx.t(T::PlanAddWindowHeading)).weak());
    grid_of(ui, "plan-add-window", |ui| {
        field(ui, ctx.t(T::PlanNewWindowName), &mut w.name, "周三");
        field(ui, ctx.t(T::PlanWindowStart), &mut w.start, "2026-12-09 08:00");
        field(ui, ctx.t(T::PlanWindowEnd), &mut w.end, "2026-12-09 12:00");
        field(ui, ctx.t(T::PlanNewWindowCrews), &mut w.crews, "1");
    });
    if ui.button(ctx.t(T::PlanAddWindow)).clicked() {
        send(
            out,
            PlanCommand::AddWindow {
                name: w.name.clone(),
                start: w.start.clone(),
                end: w.end.clone(),
                crews: w.crews.clone(),
            },
        );
    }
    ui.add_space(4.0);
    ui.label(RichText::new(ctx.t(T::PlanGenerateHeading)).weak());
    grid_of(ui, "plan-generate", |ui| {
        field(ui, ctx.t(T::PlanFromDay), &mut w.from, "2026-12-07");
        field(ui, ctx.t(T::PlanDays), &mut w.days, "5");
        field(ui, ctx.t(T::PlanHour), &mut w.hour, "8");
        field(ui, ctx.t(T::PlanHours), &mut w.hours, "4");
    });
    if ui.button(ctx.t(T::PlanGenerate)).clicked() {
        send(
            out,
            PlanCommand::GenerateWindows {
                from: w.from.clone(),
                days: w.days.clone(),
                hour: w.hour.clone(),
                hours: w.hours.clone(),
                crews: w.crews.clone(),
            },
        );
    }
    ui.separator();
    grid_of(ui, "plan-rank", |ui| {
        field(ui, ctx.t(T::PlanCrewsNeeded), &mut w.crews_needed, "1");
    });
    let stored = res.scenario(s.open);
    ui.horizontal(|ui| {
        if let Some(sc) = stored.filter(|sc| !sc.published) {
            if ui.button(ctx.t(T::PlanOffer)).clicked() {
                send(
                    out,
                    PlanCommand::SetCandidates {
                        crews_needed: w.crews_needed.clone(),
                        reason: s.reason.trim().to_string(),
                        author: author.to_string(),
                    },
                );
            }
            if sc.candidates != w.list {
                ui.label(RichText::new(ctx.t(T::PlanNotOffered)).weak().small());
            }
        }
        if ui.button(ctx.t(T::PlanRank)).clicked() {
            send(out, PlanCommand::Rank { crews_needed: w.crews_needed.clone() });
        }
    });
    if let Some(sc) = stored.filter(|sc| !sc.candidates.is_empty()) {
        let text = trf(ctx.lang, T::PlanRankStored, &[&sc.answers.len().to_string()]);
        ui.label(RichText::new(text).weak().small());
    }
    if let Some(e) = &w.error {
        error_line(ui, ctx, e);
    }
    if let Some(r) = &s.ranking {
        ranking_ui(ui, r, ctx);
        let stored = res.scenario(s.open);
        let chosen = r.chosen.as_ref().and_then(|c| r.rows.iter().find(|x| &x.name == c));
        if let (Some(sc), Some(row)) = (stored, chosen) {
            if !sc.published && ui.button(trf(ctx.lang, T::PlanUseWindow, &[&row.name])).clicked() {
                send(
                    out,
                    PlanCommand::SetWindow {
                        start_s: row.start_s,
                        end_s: row.end_s,
                        reason: why_text(ctx.lang, r),
                        author: author.to_string(),
                    },
                );
            }
        }
    }
    if let Some(d) = &s.done {
        ui.colored_label(DONE, d.as_str());
    }
}

/// The ranking table and the sentence saying why.
pub fn ranking_ui(ui: &mut egui::Ui, r: &Ranking, ctx: &Ctx) {
    ui.add_space(4.0);
    ui.label(RichText::new(ctx.t(T::PlanRanking)).strong());
    egui::ScrollArea::horizontal().id_salt("plan-ranking").show(ui, |ui| {
        egui::Grid::new("plan-ranking-grid")
            .num_columns(10)
            .striped(true)
            .spacing([10.0, 3.0])
            .show(ui, |ui| {
                for key in [
                    T::PlanRankWord,
                    T::PlanWindowName,
                    T::OutageWindow,
                    T::CustomerHours,
                    T::PlanWeighted,
                    T::PlanObjections,
                    T::PlanPreferences,
                    T::PlanConflicts,
                    T::PlanCrewsFree,
                    T::PlanScore,
                ] {
                    ui.label(RichText::new(ctx.t(key)).weak());
                }
                ui.end_row();
                for row in &r.rows {
                    let chosen = r.chosen.as_deref() == Some(row.name.as_str());
                    let rank = RichText::new(row.rank.to_string());
                    ui.label(if chosen { rank.strong().color(DONE) } else { rank });
                    let name = RichText::new(&row.name).strong();
                    ui.label(if chosen { name.color(DONE) } else { name });
                    ui.label(
                        RichText::new(crate::outage::history::window_text(row.start_s, row.end_s))
                            .small(),
                    );
                    ui.label(format!("{:.1}", row.customer_hours));
                    ui.label(format!("{:.1}", row.weighted_customer_hours));
                    ui.label(row.objecting.len().to_string());
                    ui.label(row.preferring.len().to_string());
                    ui.label(row.conflicts.len().to_string());
                    let crews = if row.feasible {
                        RichText::new(row.crews_available.to_string())
                    } else {
                        RichText::new(format!("{}!", row.crews_available))
                            .color(colours::OPEN_SWITCH)
                    };
                    ui.label(crews);
                    ui.label(format!("{:.1}", row.score));
                    ui.end_row();
                }
            });
    });
    let why = why_text(ctx.lang, r);
    ui.add(egui::Label::new(RichText::new(why).color(DONE)).wrap());
    for row in r.rows.iter().filter(|x| !x.objecting.is_empty()) {
        let text = trf(ctx.lang, T::PlanObjectingWho, &[&row.name, &row.objecting.join(", ")]);
        ui.add(egui::Label::new(RichText::new(text).small()).wrap());
    }
    for row in r.rows.iter().filter(|x| !x.conflicts.is_empty()) {
        let ids: Vec<String> = row.conflicts.iter().map(|c| format!("#{c}")).collect();
        let text = trf(ctx.lang, T::PlanConflictsWho, &[&row.name, &ids.join(", ")]);
        ui.add(egui::Label::new(RichText::new(text).small()).wrap());
    }
}

fn facts(lang: Lang, r: &WindowRow) -> String {
    trf(
        lang,
        T::PlanWhyFacts,
        &[
            &r.objecting.len().to_string(),
            &r.preferring.len().to_string(),
            &r.conflicts.len().to_string(),
            &format!("{:.1}", r.weighted_customer_hours),
        ],
    )
}

/// Why the first window was chosen: the library's sentence in English, the same facts
/// phrased in Chinese.
pub fn why_text(lang: Lang, r: &Ranking) -> String {
    if lang == Lang::En {
        return format!("Chosen: {}", r.why);
    }
    let Some(best) = r.rows.first().filter(|x| x.feasible) else {
        return trf(lang, T::PlanWhyNone, &[]);
    };
    let mut why = match r.rows.get(1).filter(|x| x.feasible) {
        Some(next) => trf(
            lang,
            T::PlanWhyAgainst,
            &[
                &best.name,
                &format!("{:.1}", best.score),
                &format!("{:.1}", next.score),
                &next.name,
                &facts(lang, next),
                &facts(lang, best),
            ],
        ),
        None => trf(lang, T::PlanWhyOnly, &[&best.name, &facts(lang, best)]),
    };
    let short: Vec<&str> = r.rows.iter().filter(|x| !x.feasible).map(|x| x.name.as_str()).collect();
    if !short.is_empty() {
        why.push_str(&trf(lang, T::PlanWhyShort, &[&short.join("、")]));
    }
    why
}
