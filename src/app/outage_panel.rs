//! The outage panels (停电信息): the list of outages under the map, an outage's details with
//! its change trajectory (变更轨迹) and the form to change it, the form to record a fault at
//! the selected device, and the caller's answer on a customer's card (is an outage covering
//! them, which, when is power back, what changed last). They draw the outage book's answers
//! and send [`Command`]s; the book computes.

use eframe::egui::{self, Color32, RichText};

use crate::model::DeviceRef;
use crate::outage::{Coverage, Outage, OutageId, OutageKind, TrajectoryEntry};
use crate::store::{format_time, parse_time};

use super::command::Command;
use super::i18n::{change_word, label_word, outage_kind, outage_status, trf, Lang, T};
use super::layers::{areas, AreaKind};
use super::outages::OutageForm;
use super::panels::Ctx;

const WARN: Color32 = Color32::from_rgb(200, 60, 0);
const OVERDUE: Color32 = Color32::from_rgb(210, 30, 30);
const OK: Color32 = Color32::from_rgb(20, 130, 40);

/// The colour of an outage kind: the outline of its map area.
pub fn kind_colour(kind: OutageKind) -> Color32 {
    areas::colours(match kind {
        OutageKind::Fault => AreaKind::Fault,
        OutageKind::Planned => AreaKind::Planned,
    })
    .1
}

fn kind_text(ctx: &Ctx, kind: OutageKind) -> RichText {
    RichText::new(outage_kind(ctx.lang, kind)).color(kind_colour(kind)).strong()
}

/// The ETR as an operator reads it, red with "overdue" when it has passed.
fn etr_text(ctx: &Ctx, etr_s: Option<i64>, overdue: bool) -> RichText {
    match etr_s {
        None => RichText::new(ctx.t(T::EtrUnknown)),
        Some(e) if overdue => {
            RichText::new(format!("{} ({})", format_time(e), ctx.t(T::Overdue))).color(OVERDUE)
        }
        Some(e) => RichText::new(format_time(e)),
    }
}

fn is_overdue(o: &Outage, now_s: i64) -> bool {
    o.status_at(now_s).is_open() && o.etr_s.is_some_and(|e| now_s > e)
}

fn title(ctx: &Ctx, id: OutageId) -> String {
    trf(ctx.lang, T::OutageTitle, &[&id.to_string()])
}

/// The outage list under the map: open outages (or every one), newest first; a click on the
/// number selects the outage.
pub fn outages_ui(
    ui: &mut egui::Ui,
    include_closed: &mut bool,
    selected: Option<OutageId>,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    egui::Panel::bottom("outages").resizable(true).default_size(200.0).show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading(ctx.t(T::Outages));
            ui.checkbox(include_closed, ctx.t(T::IncludeClosed));
        });
        let Some(book) = ctx.outages else {
            if ctx.outages_busy {
                ui.label(RichText::new(ctx.t(T::PlanPublishing)).italics());
            } else {
                ui.colored_label(WARN, ctx.t(T::StoreUnavailable));
            }
            return;
        };
        let now = book.now_s();
        let list = book.list(*include_closed);
        if list.is_empty() {
            ui.label(ctx.t(if *include_closed { T::NoOutages } else { T::NoOpenOutages }));
            return;
        }
        let m = &ctx.grid.model;
        egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
            egui::Grid::new("outage-list").num_columns(6).striped(true).spacing([16.0, 4.0]).show(
                ui,
                |ui| {
                    for key in [
                        T::OutageNo,
                        T::OutageKindWord,
                        T::OutageStatusWord,
                        T::FeederDevices,
                        T::CustomerCount,
                        T::Etr,
                    ] {
                        ui.label(RichText::new(ctx.t(key)).weak());
                    }
                    ui.end_row();
                    for o in list.iter().rev() {
                        let status = o.status_at(now);
                        if ui
                            .selectable_label(selected == Some(o.id), format!("#{}", o.id))
                            .clicked()
                        {
                            out.push(Command::SelectOutage(o.id));
                        }
                        ui.label(kind_text(ctx, o.kind));
                        ui.label(outage_status(ctx.lang, status));
                        let devices =
                            if status.is_open() { &o.open_devices } else { &o.devices }.join(", ");
                        let feeder = ctx
                            .outage_snap
                            .feeders
                            .get(&o.id)
                            .and_then(|f| m.feeders.get(f.index()))
                            .map(|f| format!("{} · ", f.display_name))
                            .unwrap_or_default();
                        ui.label(format!("{feeder}{devices}"));
                        let n =
                            if status.is_open() { o.impact.customers() } else { o.peak_customers };
                        ui.label(n.to_string());
                        ui.label(etr_text(ctx, o.etr_s, is_overdue(o, now)));
                        ui.end_row();
                    }
                },
            );
        });
    });
}

