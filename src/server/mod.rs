//! `gridcare serve`: the HTTP/JSON channel service (WeChat, app, web, SMS) over the same
//! store and engine the CLI and the desktop app use.
//!
//! * `POST /api/v1/messages` — a message from a customer ([`parse_message`]): a fault report
//!   becomes a repair ticket through [`crate::workorder::RepairDesk::take_call`] (duplicate
//!   merge included), a reply to a consultation letter is recorded on its scenario
//!   ([`crate::planning::ScenarioBook::record_reply`]), anything else is answered with the
//!   customer's status; a message holding a sensitive word raises an alert;
//! * `GET /api/v1/customers/{account}/status`, `GET /api/v1/customers/status?phone=` — what
//!   an operator would answer ([`customer_status`]): open outages covering the customer with
//!   ETR and latest change, and their tickets' progress;
//! * `POST /api/v1/subscriptions`, `DELETE /api/v1/subscriptions/{id}` — outage notices per
//!   customer and channel ([`Subscription`]);
//! * `POST /api/v1/meter-events` — smart-meter last gasps and power restores from the
//!   metering head-end ([`parse_meter_events`], [`crate::outage::meter::record_meter_events`]),
//!   for an `ami` token;
//! * `GET /api/v1/customers/{account}/interactions` — the customer's timeline across
//!   channels ([`Interaction`]), for an operator token;
//! * `GET /api/v1/alerts` — the sensitive-word alerts messages raised
//!   ([`crate::channels::alert`]), for an operator token;
//! * `GET /api/v1/feed?after=N&limit=L&wait_s=W` — the store's change feed
//!   ([`crate::store::FeedPage`]) up to what is on disk, for an operator token: a workstation
//!   keeps its replica with it; with `wait_s` the request waits (at most 30 s) for a change;
//! * `POST /api/v1/ops` — a workstation's write ([`crate::ops::Operation`], with its
//!   `author`), applied by [`crate::ops::execute`] as the embedded app applies it, for an
//!   operator token ([`OpReply`]);
//! * `GET/POST /api/v1/tokens`, `DELETE /api/v1/tokens/{id}` — channel tokens, with an
//!   admin token;
//! * `GET /api/v1/openapi.json` — the OpenAPI 3.1 document ([`OPENAPI_JSON`]).
//!
//! Every request but the OpenAPI document carries `Authorization: Bearer <token>`; each
//! channel has its own tokens ([`add_token`]), kept as their SHA-256 and revocable. 401: no
//! token or an unknown one; 403: revoked, or a token of another channel than the request
//! says; 429 with `Retry-After` past the token's rate ([`RateLimit`]); 413 past the body
//! limit; 400 with `{"error": "text: missing"}` for a body that does not fit the schema.
//! Nothing is stored for a refused request.
//!
//! Every message and status query is an [`Interaction`] in the store (what came in, on which
//! channel, and the answer), so one customer's timeline spans the channels. A request is
//! answered only after what it wrote is flushed. One engine thread owns the store and
//! applies the requests in arrival order; under load it applies every request waiting (up
//! to [`ServeConfig::max_batch`]) and flushes once for all of them (group commit), then
//! answers them.

mod answer;
mod engine;
mod error;
mod intake;
mod loadtest;
mod message;
#[cfg(feature = "remote")]
mod replica_bench;
use crate::channels::records;
mod routes;
mod tokens;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

pub use answer::{
    customer_status, customer_status_with, repair_answer, CustomerStatus, OutageAnswer,
    TicketAnswer,
};
pub use engine::{
    EngineStats, MessageReply, MeterReply, OpReply, StatusReply, SubscriptionReply, TokenReply,
};
pub use error::{ApiError, ServerError};
pub use loadtest::{load_test, LoadReport, LoadSpec};
pub use message::{
    guess_intent, parse_customer, parse_message, parse_meter_events, parse_subscription,
    ChannelMessage, SchemaError, SubscriptionRequest, MAX_ID_BYTES, MAX_METER_EVENTS,
    MAX_TEXT_CHARS, REPAIR_WORDS,
};
pub use records::{
    store_kinds, Answer, BindingEvent, ChannelBinding, ChannelToken, CustomerRef, Intent,
    Interaction, InteractionEvent, InteractionKind, Subscription, SubscriptionEvent, TokenEvent,
    TOKEN_CHANNELS,
};
#[cfg(feature = "remote")]
pub use replica_bench::replica_figures;
pub use routes::{route_list, OPENAPI_JSON};
pub use tokens::{
    add_token, hex, list_tokens, revoke_token, token_digest, Bucket, NewToken, RateLimit,
};

use crate::grid::Grid;
use crate::store::Store;
use crate::workorder::SlaPolicy;

