//! Outages. So far: **trouble-call grouping** (outage prediction) — calls from customers
//! whose power is off are grouped into predicted outages at the protective device that most
//! likely operated, for an operator to confirm or move.
//!
//! * [`ProtectionIndex`]: the protective devices of a model (breakers or feeder heads,
//!   reclosers, sectionalisers, lateral fuses, transformer fuses), each with the customers it
//!   clears and its nearest protective device above;
//! * [`predict_outages`]: the likelihood rule — weighs the callers against the customers
//!   below each device who did not call, treats a lone call elsewhere as stray, keeps a time
//!   window between groups, splits a group into two simultaneous outages when that explains
//!   the calls better, and never predicts at or above a device known to be closed;
//! * [`lowest_common_protective_device`] and [`rollup_outages`]: the textbook rule (roll the
//!   calls up to the lowest common protective device), kept as the baseline that
//!   `gridcare sim storm` measures against.
//!
//! And **outage information** (停电信息): planned and fault outages in the store, each change
//! an event with time, author and reason.
//!
//! * [`OutageBook`]: records planned outages (several devices opened together, a
//!   window, a notice) and fault outages (a tripped or predicted device); ETR changes, scope
//!   changes, reschedules, partial and full restoration, cancellation; answers a caller
//!   ([`OutageBook::outages_covering`]) from an index customer → open outages;
//! * [`affected_by_opening`], [`impact_of`], [`outage_polygon`]: household-level impact
//!   (分析到户) through the topology, counts by label, the outage polygon;
//! * [`info`]: what an outage is (kind, status, ETR, impact) and [`OutageError`];
//! * [`history`]: the events, the fold that is the one rule for which change may follow
//!   which, and the change trajectory (变更轨迹).

pub mod history;
pub mod info;
mod info_book;
mod info_impact;
mod likelihood;
pub mod meter;
mod predict;
mod protection;
mod rollup;

pub use predict::{
    predict_outages, predict_with_meters, MeterEvent, MeterEventKind, PredictParams,
    PredictedOutage, Prediction, TroubleCall,
};
pub use protection::{ProtectionIndex, ProtectionKind, ProtectionZone, ProtectiveDevice};
pub use rollup::{lowest_common_protective_device, rollup_outages};

pub use history::{OutageEvent, TrajectoryEntry};
pub use info::{
    FaultSource, LatestChange, Lifecycle, Outage, OutageError, OutageId, OutageKind, OutageStatus,
};
pub use info_book::{Coverage, FaultOutage, OutageBook, PlannedOutage};
pub use info_impact::{affected_by_opening, find_caller, impact_of, outage_polygon, Impact};

#[cfg(test)]
mod tests;
