//! Predicted outages from the repair calls in flight (故障研判), for the operator to confirm
//! or move.
//!
//! Calls from customers under different transformers of one lateral each get a ticket of
//! their own (no known outage or ticket in flight covers the second caller), although one
//! blown fuse explains them all. [`RepairDesk::predicted_outages`] runs the trouble-call
//! grouping ([`predict_outages`](crate::outage::predict_outages)) over the tickets that no
//! outage explains yet;
//! [`RepairDesk::confirm_outage`] records the fault outage at the device the operator
//! confirms (the predicted one, or another: a move) and links the tickets it explains to
//! it: the one with the crew furthest along stays the master, the others are merged into
//! it and their crews released — one dispatch per outage.

use serde::{Deserialize, Serialize};

use super::crew::CrewEvent;
use super::desk::RepairDesk;
use super::error::TicketError;
use super::ticket::{Disposition, FaultLevel, Ticket, TicketEvent, TicketId, TicketStatus};
use crate::grid::Grid;
use crate::model::CustomerId;
use crate::outage::{
    predict_with_meters, FaultOutage, FaultSource, MeterEvent, Outage, OutageBook, PredictParams,
    PredictedOutage, ProtectionIndex, TroubleCall,
};

/// A predicted outage with the tickets whose calls it groups.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictedRepair {
    /// The device believed open (`fuse.zm01-f03`, `transformer.zm01-t0001`).
    pub device: String,
    /// The prediction (role, callers, customers out, confidence, call times).
    pub prediction: PredictedOutage,
    /// The tickets grouped, by call time.
    pub tickets: Vec<TicketId>,
}

/// What confirming an outage did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmedOutage {
    /// The fault outage recorded.
    pub outage: Outage,
    /// The ticket that stays the master (its crew goes on), if any ticket was linked.
    pub master: Option<TicketId>,
    /// The tickets merged into the master (their crews released).
    pub merged: Vec<TicketId>,
    /// Tickets named whose callers the device does not supply: left as they were.
    pub outside: Vec<TicketId>,
}

impl RepairDesk {
    /// The tickets a prediction may group: calls in flight or merged into a master in
    /// flight, from a known customer, that no outage explains yet.
    fn open_calls(&self, grid: &Grid) -> Vec<(TicketId, CustomerId, i64)> {
        let live = |t: &Ticket| match t.disposition {
            Disposition::Dispatch => t.status.in_flight(),
            Disposition::Merged { master } => {
                t.status == TicketStatus::Merged
                    && self.ticket(master).is_ok_and(|m| m.status.in_flight())
            }
            Disposition::Explained { .. } => false,
        };
        self.tickets()
            .filter(|t| t.outage.is_none() && live(t))
            .filter_map(|t| Some((t.id, self.caller_of(grid, t.id)?, t.times.created_s)))
            .collect()
    }

    /// The outages predicted from the calls in flight that no outage explains yet: groups of
    /// at least two distinct callers (a single caller is a single repair, already on its
    /// ticket), by first call. See [`predict_outages`](crate::outage::predict_outages) for
    /// the likelihood and the time window.
    pub fn predicted_outages(
        &self,
        grid: &Grid,
        index: &ProtectionIndex,
        params: &PredictParams,
    ) -> Vec<PredictedRepair> {
        self.predicted_outages_with_meters(grid, index, params, &[])
    }

    /// [`RepairDesk::predicted_outages`] with smart-meter events as well
    /// ([`predict_with_meters`]): an outage is also predicted when at least two meters below
    /// one device sent a last gasp — before anyone calls.
    pub fn predicted_outages_with_meters(
        &self,
        grid: &Grid,
        index: &ProtectionIndex,
        params: &PredictParams,
        meters: &[MeterEvent],
    ) -> Vec<PredictedRepair> {
        let open = self.open_calls(grid);
        let calls: Vec<TroubleCall> = open
            .iter()
            .map(|&(_, customer, at_s)| TroubleCall { customer, at_s: at_s.max(0) as u64 })
            .collect();
        predict_with_meters(index, &calls, meters, &[], params)
            .outages
            .into_iter()
            .filter(|p| p.callers >= 2 || p.last_gasps >= 2)
            .map(|p| PredictedRepair {
                device: p.device.name(&grid.model).to_string(),
                tickets: p.calls.iter().map(|&i| open[i].0).collect(),
                prediction: p,
            })
            .collect()
    }

