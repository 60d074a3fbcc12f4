//! The change trajectory (变更轨迹) of an outage: the events that change it, the fold that
//! turns them into its current state, and the trajectory an operator reads.
//!
//! Every change is an event with its time, author and reason ([`Recorded`]): created, ETR
//! changed (delayed or advanced restoration), scope changed (devices added or removed, the
//! affected customers recomputed), rescheduled (the window of a planned outage moved),
//! partially restored (some devices closed), restored, cancelled. The fold ([`Outage::apply`])
//! is the one place that decides which change may follow which; the store replays it.

use serde::{Deserialize, Serialize};

use super::info::{FaultSource, LatestChange, Lifecycle, Outage, OutageId, OutageKind};
use super::info_impact::Impact;
use crate::store::{format_duration, format_time, Aggregate, Recorded};

/// A change to an outage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum OutageEvent {
    /// The outage is recorded.
    Created {
        /// Planned or fault.
        kind: OutageKind,
        /// How a fault was found.
        source: Option<FaultSource>,
        /// The devices opened (external ids).
        devices: Vec<String>,
        /// Start: the planned window's start, or when the fault tripped.
        start_s: i64,
        /// End of a planned window.
        end_s: Option<i64>,
        /// Estimated restoration time (预计送电时间).
        etr_s: Option<i64>,
        /// The notice text for customers.
        notice: String,
        /// Who loses supply.
        impact: Impact,
    },
    /// The estimated restoration time moved (a delay, or sooner).
    EtrChanged {
        /// The new ETR.
        etr_s: i64,
    },
    /// Devices were added to or removed from the outage; the affected set is recomputed.
    ScopeChanged {
        /// Devices added.
        added: Vec<String>,
        /// Devices removed.
        removed: Vec<String>,
        /// Who loses supply now.
        impact: Impact,
    },
    /// A planned outage's window moved.
    Rescheduled {
        /// New start.
        start_s: i64,
        /// New end.
        end_s: i64,
        /// New ETR.
        etr_s: i64,
    },
    /// Some devices were closed; the others stay open.
    PartiallyRestored {
        /// The devices closed.
        devices: Vec<String>,
        /// Who is still without supply.
        impact: Impact,
    },
    /// Every device is closed: supply restored (送电).
    Restored {
        /// The devices closed last.
        devices: Vec<String>,
    },
    /// The outage will not happen, or was a false alarm.
    Cancelled,
}

impl OutageEvent {
    /// The change's word (`created`, `etr_changed`, …), as in the JSON.
    pub fn word(&self) -> &'static str {
        match self {
            OutageEvent::Created { .. } => "created",
            OutageEvent::EtrChanged { .. } => "etr_changed",
            OutageEvent::ScopeChanged { .. } => "scope_changed",
            OutageEvent::Rescheduled { .. } => "rescheduled",
            OutageEvent::PartiallyRestored { .. } => "partially_restored",
            OutageEvent::Restored { .. } => "restored",
            OutageEvent::Cancelled => "cancelled",
        }
    }
}

/// One line of an outage's change trajectory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrajectoryEntry {
    /// Its number among the outage's changes, from 1.
    pub seq: u64,
    /// When.
    pub time_s: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// What kind of change ([`OutageEvent::word`]).
    pub change: &'static str,
    /// What changed, in words (`ETR 2026-11-24 16:00 → 18:00, delayed 2 h`).
    pub summary: String,
    /// The same in Chinese (`预计送电 2026-11-24 16:00 → 18:00，推迟 2 小时`).
    pub summary_zh: String,
    /// Customers without supply after the change.
    pub customers: usize,
    /// The ETR after the change.
    pub etr_s: Option<i64>,
}

