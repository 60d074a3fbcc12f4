//! The best window (最佳停电窗口): among candidate windows, the one that minimises the
//! weighted customer impact, with the ranking explained window by window.
//!
//! For each window `w` (hours `h(w)`), with `weight(c)` = `base` + the weights of customer
//! `c`'s labels ([`Weights::of`]):
//!
//! ```text
//! score(w) = Σ_affected weight(c) · h(w)                    weighted customer-hours
//!          + Σ_objecting weight(c) · objection_h             customers who object to w
//!          − Σ_preferring weight(c) · preference_h           customers who prefer w
//!          + conflicts(w) · conflict_h                       other planned outages on the
//!                                                            same feeders overlapping w
//! ```
//!
//! A window with fewer crews available than the work needs is infeasible and ranks after
//! every feasible one. The rest rank by score, then by start time.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::isolate::PlanningError;
use super::rules::Weights;
use crate::grid::Grid;
use crate::model::{CustomerId, FeederId};
use crate::outage::{Lifecycle, OutageBook, OutageKind};
use crate::store::format_time;

/// A window the planner offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateWindow {
    /// Its name, as customers' answers refer to it (`A`, `Tue 08:00`).
    pub name: String,
    /// Start, unix seconds.
    pub start_s: i64,
    /// End, unix seconds.
    pub end_s: i64,
    /// Crews free for the work in this window.
    pub crews_available: u32,
}

/// Windows of `duration_h` hours starting at `hour` (Beijing time) on each of `days` days
/// from the day of `from_s`, each with `crews` crews; named by their start time.
///
/// # Examples
/// ```
/// use gridcare::planning::window::generate_windows;
/// use gridcare::store::parse_time;
/// let from = parse_time("2026-12-07 00:00").unwrap();
/// let w = generate_windows(from, 3, 8, 4, 2);
/// assert_eq!(w.len(), 3);
/// assert_eq!(w[1].name, "2026-12-08 08:00");
/// assert_eq!(w[1].end_s - w[1].start_s, 4 * 3600);
/// ```
pub fn generate_windows(
    from_s: i64,
    days: u32,
    hour: u32,
    duration_h: u32,
    crews: u32,
) -> Vec<CandidateWindow> {
    const DAY: i64 = 86_400;
    let off = crate::store::LOCAL_OFFSET_S;
    let midnight = (from_s + off).div_euclid(DAY) * DAY - off;
    (0..i64::from(days))
        .map(|d| {
            let start_s = midnight + d * DAY + i64::from(hour) * 3600;
            CandidateWindow {
                name: format_time(start_s),
                start_s,
                end_s: start_s + i64::from(duration_h) * 3600,
                crews_available: crews,
            }
        })
        .collect()
}

/// A consulted customer's answer (征询意见).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Who answered.
    pub customer: CustomerId,
    /// Windows they prefer, by name.
    #[serde(default)]
    pub preferred: Vec<String>,
    /// Windows they object to, by name.
    #[serde(default)]
    pub objections: Vec<String>,
    /// What they said.
    #[serde(default)]
    pub reason: String,
}

/// Another planned outage, for conflicts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherOutage {
    /// Its number in the outage book.
    pub id: u64,
    /// Start, unix seconds.
    pub start_s: i64,
    /// End, unix seconds.
    pub end_s: i64,
    /// The feeders it cuts.
    pub feeders: Vec<FeederId>,
}

/// The planned outages of a book still to happen or under way (not restored, not
/// cancelled), with the feeders of their affected customers.
pub fn other_outages(book: &OutageBook, grid: &Grid) -> Vec<OtherOutage> {
    book.list(false)
        .into_iter()
        .filter(|o| o.kind == OutageKind::Planned && o.lifecycle == Lifecycle::Open)
        .map(|o| {
            let mut feeders: Vec<FeederId> = book
                .affected_customers(o.id)
                .iter()
                .filter_map(|c| grid.model.customers.get(c.index()))
                .filter_map(|c| grid.topology.feeder_of(c.bus))
                .collect();
            feeders.sort();
            feeders.dedup();
            OtherOutage {
                id: o.id.0,
                start_s: o.start_s,
                end_s: o.end_s.unwrap_or(o.start_s),
                feeders,
            }
        })
        .collect()
}

