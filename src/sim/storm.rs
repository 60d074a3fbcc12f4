//! Storms of trouble calls with known causes, to measure trouble-call grouping.
//!
//! Each storm has one fault, or in a share of storms two to `max_faults` overlapping faults
//! on devices whose outages do not overlap. A fault is one protective device opening
//! (a [`ProtectionZone`] with at least two customers, not shadowed by an identical device
//! below it), drawn with a per-device weight by role. A random 5–30 % of the customers it cuts
//! call (at least one), at uniform times over the 30 minutes after it; the second fault starts
//! within 20 minutes of the first. Up to two stray calls come from customers who are not cut,
//! half of them from the first fault's feeder, at any time of the storm.

use serde::Serialize;

use crate::outage::{
    MeterEvent, MeterEventKind, PredictParams, ProtectionIndex, ProtectionKind, ProtectiveDevice,
    TroubleCall,
};
use crate::rng::Rng;

/// How storms are drawn and predicted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StormParams {
    /// Number of storms (default 500).
    pub storms: usize,
    /// Seed: the same seed gives the same storms.
    pub seed: u64,
    /// Faults in a storm with more than one (default 2).
    pub max_faults: usize,
    /// Share of storms with more than one fault (default 0.25).
    pub multi_fault_share: f64,
    /// Range of the share of cut customers who call (default 5–30 %).
    pub call_share: (f64, f64),
    /// Calls of a fault come within this long after it (default 1800 s).
    pub call_period_s: u64,
    /// Later faults of a storm start within this long after the first (default 1200 s).
    pub fault_spread_s: u64,
    /// Stray calls per storm: uniform from 0 to this (default 2).
    pub stray_calls_max: usize,
    /// Share of stray calls from the first fault's feeder (default 0.5).
    pub stray_same_feeder: f64,
    /// Fault weight of one device of each role, indexed by [`ProtectionKind::index`]
    /// (default breaker 0.1, recloser 0.5, sectionaliser 0.5, lateral fuse 1, transformer
    /// fuse 1).
    pub fault_weight: [f64; 5],
    /// Share of the meters cut by a fault that send a last gasp, within 30 s of it (default 0:
    /// no smart meters; the issue's "most meters" is 0.8). Drawn from a generator of its own,
    /// so the faults and calls of a seed do not change with it.
    pub last_gasp_share: f64,
    /// The likelihood predictor's parameters.
    pub predict: PredictParams,
}

impl Default for StormParams {
    fn default() -> Self {
        StormParams {
            storms: 500,
            seed: 1,
            max_faults: 2,
            multi_fault_share: 0.25,
            call_share: (0.05, 0.30),
            call_period_s: 1800,
            fault_spread_s: 1200,
            stray_calls_max: 2,
            stray_same_feeder: 0.5,
            fault_weight: [0.1, 0.5, 0.5, 1.0, 1.0],
            last_gasp_share: 0.0,
            predict: PredictParams::default(),
        }
    }
}

/// One true fault of a storm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    /// The device that opened.
    pub device: ProtectiveDevice,
    /// Its zone in the [`ProtectionIndex`].
    pub zone: usize,
    /// Its role.
    pub kind: ProtectionKind,
    /// When it happened, seconds from the start of the storm.
    pub at_s: u64,
}

/// A storm: its faults and the calls they caused, in time order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Storm {
    /// The true faults, first first.
    pub faults: Vec<Fault>,
    /// All calls, in time order.
    pub calls: Vec<TroubleCall>,
    /// For each call, the fault it reports (`None`: a stray call).
    pub cause: Vec<Option<usize>>,
    /// Last gasps of the meters cut, in time order (none when
    /// [`StormParams::last_gasp_share`] is 0).
    pub gasps: Vec<MeterEvent>,
}

