//! The appointment customers (预约客户) of the planning panel: a preset of
//! `resources/planning/presets.json` to start from, its rules edited in place (a customer is
//! picked when any rule matches; a rule matches when all its conditions hold: any of some
//! labels, all of some labels, a minimum demand, bound to WeChat or not), and the affected
//! customers the rules pick — account, name, labels, address (masked on the wall screen).

use eframe::egui::{self, RichText};

use crate::model::Labels;

use super::super::command::Command;
use super::super::i18n::{label_word, labels, trf, T};
use super::super::mask::{mask_address, mask_name};
use super::super::panels::Ctx;
use super::panel::error_line;
use super::{PlanCommand, PlanRes, PlanSession, RuleForm};

/// Customers listed at most (the count says how many there are).
pub const LIST_ROWS: usize = 2000;

/// Toggles a label word in a list of words.
fn label_boxes(ui: &mut egui::Ui, words: &mut Vec<String>, ctx: &Ctx) {
    ui.horizontal_wrapped(|ui| {
        for (_, word) in Labels::ALL {
            let mut on = words.iter().any(|w| w == word);
            if ui.checkbox(&mut on, label_word(ctx.lang, word)).changed() {
                if on {
                    words.push(word.to_string());
                } else {
                    words.retain(|w| w != word);
                }
            }
        }
    });
}

fn rule_ui(ui: &mut egui::Ui, i: usize, r: &mut RuleForm, ctx: &Ctx) -> bool {
    let mut remove = false;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(4)).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(trf(ctx.lang, T::PlanRuleN, &[&(i + 1).to_string()])).strong());
            if ui.small_button(trf(ctx.lang, T::PlanRemoveRule, &[&(i + 1).to_string()])).clicked()
            {
                remove = true;
            }
        });
        ui.label(RichText::new(ctx.t(T::PlanAnyOf)).weak());
        label_boxes(ui, &mut r.rule.labels_any, ctx);
        ui.label(RichText::new(ctx.t(T::PlanAllOf)).weak());
        label_boxes(ui, &mut r.rule.labels_all, ctx);
        ui.horizontal(|ui| {
            let label = ui
                .label(RichText::new(trf(ctx.lang, T::PlanMinKw, &[&(i + 1).to_string()])).weak());
            ui.add(egui::TextEdit::singleline(&mut r.kw_text).hint_text("—").desired_width(70.0))
                .labelled_by(label.id);
            let wechat = ui.label(RichText::new(ctx.t(T::PlanWechat)).weak());
            let word = |w: Option<bool>| {
                ctx.t(match w {
                    None => T::PlanWechatAny,
                    Some(true) => T::PlanWechatBound,
                    Some(false) => T::PlanWechatNotBound,
                })
            };
            egui::ComboBox::from_id_salt(("plan-wechat", i))
                .selected_text(word(r.rule.wechat))
                .show_ui(ui, |ui| {
                    for w in [None, Some(true), Some(false)] {
                        ui.selectable_value(&mut r.rule.wechat, w, word(w));
                    }
                })
                .response
                .labelled_by(wechat.id);
        });
    });
    remove
}

/// The customers tab: preset, rules, the list.
pub fn customers_tab(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    match &res.presets {
        Some(Ok(file)) => {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(ctx.t(T::PlanPreset)).weak());
                for p in &file.presets {
                    if ui.selectable_label(p.name == s.rules.preset, p.name.as_str()).clicked() {
                        out.push(Command::Plan(PlanCommand::UsePreset(p.name.clone())));
                    }
                }
                if ui.button(ctx.t(T::PlanResetRules)).clicked() {
                    out.push(Command::Plan(PlanCommand::UsePreset(s.rules.preset.clone())));
                }
            });
            if let Ok(p) = file.preset(&s.rules.preset) {
                ui.label(RichText::new(p.description.as_str()).weak().small());
            }
        }
        Some(Err(e)) => error_line(ui, ctx, e),
        None => {}
    }
    ui.label(RichText::new(ctx.t(T::PlanRulesNote)).weak().small());
    let mut remove = None;
    for (i, r) in s.rules.rules.iter_mut().enumerate() {
        if rule_ui(ui, i, r, ctx) {
            remove = Some(i);
        }
    }
    if let Some(i) = remove {
        s.rules.rules.remove(i);
    }
    if ui.button(ctx.t(T::PlanAddRule)).clicked() {
        s.rules.rules.push(RuleForm::default());
    }
    ui.separator();
    list_ui(ui, res, ctx);
}

/// The appointment customers the rules pick (masked on the wall screen).
pub fn list_ui(ui: &mut egui::Ui, res: &PlanRes, ctx: &Ctx) {
    ui.label(RichText::new(ctx.t(T::PlanAppointment)).strong());
    let Some(view) = &res.view else {
        ui.label(RichText::new(ctx.t(T::PlanDrawFirst)).weak());
        return;
    };
    let picked = match &res.filtered.picked {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            error_line(ui, ctx, e);
            return;
        }
        None => return,
    };
    let n = (picked.len().to_string(), view.affected.len().to_string());
    ui.label(trf(ctx.lang, T::PlanPickedOf, &[&n.0, &n.1]));
    let m = &ctx.grid.model;
    let rows = picked.len().min(LIST_ROWS);
    egui::ScrollArea::both().id_salt("plan-customers").max_height(360.0).show_rows(
        ui,
        18.0,
        rows,
        |ui, range| {
            egui::Grid::new("plan-customer-grid")
                .num_columns(5)
                .striped(true)
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    for key in [T::AccountNo, T::CustomerName, T::LabelsWord, T::PlanKw, T::Address]
                    {
                        ui.label(RichText::new(ctx.t(key)).weak());
                    }
                    ui.end_row();
                    for c in &picked[range] {
                        let Some(cu) = m.customers.get(c.index()) else { continue };
                        ui.label(cu.account_no.as_str());
                        let name = if ctx.wall {
                            mask_name(&cu.display_name)
                        } else {
                            cu.display_name.clone()
                        };
                        ui.label(name);
                        ui.label(RichText::new(labels(ctx.lang, cu.labels)).small());
                        ui.label(format!("{:.1}", cu.kw));
                        let address =
                            if ctx.wall { mask_address(&cu.address) } else { cu.address.full() };
                        ui.label(RichText::new(address).small());
                        ui.end_row();
                    }
                });
        },
    );
}
