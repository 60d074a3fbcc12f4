//! How the planning workspace is kept and driven: once a frame the computed area is
//! collected from its worker (and a new computation started when the drawn area changed),
//! the scenario list re-read when the store changed, the map overlay and the appointment
//! customers rebuilt when what they come from changed; and the [`PlanCommand`]s applied,
//! each a call of the planning library.

use crate::grid::{Grid, GridError};
use crate::model::{DeviceRef, ElementRef};
use crate::planning::{
    apply_rules, choose_window, compare_scenarios, generate_windows, impact_of_customers,
    other_outages, rank_scenario, CandidateWindow, ConsultError, PlanningError, Preset, PresetFile,
    ScenarioArea, ScenarioEvent, ScenarioId, Weights, WindowQuestion,
};
use crate::store::parse_time;
use std::sync::mpsc;

use super::super::command::pick_device;
use super::super::i18n::{tr, trf, Lang, T};
use super::super::layers::planning::PlanOverlay;
use super::super::view::world_of;
use super::super::GridCareApp;
use super::{compute, Draft, DrawMode, PlanCommand, PlanTab, RuleForm, RulesForm};

/// A refusal of the planning library in the operator's language.
pub fn planning_error_text(lang: Lang, e: &PlanningError) -> String {
    match e {
        PlanningError::Device(g) => grid_error_text(lang, g),
        PlanningError::Window { name, .. } => trf(lang, T::PlanErrWindowOrder, &[name]),
        e => e.to_string(),
    }
}

/// A device that does not resolve, in the operator's language.
pub fn grid_error_text(lang: Lang, e: &GridError) -> String {
    match e {
        GridError::UnknownDevice { name, .. } => trf(lang, T::ErrUnknownDevice, &[name]),
        e => e.to_string(),
    }
}

/// The preset the rules start from when none is chosen.
pub const DEFAULT_PRESET: &str = "appointment";

