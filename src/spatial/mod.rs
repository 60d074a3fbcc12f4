//! What is near a point: rstar trees, bulk-loaded, for customers, transformers, switches and
//! line segments (MV and LV), in a local plane in metres.
//!
//! Positions are WGS84 lon/lat in the model. The index projects them to a local
//! equirectangular plane centred on the model (x = R·cos φ₀·λ, y = R·φ, metres), where
//! Euclidean distance differs from the great-circle distance by far less than a metre over a
//! city. Locating a caller is a nearest-neighbour query here, then a topology question.

use geo::{Contains, Coord, LineString, Point, Polygon};
use rstar::primitives::{GeomWithData, Line};
use rstar::{RTree, AABB};
use serde::Serialize;

use crate::model::{
    CustomerId, ElementRef, GridModel, LonLat, SubstationId, SwitchId, SwitchMount, TransformerId,
};

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The local plane: lon/lat degrees ↔ metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalPlane {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl LocalPlane {
    /// A plane centred at `centre`.
    pub fn new(centre: LonLat) -> Self {
        let ky = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        LocalPlane {
            lon0: centre.lon,
            lat0: centre.lat,
            kx: ky * centre.lat.to_radians().cos(),
            ky,
        }
    }

    /// Metres east and north of the centre.
    #[inline]
    pub fn to_xy(&self, p: LonLat) -> [f64; 2] {
        [(p.lon - self.lon0) * self.kx, (p.lat - self.lat0) * self.ky]
    }

    /// Back to lon/lat.
    #[inline]
    pub fn to_lonlat(&self, xy: [f64; 2]) -> LonLat {
        LonLat::new(xy[0] / self.kx + self.lon0, xy[1] / self.ky + self.lat0)
    }
}

/// A segment of a line route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentRef {
    /// The line (MV section or LV line).
    pub element: ElementRef,
    /// Index of the segment in the route.
    pub segment: u32,
}

/// A nearest-neighbour answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Nearest<T> {
    /// What was found.
    pub item: T,
    /// Distance from the query point in metres.
    pub dist_m: f64,
    /// The nearest point of the item (for a line, the foot on the segment).
    pub at: LonLat,
}

/// Everything inside a bounding box, for drawing a map view.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BoxContents {
    /// Customers.
    pub customers: Vec<CustomerId>,
    /// Transformers.
    pub transformers: Vec<TransformerId>,
    /// Switches.
    pub switches: Vec<SwitchId>,
    /// Line segments.
    pub segments: Vec<SegmentRef>,
}

type PointOf<T> = GeomWithData<[f64; 2], T>;
type SegmentOf = GeomWithData<Line<[f64; 2]>, SegmentRef>;

/// The spatial indexes of one model.
#[derive(Clone, Debug)]
pub struct SpatialIndex {
    plane: LocalPlane,
    customers: RTree<PointOf<CustomerId>>,
    transformers: RTree<PointOf<TransformerId>>,
    switches: RTree<PointOf<SwitchId>>,
    substations: RTree<PointOf<SubstationId>>,
    segments: RTree<SegmentOf>,
}

/// The centre of a model's positioned buses and customers (the plane's origin).
fn model_centre(model: &GridModel) -> LonLat {
    let (mut lo, mut hi) = (LonLat::new(f64::MAX, f64::MAX), LonLat::new(f64::MIN, f64::MIN));
    let mut any = false;
    for p in model.buses.iter().filter_map(|b| b.pos).chain(model.customers.iter().map(|c| c.pos)) {
        lo = LonLat::new(lo.lon.min(p.lon), lo.lat.min(p.lat));
        hi = LonLat::new(hi.lon.max(p.lon), hi.lat.max(p.lat));
        any = true;
    }
    if any {
        LonLat::new((lo.lon + hi.lon) / 2.0, (lo.lat + hi.lat) / 2.0)
    } else {
        LonLat::new(0.0, 0.0)
    }
}

