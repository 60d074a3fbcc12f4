//! Repair tickets in the app (智能报修): the [`RepairDesk`] kept on the same store as the
//! outage book, what the panels and the map draw of it ([`RepairSnapshot`]: the SLA-ordered
//! queue, every ticket, the crews with their positions, the pins), rebuilt when the desk
//! changes and while crews drive rather than every frame; how the repair commands are
//! applied — each one an [`Operation`] run by `run_op` (`ops_run.rs`: the desk's own call),
//! whose refusal is shown in the operator's language.
//! The storm demo that feeds the desk is in `storm_demo.rs`.

use std::collections::HashMap;

use crate::model::LonLat;
use crate::ops::{OpError, Operation};
use crate::outage::OutageError;
use crate::sim::{crew_position_at, DemoAction};
use crate::store::Recorded;
use crate::workorder::{
    next_due, sla_clocks, CallOutcome, Channel, ClockState, CrewId, CrewStatus, Disposition,
    RepairDesk, SlaClock, SlaPolicy, Ticket, TicketError, TicketEvent, TicketId, TicketStatus,
};

use super::command::Command;
use super::i18n::{ticket_status, tr, trf, Lang, T};
use super::layers::{CrewMark, RepairPin, Urgency};
use super::session::Selection;
use super::view::world_of;
use super::GridCareApp;

/// The snapshot is rebuilt this often while crews move (wall seconds).
pub const MOVING_REFRESH_S: f64 = 0.5;
/// …and this often otherwise, for the SLA clocks (wall seconds).
pub const IDLE_REFRESH_S: f64 = 15.0;

/// Where a ticket stands against its SLA, from one clock: red when overdue or late, amber
/// when running with less than a quarter of its limit left, green otherwise.
pub fn clock_urgency(c: &SlaClock) -> Urgency {
    match c.state {
        ClockState::Overdue { .. } | ClockState::Late { .. } => Urgency::Breached,
        ClockState::Running { left_s } if left_s * 4 < c.limit_s => Urgency::Short,
        _ => Urgency::OnTime,
    }
}

/// A ticket's next due clock and its urgency at `now_s`: the running clock due soonest; for
/// a ticket with none running, breached if any clock was missed, else done (or explained).
pub fn ticket_urgency(t: &Ticket, policy: &SlaPolicy, now_s: i64) -> (Option<SlaClock>, Urgency) {
    if matches!(t.disposition, Disposition::Explained { .. }) {
        return (None, Urgency::Explained);
    }
    if let Some(c) = next_due(t, policy, now_s) {
        return (Some(c), clock_urgency(&c));
    }
    let missed = sla_clocks(t, policy, now_s).iter().any(|c| c.state.is_breached());
    if t.in_flight() {
        return (None, if missed { Urgency::Breached } else { Urgency::OnTime });
    }
    (None, if missed { Urgency::Breached } else { Urgency::Done })
}

/// Finished tickets stay on the map this long after their last step (a day's shifts can
/// still see what was repaired), seconds; older ones are only in the ticket list, so that a
/// year of history does not bury the map in pins.
pub const PIN_KEEP_S: i64 = 24 * 3600;

/// Whether a ticket has a pin on the map at `now_s`: in flight, merged into a master in
/// flight, or finished (restored, closed, called back, cancelled, merged, explained) within
/// [`PIN_KEEP_S`] of its last step.
pub fn pin_on_map(t: &Ticket, master: Option<&Ticket>, now_s: i64) -> bool {
    if t.in_flight() || master.is_some_and(|m| m.in_flight()) {
        return true;
    }
    let times = &t.times;
    let last = [times.restored_s, times.closed_s, times.callback_s, times.cancelled_s]
        .into_iter()
        .flatten()
        .fold(times.created_s, i64::max);
    now_s - last <= PIN_KEEP_S
}

/// One row of the ticket lists.
#[derive(Clone, Debug, PartialEq)]
pub struct TicketRow {
    /// The ticket.
    pub id: TicketId,
    /// Its status.
    pub status: TicketStatus,
    /// Account number, else name, else the address said or pinned.
    pub caller: String,
    /// The feeder's display name.
    pub feeder: String,
    /// The unit it is dispatched to.
    pub unit: String,
    /// The clock due soonest, if one runs.
    pub clock: Option<SlaClock>,
    /// Its colour.
    pub urgency: Urgency,
    /// Calls merged into it (a master), or the master it is merged into.
    pub duplicates: usize,
    /// The master of a merged call.
    pub master: Option<TicketId>,
}

