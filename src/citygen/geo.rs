//! Plane geometry for the generator and the district polygons of Foshan.
//!
//! The generator works in metres east and north of a fixed origin and only uses `+ - * /` and
//! `sqrt`, which IEEE 754 rounds exactly: the platform's `sin`/`cos`/`ln` may differ in the last
//! bit between systems, and a demo city must be the same bytes everywhere. Angles go through
//! [`sin_cos`], a Taylor series written out here.

use std::sync::OnceLock;

use crate::model::LonLat;

/// Metres per degree of latitude on the sphere that [`LonLat::haversine_dist_m`] uses
/// (radius 6,371,008.8 m × π / 180).
pub const M_PER_DEG_LAT: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// The origin of the generator's plane: 113.12 E, 23.02 N (禅城区/南海区 桂城).
pub const ORIGIN: LonLat = LonLat::new(113.12, 23.02);

/// A point or vector in metres east (`x`) and north (`y`) of [`ORIGIN`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Xy {
    /// Metres east.
    pub x: f64,
    /// Metres north.
    pub y: f64,
}

impl Xy {
    /// A point or vector.
    pub const fn new(x: f64, y: f64) -> Self {
        Xy { x, y }
    }

    /// Sum.
    pub fn plus(self, o: Xy) -> Xy {
        Xy::new(self.x + o.x, self.y + o.y)
    }

    /// Difference.
    pub fn minus(self, o: Xy) -> Xy {
        Xy::new(self.x - o.x, self.y - o.y)
    }

    /// Scaled by `k`.
    pub fn scale(self, k: f64) -> Xy {
        Xy::new(self.x * k, self.y * k)
    }

    /// Dot product.
    pub fn dot(self, o: Xy) -> f64 {
        self.x * o.x + self.y * o.y
    }

    /// Length in metres.
    pub fn len(self) -> f64 {
        self.dot(self).sqrt()
    }

    /// Distance in metres.
    pub fn dist(self, o: Xy) -> f64 {
        self.minus(o).len()
    }

    /// Rotated a quarter turn anticlockwise.
    pub fn perp(self) -> Xy {
        Xy::new(-self.y, self.x)
    }

    /// Rotated by `angle` radians anticlockwise.
    pub fn rotate(self, angle: f64) -> Xy {
        let (s, c) = sin_cos(angle);
        Xy::new(self.x * c - self.y * s, self.x * s + self.y * c)
    }

    /// The unit vector at `angle` radians anticlockwise from east.
    pub fn unit(angle: f64) -> Xy {
        let (s, c) = sin_cos(angle);
        Xy::new(c, s)
    }
}

/// `(sin a, cos a)` by Taylor series after reduction to `[-π, π]`; error below 1e-15.
pub fn sin_cos(a: f64) -> (f64, f64) {
    use std::f64::consts::{PI, TAU};
    let a = a - TAU * ((a + PI) / TAU).floor();
    let x2 = a * a;
    let (mut s, mut c) = (0.0, 0.0);
    let (mut ts, mut tc) = (a, 1.0);
    for k in 1..=14 {
        s += ts;
        c += tc;
        let k = k as f64;
        ts *= -x2 / ((2.0 * k) * (2.0 * k + 1.0));
        tc *= -x2 / ((2.0 * k - 1.0) * (2.0 * k));
    }
    (s, c)
}

/// `cos` of a latitude in degrees.
pub fn cos_deg(deg: f64) -> f64 {
    sin_cos(deg * (std::f64::consts::PI / 180.0)).1
}

/// Rounded to 1e-6 degrees (about 0.1 m), the precision of the model files.
pub fn quantize(deg: f64) -> f64 {
    (deg * 1e6).round() / 1e6
}

fn m_per_deg_lon() -> f64 {
    static M: OnceLock<f64> = OnceLock::new();
    *M.get_or_init(|| M_PER_DEG_LAT * cos_deg(ORIGIN.lat))
}

/// The WGS84 position of a plane point, rounded to the file precision.
pub fn to_lonlat(p: Xy) -> LonLat {
    LonLat::new(
        quantize(ORIGIN.lon + p.x / m_per_deg_lon()),
        quantize(ORIGIN.lat + p.y / M_PER_DEG_LAT),
    )
}

/// The plane point of a WGS84 position.
pub fn to_xy(p: LonLat) -> Xy {
    Xy::new((p.lon - ORIGIN.lon) * m_per_deg_lon(), (p.lat - ORIGIN.lat) * M_PER_DEG_LAT)
}

/// Length of a route in metres: each segment on the local equirectangular plane at its mid
/// latitude (within a millimetre of the haversine sum for segments of a few hundred metres).
pub fn route_length_m(route: &[LonLat]) -> f64 {
    route
        .windows(2)
        .map(|w| {
            let k = cos_deg((w[0].lat + w[1].lat) / 2.0);
            let dx = (w[1].lon - w[0].lon) * M_PER_DEG_LAT * k;
            let dy = (w[1].lat - w[0].lat) * M_PER_DEG_LAT;
            (dx * dx + dy * dy).sqrt()
        })
        .sum()
}

/// The five districts of Foshan (`maps/basemap/foshan_districts_wgs84.geojson`, embedded), for
/// point-in-polygon look-ups.
#[derive(Debug)]
pub struct DistrictMap {
    districts: Vec<District>,
}

#[derive(Debug)]
struct District {
    name: String,
    /// lon min, lat min, lon max, lat max.
    bbox: [f64; 4],
    /// Edges `[lon1, lat1, lon2, lat2]` of all rings, bucketed by latitude band.
    bands: Vec<Vec<[f64; 4]>>,
    band_h: f64,
}

