//! `gridcare ticket …`: repair tickets and crews in the store of `--data-dir`, through the
//! same `RepairDesk` the app uses.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gridcare::model::LonLat;
use gridcare::outage::{OutageBook, PredictParams, ProtectionIndex};
use gridcare::store::format_time;
use gridcare::workorder::{
    parse_avl, sla_clocks, Caller, Channel, ClockState, CrewId, Disposition, FaultLevel,
    MasterInfo, RepairCall, RepairDesk, SlaPolicy, Ticket, TicketId, TicketStep,
};

/// What `gridcare ticket` does.
#[derive(Subcommand)]
pub enum TicketCommand {
    /// Take a repair call (智能报修): locate it, merge it or dispatch it to the owning unit.
    New {
        /// The caller's account number (户号) or phone.
        #[arg(long, group = "who")]
        caller: Option<String>,
        /// The caller's address, as said.
        #[arg(long, group = "who")]
        address: Option<String>,
        /// A map pin `LON,LAT`.
        #[arg(long, group = "who", value_name = "LON,LAT")]
        pin: Option<String>,
        /// A device reported by a crew or SCADA.
        #[arg(long, group = "who")]
        device: Option<String>,
        /// What the caller said.
        #[arg(long, default_value = "")]
        text: String,
        /// phone, wechat, app, web, sms, internal.
        #[arg(long, default_value = "phone")]
        channel: String,
        /// Send the best free crew at once.
        #[arg(long)]
        send: bool,
    },
    /// The work queue (masters in flight, soonest deadline first); --all: every ticket.
    List {
        /// Every ticket.
        #[arg(long)]
        all: bool,
    },
    /// One ticket with its SLA clocks and history.
    Show {
        /// The ticket number.
        id: u64,
    },
    /// Send a crew (the best free one of the unit, or --crew N).
    Send {
        /// The ticket number.
        id: u64,
        /// A crew number.
        #[arg(long)]
        crew: Option<u64>,
    },
    /// Record a step: on-site, restored, closed, cancel, or callback (--satisfied).
    Step {
        /// The ticket number.
        id: u64,
        /// on-site | diagnosed | restored | closed | callback | cancel.
        step: String,
        /// Why / what the crew says.
        #[arg(long, default_value = "")]
        reason: String,
        /// For diagnosed: the fault type.
        #[arg(long, default_value = "")]
        fault_type: String,
        /// For diagnosed: the cause.
        #[arg(long, default_value = "")]
        cause: String,
        /// For diagnosed: `10kv` when the fault is on the feeder.
        #[arg(long)]
        mv: bool,
        /// For callback: the customer is satisfied.
        #[arg(long)]
        satisfied: bool,
    },
    /// The crews; registers the default three per unit when the store has none.
    Crews,
    /// Read crew positions from an AVL feed (a URL, or a file) and record the crews that
    /// moved; with --every, read it again every SECONDS, --count times.
    Avl {
        /// The feed's URL (http:// or https://).
        #[arg(long, group = "feed")]
        url: Option<String>,
        /// A feed document on disk.
        #[arg(long, group = "feed")]
        file: Option<PathBuf>,
        /// Seconds between reads.
        #[arg(long, default_value_t = 0)]
        every: u64,
        /// How many reads (with --every).
        #[arg(long, default_value_t = 1)]
        count: u64,
    },
    /// Outages predicted from the calls in flight that no outage explains (故障研判), and from
    /// the smart meters' last gasps of the last two hours: the protective device, its callers
    /// and tickets, the meters that gasped, the customers it cuts, the confidence.
    Predict,
    /// Record smart-meter events (AMI: last gasp 停电事件, power restore 复电事件) from a JSON
    /// file — a list of `{"account", "event": "last_gasp"|"power_restore", "time"}` — then
    /// predict as `predict` does.
    Meters {
        /// The file.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Confirm a fault outage at a device (the predicted one, or another: a move) and link
    /// the calls it explains: one master keeps its crew, the others are merged into it.
    Confirm {
        /// The device (`fuse.zm01-f03`, `transformer.zm01-t0001`, `switch.…`).
        device: String,
        /// Only these tickets (default: every open call the device cuts).
        #[arg(long, value_delimiter = ',')]
        tickets: Vec<u64>,
        /// Why (what is known).
        #[arg(long, default_value = "故障研判确认")]
        reason: String,
    },
}

fn policy(sla: Option<&PathBuf>) -> Result<SlaPolicy> {
    Ok(match sla {
        Some(p) => SlaPolicy::load(p)?,
        None => SlaPolicy::default(),
    })
}

fn clock_text(s: ClockState) -> String {
    match s {
        ClockState::Waiting => "waiting".into(),
        ClockState::Running { left_s } => format!("running, {} min left", left_s / 60),
        ClockState::Overdue { over_s } => format!("BREACHED, {} min over", over_s / 60),
        ClockState::Met { took_s } => format!("met in {} min", took_s / 60),
        ClockState::Late { took_s, over_s } => {
            format!("BREACHED: took {} min, {} min late", took_s / 60, over_s / 60)
        }
    }
}

/// Fetches an AVL feed (the `avl` feature: reqwest).
#[cfg(feature = "avl")]
fn read_feed(url: &str) -> Result<String> {
    Ok(gridcare::workorder::fetch_avl(url, std::time::Duration::from_secs(10))?)
}

/// Without the `avl` feature there is no HTTP client.
#[cfg(not(feature = "avl"))]
fn read_feed(url: &str) -> Result<String> {
    bail!("{url}: this gridcare was built without the `avl` feature; use --file")
}

/// What the operator tells a merged or explained caller.
fn master_text(m: &MasterInfo) -> String {
    let found = [m.fault_type.as_str(), m.cause.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "{}{}: dispatched {}, crew {}, ETA {}, arrived {}, ETR {}{}",
        m.master.map_or(String::new(), |x| format!("master ticket {x}")),
        m.outage.map_or(String::new(), |o| format!(" outage {o}")),
        m.dispatched_s.map_or("-".into(), format_time),
        m.crew.as_deref().unwrap_or("-"),
        m.eta_s.map_or("-".into(), format_time),
        m.arrived_s.map_or("-".into(), format_time),
        m.etr_s.map_or("-".into(), format_time),
        if found.is_empty() { String::new() } else { format!(", found: {found}") }
    )
}

fn line(t: &Ticket) -> String {
    format!(
        "{:>4}  {:<13}  {}  {}  {}  {}",
        t.id.0,
        t.status.as_str(),
        format_time(t.times.created_s),
        t.site.account.as_deref().unwrap_or("-"),
        t.site.feeder.as_deref().unwrap_or("-"),
        t.site.unit
    )
}

/// Runs one `ticket` command.
pub fn run(
    grid: &gridcare::grid::Grid,
    data_dir: Option<&Path>,
    sla: Option<&PathBuf>,
    json: bool,
    author: &str,
    action: TicketCommand,
) -> Result<ExitCode> {
    let data = gridcare::store::data_dir(data_dir);
    let store = gridcare::open_store(&data).with_context(|| {
        format!("opening the store in {}", data.join(gridcare::STORE_DIR).display())
    })?;
    let store = Arc::new(store);
    let mut outages = OutageBook::open(store.clone(), grid)?;
    let mut desk = RepairDesk::open(store, policy(sla)?)?;
    let now = desk.now_s();
    let print = |v: serde_json::Value| -> Result<()> {
        println!("{}", serde_json::to_string_pretty(&v)?);
        Ok(())
    };
    match action {
        TicketCommand::New { caller, address, pin, device, text, channel, send } => {
            let who = match (caller, address, pin, device) {
                (Some(c), ..) => Caller::Number(c),
                (_, Some(a), ..) => Caller::Address(a),
                (_, _, Some(p), _) => {
                    let (lon, lat) = p
                        .split_once(',')
                        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                        .with_context(|| format!("--pin `{p}` is not LON,LAT"))?;
                    Caller::Pin(LonLat::new(lon, lat))
                }
                (_, _, _, Some(d)) => Caller::Device(d),
                _ => bail!("say who calls: --caller, --address, --pin or --device"),
            };
            let Some(channel) = Channel::parse(&channel) else {
                bail!("--channel `{channel}`: one of phone, wechat, app, web, sms, internal");
            };
            let call = RepairCall {
                caller: who,
                phone: None,
                channel,
                description: text,
                author: author.to_string(),
            };
            let out = desk.take_call(grid, &outages, call)?;
            let id = out.ticket.id;
            // What the meters of the caller's transformer say (last two hours): the
            // customer's own side, or the grid.
            let verdict = match desk.caller_of(grid, id) {
                Some(c) => {
                    let since = desk.now_s() - 2 * 3600;
                    let events =
                        gridcare::outage::meter::meter_events_since(grid, desk.store(), since)?;
                    let board = gridcare::outage::meter::MeterBoard::from_events(&events);
                    Some(gridcare::outage::meter::caller_verdict(grid, &board, c))
                }
                None => None,
            };
            let dispatched = out.decision.disposition == Disposition::Dispatch;
            let sent =
                if send && dispatched { Some(desk.send_crew(id, None, author)?) } else { None };
            if json {
                print(
                    serde_json::json!({ "outcome": out, "meters": verdict, "sent": sent.map(|(t, c)| serde_json::json!({"ticket": t, "crew": c})) }),
                )?;
            } else {
                println!("ticket {}  {}", id, out.ticket.status.as_str());
                println!("  {}", out.decision.why);
                let s = &out.ticket.site;
                println!("  {} {} {}", s.name, s.phone, s.address);
                println!(
                    "  feeder {} {}  transformer {}  → {}",
                    s.feeder.as_deref().unwrap_or("-"),
                    s.feeder_name,
                    s.transformer.as_deref().unwrap_or("-"),
                    s.unit
                );
                if let Some(m) = &out.master {
                    println!("  {}", master_text(m));
                }
                use gridcare::outage::meter::CallerVerdict;
                match verdict {
                    Some(CallerVerdict::CustomerSide { own_meter_on, neighbours_on }) => println!(
                        "  meters: customer-side fault (单户故障) — {}{} neighbour(s) on the transformer have supply",
                        if own_meter_on { "the caller's own meter has supply; " } else { "" },
                        neighbours_on
                    ),
                    Some(CallerVerdict::GridFault { neighbours_off }) => println!(
                        "  meters: grid fault — {neighbours_off} neighbour(s) on the transformer lost supply too"
                    ),
                    _ => {}
                }
                if let Some((t, c)) = sent {
                    println!(
                        "  sent {} (crew {}), ETA {}",
                        c.spec.name,
                        c.id,
                        t.eta_s.map_or("-".into(), format_time)
                    );
                }
            }
        }
        TicketCommand::List { all } => {
            let list: Vec<&Ticket> = if all { desk.tickets().collect() } else { desk.queue() };
            if json {
                print(serde_json::to_value(&list)?)?;
            } else {
                for t in list {
                    let breached = gridcare::workorder::is_breached(t, desk.policy(), now);
                    println!("{}{}", line(t), if breached { "  SLA BREACHED" } else { "" });
                }
            }
        }
        TicketCommand::Show { id } => {
            let t = desk.ticket(TicketId(id))?;
            let clocks = sla_clocks(t, desk.policy(), now);
            let history = desk.history(TicketId(id))?;
            let master =
                (t.disposition != Disposition::Dispatch).then(|| desk.master_info(t, &outages));
            if json {
                print(
                    serde_json::json!({"ticket": t, "clocks": clocks, "history": history, "master": master}),
                )?;
            } else {
                println!("{}", line(t));
                println!("  {}", t.description);
                if let Some(m) = &master {
                    println!("  {}", master_text(m));
                }
                for c in clocks {
                    println!("  SLA {:<9} {}", c.step.as_str(), clock_text(c.state));
                }
                for e in history {
                    println!(
                        "  #{} {} {} {}: {}",
                        e.seq,
                        format_time(e.time_s),
                        e.author,
                        e.event.word(),
                        e.reason
                    );
                }
            }
        }
        TicketCommand::Send { id, crew } => {
            let (t, c) = desk.send_crew(TicketId(id), crew.map(CrewId), author)?;
            if json {
                print(serde_json::json!({"ticket": t, "crew": c}))?;
            } else {
                let eta = t.eta_s.map_or("-".into(), format_time);
                println!("ticket {}: {} (crew {}) en route, ETA {eta}", t.id, c.spec.name, c.id);
            }
        }
        TicketCommand::Step { id, step, reason, fault_type, cause, mv, satisfied } => {
            let s = match step.as_str() {
                "on-site" | "onsite" => TicketStep::OnSite,
                "diagnosed" => TicketStep::Diagnosed {
                    fault_type,
                    cause,
                    level: if mv { FaultLevel::MediumVoltage } else { FaultLevel::LowVoltage },
                    etr_s: None,
                },
                "restored" => TicketStep::Restored,
                "closed" => TicketStep::Closed,
                "callback" => TicketStep::Callback { satisfied, note: reason.clone() },
                "cancel" => TicketStep::Cancel,
                other => bail!(
                    "step `{other}`: one of on-site, diagnosed, restored, closed, callback, cancel"
                ),
            };
            let reason = if reason.trim().is_empty() { step.clone() } else { reason };
            let t = desk.step(TicketId(id), s, author, &reason)?;
            if json {
                print(serde_json::to_value(&t)?)?;
            } else if t.fault_type.is_empty() {
                println!("ticket {}: {}", t.id, t.status.as_str());
            } else {
                println!("ticket {}: {} ({}; {})", t.id, t.status.as_str(), t.fault_type, t.cause);
            }
        }
        TicketCommand::Avl { url, file, every, count } => {
            for round in 0..count.max(1) {
                if round > 0 {
                    std::thread::sleep(std::time::Duration::from_secs(every));
                }
                let (name, text) = match (&url, &file) {
                    (Some(u), _) => (u.clone(), read_feed(u)?),
                    (_, Some(f)) => (
                        f.display().to_string(),
                        std::fs::read_to_string(f)
                            .with_context(|| format!("reading {}", f.display()))?,
                    ),
                    _ => bail!("say where the feed is: --url or --file"),
                };
                let fixes = parse_avl(&name, &text)?;
                let report = desk.apply_avl(&fixes, "avl")?;
                if json {
                    print(serde_json::to_value(&report)?)?;
                } else {
                    let unknown: Vec<String> = report
                        .unknown
                        .iter()
                        .map(|c| serde_json::to_string(c).unwrap_or_default())
                        .collect();
                    println!(
                        "{}: {} fixes, {} crews moved, {} unchanged, {} unknown{}",
                        name,
                        report.fixes,
                        report.moved.len(),
                        report.unchanged,
                        report.unknown.len(),
                        if unknown.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", unknown.join(", "))
                        }
                    );
                }
            }
        }
        TicketCommand::Predict => {
            predict(grid, &desk, json)?;
        }
        TicketCommand::Meters { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let records = parse_meter_file(&text).with_context(|| file.display().to_string())?;
            let n = records.len();
            gridcare::outage::meter::record_meter_events(grid, desk.store(), records, author)
                .with_context(|| file.display().to_string())?;
            if !json {
                println!("{n} meter event(s) recorded");
            }
            predict(grid, &desk, json)?;
        }
        TicketCommand::Confirm { device, tickets, reason } => {
            let ids: Vec<TicketId> = tickets.into_iter().map(TicketId).collect();
            let c = desk.confirm_outage(grid, &mut outages, &device, &ids, author, &reason)?;
            if json {
                print(serde_json::to_value(&c)?)?;
            } else {
                println!(
                    "outage {} at {}: {} customers out",
                    c.outage.id,
                    device,
                    c.outage.impact.customers()
                );
                if let Some(m) = c.master {
                    println!("  master ticket {m}");
                }
                let list =
                    |v: &[TicketId]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(",");
                if !c.merged.is_empty() {
                    println!("  merged into it (crews released): {}", list(&c.merged));
                }
                if !c.outside.is_empty() {
                    println!(
                        "  not supplied through {device}, left as they were: {}",
                        list(&c.outside)
                    );
                }
            }
        }
        TicketCommand::Crews => {
            desk.ensure_crews(grid, author)?;
            let crews: Vec<_> = desk.crews().cloned().collect();
            if json {
                print(serde_json::to_value(&crews)?)?;
            } else {
                for c in crews {
                    println!(
                        "{:>3}  {:<14}  {:<9}  {}  ticket {}",
                        c.id.0,
                        c.spec.name,
                        c.status.as_str(),
                        c.spec.unit,
                        c.ticket.map_or("-".into(), |t| t.to_string())
                    );
                }
            }
        }
    }
    outages.close()?;
    Ok(ExitCode::SUCCESS)
}

