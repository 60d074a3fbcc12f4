//! `gridcare outage …`: outage information in the store of `--data-dir`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use gridcare::grid::Grid;
use gridcare::outage::{
    find_caller, Coverage, FaultOutage, FaultSource, Outage, OutageBook, OutageId, PlannedOutage,
};
use gridcare::store::{format_rfc3339, format_time, parse_time};
use serde_json::{json, Value};

use crate::{load, print_json, OutageCommand};

fn time(text: &str, flag: &str) -> Result<i64> {
    parse_time(text).with_context(|| format!("--{flag}"))
}

fn opt_time(t: Option<i64>) -> Value {
    t.map_or(Value::Null, |t| Value::String(format_rfc3339(t)))
}

fn devices(grid: &Grid, names: &[String]) -> Result<Vec<gridcare::model::DeviceRef>> {
    Ok(names.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?)
}

fn outage_json(o: &Outage, now: i64, full: bool) -> Value {
    let mut v = json!({
        "id": o.id.0,
        "kind": o.kind.as_str(),
        "status": o.status_at(now).as_str(),
        "source": o.source,
        "devices": o.devices,
        "open_devices": o.open_devices,
        "start": format_rfc3339(o.start_s),
        "end": opt_time(o.end_s),
        "etr": opt_time(o.etr_s),
        "overdue": o.status_at(now).is_open() && o.etr_s.is_some_and(|e| now > e),
        "reason": o.reason,
        "notice": o.notice,
        "customers": o.impact.customers(),
        "peak_customers": o.peak_customers,
        "by_label": o.impact.by_label,
        "customer_hours": o.customer_hours(),
        "closed": opt_time(o.closed_s),
        "created": format_rfc3339(o.created_s),
        "created_by": o.created_by,
        "latest": latest_json(&o.latest),
        "changes": o.changes,
    });
    if full {
        v["polygon"] = json!(o.impact.polygon.iter().map(|p| [p.lon, p.lat]).collect::<Vec<_>>());
        v["accounts"] = json!(o.impact.accounts);
    }
    v
}

fn latest_json(l: &gridcare::outage::LatestChange) -> Value {
    json!({
        "seq": l.seq, "time": format_rfc3339(l.time_s), "author": l.author,
        "reason": l.reason, "change": l.change, "summary": l.summary,
    })
}

fn window(o: &Outage) -> String {
    match o.end_s {
        Some(end) => gridcare::outage::history::window_text(o.start_s, end),
        None => format!("from {}", format_time(o.start_s)),
    }
}

fn etr_text(etr: Option<i64>) -> String {
    etr.map_or_else(|| "not yet known".into(), format_time)
}

fn print_line(o: &Outage, now: i64) {
    println!(
        "{:>4}  {:<7} {:<18} {:<30} ETR {:<16} {:>6} customers  {}  ({})",
        o.id.0,
        o.kind.as_str(),
        o.status_at(now).as_str(),
        window(o),
        etr_text(o.etr_s),
        o.impact.customers(),
        o.open_devices.join(", "),
        o.reason
    );
}

fn print_outage(o: &Outage, now: i64) {
    println!("outage {} — {} outage, {}", o.id.0, o.kind.as_str(), o.status_at(now).as_str());
    println!("window       {}", window(o));
    let overdue = o.status_at(now).is_open() && o.etr_s.is_some_and(|e| now > e);
    println!("ETR          {}{}", etr_text(o.etr_s), if overdue { " (passed)" } else { "" });
    println!("devices      {} (open: {})", o.devices.join(", "), o.open_devices.join(", "));
    println!("reason       {}", o.reason);
    println!("notice       {}", o.notice);
    let labels: Vec<String> = o
        .impact
        .by_label
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(l, n)| format!("{n} {l}"))
        .collect();
    println!(
        "customers    {} without supply{}; {} at most",
        o.impact.customers(),
        if labels.is_empty() { String::new() } else { format!(" ({})", labels.join(", ")) },
        o.peak_customers
    );
    if let Some(h) = o.customer_hours() {
        println!("cust.-hours  {h:.1} (customers × expected duration)");
    }
    println!("recorded     {} by {}", format_time(o.created_s), o.created_by);
}

