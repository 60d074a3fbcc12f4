//! The planning commands after the drawing: candidate windows added, generated, offered on the
//! scenario and ranked (with its answers), the chosen window set; the consultation letters
//! queued, the answers recorded (typed, or a reply as written), the scenarios compared on a
//! worker thread, and the publication — a planned outage in the outage book, its notices
//! queued. Each is a call of the planning library whose refusal is said in the operator's
//! language.

use crate::grid::Grid;
use crate::planning::{
    choose_window, compare_scenarios, generate_windows, impact_of_customers, other_outages,
    rank_scenario, CandidateWindow, ConsultError, Preset, ScenarioBook, ScenarioEvent, ScenarioId,
    Weights, WindowQuestion,
};
use crate::store::parse_time;
use std::sync::mpsc;
use std::time::Instant;

use super::super::i18n::{tr, trf, Lang, T};
use super::super::GridCareApp;
use super::PlanCommand;

use super::apply::{planning_error_text, scenario_error_text};

impl GridCareApp {
    /// Applies a window, consultation, comparison or publication command.
    pub(super) fn apply_flow(
        &mut self,
        cmd: PlanCommand,
        grid: &std::sync::Arc<Grid>,
        ctx: &eframe::egui::Context,
    ) {
        let lang = self.state.lang;
        let grid = grid.clone();
        let s = &mut self.session.plan;
        match cmd {
            PlanCommand::SetWindow { start_s, end_s, reason, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else { return };
                let event = ScenarioEvent::WindowSet { start_s, end_s };
                match book.change(id, &author, &reason, event) {
                    Ok(sc) => {
                        s.error = None;
                        s.done = Some(trf(
                            lang,
                            T::PlanWindowSet,
                            &[&crate::outage::history::window_text(start_s, end_s), &sc.name],
                        ));
                        s.history = Some(book.history(id).map_err(|e| e.to_string()));
                    }
                    Err(e) => s.error = Some(planning_error_text(lang, &e)),
                }
            }
            PlanCommand::AddWindow { name, start, end, crews } => {
                let w = &mut s.windows;
                match candidate(lang, &name, &start, &end, &crews) {
                    Ok(c) if w.list.iter().any(|x| x.name == c.name) => {
                        w.error = Some(trf(lang, T::PlanErrWindowTwice, &[&c.name]));
                    }
                    Ok(c) => {
                        w.list.push(c);
                        w.error = None;
                        w.name.clear();
                        s.ranking = None;
                    }
                    Err(e) => w.error = Some(e),
                }
            }
            PlanCommand::GenerateWindows { from, days, hour, hours, crews } => {
                let w = &mut s.windows;
                let num = |t: &str, max: u32| t.trim().parse::<u32>().ok().filter(|n| *n <= max);
                let from_s = match parse_time(&format!("{} 00:00", from.trim())) {
                    Ok(t) => t,
                    Err(_) => {
                        w.error = Some(trf(lang, T::PlanErrDay, &[from.trim()]));
                        return;
                    }
                };
                match (num(&days, 60), num(&hour, 23), num(&hours, 24), num(&crews, 99)) {
                    (Some(days), Some(hour), Some(hours), Some(crews)) if days > 0 && hours > 0 => {
                        for c in generate_windows(from_s, days, hour, hours, crews) {
                            if !w.list.iter().any(|x| x.name == c.name) {
                                w.list.push(c);
                            }
                        }
                        w.error = None;
                        s.ranking = None;
                    }
                    _ => w.error = Some(tr(lang, T::PlanErrGenerate).to_string()),
                }
            }
            PlanCommand::RemoveWindow(i) if i < s.windows.list.len() => {
                s.windows.list.remove(i);
                s.ranking = None;
            }
            PlanCommand::Rank { crews_needed } => self.rank(&grid, &crews_needed),
            PlanCommand::SetCandidates { crews_needed, reason, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else {
                    s.windows.error = Some(tr(lang, T::PlanNeedStored).to_string());
                    return;
                };
                let Ok(needed) = crews_needed.trim().parse::<u32>() else {
                    s.windows.error = Some(trf(lang, T::PlanErrCrews, &[crews_needed.trim()]));
                    return;
                };
                if s.windows.list.is_empty() {
                    s.windows.error = Some(tr(lang, T::PlanNeedWindows).to_string());
                    return;
                }
                match book.set_candidates(id, s.windows.list.clone(), needed, &author, &reason) {
                    Ok(sc) => {
                        s.windows.error = None;
                        s.ranking = None;
                        let n = sc.candidates.len().to_string();
                        s.done = Some(trf(lang, T::PlanCandidatesSet, &[&n, &sc.name]));
                        s.history = Some(book.history(id).map_err(|e| e.to_string()));
                    }
                    Err(e) => s.windows.error = Some(scenario_error_text(lang, &e)),
                }
            }
            PlanCommand::Consult { author } => {
                let plan = &self.res.plan;
                let (Some(book), Some(outbox), Some(id)) = (&plan.book, &plan.outbox, s.open)
                else {
                    s.consult.error = Some(tr(lang, T::PlanNeedStored).to_string());
                    return;
                };
                let rules = match s.rules.rules() {
                    Ok(r) => r,
                    Err((i, text)) => {
                        s.consult.error = Some(trf(lang, T::PlanErrKw, &[&i.to_string(), &text]));
                        return;
                    }
                };
                let preset =
                    Preset { name: s.rules.preset.clone(), description: String::new(), rules };
                // a letter per customer, flushed together: off the UI thread, on handles of
                // the same store
                let (book, outbox) = (ScenarioBook::open(book.store().clone()), outbox.clone());
                let (tx, rx) = mpsc::channel();
                let repaint = ctx.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let done = book
                        .consult(&grid, id, &preset, &outbox, &author)
                        .map_err(|e| consult_error_text(lang, &e));
                    let _ = tx.send((done, started.elapsed().as_secs_f64() * 1e3));
                    repaint.request_repaint();
                });
                s.consult.error = None;
                self.res.plan.consulting = Some(rx);
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
            }
            PlanCommand::RecordAnswer { account, preferred, objections, reason, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else { return };
                let started = Instant::now();
                let done = book.record_answer(
                    &grid, id, &account, preferred, objections, &reason, "operator", &author,
                );
                s.consult.took_ms = Some(started.elapsed().as_secs_f64() * 1e3);
                answered(s, book, id, &account, done, lang);
            }
            PlanCommand::RecordReply { account, text, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else { return };
                let started = Instant::now();
                let done = book.record_reply(&grid, id, &account, &text, "operator", &author);
                s.consult.took_ms = Some(started.elapsed().as_secs_f64() * 1e3);
                answered(s, book, id, &account, done, lang);
            }
            PlanCommand::Compare(ids) => {
                let Some(book) = &self.res.plan.book else { return };
                let mut scenarios = Vec::new();
                for id in ids {
                    match book.get(id) {
                        Ok(Some(sc)) => scenarios.push(sc),
                        Ok(None) => {}
                        Err(e) => {
                            self.res.plan.comparison = Some(Err(e.to_string()));
                            return;
                        }
                    }
                }
                let others =
                    self.res.outages.as_ref().map(|b| other_outages(b, &grid)).unwrap_or_default();
                let weights = self.weights();
                let (tx, rx) = mpsc::channel();
                let repaint = ctx.clone();
                std::thread::spawn(move || {
                    let rows = compare_scenarios(&grid, &scenarios, &others, &weights)
                        .map_err(|e| planning_error_text(lang, &e));
                    let _ = tx.send(rows);
                    repaint.request_repaint();
                });
                self.res.plan.comparing = Some(rx);
                self.res.plan.comparison = None;
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
            }
            PlanCommand::Publish { reason, author } => {
                let plan = &self.res.plan;
                let (Some(book), Some(outbox), Some(id), false) =
                    (&plan.book, &plan.outbox, s.open, plan.publishing())
                else {
                    return;
                };
                // the outage book goes with the worker and comes back with the answer
                // (`collect_publication`): nothing else writes it meanwhile
                let Some(mut outages) = self.res.outages.take() else {
                    s.publish.error = Some(tr(lang, T::StoreUnavailable).to_string());
                    return;
                };
                let (book, outbox) = (ScenarioBook::open(book.store().clone()), outbox.clone());
                let (tx, rx) = mpsc::channel();
                let repaint = ctx.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let done = book
                        .publish(&grid, id, &mut outages, &outbox, &author, &reason)
                        .map_err(|e| consult_error_text(lang, &e));
                    let _ = tx.send((outages, done, started.elapsed().as_secs_f64() * 1e3));
                    repaint.request_repaint();
                });
                s.publish.error = None;
                self.res.plan.publishing = Some(rx);
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
            }
            _ => {}
        }
    }

    /// Takes a publication's answer from its worker, with the outage book it wrote: the
    /// outage selected and drawn, the form told what was made. Runs every frame, the panel
    /// open or not (the book must come back).
    pub(in crate::app) fn collect_publication(&mut self, ctx: &eframe::egui::Context) {
        let Some(rx) = &self.res.plan.publishing else { return };
        let (book, done, ms) = match rx.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
                return;
            }
            Err(mpsc::TryRecvError::Disconnected) => {
                self.res.plan.publishing = None;
                let lang = self.state.lang;
                let msg = format!("{}: the planning worker stopped", tr(lang, T::StoreUnavailable));
                self.session.notices.push(msg);
                return;
            }
        };
        self.res.plan.publishing = None;
        self.res.outages = Some(book);
        let s = &mut self.session.plan;
        match done {
            Ok(p) => {
                let outage = p.outage;
                s.publish = super::PublishForm {
                    outcome: Some(p),
                    took_ms: Some(ms),
                    ..super::PublishForm::default()
                };
                if let (Some(book), Some(id)) = (&self.res.plan.book, s.open) {
                    s.history = Some(book.history(id).map_err(|e| e.to_string()));
                }
                self.refresh_outages();
                self.apply_outage(super::super::Command::SelectOutage(outage), ctx);
            }
            Err(e) => {
                s.publish.error = Some(e);
                s.publish.took_ms = Some(ms);
            }
        }
    }

    /// The window chooser's weights (the presets file's).
    fn weights(&self) -> Weights {
        match &self.res.plan.presets {
            Some(Ok(p)) => p.weights.clone(),
            _ => Weights::default(),
        }
    }

    fn rank(&mut self, grid: &Grid, crews_needed: &str) {
        let lang = self.state.lang;
        let weights = self.weights();
        let s = &mut self.session.plan;
        let w = &mut s.windows;
        // a stored scenario with candidates: its own, with its answers
        if let Some(sc) = self.res.plan.scenario(s.open).filter(|sc| !sc.candidates.is_empty()) {
            let others =
                self.res.outages.as_ref().map(|b| other_outages(b, grid)).unwrap_or_default();
            match rank_scenario(grid, sc, &others, &weights) {
                Ok(r) => {
                    w.error = None;
                    s.ranking = Some(r);
                }
                Err(e) => {
                    w.error = Some(planning_error_text(lang, &e));
                    s.ranking = None;
                }
            }
            return;
        }
        let Some(view) = &self.res.plan.view else {
            w.error = Some(tr(lang, T::PlanNeedArea).to_string());
            return;
        };
        let Ok(needed) = crews_needed.trim().parse::<u32>() else {
            w.error = Some(trf(lang, T::PlanErrCrews, &[crews_needed.trim()]));
            return;
        };
        if w.list.is_empty() {
            w.error = Some(tr(lang, T::PlanNeedWindows).to_string());
            return;
        }
        let im = impact_of_customers(grid, view.affected.clone(), 0, 0);
        let others = self.res.outages.as_ref().map(|b| other_outages(b, grid)).unwrap_or_default();
        let q = WindowQuestion {
            affected: &im.customers,
            feeders: &im.feeders,
            windows: &w.list,
            answers: &[],
            others: &others,
            crews_needed: needed,
            weights: &weights,
        };
        match choose_window(grid, &q) {
            Ok(r) => {
                w.error = None;
                s.ranking = Some(r);
            }
            Err(e) => {
                w.error = Some(planning_error_text(lang, &e));
                s.ranking = None;
            }
        }
    }
}

