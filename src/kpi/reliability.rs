//! The IEEE 1366 distribution reliability indices (IEEE Std 1366-2012, *Guide for Electric
//! Power Distribution Reliability Indices*, clause 3 definitions and clause 4 indices).
//!
//! Notation (1366's): N_T customers served; N_i customers interrupted by sustained
//! interruption *i*; r_i its restoration time; CN distinct customers with at least one
//! sustained interruption; IM_i momentary interruptions and IM_E momentary interruption
//! events; N_mi customers with them. A sustained interruption lasts [`MOMENTARY_MAX_S`] or
//! longer. An interruption belongs to the period (and to the day, for Major Event Days) in
//! which it begins, with its whole duration.

use super::interruptions::{Interruption, MOMENTARY_MAX_S};
use super::scope::{day_of, Period, Selection};

/// Momentary interruptions of a customer within this long of the first form one momentary
/// interruption event (1366: "all reclosing operations that occur within five minutes of
/// the first interruption").
pub const MOMENTARY_EVENT_WINDOW_S: i64 = 300;

/// Which interruptions count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Basis {
    /// Planned and unplanned.
    All,
    /// Planned outages only (计划停电).
    Planned,
    /// Unplanned (fault) outages only (故障停电).
    Unplanned,
}

impl Basis {
    /// `all` / `planned` / `unplanned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::All => "all",
            Basis::Planned => "planned",
            Basis::Unplanned => "unplanned",
        }
    }

    /// True when an interruption of a planned (or unplanned) outage counts.
    pub fn admits(self, planned: bool) -> bool {
        match self {
            Basis::All => true,
            Basis::Planned => planned,
            Basis::Unplanned => !planned,
        }
    }
}

/// SAIFI, System Average Interruption Frequency Index: Σ N_i / N_T (interruptions per
/// customer served). `None` when no customer is served.
///
/// # Examples
///
/// ```
/// // 75 customer interruptions among 100 customers served
/// assert_eq!(gridcare::kpi::saifi(75, 100), Some(0.75));
/// ```
pub fn saifi(customer_interruptions: u64, customers_served: u64) -> Option<f64> {
    (customers_served > 0).then(|| customer_interruptions as f64 / customers_served as f64)
}

/// SAIDI, System Average Interruption Duration Index: Σ r_i N_i / N_T (minutes per customer
/// served).
///
/// # Examples
///
/// ```
/// // 9,945 customer-minutes among 100 customers
/// assert_eq!(gridcare::kpi::saidi(9945.0, 100), Some(99.45));
/// ```
pub fn saidi(customer_minutes: f64, customers_served: u64) -> Option<f64> {
    (customers_served > 0).then(|| customer_minutes / customers_served as f64)
}

/// CAIDI, Customer Average Interruption Duration Index: Σ r_i N_i / Σ N_i = SAIDI / SAIFI
/// (minutes per interruption). `None` without interruptions.
///
/// # Examples
///
/// ```
/// assert_eq!(gridcare::kpi::caidi(9945.0, 75), Some(132.6));
/// assert_eq!(gridcare::kpi::caidi(0.0, 0), None);
/// ```
pub fn caidi(customer_minutes: f64, customer_interruptions: u64) -> Option<f64> {
    (customer_interruptions > 0).then(|| customer_minutes / customer_interruptions as f64)
}

/// CAIFI, Customer Average Interruption Frequency Index: Σ N_i / CN (interruptions per
/// customer who had at least one).
///
/// # Examples
///
/// ```
/// // 75 interruptions fell on 60 distinct customers
/// assert_eq!(gridcare::kpi::caifi(75, 60), Some(1.25));
/// ```
pub fn caifi(customer_interruptions: u64, customers_interrupted: u64) -> Option<f64> {
    (customers_interrupted > 0)
        .then(|| customer_interruptions as f64 / customers_interrupted as f64)
}

/// CTAIDI, Customer Total Average Interruption Duration Index: Σ r_i N_i / CN (minutes per
/// customer who had at least one interruption).
///
/// # Examples
///
/// ```
/// assert_eq!(gridcare::kpi::ctaidi(9945.0, 60), Some(165.75));
/// ```
pub fn ctaidi(customer_minutes: f64, customers_interrupted: u64) -> Option<f64> {
    (customers_interrupted > 0).then(|| customer_minutes / customers_interrupted as f64)
}

