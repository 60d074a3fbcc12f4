//! The offline vector basemap, packed into the binary from `maps/basemap/*.geojson`: Foshan's
//! five districts, the neighbouring districts, the estuary, the Xi and Bei rivers, the coast and
//! place names. Polygons are triangulated once (earcut) in world coordinates; a frame only
//! moves vertices onto the screen.
//!
//! It is drawn *under* raster tiles (into a shape slot reserved before the map paints), so a
//! tile source that fails or has gaps shows the basemap instead of an empty map.

use crate::model::LonLat;
use eframe::egui::{self, Color32, Mesh, Shape};
use geo::TriangulateEarcut;
use serde_json::Value;
use walkers::{Plugin, Projector};

use super::{paint, view_of, Label, LayerShapes};
use crate::app::i18n::{place_name, Lang};
use crate::app::view::{world_of, MapView};

const CITY: &str = include_str!("../../../maps/basemap/foshan_city_wgs84.geojson");
const DISTRICTS: &str = include_str!("../../../maps/basemap/foshan_districts_wgs84.geojson");
const CONTEXT: &str = include_str!("../../../maps/basemap/prd_context_districts_wgs84.geojson");
const OCEAN: &str = include_str!("../../../maps/basemap/ne10m_ocean_prd.geojson");
const RIVERS: &str = include_str!("../../../maps/basemap/ne10m_rivers_prd.geojson");
const COAST: &str = include_str!("../../../maps/basemap/ne10m_coastline_prd.geojson");
const PLACES: &str = include_str!("../../../maps/basemap/ne10m_populated_places_prd.geojson");

/// The map's background where no land polygon is.
pub const BACKGROUND: Color32 = Color32::from_rgb(226, 230, 234);
const WATER: Color32 = Color32::from_rgb(170, 205, 235);
const NEIGHBOUR: Color32 = Color32::from_rgb(236, 236, 232);
const DISTRICT_FILLS: [Color32; 5] = [
    Color32::from_rgb(244, 239, 226),
    Color32::from_rgb(238, 242, 228),
    Color32::from_rgb(245, 236, 232),
    Color32::from_rgb(234, 240, 238),
    Color32::from_rgb(242, 238, 232),
];

struct Fill {
    vertices: Vec<[f64; 2]>,
    indices: Vec<u32>,
    colour: Color32,
}

struct Line {
    points: Vec<[f64; 2]>,
    width: f32,
    colour: Color32,
}

struct Place {
    world: [f64; 2],
    zh: String,
    en: String,
    size: f32,
    zoom: std::ops::Range<f64>,
    colour: Color32,
}

/// The prepared basemap.
pub struct Basemap {
    fills: Vec<Fill>,
    lines: Vec<Line>,
    places: Vec<Place>,
}

/// Every ring of a GeoJSON Polygon or MultiPolygon geometry: `[polygon][ring][point]`.
fn polygons(geometry: &Value) -> Vec<Vec<Vec<[f64; 2]>>> {
    let ring = |r: &Value| -> Vec<[f64; 2]> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                    .collect()
            })
            .unwrap_or_default()
    };
    let poly = |p: &Value| -> Vec<Vec<[f64; 2]>> {
        p.as_array().map(|rings| rings.iter().map(ring).collect()).unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => vec![poly(coords)],
        Some("MultiPolygon") => {
            coords.as_array().map(|ps| ps.iter().map(poly).collect()).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Every line of a LineString / MultiLineString, or the rings of a (Multi)Polygon.
fn lines_of(geometry: &Value) -> Vec<Vec<[f64; 2]>> {
    let line = |r: &Value| -> Vec<[f64; 2]> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("LineString") => vec![line(coords)],
        Some("MultiLineString") => {
            coords.as_array().map(|ls| ls.iter().map(line).collect()).unwrap_or_default()
        }
        Some("Polygon") | Some("MultiPolygon") => {
            polygons(geometry).into_iter().flatten().collect()
        }
        _ => Vec::new(),
    }
}

fn features(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("features").and_then(|f| f.as_array()).cloned())
        .unwrap_or_default()
}

