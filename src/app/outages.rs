//! Outage information in the app (停电信息): the store of the data directory, opened once
//! the grid is loaded and kept as an [`OutageBook`] in the resources (with the repair desk on
//! the same store, see `repairs.rs`); what the map and the wall screen draw from it ([`OutageSnapshot`]: the areas of the open outages, the counts),
//! rebuilt when the book changes rather than every frame; and how the outage commands are
//! applied — each one an [`Operation`] run by `run_op` (`ops_run.rs`: the book's own call,
//! then the change's proactive notices), whose refusal is shown to the operator.
//!
//! A store that cannot be opened (locked by another gridcare process, damaged, written by a
//! newer gridcare) leaves the app running without outage information and with a notice that
//! names the error; the store's own checks make sure nothing is overwritten then.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::grid::Grid;
use crate::model::{DeviceRef, FeederId, LonLat};
use crate::ops::{OpError, Operation};
use crate::outage::{Outage, OutageBook, OutageError, OutageId, OutageKind, OutageStatus};
use crate::store::{OpenOptions, Store};
use crate::workorder::{RepairDesk, SlaPolicy};

use super::command::Command;
use super::i18n::{tr, trf, Lang, T};
use super::layers::{AreaKind, AreaPolygon};
use super::session::{device_position, hull_area, Selection};
use super::view::world_of;
use super::GridCareApp;

/// The store's folder in the data directory (as `gridcare outage` uses it).
pub const STORE_DIR: &str = "store";

/// How often the snapshot is rebuilt even when the book did not change (statuses move with
/// the clock: an announced planned outage becomes active at its start), seconds.
pub const REFRESH_S: i64 = 60;

/// Opens the store of a data directory with every kind the app keeps (outages, repair
/// tickets, crews) and reads its outage book and repair desk for `grid`; a desk with no crews
/// gets the default ones (three per unit). The error is the store's, the book's or the
/// desk's own message (it names the directory and what is wrong).
pub fn open_book(data_dir: &Path, grid: &Grid) -> Result<(OutageBook, RepairDesk), String> {
    let dir = data_dir.join(STORE_DIR);
    // every kind the library keeps (outages, tickets, crews, planning scenarios, …)
    let options = OpenOptions { kinds: crate::store_kinds(), ..OpenOptions::default() };
    let store = Arc::new(Store::open_with(&dir, options).map_err(|e| e.to_string())?);
    open_books_on(store, grid)
}

/// The outage book and repair desk of an open store, for `grid`: the data directory's own
/// store (a desk with no crews gets the default ones), or a workstation's replica of a
/// server's store (read only: the server's store has its crews).
pub fn open_books_on(store: Arc<Store>, grid: &Grid) -> Result<(OutageBook, RepairDesk), String> {
    let replica = store.is_replica();
    let book = OutageBook::open(store.clone(), grid).map_err(|e| e.to_string())?;
    let mut desk = RepairDesk::open(store, SlaPolicy::default()).map_err(|e| e.to_string())?;
    if !replica {
        desk.ensure_crews(grid, "gridcare").map_err(|e| e.to_string())?;
    }
    Ok((book, desk))
}

/// What the map and the wall screen show of the outage book, built when it changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutageSnapshot {
    /// Areas of the open outages (red fault, blue planned), world coordinates.
    pub areas: Vec<AreaPolygon>,
    /// The feeder of each outage's first device (when the grid knows it).
    pub feeders: HashMap<OutageId, FeederId>,
    /// Outages with customers off now (active or partially restored).
    pub active: usize,
    /// Planned outages announced and not started.
    pub announced: usize,
    /// Customers off now in the active outages, each counted once.
    pub customers_off: usize,
    /// When it was built, on the store's clock.
    pub built_s: i64,
}

impl OutageSnapshot {
    /// The snapshot of a book; `previous` lends the feeders it already knows.
    pub fn build(
        book: &OutageBook,
        grid: &Grid,
        lang: Lang,
        previous: &OutageSnapshot,
    ) -> OutageSnapshot {
        let now = book.now_s();
        let mut snap = OutageSnapshot { built_s: now, ..OutageSnapshot::default() };
        let mut off: HashSet<crate::model::CustomerId> = HashSet::new();
        for o in book.list(true) {
            let feeder = previous.feeders.get(&o.id).copied().or_else(|| feeder_of(grid, o));
            if let Some(f) = feeder {
                snap.feeders.insert(o.id, f);
            }
            let status = o.status_at(now);
            if !status.is_open() {
                continue;
            }
            match status {
                OutageStatus::Announced => snap.announced += 1,
                _ => {
                    snap.active += 1;
                    off.extend(book.affected_customers(o.id).iter().copied());
                }
            }
            let customers = book.affected_customers(o.id);
            let kind = match o.kind {
                OutageKind::Fault => AreaKind::Fault,
                OutageKind::Planned => AreaKind::Planned,
            };
            let caption = trf(
                lang,
                T::OutageAreaCaption,
                &[&o.id.to_string(), &o.impact.customers().to_string()],
            );
            snap.areas.extend(hull_area(grid, customers, kind, caption));
        }
        snap.customers_off = off.len();
        snap
    }
}

