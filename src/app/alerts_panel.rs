//! The sensitive-word alert windows (敏感词预警): the pop-up on a new alert — the message
//! with the matched words highlighted, the customer (masked on the wall screen), channel,
//! severity and categories, and the steps Acknowledge, Assign (to a name) and Resolve (with a
//! required note) — the list of open alerts, most severe first, and the top bar's badge that
//! opens it. On the wall screen the pop-up is read-only and the list is not shown.

use eframe::egui::{self, Color32, RichText};

use crate::channels::alert::{Alert, AlertId, AlertStatus};
use crate::channels::sensitive::{Hit, Lexicon, Severity};
use crate::model::{CustomerId, DeviceRef};
use crate::store::format_time;

use super::alerts::{send, AlertCommand, AlertRes, AlertSession};
use super::command::Command;
use super::customer360_panel::open_button_ui;
use super::i18n::{channel_word, trf, Lang, T};
use super::mask::mask_name;
use super::panels::Ctx;
use super::repair_panel::{grid_of, row, ERROR};

/// The colour of a severity: red for critical, orange high, amber medium, grey low.
pub fn severity_colour(s: Severity) -> Color32 {
    match s {
        Severity::Critical => Color32::from_rgb(200, 20, 30),
        Severity::High => Color32::from_rgb(215, 100, 0),
        Severity::Medium => Color32::from_rgb(170, 130, 0),
        Severity::Low => Color32::from_gray(110),
    }
}

/// The word for a severity (紧急 / critical).
pub fn severity_word(lang: Lang, s: Severity) -> &'static str {
    match lang {
        Lang::Zh => s.zh(),
        Lang::En => s.as_str(),
    }
}

/// The word for an alert's status (新预警 / raised).
pub fn status_word(lang: Lang, s: AlertStatus) -> &'static str {
    match lang {
        Lang::Zh => s.zh(),
        Lang::En => s.as_str(),
    }
}

/// The word for a channel as the channel service names it (`wechat` → 微信); an unknown one
/// as it is.
pub fn channel_text(lang: Lang, channel: &str) -> String {
    match crate::workorder::Channel::parse(channel) {
        Some(c) => channel_word(lang, c).to_string(),
        None => channel.to_string(),
    }
}

/// A category's name from the lexicon in the operator's language (its id when unknown).
fn category_text(lexicon: &Lexicon, lang: Lang, id: &str) -> String {
    match lexicon.category(id) {
        Some(c) if lang == Lang::Zh => c.zh.clone(),
        Some(c) => c.en.clone(),
        None => id.to_string(),
    }
}

/// The top bar's badge: the number of open alerts, red while any is open; it opens the list.
pub fn badge_ui(
    ui: &mut egui::Ui,
    list_open: bool,
    count: usize,
    lang: Lang,
    out: &mut Vec<Command>,
) {
    let text = trf(lang, T::AlertsCount, &[&count.to_string()]);
    let text = if count > 0 {
        RichText::new(text).color(severity_colour(Severity::Critical)).strong()
    } else {
        RichText::new(text)
    };
    if ui.selectable_label(list_open, text).clicked() {
        send(out, AlertCommand::ShowList(!list_open));
    }
}

/// The message with each hit on a highlight (the spans are bytes of the text).
pub fn highlighted(ui: &egui::Ui, text: &str, hits: &[Hit]) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let plain = egui::TextFormat::simple(font.clone(), ui.visuals().text_color());
    let marked = egui::TextFormat {
        font_id: font,
        color: Color32::from_rgb(150, 0, 0),
        background: Color32::from_rgb(255, 222, 120),
        ..egui::TextFormat::default()
    };
    let mut job = egui::text::LayoutJob::default();
    let mut at = 0;
    for h in hits {
        // overlapping hits: the first one wins
        let (Some(before), Some(word)) =
            (text.get(at..h.start_byte), text.get(h.start_byte..h.end_byte))
        else {
            continue;
        };
        job.append(before, 0.0, plain.clone());
        job.append(word, 0.0, marked.clone());
        at = h.end_byte;
    }
    job.append(text.get(at..).unwrap_or_default(), 0.0, plain);
    job.wrap.max_width = ui.available_width();
    job
}

/// The customer an alert names, if the account is one of the model's.
pub fn alert_customer(ctx: &Ctx, a: &Alert) -> Option<CustomerId> {
    match ctx.grid.resolve(a.account.as_deref()?) {
        Ok(DeviceRef::Customer(c)) => Some(c),
        _ => None,
    }
}

/// The pop-up and the list of open alerts.
pub fn alerts_ui(
    ectx: &egui::Context,
    s: &mut AlertSession,
    res: &AlertRes,
    author: &str,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let Some(book) = &res.book else { return };
    if ctx.wall {
        // read-only, the most severe alert nobody has acknowledged yet
        if let Some(a) = res.open.iter().find(|a| a.status == AlertStatus::Raised) {
            popup_ui(ectx, a, book.lexicon(), None, res, ctx, out);
        }
        return;
    }
    if s.list_open {
        list_ui(ectx, s, res, ctx, out);
    }
    let shown = res.shown.as_ref().filter(|a| Some(a.id) == s.popup);
    if let Some(a) = shown {
        popup_ui(ectx, a, book.lexicon(), Some((s, author)), res, ctx, out);
    }
}

