//! Outage information (停电信息): what an outage is — planned (计划停电) or fault (故障停电),
//! its devices, window, ETR (预计送电时间), affected customers down to the household
//! (分析到户), status and last change — and why a change to one can fail.
//!
//! The outages themselves are kept by [`OutageBook`](super::OutageBook) in the store, each
//! change an event ([`super::history`]).

use serde::{Deserialize, Serialize};

use super::info_impact::Impact;
use crate::grid::GridError;
use crate::store::StoreError;

/// An outage's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct OutageId(pub u64);

impl std::fmt::Display for OutageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Planned (计划停电) or fault (故障停电).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageKind {
    /// Announced in advance: maintenance, construction.
    Planned,
    /// Unplanned: a device tripped.
    Fault,
}

impl OutageKind {
    /// `planned` / `fault`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageKind::Planned => "planned",
            OutageKind::Fault => "fault",
        }
    }
}

/// How the device of a fault outage was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultSource {
    /// SCADA or a crew reported the device open (a trip).
    Trip,
    /// Trouble-call grouping predicted it ([`super::predict_outages`]).
    Predicted,
    /// An operator named it from a report.
    Reported,
}

/// Where an outage is in its life, as stored (see [`Outage::status_at`] for the status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Every device is (to be) open.
    Open,
    /// Some devices are closed again.
    PartiallyRestored,
    /// Supply is back.
    Restored,
    /// Called off.
    Cancelled,
}

/// The status an operator reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageStatus {
    /// Supply is off now.
    Active,
    /// Some customers are back, others still off.
    PartiallyRestored,
    /// A planned outage announced, not started yet.
    Announced,
    /// Supply is back.
    Restored,
    /// Called off.
    Cancelled,
}

impl OutageStatus {
    /// True while customers are, or are about to be, without supply.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OutageStatus::Announced | OutageStatus::Active | OutageStatus::PartiallyRestored
        )
    }

    /// The status's word, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageStatus::Announced => "announced",
            OutageStatus::Active => "active",
            OutageStatus::PartiallyRestored => "partially_restored",
            OutageStatus::Restored => "restored",
            OutageStatus::Cancelled => "cancelled",
        }
    }
}

/// The last change of an outage, for the caller's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatestChange {
    /// Its number among the outage's changes.
    pub seq: u64,
    /// When.
    pub time_s: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// What kind of change (`etr_changed`, …).
    pub change: String,
    /// What changed, in words.
    pub summary: String,
    /// The same in Chinese (empty in a state written before it was kept).
    #[serde(default)]
    pub summary_zh: String,
}

/// An outage's current state: the fold of its events (see [`super::history`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    /// Its number.
    pub id: OutageId,
    /// Planned or fault.
    pub kind: OutageKind,
    /// For a fault, how its device was found.
    pub source: Option<FaultSource>,
    /// The devices in the outage (external ids), in the order added.
    pub devices: Vec<String>,
    /// Those still open.
    pub open_devices: Vec<String>,
    /// Start of the window, or when the fault tripped.
    pub start_s: i64,
    /// End of a planned window.
    pub end_s: Option<i64>,
    /// Estimated restoration time.
    pub etr_s: Option<i64>,
    /// Why the outage happens (the reason given when it was created).
    pub reason: String,
    /// The notice text for customers.
    pub notice: String,
    /// Who is (or will be) without supply now.
    pub impact: Impact,
    /// The most customers the outage ever covered.
    pub peak_customers: usize,
    /// Where it is in its life.
    pub lifecycle: Lifecycle,
    /// When it was restored or cancelled.
    pub closed_s: Option<i64>,
    /// When it was recorded.
    pub created_s: i64,
    /// Who recorded it.
    pub created_by: String,
    /// Its last change.
    pub latest: LatestChange,
    /// How many changes it has had (events, creation included).
    pub changes: u64,
}

impl Outage {
    /// The status at `now_s`: a planned outage is announced until its start.
    pub fn status_at(&self, now_s: i64) -> OutageStatus {
        match self.lifecycle {
            Lifecycle::Cancelled => OutageStatus::Cancelled,
            Lifecycle::Restored => OutageStatus::Restored,
            Lifecycle::PartiallyRestored => OutageStatus::PartiallyRestored,
            Lifecycle::Open if self.kind == OutageKind::Planned && now_s < self.start_s => {
                OutageStatus::Announced
            }
            Lifecycle::Open => OutageStatus::Active,
        }
    }

    /// The expected duration: start to ETR (or to the window's end), `None` without either.
    pub fn expected_duration_s(&self) -> Option<i64> {
        self.etr_s.or(self.end_s).map(|end| end - self.start_s)
    }

    /// Customer-hours: customers without supply × expected duration.
    pub fn customer_hours(&self) -> Option<f64> {
        self.expected_duration_s().map(|d| self.impact.customers() as f64 * d as f64 / 3600.0)
    }
}

/// Why an outage could not be recorded, changed or looked up.
#[derive(Debug, thiserror::Error)]
pub enum OutageError {
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A device name is unknown or ambiguous.
    #[error(transparent)]
    Device(#[from] GridError),
    /// The change does not apply to the outage (restoring a cancelled one, an end before
    /// the start, …).
    #[error("{}{message}", .id.map(|i| format!("outage {i}: ")).unwrap_or_default())]
    Refused {
        /// The outage, if it exists yet.
        id: Option<OutageId>,
        /// Why.
        message: String,
    },
    /// No such outage.
    #[error("there is no outage {0}")]
    NotFound(OutageId),
    /// Opening the devices cuts no customer off.
    #[error(
        "no customer loses supply when {} opens (de-energised or normally open now); an \
         outage needs at least one affected customer",
        .devices.join(" + ")
    )]
    NoCustomers {
        /// The devices.
        devices: Vec<String>,
    },
    /// A change without a reason.
    #[error("every change needs a reason (--reason)")]
    MissingReason,
    /// What was typed for a caller is neither an account number nor a phone number.
    #[error(
        "`{query}` is neither an account number (户号) nor a phone number (11-digit mobile \
         from 1, or a 7–8 digit landline from 2–9 with or without its area code)"
    )]
    NotACaller {
        /// What was typed.
        query: String,
    },
    /// Nobody has that account number or phone.
    #[error("no customer has the account number or phone `{query}`")]
    UnknownCaller {
        /// What was typed.
        query: String,
    },
}

impl From<StoreError> for OutageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected { id, message, .. } => {
                OutageError::Refused { id: (id != 0).then_some(OutageId(id)), message }
            }
            StoreError::NotFound { id, .. } => OutageError::NotFound(OutageId(id)),
            e => OutageError::Store(e),
        }
    }
}
