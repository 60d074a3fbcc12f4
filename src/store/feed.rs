//! The change feed and replicas: how a workstation keeps a copy of a server's store.
//!
//! Every event written is also given a **feed position** (1, 2, 3, … in the order of the
//! writes) in the tree `feed` (position → event key), in the same sled transaction as the
//! event itself, so the feed and the log never disagree. [`Store::feed_since`] reads the
//! events after a position; a store made before the feed existed gets its positions (in key
//! order) when it is first opened.
//!
//! A **replica** ([`Store::open_replica`]) is a store that is filled only from another
//! store's feed ([`Store::import_feed`]): it refuses writes of its own, keeps the events
//! byte for byte, and folds them with the same [`super::Aggregate::apply`] as the origin —
//! each imported entity is replayed from its log the next time its kind is read. A replica
//! remembers which store it copies (`meta.replica_of`) and how far (`meta.replica_pos`), so a
//! workstation restarted resumes where it stopped, and a page of another store is refused.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, UnabortableTransactionError,
};
use sled::Transactional;

use super::log::{check_event, kind_is_valid, parse_event_key};
use super::{be_u64, OpenOptions, Store, StoreError, META_EVENTS};

/// The most entries one [`Store::feed_since`] call returns.
pub const FEED_PAGE_MAX: usize = 5_000;

const META_FEED_HEAD: &[u8] = b"feed_head";
const META_STORE_ID: &[u8] = b"store_id";
const META_REPLICA_OF: &[u8] = b"replica_of";
const META_REPLICA_POS: &[u8] = b"replica_pos";

/// One event of the feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedEntry {
    /// Its feed position, from 1.
    pub pos: u64,
    /// The entity's kind (`outage`, `ticket`, …).
    pub kind: String,
    /// The entity's id.
    pub id: u64,
    /// The event as the log keeps it: a [`super::Recorded`] of the kind's event.
    pub event: serde_json::Value,
}

/// Events after a position, and where the feed ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedPage {
    /// The identity of the store the events are from ([`Store::store_id`]).
    pub store_id: String,
    /// The position of the last event the store has (or, from a server, has made durable).
    pub head: u64,
    /// The events, by position (at most the limit asked for).
    pub entries: Vec<FeedEntry>,
}

/// What [`Store::import_feed`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Events written (those already there are skipped).
    pub events: usize,
    /// The replica's position after the page.
    pub position: u64,
    /// The entities that changed, (kind, id): a reader re-reads these only.
    pub entities: BTreeSet<(String, u64)>,
}

impl Imported {
    /// The kinds of entity that changed.
    pub fn kinds(&self) -> BTreeSet<String> {
        self.entities.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// Gives the store an identity and, for a store written before the feed existed, feed
/// positions for its events in key order (each entity's events stay in sequence).
/// Returns the store id.
pub(super) fn init(
    db: &sled::Db,
    meta: &sled::Tree,
    events: &sled::Tree,
    feed: &sled::Tree,
) -> Result<String, sled::Error> {
    let mut changed = false;
    let id = match meta.get(META_STORE_ID)? {
        Some(v) => String::from_utf8_lossy(&v).into_owned(),
        None => {
            let id = new_store_id();
            meta.insert(META_STORE_ID, id.as_bytes())?;
            changed = true;
            id
        }
    };
    if meta.get(META_FEED_HEAD)?.is_none() {
        let mut pos = 0u64;
        let mut batch = sled::Batch::default();
        for kv in events.iter().keys() {
            pos += 1;
            batch.insert(&pos.to_be_bytes(), kv?);
        }
        feed.apply_batch(batch)?;
        meta.insert(META_FEED_HEAD, &pos.to_be_bytes())?;
        changed = true;
    }
    if changed {
        db.flush()?;
    }
    Ok(id)
}

/// 128 bits from the process's randomly keyed hashers, the time and the process id.
fn new_store_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut halves = [0u64; 2];
    for (i, h) in halves.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.write_usize(i);
        *h = hasher.finish();
    }
    format!("{:016x}{:016x}", halves[0], halves[1])
}

/// Gives the event `key` the next feed position, inside the writing transaction.
pub(super) fn push(
    meta: &sled::transaction::TransactionalTree,
    feed: &sled::transaction::TransactionalTree,
    key: &[u8],
) -> Result<(), UnabortableTransactionError> {
    let head = meta.get(META_FEED_HEAD)?.and_then(|v| be_u64(&v)).unwrap_or(0) + 1;
    feed.insert(&head.to_be_bytes(), key)?;
    meta.insert(META_FEED_HEAD, &head.to_be_bytes())?;
    Ok(())
}