const BANDS: usize = 128;

impl District {
    fn new(name: String, rings: Vec<Vec<[f64; 2]>>) -> Self {
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for p in rings.iter().flatten() {
            bbox = [bbox[0].min(p[0]), bbox[1].min(p[1]), bbox[2].max(p[0]), bbox[3].max(p[1])];
        }
        let band_h = (bbox[3] - bbox[1]) / BANDS as f64;
        let mut bands = vec![Vec::new(); BANDS];
        for ring in &rings {
            for k in 0..ring.len() {
                let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
                let lo = ((a[1].min(b[1]) - bbox[1]) / band_h).floor() as usize;
                let hi = ((a[1].max(b[1]) - bbox[1]) / band_h).floor() as usize;
                for band in &mut bands[lo.min(BANDS - 1)..=hi.min(BANDS - 1)] {
                    band.push([a[0], a[1], b[0], b[1]]);
                }
            }
        }
        District { name, bbox, bands, band_h }
    }

    /// Even-odd ray casting over the edges of the point's latitude band.
    fn contains(&self, p: LonLat) -> bool {
        let (x, y) = (p.lon, p.lat);
        if x < self.bbox[0] || x > self.bbox[2] || y < self.bbox[1] || y > self.bbox[3] {
            return false;
        }
        let band = (((y - self.bbox[1]) / self.band_h) as usize).min(BANDS - 1);
        let mut inside = false;
        for e in &self.bands[band] {
            if (e[1] > y) != (e[3] > y) && x < e[0] + (y - e[1]) * (e[2] - e[0]) / (e[3] - e[1]) {
                inside = !inside;
            }
        }
        inside
    }
}

impl DistrictMap {
    /// The embedded district polygons of Foshan, parsed once.
    pub fn foshan() -> &'static DistrictMap {
        static MAP: OnceLock<DistrictMap> = OnceLock::new();
        MAP.get_or_init(|| {
            DistrictMap::from_geojson(include_str!(
                "../../maps/basemap/foshan_districts_wgs84.geojson"
            ))
            .expect("maps/basemap/foshan_districts_wgs84.geojson is checked by build.rs")
        })
    }

    /// Parses a GeoJSON FeatureCollection of (Multi)Polygons with a `name` property.
    pub fn from_geojson(text: &str) -> Result<DistrictMap, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let features = v["features"].as_array().ok_or("no `features` array")?;
        let mut districts = Vec::new();
        for f in features {
            let name = f["properties"]["name"].as_str().ok_or("a feature without `name`")?;
            let coords = &f["geometry"]["coordinates"];
            let polygons: Vec<&serde_json::Value> = match f["geometry"]["type"].as_str() {
                Some("Polygon") => vec![coords],
                Some("MultiPolygon") => {
                    coords.as_array().ok_or("bad MultiPolygon")?.iter().collect()
                }
                other => return Err(format!("{name}: geometry {other:?} is not a polygon")),
            };
            let mut rings = Vec::new();
            for poly in polygons {
                for ring in poly.as_array().ok_or("bad polygon")? {
                    let ring: Option<Vec<[f64; 2]>> = ring
                        .as_array()
                        .ok_or("bad ring")?
                        .iter()
                        .map(|p| Some([p[0].as_f64()?, p[1].as_f64()?]))
                        .collect();
                    rings.push(ring.ok_or_else(|| format!("{name}: a bad coordinate"))?);
                }
            }
            districts.push(District::new(name.to_string(), rings));
        }
        Ok(DistrictMap { districts })
    }

    /// The name of the district that contains `p` (`禅城区`), if any.
    pub fn district_at(&self, p: LonLat) -> Option<&str> {
        self.districts.iter().find(|d| d.contains(p)).map(|d| d.name.as_str())
    }

    /// True when the district called `name` contains `p`.
    pub fn contains(&self, name: &str, p: LonLat) -> bool {
        self.districts.iter().any(|d| d.name == name && d.contains(p))
    }

    /// The district names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.districts.iter().map(|d| d.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_matches_the_library_trigonometry() {
        for k in -40..=40 {
            let a = k as f64 * 0.37;
            let (s, c) = sin_cos(a);
            assert!((s - a.sin()).abs() < 1e-12 && (c - a.cos()).abs() < 1e-12, "{a}");
        }
    }

    #[test]
    fn plane_and_route_lengths_agree_with_haversine() {
        let a = to_lonlat(Xy::new(-3_000.0, 2_000.0));
        let b = to_lonlat(Xy::new(-2_400.0, 2_800.0));
        let d = a.haversine_dist_m(&b);
        assert!((route_length_m(&[a, b]) - d).abs() < 0.01, "{d}");
        assert!((to_xy(a).dist(to_xy(b)) - 1_000.0).abs() < 0.5);
    }

    #[test]
    fn known_places_fall_in_their_districts() {
        let map = DistrictMap::foshan();
        assert_eq!(map.names().count(), 5);
        assert_eq!(map.district_at(LonLat::new(113.108, 23.035)), Some("禅城区")); // 祖庙
        assert_eq!(map.district_at(LonLat::new(113.150, 23.038)), Some("南海区")); // 桂城
        assert_eq!(map.district_at(LonLat::new(113.260, 22.840)), Some("顺德区")); // 大良
        assert_eq!(map.district_at(LonLat::new(113.300, 23.130)), None); // 广州
    }
}
