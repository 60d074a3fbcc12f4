//! Topology tests: hand-made feeders for the stories, random networks against a brute-force
//! search for the properties.

use super::*;
use crate::model::*;
use crate::rng::Rng;

/// A small builder for test networks.
struct Builder {
    m: GridModel,
}

impl Builder {
    fn new() -> Self {
        let mut m = GridModel { name: "test".into(), ..Default::default() };
        m.substations.push(Substation {
            name: "sub.zumiao".into(),
            display_name: "祖庙站".into(),
            pos: LonLat::new(113.12, 23.03),
            kv_hv: 110.0,
        });
        Builder { m }
    }
    fn bus(&mut self, name: &str) -> BusId {
        self.m.buses.push(Bus { name: name.into(), pos: Some(LonLat::new(113.12, 23.02)) });
        BusId(self.m.buses.len() as u32 - 1)
    }
    fn feeder(&mut self, name: &str) -> (FeederId, BusId) {
        let src = self.bus(&format!("{name}-src"));
        self.m.feeders.push(Feeder {
            name: format!("feeder.{name}"),
            display_name: name.into(),
            substation: SubstationId(0),
            source_bus: src,
            kv: 10.0,
            unit: "禅城供电所".into(),
        });
        (FeederId(self.m.feeders.len() as u32 - 1), src)
    }
    fn line(&mut self, from: BusId, to: BusId) -> LineId {
        self.m.lines.push(LineSection {
            name: format!("line.{}-{}", from.0, to.0),
            from,
            to,
            length_m: 100.0,
            phases: 3,
            route: vec![],
            in_service: true,
        });
        LineId(self.m.lines.len() as u32 - 1)
    }
    fn switch(&mut self, kind: SwitchKind, from: BusId, to: BusId, open: bool) -> SwitchId {
        self.m.switches.push(Switch {
            name: format!("switch.{}-{}", from.0, to.0),
            kind,
            mount: SwitchMount::Terminals { from, to },
            normally_open: open,
            pos: None,
        });
        SwitchId(self.m.switches.len() as u32 - 1)
    }
    fn fuse_on(&mut self, line: LineId) -> SwitchId {
        self.m.switches.push(Switch {
            name: format!("fuse.{}", line.0),
            kind: SwitchKind::Fuse,
            mount: SwitchMount::OnLine(line),
            normally_open: false,
            pos: None,
        });
        SwitchId(self.m.switches.len() as u32 - 1)
    }
    fn transformer(&mut self, hv: BusId, lv: BusId) -> TransformerId {
        self.m.transformers.push(Transformer {
            name: format!("transformer.{}", hv.0),
            display_name: String::new(),
            kind: TransformerKind::Public,
            hv_bus: hv,
            lv_bus: lv,
            kva: 400.0,
            pos: None,
        });
        TransformerId(self.m.transformers.len() as u32 - 1)
    }
    fn customer(&mut self, bus: BusId) -> CustomerId {
        let n = self.m.customers.len();
        self.m.customers.push(Customer {
            name: format!("cust.{n}"),
            account_no: format!("06{n:08}"),
            display_name: "陈伟".into(),
            phones: vec![],
            address: StandardAddress::default(),
            labels: Labels::default(),
            bus,
            transformer: None,
            kw: 3.0,
            pos: LonLat::new(113.12, 23.02),
        });
        CustomerId(n as u32)
    }
}

/// Two feeders: zm01 with a breaker, a sectionaliser, a fused lateral and a transformer;
/// zm02 with a breaker; a tie between their ends.
struct TwoFeeders {
    m: GridModel,
    zm01: FeederId,
    zm02: FeederId,
    breaker1: SwitchId,
    sect: SwitchId,
    fuse: SwitchId,
    tie: SwitchId,
    lateral_customers: Vec<CustomerId>,
    far_customers: Vec<CustomerId>,
    near_customers: Vec<CustomerId>,
    zm02_customers: Vec<CustomerId>,
    lv_bus: BusId,
}

