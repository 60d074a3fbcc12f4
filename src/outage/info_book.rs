//! The outage book: every outage of the store in memory (the store's current-state tree, read
//! at open) with an index customer → open outages, updated on each change; the operations a
//! dispatcher performs; and the answer an operator gives a caller: is an outage covering you,
//! which one, when is power back, what changed last.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::history::{trajectory, window_text, OutageEvent, TrajectoryEntry};
use super::info::{
    FaultSource, LatestChange, Lifecycle, Outage, OutageError, OutageId, OutageKind, OutageStatus,
};
use super::info_impact::{affected_by_opening, impact_of, Impact};
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef};
use crate::store::{format_time, Recorded, Store, StoreError};

/// A planned outage to record.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedOutage {
    /// The devices to open (several may be opened together).
    pub devices: Vec<DeviceRef>,
    /// Start of the window, unix seconds.
    pub start_s: i64,
    /// End of the window.
    pub end_s: i64,
    /// Why (检修, 施工, …).
    pub reason: String,
    /// The notice text; empty: one is written from the window and the reason.
    pub notice: String,
    /// Who records it.
    pub author: String,
}

/// A fault outage to record.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultOutage {
    /// The device that tripped, or the predicted one.
    pub device: DeviceRef,
    /// How it was found.
    pub source: FaultSource,
    /// When it tripped (default: now).
    pub start_s: Option<i64>,
    /// Estimated restoration time, if known.
    pub etr_s: Option<i64>,
    /// Why (what is known of the cause).
    pub reason: String,
    /// Who records it.
    pub author: String,
}

/// What an operator tells a caller about one outage covering them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// The outage.
    pub outage: OutageId,
    /// Planned or fault.
    pub kind: OutageKind,
    /// Its status now.
    pub status: OutageStatus,
    /// Start.
    pub start_s: i64,
    /// End of a planned window.
    pub end_s: Option<i64>,
    /// Estimated restoration time.
    pub etr_s: Option<i64>,
    /// True when the ETR has passed without restoration.
    pub overdue: bool,
    /// Why the outage happens.
    pub reason: String,
    /// The notice text.
    pub notice: String,
    /// Its last change.
    pub latest: LatestChange,
}

/// Every outage of a store, with the index customer → open outages.
pub struct OutageBook {
    store: Arc<Store>,
    outages: BTreeMap<OutageId, Outage>,
    /// Customers of each open outage, resolved in the grid.
    affected: HashMap<OutageId, Vec<CustomerId>>,
    by_customer: HashMap<CustomerId, Vec<OutageId>>,
    /// Accounts of each open outage that are not customers of the grid.
    unresolved: HashMap<OutageId, usize>,
}

fn need_reason(reason: &str) -> Result<(), OutageError> {
    if reason.trim().is_empty() {
        Err(OutageError::MissingReason)
    } else {
        Ok(())
    }
}

impl OutageBook {
    /// Reads every outage from the store (replaying any left stale by a crash) and indexes
    /// the customers of the open ones in `grid`, by account number.
    pub fn open(store: Arc<Store>, grid: &Grid) -> Result<OutageBook, OutageError> {
        let mut book = OutageBook {
            store,
            outages: BTreeMap::new(),
            affected: HashMap::new(),
            by_customer: HashMap::new(),
            unresolved: HashMap::new(),
        };
        for e in book.store.all::<Outage>()? {
            book.put(grid, e.state);
        }
        Ok(book)
    }

    /// Re-reads outages `ids` from the store (another process changed them: a workstation's
    /// replica after a pull) and re-indexes their customers; the rest stays as read.
    pub fn reload(
        &mut self,
        grid: &Grid,
        ids: impl IntoIterator<Item = OutageId>,
    ) -> Result<(), OutageError> {
        for id in ids {
            if let Some(e) = self.store.get::<Outage>(id.0)? {
                self.put(grid, e.state);
            }
        }
        Ok(())
    }

    /// The store the book writes to.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Closes the book and, when it held the last handle, the store (reporting errors that
    /// dropping it would hide).
    pub fn close(self) -> Result<(), StoreError> {
        match Arc::try_unwrap(self.store) {
            Ok(store) => store.close(),
            Err(_) => Ok(()),
        }
    }

    /// Now, on the store's clock.
    pub fn now_s(&self) -> i64 {
        self.store.now_s()
    }

    /// Account numbers of open outages that are not customers of the grid the book was
    /// opened with (an outage recorded on another model).
    pub fn unresolved_accounts(&self) -> usize {
        self.unresolved.values().sum()
    }

