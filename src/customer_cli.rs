//! `gridcare customer ACCOUNT|PHONE`: the customer 360 view (客户全景) from the store of
//! --data-dir — profile, grid position, outages, tickets, messages, alerts, one timeline.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use gridcare::channels::alert::AlertBook;
use gridcare::channels::customer360::{customer_360, find_customer, interaction_entries, Sources};
use gridcare::channels::outbox::Outbox;
use gridcare::outage::OutageBook;
use gridcare::store::format_time;
use gridcare::workorder::{RepairDesk, SlaPolicy};

use crate::{load, print_json};

/// Runs `gridcare customer`.
pub fn run(
    model: &Option<PathBuf>,
    data_dir: Option<&Path>,
    json_out: bool,
    query: &str,
    limit: usize,
) -> Result<ExitCode> {
    let grid = load(model)?;
    let customer = find_customer(&grid, query)?;
    let data = gridcare::store::data_dir(data_dir);
    let store = Arc::new(
        gridcare::open_store(&data)
            .with_context(|| format!("opening the store in {}", data.display()))?,
    );
    let outages = OutageBook::open(store.clone(), &grid)?;
    let desk = RepairDesk::open(store.clone(), SlaPolicy::default())?;
    let outbox = Outbox::open(store.clone());
    let alerts = AlertBook::open(store.clone())?;
    let account = grid.model.customers[customer.index()].account_no.clone();
    let sources = Sources {
        outages: &outages,
        desk: Some(&desk),
        outbox: Some(&outbox),
        alerts: Some(&alerts),
        interactions: interaction_entries(&store, &account)?,
    };
    let v = customer_360(&grid, customer, sources)?;
    if json_out {
        print_json(&serde_json::to_value(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}  {}  [{}]  {:.1} kW", v.account, v.name, v.labels.join(", "), v.kw);
    println!("  {}", v.address);
    println!(
        "  phones {}; reachable on {}",
        v.phones.join(", "),
        v.bindings.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    );
    let g = &v.grid;
    println!(
        "  grid: {} / {} / transformer {} ({} customers){}",
        g.substation.as_deref().unwrap_or("-"),
        g.feeder.as_ref().map_or("-", |f| f.1.as_str()),
        g.transformer.as_deref().unwrap_or("-"),
        g.transformer_customers,
        if g.energised { "" } else { "; not energised in the normal state" }
    );
    match v.covered_now.first() {
        Some(o) => println!(
            "  COVERED now by {} outage {} ({}), ETR {}",
            o.kind,
            o.id,
            o.status,
            o.etr_s.map_or_else(|| "unknown".to_string(), format_time)
        ),
        None => println!("  no open outage covers the customer"),
    }
    println!(
        "  {} outage(s), {} ticket(s), {} message(s), {} alert(s) on record",
        v.outages.len(),
        v.tickets.len(),
        v.messages.len(),
        v.alerts.len()
    );
    println!("timeline (newest first):");
    for e in v.timeline.iter().take(limit) {
        println!(
            "  {}  {:<11} {:<7} {}",
            format_time(e.time_s),
            e.source,
            e.channel.as_deref().unwrap_or(""),
            e.summary_zh
        );
    }
    if v.timeline.len() > limit {
        println!("  … {} more (--limit)", v.timeline.len() - limit);
    }
    Ok(ExitCode::SUCCESS)
}
