//! Scenarios in the store (停电方案): what the planner drew (devices or a polygon), the
//! window, the name, published or not. Every edit is an event with its time, author and
//! reason, so a scenario can be reopened, edited and its history read.
//!
//! The fold ([`Scenario::apply`]) is the one rule: a scenario starts with `created`, needs a
//! name and an area, a window that ends after it starts, and is not edited once published.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::isolate::{
    impact_of_customers, isolate_polygon, PlanningError, ScenarioArea, ScenarioImpact,
};
use super::window::CandidateWindow;
use crate::grid::Grid;
use crate::store::{Aggregate, Recorded, Store};

/// A scenario's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct ScenarioId(pub u64);

impl std::fmt::Display for ScenarioId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A change to a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ScenarioEvent {
    /// Drawn for the first time.
    Created {
        /// Its name.
        name: String,
        /// What is opened or isolated.
        area: ScenarioArea,
    },
    /// Other devices or another polygon.
    AreaChanged {
        /// The new area.
        area: ScenarioArea,
    },
    /// The window chosen.
    WindowSet {
        /// Start, unix seconds.
        start_s: i64,
        /// End, unix seconds.
        end_s: i64,
    },
    /// A new name.
    Renamed {
        /// The name.
        name: String,
    },
    /// The candidate windows offered to the customers, and the crews the work needs.
    CandidatesSet {
        /// The windows, in the order the letter lists them (A, B, C…).
        windows: Vec<CandidateWindow>,
        /// Crews the work needs.
        crews_needed: u32,
    },
    /// Consultation letters (意见书) queued in the channel outbox.
    Consulted {
        /// The rule preset that picked the appointment customers.
        preset: String,
        /// Accounts a letter was queued for (WeChat-bound).
        sent: Vec<String>,
        /// Accounts picked but not reachable by WeChat (to be phoned).
        unreachable: Vec<String>,
    },
    /// A customer's answer (征询意见), replacing any earlier one of theirs.
    Answered {
        /// The answer.
        answer: AnswerRecord,
    },
    /// Handed on to become a planned outage; no more edits.
    Published {
        /// The planned outage in the outage book (absent in scenarios published before
        /// publication created one).
        #[serde(default)]
        outage: Option<u64>,
    },
}

/// A customer's recorded answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The customer's account number.
    pub account: String,
    /// Windows they prefer, by name.
    #[serde(default)]
    pub preferred: Vec<String>,
    /// Windows they object to, by name.
    #[serde(default)]
    pub objections: Vec<String>,
    /// What they said.
    #[serde(default)]
    pub reason: String,
    /// How it came: `wechat`, `operator`, `app`…
    pub via: String,
}

/// The consultation of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consultation {
    /// The preset that picked the customers.
    pub preset: String,
    /// Accounts a letter was queued for.
    pub sent: Vec<String>,
    /// Accounts picked but not reachable by WeChat.
    pub unreachable: Vec<String>,
    /// When.
    pub time_s: i64,
}

impl ScenarioEvent {
    /// The change's word.
    pub fn as_str(&self) -> &'static str {
        match self {
            ScenarioEvent::Created { .. } => "created",
            ScenarioEvent::AreaChanged { .. } => "area_changed",
            ScenarioEvent::WindowSet { .. } => "window_set",
            ScenarioEvent::Renamed { .. } => "renamed",
            ScenarioEvent::CandidatesSet { .. } => "candidates_set",
            ScenarioEvent::Consulted { .. } => "consulted",
            ScenarioEvent::Answered { .. } => "answered",
            ScenarioEvent::Published { .. } => "published",
        }
    }
}

/// A scenario's current state: the fold of its events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Its number.
    pub id: ScenarioId,
    /// Its name.
    pub name: String,
    /// What is opened or isolated.
    pub area: ScenarioArea,
    /// The window, when chosen: (start, end) unix seconds.
    pub window: Option<(i64, i64)>,
    /// Published: no more edits.
    pub published: bool,
    /// The planned outage it became.
    #[serde(default)]
    pub outage: Option<u64>,
    /// The candidate windows (letters A, B, C… in this order).
    #[serde(default)]
    pub candidates: Vec<CandidateWindow>,
    /// Crews the work needs.
    #[serde(default = "one")]
    pub crews_needed: u32,
    /// The latest consultation.
    #[serde(default)]
    pub consultation: Option<Consultation>,
    /// The answers, one per account (the latest), in the order they first came.
    #[serde(default)]
    pub answers: Vec<AnswerRecord>,
    /// When it was drawn.
    pub created_s: i64,
    /// Who drew it.
    pub created_by: String,
    /// When it was last changed.
    pub updated_s: i64,
    /// Number of events.
    pub changes: u64,
}