/// The default address: loopback only, port 8598 (for 95598).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8598";

/// How the service runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen (default loopback, [`DEFAULT_LISTEN`]; port 0 picks a free one).
    pub listen: SocketAddr,
    /// The largest request body, bytes (413 past it).
    pub max_body_bytes: usize,
    /// Per-token rate limit.
    pub rate: RateLimit,
    /// At most this many requests share one flush of the store.
    pub max_batch: usize,
    /// Requests waiting for the engine before handlers wait too.
    pub queue: usize,
    /// HTTP worker threads.
    pub workers: usize,
    /// Stop on Ctrl-C or SIGTERM (the command; not in tests).
    pub stop_on_signal: bool,
    /// The sensitive-word lexicon (default: the embedded `resources/channels/lexicon.json`).
    pub lexicon: Option<std::path::PathBuf>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8598)),
            max_body_bytes: 16 * 1024,
            rate: RateLimit::default(),
            max_batch: 512,
            queue: 4096,
            workers: 2,
            stop_on_signal: false,
            lexicon: None,
        }
    }
}

/// A running service. [`Server::stop`] stops it and closes the store; dropping it does the
/// same without reporting errors.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), ServerError>>>,
    stats: Arc<EngineStats>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish_non_exhaustive()
    }
}

#[cfg(unix)]
async fn signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn signal() {
    let _ = tokio::signal::ctrl_c().await;
}

impl Server {
    /// Starts the service over `store` (which it owns until stopped) and returns once it
    /// listens.
    pub fn start(
        grid: Arc<Grid>,
        store: Store,
        policy: SlaPolicy,
        config: ServeConfig,
    ) -> Result<Server, ServerError> {
        let stats = Arc::new(EngineStats::default());
        let (engine, tokens) = engine::Engine::open(
            grid,
            Arc::new(store),
            policy,
            config.lexicon.as_deref(),
            stats.clone(),
            config.max_batch,
        )?;
        let durable = engine.durable.subscribe();
        let feed_store = engine.store.clone();
        let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
        let listen_err = |source| ServerError::Listen { addr: config.listen.to_string(), source };
        let listener = std::net::TcpListener::bind(config.listen).map_err(listen_err)?;
        listener.set_nonblocking(true).map_err(listen_err)?;
        let addr = listener.local_addr().map_err(listen_err)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.workers.max(1))
            .thread_name("gridcare-http")
            .enable_all()
            .build()
            .map_err(ServerError::Runtime)?;
        let (jobs, queue) = mpsc::channel(config.queue.max(1));
        let engine = std::thread::Builder::new()
            .name("gridcare-engine".into())
            .spawn(move || engine.run(queue))
            .map_err(ServerError::Runtime)?;
        let shared = Arc::new(routes::Shared {
            jobs,
            tokens,
            buckets: Mutex::new(HashMap::new()),
            config: config.clone(),
            store: feed_store,
            durable,
            stopping,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let on_signal = config.stop_on_signal;
        let thread = std::thread::Builder::new()
            .name("gridcare-serve".into())
            .spawn(move || {
                let served = runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    // An engine that stopped (its store failed) stops the service too.
                    let watch = shared.jobs.clone();
                    let app = routes::router(shared);
                    let until = async move {
                        let signalled = async {
                            if on_signal {
                                signal().await
                            } else {
                                std::future::pending().await
                            }
                        };
                        tokio::select! {
                            _ = stopped => {}
                            _ = signalled => {}
                            _ = watch.closed() => {}
                        }
                        // feed readers waiting for a change answer now
                        stopping_tx.send_replace(true);
                    };
                    axum::serve(listener, app).with_graceful_shutdown(until).await
                });
                drop(runtime);
                let engine = engine
                    .join()
                    .unwrap_or_else(|_| Err(ServerError::Engine("it panicked".into())));
                served.map_err(|source| ServerError::Listen { addr: addr.to_string(), source })?;
                engine
            })
            .map_err(ServerError::Runtime)?;
        Ok(Server { addr, stop: Some(stop), thread: Some(thread), stats })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The engine's counters (requests, batches, flushes).
    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// Stops taking connections, finishes the requests in flight, closes the store.
    pub fn stop(mut self) -> Result<(), ServerError> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.join()
    }

    /// Runs until Ctrl-C or SIGTERM (with [`ServeConfig::stop_on_signal`]), then stops as
    /// [`Server::stop`] does.
    pub fn wait(mut self) -> Result<(), ServerError> {
        self.join()
    }

    fn join(&mut self) -> Result<(), ServerError> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or_else(|_| Err(ServerError::Engine("it panicked".into()))),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = self.join();
    }
}

#[cfg(test)]
mod tests;
