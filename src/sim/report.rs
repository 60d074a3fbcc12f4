//! Scoring the trouble-call predictors on simulated storms.

use std::fmt::Write as _;

use serde::Serialize;

use super::storm::{draw_storms, Storm, StormParams};
use crate::grid::Grid;
use crate::outage::{
    predict_outages, predict_with_meters, rollup_outages, Prediction, ProtectionIndex,
    ProtectionKind,
};

/// When a fault's prediction is checked: after its first call, its third, or its last.
pub const CHECKPOINTS: [&str; 3] = ["1", "3", "all"];

/// The score of one predictor at one checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckpointScore {
    /// `1`, `3` or `all` calls of the fault.
    pub after_calls: String,
    /// True faults whose device was predicted exactly.
    pub exact: usize,
    /// True faults checked.
    pub faults: usize,
    /// `exact / faults`.
    pub accuracy: f64,
    /// Predicted outages beyond the first that overlap one true fault's customers: a second
    /// crew sent to one fault (goal 0).
    pub duplicate_dispatches: usize,
    /// Predicted outages that overlap no true fault (crews sent to stray calls).
    pub false_outages: usize,
}

/// One predictor's scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictorScore {
    /// Which predictor.
    pub predictor: String,
    /// After 1, 3 and all calls of each fault.
    pub checkpoints: Vec<CheckpointScore>,
    /// Exact predictions after all calls by the role of the true device:
    /// `(role, exact, faults)`.
    pub by_kind: Vec<(String, usize, usize)>,
}

/// What `gridcare sim storm` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StormReport {
    /// The model.
    pub model: String,
    /// The parameters.
    pub params: StormParams,
    /// Storms drawn.
    pub storms: usize,
    /// Storms with more than one fault.
    pub multi_fault_storms: usize,
    /// True faults.
    pub faults: usize,
    /// Calls, stray calls included.
    pub calls: usize,
    /// Stray calls.
    pub stray_calls: usize,
    /// Last gasps of smart meters (0 without [`StormParams::last_gasp_share`]).
    pub last_gasps: usize,
    /// True faults by role of the device: `(role, faults)`.
    pub faults_by_kind: Vec<(String, usize)>,
    /// The likelihood predictor, then the textbook rule.
    pub predictors: Vec<PredictorScore>,
}

/// Draws storms on the grid and scores [`predict_outages`] and the textbook
/// [`rollup_outages`] on the same calls.
///
/// A fault is checked after its first call, its third (its last when it has fewer) and its
/// last: at that moment each predictor sees every call of the storm so far, stray calls and
/// the other fault's calls included. A fault counts as exact when a predicted outage is at its
/// very device; a predicted outage overlaps a fault when one of the two devices is above the
/// other.
///
/// # Examples
/// ```
/// use gridcare::sim::{run_storms, sample_grid, SampleFeeders, StormParams};
/// let grid = sample_grid(&SampleFeeders::default());
/// let report = run_storms(&grid, &StormParams { storms: 50, ..StormParams::default() });
/// assert_eq!(report.predictors.len(), 2);
/// let likelihood = &report.predictors[0].checkpoints[2];
/// assert_eq!(likelihood.after_calls, "all");
/// assert!(likelihood.accuracy > 0.5, "{}", report.table());
/// ```
pub fn run_storms(grid: &Grid, params: &StormParams) -> StormReport {
    let index = ProtectionIndex::build(grid);
    let storms = draw_storms(&index, params);
    let meters = params.last_gasp_share > 0.0;
    let mut names = vec!["likelihood (predict_outages)", "textbook (lowest common device)"];
    if meters {
        names.push("likelihood + last gasps (predict_with_meters)");
    }
    let mut scores: Vec<[CheckpointScore; 3]> = vec![Default::default(); names.len()];
    // exact after all calls by role of the true device, per predictor; and faults by role
    let mut exact_by_kind = vec![[0usize; 5]; names.len()];
    let mut faults_by_kind = [0usize; 5];
    for storm in &storms {
        for (f, fault) in storm.faults.iter().enumerate() {
            let times: Vec<u64> = storm
                .calls
                .iter()
                .zip(&storm.cause)
                .filter(|(_, c)| **c == Some(f))
                .map(|(call, _)| call.at_s)
                .collect();
            faults_by_kind[fault.kind.index()] += 1;
            for (k, want) in [1usize, 3, usize::MAX].into_iter().enumerate() {
                let t = times[want.min(times.len()) - 1];
                let seen = storm.calls.partition_point(|c| c.at_s <= t);
                let calls = &storm.calls[..seen];
                let mut predictions = vec![
                    predict_outages(&index, calls, &[], &params.predict),
                    rollup_outages(&index, calls),
                ];
                if meters {
                    let gasps = &storm.gasps[..storm.gasps.partition_point(|g| g.at_s <= t)];
                    predictions.push(predict_with_meters(
                        &index,
                        calls,
                        gasps,
                        &[],
                        &params.predict,
                    ));
                }
                for (p, prediction) in predictions.iter().enumerate() {
                    let exact = prediction.outages.iter().any(|o| o.device == fault.device);
                    if k == 2 && exact {
                        exact_by_kind[p][fault.kind.index()] += 1;
                    }
                    tally(&mut scores[p][k], &index, storm, f, prediction, exact);
                }
            }
        }
    }
    let predictors = names
        .iter()
        .zip(scores)
        .enumerate()
        .map(|(p, (name, mut cps))| {
            for (cp, label) in cps.iter_mut().zip(CHECKPOINTS) {
                cp.after_calls = label.to_string();
                cp.accuracy = cp.exact as f64 / cp.faults.max(1) as f64;
            }
            PredictorScore {
                predictor: name.to_string(),
                checkpoints: cps.to_vec(),
                by_kind: ProtectionKind::ALL
                    .iter()
                    .filter(|k| faults_by_kind[k.index()] > 0)
                    .map(|k| {
                        let i = k.index();
                        (k.as_str().to_string(), exact_by_kind[p][i], faults_by_kind[i])
                    })
                    .collect(),
            }
        })
        .collect();
    StormReport {
        model: grid.model.name.clone(),
        params: params.clone(),
        storms: storms.len(),
        multi_fault_storms: storms.iter().filter(|s| s.faults.len() > 1).count(),
        faults: storms.iter().map(|s| s.faults.len()).sum(),
        calls: storms.iter().map(|s| s.calls.len()).sum(),
        stray_calls: storms.iter().map(|s| s.cause.iter().filter(|c| c.is_none()).count()).sum(),
        last_gasps: storms.iter().map(|s| s.gasps.len()).sum(),
        faults_by_kind: ProtectionKind::ALL
            .iter()
            .filter(|k| faults_by_kind[k.index()] > 0)
            .map(|k| (k.as_str().to_string(), faults_by_kind[k.index()]))
            .collect(),
        predictors,
    }
}

