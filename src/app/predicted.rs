//! Predicted outages in the app (故障研判): the outages the repair desk predicts from the
//! calls in flight that no outage explains ([`RepairDesk::predicted_outages`]), kept as a
//! [`PredictedSnapshot`] rebuilt when the desk changes (not every frame), over the
//! [`ProtectionIndex`] the resources build once per grid; their areas for the map; and how
//! the operator's confirm or move is applied (an [`Operation`] run by `run_op`, which calls
//! [`RepairDesk::confirm_outage`]) — the fault outage recorded, its tickets merged into one
//! master — with the desk's refusal in the operator's language. The panel is `predict_panel.rs`.

use crate::grid::Grid;
use crate::model::{DeviceRef, LonLat};
use crate::ops::{OpError, Operation};
use crate::outage::{OutageError, PredictParams, ProtectionIndex, ProtectionKind};
use crate::workorder::{ConfirmedOutage, RepairDesk, TicketError, TicketId};

use super::command::Command;
use super::i18n::{tr, trf, Lang, T};
use super::layers::{AreaKind, AreaPolygon};
use super::repairs::ticket_error_text;
use super::session::{device_position, hull_area};
use super::view::world_of;
use super::GridCareApp;

/// One predicted outage as the panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictedRow {
    /// The device believed open (`fuse.zm01-l01`).
    pub device: String,
    /// Its role.
    pub kind: ProtectionKind,
    /// Distinct callers grouped.
    pub callers: usize,
    /// Customers below the device.
    pub customers_out: usize,
    /// Confidence, 0–1.
    pub confidence: f64,
    /// The first call (unix s).
    pub first_call_s: i64,
    /// The tickets grouped, by call time.
    pub tickets: Vec<TicketId>,
    /// Where to look at it: its area's ring (world), else the device.
    pub view: Vec<[f64; 2]>,
}

/// What the panel and the map show of the predictions, built when the desk changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PredictedSnapshot {
    /// The predictions, by first call.
    pub rows: Vec<PredictedRow>,
    /// Their areas: the hull of the customers below each device.
    pub areas: Vec<AreaPolygon>,
    /// The store revision ([`crate::store::Store::revision`]) it was built from and the
    /// language of the captions: the predictions depend on the tickets alone, and every
    /// ticket write moves the revision.
    built_from: Option<(u64, Lang)>,
}

impl PredictedSnapshot {
    /// Builds again next time whatever the revision (the desk was re-opened on a replica
    /// whose revision an import had moved before the desk read it).
    pub(super) fn invalidate(&mut self) {
        self.built_from = None;
    }

    /// The predictions of a desk now, with their areas (captions in `lang`).
    pub fn build(
        desk: &RepairDesk,
        grid: &Grid,
        index: &ProtectionIndex,
        lang: Lang,
    ) -> PredictedSnapshot {
        let mut snap = PredictedSnapshot {
            built_from: Some((desk.store().revision(), lang)),
            ..PredictedSnapshot::default()
        };
        for p in desk.predicted_outages(grid, index, &PredictParams::default()) {
            let caption =
                trf(lang, T::PredAreaCaption, &[&p.device, &p.prediction.callers.to_string()]);
            let customers = index.customers(p.prediction.zone);
            let area = hull_area(grid, customers, AreaKind::Predicted, caption);
            let view = match &area {
                Some(a) => a.ring.clone(),
                None => grid
                    .resolve(&p.device)
                    .ok()
                    .and_then(|d: DeviceRef| device_position(grid, d))
                    .map(world_of)
                    .into_iter()
                    .collect(),
            };
            snap.areas.extend(area);
            snap.rows.push(PredictedRow {
                device: p.device,
                kind: p.prediction.kind,
                callers: p.prediction.callers,
                customers_out: p.prediction.customers_out,
                confidence: p.prediction.confidence,
                first_call_s: p.prediction.first_call_s as i64,
                tickets: p.tickets,
                view,
            });
        }
        snap
    }
}

