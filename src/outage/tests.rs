//! Trouble-call grouping on the small sample network: two feeders, each a breaker, two
//! laterals, a recloser, two more laterals; three 5-customer transformers a lateral.

use super::*;
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef};
use crate::sim::{sample_grid, SampleFeeders};

struct Sample {
    grid: Grid,
    index: ProtectionIndex,
}

fn sample() -> Sample {
    let grid = sample_grid(&SampleFeeders::default());
    let index = ProtectionIndex::build(&grid);
    Sample { grid, index }
}

impl Sample {
    fn c(&self, name: &str) -> CustomerId {
        match self.grid.resolve(name) {
            Ok(DeviceRef::Customer(c)) => c,
            other => panic!("{name}: {other:?}"),
        }
    }

    fn device(&self, name: &str) -> ProtectiveDevice {
        let z = self.index.zones().iter().find(|z| z.device.name(&self.grid.model) == name);
        z.unwrap_or_else(|| panic!("{name}")).device
    }

    /// Calls from the named customers, `gap_s` apart.
    fn calls(&self, names: &[&str], gap_s: u64) -> Vec<TroubleCall> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| TroubleCall { customer: self.c(n), at_s: gap_s * i as u64 })
            .collect()
    }

    fn names(&self, p: &Prediction) -> Vec<&str> {
        p.outages.iter().map(|o| o.device.name(&self.grid.model)).collect()
    }

    fn predict(&self, calls: &[TroubleCall]) -> Prediction {
        predict_outages(&self.index, calls, &[], &PredictParams::default())
    }
}

const LATERAL_2: [&str; 6] = [
    "load.f1-l2-t1-c1",
    "load.f1-l2-t3-c2",
    "load.f1-l2-t2-c3",
    "load.f1-l2-t1-c4",
    "load.f1-l2-t3-c5",
    "load.f1-l2-t2-c1",
];

#[test]
fn the_index_knows_each_device_and_the_one_above_it() {
    let s = sample();
    let kinds = s.index.kind_counts();
    assert_eq!(kinds[ProtectionKind::FeederBreaker.index()], [2, 0]);
    assert_eq!(kinds[ProtectionKind::Recloser.index()], [2, 0]);
    assert_eq!(kinds[ProtectionKind::LateralFuse.index()], [8, 0]);
    assert_eq!(kinds[ProtectionKind::TransformerFuse.index()], [26, 0]);
    let zone = |n: &str| s.index.zone_of(s.device(n)).expect("a zone");
    let parent = |n: &str| s.index.zones()[zone(n)].parent.map(|p| s.index.zones()[p].device);
    assert_eq!(parent("fuse.f1-l2"), Some(s.device("breaker.f1")));
    assert_eq!(parent("fuse.f1-l3"), Some(s.device("recloser.f1")));
    assert_eq!(parent("transformer.f1-l3-t2"), Some(s.device("fuse.f1-l3")));
    assert_eq!(parent("breaker.f2"), None);
    assert_eq!(s.index.customers(zone("recloser.f1")).len(), 30);
    assert!(s.index.covers(zone("fuse.f1-l4"), s.c("load.f1-l4-t3-c5")));
    assert!(!s.index.covers(zone("fuse.f1-l4"), s.c("load.f1-l3-t3-c5")));
    assert!(s.index.nested(zone("breaker.f1"), zone("transformer.f1-l4-t1")));
    assert!(!s.index.nested(zone("fuse.f1-l1"), zone("fuse.f1-l2")));
}

#[test]
fn a_single_call_predicts_the_callers_transformer() {
    let s = sample();
    let p = s.predict(&s.calls(&["load.f1-l3-t2-c4"], 0));
    assert_eq!(s.names(&p), ["transformer.f1-l3-t2"]);
    assert_eq!(p.outages[0].customers_out, 5);
    assert!(p.outages[0].confidence > 0.5 && p.outages[0].confidence <= 1.0);
}