/// The feeder of an outage's first device.
fn feeder_of(grid: &Grid, o: &Outage) -> Option<FeederId> {
    let d = grid.resolve(o.devices.first()?).ok()?;
    grid.trace(d).feeder
}

/// Where to look at an outage: its polygon, else its first device.
fn outage_points(grid: &Grid, o: &Outage) -> Vec<[f64; 2]> {
    let mut pts: Vec<[f64; 2]> = o.impact.polygon.iter().map(|p| world_of(*p)).collect();
    if pts.is_empty() {
        let at: Option<LonLat> = o
            .devices
            .first()
            .and_then(|n| grid.resolve(n).ok())
            .and_then(|d| device_position(grid, d));
        pts.extend(at.map(world_of));
    }
    pts
}

/// The form fields of the outage commands, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutageForm {
    /// Who records the changes.
    pub author: String,
    /// The cause of a fault to record.
    pub fault_reason: String,
    /// Its ETR as typed (empty: not yet known).
    pub fault_etr: String,
    /// The new ETR of the selected outage, as typed.
    pub new_etr: String,
    /// Why the selected outage changes.
    pub change_reason: String,
    /// The last refusal (the book's, or a time that did not parse).
    pub error: Option<String>,
}

impl GridCareApp {
    /// Rebuilds what is drawn from the book, and the selected outage's trajectory and the
    /// selected customer's coverage.
    pub(super) fn refresh_outages(&mut self) {
        let (Some(grid), Some(book)) = (self.res.grid.as_ref(), self.res.outages.as_ref()) else {
            return;
        };
        self.res.outage_snapshot =
            OutageSnapshot::build(book, grid, self.state.lang, &self.res.outage_snapshot);
        // the wall screen's tour visits the open outages: find them again
        self.session.tour.stops.clear();
        if let Selection::Outage { id, trajectory } = &mut self.session.selection {
            *trajectory = book.trajectory(*id).map_err(|e| e.to_string());
        }
        self.refresh_covering();
    }

    /// The open outages covering the selected customer (the caller's answer).
    pub(super) fn refresh_covering(&mut self) {
        self.session.covering = match (&self.session.selection, self.res.outages.as_ref()) {
            (Selection::Customer { id, .. }, Some(book)) => book.outages_covering(*id),
            _ => Vec::new(),
        };
    }

    /// Rebuilds the snapshot when its statuses may have moved with the clock.
    pub(super) fn refresh_outages_if_stale(&mut self) {
        let stale = self
            .res
            .outages
            .as_ref()
            .is_some_and(|b| b.now_s() - self.res.outage_snapshot.built_s >= REFRESH_S);
        if stale {
            self.refresh_outages();
        }
    }

