//! Reliability indices and call-centre measures on the demo city of Foshan: a partial
//! restoration through the outage book gives each group of customers its own end; a
//! scripted day of repair calls gives hand-computed measures; a simulated history is the
//! same for the same seed, its tables read back from CSV unchanged, and `gridcare report`
//! prints them; bad input is named.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use gridcare::grid::{Grid, ModelSource};
use gridcare::kpi::{
    interruptions_in_store, read_call_records, reliability_indices, write_call_records, Basis,
    CallRecord, Cell, Period, Report, ReportInput, Scope, Table, Territory,
};
use gridcare::model::{CustomerId, DeviceRef};
use gridcare::outage::{OutageBook, PlannedOutage, ProtectionIndex, ProtectionKind};
use gridcare::sim::{generate_history, HistoryParams};
use gridcare::store::{parse_time, OpenOptions, Store, VirtualClock};
use gridcare::workorder::{
    Caller, Channel, RepairCall, RepairDesk, SlaPolicy, TicketId, TicketStatus, TicketStep,
};

fn grid() -> &'static Grid {
    static GRID: OnceLock<Grid> = OnceLock::new();
    GRID.get_or_init(|| Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads"))
}

fn t(text: &str) -> i64 {
    parse_time(text).expect("a time")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-kpi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path, now: &str) -> (Arc<VirtualClock>, Arc<Store>) {
    let clock = Arc::new(VirtualClock::new(t(now)));
    let options = OpenOptions { clock: clock.clone(), kinds: gridcare::store_kinds() };
    let store = Arc::new(
        Store::open_with(&dir.join(gridcare::STORE_DIR), options).expect("the store opens"),
    );
    (clock, store)
}

fn account(c: CustomerId) -> String {
    grid().model.customers[c.index()].account_no.clone()
}

/// Two lateral fuses of one feeder that do not contain each other.
fn two_laterals() -> (String, String, usize, usize) {
    let index = ProtectionIndex::build(grid());
    let z = index.zones();
    let laterals: Vec<usize> = (0..z.len())
        .filter(|&i| z[i].kind == ProtectionKind::LateralFuse && !z[i].shadowed)
        .filter(|&i| (20..400).contains(&z[i].customer_count()))
        .collect();
    for &a in &laterals {
        for &b in &laterals {
            if a < b && z[a].feeder == z[b].feeder && !index.nested(a, b) {
                let m = &grid().model;
                return (
                    z[a].device.name(m).to_string(),
                    z[b].device.name(m).to_string(),
                    z[a].customer_count(),
                    z[b].customer_count(),
                );
            }
        }
    }
    panic!("the demo city has two sibling lateral fuses");
}

