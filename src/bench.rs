//! The `gridcare bench` report: the same workloads as the criterion benchmarks, timed with
//! medians over many repetitions on one loaded model.

use std::time::Instant;

use serde::Serialize;

use crate::grid::Grid;
use crate::model::{DeviceRef, LonLat, SwitchId};
use crate::rng::Rng;

/// One measured figure.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// What was measured.
    pub what: String,
    /// Median time per operation in nanoseconds.
    pub median_ns: f64,
    /// How many operations were timed.
    pub samples: usize,
}

/// Median of per-operation times (each sample times `batch` operations).
pub fn median_ns(mut samples: Vec<f64>) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

/// Times `op` once per input (batched by 16 to stay above the clock's resolution).
fn time_each<T>(inputs: &[T], mut op: impl FnMut(&T) -> usize) -> (f64, usize) {
    let mut samples = Vec::with_capacity(inputs.len() / 16 + 1);
    let mut sink = 0usize;
    for chunk in inputs.chunks(16) {
        let t = Instant::now();
        for x in chunk {
            sink = sink.wrapping_add(op(x));
        }
        samples.push(t.elapsed().as_nanos() as f64 / chunk.len() as f64);
    }
    std::hint::black_box(sink);
    (median_ns(samples), inputs.len())
}

/// Random points spread over the model's customers (each a customer's position moved by up
/// to ~150 m), deterministic for a seed.
pub fn query_points(grid: &Grid, n: usize, seed: u64) -> Vec<LonLat> {
    let mut rng = Rng::new(seed);
    let cs = &grid.model.customers;
    if cs.is_empty() {
        return Vec::new();
    }
    (0..n)
        .map(|_| {
            let c = rng.pick(cs).pos;
            LonLat::new(
                c.lon + rng.range_f64(-0.0015, 0.0015),
                c.lat + rng.range_f64(-0.0015, 0.0015),
            )
        })
        .collect()
}

/// Random branch elements that carry power now (the devices an operator would trace).
pub fn trace_devices(grid: &Grid, n: usize, seed: u64) -> Vec<DeviceRef> {
    let mut rng = Rng::new(seed);
    let edges = &grid.topology.network().edges;
    let live: Vec<DeviceRef> = edges
        .iter()
        .filter(|e| grid.topology.subtree_below(e.element).is_some())
        .map(|e| DeviceRef::Element(e.element))
        .collect();
    if live.is_empty() {
        return Vec::new();
    }
    (0..n).map(|_| *rng.pick(&live)).collect()
}

/// Measures the grid questions on a loaded model.
pub fn grid_figures(grid: &Grid, seed: u64) -> Vec<Figure> {
    let mut out = Vec::new();
    let devices = trace_devices(grid, 20_000, seed);
    let (ns, n) =
        time_each(&devices, |d| grid.topology.affected_customers(&grid.model, *d).customers.len());
    out.push(Figure {
        what: "affected customers of a device (radial slice)".into(),
        median_ns: ns,
        samples: n,
    });

    let (ns, n) =
        time_each(&devices[..devices.len().min(2000)], |d| grid.trace(*d).downstream.len());
    out.push(Figure {
        what: "full trace (upstream path + downstream devices + customers)".into(),
        median_ns: ns,
        samples: n,
    });

    let points = query_points(grid, 20_000, seed ^ 1);
    let (ns, n) = time_each(&points, |p| {
        grid.spatial.nearest_segment(*p, 1e9).map_or(0, |h| h.item.segment as usize)
    });
    out.push(Figure { what: "nearest line segment to a point".into(), median_ns: ns, samples: n });
    let (ns, n) = time_each(&points, |p| {
        grid.spatial.nearest_customer(*p, 1e9).map_or(0, |h| h.item.index())
    });
    out.push(Figure { what: "nearest customer to a point".into(), median_ns: ns, samples: n });
    let (ns, n) = time_each(&points[..2000.min(points.len())], |p| {
        grid.locate(*p, 300.0).customer.map_or(0, |c| c.item.index())
    });
    out.push(Figure {
        what: "locate a map pin (customer + transformer + line + feeder)".into(),
        median_ns: ns,
        samples: n,
    });

    // Garbled-address search on real customers.
    let mut rng = Rng::new(seed ^ 2);
    let queries: Vec<String> = (0..2000.min(grid.model.customers.len()))
        .map(|_| {
            let c = rng.pick(&grid.model.customers);
            crate::address::garble_address(&c.address, &mut rng)
        })
        .collect();
    let (ns, n) = time_each(&queries, |q| grid.find(q, 5).len());
    out.push(Figure {
        what: "find a customer by a garbled address".into(),
        median_ns: ns,
        samples: n,
    });
    let phones: Vec<String> = (0..2000.min(grid.model.customers.len()))
        .filter_map(|_| rng.pick(&grid.model.customers).phones.first().cloned())
        .collect();
    let (ns, n) = time_each(&phones, |q| grid.find(q, 5).len());
    out.push(Figure { what: "find a customer by phone".into(), median_ns: ns, samples: n });

    // Switch operations: open then close a random closed switch.
    let mut topo = grid.topology.clone();
    let closed: Vec<SwitchId> = (0..grid.model.switches.len() as u32)
        .map(SwitchId)
        .filter(|s| {
            !topo.is_open(*s)
                && grid.topology.subtree_below(crate::model::ElementRef::Switch(*s)).is_some()
        })
        .collect();
    if !closed.is_empty() {
        let picks: Vec<SwitchId> = (0..400).map(|_| *rng.pick(&closed)).collect();
        let mut samples = Vec::new();
        for s in &picks {
            let t = Instant::now();
            topo.set_switch(*s, true);
            topo.set_switch(*s, false);
            samples.push(t.elapsed().as_nanos() as f64 / 2.0);
        }
        out.push(Figure {
            what: "switch operation (re-derive touched feeders)".into(),
            median_ns: median_ns(samples),
            samples: picks.len(),
        });
    }
    out
}