/// One row of the crew list.
#[derive(Clone, Debug, PartialEq)]
pub struct CrewRow {
    /// The crew.
    pub id: CrewId,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// What it is doing.
    pub status: CrewStatus,
    /// The ticket it works on.
    pub ticket: Option<TicketId>,
    /// Where it is now: recorded, or on its way between its start and the site.
    pub pos: LonLat,
}

/// What the panels and the map show of the repair desk, built when it changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepairSnapshot {
    /// The work queue (`desk.queue()`): masters in flight, soonest deadline first.
    pub queue: Vec<TicketRow>,
    /// Every ticket, newest first.
    pub all: Vec<TicketRow>,
    /// Every crew: those on their way first, then on site, then free; by id within each.
    pub crews: Vec<CrewRow>,
    /// The ticket sites on the map.
    pub pins: Vec<RepairPin>,
    /// The crews on the map.
    pub crew_marks: Vec<CrewMark>,
    /// Crews on their way or on site.
    pub in_field: usize,
    /// True when a crew is on its way (its position moves with the clock).
    pub moving: bool,
    /// When it was built, on the store's clock.
    pub built_s: i64,
}

fn row(desk: &RepairDesk, t: &Ticket, now_s: i64) -> TicketRow {
    let (clock, urgency) = ticket_urgency(t, desk.policy(), now_s);
    let s = &t.site;
    let caller = s
        .account
        .clone()
        .or_else(|| (!s.name.is_empty()).then(|| s.name.clone()))
        .unwrap_or_else(|| s.address.clone());
    let feeder = if s.feeder_name.is_empty() {
        s.feeder.clone().unwrap_or_default()
    } else {
        s.feeder_name.clone()
    };
    TicketRow {
        id: t.id,
        status: t.status,
        caller,
        feeder,
        unit: s.unit.clone(),
        clock,
        urgency,
        duplicates: if t.master().is_some() { 0 } else { desk.duplicates_of(t.id).len() },
        master: t.master(),
    }
}

impl RepairSnapshot {
    /// The snapshot of a desk now; `live` are the positions of the crews the storm demo
    /// drives (they win over the estimate from the store's clock).
    pub fn build(desk: &RepairDesk, live: &HashMap<CrewId, LonLat>) -> Self {
        let now = desk.now_s();
        let mut snap = RepairSnapshot { built_s: now, ..RepairSnapshot::default() };
        snap.queue = desk.queue().into_iter().map(|t| row(desk, t, now)).collect();
        let mut urgency_of: HashMap<TicketId, Urgency> = HashMap::new();
        for t in desk.tickets() {
            let r = row(desk, t, now);
            urgency_of.insert(t.id, r.urgency);
            snap.all.push(r);
        }
        snap.all.reverse();
        for t in desk.tickets() {
            let master = t.master().and_then(|m| desk.ticket(m).ok());
            if !pin_on_map(t, master, now) {
                continue;
            }
            let urgency = match t.master() {
                Some(m) => urgency_of.get(&m).copied().unwrap_or(Urgency::Done),
                None => urgency_of.get(&t.id).copied().unwrap_or(Urgency::Done),
            };
            snap.pins.push(RepairPin {
                world: world_of(t.site.pos),
                urgency,
                master: t.disposition == Disposition::Dispatch,
                caption: format!("#{}", t.id),
            });
        }
        for c in desk.crews() {
            let driving = c.status == CrewStatus::EnRoute;
            let pos = match live.get(&c.id) {
                Some(p) => *p,
                None => match (driving, c.from, c.sent_s, c.eta_s, c.ticket) {
                    (true, Some(from), Some(sent), Some(eta), Some(t)) => match desk.ticket(t) {
                        Ok(t) => crew_position_at(from, t.site.pos, sent, eta, now),
                        Err(_) => c.pos,
                    },
                    _ => c.pos,
                },
            };
            snap.moving |= driving;
            if matches!(c.status, CrewStatus::EnRoute | CrewStatus::OnSite) {
                snap.in_field += 1;
            }
            snap.crews.push(CrewRow {
                id: c.id,
                name: c.spec.name.clone(),
                unit: c.spec.unit.clone(),
                status: c.status,
                ticket: c.ticket,
                pos,
            });
            snap.crew_marks.push(CrewMark {
                world: world_of(pos),
                name: c.spec.name.clone(),
                status: c.status,
            });
        }
        // the crews at work first (on their way, then on site), then the free ones
        let order = |s: CrewStatus| match s {
            CrewStatus::EnRoute => 0,
            CrewStatus::OnSite => 1,
            CrewStatus::Available => 2,
            CrewStatus::OffDuty => 3,
        };
        snap.crews.sort_by_key(|c| (order(c.status), c.id));
        snap
    }
}