impl GridCareApp {
    /// Keeps the workspace current; called once a frame before the panels.
    pub(in crate::app) fn refresh_planning(&mut self, ctx: &eframe::egui::Context) {
        let (Some(grid), true) = (self.res.grid.clone(), self.state.planning_panel) else {
            return;
        };
        let res = &mut self.res.plan;
        let s = &mut self.session.plan;
        if res.presets.is_none() {
            let presets = PresetFile::embedded().map_err(|e| e.to_string());
            if let Ok(p) = &presets {
                let first = p.preset(DEFAULT_PRESET).ok().or(p.presets.first());
                if let (Some(pr), true) = (first, s.rules.rules.is_empty()) {
                    s.rules = RulesForm {
                        preset: pr.name.clone(),
                        rules: pr.rules.iter().map(RuleForm::of).collect(),
                    };
                }
            }
            res.presets = Some(presets);
        }
        // the scenario list, when the store changed
        if let Some(book) = &res.book {
            let rev = book.store().revision();
            if res.listed_at != Some(rev) {
                res.listed_at = Some(rev);
                match book.list() {
                    Ok(list) => res.scenarios = list,
                    Err(e) => s.error = Some(e.to_string()),
                }
            }
        }
        // the outbox's messages about the open scenario (read when the store changed)
        if let (Some(outbox), Some(book)) = (&res.outbox, &res.book) {
            let key = (book.store().revision(), s.open.filter(|_| s.tab == PlanTab::Consult));
            if res.messages_key != Some(key) {
                res.messages_key = Some(key);
                let sc = res.scenarios.iter().find(|x| Some(x.id) == key.1);
                let mut subjects: Vec<String> = Vec::new();
                if let Some(sc) = sc {
                    subjects.push(format!("scenario:{}", sc.id));
                    subjects.extend(sc.outage.map(|o| format!("outage:{o}")));
                }
                res.messages = match outbox.all() {
                    Ok(all) => {
                        all.into_iter().filter(|m| subjects.contains(&m.message.subject)).collect()
                    }
                    Err(e) => {
                        s.consult.error = Some(e.to_string());
                        Vec::new()
                    }
                };
            }
        }
        // the comparison in flight
        if let Some(rx) = &res.comparing {
            match rx.try_recv() {
                Ok(rows) => {
                    res.comparison = Some(rows);
                    res.comparing = None;
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ctx.request_repaint_after(std::time::Duration::from_millis(30));
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    res.comparison = Some(Err("the planning worker stopped".into()));
                    res.comparing = None;
                }
            }
        }
        // the computed area: collect it, or start it when the drawn area changed
        if let Some((_, rx)) = &res.pending {
            match rx.try_recv() {
                Ok((area, answer)) => {
                    res.pending = None;
                    match answer {
                        Ok(view) => {
                            res.view = Some(view);
                            res.view_error = None;
                        }
                        Err(e) => {
                            res.view = None;
                            res.view_error = Some(grid_error_text(self.state.lang, &e));
                        }
                    }
                    let _ = area;
                }
                Err(mpsc::TryRecvError::Empty) => {
                    // looked at again soon; not an immediate repaint (a test's `run` settles)
                    ctx.request_repaint_after(std::time::Duration::from_millis(30));
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    res.pending = None;
                    res.view_error = Some("the planning worker stopped".into());
                }
            }
        }
        let wanted = s.draft.area();
        let pending = res.pending.as_ref().map(|(a, _)| a);
        let shown = res.view.as_ref().map(|v| &v.area);
        match &wanted {
            None => {
                res.pending = None;
                res.view = None;
                res.view_error = None;
            }
            Some(a) if pending != Some(a) && (pending.is_some() || shown != Some(a)) => {
                res.view_error = None;
                res.pending =
                    Some((a.clone(), compute::spawn(grid.clone(), a.clone(), ctx.clone())));
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
            }
            Some(_) => {}
        }
        // what the map draws
        let view_current = res.view.as_ref().filter(|v| Some(&v.area) == wanted.as_ref());
        let overlay = PlanOverlay {
            ring: if s.draft.by_polygon {
                s.draft.ring.iter().map(|p| world_of(*p)).collect()
            } else {
                Vec::new()
            },
            closed: s.draft.closed,
            picked: if s.draft.by_polygon || view_current.is_some() {
                Vec::new()
            } else {
                compute::picked_marks(&grid, &s.draft.devices)
            },
            marks: view_current.map(|v| v.marks.clone()),
        };
        if res.overlay != overlay {
            res.overlay = overlay;
        }
        // who loses supply, by label, over the open scenario's window
        let window = res.scenario(s.open).and_then(|sc| sc.window);
        let impact_key = view_current.map(|v| (v.area.clone(), window));
        if res.impact_key != impact_key {
            res.impact = view_current.map(|v| {
                let (a, b) = window.unwrap_or((0, 0));
                impact_of_customers(&grid, v.affected.clone(), a, b)
            });
            res.impact_key = impact_key;
        }
        // the appointment customers of the computed area
        let key = match (view_current, s.rules.rules()) {
            (Some(v), Ok(rules)) => Some((v.area.clone(), rules)),
            _ => None,
        };
        if res.filtered.key != key {
            res.filtered.picked = match (&key, view_current, s.rules.rules()) {
                (Some((_, rules)), Some(v), _) => Some(
                    apply_rules(&grid, &v.affected, rules)
                        .map_err(|e| planning_error_text(self.state.lang, &e)),
                ),
                (None, Some(_), Err((i, text))) => {
                    Some(Err(trf(self.state.lang, T::PlanErrKw, &[&i.to_string(), &text])))
                }
                _ => None,
            };
            res.filtered.key = key;
        }
    }

