//! The 10 kV network of a feeder: breaker, trunk along the street grid with sectionalisers and
//! the odd recloser, fused laterals, and the tie switches between feeder ends.

use crate::model::{BusId, Feeder, SubstationId, SwitchKind};

use super::customers::{self, Run, TxSite};
use super::geo::Xy;
use super::places::{district_stem, TOWNSHIPS};
use super::Builder;

/// The far points of a feeder where tie switches can go: the outer half of its trunk and the
/// ends of its laterals.
#[derive(Clone, Debug)]
pub(super) struct FeederEnds {
    area: usize,
    code: String,
    points: Vec<(BusId, Xy)>,
}

/// A bus on the trunk with the local direction of the street and its name.
#[derive(Clone, Debug)]
struct TrunkBus {
    bus: BusId,
    pos: Xy,
    dir: Xy,
    road: &'static str,
}

/// Walking step for region checks, metres.
const STEP_M: f64 = 25.0;

/// Builds feeder `j` of `n` of area `a` for `customers` customers; returns the points where
/// tie switches can go.
pub(super) fn build_feeder(
    b: &mut Builder,
    a: usize,
    j: usize,
    n: usize,
    customers: usize,
) -> FeederEnds {
    let (site, center, (u, _), base) = {
        let area = &b.city.areas[a];
        (area.site, area.pos, area.grid, area.heading)
    };
    let code = format!("{}{:02}", site.abbr, j + 1);
    let turn = j as f64 * std::f64::consts::TAU / n as f64;
    let heading = base.rotate(turn + if j == 0 { 0.0 } else { b.rng.range_f64(-0.12, 0.12) });
    let township = b.city.township(site.district, center);
    let short: String = site.name.chars().next().map(String::from).unwrap_or_default();

    let bay = center.plus(u.scale((j as f64 - (n as f64 - 1.0) / 2.0) * 6.0));
    let src = b.bus(format!("{code}.src"), bay);
    b.model.feeders.push(Feeder {
        name: format!("feeder.{code}"),
        display_name: format!("{}站10kV{short}{:02}线", site.name, j + 1),
        substation: SubstationId(a as u32),
        source_bus: src,
        kv: 10.0,
        unit: format!("{}供电局{}供电所", district_stem(site.district), TOWNSHIPS[township].stem),
    });
    let first_pos = bay.plus(heading.scale(25.0));
    let first = b.bus(format!("{code}.b0"), first_pos);
    b.switch(format!("breaker.{code}"), SwitchKind::Breaker, src, first);

    // Size the network to the transformers it must carry.
    let plan = customers::plan_transformers(&mut b.rng, customers);
    let n_lat = plan.len().div_ceil(10).clamp(1, 16);
    let buses_per_lat = ((plan.len() as f64 / n_lat as f64 / 1.5).ceil() as usize).max(1);
    let sec_len = b.rng.range_f64(180.0, 320.0);
    let want = (n_lat + 2).max(4) as f64 * sec_len;
    let (path, roads) = trunk_path(b, a, first_pos, heading, want);
    let total = polyline_len(&path);
    let n_sec = ((total / sec_len).round() as usize).clamp(1, n_lat + 2);

    // Switches after trunk sections: 2–4 sectionalisers, sometimes a recloser mid-trunk.
    let mut switch_after: Vec<Option<SwitchKind>> = vec![None; n_sec];
    let n_sect = (2 + b.rng.below(3) as usize).min(n_sec.saturating_sub(1));
    for k in 0..n_sect {
        let i = ((k + 1) * n_sec / (n_sect + 1)).clamp(1, n_sec) - 1;
        switch_after[i] = Some(SwitchKind::Sectionaliser);
    }
    if n_sec >= 4 && b.rng.chance(0.35) {
        switch_after[n_sec / 2 - 1] = Some(SwitchKind::Recloser);
    }

    let mut trunk: Vec<TrunkBus> = Vec::with_capacity(n_sec);
    let mut cur = first;
    let (mut n_sect_made, mut n_rec_made) = (0, 0);
    for (i, after) in switch_after.iter().enumerate() {
        let (s0, s1) = (total * i as f64 / n_sec as f64, total * (i + 1) as f64 / n_sec as f64);
        let piece = with_poles(&cut(&path, s0, s1), &mut b.rng);
        let end_pos = *piece.last().unwrap_or(&first_pos);
        let bus = b.bus(format!("{code}.m{:02}", i + 1), end_pos);
        b.line(format!("line.{code}-m{:02}", i + 1), cur, bus, &piece[1..piece.len() - 1]);
        let (dir, seg) = direction_at(&path, s1 - 1.0);
        trunk.push(TrunkBus { bus, pos: end_pos, dir, road: roads[seg] });
        cur = bus;
        if let Some(kind) = after {
            let after_bus = b.bus(format!("{code}.m{:02}s", i + 1), end_pos);
            let name = if *kind == SwitchKind::Recloser {
                n_rec_made += 1;
                format!("recloser.{code}-{n_rec_made}")
            } else {
                n_sect_made += 1;
                format!("sect.{code}-{n_sect_made}")
            };
            b.switch(name, *kind, cur, after_bus);
            cur = after_bus;
        }
    }

    // Transformer sites: some trunk buses, then the buses of laterals.
    let mut sites: Vec<(TxSite, usize)> = Vec::new(); // (site, run group)
    let mut lat_at: Vec<Vec<f64>> = vec![Vec::new(); trunk.len()];
    for k in 0..n_lat {
        let side = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        lat_at[k * trunk.len() / n_lat].push(side);
    }
    let mut n_lat_made = 0;
    let mut points: Vec<(BusId, Xy)> = Vec::new();
    for (i, tb) in trunk.iter().enumerate() {
        if 2 * (i + 1) >= trunk.len() {
            points.push((tb.bus, tb.pos));
        }
        if i > 0 && b.rng.chance(0.3) {
            let road = tb.road.to_string();
            let site = TxSite { bus: tb.bus, pos: tb.pos, dir: tb.dir, road, on_trunk: true };
            sites.push((site, usize::MAX - i));
        }
        for &side in &lat_at[i] {
            let lat_sites = lateral(b, a, &code, n_lat_made + 1, tb, side, buses_per_lat);
            if let Some(last) = lat_sites.last() {
                n_lat_made += 1;
                points.push((last.bus, last.pos));
            }
            sites.extend(lat_sites.into_iter().map(|s| (s, n_lat_made)));
        }
    }
    if sites.is_empty() {
        let tb = trunk.last().cloned().unwrap_or(TrunkBus {
            bus: first,
            pos: first_pos,
            dir: heading,
            road: TOWNSHIPS[township].main_roads[0],
        });
        sites.push((
            TxSite {
                bus: tb.bus,
                pos: tb.pos,
                dir: tb.dir,
                road: tb.road.to_string(),
                on_trunk: true,
            },
            0,
        ));
    }

    // Spread the transformers evenly over the sites, in walking order.
    let (n_tx, n_sites) = (plan.len(), sites.len());
    let mut t = 0;
    let mut run: Option<Run> = None;
    let mut group = usize::MAX;
    for (k, (site, g)) in sites.iter().enumerate() {
        if *g != group {
            run = None;
            group = *g;
        }
        let here = (k + 1) * n_tx / n_sites - k * n_tx / n_sites;
        for slot in 0..here {
            customers::build_transformer(b, a, &code, site, slot, plan[t], t + 1, &mut run);
            t += 1;
        }
    }
    if points.is_empty() {
        points.push((cur, first_pos));
    }
    FeederEnds { area: a, code, points }
}

