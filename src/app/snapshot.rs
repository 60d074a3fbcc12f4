//! The per-topology snapshot the map layers draw from: every position projected once into
//! world coordinates, every energisation and switch state asked of the engine once, and a
//! customer density pyramid for the low zooms. Rebuilt when the switch states change, never
//! per frame.
//!
//! Nothing here decides a grid fact: feeders, open switches and energisation are the
//! engine's answers (`topology.feeder_of`, `topology.is_open`, `topology.is_energised`).

use crate::grid::Grid;
use crate::model::{FeederId, LineId, SwitchKind, TransformerKind};
use crate::spatial::{switch_position, transformer_position};
use eframe::egui::{ecolor::Hsva, Color32};

use super::view::world_of;

/// Finest density level (cells of 2⁻²³ of the world, about 4 m at Foshan's latitude).
pub const DENSITY_MAX_LEVEL: u8 = 23;
/// Coarsest density level.
pub const DENSITY_MIN_LEVEL: u8 = 8;

/// A substation on the map.
#[derive(Clone, Debug)]
pub struct SubstationMark {
    /// World position.
    pub world: [f64; 2],
    /// Display name (`祖庙站`).
    pub name: String,
}

/// An MV line section on the map.
#[derive(Clone, Debug)]
pub struct LineMark {
    /// The line.
    pub line: LineId,
    /// The feeder energising it now (`None`: de-energised).
    pub feeder: Option<FeederId>,
    /// Nominal voltage, kV (of its feeder; 10 when unknown).
    pub kv: f32,
    /// Range of its points in [`MapSnapshot::line_points`].
    pub points: std::ops::Range<u32>,
    /// World bounding box `(min, max)`.
    pub bbox: ([f64; 2], [f64; 2]),
}

/// A switching device on the map.
#[derive(Clone, Copy, Debug)]
pub struct SwitchMark {
    /// World position.
    pub world: [f64; 2],
    /// What it is.
    pub kind: SwitchKind,
    /// Open now.
    pub open: bool,
}

/// A transformer on the map.
#[derive(Clone, Copy, Debug)]
pub struct TransformerMark {
    /// World position.
    pub world: [f64; 2],
    /// What it is.
    pub kind: TransformerKind,
}

/// Customer counts in one density cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DensityCell {
    /// Column at the level (`floor(world.x · 2^level)`).
    pub x: u32,
    /// Row at the level.
    pub y: u32,
    /// Customers in the cell.
    pub total: u32,
    /// Of which not energised.
    pub out: u32,
}

/// Density cells of one level, sorted by row then column.
#[derive(Clone, Debug, Default)]
pub struct DensityLevel {
    /// The cells that hold customers.
    pub cells: Vec<DensityCell>,
    /// The largest `total` of a cell.
    pub max_total: u32,
}

/// Customer counts on a quadtree of levels.
#[derive(Clone, Debug, Default)]
pub struct Density {
    levels: Vec<DensityLevel>,
}

impl Density {
    /// Counts the customers at every level from [`DENSITY_MIN_LEVEL`] to [`DENSITY_MAX_LEVEL`].
    pub fn build(world: &[[f64; 2]], energised: &[bool]) -> Density {
        let n = f64::from(1u32 << DENSITY_MAX_LEVEL);
        let mut keys: Vec<(u64, bool)> = world
            .iter()
            .zip(energised)
            .map(|(w, e)| {
                let x = (w[0] * n).clamp(0.0, n - 1.0) as u64;
                let y = (w[1] * n).clamp(0.0, n - 1.0) as u64;
                ((y << 32) | x, !*e)
            })
            .collect();
        keys.sort_unstable_by_key(|k| k.0);
        let mut cells: Vec<DensityCell> = Vec::new();
        for (k, out) in keys {
            let (x, y) = ((k & 0xffff_ffff) as u32, (k >> 32) as u32);
            match cells.last_mut() {
                Some(c) if c.x == x && c.y == y => {
                    c.total += 1;
                    c.out += u32::from(out);
                }
                _ => cells.push(DensityCell { x, y, total: 1, out: u32::from(out) }),
            }
        }
        let mut levels = vec![DensityLevel::default(); DENSITY_MAX_LEVEL as usize + 1];
        for level in (DENSITY_MIN_LEVEL..=DENSITY_MAX_LEVEL).rev() {
            let max_total = cells.iter().map(|c| c.total).max().unwrap_or(0);
            let coarser = coarsen(&cells);
            levels[level as usize] = DensityLevel { cells, max_total };
            cells = coarser;
        }
        Density { levels }
    }

