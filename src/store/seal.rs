//! The files around sled: the manifest (schema version, read before sled is touched), the
//! seal (what the sled files looked like at the last clean close, and how many events were
//! durable), the lock, and the check of a scratch copy when the seal does not match.

use std::fs::{self, File, OpenOptions};
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::log::{check_event, parse_event_key, KindCheck};
use super::{StoreError, META_SCHEMA, SCHEMA_VERSION};

/// The manifest file.
pub(super) const MANIFEST: &str = "store.json";
/// The seal file.
const SEAL: &str = "seal.json";
/// The lock file.
const LOCK: &str = "LOCK";
/// sled's directory.
pub(super) const SLED_DIR: &str = "sled";
/// Scratch copies made to check damaged files are named `.check-<pid>-<nanos>`.
const SCRATCH_PREFIX: &str = ".check-";
/// The `format` of a manifest.
const FORMAT: &str = "gridcare-store";

/// `store.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Manifest {
    /// Always `gridcare-store`.
    pub format: String,
    /// The schema version of the keys and values.
    pub schema_version: u32,
    /// The program that created the store.
    #[serde(default)]
    pub created_by: String,
}

/// `seal.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Seal {
    /// True when written by a clean close: the files below are exactly as sled left them.
    pub clean: bool,
    /// Events durable in the store (a lower bound: an open store may have more).
    pub events: u64,
    /// sled's files at the clean close.
    pub files: Vec<FilePrint>,
}

/// One of sled's files: its path below `sled/`, its length and a hash of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct FilePrint {
    pub path: String,
    pub len: u64,
    pub hash: String,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

fn corrupt(dir: &Path, what: String) -> StoreError {
    StoreError::Corrupt { path: dir.to_path_buf(), what }
}

/// The manifest, `None` when there is none. A newer schema is an error here, before any file
/// of the store is opened for writing.
pub(super) fn read_manifest(dir: &Path) -> Result<Option<Manifest>, StoreError> {
    let path = dir.join(MANIFEST);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&path)(e)),
    };
    let m: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| corrupt(dir, format!("{MANIFEST} is not a store manifest: {e}")))?;
    if m.format != FORMAT {
        return Err(corrupt(dir, format!("{MANIFEST} has format `{}`, not `{FORMAT}`", m.format)));
    }
    if m.schema_version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: dir.to_path_buf(),
            found: m.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    if m.schema_version == 0 {
        return Err(corrupt(dir, format!("{MANIFEST} has schema version 0")));
    }
    Ok(Some(m))
}

/// Writes a file so that it is either the old or the new one after a crash.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &path)?;
        File::open(dir)?.sync_all()
    };
    write().map_err(io_error(&path))
}

/// Writes the manifest of a new store.
pub(super) fn write_manifest(dir: &Path) -> Result<(), StoreError> {
    let m = Manifest {
        format: FORMAT.into(),
        schema_version: SCHEMA_VERSION,
        created_by: format!("gridcare {}", env!("CARGO_PKG_VERSION")),
    };
    let bytes = serde_json::to_vec_pretty(&m).unwrap_or_default();
    write_atomically(dir, MANIFEST, &bytes)
}

/// The seal, `None` when missing or unreadable (then the files are checked).
pub(super) fn read_seal(dir: &Path) -> Option<Seal> {
    serde_json::from_slice(&fs::read(dir.join(SEAL)).ok()?).ok()
}

/// Writes the seal.
pub(super) fn write_seal(dir: &Path, seal: &Seal) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(seal).unwrap_or_default();
    write_atomically(dir, SEAL, &bytes)
}

/// Takes the store's lock, held until the file is closed.
pub(super) fn lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK);
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(StoreError::Locked { path: dir.to_path_buf() })
        }
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path)(e)),
    }
}

/// Removes scratch copies left by a check that was killed or timed out.
pub(super) fn remove_scratch_copies(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) && e.path().is_dir() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// How sled is configured for a store (or a scratch copy of one).
pub(super) fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new().path(path).cache_capacity(64 << 20)
}

/// Every regular file below `root`, as paths relative to it with `/`, sorted.
fn files_below(root: &Path) -> Result<Vec<(String, PathBuf)>, StoreError> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).map_err(io_error(&d))? {
            let e = e.map_err(io_error(&d))?;
            let p = e.path();
            let ft = e.file_type().map_err(io_error(&p))?;
            if ft.is_dir() {
                dirs.push(p);
            } else if ft.is_file() {
                let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                out.push((rel, p));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Length and hash of a file's bytes (FxHash of 64 KiB blocks: finds a changed byte, not an
/// attacker).
fn hash_file(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut f = File::open(path)?;
    let mut h = rustc_hash::FxHasher::default();
    let mut buf = vec![0u8; 64 << 10];
    let mut len = 0u64;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match f.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            break;
        }
        h.write(&buf[..filled]);
        len += filled as u64;
        if filled < buf.len() {
            break;
        }
    }
    h.write_u64(len);
    Ok((len, h.finish()))
}

/// The sizes and hashes of sled's files.
pub(super) fn fingerprint(sled_dir: &Path) -> Result<Vec<FilePrint>, StoreError> {
    let mut out = Vec::new();
    for (rel, p) in files_below(sled_dir)? {
        let (len, hash) = hash_file(&p).map_err(io_error(&p))?;
        out.push(FilePrint { path: rel, len, hash: format!("{hash:016x}") });
    }
    Ok(out)
}

/// What a scratch copy held.
pub(super) struct Checked {
    /// Events in its log.
    pub events: u64,
}

/// What reading a copy found, or what is wrong with it.
struct CopyReport {
    events: u64,
    schema: Option<String>,
}

