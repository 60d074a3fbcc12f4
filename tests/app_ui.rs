//! The desktop app, driven headless through egui_kittest: an operator finds callers, toggles
//! layers, asks "what if this opened", drops a pin, switches language and the wall screen,
//! reads the outage list and an outage's change trajectory, records and restores a fault.
//! Queries go through the AccessKit tree by label; no pixels are compared.
#![cfg(feature = "app")]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::path::PathBuf;

    use super::common::{self, *};
    use eframe::egui;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;
    use gridcare::app::{AppOptions, Command, GridCareApp, Lang, Selection};

    use gridcare::grid::Grid;
    use gridcare::model::{DeviceRef, ElementRef, SwitchKind};

    fn temp_dir(name: &str) -> PathBuf {
        common::temp_dir("app", name)
    }

    fn harness_on(grid: Grid, name: &str) -> App {
        harness_in(grid, temp_dir(name))
    }

    fn harness_in(grid: Grid, dir: PathBuf) -> App {
        common::harness_sized(grid, dir, egui::vec2(1500.0, 950.0))
    }

    /// Types into the search box and presses Enter, as an operator would.
    fn search(h: &mut App, query: &str) {
        let field = h.get_by_label("Find a caller");
        field.focus();
        h.run();
        h.get_by_label("Find a caller").type_text(query);
        h.run();
        h.key_press(egui::Key::Enter);
        h.run();
    }

    /// The account number and feeder text the panel should show for a customer.
    fn expected(grid: &Grid, c: gridcare::model::CustomerId) -> (String, String) {
        let card = grid.customer_card(c).expect("a card");
        let f = &grid.model.feeders[card.feeder.expect("energised").index()];
        (
            grid.model.customers[c.index()].account_no.clone(),
            format!("{} ({})", f.display_name, f.name),
        )
    }

    #[test]
    fn finding_a_caller_by_phone_shows_their_account_and_feeder() {
        let grid = small_city();
        let (id, phone) = grid
            .model
            .customers
            .iter()
            .enumerate()
            .skip(1234)
            .find_map(|(i, c)| c.phones.first().map(|p| (i, p.clone())))
            .expect("a customer with a phone");
        let (account, feeder) = expected(&grid, gridcare::model::CustomerId(id as u32));
        let mut h = harness_on(grid, "phone");
        search(&mut h, &phone);
        assert_eq!(h.state().selected_customer().map(|c| c.index()), Some(id));
        assert!(has_label(&h, &account), "account {account} not shown");
        assert!(has_label(&h, &feeder), "feeder {feeder} not shown");
        assert!(has_label(&h, &phone), "phone {phone} not shown outside the wall screen");
    }

    #[test]
    fn finding_a_caller_by_a_garbled_address_shows_their_account_and_feeder() {
        let grid = small_city();
        let mut rng = gridcare::rng::Rng::new(11);
        let id = 2021usize;
        let said = gridcare::address::garble_address(&grid.model.customers[id].address, &mut rng);
        assert_ne!(said, grid.model.customers[id].address.full());
        let (account, feeder) = expected(&grid, gridcare::model::CustomerId(id as u32));
        let mut h = harness_on(grid, "address");
        search(&mut h, &said);
        assert_eq!(h.state().selected_customer().map(|c| c.index()), Some(id), "searched `{said}`");
        assert!(has_label(&h, &account), "account {account} not shown");
        assert!(has_label(&h, &feeder), "feeder {feeder} not shown");
    }

    #[test]
    fn ctrl_f_puts_the_cursor_in_the_search_box() {
        let mut h = harness_on(small_city(), "ctrlf");
        assert!(!h.get_by_label("Find a caller").is_focused());
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
        h.run();
        assert!(h.get_by_label("Find a caller").is_focused());
    }

    #[test]
    fn the_top_bar_wraps_instead_of_running_under_its_right_hand_buttons() {
        // 1280 px, English (the longer words): the bar cannot hold one row
        let h = common::harness_sized(small_city(), temp_dir("narrow"), egui::vec2(1280.0, 800.0));
        let names = [
            "Find",
            "Map pin",
            "Clear",
            "Outages (0)",
            "Dashboard",
            "Planning",
            "Tickets (0)",
            "New repair call",
            "Storm demo",
            "中文",
            "English",
            "Settings",
            "Wall screen",
        ];
        let rects: Vec<(&str, egui::Rect)> =
            names.iter().map(|n| (*n, h.get_by_label(n).rect())).collect();
        for (i, (a, ra)) in rects.iter().enumerate() {
            assert!(ra.max.x <= 1280.0, "{a} runs off the screen: {ra:?}");
            for (b, rb) in &rects[i + 1..] {
                assert!(!ra.intersects(*rb), "{a} {ra:?} overlaps {b} {rb:?}");
            }
        }
    }

    #[test]
    fn turning_a_layer_off_changes_the_state() {
        let mut h = harness_on(small_city(), "layer");
        assert!(h.state().state().layers.customers);
        // the layer list scrolls on a screen this short (the top bar wraps to two rows)
        h.get_by_label("Customers").scroll_to_me();
        h.run();
        h.get_by_label("Customers").click();
        h.run();
        assert!(!h.state().state().layers.customers);
        h.get_by_label("Switches").click();
        h.run();
        assert!(!h.state().state().layers.switches);
        assert!(h.state().state().layers.feeders);
    }

    #[test]
    fn the_wall_screen_masks_phone_numbers_and_names() {
        let grid = small_city();
        let c = grid
            .model
            .customers
            .iter()
            .skip(500)
            .find(|c| c.phones.len() == 1)
            .expect("a customer")
            .clone();
        let phone = c.phones[0].clone();
        let mut h = harness_on(grid, "wall");
        search(&mut h, &phone);
        assert!(has_label(&h, &phone));
        h.get_by_label("Wall screen").click();
        h.run();
        assert!(h.state().is_wall());
        let labels = all_labels(&h);
        assert!(labels.iter().all(|l| !l.contains(&phone)), "the full phone is still shown");
        assert!(
            labels.iter().all(|l| !l.contains(&c.display_name)),
            "the full name is still shown"
        );
        let masked = gridcare::app::mask_phone(&phone);
        assert!(labels.iter().any(|l| l.contains(&masked)), "{masked} not shown in {labels:?}");
        assert!(has_label(&h, "Customers out now"));
        assert!(h.query_by_label("Find a caller").is_none(), "no editing controls on the wall");
        h.get_by_label("Exit wall screen").click();
        h.run();
        assert!(!h.state().is_wall());
    }

    #[test]
    fn switching_to_chinese_shows_chinese_labels() {
        let mut h = harness_on(small_city(), "lang");
        assert!(has_label(&h, "Layers"));
        h.get_by_label("中文").click();
        h.run();
        assert_eq!(h.state().state().lang, Lang::Zh);
        assert!(has_label(&h, "图层"), "no Chinese layers heading");
        assert!(has_label(&h, "变电站"), "no Chinese substation layer");
        assert!(h.query_by_label("Layers").is_none());
    }

    #[test]
    fn what_if_a_switch_opened_shows_the_downstream_customers() {
        let grid = small_city();
        let (sw, expected_n) = (0..grid.model.switches.len() as u32)
            .map(gridcare::model::SwitchId)
            .filter(|s| grid.model.switches[s.index()].kind != SwitchKind::Tie)
            .map(|s| {
                let d = DeviceRef::Element(ElementRef::Switch(s));
                (s, grid.trace(d).affected_customers.len())
            })
            .find(|(_, n)| *n > 10)
            .expect("a switch with customers below it");
        let mut h = harness_on(grid, "whatif");
        h.state_mut().send(Command::SelectDevice(DeviceRef::Element(ElementRef::Switch(sw))));
        h.run();
        h.get_by_label("What if opened").click();
        h.run();
        assert!(
            has_label(&h, &format!("{expected_n} customers would lose supply")),
            "no count of {expected_n}"
        );
    }

    #[test]
    fn a_pin_on_the_map_names_the_nearest_customer() {
        let grid = small_city();
        let c = grid.model.customers[77].clone();
        let mut h = harness_on(grid, "pin");
        h.get_by_label("Map pin").click();
        h.run();
        h.state_mut().send(Command::MapClicked { at: c.pos, metres_per_point: 1.0, zoom: 17.0 });
        h.run();
        assert!(matches!(h.state().selection(), Selection::Pin(_)));
        assert!(h.query_by_label_contains(&c.account_no).is_some(), "nearest customer not shown");
    }

    #[test]
    fn a_corrupt_settings_file_is_reported_and_the_app_runs() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("app-state.json"), "{ not json").expect("write");
        let options =
            AppOptions { data_dir: Some(dir), lang: Some(Lang::En), ..AppOptions::default() };
        let app = GridCareApp::new(&egui::Context::default(), small_city(), options);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1500.0, 950.0))
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        assert!(h.query_by_label_contains("settings file was corrupt").is_some());
        assert!(has_label(&h, "Layers"));
    }

    #[test]
    fn the_view_and_layers_are_saved_for_the_next_run() {
        let dir = temp_dir("persist");
        let options = AppOptions {
            data_dir: Some(dir.clone()),
            lang: Some(Lang::En),
            ..AppOptions::default()
        };
        let mut app = GridCareApp::new(&egui::Context::default(), small_city(), options);
        app.send(Command::SetLayer(gridcare::app::LayerId::Transformers, false));
        app.send(Command::SetLanguage(Lang::Zh));
        let mut h = Harness::builder()
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        h.state_mut().save_now();
        let back = gridcare::app::AppState::load(&dir);
        assert!(back.restored);
        assert!(!back.state.layers.transformers);
        assert_eq!(back.state.lang, Lang::Zh);
    }

    #[test]
    fn a_failing_tile_source_falls_back_to_the_basemap_with_a_notice() {
        let options = AppOptions {
            data_dir: Some(temp_dir("tiles")),
            lang: Some(Lang::En),
            tiles: Some(gridcare::app::TileConfig::Dir {
                path: "/nonexistent/tiles".into(),
                attribution: String::new(),
            }),
            ..AppOptions::default()
        };
        let app = GridCareApp::new(&egui::Context::default(), small_city(), options);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1500.0, 950.0))
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        assert!(h.query_all_by_label_contains("Tile source unavailable").next().is_some());
        // a source given on the command line is not saved as the configured one
        assert_eq!(h.state().state().tiles, gridcare::app::TileConfig::None);
    }

    #[test]
    fn customers_are_density_cells_when_zoomed_out_and_points_from_the_index_when_in() {
        use gridcare::app::layers::customers;
        use gridcare::app::{MapSnapshot, MapView, Overlay, Scene};
        let grid = small_city();
        let snap = MapSnapshot::build(&grid);
        let overlay = Overlay::default();
        let scene = Scene::new(&grid, &snap, &overlay, false);
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1200.0, 800.0));
        let at = grid.model.customers[100].pos;
        let count = |zoom: f64| -> usize {
            let view = MapView::new(rect, at, zoom);
            customers::build(&view, &scene)
                .shapes
                .iter()
                .map(|s| match s {
                    egui::Shape::Mesh(m) => m.vertices.len(),
                    _ => 0,
                })
                .sum()
        };
        let (out, inside) = (count(11.0), count(17.0));
        assert!(out > 0 && inside > 0);
        let view = MapView::new(rect, at, 17.0);
        let in_view = scene.in_view(&view).customers.len();
        assert!(in_view > 0);
        // a point is one or two quads (4 or 8 vertices)
        assert!(inside >= 4 * in_view && inside <= 8 * in_view, "{inside} for {in_view}");
    }

    /// A switch with more than ten customers below it.
    fn busy_switch(grid: &Grid) -> DeviceRef {
        (0..grid.model.switches.len() as u32)
            .map(gridcare::model::SwitchId)
            .filter(|s| grid.model.switches[s.index()].kind != SwitchKind::Tie)
            .map(|s| DeviceRef::Element(ElementRef::Switch(s)))
            .find(|d| grid.trace(*d).affected_customers.len() > 10)
            .expect("a switch with customers below it")
    }

    fn open_store(dir: &std::path::Path) -> gridcare::store::Store {
        use gridcare::store::{KindCheck, OpenOptions, Store};
        let options = OpenOptions {
            kinds: vec![KindCheck::of::<gridcare::outage::Outage>()],
            ..OpenOptions::default()
        };
        Store::open_with(&dir.join(gridcare::app::STORE_DIR), options).expect("the store opens")
    }

    /// What a dispatcher recorded with `gridcare outage` before the app started: a fault at a
    /// switch (alice), then a delayed ETR (bob).
    struct Recorded {
        outage: gridcare::outage::OutageId,
        affected: Vec<gridcare::model::CustomerId>,
        etr_s: i64,
    }

    fn record_fault(dir: &std::path::Path, grid: &Grid) -> Recorded {
        use gridcare::outage::{FaultOutage, FaultSource, OutageBook};
        let mut book =
            OutageBook::open(std::sync::Arc::new(open_store(dir)), grid).expect("the book opens");
        let now = book.now_s();
        let fault = FaultOutage {
            device: busy_switch(grid),
            source: FaultSource::Trip,
            start_s: Some(now - 600),
            etr_s: Some(now + 2 * 3600),
            reason: "cable fault on the lateral".into(),
            author: "alice".into(),
        };
        let o = book.report_fault(grid, fault).expect("a fault outage");
        let etr_s = now + 3 * 3600;
        book.change_etr(grid, o.id, etr_s, "bob", "crew found a second fault").expect("ETR moved");
        let affected = book.affected_customers(o.id).to_vec();
        assert!(affected.len() > 10);
        book.close().expect("the store closes");
        Recorded { outage: o.id, affected, etr_s }
    }

    #[test]
    fn a_fault_recorded_before_the_app_started_is_listed_and_its_trajectory_shown() {
        let grid = small_city();
        let dir = temp_dir("outage-list");
        let rec = record_fault(&dir, &grid);
        let mut h = harness_in(grid, dir);
        assert!(h.state().notices().is_empty(), "{:?}", h.state().notices());
        assert!(has_label(&h, "Outage information"), "no outage list");
        assert!(has_label(&h, "Outages (1)"), "the top bar does not count the open outage");
        let row = format!("#{}", rec.outage);
        assert!(has_label(&h, &row), "outage {row} not listed");
        assert!(has_label(&h, &rec.affected.len().to_string()), "customer count not listed");
        assert!(has_label(&h, &gridcare::store::format_time(rec.etr_s)), "ETR not listed");
        // its area is on the map, red for a fault
        let areas = &h.state().outage_snapshot().areas;
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].kind, gridcare::app::layers::AreaKind::Fault);
        assert!(areas[0].ring.len() >= 3);

        h.get_by_label(&row).click();
        h.run();
        assert_eq!(h.state().selected_outage(), Some(rec.outage));
        assert!(has_label(&h, &format!("Outage {}", rec.outage)), "no details heading");
        // the change trajectory, in order: recorded by alice, then the ETR moved by bob
        let labels = all_labels(&h);
        let created =
            labels.iter().position(|l| l.starts_with("1. ") && l.contains("· alice · recorded"));
        let moved =
            labels.iter().position(|l| l.starts_with("2. ") && l.contains("· bob · ETR changed"));
        assert!(created.is_some() && moved.is_some(), "trajectory not shown: {labels:?}");
        assert!(created < moved, "trajectory out of order");
        assert!(has_label(&h, "reason: crew found a second fault"));
        assert!(labels.iter().any(|l| l.contains("delayed 1 h")), "no ETR change summary");
        // in Chinese the trajectory reads in Chinese
        h.get_by_label("中文").click();
        h.run();
        let labels = all_labels(&h);
        assert!(labels.iter().any(|l| l.contains("，推迟 1 小时")), "{labels:?}");
        assert!(!labels.iter().any(|l| l.contains("delayed 1 h")), "English summary in Chinese");
    }

    #[test]
    fn a_caller_under_an_open_outage_hears_which_one_and_when_power_is_back() {
        let grid = small_city();
        let dir = temp_dir("outage-caller");
        let rec = record_fault(&dir, &grid);
        let inside = grid.model.customers[rec.affected[3].index()].account_no.clone();
        let outside = grid
            .model
            .customers
            .iter()
            .enumerate()
            .find(|(i, _)| !rec.affected.iter().any(|c| c.index() == *i))
            .map(|(_, c)| c.account_no.clone())
            .expect("a customer outside the outage");
        let mut h = harness_in(grid, dir);
        search(&mut h, &inside);
        assert_eq!(h.state().selected_customer(), Some(rec.affected[3]));
        let head = format!("Outage {} · Fault · Active", rec.outage);
        assert!(has_label(&h, &head), "the card does not say the outage covers the caller");
        assert!(h.query_by_label_contains("bob · ETR changed").is_some(), "no latest change");
        assert!(h.query_all_by_label(&gridcare::store::format_time(rec.etr_s)).count() >= 2);
        h.get_by_label(&head).click();
        h.run();
        assert_eq!(h.state().selected_outage(), Some(rec.outage));

        let mut h2 = harness_in(small_city(), temp_dir("outage-caller-2"));
        search(&mut h2, &outside);
        assert!(has_label(&h2, "No open outage covers this customer"));
    }

    #[test]
    fn a_fault_recorded_in_the_app_is_refused_without_a_reason_then_restored() {
        let grid = small_city();
        let device = busy_switch(&grid);
        let affected = grid.trace(device).affected_customers.len();
        let mut h = harness_on(grid, "outage-record");
        assert!(has_label(&h, "No open outages"));
        h.state_mut().send(Command::SelectDevice(device));
        h.run();
        type_into(&mut h, "Cause of the fault", "tree on the line");
        h.get_by_label("Record a fault outage").click();
        h.run();
        let id = h.state().selected_outage().expect("the new outage is selected");
        let book = h.state().outages().expect("the book");
        assert_eq!(book.get(id).map(|o| o.impact.customers()), Some(affected));
        assert!(has_label(&h, &format!("#{id}")));
        assert_eq!(h.state().outage_snapshot().active, 1);
        assert_eq!(h.state().outage_snapshot().customers_off, affected);

        // a change without a reason is refused and said so
        h.get_by_label("Cancel the outage").click();
        h.run();
        assert!(h.query_by_label_contains("needs a reason").is_some(), "no refusal shown");
        assert!(h.state().outages().and_then(|b| b.get(id)).is_some_and(|o| o.changes == 1));

        type_into(&mut h, "Reason for the change", "line cleared");
        h.get_by_label("Restore supply").click();
        h.run();
        let o = h.state().outages().and_then(|b| b.get(id)).expect("the outage");
        assert_eq!(o.lifecycle, gridcare::outage::Lifecycle::Restored);
        assert!(has_label(&h, "No open outages"), "a restored outage is still listed as open");
        assert!(h.state().outage_snapshot().areas.is_empty(), "its area is still drawn");
        assert!(
            h.query_by_label_contains("· restored").is_some(),
            "trajectory lacks the restoration"
        );
        h.get_by_label("Include restored and cancelled").click();
        h.run();
        assert!(has_label(&h, &format!("#{id}")));
    }

    #[test]
    fn a_locked_outage_store_is_reported_and_the_app_runs_without_it() {
        let dir = temp_dir("outage-locked");
        let held = open_store(&dir);
        let mut h = harness_in(small_city(), dir);
        assert!(h.state().outages().is_none());
        assert!(
            h.query_all_by_label_contains("open in another gridcare process").next().is_some(),
            "no notice naming the lock: {:?}",
            h.state().notices()
        );
        assert!(has_label(&h, "Layers"));
        h.get_by_label("Wall screen").click();
        h.run();
        assert!(has_label(&h, "Active outages"));
        drop(held);
    }

    #[test]
    fn the_wall_screen_counts_the_active_outages_and_their_customers() {
        let grid = small_city();
        let dir = temp_dir("outage-wall");
        let rec = record_fault(&dir, &grid);
        let mut h = harness_in(grid, dir);
        h.get_by_label("Wall screen").click();
        h.run();
        assert!(has_label(&h, "Active outages"));
        let note = format!("{} customers off", rec.affected.len());
        assert!(has_label(&h, &note), "no `{note}` on the wall");
        // the crews tile counts the repair desk's crews in the field: none yet, of the default
        // three per unit
        assert!(has_label(&h, "Crews in the field"));
        let crews = h.state().repairs().map_or(0, |d| d.crews().count());
        assert!(crews >= 3);
        let note = format!("of {crews} crews · 0 tickets open");
        assert!(has_label(&h, &note), "no `{note}` on the wall");
    }
}
