//! Customer 360 (客户全景视图): one customer from every side — profile and labels, where they
//! hang on the grid, the outages that cover or covered them, their repair tickets, what
//! GridCare sent them, the alerts their messages raised — and one timeline of all of it,
//! newest first, whatever the channel.
//!
//! The same [`customer_360`] answers the desktop panel, the CLI (`gridcare customer`) and the
//! channel service; a source a door does not have (no repair desk open, no alerts) is left out.

use serde::Serialize;

use super::alert::AlertBook;
use super::outbox::{Channel, Outbox};
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, Labels};
use crate::outage::{Lifecycle, OutageBook};
use crate::workorder::RepairDesk;

/// Where the customer hangs on the grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridPosition {
    /// Substation (display name).
    pub substation: Option<String>,
    /// Feeder id and display name.
    pub feeder: Option<(String, String)>,
    /// Distribution transformer.
    pub transformer: Option<String>,
    /// Customers on the same transformer, the customer included.
    pub transformer_customers: usize,
    /// Energised now (the switch states of the model).
    pub energised: bool,
}

/// An outage that covers or covered the customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutageLine {
    /// Its number.
    pub id: u64,
    /// `planned` or `fault`.
    pub kind: String,
    /// Start, unix seconds.
    pub start_s: i64,
    /// End (planned) or restoration, when known.
    pub end_s: Option<i64>,
    /// Estimated restoration.
    pub etr_s: Option<i64>,
    /// `announced`, `active`, `restored`, `cancelled`…
    pub status: String,
    /// Why.
    pub reason: String,
}

/// A repair ticket of the customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketLine {
    /// Its number.
    pub id: u64,
    /// How the call came.
    pub channel: String,
    /// Its status word.
    pub status: String,
    /// What the customer said.
    pub description: String,
    /// When.
    pub created_s: i64,
    /// The outage it joined.
    pub outage: Option<u64>,
}

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// When, unix seconds.
    pub time_s: i64,
    /// `ticket`, `outage`, `message`, `alert`, `interaction`.
    pub source: String,
    /// The channel, when there is one (`phone`, `wechat`, `sms`…).
    pub channel: Option<String>,
    /// What happened, in English.
    pub summary: String,
    /// The same in Chinese.
    pub summary_zh: String,
}

/// The whole view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customer360 {
    /// Account number (户号).
    pub account: String,
    /// Name (户名).
    pub name: String,
    /// Phones.
    pub phones: Vec<String>,
    /// Standard address.
    pub address: String,
    /// Label words.
    pub labels: Vec<String>,
    /// Contracted demand, kW.
    pub kw: f32,
    /// Channels the customer can be reached on: WeChat when bound, SMS to a phone.
    pub bindings: Vec<Channel>,
    /// Grid position.
    pub grid: GridPosition,
    /// Open outages covering the customer now.
    pub covered_now: Vec<OutageLine>,
    /// Every outage that covered the customer, newest first.
    pub outages: Vec<OutageLine>,
    /// Repair tickets, newest first.
    pub tickets: Vec<TicketLine>,
    /// Messages queued for the customer: (number, kind, channel, delivery state, queued at).
    pub messages: Vec<(u64, String, String, String, i64)>,
    /// Alerts raised from the customer's messages: (number, severity, status, words).
    pub alerts: Vec<(u64, String, String, Vec<String>)>,
    /// Everything, newest first.
    pub timeline: Vec<TimelineEntry>,
}

/// What the view is built from; `None` sources are left out.
pub struct Sources<'a> {
    /// The outage book (always: it says who was covered).
    pub outages: &'a OutageBook,
    /// The repair desk.
    pub desk: Option<&'a RepairDesk>,
    /// The outbox.
    pub outbox: Option<&'a Outbox>,
    /// The alerts.
    pub alerts: Option<&'a AlertBook>,
    /// Interactions the caller has (channel messages and answers from the channel service),
    /// merged into the timeline as they are.
    pub interactions: Vec<TimelineEntry>,
}

/// Why the view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Customer360Error {
    /// No such customer.
    #[error("no customer with account or phone `{0}`")]
    UnknownCustomer(String),
    /// A source failed.
    #[error("{0}")]
    Source(String),
}

fn source<E: std::fmt::Display>(e: E) -> Customer360Error {
    Customer360Error::Source(e.to_string())
}

