//! `gridcare`: with no command, the desktop app on the embedded demo city; with a command, the
//! same engine from the terminal. Every command takes `--model FILE` (an OpenDSS master file or
//! a GridCare model directory; default: the embedded demo city) and `--json`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{DeviceRef, ElementRef, LonLat};
use serde_json::json;

mod alert_cli;
mod customer_cli;
mod op_cli;
mod outage_cli;
mod outbox_cli;
mod plan_cli;
mod report_cli;
#[cfg(feature = "serve")]
mod serve_cli;
mod ticket_cli;

#[derive(Parser)]
#[command(name = "gridcare", version, about = "One map for marketing, distribution and dispatch")]
struct Cli {
    /// Model to load: an OpenDSS master file (.dss) or a GridCare model directory.
    /// Default: the embedded demo city of Foshan.
    #[arg(long, global = true, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    /// Desktop app: start on the wall screen (大屏): full screen, large type, personal data masked.
    #[arg(long, global = true)]
    wall: bool,
    /// Where to keep state: the desktop app's settings and the outage store (`DIR/store`)
    /// (default: $XDG_DATA_HOME/gridcare, else ~/.local/share/gridcare).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Desktop app: raster tiles from an XYZ URL template, e.g. `https://host/{z}/{x}/{y}.png`.
    #[arg(long, value_name = "URL_TEMPLATE", conflicts_with_all = ["tiles_dir", "mbtiles"])]
    tiles: Option<String>,
    /// Desktop app: raster tiles from a local folder of z/x/y.png tiles.
    #[arg(long, value_name = "DIR", conflicts_with = "mbtiles")]
    tiles_dir: Option<PathBuf>,
    /// Desktop app: raster tiles from an MBTiles file.
    #[arg(long, value_name = "FILE")]
    mbtiles: Option<PathBuf>,
    /// Desktop app: attribution of the --tiles / --tiles-dir source, shown on the map.
    #[arg(long, value_name = "TEXT", default_value = "")]
    tiles_attribution: String,
    /// Desktop app: a workstation on a `gridcare serve` server (`http://host:port`): the
    /// outages, tickets and alerts are the server's, kept live (a replica in --data-dir), and
    /// the changes go to the server. Needs an operator token.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// Desktop app: the operator token for --server (`gridcare serve token add --channel
    /// operator` on the server). Default: the environment variable GRIDCARE_TOKEN, which keeps
    /// it out of the process list.
    #[arg(long, value_name = "TOKEN", requires = "server")]
    token: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Import a model from another format into a GridCare model directory.
    Import {
        #[command(subcommand)]
        format: ImportFormat,
    },
    /// Element counts of the model.
    Info,
    /// Loops and de-energised islands (exit 2 when any), in the normal switch state or after
    /// the given switching.
    Check {
        /// Open these switches first.
        #[arg(long, value_name = "SWITCH")]
        open: Vec<String>,
        /// Close these switches first.
        #[arg(long, value_name = "SWITCH")]
        close: Vec<String>,
    },
    /// What is at a point: nearest customer, transformer, line and its feeder.
    Locate {
        /// Longitude, degrees east.
        #[arg(long, allow_negative_numbers = true)]
        lon: f64,
        /// Latitude, degrees north.
        #[arg(long, allow_negative_numbers = true)]
        lat: f64,
        /// Search radius in metres.
        #[arg(long, default_value_t = 500.0)]
        radius_m: f64,
    },
    /// Upstream path, downstream devices and the customers that lose supply if DEVICE opens.
    Trace {
        /// External id of a switch, line, transformer, feeder, bus or customer
        /// (`switch.zm01-s02`, `Line.LN5710794-1`, an account number).
        device: String,
        /// Open these switches first.
        #[arg(long, value_name = "SWITCH")]
        open: Vec<String>,
        /// Close these switches first.
        #[arg(long, value_name = "SWITCH")]
        close: Vec<String>,
        /// List at most this many affected customers in text output (JSON lists all).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Find a customer by phone, account number, name or free-text address.
    Find {
        /// What the caller said.
        query: String,
        /// How many matches.
        #[arg(long, default_value_t = 5)]
        limit: usize,
    },
    /// Export the model.
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// Generate a demo city (deterministic for a seed).
    GenCity {
        /// Number of customers.
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// Random seed.
        #[arg(long, default_value_t = gridcare::citygen::CityParams::default().seed)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure the grid questions on this machine (medians).
    Bench {
        /// Also generate a city of this many customers and measure on it.
        #[arg(long)]
        customers: Option<usize>,
        /// Seed for the random queries.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Time only these queries (peer comparison): a JSON file
        /// `{"devices": ["line.x", ...], "points": [[lon, lat], ...]}`.
        #[arg(long, value_name = "FILE")]
        queries: Option<PathBuf>,
    },
    /// Reliability indices (IEEE 1366) and call-centre measures of a period and scope from
    /// the store of --data-dir: tables in the terminal, --csv DIR, --html FILE.
    Report(report_cli::ReportArgs),
    /// Simulate and measure (deterministic for a seed).
    Sim {
        #[command(subcommand)]
        what: SimKind,
    },
    /// Appointment-outage planning (预约停电, 先算后停): isolate a drawn area, impact, the
    /// appointment customers of a rule preset, the best window.
    Plan {
        #[command(subcommand)]
        action: plan_cli::PlanCommand,
    },
    /// The channel outbox (消息发件箱): consultation letters and outage notices queued per
    /// customer and channel, their delivery state, and delivery through a channel gateway.
    Outbox {
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long, global = true)]
        author: Option<String>,
        #[command(subcommand)]
        action: outbox_cli::OutboxCommand,
    },
    /// Customer 360 (客户全景): profile, grid position, outages, tickets, messages, alerts and
    /// one timeline across channels, from the store of --data-dir.
    Customer {
        /// Account number (户号) or phone.
        query: String,
        /// Timeline lines to print.
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// Sensitive-word alerts (敏感词预警): screen a text, list, acknowledge, assign and resolve
    /// alerts in the store of --data-dir.
    Alert {
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long, global = true)]
        author: Option<String>,
        #[command(subcommand)]
        action: alert_cli::AlertCommand,
    },
    /// The HTTP/JSON channel service (`gridcare serve`): WeChat, app, web and SMS intake over
    /// the store of --data-dir, channel tokens, OpenAPI at /api/v1/openapi.json.
    #[cfg(feature = "serve")]
    Serve(serve_cli::ServeArgs),
    /// One change as an operation (`gridcare::ops::Operation`, the JSON `POST /api/v1/ops`
    /// takes), e.g. '{"op":"change_etr","outage":3,"etr_s":1765000000,"reason":"抢修延误"}':
    /// applied to the store of --data-dir, or with --server URL (and --token, else
    /// GRIDCARE_TOKEN) by that server, with the same rules as the desktop app.
    Op {
        /// The operation as JSON; `-` reads it from standard input.
        operation: String,
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long)]
        author: Option<String>,
    },
    /// Outage information (停电信息): planned and fault outages in the store of --data-dir,
    /// their change trajectory, and the answer to a caller.
    Outage {
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long, global = true)]
        author: Option<String>,
        #[command(subcommand)]
        action: OutageCommand,
    },
    /// Repair tickets (智能报修) and crews in the store of --data-dir: take a call, the work
    /// queue with SLA clocks, send a crew, record each step.
    Ticket {
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long, global = true)]
        author: Option<String>,
        /// Service levels (default: resources/workorder/sla.json, built in).
        #[arg(long, global = true, value_name = "FILE")]
        sla: Option<PathBuf>,
        #[command(subcommand)]
        action: ticket_cli::TicketCommand,
    },
    /// Crash-test workload: repair calls and ticket steps through the repair desk on the
    /// model, printing each write once it is on disk.
    #[command(hide = true)]
    TicketStress {
        /// How many writes.
        #[arg(long, default_value_t = 1000)]
        writes: u64,
        /// Picks the callers.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Crash-test workload: appends events to the store of --data-dir, printing each write
    /// once it is on disk.
    #[command(hide = true)]
    StoreStress {
        /// How many writes.
        #[arg(long, default_value_t = 1000)]
        writes: u64,
    },
}

