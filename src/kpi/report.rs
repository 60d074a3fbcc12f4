//! Every table of `gridcare report`: the reliability indices of a period and scope (all,
//! planned, unplanned, and without Major Event Days), the Major Event Days, the call-centre
//! measures overall and by channel, unit and month, and the ticket list.

use std::collections::BTreeMap;

use super::alerts::{alert_timeliness, AlertTimeliness, AlertTimes, ACK_LIMIT_S, RESOLVE_LIMIT_S};
use super::callcentre::{measure_tickets, summarise, CallCentreMeasures, TicketMeasures};
use super::calls::CallRecord;
use super::interruptions::{interruptions_in_store, InterruptionLog};
use super::med::{daily_saidi, major_event_days, med_threshold, DailySaidi, MedThreshold};
use super::reliability::{reliability_indices, Basis, ReliabilityIndices};
use super::scope::{day_of, day_text, Period, Scope, Selection, Territory};
use super::table::{html_page, Cell, Table};
use super::KpiError;
use crate::channels::alert::Alert;
use crate::grid::Grid;
use crate::store::{format_time, Store};
use crate::workorder::{SlaPolicy, Ticket};

/// Days of daily SAIDI the Major Event Day threshold is computed from at most (five years).
pub const MED_HISTORY_DAYS: i64 = 5 * 365 + 1;

/// What a report is computed from.
pub struct ReportInput<'a> {
    /// The grid (customers served, the scope, the owning units).
    pub grid: &'a Grid,
    /// The service levels of the SLA clocks.
    pub policy: &'a SlaPolicy,
    /// The phone platform's call records (may be empty).
    pub calls: &'a [CallRecord],
    /// The period.
    pub period: Period,
    /// The scope.
    pub scope: Scope,
    /// The time the report is made: open outages are counted up to it, SLA clocks read at
    /// it.
    pub as_of_s: i64,
}

/// One row of the index table.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexRow {
    /// `all`, `planned`, `unplanned`, `unplanned excl. MED`, `all excl. MED`.
    pub basis: String,
    /// The indices.
    pub indices: ReliabilityIndices,
}

/// A computed report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The scope's label.
    pub scope: String,
    /// Customers served in the scope.
    pub customers_served: u64,
    /// The index rows.
    pub indices: Vec<IndexRow>,
    /// The Major Event Day threshold (`None` with fewer than two days of interruptions).
    pub med: Option<MedThreshold>,
    /// The days the threshold was computed from (first, last), local day numbers.
    pub med_basis: (i64, i64),
    /// Major Event Days in the period.
    pub med_days: Vec<DailySaidi>,
    /// Call-centre measures: (`all`|`channel`|`unit`|`month`, group, measures).
    pub measures: Vec<(String, String, CallCentreMeasures)>,
    /// The tickets of the period and scope with their part in each measure.
    pub tickets: Vec<(Ticket, TicketMeasures)>,
    /// Outages read from the store.
    pub outages: usize,
    /// Interruptions derived from them.
    pub interruptions: usize,
    /// Remarks for the reader (what is not available, accounts not in the model).
    pub notes: Vec<String>,
    /// Sensitive-word alerts handled in time: (`all`|`channel`|`month`, group, measure); empty
    /// when the alerts were not read ([`Report::from_parts`]).
    pub alerts: Vec<(String, String, AlertTimeliness)>,
}

/// The note when alerts were not read.
const ALERTS_NOT_READ: &str =
    "alerts handled in time (敏感词预警): not available — alerts are read by Report::compute";

/// 00:00 Beijing time of a local day.
fn day_start(day: i64) -> i64 {
    day * 86_400 - crate::store::LOCAL_OFFSET_S
}

