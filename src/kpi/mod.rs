//! Key performance indicators (供电可靠性 and 95598 call-centre measures), computed from the
//! store: nothing here is kept, everything is derived from the outage and ticket events.
//!
//! * [`interruptions`]: each stored outage becomes customer interruptions — who lost supply,
//!   from when to when — with partial restoration and scope changes giving each group of
//!   customers its own end; planned or unplanned from the outage's kind; momentary when
//!   shorter than [`MOMENTARY_MAX_S`];
//! * [`scope`]: the period and the customers in scope (the whole area, a district, a
//!   substation or a feeder), and the customers served (N_T);
//! * [`reliability`]: the IEEE 1366 indices SAIFI, SAIDI, CAIDI, CAIFI, CTAIDI, ASAI, MAIFI
//!   and MAIFIe, each a documented formula;
//! * [`med`]: Major Event Days by the 2.5-beta method;
//! * [`callcentre`]: first-call resolution, first-dispatch fix rate, duplicate-dispatch
//!   rate, dispatch accuracy and SLA compliance per step, from the tickets;
//! * [`calls`]: the phone platform's call records (CTI export) for the average handling time;
//! * [`table`]: the tables of a report, printed in the terminal, written as CSV (and read
//!   back) and as a one-page HTML;
//! * [`report`]: every table of `gridcare report` for a period and a scope.

pub mod alerts;
pub mod callcentre;
pub mod calls;
pub mod dashboard;
pub mod interruptions;
pub mod med;
pub mod reliability;
pub mod report;
pub mod scope;
pub mod table;

pub use callcentre::{
    measure_tickets, summarise, CallCentreMeasures, StepCompliance, TicketMeasures, FIX_WINDOW_S,
    REPEAT_CALL_WINDOW_S,
};
pub use calls::{read_call_records, write_call_records, CallRecord, CallStats, CALL_RECORDS_FILE};
pub use dashboard::{last_days, Dashboard, FeederRank};
pub use interruptions::{
    interruptions_in_store, interruptions_of, Interruption, InterruptionLog, MOMENTARY_MAX_S,
};
pub use med::{daily_saidi, major_event_days, med_threshold, DailySaidi, MedThreshold};
pub use reliability::{
    asai, caidi, caifi, ctaidi, maifi, maifie, reliability_indices, saidi, saifi, Basis,
    ReliabilityIndices, MOMENTARY_EVENT_WINDOW_S,
};
pub use report::{Report, ReportInput};
pub use scope::{day_of, day_text, Period, Scope, Selection, Territory};
pub use table::{Cell, Table};

use crate::store::StoreError;

/// Why a KPI could not be computed, or a KPI file read. Each names the input that was wrong.
#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    /// A scope that is not `area`, `district:NAME`, `substation:NAME` or `feeder:NAME`, or
    /// names nothing in the model.
    #[error("scope `{given}`: {why}")]
    Scope {
        /// What was given.
        given: String,
        /// What is wrong, with the names that exist.
        why: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    #[error("`{input}` is not a date: {why} (expected YYYY-MM-DD, e.g. 2026-01-31)")]
    Date {
        /// What was given.
        input: String,
        /// What is wrong.
        why: String,
    },
    /// `--from` after `--to`.
    #[error("the period is empty: --from {from} is after --to {to}")]
    EmptyPeriod {
        /// The first day.
        from: String,
        /// The last day.
        to: String,
    },
    /// A file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A CSV file is not what it should be.
    #[error("{file}, line {line}: {why}")]
    Csv {
        /// The file.
        file: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong, naming the column.
        why: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