#[test]
fn calls_from_several_transformers_of_a_lateral_predict_its_fuse() {
    let s = sample();
    let p = s.predict(&s.calls(&LATERAL_2, 120));
    assert_eq!(s.names(&p), ["fuse.f1-l2"]);
    assert_eq!(p.outages[0].calls, [0, 1, 2, 3, 4, 5]);
    assert_eq!(p.outages[0].callers, 6);
    assert_eq!((p.outages[0].first_call_s, p.outages[0].last_call_s), (0, 600));
}

#[test]
fn a_stray_call_on_another_lateral_stays_stray_where_the_textbook_rule_rolls_up() {
    let s = sample();
    let mut names = LATERAL_2.to_vec();
    names.insert(3, "load.f1-l1-t2-c2");
    let calls = s.calls(&names, 120);
    let p = s.predict(&calls);
    assert_eq!(s.names(&p), ["fuse.f1-l2"]);
    assert_eq!(p.stray_calls, [3]);
    assert_eq!(s.names(&rollup_outages(&s.index, &calls)), ["breaker.f1"]);
}

#[test]
fn two_laterals_calling_at_once_are_two_outages() {
    let s = sample();
    let mut calls = s.calls(&LATERAL_2, 120);
    let other = [
        "load.f2-l4-t1-c1",
        "load.f2-l4-t2-c2",
        "load.f2-l4-t3-c3",
        "load.f2-l4-t1-c5",
        "load.f2-l4-t3-c1",
    ];
    calls.extend(s.calls(&other, 100).iter().map(|c| TroubleCall { at_s: c.at_s + 30, ..*c }));
    let p = s.predict(&calls);
    assert_eq!(s.names(&p), ["fuse.f1-l2", "fuse.f2-l4"]);
    assert!(p.stray_calls.is_empty());
    // one group per feeder: the textbook rule gets these right too
    assert_eq!(s.names(&rollup_outages(&s.index, &calls)), ["fuse.f1-l2", "fuse.f2-l4"]);
}

#[test]
fn no_prediction_at_or_above_a_device_known_closed() {
    let s = sample();
    let names: Vec<String> = (1..=5)
        .flat_map(|c| {
            [
                format!("load.f1-l3-t{}-c{c}", 1 + c % 3),
                format!("load.f1-l4-t{}-c{c}", 1 + (c + 1) % 3),
            ]
        })
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let calls = s.calls(&refs, 20);
    assert_eq!(s.names(&s.predict(&calls)), ["recloser.f1"]);
    let closed = [s.device("recloser.f1")];
    let p = predict_outages(&s.index, &calls, &closed, &PredictParams::default());
    let mut got = s.names(&p);
    got.sort();
    assert_eq!(got, ["fuse.f1-l3", "fuse.f1-l4"]);
}

#[test]
fn a_call_after_the_window_is_a_new_outage_unless_below_the_predicted_device() {
    let s = sample();
    let params = PredictParams { window_s: 1800, ..PredictParams::default() };
    let mut calls = s.calls(&LATERAL_2[..4], 60);
    // two hours later: a customer of the same lateral, and one of another lateral
    calls.push(TroubleCall { customer: s.c("load.f1-l2-t3-c3"), at_s: 7200 });
    calls.push(TroubleCall { customer: s.c("load.f1-l1-t1-c1"), at_s: 7260 });
    let p = predict_outages(&s.index, &calls, &[], &params);
    assert_eq!(s.names(&p), ["fuse.f1-l2", "transformer.f1-l1-t1"]);
    assert_eq!(p.outages[0].calls, [0, 1, 2, 3, 4]);
    assert_eq!(p.outages[0].last_call_s, 7200);
    assert_eq!(p.outages[1].calls, [5]);
}

