//! The answer a channel gives a customer — the same an operator gives on the phone: the open
//! outages covering them with ETR and latest change ([`OutageBook::outages_covering`], as
//! `gridcare outage customer`), and the progress of their repair tickets
//! ([`RepairDesk::master_info`], as `gridcare ticket show`).

use serde::Serialize;

use crate::channels::records::Answer;
use crate::grid::Grid;
use crate::model::CustomerId;
use crate::outage::{Coverage, OutageBook, OutageKind, OutageStatus};
use crate::store::{format_rfc3339, format_time};
use crate::workorder::{CallOutcome, Disposition, RepairDesk, Ticket, TicketStatus};

/// How far back a customer's tickets are part of their status, seconds (7 days).
pub const TICKET_HORIZON_S: i64 = 7 * 86_400;
/// At most this many tickets in a status.
pub const MAX_TICKETS: usize = 5;

/// An open outage covering the customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutageAnswer {
    /// The outage's number.
    pub id: u64,
    /// `planned` or `fault`.
    pub kind: &'static str,
    /// `announced`, `active`, `partially_restored`.
    pub status: &'static str,
    /// Start, RFC 3339.
    pub start: String,
    /// End of a planned window.
    pub end: Option<String>,
    /// Estimated restoration.
    pub etr: Option<String>,
    /// The ETR passed without restoration.
    pub overdue: bool,
    /// Why.
    pub reason: String,
    /// The notice text.
    pub notice: String,
    /// The latest change, in words.
    pub latest_change: String,
    /// The same in Chinese.
    pub latest_change_zh: String,
    /// When it changed last.
    pub latest_change_time: String,
}

/// A repair ticket of the customer and the progress of the work behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketAnswer {
    /// The ticket's number.
    pub id: u64,
    /// Its status (`dispatched`, `merged`, …).
    pub status: &'static str,
    /// When it was called in.
    pub created: String,
    /// The channel it came on.
    pub channel: &'static str,
    /// The master ticket a merged call joined.
    pub master: Option<u64>,
    /// The master's status.
    pub master_status: Option<&'static str>,
    /// The crew sent.
    pub crew: Option<String>,
    /// Its estimated arrival.
    pub eta: Option<String>,
    /// When it arrived.
    pub arrived: Option<String>,
    /// Estimated restoration: the crew's, else the outage's.
    pub etr: Option<String>,
    /// What the crew found.
    pub fault_type: String,
    /// The cause found.
    pub cause: String,
}

/// A customer's status: what an operator would tell them now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerStatus {
    /// The account number.
    pub account: String,
    /// The feeder supplying them (display name), when supplied in the model.
    pub feeder: Option<String>,
    /// Open outages covering them, active first.
    pub outages: Vec<OutageAnswer>,
    /// Their recent repair tickets, newest first.
    pub tickets: Vec<TicketAnswer>,
    /// The answer in words (Chinese).
    pub answer: String,
}

fn opt_time(t: Option<i64>) -> Option<String> {
    t.map(format_rfc3339)
}

fn outage_answer(c: &Coverage) -> OutageAnswer {
    OutageAnswer {
        id: c.outage.0,
        kind: c.kind.as_str(),
        status: c.status.as_str(),
        start: format_rfc3339(c.start_s),
        end: opt_time(c.end_s),
        etr: opt_time(c.etr_s),
        overdue: c.overdue,
        reason: c.reason.clone(),
        notice: c.notice.clone(),
        latest_change: c.latest.summary.clone(),
        latest_change_zh: c.latest.summary_zh.clone(),
        latest_change_time: format_rfc3339(c.latest.time_s),
    }
}

fn status_zh(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::New => "已受理",
        TicketStatus::Dispatched => "已派单",
        TicketStatus::EnRoute => "抢修人员正在赶往现场",
        TicketStatus::OnSite => "抢修人员已到达现场",
        TicketStatus::Restored => "已恢复送电",
        TicketStatus::Closed => "已处理完毕",
        TicketStatus::CallbackDone => "已回访",
        TicketStatus::Merged => "已并入同一故障的抢修",
        TicketStatus::Explained => "已答复",
        TicketStatus::Cancelled => "已撤销",
    }
}

fn kind_zh(k: OutageKind) -> &'static str {
    match k {
        OutageKind::Planned => "计划停电",
        OutageKind::Fault => "故障停电",
    }
}

fn ticket_answer(desk: &RepairDesk, outages: &OutageBook, t: &Ticket) -> TicketAnswer {
    let m = desk.master_info(t, outages);
    TicketAnswer {
        id: t.id.0,
        status: t.status.as_str(),
        created: format_rfc3339(t.times.created_s),
        channel: t.channel.as_str(),
        master: t.master().map(|x| x.0),
        master_status: m.status.map(TicketStatus::as_str),
        crew: m.crew,
        eta: opt_time(m.eta_s),
        arrived: opt_time(m.arrived_s),
        etr: opt_time(m.etr_s),
        fault_type: m.fault_type,
        cause: m.cause,
    }
}

