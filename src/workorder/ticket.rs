//! A repair ticket (抢修工单): who called, where on the grid the call is, what was decided
//! (dispatch, merged into a master ticket, or answered by a known outage), and its lifecycle
//! new → dispatched → crew en route → on site → restored → closed → callback visit, every
//! step an event with its time, author and reason.
//!
//! The fold ([`Ticket::apply`]) is the one place that decides which step may follow which;
//! the store replays it after a crash.

use serde::{Deserialize, Serialize};

use super::crew::CrewId;
use crate::model::LonLat;
use crate::outage::OutageId;
use crate::store::{Aggregate, Recorded};

/// A ticket's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct TicketId(pub u64);

impl std::fmt::Display for TicketId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How the call came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The 95598 hotline.
    Phone,
    /// WeChat (微信公众号).
    Wechat,
    /// The mobile app (网上国网).
    App,
    /// The website.
    Web,
    /// SMS.
    Sms,
    /// Reported by a crew, SCADA or a dispatcher.
    Internal,
}

impl Channel {
    /// The channel's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Wechat => "wechat",
            Channel::App => "app",
            Channel::Web => "web",
            Channel::Sms => "sms",
            Channel::Internal => "internal",
        }
    }

    /// Parses the word.
    pub fn parse(s: &str) -> Option<Channel> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "phone" | "95598" => Channel::Phone,
            "wechat" => Channel::Wechat,
            "app" => Channel::App,
            "web" => Channel::Web,
            "sms" => Channel::Sms,
            "internal" => Channel::Internal,
            _ => return None,
        })
    }
}

/// The voltage level of a fault, for the restoration limit and the crew's skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultLevel {
    /// 低压: a transformer's LV side, an LV line, a service drop.
    LowVoltage,
    /// 10 kV: a feeder section, switch, lateral fuse or the transformer itself.
    MediumVoltage,
    /// 客户内部: behind the customer's meter.
    CustomerSide,
}

impl FaultLevel {
    /// The level's word.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultLevel::LowVoltage => "low_voltage",
            FaultLevel::MediumVoltage => "medium_voltage",
            FaultLevel::CustomerSide => "customer_side",
        }
    }
}

/// Where the call is on the grid (the ticket's location, 工单定位).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallSite {
    /// The caller's account number (户号), when the caller is a customer.
    pub account: Option<String>,
    /// The caller's name as recorded.
    pub name: String,
    /// The number to call back.
    pub phone: String,
    /// The standard address, or what the caller said.
    pub address: String,
    /// Where on the map.
    pub pos: LonLat,
    /// The distribution transformer (external id).
    pub transformer: Option<String>,
    /// The feeder (external id) supplying the site now.
    pub feeder: Option<String>,
    /// The feeder's display name.
    pub feeder_name: String,
    /// The substation's display name.
    pub substation: String,
    /// The unit (供电所) that owns the feeder: the ticket goes there.
    pub unit: String,
    /// The device the ticket is about: the named device, else the transformer, else the
    /// feeder. Calls from customers below it are duplicates while the ticket is in flight.
    pub device: Option<String>,
}

/// What was decided for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "disposition", rename_all = "snake_case")]
pub enum Disposition {
    /// A new fault: dispatched to the owning unit (a master ticket).
    Dispatch,
    /// The same fault as a master ticket in flight: linked to it, nothing dispatched.
    Merged {
        /// The master ticket.
        master: TicketId,
    },
    /// A known planned outage covers the caller: answered, nothing dispatched.
    Explained {
        /// The outage.
        outage: OutageId,
    },
}

/// Where a ticket is in its life, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// 新建: recorded.
    New,
    /// 已派单: at the owning unit.
    Dispatched,
    /// 在途: a crew is on its way.
    EnRoute,
    /// 到达现场: the crew is there.
    OnSite,
    /// 已恢复送电.
    Restored,
    /// 已归档: the crew's work is done.
    Closed,
    /// 已回访: the customer was called back. The end.
    CallbackDone,
    /// 已合并: linked to a master ticket (a duplicate call).
    Merged,
    /// 已答复: a known outage explained the call.
    Explained,
    /// 已撤销.
    Cancelled,
}

impl TicketStatus {
    /// The status's word, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Dispatched => "dispatched",
            TicketStatus::EnRoute => "en_route",
            TicketStatus::OnSite => "on_site",
            TicketStatus::Restored => "restored",
            TicketStatus::Closed => "closed",
            TicketStatus::CallbackDone => "callback_done",
            TicketStatus::Merged => "merged",
            TicketStatus::Explained => "explained",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    /// True while a crew still has work on it (a master ticket in flight).
    pub fn in_flight(self) -> bool {
        matches!(
            self,
            TicketStatus::New
                | TicketStatus::Dispatched
                | TicketStatus::EnRoute
                | TicketStatus::OnSite
        )
    }
}

