//! The new-call form (新建报修): who calls — an account or phone, an address, or a point
//! pinned on the map (choosing the pin turns the app's map-pin mode on) — the channel and what
//! they say; then what the repair desk decided: dispatched to the unit, merged into a master
//! ticket (with the master's progress), or explained by a known outage (with its ETR).

use eframe::egui::{self, RichText};

use crate::model::LonLat;
use crate::store::format_time;
use crate::workorder::{CallOutcome, Caller, Channel, Disposition};

use super::command::Command;
use super::i18n::{channel_word, trf, T};
use super::layers::{repairs, Urgency};
use super::panels::Ctx;
use super::repair_panel::{dash, field, grid_of, master_info_ui, row, short_pos, ERROR};
use super::repairs::{LookupKind, RepairForm};

/// Every channel, in the order the form offers them.
const CHANNELS: [Channel; 6] =
    [Channel::Phone, Channel::Wechat, Channel::App, Channel::Web, Channel::Sms, Channel::Internal];

/// The new-call form (新建报修): who calls (account or phone, an address, or a pin on the map),
/// the channel and what they say; then what the desk decided.
pub fn new_call_ui(
    ectx: &egui::Context,
    form: &mut RepairForm,
    pinned: Option<LonLat>,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let mut open = true;
    egui::Window::new(ctx.t(T::NewCall))
        .id(egui::Id::unique("new-repair-call"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_pos(egui::pos2(260.0, 90.0))
        .show(ectx, |ui| {
            ui.set_max_width(380.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new(ctx.t(T::LookupBy)).weak());
                for (kind, key) in [
                    (LookupKind::Number, T::ByNumber),
                    (LookupKind::Address, T::ByAddressText),
                    (LookupKind::Pin, T::ByPinPoint),
                ] {
                    if ui.radio_value(&mut form.lookup, kind, ctx.t(key)).clicked()
                        && kind == LookupKind::Pin
                    {
                        out.push(Command::SetPinMode(true));
                    }
                }
            });
            grid_of(ui, "new-call", |ui| {
                match form.lookup {
                    LookupKind::Number => {
                        field(ui, ctx.t(T::CallerNumber), &mut form.number, "13800138000")
                    }
                    LookupKind::Address => {
                        field(ui, ctx.t(T::CallerAddress), &mut form.address, "祖庙街道…")
                    }
                    LookupKind::Pin => {
                        let text = pinned.map_or_else(|| ctx.t(T::PinPick).to_string(), short_pos);
                        row(ui, ctx.t(T::PinnedPoint), text);
                    }
                }
                let label = ui.label(RichText::new(ctx.t(T::ChannelWord)).weak());
                egui::ComboBox::from_id_salt("new-call-channel")
                    .selected_text(channel_word(ctx.lang, form.channel))
                    .show_ui(ui, |ui| {
                        for ch in CHANNELS {
                            ui.selectable_value(&mut form.channel, ch, channel_word(ctx.lang, ch));
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                field(ui, ctx.t(T::Description), &mut form.description, "家里没电了");
            });
            if ui.button(ctx.t(T::TakeCall)).clicked() {
                let caller = match form.lookup {
                    LookupKind::Number => Some(Caller::Number(form.number.trim().to_string())),
                    LookupKind::Address => Some(Caller::Address(form.address.trim().to_string())),
                    LookupKind::Pin => pinned.map(Caller::Pin),
                };
                match caller {
                    Some(caller) => out.push(Command::TakeCall {
                        caller,
                        channel: form.channel,
                        description: form.description.trim().to_string(),
                        author: author.to_string(),
                    }),
                    None => form.error = Some(ctx.t(T::PinPick).to_string()),
                }
            }
            if let Some(e) = &form.error {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("{}: {e}", ctx.t(T::ChangeFailed))).color(ERROR),
                    )
                    .wrap(),
                );
            }
            if let Some(o) = &form.outcome {
                ui.separator();
                outcome_ui(ui, o, ctx, out);
            }
        });
    if !open {
        out.push(Command::ShowNewCall(false));
    }
}

/// What the desk decided for the call just taken.
fn outcome_ui(ui: &mut egui::Ui, o: &CallOutcome, ctx: &Ctx, out: &mut Vec<Command>) {
    let t = &o.ticket;
    let id = t.id.to_string();
    let (text, colour) = match t.disposition {
        Disposition::Dispatch => (
            trf(ctx.lang, T::OutcomeDispatched, &[&id, &t.site.unit]),
            repairs::colour(Urgency::OnTime),
        ),
        Disposition::Merged { master } => (
            trf(ctx.lang, T::OutcomeMerged, &[&id, &master.to_string()]),
            repairs::colour(Urgency::Short),
        ),
        Disposition::Explained { outage } => {
            let etr = o.master.as_ref().and_then(|m| m.etr_s);
            (
                trf(
                    ctx.lang,
                    T::OutcomeExplained,
                    &[
                        &id,
                        &outage.to_string(),
                        &etr.map_or_else(|| ctx.t(T::EtrUnknown).to_string(), format_time),
                    ],
                ),
                repairs::colour(Urgency::Explained),
            )
        }
    };
    if ui.link(RichText::new(text).color(colour).strong()).clicked() {
        out.push(Command::SelectTicket(t.id));
    }
    grid_of(ui, "new-call-site", |ui| {
        let who = t.site.account.clone().unwrap_or_else(|| t.site.address.clone());
        row(ui, ctx.t(T::CallerWord), who);
        row(ui, ctx.t(T::Feeder), t.site.feeder_name.as_str());
        row(ui, ctx.t(T::Transformer), t.site.transformer.clone().unwrap_or_else(dash));
        row(ui, ctx.t(T::Unit), t.site.unit.as_str());
    });
    if let Some(m) = &o.master {
        master_info_ui(ui, m, "new-call-master", ctx, out);
    }
}
