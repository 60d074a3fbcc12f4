//! Appointment-outage planning (issue 6): isolating a drawn area, checked against a
//! brute-force walk of the network; back-feed through a tie; rule presets; the window
//! chooser; scenarios in the store.

use std::collections::HashSet;

use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{BusId, CustomerId, LonLat, Switch, SwitchId, SwitchKind, SwitchMount};
use gridcare::planning::{back_feed, is_operable, isolate_polygon, Isolation};
use gridcare::sim::{sample_grid, sample_model, SampleFeeders};

/// Energised buses by a plain breadth-first walk from every feeder source, crossing an edge
/// when it is in service and none of its switches is open in `open`. No radial index.
fn live_buses(grid: &Grid, open: &[bool]) -> Vec<bool> {
    let net = grid.topology.network();
    let n = net.bus_count();
    let mut live = vec![false; n];
    let mut queue: std::collections::VecDeque<BusId> = std::collections::VecDeque::new();
    for f in &grid.model.feeders {
        if !live[f.source_bus.index()] {
            live[f.source_bus.index()] = true;
            queue.push_back(f.source_bus);
        }
    }
    while let Some(b) = queue.pop_front() {
        for &(e, other) in net.neighbours(b) {
            let edge = &net.edges[e as usize];
            let conducts = edge.in_service && edge.gates.iter().flatten().all(|s| !open[s.index()]);
            if conducts && !live[other.index()] {
                live[other.index()] = true;
                queue.push_back(other);
            }
        }
    }
    live
}

fn dead_customers(grid: &Grid, open: &[bool]) -> Vec<CustomerId> {
    let normal = live_buses(grid, grid.topology.switch_states());
    let live = live_buses(grid, open);
    (0..grid.model.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| {
            let b = grid.model.customers[c.index()].bus.index();
            normal[b] && !live[b]
        })
        .collect()
}

fn with_open(grid: &Grid, switches: &[SwitchId]) -> Vec<bool> {
    let mut open = grid.topology.switch_states().to_vec();
    for s in switches {
        open[s.index()] = true;
    }
    open
}

fn names(grid: &Grid, switches: &[SwitchId]) -> Vec<String> {
    switches.iter().map(|s| grid.model.switches[s.index()].name.clone()).collect()
}

/// The sample grid's local coordinates (units of ~100 m).
fn p(x: f64, y: f64) -> LonLat {
    LonLat::new(113.10 + x * 0.001, 23.00 + y * 0.001)
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<LonLat> {
    vec![p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1)]
}

/// What the isolation must satisfy, whatever the grid: the topology walk agrees on who is cut,
/// every isolatable inside customer is dead, and no switch is redundant.
fn check_against_walk(grid: &Grid, iso: &Isolation) {
    let dead = dead_customers(grid, &with_open(grid, &iso.switches));
    assert_eq!(dead, iso.affected, "affected customers = the brute-force walk's dead set");
    let dead: HashSet<CustomerId> = dead.into_iter().collect();
    let stuck: HashSet<CustomerId> = iso.not_isolatable.iter().copied().collect();
    for c in &iso.inside {
        assert!(dead.contains(c) || stuck.contains(c), "inside customer {c:?} left live");
    }
    // Not isolatable: live even with every operable switch open.
    let all_open: Vec<bool> = grid
        .model
        .switches
        .iter()
        .enumerate()
        .map(|(i, s)| grid.topology.switch_states()[i] || is_operable(s.kind))
        .collect();
    let live = live_buses(grid, &all_open);
    for c in &iso.not_isolatable {
        assert!(live[grid.model.customers[c.index()].bus.index()], "{c:?} could be isolated");
    }
    // Irredundant: closing any chosen switch again re-energises an inside customer.
    for s in &iso.switches {
        let rest: Vec<SwitchId> = iso.switches.iter().copied().filter(|x| x != s).collect();
        let dead: HashSet<CustomerId> =
            dead_customers(grid, &with_open(grid, &rest)).into_iter().collect();
        assert!(
            iso.inside.iter().any(|c| !stuck.contains(c) && !dead.contains(c)),
            "switch {} is not needed",
            grid.model.switches[s.index()].name
        );
    }
}

