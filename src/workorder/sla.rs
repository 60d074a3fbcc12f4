//! Service-level clocks of a repair ticket (抢修服务时限): dispatch, arrival on site,
//! restoration and the callback visit, each with its limit and whether it was met.
//!
//! The limits are a [`SlaPolicy`], read from `resources/workorder/sla.json` (embedded; a file
//! given with `--sla` replaces it): arrival within 45 min in town (城区), 90 min in the
//! countryside (农村), 120 min in remote areas (特殊边远); restoration within 4 h for a
//! low-voltage fault and 12 h for a 10 kV fault; the callback within 24 h of restoration.
//! The area of a ticket is the area of the unit that owns its feeder.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ticket::{Disposition, FaultLevel, Ticket};

/// The policy shipped in `resources/workorder/sla.json`.
pub const DEFAULT_SLA_JSON: &str = include_str!("../../resources/workorder/sla.json");

/// Where a unit works, for the arrival limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// 城区.
    Urban,
    /// 农村.
    Rural,
    /// 特殊边远.
    Remote,
}

impl Area {
    /// `urban` / `rural` / `remote`.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Urban => "urban",
            Area::Rural => "rural",
            Area::Remote => "remote",
        }
    }
}

/// Arrival limits by area, in minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalLimits {
    /// Town.
    pub urban: u32,
    /// Countryside.
    pub rural: u32,
    /// Remote areas.
    pub remote: u32,
}

/// Restoration limits by fault level, in hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreLimits {
    /// A low-voltage (0.4 kV) fault.
    pub low_voltage: f64,
    /// A 10 kV fault.
    pub medium_voltage: f64,
    /// A fault on the customer's side of the meter (advice and help only).
    pub customer_side: f64,
}

/// The service levels of repair tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// What the file is (free text).
    #[serde(default)]
    pub about: String,
    /// From the call to the ticket reaching the owning unit.
    pub dispatch_min: u32,
    /// From the call to the crew on site.
    pub arrival_min: ArrivalLimits,
    /// From the call to supply restored.
    pub restore_h: RestoreLimits,
    /// From restoration to the callback visit (回访).
    pub callback_h: f64,
    /// The area of a unit not listed.
    pub default_area: Area,
    /// The area of each unit (供电所), by its name as in the feeders table.
    #[serde(default)]
    pub unit_areas: BTreeMap<String, Area>,
}

/// Why a policy file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SlaError {
    /// Unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// Not a policy.
    #[error("{path}: not an SLA policy: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong (serde names the field and line).
        message: String,
    },
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy::parse("resources/workorder/sla.json", DEFAULT_SLA_JSON)
            .expect("the embedded SLA policy is valid (a unit test checks it)")
    }
}

impl SlaPolicy {
    /// Parses a policy; `path` names it in errors. Every limit must be positive.
    pub fn parse(path: &str, text: &str) -> Result<SlaPolicy, SlaError> {
        let invalid = |message: String| SlaError::Invalid { path: path.to_string(), message };
        let p: SlaPolicy = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let a = &p.arrival_min;
        let r = &p.restore_h;
        let checks = [
            ("dispatch_min", p.dispatch_min as f64),
            ("arrival_min.urban", a.urban as f64),
            ("arrival_min.rural", a.rural as f64),
            ("arrival_min.remote", a.remote as f64),
            ("restore_h.low_voltage", r.low_voltage),
            ("restore_h.medium_voltage", r.medium_voltage),
            ("restore_h.customer_side", r.customer_side),
            ("callback_h", p.callback_h),
        ];
        for (field, v) in checks {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(format!("`{field}` must be a positive number, not {v}")));
            }
        }
        Ok(p)
    }

    /// Reads a policy file.
    pub fn load(path: &Path) -> Result<SlaPolicy, SlaError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| SlaError::Io { path: name.clone(), source })?;
        SlaPolicy::parse(&name, &text)
    }

    /// The area a unit works in.
    pub fn area_of(&self, unit: &str) -> Area {
        self.unit_areas.get(unit).copied().unwrap_or(self.default_area)
    }

    /// The arrival limit in an area, seconds.
    pub fn arrival_limit_s(&self, area: Area) -> i64 {
        60 * i64::from(match area {
            Area::Urban => self.arrival_min.urban,
            Area::Rural => self.arrival_min.rural,
            Area::Remote => self.arrival_min.remote,
        })
    }

    /// The restoration limit for a fault level, seconds.
    pub fn restore_limit_s(&self, level: FaultLevel) -> i64 {
        let h = match level {
            FaultLevel::LowVoltage => self.restore_h.low_voltage,
            FaultLevel::MediumVoltage => self.restore_h.medium_voltage,
            FaultLevel::CustomerSide => self.restore_h.customer_side,
        };
        (h * 3600.0).round() as i64
    }
}

/// One service-level step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStep {
    /// 派单: the ticket reaches the owning unit.
    Dispatch,
    /// 到达现场: the crew is on site.
    Arrival,
    /// 恢复送电: supply restored.
    Restore,
    /// 回访: the customer was called back.
    Callback,
}

impl SlaStep {
    /// The step's word, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaStep::Dispatch => "dispatch",
            SlaStep::Arrival => "arrival",
            SlaStep::Restore => "restore",
            SlaStep::Callback => "callback",
        }
    }
}

/// Where one clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockState {
    /// Not started (the step it counts from has not happened).
    Waiting,
    /// Running, within its limit.
    Running {
        /// Seconds left.
        left_s: i64,
    },
    /// Running, past its limit: breached.
    Overdue {
        /// Seconds past the limit.
        over_s: i64,
    },
    /// Done in time.
    Met {
        /// How long it took.
        took_s: i64,
    },
    /// Done, but late: breached.
    Late {
        /// How long it took.
        took_s: i64,
        /// Seconds past the limit.
        over_s: i64,
    },
}