/// When each step happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTimes {
    /// The call.
    pub created_s: i64,
    /// Dispatched to the unit.
    pub dispatched_s: Option<i64>,
    /// A crew set off.
    pub en_route_s: Option<i64>,
    /// The crew arrived.
    pub on_site_s: Option<i64>,
    /// Supply restored.
    pub restored_s: Option<i64>,
    /// Closed.
    pub closed_s: Option<i64>,
    /// Called back.
    pub callback_s: Option<i64>,
    /// Cancelled.
    pub cancelled_s: Option<i64>,
}

/// A change to a ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TicketEvent {
    /// The call is recorded, located and decided.
    Created {
        /// How it came in.
        channel: Channel,
        /// What the caller said.
        description: String,
        /// Where it is on the grid.
        site: Box<CallSite>,
        /// The fault level as first judged.
        fault_level: FaultLevel,
        /// Dispatch, merged or explained.
        disposition: Disposition,
        /// The outage covering the caller, if any.
        outage: Option<OutageId>,
    },
    /// Sent to the unit that owns the feeder (直派到所).
    Dispatched {
        /// The unit.
        unit: String,
    },
    /// A crew set off.
    CrewEnRoute {
        /// The crew.
        crew: CrewId,
        /// Its estimated arrival.
        eta_s: i64,
    },
    /// The crew is on site.
    OnSite,
    /// What the crew found, and when supply should be back.
    Diagnosed {
        /// Fault type (`熔断器熔断`, `低压线路断线`, …).
        fault_type: String,
        /// Cause (`雷击`, `树障`, `外力破坏`, …).
        cause: String,
        /// The fault level found.
        fault_level: FaultLevel,
        /// Estimated restoration time.
        etr_s: Option<i64>,
    },
    /// Supply is back.
    Restored,
    /// The crew's work is done.
    Closed,
    /// The customer was called back (回访).
    CallbackDone {
        /// Satisfied with the repair.
        satisfied: bool,
        /// What they said.
        note: String,
    },
    /// Called off (a false report, a customer-side fault the customer fixes).
    Cancelled,
    /// Linked to a fault outage the operator confirmed after the call (a predicted outage
    /// confirmed or moved): `master` is the ticket it is merged into, `None` when this
    /// ticket stays the outage's master.
    JoinedOutage {
        /// The outage.
        outage: OutageId,
        /// The master it is merged into.
        master: Option<TicketId>,
        /// The fault level of the outage's device.
        fault_level: FaultLevel,
    },
}

impl TicketEvent {
    /// The change's word (`created`, `dispatched`, …), as in the JSON.
    pub fn word(&self) -> &'static str {
        match self {
            TicketEvent::Created { .. } => "created",
            TicketEvent::Dispatched { .. } => "dispatched",
            TicketEvent::CrewEnRoute { .. } => "crew_en_route",
            TicketEvent::OnSite => "on_site",
            TicketEvent::Diagnosed { .. } => "diagnosed",
            TicketEvent::Restored => "restored",
            TicketEvent::Closed => "closed",
            TicketEvent::CallbackDone { .. } => "callback_done",
            TicketEvent::Cancelled => "cancelled",
            TicketEvent::JoinedOutage { .. } => "joined_outage",
        }
    }
}

/// A ticket's current state: the fold of its events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Its number.
    pub id: TicketId,
    /// How the call came in.
    pub channel: Channel,
    /// What the caller said.
    pub description: String,
    /// Where it is on the grid.
    pub site: CallSite,
    /// Dispatch, merged or explained.
    pub disposition: Disposition,
    /// The outage covering the caller at the call, if any.
    pub outage: Option<OutageId>,
    /// The fault level (as judged at the call, then as diagnosed).
    pub fault_level: FaultLevel,
    /// Where it is in its life.
    pub status: TicketStatus,
    /// When each step happened.
    pub times: StepTimes,
    /// The crew sent.
    pub crew: Option<CrewId>,
    /// The crew's estimated arrival.
    pub eta_s: Option<i64>,
    /// Estimated restoration time, from the crew on site.
    pub etr_s: Option<i64>,
    /// Fault type found.
    pub fault_type: String,
    /// Cause found.
    pub cause: String,
    /// The callback: satisfied, and what they said.
    pub callback: Option<(bool, String)>,
    /// Who took the call.
    pub created_by: String,
    /// How many changes it has had.
    pub changes: u64,
}

impl Ticket {
    /// The master ticket this one is merged into, if any.
    pub fn master(&self) -> Option<TicketId> {
        match self.disposition {
            Disposition::Merged { master } => Some(master),
            _ => None,
        }
    }

