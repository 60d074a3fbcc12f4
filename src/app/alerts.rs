//! Sensitive-word alerts in the app (敏感词预警): the [`AlertBook`] on the store the outage
//! book and the repair desk share (opened once the desk is there, never a second store), the
//! open alerts re-read whenever the store's revision moves — whoever wrote (the channel
//! service, `gridcare alert raise`, this operator) — and the commands that work an alert:
//! acknowledge, assign, resolve with a note. Each is an [`Operation`] run by `run_op`
//! (`ops_run.rs`: the book's own call), so it is recorded with its author and time; a refusal
//! is shown in the pop-up in the operator's language.
//!
//! An open alert nobody has acknowledged pops up (see `alerts_panel.rs`) unless this
//! operator put it off for later; the list of open alerts (most severe first) opens from the
//! top bar's badge.

use std::collections::BTreeSet;

use crate::channels::alert::{Alert, AlertBook, AlertId, AlertStatus};
use crate::ops::Operation;

use super::command::Command;
use super::i18n::{tr, trf, T};
use super::GridCareApp;

/// How often the app looks at the store for alerts written by others while nothing else
/// repaints (seconds).
pub const POLL_S: f64 = 1.0;

/// An operator action on the alerts.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertCommand {
    /// Open or close the list of open alerts.
    ShowList(bool),
    /// Open the pop-up on an alert.
    Show(AlertId),
    /// Close the pop-up; a raised alert put off this way does not pop up again for this
    /// operator (it stays in the list).
    Later(AlertId),
    /// Record that the operator has seen it (`book.acknowledge`).
    Acknowledge {
        /// The alert.
        id: AlertId,
        /// Who.
        author: String,
    },
    /// Hand it to someone (`book.assign`).
    Assign {
        /// The alert.
        id: AlertId,
        /// To whom.
        to: String,
        /// Who assigns it.
        author: String,
    },
    /// Close it with a note saying what was done (`book.resolve`).
    Resolve {
        /// The alert.
        id: AlertId,
        /// What was done (required).
        note: String,
        /// Who resolves it.
        author: String,
    },
}

/// What the app holds of the alerts: the book and what was last read from it.
#[derive(Default)]
pub struct AlertRes {
    /// The alerts of the store (`None` until the store is open, or when it could not be).
    pub book: Option<AlertBook>,
    /// The open alerts, most severe first, then oldest first.
    pub open: Vec<Alert>,
    /// The alert in the pop-up as last read (it may be resolved by now).
    pub shown: Option<Alert>,
    /// Why the alerts could not be read, if they could not.
    pub error: Option<String>,
    /// The store revision the open alerts were read at.
    read_at: Option<u64>,
    /// The store revision and the pop-up's alert `shown` was read at.
    shown_at: Option<(u64, Option<AlertId>)>,
}

/// What the operator is doing with the alerts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertSession {
    /// The list of open alerts is shown.
    pub list_open: bool,
    /// The alert in the pop-up.
    pub popup: Option<AlertId>,
    /// Raised alerts this operator put off for later (they do not pop up again).
    pub later: BTreeSet<AlertId>,
    /// The assign field.
    pub assign_to: String,
    /// The resolution note.
    pub note: String,
    /// What the last step did (`Ok`) or why it was refused (`Err`), in the operator's
    /// language, for the alert it was about.
    pub outcome: Option<(AlertId, Result<String, String>)>,
}

impl AlertSession {
    /// Raised alerts that would pop up, most severe first: open, not acknowledged by anyone,
    /// not put off by this operator.
    pub fn new_alerts<'a>(&'a self, open: &'a [Alert]) -> impl Iterator<Item = &'a Alert> + 'a {
        open.iter().filter(|a| a.status == AlertStatus::Raised && !self.later.contains(&a.id))
    }
}

impl GridCareApp {
    /// The open sensitive-word alerts, most severe first (empty until the store is open).
    pub fn open_alerts(&self) -> &[Alert] {
        &self.res.alerts.open
    }

    /// The alert in the pop-up, if one is shown.
    pub fn alert_popup(&self) -> Option<AlertId> {
        self.session.alerts.popup
    }

