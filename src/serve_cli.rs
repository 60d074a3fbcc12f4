//! `gridcare serve` (being built this session; placeholder so main.rs wiring compiles).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};

/// `gridcare serve` arguments.
#[derive(clap::Args)]
pub struct ServeArgs {}

/// Runs `gridcare serve`.
pub fn run(
    _model: &Option<PathBuf>,
    _data_dir: Option<&Path>,
    _args: ServeArgs,
) -> Result<ExitCode> {
    bail!("gridcare serve: not built yet")
}
