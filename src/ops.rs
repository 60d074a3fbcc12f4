//! Every write an operator makes, as data: an [`Operation`] is one write of the desktop app
//! (record a fault outage, move its ETR, restore or cancel it, take a repair call, send a
//! crew, record a ticket step, confirm a predicted outage, acknowledge, assign or resolve a
//! sensitive-word alert), serialisable as JSON so that a workstation can either apply it to
//! its own store (embedded) or send it to `gridcare serve` (`POST /api/v1/ops`), which
//! applies it with the same function, [`execute`].
//!
//! [`execute`] is a dispatcher and nothing more: each operation calls the one library
//! function the app called before (the outage book's, the repair desk's, the alert book's),
//! so every rule stays where it was — a refusal comes back as that function's own typed
//! error inside [`OpError`], for the app to say in the operator's language as before and for
//! the server to map to an HTTP status ([`OpError::http_status`]). The operator's name is
//! not part of the operation: whoever applies it says who asked ([`execute`]'s `author`).
//!
//! A malformed operation fails to deserialise with a message that names the field
//! (`reason: invalid type: integer `3`, expected a string`, ``missing field `reason` ``,
//! ``unknown field `etr`` ``); [`Operation::parse`] reads one from JSON text.

use serde::{Deserialize, Serialize};

use crate::channels::alert::{AlertBook, AlertError, AlertId};
use crate::grid::Grid;
use crate::outage::{FaultOutage, FaultSource, OutageBook, OutageError, OutageId};
use crate::store::{format_time, StoreError};
use crate::workorder::{
    CallOutcome, Caller, Channel, ConfirmedOutage, CrewId, Disposition, RepairCall, RepairDesk,
    TicketError, TicketId, TicketStep,
};

/// Deserialisers that put the field's name in front of the error of its value (serde's own
/// errors name a missing or unknown field, not a field whose value is of the wrong type).
mod named {
    macro_rules! fields {
        ($($name:ident),* $(,)?) => {$(
            pub(super) fn $name<'de, D, T>(d: D) -> Result<T, D::Error>
            where
                D: serde::Deserializer<'de>,
                T: serde::Deserialize<'de>,
            {
                T::deserialize(d).map_err(|e| {
                    serde::de::Error::custom(format_args!("{}: {e}", stringify!($name)))
                })
            }
        )*};
    }
    fields!(
        device,
        etr_s,
        reason,
        outage,
        caller,
        channel,
        description,
        phone,
        ticket,
        crew,
        step,
        tickets,
        alert,
        to,
        note,
    );
}

