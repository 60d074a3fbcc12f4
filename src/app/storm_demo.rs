//! The storm demo (风暴演示) in the app: [`StormDemo`] driven on the loaded grid through the
//! same repair desk the operator uses. Each frame asks the demo what is due at its time (one
//! second on the screen is a minute of the storm) and performs it — calls, crews sent, crews
//! moved, on site, restored — for at most [`DEMO_BUDGET`]; what is left waits for the next
//! frame, so the window never waits for the demo. The store stamps every event with its own
//! clock.
//!
//! The operator works on the same desk meanwhile: confirming a predicted outage merges
//! tickets the demo drives (and releases their crews). Each frame the runner looks for
//! tickets of the demo that became merged and tells the driver ([`StormDemo::ticket_merged`]),
//! which stops the released crew where it is (recorded as a move) and never visits the
//! merged ticket again. When the demo's crew restores the master of a confirmed outage, the
//! demo restores the outage too (its area leaves the map).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::grid::Grid;
use crate::outage::{OutageBook, ProtectionIndex};
use crate::sim::{DemoAction, LiveParams, StormDemo};
use crate::workorder::TicketStatus;
use crate::workorder::{
    Caller, Channel, Disposition, RepairCall, RepairDesk, TicketError, TicketStep,
};

use super::GridCareApp;

/// Who the storm demo records as the author of its calls and steps.
pub const DEMO_AUTHOR: &str = "风暴演示";
/// Demo seconds per wall-clock second: one second on the screen is a minute of the storm.
pub const DEMO_SPEED: f64 = 60.0;
/// The most time a frame spends on the demo's store writes; the rest waits for the next.
pub const DEMO_BUDGET: Duration = Duration::from_millis(25);

/// The storm demo running on the loaded grid.
pub struct DemoRunner {
    /// The driver.
    pub demo: StormDemo,
    /// egui time when it started.
    start_s: f64,
    /// What it asked for and is not done yet.
    pub(super) pending: VecDeque<DemoAction>,
    /// Desk refusals so far (a call from a customer the desk cannot place, a crew busy).
    pub refusals: usize,
}

impl DemoRunner {
    /// A demo on a grid's protective devices (the index the resources keep), starting at
    /// egui time `now_s`.
    pub fn new(index: ProtectionIndex, seed: u64, now_s: f64) -> DemoRunner {
        DemoRunner {
            demo: StormDemo::new(index, LiveParams { seed, ..LiveParams::default() }),
            start_s: now_s,
            pending: VecDeque::new(),
            refusals: 0,
        }
    }

    /// The demo's time at egui time `now_s`.
    pub fn demo_time(&self, now_s: f64) -> i64 {
        ((now_s - self.start_s).max(0.0) * DEMO_SPEED) as i64
    }

    /// Done: not generating and nothing left to do.
    pub fn finished(&self) -> bool {
        self.demo.is_idle() && self.pending.is_empty()
    }
}

/// True when an action is for a ticket the desk merged (it would be refused).
fn action_is_for_merged(a: &DemoAction, desk: &RepairDesk) -> bool {
    let ticket = match a {
        DemoAction::SendCrew { ticket, .. }
        | DemoAction::OnSite { ticket }
        | DemoAction::Restored { ticket } => *ticket,
        DemoAction::Call { .. } | DemoAction::MoveCrew { .. } => return false,
    };
    desk.ticket(ticket).is_ok_and(|t| t.status == TicketStatus::Merged)
}

