//! Where the app's writes go: every outage, ticket, prediction and alert change the operator
//! makes is built as an [`Operation`] by its handler (`outages.rs`, `repairs.rs`,
//! `predicted.rs`, `alerts.rs`) and applied here, in one place. Embedded (today) it is
//! [`crate::ops::execute`] on the app's own books — the same function `gridcare serve` applies
//! a workstation's operation with — so connecting the app to a server changes this function
//! alone, not the handlers. (The storm demo writes to the desk directly: it is a simulation
//! of the field, not an operator.)

use crate::ops::{OpDesk, OpError, OpOutcome, Operation};

use super::GridCareApp;

impl GridCareApp {
    /// Applies one operation for `author` to the app's store and says what it did; the error
    /// is the book's or the desk's own (for the handler to say in the operator's language),
    /// or [`OpError::Unavailable`] when the store is not open.
    pub(super) fn run_op(&mut self, op: Operation, author: &str) -> Result<OpOutcome, OpError> {
        let res = &mut self.res;
        let (Some(grid), Some(outages), Some(repairs)) =
            (res.grid.as_deref(), res.outages.as_mut(), res.repairs.as_mut())
        else {
            return Err(OpError::Unavailable("the store of the data directory is not open".into()));
        };
        let mut desk = OpDesk { grid, outages, repairs, alerts: res.alerts.book.as_ref() };
        crate::ops::execute(&mut desk, &op, author)
    }
}