    /// Files an outage's new state, re-indexes its customers and returns the state.
    fn put(&mut self, grid: &Grid, outage: Outage) -> Outage {
        let id = outage.id;
        for c in self.affected.remove(&id).unwrap_or_default() {
            if let Some(ids) = self.by_customer.get_mut(&c) {
                ids.retain(|o| *o != id);
                if ids.is_empty() {
                    self.by_customer.remove(&c);
                }
            }
        }
        self.unresolved.remove(&id);
        if matches!(outage.lifecycle, Lifecycle::Open | Lifecycle::PartiallyRestored) {
            let mut customers = Vec::with_capacity(outage.impact.accounts.len());
            let mut unresolved = 0;
            for account in &outage.impact.accounts {
                match grid.resolve(account) {
                    Ok(DeviceRef::Customer(c)) => customers.push(c),
                    _ => unresolved += 1,
                }
            }
            if unresolved > 0 {
                self.unresolved.insert(id, unresolved);
            }
            for c in &customers {
                self.by_customer.entry(*c).or_default().push(id);
            }
            self.affected.insert(id, customers);
        }
        self.outages.insert(id, outage.clone());
        outage
    }

    fn outage(&self, id: OutageId) -> Result<&Outage, OutageError> {
        self.outages.get(&id).ok_or(OutageError::NotFound(id))
    }

