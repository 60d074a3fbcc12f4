//! Persistence: an append-only event log per entity and a current-state tree per kind, in
//! sled, behind this module's own API (the engine never sees a sled type).
//!
//! Every change to an entity (an outage now; tickets, crews and plans later) is an event
//! appended under the key `(kind, entity id, sequence)`; the value is the event as JSON with
//! its time, author and reason ([`Recorded`]). The current state of each entity is the fold
//! of its events ([`Aggregate::apply`]), cached in the tree `state.<kind>` together with the
//! sequence of the last event folded. The log and the state are written in one sled
//! transaction and flushed before [`Store::append`] returns: a write the operator was told
//! succeeded is on disk.
//!
//! # Layout of a store directory (`<data-dir>/store/`)
//!
//! | file | what |
//! |---|---|
//! | `store.json` | `{"format": "gridcare-store", "schema_version": 1}`, written once; read before sled is touched |
//! | `sled/` | sled's files: trees `meta` (schema version, id counters, event count), `events`, `state.<kind>` |
//! | `seal.json` | written when the store is closed: the sled files' sizes and hashes, and how many events were durable |
//! | `LOCK` | held (advisory lock) while a process has the store open |
//!
//! # Opening, recovery and damage
//!
//! [`Store::open`] refuses a store of a newer schema version before any file is opened for
//! writing. When the sled files are exactly as the last clean close sealed them, sled opens
//! them directly. Otherwise (a crash, or files changed behind our back) sled first opens a
//! scratch **copy**: sled 0.34 repairs a torn log by zeroing it, can panic on a damaged
//! snapshot and treats garbage in the log as the end of the log, so only when the copy opens,
//! every event deserializes and no event sealed as durable is missing does sled open the
//! real files. A damaged store is reported ([`StoreError::Corrupt`]) and left as it was.
//!
//! Then the store checks cheaply that the state of every entity was folded up to its last
//! event (a crash between the log append and the state update, or a state lost); the entities
//! that disagree are replayed from the log the first time their kind is used.
//! [`Store::replay`] rebuilds a kind's whole state tree from the log.

mod clock;
mod feed;
mod log;
mod seal;
#[doc(hidden)]
pub mod stress;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use clock::{
    format_duration, format_rfc3339, format_time, parse_time, Clock, SystemClock, TimeError,
    VirtualClock, LOCAL_OFFSET_S,
};
pub use feed::{FeedEntry, FeedPage, Imported, FEED_PAGE_MAX};
pub use log::{Aggregate, Entity, KindCheck, Recorded};

/// In bulk mode ([`Store::set_flush_each_write`]), at most this many writes wait for a
/// flush: sled's write buffers are drained regularly, as in normal operation.
pub const BULK_FLUSH_WRITES: u64 = 256;

/// The schema version this build writes and reads. Bump it (and add a migration in
/// `Store::open`) when the layout of keys or values changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

/// Why the store could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Another process has the store open.
    #[error("{}: the store is open in another gridcare process; close it first", path.display())]
    Locked {
        /// The store directory.
        path: PathBuf,
    },
    /// A newer gridcare wrote this store.
    #[error(
        "{}: the store has schema version {found}, newer than the {supported} this gridcare \
         reads; nothing was changed, open it with a newer gridcare",
        path.display()
    )]
    NewerSchema {
        /// The store directory.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The files are damaged. Nothing was changed.
    #[error(
        "{}: the store is damaged: {what}. Nothing was changed; keep a copy of the directory \
         and restore it from a backup",
        path.display()
    )]
    Corrupt {
        /// The store directory.
        path: PathBuf,
        /// What is wrong, naming the file, entity or event.
        what: String,
    },
    /// sled failed.
    #[error("{}: the storage engine failed: {message}", path.display())]
    Engine {
        /// The store directory.
        path: PathBuf,
        /// sled's message.
        message: String,
    },
    /// The entity has no events.
    #[error("{kind} {id} does not exist")]
    NotFound {
        /// Its kind.
        kind: &'static str,
        /// Its id.
        id: u64,
    },
    /// A write to a replica ([`Store::open_replica`]), or a feed page from another store.
    #[error("{}: {message}", path.display())]
    Replica {
        /// The replica's directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The event does not apply to the entity's state; nothing was written.
    #[error("{kind} {id}: {message}")]
    Rejected {
        /// Its kind.
        kind: &'static str,
        /// Its id.
        id: u64,
        /// Why, from [`Aggregate::apply`].
        message: String,
    },
}