/// The trajectory of an outage from its events, oldest first.
pub fn trajectory(
    id: OutageId,
    events: &[Recorded<OutageEvent>],
) -> Result<Vec<TrajectoryEntry>, String> {
    let mut state: Option<Outage> = None;
    let mut out = Vec::with_capacity(events.len());
    for rec in events {
        let next = Outage::apply(id.0, state.take(), rec)?;
        out.push(TrajectoryEntry {
            seq: rec.seq,
            time_s: rec.time_s,
            author: rec.author.clone(),
            reason: rec.reason.clone(),
            change: rec.event.word(),
            summary: next.latest.summary.clone(),
            summary_zh: next.latest.summary_zh.clone(),
            customers: next.impact.customers(),
            etr_s: next.etr_s,
        });
        state = Some(next);
    }
    Ok(out)
}

fn list(devices: &[String]) -> String {
    if devices.is_empty() {
        "-".into()
    } else {
        devices.join(", ")
    }
}

/// `2026-11-24 08:00–17:00`, or with both dates when the window crosses midnight.
pub fn window_text(start_s: i64, end_s: i64) -> String {
    let (a, b) = (format_time(start_s), format_time(end_s));
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((da, _)), Some((db, tb))) if da == db => format!("{a}–{tb}"),
        _ => format!("{a} – {b}"),
    }
}

fn etr_text(etr_s: Option<i64>) -> String {
    etr_s.map_or_else(|| "not yet known".into(), format_time)
}

fn etr_text_zh(etr_s: Option<i64>) -> String {
    etr_s.map_or_else(|| "待定".into(), format_time)
}

/// `2 小时 30 分钟`, as [`format_duration`] in Chinese.
fn duration_zh(dt_s: i64) -> String {
    let mins = dt_s.unsigned_abs().div_ceil(60);
    match (mins / 60, mins % 60) {
        (0, m) => format!("{m} 分钟"),
        (h, 0) => format!("{h} 小时"),
        (h, m) => format!("{h} 小时 {m} 分钟"),
    }
}

fn list_zh(devices: &[String]) -> String {
    if devices.is_empty() {
        "无".into()
    } else {
        devices.join("、")
    }
}

fn created(id: u64, rec: &Recorded<OutageEvent>) -> Result<Outage, String> {
    let OutageEvent::Created { kind, source, devices, start_s, end_s, etr_s, notice, impact } =
        &rec.event
    else {
        return Err(format!("outage {id} starts with `{}`, not `created`", rec.event.word()));
    };
    if devices.is_empty() {
        return Err("an outage needs at least one device".into());
    }
    if let Some(end) = end_s.filter(|end| end <= start_s) {
        return Err(format!(
            "the end {} is not after the start {}",
            format_time(end),
            format_time(*start_s)
        ));
    }
    if let Some(etr) = etr_s.filter(|etr| etr <= start_s) {
        return Err(format!(
            "the ETR {} is not after the start {}",
            format_time(etr),
            format_time(*start_s)
        ));
    }
    if *kind == OutageKind::Planned && end_s.is_none() {
        return Err("a planned outage needs the end of its window".into());
    }
    let (what, what_zh) = match (kind, end_s) {
        (OutageKind::Planned, Some(end)) => (
            format!("planned outage {}", window_text(*start_s, *end)),
            format!("计划停电 {}", window_text(*start_s, *end)),
        ),
        _ => (
            format!("fault outage from {}, ETR {}", format_time(*start_s), etr_text(*etr_s)),
            format!("故障停电 {} 起，预计送电 {}", format_time(*start_s), etr_text_zh(*etr_s)),
        ),
    };
    let n = impact.customers();
    let summary = (
        format!("{what}: open {}; {n} customers", list(devices)),
        format!("{what_zh}：断开 {}；{n} 户", list_zh(devices)),
    );
    Ok(Outage {
        id: OutageId(id),
        kind: *kind,
        source: *source,
        devices: devices.clone(),
        open_devices: devices.clone(),
        start_s: *start_s,
        end_s: *end_s,
        etr_s: etr_s.or(*end_s),
        reason: rec.reason.clone(),
        notice: notice.clone(),
        peak_customers: impact.customers(),
        impact: impact.clone(),
        lifecycle: Lifecycle::Open,
        closed_s: None,
        created_s: rec.time_s,
        created_by: rec.author.clone(),
        latest: LatestChange::default(),
        changes: 0,
    }
    .with_latest(rec, summary))
}