    fn device_names(grid: &Grid, devices: &[DeviceRef]) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(devices.len());
        for d in devices {
            let n = grid.model.device_name(*d).to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// The impact of opening the named devices, refusing an empty one.
    fn impact_of_names(grid: &Grid, names: &[String]) -> Result<Impact, OutageError> {
        let devices = names.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
        let customers = affected_by_opening(grid, &devices);
        if customers.is_empty() {
            return Err(OutageError::NoCustomers { devices: names.to_vec() });
        }
        Ok(impact_of(grid, &customers))
    }

    fn change(
        &mut self,
        grid: &Grid,
        id: OutageId,
        author: &str,
        reason: &str,
        event: OutageEvent,
    ) -> Result<Outage, OutageError> {
        need_reason(reason)?;
        self.outage(id)?;
        let e = self.store.append::<Outage>(id.0, author, reason, event)?;
        Ok(self.put(grid, e.state))
    }

    /// Records a planned outage: the devices opened together, its window and notice.
    pub fn plan(&mut self, grid: &Grid, plan: PlannedOutage) -> Result<Outage, OutageError> {
        need_reason(&plan.reason)?;
        let devices = Self::device_names(grid, &plan.devices);
        if devices.is_empty() {
            return Err(OutageError::Refused {
                id: None,
                message: "name at least one device".into(),
            });
        }
        let impact = Self::impact_of_names(grid, &devices)?;
        let notice = if plan.notice.trim().is_empty() {
            format!("计划停电 {}：{}", window_text(plan.start_s, plan.end_s), plan.reason.trim())
        } else {
            plan.notice
        };
        let event = OutageEvent::Created {
            kind: OutageKind::Planned,
            source: None,
            devices,
            start_s: plan.start_s,
            end_s: Some(plan.end_s),
            etr_s: Some(plan.end_s),
            notice,
            impact,
        };
        let e = self.store.create::<Outage>(&plan.author, &plan.reason, event)?;
        Ok(self.put(grid, e.state))
    }

    /// Records a fault outage at the device that tripped (or was predicted).
    pub fn report_fault(&mut self, grid: &Grid, fault: FaultOutage) -> Result<Outage, OutageError> {
        need_reason(&fault.reason)?;
        let devices = Self::device_names(grid, &[fault.device]);
        let impact = Self::impact_of_names(grid, &devices)?;
        let start_s = fault.start_s.unwrap_or_else(|| self.now_s());
        let notice = format!(
            "故障停电：{} 起，{}",
            format_time(start_s),
            fault.etr_s.map_or_else(
                || "送电时间待定".to_string(),
                |e| format!("预计 {} 送电", format_time(e))
            )
        );
        let event = OutageEvent::Created {
            kind: OutageKind::Fault,
            source: Some(fault.source),
            devices,
            start_s,
            end_s: None,
            etr_s: fault.etr_s,
            notice,
            impact,
        };
        let e = self.store.create::<Outage>(&fault.author, &fault.reason, event)?;
        Ok(self.put(grid, e.state))
    }

    /// Moves the ETR (a delayed restoration, or sooner).
    pub fn change_etr(
        &mut self,
        grid: &Grid,
        id: OutageId,
        etr_s: i64,
        author: &str,
        reason: &str,
    ) -> Result<Outage, OutageError> {
        self.change(grid, id, author, reason, OutageEvent::EtrChanged { etr_s })
    }

    /// Adds and removes devices; the affected customers are recomputed from the devices
    /// still open.
    pub fn change_scope(
        &mut self,
        grid: &Grid,
        id: OutageId,
        add: &[DeviceRef],
        remove: &[DeviceRef],
        author: &str,
        reason: &str,
    ) -> Result<Outage, OutageError> {
        let o = self.outage(id)?;
        let added = Self::device_names(grid, add);
        let removed = Self::device_names(grid, remove);
        let mut open: Vec<String> =
            o.open_devices.iter().filter(|d| !removed.contains(d)).cloned().collect();
        for d in &added {
            if !open.contains(d) {
                open.push(d.clone());
            }
        }
        let impact =
            if open.is_empty() { Impact::default() } else { Self::impact_of_names(grid, &open)? };
        self.change(grid, id, author, reason, OutageEvent::ScopeChanged { added, removed, impact })
    }

    /// Moves a planned outage's window; the ETR moves with the end unless it was set apart.
    pub fn reschedule(
        &mut self,
        grid: &Grid,
        id: OutageId,
        start_s: i64,
        end_s: i64,
        author: &str,
        reason: &str,
    ) -> Result<Outage, OutageError> {
        let o = self.outage(id)?;
        let etr_s = match (o.etr_s, o.end_s) {
            (Some(etr), Some(end)) if etr != end => etr + (end_s - end),
            _ => end_s,
        };
        self.change(grid, id, author, reason, OutageEvent::Rescheduled { start_s, end_s, etr_s })
    }

    /// Closes devices of an outage: the named ones (a partial restoration while others stay
    /// open), or all of them (`devices` empty, or naming every open device).
    pub fn restore(
        &mut self,
        grid: &Grid,
        id: OutageId,
        devices: &[DeviceRef],
        author: &str,
        reason: &str,
    ) -> Result<Outage, OutageError> {
        let o = self.outage(id)?;
        let closing = if devices.is_empty() {
            o.open_devices.clone()
        } else {
            Self::device_names(grid, devices)
        };
        let remaining: Vec<String> =
            o.open_devices.iter().filter(|d| !closing.contains(d)).cloned().collect();
        let unknown = closing.iter().any(|d| !o.open_devices.contains(d));
        let event = if remaining.is_empty() && !unknown {
            OutageEvent::Restored { devices: closing }
        } else {
            let impact = if remaining.is_empty() {
                Impact::default()
            } else {
                let devices =
                    remaining.iter().map(|n| grid.resolve(n)).collect::<Result<Vec<_>, _>>()?;
                impact_of(grid, &affected_by_opening(grid, &devices))
            };
            OutageEvent::PartiallyRestored { devices: closing, impact }
        };
        self.change(grid, id, author, reason, event)
    }

    /// Calls an outage off.
    pub fn cancel(
        &mut self,
        grid: &Grid,
        id: OutageId,
        author: &str,
        reason: &str,
    ) -> Result<Outage, OutageError> {
        self.change(grid, id, author, reason, OutageEvent::Cancelled)
    }

    /// An outage.
    pub fn get(&self, id: OutageId) -> Option<&Outage> {
        self.outages.get(&id)
    }

    /// The outages, by id: the open ones, or all.
    pub fn list(&self, include_closed: bool) -> Vec<&Outage> {
        let now = self.now_s();
        self.outages.values().filter(|o| include_closed || o.status_at(now).is_open()).collect()
    }

    /// The customers of an open outage, in the grid the book was opened with.
    pub fn affected_customers(&self, id: OutageId) -> &[CustomerId] {
        self.affected.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The change trajectory (变更轨迹) of an outage, oldest first.
    pub fn trajectory(&self, id: OutageId) -> Result<Vec<TrajectoryEntry>, OutageError> {
        Ok(self.history(id)?.1)
    }

    /// An outage's events as the log keeps them, with its trajectory (one read of the log).
    pub fn history(
        &self,
        id: OutageId,
    ) -> Result<(Vec<Recorded<OutageEvent>>, Vec<TrajectoryEntry>), OutageError> {
        self.outage(id)?;
        let events = self.store.events::<Outage>(id.0)?;
        let entries = trajectory(id, &events)
            .map_err(|message| OutageError::Refused { id: Some(id), message })?;
        Ok((events, entries))
    }

    /// The open outages covering a customer (active first, then announced by start), each
    /// with its ETR and latest change: the answer to a caller.
    pub fn outages_covering(&self, customer: CustomerId) -> Vec<Coverage> {
        let now = self.now_s();
        let mut out: Vec<Coverage> = self
            .by_customer
            .get(&customer)
            .into_iter()
            .flatten()
            .filter_map(|id| self.outages.get(id))
            .map(|o| Coverage {
                outage: o.id,
                kind: o.kind,
                status: o.status_at(now),
                start_s: o.start_s,
                end_s: o.end_s,
                etr_s: o.etr_s,
                overdue: o.etr_s.is_some_and(|e| now > e),
                reason: o.reason.clone(),
                notice: o.notice.clone(),
                latest: o.latest.clone(),
            })
            .filter(|c| c.status.is_open())
            .collect();
        out.sort_by_key(|c| (c.status, c.start_s, c.outage));
        out
    }
}
