//! The channel outbox (消息发件箱): every message GridCare owes a customer — a consultation
//! letter (意见书), a planned-outage notice, a change or restoration notice — is queued here
//! first, one message per customer and channel, and then handed to the channel's gateway.
//!
//! Rules, in one place:
//! * **No duplicates.** Each message carries a key naming what it is about (`outage:12:
//!   published`); queuing a key that is already in the outbox for the same customer and
//!   channel does nothing. So a publication that is retried after a crash, or a change
//!   announced twice, reaches each customer once.
//! * **Delivery state.** `queued` → `sent` (the gateway took it) → `delivered` (the gateway
//!   reported it on the customer's phone); a failed attempt is retried after 1, 4, 16 and
//!   64 minutes, and after [`MAX_ATTEMPTS`] attempts, or a permanent refusal (unknown
//!   recipient), the message is `failed` for good. Every step is an event in the store, with
//!   its time, so an operator sees what was sent and when.
//! * **Which channel.** [`channel_for`]: WeChat for a customer bound to the utility's WeChat
//!   account, else SMS to the first phone, else none (the operator has to call).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::Customer;
use crate::model::Labels;
use crate::store::{Aggregate, Recorded, Store, StoreError};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// Delivery outcomes recorded per flush.
pub const DELIVERY_CHUNK: usize = 100;

/// Wait after the first failed attempt; each later wait is four times the one before.
pub const FIRST_RETRY_S: i64 = 60;

/// A channel GridCare talks to customers on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The utility's WeChat service account (微信公众号).
    Wechat,
    /// Text message (短信).
    Sms,
    /// The utility's mobile app (网上国网).
    App,
    /// The web site.
    Web,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 4] = [Channel::Wechat, Channel::Sms, Channel::App, Channel::Web];

    /// Its word: `wechat`, `sms`, `app`, `web`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wechat => "wechat",
            Channel::Sms => "sms",
            Channel::App => "app",
            Channel::Web => "web",
        }
    }

    /// The channel of a word, case-insensitive.
    pub fn parse(word: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(word.trim()))
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The channel a notice to `customer` goes on: WeChat when bound, else SMS when there is a
/// phone, else none.
pub fn channel_for(customer: &Customer) -> Option<Channel> {
    if customer.labels.contains(Labels::WECHAT) {
        Some(Channel::Wechat)
    } else if customer.phones.iter().any(|p| !p.trim().is_empty()) {
        Some(Channel::Sms)
    } else {
        None
    }
}

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A consultation letter about a planned outage (征询意见书).
    Consultation,
    /// A planned outage is announced (停电通知).
    PlannedOutage,
    /// A fault outage is announced (故障停电通知).
    FaultOutage,
    /// An outage changed: delayed, new ETR, new scope.
    OutageChanged,
    /// Power is back.
    Restored,
}

impl MessageKind {
    /// Its word.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Consultation => "consultation",
            MessageKind::PlannedOutage => "planned_outage",
            MessageKind::FaultOutage => "fault_outage",
            MessageKind::OutageChanged => "outage_changed",
            MessageKind::Restored => "restored",
        }
    }
}

/// A message's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct MessageId(pub u64);

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt, or for a retry after a failed one.
    Queued,
    /// Taken by the gateway.
    Sent,
    /// On the customer's phone (the gateway's receipt).
    Delivered,
    /// Given up: refused for good, or [`MAX_ATTEMPTS`] attempts failed.
    Failed,
}

impl DeliveryState {
    /// Its word.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sent => "sent",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    /// The channel.
    pub channel: Channel,
    /// The customer's account number (户号); the gateway knows the binding (WeChat openid,
    /// phone) of the account.
    pub account: String,
    /// What it is.
    pub kind: MessageKind,
    /// What it is about: `scenario:3`, `outage:12`.
    pub subject: String,
    /// Which announcement about the subject (`published`, `etr:1733472000`); with the
    /// subject, the account and the channel, it makes the message unique.
    pub key: String,
    /// The text.
    pub text: String,
}

impl NewMessage {
    /// A message must name its customer and say something.
    fn check(&self) -> Result<(), String> {
        if self.account.trim().is_empty() {
            Err("account: empty".into())
        } else if self.text.trim().is_empty() {
            Err("text: empty".into())
        } else {
            Ok(())
        }
    }