    /// Applies a planning command.
    pub(in crate::app) fn apply_plan(&mut self, cmd: PlanCommand, ctx: &eframe::egui::Context) {
        let lang = self.state.lang;
        let Some(grid) = self.res.grid.clone() else { return };
        let s = &mut self.session.plan;
        match cmd {
            PlanCommand::New => {
                *s = super::PlanSession {
                    rules: std::mem::take(&mut s.rules),
                    windows: std::mem::take(&mut s.windows),
                    tab: PlanTab::Scenario,
                    mode: DrawMode::Polygon,
                    draft: Draft { by_polygon: true, ..Draft::default() },
                    ..super::PlanSession::default()
                };
                self.session.pin_mode = false;
            }
            PlanCommand::Open(id) => {
                let Some(book) = &self.res.plan.book else { return };
                match book.get(id) {
                    Ok(Some(sc)) => {
                        s.draft = Draft::of(&sc.area);
                        s.name = sc.name.clone();
                        s.open = Some(id);
                        s.mode = DrawMode::Off;
                        s.error = None;
                        s.done = None;
                        s.ranking = None;
                        s.consult = super::ConsultForm::default();
                        s.publish = super::PublishForm::default();
                        s.windows.list = sc.candidates.clone();
                        s.windows.crews_needed = sc.crews_needed.to_string();
                        s.windows.error = None;
                        s.history = Some(book.history(id).map_err(|e| e.to_string()));
                        let pts: Vec<[f64; 2]> = match &sc.area {
                            ScenarioArea::Polygon { ring } => {
                                ring.iter().map(|p| world_of(*p)).collect()
                            }
                            ScenarioArea::Devices { devices } => {
                                compute::picked_marks(&grid, devices)
                                    .into_iter()
                                    .map(|m| m.world)
                                    .collect()
                            }
                        };
                        if let Some((at, zoom)) = self.view_fitting(pts.into_iter()) {
                            self.fly_to(at, zoom.min(16.0), ctx);
                        }
                    }
                    Ok(None) => s.error = Some(format!("scenario {id}: not found")),
                    Err(e) => s.error = Some(planning_error_text(lang, &e)),
                }
            }
            PlanCommand::SetMode(mode) => {
                match mode {
                    DrawMode::Polygon if !s.draft.by_polygon || s.draft.closed => {
                        s.draft = Draft { by_polygon: true, ..Draft::default() };
                    }
                    DrawMode::Devices if s.draft.by_polygon => {
                        s.draft = Draft { by_polygon: false, ..Draft::default() };
                    }
                    _ => {}
                }
                s.mode = mode;
                if mode != DrawMode::Off {
                    self.session.pin_mode = false;
                }
            }
            PlanCommand::MapClick { at, metres_per_point, zoom } => match s.mode {
                DrawMode::Polygon => {
                    if s.draft.closed || !s.draft.by_polygon {
                        s.draft = Draft { by_polygon: true, ..Draft::default() };
                    }
                    s.draft.ring.push(at);
                }
                DrawMode::Devices => {
                    let picked = pick_device(&grid, at, metres_per_point, zoom);
                    match picked {
                        Some(d @ DeviceRef::Element(_)) => {
                            let name = grid.model.device_name(d).to_string();
                            toggle_device(&mut s.draft, name);
                            s.error = None;
                        }
                        _ => s.error = Some(tr(lang, T::PlanPickNothing).to_string()),
                    }
                }
                DrawMode::Off => {}
            },
            PlanCommand::AddDevice(text) => {
                let text = text.trim();
                match grid.resolve(text) {
                    Ok(
                        d @ DeviceRef::Element(
                            ElementRef::Switch(_)
                            | ElementRef::Line(_)
                            | ElementRef::Transformer(_)
                            | ElementRef::LvLine(_),
                        ),
                    ) => {
                        let name = grid.model.device_name(d).to_string();
                        if s.draft.by_polygon {
                            s.draft = Draft { by_polygon: false, ..Draft::default() };
                        }
                        if !s.draft.devices.contains(&name) {
                            s.draft.devices.push(name);
                        }
                        s.device_text.clear();
                        s.error = None;
                    }
                    Ok(_) => s.error = Some(trf(lang, T::PlanNotADevice, &[text])),
                    Err(e) => s.error = Some(grid_error_text(lang, &e)),
                }
            }
            PlanCommand::RemoveDevice(i) => {
                if i < s.draft.devices.len() {
                    s.draft.devices.remove(i);
                }
            }
            PlanCommand::UndoCorner => {
                s.draft.closed = false;
                s.draft.ring.pop();
                s.mode = DrawMode::Polygon;
            }
            PlanCommand::ClearArea => {
                let by_polygon = s.draft.by_polygon;
                s.draft = Draft { by_polygon, ..Draft::default() };
            }
            PlanCommand::FinishPolygon => {
                if s.draft.ring.len() >= 3 {
                    s.draft.closed = true;
                    s.mode = DrawMode::Off;
                    s.error = None;
                } else {
                    let n = s.draft.ring.len().to_string();
                    s.error = Some(trf(lang, T::PlanNeedCorners, &[&n]));
                }
            }
            PlanCommand::Save { name, reason, author } => {
                self.save_scenario(&grid, name, reason, author)
            }
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
            PlanCommand::UsePreset(name) => {
                if let Some(Ok(p)) = &self.res.plan.presets {
                    if let Ok(pr) = p.preset(&name) {
                        s.rules = RulesForm {
                            preset: pr.name.clone(),
                            rules: pr.rules.iter().map(RuleForm::of).collect(),
                        };
                    }
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
            PlanCommand::RemoveWindow(i) => {
                if i < s.windows.list.len() {
                    s.windows.list.remove(i);
                    s.ranking = None;
                }
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
                match book.consult(&grid, id, &preset, outbox, &author) {
                    Ok(report) => {
                        s.consult.error = None;
                        s.consult.report = Some(report);
                        s.history = Some(book.history(id).map_err(|e| e.to_string()));
                    }
                    Err(e) => s.consult.error = Some(consult_error_text(lang, &e)),
                }
            }
            PlanCommand::RecordAnswer { account, preferred, objections, reason, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else { return };
                let done = book.record_answer(
                    &grid, id, &account, preferred, objections, &reason, "operator", &author,
                );
                answered(s, book, id, &account, done, lang);
            }
            PlanCommand::RecordReply { account, text, author } => {
                let (Some(book), Some(id)) = (&self.res.plan.book, s.open) else { return };
                let done = book.record_reply(&grid, id, &account, &text, "operator", &author);
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
                let (Some(book), Some(outbox), Some(outages), Some(id)) =
                    (&plan.book, &plan.outbox, self.res.outages.as_mut(), s.open)
                else {
                    s.publish.error = Some(tr(lang, T::StoreUnavailable).to_string());
                    return;
                };
                match book.publish(&grid, id, outages, outbox, &author, &reason) {
                    Ok(p) => {
                        let outage = p.outage;
                        s.publish = super::PublishForm {
                            outcome: Some(p),
                            ..super::PublishForm::default()
                        };
                        s.history = Some(book.history(id).map_err(|e| e.to_string()));
                        self.refresh_outages();
                        self.apply_outage(super::super::Command::SelectOutage(outage), ctx);
                    }
                    Err(e) => s.publish.error = Some(consult_error_text(lang, &e)),
                }
            }
        }
        ctx.request_repaint();
    }

    fn save_scenario(&mut self, grid: &Grid, name: String, reason: String, author: String) {
        let lang = self.state.lang;
        let s = &mut self.session.plan;
        let Some(book) = &self.res.plan.book else {
            s.error = Some(tr(lang, T::StoreUnavailable).to_string());
            return;
        };
        let Some(area) = s.draft.area() else {
            s.error = Some(tr(lang, T::PlanNeedArea).to_string());
            return;
        };
        let done = match s.open.and_then(|id| self.res.plan.scenario(Some(id)).cloned()) {
            None => book.create(grid, &name, area, &author, &reason),
            Some(sc) => {
                let mut r = Ok(sc.clone());
                if sc.area != area {
                    r = book.set_area(grid, sc.id, area, &author, &reason);
                }
                if r.is_ok() && sc.name != name.trim() {
                    r = book.change(
                        sc.id,
                        &author,
                        &reason,
                        ScenarioEvent::Renamed { name: name.clone() },
                    );
                }
                r
            }
        };
        match done {
            Ok(sc) => {
                s.error = None;
                s.done = Some(trf(lang, T::PlanSaved, &[&sc.id.to_string(), &sc.name]));
                s.open = Some(sc.id);
                s.name = sc.name.clone();
                s.mode = DrawMode::Off;
                s.history = Some(book.history(sc.id).map_err(|e| e.to_string()));
            }
            Err(e) => s.error = Some(scenario_error_text(lang, &e)),
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

/// A refusal of a scenario change: the store's fold speaks English; the common ones are
/// said in the operator's language.
fn scenario_error_text(lang: Lang, e: &PlanningError) -> String {
    let text = e.to_string();
    if text.contains("name: empty") {
        tr(lang, T::PlanErrName).to_string()
    } else if text.contains("the scenario is published") {
        tr(lang, T::PlanErrPublished).to_string()
    } else {
        planning_error_text(lang, e)
    }
}

/// A refusal of the consultation, an answer or the publication, in the operator's language.
fn consult_error_text(lang: Lang, e: &ConsultError) -> String {
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
        e => e.to_string(),
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

/// Picks or drops a device of the draft.
fn toggle_device(draft: &mut Draft, name: String) {
    if draft.by_polygon {
        *draft = Draft { by_polygon: false, ..Draft::default() };
    }
    match draft.devices.iter().position(|d| *d == name) {
        Some(i) => {
            draft.devices.remove(i);
        }
        None => draft.devices.push(name),
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
