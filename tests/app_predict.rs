//! Predicted outages (故障研判) in the desktop app, driven headless through egui_kittest on
//! the embedded demo city: calls from customers on different transformers under one lateral
//! are listed as one outage predicted at its fuse with their tickets; confirming it without a
//! reason is refused in the operator's language; with a reason the queue keeps one master and
//! the outage list shows the fault outage; a move to the first caller's transformer leaves
//! the other calls outside; a prediction confirmed during the storm demo leaves no released
//! crew driving and no merged ticket waiting. Queries go through the AccessKit tree by
//! label; no pixels are compared.
#![cfg(feature = "app")]

mod common;

/// Named `app` so that `cargo test app` runs these.
mod app {
    use std::path::PathBuf;

    use super::common::{self, *};
    use eframe::egui;
    use egui_kittest::kittest::Queryable;

    use gridcare::app::Command;
    use gridcare::citygen::{generate_city, CityParams};
    use gridcare::grid::{Grid, ModelSource};
    use gridcare::outage::{FaultSource, OutageKind};
    use gridcare::workorder::{CrewStatus, Disposition, TicketId, TicketStatus};

    fn temp_dir(name: &str) -> PathBuf {
        common::temp_dir("predict", name)
    }

    fn harness_on(grid: Grid, name: &str) -> App {
        common::harness_in(grid, temp_dir(name))
    }

    fn demo_city() -> Grid {
        Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads")
    }

    /// Takes a call from an account number through the new-call form, then closes it.
    fn call_from(h: &mut App, account: &str) {
        if h.query_by_label("Account or phone number").is_none() {
            click(h, "New repair call");
        }
        type_into(h, "Account or phone number", account);
        click(h, "Take the call");
    }

    /// One customer per distinct transformer below a device, by account number.
    fn one_per_transformer(grid: &Grid, device: &str) -> Vec<String> {
        let dev = grid.resolve(device).expect("device");
        let mut seen = std::collections::BTreeSet::new();
        gridcare::outage::affected_by_opening(grid, &[dev])
            .into_iter()
            .map(|c| &grid.model.customers[c.index()])
            .filter(|c| seen.insert(c.transformer))
            .map(|c| c.account_no.clone())
            .collect()
    }

    /// One frame 5 s after the last on the screen: 5 minutes of the storm demo.
    fn fast_step(h: &mut App) {
        let now = h.ctx.input(|i| i.time);
        h.input_mut().time = Some(now + 5.0);
        h.step();
    }

    fn status_of(h: &App, id: u64) -> TicketStatus {
        h.state().repairs().and_then(|d| d.ticket(TicketId(id)).ok()).expect("the ticket").status
    }

    /// Calls from the first `n` transformers under the lateral fuse `fuse.zm01-l01`, each
    /// dispatched on its own ticket (another transformer: a new fault to the merge rule).
    fn calls_under_the_lateral(n: usize, name: &str) -> App {
        let grid = demo_city();
        let callers = one_per_transformer(&grid, "fuse.zm01-l01");
        assert!(callers.len() >= n, "the lateral feeds several transformers: {callers:?}");
        let mut h = harness_on(grid, name);
        for a in &callers[..n] {
            call_from(&mut h, a);
        }
        h.state_mut().send(Command::ShowNewCall(false)); // it would cover the map
        h.run();
        for id in 1..=n as u64 {
            assert_eq!(status_of(&h, id), TicketStatus::Dispatched, "ticket {id}");
        }
        h
    }

    #[test]
    fn calls_under_one_lateral_are_predicted_at_its_fuse_and_confirmed_into_one_master() {
        let mut h = calls_under_the_lateral(4, "confirm");
        assert!(has_label(&h, "Tickets (4)"), "four dispatched tickets before the confirm");
        // the list: the fuse, its role, its four callers and tickets
        assert!(has_label(&h, "Predicted outages"));
        assert!(has_label(&h, "fuse.zm01-l01"), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Lateral fuse"));
        let rows = &h.state().predicted().rows;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].device, "fuse.zm01-l01");
        assert_eq!(rows[0].tickets, (1..=4).map(TicketId).collect::<Vec<_>>());
        assert_eq!(rows[0].callers, 4);
        assert!(has_label_containing(&h, " %"), "no confidence shown");
        // its area is on the map, dashed and apart from the outage areas
        assert_eq!(h.state().predicted().areas.len(), 1);
        assert!(h.state().outage_snapshot().areas.is_empty());
        // a click on the device flies the map to its area
        let before = h.state().state().view.clone();
        click(&mut h, "fuse.zm01-l01");
        for _ in 0..10 {
            h.step();
        }
        h.run();
        assert_ne!(h.state().state().view, before, "the map did not move to the prediction");

