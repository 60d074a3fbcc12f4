//! The customer 360 window (客户全景): one customer from every side, as
//! [`customer_360`] builds it from the outage book, the repair desk, the outbox and the alerts
//! of the app's one store — profile and labels, phones and the channels that reach them,
//! where they hang on the grid (with a button that flies the map there), the open outages
//! covering them, outages, tickets, messages sent and alerts on record, and one timeline
//! across channels, newest first, in the operator's language.
//!
//! It opens from the details of a customer (a search result or a customer clicked on the
//! map), from a ticket's caller and from an alert's customer. The view is built as
//! `customer360.rs` says (the outbox on a worker thread); the window shows how long each
//! part took. Personal data is masked on the wall screen.

use eframe::egui::{self, Color32, RichText};

use crate::channels::alert::AlertId;
use crate::channels::customer360::Customer360;
use crate::channels::sensitive::Severity;
use crate::model::{CustomerId, DeviceRef};
use crate::outage::{OutageId, OutageStatus};
use crate::store::format_time;
use crate::workorder::{TicketId, TicketStatus};

use super::alerts::AlertCommand;
use super::alerts_panel::{channel_text, severity_colour};
use super::command::Command;
pub use super::customer360::{Customer360Command, Customer360Res};
use super::i18n::{label_word, outage_status, ticket_status, tr, trf, Lang, T};
use super::mask::{mask_address, mask_name, mask_phone};
use super::panels::Ctx;
use super::repair_panel::{grid_of, row, ERROR};

/// Timeline lines shown (the newest).
pub const TIMELINE_ROWS: usize = 200;

/// A button that opens the customer 360 window on a customer.
pub fn open_button_ui(ui: &mut egui::Ui, c: CustomerId, ctx: &Ctx, out: &mut Vec<Command>) {
    if ui.button(ctx.t(T::C360Open)).clicked() {
        out.push(Command::Customer360(Customer360Command::Open(c)));
    }
}

/// The same for an account number, when it is one of the model's customers.
pub fn open_account_button_ui(ui: &mut egui::Ui, account: &str, ctx: &Ctx, out: &mut Vec<Command>) {
    if let Ok(DeviceRef::Customer(c)) = ctx.grid.resolve(account) {
        open_button_ui(ui, c, ctx, out);
    }
}

const OUTAGE_STATUSES: [OutageStatus; 5] = [
    OutageStatus::Announced,
    OutageStatus::Active,
    OutageStatus::PartiallyRestored,
    OutageStatus::Restored,
    OutageStatus::Cancelled,
];

const TICKET_STATUSES: [TicketStatus; 10] = [
    TicketStatus::New,
    TicketStatus::Dispatched,
    TicketStatus::EnRoute,
    TicketStatus::OnSite,
    TicketStatus::Restored,
    TicketStatus::Closed,
    TicketStatus::CallbackDone,
    TicketStatus::Merged,
    TicketStatus::Explained,
    TicketStatus::Cancelled,
];

fn outage_status_text(lang: Lang, word: &str) -> String {
    match OUTAGE_STATUSES.iter().find(|s| s.as_str() == word) {
        Some(s) => outage_status(lang, *s).to_string(),
        None => word.to_string(),
    }
}

fn ticket_status_text(lang: Lang, word: &str) -> String {
    match TICKET_STATUSES.iter().find(|s| s.as_str() == word) {
        Some(s) => ticket_status(lang, *s).to_string(),
        None => word.to_string(),
    }
}

fn outage_kind_text(lang: Lang, kind: &str) -> String {
    match kind {
        "planned" => tr(lang, T::KindPlanned).to_string(),
        "fault" => tr(lang, T::KindFault).to_string(),
        other => other.to_string(),
    }
}

fn message_kind_text(lang: Lang, kind: &str) -> String {
    let key = match kind {
        "consultation" => T::PlanMsgLetter,
        "planned_outage" | "fault_outage" => T::PlanMsgNotice,
        "outage_changed" => T::PlanMsgChanged,
        "restored" => T::PlanMsgRestored,
        other => return other.to_string(),
    };
    tr(lang, key).to_string()
}

fn delivery_text(lang: Lang, state: &str) -> String {
    let key = match state {
        "queued" => T::PlanMsgQueued,
        "sent" => T::PlanMsgSent,
        "delivered" => T::PlanMsgDelivered,
        "failed" => T::PlanMsgFailed,
        other => return other.to_string(),
    };
    tr(lang, key).to_string()
}