/// Times loading the embedded demo city: parse, then build every index (median of `runs`).
pub fn embedded_load_figures(runs: usize) -> Result<Vec<Figure>, crate::grid::GridError> {
    let mut parse = Vec::new();
    let mut stages: [Vec<f64>; 4] = Default::default();
    let mut build = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let model = crate::citygen::demo_city()?;
        parse.push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        std::hint::black_box(crate::topology::Topology::new(&model));
        stages[0].push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        std::hint::black_box(crate::spatial::SpatialIndex::build(&model));
        stages[1].push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        std::hint::black_box(crate::address::CustomerDirectory::build(&model));
        stages[2].push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        let grid = Grid::from_model(model);
        build.push(t.elapsed().as_nanos() as f64);
        std::hint::black_box(&grid);
    }
    let total: Vec<f64> = parse.iter().zip(&build).map(|(a, b)| a + b).collect();
    let [topo, spatial, directory, _] = stages;
    let fig = |what: &str, v: Vec<f64>| Figure {
        what: what.into(),
        median_ns: median_ns(v),
        samples: runs,
    };
    Ok(vec![
        fig("demo city: parse the embedded tables", parse),
        fig("demo city: build the topology (radial index)", topo),
        fig("demo city: bulk-load the spatial indexes", spatial),
        fig("demo city: build the customer directory (phones, accounts, addresses)", directory),
        fig("demo city: build every index (Grid::from_model)", build),
        fig("demo city ready from the embedded blob (total)", total),
    ])
}

/// Formats nanoseconds for people.
pub fn human_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Times the peer-comparison workloads on given queries: the customers that lose supply for
/// each device, and the nearest line for each point (the same inputs a peer script times).
pub fn peer_figures(grid: &Grid, devices: &[DeviceRef], points: &[LonLat]) -> Vec<Figure> {
    // Repeat small input sets so that the median rests on enough samples.
    let reps = (20_000 / devices.len().max(1)).clamp(1, 1000);
    let devs: Vec<DeviceRef> = devices.iter().copied().cycle().take(devices.len() * reps).collect();
    let (ns_aff, n_aff) =
        time_each(&devs, |d| grid.topology.affected_customers(&grid.model, *d).customers.len());
    let reps = (20_000 / points.len().max(1)).clamp(1, 1000);
    let pts: Vec<LonLat> = points.iter().copied().cycle().take(points.len() * reps).collect();
    let (ns_near, n_near) = time_each(&pts, |p| {
        grid.spatial.nearest_segment(*p, 1e9).map_or(0, |h| h.item.segment as usize)
    });
    vec![
        Figure { what: "affected_customers".into(), median_ns: ns_aff, samples: n_aff },
        Figure { what: "nearest_line".into(), median_ns: ns_near, samples: n_near },
    ]
}

