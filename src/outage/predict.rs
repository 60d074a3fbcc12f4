//! Trouble-call grouping: which protective device most likely operated, given who called.
//!
//! # The rule
//! Calls are taken in time order and cut into **groups** wherever no call came for
//! [`PredictParams::window_s`]; a call from a customer below a device already predicted for
//! an earlier group joins that outage instead. Each group is explained by one or two faults,
//! each fault being one protective device `D` (a [`ProtectionZone`]) that opened and cut its
//! `n_D` customers, `k_D` of the group's distinct callers `C` being below it:
//!
//! ```text
//! P(calls | D) = L(k_D, n_D; call times) · ρ^(|C| − k_D)
//! ```
//!
//! * `L` is the time-aware call model (see `likelihood.rs`): every customer cut calls with
//!   an unknown probability `p` (uniform on [`PredictParams::call_share`]) at a uniform time
//!   in the [`PredictParams::call_period_s`] after the fault, whose time is unknown too; both
//!   are integrated out. This weighs the callers against the customers below `D` who did
//!   **not** call — three calls from a 5-customer transformer are likelier than the same
//!   calls from a 400-customer section, unless they came so fast that the section's other
//!   customers have not had time to call yet;
//! * every caller not below `D` is a stray call (a flicker, a wrong address, a customer's own
//!   breaker) at the rate `ρ` per customer per second
//!   ([`PredictParams::stray_calls_per_hour`] over the customers of the model): one stray
//!   call costs a factor `ρ` instead of moving the fault to the feeder breaker;
//! * the prior `P(D) = w(D) / Σ w` weighs the device roles ([`PredictParams::kind_weight`]:
//!   transformer and lateral fuses operate far more often than feeder breakers), times
//!   [`PredictParams::single_customer_weight`] for a device that cuts one customer.
//!
//! The score of `D` is `s(D) = ln P(D) + ln L(D) − k_D ln ρ`, so that
//! `ln P(D | calls) = |C| ln ρ + s(D) + const`. The best single fault is `argmax s(D)` over the
//! devices above the callers. Two simultaneous faults `D1, D2` (disjoint, neither above the
//! other) score `s(D1) + s(D2) + ln odds`, where `odds` = [`PredictParams::second_fault_odds`]
//! is the prior odds of a second fault in one call period; the pair is kept when it beats the
//! single fault. Callers below no chosen device are returned as stray calls, for the operator
//! to treat one by one.
//!
//! A device whose customers are exactly those of a device below it (`shadowed`) is never a
//! hypothesis: the lower device stands for both. A device in `known_closed` (monitored, closed
//! and energised) and every device above it are never predicted: if it still carries power,
//! nothing above it opened.

use std::collections::BTreeMap;

use serde::Serialize;

use super::likelihood::CallModel;
use super::protection::{ProtectionIndex, ProtectionKind, ProtectionZone, ProtectiveDevice};
use crate::model::CustomerId;

/// A customer's call saying the power is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TroubleCall {
    /// Who called.
    pub customer: CustomerId,
    /// When, seconds on any clock shared by the calls.
    pub at_s: u64,
}

/// The knobs of [`predict_outages`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictParams {
    /// A call more than this long after the last call of its group starts a new group
    /// (default 3600 s).
    pub window_s: u64,
    /// Range of the share of the customers cut who call, `(low, high)`; the prior is
    /// uniform on it (default 3 % to 40 %).
    pub call_share: (f64, f64),
    /// Customers cut call within this long after the fault (default 1800 s).
    pub call_period_s: u64,
    /// Stray calls per hour from customers who are not cut, over the whole model (default 2).
    pub stray_calls_per_hour: f64,
    /// Prior odds of a second simultaneous fault within one call period (default 1/3).
    pub second_fault_odds: f64,
    /// At most this many faults per group: 1 or 2 (default 2).
    pub max_faults: usize,
    /// Prior weight of one device of each role, indexed by [`ProtectionKind::index`]
    /// (default breaker 0.2, recloser 0.5, sectionaliser 0.5, lateral fuse 1, transformer
    /// fuse 1).
    pub kind_weight: [f64; 5],
    /// Factor on the prior of a device that cuts a single customer (default 0.01): one
    /// customer without power is a single-customer repair (单户故障: a service drop, a meter, the
    /// customer's own breaker) far more often than an outage to group calls into.
    pub single_customer_weight: f64,
    /// Share of the meters cut by an outage whose last-gasp message (停电事件) reaches the
    /// head-end (default 0.7: a meter's last gasp is lost in a weak mesh or a dead concentrator).
    pub last_gasp_share: f64,
    /// Last-gasp messages per hour from meters that are not cut (a meter fault, a meter
    /// swapped), over the whole model (default 1).
    pub false_gasps_per_hour: f64,
}

