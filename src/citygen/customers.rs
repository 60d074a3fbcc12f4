//! Transformer areas (台区): a distribution transformer at a site of the feeder, its LV lines to
//! apartment buildings or village poles, and its customers with standard addresses (三级七段).

use crate::model::TransformerKind;
use crate::model::{BusId, Customer, Labels, StandardAddress, Transformer, TransformerId};
use crate::rng::Rng;

use super::geo::{to_lonlat, Xy};
use super::names;
use super::places::{community_stem, district_stem, is_village, TOWNSHIPS};
use super::Builder;

/// One planned distribution transformer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tx {
    /// A public transformer (公变) for this many customers.
    Public(usize),
    /// A dedicated transformer (专变) of one firm or institution.
    Dedicated,
}

/// A bus of the feeder that can carry transformers, with the street it lies on.
#[derive(Clone, Debug)]
pub(super) struct TxSite {
    pub bus: BusId,
    pub pos: Xy,
    /// Unit direction of the street.
    pub dir: Xy,
    pub road: String,
    /// On the trunk (a main road) rather than on a lateral.
    pub on_trunk: bool,
}

/// The compound being filled along a lateral: consecutive transformers often serve one.
#[derive(Clone, Debug)]
pub(super) struct Run {
    township: usize,
    road: String,
    house_no: String,
    compound: String,
    next_building: u32,
    transformers: u32,
    block_word: &'static str,
}

/// Share of transformers that are dedicated (专变).
const DEDICATED_SHARE: f64 = 0.14;
/// Share of dedicated transformers that serve an important customer.
const IMPORTANT_SHARE: f64 = 0.45;

/// Transformers for `customers` customers: public ones of 5–80 (about 26 on average) with a
/// share of dedicated ones of one customer each.
pub(super) fn plan_transformers(rng: &mut Rng, customers: usize) -> Vec<Tx> {
    let mut plan = Vec::with_capacity(customers / 20 + 1);
    let mut left = customers;
    while left > 0 {
        if rng.chance(DEDICATED_SHARE) {
            plan.push(Tx::Dedicated);
            left -= 1;
            continue;
        }
        let u = rng.f64();
        let n = if u < 0.15 {
            5 + rng.below(8)
        } else if u < 0.82 {
            13 + rng.below(18)
        } else {
            31 + rng.below(50)
        };
        let n = (n as usize).min(left);
        left -= n;
        if n < 5 {
            let last = plan.iter_mut().rev().find_map(|t| match t {
                Tx::Public(m) => Some(m),
                Tx::Dedicated => None,
            });
            if let Some(m) = last {
                *m += n;
                continue;
            }
        }
        plan.push(Tx::Public(n));
    }
    plan
}

/// What a customer is, for its name, labels and demand.
enum Kind {
    Resident,
    Shop,
    Firm { name: String, kva: f32 },
    Institution { name: String, kva: f32 },
}

/// Builds transformer number `t` of feeder `code`, the `slot`-th at `site`, with its LV lines
/// and customers.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_transformer(
    b: &mut Builder,
    a: usize,
    code: &str,
    site: &TxSite,
    slot: usize,
    tx: Tx,
    t: usize,
    run: &mut Option<Run>,
) {
    let district = b.city.areas[a].site.district;
    // Several transformers at one site stand apart along the street, on alternate sides.
    let side = if slot.is_multiple_of(2) { 1.0 } else { -1.0 };
    let along = slot.div_ceil(2) as f64 * 40.0 * side;
    let off = site
        .pos
        .plus(site.dir.scale(along))
        .plus(site.dir.perp().scale(side * b.rng.range_f64(12.0, 35.0)));
    // The substation itself is always inside its district: the last resort.
    let at_site = b.city.settle(district, site.pos, b.city.areas[a].pos);
    let tpos = if b.city.allowed(a, off) { off } else { at_site };
    let township = b.city.township(district, tpos);
    let community = b.city.community(township, tpos);
    let tag = format!("{code}.t{t:04}");
    let lv = b.bus(format!("{tag}.lv"), tpos);
    let tid = TransformerId(b.model.transformers.len() as u32);
    let mut address = StandardAddress {
        province: "广东省".into(),
        city: "佛山市".into(),
        district: district.into(),
        township: TOWNSHIPS[township].name.into(),
        community: community.into(),
        ..StandardAddress::default()
    };
    let area = Area { tid, lv, tpos, dir: site.dir, district, tag: &tag, township };

    let (display_name, kind, kva) = match tx {
        Tx::Dedicated => {
            *run = None;
            let kva = *b.rng.pick(&[250.0, 315.0, 400.0, 500.0, 630.0, 800.0, 1000.0, 1250.0]);
            let tw = &TOWNSHIPS[township];
            let stem = community_stem(community);
            let important = b.rng.chance(IMPORTANT_SHARE);
            let (name, factory) = if important {
                (names::institution(&mut b.rng, district_stem(district), tw.stem, stem), false)
            } else {
                names::firm(&mut b.rng, district_stem(district), tw.industries)
            };
            address.road = site.road.clone();
            address.house_no = b.house_no(township, &site.road, 8);
            if factory && b.rng.chance(0.4) {
                address.compound = format!("{stem}工业区");
            }
            let display = format!("{name}专变");
            let kva_f32 = kva as f32;
            let kind = if important {
                Kind::Institution { name, kva: kva_f32 }
            } else {
                Kind::Firm { name, kva: kva_f32 }
            };
            let bpos = b.city.settle(district, jitter(&mut b.rng, tpos, 30.0), tpos);
            let bus = building(b, &area, 1, bpos);
            let cpos = b.city.settle(district, jitter(&mut b.rng, bpos, 6.0), bpos);
            customer(b, bus, tid, cpos, address, kind);
            (display, TransformerKind::Dedicated, kva as f32)
        }
        Tx::Public(n) => {
            let urban = TOWNSHIPS[township].urban * if is_village(community) { 0.5 } else { 1.0 };
            let display = if b.rng.chance(urban) {
                apartments(b, &area, site, n, address, run)
            } else {
                *run = None;
                village(b, &area, community, n, address)
            };
            let mut kva = [200.0, 315.0, 400.0, 500.0, 630.0, 800.0]
                .into_iter()
                .find(|k| *k >= 60.0 + 7.5 * n as f64)
                .unwrap_or(800.0);
            if b.rng.chance(0.25) && kva < 800.0 {
                kva = [315.0, 400.0, 500.0, 630.0, 800.0]
                    .into_iter()
                    .find(|k| *k > kva)
                    .unwrap_or(kva);
            }
            (display, TransformerKind::Public, kva as f32)
        }
    };
    b.model.transformers.push(Transformer {
        name: format!("transformer.{code}-t{t:04}"),
        display_name,
        kind,
        hv_bus: site.bus,
        lv_bus: lv,
        kva,
        pos: Some(to_lonlat(tpos)),
    });
}

