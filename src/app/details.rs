//! The details panel: search matches, then whatever is selected — a customer's card and
//! supply chain (站-线-变-户) and the open outages covering them, a device with "what if
//! opened" and the form to record a fault there, a pinned point, an outage with its change
//! trajectory, or a repair ticket with its SLA clocks, history and steps. On the wall screen
//! personal data is masked and there are no buttons.

use crate::model::{DeviceRef, ElementRef};
use eframe::egui::{self, Color32, RichText};

use super::command::Command;
use super::i18n::{labels, switch_kind, transformer_kind, trf, T};
use super::mask::{mask_address, mask_name, mask_phone};
use super::outage_panel;
use super::outages::can_fault;
use super::panels::Ctx;
use super::repair_panel;
use super::session::{Selection, Session};

/// The details panel. It edits only the outage forms of the session.
pub fn details_ui(ui: &mut egui::Ui, session: &mut Session, ctx: &Ctx, out: &mut Vec<Command>) {
    let width = if ctx.wall { 420.0 } else { 340.0 };
    egui::Panel::right("details").default_size(width).resizable(!ctx.wall).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            if !ctx.wall {
                matches_ui(ui, session, ctx, out);
            }
            ui.heading(ctx.t(T::Details));
            let Session { selection, what_if, covering, outage_form: form, repair_form, .. } =
                session;
            match selection {
                Selection::None => {
                    ui.label(ctx.t(T::NothingSelected));
                }
                Selection::Customer { id, card } => {
                    customer_ui(ui, *id, card.as_ref(), ctx, out);
                    outage_panel::coverage_ui(ui, covering, ctx, out);
                }
                Selection::Device { device, trace } => {
                    device_ui(ui, *device, trace, what_if.as_ref(), ctx, out);
                    if !ctx.wall && can_fault(*device) {
                        outage_panel::fault_form_ui(ui, *device, form, ctx, out);
                    }
                }
                Selection::Pin(loc) => pin_ui(ui, loc, ctx, out),
                Selection::Outage { id, trajectory } => {
                    outage_panel::outage_ui(ui, *id, trajectory, form, ctx, out)
                }
                Selection::Ticket { id, history, .. } => {
                    let author = form.author.trim().to_string();
                    repair_panel::ticket_ui(ui, *id, history, repair_form, &author, ctx, out)
                }
            }
        });
    });
}

fn matches_ui(ui: &mut egui::Ui, session: &Session, ctx: &Ctx, out: &mut Vec<Command>) {
    let Some(q) = &session.searched else { return };
    if session.matches.is_empty() {
        ui.colored_label(Color32::from_rgb(200, 60, 0), format!("{}: {q}", ctx.t(T::NoMatch)));
        ui.separator();
        return;
    }
    if session.matches.len() < 2 {
        return;
    }
    ui.label(RichText::new(ctx.t(T::Matches)).strong());
    let m = &ctx.grid.model;
    for found in &session.matches {
        let c = &m.customers[found.customer.index()];
        let by = match found.matched_by {
            crate::address::MatchKind::Phone => T::ByPhone,
            crate::address::MatchKind::AccountNo => T::ByAccount,
            crate::address::MatchKind::Name => T::ByName,
            crate::address::MatchKind::Address => T::ByAddress,
        };
        let text = format!(
            "{} {} · {} ({} {:.2})",
            c.account_no,
            c.display_name,
            c.address.full(),
            ctx.t(by),
            found.score
        );
        let selected =
            matches!(session.selection, Selection::Customer { id, .. } if id == found.customer);
        if ui.selectable_label(selected, text).clicked() {
            out.push(Command::PickCustomer(found.customer));
        }
    }
    ui.separator();
}

fn row(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(RichText::new(key).weak());
    ui.label(value);
    ui.end_row();
}

fn grid_of(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id).num_columns(2).striped(true).spacing([10.0, 4.0]).show(ui, add);
}

fn feeder_text(ctx: &Ctx, f: Option<crate::model::FeederId>) -> String {
    match f.and_then(|f| ctx.grid.model.feeders.get(f.index())) {
        Some(f) => format!("{} ({})", f.display_name, f.name),
        None => ctx.t(T::NoneWord).to_string(),
    }
}

