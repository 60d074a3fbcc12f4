//! A simulated history of a service area (`gridcare sim history`): days of planned outages,
//! faults at protective devices, momentary reclosures, a few storm days, and the repair
//! calls they cause, written into a store through the real [`OutageBook`] and [`RepairDesk`]
//! on a [`VirtualClock`] — so that the reports and the dashboard have a past on first start.
//! Deterministic for a seed, an end time and a model.
//!
//! What happens, per day (rates scale with the customers of the model; defaults for the
//! 100,000-customer demo city):
//!
//! * **Faults** (1.2 a day; on a storm day 30–60 more, from 14:00 to 22:00, half of them at
//!   the top of the feeders, repairs taking twice as long): a protective device opens — a transformer drop-out fuse (60 %), a
//!   lateral fuse (30 %), a sectionaliser (5 %), a recloser (3 %) or the feeder breaker (2 %).
//!   Breakers, reclosers and sectionalisers report to SCADA: the fault outage is recorded at
//!   the trip; after 30–60 min the dispatcher isolates the faulted section below the next
//!   switch (nine times in ten, when there is one) and re-supplies the rest (a scope change). Fuses do not report: 2–8 % of the
//!   customers cut call (at least one), and the operator confirms the outage at the fuse
//!   after the second caller or 20 minutes ([`RepairDesk::confirm_outage`], which merges
//!   the tickets dispatched meanwhile). The first crew on site repairs it in 40 min to 5 h.
//! * **Momentary interruptions** (3 a week): a recloser or breaker trips and recloses 1–3
//!   times within 4 minutes, 5–45 s each; one sequence in seven ends in a lockout (a
//!   sustained fault).
//! * **Planned outages** (2 a week): a recloser, sectionaliser, lateral fuse or transformer opened
//!   from 08:00 or 09:00 for 3–8 hours, announced 3–7 days before; one in five opens two
//!   laterals and closes the first an hour early (a partial restoration); one in seven
//!   runs late (the ETR is moved, then restored at the new time). A few customers call
//!   anyway and are answered by the outage.
//! * **Low-voltage repairs** (4 a day): a customer's service drop or LV line; one in twelve
//!   fails again within days (a second dispatch to the same transformer).
//! * **Repeat calls**: 15 % of callers call again 30–90 min later (merged into the master).
//! * Crews: the default three per unit; a call waits for a free crew (retried every 15
//!   min). Callbacks 1–30 h after restoration.
//! * **Call records** of the phone platform: each phone ticket's call (answered after
//!   5–60 s, 90–300 s of talk) and 4 % of calls abandoned in the queue, written to
//!   [`CALL_RECORDS_FILE`] in the data directory.
//!
//! Incidents start up to two days before the end; their follow-ups (repairs, callbacks)
//! finish before it. Writes are not flushed one by one (a bulk load no operator was told
//! about) but every [`BULK_FLUSH_WRITES`](crate::store::BULK_FLUSH_WRITES) writes and at the
//! end.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;
use std::sync::Arc;

use crate::grid::Grid;
use crate::kpi::{day_of, day_text, write_call_records, CallRecord, KpiError, CALL_RECORDS_FILE};
use crate::model::{CustomerId, DeviceRef, ElementRef};
use crate::outage::{
    FaultOutage, FaultSource, Outage, OutageBook, OutageError, OutageId, PlannedOutage,
    ProtectionIndex, ProtectionKind, ProtectiveDevice,
};
use crate::rng::Rng;
use crate::store::{OpenOptions, Store, StoreError, VirtualClock, LOCAL_OFFSET_S};
use crate::workorder::{
    Caller, Channel, Disposition, FaultLevel, RepairCall, RepairDesk, SlaPolicy, Ticket,
    TicketError, TicketId, TicketStatus, TicketStep,
};

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// How a history is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryParams {
    /// Days of history.
    pub days: u32,
    /// Seed: the same seed, end and model give the same history.
    pub seed: u64,
    /// The end of the history, unix seconds (the store's clock stands there afterwards).
    pub end_s: i64,
    /// Sustained faults a day on a normal day, per 100,000 customers.
    pub faults_per_day: f64,
    /// Planned outages a week, per 100,000 customers.
    pub planned_per_week: f64,
    /// Momentary reclosing sequences a week, per 100,000 customers.
    pub momentary_per_week: f64,
    /// Low-voltage repairs a day, per 100,000 customers.
    pub lv_repairs_per_day: f64,
    /// Storm days in a year (scaled to `days`, at least one when `days` ≥ 30).
    pub storm_days_per_year: f64,
}

impl Default for HistoryParams {
    fn default() -> Self {
        HistoryParams {
            days: 365,
            seed: 1,
            end_s: 0,
            faults_per_day: 1.2,
            planned_per_week: 2.0,
            momentary_per_week: 3.0,
            lv_repairs_per_day: 4.0,
            storm_days_per_year: 4.0,
        }
    }
}