/// The sled handles of an open store.
struct Handles {
    db: sled::Db,
    meta: sled::Tree,
    events: sled::Tree,
    /// The change feed: position (u64 BE) → event key, in the order events were written.
    feed: sled::Tree,
    states: Mutex<HashMap<String, sled::Tree>>,
}

/// An open store. Closed (and sealed) when dropped, or by [`Store::close`] to see errors.
pub struct Store {
    dir: PathBuf,
    handles: Option<Handles>,
    clock: Arc<dyn Clock>,
    /// Entities whose state disagreed with their log at open, by kind: replayed when the
    /// kind is first used.
    stale: Mutex<BTreeMap<String, BTreeSet<u64>>>,
    /// Events known durable when the store was opened.
    watermark: u64,
    /// True when the files did not match the seal and a copy was checked first.
    checked_copy: bool,
    /// How to decode the events of the kinds this store was opened for.
    kinds: Vec<KindCheck>,
    /// Set by the `debug_*` hooks, which write behind the typed API: the close then does
    /// not vouch for the files, as after an outside edit.
    tainted: std::sync::atomic::AtomicBool,
    /// Flush after every write (the default); off only for a bulk load such as the
    /// simulated history ([`Store::set_flush_each_write`]), which flushes every
    /// [`BULK_FLUSH_WRITES`] writes and at the end.
    flush_each_write: std::sync::atomic::AtomicBool,
    /// Writes since the last flush, in bulk mode.
    unflushed: std::sync::atomic::AtomicU64,
    /// Writes made through this store since it was opened ([`Store::revision`]).
    revision: std::sync::atomic::AtomicU64,
    /// A copy of a server's store, filled from its feed only ([`Store::open_replica`]).
    replica: bool,
    /// This store's identity (`meta.store_id`), made when it was created.
    store_id: String,
    _lock: File,
}

/// How to open a store.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// The clock that stamps events (default: the system clock).
    pub clock: Arc<dyn Clock>,
    /// The kinds whose events are decoded when the files are checked at open (an event of
    /// another kind is checked as an envelope only).
    pub kinds: Vec<KindCheck>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { clock: Arc::new(SystemClock), kinds: Vec::new() }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// Who a change is recorded as made by when nobody is named: `$USER`, else `operator` (the
/// app and every command use it).
pub fn default_author() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "operator".into())
}

/// Where GridCare keeps its data: `flag` (`--data-dir`), else `$XDG_DATA_HOME/gridcare`,
/// else `~/.local/share/gridcare`, else `./gridcare-data`. The store is its `store/`.
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("gridcare");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".local/share/gridcare");
    }
    PathBuf::from("gridcare-data")
}

const META_SCHEMA: &[u8] = b"schema_version";
const META_EVENTS: &[u8] = b"event_count";

fn next_id_key(kind: &str) -> Vec<u8> {
    format!("next_id.{kind}").into_bytes()
}

fn state_tree_name(kind: &str) -> String {
    format!("state.{kind}")
}

fn be_u64(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}