/// The customer named by an account number or a phone.
pub fn find_customer(grid: &Grid, account_or_phone: &str) -> Result<CustomerId, Customer360Error> {
    let q = account_or_phone.trim();
    if let Ok(DeviceRef::Customer(c)) = grid.resolve(q) {
        return Ok(c);
    }
    match crate::outage::find_caller(grid, q) {
        Ok(found) if found.len() == 1 => Ok(found[0]),
        _ => Err(Customer360Error::UnknownCustomer(q.to_string())),
    }
}

/// The 360° view of `customer`.
pub fn customer_360(
    grid: &Grid,
    customer: CustomerId,
    sources: Sources<'_>,
) -> Result<Customer360, Customer360Error> {
    let m = &grid.model;
    let cu = m
        .customers
        .get(customer.index())
        .ok_or_else(|| Customer360Error::UnknownCustomer(format!("#{}", customer.0)))?;
    let account = cu.account_no.clone();
    let mut timeline: Vec<TimelineEntry> = sources.interactions;

    // Grid position.
    let feeder = grid.topology.feeder_of(cu.bus).and_then(|f| m.feeders.get(f.index()));
    let xf = cu.transformer;
    let position = GridPosition {
        substation: feeder
            .and_then(|f| m.substations.get(f.substation.index()))
            .map(|s| s.display_name.clone()),
        feeder: feeder.map(|f| (f.name.clone(), f.display_name.clone())),
        transformer: xf.and_then(|t| m.transformers.get(t.index())).map(|t| t.name.clone()),
        transformer_customers: crate::outage::meter::transformer_customers(grid, customer)
            .len()
            .max(1),
        energised: grid.topology.feeder_of(cu.bus).is_some(),
    };

    // Outages: every one whose scope names the account.
    let now = sources.outages.now_s();
    let line = |o: &crate::outage::Outage| OutageLine {
        id: o.id.0,
        kind: o.kind.as_str().to_string(),
        start_s: o.start_s,
        end_s: o.end_s,
        etr_s: o.etr_s,
        status: o.status_at(now).as_str().to_string(),
        reason: o.reason.clone(),
    };
    let mut outages = Vec::new();
    let mut covered_now = Vec::new();
    for o in sources.outages.list(true) {
        // An open outage's scope names its customers; a restored or cancelled one's scope is
        // empty, so its devices say whom it cut.
        let open = matches!(o.lifecycle, Lifecycle::Open | Lifecycle::PartiallyRestored);
        let covered = if open {
            o.impact.accounts.iter().any(|a| a == &account)
        } else {
            o.devices
                .iter()
                .filter_map(|d| grid.resolve(d).ok())
                .any(|d| grid.topology.cuts(m, d, customer))
        };
        if !covered {
            continue;
        }
        outages.push(line(o));
        if open {
            covered_now.push(line(o));
        }
        for t in sources.outages.trajectory(o.id).map_err(source)? {
            timeline.push(TimelineEntry {
                time_s: t.time_s,
                source: "outage".into(),
                channel: None,
                summary: format!("outage {}: {}", o.id.0, t.summary),
                summary_zh: format!("停电 {}：{}", o.id.0, t.summary_zh),
            });
        }
    }
    outages.sort_by_key(|o| std::cmp::Reverse((o.start_s, o.id)));

    // Tickets whose caller is the customer.
    let mut tickets = Vec::new();
    if let Some(desk) = sources.desk {
        for t in desk.tickets() {
            if t.site.account.as_deref() != Some(account.as_str()) {
                continue;
            }
            tickets.push(TicketLine {
                id: t.id.0,
                channel: t.channel.as_str().to_string(),
                status: t.status.as_str().to_string(),
                description: t.description.clone(),
                created_s: t.times.created_s,
                outage: t.outage.map(|o| o.0),
            });
            for r in desk.history(t.id).map_err(source)? {
                let word = r.event.word();
                timeline.push(TimelineEntry {
                    time_s: r.time_s,
                    source: "ticket".into(),
                    channel: (word == "created").then(|| t.channel.as_str().to_string()),
                    summary: format!("ticket {}: {word} ({})", t.id.0, r.reason),
                    summary_zh: format!(
                        "工单 {}：{}{}",
                        t.id.0,
                        ticket_word_zh(word),
                        reason_zh(&r.reason)
                    ),
                });
            }
        }
    }
    tickets.sort_by_key(|t| std::cmp::Reverse((t.created_s, t.id)));

    // Messages GridCare queued for them.
    let mut messages = Vec::new();
    if let Some(outbox) = sources.outbox {
        for msg in outbox.all().map_err(source)? {
            if msg.message.account != account {
                continue;
            }
            messages.push((
                msg.id.0,
                msg.message.kind.as_str().to_string(),
                msg.message.channel.as_str().to_string(),
                msg.state.as_str().to_string(),
                msg.queued_s,
            ));
            let first_line = msg.message.text.lines().last().unwrap_or("").to_string();
            timeline.push(TimelineEntry {
                time_s: msg.queued_s,
                source: "message".into(),
                channel: Some(msg.message.channel.as_str().to_string()),
                summary: format!(
                    "{} sent ({}): {}",
                    msg.message.kind.as_str(),
                    msg.state.as_str(),
                    first_line
                ),
                summary_zh: format!(
                    "发送{}（{}）：{}",
                    kind_zh(msg.message.kind.as_str()),
                    state_zh(msg.state.as_str()),
                    first_line
                ),
            });
        }
    }

    // Alerts from their messages.
    let mut alerts = Vec::new();
    if let Some(book) = sources.alerts {
        for a in book.all().map_err(source)? {
            if a.account.as_deref() != Some(account.as_str()) {
                continue;
            }
            alerts.push((
                a.id.0,
                a.severity.as_str().to_string(),
                a.status.as_str().to_string(),
                a.words.clone(),
            ));
            timeline.push(TimelineEntry {
                time_s: a.raised.at_s,
                source: "alert".into(),
                channel: Some(a.channel.clone()),
                summary: format!("alert {} ({}): {}", a.id.0, a.words.join(", "), a.text),
                summary_zh: format!("敏感词预警 {}（{}）：{}", a.id.0, a.words.join("、"), a.text),
            });
        }
    }

    timeline.sort_by(|a, b| b.time_s.cmp(&a.time_s).then(a.source.cmp(&b.source)));
    let mut bindings = Vec::new();
    if cu.labels.contains(Labels::WECHAT) {
        bindings.push(Channel::Wechat);
    }
    if cu.phones.iter().any(|p| !p.trim().is_empty()) {
        bindings.push(Channel::Sms);
    }
    Ok(Customer360 {
        account,
        name: cu.display_name.clone(),
        phones: cu.phones.clone(),
        address: cu.address.full(),
        labels: cu
            .labels
            .to_words()
            .split('|')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
        kw: cu.kw,
        bindings,
        grid: position,
        covered_now,
        outages,
        tickets,
        messages,
        alerts,
        timeline,
    })
}

