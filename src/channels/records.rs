//! What the channels keep in the store (written by `gridcare serve`, read by every door: the
//! customer 360 view, outage notices), each as an entity whose state is the fold of its
//! events: every interaction with a customer ([`Interaction`], one per message in and answer
//! out, so a customer's timeline across channels is a filter on the account), the channel
//! tokens ([`ChannelToken`], hashed), subscriptions to outage notices ([`Subscription`]) and
//! the bindings of a channel's own user id to an account ([`ChannelBinding`], a WeChat
//! openid).

use serde::{Deserialize, Serialize};

use crate::channels::outbox::Channel;
use crate::model::LonLat;
use crate::store::{Aggregate, KindCheck, Recorded};

/// The store kinds of this module, for [`crate::store::OpenOptions::kinds`].
pub fn store_kinds() -> Vec<KindCheck> {
    vec![
        KindCheck::of::<Interaction>(),
        KindCheck::of::<ChannelToken>(),
        KindCheck::of::<Subscription>(),
        KindCheck::of::<ChannelBinding>(),
    ]
}

/// How the customer was named by the channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRef {
    /// Account number (户号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The channel's own id of the user (a WeChat openid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
}

/// What a message asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A fault report (报修): becomes a repair ticket.
    Repair,
    /// A question (咨询): answered with the customer's outage and ticket status.
    Inquiry,
    /// A reply to a consultation letter about a planned outage (征询回复).
    ConsultationReply,
    /// Anything else: recorded, answered with the status.
    Other,
}

impl Intent {
    /// The word, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Repair => "repair",
            Intent::Inquiry => "inquiry",
            Intent::ConsultationReply => "consultation_reply",
            Intent::Other => "other",
        }
    }

    /// Parses the word.
    pub fn parse(word: &str) -> Option<Intent> {
        [Intent::Repair, Intent::Inquiry, Intent::ConsultationReply, Intent::Other]
            .into_iter()
            .find(|i| i.as_str() == word)
    }
}

/// How an interaction came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A message (`POST /api/v1/messages`).
    Message,
    /// A status query (`GET /api/v1/customers/…/status`).
    StatusQuery,
}

/// The answer given, as the channel received it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The answer in words (Chinese, for the customer).
    pub text: String,
    /// The repair ticket the message became or joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<u64>,
    /// Dispatched, merged or explained (`dispatch`, `merged`, `explained`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// The master ticket a merged call joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<u64>,
    /// The open outages covering the customer (or that explain the call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<u64>,
    /// The estimated restoration time given, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etr_s: Option<i64>,
}

/// One exchange with a customer: what came in on which channel and what was answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Its number.
    pub id: u64,
    /// The customer's account number.
    pub account: String,
    /// The channel.
    pub channel: Channel,
    /// How the channel named the customer.
    pub customer: CustomerRef,
    /// Message or status query.
    pub kind: InteractionKind,
    /// What it asked for.
    pub intent: Intent,
    /// What the customer wrote (empty for a status query).
    pub text: String,
    /// Where the customer said they are.
    pub pos: Option<LonLat>,
    /// When the customer sent it (the channel's time), unix seconds.
    pub sent_s: Option<i64>,
    /// When GridCare received it.
    pub received_s: i64,
    /// The channel's id of the message (a retry with the same id is answered again, not
    /// recorded twice).
    pub message_id: Option<String>,
    /// What it answers (a consultation letter's reference).
    pub reply_to: Option<String>,
    /// The answer.
    pub answer: Answer,
    /// The channel token that sent it.
    pub token: u64,
    /// The sensitive-word alert the message raised (敏感词预警), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<u64>,
}

/// An interaction's one event: it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum InteractionEvent {
    /// Received and answered.
    Answered {
        /// The interaction (its `id` is ignored: the store gives it).
        interaction: Box<Interaction>,
    },
}

impl Aggregate for Interaction {
    const KIND: &'static str = "interaction";
    type Event = InteractionEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<InteractionEvent>) -> Result<Self, String> {
        match (state, &e.event) {
            (None, InteractionEvent::Answered { interaction }) => {
                if interaction.account.trim().is_empty() {
                    return Err("account: empty".into());
                }
                Ok(Interaction { id, ..(**interaction).clone() })
            }
            (Some(_), _) => Err("an interaction is recorded once and never changed".into()),
        }
    }
}