/// `gridcare ticket-stress`: the crash test's workload on the store of `--data-dir`.
pub fn stress(
    grid: &gridcare::grid::Grid,
    data_dir: Option<&Path>,
    writes: u64,
    seed: u64,
) -> Result<()> {
    let data = gridcare::store::data_dir(data_dir);
    let store = Arc::new(gridcare::open_store(&data)?);
    let outages = OutageBook::open(store.clone(), grid)?;
    let mut desk = RepairDesk::open(store, SlaPolicy::default())?;
    desk.ensure_crews(grid, "stress")?;
    // The kill moments are spread over the writes, not the model's loading.
    println!("ready {}", desk.recovered());
    let mut out = std::io::stdout().lock();
    gridcare::workorder::stress::run(grid, &outages, &mut desk, writes, seed, &mut out)?;
    drop(desk);
    outages.close()?;
    Ok(())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MeterLine {
    account: String,
    event: gridcare::outage::MeterEventKind,
    time: String,
}

/// `[{"account", "event", "time"}]` → records; a bad line is named by its place.
fn parse_meter_file(text: &str) -> Result<Vec<gridcare::outage::meter::MeterRecord>> {
    let lines: Vec<MeterLine> = serde_json::from_str(text)?;
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let at_s = gridcare::store::parse_time(&l.time)
                .with_context(|| format!("meter event {i}: time `{}`", l.time))?;
            Ok(gridcare::outage::meter::MeterRecord { account: l.account, kind: l.event, at_s })
        })
        .collect()
}

