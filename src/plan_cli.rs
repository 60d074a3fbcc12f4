//! `gridcare plan …`: appointment-outage planning (预约停电, 先算后停) from the terminal:
//! isolate a drawn polygon, the impact of opening devices, the appointment customers a rule
//! preset picks, and the best window.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gridcare::grid::Grid;
use gridcare::model::{CustomerId, SwitchId};
use gridcare::outage::{affected_by_opening, OutageBook};
use gridcare::planning::{
    apply_rules, back_feed, choose_window, generate_windows, impact_of_customers, isolate_polygon,
    other_outages, parse_polygon, Answer, CandidateWindow, PresetFile, ScenarioArea,
    WindowQuestion,
};
use gridcare::store::{format_time, parse_time};
use serde_json::{json, Value};

use crate::{load, print_json};

mod scenario;

/// What `gridcare plan` does. Times: `2026-12-08T08:00` (Beijing time) or RFC 3339.
#[derive(Subcommand)]
pub enum PlanCommand {
    /// The switches that isolate a polygon, who loses supply, and what each tie can back-feed.
    Isolate {
        /// The area: `lon,lat;lon,lat;lon,lat;…` (WGS84 degrees, at least 3 corners).
        #[arg(long)]
        polygon: String,
    },
    /// Who loses supply when devices open together: counts by label, customer-hours.
    Impact {
        /// A device to open (repeat for several).
        #[arg(long = "device", value_name = "DEVICE", required = true)]
        devices: Vec<String>,
        /// Start of the window.
        #[arg(long)]
        start: String,
        /// End of the window.
        #[arg(long)]
        end: String,
    },
    /// The appointment customers a rule preset picks among those affected.
    Filter {
        /// The preset (see resources/planning/presets.json).
        #[arg(long)]
        preset: String,
        /// A device to open (repeat for several); or --polygon.
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// The area to isolate, instead of devices.
        #[arg(long, conflicts_with = "devices")]
        polygon: Option<String>,
        /// A presets file instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        presets: Option<PathBuf>,
    },
    /// Ranks candidate windows and explains the choice.
    Windows {
        /// A device to open (repeat for several); or --polygon.
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// The area to isolate, instead of devices.
        #[arg(long, conflicts_with = "devices")]
        polygon: Option<String>,
        /// A candidate: `NAME=START/END` or `NAME=START/END@CREWS` (repeat).
        #[arg(long = "window", value_name = "NAME=START/END[@CREWS]")]
        windows: Vec<String>,
        /// Or generate windows: one a day from this day…
        #[arg(long, conflicts_with = "windows")]
        from: Option<String>,
        /// …for this many days…
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// …starting at this hour (Beijing time)…
        #[arg(long, default_value_t = 8)]
        hour: u32,
        /// …lasting this many hours…
        #[arg(long, default_value_t = 4)]
        hours: u32,
        /// …with this many crews free.
        #[arg(long, default_value_t = 1)]
        crews: u32,
        /// Crews the work needs.
        #[arg(long, default_value_t = 1)]
        crews_needed: u32,
        /// Customers' answers: a JSON list of `{"account", "prefer": [..], "object": [..], "reason"}`.
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// A presets file (weights) instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        presets: Option<PathBuf>,
    },
    /// Scenarios kept in the store of --data-dir: draw, edit, reopen, history.
    Scenario {
        /// Who makes the change (default: $USER, else `operator`).
        #[arg(long, global = true)]
        author: Option<String>,
        /// Why (recorded with the change).
        #[arg(long, global = true, default_value = "")]
        reason: String,
        #[command(subcommand)]
        action: scenario::ScenarioCommand,
    },
}

pub(crate) fn time(text: &str, flag: &str) -> Result<i64> {
    parse_time(text).with_context(|| format!("--{flag}"))
}

pub(crate) fn switch_names(grid: &Grid, s: &[SwitchId]) -> Vec<String> {
    s.iter().map(|s| grid.model.switches[s.index()].name.clone()).collect()
}