/// A bearer token of one channel (or `ami`: the metering head-end posting meter events;
/// `operator`: reads alerts and timelines; `admin`: also manages tokens), kept as the SHA-256
/// of the token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelToken {
    /// Its number.
    pub id: u64,
    /// `wechat`, `app`, `web`, `sms`, `ami` (meter events), `operator` (reads alerts) or
    /// `admin` (also manages tokens over HTTP).
    pub channel: String,
    /// SHA-256 of the token, lower-case hex.
    pub sha256: String,
    /// The token's first characters, to tell tokens apart in a list.
    pub prefix: String,
    /// What it is for (`微信公众号网关`).
    pub label: String,
    /// When it was made.
    pub created_s: i64,
    /// Who made it.
    pub created_by: String,
    /// When it was revoked.
    pub revoked_s: Option<i64>,
}

impl ChannelToken {
    /// The channel its messages come from; `None` for an operator or admin token.
    pub fn message_channel(&self) -> Option<Channel> {
        Channel::parse(&self.channel)
    }
}

/// A change to a channel token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TokenEvent {
    /// Made (the token itself was shown once and is not kept).
    Created {
        /// The channel word.
        channel: String,
        /// SHA-256 of the token, hex.
        sha256: String,
        /// Its first characters.
        prefix: String,
        /// What it is for.
        label: String,
    },
    /// No longer accepted.
    Revoked,
}

/// The words a token's channel may be.
pub const TOKEN_CHANNELS: [&str; 7] = ["wechat", "app", "web", "sms", "ami", "operator", "admin"];

impl Aggregate for ChannelToken {
    const KIND: &'static str = "channel_token";
    type Event = TokenEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<TokenEvent>) -> Result<Self, String> {
        match (state, &e.event) {
            (None, TokenEvent::Created { channel, sha256, prefix, label }) => {
                if !TOKEN_CHANNELS.contains(&channel.as_str()) {
                    return Err(format!(
                        "channel: `{channel}` is not one of {}",
                        TOKEN_CHANNELS.join(", ")
                    ));
                }
                if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err("sha256: not 64 hex digits".into());
                }
                Ok(ChannelToken {
                    id,
                    channel: channel.clone(),
                    sha256: sha256.to_ascii_lowercase(),
                    prefix: prefix.clone(),
                    label: label.clone(),
                    created_s: e.time_s,
                    created_by: e.author.clone(),
                    revoked_s: None,
                })
            }
            (None, TokenEvent::Revoked) => Err("revoked before it was created".into()),
            (Some(_), TokenEvent::Created { .. }) => Err("the token exists already".into()),
            (Some(t), TokenEvent::Revoked) if t.revoked_s.is_some() => {
                Err(format!("token {id} is revoked already"))
            }
            (Some(t), TokenEvent::Revoked) => Ok(ChannelToken { revoked_s: Some(e.time_s), ..t }),
        }
    }
}

/// A customer's subscription to outage notices on one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// Its number.
    pub id: u64,
    /// The customer's account number.
    pub account: String,
    /// The channel notices go to.
    pub channel: Channel,
    /// Where on the channel (a WeChat openid, a phone for SMS, the app's user id); empty:
    /// the channel's default for the customer.
    pub address: String,
    /// Whether notices are wanted now.
    pub active: bool,
    /// When it was (last) made.
    pub since_s: i64,
    /// When it was cancelled, if it is.
    pub cancelled_s: Option<i64>,
}

/// A change to a subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SubscriptionEvent {
    /// Notices wanted (the first time, or again after a cancellation).
    Subscribed {
        /// The account.
        account: String,
        /// The channel.
        channel: Channel,
        /// Where on the channel.
        address: String,
    },
    /// No more notices.
    Cancelled,
}

impl Aggregate for Subscription {
    const KIND: &'static str = "subscription";
    type Event = SubscriptionEvent;

    fn apply(
        id: u64,
        state: Option<Self>,
        e: &Recorded<SubscriptionEvent>,
    ) -> Result<Self, String> {
        match (state, &e.event) {
            (prev, SubscriptionEvent::Subscribed { account, channel, address }) => {
                if account.trim().is_empty() {
                    return Err("account: empty".into());
                }
                if let Some(p) = &prev {
                    if p.active {
                        return Err(format!("subscription {id} is active already"));
                    }
                    if p.account != *account || p.channel != *channel {
                        return Err("a subscription keeps its account and channel".into());
                    }
                }
                Ok(Subscription {
                    id,
                    account: account.clone(),
                    channel: *channel,
                    address: address.clone(),
                    active: true,
                    since_s: e.time_s,
                    cancelled_s: None,
                })
            }
            (None, SubscriptionEvent::Cancelled) => Err("cancelled before it was made".into()),
            (Some(s), SubscriptionEvent::Cancelled) if !s.active => {
                Err(format!("subscription {id} is cancelled already"))
            }
            (Some(s), SubscriptionEvent::Cancelled) => {
                Ok(Subscription { active: false, cancelled_s: Some(e.time_s), ..s })
            }
        }
    }
}

