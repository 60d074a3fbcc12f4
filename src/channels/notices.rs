//! Proactive outage notices (主动告知): when an outage is announced, delayed, given a new ETR,
//! rescheduled, restored or cancelled, each affected customer who can be reached gets one
//! notice of that change, through the [`outbox`](super::outbox).
//!
//! One rule, here: a notice is keyed by the outage (`outage:12`) and the change (`created:1`,
//! `etr_changed:3`, …: the change's word and its number in the outage's trajectory), so asking
//! for the notices of an outage again — after a crash, from a second workstation, from the
//! channel service — queues only the changes not announced yet. The text is the change's
//! Chinese summary from the trajectory, the same words an operator reads to a caller.

use super::outbox::{channel_for, Channel, MessageKind, NewMessage, Outbox, OutboxError};
use crate::grid::Grid;
use crate::model::{Customer, DeviceRef};
use crate::outage::{OutageBook, OutageError, OutageId};

/// Who is told, and on which channels: every bound channel of a subscribed customer.
pub type Reach<'a> = dyn Fn(&Customer) -> Vec<Channel> + 'a;

/// The default reach: customers bound to WeChat get the notice there (a bound account is
/// subscribed to outage notices unless it opts out); nobody else is written to unasked.
pub fn wechat_bound(c: &Customer) -> Vec<Channel> {
    match channel_for(c) {
        Some(Channel::Wechat) => vec![Channel::Wechat],
        _ => Vec::new(),
    }
}

/// The reach of outage notices in `store`: the channels of the customer's active
/// subscriptions (`POST /api/v1/subscriptions`), plus WeChat for a bound customer unless they
/// cancelled a WeChat subscription (an opt-out).
pub fn subscribed_reach(
    store: &crate::store::Store,
) -> Result<impl Fn(&Customer) -> Vec<Channel>, crate::store::StoreError> {
    use std::collections::HashMap;
    let mut active: HashMap<String, Vec<Channel>> = HashMap::new();
    let mut opted_out: std::collections::HashSet<String> = Default::default();
    for e in store.all::<super::records::Subscription>()? {
        let s = e.state;
        if s.active {
            let v = active.entry(s.account.clone()).or_default();
            if !v.contains(&s.channel) {
                v.push(s.channel);
            }
        } else if s.channel == Channel::Wechat {
            opted_out.insert(s.account.clone());
        }
    }
    Ok(move |c: &Customer| {
        let mut v = active.get(&c.account_no).cloned().unwrap_or_default();
        if !opted_out.contains(&c.account_no) && !v.contains(&Channel::Wechat) {
            v.extend(wechat_bound(c));
        }
        v.sort();
        v
    })
}

/// How every notice to a customer opens: the utility's signature, the customer's name and
/// account.
pub fn salutation(c: &Customer) -> String {
    format!("【佛山供电局】尊敬的{}客户（户号 {}）：", c.display_name, c.account_no)
}

/// The key of a change: its word and its number.
pub fn change_key(change: &str, seq: u64) -> String {
    format!("{change}:{seq}")
}