    /// Keeps the alerts current; called once a frame before the panels: opens the book on
    /// the desk's store once, re-reads the alerts when the store's revision moved, and pops
    /// up the most severe new alert when the pop-up is free.
    pub(super) fn refresh_alerts(&mut self, ctx: &eframe::egui::Context) {
        let res = &mut self.res.alerts;
        if res.book.is_none() && res.error.is_none() {
            let Some(desk) = &self.res.repairs else { return };
            match AlertBook::open(desk.store().clone()) {
                Ok(book) => res.book = Some(book),
                Err(e) => res.error = Some(e.to_string()),
            }
        }
        let Some(book) = &res.book else { return };
        let s = &mut self.session.alerts;
        let rev = book.store().revision();
        if res.read_at != Some(rev) {
            res.read_at = Some(rev);
            match book.open_alerts() {
                Ok(open) => {
                    res.open = open;
                    res.error = None;
                }
                Err(e) => res.error = Some(e.to_string()),
            }
        }
        if !self.session.wall && s.popup.is_none() {
            let first = s.new_alerts(&res.open).next().map(|a| a.id);
            s.popup = first;
        }
        if res.shown_at != Some((rev, s.popup)) {
            res.shown_at = Some((rev, s.popup));
            res.shown = s.popup.and_then(|id| book.get(id).ok().flatten());
        }
        // alerts written by another thread of this process (the channel service) do not
        // repaint the window: look again in a second
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(POLL_S));
    }

    /// Applies an alert command: each step is an [`Operation`] for [`GridCareApp::run_op`].
    pub(super) fn apply_alert(&mut self, cmd: AlertCommand) {
        let lang = self.state.lang;
        let s = &mut self.session.alerts;
        let (id, op, author, text) = match cmd {
            AlertCommand::ShowList(open) => {
                s.list_open = open;
                return;
            }
            AlertCommand::Show(id) => {
                if s.popup != Some(id) {
                    s.popup = Some(id);
                    s.outcome = None;
                    s.assign_to.clear();
                    s.note.clear();
                }
                return;
            }
            AlertCommand::Later(id) => {
                s.later.insert(id);
                if s.popup == Some(id) {
                    s.popup = None;
                    s.outcome = None;
                    s.assign_to.clear();
                    s.note.clear();
                }
                return;
            }
            AlertCommand::Acknowledge { id, author } => {
                let text = trf(lang, T::AlertAcked, &[&id.to_string()]);
                (id, Operation::AcknowledgeAlert { alert: id }, author, text)
            }
            AlertCommand::Assign { id, to, author } => {
                let to = to.trim().to_string();
                if to.is_empty() {
                    s.outcome = Some((id, Err(tr(lang, T::AlertNeedName).to_string())));
                    return;
                }
                let text = trf(lang, T::AlertAssignedOutcome, &[&id.to_string(), &to]);
                (id, Operation::AssignAlert { alert: id, to }, author, text)
            }
            AlertCommand::Resolve { id, note, author } => {
                let note = note.trim().to_string();
                if note.is_empty() {
                    s.outcome = Some((id, Err(tr(lang, T::AlertNeedNote).to_string())));
                    return;
                }
                let text = trf(lang, T::AlertResolvedOutcome, &[&id.to_string()]);
                (id, Operation::ResolveAlert { alert: id, note }, author, text)
            }
        };
        if self.res.alerts.book.is_none() {
            return;
        }
        let result = self.run_op(op, &author).map(|_| text);
        let s = &mut self.session.alerts;
        match result {
            Ok(text) => {
                s.outcome = Some((id, Ok(text)));
                s.assign_to.clear();
                s.note.clear();
            }
            Err(e) => {
                s.outcome = Some((id, Err(trf(lang, T::AlertRefused, &[&e.to_string()]))));
            }
        }
        // read again next frame (the revision moved, but a refusal does not move it)
        self.res.alerts.read_at = None;
        self.res.alerts.shown_at = None;
    }
}

/// Sends an alert command.
pub(super) fn send(out: &mut Vec<Command>, cmd: AlertCommand) {
    out.push(Command::Alert(cmd));
}