#[test]
fn a_partial_restoration_gives_each_group_of_customers_its_own_end() {
    let dir = scratch("partial");
    let (clock, store) = open(&dir, "2026-03-01 08:00");
    let g = grid();
    let mut book = OutageBook::open(store.clone(), g).expect("book");
    let (fa, fb, na, nb) = two_laterals();
    // planned 09:00–13:00 on two laterals; the first is back at 11:00, the second at 13:30
    let plan = PlannedOutage {
        devices: vec![g.resolve(&fa).expect("a"), g.resolve(&fb).expect("b")],
        start_s: t("2026-03-02 09:00"),
        end_s: t("2026-03-02 13:00"),
        reason: "检修".into(),
        notice: String::new(),
        author: "王工".into(),
    };
    let o = book.plan(g, plan).expect("planned");
    clock.set(t("2026-03-02 11:00"));
    let first: DeviceRef = g.resolve(&fa).expect("a");
    book.restore(g, o.id, &[first], "王工", "第一段完成").expect("partial");
    clock.set(t("2026-03-02 13:30"));
    book.restore(g, o.id, &[], "王工", "完成").expect("restored");
    // a planned outage called off before it starts interrupts nobody
    clock.set(t("2026-03-02 14:00"));
    let plan2 = PlannedOutage {
        devices: vec![g.resolve(&fa).expect("a")],
        start_s: t("2026-03-03 09:00"),
        end_s: t("2026-03-03 12:00"),
        reason: "检修".into(),
        notice: String::new(),
        author: "王工".into(),
    };
    let o2 = book.plan(g, plan2).expect("planned");
    book.cancel(g, o2.id, "王工", "取消").expect("cancelled");

    let territory = Territory::new(g);
    let log = interruptions_in_store(&store, &territory, t("2026-03-04 00:00")).expect("reads");
    assert_eq!((log.outages, log.unresolved_accounts), (2, 0));
    let v = &log.interruptions;
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v.iter().all(|i| i.planned && i.start_s == t("2026-03-02 09:00")));
    assert_eq!((v[0].end_s, v[0].customers.len()), (t("2026-03-02 11:00"), na));
    assert_eq!((v[1].end_s, v[1].customers.len()), (t("2026-03-02 13:30"), nb));
    // by hand: N_i = na + nb, Σ r_i N_i = 120 na + 270 nb minutes
    let period = Period::from_dates("2026-03-02", "2026-03-02").expect("a day");
    let area = territory.select(&Scope::Area).expect("area");
    let r = reliability_indices(v, &area, period, Basis::All, &[]);
    let n_t = g.model.customers.len() as f64;
    let cmi = 120.0 * na as f64 + 270.0 * nb as f64;
    assert_eq!(r.customer_interruptions, (na + nb) as u64);
    assert!((r.saidi_min.expect("saidi") - cmi / n_t).abs() < 1e-9);
    assert!((r.caidi_min.expect("caidi") - cmi / (na + nb) as f64).abs() < 1e-9);
    let unplanned = reliability_indices(v, &area, period, Basis::Unplanned, &[]);
    assert_eq!(unplanned.customer_interruptions, 0);
    drop(book);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Customers for the scripted day: A and B on one transformer, C on another, D and E under
/// one lateral fuse on two different transformers; A, B, C outside that lateral.
fn cast() -> ([CustomerId; 5], String) {
    let g = grid();
    let index = ProtectionIndex::build(g);
    let z = index.zones();
    let lateral = (0..z.len())
        .find(|&i| {
            z[i].kind == ProtectionKind::LateralFuse
                && !z[i].shadowed
                && index.customers(i).iter().any(|c| {
                    g.model.customers[c.index()].transformer
                        != g.model.customers[index.customers(i)[0].index()].transformer
                })
        })
        .expect("a lateral with two transformers");
    let cs = index.customers(lateral);
    let d = cs[0];
    let tr = |c: CustomerId| g.model.customers[c.index()].transformer;
    let e = *cs.iter().find(|c| tr(**c) != tr(d)).expect("another transformer");
    let outside: Vec<CustomerId> = (0..g.model.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| !index.covers(lateral, *c) && tr(*c).is_some())
        .take(2000)
        .collect();
    let a = outside[0];
    let b = *outside.iter().find(|c| **c != a && tr(**c) == tr(a)).expect("a neighbour");
    let c = *outside.iter().find(|c| tr(**c) != tr(a)).expect("elsewhere");
    ([a, b, c, d, e], z[lateral].device.name(&g.model).to_string())
}