fn site_in_scope(
    territory: &Territory,
    grid: &Grid,
    scope: &Scope,
    selection: &Selection,
    t: &Ticket,
) -> bool {
    if let Some(c) = t.site.account.as_deref().and_then(|a| territory.customer(a)) {
        return selection.contains(c);
    }
    let m = &grid.model;
    let feeder = t.site.feeder.as_deref().and_then(|f| m.feeders.iter().find(|x| x.name == f));
    match scope {
        Scope::Area => true,
        Scope::District(d) => t.site.address.contains(d.as_str()),
        Scope::Feeder(n) => feeder.is_some_and(|f| f.name == *n || f.display_name == *n),
        Scope::Substation(n) => feeder.is_some_and(|f| {
            let s = &m.substations[f.substation.index()];
            s.name == *n || s.display_name == *n
        }),
    }
}

impl Report {
    /// Reads the outages and tickets of a store and computes the report.
    pub fn compute(store: &Store, input: &ReportInput<'_>) -> Result<Report, KpiError> {
        let territory = Territory::new(input.grid);
        let log = interruptions_in_store(store, &territory, input.as_of_s)?;
        let tickets: Vec<Ticket> = store.all::<Ticket>()?.into_iter().map(|e| e.state).collect();
        let mut report = Report::from_parts(&territory, &log, &tickets, input)?;
        let alerts: Vec<Alert> = store.all::<Alert>()?.into_iter().map(|e| e.state).collect();
        let selection = territory.select(&input.scope)?;
        let kept: Vec<&Alert> = alerts
            .iter()
            .filter(|a| input.period.contains(a.raised.at_s))
            .filter(|a| match a.account.as_deref().and_then(|x| territory.customer(x)) {
                Some(c) => selection.contains(c),
                None => input.scope == Scope::Area,
            })
            .collect();
        let measure = |v: &[&Alert]| {
            let times: Vec<AlertTimes> = v.iter().map(|a| AlertTimes::from(*a)).collect();
            alert_timeliness(times.iter(), input.as_of_s)
        };
        let mut rows = vec![("all".to_string(), "all".to_string(), measure(&kept))];
        for (by, key) in [
            ("channel", &(|a: &Alert| a.channel.clone()) as &dyn Fn(&Alert) -> String),
            ("month", &|a: &Alert| day_text(day_of(a.raised.at_s))[..7].to_string()),
        ] {
            let mut groups: BTreeMap<String, Vec<&Alert>> = BTreeMap::new();
            for a in &kept {
                groups.entry(key(a)).or_default().push(a);
            }
            for (g, v) in groups {
                rows.push((by.to_string(), g, measure(&v)));
            }
        }
        let all = rows[0].2;
        report.notes.retain(|n| n != ALERTS_NOT_READ);
        report.notes.insert(
            0,
            format!(
                "alerts handled in time (敏感词预警: first handled within {} min, resolved within {} h): \
                 {} raised, {} counted, {} in time{}",
                ACK_LIMIT_S / 60,
                RESOLVE_LIMIT_S / 3600,
                all.raised,
                all.counted,
                all.in_time,
                all.rate().map_or(String::new(), |r| format!(" ({:.1} %)", 100.0 * r))
            ),
        );
        report.alerts = rows;
        Ok(report)
    }

