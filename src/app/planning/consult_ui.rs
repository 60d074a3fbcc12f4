//! The consultation tab (征询意见) of the planning panel: the letter (意见书) the first
//! WeChat-bound appointment customer would get; the button queueing one per WeChat-bound
//! appointment customer in the channel outbox; the outbox's messages about the scenario
//! (account, channel, kind, delivery state, attempts); the answer form (account, windows
//! preferred and objected to, what they said — or their reply as written); who answered, and
//! who has not.

use eframe::egui::{self, RichText};

use crate::channels::outbox::{Channel, DeliveryState, MessageKind};
use crate::planning::consult::{letter, window_letter};
use crate::planning::{AnswerRecord, Scenario};

use super::super::command::Command;
use super::super::i18n::{tr, trf, Lang, T};
use super::super::panels::Ctx;
use super::super::repair_panel::{field, grid_of};
use super::panel::{error_line, send, DONE};
use super::{PlanCommand, PlanRes, PlanSession};

/// `prefers A (…), objects to B (…): reason · via`.
pub fn answer_text(lang: Lang, a: &AnswerRecord) -> String {
    let list = |v: &[String]| if v.is_empty() { "—".to_string() } else { v.join(", ") };
    trf(
        lang,
        T::PlanAnswerText,
        &[&a.account, &list(&a.preferred), &list(&a.objections), &a.reason, &a.via],
    )
}

fn channel_word(lang: Lang, c: Channel) -> &'static str {
    tr(
        lang,
        match c {
            Channel::Wechat => T::ChWechat,
            Channel::Sms => T::ChSms,
            Channel::App => T::ChApp,
            Channel::Web => T::ChWeb,
        },
    )
}

fn state_word(lang: Lang, s: DeliveryState) -> &'static str {
    tr(
        lang,
        match s {
            DeliveryState::Queued => T::PlanMsgQueued,
            DeliveryState::Sent => T::PlanMsgSent,
            DeliveryState::Delivered => T::PlanMsgDelivered,
            DeliveryState::Failed => T::PlanMsgFailed,
        },
    )
}

fn kind_word(lang: Lang, k: MessageKind) -> &'static str {
    tr(
        lang,
        match k {
            MessageKind::Consultation => T::PlanMsgLetter,
            MessageKind::PlannedOutage | MessageKind::FaultOutage => T::PlanMsgNotice,
            MessageKind::OutageChanged => T::PlanMsgChanged,
            MessageKind::Restored => T::PlanMsgRestored,
        },
    )
}

/// The open scenario, or a line saying one is needed.
fn open_scenario<'a>(
    ui: &mut egui::Ui,
    s: &PlanSession,
    res: &'a PlanRes,
    ctx: &Ctx,
) -> Option<&'a Scenario> {
    let sc = res.scenario(s.open);
    if sc.is_none() {
        ui.label(RichText::new(ctx.t(T::PlanNeedStored)).weak());
    }
    sc
}