/// What a history holds.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct HistorySummary {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Planned outages recorded.
    pub planned_outages: usize,
    /// Sustained fault outages recorded.
    pub fault_outages: usize,
    /// Momentary interruptions recorded (each operation an outage record).
    pub momentary_outages: usize,
    /// The storm days.
    pub storm_days: Vec<String>,
    /// Tickets.
    pub tickets: usize,
    /// Of which dispatched.
    pub dispatched: usize,
    /// Call records written.
    pub call_records: usize,
    /// Steps that could not be done and were left out (the first few reasons in
    /// `skipped_reasons`).
    pub skipped: usize,
    /// Why, for the first few.
    pub skipped_reasons: Vec<String>,
}

/// Why a history could not be written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An outage operation failed unexpectedly.
    #[error(transparent)]
    Outage(#[from] OutageError),
    /// A ticket operation failed unexpectedly.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The call records could not be written (or read back, or the report on them failed,
    /// in [`history_figures`]).
    #[error(transparent)]
    Calls(#[from] KpiError),
    /// The store already holds outages or tickets.
    #[error(
        "{}: the store already holds {outages} outages and {tickets} tickets; a history is \
         written into an empty data directory (choose another --data-dir)",
        .dir.display()
    )]
    NotEmpty {
        /// The data directory.
        dir: std::path::PathBuf,
        /// Outages there.
        outages: usize,
        /// Tickets there.
        tickets: usize,
    },
    /// The parameters or the model cannot give a history.
    #[error("{0}")]
    Invalid(String),
}

/// What happens at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Act {
    PlanRecord(usize),
    PlanEtr(usize),
    PlanPartial(usize),
    PlanRestore(usize),
    PlanCall(usize, CustomerId),
    Momentary(usize),
    FaultTrip(usize),
    FaultCall(usize, CustomerId),
    FaultConfirm(usize),
    FaultIsolate(usize),
    FaultRepaired(usize),
    LvCall(CustomerId, bool),
    Send(TicketId),
    OnSite(TicketId),
    LvRepaired(TicketId),
    Close(TicketId),
    Callback(TicketId),
}

struct Plan {
    zones: Vec<usize>,
    record_s: i64,
    start_s: i64,
    end_s: i64,
    late_s: i64,
    outage: Option<OutageId>,
}

struct Fault {
    zone: usize,
    scada: bool,
    storm: bool,
    repair_min_s: i64,
    outage: Option<OutageId>,
    callers: usize,
    first_call_s: Option<i64>,
    confirm_scheduled: bool,
    repair_scheduled: bool,
    repaired: bool,
    isolate_to: Option<usize>,
}

struct Sim<'a> {
    grid: &'a Grid,
    index: ProtectionIndex,
    clock: Arc<VirtualClock>,
    book: OutageBook,
    desk: RepairDesk,
    rng: Rng,
    queue: BinaryHeap<Reverse<(i64, u64, Act)>>,
    seq: u64,
    plans: Vec<Plan>,
    faults: Vec<Fault>,
    ticket_fault: BTreeMap<TicketId, usize>,
    calls: Vec<CallRecord>,
    summary: HistorySummary,
    /// No new incident (or repeat fault) after this.
    stop_s: i64,
}

const AUTHOR: &str = "sim";
const FAULT_TYPES: [(&str, &str); 6] = [
    ("熔断器熔断", "树障"),
    ("线路断线", "外力破坏"),
    ("绝缘子击穿", "雷击"),
    ("配变烧毁", "过负荷"),
    ("电缆故障", "施工挖断"),
    ("开关故障", "设备老化"),
];
const LV_TYPES: [(&str, &str); 4] = [
    ("低压线路断线", "树障"),
    ("接户线烧断", "过负荷"),
    ("表箱开关跳闸", "设备老化"),
    ("低压熔丝熔断", "过负荷"),
];

fn device_ref(d: ProtectiveDevice) -> DeviceRef {
    match d {
        ProtectiveDevice::Switch(s) => DeviceRef::Element(ElementRef::Switch(s)),
        ProtectiveDevice::Transformer(t) => DeviceRef::Element(ElementRef::Transformer(t)),
        ProtectiveDevice::FeederHead(f) => DeviceRef::Feeder(f),
    }
}

