//! The planning workspace (停电计划, 预约停电, 先算后停) of the desktop app, driven headless
//! through egui_kittest: a planner draws a polygon on the embedded demo city, sees the
//! switches that isolate it, who loses supply by label and the tie that back-feeds part of
//! it; stores the scenario, picks the appointment customers with a preset, offers candidate
//! windows, consults the customers (letters in the outbox), types their answers, sees the
//! ranking pick the window the answers favour, compares two scenarios and publishes one — and
//! the planned outage is in the store with its notices queued. Focused tests: the workspace
//! in Chinese, a window that ends before it starts, a real click on the map adding a corner,
//! devices picked instead of a polygon, the appointment list masked on the wall screen.
//! Queries go through the AccessKit tree by label; no pixels are compared.
#![cfg(feature = "app")]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use super::common::{self, *};
    use eframe::egui;
    use egui_kittest::kittest::Queryable;

    use gridcare::app::{mask_name, AppOptions, Command, GridCareApp, Lang};
    use gridcare::grid::{Grid, ModelSource};
    use gridcare::model::LonLat;
    use gridcare::outage::{affected_by_opening, OutageKind};
    use gridcare::planning::{back_feed, impact_of_customers, isolate_polygon, ScenarioId};

    fn temp_dir(name: &str) -> PathBuf {
        common::temp_dir("planning", name)
    }

    fn demo_city() -> Grid {
        Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads")
    }

    /// The README's polygon on the demo city: around 405 customers of 石湾 feeder sw01.
    const POLYGON: [(f64, f64); 4] =
        [(113.098, 23.0109), (113.102, 23.0109), (113.102, 23.0149), (113.098, 23.0149)];

    fn ring() -> Vec<LonLat> {
        POLYGON.iter().map(|(x, y)| LonLat::new(*x, *y)).collect()
    }

    /// Steps frames until the workspace's worker has answered (its computation does not ask
    /// for immediate repaints, so `run` would settle before it is done).
    fn wait_plan(h: &mut App) {
        let start = Instant::now();
        loop {
            h.step();
            if !h.state().plan_computing() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(300), "the computation never ended");
            std::thread::sleep(Duration::from_millis(20));
        }
        h.run();
    }

    /// A click on the map at a lon/lat (what the map widget sends).
    fn map_click(h: &mut App, lon: f64, lat: f64) {
        let at = LonLat::new(lon, lat);
        h.state_mut().send(Command::MapClicked { at, metres_per_point: 1.0, zoom: 17.0 });
        h.run();
    }

    /// Clicks and then waits for the workspace's worker.
    fn click_and_wait(h: &mut App, label: &str) {
        h.get_by_label(label).click();
        h.step();
        wait_plan(h);
    }

    /// Replaces the text of a field.
    fn retype(h: &mut App, label: &str, text: &str) {
        h.get_by_label(label).focus();
        h.run();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.key_press(egui::Key::Backspace);
        h.run();
        h.get_by_label(label).type_text(text);
        h.run();
    }

    fn open_planning(h: &mut App) {
        click(h, "Planning");
        assert!(has_label(h, "Stored scenarios"), "{:?}", all_labels(h));
    }

    /// Draws the README polygon and waits for GridCare's answer.
    fn draw_polygon(h: &mut App) {
        click(h, "New scenario");
        assert!(has_label(h, "Click the corners on the map, then Finish polygon"));
        for (lon, lat) in POLYGON {
            map_click(h, lon, lat);
        }
        assert!(has_label(h, "4 corners"), "{:?}", all_labels(h));
        click_and_wait(h, "Finish polygon");
        assert!(has_label(h, "Polygon closed (4 corners)"));
    }

    #[test]
    fn a_polygon_on_the_demo_city_is_isolated_consulted_ranked_compared_and_published() {
        let mut h = harness_in(demo_city(), temp_dir("flow"));
        open_planning(&mut h);
        assert!(has_label_containing(&h, "No scenario yet"));
        draw_polygon(&mut h);

        // the isolation, as the library finds it, is what the panel says
        let (iso, feeds, im) = {
            let grid = h.state().grid().expect("grid");
            let iso = isolate_polygon(grid, &ring());
            let feeds = back_feed(grid, &iso.switches, &iso.inside);
            let im = impact_of_customers(grid, iso.affected.clone(), 0, 0);
            (iso, feeds, im)
        };
        assert_eq!(iso.switches.len(), 3);
        assert!(has_label(&h, "Open 3 switch(es) to isolate the area:"), "{:?}", all_labels(&h));
        for sw in ["sect.sw01-2", "fuse.sw01-l06", "fuse.sw10-l07"] {
            assert!(has_label(&h, sw), "{sw} is not shown: {:?}", all_labels(&h));
        }
        assert!(has_label(&h, &iso.inside.len().to_string()), "no inside count");
        let affected =
            format!("{} ({} of them outside the area)", iso.affected.len(), iso.outside_cut.len());
        assert!(has_label(&h, &affected), "{affected} not shown: {:?}", all_labels(&h));
        for (word, shown) in [("life_support", "Life support"), ("important", "Important")] {
            let text = format!("{shown} {}", im.by_label[word]);
            assert!(has_label(&h, &text), "{text} not shown");
        }
        assert!(has_label(&h, "— (no window yet)"));
        // the tie that back-feeds part of the area, with what it saves
        assert!(!feeds.is_empty());
        let tie = {
            let grid = h.state().grid().expect("grid");
            grid.model.switches[feeds[0].tie.index()].name.clone()
        };
        assert_eq!(tie, "tie.zm01-sw01");
        assert!(has_label(&h, &tie));
        let kept = format!("{} kept in supply", feeds[0].saved.len());
        assert!(has_label(&h, &kept), "{kept} not shown: {:?}", all_labels(&h));
        assert!(has_label_containing(&h, "isolation "), "no timing shown");
        // the map draws them: the closed polygon, the three switches, the tie, the customers
        let o = h.state().plan_overlay();
        assert!(o.closed && o.ring.len() == 4);
        let marks = o.marks.as_ref().expect("the computed marks");
        assert_eq!(marks.switches.len(), 3);
        assert_eq!(marks.ties.len(), feeds.len());
        assert_eq!(marks.inside.len() + marks.outside.len(), iso.affected.len());

        // stored, with its history
        type_into(&mut h, "Scenario name", "sw01 2号分段检修");
        type_into(&mut h, "Reason for the change", "杆塔更换");
        click(&mut h, "Save scenario");
        assert!(has_label(&h, "Scenario 1 “sw01 2号分段检修” stored"), "{:?}", all_labels(&h));
        assert_eq!(h.state().scenarios().len(), 1);
        assert!(has_label_containing(&h, "· created"), "no history");
        assert!(has_label(&h, "reason: 杆塔更换"));

        // the appointment customers: the `critical` preset picks the important and life-support
        click(&mut h, "Appointment customers");
        click(&mut h, "critical");
        let critical = im.by_label["important"] + im.by_label["life_support"];
        let picked = h.state().appointment_customers().expect("a list").len();
        assert!(picked <= critical && picked > 0);
        let said = format!("{picked} of {} affected customers", iso.affected.len());
        assert!(has_label(&h, &said), "{said}: {:?}", all_labels(&h));
        let first = h.state().appointment_customers().expect("a list")[0];
        let (account, name) = {
            let c = &h.state().grid().expect("grid").model.customers[first.index()];
            (c.account_no.clone(), c.display_name.clone())
        };
        assert!(has_label(&h, &account) && has_label(&h, &name), "the first row is not listed");
        // the `appointment` preset, its commercial rule edited up to 500 kW: fewer picked
        click(&mut h, "appointment");
        let before = h.state().appointment_customers().expect("a list").len();
        retype(&mut h, "Rule 2 minimum demand (kW)", "500");
        let after = h.state().appointment_customers().expect("a list").len();
        assert!(after < before, "raising the demand picked {after} of {before}");
        assert!(has_label(&h, &format!("{after} of {} affected customers", iso.affected.len())));

        // candidate windows, offered on the scenario
        click(&mut h, "Windows");
        for (name, day) in [("Mon", "07"), ("Tue", "08"), ("Wed", "09")] {
            type_into(&mut h, "Name of the window (may be empty)", name);
            retype(&mut h, "Start", &format!("2026-12-{day} 08:00"));
            retype(&mut h, "End", &format!("2026-12-{day} 12:00"));
            click(&mut h, "Add window");
        }
        assert!(has_label(&h, "2026-12-09 08:00–12:00"), "{:?}", all_labels(&h));
        click(&mut h, "Offer these windows");
        assert!(has_label(&h, "3 candidate windows offered on “sw01 2号分段检修”"));
        // with no answer the earliest of equal windows comes first
        click(&mut h, "Rank the windows");
        assert_eq!(h.state().plan_ranking().and_then(|r| r.chosen.clone()).as_deref(), Some("Mon"));

        // consultation: a letter per WeChat-bound appointment customer, in the outbox
        click(&mut h, "Consultation");
        assert!(has_label_containing(&h, "停电意见征询书"), "no letter preview");
        assert!(has_label_containing(&h, "A. 2026-12-07 08:00–12:00"));
        click_and_wait(&mut h, "Send consultation letters (preset appointment)");
        let (sent, phoned) = {
            let sc = h.state().scenario_book().expect("book").get(ScenarioId(1));
            let c = sc.expect("read").expect("scenario 1").consultation.expect("consulted");
            (c.sent, c.unreachable)
        };
        assert_eq!(sent.len() + phoned.len(), after);
        assert!(sent.len() >= 2, "too few WeChat-bound appointment customers: {sent:?}");
        let said = format!(
            "{after} appointment customers: {} bound to WeChat ({} letters queued now), {} to phone",
            sent.len(),
            sent.len(),
            phoned.len()
        );
        assert!(has_label(&h, &said), "{said}: {:?}", all_labels(&h));
        let letters = h.state().outbox().expect("outbox").about("scenario:1").expect("messages");
        assert_eq!(letters.len(), sent.len());
        assert!(has_label(&h, &format!("Outbox ({} messages)", sent.len())));
        assert!(has_label(&h, &format!("queued {}", sent.len())), "no delivery states");
        assert!(has_label(&h, &sent[0]) && has_label(&h, "consultation letter"));
        assert!(has_label(&h, "0 answered"));
        assert!(has_label(&h, &format!("{} not answered yet", sent.len() + phoned.len())));

        // two answers: Monday and Tuesday are bad, Wednesday suits both
        type_into(&mut h, "Account of the customer answering", &sent[0]);
        click(&mut h, "Objects to A");
        click(&mut h, "Prefers C");
        type_into(&mut h, "What the customer said", "周一店铺营业");
        click(&mut h, "Record the answer");
        assert!(has_label(&h, &format!("Answer of {} recorded", sent[0])), "{:?}", all_labels(&h));
        type_into(&mut h, "Account of the customer answering", &sent[1]);
        type_into(&mut h, "Or the reply as written", "同意C，反对B，理由：周二透析");
        click(&mut h, "Read and record the reply");
        assert!(has_label(&h, &format!("Answer of {} recorded", sent[1])), "{:?}", all_labels(&h));
        assert!(has_label(&h, "2 answered"));
        let line = format!("{}: prefers Wed, objects to Tue: 周二透析 (operator)", sent[1]);
        assert!(has_label(&h, &line), "{line}: {:?}", all_labels(&h));
        // an account the scenario does not cut is refused
        type_into(&mut h, "Account of the customer answering", "0600000013");
        click(&mut h, "Prefers A");
        click(&mut h, "Record the answer");
        assert!(has_label_containing(&h, "is not cut by this scenario"), "{:?}", all_labels(&h));

        // the ranking follows the answers
        click(&mut h, "Windows");
        assert!(has_label(&h, "ranks the scenario's windows with its 2 answers"));
        click(&mut h, "Rank the windows");
        let r = h.state().plan_ranking().expect("a ranking").clone();
        assert_eq!(r.chosen.as_deref(), Some("Wed"), "{r:?}");
        assert!(has_label(&h, &format!("Chosen: {}", r.why)), "no reason shown");
        assert!(r.why.starts_with("Wed: score"));
        assert!(has_label(&h, &format!("Objecting to Mon: {}", sent[0])));
        click(&mut h, "Use window Wed");
        assert!(has_label(&h, "Window 2026-12-09 08:00–12:00 set for “sw01 2号分段检修”"));

        // a second scenario: the same work by devices, compared side by side
        click(&mut h, "Scenario");
        click(&mut h, "New scenario");
        click(&mut h, "Open devices");
        type_into(&mut h, "Device id", "sect.sw01-2");
        h.get_by_label("Add device").click();
        h.step();
        wait_plan(&mut h);
        let by_devices = {
            let grid = h.state().grid().expect("grid");
            affected_by_opening(grid, &[grid.resolve("sect.sw01-2").expect("device")]).len()
        };
        assert!(has_label(&h, "Open 1 device(s):"), "{:?}", all_labels(&h));
        assert_eq!(h.state().plan_view().expect("computed").affected.len(), by_devices);
        type_into(&mut h, "Scenario name", "sw01 只断 2 号分段");
        click(&mut h, "Save scenario");
        assert!(has_label(&h, "Scenario 2 “sw01 只断 2 号分段” stored"), "{:?}", all_labels(&h));
        click(&mut h, "Compare");
        click(&mut h, "Scenario 1 · sw01 2号分段检修");
        click(&mut h, "Scenario 2 · sw01 只断 2 号分段");
        let compare = h.query_all_by_label("Compare").last().expect("the button");
        compare.click();
        h.step();
        wait_plan(&mut h);
        assert!(has_label(&h, "#1 sw01 2号分段检修") && has_label(&h, "#2 sw01 只断 2 号分段"));
        assert!(has_label(&h, &iso.affected.len().to_string()));
        assert!(has_label(&h, &by_devices.to_string()), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Best window"));

        // publish the first: with a confirmation, and a reason
        click(&mut h, "Scenario");
        click(&mut h, "#1");
        click(&mut h, "Publish…");
        assert!(has_label(&h, "Publish the scenario"), "no confirmation");
        click_and_wait(&mut h, "Publish now");
        assert!(has_label(&h, "Not done: every change needs a reason"), "{:?}", all_labels(&h));
        type_into(&mut h, "Reason to publish", "方案经审批");
        click_and_wait(&mut h, "Publish now");
        let book = h.state().outages().expect("the outage book");
        let planned = book.list(true);
        assert_eq!(planned.len(), 1, "no planned outage");
        assert_eq!(planned[0].kind, OutageKind::Planned);
        assert_eq!(book.affected_customers(planned[0].id).len(), iso.affected.len());
        let notices = h.state().outbox().expect("outbox").about("outage:1").expect("notices");
        assert!(notices.len() > iso.affected.len() / 2, "{} notices", notices.len());
        let said = format!(
            "Published: planned outage 1, {} customers, {} notices queued ({} unreachable)",
            iso.affected.len(),
            notices.len(),
            iso.affected.len() - notices.len()
        );
        assert!(has_label(&h, &said), "{said}: {:?}", all_labels(&h));
        assert!(has_label_containing(&h, "took "), "no time shown for the publication");
        // the outage list and the map show it; the scenario is frozen
        assert!(has_label(&h, "Outages (1)"), "{:?}", all_labels(&h));
        assert_eq!(h.state().outage_snapshot().areas.len(), 1);
        assert!(has_label_containing(&h, "Published: no more changes"));
        assert!(has_label_containing(&h, "· published"));
    }

    /// A box of ±`d` degrees around the customers of one transformer of a small city.
    fn box_around_a_transformer(grid: &Grid, d: f64) -> Vec<LonLat> {
        let c = grid.model.customers.iter().find(|c| c.transformer.is_some()).expect("one");
        let p = c.pos;
        vec![
            LonLat::new(p.lon - d, p.lat - d),
            LonLat::new(p.lon + d, p.lat - d),
            LonLat::new(p.lon + d, p.lat + d),
            LonLat::new(p.lon - d, p.lat + d),
        ]
    }

    #[test]
    fn the_workspace_reads_in_chinese() {
        let grid = small_city();
        let ring = box_around_a_transformer(&grid, 0.001);
        let n = isolate_polygon(&grid, &ring).switches.len();
        let options = AppOptions {
            data_dir: Some(temp_dir("zh")),
            lang: Some(Lang::Zh),
            ..AppOptions::default()
        };
        let app = GridCareApp::new(&egui::Context::default(), grid, options);
        let mut h = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1600.0, 1000.0))
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        click(&mut h, "停电计划");
        for text in ["先算后停", "方案", "预约客户", "停电窗口", "征询意见", "方案比较", "已存方案"]
        {
            assert!(has_label(&h, text), "{text}: {:?}", all_labels(&h));
        }
        click(&mut h, "新建方案");
        assert!(has_label(&h, "在地图上依次点击角点，然后点“完成多边形”"));
        for p in &ring {
            map_click(&mut h, p.lon, p.lat);
        }
        click_and_wait(&mut h, "完成多边形");
        assert!(has_label(&h, &format!("需断开 {n} 个开关以隔离该范围：")), "{:?}", all_labels(&h));
        assert!(has_label(&h, "停电影响 (按拓扑分析到户)"));
        assert!(has_label(&h, "停电用户"));
        assert!(has_label(&h, "— (尚未确定窗口)"));
        click(&mut h, "保存方案");
        assert!(has_label(&h, "操作未完成: 方案名称不能为空"), "{:?}", all_labels(&h));
        click(&mut h, "预约客户");
        assert!(has_label(&h, "满足任一条规则即选中；一条规则的各条件须同时满足"));
        assert!(has_label_containing(&h, "选出 "), "{:?}", all_labels(&h));
        click(&mut h, "停电窗口");
        assert!(has_label(&h, "尚无候选窗口：逐个添加或按天生成"));
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_refused_on_screen() {
        let mut h = harness_in(small_city(), temp_dir("bad-window"));
        open_planning(&mut h);
        click(&mut h, "Windows");
        type_into(&mut h, "Name of the window (may be empty)", "Mon");
        type_into(&mut h, "Start", "2026-12-07 12:00");
        type_into(&mut h, "End", "2026-12-07 08:00");
        click(&mut h, "Add window");
        let said = "Not done: window `Mon`: the end is not after the start";
        assert!(has_label(&h, said), "{:?}", all_labels(&h));
        assert!(has_label(&h, "No candidate yet: add windows or generate them"));
        // a time that does not parse names what is wrong
        retype(&mut h, "End", "2026-13-07 08:00");
        click(&mut h, "Add window");
        assert!(
            has_label_containing(&h, "write the time as YYYY-MM-DD HH:MM: 2026-13-07 08:00"),
            "{:?}",
            all_labels(&h)
        );
        // generated windows are fine, and the ranking without an area says what is missing
        retype(&mut h, "From day", "2026-12-07");
        click(&mut h, "Generate windows");
        assert!(has_label(&h, "2026-12-11 08:00–12:00"), "{:?}", all_labels(&h));
        click(&mut h, "Rank the windows");
        assert!(has_label(&h, "Not done: draw and finish an area first"));
    }

    #[test]
    fn a_click_on_the_map_adds_a_corner_while_drawing() {
        let mut h = harness_in(small_city(), temp_dir("click"));
        open_planning(&mut h);
        click(&mut h, "New scenario");
        let rect = h.state().map_rect();
        let at = rect.center();
        h.event(egui::Event::PointerMoved(at));
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        });
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        });
        h.run();
        assert!(has_label(&h, "1 corners"), "{:?}", all_labels(&h));
        assert_eq!(h.state().plan_overlay().ring.len(), 1);
        assert!(matches!(h.state().selection(), gridcare::app::Selection::None));
        // two corners are not a polygon
        map_click(&mut h, 113.0, 23.0);
        click(&mut h, "Finish polygon");
        assert!(has_label(&h, "Not done: a polygon needs at least 3 corners (2 so far)"));
        click(&mut h, "Undo corner");
        assert!(has_label(&h, "1 corners"));
        // the map pin takes the clicks back: a pin, not a corner
        click(&mut h, "Map pin");
        map_click(&mut h, 113.0, 23.0);
        assert!(has_label(&h, "1 corners"));
        assert!(matches!(h.state().selection(), gridcare::app::Selection::Pin(_)));
    }

    #[test]
    fn devices_picked_on_the_map_or_typed_are_opened_together() {
        let grid = small_city();
        // two switches of different feeders, each cutting some customers
        let mut picks = Vec::new();
        for s in &grid.model.switches {
            let d = grid.resolve(&s.name).expect("switch");
            let cut = affected_by_opening(&grid, &[d]).len();
            let feeder = grid.trace(d).feeder;
            if let (true, Some(pos)) = (cut > 5, s.pos) {
                if !picks.iter().any(|(_, _, f)| *f == feeder) {
                    picks.push((s.name.clone(), pos, feeder));
                }
            }
            if picks.len() == 2 {
                break;
            }
        }
        let expected = {
            let d: Vec<_> = picks.iter().map(|(n, _, _)| grid.resolve(n).expect("d")).collect();
            affected_by_opening(&grid, &d).len()
        };
        let mut h = harness_in(grid, temp_dir("devices"));
        open_planning(&mut h);
        click(&mut h, "New scenario");
        click(&mut h, "Open devices");
        assert!(has_label_containing(&h, "Click switches, line sections or transformers"));
        // the first clicked on the map, the second typed
        let (_, at, _) = picks[0].clone();
        map_click(&mut h, at.lon, at.lat);
        wait_plan(&mut h);
        assert!(has_label(&h, &picks[0].0), "{:?}", all_labels(&h));
        type_into(&mut h, "Device id", &picks[1].0);
        h.get_by_label("Add device").click();
        h.step();
        wait_plan(&mut h);
        assert!(has_label(&h, "Open 2 device(s):"), "{:?}", all_labels(&h));
        assert_eq!(h.state().plan_view().expect("computed").affected.len(), expected);
        assert!(has_label(&h, &expected.to_string()));
        // a device that does not exist is named
        type_into(&mut h, "Device id", "fuse.nowhere");
        click(&mut h, "Add device");
        assert!(has_label(&h, "Not done: no device named `fuse.nowhere`"), "{:?}", all_labels(&h));
        // a click on the first again drops it
        map_click(&mut h, at.lon, at.lat);
        wait_plan(&mut h);
        assert!(has_label(&h, "Open 1 device(s):"), "{:?}", all_labels(&h));
    }

    #[test]
    fn the_appointment_list_is_masked_on_the_wall_screen() {
        let grid = small_city();
        let ring = box_around_a_transformer(&grid, 0.0015);
        let mut h = harness_in(grid, temp_dir("wall"));
        open_planning(&mut h);
        click(&mut h, "New scenario");
        for p in &ring {
            map_click(&mut h, p.lon, p.lat);
        }
        click_and_wait(&mut h, "Finish polygon");
        click(&mut h, "Appointment customers");
        click(&mut h, "wechat");
        let first = h.state().appointment_customers().expect("a list").first().copied();
        let first = first.expect("a WeChat-bound customer in the area");
        let name =
            h.state().grid().expect("grid").model.customers[first.index()].display_name.clone();
        assert!(has_label(&h, &name), "not listed at the desk");
        h.state_mut().send(Command::SetWall(true));
        h.run();
        assert!(!has_label(&h, &name), "the name is shown on the wall");
        assert!(has_label(&h, &mask_name(&name)), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Appointment customers (to consult)"));
        assert!(!has_label(&h, "New scenario"), "editing on the wall");
    }
}