/// The consultation tab.
pub fn consult_tab(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    res: &PlanRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(sc) = open_scenario(ui, s, res, ctx) else { return };
    ui.label(
        RichText::new(trf(ctx.lang, T::PlanScenarioTitle, &[&sc.id.to_string(), &sc.name]))
            .strong(),
    );
    if sc.candidates.is_empty() {
        ui.label(RichText::new(ctx.t(T::PlanNeedCandidates)).weak());
    } else {
        ui.horizontal_wrapped(|ui| {
            for (i, w) in sc.candidates.iter().enumerate() {
                let text = format!(
                    "{}. {} ({})",
                    window_letter(i),
                    w.name,
                    crate::outage::history::window_text(w.start_s, w.end_s)
                );
                ui.label(RichText::new(text).small());
            }
        });
    }
    // the letter the first WeChat-bound appointment customer gets
    let picked = match &res.filtered.picked {
        Some(Ok(p)) => p.as_slice(),
        _ => &[],
    };
    let m = &ctx.grid.model;
    let first = picked
        .iter()
        .find(|c| m.customers[c.index()].labels.contains(crate::model::Labels::WECHAT));
    if let (Some(c), false, Some(v)) = (first, sc.candidates.is_empty(), &res.view) {
        ui.label(
            RichText::new(trf(ctx.lang, T::PlanLetterFor, &[&m.customers[c.index()].account_no]))
                .weak(),
        );
        let text = letter(ctx.grid, sc, *c, v.affected.len());
        egui::Frame::group(ui.style()).fill(egui::Color32::from_rgb(250, 250, 240)).show(
            ui,
            |ui| {
                ui.set_min_width(ui.available_width());
                ui.add(egui::Label::new(RichText::new(text).small()).wrap());
            },
        );
    }
    let f = &mut s.consult;
    if !sc.published && !sc.candidates.is_empty() {
        ui.horizontal(|ui| {
            let label = trf(ctx.lang, T::PlanConsultButton, &[&s.rules.preset]);
            if ui.add_enabled(!res.consulting(), egui::Button::new(label)).clicked() {
                send(out, PlanCommand::Consult { author: author.to_string() });
            }
            if res.consulting() {
                ui.label(RichText::new(ctx.t(T::PlanQueueing)).italics());
            }
        });
    }
    if let Some(r) = &f.report {
        let text = trf(
            ctx.lang,
            T::PlanConsulted,
            &[
                &r.picked.len().to_string(),
                &r.sent.len().to_string(),
                &r.queued.to_string(),
                &r.unreachable.len().to_string(),
            ],
        );
        ui.colored_label(DONE, text);
        if !r.unreachable.is_empty() {
            let list: Vec<&str> = r.unreachable.iter().take(20).map(String::as_str).collect();
            let more = if r.unreachable.len() > 20 {
                format!(" … +{}", r.unreachable.len() - 20)
            } else {
                String::new()
            };
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{}: {}{more}", ctx.t(T::PlanToPhone), list.join(", ")))
                        .small(),
                )
                .wrap(),
            );
        }
    }
    took_ui(ui, f.took_ms, ctx);
    outbox_ui(ui, res, ctx);
    ui.separator();
    answers_ui(ui, s, sc, author, ctx, out);
}

fn outbox_ui(ui: &mut egui::Ui, res: &PlanRes, ctx: &Ctx) {
    ui.label(
        RichText::new(trf(ctx.lang, T::PlanOutbox, &[&res.messages.len().to_string()])).strong(),
    );
    if res.outbox.is_none() {
        ui.label(RichText::new(ctx.t(T::StoreUnavailable)).weak());
        return;
    }
    if res.messages.is_empty() {
        ui.label(RichText::new(ctx.t(T::PlanOutboxEmpty)).weak());
        return;
    }
    let mut counts = std::collections::BTreeMap::new();
    for msg in &res.messages {
        *counts.entry(state_word(ctx.lang, msg.state)).or_insert(0usize) += 1;
    }
    let summary: Vec<String> = counts.iter().map(|(w, n)| format!("{w} {n}")).collect();
    ui.label(RichText::new(summary.join(" · ")).weak());
    egui::ScrollArea::vertical().id_salt("plan-outbox").max_height(180.0).show_rows(
        ui,
        18.0,
        res.messages.len(),
        |ui, range| {
            egui::Grid::new("plan-outbox-grid")
                .num_columns(5)
                .striped(true)
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    for key in [
                        T::AccountNo,
                        T::ChannelWord,
                        T::PlanMsgKind,
                        T::PlanMsgState,
                        T::PlanMsgAttempts,
                    ] {
                        ui.label(RichText::new(ctx.t(key)).weak());
                    }
                    ui.end_row();
                    for msg in &res.messages[range] {
                        ui.label(msg.message.account.as_str());
                        ui.label(channel_word(ctx.lang, msg.message.channel));
                        ui.label(kind_word(ctx.lang, msg.message.kind));
                        ui.label(state_word(ctx.lang, msg.state));
                        ui.label(msg.attempts.to_string());
                        ui.end_row();
                    }
                });
        },
    );
}