impl Scenario {
    /// A scenario not yet in any store (number 0), as [`ScenarioBook::create`] would start
    /// it: for previews and examples.
    pub fn draft(name: &str, area: ScenarioArea) -> Scenario {
        Scenario {
            id: ScenarioId(0),
            name: name.trim().to_string(),
            area,
            window: None,
            published: false,
            outage: None,
            candidates: Vec::new(),
            crews_needed: 1,
            consultation: None,
            answers: Vec::new(),
            created_s: 0,
            created_by: String::new(),
            updated_s: 0,
            changes: 0,
        }
    }

    /// Who loses supply (the devices opened, or the isolation of the polygon), counted by
    /// label, with customer-hours over the window when one is set.
    pub fn impact(&self, grid: &Grid) -> Result<ScenarioImpact, PlanningError> {
        let customers = match &self.area {
            ScenarioArea::Devices { devices } => {
                let d = devices.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
                crate::outage::affected_by_opening(grid, &d)
            }
            ScenarioArea::Polygon { ring } => isolate_polygon(grid, ring).affected,
        };
        let (start_s, end_s) = self.window.unwrap_or((0, 0));
        Ok(impact_of_customers(grid, customers, start_s, end_s))
    }
}

fn one() -> u32 {
    1
}

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err("name: empty".into())
    } else {
        Ok(())
    }
}

fn check_area(area: &ScenarioArea) -> Result<(), String> {
    match area {
        ScenarioArea::Devices { devices } if devices.is_empty() => {
            Err("area: name at least one device".into())
        }
        ScenarioArea::Devices { devices } => match devices.iter().find(|d| d.trim().is_empty()) {
            Some(_) => Err("area: an empty device name".into()),
            None => Ok(()),
        },
        ScenarioArea::Polygon { ring } if ring.len() < 3 => {
            Err(format!("area: a polygon needs 3 corners, {} given", ring.len()))
        }
        ScenarioArea::Polygon { ring } => match ring.iter().position(|p| !p.is_valid()) {
            Some(i) => Err(format!("area: corner {} is not a lon/lat position", i + 1)),
            None => Ok(()),
        },
    }
}

fn check_candidates(windows: &[CandidateWindow]) -> Result<(), String> {
    for (i, w) in windows.iter().enumerate() {
        if w.name.trim().is_empty() {
            return Err(format!("candidate {}: name: empty", i + 1));
        }
        if w.end_s <= w.start_s {
            return Err(format!(
                "candidate `{}`: the end ({}) is not after the start ({})",
                w.name, w.end_s, w.start_s
            ));
        }
        if windows[..i].iter().any(|o| o.name == w.name) {
            return Err(format!("candidate `{}`: named twice", w.name));
        }
    }
    Ok(())
}