fn two_feeders() -> TwoFeeders {
    let mut b = Builder::new();
    let (zm01, s1) = b.feeder("zm01");
    let (zm02, s2) = b.feeder("zm02");
    let a1 = b.bus("a1");
    let breaker1 = b.switch(SwitchKind::Breaker, s1, a1, false);
    let a2 = b.bus("a2");
    b.line(a1, a2);
    let a3 = b.bus("a3");
    let sect = b.switch(SwitchKind::Sectionaliser, a2, a3, false);
    let a4 = b.bus("a4");
    b.line(a3, a4);
    // fused lateral from a2 with a transformer
    let l1 = b.bus("l1");
    let lat = b.line(a2, l1);
    let fuse = b.fuse_on(lat);
    let lv = b.bus("l1-lv");
    b.transformer(l1, lv);
    let lateral_customers = vec![b.customer(lv), b.customer(lv)];
    let near_customers = vec![b.customer(a1)];
    let far_customers = vec![b.customer(a3), b.customer(a4)];
    // zm02
    let c1 = b.bus("c1");
    b.switch(SwitchKind::Breaker, s2, c1, false);
    let c2 = b.bus("c2");
    b.line(c1, c2);
    let zm02_customers = vec![b.customer(c2)];
    let tie = b.switch(SwitchKind::Tie, a4, c2, true);
    TwoFeeders {
        m: b.m,
        zm01,
        zm02,
        breaker1,
        sect,
        fuse,
        tie,
        lateral_customers,
        far_customers,
        near_customers,
        zm02_customers,
        lv_bus: lv,
    }
}

fn sorted(v: &[CustomerId]) -> Vec<CustomerId> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[test]
fn opening_a_fuse_drops_exactly_its_lateral() {
    let t = two_feeders();
    let topo = Topology::new(&t.m);
    let a = topo.affected_customers(&t.m, DeviceRef::Element(ElementRef::Switch(t.fuse)));
    assert_eq!(sorted(&a.customers), t.lateral_customers);
    assert_eq!(a.feeder, Some(t.zm01));
}

#[test]
fn the_breaker_drops_the_whole_feeder_but_not_the_neighbour() {
    let t = two_feeders();
    let topo = Topology::new(&t.m);
    let a = topo.affected_customers(&t.m, DeviceRef::Element(ElementRef::Switch(t.breaker1)));
    let mut want =
        [t.lateral_customers.clone(), t.near_customers.clone(), t.far_customers.clone()].concat();
    want.sort();
    assert_eq!(sorted(&a.customers), want);
    let whole = topo.affected_customers(&t.m, DeviceRef::Feeder(t.zm01));
    assert_eq!(sorted(&whole.customers), want);
}

#[test]
fn an_open_tie_loses_nobody_and_closing_it_backfeeds_the_far_end() {
    let t = two_feeders();
    let mut topo = Topology::new(&t.m);
    assert!(topo
        .affected_customers(&t.m, DeviceRef::Element(ElementRef::Switch(t.tie)))
        .customers
        .is_empty());
    // Open the sectionaliser: the far end goes dark.
    let ch = topo.set_switch(t.sect, true);
    assert_eq!(ch.rederived_feeders, vec![t.zm01]);
    for c in &t.far_customers {
        assert!(!topo.is_energised(t.m.customers[c.index()].bus));
    }
    // Close the tie: zm02 picks the far end up.
    let ch = topo.set_switch(t.tie, false);
    assert_eq!(ch.rederived_feeders, vec![t.zm02]);
    for c in &t.far_customers {
        assert_eq!(topo.feeder_of(t.m.customers[c.index()].bus), Some(t.zm02));
    }
    let a = topo.affected_customers(&t.m, DeviceRef::Feeder(t.zm02));
    let mut want = [t.far_customers.clone(), t.zm02_customers.clone()].concat();
    want.sort();
    assert_eq!(sorted(&a.customers), want);
}