/// Adds one fault's check to a score.
fn tally(
    score: &mut CheckpointScore,
    index: &ProtectionIndex,
    storm: &Storm,
    fault: usize,
    prediction: &Prediction,
    exact: bool,
) {
    score.faults += 1;
    score.exact += usize::from(exact);
    let zone = storm.faults[fault].zone;
    let overlapping = prediction.outages.iter().filter(|o| index.nested(o.zone, zone)).count();
    score.duplicate_dispatches += overlapping.saturating_sub(1);
    // false outages are counted once per storm check, at the first fault's checks
    if fault == 0 {
        score.false_outages += prediction
            .outages
            .iter()
            .filter(|o| !storm.faults.iter().any(|f| index.nested(o.zone, f.zone)))
            .count();
    }
}

impl StormReport {
    /// The report as a text table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let kinds: Vec<String> =
            self.faults_by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            s,
            "model {}: {} storms (seed {}), {} with more than one fault; \
             {} faults ({}); {} calls, {} stray{}",
            self.model,
            self.storms,
            self.params.seed,
            self.multi_fault_storms,
            self.faults,
            kinds.join(", "),
            self.calls,
            self.stray_calls,
            if self.last_gasps > 0 {
                format!(
                    "; {} last gasps ({:.0} % of the meters cut)",
                    self.last_gasps,
                    100.0 * self.params.last_gasp_share
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            s,
            "{:<46} {:>14} {:>14} {:>14} {:>11} {:>8}",
            "predictor", "exact after 1", "after 3", "after all", "duplicates", "false"
        );
        for p in &self.predictors {
            let cell = |c: &CheckpointScore| {
                format!("{:5.1} % {:>5}", 100.0 * c.accuracy, format!("{}/{}", c.exact, c.faults))
            };
            let cps = &p.checkpoints;
            let _ = writeln!(
                s,
                "{:<46} {:>14} {:>14} {:>14} {:>11} {:>8}",
                p.predictor,
                cell(&cps[0]),
                cell(&cps[1]),
                cell(&cps[2]),
                cps.iter()
                    .map(|c| c.duplicate_dispatches.to_string())
                    .collect::<Vec<_>>()
                    .join("/"),
                cps.iter().map(|c| c.false_outages.to_string()).collect::<Vec<_>>().join("/"),
            );
        }
        for p in &self.predictors {
            let parts: Vec<String> = p
                .by_kind
                .iter()
                .map(|(k, e, n)| {
                    format!("{k} {:.0} % of {n}", 100.0 * *e as f64 / (*n).max(1) as f64)
                })
                .collect();
            let _ = writeln!(s, "after all calls, {}: {}", p.predictor, parts.join(", "));
        }
        let _ = writeln!(
            s,
            "duplicates and false outages after 1/3/all calls; \
             a fault with fewer than 3 calls is checked after its last for \"3\""
        );
        s
    }
}
