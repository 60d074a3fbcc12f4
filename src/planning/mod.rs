//! Appointment-outage planning (预约停电, 先算后停): compute before cutting.
//!
//! * [`isolate_polygon`]: the fewest-customers set of switches that isolates a drawn area,
//!   on the radial tree (exact, see [`isolate`]); [`back_feed`]: what each normally-open tie
//!   can give back; [`scenario_impact`]: who loses supply, by label, customer-hours;
//! * [`rules`]: the rules that pick the appointment customers (重要, 停电敏感, 生命支持,
//!   commercial above a load, WeChat-bound), presets in `resources/planning/presets.json`;
//! * [`window`]: the best window among candidates, from the customers' answers, other planned
//!   outages on the same feeders and crew availability, with the ranking explained;
//! * [`scenario`]: scenarios in the store, every edit an event ([`ScenarioBook`]);
//! * [`consult`]: consultation letters through the channel outbox, customers' answers,
//!   scenarios compared, and publication as a planned outage with its notices.

pub mod consult;
pub mod isolate;
pub mod rules;
pub mod scenario;
pub mod window;

pub use consult::{
    compare_scenarios, letter, parse_reply, rank_scenario, ConsultError, ConsultReport,
    Publication, ScenarioComparison,
};
pub use isolate::{
    back_feed, impact_of_customers, is_operable, isolate_polygon, parse_polygon, scenario_impact,
    BackFeed, Isolation, PlanningError, ScenarioArea, ScenarioImpact,
};
pub use rules::{apply_rules, FilterRule, Preset, PresetFile, Weights, DEFAULT_PRESETS_JSON};
pub use scenario::{AnswerRecord, Consultation, Scenario, ScenarioBook, ScenarioEvent, ScenarioId};
pub use window::{
    choose_window, generate_windows, other_outages, Answer, CandidateWindow, OtherOutage, Ranking,
    WindowQuestion, WindowRow,
};

#[cfg(test)]
mod tests;