impl Store {
    /// Opens the store in `dir` (created when missing) on the system clock.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(dir, OpenOptions::default())
    }

    /// Opens the store in `dir` (created when missing); events are stamped by `clock`.
    pub fn open_with_clock(dir: &Path, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        Store::open_with(dir, OpenOptions { clock, ..OpenOptions::default() })
    }

    /// Opens the store in `dir` (created when missing) with options.
    pub fn open_with(dir: &Path, options: OpenOptions) -> Result<Store, StoreError> {
        let OpenOptions { clock, kinds } = options;
        let path = dir.to_path_buf();
        // A newer store is refused before anything is created, locked or opened.
        seal::read_manifest(dir)?;
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::Io { path: path.clone(), source })?;
        let lock = seal::lock(dir)?;
        let manifest = seal::read_manifest(dir)?;
        seal::remove_scratch_copies(dir);
        let sled_dir = dir.join(seal::SLED_DIR);
        let mut watermark = 0;
        let mut checked_copy = false;
        if manifest.is_some() || sled_dir.exists() {
            if !sled_dir.is_dir() {
                return Err(StoreError::Corrupt {
                    path,
                    what: format!(
                        "{} says there is a store but `sled/` is missing",
                        seal::MANIFEST
                    ),
                });
            }
            let sealed = seal::read_seal(dir);
            watermark = sealed.as_ref().map_or(0, |s| s.events);
            let files = seal::fingerprint(&sled_dir)?;
            let unfinished = seal::unfinished_snapshots(&sled_dir);
            let clean = manifest.is_some()
                && unfinished.is_empty()
                && sealed.is_some_and(|s| s.clean && s.files == files);
            if !clean {
                let checked = seal::check_copy(dir, manifest.as_ref(), watermark, &kinds)?;
                watermark = watermark.max(checked.events);
                checked_copy = true;
                // The copy opened without them: sled's half-written snapshots go.
                for p in unfinished {
                    std::fs::remove_file(&p)
                        .map_err(|source| StoreError::Io { path: p, source })?;
                }
            }
            seal::write_seal(dir, &seal::Seal { clean: false, events: watermark, files: vec![] })?;
        }
        let db = seal::sled_config(&sled_dir)
            .open()
            .map_err(|e| StoreError::Engine { path: path.clone(), message: e.to_string() })?;
        let engine =
            |e: sled::Error| StoreError::Engine { path: path.clone(), message: e.to_string() };
        let meta = db.open_tree("meta").map_err(engine)?;
        let events = db.open_tree("events").map_err(engine)?;
        let feed = db.open_tree("feed").map_err(engine)?;
        match meta.get(META_SCHEMA).map_err(engine)? {
            None if events.first().map_err(engine)?.is_none() => {
                meta.insert(META_SCHEMA, SCHEMA_VERSION.to_string().as_bytes()).map_err(engine)?;
                db.flush().map_err(engine)?;
            }
            None => {
                return Err(StoreError::Corrupt {
                    path,
                    what: "the meta tree has no schema version but the log holds events".into(),
                })
            }
            Some(v) => {
                let found = std::str::from_utf8(&v).ok().and_then(|s| s.parse::<u32>().ok());
                let expected = manifest.as_ref().map_or(SCHEMA_VERSION, |m| m.schema_version);
                match found {
                    Some(found) if found == expected => {}
                    Some(found) if found > SCHEMA_VERSION => {
                        return Err(StoreError::NewerSchema {
                            path,
                            found,
                            supported: SCHEMA_VERSION,
                        })
                    }
                    _ => {
                        let what = format!(
                            "the meta tree's schema version `{}` disagrees with {} ({expected})",
                            String::from_utf8_lossy(&v),
                            seal::MANIFEST
                        );
                        return Err(StoreError::Corrupt { path, what });
                    }
                }
            }
        }
        if manifest.is_none() {
            seal::write_manifest(dir)?;
        }
        let store_id = feed::init(&db, &meta, &events, &feed).map_err(engine)?;
        let store = Store {
            dir: path,
            handles: Some(Handles { db, meta, events, feed, states: Mutex::new(HashMap::new()) }),
            clock,
            stale: Mutex::new(BTreeMap::new()),
            watermark,
            checked_copy,
            kinds,
            tainted: false.into(),
            flush_each_write: true.into(),
            unflushed: 0.into(),
            revision: 0.into(),
            replica: false,
            store_id,
            _lock: lock,
        };
        let stale = store.find_stale()?;
        *store.stale.lock().unwrap_or_else(|p| p.into_inner()) = stale;
        Ok(store)
    }

    /// A number that changes with every write made through this store since it was opened
    /// (every entity of every kind): views compare it to know whether to rebuild, instead of
    /// walking the entities.
    pub fn revision(&self) -> u64 {
        self.revision.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The clock that stamps events.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, on the store's clock.
    pub fn now_s(&self) -> i64 {
        self.clock.now_s()
    }

    /// True when the files were not as the last clean close left them (a crash, or a change
    /// behind the store's back), so that a copy was checked before sled opened them.
    pub fn was_checked(&self) -> bool {
        self.checked_copy
    }

    /// Entities found stale at open and not replayed yet, as `(kind, id)`.
    pub fn stale_entities(&self) -> Vec<(String, u64)> {
        let stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        stale.iter().flat_map(|(k, ids)| ids.iter().map(move |id| (k.clone(), *id))).collect()
    }

    /// Waits until every write so far is on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.handles().db.flush().map(|_| ()).map_err(|e| self.engine(e))
    }

    /// Whether each write is flushed before it returns (default: yes). A bulk load that no
    /// operator was told about (`gridcare sim history`) turns it off: writes are then flushed
    /// every [`BULK_FLUSH_WRITES`] writes, and at the end ([`Store::flush`], or closing the
    /// store).
    pub fn set_flush_each_write(&self, on: bool) {
        self.flush_each_write.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Flushes, closes sled and seals the files (so that the next open can trust them
    /// without a check). Dropping the store does the same, without reporting errors.
    pub fn close(mut self) -> Result<(), StoreError> {
        self.seal_and_close()
    }

    fn seal_and_close(&mut self) -> Result<(), StoreError> {
        let Some(h) = self.handles.take() else {
            return Ok(());
        };
        let engine =
            |e: sled::Error| StoreError::Engine { path: self.dir.clone(), message: e.to_string() };
        h.db.flush().map_err(engine)?;
        let events = h.meta.get(META_EVENTS).map_err(engine)?.and_then(|v| be_u64(&v));
        drop(h);
        let files = seal::fingerprint(&self.dir.join(seal::SLED_DIR))?;
        let events = events.unwrap_or(0).max(self.watermark);
        let clean = !self.tainted.load(std::sync::atomic::Ordering::SeqCst);
        seal::write_seal(&self.dir, &seal::Seal { clean, events, files })
    }

    fn handles(&self) -> &Handles {
        self.handles.as_ref().expect("the store is open until it is dropped")
    }

    fn engine(&self, e: sled::Error) -> StoreError {
        StoreError::Engine { path: self.dir.clone(), message: e.to_string() }
    }

    /// A damage found in the open store; the close will not vouch for the files.
    fn corrupt(&self, what: String) -> StoreError {
        self.tainted.store(true, std::sync::atomic::Ordering::SeqCst);
        StoreError::Corrupt { path: self.dir.clone(), what }
    }

    /// The state tree of a kind (opened once).
    fn state_tree(&self, kind: &str) -> Result<sled::Tree, StoreError> {
        let h = self.handles();
        let mut states = h.states.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = states.get(kind) {
            return Ok(t.clone());
        }
        let t = h.db.open_tree(state_tree_name(kind)).map_err(|e| self.engine(e))?;
        states.insert(kind.to_string(), t.clone());
        Ok(t)
    }

    /// The cheap check at open: for every entity in the log, does its cached state end at its
    /// last event (and does that event deserialize)? Also raises id counters that are behind
    /// the log. Returns the entities to replay.
    fn find_stale(&self) -> Result<BTreeMap<String, BTreeSet<u64>>, StoreError> {
        let h = self.handles();
        let mut stale: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        let mut seen: HashMap<String, BTreeSet<u64>> = HashMap::new();
        let mut from: Vec<u8> = Vec::new();
        loop {
            // Jump from entity to entity: one seek for its first and one for its last event.
            let Some(first) = h.events.range(from.as_slice()..).next() else { break };
            let (key, _) = first.map_err(|e| self.engine(e))?;
            let (kind, id, _) = log::parse_event_key(&key).ok_or_else(|| {
                self.corrupt(format!(
                    "the event log holds a key that is not (kind, id, seq): {key:?}"
                ))
            })?;
            let kind = kind.to_string();
            let start = log::entity_prefix(&kind, id);
            let end = log::entity_end(&kind, id);
            let last = h.events.range(start.as_slice()..end.as_slice()).next_back();
            let (key, value) = match last {
                Some(kv) => kv.map_err(|e| self.engine(e))?,
                None => break,
            };
            let seq = log::parse_event_key(&key).map_or(0, |(_, _, s)| s);
            log::check_event(&self.kinds, &kind, id, seq, &value).map_err(|w| self.corrupt(w))?;
            let state = self.state_tree(&kind)?.get(log::id_key(id)).map_err(|e| self.engine(e))?;
            if !state.is_some_and(|v| log::state_is_at(&v, seq)) {
                stale.entry(kind.clone()).or_default().insert(id);
            }
            seen.entry(kind).or_default().insert(id);
            from = end;
        }
        for name in h.db.tree_names() {
            let Some(kind) = name.strip_prefix(b"state.") else { continue };
            let kind = String::from_utf8_lossy(kind).into_owned();
            let tree = self.state_tree(&kind)?;
            for kv in tree.iter() {
                let (key, _) = kv.map_err(|e| self.engine(e))?;
                let id = be_u64(&key).ok_or_else(|| {
                    self.corrupt(format!("state.{kind} holds a key that is not an id: {key:?}"))
                })?;
                if !seen.get(&kind).is_some_and(|ids| ids.contains(&id)) {
                    stale.entry(kind.clone()).or_default().insert(id);
                }
            }
        }
        for (kind, ids) in &seen {
            let max = ids.iter().copied().max().unwrap_or(0);
            let key = next_id_key(kind);
            let counter = h.meta.get(&key).map_err(|e| self.engine(e))?.and_then(|v| be_u64(&v));
            if counter.unwrap_or(0) < max {
                h.meta.insert(key, &max.to_be_bytes()).map_err(|e| self.engine(e))?;
            }
        }
        if !stale.is_empty() {
            self.flush()?;
        }
        Ok(stale)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Nothing to report to from here: without a seal the next open checks a copy first.
        let _ = self.seal_and_close();
    }
}

#[cfg(test)]
mod tests;