/// A fused lateral from a trunk bus, perpendicular to the trunk; returns its transformer sites.
fn lateral(
    b: &mut Builder,
    a: usize,
    code: &str,
    number: usize,
    tb: &TrunkBus,
    side: f64,
    n_bus: usize,
) -> Vec<TxSite> {
    let spacing = b.rng.range_f64(80.0, 120.0);
    let want = n_bus as f64 * spacing;
    let mut across = tb.dir.perp().scale(side);
    let first_len = want * b.rng.range_f64(0.5, 1.0);
    let mut first = walk(b, a, tb.pos, across, first_len);
    if first < spacing * 0.8 {
        across = across.scale(-1.0);
        first = walk(b, a, tb.pos, across, first_len);
        if first < spacing * 0.8 {
            return Vec::new();
        }
    }
    let corner = tb.pos.plus(across.scale(first));
    let mut path = vec![tb.pos, corner];
    if want - first > spacing {
        let along = tb.dir.scale(if b.rng.chance(0.5) { 1.0 } else { -1.0 });
        let second = walk(b, a, corner, along, want - first);
        if second >= STEP_M {
            path.push(corner.plus(along.scale(second)));
        }
    }
    let total = polyline_len(&path);
    let nb = ((total / spacing).floor() as usize).max(1);
    let township = b.city.township(b.city.areas[a].site.district, corner);
    let road = b.rng.pick(TOWNSHIPS[township].streets).to_string();

    let tag = format!("{code}.l{number:02}");
    let head = b.bus(format!("{tag}.00"), tb.pos);
    b.switch(format!("fuse.{code}-l{number:02}"), SwitchKind::Fuse, tb.bus, head);
    let mut prev = head;
    let mut sites = Vec::with_capacity(nb);
    for k in 1..=nb {
        let (s0, s1) = (total * (k - 1) as f64 / nb as f64, total * k as f64 / nb as f64);
        let piece = with_poles(&cut(&path, s0, s1), &mut b.rng);
        let pos = *piece.last().unwrap_or(&tb.pos);
        let bus = b.bus(format!("{tag}.{k:02}"), pos);
        b.line(format!("line.{code}-l{number:02}-{k:02}"), prev, bus, &piece[1..piece.len() - 1]);
        let (dir, _) = direction_at(&path, s1 - 1.0);
        sites.push(TxSite { bus, pos, dir, road: road.clone(), on_trunk: false });
        prev = bus;
    }
    sites
}