/// The cheapest (customers outside, switches) over every subset of `candidates` that kills
/// every isolatable inside customer: exhaustive search.
fn brute_force_cost(grid: &Grid, iso: &Isolation, candidates: &[SwitchId]) -> (usize, usize) {
    let inside: HashSet<CustomerId> = iso.inside.iter().copied().collect();
    let need: Vec<CustomerId> =
        iso.inside.iter().copied().filter(|c| !iso.not_isolatable.contains(c)).collect();
    assert!(candidates.len() <= 16, "{} candidates is too many to enumerate", candidates.len());
    let mut best = (usize::MAX, usize::MAX);
    for mask in 0u32..(1 << candidates.len()) {
        let set: Vec<SwitchId> =
            (0..candidates.len()).filter(|i| mask & (1 << i) != 0).map(|i| candidates[i]).collect();
        let dead: HashSet<CustomerId> =
            dead_customers(grid, &with_open(grid, &set)).into_iter().collect();
        if need.iter().all(|c| dead.contains(c)) {
            let outside = dead.iter().filter(|c| !inside.contains(c)).count();
            best = best.min((outside, set.len()));
        }
    }
    best
}

fn operable_closed(grid: &Grid) -> Vec<SwitchId> {
    (0..grid.model.switches.len() as u32)
        .map(SwitchId)
        .filter(|s| !grid.topology.is_open(*s) && is_operable(grid.model.switches[s.index()].kind))
        .collect()
}

mod isolation {
    use super::*;

    #[test]
    fn a_box_around_one_lateral_is_isolated_by_its_fuse_alone() {
        let grid = sample_grid(&SampleFeeders::default());
        let iso = isolate_polygon(&grid, &rect(4.3, 11.0, 4.9, 14.0));
        assert_eq!(names(&grid, &iso.switches), ["fuse.f1-l2"]);
        assert_eq!(iso.inside.len(), 15);
        assert_eq!(iso.affected, iso.inside);
        assert!(iso.outside_cut.is_empty() && iso.not_isolatable.is_empty());
        check_against_walk(&grid, &iso);
    }

    #[test]
    fn the_sample_grid_isolations_cost_what_an_exhaustive_search_finds() {
        let grid = sample_grid(&SampleFeeders::default());
        let candidates = operable_closed(&grid);
        assert_eq!(candidates.len(), 12);
        let boxes = [
            // two laterals on either side of feeder 1's recloser
            rect(4.3, 11.0, 6.9, 12.0),
            // laterals 3 and 4 of feeder 1 plus one lateral of feeder 2
            rect(6.3, 11.0, 8.9, 14.0),
            // a strip across every lateral of feeder 2 near the trunk
            rect(0.0, 21.0, 9.0, 22.0),
            // the trunk transformer of feeder 1 (no switch below the breaker)
            rect(0.9, 8.0, 1.5, 9.0),
            // lateral 4 of both feeders
            rect(8.3, 11.0, 8.9, 24.0),
            // one customer of lateral 1 of feeder 2
            rect(2.45, 21.55, 2.52, 21.65),
        ];
        for ring in boxes {
            let iso = isolate_polygon(&grid, &ring);
            assert!(!iso.inside.is_empty(), "box {ring:?} holds customers");
            check_against_walk(&grid, &iso);
            let ours = (iso.outside_cut.len(), iso.switches.len());
            assert_eq!(ours, brute_force_cost(&grid, &iso, &candidates), "box {ring:?}");
        }
    }

    #[test]
    fn customers_below_no_switch_but_the_breaker_cut_the_whole_feeder() {
        let grid = sample_grid(&SampleFeeders::default());
        let iso = isolate_polygon(&grid, &rect(0.9, 8.0, 1.5, 9.0));
        assert_eq!(names(&grid, &iso.switches), ["breaker.f1"]);
        assert_eq!((iso.inside.len(), iso.affected.len(), iso.outside_cut.len()), (5, 65, 60));
    }

    fn demo_city() -> Grid {
        Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads")
    }

