//! The planning workspace (停电计划, 预约停电, 先算后停): a side panel over the map where a
//! planner draws an outage scenario and GridCare computes it before anything is switched.
//!
//! * **Scenarios** (方案): the stored scenarios of the store ([`ScenarioBook`]), opened or
//!   drawn anew, renamed, with their history (time, author, reason of every change).
//! * **Drawing**: a polygon — corners clicked on the map, then *finish* — which GridCare
//!   isolates with the fewest-customers set of switches, or devices clicked on the map (or
//!   typed) to open together. The computation runs on a worker thread (`compute.rs`); the
//!   map draws the result through the planning layer (`layers/planning.rs`).
//! * **Customers** (预约客户): a rule preset of `resources/planning/presets.json`, its rules
//!   edited in the panel, and the affected customers they select.
//! * **Windows** (停电窗口): candidates typed or generated over a horizon, offered on the
//!   scenario, ranked by the library's window chooser (with the answers) and the reason for
//!   its choice; the chosen one set on the scenario.
//! * **Consultation** (征询意见): letters (意见书) to the WeChat-bound appointment customers
//!   queued in the channel outbox (each message's channel and delivery state), the answers
//!   typed by an operator (or a reply as written), who answered and who has not.
//! * **Compare** (方案比较): two or more scenarios side by side; **Publish** (发布): the
//!   scenario becomes a planned outage in the outage book and notices are queued.
//!
//! The panels read [`PlanRes`] and the session's [`PlanSession`] and send [`PlanCommand`]s
//! (inside [`Command::Plan`](super::Command::Plan)); `apply.rs` applies them, each a call of
//! the planning library whose refusal is shown in the operator's language.

mod apply;
mod compare_ui;
mod compute;
mod consult_ui;
mod customers_ui;
mod flow;
mod panel;
mod publish_ui;
mod refresh;
mod windows_ui;

use std::sync::mpsc;

use crate::channels::outbox::{Outbox, OutboxMessage};
use crate::model::{CustomerId, LonLat};
use crate::outage::OutageBook;
use crate::planning::{
    CandidateWindow, ConsultReport, FilterRule, PresetFile, Publication, Ranking, Scenario,
    ScenarioArea, ScenarioBook, ScenarioComparison, ScenarioEvent, ScenarioId, ScenarioImpact,
};
use crate::store::Recorded;

pub use compute::{compute, PlanView, TieRow};
pub use panel::planning_ui;

use super::layers::planning::PlanOverlay;

/// Which part of the workspace is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanTab {
    /// The scenario: list, name, area, impact, back-feed, history.
    #[default]
    Scenario,
    /// The appointment customers: preset, rules, the list.
    Customers,
    /// The candidate windows and their ranking.
    Windows,
    /// The consultation: letters, the outbox, the answers.
    Consult,
    /// Scenarios side by side.
    Compare,
}

/// What a click on the map does while the workspace is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DrawMode {
    /// Nothing special: clicks select as usual.
    #[default]
    Off,
    /// A click adds a corner to the polygon.
    Polygon,
    /// A click picks (or drops) the device under it.
    Devices,
}

/// The area being drawn or edited (by default a polygon).
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// A polygon (else devices).
    pub by_polygon: bool,
    /// The polygon's corners, in the order clicked.
    pub ring: Vec<LonLat>,
    /// The polygon is finished.
    pub closed: bool,
    /// The devices to open, by external id.
    pub devices: Vec<String>,
}

impl Default for Draft {
    fn default() -> Self {
        Draft { by_polygon: true, ring: Vec::new(), closed: false, devices: Vec::new() }
    }
}

impl Draft {
    /// The area to compute: a finished polygon, or at least one device.
    pub fn area(&self) -> Option<ScenarioArea> {
        if self.by_polygon {
            (self.closed && self.ring.len() >= 3)
                .then(|| ScenarioArea::Polygon { ring: self.ring.clone() })
        } else {
            (!self.devices.is_empty())
                .then(|| ScenarioArea::Devices { devices: self.devices.clone() })
        }
    }

    /// The draft of a stored area.
    pub fn of(area: &ScenarioArea) -> Draft {
        match area {
            ScenarioArea::Polygon { ring } => {
                Draft { by_polygon: true, ring: ring.clone(), closed: true, devices: Vec::new() }
            }
            ScenarioArea::Devices { devices } => Draft {
                by_polygon: false,
                ring: Vec::new(),
                closed: false,
                devices: devices.clone(),
            },
        }
    }
}