    /// Confirms a fault outage at `device` (the predicted device, or the one the operator
    /// moved it to) and links to it the `tickets` whose callers it cuts (all open calls it
    /// cuts when `tickets` is empty): the ticket whose crew is furthest along (on site, en
    /// route, else the earliest call) stays the master, every other one is merged into it
    /// and its crew released. Later calls from the area join the outage's master by the
    /// duplicate-merge rule.
    pub fn confirm_outage(
        &mut self,
        grid: &Grid,
        outages: &mut OutageBook,
        device: &str,
        tickets: &[TicketId],
        author: &str,
        reason: &str,
    ) -> Result<ConfirmedOutage, TicketError> {
        for &id in tickets {
            self.ticket(id)?;
        }
        let open = self.open_calls(grid);
        let named: Vec<(TicketId, CustomerId, i64)> = if tickets.is_empty() {
            open.clone()
        } else {
            let mut v = Vec::new();
            for &id in tickets {
                match open.iter().find(|o| o.0 == id) {
                    Some(o) => v.push(*o),
                    None => {
                        return Err(TicketError::Refused {
                            id: id.0,
                            message: "it is not an open call that no outage explains".into(),
                        })
                    }
                }
            }
            v
        };
        let dev = grid.resolve(device)?;
        let start_s = named.iter().map(|o| o.2).min();
        let outage = outages.report_fault(
            grid,
            FaultOutage {
                device: dev,
                source: FaultSource::Predicted,
                start_s,
                etr_s: None,
                reason: reason.to_string(),
                author: author.to_string(),
            },
        )?;
        let cut = outages.affected_customers(outage.id);
        let (inside, outside): (Vec<_>, Vec<_>) = named.iter().partition(|o| cut.contains(&o.1));
        let outside: Vec<TicketId> = if tickets.is_empty() {
            Vec::new()
        } else {
            outside.iter().map(|o: &&(TicketId, CustomerId, i64)| o.0).collect()
        };
        // The master: the crew furthest along, then the earliest call.
        let rank = |s: TicketStatus| match s {
            TicketStatus::OnSite => 0,
            TicketStatus::EnRoute => 1,
            TicketStatus::Dispatched | TicketStatus::New => 2,
            _ => 3,
        };
        let master = inside
            .iter()
            .filter_map(|o| self.ticket(o.0).ok())
            .filter(|t| t.disposition == Disposition::Dispatch)
            .min_by_key(|t| (rank(t.status), t.times.created_s, t.id))
            .map(|t| t.id);
        let why = format!("outage {} confirmed at {device}", outage.id);
        let mut merged = Vec::new();
        for o in &inside {
            let t = self.ticket(o.0)?.clone();
            let to = if Some(t.id) == master { None } else { master };
            // an outage is cut by a device on the feeder: a 10 kV fault (as the merge rule)
            let event = TicketEvent::JoinedOutage {
                outage: outage.id,
                master: to,
                fault_level: FaultLevel::MediumVoltage,
            };
            self.append(t.id, author, &why, event)?;
            if to.is_some() {
                merged.push(t.id);
                if let Some(c) =
                    t.crew.filter(|c| self.crew(*c).is_ok_and(|x| x.ticket == Some(t.id)))
                {
                    self.crew_event(c, author, &why, CrewEvent::Released)?;
                }
            }
        }
        Ok(ConfirmedOutage { outage, master, merged, outside })
    }
}