/// A refusal of the consultation, an answer or the publication, in the operator's language.
pub(super) fn consult_error_text(lang: Lang, e: &ConsultError) -> String {
    match e {
        ConsultError::Planning(p) => scenario_error_text(lang, p),
        ConsultError::Refused { message, .. } if message == "reason: empty" => {
            tr(lang, T::ReasonRequired).to_string()
        }
        ConsultError::Refused { message, .. } if message.starts_with("choose a window") => {
            tr(lang, T::PlanPublishNeedsWindow).to_string()
        }
        ConsultError::Refused { message, .. } if message.starts_with("set the candidate") => {
            tr(lang, T::PlanNeedCandidates).to_string()
        }
        ConsultError::Refused { message, .. }
            if message.starts_with("no customer with account") =>
        {
            trf(lang, T::ErrUnknownCaller, &[message.rsplit('`').nth(1).unwrap_or("")])
        }
        ConsultError::Refused { message, .. }
            if message.contains("is not cut by this scenario") =>
        {
            trf(lang, T::PlanErrNotCut, &[message.split_whitespace().nth(1).unwrap_or("")])
        }
        e => super::apply::replica_refusal(lang, e.to_string()),
    }
}

/// After an answer: what it did, or why it was refused.
fn answered(
    s: &mut super::PlanSession,
    book: &crate::planning::ScenarioBook,
    id: ScenarioId,
    account: &str,
    done: Result<crate::planning::Scenario, ConsultError>,
    lang: Lang,
) {
    let f = &mut s.consult;
    match done {
        Ok(_) => {
            f.error = None;
            f.done = Some(trf(lang, T::PlanAnswerRecorded, &[account.trim()]));
            f.account.clear();
            f.preferred.clear();
            f.objections.clear();
            f.reason.clear();
            f.reply.clear();
            s.history = Some(book.history(id).map_err(|e| e.to_string()));
        }
        Err(e) => {
            f.done = None;
            f.error = Some(consult_error_text(lang, &e));
        }
    }
}

/// A candidate window as typed; the error says what is wrong in the operator's language.
pub fn candidate(
    lang: Lang,
    name: &str,
    start: &str,
    end: &str,
    crews: &str,
) -> Result<CandidateWindow, String> {
    let (start_s, end_s) = match (parse_time(start), parse_time(end)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            return Err(format!("{}: {} ({})", tr(lang, T::BadTime), e.input, e.problem))
        }
    };
    let name = match name.trim() {
        "" => crate::store::format_time(start_s),
        n => n.to_string(),
    };
    if end_s <= start_s {
        return Err(trf(lang, T::PlanErrWindowOrder, &[&name]));
    }
    let crews =
        crews.trim().parse::<u32>().map_err(|_| trf(lang, T::PlanErrCrews, &[crews.trim()]))?;
    Ok(CandidateWindow { name, start_s, end_s, crews_available: crews })
}
