//! Call-centre measures of repair tickets (95598 抢修), each defined on the stored tickets:
//!
//! * **First-call resolution** (一次办结率): a call from a caller we can recognise (the
//!   account number, else the phone number; not a crew's or SCADA's report) is resolved at
//!   the first contact when the same caller does not call again within
//!   [`REPEAT_CALL_WINDOW_S`] (7 days) — a chase ("when will you come?") or a second report
//!   of the same fault is a repeat contact. Share of such calls resolved.
//! * **First-dispatch fix rate** (一次修复率): a master ticket (dispatched, kept as master)
//!   that restored supply is fixed at the first dispatch when no other ticket is dispatched
//!   to the same device within [`FIX_WINDOW_S`] (7 days) after the restoration. Sending
//!   another crew before the first arrives is a crew swap, not a failed fix, and is not
//!   counted against it.
//! * **Duplicate-dispatch rate** (重复派单率): of the tickets dispatched, the share that
//!   duplicated another dispatch for the same fault: merged into another master after it
//!   was dispatched (the operator found one outage behind both), or dispatched while
//!   another dispatched ticket of the same outage or the same device was still in flight.
//! * **Dispatch accuracy** (派单准确率): of the tickets dispatched, the share sent to the
//!   unit that owns the feeder normally supplying the site (the caller's customer, else the
//!   site's transformer, else its feeder, in the normal switch state).
//! * **SLA compliance per step** (dispatch, arrival, restoration, callback): met clocks
//!   over met + breached ([`sla_clocks`] at the time of the report); clocks still waiting or
//!   running within their limit are not counted yet.
//! * **Average handling time** and speed of answer: from the phone platform's call records
//!   ([`super::calls`]).
//! * **Alerts handled in time** (敏感词预警): see [`super::alerts`]; the report reads the
//!   alerts from the store and fills the `alerts_in_time` column of the `all`, `channel` and
//!   `month` rows (alerts have no owning unit).

use rustc_hash::FxHashMap;

use super::calls::{CallRecord, CallStats};
use super::scope::Territory;
use crate::workorder::{
    sla_clocks, Channel, ClockState, Disposition, SlaPolicy, SlaStep, Ticket, TicketId,
};

/// A caller who calls again within this long was not resolved at the first contact.
pub const REPEAT_CALL_WINDOW_S: i64 = 7 * 86_400;
/// A device dispatched again within this long after a restoration was not fixed the first
/// time.
pub const FIX_WINDOW_S: i64 = 7 * 86_400;

/// The SLA steps in the order of [`TicketMeasures::sla`].
pub const SLA_STEPS: [SlaStep; 4] =
    [SlaStep::Dispatch, SlaStep::Arrival, SlaStep::Restore, SlaStep::Callback];

/// What one ticket contributes to each measure (`None`: it does not count for it).
#[derive(Clone, Debug, PartialEq)]
pub struct TicketMeasures {
    /// The ticket.
    pub id: TicketId,
    /// How the call came in.
    pub channel: Channel,
    /// The unit it was sent to (or would be).
    pub unit: String,
    /// When the call came in.
    pub created_s: i64,
    /// It was dispatched to a unit.
    pub dispatched: bool,
    /// Dispatch, merged or explained (`dispatch`, `merged`, `explained`).
    pub disposition: &'static str,
    /// First-call resolution.
    pub first_call_resolved: Option<bool>,
    /// First-dispatch fix.
    pub fixed_first_time: Option<bool>,
    /// A duplicate dispatch.
    pub duplicate_dispatch: Option<bool>,
    /// Sent to the owning unit.
    pub right_unit: Option<bool>,
    /// Per [`SLA_STEPS`]: met (`true`), breached (`false`), not decided yet (`None`).
    pub sla: [Option<bool>; 4],
}

fn disposition_word(d: Disposition) -> &'static str {
    match d {
        Disposition::Dispatch => "dispatch",
        Disposition::Merged { .. } => "merged",
        Disposition::Explained { .. } => "explained",
    }
}

/// The caller's key: account, else phone; `None` for internal reports.
fn caller_key(t: &Ticket) -> Option<&str> {
    if t.channel == Channel::Internal {
        return None;
    }
    t.site.account.as_deref().filter(|a| !a.is_empty()).or_else(|| {
        let p = t.site.phone.trim();
        (!p.is_empty()).then_some(p)
    })
}

