use super::*;
use crate::model::*;
use crate::rng::Rng;

/// Customers, transformers and a few routed lines scattered over 4 km around 祖庙.
fn scattered(rng: &mut Rng, customers: usize) -> GridModel {
    let mut m = GridModel { name: "scatter".into(), ..Default::default() };
    let centre = LonLat::new(113.12, 23.02);
    let jitter = |rng: &mut Rng| {
        LonLat::new(
            centre.lon + rng.range_f64(-0.02, 0.02),
            centre.lat + rng.range_f64(-0.02, 0.02),
        )
    };
    for i in 0..200 {
        m.buses.push(Bus { name: format!("b{i}"), pos: Some(jitter(rng)) });
    }
    for i in 0..100 {
        let (a, b) = (BusId(2 * i), BusId(2 * i + 1));
        let mid = jitter(rng);
        m.lines.push(LineSection {
            name: format!("line.{i}"),
            from: a,
            to: b,
            length_m: 100.0,
            phases: 3,
            route: vec![
                m.buses[a.index()].pos.unwrap_or(centre),
                mid,
                m.buses[b.index()].pos.unwrap_or(centre),
            ],
            in_service: true,
        });
        m.transformers.push(Transformer {
            name: format!("transformer.{i}"),
            display_name: String::new(),
            kind: TransformerKind::Public,
            hv_bus: a,
            lv_bus: b,
            kva: 400.0,
            pos: Some(jitter(rng)),
        });
    }
    for i in 0..customers {
        m.customers.push(Customer {
            name: format!("cust.{i}"),
            account_no: format!("06{i:08}"),
            display_name: "李娜".into(),
            phones: vec![],
            address: StandardAddress::default(),
            labels: Labels::default(),
            bus: BusId(1),
            transformer: None,
            kw: 2.0,
            pos: jitter(rng),
        });
    }
    m
}

fn dist(plane: &LocalPlane, a: LonLat, b: LonLat) -> f64 {
    let (p, q) = (plane.to_xy(a), plane.to_xy(b));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt()
}

#[test]
fn every_nearest_result_equals_a_brute_force_scan() {
    let mut rng = Rng::new(99);
    let m = scattered(&mut rng, 5_000);
    let idx = SpatialIndex::build(&m);
    let plane = *idx.plane();
    for _ in 0..500 {
        let q = LonLat::new(
            113.12 + rng.range_f64(-0.025, 0.025),
            23.02 + rng.range_f64(-0.025, 0.025),
        );
        let got = idx.nearest_customer(q, 10_000.0).expect("a customer within 10 km");
        let best = m.customers.iter().map(|c| dist(&plane, q, c.pos)).fold(f64::MAX, f64::min);
        assert!((got.dist_m - best).abs() < 1e-6, "customer: {} vs {best}", got.dist_m);
        let got_t = idx.nearest_transformer(q, 10_000.0).expect("a transformer");
        let best_t = m
            .transformers
            .iter()
            .filter_map(|t| t.pos)
            .map(|p| dist(&plane, q, p))
            .fold(f64::MAX, f64::min);
        assert!((got_t.dist_m - best_t).abs() < 1e-6);
        // segments: brute force over every segment of every route
        let got_s = idx.nearest_segment(q, 10_000.0).expect("a line");
        let qx = plane.to_xy(q);
        let best_s = m
            .lines
            .iter()
            .flat_map(|l| l.route.windows(2))
            .map(|w| {
                let (a, b) = (plane.to_xy(w[0]), plane.to_xy(w[1]));
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                let t = (((qx[0] - a[0]) * dx + (qx[1] - a[1]) * dy) / (dx * dx + dy * dy))
                    .clamp(0.0, 1.0);
                ((a[0] + t * dx - qx[0]).powi(2) + (a[1] + t * dy - qx[1]).powi(2)).sqrt()
            })
            .fold(f64::MAX, f64::min);
        assert!((got_s.dist_m - best_s).abs() < 1e-6, "segment {} vs {best_s}", got_s.dist_m);
    }
}

#[test]
fn nothing_is_found_beyond_the_radius() {
    let mut rng = Rng::new(5);
    let m = scattered(&mut rng, 100);
    let idx = SpatialIndex::build(&m);
    // Guangzhou Tower is ~20 km away from the scatter.
    let far = LonLat::new(113.3245, 23.1064);
    assert!(idx.nearest_customer(far, 500.0).is_none());
    assert!(idx.nearest_segment(far, 500.0).is_none());
    assert!(idx.nearest_customer(far, 50_000.0).is_some());
}

#[test]
fn customers_in_a_polygon_equal_a_brute_force_point_in_polygon() {
    let mut rng = Rng::new(11);
    let m = scattered(&mut rng, 5_000);
    let idx = SpatialIndex::build(&m);
    let ring = vec![
        LonLat::new(113.105, 23.005),
        LonLat::new(113.135, 23.010),
        LonLat::new(113.128, 23.035),
        LonLat::new(113.110, 23.030),
    ];
    let got = idx.customers_in_polygon(&ring);
    let poly = Polygon::new(
        LineString::from(ring.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()),
        vec![],
    );
    let want: Vec<CustomerId> = (0..m.customers.len() as u32)
        .map(CustomerId)
        .filter(|c| {
            let p = m.customers[c.index()].pos;
            poly.contains(&Point::new(p.lon, p.lat))
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(idx.customers_in_polygon(&ring[..2]).is_empty(), "a degenerate ring selects nobody");
}

#[test]
fn a_box_returns_what_lies_in_it() {
    let mut rng = Rng::new(3);
    let m = scattered(&mut rng, 2_000);
    let idx = SpatialIndex::build(&m);
    let (lo, hi) = (LonLat::new(113.11, 23.01), LonLat::new(113.13, 23.03));
    let got = idx.in_box(lo, hi);
    let inside =
        |p: LonLat| p.lon >= lo.lon && p.lon <= hi.lon && p.lat >= lo.lat && p.lat <= hi.lat;
    let want = m.customers.iter().filter(|c| inside(c.pos)).count();
    assert_eq!(got.customers.len(), want);
    assert!(!got.segments.is_empty());
}

#[test]
fn the_plane_round_trips_and_agrees_with_haversine() {
    let plane = LocalPlane::new(LonLat::new(113.12, 23.02));
    let a = LonLat::new(113.13, 23.03);
    let back = plane.to_lonlat(plane.to_xy(a));
    assert!((back.lon - a.lon).abs() < 1e-12 && (back.lat - a.lat).abs() < 1e-12);
    let o = LonLat::new(113.12, 23.02);
    let rel = (dist(&plane, o, a) - o.haversine_dist_m(&a)).abs() / o.haversine_dist_m(&a);
    assert!(rel < 1e-3, "{rel}");
}

#[test]
fn the_nearest_substation_is_found_within_its_radius() {
    let mut rng = Rng::new(4);
    let mut m = scattered(&mut rng, 10);
    for (name, lon, lat) in [("祖庙站", 113.108, 23.035), ("桂城站", 113.155, 23.035)] {
        m.substations.push(Substation {
            name: name.into(),
            display_name: name.into(),
            pos: LonLat::new(lon, lat),
            kv_hv: 110.0,
        });
    }
    let idx = SpatialIndex::build(&m);
    let hit = idx
        .nearest_substation(LonLat::new(113.150, 23.036), 1_000.0)
        .expect("桂城站 is ~0.5 km away");
    assert_eq!(hit.item, SubstationId(1));
    assert!(idx.nearest_substation(LonLat::new(113.13, 23.0), 500.0).is_none());
}
