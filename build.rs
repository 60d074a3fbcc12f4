//! Build-time checks and packing of the embedded data.
//!
//! * `maps/demo_city/`: parsed and validated with the crate's own `model::tables` (included from
//!   `src/model` below), then packed into `$OUT_DIR/demo_city.pack` for `include_bytes!`
//!   (entries of `name length u32 LE | name | data length u64 LE | data`). A broken table fails
//!   the build naming `file:line`. A missing directory only warns (an empty pack), so that the
//!   generator can be built to make it.
//! * `maps/basemap/`: the offline basemap layers must exist and be JSON objects.

use std::path::Path;

#[allow(dead_code, unused_imports)]
#[path = "src/model/mod.rs"]
mod model;

const BASEMAP_FILES: [&str; 7] = [
    "foshan_city_wgs84.geojson",
    "foshan_districts_wgs84.geojson",
    "prd_context_districts_wgs84.geojson",
    "ne10m_rivers_prd.geojson",
    "ne10m_coastline_prd.geojson",
    "ne10m_ocean_prd.geojson",
    "ne10m_populated_places_prd.geojson",
];

fn fail(message: String) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    println!("cargo:rerun-if-changed=maps");
    println!("cargo:rerun-if-changed=src/model");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set".into()));
    check_basemap(Path::new("maps/basemap"));
    let pack = pack_demo_city(Path::new("maps/demo_city"));
    let out = Path::new(&out_dir).join("demo_city.pack");
    if let Err(e) = std::fs::write(&out, pack) {
        fail(format!("{}: {e}", out.display()));
    }
}

fn check_basemap(dir: &Path) {
    for name in BASEMAP_FILES {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                if !text.trim_ascii_start().starts_with(b"{") {
                    fail(format!("{}: not a GeoJSON object", path.display()));
                }
            }
            Err(e) => fail(format!("{}: {e}", path.display())),
        }
    }
}

fn pack_demo_city(dir: &Path) -> Vec<u8> {
    if !dir.join("manifest.csv").exists() {
        println!(
            "cargo:warning={}/manifest.csv is missing: the binary embeds no demo city",
            dir.display()
        );
        return Vec::new();
    }
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for name in model::tables::TABLE_FILES {
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => files.push((name, bytes)),
            Err(e) => fail(format!("{}/{name}: {e}", dir.display())),
        }
    }
    let parsed = model::tables::read_tables(|name| {
        files.iter().find(|(n, _)| *n == name).map(|(_, b)| b.as_slice())
    });
    if let Err(e) = parsed {
        fail(format!("{}/{e}", dir.display()));
    }
    let mut pack = Vec::with_capacity(files.iter().map(|f| f.1.len() + f.0.len() + 12).sum());
    for (name, data) in &files {
        pack.extend_from_slice(&(name.len() as u32).to_le_bytes());
        pack.extend_from_slice(name.as_bytes());
        pack.extend_from_slice(&(data.len() as u64).to_le_bytes());
        pack.extend_from_slice(data);
    }
    pack
}