impl Default for PredictParams {
    fn default() -> Self {
        PredictParams {
            window_s: 3600,
            call_share: (0.03, 0.40),
            call_period_s: 1800,
            stray_calls_per_hour: 2.0,
            second_fault_odds: 1.0 / 3.0,
            max_faults: 2,
            kind_weight: [0.2, 0.5, 0.5, 1.0, 1.0],
            single_customer_weight: 0.01,
            last_gasp_share: 0.7,
            false_gasps_per_hour: 1.0,
        }
    }
}

/// One predicted outage: a protective device believed open, for an operator to confirm or
/// move.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictedOutage {
    /// The device.
    pub device: ProtectiveDevice,
    /// Its role.
    pub kind: ProtectionKind,
    /// Its zone in the [`ProtectionIndex`].
    pub zone: usize,
    /// The calls grouped into it (indices into the calls given), in time order.
    pub calls: Vec<usize>,
    /// Distinct customers among those calls.
    pub callers: usize,
    /// Customers below the device: all out if it is open.
    pub customers_out: usize,
    /// Meters below the device that sent a last gasp.
    #[serde(default)]
    pub last_gasps: usize,
    /// Posterior probability of this device against the devices above and below it on the
    /// callers' supply paths (where an operator would move it; with two outages, those that
    /// leave the other one in place), 0–1.
    pub confidence: f64,
    /// Time of the first call (or of the first last gasp, when earlier).
    pub first_call_s: u64,
    /// Time of the last call.
    pub last_call_s: u64,
}

/// The outages predicted from a set of calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Prediction {
    /// Predicted outages, by first call.
    pub outages: Vec<PredictedOutage>,
    /// Calls explained by no outage (stray calls, unknown or unsupplied customers), in time
    /// order.
    pub stray_calls: Vec<usize>,
}

/// Groups trouble calls into predicted outages at the most likely faulted protective devices
/// (see the module documentation for the likelihood, the time window and the second fault).
///
/// `known_closed`: devices known to be closed and energised (a SCADA-monitored recloser or
/// breaker that did not trip); neither they nor any device above them is predicted.
///
/// # Examples
/// ```
/// use gridcare::model::{CustomerId, DeviceRef, ElementRef};
/// use gridcare::outage::{predict_outages, PredictParams, ProtectionIndex, TroubleCall};
/// use gridcare::sim::{sample_grid, SampleFeeders};
///
/// let grid = sample_grid(&SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// let customer = |name: &str| match grid.resolve(name).unwrap() {
///     DeviceRef::Customer(c) => c,
///     other => panic!("{other:?}"),
/// };
/// // three customers on three transformers of lateral 2 call, and one on feeder 2
/// let callers = ["load.f1-l2-t1-c1", "load.f1-l2-t3-c4", "load.f1-l2-t2-c2", "load.f2-l1-t1-c3"];
/// let calls: Vec<TroubleCall> = callers
///     .iter()
///     .enumerate()
///     .map(|(i, n)| TroubleCall { customer: customer(n), at_s: 60 * i as u64 })
///     .collect();
/// let p = predict_outages(&index, &calls, &[], &PredictParams::default());
/// assert_eq!(p.outages.len(), 1);
/// assert_eq!(p.outages[0].device.name(&grid.model), "fuse.f1-l2");
/// assert_eq!(p.outages[0].calls, vec![0, 1, 2]);
/// assert_eq!(p.stray_calls, vec![3]);
/// ```
pub fn predict_outages(
    index: &ProtectionIndex,
    calls: &[TroubleCall],
    known_closed: &[ProtectiveDevice],
    params: &PredictParams,
) -> Prediction {
    predict_with_meters(index, calls, &[], known_closed, params)
}

/// A smart meter's event (AMI, 用电信息采集): the last gasp of a meter losing supply, or the
/// message of a meter whose supply came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MeterEvent {
    /// The customer the meter serves.
    pub customer: CustomerId,
    /// What happened.
    pub kind: MeterEventKind,
    /// When, seconds on the clock of the calls.
    pub at_s: u64,
}

/// What a meter reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeterEventKind {
    /// Supply lost (停电事件, the meter's last gasp).
    LastGasp,
    /// Supply back (复电事件).
    PowerRestore,
}