fn source_text(lang: Lang, source: &str) -> String {
    let key = match source {
        "ticket" => T::C360SrcTicket,
        "outage" => T::C360SrcOutage,
        "message" => T::C360SrcMessage,
        "alert" => T::C360SrcAlert,
        "interaction" => T::C360SrcInteraction,
        other => return other.to_string(),
    };
    tr(lang, key).to_string()
}

/// The customer 360 window, when a customer is open in it.
pub fn customer360_ui(
    ectx: &egui::Context,
    res: &Customer360Res,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(customer) = res.customer else { return };
    let Some(cu) = ctx.grid.model.customers.get(customer.index()) else { return };
    let name = if ctx.wall { mask_name(&cu.display_name) } else { cu.display_name.clone() };
    let title = trf(ctx.lang, T::C360Title, &[&format!("{} {name}", cu.account_no)]);
    let mut open = true;
    egui::Window::new(RichText::new(title).strong())
        .id(egui::Id::unique("customer-360"))
        .open(&mut open)
        .collapsible(true)
        .resizable(true)
        .default_pos(egui::pos2(200.0, 64.0))
        .default_size(egui::vec2(860.0, 760.0))
        .show(ectx, |ui| match &res.view {
            None => {
                ui.spinner();
            }
            Some(Err(e)) => {
                ui.colored_label(ERROR, trf(ctx.lang, T::C360Failed, &[e]));
            }
            Some(Ok(v)) => {
                egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
                    view_ui(ui, customer, v, res, ctx, out);
                });
            }
        });
    if !open {
        out.push(Command::Customer360(Customer360Command::Close));
    }
}

fn sep(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        "、"
    } else {
        ", "
    }
}

/// The map button, and how long each part of the view took.
fn header_ui(
    ui: &mut egui::Ui,
    customer: CustomerId,
    res: &Customer360Res,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let lang = ctx.lang;
    ui.horizontal(|ui| {
        if !ctx.wall && ui.button(ctx.t(T::C360FlyTo)).clicked() {
            if let Some(cu) = ctx.grid.model.customers.get(customer.index()) {
                out.push(Command::SelectDevice(DeviceRef::Customer(customer)));
                out.push(Command::FlyTo { at: cu.pos, zoom: 17.0 });
            }
        }
        let took = trf(lang, T::C360Built, &[&format!("{:.1}", res.took_ms)]);
        ui.label(RichText::new(took).small().weak());
        match &res.from_outbox {
            _ if res.reading() => {
                ui.spinner();
                ui.label(RichText::new(ctx.t(T::C360Reading)).small().weak());
            }
            Some(Ok(r)) => {
                let text = trf(lang, T::C360Worker, &[&format!("{:.1}", r.took_ms)]);
                ui.label(RichText::new(text).small().weak());
            }
            Some(Err(e)) => {
                ui.colored_label(ERROR, e.as_str());
            }
            None => {}
        }
    });
}

fn profile_ui(ui: &mut egui::Ui, customer: CustomerId, v: &Customer360, ctx: &Ctx) {
    let lang = ctx.lang;
    let cu = &ctx.grid.model.customers[customer.index()];
    ui.label(RichText::new(ctx.t(T::C360Profile)).strong());
    grid_of(ui, "c360-profile", |ui| {
        row(ui, ctx.t(T::AccountNo), v.account.as_str());
        let name = if ctx.wall { mask_name(&v.name) } else { v.name.clone() };
        row(ui, ctx.t(T::CustomerName), name);
        let phones: Vec<String> =
            v.phones.iter().map(|p| if ctx.wall { mask_phone(p) } else { p.clone() }).collect();
        row(ui, ctx.t(T::Phones), phones.join(" / "));
        let address = if ctx.wall { mask_address(&cu.address) } else { v.address.clone() };
        ui.label(RichText::new(ctx.t(T::Address)).weak());
        ui.add(egui::Label::new(address).wrap());
        ui.end_row();
        let labels: Vec<String> = v.labels.iter().map(|l| label_word(lang, l)).collect();
        let labels =
            if labels.is_empty() { ctx.t(T::NoneWord).to_string() } else { labels.join(sep(lang)) };
        row(ui, ctx.t(T::LabelsWord), labels);
        row(ui, ctx.t(T::C360Kw), format!("{:.1} kW", v.kw));
        let reach: Vec<String> =
            v.bindings.iter().map(|c| channel_text(lang, c.as_str())).collect();
        let reach =
            if reach.is_empty() { ctx.t(T::NoneWord).to_string() } else { reach.join(sep(lang)) };
        row(ui, ctx.t(T::C360Reach), reach);
    });
}

