//! The customer 360 view (客户全景) kept current for the window (`customer360_panel.rs`).
//!
//! [`customer_360`] is called twice, on the same store:
//!
//! * on the UI thread, with the app's outage book, repair desk and alerts (in memory, or a
//!   handful of reads): profile, grid position, outages, tickets, alerts and their timeline
//!   entries — about a millisecond on the demo city;
//! * on a worker thread, with the outbox and the channel service's interactions, which are
//!   read by scanning every message and interaction in the store (`Outbox::all`): the
//!   messages sent and their timeline entries. That scan grows with the outbox — 23,190
//!   queued notices (a planned outage over 18 feeders) took 83 ms on the UI thread, hence
//!   the worker. The worker reads the outages with a book of its own on the same
//!   `Arc<Store>` (the library asks for one) and no repair desk (opening a desk may write).
//!
//! The two are merged (the timeline re-sorted newest first, as the library sorts it) and
//! rebuilt when the store's revision moves, at most once a second while the window is open.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;

use crate::channels::customer360::{customer_360, Customer360, Sources, TimelineEntry};
use crate::channels::outbox::Outbox;
use crate::grid::Grid;
use crate::model::CustomerId;
use crate::outage::OutageBook;
use crate::store::Store;

use super::i18n::{tr, T};
use super::GridCareApp;

/// Rebuilt at most this often while the store keeps changing (seconds).
pub const REBUILD_S: f64 = 1.0;

/// Open or close the customer 360 window.
#[derive(Clone, Debug, PartialEq)]
pub enum Customer360Command {
    /// Show this customer.
    Open(CustomerId),
    /// Close the window.
    Close,
}

/// What the worker reads: the messages sent to the customer and the channel interactions,
/// as the library lists them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FromOutbox {
    /// [`Customer360::messages`].
    pub messages: Vec<(u64, String, String, String, i64)>,
    /// The timeline entries of the messages and interactions.
    pub timeline: Vec<TimelineEntry>,
    /// How long the worker took, milliseconds.
    pub took_ms: f64,
}

type Outcome = Result<FromOutbox, String>;

/// The window's customer and the view last built for them.
#[derive(Default)]
pub struct Customer360Res {
    /// The customer shown (`None`: closed).
    pub customer: Option<CustomerId>,
    /// The view shown (the UI thread's part merged with the worker's), or why it could not
    /// be built.
    pub view: Option<Result<Customer360, String>>,
    /// How long the UI thread's part took, milliseconds.
    pub took_ms: f64,
    /// The worker's last result for the customer.
    pub from_outbox: Option<Result<FromOutbox, String>>,
    /// The UI thread's part, kept to merge the worker's into.
    local: Option<Customer360>,
    /// The customer and store revision the UI thread's part was built from.
    built_from: Option<(CustomerId, u64)>,
    /// egui time of the last build.
    built_s: f64,
    /// The worker's customer and store revision the worker's result came from.
    read_from: Option<(CustomerId, u64)>,
    /// egui time the worker was last started.
    read_s: f64,
    /// The worker in flight: what it reads, and its answer.
    pending: Option<((CustomerId, u64), mpsc::Receiver<Outcome>)>,
}

impl Customer360Res {
    /// Builds again next time whatever the revision (the books were re-opened).
    pub(super) fn invalidate(&mut self) {
        self.built_from = None;
    }

    /// True while the worker reads the outbox.
    pub fn reading(&self) -> bool {
        self.pending.is_some()
    }

    /// The UI thread's part with the worker's merged in.
    fn merge(&mut self) {
        let Some(local) = &self.local else { return };
        let mut v = local.clone();
        if let Some(Ok(r)) = &self.from_outbox {
            v.messages = r.messages.clone();
            v.timeline.extend(r.timeline.iter().cloned());
            v.timeline.sort_by(|a, b| b.time_s.cmp(&a.time_s).then(a.source.cmp(&b.source)));
        }
        self.view = Some(Ok(v));
    }
}

impl GridCareApp {
    /// The customer 360 view shown, once built.
    pub fn customer_360_view(&self) -> Option<&Customer360> {
        self.res.c360.view.as_ref().and_then(|v| v.as_ref().ok())
    }

    /// True while the customer 360 window's worker reads the outbox and interactions.
    pub fn customer_360_reading(&self) -> bool {
        self.res.c360.reading()
    }

