//! `gridcare op`: one operator change given as a `gridcare::ops::Operation` (the JSON
//! `POST /api/v1/ops` takes), applied by `ops::execute` to the store of --data-dir, or — with
//! `--server URL` — sent to that server, which applies the same function. The CLI's door to
//! the one write path the desktop app and the server share; a script can change an outage
//! while the server owns the store.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use gridcare::ops::{OpDesk, OpOutcome, Operation};

/// The largest operation read, bytes (as the server's body limit).
const MAX_OP_BYTES: usize = 16 * 1024;

/// The operation's text: the argument, or standard input for `-`.
fn read_operation(text: &str) -> Result<Operation> {
    let text = if text == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(MAX_OP_BYTES as u64 + 1)
            .read_to_string(&mut s)
            .context("reading the operation from standard input")?;
        s
    } else {
        text.to_string()
    };
    if text.len() > MAX_OP_BYTES {
        anyhow::bail!("the operation is over {MAX_OP_BYTES} bytes");
    }
    Ok(Operation::parse(&text)?)
}

/// Where the operation goes.
pub enum Target<'a> {
    /// The store of this data directory, with this model.
    Local { grid: &'a gridcare::grid::Grid, data_dir: Option<&'a Path> },
    /// A running `gridcare serve`, with an operator token.
    #[cfg(feature = "remote")]
    Server { url: &'a str, token: &'a str },
}

/// Applies `operation` for `author` at `target` and prints what it did.
pub fn run(target: Target<'_>, operation: &str, author: &str, json: bool) -> Result<ExitCode> {
    let op = read_operation(operation)?;
    let (outcome, position) = match target {
        Target::Local { grid, data_dir } => {
            let data = gridcare::store::data_dir(data_dir);
            let store = gridcare::open_store(&data).with_context(|| {
                format!("opening the store in {}", data.join(gridcare::STORE_DIR).display())
            })?;
            let store = Arc::new(store);
            let mut outages = gridcare::outage::OutageBook::open(store.clone(), grid)?;
            let policy = gridcare::workorder::SlaPolicy::default();
            let mut repairs = gridcare::workorder::RepairDesk::open(store.clone(), policy)?;
            repairs.ensure_crews(grid, author)?;
            let alerts = gridcare::channels::alert::AlertBook::open(store.clone())?;
            let mut desk = OpDesk {
                grid,
                outages: &mut outages,
                repairs: &mut repairs,
                alerts: Some(&alerts),
            };
            let outcome = gridcare::ops::execute(&mut desk, &op, author)
                .with_context(|| format!("{} refused", op.kind()))?;
            (outcome, None)
        }
        #[cfg(feature = "remote")]
        Target::Server { url, token } => {
            let client = gridcare::remote::RemoteClient::new(url, token)?;
            let done = client.execute(author, &op)?;
            (done.outcome, Some(done.position))
        }
    };
    print(&outcome, position, json)?;
    Ok(ExitCode::SUCCESS)
}

fn print(outcome: &OpOutcome, position: Option<u64>, json: bool) -> Result<()> {
    if json {
        let mut v = serde_json::to_value(outcome)?;
        if let (Some(p), Some(m)) = (position, v.as_object_mut()) {
            m.insert("position".into(), p.into());
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!("{}", outcome.summary);
    if outcome.notices_queued > 0 {
        println!("  {} notices queued", outcome.notices_queued);
    }
    if let Some(e) = &outcome.notice_error {
        println!("  notices not queued: {e}");
    }
    if let Some(p) = position {
        println!("  applied by the server; its feed is at #{p}");
    }
    Ok(())
}
