//! Customer filter rules (客户筛选规则): which of the affected customers are the appointment
//! customers to consult, and the weights of an hour without supply by label for the window
//! chooser. Presets live in `resources/planning/presets.json` (embedded; another file can be
//! loaded with [`PresetFile::from_path`]).
//!
//! A preset selects a customer when **any** of its rules matches; a rule matches when **all**
//! of its conditions hold:
//!
//! * `labels_any`: the customer has at least one of these labels;
//! * `labels_all`: the customer has every one of these labels;
//! * `min_kw`: the customer's demand is at least this many kW;
//! * `wechat`: the customer is (`true`) or is not (`false`) bound to WeChat.
//!
//! A rule with no condition is refused: it would select everyone by accident.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::isolate::PlanningError;
use crate::grid::Grid;
use crate::model::{Customer, CustomerId, Labels};

/// The presets shipped in `resources/planning/presets.json`.
pub const DEFAULT_PRESETS_JSON: &str = include_str!("../../resources/planning/presets.json");

/// One rule: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterRule {
    /// At least one of these label words (`important`, `outage_sensitive`, `life_support`,
    /// `commercial`, `wechat`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels_any: Vec<String>,
    /// Every one of these label words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels_all: Vec<String>,
    /// Demand at least this, kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kw: Option<f32>,
    /// Bound (true) or not bound (false) to WeChat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat: Option<bool>,
}

/// A rule with its label words parsed.
#[derive(Clone, Copy, Debug)]
struct Compiled {
    any: Labels,
    all: Labels,
    min_kw: Option<f32>,
    wechat: Option<bool>,
}

fn labels_of(words: &[String]) -> Result<Labels, String> {
    let mut l = Labels::default();
    for w in words {
        l = l.with(Labels::from_words(w).map_err(|bad| format!("unknown label `{bad}`"))?);
    }
    Ok(l)
}

impl FilterRule {
    fn compile(&self) -> Result<Compiled, String> {
        if self.labels_any.is_empty()
            && self.labels_all.is_empty()
            && self.min_kw.is_none()
            && self.wechat.is_none()
        {
            return Err("a rule needs at least one condition".into());
        }
        if let Some(kw) = self.min_kw {
            if !kw.is_finite() || kw < 0.0 {
                return Err(format!("min_kw {kw} is not a demand in kW"));
            }
        }
        Ok(Compiled {
            any: labels_of(&self.labels_any).map_err(|m| format!("labels_any: {m}"))?,
            all: labels_of(&self.labels_all).map_err(|m| format!("labels_all: {m}"))?,
            min_kw: self.min_kw,
            wechat: self.wechat,
        })
    }
}

impl Compiled {
    fn matches(&self, c: &Customer) -> bool {
        (self.any.0 == 0 || c.labels.0 & self.any.0 != 0)
            && c.labels.contains(self.all)
            && self.min_kw.is_none_or(|kw| c.kw >= kw)
            && self.wechat.is_none_or(|w| c.labels.contains(Labels::WECHAT) == w)
    }
}

/// A named set of rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Its name (`critical`, `appointment`, …).
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Any of these.
    pub rules: Vec<FilterRule>,
}

/// How much an hour without supply weighs, for the window chooser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Every customer's weight.
    pub base: f64,
    /// Added for each label the customer has (label word → weight).
    #[serde(default)]
    pub labels: BTreeMap<String, f64>,
    /// A customer objecting to a window adds this many of their weighted hours.
    pub objection_h: f64,
    /// A customer preferring a window takes this many of their weighted hours off.
    pub preference_h: f64,
    /// Another planned outage on the same feeder overlapping the window adds this many hours.
    pub conflict_h: f64,
}

impl Default for Weights {
    /// Every customer weighs 1, objections 4 h, preferences 1 h, conflicts 50 h.
    fn default() -> Self {
        Weights {
            base: 1.0,
            labels: BTreeMap::new(),
            objection_h: 4.0,
            preference_h: 1.0,
            conflict_h: 50.0,
        }
    }
}

impl Weights {
    /// The weight of an hour without supply for a customer: `base` plus the weight of each
    /// of its labels.
    pub fn of(&self, labels: Labels) -> f64 {
        let mut w = self.base;
        for (l, word) in Labels::ALL {
            if labels.contains(l) {
                w += self.labels.get(word).copied().unwrap_or(0.0);
            }
        }
        w
    }
}

