//! The predicted-outage list (故障研判) above the ticket queue: for each outage the desk
//! predicts from the calls no outage explains, the device, its role, the callers, the
//! customers out, the confidence, the first call and its tickets; **Confirm** records the
//! fault outage there and merges the tickets into one master, **Move** records it at another
//! device (typed, else the one selected on the map) with the same tickets. Both need a
//! reason. A click on the device flies the map to its area. It draws the
//! [`PredictedSnapshot`](super::predicted::PredictedSnapshot) and sends [`Command`]s; the
//! desk decides.

use eframe::egui::{self, RichText};

use crate::store::format_time;
use crate::workorder::TicketId;

use super::command::Command;
use super::i18n::{protection_kind, trf, T};
use super::layers::{areas, AreaKind};
use super::panels::Ctx;
use super::predicted::{PredictForm, PredictOutcome, PredictedRow, PredictedSnapshot};
use super::repair_panel::{grid_of, row, ERROR};

/// At most this many ticket links on a line; the rest are counted (`+12`).
const MAX_LINKS: usize = 8;

/// Links to tickets (`#3 #5`), each selecting its ticket, on one line.
fn ticket_links(ui: &mut egui::Ui, ids: &[TicketId], out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        for id in ids.iter().take(MAX_LINKS) {
            if ui.link(format!("#{id}")).clicked() {
                out.push(Command::SelectTicket(*id));
            }
        }
        if ids.len() > MAX_LINKS {
            ui.label(format!("+{}", ids.len() - MAX_LINKS));
        }
    });
}

/// A wide text field with its label (found by that label in tests and screen readers).
fn wide_field(ui: &mut egui::Ui, key: &str, text: &mut String, hint: &str) {
    let label = ui.label(RichText::new(key).weak());
    ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(380.0))
        .labelled_by(label.id);
    ui.end_row();
}

/// The predicted outages with their buttons, the reason and move fields, and the outcome.
/// `selected_device`: the external id of the device selected on the map, if any.
pub fn predicted_ui(
    ui: &mut egui::Ui,
    snap: &PredictedSnapshot,
    form: &mut PredictForm,
    selected_device: Option<&str>,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    egui::Panel::bottom("predicted").resizable(false).show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let (_, line) = areas::colours(AreaKind::Predicted);
            ui.heading(RichText::new(ctx.t(T::Predicted)).color(line));
            ui.label(RichText::new(ctx.t(T::PredictedNote)).weak());
        });
        if snap.rows.is_empty() {
            ui.label(ctx.t(T::NoPrediction));
        } else {
            grid_of(ui, "predicted-form", |ui| {
                wide_field(ui, ctx.t(T::PredReason), &mut form.reason, "巡线发现分支熔断器熔断");
                let hint = selected_device.unwrap_or(ctx.t(T::PredMoveHint));
                wide_field(ui, ctx.t(T::PredMoveTo), &mut form.move_to, hint);
            });
            egui::ScrollArea::vertical()
                .id_salt("predicted-scroll")
                .max_height(130.0)
                .auto_shrink([false, true])
                .show(ui, |ui| rows_ui(ui, snap, form, selected_device, author, ctx, out));
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
            outcome_ui(ui, o, ctx, out);
        }
        ui.add_space(2.0);
    });
}

fn rows_ui(
    ui: &mut egui::Ui,
    snap: &PredictedSnapshot,
    form: &mut PredictForm,
    selected_device: Option<&str>,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    egui::Grid::new("predicted-list").num_columns(9).striped(true).spacing([14.0, 4.0]).show(
        ui,
        |ui| {
            for key in [
                T::PredDevice,
                T::PredRole,
                T::PredCallers,
                T::PredCustomersOut,
                T::PredConfidence,
                T::PredFirstCall,
                T::PredTickets,
            ] {
                ui.label(RichText::new(ctx.t(key)).weak());
            }
            ui.end_row();
            for r in &snap.rows {
                row_ui(ui, r, form, selected_device, author, ctx, out);
                ui.end_row();
            }
        },
    );
}

fn row_ui(
    ui: &mut egui::Ui,
    r: &PredictedRow,
    form: &mut PredictForm,
    selected_device: Option<&str>,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let chosen = form.selected.as_deref() == Some(r.device.as_str());
    if ui.selectable_label(chosen, r.device.as_str()).clicked() {
        out.push(Command::SelectPrediction(r.device.clone()));
    }
    ui.label(protection_kind(ctx.lang, r.kind));
    ui.label(r.callers.to_string());
    ui.label(r.customers_out.to_string());
    ui.label(format!("{:.0} %", r.confidence * 100.0));
    ui.label(format_time(r.first_call_s));
    ticket_links(ui, &r.tickets, out);
    let confirm = |device: String| Command::ConfirmPrediction {
        predicted: r.device.clone(),
        device,
        tickets: r.tickets.clone(),
        reason: form.reason.trim().to_string(),
        author: author.to_string(),
    };
    if ui.button(ctx.t(T::PredConfirm)).clicked() {
        out.push(confirm(r.device.clone()));
    }
    if ui.button(ctx.t(T::PredMove)).clicked() {
        let typed = form.move_to.trim();
        match if typed.is_empty() { selected_device } else { Some(typed) } {
            Some(d) => out.push(confirm(d.to_string())),
            None => {
                form.outcome = None;
                form.error = Some(ctx.t(T::PredNeedDevice).to_string());
            }
        }
    }
}

/// What the last confirm or move did: the outage, the master, the merged tickets and those
/// left outside.
fn outcome_ui(ui: &mut egui::Ui, o: &PredictOutcome, ctx: &Ctx, out: &mut Vec<Command>) {
    let c = &o.confirmed;
    let mut head = trf(ctx.lang, T::PredConfirmed, &[&c.outage.id.to_string(), &o.device]);
    if o.device != o.predicted {
        head = format!("{head} · {}", trf(ctx.lang, T::PredMovedFrom, &[&o.predicted]));
    }
    let (_, red) = areas::colours(AreaKind::Fault);
    if ui.link(RichText::new(head).color(red).strong()).clicked() {
        out.push(Command::SelectOutage(c.outage.id));
    }
    grid_of(ui, "predicted-outcome", |ui| {
        if let Some(m) = c.master {
            ui.label(RichText::new(ctx.t(T::MasterTicket)).weak());
            ticket_links(ui, &[m], out);
            ui.end_row();
        }
        if !c.merged.is_empty() {
            ui.label(RichText::new(ctx.t(T::PredMerged)).weak());
            ticket_links(ui, &c.merged, out);
            ui.end_row();
        }
        if !c.outside.is_empty() {
            ui.label(RichText::new(ctx.t(T::PredOutside)).weak());
            ticket_links(ui, &c.outside, out);
            ui.end_row();
        }
        if c.master.is_none() && c.merged.is_empty() && c.outside.is_empty() {
            row(ui, ctx.t(T::PredTickets), "—");
        }
    });
}