/// The trunk route: legs along the street grid towards a target in the feeder's heading,
/// staying inside the area; with the main road name of every leg.
fn trunk_path(
    b: &mut Builder,
    a: usize,
    start: Xy,
    heading: Xy,
    want: f64,
) -> (Vec<Xy>, Vec<&'static str>) {
    let (u, v) = b.city.areas[a].grid;
    let district = b.city.areas[a].site.district;
    let mut pts = vec![start];
    let mut roads = Vec::new();
    let mut p = start;
    let mut total = 0.0;
    let mut target = start.plus(heading.scale(want * 0.8));
    let mut last_axis = 2;
    while total < want - 1.0 {
        let d = target.minus(p);
        let comps = [d.dot(u), d.dot(v)];
        if comps[0].abs() < 60.0 && comps[1].abs() < 60.0 {
            target = p.plus(heading.scale((want - total).max(200.0)));
            continue;
        }
        let mut primary = if comps[0].abs() >= comps[1].abs() { 0 } else { 1 };
        if primary == last_axis && comps[1 - primary].abs() > 80.0 && b.rng.chance(0.5) {
            primary = 1 - primary;
        }
        let other = 1 - primary;
        let sign = |c: f64| if c >= 0.0 { 1.0 } else { -1.0 };
        let candidates = [
            [u, v][primary].scale(sign(comps[primary])),
            [u, v][other].scale(sign(comps[other])),
            [u, v][other].scale(-sign(comps[other])),
        ];
        let leg = comps[primary].abs().min(b.rng.range_f64(250.0, 700.0)).min(want - total);
        let leg = leg.max(100.0);
        let mut moved = false;
        for (c, dir) in candidates.iter().enumerate() {
            let got = walk(b, a, p, *dir, if c == 0 { leg } else { leg.min(400.0) });
            if got >= 50.0 {
                p = p.plus(dir.scale(got));
                pts.push(p);
                total += got;
                let township = b.city.township(district, p);
                roads.push(*b.rng.pick(TOWNSHIPS[township].main_roads));
                last_axis = if c == 0 { primary } else { other };
                moved = true;
                break;
            }
        }
        if !moved {
            break;
        }
    }
    if pts.len() == 1 {
        // Hemmed in: a short stub where the area allows one, so that the feeder has a trunk.
        let (u, v) = b.city.areas[a].grid;
        let stub = [heading, u, v, u.scale(-1.0), v.scale(-1.0)]
            .into_iter()
            .map(|d| start.plus(d.scale(STEP_M)))
            .find(|p| b.city.allowed(a, *p))
            .unwrap_or(start.plus(heading.scale(5.0)));
        pts.push(stub);
        let township = b.city.township(district, start);
        roads.push(TOWNSHIPS[township].main_roads[0]);
    }
    (pts, roads)
}

/// How far from `from` along `dir` (unit) the area goes on, up to `len`, in whole steps.
fn walk(b: &Builder, a: usize, from: Xy, dir: Xy, len: f64) -> f64 {
    let mut got = 0.0;
    while got + STEP_M <= len + 1e-9 {
        if !b.city.allowed(a, from.plus(dir.scale(got + STEP_M))) {
            break;
        }
        got += STEP_M;
    }
    got
}

fn polyline_len(pts: &[Xy]) -> f64 {
    pts.windows(2).map(|w| w[0].dist(w[1])).sum()
}

/// The part of a polyline between arc lengths `s0` and `s1`, corners included.
fn cut(pts: &[Xy], s0: f64, s1: f64) -> Vec<Xy> {
    let mut out = Vec::new();
    let mut at = 0.0;
    for w in pts.windows(2) {
        let len = w[0].dist(w[1]);
        let (a, z) = (at, at + len);
        if z >= s0 && a <= s1 && len > 0.0 {
            let t0 = ((s0 - a) / len).clamp(0.0, 1.0);
            let t1 = ((s1 - a) / len).clamp(0.0, 1.0);
            let p0 = w[0].plus(w[1].minus(w[0]).scale(t0));
            if out.is_empty() {
                out.push(p0);
            }
            out.push(w[0].plus(w[1].minus(w[0]).scale(t1)));
        }
        at = z;
    }
    if out.len() < 2 {
        let p = *pts.last().unwrap_or(&Xy::default());
        out = vec![p, p];
    }
    out
}

