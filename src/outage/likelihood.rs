//! How likely a set of timed calls is if a given protective device opened: the time-aware
//! call model behind [`predict_outages`](super::predict_outages).
//!
//! A device cuts `n` customers at an unknown time `t0`. Each of them calls with an unknown
//! probability `p` (the share of customers who call, the same for all), at a uniform time in
//! the call period `[t0, t0 + T]`. At the time `now` of the latest call, with `k` of the `n`
//! having called:
//!
//! ```text
//! L(k, n) = ∫ π(p) ∫ (1/T) (p/T)^k (1 − p·min(τ, T)/T)^(n − k) dτ dp,    τ = now − t0
//! ```
//!
//! `π` is uniform on the call-share range; `τ` runs from `now − (first call)` (the fault came
//! before its first call) to `T + now − (last call)` (its calls come within `T`). The inner
//! integral has a closed form, the outer one is a 24-point midpoint rule. Each caller weighs
//! `p/T` per second against the `ρ` per customer per second of a stray call.
//!
//! The time matters: three calls in one minute from a 500-customer section fit a recent
//! fault whose other customers have not called **yet**; the same three calls spread over
//! fifteen minutes do not, and fit a 20-customer lateral.

/// The call model: call-share grid and call period.
#[derive(Clone, Debug)]
pub(crate) struct CallModel {
    p: Vec<f64>,
    ln_p: Vec<f64>,
    period_s: f64,
}

impl CallModel {
    const POINTS: usize = 24;

    /// A model for call shares uniform on `(low, high)` and calls within `period_s` of a fault.
    pub(crate) fn new((lo, hi): (f64, f64), period_s: f64) -> Self {
        let lo = lo.clamp(1e-4, 0.99);
        let hi = hi.clamp(lo, 0.99);
        let p: Vec<f64> = (0..Self::POINTS)
            .map(|j| lo + (hi - lo) * (j as f64 + 0.5) / Self::POINTS as f64)
            .collect();
        let ln_p = p.iter().map(|x| x.ln()).collect();
        CallModel { p, ln_p, period_s: period_s.max(1.0) }
    }

    /// `ln L(k, n)` for `k` callers of `n` customers, the first `since_first_s` and the last
    /// `since_last_s` seconds before now.
    pub(crate) fn ln_likelihood(
        &self,
        k: usize,
        n: usize,
        since_first_s: f64,
        since_last_s: f64,
    ) -> f64 {
        let t = self.period_s;
        let m = n.saturating_sub(k) as f64;
        let lo = since_first_s.max(0.0);
        // Calls spread over more than one period: keep the hypothesis possible, barely.
        let hi = (t + since_last_s.max(0.0)).max(lo + 60.0);
        let terms = self.p.iter().zip(&self.ln_p).map(|(&p, &ln_p)| {
            let c = p / t;
            let mut parts = [f64::NEG_INFINITY; 2];
            if lo < t {
                // ∫ (1 − cτ)^m dτ over [lo, a], a = min(hi, T):
                //   [(1 − c·lo)^(m+1) − (1 − c·a)^(m+1)] / (c(m+1))
                let a = hi.min(t);
                let ln_lo = (m + 1.0) * (-c * lo).ln_1p();
                let ln_a = (m + 1.0) * (-c * a).ln_1p();
                parts[0] = ln_lo + (-(ln_a - ln_lo).exp()).ln_1p() - (c * (m + 1.0)).ln();
            }
            if hi > t {
                parts[1] = m * (-p).ln_1p() + (hi - lo.max(t)).ln();
            }
            k as f64 * (ln_p - t.ln()) + log_sum_exp(&parts) - t.ln()
        });
        let terms: Vec<f64> = terms.collect();
        log_sum_exp(&terms) - (terms.len() as f64).ln()
    }
}

/// `ln Σ exp(x)`, `-inf` for none.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + xs.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CallModel {
        CallModel::new((0.05, 0.30), 1800.0)
    }

    #[test]
    fn three_quick_calls_fit_a_large_section_and_three_slow_ones_a_small_lateral() {
        let m = model();
        // three calls within a minute
        let quick_big = m.ln_likelihood(3, 500, 60.0, 0.0);
        let quick_small = m.ln_likelihood(3, 20, 60.0, 0.0);
        // three calls over fifteen minutes
        let slow_big = m.ln_likelihood(3, 500, 900.0, 0.0);
        let slow_small = m.ln_likelihood(3, 20, 900.0, 0.0);
        assert!(slow_small > slow_big + 10.0, "{slow_small} {slow_big}");
        assert!(quick_big - quick_small > slow_big - slow_small + 10.0);
    }

    #[test]
    fn non_callers_count_against_a_device_once_the_calls_are_over() {
        let m = model();
        // an hour after: 5 of 10 called fits, 5 of 400 does not
        let small = m.ln_likelihood(5, 10, 3600.0, 3000.0);
        let big = m.ln_likelihood(5, 400, 3600.0, 3000.0);
        assert!(small > big + 20.0, "{small} {big}");
        // everyone called: the closed form holds at m = 0
        assert!(m.ln_likelihood(4, 4, 100.0, 0.0).is_finite());
    }

    #[test]
    fn the_likelihood_is_a_density_that_integrates_over_tau_consistently() {
        // With k = 0 and n = 0 the integrand is 1/T over τ ∈ [lo, hi]: ln((hi − lo)/T).
        let m = model();
        let l = m.ln_likelihood(0, 0, 100.0, 100.0);
        assert!((l - (1800.0f64 / 1800.0).ln()).abs() < 1e-9, "{l}");
    }
}
