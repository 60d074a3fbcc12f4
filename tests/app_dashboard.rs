//! The KPI dashboard (仪表盘), driven headless through egui_kittest: a few days of simulated
//! history in a data directory, the app opened on it, the dashboard opened from the top bar;
//! its tiles show the indices `gridcare report` computes for the same period and scope, its
//! ranking starts with the worst feeder, a click on that feeder selects it on the map, and the
//! wall screen's tiles show the same SAIFI and SAIDI.
#![cfg(feature = "app")]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use super::common::{self, *};
    use eframe::egui;
    use egui_kittest::kittest::{NodeT, Queryable};

    use gridcare::app::{Command, Selection};
    use gridcare::citygen::{generate_city, CityParams};
    use gridcare::grid::Grid;
    use gridcare::kpi::{read_call_records, Report, ReportInput, Scope, CALL_RECORDS_FILE};
    use gridcare::model::DeviceRef;
    use gridcare::sim::{generate_history, HistoryParams};
    use gridcare::store::{Clock, SystemClock};
    use gridcare::workorder::SlaPolicy;

    fn temp_dir(name: &str) -> PathBuf {
        common::temp_dir("dash", name)
    }

    /// A small city with a week of history ending now; the rates are raised so that its
    /// 3,000 customers see a few faults a day.
    fn city_with_history(dir: &std::path::Path) -> Grid {
        let grid = Grid::from_model(generate_city(&CityParams { customers: 3000, seed: 1 }));
        let params = HistoryParams {
            days: 7,
            seed: 3,
            end_s: SystemClock.now_s() / 60 * 60,
            faults_per_day: 120.0,
            planned_per_week: 60.0,
            momentary_per_week: 60.0,
            lv_repairs_per_day: 100.0,
            ..HistoryParams::default()
        };
        generate_history(&grid, dir, &params).expect("a history");
        grid
    }

    /// Steps frames until the dashboard's worker has answered (the spinner keeps asking for
    /// frames meanwhile, so `run` would not settle).
    fn wait_for_dashboard(h: &mut App) {
        let start = Instant::now();
        loop {
            h.step();
            if h.state().dashboard().is_some() && !h.state().dashboard_computing() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(120), "the dashboard never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
        h.run();
    }

    /// The report `gridcare report` would print for the dashboard's period, a scope and
    /// the dashboard's time.
    fn report(h: &App, dir: &std::path::Path, scope: Scope) -> Report {
        let app = h.state();
        let shown = app.dashboard().expect("a dashboard");
        let calls = read_call_records(&dir.join(CALL_RECORDS_FILE)).expect("call records");
        let input = ReportInput {
            grid: app.grid().expect("a grid"),
            policy: &SlaPolicy::default(),
            calls: &calls,
            period: shown.dash.report.period,
            scope,
            as_of_s: shown.as_of_s,
        };
        let store = app.outages().expect("the store is open").store();
        Report::compute(store, &input).expect("a report")
    }

    #[test]
    fn the_dashboard_shows_the_reports_indices_ranks_the_worst_feeder_first_and_shows_it() {
        let dir = temp_dir("tiles");
        let grid = city_with_history(&dir);
        let mut h = harness_in(grid, dir.clone());
        h.get_by_label("Dashboard").click();
        // the click's frame queues the command; the next one starts the worker
        h.step();
        h.step();
        assert!(has_label(&h, "Computing…"), "the worker's progress is shown");
        wait_for_dashboard(&mut h);

        // the headline tiles are the report's `all` row for the last 30 days, whole area
        let expected = report(&h, &dir, Scope::Area);
        let all = &expected.indices[0].indices;
        let (saifi, saidi) = (all.saifi.expect("SAIFI"), all.saidi_min.expect("SAIDI"));
        assert!(saifi > 0.0 && saidi > 0.0, "the history interrupted someone");
        let shown = h.state().dashboard().expect("a dashboard").dash.clone();
        assert_eq!(shown.report.period.days(), 30);
        assert_eq!(shown.headline(), Some(all));
        assert!(has_label(&h, &format!("{saifi:.3}")), "SAIFI tile shows {saifi:.3}");
        assert!(has_label(&h, &format!("{saidi:.1}")), "SAIDI tile shows {saidi:.1}");

        // the worst feeder by the report's own SAIDI is first in the ranking
        let m = &h.state().grid().expect("a grid").model;
        let feeders: Vec<(String, String)> =
            m.feeders.iter().map(|f| (f.name.clone(), f.display_name.clone())).collect();
        let mut by_saidi: Vec<(f64, String, String)> = feeders
            .into_iter()
            .map(|(name, display)| {
                let r = report(&h, &dir, Scope::Feeder(name.clone()));
                (r.indices[0].indices.saidi_min.unwrap_or(0.0), name, display)
            })
            .collect();
        by_saidi.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let (worst_saidi, worst, worst_display) = by_saidi[0].clone();
        assert!(worst_saidi > by_saidi[by_saidi.len() - 1].0, "the feeders differ");
        assert_eq!(shown.feeders[0].name, worst);
        let row = format!("1. {worst_display}");
        assert!(has_label(&h, &row), "the ranking's first row is {row}");

        // a click on it selects that feeder (and the map flies there)
        h.get_by_label(&row).click();
        h.run();
        let app = h.state();
        let Selection::Device { device: DeviceRef::Feeder(f), .. } = app.selection() else {
            panic!("a feeder is selected, not {:?}", app.selection());
        };
        assert_eq!(app.grid().expect("a grid").model.feeders[f.index()].name, worst);
        let marked = h.get_by_label(&row).accesskit_node().toggled();
        assert_eq!(marked, Some(egui::accesskit::Toggled::True), "its row is marked");

        // the wall screen's tiles show the same SAIFI and SAIDI
        h.state_mut().send(Command::SetWall(true));
        h.run();
        assert!(h.state().is_wall());
        assert!(has_label(&h, "SAIFI"));
        assert!(has_label(&h, &format!("{saifi:.3}")), "the wall's SAIFI tile");
        assert!(has_label(&h, &format!("{saidi:.1}")), "the wall's SAIDI tile");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn another_period_and_scope_are_computed_again_off_the_ui_thread() {
        let dir = temp_dir("period");
        let grid = city_with_history(&dir);
        let substation = grid.model.substations[0].display_name.clone();
        let mut h = harness_in(grid, dir.clone());
        h.get_by_label("Dashboard").click();
        wait_for_dashboard(&mut h);
        h.get_by_label("Whole store").click();
        h.step();
        h.step();
        assert!(h.state().dashboard_computing());
        wait_for_dashboard(&mut h);
        let shown = h.state().dashboard().expect("a dashboard").clone();
        // the whole store: from the history's first day (a week) to today
        assert!(shown.dash.report.period.days() <= 9, "{}", shown.dash.report.period.label());
        assert_eq!(shown.dash.daily.len() as i64, shown.dash.report.period.days());

        h.state_mut().send(Command::Dashboard(gridcare::app::DashboardCommand::SetScope(
            Scope::Substation(substation.clone()),
        )));
        h.step();
        wait_for_dashboard(&mut h);
        let shown = h.state().dashboard().expect("a dashboard").clone();
        let expected = report(&h, &dir, Scope::Substation(substation));
        assert_eq!(shown.dash.report.customers_served, expected.customers_served);
        assert_eq!(shown.dash.headline(), Some(&expected.indices[0].indices));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
