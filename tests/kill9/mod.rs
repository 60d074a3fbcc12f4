//! What the crash tests share: run the `gridcare` binary on a workload that prints a line
//! per acknowledged write, and kill it with SIGKILL at a chosen moment.
#![allow(dead_code)] // each crash test uses the part it needs

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A fresh scratch directory for one crash test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-crash-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// When to kill a run.
#[derive(Clone, Copy, Debug)]
pub enum KillAt {
    /// This long after it printed its ready line (its model loaded, its store open and the
    /// previous run's half-written operations completed): while it writes.
    AfterReady(Duration),
    /// This long after it started: while it starts, opens and recovers the store, or writes.
    AfterStart(Duration),
}

/// What one run printed and how it ended.
pub struct Run {
    /// Its whole output lines (a line cut by the kill is left out).
    pub lines: Vec<String>,
    /// Whether it was killed (else it ended by itself, successfully).
    pub killed: bool,
    /// From the moment the kill was timed from to the end.
    pub took: Duration,
    /// From the start to its ready line (or to the moment the kill was timed from).
    pub ready_after: Duration,
}

/// Runs `gridcare ARGS --data-dir DIR`, killed at `kill` unless it ends first. `ready` is
/// the prefix of the line it prints when ready ([`KillAt::AfterReady`] waits for it). A run
/// that fails on its own fails the test with its standard error.
pub fn run_and_kill(args: &[&str], data_dir: &Path, ready: &str, kill: KillAt) -> Run {
    let spawned = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridcare"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    let prefix = ready.to_string();
    let out = std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut reader = BufReader::new(stdout);
        loop {
            let mut l = String::new();
            match reader.read_line(&mut l) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if !prefix.is_empty() && l.starts_with(&prefix) {
                        let _ = tx.send(());
                    }
                    lines.push(l);
                }
            }
        }
        lines
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let (start, kill_after) = match kill {
        KillAt::AfterStart(d) => (spawned, d),
        KillAt::AfterReady(d) => {
            // wait for the ready line (or the end, if it failed before)
            let _ = rx.recv_timeout(Duration::from_secs(120));
            (Instant::now(), d)
        }
    };
    let mut killed = false;
    let mut ready_after = Duration::ZERO;
    loop {
        if ready_after.is_zero() && rx.try_recv().is_ok() {
            ready_after = spawned.elapsed();
        }
        if child.try_wait().expect("waitable").is_some() {
            break;
        }
        if start.elapsed() >= kill_after {
            killed = child.kill().is_ok(); // SIGKILL on Unix
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let status = child.wait().expect("waitable");
    let took = start.elapsed();
    let lines = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !killed {
        assert!(status.success(), "gridcare {} failed on its own: {err}", args.join(" "));
    }
    if ready_after.is_zero() {
        ready_after = start.duration_since(spawned);
    }
    // Only whole lines count: the kill may cut the last one.
    let lines = lines.into_iter().filter(|l| l.ends_with('\n')).collect();
    Run { lines, killed, took, ready_after }
}