/// The presets file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetFile {
    /// What the file is (free text).
    #[serde(default)]
    pub about: String,
    /// The presets.
    pub presets: Vec<Preset>,
    /// The window chooser's weights.
    #[serde(default)]
    pub weights: Weights,
}

impl PresetFile {
    /// The embedded presets.
    pub fn embedded() -> Result<PresetFile, PlanningError> {
        PresetFile::parse(DEFAULT_PRESETS_JSON, "embedded resources/planning/presets.json")
    }

    /// Reads a presets file.
    pub fn from_path(path: &Path) -> Result<PresetFile, PlanningError> {
        let text = std::fs::read_to_string(path).map_err(|e| PlanningError::Rules {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        PresetFile::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a presets file; `file` names it in errors. The error names the line
    /// and column (bad JSON, an unknown field) or the preset, rule and field.
    ///
    /// # Examples
    /// ```
    /// use gridcare::planning::PresetFile;
    /// let err = PresetFile::parse(
    ///     r#"{"presets": [{"name": "x", "rules": [{"labels_any": ["vip"]}]}]}"#,
    ///     "p.json",
    /// )
    /// .unwrap_err();
    /// assert_eq!(err.to_string(), "p.json: preset `x`, rule 1: labels_any: unknown label `vip`");
    /// ```
    pub fn parse(text: &str, file: &str) -> Result<PresetFile, PlanningError> {
        let err = |message: String| PlanningError::Rules { file: file.to_string(), message };
        let pf: PresetFile = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for p in &pf.presets {
            if p.name.trim().is_empty() {
                return Err(err("a preset has an empty name".into()));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(err(format!("preset `{}` is defined twice", p.name)));
            }
            if p.rules.is_empty() {
                return Err(err(format!("preset `{}`: rules: none given", p.name)));
            }
            for (i, r) in p.rules.iter().enumerate() {
                r.compile()
                    .map_err(|m| err(format!("preset `{}`, rule {}: {m}", p.name, i + 1)))?;
            }
        }
        for word in pf.weights.labels.keys() {
            Labels::from_words(word)
                .map_err(|bad| err(format!("weights.labels: unknown label `{bad}`")))?;
        }
        Ok(pf)
    }

    /// The preset of that name.
    pub fn preset(&self, name: &str) -> Result<&Preset, PlanningError> {
        self.presets.iter().find(|p| p.name == name).ok_or_else(|| PlanningError::UnknownPreset {
            name: name.to_string(),
            known: self.presets.iter().map(|p| p.name.clone()).collect(),
        })
    }
}

/// The customers of `affected` that any of `rules` selects, in the order given.
///
/// # Examples
/// ```
/// use gridcare::model::{CustomerId, Labels};
/// use gridcare::planning::{apply_rules, FilterRule};
/// use gridcare::sim::{sample_model, SampleFeeders};
/// let mut model = sample_model(&SampleFeeders::default());
/// model.customers[3].labels = Labels::LIFE_SUPPORT;
/// model.customers[4].labels = Labels::COMMERCIAL;
/// model.customers[4].kw = 80.0;
/// let grid = gridcare::grid::Grid::from_model(model);
/// let all: Vec<CustomerId> = (0..10).map(CustomerId).collect();
/// let rules = [
///     FilterRule { labels_any: vec!["life_support".into()], ..Default::default() },
///     FilterRule { labels_all: vec!["commercial".into()], min_kw: Some(50.0), ..Default::default() },
/// ];
/// assert_eq!(apply_rules(&grid, &all, &rules).unwrap(), [CustomerId(3), CustomerId(4)]);
/// ```
pub fn apply_rules(
    grid: &Grid,
    affected: &[CustomerId],
    rules: &[FilterRule],
) -> Result<Vec<CustomerId>, PlanningError> {
    let compiled = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.compile().map_err(|m| PlanningError::Rules {
                file: "rules".into(),
                message: format!("rule {}: {m}", i + 1),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(affected
        .iter()
        .copied()
        .filter(|c| {
            grid.model
                .customers
                .get(c.index())
                .is_some_and(|cu| compiled.iter().any(|r| r.matches(cu)))
        })
        .collect())
}