    /// Applies an outage command: selecting one is read here; a change is built as an
    /// [`Operation`] and applied by [`GridCareApp::run_op`] (the book's own call).
    pub(super) fn apply_outage(&mut self, cmd: Command, ctx: &eframe::egui::Context) {
        let lang = self.state.lang;
        let (Some(grid), Some(book)) = (self.res.grid.as_ref(), self.res.outages.as_ref()) else {
            self.session.outage_form.error = Some(tr(lang, T::StoreUnavailable).to_string());
            return;
        };
        let (op, author) = match cmd {
            Command::SelectOutage(id) => {
                let Some(o) = book.get(id) else {
                    self.session.outage_form.error = Some(OutageError::NotFound(id).to_string());
                    return;
                };
                let pts = outage_points(grid, o);
                let form = &mut self.session.outage_form;
                form.new_etr = o
                    .etr_s
                    .map(|e| crate::store::format_time(e.max(book.now_s()) + 3600))
                    .unwrap_or_else(|| crate::store::format_time(book.now_s() + 2 * 3600));
                form.change_reason.clear();
                form.error = None;
                self.session.selection = Selection::Outage {
                    id,
                    trajectory: book.trajectory(id).map_err(|e| e.to_string()),
                };
                self.session.what_if = None;
                super::session::rebuild_overlay(&mut self.session, grid, &self.res.snapshot, lang);
                if let Some((at, zoom)) = self.view_fitting(pts.into_iter()) {
                    self.fly_to(at, zoom, ctx);
                }
                self.refresh_covering();
                return;
            }
            Command::ReportFault { device, etr_s, reason, author } => {
                let device = grid.model.device_name(device).to_string();
                (Operation::ReportFault { device, etr_s, reason }, author)
            }
            Command::ChangeEtr { outage, etr_s, reason, author } => {
                (Operation::ChangeEtr { outage, etr_s, reason }, author)
            }
            Command::RestoreOutage { outage, reason, author } => {
                (Operation::RestoreOutage { outage, reason }, author)
            }
            Command::CancelOutage { outage, reason, author } => {
                (Operation::CancelOutage { outage, reason }, author)
            }
            _ => return,
        };
        match self.run_op(op, &author) {
            Ok(done) => {
                let form = &mut self.session.outage_form;
                form.fault_reason.clear();
                form.fault_etr.clear();
                self.refresh_outages();
                // show the outage just recorded or changed
                if let Some(id) = done.outage {
                    self.apply_outage(Command::SelectOutage(id), ctx);
                }
                // the change is recorded (and its proactive notices queued, 主动告知); a
                // notice that could not be queued is said
                self.session.outage_form.error = done.notice_error;
            }
            Err(OpError::Outage(OutageError::MissingReason)) => {
                self.session.outage_form.error = Some(tr(lang, T::ReasonRequired).to_string());
            }
            Err(e) => self.session.outage_form.error = Some(e.to_string()),
        }
    }
}

/// Whether a device can be the device of a fault outage (a switch, a line, a transformer,
/// a feeder).
pub fn can_fault(device: DeviceRef) -> bool {
    matches!(device, DeviceRef::Element(_) | DeviceRef::Feeder(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::citygen::{generate_city, CityParams};
    use crate::model::{ElementRef, SwitchKind};
    use crate::outage::{FaultOutage, FaultSource, PlannedOutage};

    fn switches_with_customers(grid: &Grid) -> Vec<DeviceRef> {
        (0..grid.model.switches.len() as u32)
            .map(crate::model::SwitchId)
            .filter(|s| grid.model.switches[s.index()].kind != SwitchKind::Tie)
            .map(|s| DeviceRef::Element(ElementRef::Switch(s)))
            .filter(|d| grid.trace(*d).affected_customers.len() > 5)
            .collect()
    }

    #[test]
    fn overlapping_outages_count_their_customers_once_and_an_announced_one_apart() {
        let grid = Grid::from_model(generate_city(&CityParams { customers: 3000, seed: 1 }));
        let dir = std::env::temp_dir().join(format!("gridcare-app-snap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut book, _desk) = open_book(&dir, &grid).expect("a fresh store opens");
        let devices = switches_with_customers(&grid);
        // a switch and one below it: the lower outage's customers are inside the upper one's
        let (upper, lower) = devices
            .iter()
            .find_map(|d| {
                let below = grid.trace(*d).downstream_switches;
                let lower = devices.iter().find(
                    |l| matches!(l, DeviceRef::Element(ElementRef::Switch(s)) if below.contains(s)),
                )?;
                Some((*d, *lower))
            })
            .expect("nested switches");
        let fault = |device| FaultOutage {
            device,
            source: FaultSource::Trip,
            start_s: None,
            etr_s: None,
            reason: "test".into(),
            author: "t".into(),
        };
        let a = book.report_fault(&grid, fault(upper)).expect("upper");
        book.report_fault(&grid, fault(lower)).expect("lower");
        let far = devices
            .iter()
            .find(|d| {
                let c = &grid.trace(**d).affected_customers;
                !c.iter().any(|x| book.affected_customers(a.id).contains(x))
            })
            .copied()
            .expect("a switch elsewhere");
        let now = book.now_s();
        let plan = PlannedOutage {
            devices: vec![far],
            start_s: now + 86_400,
            end_s: now + 90_000,
            reason: "maintenance".into(),
            notice: String::new(),
            author: "t".into(),
        };
        book.plan(&grid, plan).expect("planned");

        let snap = OutageSnapshot::build(&book, &grid, Lang::En, &OutageSnapshot::default());
        assert_eq!((snap.active, snap.announced), (2, 1));
        assert_eq!(snap.customers_off, a.impact.customers(), "nested customers counted twice");
        let kinds: Vec<AreaKind> = snap.areas.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, vec![AreaKind::Fault, AreaKind::Fault, AreaKind::Planned]);
        assert!(snap.areas[0].caption.starts_with("No. 1 · "));
        assert_eq!(snap.feeders.len(), 3);
        drop((book, _desk));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
