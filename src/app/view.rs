//! The map view as plain numbers: which part of the world is on which part of the screen.
//!
//! Positions are projected once into Web Mercator "world" coordinates, normalised to `0..1`
//! (x east, y south), exactly as walkers' `MercatorProjection` does; a view then maps world to
//! screen with one multiply-add: `screen = rect.centre + (world − centre) · 256 · 2^zoom`.
//! Keeping this apart from walkers' `Projector` lets the shape builders (and the benchmark)
//! run without a window.

use crate::model::LonLat;
use eframe::egui::{pos2, Pos2, Rect, Vec2};

/// Pixels of the whole world at zoom 0 (walkers' tile size).
pub const WORLD_PX_AT_ZOOM_0: f64 = 256.0;

/// Web Mercator, normalised to `0..1` (x east, y south).
#[inline]
pub fn world_of(p: LonLat) -> [f64; 2] {
    let x = (1.0 + p.lon.to_radians() / std::f64::consts::PI) / 2.0;
    let y = (1.0 - p.lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0;
    [x, y]
}

/// The inverse of [`world_of`].
#[inline]
pub fn lonlat_of(w: [f64; 2]) -> LonLat {
    let lon = (w[0] * 2.0 - 1.0) * 180.0;
    let lat = ((1.0 - w[1] * 2.0) * std::f64::consts::PI).sinh().atan().to_degrees();
    LonLat::new(lon, lat)
}

/// A map view: a screen rectangle showing the world around `centre` at `zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapView {
    /// Where on the screen the map is (points).
    pub rect: Rect,
    /// The world position at the centre of `rect`.
    pub centre: [f64; 2],
    /// Slippy-map zoom level (fractional).
    pub zoom: f64,
}

impl MapView {
    /// A view centred on a lon/lat.
    pub fn new(rect: Rect, centre: LonLat, zoom: f64) -> MapView {
        MapView { rect, centre: world_of(centre), zoom }
    }

    /// Screen points per world unit.
    #[inline]
    pub fn scale(&self) -> f64 {
        WORLD_PX_AT_ZOOM_0 * 2f64.powf(self.zoom)
    }

    /// Where a world position is on the screen.
    #[inline]
    pub fn to_screen(&self, w: [f64; 2]) -> Pos2 {
        let s = self.scale();
        let c = self.rect.center();
        pos2(c.x + ((w[0] - self.centre[0]) * s) as f32, c.y + ((w[1] - self.centre[1]) * s) as f32)
    }

    /// Where a lon/lat is on the screen.
    pub fn lonlat_to_screen(&self, p: LonLat) -> Pos2 {
        self.to_screen(world_of(p))
    }

    /// The world position under a screen point.
    pub fn to_world(&self, p: Pos2) -> [f64; 2] {
        let s = self.scale();
        let c = self.rect.center();
        [self.centre[0] + (p.x - c.x) as f64 / s, self.centre[1] + (p.y - c.y) as f64 / s]
    }

    /// The lon/lat under a screen point.
    pub fn to_lonlat(&self, p: Pos2) -> LonLat {
        lonlat_of(self.to_world(p))
    }

    /// World bounds of the view, grown by `margin_px` on every side: `(min, max)`.
    pub fn world_bounds(&self, margin_px: f32) -> ([f64; 2], [f64; 2]) {
        let r = self.rect.expand(margin_px);
        let a = self.to_world(r.min);
        let b = self.to_world(r.max);
        (a, b)
    }

    /// Lon/lat bounds of the view (south-west, north-east), grown by `margin_px`.
    pub fn lonlat_bounds(&self, margin_px: f32) -> (LonLat, LonLat) {
        let (a, b) = self.world_bounds(margin_px);
        let nw = lonlat_of(a);
        let se = lonlat_of(b);
        (LonLat::new(nw.lon, se.lat), LonLat::new(se.lon, nw.lat))
    }

    /// Metres per screen point at the view centre.
    pub fn metres_per_point(&self) -> f64 {
        const EARTH_CIRCUMFERENCE_M: f64 = 40_075_016.686;
        let lat = lonlat_of(self.centre).lat;
        EARTH_CIRCUMFERENCE_M * lat.to_radians().cos() / self.scale()
    }

    /// The view moved so that `centre` is in the middle.
    pub fn centred_on(self, centre: LonLat, zoom: f64) -> MapView {
        MapView { centre: world_of(centre), zoom, ..self }
    }

    /// The zoom at which the lon/lat box fits into the view with `margin_px` to spare.
    pub fn zoom_to_fit(&self, min: LonLat, max: LonLat, margin_px: f32) -> f64 {
        let a = world_of(LonLat::new(min.lon, max.lat));
        let b = world_of(LonLat::new(max.lon, min.lat));
        let size =
            Vec2::new(self.rect.width() - 2.0 * margin_px, self.rect.height() - 2.0 * margin_px)
                .max(Vec2::splat(50.0));
        let wx = (b[0] - a[0]).abs().max(1e-12);
        let wy = (b[1] - a[1]).abs().max(1e-12);
        let sx = size.x as f64 / (wx * WORLD_PX_AT_ZOOM_0);
        let sy = size.y as f64 / (wy * WORLD_PX_AT_ZOOM_0);
        sx.min(sy).log2().clamp(2.0, 18.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_and_lonlat_round_trip() {
        let p = LonLat::new(113.12, 23.02);
        let q = lonlat_of(world_of(p));
        assert!((p.lon - q.lon).abs() < 1e-9 && (p.lat - q.lat).abs() < 1e-9);
    }

    #[test]
    fn the_centre_of_the_view_is_the_centre_of_the_rect() {
        let rect = Rect::from_min_size(pos2(10.0, 20.0), Vec2::new(800.0, 600.0));
        let v = MapView::new(rect, LonLat::new(113.12, 23.02), 15.0);
        let s = v.lonlat_to_screen(LonLat::new(113.12, 23.02));
        assert!((s - rect.center()).length() < 0.01);
        let back = v.to_lonlat(pos2(110.0, 120.0));
        assert!((v.lonlat_to_screen(back) - pos2(110.0, 120.0)).length() < 0.01);
    }

    #[test]
    fn metres_per_point_halves_per_zoom_level() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::splat(100.0));
        let a = MapView::new(rect, LonLat::new(113.0, 23.0), 15.0).metres_per_point();
        let b = MapView::new(rect, LonLat::new(113.0, 23.0), 16.0).metres_per_point();
        assert!((a / b - 2.0).abs() < 1e-9);
        assert!((a - 4.39).abs() < 0.05, "{a}");
    }
}