/// Why an import stopped.
enum ImportAbort {
    Corrupt(String),
}

impl Store {
    /// Opens (or creates) a replica in `dir`: a store filled only by [`Store::import_feed`].
    /// Reads work as on any store; a write is refused with [`StoreError::Replica`].
    pub fn open_replica(dir: &Path, options: OpenOptions) -> Result<Store, StoreError> {
        let mut store = Store::open_with(dir, options)?;
        store.replica = true;
        Ok(store)
    }

    /// Whether this store is a replica ([`Store::open_replica`]).
    pub fn is_replica(&self) -> bool {
        self.replica
    }

    /// This store's identity: made when the store was created, kept for its life.
    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    /// The position of the last event written (0: none).
    pub fn feed_head(&self) -> Result<u64, StoreError> {
        let v = self.handles().meta.get(META_FEED_HEAD).map_err(|e| self.engine(e))?;
        Ok(v.and_then(|v| be_u64(&v)).unwrap_or(0))
    }

    /// The events after position `after`, at most `limit` (and at most [`FEED_PAGE_MAX`])
    /// and none after `upto` (a server passes the position it has made durable).
    pub fn feed_since(&self, after: u64, limit: usize, upto: u64) -> Result<FeedPage, StoreError> {
        let h = self.handles();
        let head = self.feed_head()?.min(upto);
        let mut entries = Vec::new();
        let limit = limit.min(FEED_PAGE_MAX);
        if after < head && limit > 0 {
            let from = (after + 1).to_be_bytes();
            let to = head.to_be_bytes();
            for kv in h.feed.range(from..=to).take(limit) {
                let (k, key) = kv.map_err(|e| self.engine(e))?;
                let pos = be_u64(&k)
                    .ok_or_else(|| self.corrupt(format!("the feed holds a key {k:?}")))?;
                let (kind, id, seq) = parse_event_key(&key).ok_or_else(|| {
                    self.corrupt(format!("feed position {pos} names no event: {key:?}"))
                })?;
                let value = h.events.get(&key).map_err(|e| self.engine(e))?.ok_or_else(|| {
                    self.corrupt(format!(
                        "feed position {pos}: event {kind} {id} #{seq} is missing"
                    ))
                })?;
                let event = serde_json::from_slice(&value).map_err(|e| {
                    self.corrupt(format!("event {kind} {id} #{seq} does not deserialize: {e}"))
                })?;
                entries.push(FeedEntry { pos, kind: kind.to_string(), id, event });
            }
        }
        Ok(FeedPage { store_id: self.store_id.clone(), head, entries })
    }

    /// The store this replica copies and its position in that store's feed (`None`: nothing
    /// imported yet).
    pub fn replica_position(&self) -> Result<Option<(String, u64)>, StoreError> {
        let meta = &self.handles().meta;
        let of = meta.get(META_REPLICA_OF).map_err(|e| self.engine(e))?;
        let pos = meta.get(META_REPLICA_POS).map_err(|e| self.engine(e))?;
        Ok(of.map(|of| {
            (String::from_utf8_lossy(&of).into_owned(), pos.and_then(|p| be_u64(&p)).unwrap_or(0))
        }))
    }