/// ASAI, Average Service Availability Index: (N_T × T − Σ r_i N_i) / (N_T × T), with T the
/// period's length (same unit as r_i).
///
/// # Examples
///
/// ```
/// // 100 customers over one day (1,440 min), 9,945 customer-minutes lost
/// let a = gridcare::kpi::asai(9945.0, 100, 1440.0).unwrap();
/// assert!((a - 0.9309375).abs() < 1e-12);
/// ```
pub fn asai(customer_minutes: f64, customers_served: u64, period_min: f64) -> Option<f64> {
    let hours = customers_served as f64 * period_min;
    (hours > 0.0).then(|| (hours - customer_minutes) / hours)
}

/// MAIFI, Momentary Average Interruption Frequency Index: Σ IM_i N_mi / N_T (momentary
/// interruptions — each operation of the interrupting device — per customer served).
///
/// # Examples
///
/// ```
/// // 20 customers saw 3 recloser operations, 10 saw one: 70 among 100 customers
/// assert_eq!(gridcare::kpi::maifi(70, 100), Some(0.7));
/// ```
pub fn maifi(momentary_interruptions: u64, customers_served: u64) -> Option<f64> {
    saifi(momentary_interruptions, customers_served)
}

/// MAIFIe, Momentary Average Interruption Event Frequency Index: Σ IM_E N_mi / N_T
/// (momentary interruption *events* per customer served: the operations within
/// [`MOMENTARY_EVENT_WINDOW_S`] of the first count once, and — 1366 — the event
/// immediately preceding a lockout is not counted, it is part of the sustained interruption).
///
/// # Examples
///
/// ```
/// // those 20 customers: two events each (two operations within 5 min, one later)
/// assert_eq!(gridcare::kpi::maifie(40, 100), Some(0.4));
/// ```
pub fn maifie(momentary_events: u64, customers_served: u64) -> Option<f64> {
    saifi(momentary_events, customers_served)
}

/// The indices of one period, scope and basis, with the sums they come from.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityIndices {
    /// Customers served, N_T.
    pub customers_served: u64,
    /// Σ N_i, sustained customer interruptions.
    pub customer_interruptions: u64,
    /// Σ r_i N_i, customer-minutes of sustained interruptions.
    pub customer_minutes: f64,
    /// CN, distinct customers with at least one sustained interruption.
    pub customers_interrupted: u64,
    /// Σ IM_i N_mi, momentary customer interruptions.
    pub momentary_interruptions: u64,
    /// Σ IM_E N_mi, momentary customer interruption events.
    pub momentary_events: u64,
    /// The period's length, hours.
    pub period_h: f64,
    /// SAIFI (interruptions per customer).
    pub saifi: Option<f64>,
    /// SAIDI (minutes per customer).
    pub saidi_min: Option<f64>,
    /// CAIDI (minutes per interruption).
    pub caidi_min: Option<f64>,
    /// CAIFI (interruptions per interrupted customer).
    pub caifi: Option<f64>,
    /// CTAIDI (minutes per interrupted customer).
    pub ctaidi_min: Option<f64>,
    /// ASAI (share of customer-hours with supply).
    pub asai: Option<f64>,
    /// MAIFI (momentary interruptions per customer).
    pub maifi: Option<f64>,
    /// MAIFIe (momentary interruption events per customer).
    pub maifie: Option<f64>,
}