    /// What makes a message the same as one queued before: subject, key, channel, account.
    fn unique_key(&self) -> String {
        let sep = '\u{1f}';
        format!("{}{sep}{}{sep}{}{sep}{}", self.subject, self.key, self.channel, self.account)
    }
}

/// A change to a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum OutboxEvent {
    /// Queued.
    Queued {
        /// The message.
        message: NewMessage,
    },
    /// The gateway took it (and, when `delivered`, reported it on the phone).
    Sent {
        /// The attempt, from 1.
        attempt: u32,
        /// The gateway's reference.
        gateway_ref: String,
        /// Delivered at once.
        delivered: bool,
    },
    /// The gateway's delivery receipt.
    Delivered,
    /// An attempt failed.
    AttemptFailed {
        /// The attempt, from 1.
        attempt: u32,
        /// What went wrong.
        error: String,
        /// When to try again; `None`: never (given up).
        retry_at_s: Option<i64>,
    },
}

/// A message's current state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its number.
    pub id: MessageId,
    /// What was queued.
    pub message: NewMessage,
    /// Where it is.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (queued messages).
    pub due_s: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// The gateway's reference, once sent.
    pub gateway_ref: Option<String>,
    /// When it was queued.
    pub queued_s: i64,
    /// When it last changed.
    pub updated_s: i64,
}

impl Aggregate for OutboxMessage {
    const KIND: &'static str = "outbox";
    type Event = OutboxEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<OutboxEvent>) -> Result<Self, String> {
        let mut m = match (state, &e.event) {
            (None, OutboxEvent::Queued { message }) => {
                message.check()?;
                return Ok(OutboxMessage {
                    id: MessageId(id),
                    message: message.clone(),
                    state: DeliveryState::Queued,
                    attempts: 0,
                    due_s: e.time_s,
                    last_error: None,
                    gateway_ref: None,
                    queued_s: e.time_s,
                    updated_s: e.time_s,
                });
            }
            (None, _) => return Err("a change before the message was queued".into()),
            (Some(_), OutboxEvent::Queued { .. }) => return Err("the message exists".into()),
            (Some(m), _) => m,
        };
        match &e.event {
            OutboxEvent::Queued { .. } => {}
            OutboxEvent::Sent { attempt, gateway_ref, delivered } => {
                if m.state != DeliveryState::Queued {
                    return Err(format!("message {id} is {}, not queued", m.state.as_str()));
                }
                m.attempts = *attempt;
                m.gateway_ref = Some(gateway_ref.clone());
                m.state = if *delivered { DeliveryState::Delivered } else { DeliveryState::Sent };
            }
            OutboxEvent::Delivered => {
                if !matches!(m.state, DeliveryState::Sent | DeliveryState::Delivered) {
                    return Err(format!("message {id} is {}, not sent", m.state.as_str()));
                }
                m.state = DeliveryState::Delivered;
            }
            OutboxEvent::AttemptFailed { attempt, error, retry_at_s } => {
                if m.state != DeliveryState::Queued {
                    return Err(format!("message {id} is {}, not queued", m.state.as_str()));
                }
                m.attempts = *attempt;
                m.last_error = Some(error.clone());
                match retry_at_s {
                    Some(t) => m.due_s = *t,
                    None => m.state = DeliveryState::Failed,
                }
            }
        }
        m.updated_s = e.time_s;
        Ok(m)
    }
}

/// What a gateway says of a message it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayReceipt {
    /// Its reference for the message.
    pub gateway_ref: String,
    /// Already on the customer's phone.
    pub delivered: bool,
}

/// Why a gateway did not take a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Worth trying again later (gateway down, overloaded, timed out).
    #[error("{0}")]
    Temporary(String),
    /// Never going to work (unknown recipient, message refused).
    #[error("{0}")]
    Permanent(String),
}

/// A channel gateway: the WeChat template-message service, the SMS platform…
pub trait Gateway {
    /// Hands one message over.
    fn send(&self, message: &OutboxMessage) -> Result<GatewayReceipt, GatewayError>;
}

/// What one delivery round did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// Messages the gateway took.
    pub sent: usize,
    /// Of those, reported delivered at once.
    pub delivered: usize,
    /// Attempts that failed and will be retried.
    pub retrying: usize,
    /// Messages given up in this round.
    pub failed: usize,
}

