//! The repair panels of the desktop app, driven headless through egui_kittest: an operator
//! takes a call by account number and sees the ticket in the queue with its unit, takes a
//! neighbour's call and hears it was merged with the master's progress, sends a crew and sees
//! it on its way in the crew list, records it on site, diagnosed and restored; an unknown
//! account is refused in the operator's language; the storm demo fills the queue by itself.
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
    use gridcare::app::{AppOptions, GridCareApp, Lang};

    use gridcare::grid::Grid;
    use gridcare::model::CustomerId;
    use gridcare::workorder::{CrewStatus, TicketId, TicketStatus};

    fn temp_dir(name: &str) -> PathBuf {
        common::temp_dir("repair", name)
    }

    fn harness_on(grid: Grid, name: &str) -> App {
        common::harness_in(grid, temp_dir(name))
    }

    /// The texts of the queue's row of a ticket (`#N`), in order.
    fn queue_row(h: &App, number: &str) -> Vec<String> {
        let labels = all_labels(h);
        let queue = labels.iter().position(|l| l == "Ticket queue").expect("the queue");
        let start = queue + labels[queue..].iter().position(|l| l == number).expect("the row");
        let mut row: Vec<String> = labels[start..].iter().take(16).cloned().collect();
        row.dedup();
        row
    }

    /// Opens the new-call form and takes a call from an account number.
    fn call_from(h: &mut App, account: &str) {
        if h.query_by_label("Account or phone number").is_none() {
            click(h, "New repair call");
        }
        type_into(h, "Account or phone number", account);
        click(h, "Take the call");
    }

    /// Two customers on one transformer, and the unit that owns their feeder.
    fn neighbours(grid: &Grid) -> (CustomerId, CustomerId, String) {
        let supplied = |i: usize| {
            let c = CustomerId(i as u32);
            grid.customer_card(c).filter(|k| k.energised).map(|k| (c, k))
        };
        let (a, card) = (700..grid.model.customers.len()).find_map(supplied).expect("supplied");
        let b = (0..grid.model.customers.len())
            .filter(|&i| i != a.index())
            .find_map(|i| {
                supplied(i).filter(|(_, k)| k.transformer == card.transformer).map(|(c, _)| c)
            })
            .expect("a neighbour on the same transformer");
        let unit = grid.model.feeders[card.feeder.expect("a feeder").index()].unit.clone();
        (a, b, unit)
    }

    fn account(grid: &Grid, c: CustomerId) -> String {
        grid.model.customers[c.index()].account_no.clone()
    }

    fn status_of(h: &App, id: u64) -> TicketStatus {
        h.state().repairs().and_then(|d| d.ticket(TicketId(id)).ok()).expect("the ticket").status
    }

    #[test]
    fn a_call_from_an_account_becomes_a_ticket_in_the_queue_with_its_unit() {
        let grid = small_city();
        let (a, _, unit) = neighbours(&grid);
        let acc = account(&grid, a);
        let mut h = harness_on(grid, "new-call");
        assert!(has_label(&h, "Ticket queue"));
        assert!(has_label(&h, "No tickets waiting"));
        assert!(has_label(&h, "Tickets (0)"));
        call_from(&mut h, &acc);
        assert!(has_label(&h, &format!("Ticket 1 dispatched to {unit}")), "no outcome");
        assert!(has_label(&h, "Tickets (1)"), "the top bar does not count the ticket");
        // the queue row: number, status, account, unit and the dispatch clock met, arrival next
        assert!(has_label(&h, "#1"), "ticket not in the queue");
        let row = queue_row(&h, "#1");
        assert!(row.contains(&acc), "the account is not in the queue row: {row:?}");
        assert!(row.contains(&unit), "the unit is not in the queue row: {row:?}");
        assert!(row.contains(&"Dispatched".to_string()), "no status in the queue row: {row:?}");
        assert!(has_label_containing(&h, "Arrival: 4"), "no arrival clock in the queue");
        // the new ticket is selected: its details, clocks and history
        assert_eq!(h.state().selected_ticket(), Some(TicketId(1)));
        assert!(has_label(&h, "Ticket 1"));
        assert!(has_label_containing(&h, "Dispatch: met in"), "no dispatch clock");
        assert!(has_label_containing(&h, "· call taken"), "no history");
        assert!(has_label_containing(&h, "· gridcare · dispatched"), "no dispatch in history");
        // the reasons GridCare phrased read in the operator's language, not as stored
        assert!(has_label(
            &h,
            "reason: no known outage or ticket in flight covers the caller: a new fault"
        ));
        assert!(
            has_label(
                &h,
                &format!("reason: dispatched straight to {unit}, the unit that owns the feeder")
            ),
            "{:?}",
            all_labels(&h)
        );
        h.get_by_label("中文").click();
        h.run();
        assert!(
            has_label_containing(&h, "无已知停电或在途工单覆盖该客户：新故障"),
            "{:?}",
            all_labels(&h)
        );
        assert!(has_label_containing(&h, &format!("直派 {unit}（馈线所属供电单位）")));
        assert!(
            !has_label_containing(&h, "a new fault"),
            "English stored reason in the Chinese UI"
        );
    }

    #[test]
    fn a_neighbours_call_is_merged_and_shows_the_masters_crew_and_eta() {
        let grid = small_city();
        let (a, b, _) = neighbours(&grid);
        let (first, second) = (account(&grid, a), account(&grid, b));
        let mut h = harness_on(grid, "merge");
        call_from(&mut h, &first);
        click(&mut h, "Send the best crew");
        assert_eq!(status_of(&h, 1), TicketStatus::EnRoute);
        let desk = h.state().repairs().expect("desk");
        let t = desk.ticket(TicketId(1)).expect("ticket");
        let crew = desk.crew(t.crew.expect("a crew")).expect("crew").spec.name.clone();
        let eta = gridcare::store::format_time(t.eta_s.expect("an ETA"));

        call_from(&mut h, &second);
        assert!(has_label(&h, "Ticket 2 merged into master ticket 1"), "{:?}", all_labels(&h));
        assert_eq!(status_of(&h, 2), TicketStatus::Merged);
        assert!(has_label(&h, "Master ticket progress"));
        // the crew is named in the crew list, the outcome's and the merged ticket's progress
        assert!(h.query_all_by_label(&crew).count() >= 3, "the master's crew is not named");
        assert!(h.query_all_by_label(&eta).count() >= 1, "the master's ETA is not shown");
        // the queue still has one master, now with one merged call
        assert!(has_label(&h, "Tickets (1)"));
        assert_eq!(h.state().repair_snapshot().queue[0].duplicates, 1);
        // the merged call's pin is small and has the master's colour
        let pins = &h.state().repair_snapshot().pins;
        assert_eq!(pins.iter().filter(|p| p.master).count(), 1);
        assert_eq!(pins.iter().filter(|p| !p.master).count(), 1);
        assert_eq!(pins[0].urgency, pins[1].urgency);
    }

    #[test]
    fn a_crew_sent_is_on_its_way_in_the_crew_list_and_the_ticket_steps_to_restored() {
        let grid = small_city();
        let (a, _, _) = neighbours(&grid);
        let acc = account(&grid, a);
        let mut h = harness_on(grid, "steps");
        call_from(&mut h, &acc);
        assert!(!has_label(&h, "En route"), "a crew on its way before any was sent");
        click(&mut h, "Send the best crew");
        let crew = {
            let d = h.state().repairs().expect("desk");
            let id = d.ticket(TicketId(1)).expect("ticket").crew.expect("crew");
            d.crew(id).expect("crew").clone()
        };
        assert_eq!(crew.status, CrewStatus::EnRoute);
        // the crew list: its name, on its way, to ticket #1 (a link) — and the ticket says so
        let row = h.state().repair_snapshot().crews.iter().find(|c| c.id == crew.id).cloned();
        assert_eq!(row.map(|r| r.status), Some(CrewStatus::EnRoute));
        assert!(has_label(&h, &crew.spec.name));
        // en route in the queue, the ticket's status and the crew list
        assert!(
            h.query_all_by_label("En route").count() >= 3,
            "crew and ticket not en route: {:?}",
            all_labels(&h)
        );
        assert!(has_label_containing(&h, "· crew sent"), "no crew in the history");

        click(&mut h, "Record on site");
        assert_eq!(status_of(&h, 1), TicketStatus::OnSite);
        type_into(&mut h, "Fault type", "熔断器熔断");
        type_into(&mut h, "Fault cause", "树障");
        click(&mut h, "Record the diagnosis");
        assert!(has_label_containing(&h, "熔断器熔断 · 树障"), "no diagnosis in the history");
        click(&mut h, "Record restored");
        assert_eq!(status_of(&h, 1), TicketStatus::Restored);
        assert!(has_label(&h, "No tickets waiting"), "a restored ticket is still queued");
        assert!(has_label(&h, "Available"), "the crew is not free again");
        assert!(has_label_containing(&h, "Restoration: met in"));
        click(&mut h, "Close the ticket");
        click(&mut h, "Record the callback");
        assert_eq!(status_of(&h, 1), TicketStatus::CallbackDone);
        assert!(has_label_containing(&h, "· called back"));
    }

    #[test]
    fn an_unknown_account_is_refused_in_the_operators_language() {
        let grid = small_city();
        let nobody = "13512345678";
        assert!(grid.find(nobody, 3).iter().all(|m| m.score < 1.0), "someone has it");
        let mut h = harness_on(grid, "unknown");
        call_from(&mut h, nobody);
        assert!(
            has_label_containing(&h, "no customer has the account number or phone `13512345678`"),
            "{:?}",
            all_labels(&h)
        );
        assert!(has_label(&h, "No tickets waiting"), "a ticket was made");
        h.get_by_label("中文").click();
        h.run();
        // the number stays in the field, to be corrected or taken again
        click(&mut h, "受理报修");
        assert!(
            has_label_containing(&h, "没有用户的户号或电话是 “13512345678”"),
            "{:?}",
            all_labels(&h)
        );
    }

    #[test]
    fn the_storm_demo_fills_the_queue_sends_crews_and_stops_when_turned_off() {
        let mut h = harness_on(small_city(), "demo");
        assert!(has_label(&h, "No tickets waiting"));
        click(&mut h, "Storm demo");
        assert!(h.state().demo_generating());
        // 0.25 s a step: 60 steps are 15 s on the screen, a quarter of an hour of the storm
        for _ in 0..60 {
            h.step();
        }
        h.run();
        let snap = h.state().repair_snapshot();
        assert!(!snap.all.is_empty(), "no tickets after a quarter of an hour of storm");
        assert!(!snap.queue.is_empty(), "nothing dispatched");
        assert!(has_label(&h, &format!("#{}", snap.queue[0].id)), "the queue does not show it");
        assert!(has_label_containing(&h, "Storm demo: "), "no demo note");
        let crews_out = snap.crews.iter().filter(|c| c.status != CrewStatus::Available).count();
        assert!(crews_out >= 1, "no crew sent to the first ticket of the fault");
        assert!(has_label(&h, "En route") || has_label(&h, "Working on site"));

        click(&mut h, "Storm demo");
        assert!(!h.state().demo_generating());
        let n = h.state().repairs().map_or(0, |d| d.tickets().count());
        for _ in 0..40 {
            h.step();
        }
        h.run();
        let after = h.state().repairs().map_or(0, |d| d.tickets().count());
        assert_eq!(n, after, "calls kept coming after the demo was turned off");
    }

    #[test]
    fn a_pin_dropped_on_the_map_becomes_a_ticket_at_that_point() {
        let grid = small_city();
        let at = grid.model.customers[1500].pos;
        let feeder = grid.locate(at, 300.0).feeder.expect("a feeder near the pin");
        let unit = grid.model.feeders[feeder.index()].unit.clone();
        let mut h = harness_on(grid, "pin");
        click(&mut h, "New repair call");
        click(&mut h, "By map pin");
        assert!(has_label(&h, "turn on Map pin and click the map"), "no hint before the pin");
        h.state_mut().send(gridcare::app::Command::MapClicked {
            at,
            metres_per_point: 1.0,
            zoom: 17.0,
        });
        h.run();
        assert!(matches!(h.state().selection(), gridcare::app::Selection::Pin(_)), "pin mode off");
        assert!(has_label(&h, &format!("{:.4}, {:.4}", at.lon, at.lat)), "the pin is not shown");
        click(&mut h, "Take the call");
        assert!(has_label(&h, &format!("Ticket 1 dispatched to {unit}")), "{:?}", all_labels(&h));
        let desk = h.state().repairs().expect("desk");
        let t = desk.ticket(TicketId(1)).expect("ticket");
        assert!(t.site.address.starts_with("地图扎点"), "{}", t.site.address);
        assert!(t.site.account.is_none());
    }

    #[test]
    fn a_call_under_an_active_planned_outage_is_explained_with_its_etr() {
        use gridcare::outage::{OutageBook, PlannedOutage};
        use gridcare::store::{KindCheck, OpenOptions, Store};
        let grid = small_city();
        let dir = temp_dir("explained");
        // a dispatcher planned maintenance on a switch an hour ago, before the app started
        let mut kinds = gridcare::workorder::store_kinds();
        kinds.push(KindCheck::of::<gridcare::outage::Outage>());
        let store = Store::open_with(
            &dir.join(gridcare::app::STORE_DIR),
            OpenOptions { kinds, ..OpenOptions::default() },
        )
        .expect("the store opens");
        let mut book = OutageBook::open(std::sync::Arc::new(store), &grid).expect("the book");
        let device = (0..grid.model.switches.len() as u32)
            .map(|s| {
                gridcare::model::DeviceRef::Element(gridcare::model::ElementRef::Switch(
                    gridcare::model::SwitchId(s),
                ))
            })
            .find(|d| grid.trace(*d).affected_customers.len() > 10)
            .expect("a switch with customers below it");
        let now = book.now_s();
        let plan = PlannedOutage {
            devices: vec![device],
            start_s: now - 3600,
            end_s: now + 3 * 3600,
            reason: "配变检修".into(),
            notice: String::new(),
            author: "alice".into(),
        };
        let o = book.plan(&grid, plan).expect("planned");
        let etr = book.get(o.id).and_then(|x| x.etr_s);
        let caller = account(&grid, book.affected_customers(o.id)[0]);
        book.close().expect("closed");
        let options =
            AppOptions { data_dir: Some(dir), lang: Some(Lang::En), ..AppOptions::default() };
        let app = GridCareApp::new(&egui::Context::default(), grid, options);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1600.0, 1000.0))
            .with_max_steps(40)
            .with_context_setup(gridcare::app::install_fonts)
            .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
        h.run();
        call_from(&mut h, &caller);
        let etr_text = etr.map_or("not yet known".to_string(), gridcare::store::format_time);
        let said = format!("Ticket 1: explained by outage {}, ETR {etr_text}", o.id);
        assert!(has_label(&h, &said), "{:?}", all_labels(&h));
        assert_eq!(status_of(&h, 1), TicketStatus::Explained);
        assert!(has_label(&h, "No tickets waiting"), "nothing is dispatched for a planned outage");
        let pins = &h.state().repair_snapshot().pins;
        assert_eq!(pins.len(), 1);
        assert_eq!(pins[0].urgency, gridcare::app::layers::Urgency::Explained);
    }
}
