//! The event log and the current-state trees: keys, values, and the typed operations.
//!
//! * `events`: key `kind ‖ 0x00 ‖ id (u64 BE) ‖ seq (u64 BE)`, value the [`Recorded`] event
//!   as JSON. Kinds are lower-case ASCII, so the keys of one entity are contiguous and in
//!   sequence order.
//! * `state.<kind>`: key `id (u64 BE)`, value `seq (u64 BE) ‖ state as JSON`: the fold of the
//!   entity's events up to `seq`.
//! * `meta`: `next_id.<kind>` (the last id given out), `event_count` (events appended).

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use super::{be_u64, next_id_key, Store, StoreError, META_EVENTS};

/// An entity whose state is the fold of its events.
///
/// # Examples
///
/// ```
/// use gridcare::store::{Aggregate, Recorded};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Counter { total: i64 }
///
/// impl Aggregate for Counter {
///     const KIND: &'static str = "counter";
///     type Event = i64;
///     fn apply(_id: u64, state: Option<Self>, e: &Recorded<i64>) -> Result<Self, String> {
///         let total = state.map_or(0, |s| s.total) + e.event;
///         if total < 0 { return Err(format!("{total} is below zero")); }
///         Ok(Counter { total })
///     }
/// }
/// ```
pub trait Aggregate: Serialize + DeserializeOwned {
    /// The kind of entity: lower-case ASCII letters, digits and `_` (`outage`, `ticket`).
    const KIND: &'static str;
    /// What changes it.
    type Event: Serialize + DeserializeOwned + Clone;
    /// The state after `event`, from the state before it (`None` before the first event).
    /// An event that does not apply is an error saying why; nothing is written then. Must be
    /// a pure function of its arguments: recovery replays it.
    fn apply(id: u64, state: Option<Self>, event: &Recorded<Self::Event>) -> Result<Self, String>;
}

/// An event as the log keeps it: what, when, who and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded<E> {
    /// Its place among the entity's events, from 1.
    pub seq: u64,
    /// When it was recorded, unix seconds on the store's clock.
    pub time_s: i64,
    /// Who made the change.
    pub author: String,
    /// Why.
    pub reason: String,
    /// The change.
    pub event: E,
}

/// An entity's current state with its id and the sequence of its last event.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity<A> {
    /// Its id, unique within its kind, from 1.
    pub id: u64,
    /// The number of its last event.
    pub seq: u64,
    /// The fold of its events.
    pub state: A,
}

