//! The period and the scope of a report: which days, and which customers — the whole area
//! (全口径), a district (区县, from the customer's standard address), a substation or a
//! feeder (from the normal switch state: the feeder that supplies the customer when every
//! switch is in its normal position).

use rustc_hash::FxHashMap;

use super::KpiError;
use crate::grid::Grid;
use crate::store::{format_time, parse_time, LOCAL_OFFSET_S};

/// Seconds in a day.
const DAY_S: i64 = 86_400;

/// The local (Beijing) day of a unix time, as days since 1970-01-01.
///
/// # Examples
///
/// ```
/// use gridcare::kpi::{day_of, day_text};
/// use gridcare::store::parse_time;
/// // 23:59 and 00:00 Beijing time fall on different days
/// let late = parse_time("2026-03-01 23:59").unwrap();
/// assert_eq!(day_of(late + 60), day_of(late) + 1);
/// assert_eq!(day_text(day_of(late)), "2026-03-01");
/// ```
pub fn day_of(t_s: i64) -> i64 {
    (t_s + LOCAL_OFFSET_S).div_euclid(DAY_S)
}

/// A local day number as `YYYY-MM-DD`.
pub fn day_text(day: i64) -> String {
    let mut s = format_time(day * DAY_S - LOCAL_OFFSET_S);
    s.truncate(10);
    s
}

/// A reporting period: from 00:00 of the first day to 24:00 of the last (Beijing time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// Start, unix seconds (included).
    pub from_s: i64,
    /// End, unix seconds (excluded).
    pub to_s: i64,
}

impl Period {
    /// The days `from` to `to`, both included (`YYYY-MM-DD`, Beijing time).
    ///
    /// # Examples
    ///
    /// ```
    /// use gridcare::kpi::Period;
    /// let p = Period::from_dates("2026-01-01", "2026-01-31").unwrap();
    /// assert_eq!(p.days(), 31);
    /// assert!(Period::from_dates("2026-02-01", "2026-01-31").is_err());
    /// assert!(Period::from_dates("2026-02-30", "2026-03-01").is_err());
    /// ```
    pub fn from_dates(from: &str, to: &str) -> Result<Period, KpiError> {
        let day = |text: &str| -> Result<i64, KpiError> {
            let t = text.trim();
            if t.len() != 10 {
                return Err(KpiError::Date {
                    input: text.to_string(),
                    why: "not ten characters".into(),
                });
            }
            parse_time(&format!("{t} 00:00"))
                .map_err(|e| KpiError::Date { input: text.to_string(), why: e.problem.into() })
        };
        let from_s = day(from)?;
        let last_s = day(to)?;
        if last_s < from_s {
            return Err(KpiError::EmptyPeriod { from: from.trim().into(), to: to.trim().into() });
        }
        Ok(Period { from_s, to_s: last_s + DAY_S })
    }

    /// Whole days in the period.
    pub fn days(&self) -> i64 {
        (self.to_s - self.from_s) / DAY_S
    }

    /// Hours in the period.
    pub fn hours(&self) -> f64 {
        (self.to_s - self.from_s) as f64 / 3600.0
    }

    /// True when `t_s` is inside.
    pub fn contains(&self, t_s: i64) -> bool {
        (self.from_s..self.to_s).contains(&t_s)
    }

    /// `2026-01-01 – 2026-12-31`.
    pub fn label(&self) -> String {
        format!("{} – {}", day_text(day_of(self.from_s)), day_text(day_of(self.to_s - 1)))
    }
}

/// Which customers a report covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole service area.
    Area,
    /// A district (区县) of the standard address, e.g. `禅城区`.
    District(String),
    /// A substation, by display name (`祖庙站`) or external id.
    Substation(String),
    /// A feeder, by display name or external id.
    Feeder(String),
}