    #[test]
    fn drawn_areas_on_the_demo_city_match_the_topology_walk() {
        let grid = demo_city();
        let n = grid.model.customers.len();
        // Boxes of about 100 m and 400 m around customers spread over the city.
        let (mut tried, mut exhaustive) = (0, 0);
        for k in 0..12 {
            let c = &grid.model.customers[(k * 7919 + 13) % n];
            for half_deg in [0.0005, 0.002] {
                let ring = vec![
                    LonLat::new(c.pos.lon - half_deg, c.pos.lat - half_deg),
                    LonLat::new(c.pos.lon + half_deg, c.pos.lat - half_deg),
                    LonLat::new(c.pos.lon + half_deg, c.pos.lat + half_deg),
                    LonLat::new(c.pos.lon - half_deg, c.pos.lat + half_deg),
                ];
                let iso = isolate_polygon(&grid, &ring);
                if iso.inside.is_empty() {
                    continue;
                }
                tried += 1;
                check_against_walk(&grid, &iso);
                // Exhaustive check where few switches can matter: only switches on the supply
                // path of an inside customer can de-energise it; any other only costs.
                let mut local: Vec<SwitchId> = iso
                    .inside
                    .iter()
                    .filter_map(|c| {
                        grid.topology.supply_path(&grid.model, grid.model.customers[c.index()].bus)
                    })
                    .flat_map(|p| p.switches)
                    .filter(|s| is_operable(grid.model.switches[s.index()].kind))
                    .collect();
                local.sort();
                local.dedup();
                if local.len() <= 8 {
                    exhaustive += 1;
                    let ours = (iso.outside_cut.len(), iso.switches.len());
                    assert_eq!(ours, brute_force_cost(&grid, &iso, &local));
                }
            }
        }
        assert!(tried >= 12, "only {tried} boxes held customers");
        println!("{tried} boxes checked, {exhaustive} exhaustively");
        assert!(exhaustive >= 6, "only {exhaustive} boxes were checked exhaustively");
    }
}

/// The sample grid with a tie between the far ends of the trunks of feeders 1 and 2.
fn sample_with_tie() -> Grid {
    let mut m = sample_model(&SampleFeeders::default());
    let bus = |m: &gridcare::model::GridModel, name: &str| {
        BusId(m.buses.iter().position(|b| b.name == name).expect("bus") as u32)
    };
    let (from, to) = (bus(&m, "f1.t4"), bus(&m, "f2.t4"));
    m.switches.push(Switch {
        name: "tie.f1-f2".into(),
        kind: SwitchKind::Tie,
        mount: SwitchMount::Terminals { from, to },
        normally_open: true,
        pos: None,
    });
    Grid::from_model(m)
}

mod back_feeding {
    use super::*;

    #[test]
    fn a_tie_back_feeds_the_far_laterals_when_the_breaker_isolates_the_trunk() {
        let grid = sample_with_tie();
        let iso = isolate_polygon(&grid, &rect(0.9, 8.0, 1.5, 9.0));
        assert_eq!(names(&grid, &iso.switches), ["breaker.f1"]);
        let feeds = back_feed(&grid, &iso.switches, &iso.inside);
        assert_eq!(feeds.len(), 1);
        let bf = &feeds[0];
        assert_eq!(grid.model.switches[bf.tie.index()].name, "tie.f1-f2");
        assert_eq!(names(&grid, &bf.extra_switches), ["recloser.f1"]);
        // Laterals 3 and 4 of feeder 1 (2 × 3 transformers × 5 customers).
        let expect: Vec<CustomerId> = (0..grid.model.customers.len() as u32)
            .map(CustomerId)
            .filter(|c| {
                let n = &grid.model.customers[c.index()].name;
                n.starts_with("load.f1-l3-") || n.starts_with("load.f1-l4-")
            })
            .collect();
        assert_eq!(bf.saved, expect);
        // The walk agrees: breaker and recloser open, tie closed.
        let mut open = with_open(&grid, &[iso.switches[0], bf.extra_switches[0]]);
        open[bf.tie.index()] = false;
        let live = live_buses(&grid, &open);
        for c in &bf.saved {
            assert!(live[grid.model.customers[c.index()].bus.index()]);
        }
        for c in &iso.inside {
            assert!(!live[grid.model.customers[c.index()].bus.index()], "work area fed");
        }
    }

    #[test]
    fn a_tie_into_a_live_trunk_saves_nobody() {
        let grid = sample_with_tie();
        let iso = isolate_polygon(&grid, &rect(4.3, 11.0, 4.9, 14.0));
        assert!(back_feed(&grid, &iso.switches, &iso.inside).is_empty());
    }
}

mod filter_rules {
    use super::*;
    use gridcare::model::Labels;
    use gridcare::planning::{apply_rules, PresetFile};