/// A count drawn around a mean (Poisson by inversion for small means, normal otherwise).
fn poisson(rng: &mut Rng, mean: f64) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * rng.normal()).round().max(0.0) as usize;
    }
    let l = (-mean).exp();
    let (mut k, mut p) = (0, 1.0);
    loop {
        p *= rng.f64();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

impl Sim<'_> {
    fn at(&mut self, t_s: i64, act: Act) {
        self.seq += 1;
        self.queue.push(Reverse((t_s, self.seq, act)));
    }

    fn skip(&mut self, what: &str, e: impl std::fmt::Display) {
        self.summary.skipped += 1;
        if self.summary.skipped_reasons.len() < 8 {
            self.summary.skipped_reasons.push(format!("{what}: {e}"));
        }
    }

    fn account(&self, c: CustomerId) -> String {
        self.grid.model.customers[c.index()].account_no.clone()
    }

    fn zone_name(&self, zone: usize) -> String {
        self.index.zones()[zone].device.name(&self.grid.model).to_string()
    }

    fn channel(&mut self) -> Channel {
        let x = self.rng.f64();
        match x {
            x if x < 0.70 => Channel::Phone,
            x if x < 0.85 => Channel::Wechat,
            x if x < 0.95 => Channel::App,
            x if x < 0.99 => Channel::Web,
            _ => Channel::Sms,
        }
    }

    /// A call: the ticket through the desk, the phone platform's record, and the next step.
    fn call(&mut self, c: CustomerId, text: &str) -> Option<Ticket> {
        let channel = self.channel();
        let call = RepairCall {
            caller: Caller::Number(self.account(c)),
            phone: None,
            channel,
            description: text.to_string(),
            author: format!("话务员{:02}", 1 + self.rng.index(12)),
        };
        let now = self.clock_now();
        let outcome = match self.desk.take_call(self.grid, &self.book, call) {
            Ok(o) => o,
            Err(e) => {
                self.skip("a call", e);
                return None;
            }
        };
        let t = outcome.ticket;
        if channel == Channel::Phone {
            let asa = 5 + self.rng.below(56) as i64;
            let talk = 90 + self.rng.below(211) as i64;
            self.calls.push(CallRecord {
                call_id: self.calls.len() as u64 + 1,
                channel,
                offered_s: now - asa - talk / 2,
                answered_s: Some(now - talk / 2),
                ended_s: now + talk - talk / 2,
                agent: format!("A{:02}", 1 + self.rng.index(12)),
                ticket: Some(t.id),
            });
            if self.rng.chance(0.04) {
                let offered = now - self.rng.below(600) as i64;
                self.calls.push(CallRecord {
                    call_id: self.calls.len() as u64 + 1,
                    channel,
                    offered_s: offered,
                    answered_s: None,
                    ended_s: offered + 20 + self.rng.below(100) as i64,
                    agent: String::new(),
                    ticket: None,
                });
            }
        }
        if t.disposition == Disposition::Dispatch {
            let d = now + 2 * MIN + self.rng.below(6 * 60) as i64;
            self.at(d, Act::Send(t.id));
        }
        Some(t)
    }

    fn clock_now(&self) -> i64 {
        use crate::store::Clock;
        self.clock.now_s()
    }

    fn maybe_repeat(&mut self, fault: Option<usize>, c: CustomerId, now: i64) {
        if self.rng.chance(0.15) {
            let t = now + 30 * MIN + self.rng.below(60 * 60) as i64;
            match fault {
                Some(f) => self.at(t, Act::FaultCall(f, c)),
                None => self.at(t, Act::LvCall(c, true)),
            }
        }
    }

    fn run(&mut self, act: Act, now: i64) -> Result<(), HistoryError> {
        let g = self.grid;
        match act {
            Act::PlanRecord(p) => {
                let plan = &self.plans[p];
                let devices: Vec<DeviceRef> =
                    plan.zones.iter().map(|z| device_ref(self.index.zones()[*z].device)).collect();
                let names: Vec<String> = plan.zones.iter().map(|z| self.zone_name(*z)).collect();
                let req = PlannedOutage {
                    devices,
                    start_s: plan.start_s,
                    end_s: plan.end_s,
                    reason: format!("{} 检修", names.join("、")),
                    notice: String::new(),
                    author: "计划专责".into(),
                };
                match self.book.plan(g, req) {
                    Ok(o) => {
                        self.summary.planned_outages += 1;
                        let (start, end, late) = (plan.start_s, plan.end_s, plan.late_s);
                        self.plans[p].outage = Some(o.id);
                        let two = self.plans[p].zones.len() > 1;
                        if two {
                            self.at(end - HOUR, Act::PlanPartial(p));
                        }
                        if late > 0 {
                            self.at(end - 30 * MIN, Act::PlanEtr(p));
                        }
                        let early = if late > 0 { 0 } else { self.rng.below(30 * 60) as i64 };
                        self.at(end + late - early, Act::PlanRestore(p));
                        let customers = o.impact.customers();
                        for _ in 0..self.rng.index(4) {
                            if customers == 0 {
                                break;
                            }
                            let z = self.plans[p].zones[0];
                            let cs = self.index.customers(z);
                            if cs.is_empty() {
                                break;
                            }
                            let c = *self.rng.pick(cs);
                            let t = start + self.rng.below((end - start).max(1) as u64) as i64;
                            self.at(t, Act::PlanCall(p, c));
                        }
                    }
                    Err(e) => self.skip("a planned outage", e),
                }
            }
            Act::PlanEtr(p) => {
                if let Some(id) = self.plans[p].outage {
                    let etr = self.plans[p].end_s + self.plans[p].late_s;
                    if let Err(e) = self.book.change_etr(g, id, etr, "调度员", "检修工作延时")
                    {
                        self.skip("an ETR change", e);
                    }
                }
            }
            Act::PlanPartial(p) => {
                if let Some(id) = self.plans[p].outage {
                    let first = device_ref(self.index.zones()[self.plans[p].zones[0]].device);
                    if let Err(e) =
                        self.book.restore(g, id, &[first], "调度员", "第一段工作完成，先行送电")
                    {
                        self.skip("a partial restoration", e);
                    }
                }
            }
            Act::PlanRestore(p) => {
                if let Some(id) = self.plans[p].outage {
                    if let Err(e) = self.book.restore(g, id, &[], "调度员", "检修完成送电")
                    {
                        self.skip("a restoration", e);
                    }
                }
            }
            Act::PlanCall(_, c) => {
                self.call(c, "家里停电了，什么时候来电？");
            }
            Act::Momentary(z) => {
                let shots = 1 + self.rng.index(3);
                let mut t = now;
                let device = device_ref(self.index.zones()[z].device);
                for k in 0..shots {
                    let dur = 5 + self.rng.below(41) as i64;
                    self.clock.set(t);
                    let f = FaultOutage {
                        device,
                        source: FaultSource::Trip,
                        start_s: Some(t),
                        etr_s: None,
                        reason: "重合闸动作（瞬时故障）".into(),
                        author: "SCADA".into(),
                    };
                    match self.book.report_fault(g, f) {
                        Ok(o) => {
                            self.clock.set(t + dur);
                            self.summary.momentary_outages += 1;
                            if let Err(e) = self.book.restore(g, o.id, &[], "SCADA", "重合成功")
                            {
                                self.skip("a reclosure", e);
                            }
                        }
                        Err(e) => self.skip("a momentary trip", e),
                    }
                    if k + 1 < shots {
                        t += dur + 30 + self.rng.below(90) as i64;
                    } else {
                        t += dur;
                    }
                }
                if self.rng.chance(1.0 / 7.0) {
                    let f = self.new_fault(z, false);
                    self.at(t + MIN, Act::FaultTrip(f));
                }
            }
            Act::FaultTrip(f) => {
                let (zone, scada) = (self.faults[f].zone, self.faults[f].scada);
                let customers: Vec<CustomerId> = self.index.customers(zone).to_vec();
                if scada {
                    let fo = FaultOutage {
                        device: device_ref(self.index.zones()[zone].device),
                        source: FaultSource::Trip,
                        start_s: Some(now),
                        etr_s: Some(now + 4 * HOUR),
                        reason: "保护动作跳闸".into(),
                        author: "SCADA".into(),
                    };
                    match self.book.report_fault(g, fo) {
                        Ok(o) => {
                            self.faults[f].outage = Some(o.id);
                            self.summary.fault_outages += 1;
                        }
                        Err(e) => self.skip("a fault trip", e),
                    }
                    if self.faults[f].isolate_to.is_some() {
                        let t = now + 30 * MIN + self.rng.below(30 * 60) as i64;
                        self.at(t, Act::FaultIsolate(f));
                    }
                }
                if customers.is_empty() {
                    return Ok(());
                }
                let share = self.rng.range_f64(0.02, 0.08);
                let n = ((share * customers.len() as f64).round() as usize).clamp(1, 40);
                let mut cut = customers;
                for i in 0..n.min(cut.len()) {
                    let j = i + self.rng.index(cut.len() - i);
                    cut.swap(i, j);
                    let t = now + MIN + self.rng.below(40 * 60) as i64;
                    self.at(t, Act::FaultCall(f, cut[i]));
                }
                // the earliest the repair can end; and, should no crew of its own reach it
                // (its calls merged into another fault's master), the latest
                let min_s = self.faults[f].repair_min_s;
                self.faults[f].repair_min_s = now + min_s;
                self.at(now + 10 * HOUR, Act::FaultRepaired(f));
            }
            Act::FaultCall(f, c) => {
                if self.faults[f].repaired {
                    return Ok(());
                }
                if let Some(t) = self.call(c, "停电了") {
                    self.ticket_fault.insert(t.id, f);
                    self.maybe_repeat(Some(f), c, now);
                }
                let fault = &mut self.faults[f];
                fault.callers += 1;
                fault.first_call_s.get_or_insert(now);
                if !fault.scada && !fault.confirm_scheduled {
                    let at = if fault.callers >= 2 {
                        Some(now + 2 * MIN)
                    } else {
                        fault.first_call_s.map(|t| t + 20 * MIN)
                    };
                    if let Some(at) = at {
                        fault.confirm_scheduled = true;
                        self.at(at, Act::FaultConfirm(f));
                    }
                }
            }
            Act::FaultConfirm(f) => {
                if self.faults[f].repaired || self.faults[f].outage.is_some() {
                    return Ok(());
                }
                let name = self.zone_name(self.faults[f].zone);
                match self.desk.confirm_outage(
                    g,
                    &mut self.book,
                    &name,
                    &[],
                    "调度员",
                    "故障研判确认",
                ) {
                    Ok(c) => {
                        self.faults[f].outage = Some(c.outage.id);
                        self.summary.fault_outages += 1;
                    }
                    Err(e) => self.skip("confirming an outage", e),
                }
            }
            Act::FaultIsolate(f) => {
                let (Some(id), Some(to)) = (self.faults[f].outage, self.faults[f].isolate_to)
                else {
                    return Ok(());
                };
                if self.faults[f].repaired {
                    return Ok(());
                }
                let add = device_ref(self.index.zones()[to].device);
                let remove = device_ref(self.index.zones()[self.faults[f].zone].device);
                if let Err(e) = self.book.change_scope(
                    g,
                    id,
                    &[add],
                    &[remove],
                    "调度员",
                    "隔离故障区段，恢复非故障区段供电",
                ) {
                    self.skip("isolating a fault", e);
                }
            }
            Act::FaultRepaired(f) => {
                if self.faults[f].repaired {
                    return Ok(());
                }
                self.faults[f].repaired = true;
                if let Some(id) = self.faults[f].outage {
                    let open = self.book.get(id).is_some_and(|o| o.status_at(now).is_open());
                    if open {
                        if let Err(e) = self.book.restore(g, id, &[], "调度员", "故障处理完毕送电")
                        {
                            self.skip("restoring a fault", e);
                        }
                    }
                }
                let (ft, cause) = *self.rng.pick(&FAULT_TYPES);
                let mine: Vec<TicketId> =
                    self.ticket_fault.iter().filter(|(_, x)| **x == f).map(|(t, _)| *t).collect();
                for id in mine {
                    let Ok(t) = self.desk.ticket(id) else { continue };
                    if t.disposition != Disposition::Dispatch || !t.in_flight() {
                        continue;
                    }
                    if t.status == TicketStatus::OnSite {
                        self.finish(id, ft, cause, FaultLevel::MediumVoltage, now)?;
                    } else if let Err(e) =
                        self.desk.step(id, TicketStep::Cancel, "调度员", "故障已由其他班组处理")
                    {
                        self.skip("cancelling a ticket", e);
                    }
                }
            }
            Act::LvCall(c, repeat) => {
                let text = if repeat { "还没有人来修吗？" } else { "家里没电了" };
                if let Some(t) = self.call(c, text) {
                    if !repeat {
                        self.maybe_repeat(None, c, now);
                    }
                    if t.disposition == Disposition::Dispatch
                        && !repeat
                        && self.rng.chance(1.0 / 12.0)
                    {
                        let again = now + DAY + self.rng.below(4 * DAY as u64) as i64;
                        if again < self.stop_s {
                            self.at(again, Act::LvCall(c, false));
                        }
                    }
                }
            }
            Act::Send(id) => {
                let Ok(t) = self.desk.ticket(id) else { return Ok(()) };
                if !matches!(t.status, TicketStatus::Dispatched) {
                    return Ok(());
                }
                match self.desk.send_crew(id, None, "调度员") {
                    Ok((t, _)) => {
                        let eta = t.eta_s.unwrap_or(now + 30 * MIN);
                        let late = self.rng.below(10 * 60) as i64;
                        self.at(eta + late, Act::OnSite(id));
                    }
                    Err(TicketError::NoFreeCrew { .. }) => self.at(now + 15 * MIN, Act::Send(id)),
                    Err(e) => self.skip("sending a crew", e),
                }
            }
            Act::OnSite(id) => {
                let Ok(t) = self.desk.ticket(id) else { return Ok(()) };
                if t.status != TicketStatus::EnRoute {
                    return Ok(());
                }
                if let Err(e) = self.desk.step(id, TicketStep::OnSite, "抢修班", "到达现场")
                {
                    self.skip("arriving on site", e);
                    return Ok(());
                }
                match self.ticket_fault.get(&id).copied() {
                    Some(f) => {
                        if !self.faults[f].repair_scheduled {
                            self.faults[f].repair_scheduled = true;
                            let zone = self.faults[f].zone;
                            let kind = self.index.zones()[zone].kind;
                            let (lo, hi) = match kind {
                                ProtectionKind::TransformerFuse => (40i64, 120i64),
                                ProtectionKind::LateralFuse => (60, 180),
                                _ => (90, 300),
                            };
                            let mut work = (lo + self.rng.below((hi - lo) as u64) as i64) * MIN;
                            if self.faults[f].storm {
                                work *= 2;
                            }
                            let at = (now + work).max(self.faults[f].repair_min_s);
                            self.at(at, Act::FaultRepaired(f));
                        } else if self.faults[f].repaired {
                            let (ft, cause) = *self.rng.pick(&FAULT_TYPES);
                            self.finish(id, ft, cause, FaultLevel::MediumVoltage, now)?;
                        }
                    }
                    None => {
                        let work = (20 + self.rng.below(70) as i64) * MIN;
                        self.at(now + work, Act::LvRepaired(id));
                    }
                }
            }
            Act::LvRepaired(id) => {
                let (ft, cause) = *self.rng.pick(&LV_TYPES);
                self.finish(id, ft, cause, FaultLevel::LowVoltage, now)?;
            }
            Act::Close(id) => {
                if let Err(e) = self.desk.step(id, TicketStep::Closed, "抢修班", "工作完成归档")
                {
                    self.skip("closing a ticket", e);
                    return Ok(());
                }
                let after = HOUR + self.rng.below(29 * 3600) as i64;
                self.at(now + after, Act::Callback(id));
            }
            Act::Callback(id) => {
                let satisfied = self.rng.chance(0.93);
                let note = if satisfied { "满意" } else { "抢修太慢" };
                if let Err(e) = self.desk.step(
                    id,
                    TicketStep::Callback { satisfied, note: note.into() },
                    "回访员",
                    "回访",
                ) {
                    self.skip("a callback", e);
                }
            }
        }
        Ok(())
    }

    /// Diagnosed and restored now; closed 10–40 min later.
    fn finish(
        &mut self,
        id: TicketId,
        fault_type: &str,
        cause: &str,
        level: FaultLevel,
        now: i64,
    ) -> Result<(), HistoryError> {
        let d = TicketStep::Diagnosed {
            fault_type: fault_type.into(),
            cause: cause.into(),
            level,
            etr_s: Some(now),
        };
        if let Err(e) = self.desk.step(id, d, "抢修班", "现场勘查") {
            self.skip("a diagnosis", e);
            return Ok(());
        }
        if let Err(e) = self.desk.step(id, TicketStep::Restored, "抢修班", "恢复送电") {
            self.skip("a ticket restoration", e);
            return Ok(());
        }
        let t = now + 10 * MIN + self.rng.below(30 * 60) as i64;
        self.at(t, Act::Close(id));
        Ok(())
    }

    fn new_fault(&mut self, zone: usize, storm: bool) -> usize {
        let kind = self.index.zones()[zone].kind;
        let scada = !matches!(kind, ProtectionKind::LateralFuse | ProtectionKind::TransformerFuse);
        // isolation: a sectionalising or recloser zone right below, where the fault is
        let zones = self.index.zones();
        let below: Vec<usize> = (0..zones.len())
            .filter(|&z| {
                zones[z].parent == Some(zone)
                    && matches!(
                        zones[z].kind,
                        ProtectionKind::Sectionaliser | ProtectionKind::Recloser
                    )
            })
            .collect();
        let isolate_to = if scada && !below.is_empty() && self.rng.chance(0.9) {
            Some(*self.rng.pick(&below))
        } else {
            None
        };
        self.faults.push(Fault {
            zone,
            scada,
            storm,
            repair_min_s: 45 * MIN,
            outage: None,
            callers: 0,
            first_call_s: None,
            confirm_scheduled: false,
            repair_scheduled: false,
            repaired: false,
            isolate_to,
        });
        self.faults.len() - 1
    }
}

