//! The seeded demo city of Foshan (佛山): a synthetic distribution grid and its customers laid
//! on real coordinates and real place names around 禅城区 and 南海区 桂城.
//!
//! [`generate_city`] builds the whole [`GridModel`] from a [`CityParams`]: 110 kV substations
//! named after real neighbourhoods (祖庙站, 桂城站, 石湾站, …), each with 8–12 radial 10 kV
//! feeders (breaker, trunk with sectionalisers and the odd recloser, fused laterals), normally
//! open tie switches between feeder ends of the same and of neighbouring substations, public
//! (公变) and dedicated (专变) distribution transformers, LV lines to buildings and village poles,
//! and customers with standard addresses (三级七段), names, phones and labels.
//!
//! The output depends on the seed only: the generator draws from [`crate::rng::Rng`] in a fixed
//! order and uses no platform trigonometry (see [`geo`]). The default city is committed as
//! `maps/demo_city` and embedded in the binary ([`embedded::demo_city`]).
//!
//! # Examples
//! ```
//! use gridcare::citygen::{generate_city, CityParams};
//! let city = generate_city(&CityParams { customers: 2_000, seed: 7 });
//! assert_eq!(city.customers.len(), 2_000);
//! assert!(city.substations.len() >= 3);
//! assert!(city.validate().is_ok());
//! ```

mod customers;
pub mod embedded;
pub mod geo;
mod names;
mod network;
mod places;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;

use crate::model::{BusId, GridModel, LineId, LineSection, LonLat, LvLine, Substation, Switch};
use crate::model::{SwitchId, SwitchKind, SwitchMount};
use crate::rng::Rng;

pub use embedded::demo_city;
pub use geo::DistrictMap;

use geo::{to_lonlat, to_xy, DistrictMap as Districts, Xy};
use names::{CompoundNamer, Numbers};
use places::{Site, SITES, TOWNSHIPS};

/// What city to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityParams {
    /// Number of customers (exactly this many are generated).
    pub customers: usize,
    /// Seed of the random stream; the same seed gives the same city, byte for byte.
    pub seed: u64,
}

impl Default for CityParams {
    /// The embedded demo city: 100,000 customers, seed 20261124.
    fn default() -> Self {
        CityParams { customers: 100_000, seed: 20_261_124 }
    }
}

/// The model name of generated cities.
pub const MODEL_NAME: &str = "foshan-demo";

/// Customers per feeder the plan aims at (a 10 kV urban feeder serves 1,500–3,000).
const CUSTOMERS_PER_FEEDER: f64 = 2_200.0;
/// Customers per substation the plan aims at.
const CUSTOMERS_PER_SUBSTATION: f64 = 20_000.0;

/// Generates a city. Deterministic: see the module documentation.
pub fn generate_city(params: &CityParams) -> GridModel {
    let mut rng = Rng::new(params.seed);
    let plan = plan(params.customers, &mut rng);
    let mut b = Builder::new(rng, &plan);
    for area in &b.city.areas {
        b.model.substations.push(Substation {
            name: format!("sub.{}", area.site.key),
            display_name: format!("{}站", area.site.name),
            pos: to_lonlat(area.pos),
            kv_hv: 110.0,
        });
    }
    let mut ends = Vec::new();
    for (a, feeders) in plan.iter().enumerate() {
        for (j, &customers) in feeders.iter().enumerate() {
            ends.push(network::build_feeder(&mut b, a, j, feeders.len(), customers));
        }
    }
    network::add_ties(&mut b, &ends);
    b.model
}

/// Generates a city and writes it as a model directory (`gridcare gen-city`).
pub fn write_city(params: &CityParams, out_dir: &Path) -> std::io::Result<()> {
    crate::model::tables::write_dir(&generate_city(params), out_dir)
}