/// The transformer being built, for its LV lines and customers.
struct Area<'a> {
    tid: TransformerId,
    lv: BusId,
    tpos: Xy,
    dir: Xy,
    district: &'static str,
    tag: &'a str,
    township: usize,
}

/// A building or pole bus `k` at `pos` with its LV line from the transformer (along the
/// street, then across).
fn building(b: &mut Builder, area: &Area<'_>, k: usize, pos: Xy) -> BusId {
    let bus = b.bus(format!("{}.b{k:02}", area.tag), pos);
    let corner = area.tpos.plus(area.dir.scale(pos.minus(area.tpos).dot(area.dir)));
    let lv_name = format!("lv.{}-{k:02}", area.tag.replacen(".t", "-t", 1));
    b.lv_line(lv_name, area.lv, bus, &[corner]);
    bus
}

/// Apartment buildings of a compound (小区) for `n` households and shops; returns the
/// transformer's display name (`文华花园2号公变`).
fn apartments(
    b: &mut Builder,
    area: &Area<'_>,
    site: &TxSite,
    n: usize,
    address: StandardAddress,
    run: &mut Option<Run>,
) -> String {
    let keep = matches!(run, Some(r) if r.township == area.township) && b.rng.chance(0.55);
    if !keep {
        let compound = b.compounds[area.township].next_name();
        let house_no = b.house_no(area.township, &site.road, 12);
        let block_word = if b.rng.chance(0.2) { "座" } else { "栋" };
        *run = Some(Run {
            township: area.township,
            road: site.road.clone(),
            house_no,
            compound,
            next_building: 1,
            transformers: 0,
            block_word,
        });
    }
    let Some(r) = run.as_mut() else { return String::new() };
    r.transformers += 1;
    // On a main road the first transformer of a compound is named by its gate (汾江中路12号公变).
    let display = if site.on_trunk && r.transformers == 1 {
        format!("{}{}公变", r.road, r.house_no)
    } else {
        format!("{}{}号公变", r.compound, r.transformers)
    };
    let mut address = address;
    address.road = r.road.clone();
    address.house_no = r.house_no.clone();
    address.compound = r.compound.clone();
    let sizes = split(&mut b.rng, n, 12, 36);
    let first_building = r.next_building;
    r.next_building += sizes.len() as u32;
    let block_word = r.block_word;
    let half = (sizes.len() as f64 - 1.0) / 2.0;
    for (k, &size) in sizes.iter().enumerate() {
        let number = first_building + k as u32;
        let side = if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        let along = (k as f64 - half) * 40.0 + b.rng.range_f64(-5.0, 5.0);
        let raw = area
            .tpos
            .plus(area.dir.scale(along))
            .plus(area.dir.perp().scale(side * b.rng.range_f64(22.0, 45.0)));
        let bpos = b.city.settle(area.district, raw, area.tpos);
        let bus = building(b, area, k + 1, bpos);
        address.building = format!("{number}{block_word}");
        let per_floor = *b.rng.pick(&[2, 2, 3, 4, 4]);
        let first_floor = if b.rng.chance(0.7) { 2 } else { 1 };
        let (mut household, mut shop) = (0, 0);
        for _ in 0..size {
            let kind = if b.rng.chance(0.10) {
                shop += 1;
                address.room = format!("首层{shop}号铺");
                Kind::Shop
            } else {
                let floor = first_floor + household / per_floor;
                address.room = format!("{floor}{:02}房", household % per_floor + 1);
                household += 1;
                Kind::Resident
            };
            let cpos = b.city.settle(area.district, jitter(&mut b.rng, bpos, 6.0), bpos);
            customer(b, bus, area.tid, cpos, address.clone(), kind);
        }
    }
    display
}