/// The outages predicted from the open calls and the last two hours of meter events.
fn predict(grid: &gridcare::grid::Grid, desk: &RepairDesk, json: bool) -> Result<()> {
    let index = ProtectionIndex::build(grid);
    let since = desk.now_s() - 2 * 3600;
    let meters = gridcare::outage::meter::meter_events_since(grid, desk.store(), since)?;
    let predicted =
        desk.predicted_outages_with_meters(grid, &index, &PredictParams::default(), &meters);
    if json {
        println!("{}", serde_json::to_string_pretty(&predicted)?);
        return Ok(());
    }
    if predicted.is_empty() {
        println!("no outage predicted: no two open calls or meters point to one device");
    }
    for p in &predicted {
        let tickets: Vec<String> = p.tickets.iter().map(|t| t.to_string()).collect();
        println!(
            "{:<28} {:<14} {} callers, {} meters gasped, {} customers out, confidence {:.0} %, \
             first report {}; tickets {}",
            p.device,
            p.prediction.kind.as_str(),
            p.prediction.callers,
            p.prediction.last_gasps,
            p.prediction.customers_out,
            p.prediction.confidence * 100.0,
            format_time(p.prediction.first_call_s as i64),
            if tickets.is_empty() { "none yet".to_string() } else { tickets.join(",") }
        );
    }
    Ok(())
}
