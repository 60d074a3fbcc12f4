//! Appointment-outage planning end to end on the demo city (issue 6): a drawn area is
//! consulted through the channel outbox, the answers pick the window, two drafts are compared,
//! and the chosen one is published as a planned outage with a notice per affected customer.

use std::sync::Arc;

use gridcare::channels::outbox::{channel_for, Channel, DeliveryState, MessageKind, Outbox};
use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{CustomerId, Labels, LonLat};
use gridcare::outage::{OutageBook, OutageKind, PlannedOutage};
use gridcare::planning::consult::outage_devices;
use gridcare::planning::{
    compare_scenarios, isolate_polygon, other_outages, CandidateWindow, PresetFile, ScenarioArea,
    ScenarioBook, ScenarioEvent,
};
use gridcare::store::{parse_time, OpenOptions, Store, VirtualClock};

fn t(text: &str) -> i64 {
    parse_time(text).expect("a time")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-flow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The area around 汾江 feeder ZM01's first section (祖庙), as a planner would draw it.
fn area() -> Vec<LonLat> {
    let (lon, lat, h) = (113.1000, 23.0129, 0.002);
    vec![
        LonLat::new(lon - h, lat - h),
        LonLat::new(lon + h, lat - h),
        LonLat::new(lon + h, lat + h),
        LonLat::new(lon - h, lat + h),
    ]
}

struct Desk {
    grid: Grid,
    scenarios: ScenarioBook,
    outages: OutageBook,
    outbox: Outbox,
}

fn desk(name: &str) -> Desk {
    let grid = Grid::load(&ModelSource::Embedded).expect("demo city");
    let clock = Arc::new(VirtualClock::new(t("2026-12-06 10:00")));
    let options = OpenOptions { kinds: gridcare::store_kinds(), clock };
    let store = Arc::new(Store::open_with(&scratch(name), options).expect("store"));
    let outages = OutageBook::open(store.clone(), &grid).expect("outages");
    Desk {
        scenarios: ScenarioBook::open(store.clone()),
        outbox: Outbox::open(store),
        outages,
        grid,
    }
}

fn windows() -> Vec<CandidateWindow> {
    let w = |name: &str, a: &str, b: &str| CandidateWindow {
        name: name.into(),
        start_s: t(a),
        end_s: t(b),
        crews_available: 2,
    };
    vec![
        w("Tue 08:00", "2026-12-08 08:00", "2026-12-08 12:00"),
        w("Wed 08:00", "2026-12-09 08:00", "2026-12-09 12:00"),
        w("Thu 14:00", "2026-12-10 14:00", "2026-12-10 18:00"),
    ]
}

fn account(grid: &Grid, c: CustomerId) -> String {
    grid.model.customers[c.index()].account_no.clone()
}

#[test]
fn a_drawn_area_is_consulted_ranked_compared_and_published_with_its_notices() {
    let Desk { grid, scenarios, mut outages, outbox } = desk("whole");
    let ring = area();
    let iso = isolate_polygon(&grid, &ring);
    assert!(iso.affected.len() > 20, "the area cuts customers: {}", iso.affected.len());

    let s = scenarios
        .create(&grid, "祖庙路 10kV 线路迁改", ScenarioArea::Polygon { ring }, "li.na", "迁改")
        .expect("drawn");
    scenarios.set_candidates(s.id, windows(), 1, "li.na", "three mornings").expect("windows");

    // Consultation: the preset's customers, by label, among those the isolation cuts.
    let presets = PresetFile::embedded().expect("presets");
    let preset = presets.preset("appointment").expect("preset");
    let report = scenarios.consult(&grid, s.id, preset, &outbox, "li.na").expect("consulted");
    let m = &grid.model;
    let wanted: Vec<String> = iso
        .affected
        .iter()
        .filter(|c| {
            let cu = &m.customers[c.index()];
            cu.labels.0
                & (Labels::IMPORTANT.0 | Labels::LIFE_SUPPORT.0 | Labels::OUTAGE_SENSITIVE.0)
                != 0
                || (cu.labels.contains(Labels::COMMERCIAL) && cu.kw >= 50.0)
        })
        .map(|c| account(&grid, *c))
        .collect();
    assert!(!wanted.is_empty(), "the area has appointment customers");
    assert_eq!(report.picked, wanted);
    let bound = |a: &String| {
        let c = m.customers.iter().find(|c| &c.account_no == a).expect("customer");
        c.labels.contains(Labels::WECHAT)
    };
    let sent: Vec<String> = wanted.iter().filter(|a| bound(a)).cloned().collect();
    let phone: Vec<String> = wanted.iter().filter(|a| !bound(a)).cloned().collect();
    assert_eq!((&report.sent, &report.unreachable), (&sent, &phone));
    let letters = outbox.about(&format!("scenario:{}", s.id)).expect("outbox");
    assert_eq!(letters.len(), sent.len(), "one letter per WeChat-bound customer");
    for l in &letters {
        assert_eq!(
            (l.message.channel, l.message.kind),
            (Channel::Wechat, MessageKind::Consultation)
        );
        assert_eq!(l.state, DeliveryState::Queued);
        assert!(l.message.text.contains(&l.message.account), "{}", l.message.text);
        assert!(l.message.text.contains("A. 2026-12-08 08:00–12:00"), "{}", l.message.text);
        assert!(l.message.text.contains("C. 2026-12-10 14:00–18:00"), "{}", l.message.text);
    }
    let again = scenarios.consult(&grid, s.id, preset, &outbox, "li.na").expect("again");
    assert_eq!(again.queued, 0, "the same letter is not sent twice");

    // Answers: three customers reply over WeChat against Tuesday and for Wednesday; one
    // tells the operator on the phone that Thursday afternoon is impossible.
    let who: Vec<String> = iso.affected.iter().take(4).map(|c| account(&grid, *c)).collect();
    for a in &who[..3] {
        scenarios
            .record_reply(
                &grid,
                s.id,
                a,
                "反对A，同意B。理由：周二上午店里进货",
                "wechat",
                "wechat",
            )
            .expect("reply");
    }
    scenarios
        .record_answer(
            &grid,
            s.id,
            &who[3],
            vec![],
            vec!["Thu 14:00".into()],
            "周四下午孩子上网课",
            "operator",
            "chen.hui",
        )
        .expect("answer");
    let weights = &presets.weights;
    let ranking = scenarios.rank_windows(&grid, s.id, &outages, weights).expect("ranking");
    assert_eq!(ranking.chosen.as_deref(), Some("Wed 08:00"), "{}", ranking.why);
    let tue = ranking.rows.iter().find(|r| r.name == "Tue 08:00").expect("row");
    let mut objecting = who[..3].to_vec();
    objecting.sort();
    assert_eq!(tue.objecting, objecting, "the table names who objects");
    assert!(ranking.why.starts_with("Wed 08:00: score"), "{}", ranking.why);

    let (a, b) = (windows()[1].start_s, windows()[1].end_s);
    scenarios
        .change(
            s.id,
            "li.na",
            "the answers favour it",
            ScenarioEvent::WindowSet { start_s: a, end_s: b },
        )
        .expect("window");

    // A second draft: open only the first isolating switch.
    let first = grid.model.switches[iso.switches[0].index()].name.clone();
    let s2 = scenarios
        .create(
            &grid,
            "只断开首段开关",
            ScenarioArea::Devices { devices: vec![first] },
            "li.na",
            "",
        )
        .expect("draft 2");
    scenarios.set_candidates(s2.id, windows(), 1, "li.na", "same windows").expect("windows");
    let drafts = [
        scenarios.get(s.id).expect("ok").expect("ok"),
        scenarios.get(s2.id).expect("ok").expect("ok"),
    ];
    let rows = compare_scenarios(&grid, &drafts, &other_outages(&outages, &grid), weights)
        .expect("compared");
    assert_eq!(rows[0].affected, iso.affected.len());
    assert_eq!(rows[0].consulted, wanted.len());
    assert_eq!((rows[0].answered, rows[0].objections), (4, 4));
    assert_eq!(rows[0].customer_hours, iso.affected.len() as f64 * 4.0);
    assert_eq!(rows[1].affected, drafts[1].impact(&grid).expect("ok").customers.len());
    assert_eq!((rows[1].consulted, rows[1].answered), (0, 0));

    // Publish: the planned outage, and a notice per affected customer that has a channel.
    let p = scenarios
        .publish(&grid, s.id, &mut outages, &outbox, "li.na", "祖庙路线路迁改")
        .expect("published");
    let o = outages.get(p.outage).expect("the outage").clone();
    assert_eq!(o.kind, OutageKind::Planned);
    assert_eq!((o.start_s, o.end_s), (a, Some(b)));
    let mut opened: Vec<String> =
        iso.switches.iter().map(|s| grid.model.switches[s.index()].name.clone()).collect();
    opened.sort();
    let mut devices = o.devices.clone();
    devices.sort();
    assert_eq!(devices, opened, "the outage opens the isolating switches");
    assert_eq!(outages.affected_customers(p.outage), &iso.affected[..]);
    let reachable: Vec<String> = iso
        .affected
        .iter()
        .filter(|c| channel_for(&m.customers[c.index()]).is_some())
        .map(|c| account(&grid, *c))
        .collect();
    assert_eq!(p.notices_queued, reachable.len());
    assert_eq!(p.unreachable, iso.affected.len() - reachable.len());
    let notices = outbox.about(&format!("outage:{}", p.outage.0)).expect("notices");
    let mut got: Vec<String> = notices.iter().map(|n| n.message.account.clone()).collect();
    got.sort();
    let mut want = reachable.clone();
    want.sort();
    assert_eq!(got, want, "each affected customer once");
    assert!(
        notices[0].message.text.contains("2026-12-09 08:00–12:00"),
        "{}",
        notices[0].message.text
    );
    assert!(p.scenario.published);
    assert_eq!(p.scenario.outage, Some(p.outage.0));

    // Publishing again neither plans a second outage nor notifies anyone twice.
    let again = scenarios
        .publish(&grid, s.id, &mut outages, &outbox, "li.na", "祖庙路线路迁改")
        .expect("again");
    assert_eq!((again.outage, again.notices_queued), (p.outage, 0));
    assert_eq!(outages.list(true).len(), 1);
    // And the published scenario takes no more answers.
    let e = scenarios
        .record_reply(&grid, s.id, &who[0], "同意A", "wechat", "wechat")
        .expect_err("published");
    assert!(e.to_string().contains("published"), "{e}");
}

#[test]
fn a_publication_cut_short_after_the_outage_was_recorded_ends_without_a_second_outage() {
    let Desk { grid, scenarios, mut outages, outbox } = desk("resume");
    let s = scenarios
        .create(&grid, "季华路检修", ScenarioArea::Polygon { ring: area() }, "li.na", "")
        .expect("drawn");
    let w = &windows()[0];
    scenarios
        .change(s.id, "li.na", "", ScenarioEvent::WindowSet { start_s: w.start_s, end_s: w.end_s })
        .expect("window");
    // The first attempt recorded the outage, then the process died.
    let devices = outage_devices(&grid, &s).expect("devices");
    let first = outages
        .plan(
            &grid,
            PlannedOutage {
                devices,
                start_s: w.start_s,
                end_s: w.end_s,
                reason: "季华路检修".into(),
                notice: String::new(),
                author: "li.na".into(),
            },
        )
        .expect("planned");
    let p = scenarios
        .publish(&grid, s.id, &mut outages, &outbox, "li.na", "季华路检修")
        .expect("published");
    assert_eq!(p.outage, first.id);
    assert_eq!(outages.list(true).len(), 1);
    assert!(p.notices_queued > 0);
}

#[test]
fn answers_that_do_not_fit_the_scenario_are_refused_naming_why() {
    let Desk { grid, scenarios, outbox, .. } = desk("refused");
    let s = scenarios
        .create(&grid, "汾江路检修", ScenarioArea::Polygon { ring: area() }, "li.na", "")
        .expect("drawn");
    let presets = PresetFile::embedded().expect("presets");
    let e = scenarios
        .consult(&grid, s.id, presets.preset("wechat").expect("ok"), &outbox, "li.na")
        .expect_err("no windows yet");
    assert!(e.to_string().ends_with("set the candidate windows before consulting"), "{e}");
    scenarios.set_candidates(s.id, windows(), 1, "li.na", "").expect("windows");
    let iso = isolate_polygon(&grid, &area());
    let inside = account(&grid, iso.affected[0]);
    let outside = (0..grid.model.customers.len() as u32)
        .map(CustomerId)
        .find(|c| !iso.affected.contains(c))
        .map(|c| account(&grid, c))
        .expect("someone outside");
    let e = scenarios
        .record_reply(&grid, s.id, &outside, "同意A", "wechat", "wechat")
        .expect_err("not cut");
    assert!(e.to_string().contains(&format!("customer {outside} is not cut")), "{e}");
    let e = scenarios
        .record_reply(&grid, s.id, &inside, "同意D", "wechat", "wechat")
        .expect_err("no D");
    assert!(e.to_string().contains("window D"), "{e}");
    let e = scenarios
        .record_reply(&grid, s.id, &inside, "好的，谢谢", "wechat", "wechat")
        .expect_err("no window named");
    assert!(e.to_string().contains("names no window"), "{e}");
    let e = scenarios
        .record_answer(&grid, s.id, "0757999999", vec![], vec![], "", "operator", "chen.hui")
        .expect_err("unknown account");
    assert!(e.to_string().contains("no customer with account `0757999999`"), "{e}");
    let e = scenarios
        .record_answer(&grid, s.id, &inside, vec!["Fri".into()], vec![], "", "operator", "chen")
        .expect_err("unknown window");
    assert!(e.to_string().contains("no candidate window named `Fri`"), "{e}");
    assert!(scenarios.get(s.id).expect("ok").expect("ok").answers.is_empty(), "nothing stored");
}
