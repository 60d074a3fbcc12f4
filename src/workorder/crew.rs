//! Repair crews (抢修队伍): skills, home unit, position, the ticket they work on, and the
//! ETA rule (distance along the road network estimated from the straight line, at the crew's
//! speed).
//!
//! A crew is an entity of the store (registered, sent, arrived, released, moved by an
//! operator or an AVL feed); the simulator moves crews between those events in memory.

use serde::{Deserialize, Serialize};

use super::ticket::{FaultLevel, TicketId};
use crate::model::LonLat;
use crate::store::{Aggregate, Recorded};

/// Road distance ÷ straight-line distance in a Chinese city grid (a common planning
/// figure: 1.2–1.4). ETAs multiply the haversine distance by it.
pub const ROAD_FACTOR: f64 = 1.3;

/// A crew's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct CrewId(pub u64);

impl std::fmt::Display for CrewId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a crew can repair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skill {
    /// 低压抢修: LV lines, service drops, meters.
    LowVoltage,
    /// 10 kV 抢修: feeder sections, switches, fuses, transformers.
    MediumVoltage,
    /// 电缆: underground cable faults.
    Cable,
    /// 带电作业: live-line work.
    LiveLine,
}

impl Skill {
    /// The skill's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Skill::LowVoltage => "low_voltage",
            Skill::MediumVoltage => "medium_voltage",
            Skill::Cable => "cable",
            Skill::LiveLine => "live_line",
        }
    }

    /// Parses the word (`lv`, `mv`, `10kv` too).
    pub fn parse(s: &str) -> Option<Skill> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "low_voltage" | "lv" => Skill::LowVoltage,
            "medium_voltage" | "mv" | "10kv" => Skill::MediumVoltage,
            "cable" => Skill::Cable,
            "live_line" | "live" => Skill::LiveLine,
            _ => return None,
        })
    }

    /// The skill a fault of this level needs.
    pub fn for_level(level: FaultLevel) -> Skill {
        match level {
            FaultLevel::MediumVoltage => Skill::MediumVoltage,
            FaultLevel::LowVoltage | FaultLevel::CustomerSide => Skill::LowVoltage,
        }
    }
}

/// A crew as registered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrewSpec {
    /// Its name (`祖庙抢修一班`).
    pub name: String,
    /// The unit it belongs to.
    pub unit: String,
    /// What it can repair.
    pub skills: Vec<Skill>,
    /// Its base.
    pub home: LonLat,
    /// Average road speed, km/h.
    pub speed_kmh: f64,
    /// People in the crew.
    pub members: u32,
}

/// A change to a crew.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CrewEvent {
    /// The crew is registered at its base.
    Registered(CrewSpec),
    /// Sent to a ticket.
    Sent {
        /// The ticket.
        ticket: TicketId,
        /// Where it set off from.
        from: LonLat,
        /// Estimated arrival.
        eta_s: i64,
    },
    /// Arrived at the ticket's site.
    Arrived {
        /// Where.
        at: LonLat,
    },
    /// Done with its ticket (restored, or taken off it).
    Released,
    /// A new position (an operator, or the AVL feed).
    Moved {
        /// Where.
        at: LonLat,
    },
    /// Off duty, or back on duty.
    OnDuty {
        /// On duty.
        on: bool,
    },
}

/// What a crew is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrewStatus {
    /// Free.
    Available,
    /// On its way to a ticket.
    EnRoute,
    /// Working on site.
    OnSite,
    /// Not on duty.
    OffDuty,
}

impl CrewStatus {
    /// The status's word.
    pub fn as_str(self) -> &'static str {
        match self {
            CrewStatus::Available => "available",
            CrewStatus::EnRoute => "en_route",
            CrewStatus::OnSite => "on_site",
            CrewStatus::OffDuty => "off_duty",
        }
    }
}

/// A crew's current state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crew {
    /// Its number.
    pub id: CrewId,
    /// As registered.
    pub spec: CrewSpec,
    /// What it is doing.
    pub status: CrewStatus,
    /// The ticket it works on.
    pub ticket: Option<TicketId>,
    /// Its last recorded position (the simulator or the AVL feed moves it in between).
    pub pos: LonLat,
    /// When it was sent.
    pub sent_s: Option<i64>,
    /// Where it set off from.
    pub from: Option<LonLat>,
    /// Its estimated arrival.
    pub eta_s: Option<i64>,
}

