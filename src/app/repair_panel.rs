//! The repair panels (智能报修): the ticket queue (工单队列) and the crew list (抢修队伍) under
//! the map, and a ticket's details with its SLA clocks, history, master's progress and steps
//! (the new-call form is `new_call.rs`). They draw the repair desk's answers (through the
//! [`RepairSnapshot`](super::repairs::RepairSnapshot)) and send [`Command`]s; the desk decides.

use eframe::egui::{self, Color32, RichText};

use crate::model::LonLat;
use crate::store::{format_time, Recorded};
use crate::workorder::{
    CrewId, Disposition, FaultLevel, MasterInfo, Ticket, TicketEvent, TicketId, TicketStatus,
    TicketStep,
};

use super::command::Command;
use super::i18n::{
    channel_word, clock_text, crew_status, fault_level, ticket_event, ticket_status, trf, T,
};
use super::layers::{crews, repairs};
use super::mask::{mask_address, mask_name, mask_phone};
use super::panels::Ctx;
use super::repairs::{clock_urgency, RepairForm, TicketRow};

pub(super) const ERROR: Color32 = Color32::from_rgb(210, 30, 30);
const WARN: Color32 = Color32::from_rgb(200, 60, 0);

fn title(ctx: &Ctx, id: TicketId) -> String {
    trf(ctx.lang, T::TicketTitle, &[&id.to_string()])
}

pub(super) fn dash() -> String {
    "—".to_string()
}

fn time_or_dash(t: Option<i64>) -> String {
    t.map_or_else(dash, format_time)
}

/// The next deadline of a row, coloured by its urgency.
fn deadline_text(ctx: &Ctx, r: &TicketRow) -> RichText {
    match &r.clock {
        Some(c) => RichText::new(clock_text(ctx.lang, c)).color(repairs::colour(clock_urgency(c))),
        None => RichText::new(dash()).color(repairs::colour(r.urgency)),
    }
}

pub(super) fn short_pos(p: LonLat) -> String {
    format!("{:.4}, {:.4}", p.lon, p.lat)
}

/// The ticket queue and the crew list under the map.
pub fn repairs_ui(
    ui: &mut egui::Ui,
    all: &mut bool,
    selected: Option<TicketId>,
    selected_crew: Option<CrewId>,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    egui::Panel::bottom("repairs").resizable(true).default_size(210.0).show(ui, |ui| {
        if ctx.repairs.is_none() {
            ui.colored_label(WARN, ctx.t(T::RepairStoreUnavailable));
            return;
        }
        egui::Panel::right("crew-list").resizable(true).default_size(430.0).show(ui, |ui| {
            crews_ui(ui, selected_crew, ctx, out);
        });
        queue_ui(ui, all, selected, ctx, out);
    });
}

fn queue_ui(
    ui: &mut egui::Ui,
    all: &mut bool,
    selected: Option<TicketId>,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading(ctx.t(T::Tickets));
        ui.checkbox(all, ctx.t(T::AllTickets));
    });
    let rows = if *all { &ctx.repair_snap.all } else { &ctx.repair_snap.queue };
    if rows.is_empty() {
        ui.label(ctx.t(if *all { T::NoTickets } else { T::NoTicketsInQueue }));
        return;
    }
    egui::ScrollArea::both().id_salt("ticket-queue").auto_shrink([false, true]).show(ui, |ui| {
        egui::Grid::new("ticket-list").num_columns(7).striped(true).spacing([14.0, 4.0]).show(
            ui,
            |ui| {
                for key in [
                    T::TicketNo,
                    T::OutageStatusWord,
                    T::CallerWord,
                    T::Feeder,
                    T::Unit,
                    T::NextDue,
                    T::Duplicates,
                ] {
                    ui.label(RichText::new(ctx.t(key)).weak());
                }
                ui.end_row();
                for r in rows {
                    let id_text =
                        RichText::new(format!("#{}", r.id)).color(repairs::colour(r.urgency));
                    if ui.selectable_label(selected == Some(r.id), id_text).clicked() {
                        out.push(Command::SelectTicket(r.id));
                    }
                    ui.label(ticket_status(ctx.lang, r.status));
                    ui.label(r.caller.as_str());
                    ui.label(r.feeder.as_str());
                    ui.label(r.unit.as_str());
                    ui.label(deadline_text(ctx, r));
                    match r.master {
                        Some(m) => ui.label(format!("→ #{m}")),
                        None => ui.label(r.duplicates.to_string()),
                    };
                    ui.end_row();
                }
            },
        );
    });
}