/// The channel service's interactions with `account` (what came in on which channel, what was
/// answered), as timeline lines: the [`Sources::interactions`] of every door.
pub fn interaction_entries(
    store: &crate::store::Store,
    account: &str,
) -> Result<Vec<TimelineEntry>, Customer360Error> {
    Ok(store
        .all::<super::records::Interaction>()
        .map_err(source)?
        .into_iter()
        .map(|e| e.state)
        .filter(|i| i.account == account)
        .map(|i| {
            let (said, said_zh) = if i.text.is_empty() {
                ("status query".to_string(), "状态查询".to_string())
            } else {
                (i.text.clone(), i.text.clone())
            };
            TimelineEntry {
                time_s: i.received_s,
                source: "interaction".into(),
                channel: Some(i.channel.as_str().to_string()),
                summary: format!("{said} → {}", i.answer.text),
                summary_zh: format!("{said_zh} → {}", i.answer.text),
            }
        })
        .collect())
}

/// The reason in a Chinese line: kept when it is written in Chinese (an operator's words), left
/// out when GridCare wrote it in English (the line's own words say what happened).
fn reason_zh(reason: &str) -> String {
    if reason.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        format!("（{reason}）")
    } else {
        String::new()
    }
}

fn ticket_word_zh(word: &str) -> &str {
    match word {
        "created" => "受理",
        "dispatched" => "派单",
        "crew_sent" | "en_route" => "出发",
        "on_site" | "arrived" => "到达现场",
        "diagnosed" => "故障查明",
        "restored" => "恢复送电",
        "closed" => "归档",
        "callback" | "callback_done" => "回访",
        "merged" | "joined_outage" => "合并",
        "explained" => "停电答复",
        "cancelled" => "撤销",
        other => other,
    }
}

fn kind_zh(kind: &str) -> &str {
    match kind {
        "consultation" => "意见征询书",
        "planned_outage" => "停电通知",
        "fault_outage" => "故障停电通知",
        "outage_changed" => "停电变更通知",
        "restored" => "复电通知",
        other => other,
    }
}

fn state_zh(state: &str) -> &str {
    match state {
        "queued" => "待发",
        "sent" => "已发出",
        "delivered" => "已送达",
        "failed" => "失败",
        other => other,
    }
}