/// An outbox error.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A message to queue is not whole; nothing was queued.
    #[error("message {index} of the batch: {what}; nothing was queued")]
    Invalid {
        /// Its place among the new messages, from 0.
        index: usize,
        /// What is wrong.
        what: String,
    },
    /// No such message.
    #[error("no message {0} in the outbox")]
    NotFound(MessageId),
}

/// The outbox of a store.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<Store>,
}

impl Outbox {
    /// The outbox of `store`.
    pub fn open(store: Arc<Store>) -> Outbox {
        Outbox { store }
    }

    /// Queues the messages not queued before (same subject, key, channel and account), all
    /// flushed together; returns the ones queued now. The batch is checked whole before
    /// anything is written. A message queued before is found by the store's unique-key index
    /// of the outbox (one lookup, not a read of every message).
    pub fn queue(
        &self,
        messages: Vec<NewMessage>,
        author: &str,
        reason: &str,
    ) -> Result<Vec<OutboxMessage>, OutboxError> {
        for (i, m) in messages.iter().enumerate() {
            m.check().map_err(|what| OutboxError::Invalid { index: i, what })?;
        }
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let items = messages
            .into_iter()
            .map(|message| (message.unique_key(), OutboxEvent::Queued { message }))
            .collect();
        let (made, _skipped) =
            self.store.create_unique_many::<OutboxMessage>(author, reason, items, |m| {
                m.message.unique_key()
            })?;
        Ok(made.into_iter().map(|e| e.state).collect())
    }

    /// Every message, by number.
    pub fn all(&self) -> Result<Vec<OutboxMessage>, OutboxError> {
        Ok(self.store.all::<OutboxMessage>()?.into_iter().map(|e| e.state).collect())
    }

    /// The messages about `subject` (`outage:12`), by number.
    pub fn about(&self, subject: &str) -> Result<Vec<OutboxMessage>, OutboxError> {
        Ok(self.all()?.into_iter().filter(|m| m.message.subject == subject).collect())
    }

    /// One message.
    pub fn get(&self, id: MessageId) -> Result<OutboxMessage, OutboxError> {
        self.store.get::<OutboxMessage>(id.0)?.map(|e| e.state).ok_or(OutboxError::NotFound(id))
    }

    /// A message's history.
    pub fn history(&self, id: MessageId) -> Result<Vec<Recorded<OutboxEvent>>, OutboxError> {
        self.get(id)?;
        Ok(self.store.events::<OutboxMessage>(id.0)?)
    }

    /// Records the gateway's delivery receipt for a sent message.
    pub fn mark_delivered(
        &self,
        id: MessageId,
        author: &str,
    ) -> Result<OutboxMessage, OutboxError> {
        self.get(id)?;
        let e = self.store.append::<OutboxMessage>(
            id.0,
            author,
            "delivery receipt",
            OutboxEvent::Delivered,
        )?;
        Ok(e.state)
    }

    /// Hands every queued message that is due at `now_s` to `gateway`, at most `limit`,
    /// oldest first, and records each outcome.
    pub fn deliver_due(
        &self,
        gateway: &dyn Gateway,
        now_s: i64,
        limit: usize,
        author: &str,
    ) -> Result<DeliveryReport, OutboxError> {
        let mut due: Vec<OutboxMessage> = self
            .all()?
            .into_iter()
            .filter(|m| m.state == DeliveryState::Queued && m.due_s <= now_s)
            .collect();
        due.sort_by_key(|m| (m.due_s, m.id));
        due.truncate(limit);
        let mut report = DeliveryReport::default();
        // Outcomes are recorded a chunk at a time, one flush per chunk: a crash loses at most
        // a chunk's outcomes, and those messages are handed over again (at least once).
        for chunk in due.chunks(DELIVERY_CHUNK) {
            let mut outcomes = Vec::with_capacity(chunk.len());
            for m in chunk {
                let attempt = m.attempts + 1;
                let (event, reason) = match gateway.send(m) {
                    Ok(r) => {
                        report.sent += 1;
                        report.delivered += usize::from(r.delivered);
                        let event = OutboxEvent::Sent {
                            attempt,
                            gateway_ref: r.gateway_ref,
                            delivered: r.delivered,
                        };
                        (event, "gateway took it")
                    }
                    Err(e) => {
                        let retry_at_s = match &e {
                            GatewayError::Temporary(_) if attempt < MAX_ATTEMPTS => {
                                Some(now_s + retry_wait_s(attempt))
                            }
                            _ => None,
                        };
                        if retry_at_s.is_some() {
                            report.retrying += 1;
                        } else {
                            report.failed += 1;
                        }
                        let event = OutboxEvent::AttemptFailed {
                            attempt,
                            error: e.to_string(),
                            retry_at_s,
                        };
                        (event, "gateway refused it")
                    }
                };
                outcomes.push((m.id.0, reason.to_string(), event));
            }
            self.store.append_many::<OutboxMessage>(author, outcomes)?;
        }
        Ok(report)
    }
}

