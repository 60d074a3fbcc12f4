//! Per-frame CPU to build the map's shapes (basemap + every grid layer) for a 1600×900 view of
//! a 1,000,000-customer city at zoom 11, 13, 15 and 17, centred on its densest square
//! kilometre. This is what the desktop app does every frame while the map moves; the shapes
//! then go to egui's tessellator and the GPU (not timed here).
//!
//! Run with `cargo bench --bench map_frame`; `GRIDCARE_BENCH_CUSTOMERS=100000` for a smaller city.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use eframe::egui::{pos2, vec2, Rect, Shape};
use gridcare::app::layers::basemap::Basemap;
use gridcare::app::{
    build_grid_layers, lonlat_of, Lang, LayerToggles, MapSnapshot, MapView, Overlay, Scene,
};
use gridcare::citygen::{generate_city, CityParams};
use gridcare::grid::Grid;

fn vertices(shapes: &[Shape]) -> usize {
    shapes
        .iter()
        .map(|s| match s {
            Shape::Mesh(m) => m.vertices.len(),
            Shape::Vec(v) => vertices(v),
            _ => 1,
        })
        .sum()
}

fn map_frame(c: &mut Criterion) {
    let customers: usize = std::env::var("GRIDCARE_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let model = generate_city(&CityParams { customers, ..Default::default() });
    let grid = Grid::from_model(model);
    let snap = MapSnapshot::build(&grid);
    eprintln!(
        "city of {customers} customers: generated, indexed and snapshotted in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // the densest cell of about 600 m
    let level = 16u8;
    let densest = snap
        .density
        .cells_in(level, [0.0, 0.0], [1.0, 1.0])
        .max_by_key(|c| c.total)
        .copied()
        .expect("customers");
    let n = f64::from(1u32 << level);
    let centre = lonlat_of([(f64::from(densest.x) + 0.5) / n, (f64::from(densest.y) + 0.5) / n]);
    let basemap = Basemap::load();
    let overlay = Overlay::default();
    let on = LayerToggles::default();
    let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(1600.0, 900.0));
    let mut group = c.benchmark_group("map_frame");
    group.sample_size(20);
    for zoom in [11.0, 13.0, 15.0, 17.0] {
        let view = MapView::new(rect, centre, zoom);
        let frame = || {
            // a new scene per frame: the in-view query is part of the frame's cost
            let scene = Scene::new(&grid, &snap, &overlay, false);
            let mut shapes = basemap.build(&view, Lang::Zh).shapes;
            for layer in build_grid_layers(&view, &scene, &on) {
                shapes.extend(layer.shapes);
            }
            shapes
        };
        eprintln!("zoom {zoom}: {} vertices", vertices(&frame()));
        group.bench_function(format!("{customers}_customers/zoom_{zoom}"), |b| {
            b.iter(|| black_box(frame()))
        });
    }
    group.finish();
}

criterion_group!(benches, map_frame);
criterion_main!(benches);
