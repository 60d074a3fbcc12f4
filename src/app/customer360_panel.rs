//! The customer 360 window (客户全景): one customer from every side, as
//! [`customer_360`] builds it from the outage book, the repair desk, the outbox and the alerts
//! of the app's one store — profile and labels, phones and the channels that reach them,
//! where they hang on the grid (with a button that flies the map there), the open outages
//! covering them, outages, tickets, messages sent and alerts on record, and one timeline
//! across channels, newest first, in the operator's language.
//!
//! It opens from the details of a customer (a search result or a customer clicked on the
//! map), from a ticket's caller and from an alert's customer. The view is built on the UI
//! thread: on the demo city (100,000 customers) it takes about a millisecond (the window
//! shows the figure); it is rebuilt when the store's revision moves, at most once a second.
//! Personal data is masked on the wall screen.

use eframe::egui::{self, Color32, RichText};

use crate::channels::alert::AlertId;
use crate::channels::customer360::{customer_360, Customer360, Sources, TimelineEntry};
use crate::channels::sensitive::Severity;
use crate::model::{CustomerId, DeviceRef};
use crate::outage::{OutageId, OutageStatus};
use crate::store::format_time;
use crate::workorder::{TicketId, TicketStatus};

use super::alerts::AlertCommand;
use super::alerts_panel::{channel_text, severity_colour};
use super::command::Command;
use super::i18n::{label_word, outage_status, ticket_status, tr, trf, Lang, T};
use super::mask::{mask_address, mask_name, mask_phone};
use super::panels::Ctx;
use super::repair_panel::{grid_of, row, ERROR};
use super::GridCareApp;

/// Rebuilt at most this often while the store keeps changing (seconds).
pub const REBUILD_S: f64 = 1.0;
/// Timeline lines shown (the newest).
pub const TIMELINE_ROWS: usize = 200;

/// Open or close the customer 360 window.
#[derive(Clone, Debug, PartialEq)]
pub enum Customer360Command {
    /// Show this customer.
    Open(CustomerId),
    /// Close the window.
    Close,
}

/// The window's customer and the view last built for them.
#[derive(Default)]
pub struct Customer360Res {
    /// The customer shown (`None`: closed).
    pub customer: Option<CustomerId>,
    /// The view, or why it could not be built.
    pub view: Option<Result<Customer360, String>>,
    /// How long the last build took, milliseconds.
    pub took_ms: f64,
    /// The customer and store revision the view was built from.
    built_from: Option<(CustomerId, u64)>,
    /// egui time of the last build.
    built_s: f64,
}

impl GridCareApp {
    /// The customer 360 view shown, once built.
    pub fn customer_360_view(&self) -> Option<&Customer360> {
        self.res.c360.view.as_ref().and_then(|v| v.as_ref().ok())
    }

    /// How long the last customer 360 view took to build, milliseconds.
    pub fn customer_360_took_ms(&self) -> f64 {
        self.res.c360.took_ms
    }

    /// Builds the view when the customer or the store changed; called once a frame.
    pub(super) fn refresh_customer360(&mut self, ctx: &egui::Context) {
        let Some(customer) = self.res.c360.customer else { return };
        let Some(grid) = self.res.grid.clone() else { return };
        let lang = self.state.lang;
        let Some(book) = self.res.outages.as_ref() else {
            self.res.c360.view = Some(Err(tr(lang, T::StoreUnavailable).to_string()));
            return;
        };
        let from = (customer, book.store().revision());
        let res = &self.res.c360;
        if res.built_from == Some(from) {
            return;
        }
        let now = ctx.input(|i| i.time);
        if res.built_from.is_some_and(|(c, _)| c == customer) && now - res.built_s < REBUILD_S {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(REBUILD_S));
            return;
        }
        let started = std::time::Instant::now();
        let account = grid.model.customers.get(customer.index()).map(|c| c.account_no.clone());
        let sources = Sources {
            outages: book,
            desk: self.res.repairs.as_ref(),
            outbox: self.res.plan.outbox.as_ref(),
            alerts: self.res.alerts.book.as_ref(),
            interactions: interactions(book.store(), account.as_deref().unwrap_or_default()),
        };
        let view = customer_360(&grid, customer, sources).map_err(|e| e.to_string());
        let res = &mut self.res.c360;
        res.took_ms = started.elapsed().as_secs_f64() * 1e3;
        res.view = Some(view);
        res.built_from = Some(from);
        res.built_s = now;
    }

    /// Opens or closes the window.
    pub(super) fn apply_customer360(&mut self, cmd: Customer360Command) {
        let res = &mut self.res.c360;
        match cmd {
            Customer360Command::Open(c) => {
                if res.customer != Some(c) {
                    res.view = None;
                }
                res.customer = Some(c);
                res.built_from = None;
            }
            Customer360Command::Close => *res = Customer360Res::default(),
        }
    }
}