/// What the chooser weighs.
#[derive(Clone, Debug)]
pub struct WindowQuestion<'a> {
    /// The customers without supply during the work.
    pub affected: &'a [CustomerId],
    /// The feeders the work cuts.
    pub feeders: &'a [FeederId],
    /// The candidate windows.
    pub windows: &'a [CandidateWindow],
    /// The customers' answers.
    pub answers: &'a [Answer],
    /// Other planned outages.
    pub others: &'a [OtherOutage],
    /// Crews the work needs.
    pub crews_needed: u32,
    /// The weights.
    pub weights: &'a Weights,
}

/// One window's line of the explanation table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowRow {
    /// 1 for the best.
    pub rank: usize,
    /// The window.
    pub name: String,
    /// Start, unix seconds.
    pub start_s: i64,
    /// End, unix seconds.
    pub end_s: i64,
    /// Customers × hours.
    pub customer_hours: f64,
    /// Customers × hours, weighted by label.
    pub weighted_customer_hours: f64,
    /// Account numbers of the customers objecting to it.
    pub objecting: Vec<String>,
    /// Account numbers of the customers preferring it.
    pub preferring: Vec<String>,
    /// Other planned outages on the same feeders overlapping it.
    pub conflicts: Vec<u64>,
    /// Crews free.
    pub crews_available: u32,
    /// Enough crews.
    pub feasible: bool,
    /// The score (lower is better).
    pub score: f64,
}

/// Every window ranked, best first, and why the first was chosen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// The rows, best first.
    pub rows: Vec<WindowRow>,
    /// The chosen window's name (`None` when no window has enough crews).
    pub chosen: Option<String>,
    /// Why, in one sentence.
    pub why: String,
}

