//! Repair tickets on the demo city of Foshan: a call becomes a ticket located on the grid and
//! dispatched to the unit owning the feeder; duplicates join their master; SLA clocks run on
//! a virtual clock; the log replays to the same state; bad input is named.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use gridcare::grid::{Grid, ModelSource};
use gridcare::model::DeviceRef;
use gridcare::outage::{
    FaultOutage, FaultSource, Outage, OutageBook, PlannedOutage, PredictParams, ProtectionIndex,
};
use gridcare::store::{parse_time, KindCheck, OpenOptions, Store, VirtualClock};
use gridcare::workorder::{
    default_crews, locate_call, store_kinds, Caller, Channel, ClockState, Crew, CrewEvent,
    CrewStatus, Disposition, FaultLevel, RepairCall, RepairDesk, SlaPolicy, SlaStep, Ticket,
    TicketError, TicketEvent, TicketId, TicketStatus, TicketStep,
};

fn grid() -> &'static Grid {
    static GRID: OnceLock<Grid> = OnceLock::new();
    GRID.get_or_init(|| Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads"))
}

fn t(text: &str) -> i64 {
    parse_time(text).expect("a time")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-ticket-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

struct Centre {
    clock: Arc<VirtualClock>,
    outages: OutageBook,
    desk: RepairDesk,
}

fn open_centre(dir: &Path, now: &str) -> Centre {
    let clock = Arc::new(VirtualClock::new(t(now)));
    let mut kinds = store_kinds();
    kinds.push(KindCheck::of::<Outage>());
    let store = Arc::new(
        Store::open_with(dir, OpenOptions { clock: clock.clone(), kinds }).expect("store opens"),
    );
    let outages = OutageBook::open(store.clone(), grid()).expect("outage book");
    let desk = RepairDesk::open(store, SlaPolicy::default()).expect("desk");
    Centre { clock, outages, desk }
}

fn call(caller: Caller) -> RepairCall {
    RepairCall {
        caller,
        phone: None,
        channel: Channel::Phone,
        description: "家里没电了".into(),
        author: "话务员小陈".into(),
    }
}

/// Account numbers of two customers on one transformer, and one on another feeder.
fn neighbours() -> (String, String, String) {
    let m = &grid().model;
    let first = &m.customers[0];
    let same = m
        .customers
        .iter()
        .find(|c| c.transformer == first.transformer && c.account_no != first.account_no)
        .expect("a neighbour on the same transformer");
    let far = m
        .customers
        .iter()
        .rev()
        .find(|c| c.transformer != first.transformer)
        .expect("a customer elsewhere");
    (first.account_no.clone(), same.account_no.clone(), far.account_no.clone())
}

#[test]
fn a_call_is_located_and_dispatched_to_the_unit_that_owns_the_feeder() {
    let dir = scratch("dispatch");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    let (a, _, _) = neighbours();
    let out = c.desk.take_call(grid(), &c.outages, call(Caller::Number(a.clone()))).expect("taken");
    let tk = &out.ticket;
    assert_eq!(out.decision.disposition, Disposition::Dispatch);
    assert_eq!(tk.status, TicketStatus::Dispatched);
    assert_eq!(tk.site.account.as_deref(), Some(a.as_str()));
    let m = &grid().model;
    let card = grid()
        .customer_card(match grid().resolve(&a) {
            Ok(DeviceRef::Customer(cu)) => cu,
            other => panic!("{other:?}"),
        })
        .expect("card");
    let feeder = &m.feeders[card.feeder.expect("supplied").index()];
    assert_eq!(tk.site.feeder.as_deref(), Some(feeder.name.as_str()));
    assert_eq!(tk.site.unit, feeder.unit, "dispatched straight to the feeder's unit");
    assert!(tk.site.transformer.is_some());
    assert_eq!(tk.times.dispatched_s, Some(t("2026-11-24 14:00")));
}

#[test]
fn a_neighbour_on_the_same_transformer_joins_the_master_and_nothing_is_dispatched() {
    let dir = scratch("merge");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    for spec in default_crews(grid()) {
        c.desk.register_crew(spec, "班长").expect("crew");
    }
    let (a, b, far) = neighbours();
    let first = c.desk.take_call(grid(), &c.outages, call(Caller::Number(a))).expect("first");
    let (_, crew) = c.desk.send_crew(first.ticket.id, None, "调度员").expect("a crew is free");
    assert_eq!(crew.status, CrewStatus::EnRoute);
    c.clock.advance(600);
    let second = c.desk.take_call(grid(), &c.outages, call(Caller::Number(b))).expect("second");
    assert_eq!(second.ticket.status, TicketStatus::Merged);
    assert_eq!(second.decision.disposition, Disposition::Merged { master: first.ticket.id });
    let master = second.master.expect("the master's progress");
    assert_eq!(master.crew.as_deref(), Some(crew.spec.name.as_str()));
    assert_eq!(master.dispatched_s, first.ticket.times.dispatched_s);
    assert_eq!(master.duplicates, 1);
    let elsewhere = c.desk.take_call(grid(), &c.outages, call(Caller::Number(far))).expect("far");
    assert_eq!(elsewhere.decision.disposition, Disposition::Dispatch, "another fault");
    assert_eq!(c.desk.queue().len(), 2, "two masters in the queue, the duplicate is not");
}

#[test]
fn an_affected_customers_call_joins_the_open_outage_and_creates_no_dispatch() {
    let dir = scratch("outage");
    let mut c = open_centre(&dir, "2026-11-25 10:00");
    let device = grid().resolve("sect.zm01-2").expect("a switch of the demo city");
    let plan = PlannedOutage {
        devices: vec![device],
        start_s: t("2026-11-25 09:00"),
        end_s: t("2026-11-25 13:00"),
        reason: "10kV祖01线 2号分段开关检修".into(),
        notice: String::new(),
        author: "王工".into(),
    };
    let o = c.outages.plan(grid(), plan).expect("planned");
    let account = o.impact.accounts[0].clone();
    let out = c.desk.take_call(grid(), &c.outages, call(Caller::Number(account))).expect("taken");
    assert_eq!(out.ticket.status, TicketStatus::Explained);
    assert_eq!(out.ticket.outage, Some(o.id));
    assert!(out.ticket.times.dispatched_s.is_none());
    assert!(c.desk.queue().is_empty(), "nothing dispatched");

    // A fault outage: its first call is the one dispatch, later calls join it.
    let fuse = grid().resolve("sect.zm02-1").expect("a switch");
    let f = c
        .outages
        .report_fault(
            grid(),
            FaultOutage {
                device: fuse,
                source: FaultSource::Trip,
                start_s: None,
                etr_s: Some(t("2026-11-25 16:00")),
                reason: "开关跳闸".into(),
                author: "调度".into(),
            },
        )
        .expect("fault");
    let calls: Vec<_> = f.impact.accounts.iter().take(5).cloned().collect();
    let mut dispatched = 0;
    for a in calls {
        let out = c.desk.take_call(grid(), &c.outages, call(Caller::Number(a))).expect("taken");
        assert_eq!(out.ticket.outage, Some(f.id));
        dispatched += usize::from(out.ticket.status == TicketStatus::Dispatched);
        if let Some(m) = out.master {
            assert_eq!(m.etr_s, Some(t("2026-11-25 16:00")), "the outage's ETR is told");
        }
    }
    assert_eq!(dispatched, 1, "five calls under one fault outage: one dispatch");
}

#[test]
fn an_sla_breach_is_flagged_on_the_virtual_clock() {
    let dir = scratch("sla");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    for spec in default_crews(grid()) {
        c.desk.register_crew(spec, "班长").expect("crew");
    }
    let (a, _, far) = neighbours();
    let late = c.desk.take_call(grid(), &c.outages, call(Caller::Number(a))).expect("a");
    let quick = c.desk.take_call(grid(), &c.outages, call(Caller::Number(far))).expect("b");
    c.desk.send_crew(quick.ticket.id, None, "调度员").expect("crew");
    c.clock.advance(20 * 60);
    c.desk.step(quick.ticket.id, TicketStep::OnSite, "班长", "到达").expect("on site");
    c.clock.advance(30 * 60); // 50 min after the call
    let arrival =
        |id| c.desk.clocks(id).expect("clocks").into_iter().find(|k| k.step == SlaStep::Arrival);
    let area = c.desk.policy().area_of(&late.ticket.site.unit);
    let limit = c.desk.policy().arrival_limit_s(area);
    match arrival(late.ticket.id).expect("clock").state {
        ClockState::Overdue { over_s } if limit == 45 * 60 => assert_eq!(over_s, 5 * 60),
        ClockState::Running { left_s } if limit == 90 * 60 => assert_eq!(left_s, 40 * 60),
        s => panic!("unexpected arrival clock {s:?} (limit {limit})"),
    }
    assert_eq!(arrival(quick.ticket.id).expect("clock").state, ClockState::Met { took_s: 1200 });
    if limit == 45 * 60 {
        assert_eq!(c.desk.breached().iter().map(|t| t.id).collect::<Vec<_>>(), [late.ticket.id]);
    }
}

#[test]
fn the_whole_lifecycle_then_a_replay_after_a_crash_gives_the_same_state() {
    let dir = scratch("replay");
    let before: Vec<Ticket>;
    {
        let mut c = open_centre(&dir, "2026-11-24 14:00");
        for spec in default_crews(grid()) {
            c.desk.register_crew(spec, "班长").expect("crew");
        }
        let (a, b, _) = neighbours();
        let tk = c.desk.take_call(grid(), &c.outages, call(Caller::Number(a))).expect("a").ticket;
        c.desk.take_call(grid(), &c.outages, call(Caller::Number(b))).expect("b");
        c.desk.send_crew(tk.id, None, "调度员").expect("sent");
        c.clock.advance(1800);
        let steps = [
            TicketStep::OnSite,
            TicketStep::Diagnosed {
                fault_type: "低压熔丝熔断".into(),
                cause: "过负荷".into(),
                level: gridcare::workorder::FaultLevel::LowVoltage,
                etr_s: Some(t("2026-11-24 16:00")),
            },
            TicketStep::Restored,
            TicketStep::Closed,
            TicketStep::Callback { satisfied: true, note: "满意".into() },
        ];
        for s in steps {
            c.clock.advance(600);
            c.desk.step(tk.id, s, "班长", "现场").expect("step");
        }
        assert_eq!(c.desk.ticket(tk.id).expect("t").status, TicketStatus::CallbackDone);
        let refused = c.desk.step(tk.id, TicketStep::Restored, "班长", "again");
        assert!(matches!(refused, Err(TicketError::Refused { .. })), "{refused:?}");
        before = c.desk.tickets().cloned().collect();
        // the crash: state trees lost, the log kept
        c.desk.store().debug_clear_state("ticket").expect("cleared");
    }
    let c = open_centre(&dir, "2026-11-24 18:00");
    let after: Vec<Ticket> = c.desk.tickets().cloned().collect();
    assert_eq!(after, before, "the fold of the log equals the state before the crash");
    assert!(c.desk.crews().all(|cr| cr.status == CrewStatus::Available), "crew released");
}

#[test]
fn writes_cut_in_half_by_a_crash_are_completed_when_the_desk_reopens() {
    let dir = scratch("half-written");
    let (a, _, far) = neighbours();
    let (cut_ticket, cut_crew);
    {
        let mut c = open_centre(&dir, "2026-11-24 14:00");
        for spec in default_crews(grid()) {
            c.desk.register_crew(spec, "班长").expect("crew");
        }
        // A call recorded, then the process dies before the dispatch is written.
        let located = locate_call(grid(), &Caller::Number(a)).expect("located");
        let created = TicketEvent::Created {
            channel: Channel::Phone,
            description: "家里没电了".into(),
            site: Box::new(located.site.clone()),
            fault_level: FaultLevel::LowVoltage,
            disposition: Disposition::Dispatch,
            outage: None,
        };
        let store = c.desk.store().clone();
        cut_ticket = TicketId(
            store.create::<Ticket>("话务员小陈", "a new fault", created).expect("created").id,
        );
        // A crew sent to another ticket, then the process dies before the ticket says so.
        let other = c.desk.take_call(grid(), &c.outages, call(Caller::Number(far))).expect("far");
        let crew = c
            .desk
            .crews()
            .find(|x| x.spec.unit == other.ticket.site.unit)
            .expect("a crew of the unit")
            .id;
        let sent = CrewEvent::Sent {
            ticket: other.ticket.id,
            from: located.site.pos,
            eta_s: t("2026-11-24 14:30"),
        };
        store.append::<Crew>(crew.0, "调度员", "sent", sent).expect("sent");
        cut_crew = crew;
    }
    let c = open_centre(&dir, "2026-11-24 14:05");
    assert_eq!(c.desk.recovered(), 2, "one call dispatched, one crew released");
    let t = c.desk.ticket(cut_ticket).expect("the half-written call is there");
    assert_eq!(t.status, TicketStatus::Dispatched, "the call reached its unit after all");
    assert!(c.desk.queue().iter().any(|q| q.id == cut_ticket), "and it is in the work queue");
    let crew = c.desk.crew(cut_crew).expect("crew");
    assert_eq!((crew.status, crew.ticket), (CrewStatus::Available, None), "the crew is free again");
    let history = c.desk.history(cut_ticket).expect("history");
    assert_eq!(history.last().map(|e| e.author.as_str()), Some("gridcare"));
    drop(c);
    // Reopening again finds nothing more to do.
    let c = open_centre(&dir, "2026-11-24 14:06");
    assert_eq!(c.desk.recovered(), 0);
}

/// Customers below `device`, one per distinct transformer, in model order.
fn one_per_transformer(device: &str) -> Vec<String> {
    gridcare::workorder::testing::one_per_transformer(grid(), device).expect("device")
}

#[test]
fn calls_under_one_lateral_are_predicted_at_its_fuse_and_confirming_leaves_one_dispatch() {
    let dir = scratch("predict");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    for spec in default_crews(grid()) {
        c.desk.register_crew(spec, "班长").expect("crew");
    }
    let callers = one_per_transformer("fuse.zm01-l01");
    assert!(callers.len() >= 4, "the lateral feeds several transformers: {callers:?}");
    let mut ids = Vec::new();
    for a in &callers[..4] {
        c.clock.advance(120);
        let o =
            c.desk.take_call(grid(), &c.outages, call(Caller::Number(a.clone()))).expect("call");
        assert_eq!(
            o.decision.disposition,
            Disposition::Dispatch,
            "another transformer: a new fault"
        );
        ids.push(o.ticket.id);
    }
    // a crew already left for the second call: that ticket will stay the master
    c.desk.send_crew(ids[1], None, "调度员").expect("sent");
    let index = ProtectionIndex::build(grid());
    let predicted = c.desk.predicted_outages(grid(), &index, &PredictParams::default());
    assert_eq!(predicted.len(), 1, "{predicted:?}");
    assert_eq!(predicted[0].device, "fuse.zm01-l01");
    assert_eq!(predicted[0].tickets, ids);
    assert_eq!(predicted[0].prediction.callers, 4);

    let confirmed = c
        .desk
        .confirm_outage(grid(), &mut c.outages, "fuse.zm01-l01", &[], "值班长", "故障研判确认")
        .expect("confirmed");
    assert_eq!(confirmed.master, Some(ids[1]), "the ticket whose crew is on its way");
    assert_eq!(confirmed.merged, vec![ids[0], ids[2], ids[3]]);
    assert_eq!(confirmed.outage.source, Some(FaultSource::Predicted));
    let in_flight: Vec<_> = c.desk.queue().iter().map(|t| t.id).collect();
    assert_eq!(in_flight, vec![ids[1]], "one dispatch for the outage");
    assert!(c.desk.crews().all(|x| x.ticket.is_none() || x.ticket == Some(ids[1])));
    for id in &ids {
        assert_eq!(c.desk.ticket(*id).expect("t").outage, Some(confirmed.outage.id));
    }
    // nothing is left to predict, and the next caller of the lateral joins the master
    assert!(c.desk.predicted_outages(grid(), &index, &PredictParams::default()).is_empty());
    let next = c
        .desk
        .take_call(grid(), &c.outages, call(Caller::Number(callers[4].clone())))
        .expect("call");
    assert_eq!(next.decision.disposition, Disposition::Merged { master: ids[1] });
    assert!(next.master.as_ref().and_then(|m| m.crew.clone()).is_some(), "the master's crew");
}

#[test]
fn moving_a_prediction_to_a_smaller_device_leaves_the_calls_it_does_not_explain() {
    let dir = scratch("predict-move");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    let callers = one_per_transformer("fuse.zm01-l01");
    let mut ids = Vec::new();
    for a in &callers[..3] {
        c.clock.advance(60);
        ids.push(
            c.desk
                .take_call(grid(), &c.outages, call(Caller::Number(a.clone())))
                .expect("call")
                .ticket
                .id,
        );
    }
    // The operator moves it to the first caller's transformer.
    let site = c.desk.ticket(ids[0]).expect("t").site.transformer.clone().expect("a transformer");
    let moved = c
        .desk
        .confirm_outage(grid(), &mut c.outages, &site, &ids, "值班长", "巡线发现配变跌落熔断器熔断")
        .expect("moved");
    assert_eq!(moved.master, Some(ids[0]));
    assert!(moved.merged.is_empty());
    assert_eq!(moved.outside, vec![ids[1], ids[2]], "calls the transformer does not supply");
    assert_eq!(c.desk.ticket(ids[1]).expect("t").status, TicketStatus::Dispatched);
    // Bad input is named and changes nothing.
    let unknown = c.desk.confirm_outage(grid(), &mut c.outages, "fuse.nowhere", &[], "值班长", "x");
    assert!(unknown.is_err(), "{unknown:?}");
    let closed = c.desk.confirm_outage(grid(), &mut c.outages, &site, &[ids[0]], "值班长", "again");
    let msg = closed.expect_err("ticket 1 has its outage").to_string();
    assert!(msg.contains("no outage explains"), "{msg}");
    assert_eq!(c.outages.list(true).len(), 1);
}

#[test]
fn garbage_input_gets_a_clear_error_and_stores_nothing() {
    let dir = scratch("garbage");
    let mut c = open_centre(&dir, "2026-11-24 14:00");
    let mut err = |caller| {
        let r = c_take(&mut c, caller);
        r.expect_err("refused").to_string()
    };
    fn c_take(c: &mut Centre, caller: Caller) -> Result<(), TicketError> {
        c.desk.take_call(grid(), &c.outages, call(caller)).map(|_| ())
    }
    let e = err(Caller::Number("0699999999".into()));
    assert!(e.contains("0699999999"), "{e}");
    let e = err(Caller::Number("138-00".into()));
    assert!(e.contains("neither an account number"), "{e}");
    let e = err(Caller::Address("火星基地一号".into()));
    assert!(e.contains("no standard address matches"), "{e}");
    let e = err(Caller::Pin(gridcare::model::LonLat::new(100.0, 40.0)));
    assert!(e.contains("off the grid"), "{e}");
    let e = err(Caller::Device("transformer.nonexistent".into()));
    assert!(e.contains("transformer.nonexistent"), "{e}");
    let e = err(Caller::Device("sub.zumiao".into()));
    assert!(e.contains("substation"), "{e}");
    assert_eq!(c.desk.tickets().count(), 0, "nothing stored");
    let e = c.desk.step(gridcare::workorder::TicketId(42), TicketStep::OnSite, "x", "y");
    assert!(e.expect_err("no ticket").to_string().contains("no ticket 42"));
}

#[test]
fn a_ticket_for_a_disabled_device_is_refused() {
    use gridcare::sim::{sample_model, SampleFeeders};
    let mut model = sample_model(&SampleFeeders::default());
    let line = model.lines.iter_mut().find(|l| l.name == "line.f1-l2-t1").expect("a lateral line");
    line.in_service = false; // OpenDSS `enabled=false`
    let g = Grid::from_model(model);
    let e = gridcare::workorder::locate_call(&g, &Caller::Device("line.f1-l2-t1".into()));
    let msg = e.expect_err("refused").to_string();
    assert!(msg.contains("line.f1-l2-t1") && msg.contains("out of service"), "{msg}");
    let ok = gridcare::workorder::locate_call(&g, &Caller::Device("line.f1-l3-t1".into()));
    assert_eq!(ok.expect("in service").site.unit, "sample");
}
