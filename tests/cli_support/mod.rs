//! What the tests that drive the `gridcare` binary share: a scratch data directory and the
//! binary run on it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// An empty scratch directory, unique to this test process and `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridcare-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// Runs the binary with `--data-dir dir` and `args` as planner `li.na`: (success, stdout,
/// stderr).
pub fn gridcare(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gridcare"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("USER", "li.na")
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Its stdout; the test fails with stderr when the command fails.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let (success, out, err) = gridcare(dir, args);
    assert!(success, "gridcare {args:?} failed: {err}");
    out
}

/// `--json` and `args`, parsed.
pub fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &a)).expect("JSON")
}
