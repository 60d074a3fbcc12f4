//! Trouble-call grouping on the real fixtures: the demo city and the IEEE 8500-node feeder
//! with its fuses, and the storm simulator's measure of both predictors.

use std::sync::OnceLock;

use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{CustomerId, DeviceRef};
use gridcare::outage::{
    lowest_common_protective_device, predict_outages, rollup_outages, PredictParams, Prediction,
    ProtectionIndex, ProtectionKind, TroubleCall,
};
use gridcare::rng::Rng;
use gridcare::sim::{run_storms, StormParams};

struct Fixture {
    grid: Grid,
    index: ProtectionIndex,
}

fn demo() -> &'static Fixture {
    static DEMO: OnceLock<Fixture> = OnceLock::new();
    DEMO.get_or_init(|| {
        let grid = Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads");
        let index = ProtectionIndex::build(&grid);
        Fixture { grid, index }
    })
}

fn ieee8500() -> &'static Fixture {
    static IEEE: OnceLock<Fixture> = OnceLock::new();
    IEEE.get_or_init(|| {
        let grid = gridcare::sim::ieee8500_grid().expect("ieee8500 with Fuses.DSS imports");
        let index = ProtectionIndex::build(&grid);
        Fixture { grid, index }
    })
}

impl Fixture {
    fn zone(&self, name: &str) -> usize {
        let found = self.index.zones().iter().position(|z| z.device.name(&self.grid.model) == name);
        found.unwrap_or_else(|| panic!("{name} is not a protective device"))
    }

    fn customer(&self, name: &str) -> CustomerId {
        match self.grid.resolve(name) {
            Ok(DeviceRef::Customer(c)) => c,
            other => panic!("{name}: {other:?}"),
        }
    }

    /// `count` distinct customers below the device, drawn with `seed`, calling one a minute
    /// from `start_s`.
    fn burst(&self, device: &str, count: usize, seed: u64, start_s: u64) -> Vec<TroubleCall> {
        let mut below = self.index.customers(self.zone(device)).to_vec();
        Rng::new(seed).shuffle(&mut below);
        below
            .iter()
            .take(count)
            .enumerate()
            .map(|(i, &customer)| TroubleCall { customer, at_s: start_s + 60 * i as u64 })
            .collect()
    }

    fn predicted(&self, p: &Prediction) -> Vec<String> {
        p.outages.iter().map(|o| o.device.name(&self.grid.model).to_string()).collect()
    }
}

fn predict(f: &Fixture, calls: &[TroubleCall]) -> Vec<String> {
    f.predicted(&predict_outages(&f.index, calls, &[], &PredictParams::default()))
}

#[test]
fn a_single_call_under_a_transformer_predicts_that_transformer() {
    let f = demo();
    let t = f.zone("transformer.zm01-t0010");
    let caller = f.index.customers(t)[3];
    let calls = [TroubleCall { customer: caller, at_s: 0 }];
    assert_eq!(predict(f, &calls), ["transformer.zm01-t0010"]);
    assert_eq!(
        lowest_common_protective_device(&f.index, &[caller])
            .map(|d| d.name(&f.grid.model).to_string()),
        Some("transformer.zm01-t0010".to_string())
    );
}

#[test]
fn a_burst_under_a_lateral_fuse_predicts_the_fuse_and_a_stray_call_does_not_move_it() {
    let f = demo();
    // 20 of the 222 customers of lateral 2 of feeder zm01 call over 20 minutes
    let mut calls = f.burst("fuse.zm01-l02", 20, 7, 0);
    assert_eq!(predict(f, &calls), ["fuse.zm01-l02"]);
    assert_eq!(f.predicted(&rollup_outages(&f.index, &calls)), ["fuse.zm01-l02"]);

    // one stray call from lateral 1 of the same feeder, in the middle of the burst
    let stray = f.index.customers(f.zone("fuse.zm01-l01"))[10];
    calls.push(TroubleCall { customer: stray, at_s: 600 });
    let p = predict_outages(&f.index, &calls, &[], &PredictParams::default());
    assert_eq!(f.predicted(&p), ["fuse.zm01-l02"]);
    assert_eq!(p.stray_calls, [20]);
    assert_eq!(p.outages[0].calls.len(), 20);
    // the textbook rule rolls up to the breaker
    assert_eq!(f.predicted(&rollup_outages(&f.index, &calls)), ["breaker.zm01"]);

    // and one more from another feeder
    let other = f.index.customers(f.zone("fuse.zm02-l03"))[0];
    calls.push(TroubleCall { customer: other, at_s: 700 });
    assert_eq!(predict(f, &calls), ["fuse.zm01-l02"]);
}

#[test]
fn a_burst_under_an_ieee8500_lateral_fuse_survives_a_stray_call_the_textbook_rule_does_not() {
    let f = ieee8500();
    let mut calls = f.burst("fuse.ln6141147-1", 6, 3, 0);
    assert_eq!(predict(f, &calls), ["fuse.ln6141147-1"]);
    let stray = f.index.customers(f.zone("fuse.ln6201670-1"))[0];
    calls.push(TroubleCall { customer: stray, at_s: 200 });
    assert_eq!(predict(f, &calls), ["fuse.ln6141147-1"]);
    let rolled = f.predicted(&rollup_outages(&f.index, &calls));
    assert_eq!(rolled, ["line.xj171_48332_sw"], "the trunk switch below the feeder head");
}