fn to_world(pts: &[[f64; 2]]) -> Vec<[f64; 2]> {
    pts.iter().map(|p| world_of(LonLat::new(p[0], p[1]))).collect()
}

fn triangulate(rings: &[Vec<[f64; 2]>], colour: Color32) -> Option<Fill> {
    let mut it = rings.iter().map(|r| {
        geo::LineString::from(to_world(r).into_iter().map(|w| (w[0], w[1])).collect::<Vec<_>>())
    });
    let exterior = it.next()?;
    let polygon = geo::Polygon::new(exterior, it.collect());
    let raw = polygon.earcut_triangles_raw();
    Some(Fill {
        vertices: raw.vertices,
        indices: raw.triangle_indices.into_iter().map(|i| i as u32).collect(),
        colour,
    })
}

impl Basemap {
    /// Parses and triangulates the packed GeoJSON layers.
    pub fn load() -> Basemap {
        let mut fills = Vec::new();
        let mut lines = Vec::new();
        let mut places = Vec::new();
        for f in features(CONTEXT) {
            for p in polygons(&f["geometry"]) {
                fills.extend(triangulate(&p, NEIGHBOUR));
            }
            for l in lines_of(&f["geometry"]) {
                lines.push(Line {
                    points: to_world(&l),
                    width: 0.8,
                    colour: Color32::from_gray(195),
                });
            }
            if let (Some(name), Some(p)) = (f["properties"]["name"].as_str(), label_point(&f)) {
                places.push(Place {
                    world: p,
                    zh: name.to_string(),
                    en: String::new(),
                    size: 12.0,
                    zoom: 9.5..12.5,
                    colour: Color32::from_gray(150),
                });
            }
        }
        for f in features(OCEAN) {
            for p in polygons(&f["geometry"]) {
                fills.extend(triangulate(&p, WATER));
            }
        }
        for (i, f) in features(DISTRICTS).iter().enumerate() {
            for p in polygons(&f["geometry"]) {
                fills.extend(triangulate(&p, DISTRICT_FILLS[i % DISTRICT_FILLS.len()]));
            }
            for l in lines_of(&f["geometry"]) {
                lines.push(Line {
                    points: to_world(&l),
                    width: 1.2,
                    colour: Color32::from_rgb(190, 170, 150),
                });
            }
            let props = &f["properties"];
            if let (Some(name), Some(lon), Some(lat)) =
                (props["name"].as_str(), props["label_lon"].as_f64(), props["label_lat"].as_f64())
            {
                places.push(Place {
                    world: world_of(LonLat::new(lon, lat)),
                    zh: name.to_string(),
                    en: place_name(name).unwrap_or(name).to_string(),
                    size: 17.0,
                    zoom: 8.0..13.5,
                    colour: Color32::from_rgb(140, 110, 80),
                });
            }
        }
        // Line layers: (source, width, colour), drawn in this order.
        let line_layers = [
            (CITY, 2.5, Color32::from_rgb(150, 120, 150)),
            (RIVERS, 4.0, WATER),
            (COAST, 1.0, Color32::from_rgb(120, 160, 200)),
        ];
        for (source, width, colour) in line_layers {
            for f in features(source) {
                for l in lines_of(&f["geometry"]) {
                    lines.push(Line { points: to_world(&l), width, colour });
                }
            }
        }
        for f in features(PLACES) {
            let props = &f["properties"];
            let coords = &f["geometry"]["coordinates"];
            if let (Some(zh), Some(en), Some(lon), Some(lat)) = (
                props["NAME_ZH"].as_str(),
                props["NAME_EN"].as_str(),
                coords.get(0).and_then(|v| v.as_f64()),
                coords.get(1).and_then(|v| v.as_f64()),
            ) {
                places.push(Place {
                    world: world_of(LonLat::new(lon, lat)),
                    zh: place_name(zh)
                        .map(|_| zh.to_string())
                        .unwrap_or_else(|| zh.replace('廣', "广")),
                    en: en.to_string(),
                    size: 20.0,
                    zoom: 5.0..10.0,
                    colour: Color32::from_gray(90),
                });
            }
        }
        Basemap { fills, lines, places }
    }

