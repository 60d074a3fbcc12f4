use gridcare::outage::*;
use gridcare::sim::*;
use gridcare::grid::*;
#[test]
#[ignore]
fn explore() {
    let grid = Grid::load(&ModelSource::Embedded).unwrap();
    let index = ProtectionIndex::build(&grid);
    println!("{:?}", index.kind_counts());
    let mut shadowed = [0usize; 5];
    for z in index.zones() { if z.shadowed { shadowed[z.kind.index()] += 1; } }
    println!("shadowed {shadowed:?}");
    let params = StormParams { storms: 500, ..Default::default() };
    let storms = draw_storms(&index, &params);
    let mut tally = std::collections::BTreeMap::<(usize, &str), usize>::new();
    for s in &storms {
        for (f, fault) in s.faults.iter().enumerate() {
            let times: Vec<u64> = s.calls.iter().zip(&s.cause).filter(|(_, c)| **c == Some(f)).map(|(c, _)| c.at_s).collect();
            for (k, want) in [1usize, 3, usize::MAX].into_iter().enumerate() {
                let t = times[want.min(times.len()) - 1];
                let seen = s.calls.partition_point(|c| c.at_s <= t);
                let p = predict_outages(&index, &s.calls[..seen], &[], &params.predict);
                let class = if p.outages.iter().any(|o| o.zone == fault.zone) { "exact" }
                    else if p.outages.iter().any(|o| index.contains(o.zone, fault.zone)) { "too high" }
                    else if p.outages.iter().any(|o| index.contains(fault.zone, o.zone)) { "too low" }
                    else { "missed" };
                *tally.entry((k, class)).or_default() += 1;
                if k == 0 && class != "exact" {
                    let z = &index.zones()[fault.zone];
                    println!("{} {class} faults={} truth {} {} n={} calls={} seen={} stray={} -> {:?}", k, s.faults.len(), z.kind.as_str(), z.device.name(&grid.model), z.customer_count(), times.len(), seen, s.cause[..seen].iter().filter(|c| c.is_none()).count(),
                      p.outages.iter().map(|o| format!("{} {} n={} k={} conf={:.2}", o.kind.as_str(), o.device.name(&grid.model), o.customers_out, o.callers, o.confidence)).collect::<Vec<_>>());
                }
            }
        }
    }
    println!("{tally:?}");
}