    /// The cells of a level inside the world box `(min, max)`.
    pub fn cells_in(
        &self,
        level: u8,
        min: [f64; 2],
        max: [f64; 2],
    ) -> impl Iterator<Item = &DensityCell> + '_ {
        let lvl = &self.levels[level.clamp(DENSITY_MIN_LEVEL, DENSITY_MAX_LEVEL) as usize];
        let n = f64::from(1u32 << level.clamp(DENSITY_MIN_LEVEL, DENSITY_MAX_LEVEL));
        let cell = |v: f64| (v * n).clamp(0.0, n - 1.0) as u32;
        let (x0, x1, y0, y1) = (cell(min[0]), cell(max[0]), cell(min[1]), cell(max[1]));
        (y0..=y1).flat_map(move |y| {
            let start = lvl.cells.partition_point(|c| (c.y, c.x) < (y, x0));
            lvl.cells[start..].iter().take_while(move |c| c.y == y && c.x <= x1)
        })
    }

    /// The level's largest cell count.
    pub fn max_total(&self, level: u8) -> u32 {
        self.levels[level.clamp(DENSITY_MIN_LEVEL, DENSITY_MAX_LEVEL) as usize].max_total
    }
}

fn coarsen(cells: &[DensityCell]) -> Vec<DensityCell> {
    let mut up: Vec<DensityCell> =
        cells.iter().map(|c| DensityCell { x: c.x >> 1, y: c.y >> 1, ..*c }).collect();
    up.sort_unstable_by_key(|c| (c.y, c.x));
    let mut out: Vec<DensityCell> = Vec::with_capacity(up.len());
    for c in up {
        match out.last_mut() {
            Some(o) if o.x == c.x && o.y == c.y => {
                o.total += c.total;
                o.out += c.out;
            }
            _ => out.push(c),
        }
    }
    out
}

/// Everything the map layers draw, prepared from one state of the grid.
#[derive(Clone, Debug, Default)]
pub struct MapSnapshot {
    /// Customer positions, by `CustomerId`.
    pub customers: Vec<[f64; 2]>,
    /// Customer supplied now, by `CustomerId`.
    pub customer_energised: Vec<bool>,
    /// Customers not supplied now.
    pub customers_out: usize,
    /// Customer density pyramid.
    pub density: Density,
    /// Substations, by `SubstationId`.
    pub substations: Vec<SubstationMark>,
    /// MV line sections with a route.
    pub lines: Vec<LineMark>,
    /// The routes of [`MapSnapshot::lines`], concatenated.
    pub line_points: Vec<[f64; 2]>,
    /// Switches, by `SwitchId` (`None`: no position).
    pub switches: Vec<Option<SwitchMark>>,
    /// Transformers, by `TransformerId` (`None`: no position).
    pub transformers: Vec<Option<TransformerMark>>,
    /// One colour per feeder, by `FeederId`.
    pub feeder_colours: Vec<Color32>,
}

/// A distinct colour for the `i`-th feeder (golden-angle hues, two saturation bands).
pub fn feeder_colour(i: usize) -> Color32 {
    let h = (i as f32 * 0.618_034).fract();
    let (s, v) = if i.is_multiple_of(2) { (0.85, 0.80) } else { (0.70, 0.62) };
    Color32::from(Hsva::new(h, s, v, 1.0))
}