    /// True while a crew still has work on it.
    pub fn in_flight(&self) -> bool {
        self.status.in_flight()
    }
}

fn refuse<T>(status: TicketStatus, what: &str) -> Result<T, String> {
    Err(format!("a ticket that is {} cannot be {what}", status.as_str()))
}

impl Aggregate for Ticket {
    const KIND: &'static str = "ticket";
    type Event = TicketEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<TicketEvent>) -> Result<Self, String> {
        let t = e.time_s;
        let Some(mut s) = state else {
            let TicketEvent::Created {
                channel,
                description,
                site,
                fault_level,
                disposition,
                outage,
            } = &e.event
            else {
                return Err(format!(
                    "the first event must create the ticket, not `{}`",
                    e.event.word()
                ));
            };
            let status = match disposition {
                Disposition::Dispatch => TicketStatus::New,
                Disposition::Merged { .. } => TicketStatus::Merged,
                Disposition::Explained { .. } => TicketStatus::Explained,
            };
            return Ok(Ticket {
                id: TicketId(id),
                channel: *channel,
                description: description.clone(),
                site: (**site).clone(),
                disposition: *disposition,
                outage: *outage,
                fault_level: *fault_level,
                status,
                times: StepTimes { created_s: t, ..StepTimes::default() },
                crew: None,
                eta_s: None,
                etr_s: None,
                fault_type: String::new(),
                cause: String::new(),
                callback: None,
                created_by: e.author.clone(),
                changes: 1,
            });
        };
        use TicketStatus as S;
        match &e.event {
            TicketEvent::Created { .. } => return Err("the ticket exists already".into()),
            TicketEvent::Dispatched { unit } => {
                if s.status != S::New {
                    return refuse(s.status, "dispatched");
                }
                if unit.trim().is_empty() {
                    return Err("a ticket is dispatched to a unit; the feeder has none".into());
                }
                s.site.unit = unit.clone();
                s.status = S::Dispatched;
                s.times.dispatched_s = Some(t);
            }
            TicketEvent::CrewEnRoute { crew, eta_s } => {
                // A crew may be re-sent (another crew) until it is on site.
                if !matches!(s.status, S::Dispatched | S::EnRoute) {
                    return refuse(s.status, "given a crew");
                }
                s.status = S::EnRoute;
                s.crew = Some(*crew);
                s.eta_s = Some(*eta_s);
                s.times.en_route_s.get_or_insert(t);
            }
            TicketEvent::OnSite => {
                if s.status != S::EnRoute {
                    return refuse(s.status, "on site (no crew is on its way)");
                }
                s.status = S::OnSite;
                s.times.on_site_s = Some(t);
            }
            TicketEvent::Diagnosed { fault_type, cause, fault_level, etr_s } => {
                if !matches!(s.status, S::OnSite | S::Restored) {
                    return refuse(s.status, "diagnosed (the crew is not on site)");
                }
                s.fault_type = fault_type.clone();
                s.cause = cause.clone();
                s.fault_level = *fault_level;
                if etr_s.is_some() {
                    s.etr_s = *etr_s;
                }
            }
            TicketEvent::Restored => {
                if s.status != S::OnSite {
                    return refuse(s.status, "restored (the crew is not on site)");
                }
                s.status = S::Restored;
                s.times.restored_s = Some(t);
            }
            TicketEvent::Closed => {
                if s.status != S::Restored {
                    return refuse(s.status, "closed before supply is restored");
                }
                s.status = S::Closed;
                s.times.closed_s = Some(t);
            }
            TicketEvent::CallbackDone { satisfied, note } => {
                if !matches!(s.status, S::Closed | S::Merged | S::Explained) {
                    return refuse(s.status, "called back before it is closed");
                }
                if s.callback.is_some() {
                    return Err("the customer was called back already".into());
                }
                s.callback = Some((*satisfied, note.clone()));
                s.times.callback_s = Some(t);
                if s.status == S::Closed {
                    s.status = S::CallbackDone;
                }
            }
            TicketEvent::Cancelled => {
                if !s.status.in_flight() {
                    return refuse(s.status, "cancelled");
                }
                s.status = S::Cancelled;
                s.times.cancelled_s = Some(t);
            }
            TicketEvent::JoinedOutage { outage, master, fault_level } => {
                if !(s.status.in_flight() || s.status == S::Merged) {
                    return refuse(s.status, "linked to an outage");
                }
                s.outage = Some(*outage);
                s.fault_level = *fault_level;
                if let Some(m) = master {
                    if m.0 == id {
                        return Err("a ticket cannot be merged into itself".into());
                    }
                    s.disposition = Disposition::Merged { master: *m };
                    s.status = S::Merged;
                    s.crew = None;
                    s.eta_s = None;
                }
            }
        }
        s.changes = e.seq;
        Ok(s)
    }
}