/// The window of one alert; `form` is `None` on the wall screen (no buttons).
fn popup_ui(
    ectx: &egui::Context,
    a: &Alert,
    lexicon: &Lexicon,
    form: Option<(&mut AlertSession, &str)>,
    res: &AlertRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let mut open = true;
    let editable = form.is_some();
    let title = trf(ctx.lang, T::AlertTitle, &[&a.id.to_string()]);
    let mut window = egui::Window::new(RichText::new(title).strong())
        .id(egui::Id::unique("sensitive-word-alert"))
        .collapsible(false)
        .resizable(false)
        .default_pos(egui::pos2(420.0, 110.0));
    if editable {
        window = window.open(&mut open);
    }
    let mut form = form;
    window.show(ectx, |ui| {
        ui.set_max_width(440.0);
        ui.horizontal(|ui| {
            let sev = severity_word(ctx.lang, a.severity);
            let chip = RichText::new(format!(" {sev} ")).color(Color32::WHITE).strong();
            ui.label(chip.background_color(severity_colour(a.severity)));
            ui.label(RichText::new(status_word(ctx.lang, a.status)).strong());
        });
        grid_of(ui, "alert-facts", |ui| facts_ui(ui, a, lexicon, ctx, out));
        ui.add_space(4.0);
        ui.label(RichText::new(ctx.t(T::AlertMessage)).weak());
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_min_width(400.0);
            ui.add(egui::Label::new(highlighted(ui, &a.text, &a.hits)).wrap());
        });
        steps_ui(ui, a, ctx);
        if let Some((s, author)) = form.as_mut() {
            ui.separator();
            actions_ui(ui, a, s, author, res, ctx, out);
        }
    });
    if !open {
        send(out, AlertCommand::Later(a.id));
    }
}

/// The facts of an alert: raised, channel, customer, categories, words.
fn facts_ui(ui: &mut egui::Ui, a: &Alert, lexicon: &Lexicon, ctx: &Ctx, out: &mut Vec<Command>) {
    let raised = trf(ctx.lang, T::AlertRaisedBy, &[&format_time(a.raised.at_s), &a.raised.by]);
    row(ui, ctx.t(T::AlertRaisedWord), raised);
    row(ui, ctx.t(T::ChannelWord), channel_text(ctx.lang, &a.channel));
    ui.label(RichText::new(ctx.t(T::AlertCustomer)).weak());
    ui.horizontal(|ui| match (a.account.as_deref(), alert_customer(ctx, a)) {
        (None, _) => {
            ui.label(ctx.t(T::AlertNoAccount));
        }
        (Some(acc), None) => {
            ui.label(trf(ctx.lang, T::AlertUnknownAccount, &[acc]));
        }
        (Some(acc), Some(c)) => {
            let name = &ctx.grid.model.customers[c.index()].display_name;
            let name = if ctx.wall { mask_name(name) } else { name.clone() };
            ui.label(format!("{acc} {name}"));
            if !ctx.wall {
                open_button_ui(ui, c, ctx, out);
            }
        }
    });
    ui.end_row();
    let cats: Vec<String> =
        a.categories.iter().map(|c| category_text(lexicon, ctx.lang, c)).collect();
    let sep = if ctx.lang == Lang::Zh { "、" } else { ", " };
    row(ui, ctx.t(T::AlertCategories), cats.join(sep));
    let words = RichText::new(a.words.join(sep)).color(Color32::from_rgb(150, 0, 0)).strong();
    row(ui, ctx.t(T::AlertWords), words);
}

/// Who did what so far.
fn steps_ui(ui: &mut egui::Ui, a: &Alert, ctx: &Ctx) {
    let lang = ctx.lang;
    if let Some(st) = &a.acknowledged {
        ui.label(trf(lang, T::AlertAckedBy, &[&st.by, &format_time(st.at_s)]));
    }
    if let (Some(to), Some(st)) = (&a.assigned_to, &a.assigned) {
        ui.label(trf(lang, T::AlertAssignedTo, &[to, &st.by, &format_time(st.at_s)]));
    }
    if let (Some(st), Some(note)) = (&a.resolved, &a.resolution_note) {
        let text = trf(lang, T::AlertResolvedBy, &[&st.by, &format_time(st.at_s), note]);
        ui.label(RichText::new(text).color(Color32::from_rgb(20, 120, 40)));
    }
}