/// A rule being edited, with its minimum demand as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleForm {
    /// The rule (its `min_kw` follows `kw_text` when that parses).
    pub rule: FilterRule,
    /// The minimum demand as typed (empty: no condition).
    pub kw_text: String,
}

impl RuleForm {
    /// The form of a rule.
    pub fn of(rule: &FilterRule) -> RuleForm {
        RuleForm {
            rule: rule.clone(),
            kw_text: rule.min_kw.map(|k| k.to_string()).unwrap_or_default(),
        }
    }
}

/// The appointment-customer rules being edited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesForm {
    /// The preset they started from.
    pub preset: String,
    /// Its rules, as edited.
    pub rules: Vec<RuleForm>,
}

impl RulesForm {
    /// The rules as the library takes them; the error names the rule whose demand is not a
    /// number.
    pub fn rules(&self) -> Result<Vec<FilterRule>, (usize, String)> {
        self.rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut rule = r.rule.clone();
                let t = r.kw_text.trim();
                rule.min_kw = if t.is_empty() {
                    None
                } else {
                    Some(t.parse::<f32>().map_err(|_| (i + 1, t.to_string()))?)
                };
                Ok(rule)
            })
            .collect()
    }
}

/// The candidate-window forms.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowsForm {
    /// The candidates.
    pub list: Vec<CandidateWindow>,
    /// A window to add: its name…
    pub name: String,
    /// …start…
    pub start: String,
    /// …end…
    pub end: String,
    /// …and crews free.
    pub crews: String,
    /// Windows generated from this day…
    pub from: String,
    /// …for this many days…
    pub days: String,
    /// …at this hour…
    pub hour: String,
    /// …lasting this many hours.
    pub hours: String,
    /// Crews the work needs.
    pub crews_needed: String,
    /// Why the last change was refused.
    pub error: Option<String>,
}

impl Default for WindowsForm {
    fn default() -> Self {
        WindowsForm {
            list: Vec::new(),
            name: String::new(),
            start: String::new(),
            end: String::new(),
            crews: "1".into(),
            from: String::new(),
            days: "5".into(),
            hour: "8".into(),
            hours: "4".into(),
            crews_needed: "1".into(),
            error: None,
        }
    }
}

/// The planner's session in the workspace (not saved).
#[derive(Debug, Default)]
pub struct PlanSession {
    /// The part shown.
    pub tab: PlanTab,
    /// What a map click does.
    pub mode: DrawMode,
    /// The area drawn or edited.
    pub draft: Draft,
    /// The scenario open (`None`: a new one, not stored yet).
    pub open: Option<ScenarioId>,
    /// Its name as typed.
    pub name: String,
    /// The reason recorded with the next change.
    pub reason: String,
    /// A device id typed to add.
    pub device_text: String,
    /// The open scenario's history, oldest first (or why it could not be read).
    pub history: Option<Result<Vec<Recorded<ScenarioEvent>>, String>>,
    /// What the last change did.
    pub done: Option<String>,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// The appointment-customer rules.
    pub rules: RulesForm,
    /// The candidate windows.
    pub windows: WindowsForm,
    /// The last ranking of the candidates.
    pub ranking: Option<Ranking>,
    /// The consultation and answer forms.
    pub consult: ConsultForm,
    /// The scenarios ticked for comparison.
    pub compare: std::collections::BTreeSet<ScenarioId>,
    /// The publication form.
    pub publish: PublishForm,
}

/// The consultation and answer forms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsultForm {
    /// What the last consultation reached.
    pub report: Option<ConsultReport>,
    /// The account whose answer is typed.
    pub account: String,
    /// The windows it prefers, by name.
    pub preferred: std::collections::BTreeSet<String>,
    /// The windows it objects to, by name.
    pub objections: std::collections::BTreeSet<String>,
    /// What the customer said.
    pub reason: String,
    /// The customer's reply as written (`同意A，反对B，理由：…`), instead of the boxes.
    pub reply: String,
    /// What the last change did.
    pub done: Option<String>,
    /// Why the last change was refused.
    pub error: Option<String>,
    /// How long the last consultation or answer took on the UI thread, ms.
    pub took_ms: Option<f64>,
}