/// The customer's status now, and the same as the [`Answer`] an interaction records.
/// Their tickets are found among all the desk's tickets; [`customer_status_with`] takes
/// them from an index instead.
pub fn customer_status(
    grid: &Grid,
    outages: &OutageBook,
    desk: &RepairDesk,
    customer: CustomerId,
) -> (CustomerStatus, Answer) {
    let account = &grid.model.customers[customer.index()].account_no;
    let tickets: Vec<&Ticket> =
        desk.tickets().filter(|t| t.site.account.as_deref() == Some(account.as_str())).collect();
    customer_status_with(grid, outages, desk, customer, tickets)
}

/// [`customer_status`] with the customer's tickets already found (any order).
pub fn customer_status_with<'a>(
    grid: &Grid,
    outages: &OutageBook,
    desk: &RepairDesk,
    customer: CustomerId,
    tickets: impl IntoIterator<Item = &'a Ticket>,
) -> (CustomerStatus, Answer) {
    let m = &grid.model;
    let account = m.customers[customer.index()].account_no.clone();
    let feeder = grid
        .customer_card(customer)
        .and_then(|c| c.feeder)
        .map(|f| m.feeders[f.index()].display_name.clone());
    let covering = outages.outages_covering(customer);
    let since = desk.now_s() - TICKET_HORIZON_S;
    let mut mine: Vec<&Ticket> = tickets
        .into_iter()
        .filter(|t| t.times.created_s >= since || t.status.in_flight())
        .collect();
    mine.sort_by_key(|t| std::cmp::Reverse(t.id));
    mine.truncate(MAX_TICKETS);
    let tickets: Vec<TicketAnswer> = mine.iter().map(|t| ticket_answer(desk, outages, t)).collect();
    let text = status_text(&covering, mine.first().copied(), tickets.first());
    let answer = Answer {
        text: text.clone(),
        ticket: mine.first().map(|t| t.id.0),
        disposition: None,
        master: None,
        outages: covering.iter().map(|c| c.outage.0).collect(),
        etr_s: covering.first().and_then(|c| c.etr_s),
    };
    let status = CustomerStatus {
        account,
        feeder,
        outages: covering.iter().map(outage_answer).collect(),
        tickets,
        answer: text,
    };
    (status, answer)
}

/// The status in words, as the operator says it.
fn status_text(
    covering: &[Coverage],
    ticket: Option<&Ticket>,
    progress: Option<&TicketAnswer>,
) -> String {
    let mut out = String::new();
    if let Some(c) = covering.first() {
        let etr = c.etr_s.map_or_else(|| "尚未确定".to_string(), format_time);
        match c.status {
            OutageStatus::Announced => out.push_str(&format!(
                "您所在区域将于 {} 起{}（停电编号 {}），原因：{}。预计 {} 恢复供电。",
                format_time(c.start_s),
                kind_zh(c.kind),
                c.outage,
                c.reason,
                c.end_s.map_or(etr.clone(), format_time)
            )),
            _ => out.push_str(&format!(
                "您所在区域正在{}（停电编号 {}），原因：{}。预计 {} 恢复供电{}。",
                kind_zh(c.kind),
                c.outage,
                c.reason,
                etr,
                if c.overdue { "（已超过预计时间，仍在抢修）" } else { "" }
            )),
        }
        let latest =
            if c.latest.summary_zh.is_empty() { &c.latest.summary } else { &c.latest.summary_zh };
        if !latest.is_empty() {
            out.push_str(&format!("最新进展：{latest}。"));
        }
    }
    if let (Some(t), Some(p)) = (ticket, progress) {
        let crew = match (&p.crew, p.eta.as_deref(), p.arrived.as_deref()) {
            (Some(c), _, Some(_)) => format!("，{c}已到达现场"),
            (Some(c), Some(_), None) => {
                format!("，{c}预计 {} 到达", t.eta_s.map(format_time).unwrap_or_default())
            }
            _ => String::new(),
        };
        out.push_str(&format!("您的报修（工单 {}）{}{crew}。", t.id, status_zh(t.status)));
    }
    if out.is_empty() {
        out.push_str("您所在区域目前没有停电信息。如家中停电，请回复“停电报修”或拨打 95598。");
    }
    out
}