impl MapSnapshot {
    /// Prepares the snapshot of a grid in its current switch state.
    pub fn build(grid: &Grid) -> MapSnapshot {
        let m = &grid.model;
        let topo = &grid.topology;
        let customers: Vec<[f64; 2]> = m.customers.iter().map(|c| world_of(c.pos)).collect();
        let customer_energised: Vec<bool> =
            m.customers.iter().map(|c| topo.is_energised(c.bus)).collect();
        let customers_out = customer_energised.iter().filter(|e| !**e).count();
        let density = Density::build(&customers, &customer_energised);
        let substations = m
            .substations
            .iter()
            .map(|s| SubstationMark { world: world_of(s.pos), name: s.display_name.clone() })
            .collect();
        let mut lines = Vec::with_capacity(m.lines.len());
        let mut line_points = Vec::new();
        for (i, l) in m.lines.iter().enumerate() {
            if l.route.len() < 2 {
                continue;
            }
            let feeder = topo.feeder_of(l.from).or_else(|| topo.feeder_of(l.to));
            let kv = feeder.map(|f| m.feeders[f.index()].kv).unwrap_or(10.0);
            let start = line_points.len() as u32;
            let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
            for p in &l.route {
                let w = world_of(*p);
                lo = [lo[0].min(w[0]), lo[1].min(w[1])];
                hi = [hi[0].max(w[0]), hi[1].max(w[1])];
                line_points.push(w);
            }
            lines.push(LineMark {
                line: LineId(i as u32),
                feeder,
                kv,
                points: start..line_points.len() as u32,
                bbox: (lo, hi),
            });
        }
        let switches = (0..m.switches.len() as u32)
            .map(|i| {
                let id = crate::model::SwitchId(i);
                switch_position(m, id).map(|p| SwitchMark {
                    world: world_of(p),
                    kind: m.switches[i as usize].kind,
                    open: topo.is_open(id),
                })
            })
            .collect();
        let transformers = (0..m.transformers.len() as u32)
            .map(|i| {
                let id = crate::model::TransformerId(i);
                transformer_position(m, id).map(|p| TransformerMark {
                    world: world_of(p),
                    kind: m.transformers[i as usize].kind,
                })
            })
            .collect();
        let feeder_colours = (0..m.feeders.len()).map(feeder_colour).collect();
        MapSnapshot {
            customers,
            customer_energised,
            customers_out,
            density,
            substations,
            lines,
            line_points,
            switches,
            transformers,
            feeder_colours,
        }
    }

    /// The points of a line mark.
    pub fn route(&self, l: &LineMark) -> &[[f64; 2]] {
        &self.line_points[l.points.start as usize..l.points.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_counts_add_up_at_every_level() {
        let world: Vec<[f64; 2]> = (0..1000)
            .map(|i| [0.8 + (i % 37) as f64 * 1e-5, 0.44 + (i / 37) as f64 * 1e-5])
            .collect();
        let energised: Vec<bool> = (0..1000).map(|i| i % 10 != 0).collect();
        let d = Density::build(&world, &energised);
        for level in DENSITY_MIN_LEVEL..=DENSITY_MAX_LEVEL {
            let cells: Vec<_> = d.cells_in(level, [0.0, 0.0], [1.0, 1.0]).collect();
            assert_eq!(cells.iter().map(|c| c.total).sum::<u32>(), 1000, "level {level}");
            assert_eq!(cells.iter().map(|c| c.out).sum::<u32>(), 100, "level {level}");
        }
        assert_eq!(d.cells_in(DENSITY_MIN_LEVEL, [0.0, 0.0], [1.0, 1.0]).count(), 1);
        assert_eq!(d.cells_in(12, [0.0, 0.0], [0.1, 0.1]).count(), 0);
    }
}