fn grid_position_ui(ui: &mut egui::Ui, customer: CustomerId, v: &Customer360, ctx: &Ctx) {
    let lang = ctx.lang;
    let m = &ctx.grid.model;
    ui.label(RichText::new(ctx.t(T::C360GridPos)).strong());
    let g = &v.grid;
    let none = || ctx.t(T::NoneWord).to_string();
    grid_of(ui, "c360-grid", |ui| {
        row(ui, ctx.t(T::Substation), g.substation.clone().unwrap_or_else(none));
        let feeder = g.feeder.as_ref().map(|(id, name)| format!("{name} ({id})"));
        row(ui, ctx.t(T::Feeder), feeder.unwrap_or_else(none));
        let on = trf(lang, T::C360OnTransformer, &[&g.transformer_customers.to_string()]);
        // the model's display name beside the id the view names
        let xf =
            m.customers[customer.index()].transformer.and_then(|t| m.transformers.get(t.index()));
        let xf = match (xf, &g.transformer) {
            (Some(t), _) => Some(format!("{} ({})", t.display_name, t.name)),
            (None, name) => name.clone(),
        };
        ui.label(RichText::new(ctx.t(T::Transformer)).weak());
        ui.vertical(|ui| {
            ui.label(xf.unwrap_or_else(none));
            ui.label(on);
        });
        ui.end_row();
        let (word, colour) = if g.energised {
            (ctx.t(T::Energised), Color32::from_rgb(20, 130, 40))
        } else {
            (ctx.t(T::C360NotEnergised), ERROR)
        };
        row(ui, ctx.t(T::Supply), RichText::new(word).color(colour));
    });
}

fn view_ui(
    ui: &mut egui::Ui,
    customer: CustomerId,
    v: &Customer360,
    res: &Customer360Res,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    header_ui(ui, customer, res, ctx, out);
    ui.columns(2, |cols| {
        profile_ui(&mut cols[0], customer, v, ctx);
        grid_position_ui(&mut cols[1], customer, v, ctx);
        covered_ui(&mut cols[1], v, ctx, out);
    });
    ui.add_space(4.0);
    records_ui(ui, v, ctx, out);
    timeline_ui(ui, v, ctx);
}

/// The open outages covering the customer now.
fn covered_ui(ui: &mut egui::Ui, v: &Customer360, ctx: &Ctx, out: &mut Vec<Command>) {
    let lang = ctx.lang;
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::C360CoveredNow)).strong());
    if v.covered_now.is_empty() {
        ui.label(ctx.t(T::C360NotCovered));
    }
    for o in &v.covered_now {
        let etr = o.etr_s.map_or_else(|| "—".to_string(), format_time);
        let text = format!(
            "{} · {} · {} · {} {etr} · {}",
            trf(lang, T::C360Outage, &[&o.id.to_string()]),
            outage_kind_text(lang, &o.kind),
            outage_status_text(lang, &o.status),
            ctx.t(T::Etr),
            o.reason
        );
        let link = RichText::new(text).color(ERROR).strong();
        if ui.link(link).clicked() && !ctx.wall {
            out.push(Command::ShowOutages(true));
            out.push(Command::SelectOutage(OutageId(o.id)));
        }
    }
}