/// The crew list: name, unit, what it does, its ticket, where it is; a click flies there.
fn crews_ui(ui: &mut egui::Ui, selected: Option<CrewId>, ctx: &Ctx, out: &mut Vec<Command>) {
    ui.add_space(4.0);
    let snap = ctx.repair_snap;
    ui.horizontal(|ui| {
        ui.heading(ctx.t(T::CrewsHeading));
        let note = trf(
            ctx.lang,
            T::CrewsListNote,
            &[&snap.in_field.to_string(), &snap.crews.len().to_string()],
        );
        ui.label(RichText::new(note).weak());
    });
    egui::ScrollArea::both().id_salt("crew-list").auto_shrink([false, true]).show(ui, |ui| {
        egui::Grid::new("crew-grid").num_columns(5).striped(true).spacing([12.0, 4.0]).show(
            ui,
            |ui| {
                for key in [T::CrewWord, T::Unit, T::OutageStatusWord, T::CrewTicket, T::Position] {
                    ui.label(RichText::new(ctx.t(key)).weak());
                }
                ui.end_row();
                for c in &snap.crews {
                    let name = RichText::new(&c.name).color(crews::colour(c.status));
                    if ui.selectable_label(selected == Some(c.id), name).clicked() {
                        out.push(Command::SelectCrew(c.id));
                    }
                    ui.label(short_unit(&c.unit));
                    ui.label(crew_status(ctx.lang, c.status));
                    match c.ticket {
                        Some(t) => {
                            if ui.link(format!("#{t}")).clicked() {
                                out.push(Command::SelectTicket(t));
                            }
                        }
                        None => {
                            ui.label(dash());
                        }
                    }
                    ui.label(RichText::new(short_pos(c.pos)).small());
                    ui.end_row();
                }
            },
        );
    });
}

/// `禅城供电局祖庙供电所` → `祖庙供电所` (the list is narrow; the details show the whole name).
fn short_unit(unit: &str) -> &str {
    unit.rsplit_once('局').map_or(unit, |(_, s)| if s.is_empty() { unit } else { s })
}

pub(super) fn row(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(RichText::new(key).weak());
    ui.add(egui::Label::new(value).wrap());
    ui.end_row();
}

pub(super) fn grid_of(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id).num_columns(2).striped(true).spacing([10.0, 4.0]).show(ui, add);
}

/// A text field with its label (found by that label in tests and screen readers).
pub(super) fn field(ui: &mut egui::Ui, key: &str, text: &mut String, hint: &str) {
    let label = ui.label(RichText::new(key).weak());
    ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(190.0))
        .labelled_by(label.id);
    ui.end_row();
}

/// The site of a ticket (masked on the wall screen).
fn site_rows(ui: &mut egui::Ui, t: &Ticket, ctx: &Ctx) {
    let s = &t.site;
    let (name, phone, address) = if ctx.wall {
        // a customer's address is masked from the model's standard address; a pin's is not
        // personal
        let customer = s.account.as_deref().and_then(|a| match ctx.grid.resolve(a) {
            Ok(crate::model::DeviceRef::Customer(c)) => ctx.grid.model.customers.get(c.index()),
            _ => None,
        });
        let address = customer.map_or_else(|| s.address.clone(), |c| mask_address(&c.address));
        (mask_name(&s.name), mask_phone(&s.phone), address)
    } else {
        (s.name.clone(), s.phone.clone(), s.address.clone())
    };
    if let Some(a) = &s.account {
        row(ui, ctx.t(T::AccountNo), a.as_str());
    }
    if !name.is_empty() {
        row(ui, ctx.t(T::CustomerName), name);
    }
    if !phone.is_empty() {
        row(ui, ctx.t(T::Phones), phone);
    }
    row(ui, ctx.t(T::Address), address);
    row(ui, ctx.t(T::Transformer), s.transformer.clone().unwrap_or_else(dash));
    let feeder = match &s.feeder {
        Some(f) => format!("{} ({f})", s.feeder_name),
        None => dash(),
    };
    row(ui, ctx.t(T::Feeder), feeder);
    row(ui, ctx.t(T::Substation), s.substation.as_str());
    row(ui, ctx.t(T::Unit), s.unit.as_str());
}

