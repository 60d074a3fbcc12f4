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

mod likelihood;
mod predict;
mod protection;
mod rollup;

pub use predict::{predict_outages, PredictParams, PredictedOutage, Prediction, TroubleCall};
pub use protection::{ProtectionIndex, ProtectionKind, ProtectionZone, ProtectiveDevice};
pub use rollup::{lowest_common_protective_device, rollup_outages};

#[cfg(test)]
mod tests;
