//! Deterministic simulation (seeded [`Rng`](crate::rng::Rng)): storms of trouble calls with
//! known causes to measure outage prediction on, and a small sample network for examples.
//!
//! * [`draw_storms`] / [`run_storms`]: faults at protective devices, calls from a share of
//!   the customers cut and a few stray calls; both trouble-call predictors scored on them
//!   (`gridcare sim storm`);
//! * [`sample_grid`]: a few feeders with a breaker, a recloser, fused laterals and
//!   transformers;
//! * [`ieee8500_grid`]: the IEEE 8500-node feeder with its 30 lateral fuses.

mod history;
mod live;
mod report;
mod sample;
mod storm;

use std::path::PathBuf;

pub use history::{generate_history, history_figures, HistoryError, HistoryParams, HistorySummary};
pub use live::{crew_position_at, DemoAction, DemoFault, LiveParams, StormDemo};
pub use report::{run_storms, CheckpointScore, PredictorScore, StormReport, CHECKPOINTS};
pub use sample::{sample_grid, sample_model, SampleFeeders};
pub use storm::{draw_storms, Fault, Storm, StormParams};

use crate::grid::{Grid, GridError};

/// The IEEE 8500-node test feeder's folder, beside the crate (`../shared/data/feeders/ieee8500`
/// from the crate's manifest directory at build time).
pub fn ieee8500_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/feeders/ieee8500")
}

/// Loads the IEEE 8500-node feeder (`Master.dss`) with the fuses of its `Fuses.DSS`, which
/// the master does not load: 30 lateral fuses.
pub fn ieee8500_grid() -> Result<Grid, GridError> {
    let dir = ieee8500_dir();
    let options = crate::import::OpenDssOptions {
        extra_files: vec![dir.join("Fuses.DSS")],
        ..Default::default()
    };
    let model = crate::import::import_opendss(&dir.join("Master.dss"), &options)?;
    Ok(Grid::from_model(model))
}
