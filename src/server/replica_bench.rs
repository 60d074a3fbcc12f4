//! `gridcare bench` figures for workstations on a server (features `serve` + `remote`): how
//! long a workstation takes to catch up with the server's store at start, how long an
//! operation takes through the server, and how soon a change made at one workstation shows
//! at another (the long-polled feed). Server and workstations run in this process over
//! loopback, on scratch stores.

use std::sync::Arc;
use std::time::Instant;

use crate::bench::{median_ns, Figure};
use crate::grid::Grid;
use crate::ops::Operation;
use crate::outage::{FaultOutage, FaultSource, OutageBook};
use crate::remote::{RemoteClient, Replica};
use crate::workorder::{Caller, Channel, RepairCall, RepairDesk, SlaPolicy};

use super::{add_token, ServeConfig, Server, ServerError};

fn err(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Engine(format!("replica bench: {what}: {e}"))
}

/// Times, on a scratch server store in `dir` (removed afterwards) holding `calls` repair
/// calls taken on `grid` (tickets dispatched or merged, crews sent): a workstation's start
/// (connect, pull every event, open the outage book and repair desk on its replica); an
/// operation through the server (`POST /api/v1/ops`, durable before the answer); and the
/// delay from an operation at one workstation to its event at another waiting on the feed,
/// over `rounds` changes.
pub fn replica_figures(
    grid: Arc<Grid>,
    dir: &std::path::Path,
    calls: usize,
    rounds: usize,
) -> Result<Vec<Figure>, ServerError> {
    let _ = std::fs::remove_dir_all(dir);
    let server_dir = dir.join("server");
    let store = Arc::new(crate::open_store(&server_dir).map_err(|e| err("store", e))?);
    let token = add_token(&store, "operator", "bench", "bench").map_err(|e| err("token", e))?;
    let fuse = grid
        .model
        .customers
        .iter()
        .find_map(|c| c.transformer)
        .and_then(|t| grid.model.transformers.get(t.index()))
        .map(|t| t.name.clone())
        .ok_or_else(|| err("grid", "no customer"))?;
    {
        let mut outages = OutageBook::open(store.clone(), &grid).map_err(|e| err("outages", e))?;
        let mut desk =
            RepairDesk::open(store.clone(), SlaPolicy::default()).map_err(|e| err("desk", e))?;
        desk.ensure_crews(&grid, "bench").map_err(|e| err("crews", e))?;
        let device = grid.resolve(&fuse).map_err(|e| err("device", e))?;
        let fault = FaultOutage {
            device,
            source: FaultSource::Trip,
            start_s: None,
            etr_s: Some(store.now_s() + 3600),
            reason: "配变跳闸".into(),
            author: "bench".into(),
        };
        outages.report_fault(&grid, fault).map_err(|e| err("outage", e))?;
        let mut rng = crate::rng::Rng::new(7);
        store.set_flush_each_write(false);
        for _ in 0..calls {
            let c = &grid.model.customers[rng.index(grid.model.customers.len())];
            let call = RepairCall {
                caller: Caller::Number(c.account_no.clone()),
                phone: None,
                channel: Channel::Phone,
                description: "家里没电了".into(),
                author: "bench".into(),
            };
            if let Ok(o) = desk.take_call(&grid, &outages, call) {
                if o.ticket.master().is_none() {
                    let _ = desk.send_crew(o.ticket.id, None, "bench");
                }
            }
        }
        store.set_flush_each_write(true);
        store.flush().map_err(|e| err("flush", e))?;
    }
    let events = store.feed_head().map_err(|e| err("feed", e))?;
    let store = Arc::try_unwrap(store).map_err(|_| err("store", "still shared"))?;
    let config =
        ServeConfig { listen: "127.0.0.1:0".parse().expect("an address"), ..Default::default() };
    let server = Server::start(grid.clone(), store, SlaPolicy::default(), config)?;
    let base = format!("http://{}", server.addr());
    let client = || RemoteClient::new(&base, &token.token).map_err(|e| err("client", e));

    // a workstation's start, three times on fresh data directories
    let mut start = Vec::new();
    for i in 0..3 {
        let t = Instant::now();
        let r = Replica::connect(client()?, &dir.join(format!("ws-start-{i}")))
            .map_err(|e| err("connect", e))?;
        r.pull(0).map_err(|e| err("pull", e))?;
        let book = OutageBook::open(r.store.clone(), &grid).map_err(|e| err("outages", e))?;
        let desk =
            RepairDesk::open(r.store.clone(), SlaPolicy::default()).map_err(|e| err("desk", e))?;
        std::hint::black_box((book.list(true).len(), desk.tickets().count()));
        start.push(t.elapsed().as_nanos() as f64);
    }
    let mut out = vec![Figure {
        what: format!(
            "a workstation starts on a server: pull {events} events, open outages and tickets"
        ),
        median_ns: median_ns(start),
        samples: 3,
    }];

    // an operation at A, seen by B waiting on the feed
    let a = Replica::connect(client()?, &dir.join("ws-a")).map_err(|e| err("connect", e))?;
    let b = Replica::connect(client()?, &dir.join("ws-b")).map_err(|e| err("connect", e))?;
    b.pull(0).map_err(|e| err("pull", e))?;
    let b = Arc::new(b);
    let (mut op_ns, mut seen_ns) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = b.clone();
        let thread = std::thread::spawn(move || {
            let _ = tx.send(());
            let got = waiter.pull(10);
            (Instant::now(), got)
        });
        let _ = rx.recv();
        // let the pull reach the server and wait there
        std::thread::sleep(std::time::Duration::from_millis(20));
        let op = Operation::ChangeEtr {
            outage: crate::outage::OutageId(1),
            etr_s: 1_900_000_000 + i as i64 * 60,
            reason: "抢修进度更新".into(),
        };
        let t = Instant::now();
        a.client.execute("bench", &op).map_err(|e| err("operation", e))?;
        op_ns.push(t.elapsed().as_nanos() as f64);
        let (seen, got) = thread.join().map_err(|_| err("waiter", "panicked"))?;
        let got = got.map_err(|e| err("pull", e))?;
        if got.events > 0 {
            seen_ns.push(seen.duration_since(t).as_nanos() as f64);
        }
    }
    out.push(Figure {
        what: "an operation through the server (change an ETR, notices queued, durable)".into(),
        median_ns: median_ns(op_ns),
        samples: rounds,
    });
    out.push(Figure {
        what: "from an operation at one workstation to its events at another (long poll)".into(),
        median_ns: median_ns(seen_ns.clone()),
        samples: seen_ns.len(),
    });
    drop((a, b));
    server.stop()?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replica_figures_are_measured_on_a_small_store() {
        let grid = Arc::new(
            Grid::load(&crate::grid::ModelSource::Embedded).expect("the embedded demo city"),
        );
        let dir =
            std::env::temp_dir().join(format!("gridcare-replica-bench-{}", std::process::id()));
        let figures = replica_figures(grid, &dir, 20, 3).expect("measured");
        assert_eq!(figures.len(), 3);
        assert!(figures[0].what.contains("events"), "{}", figures[0].what);
        // every change reached the second workstation (a timed-out wait would bring none)
        assert_eq!(figures[2].samples, 3, "{:?}", figures[2]);
        assert!(figures.iter().all(|f| f.median_ns.is_finite() && f.median_ns > 0.0));
        assert!(!dir.exists());
    }
}
