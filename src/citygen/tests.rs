use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;

use super::*;
use crate::model::{ElementRef, Labels, LonLat, LvLineId, TransformerId, TransformerKind};

/// The default city, generated once per test run.
fn default_city() -> &'static GridModel {
    static CITY: OnceLock<GridModel> = OnceLock::new();
    CITY.get_or_init(|| generate_city(&CityParams::default()))
}

fn small_city() -> GridModel {
    generate_city(&CityParams { customers: 3_000, seed: 11 })
}

/// Which feeder energises each bus with ties open (a breadth-first walk from every source).
fn feeder_of_bus(m: &GridModel) -> Vec<Option<usize>> {
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); m.buses.len()];
    let mut edge = |x: BusId, y: BusId| {
        adj[x.index()].push(y.index());
        adj[y.index()].push(x.index());
    };
    for l in &m.lines {
        edge(l.from, l.to);
    }
    for (i, s) in m.switches.iter().enumerate() {
        if !s.normally_open {
            let (x, y) = m.terminals(ElementRef::Switch(SwitchId(i as u32)));
            edge(x, y);
        }
    }
    for i in 0..m.transformers.len() {
        let (x, y) = m.terminals(ElementRef::Transformer(TransformerId(i as u32)));
        edge(x, y);
    }
    for i in 0..m.lv_lines.len() {
        let (x, y) = m.terminals(ElementRef::LvLine(LvLineId(i as u32)));
        edge(x, y);
    }
    let mut owner = vec![None; m.buses.len()];
    for (f, feeder) in m.feeders.iter().enumerate() {
        let mut queue = vec![feeder.source_bus.index()];
        owner[feeder.source_bus.index()] = Some(f);
        while let Some(x) = queue.pop() {
            for &y in &adj[x] {
                match owner[y] {
                    None => {
                        owner[y] = Some(f);
                        queue.push(y);
                    }
                    Some(g) => assert_eq!(g, f, "bus {} is fed by two feeders", m.buses[y].name),
                }
            }
        }
    }
    owner
}

#[test]
fn the_same_seed_gives_the_same_city_and_another_seed_another() {
    let a = small_city();
    assert_eq!(a, small_city());
    let b = generate_city(&CityParams { customers: 3_000, seed: 12 });
    assert_ne!(a, b);
    assert_ne!(a.customers[0].display_name, b.customers[0].display_name);
}

#[test]
fn tiny_cities_are_still_whole_networks() {
    for customers in [0, 1, 50, 700] {
        let m = generate_city(&CityParams { customers, seed: 3 });
        assert_eq!(m.customers.len(), customers);
        assert!(m.substations.len() >= 3 && m.feeders.len() >= 24);
        assert!(m.validate().is_ok(), "{customers}");
        let _ = feeder_of_bus(&m);
    }
}

#[test]
fn the_default_city_has_the_promised_size() {
    let m = default_city();
    let c = m.counts();
    assert!(c.substations >= 3, "{c:?}");
    assert!(c.feeders >= 40, "{c:?}");
    assert!(c.distribution_transformers >= 4_000, "{c:?}");
    assert_eq!(c.customers, 100_000);
    assert!(m.validate().is_ok());
    for f in &m.feeders {
        let n = m.feeders.iter().filter(|g| g.substation == f.substation).count();
        assert!((8..=12).contains(&n), "{} has {n} feeders", f.name);
    }
}

