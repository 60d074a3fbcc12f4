//! `gridcare plan scenario …`: scenarios kept in the store — draw, edit, offer windows,
//! consult the customers, record their answers, rank, compare, publish.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gridcare::channels::outbox::Outbox;
use gridcare::grid::Grid;
use gridcare::outage::OutageBook;
use gridcare::planning::consult::window_letter;
use gridcare::planning::{
    compare_scenarios, generate_windows, other_outages, Scenario, ScenarioArea, ScenarioBook,
    ScenarioEvent, ScenarioId,
};
use gridcare::store::format_time;
use serde_json::json;

use super::{area, parse_window, presets, print_ranking, time};
use crate::print_json;

/// What `gridcare plan scenario` does.
#[derive(Subcommand)]
pub enum ScenarioCommand {
    /// Draw a new scenario: devices to open, or a polygon to isolate.
    New {
        /// Its name.
        #[arg(long)]
        name: String,
        /// A device to open (repeat); or --polygon.
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// The area to isolate, instead of devices.
        #[arg(long, conflicts_with = "devices")]
        polygon: Option<String>,
    },
    /// Every scenario.
    List,
    /// One scenario: impact, windows, consultation, answers, history.
    Show {
        /// The scenario number.
        id: u64,
    },
    /// Other devices or another polygon.
    Area {
        /// The scenario number.
        id: u64,
        /// A device to open (repeat); or --polygon.
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// The area to isolate, instead of devices.
        #[arg(long, conflicts_with = "devices")]
        polygon: Option<String>,
    },
    /// The candidate windows offered to the customers (listed A, B, C… in the letter).
    Candidates {
        /// The scenario number.
        id: u64,
        /// A candidate: `NAME=START/END` or `NAME=START/END@CREWS` (repeat).
        #[arg(long = "window", value_name = "NAME=START/END[@CREWS]")]
        windows: Vec<String>,
        /// Or generate windows: one a day from this day…
        #[arg(long, conflicts_with = "windows")]
        from: Option<String>,
        /// …for this many days…
        #[arg(long, default_value_t = 5)]
        days: u32,
        /// …starting at this hour (Beijing time)…
        #[arg(long, default_value_t = 8)]
        hour: u32,
        /// …lasting this many hours…
        #[arg(long, default_value_t = 4)]
        hours: u32,
        /// …with this many crews free (also the default for --window without @CREWS).
        #[arg(long, default_value_t = 2)]
        crews: u32,
        /// Crews the work needs.
        #[arg(long, default_value_t = 1)]
        crews_needed: u32,
    },
    /// Consult: a letter (意见书) per WeChat-bound customer the preset picks, queued in the
    /// outbox (`gridcare outbox`); the others are listed to be phoned.
    Consult {
        /// The scenario number.
        id: u64,
        /// The rule preset (see resources/planning/presets.json).
        #[arg(long, default_value = "appointment")]
        preset: String,
        /// A presets file instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        presets: Option<PathBuf>,
    },
    /// A customer's answer, as the operator heard it.
    Answer {
        /// The scenario number.
        id: u64,
        /// The customer's account number.
        #[arg(long)]
        account: String,
        /// A window they prefer, by name (repeat).
        #[arg(long = "prefer", value_name = "WINDOW")]
        prefer: Vec<String>,
        /// A window they object to, by name (repeat).
        #[arg(long = "object", value_name = "WINDOW")]
        object: Vec<String>,
        /// What they said.
        #[arg(long, default_value = "")]
        says: String,
    },
    /// A customer's reply text (「同意A，反对B，理由：…」), as it came on a channel.
    Reply {
        /// The scenario number.
        id: u64,
        /// The customer's account number.
        #[arg(long)]
        account: String,
        /// The text.
        #[arg(long)]
        text: String,
        /// The channel it came on.
        #[arg(long, default_value = "wechat")]
        via: String,
    },
    /// The candidate windows ranked from the answers, with why.
    Rank {
        /// The scenario number.
        id: u64,
        /// A presets file (weights) instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        presets: Option<PathBuf>,
    },
    /// Scenarios side by side.
    Compare {
        /// Scenario numbers (two or more).
        #[arg(required = true, num_args = 2..)]
        ids: Vec<u64>,
        /// A presets file (weights) instead of the embedded one.
        #[arg(long, value_name = "FILE")]
        presets: Option<PathBuf>,
    },
    /// Set the window.
    Window {
        /// The scenario number.
        id: u64,
        /// Start.
        #[arg(long)]
        start: String,
        /// End.
        #[arg(long)]
        end: String,
    },
    /// Rename.
    Rename {
        /// The scenario number.
        id: u64,
        /// The new name.
        #[arg(long)]
        name: String,
    },
    /// Publish: the scenario becomes a planned outage (`gridcare outage list`) over its
    /// window, and a notice per affected customer is queued in the outbox. No more edits.
    Publish {
        /// The scenario number.
        id: u64,
    },
}

