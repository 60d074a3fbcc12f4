//! `gridcare alert …` (being built this session; placeholder so main.rs wiring compiles).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;

/// What `gridcare alert` does.
#[derive(Subcommand)]
pub enum AlertCommand {
    /// Lists.
    List,
}

/// Runs a `gridcare alert` command.
pub fn run(
    _model: &Option<PathBuf>,
    _data_dir: Option<&Path>,
    _json: bool,
    _author: &str,
    _action: AlertCommand,
) -> Result<ExitCode> {
    bail!("gridcare alert: not built yet")
}
