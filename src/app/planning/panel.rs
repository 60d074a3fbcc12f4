//! The planning panel (停电计划) beside the map: the tabs of the workspace, and the scenario
//! tab — the stored scenarios (open one, start a new one), the name, the area (a polygon
//! clicked on the map, or devices), what GridCare computed for it (the switches to open,
//! who loses supply by label, customer-hours, the ties that can back-feed part of it) and
//! the scenario's history. On the wall screen the panel only shows what was computed.

use eframe::egui::{self, Color32, RichText};

use crate::planning::{Scenario, ScenarioArea, ScenarioEvent};
use crate::store::{format_time, Recorded};

use super::super::command::Command;
use super::super::i18n::{label_word, switch_kind, tr, trf, Lang, T};
use super::super::layers::planning as colours;
use super::super::panels::Ctx;
use super::super::repair_panel::{field, grid_of, row, ERROR};
use super::{DrawMode, PlanCommand, PlanRes, PlanSession, PlanTab};
use crate::model::{DeviceRef, ElementRef};

/// Colour of what went through.
pub const DONE: Color32 = Color32::from_rgb(20, 130, 40);

/// Sends a planning command.
pub(super) fn send(out: &mut Vec<Command>, c: PlanCommand) {
    out.push(Command::Plan(c));
}

/// A line in red: what was refused.
pub fn error_line(ui: &mut egui::Ui, ctx: &Ctx, e: &str) {
    let text = RichText::new(format!("{}: {e}", ctx.t(T::ChangeFailed))).color(ERROR);
    ui.add(egui::Label::new(text).wrap());
}

/// The planning panel. It edits only the planning session's forms.
pub fn planning_ui(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    egui::Panel::right("planning").default_size(520.0).resizable(true).show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading(RichText::new(ctx.t(T::Planning)).color(colours::POLYGON));
            ui.label(RichText::new(ctx.t(T::PlanMotto)).weak());
        });
        if res.book.is_none() {
            ui.colored_label(ERROR, ctx.t(T::StoreUnavailable));
        }
        if !ctx.wall {
            ui.horizontal(|ui| {
                for (tab, key) in [
                    (PlanTab::Scenario, T::PlanTabScenario),
                    (PlanTab::Customers, T::PlanTabCustomers),
                    (PlanTab::Windows, T::PlanTabWindows),
                    (PlanTab::Consult, T::PlanTabConsult),
                    (PlanTab::Compare, T::PlanTabCompare),
                ] {
                    if ui.selectable_label(s.tab == tab, ctx.t(key)).clicked() {
                        s.tab = tab;
                    }
                }
            });
        }
        ui.separator();
        egui::ScrollArea::vertical().id_salt("planning-scroll").auto_shrink([false, false]).show(
            ui,
            |ui| {
                if ctx.wall {
                    scenario_title(ui, s, res, ctx);
                    impact_ui(ui, res, s, ctx);
                    super::customers_ui::list_ui(ui, res, ctx);
                    return;
                }
                match s.tab {
                    PlanTab::Scenario => scenario_tab(ui, s, res, author, ctx, out),
                    PlanTab::Customers => super::customers_ui::customers_tab(ui, s, res, ctx, out),
                    PlanTab::Windows => {
                        super::windows_ui::windows_tab(ui, s, res, author, ctx, out)
                    }
                    PlanTab::Consult => {
                        super::consult_ui::consult_tab(ui, s, res, author, ctx, out)
                    }
                    PlanTab::Compare => super::compare_ui::compare_tab(ui, s, res, ctx, out),
                }
            },
        );
    });
}

/// `3 corners` / `2 devices`.
fn area_summary(lang: Lang, a: &ScenarioArea) -> String {
    match a {
        ScenarioArea::Polygon { ring } => trf(lang, T::PlanAreaPolygon, &[&ring.len().to_string()]),
        ScenarioArea::Devices { devices } => {
            trf(lang, T::PlanAreaDevices, &[&devices.len().to_string()])
        }
    }
}

fn scenario_list(
    ui: &mut egui::Ui,
    s: &PlanSession,
    res: &PlanRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(ctx.t(T::PlanScenarios)).strong());
        if ui.button(ctx.t(T::PlanNew)).clicked() {
            send(out, PlanCommand::New);
        }
    });
    if res.scenarios.is_empty() {
        ui.label(RichText::new(ctx.t(T::PlanNoScenarios)).weak());
        return;
    }
    egui::ScrollArea::vertical().id_salt("scenario-list").max_height(150.0).show(ui, |ui| {
        egui::Grid::new("scenario-grid").num_columns(4).striped(true).spacing([12.0, 3.0]).show(
            ui,
            |ui| {
                for sc in &res.scenarios {
                    let open = s.open == Some(sc.id);
                    if ui.selectable_label(open, format!("#{}", sc.id)).clicked() {
                        send(out, PlanCommand::Open(sc.id));
                    }
                    ui.label(sc.name.as_str());
                    ui.label(RichText::new(area_summary(ctx.lang, &sc.area)).small());
                    ui.label(RichText::new(window_word(ctx, sc)).small());
                    ui.end_row();
                }
            },
        );
    });
}