impl Aggregate for Scenario {
    const KIND: &'static str = "scenario";
    type Event = ScenarioEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<ScenarioEvent>) -> Result<Self, String> {
        let mut s = match (state, &e.event) {
            (None, ScenarioEvent::Created { name, area }) => {
                check_name(name)?;
                check_area(area)?;
                return Ok(Scenario {
                    id: ScenarioId(id),
                    name: name.trim().to_string(),
                    area: area.clone(),
                    window: None,
                    published: false,
                    outage: None,
                    candidates: Vec::new(),
                    crews_needed: 1,
                    consultation: None,
                    answers: Vec::new(),
                    created_s: e.time_s,
                    created_by: e.author.clone(),
                    updated_s: e.time_s,
                    changes: 1,
                });
            }
            (None, other) => {
                return Err(format!("{} before the scenario was created", other.as_str()))
            }
            (Some(_), ScenarioEvent::Created { .. }) => {
                return Err("the scenario exists already".into())
            }
            (Some(s), _) if s.published => {
                return Err("the scenario is published; draw a new one to change it".into())
            }
            (Some(s), _) => s,
        };
        match &e.event {
            ScenarioEvent::Created { .. } => {}
            ScenarioEvent::AreaChanged { area } => {
                check_area(area)?;
                s.area = area.clone();
            }
            ScenarioEvent::WindowSet { start_s, end_s } => {
                if end_s <= start_s {
                    return Err(format!(
                        "window: the end ({end_s}) is not after the start ({start_s})"
                    ));
                }
                s.window = Some((*start_s, *end_s));
            }
            ScenarioEvent::Renamed { name } => {
                check_name(name)?;
                s.name = name.trim().to_string();
            }
            ScenarioEvent::CandidatesSet { windows, crews_needed } => {
                check_candidates(windows)?;
                s.candidates = windows.clone();
                s.crews_needed = *crews_needed;
            }
            ScenarioEvent::Consulted { preset, sent, unreachable } => {
                if s.candidates.is_empty() {
                    return Err("set the candidate windows before consulting".into());
                }
                s.consultation = Some(Consultation {
                    preset: preset.clone(),
                    sent: sent.clone(),
                    unreachable: unreachable.clone(),
                    time_s: e.time_s,
                });
            }
            ScenarioEvent::Answered { answer } => {
                if answer.account.trim().is_empty() {
                    return Err("answer: account: empty".into());
                }
                for w in answer.preferred.iter().chain(&answer.objections) {
                    if !s.candidates.iter().any(|c| &c.name == w) {
                        return Err(format!(
                            "answer of {}: no candidate window named `{w}`",
                            answer.account
                        ));
                    }
                }
                if let Some(w) = answer.preferred.iter().find(|w| answer.objections.contains(w)) {
                    return Err(format!(
                        "answer of {}: window `{w}` both preferred and objected to",
                        answer.account
                    ));
                }
                match s.answers.iter_mut().find(|a| a.account == answer.account) {
                    Some(a) => *a = answer.clone(),
                    None => s.answers.push(answer.clone()),
                }
            }
            ScenarioEvent::Published { outage } => {
                if s.window.is_none() {
                    return Err("choose a window before publishing".into());
                }
                s.published = true;
                s.outage = *outage;
            }
        }
        s.updated_s = e.time_s;
        s.changes += 1;
        Ok(s)
    }
}

/// The scenarios of a store.
pub struct ScenarioBook {
    store: Arc<Store>,
}

impl ScenarioBook {
    /// The scenarios of `store`.
    pub fn open(store: Arc<Store>) -> ScenarioBook {
        ScenarioBook { store }
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Device names resolved in the grid and written as the model's ids, so that a scenario
    /// never holds a name the grid does not know.
    fn canonical(grid: &Grid, area: ScenarioArea) -> Result<ScenarioArea, PlanningError> {
        Ok(match area {
            ScenarioArea::Devices { devices } => {
                let mut names = Vec::new();
                for d in &devices {
                    let n = grid.model.device_name(grid.resolve(d)?).to_string();
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
                ScenarioArea::Devices { devices: names }
            }
            polygon => polygon,
        })
    }

    /// Draws a new scenario.
    pub fn create(
        &self,
        grid: &Grid,
        name: &str,
        area: ScenarioArea,
        author: &str,
        reason: &str,
    ) -> Result<Scenario, PlanningError> {
        let area = Self::canonical(grid, area)?;
        let event = ScenarioEvent::Created { name: name.to_string(), area };
        Ok(self.store.create::<Scenario>(author, reason, event)?.state)
    }

    /// Changes the devices or the polygon.
    pub fn set_area(
        &self,
        grid: &Grid,
        id: ScenarioId,
        area: ScenarioArea,
        author: &str,
        reason: &str,
    ) -> Result<Scenario, PlanningError> {
        let area = Self::canonical(grid, area)?;
        self.change(id, author, reason, ScenarioEvent::AreaChanged { area })
    }

    /// Records a change (window, name, publication).
    pub fn change(
        &self,
        id: ScenarioId,
        author: &str,
        reason: &str,
        event: ScenarioEvent,
    ) -> Result<Scenario, PlanningError> {
        Ok(self.store.append::<Scenario>(id.0, author, reason, event)?.state)
    }

    /// One scenario, if it exists.
    pub fn get(&self, id: ScenarioId) -> Result<Option<Scenario>, PlanningError> {
        Ok(self.store.get::<Scenario>(id.0)?.map(|e| e.state))
    }

    /// Every scenario, by number.
    pub fn list(&self) -> Result<Vec<Scenario>, PlanningError> {
        Ok(self.store.all::<Scenario>()?.into_iter().map(|e| e.state).collect())
    }

    /// A scenario's events in order: what changed, when, who and why.
    pub fn history(&self, id: ScenarioId) -> Result<Vec<Recorded<ScenarioEvent>>, PlanningError> {
        Ok(self.store.events::<Scenario>(id.0)?)
    }
}
