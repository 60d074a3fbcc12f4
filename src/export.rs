//! GeoJSON layers of a model, for QGIS and other GIS tools (RFC 7946, WGS84 lon/lat).

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::grid::Grid;
use crate::model::{ElementRef, SwitchId, TransformerId};
use crate::spatial::{switch_position, transformer_position};

/// Files written by [`write_geojson`], one layer each.
pub const LAYERS: [&str; 6] =
    ["substations", "feeders", "lv_lines", "switches", "transformers", "customers"];

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [round6(lon), round6(lat)]})
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn write_layer(dir: &Path, name: &str, features: Vec<Value>) -> std::io::Result<usize> {
    let n = features.len();
    let fc = json!({"type": "FeatureCollection", "name": name, "features": features});
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.geojson")))?);
    serde_json::to_writer(&mut f, &fc)?;
    f.flush()?;
    Ok(n)
}

/// Writes one GeoJSON file per layer into `dir` (created if missing); returns the feature
/// count per layer. Feeder lines carry the feeder energising them now.
pub fn write_geojson(grid: &Grid, dir: &Path) -> std::io::Result<Vec<(&'static str, usize)>> {
    std::fs::create_dir_all(dir)?;
    let m = &grid.model;
    let topo = &grid.topology;
    let feeder_name =
        |b: crate::model::BusId| topo.feeder_of(b).map(|f| m.feeders[f.index()].name.clone());
    let mut counts = Vec::new();

    let subs = m
        .substations
        .iter()
        .map(|s| {
            json!({"type": "Feature", "geometry": point(s.pos.lon, s.pos.lat),
                   "properties": {"id": s.name, "name": s.display_name, "kv": s.kv_hv}})
        })
        .collect();
    counts.push(("substations", write_layer(dir, "substations", subs)?));

    let route = |r: &[crate::model::LonLat]| {
        json!({"type": "LineString", "coordinates":
            r.iter().map(|p| [round6(p.lon), round6(p.lat)]).collect::<Vec<_>>()})
    };
    let lines = m
        .lines
        .iter()
        .filter(|l| l.route.len() >= 2)
        .map(|l| {
            json!({"type": "Feature", "geometry": route(&l.route),
                   "properties": {"id": l.name, "feeder": feeder_name(l.from).or(feeder_name(l.to)),
                                  "length_m": l.length_m, "phases": l.phases, "in_service": l.in_service}})
        })
        .collect();
    counts.push(("feeders", write_layer(dir, "feeders", lines)?));

    let lv = m
        .lv_lines
        .iter()
        .filter(|l| l.route.len() >= 2)
        .map(|l| {
            json!({"type": "Feature", "geometry": route(&l.route),
                   "properties": {"id": l.name, "feeder": feeder_name(l.from), "length_m": l.length_m}})
        })
        .collect();
    counts.push(("lv_lines", write_layer(dir, "lv_lines", lv)?));

    let switches = (0..m.switches.len() as u32)
        .map(SwitchId)
        .filter_map(|id| {
            let s = &m.switches[id.index()];
            let p = switch_position(m, id)?;
            let (a, b) = m.terminals(ElementRef::Switch(id));
            Some(json!({"type": "Feature", "geometry": point(p.lon, p.lat),
                "properties": {"id": s.name, "kind": s.kind.as_str(), "normally_open": s.normally_open,
                               "open": topo.is_open(id), "feeder": feeder_name(a).or(feeder_name(b))}}))
        })
        .collect();
    counts.push(("switches", write_layer(dir, "switches", switches)?));

    let transformers = (0..m.transformers.len() as u32)
        .map(TransformerId)
        .filter_map(|id| {
            let t = &m.transformers[id.index()];
            let p = transformer_position(m, id)?;
            Some(json!({"type": "Feature", "geometry": point(p.lon, p.lat),
                "properties": {"id": t.name, "name": t.display_name, "kind": t.kind.as_str(),
                               "kva": t.kva, "feeder": feeder_name(t.hv_bus)}}))
        })
        .collect();
    counts.push(("transformers", write_layer(dir, "transformers", transformers)?));

    let customers = m
        .customers
        .iter()
        .map(|c| {
            json!({"type": "Feature", "geometry": point(c.pos.lon, c.pos.lat),
                "properties": {"id": c.name, "account_no": c.account_no, "name": c.display_name,
                               "address": c.address.full(), "labels": c.labels.to_words(),
                               "transformer": c.transformer.map(|t| m.transformers[t.index()].name.clone()),
                               "feeder": feeder_name(c.bus)}})
        })
        .collect();
    counts.push(("customers", write_layer(dir, "customers", customers)?));
    Ok(counts)
}