fn answers_ui(
    ui: &mut egui::Ui,
    s: &mut PlanSession,
    sc: &Scenario,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let f = &mut s.consult;
    ui.label(RichText::new(ctx.t(T::PlanAnswers)).strong());
    if !sc.published && !sc.candidates.is_empty() {
        grid_of(ui, "plan-answer", |ui| {
            field(ui, ctx.t(T::PlanAnswerAccount), &mut f.account, "0600000013");
        });
        for (key, set) in [(T::PlanPrefers, &mut f.preferred), (T::PlanObjects, &mut f.objections)]
        {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(ctx.t(key)).weak());
                for (i, w) in sc.candidates.iter().enumerate() {
                    let mut on = set.contains(&w.name);
                    let text = format!("{} {}", ctx.t(key), window_letter(i));
                    if ui.checkbox(&mut on, text).on_hover_text(&w.name).changed() {
                        if on {
                            set.insert(w.name.clone());
                        } else {
                            set.remove(&w.name);
                        }
                    }
                }
            });
        }
        grid_of(ui, "plan-answer-reason", |ui| {
            field(ui, ctx.t(T::PlanAnswerReason), &mut f.reason, "周二店铺营业");
        });
        if ui.button(ctx.t(T::PlanRecordAnswer)).clicked() {
            let order = |set: &std::collections::BTreeSet<String>| -> Vec<String> {
                sc.candidates
                    .iter()
                    .filter(|w| set.contains(&w.name))
                    .map(|w| w.name.clone())
                    .collect()
            };
            send(
                out,
                PlanCommand::RecordAnswer {
                    account: f.account.trim().to_string(),
                    preferred: order(&f.preferred),
                    objections: order(&f.objections),
                    reason: f.reason.trim().to_string(),
                    author: author.to_string(),
                },
            );
        }
        grid_of(ui, "plan-reply", |ui| {
            field(ui, ctx.t(T::PlanReply), &mut f.reply, "同意A，反对B，理由：周二店铺营业");
        });
        if ui.button(ctx.t(T::PlanReadReply)).clicked() {
            send(
                out,
                PlanCommand::RecordReply {
                    account: f.account.trim().to_string(),
                    text: f.reply.trim().to_string(),
                    author: author.to_string(),
                },
            );
        }
        if let Some(e) = &f.error {
            error_line(ui, ctx, e);
        }
        if let Some(d) = &f.done {
            ui.colored_label(DONE, d.as_str());
        }
    }
    let answered: Vec<&str> = sc.answers.iter().map(|a| a.account.as_str()).collect();
    ui.label(
        RichText::new(trf(ctx.lang, T::PlanAnsweredN, &[&sc.answers.len().to_string()])).weak(),
    );
    for a in &sc.answers {
        ui.add(egui::Label::new(RichText::new(answer_text(ctx.lang, a)).small()).wrap());
    }
    if let Some(c) = &sc.consultation {
        let waiting: Vec<&str> = c
            .sent
            .iter()
            .chain(&c.unreachable)
            .map(String::as_str)
            .filter(|a| !answered.contains(a))
            .collect();
        ui.label(
            RichText::new(trf(ctx.lang, T::PlanNotAnsweredN, &[&waiting.len().to_string()])).weak(),
        );
        let list: Vec<&str> = waiting.iter().take(30).copied().collect();
        let more = if waiting.len() > 30 {
            format!(" … +{}", waiting.len() - 30)
        } else {
            String::new()
        };
        ui.add(
            egui::Label::new(RichText::new(format!("{}{more}", list.join(", "))).small()).wrap(),
        );
    }
}

/// How long the last change took (`took 12 ms`).
pub(super) fn took_ui(ui: &mut egui::Ui, ms: Option<f64>, ctx: &Ctx) {
    if let Some(ms) = ms {
        ui.label(RichText::new(trf(ctx.lang, T::PlanTook, &[&format!("{ms:.0}")])).weak().small());
    }
}