/// Ranks the candidate windows (see the module doc for the score).
///
/// # Examples
/// ```
/// use gridcare::model::CustomerId;
/// use gridcare::planning::window::{choose_window, Answer, CandidateWindow, WindowQuestion};
/// use gridcare::planning::Weights;
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// let affected: Vec<CustomerId> = (0..10).map(CustomerId).collect();
/// let w = |name: &str, start_h: i64| CandidateWindow {
///     name: name.into(), start_s: start_h * 3600, end_s: (start_h + 4) * 3600, crews_available: 1,
/// };
/// let windows = [w("A", 8), w("B", 32)];
/// // Two customers object to A; one prefers B.
/// let answers = [
///     Answer { customer: CustomerId(0), preferred: vec![], objections: vec!["A".into()], reason: "shop open".into() },
///     Answer { customer: CustomerId(1), preferred: vec!["B".into()], objections: vec!["A".into()], reason: String::new() },
/// ];
/// let q = WindowQuestion {
///     affected: &affected, feeders: &[], windows: &windows, answers: &answers, others: &[],
///     crews_needed: 1, weights: &Weights::default(),
/// };
/// let r = choose_window(&grid, &q).unwrap();
/// assert_eq!(r.chosen.as_deref(), Some("B"));
/// // 10 customers × 4 h = 40; A: + 2 objections × 4 h = 48; B: − 1 preference × 1 h = 39.
/// assert_eq!((r.rows[0].score, r.rows[1].score), (39.0, 48.0));
/// assert!(r.why.starts_with("B: score 39.0 against 48.0 for A"), "{}", r.why);
/// ```
pub fn choose_window(grid: &Grid, q: &WindowQuestion<'_>) -> Result<Ranking, PlanningError> {
    let m = &grid.model;
    let account = |c: CustomerId| {
        m.customers.get(c.index()).map_or_else(|| format!("#{}", c.0), |cu| cu.account_no.clone())
    };
    let weight =
        |c: CustomerId| m.customers.get(c.index()).map_or(0.0, |cu| q.weights.of(cu.labels));
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, w) in q.windows.iter().enumerate() {
        if w.end_s <= w.start_s {
            return Err(PlanningError::Window {
                name: w.name.clone(),
                start_s: w.start_s,
                end_s: w.end_s,
            });
        }
        by_name.insert(w.name.as_str(), i);
    }
    let total_weight: f64 = q.affected.iter().map(|c| weight(*c)).sum();
    let mut objecting = vec![Vec::new(); q.windows.len()];
    let mut preferring = vec![Vec::new(); q.windows.len()];
    for a in q.answers {
        for (names, into) in [(&a.objections, &mut objecting), (&a.preferred, &mut preferring)] {
            for n in names {
                let i = *by_name.get(n.as_str()).ok_or_else(|| PlanningError::UnknownWindow {
                    account: account(a.customer),
                    window: n.clone(),
                })?;
                if !into[i].contains(&a.customer) {
                    into[i].push(a.customer);
                }
            }
        }
    }
    let mut rows: Vec<WindowRow> = q
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let hours = (w.end_s - w.start_s) as f64 / 3600.0;
            let conflicts: Vec<u64> = q
                .others
                .iter()
                .filter(|o| o.start_s < w.end_s && w.start_s < o.end_s)
                .filter(|o| o.feeders.iter().any(|f| q.feeders.contains(f)))
                .map(|o| o.id)
                .collect();
            let weighted = total_weight * hours;
            let score = weighted
                + objecting[i].iter().map(|c| weight(*c) * q.weights.objection_h).sum::<f64>()
                - preferring[i].iter().map(|c| weight(*c) * q.weights.preference_h).sum::<f64>()
                + conflicts.len() as f64 * q.weights.conflict_h;
            let mut obj: Vec<String> = objecting[i].iter().map(|c| account(*c)).collect();
            let mut pref: Vec<String> = preferring[i].iter().map(|c| account(*c)).collect();
            obj.sort();
            pref.sort();
            WindowRow {
                rank: 0,
                name: w.name.clone(),
                start_s: w.start_s,
                end_s: w.end_s,
                customer_hours: q.affected.len() as f64 * hours,
                weighted_customer_hours: weighted,
                objecting: obj,
                preferring: pref,
                conflicts,
                crews_available: w.crews_available,
                feasible: w.crews_available >= q.crews_needed,
                score,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.feasible
            .cmp(&a.feasible)
            .then(a.score.total_cmp(&b.score))
            .then(a.start_s.cmp(&b.start_s))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    let (chosen, why) = explain(&rows, q.crews_needed);
    Ok(Ranking { rows, chosen, why })
}

fn explain(rows: &[WindowRow], crews_needed: u32) -> (Option<String>, String) {
    let Some(best) = rows.first().filter(|r| r.feasible) else {
        return (
            None,
            if rows.is_empty() {
                "no candidate window".to_string()
            } else {
                format!("no window has the {crews_needed} crew(s) the work needs")
            },
        );
    };
    let facts = |r: &WindowRow| {
        format!(
            "{} objection(s), {} preference(s), {} conflicting outage(s), {:.1} weighted customer-hours",
            r.objecting.len(),
            r.preferring.len(),
            r.conflicts.len(),
            r.weighted_customer_hours
        )
    };
    let mut why = match rows.get(1).filter(|r| r.feasible) {
        Some(next) => format!(
            "{}: score {:.1} against {:.1} for {} ({} there; {} here)",
            best.name,
            best.score,
            next.score,
            next.name,
            facts(next),
            facts(best)
        ),
        None => format!("{}: the only window with enough crews ({})", best.name, facts(best)),
    };
    let short: Vec<&str> = rows.iter().filter(|r| !r.feasible).map(|r| r.name.as_str()).collect();
    if !short.is_empty() {
        why.push_str(&format!("; too few crews (need {crews_needed}) in {}", short.join(", ")));
    }
    (Some(best.name.clone()), why)
}
