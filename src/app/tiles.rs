//! Raster tiles under the grid, from the configured source: an XYZ URL template (walkers'
//! `HttpTiles`, cached on disk in the data directory), a local `z/x/y` folder, or an MBTiles
//! file (feature `mbtiles`). Local sources are read and decoded on a worker thread. Each
//! source reports whether it is failing; the map then says so and the vector basemap, drawn
//! underneath, shows through.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use eframe::egui::{pos2, vec2, Context, Rect};
use walkers::sources::{Attribution, TileSource};
use walkers::{HttpOptions, HttpTiles, Style, Tile, TileId, TilePiece, Tiles};

use super::state::TileConfig;

/// How a tile source is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TileStatus {
    /// Tiles are arriving (or nothing was asked yet).
    Ok,
    /// Failing: why, for the notice.
    Failing(String),
}

/// A configured raster source.
pub struct TileLayer {
    inner: Source,
    attribution: String,
}

enum Source {
    Http(Box<HttpWatch>),
    Local(LocalTiles),
    Broken(String),
}

struct HttpWatch {
    tiles: HttpTiles,
    host: String,
    first_request: Option<Instant>,
    any_tile: bool,
}

struct UrlTemplate(String);

impl TileSource for UrlTemplate {
    fn tile_url(&self, id: TileId) -> String {
        expand_template(&self.0, id)
    }

    fn attribution(&self) -> Attribution {
        Attribution { text: "", url: "", logo_light: None, logo_dark: None }
    }
}

/// Fills an XYZ template: `{z}`, `{x}`, `{y}`, `{-y}` (TMS rows) and `{s}` (a, b, c).
pub fn expand_template(template: &str, id: TileId) -> String {
    let tms_y = (1u32 << id.zoom).saturating_sub(1).saturating_sub(id.y);
    let sub = ["a", "b", "c"][((id.x + id.y) % 3) as usize];
    template
        .replace("{z}", &id.zoom.to_string())
        .replace("{x}", &id.x.to_string())
        .replace("{-y}", &tms_y.to_string())
        .replace("{y}", &id.y.to_string())
        .replace("{s}", sub)
}

impl TileLayer {
    /// Opens a source; `None` for [`TileConfig::None`]. Never fails: a broken source is a
    /// layer that reports why.
    pub fn open(config: &TileConfig, cache_dir: &Path, ctx: &Context) -> Option<TileLayer> {
        let (inner, attribution) = match config {
            TileConfig::None => return None,
            TileConfig::Url { template, attribution } => {
                if !template.contains("{z}") || !template.contains("{x}") {
                    (
                        Source::Broken(format!("`{template}` has no {{z}}/{{x}}/{{y}}")),
                        attribution.clone(),
                    )
                } else {
                    // https needs a TLS provider; ring is light and pure enough to build anywhere
                    let _ = rustls::crypto::ring::default_provider().install_default();
                    let options =
                        HttpOptions { cache: Some(cache_dir.to_path_buf()), ..Default::default() };
                    let host = template.split('/').nth(2).unwrap_or(template).to_string();
                    let tiles = HttpTiles::with_options(
                        UrlTemplate(template.clone()),
                        options,
                        ctx.clone(),
                    );
                    (
                        Source::Http(Box::new(HttpWatch {
                            tiles,
                            host,
                            first_request: None,
                            any_tile: false,
                        })),
                        attribution.clone(),
                    )
                }
            }
            TileConfig::Dir { path, attribution } => {
                if path.is_dir() {
                    let reader = DirReader { root: path.clone() };
                    (Source::Local(LocalTiles::new(Box::new(reader), 22, ctx)), attribution.clone())
                } else {
                    (
                        Source::Broken(format!("{}: no such folder", path.display())),
                        attribution.clone(),
                    )
                }
            }
            TileConfig::MbTiles { path } => open_mbtiles(path, ctx),
        };
        Some(TileLayer { inner, attribution })
    }

    /// The attribution to show.
    pub fn attribution(&self) -> &str {
        &self.attribution
    }

    /// True once the source has delivered a tile or given up: until then the map re-checks
    /// its status every second even when nothing else moves.
    pub fn settled(&self) -> bool {
        match &self.inner {
            Source::Broken(_) => true,
            Source::Http(h) => h.any_tile || matches!(self.status(), TileStatus::Failing(_)),
            Source::Local(l) => l.any_tile || l.last_error.is_some(),
        }
    }