impl Outage {
    /// `summary`: what changed, in English and in Chinese.
    fn with_latest(mut self, rec: &Recorded<OutageEvent>, summary: (String, String)) -> Outage {
        let (summary, summary_zh) = summary;
        self.latest = LatestChange {
            seq: rec.seq,
            time_s: rec.time_s,
            author: rec.author.clone(),
            reason: rec.reason.clone(),
            change: rec.event.word().to_string(),
            summary,
            summary_zh,
        };
        self.changes = rec.seq;
        self
    }

    fn refuse_closed(&self, what: &str) -> Result<(), String> {
        let when = self.closed_s.map(format_time).unwrap_or_default();
        match self.lifecycle {
            Lifecycle::Cancelled => Err(format!("cannot {what}: it was cancelled at {when}")),
            Lifecycle::Restored => Err(format!("cannot {what}: it was restored at {when}")),
            Lifecycle::Open | Lifecycle::PartiallyRestored => Ok(()),
        }
    }

    fn refuse_not_started(&self, what: &str, now_s: i64) -> Result<(), String> {
        if now_s < self.start_s {
            Err(format!(
                "cannot {what}: it has not started (it starts {}); cancel or reschedule it instead",
                format_time(self.start_s)
            ))
        } else {
            Ok(())
        }
    }

    fn check_etr(&self, etr_s: i64) -> Result<(), String> {
        if etr_s <= self.start_s {
            Err(format!(
                "the ETR {} is not after the start {}",
                format_time(etr_s),
                format_time(self.start_s)
            ))
        } else {
            Ok(())
        }
    }
}

impl Aggregate for Outage {
    const KIND: &'static str = "outage";
    type Event = OutageEvent;