/// The channel service's interactions with the customer (messages and status queries and
/// what was answered), as timeline lines.
#[cfg(feature = "serve")]
fn interactions(store: &crate::store::Store, account: &str) -> Vec<TimelineEntry> {
    let Ok(all) = store.all::<crate::server::Interaction>() else { return Vec::new() };
    all.into_iter()
        .map(|e| e.state)
        .filter(|i| i.account == account)
        .map(|i| {
            let said = if i.text.is_empty() { "status query".to_string() } else { i.text.clone() };
            let said_zh =
                if i.text.is_empty() { "状态查询".to_string() } else { i.text.clone() };
            TimelineEntry {
                time_s: i.received_s,
                source: "interaction".into(),
                channel: Some(i.channel.as_str().to_string()),
                summary: format!("{said} → {}", i.answer.text),
                summary_zh: format!("{said_zh} → {}", i.answer.text),
            }
        })
        .collect()
}

#[cfg(not(feature = "serve"))]
fn interactions(_store: &crate::store::Store, _account: &str) -> Vec<TimelineEntry> {
    Vec::new()
}

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
        "planned_outage" => T::PlanMsgNotice,
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
        .default_pos(egui::pos2(380.0, 80.0))
        .default_size(egui::vec2(560.0, 640.0))
        .show(ectx, |ui| match &res.view {
            None => {
                ui.spinner();
            }
            Some(Err(e)) => {
                ui.colored_label(ERROR, trf(ctx.lang, T::C360Failed, &[e]));
            }
            Some(Ok(v)) => {
                egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
                    view_ui(ui, customer, v, res.took_ms, ctx, out);
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

fn view_ui(
    ui: &mut egui::Ui,
    customer: CustomerId,
    v: &Customer360,
    took_ms: f64,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let lang = ctx.lang;
    let m = &ctx.grid.model;
    let cu = &m.customers[customer.index()];
    ui.horizontal(|ui| {
        if !ctx.wall && ui.button(ctx.t(T::C360FlyTo)).clicked() {
            out.push(Command::SelectDevice(DeviceRef::Customer(customer)));
            out.push(Command::FlyTo { at: cu.pos, zoom: 17.0 });
        }
        let took = trf(lang, T::C360Built, &[&format!("{took_ms:.1}")]);
        ui.label(RichText::new(took).small().weak());
    });
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
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::C360GridPos)).strong());
    let g = &v.grid;
    let none = || ctx.t(T::NoneWord).to_string();
    grid_of(ui, "c360-grid", |ui| {
        row(ui, ctx.t(T::Substation), g.substation.clone().unwrap_or_else(none));
        let feeder = g.feeder.as_ref().map(|(id, name)| format!("{name} ({id})"));
        row(ui, ctx.t(T::Feeder), feeder.unwrap_or_else(none));
        let on = trf(lang, T::C360OnTransformer, &[&g.transformer_customers.to_string()]);
        let xf = g.transformer.as_ref().map(|t| format!("{t} · {on}"));
        row(ui, ctx.t(T::Transformer), xf.unwrap_or_else(none));
        let (word, colour) = if g.energised {
            (ctx.t(T::Energised), Color32::from_rgb(20, 130, 40))
        } else {
            (ctx.t(T::C360NotEnergised), ERROR)
        };
        row(ui, ctx.t(T::Supply), RichText::new(word).color(colour));
    });
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
    records_ui(ui, v, ctx, out);
    timeline_ui(ui, v, ctx);
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