    /// Writes a page of another store's feed into this replica, atomically, and returns once
    /// it is on disk. Entries at or before the replica's position are skipped. Refused, with
    /// nothing written: a store that is not a replica; a page of another store than the one
    /// this replica copies; an entry that skips a position or an event of its entity, has a
    /// bad kind, or does not deserialize as its kind's event; an event that differs from the
    /// one already held at its place (the origin was replaced behind the replica's back).
    pub fn import_feed(&self, page: &FeedPage) -> Result<Imported, StoreError> {
        if !self.replica {
            return Err(self.replica_error("it is not a replica; only a replica imports a feed"));
        }
        let position = match self.replica_position()? {
            Some((of, _)) if of != page.store_id => {
                return Err(self.replica_error(&format!(
                    "this replica copies store {of}, the page is from store {}",
                    page.store_id
                )))
            }
            Some((_, pos)) => pos,
            None => 0,
        };
        if page.head < position {
            // the same store, but shorter: restored from a backup behind this copy; what it
            // writes next would take positions this replica already holds
            return Err(self.replica_error(&format!(
                "the server's store ends at feed position {}, this replica already holds {position}: \
                 the store was restored from an older copy; remove the replica ({}) to copy it anew",
                page.head,
                self.dir.display()
            )));
        }
        let h = self.handles();
        let mut expected = position;
        let mut rows = Vec::new();
        let mut changed: Vec<(String, u64)> = Vec::new();
        for e in &page.entries {
            if e.pos <= expected {
                if e.pos <= position {
                    continue;
                }
                return Err(self.replica_error(&format!("feed position {} comes twice", e.pos)));
            }
            if e.pos != expected + 1 {
                return Err(self.replica_error(&format!(
                    "the page skips from feed position {expected} to {}",
                    e.pos
                )));
            }
            expected = e.pos;
            if !kind_is_valid(&e.kind) {
                return Err(
                    self.replica_error(&format!("feed position {}: bad kind `{}`", e.pos, e.kind))
                );
            }
            let seq = e.event.get("seq").and_then(serde_json::Value::as_u64).ok_or_else(|| {
                self.replica_error(&format!("feed position {}: the event has no `seq`", e.pos))
            })?;
            let value =
                serde_json::to_vec(&e.event).map_err(|x| self.replica_error(&x.to_string()))?;
            check_event(&self.kinds, &e.kind, e.id, seq, &value)
                .map_err(|w| self.replica_error(&format!("feed position {}: {w}", e.pos)))?;
            rows.push((e.kind.clone(), e.id, seq, value));
            changed.push((e.kind.clone(), e.id));
        }
        let pos_value = expected.to_be_bytes();
        let of = page.store_id.clone();
        let result = (&h.events, &h.meta).transaction(|(events, meta)| {
            let corrupt = |m: String| ConflictableTransactionError::Abort(ImportAbort::Corrupt(m));
            let mut written = 0u64;
            for (kind, id, seq, value) in &rows {
                let key = super::log::event_key(kind, *id, *seq);
                match events.get(&key)? {
                    Some(held) if held.as_ref() == value.as_slice() => continue,
                    Some(_) => {
                        return Err(corrupt(format!(
                            "event {kind} {id} #{seq} differs from the one this replica holds; \
                             the server's store was replaced — remove the replica to copy it anew"
                        )))
                    }
                    None => {}
                }
                if *seq > 1 && events.get(super::log::event_key(kind, *id, seq - 1))?.is_none() {
                    return Err(corrupt(format!(
                        "event {kind} {id} #{seq} arrived before #{}",
                        seq - 1
                    )));
                }
                events.insert(key, value.as_slice())?;
                written += 1;
            }
            let count = meta.get(META_EVENTS)?.and_then(|v| be_u64(&v)).unwrap_or(0);
            meta.insert(META_EVENTS, &(count + written).to_be_bytes())?;
            meta.insert(META_REPLICA_OF, of.as_bytes())?;
            // two pulls at once (the sync thread and a write's own pull): the position only
            // moves forward
            let held = meta.get(META_REPLICA_POS)?.and_then(|v| be_u64(&v)).unwrap_or(0);
            if expected > held {
                meta.insert(META_REPLICA_POS, &pos_value)?;
            }
            Ok(written)
        });
        let written = match result {
            Ok(n) => n,
            Err(TransactionError::Abort(ImportAbort::Corrupt(m))) => {
                return Err(self.replica_error(&m))
            }
            Err(TransactionError::Storage(e)) => return Err(self.engine(e)),
        };
        self.flush()?;
        {
            let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
            for (kind, id) in &changed {
                stale.entry(kind.clone()).or_default().insert(*id);
            }
        }
        if written > 0 {
            self.revision.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        let entities = changed.into_iter().collect();
        Ok(Imported { events: written as usize, position: expected, entities })
    }

    /// Test support: forgets the feed, as a store written before the feed existed has none.
    #[doc(hidden)]
    pub fn debug_forget_feed(&self) -> Result<(), StoreError> {
        let h = self.handles();
        self.tainted.store(true, std::sync::atomic::Ordering::SeqCst);
        h.feed.clear().map_err(|e| self.engine(e))?;
        h.meta.remove(META_FEED_HEAD).map_err(|e| self.engine(e))?;
        self.flush()
    }

    pub(super) fn replica_error(&self, message: &str) -> StoreError {
        StoreError::Replica { path: self.dir.clone(), message: message.to_string() }
    }
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