/// The publication form: the confirmation and what publishing did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PublishForm {
    /// The confirmation is shown.
    pub confirming: bool,
    /// Why it is published (recorded on the scenario and the outage).
    pub reason: String,
    /// What the last publication did.
    pub outcome: Option<Publication>,
    /// How long it took on the UI thread, ms.
    pub took_ms: Option<f64>,
    /// Why it was refused.
    pub error: Option<String>,
}

/// The filtered appointment customers, with what they were filtered from.
#[derive(Debug, Default)]
pub struct Filtered {
    /// The area and rules they came from.
    key: Option<(ScenarioArea, Vec<FilterRule>)>,
    /// The customers the rules select (or why the rules were refused).
    pub picked: Option<Result<Vec<CustomerId>, String>>,
}

/// The workspace's resources: the scenario book, the presets, the computed area.
#[derive(Default)]
pub struct PlanRes {
    /// The scenarios of the store (`None`: the store could not be opened).
    pub book: Option<ScenarioBook>,
    /// The channel outbox on the same store.
    pub outbox: Option<Outbox>,
    /// The outbox's messages about the open scenario and the outage it became.
    pub messages: Vec<OutboxMessage>,
    messages_key: Option<(u64, Option<ScenarioId>)>,
    /// The last comparison (or why it failed), and the one in flight.
    pub comparison: Option<Result<Vec<ScenarioComparison>, String>>,
    comparing: Option<mpsc::Receiver<Result<Vec<ScenarioComparison>, String>>>,
    /// The consultation in flight: its answer (or the refusal's text) and how long it took.
    consulting: Option<mpsc::Receiver<(Result<ConsultReport, String>, f64)>>,
    /// The publication in flight: the outage book it took, its answer, how long it took.
    publishing: Option<mpsc::Receiver<Published>>,
    /// Every scenario, by number, as of `listed_at`.
    pub scenarios: Vec<Scenario>,
    listed_at: Option<u64>,
    /// The embedded presets (or why they could not be read).
    pub presets: Option<Result<PresetFile, String>>,
    /// The last computed area.
    pub view: Option<PlanView>,
    /// Why the last computation failed.
    pub view_error: Option<String>,
    pending: Option<(ScenarioArea, mpsc::Receiver<compute::Computed>)>,
    /// What the map draws.
    pub overlay: PlanOverlay,
    /// The appointment customers of the area.
    pub filtered: Filtered,
    /// Who loses supply by label, demand and customer-hours over the open scenario's window.
    pub impact: Option<ScenarioImpact>,
    impact_key: Option<(ScenarioArea, Option<(i64, i64)>)>,
}

impl PlanRes {
    /// True while an area or a comparison is computed, or letters queued.
    pub fn computing(&self) -> bool {
        self.pending.is_some()
            || self.comparing.is_some()
            || self.consulting.is_some()
            || self.publishing.is_some()
    }

    /// True while a scenario is being published (the outage book is with the worker).
    pub fn publishing(&self) -> bool {
        self.publishing.is_some()
    }

    /// Lets go of the store at exit: waits for a publication in flight and returns the
    /// outage book it took, and drops the scenario book and the outbox (so that the outage
    /// book is the store's last holder and closes it).
    pub fn release(&mut self) -> Option<OutageBook> {
        let book = self.publishing.take().and_then(|rx| rx.recv().ok()).map(|(b, _, _)| b);
        self.book = None;
        self.outbox = None;
        book
    }

    /// True while consultation letters are being queued.
    pub fn consulting(&self) -> bool {
        self.consulting.is_some()
    }

    /// True while a comparison is being computed.
    pub fn comparing(&self) -> bool {
        self.comparing.is_some()
    }

    /// The scenario open, as stored.
    pub fn scenario(&self, id: Option<ScenarioId>) -> Option<&Scenario> {
        id.and_then(|id| self.scenarios.iter().find(|s| s.id == id))
    }
}

/// What a publication's worker sends back: the outage book it wrote, the publication (or the
/// refusal's text) and how long it took, ms.
type Published = (OutageBook, Result<Publication, String>, f64);

