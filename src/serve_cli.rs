//! `gridcare serve`: the HTTP/JSON channel service over the store of `--data-dir`, its
//! channel tokens, and a bounded loopback load test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gridcare::server::{
    add_token, list_tokens, load_test, revoke_token, LoadSpec, RateLimit, ServeConfig, Server,
    DEFAULT_LISTEN,
};
use gridcare::store::format_time;
use gridcare::workorder::SlaPolicy;

use crate::load;

/// `gridcare serve` arguments.
#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    action: Option<ServeAction>,
    /// Where to listen (loopback by default; `0.0.0.0:8598` for every interface).
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// The largest request body, bytes (413 past it).
    #[arg(long, default_value_t = 16 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// Requests a second per token, sustained (429 past it).
    #[arg(long, default_value_t = RateLimit::default().per_s, value_name = "N")]
    rate: f64,
    /// Requests per token at once after a quiet spell.
    #[arg(long, default_value_t = RateLimit::default().burst, value_name = "N")]
    burst: f64,
    /// At most this many requests share one flush of the store (group commit).
    #[arg(long, default_value_t = 512, value_name = "N")]
    max_batch: usize,
    /// Service levels of repair tickets (default: resources/workorder/sla.json, built in).
    #[arg(long, value_name = "FILE")]
    sla: Option<PathBuf>,
    /// The sensitive-word lexicon (default: resources/channels/lexicon.json, built in).
    #[arg(long, value_name = "FILE")]
    lexicon: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ServeAction {
    /// Channel tokens: add (printed once), list, revoke. The store must not be open in a
    /// running `gridcare serve`; revoke through it with an admin token instead
    /// (`DELETE /api/v1/tokens/{id}`).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// A bounded load test on loopback: N messages over C keep-alive connections; reports
    /// durable messages a second and latency percentiles. Without --addr it serves a scratch
    /// store of its own (the store of --data-dir is not touched).
    Loadtest {
        /// Messages to send.
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
        /// Connections at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Every n-th message is a fault report (0: none; the others are inquiries).
        #[arg(long, default_value_t = 0, value_name = "N")]
        repair_every: usize,
        /// A running `gridcare serve` on loopback (needs --token and --channel).
        #[arg(long)]
        addr: Option<SocketAddr>,
        /// Its token.
        #[arg(long, requires = "addr")]
        token: Option<String>,
        /// The token's channel.
        #[arg(long, default_value = "app")]
        channel: String,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make a token for a channel; it is printed once and only its hash is kept.
    Add {
        /// wechat, app, web, sms (a channel's gateway); ami (the metering head-end's meter
        /// events); operator (a workstation: the feed, operations, alerts, timelines); admin
        /// (an operator that also manages tokens over HTTP).
        #[arg(long)]
        channel: String,
        /// What it is for (`微信公众号网关`).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Every token (hashes only).
    List,
    /// Revoke a token: from now on it gets 403.
    Revoke {
        /// The token's number (see `list`).
        id: u64,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

fn open(data_dir: Option<&Path>) -> Result<gridcare::store::Store> {
    let data = gridcare::store::data_dir(data_dir);
    gridcare::open_store(&data).with_context(|| {
        format!("opening the store in {}", data.join(gridcare::STORE_DIR).display())
    })
}

fn tokens(data_dir: Option<&Path>, action: TokenAction) -> Result<ExitCode> {
    let store = open(data_dir)?;
    let author = gridcare::store::default_author();
    match action {
        TokenAction::Add { channel, label } => {
            let new = add_token(&store, &channel, &label, &author)?;
            println!("{}", new.token);
            eprintln!(
                "token {} for {}: shown once, keep it now (only its SHA-256 is stored)",
                new.record.id, new.record.channel
            );
        }
        TokenAction::List => {
            for t in list_tokens(&store)? {
                println!(
                    "{:>3}  {:<8} {:<24} {}  {}  {}",
                    t.id,
                    t.channel,
                    format!("{}…", t.prefix),
                    format_time(t.created_s),
                    t.revoked_s
                        .map_or("active".to_string(), |r| format!("REVOKED {}", format_time(r))),
                    t.label
                );
            }
        }
        TokenAction::Revoke { id, reason } => {
            let t = revoke_token(&store, id, &author, &reason)?;
            println!("token {} ({}) revoked", t.id, t.channel);
        }
    }
    store.close()?;
    Ok(ExitCode::SUCCESS)
}

fn config(args: &ServeArgs) -> ServeConfig {
    ServeConfig {
        listen: args.listen,
        max_body_bytes: args.max_body,
        rate: RateLimit { per_s: args.rate, burst: args.burst },
        max_batch: args.max_batch,
        lexicon: args.lexicon.clone(),
        ..ServeConfig::default()
    }
}

/// Runs `gridcare serve`.
pub fn run(model: &Option<PathBuf>, data_dir: Option<&Path>, args: ServeArgs) -> Result<ExitCode> {
    let sla = args.sla.clone();
    let policy = || -> Result<SlaPolicy> {
        Ok(match &sla {
            Some(p) => SlaPolicy::load(p)?,
            None => SlaPolicy::default(),
        })
    };
    match args.action {
        Some(ServeAction::Token { action }) => tokens(data_dir, action),
        Some(ServeAction::Loadtest {
            messages,
            concurrency,
            repair_every,
            ref addr,
            ref token,
            ref channel,
        }) => {
            let grid = load(model)?;
            let step = (grid.model.customers.len() / 5000).max(1);
            let accounts: Vec<String> =
                grid.model.customers.iter().step_by(step).map(|c| c.account_no.clone()).collect();
            let spec = |addr, token, channel: &str| LoadSpec {
                addr,
                token,
                channel: channel.to_string(),
                messages,
                concurrency,
                accounts: accounts.clone(),
                repair_every,
                timeout: Duration::from_secs(10),
            };
            if let Some(addr) = addr {
                if !addr.ip().is_loopback() {
                    bail!("--addr {addr}: the load test runs on loopback only");
                }
                let Some(token) = token.clone() else { bail!("--addr needs --token") };
                let report = load_test(spec(*addr, token, channel))?;
                print_report(&report, repair_every, *addr, None);
                return Ok(ExitCode::SUCCESS);
            }
            let scratch =
                std::env::temp_dir().join(format!("gridcare-loadtest-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&scratch);
            let store = gridcare::open_store(&scratch)?;
            let token = add_token(&store, "app", "load test", "loadtest")?.token;
            let config = ServeConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                rate: RateLimit { per_s: 1e9, burst: 1e9 },
                ..config(&args)
            };
            let server = Server::start(Arc::new(grid), store, policy()?, config)?;
            let addr = server.addr();
            let report = load_test(spec(addr, token, "app"));
            let stats = (
                server.stats().jobs.load(Ordering::Relaxed),
                server.stats().flushes.load(Ordering::Relaxed),
            );
            let stopped = server.stop();
            let _ = std::fs::remove_dir_all(&scratch);
            let report = report?;
            stopped?;
            print_report(&report, repair_every, addr, Some(stats));
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let grid = load(model)?;
            let data = gridcare::store::data_dir(data_dir);
            let store = open(data_dir)?;
            let config = ServeConfig { stop_on_signal: true, ..config(&args) };
            let server = Server::start(Arc::new(grid), store, policy()?, config)?;
            // Tests and scripts read this line to learn the port.
            println!("gridcare serve: listening on http://{}", server.addr());
            eprintln!(
                "store {}; OpenAPI at http://{}/api/v1/openapi.json; Ctrl-C stops",
                data.join(gridcare::STORE_DIR).display(),
                server.addr()
            );
            server.wait()?;
            eprintln!("gridcare serve: stopped, store closed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_report(
    r: &gridcare::server::LoadReport,
    repair_every: usize,
    addr: SocketAddr,
    stats: Option<(u64, u64)>,
) {
    let mix = match repair_every {
        0 => "inquiries".to_string(),
        1 => "fault reports".to_string(),
        n => format!("inquiries, every {n}th a fault report"),
    };
    println!(
        "{} messages ({mix}) over {} connections to {addr} in {:.2} s",
        r.messages, r.concurrency, r.elapsed_s
    );
    println!("  durable messages/s     {:.0}", r.per_s);
    println!(
        "  latency ms             p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms
    );
    let failed: Vec<String> = r.failed.iter().map(|(s, n)| format!("{n}×{s}")).collect();
    println!(
        "  answered 2xx           {}{}",
        r.ok,
        if failed.is_empty() { String::new() } else { format!("; failed {}", failed.join(", ")) }
    );
    if let Some((jobs, flushes)) = stats {
        println!(
            "  group commit           {jobs} requests, {flushes} flushes ({:.1} a flush)",
            jobs as f64 / flushes.max(1) as f64
        );
    }
}