    /// Every customer of the demo city's first feeders: a large affected set with every label.
    fn affected(grid: &Grid) -> Vec<CustomerId> {
        let mut out: Vec<CustomerId> = (0..grid.model.customers.len() as u32)
            .map(CustomerId)
            .filter(|c| {
                grid.topology
                    .feeder_of(grid.model.customers[c.index()].bus)
                    .is_some_and(|f| f.0 < 6)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn each_preset_selects_exactly_the_customers_with_the_labels_it_names() {
        let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
        let presets = PresetFile::embedded().expect("embedded presets parse");
        let affected = affected(&grid);
        let has = |c: &CustomerId, l: Labels| grid.model.customers[c.index()].labels.contains(l);
        let kw = |c: &CustomerId| grid.model.customers[c.index()].kw;
        type Pick<'a> = Box<dyn Fn(&CustomerId) -> bool + 'a>;
        let expected: Vec<(&str, Pick)> = vec![
            ("critical", Box::new(|c| has(c, Labels::IMPORTANT) || has(c, Labels::LIFE_SUPPORT))),
            ("sensitive", Box::new(|c| has(c, Labels::OUTAGE_SENSITIVE))),
            ("large_commercial", Box::new(|c| has(c, Labels::COMMERCIAL) && kw(c) >= 50.0)),
            ("wechat", Box::new(|c| has(c, Labels::WECHAT))),
            (
                "appointment",
                Box::new(|c| {
                    has(c, Labels::IMPORTANT)
                        || has(c, Labels::LIFE_SUPPORT)
                        || has(c, Labels::OUTAGE_SENSITIVE)
                        || (has(c, Labels::COMMERCIAL) && kw(c) >= 50.0)
                }),
            ),
        ];
        for (name, pick) in expected {
            let preset = presets.preset(name).expect("preset");
            let got = apply_rules(&grid, &affected, &preset.rules).expect("rules apply");
            let want: Vec<CustomerId> = affected.iter().copied().filter(|c| pick(c)).collect();
            assert!(!want.is_empty(), "the demo city has customers for `{name}`");
            assert!(want.len() < affected.len(), "`{name}` does not select everyone");
            assert_eq!(got, want, "preset `{name}`");
        }
    }

    #[test]
    fn a_broken_presets_file_is_refused_naming_the_file_and_the_field() {
        let e = PresetFile::parse(r#"{"presets": [{"name": "a", "rules": [{}]}]}"#, "my.json")
            .expect_err("empty rule");
        assert_eq!(
            e.to_string(),
            "my.json: preset `a`, rule 1: a rule needs at least one condition"
        );
        let e = PresetFile::parse(r#"{"presets": [{"name": "a", "rulez": []}]}"#, "my.json")
            .expect_err("unknown field");
        assert!(e.to_string().starts_with("my.json: unknown field `rulez`"), "{e}");
        assert!(e.to_string().contains("line 1"), "{e}");
        let e = PresetFile::parse("{\n\"presets\": [],\n\"weights\": {\"base\": 1, \"labels\": {\"vip\": 2}, \"objection_h\": 1, \"preference_h\": 1, \"conflict_h\": 1}}", "w.json")
            .expect_err("unknown label");
        assert_eq!(e.to_string(), "w.json: weights.labels: unknown label `vip`");
        let presets = PresetFile::embedded().expect("embedded");
        let e = presets.preset("nobody").expect_err("unknown preset");
        assert!(e.to_string().starts_with("no preset named `nobody` (presets: critical,"), "{e}");
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-plan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn t(text: &str) -> i64 {
    gridcare::store::parse_time(text).expect("a time")
}

mod best_window {
    use std::sync::Arc;

    use super::*;
    use gridcare::model::Labels;
    use gridcare::outage::{OutageBook, PlannedOutage};
    use gridcare::planning::{
        choose_window, other_outages, scenario_impact, Answer, CandidateWindow, PresetFile,
        WindowQuestion,
    };
    use gridcare::store::{OpenOptions, Store, VirtualClock};

    fn window(name: &str, start: &str, end: &str, crews: u32) -> CandidateWindow {
        CandidateWindow {
            name: name.into(),
            start_s: t(start),
            end_s: t(end),
            crews_available: crews,
        }
    }

    #[test]
    fn the_window_the_answers_favour_is_chosen_and_the_reason_names_the_objections() {
        let mut model = sample_model(&SampleFeeders::default());
        // A life-support customer on lateral 2 of feeder 1.
        let ls = model.customers.iter().position(|c| c.name == "load.f1-l2-t1-c1").expect("c");
        model.customers[ls].labels = Labels::LIFE_SUPPORT;
        let grid = Grid::from_model(model);
        let fuse = grid.resolve("fuse.f1-l2").expect("fuse");
        let im = scenario_impact(&grid, &[fuse], 0, 1);
        let weights = PresetFile::embedded().expect("presets").weights;
        let windows = [
            window("Mon", "2026-12-07 08:00", "2026-12-07 12:00", 2),
            window("Tue", "2026-12-08 08:00", "2026-12-08 12:00", 2),
            window("Wed", "2026-12-09 08:00", "2026-12-09 11:00", 2),
        ];
        let cust = |i: usize| im.customers[i];
        let ls = CustomerId(ls as u32);
        // The life-support customer objects to Wed (the shortest window); three others object
        // to Mon; four prefer Tue.
        let mut answers = vec![Answer {
            customer: ls,
            preferred: vec![],
            objections: vec!["Wed".into()],
            reason: "dialysis on Wednesday mornings".into(),
        }];
        for i in 1..4 {
            answers.push(Answer {
                customer: cust(i),
                preferred: vec![],
                objections: vec!["Mon".into()],
                reason: "market day".into(),
            });
        }
        for i in 4..8 {
            answers.push(Answer {
                customer: cust(i),
                preferred: vec!["Tue".into()],
                objections: vec![],
                reason: String::new(),
            });
        }
        let q = WindowQuestion {
            affected: &im.customers,
            feeders: &im.feeders,
            windows: &windows,
            answers: &answers,
            others: &[],
            crews_needed: 1,
            weights: &weights,
        };
        let r = choose_window(&grid, &q).expect("ranked");
        // 15 customers, one weighing 11: 25 weight units. Mon 4 h: 100 + 3×4 = 112;
        // Tue 4 h: 100 − 4×1 = 96; Wed 3 h: 75 + 11×4 = 119.
        let order: Vec<(&str, f64)> = r.rows.iter().map(|w| (w.name.as_str(), w.score)).collect();
        assert_eq!(order, [("Tue", 96.0), ("Mon", 112.0), ("Wed", 119.0)]);
        assert_eq!(r.chosen.as_deref(), Some("Tue"));
        assert_eq!(r.rows[2].objecting, [grid.model.customers[ls.index()].account_no.clone()]);
        assert_eq!(r.rows[1].objecting.len(), 3);
        assert_eq!(r.rows[0].preferring.len(), 4);
        assert!(
            r.why.starts_with("Tue: score 96.0 against 112.0 for Mon (3 objection(s)"),
            "{}",
            r.why
        );
        // Without the answers the shortest window wins.
        let q = WindowQuestion { answers: &[], ..q };
        assert_eq!(choose_window(&grid, &q).expect("ranked").chosen.as_deref(), Some("Wed"));
    }

    #[test]
    fn another_planned_outage_on_the_feeder_and_too_few_crews_push_a_window_down() {
        let grid = sample_grid(&SampleFeeders::default());
        let dir = scratch("conflict");
        let clock = Arc::new(VirtualClock::new(t("2026-12-01 09:00")));
        let options = OpenOptions { kinds: gridcare::store_kinds(), clock: clock.clone() };
        let store = Store::open_with(&dir, options).expect("store");
        let mut book = OutageBook::open(Arc::new(store), &grid).expect("book");
        // Feeder 1 already has planned work on Monday morning (lateral 4).
        book.plan(
            &grid,
            PlannedOutage {
                devices: vec![grid.resolve("fuse.f1-l4").expect("fuse")],
                start_s: t("2026-12-07 09:00"),
                end_s: t("2026-12-07 15:00"),
                reason: "pole replacement".into(),
                notice: String::new(),
                author: "planner".into(),
            },
        )
        .expect("planned");
        let others = other_outages(&book, &grid);
        assert_eq!(others.len(), 1);
        let fuse = grid.resolve("fuse.f1-l2").expect("fuse");
        let im = scenario_impact(&grid, &[fuse], 0, 1);
        let windows = [
            window("Mon", "2026-12-07 08:00", "2026-12-07 11:00", 2),
            window("Tue", "2026-12-08 08:00", "2026-12-08 12:00", 2),
            window("Wed", "2026-12-09 08:00", "2026-12-09 10:00", 0),
        ];
        let weights = gridcare::planning::Weights::default();
        let q = WindowQuestion {
            affected: &im.customers,
            feeders: &im.feeders,
            windows: &windows,
            answers: &[],
            others: &others,
            crews_needed: 1,
            weights: &weights,
        };
        let r = choose_window(&grid, &q).expect("ranked");
        let names: Vec<&str> = r.rows.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["Tue", "Mon", "Wed"]);
        assert_eq!(r.rows[1].conflicts, [others[0].id]);
        assert!(!r.rows[2].feasible);
        assert!(r.why.ends_with("; too few crews (need 1) in Wed"), "{}", r.why);
        // A window naming an unknown candidate is refused, naming the customer.
        let bad = [Answer {
            customer: im.customers[0],
            preferred: vec!["Fri".into()],
            objections: vec![],
            reason: String::new(),
        }];
        let e = choose_window(&grid, &WindowQuestion { answers: &bad, ..q }).expect_err("Fri");
        assert!(e.to_string().ends_with("no candidate window named `Fri`"), "{e}");
        book.close().expect("closed");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

mod scenarios_in_the_store {
    use std::sync::Arc;

    use super::*;
    use gridcare::planning::{PlanningError, ScenarioArea, ScenarioBook, ScenarioEvent};
    use gridcare::store::{OpenOptions, Store, VirtualClock};

    fn open(dir: &std::path::Path, clock: &Arc<VirtualClock>) -> ScenarioBook {
        let options = OpenOptions { kinds: gridcare::store_kinds(), clock: clock.clone() };
        ScenarioBook::open(Arc::new(Store::open_with(dir, options).expect("store")))
    }

    fn close(book: ScenarioBook) {
        let store = Arc::try_unwrap(book.store().clone()).ok();
        drop(book);
        if let Some(s) = store {
            s.close().expect("closed");
        }
    }

    #[test]
    fn a_scenario_is_drawn_edited_reopened_from_disk_with_its_history_in_order() {
        let grid = sample_grid(&SampleFeeders::default());
        let dir = scratch("scenario");
        let clock = Arc::new(VirtualClock::new(t("2026-12-01 09:00")));
        let book = open(&dir, &clock);
        let area =
            ScenarioArea::Devices { devices: vec!["FUSE.F1-L2".into(), "fuse.f1-l2".into()] };
        let s =
            book.create(&grid, "lateral 2 poles", area, "li", "pole replacement").expect("drawn");
        assert_eq!(s.area, ScenarioArea::Devices { devices: vec!["fuse.f1-l2".into()] });
        clock.advance(600);
        book.set_area(
            &grid,
            s.id,
            ScenarioArea::Devices { devices: vec!["fuse.f1-l2".into(), "fuse.f1-l3".into()] },
            "li",
            "lateral 3 too",
        )
        .expect("edited");
        clock.advance(600);
        let window = ScenarioEvent::WindowSet {
            start_s: t("2026-12-08 08:00"),
            end_s: t("2026-12-08 12:00"),
        };
        book.change(s.id, "wang", "answers favour Tuesday", window).expect("window");
        book.change(
            s.id,
            "wang",
            "clearer",
            ScenarioEvent::Renamed { name: "f1 laterals 2-3".into() },
        )
        .expect("renamed");
        close(book);

        let book = open(&dir, &clock);
        let again = book.get(s.id).expect("read").expect("exists");
        assert_eq!(again.name, "f1 laterals 2-3");
        assert_eq!(again.window, Some((t("2026-12-08 08:00"), t("2026-12-08 12:00"))));
        assert_eq!(
            again.area,
            ScenarioArea::Devices { devices: vec!["fuse.f1-l2".into(), "fuse.f1-l3".into()] }
        );
        assert_eq!((again.changes, again.created_by.as_str()), (4, "li"));
        let history = book.history(s.id).expect("history");
        let steps: Vec<(&str, &str, i64)> = history
            .iter()
            .map(|r| (r.event.as_str(), r.reason.as_str(), r.time_s - t("2026-12-01 09:00")))
            .collect();
        assert_eq!(
            steps,
            [
                ("created", "pole replacement", 0),
                ("area_changed", "lateral 3 too", 600),
                ("window_set", "answers favour Tuesday", 1200),
                ("renamed", "clearer", 1200),
            ]
        );
        // Edited again after reopening, then published: no more edits.
        book.change(s.id, "wang", "approved", ScenarioEvent::Published { outage: None })
            .expect("published");
        let e = book
            .change(s.id, "wang", "oops", ScenarioEvent::Renamed { name: "x".into() })
            .expect_err("published");
        assert!(e.to_string().contains("published"), "{e}");
        assert_eq!(book.list().expect("list").len(), 1);
        close(book);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn garbage_is_refused_with_a_clear_error_and_nothing_is_stored() {
        let grid = sample_grid(&SampleFeeders::default());
        let dir = scratch("garbage");
        let clock = Arc::new(VirtualClock::new(t("2026-12-01 09:00")));
        let book = open(&dir, &clock);
        let unknown = ScenarioArea::Devices { devices: vec!["fuse.f9-l9".into()] };
        let e = book.create(&grid, "x", unknown, "li", "r").expect_err("unknown device");
        assert!(matches!(e, PlanningError::Device(_)), "{e}");
        assert!(e.to_string().starts_with("no device named `fuse.f9-l9`"), "{e}");
        let none = ScenarioArea::Devices { devices: vec![] };
        let e = book.create(&grid, "x", none, "li", "r").expect_err("no device");
        assert!(e.to_string().ends_with("area: name at least one device"), "{e}");
        let line = ScenarioArea::Polygon { ring: vec![p(0.0, 0.0), p(1.0, 1.0)] };
        let e = book.create(&grid, "x", line, "li", "r").expect_err("two corners");
        assert!(e.to_string().ends_with("a polygon needs 3 corners, 2 given"), "{e}");
        let fine = ScenarioArea::Polygon { ring: rect(4.3, 11.0, 4.9, 14.0) };
        let e = book.create(&grid, "  ", fine.clone(), "li", "r").expect_err("no name");
        assert!(e.to_string().ends_with("name: empty"), "{e}");
        assert!(book.list().expect("list").is_empty(), "nothing stored");
        let s = book.create(&grid, "box", fine, "li", "r").expect("drawn");
        let backwards = ScenarioEvent::WindowSet { start_s: 100, end_s: 50 };
        let e = book.change(s.id, "li", "r", backwards).expect_err("backwards");
        assert!(e.to_string().contains("the end (50) is not after the start (100)"), "{e}");
        let e = book
            .change(s.id, "li", "r", ScenarioEvent::Published { outage: None })
            .expect_err("no window");
        assert!(e.to_string().ends_with("choose a window before publishing"), "{e}");
        assert_eq!(book.history(s.id).expect("history").len(), 1, "refused edits not stored");
        close(book);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
#[test]
fn on_the_demo_city_a_tie_back_feeds_the_far_end_of_an_isolated_feeder() {
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let (lon, lat, h) = (113.1000, 23.0129, 0.002);
    let ring = vec![
        LonLat::new(lon - h, lat - h),
        LonLat::new(lon + h, lat - h),
        LonLat::new(lon + h, lat + h),
        LonLat::new(lon - h, lat + h),
    ];
    let iso = isolate_polygon(&grid, &ring);
    check_against_walk(&grid, &iso);
    let feeds = back_feed(&grid, &iso.switches, &iso.inside);
    let bf = feeds.first().expect("a tie back-feeds");
    assert_eq!(grid.model.switches[bf.tie.index()].name, "tie.zm01-sw01");
    assert_eq!(names(&grid, &bf.extra_switches), ["sect.sw01-3"]);
    // The walk: isolation and extra switches open, the tie closed.
    let mut open = with_open(&grid, &iso.switches);
    for s in &bf.extra_switches {
        open[s.index()] = true;
    }
    open[bf.tie.index()] = false;
    let live = live_buses(&grid, &open);
    let is_live = |c: &CustomerId| live[grid.model.customers[c.index()].bus.index()];
    let inside: HashSet<CustomerId> = iso.inside.iter().copied().collect();
    let saved: Vec<CustomerId> =
        iso.affected.iter().copied().filter(|c| is_live(c) && !inside.contains(c)).collect();
    assert_eq!(bf.saved, saved, "saved = cut by the isolation, live again through the tie");
    assert!(iso.inside.iter().all(|c| !is_live(c)), "the work area stays dead");
    let normal = live_buses(&grid, grid.topology.switch_states());
    let lost = (0..grid.model.customers.len())
        .filter(|&i| {
            let b = grid.model.customers[i].bus.index();
            normal[b] && !live[b] && !iso.affected.contains(&CustomerId(i as u32))
        })
        .count();
    assert_eq!(lost, 0, "closing the tie cuts nobody else");
    println!("{} inside, {} cut, {} saved", iso.inside.len(), iso.affected.len(), bf.saved.len());
}

mod command_line {
    use std::process::Command;

    fn gridcare(args: &[&str]) -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_gridcare")).args(args).output().expect("runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    const AREA: &str = "113.098,23.0109;113.102,23.0109;113.102,23.0149;113.098,23.0149";

    #[test]
    fn plan_isolate_names_the_switches_and_the_tie_that_back_feeds() {
        let (ok, out, err) = gridcare(&["plan", "isolate", "--polygon", AREA]);
        assert!(ok, "{err}");
        assert!(
            out.contains("open 3 switch(es): sect.sw01-2, fuse.sw01-l06, fuse.sw10-l07"),
            "{out}"
        );
        assert!(
            out.contains("back-feed: close tie.zm01-sw01 from feeder.zm01, opening sect.sw01-3 too: 637 customers kept in supply"),
            "{out}"
        );
        let (ok, _, err) = gridcare(&["plan", "isolate", "--polygon", "113.1,23.0;113.2"]);
        assert!(!ok);
        assert!(err.contains("polygon: corner 2 `113.2` is not `lon,lat` in degrees"), "{err}");
    }

    #[test]
    fn plan_windows_explains_the_choice_from_the_answers_file() {
        let answers =
            concat!(env!("CARGO_MANIFEST_DIR"), "/resources/planning/answers-example.json");
        let dd = std::env::temp_dir().join(format!("gridcare-plan-cli-{}", std::process::id()));
        let (ok, out, err) = gridcare(&[
            "plan",
            "windows",
            "--polygon",
            AREA,
            "--window",
            "Mon=2026-12-07T08:00/2026-12-07T12:00",
            "--window",
            "Tue=2026-12-08T08:00/2026-12-08T12:00",
            "--window",
            "Wed=2026-12-09T08:00/2026-12-09T12:00",
            "--answers",
            answers,
            "--data-dir",
            dd.to_str().expect("utf-8"),
        ]);
        assert!(ok, "{err}");
        assert!(out.contains("chosen: Wed: score"), "{out}");
        assert!(!dd.exists(), "a read-only question creates no store");
    }

    #[test]
    fn plan_scenario_keeps_a_drawn_scenario_and_its_history_in_the_data_dir() {
        let dd = std::env::temp_dir().join(format!("gridcare-plan-sc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dd);
        let d = dd.to_str().expect("utf-8");
        let run = |args: &[&str]| {
            let mut all = vec!["plan", "scenario", "--data-dir", d, "--author", "li"];
            all.extend_from_slice(args);
            gridcare(&all)
        };
        let (ok, out, err) = run(&[
            "new",
            "--name",
            "sw01 works",
            "--device",
            "sect.sw01-2",
            "--device",
            "fuse.sw01-l06",
            "--reason",
            "poles",
        ]);
        assert!(ok, "{err}");
        assert_eq!(out.trim(), "#1 sw01 works: open sect.sw01-2, fuse.sw01-l06; no window");
        let (ok, _, err) =
            run(&["window", "1", "--start", "2026-12-09T08:00", "--end", "2026-12-09T12:00"]);
        assert!(ok, "{err}");
        let (ok, _, err) = run(&["publish", "1", "--reason", "approved"]);
        assert!(ok, "{err}");
        let (ok, _, err) = run(&["rename", "1", "--name", "x"]);
        assert!(!ok);
        assert!(err.contains("scenario 1: the scenario is published"), "{err}");
        let (ok, _, err) = run(&["new", "--name", "bad", "--device", "nosuch.device"]);
        assert!(!ok);
        assert!(err.contains("no device named `nosuch.device`"), "{err}");
        let (ok, out, err) = run(&["show", "1"]);
        assert!(ok, "{err}");
        assert!(out.contains("  1392 customers lose supply (commercial 140,"), "{out}");
        assert!(out.contains("; 5568.0 customer-hours"), "{out}");
        let steps: Vec<&str> =
            out.lines().skip(2).filter_map(|l| l.split_whitespace().nth(2)).collect();
        assert_eq!(steps, ["created", "window_set", "published"], "{out}");
        let (_, out, _) = run(&["list"]);
        assert_eq!(out.lines().count(), 1, "the refused scenario was not stored: {out}");
        let _ = std::fs::remove_dir_all(&dd);
    }
}