/// Zones of each role with customers, not shadowed.
fn zones_by_kind(index: &ProtectionIndex) -> [Vec<usize>; 5] {
    let mut out: [Vec<usize>; 5] = Default::default();
    for (z, zone) in index.zones().iter().enumerate() {
        if !zone.shadowed && zone.customer_count() > 0 {
            out[zone.kind.index()].push(z);
        }
    }
    out
}

fn pick_zone(rng: &mut Rng, by_kind: &[Vec<usize>; 5], mix: &[f64; 5]) -> Option<usize> {
    let total: f64 =
        (0..5).filter(|k| !by_kind[*k].is_empty()).map(|k| mix[k]).sum::<f64>().max(0.0);
    if total <= 0.0 {
        return None;
    }
    let mut x = rng.f64() * total;
    for k in 0..5 {
        if by_kind[k].is_empty() {
            continue;
        }
        if x < mix[k] {
            return Some(*rng.pick(&by_kind[k]));
        }
        x -= mix[k];
    }
    (0..5).rev().find(|k| !by_kind[*k].is_empty()).map(|k| *rng.pick(&by_kind[k]))
}

/// Writes a history into the (empty) store of `data_dir`, with the phone platform's call
/// records beside it ([`CALL_RECORDS_FILE`]).
pub fn generate_history(
    grid: &Grid,
    data_dir: &Path,
    params: &HistoryParams,
) -> Result<HistorySummary, HistoryError> {
    if params.days == 0 {
        return Err(HistoryError::Invalid("--days must be at least 1".into()));
    }
    let end_s = params.end_s;
    let start_s = end_s - i64::from(params.days) * DAY;
    let clock = Arc::new(VirtualClock::new(start_s - 8 * DAY));
    let options = OpenOptions { clock: clock.clone(), kinds: crate::store_kinds() };
    let store = Arc::new(Store::open_with(&data_dir.join(crate::STORE_DIR), options)?);
    let (outages, tickets) = (store.all::<Outage>()?.len(), store.all::<Ticket>()?.len());
    if outages + tickets > 0 {
        return Err(HistoryError::NotEmpty { dir: data_dir.to_path_buf(), outages, tickets });
    }
    store.set_flush_each_write(false);
    let book = OutageBook::open(store.clone(), grid)?;
    let mut desk = RepairDesk::open(store.clone(), SlaPolicy::default())?;
    desk.ensure_crews(grid, AUTHOR)?;
    let index = ProtectionIndex::build(grid);
    let by_kind = zones_by_kind(&index);
    if by_kind.iter().all(Vec::is_empty) || grid.model.customers.is_empty() {
        return Err(HistoryError::Invalid(
            "the model has no protective device with customers below it".into(),
        ));
    }
    let scale = grid.model.customers.len() as f64 / 100_000.0;
    let mut sim = Sim {
        grid,
        index,
        clock: clock.clone(),
        book,
        desk,
        rng: Rng::new(params.seed),
        queue: BinaryHeap::new(),
        seq: 0,
        plans: Vec::new(),
        faults: Vec::new(),
        ticket_fault: BTreeMap::new(),
        calls: Vec::new(),
        summary: HistorySummary {
            from: day_text(day_of(start_s)),
            to: day_text(day_of(end_s - 1)),
            ..HistorySummary::default()
        },
        stop_s: end_s - 2 * DAY,
    };
    // Storm days: never in the last three days.
    let mut storm_days: Vec<i64> = Vec::new();
    let n_storms = if params.days >= 30 {
        ((params.storm_days_per_year * f64::from(params.days) / 365.0).round() as usize).max(1)
    } else {
        0
    };
    let first_day = day_of(start_s);
    let usable = i64::from(params.days).saturating_sub(3).max(1);
    while storm_days.len() < n_storms.min(usable as usize) {
        let d = first_day + sim.rng.below(usable as u64) as i64;
        if !storm_days.contains(&d) {
            storm_days.push(d);
        }
    }
    storm_days.sort_unstable();
    sim.summary.storm_days = storm_days.iter().map(|d| day_text(*d)).collect();
    let normal_mix = [0.02, 0.03, 0.05, 0.30, 0.60];
    let storm_mix = [0.15, 0.20, 0.15, 0.25, 0.25];
    let midnight = |day: i64| day * DAY - LOCAL_OFFSET_S;
    let last_incident_s = sim.stop_s;
    for day in first_day..first_day + i64::from(params.days) {
        let m0 = midnight(day);
        if m0 >= last_incident_s {
            break;
        }
        let in_time = |t: i64| t < last_incident_s;
        for _ in 0..poisson(&mut sim.rng, params.faults_per_day * scale) {
            let t = m0 + sim.rng.below(DAY as u64) as i64;
            if let Some(z) = pick_zone(&mut sim.rng, &by_kind, &normal_mix).filter(|_| in_time(t)) {
                let f = sim.new_fault(z, false);
                sim.at(t, Act::FaultTrip(f));
            }
        }
        if storm_days.contains(&day) {
            let n = 30 + sim.rng.index(31);
            for _ in 0..((n as f64 * scale.max(0.05)).round() as usize).max(3) {
                let t = m0 + 14 * HOUR + sim.rng.below(8 * HOUR as u64) as i64;
                if let Some(z) =
                    pick_zone(&mut sim.rng, &by_kind, &storm_mix).filter(|_| in_time(t))
                {
                    let f = sim.new_fault(z, true);
                    sim.at(t, Act::FaultTrip(f));
                }
            }
        }
        for _ in 0..poisson(&mut sim.rng, params.momentary_per_week / 7.0 * scale) {
            let t = m0 + sim.rng.below(DAY as u64) as i64;
            let top: [Vec<usize>; 5] =
                [by_kind[0].clone(), by_kind[1].clone(), Vec::new(), Vec::new(), Vec::new()];
            if let Some(z) =
                pick_zone(&mut sim.rng, &top, &[0.3, 0.7, 0.0, 0.0, 0.0]).filter(|_| in_time(t))
            {
                sim.at(t, Act::Momentary(z));
            }
        }
        for _ in 0..poisson(&mut sim.rng, params.planned_per_week / 7.0 * scale) {
            let Some(z) = pick_zone(&mut sim.rng, &by_kind, &[0.0, 0.05, 0.15, 0.40, 0.40]) else {
                continue;
            };
            let start = m0 + (8 + sim.rng.below(2) as i64) * HOUR;
            let end = start + (3 + sim.rng.below(6) as i64) * HOUR;
            if !in_time(start) {
                continue;
            }
            let mut zones = vec![z];
            let kind = sim.index.zones()[z].kind;
            if kind == ProtectionKind::LateralFuse && sim.rng.chance(0.2) {
                let feeder = sim.index.zones()[z].feeder;
                let siblings: Vec<usize> = by_kind[ProtectionKind::LateralFuse.index()]
                    .iter()
                    .copied()
                    .filter(|&o| o != z && sim.index.zones()[o].feeder == feeder)
                    .filter(|&o| !sim.index.nested(o, z))
                    .collect();
                if !siblings.is_empty() {
                    zones.push(*sim.rng.pick(&siblings));
                }
            }
            let late =
                if sim.rng.chance(1.0 / 7.0) { (30 + sim.rng.below(61) as i64) * MIN } else { 0 };
            let record = start - (3 + sim.rng.below(5) as i64) * DAY;
            sim.plans.push(Plan {
                zones,
                record_s: record,
                start_s: start,
                end_s: end,
                late_s: late,
                outage: None,
            });
            let p = sim.plans.len() - 1;
            sim.at(sim.plans[p].record_s, Act::PlanRecord(p));
        }
        for _ in 0..poisson(&mut sim.rng, params.lv_repairs_per_day * scale) {
            let t = m0 + 7 * HOUR + sim.rng.below(15 * HOUR as u64) as i64;
            let c = CustomerId(sim.rng.index(grid.model.customers.len()) as u32);
            if in_time(t) {
                sim.at(t, Act::LvCall(c, false));
            }
        }
    }
    while let Some(Reverse((t, _, act))) = sim.queue.pop() {
        if t >= end_s {
            continue;
        }
        sim.clock.set(t);
        sim.run(act, t)?;
    }
    sim.clock.set(end_s);
    sim.summary.tickets = sim.desk.tickets().count();
    sim.summary.dispatched = sim.desk.tickets().filter(|t| t.times.dispatched_s.is_some()).count();
    sim.calls.sort_by_key(|c| (c.offered_s, c.call_id));
    for (i, c) in sim.calls.iter_mut().enumerate() {
        c.call_id = i as u64 + 1;
    }
    sim.summary.call_records = sim.calls.len();
    write_call_records(&data_dir.join(CALL_RECORDS_FILE), &sim.calls)?;
    let Sim { book, desk, summary, .. } = sim;
    drop(desk);
    store.flush()?;
    drop(store);
    book.close()?;
    Ok(summary)
}