/// Outages, tickets, messages and alerts on record.
fn records_ui(ui: &mut egui::Ui, v: &Customer360, ctx: &Ctx, out: &mut Vec<Command>) {
    let lang = ctx.lang;
    let n = |k: T, len: usize| trf(lang, k, &[&len.to_string()]);
    egui::CollapsingHeader::new(n(T::C360Outages, v.outages.len()))
        .id_salt("c360-outages")
        .default_open(true)
        .show(ui, |ui| {
            for o in &v.outages {
                let until = o.end_s.or(o.etr_s).map_or_else(|| "…".to_string(), format_time);
                let text = format!(
                    "{} · {} · {} · {} – {until} · {}",
                    trf(lang, T::C360Outage, &[&o.id.to_string()]),
                    outage_kind_text(lang, &o.kind),
                    outage_status_text(lang, &o.status),
                    format_time(o.start_s),
                    o.reason
                );
                if ui.link(text).clicked() && !ctx.wall {
                    out.push(Command::ShowOutages(true));
                    out.push(Command::SelectOutage(OutageId(o.id)));
                }
            }
        });
    egui::CollapsingHeader::new(n(T::C360Tickets, v.tickets.len()))
        .id_salt("c360-tickets")
        .default_open(true)
        .show(ui, |ui| {
            for t in &v.tickets {
                let text = format!(
                    "{} · {} · {} · {} · {}",
                    trf(lang, T::C360Ticket, &[&t.id.to_string()]),
                    ticket_status_text(lang, &t.status),
                    channel_text(lang, &t.channel),
                    format_time(t.created_s),
                    t.description
                );
                if ui.link(text).clicked() && !ctx.wall {
                    out.push(Command::ShowRepairs(true));
                    out.push(Command::SelectTicket(TicketId(t.id)));
                }
            }
        });
    egui::CollapsingHeader::new(n(T::C360Messages, v.messages.len()))
        .id_salt("c360-messages")
        .default_open(true)
        .show(ui, |ui| {
            for (id, kind, channel, state, queued_s) in &v.messages {
                ui.label(format!(
                    "{} · {} · {} · {} · {}",
                    trf(lang, T::C360Message, &[&id.to_string()]),
                    message_kind_text(lang, kind),
                    channel_text(lang, channel),
                    delivery_text(lang, state),
                    format_time(*queued_s)
                ));
            }
        });
    egui::CollapsingHeader::new(n(T::C360Alerts, v.alerts.len()))
        .id_salt("c360-alerts")
        .default_open(true)
        .show(ui, |ui| {
            for (id, severity, status, words) in &v.alerts {
                let sev = SEVERITIES.iter().find(|s| s.as_str() == severity).copied();
                let sev_text = match (sev, lang) {
                    (Some(s), Lang::Zh) => s.zh().to_string(),
                    _ => severity.clone(),
                };
                let st = alert_status_text(lang, status);
                let text = format!(
                    "{} · {sev_text} · {st} · {}",
                    trf(lang, T::C360Alert, &[&id.to_string()]),
                    words.join(sep(lang))
                );
                let colour = sev.map_or(Color32::GRAY, severity_colour);
                if ui.link(RichText::new(text).color(colour)).clicked() && !ctx.wall {
                    out.push(Command::Alert(AlertCommand::Show(AlertId(*id))));
                }
            }
        });
}

const SEVERITIES: [Severity; 4] =
    [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

fn alert_status_text(lang: Lang, status: &str) -> String {
    use crate::channels::alert::AlertStatus as S;
    let all = [S::Raised, S::Acknowledged, S::Assigned, S::Resolved];
    match all.iter().find(|s| s.as_str() == status) {
        Some(s) if lang == Lang::Zh => s.zh().to_string(),
        _ => status.to_string(),
    }
}

/// Everything, newest first.
fn timeline_ui(ui: &mut egui::Ui, v: &Customer360, ctx: &Ctx) {
    let lang = ctx.lang;
    let title = trf(lang, T::C360Timeline, &[&v.timeline.len().to_string()]);
    egui::CollapsingHeader::new(title).id_salt("c360-timeline").default_open(true).show(ui, |ui| {
        egui::Grid::new("c360-timeline-rows")
            .num_columns(3)
            .striped(true)
            .spacing([8.0, 3.0])
            .show(ui, |ui| {
                for e in v.timeline.iter().take(TIMELINE_ROWS) {
                    ui.label(RichText::new(format_time(e.time_s)).monospace().small());
                    let mut src = source_text(lang, &e.source);
                    if let Some(ch) = &e.channel {
                        src = format!("{src} · {}", channel_text(lang, ch));
                    }
                    ui.label(RichText::new(src).weak());
                    let summary = if lang == Lang::Zh { &e.summary_zh } else { &e.summary };
                    ui.add(egui::Label::new(summary.as_str()).wrap());
                    ui.end_row();
                }
            });
        if v.timeline.len() > TIMELINE_ROWS {
            ui.label(format!("… {}", v.timeline.len() - TIMELINE_ROWS));
        }
    });
}