fn read_copy(copy: &Path, kinds: &[KindCheck]) -> Result<CopyReport, String> {
    let db = sled_config(copy).open().map_err(|e| format!("sled cannot open the files: {e}"))?;
    let meta = db.open_tree("meta").map_err(|e| format!("sled cannot read the meta tree: {e}"))?;
    let events = db.open_tree("events").map_err(|e| format!("sled cannot read the log: {e}"))?;
    let schema = meta
        .get(META_SCHEMA)
        .map_err(|e| format!("sled cannot read the meta tree: {e}"))?
        .map(|v| String::from_utf8_lossy(&v).into_owned());
    let mut n = 0u64;
    // Iterate and stop at the first error: sled 0.34's `Tree::len` retries a damaged page forever.
    for kv in events.iter() {
        let (k, v) = kv.map_err(|e| format!("sled cannot read the event log: {e}"))?;
        let (kind, id, seq) = parse_event_key(&k).ok_or_else(|| {
            format!("the event log holds a key that is not (kind, id, seq): {k:?}")
        })?;
        check_event(kinds, kind, id, seq, &v)?;
        n += 1;
    }
    Ok(CopyReport { events: n, schema })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// sled's snapshots that a killed process left half written.
///
/// sled 0.34.7 writes a snapshot to `snap.<lsn>.generating` and renames it to `snap.<lsn>`
/// when complete, but on open it takes the highest `snap.*` name, `.generating` included:
/// a kill while a snapshot is written leaves a store that sled refuses ("Read corrupted
/// data") although the previous snapshot and the log are intact. The crash test found this.
/// Such a file is never part of the store's state (the rename is the commit), so the check
/// leaves it out of its copy and, when the copy checks out, `Store::open` removes it.
pub(super) fn unfinished_snapshots(sled_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(sled_dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("snap.") && name.ends_with(".generating")
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) -> Result<u64, StoreError> {
    let unfinished = unfinished_snapshots(from);
    let mut bytes = 0;
    for (rel, p) in files_below(from)? {
        if unfinished.contains(&p) {
            continue;
        }
        let dest = to.join(&rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        bytes += fs::copy(&p, &dest).map_err(io_error(&p))?;
    }
    fs::create_dir_all(to.join("blobs")).map_err(io_error(to))?;
    Ok(bytes)
}

/// Opens a scratch copy of `dir/sled` with sled and reads every event, without touching the
/// real files; checks the schema version against the manifest and that no event known to
/// be durable (`watermark`) is missing. A hang (sled can spin on damaged files) is cut
/// after a timeout; a panic is caught.
pub(super) fn check_copy(
    dir: &Path,
    manifest: Option<&Manifest>,
    watermark: u64,
    kinds: &[KindCheck],
) -> Result<Checked, StoreError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch = dir.join(format!("{SCRATCH_PREFIX}{}-{nanos}", std::process::id()));
    let bytes = match copy_dir(&dir.join(SLED_DIR), &scratch) {
        Ok(b) => b,
        Err(e) => {
            let _ = fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };
    let timeout_s = 60 + bytes / (20 << 20);
    let (tx, rx) = mpsc::channel();
    let copy = scratch.clone();
    let kinds = kinds.to_vec();
    let spawned = std::thread::Builder::new().name("store-check".into()).spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_copy(&copy, &kinds)));
        let r = r.unwrap_or_else(|p| {
            Err(format!("sled panicked reading the files ({})", panic_message(p.as_ref())))
        });
        let _ = tx.send(r);
    });
    if let Err(e) = spawned {
        let _ = fs::remove_dir_all(&scratch);
        return Err(io_error(dir)(e));
    }
    let report = match rx.recv_timeout(Duration::from_secs(timeout_s)) {
        Ok(r) => {
            let _ = fs::remove_dir_all(&scratch);
            r.map_err(|what| corrupt(dir, what))?
        }
        // The reader is stuck inside sled; it keeps its copy, removed by the next open.
        Err(_) => {
            return Err(corrupt(
                dir,
                format!("sled did not finish reading a copy of the files within {timeout_s} s"),
            ))
        }
    };
    match (manifest, &report.schema) {
        (None, _) if report.events == 0 => {} // creation was interrupted: nothing to lose
        (None, _) => {
            return Err(corrupt(
                dir,
                format!("{MANIFEST} is missing but sled holds {} events", report.events),
            ))
        }
        (Some(m), Some(v)) if v.parse() == Ok(m.schema_version) => {}
        (Some(m), found) => {
            return Err(corrupt(
                dir,
                format!(
                    "sled's files say schema version {}, {MANIFEST} says {}",
                    found.as_deref().unwrap_or("(none: the files are empty or unreadable)"),
                    m.schema_version
                ),
            ))
        }
    }
    if report.events < watermark {
        return Err(corrupt(
            dir,
            format!(
                "{watermark} events were on disk when the store was last closed, but sled \
                 reads only {} (the log is damaged after event {})",
                report.events, report.events
            ),
        ));
    }
    Ok(Checked { events: report.events })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hash_changes_with_any_byte() {
        let dir = std::env::temp_dir().join(format!("gridcare-seal-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join("f");
        let mut bytes = vec![7u8; 200_000];
        fs::write(&p, &bytes).expect("write");
        let a = hash_file(&p).expect("hash");
        bytes[150_000] = 8;
        fs::write(&p, &bytes).expect("write");
        let b = hash_file(&p).expect("hash");
        assert_eq!(a.0, b.0);
        assert_ne!(a.1, b.1);
        let _ = fs::remove_dir_all(&dir);
    }
}
