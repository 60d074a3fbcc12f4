//! The desk's index of masters in flight against the full scan of [`merge_duplicate_repair`]:
//! the same answer for every caller, and never stale after a ticket changes.

use std::path::PathBuf;

use super::*;
use crate::grid::ModelSource;
use crate::model::SwitchId;
use crate::outage::{FaultOutage, FaultSource};
use crate::rng::Rng;
use crate::sim::{sample_grid, SampleFeeders};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gridcare-desk-index-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &std::path::Path, grid: &Grid) -> (OutageBook, RepairDesk) {
    let store = Arc::new(crate::open_store(dir).expect("store"));
    let outages = OutageBook::open(store.clone(), grid).expect("outage book");
    let desk = RepairDesk::open(store, SlaPolicy::default()).expect("desk");
    (outages, desk)
}

fn call(name: &str) -> RepairCall {
    RepairCall {
        caller: Caller::Device(name.to_string()),
        phone: None,
        channel: Channel::Phone,
        description: "家里没电了".into(),
        author: "test".into(),
    }
}

/// The indexed answer and the full scan, for one located call.
fn same_answer(desk: &RepairDesk, grid: &Grid, outages: &OutageBook, l: &Located) -> MergeDecision {
    let fast = desk.merge_decision(grid, outages, l);
    let slow = merge_duplicate_repair(grid, outages, desk.tickets(), l);
    assert_eq!(fast, slow, "caller {:?} at {:?}", l.customer, l.site.device);
    fast
}

/// Takes a call after checking the index against the scan for it.
fn take(desk: &mut RepairDesk, grid: &Grid, outages: &OutageBook, name: &str) -> CallOutcome {
    let l = locate_call(grid, &Caller::Device(name.into())).expect("located");
    let expected = same_answer(desk, grid, outages, &l);
    let out = desk.take_call(grid, outages, call(name)).expect("taken");
    assert_eq!(out.decision, expected);
    out
}

/// A master ticket in flight about any device name (a substation, a customer, a name in
/// another case, a name no device has), dispatched to `unit`.
fn master_on(desk: &mut RepairDesk, device: &str) -> TicketId {
    let event = TicketEvent::Created {
        channel: Channel::Internal,
        description: "跳闸".into(),
        site: Box::new(CallSite {
            device: Some(device.to_string()),
            unit: "test".into(),
            ..CallSite::default()
        }),
        fault_level: FaultLevel::MediumVoltage,
        disposition: Disposition::Dispatch,
        outage: None,
    };
    let e = desk.store.create::<Ticket>("test", "test", event).expect("created");
    let id = TicketId(e.id);
    desk.put(e.state);
    desk.append(id, "test", "test", TicketEvent::Dispatched { unit: "test".into() })
        .expect("dispatched");
    id
}