/// [`predict_outages`] with smart-meter events as well as calls.
///
/// A meter's latest event counts: a last gasp says its customer is without supply since then,
/// a power-restore that it has supply (so no device above it is open, as for `known_closed`).
/// Last gasps are grouped with the calls by time, join an outage already predicted above
/// them, and weigh each candidate device `D` with `n_D` customers, `g_D` of them gasping:
///
/// ```text
/// ln P(gasps | D) = g_D · (ln q − ln ε) + (n_D − g_D) · ln(1 − q)      (+ terms common to all D)
/// ```
///
/// `q` = [`PredictParams::last_gasp_share`], `ε` the chance that a meter not cut gasps within
/// the group window ([`PredictParams::false_gasps_per_hour`]). When any meter event is given,
/// every meter is taken to be able to report: a device whose customers stay silent loses
/// `ln(1 − q)` per customer, so the calls of one customer whose meter did not gasp point to a
/// customer-side fault rather than the lateral above. The earliest last gasp also dates the
/// fault for the call model. With no meter events this is exactly [`predict_outages`].
///
/// # Examples
/// ```
/// use gridcare::outage::{predict_with_meters, MeterEvent, MeterEventKind, PredictParams, ProtectionIndex, TroubleCall};
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// let below = |dev: &str| gridcare::outage::affected_by_opening(&grid, &[grid.resolve(dev).unwrap()]);
/// // Fuse f1-l2 blows at t = 0: most of its meters gasp within seconds; nobody has called.
/// let gasps: Vec<MeterEvent> = below("fuse.f1-l2").iter().enumerate().filter(|(i, _)| i % 4 != 0)
///     .map(|(i, c)| MeterEvent { customer: *c, kind: MeterEventKind::LastGasp, at_s: i as u64 % 20 })
///     .collect();
/// let p = predict_with_meters(&index, &[], &gasps, &[], &PredictParams::default());
/// assert_eq!(p.outages.len(), 1);
/// assert_eq!(p.outages[0].device.name(&grid.model), "fuse.f1-l2");
/// assert_eq!(p.outages[0].last_gasps, gasps.len());
/// ```
pub fn predict_with_meters(
    index: &ProtectionIndex,
    calls: &[TroubleCall],
    meters: &[MeterEvent],
    known_closed: &[ProtectiveDevice],
    params: &PredictParams,
) -> Prediction {
    // The latest event of each meter.
    let latest = super::meter::MeterBoard::from_events(meters).events();
    let powered: Vec<CustomerId> = latest
        .iter()
        .filter(|e| e.kind == MeterEventKind::PowerRestore)
        .map(|e| e.customer)
        .collect();
    let mut gasps: Vec<(u64, CustomerId)> = latest
        .iter()
        .filter(|e| e.kind == MeterEventKind::LastGasp)
        .map(|e| (e.at_s, e.customer))
        .collect();
    gasps.sort();
    let mut scorer = Scorer::new(index, known_closed, params);
    scorer.ami = !meters.is_empty();
    for c in powered {
        for z in index.chain(c) {
            scorer.excluded.insert(z);
        }
    }
    // Calls and gasps in time order; a gasp sorts before a call at the same second.
    enum Ev {
        Gasp(CustomerId),
        Call(usize),
    }
    let mut events: Vec<(u64, u8, usize, Ev)> = gasps
        .iter()
        .enumerate()
        .map(|(j, &(t, c))| (t, 0, j, Ev::Gasp(c)))
        .chain(calls.iter().enumerate().map(|(i, c)| (c.at_s, 1, i, Ev::Call(i))))
        .collect();
    events.sort_by_key(|e| (e.0, e.1, e.2));
    let mut out = Prediction::default();
    let mut group = Group::default();
    for (at_s, _, _, ev) in events {
        if group.last_s.is_some_and(|l| at_s > l + params.window_s) {
            scorer.solve(calls, &group, &mut out);
            group = Group::default();
        }
        let customer = match ev {
            Ev::Gasp(c) => c,
            Ev::Call(i) => calls[i].customer,
        };
        let open = out
            .outages
            .iter_mut()
            .filter(|o| index.covers(o.zone, customer))
            .min_by_key(|o| o.customers_out);
        match (open, ev) {
            (Some(o), Ev::Call(i)) => {
                if !o.calls.iter().any(|&c| calls[c].customer == customer) {
                    o.callers += 1;
                }
                o.calls.push(i);
                o.last_call_s = at_s;
            }
            (Some(o), Ev::Gasp(_)) => o.last_gasps += 1,
            (None, Ev::Call(i)) => {
                group.calls.push(i);
                group.last_s = Some(at_s);
            }
            (None, Ev::Gasp(c)) => {
                group.gasps.push((c, at_s));
                group.last_s = Some(at_s);
            }
        }
    }
    scorer.solve(calls, &group, &mut out);
    out.outages.sort_by_key(|o| (o.first_call_s, o.zone));
    out.stray_calls.sort_by_key(|&i| (calls[i].at_s, i));
    out
}