impl Scope {
    /// Reads `area`, `district:NAME`, `substation:NAME` or `feeder:NAME`.
    ///
    /// # Examples
    ///
    /// ```
    /// use gridcare::kpi::Scope;
    /// assert_eq!(Scope::parse("area").unwrap(), Scope::Area);
    /// assert_eq!(Scope::parse("district:禅城区").unwrap(), Scope::District("禅城区".into()));
    /// assert!(Scope::parse("county:x").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Scope, KpiError> {
        let t = text.trim();
        let err = |why: &str| KpiError::Scope { given: text.to_string(), why: why.to_string() };
        if t.eq_ignore_ascii_case("area") {
            return Ok(Scope::Area);
        }
        let Some((kind, name)) = t.split_once(':') else {
            return Err(err("expected area, district:NAME, substation:NAME or feeder:NAME"));
        };
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(err("the name after `:` is empty"));
        }
        match kind.trim().to_ascii_lowercase().as_str() {
            "district" => Ok(Scope::District(name)),
            "substation" => Ok(Scope::Substation(name)),
            "feeder" => Ok(Scope::Feeder(name)),
            _ => Err(err("the kind is not district, substation or feeder")),
        }
    }

    /// `area`, `district:禅城区`, …
    pub fn label(&self) -> String {
        match self {
            Scope::Area => "area".into(),
            Scope::District(n) => format!("district:{n}"),
            Scope::Substation(n) => format!("substation:{n}"),
            Scope::Feeder(n) => format!("feeder:{n}"),
        }
    }
}

/// `u32::MAX`: no feeder (an island in the normal state), no substation.
const NONE: u32 = u32::MAX;

/// Every customer of a model with what a report groups them by: account number, district,
/// and the feeder and substation that supply it in the normal switch state.
#[derive(Clone, Debug)]
pub struct Territory {
    accounts: FxHashMap<String, u32>,
    customer_feeder: Vec<u32>,
    customer_district: Vec<u32>,
    districts: Vec<String>,
    feeders: Vec<(String, String, u32, String)>,
    substations: Vec<(String, String)>,
    transformer_feeder: FxHashMap<String, u32>,
    feeder_by_name: FxHashMap<String, u32>,
}

impl Territory {
    /// Indexes the customers of a grid as it was loaded (normal switch state).
    pub fn new(grid: &Grid) -> Territory {
        let m = &grid.model;
        let topo = &grid.topology;
        let mut accounts = FxHashMap::default();
        accounts.reserve(m.customers.len());
        let mut districts: Vec<String> = Vec::new();
        let mut district_ix: FxHashMap<String, u32> = FxHashMap::default();
        let mut customer_feeder = Vec::with_capacity(m.customers.len());
        let mut customer_district = Vec::with_capacity(m.customers.len());
        for (i, c) in m.customers.iter().enumerate() {
            accounts.insert(c.account_no.clone(), i as u32);
            customer_feeder.push(topo.feeder_of(c.bus).map_or(NONE, |f| f.0));
            let d = &c.address.district;
            let ix = *district_ix.entry(d.clone()).or_insert_with(|| {
                districts.push(d.clone());
                districts.len() as u32 - 1
            });
            customer_district.push(ix);
        }
        let feeders = m
            .feeders
            .iter()
            .map(|f| (f.name.clone(), f.display_name.clone(), f.substation.0, f.unit.clone()))
            .collect();
        let substations =
            m.substations.iter().map(|s| (s.name.clone(), s.display_name.clone())).collect();
        let transformer_feeder = m
            .transformers
            .iter()
            .filter_map(|t| Some((t.name.clone(), topo.feeder_of(t.hv_bus)?.0)))
            .collect();
        let feeder_by_name =
            m.feeders.iter().enumerate().map(|(i, f)| (f.name.clone(), i as u32)).collect();
        Territory {
            accounts,
            customer_feeder,
            customer_district,
            districts,
            feeders,
            substations,
            transformer_feeder,
            feeder_by_name,
        }
    }

    /// Customers of the model.
    pub fn customers(&self) -> usize {
        self.customer_feeder.len()
    }