/// Performs one demo action on the desk and tells the demo what happened.
fn perform(
    action: DemoAction,
    demo: &mut StormDemo,
    desk: &mut RepairDesk,
    book: &mut OutageBook,
    grid: &Grid,
) -> Result<bool, TicketError> {
    match action {
        DemoAction::Call { fault, customer } => {
            let Some(c) = grid.model.customers.get(customer.index()) else { return Ok(false) };
            let call = RepairCall {
                caller: Caller::Number(c.account_no.clone()),
                phone: None,
                channel: Channel::Phone,
                description: "家里停电了".into(),
                author: DEMO_AUTHOR.into(),
            };
            let out = desk.take_call(grid, book, call)?;
            let dispatched = out.decision.disposition == Disposition::Dispatch;
            demo.call_taken(fault, out.ticket.id, dispatched);
        }
        DemoAction::SendCrew { ticket, crew } => {
            // the crew that repaired the fault, else (busy, or none named) the best free one
            let sent = match crew {
                Some(c) => desk
                    .send_crew(ticket, Some(c), DEMO_AUTHOR)
                    .or_else(|_| desk.send_crew(ticket, None, DEMO_AUTHOR)),
                None => desk.send_crew(ticket, None, DEMO_AUTHOR),
            };
            match sent {
                Ok((t, c)) => {
                    let travel_s = t.eta_s.unwrap_or(0) - desk.now_s();
                    demo.crew_sent(ticket, c.id, c.pos, t.site.pos, travel_s);
                }
                Err(e) => {
                    demo.send_failed(ticket);
                    return Err(e);
                }
            }
        }
        DemoAction::MoveCrew { crew, at } => {
            desk.move_crew(crew, at, DEMO_AUTHOR)?;
        }
        DemoAction::OnSite { ticket } => {
            desk.step(ticket, TicketStep::OnSite, DEMO_AUTHOR, "到达现场")?;
        }
        DemoAction::Restored { ticket } => {
            let r = desk.step(ticket, TicketStep::Restored, DEMO_AUTHOR, "故障已排除，恢复送电");
            // the crew is free either way: let the demo send it on
            demo.restored(ticket);
            let t = r?;
            // the master of a confirmed outage restored: so is the outage's supply
            let open = |o| book.get(o).is_some_and(|x| x.status_at(book.now_s()).is_open());
            if let Some(o) = t.outage.filter(|o| open(*o)) {
                book.restore(grid, o, &[], DEMO_AUTHOR, "故障已排除，恢复送电")?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Tells the demo about its tickets that the desk merged since (an operator confirmed an
/// outage that explains them): their crews stop where they are, free, and the demo forgets
/// them. Returns whether any was.
fn forget_merged(demo: &mut StormDemo, desk: &mut RepairDesk) -> Result<bool, TicketError> {
    let merged: Vec<_> = demo
        .tickets_in_play()
        .into_iter()
        .filter_map(|id| desk.ticket(id).ok())
        .filter(|t| t.status == TicketStatus::Merged)
        .map(|t| (t.id, t.master()))
        .collect();
    for &(id, master) in &merged {
        if let Some((crew, at)) = demo.ticket_merged(id, master) {
            desk.move_crew(crew, at, DEMO_AUTHOR)?;
        }
    }
    Ok(!merged.is_empty())
}

impl GridCareApp {
    /// Runs the storm demo for this frame: what is due, within [`DEMO_BUDGET`].
    pub(super) fn run_demo(&mut self, ctx: &eframe::egui::Context) {
        let now = ctx.input(|i| i.time);
        let res = &mut self.res;
        let (Some(run), Some(grid), Some(desk), Some(book)) =
            (res.demo.as_mut(), res.grid.as_ref(), res.repairs.as_mut(), res.outages.as_mut())
        else {
            return;
        };
        let t = run.demo_time(now);
        let mut changed = match forget_merged(&mut run.demo, desk) {
            Ok(any) => any,
            Err(_) => {
                run.refusals += 1;
                true
            }
        };
        // what was asked for a merged ticket is not done
        run.pending.retain(|a| !action_is_for_merged(a, desk));
        let due = run.demo.tick(t);
        run.pending.extend(due);
        let started = Instant::now();
        let mut outages_changed = false;
        while let Some(a) = run.pending.pop_front() {
            match perform(a, &mut run.demo, desk, book, grid) {
                Ok(restored) => outages_changed |= restored,
                Err(_) => run.refusals += 1,
            }
            changed = true;
            if started.elapsed() > DEMO_BUDGET {
                break;
            }
        }
        if run.finished() {
            res.demo = None;
            changed = true;
        }
        if outages_changed {
            self.refresh_outages();
        }
        if changed {
            self.refresh_repairs(now);
        }
        ctx.request_repaint_after(Duration::from_millis(100));
    }
}