/// One write of an operator, as the desktop app makes it, tagged by `op`.
///
/// Ids (`outage`, `ticket`, `crew`, `alert`) are numbers, times (`etr_s`) unix seconds,
/// devices their external ids as the grid names them (`switch.zm01-s03`, `fuse.zm01-l01`).
/// Every field is required except those marked optional; an unknown field is refused.
///
/// | `op` | fields |
/// |---|---|
/// | `report_fault` | `device`, `etr_s` (optional), `reason` |
/// | `change_etr` | `outage`, `etr_s`, `reason` |
/// | `restore_outage` | `outage`, `reason` |
/// | `cancel_outage` | `outage`, `reason` |
/// | `take_call` | `caller` (`{"by": "number" \| "address" \| "device", "value": "…"}` or `{"by": "pin", "value": {"lon": …, "lat": …}}`), `channel` (`phone`, `wechat`, `app`, `web`, `sms`, `internal`), `description` (optional), `phone` (optional) |
/// | `send_crew` | `ticket`, `crew` (optional: the best free crew of the ticket's unit) |
/// | `step_ticket` | `ticket`, `step` (`"on_site"`, `"restored"`, `"closed"`, `"cancel"`, `{"diagnosed": {"fault_type", "cause", "level", "etr_s"}}`, `{"callback": {"satisfied", "note"}}`), `reason` |
/// | `confirm_prediction` | `device`, `tickets` (optional: every open call the device cuts), `reason` |
/// | `acknowledge_alert` | `alert` |
/// | `assign_alert` | `alert`, `to` |
/// | `resolve_alert` | `alert`, `note` |
///
/// # Examples
///
/// ```
/// use gridcare::ops::Operation;
/// use gridcare::outage::OutageId;
/// use gridcare::workorder::{TicketId, TicketStep};
///
/// let op: Operation = serde_json::from_str(
///     r#"{"op": "change_etr", "outage": 12, "etr_s": 1764590400, "reason": "电缆中间头击穿"}"#,
/// )?;
/// assert_eq!(
///     op,
///     Operation::ChangeEtr { outage: OutageId(12), etr_s: 1_764_590_400, reason: "电缆中间头击穿".into() }
/// );
///
/// let op = Operation::parse(r#"{"op": "step_ticket", "ticket": 7, "step": "on_site", "reason": "到达"}"#)?;
/// assert_eq!(op, Operation::StepTicket { ticket: TicketId(7), step: TicketStep::OnSite, reason: "到达".into() });
///
/// // A bad value is refused with its field's name.
/// let bad = Operation::parse(r#"{"op": "cancel_outage", "outage": "twelve", "reason": "x"}"#);
/// assert!(bad.unwrap_err().to_string().contains("outage: invalid type"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Record a fault outage (故障停电) reported at a device ([`OutageBook::report_fault`]).
    ReportFault {
        /// The device that tripped (external id).
        #[serde(deserialize_with = "named::device")]
        device: String,
        /// Estimated restoration time, if known (unix s).
        #[serde(default, deserialize_with = "named::etr_s")]
        etr_s: Option<i64>,
        /// What is known of the cause.
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Move an outage's estimated restoration time ([`OutageBook::change_etr`]).
    ChangeEtr {
        /// The outage.
        #[serde(deserialize_with = "named::outage")]
        outage: OutageId,
        /// The new ETR (unix s).
        #[serde(deserialize_with = "named::etr_s")]
        etr_s: i64,
        /// Why.
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Restore supply to every customer of an outage ([`OutageBook::restore`], all devices).
    RestoreOutage {
        /// The outage.
        #[serde(deserialize_with = "named::outage")]
        outage: OutageId,
        /// Why.
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Call an outage off ([`OutageBook::cancel`]).
    CancelOutage {
        /// The outage.
        #[serde(deserialize_with = "named::outage")]
        outage: OutageId,
        /// Why.
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Take a repair call ([`RepairDesk::take_call`]): dispatch, merge or explain it.
    TakeCall {
        /// Who calls, or where.
        #[serde(deserialize_with = "named::caller")]
        caller: Caller,
        /// How the call came in.
        #[serde(deserialize_with = "named::channel")]
        channel: Channel,
        /// What the caller says (empty: 报修：停电).
        #[serde(default, deserialize_with = "named::description")]
        description: String,
        /// The number to call back, when the caller gave one apart from the lookup.
        #[serde(default, deserialize_with = "named::phone")]
        phone: Option<String>,
    },
    /// Send a crew to a ticket ([`RepairDesk::send_crew`]).
    SendCrew {
        /// The ticket.
        #[serde(deserialize_with = "named::ticket")]
        ticket: TicketId,
        /// The crew (`None`: the best free crew of the ticket's unit).
        #[serde(default, deserialize_with = "named::crew")]
        crew: Option<CrewId>,
    },
    /// Record a step of a ticket ([`RepairDesk::step`]).
    StepTicket {
        /// The ticket.
        #[serde(deserialize_with = "named::ticket")]
        ticket: TicketId,
        /// The step.
        #[serde(deserialize_with = "named::step")]
        step: TicketStep,
        /// Why, or what the crew says.
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Confirm a predicted outage at a device — the predicted one or another (a move, 改判)
    /// — and merge the tickets it explains into one master ([`RepairDesk::confirm_outage`]).
    ConfirmPrediction {
        /// The device to record the outage at (external id).
        #[serde(deserialize_with = "named::device")]
        device: String,
        /// The prediction's tickets (empty: every open call the device cuts).
        #[serde(default, deserialize_with = "named::tickets")]
        tickets: Vec<TicketId>,
        /// Why (required).
        #[serde(deserialize_with = "named::reason")]
        reason: String,
    },
    /// Record that the operator has seen an alert ([`AlertBook::acknowledge`]).
    AcknowledgeAlert {
        /// The alert.
        #[serde(deserialize_with = "named::alert")]
        alert: AlertId,
    },
    /// Hand an alert to someone ([`AlertBook::assign`]).
    AssignAlert {
        /// The alert.
        #[serde(deserialize_with = "named::alert")]
        alert: AlertId,
        /// To whom.
        #[serde(deserialize_with = "named::to")]
        to: String,
    },
    /// Close an alert with a note saying what was done ([`AlertBook::resolve`]).
    ResolveAlert {
        /// The alert.
        #[serde(deserialize_with = "named::alert")]
        alert: AlertId,
        /// What was done (required).
        #[serde(deserialize_with = "named::note")]
        note: String,
    },
}

impl Operation {
    /// Reads an operation from JSON text; a malformed one is [`OpError::Invalid`] with
    /// serde's message, which names the field.
    pub fn parse(json: &str) -> Result<Operation, OpError> {
        serde_json::from_str(json).map_err(|e| OpError::Invalid(format!("operation: {e}")))
    }

    /// The operation's word, its `op` tag (`report_fault`, `take_call`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Operation::ReportFault { .. } => "report_fault",
            Operation::ChangeEtr { .. } => "change_etr",
            Operation::RestoreOutage { .. } => "restore_outage",
            Operation::CancelOutage { .. } => "cancel_outage",
            Operation::TakeCall { .. } => "take_call",
            Operation::SendCrew { .. } => "send_crew",
            Operation::StepTicket { .. } => "step_ticket",
            Operation::ConfirmPrediction { .. } => "confirm_prediction",
            Operation::AcknowledgeAlert { .. } => "acknowledge_alert",
            Operation::AssignAlert { .. } => "assign_alert",
            Operation::ResolveAlert { .. } => "resolve_alert",
        }
    }
}

/// What an operation did, as the operator is told: the entities it recorded or changed, the
/// desk's full answer for a call or a confirmed prediction, and a one-line summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpOutcome {
    /// The outage recorded or changed (outage operations, a confirmed prediction).
    pub outage: Option<OutageId>,
    /// The ticket taken, sent a crew or stepped.
    pub ticket: Option<TicketId>,
    /// The crew sent.
    pub crew: Option<CrewId>,
    /// The alert changed.
    pub alert: Option<AlertId>,
    /// The master ticket a call was merged into, or that a confirmed prediction kept.
    pub merged_into: Option<TicketId>,
    /// What happened, in one line (English; the ids and names are the store's).
    pub summary: String,
    /// A call's outcome (`take_call`): the ticket, the decision, the master's progress.
    pub call: Option<CallOutcome>,
    /// A confirmed prediction (`confirm_prediction`): the outage, master, merged, outside.
    pub confirmed: Option<ConfirmedOutage>,
    /// Proactive notices (主动告知) queued for an outage change.
    pub notices_queued: usize,
    /// Why the notices of an outage change could not be queued (the change itself is
    /// recorded).
    pub notice_error: Option<String>,
}

/// Why an operation was not applied: the error of the function it calls (kept typed, for the
/// app to say it in the operator's language), or why that function could not be called.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The outage book refused it, or failed.
    #[error(transparent)]
    Outage(#[from] OutageError),
    /// The repair desk refused it, or failed.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The alert book refused it, or failed.
    #[error(transparent)]
    Alert(#[from] AlertError),
    /// The operation is malformed: a field that does not parse, a device the grid does not
    /// know.
    #[error("{0}")]
    Invalid(String),
    /// What the operation needs is not open (the store, the alert book).
    #[error("{0}")]
    Unavailable(String),
    /// A workstation on a server (`gridcare --server`): the server refused the operation
    /// (`status`: its HTTP status, `message`: its `{"error": …}`), or did not answer
    /// (`status` `None`, `message` names the server and why).
    #[error("{message}")]
    Remote {
        /// The server's HTTP status (`None`: no answer).
        status: Option<u16>,
        /// What the server said, or why it could not be asked.
        message: String,
    },
}

/// The HTTP status of a store error: refused by an entity's state 409, no such entity 404,
/// anything else (I/O, lock, damage, engine) 503.
fn store_status(e: &StoreError) -> u16 {
    match e {
        StoreError::Rejected { .. } => 409,
        StoreError::NotFound { .. } => 404,
        _ => 503,
    }
}

fn outage_status(e: &OutageError) -> u16 {
    match e {
        OutageError::Store(e) => store_status(e),
        OutageError::Device(_) | OutageError::MissingReason | OutageError::NotACaller { .. } => 400,
        OutageError::NotFound(_) | OutageError::UnknownCaller { .. } => 404,
        OutageError::Refused { .. } | OutageError::NoCustomers { .. } => 409,
    }
}

impl OpError {
    /// The HTTP status that says what kind of failure this is: 400 bad input (a malformed
    /// operation, an unknown device name, a missing reason, a number that is not a caller's),
    /// 404 an unknown outage, ticket, crew, alert, caller or address, 409 refused by the
    /// state (restoring a restored outage, a step out of order, no free crew, a resolved
    /// alert), 503 the store failed or is not open; a workstation's [`OpError::Remote`] keeps
    /// the server's status (502 when the server did not answer).
    pub fn http_status(&self) -> u16 {
        match self {
            OpError::Outage(e) => outage_status(e),
            OpError::Ticket(e) => match e {
                TicketError::Store(e) => store_status(e),
                TicketError::Caller(e) => outage_status(e),
                TicketError::Device(_)
                | TicketError::EmptyAddress
                | TicketError::BadPosition { .. }
                | TicketError::PinOffGrid { .. }
                | TicketError::NotRepairable { .. } => 400,
                TicketError::NoTicket(_)
                | TicketError::NoCrew(_)
                | TicketError::AddressNotFound { .. } => 404,
                TicketError::OutOfService { .. }
                | TicketError::NoFreeCrew { .. }
                | TicketError::Refused { .. }
                | TicketError::CrewRefused { .. } => 409,
            },
            OpError::Alert(e) => match e {
                AlertError::Store(e) => store_status(e),
                AlertError::Lexicon(_) => 503,
                AlertError::NotFound { .. } => 404,
                AlertError::Invalid { .. } => 400,
            },
            OpError::Invalid(_) => 400,
            OpError::Unavailable(_) => 503,
            // the server's own status; no answer from it is a bad gateway
            OpError::Remote { status, .. } => status.unwrap_or(502),
        }
    }
}

/// What an operation writes to: the grid it is about, the outage book and repair desk of
/// one store, and that store's alert book (`None` when it is not open; alert operations are
/// then [`OpError::Unavailable`]).
pub struct OpDesk<'a> {
    /// The grid the books were opened with.
    pub grid: &'a Grid,
    /// The outages.
    pub outages: &'a mut OutageBook,
    /// The repair tickets and crews.
    pub repairs: &'a mut RepairDesk,
    /// The sensitive-word alerts.
    pub alerts: Option<&'a AlertBook>,
}

/// Applies one operation for `author` with the library function the desktop app calls for
/// it, and says what it did. After a change of an outage (recorded, new ETR, restored,
/// cancelled) its proactive notices are queued as `gridcare outage` queues them; a failure
/// to queue them is reported in [`OpOutcome::notice_error`], the change stays recorded.
pub fn execute(desk: &mut OpDesk<'_>, op: &Operation, author: &str) -> Result<OpOutcome, OpError> {
    let grid = desk.grid;
    let outage_changed = |o: crate::outage::Outage, summary: String, book: &OutageBook| {
        let (notices_queued, notice_error) = match queue_notices(grid, book, o.id) {
            Ok(n) => (n, None),
            Err(e) => (0, Some(e)),
        };
        OpOutcome {
            outage: Some(o.id),
            summary,
            notices_queued,
            notice_error,
            ..OpOutcome::default()
        }
    };
    Ok(match op {
        Operation::ReportFault { device, etr_s, reason } => {
            let device_ref =
                grid.resolve(device).map_err(|e| OpError::Invalid(format!("device: {e}")))?;
            let fault = FaultOutage {
                device: device_ref,
                source: FaultSource::Reported,
                start_s: None,
                etr_s: *etr_s,
                reason: reason.clone(),
                author: author.to_string(),
            };
            let o = desk.outages.report_fault(grid, fault)?;
            let summary = format!(
                "outage {} recorded at {device}: {} customers off",
                o.id,
                o.impact.customers()
            );
            outage_changed(o, summary, desk.outages)
        }
        Operation::ChangeEtr { outage, etr_s, reason } => {
            let o = desk.outages.change_etr(grid, *outage, *etr_s, author, reason)?;
            let summary = format!("outage {}: ETR {}", o.id, format_time(*etr_s));
            outage_changed(o, summary, desk.outages)
        }
        Operation::RestoreOutage { outage, reason } => {
            let o = desk.outages.restore(grid, *outage, &[], author, reason)?;
            let summary = format!("outage {} restored", o.id);
            outage_changed(o, summary, desk.outages)
        }
        Operation::CancelOutage { outage, reason } => {
            let o = desk.outages.cancel(grid, *outage, author, reason)?;
            let summary = format!("outage {} cancelled", o.id);
            outage_changed(o, summary, desk.outages)
        }
        Operation::TakeCall { caller, channel, description, phone } => {
            let call = RepairCall {
                caller: caller.clone(),
                phone: phone.clone(),
                channel: *channel,
                description: description.clone(),
                author: author.to_string(),
            };
            let out = desk.repairs.take_call(grid, desk.outages, call)?;
            let t = &out.ticket;
            let (summary, merged_into) = match t.disposition {
                Disposition::Dispatch => {
                    (format!("ticket {} dispatched to {}", t.id, t.site.unit), None)
                }
                Disposition::Merged { master } => {
                    (format!("ticket {} merged into ticket {master}", t.id), Some(master))
                }
                Disposition::Explained { outage } => {
                    (format!("ticket {} explained by outage {outage}", t.id), None)
                }
            };
            OpOutcome {
                ticket: Some(t.id),
                outage: out.decision.outage,
                merged_into,
                summary,
                call: Some(out),
                ..OpOutcome::default()
            }
        }
        Operation::SendCrew { ticket, crew } => {
            let (t, c) = desk.repairs.send_crew(*ticket, *crew, author)?;
            OpOutcome {
                ticket: Some(t.id),
                crew: Some(c.id),
                summary: format!("crew {} sent to ticket {}", c.spec.name, t.id),
                ..OpOutcome::default()
            }
        }
        Operation::StepTicket { ticket, step, reason } => {
            let t = desk.repairs.step(*ticket, step.clone(), author, reason)?;
            OpOutcome {
                ticket: Some(t.id),
                summary: format!("ticket {}: {}", t.id, t.status.as_str()),
                ..OpOutcome::default()
            }
        }
        Operation::ConfirmPrediction { device, tickets, reason } => {
            let confirmed =
                desk.repairs.confirm_outage(grid, desk.outages, device, tickets, author, reason)?;
            let summary = format!(
                "outage {} confirmed at {device}; {} tickets merged{}",
                confirmed.outage.id,
                confirmed.merged.len(),
                confirmed.master.map(|m| format!(" into ticket {m}")).unwrap_or_default()
            );
            OpOutcome {
                outage: Some(confirmed.outage.id),
                merged_into: confirmed.master,
                summary,
                confirmed: Some(confirmed),
                ..OpOutcome::default()
            }
        }
        Operation::AcknowledgeAlert { alert } => {
            let a = alerts(desk)?.acknowledge(*alert, author, "")?;
            alert_changed(a.id, format!("alert {} acknowledged", a.id))
        }
        Operation::AssignAlert { alert, to } => {
            let a = alerts(desk)?.assign(*alert, to, author, "")?;
            let to = a.assigned_to.as_deref().unwrap_or(to);
            alert_changed(a.id, format!("alert {} assigned to {to}", a.id))
        }
        Operation::ResolveAlert { alert, note } => {
            let a = alerts(desk)?.resolve(*alert, note, author, "")?;
            alert_changed(a.id, format!("alert {} resolved", a.id))
        }
    })
}

fn alerts<'a>(desk: &OpDesk<'a>) -> Result<&'a AlertBook, OpError> {
    desk.alerts.ok_or_else(|| OpError::Unavailable("the alerts are not open".into()))
}