    /// The report from interruptions and tickets already read.
    pub fn from_parts(
        territory: &Territory,
        log: &InterruptionLog,
        tickets: &[Ticket],
        input: &ReportInput<'_>,
    ) -> Result<Report, KpiError> {
        let selection = territory.select(&input.scope)?;
        let area = Selection::whole(territory.customers());
        let period = input.period;
        let v = &log.interruptions;
        // Major Event Days: the area's unplanned daily SAIDI over up to five years.
        let last_day = day_of(period.to_s - 1);
        let first_day = last_day + 1 - MED_HISTORY_DAYS;
        let med_period = Period { from_s: day_start(first_day), to_s: period.to_s };
        // the days the store actually holds, for the reader
        let first_data = v.first().map_or(last_day, |i| day_of(i.start_s)).max(first_day);
        let daily = daily_saidi(v, &area, med_period, Basis::Unplanned);
        let med = med_threshold(&daily.iter().map(|d| d.saidi_min).collect::<Vec<_>>());
        let all_meds = med.map(|t| major_event_days(&daily, &t)).unwrap_or_default();
        let excluded: Vec<i64> = all_meds.iter().map(|d| d.day).collect();
        let med_days: Vec<DailySaidi> =
            all_meds.into_iter().filter(|d| period.contains(day_start(d.day))).collect();
        let row = |basis: &str, b: Basis, ex: &[i64]| IndexRow {
            basis: basis.to_string(),
            indices: reliability_indices(v, &selection, period, b, ex),
        };
        let indices = vec![
            row("all", Basis::All, &[]),
            row("planned", Basis::Planned, &[]),
            row("unplanned", Basis::Unplanned, &[]),
            row("unplanned excl. MED", Basis::Unplanned, &excluded),
            row("all excl. MED", Basis::All, &excluded),
        ];

        // Call-centre measures: every ticket is measured (repeats and re-dispatches may
        // fall outside the period or scope), then those of the period and scope are kept.
        let measured = measure_tickets(tickets, territory, input.policy, input.as_of_s);
        let kept: Vec<(Ticket, TicketMeasures)> = tickets
            .iter()
            .zip(measured)
            .filter(|(t, _)| period.contains(t.times.created_s))
            .filter(|(t, _)| site_in_scope(territory, input.grid, &input.scope, &selection, t))
            .map(|(t, m)| (t.clone(), m))
            .collect();
        let unit_of: BTreeMap<u64, &str> =
            kept.iter().map(|(t, m)| (t.id.0, m.unit.as_str())).collect();
        let calls: Vec<&CallRecord> = input
            .calls
            .iter()
            .filter(|c| period.contains(c.offered_s))
            .filter(|c| {
                input.scope == Scope::Area || c.ticket.is_some_and(|t| unit_of.contains_key(&t.0))
            })
            .collect();
        let month = |t_s: i64| day_text(day_of(t_s))[..7].to_string();
        let mut measures = vec![(
            "all".to_string(),
            "all".to_string(),
            summarise(kept.iter().map(|(_, m)| m), calls.iter().copied()),
        )];
        let mut group = |by: &str,
                         key_t: &dyn Fn(&TicketMeasures) -> String,
                         key_c: &dyn Fn(&CallRecord) -> Option<String>| {
            // each ticket's and call's key once, then the groups
            let tk: Vec<String> = kept.iter().map(|(_, m)| key_t(m)).collect();
            let ck: Vec<Option<String>> = calls.iter().map(|c| key_c(c)).collect();
            let mut groups: BTreeMap<&str, (Vec<&TicketMeasures>, Vec<&CallRecord>)> =
                BTreeMap::new();
            for (k, (_, m)) in tk.iter().zip(&kept) {
                groups.entry(k.as_str()).or_default().0.push(m);
            }
            for (k, c) in ck.iter().zip(&calls) {
                if let Some(k) = k {
                    groups.entry(k.as_str()).or_default().1.push(*c);
                }
            }
            for (k, (ts, cs)) in groups {
                let k = k.to_string();
                let m = summarise(ts, cs);
                measures.push((by.to_string(), k, m));
            }
        };
        group("channel", &|m| m.channel.as_str().to_string(), &|c| {
            Some(c.channel.as_str().to_string())
        });
        group("unit", &|m| m.unit.clone(), &|c| {
            c.ticket.and_then(|t| unit_of.get(&t.0)).map(|u| u.to_string())
        });
        group("month", &|m| month(m.created_s), &|c| Some(month(c.offered_s)));

        let mut notes = vec![ALERTS_NOT_READ.to_string()];
        if input.calls.is_empty() {
            notes.push(
                "average handling time: no call records from the phone platform (cti_calls.csv)"
                    .into(),
            );
        }
        if log.unresolved_accounts > 0 {
            notes.push(format!(
                "{} account numbers in the outages are not customers of this model; left out",
                log.unresolved_accounts
            ));
        }
        match &med {
            Some(t) => notes.push(format!(
                "Major Event Days: T_MED = exp(α + 2.5β) = exp({:.4} + 2.5 × {:.4}) = {:.2} min \
                 of unplanned daily SAIDI (area), from {} days with interruptions between {} and {}",
                t.alpha,
                t.beta,
                t.t_med_min,
                t.days_used,
                day_text(first_data),
                day_text(last_day)
            )),
            None => notes.push(
                "Major Event Days: fewer than two days with interruptions; no threshold".into(),
            ),
        }
        Ok(Report {
            period,
            scope: selection.label.clone(),
            customers_served: selection.customers_served,
            indices,
            med,
            med_basis: (first_data, last_day),
            med_days,
            measures,
            tickets: kept,
            outages: log.outages,
            interruptions: log.interruptions.len(),
            notes,
            alerts: Vec::new(),
        })
    }