#[test]
fn repeated_calls_from_one_customer_count_once_and_unknown_customers_are_stray() {
    let s = sample();
    let mut calls = s.calls(&["load.f1-l1-t1-c1", "load.f1-l1-t1-c1", "load.f1-l1-t1-c1"], 60);
    calls.push(TroubleCall { customer: CustomerId(99_999), at_s: 30 });
    let p = s.predict(&calls);
    assert_eq!(s.names(&p), ["transformer.f1-l1-t1"]);
    assert_eq!(p.outages[0].callers, 1);
    assert_eq!(p.outages[0].calls, [0, 1, 2]);
    assert_eq!(p.stray_calls, [3]);
    assert_eq!(s.predict(&[]), Prediction::default());
}

#[test]
fn the_lowest_common_device_rolls_up_through_the_recloser() {
    let s = sample();
    let lca = |names: &[&str]| {
        let cs: Vec<CustomerId> = names.iter().map(|n| s.c(n)).collect();
        lowest_common_protective_device(&s.index, &cs).map(|d| d.name(&s.grid.model).to_string())
    };
    assert_eq!(lca(&["load.f1-l3-t1-c1", "load.f1-l4-t1-c1"]).as_deref(), Some("recloser.f1"));
    assert_eq!(lca(&["load.f1-l3-t1-c1", "load.f2-l3-t1-c1"]), None);
    assert_eq!(lca(&[]), None);
}

#[test]
fn a_feeder_without_a_breaker_is_protected_at_its_head() {
    let mut model = crate::sim::sample_model(&SampleFeeders { feeders: 1, ..Default::default() });
    model.switches.retain(|sw| sw.kind != crate::model::SwitchKind::Breaker);
    // the breaker's two buses become one: move everything on the feeder bus to the source
    let src = model.feeders[0].source_bus;
    let b0 =
        model.buses.iter().position(|b| b.name == "f1.b0").map(|i| crate::model::BusId(i as u32));
    for l in &mut model.lines {
        if Some(l.from) == b0 {
            l.from = src;
        }
    }
    for t in &mut model.transformers {
        if Some(t.hv_bus) == b0 {
            t.hv_bus = src;
        }
    }
    let grid = Grid::from_model(model);
    let index = ProtectionIndex::build(&grid);
    let heads: Vec<&ProtectionZone> =
        index.zones().iter().filter(|z| z.kind == ProtectionKind::FeederBreaker).collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].device, ProtectiveDevice::FeederHead(crate::model::FeederId(0)));
    assert_eq!(heads[0].customer_count(), grid.model.customers.len());
}

#[test]
fn a_device_with_the_same_customers_as_the_one_below_it_is_shadowed() {
    // one transformer a lateral: each fuse cuts just its transformer's customers, and the
    // recloser just lateral 2
    let one =
        sample_grid(&SampleFeeders { feeders: 1, laterals: 2, transformers: 1, customers: 4 });
    let index = ProtectionIndex::build(&one);
    let mut shadowed: Vec<&str> =
        index.zones().iter().filter(|z| z.shadowed).map(|z| z.device.name(&one.model)).collect();
    shadowed.sort();
    assert_eq!(shadowed, ["fuse.f1-l1", "fuse.f1-l2", "recloser.f1"]);
    let caller = match one.resolve("load.f1-l2-t1-c3") {
        Ok(DeviceRef::Customer(c)) => c,
        other => panic!("{other:?}"),
    };
    let p = predict_outages(
        &index,
        &[TroubleCall { customer: caller, at_s: 0 }],
        &[],
        &PredictParams::default(),
    );
    assert_eq!(p.outages.len(), 1);
    assert_eq!(p.outages[0].device.name(&one.model), "transformer.f1-l2-t1");
}

mod meters {
    use crate::model::CustomerId;
    use crate::outage::{
        affected_by_opening, predict_outages, predict_with_meters, MeterEvent, MeterEventKind,
        PredictParams, ProtectionIndex, TroubleCall,
    };
    use crate::sim::{sample_grid, SampleFeeders};

