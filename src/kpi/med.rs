//! Major Event Days by the 2.5-beta method (IEEE 1366-2012 clause 4.5).
//!
//! 1. Daily SAIDI: for each (local) day, the customer-minutes of the sustained interruptions
//!    that *begin* that day, divided by the customers served.
//! 2. Take the natural logarithm of each day's SAIDI; days with no interruption (SAIDI 0,
//!    whose logarithm is undefined) are left out.
//! 3. α = the mean of the logarithms, β = their standard deviation (the sample standard
//!    deviation, n − 1).
//! 4. T_MED = exp(α + 2.5 β). A day whose SAIDI exceeds T_MED is a Major Event Day.
//!
//! 1366 computes T_MED from the five years before a reporting period and applies it to the
//! next one. GridCare computes it from the daily SAIDI of the five years that end with the
//! report's last day, or from the days the store holds when it holds fewer (the simulated
//! history holds one year); the report names the days used. Major Event Days are found on
//! the whole area's unplanned interruptions and applied to every scope.

use super::interruptions::Interruption;
use super::reliability::Basis;
use super::scope::{day_of, Period, Selection};

/// One day's SAIDI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DailySaidi {
    /// The local day, days since 1970-01-01 ([`super::day_text`] prints it).
    pub day: i64,
    /// Its SAIDI, minutes.
    pub saidi_min: f64,
}

/// The daily SAIDI of the days of `period` with sustained interruptions (only those days),
/// by day: Σ r_i N_i of the interruptions beginning that day / N_T.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{daily_saidi, day_of, Basis, Interruption, Period, Selection};
/// use gridcare::outage::OutageId;
/// let p = Period::from_dates("2026-03-01", "2026-03-03").unwrap();
/// // 5 of 10 customers out for 30 min on the 2nd: 150 customer-minutes / 10 = 15 min
/// let i = Interruption { outage: OutageId(1), planned: false, start_s: p.from_s + 86_400 + 3600,
///                        end_s: p.from_s + 86_400 + 5400, ongoing: false, customers: vec![0, 1, 2, 3, 4] };
/// let d = daily_saidi(&[i], &Selection::whole(10), p, Basis::Unplanned);
/// assert_eq!((d.len(), d[0].day, d[0].saidi_min), (1, day_of(p.from_s) + 1, 15.0));
/// ```
pub fn daily_saidi(
    interruptions: &[Interruption],
    scope: &Selection,
    period: Period,
    basis: Basis,
) -> Vec<DailySaidi> {
    let mut by_day: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for i in interruptions {
        if !period.contains(i.start_s) || !basis.admits(i.planned) || i.is_momentary() {
            continue;
        }
        let n = i.customers.iter().filter(|c| scope.contains(**c)).count() as i64;
        if n > 0 {
            *by_day.entry(day_of(i.start_s)).or_default() += n * i.duration_s();
        }
    }
    let nt = scope.customers_served.max(1) as f64;
    by_day
        .into_iter()
        .map(|(day, cmi_s)| DailySaidi { day, saidi_min: cmi_s as f64 / 60.0 / nt })
        .collect()
}

/// The threshold of the 2.5-beta method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MedThreshold {
    /// α, the mean of ln(daily SAIDI).
    pub alpha: f64,
    /// β, the sample standard deviation of ln(daily SAIDI).
    pub beta: f64,
    /// T_MED = exp(α + 2.5 β), minutes.
    pub t_med_min: f64,
    /// Days with SAIDI above zero that the threshold was computed from.
    pub days_used: usize,
}

/// T_MED from a series of daily SAIDI values (minutes); zero days are left out. `None` with
/// fewer than two days above zero (no standard deviation).
///
/// # Examples
///
/// ```
/// use gridcare::kpi::med_threshold;
/// // ln SAIDI = 1, 2, 3 (and two days without interruptions): α = 2, β = 1
/// let e = std::f64::consts::E;
/// let t = med_threshold(&[e, 0.0, e * e, e * e * e, 0.0]).unwrap();
/// assert!((t.alpha - 2.0).abs() < 1e-12 && (t.beta - 1.0).abs() < 1e-12);
/// assert!((t.t_med_min - 4.5f64.exp()).abs() < 1e-9); // 90.017 min
/// assert_eq!(t.days_used, 3);
/// ```
pub fn med_threshold(daily_saidi_min: &[f64]) -> Option<MedThreshold> {
    let logs: Vec<f64> =
        daily_saidi_min.iter().filter(|v| **v > 0.0 && v.is_finite()).map(|v| v.ln()).collect();
    let n = logs.len();
    if n < 2 {
        return None;
    }
    let alpha = logs.iter().sum::<f64>() / n as f64;
    let var = logs.iter().map(|x| (x - alpha).powi(2)).sum::<f64>() / (n - 1) as f64;
    let beta = var.sqrt();
    Some(MedThreshold { alpha, beta, t_med_min: (alpha + 2.5 * beta).exp(), days_used: n })
}