    /// The tables: `indices`, `med_threshold`, `med_days`, `callcentre`, `tickets`.
    pub fn tables(&self) -> Vec<Table> {
        let from = day_text(day_of(self.period.from_s));
        let to = day_text(day_of(self.period.to_s - 1));
        let mut ix = Table::new(
            "indices",
            &format!("Reliability indices (IEEE 1366), {} {}", self.scope, self.period.label()),
            &[
                "scope",
                "from",
                "to",
                "basis",
                "customers_served",
                "customer_interruptions",
                "customer_minutes",
                "customers_interrupted",
                "momentary_interruptions",
                "momentary_events",
                "saifi",
                "saidi_min",
                "caidi_min",
                "caifi",
                "ctaidi_min",
                "asai",
                "maifi",
                "maifie",
            ],
        );
        for r in &self.indices {
            let i = &r.indices;
            ix.rows.push(vec![
                Cell::Text(self.scope.clone()),
                Cell::Text(from.clone()),
                Cell::Text(to.clone()),
                Cell::Text(r.basis.clone()),
                Cell::Int(i.customers_served),
                Cell::Int(i.customer_interruptions),
                Cell::Num(i.customer_minutes),
                Cell::Int(i.customers_interrupted),
                Cell::Int(i.momentary_interruptions),
                Cell::Int(i.momentary_events),
                Cell::opt(i.saifi),
                Cell::opt(i.saidi_min),
                Cell::opt(i.caidi_min),
                Cell::opt(i.caifi),
                Cell::opt(i.ctaidi_min),
                Cell::opt(i.asai),
                Cell::opt(i.maifi),
                Cell::opt(i.maifie),
            ]);
        }
        let mut th = Table::new(
            "med_threshold",
            "Major Event Day threshold (2.5-beta method, area, unplanned)",
            &["basis_from", "basis_to", "days_used", "alpha", "beta", "t_med_min"],
        );
        if let Some(t) = &self.med {
            th.rows.push(vec![
                Cell::Text(day_text(self.med_basis.0)),
                Cell::Text(day_text(self.med_basis.1)),
                Cell::Int(t.days_used as u64),
                Cell::Num(t.alpha),
                Cell::Num(t.beta),
                Cell::Num(t.t_med_min),
            ]);
        }
        let mut md = Table::new(
            "med_days",
            "Major Event Days in the period (daily SAIDI above T_MED)",
            &["day", "saidi_min"],
        );
        for d in &self.med_days {
            md.rows.push(vec![Cell::Text(day_text(d.day)), Cell::Num(d.saidi_min)]);
        }
        let mut cc = Table::new(
            "callcentre",
            "Call-centre measures (tickets and the phone platform's call records)",
            &[
                "by",
                "group",
                "tickets",
                "dispatched",
                "merged",
                "explained",
                "first_call_resolution",
                "first_dispatch_fix",
                "duplicate_dispatch",
                "dispatch_accuracy",
                "sla_dispatch",
                "sla_arrival",
                "sla_restore",
                "sla_callback",
                "calls_offered",
                "calls_answered",
                "calls_abandoned",
                "aht_s",
                "asa_s",
                "alerts_in_time",
            ],
        );
        for (by, g, m) in &self.measures {
            cc.rows.push(vec![
                Cell::Text(by.clone()),
                if g.is_empty() { Cell::Missing } else { Cell::Text(g.clone()) },
                Cell::Int(m.tickets),
                Cell::Int(m.dispatched),
                Cell::Int(m.merged),
                Cell::Int(m.explained),
                Cell::opt(m.first_call_resolution),
                Cell::opt(m.first_dispatch_fix),
                Cell::opt(m.duplicate_dispatch),
                Cell::opt(m.dispatch_accuracy),
                Cell::opt(m.sla[0].rate()),
                Cell::opt(m.sla[1].rate()),
                Cell::opt(m.sla[2].rate()),
                Cell::opt(m.sla[3].rate()),
                Cell::Int(m.calls.offered),
                Cell::Int(m.calls.answered),
                Cell::Int(m.calls.abandoned),
                Cell::opt(m.calls.aht_s),
                Cell::opt(m.calls.asa_s),
                self.alerts
                    .iter()
                    .find(|(b, k, _)| b == by && k == g)
                    .map_or(Cell::Missing, |(_, _, t)| Cell::opt(t.rate())),
            ]);
        }
        let mut tk = Table::new(
            "tickets",
            "Tickets",
            &[
                "id",
                "created",
                "channel",
                "disposition",
                "status",
                "unit",
                "feeder",
                "substation",
                "device",
                "outage",
                "dispatched",
                "on_site",
                "restored",
                "first_call_resolved",
                "fixed_first_time",
                "duplicate_dispatch",
                "right_unit",
                "sla_dispatch",
                "sla_arrival",
                "sla_restore",
                "sla_callback",
            ],
        );
        let text = |s: &str| if s.is_empty() { Cell::Missing } else { Cell::Text(s.to_string()) };
        let time = |t: Option<i64>| t.map_or(Cell::Missing, |t| Cell::Text(format_time(t)));
        let flag = |b: Option<bool>| {
            b.map_or(Cell::Missing, |b| Cell::Text(if b { "yes" } else { "no" }.into()))
        };
        for (t, m) in &self.tickets {
            let mut row = vec![
                Cell::Int(t.id.0),
                time(Some(t.times.created_s)),
                Cell::Text(t.channel.as_str().into()),
                Cell::Text(m.disposition.into()),
                Cell::Text(t.status.as_str().into()),
                text(&t.site.unit),
                text(t.site.feeder.as_deref().unwrap_or("")),
                text(&t.site.substation),
                text(t.site.device.as_deref().unwrap_or("")),
                t.outage.map_or(Cell::Missing, |o| Cell::Int(o.0)),
                time(t.times.dispatched_s),
                time(t.times.on_site_s),
                time(t.times.restored_s),
                flag(m.first_call_resolved),
                flag(m.fixed_first_time),
                flag(m.duplicate_dispatch),
                flag(m.right_unit),
            ];
            row.extend(m.sla.iter().map(|s| flag(*s)));
            tk.rows.push(row);
        }
        vec![ix, th, md, cc, tk]
    }

    /// A one-page HTML report of the tables (the ticket list left out: it is in the CSV).
    pub fn html(&self) -> String {
        let tables: Vec<Table> =
            self.tables().into_iter().filter(|t| t.name != "tickets").collect();
        let mut notes = vec![format!(
            "Scope {} · {} · {} customers served · {} outages, {} interruptions · {} tickets",
            self.scope,
            self.period.label(),
            self.customers_served,
            self.outages,
            self.interruptions,
            self.tickets.len()
        )];
        notes.extend(self.notes.iter().cloned());
        html_page(
            &format!("GridCare 供电可靠性与95598服务指标 {}", self.period.label()),
            &notes,
            &tables,
        )
    }
}