/// Village houses (one household per house number) around LV poles; returns the display name.
fn village(
    b: &mut Builder,
    area: &Area<'_>,
    community: &str,
    n: usize,
    address: StandardAddress,
) -> String {
    let (village, road) = names::village(&mut b.rng, community_stem(community));
    let mut address = address;
    address.road = road.clone();
    address.compound = village.clone();
    let sizes = split(&mut b.rng, n, 3, 9);
    for (g, &size) in sizes.iter().enumerate() {
        let side = if g.is_multiple_of(2) { 1.0 } else { -1.0 };
        let raw = area
            .tpos
            .plus(area.dir.scale(side * (30.0 + 35.0 * (g / 2) as f64)))
            .plus(area.dir.perp().scale(b.rng.range_f64(-25.0, 25.0)));
        let ppos = b.city.settle(area.district, raw, area.tpos);
        let bus = building(b, area, g + 1, ppos);
        for _ in 0..size {
            address.house_no = b.house_no(area.township, &road, 2);
            let kind = if b.rng.chance(0.06) { Kind::Shop } else { Kind::Resident };
            let hpos = b.city.settle(area.district, jitter(&mut b.rng, ppos, 28.0), ppos);
            customer(b, bus, area.tid, hpos, address.clone(), kind);
        }
    }
    format!("{village}公变")
}

/// Splits `n` into groups of `lo..=hi`, a small remainder joining the last group.
fn split(rng: &mut Rng, n: usize, lo: usize, hi: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut left = n;
    while left > 0 {
        let s = (lo + rng.index(hi - lo + 1)).min(left);
        out.push(s);
        left -= s;
    }
    if out.len() > 1 && out[out.len() - 1] < lo / 2 + 1 {
        let tail = out.pop().unwrap_or(0);
        if let Some(last) = out.last_mut() {
            *last += tail;
        }
    }
    out
}

fn jitter(rng: &mut Rng, p: Xy, r: f64) -> Xy {
    p.plus(Xy::new(rng.range_f64(-r, r), rng.range_f64(-r, r)))
}

/// Appends one customer with account, name, phones, labels and demand.
fn customer(
    b: &mut Builder,
    bus: BusId,
    tid: TransformerId,
    pos: Xy,
    address: StandardAddress,
    kind: Kind,
) {
    let account_no = b.numbers.account(&mut b.rng);
    let rng = &mut b.rng;
    let (display_name, mut labels, kw, sensitive, wechat) = match kind {
        Kind::Resident => {
            let kw = *rng.pick(&[4.0, 6.0, 6.0, 8.0, 8.0, 10.0, 12.0]);
            let life = if rng.chance(0.0022) { Labels::LIFE_SUPPORT } else { Labels::default() };
            (names::person(rng), life, kw, 0.028, 0.62)
        }
        Kind::Shop => {
            let kw = 5.0 + rng.below(36) as f64;
            (names::shop(rng), Labels::COMMERCIAL, kw, 0.06, 0.5)
        }
        Kind::Firm { name, kva } => {
            let kw = (f64::from(kva) * rng.range_f64(0.45, 0.8)).round();
            (name, Labels::COMMERCIAL, kw, 0.1, 0.4)
        }
        Kind::Institution { name, kva } => {
            let kw = (f64::from(kva) * rng.range_f64(0.4, 0.7)).round();
            (name, Labels::IMPORTANT.with(Labels::COMMERCIAL), kw, 0.2, 0.4)
        }
    };
    if rng.chance(sensitive) {
        labels = labels.with(Labels::OUTAGE_SENSITIVE);
    }
    if rng.chance(wechat) {
        labels = labels.with(Labels::WECHAT);
    }
    let mut phones = vec![b.numbers.phone(&mut b.rng)];
    if b.rng.chance(0.1) {
        phones.push(b.numbers.phone(&mut b.rng));
    }
    b.model.customers.push(Customer {
        name: format!("cust.{account_no}"),
        account_no,
        display_name,
        phones,
        address,
        labels,
        bus,
        transformer: Some(tid),
        kw: kw as f32,
        pos: to_lonlat(pos),
    });
}
