//! `gridcare outbox …` (being built this session; placeholder so main.rs wiring compiles).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;

/// What `gridcare outbox` does.
#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Lists.
    List,
}

/// Runs a `gridcare outbox` command.
pub fn run(
    _model: &Option<PathBuf>,
    _data_dir: Option<&Path>,
    _json: bool,
    _author: &str,
    _action: OutboxCommand,
) -> Result<ExitCode> {
    bail!("gridcare outbox: not built yet")
}