    fn gasp(c: CustomerId, at_s: u64) -> MeterEvent {
        MeterEvent { customer: c, kind: MeterEventKind::LastGasp, at_s }
    }

    #[test]
    fn calls_without_last_gasps_from_a_metered_area_point_below_the_lateral() {
        let grid = sample_grid(&SampleFeeders::default());
        let index = ProtectionIndex::build(&grid);
        let lateral = affected_by_opening(&grid, &[grid.resolve("fuse.f1-l2").expect("ok")]);
        // Three customers of the lateral call within ten minutes; calls alone name the fuse.
        let calls: Vec<TroubleCall> = [0, 5, 10]
            .iter()
            .enumerate()
            .map(|(i, &k)| TroubleCall { customer: lateral[k], at_s: 200 * i as u64 })
            .collect();
        let p = predict_outages(&index, &calls, &[], &PredictParams::default());
        assert_eq!(p.outages[0].device.name(&grid.model), "fuse.f1-l2");
        // With meters reporting elsewhere on the feeder and none of the lateral's gasping,
        // the lateral is not out: the calls are single-customer problems, not one outage.
        let other = affected_by_opening(&grid, &[grid.resolve("fuse.f1-l4").expect("ok")]);
        let gasps: Vec<MeterEvent> = other.iter().map(|c| gasp(*c, 0)).collect();
        let p = predict_with_meters(&index, &calls, &gasps, &[], &PredictParams::default());
        assert!(
            p.outages.iter().all(|o| o.device.name(&grid.model) != "fuse.f1-l2"),
            "{:?}",
            p.outages.iter().map(|o| o.device.name(&grid.model)).collect::<Vec<_>>()
        );
        assert!(p.outages.iter().any(|o| o.device.name(&grid.model) == "fuse.f1-l4"));
    }

    #[test]
    fn a_meter_with_supply_again_rules_out_every_device_above_it() {
        let grid = sample_grid(&SampleFeeders::default());
        let index = ProtectionIndex::build(&grid);
        let lateral = affected_by_opening(&grid, &[grid.resolve("fuse.f1-l2").expect("ok")]);
        let gasps: Vec<MeterEvent> = lateral.iter().map(|c| gasp(*c, 0)).collect();
        let p = predict_with_meters(&index, &[], &gasps, &[], &PredictParams::default());
        assert_eq!(p.outages[0].device.name(&grid.model), "fuse.f1-l2");
        // The meters of the lateral came back, but for those on the first one's transformer:
        // that transformer is still out, nothing above it.
        let xf = |c: &CustomerId| grid.model.customers[c.index()].transformer;
        let same: Vec<CustomerId> =
            lateral.iter().copied().filter(|c| xf(c) == xf(&lateral[0])).collect();
        assert!(same.len() >= 2 && same.len() < lateral.len());
        let mut events = gasps.clone();
        for c in lateral.iter().filter(|c| !same.contains(c)) {
            events.push(MeterEvent { customer: *c, kind: MeterEventKind::PowerRestore, at_s: 600 });
        }
        let p = predict_with_meters(&index, &[], &events, &[], &PredictParams::default());
        assert_eq!(p.outages.len(), 1);
        let o = &p.outages[0];
        assert_eq!(o.customers_out, same.len(), "{}", o.device.name(&grid.model));
        assert_eq!(o.last_gasps, same.len());
        // A neighbour on that transformer has supply too: no grid device is out for the
        // others; what is left is at the customers' own service (单户故障).
        events.push(MeterEvent {
            customer: same[1],
            kind: MeterEventKind::PowerRestore,
            at_s: 700,
        });
        let p = predict_with_meters(&index, &[], &events, &[], &PredictParams::default());
        assert!(
            p.outages.is_empty(),
            "{:?}",
            p.outages.iter().map(|o| o.device.name(&grid.model)).collect::<Vec<_>>()
        );
    }
}