/// Where a switch is drawn: its own position, else its first bus, else its line's start.
pub fn switch_position(model: &GridModel, id: SwitchId) -> Option<LonLat> {
    let s = model.switches.get(id.index())?;
    if s.pos.is_some() {
        return s.pos;
    }
    match s.mount {
        SwitchMount::Terminals { from, to } => {
            model.buses[from.index()].pos.or(model.buses[to.index()].pos)
        }
        SwitchMount::OnLine(l) => {
            let line = model.lines.get(l.index())?;
            line.route.first().copied().or(model.buses[line.from.index()].pos)
        }
    }
}

/// Where a transformer is drawn.
pub fn transformer_position(model: &GridModel, id: TransformerId) -> Option<LonLat> {
    let t = model.transformers.get(id.index())?;
    t.pos.or(model.buses[t.hv_bus.index()].pos).or(model.buses[t.lv_bus.index()].pos)
}

impl SpatialIndex {
    /// Bulk-loads the trees of a model. Elements without a position are left out.
    pub fn build(model: &GridModel) -> SpatialIndex {
        let plane = LocalPlane::new(model_centre(model));
        let customers = RTree::bulk_load(
            model
                .customers
                .iter()
                .enumerate()
                .map(|(i, c)| PointOf::new(plane.to_xy(c.pos), CustomerId(i as u32)))
                .collect(),
        );
        let transformers = RTree::bulk_load(
            (0..model.transformers.len() as u32)
                .map(TransformerId)
                .filter_map(|t| {
                    transformer_position(model, t).map(|p| PointOf::new(plane.to_xy(p), t))
                })
                .collect(),
        );
        let switches = RTree::bulk_load(
            (0..model.switches.len() as u32)
                .map(SwitchId)
                .filter_map(|s| switch_position(model, s).map(|p| PointOf::new(plane.to_xy(p), s)))
                .collect(),
        );
        let substations = RTree::bulk_load(
            (0..model.substations.len() as u32)
                .map(|i| {
                    PointOf::new(plane.to_xy(model.substations[i as usize].pos), SubstationId(i))
                })
                .collect(),
        );
        let mut segs = Vec::new();
        let mut add_route = |element: ElementRef, route: &[LonLat]| {
            for (k, w) in route.windows(2).enumerate() {
                segs.push(SegmentOf::new(
                    Line::new(plane.to_xy(w[0]), plane.to_xy(w[1])),
                    SegmentRef { element, segment: k as u32 },
                ));
            }
        };
        for (i, l) in model.lines.iter().enumerate() {
            add_route(ElementRef::Line(crate::model::LineId(i as u32)), &l.route);
        }
        for (i, l) in model.lv_lines.iter().enumerate() {
            add_route(ElementRef::LvLine(crate::model::LvLineId(i as u32)), &l.route);
        }
        SpatialIndex {
            plane,
            customers,
            transformers,
            switches,
            substations,
            segments: RTree::bulk_load(segs),
        }
    }

    /// The local plane used.
    pub fn plane(&self) -> &LocalPlane {
        &self.plane
    }

    fn nearest_point<T: Copy + PartialEq>(
        &self,
        tree: &RTree<PointOf<T>>,
        p: LonLat,
        max_dist_m: f64,
    ) -> Option<Nearest<T>> {
        let q = self.plane.to_xy(p);
        let (hit, d2) = tree.nearest_neighbor_iter_with_distance_2(&q).next()?;
        let dist_m = d2.sqrt();
        (dist_m <= max_dist_m).then(|| Nearest {
            item: hit.data,
            dist_m,
            at: self.plane.to_lonlat(*hit.geom()),
        })
    }

    /// The nearest customer within `max_dist_m`.
    pub fn nearest_customer(&self, p: LonLat, max_dist_m: f64) -> Option<Nearest<CustomerId>> {
        self.nearest_point(&self.customers, p, max_dist_m)
    }

    /// The nearest transformer within `max_dist_m`.
    pub fn nearest_transformer(
        &self,
        p: LonLat,
        max_dist_m: f64,
    ) -> Option<Nearest<TransformerId>> {
        self.nearest_point(&self.transformers, p, max_dist_m)
    }