    /// Builds the basemap shapes for a view. Pure: the benchmark calls this.
    pub fn build(&self, view: &MapView, lang: Lang) -> LayerShapes {
        let mut out = LayerShapes::default();
        out.shapes.push(Shape::rect_filled(view.rect, 0.0, BACKGROUND));
        let mut mesh = Mesh::default();
        for f in &self.fills {
            let base = mesh.vertices.len() as u32;
            for v in &f.vertices {
                mesh.colored_vertex(view.to_screen(*v), f.colour);
            }
            mesh.indices.extend(f.indices.iter().map(|i| base + i));
        }
        let step = if view.zoom < 11.0 { 2.0 } else { 1.0 };
        for l in &self.lines {
            let w = l.width * (1.0 + ((view.zoom as f32 - 11.0) * 0.15).clamp(-0.3, 0.8));
            paint::polyline(
                &mut mesh,
                l.points.iter().map(|p| view.to_screen(*p)),
                w,
                l.colour,
                step,
            );
        }
        paint::into_shape(mesh, &mut out.shapes);
        for p in &self.places {
            if !p.zoom.contains(&view.zoom) {
                continue;
            }
            let text = match lang {
                Lang::Zh => p.zh.clone(),
                Lang::En if !p.en.is_empty() => p.en.clone(),
                Lang::En => continue,
            };
            out.labels.push(Label {
                pos: view.to_screen(p.world),
                text,
                size: p.size,
                colour: p.colour,
            });
        }
        out
    }
}

/// A label point for a polygon feature: its declared one, else the centre of its box.
fn label_point(f: &Value) -> Option<[f64; 2]> {
    let props = &f["properties"];
    if let (Some(lon), Some(lat)) = (props["label_lon"].as_f64(), props["label_lat"].as_f64()) {
        return Some(world_of(LonLat::new(lon, lat)));
    }
    let pts: Vec<[f64; 2]> = polygons(&f["geometry"]).into_iter().flatten().flatten().collect();
    if pts.is_empty() {
        return None;
    }
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in &pts {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    Some(world_of(LonLat::new((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0)))
}

/// The basemap as a plugin: it fills a shape slot reserved before the map painted its tiles,
/// so that it lies under them.
pub struct BasemapPlugin<'a> {
    /// The basemap.
    pub basemap: &'a Basemap,
    /// The slot (`painter.add(Shape::Noop)` before the map widget).
    pub slot: egui::layers::ShapeIdx,
    /// Label language.
    pub lang: Lang,
    /// Draw the place names (not over working raster tiles, which have their own).
    pub labels: bool,
}

impl Plugin for BasemapPlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        _response: &egui::Response,
        projector: &Projector,
        _map_memory: &walkers::MapMemory,
    ) {
        let view = view_of(projector);
        let built = self.basemap.build(&view, self.lang);
        ui.painter().set(self.slot, Shape::Vec(built.shapes));
        if self.labels {
            super::paint_labels(ui.painter(), &built.labels);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_packed_layer_parses() {
        let b = Basemap::load();
        assert!(b.fills.len() >= 5 + 26, "{} fills", b.fills.len());
        assert!(b.fills.iter().all(|f| !f.indices.is_empty()));
        assert!(b.lines.len() >= 10);
        assert!(b.places.iter().any(|p| p.zh == "禅城区" && p.en == "Chancheng"));
    }
}