fn alert_changed(id: AlertId, summary: String) -> OpOutcome {
    OpOutcome { alert: Some(id), summary, ..OpOutcome::default() }
}

/// Queues the proactive notices of outage `id` not queued before (each subscribed or
/// WeChat-bound customer once per change), as `gridcare outage` does.
fn queue_notices(grid: &Grid, book: &OutageBook, id: OutageId) -> Result<usize, String> {
    let store = book.store().clone();
    let outbox = crate::channels::outbox::Outbox::open(store.clone());
    let reach = crate::channels::notices::subscribed_reach(&store).map_err(|e| e.to_string())?;
    crate::channels::notices::queue_outage_notices(grid, book, &outbox, id, &reach, "gridcare")
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::{Arc, OnceLock};

    use super::*;
    use crate::channels::alert::Alert;
    use crate::citygen::{generate_city, CityParams};
    use crate::model::{DeviceRef, ElementRef, LonLat, SwitchKind};
    use crate::outage::Outage;
    use crate::store::{Store, VirtualClock};
    use crate::workorder::{FaultLevel, SlaPolicy};

    fn grid() -> &'static Grid {
        static GRID: OnceLock<Grid> = OnceLock::new();
        GRID.get_or_init(|| {
            Grid::from_model(generate_city(&CityParams { customers: 3000, seed: 1 }))
        })
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gridcare-ops-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// The books of one scratch store on a virtual clock.
    struct Centre {
        clock: Arc<VirtualClock>,
        outages: OutageBook,
        repairs: RepairDesk,
        alerts: AlertBook,
    }

    impl Centre {
        fn open(name: &str) -> Centre {
            let clock = Arc::new(VirtualClock::new(1_764_000_000));
            let store = match Store::open_with_clock(&scratch(name), clock.clone()) {
                Ok(s) => Arc::new(s),
                Err(e) => panic!("{e}"),
            };
            let outages = OutageBook::open(store.clone(), grid()).expect("outage book");
            let mut repairs = RepairDesk::open(store.clone(), SlaPolicy::default()).expect("desk");
            repairs.ensure_crews(grid(), "gridcare").expect("crews");
            let alerts = AlertBook::open(store).expect("alert book");
            Centre { clock, outages, repairs, alerts }
        }

        fn run(&mut self, op: &Operation) -> Result<OpOutcome, OpError> {
            let mut desk = OpDesk {
                grid: grid(),
                outages: &mut self.outages,
                repairs: &mut self.repairs,
                alerts: Some(&self.alerts),
            };
            execute(&mut desk, op, "调度员")
        }

        /// Everything the store holds of outages, tickets, crews and alerts, with histories.
        fn state(&self) -> String {
            let store = self.outages.store();
            let outages: Vec<&Outage> = self.outages.list(true);
            let outage_events: Vec<_> = outages
                .iter()
                .map(|o| store.events::<Outage>(o.id.0).expect("outage events"))
                .collect();
            let tickets: Vec<_> = self.repairs.tickets().collect();
            let ticket_events: Vec<_> =
                tickets.iter().map(|t| self.repairs.history(t.id).expect("history")).collect();
            let crews: Vec<_> = self.repairs.crews().collect();
            let alerts: Vec<Alert> = self.alerts.all().expect("alerts");
            let alert_events: Vec<_> =
                alerts.iter().map(|a| self.alerts.history(a.id).expect("history")).collect();
            format!(
                "{outages:?}\n{outage_events:?}\n{tickets:?}\n{ticket_events:?}\n{crews:?}\n\
                 {alerts:?}\n{alert_events:?}"
            )
        }
    }

    /// Non-tie switches that cut more than five customers, by name.
    fn switches() -> Vec<String> {
        let g = grid();
        (0..g.model.switches.len() as u32)
            .map(crate::model::SwitchId)
            .filter(|s| g.model.switches[s.index()].kind != SwitchKind::Tie)
            .map(|s| DeviceRef::Element(ElementRef::Switch(s)))
            .filter(|d| g.trace(*d).affected_customers.len() > 5)
            .map(|d| g.model.device_name(d).to_string())
            .collect()
    }

    fn every_variant() -> Vec<Operation> {
        vec![
            Operation::ReportFault {
                device: "switch.zm01-s03".into(),
                etr_s: Some(1_764_003_600),
                reason: "跳闸".into(),
            },
            Operation::ReportFault {
                device: "fuse.zm01-l01".into(),
                etr_s: None,
                reason: "x".into(),
            },
            Operation::ChangeEtr {
                outage: OutageId(3),
                etr_s: 1_764_007_200,
                reason: "延长".into(),
            },
            Operation::RestoreOutage { outage: OutageId(3), reason: "送电".into() },
            Operation::CancelOutage { outage: OutageId(4), reason: "误报".into() },
            Operation::TakeCall {
                caller: Caller::Number("0612000001".into()),
                channel: Channel::Phone,
                description: "家里没电了".into(),
                phone: Some("13800000000".into()),
            },
            Operation::TakeCall {
                caller: Caller::Pin(LonLat::new(113.1, 23.0)),
                channel: Channel::Wechat,
                description: String::new(),
                phone: None,
            },
            Operation::TakeCall {
                caller: Caller::Address("祖庙路1号".into()),
                channel: Channel::App,
                description: "冒烟".into(),
                phone: None,
            },
            Operation::SendCrew { ticket: TicketId(5), crew: Some(CrewId(2)) },
            Operation::SendCrew { ticket: TicketId(5), crew: None },
            Operation::StepTicket {
                ticket: TicketId(5),
                step: TicketStep::OnSite,
                reason: "到达".into(),
            },
            Operation::StepTicket {
                ticket: TicketId(5),
                step: TicketStep::Diagnosed {
                    fault_type: "熔断器熔断".into(),
                    cause: "雷击".into(),
                    level: FaultLevel::MediumVoltage,
                    etr_s: Some(1_764_009_000),
                },
                reason: "查明".into(),
            },
            Operation::StepTicket {
                ticket: TicketId(5),
                step: TicketStep::Callback { satisfied: false, note: "慢".into() },
                reason: String::new(),
            },
            Operation::StepTicket {
                ticket: TicketId(5),
                step: TicketStep::Cancel,
                reason: "撤".into(),
            },
            Operation::ConfirmPrediction {
                device: "fuse.zm01-l01".into(),
                tickets: vec![TicketId(1), TicketId(2)],
                reason: "研判".into(),
            },
            Operation::AcknowledgeAlert { alert: AlertId(1) },
            Operation::AssignAlert { alert: AlertId(1), to: "王班长".into() },
            Operation::ResolveAlert { alert: AlertId(1), note: "已回电".into() },
        ]
    }

    #[test]
    fn every_operation_survives_a_json_round_trip_tagged_with_its_word() {
        let ops = every_variant();
        let kinds: std::collections::BTreeSet<&str> = ops.iter().map(Operation::kind).collect();
        assert_eq!(kinds.len(), 11, "one of each variant: {kinds:?}");
        for op in ops {
            let json = serde_json::to_string(&op).expect("serialises");
            let value: serde_json::Value = serde_json::from_str(&json).expect("json");
            assert_eq!(value["op"], op.kind(), "{json}");
            let back = Operation::parse(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, op, "{json}");
        }
        // ids are plain numbers, optional fields may be left out
        let op = Operation::parse(r#"{"op":"send_crew","ticket":9}"#).expect("parses");
        assert_eq!(op, Operation::SendCrew { ticket: TicketId(9), crew: None });
        let json = serde_json::to_string(&Operation::CancelOutage {
            outage: OutageId(4),
            reason: "r".into(),
        })
        .expect("serialises");
        assert_eq!(json, r#"{"op":"cancel_outage","outage":4,"reason":"r"}"#);
    }

    #[test]
    fn a_malformed_operation_is_refused_with_the_name_of_its_field() {
        let cases = [
            (
                r#"{"op":"change_etr","outage":1,"etr_s":"soon","reason":"x"}"#,
                "etr_s: invalid type",
            ),
            (r#"{"op":"change_etr","outage":1,"etr_s":5}"#, "missing field `reason`"),
            (r#"{"op":"restore_outage","outage":-1,"reason":"x"}"#, "outage: invalid value"),
            (r#"{"op":"cancel_outage","outage":1,"reason":"x","etr":3}"#, "unknown field `etr`"),
            (r#"{"op":"report_fault","device":7,"reason":"x"}"#, "device: invalid type"),
            (
                r#"{"op":"take_call","caller":{"by":"phone","value":"1"},"channel":"phone"}"#,
                "caller: unknown variant `phone`",
            ),
            (
                r#"{"op":"take_call","caller":{"by":"number","value":"1"},"channel":"fax"}"#,
                "channel: unknown variant `fax`",
            ),
            (
                r#"{"op":"step_ticket","ticket":1,"step":"fixed","reason":""}"#,
                "step: unknown variant",
            ),
            (
                r#"{"op":"step_ticket","ticket":1,"step":{"callback":{"satisfied":"yes","note":""}},"reason":""}"#,
                "step: invalid type",
            ),
            (
                r#"{"op":"confirm_prediction","device":"x","tickets":[1,"b"],"reason":"r"}"#,
                "tickets:",
            ),
            (r#"{"op":"assign_alert","alert":1}"#, "missing field `to`"),
            (r#"{"op":"resolve_alert","alert":true,"note":"n"}"#, "alert: invalid type"),
            (r#"{"op":"reboot"}"#, "unknown variant `reboot`"),
            (r#"{"outage":1}"#, "missing field `op`"),
        ];
        for (json, named) in cases {
            let e = Operation::parse(json).expect_err(json);
            assert!(e.to_string().contains(named), "{json}: {e}");
            assert_eq!(e.http_status(), 400, "{json}");
        }
    }

    #[test]
    fn each_operation_writes_what_the_direct_call_writes() {
        let g = grid();
        let (mut a, mut b) = (Centre::open("exec-a"), Centre::open("exec-b"));
        let names = switches();
        let (first, second) = (names[0].clone(), names[names.len() / 2].clone());
        let dev = |n: &str| g.resolve(n).expect("device");
        let fault = |device: &str, reason: &str| FaultOutage {
            device: dev(device),
            source: FaultSource::Reported,
            start_s: None,
            etr_s: None,
            reason: reason.into(),
            author: "调度员".into(),
        };
        let same = |a: &Centre, b: &Centre, what: &str| {
            assert_eq!(a.state(), b.state(), "after {what}");
        };

        // outages
        let out = a
            .run(&Operation::ReportFault {
                device: first.clone(),
                etr_s: None,
                reason: "跳闸".into(),
            })
            .expect("recorded");
        let o = b.outages.report_fault(g, fault(&first, "跳闸")).expect("recorded");
        assert_eq!(out.outage, Some(o.id));
        assert!(out.notice_error.is_none(), "{:?}", out.notice_error);
        assert!(out.summary.contains(&first), "{}", out.summary);
        same(&a, &b, "report_fault");
        for c in [&a.clock, &b.clock] {
            c.advance(600);
        }
        let etr = 1_764_010_000;
        let op = Operation::ChangeEtr { outage: o.id, etr_s: etr, reason: "延长".into() };
        assert_eq!(a.run(&op).expect("etr").outage, Some(o.id));
        b.outages.change_etr(g, o.id, etr, "调度员", "延长").expect("etr");
        same(&a, &b, "change_etr");
        let restore = Operation::RestoreOutage { outage: o.id, reason: "送电".into() };
        a.run(&restore).expect("restored");
        b.outages.restore(g, o.id, &[], "调度员", "送电").expect("restored");
        same(&a, &b, "restore_outage");
        let again = a.run(&restore).expect_err("restored twice");
        assert!(matches!(again, OpError::Outage(OutageError::Refused { .. })), "{again:?}");
        assert_eq!(again.http_status(), 409, "{again}");
        let out = a
            .run(&Operation::ReportFault {
                device: second.clone(),
                etr_s: Some(etr),
                reason: "雷".into(),
            })
            .expect("recorded");
        let mut f = fault(&second, "雷");
        f.etr_s = Some(etr);
        let o2 = b.outages.report_fault(g, f).expect("recorded");
        assert_eq!(out.outage, Some(o2.id));
        a.run(&Operation::CancelOutage { outage: o2.id, reason: "误报".into() })
            .expect("cancelled");
        b.outages.cancel(g, o2.id, "调度员", "误报").expect("cancelled");
        same(&a, &b, "cancel_outage");

        // repair tickets
        let account = g.model.customers[0].account_no.clone();
        let take = Operation::TakeCall {
            caller: Caller::Number(account.clone()),
            channel: Channel::Phone,
            description: "家里没电了".into(),
            phone: None,
        };
        let out = a.run(&take).expect("call taken");
        let direct = b
            .repairs
            .take_call(
                g,
                &b.outages,
                RepairCall {
                    caller: Caller::Number(account),
                    phone: None,
                    channel: Channel::Phone,
                    description: "家里没电了".into(),
                    author: "调度员".into(),
                },
            )
            .expect("call taken");
        assert_eq!(out.call.as_ref(), Some(&direct));
        let ticket = direct.ticket.id;
        assert_eq!(out.ticket, Some(ticket));
        same(&a, &b, "take_call");
        let out = a.run(&Operation::SendCrew { ticket, crew: None }).expect("sent");
        let (_, crew) = b.repairs.send_crew(ticket, None, "调度员").expect("sent");
        assert_eq!(out.crew, Some(crew.id));
        same(&a, &b, "send_crew");
        let step =
            Operation::StepTicket { ticket, step: TicketStep::OnSite, reason: "到达".into() };
        a.run(&step).expect("on site");
        b.repairs.step(ticket, TicketStep::OnSite, "调度员", "到达").expect("on site");
        same(&a, &b, "step_ticket");
        let refused = a.run(&step).expect_err("on site twice");
        assert_eq!(refused.http_status(), 409, "{refused}");
        let site = direct.ticket.site.transformer.clone().expect("a transformer");
        let confirm = Operation::ConfirmPrediction {
            device: site.clone(),
            tickets: vec![ticket],
            reason: "研判确认".into(),
        };
        let out = a.run(&confirm).expect("confirmed");
        let confirmed = b
            .repairs
            .confirm_outage(g, &mut b.outages, &site, &[ticket], "调度员", "研判确认")
            .expect("confirmed");
        assert_eq!(out.confirmed.as_ref(), Some(&confirmed));
        assert_eq!((out.outage, out.merged_into), (Some(confirmed.outage.id), Some(ticket)));
        same(&a, &b, "confirm_prediction");

        // alerts
        for c in [&a, &b] {
            c.alerts
                .raise_if_sensitive("再不来电我就找记者曝光", "wechat", None, "channels")
                .expect("raised")
                .expect("an alert");
        }
        let id = AlertId(1);
        assert_eq!(a.run(&Operation::AcknowledgeAlert { alert: id }).expect("ack").alert, Some(id));
        b.alerts.acknowledge(id, "调度员", "").expect("ack");
        same(&a, &b, "acknowledge_alert");
        a.run(&Operation::AssignAlert { alert: id, to: "王班长".into() }).expect("assigned");
        b.alerts.assign(id, "王班长", "调度员", "").expect("assigned");
        same(&a, &b, "assign_alert");
        let resolve = Operation::ResolveAlert { alert: id, note: "已回电安抚".into() };
        a.run(&resolve).expect("resolved");
        b.alerts.resolve(id, "已回电安抚", "调度员", "").expect("resolved");
        same(&a, &b, "resolve_alert");
        assert_eq!(a.run(&resolve).expect_err("resolved twice").http_status(), 409);
    }

    #[test]
    fn refusals_keep_their_type_and_say_which_http_status_they_are() {
        let mut c = Centre::open("refusals");
        let status = |c: &mut Centre, op: Operation| c.run(&op).expect_err("refused").http_status();
        let unknown = c
            .run(&Operation::ReportFault {
                device: "switch.nowhere".into(),
                etr_s: None,
                reason: "x".into(),
            })
            .expect_err("no such device");
        assert!(unknown.to_string().contains("switch.nowhere"), "{unknown}");
        assert_eq!(unknown.http_status(), 400);
        let no_reason = c
            .run(&Operation::ReportFault {
                device: switches()[0].clone(),
                etr_s: None,
                reason: " ".into(),
            })
            .expect_err("no reason");
        assert!(matches!(no_reason, OpError::Outage(OutageError::MissingReason)), "{no_reason:?}");
        assert_eq!(no_reason.http_status(), 400);
        assert_eq!(
            status(&mut c, Operation::CancelOutage { outage: OutageId(99), reason: "x".into() }),
            404
        );
        assert_eq!(status(&mut c, Operation::SendCrew { ticket: TicketId(99), crew: None }), 404);
        let bad_caller = Operation::TakeCall {
            caller: Caller::Number("abc".into()),
            channel: Channel::Phone,
            description: String::new(),
            phone: None,
        };
        assert_eq!(status(&mut c, bad_caller), 400);
        assert_eq!(status(&mut c, Operation::AcknowledgeAlert { alert: AlertId(7) }), 404);
        assert!(c.outages.list(true).is_empty(), "no outage written");
        assert!(c.repairs.tickets().next().is_none(), "no ticket written");
        // no alert book: the alert operations cannot run
        let mut desk =
            OpDesk { grid: grid(), outages: &mut c.outages, repairs: &mut c.repairs, alerts: None };
        let e = execute(&mut desk, &Operation::AcknowledgeAlert { alert: AlertId(1) }, "x")
            .expect_err("no alerts");
        assert_eq!(e.http_status(), 503);
    }

    #[test]
    fn an_outcome_survives_a_json_round_trip() {
        let mut c = Centre::open("outcome");
        let account = grid().model.customers[1].account_no.clone();
        let out = c
            .run(&Operation::TakeCall {
                caller: Caller::Number(account),
                channel: Channel::Sms,
                description: String::new(),
                phone: None,
            })
            .expect("taken");
        let json = serde_json::to_string(&out).expect("serialises");
        let back: OpOutcome = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, out);
    }
}