/// A channel's own user id bound to an account (a WeChat openid that once named its
/// account), so that later messages with the openid alone reach the customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelBinding {
    /// Its number.
    pub id: u64,
    /// The channel.
    pub channel: Channel,
    /// The channel's user id.
    pub openid: String,
    /// The account it names now.
    pub account: String,
    /// When it was (last) bound.
    pub since_s: i64,
}

/// A change to a binding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum BindingEvent {
    /// Bound to an account (the first time, or to another account).
    Bound {
        /// The channel.
        channel: Channel,
        /// The channel's user id.
        openid: String,
        /// The account.
        account: String,
    },
}

impl Aggregate for ChannelBinding {
    const KIND: &'static str = "channel_binding";
    type Event = BindingEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<BindingEvent>) -> Result<Self, String> {
        let BindingEvent::Bound { channel, openid, account } = &e.event;
        if openid.trim().is_empty() || account.trim().is_empty() {
            return Err("a binding needs an openid and an account".into());
        }
        if let Some(p) = &state {
            if p.channel != *channel || p.openid != *openid {
                return Err("a binding keeps its channel and openid".into());
            }
        }
        Ok(ChannelBinding {
            id,
            channel: *channel,
            openid: openid.clone(),
            account: account.clone(),
            since_s: e.time_s,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec<E>(seq: u64, event: E) -> Recorded<E> {
        Recorded { seq, time_s: 1_000 + seq as i64, author: "t".into(), reason: "t".into(), event }
    }

    #[test]
    fn a_token_is_revoked_once_and_never_unrevoked() {
        let created = TokenEvent::Created {
            channel: "wechat".into(),
            sha256: "ab".repeat(32),
            prefix: "gc_wechat_ab".into(),
            label: String::new(),
        };
        let t = ChannelToken::apply(1, None, &rec(1, created)).expect("created");
        assert_eq!(t.message_channel(), Some(Channel::Wechat));
        let t = ChannelToken::apply(1, Some(t), &rec(2, TokenEvent::Revoked)).expect("revoked");
        assert_eq!(t.revoked_s, Some(1_002));
        assert!(ChannelToken::apply(1, Some(t), &rec(3, TokenEvent::Revoked)).is_err());
    }

    #[test]
    fn a_token_of_an_unknown_channel_is_refused() {
        let created = TokenEvent::Created {
            channel: "fax".into(),
            sha256: "ab".repeat(32),
            prefix: String::new(),
            label: String::new(),
        };
        let err = ChannelToken::apply(1, None, &rec(1, created)).expect_err("fax");
        assert!(err.starts_with("channel:"), "{err}");
    }

    #[test]
    fn a_subscription_can_be_cancelled_and_made_again() {
        let sub = SubscriptionEvent::Subscribed {
            account: "0100000001".into(),
            channel: Channel::Sms,
            address: "13800138000".into(),
        };
        let s = Subscription::apply(4, None, &rec(1, sub.clone())).expect("made");
        assert!(s.active);
        assert!(Subscription::apply(4, Some(s.clone()), &rec(2, sub.clone())).is_err());
        let s =
            Subscription::apply(4, Some(s), &rec(2, SubscriptionEvent::Cancelled)).expect("off");
        assert!(!s.active);
        let s = Subscription::apply(4, Some(s), &rec(3, sub)).expect("again");
        assert!(s.active && s.cancelled_s.is_none());
    }

    #[test]
    fn an_interaction_is_never_changed() {
        let i = Interaction {
            id: 0,
            account: "0100000001".into(),
            channel: Channel::App,
            customer: CustomerRef::default(),
            kind: InteractionKind::Message,
            intent: Intent::Inquiry,
            text: "什么时候来电".into(),
            pos: None,
            sent_s: None,
            received_s: 5,
            message_id: None,
            reply_to: None,
            answer: Answer::default(),
            token: 1,
            alert: None,
        };
        let e = InteractionEvent::Answered { interaction: Box::new(i) };
        let s = Interaction::apply(9, None, &rec(1, e.clone())).expect("recorded");
        assert_eq!(s.id, 9);
        assert!(Interaction::apply(9, Some(s), &rec(2, e)).is_err());
    }
}