/// How the new call names the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LookupKind {
    /// An account number or phone.
    #[default]
    Number,
    /// A free-text address.
    Address,
    /// A point pinned on the map.
    Pin,
}

/// The repair forms, as typed: the new call and the steps of the selected ticket.
#[derive(Clone, Debug, PartialEq)]
pub struct RepairForm {
    /// The new-call window is open.
    pub open: bool,
    /// How the caller is looked up.
    pub lookup: LookupKind,
    /// Account or phone.
    pub number: String,
    /// Address as said.
    pub address: String,
    /// How the call came in.
    pub channel: Channel,
    /// What the caller says.
    pub description: String,
    /// The last call taken.
    pub outcome: Option<CallOutcome>,
    /// Why the last call was refused.
    pub error: Option<String>,
    /// Diagnosis: fault type.
    pub fault_type: String,
    /// Diagnosis: cause.
    pub cause: String,
    /// Diagnosis: a 10 kV fault.
    pub mv: bool,
    /// A note with the step (its reason).
    pub note: String,
    /// Callback: the customer is satisfied.
    pub satisfied: bool,
    /// Why the last step was refused.
    pub step_error: Option<String>,
}

impl Default for RepairForm {
    fn default() -> Self {
        RepairForm {
            open: false,
            lookup: LookupKind::Number,
            number: String::new(),
            address: String::new(),
            channel: Channel::Phone,
            description: String::new(),
            outcome: None,
            error: None,
            fault_type: String::new(),
            cause: String::new(),
            mv: false,
            note: String::new(),
            satisfied: true,
            step_error: None,
        }
    }
}

/// A desk's refusal in the operator's language (English: the desk's own message, which
/// names the ticket, crew or caller).
pub fn ticket_error_text(lang: Lang, e: &TicketError, desk: Option<&RepairDesk>) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        TicketError::Caller(OutageError::NotACaller { query }) => {
            trf(lang, T::ErrNotACaller, &[query])
        }
        TicketError::Caller(OutageError::UnknownCaller { query }) => {
            trf(lang, T::ErrUnknownCaller, &[query])
        }
        TicketError::EmptyAddress => tr(lang, T::ErrEmptyAddress).to_string(),
        TicketError::AddressNotFound { text, .. } => trf(lang, T::ErrAddressNotFound, &[text]),
        TicketError::PinOffGrid { radius_m, .. } => {
            trf(lang, T::ErrPinOffGrid, &[&format!("{radius_m:.0}")])
        }
        TicketError::NoFreeCrew { ticket, unit, .. } => {
            trf(lang, T::ErrNoFreeCrew, &[unit, &ticket.to_string()])
        }
        TicketError::Refused { id, message } => {
            let status = desk.and_then(|d| d.ticket(TicketId(*id)).ok()).map(|t| t.status);
            match status {
                Some(s) if s.in_flight() || !message.contains("merged") => {
                    trf(lang, T::ErrRefused, &[&id.to_string(), ticket_status(lang, s)])
                }
                _ => trf(lang, T::ErrMergedTicket, &[&id.to_string()]),
            }
        }
        TicketError::CrewRefused { id, message } => {
            let name = desk
                .and_then(|d| d.crew(CrewId(*id)).ok())
                .map_or_else(|| id.to_string(), |c| c.spec.name.clone());
            trf(lang, T::ErrCrewBusy, &[&name, message])
        }
        e => trf(lang, T::ErrOther, &[&e.to_string()]),
    }
}