/// The wait after failed attempt `attempt` (from 1): 1, 4, 16, 64 minutes.
///
/// # Examples
/// ```
/// use gridcare::channels::outbox::retry_wait_s;
/// assert_eq!([1, 2, 3, 4].map(retry_wait_s), [60, 240, 960, 3840]);
/// ```
pub fn retry_wait_s(attempt: u32) -> i64 {
    FIRST_RETRY_S * 4i64.pow(attempt.saturating_sub(1).min(8))
}

/// A gateway reached over HTTP: each message is POSTed as JSON
/// (`{"id", "channel", "account", "kind", "text"}`) with a bearer token; a 2xx answer takes it
/// (`{"ref": "...", "delivered": true}` optional), a 4xx refuses it for good, anything else
/// (5xx, no answer, a timeout) is worth a retry.
#[cfg(feature = "avl")]
pub struct HttpGateway {
    url: String,
    token: Option<String>,
    client: reqwest::blocking::Client,
}

#[cfg(feature = "avl")]
impl HttpGateway {
    /// A gateway at `url`, with an optional bearer token.
    pub fn new(url: &str, token: Option<String>) -> Result<HttpGateway, GatewayError> {
        // reqwest needs a TLS provider even for http:// (ring, as for the map tiles).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| GatewayError::Permanent(format!("{url}: {e}")))?;
        Ok(HttpGateway { url: url.to_string(), token, client })
    }
}

