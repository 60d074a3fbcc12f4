//! The engine of `gridcare serve`: one thread owns the store, the outage book and the repair
//! desk, and applies the requests the HTTP handlers queue, in arrival order.
//!
//! **Group commit.** The store is in bulk mode (no flush per write); the engine takes every
//! request waiting (up to [`super::ServeConfig::max_batch`]), applies each — writes go to
//! sled's log in memory — then flushes once, and only then answers them all. A request is
//! thus acknowledged only after what it wrote is on disk, and under load one flush carries
//! many requests. When the flush fails, every request of the batch that wrote gets 503.
//!
//! **Nothing stored on an error.** Each request is checked (customer found, call
//! locatable) before its first write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use super::answer::CustomerStatus;
use super::error::{ApiError, ServerError};
use super::message::{ChannelMessage, SubscriptionRequest};
use super::tokens::unhex32;
use crate::channels::alert::{Alert, AlertBook};
use crate::channels::outbox::Channel;
use crate::channels::records::{
    Answer, ChannelBinding, ChannelToken, Intent, Interaction, Subscription, TOKEN_CHANNELS,
};
use crate::grid::Grid;
use crate::outage::OutageBook;
use crate::planning::ScenarioBook;
use crate::store::{Store, StoreError};
use crate::workorder::{RepairDesk, TicketId};

/// A reply to one request.
pub(super) type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// The token a request came with, once checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct From {
    /// The token's number.
    pub token: u64,
    /// Its channel (`None`: an operator or admin token).
    pub channel: Option<Channel>,
    /// Its channel word (`wechat`, …, `operator`, `admin`).
    pub word: &'static str,
}

impl From {
    pub(super) fn author(&self) -> String {
        format!("{}#{}", self.word, self.token)
    }
}

/// A token as the HTTP handlers check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TokenEntry {
    pub id: u64,
    pub channel: Option<Channel>,
    pub word: &'static str,
    pub revoked: bool,
}

/// The tokens by SHA-256, shared by the engine (which changes them) and the handlers.
pub(super) type TokenTable = RwLock<HashMap<[u8; 32], TokenEntry>>;

/// Counters for the load test.
#[derive(Debug, Default)]
pub struct EngineStats {
    /// Requests applied.
    pub jobs: AtomicU64,
    /// Batches (one flush at most each).
    pub batches: AtomicU64,
    /// Flushes.
    pub flushes: AtomicU64,
}

/// Who a status query is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum StatusQuery {
    /// An account number (the path).
    Account(String),
    /// A phone (`?phone=`).
    Phone(String),
    /// A channel user id (`?openid=`).
    Openid(String),
}

/// The answer to a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageReply {
    /// The interaction recorded.
    pub interaction: u64,
    /// The customer's account.
    pub account: String,
    /// What the message was taken as.
    pub intent: Intent,
    /// True when the channel sent this message (same `message_id`) before: the first answer
    /// again, nothing recorded.
    pub duplicate: bool,
    /// The answer.
    pub answer: Answer,
    /// The sensitive-word alert the message raised, for the operators (敏感词预警).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<u64>,
    /// What else happened (a consultation reply stored as an interaction only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A customer's status with the interaction it was recorded as.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReply {
    /// The interaction recorded.
    pub interaction: u64,
    /// The status.
    #[serde(flatten)]
    pub status: CustomerStatus,
}

/// A subscription and whether this request made it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubscriptionReply {
    /// True when the request made (or remade) it.
    pub changed: bool,
    /// The subscription.
    pub subscription: Subscription,
}

/// Meter events recorded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeterReply {
    /// How many.
    pub recorded: usize,
}

/// A token just made over HTTP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenReply {
    /// The token, shown this once.
    pub token: String,
    /// Its record.
    pub record: ChannelToken,
}

/// A request for the engine.
pub(super) enum Job {
    Message { from: From, msg: Box<ChannelMessage>, reply: Reply<MessageReply> },
    Status { from: From, query: StatusQuery, reply: Reply<Vec<StatusReply>> },
    Subscribe { from: From, req: SubscriptionRequest, reply: Reply<SubscriptionReply> },
    Unsubscribe { from: From, id: u64, reply: Reply<SubscriptionReply> },
    AddToken { from: From, channel: String, label: String, reply: Reply<TokenReply> },
    ListTokens { reply: Reply<Vec<ChannelToken>> },
    Alerts { all: bool, reply: Reply<Vec<Alert>> },
    Meters { from: From, records: Vec<crate::outage::meter::MeterRecord>, reply: Reply<MeterReply> },
    Timeline { account: String, limit: usize, reply: Reply<Vec<Interaction>> },
    RevokeToken { from: From, id: u64, reply: Reply<ChannelToken> },
    Op { from: From, author: String, op: Box<crate::ops::Operation>, reply: Reply<OpReply> },
}

/// An operation applied for a workstation, and where the feed stood after it.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct OpReply {
    /// What it did.
    pub outcome: crate::ops::OpOutcome,
    /// The feed position of the store after it: a workstation whose replica has reached it
    /// shows the change.
    pub position: u64,
}