/// When a dispatched ticket stopped being in flight (restored or cancelled), if it did.
fn done_s(t: &Ticket) -> Option<i64> {
    t.times.restored_s.or(t.times.cancelled_s).or(t.times.closed_s)
}

/// Each ticket's part in each measure (see the module doc for the definitions), at
/// `as_of_s` for the SLA clocks.
pub fn measure_tickets(
    tickets: &[Ticket],
    territory: &Territory,
    policy: &SlaPolicy,
    as_of_s: i64,
) -> Vec<TicketMeasures> {
    // repeat calls: tickets of each caller by time
    let mut by_caller: FxHashMap<&str, Vec<i64>> = FxHashMap::default();
    // dispatches per device and per outage: (dispatched, done, id)
    let mut by_device: FxHashMap<&str, Vec<(i64, i64, TicketId)>> = FxHashMap::default();
    let mut by_outage: FxHashMap<u64, Vec<(i64, i64, TicketId)>> = FxHashMap::default();
    for t in tickets {
        if let Some(k) = caller_key(t) {
            by_caller.entry(k).or_default().push(t.times.created_s);
        }
        // a ticket merged after its dispatch is itself the duplicate: it does not make the
        // one it was merged into a duplicate too
        let merged = matches!(t.disposition, Disposition::Merged { .. });
        if let Some(d) = t.times.dispatched_s.filter(|_| !merged) {
            let done = done_s(t).unwrap_or(i64::MAX);
            if let Some(dev) = t.site.device.as_deref() {
                by_device.entry(dev).or_default().push((d, done, t.id));
            }
            if let Some(o) = t.outage {
                by_outage.entry(o.0).or_default().push((d, done, t.id));
            }
        }
    }
    for v in by_caller.values_mut() {
        v.sort_unstable();
    }
    for v in by_device.values_mut().chain(by_outage.values_mut()) {
        v.sort_unstable();
    }
    let in_flight_before = |v: Option<&Vec<(i64, i64, TicketId)>>, at: i64, id: TicketId| {
        v.is_some_and(|v| v.iter().any(|&(d, done, o)| o != id && (d, o) < (at, id) && done > at))
    };
    tickets
        .iter()
        .map(|t| {
            let first_call_resolved = caller_key(t).map(|k| {
                let calls = by_caller.get(k).map_or(&[][..], Vec::as_slice);
                let c = t.times.created_s;
                let after = calls.partition_point(|x| *x <= c);
                // another call at the very same second from the same caller is a repeat too
                let same = calls.iter().filter(|x| **x == c).count() > 1;
                !(same || calls.get(after).is_some_and(|x| *x <= c + REPEAT_CALL_WINDOW_S))
            });
            let master = t.disposition == Disposition::Dispatch;
            let fixed_first_time = match (master, t.times.restored_s, t.site.device.as_deref()) {
                (true, Some(r), Some(dev)) => Some(!by_device.get(dev).is_some_and(|v| {
                    v.iter().any(|&(d, _, o)| o != t.id && d > r && d <= r + FIX_WINDOW_S)
                })),
                _ => None,
            };
            let duplicate_dispatch = t.times.dispatched_s.map(|d| {
                matches!(t.disposition, Disposition::Merged { .. })
                    || in_flight_before(
                        t.site.device.as_deref().and_then(|x| by_device.get(x)),
                        d,
                        t.id,
                    )
                    || in_flight_before(t.outage.and_then(|o| by_outage.get(&o.0)), d, t.id)
            });
            let owner = t
                .site
                .account
                .as_deref()
                .and_then(|a| territory.customer(a))
                .and_then(|c| territory.unit_of_customer(c))
                .or_else(|| {
                    t.site.transformer.as_deref().and_then(|x| territory.unit_of_transformer(x))
                })
                .or_else(|| t.site.feeder.as_deref().and_then(|x| territory.unit_of_feeder(x)));
            let right_unit = t.times.dispatched_s.and(owner).map(|o| o == t.site.unit);
            let mut sla = [None; 4];
            for c in sla_clocks(t, policy, as_of_s) {
                if let Some(i) = SLA_STEPS.iter().position(|s| *s == c.step) {
                    sla[i] = match c.state {
                        ClockState::Met { .. } => Some(true),
                        ClockState::Late { .. } | ClockState::Overdue { .. } => Some(false),
                        ClockState::Waiting | ClockState::Running { .. } => None,
                    };
                }
            }
            TicketMeasures {
                id: t.id,
                channel: t.channel,
                unit: t.site.unit.clone(),
                created_s: t.times.created_s,
                dispatched: t.times.dispatched_s.is_some(),
                disposition: disposition_word(t.disposition),
                first_call_resolved,
                fixed_first_time,
                duplicate_dispatch,
                right_unit,
                sla,
            }
        })
        .collect()
}