/// The master's progress, as the operator tells a caller whose call was merged or explained.
pub(super) fn master_info_ui(
    ui: &mut egui::Ui,
    m: &MasterInfo,
    key: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::MasterProgress)).strong());
    grid_of(ui, key, |ui| {
        if let Some(id) = m.master {
            ui.label(RichText::new(ctx.t(T::MasterTicket)).weak());
            if ctx.wall {
                ui.label(format!("#{id}"));
            } else if ui.link(format!("#{id}")).clicked() {
                out.push(Command::SelectTicket(id));
            }
            ui.end_row();
        }
        if let Some(s) = m.status {
            row(ui, ctx.t(T::OutageStatusWord), ticket_status(ctx.lang, s));
        }
        if let Some(o) = m.outage {
            row(ui, ctx.t(T::Outages), trf(ctx.lang, T::OutageTitle, &[&o.to_string()]));
        }
        row(ui, ctx.t(T::DispatchedAt), time_or_dash(m.dispatched_s));
        row(ui, ctx.t(T::CrewWord), m.crew.clone().unwrap_or_else(dash));
        row(ui, ctx.t(T::Eta), time_or_dash(m.eta_s));
        row(ui, ctx.t(T::ArrivedAt), time_or_dash(m.arrived_s));
        row(ui, ctx.t(T::Etr), time_or_dash(m.etr_s));
        let or_dash = |s: &str| if s.is_empty() { dash() } else { s.to_string() };
        row(ui, ctx.t(T::FaultType), or_dash(&m.fault_type));
        row(ui, ctx.t(T::FaultCause), or_dash(&m.cause));
        row(ui, ctx.t(T::Duplicates), m.duplicates.to_string());
    });
}

/// A ticket's details: site, SLA clocks, the master's progress for a merged or explained
/// call, its history, and (not on the wall) the steps that apply now.
pub fn ticket_ui(
    ui: &mut egui::Ui,
    id: TicketId,
    history: &Result<Vec<Recorded<TicketEvent>>, String>,
    form: &mut RepairForm,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(desk) = ctx.repairs else {
        ui.colored_label(WARN, ctx.t(T::RepairStoreUnavailable));
        return;
    };
    let Ok(t) = desk.ticket(id) else {
        ui.colored_label(WARN, crate::workorder::TicketError::NoTicket(id).to_string());
        return;
    };
    let now = desk.now_s();
    ui.label(RichText::new(title(ctx, id)).strong().size(16.0));
    grid_of(ui, "ticket", |ui| {
        row(ui, ctx.t(T::OutageStatusWord), ticket_status(ctx.lang, t.status));
        row(
            ui,
            ctx.t(T::CalledAt),
            format!("{} · {}", format_time(t.times.created_s), channel_word(ctx.lang, t.channel)),
        );
        row(ui, ctx.t(T::Description), t.description.as_str());
        row(ui, ctx.t(T::FaultLevelWord), fault_level(ctx.lang, t.fault_level));
        if t.disposition == Disposition::Dispatch {
            let crew = t.crew.and_then(|c| desk.crew(c).ok()).map(|c| c.spec.name.clone());
            row(ui, ctx.t(T::CrewWord), crew.unwrap_or_else(dash));
            row(ui, ctx.t(T::Eta), time_or_dash(t.eta_s));
            row(ui, ctx.t(T::Etr), time_or_dash(t.etr_s));
            if !t.fault_type.is_empty() || !t.cause.is_empty() {
                row(ui, ctx.t(T::FaultType), t.fault_type.as_str());
                row(ui, ctx.t(T::FaultCause), t.cause.as_str());
            }
            row(ui, ctx.t(T::Duplicates), desk.duplicates_of(id).len().to_string());
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::Site)).strong());
    grid_of(ui, "ticket-site", |ui| site_rows(ui, t, ctx));
    if let (Some(account), false) = (t.site.account.as_deref(), ctx.wall) {
        super::customer360_panel::open_account_button_ui(ui, account, ctx, out);
    }
    let clocks = crate::workorder::sla_clocks(t, desk.policy(), now);
    if !clocks.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new(ctx.t(T::SlaClocks)).strong());
        for c in &clocks {
            let colour = match c.state {
                crate::workorder::ClockState::Waiting => Color32::GRAY,
                _ => repairs::colour(clock_urgency(c)),
            };
            ui.label(RichText::new(clock_text(ctx.lang, c)).color(colour));
        }
    }
    if t.disposition != Disposition::Dispatch {
        if let Some(book) = ctx.outages {
            master_info_ui(ui, &desk.master_info(t, book), "ticket-master", ctx, out);
        }
    }
    if !ctx.wall {
        steps_ui(ui, t, form, author, ctx, out);
    }
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::History)).strong());
    match history {
        Ok(events) => {
            for e in events {
                history_entry_ui(ui, e, ctx);
            }
        }
        Err(e) => {
            ui.colored_label(WARN, e.as_str());
        }
    }
}

