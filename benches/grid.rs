//! Criterion benchmarks of the grid questions: what loses supply if a device opens, the
//! nearest line to a point, finding a caller, a switch operation, loading the demo city.
//! Run with `cargo bench`; the README's performance table quotes these and `gridcare bench`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use gridcare::bench::{query_points, trace_devices};
use gridcare::grid::{Grid, ModelSource};
use gridcare::model::{ElementRef, SwitchId};

fn demo_city(c: &mut Criterion) {
    let grid = Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads");
    let devices = trace_devices(&grid, 4096, 7);
    let points = query_points(&grid, 4096, 8);
    let mut i = 0usize;
    c.bench_function("demo_city/affected_customers", |b| {
        b.iter(|| {
            i = (i + 1) % devices.len();
            black_box(grid.topology.affected_customers(&grid.model, devices[i]).customers.len())
        })
    });
    c.bench_function("demo_city/nearest_line", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(grid.spatial.nearest_segment(points[i], 1e9))
        })
    });
    c.bench_function("demo_city/locate_pin", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(grid.locate(points[i], 300.0))
        })
    });
    let mut rng = gridcare::rng::Rng::new(9);
    let queries: Vec<String> = (0..512)
        .map(|_| {
            let cu = rng.pick(&grid.model.customers);
            gridcare::address::garble_address(&cu.address, &mut rng)
        })
        .collect();
    c.bench_function("demo_city/find_garbled_address", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            black_box(grid.find(&queries[i], 5).len())
        })
    });
    let switches: Vec<SwitchId> = (0..grid.model.switches.len() as u32)
        .map(SwitchId)
        .filter(|s| grid.topology.subtree_below(ElementRef::Switch(*s)).is_some())
        .collect();
    let mut topo = grid.topology.clone();
    c.bench_function("demo_city/switch_open_close", |b| {
        b.iter(|| {
            i = (i + 1) % switches.len();
            topo.set_switch(switches[i], true);
            black_box(topo.set_switch(switches[i], false))
        })
    });
    let mut g = c.benchmark_group("demo_city/load");
    g.sample_size(10);
    g.bench_function("embedded_ready", |b| {
        b.iter(|| black_box(Grid::load(&ModelSource::Embedded).map(|g| g.model.customers.len())))
    });
    g.finish();
}

fn ieee8500(c: &mut Criterion) {
    let master =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/feeders/ieee8500/Master.dss");
    if !master.exists() {
        eprintln!("skipping ieee8500 benchmarks: {} not found", master.display());
        return;
    }
    let grid = Grid::load(&ModelSource::Path(master)).expect("ieee8500 imports");
    let devices = trace_devices(&grid, 4096, 7);
    let mut i = 0usize;
    c.bench_function("ieee8500/affected_customers", |b| {
        b.iter(|| {
            i = (i + 1) % devices.len();
            black_box(grid.topology.affected_customers(&grid.model, devices[i]).customers.len())
        })
    });
}

fn million(c: &mut Criterion) {
    let model = gridcare::citygen::generate_city(&gridcare::citygen::CityParams {
        customers: 1_000_000,
        ..Default::default()
    });
    let grid = Grid::from_model(model);
    let points = query_points(&grid, 4096, 8);
    let mut i = 0usize;
    c.bench_function("city_1m/nearest_line", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(grid.spatial.nearest_segment(points[i], 1e9))
        })
    });
    c.bench_function("city_1m/nearest_customer", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(grid.spatial.nearest_customer(points[i], 1e9))
        })
    });
}

/// The repair desk on the demo city: a repair call taken (two flushed writes), and the
/// outages predicted from 400 calls in flight.
fn repair_desk(c: &mut Criterion) {
    use gridcare::outage::{OutageBook, PredictParams, ProtectionIndex};
    use gridcare::workorder::{Caller, Channel, RepairCall, RepairDesk, SlaPolicy};
    let grid = Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads");
    let dir = std::env::temp_dir().join(format!("gridcare-criterion-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = std::sync::Arc::new(gridcare::open_store(&dir).expect("a scratch store"));
    let outages = OutageBook::open(store.clone(), &grid).expect("outages");
    let mut desk = RepairDesk::open(store, SlaPolicy::default()).expect("desk");
    let mut rng = gridcare::rng::Rng::new(11);
    let call = |rng: &mut gridcare::rng::Rng| RepairCall {
        caller: Caller::Number(rng.pick(&grid.model.customers).account_no.clone()),
        phone: None,
        channel: Channel::Phone,
        description: "家里没电了".into(),
        author: "bench".into(),
    };
    for _ in 0..400 {
        let _ = desk.take_call(&grid, &outages, call(&mut rng));
    }
    let index = ProtectionIndex::build(&grid);
    c.bench_function("repair/predicted_outages_400_calls", |b| {
        b.iter(|| black_box(desk.predicted_outages(&grid, &index, &PredictParams::default()).len()))
    });
    let mut group = c.benchmark_group("repair");
    group.sample_size(20);
    group.bench_function("take_call_durable", |b| {
        b.iter(|| black_box(desk.take_call(&grid, &outages, call(&mut rng)).is_ok()))
    });
    group.finish();
    drop(desk);
    let _ = outages.close();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, demo_city, ieee8500, million, repair_desk);
criterion_main!(benches);
