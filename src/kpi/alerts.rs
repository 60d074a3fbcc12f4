//! Alerts handled in time (敏感词预警处置及时率): of the sensitive-word alerts raised in the
//! period, the share first handled (acknowledged, assigned or resolved) within [`ACK_LIMIT_S`]
//! of being raised **and** resolved within [`RESOLVE_LIMIT_S`].
//!
//! An alert still open at the time of the report counts as late once either limit has passed
//! without its step, and is not counted yet while both limits are still ahead of it.
//!
//! # Examples
//! ```
//! use gridcare::kpi::alerts::{alert_timeliness, AlertTimes};
//! let raised = 1_000;
//! let alerts = [
//!     // acknowledged after 5 min, resolved after 2 h: in time
//!     AlertTimes { raised_s: raised, acknowledged_s: Some(raised + 300), resolved_s: Some(raised + 7200) },
//!     // acknowledged after 40 min: late
//!     AlertTimes { raised_s: raised, acknowledged_s: Some(raised + 2400), resolved_s: Some(raised + 3600) },
//!     // raised a minute before the report, nothing done yet: not counted
//!     AlertTimes { raised_s: raised + 9_940, acknowledged_s: None, resolved_s: None },
//! ];
//! let t = alert_timeliness(alerts.iter(), raised + 10_000);
//! assert_eq!((t.raised, t.counted, t.in_time), (3, 2, 1));
//! assert_eq!(t.rate(), Some(0.5));
//! ```

use serde::Serialize;

use crate::channels::alert::Alert;

/// An alert must be acknowledged within this long of being raised (15 minutes).
pub const ACK_LIMIT_S: i64 = 15 * 60;

/// An alert must be resolved within this long of being raised (24 hours).
pub const RESOLVE_LIMIT_S: i64 = 24 * 3600;

/// The times of an alert's steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertTimes {
    /// Raised.
    pub raised_s: i64,
    /// Acknowledged, if it was.
    pub acknowledged_s: Option<i64>,
    /// Resolved, if it was.
    pub resolved_s: Option<i64>,
}

impl From<&Alert> for AlertTimes {
    fn from(a: &Alert) -> AlertTimes {
        AlertTimes {
            raised_s: a.raised.at_s,
            acknowledged_s: a.acknowledged.as_ref().or(a.assigned.as_ref()).map(|s| s.at_s),
            resolved_s: a.resolved.as_ref().map(|s| s.at_s),
        }
    }
}

/// In time, late, or not known yet at `as_of_s`.
pub fn in_time(a: &AlertTimes, as_of_s: i64) -> Option<bool> {
    let step = |done: Option<i64>, limit: i64| match done {
        Some(t) => Some(t - a.raised_s <= limit),
        None if as_of_s - a.raised_s > limit => Some(false),
        None => None,
    };
    // The first step an operator took counts as the acknowledgement.
    let seen = match (a.acknowledged_s, a.resolved_s) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (step(seen, ACK_LIMIT_S), step(a.resolved_s, RESOLVE_LIMIT_S)) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// The measure over a set of alerts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AlertTimeliness {
    /// Alerts raised.
    pub raised: u64,
    /// Of those, known in time or late.
    pub counted: u64,
    /// Of those, in time.
    pub in_time: u64,
}

impl AlertTimeliness {
    /// `in_time / counted`, when any is counted.
    pub fn rate(&self) -> Option<f64> {
        (self.counted > 0).then(|| self.in_time as f64 / self.counted as f64)
    }
}

/// The measure over `alerts` at `as_of_s`.
pub fn alert_timeliness<'a>(
    alerts: impl IntoIterator<Item = &'a AlertTimes>,
    as_of_s: i64,
) -> AlertTimeliness {
    let mut t = AlertTimeliness::default();
    for a in alerts {
        t.raised += 1;
        if let Some(ok) = in_time(a, as_of_s) {
            t.counted += 1;
            t.in_time += u64::from(ok);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_alert_is_late_once_a_limit_passes_and_uncounted_before() {
        let a = AlertTimes { raised_s: 0, acknowledged_s: None, resolved_s: None };
        assert_eq!(in_time(&a, ACK_LIMIT_S), None, "on the limit: not late yet");
        assert_eq!(in_time(&a, ACK_LIMIT_S + 1), Some(false));
        let acked = AlertTimes { acknowledged_s: Some(60), ..a };
        assert_eq!(in_time(&acked, RESOLVE_LIMIT_S), None, "acknowledged, resolution still due");
        assert_eq!(in_time(&acked, RESOLVE_LIMIT_S + 1), Some(false));
        let done = AlertTimes { resolved_s: Some(RESOLVE_LIMIT_S), ..acked };
        assert_eq!(in_time(&done, 10 * RESOLVE_LIMIT_S), Some(true), "both on their limits");
        // resolved at once without an acknowledgement step: the resolution was the first look
        let at_once = AlertTimes { resolved_s: Some(600), ..a };
        assert_eq!(in_time(&at_once, 700), Some(true));
        let late = AlertTimes { resolved_s: Some(ACK_LIMIT_S + 60), ..a };
        assert_eq!(in_time(&late, RESOLVE_LIMIT_S), Some(false));
    }
}
