//! The ticket crash test's workload (`gridcare ticket-stress`): repair calls from random
//! customers of the model and the steps of the tickets in flight (send a crew, on site,
//! restored, closed, callback), all through [`RepairDesk`], printing each write after the
//! desk returned it (on disk), so that a test can kill the process at any moment and then
//! check that every acknowledged ticket write survived.

use std::io::Write;

use super::desk::{RepairCall, RepairDesk, TicketStep};
use super::error::TicketError;
use super::locate::Caller;
use super::ticket::{Channel, Ticket, TicketStatus};
use crate::grid::Grid;
use crate::outage::OutageBook;
use crate::rng::Rng;
use crate::store::StoreError;

/// One acknowledged ticket write as printed: `ack <ticket> <events> <status>` — after it,
/// the ticket had `events` events and was in `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketAck {
    /// The ticket.
    pub ticket: u64,
    /// Its events after the write.
    pub events: u64,
    /// Its status after the write (the JSON word).
    pub status: String,
}

impl TicketAck {
    /// The line [`run`] prints.
    pub fn line(t: &Ticket) -> String {
        format!("ack {} {} {}", t.id.0, t.changes, t.status.as_str())
    }

    /// Parses a printed line; `None` for anything else (a line cut by the kill).
    pub fn parse(line: &str) -> Option<TicketAck> {
        let mut it = line.strip_prefix("ack ")?.split(' ');
        let ack = TicketAck {
            ticket: it.next()?.parse().ok()?,
            events: it.next()?.parse().ok()?,
            status: it.next()?.to_string(),
        };
        (it.next().is_none() && !ack.status.is_empty()).then_some(ack)
    }
}

/// Makes `writes` desk operations: two in five advance a master ticket in flight by one step
/// (a crew is sent when one is free), the others take a call from a random customer (which
/// the duplicate-merge rule may link to a master). Prints [`TicketAck::line`] for each
/// ticket written, after the desk returned. Refusals the desk is right to give (no free
/// crew) are skipped; any other error stops the run.
pub fn run(
    grid: &Grid,
    outages: &OutageBook,
    desk: &mut RepairDesk,
    writes: u64,
    seed: u64,
    out: &mut dyn Write,
) -> Result<(), TicketError> {
    let io =
        |e: std::io::Error| TicketError::Store(StoreError::Io { path: "stdout".into(), source: e });
    let customers = &grid.model.customers;
    if customers.is_empty() {
        return Err(TicketError::NotRepairable {
            device: grid.model.name.clone(),
            why: "the model has no customers to call".into(),
        });
    }
    let mut rng = Rng::new(seed ^ desk.now_s().unsigned_abs());
    let mut done = 0;
    while done < writes {
        let masters: Vec<_> = desk
            .tickets()
            .filter(|t| {
                t.master().is_none()
                    && matches!(
                        t.status,
                        TicketStatus::Dispatched
                            | TicketStatus::EnRoute
                            | TicketStatus::OnSite
                            | TicketStatus::Restored
                            | TicketStatus::Closed
                    )
            })
            .map(|t| (t.id, t.status))
            .collect();
        let written: Vec<Ticket> = if !masters.is_empty() && rng.chance(0.4) {
            // tickets with a crew on them first, so that every step is exercised
            let crewed: Vec<_> =
                masters.iter().copied().filter(|(_, s)| *s != TicketStatus::Dispatched).collect();
            let (id, status) = if !crewed.is_empty() && rng.chance(0.7) {
                *rng.pick(&crewed)
            } else {
                *rng.pick(&masters)
            };
            let step = match status {
                TicketStatus::Dispatched => match desk.send_crew(id, None, "stress") {
                    Ok((t, _)) => {
                        writeln!(out, "{}", TicketAck::line(&t)).map_err(io)?;
                        out.flush().map_err(io)?;
                        done += 1;
                        continue;
                    }
                    Err(TicketError::NoFreeCrew { .. }) => continue,
                    Err(e) => return Err(e),
                },
                TicketStatus::EnRoute => TicketStep::OnSite,
                TicketStatus::OnSite => TicketStep::Restored,
                TicketStatus::Restored => TicketStep::Closed,
                _ => TicketStep::Callback { satisfied: true, note: "满意".into() },
            };
            vec![desk.step(id, step, "stress", "stress test")?]
        } else {
            let c = rng.pick(customers);
            let call = RepairCall {
                caller: Caller::Number(c.account_no.clone()),
                phone: None,
                channel: Channel::Phone,
                description: "家里没电了".into(),
                author: "stress".into(),
            };
            match desk.take_call(grid, outages, call) {
                Ok(o) => vec![o.ticket],
                // a customer no feeder supplies (an island): the desk is right to refuse
                Err(TicketError::NotRepairable { .. } | TicketError::OutOfService { .. }) => {
                    continue
                }
                Err(e) => return Err(e),
            }
        };
        for t in written {
            writeln!(out, "{}", TicketAck::line(&t)).map_err(io)?;
        }
        out.flush().map_err(io)?;
        done += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_line_parses_back_and_a_cut_line_does_not() {
        let a = TicketAck::parse("ack 12 3 en_route").expect("parses");
        assert_eq!(a, TicketAck { ticket: 12, events: 3, status: "en_route".into() });
        assert_eq!(TicketAck::parse("ack 12 3"), None);
        assert_eq!(TicketAck::parse("ack 12 3 en_route extra"), None);
        assert_eq!(TicketAck::parse("ac"), None);
    }
}