fn window_word(ctx: &Ctx, sc: &Scenario) -> String {
    let w = sc.window.map_or_else(
        || ctx.t(T::PlanNoWindow).to_string(),
        |(a, b)| crate::outage::history::window_text(a, b),
    );
    if sc.published {
        format!("{w} · {}", ctx.t(T::PlanPublished))
    } else {
        w
    }
}

fn scenario_title(ui: &mut egui::Ui, s: &PlanSession, res: &PlanRes, ctx: &Ctx) {
    let text = match res.scenario(s.open) {
        Some(sc) => trf(ctx.lang, T::PlanScenarioTitle, &[&sc.id.to_string(), &sc.name]),
        None => ctx.t(T::PlanNewTitle).to_string(),
    };
    ui.label(RichText::new(text).strong().size(16.0));
}

fn scenario_tab(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    scenario_list(ui, s, res, ctx, out);
    ui.separator();
    scenario_title(ui, s, res, ctx);
    let stored = res.scenario(s.open).cloned();
    let frozen = stored.as_ref().is_some_and(|sc| sc.published);
    if let Some(sc) = &stored {
        ui.label(RichText::new(window_word(ctx, sc)).weak());
    }
    if frozen {
        ui.label(RichText::new(ctx.t(T::PlanFrozen)).color(colours::OPEN_SWITCH));
    } else {
        area_form(ui, s, ctx, out);
        grid_of(ui, "plan-save", |ui| {
            field(ui, ctx.t(T::PlanName), &mut s.name, "sw01 2号分段检修");
            field(ui, ctx.t(T::PlanReason), &mut s.reason, "杆塔更换");
        });
        let key = if s.open.is_some() { T::PlanSaveChanges } else { T::PlanSave };
        if ui.button(ctx.t(key)).clicked() {
            send(
                out,
                PlanCommand::Save {
                    name: s.name.trim().to_string(),
                    reason: s.reason.trim().to_string(),
                    author: author.to_string(),
                },
            );
        }
    }
    if let Some(e) = &s.error {
        error_line(ui, ctx, e);
    }
    if let Some(d) = &s.done {
        ui.colored_label(DONE, d.as_str());
    }
    super::publish_ui::publish_ui(ui, s, res, author, ctx, out);
    ui.separator();
    impact_ui(ui, res, s, ctx);
    if let Some(h) = &s.history {
        ui.separator();
        history_ui(ui, h, ctx);
    }
}

/// The area: polygon or devices, with the buttons of the drawing.
fn area_form(ui: &mut egui::Ui, s: &mut PlanSession, ctx: &Ctx, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(ctx.t(T::PlanArea)).weak());
        if ui.radio(s.draft.by_polygon, ctx.t(T::PlanByPolygon)).clicked() {
            send(out, PlanCommand::SetMode(DrawMode::Polygon));
        }
        if ui.radio(!s.draft.by_polygon, ctx.t(T::PlanByDevices)).clicked() {
            send(out, PlanCommand::SetMode(DrawMode::Devices));
        }
    });
    if s.draft.by_polygon {
        let n = s.draft.ring.len().to_string();
        let state = if s.draft.closed {
            trf(ctx.lang, T::PlanPolygonClosed, &[&n])
        } else {
            trf(ctx.lang, T::PlanCorners, &[&n])
        };
        ui.label(state);
        if s.mode == DrawMode::Polygon {
            ui.label(RichText::new(ctx.t(T::PlanPolygonHint)).color(colours::POLYGON));
        }
        ui.horizontal(|ui| {
            let draw = if s.draft.ring.is_empty() { T::PlanDrawStart } else { T::PlanDraw };
            if s.mode != DrawMode::Polygon && ui.button(ctx.t(draw)).clicked() {
                send(out, PlanCommand::SetMode(DrawMode::Polygon));
            }
            if !s.draft.closed && ui.button(ctx.t(T::PlanFinish)).clicked() {
                send(out, PlanCommand::FinishPolygon);
            }
            if !s.draft.ring.is_empty() && ui.button(ctx.t(T::PlanUndo)).clicked() {
                send(out, PlanCommand::UndoCorner);
            }
            if !s.draft.ring.is_empty() && ui.button(ctx.t(T::PlanClear)).clicked() {
                send(out, PlanCommand::ClearArea);
            }
        });
    } else {
        if s.mode == DrawMode::Devices {
            ui.label(RichText::new(ctx.t(T::PlanDevicesHint)).color(colours::POLYGON));
        } else if ui.button(ctx.t(T::PlanPickOnMap)).clicked() {
            send(out, PlanCommand::SetMode(DrawMode::Devices));
        }
        for (i, d) in s.draft.devices.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(RichText::new(d).color(colours::OPEN_SWITCH).strong());
                if ui.small_button(format!("× {d}")).clicked() {
                    send(out, PlanCommand::RemoveDevice(i));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label(RichText::new(ctx.t(T::PlanDeviceId)).weak());
            let edit = egui::TextEdit::singleline(&mut s.device_text)
                .hint_text("sect.sw01-2")
                .desired_width(180.0);
            let r = ui.add(edit).labelled_by(label.id);
            let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if entered || ui.button(ctx.t(T::PlanAddDevice)).clicked() {
                send(out, PlanCommand::AddDevice(s.device_text.clone()));
            }
        });
    }
}