#[cfg(feature = "avl")]
impl Gateway for HttpGateway {
    fn send(&self, m: &OutboxMessage) -> Result<GatewayReceipt, GatewayError> {
        let body = serde_json::json!({
            "id": m.id.0,
            "channel": m.message.channel.as_str(),
            "account": m.message.account,
            "kind": m.message.kind.as_str(),
            "text": m.message.text,
        });
        let mut req = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().map_err(|e| GatewayError::Temporary(format!("{}: {e}", self.url)))?;
        let status = resp.status();
        let text = resp.text().unwrap_or_default();
        if status.is_success() {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            Ok(GatewayReceipt {
                gateway_ref: v["ref"]
                    .as_str()
                    .map_or_else(|| format!("{}#{}", self.url, m.id), str::to_string),
                delivered: v["delivered"].as_bool().unwrap_or(false),
            })
        } else {
            let what = format!("{}: HTTP {} {}", self.url, status.as_u16(), text.trim());
            if status.is_client_error() && status.as_u16() != 429 {
                Err(GatewayError::Permanent(what))
            } else {
                Err(GatewayError::Temporary(what))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Clock, VirtualClock};
    use std::cell::RefCell;

    fn outbox(name: &str) -> (Outbox, Arc<VirtualClock>) {
        let dir =
            std::env::temp_dir().join(format!("gridcare-outbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let clock = Arc::new(VirtualClock::new(1_765_000_000));
        let store = Store::open_with_clock(&dir, clock.clone()).expect("ok");
        (Outbox::open(Arc::new(store)), clock)
    }

    fn notice(account: &str, key: &str) -> NewMessage {
        NewMessage {
            channel: Channel::Wechat,
            account: account.into(),
            kind: MessageKind::PlannedOutage,
            subject: "outage:7".into(),
            key: key.into(),
            text: "计划停电 2026-12-08 08:00–12:00：10kV 魁奇线检修".into(),
        }
    }

    /// A gateway that answers from a script, one answer per call.
    struct Scripted(RefCell<Vec<Result<GatewayReceipt, GatewayError>>>);

    impl Gateway for Scripted {
        fn send(&self, _m: &OutboxMessage) -> Result<GatewayReceipt, GatewayError> {
            self.0.borrow_mut().remove(0)
        }
    }

    fn ok(delivered: bool) -> Result<GatewayReceipt, GatewayError> {
        Ok(GatewayReceipt { gateway_ref: "wx-1".into(), delivered })
    }

    #[test]
    fn the_same_announcement_reaches_a_customer_once() {
        let (ob, _c) = outbox("once");
        let first =
            ob.queue(vec![notice("0757001", "published")], "planner", "publish").expect("ok");
        assert_eq!(first.len(), 1);
        let again = ob
            .queue(
                vec![notice("0757001", "published"), notice("0757002", "published")],
                "planner",
                "publish again",
            )
            .expect("ok");
        assert_eq!(again.len(), 1, "only the new customer");
        assert_eq!(again[0].message.account, "0757002");
        let changed = ob.queue(vec![notice("0757001", "etr:1")], "planner", "delay").expect("ok");
        assert_eq!(changed.len(), 1, "a new change is a new message");
        assert_eq!(ob.all().expect("ok").len(), 3);
    }

    #[test]
    fn a_failing_gateway_is_retried_with_growing_waits_then_given_up() {
        let (ob, clock) = outbox("retried");
        ob.queue(vec![notice("0757001", "published")], "planner", "publish").expect("ok");
        let down = || Err(GatewayError::Temporary("503".into()));
        let gw = Scripted(RefCell::new(vec![down(), down(), down(), down(), down()]));
        let mut now = clock.now_s();
        for attempt in 1..=MAX_ATTEMPTS {
            let r = ob.deliver_due(&gw, now, 10, "gridcare").expect("ok");
            let m = &ob.all().expect("ok")[0];
            assert_eq!(m.attempts, attempt);
            if attempt < MAX_ATTEMPTS {
                assert_eq!(r.retrying, 1);
                assert_eq!(m.state, DeliveryState::Queued);
                assert_eq!(m.due_s, now + retry_wait_s(attempt));
                // Not due a second before its time.
                let early = ob.deliver_due(&gw, m.due_s - 1, 10, "gridcare").expect("ok");
                assert_eq!(early, DeliveryReport::default());
                now = m.due_s;
            } else {
                assert_eq!(r.failed, 1);
                assert_eq!(m.state, DeliveryState::Failed);
                assert_eq!(m.last_error.as_deref(), Some("503"));
            }
        }
        assert_eq!(ob.history(MessageId(1)).expect("ok").len(), 1 + MAX_ATTEMPTS as usize);
    }

    #[test]
    fn a_permanent_refusal_is_not_retried_and_a_receipt_marks_delivery() {
        let (ob, clock) = outbox("receipt");
        ob.queue(
            vec![notice("0757001", "published"), notice("0757002", "published")],
            "planner",
            "publish",
        )
        .expect("ok");
        let gw = Scripted(RefCell::new(vec![
            Err(GatewayError::Permanent("unknown openid".into())),
            ok(false),
        ]));
        let r = ob.deliver_due(&gw, clock.now_s(), 10, "gridcare").expect("ok");
        assert_eq!((r.sent, r.failed, r.retrying), (1, 1, 0));
        let all = ob.all().expect("ok");
        assert_eq!(all[0].state, DeliveryState::Failed);
        assert_eq!(all[1].state, DeliveryState::Sent);
        let m = ob.mark_delivered(all[1].id, "wechat-gateway").expect("ok");
        assert_eq!(m.state, DeliveryState::Delivered);
        assert!(ob.mark_delivered(all[0].id, "wechat-gateway").is_err(), "a failed one");
        assert!(matches!(ob.get(MessageId(9)), Err(OutboxError::NotFound(MessageId(9)))));
    }

    #[test]
    fn a_batch_with_an_empty_text_is_refused_whole() {
        let (ob, _c) = outbox("refused");
        let mut bad = notice("0757002", "published");
        bad.text = "  ".into();
        let err = ob
            .queue(
                vec![notice("0757001", "published"), bad, notice("0757003", "published")],
                "planner",
                "publish",
            )
            .expect_err("an error");
        assert!(err.to_string().contains("text: empty"), "{err}");
        assert!(ob.all().expect("ok").is_empty());
    }
}