/// Why notices could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The outage.
    #[error(transparent)]
    Outage(#[from] OutageError),
    /// The outbox.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// Who hears of each change of an outage, by the change's number: the customers without supply
/// at that point — and, for a restoration or a cancellation, those who were without supply
/// just before it (a closed outage's scope is empty); a partial restoration tells the
/// customers it gave supply back that it is back (`restored: true`) and the others that it
/// changed.
fn recipients_by_change(
    events: &[crate::store::Recorded<crate::outage::OutageEvent>],
) -> std::collections::HashMap<u64, Vec<(String, bool)>> {
    use crate::outage::OutageEvent as E;
    let mut scope: Vec<String> = Vec::new();
    let mut out = std::collections::HashMap::new();
    for r in events {
        let before = scope.clone();
        let told: Vec<(String, bool)> = match &r.event {
            E::Created { impact, .. } => {
                scope = impact.accounts.clone();
                scope.iter().map(|a| (a.clone(), false)).collect()
            }
            E::ScopeChanged { impact, .. } => {
                scope = impact.accounts.clone();
                // those added and those no longer in it hear of it too
                let mut all: Vec<String> = before.iter().chain(&scope).cloned().collect();
                all.sort();
                all.dedup();
                all.into_iter().map(|a| (a, false)).collect()
            }
            E::PartiallyRestored { impact, .. } => {
                scope = impact.accounts.clone();
                let still: std::collections::HashSet<&String> = scope.iter().collect();
                before.iter().map(|a| (a.clone(), !still.contains(a))).collect()
            }
            E::Restored { .. } => {
                scope.clear();
                before.iter().map(|a| (a.clone(), true)).collect()
            }
            E::Cancelled => {
                scope.clear();
                before.iter().map(|a| (a.clone(), false)).collect()
            }
            E::EtrChanged { .. } | E::Rescheduled { .. } => {
                scope.iter().map(|a| (a.clone(), false)).collect()
            }
        };
        out.insert(r.seq, told);
    }
    out
}

/// The notices outage `id` owes: for each change of its trajectory, one message per customer
/// the change concerns (see `recipients_by_change`) and channel `reach` gives.
pub fn outage_notices(
    grid: &Grid,
    book: &OutageBook,
    id: OutageId,
    reach: &Reach<'_>,
) -> Result<Vec<NewMessage>, NoticeError> {
    let outage = book.get(id).ok_or(OutageError::NotFound(id))?;
    let (events, trajectory) = book.history(id)?;
    let told = recipients_by_change(&events);
    let m = &grid.model;
    let customer = |a: &str| match grid.resolve(a) {
        Ok(DeviceRef::Customer(c)) => m.customers.get(c.index()),
        _ => None,
    };
    let mut out = Vec::new();
    for entry in &trajectory {
        let Some(accounts) = told.get(&entry.seq) else { continue };
        for (account, back) in accounts {
            let Some(c) = customer(account) else { continue };
            let (kind, headline) = match entry.change {
                "created" if outage.kind == crate::outage::OutageKind::Fault => {
                    (MessageKind::FaultOutage, format!("停电通知：{}", outage.notice))
                }
                "created" => (MessageKind::PlannedOutage, format!("停电通知：{}", outage.notice)),
                _ if *back => (MessageKind::Restored, "您所在区域已恢复送电".to_string()),
                _ => (MessageKind::OutageChanged, format!("停电信息变更：{}", entry.summary_zh)),
            };
            for channel in reach(c) {
                out.push(NewMessage {
                    channel,
                    account: c.account_no.clone(),
                    kind,
                    subject: format!("outage:{}", id.0),
                    key: change_key(entry.change, entry.seq),
                    text: format!("{}{headline}。详询 95598。", salutation(c)),
                });
            }
        }
    }
    Ok(out)
}

/// Queues the notices of outage `id` not queued before; returns how many were queued now.
pub fn queue_outage_notices(
    grid: &Grid,
    book: &OutageBook,
    outbox: &Outbox,
    id: OutageId,
    reach: &Reach<'_>,
    author: &str,
) -> Result<usize, NoticeError> {
    let notices = outage_notices(grid, book, id, reach)?;
    Ok(outbox.queue(notices, author, &format!("notices of outage {}", id.0))?.len())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::model::Labels;
    use crate::outage::PlannedOutage;
    use crate::sim::{sample_model, SampleFeeders};
    use crate::store::{OpenOptions, Store, VirtualClock};

    /// The sample feeders with the customers `bound(i)` bound to WeChat, an outage book and
    /// an outbox on a scratch store `name` on a virtual clock.
    fn sample(name: &str, bound: impl Fn(usize) -> bool) -> (Grid, OutageBook, Outbox, PathBuf) {
        let mut model = sample_model(&SampleFeeders::default());
        for (i, c) in model.customers.iter_mut().enumerate() {
            if bound(i) {
                c.labels = c.labels.with(Labels::WECHAT);
            }
        }
        let grid = Grid::from_model(model);
        let dir =
            std::env::temp_dir().join(format!("gridcare-notices-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let clock = Arc::new(VirtualClock::new(1_765_000_000));
        let options = OpenOptions { kinds: crate::store_kinds(), clock };
        let store = Arc::new(Store::open_with(&dir, options).expect("ok"));
        let book = OutageBook::open(store.clone(), &grid).expect("ok");
        (grid, book, Outbox::open(store), dir)
    }

    #[test]
    fn a_restoration_reaches_the_customers_it_gave_supply_back_to() {
        let (grid, mut book, outbox, dir) = sample("restore", |_| true);
        let (a, b) =
            (grid.resolve("fuse.f1-l2").expect("ok"), grid.resolve("fuse.f2-l4").expect("ok"));
        let fault = crate::outage::FaultOutage {
            device: a,
            source: crate::outage::FaultSource::Trip,
            start_s: None,
            etr_s: None,
            reason: "熔断器熔断".into(),
            author: "li.na".into(),
        };
        let o = book.report_fault(&grid, fault).expect("ok");
        book.change_scope(&grid, o.id, &[b], &[], "li.na", "扩大").expect("scope");
        let queue = |book: &OutageBook| {
            queue_outage_notices(&grid, book, &outbox, o.id, &wechat_bound, "gridcare").expect("ok")
        };
        let under = |d| grid.trace(d).affected_customers.len();
        let (na, nb) = (under(a), under(b));
        assert!(na > 0 && nb > 0);
        // created to those under a; the scope change to those under a and b
        assert_eq!(queue(&book), na + (na + nb));
        // fuse a closed: its customers are told supply is back, b's that the outage changed
        book.restore(&grid, o.id, &[a], "li.na", "部分送电").expect("partial");
        assert_eq!(queue(&book), na + nb);
        let subject = format!("outage:{}", o.id.0);
        let back: Vec<_> = outbox
            .about(&subject)
            .expect("ok")
            .into_iter()
            .filter(|m| m.message.kind == MessageKind::Restored)
            .collect();
        assert_eq!(back.len(), na);
        assert!(back[0].message.text.contains("已恢复送电"), "{}", back[0].message.text);
        // the rest restored: b's customers, who were still without supply (the closed
        // outage's scope is empty — they were told nothing before this fix)
        book.restore(&grid, o.id, &[], "li.na", "全部送电").expect("restored");
        assert_eq!(queue(&book), nb);
        assert_eq!(queue(&book), 0, "never twice");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_change_reaches_each_bound_customer_once() {
        // Half the customers are bound to WeChat.
        let (grid, mut book, outbox, _dir) = sample("each", |i| i % 2 == 0);
        let fuse = grid.resolve("fuse.f1-l2").expect("ok");
        let o = book
            .plan(
                &grid,
                PlannedOutage {
                    devices: vec![fuse],
                    start_s: 1_765_100_000,
                    end_s: 1_765_114_400,
                    reason: "更换熔断器".into(),
                    notice: String::new(),
                    author: "li.na".into(),
                },
            )
            .expect("ok");
        let bound = book
            .affected_customers(o.id)
            .iter()
            .filter(|c| grid.model.customers[c.index()].labels.contains(Labels::WECHAT))
            .count();
        assert!(bound > 0);
        let n = queue_outage_notices(&grid, &book, &outbox, o.id, &wechat_bound, "gridcare")
            .expect("ok");
        assert_eq!(n, bound, "the announcement, to each bound customer");
        assert_eq!(
            queue_outage_notices(&grid, &book, &outbox, o.id, &wechat_bound, "x").expect("ok"),
            0
        );
        book.change_etr(&grid, o.id, 1_765_118_000, "li.na", "线路消缺延时").expect("ok");
        let n = queue_outage_notices(&grid, &book, &outbox, o.id, &wechat_bound, "gridcare")
            .expect("ok");
        assert_eq!(n, bound, "the delay, once each");
        let all = outbox.about(&format!("outage:{}", o.id.0)).expect("ok");
        assert_eq!(all.len(), 2 * bound);
        let delay = all.iter().find(|m| m.message.key.starts_with("etr_changed:")).expect("ok");
        assert!(delay.message.text.contains("推迟"), "{}", delay.message.text);
        assert_eq!(delay.message.kind, MessageKind::OutageChanged);
        // Nobody unbound was written to.
        assert!(all.iter().all(|m| m.message.channel == Channel::Wechat));

        // Subscriptions: an unbound customer subscribes by SMS, a bound one opts out.
        use crate::channels::records::{Subscription, SubscriptionEvent};
        let cut = book.affected_customers(o.id).to_vec();
        let cu = |i: usize| &grid.model.customers[cut[i].index()];
        let u_i = (0..cut.len()).find(|&i| !cu(i).labels.contains(Labels::WECHAT)).expect("one");
        let b_i = (0..cut.len()).find(|&i| cu(i).labels.contains(Labels::WECHAT)).expect("one");
        let sub = |account: &str, channel: Channel| SubscriptionEvent::Subscribed {
            account: account.to_string(),
            channel,
            address: String::new(),
        };
        let store = book.store().clone();
        store
            .create::<Subscription>("sms", "", sub(&cu(u_i).account_no, Channel::Sms))
            .expect("sub");
        let s = store
            .create::<Subscription>("wx", "", sub(&cu(b_i).account_no, Channel::Wechat))
            .expect("sub");
        store.append::<Subscription>(s.id, "wx", "", SubscriptionEvent::Cancelled).expect("cancel");
        let reach = subscribed_reach(&store).expect("reach");
        assert_eq!(reach(cu(u_i)), [Channel::Sms]);
        assert!(reach(cu(b_i)).is_empty(), "opted out");
        book.change_etr(&grid, o.id, 1_765_121_600, "li.na", "再延时").expect("etr");
        let n =
            queue_outage_notices(&grid, &book, &outbox, o.id, &reach, "gridcare").expect("queued");
        // The new change to every bound customer but the one who opted out, and all three
        // changes to the new SMS subscriber.
        assert_eq!(n, (bound - 1) + 3, "{n}");
    }
}
