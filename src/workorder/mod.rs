//! Repair work orders (智能报修): repair tickets, their lifecycle and SLA clocks, direct
//! dispatch to the unit that owns the feeder, duplicate merge, and crews.
//!
//! * [`locate_call`]: a caller by account or phone, a free-text address, a map pin or a
//!   device, located on the grid ([`CallSite`]: transformer, feeder, substation, unit);
//! * [`merge_duplicate_repair`]: the one rule deciding whether a call is a new fault
//!   (dispatch), the same fault as a master ticket in flight (merged), or explained by a
//!   known outage;
//! * [`RepairDesk`]: tickets and crews in the store — take a call, send a crew, record each
//!   step (on site, diagnosed, restored, closed, callback), the SLA-ordered work queue;
//! * [`Ticket`]: the lifecycle new → dispatched → en route → on site → restored → closed →
//!   callback, as a fold of events in the store;
//! * [`sla_clocks`] with an [`SlaPolicy`] from `resources/workorder/sla.json`;
//! * [`Crew`], [`best_crew`], [`travel_time_s`]: who to send and when they arrive;
//! * [`RepairDesk::predicted_outages`] / [`RepairDesk::confirm_outage`]: the outages the
//!   calls in flight point to, confirmed (or moved) by the operator, their tickets merged.

mod avl;
mod crew;
mod desk;
mod error;
mod locate;
mod predicted;
mod sla;
pub mod stress;
mod ticket;

#[cfg(feature = "avl")]
pub use avl::fetch_avl;
pub use avl::{parse_avl, AvlCrew, AvlError, AvlFix, AvlReport, AVL_MAX_BYTES, AVL_MIN_MOVE_M};
pub use crew::{
    best_crew, travel_time_s, Crew, CrewEvent, CrewId, CrewSpec, CrewStatus, Skill, ROAD_FACTOR,
};
pub use desk::{
    merge_duplicate_repair, CallOutcome, MasterInfo, MergeDecision, RepairCall, RepairDesk,
    TicketStep, RECOVERY_REASON,
};
pub use error::TicketError;
pub use locate::{locate_call, Caller, Located, MIN_ADDRESS_SCORE, PIN_RADIUS_M};
pub use predicted::{ConfirmedOutage, PredictedRepair};
pub use sla::{
    is_breached, next_due, sla_clocks, Area, ArrivalLimits, ClockState, RestoreLimits, SlaClock,
    SlaError, SlaPolicy, SlaStep, DEFAULT_SLA_JSON,
};
pub use ticket::{
    CallSite, Channel, Disposition, FaultLevel, StepTimes, Ticket, TicketEvent, TicketId,
    TicketStatus,
};

use crate::grid::Grid;
use crate::store::KindCheck;

/// The store kinds of this module, for [`crate::store::OpenOptions::kinds`].
pub fn store_kinds() -> Vec<KindCheck> {
    vec![KindCheck::of::<Ticket>(), KindCheck::of::<Crew>()]
}

/// The crews a model starts with when none are registered: for each unit that owns a
/// feeder, a 10 kV crew (10 kV and cable) and two low-voltage crews (the first also on
/// 10 kV), based at the unit's first substation, 30 km/h in town.
pub fn default_crews(grid: &Grid) -> Vec<CrewSpec> {
    let m = &grid.model;
    let mut units: Vec<(String, crate::model::LonLat)> = Vec::new();
    for f in &m.feeders {
        if !units.iter().any(|(u, _)| *u == f.unit) && !f.unit.trim().is_empty() {
            units.push((f.unit.clone(), m.substations[f.substation.index()].pos));
        }
    }
    let mut out = Vec::new();
    for (unit, base) in units {
        // `禅城供电局祖庙供电所` → `祖庙`
        let short = unit
            .rsplit_once('局')
            .map_or(unit.as_str(), |(_, s)| s)
            .trim_end_matches("供电所")
            .to_string();
        let short = if short.is_empty() { unit.clone() } else { short };
        for (i, (suffix, skills)) in [
            ("抢修一班", vec![Skill::LowVoltage, Skill::MediumVoltage]),
            ("抢修二班", vec![Skill::LowVoltage]),
            ("10kV抢修班", vec![Skill::MediumVoltage, Skill::Cable]),
        ]
        .into_iter()
        .enumerate()
        {
            // spread the bases a little so the crews do not sit on one pixel
            let home = crate::model::LonLat::new(
                base.lon + 0.002 * i as f64,
                base.lat - 0.0015 * i as f64,
            );
            out.push(CrewSpec {
                name: format!("{short}{suffix}"),
                unit: unit.clone(),
                skills,
                home,
                speed_kmh: 30.0,
                members: 3,
            });
        }
    }
    out
}

/// Builders for doc examples and tests.
#[doc(hidden)]
pub mod testing {
    use super::*;
    use crate::store::Aggregate;
    use crate::store::Recorded;

    /// Account numbers of the customers below `device`, one per distinct transformer, in
    /// model order: callers that the duplicate-merge rule cannot group by transformer, only
    /// the trouble-call grouping can.
    pub fn one_per_transformer(
        grid: &Grid,
        device: &str,
    ) -> Result<Vec<String>, crate::grid::GridError> {
        let dev = grid.resolve(device)?;
        let mut seen = std::collections::BTreeSet::new();
        Ok(crate::outage::affected_by_opening(grid, &[dev])
            .into_iter()
            .map(|c| &grid.model.customers[c.index()])
            .filter(|c| seen.insert(c.transformer))
            .map(|c| c.account_no.clone())
            .collect())
    }

    /// A low-voltage ticket in town called in at `t_s`, dispatched at once.
    pub fn urban_lv_ticket(t_s: i64) -> Ticket {
        let rec = |seq, event| Recorded {
            seq,
            time_s: t_s,
            author: "test".into(),
            reason: "test".into(),
            event,
        };
        let created = TicketEvent::Created {
            channel: Channel::Phone,
            description: "家里没电了".into(),
            site: Box::new(CallSite {
                unit: "禅城供电局祖庙供电所".into(), ..CallSite::default()
            }),
            fault_level: FaultLevel::LowVoltage,
            disposition: Disposition::Dispatch,
            outage: None,
        };
        let t = Ticket::apply(1, None, &rec(1, created)).expect("a new ticket");
        let unit = TicketEvent::Dispatched { unit: "禅城供电局祖庙供电所".into() };
        Ticket::apply(1, Some(t), &rec(2, unit)).expect("dispatched")
    }
}
