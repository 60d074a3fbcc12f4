//! How the planning commands are applied: the drawing (corners, devices picked on the map or
//! typed), scenarios opened and stored (created, renamed, area changed), the preset the rules
//! start from; the windows, the consultation, the answers, the comparison and the publication
//! are in `flow.rs`. Each is a call of the planning library whose refusal is said in the
//! operator's language.

use crate::grid::{Grid, GridError};
use crate::model::{DeviceRef, ElementRef};
use crate::planning::{PlanningError, ScenarioArea, ScenarioEvent};

use super::super::command::pick_device;
use super::super::i18n::{tr, trf, Lang, T};
use super::super::view::world_of;
use super::super::GridCareApp;
use super::{compute, Draft, DrawMode, PlanCommand, PlanTab, RuleForm, RulesForm};

/// A refusal of the planning library in the operator's language.
pub fn planning_error_text(lang: Lang, e: &PlanningError) -> String {
    match e {
        PlanningError::Device(g) => grid_error_text(lang, g),
        PlanningError::Window { name, .. } => trf(lang, T::PlanErrWindowOrder, &[name]),
        e => replica_refusal(lang, e.to_string()),
    }
}

/// A refusal's text, said as a workstation's when the store is a replica of a server's (its
/// writes go to the server, and the planning workspace does not send them): the operator's
/// language first, then the store's own message.
pub fn replica_refusal(lang: Lang, text: String) -> String {
    if text.contains("goes to the server") {
        trf(lang, T::ReplicaRefused, &[&text])
    } else {
        text
    }
}

/// A device that does not resolve, in the operator's language.
pub fn grid_error_text(lang: Lang, e: &GridError) -> String {
    match e {
        GridError::UnknownDevice { name, .. } => trf(lang, T::ErrUnknownDevice, &[name]),
        e => e.to_string(),
    }
}

impl GridCareApp {
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
            cmd => self.apply_flow(cmd, &grid, ctx),
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
}

/// A refusal of a scenario change: the store's fold speaks English; the common ones are
/// said in the operator's language.
pub(super) fn scenario_error_text(lang: Lang, e: &PlanningError) -> String {
    let text = e.to_string();
    if text.contains("name: empty") {
        tr(lang, T::PlanErrName).to_string()
    } else if text.contains("the scenario is published") {
        tr(lang, T::PlanErrPublished).to_string()
    } else {
        planning_error_text(lang, e)
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