/// Times the KPIs on a simulated year for `gridcare bench`: writes a year of history
/// (`seed`) into a scratch store in `dir` (removed afterwards), then the median of `runs`
/// computations of every table of the report from the interruptions and tickets already
/// read, and of reading them from the store and computing the report.
pub fn history_figures(
    grid: &Grid,
    dir: &Path,
    seed: u64,
    runs: usize,
) -> Result<Vec<crate::bench::Figure>, HistoryError> {
    use crate::kpi::{interruptions_in_store, read_call_records, Period, Report, ReportInput};
    use crate::kpi::{Scope, Territory};
    let _ = std::fs::remove_dir_all(dir);
    let end_s = crate::store::parse_time("2026-12-01 00:00")
        .map_err(|e| HistoryError::Invalid(e.to_string()))?;
    let params = HistoryParams { days: 365, seed, end_s, ..HistoryParams::default() };
    let t = std::time::Instant::now();
    generate_history(grid, dir, &params)?;
    let generate_ns = t.elapsed().as_nanos() as f64;
    let store = crate::open_store(dir)?;
    let calls = read_call_records(&dir.join(CALL_RECORDS_FILE))?;
    let policy = SlaPolicy::default();
    let input = ReportInput {
        grid,
        policy: &policy,
        calls: &calls,
        period: Period::from_dates("2025-12-01", "2026-11-30")?,
        scope: Scope::Area,
        as_of_s: end_s,
    };
    let territory = Territory::new(grid);
    let log = interruptions_in_store(&store, &territory, end_s)?;
    let tickets: Vec<Ticket> = store.all::<Ticket>()?.into_iter().map(|e| e.state).collect();
    let (mut tables, mut full) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        std::hint::black_box(Report::from_parts(&territory, &log, &tickets, &input)?);
        tables.push(t.elapsed().as_nanos() as f64);
        let t = std::time::Instant::now();
        std::hint::black_box(Report::compute(&store, &input)?);
        full.push(t.elapsed().as_nanos() as f64);
    }
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    let fig = |what: String, v: Vec<f64>, samples| crate::bench::Figure {
        what,
        median_ns: crate::bench::median_ns(v),
        samples,
    };
    Ok(vec![
        fig(
            "write a simulated year of history (sim history --days 365)".into(),
            vec![generate_ns],
            1,
        ),
        fig(
            format!(
                "every KPI table of the year ({} interruptions, {} tickets)",
                log.interruptions.len(),
                tickets.len()
            ),
            tables,
            runs.max(1),
        ),
        fig("read the year from the store and compute every KPI table".into(), full, runs.max(1)),
    ])
}