        // no reason: refused, in English and in Chinese, and nothing recorded
        click(&mut h, "Confirm");
        assert!(has_label(&h, "Not done: every change needs a reason"), "{:?}", all_labels(&h));
        h.get_by_label("中文").click();
        h.run();
        click(&mut h, "确认");
        assert!(has_label(&h, "操作未完成: 每项变更都要填写原因"), "{:?}", all_labels(&h));
        assert!(h.state().outages().is_some_and(|b| b.list(true).is_empty()));
        assert_eq!(h.state().repair_snapshot().queue.len(), 4);

        // with a reason: one fault outage, one master, three calls merged into it
        type_into(&mut h, "确认原因", "巡线发现分支熔断器熔断");
        click(&mut h, "确认");
        assert!(has_label(&h, "1 号停电已记录于 fuse.zm01-l01"), "{:?}", all_labels(&h));
        assert!(has_label(&h, "已合并"), "the merged tickets are not named");
        let book = h.state().outages().expect("the book");
        let outages = book.list(true);
        assert_eq!(outages.len(), 1);
        assert_eq!(outages[0].kind, OutageKind::Fault);
        assert_eq!(outages[0].source, Some(FaultSource::Predicted));
        let queue = &h.state().repair_snapshot().queue;
        assert_eq!(queue.len(), 1, "one master in the queue");
        assert_eq!(queue[0].id, TicketId(1), "the earliest call stays the master");
        assert_eq!(queue[0].duplicates, 3);
        assert!(has_label(&h, "工单 (1)"));
        for id in 2..=4 {
            assert_eq!(status_of(&h, id), TicketStatus::Merged, "ticket {id}");
        }
        // the outage list shows the fault outage; the prediction became its fault area
        click(&mut h, "停电信息 (1)");
        assert!(has_label(&h, "#1") && has_label(&h, "故障"), "{:?}", all_labels(&h));
        assert!(has_label_containing(&h, "fuse.zm01-l01"));
        assert!(h.state().predicted().rows.is_empty(), "still predicted after the confirm");
        assert!(has_label(&h, "没有研判出的停电：尚无两个报修指向同一设备"));
        let areas = &h.state().outage_snapshot().areas;
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].kind, gridcare::app::layers::AreaKind::Fault);
        assert!(h.state().predicted().areas.is_empty());
    }

    #[test]
    fn a_prediction_moved_to_the_first_callers_transformer_leaves_the_other_calls_outside() {
        let mut h = calls_under_the_lateral(3, "move");
        assert_eq!(h.state().predicted().rows.len(), 1);
        type_into(&mut h, "Reason to confirm", "巡线发现配变跌落熔断器熔断");
        // a move needs a device: none typed, none selected
        click(&mut h, "Move");
        assert!(
            has_label(&h, "Not done: a move needs a device: select one on the map or type its id"),
            "{:?}",
            all_labels(&h)
        );
        // a device that does not exist is named, and nothing is recorded
        type_into(&mut h, "Move to device", "fuse.nowhere");
        click(&mut h, "Move");
        assert!(has_label_containing(&h, "no device named `fuse.nowhere`"), "{:?}", all_labels(&h));
        assert!(h.state().outages().is_some_and(|b| b.list(true).is_empty()));
        // clear the field: the device selected on the map is used
        h.get_by_label("Move to device").focus();
        h.run();
        for _ in 0.."fuse.nowhere".len() {
            h.key_press(egui::Key::Backspace);
        }
        h.run();
        let site = {
            let desk = h.state().repairs().expect("desk");
            desk.ticket(TicketId(1)).expect("t").site.transformer.clone().expect("a transformer")
        };
        let device = h.state().grid().expect("grid").resolve(&site).expect("the transformer");
        h.state_mut().send(Command::SelectDevice(device));
        h.run();
        click(&mut h, "Move");
        let said = format!("Outage 1 recorded at {site} · moved from fuse.zm01-l01");
        assert!(has_label(&h, &said), "{:?}", all_labels(&h));
        assert!(has_label(&h, "Left outside (not supplied through it)"));
        let book = h.state().outages().expect("the book");
        assert_eq!(book.list(true).len(), 1);
        assert_eq!(book.list(true)[0].devices, vec![site.clone()]);
        // the first call joined the outage; the two others are left as they were
        assert_eq!(status_of(&h, 1), TicketStatus::Dispatched);
        let desk = h.state().repairs().expect("desk");
        assert!(desk.ticket(TicketId(1)).expect("t").outage.is_some());
        for id in [2, 3] {
            assert_eq!(status_of(&h, id), TicketStatus::Dispatched, "ticket {id}");
            assert!(desk.ticket(TicketId(id)).expect("t").outage.is_none());
        }
        assert_eq!(h.state().repair_snapshot().queue.len(), 3);
    }

    #[test]
    fn a_prediction_confirmed_during_the_storm_demo_leaves_no_crew_driving_for_a_merged_ticket() {
        let grid = Grid::from_model(generate_city(&CityParams { customers: 3000, seed: 1 }));
        let mut h = harness_on(grid, "demo");
        click(&mut h, "Storm demo");
        // a fault below a lateral: calls from two transformers, two dispatched tickets, the
        // demo's crew on its way to the first and the second waiting for it
        let dispatched = |h: &App, r: &gridcare::app::PredictedRow| {
            let desk = h.state().repairs().expect("desk");
            let n = r.tickets.iter().filter_map(|t| desk.ticket(*t).ok());
            n.filter(|t| t.disposition == Disposition::Dispatch && t.in_flight()).count()
        };
        let mut found = None;
        for _ in 0..200 {
            fast_step(&mut h);
            let rows = &h.state().predicted().rows;
            if let Some(i) = rows.iter().position(|r| dispatched(&h, r) >= 2) {
                found = Some(i);
                break;
            }
        }
        let i = found.expect("no prediction over two tickets after 16 hours of storm");
        let row = h.state().predicted().rows[i].clone();
        type_into(&mut h, "Reason to confirm", "故障研判确认");
        // the list may have changed while the reason was typed: confirm the same device
        let i = h.state().predicted().rows.iter().position(|r| r.device == row.device);
        let i = i.expect("the prediction is still listed");
        h.query_all_by_label("Confirm").nth(i).expect("its Confirm button").click_accesskit();
        h.run();
        assert!(
            has_label_containing(&h, &format!("recorded at {}", row.device)),
            "{:?}",
            all_labels(&h)
        );
        let merged: Vec<TicketId> = row
            .tickets
            .iter()
            .copied()
            .filter(|t| status_of(&h, t.0) == TicketStatus::Merged)
            .collect();
        assert!(!merged.is_empty(), "nothing merged");
        // no crew the demo drives is free or bound for a merged ticket
        let check = |h: &App| {
            let desk = h.state().repairs().expect("desk");
            for c in h.state().demo_driving() {
                let crew = desk.crew(c).expect("crew");
                assert_eq!(crew.status, CrewStatus::EnRoute, "{} is driving while free", c);
                let t = crew.ticket.expect("a ticket");
                assert!(!merged.contains(&t), "{c} drives to merged ticket {t}");
            }
        };
        check(&h);
        // the storm stops; the crews finish every ticket left, and the demo ends
        click(&mut h, "Storm demo");
        for _ in 0..200 {
            fast_step(&mut h);
            check(&h);
            if !h.state().demo_running() {
                break;
            }
        }
        assert!(!h.state().demo_running(), "the demo still waits for a merged ticket");
        for t in &merged {
            assert_eq!(status_of(&h, t.0), TicketStatus::Merged, "ticket {t}");
        }
        // the master restored by the demo's crew restored the confirmed outage: its area left
        let book = h.state().outages().expect("the book");
        let confirmed = book.list(true).into_iter().find(|o| o.devices == vec![row.device.clone()]);
        let confirmed = confirmed.expect("the confirmed outage");
        assert!(!confirmed.status_at(book.now_s()).is_open(), "{confirmed:?}");
        assert!(h.state().outage_snapshot().areas.is_empty());
    }
}