/// A refused repair operation in the operator's language: the desk's refusal as
/// [`ticket_error_text`] says it, anything else (the store not open) as it is.
pub fn op_error_text(lang: Lang, e: &OpError, desk: Option<&RepairDesk>) -> String {
    match e {
        OpError::Ticket(e) => ticket_error_text(lang, e, desk),
        e => e.to_string(),
    }
}

impl GridCareApp {
    /// Rebuilds what is drawn of the desk, and the selected ticket's history when it changed.
    pub(super) fn refresh_repairs(&mut self, now_wall_s: f64) {
        let Some(desk) = self.res.repairs.as_ref() else { return };
        let live: HashMap<CrewId, LonLat> = match &self.res.demo {
            Some(run) => run.demo.crew_positions(run.demo_time(now_wall_s)).into_iter().collect(),
            None => HashMap::new(),
        };
        self.res.repair_snapshot = RepairSnapshot::build(desk, &live);
        self.res.repair_built_at = now_wall_s;
        self.refresh_predicted();
        let Some(desk) = self.res.repairs.as_ref() else { return };
        if let Selection::Ticket { id, history, changes, .. } = &mut self.session.selection {
            let now = desk.ticket(*id).map(|t| t.changes).unwrap_or(0);
            if now != *changes {
                *changes = now;
                *history = read_history(desk, *id, self.state.lang);
            }
        }
    }

    /// Rebuilds the snapshot when crews move or the clocks may have moved.
    pub(super) fn refresh_repairs_if_stale(&mut self, now_wall_s: f64) {
        let every = if self.res.repair_snapshot.moving || self.res.demo.is_some() {
            MOVING_REFRESH_S
        } else {
            IDLE_REFRESH_S
        };
        if self.res.repairs.is_some() && now_wall_s - self.res.repair_built_at >= every {
            self.refresh_repairs(now_wall_s);
        }
    }

    /// Applies a repair command: selections are read here, the writes (take a call, send a
    /// crew, record a step) are built as [`Operation`]s for [`GridCareApp::run_op`].
    pub(super) fn apply_repair(&mut self, cmd: Command, ctx: &eframe::egui::Context) {
        let lang = self.state.lang;
        let now_wall = ctx.input(|i| i.time);
        if let Command::SetStormDemo(on) = cmd {
            if self.is_remote() {
                // the demo writes the store directly: a replica refuses that (the button is
                // off; this is for a command from elsewhere)
                let msg = tr(lang, T::StormDemoRemote).to_string();
                if on && !self.session.notices.contains(&msg) {
                    self.session.notices.push(msg);
                }
                return;
            }
            match (&mut self.res.demo, on, self.res.grid.as_ref()) {
                (Some(run), on, _) => {
                    run.demo.set_generating(on);
                    if !on {
                        // the calls not taken yet are not made
                        run.pending.retain(|a| !matches!(a, DemoAction::Call { .. }));
                    }
                }
                (None, true, Some(grid)) if self.res.repairs.is_some() => {
                    let seed = self.res.repairs.as_ref().map_or(1, |d| d.tickets().count() as u64);
                    let index = match &self.res.protection {
                        Some(i) => i.clone(),
                        None => crate::outage::ProtectionIndex::build(grid),
                    };
                    self.res.demo =
                        Some(super::storm_demo::DemoRunner::new(index, seed + 1, now_wall));
                }
                _ => {}
            }
            return;
        }
        if let Command::SelectCrew(id) = cmd {
            self.session.selected_crew = Some(id);
            let at = self.res.repair_snapshot.crews.iter().find(|c| c.id == id).map(|c| c.pos);
            if let Some(at) = at {
                let zoom = self.res.memory.zoom().max(15.0);
                self.fly_to(at, zoom, ctx);
            }
            return;
        }
        let form_err = |s: &mut super::session::Session, e: String| {
            s.repair_form.step_error = Some(e);
        };
        if self.res.grid.is_none() || self.res.repairs.is_none() || self.res.outages.is_none() {
            let msg = tr(lang, T::RepairStoreUnavailable).to_string();
            self.session.repair_form.error = Some(msg.clone());
            form_err(&mut self.session, msg);
            return;
        }
        let selected: Option<TicketId> = match cmd {
            Command::SelectTicket(id) => Some(id),
            Command::TakeCall { caller, channel, description, author } => {
                let op = Operation::TakeCall { caller, channel, description, phone: None };
                match self.run_op(op, &author) {
                    Ok(done) => {
                        let form = &mut self.session.repair_form;
                        form.outcome = done.call;
                        form.error = None;
                        form.number.clear();
                        form.address.clear();
                        form.description.clear();
                        done.ticket
                    }
                    Err(e) => {
                        let text = op_error_text(lang, &e, self.res.repairs.as_ref());
                        self.session.repair_form.outcome = None;
                        self.session.repair_form.error = Some(text);
                        None
                    }
                }
            }
            Command::SendCrew { ticket, crew, author } => {
                match self.run_op(Operation::SendCrew { ticket, crew }, &author) {
                    Ok(_) => Some(ticket),
                    Err(e) => {
                        let text = op_error_text(lang, &e, self.res.repairs.as_ref());
                        form_err(&mut self.session, text);
                        None
                    }
                }
            }
            Command::StepTicket { ticket, step, reason, author } => {
                match self.run_op(Operation::StepTicket { ticket, step, reason }, &author) {
                    Ok(_) => {
                        let f = &mut self.session.repair_form;
                        f.note.clear();
                        f.fault_type.clear();
                        f.cause.clear();
                        Some(ticket)
                    }
                    Err(e) => {
                        let text = op_error_text(lang, &e, self.res.repairs.as_ref());
                        form_err(&mut self.session, text);
                        None
                    }
                }
            }
            _ => None,
        };
        let Some(id) = selected else {
            self.refresh_repairs(now_wall);
            return;
        };
        let Some(desk) = self.res.repairs.as_ref() else { return };
        let Ok(t) = desk.ticket(id) else {
            form_err(&mut self.session, TicketError::NoTicket(id).to_string());
            return;
        };
        let (at, changes) = (t.site.pos, t.changes);
        let moved = !matches!(&self.session.selection, Selection::Ticket { id: s, .. } if *s == id);
        if moved {
            self.session.repair_form.step_error = None;
        }
        self.session.selection =
            Selection::Ticket { id, history: read_history(desk, id, lang), changes, at };
        self.session.what_if = None;
        if let Some(grid) = self.res.grid.as_ref() {
            super::session::rebuild_overlay(&mut self.session, grid, &self.res.snapshot, lang);
        }
        self.refresh_repairs(now_wall);
        self.refresh_covering();
        if moved {
            let zoom = self.res.memory.zoom().max(15.0);
            self.fly_to(at, zoom, ctx);
        }
    }
}

