//! The planning workspace kept current, once a frame before the panels: the presets read
//! once, the scenario list re-read when the store changed, the outbox's messages about the
//! open scenario re-read when the store changed (on the consultation tab), the comparison and
//! the computed area collected from their workers — and a new computation started when the
//! drawn area changed — and, when what they come from changed, the map overlay, who loses
//! supply over the scenario's window, and the appointment customers of the rules.

use crate::planning::{apply_rules, impact_of_customers, PresetFile};
use std::sync::mpsc;

use super::super::i18n::{trf, T};
use super::super::layers::planning::PlanOverlay;
use super::super::view::world_of;
use super::super::GridCareApp;
use super::{compute, PlanTab, RuleForm, RulesForm};

use super::apply::{grid_error_text, planning_error_text};

/// The preset the rules start from when none is chosen.
pub const DEFAULT_PRESET: &str = "appointment";

impl GridCareApp {
    /// Keeps the workspace current; called once a frame before the panels.
    pub(in crate::app) fn refresh_planning(&mut self, ctx: &eframe::egui::Context) {
        self.collect_publication(ctx);
        let (Some(grid), true) = (self.res.grid.clone(), self.state.planning_panel) else {
            return;
        };
        let lang = self.state.lang;
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
        // the consultation in flight
        if let Some(rx) = &res.consulting {
            match rx.try_recv() {
                Ok((done, ms)) => {
                    res.consulting = None;
                    s.consult.took_ms = Some(ms);
                    match done {
                        Ok(report) => {
                            s.consult.error = None;
                            s.consult.report = Some(report);
                            if let (Some(book), Some(id)) = (&res.book, s.open) {
                                s.history = Some(book.history(id).map_err(|e| e.to_string()));
                            }
                        }
                        Err(e) => s.consult.error = Some(e),
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ctx.request_repaint_after(std::time::Duration::from_millis(30));
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    res.consulting = None;
                    s.consult.error = Some("the planning worker stopped".into());
                }
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
            tie_captions: view_current
                .map(|v| {
                    let caption = |t: &super::TieRow| {
                        trf(lang, T::PlanTieCaption, &[&t.tie, &t.saved.to_string()])
                    };
                    v.ties.iter().map(|t| (t.tie.clone(), caption(t))).collect()
                })
                .unwrap_or_default(),
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
}