fn scenario_line(s: &Scenario) -> String {
    let what = match &s.area {
        ScenarioArea::Devices { devices } => format!("open {}", devices.join(", ")),
        ScenarioArea::Polygon { ring } => format!("isolate a polygon of {} corners", ring.len()),
    };
    let window = s.window.map_or_else(
        || "no window".to_string(),
        |(a, b)| format!("{} – {}", format_time(a), format_time(b)),
    );
    let published = match (s.published, s.outage) {
        (true, Some(o)) => format!("; published as planned outage #{o}"),
        (true, None) => "; published".to_string(),
        _ => String::new(),
    };
    format!("#{} {}: {what}; {window}{published}", s.id, s.name)
}

/// Runs a `gridcare plan scenario` command.
pub fn run(
    grid: &Grid,
    data_dir: Option<&Path>,
    json_out: bool,
    author: &str,
    reason: &str,
    action: ScenarioCommand,
) -> Result<ExitCode> {
    let data = gridcare::store::data_dir(data_dir);
    let store = Arc::new(gridcare::open_store(&data)?);
    let book = ScenarioBook::open(store.clone());
    let outbox = Outbox::open(store.clone());
    let id = |n: u64| ScenarioId(n);
    let changed = match action {
        ScenarioCommand::New { name, devices, polygon } => {
            book.create(grid, &name, area(devices, polygon)?, author, reason)?
        }
        ScenarioCommand::Area { id: n, devices, polygon } => {
            book.set_area(grid, id(n), area(devices, polygon)?, author, reason)?
        }
        ScenarioCommand::Candidates {
            id: n,
            windows,
            from,
            days,
            hour,
            hours,
            crews,
            crews_needed,
        } => {
            let candidates = match from {
                Some(f) => generate_windows(time(&f, "from")?, days, hour, hours, crews),
                None => windows.iter().map(|w| parse_window(w, crews)).collect::<Result<_>>()?,
            };
            if candidates.is_empty() {
                bail!("give candidate windows: --window NAME=START/END (repeat) or --from DAY");
            }
            book.set_candidates(id(n), candidates, crews_needed, author, reason)?
        }
        ScenarioCommand::Consult { id: n, preset, presets: file } => {
            let pf = presets(&file)?;
            let preset = pf.preset(&preset)?;
            let r = book.consult(grid, id(n), preset, &outbox, author)?;
            if json_out {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                println!(
                    "preset `{}` picks {} customer(s): {} letter(s) for WeChat ({} queued now), {} to phone",
                    preset.name,
                    r.picked.len(),
                    r.sent.len(),
                    r.queued,
                    r.unreachable.len()
                );
                if !r.unreachable.is_empty() {
                    println!("  to phone: {}", r.unreachable.join(", "));
                }
                if let Some(first) = outbox.about(&format!("scenario:{n}"))?.last() {
                    println!("letter to {}:", first.message.account);
                    for line in first.message.text.lines() {
                        println!("  | {line}");
                    }
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        ScenarioCommand::Answer { id: n, account, prefer, object, says } => {
            book.record_answer(grid, id(n), &account, prefer, object, &says, "operator", author)?
        }
        ScenarioCommand::Reply { id: n, account, text, via } => {
            book.record_reply(grid, id(n), &account, &text, &via, author)?
        }
        ScenarioCommand::Rank { id: n, presets: file } => {
            let pf = presets(&file)?;
            let outages = OutageBook::open(store.clone(), grid)?;
            let r = book.rank_windows(grid, id(n), &outages, &pf.weights)?;
            if json_out {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                print_ranking(&r);
            }
            return Ok(if r.chosen.is_some() { ExitCode::SUCCESS } else { ExitCode::from(2) });
        }
        ScenarioCommand::Compare { ids, presets: file } => {
            let pf = presets(&file)?;
            let outages = OutageBook::open(store.clone(), grid)?;
            let mut drafts = Vec::new();
            for n in ids {
                drafts.push(book.get(id(n))?.with_context(|| format!("no scenario {n}"))?);
            }
            let rows =
                compare_scenarios(grid, &drafts, &other_outages(&outages, grid), &pf.weights)?;
            if json_out {
                print_json(&serde_json::to_value(&rows)?)?;
            } else {
                println!(
                    "{:>4}  {:<24} {:>8} {:>9} {:>7} {:>9} {:>9} {:>8} {:>7}  window",
                    "#",
                    "name",
                    "affected",
                    "sensitive",
                    "life",
                    "cust-h",
                    "consulted",
                    "answered",
                    "object"
                );
                for r in &rows {
                    println!(
                        "{:>4}  {:<24} {:>8} {:>9} {:>7} {:>9.1} {:>9} {:>8} {:>7}  {}",
                        r.id.0,
                        r.name,
                        r.affected,
                        r.sensitive,
                        r.life_support,
                        r.customer_hours,
                        r.consulted,
                        r.answered,
                        r.objections,
                        r.best_window.as_deref().unwrap_or("-")
                    );
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        ScenarioCommand::Window { id: n, start, end } => {
            let event = ScenarioEvent::WindowSet {
                start_s: time(&start, "start")?,
                end_s: time(&end, "end")?,
            };
            book.change(id(n), author, reason, event)?
        }
        ScenarioCommand::Rename { id: n, name } => {
            book.change(id(n), author, reason, ScenarioEvent::Renamed { name })?
        }
        ScenarioCommand::Publish { id: n } => {
            let mut outages = OutageBook::open(store.clone(), grid)?;
            let why = if reason.trim().is_empty() { "预约停电" } else { reason };
            let p = book.publish(grid, id(n), &mut outages, &outbox, author, why)?;
            if json_out {
                print_json(&serde_json::to_value(&p)?)?;
            } else {
                println!("{}", scenario_line(&p.scenario));
                println!(
                    "planned outage #{}: {} customers; {} notice(s) queued, {} customer(s) with no channel",
                    p.outage.0, p.affected, p.notices_queued, p.unreachable
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        ScenarioCommand::List => {
            let all = book.list()?;
            if json_out {
                print_json(&serde_json::to_value(&all)?)?;
            } else {
                for s in &all {
                    println!("{}", scenario_line(s));
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        ScenarioCommand::Show { id: n } => {
            let s = book.get(id(n))?.with_context(|| format!("no scenario {n}"))?;
            show(grid, &book, &s, json_out)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    if json_out {
        print_json(&serde_json::to_value(&changed)?)?;
    } else {
        println!("{}", scenario_line(&changed));
    }
    Ok(ExitCode::SUCCESS)
}

fn show(grid: &Grid, book: &ScenarioBook, s: &Scenario, json_out: bool) -> Result<()> {
    let history = book.history(s.id)?;
    let im = s.impact(grid)?;
    if json_out {
        return print_json(&json!({"scenario": s, "history": history,
            "impact": {"customers": im.customers.len(), "by_label": im.by_label,
                       "kw": im.kw, "customer_hours": im.customer_hours}}));
    }
    println!("{}", scenario_line(s));
    let labels: Vec<String> = im.by_label.iter().map(|(l, n)| format!("{l} {n}")).collect();
    println!(
        "  {} customers lose supply ({}){}",
        im.customers.len(),
        labels.join(", "),
        if s.window.is_some() {
            format!("; {:.1} customer-hours", im.customer_hours)
        } else {
            String::new()
        }
    );
    if !s.candidates.is_empty() {
        println!("  candidate windows (crews needed: {}):", s.crews_needed);
        for (i, w) in s.candidates.iter().enumerate() {
            println!(
                "    {}. {:<18} {} – {}  ({} crews)",
                window_letter(i),
                w.name,
                format_time(w.start_s),
                format_time(w.end_s),
                w.crews_available
            );
        }
    }
    if let Some(c) = &s.consultation {
        let answered: Vec<&str> = s.answers.iter().map(|a| a.account.as_str()).collect();
        let waiting: Vec<&String> = c
            .sent
            .iter()
            .chain(&c.unreachable)
            .filter(|a| !answered.contains(&a.as_str()))
            .collect();
        println!(
            "  consulted {} (preset `{}`): {} by WeChat, {} to phone; {} answered, {} not yet",
            format_time(c.time_s),
            c.preset,
            c.sent.len(),
            c.unreachable.len(),
            s.answers.len(),
            waiting.len()
        );
    }
    for a in &s.answers {
        println!(
            "    {}  prefer [{}]  object [{}]  via {}  「{}」",
            a.account,
            a.preferred.join(", "),
            a.objections.join(", "),
            a.via,
            a.reason
        );
    }
    for r in &history {
        println!(
            "  {}  {:<14} {:<10} {}",
            format_time(r.time_s),
            r.event.as_str(),
            r.author,
            r.reason
        );
    }
    Ok(())
}