fn history_entry_ui(ui: &mut egui::Ui, e: &Recorded<TicketEvent>, ctx: &Ctx) {
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(4)).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(
            RichText::new(format!(
                "{}. {} · {} · {}",
                e.seq,
                format_time(e.time_s),
                e.author,
                ticket_event(ctx.lang, &e.event)
            ))
            .strong(),
        );
        let detail = match &e.event {
            TicketEvent::Dispatched { unit } => unit.clone(),
            TicketEvent::CrewEnRoute { eta_s, .. } => {
                format!("{} {}", ctx.t(T::Eta), format_time(*eta_s))
            }
            TicketEvent::Diagnosed { fault_type, cause, .. } => format!("{fault_type} · {cause}"),
            TicketEvent::CallbackDone { satisfied, note } => {
                let s = if *satisfied { ctx.t(T::Satisfied) } else { "✗" };
                format!("{s} {note}")
            }
            _ => String::new(),
        };
        if !detail.trim().is_empty() {
            ui.add(egui::Label::new(detail).wrap());
        }
        let reason = system_reason(e, ctx).unwrap_or_else(|| e.reason.clone());
        ui.add(
            egui::Label::new(RichText::new(format!("{}: {}", ctx.t(T::ReasonWord), reason)).weak())
                .wrap(),
        );
    });
}

/// The reason of a step GridCare itself phrased (the merge decision, the dispatch, the crew
/// sent, a confirmed outage, a recovery), in the operator's language from the event's own
/// fields; `None` for a reason a person typed, which is shown as written.
fn system_reason(e: &Recorded<TicketEvent>, ctx: &Ctx) -> Option<String> {
    let lang = ctx.lang;
    if e.author == "gridcare" && e.reason == crate::workorder::RECOVERY_REASON {
        return Some(ctx.t(T::WhyRecovered).to_string());
    }
    Some(match &e.event {
        TicketEvent::Created { disposition, outage, .. } => match (disposition, outage) {
            (Disposition::Dispatch, None) => ctx.t(T::WhyNewFault).to_string(),
            (Disposition::Dispatch, Some(o)) => trf(lang, T::WhyFirstOfOutage, &[&o.to_string()]),
            (Disposition::Merged { master }, Some(o)) => {
                trf(lang, T::WhyMergedOutage, &[&o.to_string(), &master.to_string()])
            }
            (Disposition::Merged { master }, None) => {
                trf(lang, T::WhyMergedBelow, &[&master.to_string()])
            }
            (Disposition::Explained { outage }, _) => {
                trf(lang, T::WhyPlanned, &[&outage.to_string()])
            }
        },
        TicketEvent::Dispatched { unit } => trf(lang, T::WhyDirect, &[unit]),
        TicketEvent::CrewEnRoute { crew, .. } => {
            let name = ctx
                .repairs
                .and_then(|d| d.crew(*crew).ok())
                .map_or_else(|| format!("#{crew}"), |c| c.spec.name.clone());
            trf(lang, T::WhyCrewSent, &[&name])
        }
        TicketEvent::JoinedOutage { outage, master: None, .. } => {
            trf(lang, T::WhyJoinedMaster, &[&outage.to_string()])
        }
        TicketEvent::JoinedOutage { outage, master: Some(m), .. } => {
            trf(lang, T::WhyJoinedMerged, &[&outage.to_string(), &m.to_string()])
        }
        _ => return None,
    })
}

