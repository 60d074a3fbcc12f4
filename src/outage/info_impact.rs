//! Household-level impact (分析到户): who loses supply when devices open, counted and drawn;
//! and which customer a caller is.
//!
//! The rule "who is affected" lives in the topology alone
//! ([`Topology::affected_customers`](crate::topology::Topology::affected_customers)): for
//! several devices opened together the union of their answers.

use std::collections::BTreeMap;

use geo::ConvexHull;
use serde::{Deserialize, Serialize};

use super::info::OutageError;
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, Labels, LonLat};

/// Who loses supply, recorded with every change that alters it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// Account numbers (户号) of the customers without supply, sorted.
    pub accounts: Vec<String>,
    /// Customers with each label (`important`, `life_support`, …; every label, zeros too).
    pub by_label: BTreeMap<String, usize>,
    /// The outage polygon: the convex hull of the customers' positions (lon/lat, not closed;
    /// one or two points when they are fewer or in a line).
    pub polygon: Vec<LonLat>,
}

impl Impact {
    /// The number of customers without supply.
    pub fn customers(&self) -> usize {
        self.accounts.len()
    }
}

/// The customers that lose supply when every device of `devices` is open: the union of the
/// topology's answer for each, sorted.
pub fn affected_by_opening(grid: &Grid, devices: &[DeviceRef]) -> Vec<CustomerId> {
    let mut out: Vec<CustomerId> = Vec::new();
    for d in devices {
        out.extend_from_slice(&grid.topology.affected_customers(&grid.model, *d).customers);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Accounts, label counts and polygon of a set of customers.
pub fn impact_of(grid: &Grid, customers: &[CustomerId]) -> Impact {
    let m = &grid.model;
    let mut accounts: Vec<String> =
        customers.iter().map(|c| m.customers[c.index()].account_no.clone()).collect();
    accounts.sort();
    let mut by_label: BTreeMap<String, usize> =
        Labels::ALL.iter().map(|(_, w)| (w.to_string(), 0)).collect();
    for c in customers {
        let labels = m.customers[c.index()].labels;
        for (l, w) in Labels::ALL {
            if labels.contains(l) {
                *by_label.entry(w.to_string()).or_default() += 1;
            }
        }
    }
    let points: Vec<LonLat> = customers.iter().map(|c| m.customers[c.index()].pos).collect();
    Impact { accounts, by_label, polygon: outage_polygon(&points) }
}

/// The convex hull of positions (geo's `ConvexHull`, planar in lon/lat: a city is small
/// enough), as a ring without its closing point. Fewer than three distinct positions, or
/// positions in a line, give those points.
///
/// # Examples
///
/// ```
/// use gridcare::model::LonLat;
/// use gridcare::outage::outage_polygon;
/// let p = |lon, lat| LonLat::new(lon, lat);
/// let hull = outage_polygon(&[p(0.0, 0.0), p(1.0, 0.0), p(0.5, 0.2), p(1.0, 1.0), p(0.0, 1.0)]);
/// assert_eq!(hull.len(), 4);
/// assert!(!hull.contains(&p(0.5, 0.2)));
/// ```
pub fn outage_polygon(points: &[LonLat]) -> Vec<LonLat> {
    let mut distinct: Vec<LonLat> = points.iter().copied().filter(LonLat::is_valid).collect();
    distinct.sort_by(|a, b| a.lon.total_cmp(&b.lon).then(a.lat.total_cmp(&b.lat)));
    distinct.dedup();
    if distinct.len() < 3 {
        return distinct;
    }
    let mp = geo::MultiPoint::from(
        distinct.iter().map(|p| geo::Point::new(p.lon, p.lat)).collect::<Vec<_>>(),
    );
    let mut ring: Vec<LonLat> =
        mp.convex_hull().exterior().points().map(|p| LonLat::new(p.x(), p.y())).collect();
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        // collinear: the two extremes
        let first = distinct[0];
        let last = distinct[distinct.len() - 1];
        return vec![first, last];
    }
    ring
}

/// The digits of what an operator typed for a caller, `None` when it holds anything but
/// digits and phone punctuation.
fn caller_digits(text: &str) -> Option<String> {
    let mut digits = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '+' | '(' | ')' => {}
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some(digits)
}

/// Whether digits are shaped like a phone number: a mobile (11 digits from 1, with or
/// without 86 / 0086) or a landline (7–8 digits from 2–9, or with a 0-led area code:
/// 10–12 digits).
fn phone_shaped(digits: &str) -> bool {
    let d = digits.strip_prefix("0086").or_else(|| digits.strip_prefix("86")).unwrap_or(digits);
    let mobile = d.len() == 11 && d.starts_with('1');
    let local = (7..=8).contains(&d.len()) && !d.starts_with(['0', '1']);
    let landline = local || (d.starts_with('0') && (10..=12).contains(&d.len()));
    mobile || landline
}

/// The customers a caller is: an exact account number (户号) or an exact phone number.
/// Anything else is an error saying which: not digits, neither shape, or nobody has it.
pub fn find_caller(grid: &Grid, text: &str) -> Result<Vec<CustomerId>, OutageError> {
    let query = text.trim();
    let Some(digits) = caller_digits(query) else {
        return Err(OutageError::NotACaller { query: text.to_string() });
    };
    let mut found: Vec<CustomerId> =
        grid.find(query, 20).into_iter().filter(|m| m.score >= 1.0).map(|m| m.customer).collect();
    found.sort_unstable();
    found.dedup();
    if !found.is_empty() {
        return Ok(found);
    }
    let account_shaped = grid.model.customers.iter().any(|c| c.account_no.len() == digits.len());
    if !phone_shaped(&digits) && !account_shaped {
        return Err(OutageError::NotACaller { query: text.to_string() });
    }
    Err(OutageError::UnknownCaller { query: text.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_shapes() {
        assert!(phone_shaped("13800138000"));
        assert!(phone_shaped("8613800138000"));
        assert!(phone_shaped("83331234"));
        assert!(phone_shaped("075783331234"));
        assert!(!phone_shaped("1380013"), "a local number never starts with 1");
        assert!(!phone_shaped("138001380001"));
        assert!(!phone_shaped("123"));
        assert_eq!(caller_digits("+86 138-0013-8000"), Some("8613800138000".into()));
        assert_eq!(caller_digits("张三"), None);
    }

    #[test]
    fn the_polygon_of_few_or_aligned_points_is_those_points() {
        let p = |lon, lat| LonLat::new(lon, lat);
        assert!(outage_polygon(&[]).is_empty());
        assert_eq!(outage_polygon(&[p(1.0, 1.0), p(1.0, 1.0)]), vec![p(1.0, 1.0)]);
        let line = outage_polygon(&[p(0.0, 0.0), p(2.0, 2.0), p(1.0, 1.0)]);
        assert_eq!(line, vec![p(0.0, 0.0), p(2.0, 2.0)]);
        let square =
            outage_polygon(&[p(0.0, 0.0), p(1.0, 0.0), p(1.0, 1.0), p(0.0, 1.0), p(0.5, 0.5)]);
        assert_eq!(square.len(), 4);
    }
}
