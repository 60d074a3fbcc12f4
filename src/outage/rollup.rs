//! The textbook grouping rule, kept as the baseline: roll the calls up to the lowest
//! protective device common to all callers.

use std::collections::BTreeMap;

use super::predict::{PredictedOutage, Prediction, TroubleCall};
use super::protection::{ProtectionIndex, ProtectiveDevice};
use crate::model::{CustomerId, FeederId};

/// The lowest protective device above every one of `customers` (the textbook trouble-call
/// rule): walk up the first customer's supply path and stop at the first device that also
/// covers all the others. `None` when they are on different feeders, when there are none, or
/// when one is not supplied.
///
/// One stray caller elsewhere on the feeder moves the answer to the feeder breaker.
///
/// # Examples
/// ```
/// use gridcare::model::DeviceRef;
/// use gridcare::outage::{lowest_common_protective_device, ProtectionIndex};
/// use gridcare::sim::{sample_grid, SampleFeeders};
///
/// let grid = sample_grid(&SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// let c = |name: &str| match grid.resolve(name).unwrap() {
///     DeviceRef::Customer(c) => c,
///     other => panic!("{other:?}"),
/// };
/// let name = |names: &[&str]| {
///     let cs: Vec<_> = names.iter().map(|n| c(n)).collect();
///     lowest_common_protective_device(&index, &cs).map(|d| d.name(&grid.model).to_string())
/// };
/// assert_eq!(name(&["load.f1-l1-t1-c1"]).as_deref(), Some("transformer.f1-l1-t1"));
/// assert_eq!(name(&["load.f1-l1-t1-c1", "load.f1-l1-t2-c1"]).as_deref(), Some("fuse.f1-l1"));
/// // one caller on another lateral: the breaker
/// let three = ["load.f1-l1-t1-c1", "load.f1-l1-t2-c1", "load.f1-l2-t1-c1"];
/// assert_eq!(name(&three).as_deref(), Some("breaker.f1"));
/// ```
pub fn lowest_common_protective_device(
    index: &ProtectionIndex,
    customers: &[CustomerId],
) -> Option<ProtectiveDevice> {
    common_zone(index, customers).map(|z| index.zones()[z].device)
}

pub(crate) fn common_zone(index: &ProtectionIndex, customers: &[CustomerId]) -> Option<usize> {
    let first = *customers.first()?;
    index.chain(first).find(|&z| customers.iter().all(|&c| index.covers(z, c)))
}

/// The textbook rule as a predictor: the calls of each feeder form one outage at their
/// [`lowest_common_protective_device`] (calls are never grouped across feeders; calls from
/// unsupplied customers are stray). No time window, no second fault on a feeder.
///
/// # Examples
/// ```
/// use gridcare::outage::{rollup_outages, ProtectionIndex, TroubleCall};
/// use gridcare::model::CustomerId;
/// use gridcare::sim::{sample_grid, SampleFeeders};
///
/// let grid = sample_grid(&SampleFeeders::default());
/// let index = ProtectionIndex::build(&grid);
/// let p = rollup_outages(&index, &[TroubleCall { customer: CustomerId(0), at_s: 0 }]);
/// assert_eq!(p.outages.len(), 1);
/// assert_eq!(p.outages[0].device.name(&grid.model), "transformer.f1-trunk");
/// ```
pub fn rollup_outages(index: &ProtectionIndex, calls: &[TroubleCall]) -> Prediction {
    let mut by_feeder: BTreeMap<FeederId, Vec<usize>> = BTreeMap::new();
    let mut out = Prediction::default();
    for (i, call) in calls.iter().enumerate() {
        match index.lowest_zone(call.customer) {
            Some(z) => by_feeder.entry(index.zones()[z].feeder).or_default().push(i),
            None => out.stray_calls.push(i),
        }
    }
    for group in by_feeder.values_mut() {
        group.sort_by_key(|&i| (calls[i].at_s, i));
        let mut customers: Vec<CustomerId> = group.iter().map(|&i| calls[i].customer).collect();
        customers.sort();
        customers.dedup();
        let Some(zone) = common_zone(index, &customers) else {
            out.stray_calls.extend(group.iter());
            continue;
        };
        let z = &index.zones()[zone];
        out.outages.push(PredictedOutage {
            device: z.device,
            kind: z.kind,
            zone,
            callers: customers.len(),
            customers_out: z.customer_count(),
            last_gasps: 0,
            confidence: 1.0,
            first_call_s: calls[group[0]].at_s,
            last_call_s: group.last().map_or(0, |&i| calls[i].at_s),
            calls: group.clone(),
        });
    }
    out.outages.sort_by_key(|o| (o.first_call_s, o.zone));
    out.stray_calls.sort_by_key(|&i| (calls[i].at_s, i));
    out
}