/// The answer to a repair message: the ticket as recorded and what happens next, with the
/// ETR of the master's crew or of the outage covering the caller.
pub fn repair_answer(outcome: &CallOutcome, outages: &OutageBook) -> Answer {
    let t = &outcome.ticket;
    let m = outcome.master.as_ref();
    let outage = outcome.decision.outage.and_then(|o| outages.get(o));
    let etr_s = m.and_then(|m| m.etr_s).or(t.etr_s).or(outage.and_then(|o| o.etr_s));
    let etr = etr_s.map_or_else(|| "尽快".to_string(), |e| format!("{} 前", format_time(e)));
    let (disposition, text, master) = match t.disposition {
        Disposition::Dispatch => {
            let known = match outage {
                Some(o) => format!(
                    "您所在区域正在{}（停电编号 {}），预计{etr}恢复供电。",
                    kind_zh(o.kind),
                    o.id
                ),
                None => String::new(),
            };
            (
                "dispatch",
                format!(
                    "{known}已受理您的报修（工单 {}），已派往{}，抢修人员将尽快与您联系。",
                    t.id, t.site.unit
                ),
                None,
            )
        }
        Disposition::Merged { master } => {
            let crew = match m.and_then(|m| m.crew.clone()) {
                Some(c) => format!(
                    "{c}{}，",
                    m.and_then(|m| m.eta_s).map_or_else(
                        || "正在处理".to_string(),
                        |e| format!("预计 {} 到达", format_time(e)),
                    )
                ),
                None => String::new(),
            };
            (
                "merged",
                format!(
                    "您所在区域的故障已在抢修中（主工单 {master}），{crew}预计{etr}恢复供电。\
                     已记录您的报修（工单 {}）。",
                    t.id
                ),
                Some(master.0),
            )
        }
        Disposition::Explained { outage } => (
            "explained",
            format!(
                "您所在区域正在计划停电（停电编号 {outage}），预计{etr}恢复供电，无需报修。\
                 已记录您的来信（工单 {}）。",
                t.id
            ),
            None,
        ),
    };
    Answer {
        text,
        ticket: Some(t.id.0),
        disposition: Some(disposition.to_string()),
        master,
        outages: outcome.decision.outage.map(|o| o.0).into_iter().collect(),
        etr_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outage::{LatestChange, OutageId};
    use crate::store::parse_time;
    use crate::workorder::testing::urban_lv_ticket;

    fn t(text: &str) -> i64 {
        parse_time(text).expect("a time")
    }

    fn coverage(kind: OutageKind, status: OutageStatus, overdue: bool) -> Coverage {
        Coverage {
            outage: OutageId(4),
            kind,
            status,
            start_s: t("2026-11-24 08:00"),
            end_s: (kind == OutageKind::Planned).then(|| t("2026-11-24 17:00")),
            etr_s: Some(t("2026-11-24 12:00")),
            overdue,
            reason: "10kV 线路检修".into(),
            notice: String::new(),
            latest: LatestChange {
                summary: "ETR changed".into(),
                summary_zh: "预计送电时间改为 12:00".into(),
                ..LatestChange::default()
            },
        }
    }

    #[test]
    fn nothing_known_says_so_and_how_to_report() {
        let text = status_text(&[], None, None);
        assert!(text.contains("没有停电信息") && text.contains("95598"), "{text}");
    }

    #[test]
    fn an_active_outage_gives_its_etr_latest_change_and_whether_it_is_late() {
        let c = coverage(OutageKind::Fault, OutageStatus::Active, true);
        let text = status_text(&[c], None, None);
        assert!(text.starts_with("您所在区域正在故障停电（停电编号 4）"), "{text}");
        assert!(text.contains("预计 2026-11-24 12:00 恢复供电（已超过预计时间"), "{text}");
        assert!(text.contains("最新进展：预计送电时间改为 12:00。"), "{text}");
    }

    #[test]
    fn an_announced_planned_outage_gives_its_window() {
        let c = coverage(OutageKind::Planned, OutageStatus::Announced, false);
        let text = status_text(&[c], None, None);
        assert!(text.contains("将于 2026-11-24 08:00 起计划停电"), "{text}");
        assert!(text.contains("预计 2026-11-24 17:00 恢复供电"), "{text}");
    }

    #[test]
    fn a_ticket_with_a_crew_on_the_way_gives_its_arrival() {
        let mut ticket = urban_lv_ticket(t("2026-11-24 09:00"));
        ticket.status = TicketStatus::EnRoute;
        ticket.eta_s = Some(t("2026-11-24 09:40"));
        let progress = TicketAnswer {
            id: ticket.id.0,
            status: ticket.status.as_str(),
            created: String::new(),
            channel: "wechat",
            master: None,
            master_status: None,
            crew: Some("祖庙抢修一班".into()),
            eta: Some("2026-11-24T09:40:00+08:00".into()),
            arrived: None,
            etr: None,
            fault_type: String::new(),
            cause: String::new(),
        };
        let text = status_text(&[], Some(&ticket), Some(&progress));
        assert_eq!(
            text,
            "您的报修（工单 1）抢修人员正在赶往现场，祖庙抢修一班预计 2026-11-24 09:40 到达。"
        );
    }
}