/// The steps that apply to a ticket now, with their fields.
fn steps_ui(
    ui: &mut egui::Ui,
    t: &Ticket,
    form: &mut RepairForm,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    if t.disposition != Disposition::Dispatch
        || !matches!(t.status, s if s != TicketStatus::CallbackDone && s != TicketStatus::Cancelled)
    {
        return;
    }
    ui.add_space(6.0);
    ui.separator();
    grid_of(ui, "ticket-steps", |ui| {
        if t.status == TicketStatus::OnSite {
            field(ui, ctx.t(T::FaultType), &mut form.fault_type, "熔断器熔断");
            field(ui, ctx.t(T::FaultCause), &mut form.cause, "树障");
        }
        field(ui, ctx.t(T::StepNote), &mut form.note, "");
    });
    let id = t.id;
    let reason = |word: T| -> String {
        match form.note.trim() {
            "" => ctx.t(word).to_string(),
            n => n.to_string(),
        }
    };
    let step = |step: TicketStep, word: T| Command::StepTicket {
        ticket: id,
        step,
        reason: reason(word),
        author: author.to_string(),
    };
    // the steps that apply now, each a button with the command it sends
    let mut steps: Vec<(T, Command)> = match t.status {
        TicketStatus::New | TicketStatus::Dispatched => vec![(
            T::SendBestCrew,
            Command::SendCrew { ticket: id, crew: None, author: author.to_string() },
        )],
        TicketStatus::EnRoute => {
            vec![(T::RecordOnSite, step(TicketStep::OnSite, T::RecordOnSite))]
        }
        TicketStatus::OnSite => {
            let level = if form.mv { FaultLevel::MediumVoltage } else { FaultLevel::LowVoltage };
            let diagnosed = TicketStep::Diagnosed {
                fault_type: form.fault_type.trim().to_string(),
                cause: form.cause.trim().to_string(),
                level,
                etr_s: None,
            };
            vec![
                (T::RecordDiagnosis, step(diagnosed, T::RecordDiagnosis)),
                (T::RecordRestored, step(TicketStep::Restored, T::RecordRestored)),
            ]
        }
        TicketStatus::Restored => {
            vec![(T::RecordClosed, step(TicketStep::Closed, T::RecordClosed))]
        }
        TicketStatus::Closed => {
            let note = form.note.trim().to_string();
            let callback = TicketStep::Callback { satisfied: form.satisfied, note };
            vec![(T::RecordCallback, step(callback, T::RecordCallback))]
        }
        _ => Vec::new(),
    };
    if t.in_flight() {
        steps.push((T::CancelTicket, step(TicketStep::Cancel, T::CancelTicket)));
    }
    ui.horizontal_wrapped(|ui| {
        match t.status {
            TicketStatus::OnSite => {
                ui.checkbox(&mut form.mv, ctx.t(T::TenKvFault));
            }
            TicketStatus::Closed => {
                ui.checkbox(&mut form.satisfied, ctx.t(T::Satisfied));
            }
            _ => {}
        }
        for (key, cmd) in steps {
            if ui.button(ctx.t(key)).clicked() {
                out.push(cmd);
            }
        }
    });
    if let Some(e) = &form.step_error {
        ui.add(
            egui::Label::new(
                RichText::new(format!("{}: {e}", ctx.t(T::ChangeFailed))).color(ERROR),
            )
            .wrap(),
        );
    }
}
