//! Outage information kept in the store, driven as a dispatch centre would: plan and fault
//! outages on the demo city, a caller's question, delays, scope changes, partial restoration;
//! then the store's hard days: a crash, a newer store, damaged files, bad input.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{CustomerId, DeviceRef};
use gridcare::outage::{
    find_caller, FaultOutage, FaultSource, Outage, OutageBook, OutageError, OutageEvent, OutageId,
    OutageStatus, PlannedOutage,
};
use gridcare::store::{parse_time, KindCheck, OpenOptions, Store, StoreError, VirtualClock};

fn grid() -> &'static Grid {
    static GRID: OnceLock<Grid> = OnceLock::new();
    GRID.get_or_init(|| Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads"))
}

fn t(text: &str) -> i64 {
    parse_time(text).expect("a time")
}

fn device(name: &str) -> DeviceRef {
    grid().resolve(name).expect("a device of the demo city")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-outage-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A dispatch desk: the store on a virtual clock, the book over the demo city.
struct Desk {
    clock: Arc<VirtualClock>,
    book: OutageBook,
}

fn options(clock: &Arc<VirtualClock>) -> OpenOptions {
    OpenOptions { clock: clock.clone(), kinds: vec![KindCheck::of::<Outage>()] }
}

fn open_desk(dir: &Path, now: &str) -> Desk {
    let clock = Arc::new(VirtualClock::new(t(now)));
    let store = Store::open_with(dir, options(&clock)).expect("the store opens");
    let book = OutageBook::open(Arc::new(store), grid()).expect("the book opens");
    Desk { clock, book }
}

fn plan(desk: &mut Desk, devices: &[&str], start: &str, end: &str) -> OutageId {
    let plan = PlannedOutage {
        devices: devices.iter().map(|d| device(d)).collect(),
        start_s: t(start),
        end_s: t(end),
        reason: "10kV 线路检修".into(),
        notice: String::new(),
        author: "李工".into(),
    };
    desk.book.plan(grid(), plan).expect("planned").id
}

fn affected(name: &str) -> Vec<CustomerId> {
    let mut c = grid().topology.affected_customers(&grid().model, device(name)).customers.to_vec();
    c.sort();
    c
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).expect("readable")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_caller_under_a_planned_outage_hears_its_window_and_etr() {
    let dir = scratch("caller");
    let mut desk = open_desk(&dir, "2026-11-23 10:00");
    let id = plan(&mut desk, &["sect.zm01-3"], "2026-11-24 08:00", "2026-11-24 17:00");
    let o = desk.book.get(id).expect("recorded");
    assert_eq!(o.impact.customers(), affected("sect.zm01-3").len());
    assert_eq!(o.status_at(desk.book.now_s()), OutageStatus::Announced);
    assert!(
        (o.customer_hours().expect("a window") - o.impact.customers() as f64 * 9.0).abs() < 1e-6
    );

    // The caller gives an account number; the operator finds the outage, its ETR, the notice.
    let someone = affected("sect.zm01-3")[7];
    let account = grid().model.customers[someone.index()].account_no.clone();
    let callers = find_caller(grid(), &account).expect("a customer");
    assert_eq!(callers, vec![someone]);
    let cov = desk.book.outages_covering(someone);
    assert_eq!(cov.len(), 1);
    assert_eq!((cov[0].outage, cov[0].status), (id, OutageStatus::Announced));
    assert_eq!(cov[0].etr_s, Some(t("2026-11-24 17:00")));
    assert!(cov[0].notice.contains("2026-11-24 08:00–17:00"), "{}", cov[0].notice);

    // By phone too; and once the window starts it is active.
    let phone = grid().model.customers[someone.index()].phones[0].clone();
    assert!(find_caller(grid(), &phone).expect("found by phone").contains(&someone));
    desk.clock.set(t("2026-11-24 09:00"));
    assert_eq!(desk.book.outages_covering(someone)[0].status, OutageStatus::Active);

    // A customer elsewhere is not covered.
    let elsewhere = affected("fuse.zm01-l01")[0];
    assert!(desk.book.outages_covering(elsewhere).is_empty());
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_delayed_etr_shows_in_the_trajectory_and_to_the_caller() {
    let dir = scratch("delay");
    let mut desk = open_desk(&dir, "2026-11-24 14:05");
    let fault = FaultOutage {
        device: device("fuse.zm01-l01"),
        source: FaultSource::Trip,
        start_s: Some(t("2026-11-24 14:00")),
        etr_s: Some(t("2026-11-24 17:00")),
        reason: "跌落式熔断器熔断".into(),
        author: "王班长".into(),
    };
    let id = desk.book.report_fault(grid(), fault).expect("recorded").id;
    desk.clock.advance(3600);
    let o = desk
        .book
        .change_etr(grid(), id, t("2026-11-24 19:30"), "王班长", "抢修材料未到")
        .expect("delayed");
    assert_eq!(o.etr_s, Some(t("2026-11-24 19:30")));

    let traj = desk.book.trajectory(id).expect("a trajectory");
    let changes: Vec<&str> = traj.iter().map(|e| e.change).collect();
    assert_eq!(changes, vec!["created", "etr_changed"]);
    assert_eq!(traj[1].time_s, t("2026-11-24 15:05"));
    assert_eq!((traj[1].author.as_str(), traj[1].reason.as_str()), ("王班长", "抢修材料未到"));
    assert!(traj[1].summary.contains("delayed 2 h 30 min"), "{}", traj[1].summary);

    let caller = affected("fuse.zm01-l01")[3];
    let cov = &desk.book.outages_covering(caller)[0];
    assert_eq!(cov.etr_s, Some(t("2026-11-24 19:30")));
    assert_eq!(cov.latest.change, "etr_changed");
    assert_eq!(cov.latest.reason, "抢修材料未到");
    assert!(!cov.overdue);
    desk.clock.set(t("2026-11-24 20:00"));
    assert!(desk.book.outages_covering(caller)[0].overdue, "the ETR has passed");
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scope_change_recomputes_who_is_affected() {
    let dir = scratch("scope");
    let mut desk = open_desk(&dir, "2026-11-23 10:00");
    let id = plan(&mut desk, &["fuse.zm01-l01"], "2026-11-24 08:00", "2026-11-24 12:00");
    let (l01, l02) = (affected("fuse.zm01-l01"), affected("fuse.zm01-l02"));
    assert!(desk.book.outages_covering(l02[0]).is_empty());

    let o = desk
        .book
        .change_scope(grid(), id, &[device("fuse.zm01-l02")], &[], "李工", "施工范围扩大")
        .expect("scope grows");
    assert_eq!(o.impact.customers(), l01.len() + l02.len());
    assert_eq!(desk.book.affected_customers(id).len(), l01.len() + l02.len());
    assert_eq!(desk.book.outages_covering(l02[0])[0].outage, id);

    let o = desk
        .book
        .change_scope(grid(), id, &[], &[device("fuse.zm01-l01")], "李工", "l01 不停")
        .expect("scope shrinks");
    assert_eq!(o.impact.customers(), l02.len());
    assert_eq!(o.devices, vec!["fuse.zm01-l02".to_string()]);
    assert!(desk.book.outages_covering(l01[0]).is_empty(), "l01 is no longer covered");
    assert!(o.peak_customers >= l01.len() + l02.len());
    let changes: Vec<&str> =
        desk.book.trajectory(id).expect("read").iter().map(|e| e.change).collect();
    assert_eq!(changes, vec!["created", "scope_changed", "scope_changed"]);

    // The polygon holds every affected customer.
    let ring = &o.impact.polygon;
    assert!(ring.len() >= 3);
    for c in desk.book.affected_customers(id) {
        let p = grid().model.customers[c.index()].pos;
        let sign = |a: &gridcare::model::LonLat, b: &gridcare::model::LonLat| {
            (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon)
        };
        let inside = (0..ring.len()).all(|i| sign(&ring[i], &ring[(i + 1) % ring.len()]) >= -1e-12)
            || (0..ring.len()).all(|i| sign(&ring[i], &ring[(i + 1) % ring.len()]) <= 1e-12);
        assert!(inside, "customer {c:?} outside the outage polygon");
    }
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn closing_one_of_two_devices_restores_its_customers_only() {
    let dir = scratch("partial");
    let mut desk = open_desk(&dir, "2026-11-24 07:00");
    let id = plan(
        &mut desk,
        &["fuse.zm01-l01", "fuse.zm01-l02"],
        "2026-11-24 08:00",
        "2026-11-24 12:00",
    );
    let (l01, l02) = (affected("fuse.zm01-l01"), affected("fuse.zm01-l02"));
    assert_eq!(desk.book.get(id).expect("exists").impact.customers(), l01.len() + l02.len());

    let e = desk.book.restore(grid(), id, &[device("fuse.zm01-l01")], "李工", "提前完工");
    assert!(matches!(e, Err(OutageError::Refused { .. })), "not started yet: {e:?}");

    desk.clock.set(t("2026-11-24 10:00"));
    let o = desk
        .book
        .restore(grid(), id, &[device("fuse.zm01-l01")], "李工", "l01 段先送电")
        .expect("partly restored");
    assert_eq!(o.status_at(desk.book.now_s()), OutageStatus::PartiallyRestored);
    assert_eq!(o.open_devices, vec!["fuse.zm01-l02".to_string()]);
    assert_eq!(o.impact.customers(), l02.len());
    assert!(desk.book.outages_covering(l01[0]).is_empty());
    assert_eq!(desk.book.outages_covering(l02[0])[0].status, OutageStatus::PartiallyRestored);

    let o = desk.book.restore(grid(), id, &[], "李工", "全部送电").expect("restored");
    assert_eq!(o.status_at(desk.book.now_s()), OutageStatus::Restored);
    assert_eq!(o.closed_s, Some(t("2026-11-24 10:00")));
    assert!(desk.book.outages_covering(l02[0]).is_empty());
    assert!(desk.book.list(false).is_empty());
    assert_eq!(desk.book.list(true).len(), 1);
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Outages with their state and every covered customer's answer.
fn everything(desk: &Desk) -> (Vec<Outage>, Vec<Vec<gridcare::outage::Coverage>>) {
    let outages: Vec<Outage> = desk.book.list(true).into_iter().cloned().collect();
    let sample: Vec<CustomerId> = ["fuse.zm01-l01", "fuse.zm01-l02", "sect.zm01-3"]
        .iter()
        .flat_map(|d| affected(d))
        .collect();
    (outages, sample.iter().map(|c| desk.book.outages_covering(*c)).collect())
}

fn busy_day(desk: &mut Desk) -> (OutageId, OutageId) {
    let planned =
        plan(desk, &["fuse.zm01-l01", "fuse.zm01-l02"], "2026-11-24 08:00", "2026-11-24 12:00");
    let fault = FaultOutage {
        device: device("sect.zm01-3"),
        source: FaultSource::Predicted,
        start_s: None,
        etr_s: None,
        reason: "多户报修".into(),
        author: "王班长".into(),
    };
    let fault = desk.book.report_fault(grid(), fault).expect("recorded").id;
    desk.book
        .change_etr(grid(), fault, t("2026-11-24 13:00"), "王班长", "抢修队到场")
        .expect("etr");
    desk.book
        .restore(grid(), planned, &[device("fuse.zm01-l02")], "李工", "l02 先送")
        .expect("partial");
    (planned, fault)
}

#[test]
fn replaying_the_log_after_a_crash_gives_the_same_state() {
    let dir = scratch("replay");
    let mut desk = open_desk(&dir, "2026-11-24 09:00");
    let (planned, fault) = busy_day(&mut desk);
    let before = everything(&desk);

    // The state tree is lost: a reopen replays every outage from the log.
    desk.book.store().debug_clear_state("outage").expect("cleared");
    drop(desk);
    let desk = open_desk(&dir, "2026-11-24 09:00");
    assert_eq!(everything(&desk), before);
    assert!(desk.book.store().stale_entities().is_empty(), "replayed at open");
    assert_eq!(desk.book.store().replay::<Outage>().expect("replays"), 2);
    assert_eq!(everything(&desk), before);

    // A crash between the log append and the state update: the reopen folds the event in.
    desk.book
        .store()
        .debug_append_log_only::<Outage>(
            fault.0,
            "王班长",
            "电缆头需更换",
            OutageEvent::EtrChanged { etr_s: t("2026-11-24 16:00") },
        )
        .expect("logged");
    drop(desk);
    let desk = open_desk(&dir, "2026-11-24 09:00");
    let o = desk.book.get(fault).expect("exists");
    assert_eq!((o.etr_s, o.changes), (Some(t("2026-11-24 16:00")), 3));
    let cov = desk.book.outages_covering(affected("sect.zm01-3")[0]);
    assert_eq!(
        (cov[0].etr_s, cov[0].latest.reason.as_str()),
        (Some(t("2026-11-24 16:00")), "电缆头需更换")
    );
    assert_eq!(desk.book.get(planned), before.0.iter().find(|o| o.id == planned));
    let changes: Vec<&str> =
        desk.book.trajectory(fault).expect("read").iter().map(|e| e.change).collect();
    assert_eq!(changes, vec!["created", "etr_changed", "etr_changed"]);
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newer_store_is_refused_without_touching_the_files() {
    let dir = scratch("newer");
    let mut desk = open_desk(&dir, "2026-11-24 09:00");
    busy_day(&mut desk);
    drop(desk);
    let manifest = dir.join("store.json");
    let text = std::fs::read_to_string(&manifest).expect("a manifest");
    assert!(text.contains("\"schema_version\": 1"), "{text}");
    std::fs::write(&manifest, text.replace("\"schema_version\": 1", "\"schema_version\": 7"))
        .expect("written");
    let before = snapshot(&dir);
    let clock = Arc::new(VirtualClock::new(0));
    let e = Store::open_with(&dir, options(&clock)).expect_err("a newer store");
    assert!(matches!(e, StoreError::NewerSchema { found: 7, supported: 1, .. }), "{e}");
    assert!(e.to_string().contains("schema version 7"), "{e}");
    assert_eq!(snapshot(&dir), before, "not a byte changed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_store_is_named_and_left_as_it_was() {
    // Garbage over sled's log.
    let dir = scratch("garbage");
    let mut desk = open_desk(&dir, "2026-11-24 09:00");
    busy_day(&mut desk);
    drop(desk);
    let db = dir.join("sled/db");
    let len = std::fs::metadata(&db).expect("sled's log").len() as usize;
    std::fs::write(&db, (0..len).map(|i| (i * 131 + 7) as u8).collect::<Vec<u8>>())
        .expect("written");
    let before = snapshot(&dir);
    let clock = Arc::new(VirtualClock::new(0));
    let e = Store::open_with(&dir, options(&clock)).expect_err("damaged");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("Nothing was changed"), "{e}");
    assert_eq!(snapshot(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);

    // A hand-written event that is not an outage change.
    let dir = scratch("bad-event");
    let mut desk = open_desk(&dir, "2026-11-24 09:00");
    let (_, fault) = busy_day(&mut desk);
    let bad = br#"{"seq":3,"time_s":0,"author":"x","reason":"y","event":{"change":"exploded"}}"#;
    desk.book.store().debug_put_raw_event("outage", fault.0, 3, bad).expect("written");
    drop(desk);
    let before = snapshot(&dir);
    let e = Store::open_with(&dir, options(&clock)).expect_err("a bad event");
    let text = e.to_string();
    assert!(text.contains(&format!("event outage {} #3 does not deserialize", fault.0)), "{text}");
    assert!(text.contains("unknown variant `exploded`"), "{text}");
    assert_eq!(snapshot(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn garbage_input_gets_a_clear_error() {
    let dir = scratch("garbage-input");
    let mut desk = open_desk(&dir, "2026-11-24 09:00");
    let (planned, _) = busy_day(&mut desk);
    let msg = |e: OutageError| e.to_string();

    assert!(
        msg(find_caller(grid(), "0600999999").expect_err("unknown")).contains("no customer has")
    );
    assert!(msg(find_caller(grid(), "138-0013").expect_err("short")).contains("neither"));
    assert!(msg(find_caller(grid(), "1380013800012").expect_err("13 digits")).contains("neither"));
    assert!(msg(find_caller(grid(), "李先生").expect_err("a name")).contains("neither"));

    let e = grid().resolve("switch.nowhere").expect_err("unknown device");
    assert!(e.to_string().contains("no device named `switch.nowhere`"), "{e}");

    let bad_window = PlannedOutage {
        devices: vec![device("fuse.zm01-l03")],
        start_s: t("2026-11-25 17:00"),
        end_s: t("2026-11-25 08:00"),
        reason: "检修".into(),
        notice: String::new(),
        author: "李工".into(),
    };
    let e = desk.book.plan(grid(), bad_window.clone()).expect_err("end before start");
    assert_eq!(msg(e), "the end 2026-11-25 08:00 is not after the start 2026-11-25 17:00");
    let e = desk.book.plan(grid(), PlannedOutage { reason: " ".into(), ..bad_window.clone() });
    assert!(matches!(e, Err(OutageError::MissingReason)));
    let tie = PlannedOutage {
        devices: vec![device("tie.zm01-zm02")],
        start_s: t("2026-11-25 08:00"),
        end_s: t("2026-11-25 09:00"),
        ..bad_window
    };
    assert!(msg(desk.book.plan(grid(), tie).expect_err("nobody affected"))
        .contains("no customer loses supply"));

    let e = desk
        .book
        .change_etr(grid(), planned, t("2026-11-24 07:00"), "李工", "x")
        .expect_err("early");
    assert!(msg(e).contains("is not after the start"));
    let e = desk.book.cancel(grid(), planned, "李工", "x").expect_err("partly restored");
    assert!(msg(e).contains("part of it is restored"));
    let e = desk.book.restore(grid(), planned, &[device("fuse.zm01-l03")], "李工", "x");
    assert!(
        msg(e.expect_err("not in the outage")).contains("fuse.zm01-l03 is not open in the outage")
    );

    let id = plan(&mut desk, &["fuse.zm01-l03"], "2026-11-26 08:00", "2026-11-26 12:00");
    desk.book.cancel(grid(), id, "李工", "用户反对").expect("cancelled");
    let e = desk.book.restore(grid(), id, &[], "李工", "送电").expect_err("cancelled");
    assert_eq!(
        msg(e),
        format!("outage {id}: cannot restore it: it was cancelled at 2026-11-24 09:00")
    );
    let e = desk.book.change_etr(grid(), OutageId(99), t("2026-11-26 13:00"), "李工", "x");
    assert_eq!(msg(e.expect_err("no such outage")), "there is no outage 99");
    assert_eq!(desk.book.trajectory(id).expect("read").len(), 2, "refused changes left no trace");
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_records_a_planned_outage_and_answers_the_caller() {
    let dir = scratch("cli");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_gridcare"))
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .output()
            .expect("the binary runs");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "outage",
        "plan",
        "--device",
        "fuse.zm01-l01",
        "--device",
        "fuse.zm01-l02",
        "--start",
        "2099-11-24 08:00",
        "--end",
        "2099-11-24T12:00+08:00",
        "--reason",
        "检修",
        "--author",
        "李工",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["status"], "announced");
    assert_eq!(v["start"], "2099-11-24T08:00:00+08:00");
    assert_eq!(
        v["customers"].as_u64(),
        Some((affected("fuse.zm01-l01").len() + affected("fuse.zm01-l02").len()) as u64)
    );
    let id = v["id"].as_u64().expect("an id").to_string();
    let (ok, _, err) = run(&[
        "outage",
        "etr",
        &id,
        "--etr",
        "2099-11-24 15:00",
        "--reason",
        "延时",
        "--author",
        "李工",
    ]);
    assert!(ok, "{err}");
    let account = grid().model.customers[affected("fuse.zm01-l02")[0].index()].account_no.clone();
    let (ok, out, err) = run(&["outage", "customer", &account, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let o = &v["customers"][0]["outages"][0];
    assert_eq!(o["etr"], "2099-11-24T15:00:00+08:00");
    assert_eq!(o["latest"]["change"], "etr_changed");
    let (ok, out, _) = run(&["outage", "show", &id]);
    assert!(ok && out.contains("etr_changed") && out.contains("延时"), "{out}");
    let (ok, _, err) = run(&["outage", "restore", &id, "--reason", "x"]);
    assert!(!ok && err.contains("has not started"), "{err}");
    let (ok, _, err) = run(&["outage", "customer", "12ab"]);
    assert!(!ok && err.contains("neither an account number"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