#[test]
fn every_feeder_is_radial_with_at_least_one_tie_to_another_feeder() {
    let m = default_city();
    let owner = feeder_of_bus(m);
    assert!(owner.iter().all(Option::is_some), "a bus no feeder reaches");
    let mut ties = vec![0; m.feeders.len()];
    for s in m.switches.iter().filter(|s| s.kind == SwitchKind::Tie) {
        assert!(s.normally_open);
        let SwitchMount::Terminals { from, to } = s.mount else { panic!("{}", s.name) };
        let (x, y) = (owner[from.index()], owner[to.index()]);
        assert_ne!(x, y, "{} ties a feeder to itself", s.name);
        ties[x.unwrap_or(0)] += 1;
        ties[y.unwrap_or(0)] += 1;
    }
    for (f, n) in m.feeders.iter().zip(&ties) {
        assert!(*n >= 1, "{} has no tie", f.name);
    }
    let sources: HashSet<BusId> = m.feeders.iter().map(|f| f.source_bus).collect();
    assert_eq!(sources.len(), m.feeders.len(), "two feeders share a source bus");
    for f in &m.feeders {
        let breakers = m.switches.iter().filter(|s| {
            s.kind == SwitchKind::Breaker
                && matches!(s.mount, SwitchMount::Terminals { from, .. } if from == f.source_bus)
        });
        assert_eq!(breakers.count(), 1, "{}", f.name);
    }
}

#[test]
fn substation_sites_and_township_seats_lie_in_their_districts() {
    let map = DistrictMap::foshan();
    for site in places::SITES {
        let p = LonLat::new(site.lon, site.lat);
        assert_eq!(map.district_at(p), Some(site.district), "{}", site.name);
    }
    for t in places::TOWNSHIPS {
        for &(lon, lat) in t.seats {
            assert_eq!(map.district_at(LonLat::new(lon, lat)), Some(t.district), "{}", t.name);
        }
    }
}

#[test]
fn customers_lie_in_foshan_in_the_district_of_their_address() {
    let m = default_city();
    let map = DistrictMap::foshan();
    for c in &m.customers {
        let p = c.pos;
        assert!((112.3..=113.4).contains(&p.lon) && (22.5..=23.6).contains(&p.lat), "{p:?}");
        assert_eq!(map.district_at(p), Some(c.address.district.as_str()), "{}", c.name);
        let a = &c.address;
        assert_eq!((a.province.as_str(), a.city.as_str()), ("广东省", "佛山市"));
        let t = places::TOWNSHIPS.iter().find(|t| t.name == a.township).expect("a real township");
        assert_eq!(t.district, a.district);
        assert!(t.communities.contains(&a.community.as_str()), "{a:?}");
        assert!(!a.road.is_empty() && a.house_no.ends_with('号'), "{a:?}");
        // Only firms and institutions on their own transformer stand outside a compound.
        assert!(!a.compound.is_empty() || c.labels.contains(Labels::COMMERCIAL), "{a:?}");
    }
}

#[test]
fn account_numbers_and_phones_are_unique() {
    let m = default_city();
    let mut accounts = HashSet::new();
    let mut phones = HashSet::new();
    for c in &m.customers {
        assert!(c.account_no.len() == 10 && c.account_no.starts_with("06"), "{}", c.account_no);
        assert!(accounts.insert(&c.account_no));
        assert!(!c.phones.is_empty() && c.phones.len() <= 2);
        for p in &c.phones {
            assert!(p.len() == 11 && ["13", "15", "18"].contains(&&p[..2]), "{p}");
            assert!(phones.insert(p), "phone {p} used twice");
        }
        assert!(c.transformer.is_some());
    }
}

#[test]
fn routes_start_and_end_at_their_buses_and_lengths_follow_them() {
    let m = default_city();
    let pos = |b: BusId| m.buses[b.index()].pos.expect("every bus has a position");
    for l in &m.lines {
        assert!(l.route.len() >= 2, "{}", l.name);
        assert_eq!(
            (l.route[0], l.route[l.route.len() - 1]),
            (pos(l.from), pos(l.to)),
            "{}",
            l.name
        );
        let haversine: f64 = l.route.windows(2).map(|w| w[0].haversine_dist_m(&w[1])).sum();
        assert!((f64::from(l.length_m) - haversine).abs() < 0.2 + 1e-4 * haversine, "{}", l.name);
    }
    for l in &m.lv_lines {
        assert!(l.route.len() >= 2, "{}", l.name);
        assert_eq!(
            (l.route[0], l.route[l.route.len() - 1]),
            (pos(l.from), pos(l.to)),
            "{}",
            l.name
        );
    }
}