fn customer_ui(
    ui: &mut egui::Ui,
    id: crate::model::CustomerId,
    card: Option<&crate::grid::CustomerCard>,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let m = &ctx.grid.model;
    let Some(c) = m.customers.get(id.index()) else { return };
    ui.label(RichText::new(ctx.t(T::Customer)).strong());
    grid_of(ui, "customer", |ui| {
        row(ui, ctx.t(T::AccountNo), c.account_no.as_str());
        let name = if ctx.wall { mask_name(&c.display_name) } else { c.display_name.clone() };
        row(ui, ctx.t(T::CustomerName), name);
        let phones: Vec<String> =
            c.phones.iter().map(|p| if ctx.wall { mask_phone(p) } else { p.to_string() }).collect();
        row(ui, ctx.t(T::Phones), phones.join(" / "));
        let address = if ctx.wall { mask_address(&c.address) } else { c.address.full() };
        ui.label(RichText::new(ctx.t(T::Address)).weak());
        ui.add(egui::Label::new(address).wrap());
        ui.end_row();
        row(ui, ctx.t(T::LabelsWord), labels(ctx.lang, c.labels));
    });
    if !ctx.wall {
        super::customer360_panel::open_button_ui(ui, id, ctx, out);
    }
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::SupplyPath)).strong());
    let Some(card) = card else { return };
    grid_of(ui, "supply", |ui| {
        let (word, colour) = if card.energised {
            (ctx.t(T::Energised), Color32::from_rgb(20, 130, 40))
        } else {
            (ctx.t(T::OutOfSupply), Color32::from_rgb(210, 30, 30))
        };
        row(ui, ctx.t(T::Supply), RichText::new(word).color(colour).strong());
        let sub = card.substation.and_then(|s| m.substations.get(s.index()));
        row(
            ui,
            ctx.t(T::Substation),
            sub.map(|s| s.display_name.clone()).unwrap_or_else(|| ctx.t(T::NoneWord).into()),
        );
        row(ui, ctx.t(T::Feeder), feeder_text(ctx, card.feeder));
        if let Some(f) = card.feeder.and_then(|f| m.feeders.get(f.index())) {
            row(ui, ctx.t(T::Unit), f.unit.as_str());
        }
        let t = card.transformer.and_then(|t| m.transformers.get(t.index()));
        row(
            ui,
            ctx.t(T::Transformer),
            t.map(|t| format!("{} ({})", t.display_name, t.name))
                .unwrap_or_else(|| ctx.t(T::NoneWord).into()),
        );
    });
    if let Some(path) = &card.path {
        if !path.switches.is_empty() {
            ui.label(RichText::new(ctx.t(T::SwitchesOnPath)).weak());
            for s in &path.switches {
                let sw = &m.switches[s.index()];
                let text = format!("{} · {}", switch_kind(ctx.lang, sw.kind), sw.name);
                if ctx.wall {
                    ui.label(text);
                } else if ui.link(text).clicked() {
                    out.push(Command::SelectDevice(DeviceRef::Element(ElementRef::Switch(*s))));
                }
            }
        }
    }
}