/// Acknowledge, assign, resolve, and what the last step did.
fn actions_ui(
    ui: &mut egui::Ui,
    a: &Alert,
    s: &mut AlertSession,
    author: &str,
    res: &AlertRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let id = a.id;
    if a.is_open() {
        let ack =
            ui.add_enabled(a.acknowledged.is_none(), egui::Button::new(ctx.t(T::AlertAcknowledge)));
        if ack.clicked() {
            send(out, AlertCommand::Acknowledge { id, author: author.to_string() });
        }
        grid_of(ui, "alert-steps", |ui| {
            let label = ui.label(RichText::new(ctx.t(T::AlertAssignTo)).weak());
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut s.assign_to)
                        .hint_text("王班长")
                        .desired_width(150.0),
                )
                .labelled_by(label.id);
                if ui.button(ctx.t(T::AlertAssign)).clicked() {
                    let to = s.assign_to.clone();
                    send(out, AlertCommand::Assign { id, to, author: author.to_string() });
                }
            });
            ui.end_row();
            let label = ui.label(RichText::new(ctx.t(T::AlertNote)).weak());
            ui.add(
                egui::TextEdit::multiline(&mut s.note)
                    .hint_text("已回访客户，说明抢修进度")
                    .desired_rows(2)
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
        if ui.button(RichText::new(ctx.t(T::AlertResolve)).strong()).clicked() {
            let note = s.note.clone();
            send(out, AlertCommand::Resolve { id, note, author: author.to_string() });
        }
    }
    if let Some((about, outcome)) = &s.outcome {
        if *about == id {
            match outcome {
                Ok(text) => ui.label(RichText::new(text).color(Color32::from_rgb(20, 120, 40))),
                Err(text) => ui.label(RichText::new(text).color(ERROR).strong()),
            };
        }
    }
    ui.separator();
    ui.horizontal(|ui| {
        let close = if a.is_open() { T::AlertLater } else { T::AlertClose };
        if ui.button(ctx.t(close)).clicked() {
            send(out, AlertCommand::Later(id));
        }
        let others: Vec<AlertId> =
            s.new_alerts(&res.open).map(|x| x.id).filter(|x| *x != id).collect();
        if let Some(next) = others.first() {
            ui.label(trf(ctx.lang, T::AlertMoreNew, &[&others.len().to_string()]));
            if ui.button(ctx.t(T::AlertNext)).clicked() {
                send(out, AlertCommand::Show(*next));
            }
        }
    });
}

/// The list of open alerts, most severe first; a click opens one in the pop-up.
fn list_ui(
    ectx: &egui::Context,
    s: &AlertSession,
    res: &AlertRes,
    ctx: &Ctx,
    out: &mut Vec<Command>,
) {
    let mut open = true;
    let title = trf(ctx.lang, T::AlertsCount, &[&res.open.len().to_string()]);
    egui::Window::new(ctx.t(T::AlertListTitle))
        .id(egui::Id::unique("sensitive-word-alert-list"))
        .open(&mut open)
        .collapsible(false)
        .default_pos(egui::pos2(880.0, 70.0))
        .default_width(560.0)
        .show(ectx, |ui| {
            ui.label(RichText::new(title).weak());
            if let Some(e) = &res.error {
                ui.colored_label(ERROR, e.as_str());
            }
            if res.open.is_empty() {
                ui.label(ctx.t(T::AlertNone));
                return;
            }
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                egui::Grid::new("alert-list")
                    .num_columns(6)
                    .striped(true)
                    .spacing([8.0, 4.0])
                    .show(ui, |ui| {
                        for key in [
                            T::AlertSeverity,
                            T::AlertRaisedColumn,
                            T::ChannelWord,
                            T::AlertCustomer,
                            T::AlertWords,
                            T::AlertStatusWord,
                        ] {
                            ui.label(RichText::new(ctx.t(key)).weak());
                        }
                        ui.end_row();
                        for a in &res.open {
                            list_row_ui(ui, a, s.popup == Some(a.id), ctx, out);
                            ui.end_row();
                        }
                    });
            });
        });
    if !open {
        send(out, AlertCommand::ShowList(false));
    }
}

fn list_row_ui(ui: &mut egui::Ui, a: &Alert, selected: bool, ctx: &Ctx, out: &mut Vec<Command>) {
    let sev = RichText::new(severity_word(ctx.lang, a.severity))
        .color(severity_colour(a.severity))
        .strong();
    ui.label(sev);
    if ui.selectable_label(selected, format!("#{} {}", a.id, format_time(a.raised.at_s))).clicked()
    {
        send(out, AlertCommand::Show(a.id));
    }
    ui.label(channel_text(ctx.lang, &a.channel));
    ui.label(a.account.as_deref().unwrap_or("—"));
    let sep = if ctx.lang == Lang::Zh { "、" } else { ", " };
    ui.label(RichText::new(a.words.join(sep)).color(Color32::from_rgb(150, 0, 0)));
    let status = match (&a.assigned_to, a.status) {
        (Some(to), AlertStatus::Assigned) => format!("{} → {to}", status_word(ctx.lang, a.status)),
        (_, st) => status_word(ctx.lang, st).to_string(),
    };
    ui.label(status);
}