#[test]
fn a_generated_city_round_trips_through_the_tables() {
    let m = small_city();
    let files = crate::model::tables::write_tables(&m).expect("writable");
    let back = crate::model::tables::read_tables(|name| {
        files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.as_bytes())
    });
    assert_eq!(back.expect("readable"), m);
}

/// Regenerate with `GRIDCARE_BLESS=1 cargo test --release citygen::tests::the_default_city_is`.
#[test]
fn the_default_city_is_maps_demo_city_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO_CITY_DIR);
    if std::env::var_os("GRIDCARE_BLESS").is_some() {
        crate::model::tables::write_dir(default_city(), &dir).expect("written");
        return;
    }
    let files = crate::model::tables::write_tables(default_city()).expect("writable");
    for (name, text) in files {
        let on_disk = std::fs::read(dir.join(name)).expect("maps/demo_city is committed");
        assert!(on_disk == text.as_bytes(), "{name} differs from the generator's output");
    }
}

#[test]
fn the_embedded_city_is_the_default_city() {
    assert_eq!(&demo_city().expect("embedded"), default_city());
}

#[test]
fn the_labels_and_transformers_look_like_a_city() {
    let m = default_city();
    let n = m.customers.len() as f64;
    let share = |l: Labels| m.customers.iter().filter(|c| c.labels.contains(l)).count() as f64 / n;
    let important = share(Labels::IMPORTANT);
    assert!((0.002..0.005).contains(&important), "important {important}");
    assert!((0.02..0.045).contains(&share(Labels::OUTAGE_SENSITIVE)));
    assert!((0.001..0.004).contains(&share(Labels::LIFE_SUPPORT)));
    assert!((0.07..0.14).contains(&share(Labels::COMMERCIAL)));
    assert!((0.5..0.7).contains(&share(Labels::WECHAT)));
    let mut per_tx: HashMap<TransformerId, usize> = HashMap::new();
    for c in &m.customers {
        *per_tx.entry(c.transformer.expect("every customer has one")).or_default() += 1;
    }
    for (i, t) in m.transformers.iter().enumerate() {
        let k = per_tx.get(&TransformerId(i as u32)).copied().unwrap_or(0);
        match t.kind {
            TransformerKind::Public => assert!((5..=84).contains(&k), "{} has {k}", t.name),
            _ => assert_eq!(k, 1, "{}", t.name),
        }
    }
    let public = m.transformers.iter().filter(|t| t.kind == TransformerKind::Public).count();
    assert!(public * 10 > m.transformers.len() * 8, "mostly public transformers");
}

/// Timings for the report: `cargo test --release citygen::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_generation_and_load_times() {
    for run in ["cold", "warm"] {
        let t = Instant::now();
        let m = demo_city().expect("embedded");
        println!("embedded load ({run}): {:?} ({} customers)", t.elapsed(), m.customers.len());
    }
    for customers in [100_000, 1_000_000] {
        let t = Instant::now();
        let m = generate_city(&CityParams { customers, ..CityParams::default() });
        println!("generate {customers}: {:?} {:?}", t.elapsed(), m.counts());
        assert!(m.validate().is_ok());
        let map = DistrictMap::foshan();
        let stray =
            m.customers.iter().filter(|c| map.district_at(c.pos) != Some(&c.address.district));
        assert_eq!(stray.count(), 0);
        let t = Instant::now();
        let files = crate::model::tables::write_tables(&m).expect("writable");
        let bytes: usize = files.iter().map(|f| f.1.len()).sum();
        println!("  write tables: {:?}, {bytes} bytes", t.elapsed());
    }
}