    /// The nearest switch within `max_dist_m`.
    pub fn nearest_switch(&self, p: LonLat, max_dist_m: f64) -> Option<Nearest<SwitchId>> {
        self.nearest_point(&self.switches, p, max_dist_m)
    }

    /// The nearest substation within `max_dist_m`.
    pub fn nearest_substation(&self, p: LonLat, max_dist_m: f64) -> Option<Nearest<SubstationId>> {
        self.nearest_point(&self.substations, p, max_dist_m)
    }

    /// The nearest line segment (MV or LV) within `max_dist_m`.
    pub fn nearest_segment(&self, p: LonLat, max_dist_m: f64) -> Option<Nearest<SegmentRef>> {
        let q = self.plane.to_xy(p);
        let hit = self.segments.nearest_neighbor(&q)?;
        let foot = hit.geom().nearest_point(&q);
        let dist_m = ((foot[0] - q[0]).powi(2) + (foot[1] - q[1]).powi(2)).sqrt();
        (dist_m <= max_dist_m).then(|| Nearest {
            item: hit.data,
            dist_m,
            at: self.plane.to_lonlat(foot),
        })
    }

    /// The nearest MV line section only (skips LV lines), within `max_dist_m`.
    pub fn nearest_mv_segment(&self, p: LonLat, max_dist_m: f64) -> Option<Nearest<SegmentRef>> {
        let q = self.plane.to_xy(p);
        let max_d2 = max_dist_m * max_dist_m;
        let (hit, d2) = self
            .segments
            .nearest_neighbor_iter_with_distance_2(&q)
            .take_while(|(_, d2)| *d2 <= max_d2)
            .find(|(s, _)| matches!(s.data.element, ElementRef::Line(_)))?;
        let foot = hit.geom().nearest_point(&q);
        Some(Nearest { item: hit.data, dist_m: d2.sqrt(), at: self.plane.to_lonlat(foot) })
    }

    /// Customers inside a polygon (ring of lon/lat; closed or not), in id order.
    pub fn customers_in_polygon(&self, ring: &[LonLat]) -> Vec<CustomerId> {
        if ring.len() < 3 {
            return Vec::new();
        }
        let pts: Vec<Coord<f64>> = ring
            .iter()
            .map(|p| {
                let xy = self.plane.to_xy(*p);
                Coord { x: xy[0], y: xy[1] }
            })
            .collect();
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for c in &pts {
            lo = [lo[0].min(c.x), lo[1].min(c.y)];
            hi = [hi[0].max(c.x), hi[1].max(c.y)];
        }
        let poly = Polygon::new(LineString::new(pts), vec![]);
        let mut out: Vec<CustomerId> = self
            .customers
            .locate_in_envelope_intersecting(&AABB::from_corners(lo, hi))
            .filter(|c| poly.contains(&Point::new(c.geom()[0], c.geom()[1])))
            .map(|c| c.data)
            .collect();
        out.sort();
        out
    }

    /// Everything inside a lon/lat box (for the map: what to draw in view).
    pub fn in_box(&self, min: LonLat, max: LonLat) -> BoxContents {
        let env = AABB::from_corners(self.plane.to_xy(min), self.plane.to_xy(max));
        BoxContents {
            customers: self.customers.locate_in_envelope(&env).map(|c| c.data).collect(),
            transformers: self.transformers.locate_in_envelope(&env).map(|c| c.data).collect(),
            switches: self.switches.locate_in_envelope(&env).map(|c| c.data).collect(),
            segments: self.segments.locate_in_envelope_intersecting(&env).map(|c| c.data).collect(),
        }
    }

    /// Number of indexed customers, transformers, switches and segments.
    pub fn sizes(&self) -> [usize; 4] {
        [
            self.customers.size(),
            self.transformers.size(),
            self.switches.size(),
            self.segments.size(),
        ]
    }
}

#[cfg(test)]
mod tests;