/// Customers per feeder, per substation (substation `a` sits at `SITES[a]`).
fn plan(customers: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let n_sub =
        ((customers as f64 / CUSTOMERS_PER_SUBSTATION).round() as usize).clamp(3, SITES.len());
    let per_sub = (customers as f64 / (n_sub as f64 * CUSTOMERS_PER_FEEDER)).round() as i64;
    let mut weights: Vec<Vec<f64>> = Vec::with_capacity(n_sub);
    for site in &SITES[..n_sub] {
        let n = (per_sub + rng.below(3) as i64 - 1).clamp(8, 12) as usize;
        weights.push((0..n).map(|_| site.weight * rng.range_f64(0.7, 1.3)).collect());
    }
    let flat: Vec<f64> = weights.iter().flatten().copied().collect();
    let counts = apportion(customers, &flat);
    let mut out = Vec::with_capacity(n_sub);
    let mut k = 0;
    for w in &weights {
        out.push(counts[k..k + w.len()].to_vec());
        k += w.len();
    }
    out
}

/// Splits `total` in proportion to `weights` (largest remainder, ties to the lower index).
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&i, &j| {
        let (fi, fj) = (quotas[i] - quotas[i].floor(), quotas[j] - quotas[j].floor());
        fj.total_cmp(&fi).then(i.cmp(&j))
    });
    let missing = total - counts.iter().sum::<usize>();
    for &i in order.iter().cycle().take(missing) {
        counts[i] += 1;
    }
    counts
}

/// The service area of one substation.
#[derive(Debug)]
struct Area {
    site: &'static Site,
    /// Substation position.
    pos: Xy,
    /// No equipment farther than this from the substation.
    radius_m: f64,
    /// The street grid: two perpendicular unit vectors.
    grid: (Xy, Xy),
    /// Heading of the first feeder (unit vector): towards the nearest other substation, so that
    /// the two areas' first feeders end near each other and can be tied.
    heading: Xy,
}

/// The geography shared by all feeders.
#[derive(Debug)]
struct City {
    areas: Vec<Area>,
    districts: &'static Districts,
}

impl City {
    /// True when `p` may carry equipment of area `a`: inside the area's district, within its
    /// radius and not much nearer another substation (a soft Voronoi cell).
    fn allowed(&self, a: usize, p: Xy) -> bool {
        let area = &self.areas[a];
        let d = p.dist(area.pos);
        if d > area.radius_m {
            return false;
        }
        let nearer_other =
            self.areas.iter().enumerate().any(|(k, other)| k != a && p.dist(other.pos) * 1.1 < d);
        !nearer_other && self.districts.contains(area.site.district, to_lonlat(p))
    }

    /// `p` if it lies in `district`, else `fallback`.
    fn settle(&self, district: &str, p: Xy, fallback: Xy) -> Xy {
        if self.districts.contains(district, to_lonlat(p)) {
            p
        } else {
            fallback
        }
    }

    /// The township (index into [`TOWNSHIPS`]) of `p`: the nearest seat in its district.
    fn township(&self, district: &str, p: Xy) -> usize {
        let mut best = (f64::MAX, 0);
        for (i, t) in TOWNSHIPS.iter().enumerate().filter(|(_, t)| t.district == district) {
            for &(lon, lat) in t.seats {
                let d = to_xy(LonLat::new(lon, lat)).dist(p);
                if d < best.0 {
                    best = (d, i);
                }
            }
        }
        best.1
    }