    fn apply(
        id: u64,
        state: Option<Outage>,
        rec: &Recorded<OutageEvent>,
    ) -> Result<Outage, String> {
        let Some(mut o) = state else {
            return created(id, rec);
        };
        let now = rec.time_s;
        let summary = match &rec.event {
            OutageEvent::Created { .. } => return Err(format!("outage {id} already exists")),
            OutageEvent::EtrChanged { etr_s } => {
                o.refuse_closed("change its ETR")?;
                o.check_etr(*etr_s)?;
                let old = o.etr_s;
                o.etr_s = Some(*etr_s);
                let (shift, shift_zh) = match old {
                    Some(old) if *etr_s > old => (
                        format!(", delayed {}", format_duration(etr_s - old)),
                        format!("，推迟 {}", duration_zh(etr_s - old)),
                    ),
                    Some(old) if *etr_s < old => (
                        format!(", {} sooner", format_duration(old - etr_s)),
                        format!("，提前 {}", duration_zh(old - etr_s)),
                    ),
                    _ => (String::new(), String::new()),
                };
                (
                    format!("ETR {} → {}{shift}", etr_text(old), format_time(*etr_s)),
                    format!("预计送电 {} → {}{shift_zh}", etr_text_zh(old), format_time(*etr_s)),
                )
            }
            OutageEvent::ScopeChanged { added, removed, impact } => {
                o.refuse_closed("change its scope")?;
                if added.is_empty() && removed.is_empty() {
                    return Err("a scope change adds or removes at least one device".into());
                }
                if let Some(d) = added.iter().find(|d| o.devices.contains(d)) {
                    return Err(format!("{d} is already in the outage"));
                }
                if let Some(d) = removed.iter().find(|d| !o.open_devices.contains(d)) {
                    return Err(format!(
                        "{d} is not open in the outage (open: {})",
                        list(&o.open_devices)
                    ));
                }
                o.devices.retain(|d| !removed.contains(d));
                o.open_devices.retain(|d| !removed.contains(d));
                o.devices.extend(added.iter().cloned());
                o.open_devices.extend(added.iter().cloned());
                if o.open_devices.is_empty() {
                    return Err("that removes every open device; restore or cancel instead".into());
                }
                let before = o.impact.customers();
                o.peak_customers = o.peak_customers.max(impact.customers());
                o.impact = impact.clone();
                let after = o.impact.customers();
                (
                    format!(
                        "added {}; removed {}; customers {before} → {after}",
                        list(added),
                        list(removed)
                    ),
                    format!(
                        "增加 {}；移除 {}；停电户数 {before} → {after}",
                        list_zh(added),
                        list_zh(removed)
                    ),
                )
            }
            OutageEvent::Rescheduled { start_s, end_s, etr_s } => {
                o.refuse_closed("reschedule it")?;
                if o.kind != OutageKind::Planned {
                    return Err("only a planned outage has a window to reschedule".into());
                }
                if now >= o.start_s {
                    return Err(format!(
                        "cannot reschedule it: it started at {}; change its ETR instead",
                        format_time(o.start_s)
                    ));
                }
                if end_s <= start_s {
                    return Err(format!(
                        "the end {} is not after the start {}",
                        format_time(*end_s),
                        format_time(*start_s)
                    ));
                }
                let old = window_text(o.start_s, o.end_s.unwrap_or(o.start_s));
                o.start_s = *start_s;
                o.end_s = Some(*end_s);
                o.check_etr(*etr_s)?;
                o.etr_s = Some(*etr_s);
                let new = window_text(*start_s, *end_s);
                (format!("window {old} → {new}"), format!("停电时段 {old} → {new}"))
            }
            OutageEvent::PartiallyRestored { devices, impact } => {
                o.refuse_closed("restore it")?;
                o.refuse_not_started("restore it", now)?;
                if devices.is_empty() {
                    return Err("a partial restoration closes at least one device".into());
                }
                if let Some(d) = devices.iter().find(|d| !o.open_devices.contains(d)) {
                    return Err(format!(
                        "{d} is not open in the outage (open: {})",
                        list(&o.open_devices)
                    ));
                }
                o.open_devices.retain(|d| !devices.contains(d));
                if o.open_devices.is_empty() {
                    return Err("that closes every device: that is a full restoration".into());
                }
                let before = o.impact.customers();
                o.impact = impact.clone();
                o.lifecycle = Lifecycle::PartiallyRestored;
                let after = o.impact.customers();
                (
                    format!(
                        "closed {}; still open {}; customers without supply {before} → {after}",
                        list(devices),
                        list(&o.open_devices)
                    ),
                    format!(
                        "合上 {}；仍断开 {}；停电户数 {before} → {after}",
                        list_zh(devices),
                        list_zh(&o.open_devices)
                    ),
                )
            }
            OutageEvent::Restored { devices } => {
                o.refuse_closed("restore it")?;
                o.refuse_not_started("restore it", now)?;
                let mut want = devices.clone();
                let mut open = o.open_devices.clone();
                want.sort();
                open.sort();
                if want != open {
                    return Err(format!(
                        "a full restoration closes every open device ({}), not {}",
                        list(&o.open_devices),
                        list(devices)
                    ));
                }
                let before = o.impact.customers();
                o.open_devices.clear();
                o.impact = Impact::default();
                o.lifecycle = Lifecycle::Restored;
                o.closed_s = Some(now);
                let (late, late_zh) = match o.etr_s {
                    Some(etr) if now > etr => (
                        format!(", {} after the ETR", format_duration(now - etr)),
                        format!("，比预计晚 {}", duration_zh(now - etr)),
                    ),
                    _ => (String::new(), String::new()),
                };
                (
                    format!(
                        "restored: closed {}; {before} customers back on supply{late}",
                        list(devices)
                    ),
                    format!("已送电：合上 {}；{before} 户恢复供电{late_zh}", list_zh(devices)),
                )
            }
            OutageEvent::Cancelled => {
                o.refuse_closed("cancel it")?;
                if o.lifecycle == Lifecycle::PartiallyRestored {
                    return Err("cannot cancel it: part of it is restored; restore the rest".into());
                }
                o.lifecycle = Lifecycle::Cancelled;
                o.closed_s = Some(now);
                o.impact = Impact::default();
                o.open_devices.clear();
                ("cancelled".to_string(), "已取消".to_string())
            }
        };
        Ok(o.with_latest(rec, summary))
    }
}

