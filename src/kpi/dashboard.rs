//! What the app's dashboard (仪表盘) and wall screen show: the [`Report`] of a period and
//! scope, plus the figures a report has no table for — the daily unplanned SAIDI of every day
//! of the period (for the trend plot), the feeders ranked by SAIDI (worst first), the tickets
//! still open and the SLA compliance over all steps. The store is read once; every index is
//! the report's own functions ([`reliability_indices`], [`daily_saidi`]).

use super::interruptions::interruptions_in_store;
use super::med::{daily_saidi, DailySaidi};
use super::reliability::{reliability_indices, Basis, ReliabilityIndices};
use super::report::{Report, ReportInput};
use super::scope::{day_of, Period, Scope, Selection, Territory};
use super::KpiError;
use crate::store::{Store, LOCAL_OFFSET_S};
use crate::workorder::{Disposition, Ticket};

const DAY_S: i64 = 86_400;

/// One feeder's indices over the period (its customers within the scope).
#[derive(Clone, Debug, PartialEq)]
pub struct FeederRank {
    /// External id (`zm01`).
    pub name: String,
    /// Display name (`祖01线`).
    pub display_name: String,
    /// The indices, all interruptions (planned and unplanned).
    pub indices: ReliabilityIndices,
}

/// A report with the dashboard's series.
#[derive(Clone, Debug)]
pub struct Dashboard {
    /// The report of the period and scope (its `indices[0]` is the `all` row).
    pub report: Report,
    /// Unplanned daily SAIDI of the scope, one entry for every day of the period (0 on days
    /// without sustained interruptions), oldest first.
    pub daily: Vec<DailySaidi>,
    /// Every feeder with customers in the scope, highest SAIDI first (ties by name).
    pub feeders: Vec<FeederRank>,
    /// Master tickets of the period and scope still in flight at `as_of_s`.
    pub open_tickets: u64,
    /// SLA clocks met over clocks decided, all four steps together (`None`: none decided).
    pub sla_compliance: Option<f64>,
}

/// The last `days` local days up to and including the day of `as_of_s`.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{last_days, Period};
/// let now = gridcare::store::parse_time("2026-03-31 15:20").unwrap();
/// assert_eq!(last_days(30, now), Period::from_dates("2026-03-02", "2026-03-31").unwrap());
/// ```
pub fn last_days(days: u32, as_of_s: i64) -> Period {
    let to_s = (day_of(as_of_s) + 1) * DAY_S - LOCAL_OFFSET_S;
    Period { from_s: to_s - i64::from(days.max(1)) * DAY_S, to_s }
}

impl Dashboard {
    /// Reads the store once and computes the report of `input` with the dashboard's series.
    /// With `whole_store`, the period starts on the first day the store holds an outage or a
    /// ticket (and ends where `input.period` ends).
    pub fn compute(
        store: &Store,
        input: &ReportInput<'_>,
        whole_store: bool,
    ) -> Result<Dashboard, KpiError> {
        let territory = Territory::new(input.grid);
        let log = interruptions_in_store(store, &territory, input.as_of_s)?;
        let tickets: Vec<Ticket> = store.all::<Ticket>()?.into_iter().map(|e| e.state).collect();
        let mut period = input.period;
        if whole_store {
            let first = log
                .interruptions
                .iter()
                .map(|i| i.start_s)
                .chain(tickets.iter().map(|t| t.times.created_s))
                .min();
            if let Some(first) = first {
                period.from_s = (day_of(first) * DAY_S - LOCAL_OFFSET_S).min(period.to_s - DAY_S);
            }
        }
        let input = ReportInput {
            grid: input.grid,
            policy: input.policy,
            calls: input.calls,
            period,
            scope: input.scope.clone(),
            as_of_s: input.as_of_s,
        };
        let report = Report::from_parts(&territory, &log, &tickets, &input)?;
        let selection = territory.select(&input.scope)?;
        let v = &log.interruptions;

        let sparse = daily_saidi(v, &selection, period, Basis::Unplanned);
        let first_day = day_of(period.from_s);
        let mut daily: Vec<DailySaidi> = (first_day..=day_of(period.to_s - 1))
            .map(|day| DailySaidi { day, saidi_min: 0.0 })
            .collect();
        for d in sparse {
            if let Some(slot) =
                usize::try_from(d.day - first_day).ok().and_then(|i| daily.get_mut(i))
            {
                *slot = d;
            }
        }

        let mut feeders = Vec::new();
        for f in &input.grid.model.feeders {
            let of_feeder = territory.select(&Scope::Feeder(f.name.clone()))?;
            let mask: Vec<bool> = (0..selection.model_customers() as u32)
                .map(|c| of_feeder.contains(c) && selection.contains(c))
                .collect();
            let sel = Selection::from_mask(format!("feeder:{}", f.name), mask);
            if sel.customers_served == 0 {
                continue;
            }
            feeders.push(FeederRank {
                name: f.name.clone(),
                display_name: f.display_name.clone(),
                indices: reliability_indices(v, &sel, period, Basis::All, &[]),
            });
        }
        feeders.sort_by(|a, b| {
            let (x, y) = (a.indices.saidi_min.unwrap_or(-1.0), b.indices.saidi_min.unwrap_or(-1.0));
            y.total_cmp(&x).then_with(|| a.name.cmp(&b.name))
        });

        let open_tickets = report
            .tickets
            .iter()
            .filter(|(t, _)| t.in_flight() && t.disposition == Disposition::Dispatch)
            .count() as u64;
        let sla_compliance = report.measures.first().and_then(|(_, _, m)| {
            let met: u64 = m.sla.iter().map(|s| s.met).sum();
            let decided: u64 = m.sla.iter().map(|s| s.met + s.breached).sum();
            (decided > 0).then(|| met as f64 / decided as f64)
        });
        Ok(Dashboard { report, daily, feeders, open_tickets, sla_compliance })
    }

    /// The `all` row's indices (planned and unplanned interruptions).
    pub fn headline(&self) -> Option<&ReliabilityIndices> {
        self.report.indices.first().map(|r| &r.indices)
    }
}