pub(crate) fn accounts(grid: &Grid, c: &[CustomerId]) -> Vec<String> {
    c.iter().map(|c| grid.model.customers[c.index()].account_no.clone()).collect()
}

pub(crate) fn presets(path: &Option<PathBuf>) -> Result<PresetFile> {
    Ok(match path {
        Some(p) => PresetFile::from_path(p)?,
        None => PresetFile::embedded()?,
    })
}

/// The customers cut by the devices or the polygon.
fn affected(grid: &Grid, devices: &[String], polygon: &Option<String>) -> Result<Vec<CustomerId>> {
    match polygon {
        Some(p) => Ok(isolate_polygon(grid, &parse_polygon(p).context("--polygon")?).affected),
        None if devices.is_empty() => bail!("name the work: --device DEVICE (repeat) or --polygon"),
        None => {
            let d = devices.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
            Ok(affected_by_opening(grid, &d))
        }
    }
}

/// Runs a `gridcare plan` command.
pub fn run(
    model: &Option<PathBuf>,
    data_dir: Option<&Path>,
    json_out: bool,
    action: PlanCommand,
) -> Result<ExitCode> {
    let grid = load(model)?;
    match action {
        PlanCommand::Isolate { polygon } => isolate(&grid, &polygon, json_out),
        PlanCommand::Scenario { author, reason, action } => {
            let author = crate::author_or_user(author);
            scenario::run(&grid, data_dir, json_out, &author, &reason, action)
        }
        PlanCommand::Impact { devices, start, end } => {
            let (start_s, end_s) = (time(&start, "start")?, time(&end, "end")?);
            if end_s <= start_s {
                bail!("--end {end} is not after --start {start}");
            }
            let customers = affected(&grid, &devices, &None)?;
            let im = impact_of_customers(&grid, customers, start_s, end_s);
            if json_out {
                print_json(&json!({
                    "customers": im.customers.len(),
                    "accounts": accounts(&grid, &im.customers),
                    "by_label": im.by_label,
                    "kw": im.kw,
                    "feeders": im.feeders.iter().map(|f| grid.model.feeders[f.index()].name.clone()).collect::<Vec<_>>(),
                    "duration_h": im.duration_h,
                    "customer_hours": im.customer_hours,
                }))?;
            } else {
                println!(
                    "{} customers without supply {} – {} ({:.1} h): {:.1} customer-hours, {:.0} kW",
                    im.customers.len(),
                    format_time(start_s),
                    format_time(end_s),
                    im.duration_h,
                    im.customer_hours,
                    im.kw
                );
                let labels: Vec<String> =
                    im.by_label.iter().map(|(l, n)| format!("{l} {n}")).collect();
                println!("by label: {}", labels.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        PlanCommand::Filter { preset, devices, polygon, presets: file } => {
            let pf = presets(&file)?;
            let preset = pf.preset(&preset)?;
            let affected = affected(&grid, &devices, &polygon)?;
            let picked = apply_rules(&grid, &affected, &preset.rules)?;
            let rows: Vec<Value> = picked
                .iter()
                .map(|c| {
                    let cu = &grid.model.customers[c.index()];
                    json!({"account": cu.account_no, "name": cu.display_name,
                           "labels": cu.labels.to_words(), "kw": cu.kw})
                })
                .collect();
            if json_out {
                print_json(&json!({"preset": preset.name, "affected": affected.len(),
                                   "selected": rows}))?;
            } else {
                println!(
                    "preset `{}` ({}): {} of {} affected customers",
                    preset.name,
                    preset.description,
                    picked.len(),
                    affected.len()
                );
                for r in &rows {
                    println!(
                        "  {}  {:<24} {:>8.1} kW  {}",
                        r["account"].as_str().unwrap_or(""),
                        r["name"].as_str().unwrap_or(""),
                        r["kw"].as_f64().unwrap_or(0.0),
                        r["labels"].as_str().unwrap_or("")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PlanCommand::Windows {
            devices,
            polygon,
            windows,
            from,
            days,
            hour,
            hours,
            crews,
            crews_needed,
            answers,
            presets: file,
        } => {
            let pf = presets(&file)?;
            let affected = affected(&grid, &devices, &polygon)?;
            let im = impact_of_customers(&grid, affected, 0, 0);
            let candidates = match from {
                Some(f) => generate_windows(time(&f, "from")?, days, hour, hours, crews),
                None => windows.iter().map(|w| parse_window(w, crews)).collect::<Result<_>>()?,
            };
            if candidates.is_empty() {
                bail!("give candidate windows: --window NAME=START/END (repeat) or --from DAY");
            }
            let answers = match answers {
                Some(p) => read_answers(&grid, &p)?,
                None => Vec::new(),
            };
            let others = conflicts(&grid, data_dir)?;
            let q = WindowQuestion {
                affected: &im.customers,
                feeders: &im.feeders,
                windows: &candidates,
                answers: &answers,
                others: &others,
                crews_needed,
                weights: &pf.weights,
            };
            let r = choose_window(&grid, &q)?;
            if json_out {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                println!("{} customers affected; {} answers", im.customers.len(), answers.len());
                print_ranking(&r);
            }
            Ok(if r.chosen.is_some() { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
    }
}

/// The ranking table and the sentence that explains it.
pub(crate) fn print_ranking(r: &gridcare::planning::Ranking) {
    println!(
        "{:>4}  {:<18} {:<33} {:>9} {:>9} {:>6} {:>6} {:>9} {:>5} {:>9}",
        "rank",
        "window",
        "time",
        "cust-h",
        "weighted",
        "object",
        "prefer",
        "conflicts",
        "crews",
        "score"
    );
    for w in &r.rows {
        println!(
            "{:>4}  {:<18} {:<33} {:>9.1} {:>9.1} {:>6} {:>6} {:>9} {:>5} {:>9.1}",
            w.rank,
            w.name,
            format!("{} – {}", format_time(w.start_s), format_time(w.end_s)),
            w.customer_hours,
            w.weighted_customer_hours,
            w.objecting.len(),
            w.preferring.len(),
            w.conflicts.len(),
            format!("{}{}", w.crews_available, if w.feasible { "" } else { "!" }),
            w.score
        );
        if !w.objecting.is_empty() {
            println!("        objecting: {}", w.objecting.join(", "));
        }
        if !w.conflicts.is_empty() {
            let ids: Vec<String> = w.conflicts.iter().map(|c| format!("#{c}")).collect();
            println!("        conflicts with planned outage {}", ids.join(", "));
        }
    }
    println!("chosen: {}", r.why);
}

fn isolate(grid: &Grid, polygon: &str, json_out: bool) -> Result<ExitCode> {
    let ring = parse_polygon(polygon).context("--polygon")?;
    let iso = isolate_polygon(grid, &ring);
    let feeds = back_feed(grid, &iso.switches, &iso.inside);
    let im = impact_of_customers(grid, iso.affected.clone(), 0, 0);
    if json_out {
        print_json(&json!({
            "switches": switch_names(grid, &iso.switches),
            "inside": iso.inside.len(),
            "affected": iso.affected.len(),
            "outside_cut": iso.outside_cut.len(),
            "not_isolatable": accounts(grid, &iso.not_isolatable),
            "already_dead": iso.already_dead.len(),
            "by_label": im.by_label,
            "accounts": accounts(grid, &iso.affected),
            "back_feed": feeds.iter().map(|b| json!({
                "tie": grid.model.switches[b.tie.index()].name,
                "from_feeder": grid.model.feeders[b.from_feeder.index()].name,
                "extra_switches": switch_names(grid, &b.extra_switches),
                "saved": b.saved.len(),
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} customers inside the polygon; open {} switch(es): {}",
        iso.inside.len(),
        iso.switches.len(),
        switch_names(grid, &iso.switches).join(", ")
    );
    println!(
        "{} customers lose supply ({} of them outside the polygon)",
        iso.affected.len(),
        iso.outside_cut.len()
    );
    let labels: Vec<String> = im.by_label.iter().map(|(l, n)| format!("{l} {n}")).collect();
    println!("by label: {}", labels.join(", "));
    if !iso.not_isolatable.is_empty() {
        println!(
            "{} inside customers have no operable switch above them but the substation's",
            iso.not_isolatable.len()
        );
    }
    if feeds.is_empty() {
        println!("no tie can back-feed part of the area");
    }
    for b in &feeds {
        let extra = if b.extra_switches.is_empty() {
            String::new()
        } else {
            format!(", opening {} too", switch_names(grid, &b.extra_switches).join(", "))
        };
        println!(
            "back-feed: close {} from {}{extra}: {} customers kept in supply",
            grid.model.switches[b.tie.index()].name,
            grid.model.feeders[b.from_feeder.index()].name,
            b.saved.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `NAME=START/END[@CREWS]`.
pub(crate) fn parse_window(text: &str, crews: u32) -> Result<CandidateWindow> {
    let (name, rest) =
        text.split_once('=').with_context(|| format!("--window `{text}`: not NAME=START/END"))?;
    let (span, crews_available) = match rest.rsplit_once('@') {
        Some((span, n)) => {
            (span, n.trim().parse().with_context(|| format!("--window `{text}`: crews `{n}`"))?)
        }
        None => (rest, crews),
    };
    let (start, end) =
        span.split_once('/').with_context(|| format!("--window `{text}`: not NAME=START/END"))?;
    let start_s = parse_time(start).with_context(|| format!("--window `{text}`: start"))?;
    let end_s = parse_time(end).with_context(|| format!("--window `{text}`: end"))?;
    if end_s <= start_s {
        bail!("--window `{text}`: the end is not after the start");
    }
    Ok(CandidateWindow { name: name.trim().to_string(), start_s, end_s, crews_available })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerLine {
    account: String,
    #[serde(default)]
    prefer: Vec<String>,
    #[serde(default)]
    object: Vec<String>,
    #[serde(default)]
    reason: String,
}

fn read_answers(grid: &Grid, path: &Path) -> Result<Vec<Answer>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let lines: Vec<AnswerLine> =
        serde_json::from_str(&text).with_context(|| path.display().to_string())?;
    let mut out = Vec::new();
    for (i, a) in lines.into_iter().enumerate() {
        let customer = match grid.resolve(&a.account) {
            Ok(gridcare::model::DeviceRef::Customer(c)) => c,
            _ => bail!(
                "{}: answer {}: no customer with account `{}`",
                path.display(),
                i + 1,
                a.account
            ),
        };
        out.push(Answer { customer, preferred: a.prefer, objections: a.object, reason: a.reason });
    }
    Ok(out)
}

/// The planned outages of the store in `--data-dir`, when there is one (none is opened or
/// created otherwise).
fn conflicts(grid: &Grid, data_dir: Option<&Path>) -> Result<Vec<gridcare::planning::OtherOutage>> {
    let data = gridcare::store::data_dir(data_dir);
    if !data.join(gridcare::STORE_DIR).is_dir() {
        return Ok(Vec::new());
    }
    let store = gridcare::open_store(&data)?;
    let book = OutageBook::open(Arc::new(store), grid)?;
    let others = other_outages(&book, grid);
    book.close()?;
    Ok(others)
}

pub(crate) fn area(devices: Vec<String>, polygon: Option<String>) -> Result<ScenarioArea> {
    match polygon {
        Some(p) => Ok(ScenarioArea::Polygon { ring: parse_polygon(&p).context("--polygon")? }),
        None if devices.is_empty() => bail!("name the work: --device DEVICE (repeat) or --polygon"),
        None => Ok(ScenarioArea::Devices { devices }),
    }
}