pub(super) fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// The first key of an entity's events.
pub(super) fn entity_prefix(kind: &str, id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(kind.len() + 17);
    k.extend_from_slice(kind.as_bytes());
    k.push(0);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The first key after an entity's events.
pub(super) fn entity_end(kind: &str, id: u64) -> Vec<u8> {
    match id.checked_add(1) {
        Some(next) => entity_prefix(kind, next),
        None => {
            let mut k = kind.as_bytes().to_vec();
            k.push(1);
            k
        }
    }
}

pub(super) fn event_key(kind: &str, id: u64, seq: u64) -> Vec<u8> {
    let mut k = entity_prefix(kind, id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub(super) fn kind_is_valid(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 32
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `(kind, id, seq)` of an event key; `None` for anything else.
pub(super) fn parse_event_key(key: &[u8]) -> Option<(&str, u64, u64)> {
    let zero = key.iter().position(|b| *b == 0)?;
    let kind = std::str::from_utf8(&key[..zero]).ok().filter(|k| kind_is_valid(k))?;
    let rest = &key[zero + 1..];
    if rest.len() != 16 {
        return None;
    }
    Some((kind, be_u64(&rest[..8])?, be_u64(&rest[8..])?))
}

/// How to decode the events of one kind, for the checks at open: [`KindCheck::of`].
#[derive(Clone, Copy, Debug)]
pub struct KindCheck {
    kind: &'static str,
    decode: fn(&[u8]) -> Result<u64, String>,
}

fn decode_seq<A: Aggregate>(value: &[u8]) -> Result<u64, String> {
    serde_json::from_slice::<Recorded<A::Event>>(value).map(|r| r.seq).map_err(|e| e.to_string())
}

impl KindCheck {
    /// Decodes events of kind `A` as `A::Event`.
    pub fn of<A: Aggregate>() -> KindCheck {
        KindCheck { kind: A::KIND, decode: decode_seq::<A> }
    }
}

/// Checks that an event value deserializes (as its kind's event when `kinds` knows the kind,
/// else as a [`Recorded`] envelope) and carries the sequence of its key.
pub(super) fn check_event(
    kinds: &[KindCheck],
    kind: &str,
    id: u64,
    seq: u64,
    value: &[u8],
) -> Result<(), String> {
    let decoded = match kinds.iter().find(|k| k.kind == kind) {
        Some(k) => (k.decode)(value),
        None => serde_json::from_slice::<Recorded<serde::de::IgnoredAny>>(value)
            .map(|r| r.seq)
            .map_err(|e| e.to_string()),
    };
    match decoded {
        Ok(s) if s == seq => Ok(()),
        Ok(s) => Err(format!("event {kind} {id} #{seq} says it is #{s}")),
        Err(e) => Err(format!("event {kind} {id} #{seq} does not deserialize: {e}")),
    }
}

/// Whether a state value was folded up to `seq` and is readable.
pub(super) fn state_is_at(value: &[u8], seq: u64) -> bool {
    value.len() >= 8
        && be_u64(&value[..8]) == Some(seq)
        && serde_json::from_slice::<serde::de::IgnoredAny>(&value[8..]).is_ok()
}

fn encode_state<A: Serialize>(seq: u64, state: &A) -> Result<Vec<u8>, String> {
    let mut v = seq.to_be_bytes().to_vec();
    serde_json::to_writer(&mut v, state).map_err(|e| e.to_string())?;
    Ok(v)
}

fn decode_state<A: Aggregate>(id: u64, value: &[u8]) -> Result<(u64, A), String> {
    let seq = value.get(..8).and_then(be_u64).ok_or_else(|| {
        format!("the state of {} {id} is shorter than its sequence number", A::KIND)
    })?;
    let state = serde_json::from_slice(&value[8..])
        .map_err(|e| format!("the state of {} {id} does not deserialize: {e}", A::KIND))?;
    Ok((seq, state))
}

/// Why a write transaction stopped.
enum Abort {
    Rejected(String),
    Corrupt(String),
    Missing,
}

impl Store {
    /// Creates an entity of kind `A` with its first event; its id is the next of the kind's
    /// counter. Returns after the event is on disk.
    pub fn create<A: Aggregate>(
        &self,
        author: &str,
        reason: &str,
        event: A::Event,
    ) -> Result<Entity<A>, StoreError> {
        self.write::<A>(None, author, reason, event, true)
    }

    /// Creates one entity of kind `A` per event, all flushed together: returns after every
    /// one is on disk, with one flush instead of one per entity (a notice to each of 2,000
    /// customers). An event [`Aggregate::apply`] refuses stops the batch with that error; the
    /// entities created before it stay (each is whole), and are on disk.
    pub fn create_many<A: Aggregate>(
        &self,
        author: &str,
        reason: &str,
        events: Vec<A::Event>,
    ) -> Result<Vec<Entity<A>>, StoreError> {
        let items = events.into_iter().map(|e| (None, None, reason.to_string(), e));
        Ok(self.write_batch(author, items)?.0)
    }

    /// Appends events to entities of kind `A` (entity, reason, event), each atomically, all
    /// flushed together: returns after every one is on disk. A refused event stops the batch
    /// with that error; the events before it stay, and are on disk.
    pub fn append_many<A: Aggregate>(
        &self,
        author: &str,
        items: Vec<(u64, String, A::Event)>,
    ) -> Result<Vec<Entity<A>>, StoreError> {
        let items = items.into_iter().map(|(id, r, e)| (Some(id), None, r, e));
        Ok(self.write_batch(author, items)?.0)
    }

    /// Writes (entity or a new one, unique key, reason, event) in order without flushing
    /// each, then flushes once — also when one is refused, so that those written before it
    /// are on disk. Returns the entities written and how many were skipped (key taken).
    fn write_batch<A: Aggregate>(
        &self,
        author: &str,
        items: impl Iterator<Item = (Option<u64>, Option<String>, String, A::Event)>,
    ) -> Result<(Vec<Entity<A>>, usize), StoreError> {
        let mut out = Vec::new();
        let mut skipped = 0;
        let mut failed = None;
        for (id, key, reason, event) in items {
            let key = key.as_ref().map(|k| k.as_bytes());
            match self.write_keyed::<A>(id, key, author, &reason, event, false) {
                Ok(Some(e)) => out.push(e),
                Ok(None) => skipped += 1,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        self.flush()?;
        match failed {
            Some(e) => Err(e),
            None => Ok((out, skipped)),
        }
    }

    /// Appends an event to entity `id` of kind `A` and updates its state, atomically.
    /// Returns after the event is on disk. An event [`Aggregate::apply`] refuses is not
    /// written ([`StoreError::Rejected`]).
    pub fn append<A: Aggregate>(
        &self,
        id: u64,
        author: &str,
        reason: &str,
        event: A::Event,
    ) -> Result<Entity<A>, StoreError> {
        self.write::<A>(Some(id), author, reason, event, true)
    }

    fn write<A: Aggregate>(
        &self,
        id: Option<u64>,
        author: &str,
        reason: &str,
        event: A::Event,
        flush: bool,
    ) -> Result<Entity<A>, StoreError> {
        let made = self.write_keyed::<A>(id, None, author, reason, event, flush)?;
        Ok(made.expect("a write without a unique key is never skipped"))
    }

    /// Creates entities of kind `A`, each under a unique key (`unique.<kind>`: key → id, in
    /// the same transaction as the entity), skipping those whose key is taken; all flushed
    /// together. Returns the entities made and how many were skipped. The key index of a kind
    /// is built from `key_of` over the kind's entities the first time it is used
    /// ([`Store::ensure_unique_index`]).
    pub fn create_unique_many<A: Aggregate>(
        &self,
        author: &str,
        reason: &str,
        items: Vec<(String, A::Event)>,
        key_of: impl Fn(&A) -> String,
    ) -> Result<(Vec<Entity<A>>, usize), StoreError> {
        self.ensure_unique_index::<A>(&key_of)?;
        // Keys taken are dropped with a plain read first (a caller may offer every notice of
        // an outage again, most of them queued before); each fresh one is checked again
        // inside its transaction.
        let tree = self.unique_tree(A::KIND)?;
        let mut seen = std::collections::HashSet::new();
        let mut fresh = Vec::with_capacity(items.len());
        let mut skipped = 0;
        for (key, e) in items {
            let taken = tree.contains_key(key.as_bytes()).map_err(|e| self.engine(e))?;
            if taken || !seen.insert(key.clone()) {
                skipped += 1;
            } else {
                fresh.push((None, Some(key), reason.to_string(), e));
            }
        }
        let (made, more) = self.write_batch(author, fresh.into_iter())?;
        Ok((made, skipped + more))
    }

    /// Builds the unique-key index of kind `A` from its entities when it has never been
    /// built (a store written before the index existed); afterwards one read.
    pub fn ensure_unique_index<A: Aggregate>(
        &self,
        key_of: &dyn Fn(&A) -> String,
    ) -> Result<(), StoreError> {
        let h = self.handles();
        let marker = format!("unique_built.{}", A::KIND).into_bytes();
        if h.meta.get(&marker).map_err(|e| self.engine(e))?.is_some() {
            return Ok(());
        }
        let tree = self.unique_tree(A::KIND)?;
        let mut batch = sled::Batch::default();
        for e in self.all::<A>()? {
            batch.insert(key_of(&e.state).into_bytes(), &e.id.to_be_bytes());
        }
        tree.apply_batch(batch).map_err(|e| self.engine(e))?;
        h.meta.insert(marker, b"1").map_err(|e| self.engine(e))?;
        self.flush()
    }

    fn unique_tree(&self, kind: &str) -> Result<sled::Tree, StoreError> {
        self.handles().db.open_tree(format!("unique.{kind}")).map_err(|e| self.engine(e))
    }

    /// [`Store::write`], and with a unique key: `Ok(None)` when the key is taken.
    fn write_keyed<A: Aggregate>(
        &self,
        id: Option<u64>,
        unique: Option<&[u8]>,
        author: &str,
        reason: &str,
        event: A::Event,
        flush: bool,
    ) -> Result<Option<Entity<A>>, StoreError> {
        self.write_chain::<A>(id, unique, &[(author, reason, event)], flush)
    }

    /// Creates an entity of kind `A` with several events — each with its own author and
    /// reason (a call recorded by the operator, then dispatched by GridCare) — in one
    /// transaction: all of them are on disk when it returns, or none (an event
    /// [`Aggregate::apply`] refuses stops the whole chain).
    pub fn create_chain<A: Aggregate>(
        &self,
        events: &[(&str, &str, A::Event)],
    ) -> Result<Entity<A>, StoreError> {
        if events.is_empty() {
            return Err(StoreError::Rejected {
                kind: A::KIND,
                id: 0,
                message: "an entity is made with at least one event".into(),
            });
        }
        let made = self.write_chain::<A>(None, None, events, true)?;
        Ok(made.expect("a write without a unique key is never skipped"))
    }

    /// Appends `items` in order to entity `id` (or a new one) in one transaction.
    fn write_chain<A: Aggregate>(
        &self,
        id: Option<u64>,
        unique: Option<&[u8]>,
        items: &[(&str, &str, A::Event)],
        flush: bool,
    ) -> Result<Option<Entity<A>>, StoreError> {
        debug_assert!(kind_is_valid(A::KIND), "kind `{}`", A::KIND);
        debug_assert!(!items.is_empty());
        if self.replica {
            return Err(self.replica_error(&format!(
                "this is a replica of a GridCare server's store: the {} change goes to the server",
                A::KIND
            )));
        }
        self.recover::<A>()?;
        let h = self.handles();
        let state_tree = self.state_tree(A::KIND)?;
        let time_s = self.clock.now_s();
        let id_counter = next_id_key(A::KIND);
        let unique_tree = match unique {
            Some(_) => Some(self.unique_tree(A::KIND)?),
            None => None,
        };
        // the unique index rides along in the transaction when there is a key (else the
        // meta tree stands in for it, untouched)
        let index = unique_tree.as_ref().unwrap_or(&h.meta);
        let trees = (&h.events, &state_tree, &h.meta, &h.feed);
        let run = |(events, states, meta, feed, index): (
            &sled::transaction::TransactionalTree,
            &sled::transaction::TransactionalTree,
            &sled::transaction::TransactionalTree,
            &sled::transaction::TransactionalTree,
            Option<&sled::transaction::TransactionalTree>,
        )|
         -> Result<Option<Entity<A>>, ConflictableTransactionError<Abort>> {
            let corrupt = |m: String| ConflictableTransactionError::Abort(Abort::Corrupt(m));
            if let (Some(index), Some(key)) = (index, unique) {
                if index.get(key)?.is_some() {
                    return Ok(None);
                }
            }
            let (id, prev) = match id {
                None => {
                    let last = meta.get(&id_counter)?.and_then(|v| be_u64(&v)).unwrap_or(0);
                    meta.insert(id_counter.as_slice(), &(last + 1).to_be_bytes())?;
                    (last + 1, None)
                }
                Some(id) => match states.get(id_key(id))? {
                    Some(v) => (id, Some(decode_state::<A>(id, &v).map_err(corrupt)?)),
                    None => return Err(ConflictableTransactionError::Abort(Abort::Missing)),
                },
            };
            let (mut seq, mut folded) = match prev {
                Some((seq, s)) => (seq, Some(s)),
                None => (0, None),
            };
            for (author, reason, event) in items {
                seq += 1;
                let rec = Recorded {
                    seq,
                    time_s,
                    author: author.to_string(),
                    reason: reason.to_string(),
                    event: event.clone(),
                };
                let next = A::apply(id, folded.take(), &rec)
                    .map_err(|m| ConflictableTransactionError::Abort(Abort::Rejected(m)))?;
                let rec_json = serde_json::to_vec(&rec).map_err(|e| corrupt(e.to_string()))?;
                let key = event_key(A::KIND, id, seq);
                super::feed::push(meta, feed, &key)?;
                events.insert(key, rec_json)?;
                folded = Some(next);
            }
            let Some(state) = folded else {
                return Err(corrupt("a write of no events".into()));
            };
            let state_value = encode_state(seq, &state).map_err(corrupt)?;
            states.insert(&id_key(id), state_value)?;
            let count = meta.get(META_EVENTS)?.and_then(|v| be_u64(&v)).unwrap_or(0);
            meta.insert(META_EVENTS, &(count + items.len() as u64).to_be_bytes())?;
            if let (Some(index), Some(key)) = (index, unique) {
                index.insert(key, &id.to_be_bytes())?;
            }
            Ok(Some(Entity { id, seq, state }))
        };
        let result = if unique_tree.is_some() {
            (&h.events, &state_tree, &h.meta, &h.feed, index)
                .transaction(|(e, s, m, f, i)| run((e, s, m, f, Some(i))))
        } else {
            trees.transaction(|(e, s, m, f)| run((e, s, m, f, None)))
        };
        let entity = match result {
            Ok(Some(e)) => e,
            Ok(None) => return Ok(None),
            Err(TransactionError::Abort(Abort::Rejected(message))) => {
                return Err(StoreError::Rejected { kind: A::KIND, id: id.unwrap_or(0), message })
            }
            Err(TransactionError::Abort(Abort::Corrupt(what))) => return Err(self.corrupt(what)),
            Err(TransactionError::Abort(Abort::Missing)) => {
                return Err(StoreError::NotFound { kind: A::KIND, id: id.unwrap_or(0) })
            }
            Err(TransactionError::Storage(e)) => return Err(self.engine(e)),
        };
        use std::sync::atomic::Ordering;
        self.revision.fetch_add(1, Ordering::SeqCst);
        if !flush {
            self.unflushed.fetch_add(1, Ordering::SeqCst);
        } else if self.flush_each_write.load(Ordering::SeqCst)
            || self.unflushed.fetch_add(1, Ordering::SeqCst) + 1 >= super::BULK_FLUSH_WRITES
        {
            self.unflushed.store(0, Ordering::SeqCst);
            self.flush()?;
        }
        Ok(Some(entity))
    }

    /// The current state of entity `id` of kind `A`, if it exists.
    pub fn get<A: Aggregate>(&self, id: u64) -> Result<Option<Entity<A>>, StoreError> {
        self.recover::<A>()?;
        let tree = self.state_tree(A::KIND)?;
        match tree.get(id_key(id)).map_err(|e| self.engine(e))? {
            None => Ok(None),
            Some(v) => {
                let (seq, state) = decode_state::<A>(id, &v).map_err(|w| self.corrupt(w))?;
                Ok(Some(Entity { id, seq, state }))
            }
        }
    }

    /// Every entity of kind `A`, by id.
    pub fn all<A: Aggregate>(&self) -> Result<Vec<Entity<A>>, StoreError> {
        self.recover::<A>()?;
        let tree = self.state_tree(A::KIND)?;
        let mut out = Vec::new();
        for kv in tree.iter() {
            let (k, v) = kv.map_err(|e| self.engine(e))?;
            let id = be_u64(&k)
                .ok_or_else(|| self.corrupt(format!("state.{} key {k:?} is not an id", A::KIND)))?;
            let (seq, state) = decode_state::<A>(id, &v).map_err(|w| self.corrupt(w))?;
            out.push(Entity { id, seq, state });
        }
        Ok(out)
    }

    /// The events of entity `id` of kind `A`, in order (empty when it does not exist).
    pub fn events<A: Aggregate>(&self, id: u64) -> Result<Vec<Recorded<A::Event>>, StoreError> {
        let mut out = Vec::new();
        for kv in self.handles().events.scan_prefix(entity_prefix(A::KIND, id)) {
            let (k, v) = kv.map_err(|e| self.engine(e))?;
            out.push(self.decode_event::<A>(id, &k, &v)?);
        }
        Ok(out)
    }

    fn decode_event<A: Aggregate>(
        &self,
        id: u64,
        key: &[u8],
        value: &[u8],
    ) -> Result<Recorded<A::Event>, StoreError> {
        let seq = parse_event_key(key).map_or(0, |(_, _, s)| s);
        let rec: Recorded<A::Event> = serde_json::from_slice(value).map_err(|e| {
            self.corrupt(format!("event {} {id} #{seq} does not deserialize: {e}", A::KIND))
        })?;
        if rec.seq != seq {
            return Err(self.corrupt(format!(
                "event {} {id} #{seq} says it is #{}",
                A::KIND,
                rec.seq
            )));
        }
        Ok(rec)
    }

    /// Rebuilds the state of entity `id` from its events (removes it when it has none).
    /// Returns whether it exists.
    fn replay_entity<A: Aggregate>(&self, tree: &sled::Tree, id: u64) -> Result<bool, StoreError> {
        let mut state: Option<A> = None;
        let mut last = 0;
        for kv in self.handles().events.scan_prefix(entity_prefix(A::KIND, id)) {
            let (k, v) = kv.map_err(|e| self.engine(e))?;
            let rec = self.decode_event::<A>(id, &k, &v)?;
            state = Some(A::apply(id, state, &rec).map_err(|m| {
                self.corrupt(format!("event {} {id} #{} does not apply: {m}", A::KIND, rec.seq))
            })?);
            last = rec.seq;
        }
        let r = match &state {
            Some(s) => {
                let v = encode_state(last, s).map_err(|w| self.corrupt(w))?;
                tree.insert(id_key(id), v).map(|_| ())
            }
            None => tree.remove(id_key(id)).map(|_| ()),
        };
        r.map_err(|e| self.engine(e))?;
        Ok(state.is_some())
    }

    /// Replays the entities of kind `A` found stale at open (first use of the kind).
    fn recover<A: Aggregate>(&self) -> Result<(), StoreError> {
        let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        let Some(ids) = stale.get(A::KIND).cloned() else {
            return Ok(());
        };
        let tree = self.state_tree(A::KIND)?;
        for id in &ids {
            self.replay_entity::<A>(&tree, *id)?;
        }
        self.flush()?;
        stale.remove(A::KIND);
        Ok(())
    }

    /// Rebuilds the whole current-state tree of kind `A` from the log (recovery, or after a
    /// change of the fold). Returns the number of entities.
    pub fn replay<A: Aggregate>(&self) -> Result<usize, StoreError> {
        let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        let h = self.handles();
        let tree = self.state_tree(A::KIND)?;
        let mut ids = BTreeSet::new();
        for kv in tree.iter().keys() {
            let k = kv.map_err(|e| self.engine(e))?;
            ids.extend(be_u64(&k));
        }
        let mut from = entity_prefix(A::KIND, 0);
        let end = entity_end(A::KIND, u64::MAX);
        while let Some(kv) = h.events.range(from.as_slice()..end.as_slice()).next() {
            let (k, _) = kv.map_err(|e| self.engine(e))?;
            let Some((_, id, _)) = parse_event_key(&k) else { break };
            ids.insert(id);
            from = entity_end(A::KIND, id);
        }
        let mut entities = 0;
        for id in &ids {
            entities += usize::from(self.replay_entity::<A>(&tree, *id)?);
        }
        self.flush()?;
        stale.remove(A::KIND);
        Ok(entities)
    }

    /// Test support: appends an event to the log **without** updating the state, as a crash
    /// between the two writes would leave it. Returns its sequence number.
    #[doc(hidden)]
    pub fn debug_append_log_only<A: Aggregate>(
        &self,
        id: u64,
        author: &str,
        reason: &str,
        event: A::Event,
    ) -> Result<u64, StoreError> {
        let h = self.handles();
        let last = h
            .events
            .scan_prefix(entity_prefix(A::KIND, id))
            .next_back()
            .transpose()
            .map_err(|e| self.engine(e))?
            .and_then(|(k, _)| parse_event_key(&k).map(|(_, _, s)| s))
            .unwrap_or(0);
        let rec = Recorded {
            seq: last + 1,
            time_s: self.clock.now_s(),
            author: author.to_string(),
            reason: reason.to_string(),
            event,
        };
        let json = serde_json::to_vec(&rec).map_err(|e| self.corrupt(e.to_string()))?;
        self.tainted.store(true, std::sync::atomic::Ordering::SeqCst);
        let key = event_key(A::KIND, id, rec.seq);
        (&h.meta, &h.feed)
            .transaction(|(meta, feed)| {
                super::feed::push(meta, feed, &key)?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => self.engine(e),
                TransactionError::Abort(()) => {
                    self.corrupt("the feed could not be extended".into())
                }
            })?;
        h.events.insert(key, json).map_err(|e| self.engine(e))?;
        self.flush()?;
        Ok(rec.seq)
    }

    /// Test support: writes raw bytes as event `seq` of an entity (a hand-edited log).
    #[doc(hidden)]
    pub fn debug_put_raw_event(
        &self,
        kind: &str,
        id: u64,
        seq: u64,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.tainted.store(true, std::sync::atomic::Ordering::SeqCst);
        self.handles()
            .events
            .insert(event_key(kind, id, seq), value)
            .map_err(|e| self.engine(e))?;
        self.flush()
    }

    /// Test support: forgets every cached state of a kind, as a lost state tree would.
    #[doc(hidden)]
    pub fn debug_clear_state(&self, kind: &str) -> Result<(), StoreError> {
        self.tainted.store(true, std::sync::atomic::Ordering::SeqCst);
        self.state_tree(kind)?.clear().map_err(|e| self.engine(e))?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_kind_then_id_then_sequence() {
        let mut keys = [
            event_key("outage", 2, 1),
            event_key("outage", 1, 10),
            event_key("outage", 1, 2),
            event_key("outage_x", 0, 0),
            event_key("crew", 9, 9),
            event_key("outage", 256, 1),
        ];
        keys.sort();
        let parsed: Vec<_> = keys.iter().map(|k| parse_event_key(k).expect("a key")).collect();
        assert_eq!(
            parsed,
            vec![
                ("crew", 9, 9),
                ("outage", 1, 2),
                ("outage", 1, 10),
                ("outage", 2, 1),
                ("outage", 256, 1),
                ("outage_x", 0, 0),
            ]
        );
        assert!(entity_prefix("outage", 1) < event_key("outage", 1, 0));
        assert!(entity_end("outage", 1) > event_key("outage", 1, u64::MAX));
        assert!(entity_end("outage", u64::MAX) > event_key("outage", u64::MAX, u64::MAX));
        assert!(entity_end("outage", u64::MAX) < event_key("outage_x", 0, 0));
    }

    #[test]
    fn foreign_keys_are_not_event_keys() {
        assert_eq!(parse_event_key(b""), None);
        assert_eq!(parse_event_key(b"outage"), None);
        assert_eq!(parse_event_key(b"Outage\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x01"), None);
        assert_eq!(parse_event_key(b"outage\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0"), None);
    }

    #[test]
    fn a_state_value_carries_its_sequence() {
        let v = encode_state(7, &serde_json::json!({"a": 1})).expect("encodes");
        assert!(state_is_at(&v, 7));
        assert!(!state_is_at(&v, 8));
        assert!(!state_is_at(&v[..10], 7));
        assert!(!state_is_at(b"1234", 7));
    }
}