fn row(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(RichText::new(key).weak());
    ui.label(value);
    ui.end_row();
}

/// A row whose value may be long (a reason, a notice): wrapped.
fn row_wrapped(ui: &mut egui::Ui, key: &str, value: impl Into<egui::WidgetText>) {
    ui.label(RichText::new(key).weak());
    ui.add(egui::Label::new(value).wrap());
    ui.end_row();
}

fn grid_of(ui: &mut egui::Ui, id: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id).num_columns(2).striped(true).spacing([10.0, 4.0]).show(ui, add);
}

/// A text field with its label (found by that label in tests and screen readers).
fn field(ui: &mut egui::Ui, key: &str, text: &mut String, hint: &str) {
    let label = ui.label(RichText::new(key).weak());
    ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(200.0))
        .labelled_by(label.id);
    ui.end_row();
}

/// An outage's details, its change trajectory and, while it is open, the form to change it.
pub fn outage_ui(
    ui: &mut egui::Ui,
    id: OutageId,
    trajectory: &Result<Vec<TrajectoryEntry>, String>,
    form: &mut OutageForm,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(o) = ctx.outages.and_then(|b| b.get(id)) else {
        ui.colored_label(WARN, crate::outage::OutageError::NotFound(id).to_string());
        return;
    };
    let now = ctx.outages.map_or(0, |b| b.now_s());
    let status = o.status_at(now);
    ui.label(RichText::new(title(ctx, id)).strong().size(16.0));
    grid_of(ui, "outage", |ui| {
        row(ui, ctx.t(T::OutageKindWord), kind_text(ctx, o.kind));
        row(ui, ctx.t(T::OutageStatusWord), outage_status(ctx.lang, status));
        let window = match o.end_s {
            Some(end) => crate::outage::history::window_text(o.start_s, end),
            None => trf(ctx.lang, T::FromTime, &[&format_time(o.start_s)]),
        };
        row(ui, ctx.t(T::OutageWindow), window);
        row(ui, ctx.t(T::Etr), etr_text(ctx, o.etr_s, is_overdue(o, now)));
        let devices = if status.is_open() { &o.open_devices } else { &o.devices };
        row_wrapped(ui, ctx.t(T::OutageDevices), devices.join(", "));
        row_wrapped(ui, ctx.t(T::OutageReason), o.reason.as_str());
        row_wrapped(ui, ctx.t(T::OutageNotice), o.notice.as_str());
        row(ui, ctx.t(T::CustomersAffected), o.impact.customers().to_string());
        for (label, n) in &o.impact.by_label {
            row(ui, &format!("  {}", label_word(ctx.lang, label)), n.to_string());
        }
        let hours = o.customer_hours().map_or_else(|| "—".to_string(), |h| format!("{h:.1}"));
        row(ui, ctx.t(T::CustomerHours), hours);
        row(ui, ctx.t(T::RecordedBy), format!("{} · {}", format_time(o.created_s), o.created_by));
    });
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::Trajectory)).strong());
    match trajectory {
        Ok(entries) => {
            for e in entries {
                trajectory_entry_ui(ui, e, ctx);
            }
        }
        Err(e) => {
            ui.colored_label(WARN, e.as_str());
        }
    }
    if !ctx.wall && status.is_open() {
        change_form_ui(ui, id, form, ctx, out);
    }
}

fn trajectory_entry_ui(ui: &mut egui::Ui, e: &TrajectoryEntry, ctx: &Ctx) {
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(4)).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(
            RichText::new(format!(
                "{}. {} · {} · {}",
                e.seq,
                format_time(e.time_s),
                e.author,
                change_word(ctx.lang, e.change)
            ))
            .strong(),
        );
        ui.add(egui::Label::new(summary_in(ctx.lang, &e.summary, &e.summary_zh)).wrap());
        ui.add(
            egui::Label::new(
                RichText::new(format!("{}: {}", ctx.t(T::ReasonWord), e.reason)).weak(),
            )
            .wrap(),
        );
    });
}

/// A change's summary in the operator's language (English when no Chinese one was kept).
fn summary_in<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    if lang == Lang::Zh && !zh.is_empty() {
        zh
    } else {
        en
    }
}

/// Reads a typed time, or sets the form's error.
fn typed_time(text: &str, form_error: &mut Option<String>, ctx: &Ctx) -> Option<i64> {
    match parse_time(text) {
        Ok(t) => Some(t),
        Err(e) => {
            *form_error = Some(format!("{}: {e}", ctx.t(T::BadTime)));
            None
        }
    }
}