impl Crew {
    /// Whether it can take a fault of this level.
    pub fn can_repair(&self, level: FaultLevel) -> bool {
        self.spec.skills.contains(&Skill::for_level(level))
    }
}

impl Aggregate for Crew {
    const KIND: &'static str = "crew";
    type Event = CrewEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<CrewEvent>) -> Result<Self, String> {
        let Some(mut c) = state else {
            let CrewEvent::Registered(spec) = &e.event else {
                return Err("the first event must register the crew".into());
            };
            if spec.name.trim().is_empty() {
                return Err("a crew needs a name".into());
            }
            if spec.skills.is_empty() {
                return Err(format!("crew {}: name at least one skill", spec.name));
            }
            if !(spec.speed_kmh.is_finite() && spec.speed_kmh > 0.0 && spec.speed_kmh <= 150.0) {
                return Err(format!(
                    "crew {}: speed {} km/h is not a road speed (0–150)",
                    spec.name, spec.speed_kmh
                ));
            }
            if !spec.home.is_valid() {
                return Err(format!("crew {}: its base is not a lon/lat position", spec.name));
            }
            return Ok(Crew {
                id: CrewId(id),
                spec: spec.clone(),
                status: CrewStatus::Available,
                ticket: None,
                pos: spec.home,
                sent_s: None,
                from: None,
                eta_s: None,
            });
        };
        match &e.event {
            CrewEvent::Registered(_) => return Err("the crew is registered already".into()),
            CrewEvent::Sent { ticket, from, eta_s } => {
                match (c.status, c.ticket) {
                    (CrewStatus::OffDuty, _) => return Err("the crew is off duty".into()),
                    (CrewStatus::OnSite, Some(t)) if t != *ticket => {
                        return Err(format!("the crew is on site at ticket {t}"))
                    }
                    _ => {}
                }
                c.status = CrewStatus::EnRoute;
                c.ticket = Some(*ticket);
                c.pos = *from;
                c.from = Some(*from);
                c.sent_s = Some(e.time_s);
                c.eta_s = Some(*eta_s);
            }
            CrewEvent::Arrived { at } => {
                if c.status != CrewStatus::EnRoute {
                    return Err("the crew is not on its way anywhere".into());
                }
                c.status = CrewStatus::OnSite;
                c.pos = *at;
            }
            CrewEvent::Released => {
                c.status = CrewStatus::Available;
                c.ticket = None;
                c.from = None;
                c.sent_s = None;
                c.eta_s = None;
            }
            CrewEvent::Moved { at } => {
                if !at.is_valid() {
                    return Err("not a lon/lat position".into());
                }
                c.pos = *at;
            }
            CrewEvent::OnDuty { on } => {
                if !on && c.ticket.is_some() {
                    return Err("the crew still works on a ticket; release it first".into());
                }
                c.status = if *on { CrewStatus::Available } else { CrewStatus::OffDuty };
            }
        }
        Ok(c)
    }
}

/// Seconds to drive from `from` to `to` at `speed_kmh`: the haversine distance times
/// [`ROAD_FACTOR`].
///
/// # Examples
///
/// ```
/// use gridcare::model::LonLat;
/// use gridcare::workorder::travel_time_s;
/// // 0.01° of latitude is 1.11 km; 1.11 km × 1.3 at 30 km/h is about 173 s
/// let t = travel_time_s(LonLat::new(113.12, 23.02), LonLat::new(113.12, 23.03), 30.0);
/// assert!((170..=176).contains(&t));
/// ```
pub fn travel_time_s(from: LonLat, to: LonLat, speed_kmh: f64) -> i64 {
    let road_m = from.haversine_dist_m(&to) * ROAD_FACTOR;
    (road_m / (speed_kmh.max(1.0) / 3.6)).round() as i64
}

/// The crew to send to a fault at `site` of level `level` in `unit`: among the crews on
/// duty of that unit with the skill it needs, one that is free, earliest to arrive; if none
/// of the unit is free, `None` (the dispatcher decides: wait, or borrow from another unit).
pub fn best_crew<'a>(
    crews: impl IntoIterator<Item = &'a Crew>,
    unit: &str,
    level: FaultLevel,
    site: LonLat,
) -> Option<(&'a Crew, i64)> {
    crews
        .into_iter()
        .filter(|c| c.status == CrewStatus::Available && c.spec.unit == unit && c.can_repair(level))
        .map(|c| (c, travel_time_s(c.pos, site, c.spec.speed_kmh)))
        .min_by_key(|(c, t)| (*t, c.id))
}