    /// Whether the source is failing.
    pub fn status(&self) -> TileStatus {
        match &self.inner {
            Source::Broken(why) => TileStatus::Failing(why.clone()),
            Source::Http(h) => match h.first_request {
                Some(t) if !h.any_tile && t.elapsed() > Duration::from_secs(8) => {
                    TileStatus::Failing(format!("no tile from {} in 8 s", h.host))
                }
                _ => TileStatus::Ok,
            },
            Source::Local(l) => match (&l.last_error, l.any_tile) {
                (Some(e), false) => TileStatus::Failing(e.clone()),
                _ => TileStatus::Ok,
            },
        }
    }
}

impl Tiles for TileLayer {
    fn at(&mut self, id: TileId) -> Option<TilePiece> {
        match &mut self.inner {
            Source::Broken(_) => None,
            Source::Http(h) => {
                h.first_request.get_or_insert_with(Instant::now);
                let piece = h.tiles.at(id);
                h.any_tile |= piece.is_some();
                piece
            }
            Source::Local(l) => l.at(id),
        }
    }

    fn attribution(&self) -> Attribution {
        Attribution { text: "", url: "", logo_light: None, logo_dark: None }
    }

    fn tile_size(&self) -> u32 {
        256
    }
}

/// Reads raw tile bytes on the worker thread.
trait TileReader: Send {
    /// The tile's bytes; `Ok(None)` when the source has no such tile.
    fn read(&mut self, id: TileId) -> Result<Option<Vec<u8>>, String>;
}

struct DirReader {
    root: PathBuf,
}

impl TileReader for DirReader {
    fn read(&mut self, id: TileId) -> Result<Option<Vec<u8>>, String> {
        for ext in ["png", "jpg", "jpeg"] {
            let p = self.root.join(format!("{}/{}/{}.{ext}", id.zoom, id.x, id.y));
            match std::fs::read(&p) {
                Ok(bytes) => return Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("{}: {e}", p.display())),
            }
        }
        Ok(None)
    }
}

#[cfg(feature = "mbtiles")]
struct MbReader {
    conn: rusqlite::Connection,
}

#[cfg(feature = "mbtiles")]
impl TileReader for MbReader {
    fn read(&mut self, id: TileId) -> Result<Option<Vec<u8>>, String> {
        use rusqlite::OptionalExtension;
        let row = (1u32 << id.zoom) - 1 - id.y; // MBTiles rows count from the south (TMS)
        self.conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                rusqlite::params![id.zoom, id.x, row],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map_err(|e| e.to_string())
    }
}

#[cfg(feature = "mbtiles")]
fn open_mbtiles(path: &Path, ctx: &Context) -> (Source, String) {
    use rusqlite::{Connection, OpenFlags, OptionalExtension};
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => return (Source::Broken(format!("{}: {e}", path.display())), String::new()),
    };
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM metadata WHERE name = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .ok()
        .flatten()
    };
    if let Err(e) = conn.query_row("SELECT count(*) FROM tiles LIMIT 1", [], |r| r.get::<_, i64>(0))
    {
        return (
            Source::Broken(format!("{}: not an MBTiles file ({e})", path.display())),
            String::new(),
        );
    }
    let attribution = meta("attribution").unwrap_or_default();
    let max_zoom = meta("maxzoom").and_then(|z| z.parse::<u8>().ok()).unwrap_or(22);
    (Source::Local(LocalTiles::new(Box::new(MbReader { conn }), max_zoom, ctx)), attribution)
}

#[cfg(not(feature = "mbtiles"))]
fn open_mbtiles(path: &Path, _ctx: &Context) -> (Source, String) {
    (
        Source::Broken(format!(
            "{}: this build has no MBTiles support (feature `mbtiles`)",
            path.display()
        )),
        String::new(),
    )
}

enum Slot {
    Pending,
    Missing,
    Ready(Tile),
}