/// Times: `2026-11-24T14:00` or `2026-11-24 14:00` (Beijing time, +08:00), or RFC 3339.
#[derive(Subcommand)]
enum OutageCommand {
    /// Record a planned outage (计划停电): the devices opened together and the window.
    Plan {
        /// A device to open (repeat for several opened together).
        #[arg(long = "device", value_name = "DEVICE", required = true)]
        devices: Vec<String>,
        /// Start of the window (2026-11-24T08:00, Beijing time).
        #[arg(long)]
        start: String,
        /// End of the window.
        #[arg(long)]
        end: String,
        /// Why (maintenance, construction, …).
        #[arg(long)]
        reason: String,
        /// Notice text for customers (default: the window and the reason).
        #[arg(long, default_value = "")]
        notice: String,
    },
    /// Record a fault outage (故障停电) at the device that tripped.
    Fault {
        /// The device that tripped (or the predicted one, with --predicted).
        #[arg(long)]
        device: String,
        /// Estimated restoration time (预计送电时间).
        #[arg(long)]
        etr: Option<String>,
        /// When it tripped (default: now).
        #[arg(long)]
        start: Option<String>,
        /// What is known of the cause.
        #[arg(long)]
        reason: String,
        /// The device was predicted from trouble calls, not reported open.
        #[arg(long)]
        predicted: bool,
    },
    /// List the open outages (--all: every outage).
    List {
        /// Include restored and cancelled outages.
        #[arg(long)]
        all: bool,
    },
    /// One outage in full, with its change trajectory (变更轨迹).
    Show {
        /// The outage number.
        id: u64,
    },
    /// Move the ETR, e.g. a delayed restoration.
    Etr {
        /// The outage number.
        id: u64,
        /// The new ETR.
        #[arg(long)]
        etr: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Add or remove devices; the affected customers are recomputed.
    Scope {
        /// The outage number.
        id: u64,
        /// A device to add (repeatable).
        #[arg(long, value_name = "DEVICE")]
        add: Vec<String>,
        /// A device to remove (repeatable).
        #[arg(long, value_name = "DEVICE")]
        remove: Vec<String>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Move a planned outage's window.
    Reschedule {
        /// The outage number.
        id: u64,
        /// New start.
        #[arg(long)]
        start: String,
        /// New end.
        #[arg(long)]
        end: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Restore supply (送电): the named devices (partial while others stay open), or all.
    Restore {
        /// The outage number.
        id: u64,
        /// A device closed (repeatable; default: every open device).
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Call an outage off.
    Cancel {
        /// The outage number.
        id: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// The caller's answer: is an outage covering this account number or phone, which one,
    /// its ETR and its latest change.
    Customer {
        /// Account number (户号) or phone.
        query: String,
    },
}

#[derive(Subcommand)]
enum SimKind {
    /// A simulated past (outages, momentary reclosures, storm days, repair tickets, call
    /// records) written into the empty store of --data-dir.
    History(report_cli::HistoryArgs),
    /// Storms of trouble calls from faults at protective devices: how often trouble-call
    /// grouping names the very device after 1, 3 and all calls, against the textbook rule.
    Storm {
        /// `ieee8500`: the IEEE 8500-node feeder with its Fuses.DSS; `demo`: the --model
        /// (default: the embedded demo city).
        #[arg(long, value_enum, default_value = "demo")]
        feeder: SimFeeder,
        /// At most this many overlapping faults in a storm (a quarter of storms have more
        /// than one).
        #[arg(long, default_value_t = 2)]
        faults: usize,
        /// Number of storms.
        #[arg(long, default_value_t = 500)]
        storms: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of the meters cut that send a last gasp (0–1; 0: calls only). With it, a
        /// third predictor uses the meters' last gasps as well as the calls.
        #[arg(long, default_value_t = 0.0)]
        last_gasp_share: f64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SimFeeder {
    Ieee8500,
    Demo,
}

#[derive(Subcommand)]
enum ImportFormat {
    /// An OpenDSS master file with its redirects and bus coordinates.
    Opendss {
        /// The master .dss file.
        file: PathBuf,
        /// Output GridCare model directory.
        #[arg(long)]
        out: PathBuf,
        /// Extra .dss files to load after the master (e.g. ieee8500/Fuses.DSS).
        #[arg(long)]
        extra: Vec<PathBuf>,
        /// Longitude of the model's centre.
        #[arg(long, default_value_t = 113.12)]
        lon: f64,
        /// Latitude of the model's centre.
        #[arg(long, default_value_t = 23.02)]
        lat: f64,
        /// Metres per planar unit of the bus coordinates (default: fit the extent).
        #[arg(long)]
        metres_per_unit: Option<f64>,
        /// Size of the larger side of the model on the map when fitting, metres.
        #[arg(long, default_value_t = 6000.0)]
        extent_m: f64,
    },
}

#[derive(Subcommand)]
enum ExportFormat {
    /// GeoJSON layers (substations, feeders, lv_lines, switches, transformers, customers).
    Geojson {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Many small strings (names, addresses) are built at start-up; mimalloc makes that ~2x faster than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gridcare: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn source(cli_model: &Option<PathBuf>) -> ModelSource {
    match cli_model {
        Some(p) => ModelSource::Path(p.clone()),
        None => ModelSource::Embedded,
    }
}

fn load(cli_model: &Option<PathBuf>) -> Result<Grid> {
    let src = source(cli_model);
    Grid::load(&src).with_context(|| match &src {
        ModelSource::Embedded => "loading the embedded demo city".to_string(),
        ModelSource::Path(p) => format!("loading model {}", p.display()),
    })
}

/// `--author`, else `$USER`, else `operator`.
fn author_or_user(author: Option<String>) -> String {
    author.unwrap_or_else(gridcare::store::default_author)
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    let json = cli.json;
    let Some(command) = cli.command else {
        return gridcare_app(&cli);
    };
    if cli.server.is_some() && !matches!(command, Command::Op { .. }) {
        bail!("--server is for the desktop app and `gridcare op` (give no command, or op); the other commands work on the store of --data-dir");
    }
    match command {
        Command::Import {
            format: ImportFormat::Opendss { file, out, extra, lon, lat, metres_per_unit, extent_m },
        } => {
            let options = gridcare::import::OpenDssOptions {
                anchor: gridcare::import::GeoAnchor {
                    centre: LonLat::new(lon, lat),
                    metres_per_unit,
                    fit_extent_m: extent_m,
                },
                extra_files: extra,
            };
            let model = gridcare::import::import_opendss(&file, &options)?;
            gridcare::model::tables::write_dir(&model, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            let counts = model.counts();
            if json {
                print_json(&json!({"out": out, "counts": counts}))?;
            } else {
                println!("imported {} into {}", file.display(), out.display());
                print_counts(&counts);
            }
        }
        Command::Op { ref operation, ref author } => {
            let author = author_or_user(author.clone());
            #[cfg(feature = "remote")]
            if let Some(url) = &cli.server {
                let token = server_token(cli.token.clone(), url)?;
                let target = op_cli::Target::Server { url, token: &token };
                return op_cli::run(target, operation, &author, json);
            }
            let grid = load(&cli.model)?;
            let target = op_cli::Target::Local { grid: &grid, data_dir: cli.data_dir.as_deref() };
            return op_cli::run(target, operation, &author, json);
        }
        Command::Info => {
            let grid = load(&cli.model)?;
            let counts = grid.model.counts();
            if json {
                print_json(&json!({"model": grid.model.name, "counts": counts}))?;
            } else {
                println!("model {}", grid.model.name);
                print_counts(&counts);
            }
        }
        Command::Check { open, close } => {
            let mut grid = load(&cli.model)?;
            apply_switching(&mut grid, &open, &close)?;
            let report = grid.topology.report();
            let m = &grid.model;
            let bad = !report.loops.is_empty() || report.islands.iter().any(|i| i.customers > 0);
            if json {
                print_json(&json!({"ok": !bad, "report": report}))?;
            } else {
                println!(
                    "energised: {} buses, {} of {} customers",
                    report.energised_buses,
                    report.energised_customers,
                    m.customers.len()
                );
                for l in &report.loops {
                    let other = l
                        .other_feeder
                        .map(|f| format!(" with {}", m.feeders[f.index()].name))
                        .unwrap_or_default();
                    let ties: Vec<&str> =
                        l.closed_ties.iter().map(|s| m.switches[s.index()].name.as_str()).collect();
                    let at = m.device_name(DeviceRef::Element(l.element));
                    let feeder = &m.feeders[l.feeder.index()].name;
                    if ties.is_empty() {
                        println!("LOOP: a mesh on {feeder}{other}, closed at {at}");
                    } else {
                        println!(
                            "LOOP: closed tie {} parallels {feeder}{other} (met at {at}); open {} to make it radial again",
                            ties.join(", "),
                            ties.join(" or ")
                        );
                    }
                }
                if !report.parallel_units.is_empty() {
                    let names: Vec<&str> = report
                        .parallel_units
                        .iter()
                        .take(4)
                        .map(|e| m.device_name(DeviceRef::Element(*e)))
                        .collect();
                    println!(
                        "note: {} elements run beside another between the same two buses (per-phase units: {}{}); each pair counts as one branch",
                        report.parallel_units.len(),
                        names.join(", "),
                        if report.parallel_units.len() > 4 { ", …" } else { "" }
                    );
                }
                for i in &report.islands {
                    println!(
                        "ISLAND: {} buses, {} customers without supply (e.g. bus {})",
                        i.buses,
                        i.customers,
                        m.buses[i.example_bus.index()].name
                    );
                }
                if !bad {
                    println!("ok: radial, every customer supplied");
                }
            }
            return Ok(if bad { ExitCode::from(2) } else { ExitCode::SUCCESS });
        }
        Command::Locate { lon, lat, radius_m } => {
            let at = LonLat::new(lon, lat);
            if !at.is_valid() {
                bail!("--lon {lon} --lat {lat} is not a WGS84 position");
            }
            let grid = load(&cli.model)?;
            let loc = grid.locate(at, radius_m);
            let m = &grid.model;
            if json {
                print_json(&json!({
                    "at": loc.at,
                    "customer": loc.customer.map(|c| json!({"id": m.customers[c.item.index()].name, "account_no": m.customers[c.item.index()].account_no, "dist_m": c.dist_m})),
                    "transformer": loc.transformer.map(|t| json!({"id": m.transformers[t.item.index()].name, "dist_m": t.dist_m})),
                    "line": loc.line.map(|l| json!({"id": m.device_name(DeviceRef::Element(l.item.element)), "dist_m": l.dist_m})),
                    "feeder": loc.feeder.map(|f| m.feeders[f.index()].name.clone()),
                }))?;
            } else {
                match loc.customer {
                    Some(c) => {
                        let cu = &m.customers[c.item.index()];
                        println!(
                            "customer     {} {} {} ({:.0} m)",
                            cu.account_no,
                            cu.display_name,
                            cu.address.full(),
                            c.dist_m
                        );
                    }
                    None => println!("customer     none within {radius_m} m"),
                }
                match loc.transformer {
                    Some(t) => println!(
                        "transformer  {} {} ({:.0} m)",
                        m.transformers[t.item.index()].name,
                        m.transformers[t.item.index()].display_name,
                        t.dist_m
                    ),
                    None => println!("transformer  none within {radius_m} m"),
                }
                match loc.line {
                    Some(l) => println!(
                        "line         {} ({:.0} m)",
                        m.device_name(DeviceRef::Element(l.item.element)),
                        l.dist_m
                    ),
                    None => println!("line         none within {radius_m} m"),
                }
                match loc.feeder {
                    Some(f) => println!(
                        "feeder       {} {}",
                        m.feeders[f.index()].name,
                        m.feeders[f.index()].display_name
                    ),
                    None => println!("feeder       none"),
                }
            }
        }
        Command::Trace { device, open, close, limit } => {
            let mut grid = load(&cli.model)?;
            apply_switching(&mut grid, &open, &close)?;
            let d = grid.resolve(&device)?;
            let t = grid.trace(d);
            let m = &grid.model;
            let name = |d: DeviceRef| m.device_name(d).to_string();
            let report = grid.topology.report();
            if json {
                print_json(&json!({
                    "device": name(t.device),
                    "feeder": t.feeder.map(|f| m.feeders[f.index()].name.clone()),
                    "upstream": t.upstream.iter().map(|e| name(DeviceRef::Element(*e))).collect::<Vec<_>>(),
                    "upstream_switches": t.upstream_switches.iter().map(|s| m.switches[s.index()].name.clone()).collect::<Vec<_>>(),
                    "downstream_devices": t.downstream.len(),
                    "downstream_switches": t.downstream_switches.iter().map(|s| m.switches[s.index()].name.clone()).collect::<Vec<_>>(),
                    "affected_customers": t.affected_customers.iter().map(|c| m.customers[c.index()].name.clone()).collect::<Vec<_>>(),
                    "affected_count": t.affected_customers.len(),
                    "checked_loops": t.checked_loops,
                    "loops": report.loops.iter().map(|l| name(DeviceRef::Element(l.element))).collect::<Vec<_>>(),
                }))?;
            } else {
                println!("device     {}", name(t.device));
                match t.feeder {
                    Some(f) => println!(
                        "feeder     {} {}",
                        m.feeders[f.index()].name,
                        m.feeders[f.index()].display_name
                    ),
                    None => println!("feeder     none: the device is not energised"),
                }
                let up: Vec<String> = t
                    .upstream_switches
                    .iter()
                    .map(|s| m.switches[s.index()].name.clone())
                    .collect();
                println!(
                    "upstream   {} elements; switches from the source: {}",
                    t.upstream.len(),
                    if up.is_empty() { "-".into() } else { up.join(" → ") }
                );
                let down: Vec<String> = t
                    .downstream_switches
                    .iter()
                    .map(|s| m.switches[s.index()].name.clone())
                    .collect();
                println!(
                    "downstream {} elements, {} switches{}",
                    t.downstream.len(),
                    down.len(),
                    if down.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ": {}",
                            down.iter().take(limit).cloned().collect::<Vec<_>>().join(", ")
                        )
                    }
                );
                println!(
                    "if opened  {} customers lose supply{}",
                    t.affected_customers.len(),
                    if t.checked_loops { " (checked around a closed loop)" } else { "" }
                );
                for c in t.affected_customers.iter().take(limit) {
                    let cu = &m.customers[c.index()];
                    println!("  {}  {}  {}", cu.name, cu.account_no, cu.address.full());
                }
                if t.affected_customers.len() > limit {
                    println!(
                        "  … {} more (--limit, or --json for all)",
                        t.affected_customers.len() - limit
                    );
                }
                for l in &report.loops {
                    let ties: Vec<&str> =
                        l.closed_ties.iter().map(|s| m.switches[s.index()].name.as_str()).collect();
                    println!(
                        "warning: a loop is closed (met at {}; closed ties: {})",
                        name(DeviceRef::Element(l.element)),
                        if ties.is_empty() { "-".into() } else { ties.join(", ") }
                    );
                }
            }
        }
        Command::Find { query, limit } => {
            let grid = load(&cli.model)?;
            let found = grid.find(&query, limit);
            let m = &grid.model;
            let rows: Vec<serde_json::Value> = found
                .iter()
                .map(|f| {
                    let c = &m.customers[f.customer.index()];
                    let card = grid.customer_card(f.customer);
                    json!({
                        "account_no": c.account_no, "name": c.display_name, "phones": c.phones,
                        "address": c.address.full(), "score": f.score, "matched_by": format!("{:?}", f.matched_by),
                        "feeder": card.as_ref().and_then(|k| k.feeder).map(|f| m.feeders[f.index()].name.clone()),
                        "transformer": card.as_ref().and_then(|k| k.transformer).map(|t| m.transformers[t.index()].name.clone()),
                    })
                })
                .collect();
            if json {
                print_json(&json!({"query": query, "matches": rows}))?;
            } else if rows.is_empty() {
                println!("no customer matches `{query}`");
                return Ok(ExitCode::from(3));
            } else {
                for r in &rows {
                    println!(
                        "{:.2}  {}  {}  {}  {}  feeder {}  transformer {}",
                        r["score"].as_f64().unwrap_or(0.0),
                        r["account_no"].as_str().unwrap_or(""),
                        r["name"].as_str().unwrap_or(""),
                        r["phones"]
                            .as_array()
                            .and_then(|p| p.first())
                            .and_then(|p| p.as_str())
                            .unwrap_or("-"),
                        r["address"].as_str().unwrap_or(""),
                        r["feeder"].as_str().unwrap_or("-"),
                        r["transformer"].as_str().unwrap_or("-"),
                    );
                }
            }
        }
        Command::Export { format: ExportFormat::Geojson { out } } => {
            let grid = load(&cli.model)?;
            let counts = gridcare::export::write_geojson(&grid, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            if json {
                print_json(
                    &json!({"out": out, "layers": counts.iter().map(|(n, c)| json!({"layer": n, "features": c})).collect::<Vec<_>>()}),
                )?;
            } else {
                for (n, c) in counts {
                    println!("{}  {c} features", out.join(format!("{n}.geojson")).display());
                }
            }
        }
        Command::GenCity { customers, seed, out } => {
            if customers == 0 {
                bail!("--customers must be at least 1");
            }
            let params = gridcare::citygen::CityParams { customers, seed };
            let t = std::time::Instant::now();
            gridcare::citygen::write_city(&params, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            if json {
                print_json(
                    &json!({"out": out, "customers": customers, "seed": seed, "seconds": t.elapsed().as_secs_f64()}),
                )?;
            } else {
                println!(
                    "wrote a city of {customers} customers (seed {seed}) to {} in {:.1} s",
                    out.display(),
                    t.elapsed().as_secs_f64()
                );
            }
        }
        Command::Bench { queries: Some(file), .. } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let q: PeerQueries = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a queries file", file.display()))?;
            let grid = load(&cli.model)?;
            let devices =
                q.devices.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
            let points: Vec<LonLat> = q.points.iter().map(|p| LonLat::new(p[0], p[1])).collect();
            let figures = gridcare::bench::peer_figures(&grid, &devices, &points);
            print_json(&json!({"figures": figures}))?;
        }
        Command::Bench { customers, seed, queries: None } => {
            let mut figures = Vec::new();
            if cli.model.is_none() {
                figures.extend(gridcare::bench::embedded_load_figures(5)?);
            }
            let grid = std::sync::Arc::new(load(&cli.model)?);
            let label = grid.model.name.clone();
            for f in gridcare::bench::grid_figures(&grid, seed) {
                figures.push(gridcare::bench::Figure { what: format!("{label}: {}", f.what), ..f });
            }
            let scratch =
                std::env::temp_dir().join(format!("gridcare-bench-{}", std::process::id()));
            for f in gridcare::bench::repair_figures(&grid, &scratch, 400, seed)? {
                figures.push(gridcare::bench::Figure { what: format!("{label}: {}", f.what), ..f });
            }
            for f in gridcare::bench::planning_figures(&grid, &scratch)? {
                figures.push(gridcare::bench::Figure { what: format!("{label}: {}", f.what), ..f });
            }
            let lexicon = gridcare::channels::sensitive::Lexicon::embedded()?;
            figures
                .extend(gridcare::channels::sensitive::screening_figures(&lexicon, 100_000, seed));
            #[cfg(all(feature = "serve", feature = "remote"))]
            {
                // workstations on a server: start, an operation, a change seen elsewhere
                for f in gridcare::server::replica_figures(grid.clone(), &scratch, 2_000, 30)? {
                    figures.push(gridcare::bench::Figure {
                        what: format!("{label}: {}", f.what),
                        ..f
                    });
                }
            }
            if cli.model.is_none() {
                // the KPIs of a simulated year of the demo city
                for f in gridcare::sim::history_figures(&grid, &scratch, seed, 5)? {
                    figures.push(gridcare::bench::Figure {
                        what: format!("{label}: {}", f.what),
                        ..f
                    });
                }
            }
            drop(grid);
            if let Some(n) = customers {
                let model = gridcare::citygen::generate_city(&gridcare::citygen::CityParams {
                    customers: n,
                    seed: gridcare::citygen::CityParams::default().seed,
                });
                let grid = Grid::from_model(model);
                for f in gridcare::bench::grid_figures(&grid, seed) {
                    figures.push(gridcare::bench::Figure {
                        what: format!("city of {n} customers: {}", f.what),
                        ..f
                    });
                }
            }
            if json {
                print_json(&json!({"figures": figures}))?;
            } else {
                println!("{:<90} {:>12} {:>8}", "measure", "median", "samples");
                for f in &figures {
                    println!(
                        "{:<90} {:>12} {:>8}",
                        f.what,
                        gridcare::bench::human_ns(f.median_ns),
                        f.samples
                    );
                }
            }
        }
        Command::Sim { what: SimKind::Storm { feeder, faults, storms, seed, last_gasp_share } } => {
            if !(0.0..=1.0).contains(&last_gasp_share) {
                bail!("--last-gasp-share {last_gasp_share}: a share from 0 to 1");
            }
            if faults == 0 {
                bail!("--faults must be at least 1");
            }
            let grid = match feeder {
                SimFeeder::Ieee8500 => gridcare::sim::ieee8500_grid().with_context(|| {
                    format!("loading {}", gridcare::sim::ieee8500_dir().display())
                })?,
                SimFeeder::Demo => load(&cli.model)?,
            };
            let params = gridcare::sim::StormParams {
                storms,
                seed,
                max_faults: faults,
                last_gasp_share,
                ..Default::default()
            };
            let report = gridcare::sim::run_storms(&grid, &params);
            if json {
                print_json(&serde_json::to_value(&report)?)?;
            } else {
                print!("{}", report.table());
            }
        }
        Command::Report(args) => {
            let grid = load(&cli.model)?;
            return report_cli::report(&grid, cli.data_dir.as_deref(), json, args);
        }
        Command::Sim { what: SimKind::History(args) } => {
            let grid = load(&cli.model)?;
            return report_cli::history(&grid, cli.data_dir.as_deref(), json, args);
        }
        Command::Plan { action } => {
            return plan_cli::run(&cli.model, cli.data_dir.as_deref(), json, action);
        }
        Command::Outbox { author, action } => {
            let author = author_or_user(author);
            return outbox_cli::run(&cli.model, cli.data_dir.as_deref(), json, &author, action);
        }
        Command::Customer { query, limit } => {
            return customer_cli::run(&cli.model, cli.data_dir.as_deref(), json, &query, limit);
        }
        Command::Alert { author, action } => {
            let author = author_or_user(author);
            return alert_cli::run(&cli.model, cli.data_dir.as_deref(), json, &author, action);
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => {
            return serve_cli::run(&cli.model, cli.data_dir.as_deref(), args);
        }
        Command::Outage { author, action } => {
            let author = author_or_user(author);
            return outage_cli::run(&cli.model, cli.data_dir.as_deref(), json, &author, action);
        }
        Command::Ticket { author, sla, action } => {
            let author = author_or_user(author);
            let grid = load(&cli.model)?;
            return ticket_cli::run(
                &grid,
                cli.data_dir.as_deref(),
                sla.as_ref(),
                json,
                &author,
                action,
            );
        }
        Command::TicketStress { writes, seed } => {
            let grid = load(&cli.model)?;
            ticket_cli::stress(&grid, cli.data_dir.as_deref(), writes, seed)?;
        }
        Command::StoreStress { writes } => {
            let dir = gridcare::store::data_dir(cli.data_dir.as_deref()).join("store");
            let store = gridcare::store::Store::open(&dir)?;
            gridcare::store::stress::run(&store, writes, &mut std::io::stdout().lock())?;
            store.close()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Inputs of `gridcare bench --queries`.
#[derive(serde::Deserialize)]
struct PeerQueries {
    #[serde(default)]
    devices: Vec<String>,
    #[serde(default)]
    points: Vec<[f64; 2]>,
}

/// Opens and closes switches named by the user, in that order.
fn apply_switching(grid: &mut Grid, open: &[String], close: &[String]) -> Result<()> {
    for (names, state) in [(open, true), (close, false)] {
        for name in names {
            match grid.resolve(name)? {
                DeviceRef::Element(ElementRef::Switch(s)) => {
                    grid.topology.set_switch(s, state);
                }
                other => bail!("`{name}` is {}, not a switch", kind_word(other)),
            }
        }
    }
    Ok(())
}

fn kind_word(d: DeviceRef) -> &'static str {
    match d {
        DeviceRef::Element(ElementRef::Line(_)) => "a line section",
        DeviceRef::Element(ElementRef::Switch(_)) => "a switch",
        DeviceRef::Element(ElementRef::Transformer(_)) => "a transformer",
        DeviceRef::Element(ElementRef::LvLine(_)) => "an LV line",
        DeviceRef::Feeder(_) => "a feeder",
        DeviceRef::Substation(_) => "a substation",
        DeviceRef::Bus(_) => "a bus",
        DeviceRef::Customer(_) => "a customer",
    }
}

fn print_counts(c: &gridcare::model::ModelCounts) {
    println!("substations                {}", c.substations);
    println!("feeders                    {}", c.feeders);
    println!("buses                      {}", c.buses);
    println!("line sections (MV)         {}", c.lines);
    println!(
        "switches                   {} ({} normally open, {} protective)",
        c.switches, c.switches_normally_open, c.protective_devices
    );
    println!(
        "transformers               {} ({} distribution)",
        c.transformers, c.distribution_transformers
    );
    println!("LV lines                   {}", c.lv_lines);
    println!("customers                  {}", c.customers);
}

/// No command: the desktop app on the model (default: the embedded demo city).
#[cfg(feature = "app")]
fn gridcare_app(cli: &Cli) -> Result<ExitCode> {
    use gridcare::app::{AppOptions, TileConfig};
    let attribution = cli.tiles_attribution.clone();
    let tiles = match (&cli.tiles, &cli.tiles_dir, &cli.mbtiles) {
        (Some(template), _, _) => Some(TileConfig::Url { template: template.clone(), attribution }),
        (_, Some(path), _) => Some(TileConfig::Dir { path: path.clone(), attribution }),
        (_, _, Some(path)) => Some(TileConfig::MbTiles { path: path.clone() }),
        _ => None,
    };
    let options = AppOptions {
        data_dir: cli.data_dir.clone(),
        wall: cli.wall,
        tiles,
        lang: None,
        server: server_options(cli)?,
    };
    gridcare::app::run(source(&cli.model), options)
        .map_err(|e| anyhow::anyhow!("the desktop window could not run: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// `--server URL` with its token (`--token`, else `GRIDCARE_TOKEN`), checked before the window
/// opens: an address that is not an http(s) server's, or no token, is an error here.
#[cfg(feature = "app")]
fn server_options(cli: &Cli) -> Result<Option<gridcare::app::ServerOptions>> {
    let Some(url) = &cli.server else { return Ok(None) };
    let token = server_token(cli.token.clone(), url)?;
    gridcare::remote::RemoteClient::new(url, &token)
        .map_err(|e| anyhow::anyhow!("--server: {e}"))?;
    Ok(Some(gridcare::app::ServerOptions { url: url.clone(), token }))
}

/// The operator token for `--server url`: `--token`, else `GRIDCARE_TOKEN`.
#[cfg(feature = "remote")]
fn server_token(flag: Option<String>, url: &str) -> Result<String> {
    let token =
        flag.or_else(|| std::env::var("GRIDCARE_TOKEN").ok()).filter(|t| !t.trim().is_empty());
    let Some(token) = token else {
        bail!(
            "--server {url} needs an operator token: --token TOKEN, or the environment variable \
             GRIDCARE_TOKEN (make one on the server with `gridcare serve token add --channel operator`)"
        );
    };
    Ok(token)
}

/// No command, in a build without the `app` feature: say so.
#[cfg(not(feature = "app"))]
fn gridcare_app(cli: &Cli) -> Result<ExitCode> {
    if cli.server.is_some() {
        bail!("--server needs the desktop app, and this build has none (feature `app`)");
    }
    let grid = load(&cli.model)?;
    let c = grid.model.counts();
    println!(
        "gridcare: loaded {} ({} feeders, {} customers). This build has no desktop app (feature `app`); try `gridcare --help`.",
        grid.model.name, c.feeders, c.customers
    );
    Ok(ExitCode::SUCCESS)
}