/// Calls and last gasps not explained by an outage already predicted, close in time.
#[derive(Default)]
struct Group {
    calls: Vec<usize>,
    gasps: Vec<(CustomerId, u64)>,
    last_s: Option<u64>,
}

/// A candidate device with its callers and score `s(D)`.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    zone: usize,
    score: f64,
}

/// Per zone: callers with their first and last call, gaspers with the first gasp.
#[derive(Clone, Copy, Debug, Default)]
struct Evidence {
    callers: usize,
    first_call_s: Option<u64>,
    last_call_s: Option<u64>,
    gasps: usize,
    first_gasp_s: Option<u64>,
}

struct Scorer<'a> {
    index: &'a ProtectionIndex,
    params: &'a PredictParams,
    /// Zones that may not be predicted: known closed, or above a known-closed device or a
    /// customer known to have supply.
    excluded: rustc_hash::FxHashSet<usize>,
    calls: CallModel,
    ln_stray: f64,
    ln_total_weight: f64,
    /// Meters report: silence under a device counts against it.
    ami: bool,
    /// `ln q − ln ε` and `ln(1 − q)`.
    ln_gasp: f64,
    ln_silent: f64,
}

impl<'a> Scorer<'a> {
    fn new(
        index: &'a ProtectionIndex,
        known_closed: &[ProtectiveDevice],
        params: &'a PredictParams,
    ) -> Self {
        let mut excluded = rustc_hash::FxHashSet::default();
        for d in known_closed {
            let mut at = index.zone_of(*d);
            while let Some(z) = at {
                if !excluded.insert(z) {
                    break;
                }
                at = index.zones()[z].parent;
            }
        }
        let total: f64 = index
            .kind_counts()
            .iter()
            .zip(&params.kind_weight)
            .map(|([many, one], w)| {
                w * (*many as f64 + *one as f64 * params.single_customer_weight)
            })
            .sum();
        let customers = index.customer_count().max(1) as f64;
        let q = params.last_gasp_share.clamp(1e-6, 1.0 - 1e-6);
        let eps = (params.false_gasps_per_hour.max(1e-9) * params.window_s.max(1) as f64
            / 3600.0
            / customers)
            .min(0.5);
        Scorer {
            index,
            params,
            excluded,
            calls: CallModel::new(params.call_share, params.call_period_s as f64),
            ln_stray: (params.stray_calls_per_hour.max(1e-9) / 3600.0 / customers).ln(),
            ln_total_weight: total.max(f64::MIN_POSITIVE).ln(),
            ami: false,
            ln_gasp: q.ln() - eps.ln(),
            ln_silent: (1.0 - q).ln(),
        }
    }

    /// `s(D)` for the evidence below the zone, at `now`.
    fn score(&self, zone: &ProtectionZone, ev: &Evidence, now: u64) -> f64 {
        let single =
            if zone.customer_count() == 1 { self.params.single_customer_weight } else { 1.0 };
        let w = (self.params.kind_weight[zone.kind.index()] * single).max(f64::MIN_POSITIVE);
        let n = zone.customer_count();
        let k = ev.callers;
        // The fault came before its first call and its first gasp.
        let first = match (ev.first_call_s, ev.first_gasp_s) {
            (Some(c), Some(g)) => c.min(g),
            (c, g) => c.or(g).unwrap_or(now),
        };
        let last = ev.last_call_s.unwrap_or(first);
        let since_first = now.saturating_sub(first) as f64;
        let since_last = now.saturating_sub(last) as f64;
        let mut s = w.ln() - self.ln_total_weight
            + self.calls.ln_likelihood(k, n, since_first, since_last)
            - k as f64 * self.ln_stray;
        if self.ami {
            let g = ev.gasps.min(n);
            s += g as f64 * self.ln_gasp + (n - g) as f64 * self.ln_silent;
        }
        s
    }