/// Tiles read and decoded on a worker thread, newest request first.
struct LocalTiles {
    requests: Arc<(Mutex<Queue>, Condvar)>,
    done: mpsc::Receiver<(TileId, Result<Option<Tile>, String>)>,
    cache: HashMap<TileId, (Slot, u64)>,
    max_zoom: u8,
    frame: u64,
    any_tile: bool,
    last_error: Option<String>,
}

#[derive(Default)]
struct Queue {
    ids: Vec<TileId>,
    closed: bool,
}

/// Requests waiting beyond this many are dropped, oldest first.
const MAX_QUEUED: usize = 128;
/// Tiles kept in memory.
const MAX_CACHED: usize = 768;

impl LocalTiles {
    fn new(mut reader: Box<dyn TileReader>, max_zoom: u8, ctx: &Context) -> LocalTiles {
        let requests: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let (tx, done) = mpsc::channel();
        let queue = requests.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || loop {
            let id = {
                let (lock, cv) = &*queue;
                let Ok(mut q) = lock.lock() else { return };
                while q.ids.is_empty() && !q.closed {
                    match cv.wait(q) {
                        Ok(g) => q = g,
                        Err(_) => return,
                    }
                }
                if q.closed {
                    return;
                }
                q.ids.pop()
            };
            let Some(id) = id else { continue };
            let result = reader.read(id).and_then(|bytes| match bytes {
                None => Ok(None),
                Some(b) => Tile::new(&b, &Style, id.zoom, 256, &ctx)
                    .map(Some)
                    .map_err(|e| format!("tile {}/{}/{}: {e}", id.zoom, id.x, id.y)),
            });
            if tx.send((id, result)).is_err() {
                return; // the layer is gone
            }
            ctx.request_repaint();
        });
        LocalTiles {
            requests,
            done,
            cache: HashMap::new(),
            max_zoom,
            frame: 0,
            any_tile: false,
            last_error: None,
        }
    }

    fn at(&mut self, id: TileId) -> Option<TilePiece> {
        self.frame += 1;
        while let Ok((tid, result)) = self.done.try_recv() {
            let slot = match result {
                Ok(Some(tile)) => {
                    self.any_tile = true;
                    Slot::Ready(tile)
                }
                Ok(None) => {
                    self.last_error.get_or_insert_with(|| "no tiles for this area".to_string());
                    Slot::Missing
                }
                Err(e) => {
                    self.last_error = Some(e);
                    Slot::Missing
                }
            };
            self.cache.insert(tid, (slot, self.frame));
        }
        let want = if id.zoom > self.max_zoom { parent(id, self.max_zoom).0 } else { id };
        if !self.cache.contains_key(&want) {
            self.cache.insert(want, (Slot::Pending, self.frame));
            let (lock, cv) = &*self.requests;
            if let Ok(mut q) = lock.lock() {
                q.ids.push(want);
                if q.ids.len() > MAX_QUEUED {
                    let excess = q.ids.len() - MAX_QUEUED;
                    let dropped: Vec<TileId> = q.ids.drain(..excess).collect();
                    for d in dropped {
                        self.cache.remove(&d);
                    }
                }
                cv.notify_one();
            }
        }
        if self.cache.len() > MAX_CACHED {
            let mut stamps: Vec<u64> = self.cache.values().map(|(_, f)| *f).collect();
            stamps.sort_unstable();
            let cut = stamps[stamps.len() / 4];
            self.cache.retain(|_, (slot, f)| *f > cut || matches!(slot, Slot::Pending));
        }
        // that tile, else the nearest zoomed-out one that is loaded
        for z in (0..=id.zoom.min(self.max_zoom)).rev() {
            let (pid, uv) = parent(id, z);
            if let Some((Slot::Ready(tile), stamp)) = self.cache.get_mut(&pid) {
                *stamp = self.frame;
                return Some(TilePiece::new(tile.clone(), uv));
            }
        }
        None
    }
}

impl Drop for LocalTiles {
    fn drop(&mut self) {
        let (lock, cv) = &*self.requests;
        if let Ok(mut q) = lock.lock() {
            q.closed = true;
        }
        cv.notify_all();
    }
}