    /// Builds the view when the customer or the store changed; called once a frame.
    pub(super) fn refresh_customer360(&mut self, ctx: &egui::Context) {
        let Some(customer) = self.res.c360.customer else { return };
        let Some(grid) = self.res.grid.clone() else { return };
        let lang = self.state.lang;
        let Some(book) = self.res.outages.as_ref() else {
            self.res.c360.view = Some(Err(tr(lang, T::StoreUnavailable).to_string()));
            return;
        };
        let store = book.store().clone();
        let from = (customer, store.revision());
        // the worker's answer
        if let Some((asked, rx)) = &self.res.c360.pending {
            match rx.try_recv() {
                Ok(r) => {
                    let asked = *asked;
                    let res = &mut self.res.c360;
                    res.pending = None;
                    if asked.0 == customer {
                        res.from_outbox = Some(r);
                        res.read_from = Some(asked);
                        res.merge();
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ctx.request_repaint_after(std::time::Duration::from_millis(50));
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    let res = &mut self.res.c360;
                    res.pending = None;
                    res.from_outbox = Some(Err("the worker stopped".into()));
                }
            }
        }
        let res = &self.res.c360;
        let now = ctx.input(|i| i.time);
        let recent =
            res.built_from.is_some_and(|(c, _)| c == customer) && now - res.built_s < REBUILD_S;
        if res.built_from != Some(from) {
            if recent {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(REBUILD_S));
            } else {
                let started = Instant::now();
                let sources = Sources {
                    outages: book,
                    desk: self.res.repairs.as_ref(),
                    outbox: None,
                    alerts: self.res.alerts.book.as_ref(),
                    interactions: Vec::new(),
                };
                let local = customer_360(&grid, customer, sources);
                let res = &mut self.res.c360;
                res.took_ms = started.elapsed().as_secs_f64() * 1e3;
                res.built_from = Some(from);
                res.built_s = now;
                match local {
                    Ok(v) => {
                        res.local = Some(v);
                        res.merge();
                    }
                    Err(e) => {
                        res.local = None;
                        res.view = Some(Err(e.to_string()));
                    }
                }
            }
        }
        // the worker, when the outbox or the interactions may have changed
        let res = &mut self.res.c360;
        let read_recently =
            res.read_from.is_some_and(|(c, _)| c == customer) && now - res.read_s < REBUILD_S;
        if res.pending.is_none() && res.read_from != Some(from) {
            if read_recently {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(REBUILD_S));
            } else {
                res.read_s = now;
                res.pending = Some((from, spawn(grid, store, customer, ctx.clone())));
            }
        }
    }

    /// Opens or closes the window.
    pub(super) fn apply_customer360(&mut self, cmd: Customer360Command) {
        let res = &mut self.res.c360;
        match cmd {
            Customer360Command::Open(c) => {
                if res.customer != Some(c) {
                    *res = Customer360Res { pending: res.pending.take(), ..Default::default() };
                }
                res.customer = Some(c);
                res.built_from = None;
            }
            Customer360Command::Close => {
                *res = Customer360Res::default();
            }
        }
    }
}

/// Reads the messages and interactions of a customer on a worker thread.
fn spawn(
    grid: Arc<Grid>,
    store: Arc<Store>,
    customer: CustomerId,
    ctx: egui::Context,
) -> mpsc::Receiver<Outcome> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let outcome = from_outbox(&grid, store, customer).map(|mut r| {
            r.took_ms = started.elapsed().as_secs_f64() * 1e3;
            r
        });
        let _ = tx.send(outcome);
        ctx.request_repaint();
    });
    rx
}

/// The library's view with the outbox and the interactions only (no desk, no alerts),
/// reduced to what they add.
fn from_outbox(grid: &Grid, store: Arc<Store>, customer: CustomerId) -> Outcome {
    let account = grid
        .model
        .customers
        .get(customer.index())
        .map(|c| c.account_no.clone())
        .unwrap_or_default();
    let book = OutageBook::open(store.clone(), grid).map_err(|e| e.to_string())?;
    let outbox = Outbox::open(store.clone());
    let sources = Sources {
        outages: &book,
        desk: None,
        outbox: Some(&outbox),
        alerts: None,
        interactions: interactions(&store, &account),
    };
    let v = customer_360(grid, customer, sources).map_err(|e| e.to_string())?;
    let timeline = v
        .timeline
        .into_iter()
        .filter(|e| e.source == "message" || e.source == "interaction")
        .collect();
    Ok(FromOutbox { messages: v.messages, timeline, took_ms: 0.0 })
}

/// The channel service's interactions with the customer (messages and status queries and
/// what was answered), as timeline lines.
fn interactions(store: &Store, account: &str) -> Vec<TimelineEntry> {
    crate::channels::customer360::interaction_entries(store, account).unwrap_or_default()
}