/// Every index of one period, scope and basis: the interruptions that begin in `period`,
/// whose outage's kind `basis` admits, that do not begin on an `excluded_days` day (Major
/// Event Days, as local day numbers), counted for the customers `scope` holds. Formulas: the
/// functions of this module.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{reliability_indices, Basis, Interruption, Period, Selection};
/// use gridcare::outage::OutageId;
/// let period = Period::from_dates("2026-03-01", "2026-03-01").unwrap();
/// let at = |h: i64| period.from_s + h * 3600;
/// // 4 of 10 customers out for 2 h
/// let i = Interruption { outage: OutageId(1), planned: false, start_s: at(8), end_s: at(10),
///                        ongoing: false, customers: vec![0, 1, 2, 3] };
/// let r = reliability_indices(&[i], &Selection::whole(10), period, Basis::All, &[]);
/// assert_eq!(r.saifi, Some(0.4));
/// assert_eq!(r.saidi_min, Some(48.0));
/// assert_eq!(r.caidi_min, Some(120.0));
/// ```
pub fn reliability_indices(
    interruptions: &[Interruption],
    scope: &Selection,
    period: Period,
    basis: Basis,
    excluded_days: &[i64],
) -> ReliabilityIndices {
    // In order of start (a momentary operation before a sustained interruption starting at
    // the same second), so that each customer's momentary events are formed as they come:
    // an operation more than MOMENTARY_EVENT_WINDOW_S after the event's first starts a new
    // event; a sustained interruption within the window of the customer's current event is
    // its lockout, and the event is not counted.
    let mut order: Vec<&Interruption> = interruptions
        .iter()
        .filter(|i| {
            period.contains(i.start_s)
                && basis.admits(i.planned)
                && (excluded_days.is_empty() || !excluded_days.contains(&day_of(i.start_s)))
        })
        .collect();
    order.sort_by_key(|i| (i.start_s, !i.is_momentary()));
    let n = scope.model_customers();
    let mut ci: u64 = 0;
    let mut cmi_s: i64 = 0;
    let mut seen = vec![false; n];
    let mut cn: u64 = 0;
    let mut momentary_interruptions: u64 = 0;
    let mut momentary_events: u64 = 0;
    // per customer: the first operation of its current momentary event, and whether that
    // event still counts
    let mut event_first = vec![i64::MIN; n];
    let mut event_counts = vec![false; n];
    for i in order {
        let momentary_one = i.is_momentary();
        let d = i.duration_s();
        for &c in &i.customers {
            if !scope.contains(c) {
                continue;
            }
            let k = c as usize;
            if momentary_one {
                momentary_interruptions += 1;
                if event_first[k] == i64::MIN
                    || i.start_s > event_first[k] + MOMENTARY_EVENT_WINDOW_S
                {
                    event_first[k] = i.start_s;
                    event_counts[k] = true;
                    momentary_events += 1;
                }
            } else {
                ci += 1;
                cmi_s += d;
                if !seen[k] {
                    seen[k] = true;
                    cn += 1;
                }
                if event_counts[k] && i.start_s <= event_first[k] + MOMENTARY_EVENT_WINDOW_S {
                    event_counts[k] = false;
                    momentary_events -= 1;
                }
            }
        }
    }
    let nt = scope.customers_served;
    let cmi = cmi_s as f64 / 60.0;
    ReliabilityIndices {
        customers_served: nt,
        customer_interruptions: ci,
        customer_minutes: cmi,
        customers_interrupted: cn,
        momentary_interruptions,
        momentary_events,
        period_h: period.hours(),
        saifi: saifi(ci, nt),
        saidi_min: saidi(cmi, nt),
        caidi_min: caidi(cmi, ci),
        caifi: caifi(ci, cn),
        ctaidi_min: ctaidi(cmi, cn),
        asai: asai(cmi, nt, period.hours() * 60.0),
        maifi: maifi(momentary_interruptions, nt),
        maifie: maifie(momentary_events, nt),
    }
}