/// Times the repair desk on a scratch store in `dir` (removed afterwards): taking a call
/// (locate, the duplicate-merge rule, the ticket written and dispatched, each write flushed
/// to disk), the merge rule alone (from the desk's index, and as the scan of every master it
/// replaced), sending a crew, and predicting outages from the calls in flight.
pub fn repair_figures(
    grid: &Grid,
    dir: &std::path::Path,
    calls: usize,
    seed: u64,
) -> Result<Vec<Figure>, crate::workorder::TicketError> {
    use crate::outage::{OutageBook, PredictParams, ProtectionIndex};
    use crate::workorder::{
        locate_call, merge_duplicate_repair, Caller, Channel, RepairCall, RepairDesk, SlaPolicy,
    };
    let _ = std::fs::remove_dir_all(dir);
    let store =
        std::sync::Arc::new(crate::open_store(dir).map_err(crate::workorder::TicketError::from)?);
    let outages = OutageBook::open(store.clone(), grid)?;
    let mut desk = RepairDesk::open(store, SlaPolicy::default())?;
    desk.ensure_crews(grid, "bench")?;
    let mut rng = Rng::new(seed);
    let accounts: Vec<String> = (0..calls.max(1))
        .filter_map(|_| grid.model.customers.get(rng.index(grid.model.customers.len())))
        .map(|c| c.account_no.clone())
        .collect();
    let mut out = Vec::new();
    let mut take = Vec::with_capacity(accounts.len());
    let mut dispatched = Vec::new();
    for a in &accounts {
        let call = RepairCall {
            caller: Caller::Number(a.clone()),
            phone: None,
            channel: Channel::Phone,
            description: "家里没电了".into(),
            author: "bench".into(),
        };
        let t = Instant::now();
        let o = desk.take_call(grid, &outages, call);
        take.push(t.elapsed().as_nanos() as f64);
        if let Ok(o) = o {
            if o.ticket.master().is_none() {
                dispatched.push(o.ticket.id);
            }
        }
    }
    out.push(Figure {
        what: "take a repair call (locate, merge rule, ticket recorded and dispatched in 1 flushed write)".into(),
        median_ns: median_ns(take),
        samples: accounts.len(),
    });
    let located: Vec<_> = accounts
        .iter()
        .filter_map(|a| locate_call(grid, &Caller::Number(a.clone())).ok())
        .collect();
    let tickets = desk.tickets().count();
    let (ns, n) = time_each(&located, |l| desk.merge_decision(grid, &outages, l).why.len());
    out.push(Figure {
        what: format!(
            "duplicate-merge rule alone, the desk's index ({tickets} tickets, walk up the \
             caller's supply path)"
        ),
        median_ns: ns,
        samples: n,
    });
    let (ns, n) = time_each(&located, |l| {
        merge_duplicate_repair(grid, &outages, desk.tickets(), l).why.len()
    });
    out.push(Figure {
        what: format!("duplicate-merge rule as a scan of every master ({tickets} tickets)"),
        median_ns: ns,
        samples: n,
    });
    let mut send = Vec::new();
    for id in dispatched.iter().take(12) {
        let t = Instant::now();
        if desk.send_crew(*id, None, "bench").is_ok() {
            send.push(t.elapsed().as_nanos() as f64);
        }
    }
    out.push(Figure {
        what: "send the best free crew (2 flushed writes)".into(),
        median_ns: median_ns(send.clone()),
        samples: send.len(),
    });
    let index = ProtectionIndex::build(grid);
    let mut predict = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        std::hint::black_box(desk.predicted_outages(grid, &index, &PredictParams::default()));
        predict.push(t.elapsed().as_nanos() as f64);
    }
    out.push(Figure {
        what: format!("predict outages from the calls in flight ({} calls)", accounts.len()),
        median_ns: median_ns(predict),
        samples: 10,
    });
    drop(desk);
    outages.close().map_err(crate::workorder::TicketError::from)?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(out)
}