/// Met and breached clocks of one SLA step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepCompliance {
    /// Clocks met.
    pub met: u64,
    /// Clocks breached (late, or overdue now).
    pub breached: u64,
}

impl StepCompliance {
    /// met / (met + breached).
    pub fn rate(&self) -> Option<f64> {
        ratio(self.met, self.met + self.breached)
    }
}

/// The measures of a group of tickets and calls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallCentreMeasures {
    /// Tickets (calls recorded).
    pub tickets: u64,
    /// Of which dispatched to a unit.
    pub dispatched: u64,
    /// Merged into a master (duplicate calls, 重复报修).
    pub merged: u64,
    /// Explained by a known outage.
    pub explained: u64,
    /// First-call resolution.
    pub first_call_resolution: Option<f64>,
    /// First-dispatch fix rate.
    pub first_dispatch_fix: Option<f64>,
    /// Duplicate-dispatch rate.
    pub duplicate_dispatch: Option<f64>,
    /// Dispatch accuracy.
    pub dispatch_accuracy: Option<f64>,
    /// SLA compliance per [`SLA_STEPS`].
    pub sla: [StepCompliance; 4],
    /// The phone platform's figures.
    pub calls: CallStats,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn share(values: impl Iterator<Item = Option<bool>>) -> Option<f64> {
    let (mut yes, mut n) = (0, 0);
    for v in values.flatten() {
        n += 1;
        yes += u64::from(v);
    }
    ratio(yes, n)
}

/// Sums a group of tickets' measures and calls.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{summarise, TicketMeasures};
/// use gridcare::workorder::{Channel, TicketId};
/// let t = |fcr, dup| TicketMeasures { id: TicketId(1), channel: Channel::Phone, unit: "u".into(),
///     created_s: 0, dispatched: true, disposition: "dispatch", first_call_resolved: fcr,
///     fixed_first_time: None, duplicate_dispatch: dup, right_unit: Some(true),
///     sla: [Some(true), Some(false), None, None] };
/// let m = summarise(&[t(Some(true), Some(false)), t(Some(false), Some(false)), t(None, Some(true))], &[]);
/// assert_eq!(m.first_call_resolution, Some(0.5)); // 1 of the 2 recognised callers
/// assert_eq!(m.duplicate_dispatch, Some(1.0 / 3.0));
/// assert_eq!(m.sla[1].rate(), Some(0.0));
/// ```
pub fn summarise<'a>(
    tickets: impl IntoIterator<Item = &'a TicketMeasures>,
    calls: impl IntoIterator<Item = &'a CallRecord>,
) -> CallCentreMeasures {
    let tickets: Vec<&TicketMeasures> = tickets.into_iter().collect();
    let mut sla = [StepCompliance::default(); 4];
    for t in &tickets {
        for (i, s) in t.sla.iter().enumerate() {
            match s {
                Some(true) => sla[i].met += 1,
                Some(false) => sla[i].breached += 1,
                None => {}
            }
        }
    }
    CallCentreMeasures {
        tickets: tickets.len() as u64,
        dispatched: tickets.iter().filter(|t| t.dispatched).count() as u64,
        merged: tickets.iter().filter(|t| t.disposition == "merged").count() as u64,
        explained: tickets.iter().filter(|t| t.disposition == "explained").count() as u64,
        first_call_resolution: share(tickets.iter().map(|t| t.first_call_resolved)),
        first_dispatch_fix: share(tickets.iter().map(|t| t.fixed_first_time)),
        duplicate_dispatch: share(tickets.iter().map(|t| t.duplicate_dispatch)),
        dispatch_accuracy: share(tickets.iter().map(|t| t.right_unit)),
        sla,
        calls: CallStats::of(calls),
    }
}