#[test]
fn two_simultaneous_faults_on_different_laterals_give_two_outages() {
    let f = demo();
    let mut calls = f.burst("fuse.zm01-l02", 15, 1, 0);
    calls.extend(f.burst("fuse.zm01-l13", 15, 2, 30));
    let p = predict_outages(&f.index, &calls, &[], &PredictParams::default());
    let mut got = f.predicted(&p);
    got.sort();
    assert_eq!(got, ["fuse.zm01-l02", "fuse.zm01-l13"]);
    assert!(p.stray_calls.is_empty());
    assert!(p.outages.iter().all(|o| o.calls.len() == 15 && o.confidence > 0.5));
    // the textbook rule sends one crew to the breaker
    assert_eq!(f.predicted(&rollup_outages(&f.index, &calls)), ["breaker.zm01"]);
}

#[test]
fn a_device_known_closed_is_never_predicted_nor_anything_above_it() {
    let f = demo();
    let recloser = f.zone("recloser.zm02-1");
    let calls = f.burst("recloser.zm02-1", 60, 11, 0);
    assert_eq!(predict(f, &calls), ["recloser.zm02-1"]);

    let closed = [f.index.zones()[recloser].device];
    let p = predict_outages(&f.index, &calls, &closed, &PredictParams::default());
    assert!(!p.outages.is_empty());
    for o in &p.outages {
        assert!(
            !f.index.contains(o.zone, recloser),
            "{} is at or above the closed recloser",
            o.device.name(&f.grid.model)
        );
        assert!(f.index.contains(recloser, o.zone));
    }
}

#[test]
fn ieee8500_has_its_thirty_lateral_fuses_and_a_feeder_head_for_a_breaker() {
    let f = ieee8500();
    let fuses = f.index.zones().iter().filter(|z| z.kind == ProtectionKind::LateralFuse).count();
    assert_eq!(fuses, 30);
    let heads: Vec<_> =
        f.index.zones().iter().filter(|z| z.kind == ProtectionKind::FeederBreaker).collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].customer_count(), f.grid.model.customers.len());
    // every customer's chain ends at the head
    let c = f.customer("load.138236b0");
    let top = f.index.chain(c).last().map(|z| f.index.zones()[z].kind);
    assert_eq!(top, Some(ProtectionKind::FeederBreaker));
}

#[test]
fn storms_on_ieee8500_name_the_device_after_three_calls_and_after_all() {
    let f = ieee8500();
    let report =
        run_storms(&f.grid, &StormParams { storms: 300, seed: 8500, ..Default::default() });
    let table = report.table();
    let likelihood = &report.predictors[0].checkpoints;
    let textbook = &report.predictors[1].checkpoints;
    assert!(likelihood[1].accuracy >= 0.75, "{table}");
    assert!(likelihood[2].accuracy >= 0.85, "{table}");
    assert!(likelihood[1].accuracy > textbook[1].accuracy + 0.3, "{table}");
    assert!(likelihood.iter().all(|c| c.duplicate_dispatches == 0), "{table}");
    assert!(report.multi_fault_storms > 0 && report.stray_calls > 0);
}

#[test]
fn storms_on_the_demo_city_name_the_device_after_three_calls_and_after_all() {
    let f = demo();
    let report =
        run_storms(&f.grid, &StormParams { storms: 200, seed: 95598, ..Default::default() });
    let table = report.table();
    let likelihood = &report.predictors[0].checkpoints;
    assert!(likelihood[1].accuracy >= 0.85, "{table}");
    assert!(likelihood[2].accuracy >= 0.90, "{table}");
    assert!(likelihood.iter().all(|c| c.duplicate_dispatches == 0), "{table}");
}

#[test]
fn with_last_gasps_from_most_meters_the_device_is_exact_for_95_percent_of_ieee8500_storms_after_three_calls(
) {
    let f = ieee8500();
    let params =
        StormParams { storms: 300, seed: 8500, last_gasp_share: 0.8, ..Default::default() };
    let report = run_storms(&f.grid, &params);
    let table = report.table();
    assert_eq!(report.predictors.len(), 3, "{table}");
    let calls_only = &report.predictors[0].checkpoints;
    let meters = &report.predictors[2].checkpoints;
    assert!(meters[1].accuracy >= 0.95, "{table}");
    assert!(meters[1].accuracy > calls_only[1].accuracy + 0.1, "{table}");
    assert!(meters[1..].iter().all(|c| c.duplicate_dispatches == 0), "{table}");
    assert!(meters.iter().all(|c| c.false_outages == 0), "{table}");
    // The calls and faults are those of the same seed without meters.
    let plain = run_storms(&f.grid, &StormParams { storms: 300, seed: 8500, ..Default::default() });
    assert_eq!((plain.calls, plain.faults), (report.calls, report.faults));
    assert_eq!(plain.predictors[0], report.predictors[0]);
    assert!(report.last_gasps > 0 && plain.last_gasps == 0);
}