#[test]
fn a_restored_or_cancelled_master_no_longer_attracts_calls() {
    let grid = sample_grid(&SampleFeeders::default());
    let dir = scratch("restored");
    let (outages, mut desk) = open(&dir, &grid);
    desk.ensure_crews(&grid, "test").expect("crews");
    let a = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c1");
    assert_eq!(a.decision.disposition, Disposition::Dispatch);
    let b = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c2");
    assert_eq!(b.decision.disposition, Disposition::Merged { master: a.ticket.id });
    assert_eq!(b.master.as_ref().map(|m| m.duplicates), Some(1));
    let dups: Vec<TicketId> = desk.duplicates_of(a.ticket.id).iter().map(|t| t.id).collect();
    assert_eq!(dups, vec![b.ticket.id]);

    desk.send_crew(a.ticket.id, None, "test").expect("sent");
    desk.step(a.ticket.id, TicketStep::OnSite, "test", "test").expect("on site");
    desk.step(a.ticket.id, TicketStep::Restored, "test", "test").expect("restored");
    let c = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c3");
    assert_eq!(c.decision.disposition, Disposition::Dispatch, "the master is restored");

    desk.step(c.ticket.id, TicketStep::Cancel, "test", "test").expect("cancelled");
    let d = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c4");
    assert_eq!(d.decision.disposition, Disposition::Dispatch, "the master is cancelled");
    // the duplicates stay on the record of their master
    assert_eq!(desk.duplicates_of(a.ticket.id).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_master_merged_into_an_outage_no_longer_attracts_calls() {
    let grid = sample_grid(&SampleFeeders::default());
    let dir = scratch("joined");
    let (outages, mut desk) = open(&dir, &grid);
    let a = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c1").ticket.id;
    let b = take(&mut desk, &grid, &outages, "load.f1-l3-t1-c1").ticket.id;
    let event = TicketEvent::JoinedOutage {
        outage: OutageId(7),
        master: Some(b),
        fault_level: FaultLevel::MediumVoltage,
    };
    desk.append(a, "test", "test", event).expect("joined");
    let dups: Vec<TicketId> = desk.duplicates_of(b).iter().map(|t| t.id).collect();
    assert_eq!(dups, vec![a]);
    let c = take(&mut desk, &grid, &outages, "load.f1-l2-t1-c2");
    assert_eq!(c.decision.disposition, Disposition::Dispatch, "a merged ticket is no master");

    // the outage's master, linked without being merged, is found by its outage once a
    // fault outage covers the caller
    let mut outages = outages;
    let fuse = grid.resolve("fuse.f1-l3").expect("fuse");
    let o = outages
        .report_fault(
            &grid,
            FaultOutage {
                device: fuse,
                source: FaultSource::Reported,
                start_s: None,
                etr_s: None,
                reason: "test".into(),
                author: "test".into(),
            },
        )
        .expect("outage");
    let event = TicketEvent::JoinedOutage {
        outage: o.id,
        master: None,
        fault_level: FaultLevel::MediumVoltage,
    };
    desk.append(b, "test", "test", event).expect("linked");
    let d = take(&mut desk, &grid, &outages, "load.f1-l3-t2-c1");
    assert_eq!(d.decision.disposition, Disposition::Merged { master: b });
    assert_eq!(d.decision.outage, Some(o.id));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_lowest_master_on_the_supply_path_wins_and_the_next_one_up_takes_over() {
    let grid = sample_grid(&SampleFeeders::default());
    let dir = scratch("lowest");
    let (outages, mut desk) = open(&dir, &grid);
    let feeder = master_on(&mut desk, "FEEDER.F1");
    let fuse = master_on(&mut desk, "fuse.f1-l2");
    let transformer = master_on(&mut desk, "transformer.f1-l2-t1");
    let check = |desk: &RepairDesk, outages: &OutageBook, name: &str| {
        let l = locate_call(&grid, &Caller::Device(name.into())).expect("located");
        same_answer(desk, &grid, outages, &l).disposition
    };
    assert_eq!(
        check(&desk, &outages, "load.f1-l2-t1-c1"),
        Disposition::Merged { master: transformer }
    );
    assert_eq!(check(&desk, &outages, "load.f1-l2-t2-c1"), Disposition::Merged { master: fuse });
    assert_eq!(check(&desk, &outages, "load.f1-l1-t1-c1"), Disposition::Merged { master: feeder });
    assert_eq!(check(&desk, &outages, "load.f2-l1-t1-c1"), Disposition::Dispatch);
    // a device call on the same device joins, by its name as recorded
    assert_eq!(check(&desk, &outages, "fuse.f1-l2"), Disposition::Merged { master: fuse });
    desk.step(transformer, TicketStep::Cancel, "test", "test").expect("cancelled");
    assert_eq!(check(&desk, &outages, "load.f1-l2-t1-c1"), Disposition::Merged { master: fuse });
    desk.step(fuse, TicketStep::Cancel, "test", "test").expect("cancelled");
    assert_eq!(check(&desk, &outages, "load.f1-l2-t1-c1"), Disposition::Merged { master: feeder });
    // reopened: the index is rebuilt from the store
    drop((desk, outages));
    let (outages, desk) = open(&dir, &grid);
    assert_eq!(check(&desk, &outages, "load.f1-l2-t1-c1"), Disposition::Merged { master: feeder });
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every caller checked: the indexed answer is the scan's.
fn compare_all(
    desk: &RepairDesk,
    grid: &Grid,
    outages: &OutageBook,
    callers: &[Located],
) -> (usize, usize) {
    let mut merged = 0;
    let mut lower = 0;
    for l in callers {
        let d = same_answer(desk, grid, outages, l);
        if let Disposition::Merged { master } = d.disposition {
            merged += 1;
            let dev = desk.ticket(master).ok().and_then(|m| m.site.device.clone());
            if !dev.is_some_and(|d| d.starts_with("transformer.")) {
                lower += 1;
            }
        }
    }
    (merged, lower)
}

#[test]
fn the_index_answers_as_the_full_scan_for_every_caller_of_the_demo_city() {
    let mut grid = Grid::load(&ModelSource::Embedded).expect("the demo city");
    let dir = scratch("city");
    let (mut outages, mut desk) = open(&dir, &grid);
    let m = &grid.model;
    let mut rng = Rng::new(95598);
    // masters on devices of every kind, named as an operator might
    let mut names: Vec<String> = Vec::new();
    for _ in 0..40 {
        names.push(m.lines[rng.index(m.lines.len())].name.clone());
        names.push(m.switches[rng.index(m.switches.len())].name.clone());
        names.push(m.transformers[rng.index(m.transformers.len())].name.clone().to_uppercase());
        names.push(m.buses[rng.index(m.buses.len())].name.clone());
    }
    for _ in 0..10 {
        names.push(m.feeders[rng.index(m.feeders.len())].name.clone());
        let c = CustomerId(rng.index(m.customers.len()) as u32);
        names.push(m.device_name(DeviceRef::Customer(c)).to_string());
    }
    names.push(m.substations[0].name.clone());
    names.push("no-such-device".into());
    if let Some((_, bare)) = m.switches[0].name.split_once('.') {
        names.push(bare.to_string());
    }
    let mut masters: Vec<TicketId> = names.iter().map(|n| master_on(&mut desk, n)).collect();
    // and the tickets callers make
    let customer = |rng: &mut Rng| {
        let c = CustomerId(rng.index(m.customers.len()) as u32);
        m.device_name(DeviceRef::Customer(c)).to_string()
    };
    for _ in 0..150 {
        let out = take(&mut desk, &grid, &outages, &customer(&mut rng));
        if out.decision.disposition == Disposition::Dispatch {
            masters.push(out.ticket.id);
        }
    }
    let mut callers: Vec<Located> = (0..500)
        .filter_map(|_| locate_call(&grid, &Caller::Device(customer(&mut rng))).ok())
        .collect();
    // device and pin calls too, some on a master's device
    for n in names.iter().take(60) {
        callers.extend(locate_call(&grid, &Caller::Device(n.clone())).ok());
    }
    for _ in 0..40 {
        let c = &m.customers[rng.index(m.customers.len())];
        callers.extend(locate_call(&grid, &Caller::Pin(c.pos)).ok());
    }
    let (merged, lower) = compare_all(&desk, &grid, &outages, &callers);
    assert!(merged > 50 && lower > 10, "the callers meet masters: {merged} merged, {lower} lower");

    // tickets change: cancelled, restored, merged into another master
    desk.ensure_crews(&grid, "test").expect("crews");
    for (i, id) in masters.clone().into_iter().enumerate() {
        match i % 6 {
            0 => {
                desk.step(id, TicketStep::Cancel, "test", "test").expect("cancelled");
            }
            1 => {
                let into = masters[(i + 7) % masters.len()];
                let event = TicketEvent::JoinedOutage {
                    outage: OutageId(1000 + i as u64),
                    master: (into != id).then_some(into),
                    fault_level: FaultLevel::MediumVoltage,
                };
                let _ = desk.append(id, "test", "test", event);
            }
            2 if desk.send_crew(id, None, "test").is_ok() => {
                desk.step(id, TicketStep::OnSite, "test", "test").expect("on site");
                desk.step(id, TicketStep::Restored, "test", "test").expect("restored");
            }
            _ => {}
        }
    }
    compare_all(&desk, &grid, &outages, &callers);

    // a fault outage: its callers join its master by outage
    let feeder = grid.resolve(&m.feeders[3].name).expect("feeder");
    let inside = crate::outage::affected_by_opening(&grid, &[feeder]);
    outages
        .report_fault(
            &grid,
            FaultOutage {
                device: feeder,
                source: FaultSource::Trip,
                start_s: None,
                etr_s: None,
                reason: "test".into(),
                author: "test".into(),
            },
        )
        .expect("outage");
    for c in inside.iter().take(3) {
        take(&mut desk, &grid, &outages, m.device_name(DeviceRef::Customer(*c)));
    }
    compare_all(&desk, &grid, &outages, &callers);

    // reopened: the index is rebuilt from the store
    drop((desk, outages));
    let (outages, desk) = open(&dir, &grid);
    compare_all(&desk, &grid, &outages, &callers);

    // the switches move (one opened, every tie closed: loops): the walk follows the new
    // supply paths, the devices stay resolved
    let named = |i: usize| desk.index.by_name.contains_key(&grid.model.switches[i].name);
    let opened = (0..grid.model.switches.len())
        .find(|&i| !grid.model.switches[i].normally_open && named(i))
        .unwrap_or(0);
    grid.topology.set_switch(SwitchId(opened as u32), true);
    for i in 0..grid.model.switches.len() {
        if grid.model.switches[i].normally_open {
            grid.topology.set_switch(SwitchId(i as u32), false);
        }
    }
    assert!(!grid.topology.report().loops.is_empty(), "closed ties make loops");
    compare_all(&desk, &grid, &outages, &callers);
    let _ = std::fs::remove_dir_all(&dir);
}