    /// The customer (index in the model) with an account number.
    pub fn customer(&self, account: &str) -> Option<u32> {
        self.accounts.get(account).copied()
    }

    /// The unit (供电所) that owns the feeder normally supplying a customer.
    pub fn unit_of_customer(&self, customer: u32) -> Option<&str> {
        let f = *self.customer_feeder.get(customer as usize)?;
        self.feeders.get(f as usize).map(|x| x.3.as_str())
    }

    /// The unit that owns the feeder normally supplying a transformer (external id).
    pub fn unit_of_transformer(&self, transformer: &str) -> Option<&str> {
        let f = *self.transformer_feeder.get(transformer)?;
        self.feeders.get(f as usize).map(|x| x.3.as_str())
    }

    /// The unit that owns a feeder (external id).
    pub fn unit_of_feeder(&self, feeder: &str) -> Option<&str> {
        let f = *self.feeder_by_name.get(feeder)?;
        self.feeders.get(f as usize).map(|x| x.3.as_str())
    }

    /// The customers in a scope. An unknown name is an error listing the names there are.
    pub fn select(&self, scope: &Scope) -> Result<Selection, KpiError> {
        let unknown = |name: &str, what: &str, known: Vec<&str>| {
            let mut known = known;
            known.sort_unstable();
            known.dedup();
            let more = known.len().saturating_sub(12);
            let mut list = known.into_iter().take(12).collect::<Vec<_>>().join(", ");
            if more > 0 {
                list.push_str(&format!(", … {more} more"));
            }
            KpiError::Scope {
                given: scope.label(),
                why: format!("no {what} is called `{name}` in this model (there are: {list})"),
            }
        };
        let mask: Vec<bool> = match scope {
            Scope::Area => vec![true; self.customers()],
            Scope::District(name) => {
                let Some(d) = self.districts.iter().position(|d| d == name) else {
                    let known = self.districts.iter().map(String::as_str).collect();
                    return Err(unknown(name, "district", known));
                };
                self.customer_district.iter().map(|x| *x == d as u32).collect()
            }
            Scope::Substation(name) => {
                let Some(s) = self.substations.iter().position(|(n, d)| n == name || d == name)
                else {
                    let known = self.substations.iter().map(|(_, d)| d.as_str()).collect();
                    return Err(unknown(name, "substation", known));
                };
                self.customer_feeder
                    .iter()
                    .map(|f| self.feeders.get(*f as usize).is_some_and(|x| x.2 == s as u32))
                    .collect()
            }
            Scope::Feeder(name) => {
                let Some(f) = self.feeders.iter().position(|x| x.0 == *name || x.1 == *name) else {
                    let known = self.feeders.iter().map(|x| x.1.as_str()).collect();
                    return Err(unknown(name, "feeder", known));
                };
                self.customer_feeder.iter().map(|x| *x == f as u32).collect()
            }
        };
        Ok(Selection::from_mask(scope.label(), mask))
    }
}

/// The customers a report covers, and how many they are (N_T, customers served).
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// The scope's label (`area`, `feeder:祖01线`).
    pub label: String,
    in_scope: Vec<bool>,
    /// Customers served in the scope (N_T).
    pub customers_served: u64,
}

impl Selection {
    /// Customers by a mask over the model's customers (`true`: in scope).
    pub fn from_mask(label: String, in_scope: Vec<bool>) -> Selection {
        let customers_served = in_scope.iter().filter(|x| **x).count() as u64;
        Selection { label, in_scope, customers_served }
    }

    /// All of `n` customers.
    pub fn whole(n: usize) -> Selection {
        Selection::from_mask("area".into(), vec![true; n])
    }

    /// True when a customer is in scope (a customer not in the model is not).
    pub fn contains(&self, customer: u32) -> bool {
        self.in_scope.get(customer as usize).copied().unwrap_or(false)
    }

    /// The size of the model's customer table.
    pub fn model_customers(&self) -> usize {
        self.in_scope.len()
    }
}
