//! Criterion benchmarks of the KPIs on a simulated year of the 100,000-customer demo city
//! (`gridcare sim history --days 365 --seed 1`, written once into a scratch store): every
//! table of `gridcare report` for the year (five rows of IEEE 1366 indices, the Major Event
//! Day threshold and days, the call-centre measures overall and by channel, unit and month);
//! one row of indices alone; and reading the outages' events and tickets from the store.
//! Run with `cargo bench --bench kpi`; the README quotes the medians.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gridcare::grid::{Grid, ModelSource};
use gridcare::kpi::{
    interruptions_in_store, read_call_records, reliability_indices, Basis, Period, Report,
    ReportInput, Scope, Territory, CALL_RECORDS_FILE,
};
use gridcare::sim::{generate_history, HistoryParams};
use gridcare::store::parse_time;
use gridcare::workorder::{SlaPolicy, Ticket};

fn year(c: &mut Criterion) {
    let grid = Grid::load(&ModelSource::Embedded).expect("the embedded demo city loads");
    let dir = std::env::temp_dir().join(format!("gridcare-bench-kpi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let end_s = parse_time("2026-12-01 00:00").expect("a time");
    let params = HistoryParams { days: 365, seed: 1, end_s, ..HistoryParams::default() };
    generate_history(&grid, &dir, &params).expect("a year of history");
    let store = gridcare::open_store(&dir).expect("the store opens");
    let calls = read_call_records(&dir.join(CALL_RECORDS_FILE)).expect("call records");
    let territory = Territory::new(&grid);
    let log = interruptions_in_store(&store, &territory, end_s).expect("interruptions");
    let tickets: Vec<Ticket> =
        store.all::<Ticket>().expect("tickets").into_iter().map(|e| e.state).collect();
    let policy = SlaPolicy::default();
    let period = Period::from_dates("2025-12-01", "2026-11-30").expect("a year");
    let input = ReportInput {
        grid: &grid,
        policy: &policy,
        calls: &calls,
        period,
        scope: Scope::Area,
        as_of_s: end_s,
    };
    let mut g = c.benchmark_group("kpi_year");
    g.sample_size(20);
    g.bench_function("report_all_tables", |b| {
        b.iter(|| {
            black_box(Report::from_parts(&territory, &log, &tickets, &input).expect("a report"))
        })
    });
    let area = territory.select(&Scope::Area).expect("the area");
    g.bench_function("indices_one_row", |b| {
        b.iter(|| {
            black_box(reliability_indices(&log.interruptions, &area, period, Basis::All, &[]))
        })
    });
    g.sample_size(10);
    g.bench_function("read_store_and_report", |b| {
        b.iter(|| black_box(Report::compute(&store, &input).expect("a report")))
    });
    g.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, year);
criterion_main!(benches);