    /// Explains one group of calls and gasps, appending its outages and stray calls to `out`.
    fn solve(&self, calls: &[TroubleCall], group: &Group, out: &mut Prediction) {
        if group.calls.is_empty() && group.gasps.is_empty() {
            return;
        }
        let mut callers: BTreeMap<CustomerId, Vec<usize>> = BTreeMap::new();
        for &i in &group.calls {
            if self.index.lowest_zone(calls[i].customer).is_some() {
                callers.entry(calls[i].customer).or_default().push(i);
            } else {
                out.stray_calls.push(i);
            }
        }
        let gaspers: Vec<(CustomerId, u64)> = group
            .gasps
            .iter()
            .copied()
            .filter(|(c, _)| self.index.lowest_zone(*c).is_some())
            .collect();
        let now = group
            .calls
            .iter()
            .map(|&i| calls[i].at_s)
            .chain(group.gasps.iter().map(|g| g.1))
            .max()
            .unwrap_or(0);
        let mut evidence: rustc_hash::FxHashMap<usize, Evidence> = Default::default();
        let mut walk = |c: CustomerId, f: &mut dyn FnMut(&mut Evidence)| {
            for z in self.index.chain(c) {
                if self.excluded.contains(&z) {
                    break;
                }
                if !self.index.zones()[z].shadowed {
                    f(evidence.entry(z).or_default());
                }
            }
        };
        for (&c, is) in &callers {
            let at = is.iter().map(|&i| calls[i].at_s).min().unwrap_or(now);
            walk(c, &mut |e| {
                e.callers += 1;
                e.first_call_s = Some(e.first_call_s.map_or(at, |f| f.min(at)));
                e.last_call_s = Some(e.last_call_s.map_or(at, |l| l.max(at)));
            });
        }
        for &(c, at) in &gaspers {
            walk(c, &mut |e| {
                e.gasps += 1;
                e.first_gasp_s = Some(e.first_gasp_s.map_or(at, |f| f.min(at)));
            });
        }
        let mut cands: Vec<Candidate> = evidence
            .iter()
            .map(|(&zone, ev)| Candidate {
                zone,
                score: self.score(&self.index.zones()[zone], ev, now),
            })
            .collect();
        cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.zone.cmp(&b.zone)));
        let chosen = self.choose(&cands);

        let mut explained = vec![false; callers.len()];
        for &zone in &chosen {
            let mut idx: Vec<usize> = Vec::new();
            let mut n_callers = 0;
            for (j, (c, is)) in callers.iter().enumerate() {
                if self.index.covers(zone, *c) {
                    explained[j] = true;
                    n_callers += 1;
                    idx.extend(is);
                }
            }
            idx.sort_by_key(|&i| (calls[i].at_s, i));
            let me = cands.iter().find(|c| c.zone == zone).map_or(0.0, |c| c.score);
            let rivals: f64 = cands
                .iter()
                .filter(|c| {
                    self.index.nested(c.zone, zone)
                        && chosen.iter().all(|&o| o == zone || !self.index.nested(c.zone, o))
                })
                .map(|c| (c.score - me).exp())
                .sum();
            let z = &self.index.zones()[zone];
            let gasp_times: Vec<u64> =
                gaspers.iter().filter(|(c, _)| self.index.covers(zone, *c)).map(|g| g.1).collect();
            let first_gasp = gasp_times.iter().min().copied();
            let first_call = idx.first().map(|&i| calls[i].at_s);
            out.outages.push(PredictedOutage {
                device: z.device,
                kind: z.kind,
                zone,
                callers: n_callers,
                customers_out: z.customer_count(),
                last_gasps: gasp_times.len(),
                confidence: 1.0 / rivals.max(1.0),
                first_call_s: match (first_call, first_gasp) {
                    (Some(c), Some(g)) => c.min(g),
                    (c, g) => c.or(g).unwrap_or(now),
                },
                last_call_s: idx.last().map_or(now, |&i| calls[i].at_s),
                calls: idx,
            });
        }
        for (j, (_, is)) in callers.iter().enumerate() {
            if !explained[j] {
                out.stray_calls.extend(is);
            }
        }
    }

    /// The best single device, or the best disjoint pair when it scores higher.
    fn choose(&self, cands: &[Candidate]) -> Vec<usize> {
        let Some(first) = cands.first() else { return Vec::new() };
        let odds = self.params.second_fault_odds.max(f64::MIN_POSITIVE);
        let single = first.score - odds.ln_1p();
        if self.params.max_faults < 2 {
            return vec![first.zone];
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for i in 0..cands.len() {
            let bound = cands[i].score + cands.get(i + 1).map_or(f64::NEG_INFINITY, |c| c.score);
            if best.is_some_and(|(s, _, _)| bound <= s) {
                break;
            }
            for j in i + 1..cands.len() {
                let s = cands[i].score + cands[j].score;
                if best.is_some_and(|(b, _, _)| s <= b) {
                    break;
                }
                if !self.index.nested(cands[i].zone, cands[j].zone) {
                    best = Some((s, cands[i].zone, cands[j].zone));
                    break;
                }
            }
        }
        match best {
            Some((s, a, b)) if s + odds.ln() - odds.ln_1p() > single => vec![a, b],
            _ => vec![first.zone],
        }
    }
}
