//! A small synthetic network for examples and tests: a few feeders with a breaker, a
//! recloser half-way down the trunk, fused laterals and public transformers.

use crate::grid::Grid;
use crate::model::{
    Bus, BusId, Customer, Feeder, GridModel, LineSection, LonLat, StandardAddress, Substation,
    SubstationId, Switch, SwitchKind, SwitchMount, Transformer, TransformerKind,
};

/// The shape of [`sample_grid`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleFeeders {
    /// Feeders, all from one substation.
    pub feeders: usize,
    /// Fused laterals per feeder; a recloser sits on the trunk before lateral `laterals / 2`
    /// (when there are two laterals or more).
    pub laterals: usize,
    /// Public transformers per lateral, in a row.
    pub transformers: usize,
    /// Customers per transformer.
    pub customers: usize,
}

impl Default for SampleFeeders {
    /// Two feeders of four laterals of three transformers of five customers (65 customers a
    /// feeder: one more transformer sits on the trunk right below the breaker).
    fn default() -> Self {
        SampleFeeders { feeders: 2, laterals: 4, transformers: 3, customers: 5 }
    }
}

/// The sample network with every index built. Names: feeder `feeder.f1`, breaker
/// `breaker.f1`, recloser `recloser.f1`, lateral fuse `fuse.f1-l2`, transformers
/// `transformer.f1-l2-t3` and `transformer.f1-trunk`, customers `load.f1-l2-t3-c4` (numbers
/// from 1).
///
/// # Examples
/// ```
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// assert_eq!(grid.model.customers.len(), 2 * (4 * 3 + 1) * 5);
/// assert!(grid.resolve("fuse.f2-l4").is_ok());
/// ```
pub fn sample_grid(shape: &SampleFeeders) -> Grid {
    Grid::from_model(sample_model(shape))
}

struct Builder {
    m: GridModel,
}

impl Builder {
    fn bus(&mut self, name: String, x: f64, y: f64) -> BusId {
        self.m.buses.push(Bus { name, pos: Some(pos(x, y)) });
        BusId(self.m.buses.len() as u32 - 1)
    }

    fn line(&mut self, name: String, from: BusId, to: BusId) {
        let route: Vec<LonLat> =
            [from, to].iter().filter_map(|b| self.m.buses[b.index()].pos).collect();
        let length_m = route.first().zip(route.last()).map_or(0.0, |(a, b)| a.haversine_dist_m(b));
        self.m.lines.push(LineSection {
            name,
            from,
            to,
            length_m: length_m as f32,
            phases: 3,
            route,
            in_service: true,
        });
    }

    fn switch(&mut self, name: String, kind: SwitchKind, from: BusId, to: BusId) {
        let p = self.m.buses[from.index()].pos;
        self.m.switches.push(Switch {
            name,
            kind,
            mount: SwitchMount::Terminals { from, to },
            normally_open: false,
            pos: p,
        });
    }

    /// A transformer from `hv` with `n` customers on its LV bus.
    fn transformer(&mut self, code: &str, hv: BusId, n: usize, x: f64, y: f64) {
        let lv = self.bus(format!("{code}.lv"), x, y - 0.3);
        let t = crate::model::TransformerId(self.m.transformers.len() as u32);
        self.m.transformers.push(Transformer {
            name: format!("transformer.{code}"),
            display_name: format!("transformer.{code}"),
            kind: TransformerKind::Public,
            hv_bus: hv,
            lv_bus: lv,
            kva: 200.0,
            pos: Some(pos(x, y)),
        });
        for c in 0..n {
            let seq = self.m.customers.len();
            self.m.customers.push(Customer {
                name: format!("load.{code}-c{}", c + 1),
                account_no: format!("06{seq:08}"),
                display_name: format!("{code}-c{}", c + 1),
                phones: Vec::new(),
                address: StandardAddress::default(),
                labels: Default::default(),
                bus: lv,
                transformer: Some(t),
                kw: 3.0,
                pos: pos(x + 0.05 * c as f64, y - 0.4),
            });
        }
    }
}

/// A point of the sample's local grid (units of about 100 m) near Foshan.
fn pos(x: f64, y: f64) -> LonLat {
    LonLat::new(113.10 + x * 0.001, 23.00 + y * 0.001)
}

/// The plain model of [`sample_grid`].
pub fn sample_model(shape: &SampleFeeders) -> GridModel {
    let mut b = Builder { m: GridModel { name: "sample".into(), ..GridModel::default() } };
    b.m.substations.push(Substation {
        name: "sub.sample".into(),
        display_name: "sample".into(),
        pos: pos(0.0, 0.0),
        kv_hv: 110.0,
    });
    for f in 1..=shape.feeders {
        let y = 10.0 * f as f64;
        let code = format!("f{f}");
        let src = b.bus(format!("{code}.src"), 0.0, y);
        b.m.feeders.push(Feeder {
            name: format!("feeder.{code}"),
            display_name: format!("feeder {f}"),
            substation: SubstationId(0),
            source_bus: src,
            kv: 10.0,
            unit: "sample".into(),
        });
        let b0 = b.bus(format!("{code}.b0"), 1.0, y);
        b.switch(format!("breaker.{code}"), SwitchKind::Breaker, src, b0);
        b.transformer(&format!("{code}-trunk"), b0, shape.customers, 1.0, y - 1.0);
        let mut prev = b0;
        for l in 1..=shape.laterals {
            let x = 2.0 * l as f64;
            let at = b.bus(format!("{code}.t{l}"), x, y);
            if shape.laterals >= 2 && l == shape.laterals / 2 + 1 {
                let mid = b.bus(format!("{code}.r"), x - 0.5, y);
                b.line(format!("line.{code}-t{l}"), prev, mid);
                b.switch(format!("recloser.{code}"), SwitchKind::Recloser, mid, at);
            } else {
                b.line(format!("line.{code}-t{l}"), prev, at);
            }
            prev = at;
            let head = b.bus(format!("{code}.l{l}"), x, y + 1.0);
            b.switch(format!("fuse.{code}-l{l}"), SwitchKind::Fuse, at, head);
            let mut up = head;
            for t in 1..=shape.transformers {
                let ty = y + 1.0 + t as f64;
                let hv = b.bus(format!("{code}.l{l}.t{t}"), x, ty);
                b.line(format!("line.{code}-l{l}-t{t}"), up, hv);
                b.transformer(&format!("{code}-l{l}-t{t}"), hv, shape.customers, x + 0.5, ty);
                up = hv;
            }
        }
    }
    b.m
}