#[test]
fn a_scripted_day_of_repair_calls_gives_the_hand_computed_measures() {
    let dir = scratch("day");
    let (clock, store) = open(&dir, "2026-03-01 07:00");
    let g = grid();
    let mut book = OutageBook::open(store.clone(), g).expect("book");
    let mut desk = RepairDesk::open(store.clone(), SlaPolicy::default()).expect("desk");
    for spec in gridcare::workorder::default_crews(g) {
        desk.register_crew(spec, "test").expect("crew");
    }
    let ([a, b, c, d, e], lateral) = cast();
    let at = |time: &str| clock.set(t(&format!("2026-03-{time}")));
    let call = |desk: &mut RepairDesk, book: &OutageBook, who: CustomerId, ch: Channel| {
        let call = RepairCall {
            caller: Caller::Number(account(who)),
            phone: None,
            channel: ch,
            description: "家里没电了".into(),
            author: "话务员".into(),
        };
        desk.take_call(g, book, call).expect("a call").ticket
    };
    let step = |desk: &mut RepairDesk, id: TicketId, s: TicketStep| {
        desk.step(id, s, "班组", "step").expect("a step");
    };
    let done = |desk: &mut RepairDesk, id: TicketId| {
        let s = TicketStep::Diagnosed {
            fault_type: "断线".into(),
            cause: "树障".into(),
            level: gridcare::workorder::FaultLevel::LowVoltage,
            etr_s: None,
        };
        step(desk, id, s);
        step(desk, id, TicketStep::Restored);
    };
    // 08:00 A calls: T1, dispatched; crew 08:05, on site 08:30, restored 09:30, closed 09:45
    at("01 08:00");
    let t1 = call(&mut desk, &book, a, Channel::Phone).id;
    at("01 08:05");
    desk.send_crew(t1, None, "调度").expect("crew sent");
    // 08:10 B on the same transformer: merged into T1 (T2)
    at("01 08:10");
    let t2 = call(&mut desk, &book, b, Channel::Wechat);
    assert_eq!(t2.master(), Some(t1));
    at("01 08:30");
    step(&mut desk, t1, TicketStep::OnSite);
    // 08:40 A calls again: merged (T3)
    at("01 08:40");
    let t3 = call(&mut desk, &book, a, Channel::Phone);
    assert_eq!(t3.master(), Some(t1));
    at("01 09:30");
    done(&mut desk, t1);
    at("01 09:45");
    step(&mut desk, t1, TicketStep::Closed);
    // 11:00 C: T4; crew 11:05, on site 12:40 (100 min: arrival breached), restored 13:00
    at("01 11:00");
    let t4 = call(&mut desk, &book, c, Channel::App).id;
    at("01 11:05");
    desk.send_crew(t4, None, "调度").expect("crew sent");
    at("01 12:40");
    step(&mut desk, t4, TicketStep::OnSite);
    at("01 13:00");
    done(&mut desk, t4);
    at("01 13:10");
    step(&mut desk, t4, TicketStep::Closed);
    // 14:00 D and 14:05 E under one lateral: two dispatches (T6, T7); E's crew sets off at
    // 14:06; at 14:15 the operator confirms the outage at the fuse: T7 (crew en route) stays
    // the master and T6 is merged — a duplicate dispatch
    at("01 14:00");
    let t6 = call(&mut desk, &book, d, Channel::Phone).id;
    at("01 14:05");
    let t7 = call(&mut desk, &book, e, Channel::Phone).id;
    assert_eq!(desk.ticket(t7).expect("T7").status, TicketStatus::Dispatched);
    at("01 14:06");
    desk.send_crew(t7, None, "调度").expect("crew sent");
    at("01 14:15");
    let confirmed =
        desk.confirm_outage(g, &mut book, &lateral, &[], "调度", "研判").expect("confirmed");
    assert_eq!((confirmed.master, confirmed.merged.clone()), (Some(t7), vec![t6]));
    at("01 14:40");
    step(&mut desk, t7, TicketStep::OnSite);
    at("01 15:30");
    done(&mut desk, t7);
    book.restore(g, confirmed.outage.id, &[], "调度", "送电").expect("restored");
    at("01 15:40");
    step(&mut desk, t7, TicketStep::Closed);
    // 16:00 C again, same transformer: T5 dispatched again, cancelled at 16:30
    at("01 16:00");
    let t5 = call(&mut desk, &book, c, Channel::Phone).id;
    at("01 16:30");
    step(&mut desk, t5, TicketStep::Cancel);
    // callbacks the next morning: T1 at 08:00 (22.5 h after restoration), T7 at 09:00
    at("02 08:00");
    step(&mut desk, t1, TicketStep::Callback { satisfied: true, note: "满意".into() });
    at("02 09:00");
    step(&mut desk, t7, TicketStep::Callback { satisfied: true, note: "满意".into() });
    at("02 12:00");

    // the phone platform: answered after 20 s and 40 s, 180 s and 120 s of talk; one abandoned
    let calls_file = dir.join("calls.csv");
    let rec = |id, offered: &str, answered: Option<&str>, ended: &str, ticket| CallRecord {
        call_id: id,
        channel: Channel::Phone,
        offered_s: t(offered),
        answered_s: answered.map(t),
        ended_s: t(ended),
        agent: "A01".into(),
        ticket,
    };
    let records = vec![
        rec(1, "2026-03-01 07:59:40", Some("2026-03-01 08:00:00"), "2026-03-01 08:03:00", Some(t1)),
        rec(
            2,
            "2026-03-01 08:39:20",
            Some("2026-03-01 08:40:00"),
            "2026-03-01 08:42:00",
            Some(t3.id),
        ),
        rec(3, "2026-03-01 10:00:00", None, "2026-03-01 10:00:30", None),
    ];
    write_call_records(&calls_file, &records).expect("written");
    let calls = read_call_records(&calls_file).expect("read back");
    assert_eq!(calls, records);

    // Three sensitive-word alerts that day: one handled in time (seen after 10 min, resolved
    // after 2 h), one seen after 40 min (late), one by SMS never touched (late by the report).
    let alerts = gridcare::channels::alert::AlertBook::open(store.clone()).expect("alerts");
    let raise = |time: &str, channel: &str, text: &str| {
        at(time);
        alerts
            .raise_if_sensitive(text, channel, Some(&account(CustomerId(1))), "wechat-gw")
            .expect("raised")
            .expect("sensitive")
            .id
    };
    let a1 = raise("01 09:00", "wechat", "再不来电我就打12398投诉");
    at("01 09:10");
    alerts.acknowledge(a1, "王班长", "").expect("ack");
    at("01 11:00");
    alerts.resolve(a1, "已回电解释，客户接受", "王班长", "").expect("resolved");
    let a2 = raise("01 12:00", "wechat", "我要找记者曝光");
    at("01 12:40");
    alerts.acknowledge(a2, "王班长", "").expect("ack");
    raise("01 16:00", "sms", "电线掉落冒烟了");
    drop(alerts);

    let policy = SlaPolicy::default();
    let input = ReportInput {
        grid: g,
        policy: &policy,
        calls: &calls,
        period: Period::from_dates("2026-03-01", "2026-03-01").expect("a day"),
        scope: Scope::Area,
        as_of_s: t("2026-03-02 12:00"),
    };
    let report = Report::compute(&store, &input).expect("a report");
    let (_, _, m) = &report.measures[0];
    // 7 tickets; dispatched T1, T4, T5, T6, T7; merged T2, T3, T6
    assert_eq!((m.tickets, m.dispatched, m.merged, m.explained), (7, 5, 3, 0));
    // first-call resolution: A's T1 (called again) and C's T4 (called again) are not: 5/7
    assert_eq!(m.first_call_resolution, Some(5.0 / 7.0));
    // first-dispatch fix: T1 yes, T4 no (T5 to the same transformer 3 h later), T7 yes: 2/3
    assert_eq!(m.first_dispatch_fix, Some(2.0 / 3.0));
    // duplicate dispatch: T6 of the 5 dispatched
    assert_eq!(m.duplicate_dispatch, Some(0.2));
    assert_eq!(m.dispatch_accuracy, Some(1.0));
    // SLA of the masters T1, T4, T5, T7: dispatch 4/4; arrival T1 30 min, T4 100 min
    // (breached), T7 35 min, T5 cancelled before arrival (not decided): 2/3; restoration
    // 3/3; callback T1 and T7 in time, T4 still running: 2/2
    let rates: Vec<Option<f64>> = m.sla.iter().map(|s| s.rate()).collect();
    assert_eq!(rates, vec![Some(1.0), Some(2.0 / 3.0), Some(1.0), Some(1.0)]);
    // average handling time (180 + 120) / 2 = 150 s, speed of answer (20 + 40) / 2 = 30 s
    assert_eq!((m.calls.offered, m.calls.answered, m.calls.abandoned), (3, 2, 1));
    assert_eq!((m.calls.aht_s, m.calls.asa_s), (Some(150.0), Some(30.0)));
    // by channel: the one WeChat ticket is B's merged call
    let wechat = report.measures.iter().find(|(by, g, _)| by == "channel" && g == "wechat");
    assert_eq!(wechat.map(|(_, _, m)| (m.tickets, m.merged)), Some((1, 1)));
    // alerts: a1 in time; a2 seen after 40 min; a3 untouched at 12:00 next day (> 15 min): 1/3
    let all = report.alerts.iter().find(|(by, _, _)| by == "all").map(|(_, _, a)| *a);
    assert_eq!(all.map(|a| (a.raised, a.counted, a.in_time)), Some((3, 3, 1)));
    let sms = report.alerts.iter().find(|(by, g, _)| by == "channel" && g == "sms");
    assert_eq!(sms.map(|(_, _, a)| a.in_time), Some(0));
    assert!(
        report.notes[0].contains("3 raised, 3 counted, 1 in time (33.3 %)"),
        "{:?}",
        report.notes
    );
    // the fuse outage: D and E's lateral, 14:00 (the first call) to 15:30
    let unplanned = &report.indices[2].indices;
    assert!(unplanned.customer_interruptions > 0);
    drop(desk);
    drop(book);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn history(dir: &Path, seed: u64) -> gridcare::sim::HistorySummary {
    let params =
        HistoryParams { days: 60, seed, end_s: t("2026-07-01 00:00"), ..HistoryParams::default() };
    generate_history(grid(), dir, &params).expect("a history")
}

fn report_of(dir: &Path) -> Report {
    let (_, store) = open(dir, "2026-07-01 00:00");
    let calls = read_call_records(&dir.join(gridcare::kpi::CALL_RECORDS_FILE)).expect("calls");
    let policy = SlaPolicy::default();
    let input = ReportInput {
        grid: grid(),
        policy: &policy,
        calls: &calls,
        period: Period::from_dates("2026-05-02", "2026-06-30").expect("days"),
        scope: Scope::Area,
        as_of_s: t("2026-07-01 00:00"),
    };
    Report::compute(&store, &input).expect("a report")
}

#[test]
fn a_history_is_the_same_for_a_seed_and_its_csv_reads_back_the_same_numbers() {
    let (one, two, three) = (scratch("h1"), scratch("h2"), scratch("h3"));
    let s1 = history(&one, 5);
    assert_eq!(s1, history(&two, 5));
    assert_ne!(s1, history(&three, 6), "another seed, another history");
    assert!(s1.fault_outages > 10 && s1.planned_outages > 0 && s1.momentary_outages > 0, "{s1:?}");
    assert_eq!(s1.storm_days.len(), 1);
    assert_eq!(s1.skipped, 0, "{:?}", s1.skipped_reasons);
    let r1 = report_of(&one);
    let tables = r1.tables();
    assert_eq!(tables, report_of(&two).tables());
    // the storm day is a Major Event Day
    let meds: Vec<String> = r1.med_days.iter().map(|d| gridcare::kpi::day_text(d.day)).collect();
    assert!(meds.contains(&s1.storm_days[0]), "{meds:?} vs {:?}", s1.storm_days);
    let all = &r1.indices[0].indices;
    assert!(all.saifi.is_some_and(|x| x > 0.0) && all.maifi.is_some_and(|x| x > 0.0));
    // every table written and read back holds the same numbers
    let csv = one.join("csv");
    for table in &tables {
        let path = table.write_csv(&csv).expect("written");
        let back = Table::read_csv(&path).expect("read back");
        assert_eq!(back.columns, table.columns);
        assert_eq!(back.rows, table.rows, "{}", table.name);
    }
    let back = Table::read_csv(&csv.join("indices.csv")).expect("indices");
    let col = back.column("saidi_min").expect("a saidi column");
    assert_eq!(back.rows[0][col], Cell::opt(all.saidi_min));
    for d in [one, two, three] {
        let _ = std::fs::remove_dir_all(&d);
    }
}

fn gridcare(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gridcare")).args(args).output().expect("gridcare runs")
}

#[test]
fn gridcare_report_prints_the_tables_of_a_generated_history_and_names_bad_input() {
    let dir = scratch("cli");
    let d = dir.to_str().expect("utf-8");
    let out = gridcare(&[
        "sim",
        "history",
        "--days",
        "30",
        "--seed",
        "2",
        "--end",
        "2026-06-30",
        "--data-dir",
        d,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("wrote 30 days of history"), "{text}");
    let csv = dir.join("csv");
    let html = dir.join("report.html");
    let out = gridcare(&[
        "report",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--data-dir",
        d,
        "--csv",
        csv.to_str().expect("utf-8"),
        "--html",
        html.to_str().expect("utf-8"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    for heading in [
        "Reliability indices (IEEE 1366)",
        "Major Event Day threshold",
        "Call-centre measures",
        "saifi",
        "unplanned excl. MED",
        "first_call_resolution",
        "alerts handled in time",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    for name in ["indices", "med_threshold", "med_days", "callcentre", "tickets"] {
        assert!(csv.join(format!("{name}.csv")).exists(), "{name}.csv");
    }
    let page = std::fs::read_to_string(&html).expect("the html");
    assert!(page.contains("<table>") && page.contains("SAIFI".to_lowercase().as_str()));
    // a feeder scope by display name
    let feeder = &grid().model.feeders[0].display_name;
    let scope = format!("feeder:{feeder}");
    let out = gridcare(&[
        "report",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--data-dir",
        d,
        "--scope",
        &scope,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&scope));

    // bad input, named
    let err = |args: &[&str]| {
        let out = gridcare(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = err(&["report", "--from", "2026-07-01", "--to", "2026-06-01", "--data-dir", d]);
    assert!(e.contains("--from 2026-07-01 is after --to 2026-06-01"), "{e}");
    let e = err(&["report", "--from", "2026-06-01", "--to", "2026-06-31", "--data-dir", d]);
    assert!(e.contains("2026-06-31") && e.contains("not a date"), "{e}");
    let e = err(&[
        "report",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--data-dir",
        d,
        "--scope",
        "feeder:no-such-line",
    ]);
    assert!(e.contains("no feeder is called `no-such-line`") && e.contains("there are"), "{e}");
    let e = err(&[
        "report",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--data-dir",
        d,
        "--scope",
        "county:x",
    ]);
    assert!(e.contains("county:x"), "{e}");
    let calls = dir.join(gridcare::kpi::CALL_RECORDS_FILE);
    let mut text = std::fs::read_to_string(&calls).expect("calls");
    text.push_str("99,phone,2026-06-30T10:00:00+08:00,yesterday,2026-06-30T10:05:00+08:00,A01,\n");
    std::fs::write(&calls, text).expect("written");
    let e = err(&["report", "--from", "2026-06-01", "--to", "2026-06-30", "--data-dir", d]);
    assert!(e.contains("cti_calls.csv") && e.contains("line") && e.contains("answered"), "{e}");
    let e = err(&["sim", "history", "--days", "5", "--data-dir", d]);
    assert!(e.contains("already holds"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The figures `gridcare bench` can print (slow in a debug build: run with `--release
/// -- --ignored`).
#[test]
#[ignore]
fn the_bench_figures_of_a_simulated_year() {
    let dir = scratch("figures");
    let figures = gridcare::sim::history_figures(grid(), &dir, 1, 5).expect("figures");
    for f in &figures {
        println!("{:<80} {:>10}", f.what, gridcare::bench::human_ns(f.median_ns));
    }
    assert_eq!(figures.len(), 3);
    assert!(figures.iter().all(|f| f.median_ns > 0.0));
    assert!(!dir.exists(), "the scratch store is removed");
}