/// Unit direction of the polyline at arc length `s`, with the segment index.
fn direction_at(pts: &[Xy], s: f64) -> (Xy, usize) {
    let mut at = 0.0;
    let mut last = (Xy::new(1.0, 0.0), 0);
    for (k, w) in pts.windows(2).enumerate() {
        let len = w[0].dist(w[1]);
        if len > 0.0 {
            last = (w[1].minus(w[0]).scale(1.0 / len), k);
            if s <= at + len {
                return last;
            }
        }
        at += len;
    }
    last
}

/// Adds pole positions every 60–90 m along the straight runs, a metre or two off the line.
fn with_poles(piece: &[Xy], rng: &mut crate::rng::Rng) -> Vec<Xy> {
    let mut out = Vec::with_capacity(piece.len() * 3);
    out.push(piece[0]);
    for w in piece.windows(2) {
        let len = w[0].dist(w[1]);
        let n = (len / rng.range_f64(60.0, 90.0)).floor() as usize;
        if len > 0.0 {
            let dir = w[1].minus(w[0]).scale(1.0 / len);
            for k in 1..n {
                let along = len * k as f64 / n as f64;
                out.push(
                    w[0].plus(dir.scale(along)).plus(dir.perp().scale(rng.range_f64(-1.5, 1.5))),
                );
            }
        }
        out.push(w[1]);
    }
    out
}

/// Normally open ties between the closest far points of two feeders: hand-in-hand pairs of
/// neighbouring feeders of each substation, then between substations (each to its nearest
/// neighbour, and to its second nearest when their feeders come close).
pub(super) fn add_ties(b: &mut Builder, ends: &[FeederEnds]) {
    let n_areas = b.city.areas.len();
    for a in 0..n_areas {
        let mine: Vec<&FeederEnds> = ends.iter().filter(|e| e.area == a).collect();
        let n = mine.len();
        for k in (0..n.saturating_sub(1)).step_by(2) {
            tie(b, mine[k], mine[k + 1]);
        }
        if n % 2 == 1 && n > 1 {
            tie(b, mine[n - 1], mine[0]);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for a in 0..n_areas {
        let pos = b.city.areas[a].pos;
        let mut others: Vec<(f64, usize)> =
            (0..n_areas).filter(|&o| o != a).map(|o| (b.city.areas[o].pos.dist(pos), o)).collect();
        others.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        for (rank, &(_, o)) in others.iter().take(2).enumerate() {
            let pair = (a.min(o), a.max(o));
            let close = closest_feeders(ends, a, o).is_some_and(|(d, _, _)| d < MAX_SECOND_TIE_M);
            if !pairs.contains(&pair) && (rank == 0 || close) {
                pairs.push(pair);
            }
        }
    }
    for (a, o) in pairs {
        if let Some((_, x, y)) = closest_feeders(ends, a, o) {
            tie(b, x, y);
        }
    }
}

/// Longest tie line to a substation's second nearest neighbour, metres.
const MAX_SECOND_TIE_M: f64 = 1_500.0;

/// The closest points of two feeders: distance and the two points.
fn closest_points(x: &FeederEnds, y: &FeederEnds) -> (f64, (BusId, Xy), (BusId, Xy)) {
    let mut best = (f64::MAX, x.points[0], y.points[0]);
    for &p in &x.points {
        for &q in &y.points {
            let d = p.1.dist(q.1);
            if d < best.0 {
                best = (d, p, q);
            }
        }
    }
    best
}

/// The two feeders of areas `a` and `o` that come closest, with their distance.
fn closest_feeders(
    ends: &[FeederEnds],
    a: usize,
    o: usize,
) -> Option<(f64, &FeederEnds, &FeederEnds)> {
    let mut best: Option<(f64, &FeederEnds, &FeederEnds)> = None;
    for x in ends.iter().filter(|e| e.area == a) {
        for y in ends.iter().filter(|e| e.area == o) {
            let d = closest_points(x, y).0;
            if best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, x, y));
            }
        }
    }
    best
}

/// A tie switch at the far point of feeder `x` closest to feeder `y`, and the tie line from
/// there to `y`.
fn tie(b: &mut Builder, x: &FeederEnds, y: &FeederEnds) {
    let (_, (xbus, xpos), (ybus, ypos)) = closest_points(x, y);
    let name = format!("{}-{}", x.code, y.code);
    let aux = b.bus(format!("{}.tie-{}", x.code, y.code), xpos);
    b.switch(format!("tie.{name}"), SwitchKind::Tie, xbus, aux);
    let (u, _) = b.city.areas[x.area].grid;
    let corner = xpos.plus(u.scale(ypos.minus(xpos).dot(u)));
    let via = with_poles(&[xpos, corner, ypos], &mut b.rng);
    b.line(format!("line.tie-{name}"), aux, ybus, &via[1..via.len() - 1]);
}