fn print_coverage(c: &Coverage) {
    let window = match c.end_s {
        Some(end) => gridcare::outage::history::window_text(c.start_s, end),
        None => format!("since {}", format_time(c.start_s)),
    };
    println!(
        "  COVERED by {} outage {} ({}): {window}; ETR {}{}",
        c.kind.as_str(),
        c.outage,
        c.status.as_str(),
        etr_text(c.etr_s),
        if c.overdue { " (passed, not restored yet)" } else { "" }
    );
    println!("    reason: {}", c.reason);
    println!(
        "    latest change: {} by {}: {} ({})",
        format_time(c.latest.time_s),
        c.latest.author,
        c.latest.summary,
        c.latest.reason
    );
}

/// Runs one `outage` command.
pub fn run(
    model: &Option<PathBuf>,
    data_dir: Option<&Path>,
    json: bool,
    author: &str,
    action: OutageCommand,
) -> Result<ExitCode> {
    let grid = load(model)?;
    let data = gridcare::store::data_dir(data_dir);
    let dir = data.join(gridcare::STORE_DIR);
    let store = gridcare::open_store(&data)
        .with_context(|| format!("opening the outage store in {}", dir.display()))?;
    let store = Arc::new(store);
    let mut book = OutageBook::open(store.clone(), &grid)?;
    let outbox = gridcare::channels::outbox::Outbox::open(store);
    let now = book.now_s();
    let changed: Option<OutageId> = match action {
        OutageCommand::Plan { devices: names, start, end, reason, notice } => {
            let plan = PlannedOutage {
                devices: devices(&grid, &names)?,
                start_s: time(&start, "start")?,
                end_s: time(&end, "end")?,
                reason,
                notice,
                author: author.to_string(),
            };
            Some(book.plan(&grid, plan)?.id)
        }
        OutageCommand::Fault { device, etr, start, reason, predicted } => {
            let fault = FaultOutage {
                device: grid.resolve(&device)?,
                source: if predicted { FaultSource::Predicted } else { FaultSource::Trip },
                start_s: start.map(|s| time(&s, "start")).transpose()?,
                etr_s: etr.map(|s| time(&s, "etr")).transpose()?,
                reason,
                author: author.to_string(),
            };
            Some(book.report_fault(&grid, fault)?.id)
        }
        OutageCommand::Etr { id, etr, reason } => {
            let etr_s = time(&etr, "etr")?;
            Some(book.change_etr(&grid, OutageId(id), etr_s, author, &reason)?.id)
        }
        OutageCommand::Scope { id, add, remove, reason } => {
            let (add, remove) = (devices(&grid, &add)?, devices(&grid, &remove)?);
            Some(book.change_scope(&grid, OutageId(id), &add, &remove, author, &reason)?.id)
        }
        OutageCommand::Reschedule { id, start, end, reason } => {
            let (start_s, end_s) = (time(&start, "start")?, time(&end, "end")?);
            Some(book.reschedule(&grid, OutageId(id), start_s, end_s, author, &reason)?.id)
        }
        OutageCommand::Restore { id, devices: names, reason } => {
            let closed = devices(&grid, &names)?;
            Some(book.restore(&grid, OutageId(id), &closed, author, &reason)?.id)
        }
        OutageCommand::Cancel { id, reason } => {
            Some(book.cancel(&grid, OutageId(id), author, &reason)?.id)
        }
        OutageCommand::Show { id } => Some(OutageId(id)),
        OutageCommand::List { all } => {
            let list = book.list(all);
            if json {
                print_json(&json!({
                    "now": format_rfc3339(now),
                    "outages": list.iter().map(|o| outage_json(o, now, false)).collect::<Vec<_>>(),
                }))?;
            } else if list.is_empty() {
                println!("no {}outages", if all { "" } else { "open " });
            } else {
                for o in list {
                    print_line(o, now);
                }
            }
            None
        }
        OutageCommand::Customer { query } => {
            let customers = find_caller(&grid, &query)?;
            let m = &grid.model;
            let rows: Vec<(gridcare::model::CustomerId, Vec<Coverage>)> =
                customers.iter().map(|c| (*c, book.outages_covering(*c))).collect();
            if json {
                let v: Vec<Value> = rows
                    .iter()
                    .map(|(c, cov)| {
                        let cu = &m.customers[c.index()];
                        json!({
                            "account_no": cu.account_no, "name": cu.display_name,
                            "address": cu.address.full(), "covered": !cov.is_empty(),
                            "outages": cov.iter().map(|c| json!({
                                "id": c.outage.0, "kind": c.kind.as_str(), "status": c.status.as_str(),
                                "start": format_rfc3339(c.start_s), "end": opt_time(c.end_s),
                                "etr": opt_time(c.etr_s), "overdue": c.overdue, "reason": c.reason,
                                "notice": c.notice, "latest": latest_json(&c.latest),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_json(&json!({"query": query, "now": format_rfc3339(now), "customers": v}))?;
            } else {
                for (c, cov) in &rows {
                    let cu = &m.customers[c.index()];
                    println!("{}  {}  {}", cu.account_no, cu.display_name, cu.address.full());
                    if cov.is_empty() {
                        println!("  not covered by any open outage: a fault report is needed");
                    }
                    for c in cov {
                        print_coverage(c);
                    }
                }
            }
            None
        }
    };
    if let Some(id) = changed {
        // Proactive notices (主动告知) of every change not announced yet, to the customers
        // subscribed (or bound to WeChat); `gridcare outbox` shows and delivers them.
        let reach = gridcare::channels::notices::subscribed_reach(book.store())?;
        let notices = gridcare::channels::notices::queue_outage_notices(
            &grid, &book, &outbox, id, &reach, author,
        )?;
        let o = book.get(id).ok_or_else(|| anyhow::anyhow!("there is no outage {id}"))?;
        let trajectory = book.trajectory(id)?;
        // After a restoration: what the customers' smart meters said since (复电确认).
        let meters = match o
            .closed_s
            .filter(|_| o.lifecycle == gridcare::outage::Lifecycle::Restored)
        {
            Some(restored_s) => {
                use gridcare::outage::meter::{meter_events_since, restoration_check, MeterBoard};
                let events = meter_events_since(&grid, book.store(), o.start_s)?;
                // the customers its devices cut (its scope is empty once restored)
                let devices: Vec<gridcare::model::DeviceRef> =
                    o.devices.iter().filter_map(|d| grid.resolve(d).ok()).collect();
                let customers = gridcare::outage::affected_by_opening(&grid, &devices);
                let r = restoration_check(
                    &MeterBoard::from_events(&events),
                    &customers,
                    restored_s.max(0) as u64,
                );
                (r.confirmed + r.still_off.len() > 0).then_some(r)
            }
            None => None,
        };
        if json {
            let mut v = outage_json(o, now, true);
            v["trajectory"] = json!(trajectory
                .iter()
                .map(|t| json!({
                    "seq": t.seq, "time": format_rfc3339(t.time_s), "author": t.author,
                    "reason": t.reason, "change": t.change, "summary": t.summary,
                    "customers": t.customers, "etr": opt_time(t.etr_s),
                }))
                .collect::<Vec<_>>());
            v["notices_queued"] = json!(notices);
            if let Some(r) = &meters {
                v["meters"] = json!({
                    "confirmed": r.confirmed,
                    "still_off": r.still_off.iter().map(|c| grid.model.customers[c.index()].account_no.clone()).collect::<Vec<_>>(),
                    "silent": r.silent,
                });
            }
            print_json(&v)?;
        } else {
            print_outage(o, now);
            if let Some(r) = &meters {
                println!(
                    "meters       {} confirmed supply back since the restoration, {} still off, {} silent",
                    r.confirmed,
                    r.still_off.len(),
                    r.silent
                );
                if !r.still_off.is_empty() {
                    let accounts: Vec<&str> = r
                        .still_off
                        .iter()
                        .take(10)
                        .map(|c| grid.model.customers[c.index()].account_no.as_str())
                        .collect();
                    println!(
                        "             still off (a nested outage left behind?): {}{}",
                        accounts.join(", "),
                        if r.still_off.len() > 10 { ", …" } else { "" }
                    );
                }
            }
            println!(
                "notices      {notices} queued now (gridcare outbox list --subject outage:{id})"
            );
            println!("trajectory (变更轨迹):");
            for t in &trajectory {
                println!(
                    "  #{:<3} {}  {:<12} {:<18} {}  (reason: {})",
                    t.seq,
                    format_time(t.time_s),
                    t.author,
                    t.change,
                    t.summary,
                    t.reason
                );
            }
        }
    }
    book.close().with_context(|| format!("closing the outage store in {}", dir.display()))?;
    Ok(ExitCode::SUCCESS)
}