fn error_ui(ui: &mut egui::Ui, form: &OutageForm, ctx: &Ctx) {
    if let Some(e) = &form.error {
        ui.add(
            egui::Label::new(
                RichText::new(format!("{}: {e}", ctx.t(T::ChangeFailed))).color(OVERDUE),
            )
            .wrap(),
        );
    }
}

fn change_form_ui(
    ui: &mut egui::Ui,
    id: OutageId,
    form: &mut OutageForm,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    ui.add_space(6.0);
    ui.separator();
    ui.label(RichText::new(ctx.t(T::ChangeOutage)).strong());
    grid_of(ui, "outage-change", |ui| {
        field(ui, ctx.t(T::Operator), &mut form.author, "");
        field(ui, ctx.t(T::ChangeReason), &mut form.change_reason, "");
        field(ui, ctx.t(T::NewEtr), &mut form.new_etr, ctx.t(T::TimeHint));
    });
    let (author, reason) = (form.author.trim().to_string(), form.change_reason.trim().to_string());
    ui.horizontal_wrapped(|ui| {
        if ui.button(ctx.t(T::ChangeEtrButton)).clicked() {
            if let Some(etr_s) = typed_time(&form.new_etr, &mut form.error, ctx) {
                out.push(Command::ChangeEtr {
                    outage: id,
                    etr_s,
                    reason: reason.clone(),
                    author: author.clone(),
                });
            }
        }
        if ui.button(ctx.t(T::RestoreButton)).clicked() {
            out.push(Command::RestoreOutage {
                outage: id,
                reason: reason.clone(),
                author: author.clone(),
            });
        }
        if ui.button(ctx.t(T::CancelButton)).clicked() {
            out.push(Command::CancelOutage {
                outage: id,
                reason: reason.clone(),
                author: author.clone(),
            });
        }
    });
    error_ui(ui, form, ctx);
}

/// The form to record a fault outage at the selected device.
pub fn fault_form_ui(
    ui: &mut egui::Ui,
    device: DeviceRef,
    form: &mut OutageForm,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    if ctx.outages.is_none() {
        return;
    }
    ui.add_space(6.0);
    ui.separator();
    ui.label(RichText::new(ctx.t(T::LegendFault)).strong());
    grid_of(ui, "fault-form", |ui| {
        field(ui, ctx.t(T::FaultReason), &mut form.fault_reason, "");
        field(ui, ctx.t(T::FaultEtr), &mut form.fault_etr, ctx.t(T::TimeHint));
        field(ui, ctx.t(T::Operator), &mut form.author, "");
    });
    if ui.button(ctx.t(T::RecordFault)).clicked() {
        let etr_s = match form.fault_etr.trim() {
            "" => Some(None),
            t => typed_time(t, &mut form.error, ctx).map(Some),
        };
        if let Some(etr_s) = etr_s {
            out.push(Command::ReportFault {
                device,
                etr_s,
                reason: form.fault_reason.trim().to_string(),
                author: form.author.trim().to_string(),
            });
        }
    }
    error_ui(ui, form, ctx);
}

/// The caller's answer on a customer's card: the open outages covering them.
pub fn coverage_ui(ui: &mut egui::Ui, covering: &[Coverage], ctx: &Ctx, out: &mut Vec<Command>) {
    if ctx.outages.is_none() {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new(ctx.t(T::CoveredBy)).strong());
    if covering.is_empty() {
        ui.colored_label(OK, ctx.t(T::NotCovered));
        return;
    }
    for c in covering {
        let head = format!(
            "{} · {} · {}",
            title(ctx, c.outage),
            outage_kind(ctx.lang, c.kind),
            outage_status(ctx.lang, c.status)
        );
        let text = RichText::new(head).color(kind_colour(c.kind)).strong();
        if ctx.wall {
            ui.label(text);
        } else if ui.link(text).clicked() {
            out.push(Command::SelectOutage(c.outage));
        }
        grid_of(ui, &format!("coverage-{}", c.outage), |ui| {
            row(ui, ctx.t(T::Etr), etr_text(ctx, c.etr_s, c.overdue));
            row_wrapped(ui, ctx.t(T::OutageReason), c.reason.as_str());
            let l = &c.latest;
            row_wrapped(
                ui,
                ctx.t(T::LatestChange),
                format!(
                    "{} · {} · {}: {}",
                    format_time(l.time_s),
                    l.author,
                    change_word(ctx.lang, &l.change),
                    summary_in(ctx.lang, &l.summary, &l.summary_zh)
                ),
            );
            row_wrapped(ui, ctx.t(T::OutageNotice), c.notice.as_str());
        });
    }
}