const _: () = assert!(MOMENTARY_EVENT_WINDOW_S == MOMENTARY_MAX_S);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outage::OutageId;

    fn cust(r: std::ops::Range<u32>) -> Vec<u32> {
        r.collect()
    }

    /// The worked example (hand-computed; one day, 100 customers served, N_T = 100):
    ///
    /// | outage | kind | customers | from–to | N_i | r_i N_i (min) |
    /// |---|---|---|---|---|---|
    /// | A | fault | 0–9 | 08:00–09:30 | 10 | 10 × 90 = 900 |
    /// | B | fault, partial restoration | 20–31 / 32–39 | 10:00–10:30 / 10:00–12:00 | 12 + 8 | 360 + 960 = 1,320 |
    /// | C | planned | 50–79 | 09:00–13:00 | 30 | 30 × 240 = 7,200 |
    /// | D | fault | 0–4 | 15:00–15:45 | 5 | 225 |
    /// | E | fault (lockout) | 0–9 | 14:03–14:33 | 10 | 300 |
    /// | M1 | recloser, momentary | 0–9 | 14:00:00 +20 s | — | — |
    /// | M2–M4 | recloser, momentary | 80–99 | 16:00:00, 16:02:00 (+30 s), 17:00:00 (+60 s) | — | — |
    ///
    /// All: Σ N_i = 75, Σ r_i N_i = 9,945 min, CN = |0–9 ∪ 20–39 ∪ 50–79| = 60;
    /// SAIFI = 0.75, SAIDI = 99.45 min, CAIDI = 9,945 / 75 = 132.6 min, CAIFI = 75 / 60 =
    /// 1.25, CTAIDI = 9,945 / 60 = 165.75 min, ASAI = 1 − 9,945 / (100 × 1,440) = 0.9309375.
    /// Momentary: 10 × 1 + 20 × 3 = 70 operations → MAIFI = 0.70; events: customers 80–99
    /// two each (16:00 and 16:02 are one event) = 40, customers 0–9 none (their 14:00 event
    /// precedes the 14:03 lockout) → MAIFIe = 0.40.
    /// Unplanned: Σ N_i = 45, Σ r_i N_i = 2,745, CN = 30 → SAIFI 0.45, SAIDI 27.45, CAIDI
    /// 61.0, CAIFI 1.5, CTAIDI 91.5. Planned: 30, 7,200, 30 → 0.3, 72, 240, 1, 240.
    fn worked_example() -> (Vec<Interruption>, Period) {
        let period = Period::from_dates("2026-03-01", "2026-03-01").expect("a day");
        let at = |h: i64, m: i64, s: i64| period.from_s + h * 3600 + m * 60 + s;
        let i = |o: u64, planned, from: i64, to: i64, c: Vec<u32>| Interruption {
            outage: OutageId(o),
            planned,
            start_s: from,
            end_s: to,
            ongoing: false,
            customers: c,
        };
        let v = vec![
            i(1, false, at(8, 0, 0), at(9, 30, 0), cust(0..10)),
            i(2, false, at(10, 0, 0), at(10, 30, 0), cust(20..32)),
            i(2, false, at(10, 0, 0), at(12, 0, 0), cust(32..40)),
            i(3, true, at(9, 0, 0), at(13, 0, 0), cust(50..80)),
            i(4, false, at(15, 0, 0), at(15, 45, 0), cust(0..5)),
            i(5, false, at(14, 3, 0), at(14, 33, 0), cust(0..10)),
            i(6, false, at(14, 0, 0), at(14, 0, 20), cust(0..10)),
            i(7, false, at(16, 0, 0), at(16, 0, 30), cust(80..100)),
            i(8, false, at(16, 2, 0), at(16, 2, 30), cust(80..100)),
            i(9, false, at(17, 0, 0), at(17, 1, 0), cust(80..100)),
        ];
        (v, period)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn the_worked_example_all_interruptions() {
        let (v, p) = worked_example();
        let r = reliability_indices(&v, &Selection::whole(100), p, Basis::All, &[]);
        assert_eq!((r.customer_interruptions, r.customers_interrupted), (75, 60));
        assert!((r.customer_minutes - 9945.0).abs() < 1e-9);
        assert!(close(r.saifi, 0.75), "{r:?}");
        assert!(close(r.saidi_min, 99.45));
        assert!(close(r.caidi_min, 132.6));
        assert!(close(r.caifi, 1.25));
        assert!(close(r.ctaidi_min, 165.75));
        assert!(close(r.asai, 0.9309375));
        assert_eq!((r.momentary_interruptions, r.momentary_events), (70, 40));
        assert!(close(r.maifi, 0.70));
        assert!(close(r.maifie, 0.40));
    }

    #[test]
    fn the_worked_example_split_planned_and_unplanned() {
        let (v, p) = worked_example();
        let u = reliability_indices(&v, &Selection::whole(100), p, Basis::Unplanned, &[]);
        assert_eq!((u.customer_interruptions, u.customers_interrupted), (45, 30));
        assert!(close(u.saidi_min, 27.45) && close(u.caidi_min, 61.0), "{u:?}");
        assert!(close(u.caifi, 1.5) && close(u.ctaidi_min, 91.5));
        let pl = reliability_indices(&v, &Selection::whole(100), p, Basis::Planned, &[]);
        assert!(close(pl.saifi, 0.3) && close(pl.saidi_min, 72.0) && close(pl.caidi_min, 240.0));
        assert_eq!(pl.momentary_interruptions, 0);
    }

    #[test]
    fn a_scope_counts_only_its_customers_and_an_excluded_day_nothing() {
        let (v, p) = worked_example();
        // customers 0–49 only: A, B, D, E and the 14:00 momentary; N_T = 50
        let mask = (0..100).map(|c| c < 50).collect();
        let r =
            reliability_indices(&v, &Selection::from_mask("x".into(), mask), p, Basis::All, &[]);
        assert_eq!(r.customers_served, 50);
        assert_eq!(r.customer_interruptions, 45);
        assert!(close(r.saifi, 0.9));
        assert_eq!((r.momentary_interruptions, r.momentary_events), (10, 0));
        let day = day_of(p.from_s);
        let none = reliability_indices(&v, &Selection::whole(100), p, Basis::All, &[day]);
        assert_eq!((none.customer_interruptions, none.momentary_interruptions), (0, 0));
        assert_eq!(none.caidi_min, None);
        assert!(close(none.asai, 1.0));
    }
}
