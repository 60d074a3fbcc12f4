//! The ticket crash test: the `gridcare` binary takes repair calls from random customers of
//! the demo city and advances the tickets in flight (crew sent, on site, restored, closed,
//! callback) through the repair desk, printing each ticket write once the desk returned it;
//! the test kills it with SIGKILL at random moments over many trials, then reopens the
//! store and checks that every acknowledged write is there, that each ticket's state is the
//! fold of its log, and that no ticket or crew is left half-written (a call recorded but not
//! dispatched, a crew held by a ticket that is not waiting for it).
//!
//! One kill in five is aimed at the end of the start-up instead (the store opening, the last
//! kill's half-written operations being completed).
//!
//! `GRIDCARE_TICKET_CRASH_TRIALS` (default 25) and `GRIDCARE_TICKET_CRASH_WRITES` (desk
//! operations per trial, default 200) scale it; `GRIDCARE_CRASH_SEED` picks the kill moments.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod kill9;

use gridcare::rng::Rng;
use gridcare::store::{Aggregate, Recorded};
use gridcare::workorder::stress::TicketAck;
use gridcare::workorder::{
    CrewStatus, Disposition, RepairDesk, SlaPolicy, Ticket, TicketEvent, TicketId, TicketStatus,
};
use kill9::{scratch, KillAt};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One run of `gridcare ticket-stress`, killed at `kill` unless it ends first. Returns the
/// acknowledged writes, whether it was killed, how long its writes took when it was not,
/// the half-written operations its opening completed, and how long it took to be ready.
fn run_and_kill(
    data_dir: &Path,
    writes: u64,
    seed: u64,
    kill: KillAt,
) -> (Vec<TicketAck>, bool, Duration, usize, Duration) {
    let (writes, seed) = (writes.to_string(), seed.to_string());
    let args = ["ticket-stress", "--writes", &writes, "--seed", &seed];
    let r = kill9::run_and_kill(&args, data_dir, "ready", kill);
    // What opening the desk completed of the previous run's half-written operations.
    let recovered =
        r.lines.iter().filter_map(|l| l.strip_prefix("ready ")?.trim().parse::<usize>().ok()).sum();
    let acks = r.lines.iter().filter_map(|l| TicketAck::parse(l.trim_end())).collect();
    (acks, r.killed, r.took, recovered, r.ready_after)
}

/// The ticket as it was after its first `n` events.
fn fold(id: TicketId, events: &[Recorded<TicketEvent>], n: usize) -> Option<Ticket> {
    let mut state = None;
    for e in events.iter().take(n) {
        state = Some(Ticket::apply(id.0, state, e).ok()?);
    }
    state
}

#[test]
fn every_acknowledged_ticket_write_survives_kill_9() {
    let trials = env_or("GRIDCARE_TICKET_CRASH_TRIALS", 25);
    let writes = env_or("GRIDCARE_TICKET_CRASH_WRITES", 200);
    let mut rng = Rng::new(env_or("GRIDCARE_CRASH_SEED", 20_261_206));
    let dir = scratch("tickets");

    // How long the writes of a whole run take here, to spread the kills over them.
    let (mut acks, _, full_run, _, ready) =
        run_and_kill(&dir, writes, 1, KillAt::AfterReady(Duration::from_secs(600)));
    assert!(
        acks.len() as u64 >= writes,
        "an uninterrupted run acknowledges every operation: {} < {writes}",
        acks.len()
    );

    let mut kills = 0;
    let mut recovered = 0;
    let mut during_open = 0;
    for trial in 0..trials {
        // One kill in five lands late in the start-up: while the store opens and the last
        // kill's half-written operations are completed.
        let kill = if trial % 5 == 4 {
            during_open += 1;
            KillAt::AfterStart(ready.mul_f64(rng.range_f64(0.8, 1.0)))
        } else {
            KillAt::AfterReady(full_run.mul_f64(rng.range_f64(0.0, 1.1)))
        };
        let (got, killed, _, r, _) = run_and_kill(&dir, writes, trial + 2, kill);
        kills += usize::from(killed);
        recovered += r;
        acks.extend(got);
    }

    let store = Arc::new(gridcare::open_store(&dir).expect("the store opens after every kill"));
    let desk = RepairDesk::open(store.clone(), SlaPolicy::default()).expect("the desk opens");
    let mut lost = Vec::new();
    for a in &acks {
        let id = TicketId(a.ticket);
        let events = store.events::<Ticket>(id.0).expect("readable");
        let then = fold(id, &events, a.events as usize);
        let ok = events.len() as u64 >= a.events
            && then.is_some_and(|t| t.status.as_str() == a.status && t.changes == a.events);
        if !ok {
            lost.push(a.clone());
        }
    }
    let tickets: Vec<Ticket> = desk.tickets().cloned().collect();
    for t in &tickets {
        let events = store.events::<Ticket>(t.id.0).expect("readable");
        assert_eq!(t.changes, events.len() as u64, "ticket {} = fold of its log", t.id);
        assert_eq!(fold(t.id, &events, events.len()).as_ref(), Some(t), "ticket {}", t.id);
        assert!(
            !(t.status == TicketStatus::New && t.disposition == Disposition::Dispatch),
            "ticket {} was recorded but never dispatched",
            t.id
        );
    }
    for c in desk.crews() {
        if let Some(tid) = c.ticket {
            let t = desk.ticket(tid).expect("the crew's ticket exists");
            assert!(t.in_flight() && t.crew == Some(c.id), "crew {} is held by ticket {tid}", c.id);
            if t.status == TicketStatus::OnSite {
                assert_eq!(c.status, CrewStatus::OnSite, "crew {} on site at {tid}", c.id);
            }
        } else {
            assert!(matches!(c.status, CrewStatus::Available | CrewStatus::OffDuty));
        }
    }
    let max_acked = acks.iter().map(|a| a.ticket).max().unwrap_or(0);
    println!(
        "ticket crash test: {trials} trials ({during_open} aimed at the start-up), {kills} killed \
         with SIGKILL, {} acknowledged ticket writes over {} tickets (highest acknowledged \
         {max_acked}), {} half-written operations completed on reopening, {} lost (the writes of a full run of {writes} operations take \
         {:.0} ms)",
        acks.len(),
        tickets.len(),
        recovered + desk.recovered(),
        lost.len(),
        full_run.as_secs_f64() * 1000.0
    );
    drop(desk);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(lost.is_empty(), "acknowledged ticket writes lost after kill -9: {lost:?}");
}