/// A result waiting for its batch's flush.
trait Finish: Send {
    fn finish(self: Box<Self>, flush_error: Option<&ApiError>);
}

struct Pending<T> {
    reply: Reply<T>,
    result: Result<T, ApiError>,
    wrote: bool,
}

impl<T: Send> Finish for Pending<T> {
    fn finish(self: Box<Self>, flush_error: Option<&ApiError>) {
        let result = match (flush_error, self.wrote) {
            (Some(e), true) => Err(e.clone()),
            _ => self.result,
        };
        // The client may have gone; its answer is then nobody's.
        let _ = self.reply.send(result);
    }
}

pub(super) fn store_error(e: StoreError) -> ApiError {
    ApiError::unavailable(format!("store: {e}"))
}

/// The engine: the one owner of the store while the server runs.
pub(super) struct Engine {
    pub(super) grid: Arc<Grid>,
    pub(super) store: Arc<Store>,
    pub(super) outages: OutageBook,
    pub(super) desk: RepairDesk,
    pub(super) alerts: AlertBook,
    pub(super) scenarios: ScenarioBook,
    pub(super) tokens: Arc<TokenTable>,
    pub(super) stats: Arc<EngineStats>,
    /// (channel, openid) → (binding id, account).
    pub(super) bindings: HashMap<(Channel, String), (u64, String)>,
    /// (account, channel) → subscription id.
    pub(super) subscriptions: HashMap<(String, Channel), u64>,
    /// (channel, message id) → interaction id.
    pub(super) seen: HashMap<(Channel, String), u64>,
    /// account → its tickets (the server is the only writer while it runs).
    pub(super) tickets_of: HashMap<String, Vec<TicketId>>,
    /// account → its interactions, oldest first.
    pub(super) interactions_of: HashMap<String, Vec<u64>>,
    pub(super) max_batch: usize,
    /// The feed position made durable, for the feed's readers (`GET /api/v1/feed`).
    pub(super) durable: tokio::sync::watch::Sender<u64>,
}

impl Engine {
    /// Reads what the server needs from the store: outages, tickets, tokens, bindings,
    /// subscriptions and the message ids already answered.
    pub(super) fn open(
        grid: Arc<Grid>,
        store: Arc<Store>,
        policy: crate::workorder::SlaPolicy,
        lexicon: Option<&std::path::Path>,
        stats: Arc<EngineStats>,
        max_batch: usize,
    ) -> Result<(Engine, Arc<TokenTable>), ServerError> {
        let outages = OutageBook::open(store.clone(), &grid)?;
        let mut desk = RepairDesk::open(store.clone(), policy)?;
        // the units' crews, as the desktop makes them on its first start: a server is where
        // the workstations send crews from
        desk.ensure_crews(&grid, "gridcare")?;
        let alerts = AlertBook::open_with_lexicon_file(store.clone(), lexicon)?;
        let scenarios = ScenarioBook::open(store.clone());
        let mut table = HashMap::new();
        for t in store.all::<ChannelToken>()? {
            if let Some(digest) = unhex32(&t.state.sha256) {
                table.insert(digest, entry(&t.state));
            }
        }
        let bindings = store
            .all::<ChannelBinding>()?
            .into_iter()
            .map(|e| ((e.state.channel, e.state.openid), (e.id, e.state.account)))
            .collect();
        let subscriptions = store
            .all::<Subscription>()?
            .into_iter()
            .map(|e| ((e.state.account, e.state.channel), e.id))
            .collect();
        let mut seen = HashMap::new();
        let mut interactions_of: HashMap<String, Vec<u64>> = HashMap::new();
        for e in store.all::<Interaction>()? {
            interactions_of.entry(e.state.account).or_default().push(e.id);
            if let Some(mid) = e.state.message_id {
                seen.insert((e.state.channel, mid), e.id);
            }
        }
        let mut tickets_of: HashMap<String, Vec<TicketId>> = HashMap::new();
        for t in desk.tickets() {
            if let Some(a) = &t.site.account {
                tickets_of.entry(a.clone()).or_default().push(t.id);
            }
        }
        let tokens = Arc::new(RwLock::new(table));
        let engine = Engine {
            grid,
            store,
            outages,
            desk,
            alerts,
            scenarios,
            tokens: tokens.clone(),
            stats,
            bindings,
            subscriptions,
            seen,
            tickets_of,
            interactions_of,
            max_batch: max_batch.max(1),
            durable: tokio::sync::watch::Sender::new(0),
        };
        engine.durable.send_replace(engine.store.feed_head()?);
        Ok((engine, tokens))
    }

