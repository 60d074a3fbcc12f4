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
    /// Handed on to become a planned outage; no more edits.
    Published,
}

impl ScenarioEvent {
    /// The change's word.
    pub fn as_str(&self) -> &'static str {
        match self {
            ScenarioEvent::Created { .. } => "created",
            ScenarioEvent::AreaChanged { .. } => "area_changed",
            ScenarioEvent::WindowSet { .. } => "window_set",
            ScenarioEvent::Renamed { .. } => "renamed",
            ScenarioEvent::Published => "published",
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
            ScenarioEvent::Published => {
                if s.window.is_none() {
                    return Err("choose a window before publishing".into());
                }
                s.published = true;
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
