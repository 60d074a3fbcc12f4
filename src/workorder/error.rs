//! Why a repair call could not be taken, or a ticket or crew changed.

use super::crew::CrewId;
use super::ticket::TicketId;
use crate::grid::GridError;
use crate::model::LonLat;
use crate::outage::OutageError;
use crate::store::StoreError;

/// Why a repair call, a ticket change or a crew change failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A device name is unknown or ambiguous.
    #[error(transparent)]
    Device(#[from] GridError),
    /// The caller's number is not an account or phone, or nobody has it.
    #[error(transparent)]
    Caller(#[from] OutageError),
    /// An address query with no text.
    #[error("the address is empty; give the caller's address, number or a map pin")]
    EmptyAddress,
    /// No standard address matches well enough.
    #[error(
        "no standard address matches `{text}` well enough{}; ask for the account number, \
         a phone, or drop a pin on the map",
        .best.as_ref().map(|(a, s)| format!(" (the best, {a}, scores {s:.2})")).unwrap_or_default()
    )]
    AddressNotFound {
        /// What was given.
        text: String,
        /// The best candidate and its score.
        best: Option<(String, f32)>,
    },
    /// Not a lon/lat position.
    #[error("{}, {} is not a longitude/latitude position", .at.lon, .at.lat)]
    BadPosition {
        /// The position.
        at: LonLat,
    },
    /// A pin with no line or transformer near it.
    #[error(
        "no line or transformer within {radius_m} m of the pin at {:.5}, {:.5}; the pin is \
         off the grid",
        .at.lon, .at.lat
    )]
    PinOffGrid {
        /// The pin.
        at: LonLat,
        /// How far it looked.
        radius_m: f64,
    },
    /// The device is out of service (disabled) or supplied by no feeder.
    #[error(
        "{device} is out of service or de-energised in the normal state (disabled, or no \
         feeder reaches it); a repair ticket needs a device in service"
    )]
    OutOfService {
        /// The device.
        device: String,
    },
    /// The device is not something a crew repairs.
    #[error("{device}: {why}")]
    NotRepairable {
        /// The device.
        device: String,
        /// Why.
        why: String,
    },
    /// No such ticket.
    #[error("there is no ticket {0}")]
    NoTicket(TicketId),
    /// No such crew.
    #[error("there is no crew {0}")]
    NoCrew(CrewId),
    /// No free crew of the unit can take it.
    #[error(
        "no crew of {unit} with the {skill} skill is free for ticket {ticket}; wait, or send a \
         crew by name (--crew)"
    )]
    NoFreeCrew {
        /// The ticket.
        ticket: TicketId,
        /// The unit.
        unit: String,
        /// The skill needed.
        skill: &'static str,
    },
    /// The step does not apply (the lifecycle's rule, or a merged ticket).
    #[error("ticket {id}: {message}")]
    Refused {
        /// The ticket (0 before it exists).
        id: u64,
        /// Why.
        message: String,
    },
    /// The crew change does not apply.
    #[error("crew {id}: {message}")]
    CrewRefused {
        /// The crew (0 before it exists).
        id: u64,
        /// Why.
        message: String,
    },
}

impl From<StoreError> for TicketError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected { kind: "crew", id, message } => {
                TicketError::CrewRefused { id, message }
            }
            StoreError::Rejected { id, message, .. } => TicketError::Refused { id, message },
            StoreError::NotFound { kind: "crew", id } => TicketError::NoCrew(CrewId(id)),
            StoreError::NotFound { id, .. } => TicketError::NoTicket(TicketId(id)),
            e => TicketError::Store(e),
        }
    }
}