#[test]
fn closing_a_tie_between_live_feeders_is_reported_as_a_loop_and_answers_stay_true() {
    let t = two_feeders();
    let mut topo = Topology::new(&t.m);
    assert!(topo.report().loops.is_empty());
    topo.set_switch(t.tie, false);
    let report = topo.report();
    assert_eq!(report.loops.len(), 1, "{report:?}");
    assert!(report.loops[0].other_feeder.is_some());
    assert_eq!(report.loops[0].closed_ties, vec![t.tie], "the report names the tie to open");
    // With the loop closed, opening the sectionaliser loses nobody: zm02 still feeds a3/a4.
    let a = topo.affected_customers(&t.m, DeviceRef::Element(ElementRef::Switch(t.sect)));
    assert!(a.customers.is_empty(), "{:?}", a.customers);
}

#[test]
fn the_supply_path_runs_from_the_breaker_through_the_fuse_to_the_transformer() {
    let t = two_feeders();
    let topo = Topology::new(&t.m);
    let path = topo.supply_path(&t.m, t.lv_bus).expect("energised");
    assert_eq!(path.feeder, t.zm01);
    assert_eq!(path.switches, vec![t.breaker1, t.fuse]);
    assert_eq!(path.transformer, Some(TransformerId(0)));
    assert_eq!(path.buses.first(), Some(&t.m.feeders[0].source_bus));
    assert_eq!(path.buses.last(), Some(&t.lv_bus));
}

#[test]
fn a_dead_section_is_reported_as_an_island() {
    let t = two_feeders();
    let mut topo = Topology::new(&t.m);
    topo.set_switch(t.sect, true);
    let r = topo.report();
    assert_eq!(r.islands.len(), 1);
    assert_eq!(r.islands[0].buses, 2);
    assert_eq!(r.islands[0].customers, t.far_customers.len());
}

/// A random network: `feeders` sources, a random spanning forest of lines and switches, fuses
/// on some lines, extra ties (normally open) between random buses, customers anywhere.
fn random_network(rng: &mut Rng, buses: usize, feeders: usize) -> GridModel {
    let mut b = Builder::new();
    let mut all = Vec::new();
    for f in 0..feeders {
        let (_, src) = b.feeder(&format!("f{f}"));
        all.push(src);
    }
    while all.len() < buses {
        let parent = all[rng.index(all.len())];
        let bus = b.bus(&format!("b{}", all.len()));
        match rng.below(10) {
            0 => {
                b.switch(SwitchKind::Sectionaliser, parent, bus, false);
            }
            1 => {
                let l = b.line(parent, bus);
                b.fuse_on(l);
            }
            2 => {
                b.transformer(parent, bus);
            }
            _ => {
                b.line(parent, bus);
            }
        }
        all.push(bus);
        for _ in 0..rng.below(3) {
            b.customer(bus);
        }
    }
    for _ in 0..(buses / 15).max(2) {
        let x = all[rng.index(all.len())];
        let y = all[rng.index(all.len())];
        if x != y {
            b.switch(SwitchKind::Tie, x, y, true);
        }
    }
    b.m
}

/// Customers that lose supply when `blocked` is removed, by brute force.
fn brute_force_lost(topo: &Topology, m: &GridModel, blocked: &[EdgeIdx]) -> Vec<CustomerId> {
    let before = topo.supplied_without(&[]);
    let after = topo.supplied_without(blocked);
    (0..m.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| {
            let b = m.customers[c.index()].bus.index();
            before[b] && !after[b]
        })
        .collect()
}