impl ClockState {
    /// True when the limit was or is being missed.
    pub fn is_breached(self) -> bool {
        matches!(self, ClockState::Overdue { .. } | ClockState::Late { .. })
    }
}

/// One clock of a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SlaClock {
    /// The step.
    pub step: SlaStep,
    /// When it starts counting (`None`: not yet).
    pub from_s: Option<i64>,
    /// Its deadline (`None` until it starts).
    pub due_s: Option<i64>,
    /// The limit, seconds.
    pub limit_s: i64,
    /// Where it stands at the time asked.
    pub state: ClockState,
}

/// The state of a clock that started at `from`, is due after `limit`, and ended at `done`.
fn clock(
    step: SlaStep,
    from: Option<i64>,
    limit_s: i64,
    done: Option<i64>,
    now_s: i64,
) -> SlaClock {
    let state = match (from, done) {
        (None, _) => ClockState::Waiting,
        (Some(f), Some(d)) => {
            let took_s = (d - f).max(0);
            if took_s <= limit_s {
                ClockState::Met { took_s }
            } else {
                ClockState::Late { took_s, over_s: took_s - limit_s }
            }
        }
        (Some(f), None) => {
            let left_s = f + limit_s - now_s;
            if left_s >= 0 {
                ClockState::Running { left_s }
            } else {
                ClockState::Overdue { over_s: -left_s }
            }
        }
    };
    SlaClock { step, from_s: from, due_s: from.map(|f| f + limit_s), limit_s, state }
}

/// The clocks of a ticket at `now_s` under `policy`: dispatch, arrival and restoration count
/// from the call, the callback from restoration. A ticket merged into a master, or answered
/// by a known outage, dispatches nothing and has no clocks; a cancelled ticket's running
/// clocks stop.
///
/// # Examples
///
/// ```
/// use gridcare::workorder::{sla_clocks, SlaPolicy, SlaStep, ClockState};
/// # use gridcare::workorder::testing::urban_lv_ticket;
/// let policy = SlaPolicy::default();
/// // a low-voltage call in town at t = 0, dispatched at once, nobody on site yet
/// let ticket = urban_lv_ticket(0);
/// let at_50_min = sla_clocks(&ticket, &policy, 50 * 60);
/// let arrival = at_50_min.iter().find(|c| c.step == SlaStep::Arrival).unwrap();
/// assert_eq!(arrival.state, ClockState::Overdue { over_s: 5 * 60 }); // 45 min in town
/// ```
pub fn sla_clocks(ticket: &Ticket, policy: &SlaPolicy, now_s: i64) -> Vec<SlaClock> {
    if !matches!(ticket.disposition, Disposition::Dispatch) {
        return Vec::new();
    }
    let t = &ticket.times;
    // A cancelled ticket's clocks stop at the cancellation.
    let now_s = t.cancelled_s.map_or(now_s, |c| c.min(now_s));
    let area = policy.area_of(&ticket.site.unit);
    let called = Some(t.created_s);
    vec![
        clock(
            SlaStep::Dispatch,
            called,
            60 * i64::from(policy.dispatch_min),
            t.dispatched_s,
            now_s,
        ),
        clock(SlaStep::Arrival, called, policy.arrival_limit_s(area), t.on_site_s, now_s),
        clock(
            SlaStep::Restore,
            called,
            policy.restore_limit_s(ticket.fault_level),
            t.restored_s,
            now_s,
        ),
        clock(
            SlaStep::Callback,
            t.restored_s,
            (policy.callback_h * 3600.0).round() as i64,
            t.callback_s,
            now_s,
        ),
    ]
}

/// True when any clock of the ticket is breached at `now_s`.
pub fn is_breached(ticket: &Ticket, policy: &SlaPolicy, now_s: i64) -> bool {
    sla_clocks(ticket, policy, now_s).iter().any(|c| c.state.is_breached())
}

/// The running clock due soonest (the one the queue sorts by), if any.
pub fn next_due(ticket: &Ticket, policy: &SlaPolicy, now_s: i64) -> Option<SlaClock> {
    sla_clocks(ticket, policy, now_s)
        .into_iter()
        .filter(|c| matches!(c.state, ClockState::Running { .. } | ClockState::Overdue { .. }))
        .min_by_key(|c| c.due_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_policy_parses_and_a_bad_one_is_named() {
        let p = SlaPolicy::parse("sla.json", DEFAULT_SLA_JSON).expect("valid");
        assert_eq!(p.arrival_limit_s(Area::Urban), 45 * 60);
        assert_eq!(p.arrival_limit_s(Area::Rural), 90 * 60);
        assert_eq!(p.restore_limit_s(FaultLevel::MediumVoltage), 12 * 3600);
        assert_eq!(p.area_of("禅城供电局南庄供电所"), Area::Rural);
        assert_eq!(p.area_of("unknown"), Area::Urban);
        let bad = DEFAULT_SLA_JSON.replace("\"dispatch_min\": 3", "\"dispatch_min\": 0");
        let e = SlaPolicy::parse("x.json", &bad).expect_err("zero refused").to_string();
        assert!(e.contains("x.json") && e.contains("dispatch_min"), "{e}");
        let e = SlaPolicy::parse("y.json", "{\"dispatch_min\": 3}").expect_err("incomplete");
        assert!(e.to_string().contains("arrival_min"), "{e}");
    }
}
