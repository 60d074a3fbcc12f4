//! Where the app's writes go: every outage, ticket, prediction and alert change the operator
//! makes is built as an [`Operation`] by its handler (`outages.rs`, `repairs.rs`,
//! `predicted.rs`, `alerts.rs`) and applied here, in one place. Embedded it is
//! [`crate::ops::execute`] on the app's own books — the same function `gridcare serve` applies
//! a workstation's operation with; on a server (`--server`) the operation is sent to it and
//! the replica pulled at once (`sync.rs`), so the handlers are the same in both. (The storm
//! demo writes to the desk directly: it is a simulation of the field, not an operator, and
//! does not run on a server.)

use crate::ops::{OpDesk, OpError, OpOutcome, Operation};

use super::GridCareApp;

impl GridCareApp {
    /// Applies one operation for `author` to the app's store, or has the server apply it,
    /// and says what it did; the error is the book's or the desk's own (for the handler to
    /// say in the operator's language), [`OpError::Unavailable`] when the store is not open,
    /// or [`OpError::Remote`] when the server refused it or did not answer.
    pub(super) fn run_op(&mut self, op: Operation, author: &str) -> Result<OpOutcome, OpError> {
        if self.is_remote() {
            return self.run_remote_op(&op, author);
        }
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