fn device_word(ctx: &Ctx, d: DeviceRef) -> String {
    match d {
        DeviceRef::Element(ElementRef::Switch(id)) => ctx
            .grid
            .model
            .switches
            .get(id.index())
            .map_or_else(String::new, |s| switch_kind(ctx.lang, s.kind).to_string()),
        DeviceRef::Element(ElementRef::Transformer(_)) => ctx.t(T::Transformer).to_string(),
        DeviceRef::Element(ElementRef::Line(_)) => ctx.t(T::LineSection).to_string(),
        DeviceRef::Element(ElementRef::LvLine(_)) => ctx.t(T::LvLine).to_string(),
        _ => String::new(),
    }
}

/// What GridCare computed: switches, counts by label, customer-hours, back-feed.
pub fn impact_ui(ui: &mut egui::Ui, res: &PlanRes, s: &PlanSession, ctx: &Ctx) {
    ui.label(RichText::new(ctx.t(T::PlanImpact)).strong());
    if res.computing() {
        ui.label(RichText::new(ctx.t(T::DashComputing)).italics());
    }
    if let Some(e) = &res.view_error {
        error_line(ui, ctx, e);
    }
    let Some(v) = &res.view else {
        if !res.computing() {
            let key = if s.draft.by_polygon { T::PlanDrawFirst } else { T::PlanPickFirst };
            ui.label(RichText::new(ctx.t(key)).weak());
        }
        return;
    };
    let ms = format!("{:.0}", v.isolate_ms);
    let note = if v.inside.is_some() {
        trf(ctx.lang, T::PlanComputedIn, &[&ms, &format!("{:.0}", v.back_feed_ms)])
    } else {
        trf(ctx.lang, T::PlanComputedDevices, &[&ms])
    };
    ui.label(RichText::new(note).weak().small());
    let key = if v.inside.is_some() { T::PlanSwitchesToOpen } else { T::PlanDevicesToOpen };
    ui.label(
        RichText::new(trf(ctx.lang, key, &[&v.opened.len().to_string()]))
            .color(colours::OPEN_SWITCH),
    );
    ui.horizontal_wrapped(|ui| {
        for (name, d) in &v.opened {
            ui.label(RichText::new(name).strong().color(colours::OPEN_SWITCH));
            ui.label(RichText::new(device_word(ctx, *d)).weak().small());
        }
    });
    let im = res.impact.as_ref();
    grid_of(ui, "plan-impact", |ui| {
        if let Some(n) = v.inside {
            row(ui, ctx.t(T::PlanInside), n.to_string());
        }
        let affected = match v.outside_cut {
            Some(o) => trf(
                ctx.lang,
                T::PlanAffectedOutside,
                &[&v.affected.len().to_string(), &o.to_string()],
            ),
            None => v.affected.len().to_string(),
        };
        row(ui, ctx.t(T::PlanAffected), affected);
        if !v.not_isolatable.is_empty() {
            row(ui, ctx.t(T::PlanNotIsolatable), v.not_isolatable.len().to_string());
        }
        if v.already_dead > 0 {
            row(ui, ctx.t(T::PlanAlreadyDead), v.already_dead.to_string());
        }
        if let Some(im) = im {
            row(ui, ctx.t(T::PlanDemand), format!("{:.0} kW", im.kw));
            let ch = if im.duration_h > 0.0 {
                trf(
                    ctx.lang,
                    T::PlanCustomerHoursOver,
                    &[&format!("{:.1}", im.customer_hours), &format!("{:.1}", im.duration_h)],
                )
            } else {
                ctx.t(T::PlanCustomerHoursNoWindow).to_string()
            };
            row(ui, ctx.t(T::CustomerHours), ch);
        }
    });
    if let Some(im) = im {
        ui.label(RichText::new(ctx.t(T::PlanByLabel)).weak());
        ui.horizontal_wrapped(|ui| {
            for (word, n) in &im.by_label {
                ui.label(format!("{} {n}", label_word(ctx.lang, word)));
                ui.label(RichText::new("·").weak());
            }
        });
    }
    if v.inside.is_some() {
        ui.add_space(4.0);
        ui.label(RichText::new(ctx.t(T::PlanBackFeed)).strong().color(colours::BACK_FEED));
        if v.ties.is_empty() {
            ui.label(RichText::new(ctx.t(T::PlanNoBackFeed)).weak());
        } else {
            egui::Grid::new("plan-ties").num_columns(4).striped(true).spacing([10.0, 3.0]).show(
                ui,
                |ui| {
                    for key in [T::PlanTie, T::PlanFromFeeder, T::PlanAlsoOpen, T::PlanKept] {
                        ui.label(RichText::new(ctx.t(key)).weak());
                    }
                    ui.end_row();
                    for t in &v.ties {
                        ui.label(RichText::new(&t.tie).strong().color(colours::BACK_FEED));
                        ui.label(RichText::new(&t.from_feeder).small());
                        ui.label(if t.extra.is_empty() {
                            "—".to_string()
                        } else {
                            t.extra.join(", ")
                        });
                        ui.label(trf(ctx.lang, T::PlanKeptN, &[&t.saved.to_string()]));
                        ui.end_row();
                    }
                },
            );
        }
    }
}

