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

use super::answer::{customer_status_with, repair_answer, CustomerStatus};
use super::error::{ApiError, ServerError};
use super::message::{guess_intent, ChannelMessage, SubscriptionRequest};
use super::records::{
    Answer, BindingEvent, ChannelBinding, ChannelToken, CustomerRef, Intent, Interaction,
    InteractionEvent, InteractionKind, Subscription, SubscriptionEvent, TOKEN_CHANNELS,
};
use super::tokens::{add_token, revoke_token, unhex32};
use crate::channels::alert::{Alert, AlertBook};
use crate::channels::outbox::Channel;
use crate::grid::Grid;
use crate::model::CustomerId;
use crate::outage::{find_caller, OutageBook, OutageError};
use crate::planning::{ScenarioBook, ScenarioId};
use crate::store::{Store, StoreError};
use crate::workorder::{Caller, RepairCall, RepairDesk, TicketError, TicketId};

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
    fn author(&self) -> String {
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
    RevokeToken { from: From, id: u64, reply: Reply<ChannelToken> },
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

fn store_error(e: StoreError) -> ApiError {
    ApiError::unavailable(format!("store: {e}"))
}

fn ticket_error(e: TicketError) -> ApiError {
    match e {
        TicketError::Store(e) => store_error(e),
        other => ApiError::unprocessable(format!("customer: {other}")),
    }
}

/// The ticket channel of a message channel.
fn ticket_channel(c: Channel) -> crate::workorder::Channel {
    use crate::workorder::Channel as T;
    match c {
        Channel::Wechat => T::Wechat,
        Channel::Sms => T::Sms,
        Channel::App => T::App,
        Channel::Web => T::Web,
    }
}

/// The engine: the one owner of the store while the server runs.
pub(super) struct Engine {
    grid: Arc<Grid>,
    store: Arc<Store>,
    outages: OutageBook,
    desk: RepairDesk,
    alerts: AlertBook,
    scenarios: ScenarioBook,
    tokens: Arc<TokenTable>,
    stats: Arc<EngineStats>,
    /// (channel, openid) → (binding id, account).
    bindings: HashMap<(Channel, String), (u64, String)>,
    /// (account, channel) → subscription id.
    subscriptions: HashMap<(String, Channel), u64>,
    /// (channel, message id) → interaction id.
    seen: HashMap<(Channel, String), u64>,
    /// account → its tickets (the server is the only writer while it runs).
    tickets_of: HashMap<String, Vec<TicketId>>,
    max_batch: usize,
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
        let desk = RepairDesk::open(store.clone(), policy)?;
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
        let seen = store
            .all::<Interaction>()?
            .into_iter()
            .filter_map(|e| Some(((e.state.channel, e.state.message_id?), e.id)))
            .collect();
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
            max_batch: max_batch.max(1),
        };
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
            Job::RevokeToken { from, id, reply } => {
                let r = self.revoke_token(from, id);
                pending(self, before, reply, r)
            }
        }
    }

    /// The customer a channel names, and the binding to record when an openid came with an
    /// account or phone it was not bound to yet.
    fn resolve(
        &self,
        who: &CustomerRef,
        channel: Channel,
    ) -> Result<(CustomerId, Option<BindingEvent>), ApiError> {
        let grid = &self.grid;
        let by_number = |field: &str, text: &str| -> Result<Vec<CustomerId>, ApiError> {
            match find_caller(grid, text) {
                Ok(found) => Ok(found),
                Err(OutageError::UnknownCaller { .. }) => Ok(Vec::new()),
                Err(e) => Err(ApiError::unprocessable(format!("customer.{field}: {e}"))),
            }
        };
        let customer = if let Some(account) = &who.account {
            let found = by_number("account", account)?;
            let exact =
                found.into_iter().find(|c| grid.model.customers[c.index()].account_no == *account);
            exact.ok_or_else(|| {
                ApiError::not_found(format!("customer.account: no customer has account {account}"))
            })?
        } else if let Some(phone) = &who.phone {
            match by_number("phone", phone)?.as_slice() {
                [] => {
                    return Err(ApiError::not_found(format!(
                        "customer.phone: no customer has phone {phone}"
                    )))
                }
                [one] => *one,
                many => {
                    return Err(ApiError::unprocessable(format!(
                        "customer.phone: {} accounts have phone {phone}; send the account",
                        many.len()
                    )))
                }
            }
        } else if let Some(openid) = &who.openid {
            let Some((_, account)) = self.bindings.get(&(channel, openid.clone())) else {
                return Err(ApiError::not_found(format!(
                    "customer.openid: {openid} is not bound to an account on {channel}; send the \
                     account or phone with it once"
                )));
            };
            let found = by_number("openid", account)?;
            found
                .into_iter()
                .find(|c| grid.model.customers[c.index()].account_no == *account)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "customer.openid: bound to account {account}, which this model lacks"
                    ))
                })?
        } else {
            return Err(ApiError::bad_request("customer: give account, phone or openid"));
        };
        let account = &grid.model.customers[customer.index()].account_no;
        let bind = match &who.openid {
            Some(openid) if who.account.is_some() || who.phone.is_some() => {
                match self.bindings.get(&(channel, openid.clone())) {
                    Some((_, bound)) if bound == account => None,
                    _ => Some(BindingEvent::Bound {
                        channel,
                        openid: openid.clone(),
                        account: account.clone(),
                    }),
                }
            }
            _ => None,
        };
        Ok((customer, bind))
    }

    /// The customer's status, their tickets from the index.
    fn customer_status(&self, c: CustomerId) -> (CustomerStatus, Answer) {
        let account = &self.grid.model.customers[c.index()].account_no;
        let ids = self.tickets_of.get(account).map_or(&[][..], Vec::as_slice);
        let tickets = ids.iter().filter_map(|id| self.desk.ticket(*id).ok());
        customer_status_with(&self.grid, &self.outages, &self.desk, c, tickets)
    }

    fn bind(&mut self, from: &From, bind: Option<BindingEvent>) -> Result<(), ApiError> {
        let Some(event) = bind else { return Ok(()) };
        let BindingEvent::Bound { channel, openid, .. } = &event;
        let key = (*channel, openid.clone());
        let author = from.author();
        let e = match self.bindings.get(&key) {
            Some((id, _)) => self.store.append::<ChannelBinding>(*id, &author, "rebound", event),
            None => self.store.create::<ChannelBinding>(&author, "bound", event),
        }
        .map_err(store_error)?;
        self.bindings.insert(key, (e.id, e.state.account));
        Ok(())
    }

    fn message_channel(from: &From, claimed: Channel) -> Result<Channel, ApiError> {
        match from.channel {
            Some(c) if c == claimed => Ok(c),
            Some(c) => Err(ApiError::forbidden(format!(
                "channel: the token is for {c}, the request says {claimed}"
            ))),
            None => Err(ApiError::forbidden(format!(
                "authorization: an {} token speaks for no channel",
                from.word
            ))),
        }
    }

    fn message(&mut self, from: From, msg: ChannelMessage) -> Result<MessageReply, ApiError> {
        let channel = Engine::message_channel(&from, msg.channel)?;
        if let Some(mid) = &msg.message_id {
            if let Some(id) = self.seen.get(&(channel, mid.clone())) {
                let i =
                    self.store.get::<Interaction>(*id).map_err(store_error)?.ok_or_else(|| {
                        ApiError::unavailable(format!("interaction {id} is gone"))
                    })?;
                return Ok(MessageReply {
                    interaction: i.id,
                    account: i.state.account,
                    intent: i.state.intent,
                    duplicate: true,
                    alert: i.state.alert,
                    answer: i.state.answer,
                    notes: vec![format!("message_id {mid} was answered before")],
                });
            }
        }
        let (customer, bind) = self.resolve(&msg.customer, channel)?;
        let account = self.grid.model.customers[customer.index()].account_no.clone();
        let intent = msg.intent.unwrap_or_else(|| guess_intent(&msg.text, msg.reply_to.as_deref()));
        // Sensitive-word screening (敏感词预警): read now, written only once the message is
        // accepted, so a refused message raises nothing.
        let screening = self.alerts.check(&msg.text);
        let mut notes = Vec::new();
        let answer = match intent {
            Intent::Repair => {
                let call = RepairCall {
                    caller: Caller::Number(account.clone()),
                    phone: msg.customer.phone.clone(),
                    channel: ticket_channel(channel),
                    description: msg.text.clone(),
                    author: from.author(),
                };
                let out =
                    self.desk.take_call(&self.grid, &self.outages, call).map_err(ticket_error)?;
                if let Some(a) = &out.ticket.site.account {
                    self.tickets_of.entry(a.clone()).or_default().push(out.ticket.id);
                }
                repair_answer(&out)
            }
            Intent::ConsultationReply => {
                let reply_to = msg.reply_to.as_deref().unwrap_or("");
                let scenario = reply_to
                    .strip_prefix("scenario:")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .ok_or_else(|| {
                        ApiError::unprocessable(format!(
                            "reply_to: `{reply_to}` names no consultation (scenario:N)"
                        ))
                    })?;
                let s = self
                    .scenarios
                    .record_reply(
                        &self.grid,
                        ScenarioId(scenario),
                        &account,
                        &msg.text,
                        channel.as_str(),
                        &from.author(),
                    )
                    .map_err(|e| match e {
                        crate::planning::ConsultError::Outage(OutageError::Store(e))
                        | crate::planning::ConsultError::Planning(
                            crate::planning::PlanningError::Store(e),
                        ) => store_error(e),
                        other => ApiError::unprocessable(format!("reply_to: {other}")),
                    })?;
                notes.push(format!("answer recorded on scenario {} ({})", s.id, s.name));
                Answer {
                    text: format!("已收到您对「{}」停电征询的回复，谢谢您的配合。", s.name),
                    ..Answer::default()
                }
            }
            Intent::Inquiry | Intent::Other => self.customer_status(customer).1,
        };
        self.bind(&from, bind)?;
        let alert = if screening.is_clean() {
            None
        } else {
            let a = self
                .alerts
                .raise(
                    &msg.text,
                    channel.as_str(),
                    Some(&account),
                    screening.hits,
                    &from.author(),
                    "screened on arrival",
                )
                .map_err(|e| ApiError::unavailable(format!("alerts: {e}")))?;
            Some(a.id.0)
        };
        let interaction = Interaction {
            id: 0,
            account: account.clone(),
            channel,
            customer: msg.customer,
            kind: InteractionKind::Message,
            intent,
            text: msg.text,
            pos: msg.pos,
            sent_s: msg.sent_s,
            received_s: self.store.now_s(),
            message_id: msg.message_id.clone(),
            reply_to: msg.reply_to,
            answer,
            token: from.token,
            alert,
        };
        let event = InteractionEvent::Answered { interaction: Box::new(interaction) };
        let e = self
            .store
            .create::<Interaction>(&from.author(), "message", event)
            .map_err(store_error)?;
        if let Some(mid) = msg.message_id {
            self.seen.insert((channel, mid), e.id);
        }
        Ok(MessageReply {
            interaction: e.id,
            account,
            intent,
            duplicate: false,
            alert: e.state.alert,
            answer: e.state.answer,
            notes,
        })
    }

    fn status(&mut self, from: From, query: StatusQuery) -> Result<Vec<StatusReply>, ApiError> {
        let Some(channel) = from.channel else {
            return Err(ApiError::forbidden(format!(
                "authorization: an {} token speaks for no channel",
                from.word
            )));
        };
        let (who, customers) = match &query {
            StatusQuery::Account(a) => {
                let who = CustomerRef { account: Some(a.clone()), ..CustomerRef::default() };
                let (c, _) = self.resolve(&who, channel)?;
                (who, vec![c])
            }
            StatusQuery::Openid(o) => {
                let who = CustomerRef { openid: Some(o.clone()), ..CustomerRef::default() };
                let (c, _) = self.resolve(&who, channel)?;
                (who, vec![c])
            }
            StatusQuery::Phone(p) => {
                let who = CustomerRef { phone: Some(p.clone()), ..CustomerRef::default() };
                let found = match find_caller(&self.grid, p) {
                    Ok(found) => found,
                    Err(OutageError::UnknownCaller { .. }) => Vec::new(),
                    Err(e) => return Err(ApiError::bad_request(format!("phone: {e}"))),
                };
                if found.is_empty() {
                    return Err(ApiError::not_found(format!("phone: no customer has phone {p}")));
                }
                (who, found)
            }
        };
        let mut out = Vec::new();
        for c in customers {
            let (status, answer) = self.customer_status(c);
            let interaction = Interaction {
                id: 0,
                account: status.account.clone(),
                channel,
                customer: who.clone(),
                kind: InteractionKind::StatusQuery,
                intent: Intent::Inquiry,
                text: String::new(),
                pos: None,
                sent_s: None,
                received_s: self.store.now_s(),
                message_id: None,
                reply_to: None,
                answer,
                token: from.token,
                alert: None,
            };
            let event = InteractionEvent::Answered { interaction: Box::new(interaction) };
            let e = self
                .store
                .create::<Interaction>(&from.author(), "status query", event)
                .map_err(store_error)?;
            out.push(StatusReply { interaction: e.id, status });
        }
        Ok(out)
    }

    fn subscribe(
        &mut self,
        from: From,
        req: SubscriptionRequest,
    ) -> Result<SubscriptionReply, ApiError> {
        let channel = Engine::message_channel(&from, req.channel)?;
        let (customer, bind) = self.resolve(&req.customer, channel)?;
        let account = self.grid.model.customers[customer.index()].account_no.clone();
        let address = if !req.address.is_empty() {
            req.address.clone()
        } else {
            match channel {
                Channel::Wechat => req.customer.openid.clone().unwrap_or_default(),
                Channel::Sms => req.customer.phone.clone().unwrap_or_default(),
                Channel::App | Channel::Web => String::new(),
            }
        };
        let key = (account.clone(), channel);
        let existing = match self.subscriptions.get(&key) {
            Some(id) => self.store.get::<Subscription>(*id).map_err(store_error)?,
            None => None,
        };
        if let Some(s) = existing.as_ref().filter(|s| s.state.active) {
            return Ok(SubscriptionReply { changed: false, subscription: s.state.clone() });
        }
        self.bind(&from, bind)?;
        let event = SubscriptionEvent::Subscribed { account, channel, address };
        let author = from.author();
        let e = match existing {
            Some(s) => self.store.append::<Subscription>(s.id, &author, "subscribed again", event),
            None => self.store.create::<Subscription>(&author, "subscribed", event),
        }
        .map_err(store_error)?;
        self.subscriptions.insert(key, e.id);
        Ok(SubscriptionReply { changed: true, subscription: e.state })
    }

    fn unsubscribe(&mut self, from: From, id: u64) -> Result<SubscriptionReply, ApiError> {
        let Some(s) = self.store.get::<Subscription>(id).map_err(store_error)? else {
            return Err(ApiError::not_found(format!("subscription {id}: there is none")));
        };
        Engine::message_channel(&from, s.state.channel)?;
        if !s.state.active {
            return Ok(SubscriptionReply { changed: false, subscription: s.state });
        }
        let e = self
            .store
            .append::<Subscription>(id, &from.author(), "cancelled", SubscriptionEvent::Cancelled)
            .map_err(store_error)?;
        Ok(SubscriptionReply { changed: true, subscription: e.state })
    }

    fn add_token(
        &mut self,
        from: From,
        channel: &str,
        label: &str,
    ) -> Result<TokenReply, ApiError> {
        let new = add_token(&self.store, channel, label, &from.author()).map_err(|e| match e {
            ServerError::BadChannel(_) => ApiError::bad_request(format!("channel: {e}")),
            other => ApiError::unavailable(other.to_string()),
        })?;
        if let Some(d) = unhex32(&new.record.sha256) {
            let mut t = self.tokens.write().unwrap_or_else(|p| p.into_inner());
            t.insert(d, entry(&new.record));
        }
        Ok(TokenReply { token: new.token, record: new.record })
    }

    fn revoke_token(&mut self, from: From, id: u64) -> Result<ChannelToken, ApiError> {
        let t = revoke_token(&self.store, id, &from.author(), "revoked over HTTP").map_err(
            |e| match e {
                ServerError::NoToken(_) => ApiError::not_found(e.to_string()),
                ServerError::Revoked(_) => ApiError::unprocessable(e.to_string()),
                other => ApiError::unavailable(other.to_string()),
            },
        )?;
        if let Some(d) = unhex32(&t.sha256) {
            let mut table = self.tokens.write().unwrap_or_else(|p| p.into_inner());
            table.insert(d, entry(&t));
        }
        Ok(t)
    }
}

fn entry(t: &ChannelToken) -> TokenEntry {
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
