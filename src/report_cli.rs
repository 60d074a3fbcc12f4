//! `gridcare report` (reliability indices and call-centre measures of a period and scope:
//! tables in the terminal, CSV, one-page HTML) and `gridcare sim history` (a simulated past
//! for the store of `--data-dir`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use gridcare::grid::Grid;
use gridcare::kpi::CALL_RECORDS_FILE;
use gridcare::kpi::{read_call_records, Cell, Period, Report, ReportInput, Scope, Table};
use gridcare::sim::{generate_history, HistoryParams};
use gridcare::store::{format_time, Clock, SystemClock};
use gridcare::workorder::SlaPolicy;

/// What `gridcare report` takes.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, Beijing time).
    #[arg(long)]
    from: String,
    /// Last day, included.
    #[arg(long)]
    to: String,
    /// area, district:NAME, substation:NAME or feeder:NAME.
    #[arg(long, default_value = "area")]
    scope: String,
    /// Write every table as CSV into this directory.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Write a one-page HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The phone platform's call records (default: DATA_DIR/cti_calls.csv when present).
    #[arg(long, value_name = "FILE")]
    calls: Option<PathBuf>,
    /// Service levels (default: resources/workorder/sla.json, built in).
    #[arg(long, value_name = "FILE")]
    sla: Option<PathBuf>,
    /// Ticket rows to print (all are in the CSV).
    #[arg(long, default_value_t = 15)]
    ticket_rows: usize,
}

/// What `gridcare sim history` takes.
#[derive(clap::Args)]
pub struct HistoryArgs {
    /// Days of history.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Last day of the history (YYYY-MM-DD, included; default: up to now).
    #[arg(long)]
    end: Option<String>,
}

fn table_json(t: &Table) -> serde_json::Value {
    let cell = |c: &Cell| match c {
        Cell::Text(s) => serde_json::json!(s),
        Cell::Int(n) => serde_json::json!(n),
        Cell::Num(x) => serde_json::json!(x),
        Cell::Missing => serde_json::Value::Null,
    };
    let rows: Vec<serde_json::Value> = t
        .rows
        .iter()
        .map(|r| {
            let m: serde_json::Map<String, serde_json::Value> =
                t.columns.iter().cloned().zip(r.iter().map(cell)).collect();
            serde_json::Value::Object(m)
        })
        .collect();
    serde_json::json!({"name": t.name, "title": t.title, "rows": rows})
}

/// `gridcare report`.
pub fn report(
    grid: &Grid,
    data_dir: Option<&Path>,
    json: bool,
    args: ReportArgs,
) -> Result<ExitCode> {
    let period = Period::from_dates(&args.from, &args.to)?;
    let scope = Scope::parse(&args.scope)?;
    let dir = gridcare::store::data_dir(data_dir);
    if !dir.join(gridcare::STORE_DIR).exists() {
        bail!(
            "{}: no store here; record outages and tickets first, or write a history with \
             `gridcare sim history --data-dir {}`",
            dir.display(),
            dir.display()
        );
    }
    let policy = match &args.sla {
        Some(p) => SlaPolicy::load(p)?,
        None => SlaPolicy::default(),
    };
    let calls_file = args.calls.clone().or_else(|| {
        let p = dir.join(CALL_RECORDS_FILE);
        p.exists().then_some(p)
    });
    let calls = match &calls_file {
        Some(p) => read_call_records(p)?,
        None => Vec::new(),
    };
    let store = gridcare::open_store(&dir)
        .with_context(|| format!("opening the store of {}", dir.display()))?;
    let input = ReportInput {
        grid,
        policy: &policy,
        calls: &calls,
        period,
        scope,
        as_of_s: SystemClock.now_s(),
    };
    let t = std::time::Instant::now();
    let report = Report::compute(&store, &input)?;
    let took = t.elapsed();
    store.close()?;
    let tables = report.tables();
    if let Some(out) = &args.csv {
        for t in &tables {
            t.write_csv(out)?;
        }
    }
    if let Some(file) = &args.html {
        std::fs::write(file, report.html())
            .with_context(|| format!("writing {}", file.display()))?;
    }
    if json {
        let v = serde_json::json!({
            "period": report.period.label(),
            "scope": report.scope,
            "customers_served": report.customers_served,
            "outages": report.outages,
            "interruptions": report.interruptions,
            "notes": report.notes,
            "tables": tables.iter().map(table_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} · {} · {} customers served · {} outages → {} interruptions · {} tickets · \
         computed in {:.0} ms",
        report.scope,
        report.period.label(),
        report.customers_served,
        report.outages,
        report.interruptions,
        report.tickets.len(),
        took.as_secs_f64() * 1000.0
    );
    for t in &tables {
        println!();
        if t.name == "tickets" && t.rows.len() > args.ticket_rows {
            let mut head = t.clone();
            head.rows.truncate(args.ticket_rows);
            print!("{}", head.to_text());
            println!(
                "… {} more tickets (--csv DIR writes them all)",
                t.rows.len() - args.ticket_rows
            );
        } else {
            print!("{}", t.to_text());
        }
    }
    println!();
    for n in &report.notes {
        println!("note: {n}");
    }
    if let Some(out) = &args.csv {
        println!("wrote {} CSV tables to {}", tables.len(), out.display());
    }
    if let Some(file) = &args.html {
        println!("wrote {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `gridcare sim history`.
pub fn history(
    grid: &Grid,
    data_dir: Option<&Path>,
    json: bool,
    args: HistoryArgs,
) -> Result<ExitCode> {
    let end_s = match &args.end {
        Some(day) => Period::from_dates(day, day)?.to_s,
        None => SystemClock.now_s() / 60 * 60,
    };
    let dir = gridcare::store::data_dir(data_dir);
    let params =
        HistoryParams { days: args.days, seed: args.seed, end_s, ..HistoryParams::default() };
    let t = std::time::Instant::now();
    let s = generate_history(grid, &dir, &params)?;
    let secs = t.elapsed().as_secs_f64();
    if json {
        let mut v = serde_json::to_value(&s)?;
        v["seconds"] = serde_json::json!(secs);
        v["data_dir"] = serde_json::json!(dir);
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "wrote {} days of history ({} – {}, seed {}) into {} in {:.1} s",
        args.days,
        s.from,
        s.to,
        args.seed,
        dir.display(),
        secs
    );
    println!(
        "  outages: {} planned, {} fault (sustained), {} momentary operations",
        s.planned_outages, s.fault_outages, s.momentary_outages
    );
    println!(
        "  storm days: {}",
        if s.storm_days.is_empty() { "-".into() } else { s.storm_days.join(", ") }
    );
    println!("  tickets: {} ({} dispatched)", s.tickets, s.dispatched);
    println!("  call records: {} in {}", s.call_records, dir.join(CALL_RECORDS_FILE).display());
    println!("  the store's clock ends at {}", format_time(end_s));
    if s.skipped > 0 {
        println!("  {} steps could not be done and were left out, e.g.:", s.skipped);
        for r in &s.skipped_reasons {
            println!("    {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