/// The word of a scenario change.
fn event_word(lang: Lang, e: &ScenarioEvent) -> &'static str {
    tr(
        lang,
        match e {
            ScenarioEvent::Created { .. } => T::PlanEvCreated,
            ScenarioEvent::AreaChanged { .. } => T::PlanEvArea,
            ScenarioEvent::WindowSet { .. } => T::PlanEvWindow,
            ScenarioEvent::Renamed { .. } => T::PlanEvRenamed,
            ScenarioEvent::CandidatesSet { .. } => T::PlanEvCandidates,
            ScenarioEvent::Consulted { .. } => T::PlanEvConsulted,
            ScenarioEvent::Answered { .. } => T::PlanEvAnswered,
            ScenarioEvent::Published { .. } => T::PlanEvPublished,
        },
    )
}

fn history_ui(ui: &mut egui::Ui, h: &Result<Vec<Recorded<ScenarioEvent>>, String>, ctx: &Ctx) {
    ui.label(RichText::new(ctx.t(T::PlanHistory)).strong());
    let events = match h {
        Ok(e) => e,
        Err(e) => {
            error_line(ui, ctx, e);
            return;
        }
    };
    for e in events {
        egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(4)).show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            let head = format!(
                "{}. {} · {} · {}",
                e.seq,
                format_time(e.time_s),
                e.author,
                event_word(ctx.lang, &e.event)
            );
            ui.label(RichText::new(head).strong());
            let detail = match &e.event {
                ScenarioEvent::Created { name, area } => {
                    format!("{name} · {}", area_summary(ctx.lang, area))
                }
                ScenarioEvent::AreaChanged { area } => area_summary(ctx.lang, area),
                ScenarioEvent::WindowSet { start_s, end_s } => {
                    crate::outage::history::window_text(*start_s, *end_s)
                }
                ScenarioEvent::Renamed { name } => name.clone(),
                ScenarioEvent::CandidatesSet { windows, crews_needed } => {
                    let names: Vec<&str> = windows.iter().map(|w| w.name.as_str()).collect();
                    trf(
                        ctx.lang,
                        T::PlanEvCandidatesDetail,
                        &[&names.join(", "), &crews_needed.to_string()],
                    )
                }
                ScenarioEvent::Consulted { preset, sent, unreachable } => trf(
                    ctx.lang,
                    T::PlanEvConsultedDetail,
                    &[preset, &sent.len().to_string(), &unreachable.len().to_string()],
                ),
                ScenarioEvent::Answered { answer } => {
                    super::consult_ui::answer_text(ctx.lang, answer)
                }
                ScenarioEvent::Published { outage } => outage
                    .map(|o| trf(ctx.lang, T::OutageTitle, &[&o.to_string()]))
                    .unwrap_or_default(),
            };
            if !detail.is_empty() {
                ui.add(egui::Label::new(detail).wrap());
            }
            let reason = if e.reason.is_empty() { "—" } else { e.reason.as_str() };
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{}: {reason}", ctx.t(T::ReasonWord))).weak(),
                )
                .wrap(),
            );
        });
    }
}