/// The days whose SAIDI exceeds the threshold (T_MED itself is not a Major Event Day).
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{major_event_days, med_threshold, DailySaidi};
/// let e = std::f64::consts::E;
/// let days: Vec<DailySaidi> = [e, e * e, e * e * e, 100.0]
///     .iter().enumerate().map(|(d, &saidi_min)| DailySaidi { day: d as i64, saidi_min }).collect();
/// let t = med_threshold(&days.iter().map(|d| d.saidi_min).collect::<Vec<_>>()).unwrap();
/// // ln = 1, 2, 3, 4.605: α = 2.651, β = 1.537, T_MED = exp(6.495) = 661.6 min: no MED
/// assert!((t.t_med_min - 661.577).abs() < 1e-3);
/// assert!(major_event_days(&days, &t).is_empty());
/// ```
pub fn major_event_days(daily: &[DailySaidi], threshold: &MedThreshold) -> Vec<DailySaidi> {
    daily.iter().filter(|d| d.saidi_min > threshold.t_med_min).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A known series: 12 days at ln SAIDI = 1, 12 at 3, one storm at 7 and one quiet day at
    /// −3 (26 days; the rest of the month had no interruption).
    /// α = (12 + 36 + 7 − 3) / 26 = 52 / 26 = 2;
    /// Σ (x − α)² = 12 × 1 + 12 × 1 + 25 + 25 = 74; β = √(74 / 25) = √2.96 = 1.7204650534;
    /// T_MED = exp(2 + 2.5 × 1.7204650534) = exp(6.3011626335) = 545.2054 min.
    /// The storm day (e⁷ = 1096.6 min) is a Major Event Day; the e³ = 20.1 min days are not.
    #[test]
    fn the_threshold_of_a_known_series_and_its_major_event_day() {
        let mut days = Vec::new();
        for d in 0..12 {
            days.push(DailySaidi { day: d, saidi_min: 1f64.exp() });
            days.push(DailySaidi { day: 100 + d, saidi_min: 3f64.exp() });
        }
        days.push(DailySaidi { day: 50, saidi_min: 7f64.exp() });
        days.push(DailySaidi { day: 51, saidi_min: (-3f64).exp() });
        let values: Vec<f64> = days.iter().map(|d| d.saidi_min).collect();
        let t = med_threshold(&values).expect("a threshold");
        assert!((t.alpha - 2.0).abs() < 1e-12);
        assert!((t.beta - 1.720_465_053_4).abs() < 1e-9, "{}", t.beta);
        assert!((t.t_med_min - 545.2054).abs() < 1e-3, "{}", t.t_med_min);
        let meds = major_event_days(&days, &t);
        assert_eq!(meds.len(), 1);
        assert_eq!(meds[0].day, 50);
        assert!(med_threshold(&[5.0, 0.0]).is_none(), "one day has no deviation");
    }

    #[test]
    fn daily_saidi_puts_an_interruption_on_the_day_it_begins() {
        use crate::outage::OutageId;
        let p = Period::from_dates("2026-03-01", "2026-03-02").expect("days");
        // 2 of 4 customers from 23:00 to 01:00 the next day: 240 customer-minutes on day 1
        let i = Interruption {
            outage: OutageId(1),
            planned: false,
            start_s: p.from_s + 23 * 3600,
            end_s: p.from_s + 25 * 3600,
            ongoing: false,
            customers: vec![0, 1],
        };
        let d = daily_saidi(&[i], &Selection::whole(4), p, Basis::All);
        assert_eq!(d, vec![DailySaidi { day: day_of(p.from_s), saidi_min: 60.0 }]);
    }
}