/// What a confirm or a move did, as the panel tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictOutcome {
    /// The device the prediction named.
    pub predicted: String,
    /// The device confirmed (the same, or where the operator moved it).
    pub device: String,
    /// The desk's answer: the outage, the master, the merged tickets, those left outside.
    pub confirmed: ConfirmedOutage,
}

/// The predicted-outage form, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PredictForm {
    /// Why the outage is confirmed (every change needs a reason).
    pub reason: String,
    /// The device to move a prediction to, as typed (empty: the device selected on the map).
    pub move_to: String,
    /// The prediction last clicked (its device).
    pub selected: Option<String>,
    /// The last confirm or move.
    pub outcome: Option<PredictOutcome>,
    /// Why the last one was refused.
    pub error: Option<String>,
}

/// A refusal of `confirm_outage` in the operator's language.
pub fn confirm_error_text(lang: Lang, e: &TicketError, desk: Option<&RepairDesk>) -> String {
    match e {
        TicketError::Caller(OutageError::MissingReason) => tr(lang, T::ReasonRequired).into(),
        TicketError::Device(crate::grid::GridError::UnknownDevice { name, .. })
            if lang == Lang::Zh =>
        {
            trf(lang, T::ErrUnknownDevice, &[name])
        }
        TicketError::Refused { id, message } if message.contains("no outage explains") => {
            trf(lang, T::ErrNotOpenCall, &[&id.to_string()])
        }
        e => ticket_error_text(lang, e, desk),
    }
}

impl GridCareApp {
    /// Rebuilds the predictions when the desk changed since they were built (or the
    /// language did: the captions are in it).
    pub(super) fn refresh_predicted(&mut self) {
        let (Some(grid), Some(desk), Some(index)) =
            (self.res.grid.as_ref(), self.res.repairs.as_ref(), self.res.protection.as_ref())
        else {
            return;
        };
        let now = Some((desk.store().revision(), self.state.lang));
        if self.res.predicted.built_from != now {
            self.res.predicted = PredictedSnapshot::build(desk, grid, index, self.state.lang);
        }
    }

    /// Applies a predicted-outage command: fly to one, or confirm one (at its device, or
    /// moved to another).
    pub(super) fn apply_predicted(&mut self, cmd: Command, ctx: &eframe::egui::Context) {
        let lang = self.state.lang;
        match cmd {
            Command::SelectPrediction(device) => {
                let row = self.res.predicted.rows.iter().find(|r| r.device == device);
                let view = row.map(|r| r.view.clone()).unwrap_or_default();
                self.session.predict_form.selected = Some(device);
                if let Some((at, zoom)) = self.view_fitting(view.into_iter()) {
                    let at: LonLat = at;
                    self.fly_to(at, zoom.min(16.0), ctx);
                }
            }
            Command::ConfirmPrediction { predicted, device, tickets, reason, author } => {
                if self.res.grid.is_none()
                    || self.res.repairs.is_none()
                    || self.res.outages.is_none()
                {
                    self.session.predict_form.error =
                        Some(tr(lang, T::RepairStoreUnavailable).to_string());
                    return;
                }
                let op = Operation::ConfirmPrediction { device: device.clone(), tickets, reason };
                match self.run_op(op, &author).map(|done| done.confirmed) {
                    Ok(Some(confirmed)) => {
                        let outage = confirmed.outage.id;
                        let form = &mut self.session.predict_form;
                        form.error = None;
                        form.reason.clear();
                        form.move_to.clear();
                        form.selected = None;
                        form.outcome = Some(PredictOutcome { predicted, device, confirmed });
                        self.refresh_outages();
                        self.refresh_repairs(ctx.input(|i| i.time));
                        // show the outage just recorded: its area, details and trajectory
                        self.apply_outage(Command::SelectOutage(outage), ctx);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let text = match &e {
                            OpError::Ticket(e) => {
                                confirm_error_text(lang, e, self.res.repairs.as_ref())
                            }
                            e => e.to_string(),
                        };
                        let form = &mut self.session.predict_form;
                        form.outcome = None;
                        form.error = Some(text);
                    }
                }
            }
            _ => {}
        }
    }
}