/// A ticket's history, or why it could not be read, in the operator's language.
fn read_history(
    desk: &RepairDesk,
    id: TicketId,
    lang: Lang,
) -> Result<Vec<Recorded<TicketEvent>>, String> {
    desk.history(id).map_err(|e| ticket_error_text(lang, &e, Some(desk)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workorder::testing::urban_lv_ticket;

    #[test]
    fn a_clock_is_amber_under_a_quarter_of_its_limit_and_red_when_missed() {
        let policy = SlaPolicy::default();
        let t = urban_lv_ticket(0);
        // arrival: 45 min in town
        let at = |now| ticket_urgency(&t, &policy, now);
        assert_eq!(at(10 * 60).1, Urgency::OnTime);
        assert_eq!(at(35 * 60).1, Urgency::Short, "10 of 45 min left");
        assert_eq!(at(46 * 60).1, Urgency::Breached);
        assert_eq!(at(46 * 60).0.map(|c| c.step), Some(crate::workorder::SlaStep::Arrival));
    }

    #[test]
    fn a_finished_ticket_leaves_the_map_a_day_after_its_last_step() {
        let mut t = urban_lv_ticket(0);
        assert!(pin_on_map(&t, None, 30 * 24 * 3600), "in flight: on the map however old");
        t.status = TicketStatus::Closed;
        t.times.restored_s = Some(3600);
        t.times.closed_s = Some(2 * 3600);
        assert!(pin_on_map(&t, None, 20 * 3600), "closed 18 h ago");
        assert!(!pin_on_map(&t, None, 2 * 3600 + PIN_KEEP_S + 1), "closed over a day ago");
        // a merged call stays while its master is in flight
        let master = urban_lv_ticket(0);
        t.status = TicketStatus::Merged;
        assert!(pin_on_map(&t, Some(&master), 10 * 24 * 3600));
    }
}