    /// Applies requests until every sender is gone, then closes the store.
    pub(super) fn run(mut self, mut jobs: mpsc::Receiver<Job>) -> Result<(), ServerError> {
        self.store.set_flush_each_write(false);
        while let Some(first) = jobs.blocking_recv() {
            let before = self.store.revision();
            let mut done: Vec<Box<dyn Finish>> = vec![self.apply(first)];
            while done.len() < self.max_batch {
                match jobs.try_recv() {
                    Ok(job) => done.push(self.apply(job)),
                    Err(_) => break,
                }
            }
            self.stats.jobs.fetch_add(done.len() as u64, Ordering::Relaxed);
            self.stats.batches.fetch_add(1, Ordering::Relaxed);
            let mut flush_error = None;
            if self.store.revision() != before {
                self.stats.flushes.fetch_add(1, Ordering::Relaxed);
                flush_error = self.store.flush().err().map(store_error);
                if flush_error.is_none() {
                    // what is on disk may now be read from the feed
                    if let Ok(head) = self.store.feed_head() {
                        self.durable.send_replace(head);
                    }
                }
            }
            for d in done {
                d.finish(flush_error.as_ref());
            }
        }
        self.store.set_flush_each_write(true);
        let Engine { store, outages, desk, alerts, scenarios, .. } = self;
        drop((desk, outages, alerts, scenarios));
        match Arc::try_unwrap(store) {
            Ok(store) => store.close()?,
            Err(store) => store.flush()?,
        }
        Ok(())
    }

    fn apply(&mut self, job: Job) -> Box<dyn Finish> {
        fn pending<T: Send + 'static>(
            e: &Engine,
            before: u64,
            reply: Reply<T>,
            result: Result<T, ApiError>,
        ) -> Box<dyn Finish> {
            Box::new(Pending { reply, result, wrote: e.store.revision() != before })
        }
        let before = self.store.revision();
        match job {
            Job::Message { from, msg, reply } => {
                let r = self.message(from, *msg);
                pending(self, before, reply, r)
            }
            Job::Status { from, query, reply } => {
                let r = self.status(from, query);
                pending(self, before, reply, r)
            }
            Job::Subscribe { from, req, reply } => {
                let r = self.subscribe(from, req);
                pending(self, before, reply, r)
            }
            Job::Unsubscribe { from, id, reply } => {
                let r = self.unsubscribe(from, id);
                pending(self, before, reply, r)
            }
            Job::AddToken { from, channel, label, reply } => {
                let r = self.add_token(from, &channel, &label);
                pending(self, before, reply, r)
            }
            Job::ListTokens { reply } => {
                let r = super::tokens::list_tokens(&self.store)
                    .map_err(|e| ApiError::unavailable(e.to_string()));
                pending(self, before, reply, r)
            }
            Job::Alerts { all, reply } => {
                let r = if all { self.alerts.all() } else { self.alerts.open_alerts() };
                let r = r.map_err(|e| ApiError::unavailable(format!("alerts: {e}")));
                pending(self, before, reply, r)
            }
            Job::Meters { from, records, reply } => {
                let r = self.meters(from, records);
                pending(self, before, reply, r)
            }
            Job::Timeline { account, limit, reply } => {
                let r = self.timeline(&account, limit);
                pending(self, before, reply, r)
            }
            Job::RevokeToken { from, id, reply } => {
                let r = self.revoke_token(from, id);
                pending(self, before, reply, r)
            }
            Job::Op { from, author, op, reply } => {
                let r = self.operation(from, &author, &op);
                pending(self, before, reply, r)
            }
        }
    }
}

impl Engine {
    /// Applies a workstation's operation with [`crate::ops::execute`], as the embedded app
    /// does; recorded as `author (operator#N)`.
    fn operation(
        &mut self,
        from: From,
        author: &str,
        op: &crate::ops::Operation,
    ) -> Result<OpReply, ApiError> {
        let author = format!("{author} ({})", from.author());
        let mut desk = crate::ops::OpDesk {
            grid: &self.grid,
            outages: &mut self.outages,
            repairs: &mut self.desk,
            alerts: Some(&self.alerts),
        };
        let outcome = crate::ops::execute(&mut desk, op, &author).map_err(|e| ApiError {
            status: e.http_status(),
            message: format!("{}: {e}", op.kind()),
            retry_after_s: None,
        })?;
        // the status answers find a caller's tickets through this index
        if let Some(call) = &outcome.call {
            if let Some(a) = &call.ticket.site.account {
                let ids = self.tickets_of.entry(a.clone()).or_default();
                if !ids.contains(&call.ticket.id) {
                    ids.push(call.ticket.id);
                }
            }
        }
        let position = self.store.feed_head().map_err(store_error)?;
        Ok(OpReply { outcome, position })
    }
}

pub(super) fn entry(t: &ChannelToken) -> TokenEntry {
    let word = TOKEN_CHANNELS.into_iter().find(|w| *w == t.channel).unwrap_or("unknown");
    TokenEntry { id: t.id, channel: t.message_channel(), word, revoked: t.revoked_s.is_some() }
}

/// Sends a job and waits for its answer.
pub(super) async fn ask<T>(
    jobs: &mpsc::Sender<Job>,
    make: impl FnOnce(Reply<T>) -> Job,
) -> Result<T, ApiError> {
    let (tx, rx) = oneshot::channel();
    if jobs.send(make(tx)).await.is_err() {
        return Err(ApiError::unavailable("the server is stopping"));
    }
    rx.await.unwrap_or_else(|_| Err(ApiError::unavailable("the server's engine stopped")))
}