/// Times appointment-outage planning on a scratch store in `dir` (removed afterwards), on a
/// square of about 900 m around the model's middle customer: isolating it, consulting the
/// preset's customers (letters queued and flushed), ranking three windows with answers, and
/// publishing (the planned outage and one notice per affected customer, flushed together).
pub fn planning_figures(
    grid: &Grid,
    dir: &std::path::Path,
) -> Result<Vec<Figure>, crate::planning::ConsultError> {
    use crate::channels::outbox::Outbox;
    use crate::outage::OutageBook;
    use crate::planning::{
        isolate_polygon, CandidateWindow, PresetFile, ScenarioArea, ScenarioBook, ScenarioEvent,
    };
    let _ = std::fs::remove_dir_all(dir);
    let Some(mid) = grid.model.customers.get(grid.model.customers.len() / 2) else {
        return Ok(Vec::new());
    };
    let h = 0.004;
    let (lon, lat) = (mid.pos.lon, mid.pos.lat);
    let ring = vec![
        LonLat::new(lon - h, lat - h),
        LonLat::new(lon + h, lat - h),
        LonLat::new(lon + h, lat + h),
        LonLat::new(lon - h, lat + h),
    ];
    let mut out = Vec::new();
    let mut iso = Vec::new();
    let mut affected = 0;
    for _ in 0..5 {
        let t = Instant::now();
        affected = isolate_polygon(grid, &ring).affected.len();
        iso.push(t.elapsed().as_nanos() as f64);
    }
    out.push(Figure {
        what: format!("isolate a drawn square ({affected} customers cut)"),
        median_ns: median_ns(iso),
        samples: 5,
    });
    let store =
        std::sync::Arc::new(crate::open_store(dir).map_err(crate::planning::PlanningError::Store)?);
    let book = ScenarioBook::open(store.clone());
    let outbox = Outbox::open(store.clone());
    let mut outages = OutageBook::open(store.clone(), grid)?;
    let presets = PresetFile::embedded()?;
    let preset = presets.preset("appointment")?;
    let (mut consult, mut rank, mut publish) = (Vec::new(), Vec::new(), Vec::new());
    let (mut letters, mut notices) = (0, 0);
    for run in 0..3i64 {
        let s =
            book.create(grid, "bench", ScenarioArea::Polygon { ring: ring.clone() }, "bench", "")?;
        let day = 1_765_152_000 + run * 7 * 86_400;
        let windows: Vec<CandidateWindow> = (0..3)
            .map(|d| CandidateWindow {
                name: format!("W{d}"),
                start_s: day + d * 86_400,
                end_s: day + d * 86_400 + 4 * 3600,
                crews_available: 2,
            })
            .collect();
        book.set_candidates(s.id, windows, 1, "bench", "")?;
        let t = Instant::now();
        let r = book.consult(grid, s.id, preset, &outbox, "bench")?;
        consult.push(t.elapsed().as_nanos() as f64);
        letters = r.queued;
        for a in r.picked.iter().take(10) {
            book.record_answer(
                grid,
                s.id,
                a,
                vec!["W1".into()],
                vec!["W0".into()],
                "",
                "bench",
                "bench",
            )?;
        }
        let t = Instant::now();
        let ranking = book.rank_windows(grid, s.id, &outages, &presets.weights)?;
        rank.push(t.elapsed().as_nanos() as f64);
        let w = ranking.rows.first().map(|r| (r.start_s, r.end_s)).unwrap_or((day, day + 3600));
        book.change(s.id, "bench", "", ScenarioEvent::WindowSet { start_s: w.0, end_s: w.1 })?;
        let t = Instant::now();
        let p = book.publish(grid, s.id, &mut outages, &outbox, "bench", "bench")?;
        publish.push(t.elapsed().as_nanos() as f64);
        notices = p.notices_queued;
    }
    out.push(Figure {
        what: format!("consult (preset appointment: {letters} letters queued, flushed)"),
        median_ns: median_ns(consult),
        samples: 3,
    });
    out.push(Figure {
        what: "rank 3 candidate windows with 10 answers".into(),
        median_ns: median_ns(rank),
        samples: 3,
    });
    out.push(Figure {
        what: format!("publish (planned outage + {notices} notices, flushed)"),
        median_ns: median_ns(publish),
        samples: 3,
    });
    drop(book);
    drop(outbox);
    outages.close().map_err(crate::planning::PlanningError::Store)?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(out)
}
