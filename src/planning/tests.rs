//! Unit tests of the planning rules: the isolation's tie-break, the scenario fold, weights,
//! generated windows.

use super::*;
use crate::model::{Labels, LonLat};
use crate::sim::{sample_grid, SampleFeeders};
use crate::store::{parse_time, Aggregate, Recorded};

fn p(x: f64, y: f64) -> LonLat {
    LonLat::new(113.10 + x * 0.001, 23.00 + y * 0.001)
}

fn names(grid: &crate::grid::Grid, iso: &Isolation) -> Vec<String> {
    iso.switches.iter().map(|s| grid.model.switches[s.index()].name.clone()).collect()
}

#[test]
fn one_switch_above_two_laterals_beats_their_two_fuses_when_it_cuts_nobody_else() {
    let grid = sample_grid(&SampleFeeders::default());
    // Laterals 3 and 4 of feeder 1: everything below the recloser.
    let iso = isolate_polygon(&grid, &[p(5.5, 10.5), p(9.0, 10.5), p(9.0, 14.0), p(5.5, 14.0)]);
    assert_eq!(names(&grid, &iso), ["recloser.f1"]);
    assert_eq!((iso.inside.len(), iso.outside_cut.len()), (30, 0));
    // Lateral 4 alone: its fuse, not the recloser (15 customers of lateral 3 would be cut).
    let iso = isolate_polygon(&grid, &[p(7.5, 10.5), p(9.0, 10.5), p(9.0, 14.0), p(7.5, 14.0)]);
    assert_eq!(names(&grid, &iso), ["fuse.f1-l4"]);
}

#[test]
fn an_empty_polygon_opens_nothing() {
    let grid = sample_grid(&SampleFeeders::default());
    let iso = isolate_polygon(&grid, &[p(50.0, 50.0), p(51.0, 50.0), p(51.0, 51.0)]);
    assert!(iso.switches.is_empty() && iso.affected.is_empty() && iso.inside.is_empty());
}

fn rec(seq: u64, event: ScenarioEvent) -> Recorded<ScenarioEvent> {
    Recorded { seq, time_s: 100 * seq as i64, author: "li".into(), reason: "r".into(), event }
}

#[test]
fn the_scenario_fold_refuses_changes_out_of_order() {
    let area = ScenarioArea::Devices { devices: vec!["fuse.f1-l2".into()] };
    let created = ScenarioEvent::Created { name: "a".into(), area: area.clone() };
    let renamed = ScenarioEvent::Renamed { name: "b".into() };
    assert_eq!(
        Scenario::apply(1, None, &rec(1, renamed.clone())).expect_err("refused"),
        "renamed before the scenario was created"
    );
    let s = Scenario::apply(1, None, &rec(1, created.clone())).expect("ok");
    assert_eq!((s.name.as_str(), s.changes, s.created_s), ("a", 1, 100));
    assert_eq!(
        Scenario::apply(1, Some(s.clone()), &rec(2, created)).expect_err("refused"),
        "the scenario exists already"
    );
    let s = Scenario::apply(1, Some(s), &rec(2, renamed)).expect("ok");
    assert_eq!((s.name.as_str(), s.changes, s.updated_s), ("b", 2, 200));
    let bad = ScenarioEvent::AreaChanged { area: ScenarioArea::Polygon { ring: vec![] } };
    assert_eq!(
        Scenario::apply(1, Some(s), &rec(3, bad)).expect_err("refused"),
        "area: a polygon needs 3 corners, 0 given"
    );
}

#[test]
fn a_customer_weighs_the_base_plus_each_of_its_labels() {
    let w = PresetFile::embedded().expect("ok").weights;
    assert_eq!(w.of(Labels::default()), 1.0);
    assert_eq!(w.of(Labels::LIFE_SUPPORT), 11.0);
    assert_eq!(w.of(Labels::IMPORTANT.with(Labels::COMMERCIAL).with(Labels::WECHAT)), 7.0);
}

#[test]
fn generated_windows_start_on_the_local_day_of_the_first_time() {
    // 23:30 Beijing time is 15:30 UTC: the first window is the next morning only if the
    // day were taken in UTC; it is the same local day.
    let from = parse_time("2026-12-07 23:30").expect("ok");
    let w = window::generate_windows(from, 2, 8, 4, 1);
    assert_eq!(w[0].name, "2026-12-07 08:00");
    assert_eq!(w[1].start_s - w[0].start_s, 86_400);
}

mod replies {
    use crate::planning::consult::{parse_reply, window_letter};

    fn names() -> Vec<String> {
        ["Tue 08:00", "Wed 08:00", "Thu 14:00"].map(String::from).to_vec()
    }

    #[test]
    fn a_negative_word_is_not_read_as_the_positive_one_inside_it() {
        let r = parse_reply("A不方便，C方便", &names()).expect("understood");
        assert_eq!(r.preferred, ["Thu 14:00"]);
        assert_eq!(r.objections, ["Tue 08:00"], "the keyword after the letter in its clause");
        let r2 = parse_reply("不方便A，方便C", &names()).expect("understood");
        assert_eq!(
            (r2.preferred, r2.objections),
            (vec!["Thu 14:00".to_string()], vec!["Tue 08:00".to_string()])
        );
    }

    #[test]
    fn english_replies_and_letters_inside_words_are_told_apart() {
        let r = parse_reply("Object B and C, prefer a. Reason: shop open Tuesday", &names())
            .expect("understood");
        assert_eq!(r.preferred, ["Tue 08:00"]);
        assert_eq!(r.objections, ["Wed 08:00", "Thu 14:00"]);
        assert_eq!(r.reason, "shop open Tuesday");
        let r = parse_reply("we know A is ok", &names()).expect("understood");
        assert_eq!(r.preferred, ["Tue 08:00"], "`no` inside `know` is not a keyword");
    }

    #[test]
    fn a_window_both_preferred_and_objected_counts_as_objected() {
        let r = parse_reply("同意A，后来想想反对A", &names()).expect("understood");
        assert!(r.preferred.is_empty());
        assert_eq!(r.objections, ["Tue 08:00"]);
        assert_eq!(r.reason, "同意A，后来想想反对A", "no 理由: the whole text");
        let r = parse_reply("同意A不同意B、C", &names()).expect("understood");
        assert_eq!((r.preferred.len(), r.objections.len()), (1, 2), "one clause, two keywords");
    }

    #[test]
    fn letters_go_a_to_z_then_again_with_a_number() {
        assert_eq!(
            (window_letter(0), window_letter(25), window_letter(26)),
            ("A".into(), "Z".into(), "A1".into())
        );
    }
}