#[cfg(test)]
mod tests {
    use super::super::info::OutageStatus;
    use super::*;
    use crate::store::parse_time;

    fn t(s: &str) -> i64 {
        parse_time(s).expect("a time")
    }

    fn impact(n: usize) -> Impact {
        Impact { accounts: (0..n).map(|i| format!("06{i:08}")).collect(), ..Impact::default() }
    }

    fn rec(seq: u64, at: &str, event: OutageEvent) -> Recorded<OutageEvent> {
        Recorded { seq, time_s: t(at), author: "李工".into(), reason: format!("r{seq}"), event }
    }

    fn planned(devices: &[&str]) -> OutageEvent {
        OutageEvent::Created {
            kind: OutageKind::Planned,
            source: None,
            devices: devices.iter().map(|d| d.to_string()).collect(),
            start_s: t("2026-11-24 08:00"),
            end_s: Some(t("2026-11-24 17:00")),
            etr_s: Some(t("2026-11-24 17:00")),
            notice: String::new(),
            impact: impact(30),
        }
    }

    fn fold(events: &[Recorded<OutageEvent>]) -> Result<Outage, String> {
        let mut state = None;
        for e in events {
            state = Some(Outage::apply(1, state, e)?);
        }
        state.ok_or_else(|| "no events".into())
    }

    #[test]
    fn a_planned_outage_is_announced_then_active_then_restored() {
        let evs = vec![
            rec(1, "2026-11-20 10:00", planned(&["fuse.a", "fuse.b"])),
            rec(2, "2026-11-24 12:00", OutageEvent::EtrChanged { etr_s: t("2026-11-24 19:00") }),
            rec(
                3,
                "2026-11-24 18:00",
                OutageEvent::PartiallyRestored {
                    devices: vec!["fuse.a".into()],
                    impact: impact(12),
                },
            ),
            rec(4, "2026-11-24 19:30", OutageEvent::Restored { devices: vec!["fuse.b".into()] }),
        ];
        let o = fold(&evs[..1]).expect("folds");
        assert_eq!(o.status_at(t("2026-11-23 00:00")), OutageStatus::Announced);
        assert_eq!(o.status_at(t("2026-11-24 08:00")), OutageStatus::Active);
        let o = fold(&evs).expect("folds");
        assert_eq!(o.status_at(t("2026-11-25 00:00")), OutageStatus::Restored);
        assert_eq!((o.closed_s, o.changes, o.peak_customers), (Some(t("2026-11-24 19:30")), 4, 30));
        let lines = trajectory(OutageId(1), &evs).expect("a trajectory");
        let words: Vec<&str> = lines.iter().map(|l| l.change).collect();
        assert_eq!(words, vec!["created", "etr_changed", "partially_restored", "restored"]);
        assert_eq!(lines[1].summary, "ETR 2026-11-24 17:00 → 2026-11-24 19:00, delayed 2 h");
        assert_eq!(lines[2].customers, 12);
        assert_eq!(
            lines[3].summary,
            "restored: closed fuse.b; 12 customers back on supply, 30 min after the ETR"
        );
        assert_eq!(lines[3].reason, "r4");
        // the same trajectory in Chinese, for the operator's screen
        assert_eq!(
            lines[1].summary_zh,
            "预计送电 2026-11-24 17:00 → 2026-11-24 19:00，推迟 2 小时"
        );
        assert!(lines[2].summary_zh.starts_with("合上 "), "{}", lines[2].summary_zh);
        assert_eq!(lines[3].summary_zh, "已送电：合上 fuse.b；12 户恢复供电，比预计晚 30 分钟");
        assert!(lines.iter().all(|l| !l.summary_zh.is_empty()));
    }