/// Draws storms on a model (deterministic for `params.seed`). Empty when the model has no
/// protective device with two customers or more.
///
/// # Examples
/// ```
/// use gridcare::outage::ProtectionIndex;
/// use gridcare::sim::{draw_storms, sample_grid, SampleFeeders, StormParams};
///
/// let grid = sample_grid(&SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// let storms = draw_storms(&index, &StormParams { storms: 20, ..StormParams::default() });
/// assert_eq!(storms.len(), 20);
/// for s in &storms {
///     // every fault is reported by at least one call
///     for f in 0..s.faults.len() {
///         assert!(s.cause.contains(&Some(f)));
///     }
///     assert!(s.calls.windows(2).all(|w| w[0].at_s <= w[1].at_s));
/// }
/// ```
pub fn draw_storms(index: &ProtectionIndex, params: &StormParams) -> Vec<Storm> {
    let zones = index.zones();
    let eligible: Vec<usize> = (0..zones.len())
        .filter(|&z| !zones[z].shadowed && zones[z].customer_count() >= 2)
        .collect();
    let mut cumulative = Vec::with_capacity(eligible.len());
    let mut total = 0.0;
    for &z in &eligible {
        total += params.fault_weight[zones[z].kind.index()].max(0.0);
        cumulative.push(total);
    }
    if eligible.is_empty() || total <= 0.0 {
        return Vec::new();
    }
    let mut rng = Rng::new(params.seed);
    let mut storms = Vec::with_capacity(params.storms);
    for _ in 0..params.storms {
        let n_faults = if params.max_faults > 1 && rng.chance(params.multi_fault_share) {
            2 + rng.index(params.max_faults - 1)
        } else {
            1
        };
        let mut faults: Vec<Fault> = Vec::new();
        for f in 0..n_faults {
            for _attempt in 0..100 {
                let x = rng.f64() * total;
                let z = eligible[cumulative.partition_point(|&c| c <= x).min(eligible.len() - 1)];
                if faults.iter().any(|g| index.nested(g.zone, z)) {
                    continue;
                }
                let at_s = if f == 0 { 0 } else { rng.below(params.fault_spread_s + 1) };
                faults.push(Fault { device: zones[z].device, zone: z, kind: zones[z].kind, at_s });
                break;
            }
        }
        let mut calls: Vec<(TroubleCall, Option<usize>)> = Vec::new();
        for (f, fault) in faults.iter().enumerate() {
            let mut cut = index.customers(fault.zone).to_vec();
            let share = rng.range_f64(params.call_share.0, params.call_share.1);
            let n = ((share * cut.len() as f64).round() as usize).clamp(1, cut.len());
            for i in 0..n {
                let j = i + rng.index(cut.len() - i);
                cut.swap(i, j);
                let at_s = fault.at_s + rng.below(params.call_period_s + 1);
                calls.push((TroubleCall { customer: cut[i], at_s }, Some(f)));
            }
        }
        let end_s = faults.iter().map(|f| f.at_s).max().unwrap_or(0) + params.call_period_s;
        let home = std::iter::successors(Some(faults[0].zone), |&z| zones[z].parent).last();
        for _ in 0..rng.index(params.stray_calls_max + 1) {
            let pool = match home {
                Some(h) if rng.chance(params.stray_same_feeder) => index.customers(h),
                _ => index.supplied_customers(),
            };
            for _attempt in 0..100 {
                let c = *rng.pick(pool);
                if !faults.iter().any(|f| index.covers(f.zone, c)) {
                    calls.push((TroubleCall { customer: c, at_s: rng.below(end_s + 1) }, None));
                    break;
                }
            }
        }
        calls.sort_by_key(|(c, cause)| (c.at_s, *cause, c.customer));
        let (calls, cause) = calls.into_iter().unzip();
        storms.push(Storm { faults, calls, cause, gasps: Vec::new() });
    }
    if params.last_gasp_share > 0.0 {
        let mut rng = Rng::new(params.seed ^ 0x6a57_9a59);
        for storm in &mut storms {
            for fault in &storm.faults {
                for &c in index.customers(fault.zone) {
                    if rng.chance(params.last_gasp_share) {
                        let at_s = fault.at_s + rng.below(31);
                        storm.gasps.push(MeterEvent {
                            customer: c,
                            kind: MeterEventKind::LastGasp,
                            at_s,
                        });
                    }
                }
            }
            storm.gasps.sort_by_key(|g| (g.at_s, g.customer));
        }
    }
    storms
}