#[test]
fn every_trace_equals_a_brute_force_search_for_random_devices_and_switch_states() {
    let mut rng = Rng::new(20261124);
    let mut checked = 0;
    for round in 0..40 {
        let m = random_network(&mut rng, 60 + round * 5, 1 + round % 4);
        let mut topo = Topology::new(&m);
        for _ in 0..25 {
            // toggle a random switch
            if !m.switches.is_empty() {
                let s = SwitchId(rng.index(m.switches.len()) as u32);
                let open = !topo.is_open(s);
                topo.set_switch(s, open);
            }
            // incremental state equals a fresh derivation with the same switch states
            let mut fresh_model = m.clone();
            for (i, s) in fresh_model.switches.iter_mut().enumerate() {
                s.normally_open = topo.is_open(SwitchId(i as u32));
            }
            let fresh = Topology::new(&fresh_model);
            assert_eq!(fresh.bus_feeder, topo.bus_feeder, "round {round}");
            assert_eq!(fresh.bus_parent_edge, topo.bus_parent_edge, "round {round}");
            assert_eq!(fresh.trees, topo.trees, "round {round}");
            // energised buses equal a plain search from the sources
            let supplied = topo.supplied_without(&[]);
            for (b, s) in supplied.iter().enumerate() {
                assert_eq!(*s, topo.is_energised(BusId(b as u32)));
            }
            // affected customers of random elements equal brute force
            for _ in 0..10 {
                let e = rng.index(topo.network().edges.len()) as EdgeIdx;
                let el = topo.network().edges[e as usize].element;
                let got = sorted(&topo.affected_customers(&m, DeviceRef::Element(el)).customers);
                let want = brute_force_lost(&topo, &m, &[e]);
                assert_eq!(got, want, "round {round}, element {el:?}");
                // `cuts` answers the same, customer by customer
                for c in 0..m.customers.len() as u32 {
                    let c = CustomerId(c);
                    let cut = topo.cuts(&m, DeviceRef::Element(el), c);
                    assert_eq!(cut, want.contains(&c), "round {round}, {el:?}, {c:?}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 10_000);
}

#[test]
fn a_switch_on_a_missing_line_or_an_unknown_switch_changes_nothing() {
    let t = two_feeders();
    let mut topo = Topology::new(&t.m);
    assert_eq!(topo.set_switch(SwitchId(999), true), SwitchChange::default());
    assert!(topo
        .affected_customers(&t.m, DeviceRef::Element(ElementRef::Line(LineId(999))))
        .customers
        .is_empty());
}

#[test]
fn downstream_devices_of_the_sectionaliser_include_the_tie() {
    let t = two_feeders();
    let topo = Topology::new(&t.m);
    let sw = topo.downstream_switches(DeviceRef::Element(ElementRef::Switch(t.sect)));
    assert_eq!(sw, vec![t.tie]);
    let below_breaker =
        topo.downstream_switches(DeviceRef::Element(ElementRef::Switch(t.breaker1)));
    assert!(
        below_breaker.contains(&t.sect)
            && below_breaker.contains(&t.fuse)
            && below_breaker.contains(&t.tie)
    );
    assert!(!below_breaker.contains(&t.breaker1));
}

#[test]
fn a_per_phase_bank_is_a_parallel_unit_not_a_mesh() {
    // Three single-phase regulators between the same two buses, as in the IEEE 8500 feeder.
    let mut b = Builder::new();
    let (_, src) = b.feeder("reg");
    let lo = b.bus("reg-lo");
    for _ in 0..3 {
        b.transformer(src, lo);
    }
    let c = b.customer(lo);
    let topo = Topology::new(&b.m);
    let r = topo.report();
    assert!(r.loops.is_empty(), "{r:?}");
    assert_eq!(r.parallel_units.len(), 2);
    // Opening one unit of the bank loses nobody; the answer was checked around the loop.
    let a = topo
        .affected_customers(&b.m, DeviceRef::Element(ElementRef::Transformer(TransformerId(0))));
    assert!(a.customers.is_empty() && a.checked_loops, "{a:?}");
    assert!(topo.is_energised(b.m.customers[c.index()].bus));
}
