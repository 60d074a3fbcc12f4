//! Publishing a scenario (发布) from the planning panel: the button (once a window is set), a
//! confirmation saying what it creates and queues, with the reason; then the planned outage
//! made, the notices queued and the time it took (the work runs on a worker thread).

use eframe::egui::{self, RichText};

use super::super::command::Command;
use super::super::i18n::{trf, T};
use super::super::layers::planning as colours;
use super::super::panels::Ctx;
use super::super::repair_panel::{field, grid_of, row};
use super::consult_ui::took_ui;
use super::panel::{error_line, send};
use super::{PlanCommand, PlanRes, PlanSession};

/// The publish button, its confirmation window and what publishing did.
pub fn publish_ui(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(sc) = res.scenario(s.open) else { return };
    let f = &mut s.publish;
    if !sc.published {
        let ready = sc.window.is_some();
        let button =
            ui.add_enabled(ready, egui::Button::new(RichText::new(ctx.t(T::PlanPublish)).strong()));
        if button.clicked() {
            f.confirming = true;
            f.error = None;
        }
        if !ready {
            ui.label(RichText::new(ctx.t(T::PlanPublishNeedsWindow)).weak().small());
        }
    }
    if let Some(p) = &f.outcome {
        let text = trf(
            ctx.lang,
            T::PlanPublishedOutcome,
            &[
                &p.outage.to_string(),
                &p.affected.to_string(),
                &p.notices_queued.to_string(),
                &p.unreachable.to_string(),
            ],
        );
        if ui.link(RichText::new(text).color(colours::BACK_FEED).strong()).clicked() {
            out.push(Command::ShowOutages(true));
            out.push(Command::SelectOutage(p.outage));
        }
        took_ui(ui, f.took_ms, ctx);
    }
    if let (Some(e), false) = (&f.error, f.confirming) {
        error_line(ui, ctx, e);
    }
    if !f.confirming || sc.published {
        return;
    }
    let mut open = true;
    let (start, end) = sc.window.unwrap_or((0, 0));
    let affected = res.view.as_ref().map_or(0, |v| v.affected.len());
    egui::Window::new(ctx.t(T::PlanPublishTitle))
        .id(egui::Id::unique("plan-publish-confirm"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_pos(egui::pos2(420.0, 200.0))
        .show(ui.ctx(), |ui| {
            ui.set_max_width(420.0);
            let text = trf(
                ctx.lang,
                T::PlanPublishConfirmText,
                &[
                    &sc.id.to_string(),
                    &sc.name,
                    &crate::outage::history::window_text(start, end),
                    &affected.to_string(),
                ],
            );
            ui.add(egui::Label::new(text).wrap());
            grid_of(ui, "plan-publish", |ui| {
                field(ui, ctx.t(T::PlanPublishReason), &mut f.reason, "方案经审批");
                row(ui, ctx.t(T::Operator), author);
            });
            ui.horizontal(|ui| {
                let confirm =
                    egui::Button::new(RichText::new(ctx.t(T::PlanPublishConfirm)).strong());
                if ui.add_enabled(!res.publishing(), confirm).clicked() {
                    send(
                        out,
                        PlanCommand::Publish {
                            reason: f.reason.trim().to_string(),
                            author: author.to_string(),
                        },
                    );
                }
                if ui.button(ctx.t(T::PlanPublishCancel)).clicked() {
                    f.confirming = false;
                }
            });
            if res.publishing() {
                ui.label(RichText::new(ctx.t(T::PlanPublishing)).italics());
            }
            if let Some(e) = &f.error {
                error_line(ui, ctx, e);
            }
        });
    if !open {
        f.confirming = false;
    }
}