    /// The community of `p` in a township: patches of about 700 m, hashed onto the list.
    fn community(&self, township: usize, p: Xy) -> &'static str {
        let list = TOWNSHIPS[township].communities;
        let (cx, cy) = ((p.x / 700.0).floor() as i64, (p.y / 700.0).floor() as i64);
        let mut h = (cx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (cy as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ township as u64;
        h ^= h >> 31;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 29;
        list[(h % list.len() as u64) as usize]
    }
}

/// The model under construction with the generator's state.
struct Builder {
    model: GridModel,
    rng: Rng,
    city: City,
    numbers: Numbers,
    /// Compound names, per township.
    compounds: Vec<CompoundNamer>,
    /// Last house number given out, per (township, road).
    house_numbers: HashMap<(usize, String), u32>,
}

impl Builder {
    fn new(mut rng: Rng, plan: &[Vec<usize>]) -> Self {
        let mut areas = Vec::with_capacity(plan.len());
        for (site, feeders) in SITES.iter().zip(plan) {
            let customers: usize = feeders.iter().sum();
            let u = Xy::unit(rng.range_f64(-0.3, 0.3));
            areas.push(Area {
                site,
                pos: to_xy(LonLat::new(site.lon, site.lat)),
                radius_m: 1_600.0 + 10.0 * (customers as f64).sqrt(),
                grid: (u, u.perp()),
                heading: Xy::new(1.0, 0.0),
            });
        }
        for a in 0..areas.len() {
            let me = areas[a].pos;
            let nearest = areas
                .iter()
                .map(|o| o.pos)
                .filter(|p| *p != me)
                .min_by(|p, q| p.dist(me).total_cmp(&q.dist(me)))
                .unwrap_or(Xy::new(me.x + 1.0, me.y));
            let d = nearest.minus(me);
            areas[a].heading = d.scale(1.0 / d.len()).rotate(rng.range_f64(-0.1, 0.1));
        }
        let compounds =
            TOWNSHIPS.iter().map(|t| CompoundNamer::new(&mut rng, t.compounds)).collect();
        let total: usize = plan.iter().flatten().sum();
        Builder {
            model: GridModel {
                name: MODEL_NAME.to_string(),
                customers: Vec::with_capacity(total),
                ..GridModel::default()
            },
            rng,
            city: City { areas, districts: Districts::foshan() },
            numbers: Numbers::default(),
            compounds,
            house_numbers: HashMap::new(),
        }
    }

    /// The next house number on a road, `step` at most after the last one.
    fn house_no(&mut self, township: usize, road: &str, step: u64) -> String {
        let step = 1 + self.rng.below(step.max(1)) as u32;
        let n = self.house_numbers.entry((township, road.to_string())).or_insert(0);
        *n += step;
        format!("{n}号")
    }

    fn bus(&mut self, name: String, p: Xy) -> BusId {
        let id = BusId(self.model.buses.len() as u32);
        self.model.buses.push(crate::model::Bus { name, pos: Some(to_lonlat(p)) });
        id
    }

    fn bus_pos(&self, b: BusId) -> LonLat {
        self.model.buses[b.index()].pos.unwrap_or_default()
    }

    /// A route from bus `from` through `via` to bus `to`; consecutive duplicates dropped.
    fn route(&self, from: BusId, via: &[Xy], to: BusId) -> Vec<LonLat> {
        let mut route = Vec::with_capacity(via.len() + 2);
        route.push(self.bus_pos(from));
        for p in via.iter().map(|p| to_lonlat(*p)).chain([self.bus_pos(to)]) {
            if route.last() != Some(&p) {
                route.push(p);
            }
        }
        if route.len() == 1 {
            route.push(route[0]);
        }
        route
    }

    fn line(&mut self, name: String, from: BusId, to: BusId, via: &[Xy]) -> LineId {
        let route = self.route(from, via, to);
        let id = LineId(self.model.lines.len() as u32);
        self.model.lines.push(LineSection {
            name,
            from,
            to,
            length_m: length(&route),
            phases: 3,
            route,
            in_service: true,
        });
        id
    }

    fn lv_line(&mut self, name: String, from: BusId, to: BusId, via: &[Xy]) {
        let route = self.route(from, via, to);
        self.model.lv_lines.push(LvLine { name, from, to, length_m: length(&route), route });
    }

    fn switch(&mut self, name: String, kind: SwitchKind, from: BusId, to: BusId) -> SwitchId {
        let id = SwitchId(self.model.switches.len() as u32);
        self.model.switches.push(Switch {
            name,
            kind,
            mount: SwitchMount::Terminals { from, to },
            normally_open: kind == SwitchKind::Tie,
            pos: Some(self.bus_pos(from)),
        });
        id
    }
}

/// Route length in metres, to 0.1 m.
fn length(route: &[LonLat]) -> f32 {
    ((geo::route_length_m(route) * 10.0).round() / 10.0) as f32
}

/// Write the default city to `maps/demo_city` with the lead's CLI (`gridcare gen-city`), or with
/// `GRIDCARE_BLESS=1 cargo test --release citygen::tests::the_default_city_is_maps_demo_city`.
pub const DEMO_CITY_DIR: &str = "maps/demo_city";