/// The ancestor of a tile at `zoom` and the part of it the tile covers.
fn parent(id: TileId, zoom: u8) -> (TileId, Rect) {
    let dz = id.zoom.saturating_sub(zoom);
    let d = 1u32 << dz;
    let pid = TileId { x: id.x / d, y: id.y / d, zoom: id.zoom - dz };
    let f = 1.0 / d as f32;
    let uv = Rect::from_min_size(pos2((id.x % d) as f32 * f, (id.y % d) as f32 * f), vec2(f, f));
    (pid, uv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_xyz_and_tms_rows() {
        let id = TileId { x: 3, y: 1, zoom: 2 };
        assert_eq!(expand_template("http://h/{z}/{x}/{y}.png", id), "http://h/2/3/1.png");
        assert_eq!(expand_template("http://h/{z}/{x}/{-y}.png", id), "http://h/2/3/2.png");
        assert_eq!(expand_template("http://{s}.h/{z}/{x}/{y}", id), "http://b.h/2/3/1");
    }

    #[test]
    fn a_parent_tile_covers_its_children() {
        let (p, uv) = parent(TileId { x: 5, y: 6, zoom: 4 }, 2);
        assert_eq!(p, TileId { x: 1, y: 1, zoom: 2 });
        assert_eq!(uv, Rect::from_min_size(pos2(0.25, 0.5), vec2(0.25, 0.25)));
    }

    #[test]
    fn a_missing_folder_is_a_failing_source_not_a_crash() {
        let ctx = Context::default();
        let cfg = TileConfig::Dir { path: "/nonexistent/tiles".into(), attribution: String::new() };
        let layer = TileLayer::open(&cfg, Path::new("/tmp"), &ctx).expect("a layer");
        assert!(matches!(layer.status(), TileStatus::Failing(_)));
    }

    /// A 1×1 red PNG.
    const PNG: [u8; 69] = [
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2,
        0, 0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 0,
        3, 1, 1, 0, 201, 254, 146, 239, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];

    /// Asks for a tile until the worker has delivered it (or 5 s pass).
    fn fetch(layer: &mut TileLayer, id: TileId) -> Option<TilePiece> {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            if let Some(p) = layer.at(id) {
                return Some(p);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    #[test]
    fn a_tile_folder_serves_its_tiles_and_their_parents_for_deeper_zooms() {
        let dir = std::env::temp_dir().join(format!("gridcare-tiles-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("3/6")).expect("dir");
        std::fs::write(dir.join("3/6/3.png"), PNG).expect("tile");
        let ctx = Context::default();
        let cfg = TileConfig::Dir { path: dir.clone(), attribution: "test tiles".into() };
        let mut layer = TileLayer::open(&cfg, Path::new("/tmp"), &ctx).expect("a layer");
        assert_eq!(layer.attribution(), "test tiles");
        let piece = fetch(&mut layer, TileId { x: 6, y: 3, zoom: 3 }).expect("the tile");
        assert_eq!(piece.uv, Rect::from_min_size(pos2(0.0, 0.0), vec2(1.0, 1.0)));
        // a tile the folder lacks falls back to the loaded ancestor's quarter
        let child = fetch(&mut layer, TileId { x: 13, y: 7, zoom: 4 }).expect("the parent");
        assert_eq!(child.uv, Rect::from_min_size(pos2(0.5, 0.5), vec2(0.5, 0.5)));
        assert_eq!(layer.status(), TileStatus::Ok);
    }

    #[cfg(feature = "mbtiles")]
    #[test]
    fn an_mbtiles_file_serves_its_tiles_with_tms_rows() {
        let path = std::env::temp_dir().join(format!("gridcare-{}.mbtiles", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let db = rusqlite::Connection::open(&path).expect("db");
        db.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             INSERT INTO metadata VALUES ('attribution', 'MBTiles test'), ('maxzoom', '5');",
        )
        .expect("schema");
        // XYZ row 3 at zoom 3 is TMS row 8 - 1 - 3 = 4
        db.execute("INSERT INTO tiles VALUES (3, 6, 4, ?1)", [PNG.to_vec()]).expect("tile");
        drop(db);
        let ctx = Context::default();
        let mut layer =
            TileLayer::open(&TileConfig::MbTiles { path }, Path::new("/tmp"), &ctx).expect("layer");
        assert_eq!(layer.attribution(), "MBTiles test");
        assert!(fetch(&mut layer, TileId { x: 6, y: 3, zoom: 3 }).is_some());
    }
}