fn device_ui(
    ui: &mut egui::Ui,
    device: DeviceRef,
    trace: &crate::grid::Trace,
    what_if: Option<&super::session::WhatIf>,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let m = &ctx.grid.model;
    let name = m.device_name(device).to_string();
    let mut can_open = true;
    grid_of(ui, "device", |ui| match device {
        DeviceRef::Element(ElementRef::Switch(s)) => {
            let sw = &m.switches[s.index()];
            row(ui, ctx.t(T::Switch), switch_kind(ctx.lang, sw.kind));
            row(ui, "ID", name.as_str());
            let state = if ctx.grid.topology.is_open(s) { T::Open } else { T::Closed };
            let mut text = ctx.t(state).to_string();
            if sw.normally_open {
                text = format!("{text} ({})", ctx.t(T::NormallyOpen));
            }
            row(ui, ctx.t(T::State), text);
            row(ui, ctx.t(T::Feeder), feeder_text(ctx, trace.feeder));
            row(ui, ctx.t(T::Downstream), trace.downstream_switches.len().to_string());
        }
        DeviceRef::Element(ElementRef::Transformer(t)) => {
            let tr = &m.transformers[t.index()];
            row(ui, ctx.t(T::Transformer), transformer_kind(ctx.lang, tr.kind));
            row(ui, "ID", format!("{} ({})", tr.display_name, tr.name));
            row(ui, ctx.t(T::Rated), format!("{:.0} kVA", tr.kva));
            row(ui, ctx.t(T::Feeder), feeder_text(ctx, trace.feeder));
        }
        DeviceRef::Element(ElementRef::Line(l)) => {
            let line = &m.lines[l.index()];
            row(ui, ctx.t(T::LineSection), name.as_str());
            row(ui, ctx.t(T::Length), format!("{:.0} m", line.length_m));
            row(ui, ctx.t(T::Feeder), feeder_text(ctx, trace.feeder));
        }
        DeviceRef::Element(ElementRef::LvLine(l)) => {
            let line = &m.lv_lines[l.index()];
            row(ui, ctx.t(T::LvLine), name.as_str());
            row(ui, ctx.t(T::Length), format!("{:.0} m", line.length_m));
            row(ui, ctx.t(T::Feeder), feeder_text(ctx, trace.feeder));
        }
        DeviceRef::Feeder(f) => {
            let fd = &m.feeders[f.index()];
            row(ui, ctx.t(T::Feeder), format!("{} ({})", fd.display_name, fd.name));
            row(
                ui,
                ctx.t(T::Substation),
                m.substations[fd.substation.index()].display_name.as_str(),
            );
            row(ui, ctx.t(T::Voltage), format!("{} kV", fd.kv));
            row(ui, ctx.t(T::Unit), fd.unit.as_str());
        }
        DeviceRef::Substation(s) => {
            let sub = &m.substations[s.index()];
            row(ui, ctx.t(T::Substation), format!("{} ({})", sub.display_name, sub.name));
            row(ui, ctx.t(T::Voltage), format!("{} kV", sub.kv_hv));
        }
        DeviceRef::Bus(_) | DeviceRef::Customer(_) => {
            row(ui, ctx.t(T::Bus), name.as_str());
            can_open = false;
        }
    });
    if ctx.wall {
        can_open = false;
    }
    match device {
        DeviceRef::Element(ElementRef::Line(_) | ElementRef::LvLine(_)) if !ctx.wall => {
            if let Some(f) = trace.feeder {
                if ui.button(ctx.t(T::SelectFeeder)).clicked() {
                    out.push(Command::SelectDevice(DeviceRef::Feeder(f)));
                }
            }
        }
        DeviceRef::Substation(s) => {
            ui.label(RichText::new(ctx.t(T::FeedersOf)).weak());
            for (i, f) in m.feeders.iter().enumerate().filter(|(_, f)| f.substation == s) {
                let text = format!("{} ({})", f.display_name, f.name);
                if ctx.wall {
                    ui.label(text);
                } else if ui.link(text).clicked() {
                    out.push(Command::SelectDevice(DeviceRef::Feeder(crate::model::FeederId(
                        i as u32,
                    ))));
                }
            }
        }
        _ => {}
    }
    ui.add_space(6.0);
    if can_open && ui.button(ctx.t(T::WhatIfOpened)).clicked() {
        out.push(Command::WhatIfOpened(device));
    }
    if let Some(w) = what_if.filter(|w| w.device == device) {
        let text = trf(ctx.lang, T::WouldLoseSupply, &[&w.affected.to_string()]);
        ui.label(RichText::new(text).strong().color(Color32::from_rgb(210, 120, 0)));
        if w.checked_loops {
            ui.label(RichText::new(ctx.t(T::LoopChecked)).small());
        }
    }
}

fn pin_ui(ui: &mut egui::Ui, loc: &crate::grid::Location, ctx: &Ctx, out: &mut Vec<Command>) {
    let m = &ctx.grid.model;
    let none = || trf(ctx.lang, T::NoneWithin, &[&format!("{:.0}", super::command::PIN_RADIUS_M)]);
    let metres = |d: f64| trf(ctx.lang, T::Metres, &[&format!("{d:.0}")]);
    ui.label(RichText::new(ctx.t(T::PinnedPoint)).strong());
    ui.label(format!("{:.6}, {:.6}", loc.at.lon, loc.at.lat));
    grid_of(ui, "pin", |ui| {
        ui.label(RichText::new(ctx.t(T::NearestCustomer)).weak());
        match loc.customer {
            Some(n) => {
                let c = &m.customers[n.item.index()];
                let name =
                    if ctx.wall { mask_name(&c.display_name) } else { c.display_name.clone() };
                let text = format!("{} {} · {}", c.account_no, name, metres(n.dist_m));
                if ctx.wall {
                    ui.label(text);
                } else if ui.link(text).clicked() {
                    out.push(Command::PickCustomer(n.item));
                }
            }
            None => {
                ui.label(none());
            }
        }
        ui.end_row();
        let t = loc.transformer.map(|n| {
            let t = &m.transformers[n.item.index()];
            format!("{} ({}) · {}", t.display_name, t.name, metres(n.dist_m))
        });
        row(ui, ctx.t(T::NearestTransformer), t.unwrap_or_else(none));
        let l = loc.line.map(|n| {
            format!("{} · {}", m.device_name(DeviceRef::Element(n.item.element)), metres(n.dist_m))
        });
        row(ui, ctx.t(T::NearestLine), l.unwrap_or_else(none));
        row(ui, ctx.t(T::Feeder), feeder_text(ctx, loc.feeder));
    });
}
