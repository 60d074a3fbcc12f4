//! The requests the engine applies: messages, status queries, subscriptions and tokens.
//! Each checks everything it can before its first write, so a refused request leaves
//! nothing in the store.

use super::answer::{customer_status_with, repair_answer, CustomerStatus};
use super::engine::{
    entry, store_error, Engine, From, MessageReply, MeterReply, StatusQuery, StatusReply,
    SubscriptionReply, TokenReply,
};
use super::error::{ApiError, ServerError};
use super::message::{guess_intent, ChannelMessage, SubscriptionRequest};
use super::tokens::{add_token, revoke_token, unhex32};
use crate::channels::outbox::Channel;
use crate::channels::records::{
    Answer, BindingEvent, ChannelBinding, ChannelToken, CustomerRef, Intent, Interaction,
    InteractionEvent, InteractionKind, Subscription, SubscriptionEvent,
};
use crate::model::CustomerId;
use crate::outage::{find_caller, OutageError};
use crate::planning::ScenarioId;
use crate::workorder::{Caller, RepairCall, TicketError};

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

impl Engine {
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

    pub(super) fn message(
        &mut self,
        from: From,
        msg: ChannelMessage,
    ) -> Result<MessageReply, ApiError> {
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
                repair_answer(&out, &self.outages)
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
        self.interactions_of.entry(account.clone()).or_default().push(e.id);
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

    pub(super) fn status(
        &mut self,
        from: From,
        query: StatusQuery,
    ) -> Result<Vec<StatusReply>, ApiError> {
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
            self.interactions_of.entry(e.state.account.clone()).or_default().push(e.id);
            out.push(StatusReply { interaction: e.id, status });
        }
        Ok(out)
    }

    pub(super) fn subscribe(
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

    pub(super) fn unsubscribe(
        &mut self,
        from: From,
        id: u64,
    ) -> Result<SubscriptionReply, ApiError> {
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

    pub(super) fn add_token(
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

    pub(super) fn revoke_token(&mut self, from: From, id: u64) -> Result<ChannelToken, ApiError> {
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

    /// A customer's interactions across channels, newest first, at most `limit`.
    pub(super) fn timeline(
        &self,
        account: &str,
        limit: usize,
    ) -> Result<Vec<Interaction>, ApiError> {
        let Some(ids) = self.interactions_of.get(account) else {
            let known = self.grid.model.customers.iter().any(|c| c.account_no == account);
            return if known {
                Ok(Vec::new())
            } else {
                Err(ApiError::not_found(format!("account: no customer has account {account}")))
            };
        };
        let mut out = Vec::new();
        for id in ids.iter().rev().take(limit) {
            if let Some(e) = self.store.get::<Interaction>(*id).map_err(store_error)? {
                out.push(e.state);
            }
        }
        Ok(out)
    }

    /// Records a batch of meter events (all checked, then written), for the outage
    /// prediction from last gasps.
    pub(super) fn meters(
        &mut self,
        from: From,
        records: Vec<crate::outage::meter::MeterRecord>,
    ) -> Result<MeterReply, ApiError> {
        use crate::outage::meter::{record_meter_events, MeterError};
        let n = records.len();
        record_meter_events(&self.grid, &self.store, records, &from.author()).map_err(
            |e| match e {
                MeterError::UnknownAccount { index, account } => ApiError::not_found(format!(
                    "[{index}].account: no customer has account {account}; nothing was stored"
                )),
                MeterError::BadTime { index, at_s } => {
                    ApiError::bad_request(format!("[{index}].time: {at_s} is before 1970"))
                }
                MeterError::Store(e) => store_error(e),
            },
        )?;
        Ok(MeterReply { recorded: n })
    }
}