/// What the planning workspace's controls send (inside [`Command::Plan`](super::Command::Plan)).
#[derive(Clone, Debug, PartialEq)]
pub enum PlanCommand {
    /// Start a new scenario (drawing a polygon).
    New,
    /// Open a stored scenario: its area, name and history.
    Open(ScenarioId),
    /// What a map click does.
    SetMode(DrawMode),
    /// A click on the map (routed here while drawing).
    MapClick {
        /// Where.
        at: LonLat,
        /// Map scale.
        metres_per_point: f64,
        /// Map zoom.
        zoom: f64,
    },
    /// Add a device by its id (`sect.sw01-2`).
    AddDevice(String),
    /// Drop the device at this place of the list.
    RemoveDevice(usize),
    /// Drop the last corner.
    UndoCorner,
    /// Start the area again.
    ClearArea,
    /// Close the polygon: GridCare isolates it.
    FinishPolygon,
    /// Store the scenario: a new one, or the open one's name and area.
    Save {
        /// Its name.
        name: String,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Set the open scenario's window.
    SetWindow {
        /// Start, unix s.
        start_s: i64,
        /// End, unix s.
        end_s: i64,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Start the rules from a preset.
    UsePreset(String),
    /// Add a candidate window as typed.
    AddWindow {
        /// Its name.
        name: String,
        /// Start as typed.
        start: String,
        /// End as typed.
        end: String,
        /// Crews free, as typed.
        crews: String,
    },
    /// Generate one window a day.
    GenerateWindows {
        /// The first day, as typed.
        from: String,
        /// How many days.
        days: String,
        /// Start hour.
        hour: String,
        /// Length, hours.
        hours: String,
        /// Crews free each day.
        crews: String,
    },
    /// Drop the candidate at this place of the list.
    RemoveWindow(usize),
    /// Rank the candidates: the open scenario's stored ones with its answers, else those of
    /// the form.
    Rank {
        /// Crews the work needs, as typed.
        crews_needed: String,
    },
    /// Offer the form's candidates on the open scenario (the letters list them A, B, C…).
    SetCandidates {
        /// Crews the work needs, as typed.
        crews_needed: String,
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
    /// Queue a consultation letter to each WeChat-bound appointment customer the rules pick.
    Consult {
        /// Who.
        author: String,
    },
    /// Record a customer's answer as typed by the operator.
    RecordAnswer {
        /// The customer's account number.
        account: String,
        /// Windows preferred, by name.
        preferred: Vec<String>,
        /// Windows objected to, by name.
        objections: Vec<String>,
        /// What they said.
        reason: String,
        /// Who typed it.
        author: String,
    },
    /// Record a customer's reply as written (`同意A，反对B，理由：…`).
    RecordReply {
        /// The customer's account number.
        account: String,
        /// The reply.
        text: String,
        /// Who typed it.
        author: String,
    },
    /// Compare these scenarios side by side.
    Compare(Vec<ScenarioId>),
    /// Publish the open scenario: a planned outage, and its notices queued.
    Publish {
        /// Why.
        reason: String,
        /// Who.
        author: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polygon_is_an_area_once_finished_with_three_corners() {
        let mut d = Draft::default();
        assert!(d.by_polygon && d.area().is_none());
        d.ring = vec![LonLat::new(113.0, 23.0), LonLat::new(113.1, 23.0)];
        d.closed = true;
        assert!(d.area().is_none(), "two corners are not an area");
        d.ring.push(LonLat::new(113.1, 23.1));
        assert!(matches!(d.area(), Some(ScenarioArea::Polygon { ring }) if ring.len() == 3));
        d.closed = false;
        assert!(d.area().is_none(), "not finished");
        let devices = Draft { by_polygon: false, devices: vec!["sect.sw01-2".into()], ..d };
        assert_eq!(
            devices.area(),
            Some(ScenarioArea::Devices { devices: vec!["sect.sw01-2".into()] })
        );
        assert_eq!(
            Draft::of(&devices.area().expect("an area")),
            Draft { ring: Vec::new(), ..devices }
        );
    }

    #[test]
    fn a_minimum_demand_that_is_not_a_number_names_its_rule() {
        let mut form = RulesForm {
            preset: "appointment".into(),
            rules: vec![
                RuleForm::of(&FilterRule {
                    labels_any: vec!["important".into()],
                    ..FilterRule::default()
                }),
                RuleForm { kw_text: "50".into(), ..RuleForm::default() },
            ],
        };
        assert_eq!(form.rules().expect("rules")[1].min_kw, Some(50.0));
        form.rules[1].kw_text = "fifty".into();
        assert_eq!(form.rules(), Err((2, "fifty".to_string())));
        form.rules[1].kw_text = " ".into();
        assert_eq!(form.rules().expect("rules")[1].min_kw, None);
    }
}