    #[test]
    fn nothing_follows_a_cancellation() {
        let mut evs = vec![
            rec(1, "2026-11-20 10:00", planned(&["fuse.a"])),
            rec(2, "2026-11-21 10:00", OutageEvent::Cancelled),
        ];
        let o = fold(&evs).expect("folds");
        assert_eq!(o.status_at(t("2026-11-24 09:00")), OutageStatus::Cancelled);
        assert_eq!(o.impact.customers(), 0);
        for (event, why) in [
            (
                OutageEvent::Restored { devices: vec![] },
                "cannot restore it: it was cancelled at 2026-11-21 10:00",
            ),
            (OutageEvent::EtrChanged { etr_s: t("2026-11-24 18:00") }, "cannot change its ETR"),
            (OutageEvent::Cancelled, "cannot cancel it"),
        ] {
            evs.push(rec(3, "2026-11-22 10:00", event));
            assert!(fold(&evs).expect_err("refused").contains(why), "{why}");
            evs.pop();
        }
    }

    #[test]
    fn a_window_moves_only_before_it_starts() {
        let created = rec(1, "2026-11-20 10:00", planned(&["fuse.a"]));
        let moved = OutageEvent::Rescheduled {
            start_s: t("2026-11-25 08:00"),
            end_s: t("2026-11-25 12:00"),
            etr_s: t("2026-11-25 12:00"),
        };
        let o = fold(&[created.clone(), rec(2, "2026-11-23 10:00", moved.clone())]).expect("moves");
        assert_eq!(
            (o.start_s, o.end_s, o.etr_s),
            (t("2026-11-25 08:00"), Some(t("2026-11-25 12:00")), Some(t("2026-11-25 12:00")))
        );
        assert_eq!(o.latest.summary, "window 2026-11-24 08:00–17:00 → 2026-11-25 08:00–12:00");
        assert_eq!(o.latest.summary_zh, "停电时段 2026-11-24 08:00–17:00 → 2026-11-25 08:00–12:00");
        let e = fold(&[created.clone(), rec(2, "2026-11-24 09:00", moved)]).expect_err("started");
        assert!(e.contains("it started at 2026-11-24 08:00"), "{e}");
        let backwards = OutageEvent::Rescheduled {
            start_s: t("2026-11-25 12:00"),
            end_s: t("2026-11-25 08:00"),
            etr_s: t("2026-11-25 13:00"),
        };
        assert!(fold(&[created, rec(2, "2026-11-23 10:00", backwards)])
            .expect_err("backwards")
            .contains("not after"));
    }

    #[test]
    fn the_first_event_creates_and_only_it() {
        let e =
            fold(&[rec(1, "2026-11-20 10:00", OutageEvent::Cancelled)]).expect_err("no creation");
        assert!(e.contains("starts with `cancelled`"), "{e}");
        let e = fold(&[
            rec(1, "2026-11-20 10:00", planned(&["a"])),
            rec(2, "2026-11-20 10:00", planned(&["a"])),
        ]);
        assert!(e.expect_err("twice").contains("already exists"));
        assert!(fold(&[rec(1, "2026-11-20 10:00", planned(&[]))])
            .expect_err("no device")
            .contains("at least one device"));
    }

    #[test]
    fn events_read_back_as_written() {
        let e = planned(&["fuse.a"]);
        let json = serde_json::to_string(&e).expect("serializes");
        assert!(json.starts_with("{\"change\":\"created\""), "{json}");
        assert_eq!(serde_json::from_str::<OutageEvent>(&json).expect("deserializes"), e);
        let c = serde_json::to_string(&OutageEvent::Cancelled).expect("serializes");
        assert_eq!(c, "{\"change\":\"cancelled\"}");
    }
}
